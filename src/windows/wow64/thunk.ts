/**
 * The thunk contract: what a per-service conversion sees while wow64!Wow64SystemServiceEx runs its
 * `Wow64pThunkArguments` trap (the 32-bit arguments → the 64-bit argument slots and scratch of the
 * WOW64_FRAME), and how it registers the conversion back that `Wow64pThunkResults` runs after the x64
 * ntdll stub returned. Each family file exports one record of thunks by NT name.
 */
import { WOW64_FRAME } from "../dlls/decl";
import type { Kernel } from "../kernel/kernel";
import type { KernelProcess, KernelStop, KernelThread } from "../kernel/types";
import type { UserMemory } from "../kernel/user-memory";
import type { SyscallInfo } from "../syscalls";
import { ntSuccess } from "../ntstatus";

export interface ThunkCall {
  readonly kernel: Kernel;
  readonly process: KernelProcess;
  readonly thread: KernelThread;
  readonly mem: UserMemory;
  readonly info: SyscallInfo;
  /** Address of the 32-bit arguments (the x86 stub's caller's stack, past the return addresses). */
  readonly args32: number;
  /** 32-bit argument `i` (zero-extended: ULONG, 32-bit pointer). */
  arg(i: number): number;
  /** 32-bit argument `i` sign-extended (HANDLE, LONG, NTSTATUS). */
  sarg(i: number): number;
  /** Set the x64 call's argument `i`. */
  set(i: number, value: number): void;
  /** Zeroed, 8-byte aligned bytes in the frame's scratch area, for converted structures. */
  scratch(size: number): number;
  /** Conversion back, run by Wow64pThunkResults with the service's status; may replace the status. */
  after(fn: (status: number) => number | void): void;
  /** Give up before the service runs: the 32-bit caller gets `status` and no system call is made. */
  fail(status: number): never;
}

export type Thunk = (t: ThunkCall) => KernelStop | void;

/** One family's thunks by NT name. */
export type ThunkFamily = Readonly<Record<string, Thunk>>;

/** A conversion that gave up (`ThunkCall.fail`). */
export class ThunkFailure extends Error {
  constructor(readonly status: number) {
    super(`wow64 thunk failed with 0x${status.toString(16)}`);
  }
}

export const SCRATCH_OFFSET = WOW64_FRAME.scratchOffset;
export const SCRATCH_SIZE = WOW64_FRAME.scratchSize;

// ---- argument kinds

/** Arguments passed by value: "u" zero-extends (ULONG, BOOLEAN, pointers to layouts that do not change), "s" sign-extends (HANDLE, LONG). */
export function byValue(...kinds: ("u" | "s")[]): Thunk {
  return (t) => {
    kinds.forEach((k, i) => t.set(i, k === "s" ? t.sarg(i) : t.arg(i)));
  };
}

/**
 * A pointer to a pointer-sized value the service reads and writes (PVOID *BaseAddress, PSIZE_T RegionSize):
 * widened into scratch, narrowed back on success. NULL stays NULL (the service reports the access
 * violation). The 32-bit location is probed for writing first, as the kernel would probe it.
 */
export function inOutPointer(t: ThunkCall, i: number): void {
  const p32 = t.arg(i);
  if (p32 === 0) return t.set(i, 0);
  t.mem.probeWrite(p32, 4);
  const s = t.scratch(8);
  t.mem.w64(s, t.mem.u32(p32));
  t.set(i, s);
  t.after((status) => {
    if (ntSuccess(status)) t.mem.w32(p32, t.mem.u64(s) >>> 0);
  });
}

/** A pointer to a pointer-sized value the service only writes (PHANDLE, PULONG_PTR, PSIZE_T ReturnLength). */
export function outPointer(t: ThunkCall, i: number): void {
  const p32 = t.arg(i);
  if (p32 === 0) return t.set(i, 0);
  t.mem.probeWrite(p32, 4);
  const s = t.scratch(8);
  t.set(i, s);
  t.after((status) => {
    if (ntSuccess(status)) t.mem.w32(p32, t.mem.u64(s) >>> 0);
  });
}
