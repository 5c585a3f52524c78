/**
 * The DAP session: translates Debug Adapter Protocol requests into runtime calls and runtime events into DAP
 * events (as vscode-mock-debug's mockDebug.ts). All emulator logic lives in `runtime.ts`.
 */
import {
  BreakpointEvent,
  ContinuedEvent,
  ExitedEvent,
  DebugSession,
  Event,
  Handles,
  InitializedEvent,
  InvalidatedEvent,
  MemoryEvent,
  ModuleEvent,
  OutputEvent,
  Scope,
  StackFrame,
  StoppedEvent,
  TerminatedEvent,
  Thread,
} from "@vscode/debugadapter";
import type { DebugProtocol } from "@vscode/debugprotocol";
import type { FileAccessor } from "./host";
import {
  INSTRUCTION_REQUEST,
  REGIONS_REQUEST,
  SYSCALLS_REQUEST,
  type InstructionArguments,
  type InstructionFieldNode,
  type InstructionResponseBody,
  type RegionsArguments,
  type RegionsResponseBody,
  type SyscallsArguments,
  type SyscallsResponseBody,
  type WowdbgLaunchArguments,
} from "./protocol";
import type { InstructionField } from "./instruction";
import {
  EXCEPTION_FILTERS,
  hex,
  LaunchFailure,
  parseCodeReference,
  Runtime,
  type BreakpointResult,
  type BreakpointSpec,
  type DataAccess,
  type RuntimeModule,
  type RuntimeVariable,
} from "./runtime";

type LaunchArgs = DebugProtocol.LaunchRequestArguments & WowdbgLaunchArguments;

interface Container {
  variables: () => RuntimeVariable[];
}

function parseAddress(ref: string, offset = 0): number {
  const code = parseCodeReference(ref);
  if (code !== undefined) return code.address + offset;
  const v = /^0x/i.test(ref) ? parseInt(ref.slice(2), 16) : Number(ref);
  return v + offset;
}

function base64(b: Uint8Array): string {
  return Buffer.from(b.buffer, b.byteOffset, b.length).toString("base64");
}

function fieldNode(f: InstructionField): InstructionFieldNode {
  const n: InstructionFieldNode = { name: f.name, value: f.value };
  if (f.address !== undefined) n.address = hex(f.address);
  if (f.children !== undefined && f.children.length > 0) n.children = f.children.map(fieldNode);
  return n;
}

/** Listing documents' URI scheme (src/language/README.md): their source breakpoints are resolved by the extension. */
const LISTING_SCHEME = "wowdbg-listing:";
/** The custom request with which the extension answers `wowdbg.resolveListingBreakpoints`. */
const LISTING_BREAKPOINTS_REQUEST = "wowdbg.listingBreakpoints";
const LISTING_TIMEOUT_MS = 5000;

/** Addresses of listing lines, one per requested line (null: none), with a reason for each null. */
interface ListingAddresses {
  addresses: (number | null)[];
  messages?: (string | null)[];
}

/**
 * A DebugSession rather than a LoggingDebugSession: the latter stringifies every message for its logger
 * whether logging is on or not, doubling the cost of large responses (the regions listing, readMemory).
 */
export class WowdbgSession extends DebugSession {
  private runtime: Runtime | undefined;
  private readonly handles = new Handles<Container>();
  private launchArgs: LaunchArgs | undefined;
  private configured: (() => void) | undefined;
  private configDone = false;
  /** The last breakpoint requests, replayed on restart. */
  private last: {
    instruction?: DebugProtocol.SetInstructionBreakpointsArguments;
    functions?: DebugProtocol.SetFunctionBreakpointsArguments;
    data?: DebugProtocol.SetDataBreakpointsArguments;
    exceptions?: DebugProtocol.SetExceptionBreakpointsArguments;
  } = {};
  /**
   * Source breakpoints in module listings (sources whose path is a `wowdbg-listing:` URI), by source path,
   * as instruction breakpoints: the adapter cannot map a listing line to an address itself (the listing is
   * the language server's), so it asks the extension with the custom event `wowdbg.resolveListingBreakpoints`
   * and answers `setBreakpoints` when the custom request `wowdbg.listingBreakpoints` brings the addresses
   * (rebased to the session's modules), or after LISTING_TIMEOUT_MS without (unverified).
   */
  private readonly listingBps = new Map<string, (BreakpointSpec & { address: number })[]>();
  private readonly listingPending = new Map<number, (r: ListingAddresses | undefined) => void>();
  private listingSeq = 0;

