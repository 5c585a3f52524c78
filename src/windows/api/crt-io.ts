/**
 * msvcrt's files: the low-level I/O (file descriptors over kernel file handles: _open, _read, _lseek,
 * _close…), FILE streams on them (fopen, fread, fgets, fseek, ungetc…), and the file system functions
 * (remove, rename, _mkdir, _chdir, _findfirst…), over the process's sandboxed file system — the same VFS
 * and handle table NtCreateFile and the kernel32 file APIs use (../kernel/file-io.ts).
 *
 * What goes where:
 * - Writes (printf & co., fwrite, fputs, _write) are bridges around ntdll!NtWriteFile on the descriptor's
 *   handle (crt-stdio.ts and `_write` here), so output to a file or the console is a visible system call.
 * - Opens, reads, seeks, tells, closes, finds, remove, rename, _access, _mkdir/_rmdir, tmpnam and tmpfile
 *   call kernel32 as msvcrt does — CreateFileW, ReadFile, SetFilePointerEx (ftell/_tell: 0 from
 *   FILE_CURRENT), CloseHandle, DeleteFileW, RemoveDirectoryW, CreateDirectoryW, MoveFileExW,
 *   GetFileAttributesW, FindFirstFileW/FindNextFileW/FindClose — as `calls` APIs (../dlls/decl.ts): real
 *   code in msvcrt calls the kernel32 function handed out by the TypeScript half, so NtCreateFile,
 *   NtReadFile, NtSetInformationFile… appear in the syscall trace, and a breakpoint inside stops as on
 *   Windows. Still direct on the kernel's VFS: _chdir, _stat, _fstat, _filelength, _eof, and the read-ahead
 *   given back before a write.
 * - Text mode (the default, `_fmode` 0): writes turn "\n" into "\r\n"; reads turn "\r\n" into "\n" and stop
 *   at Ctrl-Z (0x1A), which stays unread until a seek (msvcrt's _read, "Text and binary mode file I/O").
 * - Buffering: reads go through a 4 KB read-ahead per descriptor (given back to the file pointer before
 *   any write, seek, tell or close); writes are not buffered (each call is one NtWriteFile). msvcrt
 *   buffers file streams until fflush/fclose, which only changes when the bytes reach the file.
 * - errno comes from the NTSTATUS through RtlNtStatusToDosError and msvcrt's _dosmaperr table.
 *
 * The descriptor table and the streams' pushed-back characters are kept here per process and msvcrt
 * architecture; each FILE's `_file` and `_flag` fields in guest memory are the real ones (a debugger shows
 * them, and the flags are the source of truth for feof/ferror).
 */
import {
  FILE_ATTRIBUTE_DIRECTORY,
  FILE_SHARE_READ,
  FILE_SHARE_WRITE,
  fileTimeToMs,
  getFullPathName,
  dosPathToNtPath,
  type FsDirEntry,
  type VirtualFileSystem,
} from "../fs";
import { DiskFileObject, fileSystemOf } from "../kernel/file-io";
import { FileObject } from "../kernel/file";
import { unimplemented } from "../kernel/context";
import { STATUS_SUCCESS } from "../kernel/status";
import type { KernelStop } from "../kernel/types";
import { FILE_SIZE, IOB_ENTRIES } from "../dlls/declarations-msvcrt";
import type { Arch } from "../dlls";
import type { Kernel } from "../kernel/kernel";
import {
  api,
  bridge,
  calls,
  guestCall,
  type ApiCall,
  type ApiFamily,
  type BridgeCall,
  type CallsGen,
  type GuestCall,
} from "./context";
import { toUtf16 } from "./state";
import { ntStatusToDosError } from "./errors";
import { fileError } from "./files";
import {
  crt,
  crtAlloc,
  crtExport,
  errnoAddr,
  iobBase,
  latin1,
  readCString,
  readWString,
  scratch,
  setErrno,
} from "./crt-state";
import { stdHandle } from "./console";
import { STATUS_PENDING } from "../kernel/status";
import { scanFormat, scanFormatCalls, stringInput, type ScanInput } from "./crt-scan";
import { argSource, argWords, heapCall, processHeap } from "./crt-state";

// errno values (errno.h, Microsoft "errno constants")
export const EPERM = 1;
export const ENOENT = 2;
export const EBADF = 9;
export const EACCES = 13;
export const EEXIST = 17;
export const EXDEV = 18;
export const EINVAL = 22;
export const EMFILE = 24;
export const ENOSPC = 28;
export const ENOTEMPTY = 41;

/** msvcrt's _dosmaperr (dosmap.c errtable): Win32 error → errno; EACCES for 19-36, EINVAL otherwise. */
export function dosmaperr(e: number): number {
  const table: Record<number, number> = {
    1: EINVAL,
    2: ENOENT,
    3: ENOENT,
    4: EMFILE,
    5: EACCES,
    6: EBADF,
    7: 12,
    8: 12,
    9: 12,
    10: 7,
    11: 8,
    12: EINVAL,
    13: EINVAL,
    15: ENOENT,
    16: EACCES,
    17: EXDEV,
    18: ENOENT,
    33: EACCES,
    53: ENOENT,
    65: EACCES,
    67: ENOENT,
    80: EEXIST,
    82: EACCES,
    83: EACCES,
    87: EINVAL,
    89: 11,
    108: EACCES,
    109: 32,
    112: ENOSPC,
    114: EBADF,
    128: 10,
    130: EBADF,
    131: EINVAL,
    132: EACCES,
    145: ENOTEMPTY,
    158: EACCES,
    161: ENOENT,
    164: 11,
    167: EACCES,
    183: EEXIST,
    206: ENOENT,
    215: 11,
    1816: 12,
  };
  if (table[e] !== undefined) return table[e];
  if (e >= 19 && e <= 36) return EACCES;
  if (e >= 188 && e <= 202) return 8; // ENOEXEC
  return EINVAL;
}

/** errno (and _doserrno's source) for a failed NTSTATUS. */
function statusErrno(c: ApiCall, status: number): void {
  setErrno(c, dosmaperr(fileError(status) ?? ntStatusToDosError(status)));
}

// ---------------------------------------------------------------------------------------------
// descriptors

interface Fd {
  handle: number;
  /** undefined: follow _fmode (the standard descriptors until _setmode). */
  text: boolean | undefined;
  append: boolean;
  /** Ctrl-Z was read in text mode (msvcrt's FEOFLAG): reads return end of file until a seek. */
  eofZ: boolean;
  rbuf: Uint8Array;
  rpos: number;
}

interface IoState {
  fds: (Fd | undefined)[];
  /** Pushed-back characters per FILE*. */
  unget: Map<number, number[]>;
  /** FILE blocks allocated beyond _iob. */
  extra: Set<number>;
}

const ioStates = new WeakMap<Kernel, Map<Arch, IoState>>();

function io(c: ApiCall): IoState {
  let m = ioStates.get(c.kernel);
  if (!m) ioStates.set(c.kernel, (m = new Map()));
  let s = m.get(c.arch);
  if (!s) {
    s = { fds: [], unget: new Map(), extra: new Set() };
    m.set(c.arch, s);
  }
  return s;
}

const EMPTY = new Uint8Array(0);

/** The descriptor `fd`, or undefined (EBADF); 0-2 are the standard handles. */
export function fdOf(c: ApiCall, fd: number): Fd | undefined {
  const s = io(c);
  if (fd < 0 || fd >= 2048 || !Number.isInteger(fd)) return undefined;
  let f = s.fds[fd];
  if (f === undefined && fd < 3) {
    const h = stdHandle(c, -10 - fd);
    if (h === undefined || h === 0 || h === -1) return undefined;
    f = { handle: h, text: undefined, append: false, eofZ: false, rbuf: EMPTY, rpos: 0 };
    s.fds[fd] = f;
  }
  return f;
}

function isText(c: ApiCall, f: Fd): boolean {
  if (f.text !== undefined) return f.text;
  return (c.mem.u32(crtExport(c, "_fmode")) & 0x8000) === 0;
}

function vfsOf(c: ApiCall): VirtualFileSystem {
  return fileSystemOf(c.kernel);
}

