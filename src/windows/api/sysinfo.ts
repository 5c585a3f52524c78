/**
 * System information, time and well-known directories of kernelbase: GetTickCount(64), GetSystemTime(s),
 * GetLocalTime, FileTimeToSystemTime, SystemTimeToFileTime, GetVersion, GetVersionExA/W, ntdll's
 * RtlGetVersion, GetComputerNameA/W, GlobalMemoryStatusEx, GetWindowsDirectoryA/W, GetSystemDirectoryA/W,
 * GetTempPathA/W, GetFullPathNameA/W. Behaviour: learn.microsoft.com (sysinfoapi.h, timezoneapi.h,
 * fileapi.h, winbase.h pages); time comes from the kernel's virtual clock (../kernel/time.ts), local time is
 * UTC (the emulated machine's time zone, as msvcrt's localtime here).
 */
import { getFullPathName } from "../fs/path";
import { fileSystemOf } from "../kernel/file-io";
import { STATUS_SUCCESS } from "../kernel/status";
import { defaultEnvironment } from "../loader/environment";
import { PEB32, PEB64 } from "../loader/layout";
import { MEM_FREE } from "../memory/constants";
import { api, FALSE, TRUE, type ApiCall, type ApiFamily } from "./context";
import { queryEnvironment } from "./environment";
import { ERROR_INSUFFICIENT_BUFFER, ERROR_INVALID_PARAMETER } from "./errors";

const ERROR_BUFFER_OVERFLOW = 111;
/** FILETIME of 1970-01-01 (100 ns units since 1601-01-01). */
const EPOCH_1970 = 116444736000000000n;

/** Whether the API is an A form (by its export name). */
export function ansi(c: ApiCall): boolean {
  return c.entry.name.endsWith("A");
}

/** Writes `s` and its terminator as ANSI (Latin-1 range) or UTF-16. */
export function writeString(c: ApiCall, at: number, s: string, wide: boolean): void {
  if (wide) {
    for (let i = 0; i < s.length; i++) c.mem.w16(at + 2 * i, s.charCodeAt(i));
    c.mem.w16(at + 2 * s.length, 0);
  } else {
    const b = new Uint8Array(s.length + 1);
    for (let i = 0; i < s.length; i++) b[i] = s.charCodeAt(i) < 0x100 ? s.charCodeAt(i) : 0x3f;
    c.mem.write(at, b);
  }
}

/**
 * The "buffer size in TCHARs" convention of GetWindowsDirectory, GetTempPath, GetFullPathName…: the length
 * without the terminator when `s` fits (size > length), else the size needed including it.
 */
export function copyOut(c: ApiCall, at: number, size: number, s: string, wide = !ansi(c)): number {
  if (size <= s.length || at === 0) return s.length + 1;
  writeString(c, at, s, wide);
  return s.length;
}

function fileTime(c: ApiCall): bigint {
  return c.kernel.clock.systemTime();
}

function writeFileTime(c: ApiCall, at: number, t: bigint): void {
  c.mem.w32(at, Number(t & 0xffffffffn));
  c.mem.w32(at + 4, Number((t >> 32n) & 0xffffffffn));
}

/** SYSTEMTIME: wYear, wMonth, wDayOfWeek, wDay, wHour, wMinute, wSecond, wMilliseconds. */
function writeSystemTime(c: ApiCall, at: number, t: bigint): void {
  const ms = Number((t - EPOCH_1970) / 10000n);
  const d = new Date(ms);
  const f = [
    d.getUTCFullYear(),
    d.getUTCMonth() + 1,
    d.getUTCDay(),
    d.getUTCDate(),
    d.getUTCHours(),
    d.getUTCMinutes(),
    d.getUTCSeconds(),
    d.getUTCMilliseconds(),
  ];
  f.forEach((v, i) => c.mem.w16(at + 2 * i, v));
}

function osVersion(c: ApiCall): { major: number; minor: number; build: number; platform: number } {
  const L = c.arch === "x64" ? PEB64 : PEB32;
  return {
    major: c.mem.u32(c.peb + L.OSMajorVersion),
    minor: c.mem.u32(c.peb + L.OSMinorVersion),
    build: c.mem.u16(c.peb + L.OSBuildNumber),
    platform: c.mem.u32(c.peb + L.OSPlatformId),
  };
}

