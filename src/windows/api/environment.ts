/**
 * The process environment of kernelbase: GetEnvironmentVariableA/W, SetEnvironmentVariableA/W,
 * GetEnvironmentStrings(A)/W, FreeEnvironmentStringsA/W, ExpandEnvironmentStringsA/W. The environment is
 * the UTF-16 block RTL_USER_PROCESS_PARAMETERS.Environment names (as ntdll's RtlQueryEnvironmentVariable /
 * RtlSetEnvironmentVariable use it): a change writes a new block on the process heap and stores its address
 * there. msvcrt keeps its own copy made at start-up, so getenv does not see SetEnvironmentVariable (as on
 * Windows). Names compare case-insensitively. Behaviour: learn.microsoft.com (processenv.h pages).
 */
import { api, FALSE, TRUE, type ApiCall, type ApiFamily } from "./context";
import { findHeap } from "./heap";
import { ansi, writeString } from "./sysinfo";

const ERROR_ENVVAR_NOT_FOUND = 203;
const ERROR_NOT_ENOUGH_MEMORY = 8;
/** RTL_USER_PROCESS_PARAMETERS.Environment (phnt ntrtl.h): x64 0x80, x86 0x48; EnvironmentSize x64 0x3F0, x86 0x290. */
const PARAMS_ENVIRONMENT = { x64: 0x80, x86: 0x48 } as const;
const PARAMS_ENVIRONMENT_SIZE = { x64: 0x3f0, x86: 0x290 } as const;

function params(c: ApiCall): number {
  return c.peb === 0 ? 0 : c.readPtr(c.peb + c.layout.peb.ProcessParameters);
}

/** The entries of the environment block ("NAME=value", and the "=C:=C:\…" ones), in order. */
export function environmentEntries(c: ApiCall): string[] {
  const p = params(c);
  const block = p === 0 ? 0 : c.readPtr(p + PARAMS_ENVIRONMENT[c.arch]);
  const out: string[] = [];
  if (block === 0) return out;
  let a = block;
  for (let guard = 0; guard < 65536; guard++) {
    const s = c.mem.wString(a);
    if (s.length === 0) break;
    out.push(s);
    a += 2 * (s.length + 1);
  }
  return out;
}

/** The name of an entry: up to the first '=' after its first character (so "=C:=C:\x" is named "=C:"). */
function nameOf(e: string): string {
  const eq = e.indexOf("=", 1);
  return eq < 0 ? e : e.slice(0, eq);
}

/** RtlQueryEnvironmentVariable: the value of `name`, or undefined. */
export function queryEnvironment(c: ApiCall, name: string): string | undefined {
  const n = name.toUpperCase();
  const e = environmentEntries(c).find((x) => nameOf(x).toUpperCase() === n);
  return e === undefined ? undefined : e.slice(nameOf(e).length + 1);
}

/** A copy of `bytes` on the process heap (0 when it is full). */
function heapCopy(c: ApiCall, bytes: Uint8Array): number {
  const heap = findHeap(c, c.readPtr(c.peb + c.layout.peb.ProcessHeap));
  const a = heap?.allocate(bytes.length, false) ?? 0;
  if (a !== 0) c.mem.write(a, bytes);
  return a;
}

function utf16Block(entries: readonly string[]): Uint8Array {
  const units = entries.reduce((n, e) => n + e.length + 1, 1);
  const b = new Uint8Array(2 * units);
  let i = 0;
  for (const e of entries) {
    for (let k = 0; k < e.length; k++, i++) {
      b[2 * i] = e.charCodeAt(k) & 0xff;
      b[2 * i + 1] = e.charCodeAt(k) >> 8;
    }
    i++;
  }
  return b;
}

/** RtlSetEnvironmentVariable: sets (or with `value` undefined removes) `name`; false when out of memory. */
function setEnvironment(c: ApiCall, name: string, value: string | undefined): boolean {
  const n = name.toUpperCase();
  const entries = environmentEntries(c);
  const k = entries.findIndex((x) => nameOf(x).toUpperCase() === n);
  if (value === undefined) {
    if (k < 0) return true;
    entries.splice(k, 1);
  } else if (k >= 0) entries[k] = `${nameOf(entries[k])}=${value}`;
  else {
    // Kept sorted, as RtlSetEnvironmentVariable inserts in order.
    let at = entries.findIndex((x) => nameOf(x).toUpperCase() > n);
    if (at < 0) at = entries.length;
    entries.splice(at, 0, `${name}=${value}`);
  }
  const block = utf16Block(entries);
  const a = heapCopy(c, block);
  if (a === 0) return false;
  const p = params(c);
  c.writePtr(p + PARAMS_ENVIRONMENT[c.arch], a);
  c.writePtr(p + PARAMS_ENVIRONMENT_SIZE[c.arch], block.length);
  return true;
}