function diskOf(c: ApiCall, f: Fd): DiskFileObject | undefined {
  const o = c.kernel.handles.get(f.handle)?.object;
  return o instanceof DiskFileObject ? o : undefined;
}

/** Gives the read-ahead back to the file pointer (before a write, seek, tell or close). */
export function syncFd(c: ApiCall, f: Fd): void {
  const d = diskOf(c, f);
  if (d && f.rpos < f.rbuf.length) d.vfs.setPosition(d.file, d.file.position - (f.rbuf.length - f.rpos));
  if (d) {
    f.rbuf = EMPTY;
    f.rpos = 0;
  }
}

/** The calling thread's last Win32 error (TEB.LastErrorValue, what GetLastError returns). */
function lastError(c: ApiCall): number {
  return c.mem.u32(c.teb + c.layout.teb.LastErrorValue);
}

/** errno from the last Win32 error (msvcrt: _dosmaperr(GetLastError())). */
function lastErrno(c: ApiCall): void {
  setErrno(c, dosmaperr(lastError(c)));
}

const ERROR_HANDLE_EOF = 38;
const ERROR_BROKEN_PIPE = 109;

/**
 * ReadFile(handle, buffer, n, &read, NULL) for up to `n` bytes (the read-ahead): the bytes (none at the
 * end: ReadFile's zero count, ERROR_HANDLE_EOF or a broken pipe), or -2 with errno.
 */
function* readHandleCalls(
  c: BridgeCall,
  f: Fd,
  n: number,
): Generator<GuestCall, Uint8Array | number, number> {
  const buf = scratch(c, n);
  const read = c.local(0);
  c.mem.w32(read, 0);
  const ok = yield* guestCall("kernel32", "ReadFile", [f.handle, buf, n, read, 0]);
  if (!ok) {
    const e = lastError(c);
    if (e === ERROR_HANDLE_EOF || e === ERROR_BROKEN_PIPE) return EMPTY;
    setErrno(c, dosmaperr(e));
    return -2;
  }
  return c.mem.read(buf, Math.min(c.mem.u32(read), n)).slice();
}

/** rawByte through ReadFile: the next raw byte, -1 at the end, -2 on an error (errno set). */
function* rawByteCalls(c: BridgeCall, f: Fd): Generator<GuestCall, number, number> {
  if (f.rpos >= f.rbuf.length) {
    const r = yield* readHandleCalls(c, f, 0x1000);
    if (typeof r === "number") return -2;
    if (r.length === 0) return -1;
    f.rbuf = r;
    f.rpos = 0;
  }
  return f.rbuf[f.rpos++];
}

/** fdByte through ReadFile. */
function* fdByteCalls(c: BridgeCall, f: Fd): Generator<GuestCall, number, number> {
  if (!isText(c, f)) return yield* rawByteCalls(c, f);
  if (f.eofZ) return -1;
  const b = yield* rawByteCalls(c, f);
  if (b === 0x1a) {
    f.eofZ = true;
    f.rpos--;
    return -1;
  }
  if (b === 0x0d) {
    const n = yield* rawByteCalls(c, f);
    if (n === 0x0a) return 0x0a;
    if (n >= 0) f.rpos--;
    return 0x0d;
  }
  return b;
}

/**
 * SetFilePointerEx(handle, distance, &newPosition, method) after giving the read-ahead back: the new
 * position, or -1 with errno (EBADF for a descriptor that is not a disk file, as msvcrt's _lseek reports a
 * device).
 */
function* seekFdCalls(
  c: BridgeCall,
  f: Fd,
  off: number,
  whence: number,
): Generator<GuestCall, number, number> {
  if (!diskOf(c, f)) {
    setErrno(c, EBADF);
    return -1;
  }
  if (whence < 0 || whence > 2) {
    setErrno(c, EINVAL);
    return -1;
  }
  let o = off;
  if (whence === 1) o -= f.rbuf.length - f.rpos;
  f.rbuf = EMPTY;
  f.rpos = 0;
  const out = c.local(1);
  c.mem.w64(out, 0);
  const lo = o >>> 0;
  const hi = Math.floor(o / 2 ** 32) >>> 0;
  const args = c.arch === "x64" ? [f.handle, o, out, whence] : [f.handle, lo, hi, out, whence];
  const ok = yield* guestCall("kernel32", "SetFilePointerEx", args);
  if (!ok) {
    lastErrno(c);
    return -1;
  }
  f.eofZ = false;
  return c.mem.u64(out);
}

/**
 * _tell/_telli64: SetFilePointerEx(handle, 0, &pos, FILE_CURRENT) without moving the read-ahead (the file
 * pointer is past it): the descriptor's position, or -1 with errno (EBADF for a device, from the last
 * error otherwise).
 */
function* tellFdCalls(c: BridgeCall, f: Fd): Generator<GuestCall, number, number> {
  if (!diskOf(c, f)) {
    setErrno(c, EBADF);
    return -1;
  }
  const out = c.local(1);
  c.mem.w64(out, 0);
  const args = c.arch === "x64" ? [f.handle, 0, out, 1] : [f.handle, 0, 0, out, 1];
  const ok = yield* guestCall("kernel32", "SetFilePointerEx", args);
  if (!ok) {
    lastErrno(c);
    return -1;
  }
  return c.mem.u64(out) - (f.rbuf.length - f.rpos);
}

/** A path as a NUL-terminated UTF-16 string in the thread's scratch buffer at `offset`. */
function widePath(c: ApiCall, path: string, offset = 0): number {
  const buf = scratch(c, offset + 2 * path.length + 2) + offset;
  c.mem.write(buf, toUtf16(path + "\0"));
  return buf;
}

function position(c: ApiCall, f: Fd): number {
  const d = diskOf(c, f);
  if (!d) return -1;
  return d.file.position - (f.rbuf.length - f.rpos);
}

/**
 * The NtWriteFile a write to descriptor `fd` makes: the bytes (translated in text mode) in the thread's
 * buffer, at the end for an append descriptor. Returns false (errno EBADF) for a bad descriptor: the call
 * is then made on handle 0 and fails.
 */
export function writeFdPre(c: BridgeCall, fd: number, data: number[]): boolean {
  const f = fdOf(c, fd);
  let bytes = data;
  if (f && isText(c, f)) {
    bytes = [];
    for (const b of data) {
      if (b === 0x0a) bytes.push(0x0d);
      bytes.push(b);
    }
  }
  if (f) {
    syncFd(c, f);
    const d = diskOf(c, f);
    if (d && f.append) d.vfs.setPosition(d.file, d.vfs.queryStandard(d.file).endOfFile);
  } else setErrno(c, EBADF);
  const buf = scratch(c, bytes.length + 1);
  c.mem.write(buf, Uint8Array.from(bytes));
  const iosb = c.local(0);
  c.writePtr(iosb, STATUS_PENDING);
  c.writePtr(iosb + c.ptrSize, 0);
  c.nt(0, f ? f.handle : 0);
  c.nt(1, 0);
  c.nt(2, 0);
  c.nt(3, 0);
  c.nt(4, iosb);
  c.nt(5, buf);
  c.nt(6, bytes.length);
  c.nt(7, 0);
  c.nt(8, 0);
  return f !== undefined;
}

// ---------------------------------------------------------------------------------------------
// opening

const O_WRONLY = 1;
const O_RDWR = 2;
const O_APPEND = 8;
const O_CREAT = 0x100;
const O_TRUNC = 0x200;
const O_EXCL = 0x400;
const O_TEMPORARY = 0x40;
const O_TEXT = 0x4000;
const O_BINARY = 0x8000;

function callerOf(c: ApiCall): { wow64: boolean; threadId: number } {
  return { wow64: c.arch === "x86" && c.process.wow64, threadId: c.thread.id };
}

/** The NT path of a CRT path argument (errno ENOENT when it cannot be converted). */
function ntPath(c: ApiCall, path: string): string | undefined {
  if (path.length === 0) {
    setErrno(c, ENOENT);
    return undefined;
  }
  const r = dosPathToNtPath(path, vfsOf(c).currentDirectory);
  if (r.status !== STATUS_SUCCESS) {
    setErrno(c, ENOENT);
    return undefined;
  }
  return r.ntPath;
}

