/**
 * Registry key services over the process's `Registry` (../registry): NtCreateKey, NtOpenKey, NtOpenKeyEx,
 * NtQueryValueKey, NtSetValueKey, NtDeleteKey, NtDeleteValueKey, NtEnumerateKey, NtEnumerateValueKey,
 * NtQueryKey, NtFlushKey. A key handle refers to a `KeyObject` holding the `RegKey` and the view it was
 * opened in.
 *
 * The view a call sees is `viewFor(callerMode === "x86", DesiredAccess)` ("Accessing an Alternate Registry
 * View", learn.microsoft.com/en-us/windows/win32/winprog64/accessing-an-alternate-registry-view): a call
 * through the WOW64 layer is 32-bit, KEY_WOW64_64KEY / KEY_WOW64_32KEY select the other view, both at once
 * are STATUS_INVALID_PARAMETER. Enumeration and NtQueryKey use the view the handle was opened in (the
 * 32-bit view hides Wow6432Node).
 *
 * Prototypes and statuses: the ZwXxxKey reference pages (learn.microsoft.com/windows-hardware/drivers/ddi/
 * wdm/nf-wdm-zwcreatekey, …); the handle's granted access is checked as the configuration manager does
 * (KEY_QUERY_VALUE for NtQueryValueKey/NtEnumerateValueKey/NtQueryKey, KEY_SET_VALUE for
 * NtSetValueKey/NtDeleteValueKey, KEY_ENUMERATE_SUB_KEYS for NtEnumerateKey, DELETE for NtDeleteKey),
 * STATUS_ACCESS_DENIED otherwise. Security descriptors are not modelled: the process is treated as
 * elevated (HKLM is writable).
 *
 * The registry of a kernel is `KernelOptions.registry`, else `KernelProcess.registry` (Process.create's
 * `registry` option) — an instance, or a file in the sandbox to load and save — else a fresh
 * `createDefaultRegistry()`; with a file, every successful change is saved at once.
 */
import {
  createDefaultRegistry,
  encodeKeyInformation,
  encodeValueInformation,
  KEY_ALL_ACCESS,
  KEY_ENUMERATE_SUB_KEYS,
  KEY_GENERIC_MAPPING,
  KEY_QUERY_VALUE,
  KEY_SET_VALUE,
  KEY_WOW64_RES,
  KeyNameInformation,
  openRegistryFile,
  REG_OPTION_CREATE_LINK,
  REG_OPTION_OPEN_LINK,
  REG_OPTION_VOLATILE,
  saveRegistry,
  viewFor,
  type RegKey,
  Registry,
  type RegistryFileHost,
  type RegistryView,
} from "../registry";
import { STATUS_KEY_DELETED } from "../registry/status";
import type { SyscallContext, SyscallFamily } from "./context";
import { DELETE, KernelObject, mapGenericAccess } from "./handles";
import type { Kernel } from "./kernel";
import {
  STATUS_ACCESS_DENIED,
  STATUS_BUFFER_TOO_SMALL,
  STATUS_INVALID_PARAMETER,
  STATUS_SUCCESS,
  ntSuccess,
} from "./status";

/** OBJECT_ATTRIBUTES.Attributes: OBJ_INHERIT, OBJ_OPENLINK. */
const OBJ_INHERIT = 0x2;
const OBJ_OPENLINK = 0x100;
/** sizeof(OBJECT_ATTRIBUTES) on x64. */
const OA64_SIZE = 0x30;

/** Where a kernel's registry comes from. */
export type RegistrySource =
  | Registry
  /** A registry file in the sandbox (JSON, or .reg by extension; ../registry/persist.ts): loaded when it exists, saved after every change. */
  | { readonly host: RegistryFileHost; readonly path: string };

export class KeyObject extends KernelObject {
  readonly type = "Key";
  constructor(
    readonly key: RegKey,
    /** The view the key was opened in (enumeration hides Wow6432Node in the 32-bit view). */
    readonly view: RegistryView,
  ) {
    super();
  }
}

interface RegistryState {
  readonly registry: Registry;
  readonly file: { readonly host: RegistryFileHost; readonly path: string } | undefined;
}

const states = new WeakMap<Kernel, RegistryState>();

function isRegistry(s: RegistrySource): s is Registry {
  return "root" in s;
}

