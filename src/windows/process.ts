/**
 * The Windows process: what the debugger and the CLI drive. `Process.create` brings a program up as the
 * Windows kernel and loader do (address space, system DLLs, the program image and its DLLs, PEB/TEB for
 * both architectures of a WOW64 process, process parameters, loader lists, stacks with guard pages, the
 * initial thread context); `run(budget)` executes it, handing syscalls and traps to the kernel, until a stop
 * the caller can show.
 *
 * Memory layout (deterministic; nothing is randomized):
 * - system DLLs at their bases (src/windows/dlls); the program at its preferred base, or wherever there is
 *   room when that range is taken (relocated), or at `imageBase`;
 * - WOW64: TEB64 0x7EFDB000, TEB32 0x7EFDD000 (TEB64 + 0x2000), PEB32 0x7EFDE000, PEB64 0x7EFDF000 (the
 *   Windows 7 WOW64 addresses); native 64-bit: PEB 0x7FFFFFDC000, TEB 0x7FFFFFDE000;
 * - everything else (parameters, loader data, heaps, stacks, the launcher) bottom-up from 0x10000.
 */
import { Cpu, Reg, SReg, type CpuState, type StopReason } from "../cpu/index";
import { hex64 } from "../common/hex";
import type { Fault } from "../cpu/fault";
import { buildSystemDlls, type Arch, type SystemDll, type SystemDllSet, type TrapEntry } from "./dlls";
import { WOW64_CONTEXT, WOW64_CPURESERVED_CONTEXT } from "./dlls/code";
import type {
  ConsoleIo,
  KernelApi,
  KernelFactory,
  KernelProcess,
  KernelStop,
  KernelThread,
  NewThread,
} from "./kernel/types";
import {
  LoadError,
  ModuleTable,
  STATUS_DLL_INIT_FAILED,
  STATUS_STACK_OVERFLOW,
  TEB32,
  TEB64,
  WOW64_TEB32_OFFSET,
  KUSD,
  PEB32,
  PEB64,
  allocateBlock,
  appendLoaderEntry,
  buildLauncher,
  buildThreadLauncher,
  defaultEnvironment,
  environmentBlock,
  parseImage,
  peekU32,
  pokeU32,
  quoteArg,
  writeLoaderData,
  writePeb,
  writeProcessParameters,
  writeTeb,
  type DllResolver,
  type InitCall,
  type LauncherCode,
  type Module,
  type ThreadLauncherCode,
} from "./loader";
import { AddressSpace } from "./memory/address-space";
import {
  MEM_COMMIT,
  MEM_RESERVE,
  PAGE_EXECUTE_READ,
  PAGE_GUARD,
  PAGE_READWRITE,
  PAGE_EXECUTE_READWRITE,
  PAGE_SIZE,
  ALLOCATION_GRANULARITY,
} from "./memory/constants";
import { MemoryManager } from "./memory/manager";
import {
  STATUS_ACCESS_VIOLATION,
  STATUS_GUARD_PAGE_VIOLATION,
  STATUS_IN_PAGE_ERROR,
  STATUS_SUCCESS,
} from "./ntstatus";
import { DEFAULT_BUILD, type WindowsBuild } from "./syscalls";
import type { FileSystemOptions } from "./kernel/file-io";
import type { RegistrySource } from "./kernel/registry";
import {
  CONTEXT32,
  CONTEXT64,
  ContextTransfer,
  captureContext32,
  captureContext64,
  deliverException,
  loadContext64,
  type ExceptionInfo,
} from "./kernel/exception";
import { GuestFault, UserMemory } from "./kernel/user-memory";
import { exceptionOfFault } from "./fault-exception";

export { LoadError } from "./loader";

const TWO32 = 0x1_0000_0000;

/** NTSTATUS codes of the exceptions a fault turns into (ntstatus.h). */
export const EXCEPTION_CODES = {
  STATUS_BREAKPOINT: 0x80000003,
  STATUS_SINGLE_STEP: 0x80000004,
  STATUS_DATATYPE_MISALIGNMENT: 0x80000002,
  STATUS_ILLEGAL_INSTRUCTION: 0xc000001d,
  STATUS_PRIVILEGED_INSTRUCTION: 0xc0000096,
  STATUS_INTEGER_DIVIDE_BY_ZERO: 0xc0000094,
  STATUS_INTEGER_OVERFLOW: 0xc0000095,
  STATUS_ARRAY_BOUNDS_EXCEEDED: 0xc000008c,
  STATUS_FLOAT_INVALID_OPERATION: 0xc0000090,
  STATUS_FLOAT_MULTIPLE_TRAPS: 0xc00002b5,
} as const;

/** Collects console output in memory and serves input from a buffer (tests, the debugger). */
export class BufferConsole implements ConsoleIo {
  private readonly out: Uint8Array[] = [];
  private readonly err: Uint8Array[] = [];
  private inputPos = 0;

  constructor(private readonly input: Uint8Array = new Uint8Array(0)) {}

  write(stream: "stdout" | "stderr", data: Uint8Array): void {
    (stream === "stdout" ? this.out : this.err).push(data.slice());
  }

  read(max: number): Uint8Array {
    const n = Math.min(max, this.input.length - this.inputPos);
    const r = this.input.slice(this.inputPos, this.inputPos + n);
    this.inputPos += n;
    return r;
  }

  get stdout(): string {
    return Buffer.concat(this.out).toString("latin1");
  }

  get stderr(): string {
    return Buffer.concat(this.err).toString("latin1");
  }
}

export interface CommonOptions {
  /** The program's Windows path (default `C:\app\<name>`). */
  readonly imagePath?: string;
  /** Arguments after the program name; quoted into the command line as CommandLineToArgvW parses them. */
  readonly args?: readonly string[];
  /** The whole command line (overrides `args`). */
  readonly commandLine?: string;
  /** Default: the program's directory. */
  readonly currentDirectory?: string;
  /** Default: `defaultEnvironment` (a fresh Windows 10 session's variables). */
  readonly environment?: Readonly<Record<string, string>>;
  readonly console?: ConsoleIo;
  /** Creates the kernel (syscalls, API traps). Without one, the first syscall or trap stops the run. */
  readonly kernel?: KernelFactory;
  /** Finds DLLs that are not system DLLs (the CLI looks beside the program). */
  readonly findDll?: DllResolver;
  readonly build?: WindowsBuild;
  /** The machine (shared by processes); default a new one with a 2 GB commit limit. */
  readonly memory?: MemoryManager;
  /** PEB.BeingDebugged. */
  readonly beingDebugged?: boolean;
  /**
   * Drive C: of the sandboxed file system (kernel/file-io.ts): `host` (a `NodeFsHost` on a sandbox folder,
   * `programFolderHost` for the program's own folder as `C:\app`), `currentDirectory`. Default: an empty
   * in-memory drive.
   */
  readonly fileSystem?: FileSystemOptions;
  /**
   * The registry (kernel/registry.ts): a `Registry`, or `{ host, path }` — a file in the sandbox (JSON, or
   * .reg by extension) loaded when it exists and saved after every change. Default: a fresh default hive
   * in memory.
   */
  readonly registry?: RegistrySource;
}

export interface ProcessOptions extends CommonOptions {
  /** The program file (PE32 or PE32+). */
  readonly file: Uint8Array;
  /** File name for the default image path. */
  readonly name?: string;
  /** Load the program here instead of its preferred base (it must have relocations). */
  readonly imageBase?: number;
}

export interface ShellcodeOptions extends CommonOptions {
  readonly code: Uint8Array;
  readonly arch: Arch;
  /** Offset of the entry point in `code` (default 0). */
  readonly entry?: number;
}

/** Why `run` or `step` returned. */
export type ProcessStop =
  | { kind: "budget" }
  | { kind: "step" }
  | { kind: "breakpoint"; address: number }
  /** The process is gone; `status` is its exit code. */
  | { kind: "exit"; status: number; message: string }
  /** An exception nobody handles (exception dispatch is not implemented yet): the process ends with `code`. */
  | { kind: "exception"; code: number; address: number; fault: Fault | undefined; message: string }
  /**
   * A debugger's first chance (`Process.firstChance` said so): a CPU fault (`fault`) or a software exception
   * (RaiseException, NtRaiseException: `fault` undefined, `address` = ExceptionAddress, `params` its
   * ExceptionInformation) about to be dispatched to the guest's handlers; the thread's registers are the
   * exception's context; the next `run`/`step` dispatches it (WinDbg's `gn`).
   */
  | {
      kind: "first-chance";
      code: number;
      address: number;
      fault: Fault | undefined;
      message: string;
      params?: readonly number[];
    }
  /** The kernel stopped: an NT service or API that is not implemented, or a wait that cannot end. */
  | { kind: "unimplemented"; what: string; detail: string | undefined; message: string }
  | { kind: "halt"; reason: string; message: string };

/** Register values as hex strings (64-bit values do not fit a JSON number). */
export type RegisterContext = Record<string, string>;

interface StackInfo {
  readonly reserveBase: number;
  readonly top: number;
  /** TEB whose StackLimit follows the guard page, and its layout's offset. */
  readonly teb: number;
  readonly limitOffset: number;
  readonly bits: 32 | 64;
}

const systemSets = new Map<WindowsBuild, SystemDllSet>();

/** The synthetic system DLLs of a build (built once per host process; the images are immutable). */
export function systemDlls(build: WindowsBuild = DEFAULT_BUILD): SystemDllSet {
  let s = systemSets.get(build);
  if (s === undefined) {
    s = buildSystemDlls({ build });
    systemSets.set(build, s);
  }
  return s;
}

const OS_BUILD: Record<WindowsBuild, number> = { "win10-22h2": 19045, "win11-24h2": 26100 };

/**
 * A software exception's kind for messages. g++: libgcc's unwind-seh.c, GCC_EXCEPTION(TYPE) =
 * STATUS_USER_DEFINED (1 << 29) | TYPE << 24 | 'G' << 16 | 'C' << 8 | 'C': STATUS_GCC_THROW 0x20474343,
 * STATUS_GCC_UNWIND 0x21474343, STATUS_GCC_FORCED 0x22474343. MSVC: EXCEPTION_MSC 0xE06D7363 ('msc' | 0xE0000000).
 */
