/**
 * The API trap contract: what a TypeScript API implementation sees, and the records the family files
 * export. An export declared `trap` in src/windows/dlls/declarations.ts has an `api(...)` entry here under
 * its name; one declared `bridge` has a `bridge({ pre, post })` entry: `pre` writes the Nt call's
 * arguments into the BRIDGE_FRAME, real code calls ntdll!NtXxx, `post` turns the status into the API's
 * result and last error. The declarations (argc, convention, prototype) are not repeated here.
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

export type ApiEntry =
  | { readonly kind: "api"; readonly run: (c: ApiCall) => ApiResult }
  | {
      readonly kind: "bridge";
      readonly pre: (c: BridgeCall) => KernelStop | void;
      readonly post: (c: BridgeCall, status: number) => ApiResult;
    };

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

export const TRUE = 1;
export const FALSE = 0;
/** (HANDLE)-1. */
export const INVALID_HANDLE_VALUE = -1;
/** NtCurrentProcess(). */
export const CURRENT_PROCESS = -1;