  constructor(private readonly files?: FileAccessor) {
    super();
    this.setDebuggerLinesStartAt1(true);
    this.setDebuggerColumnsStartAt1(true);
  }

  private get threadId(): number {
    return this.runtime?.threads()[0]?.id ?? 1;
  }

  // -------------------------------------------------------------------------------------------- setup

  protected override initializeRequest(response: DebugProtocol.InitializeResponse): void {
    response.body = {
      supportsConfigurationDoneRequest: true,
      supportsFunctionBreakpoints: true,
      supportsConditionalBreakpoints: true,
      supportsHitConditionalBreakpoints: true,
      supportsLogPoints: true,
      supportsEvaluateForHovers: true,
      supportsSetVariable: true,
      supportsRestartRequest: true,
      supportsTerminateRequest: true,
      supportsExceptionInfoRequest: true,
      supportsExceptionOptions: false,
      exceptionBreakpointFilters: EXCEPTION_FILTERS.map((f) => ({
        filter: f.id,
        label: f.label,
        description: f.description,
        default: f.default,
      })),
      supportsDataBreakpoints: true,
      supportsDataBreakpointBytes: true,
      supportsReadMemoryRequest: true,
      supportsWriteMemoryRequest: true,
      supportsDisassembleRequest: true,
      supportsSteppingGranularity: true,
      supportsInstructionBreakpoints: true,
      supportsCompletionsRequest: true,
      completionTriggerCharacters: ["!", "@", "$"],
      supportsModulesRequest: true,
      supportsClipboardContext: true,
      supportsLoadedSourcesRequest: false,
    };
    this.sendResponse(response);
  }

  protected override launchRequest(response: DebugProtocol.LaunchResponse, args: LaunchArgs): void {
    this.launchArgs = args;
    let rt: Runtime;
    try {
      rt = this.createRuntime(args);
    } catch (e) {
      const msg =
        e instanceof LaunchFailure ? e.message : `internal error: ${(e as Error).stack ?? String(e)}`;
      this.sendErrorResponse(response, { id: 1001, format: msg, showUser: true });
      return;
    }
    this.runtime = rt;
    this.sendEvent(new InitializedEvent());
    const go = (): void => {
      this.sendResponse(response);
      rt.start();
    };
    if (this.configDone) go();
    else this.configured = go;
  }

  private createRuntime(args: LaunchArgs): Runtime {
    const rt = Runtime.launch(
      {
        program: args.program,
        args: args.args,
        cwd: args.cwd,
        env: args.env,
        stopOnEntry: args.stopOnEntry,
        shellcode: args.shellcode,
        arch: args.arch,
        entry: args.entry,
        traceSyscalls: args.traceSyscalls,
        sandbox: args.sandbox,
        registry: args.registry,
      },
      this.files,
    );
    rt.on("stopped", (e) => {
      this.handles.reset();
      const ev = new StoppedEvent(e.reason, this.threadId, e.text) as DebugProtocol.StoppedEvent;
      if (e.description !== undefined) ev.body.description = e.description;
      if (e.breakpointIds !== undefined) ev.body.hitBreakpointIds = e.breakpointIds;
      ev.body.allThreadsStopped = true;
      this.sendEvent(ev);
    });
    rt.on("continued", () => this.sendEvent(new ContinuedEvent(this.threadId, true)));
    rt.on("output", (o) => this.sendEvent(new OutputEvent(o.text, o.category)));
    rt.on("exited", (code) => this.sendEvent(new ExitedEvent(code)));
    rt.on("terminated", () => {
      if (rt === this.runtime) this.sendEvent(new TerminatedEvent());
    });
    rt.on("module", (m) => this.sendEvent(new ModuleEvent(m.reason, this.module(m.module))));
    rt.on("memory", (m) => this.sendEvent(new MemoryEvent(hex(m.address), 0, m.length)));
    rt.on("invalidated", () => this.sendEvent(new InvalidatedEvent(["variables"])));
    rt.on("breakpoint", (b) => this.sendEvent(new BreakpointEvent("changed", this.breakpoint(b))));
    return rt;
  }

