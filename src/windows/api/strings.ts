/**
 * Code-page conversions: MultiByteToWideChar, WideCharToMultiByte, IsDBCSLeadByteEx, for the code pages
 * this system has: CP_ACP / CP_THREAD_ACP = 1252 (the ANSI code page of US/Western-European Windows, as
 * ./registry.ts assumes too), 1252 itself, 20127 (US-ASCII) and CP_UTF8. Others (CP_OEMCP = 437, DBCS
 * pages, CP_MACCP, CP_UTF7) are unimplemented stops naming the code page.
 *
 * Sources: Microsoft, "MultiByteToWideChar", "WideCharToMultiByte", "IsDBCSLeadByteEx"
 * (learn.microsoft.com/windows/win32/api/stringapiset/, winnls.h): -1 lengths include the terminating null;
 * a zero output size returns the size needed; a too-small buffer fails with ERROR_INSUFFICIENT_BUFFER;
 * MB_ERR_INVALID_CHARS makes an invalid UTF-8 sequence fail with ERROR_NO_UNICODE_TRANSLATION (else
 * U+FFFD); for CP_UTF8 lpDefaultChar / lpUsedDefaultChar must be NULL. The 1252 table: the Unicode
 * consortium's cp1252.txt (bestfit1252.txt maps 0x81, 0x8D, 0x8F, 0x90, 0x9D to the same C1 controls).
 */
import { unimplemented } from "../kernel/context";
import type { KernelStop } from "../kernel/types";
import type { ApiCall, ApiFamily } from "./context";
import { api } from "./context";
import { decode1252 } from "./registry";

const CP_ACP = 0;
const CP_THREAD_ACP = 3;
const CP_UTF8 = 65001;
const CP_1252 = 1252;
const CP_ASCII = 20127;
const MB_ERR_INVALID_CHARS = 0x8;
const WC_NO_BEST_FIT_CHARS = 0x400;
const ERROR_INSUFFICIENT_BUFFER = 122;
const ERROR_INVALID_PARAMETER = 87;
const ERROR_NO_UNICODE_TRANSLATION = 1113;
/** Longest string converted (a missing terminator stops here rather than reading the address space). */
const MAX_CHARS = 1 << 24;

/** The code page a CodePage argument names, or undefined when we do not have it. */
function pageOf(cp: number): number | undefined {
  if (cp === CP_ACP || cp === CP_THREAD_ACP || cp === CP_1252) return CP_1252;
  if (cp === CP_UTF8 || cp === CP_ASCII) return cp;
  return undefined;
}

const REVERSE_1252 = new Map<number, number>();
for (let b = 0x80; b < 0x100; b++) REVERSE_1252.set(decode1252(Uint8Array.of(b)).charCodeAt(0), b);

function readBytes(c: ApiCall, at: number, n: number): Uint8Array {
  if (n >= 0) return c.mem.read(at, n);
  let len = 0;
  while (len < MAX_CHARS && c.mem.u8(at + len) !== 0) len++;
  return c.mem.read(at, len + 1); // with the terminator
}

function readUnits(c: ApiCall, at: number, n: number): number[] {
  const out: number[] = [];
  if (n >= 0) {
    for (let i = 0; i < n; i++) out.push(c.mem.u16(at + 2 * i));
    return out;
  }
  for (let i = 0; i < MAX_CHARS; i++) {
    const u = c.mem.u16(at + 2 * i);
    out.push(u);
    if (u === 0) break;
  }
  return out;
}

/** UTF-8 → UTF-16 units; undefined at the first invalid sequence when `strict`. */
function fromUtf8(b: Uint8Array, strict: boolean): number[] | undefined {
  const d = new TextDecoder("utf-8", { fatal: strict, ignoreBOM: true });
  let s: string;
  try {
    s = d.decode(b);
  } catch {
    return undefined;
  }
  const out: number[] = [];
  for (let i = 0; i < s.length; i++) out.push(s.charCodeAt(i));
  return out;
}

