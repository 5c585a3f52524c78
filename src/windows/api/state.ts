/**
 * Helpers shared by the API families: last-error handling, per-process state that user-mode DLLs keep in
 * their own data on Windows (the ANSI command line, TLS expansion bits), and guest allocations for it.
 */
import { MEM_COMMIT, MEM_RESERVE, PAGE_READWRITE } from "../memory/constants";
import type { Kernel } from "../kernel/kernel";
import type { Arch } from "../dlls";
import type { ApiCall } from "./context";
import { ntStatusToDosError } from "./errors";
import { GuestFault } from "../kernel/user-memory";
import { STATUS_NO_MEMORY } from "../kernel/status";

/** BaseSetLastNTError: TEB.LastStatusValue = status, TEB.LastErrorValue = RtlNtStatusToDosError(status). */
export function setLastNtError(c: ApiCall, status: number): void {
  if (c.teb !== 0) c.mem.w32(c.teb + c.layout.teb.LastStatusValue, status);
  c.setLastError(ntStatusToDosError(status));
}

export interface ApiState {
  /** GetCommandLineA/W buffers made when the process parameters hold none, by architecture. */
  commandLine: Map<string, number>;
  /** TLS indexes 64..1087 in use, by architecture (TlsExpansionBitmap). */
  tlsExpansion: Map<Arch, Set<number>>;
}

const states = new WeakMap<Kernel, ApiState>();

export function apiState(k: Kernel): ApiState {
  let s = states.get(k);
  if (!s) states.set(k, (s = { commandLine: new Map(), tlsExpansion: new Map() }));
  return s;
}

/** Committed read-write memory for data a DLL would keep in its heap (below 2 GB for 32-bit callers). */
export function allocateData(c: ApiCall, size: number): number {
  const r = c.process.mem.allocate(0, size, MEM_COMMIT | MEM_RESERVE, PAGE_READWRITE, 0, {
    native64: c.arch === "x64",
  });
  if (r.status !== 0) throw new GuestFault(STATUS_NO_MEMORY, 0, true);
  return r.base;
}

/** A string as 8-bit characters: the ANSI code page is taken to be Latin-1, other characters become '?'. */
export function toAnsi(s: string): Uint8Array {
  const out = new Uint8Array(s.length);
  for (let i = 0; i < s.length; i++) {
    const ch = s.charCodeAt(i);
    out[i] = ch < 0x100 ? ch : 0x3f;
  }
  return out;
}

export function toUtf16(s: string): Uint8Array {
  const out = new Uint8Array(s.length * 2);
  for (let i = 0; i < s.length; i++) {
    const ch = s.charCodeAt(i);
    out[2 * i] = ch & 0xff;
    out[2 * i + 1] = ch >>> 8;
  }
  return out;
}