  protected override configurationDoneRequest(response: DebugProtocol.ConfigurationDoneResponse): void {
    this.configDone = true;
    this.sendResponse(response);
    const go = this.configured;
    this.configured = undefined;
    go?.();
  }

  private module(m: RuntimeModule): DebugProtocol.Module {
    return {
      id: m.id,
      name: m.name,
      path: m.path,
      addressRange: `${hex(m.base)}-${hex(m.base + m.size)}`,
      symbolStatus: m.system ? "synthetic (all symbols)" : "export symbols",
      isOptimized: false,
      version: m.arch,
    };
  }

  private breakpoint(b: BreakpointResult): DebugProtocol.Breakpoint {
    const bp: DebugProtocol.Breakpoint = { id: b.id, verified: b.verified };
    if (b.message !== undefined) bp.message = b.message;
    if (b.address !== undefined) bp.instructionReference = hex(b.address);
    return bp;
  }

  private need(response: DebugProtocol.Response): Runtime | undefined {
    if (this.runtime !== undefined) return this.runtime;
    this.sendErrorResponse(response, { id: 1002, format: "no program is being debugged", showUser: false });
    return undefined;
  }

  private fail(response: DebugProtocol.Response, e: unknown, id = 1003): void {
    this.sendErrorResponse(response, {
      id,
      format: e instanceof Error ? e.message : String(e),
      showUser: false,
    });
  }

  // -------------------------------------------------------------------------------------------- breakpoints

  protected override setBreakPointsRequest(
    response: DebugProtocol.SetBreakpointsResponse,
    args: DebugProtocol.SetBreakpointsArguments,
  ): void {
    const src = args.source.path ?? "";
    if (src.startsWith(LISTING_SCHEME) && this.runtime !== undefined) {
      this.setListingBreakpoints(response, args.source, args.breakpoints ?? []);
      return;
    }
    response.body = {
      breakpoints: (args.breakpoints ?? []).map(() => ({
        verified: false,
        message: "source breakpoints need source information (use function or instruction breakpoints)",
      })),
    };
    this.sendResponse(response);
  }

  protected override setInstructionBreakpointsRequest(
    response: DebugProtocol.SetInstructionBreakpointsResponse,
    args: DebugProtocol.SetInstructionBreakpointsArguments,
  ): void {
    const rt = this.need(response);
    if (rt === undefined) return;
    this.last.instruction = args;
    const r = this.applyInstructionBreakpoints(rt).instruction;
    response.body = { breakpoints: r.map((b) => this.breakpoint(b)) };
    this.sendResponse(response);
  }

  /** The Disassembly view's instruction breakpoints and the listings' together (the runtime holds one set). */
  private applyInstructionBreakpoints(rt: Runtime): {
    instruction: BreakpointResult[];
    listings: Map<string, BreakpointResult[]>;
  } {
    const specs: (BreakpointSpec & { address: number })[] = (this.last.instruction?.breakpoints ?? []).map(
      (b) => ({
        address: parseAddress(b.instructionReference, b.offset ?? 0),
        condition: b.condition,
        hitCondition: b.hitCondition,
        logMessage: (b as { logMessage?: string }).logMessage,
      }),
    );
    const own = specs.length;
    const ranges: [string, number, number][] = [];
    for (const [p, l] of this.listingBps) {
      ranges.push([p, specs.length, l.length]);
      specs.push(...l);
    }
    const r = rt.setInstructionBreakpoints(specs);
    return {
      instruction: r.slice(0, own),
      listings: new Map(ranges.map(([p, s, n]) => [p, r.slice(s, s + n)])),
    };
  }