function str(c: ApiCall, at: number): string {
  return at === 0 ? "" : ansi(c) ? c.mem.cString(at) : c.mem.wString(at);
}

/** ExpandEnvironmentStrings: %NAME% of a defined variable replaced, anything else kept as written. */
function expand(c: ApiCall, s: string): string {
  return s.replace(/%([^%]+)%/g, (m, name: string) => queryEnvironment(c, name) ?? m);
}

export const environmentApis: ApiFamily = {
  /**
   * DWORD GetEnvironmentVariableA/W(LPCTSTR lpName, LPTSTR lpBuffer, DWORD nSize): the length without the
   * terminator, the size needed (with it) when nSize is too small, 0 and ERROR_ENVVAR_NOT_FOUND.
   */
  GetEnvironmentVariableA: api(getVariable),
  GetEnvironmentVariableW: api(getVariable),
  /** BOOL SetEnvironmentVariableA/W(LPCTSTR lpName, LPCTSTR lpValue): lpValue NULL deletes the variable. */
  SetEnvironmentVariableA: api(setVariable),
  SetEnvironmentVariableW: api(setVariable),
  /** LPCH GetEnvironmentStrings(A)(void): an ANSI copy of the block on the process heap. */
  GetEnvironmentStrings: api((c) => ansiBlock(c)),
  GetEnvironmentStringsA: api((c) => ansiBlock(c)),
  /** LPWCH GetEnvironmentStringsW(void): a copy of the block on the process heap. */
  GetEnvironmentStringsW: api((c) => {
    const a = heapCopy(c, utf16Block(environmentEntries(c)));
    if (a === 0) c.setLastError(ERROR_NOT_ENOUGH_MEMORY);
    return a;
  }),
  /** BOOL FreeEnvironmentStringsA/W(LPTCH penv). */
  FreeEnvironmentStringsA: api(freeStrings),
  FreeEnvironmentStringsW: api(freeStrings),
  /**
   * DWORD ExpandEnvironmentStringsA/W(LPCTSTR lpSrc, LPTSTR lpDst, DWORD nSize): the size of the result in
   * TCHARs including the terminator, whether or not it fitted.
   */
  ExpandEnvironmentStringsA: api(expandStrings),
  ExpandEnvironmentStringsW: api(expandStrings),
};

function getVariable(c: ApiCall): number {
  const v = queryEnvironment(c, str(c, c.arg(0)));
  if (v === undefined) {
    c.setLastError(ERROR_ENVVAR_NOT_FOUND);
    return 0;
  }
  if (c.u32(2) <= v.length || c.arg(1) === 0) return v.length + 1;
  writeString(c, c.arg(1), v, !ansi(c));
  return v.length;
}

function setVariable(c: ApiCall): number {
  const name = str(c, c.arg(0));
  if (name.length === 0 || name.indexOf("=", 1) >= 0) {
    c.setLastError(87 /* ERROR_INVALID_PARAMETER */);
    return FALSE;
  }
  if (!setEnvironment(c, name, c.arg(1) === 0 ? undefined : str(c, c.arg(1)))) {
    c.setLastError(ERROR_NOT_ENOUGH_MEMORY);
    return FALSE;
  }
  return TRUE;
}

function ansiBlock(c: ApiCall): number {
  const entries = environmentEntries(c);
  const b = new Uint8Array(entries.reduce((n, e) => n + e.length + 1, 1));
  let i = 0;
  for (const e of entries) {
    for (let k = 0; k < e.length; k++) b[i++] = e.charCodeAt(k) < 0x100 ? e.charCodeAt(k) : 0x3f;
    i++;
  }
  const a = heapCopy(c, b);
  if (a === 0) c.setLastError(ERROR_NOT_ENOUGH_MEMORY);
  return a;
}

function freeStrings(c: ApiCall): number {
  const heap = findHeap(c, c.readPtr(c.peb + c.layout.peb.ProcessHeap));
  return heap?.release(c.arg(0)) ? TRUE : FALSE;
}

function expandStrings(c: ApiCall): number {
  const out = expand(c, str(c, c.arg(0)));
  if (c.arg(1) !== 0 && c.u32(2) > out.length) writeString(c, c.arg(1), out, !ansi(c));
  return out.length + 1;
}
