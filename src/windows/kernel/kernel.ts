/**
 * The kernel: the system-call dispatcher (by NT name, over the handler records of the object-family files),
 * the handle table, and the entry point of the trap-implemented exports (wow64's argument thunks and the
 * kernel32/kernelbase/ntdll APIs, src/windows/wow64 and src/windows/api).
 *
 * A syscall arrives with the CPU stopped after `syscall`: EAX is the service number, R10, RDX, R8, R9 the
 * first four arguments and [RSP+0x28 + 8k] the others (the x64 ntdll stub's caller put them there). The
 * handler's NTSTATUS goes to RAX (zero-extended). A handler that touches a bad user pointer throws
 * GuestFault, and the service returns STATUS_ACCESS_VIOLATION; an unknown service or an unimplemented case
 * stops execution with its name.
 */
import { createHeap, runApiTrap } from "../api";
import type { Arch, TrapEntry } from "../dlls";
import { syscallTable, type SyscallInfo, type SyscallTable } from "../syscalls";
import { Wow64Layer } from "../wow64";
import type { SyscallContext, SyscallFamily, SyscallHandler } from "./context";
import { unimplemented } from "./context";
import { exceptionSyscalls } from "./exception";
import { fileSyscalls, FILE_GENERIC_READ, FILE_GENERIC_WRITE, FileObject } from "./file";
import { fileIoSyscalls, type FileSystemOptions } from "./file-io";
import { HandleTable, SYNCHRONIZE } from "./handles";
import { memorySyscalls } from "./memory";
import { objectSyscalls } from "./object";
import { ProcessObject, processSyscalls } from "./process";
import { registrySyscalls, type RegistrySource } from "./registry";
import { sectionSyscalls } from "./section";
import { systemSyscalls } from "./system";
import { syncOf, syncSyscalls } from "./sync";
import { ThreadObject, threadSyscalls } from "./thread";
import { Clock, timeSyscalls } from "./time";
import type { KernelApi, KernelProcess, KernelStop, KernelThread, SyscallRecord, ThreadWait } from "./types";
import { GuestFault, join64, UserMemory } from "./user-memory";

/** Every family's handler record; the dispatch table is their union (a name may appear once). */
const FAMILIES: readonly SyscallFamily[] = [
  memorySyscalls,
  sectionSyscalls,
  fileSyscalls,
  fileIoSyscalls,
  objectSyscalls,
  processSyscalls,
  threadSyscalls,
  systemSyscalls,
  timeSyscalls,
  exceptionSyscalls,
  registrySyscalls,
  syncSyscalls,
];

export interface KernelOptions {
  /** InheritedFromUniqueProcessId (PROCESS_BASIC_INFORMATION). Default 0. */
  parentProcessId?: number;
  /** Physical memory reported by SystemBasicInformation, in bytes. Default 8 GB. */
  physicalMemory?: number;
  /** System time at boot (FILETIME). Default 2024-01-01T00:00:00Z. */
  bootTime?: bigint;
  /** Receives OutputDebugString text (nothing is shown without it, as without a debugger). */
  onDebugString?: (text: string) => void;
  /** The process's registry: an instance, or a file in the sandbox (./registry.ts). Default: a fresh default hive. */
  registry?: RegistrySource;
  /** Drive C: and the current directory (file-io.ts); overrides KernelProcess.fileSystem. */
  fileSystem?: FileSystemOptions;
}

/** The syscall table of every NT service we handle, built once from the family records. */
function dispatchTable(table: SyscallTable): Map<string, SyscallHandler> {
  const map = new Map<string, SyscallHandler>();
  for (const family of FAMILIES) {
    for (const [name, handler] of Object.entries(family)) {
      if (map.has(name)) throw new Error(`${name} is handled by two families`);
      if (!table.byName(name)) throw new Error(`${name} is not a system service of ${table.build}`);
      map.set(name, handler);
    }
  }
  return map;
}