export function softwareExceptionName(code: number): string {
  switch (code >>> 0) {
    case 0x20474343:
      return "C++ exception (g++ throw)";
    case 0x21474343:
      return "C++ unwind (g++)";
    case 0x22474343:
      return "C++ forced unwind (g++)";
    case 0xe06d7363:
      return "C++ exception (MSVC throw)";
    default:
      return "Software exception";
  }
}

/** Copy the registers the thread shows at a first-chance stop from `fresh` into `into` (same layout). */
function mergeContext(into: Uint8Array, fresh: Uint8Array, arch: Arch): void {
  const copy = (off: number, len: number): void => into.set(fresh.subarray(off, off + len), off);
  if (arch === "x64") {
    const C = CONTEXT64;
    copy(C.MxCsr, 4);
    copy(C.EFlags, 4);
    copy(C.Rax, C.R15 + 8 - C.Rax);
    copy(C.Rip, 8);
    copy(C.FltSave + 0x18, 4);
    copy(C.Xmm0, 0x100);
  } else {
    const C = CONTEXT32;
    // Edi … Eax, Ebp, Eip, SegCs, EFlags, Esp (restoreFaultContext loads no x86 XMM state: that stays).
    copy(C.Edi, C.Esp + 4 - C.Edi);
  }
}

function hex(v: number, digits = 0): string {
  return "0x" + v.toString(16).toUpperCase().padStart(digits, "0");
}

type Program =
  | { kind: "exe"; file: Uint8Array; name: string; imageBase: number | undefined }
  | { kind: "shellcode"; code: Uint8Array; arch: Arch; entry: number };

/**
 * How deep guest calls from TypeScript may nest (exception handlers called by the dispatcher, handlers that
 * fault inside those, DLL entry points): far beyond any real program, well within the host's stack.
 */
const MAX_NESTED_CALLS = 64;

/** Thrown inside a nested guest call to unwind to the run loop when the process stopped. */
class GuestStopped {
  constructor(readonly stop: ProcessStop) {}
}

/**
 * Instructions a thread runs before the next ready thread gets the processor (round robin in creation
 * order). A fixed count, not time, so two runs of a program interleave its threads identically. A thread
 * also gives up the processor when it waits, yields (Sleep(0), SwitchToThread) or ends.
 */
export const TIME_SLICE = 20_000;

class Thread implements KernelThread {
  /** The registers while another thread runs (undefined while this one is loaded in the Cpu). */
  saved: CpuState | undefined = undefined;
  constructor(
    readonly id: number,
    readonly cpu: Cpu,
    readonly teb: number,
    readonly teb32: number,
    /** The start routine (the launcher for the initial thread). */
    readonly startAddress: number = 0,
  ) {}
}

export class Process implements KernelProcess {
  readonly id = 0x1a2c;
  readonly mm: MemoryManager;
  readonly mem: AddressSpace;
  readonly wow64: boolean;
  readonly arch: Arch;
  readonly peb: number;
  readonly peb32: number;
  readonly imagePath: string;
  readonly imageBase: number;
  readonly commandLine: string;
  readonly dlls: SystemDllSet;
  readonly console: ConsoleIo;
  readonly threads: Thread[] = [];
  exitStatus: number | undefined = undefined;
  readonly fileSystem: FileSystemOptions | undefined;
  readonly registry: RegistrySource | undefined;

  readonly cpu: Cpu;
  readonly modules: ModuleTable;
  /** The program's module (undefined for shellcode). */
  readonly exe: Module | undefined;
  readonly launcher: LauncherCode;
  /** Shellcode: where the code was placed. */
  readonly shellcodeBase: number = 0;
  readonly entryPoint: number;
  readonly kernel: KernelApi | undefined;
  /** PEB.ProcessHeap of the program's architecture (PEB32's for WOW64) and of the 64-bit PEB. */
  readonly processHeap: number;
  readonly processHeap64: number;
  /** Syscalls made so far. */
  syscalls = 0;
  /**
   * A debugger's first chance at exceptions (KiDispatchException offers it before any handler runs): CPU
   * faults and software exceptions (RaiseException, NtRaiseException(FirstChance = TRUE)). True stops
   * `run`/`step` with a "first-chance" stop; the exception is dispatched when the process runs again.
   */
  firstChance: ((code: number) => boolean) | undefined = undefined;
  /** The exception stopped at first chance, dispatched by the next `run`/`step` (exactly once). */
  private pendingFault:
    | { kind: "fault"; f: Fault; code: number; message: string }
    | {
        kind: "software";
        thread: KernelThread;
        record: ExceptionInfo;
        arch: Arch;
        context: Uint8Array;
        message: string;
      }
    | undefined = undefined;

  private readonly stacks: StackInfo[] = [];
  private readonly ldr: number;
  private final: ProcessStop | undefined = undefined;
  private readonly hasDetach: boolean;
  private shutdown: { status: number } | undefined = undefined;
  /** Nested guest calls in progress (LoadLibrary running DllMain). */
  private nestedReturn: number[] = [];
  private readonly callReturn: number;

  /** Bring up a program. Throws LoadError when it cannot be loaded (a malformed image, a missing DLL…). */
  static create(o: ProcessOptions): Process {
    return new Process(
      { kind: "exe", file: o.file, name: o.name ?? "program.exe", imageBase: o.imageBase },
      o,
    );
  }

  /** Raw code inside a full process (PEB, TEB, kernel32 loaded), called by the launcher with no arguments. */
  static createShellcode(o: ShellcodeOptions): Process {
    const entry = o.entry ?? 0;
    if (!Number.isInteger(entry) || entry < 0 || entry >= o.code.length) {
      throw new LoadError(`entry offset ${entry} is outside the ${o.code.length}-byte shellcode`, 0xc000000d);
    }
    return new Process({ kind: "shellcode", code: o.code, arch: o.arch, entry }, o);
  }

