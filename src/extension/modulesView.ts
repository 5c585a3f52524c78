/**
 * The Modules view (Run and Debug container): every module of the debuggee — base, size, path, PE32 or
 * PE32+ — from DAP `modules` (the whole list when a session starts and at each stop) and the adapter's
 * `module` events (a DLL loaded or unloaded between stops). A WOW64 process shows both ntdll copies: the
 * 64-bit one in System32 and the 32-bit one in SysWOW64. As the Virtual Memory view: one provider, state per
 * session, refreshed from adapter events, everything released through disposables.
 */
import * as vscode from "vscode";
import type { DebugProtocol } from "@vscode/debugprotocol";
import { DEBUG_TYPE } from "./config";
import type { DebugEvents } from "./events";
import { hex, sizeText } from "./memoryView";

export interface ModuleInfo {
  id: number | string;
  name: string;
  path: string;
  base: number;
  size: number;
  /** "PE32+" (x64) or "PE32" (x86). */
  format: "PE32" | "PE32+" | "?";
  symbols: string;
}

/** A DAP module as the adapter reports it (`addressRange` "0x…-0x…", `version` the architecture). */
export function moduleInfo(m: DebugProtocol.Module): ModuleInfo {
  const range = /^(0x[0-9a-f]+)-(0x[0-9a-f]+)$/i.exec(m.addressRange ?? "");
  const base = range !== null ? Number(range[1]) : 0;
  const end = range !== null ? Number(range[2]) : 0;
  return {
    id: m.id,
    name: m.name,
    path: m.path ?? m.name,
    base,
    size: end - base,
    format: m.version === "x64" ? "PE32+" : m.version === "x86" ? "PE32" : "?",
    symbols: m.symbolStatus ?? "",
  };
}

interface DapModuleEvent {
  type?: string;
  event?: string;
  body?: { reason?: "new" | "changed" | "removed"; module?: DebugProtocol.Module };
}

export class ModulesProvider implements vscode.TreeDataProvider<ModuleInfo>, vscode.Disposable {
  private readonly changed = new vscode.EventEmitter<ModuleInfo | undefined>();
  readonly onDidChangeTreeData = this.changed.event;
  private readonly data = new Map<string, Map<string, ModuleInfo>>();
  private readonly disposables: vscode.Disposable[] = [this.changed];
  view: vscode.TreeView<ModuleInfo> | undefined;

  constructor(events: DebugEvents) {
    this.disposables.push(
      events.onStopped(({ session }) => void this.refresh(session)),
      events.onEnded((session) => {
        this.data.delete(session.id);
        this.changed.fire(undefined);
        this.updateMessage();
      }),
      vscode.debug.onDidChangeActiveDebugSession(() => {
        this.changed.fire(undefined);
        this.updateMessage();
      }),
      // Module events between stops (a LoadLibrary while running).
      vscode.debug.registerDebugAdapterTrackerFactory(DEBUG_TYPE, {
        createDebugAdapterTracker: (session) => ({
          onDidSendMessage: (m: DapModuleEvent) => {
            if (m.type === "event" && m.event === "module" && m.body?.module !== undefined)
              this.onModuleEvent(session, m.body.reason ?? "new", m.body.module);
          },
        }),
      }),
    );
  }

  private activeSession(): vscode.DebugSession | undefined {
    const s = vscode.debug.activeDebugSession;
    return s?.type === DEBUG_TYPE ? s : undefined;
  }

  private onModuleEvent(session: vscode.DebugSession, reason: string, m: DebugProtocol.Module): void {
    let mods = this.data.get(session.id);
    if (mods === undefined) this.data.set(session.id, (mods = new Map()));
    if (reason === "removed") mods.delete(String(m.id));
    else mods.set(String(m.id), moduleInfo(m));
    this.changed.fire(undefined);
    this.updateMessage();
  }

  async refresh(session = this.activeSession()): Promise<void> {
    if (session === undefined) return;
    try {
      const body = (await session.customRequest("modules", {})) as DebugProtocol.ModulesResponse["body"];
      this.data.set(session.id, new Map(body.modules.map((m) => [String(m.id), moduleInfo(m)])));
    } catch {
      // The session ended meanwhile.
    }
    this.changed.fire(undefined);
    this.updateMessage();
  }

  modules(session = this.activeSession()): ModuleInfo[] {
    const mods = session !== undefined ? this.data.get(session.id) : undefined;
    return [...(mods?.values() ?? [])].sort((a, b) => a.base - b.base);
  }

  private updateMessage(): void {
    if (this.view === undefined) return;
    const mods = this.modules();
    const n32 = mods.filter((m) => m.format === "PE32").length;
    const n64 = mods.filter((m) => m.format === "PE32+").length;
    this.view.message = mods.length === 0 ? undefined : `${mods.length} modules · ${n32} PE32 · ${n64} PE32+`;
  }

  getChildren(node?: ModuleInfo): ModuleInfo[] {
    return node === undefined ? this.modules() : [];
  }

  getTreeItem(m: ModuleInfo): vscode.TreeItem {
    const item = new vscode.TreeItem(`${hex(m.base)}  ${m.name}`, vscode.TreeItemCollapsibleState.None);
    item.description = `${sizeText(m.size)}  ${m.format}  ${m.path}`;
    item.tooltip = new vscode.MarkdownString(
      "| | |\n|---|---|\n" +
        [
          ["Name", m.name],
          ["Path", m.path],
          ["Base", hex(m.base)],
          ["Size", `${hex(m.size, 1)} (${sizeText(m.size)})`],
          ["End", hex(m.base + m.size)],
          ["Format", `${m.format} (${m.format === "PE32+" ? "x64" : "x86"})`],
          ["Symbols", m.symbols],
        ]
          .map(([k, v]) => `| ${k} | \`${v}\` |`)
          .join("\n"),
    );
    item.iconPath = new vscode.ThemeIcon(m.format === "PE32+" ? "symbol-module" : "package");
    item.contextValue = "module";
    item.id = `module:${m.id}`;
    return item;
  }

  dispose(): void {
    for (const d of this.disposables) d.dispose();
  }
}

export function registerModulesView(context: vscode.ExtensionContext, events: DebugEvents): ModulesProvider {
  const provider = new ModulesProvider(events);
  const view = vscode.window.createTreeView("wowdbg.modules", { treeDataProvider: provider });
  provider.view = view;
  context.subscriptions.push(
    provider,
    view,
    vscode.commands.registerCommand("wowdbg.modules.refresh", () => provider.refresh()),
    vscode.commands.registerCommand("wowdbg.modules.show", async () => {
      await vscode.commands.executeCommand("wowdbg.modules.focus");
      await provider.refresh();
    }),
  );
  return provider;
}
