/**
 * The debugger runtime: one emulated Windows process under control — launch, execution control in slices
 * on the event loop (so pause answers at any moment), breakpoints of every kind, exception filters, the
 * state views (stack, register scopes, the Instruction scope, TEB/PEB, memory, disassembly, modules,
 * regions, the syscall trace) and the WinDbg console. It knows nothing of DAP: `session.ts` translates
 * requests into these calls and these events into DAP events (as vscode-mock-debug's mockRuntime.ts).
 */
import { EventEmitter } from "node:events";
import { statSync } from "node:fs";
import * as nodePath from "node:path";
import { MemoryFsHost, MountFsHost } from "../windows/fs";
import { NodeFsHost } from "../windows/fs/node-host";
import type { RegistrySource } from "../windows/kernel/registry";
import { registryFileOption } from "../windows/registry/node-host";
import { Access } from "../cpu/bus";
import { Cpu, Reg, SReg } from "../cpu/cpu";
import { decode, describe } from "../cpu/decoder/decoder";
import { Kernel } from "../windows/kernel";
import type { KernelApi, KernelProcess, SyscallRecord } from "../windows/kernel/types";
import type { Arch } from "../windows/dlls";
import { PEB32, PEB64, TEB32, TEB64, type Module } from "../windows/loader";
import { MemoryManager } from "../windows/memory/manager";
import { hostMemoryOptions } from "../windows/memory/node-host";
import { MEM_IMAGE, MEM_MAPPED, MEM_PRIVATE } from "../windows/memory/constants";
import { LoadError, Process, type ProcessStop } from "../windows/process";
import { syscallTable } from "../windows/syscalls";
import {
  Console,
  isConsoleCommand,
  type ConsoleContext,
  type FieldBlock,
  type ModuleInfo,
  type RegionRecord,
  type StackFrameInfo,
} from "./commands";
import { disassemble, SymbolTable, type DisasmLine, type MemoryReader, type SymbolModule } from "./disasm";
import {
  completions,
  evaluate,
  evaluateCondition,
  ExprError,
  formatHex,
  registerWrite,
  type Completion,
} from "./expr";
import { nodeFileAccessor, type FileAccessor } from "./host";
import { cpuInstructionRegisters, inspectInstruction, type InstructionField } from "./instruction";
import { readWow64Context, registerScopes, type RegisterNode } from "./registers";
import { moduleShortName, walkStack, walkStartFromCpu, type StackFrame, type StackModule } from "./stack";

const TWO32 = 0x1_0000_0000;

/** RAX..R15 in hardware order. */
const GPR_BASES = [
  "rax",
  "rcx",
  "rdx",
  "rbx",
  "rsp",
  "rbp",
  "rsi",
  "rdi",
  "r8",
  "r9",
  "r10",
  "r11",
  "r12",
  "r13",
  "r14",
  "r15",
];
/** The Windows x64 nonvolatile registers (RBX, RBP, RSI, RDI, R12–R15) by hardware number. */
const X64_NONVOLATILE = [3, 5, 6, 7, 12, 13, 14, 15];
/** The order registers are shown in (as the live scopes show them). */
const SHOW64 = [
  "rax",
  "rbx",
  "rcx",
  "rdx",
  "rsi",
  "rdi",
  "rbp",
  "rsp",
  "r8",
  "r9",
  "r10",
  "r11",
  "r12",
  "r13",
  "r14",
  "r15",
];
const SHOW32 = ["rax", "rbx", "rcx", "rdx", "rsi", "rdi", "rbp", "rsp"];
/** Frame ids of threads other than the current one: `slot * FRAME_STRIDE + index` (slot = thread index + 1). */
export const FRAME_STRIDE = 100_000;

// ------------------------------------------------------------------------------------------------ types

export interface LaunchOptions {
  /** Host path of the program (a PE32 or PE32+ file). */
  program?: string;
  args?: string[];
  /** The guest's current directory (a Windows path). Default: the program's directory. */
  cwd?: string;
  /** Environment variables for the guest (default: a fresh Windows session's). */
  env?: Record<string, string>;
  stopOnEntry?: boolean;
  /** Host path of raw code to run inside a full process (with `arch`). */
  shellcode?: string;
  arch?: Arch;
  /** Offset of the entry point in the shellcode. */
  entry?: number;
  /** Print each syscall to the debug console. */
  traceSyscalls?: boolean;
  /**
   * The host folder that is drive C: of the guest's file system (read-write; nothing outside it is
   * reachable). Default: an in-memory C:. The program's own folder is `C:\\app` either way.
   */
  sandbox?: string;
  /** A registry file (.reg or .json, host path): loaded when it exists, every change saved back to it. */
  registry?: string;
}

export class LaunchFailure extends Error {}

function isHostFolder(p: string): boolean {
  try {
    return statSync(p).isDirectory();
  } catch {
    return false;
  }
}

export type StopReason =
  | "entry"
  | "step"
  | "pause"
  | "breakpoint"
  | "function breakpoint"
  | "instruction breakpoint"
  | "data breakpoint"
  | "exception";

export interface StopEvent {
  reason: StopReason;
  description?: string;
  text?: string;
  breakpointIds?: number[];
}

export interface ExceptionDetails {
  id: string;
  description: string;
  breakMode: "always" | "unhandled";
  code: number | undefined;
  message: string;
}

export interface RuntimeModule {
  id: number;
  name: string;
  path: string;
  base: number;
  size: number;
  arch: Arch;
  system: boolean;
}

export interface RuntimeEvents {
  stopped: [StopEvent];
  output: [{ category: "stdout" | "stderr" | "console"; text: string }];
  exited: [number];
  terminated: [];
  module: [{ reason: "new" | "removed"; module: RuntimeModule }];
  memory: [{ address: number; length: number }];
  invalidated: [];
  breakpoint: [{ id: number; verified: boolean; message?: string; address?: number }];
  continued: [];
}

/** A variable as the runtime offers it; children and setter are thunks (the session assigns handles). */
export interface RuntimeVariable {
  name: string;
  value: string;
  type?: string;
  memoryReference?: string;
  children?: () => RuntimeVariable[];
  set?: (text: string) => RuntimeVariable;
  readOnly?: boolean;
  /** Where the value lives in guest memory, when it does (a data breakpoint can watch it there). */
  location?: { address: number; size: number };
  /** A register (held by the CPU, not in memory: a data breakpoint cannot watch it). */
  register?: boolean;
}

export interface RuntimeScope {
  name: string;
  expensive: boolean;
  kind: "registers" | "locals";
  variables: () => RuntimeVariable[];
}

export interface RuntimeFrame {
  index: number;
  name: string;
  pc: number;
  bits: 32 | 64;
  moduleId: number | undefined;
  /** The frame's `instructionPointerReference` (see `Runtime.codeReference`). */
  reference: string;
}

/**
 * A code reference (`instructionPointerReference`, a disassemble request's `memoryReference`): `0x401000`,
 * or with the mode to decode in and a generation, `0x401000:x64:3`. Other text is not a code reference.
 */
export function parseCodeReference(ref: string): { address: number; bits?: 32 | 64 } | undefined {
  const m = /^\s*(0x[0-9a-f]+|\d+)(?::x(64|86))?(?::\d+)?\s*$/i.exec(ref);
  if (m === null) return undefined;
  const address = Number(m[1]);
  if (!Number.isSafeInteger(address)) return undefined;
  return m[2] === undefined ? { address } : { address, bits: m[2] === "64" ? 64 : 32 };
}

export interface BreakpointSpec {
  condition?: string;
  hitCondition?: string;
  logMessage?: string;
}

export interface BreakpointResult {
  id: number;
  verified: boolean;
  message?: string;
  address?: number;
}

export type DataAccess = "read" | "write" | "readWrite";

export interface DataBreakpointSpec extends BreakpointSpec {
  address: number;
  size: number;
  access: DataAccess;
}

export interface ExceptionFilter {
  id: string;
  label: string;
  description: string;
  default: boolean;
}

/**
 * The exception kinds. A kind's checkbox stops at the second chance (the exception is unhandled, before the
 * process ends; on by default); with the "First chance" checkbox on, every checked kind also stops at the
 * first chance (before any of the program's handlers runs — vectored, SEH, the unhandled filter; off by
 * default, as VS Code's "caught exceptions"). One checkbox per kind and chance would double the list in the
 * Breakpoints view; a client may still send `<id>:first` to stop one kind at the first chance only.
 * Continuing from a first-chance stop passes the exception to the program (WinDbg's `gn`).
 */
const EXCEPTION_KINDS: readonly { id: string; label: string; description: string }[] = [
  {
    id: "access-violation",
    label: "Access violation",
    description: "Access violations, guard pages, in-page errors, stack overflows",
  },
  { id: "breakpoint", label: "Breakpoint (int3)", description: "STATUS_BREAKPOINT" },
  {
    id: "illegal-instruction",
    label: "Illegal instruction",
    description: "STATUS_ILLEGAL_INSTRUCTION, STATUS_PRIVILEGED_INSTRUCTION",
  },
  {
    id: "divide-error",
    label: "Divide error",
    description: "STATUS_INTEGER_DIVIDE_BY_ZERO, STATUS_INTEGER_OVERFLOW",
  },
  { id: "single-step", label: "Single step", description: "STATUS_SINGLE_STEP" },
  {
    id: "other",
    label: "Other exceptions",
    description:
      "Any other exception code: C++ exceptions (g++ 0x20474343, MSVC 0xE06D7363), RaiseException's own codes",
  },
];

/** The suffix of a kind's first-chance filter id (accepted, not listed). */
export const FIRST_CHANCE = ":first";
/** The checkbox that turns first-chance stops on for every checked kind. */
export const FIRST_CHANCE_ALL = "first-chance";

