/**
 * What a syscall handler sees, and the shape of a family's handler record. Each object-family file
 * (memory.ts, section.ts, file.ts, …) exports one record `{ NtXxx(c) { … } }`; the kernel builds its
 * dispatch table from the records, keyed by NT name.
 */
import type { SyscallInfo } from "../syscalls";
import type { Kernel } from "./kernel";
import type { KernelProcess, KernelStop, KernelThread } from "./types";
import type { UserMemory } from "./user-memory";

export interface SyscallContext {
  readonly kernel: Kernel;
  readonly process: KernelProcess;
  readonly thread: KernelThread;
  /** Probed access to the caller's memory (throwing GuestFault, which the dispatcher turns into the status). */
  readonly mem: UserMemory;
  /** "x86" when a 32-bit caller came through wow64's thunk: allocations then stay below the 32-bit limit. */
  readonly callerMode: "x64" | "x86";
  readonly info: SyscallInfo;
  /** Argument `i` as an unsigned 64-bit value (inexact above 2^53, where no user pointer lives). */
  arg(i: number): number;
  /** The low 32 bits of argument `i` (ULONG, ACCESS_MASK, NTSTATUS by value). */
  u32(i: number): number;
  /** Argument `i` as a handle: sign-extended, so NtCurrentProcess() is -1. */
  handle(i: number): number;
  /** Argument `i` as a BOOLEAN (its low byte). */
  bool(i: number): boolean;
}

/** An NTSTATUS for RAX, or a reason to stop (the process exited, something is not implemented). */
export type SyscallResult = number | KernelStop;

export type SyscallHandler = (c: SyscallContext) => SyscallResult;

/** One object family's services, by NT name. */
export type SyscallFamily = Readonly<Record<string, SyscallHandler>>;

/** The stop for a service or case we do not implement (never a silent success). */
export function unimplemented(what: string, detail?: string): KernelStop {
  return { kind: "unimplemented", what, detail };
}
