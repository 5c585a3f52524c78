/**
 * msvcrt functions that real programs import beyond the core of crt-runtime/crt-stdio/crt-io/crt-stdlib:
 * the wide start-up (`__wgetmainargs`, `__p__wcmdln`; `_wcmdln` is set with `_acmdln` in crt-state.ts,
 * `__winitenv` by __wgetmainargs), perror, the wide character stream functions (fputwc, putwc, getwc,
 * fgetwc, ungetwc), _filelengthi64, the multibyte conversions (mbstowcs, wcstombs), the bounds-checked
 * strcpy_s/strcat_s/wcscpy_s/wcscat_s, and the locale-dependent functions in the "C" locale (iswctype,
 * towlower, towupper, strcoll, strxfrm, wcscoll, wcsxfrm, wcsftime).
 *
 * Sources (learn.microsoft.com, C runtime reference):
 * - perror: "prints … string, followed by a colon, then the system error message for the last library
 *   call that produced the error, and finally a newline character. If string is a null pointer or a
 *   pointer to a null string, perror prints only the system error message" (on stderr); the message is
 *   strerror's.
 * - fputwc/putwc: return the character written, WEOF (0xFFFF) on error; on a text-mode stream msvcrt
 *   converts the wide character with wctomb, which in the "C" locale converts only 0-255 and otherwise
 *   fails with EILSEQ (see crt-stdio.ts wideToStream). getwc/fgetwc: a byte is the wide character of the
 *   same value in the "C" locale; WEOF at end of file. ungetwc: WEOF for WEOF (input unchanged).
 * - mbstowcs/wcstombs: with a NULL destination, the required size without the terminator; otherwise at
 *   most `count` characters, terminated only when the terminator was reached before `count`; a NULL source
 *   is EINVAL and (size_t)-1. In the "C" locale a byte converts to the wide character of the same value;
 *   wcstombs fails ((size_t)-1, EILSEQ) at a wide character above 255.
 * - strcpy_s/strcat_s (and the wcs versions): 0 on success; a NULL destination EINVAL (not modified); a
 *   NULL source EINVAL with strDestination[0] set to 0; a size of 0 or too small ERANGE with
 *   strDestination[0] set to 0 (nothing written when the size is 0); strcat_s with a destination that
 *   is not terminated within its size EINVAL. errno is set to the result. msvcrt.dll's default invalid
 *   parameter handler returns to the function (the Universal CRT's terminates the process).
 * - "C" locale: strcoll/wcscoll compare as strcmp/wcscmp; strxfrm/wcsxfrm copy the string (the
 *   transformation is the identity) and return its length; towlower/towupper change only A-Z / a-z;
 *   wcsftime is strftime's "C" locale output as wide characters. iswctype(c, desc): c's CT_CTYPE1
 *   classification (GetStringTypeW: C1_UPPER 1, C1_LOWER 2, C1_DIGIT 4, C1_SPACE 8, C1_PUNCT 0x10,
 *   C1_CNTRL 0x20, C1_BLANK 0x40, C1_XDIGIT 0x80, C1_ALPHA 0x100 — the same bits as ctype.h's _UPPER…
 *   _ALPHA) ANDed with desc; WEOF is 0.
 */
import { unimplemented } from "../kernel/context";
import type { KernelStop } from "../kernel/types";
import { FILE_SIZE } from "../dlls/declarations-msvcrt";
import { api, calls, type ApiCall, type ApiFamily, type BridgeCall, type CallsGen } from "./context";
import { EBADF, fdOf, streamArg, streamAt, streamGetc, streamUngetc, type Stream } from "./crt-io";
import { parseCommandLine, ERRNO_TEXT } from "./crt-runtime";
import {
  EINVAL,
  ERANGE,
  crt,
  crtAlloc,
  crtExport,
  errnoAddr,
  iobBase,
  readCString,
  readWString,
  setErrno,
} from "./crt-state";
import { EILSEQ, writer } from "./crt-stdio";
import { readTm, strftime } from "./crt-stdlib";
import { DiskFileObject } from "../kernel/file-io";

/** WEOF, (wint_t)0xFFFF. */
const WEOF = 0xffff;