/** The exception filters (checkboxes), in display order. */
export const EXCEPTION_FILTERS: readonly ExceptionFilter[] = [
  ...EXCEPTION_KINDS.map((k) => ({
    id: k.id,
    label: k.label,
    description: `${k.description}: stop when the program does not handle it (second chance), and before its handlers see it when "First chance" is checked`,
    default: true,
  })),
  {
    id: FIRST_CHANCE_ALL,
    label: "First chance (the kinds checked)",
    description:
      "Also stop at the first chance, before the program's own handlers (vectored, SEH, unhandled filter) see an exception of a checked kind; continue passes it on (WinDbg's gn)",
    default: false,
  },
  {
    id: "unimplemented",
    label: "Unimplemented API or syscall",
    description: "The program needs something the emulator does not implement",
    default: true,
  },
  {
    id: "syscall-entry",
    label: "Every syscall thunk entry",
    description: "Stop on entry to every ntdll Nt* system-call stub",
    default: false,
  },
  {
    id: "mode-switch",
    label: "Every WOW64 mode switch",
    description: "Stop after every switch between 32-bit (CS 0x23) and 64-bit (CS 0x33) code",
    default: false,
  },
];

// ------------------------------------------------------------------------------------------------ helpers

export function hex(v: number | bigint, digits = 0): string {
  return "0x" + v.toString(16).toUpperCase().padStart(digits, "0");
}

function addrText(a: number): string {
  return hex(a, a < TWO32 ? 8 : 16);
}

/** `*` and `?` wildcards → a case-insensitive regular expression. */
function wildcard(pattern: string): RegExp {
  const re = pattern
    .replace(/[.+^${}()|[\]\\]/g, "\\$&")
    .replace(/\*/g, ".*")
    .replace(/\?/g, ".");
  return new RegExp(`^${re}$`, "i");
}

interface HitCondition {
  op: ">=" | ">" | "==" | "<" | "<=" | "%";
  n: number;
}

function parseHitCondition(text: string | undefined): HitCondition | undefined | string {
  if (text === undefined || text.trim() === "") return undefined;
  const m = /^\s*(>=|<=|==|=|>|<|%)?\s*(\d+)\s*$/.exec(text);
  if (m === null) return `invalid hit count "${text}" (use n, >= n, == n, > n, < n, <= n or % n)`;
  const op = (m[1] === "=" ? "==" : (m[1] ?? ">=")) as HitCondition["op"];
  return { op, n: Number(m[2]) };
}

function hitMatches(h: HitCondition, hits: number): boolean {
  switch (h.op) {
    case ">=":
      return hits >= h.n;
    case ">":
      return hits > h.n;
    case "==":
      return hits === h.n;
    case "<":
      return hits < h.n;
    case "<=":
      return hits <= h.n;
    case "%":
      return h.n > 0 && hits % h.n === 0;
  }
}

const STATUS_NAMES: Record<number, string> = {
  0x00000000: "STATUS_SUCCESS",
  0x00000103: "STATUS_PENDING",
  0x80000001: "STATUS_GUARD_PAGE_VIOLATION",
  0x80000003: "STATUS_BREAKPOINT",
  0x80000004: "STATUS_SINGLE_STEP",
  0x80000005: "STATUS_BUFFER_OVERFLOW",
  0xc0000005: "STATUS_ACCESS_VIOLATION",
  0xc0000006: "STATUS_IN_PAGE_ERROR",
  0xc0000008: "STATUS_INVALID_HANDLE",
  0xc000000d: "STATUS_INVALID_PARAMETER",
  0xc0000017: "STATUS_NO_MEMORY",
  0xc000001d: "STATUS_ILLEGAL_INSTRUCTION",
  0xc0000022: "STATUS_ACCESS_DENIED",
  0xc0000023: "STATUS_BUFFER_TOO_SMALL",
  0xc0000034: "STATUS_OBJECT_NAME_NOT_FOUND",
  0xc0000094: "STATUS_INTEGER_DIVIDE_BY_ZERO",
  0xc0000095: "STATUS_INTEGER_OVERFLOW",
  0xc0000096: "STATUS_PRIVILEGED_INSTRUCTION",
  0xc00000fd: "STATUS_STACK_OVERFLOW",
};

/**
 * Exception names as WinDbg prints them in its event line (`Access violation - code c0000005 (first
 * chance)`), from the debugger documentation's "Specific Exceptions" table.
 */
const EXCEPTION_NAMES: Record<number, string> = {
  0xc0000005: "Access violation",
  0x80000001: "Guard page violation",
  0xc0000006: "In-page I/O error",
  0xc00000fd: "Stack overflow",
  0x80000003: "Break instruction exception",
  0x80000004: "Single-step exception",
  0xc000001d: "Illegal instruction",
  0xc0000096: "Privileged instruction",
  0xc0000094: "Integer divide-by-zero",
  0xc0000095: "Integer overflow",
  0x80000002: "Data misaligned",
  // Software exceptions, as WinDbg names them: "C++ EH exception - code e06d7363" for MSVC's throw
  // (EXCEPTION_MSC, 'msc' | 0xE0000000), and for g++'s: libgcc's unwind-seh.c raises STATUS_GCC_THROW =
  // STATUS_USER_DEFINED (1 << 29) | 'G' << 16 | 'C' << 8 | 'C' = 0x20474343 (`_Unwind_RaiseException`).
  0xe06d7363: "C++ EH exception",
  0x20474343: "C++ EH exception",
};

function exceptionName(code: number): string {
  return EXCEPTION_NAMES[code >>> 0] ?? "Unknown exception";
}

export function statusName(status: number): string | undefined {
  return STATUS_NAMES[status >>> 0];
}

function exceptionFilterOf(code: number): string {
  switch (code >>> 0) {
    case 0xc0000005:
    case 0x80000001:
    case 0xc0000006:
    case 0xc00000fd:
      return "access-violation";
    case 0x80000003:
      return "breakpoint";
    case 0xc000001d:
    case 0xc0000096:
      return "illegal-instruction";
    case 0xc0000094:
    case 0xc0000095:
      return "divide-error";
    case 0x80000004:
      return "single-step";
    default:
      return "other";
  }
}

/** A syscall as the trace shows it. */
export interface SyscallTraceEntry {
  index: number;
  number: number;
  name: string;
  callerMode: "x86" | "x64";
  args: string[];
  status: number | undefined;
  statusName: string | undefined;
  /** Where it was called (the return address after the call to the ntdll stub, in the caller's mode). */
  callerAddress: number | undefined;
}

export function formatSyscall(e: SyscallTraceEntry): string {
  const st =
    e.status === undefined
      ? "(no return)"
      : `${hex(e.status, 8)}${e.statusName !== undefined ? " " + e.statusName : ""}`;
  return `syscall ${e.name} (${hex(e.number, 4)}) ${e.callerMode}: ${e.args.join(", ")} -> ${st}`;
}

function argText(v: number): string {
  if (v < 0) return "-" + hex(-v);
  return v < 10 ? String(v) : hex(v);
}

/** A memory region as the regions request reports it (VirtualQuery's fields plus what we know). */
export interface RegionReport {
  baseAddress: number;
  allocationBase: number;
  allocationProtect: number;
  regionSize: number;
  state: number;
  protect: number;
  type: number;
  kind: "free" | "private" | "mapped" | "image";
  sectionId?: number;
  sectionOffset?: number;
  path?: string;
  module?: string;
  usage?: string;
}

/**
 * A region row with one fixed shape (every field present, undefined ones left out by JSON.stringify), so
 * building and serialising 10,000 of them stays on V8's fast paths.
 */
class RegionRow implements RegionReport {
  sectionId: number | undefined = undefined;
  sectionOffset: number | undefined = undefined;
  path: string | undefined = undefined;
  module: string | undefined = undefined;
  usage: string | undefined = undefined;
  constructor(
    readonly baseAddress: number,
    readonly allocationBase: number,
    readonly allocationProtect: number,
    readonly regionSize: number,
    readonly state: number,
    readonly protect: number,
    readonly type: number,
    readonly kind: RegionReport["kind"],
  ) {}
}

export interface InstructionAnatomy {
  address: number;
  bits: 32 | 64;
  valid: boolean;
  text: string;
  bytes: string;
  fields: readonly InstructionField[];
}

// ------------------------------------------------------------------------------------------------ runtime

interface CodeBreakpoint extends BreakpointSpec {
  id: number;
  kind: "instruction" | "function";
  addresses: number[];
  /** Function breakpoints: the name as typed (re-resolved when modules load). */
  name?: string;
  hits: number;
  hit: HitCondition | undefined;
  verified: boolean;
  message?: string;
}

interface DataBreakpoint extends DataBreakpointSpec {
  id: number;
  watch: number;
  hits: number;
  hit: HitCondition | undefined;
}

interface Until {
  address: number;
  /** Stop only when the stack pointer is above this (the frame that was stepped over has returned). */
  sp: number;
}

type State = "stopped" | "running" | "ended";

const SLICE_MS = 12;

export class Runtime extends EventEmitter<RuntimeEvents> {
  readonly process: Process;
  readonly symbols = new SymbolTable();
  private state: State = "stopped";
  private pauseRequested = false;
  private budget = 200_000;
  private nextId = 1;
  private readonly code = new Map<number, CodeBreakpoint>();
  private readonly data = new Map<number, DataBreakpoint>();
  private readonly installed = new Set<number>();
  private readonly syscallStops = new Map<number, string>();
  private thunkStops = new Map<number, string>();
  /** The module count `thunkStops` was computed at. */
  private thunkModules = -1;
  private filters = new Set<string>(EXCEPTION_FILTERS.filter((f) => f.default).map((f) => f.id));
  private until: Until | undefined = undefined;
  private entry: number | undefined;
  private stopOnEntry = false;
  private pendingData: { id: number; addr: number; size: number; access: Access }[] = [];
  private knownModules = 0;
  private moduleIds = new Map<Module, number>();
  private lastException: ExceptionDetails | undefined;
  /** The process ended while stopped on its last exception: the next resume reports the end. */
  private endPending: ProcessStop | undefined;
  private readonly trace: SyscallTraceEntry[] = [];
  private readonly console = new Console();
  private readonly decoders = { out: new TextDecoder("utf-8"), err: new TextDecoder("utf-8") };
  private walkCache: StackFrame[] | undefined;
  /** Threads other than the current one, as last inspected (cleared with the walk cache at every stop). */
  private readonly otherThreads = new Map<
    number,
    { slot: number; cpu: Cpu; frames: StackFrame[]; teb: number }
  >();
  private scratchCpu: Cpu | undefined;
  /** Bases of the loader pages named in `symbols`. */
  private readonly loaderPages = new Set<number>();
  /** Address ranges of the last disassemble replies and the mode they were decoded in (`codeReference`). */
  private readonly decoded: { lo: number; hi: number; bits: 32 | 64 }[] = [];
  private referenceGeneration = 0;
  /** The last regions listing and the address-space epoch it was built at (see `regionReports`). */
  private regionCache: { epoch: number; free: boolean; rows: RegionReport[] } | undefined;
  readonly traceSyscalls: boolean;