  private setListingBreakpoints(
    response: DebugProtocol.SetBreakpointsResponse,
    source: DebugProtocol.Source,
    bps: DebugProtocol.SourceBreakpoint[],
  ): void {
    const src = source.path ?? "";
    const seq = ++this.listingSeq;
    const finish = (r: ListingAddresses | undefined): void => {
      clearTimeout(timer);
      if (!this.listingPending.delete(seq)) return;
      const specs: (BreakpointSpec & { address: number })[] = [];
      const index = bps.map((b, i) => {
        const a = r?.addresses[i];
        if (typeof a !== "number") return -1;
        specs.push({
          address: a,
          condition: b.condition,
          hitCondition: b.hitCondition,
          logMessage: b.logMessage,
        });
        return specs.length - 1;
      });
      if (specs.length > 0) this.listingBps.set(src, specs);
      else this.listingBps.delete(src);
      const rt = this.runtime;
      const mine = rt !== undefined ? (this.applyInstructionBreakpoints(rt).listings.get(src) ?? []) : [];
      response.body = {
        breakpoints: bps.map((b, i): DebugProtocol.Breakpoint => {
          const res = mine[index[i]];
          if (res !== undefined) return { ...this.breakpoint(res), source, line: b.line };
          return {
            verified: false,
            source,
            line: b.line,
            message:
              r?.messages?.[i] ??
              "this listing line was not resolved to an address (the wowdbg extension resolves it)",
          };
        }),
      };
      this.sendResponse(response);
    };
    const timer = setTimeout(() => finish(undefined), LISTING_TIMEOUT_MS);
    this.listingPending.set(seq, finish);
    this.sendEvent(
      new Event("wowdbg.resolveListingBreakpoints", { seq, path: src, lines: bps.map((b) => b.line) }),
    );
  }

  protected override setFunctionBreakPointsRequest(
    response: DebugProtocol.SetFunctionBreakpointsResponse,
    args: DebugProtocol.SetFunctionBreakpointsArguments,
  ): void {
    const rt = this.need(response);
    if (rt === undefined) return;
    this.last.functions = args;
    const r = rt.setFunctionBreakpoints(
      args.breakpoints.map((b) => ({
        name: b.name,
        condition: b.condition,
        hitCondition: b.hitCondition,
        logMessage: (b as { logMessage?: string }).logMessage,
      })),
    );
    response.body = { breakpoints: r.map((b) => this.breakpoint(b)) };
    this.sendResponse(response);
  }

  protected override setExceptionBreakPointsRequest(
    response: DebugProtocol.SetExceptionBreakpointsResponse,
    args: DebugProtocol.SetExceptionBreakpointsArguments,
  ): void {
    this.last.exceptions = args;
    const ids = [...args.filters, ...(args.filterOptions ?? []).map((f) => f.filterId)];
    this.runtime?.setExceptionFilters(ids);
    response.body = { breakpoints: ids.map(() => ({ verified: true })) };
    this.sendResponse(response);
  }

