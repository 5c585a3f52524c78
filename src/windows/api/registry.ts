/**
 * advapi32's registry functions (declared in ../dlls/advapi32.ts). Reference pages: learn.microsoft.com/
 * en-us/windows/win32/api/winreg/nf-winreg-regopenkeyexw (…regcreatekeyexw, regqueryvalueexw,
 * regsetvalueexw, regdeletekeyw, regdeletekeyexw, regdeletevaluew, regenumkeyexw, regenumvaluew,
 * regqueryinfokeyw, regclosekey, reggetvaluew).
 *
 * - The result is the Win32 error code ("If the function succeeds, the return value is ERROR_SUCCESS. If
 *   the function fails, the return value is a nonzero error code defined in Winerror.h"); the last error is
 *   not set. NTSTATUS → Win32 as RtlNtStatusToDosError maps it (STATUS_OBJECT_NAME_NOT_FOUND →
 *   ERROR_FILE_NOT_FOUND 2, STATUS_NO_MORE_ENTRIES → ERROR_NO_MORE_ITEMS 259, STATUS_BUFFER_OVERFLOW →
 *   ERROR_MORE_DATA 234, STATUS_ACCESS_DENIED / STATUS_CANNOT_DELETE → ERROR_ACCESS_DENIED 5, …).
 * - Predefined keys (winreg.h: HKEY_CLASSES_ROOT 0x80000000, HKEY_CURRENT_USER 0x80000001,
 *   HKEY_LOCAL_MACHINE 0x80000002, HKEY_USERS 0x80000003, HKEY_CURRENT_CONFIG 0x80000005; on x64 the
 *   sign-extended values) are opened once per process, as advapi32 caches them: \REGISTRY\MACHINE,
 *   \REGISTRY\USER\<SID>, \REGISTRY\USER, the merged HKCR (a subkey that exists under
 *   HKCU\Software\Classes is taken from there, anything else from HKLM\Software\Classes — "HKEY_CLASSES_ROOT
 *   Key", …/sysinfo/hkey-classes-root-key), the current hardware profile. Closing one succeeds.
 * - The view (32/64-bit) comes from the caller's bitness and KEY_WOW64_64KEY / KEY_WOW64_32KEY in
 *   samDesired; the kernel applies it for the bridged calls, `viewFor` for the trap-implemented ones.
 * - The ANSI (A) functions convert names and string data (REG_SZ, REG_EXPAND_SZ, REG_MULTI_SZ) with the
 *   ANSI code page, which we take to be Windows-1252 (the code page of US/Western-European Windows).
 * - Security is not modelled (the process is treated as elevated); lpSecurityAttributes is ignored and
 *   RegQueryInfoKey's lpcbSecurityDescriptor receives 0.
 */
import {
  HKEY_CLASSES_ROOT,
  HKEY_CURRENT_CONFIG,
  HKEY_CURRENT_USER,
  HKEY_LOCAL_MACHINE,
  HKEY_USERS,
  KEY_ALL_ACCESS,
  KEY_GENERIC_MAPPING,
  KEY_QUERY_VALUE,
  KEY_WOW64_32KEY,
  KEY_WOW64_64KEY,
  KEY_WOW64_RES,
  KeyFullInformation,
  KeyNodeInformation,
  KeyValueFullInformation,
  KeyValuePartialInformation,
  REG_BINARY,
  REG_DWORD,
  REG_EXPAND_SZ,
  REG_MULTI_SZ,
  REG_NONE,
  REG_OPTION_OPEN_LINK,
  REG_OPTION_VOLATILE,
  REG_QWORD,
  REG_SZ,
  viewFor,
  type RegistryView,
} from "../registry";
import * as RS from "../registry/status";
import { unimplemented } from "../kernel/context";
import { mapGenericAccess } from "../kernel/handles";
import { KeyObject, registryOf, saveRegistryOf } from "../kernel/registry";
import type { KernelThread } from "../kernel/types";
import {
  api,
  bridge,
  type ApiCall,
  type ApiEntry,
  type ApiFamily,
  type ApiResult,
  type BridgeCall,
} from "./context";
import { ntStatusToDosError } from "./errors";
import { allocateData } from "./state";

export const ERROR_SUCCESS = 0;
export const ERROR_FILE_NOT_FOUND = 2;
export const ERROR_ACCESS_DENIED = 5;
export const ERROR_INVALID_HANDLE = 6;
export const ERROR_INVALID_PARAMETER = 87;
export const ERROR_BAD_PATHNAME = 161;
export const ERROR_ALREADY_EXISTS = 183;
export const ERROR_FILENAME_EXCED_RANGE = 206;
export const ERROR_MORE_DATA = 234;
export const ERROR_NO_MORE_ITEMS = 259;
export const ERROR_KEY_DELETED = 1018;
export const ERROR_CHILD_MUST_BE_VOLATILE = 1021;
export const ERROR_NO_SYSTEM_RESOURCES = 1450;
export const ERROR_DATATYPE_MISMATCH = 1629;
export const ERROR_UNSUPPORTED_TYPE = 1630;