  private constructor(o: LaunchOptions, files: FileAccessor) {
    super();
    this.traceSyscalls = o.traceSyscalls === true;
    const file = o.shellcode ?? o.program;
    if (file === undefined || file === "")
      throw new LaunchFailure("launch needs a 'program' (or 'shellcode' with 'arch')");
    let bytes: Uint8Array;
    try {
      bytes = files.readFile(file);
    } catch (e) {
      throw new LaunchFailure(`cannot read ${file}: ${(e as Error).message}`);
    }
    const name = files.basename(file);
    const dir = files.dirname(file);
    if (o.sandbox !== undefined && !isHostFolder(o.sandbox))
      throw new LaunchFailure(`'sandbox' must be a folder: ${o.sandbox}`);
    let registryFile: RegistrySource | undefined;
    if (o.registry !== undefined) {
      const r = registryFileOption(o.registry);
      if ("problem" in r) throw new LaunchFailure(`'registry' ${o.registry}: ${r.problem}`);
      registryFile = r.source;
    }
    let listing: string[] | undefined;
    const findDll = (dll: string): { path: string; bytes: Uint8Array } | undefined => {
      const want = dll.slice(Math.max(dll.lastIndexOf("\\"), dll.lastIndexOf("/")) + 1).toLowerCase();
      const withExt = want.includes(".") ? want : want + ".dll";
      listing ??= files.listDir(dir);
      const found = listing.find((f) => f.toLowerCase() === withExt);
      if (found === undefined) return undefined;
      return { path: `C:\\app\\${found}`, bytes: files.readFile(files.join(dir, found)) };
    };
    const console = {
      write: (stream: "stdout" | "stderr", data: Uint8Array): void => {
        const d = stream === "stdout" ? this.decoders.out : this.decoders.err;
        const text = d.decode(data, { stream: true });
        if (text !== "") this.emit("output", { category: stream, text });
      },
      read: (): Uint8Array => new Uint8Array(0),
    };
    const common = {
      console,
      kernel: (p: KernelProcess): KernelApi => {
        const k = new Kernel(p, {
          onDebugString: (text: string) => this.emit("output", { category: "console", text }),
        });
        k.onSyscall = (r) => this.recordSyscall(r);
        k.onSyscallComplete = (r) => this.completeSyscall(r);
        return k;
      },
      memory: new MemoryManager(hostMemoryOptions()),
      args: o.args ?? [],
      environment: o.env,
      currentDirectory: o.cwd,
      findDll,
      beingDebugged: true,
      // Drive C: is the sandbox folder (or an in-memory volume) with the program's own folder as C:\app.
      fileSystem: {
        host: new MountFsHost(
          o.sandbox !== undefined ? new NodeFsHost(nodePath.resolve(o.sandbox)) : new MemoryFsHost(),
          {
            app: new NodeFsHost(nodePath.resolve(dir)),
          },
        ),
      },
      registry: registryFile,
    };
    try {
      if (o.shellcode !== undefined) {
        if (o.arch !== "x86" && o.arch !== "x64")
          throw new LaunchFailure("'shellcode' needs 'arch': \"x86\" or \"x64\"");
        this.process = Process.createShellcode({ ...common, code: bytes, arch: o.arch, entry: o.entry ?? 0 });
      } else {
        this.process = Process.create({ ...common, file: bytes, name, imagePath: `C:\\app\\${name}` });
      }
    } catch (e) {
      if (e instanceof LoadError) throw new LaunchFailure(`cannot load ${file}: ${e.message}`);
      if (e instanceof LaunchFailure) throw e;
      throw new LaunchFailure(`cannot load ${file}: ${(e as Error).message}`);
    }
    this.process.firstChance = (code) => {
      const kind = exceptionFilterOf(code);
      return (
        this.filters.has(kind + FIRST_CHANCE) ||
        (this.filters.has(FIRST_CHANCE_ALL) && this.filters.has(kind))
      );
    };
    this.entry = this.process.entryPoint;
    this.stopOnEntry = o.stopOnEntry === true;
    this.refreshModules(false);
    this.sync();
  }

  /** Bring the program up (not running yet: call `start`). Throws LaunchFailure with a readable message. */
  static launch(o: LaunchOptions, files: FileAccessor = nodeFileAccessor): Runtime {
    return new Runtime(o, files);
  }

  /** Start after the configuration is done: run to the entry point (stopping there with `stopOnEntry`). */
  start(): void {
    for (const m of this.modules()) this.emit("module", { reason: "new", module: m });
    this.state = "stopped";
    this.resume(undefined, false);
  }

  get ended(): boolean {
    return this.state === "ended";
  }

  get running(): boolean {
    return this.state === "running";
  }

  get cpu(): Process["cpu"] {
    return this.process.cpu;
  }

  // ------------------------------------------------------------------------------------------ syscalls

  private recordSyscall(r: SyscallRecord): void {
    const e: SyscallTraceEntry = {
      index: this.trace.length,
      number: r.number,
      name: r.name,
      callerMode: r.callerMode,
      args: r.args.map(argText),
      status: r.status,
      statusName: r.status === undefined ? undefined : statusName(r.status),
      callerAddress: r.caller,
    };
    if (this.trace.length < 1_000_000) this.trace.push(e);
    if (r.waiting === true) this.waitingSyscalls.set(r, e);
    if (this.traceSyscalls) this.emit("output", { category: "console", text: formatSyscall(e) + "\n" });
  }

  /** Trace entries of calls whose thread waits, until the wait ends (`completeSyscall`). */
  private readonly waitingSyscalls = new Map<SyscallRecord, SyscallTraceEntry>();

  /** A waiting call came back: its entry gets the status (and the trace a line saying so). */
  private completeSyscall(r: SyscallRecord): void {
    const e = this.waitingSyscalls.get(r);
    if (e === undefined) return;
    this.waitingSyscalls.delete(r);
    e.status = r.status;
    e.statusName = r.status === undefined ? undefined : statusName(r.status);
    if (this.traceSyscalls)
      this.emit("output", { category: "console", text: formatSyscall(e) + " (after waiting)\n" });
  }

  syscallTrace(start = 0, count = 1000): { total: number; records: SyscallTraceEntry[] } {
    return { total: this.trace.length, records: this.trace.slice(start, start + count) };
  }

  // ------------------------------------------------------------------------------------------ modules

  private refreshModules(emit: boolean): void {
    // wowdbg's own start-up code (where Windows has LdrInitializeThunk / BaseThreadInitThunk): named
    // `wowdbg!ProcessStart+0x…` at the bottom of stacks rather than a bare address.
    for (const page of this.process.loaderPages) {
      if (this.loaderPages.has(page.base)) continue;
      this.loaderPages.add(page.base);
      this.symbols.add({ name: "wowdbg", base: page.base, size: page.size, symbols: page.symbols });
    }
    const list = this.process.modules.modules;
    if (list.length === this.knownModules) return;
    for (let k = this.knownModules; k < list.length; k++) {
      const m = list[k];
      this.moduleIds.set(m, k + 1);
      this.symbols.add(this.symbolModule(m));
      if (emit) this.emit("module", { reason: "new", module: this.moduleInfo(m) });
    }
    this.knownModules = list.length;
    this.stackModules = undefined;
    if (emit) this.resolveFunctionBreakpoints();
  }

  private symbolModule(m: Module): SymbolModule {
    const symbols: { name: string; address: number; size?: number }[] = [];
    if (m.system !== undefined) {
      for (const s of m.system.symbols) symbols.push({ name: s.name, address: s.address, size: s.size });
    } else {
      for (const e of m.pe.exports?.exports ?? []) {
        if (e.forwarder !== undefined || e.rva === 0 || e.rva >= m.size) continue;
        symbols.push({ name: e.names[0] ?? `#${e.ordinal}`, address: m.base + e.rva });
      }
      // IAT slots, named as WinDbg names them (`hello32!_imp__WriteFile`); a pointer-sized symbol each.
      const ptr = m.arch === "x64" ? 8 : 4;
      for (const imp of m.pe.imports) {
        for (const e of imp.entries) {
          const name = e.kind === "name" ? e.name : `${moduleShortName(imp.name)}_${e.ordinal}`;
          symbols.push({ name: `_imp_${name}`, address: m.base + e.iatRva, size: ptr });
        }
      }
      if (m.entry !== 0 && !symbols.some((s) => s.address === m.entry)) {
        // Without a size the entry symbol would name everything after it (data included): end it with its section.
        const rva = m.entry - m.base;
        const sec = m.pe.sections.find(
          (x) => rva >= x.virtualAddress && rva < x.virtualAddress + x.virtualSize,
        );
        const size = sec !== undefined ? sec.virtualAddress + sec.virtualSize - rva : undefined;
        symbols.push({ name: m.pe.isDll ? "DllMain" : "start", address: m.entry, size });
      }
    }
    const functions = m.pe.functions.map((f) => [m.base + f.beginRva, m.base + f.endRva] as const);
    return { name: moduleShortName(m.name), base: m.base, size: m.size, symbols, functions };
  }

  private moduleInfo(m: Module): RuntimeModule {
    return {
      id: this.moduleIds.get(m) ?? 0,
      name: m.name,
      path: m.path,
      base: m.base,
      size: m.size,
      arch: m.arch,
      system: m.system !== undefined,
    };
  }

  modules(): RuntimeModule[] {
    return this.process.modules.modules.map((m) => this.moduleInfo(m));
  }

  private stackModules: StackModule[] | undefined;

  private getStackModules(): StackModule[] {
    this.stackModules ??= this.process.modules.modules.map((m) => ({
      base: m.base,
      size: m.size,
      name: m.name,
      bits: m.arch === "x64" ? 64 : 32,
      image: m.pe,
    }));
    return this.stackModules;
  }

  // ------------------------------------------------------------------------------------------ memory

