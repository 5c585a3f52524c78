/**
 * The in-memory registry: the `\REGISTRY` object namespace with its hives, the operations behind the NT
 * key services (NtCreateKey, NtOpenKey(Ex), NtDeleteKey, NtQueryKey, NtEnumerateKey, NtSetValueKey,
 * NtQueryValueKey, NtDeleteValueKey, NtEnumerateValueKey, NtFlushKey, NtRenameKey) with their NTSTATUS
 * results, WOW64 redirection (./wow64.ts) and the HKEY_CLASSES_ROOT merged view for advapi32.
 *
 * Handles are the kernel's business: it wraps a `RegKey` in a key object and passes it back here. A call
 * that names a key takes the view its caller sees (`viewFor(callerIs32, DesiredAccess)`).
 *
 * Statuses follow the ZwXxxKey reference pages (learn.microsoft.com, windows-hardware/drivers/ddi/wdm) and
 * the configuration manager's behaviour as ReactOS (ntoskrnl/config) and Wine's server (registry.c)
 * reproduce it:
 * - a missing key anywhere on the path: STATUS_OBJECT_NAME_NOT_FOUND (NtCreateKey creates the last
 *   component only; RegCreateKeyEx's creation of intermediate keys is `createIntermediate`);
 * - an absolute name with a root key, or a relative one without: STATUS_OBJECT_PATH_SYNTAX_BAD; an empty
 *   path component: STATUS_OBJECT_NAME_INVALID; a component over 255 characters or a value name over
 *   16,383: STATUS_INVALID_PARAMETER;
 * - NtCreateKey on an existing key opens it (REG_OPENED_EXISTING_KEY) except with REG_OPTION_CREATE_LINK:
 *   STATUS_OBJECT_NAME_COLLISION; a non-volatile key under a volatile one: STATUS_CHILD_MUST_BE_VOLATILE;
 * - NtDeleteKey of a key with subkeys: STATUS_CANNOT_DELETE (RegDeleteTree is `deleteTree`); any use of a
 *   deleted key: STATUS_KEY_DELETED; enumeration past the end: STATUS_NO_MORE_ENTRIES.
 */
import {
  DEFAULT_MAX_VALUE_DATA,
  HKEY_CLASSES_ROOT,
  HKEY_CURRENT_CONFIG,
  HKEY_CURRENT_USER,
  HKEY_LOCAL_MACHINE,
  HKEY_USERS,
  MAX_KEY_NAME_CHARS,
  MAX_TREE_DEPTH,
  MAX_VALUE_NAME_CHARS,
  REG_CREATED_NEW_KEY,
  REG_LINK,
  REG_OPENED_EXISTING_KEY,
  SYMBOLIC_LINK_VALUE,
  WOW6432NODE,
} from "./constants";
import { RegKey, RegValue, upcase } from "./key";
import {
  STATUS_ACCESS_DENIED,
  STATUS_CANNOT_DELETE,
  STATUS_CHILD_MUST_BE_VOLATILE,
  STATUS_INSUFFICIENT_RESOURCES,
  STATUS_INVALID_PARAMETER,
  STATUS_KEY_DELETED,
  STATUS_NAME_TOO_LONG,
  STATUS_NO_MORE_ENTRIES,
  STATUS_OBJECT_NAME_COLLISION,
  STATUS_OBJECT_NAME_INVALID,
  STATUS_OBJECT_NAME_NOT_FOUND,
  STATUS_OBJECT_PATH_SYNTAX_BAD,
  STATUS_SUCCESS,
} from "./status";
import { redirect32, type RegistryView } from "./wow64";

/** A FILETIME source (100 ns since 1601, UTC); the kernel passes its virtual clock. */
export type RegistryClock = () => bigint;

/** The interactive user's SID by default (HKCU = \REGISTRY\USER\<sid>). */
export const DEFAULT_USER_SID = "S-1-5-21-3623811015-3361044348-30300820-1001";

