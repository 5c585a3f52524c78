/**
 * msvcrt's stdio output: the printf family and the other writers on streams (bridges around
 * ntdll!NtWriteFile on the stream's descriptor: the `pre` half formats into the thread's buffer and fills
 * the call, the `post` half returns the C result), and sprintf and friends into memory. The streams and
 * descriptors (the standard ones and fopen's) are crt-io.ts's; input and the scanf family are there and in
 * crt-scan.ts.
 *
 * Buffering: every call writes at once (one NtWriteFile per call), as msvcrt does for a console (it
 * buffers only for the duration of one printf); msvcrt fully buffers stdout redirected to a file or pipe,
 * and file streams, which changes only when the bytes leave, not which bytes. Text mode (the default):
 * "\n" is written as "\r\n", as msvcrt's _write does; the count a function returns is the caller's bytes.
 */
import { unimplemented } from "../kernel/context";
import type { KernelStop } from "../kernel/types";
import { FILE_SIZE } from "../dlls/declarations-msvcrt";
import { api, bridge, type ApiCall, type ApiFamily, type BridgeCall } from "./context";
import { formatPrintf, type ArgSource } from "./crt-format";
import { _IOERR, setFlag, streamAt, streamWritable, writeFdPre, type Stream } from "./crt-io";
import { argSource, argWords, iobBase, readCString, readWString, setErrno, vaWords } from "./crt-state";

const EOF = -1;
/** errno EILSEQ (Microsoft, "errno constants": 42, an illegal sequence of bytes). */
export const EILSEQ = 42;

/** The stream a FILE* argument names (crt-io.ts), or a stop for a pointer that is not an open stream. */
function streamOf(c: ApiCall, file: number): Stream | KernelStop {
  const s = streamAt(c, file);
  if (s !== undefined) return s;
  return unimplemented(
    c.entry.name.replace(/\$(pre|post)$/, ""),
    `FILE* 0x${file.toString(16)} is not an open stream`,
  );
}

function stdout(c: ApiCall): Stream | KernelStop {
  return streamOf(c, iobBase(c) + FILE_SIZE[c.arch]);
}

/**
 * Fills NtWriteFile(handle of the stream's descriptor, NULL, NULL, NULL, &iosb, buffer, length, NULL, NULL)
 * (crt-io.ts `writeFdPre`: text mode, append); local 0-1 is the IO_STATUS_BLOCK, local 2 the result for
 * `post`, local 3 the FILE* (0 when the stream cannot be written: the call is made on handle 0 and fails).
 */
function writeStream(c: BridgeCall, stream: Stream, data: number[], result: number): void {
  const ok = streamWritable(c, stream);
  writeFdPre(c, ok ? stream.fd : -1, data);
  c.mem.w32(c.local(2), result >>> 0);
  c.writePtr(c.local(3), stream.file);
}

/** A stream-writing function: `produce` returns [stream, bytes, result] or a stop. */
export function writer(
  produce: (c: BridgeCall) => [Stream, number[], number] | KernelStop,
  onError: (c: BridgeCall) => number = () => EOF,
) {
  return bridge({
    pre: (c) => {
      const r = produce(c);
      if (!Array.isArray(r)) return r;
      writeStream(c, r[0], r[1], r[2]);
      return undefined;
    },
    post: (c, status) => {
      if (status !== 0) {
        const s = streamAt(c, c.readPtr(c.local(3)));
        if (s) setFlag(c, s, _IOERR);
        return onError(c);
      }
      return c.mem.i32(c.local(2));
    },
  });
}

function format(c: ApiCall, fmt: number, args: ArgSource): number[] {
  return formatPrintf(readCString(c.mem, fmt), args, { ptrSize: c.ptrSize });
}

/** Arguments from the call itself, starting at argument `first`. */
function callArgs(c: ApiCall, first: number): ArgSource {
  return argSource(c, argWords(c), first * c.ptrSize);
}

function vaArgs(c: ApiCall, va: number): ArgSource {
  return argSource(c, vaWords(c, va), 0);
}

/**
 * wprintf's output on a stream: msvcrt's _woutput writes each wide character with _putwc_nolock, which
 * converts it with wctomb in the current locale (msvcrt starts in the "C" locale, where the characters
 * 0-255 are themselves and nothing else converts). When a character does not convert, wctomb fails with
 * EILSEQ ("wctomb, _wctomb_l": "If the conversion isn't possible in the current locale, wctomb returns -1
 * and errno is set to EILSEQ") and the function returns a negative value ("wprintf … returns a negative
 * value if an output error occurs"): the characters before it are written.
 * Returns [bytes, result]: the result is the count of wide characters (wprintf's count), or -1.
 */