export class Kernel implements KernelApi {
  readonly handles = new HandleTable();
  readonly stdHandles: { readonly input: number; readonly output: number; readonly error: number };
  readonly mem: UserMemory;
  readonly clock: Clock;
  readonly table: SyscallTable;
  /** The process's own object (NtCurrentProcess() refers to it). */
  readonly processObject: ProcessObject;
  readonly wow64: Wow64Layer;
  /** One emulated processor. */
  readonly processors = 1;
  readonly affinityMask = 1;
  readonly physicalMemory: number;
  onSyscall: ((rec: SyscallRecord) => void) | undefined = undefined;
  onSyscallComplete: ((rec: SyscallRecord) => void) | undefined = undefined;
  /** The syscall record of each thread that waits inside a syscall (completed when the wait ends). */
  private readonly waitingRecords = new Map<KernelThread, SyscallRecord>();
  /**
   * Threads inside ExitProcess: their NtTerminateProcess(NtCurrentProcess()) is the end of an orderly exit
   * (RtlExitUserProcess has run the loader's shutdown on Windows), so the process still runs the
   * DLL_PROCESS_DETACH notifications; any other NtTerminateProcess on itself is abrupt.
   */
  readonly orderlyExit = new Set<number>();
  private readonly services: Map<string, SyscallHandler>;

  constructor(
    readonly process: KernelProcess,
    readonly options: KernelOptions = {},
  ) {
    this.table = syscallTable(process.dlls.build);
    this.services = dispatchTable(this.table);
    this.mem = new UserMemory(process.mem);
    this.clock = new Clock(process, options.bootTime);
    this.physicalMemory = options.physicalMemory ?? 8 * 2 ** 30;
    this.processObject = new ProcessObject(process);
    this.processObject.reference();
    this.wow64 = new Wow64Layer(this);
    // The console connections, opened as a console process inherits them: input readable, output and
    // error writable.
    this.stdHandles = {
      input: this.handles.insert(new FileObject("stdin"), FILE_GENERIC_READ | SYNCHRONIZE, true),
      output: this.handles.insert(new FileObject("stdout"), FILE_GENERIC_WRITE | SYNCHRONIZE, true),
      error: this.handles.insert(new FileObject("stderr"), FILE_GENERIC_WRITE | SYNCHRONIZE, true),
    };
  }

  createHeap(arch: Arch): number {
    return createHeap(this, arch);
  }

  /** Thread objects by thread (the kernel holds a reference to each; made on first use for the initial thread). */
  private readonly threadObjects = new Map<KernelThread, ThreadObject>();

  /** The thread object of `t` (`startAddress` when it is being created). */
  threadObject(t: KernelThread, startAddress = 0): ThreadObject {
    let o = this.threadObjects.get(t);
    if (o === undefined) {
      o = new ThreadObject(t, startAddress);
      o.reference();
      this.threadObjects.set(t, o);
    }
    return o;
  }

  /** The thread ended with `status`: its object is signaled, its waits end, its mutants are abandoned. */
  endThread(t: KernelThread, status: number): void {
    const o = this.threadObject(t);
    o.exitStatus = status >>> 0;
    o.terminated = true;
    const sync = syncOf(this);
    sync.threadGone(t);
    sync.signal();
    this.waitingRecords.delete(t);
  }

  /** The wait `t` made inside a syscall ended with `status`: complete its trace record. */
  syscallCompleted(t: KernelThread, status: number): void {
    const rec = this.waitingRecords.get(t);
    if (rec === undefined) return;
    this.waitingRecords.delete(t);
    rec.status = status >>> 0;
    rec.waiting = false;
    this.onSyscallComplete?.(rec);
  }

  waitOf(thread: KernelThread): ThreadWait | undefined {
    return syncOf(this).waitOf(thread);
  }

  now(): number {
    return this.clock.interruptTime();
  }

  advanceTo(deadline: number): void {
    syncOf(this).advanceTo(deadline);
  }

  expireWaits(): void {
    syncOf(this).expire();
  }

  /** Names of the services this kernel implements. */
  get implemented(): string[] {
    return [...this.services.keys()].sort();
  }