  /** The readable prefix of [addr, addr+n) (undefined when addr itself is unreadable). */
  readonly reader: MemoryReader = {
    read: (addr: number, n: number): Uint8Array | undefined => {
      if (addr < 0 || n <= 0 || !Number.isSafeInteger(addr)) return undefined;
      const buf = new Uint8Array(n);
      const got = this.process.mem.read(addr, buf);
      return got === 0 ? undefined : got === n ? buf : buf.subarray(0, got);
    },
  };

  /** All of [addr, addr+n) or undefined. */
  private readonly exact = {
    read: (addr: number, n: number): Uint8Array | undefined => {
      const b = this.reader.read(addr, n);
      return b !== undefined && b.length === n ? b : undefined;
    },
    write: (addr: number, data: Uint8Array): boolean => this.writeMemory(addr, data) === data.length,
  };

  /** Reads for the memory view: the readable prefix, or how many bytes from `addr` are unreadable. */
  readMemory(addr: number, count: number): { address: number; data: Uint8Array; unreadable: number } {
    const data = this.reader.read(addr, count) ?? new Uint8Array(0);
    if (data.length > 0 || count === 0) return { address: addr, data, unreadable: count - data.length };
    // Unreadable from `addr`: report up to the next readable page.
    let a = addr - (addr % 4096) + 4096;
    while (a < addr + count && this.reader.read(a, 1) === undefined) a += 4096;
    return { address: addr, data, unreadable: Math.min(count, a - addr) };
  }

  /** A debugger write (WriteProcessMemory: code pages get a private copy); returns the bytes written. */
  writeMemory(addr: number, data: Uint8Array): number {
    const n = this.process.mem.write(addr, data, { force: true });
    if (n > 0) {
      this.cpu.notifyWrite(addr, n);
      this.walkCache = undefined;
      this.otherThreads.clear();
      this.regionCache = undefined;
      this.emit("memory", { address: addr, length: n });
    }
    return n;
  }

  // ------------------------------------------------------------------------------------------ registers

  /**
   * The expression context of a frame: frame 0 reads and writes the live registers; a caller frame reads the
   * registers as the stack walk unwound them (`frameRegisters`) and cannot change them.
   */
  private exprContext(frame = 0): ConsoleContext {
    const live = this.liveContext();
    if (frame <= 0) return live;
    let f: StackFrame | undefined;
    let regs: Map<string, bigint>;
    if (frame >= FRAME_STRIDE) {
      // A frame of another thread: its saved registers at frame 0, unwound ones above.
      const { other, index } = this.frameOf(frame);
      if (other === undefined) throw new Error(`no frame ${frame}: that thread is gone or running`);
      f = other.frames[index];
      if (f === undefined)
        throw new Error(`no frame ${index} (that thread's stack has ${other.frames.length})`);
      if (index === 0) {
        const cpu = other.cpu;
        regs = new Map(
          GPR_BASES.map((n, k) => [n, (BigInt(cpu.hi[k] >>> 0) << 32n) | BigInt(cpu.lo[k] >>> 0)]),
        );
        regs.set("rip", BigInt(cpu.rip));
        regs.set("rflags", BigInt(cpu.getEflags() >>> 0));
      } else regs = this.frameRegisters(f);
    } else {
      f = this.walk()[frame];
      if (f === undefined) throw new Error(`no frame ${frame} (the stack has ${this.walk().length})`);
      regs = this.frameRegisters(f);
    }
    return {
      ...live,
      bits: f.bits,
      reg: (name) => {
        if (GPR_BASES.includes(name) || name === "rip" || name === "rflags") return regs.get(name);
        return live.reg(name);
      },
      setReg: () =>
        frame >= FRAME_STRIDE
          ? "another thread's registers cannot be changed: select its frame when it is the current thread"
          : `frame ${frame} is a caller frame: its registers cannot be changed`,
    };
  }

  /**
   * The registers of a caller frame as known from unwinding (base names, 64-bit values; x86 frames hold the
   * 32-bit values): x64 frames RSP, RIP and the nonvolatile RBX, RBP, RSI, RDI, R12–R15 from `.pdata`; x86
   * frames EIP, ESP and EBP from the frame chain, and the whole integer context for the frame wow64cpu saved.
   * Absent registers are unknown in that frame.
   */
  private frameRegisters(f: StackFrame): Map<string, bigint> {
    const m = new Map<string, bigint>();
    if (f.bits === 64) {
      if (f.regs !== undefined) for (const k of X64_NONVOLATILE) m.set(GPR_BASES[k], f.regs[k]);
      m.set("rsp", BigInt(f.sp));
      m.set("rip", BigInt(f.pc));
      return m;
    }
    m.set("rip", BigInt(f.pc));
    m.set("rsp", BigInt(f.sp));
    m.set("rbp", BigInt(f.fp));
    if (f.source === "wow64" && this.process.wow64) {
      const c = readWow64Context(this.exact, this.process.currentThread.teb);
      if (c !== undefined && c.eip === f.pc && c.esp === f.sp) {
        const vals: [string, number][] = [
          ["rax", c.eax],
          ["rcx", c.ecx],
          ["rdx", c.edx],
          ["rbx", c.ebx],
          ["rsi", c.esi],
          ["rdi", c.edi],
          ["rflags", c.eflags],
        ];
        for (const [n, v] of vals) m.set(n, BigInt(v >>> 0));
      }
    }
    return m;
  }

  private liveContext(): ConsoleContext {
    const cpu = this.cpu;
    const p = this.process;
    const bits = cpu.bits;
    const gpr = [
      "rax",
      "rcx",
      "rdx",
      "rbx",
      "rsp",
      "rbp",
      "rsi",
      "rdi",
      "r8",
      "r9",
      "r10",
      "r11",
      "r12",
      "r13",
      "r14",
      "r15",
    ];
    const segs: Record<string, number> = {
      es: SReg.ES,
      cs: SReg.CS,
      ss: SReg.SS,
      ds: SReg.DS,
      fs: SReg.FS,
      gs: SReg.GS,
    };
    const inX86 = p.wow64 && bits === 32;
    const teb = inX86 ? p.currentThread.teb32 : p.currentThread.teb;
    const peb = inX86 ? p.peb32 : p.peb;
    const reg = (name: string): bigint | undefined => {
      const g = gpr.indexOf(name);
      if (g >= 0) {
        const lo = BigInt(cpu.lo[g] >>> 0);
        return bits === 64 ? (BigInt(cpu.hi[g] >>> 0) << 32n) | lo : lo;
      }
      switch (name) {
        case "rip":
          return BigInt(cpu.rip);
        case "rflags":
          return BigInt(cpu.getEflags() >>> 0);
        case "fsbase":
          return BigInt(cpu.fsBase);
        case "gsbase":
          return BigInt(cpu.gsBase);
        case "$teb":
          return BigInt(teb);
        case "$peb":
          return BigInt(peb);
      }
      const s = segs[name];
      return s === undefined ? undefined : BigInt(cpu.sreg[s]);
    };
    return {
      reg,
      read: (a, n) => this.reader.read(a, n),
      symbols: this.symbols,
      bits,
      setReg: (base, value) => this.setRegister(base, value),
      frames: () => this.consoleFrames(),
      modules: () => this.consoleModules(),
      regions: () => this.consoleRegions(),
      teb: () => this.tebBlocks(),
      peb: () => this.pebBlocks(),
    };
  }

  private setRegister(base: string, value: bigint): string | undefined {
    const cpu = this.cpu;
    const gpr = ["rax", "rcx", "rdx", "rbx", "rsp", "rbp", "rsi", "rdi"];
    let g = gpr.indexOf(base);
    if (g < 0 && /^r(8|9|1[0-5])$/.test(base)) g = Number(base.slice(1));
    const v = BigInt.asUintN(64, value);
    if (g >= 0) {
      cpu.lo[g] = Number(v & 0xffffffffn) | 0;
      if (cpu.bits === 64) cpu.hi[g] = Number(v >> 32n) | 0;
    } else if (base === "rip") {
      cpu.rip = cpu.bits === 64 ? Number(v) : Number(v & 0xffffffffn);
    } else if (base === "rflags") {
      cpu.setEflags(Number(v & 0xffffffffn));
    } else {
      const segs: Record<string, number> = {
        es: SReg.ES,
        ss: SReg.SS,
        ds: SReg.DS,
        fs: SReg.FS,
        gs: SReg.GS,
      };
      try {
        if (base === "cs") cpu.loadCS(Number(v & 0xffffn));
        else if (segs[base] !== undefined) cpu.loadSeg(segs[base], Number(v & 0xffffn));
        else return `register ${base} cannot be set`;
      } catch (e) {
        return `cannot load ${base} with ${hex(v)}: ${(e as Error).message}`;
      }
    }
    this.walkCache = undefined;
    this.otherThreads.clear();
    this.regionCache = undefined;
    return undefined;
  }

  // ------------------------------------------------------------------------------------------ state views

  /**
   * Every thread, the current one (running, or the one that stopped) first, named by id and start routine.
   * Registers, stacks and scopes are those of the current thread.
   */
  threads(): { id: number; name: string }[] {
    const p = this.process;
    const cur = p.currentThread;
    const list = [cur, ...p.threads.filter((t) => t !== cur)].filter((t) => p.threads.includes(t as never));
    return list.map((t) => {
      const start = (t as { startAddress?: number }).startAddress ?? 0;
      const sym = start !== 0 ? p.symbolize(start) : "";
      const wait = p.threadWait(t);
      return {
        id: t.id,
        name: `thread ${hex(t.id)}${sym ? ` (${sym})` : start !== 0 ? ` (${hex(start)})` : ""}${wait ? ` — ${wait}` : ""}`,
      };
    });
  }

  private walk(): StackFrame[] {
    if (this.walkCache !== undefined) return this.walkCache;
    const p = this.process;
    const w = walkStack(
      { memory: this.exact, modules: this.getStackModules(), symbols: this.symbols },
      walkStartFromCpu(this.cpu),
      { wow64: p.wow64 ? { teb64: p.currentThread.teb } : undefined, maxFrames: 128 },
    );
    this.walkCache = w.frames;
    return w.frames;
  }