/** RegGetValue dwFlags (winreg.h). */
export const RRF_RT_ANY = 0x0000ffff;
export const RRF_NOEXPAND = 0x10000000;
export const RRF_ZEROONFAILURE = 0x20000000;
export const RRF_SUBKEY_WOW6464KEY = 0x00010000;
export const RRF_SUBKEY_WOW6432KEY = 0x00020000;

const REGISTRY_ERRORS = new Map<number, number>([
  [RS.STATUS_NO_MORE_ENTRIES, ERROR_NO_MORE_ITEMS],
  [RS.STATUS_OBJECT_NAME_COLLISION, ERROR_ALREADY_EXISTS],
  [RS.STATUS_OBJECT_PATH_SYNTAX_BAD, ERROR_BAD_PATHNAME],
  [RS.STATUS_INSUFFICIENT_RESOURCES, ERROR_NO_SYSTEM_RESOURCES],
  [RS.STATUS_NAME_TOO_LONG, ERROR_FILENAME_EXCED_RANGE],
  [RS.STATUS_CANNOT_DELETE, ERROR_ACCESS_DENIED],
  [RS.STATUS_KEY_DELETED, ERROR_KEY_DELETED],
  [RS.STATUS_CHILD_MUST_BE_VOLATILE, ERROR_CHILD_MUST_BE_VOLATILE],
  [RS.STATUS_BUFFER_OVERFLOW, ERROR_MORE_DATA],
]);

/** The Win32 error a Reg* function returns for an NTSTATUS. */
export function regError(status: number): number {
  const s = status >>> 0;
  return REGISTRY_ERRORS.get(s) ?? ntStatusToDosError(s);
}

// ---- Windows-1252 (the ANSI code page we assume)

const CP1252_HIGH = [
  0x20ac, 0x81, 0x201a, 0x0192, 0x201e, 0x2026, 0x2020, 0x2021, 0x02c6, 0x2030, 0x0160, 0x2039, 0x0152, 0x8d,
  0x017d, 0x8f, 0x90, 0x2018, 0x2019, 0x201c, 0x201d, 0x2022, 0x2013, 0x2014, 0x02dc, 0x2122, 0x0161, 0x203a,
  0x0153, 0x9d, 0x017e, 0x0178,
];
const CP1252_REVERSE = new Map(CP1252_HIGH.map((u, i) => [u, 0x80 + i]));

export function decode1252(b: Uint8Array): string {
  let s = "";
  for (const x of b) s += String.fromCharCode(x >= 0x80 && x < 0xa0 ? CP1252_HIGH[x - 0x80] : x);
  return s;
}

/** Characters without a Windows-1252 byte become '?' (WideCharToMultiByte's default character). */
export function encode1252(s: string): Uint8Array {
  const out = new Uint8Array(s.length);
  for (let i = 0; i < s.length; i++) {
    const ch = s.charCodeAt(i);
    const r = CP1252_REVERSE.get(ch);
    out[i] = r !== undefined ? r : ch < 0x100 && !(ch >= 0x80 && ch < 0xa0) ? ch : 0x3f;
  }
  return out;
}

function utf16(s: string): Uint8Array {
  const out = new Uint8Array(s.length * 2);
  for (let i = 0; i < s.length; i++) {
    out[2 * i] = s.charCodeAt(i) & 0xff;
    out[2 * i + 1] = s.charCodeAt(i) >>> 8;
  }
  return out;
}

function fromUtf16(b: Uint8Array): string {
  let s = "";
  for (let i = 0; i + 1 < b.length; i += 2) s += String.fromCharCode(b[i] | (b[i + 1] << 8));
  return s;
}

function isString(type: number): boolean {
  return type === REG_SZ || type === REG_EXPAND_SZ || type === REG_MULTI_SZ;
}

function wide(c: ApiCall): boolean {
  return c.entry.name.endsWith("W");
}

/** A string argument (NULL → null) in the function's character set. */
function strArg(c: ApiCall, i: number): string | null {
  const p = c.arg(i);
  if (p === 0) return null;
  if (wide(c)) return c.mem.wString(p);
  const bytes: number[] = [];
  for (let k = 0; k < 32768; k++) {
    const b = c.mem.u8(p + k);
    if (b === 0) break;
    bytes.push(b);
  }
  return decode1252(Uint8Array.from(bytes));
}

/** Writes `s` and a NUL in the function's character set. */
function writeStr(c: ApiCall, p: number, s: string): void {
  c.mem.write(p, wide(c) ? utf16(s + "\0") : encode1252(s + "\0"));
}