/** Writes a UTF-16 string and its terminator at `a`. */
function writeW(c: ApiCall, a: number, s: ArrayLike<number>): void {
  for (let k = 0; k < s.length; k++) c.mem.w16(a + 2 * k, s[k]);
  c.mem.w16(a + 2 * s.length, 0);
}

/** A NULL-terminated array of wide strings in one block (argv and envp). */
function wideArray(c: ApiCall, items: readonly string[]): number {
  const strBytes = items.reduce((n, a) => n + 2 * (a.length + 1), 0);
  const base = crtAlloc(c, (items.length + 1) * c.ptrSize + strBytes);
  let q = base + (items.length + 1) * c.ptrSize;
  items.forEach((a, i) => {
    writeW(
      c,
      q,
      Array.from(a, (ch) => ch.charCodeAt(0)),
    );
    c.writePtr(base + i * c.ptrSize, q);
    q += 2 * (a.length + 1);
  });
  c.writePtr(base + items.length * c.ptrSize, 0);
  return base;
}

/** The wide start-up state of one msvcrt (per process and architecture). */
const wideStart = new WeakMap<object, { argc: number; argv: number; envp: number }>();

/** stderr (_iob[2]), or a stop when the program closed it. */
function stderrStream(c: ApiCall): Stream | KernelStop {
  const s = streamAt(c, iobBase(c) + 2 * FILE_SIZE[c.arch]);
  if (s !== undefined) return s;
  return unimplemented("perror", "stderr is not an open stream");
}

/** The errno of the calling thread. */
function errno(c: ApiCall): number {
  return c.mem.i32(errnoAddr(c));
}

function cmp(a: ArrayLike<number>, b: ArrayLike<number>): number {
  const n = Math.max(a.length, b.length);
  for (let i = 0; i < n; i++) {
    const x = i < a.length ? a[i] : 0;
    const y = i < b.length ? b[i] : 0;
    if (x !== y) return x < y ? -1 : 1;
  }
  return 0;
}

/** GetStringTypeW CT_CTYPE1 bits of a UTF-16 code unit. */
export function ctype1(ch: number): number {
  const s = String.fromCharCode(ch);
  let r = 0;
  if (/\p{Lu}/u.test(s)) r |= 0x1;
  if (/\p{Ll}/u.test(s)) r |= 0x2;
  if (ch >= 0x30 && ch <= 0x39) r |= 0x4;
  if ((ch >= 0x09 && ch <= 0x0d) || /\p{Zs}/u.test(s)) r |= 0x8;
  if (/[\p{P}\p{S}]/u.test(s)) r |= 0x10;
  if (/\p{Cc}/u.test(s)) r |= 0x20;
  if (ch === 0x09 || /\p{Zs}/u.test(s)) r |= 0x40;
  if ((ch >= 0x30 && ch <= 0x39) || (ch >= 0x41 && ch <= 0x46) || (ch >= 0x61 && ch <= 0x66)) r |= 0x80;
  if (/\p{L}/u.test(s)) r |= 0x100;
  return r;
}

/** strcpy_s / wcscpy_s: `src` is the source's characters. */
function copyS(c: ApiCall, size: number, src: number[] | undefined, unit: 1 | 2): number {
  const dest = c.arg(0);
  const put = (k: number, v: number): void =>
    unit === 1 ? c.mem.w8(dest + k, v) : c.mem.w16(dest + 2 * k, v);
  const fail = (e: number): number => {
    setErrno(c, e);
    return e;
  };
  if (dest === 0) return fail(EINVAL);
  if (src === undefined) {
    if (size > 0) put(0, 0);
    return fail(EINVAL);
  }
  if (size === 0 || src.length + 1 > size) {
    if (size > 0) put(0, 0);
    return fail(ERANGE);
  }
  src.forEach((v, k) => put(k, v));
  put(src.length, 0);
  return 0;
}