  /**
   * A thread that is not running, seen through a scratch Cpu loaded with its saved registers: its stack walk
   * and its frame-0 registers. `slot` numbers its frames (`frameId = slot * FRAME_STRIDE + index`).
   */
  private otherThread(
    threadId: number,
  ): { slot: number; cpu: Cpu; frames: StackFrame[]; teb: number } | undefined {
    const p = this.process;
    const k = p.threads.findIndex((t) => t.id === threadId);
    if (k < 0) return undefined;
    const t = p.threads[k];
    const saved = p.savedState(t);
    if (saved === undefined) return undefined; // the current thread
    const cached = this.otherThreads.get(t.id);
    if (cached !== undefined) return cached;
    this.scratchCpu ??= new Cpu(this.process.mem);
    const cpu = this.scratchCpu;
    cpu.loadState(saved);
    const w = walkStack(
      { memory: this.exact, modules: this.getStackModules(), symbols: this.symbols },
      walkStartFromCpu(cpu),
      { wow64: p.wow64 ? { teb64: t.teb } : undefined, maxFrames: 128 },
    );
    const view = { slot: k + 1, cpu, frames: w.frames, teb: t.teb };
    // The registers shown are copied now: the scratch Cpu is reused for the next thread asked about.
    this.otherThreads.set(t.id, { ...view, cpu: this.snapshotCpu(cpu) });
    return this.otherThreads.get(t.id);
  }

  private snapshotCpu(cpu: Cpu): Cpu {
    const c = new Cpu(this.process.mem);
    c.loadState(cpu.saveState());
    return c;
  }

  /** A frame id's thread view and frame index (frames of the current thread are numbered from 0). */
  private frameOf(frameId: number): { other: ReturnType<Runtime["otherThread"]>; index: number } {
    if (frameId < FRAME_STRIDE) return { other: undefined, index: frameId };
    const slot = Math.floor(frameId / FRAME_STRIDE);
    const t = this.process.threads[slot - 1];
    return { other: t === undefined ? undefined : this.otherThread(t.id), index: frameId % FRAME_STRIDE };
  }

  /** A stopped thread's registers (read-only: edit them when it is the current thread). */
  private threadRegisters(cpu: Cpu): RuntimeVariable[] {
    const wide = cpu.bits === 64;
    const digits = wide ? 16 : 8;
    const out: RuntimeVariable[] = [];
    const value = (k: number): bigint =>
      wide ? (BigInt(cpu.hi[k] >>> 0) << 32n) | BigInt(cpu.lo[k] >>> 0) : BigInt(cpu.lo[k] >>> 0);
    for (const base of wide ? SHOW64 : SHOW32) {
      const k = GPR_BASES.indexOf(base);
      if (k < 0) continue;
      const v = value(k);
      out.push({
        name: wide ? base : base.replace(/^r/, "e"),
        value: hex(v, digits),
        type: "gpr",
        memoryReference: hex(v),
        readOnly: true,
        register: true,
      });
    }
    out.push({
      name: wide ? "rip" : "eip",
      value: hex(BigInt(cpu.rip), digits),
      type: "ip",
      readOnly: true,
      register: true,
    });
    out.push({
      name: wide ? "rflags" : "eflags",
      value: hex(BigInt(cpu.getEflags() >>> 0), 8),
      type: "flags",
      readOnly: true,
      register: true,
    });
    return out;
  }

  stack(start = 0, levels = 0, threadId?: number): { frames: RuntimeFrame[]; total: number } {
    if (this.state === "running") return { frames: [], total: 0 };
    const other = threadId === undefined ? undefined : this.otherThread(threadId);
    const all = other?.frames ?? this.walk();
    const base = other === undefined ? 0 : other.slot * FRAME_STRIDE;
    const end = levels > 0 ? Math.min(all.length, start + levels) : all.length;
    const frames = all.slice(start, end).map((f) => {
      const m = this.process.modules.at(f.pc);
      return {
        index: base + f.index,
        name: f.name,
        pc: f.pc,
        bits: f.bits,
        moduleId: m === undefined ? undefined : this.moduleIds.get(m),
        reference: this.codeReference(f.pc, f.bits),
      };
    });
    return { frames, total: all.length };
  }

  /** The mode code at `address` is decoded in when nothing says otherwise: its module's, else the CPU's. */
  private naturalBits(address: number): 32 | 64 {
    const m = this.process.modules.at(address);
    return m !== undefined ? (m.arch === "x64" ? 64 : 32) : this.cpu.bits;
  }

  /**
   * The reference of code at `pc` running in `bits`. VS Code's Disassembly view (disassemblyView.ts) keeps
   * the rows it loaded and reloads around an instruction pointer only when its reference is one it has not
   * seen (`goToInstructionAndOffset`: `_referenceToMemoryAddress` misses, then the rows loaded replace those
   * in their address range); it does not listen to `memory` or `invalidated` events. So code running in a
   * mode other than its module's carries the mode in its reference (`0x401000:x64`, decoded in that mode),
   * and when the last disassemble reply covering `pc` was decoded in the other mode (a far jump or call,
   * code run in both modes) the reference gets a new generation: VS Code then fetches and replaces the rows.
   */
  codeReference(pc: number, bits: 32 | 64): string {
    const last = this.decodedAt(pc);
    const stale = last !== undefined && last.bits !== bits;
    if (!stale && bits === this.naturalBits(pc)) return hex(pc);
    if (stale) {
      this.referenceGeneration++;
      // until the view fetches again, the rows there are taken as decoded in the new mode
      this.decoded.push({ lo: pc, hi: pc + 1, bits });
    }
    return `${hex(pc)}:x${bits === 64 ? "64" : "86"}${stale ? `:${this.referenceGeneration}` : ""}`;
  }

  /** The newest disassemble reply covering `pc`. */
  private decodedAt(pc: number): { bits: 32 | 64 } | undefined {
    for (let k = this.decoded.length - 1; k >= 0; k--) {
      const d = this.decoded[k];
      if (pc >= d.lo && pc < d.hi) return d;
    }
    return undefined;
  }

  scopes(frameId: number): RuntimeScope[] {
    const p = this.process;
    const out: RuntimeScope[] = [];
    const { other, index: frame } = this.frameOf(frameId);
    if (other !== undefined) {
      // Another thread (it is not running): its registers as saved at its last switch, its caller frames
      // as unwound, read-only.
      const f = other.frames[frame];
      const bits = f?.bits ?? other.cpu.bits;
      out.push({
        name: bits === 64 ? "x64 registers" : "x86 registers",
        expensive: false,
        kind: "registers",
        variables: () =>
          frame === 0 || f === undefined ? this.threadRegisters(other.cpu) : this.callerRegisters(f),
      });
      return out;
    }
    const f = frame > 0 ? this.walk()[frame] : undefined;
    if (f !== undefined) {
      out.push({
        name: f.bits === 64 ? "x64 registers" : "x86 registers",
        expensive: false,
        kind: "registers",
        variables: () => this.callerRegisters(f),
      });
      out.push(this.tebPebScope());
      return out;
    }
    for (const s of registerScopes({
      cpu: this.cpu,
      memory: this.exact,
      wow64: p.wow64,
      teb64: p.currentThread.teb,
      teb32: p.wow64 ? p.currentThread.teb32 : undefined,
    })) {
      out.push({
        name: s.name,
        expensive: false,
        kind: "registers",
        variables: () => s.registers().map((n) => this.registerVariable(n)),
      });
    }
    out.push({
      name: "Instruction",
      expensive: false,
      kind: "locals",
      variables: () => {
        const info = inspectInstruction(this.cpu.rip, cpuInstructionRegisters(this.cpu), this.exact);
        if (info === undefined)
          return [{ name: "instruction", value: "unreadable memory at the instruction pointer" }];
        return info.fields.map((f) => this.fieldVariable(f));
      },
    });
    out.push(this.tebPebScope());
    return out;
  }

  /** A caller frame's registers: the unwound ones read-only, the others marked unavailable. */
  private callerRegisters(f: StackFrame): RuntimeVariable[] {
    const regs = this.frameRegisters(f);
    const wide = f.bits === 64;
    const digits = wide ? 16 : 8;
    const name = (base: string): string => (wide ? base : base.replace(/^r/, "e"));
    const out: RuntimeVariable[] = [];
    for (const base of [...(wide ? SHOW64 : SHOW32), "rip", "rflags"]) {
      const v = regs.get(base);
      const n = base === "rflags" && !wide ? "eflags" : name(base);
      if (v === undefined) {
        out.push({ name: n, value: "<unavailable>", type: "unavailable", readOnly: true, register: true });
        continue;
      }
      const isPtr = base !== "rflags";
      out.push({
        name: n,
        value: hex(BigInt.asUintN(wide ? 64 : 32, v), digits),
        type: base === "rip" ? "ip" : base === "rflags" ? "flags" : "gpr",
        memoryReference: isPtr ? hex(v) : undefined,
        readOnly: true,
        register: true,
      });
    }
    return out;
  }

  private tebPebScope(): RuntimeScope {
    return {
      name: "TEB / PEB",
      expensive: false,
      kind: "locals",
      variables: () =>
        [...this.tebBlocks(), ...this.pebBlocks()].map((b) => ({
          name: b.title.replace(/ at .*$/, ""),
          value: b.title,
          children: () =>
            b.fields.map((f) => {
              const v = typeof f.value === "string" ? f.value : hex(f.value, b.bits === 64 ? 16 : 8);
              const isPtr = typeof f.value !== "string" && BigInt(f.value) > 0xffffn;
              return {
                name: f.name,
                value: v,
                memoryReference: isPtr ? hex(f.value as number | bigint) : undefined,
                readOnly: true,
              };
            }),
        })),
    };
  }

  private registerVariable(n: RegisterNode): RuntimeVariable {
    const kids = n.children;
    const set = n.set;
    return {
      name: n.name,
      value: n.value,
      type: n.kind,
      memoryReference: n.address !== undefined ? hex(n.address) : undefined,
      register: true,
      location: n.location,
      children: kids === undefined ? undefined : () => kids().map((c) => this.registerVariable(c)),
      set:
        set === undefined
          ? undefined
          : (text) => {
              const r = this.registerVariable(set(text));
              this.walkCache = undefined;
              this.otherThreads.clear();
              this.regionCache = undefined;
              return r;
            },
      readOnly: set === undefined,
    };
  }