// ---- per-thread scratch memory and state between a bridge's two halves

const scratches = new WeakMap<KernelThread, Map<string, { base: number; size: number }>>();

/** Committed memory of the caller's bitness for the structures a bridge passes to the Nt call. */
function scratch(c: ApiCall, size: number): number {
  let m = scratches.get(c.thread);
  if (m === undefined) scratches.set(c.thread, (m = new Map()));
  const have = m.get(c.arch);
  if (have !== undefined && have.size >= size) return have.base;
  const want = Math.max(0x10000, Math.ceil(size / 0x10000) * 0x10000);
  const base = allocateData(c, want);
  m.set(c.arch, { base, size: want });
  return base;
}

interface Pending {
  /** Set in `pre` when the API fails before the Nt call (made with invalid arguments, so it fails too). */
  error?: number;
  buf: number;
  size: number;
}

const pendings = new WeakMap<KernelThread, Pending>();

function setPending(c: ApiCall, p: Pending): void {
  pendings.set(c.thread, p);
}

function takePending(c: ApiCall): Pending {
  const p = pendings.get(c.thread);
  pendings.delete(c.thread);
  return p ?? { buf: 0, size: 0 };
}

/** Fail in `pre`: every Nt argument 0 (the key services then fail without effect), `post` returns `error`. */
function failPre(c: BridgeCall, error: number, argc: number): void {
  for (let i = 0; i < argc; i++) c.nt(i, 0);
  setPending(c, { error, buf: 0, size: 0 });
}

// ---- predefined keys

const predefined = new WeakMap<object, Map<string, number>>();

function predefinedIndex(hkey: number): number | undefined {
  const v = hkey >>> 0;
  return hkey < 0 && v >= 0x80000000 && v <= 0x80000006 ? v : undefined;
}

/** The cached kernel handle of a predefined key's NT path (opened with KEY_ALL_ACCESS), or undefined. */
function predefinedHandle(c: ApiCall, path: string): number | undefined {
  let m = predefined.get(c.kernel);
  if (m === undefined) predefined.set(c.kernel, (m = new Map()));
  const have = m.get(path.toUpperCase());
  if (have !== undefined && c.kernel.handles.get(have)?.object instanceof KeyObject) return have;
  const r = registryOf(c.kernel).openKey(null, path);
  if (!r.key) return undefined;
  const h = c.kernel.handles.insert(new KeyObject(r.key, "64"), KEY_ALL_ACCESS);
  m.set(path.toUpperCase(), h);
  return h;
}

/**
 * The kernel handle to use as the root for (hkey, subKey): a predefined key's cached handle (HKCR: the
 * user's Classes when it has `subKey`, else the machine's), or `hkey` itself. An error code otherwise.
 */
function rootHandle(
  c: ApiCall,
  hkey: number,
  subKey: string,
  view: RegistryView,
): number | { error: number } {
  const p = predefinedIndex(hkey);
  if (p === undefined) return hkey === 0 ? { error: ERROR_INVALID_HANDLE } : hkey;
  const registry = registryOf(c.kernel);
  let path: string | null;
  if (p === HKEY_CLASSES_ROOT) {
    const user = `${registry.currentUserPath}\\Software\\Classes`;
    const has = registry.openKey(null, subKey === "" ? user : `${user}\\${subKey}`, { view }).key;
    path = has ? user : "\\REGISTRY\\MACHINE\\SOFTWARE\\Classes";
  } else path = registry.predefinedPath(p);
  if (p !== HKEY_LOCAL_MACHINE && p !== HKEY_CURRENT_USER && p !== HKEY_USERS && p !== HKEY_CLASSES_ROOT) {
    if (p !== HKEY_CURRENT_CONFIG) return { error: ERROR_INVALID_HANDLE };
  }
  const h = path === null ? undefined : predefinedHandle(c, path);
  return h === undefined ? { error: ERROR_FILE_NOT_FOUND } : h;
}

/** The key object behind (hkey, subKey)'s root, with the handle's granted access. */
function rootKey(
  c: ApiCall,
  hkey: number,
  subKey: string,
  view: RegistryView,
): { key: KeyObject; access: number } | { error: number } {
  const h = rootHandle(c, hkey, subKey, view);
  if (typeof h !== "number") return h;
  const r = c.kernel.handles.lookup<KeyObject>(h, "Key");
  if (typeof r === "number") return { error: regError(r) };
  return { key: r.object, access: r.entry.access };
}

// ---- OBJECT_ATTRIBUTES and UNICODE_STRING in the caller's layout

