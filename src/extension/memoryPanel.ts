/**
 * The Memory Panel: a webview (strict CSP, no external resources, the plain DOM script media/memoryPanel.js)
 * showing hex and ASCII at any address or expression (evaluated by the adapter), grouped by 1, 2, 4 or 8
 * bytes. Bytes are read with DAP `readMemory` and edits written with `writeMemory`; the bytes that changed
 * since the previous stop are highlighted; "follow register" re-reads at each stop at the register's value.
 * One panel, bound to the active wowdbg session; everything released through disposables.
 */
import * as vscode from "vscode";
import { DEBUG_TYPE } from "./config";
import type { DebugEvents } from "./events";

/** Bytes shown at once. */
export const WINDOW = 512;

type FromWebview =
  | { type: "ready" }
  | { type: "goto"; expression: string }
  | { type: "group"; size: number }
  | { type: "follow"; register: string }
  | { type: "scroll"; delta: number }
  | { type: "write"; address: number; bytes: number[] };

interface ToWebview {
  type: "state";
  address: number;
  expression: string;
  follow: string;
  group: number;
  /** One entry per byte; null for unreadable bytes. */
  bytes: (number | null)[];
  /** Offsets (into `bytes`) that differ from the previous stop. */
  changed: number[];
  bits: 32 | 64;
  error?: string;
  session?: string;
}

function nonce(): string {
  const chars = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
  let s = "";
  for (let i = 0; i < 32; i++) s += chars[Math.floor(Math.random() * chars.length)];
  return s;
}

export function parseAddressText(text: string): number | undefined {
  const m = /^\s*(0x[0-9a-f]+|\d+)/i.exec(text);
  if (m === null) return undefined;
  const n = Number(BigInt(m[1]));
  return Number.isSafeInteger(n) ? n : undefined;
}

export class MemoryPanel implements vscode.Disposable {
  private panel: vscode.WebviewPanel | undefined;
  private readonly disposables: vscode.Disposable[] = [];
  private address = 0;
  private expression = "";
  private follow = "";
  private group = 1;
  private bytes: (number | null)[] = [];
  /** The bytes at the previous stop, by address (for the changed-bytes highlight). */
  private previous = new Map<number, number>();
  private changed: number[] = [];
  private error: string | undefined;
  private bits: 32 | 64 = 32;

  constructor(
    private readonly extensionUri: vscode.Uri,
    events: DebugEvents,
  ) {
    this.disposables.push(
      events.onStopped(({ session }) => {
        if (this.panel !== undefined && session.id === this.session()?.id) void this.onStop();
      }),
      events.onEnded(() => {
        if (this.panel === undefined) return;
        this.previous.clear();
        this.changed = [];
        this.post();
      }),
    );
  }

  private session(): vscode.DebugSession | undefined {
    const s = vscode.debug.activeDebugSession;
    return s?.type === DEBUG_TYPE ? s : undefined;
  }

  /** Opens (or reveals) the panel at an address or expression. */
  async open(target?: number | string): Promise<void> {
    if (this.panel === undefined) this.create();
    else this.panel.reveal(undefined, false);
    if (typeof target === "number") {
      this.expression = "0x" + target.toString(16);
      this.address = target;
      this.follow = "";
    } else if (typeof target === "string" && target.trim() !== "") {
      this.expression = target.trim();
      this.follow = "";
      await this.resolveExpression();
    }
    this.previous.clear();
    await this.read(false);
  }

  private create(): void {
    const media = vscode.Uri.joinPath(this.extensionUri, "media");
    const panel = vscode.window.createWebviewPanel(
      "wowdbg.memoryPanel",
      "Memory",
      { viewColumn: vscode.ViewColumn.Beside, preserveFocus: false },
      { enableScripts: true, localResourceRoots: [media], retainContextWhenHidden: true },
    );
    this.panel = panel;
    const webview = panel.webview;
    const n = nonce();
    const script = webview.asWebviewUri(vscode.Uri.joinPath(media, "memoryPanel.js"));
    const style = webview.asWebviewUri(vscode.Uri.joinPath(media, "memoryPanel.css"));
    webview.html = `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="UTF-8">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src ${webview.cspSource}; script-src 'nonce-${n}';">
<meta name="viewport" content="width=device-width, initial-scale=1.0">
<link rel="stylesheet" href="${style.toString()}">
<title>Memory</title>
</head>
<body>
<div class="toolbar">
  <label>Address <input id="expr" type="text" spellcheck="false" placeholder="0x401000, esp+8, kernel32!VirtualAlloc" aria-label="Address or expression"></label>
  <button id="go" type="button">Go</button>
  <label>Group <select id="group" aria-label="Grouping"><option value="1">1</option><option value="2">2</option><option value="4">4</option><option value="8">8</option></select></label>
  <label>Follow <select id="follow" aria-label="Follow register"><option value="">(none)</option></select></label>
  <button id="up" type="button" title="Previous page">▲</button>
  <button id="down" type="button" title="Next page">▼</button>
</div>
<div id="status" class="status"></div>
<div id="grid" class="grid" role="grid" aria-label="Memory"></div>
<script nonce="${n}" src="${script.toString()}"></script>
</body>
</html>`;
    this.disposables.push(
      panel,
      panel.onDidDispose(() => {
        this.panel = undefined;
      }),
      webview.onDidReceiveMessage((m: FromWebview) => void this.onMessage(m)),
    );
  }

