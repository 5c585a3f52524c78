/**
 * user32.dll's character functions (declared in ../dlls/user32.ts): CharUpperA/W, CharLowerA/W —
 * learn.microsoft.com/en-us/windows/win32/api/winuser/nf-winuser-charuppera: "If the high-order word of
 * this parameter is zero, the low-order word must contain a single character to be converted"; the
 * result is then that character converted (in the low word), otherwise the string is converted in place
 * and the same pointer is returned. They do not call win32k.
 *
 * The conversion is the user locale's: the ANSI functions work in the ANSI code page, taken to be
 * Windows-1252 as elsewhere (registry.ts): a-z, à-þ (not ÷) and š œ ž ÿ ↔ Š Œ Ž Ÿ (0x9A 0x9C 0x9E 0xFF ↔
 * 0x8A 0x8C 0x8E 0x9F); ß, µ and ÿ's other partners have no single-byte case pair and stay. The wide
 * functions convert each UTF-16 unit whose Unicode simple case mapping is one unit.
 */
import { api, type ApiCall, type ApiFamily } from "./context";

const PAIRS_1252: readonly [number, number][] = [
  [0x9a, 0x8a],
  [0x9c, 0x8c],
  [0x9e, 0x8e],
  [0xff, 0x9f],
];

/** Windows-1252 upper case of a byte. */
export function upper1252(b: number): number {
  if ((b >= 0x61 && b <= 0x7a) || (b >= 0xe0 && b <= 0xfe && b !== 0xf7)) return b - 0x20;
  return PAIRS_1252.find((p) => p[0] === b)?.[1] ?? b;
}

/** Windows-1252 lower case of a byte. */
export function lower1252(b: number): number {
  if ((b >= 0x41 && b <= 0x5a) || (b >= 0xc0 && b <= 0xde && b !== 0xd7)) return b + 0x20;
  return PAIRS_1252.find((p) => p[1] === b)?.[0] ?? b;
}

function wideCase(u: number, up: boolean): number {
  const s = String.fromCharCode(u);
  const t = up ? s.toUpperCase() : s.toLowerCase();
  return t.length === 1 ? t.charCodeAt(0) : u;
}

function charCase(c: ApiCall, wide: boolean, up: boolean): number {
  const p = c.arg(0);
  if (p < 0x10000) {
    const ch = p & (wide ? 0xffff : 0xff);
    return wide ? wideCase(ch, up) : up ? upper1252(ch) : lower1252(ch);
  }
  for (let a = p; ; a += wide ? 2 : 1) {
    const ch = wide ? c.mem.u16(a) : c.mem.u8(a);
    if (ch === 0) break;
    if (wide) c.mem.w16(a, wideCase(ch, up));
    else c.mem.w8(a, up ? upper1252(ch) : lower1252(ch));
  }
  return p;
}

export const user32Apis: ApiFamily = {
  CharUpperA: api((c) => charCase(c, false, true)),
  CharUpperW: api((c) => charCase(c, true, true)),
  CharLowerA: api((c) => charCase(c, false, false)),
  CharLowerW: api((c) => charCase(c, true, false)),
};
