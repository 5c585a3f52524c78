/**
 * The API trap contract: what a TypeScript API implementation sees, and the records the family files
 * export. An export declared `trap` in src/windows/dlls/declarations.ts has an `api(...)` entry here under
 * its name; one declared `bridge` has a `bridge({ pre, post })` entry: `pre` writes the Nt call's
 * arguments into the BRIDGE_FRAME, real code calls ntdll!NtXxx, `post` turns the status into the API's
 * result and last error; one declared `calls` has a `calls(function* …)` entry whose generator yields the
 * guest calls it makes. The declarations (argc, convention, prototype) are not repeated here.
 */
import type { Arch, TrapEntry } from "../dlls";
import type { Kernel } from "../kernel/kernel";
import type { Layout } from "../kernel/layout";
import type { KernelProcess, KernelStop, KernelThread } from "../kernel/types";
import type { UserMemory } from "../kernel/user-memory";

export interface ApiCall {
  readonly kernel: Kernel;
  readonly process: KernelProcess;
  readonly thread: KernelThread;
  readonly entry: TrapEntry;
  /** The caller's architecture (the DLL's): x86 for the SysWOW64 DLLs. */
  readonly arch: Arch;
  /** PEB/TEB/parameter offsets of that architecture. */
  readonly layout: Layout;
  readonly ptrSize: 4 | 8;
  readonly mem: UserMemory;
  /** The caller's TEB and PEB (TEB32/PEB32 for 32-bit code). */
  readonly teb: number;
  readonly peb: number;
  /** API argument `i`, zero-extended (a DWORD, a pointer, a SIZE_T). */
  arg(i: number): number;
  /** API argument `i` as a handle or signed value (an x86 argument is sign-extended). */
  sarg(i: number): number;
  /** The low 32 bits of argument `i`. */
  u32(i: number): number;
  /** SetLastError: TEB.LastErrorValue. */
  setLastError(code: number): void;
  /** A pointer-sized value at `addr`. */
  readPtr(addr: number): number;
  writePtr(addr: number, v: number): void;
}

export interface BridgeCall extends ApiCall {
  /** The BRIDGE_FRAME. */
  readonly frame: number;
  /** Argument `i` of the Nt call (a pointer-sized slot; x86 slots are dwords). */
  nt(i: number, v: number): void;
  /** Address of pointer-sized local `k` (x64: 6 locals, x86: 13). */
  local(k: number): number;
  /**
   * Address of argument slot `i`. Slots past the Nt call's own arguments are free and run on into the
   * locals, so they can hold a structure larger than the locals (a SYSTEM_BASIC_INFORMATION).
   */
  slot(i: number): number;
}

/** The return value for RAX/EAX (a negative number is sign-extended), or a stop. */
export type ApiResult = number | KernelStop;

/** A function a `calls` API calls next: an export of a DLL of the caller's architecture, or an address. */
export interface GuestCall {
  readonly dll?: "kernel32" | "kernelbase" | "ntdll" | "msvcrt";
  readonly fn: string | number;
  readonly args: readonly number[];
}

/**
 * The TypeScript half of a `calls` API: a generator that yields the calls it makes (each resumes with the
 * callee's RAX/EAX, signed: x64 64-bit, x86 32-bit) and returns the API's result (x86: a value beyond 32
 * bits fills EDX too) or a stop. It lives while the guest runs the calls, across debugger stops.
 */
export type CallsGen = Generator<GuestCall, ApiResult, number>;

export type ApiEntry =
  | { readonly kind: "api"; readonly run: (c: ApiCall) => ApiResult }
  | {
      readonly kind: "bridge";
      readonly pre: (c: BridgeCall) => KernelStop | void;
      readonly post: (c: BridgeCall, status: number) => ApiResult;
    }
  | { readonly kind: "calls"; readonly run: (c: BridgeCall) => CallsGen };

/** One family's API implementations by export name. */
export type ApiFamily = Readonly<Record<string, ApiEntry>>;

export function api(run: (c: ApiCall) => ApiResult): ApiEntry {
  return { kind: "api", run };
}

export function bridge(b: {
  pre: (c: BridgeCall) => KernelStop | void;
  post: (c: BridgeCall, status: number) => ApiResult;
}): ApiEntry {
  return { kind: "bridge", ...b };
}

/** A `calls` API (../dlls/decl.ts CALLS_RESULT): `run` yields the guest calls it makes. */
export function calls(run: (c: BridgeCall) => CallsGen): ApiEntry {
  return { kind: "calls", run };
}

/** `yield*` this in a `calls` generator: calls `dll!fn(args)` in the guest and gives its result. */
export function* guestCall(
  dll: GuestCall["dll"],
  fn: string,
  args: readonly number[],
): Generator<GuestCall, number, number> {
  return yield { dll, fn, args };
}

export const TRUE = 1;
export const FALSE = 0;
/** (HANDLE)-1. */
export const INVALID_HANDLE_VALUE = -1;
/** NtCurrentProcess(). */
export const CURRENT_PROCESS = -1;