function wideToStream(c: ApiCall, out: number[]): [number[], number] {
  const bad = out.findIndex((u) => u > 0xff);
  if (bad < 0) return [out, out.length];
  setErrno(c, EILSEQ);
  return [out.slice(0, bad), -1];
}

function wformat(c: ApiCall, fmt: number, args: ArgSource): number[] {
  return formatPrintf(readWString(c.mem, fmt), args, { ptrSize: c.ptrSize, wide: true });
}

/** A wide writer: the stream, the UTF-16 output. */
function wideWriter(produce: (c: BridgeCall) => [Stream, number[]] | KernelStop) {
  return writer((c) => {
    const r = produce(c);
    if (!Array.isArray(r)) return r;
    const [bytes, result] = wideToStream(c, r[1]);
    return [r[0], bytes, result];
  });
}

/**
 * Copies wide output into a caller buffer of `count` wide characters: the legacy _snwprintf rules
 * ("_snprintf, _snwprintf…": the output and a terminating NUL when it fits, the `count` characters
 * without a NUL when it is exactly `count` long, -1 when it is longer).
 */
function toWideBuffer(c: ApiCall, buf: number, count: number, out: number[]): number {
  const n = Math.min(out.length, count);
  for (let k = 0; k < n; k++) c.mem.w16(buf + 2 * k, out[k]);
  if (out.length < count) c.mem.w16(buf + 2 * n, 0);
  return out.length <= count ? out.length : -1;
}

/** Copies formatted output into a caller buffer (NUL-terminated when it fits `count`); _snprintf's result. */
function toBuffer(c: ApiCall, buf: number, count: number, out: number[], terminate: boolean): number {
  const n = Math.min(out.length, count);
  c.mem.write(buf, Uint8Array.from(out.slice(0, n)));
  if (out.length < count || terminate) c.mem.w8(buf + n, 0);
  return out.length <= count ? out.length : -1;
}

