/**
 * The Virtual Memory view (Run and Debug container): every region of the debuggee as VirtualQuery reports
 * it, from the adapter's `wowdbg/regions` request, grouped by allocation. An allocation shows its module
 * (images), its section (mapped views) or its use (stack, heap, TEB…); a region shows base, size, state,
 * protection and type, and a view its section offset (64-bit). Refreshed at each stop of the active wowdbg
 * session; filters by type and state. As vscode-js-debug's network view: one provider, state per session,
 * refreshed from the adapter's events, everything released through disposables.
 */
import * as vscode from "vscode";
import {
  REGIONS_REQUEST,
  type MemoryRegion,
  type RegionsArguments,
  type RegionsResponseBody,
} from "../debugger/protocol";
import { DEBUG_TYPE } from "./config";
import type { DebugEvents } from "./events";

export const MEM_COMMIT = 0x1000;
export const MEM_RESERVE = 0x2000;
export const MEM_FREE = 0x10000;

const PROTECT: Record<number, string> = {
  0x01: "NA",
  0x02: "R",
  0x04: "RW",
  0x08: "WC",
  0x10: "X",
  0x20: "RX",
  0x40: "RWX",
  0x80: "RWXC",
};

export function protectText(p: number): string {
  if (p === 0) return "";
  const base = PROTECT[p & 0xff] ?? `0x${(p & 0xff).toString(16)}`;
  const mods = [p & 0x100 ? "+G" : "", p & 0x200 ? "+NC" : "", p & 0x400 ? "+WCB" : ""].join("");
  return base + mods;
}

export function stateText(s: number): string {
  return s === MEM_COMMIT
    ? "Commit"
    : s === MEM_RESERVE
      ? "Reserve"
      : s === MEM_FREE
        ? "Free"
        : `0x${s.toString(16)}`;
}

export function hex(n: number, digits = 8): string {
  return "0x" + n.toString(16).toUpperCase().padStart(digits, "0");
}

export function sizeText(n: number): string {
  const units: [number, string][] = [
    [2 ** 30, "GB"],
    [2 ** 20, "MB"],
    [2 ** 10, "KB"],
  ];
  for (const [u, name] of units) if (n >= u && n % u === 0) return `${n / u} ${name}`;
  for (const [u, name] of units) if (n >= u) return `${(n / u).toFixed(1)} ${name}`;
  return `${n} B`;
}

type Kind = MemoryRegion["kind"];
const KINDS: Kind[] = ["image", "mapped", "private", "free"];
const KIND_LABEL: Record<Kind, string> = {
  image: "Image",
  mapped: "Mapped",
  private: "Private",
  free: "Free",
};

export interface Allocation {
  base: number;
  kind: Kind;
  regions: MemoryRegion[];
}

/** Regions grouped by allocation base, in address order (free gaps are their own groups). */
export function groupByAllocation(regions: readonly MemoryRegion[]): Allocation[] {
  const out: Allocation[] = [];
  for (const r of regions) {
    const base = r.kind === "free" ? r.baseAddress : r.allocationBase;
    const last = out[out.length - 1];
    if (last !== undefined && last.kind !== "free" && r.kind !== "free" && last.base === base)
      last.regions.push(r);
    else out.push({ base, kind: r.kind, regions: [r] });
  }
  return out;
}

function allocationLabel(a: Allocation): string {
  const r = a.regions[0];
  if (a.kind === "image") return r.module ?? r.path ?? "image";
  if (a.kind === "mapped") {
    const at = r.sectionOffset !== undefined ? ` @ ${hex(r.sectionOffset, 1)}` : "";
    return `section ${r.sectionId ?? "?"}${at}`;
  }
  if (a.kind === "free") return "free";
  return r.usage !== undefined && r.usage !== "<unknown>" ? r.usage : "private";
}