export interface RegistryOptions {
  clock?: RegistryClock;
  /** The interactive user's SID (default `DEFAULT_USER_SID`). */
  userSid?: string;
  /** Largest value data accepted, in bytes (default 64 MB); beyond it STATUS_INSUFFICIENT_RESOURCES. */
  maxValueData?: number;
}

export interface OpenOptions {
  /** The view the caller sees (default "64": the physical registry). */
  view?: RegistryView;
  /** REG_OPTION_OPEN_LINK / OBJ_OPENLINK: open a final symbolic-link key itself. */
  openLink?: boolean;
}

export interface CreateOptions extends OpenOptions {
  /** REG_OPTION_VOLATILE. */
  volatile?: boolean;
  /** REG_OPTION_CREATE_LINK: create a symbolic-link key (then set its SymbolicLinkValue, REG_LINK). */
  createLink?: boolean;
  /** The key's class (NtCreateKey Class). */
  className?: string;
  /** Create missing intermediate keys as RegCreateKeyEx does (NtCreateKey creates the last one only). */
  createIntermediate?: boolean;
}

export interface KeyResult {
  status: number;
  key?: RegKey;
  /** NtCreateKey's Disposition: REG_CREATED_NEW_KEY or REG_OPENED_EXISTING_KEY. */
  disposition?: number;
}

export interface ValueResult {
  status: number;
  value?: RegValue;
}

/** What NtQueryKey reports about a key (KEY_FULL_INFORMATION; lengths in bytes). */
export interface KeyInfo {
  name: string;
  className: string;
  lastWriteTime: bigint;
  subKeys: number;
  maxNameLen: number;
  maxClassLen: number;
  values: number;
  maxValueNameLen: number;
  maxValueDataLen: number;
}

const MAX_LINK_HOPS = 16;

export class Registry {
  /** `\REGISTRY`, the root of the namespace. */
  readonly root: RegKey;
  readonly machine: RegKey;
  readonly users: RegKey;
  readonly userSid: string;
  private readonly clock: RegistryClock;
  private readonly maxValueData: number;

  constructor(options: RegistryOptions = {}) {
    this.clock = options.clock ?? (() => 0n);
    this.userSid = options.userSid ?? DEFAULT_USER_SID;
    this.maxValueData = options.maxValueData ?? DEFAULT_MAX_VALUE_DATA;
    const now = this.clock();
    this.root = new RegKey("REGISTRY", null, now);
    this.machine = new RegKey("MACHINE", this.root, now);
    this.users = new RegKey("USER", this.root, now);
    this.root.addChild(this.machine);
    this.root.addChild(this.users);
  }

  now(): bigint {
    return this.clock();
  }

  /** HKCU's NT path. */
  get currentUserPath(): string {
    return `\\REGISTRY\\USER\\${this.userSid}`;
  }

  /**
   * The NT path advapi32 opens for a predefined handle (HKCR: HKLM\Software\Classes, the merged view is
   * `openClasses`/`enumerateClasses`), or null.
   */
  predefinedPath(hkey: number): string | null {
    switch (hkey >>> 0) {
      case HKEY_LOCAL_MACHINE:
        return "\\REGISTRY\\MACHINE";
      case HKEY_USERS:
        return "\\REGISTRY\\USER";
      case HKEY_CURRENT_USER:
        return this.currentUserPath;
      case HKEY_CLASSES_ROOT:
        return "\\REGISTRY\\MACHINE\\SOFTWARE\\Classes";
      case HKEY_CURRENT_CONFIG:
        return "\\REGISTRY\\MACHINE\\SYSTEM\\CurrentControlSet\\Hardware Profiles\\Current";
      default:
        return null;
    }
  }

  // ---- keys ----

  /** NtOpenKey(Ex): `name` absolute (`\REGISTRY\...`) when `parent` is null, else relative to it. */
  openKey(parent: RegKey | null, name: string, options: OpenOptions = {}): KeyResult {
    const p = this.physical(parent, name, options.view ?? "64");
    if (typeof p === "number") return { status: p };
    return this.walk(p, options.openLink ?? false, null);
  }