  private constructor(program: Program, o: CommonOptions) {
    this.fileSystem = o.fileSystem;
    this.registry = o.registry;
    const build = o.build ?? DEFAULT_BUILD;
    const pe = program.kind === "exe" ? parseImage(program.file, program.name) : undefined;
    this.arch =
      pe !== undefined
        ? pe.bits === 64
          ? "x64"
          : "x86"
        : program.kind === "shellcode"
          ? program.arch
          : "x64";
    const wow64 = this.arch === "x86";
    this.wow64 = wow64;
    const bits = wow64 ? 32 : 64;
    this.mm = o.memory ?? new MemoryManager();
    this.mem = new AddressSpace(this.mm, {
      wow64,
      largeAddressAware: pe?.largeAddressAware ?? false,
      executeDisable: wow64 ? (pe?.nxCompat ?? true) : true,
    });
    this.console = o.console ?? new BufferConsole();
    this.dlls = systemDlls(build);
    const mem = this.mem;

    // ---- system DLLs
    this.modules = new ModuleTable({
      mm: this.mm,
      mem,
      arch: this.arch,
      findDll: o.findDll,
      // advapi32 and the other system DLLs not mapped at start-up are mapped when imported.
      systemDll: (key, arch) => {
        const spec = this.dlls.specs.find((s) => s.arch === arch && s.fileName.toLowerCase() === key);
        return spec === undefined ? undefined : this.dlls.get(spec.dll, spec.arch);
      },
    });
    const sys = (dll: SystemDll["dll"], arch: Arch): Module => {
      const d = this.dlls.get(dll, arch);
      if (d === undefined) throw new LoadError(`the system DLL ${arch} ${dll} is missing`, 0xc0000135);
      return this.modules.mapSystem(d);
    };
    const ntdll64 = sys("ntdll", "x64");
    const sys64: Module[] = [ntdll64];
    const sysMain: Module[] = [];
    if (wow64) {
      sys64.push(sys("wow64", "x64"), sys("wow64win", "x64"), sys("wow64cpu", "x64"));
      sysMain.push(sys("ntdll", "x86"), sys("kernel32", "x86"), sys("kernelbase", "x86"));
    } else {
      sysMain.push(ntdll64, sys("kernel32", "x64"), sys("kernelbase", "x64"));
    }

    // ---- PEB and TEB pages: one 64 KB reservation at a fixed address
    const area = wow64 ? 0x7efd0000 : 0x7ffffd0000;
    this.reserve(area, ALLOCATION_GRANULARITY, !wow64);
    const teb64 = area + (wow64 ? 0xb000 : 0xe000);
    const teb32 = wow64 ? teb64 + WOW64_TEB32_OFFSET : 0;
    this.peb = area + (wow64 ? 0xf000 : 0xc000);
    this.peb32 = wow64 ? area + 0xe000 : 0;
    this.commit(teb64, TEB64.pages * PAGE_SIZE);
    this.commit(this.peb, PAGE_SIZE);
    if (wow64) {
      this.commit(teb32, TEB32.pages * PAGE_SIZE);
      this.commit(this.peb32, PAGE_SIZE);
    }

    // ---- the program and its DLLs
    let entryPoint: number;
    if (program.kind === "exe") {
      const exePath = o.imagePath ?? `C:\\app\\${program.name}`;
      this.exe = this.modules.loadExe(program.file, exePath, program.imageBase, pe);
      this.imagePath = exePath;
      this.imageBase = this.exe.base;
      entryPoint = this.exe.entry;
    } else {
      this.exe = undefined;
      this.imagePath = o.imagePath ?? "C:\\app\\shellcode.bin";
      const size = Math.max(PAGE_SIZE, Math.ceil(program.code.length / PAGE_SIZE) * PAGE_SIZE);
      const r = mem.allocate(0, size, MEM_RESERVE | MEM_COMMIT, PAGE_EXECUTE_READWRITE);
      if (r.status !== STATUS_SUCCESS)
        throw new LoadError("cannot allocate memory for the shellcode", r.status);
      mem.write(r.base, program.code, { force: true });
      this.shellcodeBase = r.base;
      this.imageBase = r.base;
      entryPoint = r.base + program.entry;
    }
    this.entryPoint = entryPoint;
    const dir = this.imagePath.slice(0, this.imagePath.lastIndexOf("\\") + 1) || "C:\\";
    const currentDirectory = o.currentDirectory ?? dir;
    this.commandLine =
      o.commandLine ?? [quoteArg(this.imagePath), ...(o.args ?? []).map((a) => quoteArg(a))].join(" ");

    // ---- heaps (the kernel's RtlAllocateHeap manages them)
    const heapReserve = Math.max(pe?.optionalHeader.sizeOfHeapReserve ?? 0, 0x100000);
    const heapCommit = Math.max(pe?.optionalHeader.sizeOfHeapCommit ?? 0, PAGE_SIZE);
    this.processHeap = this.heap(heapReserve, heapCommit, !wow64);
    this.processHeap64 = wow64 ? this.heap(0x100000, PAGE_SIZE, false) : this.processHeap;

    // ---- stacks: the program's sized from its header; a WOW64 thread also has a 64-bit stack
    const stackReserve = pe?.optionalHeader.sizeOfStackReserve || 0x100000;
    const stackCommit = pe?.optionalHeader.sizeOfStackCommit || PAGE_SIZE;
    const mainTeb = wow64 ? teb32 : teb64;
    const mainStack = this.stack(stackReserve, stackCommit, mainTeb, bits);
    const stack64 = wow64 ? this.stack(0x40000, 0x10000, teb64, 64) : mainStack;

    // ---- the initial thread and the kernel (which creates the console handles)
    this.cpu = new Cpu(mem);
    const cpu = this.cpu;
    mem.codeListeners.add((a, n, pg) =>
      pg !== undefined ? cpu.blocks.invalidatePhys(pg) : cpu.notifyWrite(a, n),
    );
    const thread = new Thread(0x1a30, cpu, teb64, teb32);
    this.threads.push(thread);
    this.current = thread;
    this.kernel = o.kernel?.(this);
    const std = this.kernel?.stdHandles ?? { input: 0, output: 0, error: 0 };

    // ---- process parameters and environment
    const envBlock = environmentBlock(o.environment ?? defaultEnvironment(wow64));
    const paramsInput = {
      imagePath: this.imagePath,
      commandLine: this.commandLine,
      currentDirectory: currentDirectory.endsWith("\\") ? currentDirectory : currentDirectory + "\\",
      environment: envBlock,
      stdInput: std.input,
      stdOutput: std.output,
      stdError: std.error,
    };
    const params64 = writeProcessParameters(mem, 64, paramsInput, false);
    const params32 = wow64 ? writeProcessParameters(mem, 32, paramsInput, false) : undefined;

    // ---- loader lists
    const exeList = this.exe === undefined ? [] : [this.exe];
    const dllsMain = this.modules.initOrder;
    const byInit = (list: Module[], order: string[]): Module[] =>
      order.map((n) => list.find((m) => m.name.toLowerCase() === n) as Module);
    let ldr64: number;
    let ldr32 = 0;
    if (wow64) {
      ldr64 = writeLoaderData(mem, 64, [...exeList, ...sys64], sys64, false).ldr;
      const init32 = [...byInit(sysMain, ["ntdll.dll", "kernelbase.dll", "kernel32.dll"]), ...dllsMain];
      ldr32 = writeLoaderData(mem, 32, [...exeList, ...sysMain, ...dllsMain], init32, false).ldr;
    } else {
      const init64 = [...byInit(sysMain, ["ntdll.dll", "kernelbase.dll", "kernel32.dll"]), ...dllsMain];
      ldr64 = writeLoaderData(mem, 64, [...exeList, ...sysMain, ...dllsMain], init64, false).ldr;
    }
    this.ldr = wow64 ? ldr32 : ldr64;

    // ---- static TLS of the program and its DLLs (TEB.ThreadLocalStoragePointer)
    const tlsArray = this.staticTls(bits);

    // ---- PEB(s) and TEB(s)
    const relocated = this.exe?.relocated ?? false;
    const pebCommon = {
      imageBase: this.imageBase,
      heapReserve,
      heapCommit,
      relocated,
      beingDebugged: o.beingDebugged ?? false,
      osBuild: OS_BUILD[build],
      subsystem: pe?.subsystem ?? 3,
      subsystemMajor: pe?.optionalHeader.majorSubsystemVersion ?? 6,
      subsystemMinor: pe?.optionalHeader.minorSubsystemVersion ?? 0,
    };
    writePeb(mem, 64, this.peb, {
      ...pebCommon,
      ldr: ldr64,
      params: params64.address,
      heap: this.processHeap64,
    });
    if (wow64 && params32 !== undefined) {
      writePeb(mem, 32, this.peb32, {
        ...pebCommon,
        ldr: ldr32,
        params: params32.address,
        heap: this.processHeap,
      });
    }
    // WOW64_CPURESERVED at the top of the 64-bit stack, the 64-bit stack pointer below it
    const cpuReserved = wow64 ? stack64.top - 0x300 : 0;
    const rsp64 = (wow64 ? cpuReserved : stack64.top) - 8;
    writeTeb(mem, 64, teb64, {
      peb: this.peb,
      pid: this.id,
      tid: thread.id,
      stackBase: stack64.top,
      stackLimit: stack64.limit,
      deallocationStack: stack64.reserveBase,
      exceptionList: wow64 ? teb32 : 0,
      tls: wow64 ? 0 : tlsArray,
      wowTebOffset: wow64 ? WOW64_TEB32_OFFSET : 0,
      tlsSlots: wow64 ? [rsp64, cpuReserved] : [],
    });
    if (wow64) {
      writeTeb(mem, 32, teb32, {
        peb: this.peb32,
        pid: this.id,
        tid: thread.id,
        stackBase: mainStack.top,
        stackLimit: mainStack.limit,
        deallocationStack: mainStack.reserveBase,
        exceptionList: 0xffffffff,
        tls: tlsArray,
        wowTebOffset: -WOW64_TEB32_OFFSET,
      });
    }
    this.writeKuserSharedData(build);

    // ---- the launcher: TLS callbacks and DllMain (attach), the entry point, ExitProcess; detach at exit
    const attach: InitCall[] = [];
    const detach: InitCall[] = [];
    const user = this.modules.initOrder.filter((m) => m.arch === this.arch);
    for (const m of user) {
      for (const cb of m.tlsCallbacks)
        attach.push({ fn: cb, base: m.base, checkResult: false, what: `${m.name} TLS callback` });
      if (m.entry !== 0)
        attach.push({ fn: m.entry, base: m.base, checkResult: true, what: `${m.name}!DllMain` });
    }
    for (const m of [...user].reverse()) {
      for (const cb of m.tlsCallbacks)
        detach.push({ fn: cb, base: m.base, checkResult: false, what: `${m.name} TLS callback` });
      if (m.entry !== 0)
        detach.push({ fn: m.entry, base: m.base, checkResult: false, what: `${m.name}!DllMain` });
    }
    if (this.exe !== undefined) {
      for (const cb of this.exe.tlsCallbacks) {
        attach.push({
          fn: cb,
          base: this.exe.base,
          checkResult: false,
          what: `${this.exe.name} TLS callback`,
        });
        detach.push({
          fn: cb,
          base: this.exe.base,
          checkResult: false,
          what: `${this.exe.name} TLS callback`,
        });
      }
    }
    this.hasDetach = detach.length > 0;
    const k32 = this.modules.get("kernel32.dll") as Module;
    const exitProcess = this.modules.procAddress(k32, "ExitProcess") ?? 0;
    const launcherBase = allocateBlock(mem, PAGE_SIZE, false);
    this.launcher = buildLauncher({
      base: launcherBase,
      bits,
      attach,
      detach,
      exitProcess,
      passPeb: program.kind === "exe",
    });
    if (this.launcher.bytes.length + 16 > PAGE_SIZE)
      throw new LoadError("too many initialization routines", 0xc0000017);
    mem.write(launcherBase, this.launcher.bytes, { force: true });
    this.callReturn = launcherBase + PAGE_SIZE - 16;
    mem.write(this.callReturn, Uint8Array.of(0x0f, 0x01, 0xc1), { force: true }); // vmcall: a nested call returned
    mem.protect(launcherBase, PAGE_SIZE, PAGE_EXECUTE_READ);

    // ---- the initial context
    this.startContext({
      teb64,
      teb32,
      rsp64,
      cpuReserved,
      stackTop: mainStack.top,
      pc: this.launcher.start,
      arg1: entryPoint,
      arg2: wow64 ? this.peb32 : this.peb,
    });
  }

  /**
   * A thread's first context on the Cpu: 64-bit mode with GS at its TEB. A native thread starts at `pc` with
   * RCX = arg1, RDX = arg2 on its stack; a WOW64 thread starts in wow64cpu!BTCpuSimulate on its 64-bit stack
   * with the 32-bit context in WOW64_CPURESERVED (EIP = pc, EAX = arg1, EBX = arg2, as RtlUserThreadStart
   * gets them), FS at its TEB32.
   */
  private startContext(t: {
    teb64: number;
    teb32: number;
    rsp64: number;
    cpuReserved: number;
    stackTop: number;
    pc: number;
    arg1: number;
    arg2: number;
  }): void {
    const cpu = this.cpu;
    cpu.setMode(64);
    cpu.gsBase = t.teb64;
    cpu.setEflags(0x202);
    if (this.wow64) {
      const fs = cpu.descriptors.get(0x53 >> 3);
      if (fs !== undefined) fs.base = t.teb32;
      cpu.fsBase = t.teb32;
      const btCpuSimulate = this.dlls.get("wow64cpu", "x64")?.exports.get("BTCpuSimulate");
      cpu.rip = btCpuSimulate !== undefined && "address" in btCpuSimulate ? btCpuSimulate.address : 0;
      this.setReg(Reg.RSP, t.rsp64);
      // WOW64_CPURESERVED { USHORT Flags; USHORT Machine; WOW64_CONTEXT Context; }, as RtlUserThreadStart gets it
      const ctx = t.cpuReserved + WOW64_CPURESERVED_CONTEXT;
      const C = WOW64_CONTEXT;
      const w = (off: number, v: number): void => pokeU32(this.mem, ctx + off, v);
      pokeU32(this.mem, t.cpuReserved, 0x014c << 16); // MachineType IMAGE_FILE_MACHINE_I386
      w(C.ContextFlags, 0x1003f); // CONTEXT_i386 | CONTEXT_ALL
      w(C.SegGs, 0x2b);
      w(C.SegFs, 0x53);
      w(C.SegEs, 0x2b);
      w(C.SegDs, 0x2b);
      w(C.SegCs, 0x23);
      w(C.SegSs, 0x2b);
      w(C.Eax, t.arg1);
      w(C.Ebx, t.arg2);
      w(C.Eip, t.pc);
      w(C.Esp, t.stackTop - 16);
      w(C.EFlags, 0x202);
      w(0x1c, 0x27f); // FloatSave.ControlWord
      w(0xcc + 0x18, 0x1f80); // ExtendedRegisters (FXSAVE) MxCsr
    } else {
      cpu.rip = t.pc;
      this.setReg(Reg.RCX, t.arg1);
      this.setReg(Reg.RDX, t.arg2);
      this.setReg(Reg.RSP, t.stackTop - 8);
    }
  }