function multiByteToWideChar(c: ApiCall): number | KernelStop {
  const cp = c.u32(0);
  const flags = c.u32(1);
  const src = c.arg(2);
  const srcLen = c.sarg(3) | 0;
  const dst = c.arg(4);
  const dstLen = c.sarg(5) | 0;
  const page = pageOf(cp);
  if (page === undefined) return unimplemented("MultiByteToWideChar", `code page ${cp}`);
  if (src === 0 || srcLen === 0 || srcLen < -1 || dstLen < 0 || (dst === 0 && dstLen !== 0)) {
    c.setLastError(ERROR_INVALID_PARAMETER);
    return 0;
  }
  const bytes = readBytes(c, src, srcLen);
  let units: number[] | undefined;
  if (page === CP_UTF8) units = fromUtf8(bytes, (flags & MB_ERR_INVALID_CHARS) !== 0);
  else if (page === CP_ASCII) {
    units = [];
    for (const b of bytes) {
      if (b >= 0x80 && (flags & MB_ERR_INVALID_CHARS) !== 0) {
        units = undefined;
        break;
      }
      units.push(b & 0x7f); // US-ASCII: the high bit is dropped (bestfit20127.txt)
    }
  } else {
    const s = decode1252(bytes);
    units = Array.from(s, (ch) => ch.charCodeAt(0));
  }
  if (units === undefined) {
    c.setLastError(ERROR_NO_UNICODE_TRANSLATION);
    return 0;
  }
  if (dstLen === 0) return units.length;
  if (units.length > dstLen) {
    for (let i = 0; i < dstLen; i++) c.mem.w16(dst + 2 * i, units[i]);
    c.setLastError(ERROR_INSUFFICIENT_BUFFER);
    return 0;
  }
  for (let i = 0; i < units.length; i++) c.mem.w16(dst + 2 * i, units[i]);
  return units.length;
}

function wideCharToMultiByte(c: ApiCall): number | KernelStop {
  const cp = c.u32(0);
  const flags = c.u32(1);
  const src = c.arg(2);
  const srcLen = c.sarg(3) | 0;
  const dst = c.arg(4);
  const dstLen = c.sarg(5) | 0;
  const defaultChar = c.arg(6);
  const usedDefault = c.arg(7);
  const page = pageOf(cp);
  if (page === undefined) return unimplemented("WideCharToMultiByte", `code page ${cp}`);
  if (
    src === 0 ||
    srcLen === 0 ||
    srcLen < -1 ||
    dstLen < 0 ||
    (dst === 0 && dstLen !== 0) ||
    (page === CP_UTF8 && (defaultChar !== 0 || usedDefault !== 0))
  ) {
    c.setLastError(ERROR_INVALID_PARAMETER);
    return 0;
  }
  const units = readUnits(c, src, srcLen);
  let out: number[];
  let used = false;
  if (page === CP_UTF8) {
    // Unpaired surrogates become U+FFFD (TextEncoder does the same).
    out = Array.from(new TextEncoder().encode(String.fromCharCode(...units)));
  } else {
    const dflt = defaultChar !== 0 ? c.mem.u8(defaultChar) : 0x3f;
    out = [];
    for (const u of units) {
      let b: number | undefined =
        u < 0x80
          ? u
          : page === CP_1252
            ? u < 0x100 && (u < 0x80 || u >= 0xa0)
              ? u
              : REVERSE_1252.get(u)
            : undefined;
      if (b === undefined) {
        // Windows' default best-fit mapping (e.g. U+0100 → 'A') is a table we do not have.
        if ((flags & WC_NO_BEST_FIT_CHARS) === 0)
          return unimplemented(
            "WideCharToMultiByte",
            `best-fit mapping of U+${u.toString(16).padStart(4, "0")}`,
          );
        b = dflt;
        used = true;
      }
      out.push(b);
    }
  }
  if (usedDefault !== 0) c.mem.w32(usedDefault, used ? 1 : 0);
  if (dstLen === 0) return out.length;
  if (out.length > dstLen) {
    c.mem.write(dst, Uint8Array.from(out.slice(0, dstLen)));
    c.setLastError(ERROR_INSUFFICIENT_BUFFER);
    return 0;
  }
  c.mem.write(dst, Uint8Array.from(out));
  return out.length;
}

export const stringApis: ApiFamily = {
  MultiByteToWideChar: api((c) => multiByteToWideChar(c)),
  WideCharToMultiByte: api((c) => wideCharToMultiByte(c)),
  /** Single-byte code pages (1252, 20127) and UTF-8 have no lead bytes: FALSE. */
  IsDBCSLeadByteEx: api((c) => {
    const cp = c.u32(0);
    if (pageOf(cp) === undefined) return unimplemented("IsDBCSLeadByteEx", `code page ${cp}`);
    return 0;
  }),
};