/** A UNICODE_STRING at `at` for `len` bytes at `buffer`; returns its size. */
function unicodeString(c: ApiCall, at: number, len: number, buffer: number): number {
  c.mem.w16(at, len);
  c.mem.w16(at + 2, len);
  if (c.ptrSize === 8) {
    c.mem.w32(at + 4, 0);
    c.mem.w64(at + 8, buffer);
    return 0x10;
  }
  c.mem.w32(at + 4, buffer);
  return 8;
}

/** A name as a UNICODE_STRING in scratch at `at` (W: the caller's string; A: converted); returns the end. */
function nameString(c: ApiCall, at: number, argIndex: number, name: string): number {
  const len = name.length * 2;
  const usSize = c.ptrSize === 8 ? 0x10 : 8;
  if (wide(c) && c.arg(argIndex) !== 0) {
    unicodeString(c, at, len, c.arg(argIndex));
    return at + usSize;
  }
  const text = at + usSize;
  c.mem.write(text, utf16(name));
  unicodeString(c, at, len, text);
  return text + ((len + 7) & ~7);
}

/** OBJECT_ATTRIBUTES { root, name } at `at` (x64 0x30 bytes, x86 0x18); returns its size. */
function objectAttributes(c: ApiCall, at: number, root: number, name: number): number {
  const p = c.ptrSize;
  c.mem.write(at, new Uint8Array(6 * p));
  c.mem.w32(at, 6 * p);
  c.writePtr(at + p, root);
  c.writePtr(at + 2 * p, name);
  c.mem.w32(at + 3 * p, 0x40); // OBJ_CASE_INSENSITIVE
  return 6 * p;
}

function handleArg(c: ApiCall, i: number): number {
  return c.sarg(i);
}

// ---- the bridges

/** RegOpenKeyExA/W → NtOpenKeyEx(phkResult, samDesired, {hKey, lpSubKey}, ulOptions & REG_OPTION_OPEN_LINK). */
const regOpenKeyEx: ApiEntry = bridge({
  pre: (c) => {
    const sub = strArg(c, 1) ?? "";
    const options = c.u32(2);
    const sam = c.u32(3);
    const phk = c.arg(4);
    const view = viewFor(c.arch === "x86", sam);
    if (phk === 0 || view === null) return failPre(c, ERROR_INVALID_PARAMETER, 4);
    const root = rootHandle(c, handleArg(c, 0), sub, view);
    if (typeof root !== "number") return failPre(c, root.error, 4);
    const s = scratch(c, 0x80 + sub.length * 2);
    const oa = s;
    const us = s + 0x30;
    nameString(c, us, 1, sub);
    objectAttributes(c, oa, root, us);
    c.nt(0, phk);
    c.nt(1, sam);
    c.nt(2, oa);
    c.nt(3, options & REG_OPTION_OPEN_LINK);
    setPending(c, { buf: 0, size: 0 });
  },
  post: (c, status) => {
    const p = takePending(c);
    if (p.error !== undefined) return p.error;
    return regError(status);
  },
});

/** RegSetValueExA/W → NtSetValueKey(hKey, lpValueName, 0, dwType, lpData, cbData); A converts string data. */
const regSetValueEx: ApiEntry = bridge({
  pre: (c) => {
    const name = strArg(c, 1) ?? "";
    const type = c.u32(3);
    const data = c.arg(4);
    const cb = c.u32(5);
    if (data === 0 && cb !== 0) return failPre(c, ERROR_INVALID_PARAMETER, 6);
    const root = rootHandle(c, handleArg(c, 0), "", c.arch === "x86" ? "32" : "64");
    if (typeof root !== "number") return failPre(c, root.error, 6);
    const converted = !wide(c) && isString(type) && cb > 0;
    const s = scratch(c, 0x40 + name.length * 2 + (converted ? cb * 2 : 0) + 16);
    const end = nameString(c, s, 1, name);
    let dataPtr = data;
    let dataSize = cb;
    if (converted) {
      const w = utf16(decode1252(c.mem.read(data, cb)));
      dataPtr = end;
      dataSize = w.length;
      c.mem.write(dataPtr, w);
    }
    c.nt(0, root);
    c.nt(1, s);
    c.nt(2, 0);
    c.nt(3, type);
    c.nt(4, dataPtr);
    c.nt(5, dataSize);
    setPending(c, { buf: 0, size: 0 });
  },
  post: (c, status) => {
    const p = takePending(c);
    return p.error ?? regError(status);
  },
});

/** RegDeleteValueA/W → NtDeleteValueKey(hKey, lpValueName). */
const regDeleteValue: ApiEntry = bridge({
  pre: (c) => {
    const name = strArg(c, 1) ?? "";
    const root = rootHandle(c, handleArg(c, 0), "", c.arch === "x86" ? "32" : "64");
    if (typeof root !== "number") return failPre(c, root.error, 2);
    const s = scratch(c, 0x40 + name.length * 2);
    nameString(c, s, 1, name);
    c.nt(0, root);
    c.nt(1, s);
    setPending(c, { buf: 0, size: 0 });
  },
  post: (c, status) => takePending(c).error ?? regError(status),
});