/** A path argument: char* for the plain names, wchar_t* for the _w ones. */
function pathArg(c: ApiCall, i: number): string {
  const p = c.arg(i);
  if (p === 0) return "";
  return c.entry.name.startsWith("_w")
    ? String.fromCharCode(...readWString(c.mem, p, 32767))
    : latin1(readCString(c.mem, p, 32767));
}

/**
 * _sopen: CreateFileW(path, access, FILE_SHARE_READ | FILE_SHARE_WRITE, NULL, disposition, attributes,
 * NULL) as msvcrt's _sopen makes it (_SH_DENYNO); a new descriptor (the lowest free one from 3), or -1
 * with errno from the last error.
 */
function* openFdCalls(
  c: BridgeCall,
  path: string,
  oflag: number,
  pmode: number,
): Generator<GuestCall, number, number> {
  if (path.length === 0) {
    setErrno(c, ENOENT);
    return -1;
  }
  const acc = oflag & 3;
  if (acc === 3) {
    setErrno(c, EINVAL);
    return -1;
  }
  const GENERIC_READ = 0x80000000;
  const GENERIC_WRITE = 0x40000000;
  const access = acc === 0 ? GENERIC_READ : acc === O_WRONLY ? GENERIC_WRITE : GENERIC_READ | GENERIC_WRITE;
  const create = oflag & (O_CREAT | O_EXCL | O_TRUNC);
  // _sopen's CreateFile disposition (open.c)
  const disposition =
    create === (O_CREAT | O_EXCL) || create === (O_CREAT | O_EXCL | O_TRUNC)
      ? 1 // CREATE_NEW
      : create === (O_CREAT | O_TRUNC)
        ? 2 // CREATE_ALWAYS
        : create === O_CREAT
          ? 4 // OPEN_ALWAYS
          : create & O_TRUNC
            ? 5 // TRUNCATE_EXISTING
            : 3; // OPEN_EXISTING
  let attributes = oflag & O_CREAT && !(pmode & 0x80) ? 0x1 /* READONLY */ : 0x80; /* NORMAL */
  let share = FILE_SHARE_READ | FILE_SHARE_WRITE;
  let desired = access;
  if (oflag & O_TEMPORARY) {
    // _O_TEMPORARY: FILE_FLAG_DELETE_ON_CLOSE with DELETE access and FILE_SHARE_DELETE (_sopen)
    attributes |= 0x04000000;
    desired |= 0x10000;
    share |= 4;
  }
  const h = yield* guestCall("kernel32", "CreateFileW", [
    widePath(c, path),
    desired >>> 0,
    share,
    0,
    disposition,
    attributes >>> 0,
    0,
  ]);
  if (h === -1 || h === 0) {
    lastErrno(c);
    return -1;
  }
  const s = io(c);
  let fd = 3;
  while (s.fds[fd] !== undefined) fd++;
  const fmodeText = (c.mem.u32(crtExport(c, "_fmode")) & O_BINARY) === 0;
  s.fds[fd] = {
    handle: h,
    text: oflag & O_BINARY ? false : oflag & O_TEXT ? true : fmodeText,
    append: (oflag & O_APPEND) !== 0,
    eofZ: false,
    rbuf: EMPTY,
    rpos: 0,
  };
  return fd;
}

/** _close: CloseHandle on a descriptor from 3 or a disk file (the standard handles stay open); 0 or -1. */
function* closeFdCalls(c: BridgeCall, fd: number): Generator<GuestCall, number, number> {
  const f = fdOf(c, fd);
  if (f === undefined) {
    setErrno(c, EBADF);
    return -1;
  }
  syncFd(c, f);
  io(c).fds[fd] = undefined;
  if (fd >= 3 || diskOf(c, f)) {
    const ok = yield* guestCall("kernel32", "CloseHandle", [f.handle]);
    if (!ok) {
      lastErrno(c);
      return -1;
    }
  }
  return 0;
}

// ---------------------------------------------------------------------------------------------
// streams

export const _IOREAD = 0x1;
export const _IOWRT = 0x2;
export const _IONBF = 0x4;
export const _IOEOF = 0x10;
export const _IOERR = 0x20;
export const _IORW = 0x80;

export interface Stream {
  readonly file: number;
  readonly fd: number;
}

function flagAddr(c: ApiCall, file: number): number {
  return file + (c.arch === "x64" ? 24 : 12);
}

function fileFd(c: ApiCall, file: number): number {
  return c.mem.i32(flagAddr(c, file) + 4);
}

export function getFlag(c: ApiCall, s: Stream): number {
  return c.mem.u32(flagAddr(c, s.file));
}

export function setFlag(c: ApiCall, s: Stream, set: number, clear = 0): void {
  const a = flagAddr(c, s.file);
  c.mem.w32(a, ((c.mem.u32(a) & ~clear) | set) >>> 0);
}

/** The open stream a FILE* names (an _iob entry or one fopen allocated), or undefined. */
export function streamAt(c: ApiCall, file: number): Stream | undefined {
  crt(c);
  if (file === 0) return undefined;
  const iob = iobBase(c);
  const fs = FILE_SIZE[c.arch];
  const k = (file - iob) / fs;
  const known = (Number.isInteger(k) && k >= 0 && k < IOB_ENTRIES) || io(c).extra.has(file);
  if (!known) return undefined;
  if ((c.mem.u32(flagAddr(c, file)) & (_IOREAD | _IOWRT | _IORW)) === 0) return undefined;
  return { file, fd: fileFd(c, file) };
}

/** The FILE addresses of the _iob entries from `first` on, then the streams fopen allocated beyond them. */
function streamAddresses(c: ApiCall, first: number): number[] {
  const iob = iobBase(c);
  return [...Array(IOB_ENTRIES - first).keys()]
    .map((k) => iob + (k + first) * FILE_SIZE[c.arch])
    .concat([...io(c).extra]);
}

/** A FILE* argument: the stream, or a stop naming the function for a pointer that is not a FILE. */
export function streamArg(c: ApiCall, i: number): Stream | KernelStop {
  const s = streamAt(c, c.arg(i));
  if (s !== undefined) return s;
  return unimplemented(
    c.entry.name.replace(/\$(pre|post)$/, ""),
    `FILE* 0x${c.arg(i).toString(16)} is not an open stream`,
  );
}

function ungets(c: ApiCall, s: Stream): number[] {
  const m = io(c).unget;
  let u = m.get(s.file);
  if (!u) m.set(s.file, (u = []));
  return u;
}

/** The next character of a stream (EOF -1; the flags record end of file or an error). */
export function* streamGetc(c: BridgeCall, s: Stream): Generator<GuestCall, number, number> {
  const u = ungets(c, s);
  if (u.length > 0) return u.pop()!;
  const flag = getFlag(c, s);
  if (!(flag & (_IOREAD | _IORW))) {
    setFlag(c, s, _IOERR);
    setErrno(c, EBADF);
    return -1;
  }
  const f = fdOf(c, s.fd);
  if (!f) {
    setFlag(c, s, _IOERR);
    return -1;
  }
  if (flag & _IORW) setFlag(c, s, _IOREAD);
  const b = yield* fdByteCalls(c, f);
  if (b === -1) setFlag(c, s, _IOEOF);
  else if (b === -2) {
    setFlag(c, s, _IOERR);
    return -1;
  }
  return b;
}

export function streamUngetc(c: ApiCall, s: Stream, ch: number): number {
  if (ch === -1) return -1;
  ungets(c, s).push(ch & 0xff);
  setFlag(c, s, 0, _IOEOF);
  return ch & 0xff;
}

/** Before a write on a stream: EBADF/_IOERR when it is not writable; pushed-back input is dropped. */
export function streamWritable(c: ApiCall, s: Stream): boolean {
  const flag = getFlag(c, s);
  // msvcrt's _flsbuf: not opened for writing, or an update stream whose last operation was a read that did
  // not reach the end (C requires a seek between them): _IOERR
  if (!(flag & (_IOWRT | _IORW)) || (flag & _IORW && flag & _IOREAD && !(flag & _IOEOF))) {
    setFlag(c, s, _IOERR);
    return false;
  }
  ungets(c, s).length = 0;
  if (flag & _IORW) setFlag(c, s, _IOWRT, _IOREAD | _IOEOF);
  return true;
}