/** strcat_s / wcscat_s. */
function catS(c: ApiCall, size: number, src: number[] | undefined, unit: 1 | 2): number {
  const dest = c.arg(0);
  const get = (k: number): number => (unit === 1 ? c.mem.u8(dest + k) : c.mem.u16(dest + 2 * k));
  const put = (k: number, v: number): void =>
    unit === 1 ? c.mem.w8(dest + k, v) : c.mem.w16(dest + 2 * k, v);
  const fail = (e: number): number => {
    setErrno(c, e);
    return e;
  };
  if (dest === 0) return fail(EINVAL);
  if (src === undefined) {
    if (size > 0) put(0, 0);
    return fail(EINVAL);
  }
  if (size === 0) return fail(ERANGE);
  let len = 0;
  while (len < size && get(len) !== 0) len++;
  if (len === size) {
    put(0, 0);
    return fail(EINVAL);
  }
  if (len + src.length + 1 > size) {
    put(0, 0);
    return fail(ERANGE);
  }
  src.forEach((v, k) => put(len + k, v));
  put(len + src.length, 0);
  return 0;
}

/** strxfrm / wcsxfrm in the "C" locale: the string itself, copied when it fits `count` with its terminator. */
function xfrm(c: ApiCall, src: number[], unit: 1 | 2): number {
  const dest = c.arg(0);
  const count = c.arg(2);
  if (dest !== 0 && src.length < count) {
    if (unit === 1) c.mem.write(dest, Uint8Array.from([...src, 0]));
    else writeW(c, dest, src);
  }
  return src.length;
}

/** (size_t)-1: all ones in RAX / EAX. */
const SIZE_MAX = -1;