  // ------------------------------------------------------------------ bring-up helpers

  private reserve(base: number, size: number, native64: boolean): void {
    const r = this.mem.allocate(base, size, MEM_RESERVE, PAGE_READWRITE, 0, { native64 });
    if (r.status !== STATUS_SUCCESS)
      throw new LoadError(`cannot reserve ${hex(base)}: status ${hex(r.status)}`, r.status);
  }

  private commit(base: number, size: number, protect = PAGE_READWRITE): void {
    const r = this.mem.allocate(base, size, MEM_COMMIT, protect, 0, { native64: true });
    if (r.status !== STATUS_SUCCESS)
      throw new LoadError(`cannot commit ${hex(base)}: status ${hex(r.status)}`, r.status);
  }

  private heap(reserve: number, commit: number, native64: boolean): number {
    const r = this.mem.allocate(0, reserve, MEM_RESERVE, PAGE_READWRITE, 0, { native64 });
    if (r.status !== STATUS_SUCCESS) throw new LoadError("cannot reserve the process heap", r.status);
    this.commit(r.base, Math.min(commit, r.size));
    return r.base;
  }

  /** A stack: `reserve` bytes reserved, the top `commit` bytes committed, a guard page below them. */
  private stack(
    reserve: number,
    commit: number,
    teb: number,
    bits: 32 | 64,
  ): { top: number; limit: number; reserveBase: number } {
    const size = Math.max(
      ALLOCATION_GRANULARITY,
      Math.ceil(reserve / ALLOCATION_GRANULARITY) * ALLOCATION_GRANULARITY,
    );
    const committed = Math.min(
      size - 2 * PAGE_SIZE,
      Math.max(PAGE_SIZE, Math.ceil(commit / PAGE_SIZE) * PAGE_SIZE),
    );
    const r = this.mem.allocate(0, size, MEM_RESERVE, PAGE_READWRITE);
    if (r.status !== STATUS_SUCCESS)
      throw new LoadError(`cannot reserve a ${hex(size)}-byte stack`, r.status);
    const top = r.base + size;
    const limit = top - committed;
    this.commit(limit, committed);
    this.commit(limit - PAGE_SIZE, PAGE_SIZE, PAGE_READWRITE | PAGE_GUARD);
    const L = bits === 64 ? TEB64 : TEB32;
    this.stacks.push({ reserveBase: r.base, top, teb, limitOffset: L.StackLimit, bits });
    return { top, limit, reserveBase: r.base };
  }

  /** Static TLS: the array of per-module blocks (template + zero fill) for the initial thread. */
  private staticTls(bits: 32 | 64): number {
    const withTls = this.modules.modules.filter((m) => m.tlsIndex >= 0);
    if (withTls.length === 0) return 0;
    const ptr = bits === 64 ? 8 : 4;
    const count = Math.max(...withTls.map((m) => m.tlsIndex)) + 1;
    let size = count * ptr;
    for (const m of withTls)
      size += Math.ceil(((m.pe.tls?.rawDataSize ?? 0) + (m.pe.tls?.sizeOfZeroFill ?? 0)) / 16) * 16 + 16;
    const base = allocateBlock(this.mem, size, false);
    let at = base + Math.ceil((count * ptr) / 16) * 16;
    for (const m of withTls) {
      const t = m.pe.tls;
      if (t === undefined) continue;
      const data = new Uint8Array(t.rawDataSize);
      this.mem.read(m.base + t.rawDataRva, data, { force: true });
      this.mem.write(at, data, { force: true });
      const slot = base + m.tlsIndex * ptr;
      pokeU32(this.mem, slot, at % TWO32);
      if (bits === 64) pokeU32(this.mem, slot + 4, Math.floor(at / TWO32));
      at += Math.ceil((t.rawDataSize + t.sizeOfZeroFill) / 16) * 16 + 16;
    }
    return base;
  }

  private writeKuserSharedData(build: WindowsBuild): void {
    const b = new Uint8Array(PAGE_SIZE);
    const dv = new DataView(b.buffer);
    dv.setUint32(KUSD.TickCountMultiplier, 0x0fa00000, true);
    dv.setUint16(KUSD.ImageNumberLow, 0x014c, true);
    dv.setUint16(KUSD.ImageNumberHigh, 0x8664, true);
    const root = "C:\\Windows";
    for (let k = 0; k < root.length; k++) dv.setUint16(KUSD.NtSystemRoot + 2 * k, root.charCodeAt(k), true);
    dv.setUint32(KUSD.NtBuildNumber, OS_BUILD[build], true);
    dv.setUint32(KUSD.NtProductType, 1, true); // NtProductWinNt (a workstation)
    b[KUSD.ProductTypeIsValid] = 1;
    dv.setUint16(KUSD.NativeProcessorArchitecture, 9, true); // PROCESSOR_ARCHITECTURE_AMD64
    dv.setUint32(KUSD.NtMajorVersion, 10, true);
    dv.setUint32(KUSD.NtMinorVersion, 0, true);
    dv.setUint32(KUSD.NumberOfPhysicalPages, Math.floor(this.mm.stats().commitLimit / PAGE_SIZE), true);
    dv.setUint32(KUSD.ActiveProcessorCount, 1, true);
    // Only the static fields: the kernel owns the clocks (InterruptTime, SystemTime, TickCount).
    const fields: [number, number][] = [
      [KUSD.TickCountMultiplier, 4],
      [KUSD.ImageNumberLow, 4],
      [KUSD.NtSystemRoot, 2 * root.length + 2],
      [KUSD.NtBuildNumber, 0x14],
      [KUSD.NumberOfPhysicalPages, 4],
      [KUSD.ActiveProcessorCount, 4],
    ];
    for (const [off, n] of fields) this.mm.writeKuserSharedData(off, b.subarray(off, off + n));
  }

  private setReg(r: number, v: number): void {
    this.cpu.lo[r] = (v % TWO32) | 0;
    this.cpu.hi[r] = Math.floor(v / TWO32) | 0;
  }

  private reg(r: number): number {
    return (this.cpu.hi[r] >>> 0) * TWO32 + (this.cpu.lo[r] >>> 0);
  }

  // ------------------------------------------------------------------ running

  get mainThread(): KernelThread {
    return this.threads[0];
  }

  // ------------------------------------------------------------------ threads (scheduling: see TIME_SLICE)

  /** The thread whose registers are in the Cpu: the one running, or the one that ran last. */
  private current!: Thread;
  private sliceUsed = 0;
  private switchPending = false;
  /** Where the current thread stood in `threads` when it ended (round robin goes on from there). */
  private removedAt = 0;
  private nextThreadId = 0x1a34;
  private threadLauncher: ThreadLauncherCode | undefined = undefined;

  /**
   * The start-up code pages wowdbg writes where Windows runs LdrInitializeThunk and BaseThreadInitThunk
   * (DLL notifications, then the entry point or the thread's start routine), with names for their entry
   * points: a debugger names the bottom frames of a stack with them.
   */
  get loaderPages(): { base: number; size: number; symbols: { name: string; address: number }[] }[] {
    const out = [
      {
        base: this.launcher.base,
        size: PAGE_SIZE,
        symbols: [
          { name: "ProcessStart", address: this.launcher.start },
          { name: "ProcessExit", address: this.launcher.detach },
        ],
      },
    ];
    const tl = this.threadLauncher;
    if (tl !== undefined) {
      out.push({
        base: tl.base,
        size: PAGE_SIZE,
        symbols: [
          { name: "ThreadStart", address: tl.start },
          { name: "ThreadStartNoAttach", address: tl.startSkipAttach },
        ],
      });
    }
    return out;
  }
  private freshState: CpuState | undefined = undefined;

  /** The thread that runs (or ran last, or stopped): the debugger shows its registers. */
  get currentThread(): KernelThread {
    return this.current;
  }

  /** The saved registers of a thread that is not running (undefined for the current thread). */
  savedState(t: KernelThread): CpuState | undefined {
    return t === this.current ? undefined : (t as Thread).saved;
  }

  /** Why a thread does not run ("suspended", what it waits on), or undefined when it is ready. */
  threadWait(t: KernelThread): string | undefined {
    return this.kernel?.waitOf?.(t)?.what;
  }