  /** NtCreateKey (and RegCreateKeyEx with `createIntermediate`). */
  createKey(parent: RegKey | null, name: string, options: CreateOptions = {}): KeyResult {
    const p = this.physical(parent, name, options.view ?? "64");
    if (typeof p === "number") return { status: p };
    if (p.length - 1 > MAX_TREE_DEPTH) return { status: STATUS_INVALID_PARAMETER };
    for (const c of p) if (c.length > MAX_KEY_NAME_CHARS) return { status: STATUS_INVALID_PARAMETER };
    return this.walk(p, options.openLink ?? options.createLink ?? false, options);
  }

  /** NtDeleteKey: the key must have no subkeys. */
  deleteKey(key: RegKey): number {
    if (key.deleted) return STATUS_KEY_DELETED;
    // \REGISTRY, MACHINE, USER and the hive roots below them (HKLM\SOFTWARE, HKU\<SID>, …).
    if (!key.parent || key.depth <= 2) return STATUS_CANNOT_DELETE;
    if (key.subkeyCount > 0) return STATUS_CANNOT_DELETE;
    key.parent.removeChild(key);
    key.parent.lastWriteTime = this.clock();
    key.deleted = true;
    return STATUS_SUCCESS;
  }

  /**
   * RegDeleteTree: delete the subkeys and values of `key` (`subKey` given: that subkey and everything below
   * it). Deepest keys go first.
   */
  deleteTree(key: RegKey, subKey?: string, options: OpenOptions = {}): number {
    if (key.deleted) return STATUS_KEY_DELETED;
    let target = key;
    if (subKey !== undefined && subKey !== "") {
      const r = this.openKey(key, subKey, { ...options, openLink: true });
      if (!r.key) return r.status;
      target = r.key;
    }
    const removeBelow = (k: RegKey): number => {
      for (const c of [...k.subkeys()]) {
        if (!c.isLink) {
          const s = removeBelow(c);
          if (s !== STATUS_SUCCESS) return s;
        }
        const s = this.deleteKey(c);
        if (s !== STATUS_SUCCESS) return s;
      }
      return STATUS_SUCCESS;
    };
    const s = removeBelow(target);
    if (s !== STATUS_SUCCESS) return s;
    if (target !== key) return this.deleteKey(target);
    for (const v of [...key.values()]) key.removeValue(v.name);
    key.lastWriteTime = this.clock();
    return STATUS_SUCCESS;
  }

  /** NtRenameKey: a sibling of that name already existing is STATUS_OBJECT_NAME_COLLISION. */
  renameKey(key: RegKey, newName: string): number {
    if (key.deleted) return STATUS_KEY_DELETED;
    if (!key.parent || key.parent === this.root) return STATUS_ACCESS_DENIED;
    if (newName === "" || newName.includes("\\")) return STATUS_OBJECT_NAME_INVALID;
    if (newName.length > MAX_KEY_NAME_CHARS) return STATUS_INVALID_PARAMETER;
    const other = key.parent.child(newName);
    if (other && other !== key) return STATUS_OBJECT_NAME_COLLISION;
    key.parent.renameChild(key, newName);
    key.parent.lastWriteTime = key.lastWriteTime = this.clock();
    return STATUS_SUCCESS;
  }

  /** NtFlushKey: the in-memory registry is always consistent; persistence saves on its own schedule. */
  flushKey(key: RegKey): number {
    return key.deleted ? STATUS_KEY_DELETED : STATUS_SUCCESS;
  }

  /**
   * The subkeys a view enumerates: in the 32-bit view Wow6432Node keys are hidden (32-bit Windows has
   * none; the 32-bit view of HKLM\Software is Wow6432Node itself).
   */
  subkeysInView(key: RegKey, view: RegistryView = "64"): readonly RegKey[] {
    const all = key.subkeys();
    if (view === "64") return all;
    const wow = upcase(WOW6432NODE);
    return all.filter((k) => upcase(k.name) !== wow);
  }