/** fopen's mode string → _open flags and stream flags (msvcrt _openfile), or undefined (EINVAL). */
function parseMode(c: ApiCall, mode: string): { oflag: number; flag: number } | undefined {
  let oflag: number;
  let flag: number;
  switch (mode[0]) {
    case "r":
      oflag = 0;
      flag = _IOREAD;
      break;
    case "w":
      oflag = O_WRONLY | O_CREAT | O_TRUNC;
      flag = _IOWRT;
      break;
    case "a":
      oflag = O_WRONLY | O_CREAT | O_APPEND;
      flag = _IOWRT;
      break;
    default:
      return undefined;
  }
  let plus = false;
  let tb = false;
  for (const ch of mode.slice(1)) {
    if (ch === "+" && !plus) {
      plus = true;
      oflag = (oflag & ~O_WRONLY) | O_RDWR;
      flag = _IORW;
    } else if ((ch === "t" || ch === "b") && !tb) {
      tb = true;
      oflag |= ch === "t" ? O_TEXT : O_BINARY;
    } else if ("cnSRTD".includes(ch)) continue;
    else if (ch === " ") continue;
    else return undefined;
  }
  void c;
  return { oflag, flag };
}

/** A free FILE: an unused _iob entry from 3, else a new block. */
function newFile(c: ApiCall): number {
  const iob = iobBase(c);
  const fs = FILE_SIZE[c.arch];
  for (let k = 3; k < IOB_ENTRIES; k++) {
    const f = iob + k * fs;
    if ((c.mem.u32(flagAddr(c, f)) & (_IOREAD | _IOWRT | _IORW)) === 0) return f;
  }
  const s = io(c);
  for (const f of s.extra) if ((c.mem.u32(flagAddr(c, f)) & (_IOREAD | _IOWRT | _IORW)) === 0) return f;
  const f = crtAlloc(c, fs);
  s.extra.add(f);
  return f;
}

function attach(c: ApiCall, file: number, fd: number, flag: number): number {
  c.mem.write(file, new Uint8Array(FILE_SIZE[c.arch]));
  c.mem.w32(flagAddr(c, file), flag);
  c.mem.w32(flagAddr(c, file) + 4, fd);
  io(c).unget.delete(file);
  return file;
}

function* fopenAt(
  c: BridgeCall,
  path: string,
  modeStr: string,
  reuse?: number,
): Generator<GuestCall, number, number> {
  const m = parseMode(c, modeStr);
  if (m === undefined) {
    setErrno(c, EINVAL);
    return 0;
  }
  const fd = yield* openFdCalls(c, path, m.oflag, 0x180);
  if (fd < 0) return 0;
  return attach(c, reuse ?? newFile(c), fd, m.flag);
}

function* closeStream(c: BridgeCall, s: Stream): Generator<GuestCall, number, number> {
  const r = yield* closeFdCalls(c, s.fd);
  c.mem.w32(flagAddr(c, s.file), 0);
  io(c).unget.delete(s.file);
  return r < 0 ? -1 : 0;
}

/**
 * ftell & co.: msvcrt's _lseeki64(fd, 0, SEEK_CUR) — SetFilePointerEx(handle, 0, &pos, FILE_CURRENT) —
 * less the bytes read ahead and the characters pushed back; -1 with EBADF/EINVAL when it fails (a device
 * such as the console is not seekable: EBADF, as seekFdCalls reports it, without a call).
 */
function* streamTell(c: BridgeCall, s: Stream): Generator<GuestCall, number, number> {
  const f = fdOf(c, s.fd);
  if (!f) {
    setErrno(c, EBADF);
    return -1;
  }
  const p = yield* tellFdCalls(c, f);
  if (p < 0) return -1;
  return Math.max(0, p - ungets(c, s).length);
}

function* streamSeek(
  c: BridgeCall,
  s: Stream,
  off: number,
  whence: number,
): Generator<GuestCall, number, number> {
  if (whence < 0 || whence > 2) {
    setErrno(c, EINVAL);
    return -1;
  }
  const f = fdOf(c, s.fd);
  if (!f) {
    setErrno(c, EBADF);
    return -1;
  }
  let o = off;
  if (whence === 1) o -= ungets(c, s).length;
  ungets(c, s).length = 0;
  setFlag(c, s, 0, _IOEOF);
  if (getFlag(c, s) & _IORW) setFlag(c, s, 0, _IOREAD | _IOWRT);
  return (yield* seekFdCalls(c, f, o, whence)) < 0 ? -1 : 0;
}

/** A 64-bit argument starting at argument i (x86: two slots). */
function arg64(c: ApiCall, i: number): number {
  if (c.arch === "x64") return c.sarg(i);
  return (c.u32(i + 1) | 0) * 2 ** 32 + c.u32(i);
}

// ---------------------------------------------------------------------------------------------
// find

/** time_t seconds of a FILETIME. */
function timeOf(ft: bigint): number {
  return Math.floor(fileTimeToMs(ft) / 1000);
}

/** Writes a _finddata structure: `wide64` selects __finddata64_t (64-bit times and size). */
type FindEntry = Pick<
  FsDirEntry,
  "attributes" | "creationTime" | "lastAccessTime" | "lastWriteTime" | "endOfFile" | "name"
>;

function writeFind(c: ApiCall, out: number, e: FindEntry, layout: "32" | "64i32" | "64"): void {
  const m = c.mem;
  const attrib = e.attributes & 0x37; // _A_RDONLY _A_HIDDEN _A_SYSTEM _A_SUBDIR _A_ARCH
  const name = Uint8Array.from([...Array.from(e.name, (ch) => ch.charCodeAt(0) & 0xff).slice(0, 259), 0]);
  if (layout === "32") {
    // struct _finddata32_t: attrib, time_create, time_access, time_write (32-bit), size (32-bit), name[260]
    m.write(out, new Uint8Array(280));
    m.w32(out, attrib);
    m.w32(out + 4, timeOf(e.creationTime) >>> 0);
    m.w32(out + 8, timeOf(e.lastAccessTime) >>> 0);
    m.w32(out + 12, timeOf(e.lastWriteTime) >>> 0);
    m.w32(out + 16, e.endOfFile >>> 0);
    m.write(out + 20, name);
    return;
  }
  // _finddata64i32_t / __finddata64_t: attrib, pad, 3 × __time64_t at 8, size at 32 (32 or 64 bits), name
  m.write(out, new Uint8Array(layout === "64" ? 304 : 296));
  m.w32(out, attrib);
  m.w64(out + 8, timeOf(e.creationTime));
  m.w64(out + 16, timeOf(e.lastAccessTime));
  m.w64(out + 24, timeOf(e.lastWriteTime));
  if (layout === "64") {
    m.w64(out + 32, e.endOfFile);
    m.write(out + 40, name);
  } else {
    m.w32(out + 32, e.endOfFile >>> 0);
    m.write(out + 36, name);
  }
}

function findLayout(c: ApiCall): "32" | "64i32" | "64" {
  if (c.entry.name.endsWith("64")) return "64";
  return c.arch === "x86" ? "32" : "64i32";
}

/** The entry of a WIN32_FIND_DATAW at `a` (winbase.h: attributes, three FILETIMEs, size high/low, name). */
function findData(c: ApiCall, a: number): FindEntry {
  const m = c.mem;
  const ft = (o: number): bigint => BigInt(m.u32(a + o)) | (BigInt(m.u32(a + o + 4)) << 32n);
  return {
    attributes: m.u32(a),
    creationTime: ft(4),
    lastAccessTime: ft(12),
    lastWriteTime: ft(20),
    endOfFile: m.u32(a + 28) * 2 ** 32 + m.u32(a + 32),
    name: String.fromCharCode(...readWString(m, a + 44, 260)),
  };
}