  /**
   * Before running: keep the current thread while it may run and its time slice lasts, else switch to the
   * next ready thread in creation order. When every thread waits, time jumps to the earliest timeout; when
   * none has one, the process is deadlocked: a stop naming what each thread waits on.
   */
  private schedule(): ProcessStop | undefined {
    const k = this.kernel;
    if (k?.waitOf === undefined) return undefined;
    const cur = this.current;
    const alive = this.threads.includes(cur);
    if (this.threads.length > 1 || !alive || this.switchPending) k.expireWaits?.();
    if (alive && !this.switchPending && this.sliceUsed < TIME_SLICE && k.waitOf(cur) === undefined)
      return undefined;
    if (alive && this.threads.length === 1 && k.waitOf(cur) === undefined) {
      this.sliceUsed = 0;
      this.switchPending = false;
      return undefined;
    }
    for (let guard = 0; guard < 1000; guard++) {
      const n = this.threads.length;
      if (n === 0) return this.finish(this.exitStatus ?? 0);
      const pos = this.threads.indexOf(cur);
      const base = pos >= 0 ? pos : this.removedAt - 1;
      for (let i = 1; i <= n; i++) {
        const t = this.threads[(((base + i) % n) + n) % n];
        if (k.waitOf(t) === undefined) {
          this.switchTo(t);
          return undefined;
        }
      }
      let deadline = Infinity;
      for (const t of this.threads) deadline = Math.min(deadline, k.waitOf(t)?.deadline ?? Infinity);
      if (deadline === Infinity) break;
      k.advanceTo?.(deadline);
    }
    const waitOf = k.waitOf.bind(k);
    const waits = this.threads.map((t) => `thread ${hex(t.id)}: ${waitOf(t)?.what ?? "?"}`).join("; ");
    return this.end({
      kind: "unimplemented",
      what: "deadlock",
      detail: waits,
      message: `every thread would wait forever (deadlock): ${waits}`,
    });
  }

  private switchTo(t: Thread): void {
    const cur = this.current;
    this.sliceUsed = 0;
    this.switchPending = false;
    if (t === cur) return;
    if (this.threads.includes(cur)) cur.saved = this.cpu.saveState();
    if (t.saved !== undefined) this.cpu.loadState(t.saved);
    t.saved = undefined;
    this.current = t;
  }

  /** A thread is gone (it ended, or the process is ending: `status` then signals its object). */
  private threadGone(t: Thread, status?: number): undefined {
    if (status !== undefined) this.kernel?.endThread?.(t, status);
    const i = this.threads.indexOf(t);
    if (i < 0) return undefined;
    this.threads.splice(i, 1);
    if (t === this.current) this.removedAt = i;
    return undefined;
  }

  /**
   * KernelProcess.terminateThread (TerminateThread, NtTerminateProcess(NULL)): another thread ends where it
   * stands, without DLL_THREAD_DETACH; its object is signaled with `status`.
   */
  terminateThread(t: KernelThread, status: number): boolean {
    const th = t as Thread;
    if (th === this.current || !this.threads.includes(th)) return false;
    this.threadGone(th, status);
    return true;
  }

  /** KernelProcess.withThreadRegisters: `fn` on a thread's registers (loaded into the Cpu for the call). */
  withThreadRegisters(t: KernelThread, fn: (cpu: Cpu) => void): void {
    const th = t as Thread;
    if (th === this.current || th.saved === undefined) return fn(this.cpu);
    const running = this.cpu.saveState();
    this.cpu.loadState(th.saved);
    try {
      fn(this.cpu);
    } finally {
      th.saved = this.cpu.saveState();
      this.cpu.loadState(running);
    }
  }

  /** KernelProcess.setThreadResult: RAX/EAX of a thread whose wait ended. */
  setThreadResult(t: KernelThread, value: number): void {
    const th = t as Thread;
    const lo = (value % TWO32) | 0;
    if (th === this.current || th.saved === undefined) {
      this.cpu.lo[Reg.RAX] = lo;
      this.cpu.hi[Reg.RAX] = 0;
    } else {
      th.saved.lo[Reg.RAX] = lo;
      th.saved.hi[Reg.RAX] = 0;
    }
  }

  /** KernelProcess.beginThreadExit: the current thread goes to the DLL_THREAD_DETACH path of the launcher. */
  beginThreadExit(t: KernelThread, status: number): boolean {
    if (t !== this.current) return false;
    const tl = this.ensureThreadLauncher();
    if (tl === undefined) return false;
    const cpu = this.cpu;
    this.setReg(Reg.RBX, status >>> 0);
    if (tl.bits === 32) {
      cpu.setMode(32);
      this.setReg(Reg.RSP, ((((cpu.lo[Reg.RSP] >>> 0) - 0x100) & ~15) - 4) >>> 0);
    } else this.setReg(Reg.RSP, Math.floor((this.reg(Reg.RSP) - 0x100) / 16) * 16 - 8);
    cpu.rip = tl.detach;
    return true;
  }

  /**
   * The thread launcher page, made when the first thread is created: DLL_THREAD_ATTACH / DETACH for the
   * program's DLLs loaded by then (DllMain, then TLS callbacks, dependencies first; detach in reverse) and
   * the program's TLS callbacks.
   */
  private ensureThreadLauncher(): ThreadLauncherCode | undefined {
    if (this.threadLauncher !== undefined) return this.threadLauncher;
    const ntdll = this.modules.get("ntdll.dll", this.arch);
    const userThreadStart = ntdll && this.modules.procAddress(ntdll, "RtlUserThreadStart");
    const terminateThread = ntdll && this.modules.procAddress(ntdll, "NtTerminateThread");
    if (!userThreadStart || !terminateThread) return undefined;
    const attach: InitCall[] = [];
    for (const m of this.modules.initOrder.filter((x) => x.arch === this.arch)) {
      for (const cb of m.tlsCallbacks)
        attach.push({ fn: cb, base: m.base, checkResult: false, what: `${m.name} TLS callback` });
      if (m.entry !== 0)
        attach.push({ fn: m.entry, base: m.base, checkResult: false, what: `${m.name}!DllMain` });
    }
    const exe = this.exe;
    const exeCallbacks: InitCall[] = (exe?.tlsCallbacks ?? []).map((cb) => ({
      fn: cb,
      base: exe?.base ?? 0,
      checkResult: false,
      what: `${exe?.name ?? ""} TLS callback`,
    }));
    const base = allocateBlock(this.mem, PAGE_SIZE, false);
    const tl = buildThreadLauncher({
      base,
      bits: this.wow64 ? 32 : 64,
      attach: [...attach, ...exeCallbacks],
      detach: [...[...attach].reverse(), ...exeCallbacks],
      userThreadStart,
      terminateThread,
    });
    if (tl.bytes.length > PAGE_SIZE) return undefined;
    this.mem.write(base, tl.bytes, { force: true });
    this.mem.protect(base, PAGE_SIZE, PAGE_EXECUTE_READ);
    this.threadLauncher = tl;
    return tl;
  }

  /**
   * KernelProcess.createThread (NtCreateThreadEx): a TEB (and a TEB32 0x2000 above it in WOW64, linked
   * through WowTebOffset and NtTib.ExceptionList as for the initial thread), the stacks (the thread's as
   * asked or as the image header says, and a 64-bit one in WOW64 with WOW64_CPURESERVED at its top), static
   * TLS blocks, and the initial context at the thread launcher.
   */
  createThread(o: NewThread): KernelThread | number {
    const tl = this.ensureThreadLauncher();
    if (tl === undefined) return 0xc0000017; // STATUS_NO_MEMORY
    const wow64 = this.wow64;
    const bits = wow64 ? 32 : 64;
    const id = this.nextThreadId;
    const r = this.mem.allocate(0, ALLOCATION_GRANULARITY, MEM_RESERVE | MEM_COMMIT, PAGE_READWRITE, 0, {
      native64: !wow64,
    });
    if (r.status !== STATUS_SUCCESS) return r.status;
    this.nextThreadId += 4;
    const teb64 = r.base;
    const teb32 = wow64 ? teb64 + WOW64_TEB32_OFFSET : 0;
    // RtlpCreateStack: the image header's sizes by default; a commit at or past the reserve gets a reserve
    // of the commit rounded up to 1 MB.
    const oh = this.exe?.pe.optionalHeader;
    const commit = o.stackCommit || oh?.sizeOfStackCommit || PAGE_SIZE;
    let reserve = o.stackReserve || oh?.sizeOfStackReserve || 0x100000;
    if (commit >= reserve) reserve = Math.ceil(commit / 0x100000) * 0x100000;
    let mainStack: { top: number; limit: number; reserveBase: number };
    let stack64: { top: number; limit: number; reserveBase: number };
    try {
      mainStack = this.stack(reserve, commit, wow64 ? teb32 : teb64, bits);
      stack64 = wow64 ? this.stack(0x40000, 0x10000, teb64, 64) : mainStack;
    } catch (e) {
      if (e instanceof LoadError) return e.status;
      throw e;
    }
    const tlsArray = this.staticTls(bits);
    const cpuReserved = wow64 ? stack64.top - 0x300 : 0;
    const rsp64 = (wow64 ? cpuReserved : stack64.top) - 8;
    writeTeb(this.mem, 64, teb64, {
      peb: this.peb,
      pid: this.id,
      tid: id,
      stackBase: stack64.top,
      stackLimit: stack64.limit,
      deallocationStack: stack64.reserveBase,
      exceptionList: wow64 ? teb32 : 0,
      tls: wow64 ? 0 : tlsArray,
      wowTebOffset: wow64 ? WOW64_TEB32_OFFSET : 0,
      tlsSlots: wow64 ? [rsp64, cpuReserved] : [],
      initialThread: false,
    });
    if (wow64) {
      writeTeb(this.mem, 32, teb32, {
        peb: this.peb32,
        pid: this.id,
        tid: id,
        stackBase: mainStack.top,
        stackLimit: mainStack.limit,
        deallocationStack: mainStack.reserveBase,
        exceptionList: 0xffffffff,
        tls: tlsArray,
        wowTebOffset: -WOW64_TEB32_OFFSET,
        initialThread: false,
      });
    }
    // The initial context, built on the Cpu and saved (the running thread's registers are put back).
    const cpu = this.cpu;
    const running = cpu.saveState();
    this.freshState ??= new Cpu(this.mem).saveState();
    cpu.loadState(this.freshState);
    this.startContext({
      teb64,
      teb32,
      rsp64,
      cpuReserved,
      stackTop: mainStack.top,
      pc: o.skipAttach ? tl.startSkipAttach : tl.start,
      arg1: o.start,
      arg2: o.parameter,
    });
    const thread = new Thread(id, cpu, teb64, teb32, o.start);
    thread.saved = cpu.saveState();
    cpu.loadState(running);
    this.threads.push(thread);
    return thread;
  }