  private fieldVariable(f: InstructionField): RuntimeVariable {
    const kids = f.children;
    return {
      name: f.name,
      value: f.value,
      memoryReference: f.address !== undefined ? hex(f.address) : undefined,
      children:
        kids === undefined || kids.length === 0 ? undefined : () => kids.map((c) => this.fieldVariable(c)),
      readOnly: true,
    };
  }

  private tebBlocks(): FieldBlock[] {
    const p = this.process;
    const t = p.currentThread;
    const out: FieldBlock[] = [];
    const block = (bits: 32 | 64, at: number, title: string): FieldBlock => {
      const L = bits === 64 ? TEB64 : TEB32;
      const ptr = (off: number): number => this.ptrAt(at + off, bits);
      const u32 = (off: number): number => this.ptrAt(at + off, 32);
      return {
        title: `${title} at ${addrText(at)}`,
        bits,
        fields: [
          { name: "ExceptionList", value: ptr(L.ExceptionList) },
          { name: "StackBase", value: ptr(L.StackBase) },
          { name: "StackLimit", value: ptr(L.StackLimit) },
          { name: "DeallocationStack", value: ptr(L.DeallocationStack) },
          { name: "Self", value: ptr(L.Self) },
          { name: "ClientId", value: `${hex(ptr(L.UniqueProcess))} . ${hex(ptr(L.UniqueThread))}` },
          { name: "ThreadLocalStoragePointer", value: ptr(L.ThreadLocalStoragePointer) },
          { name: "PEB Address", value: ptr(L.ProcessEnvironmentBlock) },
          { name: "LastErrorValue", value: u32(L.LastErrorValue) },
          { name: "LastStatusValue", value: u32(L.LastStatusValue) },
        ],
      };
    };
    out.push(block(64, t.teb, "TEB"));
    if (p.wow64) out.push(block(32, t.teb32, "Wow64 TEB32"));
    return out;
  }

  private pebBlocks(): FieldBlock[] {
    const p = this.process;
    const block = (bits: 32 | 64, at: number, title: string): FieldBlock => {
      const L = bits === 64 ? PEB64 : PEB32;
      const ptr = (off: number): number => this.ptrAt(at + off, bits);
      const byte = this.reader.read(at + L.BeingDebugged, 1)?.[0] ?? 0;
      return {
        title: `${title} at ${addrText(at)}`,
        bits,
        fields: [
          { name: "BeingDebugged", value: byte !== 0 ? "Yes" : "No" },
          { name: "ImageBaseAddress", value: ptr(L.ImageBaseAddress) },
          { name: "Ldr", value: ptr(L.Ldr) },
          { name: "ProcessParameters", value: ptr(L.ProcessParameters) },
          { name: "ProcessHeap", value: ptr(L.ProcessHeap) },
          { name: "NtGlobalFlag", value: this.ptrAt(at + L.NtGlobalFlag, 32) },
          { name: "ImagePath", value: p.imagePath },
          { name: "CommandLine", value: p.commandLine },
        ],
      };
    };
    const out = [block(64, p.peb, "PEB")];
    if (p.wow64) out.push(block(32, p.peb32, "Wow64 PEB32"));
    return out;
  }

  private ptrAt(addr: number, bits: 32 | 64): number {
    const b = this.exact.read(addr, bits / 8);
    if (b === undefined) return 0;
    const dv = new DataView(b.buffer, b.byteOffset, b.length);
    return bits === 64 ? dv.getUint32(4, true) * TWO32 + dv.getUint32(0, true) : dv.getUint32(0, true);
  }

  private consoleFrames(): StackFrameInfo[] {
    const f = this.walk();
    return f.map((x, k) => ({
      frameBase: x.bits === 64 ? x.sp : x.fp,
      returnAddress: k + 1 < f.length ? f[k + 1].pc : 0,
      ip: x.pc,
      name: x.name,
      mode: x.bits === 64 ? "x64" : "x86",
    }));
  }

  private consoleModules(): ModuleInfo[] {
    return this.process.modules.modules.map((m) => ({
      base: m.base,
      size: m.size,
      name: moduleShortName(m.name),
      path: m.path,
    }));
  }

  private consoleRegions(): RegionRecord[] {
    return this.regionReports(false).map((r) => ({
      baseAddress: r.baseAddress,
      regionSize: r.regionSize,
      allocationBase: r.allocationBase,
      allocationProtect: r.allocationProtect,
      state: r.state,
      protect: r.protect,
      type: r.type,
      usage: r.usage,
      detail: r.module !== undefined ? `[${moduleShortName(r.module)}; "${r.path ?? ""}"]` : undefined,
      extra:
        r.sectionId !== undefined
          ? [
              ["Section", hex(r.sectionId)],
              ["Section Offset", hex(r.sectionOffset ?? 0)],
            ]
          : undefined,
    }));
  }

  /**
   * The memory regions as VirtualQuery walks them, with images' paths and views' sections. The listing is
   * kept until the address space changes (its epoch), the program runs or the debugger writes, so paging
   * through it (`start`/`count`) and `!address` do not walk the address space again.
   */
  regionReports(includeFree: boolean): RegionReport[] {
    const epoch = this.process.mem.epoch;
    const c = this.regionCache;
    if (c !== undefined && c.epoch === epoch && c.free === includeFree) return c.rows;
    const rows = this.buildRegions(includeFree);
    this.regionCache = { epoch, free: includeFree, rows };
    return rows;
  }

  private buildRegions(includeFree: boolean): RegionReport[] {
    const p = this.process;
    const t = p.currentThread;
    const marks = new Map<number, string>();
    const mark = (addr: number, what: string): void => {
      if (addr !== 0) marks.set(addr, what);
    };
    mark(t.teb, "TEB");
    if (p.wow64) mark(t.teb32, "TEB32");
    mark(p.peb, "PEB");
    if (p.wow64) mark(p.peb32, "PEB32");
    const s64lo = this.ptrAt(t.teb + TEB64.DeallocationStack, 64);
    const s64hi = this.ptrAt(t.teb + TEB64.StackBase, 64);
    const s32lo = p.wow64 ? this.ptrAt(t.teb32 + TEB32.DeallocationStack, 32) : 0;
    const s32hi = p.wow64 ? this.ptrAt(t.teb32 + TEB32.StackBase, 32) : 0;
    const heap1 = p.processHeap;
    const heap2 = p.processHeap64;
    // Images by allocation base: one lookup per image region instead of a search.
    const images = new Map<number, Module>();
    for (const m of p.modules.modules) images.set(m.base, m);
    const list = p.mem.regions(includeFree);
    const out = new Array<RegionReport>(list.length);
    for (let k = 0; k < list.length; k++) {
      const r = list[k];
      const b = r.baseAddress;
      const row = new RegionRow(
        b,
        r.allocationBase,
        r.allocationProtect,
        r.regionSize,
        r.state,
        r.protect,
        r.type,
        r.kind,
      );
      if (r.sectionId !== undefined) {
        row.sectionId = r.sectionId;
        row.sectionOffset = r.sectionOffset;
      }
      const type = r.type;
      if (type === MEM_IMAGE) {
        const m = images.get(r.allocationBase) ?? p.modules.at(b);
        if (m !== undefined) {
          row.path = m.path;
          row.module = m.name;
        }
        row.usage = "Image";
      } else if (type === MEM_PRIVATE || type === MEM_MAPPED) {
        const mk = marks.get(b);
        if (mk !== undefined) row.usage = mk;
        else if ((b >= s64lo && b < s64hi) || (b >= s32lo && b < s32hi)) row.usage = "Stack";
        else if (r.allocationBase === heap1 || r.allocationBase === heap2) row.usage = "Heap";
        else row.usage = type === MEM_MAPPED ? "MappedFile" : "<unknown>";
      } else row.usage = "Free";
      out[k] = row;
    }
    return out;
  }

  /**
   * Disassembly around `address` in `bits` (a code reference's mode), else in the mode of its module (the
   * CPU's outside modules). The range and mode of each reply are remembered for `codeReference`.
   */
  disassemble(address: number, offset: number, count: number, bits?: 32 | 64): DisasmLine[] {
    const b = bits ?? this.naturalBits(address);
    const lines = disassemble(this.reader, address, offset, count, b, this.symbols);
    if (lines.length > 0) {
      const lastLine = lines[lines.length - 1];
      this.decoded.push({ lo: lines[0].address, hi: lastLine.address + lastLine.length, bits: b });
      if (this.decoded.length > 64) this.decoded.splice(0, this.decoded.length - 64);
    }
    return lines;
  }

  instructionAnatomy(address: number | undefined, bits?: 32 | 64): InstructionAnatomy | undefined {
    const cpu = this.cpu;
    const at = address ?? cpu.rip;
    const m = this.process.modules.at(at);
    const b = bits ?? (at === cpu.rip ? cpu.bits : m !== undefined ? (m.arch === "x64" ? 64 : 32) : cpu.bits);
    const base = cpuInstructionRegisters(cpu);
    const info = inspectInstruction(at, { ...base, bits: b }, this.exact);
    if (info === undefined) return undefined;
    return {
      address: at,
      bits: b,
      valid: info.valid,
      text: info.text,
      bytes: [...info.bytes].map((x) => x.toString(16).padStart(2, "0")).join(" "),
      fields: info.fields,
    };
  }

  // ------------------------------------------------------------------------------------------ evaluate

  /** Evaluates an expression (watch, hover, clipboard) or runs a console command (repl). */
  evaluate(
    text: string,
    context: string | undefined,
    frame = 0,
  ): { result: string; memoryReference?: string; changed?: "registers" | "memory" } {
    const ctx = this.exprContext(frame);
    if (context === "repl" && isConsoleCommand(text)) {
      const r = this.console.execute(text, ctx);
      if (r.changed !== undefined) this.walkCache = undefined;
      this.otherThreads.clear();
      this.regionCache = undefined;
      if (r.error) throw new Error(r.output);
      if (r.changed === "memory") this.emit("invalidated");
      return { result: r.output, changed: r.changed };
    }
    const assign = /^\s*@?([a-z][a-z0-9]*)\s*=(?!=)\s*(.+)$/i.exec(text);
    if (assign !== null && context === "repl") {
      const v = evaluate(assign[2], ctx).value;
      const w = registerWrite(ctx, assign[1], v);
      const err = ctx.setReg?.(w.base, w.value);
      if (err !== undefined) throw new Error(err);
      return { result: formatHex(evaluate(assign[1], this.exprContext(frame))), changed: "registers" };
    }
    const v = evaluate(text, ctx);
    const result = formatHex(v);
    return { result, memoryReference: hex(v.value) };
  }

