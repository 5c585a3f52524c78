/**
 * The Syscalls view (Run and Debug container): the live syscall trace from the adapter's `wowdbg/syscalls`
 * request — number, name, caller mode (x86 through WOW64, or x64), arguments and NTSTATUS — newest first,
 * fetched incrementally at each stop. A click goes to where the call was made: the stopped frame in the
 * Disassembly view when the program is stopped in that service's stub, otherwise the stub's address (in the
 * caller mode's ntdll) in the Memory Panel. The inline "Break on this syscall" action adds a function
 * breakpoint on the bare service name (the adapter resolves it in every ntdll copy).
 */
import * as vscode from "vscode";
import {
  SYSCALLS_REQUEST,
  type SyscallTraceRecord,
  type SyscallsArguments,
  type SyscallsResponseBody,
} from "../debugger/protocol";
import { DEBUG_TYPE } from "./config";
import type { DebugEvents } from "./events";
import { hex } from "./memoryView";

/** How many records the view shows (the newest); the trace itself is kept whole by the adapter. */
const SHOWN = 2000;
const PAGE = 5000;

/** A record as the adapter may send it; `callerAddress` when the adapter records where the call was made. */
export type SyscallRecord = SyscallTraceRecord & { callerAddress?: number | string };

export function statusText(r: SyscallTraceRecord): string {
  if (r.status === undefined) return "(no return)";
  return `${hex(r.status >>> 0)}${r.statusName !== undefined ? " " + r.statusName : ""}`;
}

export function syscallLine(r: SyscallTraceRecord): string {
  return `${r.name}(${r.args.join(", ")}) -> ${statusText(r)}`;
}

export class SyscallsProvider implements vscode.TreeDataProvider<SyscallRecord>, vscode.Disposable {
  private readonly changed = new vscode.EventEmitter<SyscallRecord | undefined>();
  readonly onDidChangeTreeData = this.changed.event;
  private readonly data = new Map<string, SyscallRecord[]>();
  private readonly errors = new Map<string, string>();
  private readonly busy = new Map<string, Promise<void>>();
  private readonly disposables: vscode.Disposable[] = [this.changed];
  view: vscode.TreeView<SyscallRecord> | undefined;

  constructor(events: DebugEvents) {
    this.disposables.push(
      events.onStopped(({ session }) => void this.refresh(session)),
      events.onEnded((session) => {
        // The trace of an ended session stays readable until another session becomes active.
        this.errors.delete(session.id);
      }),
      vscode.debug.onDidChangeActiveDebugSession((s) => {
        if (s?.type === DEBUG_TYPE) {
          for (const id of [...this.data.keys()]) if (id !== s.id) this.data.delete(id);
        }
        this.changed.fire(undefined);
        this.updateMessage();
      }),
    );
  }

  private activeSession(): vscode.DebugSession | undefined {
    const s = vscode.debug.activeDebugSession;
    return s?.type === DEBUG_TYPE ? s : undefined;
  }

  refresh(session = this.activeSession()): Promise<void> {
    if (session === undefined) return Promise.resolve();
    const running = this.busy.get(session.id);
    const next = (running ?? Promise.resolve()).then(() => this.fetch(session));
    this.busy.set(session.id, next);
    return next;
  }

  private async fetch(session: vscode.DebugSession): Promise<void> {
    const have = this.data.get(session.id) ?? [];
    // A call that had not returned when it was fetched (a wait, or the call a stop is in) is fetched again:
    // the adapter completes its record when it returns.
    const pending = have.findIndex((r) => r.status === undefined);
    if (pending >= 0) have.length = pending;
    try {
      for (;;) {
        const args: SyscallsArguments = { start: have.length, count: PAGE };
        const body = (await session.customRequest(SYSCALLS_REQUEST, args)) as SyscallsResponseBody;
        have.push(...(body.records as SyscallRecord[]));
        if (body.records.length === 0 || have.length >= body.total) break;
      }
      this.data.set(session.id, have);
      this.errors.delete(session.id);
    } catch (e) {
      this.errors.set(session.id, e instanceof Error ? e.message : String(e));
    }
    this.changed.fire(undefined);
    this.updateMessage();
  }

  records(): SyscallRecord[] {
    const s = this.activeSession() ?? undefined;
    if (s !== undefined) return this.data.get(s.id) ?? [];
    // After the session ended: the last trace seen.
    const last = [...this.data.values()].pop();
    return last ?? [];
  }

  private updateMessage(): void {
    if (this.view === undefined) return;
    const s = this.activeSession();
    const err = s !== undefined ? this.errors.get(s.id) : undefined;
    const n = this.records().length;
    this.view.message =
      err ??
      (n === 0 ? undefined : n > SHOWN ? `${n} syscalls (the newest ${SHOWN} shown)` : `${n} syscalls`);
  }

  getChildren(node?: SyscallRecord): SyscallRecord[] {
    if (node !== undefined) return [];
    return this.records().slice(-SHOWN).reverse();
  }