  /** Instructions retired so far. */
  get instructions(): number {
    return this.cpu.icount;
  }

  /** Set once the process has ended (exit, unhandled exception, unimplemented service). */
  get finished(): ProcessStop | undefined {
    return this.final;
  }

  /** Run up to `budget` instructions. */
  run(budget: number): ProcessStop {
    if (this.final !== undefined) return this.final;
    if (this.pendingFault !== undefined) {
      const p = this.deliverPending();
      if (p !== undefined) return p;
    }
    const start = this.cpu.icount;
    for (;;) {
      const sw = this.schedule();
      if (sw !== undefined) return sw;
      const left = budget - (this.cpu.icount - start);
      if (left <= 0) return { kind: "budget" };
      const before = this.cpu.icount;
      const s = this.cpu.run(this.threads.length > 1 ? Math.min(left, TIME_SLICE - this.sliceUsed) : left);
      this.sliceUsed += this.cpu.icount - before;
      if (s.kind === "budget") continue; // the budget or the time slice: the loop decides
      const r = this.handle(s);
      if (r !== undefined) return r;
    }
  }

  /** Execute one instruction (a syscall or trap instruction completes with its kernel work). */
  step(): ProcessStop {
    if (this.final !== undefined) return this.final;
    if (this.pendingFault !== undefined) return this.deliverPending() ?? { kind: "step" };
    const sw = this.schedule();
    if (sw !== undefined) return sw;
    const before = this.cpu.icount;
    const s = this.cpu.step();
    this.sliceUsed += this.cpu.icount - before;
    const r = this.handle(s);
    return r ?? { kind: "step" };
  }

  /** What a CPU stop means for the process: undefined to go on. */
  private handle(s: StopReason): ProcessStop | undefined {
    try {
      return this.dispatch(s);
    } catch (e) {
      if (e instanceof GuestStopped) {
        this.nestedReturn = [];
        return e.stop;
      }
      if (e instanceof ContextTransfer) {
        // RtlUnwindEx (or a context restore) left every nested guest call: go on from its context.
        this.nestedReturn = [];
        e.apply(this.cpu);
        return undefined;
      }
      throw e;
    }
  }

  private dispatch(s: StopReason): ProcessStop | undefined {
    const thread = this.current;
    switch (s.kind) {
      case "budget":
        return { kind: "budget" };
      case "step":
        return { kind: "step" };
      case "breakpoint":
        return { kind: "breakpoint", address: s.address };
      case "halt":
      case "stop":
        return { kind: "halt", reason: s.reason, message: `stopped: ${s.reason}` };
      case "syscall": {
        this.syscalls++;
        if (this.kernel === undefined) {
          return this.kernelStop({
            kind: "unimplemented",
            what: "syscall",
            detail: `no kernel (eax ${hex(this.cpu.lo[0] >>> 0)})`,
          });
        }
        const r = this.kernel.syscall(thread);
        return r === undefined ? undefined : this.kernelStop(r);
      }
      case "fault":
        return this.fault(s.fault, thread);
    }
  }

  private fault(f: Fault, thread: KernelThread): ProcessStop | undefined {
    if (f.vector === "UD") {
      const trap = this.dlls.trapAt(f.rip);
      if (trap !== undefined && this.modules.at(f.rip)?.system !== undefined) return this.trap(thread, trap);
      const l = this.launcher.traps;
      if (f.rip === this.callReturn && this.nestedReturn.length > 0) {
        this.nestedReturn.pop();
        return { kind: "halt", reason: "nested-return", message: "" };
      }
      if (f.rip === l.detachDone) return this.finish(this.shutdown?.status ?? 0);
      if (f.rip === l.initFailed) {
        return this.end({
          kind: "exception",
          code: STATUS_DLL_INIT_FAILED,
          address: f.rip,
          fault: undefined,
          message: `A DLL's initialization routine (DllMain) returned FALSE: process initialization failed (${hex(STATUS_DLL_INIT_FAILED)})`,
        });
      }
      if (f.rip === l.exitReturned) {
        return this.end({
          kind: "unimplemented",
          what: "ExitProcess",
          detail: "returned",
          message: "kernel32!ExitProcess returned to the launcher",
        });
      }
    }
    if (f.vector === "PF" && f.status === STATUS_GUARD_PAGE_VIOLATION && f.address !== undefined) {
      const grown = this.growStack(f.address);
      if (grown === true) return undefined;
      if (grown === false) {
        const overflow = {
          kind: "exception",
          code: STATUS_STACK_OVERFLOW,
          address: f.rip,
          fault: f,
          message: `Stack overflow at ${this.where(f.rip)}`,
        } as const;
        const o = this.offerFault(thread, f, overflow.code, overflow.message);
        return o !== null ? o : this.end(overflow);
      }
    }
    const { code, message } = this.describeFault(f);
    const o = this.offerFault(thread, f, code, message);
    if (o !== null) return o;
    return this.end({ kind: "exception", code, address: f.rip, fault: f, message });
  }

  /**
   * Dispatch a fault to the guest, or first stop for the debugger's first chance (not inside a nested guest
   * call: a handler's own fault is dispatched at once). null when it could not be delivered.
   */
  private offerFault(
    thread: KernelThread,
    f: Fault,
    code: number,
    message: string,
  ): ProcessStop | undefined | null {
    if (
      this.kernel !== undefined &&
      this.nestedReturn.length === 0 &&
      this.firstChance?.(code >>> 0) === true
    ) {
      this.pendingFault = { kind: "fault", f, code, message };
      this.cpu.rip = f.rip;
      return { kind: "first-chance", code, address: f.rip, fault: f, message };
    }
    return this.raiseFault(thread, f, code, message) ? undefined : null;
  }

  /** The exception stopped at first chance goes to the guest's handlers now; a stop when it cannot. */
  private deliverPending(): ProcessStop | undefined {
    const p = this.pendingFault;
    this.pendingFault = undefined;
    if (p === undefined) return undefined;
    if (p.kind === "software") return this.deliverSoftware(p);
    if (this.raiseFault(this.current, p.f, p.code, p.message)) return undefined;
    return this.end({ kind: "exception", code: p.code, address: p.f.rip, fault: p.f, message: p.message });
  }

  /**
   * KernelProcess.wantsFirstChance: NtRaiseException / RaiseException ask before dispatching a software
   * exception. Not inside a nested guest call (an exception raised by a handler is dispatched at once).
   */
  wantsFirstChance(code: number): boolean {
    return (
      this.kernel !== undefined && this.nestedReturn.length === 0 && this.firstChance?.(code >>> 0) === true
    );
  }

  /**
   * A software exception held at first chance (the kernel's "first-chance" stop): the thread's registers
   * become its context (where it was raised: the debugger shows that frame, WinDbg's `.exr`/`.cxr` view),
   * and the next `run`/`step` delivers it to KiUserExceptionDispatcher (`deliverSoftware`).
   */
  private holdSoftware(r: Extract<KernelStop, { kind: "first-chance" }>): ProcessStop {
    const code = r.record.code >>> 0;
    const message = `${softwareExceptionName(code)} (exception ${hex(code, 8)}) at ${this.where(r.record.address)}`;
    this.pendingFault = {
      kind: "software",
      thread: this.current,
      record: r.record,
      arch: r.arch,
      context: r.context,
      message,
    };
    this.restoreFaultContext(r.arch, r.context);
    return {
      kind: "first-chance",
      code,
      address: r.record.address,
      fault: undefined,
      message,
      params: r.record.params,
    };
  }

  /**
   * Deliver a held software exception as the kernel would have: the exception's context (captured again
   * from the registers, so edits made at the stop count, as they do to the trap frame on Windows) and its
   * record on the user stack, the thread at `arch`'s KiUserExceptionDispatcher. Ends the process when the
   * frame cannot be written.
   */
  private deliverSoftware(
    p: Extract<NonNullable<typeof this.pendingFault>, { kind: "software" }>,
  ): ProcessStop | undefined {
    if (p.thread !== this.current) {
      return this.end({
        kind: "unimplemented",
        what: "first-chance delivery",
        detail: `held on thread ${p.thread.id}, resumed on thread ${this.current.id}`,
        message: `a software exception held at first chance on thread ${p.thread.id} cannot be delivered on thread ${this.current.id}`,
      });
    }
    const cpu = this.cpu;
    const fresh = p.arch === "x64" ? captureContext64(cpu) : captureContext32(cpu);
    // The registers the CPU has replace those in the context; the rest (ContextFlags, FPU control) stays.
    const context = p.context.slice();
    mergeContext(context, fresh, p.arch);
    try {
      if (deliverException(this, new UserMemory(this.mem), p.thread, p.arch, p.record, context))
        return undefined;
    } catch (err) {
      if (!(err instanceof GuestFault)) throw err;
    }
    return this.end({
      kind: "exception",
      code: p.record.code,
      address: p.record.address,
      fault: undefined,
      message: `${p.message}: the exception frame cannot be written`,
    });
  }

  /** Faults delivered as exceptions, by "code:address", for the message when one goes unhandled. */
  private readonly delivered = new Map<
    string,
    { message: string; fault: Fault; arch: Arch; context: Uint8Array }
  >();