/** RegCloseKey → NtClose(hKey); a predefined key is not closed (NtClose of a pseudo-handle succeeds). */
const regCloseKey: ApiEntry = bridge({
  pre: (c) => {
    const h = handleArg(c, 0);
    c.nt(0, predefinedIndex(h) !== undefined ? -1 : h);
  },
  post: (_c, status) => regError(status),
});

/** RegQueryValueExW → NtQueryValueKey(hKey, lpValueName, KeyValuePartialInformation, buffer, 12 + *lpcbData). */
const regQueryValueExW: ApiEntry = bridge({
  pre: (c) => {
    const name = strArg(c, 1) ?? "";
    const lpData = c.arg(4);
    const lpcb = c.arg(5);
    if (lpData !== 0 && lpcb === 0) return failPre(c, ERROR_INVALID_PARAMETER, 6);
    const root = rootHandle(c, handleArg(c, 0), "", c.arch === "x86" ? "32" : "64");
    if (typeof root !== "number") return failPre(c, root.error, 6);
    const cb = lpcb !== 0 && lpData !== 0 ? c.mem.u32(lpcb) : 0;
    const size = 12 + cb;
    const s = scratch(c, 0x40 + name.length * 2 + size + 16);
    const end = nameString(c, s, 1, name);
    const result = end;
    const buf = end + 8;
    c.nt(0, root);
    c.nt(1, s);
    c.nt(2, KeyValuePartialInformation);
    c.nt(3, buf);
    c.nt(4, size);
    c.nt(5, result);
    setPending(c, { buf, size });
  },
  post: (c, status) => {
    const p = takePending(c);
    if (p.error !== undefined) return p.error;
    const st = status >>> 0;
    if (st !== 0 && st !== RS.STATUS_BUFFER_OVERFLOW) return regError(st);
    const type = c.mem.u32(p.buf + 4);
    const len = c.mem.u32(p.buf + 8);
    const lpType = c.arg(3);
    const lpData = c.arg(4);
    const lpcb = c.arg(5);
    if (lpType !== 0) c.mem.w32(lpType, type);
    if (lpcb !== 0) c.mem.w32(lpcb, len);
    if (lpData === 0) return ERROR_SUCCESS;
    if (st === RS.STATUS_BUFFER_OVERFLOW) return ERROR_MORE_DATA;
    c.mem.write(lpData, c.mem.read(p.buf + 12, len));
    return ERROR_SUCCESS;
  },
});

const ENUM_BUFFER = 0x10000;

/** RegEnumKeyExA/W → NtEnumerateKey(hKey, dwIndex, KeyNodeInformation, buffer, 64 KB). */
const regEnumKeyEx: ApiEntry = bridge({
  pre: (c) => {
    if (c.arg(2) === 0 || c.arg(3) === 0) return failPre(c, ERROR_INVALID_PARAMETER, 6);
    const root = rootHandle(c, handleArg(c, 0), "", c.arch === "x86" ? "32" : "64");
    if (typeof root !== "number") return failPre(c, root.error, 6);
    const s = scratch(c, ENUM_BUFFER + 16);
    c.nt(0, root);
    c.nt(1, c.u32(1));
    c.nt(2, KeyNodeInformation);
    c.nt(3, s + 8);
    c.nt(4, ENUM_BUFFER);
    c.nt(5, s);
    setPending(c, { buf: s + 8, size: ENUM_BUFFER });
  },
  post: (c, status) => {
    const p = takePending(c);
    if (p.error !== undefined) return p.error;
    if (status !== 0) return regError(status);
    const m = c.mem;
    const b = p.buf;
    const name = fromUtf16(m.read(b + 24, m.u32(b + 20)));
    const classOff = m.u32(b + 12);
    const className = classOff === 0xffffffff ? "" : fromUtf16(m.read(b + classOff, m.u32(b + 16)));
    const lpName = c.arg(2);
    const lpcch = c.arg(3);
    if (name.length + 1 > m.u32(lpcch)) return ERROR_MORE_DATA;
    writeStr(c, lpName, name);
    m.w32(lpcch, name.length);
    const lpClass = c.arg(5);
    const lpcchClass = c.arg(6);
    if (lpClass !== 0) {
      if (lpcchClass === 0 || className.length + 1 > m.u32(lpcchClass)) return ERROR_MORE_DATA;
      writeStr(c, lpClass, className);
    }
    if (lpcchClass !== 0) m.w32(lpcchClass, className.length);
    const lpft = c.arg(7);
    if (lpft !== 0) m.write(lpft, m.read(b, 8));
    return ERROR_SUCCESS;
  },
});