/** The Windows 10 GUID of a manifest's <supportedOS Id=…/> compatibility entry. */
const WIN10_GUID = "{8e0f7a12-bfb3-4fe8-b9a5-48fd50a15a9a}";

/**
 * The version GetVersion(Ex) report: "applications not manifested for Windows 8.1 or Windows 10 will
 * return the Windows 8 OS version value (6.2)" (GetVersionExA, Remarks) — 6.2 build 9200; an image whose
 * resources hold a manifest naming Windows 10 gets the real version.
 */
function reportedVersion(c: ApiCall): { major: number; minor: number; build: number; platform: number } {
  const real = osVersion(c);
  const L = c.arch === "x64" ? PEB64 : PEB32;
  const base = c.readPtr(c.peb + L.ImageBaseAddress);
  const nt = base + c.mem.u32(base + 0x3c);
  const dirs = nt + 0x18 + (c.arch === "x64" ? 0x70 : 0x60);
  const rva = c.mem.u32(dirs + 2 * 8);
  const size = c.mem.u32(dirs + 2 * 8 + 4);
  if (rva !== 0 && size !== 0 && size < 0x1000000) {
    const text = String.fromCharCode(...c.mem.read(base + rva, size));
    if (text.toLowerCase().includes(WIN10_GUID)) return real;
  }
  return { major: 6, minor: 2, build: 9200, platform: real.platform };
}

/**
 * OSVERSIONINFO(EX)A/W: dwOSVersionInfoSize, dwMajorVersion, dwMinorVersion, dwBuildNumber, dwPlatformId,
 * szCSDVersion[128] (then the EX fields: wServicePackMajor/Minor, wSuiteMask, wProductType, wReserved).
 */
function fillVersionInfo(
  c: ApiCall,
  at: number,
  wide: boolean,
  v: { major: number; minor: number; build: number; platform: number },
): boolean {
  const size = c.mem.u32(at);
  const base = wide ? 276 : 148;
  const ex = wide ? 284 : 156;
  if (size !== base && size !== ex) return false;
  c.mem.w32(at + 4, v.major);
  c.mem.w32(at + 8, v.minor);
  c.mem.w32(at + 12, v.build);
  c.mem.w32(at + 16, v.platform);
  c.mem.write(at + 20, new Uint8Array(wide ? 256 : 128));
  if (size === ex) {
    const e = at + 20 + (wide ? 256 : 128);
    c.mem.write(e, new Uint8Array(8));
    c.mem.w16(e + 4, 0x100); // wSuiteMask VER_SUITE_SINGLEUSERTS
    c.mem.w8(e + 6, 1); // wProductType VER_NT_WORKSTATION
  }
  return true;
}

function getVersionEx(c: ApiCall): number {
  if (!fillVersionInfo(c, c.arg(0), !ansi(c), reportedVersion(c))) {
    c.setLastError(ERROR_INSUFFICIENT_BUFFER);
    return FALSE;
  }
  return TRUE;
}

function windowsDirectory(): string {
  return "C:\\Windows";
}

function getComputerName(c: ApiCall): number {
  const name = defaultEnvironment(false).COMPUTERNAME;
  const pSize = c.arg(1);
  const size = c.mem.u32(pSize);
  if (size < name.length + 1 || c.arg(0) === 0) {
    c.mem.w32(pSize, name.length + 1);
    c.setLastError(ERROR_BUFFER_OVERFLOW);
    return FALSE;
  }
  writeString(c, c.arg(0), name, !ansi(c));
  c.mem.w32(pSize, name.length);
  return TRUE;
}

/** GetTempPath: TMP, TEMP, USERPROFILE, then the Windows directory, with a trailing backslash. */
function getTempPath(c: ApiCall): number {
  const path =
    queryEnvironment(c, "TMP") ??
    queryEnvironment(c, "TEMP") ??
    queryEnvironment(c, "USERPROFILE") ??
    windowsDirectory();
  const full = getFullPathName(path, fileSystemOf(c.kernel).currentDirectory);
  const p = (full.status === STATUS_SUCCESS ? full.path : path).replace(/\\?$/, "\\");
  return copyOut(c, c.arg(1), c.u32(0), p);
}