  protected override dataBreakpointInfoRequest(
    response: DebugProtocol.DataBreakpointInfoResponse,
    args: DebugProtocol.DataBreakpointInfoArguments,
  ): void {
    const rt = this.need(response);
    if (rt === undefined) return;
    const accessTypes: DebugProtocol.DataBreakpointAccessType[] = ["read", "write", "readWrite"];
    try {
      let address: number | undefined;
      let size = args.bytes ?? 4;
      if (args.asAddress === true) {
        address = parseAddress(args.name);
        if (Number.isNaN(address)) address = Number(BigInt(rt.evaluate(args.name, "watch").result));
      } else if (args.variablesReference !== undefined && args.variablesReference !== 0) {
        // A variable is watchable only where it lives in memory; a register has no address (DAP: dataId
        // null), the value it holds is a different thing to watch.
        const v = this.handles
          .get(args.variablesReference)
          ?.variables()
          .find((x) => x.name === args.name);
        if (v === undefined) throw new Error(`no variable "${args.name}" here`);
        if (v.location !== undefined) {
          address = v.location.address;
          size = args.bytes ?? v.location.size;
        } else {
          const held = v.memoryReference !== undefined ? ` (${v.memoryReference})` : "";
          response.body = {
            dataId: null,
            description: v.register
              ? `registers cannot be watched; use the address it holds${held}`
              : `"${args.name}" has no address to watch; use the address it holds${held}`,
          };
          this.sendResponse(response);
          return;
        }
      } else {
        const r = rt.evaluate(args.name, "watch", args.frameId ?? 0);
        address = Number(BigInt(r.result));
      }
      if (address === undefined || Number.isNaN(address)) {
        response.body = { dataId: null, description: `"${args.name}" has no address to watch` };
      } else {
        response.body = {
          dataId: `${hex(address)}:${size}`,
          description: `${size} byte${size === 1 ? "" : "s"} at ${hex(address)}`,
          accessTypes,
          canPersist: true,
        };
      }
    } catch (e) {
      response.body = { dataId: null, description: e instanceof Error ? e.message : String(e) };
    }
    this.sendResponse(response);
  }

  protected override setDataBreakpointsRequest(
    response: DebugProtocol.SetDataBreakpointsResponse,
    args: DebugProtocol.SetDataBreakpointsArguments,
  ): void {
    const rt = this.need(response);
    if (rt === undefined) return;
    this.last.data = args;
    const r = rt.setDataBreakpoints(
      args.breakpoints.map((b) => {
        const [a, n] = b.dataId.split(":");
        return {
          address: parseAddress(a),
          size: Number(n ?? 4) || 1,
          access: (b.accessType ?? "write") as DataAccess,
          condition: b.condition,
          hitCondition: b.hitCondition,
        };
      }),
    );
    response.body = { breakpoints: r.map((b) => this.breakpoint(b)) };
    this.sendResponse(response);
  }

  protected override exceptionInfoRequest(response: DebugProtocol.ExceptionInfoResponse): void {
    const e = this.runtime?.exceptionInfo();
    if (e === undefined) {
      this.sendErrorResponse(response, { id: 1004, format: "no exception", showUser: false });
      return;
    }
    response.body = {
      exceptionId: e.id,
      description: e.description,
      breakMode: e.breakMode,
      details: { message: e.message, typeName: e.code !== undefined ? hex(e.code, 8) : e.id },
    };
    this.sendResponse(response);
  }

  // -------------------------------------------------------------------------------------------- execution

  protected override threadsRequest(response: DebugProtocol.ThreadsResponse): void {
    response.body = { threads: (this.runtime?.threads() ?? []).map((t) => new Thread(t.id, t.name)) };
    this.sendResponse(response);
  }

  protected override continueRequest(response: DebugProtocol.ContinueResponse): void {
    response.body = { allThreadsContinued: true };
    this.sendResponse(response);
    this.runtime?.continue();
  }

  protected override pauseRequest(response: DebugProtocol.PauseResponse): void {
    this.sendResponse(response);
    this.runtime?.pause();
  }

  protected override nextRequest(response: DebugProtocol.NextResponse): void {
    this.sendResponse(response);
    this.runtime?.stepOver();
  }

  protected override stepInRequest(response: DebugProtocol.StepInResponse): void {
    this.sendResponse(response);
    this.runtime?.stepIn();
  }

  protected override stepOutRequest(response: DebugProtocol.StepOutResponse): void {
    this.sendResponse(response);
    this.runtime?.stepOut();
  }

  protected override stepBackRequest(response: DebugProtocol.StepBackResponse): void {
    this.sendErrorResponse(response, {
      id: 1005,
      format: "reverse execution is not supported",
      showUser: true,
    });
  }