/** The bytes a reader gets for a value: A functions see string data in Windows-1252. */
function readerData(c: ApiCall, type: number, data: Uint8Array): Uint8Array {
  return !wide(c) && isString(type) ? encode1252(fromUtf16(data)) : data;
}

/** RegEnumValueA/W → NtEnumerateValueKey(hKey, dwIndex, KeyValueFullInformation, buffer, name + data). */
const regEnumValue: ApiEntry = bridge({
  pre: (c) => {
    const lpData = c.arg(6);
    const lpcb = c.arg(7);
    if (c.arg(2) === 0 || c.arg(3) === 0 || (lpData !== 0 && lpcb === 0)) {
      return failPre(c, ERROR_INVALID_PARAMETER, 6);
    }
    const root = rootHandle(c, handleArg(c, 0), "", c.arch === "x86" ? "32" : "64");
    if (typeof root !== "number") return failPre(c, root.error, 6);
    const cb = lpcb !== 0 ? c.mem.u32(lpcb) : 0;
    // The full name (up to 16,383 characters) and twice the data (A functions convert strings).
    const size = 24 + 2 * 16384 + 2 * cb;
    const s = scratch(c, size + 16);
    c.nt(0, root);
    c.nt(1, c.u32(1));
    c.nt(2, KeyValueFullInformation);
    c.nt(3, s + 8);
    c.nt(4, size);
    c.nt(5, s);
    setPending(c, { buf: s + 8, size });
  },
  post: (c, status) => {
    const p = takePending(c);
    if (p.error !== undefined) return p.error;
    const st = status >>> 0;
    if (st !== 0 && st !== RS.STATUS_BUFFER_OVERFLOW) return regError(st);
    const m = c.mem;
    const b = p.buf;
    const type = m.u32(b + 4);
    const dataOff = m.u32(b + 8);
    const dataLen = m.u32(b + 12);
    const name = fromUtf16(m.read(b + 20, m.u32(b + 16)));
    const lpName = c.arg(2);
    const lpcch = c.arg(3);
    if (name.length + 1 > m.u32(lpcch)) return ERROR_MORE_DATA;
    writeStr(c, lpName, name);
    m.w32(lpcch, name.length);
    if (c.arg(5) !== 0) m.w32(c.arg(5), type);
    const lpData = c.arg(6);
    const lpcb = c.arg(7);
    const complete = st === 0;
    // Incomplete data: the converted size is at most the stored size (A) or equal to it (W).
    const data = complete ? readerData(c, type, m.read(b + dataOff, dataLen)) : undefined;
    const need = data?.length ?? (wide(c) || !isString(type) ? dataLen : dataLen / 2);
    if (lpData !== 0) {
      const cb = m.u32(lpcb);
      if (data === undefined || need > cb) {
        m.w32(lpcb, need);
        return ERROR_MORE_DATA;
      }
      m.write(lpData, data);
    }
    if (lpcb !== 0) m.w32(lpcb, need);
    return ERROR_SUCCESS;
  },
});

/** RegQueryInfoKeyA/W → NtQueryKey(hKey, KeyFullInformation, buffer, 64 KB); lengths in characters. */
const regQueryInfoKey: ApiEntry = bridge({
  pre: (c) => {
    if (c.arg(1) !== 0 && c.arg(2) === 0) return failPre(c, ERROR_INVALID_PARAMETER, 5);
    const root = rootHandle(c, handleArg(c, 0), "", c.arch === "x86" ? "32" : "64");
    if (typeof root !== "number") return failPre(c, root.error, 5);
    const s = scratch(c, ENUM_BUFFER + 16);
    c.nt(0, root);
    c.nt(1, KeyFullInformation);
    c.nt(2, s + 8);
    c.nt(3, ENUM_BUFFER);
    c.nt(4, s);
    setPending(c, { buf: s + 8, size: ENUM_BUFFER });
  },
  post: (c, status) => {
    const p = takePending(c);
    if (p.error !== undefined) return p.error;
    if (status !== 0) return regError(status);
    const m = c.mem;
    const b = p.buf;
    const classOff = m.u32(b + 12);
    const className = classOff === 0xffffffff ? "" : fromUtf16(m.read(b + classOff, m.u32(b + 16)));
    const out = (i: number, v: number): void => {
      if (c.arg(i) !== 0) m.w32(c.arg(i), v);
    };
    out(4, m.u32(b + 20));
    out(5, m.u32(b + 24) / 2);
    out(6, m.u32(b + 28) / 2);
    out(7, m.u32(b + 32));
    out(8, m.u32(b + 36) / 2);
    out(9, m.u32(b + 40));
    out(10, 0);
    if (c.arg(11) !== 0) m.write(c.arg(11), m.read(b, 8));
    const lpClass = c.arg(1);
    const lpcch = c.arg(2);
    if (lpClass !== 0) {
      if (className.length + 1 > m.u32(lpcch)) {
        m.w32(lpcch, className.length);
        return ERROR_MORE_DATA;
      }
      writeStr(c, lpClass, className);
    }
    if (lpcch !== 0) m.w32(lpcch, className.length);
    return ERROR_SUCCESS;
  },
});

