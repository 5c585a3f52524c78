/**
 * The DebugClient harness of the adapter tests (test/adapter*.test.ts): the adapter over stdio
 * (dist/adapter.js), VS Code's launch sequence, queued stop events, collected output and events, golden
 * traces with volatile values masked.
 */
import { strict as assert } from "node:assert";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { DebugClient } from "@vscode/debugadapter-testsupport";
import type { DebugProtocol } from "@vscode/debugprotocol";

export const ROOT = path.join(__dirname, "..");
export const ADAPTER = path.join(ROOT, "dist", "adapter.js");
export const BIN = path.join(ROOT, "test", "fixtures", "bin");
export const GOLDEN = path.join(ROOT, "test", "golden");
export const fixture = (name: string): string => path.join(BIN, name);

export type Stopped = DebugProtocol.StoppedEvent;

/** A DebugClient that queues stop events and collects output. */
export class Harness {
  readonly dc = new DebugClient("node", ADAPTER, "wowdbg");
  private stops: Stopped[] = [];
  private waiting: ((s: Stopped) => void)[] = [];
  output = "";
  exitCode: number | undefined;
  terminated = false;
  readonly modules: DebugProtocol.ModuleEvent[] = [];
  readonly memoryEvents: DebugProtocol.MemoryEvent[] = [];
  readonly invalidatedEvents: DebugProtocol.InvalidatedEvent[] = [];

  async start(): Promise<void> {
    await this.dc.start();
    this.dc.on("stopped", (e: Stopped) => {
      const w = this.waiting.shift();
      if (w !== undefined) w(e);
      else this.stops.push(e);
    });
    this.dc.on("output", (e: DebugProtocol.OutputEvent) => (this.output += e.body.output));
    this.dc.on("exited", (e: DebugProtocol.ExitedEvent) => (this.exitCode = e.body.exitCode));
    this.dc.on("terminated", () => (this.terminated = true));
    this.dc.on("module", (e: DebugProtocol.ModuleEvent) => this.modules.push(e));
    this.dc.on("memory", (e: DebugProtocol.MemoryEvent) => this.memoryEvents.push(e));
    this.dc.on("invalidated", (e: DebugProtocol.InvalidatedEvent) => this.invalidatedEvents.push(e));
  }

  nextStop(timeout = 20000): Promise<Stopped> {
    const s = this.stops.shift();
    if (s !== undefined) return Promise.resolve(s);
    return new Promise((resolve, reject) => {
      const t = setTimeout(() => reject(new Error("no stopped event")), timeout);
      this.waiting.push((e) => {
        clearTimeout(t);
        resolve(e);
      });
    });
  }

  /** The VS Code launch sequence; `configure` runs between `initialized` and `configurationDone`. */
  async launch(
    args: Record<string, unknown>,
    configure?: (dc: DebugClient) => Promise<void>,
  ): Promise<DebugProtocol.LaunchResponse> {
    await this.dc.initializeRequest({
      adapterID: "wowdbg",
      linesStartAt1: true,
      columnsStartAt1: true,
      pathFormat: "path",
      supportsMemoryReferences: true,
      supportsInvalidatedEvent: true,
      supportsMemoryEvent: true,
    });
    const initialized = this.dc.waitForEvent("initialized");
    const launched = this.dc.launchRequest(args as DebugProtocol.LaunchRequestArguments);
    await initialized;
    await this.dc.customRequest("setInstructionBreakpoints", { breakpoints: [] });
    await this.dc.setDataBreakpointsRequest({ breakpoints: [] });
    if (configure !== undefined) await configure(this.dc);
    await this.dc.configurationDoneRequest();
    return launched;
  }

  async waitTerminated(timeout = 20000): Promise<void> {
    const end = Date.now() + timeout;
    while (!this.terminated) {
      if (Date.now() > end) throw new Error("not terminated");
      await new Promise((r) => setTimeout(r, 5));
    }
  }

  async top(): Promise<DebugProtocol.StackFrame> {
    const st = await this.dc.stackTraceRequest({ threadId: 1, startFrame: 0, levels: 20 });
    return st.body.stackFrames[0];
  }

  async scopeVars(name: string): Promise<DebugProtocol.Variable[]> {
    const sc = await this.dc.scopesRequest({ frameId: 0 });
    const s = sc.body.scopes.find((x) => x.name === name);
    if (s === undefined) throw new Error(`no scope ${name}: ${sc.body.scopes.map((x) => x.name).join(", ")}`);
    return (await this.dc.variablesRequest({ variablesReference: s.variablesReference })).body.variables;
  }

  async reg(scope: string, name: string): Promise<string> {
    const v = (await this.scopeVars(scope)).find((x) => x.name === name);
    if (v === undefined) throw new Error(`no ${name} in ${scope}`);
    return v.value;
  }

  async eval(expression: string, context = "repl"): Promise<string> {
    return (await this.dc.evaluateRequest({ expression, context, frameId: 0 })).body.result;
  }

  async stop(): Promise<void> {
    await this.dc.stop();
  }
}

/** Replaces volatile values with placeholders (golden traces). */
export function mask(text: string): string {
  return text.replace(/\d+(\.\d+)? ?ms\b/g, "<ms>");
}

export function golden(name: string, actual: string): void {
  const file = path.join(GOLDEN, name);
  const text = mask(actual);
  if (process.env.UPDATE_GOLDEN === "1" || !fs.existsSync(file)) {
    fs.mkdirSync(GOLDEN, { recursive: true });
    fs.writeFileSync(file, text);
  }
  assert.equal(text, fs.readFileSync(file, "utf8"), `golden ${name} (UPDATE_GOLDEN=1 rewrites it)`);
}

export const hexNum = (s: string): number => parseInt(s.replace(/^0x/i, ""), 16);
export const insns = (r: DebugProtocol.DisassembleResponse): DebugProtocol.DisassembledInstruction[] =>
  r.body?.instructions ?? [];

/** Raw code in a temporary file (a `shellcode` launch). */
export function shellcode(name: string, bytes: number[]): string {
  const file = path.join(os.tmpdir(), `wowdbg-${name}.bin`);
  fs.writeFileSync(file, Uint8Array.from(bytes));
  return file;
}