const WIN32_FIND_DATAW_SIZE = 592;
const ERROR_FILE_NOT_FOUND = 2;
const ERROR_PATH_NOT_FOUND = 3;
const ERROR_NOT_ENOUGH_MEMORY = 8;
const ERROR_NO_MORE_FILES = 18;

/** msvcrt's _findfirst/_findnext errno for a failed FindFirstFile/FindNextFile (findfile.c). */
function findErrno(c: ApiCall): void {
  const e = lastError(c);
  if (e === ERROR_NO_MORE_FILES || e === ERROR_FILE_NOT_FOUND || e === ERROR_PATH_NOT_FOUND)
    setErrno(c, ENOENT);
  else if (e === ERROR_NOT_ENOUGH_MEMORY) setErrno(c, 12);
  else setErrno(c, EINVAL);
}

/** _findfirst: FindFirstFileW; the find handle is the search handle, as msvcrt returns it. */
function* findFirst(c: BridgeCall): Generator<GuestCall, number, number> {
  const spec = pathArg(c, 0);
  const data = scratch(c, WIN32_FIND_DATAW_SIZE + 2 * spec.length + 2);
  const path = widePath(c, spec, WIN32_FIND_DATAW_SIZE);
  const h = yield* guestCall("kernel32", "FindFirstFileW", [path, data]);
  if (h === -1) {
    findErrno(c);
    return -1;
  }
  writeFind(c, c.arg(1), findData(c, data), findLayout(c));
  return h;
}

/** _findnext: FindNextFileW on the handle; 0, or -1 with errno. */
function* findNext(c: BridgeCall): Generator<GuestCall, number, number> {
  const data = scratch(c, WIN32_FIND_DATAW_SIZE);
  const ok = yield* guestCall("kernel32", "FindNextFileW", [c.arg(0), data]);
  if (!ok) {
    findErrno(c);
    return -1;
  }
  writeFind(c, c.arg(1), findData(c, data), findLayout(c));
  return 0;
}

// ---------------------------------------------------------------------------------------------
// the file system functions

/** remove/_unlink (DeleteFileW) and _rmdir (RemoveDirectoryW): 0, or -1 with errno from the last error. */
function* removePath(c: BridgeCall, directory: boolean): Generator<GuestCall, number, number> {
  const path = widePath(c, pathArg(c, 0));
  const ok = yield* guestCall("kernel32", directory ? "RemoveDirectoryW" : "DeleteFileW", [path]);
  if (!ok) {
    lastErrno(c);
    return -1;
  }
  return 0;
}

/** _mkdir: CreateDirectoryW(path, NULL); an existing name is ERROR_ALREADY_EXISTS → EEXIST. */
function* mkdirPath(c: BridgeCall): Generator<GuestCall, number, number> {
  const ok = yield* guestCall("kernel32", "CreateDirectoryW", [widePath(c, pathArg(c, 0)), 0]);
  if (!ok) {
    lastErrno(c);
    return -1;
  }
  return 0;
}

/**
 * rename/_wrename: MoveFileExW(old, new, MOVEFILE_COPY_ALLOWED) as the CRT's rename makes it; 0, or -1 with
 * errno from _dosmaperr(GetLastError()): a missing source ERROR_FILE_NOT_FOUND/ERROR_PATH_NOT_FOUND →
 * ENOENT, an existing target ERROR_ALREADY_EXISTS → EEXIST (Microsoft's rename page documents EACCES for
 * it; msvcrt's errtable maps 183 to EEXIST, which is what a program sees), a denied move → EACCES.
 */
function* renamePath(c: BridgeCall): Generator<GuestCall, number, number> {
  const from = pathArg(c, 0);
  const to = pathArg(c, 1);
  const a = widePath(c, from);
  const b = widePath(c, to, 2 * from.length + 2);
  const ok = yield* guestCall("kernel32", "MoveFileExW", [a, b, 2 /* MOVEFILE_COPY_ALLOWED */]);
  if (!ok) {
    lastErrno(c);
    return -1;
  }
  return 0;
}

/** _chdir (SetCurrentDirectory): the directory must exist. */
function chdirPath(c: ApiCall): number {
  const path = pathArg(c, 0);
  const vfs = vfsOf(c);
  const full = getFullPathName(path, vfs.currentDirectory);
  const nt = ntPath(c, path);
  if (nt === undefined || full.status !== STATUS_SUCCESS) return -1;
  const q = vfs.queryAttributes(nt, callerOf(c));
  if (q.info === undefined) {
    statusErrno(c, q.status);
    return -1;
  }
  if (!(q.info.attributes & FILE_ATTRIBUTE_DIRECTORY)) {
    setErrno(c, ENOENT); // ERROR_DIRECTORY → EINVAL on Windows; msvcrt's _chdir documents ENOENT
    return -1;
  }
  const p = full.path.replace(/\\+$/, "");
  vfs.currentDirectory = p.length === 2 ? p + "\\" : p;
  return 0;
}

/** _getcwd(buffer, maxlen): NULL buffer → malloc'd (at least maxlen); ERANGE when it does not fit. */
function getcwd(c: ApiCall, heapAlloc: (n: number) => number): number {
  const cwd = vfsOf(c).currentDirectory;
  const wide = c.entry.name.startsWith("_w");
  const need = cwd.length + 1;
  let buf = c.arg(0);
  const max = c.u32(1) | 0;
  if (buf === 0) {
    buf = heapAlloc(Math.max(need, max) * (wide ? 2 : 1));
    if (buf === 0) {
      setErrno(c, 12);
      return 0;
    }
  } else if (max < need) {
    setErrno(c, 34); // ERANGE
    return 0;
  }
  if (wide) {
    for (let i = 0; i < cwd.length; i++) c.mem.w16(buf + 2 * i, cwd.charCodeAt(i));
    c.mem.w16(buf + 2 * cwd.length, 0);
  } else c.mem.write(buf, Uint8Array.from([...Array.from(cwd, (ch) => ch.charCodeAt(0) & 0xff), 0]));
  return buf;
}

/**
 * _access/_waccess(path, mode): GetFileAttributesW as msvcrt's _access calls it; 0 if the name exists (and,
 * for mode 2/6, is not a read-only file: a directory is only checked for existence), -1 with errno from
 * _dosmaperr(GetLastError()) (ENOENT for a missing name), EACCES for write access to a read-only file,
 * EINVAL for a mode other than 0, 2, 4, 6 (Microsoft's _access page).
 */
function* accessPath(c: BridgeCall): Generator<GuestCall, number, number> {
  const mode = c.u32(1);
  if (mode & ~6) {
    setErrno(c, EINVAL);
    return -1;
  }
  const attr = (yield* guestCall("kernel32", "GetFileAttributesW", [widePath(c, pathArg(c, 0))])) >>> 0;
  if (attr === 0xffffffff) {
    lastErrno(c);
    return -1;
  }
  if (mode & 2 && attr & 1 && !(attr & FILE_ATTRIBUTE_DIRECTORY)) {
    setErrno(c, EACCES);
    return -1;
  }
  return 0;
}

/**
 * struct stat as msvcrt fills it: st_dev/st_rdev the drive (2 = C:), st_ino 0, st_mode (_S_IFDIR 0x4000 or
 * _S_IFREG 0x8000, _S_IREAD 0x100 | _S_IWRITE 0x80 unless read-only, _S_IEXEC 0x40 for .exe/.com/.bat/.cmd
 * and directories, copied to the group and other bits), st_nlink 1, uid/gid 0.
 * `layout`: "32" (_stat32: 32-bit size and times, 36 bytes), "64i32" (_stat64i32, 48 bytes), "64" (_stat64,
 * 56 bytes).
 */