  private async onMessage(m: FromWebview): Promise<void> {
    switch (m.type) {
      case "ready":
        this.post();
        return;
      case "goto":
        this.expression = m.expression.trim();
        this.follow = "";
        await this.resolveExpression();
        this.previous.clear();
        await this.read(false);
        return;
      case "group":
        this.group = [1, 2, 4, 8].includes(m.size) ? m.size : 1;
        this.post();
        return;
      case "follow":
        this.follow = m.register;
        if (this.follow !== "") {
          this.expression = this.follow;
          await this.resolveExpression();
          this.previous.clear();
          await this.read(false);
        } else this.post();
        return;
      case "scroll":
        this.address = Math.max(0, this.address + m.delta);
        this.expression = "0x" + this.address.toString(16);
        this.follow = "";
        this.previous.clear();
        await this.read(false);
        return;
      case "write":
        await this.write(m.address, m.bytes);
        return;
    }
  }

  private async evaluate(expr: string): Promise<number> {
    const session = this.session();
    if (session === undefined) throw new Error("no wowdbg session");
    const frameId =
      vscode.debug.activeStackItem instanceof vscode.DebugStackFrame &&
      vscode.debug.activeStackItem.session.id === session.id
        ? vscode.debug.activeStackItem.frameId
        : undefined;
    const r = (await session.customRequest("evaluate", { expression: expr, context: "watch", frameId })) as {
      result?: string;
      memoryReference?: string;
    };
    const n = parseAddressText(r.memoryReference ?? r.result ?? "");
    if (n === undefined) throw new Error(`${expr} = ${r.result ?? "?"} is not an address`);
    return n;
  }

  private async resolveExpression(): Promise<void> {
    if (this.expression === "") return;
    try {
      this.address = await this.evaluate(this.expression);
      this.error = undefined;
    } catch (e) {
      this.error = e instanceof Error ? e.message : String(e);
    }
  }

  private async updateBits(): Promise<void> {
    const session = this.session();
    if (session === undefined) return;
    try {
      const r = (await session.customRequest("evaluate", { expression: "cs", context: "watch" })) as {
        result?: string;
      };
      this.bits = Number.parseInt(r.result ?? "", 16) === 0x33 ? 64 : 32;
    } catch {
      // keep the last mode
    }
  }

  private async onStop(): Promise<void> {
    // What was on screen becomes the reference for the changed-bytes highlight.
    this.previous.clear();
    this.bytes.forEach((b, i) => {
      if (b !== null) this.previous.set(this.address + i, b);
    });
    if (this.follow !== "") {
      this.expression = this.follow;
      // The reference is kept by address: where the old and the new window overlap, changes still show.
      await this.resolveExpression();
    }
    await this.read(true);
  }

  private async read(diff: boolean): Promise<void> {
    const session = this.session();
    await this.updateBits();
    if (session === undefined) {
      this.post();
      return;
    }
    const bytes: (number | null)[] = new Array<number | null>(WINDOW).fill(null);
    try {
      const r = (await session.customRequest("readMemory", {
        memoryReference: "0x" + this.address.toString(16),
        offset: 0,
        count: WINDOW,
      })) as { address: string; data?: string; unreadableBytes?: number };
      const start = Number(BigInt(r.address)) - this.address;
      const data = Buffer.from(r.data ?? "", "base64");
      for (let i = 0; i < data.length && start + i < WINDOW; i++)
        if (start + i >= 0) bytes[start + i] = data[i];
    } catch (e) {
      this.error = e instanceof Error ? e.message : String(e);
    }
    this.changed = [];
    if (diff) {
      bytes.forEach((b, i) => {
        const before = this.previous.get(this.address + i);
        if (b !== null && before !== undefined && before !== b) this.changed.push(i);
      });
    }
    this.bytes = bytes;
    this.post();
  }

  private async write(address: number, data: number[]): Promise<void> {
    const session = this.session();
    if (session === undefined) return;
    try {
      await session.customRequest("writeMemory", {
        memoryReference: "0x" + address.toString(16),
        offset: 0,
        data: Buffer.from(data).toString("base64"),
      });
      this.error = undefined;
    } catch (e) {
      this.error = `cannot write at 0x${address.toString(16)}: ${e instanceof Error ? e.message : String(e)}`;
    }
    // Keep the highlight of the previous stop: an edit is shown as it is read back.
    await this.read(this.previous.size > 0);
  }

  private post(): void {
    if (this.panel === undefined) return;
    const session = this.session();
    const msg: ToWebview = {
      type: "state",
      address: this.address,
      expression: this.expression,
      follow: this.follow,
      group: this.group,
      bytes: this.bytes,
      changed: this.changed,
      bits: this.bits,
      error: session === undefined ? "no wowdbg session is active" : this.error,
      session: session?.name,
    };
    void this.panel.webview.postMessage(msg);
  }

  dispose(): void {
    for (const d of this.disposables) d.dispose();
  }
}

export function registerMemoryPanel(context: vscode.ExtensionContext, events: DebugEvents): MemoryPanel {
  const panel = new MemoryPanel(context.extensionUri, events);
  context.subscriptions.push(
    panel,
    vscode.commands.registerCommand("wowdbg.memoryPanel.open", async (arg?: unknown) => {
      if (typeof arg === "number" || typeof arg === "string") return panel.open(arg);
      const expr = await vscode.window.showInputBox({
        prompt: "Address or expression (evaluated by wowdbg)",
        placeHolder: "0x401000, esp, kernel32!VirtualAlloc",
      });
      if (expr === undefined) return;
      return panel.open(expr);
    }),
    // The Virtual Memory view's context menu: its items are { allocation } or { region } nodes.
    vscode.commands.registerCommand("wowdbg.virtualMemory.openInMemoryPanel", (node?: unknown) => {
      const n = node as { allocation?: { base: number }; region?: { baseAddress: number } } | undefined;
      const address = n?.region?.baseAddress ?? n?.allocation?.base;
      return panel.open(address);
    }),
  );
  return panel;
}