// ---- the trap-implemented compositions

function grant(access: number): number {
  return mapGenericAccess(access & ~KEY_WOW64_RES, KEY_GENERIC_MAPPING) & KEY_ALL_ACCESS;
}

/**
 * RegCreateKeyExA/W: creates the missing keys along lpSubKey (NtCreateKey creates one level; advapi32
 * loops), opens an existing one; *lpdwDisposition = REG_CREATED_NEW_KEY (1) or REG_OPENED_EXISTING_KEY (2).
 */
function regCreateKeyEx(c: ApiCall): ApiResult {
  const sub = strArg(c, 1);
  const lpClass = strArg(c, 3) ?? "";
  const options = c.u32(4);
  const sam = c.u32(5);
  const phk = c.arg(7);
  const lpDisp = c.arg(8);
  const view = viewFor(c.arch === "x86", sam);
  if (phk === 0 || sub === null || view === null) return ERROR_INVALID_PARAMETER;
  const root = rootKey(c, handleArg(c, 0), sub, view);
  if ("error" in root) return root.error;
  const r = registryOf(c.kernel).createKey(root.key.key, sub.replace(/^\\+/, ""), {
    view,
    createIntermediate: true,
    volatile: (options & REG_OPTION_VOLATILE) !== 0,
    className: lpClass,
  });
  if (!r.key) return regError(r.status);
  saveRegistryOf(c.kernel);
  const h = c.kernel.handles.insert(new KeyObject(r.key, view), grant(sam));
  c.writePtr(phk, h);
  if (lpDisp !== 0) c.mem.w32(lpDisp, r.disposition ?? 0);
  return ERROR_SUCCESS;
}

/** RegDeleteKeyA/W and RegDeleteKeyExA/W: open the subkey (in the view of samDesired), NtDeleteKey, close. */
function regDeleteKey(c: ApiCall, ex: boolean): ApiResult {
  const sub = strArg(c, 1);
  const view = viewFor(c.arch === "x86", ex ? c.u32(2) : 0);
  if (sub === null || view === null) return ERROR_INVALID_PARAMETER;
  const root = rootKey(c, handleArg(c, 0), sub, view);
  if ("error" in root) return root.error;
  const registry = registryOf(c.kernel);
  const r = registry.openKey(root.key.key, sub, { view });
  if (!r.key) return regError(r.status);
  const s = registry.deleteKey(r.key);
  if (s === 0) saveRegistryOf(c.kernel);
  return regError(s);
}

const RRF_TYPE_BITS: Record<number, number> = {
  [REG_NONE]: 0x1,
  [REG_SZ]: 0x2,
  [REG_EXPAND_SZ]: 0x4,
  [REG_BINARY]: 0x8,
  [REG_DWORD]: 0x10,
  [REG_MULTI_SZ]: 0x20,
  [REG_QWORD]: 0x40,
};

/**
 * RegGetValueA/W: open lpSubKey (when given), query lpValue, check the type against the RRF_RT_* flags
 * (ERROR_UNSUPPORTED_TYPE), NUL-terminate strings. REG_EXPAND_SZ expansion (without RRF_NOEXPAND) is not
 * implemented and stops, naming the API.
 */