  /**
   * A CPU fault becomes a Windows exception: the CONTEXT and EXCEPTION_RECORD go on the user stack and the
   * thread continues at ntdll!KiUserExceptionDispatcher (x86 ntdll's for 32-bit code of a WOW64 thread).
   * False when there is no kernel or the frame cannot be written: the process then ends here.
   */
  private raiseFault(thread: KernelThread, f: Fault, code: number, message: string): boolean {
    if (this.kernel === undefined) return false;
    const cpu = this.cpu;
    const arch: Arch = cpu.mode64 ? "x64" : "x86";
    const e = exceptionOfFault(f, code, cpu.bits);
    const saved = cpu.rip;
    cpu.rip = f.rip;
    // The single-step trap clears TF for the handler: the context it gets has TF clear, and a handler that
    // wants to go on tracing sets it again (ReactOS KiTrap01Handler: TrapFrame->EFlags &= ~EFLAGS_TF).
    if (f.vector === "DB") cpu.setEflags(cpu.getEflags() & ~0x100);
    const context = arch === "x64" ? captureContext64(cpu) : captureContext32(cpu);
    try {
      if (!deliverException(this, new UserMemory(this.mem), thread, arch, e, context)) {
        cpu.rip = saved;
        return false;
      }
    } catch (err) {
      if (!(err instanceof GuestFault)) throw err;
      cpu.rip = saved;
      return false;
    }
    this.delivered.set(`${code >>> 0}:${f.rip}`, { message, fault: f, arch, context });
    return true;
  }

  private trap(thread: KernelThread, entry: TrapEntry): ProcessStop | undefined {
    if (this.kernel === undefined) {
      return this.kernelStop({
        kind: "unimplemented",
        what: `${entry.dll}!${entry.name}`,
        detail: "no kernel",
      });
    }
    const r = this.kernel.trap(thread, entry);
    return r === undefined ? undefined : this.kernelStop(r);
  }

  /** A stack guard page was touched: commit the next one down (MiCheckForUserStackOverflow). */
  private growStack(addr: number): boolean | undefined {
    const st = this.stacks.find((s) => addr >= s.reserveBase && addr < s.top);
    if (st === undefined) return undefined;
    const page = addr - (addr % PAGE_SIZE);
    if (st.bits === 64) {
      pokeU32(this.mem, st.teb + st.limitOffset, page % TWO32);
      pokeU32(this.mem, st.teb + st.limitOffset + 4, Math.floor(page / TWO32));
    } else pokeU32(this.mem, st.teb + st.limitOffset, page);
    // Windows keeps the last page of the reservation uncommitted: no guard below it is a stack overflow.
    if (page - PAGE_SIZE <= st.reserveBase) return false;
    this.commit(page - PAGE_SIZE, PAGE_SIZE, PAGE_READWRITE | PAGE_GUARD);
    return true;
  }

  private kernelStop(r: KernelStop): ProcessStop | undefined {
    switch (r.kind) {
      case "exit":
        return this.exit(r.status, r.abrupt === true);
      case "unimplemented":
        return this.end({
          kind: "unimplemented",
          what: r.what,
          detail: r.detail,
          message: `not implemented: ${r.what}${r.detail ? ` (${r.detail})` : ""} at ${this.where(this.cpu.rip)}`,
        });
      case "thread-exit":
        return this.threadGone(this.current);
      case "wait":
        // The kernel recorded the wait; `schedule` runs another thread. A nested guest call cannot switch.
        if (this.nestedReturn.length > 0)
          return this.end({
            kind: "unimplemented",
            what: "a wait inside a nested guest call",
            detail: this.kernel?.waitOf?.(this.current)?.what,
            message: `a wait inside a nested guest call (DllMain, an exception handler) cannot switch threads: ${this.kernel?.waitOf?.(this.current)?.what ?? ""}`,
          });
        return undefined;
      case "yield":
        this.switchPending = true;
        return undefined;
      case "exception": {
        const d = this.delivered.get(`${r.code >>> 0}:${r.address}`);
        if (d !== undefined) this.restoreFaultContext(d.arch, d.context);
        // A software exception's second chance: NtRaiseException's context becomes the registers.
        else if (r.context !== undefined && r.arch !== undefined) this.restoreFaultContext(r.arch, r.context);
        if (d !== undefined)
          return this.end({
            kind: "exception",
            code: r.code,
            address: r.address,
            fault: d.fault,
            message: d.message,
          });
        return this.end({
          kind: "exception",
          code: r.code,
          address: r.address,
          fault: undefined,
          message: `${r.what} (exception ${hex(r.code, 8)}) at ${this.where(this.cpu.rip)}`,
        });
      }
      case "continue":
        return undefined;
      case "first-chance":
        return this.holdSoftware(r);
      case "blocked":
        return this.end({
          kind: "unimplemented",
          what: r.what,
          detail: r.detail,
          message: `the thread would wait forever: ${r.what}${r.detail ? ` (${r.detail})` : ""}`,
        });
    }
  }

  /**
   * A second chance: NtRaiseException(FirstChance = FALSE) makes the exception's context the thread's
   * registers (KiRaiseException → KeContextToKframes) before the debugger sees it, so the thread stands at
   * the faulting instruction again; the context is the one captured when the fault was dispatched.
   */
  private restoreFaultContext(arch: Arch, context: Uint8Array): void {
    const cpu = this.cpu;
    if (arch === "x64") return loadContext64(cpu, context);
    const dv = new DataView(context.buffer, context.byteOffset, context.byteLength);
    const C = CONTEXT32;
    const gpr = [C.Eax, C.Ecx, C.Edx, C.Ebx, C.Esp, C.Ebp, C.Esi, C.Edi];
    cpu.setMode(32);
    for (let r = 0; r < 8; r++) {
      cpu.lo[r] = dv.getInt32(gpr[r], true);
      cpu.hi[r] = 0;
    }
    cpu.setEflags(dv.getUint32(C.EFlags, true));
    cpu.rip = dv.getUint32(C.Eip, true);
  }

  /** The process exits: run the DLL_PROCESS_DETACH notifications first, unless abrupt or already running. */
  private exit(status: number, abrupt: boolean): ProcessStop | undefined {
    this.exitStatus = status;
    // NtTerminateProcess ends every other thread first (RtlExitUserProcess's NtTerminateProcess(NULL)).
    for (const t of [...this.threads]) if (t !== this.current) this.threadGone(t, status);
    if (this.shutdown !== undefined || abrupt || !this.hasDetach) {
      return this.finish(this.shutdown?.status ?? status);
    }
    this.shutdown = { status };
    this.nestedReturn = [];
    const cpu = this.cpu;
    if (this.wow64) {
      // Back to 32-bit code below the x86 stack pointer WOW64_CONTEXT saved at the last transition.
      const ctx = peekU32(this.mem, this.current.teb + TEB64.TlsSlots + 8) ?? 0;
      const esp = cpu.mode64
        ? (peekU32(this.mem, ctx + WOW64_CPURESERVED_CONTEXT + WOW64_CONTEXT.Esp) ?? 0)
        : cpu.lo[Reg.RSP] >>> 0;
      cpu.setMode(32);
      this.setReg(Reg.RSP, ((esp - 0x400) & ~15) >>> 0);
    } else {
      this.setReg(Reg.RSP, Math.floor((this.reg(Reg.RSP) - 0x400) / 16) * 16 - 8);
    }
    cpu.rip = this.launcher.detach;
    return undefined;
  }

  private finish(status: number): ProcessStop {
    this.exitStatus = status;
    return this.end({
      kind: "exit",
      status,
      message: `exited with code ${status >>> 0} (${hex(status >>> 0, 8)})`,
    });
  }

  private end(stop: ProcessStop): ProcessStop {
    if (this.final === undefined) this.final = stop;
    if (this.nestedReturn.length > 0) throw new GuestStopped(stop);
    return this.final;
  }

  /**
   * Call guest code at `fn` on the current thread with `args` (stdcall in 32-bit mode, the Microsoft x64
   * convention in 64-bit mode) until it returns; the registers are restored afterwards. Syscalls and traps
   * it makes are served; breakpoints inside are not reported. Returns EAX/RAX.
   */
  /** KernelProcess.nestedReturnAddress: where nested guest calls return to (their boundary on the stack). */
  get nestedReturnAddress(): number {
    return this.callReturn;
  }

  callGuest(fn: number, args: readonly number[]): number {
    const cpu = this.cpu;
    if (this.nestedReturn.length >= MAX_NESTED_CALLS) {
      // A handler that faults again and again (each fault dispatched inside the previous one's handler): on
      // Windows the nested dispatcher frames exhaust the stack; here the process ends before the host's does.
      this.end({
        kind: "exception",
        code: STATUS_STACK_OVERFLOW,
        address: cpu.rip,
        fault: undefined,
        message: `Stack overflow (0xC00000FD): guest calls nested ${MAX_NESTED_CALLS} deep at ${this.where(cpu.rip)} — an exception or unwind handler faults again and again`,
      });
    }
    const saved = {
      lo: cpu.lo.slice(),
      hi: cpu.hi.slice(),
      rip: cpu.rip,
      flags: cpu.getEflags(),
      bits: cpu.bits,
    };
    if (cpu.mode64) {
      let rsp = Math.floor((this.reg(Reg.RSP) - 0x100) / 16) * 16;
      rsp -= 8 * Math.max(4, args.length);
      args.forEach((a, k) => {
        if (k < 4) this.setReg([Reg.RCX, Reg.RDX, Reg.R8, Reg.R9][k], a);
        else this.writePtr(rsp + 8 * k, a, 64);
      });
      rsp -= 8;
      this.writePtr(rsp, this.callReturn, 64);
      this.setReg(Reg.RSP, rsp);
    } else {
      let esp = ((cpu.lo[Reg.RSP] >>> 0) - 0x100) & ~15;
      for (const a of [...args].reverse()) {
        esp -= 4;
        pokeU32(this.mem, esp, a);
      }
      esp -= 4;
      pokeU32(this.mem, esp, this.callReturn);
      this.setReg(Reg.RSP, esp >>> 0);
    }
    cpu.rip = fn;
    this.nestedReturn.push(this.callReturn);
    const depth = this.nestedReturn.length;
    let result: number;
    const callerSp =
      saved.bits === 64
        ? (saved.hi[Reg.RSP] >>> 0) * 2 ** 32 + (saved.lo[Reg.RSP] >>> 0)
        : saved.lo[Reg.RSP] >>> 0;
    for (let guard = 0; ; guard++) {
      const s = cpu.run(1_000_000);
      if (s.kind === "breakpoint") continue; // not reported inside a nested call
      let r: ProcessStop | undefined;
      try {
        r = this.dispatch(s);
      } catch (e) {
        if (!(e instanceof ContextTransfer)) throw e;
        // An unwind to a frame of this call goes on inside it; to a frame of a caller, leaves it.
        if (e.sp >= callerSp) {
          this.nestedReturn.length = depth - 1;
          throw e;
        }
        e.apply(cpu);
        continue;
      }
      if (this.nestedReturn.length < depth) {
        result = cpu.mode64 ? this.reg(Reg.RAX) : cpu.lo[Reg.RAX] >>> 0;
        break;
      }
      if (r !== undefined && r.kind !== "budget" && r.kind !== "step") throw new GuestStopped(r);
      if (cpu.bits === saved.bits) {
        // The guest left the call without returning (an x86 SEH handler resuming its function with the
        // stack pointer it saved, after RtlUnwind): the call is abandoned, the thread goes on from here.
        const sp = cpu.bits === 64 ? this.reg(Reg.RSP) : cpu.lo[Reg.RSP] >>> 0;
        if (sp > callerSp) {
          this.nestedReturn.length = depth - 1;
          throw new ContextTransfer(sp, () => undefined);
        }
      }
      if (guard > 10_000)
        throw new GuestStopped(
          this.end({ kind: "halt", reason: "nested", message: "a nested guest call did not return" }),
        );
    }
    cpu.lo.set(saved.lo);
    cpu.hi.set(saved.hi);
    cpu.setMode(saved.bits);
    cpu.rip = saved.rip;
    cpu.setEflags(saved.flags);
    return result;
  }

