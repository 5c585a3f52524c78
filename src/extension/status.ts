/**
 * The status bar item shown while a wowdbg session is stopped: the stopped thread's mode and CS, e.g.
 * "x86 · CS 0x23" inside a WOW64 program's 32-bit code and "x64 · CS 0x33" past the far jump into 64-bit
 * code. DebugEvents (events.ts) reports the adapter's `stopped`/`continued` events; CS is read with an
 * `evaluate` request (the adapter's expression evaluator knows the segment registers) and the mode follows
 * from the selector as Windows sets up its descriptors (0x33 64-bit code, 0x23 32-bit compatibility code).
 */
import * as vscode from "vscode";
import { DEBUG_TYPE } from "./config";
import type { DebugEvents } from "./events";

export type ThreadMode = "x86" | "x64";

export interface ThreadState {
  mode: ThreadMode | undefined;
  cs: number;
}

export function modeOfSelector(cs: number): ThreadMode | undefined {
  if (cs === 0x33) return "x64";
  if (cs === 0x23) return "x86";
  return undefined;
}

export class ModeStatus implements vscode.Disposable {
  private readonly item: vscode.StatusBarItem;
  private readonly states = new Map<string, ThreadState | "running">();
  /** Bumped on every event of a session, so a late answer to an older stop is dropped. */
  private readonly generation = new Map<string, number>();
  private readonly disposables: vscode.Disposable[] = [];
  private readonly changed = new vscode.EventEmitter<vscode.DebugSession>();
  /** Fires when a session's thread state is known after a stop (for views that show the mode). */
  readonly onDidChange = this.changed.event;

  constructor(events: DebugEvents) {
    this.item = vscode.window.createStatusBarItem("wowdbg.mode", vscode.StatusBarAlignment.Left, 50);
    this.item.name = "wowdbg: thread mode";
    this.disposables.push(
      this.item,
      this.changed,
      events.onStopped(({ session }) => void this.query(session, this.bump(session))),
      events.onContinued((session) => {
        this.bump(session);
        this.states.set(session.id, "running");
        this.render();
      }),
      events.onEnded((session) => this.forget(session)),
      vscode.debug.onDidChangeActiveDebugSession(() => this.render()),
    );
  }

  state(session: vscode.DebugSession): ThreadState | "running" | undefined {
    return this.states.get(session.id);
  }

  private bump(session: vscode.DebugSession): number {
    const g = (this.generation.get(session.id) ?? 0) + 1;
    this.generation.set(session.id, g);
    return g;
  }

  private async query(session: vscode.DebugSession, gen: number): Promise<void> {
    let cs: number;
    try {
      const r = (await session.customRequest("evaluate", { expression: "cs", context: "watch" })) as {
        result?: string;
      };
      cs = Number.parseInt(r.result ?? "", 16);
      if (!Number.isFinite(cs)) return;
    } catch {
      return;
    }
    if (this.generation.get(session.id) !== gen) return;
    this.states.set(session.id, { mode: modeOfSelector(cs), cs });
    this.render();
    this.changed.fire(session);
  }

  private forget(session: vscode.DebugSession): void {
    this.states.delete(session.id);
    this.generation.delete(session.id);
    this.render();
  }

  private render(): void {
    const session = vscode.debug.activeDebugSession;
    const s = session?.type === DEBUG_TYPE ? this.states.get(session.id) : undefined;
    if (s === undefined || s === "running") {
      this.item.hide();
      return;
    }
    const cs = "0x" + s.cs.toString(16).padStart(2, "0");
    const mode = s.mode ?? "mode?";
    this.item.text = `$(chip) ${mode} · CS ${cs}`;
    this.item.tooltip =
      s.mode === "x64"
        ? `wowdbg: the thread is stopped in 64-bit code (CS ${cs})`
        : s.mode === "x86"
          ? `wowdbg: the thread is stopped in 32-bit code (compatibility mode, CS ${cs})`
          : `wowdbg: the thread is stopped with CS ${cs}`;
    this.item.show();
  }

  dispose(): void {
    for (const d of this.disposables) d.dispose();
  }
}