function state(k: Kernel): RegistryState {
  let s = states.get(k);
  if (s === undefined) {
    const src = k.options.registry ?? k.process.registry;
    const clock = (): bigint => k.clock.systemTime();
    if (src !== undefined && isRegistry(src)) s = { registry: src, file: undefined };
    else {
      // A registry saved by us is complete (the default hive included) and is loaded into an empty one; a
      // user's partial .reg file is imported over the default hive (persist.ts, openRegistryFile).
      const registry =
        src === undefined
          ? createDefaultRegistry({ clock })
          : openRegistryFile(
              src.host,
              src.path,
              () => new Registry({ clock }),
              () => createDefaultRegistry({ clock }),
            );
      s = { registry, file: src };
    }
    states.set(k, s);
  }
  return s;
}

/** The registry of the kernel's process (created on first use). */
export function registryOf(k: Kernel): Registry {
  return state(k).registry;
}

/** Save the registry to its file, if it has one (done after every change; exposed for an orderly exit). */
export function saveRegistryOf(k: Kernel): void {
  const s = state(k);
  if (s.file !== undefined) saveRegistry(s.registry, s.file.host, s.file.path);
}

function changed(c: SyscallContext, status: number): number {
  if (ntSuccess(status)) saveRegistryOf(c.kernel);
  return status;
}

/** A key handle with `need` among its granted rights: the entry's object, or a status. */
function keyHandle(c: SyscallContext, i: number, need: number): KeyObject | number {
  const r = c.kernel.handles.lookup<KeyObject>(c.handle(i), "Key");
  if (typeof r === "number") return r;
  if (need !== 0 && (r.entry.access & need) !== need) return STATUS_ACCESS_DENIED;
  return r.object;
}

/** A PUNICODE_STRING argument (x64 layout) as a string; NULL is the empty name. */
function unicodeArg(c: SyscallContext, p: number): string {
  if (p === 0) return "";
  c.mem.probeRead(p, 0x10);
  return c.mem.countedString(p, 8);
}

interface Captured {
  readonly root: KeyObject | null;
  readonly name: string;
  readonly attributes: number;
}

/** Captures OBJECT_ATTRIBUTES (x64): the root key (a key handle or none), the name, the attributes. */
function captureKeyAttributes(c: SyscallContext, oa: number): Captured | number {
  c.mem.probeRead(oa, OA64_SIZE);
  if (c.mem.u32(oa) !== OA64_SIZE) return STATUS_INVALID_PARAMETER;
  const rootHandle = c.mem.i64(oa + 8);
  let root: KeyObject | null = null;
  if (rootHandle !== 0) {
    const r = c.kernel.handles.lookup<KeyObject>(rootHandle, "Key");
    if (typeof r === "number") return r;
    root = r.object;
  }
  const name = unicodeArg(c, c.mem.u64(oa + 0x10));
  return { root, name, attributes: c.mem.u32(oa + 0x18) };
}

/** The view of a call with `access`, or STATUS_INVALID_PARAMETER for both KEY_WOW64_* flags. */
function callView(c: SyscallContext, access: number): RegistryView | number {
  return viewFor(c.callerMode === "x86", access) ?? STATUS_INVALID_PARAMETER;
}

function grant(access: number): number {
  return mapGenericAccess(access & ~KEY_WOW64_RES, KEY_GENERIC_MAPPING) & KEY_ALL_ACCESS;
}

function openCommon(c: SyscallContext, options: number): number {
  const pHandle = c.arg(0);
  const access = c.u32(1);
  c.mem.probeWrite(pHandle, 8);
  const view = callView(c, access);
  if (typeof view === "number") return view;
  const oa = captureKeyAttributes(c, c.arg(2));
  if (typeof oa === "number") return oa;
  const registry = registryOf(c.kernel);
  const openLink = (oa.attributes & OBJ_OPENLINK) !== 0 || (options & REG_OPTION_OPEN_LINK) !== 0;
  const r = registry.openKey(oa.root?.key ?? null, oa.name, { view, openLink });
  if (!r.key) return r.status;
  const h = c.kernel.handles.insert(
    new KeyObject(r.key, view),
    grant(access),
    (oa.attributes & OBJ_INHERIT) !== 0,
  );
  c.mem.w64(pHandle, h);
  return STATUS_SUCCESS;
}