  /** NtEnumerateKey: the `index`th subkey in enumeration order (./key.ts). */
  enumerateKey(key: RegKey, index: number, view: RegistryView = "64"): KeyResult {
    if (key.deleted) return { status: STATUS_KEY_DELETED };
    const list = this.subkeysInView(key, view);
    if (index < 0 || index >= list.length) return { status: STATUS_NO_MORE_ENTRIES };
    return { status: STATUS_SUCCESS, key: list[index] };
  }

  /** NtQueryKey's numbers (KEY_FULL_INFORMATION): counts and the longest names/data, in bytes. */
  keyInfo(key: RegKey, view: RegistryView = "64"): KeyInfo {
    const subs = this.subkeysInView(key, view);
    let maxNameLen = 0;
    let maxClassLen = 0;
    for (const s of subs) {
      maxNameLen = Math.max(maxNameLen, s.name.length * 2);
      maxClassLen = Math.max(maxClassLen, s.className.length * 2);
    }
    let maxValueNameLen = 0;
    let maxValueDataLen = 0;
    for (const v of key.values()) {
      maxValueNameLen = Math.max(maxValueNameLen, v.name.length * 2);
      maxValueDataLen = Math.max(maxValueDataLen, v.data.length);
    }
    return {
      name: key.name,
      className: key.className,
      lastWriteTime: key.lastWriteTime,
      subKeys: subs.length,
      maxNameLen,
      maxClassLen,
      values: key.values().length,
      maxValueNameLen,
      maxValueDataLen,
    };
  }

  /** What the structure encoders (./info.ts) need for a key: its `keyInfo` and full path. */
  keySource(key: RegKey, view: RegistryView = "64"): KeyInfo & { path: string } {
    return { ...this.keyInfo(key, view), path: key.path };
  }

  // ---- values ----

  /** NtSetValueKey: the data is stored as given, whatever the type says. */
  setValue(key: RegKey, name: string, type: number, data: Uint8Array): number {
    if (key.deleted) return STATUS_KEY_DELETED;
    if (name.length > MAX_VALUE_NAME_CHARS) return STATUS_INVALID_PARAMETER;
    if (data.length > this.maxValueData) return STATUS_INSUFFICIENT_RESOURCES;
    // A link key holds only its SymbolicLinkValue (REG_LINK) (ReactOS CmSetValueKey).
    if (key.isLink && (type !== REG_LINK || upcase(name) !== upcase(SYMBOLIC_LINK_VALUE))) {
      return STATUS_ACCESS_DENIED;
    }
    key.putValue(name, type >>> 0, data.slice());
    key.lastWriteTime = this.clock();
    return STATUS_SUCCESS;
  }

  /** NtQueryValueKey: a missing value is STATUS_OBJECT_NAME_NOT_FOUND. */
  queryValue(key: RegKey, name: string): ValueResult {
    if (key.deleted) return { status: STATUS_KEY_DELETED };
    const value = key.value(name);
    return value ? { status: STATUS_SUCCESS, value } : { status: STATUS_OBJECT_NAME_NOT_FOUND };
  }

  /** NtDeleteValueKey. */
  deleteValue(key: RegKey, name: string): number {
    if (key.deleted) return STATUS_KEY_DELETED;
    if (!key.removeValue(name)) return STATUS_OBJECT_NAME_NOT_FOUND;
    key.lastWriteTime = this.clock();
    return STATUS_SUCCESS;
  }

  /** NtEnumerateValueKey: values in creation order. */
  enumerateValue(key: RegKey, index: number): ValueResult {
    if (key.deleted) return { status: STATUS_KEY_DELETED };
    const list = key.values();
    if (index < 0 || index >= list.length) return { status: STATUS_NO_MORE_ENTRIES };
    return { status: STATUS_SUCCESS, value: list[index] };
  }

  // ---- HKEY_CLASSES_ROOT ----