  getTreeItem(r: SyscallRecord): vscode.TreeItem {
    const item = new vscode.TreeItem(`#${r.index}  ${r.name}`, vscode.TreeItemCollapsibleState.None);
    const failed = r.status !== undefined && r.status >>> 0 >= 0x80000000;
    item.description = `${hex(r.number, 4)}  ${r.callerMode}  (${r.args.join(", ")}) → ${statusText(r)}`;
    item.tooltip = new vscode.MarkdownString(
      "| | |\n|---|---|\n" +
        [
          ["Index", String(r.index)],
          ["Service", `${r.name} (${hex(r.number, 4)})`],
          ["Caller mode", r.callerMode === "x86" ? "x86 (through WOW64)" : "x64"],
          ...(r.callerAddress !== undefined
            ? [["Called from", r.callerName ?? `0x${Number(r.callerAddress).toString(16).toUpperCase()}`]]
            : []),
          ...r.args.map((a, i) => [`Arg ${i + 1}`, a]),
          ["Status", statusText(r)],
        ]
          .map(([k, v]) => `| ${k} | \`${v}\` |`)
          .join("\n"),
    );
    item.iconPath = new vscode.ThemeIcon(
      r.status === undefined ? "debug-stackframe" : failed ? "error" : "pass",
      failed ? new vscode.ThemeColor("problemsErrorIcon.foreground") : undefined,
    );
    item.contextValue = "syscall";
    item.id = `syscall:${r.index}`;
    item.command = { command: "wowdbg.syscalls.goToCaller", title: "Go to Caller", arguments: [r] };
    return item;
  }

  dispose(): void {
    for (const d of this.disposables) d.dispose();
  }
}

async function evaluateAddress(session: vscode.DebugSession, expr: string): Promise<number | undefined> {
  try {
    const r = (await session.customRequest("evaluate", { expression: expr, context: "watch" })) as {
      result?: string;
      memoryReference?: string;
    };
    const text = r.memoryReference ?? r.result ?? "";
    const n = Number(BigInt(text.trim().split(/\s/)[0]));
    return Number.isFinite(n) ? n : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Where a syscall was made. The adapter records the caller's return address: the calling instruction (the
 * call to the ntdll stub, in the caller's mode) is shown in the live listing of its module, its line
 * selected — VS Code's Disassembly view follows only the focused stack frame and cannot be sent to an
 * address. Without a caller address: when the program is stopped in that service's stub, the stopped
 * frame (the Disassembly view follows it); otherwise the stub itself in the Memory Panel.
 */
async function goToCaller(
  r: SyscallRecord | undefined,
  openMemory: (address: number) => void,
  showCode: (session: vscode.DebugSession, address: number) => Promise<boolean>,
): Promise<void> {
  const session = vscode.debug.activeDebugSession;
  if (r === undefined || session?.type !== DEBUG_TYPE) return;
  if (r.callerAddress !== undefined) {
    const ret = Number(r.callerAddress);
    if (await showCode(session, ret - 1).catch(() => false)) return;
    openMemory(ret);
    return;
  }
  const frame = vscode.debug.activeStackItem;
  if (frame instanceof vscode.DebugStackFrame && frame.session.id === session.id) {
    try {
      const st = (await session.customRequest("stackTrace", {
        threadId: frame.threadId,
        startFrame: 0,
        levels: 1,
      })) as { stackFrames: { name: string }[] };
      if (st.stackFrames[0]?.name.includes(r.name)) {
        await vscode.commands.executeCommand("debug.action.openDisassemblyView");
        return;
      }
    } catch {
      // fall through to the stub
    }
  }
  const stub = await evaluateAddress(session, `ntdll!${r.name}`);
  if (stub === undefined) {
    void vscode.window.showWarningMessage(`wowdbg: cannot find where ${r.name} was called.`);
    return;
  }
  openMemory(stub);
}

export function registerSyscallsView(
  context: vscode.ExtensionContext,
  events: DebugEvents,
  openMemory: (address: number) => void,
  showCode: (session: vscode.DebugSession, address: number) => Promise<boolean>,
): SyscallsProvider {
  const provider = new SyscallsProvider(events);
  const view = vscode.window.createTreeView("wowdbg.syscalls", { treeDataProvider: provider });
  provider.view = view;
  context.subscriptions.push(
    provider,
    view,
    vscode.commands.registerCommand("wowdbg.syscalls.refresh", () => provider.refresh()),
    vscode.commands.registerCommand("wowdbg.syscalls.show", async () => {
      await vscode.commands.executeCommand("wowdbg.syscalls.focus");
      await provider.refresh();
    }),
    vscode.commands.registerCommand("wowdbg.syscalls.goToCaller", (r?: SyscallRecord) =>
      goToCaller(r ?? view.selection[0], openMemory, showCode),
    ),
    vscode.commands.registerCommand("wowdbg.syscalls.breakOn", (r?: SyscallRecord) => {
      const rec = r ?? view.selection[0];
      if (rec === undefined) return;
      const exists = vscode.debug.breakpoints.some(
        (b) => b instanceof vscode.FunctionBreakpoint && b.functionName === rec.name,
      );
      if (!exists) vscode.debug.addBreakpoints([new vscode.FunctionBreakpoint(rec.name)]);
    }),
  );
  return provider;
}