function writeStat(
  c: ApiCall,
  out: number,
  info: { attributes: number; lastAccessTime: bigint; lastWriteTime: bigint; creationTime: bigint },
  size: number,
  name: string,
  layout: "32" | "64i32" | "64",
  dev: number,
): void {
  const m = c.mem;
  const dir = (info.attributes & FILE_ATTRIBUTE_DIRECTORY) !== 0;
  let mode = dir ? 0x4000 : 0x8000;
  mode |= 0x100;
  if (!(info.attributes & 1)) mode |= 0x80;
  if (dir || /\.(exe|com|bat|cmd)$/i.test(name)) mode |= 0x40;
  mode |= ((mode & 0x1c0) >> 3) | ((mode & 0x1c0) >> 6);
  const n = layout === "32" ? 36 : layout === "64i32" ? 48 : 56;
  m.write(out, new Uint8Array(n));
  m.w32(out, dev); // st_dev
  m.w16(out + 4, 0); // st_ino
  m.w16(out + 6, mode);
  m.w16(out + 8, 1); // st_nlink
  m.w32(out + 16, dev); // st_rdev
  if (layout === "32") {
    m.w32(out + 20, size >>> 0);
    m.w32(out + 24, timeOf(info.lastAccessTime) >>> 0);
    m.w32(out + 28, timeOf(info.lastWriteTime) >>> 0);
    m.w32(out + 32, timeOf(info.creationTime) >>> 0);
  } else if (layout === "64i32") {
    m.w32(out + 20, size >>> 0);
    m.w64(out + 24, timeOf(info.lastAccessTime));
    m.w64(out + 32, timeOf(info.lastWriteTime));
    m.w64(out + 40, timeOf(info.creationTime));
  } else {
    m.w64(out + 24, size);
    m.w64(out + 32, timeOf(info.lastAccessTime));
    m.w64(out + 40, timeOf(info.lastWriteTime));
    m.w64(out + 48, timeOf(info.creationTime));
  }
}

function statLayout(c: ApiCall): "32" | "64i32" | "64" {
  if (c.entry.name.endsWith("64")) return "64";
  return c.arch === "x86" ? "32" : "64i32";
}

function statPath(c: ApiCall): number {
  const path = pathArg(c, 0);
  const nt = ntPath(c, path);
  if (nt === undefined) return -1;
  const q = vfsOf(c).queryAttributes(nt, callerOf(c));
  if (q.info === undefined) {
    statusErrno(c, q.status);
    return -1;
  }
  writeStat(c, c.arg(1), q.info, q.endOfFile ?? 0, path, statLayout(c), 2);
  return 0;
}

function fstatFd(c: ApiCall): number {
  const f = fdOf(c, c.u32(0) | 0);
  if (!f) {
    setErrno(c, EBADF);
    return -1;
  }
  const d = diskOf(c, f);
  const zero = { attributes: 0, lastAccessTime: 0n, lastWriteTime: 0n, creationTime: 0n };
  if (!d) {
    // a character device (the console): _S_IFCHR, st_dev/st_rdev the handle's descriptor
    writeStat(c, c.arg(1), zero, 0, "", statLayout(c), c.u32(0));
    c.mem.w16(c.arg(1) + 6, 0x2000 | 0x1b6);
    return 0;
  }
  syncFd(c, f);
  const b = d.vfs.queryBasic(d.file).info ?? zero;
  writeStat(c, c.arg(1), b, d.vfs.queryStandard(d.file).endOfFile, d.file.path, statLayout(c), c.u32(0));
  return 0;
}

// ---------------------------------------------------------------------------------------------
// temporary files

/**
 * msvcrt.dll's temporary names (tmpfile.c): P_tmpdir "\\" (the current drive's root, stdio.h), then "s"
 * (tmpnam) or "t" (tmpfile), the process id in base 32 (lower-case _ultoa digits) and "." — the first
 * name has an empty extension ("\\s1ko."); each next one adds 1 to the extension read in base 32
 * (".1" … ".v", ".10"…) up to TMP_MAX (32767). Microsoft's VC6 tmpnam page (MSVCRT.DLL): "the path prefix,
 * defined by the entry P_tmpdir in the file STDIO.H, followed by a sequence…"; the current page's
 * GetTempPathW folder is the UCRT's behaviour, not msvcrt.dll's.
 */
interface TmpNames {
  s?: string;
  t?: string;
  /** tmpnam's internal static buffer (L_tmpnam = 14 in msvcrt's stdio.h; 16 here). */
  buffer?: number;
}

const tmpStates = new WeakMap<Kernel, Map<Arch, TmpNames>>();

function tmpNames(c: ApiCall): TmpNames {
  let m = tmpStates.get(c.kernel);
  if (!m) tmpStates.set(c.kernel, (m = new Map()));
  let t = m.get(c.arch);
  if (!t) m.set(c.arch, (t = {}));
  return t;
}

const TMP_MAX = 32767;

/** The next name of a series (genfname), or undefined after TMP_MAX names. */
function nextTmpName(name: string): string | undefined {
  const dot = name.lastIndexOf(".");
  const ext = name.slice(dot + 1);
  const n = (ext === "" ? 0 : parseInt(ext, 32)) + 1;
  if (n >= TMP_MAX) return undefined;
  return name.slice(0, dot + 1) + n.toString(32);
}

/** The first or next name of series "s" or "t" (init_namebuf / genfname). */
function tmpName(c: ApiCall, kind: "s" | "t"): string | undefined {
  const t = tmpNames(c);
  const prev = t[kind];
  let name: string | undefined;
  if (prev === undefined) {
    // TEB.ClientId.UniqueProcess (what _getpid → GetCurrentProcessId reads): TEB64 +0x40, TEB32 +0x20
    const pid = c.mem.u32(c.teb + (c.ptrSize === 8 ? 0x40 : 0x20));
    name = `\\${kind}${pid.toString(32)}.`;
  } else name = nextTmpName(prev);
  if (name !== undefined) t[kind] = name;
  return name;
}

/**
 * tmpnam(str): the first name of the "s" series that GetFileAttributesW does not find (msvcrt's loop on
 * _access(name, 0) == 0 || errno == EACCES), copied to `str` or the internal buffer; NULL after TMP_MAX.
 */
function* tmpnam(c: BridgeCall): Generator<GuestCall, number, number> {
  let name = tmpName(c, "s");
  for (;;) {
    if (name === undefined) return 0;
    const attr = (yield* guestCall("kernel32", "GetFileAttributesW", [widePath(c, name)])) >>> 0;
    if (attr === 0xffffffff && dosmaperr(lastError(c)) !== EACCES) break;
    name = tmpName(c, "s");
  }
  let out = c.arg(0);
  if (out === 0) {
    const t = tmpNames(c);
    out = t.buffer ??= crtAlloc(c, 16);
  }
  c.mem.write(out, Uint8Array.from([...Array.from(name, (ch) => ch.charCodeAt(0)), 0]));
  return out;
}

/**
 * tmpfile(): _sopen(name, _O_CREAT | _O_EXCL | _O_RDWR | _O_BINARY | _O_TEMPORARY, _SH_DENYNO,
 * _S_IREAD | _S_IWRITE) on the "t" series until a name is not taken (EEXIST), as msvcrt's tmpfile: a "w+b"
 * stream whose file the system deletes when it is closed (FILE_FLAG_DELETE_ON_CLOSE); NULL with errno
 * from the last open when it fails. errno is kept unchanged on success.
 */
function* tmpfile(c: BridgeCall): Generator<GuestCall, number, number> {
  const saved = c.mem.u32(errnoAddr(c));
  let name = tmpName(c, "t");
  for (;;) {
    if (name === undefined) return 0;
    setErrno(c, 0);
    const fd = yield* openFdCalls(c, name, O_CREAT | O_EXCL | O_RDWR | O_BINARY | O_TEMPORARY, 0x180);
    if (fd >= 0) {
      setErrno(c, saved);
      return attach(c, newFile(c), fd, _IORW);
    }
    if (c.mem.u32(errnoAddr(c)) !== EEXIST) return 0;
    name = tmpName(c, "t");
  }
}

// ---------------------------------------------------------------------------------------------
// exports

const EOF = -1;

/** Reads `n` characters (fewer at the end) from a stream. */
function* streamRead(c: BridgeCall, s: Stream, n: number): Generator<GuestCall, number[], number> {
  const out: number[] = [];
  while (out.length < n) {
    const ch = yield* streamGetc(c, s);
    if (ch < 0) break;
    out.push(ch);
  }
  return out;
}