/** GetFullPathName(lpFileName, nBufferLength, lpBuffer, lpFilePart). */
function getFullPath(c: ApiCall): number {
  const wide = !ansi(c);
  const name = c.arg(0) === 0 ? "" : wide ? c.mem.wString(c.arg(0)) : c.mem.cString(c.arg(0));
  const r = getFullPathName(name, fileSystemOf(c.kernel).currentDirectory);
  if (r.status !== STATUS_SUCCESS) {
    c.setLastError(name.length === 0 ? ERROR_INVALID_PARAMETER : 123 /* ERROR_INVALID_NAME */);
    return 0;
  }
  const n = copyOut(c, c.arg(2), c.u32(1), r.path, wide);
  const pPart = c.arg(3);
  if (n <= r.path.length && pPart !== 0) {
    const slash = r.path.lastIndexOf("\\");
    const at = slash + 1 < r.path.length ? c.arg(2) + (slash + 1) * (wide ? 2 : 1) : 0;
    c.writePtr(pPart, at);
  }
  return n;
}

/** The free bytes of the caller's view of the address space between 64 KB and its highest address. */
function availableVirtual(c: ApiCall, top: number): number {
  const as = c.process.mem;
  let free = 0;
  let a = 0x10000;
  for (let guard = 0; guard < 100000 && a < top; guard++) {
    const q = as.query(a).info;
    if (!q) break;
    const end = Math.min(q.baseAddress + q.regionSize, top);
    if (q.state === MEM_FREE) free += end - Math.max(a, q.baseAddress);
    a = q.baseAddress + q.regionSize;
  }
  return free;
}

