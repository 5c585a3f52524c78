/**
 * msvcrt's stdio: the printf family on streams (bridges around ntdll!NtWriteFile: the `pre` half formats
 * into the thread's buffer and fills the call, the `post` half returns the C result), sprintf and friends
 * into memory, and the FILE functions. Only the standard streams exist: `_iob[0..2]` on the handles
 * GetStdHandle reports (RTL_USER_PROCESS_PARAMETERS). `fopen` and stream input stop loudly until the C
 * runtime is wired to the file system calls.
 *
 * Buffering: every call writes at once (one NtWriteFile per call), as msvcrt does for a console (it
 * buffers only for the duration of one printf); msvcrt fully buffers stdout redirected to a file or pipe,
 * which changes only when the bytes leave, not which bytes. Text mode (`_fmode` 0, the default): "\n" is
 * written as "\r\n", as msvcrt's _write does; the count a function returns is the caller's bytes.
 */
import { unimplemented } from "../kernel/context";
import { STATUS_PENDING } from "../kernel/status";
import type { KernelStop } from "../kernel/types";
import { FILE_SIZE } from "../dlls/declarations-msvcrt";
import { api, bridge, type ApiCall, type ApiFamily, type BridgeCall } from "./context";
import { formatPrintf, type ArgSource } from "./crt-format";
import { argSource, argWords, crtExport, iobBase, readCString, scratch, vaWords } from "./crt-state";
import { stdHandle } from "./console";

const EOF = -1;

/** The standard stream (0, 1, 2) a FILE* names, or a stop for any other FILE*. */
function streamOf(c: ApiCall, file: number): number | KernelStop {
  const iob = iobBase(c);
  const fs = FILE_SIZE[c.arch];
  const k = (file - iob) / fs;
  if (Number.isInteger(k) && k >= 0 && k < 3) return k;
  return unimplemented(
    c.entry.name,
    `FILE* 0x${file.toString(16)} is not stdin/stdout/stderr (fopen is not implemented)`,
  );
}

/** Text mode: LF → CR LF. */
function textMode(c: ApiCall, data: number[]): number[] {
  const fmode = c.mem.u32(crtExport(c, "_fmode"));
  if (fmode & 0x8000 /* _O_BINARY */) return data;
  const out: number[] = [];
  for (const b of data) {
    if (b === 0x0a) out.push(0x0d);
    out.push(b);
  }
  return out;
}

/**
 * Fills NtWriteFile(handle of `stream`, NULL, NULL, NULL, &iosb, buffer, length, NULL, NULL); local 0-1 is
 * the IO_STATUS_BLOCK, local 2 the result for `post`.
 */
function writeStream(c: BridgeCall, stream: number, data: number[], result: number): void {
  const bytes = textMode(c, data);
  const buf = scratch(c, bytes.length + 1);
  c.mem.write(buf, Uint8Array.from(bytes));
  const iosb = c.local(0);
  c.writePtr(iosb, STATUS_PENDING);
  c.writePtr(iosb + c.ptrSize, 0);
  c.mem.w32(c.local(2), result >>> 0);
  const handle = stdHandle(c, -10 - stream) ?? 0;
  c.nt(0, handle);
  c.nt(1, 0);
  c.nt(2, 0);
  c.nt(3, 0);
  c.nt(4, iosb);
  c.nt(5, buf);
  c.nt(6, bytes.length);
  c.nt(7, 0);
  c.nt(8, 0);
}

/** A stream-writing function: `produce` returns [stream, bytes, result] or a stop. */
function writer(
  produce: (c: BridgeCall) => [number, number[], number] | KernelStop,
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
      if (status !== 0) return onError(c);
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

/** Copies formatted output into a caller buffer (NUL-terminated when it fits `count`); _snprintf's result. */
function toBuffer(c: ApiCall, buf: number, count: number, out: number[], terminate: boolean): number {
  const n = Math.min(out.length, count);
  c.mem.write(buf, Uint8Array.from(out.slice(0, n)));
  if (out.length < count || terminate) c.mem.w8(buf + n, 0);
  return out.length <= count ? out.length : -1;
}

export const crtStdioApis: ApiFamily = {
  printf: writer((c) => {
    const out = format(c, c.arg(0), callArgs(c, 1));
    return [1, out, out.length];
  }),
  vprintf: writer((c) => {
    const out = format(c, c.arg(0), vaArgs(c, c.arg(1)));
    return [1, out, out.length];
  }),
  fprintf: writer((c) => {
    const s = streamOf(c, c.arg(0));
    if (typeof s !== "number") return s;
    const out = format(c, c.arg(1), callArgs(c, 2));
    return [s, out, out.length];
  }),
  vfprintf: writer((c) => {
    const s = streamOf(c, c.arg(0));
    if (typeof s !== "number") return s;
    const out = format(c, c.arg(1), vaArgs(c, c.arg(2)));
    return [s, out, out.length];
  }),
  /** puts: the string and "\n"; 0 on success (msvcrt), EOF on error. */
  puts: writer((c) => [1, [...readCString(c.mem, c.arg(0)), 0x0a], 0]),
  putchar: writer((c) => [1, [c.u32(0) & 0xff], c.u32(0) & 0xff]),
  fputs: writer((c) => {
    const s = streamOf(c, c.arg(1));
    if (typeof s !== "number") return s;
    return [s, [...readCString(c.mem, c.arg(0))], 0];
  }),
  fputc: writer((c) => {
    const s = streamOf(c, c.arg(1));
    if (typeof s !== "number") return s;
    return [s, [c.u32(0) & 0xff], c.u32(0) & 0xff];
  }),
  putc: writer((c) => {
    const s = streamOf(c, c.arg(1));
    if (typeof s !== "number") return s;
    return [s, [c.u32(0) & 0xff], c.u32(0) & 0xff];
  }),
  /** fwrite: `count` items of `size` bytes; returns the items written (0 on error). */
  fwrite: writer(
    (c) => {
      const s = streamOf(c, c.arg(3));
      if (typeof s !== "number") return s;
      const size = c.arg(1);
      const count = c.arg(2);
      const total = size * count;
      if (total > 0x10000000) return unimplemented("fwrite", `${total} bytes at once`);
      return [s, [...c.mem.read(c.arg(0), total)], size === 0 ? 0 : count];
    },
    () => 0,
  ),
  /** fflush: nothing is buffered. */
  fflush: api((c) => {
    const f = c.arg(0);
    if (f === 0) return 0;
    const s = streamOf(c, f);
    return typeof s === "number" ? 0 : s;
  }),
  setvbuf: api((c) => {
    const s = streamOf(c, c.arg(0));
    return typeof s === "number" ? 0 : s;
  }),
  _fileno: api((c) => {
    const s = streamOf(c, c.arg(0));
    return s;
  }),
  fopen: api(() => unimplemented("fopen", "msvcrt files are not wired to NtCreateFile yet")),
  fclose: api((c) => unimplemented("fclose", `FILE* 0x${c.arg(0).toString(16)}`)),
  fread: api(() => unimplemented("fread", "stream input is not implemented")),
  fgets: api(() => unimplemented("fgets", "stream input is not implemented")),
  fgetc: api(() => unimplemented("fgetc", "stream input is not implemented")),
  getchar: api(() => unimplemented("getchar", "stream input is not implemented")),
  scanf: api(() => unimplemented("scanf", "stream input is not implemented")),
  sscanf: api(() => unimplemented("sscanf", "the scanf family is not implemented")),

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
};
