/**
 * Thread-local storage: TlsAlloc, TlsFree, TlsGetValue, TlsSetValue. Indexes 0–63 are the TEB's TlsSlots,
 * allocated in PEB.TlsBitmapBits; 64–1087 (TLS_MINIMUM_AVAILABLE + 1024 expansion slots) live in the
 * array TEB.TlsExpansionSlots points to, made on first use. (Windows keeps the expansion bitmap in the PEB
 * too; here it is kernel-side state.)
 */
import type { KernelThread } from "../kernel/types";
import { api, FALSE, TRUE, type ApiCall, type ApiFamily } from "./context";
import { ERROR_INVALID_PARAMETER, ERROR_NO_MORE_ITEMS, ERROR_SUCCESS } from "./errors";
import { allocateData, apiState } from "./state";

export const TLS_MINIMUM_AVAILABLE = 64;
export const TLS_EXPANSION_SLOTS = 1024;
export const TLS_OUT_OF_INDEXES = 0xffffffff;

function tebOf(c: ApiCall, t: KernelThread): number {
  return c.arch === "x64" ? t.teb : t.teb32;
}

function expansion(c: ApiCall): Set<number> {
  const m = apiState(c.kernel).tlsExpansion;
  let s = m.get(c.arch);
  if (!s) m.set(c.arch, (s = new Set()));
  return s;
}

/** Address of `teb`'s cell for index `i`, making the expansion array when `create`; 0 when absent. */
function cell(c: ApiCall, teb: number, i: number, create: boolean): number {
  if (i < TLS_MINIMUM_AVAILABLE) return teb + c.layout.teb.TlsSlots + i * c.ptrSize;
  const at = teb + c.layout.teb.TlsExpansionSlots;
  let slots = c.readPtr(at);
  if (slots === 0) {
    if (!create) return 0;
    slots = allocateData(c, TLS_EXPANSION_SLOTS * c.ptrSize);
    c.writePtr(at, slots);
  }
  return slots + (i - TLS_MINIMUM_AVAILABLE) * c.ptrSize;
}

function allocated(c: ApiCall, i: number): boolean {
  if (i < TLS_MINIMUM_AVAILABLE) {
    const word = c.mem.u32(c.peb + c.layout.peb.TlsBitmapBits + 4 * (i >>> 5));
    return (word & (1 << (i & 31))) !== 0;
  }
  return expansion(c).has(i);
}

function valid(i: number): boolean {
  return i < TLS_MINIMUM_AVAILABLE + TLS_EXPANSION_SLOTS;
}

export const tlsApis: ApiFamily = {
  /** DWORD TlsAlloc(void): the lowest free index, its value zero in this thread. */
  TlsAlloc: api((c) => {
    const bits = c.peb + c.layout.peb.TlsBitmapBits;
    for (let i = 0; i < TLS_MINIMUM_AVAILABLE; i++) {
      const at = bits + 4 * (i >>> 5);
      const word = c.mem.u32(at);
      if (word & (1 << (i & 31))) continue;
      c.mem.w32(at, word | (1 << (i & 31)));
      c.writePtr(cell(c, c.teb, i, true), 0);
      return i;
    }
    const used = expansion(c);
    for (let i = TLS_MINIMUM_AVAILABLE; valid(i); i++) {
      if (used.has(i)) continue;
      used.add(i);
      const a = cell(c, c.teb, i, false);
      if (a !== 0) c.writePtr(a, 0);
      return i;
    }
    c.setLastError(ERROR_NO_MORE_ITEMS);
    return TLS_OUT_OF_INDEXES;
  }),

  /** BOOL TlsFree(DWORD dwTlsIndex): the index is freed and its value cleared in every thread. */
  TlsFree: api((c) => {
    const i = c.u32(0);
    if (!valid(i) || !allocated(c, i)) {
      c.setLastError(ERROR_INVALID_PARAMETER);
      return FALSE;
    }
    if (i < TLS_MINIMUM_AVAILABLE) {
      const at = c.peb + c.layout.peb.TlsBitmapBits + 4 * (i >>> 5);
      c.mem.w32(at, c.mem.u32(at) & ~(1 << (i & 31)));
    } else expansion(c).delete(i);
    for (const t of c.process.threads) {
      const teb = tebOf(c, t);
      if (teb === 0) continue;
      const a = cell(c, teb, i, false);
      if (a !== 0) c.writePtr(a, 0);
    }
    return TRUE;
  }),

  /** LPVOID TlsGetValue(DWORD dwTlsIndex): clears the last error when it succeeds (TlsGetValue, Remarks). */
  TlsGetValue: api((c) => {
    const i = c.u32(0);
    if (!valid(i)) {
      c.setLastError(ERROR_INVALID_PARAMETER);
      return 0;
    }
    c.setLastError(ERROR_SUCCESS);
    const a = cell(c, c.teb, i, false);
    return a === 0 ? 0 : c.readPtr(a);
  }),

  /** BOOL TlsSetValue(DWORD dwTlsIndex, LPVOID lpTlsValue). */
  TlsSetValue: api((c) => {
    const i = c.u32(0);
    if (!valid(i)) {
      c.setLastError(ERROR_INVALID_PARAMETER);
      return FALSE;
    }
    c.writePtr(cell(c, c.teb, i, true), c.arg(1));
    return TRUE;
  }),
};
