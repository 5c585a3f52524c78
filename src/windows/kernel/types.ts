/**
 * The contract between the process side (src/windows/process.ts: loader, PEB/TEB, the run loop) and the
 * kernel side (src/windows/kernel: syscalls by NT name, handles, objects; src/windows/api: the TypeScript
 * halves of trap-implemented exports). The process implements these interfaces; the kernel only uses them.
 */
import type { Cpu } from "../../cpu/cpu";
import type { AddressSpace } from "../memory/address-space";
import type { MemoryManager } from "../memory/manager";
import type { SystemDllSet, TrapEntry } from "../dlls";

/** Where guest console output goes and input comes from (the CLI passes stdio, tests pass buffers). */
export interface ConsoleIo {
  write(stream: "stdout" | "stderr", data: Uint8Array): void;
  /** Up to `max` bytes of input; an empty result is end of input. */
  read(max: number): Uint8Array;
}

/** One emulated thread. */
export interface KernelThread {
  readonly id: number;
  readonly cpu: Cpu;
  /** TEB (64-bit) address; GS base in 64-bit mode. */
  readonly teb: number;
  /** TEB32 address for a WOW64 thread (FS base in 32-bit mode), 0 for a native 64-bit thread. */
  readonly teb32: number;
}

/** One emulated process. */
export interface KernelProcess {
  readonly id: number;
  readonly mm: MemoryManager;
  readonly mem: AddressSpace;
  /** A 32-bit program under WOW64. */
  readonly wow64: boolean;
  readonly peb: number;
  /** PEB32 for WOW64, else 0. */
  readonly peb32: number;
  readonly imagePath: string;
  readonly imageBase: number;
  readonly commandLine: string;
  readonly dlls: SystemDllSet;
  readonly console: ConsoleIo;
  readonly threads: readonly KernelThread[];
  /** Set when the process ends (NtTerminateProcess on itself, ExitProcess). */
  exitStatus: number | undefined;
}

/** Why the kernel wants execution to stop (shown by the CLI and the debugger). */
export type KernelStop =
  | { kind: "exit"; status: number }
  /** An NT service or API we do not implement: never a silent success. */
  | { kind: "unimplemented"; what: string; detail?: string };

/** A syscall as the kernel sees it: number, name, caller mode and the 64-bit arguments. */
export interface SyscallRecord {
  number: number;
  name: string;
  /** "x64" for native 64-bit callers, "x86" when it came through the WOW64 layer. */
  callerMode: "x64" | "x86";
  args: number[];
  status?: number;
}

/** What the kernel offers to the process run loop. */
export interface KernelApi {
  /**
   * Handle the syscall the thread just made (the CPU stopped with kind "syscall": RAX = number, R10, RDX,
   * R8, R9 and the stack hold the arguments). Sets RAX to the NTSTATUS, or returns a stop.
   */
  syscall(thread: KernelThread): KernelStop | undefined;
  /** Run the TypeScript half of a trap-implemented export (the CPU faulted #UD on its vmcall). */
  trap(thread: KernelThread, entry: TrapEntry): KernelStop | undefined;
  /** Called for every syscall after it completed (for --trace-syscalls and the debugger's view). */
  onSyscall: ((rec: SyscallRecord) => void) | undefined;
}