export const crtStdioApis: ApiFamily = {
  printf: writer((c) => {
    const s = stdout(c);
    if ("kind" in s) return s;
    const out = format(c, c.arg(0), callArgs(c, 1));
    return [s, out, out.length];
  }),
  vprintf: writer((c) => {
    const s = stdout(c);
    if ("kind" in s) return s;
    const out = format(c, c.arg(0), vaArgs(c, c.arg(1)));
    return [s, out, out.length];
  }),
  fprintf: writer((c) => {
    const s = streamOf(c, c.arg(0));
    if ("kind" in s) return s;
    const out = format(c, c.arg(1), callArgs(c, 2));
    return [s, out, out.length];
  }),
  vfprintf: writer((c) => {
    const s = streamOf(c, c.arg(0));
    if ("kind" in s) return s;
    const out = format(c, c.arg(1), vaArgs(c, c.arg(2)));
    return [s, out, out.length];
  }),
  /** puts: the string and "\n"; 0 on success (msvcrt), EOF on error. */
  puts: writer((c) => {
    const s = stdout(c);
    return "kind" in s ? s : [s, [...readCString(c.mem, c.arg(0)), 0x0a], 0];
  }),
  putchar: writer((c) => {
    const s = stdout(c);
    return "kind" in s ? s : [s, [c.u32(0) & 0xff], c.u32(0) & 0xff];
  }),
  fputs: writer((c) => {
    const s = streamOf(c, c.arg(1));
    if ("kind" in s) return s;
    return [s, [...readCString(c.mem, c.arg(0))], 0];
  }),
  fputc: writer((c) => {
    const s = streamOf(c, c.arg(1));
    if ("kind" in s) return s;
    return [s, [c.u32(0) & 0xff], c.u32(0) & 0xff];
  }),
  putc: writer((c) => {
    const s = streamOf(c, c.arg(1));
    if ("kind" in s) return s;
    return [s, [c.u32(0) & 0xff], c.u32(0) & 0xff];
  }),
  /** fwrite: `count` items of `size` bytes; returns the items written (0 on error). */
  fwrite: writer(
    (c) => {
      const s = streamOf(c, c.arg(3));
      if ("kind" in s) return s;
      const size = c.arg(1);
      const count = c.arg(2);
      const total = size * count;
      if (total > 0x10000000) return unimplemented("fwrite", `${total} bytes at once`);
      return [s, [...c.mem.read(c.arg(0), total)], size === 0 ? 0 : count];
    },
    () => 0,
  ),
  sprintf: api((c) => {
    const out = format(c, c.arg(1), callArgs(c, 2));
    return toBuffer(c, c.arg(0), out.length, out, true);
  }),
  vsprintf: api((c) => {
    const out = format(c, c.arg(1), vaArgs(c, c.arg(2)));
    return toBuffer(c, c.arg(0), out.length, out, true);
  }),
  /** _snprintf: at most `count` bytes; NUL only when there is room; -1 when truncated (msvcrt). */
  _snprintf: api((c) => {
    const out = format(c, c.arg(2), callArgs(c, 3));
    return toBuffer(c, c.arg(0), c.arg(1), out, false);
  }),
  _vsnprintf: api((c) => {
    const out = format(c, c.arg(2), vaArgs(c, c.arg(3)));
    return toBuffer(c, c.arg(0), c.arg(1), out, false);
  }),
  _scprintf: api((c) => format(c, c.arg(0), callArgs(c, 1)).length),
  _vscprintf: api((c) => format(c, c.arg(0), vaArgs(c, c.arg(1))).length),

  // ---- the wide family ("printf, _printf_l, wprintf, _wprintf_l" and its siblings): `%s`/`%c` take
  // wide arguments and `%S`/`%C` (or `%hs`) narrow ones, the swap the "printf type field characters" page
  // documents; the result counts wide characters.
  wprintf: wideWriter((c) => {
    const s = stdout(c);
    return "kind" in s ? s : [s, wformat(c, c.arg(0), callArgs(c, 1))];
  }),
  vwprintf: wideWriter((c) => {
    const s = stdout(c);
    return "kind" in s ? s : [s, wformat(c, c.arg(0), vaArgs(c, c.arg(1)))];
  }),
  fwprintf: wideWriter((c) => {
    const s = streamOf(c, c.arg(0));
    return "kind" in s ? s : [s, wformat(c, c.arg(1), callArgs(c, 2))];
  }),
  vfwprintf: wideWriter((c) => {
    const s = streamOf(c, c.arg(0));
    return "kind" in s ? s : [s, wformat(c, c.arg(1), vaArgs(c, c.arg(2)))];
  }),
  /**
   * msvcrt.dll's swprintf and vswprintf are the legacy ones without a count ("sprintf, _sprintf_l,
   * swprintf…": "swprintf … doesn't conform to the ISO C standard, which requires the second parameter,
   * count"); mingw-w64 imports _swprintf and _vswprintf under these names, and its conforming
   * swprintf(buf, count, …) is an inline function over _vsnwprintf. The result: the wide characters
   * stored, not counting the NUL.
   */
  swprintf: api((c) => {
    const out = wformat(c, c.arg(1), callArgs(c, 2));
    return toWideBuffer(c, c.arg(0), out.length + 1, out);
  }),
  _swprintf: api((c) => {
    const out = wformat(c, c.arg(1), callArgs(c, 2));
    return toWideBuffer(c, c.arg(0), out.length + 1, out);
  }),
  vswprintf: api((c) => {
    const out = wformat(c, c.arg(1), vaArgs(c, c.arg(2)));
    return toWideBuffer(c, c.arg(0), out.length + 1, out);
  }),
  _vswprintf: api((c) => {
    const out = wformat(c, c.arg(1), vaArgs(c, c.arg(2)));
    return toWideBuffer(c, c.arg(0), out.length + 1, out);
  }),
  _snwprintf: api((c) => {
    const out = wformat(c, c.arg(2), callArgs(c, 3));
    return toWideBuffer(c, c.arg(0), c.arg(1), out);
  }),
  _vsnwprintf: api((c) => {
    const out = wformat(c, c.arg(2), vaArgs(c, c.arg(3)));
    return toWideBuffer(c, c.arg(0), c.arg(1), out);
  }),
  _scwprintf: api((c) => wformat(c, c.arg(0), callArgs(c, 1)).length),
  _vscwprintf: api((c) => wformat(c, c.arg(0), vaArgs(c, c.arg(1))).length),
};