function regGetValue(c: ApiCall): ApiResult {
  const sub = strArg(c, 1) ?? "";
  const valueName = strArg(c, 2) ?? "";
  const flags = c.u32(3);
  const pType = c.arg(4);
  const pvData = c.arg(5);
  const pcb = c.arg(6);
  if ((pvData !== 0 && pcb === 0) || (flags & RRF_RT_ANY) === 0) return ERROR_INVALID_PARAMETER;
  // "RRF_RT_REG_EXPAND_SZ … must be combined with RRF_NOEXPAND".
  if ((flags & RRF_RT_ANY) !== RRF_RT_ANY && flags & 0x4 && !(flags & RRF_NOEXPAND)) {
    return ERROR_INVALID_PARAMETER;
  }
  const sam =
    (flags & RRF_SUBKEY_WOW6464KEY ? KEY_WOW64_64KEY : 0) |
    (flags & RRF_SUBKEY_WOW6432KEY ? KEY_WOW64_32KEY : 0);
  const view = viewFor(c.arch === "x86", sam);
  if (view === null) return ERROR_INVALID_PARAMETER;
  const root = rootKey(c, handleArg(c, 0), sub, view);
  if ("error" in root) return root.error;
  const registry = registryOf(c.kernel);
  let key = root.key.key;
  if (sub !== "") {
    const r = registry.openKey(key, sub, { view });
    if (!r.key) return regError(r.status);
    key = r.key;
  } else if ((root.access & KEY_QUERY_VALUE) === 0) return ERROR_ACCESS_DENIED;
  const v = registry.queryValue(key, valueName);
  const zero = (): void => {
    if (flags & RRF_ZEROONFAILURE && pvData !== 0 && pcb !== 0) {
      c.mem.write(pvData, new Uint8Array(c.mem.u32(pcb)));
    }
  };
  if (!v.value) {
    zero();
    return regError(v.status);
  }
  const type = v.value.type;
  if (type === REG_EXPAND_SZ && !(flags & RRF_NOEXPAND)) {
    return unimplemented(c.entry.name, "REG_EXPAND_SZ expansion (pass RRF_NOEXPAND)");
  }
  const bit = RRF_TYPE_BITS[type] ?? 0;
  if ((flags & RRF_RT_ANY) !== RRF_RT_ANY && (flags & bit) === 0) {
    zero();
    return ERROR_UNSUPPORTED_TYPE;
  }
  let raw = v.value.data;
  if (isString(type)) {
    // "the string is null-terminated" even when stored without its terminator.
    let s = fromUtf16(raw);
    if (type === REG_MULTI_SZ) {
      if (!s.endsWith("\0\0")) s += s.endsWith("\0") ? "\0" : "\0\0";
    } else if (!s.endsWith("\0")) s += "\0";
    raw = utf16(s);
  }
  const data = readerData(c, type, raw);
  if (pType !== 0) c.mem.w32(pType, type);
  if (pvData !== 0) {
    if (data.length > c.mem.u32(pcb)) {
      zero();
      c.mem.w32(pcb, data.length);
      return ERROR_MORE_DATA;
    }
    c.mem.write(pvData, data);
  }
  if (pcb !== 0) c.mem.w32(pcb, data.length);
  return ERROR_SUCCESS;
}

/** RegQueryValueExA: the value through the registry, string data converted to Windows-1252. */
function regQueryValueExA(c: ApiCall): ApiResult {
  const name = strArg(c, 1) ?? "";
  const lpType = c.arg(3);
  const lpData = c.arg(4);
  const lpcb = c.arg(5);
  if (lpData !== 0 && lpcb === 0) return ERROR_INVALID_PARAMETER;
  const root = rootKey(c, handleArg(c, 0), "", c.arch === "x86" ? "32" : "64");
  if ("error" in root) return root.error;
  if ((root.access & KEY_QUERY_VALUE) === 0) return ERROR_ACCESS_DENIED;
  const v = registryOf(c.kernel).queryValue(root.key.key, name);
  if (!v.value) return regError(v.status);
  const data = readerData(c, v.value.type, v.value.data);
  if (lpType !== 0) c.mem.w32(lpType, v.value.type);
  if (lpData !== 0) {
    const cb = c.mem.u32(lpcb);
    c.mem.w32(lpcb, data.length);
    if (data.length > cb) return ERROR_MORE_DATA;
    c.mem.write(lpData, data);
    return ERROR_SUCCESS;
  }
  if (lpcb !== 0) c.mem.w32(lpcb, data.length);
  return ERROR_SUCCESS;
}

export const registryApis: ApiFamily = {
  RegCloseKey: regCloseKey,
  RegOpenKeyExA: regOpenKeyEx,
  RegOpenKeyExW: regOpenKeyEx,
  RegCreateKeyExA: api(regCreateKeyEx),
  RegCreateKeyExW: api(regCreateKeyEx),
  RegQueryValueExA: api(regQueryValueExA),
  RegQueryValueExW: regQueryValueExW,
  RegSetValueExA: regSetValueEx,
  RegSetValueExW: regSetValueEx,
  RegDeleteKeyA: api((c) => regDeleteKey(c, false)),
  RegDeleteKeyW: api((c) => regDeleteKey(c, false)),
  RegDeleteKeyExA: api((c) => regDeleteKey(c, true)),
  RegDeleteKeyExW: api((c) => regDeleteKey(c, true)),
  RegDeleteValueA: regDeleteValue,
  RegDeleteValueW: regDeleteValue,
  RegEnumKeyExA: regEnumKeyEx,
  RegEnumKeyExW: regEnumKeyEx,
  RegEnumValueA: regEnumValue,
  RegEnumValueW: regEnumValue,
  RegQueryInfoKeyA: regQueryInfoKey,
  RegQueryInfoKeyW: regQueryInfoKey,
  RegGetValueA: api(regGetValue),
  RegGetValueW: api(regGetValue),
};