  completions(text: string, column: number): Completion[] {
    return completions(text, column, this.exprContext());
  }

  // ------------------------------------------------------------------------------------------ breakpoints

  setInstructionBreakpoints(list: (BreakpointSpec & { address: number })[]): BreakpointResult[] {
    for (const [id, b] of this.code) if (b.kind === "instruction") this.code.delete(id);
    const out = list.map((s) => {
      const hit = parseHitCondition(s.hitCondition);
      const id = this.nextId++;
      const bad = typeof hit === "string" ? hit : undefined;
      const readable = this.reader.read(s.address, 1) !== undefined;
      const b: CodeBreakpoint = {
        ...s,
        id,
        kind: "instruction",
        addresses: bad === undefined ? [s.address] : [],
        hits: 0,
        hit: typeof hit === "string" ? undefined : hit,
        verified: bad === undefined,
        message: bad ?? (readable ? undefined : `no code at ${addrText(s.address)} yet`),
      };
      this.code.set(id, b);
      return { id, verified: b.verified, message: b.message, address: s.address };
    });
    this.sync();
    return out;
  }

  setFunctionBreakpoints(list: (BreakpointSpec & { name: string })[]): BreakpointResult[] {
    for (const [id, b] of this.code) if (b.kind === "function") this.code.delete(id);
    this.syscallStops.clear();
    const out = list.map((s) => {
      const hit = parseHitCondition(s.hitCondition);
      const id = this.nextId++;
      const b: CodeBreakpoint = {
        ...s,
        id,
        kind: "function",
        name: s.name.trim(),
        addresses: [],
        hits: 0,
        hit: typeof hit === "string" ? undefined : hit,
        verified: false,
        message: typeof hit === "string" ? hit : undefined,
      };
      if (typeof hit !== "string") this.resolveFunction(b);
      this.code.set(id, b);
      return { id, verified: b.verified, message: b.message, address: b.addresses[0] };
    });
    this.sync();
    return out;
  }

  private resolveFunctionBreakpoints(): void {
    for (const b of this.code.values()) {
      if (b.kind !== "function" || b.verified) continue;
      this.resolveFunction(b);
      if (b.verified) this.emit("breakpoint", { id: b.id, verified: true, address: b.addresses[0] });
    }
    this.sync();
  }

  /** `module!export` (wildcards), a syscall name or `syscall:N` (stops at the syscall), an export, an expression. */
  private resolveFunction(b: CodeBreakpoint): void {
    const name = b.name ?? "";
    const p = this.process;
    const table = syscallTable(p.dlls.build);
    const sys = /^syscall:\s*(0x[0-9a-f]+|\d+)$/i.exec(name);
    let syscall = sys !== null ? table.byNumber(Number(sys[1]))?.name : undefined;
    if (sys !== null && syscall === undefined) {
      b.message = `no system service ${sys[1]} in ${table.build}`;
      return;
    }
    if (syscall === undefined && !name.includes("!")) {
      const n = name.replace(/^Zw/i, "Nt");
      const info = table.byName(n[0] === "n" ? "N" + n.slice(1) : n);
      if (info !== undefined) syscall = info.name;
    }
    const addrs: number[] = [];
    if (syscall !== undefined) {
      const at = this.syscallInstruction(syscall);
      if (at === undefined) {
        b.message = `${syscall}: no syscall instruction found in ntdll`;
        return;
      }
      addrs.push(at);
      this.syscallStops.set(at, syscall);
      b.addresses = addrs;
      b.verified = true;
      b.message = undefined;
      return;
    }
    const bang = name.indexOf("!");
    const modRe = wildcard(bang >= 0 ? name.slice(0, bang) : "*");
    const symRe = wildcard(bang >= 0 ? name.slice(bang + 1) : name);
    for (const m of p.modules.modules) {
      const short = moduleShortName(m.name);
      if (!modRe.test(short) && !modRe.test(m.name)) continue;
      for (const s of this.symbolModule(m).symbols)
        if (symRe.test(s.name) && !addrs.includes(s.address)) addrs.push(s.address);
    }
    if (addrs.length === 0 && !/[*?]/.test(name)) {
      try {
        const v = evaluate(name, this.exprContext()).value;
        if (v <= BigInt(Number.MAX_SAFE_INTEGER)) addrs.push(Number(v));
      } catch {
        // not an expression either
      }
    }
    b.addresses = addrs;
    b.verified = addrs.length > 0;
    b.message = b.verified ? undefined : `no function matches "${name}" in the loaded modules`;
  }

  /** The `syscall` instruction of the x64 ntdll stub of an NT service (every caller reaches it, WOW64 too). */
  private syscallInstruction(name: string): number | undefined {
    const n64 = this.process.modules.get("ntdll.dll", "x64");
    if (n64 === undefined) return undefined;
    const stub = this.process.modules.procAddress(n64, name);
    if (stub === undefined) return undefined;
    const code = this.reader.read(stub, 32);
    if (code === undefined) return undefined;
    for (let k = 0; k + 1 < code.length; k++) if (code[k] === 0x0f && code[k + 1] === 0x05) return stub + k;
    return undefined;
  }

  setDataBreakpoints(list: DataBreakpointSpec[]): BreakpointResult[] {
    for (const b of this.data.values()) this.process.mem.removeWatch(b.watch);
    this.data.clear();
    return list.map((s) => {
      const hit = parseHitCondition(s.hitCondition);
      const id = this.nextId++;
      const access =
        s.access === "read" ? Access.Read : s.access === "write" ? Access.Write : Access.Read | Access.Write;
      const watch = this.process.mem.addWatch(s.address, s.size, access, (addr, size, acc) => {
        this.pendingData.push({ id, addr, size, access: acc });
        this.cpu.requestStop({ kind: "stop", reason: "data-breakpoint" });
        return undefined;
      });
      const b: DataBreakpoint = { ...s, id, watch, hits: 0, hit: typeof hit === "string" ? undefined : hit };
      this.data.set(id, b);
      return {
        id,
        verified: typeof hit !== "string",
        message: typeof hit === "string" ? hit : undefined,
        address: s.address,
      };
    });
  }

  setExceptionFilters(ids: readonly string[]): void {
    this.filters = new Set(ids);
    this.sync();
  }

  exceptionInfo(): ExceptionDetails | undefined {
    return this.lastException;
  }

  /** Install the union of every code address we stop at. */
  private sync(): void {
    const want = new Set<number>();
    for (const b of this.code.values()) for (const a of b.addresses) want.add(a);
    if (this.entry !== undefined) want.add(this.entry);
    if (this.until !== undefined) want.add(this.until.address);
    if (this.filters.has("syscall-entry")) {
      if (this.thunkStops.size === 0 || this.thunkModules !== this.knownModules) {
        this.thunkStops = this.syscallThunks();
        this.thunkModules = this.knownModules;
      }
      for (const a of this.thunkStops.keys()) want.add(a);
    }
    const cpu = this.cpu;
    for (const a of this.installed) {
      if (!want.has(a)) {
        cpu.removeBreakpoint(a);
        this.installed.delete(a);
      }
    }
    for (const a of want) {
      if (!this.installed.has(a)) {
        cpu.addBreakpoint(a);
        this.installed.add(a);
      }
    }
  }

  /** The entries of the Nt* system-call stubs of every loaded ntdll (x86 and x64 ones in a WOW64 process). */
  private syscallThunks(): Map<number, string> {
    const out = new Map<number, string>();
    for (const m of this.process.modules.modules) {
      if (moduleShortName(m.name).toLowerCase() !== "ntdll") continue;
      const arch = this.process.wow64 ? ` (${m.arch})` : "";
      for (const s of m.system?.symbols ?? []) {
        if (s.exported && /^Nt[A-Z]/.test(s.name) && !out.has(s.address))
          out.set(s.address, `ntdll!${s.name}${arch}`);
      }
    }
    return out;
  }

  // ------------------------------------------------------------------------------------------ execution

  /** Continue until something stops the program. */
  continue(): void {
    this.resume(undefined, true);
  }

  pause(): void {
    if (this.state === "running") this.pauseRequested = true;
  }

  /** Step one instruction (into calls). */
  stepIn(): void {
    if (this.state !== "stopped") return;
    if (this.endPending !== undefined) return this.finishPending();
    this.emit("continued");
    const before = this.cpu.mode64;
    const s = this.process.step();
    this.afterStep(s, before);
  }

  /** Step one instruction, running through calls (and the rep string instructions) as one step. */
  stepOver(): void {
    if (this.state !== "stopped") return;
    const cpu = this.cpu;
    const code = this.reader.read(cpu.rip, 15);
    if (code !== undefined) {
      const buf = new Uint8Array(16);
      buf.set(code);
      const insn = decode(buf, code.length, cpu.rip, cpu.bits);
      const mn = describe(insn).mnemonic.toLowerCase();
      if (insn.len > 0 && mn.startsWith("call")) {
        this.resume({ address: cpu.rip + insn.len, sp: this.sp() }, true);
        return;
      }
    }
    this.stepIn();
  }

  /** Run until the current function returns to its caller. */
  stepOut(): void {
    if (this.state !== "stopped") return;
    const f = this.walk();
    if (f.length < 2) return this.stepIn();
    this.resume({ address: f[1].pc, sp: this.sp() }, true);
  }

  private sp(): number {
    const c = this.cpu;
    return c.bits === 64 ? (c.hi[Reg.RSP] >>> 0) * TWO32 + (c.lo[Reg.RSP] >>> 0) : c.lo[Reg.RSP] >>> 0;
  }