  /**
   * The merged view ("HKEY_CLASSES_ROOT Key", learn.microsoft.com/en-us/windows/win32/sysinfo/
   * hkey-classes-root-key): "The user-specific settings have priority over the default settings", so a
   * path is looked up under HKCU\Software\Classes first, then HKLM\Software\Classes.
   */
  openClasses(path: string, options: OpenOptions = {}): KeyResult {
    const user = this.openKey(null, this.classesPath("user", path), options);
    if (user.key) return user;
    return this.openKey(null, this.classesPath("machine", path), options);
  }

  /**
   * Where a write through HKCR goes: "If you write keys to a key under HKEY_CLASSES_ROOT, the system stores
   * the information under HKEY_LOCAL_MACHINE\Software\Classes. If you write values to a key under
   * HKEY_CLASSES_ROOT, and the key already exists under HKEY_CURRENT_USER\Software\Classes, the system will
   * store the information there instead".
   */
  createClasses(path: string, options: CreateOptions = {}): KeyResult {
    const user = this.openKey(null, this.classesPath("user", path), options);
    if (user.key) return { ...user, disposition: REG_OPENED_EXISTING_KEY };
    return this.createKey(null, this.classesPath("machine", path), { createIntermediate: true, ...options });
  }

  /** The merged subkey names of an HKCR path (union, user's spelling first, sorted as Windows sorts). */
  enumerateClasses(path: string, options: OpenOptions = {}): string[] {
    const view = options.view ?? "64";
    const names = new Map<string, string>();
    for (const side of ["user", "machine"] as const) {
      const r = this.openKey(null, this.classesPath(side, path), options);
      if (!r.key) continue;
      for (const k of this.subkeysInView(r.key, view)) {
        const u = upcase(k.name);
        if (!names.has(u)) names.set(u, k.name);
      }
    }
    return [...names.entries()].sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0)).map((e) => e[1]);
  }

  private classesPath(side: "user" | "machine", path: string): string {
    const base =
      side === "user"
        ? `${this.currentUserPath}\\Software\\Classes`
        : "\\REGISTRY\\MACHINE\\SOFTWARE\\Classes";
    return path === "" ? base : `${base}\\${path}`;
  }

  // ---- symbolic links ----

  /** A link key's target path (its SymbolicLinkValue as UTF-16LE), or null. */
  linkTarget(key: RegKey): string | null {
    const v = key.value(SYMBOLIC_LINK_VALUE);
    if (!v || v.type !== REG_LINK) return null;
    let s = "";
    for (let i = 0; i + 1 < v.data.length; i += 2) s += String.fromCharCode(v.data[i] | (v.data[i + 1] << 8));
    return s;
  }

  /** Create (or replace) a link key at `path` pointing at `target` (both absolute NT paths). */
  createLink(path: string, target: string, options: CreateOptions = {}): KeyResult {
    const r = this.createKey(null, path, { ...options, createLink: true });
    if (!r.key) return r;
    const s = this.setValue(r.key, SYMBOLIC_LINK_VALUE, REG_LINK, utf16le(target));
    return s === STATUS_SUCCESS ? r : { status: s };
  }

  // ---- path resolution ----

  /** The physical components a (parent, name) pair names in a view, or a status. */
  private physical(parent: RegKey | null, name: string, view: RegistryView): readonly string[] | number {
    if (parent?.deleted) return STATUS_KEY_DELETED;
    let rel = name;
    let comps: string[];
    if (parent) {
      if (rel.startsWith("\\")) return STATUS_OBJECT_PATH_SYNTAX_BAD;
      comps = parent.components();
    } else {
      if (!rel.startsWith("\\")) return STATUS_OBJECT_PATH_SYNTAX_BAD;
      rel = rel.slice(1);
      comps = [];
    }
    if (rel.endsWith("\\")) rel = rel.slice(0, -1);
    if (rel !== "") {
      for (const c of rel.split("\\")) {
        if (c === "") return STATUS_OBJECT_NAME_INVALID;
        comps.push(c);
      }
    }
    if (comps.length === 0) return STATUS_OBJECT_NAME_INVALID;
    return view === "32" ? redirect32(comps) : comps;
  }

  /** Walk physical components from `\REGISTRY`, following links, creating the last (or all) when asked. */
  private walk(components: readonly string[], openLink: boolean, create: CreateOptions | null): KeyResult {
    let comps = components;
    if (upcase(comps[0]) !== "REGISTRY") return { status: STATUS_OBJECT_NAME_NOT_FOUND };
    let cur = this.root;
    let i = 1;
    let hops = 0;
    let created = false;
    for (;;) {
      if (cur.isLink && (i < comps.length || !openLink)) {
        const target = this.linkTarget(cur);
        if (!target || ++hops > MAX_LINK_HOPS) return { status: STATUS_OBJECT_NAME_NOT_FOUND };
        const t = target.split("\\").filter((c) => c !== "");
        if (t.length === 0) return { status: STATUS_OBJECT_NAME_NOT_FOUND };
        comps = [...t, ...comps.slice(i)];
        if (upcase(comps[0]) !== "REGISTRY") return { status: STATUS_OBJECT_NAME_NOT_FOUND };
        cur = this.root;
        i = 1;
        continue;
      }
      if (i >= comps.length) break;
      const name = comps[i];
      let next = cur.child(name);
      if (!next) {
        const last = i === comps.length - 1;
        if (!create || (!last && !create.createIntermediate)) return { status: STATUS_OBJECT_NAME_NOT_FOUND };
        if (cur === this.root) return { status: STATUS_ACCESS_DENIED };
        if (cur.volatile && !create.volatile) return { status: STATUS_CHILD_MUST_BE_VOLATILE };
        if (name.length > MAX_KEY_NAME_CHARS) return { status: STATUS_NAME_TOO_LONG };
        const now = this.clock();
        next = new RegKey(
          name,
          cur,
          now,
          create.volatile ?? false,
          last && (create.createLink ?? false),
          last ? (create.className ?? "") : "",
        );
        cur.addChild(next);
        cur.lastWriteTime = now;
        if (last) created = true;
      } else if (create?.createLink && i === comps.length - 1) {
        return { status: STATUS_OBJECT_NAME_COLLISION };
      }
      cur = next;
      i++;
    }
    if (!create) return { status: STATUS_SUCCESS, key: cur };
    return {
      status: STATUS_SUCCESS,
      key: cur,
      disposition: created ? REG_CREATED_NEW_KEY : REG_OPENED_EXISTING_KEY,
    };
  }
}