  syscall(thread: KernelThread): KernelStop | undefined {
    const cpu = thread.cpu;
    const number = cpu.lo[0] >>> 0;
    const info = this.table.byNumber(number);
    const callerMode = this.wow64.callerMode(thread, number);
    const name = info?.name ?? `system service 0x${number.toString(16)}`;
    const count = info?.params ?? 4;
    const lo: number[] = [cpu.lo[10], cpu.lo[2], cpu.lo[8], cpu.lo[9]];
    const hi: number[] = [cpu.hi[10], cpu.hi[2], cpu.hi[8], cpu.hi[9]];
    const rec: SyscallRecord = { number, name, callerMode, args: [], thread: thread.id };
    rec.caller = this.syscallCaller(thread, callerMode, number, info?.name);
    let result: number | KernelStop;
    try {
      const rsp = (cpu.hi[4] >>> 0) * 2 ** 32 + (cpu.lo[4] >>> 0);
      for (let k = 4; k < count; k++) {
        const a = rsp + 0x28 + 8 * (k - 4);
        lo.push(this.mem.u32(a));
        hi.push(this.mem.u32(a + 4));
      }
      rec.args = lo.slice(0, count).map((l, k) => join64(l, hi[k]));
      const handler = info ? this.services.get(info.name) : undefined;
      if (!info || !handler) {
        result = unimplemented(name, info ? "system service not implemented" : "no such system service");
      } else {
        result = handler(this.context(thread, info, callerMode, lo, hi));
      }
    } catch (e) {
      if (!(e instanceof GuestFault)) throw e;
      result = e.status;
    }
    if (typeof result === "number") {
      cpu.lo[0] = result | 0;
      cpu.hi[0] = 0;
      rec.status = result >>> 0;
      this.onSyscall?.(rec);
      return undefined;
    }
    if (result.kind === "yield") {
      // NtYieldExecution / a zero delay: STATUS_SUCCESS, and the run loop switches threads.
      cpu.lo[0] = 0;
      cpu.hi[0] = 0;
      rec.status = 0;
    } else if (result.kind === "continue" && result.status !== undefined) {
      rec.status = result.status >>> 0;
    } else if (result.kind === "wait") {
      rec.waiting = true;
      this.waitingRecords.set(thread, rec);
    }
    this.onSyscall?.(rec);
    return result;
  }

  /**
   * Where a syscall was made (SyscallRecord.caller): a WOW64 caller's x86 return address (kept by the
   * argument thunk); in the x64 ntdll stub of the service (`mov r10, rcx; mov eax, N; … syscall; ret`, RSP
   * untouched) the return address at [rsp]; elsewhere (a direct `syscall`) the address after it.
   */
  private syscallCaller(
    thread: KernelThread,
    callerMode: "x64" | "x86",
    number: number,
    name: string | undefined,
  ): number | undefined {
    if (callerMode === "x86") return this.wow64.callerAddress(thread, number);
    const cpu = thread.cpu;
    const at = cpu.rip - 2;
    const stub = name !== undefined ? this.process.dlls.get("ntdll", "x64")?.exports.get(name) : undefined;
    if (stub === undefined || !("address" in stub) || at < stub.address || at >= stub.address + 32)
      return cpu.rip;
    try {
      const rsp = (cpu.hi[4] >>> 0) * 2 ** 32 + (cpu.lo[4] >>> 0);
      return join64(this.mem.u32(rsp), this.mem.u32(rsp + 4));
    } catch (e) {
      if (!(e instanceof GuestFault)) throw e;
      return undefined;
    }
  }

  trap(thread: KernelThread, entry: TrapEntry): KernelStop | undefined {
    let stop: KernelStop | undefined;
    if (entry.role === "unknown-argc") stop = unimplemented(entry.name, entry.message);
    else if (this.wow64.handles(entry)) stop = this.wow64.trap(thread, entry);
    else stop = runApiTrap(this, thread, entry);
    // vmcall is 0F 01 C1: continue at the stub's `ret` (also after a wait: RAX is set when it ends).
    if (stop === undefined || stop.kind === "wait" || stop.kind === "yield")
      thread.cpu.rip = entry.address + 3;
    return stop;
  }

  private context(
    thread: KernelThread,
    info: SyscallInfo,
    callerMode: "x64" | "x86",
    lo: readonly number[],
    hi: readonly number[],
  ): SyscallContext {
    const value = (i: number): [number, number] => (i < lo.length ? [lo[i] >>> 0, hi[i] >>> 0] : [0, 0]);
    return {
      kernel: this,
      process: this.process,
      thread,
      mem: this.mem,
      callerMode,
      info,
      arg: (i) => {
        const [l, h] = value(i);
        return h * 2 ** 32 + l;
      },
      u32: (i) => value(i)[0],
      handle: (i) => {
        const [l, h] = value(i);
        return join64(l, h);
      },
      bool: (i) => (value(i)[0] & 0xff) !== 0,
    };
  }
}