export const sysinfoApis: ApiFamily = {
  /** DWORD GetTickCount(void): milliseconds since boot, wrapping at 2^32. */
  GetTickCount: api((c) => Math.floor(c.kernel.clock.interruptTime() / 10000) % 2 ** 32),
  /** ULONGLONG GetTickCount64(void) (x86: EDX:EAX). */
  GetTickCount64: api((c) => {
    const ms = Math.floor(c.kernel.clock.interruptTime() / 10000);
    if (c.arch === "x86") c.thread.cpu.lo[2] = Math.floor(ms / 2 ** 32);
    return c.arch === "x86" ? ms % 2 ** 32 : ms;
  }),
  /** void GetSystemTimeAsFileTime(LPFILETIME). */
  GetSystemTimeAsFileTime: api((c) => {
    writeFileTime(c, c.arg(0), fileTime(c));
    return 0;
  }),
  /** void GetSystemTimePreciseAsFileTime(LPFILETIME). */
  GetSystemTimePreciseAsFileTime: api((c) => {
    writeFileTime(c, c.arg(0), fileTime(c));
    return 0;
  }),
  /** void GetSystemTime(LPSYSTEMTIME): UTC. */
  GetSystemTime: api((c) => {
    writeSystemTime(c, c.arg(0), fileTime(c));
    return 0;
  }),
  /** void GetLocalTime(LPSYSTEMTIME): the emulated machine's time zone is UTC. */
  GetLocalTime: api((c) => {
    writeSystemTime(c, c.arg(0), fileTime(c));
    return 0;
  }),
  /** BOOL FileTimeToSystemTime(const FILETIME*, LPSYSTEMTIME): fails for times ≥ 0x8000000000000000. */
  FileTimeToSystemTime: api((c) => {
    const t = (BigInt(c.mem.u32(c.arg(0) + 4)) << 32n) | BigInt(c.mem.u32(c.arg(0)));
    if (t >= 0x8000000000000000n) {
      c.setLastError(ERROR_INVALID_PARAMETER);
      return FALSE;
    }
    writeSystemTime(c, c.arg(1), t);
    return TRUE;
  }),
  /** BOOL SystemTimeToFileTime(const SYSTEMTIME*, LPFILETIME): wDayOfWeek is ignored; fields are checked. */
  SystemTimeToFileTime: api((c) => {
    const s = c.arg(0);
    const [y, mo, , d, h, mi, se, ms] = Array.from({ length: 8 }, (_, i) => c.mem.u16(s + 2 * i));
    const days = [31, isLeap(y) ? 29 : 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31][mo - 1] ?? 0;
    if (
      y < 1601 ||
      y > 30827 ||
      mo < 1 ||
      mo > 12 ||
      d < 1 ||
      d > days ||
      h > 23 ||
      mi > 59 ||
      se > 59 ||
      ms > 999
    ) {
      c.setLastError(ERROR_INVALID_PARAMETER);
      return FALSE;
    }
    const t = new Date(0);
    t.setUTCFullYear(y, mo - 1, d);
    t.setUTCHours(h, mi, se, ms);
    writeFileTime(c, c.arg(1), BigInt(t.getTime()) * 10000n + EPOCH_1970);
    return TRUE;
  }),
  /** DWORD GetVersion(void): major | minor << 8 | build << 16 (the manifest rule of GetVersionEx). */
  GetVersion: api((c) => {
    const v = reportedVersion(c);
    return (v.major | (v.minor << 8) | (v.build << 16)) >>> 0;
  }),
  /** BOOL GetVersionExA/W(LPOSVERSIONINFO): ERROR_INSUFFICIENT_BUFFER for a bad dwOSVersionInfoSize. */
  GetVersionExA: api(getVersionEx),
  GetVersionExW: api(getVersionEx),
  /** NTSTATUS RtlGetVersion(PRTL_OSVERSIONINFOW): the real version whatever the manifest says. */
  RtlGetVersion: api(
    (c) =>
      fillVersionInfo(c, c.arg(0), true, osVersion(c))
        ? STATUS_SUCCESS
        : 0xc000000d /* STATUS_INVALID_PARAMETER */,
  ),
  /** BOOL GetComputerNameA/W(LPTSTR lpBuffer, LPDWORD nSize): ERROR_BUFFER_OVERFLOW with the size needed. */
  GetComputerNameA: api(getComputerName),
  GetComputerNameW: api(getComputerName),
  /** BOOL GlobalMemoryStatusEx(LPMEMORYSTATUSEX): dwLength must be sizeof(MEMORYSTATUSEX) = 64. */
  GlobalMemoryStatusEx: api((c) => {
    const at = c.arg(0);
    if (c.mem.u32(at) !== 64) {
      c.setLastError(ERROR_INVALID_PARAMETER);
      return FALSE;
    }
    const k = c.kernel;
    const top =
      c.arch === "x64" ? c.process.mem.highestAddress(true) + 1 : c.process.mem.highestAddress(false) + 1;
    const totalVirtual = top - 0x10000;
    const availPhys = Math.floor(k.physicalMemory / 2);
    const vals = [
      k.physicalMemory,
      availPhys,
      k.physicalMemory * 2,
      k.physicalMemory * 2 - (k.physicalMemory - availPhys),
      totalVirtual,
      availableVirtual(c, top),
      0,
    ];
    c.mem.w32(at + 4, Math.round(((k.physicalMemory - availPhys) * 100) / k.physicalMemory));
    vals.forEach((v, i) => c.mem.w64(at + 8 + 8 * i, v));
    return TRUE;
  }),
  /** UINT GetWindowsDirectoryA/W(LPTSTR lpBuffer, UINT uSize). */
  GetWindowsDirectoryA: api((c) => copyOut(c, c.arg(0), c.u32(1), windowsDirectory())),
  GetWindowsDirectoryW: api((c) => copyOut(c, c.arg(0), c.u32(1), windowsDirectory())),
  /** UINT GetSystemWindowsDirectoryA/W(LPTSTR lpBuffer, UINT uSize). */
  GetSystemWindowsDirectoryA: api((c) => copyOut(c, c.arg(0), c.u32(1), windowsDirectory())),
  GetSystemWindowsDirectoryW: api((c) => copyOut(c, c.arg(0), c.u32(1), windowsDirectory())),
  /** UINT GetSystemDirectoryA/W(LPTSTR lpBuffer, UINT uSize): System32 for 32-bit code too (redirected). */
  GetSystemDirectoryA: api((c) => copyOut(c, c.arg(0), c.u32(1), windowsDirectory() + "\\system32")),
  GetSystemDirectoryW: api((c) => copyOut(c, c.arg(0), c.u32(1), windowsDirectory() + "\\system32")),
  /** DWORD GetTempPathA/W(DWORD nBufferLength, LPTSTR lpBuffer). */
  GetTempPathA: api(getTempPath),
  GetTempPathW: api(getTempPath),
  /** DWORD GetFullPathNameA/W(LPCTSTR lpFileName, DWORD nBufferLength, LPTSTR lpBuffer, LPTSTR *lpFilePart). */
  GetFullPathNameA: api(getFullPath),
  GetFullPathNameW: api(getFullPath),
};

function isLeap(y: number): boolean {
  return (y % 4 === 0 && y % 100 !== 0) || y % 400 === 0;
}