  protected override terminateRequest(response: DebugProtocol.TerminateResponse): void {
    this.sendResponse(response);
    this.runtime?.terminate();
  }

  protected override disconnectRequest(response: DebugProtocol.DisconnectResponse): void {
    const rt = this.runtime;
    this.runtime = undefined;
    rt?.removeAllListeners();
    rt?.terminate();
    this.sendResponse(response);
  }

  protected override restartRequest(
    response: DebugProtocol.RestartResponse,
    args: DebugProtocol.RestartArguments,
  ): void {
    const launch = (args?.arguments as LaunchArgs | undefined) ?? this.launchArgs;
    if (launch === undefined) {
      this.sendErrorResponse(response, { id: 1006, format: "nothing to restart", showUser: false });
      return;
    }
    const old = this.runtime;
    old?.removeAllListeners();
    old?.terminate();
    let rt: Runtime;
    try {
      rt = this.createRuntime(launch);
    } catch (e) {
      this.fail(response, e, 1001);
      return;
    }
    this.runtime = rt;
    this.launchArgs = launch;
    this.handles.reset();
    const l = this.last;
    if (l.exceptions !== undefined)
      rt.setExceptionFilters([
        ...l.exceptions.filters,
        ...(l.exceptions.filterOptions ?? []).map((f) => f.filterId),
      ]);
    if (l.instruction !== undefined || this.listingBps.size > 0) this.applyInstructionBreakpoints(rt);
    if (l.functions !== undefined) {
      rt.setFunctionBreakpoints(
        l.functions.breakpoints.map((b) => ({
          name: b.name,
          condition: b.condition,
          hitCondition: b.hitCondition,
        })),
      );
    }
    this.sendResponse(response);
    rt.start();
  }

  // -------------------------------------------------------------------------------------------- state

  protected override stackTraceRequest(
    response: DebugProtocol.StackTraceResponse,
    args: DebugProtocol.StackTraceArguments,
  ): void {
    const rt = this.need(response);
    if (rt === undefined) return;
    const { frames, total } = rt.stack(args.startFrame ?? 0, args.levels ?? 0, args.threadId);
    response.body = {
      stackFrames: frames.map((f) => {
        const sf = new StackFrame(
          f.index,
          `${f.name} [x${f.bits === 64 ? "64" : "86"}]`,
        ) as DebugProtocol.StackFrame;
        sf.instructionPointerReference = f.reference;
        sf.presentationHint = f.index === 0 ? "normal" : "subtle";
        if (f.moduleId !== undefined) sf.moduleId = f.moduleId;
        sf.line = 0;
        sf.column = 0;
        return sf;
      }),
      totalFrames: total,
    };
    this.sendResponse(response);
  }

  protected override scopesRequest(
    response: DebugProtocol.ScopesResponse,
    args: DebugProtocol.ScopesArguments,
  ): void {
    const rt = this.need(response);
    if (rt === undefined) return;
    response.body = {
      scopes: rt.scopes(args.frameId).map((s) => {
        const sc = new Scope(
          s.name,
          this.handles.create({ variables: s.variables }),
          s.expensive,
        ) as DebugProtocol.Scope;
        sc.presentationHint = s.kind === "registers" ? "registers" : "locals";
        return sc;
      }),
    };
    this.sendResponse(response);
  }

  private variable(v: RuntimeVariable): DebugProtocol.Variable {
    const kids = v.children;
    const out: DebugProtocol.Variable = {
      name: v.name,
      value: v.value,
      variablesReference: kids === undefined ? 0 : this.handles.create({ variables: kids }),
    };
    if (v.type !== undefined) out.type = v.type;
    if (v.memoryReference !== undefined) out.memoryReference = v.memoryReference;
    if (v.readOnly === true) out.presentationHint = { attributes: ["readOnly"] };
    return out;
  }