/** The pointer arguments of a scanf call from argument `first`. */
function pointers(c: ApiCall, first: number): () => number {
  const a = argSource(c, argWords(c), first * c.ptrSize);
  return () => Number(a.ptr());
}

function streamInput(c: BridgeCall, s: Stream): ScanInput {
  return { get: () => streamGetc(c, s), unget: (ch) => void streamUngetc(c, s, ch) };
}

/** A `calls` API on the FILE* argument `i` (a stop for a pointer that is not an open stream). */
function onStream(i: number, f: (c: BridgeCall, s: Stream) => CallsGen) {
  return calls(function* (c) {
    const s = streamArg(c, i);
    return "kind" in s ? s : yield* f(c, s);
  });
}

/** A `calls` API on the descriptor argument 0 (EBADF and -1 when it is not open). */
function onFd(f: (c: BridgeCall, fd: Fd) => CallsGen, bad = -1) {
  return calls(function* (c) {
    const fd = fdOf(c, c.u32(0) | 0);
    if (!fd) {
      setErrno(c, EBADF);
      return bad;
    }
    return yield* f(c, fd);
  });
}

function heapAlloc(c: ApiCall, n: number): number {
  return heapCall(c, "RtlAllocateHeap", [processHeap(c), 0, n]);
}

export function crtIoFamily(): ApiFamily {
  const withStream = (i: number, f: (c: ApiCall, s: Stream) => number) =>
    api((c) => {
      const s = streamArg(c, i);
      return "kind" in s ? s : f(c, s);
    });
  return {
    fopen: calls((c) => fopenAt(c, pathArg(c, 0), latin1(readCString(c.mem, c.arg(1), 64)))),
    _wfopen: calls((c) =>
      fopenAt(c, pathArg(c, 0), String.fromCharCode(...readWString(c.mem, c.arg(1), 64))),
    ),
    _fdopen: api((c) => {
      const fd = c.u32(0) | 0;
      const m = parseMode(c, latin1(readCString(c.mem, c.arg(1), 64)));
      if (m === undefined || fdOf(c, fd) === undefined) {
        setErrno(c, m === undefined ? EINVAL : EBADF);
        return 0;
      }
      return attach(c, newFile(c), fd, m.flag);
    }),
    /** freopen: closes the stream's descriptor and opens `path` on the same FILE. */
    freopen: calls(function* (c) {
      const file = c.arg(2);
      const s = streamAt(c, file);
      if (s !== undefined) yield* closeStream(c, s);
      else if (
        !(file - iobBase(c) >= 0 && file - iobBase(c) < IOB_ENTRIES * FILE_SIZE[c.arch]) &&
        !io(c).extra.has(file)
      )
        return unimplemented("freopen", `FILE* 0x${file.toString(16)} is not a stream`);
      if (c.arg(0) === 0) return unimplemented("freopen", "a NULL path (changing the mode of the stream)");
      return yield* fopenAt(c, pathArg(c, 0), latin1(readCString(c.mem, c.arg(1), 64)), file);
    }),
    fclose: onStream(0, closeStream),
    _fcloseall: calls(function* (c) {
      let n = 0;
      for (const f of streamAddresses(c, 3)) {
        const s = streamAt(c, f);
        if (s) {
          yield* closeStream(c, s);
          n++;
        }
      }
      return n;
    }),
    fread: calls(function* (c) {
      const s = streamArg(c, 3);
      if ("kind" in s) return s;
      const size = c.arg(1);
      const count = c.arg(2);
      const total = size * count;
      if (total === 0) return 0;
      if (total > 0x10000000) return unimplemented("fread", `${total} bytes at once`);
      const out = yield* streamRead(c, s, total);
      c.mem.write(c.arg(0), Uint8Array.from(out));
      return Math.floor(out.length / size);
    }),
    fgetc: onStream(0, streamGetc),
    getc: onStream(0, streamGetc),
    _fgetchar: calls((c) => streamGetc(c, { file: iobBase(c), fd: 0 })),
    getchar: calls(function* (c) {
      const s = streamAt(c, iobBase(c));
      return s ? yield* streamGetc(c, s) : EOF;
    }),
    ungetc: withStream(1, (c, s) => streamUngetc(c, s, c.u32(0) | 0)),
    /** fgets: up to n-1 characters, through the newline; NULL at end of file with nothing read. */
    fgets: calls(function* (c) {
      const s = streamArg(c, 2);
      if ("kind" in s) return s;
      const n = c.u32(1) | 0;
      const buf = c.arg(0);
      if (n <= 0 || buf === 0) {
        setErrno(c, EINVAL);
        return 0;
      }
      const out: number[] = [];
      while (out.length < n - 1) {
        const ch = yield* streamGetc(c, s);
        if (ch < 0) break;
        out.push(ch);
        if (ch === 0x0a) break;
      }
      if (out.length === 0 && n > 1) return 0;
      if (getFlag(c, s) & _IOERR && out.length === 0) return 0;
      c.mem.write(buf, Uint8Array.from([...out, 0]));
      return buf;
    }),
    gets: calls(function* (c) {
      const s = streamAt(c, iobBase(c));
      if (!s) return 0;
      const out: number[] = [];
      for (;;) {
        const ch = yield* streamGetc(c, s);
        if (ch < 0) {
          if (out.length === 0) return 0;
          break;
        }
        if (ch === 0x0a) break;
        out.push(ch);
      }
      c.mem.write(c.arg(0), Uint8Array.from([...out, 0]));
      return c.arg(0);
    }),
    feof: withStream(0, (c, s) => getFlag(c, s) & _IOEOF),
    ferror: withStream(0, (c, s) => getFlag(c, s) & _IOERR),
    clearerr: withStream(0, (c, s) => {
      setFlag(c, s, 0, _IOEOF | _IOERR);
      const f = fdOf(c, s.fd);
      if (f) f.eofZ = false;
      return 0;
    }),
    /** fflush: writes are not buffered; NULL flushes every stream (0). */
    fflush: api((c) => {
      if (c.arg(0) === 0) return 0;
      const s = streamArg(c, 0);
      return "kind" in s ? s : 0;
    }),
    /** _flushall: writes are not buffered, so nothing to write; returns the number of open streams (stdin,
     * stdout and stderr included), as Microsoft documents. */
    _flushall: api((c) => streamAddresses(c, 0).filter((f) => streamAt(c, f) !== undefined).length),
    /** setvbuf: mode _IOFBF 0, _IOLBF 0x40, _IONBF 4; size 2..INT_MAX unless _IONBF; else -1. */
    setvbuf: api((c) => {
      const s = streamArg(c, 0);
      if ("kind" in s) return s;
      const mode = c.u32(2);
      const size = c.arg(3);
      if ((mode !== 0 && mode !== 0x40 && mode !== 4) || (mode !== 4 && (size < 2 || size > 0x7fffffff))) {
        setErrno(c, EINVAL);
        return -1;
      }
      return 0;
    }),
    setbuf: withStream(0, () => 0),
    _fileno: withStream(0, (_c, s) => s.fd),
    fseek: onStream(0, (c, s) => streamSeek(c, s, c.u32(1) | 0, c.u32(2) | 0)),
    _fseeki64: onStream(0, (c, s) => streamSeek(c, s, arg64(c, 1), c.u32(c.arch === "x64" ? 2 : 3) | 0)),
    ftell: onStream(0, function* (c, s) {
      const p = yield* streamTell(c, s);
      if (p > 0x7fffffff) {
        setErrno(c, EINVAL);
        return -1;
      }
      return p;
    }),
    // a `calls` API returns a 64-bit result in EDX:EAX on x86 by itself
    _ftelli64: onStream(0, (c, s) => streamTell(c, s)),
    rewind: onStream(0, function* (c, s) {
      yield* streamSeek(c, s, 0, 0);
      setFlag(c, s, 0, _IOERR);
      return 0;
    }),
    /** fgetpos/fsetpos: fpos_t is a 64-bit offset in msvcrt. */
    fgetpos: onStream(0, function* (c, s) {
      const p = yield* streamTell(c, s);
      if (p < 0) return -1;
      c.mem.w64(c.arg(1), p);
      return 0;
    }),
    fsetpos: onStream(0, (c, s) => streamSeek(c, s, c.mem.u64(c.arg(1)), 0)),

    // ---- the scanf family
    sscanf: api((c) => {
      if (c.arg(0) === 0 || c.arg(1) === 0) {
        setErrno(c, EINVAL);
        return -1;
      }
      const input = stringInput(readCString(c.mem, c.arg(0)));
      return scanFormat(readCString(c.mem, c.arg(1)), input, pointers(c, 2), c.mem, c.ptrSize);
    }),
    fscanf: onStream(0, (c, s) =>
      scanFormatCalls(readCString(c.mem, c.arg(1)), streamInput(c, s), pointers(c, 2), c.mem, c.ptrSize),
    ),
    scanf: calls(function* (c) {
      const s = streamAt(c, iobBase(c));
      if (!s) return -1;
      const fmt = readCString(c.mem, c.arg(0));
      return yield* scanFormatCalls(fmt, streamInput(c, s), pointers(c, 1), c.mem, c.ptrSize);
    }),
    /**
     * The wide scanf family (crt-scan.ts ScanOptions.wide). On a stream in text mode msvcrt's fgetwc reads
     * a multibyte character and converts it with mbtowc in the "C" locale, where a byte is the wide
     * character of the same value: the stream's bytes are the input's wide characters.
     */
    swscanf: api((c) => {
      if (c.arg(0) === 0 || c.arg(1) === 0) {
        setErrno(c, EINVAL);
        return -1;
      }
      const input = stringInput(readWString(c.mem, c.arg(0)));
      return scanFormat(readWString(c.mem, c.arg(1)), input, pointers(c, 2), c.mem, c.ptrSize, {
        wide: true,
      });
    }),
    fwscanf: onStream(0, (c, s) =>
      scanFormatCalls(readWString(c.mem, c.arg(1)), streamInput(c, s), pointers(c, 2), c.mem, c.ptrSize, {
        wide: true,
      }),
    ),
    wscanf: calls(function* (c) {
      const s = streamAt(c, iobBase(c));
      if (!s) return -1;
      const fmt = readWString(c.mem, c.arg(0));
      return yield* scanFormatCalls(fmt, streamInput(c, s), pointers(c, 1), c.mem, c.ptrSize, { wide: true });
    }),

    // ---- low-level I/O
    _open: calls((c) => openFdCalls(c, pathArg(c, 0), c.u32(1), c.u32(2))),
    _wopen: calls((c) => openFdCalls(c, pathArg(c, 0), c.u32(1), c.u32(2))),
    _creat: calls((c) => openFdCalls(c, pathArg(c, 0), O_CREAT | O_TRUNC | O_RDWR, c.u32(1))),
    _close: calls((c) => closeFdCalls(c, c.u32(0) | 0)),
    /** _read: text mode translates as the streams do; returns the bytes stored, 0 at the end, -1 (EBADF). */
    _read: onFd(function* (c, f) {
      const n = Math.min(c.u32(2), 0x10000000);
      const out: number[] = [];
      while (out.length < n) {
        const b = yield* fdByteCalls(c, f);
        if (b === -2) return -1;
        if (b < 0) break;
        out.push(b);
        if (diskOf(c, f) === undefined && b === 0x0a) break; // a console read ends with the line
      }
      c.mem.write(c.arg(1), Uint8Array.from(out));
      return out.length;
    }),
    _write: bridge({
      pre: (c) => {
        const n = c.u32(2);
        if (n > 0x10000000) return unimplemented("_write", `${n} bytes at once`);
        writeFdPre(c, c.u32(0) | 0, [...c.mem.read(c.arg(1), n)]);
        return undefined;
      },
      post: (c, status) => {
        if (fdOf(c, c.u32(0) | 0) === undefined) return -1;
        if (status !== 0) {
          statusErrno(c, status);
          return -1;
        }
        return c.u32(2);
      },
    }),
    _lseek: onFd(function* (c, f) {
      const r = yield* seekFdCalls(c, f, c.u32(1) | 0, c.u32(2) | 0);
      if (r > 0x7fffffff) {
        setErrno(c, EINVAL);
        return -1;
      }
      return r;
    }),
    // a `calls` API returns a 64-bit result in EDX:EAX on x86 by itself
    _lseeki64: onFd((c, f) => seekFdCalls(c, f, arg64(c, 1), c.u32(c.arch === "x64" ? 2 : 3) | 0)),
    _tell: onFd(function* (c, f) {
      const p = yield* tellFdCalls(c, f);
      if (p > 0x7fffffff) {
        setErrno(c, EINVAL);
        return -1;
      }
      return p;
    }),
    _eof: api((c) => {
      const f = fdOf(c, c.u32(0) | 0);
      const d = f && diskOf(c, f);
      if (!f || !d) {
        setErrno(c, EBADF);
        return -1;
      }
      return position(c, f) >= d.vfs.queryStandard(d.file).endOfFile ? 1 : 0;
    }),
    _filelength: api((c) => {
      const f = fdOf(c, c.u32(0) | 0);
      const d = f && diskOf(c, f);
      if (!d) {
        setErrno(c, EBADF);
        return -1;
      }
      return d.vfs.queryStandard(d.file).endOfFile;
    }),
    /** _commit: FlushFileBuffers; the VFS writes through. */
    _commit: api((c) => {
      if (!fdOf(c, c.u32(0) | 0)) {
        setErrno(c, EBADF);
        return -1;
      }
      return 0;
    }),
    _isatty: api((c) => {
      const f = fdOf(c, c.u32(0) | 0);
      if (!f) return 0;
      return c.kernel.handles.get(f.handle)?.object instanceof FileObject ? 0x40 : 0;
    }),
    /** _setmode: _O_TEXT / _O_BINARY; returns the previous mode. */
    _setmode: api((c) => {
      const f = fdOf(c, c.u32(0) | 0);
      const mode = c.u32(1);
      if (!f) {
        setErrno(c, EBADF);
        return -1;
      }
      if (mode !== O_TEXT && mode !== O_BINARY) {
        setErrno(c, EINVAL);
        return -1;
      }
      const prev = isText(c, f) ? O_TEXT : O_BINARY;
      f.text = mode === O_TEXT;
      return prev;
    }),
    _get_osfhandle: api((c) => {
      const f = fdOf(c, c.u32(0) | 0);
      if (!f) {
        setErrno(c, EBADF);
        return -1;
      }
      return f.handle;
    }),
    _access: calls(accessPath),
    _waccess: calls(accessPath),
    _stat: api(statPath),
    _stat64: api(statPath),
    _wstat: api(statPath),
    _fstat: api(fstatFd),
    _fstat64: api(fstatFd),
    remove: calls((c) => removePath(c, false)),
    _unlink: calls((c) => removePath(c, false)),
    _wremove: calls((c) => removePath(c, false)),
    _wunlink: calls((c) => removePath(c, false)),
    rename: calls(renamePath),
    _wrename: calls(renamePath),
    _mkdir: calls(mkdirPath),
    _wmkdir: calls(mkdirPath),
    _rmdir: calls((c) => removePath(c, true)),
    _wrmdir: calls((c) => removePath(c, true)),
    _chdir: api(chdirPath),
    _wchdir: api(chdirPath),
    _getcwd: api((c) => getcwd(c, (n) => heapAlloc(c, n))),
    _wgetcwd: api((c) => getcwd(c, (n) => heapAlloc(c, n))),
    tmpnam: calls(tmpnam),
    tmpfile: calls(tmpfile),
    _findfirst: calls(findFirst),
    _findfirst64: calls(findFirst),
    _findnext: calls(findNext),
    _findnext64: calls(findNext),
    /** _findclose: FindClose; EINVAL when it fails (findfile.c). */
    _findclose: calls(function* (c) {
      if (!(yield* guestCall("kernel32", "FindClose", [c.arg(0)]))) {
        setErrno(c, EINVAL);
        return -1;
      }
      return 0;
    }),
  };
}

export const crtIoApis: ApiFamily = crtIoFamily();