  private writePtr(addr: number, v: number, bits: 32 | 64): void {
    pokeU32(this.mem, addr, v % TWO32);
    if (bits === 64) pokeU32(this.mem, addr + 4, Math.floor(v / TWO32));
  }

  /** KernelProcess.loadLibrary: map a DLL of the program's architecture, add it to PEB.Ldr, run its DllMain. */
  loadLibrary(name: string, arch: Arch): number | undefined {
    if (arch !== this.arch) return undefined;
    const have = this.modules.get(name, arch);
    if (have !== undefined) return have.base;
    let loaded: Module[];
    let module: Module;
    try {
      ({ module, loaded } = this.modules.load(name));
    } catch (e) {
      if (e instanceof LoadError) return undefined;
      throw e;
    }
    for (const m of loaded) appendLoaderEntry(this.mem, this.wow64 ? 32 : 64, this.ldr, m, false);
    if (loaded.some((m) => m.tlsIndex >= 0)) {
      // Static TLS of a DLL loaded at run time is not set up (Windows 10 does: LdrpHandleTlsData).
    }
    for (const m of loaded) {
      for (const cb of m.tlsCallbacks) this.callGuest(cb, [m.base, 1, 0]);
      if (m.entry !== 0 && this.callGuest(m.entry, [m.base, 1, 0]) === 0) return undefined;
    }
    return module.base;
  }

  // ------------------------------------------------------------------ presentation

  /** "hello32.exe+0x1234" for an address in a module, "launcher+0x10", or "" when nothing is there. */
  symbolize(addr: number): string {
    const m = this.modules.at(addr);
    if (m !== undefined) return `${m.name}+${hex(addr - m.base)}`;
    if (addr >= this.launcher.base && addr < this.launcher.base + PAGE_SIZE)
      return `launcher+${hex(addr - this.launcher.base)}`;
    if (this.shellcodeBase !== 0 && addr >= this.shellcodeBase && addr < this.shellcodeBase + 0x100000)
      return `shellcode+${hex(addr - this.shellcodeBase)}`;
    return "";
  }

  /** An address as messages show it: "0x00401234 (hello32.exe+0x1234)". */
  where(addr: number): string {
    const digits = addr < TWO32 ? 8 : 16;
    const s = this.symbolize(addr);
    return `${hex(addr, digits)}${s ? ` (${s})` : ""}`;
  }

  private describeFault(f: Fault): { code: number; message: string } {
    const at = this.where(f.rip);
    const addr = (a: number | undefined): string => (a === undefined ? "?" : hex(a, a < TWO32 ? 8 : 16));
    const C = EXCEPTION_CODES;
    switch (f.vector) {
      case "PF": {
        const verb = f.access === "write" ? "writing" : f.access === "execute" ? "executing" : "reading";
        if (f.status === STATUS_GUARD_PAGE_VIOLATION)
          return {
            code: STATUS_GUARD_PAGE_VIOLATION,
            message: `Guard page violation ${verb} ${addr(f.address)} at ${at}`,
          };
        if (f.status === STATUS_IN_PAGE_ERROR)
          return { code: STATUS_IN_PAGE_ERROR, message: `In-page error ${verb} ${addr(f.address)} at ${at}` };
        return {
          code: STATUS_ACCESS_VIOLATION,
          message: `Access violation ${verb} ${addr(f.address)} at ${at}`,
        };
      }
      case "GP":
        return {
          code: STATUS_ACCESS_VIOLATION,
          message:
            f.address !== undefined && f.address < 0
              ? `Access violation (general protection: non-canonical address) at ${at}`
              : `General protection fault${f.errorCode ? ` (selector ${hex(f.errorCode, 4)})` : ""} at ${at}`,
        };
      case "SS":
        return { code: STATUS_ACCESS_VIOLATION, message: `Stack fault at ${at}` };
      case "NP":
        return {
          code: STATUS_ACCESS_VIOLATION,
          message: `Segment not present (selector ${hex(f.errorCode ?? 0, 4)}) at ${at}`,
        };
      case "UD":
        return {
          code: C.STATUS_ILLEGAL_INSTRUCTION,
          message: `Illegal instruction at ${at}${f.detail ? ` (${f.detail})` : ""}`,
        };
      case "DE":
        return {
          code: C.STATUS_INTEGER_DIVIDE_BY_ZERO,
          message: `Integer division by zero or overflow at ${at}`,
        };
      case "BP":
        return { code: C.STATUS_BREAKPOINT, message: `Breakpoint (int3) at ${at}` };
      case "DB":
        return { code: C.STATUS_SINGLE_STEP, message: `Single-step trap at ${at}` };
      case "OF":
        return { code: C.STATUS_INTEGER_OVERFLOW, message: `Integer overflow (into) at ${at}` };
      case "BR":
        return { code: C.STATUS_ARRAY_BOUNDS_EXCEEDED, message: `Array bounds exceeded (bound) at ${at}` };
      case "AC":
        return { code: C.STATUS_DATATYPE_MISALIGNMENT, message: `Datatype misalignment at ${at}` };
      case "MF":
        return { code: C.STATUS_FLOAT_INVALID_OPERATION, message: `x87 floating-point exception at ${at}` };
      case "XM":
        return { code: C.STATUS_FLOAT_MULTIPLE_TRAPS, message: `SIMD floating-point exception at ${at}` };
      case "NM":
        return { code: C.STATUS_ILLEGAL_INSTRUCTION, message: `Device not available at ${at}` };
    }
  }

  /**
   * Register contexts: `x64` the live 64-bit register file; `x86` for a WOW64 process the live 32-bit
   * registers while in compatibility mode, else the WOW64_CONTEXT saved in the TEB (null for a native
   * 64-bit process).
   */
  contexts(): { x64: RegisterContext; x86: RegisterContext | null } {
    const cpu = this.cpu;
    const names64 = [
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
    const q = (v: number): string => "0x" + v.toString(16).padStart(16, "0");
    const d = (v: number): string => "0x" + (v >>> 0).toString(16).padStart(8, "0");
    const w = (v: number): string => "0x" + v.toString(16).padStart(4, "0");
    const segs = (get: (s: number) => number): RegisterContext => ({
      cs: w(get(SReg.CS)),
      ss: w(get(SReg.SS)),
      ds: w(get(SReg.DS)),
      es: w(get(SReg.ES)),
      fs: w(get(SReg.FS)),
      gs: w(get(SReg.GS)),
    });
    const x64: RegisterContext = {};
    // Exact 64-bit hex from the (lo, hi) halves: a double cannot hold values like 0xFFFFFFFFFFFFFFFF.
    names64.forEach((n, r) => (x64[n] = "0x" + hex64(cpu.lo[r], cpu.hi[r])));
    x64.rip = q(cpu.rip);
    x64.rflags = q(cpu.getEflags());
    Object.assign(
      x64,
      segs((s) => cpu.sreg[s]),
    );
    x64.fsBase = q(cpu.fsBase);
    x64.gsBase = q(cpu.gsBase);
    if (!this.wow64) return { x64, x86: null };
    const names32 = ["eax", "ecx", "edx", "ebx", "esp", "ebp", "esi", "edi"];
    const x86: RegisterContext = {};
    if (!cpu.mode64) {
      names32.forEach((n, r) => (x86[n] = d(cpu.lo[r])));
      x86.eip = d(cpu.rip);
      x86.eflags = d(cpu.getEflags());
      Object.assign(
        x86,
        segs((s) => cpu.sreg[s]),
      );
    } else {
      const ctx = (peekU32(this.mem, this.current.teb + TEB64.TlsSlots + 8) ?? 0) + WOW64_CPURESERVED_CONTEXT;
      const C = WOW64_CONTEXT;
      const rd = (off: number): number => peekU32(this.mem, ctx + off) ?? 0;
      const offs = [C.Eax, C.Ecx, C.Edx, C.Ebx, C.Esp, C.Ebp, C.Esi, C.Edi];
      names32.forEach((n, k) => (x86[n] = d(rd(offs[k]))));
      x86.eip = d(rd(C.Eip));
      x86.eflags = d(rd(C.EFlags));
      const segOffs: Record<string, number> = {
        cs: C.SegCs,
        ss: C.SegSs,
        ds: C.SegDs,
        es: C.SegEs,
        fs: C.SegFs,
        gs: C.SegGs,
      };
      for (const [n, off] of Object.entries(segOffs)) x86[n] = w(rd(off) & 0xffff);
    }
    return { x64, x86 };
  }

  /** The PEB layout of the program's architecture (PEB32 for WOW64). */
  get pebLayout(): typeof PEB64 {
    return this.wow64 ? PEB32 : PEB64;
  }
}