function regionDescription(r: MemoryRegion): string {
  const parts: string[] = [];
  // A view's offset in its section first: it is what a mapped region is about (and survives truncation).
  if (r.sectionOffset !== undefined && r.kind === "mapped") parts.push(`offset ${hex(r.sectionOffset, 1)}`);
  parts.push(sizeText(r.regionSize), stateText(r.state));
  if (r.protect !== 0) parts.push(protectText(r.protect));
  if (r.kind !== "free") parts.push(KIND_LABEL[r.kind]);
  return parts.join("  ");
}

function regionTooltip(r: MemoryRegion): vscode.MarkdownString {
  const rows: [string, string][] = [
    ["BaseAddress", hex(r.baseAddress)],
    ["RegionSize", `${hex(r.regionSize, 1)} (${sizeText(r.regionSize)})`],
    ["State", stateText(r.state)],
    ["Protect", r.protect === 0 ? "—" : `${protectText(r.protect)} (${hex(r.protect, 1)})`],
    ["Type", r.kind === "free" ? "—" : KIND_LABEL[r.kind]],
    ["AllocationBase", hex(r.allocationBase)],
    ["AllocationProtect", r.allocationProtect === 0 ? "—" : protectText(r.allocationProtect)],
  ];
  if (r.sectionId !== undefined) rows.push(["Section", `#${r.sectionId}`]);
  if (r.sectionOffset !== undefined) rows.push(["Section offset", hex(r.sectionOffset, 1)]);
  if (r.path !== undefined) rows.push(["Path", r.path]);
  if (r.usage !== undefined) rows.push(["Usage", r.usage]);
  const md = new vscode.MarkdownString(
    "| | |\n|---|---|\n" + rows.map(([k, v]) => `| ${k} | \`${v}\` |`).join("\n"),
  );
  return md;
}

export type Node = { allocation: Allocation } | { region: MemoryRegion };

interface Filter {
  kinds: Set<Kind>;
  states: Set<number>;
}

export class VirtualMemoryProvider implements vscode.TreeDataProvider<Node>, vscode.Disposable {
  private readonly changed = new vscode.EventEmitter<Node | undefined>();
  readonly onDidChangeTreeData = this.changed.event;
  private readonly data = new Map<string, Allocation[]>();
  private readonly errors = new Map<string, string>();
  private readonly disposables: vscode.Disposable[] = [this.changed];
  private filter: Filter = {
    kinds: new Set(["image", "mapped", "private"]),
    states: new Set([MEM_COMMIT, MEM_RESERVE]),
  };
  view: vscode.TreeView<Node> | undefined;

  constructor(events: DebugEvents) {
    this.disposables.push(
      events.onStopped(({ session }) => void this.refresh(session)),
      events.onEnded((session) => {
        this.data.delete(session.id);
        this.errors.delete(session.id);
        this.changed.fire(undefined);
      }),
      vscode.debug.onDidChangeActiveDebugSession(() => this.changed.fire(undefined)),
    );
  }

  private activeSession(): vscode.DebugSession | undefined {
    const s = vscode.debug.activeDebugSession;
    return s?.type === DEBUG_TYPE ? s : undefined;
  }

  async refresh(session = this.activeSession()): Promise<void> {
    if (session === undefined) return;
    const args: RegionsArguments = { includeFree: this.filter.kinds.has("free") };
    try {
      const body = (await session.customRequest(REGIONS_REQUEST, args)) as RegionsResponseBody;
      this.data.set(session.id, groupByAllocation(body.regions));
      this.errors.delete(session.id);
    } catch (e) {
      this.errors.set(session.id, e instanceof Error ? e.message : String(e));
    }
    this.changed.fire(undefined);
    this.updateMessage();
  }

  private updateMessage(): void {
    if (this.view === undefined) return;
    const s = this.activeSession();
    const kinds = KINDS.filter((k) => this.filter.kinds.has(k)).map((k) => KIND_LABEL[k]);
    const states = [MEM_COMMIT, MEM_RESERVE].filter((x) => this.filter.states.has(x)).map(stateText);
    const err = s !== undefined ? this.errors.get(s.id) : undefined;
    this.view.message = err ?? `Showing ${kinds.join(", ")} · ${states.join(", ")}`;
  }