export const crtExtraApis: ApiFamily = {
  /**
   * __wgetmainargs(&argc, &argv, &envp, doWildCard, &startinfo): the wide command line parsed as
   * __getmainargs parses the narrow one, the environment as wide strings; also sets __winitenv.
   */
  __wgetmainargs: api((c) => {
    const s = crt(c);
    let w = wideStart.get(s);
    if (w === undefined) {
      const args = parseCommandLine(c.process.commandLine);
      const env = s.env.map((e) => `${e.name}=${e.value}`);
      w = { argc: args.length, argv: wideArray(c, args), envp: wideArray(c, env) };
      wideStart.set(s, w);
    }
    c.mem.w32(c.arg(0), w.argc);
    c.writePtr(c.arg(1), w.argv);
    c.writePtr(c.arg(2), w.envp);
    c.writePtr(crtExport(c, "__winitenv"), w.envp);
    return 0;
  }),
  __p__wcmdln: api((c) => {
    crt(c);
    return crtExport(c, "_wcmdln");
  }),

  /** perror(string): "string: message\n" (or "message\n") on stderr. */
  perror: writer((c) => {
    const s = stderrStream(c);
    if ("kind" in s) return s;
    const text = ERRNO_TEXT[errno(c)] ?? "Unknown error";
    const prefix = c.arg(0) === 0 ? [] : [...readCString(c.mem, c.arg(0))];
    const head = prefix.length > 0 ? [...prefix, 0x3a, 0x20] : [];
    return [s, [...head, ...Array.from(text, (ch) => ch.charCodeAt(0)), 0x0a], 0];
  }),
  fputwc: writer(fputwc, () => WEOF),
  putwc: writer(fputwc, () => WEOF),
  getwc: calls(getwc),
  fgetwc: calls(getwc),
  ungetwc: api((c) => {
    const ch = c.u32(0) & 0xffff;
    const s = streamArg(c, 1);
    if ("kind" in s) return s;
    if (ch === WEOF) return WEOF;
    if (ch > 0xff) {
      setErrno(c, EILSEQ);
      return WEOF;
    }
    return streamUngetc(c, s, ch) < 0 ? WEOF : ch;
  }),
  /** _filelengthi64(fd): the file's length as a 64-bit value (EDX:EAX on x86); -1 with EBADF. */
  _filelengthi64: api((c) => {
    const f = fdOf(c, c.u32(0) | 0);
    const o = f && c.kernel.handles.get(f.handle)?.object;
    const v = o instanceof DiskFileObject ? o.vfs.queryStandard(o.file).endOfFile : -1;
    if (v < 0) setErrno(c, EBADF);
    if (c.arch === "x86") c.thread.cpu.lo[2] = Math.floor(v / 2 ** 32) | 0;
    return c.arch === "x64" ? v : v >>> 0;
  }),

  mbstowcs: api((c) => {
    if (c.arg(1) === 0) {
      setErrno(c, EINVAL);
      return SIZE_MAX;
    }
    const src = readCString(c.mem, c.arg(1));
    const dest = c.arg(0);
    if (dest === 0) return src.length;
    const n = Math.min(src.length, c.arg(2));
    for (let k = 0; k < n; k++) c.mem.w16(dest + 2 * k, src[k]);
    if (n < c.arg(2)) c.mem.w16(dest + 2 * n, 0);
    return n;
  }),
  wcstombs: api((c) => {
    if (c.arg(1) === 0) {
      setErrno(c, EINVAL);
      return SIZE_MAX;
    }
    const src = readWString(c.mem, c.arg(1));
    const dest = c.arg(0);
    const count = dest === 0 ? src.length : Math.min(src.length, c.arg(2));
    if (src.slice(0, count).some((u) => u > 0xff)) {
      setErrno(c, EILSEQ);
      return SIZE_MAX;
    }
    if (dest === 0) return src.length;
    c.mem.write(dest, Uint8Array.from(src.slice(0, count)));
    if (count < c.arg(2)) c.mem.w8(dest + count, 0);
    return count;
  }),
  strcpy_s: api((c) => copyS(c, c.arg(1), c.arg(2) === 0 ? undefined : [...readCString(c.mem, c.arg(2))], 1)),
  strcat_s: api((c) => catS(c, c.arg(1), c.arg(2) === 0 ? undefined : [...readCString(c.mem, c.arg(2))], 1)),
  wcscpy_s: api((c) => copyS(c, c.arg(1), c.arg(2) === 0 ? undefined : readWString(c.mem, c.arg(2)), 2)),
  wcscat_s: api((c) => catS(c, c.arg(1), c.arg(2) === 0 ? undefined : readWString(c.mem, c.arg(2)), 2)),

  iswctype: api((c) => {
    const ch = c.u32(0) & 0xffff;
    return ch === WEOF ? 0 : ctype1(ch) & c.u32(1) & 0xffff;
  }),
  towlower: api((c) => {
    const ch = c.u32(0) & 0xffff;
    return ch >= 0x41 && ch <= 0x5a ? ch + 0x20 : ch;
  }),
  towupper: api((c) => {
    const ch = c.u32(0) & 0xffff;
    return ch >= 0x61 && ch <= 0x7a ? ch - 0x20 : ch;
  }),
  strcoll: api((c) => cmp(readCString(c.mem, c.arg(0)), readCString(c.mem, c.arg(1)))),
  wcscoll: api((c) => cmp(readWString(c.mem, c.arg(0)), readWString(c.mem, c.arg(1)))),
  strxfrm: api((c) => xfrm(c, [...readCString(c.mem, c.arg(1))], 1)),
  wcsxfrm: api((c) => xfrm(c, readWString(c.mem, c.arg(1)), 2)),
  /** wcsftime(buf, max, format, tm): strftime's rules, in wide characters. */
  wcsftime: api((c) => {
    const max = c.arg(1);
    const s = strftime(String.fromCharCode(...readWString(c.mem, c.arg(2))), readTm(c, c.arg(3)));
    if (s === undefined || s.length + 1 > max) {
      setErrno(c, s === undefined ? EINVAL : ERANGE);
      if (max > 0) c.mem.w16(c.arg(0), 0);
      return 0;
    }
    writeW(
      c,
      c.arg(0),
      Array.from(s, (ch) => ch.charCodeAt(0)),
    );
    return s.length;
  }),
};

/** getwc(stream) / fgetwc: a byte is a character in the "C" locale; WEOF at the end or on an error. */
function* getwc(c: BridgeCall): CallsGen {
  const s = streamArg(c, 0);
  if ("kind" in s) return s;
  const r = yield* streamGetc(c, s);
  return r < 0 ? WEOF : r;
}

/** fputwc(wc, stream) / putwc: the character through wctomb in the "C" locale. */
function fputwc(c: Parameters<Parameters<typeof writer>[0]>[0]): [Stream, number[], number] | KernelStop {
  const s = streamArg(c, 1);
  if ("kind" in s) return s;
  const ch = c.u32(0) & 0xffff;
  if (ch > 0xff) {
    setErrno(c, EILSEQ);
    return [s, [], WEOF];
  }
  return [s, [ch], ch];
}