/** Writes an encoded information structure and *ResultLength (ZwQueryKey / ZwQueryValueKey rules). */
function writeInfo(
  c: SyscallContext,
  r: { status: number; resultLength: number; buffer: Uint8Array },
  buf: number,
  pResult: number,
): number {
  if (r.status === STATUS_INVALID_PARAMETER) return r.status;
  // Success: the whole structure; STATUS_BUFFER_OVERFLOW: the fixed part and what fits; too small: nothing.
  if (r.status !== STATUS_BUFFER_TOO_SMALL) {
    c.mem.write(buf, r.buffer.subarray(0, Math.min(r.buffer.length, r.resultLength)));
  }
  c.mem.w32(pResult, r.resultLength);
  return r.status;
}

export const registrySyscalls: SyscallFamily = {
  /**
   * NTSTATUS NtCreateKey(PHANDLE KeyHandle, ACCESS_MASK DesiredAccess, POBJECT_ATTRIBUTES ObjectAttributes,
   * ULONG TitleIndex, PUNICODE_STRING Class, ULONG CreateOptions, PULONG Disposition).
   */
  NtCreateKey(c) {
    const pHandle = c.arg(0);
    const access = c.u32(1);
    const pClass = c.arg(4);
    const options = c.u32(5);
    const pDisposition = c.arg(6);
    c.mem.probeWrite(pHandle, 8);
    if (pDisposition !== 0) c.mem.probeWrite(pDisposition, 4);
    const view = callView(c, access);
    if (typeof view === "number") return view;
    const oa = captureKeyAttributes(c, c.arg(2));
    if (typeof oa === "number") return oa;
    if (options & ~(REG_OPTION_VOLATILE | REG_OPTION_CREATE_LINK | REG_OPTION_OPEN_LINK | 0x4)) {
      return STATUS_INVALID_PARAMETER;
    }
    const className = unicodeArg(c, pClass);
    const registry = registryOf(c.kernel);
    const r = registry.createKey(oa.root?.key ?? null, oa.name, {
      view,
      volatile: (options & REG_OPTION_VOLATILE) !== 0,
      createLink: (options & REG_OPTION_CREATE_LINK) !== 0,
      openLink: (oa.attributes & OBJ_OPENLINK) !== 0 || (options & REG_OPTION_OPEN_LINK) !== 0 || undefined,
      className,
    });
    if (!r.key) return r.status;
    const h = c.kernel.handles.insert(
      new KeyObject(r.key, view),
      grant(access),
      (oa.attributes & OBJ_INHERIT) !== 0,
    );
    c.mem.w64(pHandle, h);
    if (pDisposition !== 0) c.mem.w32(pDisposition, r.disposition ?? 0);
    return changed(c, STATUS_SUCCESS);
  },

  /** NTSTATUS NtOpenKey(PHANDLE KeyHandle, ACCESS_MASK DesiredAccess, POBJECT_ATTRIBUTES ObjectAttributes). */
  NtOpenKey(c) {
    return openCommon(c, 0);
  },

  /** NTSTATUS NtOpenKeyEx(PHANDLE, ACCESS_MASK, POBJECT_ATTRIBUTES, ULONG OpenOptions). */
  NtOpenKeyEx(c) {
    return openCommon(c, c.u32(3));
  },

  /** NTSTATUS NtDeleteKey(HANDLE KeyHandle): the handle needs DELETE; a key with subkeys cannot go. */
  NtDeleteKey(c) {
    const k = keyHandle(c, 0, DELETE);
    if (typeof k === "number") return k;
    return changed(c, registryOf(c.kernel).deleteKey(k.key));
  },

  /** NTSTATUS NtFlushKey(HANDLE KeyHandle). */
  NtFlushKey(c) {
    const k = keyHandle(c, 0, 0);
    if (typeof k === "number") return k;
    return changed(c, registryOf(c.kernel).flushKey(k.key));
  },

  /**
   * NTSTATUS NtSetValueKey(HANDLE KeyHandle, PUNICODE_STRING ValueName, ULONG TitleIndex, ULONG Type,
   * PVOID Data, ULONG DataSize).
   */
  NtSetValueKey(c) {
    const k = keyHandle(c, 0, KEY_SET_VALUE);
    if (typeof k === "number") return k;
    const name = unicodeArg(c, c.arg(1));
    const type = c.u32(3);
    const size = c.u32(5);
    const data = size === 0 ? new Uint8Array(0) : c.mem.read(c.arg(4), size);
    return changed(c, registryOf(c.kernel).setValue(k.key, name, type, data));
  },

  /**
   * NTSTATUS NtQueryValueKey(HANDLE KeyHandle, PUNICODE_STRING ValueName, KEY_VALUE_INFORMATION_CLASS,
   * PVOID KeyValueInformation, ULONG Length, PULONG ResultLength).
   */
  NtQueryValueKey(c) {
    const k = keyHandle(c, 0, KEY_QUERY_VALUE);
    if (typeof k === "number") return k;
    const name = unicodeArg(c, c.arg(1));
    const cls = c.u32(2);
    const buf = c.arg(3);
    const length = c.u32(4);
    const pResult = c.arg(5);
    c.mem.probeWrite(pResult, 4);
    if (length > 0) c.mem.probeWrite(buf, length);
    const v = registryOf(c.kernel).queryValue(k.key, name);
    if (!v.value) return v.status;
    return writeInfo(c, encodeValueInformation(cls, v.value, length), buf, pResult);
  },

  /** NTSTATUS NtDeleteValueKey(HANDLE KeyHandle, PUNICODE_STRING ValueName). */
  NtDeleteValueKey(c) {
    const k = keyHandle(c, 0, KEY_SET_VALUE);
    if (typeof k === "number") return k;
    return changed(c, registryOf(c.kernel).deleteValue(k.key, unicodeArg(c, c.arg(1))));
  },

  /**
   * NTSTATUS NtEnumerateKey(HANDLE KeyHandle, ULONG Index, KEY_INFORMATION_CLASS, PVOID KeyInformation,
   * ULONG Length, PULONG ResultLength).
   */
  NtEnumerateKey(c) {
    const k = keyHandle(c, 0, KEY_ENUMERATE_SUB_KEYS);
    if (typeof k === "number") return k;
    const index = c.u32(1);
    const cls = c.u32(2);
    const buf = c.arg(3);
    const length = c.u32(4);
    const pResult = c.arg(5);
    c.mem.probeWrite(pResult, 4);
    if (length > 0) c.mem.probeWrite(buf, length);
    const registry = registryOf(c.kernel);
    const r = registry.enumerateKey(k.key, index, k.view);
    if (!r.key) return r.status;
    return writeInfo(c, encodeKeyInformation(cls, registry.keySource(r.key, k.view), length), buf, pResult);
  },

  /**
   * NTSTATUS NtEnumerateValueKey(HANDLE KeyHandle, ULONG Index, KEY_VALUE_INFORMATION_CLASS,
   * PVOID KeyValueInformation, ULONG Length, PULONG ResultLength).
   */
  NtEnumerateValueKey(c) {
    const k = keyHandle(c, 0, KEY_QUERY_VALUE);
    if (typeof k === "number") return k;
    const index = c.u32(1);
    const cls = c.u32(2);
    const buf = c.arg(3);
    const length = c.u32(4);
    const pResult = c.arg(5);
    c.mem.probeWrite(pResult, 4);
    if (length > 0) c.mem.probeWrite(buf, length);
    const r = registryOf(c.kernel).enumerateValue(k.key, index);
    if (!r.value) return r.status;
    return writeInfo(c, encodeValueInformation(cls, r.value, length), buf, pResult);
  },

  /**
   * NTSTATUS NtQueryKey(HANDLE KeyHandle, KEY_INFORMATION_CLASS, PVOID KeyInformation, ULONG Length,
   * PULONG ResultLength). KeyNameInformation needs no access right; the others KEY_QUERY_VALUE.
   */
  NtQueryKey(c) {
    const cls = c.u32(1);
    const k = keyHandle(c, 0, cls === KeyNameInformation ? 0 : KEY_QUERY_VALUE);
    if (typeof k === "number") return k;
    const buf = c.arg(2);
    const length = c.u32(3);
    const pResult = c.arg(4);
    c.mem.probeWrite(pResult, 4);
    if (length > 0) c.mem.probeWrite(buf, length);
    const registry = registryOf(c.kernel);
    if (k.key.deleted) return STATUS_KEY_DELETED;
    return writeInfo(c, encodeKeyInformation(cls, registry.keySource(k.key, k.view), length), buf, pResult);
  },
};