  private visible(a: Allocation): MemoryRegion[] {
    return a.regions.filter(
      (r) => this.filter.kinds.has(r.kind) && (r.kind === "free" || this.filter.states.has(r.state)),
    );
  }

  getChildren(node?: Node): Node[] {
    if (node === undefined) {
      const s = this.activeSession();
      const allocations = s !== undefined ? (this.data.get(s.id) ?? []) : [];
      return allocations.filter((a) => this.visible(a).length > 0).map((allocation) => ({ allocation }));
    }
    if ("allocation" in node) return this.visible(node.allocation).map((region) => ({ region }));
    return [];
  }

  getTreeItem(node: Node): vscode.TreeItem {
    if ("allocation" in node) {
      const a = node.allocation;
      const size = a.regions.reduce((n, r) => n + r.regionSize, 0);
      const item = new vscode.TreeItem(
        `${hex(a.base)}  ${allocationLabel(a)}`,
        a.kind === "free" ? vscode.TreeItemCollapsibleState.None : vscode.TreeItemCollapsibleState.Collapsed,
      );
      item.description = `${sizeText(size)}  ${KIND_LABEL[a.kind]}${a.regions[0].path !== undefined ? "  " + a.regions[0].path : ""}`;
      item.tooltip = a.kind === "free" ? regionTooltip(a.regions[0]) : undefined;
      item.contextValue = `allocation.${a.kind}`;
      item.iconPath = new vscode.ThemeIcon(
        a.kind === "image"
          ? "file-binary"
          : a.kind === "mapped"
            ? "files"
            : a.kind === "free"
              ? "dash"
              : "database",
      );
      item.id = `alloc:${a.base}:${a.kind}`;
      return item;
    }
    const r = node.region;
    const item = new vscode.TreeItem(hex(r.baseAddress), vscode.TreeItemCollapsibleState.None);
    item.description = regionDescription(r);
    item.tooltip = regionTooltip(r);
    item.contextValue = `region.${r.kind}`;
    item.id = `region:${r.baseAddress}`;
    return item;
  }

  async chooseFilter(): Promise<void> {
    type Pick = vscode.QuickPickItem & ({ kind2: Kind } | { state: number });
    const items: Pick[] = [
      ...KINDS.map((k) => ({
        label: KIND_LABEL[k],
        description: "type",
        picked: this.filter.kinds.has(k),
        kind2: k,
      })),
      ...[MEM_COMMIT, MEM_RESERVE].map((x) => ({
        label: stateText(x),
        description: "state",
        picked: this.filter.states.has(x),
        state: x,
      })),
    ];
    const picked = await vscode.window.showQuickPick(items, {
      canPickMany: true,
      placeHolder: "Region types and states to show",
    });
    if (picked === undefined) return;
    const kinds = new Set<Kind>();
    const states = new Set<number>();
    for (const p of picked) {
      if ("kind2" in p) kinds.add(p.kind2);
      else states.add(p.state);
    }
    const needFree = kinds.has("free") && !this.filter.kinds.has("free");
    this.filter = { kinds, states };
    if (needFree) await this.refresh();
    this.changed.fire(undefined);
    this.updateMessage();
  }

  dispose(): void {
    for (const d of this.disposables) d.dispose();
  }
}

export function registerVirtualMemoryView(
  context: vscode.ExtensionContext,
  events: DebugEvents,
): VirtualMemoryProvider {
  const provider = new VirtualMemoryProvider(events);
  const view = vscode.window.createTreeView("wowdbg.virtualMemory", {
    treeDataProvider: provider,
    showCollapseAll: true,
  });
  provider.view = view;
  context.subscriptions.push(
    provider,
    view,
    vscode.commands.registerCommand("wowdbg.virtualMemory.refresh", () => provider.refresh()),
    vscode.commands.registerCommand("wowdbg.virtualMemory.filter", () => provider.chooseFilter()),
    vscode.commands.registerCommand("wowdbg.virtualMemory.show", async () => {
      await vscode.commands.executeCommand("wowdbg.virtualMemory.focus");
      await provider.refresh();
    }),
  );
  return provider;
}