  private afterStep(s: ProcessStop, modeBefore: boolean): void {
    this.walkCache = undefined;
    this.otherThreads.clear();
    this.regionCache = undefined;
    this.refreshModules(true);
    if (s.kind === "step" || s.kind === "budget" || s.kind === "breakpoint") {
      if (this.filters.has("mode-switch") && this.cpu.mode64 !== modeBefore) return this.modeSwitchStop();
      return this.stop({ reason: "step" });
    }
    if (s.kind === "halt" && s.reason === "data-breakpoint") {
      if (this.dataStop()) return;
      return this.stop({ reason: "step" });
    }
    if (s.kind === "halt" && s.reason === "mode-switch") return this.stop({ reason: "step" });
    if (s.kind === "first-chance") return this.firstChanceStop(s);
    this.handleEnd(s);
  }

  private resume(until: Until | undefined, emitContinued: boolean): void {
    if (this.state !== "stopped") return;
    if (this.endPending !== undefined) return this.finishPending();
    this.until = until;
    this.sync();
    this.state = "running";
    this.pauseRequested = false;
    this.walkCache = undefined;
    this.otherThreads.clear();
    this.regionCache = undefined;
    this.cpu.onLoadCS = this.filters.has("mode-switch") ? this.csHook : undefined;
    if (emitContinued) this.emit("continued");
    setImmediate(() => this.slice());
  }

  /** Runs for about SLICE_MS, then yields to the event loop (so requests such as pause are answered). */
  private slice(): void {
    if (this.state !== "running") return;
    if (this.pauseRequested) {
      this.pauseRequested = false;
      return this.stop({ reason: "pause" });
    }
    const deadline = performance.now() + SLICE_MS;
    for (;;) {
      const t0 = performance.now();
      const s = this.process.run(this.budget);
      const t1 = performance.now();
      if (t1 - t0 < 2 && this.budget < 20_000_000) this.budget *= 2;
      else if (t1 - t0 > 8 && this.budget > 1000) this.budget = Math.floor(this.budget / 2);
      if (!this.handleRunStop(s)) return;
      if (t1 >= deadline) break;
    }
    setImmediate(() => this.slice());
  }

  /**
   * The mode-switch filter: the CPU reports every far transfer that changes CS (jmp/call far, retf, iret)
   * and the run stops after that instruction — no single-stepping, the program runs at full speed between.
   */
  private readonly csHook = (from: number, to: number): void => {
    void from;
    void to;
    this.cpu.requestStop({ kind: "stop", reason: "mode-switch" });
  };

  /** Decide what a run stop means; true to keep running. */
  private handleRunStop(s: ProcessStop): boolean {
    if (this.process.modules.modules.length !== this.knownModules) this.refreshModules(true);
    switch (s.kind) {
      case "budget":
      case "step":
        return true;
      case "breakpoint":
        return !this.breakpointStop(s.address);
      case "first-chance":
        this.firstChanceStop(s);
        return false;
      case "halt":
        if (s.reason === "data-breakpoint") return !this.dataStop();
        if (s.reason === "mode-switch") {
          this.modeSwitchStop();
          return false;
        }
        this.handleEnd(s);
        return false;
      default:
        this.handleEnd(s);
        return false;
    }
  }

  private modeSwitchStop(): void {
    const to = this.cpu.mode64;
    const text = to
      ? "WOW64 mode switch: CS 0x23 -> 0x33 (now 64-bit code)"
      : "WOW64 mode switch: CS 0x33 -> 0x23 (now 32-bit code)";
    this.lastException = {
      id: "mode-switch",
      description: text,
      breakMode: "always",
      code: undefined,
      message: text,
    };
    this.stop({ reason: "exception", description: "Mode switch", text });
  }

  /** A code breakpoint address was reached: true when execution stops there. */
  private breakpointStop(addr: number): boolean {
    const u = this.until;
    if (u !== undefined && addr === u.address && this.sp() >= u.sp) {
      this.stop({ reason: "step" });
      return true;
    }
    if (this.entry !== undefined && addr === this.entry) {
      this.entry = undefined;
      this.sync();
      if (this.stopOnEntry) {
        this.stop({ reason: "entry", description: `entry point ${this.process.where(addr)}` });
        return true;
      }
    }
    const ids: number[] = [];
    let kind: StopReason = "breakpoint";
    for (const b of this.code.values()) {
      if (!b.addresses.includes(addr)) continue;
      const r = this.check(b);
      if (r === "stop") {
        ids.push(b.id);
        kind = b.kind === "instruction" ? "instruction breakpoint" : "function breakpoint";
      }
    }
    if (ids.length > 0) {
      const sc = this.syscallStops.get(addr);
      const desc = sc !== undefined ? `syscall ${sc} (${hex(this.cpu.lo[Reg.RAX] >>> 0)})` : undefined;
      this.stop({ reason: kind, breakpointIds: ids, description: desc });
      return true;
    }
    if (this.filters.has("syscall-entry")) {
      const t = this.thunkStops.get(addr);
      if (t !== undefined) {
        const text = `Syscall thunk entry: ${t}`;
        this.lastException = {
          id: "syscall-entry",
          description: text,
          breakMode: "always",
          code: undefined,
          message: text,
        };
        this.stop({ reason: "exception", description: "Syscall thunk entry", text });
        return true;
      }
    }
    return false;
  }

  /** Condition, hit count and logpoint of a breakpoint just reached. */
  private check(
    b: BreakpointSpec & { hits: number; hit: HitCondition | undefined; id: number },
  ): "stop" | "go" {
    const ctx = this.exprContext();
    if (b.condition !== undefined && b.condition.trim() !== "") {
      try {
        if (!evaluateCondition(b.condition, ctx)) return "go";
      } catch (e) {
        const msg = e instanceof ExprError ? e.message : String(e);
        this.emit("output", {
          category: "console",
          text: `breakpoint ${b.id}: condition "${b.condition}": ${msg}\n`,
        });
        return "stop";
      }
    }
    b.hits++;
    if (b.hit !== undefined && !hitMatches(b.hit, b.hits)) return "go";
    if (b.logMessage !== undefined && b.logMessage !== "") {
      const text = b.logMessage.replace(/\{([^}]+)\}/g, (_, e: string) => {
        try {
          return formatHex(evaluate(e, ctx));
        } catch (err) {
          return `<${err instanceof ExprError ? err.detail : String(err)}>`;
        }
      });
      this.emit("output", { category: "console", text: text + "\n" });
      return "go";
    }
    return "stop";
  }

  private dataStop(): boolean {
    const hits = this.pendingData;
    this.pendingData = [];
    const ids: number[] = [];
    let desc = "";
    for (const h of hits) {
      const b = this.data.get(h.id);
      if (b === undefined || ids.includes(b.id)) continue;
      if (this.check(b) !== "stop") continue;
      ids.push(b.id);
      const what = (h.access & Access.Write) !== 0 ? "write" : "read";
      desc ||= `Data breakpoint: ${what} of ${h.size} byte${h.size === 1 ? "" : "s"} at ${addrText(h.addr)}`;
    }
    if (ids.length === 0) return false;
    this.stop({ reason: "data breakpoint", breakpointIds: ids, description: desc, text: desc });
    return true;
  }

  private stop(e: StopEvent): void {
    this.state = "stopped";
    this.cpu.onLoadCS = undefined;
    this.until = undefined;
    this.walkCache = undefined;
    this.otherThreads.clear();
    this.regionCache = undefined;
    this.sync();
    if (e.reason !== "exception") this.lastException = undefined;
    this.emit("stopped", e);
  }

  /**
   * A fault about to be dispatched to the program, stopped because its first-chance filter is on (the
   * debugger sees it before any handler: KiDispatchException's first DbgkForwardException). The thread
   * stands at the faulting instruction; continuing passes the exception to the program's handlers.
   */
  private firstChanceStop(s: Extract<ProcessStop, { kind: "first-chance" }>): void {
    const code = s.code >>> 0;
    const name = statusName(code);
    const text = `${s.message} (first chance)`;
    this.lastException = {
      id: `${hex(code, 8)}${name !== undefined ? " " + name : ""}`,
      description: text,
      breakMode: "always",
      code,
      message: `${exceptionName(code)} - code ${hex(code, 8)} (first chance)`,
    };
    this.stop({ reason: "exception", description: "Exception (first chance)", text });
  }

  /** The process ended (exit, unhandled exception, unimplemented service). */
  private handleEnd(s: ProcessStop): void {
    const filterOf =
      s.kind === "exception"
        ? exceptionFilterOf(s.code)
        : s.kind === "unimplemented" || s.kind === "halt"
          ? "unimplemented"
          : undefined;
    if (filterOf !== undefined && this.filters.has(filterOf) && "message" in s) {
      const code = s.kind === "exception" ? s.code >>> 0 : undefined;
      const name = code !== undefined ? statusName(code) : undefined;
      // An exception here went unhandled: the debugger's second chance, before the process ends.
      const text = code !== undefined ? `${s.message} (second chance)` : s.message;
      this.lastException = {
        id: code !== undefined ? `${hex(code, 8)}${name !== undefined ? " " + name : ""}` : s.kind,
        description: text,
        breakMode: "unhandled",
        code,
        message:
          code !== undefined ? `${exceptionName(code)} - code ${hex(code, 8)} (!!! second chance !!!)` : text,
      };
      this.endPending = s;
      this.stop({
        reason: "exception",
        description: s.kind === "exception" ? "Exception (second chance)" : "Not implemented",
        text,
      });
      return;
    }
    this.end(s);
  }

  private finishPending(): void {
    const s = this.endPending;
    this.endPending = undefined;
    if (s !== undefined) this.end(s);
  }

  private end(s: ProcessStop): void {
    if (this.state === "ended") return;
    this.state = "ended";
    const code = s.kind === "exit" ? s.status >>> 0 : s.kind === "exception" ? s.code >>> 0 : 1;
    const msg = "message" in s ? s.message : s.kind;
    if (s.kind !== "exit") this.emit("output", { category: "console", text: `${msg}\n` });
    this.emit("output", {
      category: "console",
      text: `The program ${this.process.exe?.name ?? "shellcode"} exited with code ${code} (${hex(code, 8)}).\n`,
    });
    this.emit("exited", code);
    this.emit("terminated");
  }

  /** Ends the debuggee now (terminate, disconnect). */
  terminate(): void {
    if (this.state === "ended") return;
    this.state = "ended";
    this.emit("terminated");
  }
}