  protected override variablesRequest(
    response: DebugProtocol.VariablesResponse,
    args: DebugProtocol.VariablesArguments,
  ): void {
    const c = this.handles.get(args.variablesReference);
    try {
      let vars = c === undefined ? [] : c.variables();
      if (args.start !== undefined || args.count !== undefined) {
        const s = args.start ?? 0;
        vars = vars.slice(s, args.count !== undefined && args.count > 0 ? s + args.count : undefined);
      }
      response.body = { variables: vars.map((v) => this.variable(v)) };
      this.sendResponse(response);
    } catch (e) {
      this.fail(response, e);
    }
  }

  protected override setVariableRequest(
    response: DebugProtocol.SetVariableResponse,
    args: DebugProtocol.SetVariableArguments,
  ): void {
    const v = this.handles
      .get(args.variablesReference)
      ?.variables()
      .find((x) => x.name === args.name);
    if (v?.set === undefined) {
      this.sendErrorResponse(response, {
        id: 1007,
        format: `${args.name} cannot be changed`,
        showUser: true,
      });
      return;
    }
    try {
      const n = this.variable(v.set(args.value));
      response.body = {
        value: n.value,
        variablesReference: n.variablesReference,
        memoryReference: n.memoryReference,
      };
      this.sendResponse(response);
      this.sendEvent(new InvalidatedEvent(["variables", "stacks"], this.threadId));
    } catch (e) {
      this.fail(response, e, 1007);
    }
  }

  protected override evaluateRequest(
    response: DebugProtocol.EvaluateResponse,
    args: DebugProtocol.EvaluateArguments,
  ): void {
    const rt = this.need(response);
    if (rt === undefined) return;
    try {
      const r = rt.evaluate(args.expression, args.context, args.frameId ?? 0);
      response.body = { result: r.result, variablesReference: 0 };
      if (r.memoryReference !== undefined) response.body.memoryReference = r.memoryReference;
      this.sendResponse(response);
      if (r.changed !== undefined)
        this.sendEvent(new InvalidatedEvent(["variables", "stacks"], this.threadId));
    } catch (e) {
      this.fail(response, e, 1008);
    }
  }

  protected override completionsRequest(
    response: DebugProtocol.CompletionsResponse,
    args: DebugProtocol.CompletionsArguments,
  ): void {
    const rt = this.need(response);
    if (rt === undefined) return;
    // The column is 1-based in UTF-16 code units (columnsStartAt1 by default).
    const col = Math.max(0, args.column - 1);
    response.body = {
      targets: rt.completions(args.text, col).map((c) => ({
        label: c.label,
        text: c.text,
        start: c.start,
        length: c.length,
        type:
          c.kind === "register" || c.kind === "pseudo"
            ? "variable"
            : c.kind === "command"
              ? "keyword"
              : c.kind === "symbol"
                ? "function"
                : c.kind,
      })),
    };
    this.sendResponse(response);
  }

  protected modulesRequest(
    response: DebugProtocol.ModulesResponse,
    args: DebugProtocol.ModulesArguments,
  ): void {
    const all = (this.runtime?.modules() ?? []).map((m) => this.module(m));
    const s = args.startModule ?? 0;
    const mods = all.slice(s, args.moduleCount ? s + args.moduleCount : undefined);
    response.body = { modules: mods, totalModules: all.length };
    this.sendResponse(response);
  }

  protected override disassembleRequest(
    response: DebugProtocol.DisassembleResponse,
    args: DebugProtocol.DisassembleArguments,
  ): void {
    const rt = this.need(response);
    if (rt === undefined) return;
    const addr = parseAddress(args.memoryReference, args.offset ?? 0);
    const bits = parseCodeReference(args.memoryReference)?.bits;
    const lines = rt.disassemble(addr, args.instructionOffset ?? 0, args.instructionCount, bits);
    response.body = {
      instructions: lines.map((l) => {
        const d: DebugProtocol.DisassembledInstruction = {
          address: hex(l.address),
          instructionBytes: l.bytes,
          instruction: l.text,
        };
        if (l.symbol !== undefined) d.symbol = l.symbol;
        if (l.invalid) d.presentationHint = "invalid";
        return d;
      }),
    };
    this.sendResponse(response);
  }