/** UTF-16LE bytes of a string, without a terminator. */
export function utf16le(s: string): Uint8Array {
  const out = new Uint8Array(s.length * 2);
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    out[i * 2] = c & 0xff;
    out[i * 2 + 1] = c >> 8;
  }
  return out;
}

/** REG_SZ / REG_EXPAND_SZ data: UTF-16LE with the terminating NUL, as RegSetValueEx callers pass it. */
export function regSz(s: string): Uint8Array {
  return utf16le(s + "\0");
}

/** REG_MULTI_SZ data: each string NUL-terminated, then a final NUL. */
export function regMultiSz(list: readonly string[]): Uint8Array {
  return utf16le(list.map((s) => s + "\0").join("") + "\0");
}

/** REG_DWORD data (little-endian). */
export function regDword(n: number): Uint8Array {
  const b = new Uint8Array(4);
  new DataView(b.buffer).setUint32(0, n >>> 0, true);
  return b;
}

/** REG_QWORD data (little-endian). */
export function regQword(n: bigint): Uint8Array {
  const b = new Uint8Array(8);
  new DataView(b.buffer).setBigUint64(0, BigInt.asUintN(64, n), true);
  return b;
}

/** Decode UTF-16LE data, stopping at the first NUL (REG_SZ as readers see it). */
export function readSz(data: Uint8Array): string {
  let s = "";
  for (let i = 0; i + 1 < data.length; i += 2) {
    const c = data[i] | (data[i + 1] << 8);
    if (c === 0) break;
    s += String.fromCharCode(c);
  }
  return s;
}
