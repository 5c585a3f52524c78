/**
 * The adapter's state changes as the extension's views need them: one DebugAdapterTracker per wowdbg
 * session watches the DAP events the adapter sends (`stopped`, `continued`, `terminated`, `exited`) and
 * re-emits them as VS Code events, so each view refreshes itself at every stop and drops what belonged to a
 * session that ended.
 */
import * as vscode from "vscode";
import { DEBUG_TYPE } from "./config";

interface DapMessage {
  type?: string;
  event?: string;
  body?: { reason?: string };
}

export interface StopInfo {
  session: vscode.DebugSession;
  reason: string;
}

export class DebugEvents implements vscode.Disposable {
  private readonly stopped = new vscode.EventEmitter<StopInfo>();
  private readonly continued = new vscode.EventEmitter<vscode.DebugSession>();
  private readonly ended = new vscode.EventEmitter<vscode.DebugSession>();
  private readonly disposables: vscode.Disposable[] = [this.stopped, this.continued, this.ended];
  /** Fires when the adapter reports a stop (breakpoint, step, entry, exception, pause). */
  readonly onStopped = this.stopped.event;
  /** Fires when the program runs again. */
  readonly onContinued = this.continued.event;
  /** Fires once when a session's program or adapter ends. */
  readonly onEnded = this.ended.event;
  private readonly live = new Set<string>();

  constructor() {
    this.disposables.push(
      vscode.debug.registerDebugAdapterTrackerFactory(DEBUG_TYPE, {
        createDebugAdapterTracker: (session) => {
          this.live.add(session.id);
          return {
            onDidSendMessage: (m: DapMessage) => this.onMessage(session, m),
            onExit: () => this.end(session),
          };
        },
      }),
      vscode.debug.onDidTerminateDebugSession((s) => this.end(s)),
    );
  }

  private onMessage(session: vscode.DebugSession, m: DapMessage): void {
    if (m.type !== "event") return;
    if (m.event === "stopped") this.stopped.fire({ session, reason: m.body?.reason ?? "" });
    else if (m.event === "continued") this.continued.fire(session);
    else if (m.event === "terminated" || m.event === "exited") this.end(session);
  }

  private end(session: vscode.DebugSession): void {
    if (!this.live.delete(session.id)) return;
    this.ended.fire(session);
  }

  dispose(): void {
    for (const d of this.disposables) d.dispose();
  }
}