  protected override readMemoryRequest(
    response: DebugProtocol.ReadMemoryResponse,
    args: DebugProtocol.ReadMemoryArguments,
  ): void {
    const rt = this.need(response);
    if (rt === undefined) return;
    const r = rt.readMemory(parseAddress(args.memoryReference, args.offset ?? 0), args.count);
    response.body = { address: hex(r.address), data: base64(r.data) };
    if (r.unreadable > 0) response.body.unreadableBytes = r.unreadable;
    this.sendResponse(response);
  }

  protected override writeMemoryRequest(
    response: DebugProtocol.WriteMemoryResponse,
    args: DebugProtocol.WriteMemoryArguments,
  ): void {
    const rt = this.need(response);
    if (rt === undefined) return;
    const data = Buffer.from(args.data, "base64");
    const addr = parseAddress(args.memoryReference, args.offset ?? 0);
    const n = rt.writeMemory(addr, new Uint8Array(data.buffer, data.byteOffset, data.length));
    if (n === 0 && data.length > 0) {
      this.sendErrorResponse(response, {
        id: 1009,
        format: `cannot write memory at ${hex(addr)}`,
        showUser: true,
      });
      return;
    }
    response.body = { bytesWritten: n };
    this.sendResponse(response);
    this.sendEvent(new InvalidatedEvent(["variables"], this.threadId));
  }

  // -------------------------------------------------------------------------------------------- custom

  protected override customRequest(command: string, response: DebugProtocol.Response, args: unknown): void {
    if (command === LISTING_BREAKPOINTS_REQUEST) {
      const a = (args ?? {}) as ListingAddresses & { seq?: number };
      this.listingPending.get(a.seq ?? -1)?.(a);
      this.sendResponse(response);
      return;
    }
    if (command === "modules") {
      // DebugSession does not dispatch `modules` itself.
      this.modulesRequest(
        response as DebugProtocol.ModulesResponse,
        (args ?? {}) as DebugProtocol.ModulesArguments,
      );
      return;
    }
    const rt = this.need(response);
    if (rt === undefined) return;
    try {
      switch (command) {
        case REGIONS_REQUEST: {
          const a = (args ?? {}) as RegionsArguments;
          const all = rt.regionReports(a.includeFree === true);
          const s = a.start ?? 0;
          const body: RegionsResponseBody = {
            total: all.length,
            regions: all.slice(s, a.count !== undefined ? s + a.count : undefined),
          };
          response.body = body;
          break;
        }
        case SYSCALLS_REQUEST: {
          const a = (args ?? {}) as SyscallsArguments;
          const t = rt.syscallTrace(a.start ?? 0, a.count ?? 1000);
          const body: SyscallsResponseBody = {
            total: t.total,
            records: t.records.map((r) => ({
              index: r.index,
              number: r.number,
              name: r.name,
              callerMode: r.callerMode,
              args: r.args,
              status: r.status,
              statusName: r.statusName,
              callerAddress: r.callerAddress,
              callerName: r.callerAddress !== undefined ? rt.symbols.nameAt(r.callerAddress) : undefined,
            })),
          };
          response.body = body;
          break;
        }
        case INSTRUCTION_REQUEST: {
          const a = (args ?? {}) as InstructionArguments;
          const addr =
            a.address === undefined
              ? undefined
              : /^0x[0-9a-f]+$/i.test(a.address)
                ? parseAddress(a.address)
                : Number(BigInt(rt.evaluate(a.address, "watch").result));
          const info = rt.instructionAnatomy(addr, a.bits);
          if (info === undefined)
            throw new Error(`no readable code at ${addr === undefined ? "the IP" : hex(addr)}`);
          const body: InstructionResponseBody = { ...info, fields: info.fields.map(fieldNode) };
          response.body = body;
          break;
        }
        default:
          super.customRequest(command, response, args);
          return;
      }
      this.sendResponse(response);
    } catch (e) {
      this.fail(response, e);
    }
  }
}
