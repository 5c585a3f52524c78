/**
 * Saving and loading the registry.
 *
 * - JSON (`saveJson`/`loadJson`): full fidelity for non-volatile keys — names, classes, last-write times,
 *   link keys, values with their raw bytes (hex). Volatile keys are not saved (they "are not preserved when
 *   the system restarts", RegCreateKeyEx REG_OPTION_VOLATILE).
 * - .reg text (`exportReg`/`importReg`): the regedit format ("Windows Registry Editor Version 5.00"; also
 *   reads "REGEDIT4"): `[HKEY_LOCAL_MACHINE\...]` sections, `"name"="string"`, `@=` for the default value,
 *   `dword:xxxxxxxx`, `hex:` (REG_BINARY) and `hex(n):` for every other type (hex(2) REG_EXPAND_SZ, hex(7)
 *   REG_MULTI_SZ, hex(b) REG_QWORD, …), lines continued with `\`; on import `[-key]` deletes a tree and
 *   `"name"=-` a value. Link keys are not representable in .reg and are skipped on export.
 *   Files are UTF-16LE with a BOM as regedit writes them (`encodeRegFile`/`decodeRegFile`).
 * Host files go through `RegistryFileHost` (./node-host.ts is the Node implementation).
 */
import { REG_BINARY, REG_DWORD, REG_LINK, REG_SZ } from "./constants";
import type { RegKey } from "./key";
import { Registry } from "./registry";
import { STATUS_SUCCESS } from "./status";

/** Files in the sandbox, by a path relative to it. */
export interface RegistryFileHost {
  read(path: string): Uint8Array | null;
  write(path: string, data: Uint8Array): void;
}

interface JsonValue {
  name: string;
  type: number;
  data: string;
}
interface JsonKey {
  path: string;
  class?: string;
  lastWrite: string;
  link?: boolean;
  values: JsonValue[];
}
interface JsonRegistry {
  format: "wowdbg-registry";
  version: 1;
  keys: JsonKey[];
}

const toHex = (b: Uint8Array): string => Array.from(b, (x) => x.toString(16).padStart(2, "0")).join("");
function fromHex(s: string): Uint8Array {
  const out = new Uint8Array(s.length >> 1);
  for (let i = 0; i < out.length; i++) out[i] = parseInt(s.substr(i * 2, 2), 16);
  return out;
}

/** Every key under `root` (itself included), parents before children, in enumeration order. */
function* walkTree(root: RegKey, skip: (k: RegKey) => boolean): Generator<RegKey> {
  if (skip(root)) return;
  yield root;
  if (root.isLink) return;
  for (const c of root.subkeys()) yield* walkTree(c, skip);
}

export function saveJson(reg: Registry): string {
  const keys: JsonKey[] = [];
  for (const top of [reg.machine, reg.users]) {
    for (const k of walkTree(top, (x) => x.volatile)) {
      const j: JsonKey = {
        path: k.path,
        lastWrite: k.lastWriteTime.toString(),
        values: k.values().map((v) => ({ name: v.name, type: v.type, data: toHex(v.data) })),
      };
      if (k.className) j.class = k.className;
      if (k.isLink) j.link = true;
      keys.push(j);
    }
  }
  const doc: JsonRegistry = { format: "wowdbg-registry", version: 1, keys };
  return JSON.stringify(doc, null, 1);
}

/** Load keys saved by `saveJson` into `reg` (existing keys are updated, nothing is removed). */
export function loadJson(reg: Registry, text: string): void {
  const doc = JSON.parse(text) as JsonRegistry;
  if (doc.format !== "wowdbg-registry" || doc.version !== 1) throw new Error("not a wowdbg registry file");
  const times: [RegKey, bigint][] = [];
  for (const j of doc.keys) {
    if (j.path.split("\\").filter((c) => c).length <= 2) {
      const r = reg.openKey(null, j.path);
      if (r.key) times.push([r.key, BigInt(j.lastWrite)]);
      continue;
    }
    const r = reg.createKey(null, j.path, {
      createIntermediate: true,
      createLink: j.link ?? false,
      className: j.class,
      openLink: true,
    });
    if (!r.key) throw new Error(`cannot create ${j.path} (0x${r.status.toString(16)})`);
    for (const v of j.values) reg.setValue(r.key, v.name, v.type, fromHex(v.data));
    times.push([r.key, BigInt(j.lastWrite)]);
  }
  for (const [k, t] of times) k.lastWriteTime = t;
}

// ---- .reg ----

const ROOTS: readonly [string, string][] = [
  ["\\REGISTRY\\MACHINE", "HKEY_LOCAL_MACHINE"],
  ["\\REGISTRY\\USER", "HKEY_USERS"],
];

function regName(ntPath: string, reg: Registry): string {
  const cu = reg.currentUserPath;
  if (ntPath.toUpperCase().startsWith(cu.toUpperCase() + "\\") || ntPath.toUpperCase() === cu.toUpperCase()) {
    return "HKEY_CURRENT_USER" + ntPath.slice(cu.length);
  }
  for (const [nt, name] of ROOTS) {
    if (ntPath.toUpperCase().startsWith(nt)) return name + ntPath.slice(nt.length);
  }
  return ntPath;
}

function ntName(regPath: string, reg: Registry): string | null {
  const i = regPath.indexOf("\\");
  const root = (i < 0 ? regPath : regPath.slice(0, i)).toUpperCase();
  const rest = i < 0 ? "" : regPath.slice(i);
  switch (root) {
    case "HKEY_LOCAL_MACHINE":
    case "HKLM":
      return "\\REGISTRY\\MACHINE" + rest;
    case "HKEY_USERS":
    case "HKU":
      return "\\REGISTRY\\USER" + rest;
    case "HKEY_CURRENT_USER":
    case "HKCU":
      return reg.currentUserPath + rest;
    case "HKEY_CLASSES_ROOT":
    case "HKCR":
      return "\\REGISTRY\\MACHINE\\SOFTWARE\\Classes" + rest;
    default:
      return null;
  }
}

const quote = (s: string): string => '"' + s.replace(/\\/g, "\\\\").replace(/"/g, '\\"') + '"';

/** A REG_SZ's data as regedit writes it as a string: UTF-16LE, one terminating NUL, none inside. */
function asPlainString(data: Uint8Array): string | null {
  if (data.length < 2 || data.length % 2 !== 0) return null;
  let s = "";
  for (let i = 0; i < data.length; i += 2) {
    const c = data[i] | (data[i + 1] << 8);
    if (c === 0) return i === data.length - 2 ? s : null;
    s += String.fromCharCode(c);
  }
  return null;
}

/** `prefix` + comma-separated hex bytes wrapped at 80 columns with `\` as regedit does. */
function hexLine(prefix: string, data: Uint8Array): string {
  let line = prefix;
  const lines: string[] = [];
  for (let i = 0; i < data.length; i++) {
    const item = data[i].toString(16).padStart(2, "0") + (i < data.length - 1 ? "," : "");
    if (line.length + item.length > 79 && i < data.length) {
      lines.push(line + "\\");
      line = "  ";
    }
    line += item;
  }
  lines.push(line);
  return lines.join("\r\n");
}

function valueLine(name: string, type: number, data: Uint8Array): string {
  const n = name === "" ? "@" : quote(name);
  if (type === REG_SZ) {
    const s = asPlainString(data);
    if (s !== null) return `${n}=${quote(s)}`;
  }
  if (type === REG_DWORD && data.length === 4) {
    const v = (data[0] | (data[1] << 8) | (data[2] << 16) | (data[3] << 24)) >>> 0;
    return `${n}=dword:${v.toString(16).padStart(8, "0")}`;
  }
  const tag = type === REG_BINARY ? "hex" : `hex(${type.toString(16)})`;
  return hexLine(`${n}=${tag}:`, data);
}

/** The .reg text of the keys under `ntPath` (default: HKLM and HKU), non-volatile and not links. */
/**
 * The comment line (regedit ignores `;` lines) that marks a .reg file as a whole registry saved by wowdbg:
 * such a file is loaded into an empty registry; any other .reg file (a user's export of some keys) is
 * imported over the default hive, as `reg import` would.
 */
export const COMPLETE_MARKER = "; wowdbg: the complete registry (HKLM and HKU)";

export function exportReg(reg: Registry, ntPath?: string): string {
  const tops: RegKey[] = [];
  if (ntPath) {
    const r = reg.openKey(null, ntPath, { openLink: true });
    if (r.key) tops.push(r.key);
  } else {
    tops.push(reg.machine, reg.users);
  }
  const out: string[] = ["Windows Registry Editor Version 5.00", ""];
  if (!ntPath) out.splice(1, 0, COMPLETE_MARKER);
  for (const top of tops) {
    for (const k of walkTree(top, (x) => x.volatile || x.isLink)) {
      out.push(`[${regName(k.path, reg)}]`);
      for (const v of k.values()) out.push(valueLine(v.name, v.type, v.data));
      out.push("");
    }
  }
  return out.join("\r\n") + "\r\n";
}

function parseQuoted(s: string, at: number): [string, number] | null {
  if (s[at] !== '"') return null;
  let out = "";
  for (let i = at + 1; i < s.length; i++) {
    const c = s[i];
    if (c === "\\" && i + 1 < s.length) {
      out += s[++i];
    } else if (c === '"') {
      return [out, i + 1];
    } else {
      out += c;
    }
  }
  return null;
}

function parseHexBytes(s: string): Uint8Array {
  const parts = s
    .split(",")
    .map((x) => x.trim())
    .filter((x) => x !== "");
  return Uint8Array.from(parts, (x) => parseInt(x, 16));
}

/**
 * Apply a .reg text to `reg`; returns the number of lines it could not use (0 for a clean file).
 * REGEDIT4 strings are read as they are (we keep Unicode text; regedit would use the ANSI code page).
 */
export function importReg(reg: Registry, text: string): number {
  const raw = text.replace(/^\uFEFF/, "").split(/\r?\n/);
  const lines: string[] = [];
  for (let i = 0; i < raw.length; i++) {
    let l = raw[i];
    while (l.endsWith("\\") && /=\s*hex/i.test(l) && i + 1 < raw.length) l = l.slice(0, -1) + raw[++i].trim();
    lines.push(l);
  }
  const header = lines[0]?.trim();
  if (header !== "Windows Registry Editor Version 5.00" && header !== "REGEDIT4") return lines.length;
  let bad = 0;
  let cur: RegKey | null = null;
  for (const line0 of lines.slice(1)) {
    const line = line0.trim();
    if (line === "" || line.startsWith(";")) continue;
    if (line.startsWith("[")) {
      const del = line.startsWith("[-");
      const path = ntName(line.slice(del ? 2 : 1, line.lastIndexOf("]")), reg);
      cur = null;
      if (!path) {
        bad++;
        continue;
      }
      if (del) {
        const r = reg.openKey(null, path, { openLink: true });
        if (r.key && reg.deleteTree(r.key, "") === STATUS_SUCCESS) reg.deleteKey(r.key);
        continue;
      }
      const r = reg.createKey(null, path, { createIntermediate: true });
      if (r.key) cur = r.key;
      else bad++;
      continue;
    }
    if (!cur) {
      bad++;
      continue;
    }
    let name: string;
    let rest: number;
    if (line.startsWith("@")) {
      name = "";
      rest = 1;
    } else {
      const q = parseQuoted(line, 0);
      if (!q) {
        bad++;
        continue;
      }
      [name, rest] = q;
    }
    if (line[rest] !== "=") {
      bad++;
      continue;
    }
    const v = line.slice(rest + 1).trim();
    if (v === "-") {
      reg.deleteValue(cur, name);
      continue;
    }
    let type: number;
    let data: Uint8Array;
    if (v.startsWith('"')) {
      const q = parseQuoted(v, 0);
      if (!q) {
        bad++;
        continue;
      }
      type = REG_SZ;
      data = new Uint8Array((q[0].length + 1) * 2);
      for (let i = 0; i < q[0].length; i++) {
        data[i * 2] = q[0].charCodeAt(i) & 0xff;
        data[i * 2 + 1] = q[0].charCodeAt(i) >> 8;
      }
    } else if (/^dword:[0-9a-f]{1,8}$/i.test(v)) {
      type = REG_DWORD;
      const n = parseInt(v.slice(6), 16) >>> 0;
      data = Uint8Array.of(n & 0xff, (n >>> 8) & 0xff, (n >>> 16) & 0xff, n >>> 24);
    } else {
      const m = /^hex(?:\(([0-9a-f]+)\))?:(.*)$/i.exec(v);
      if (!m) {
        bad++;
        continue;
      }
      type = m[1] === undefined ? REG_BINARY : parseInt(m[1], 16);
      data = parseHexBytes(m[2]);
    }
    if (type === REG_LINK || reg.setValue(cur, name, type, data) !== STATUS_SUCCESS) bad++;
  }
  return bad;
}

/** UTF-16LE with a BOM, as regedit saves .reg files. */
export function encodeRegFile(text: string): Uint8Array {
  const out = new Uint8Array(2 + text.length * 2);
  out[0] = 0xff;
  out[1] = 0xfe;
  for (let i = 0; i < text.length; i++) {
    out[2 + i * 2] = text.charCodeAt(i) & 0xff;
    out[3 + i * 2] = text.charCodeAt(i) >> 8;
  }
  return out;
}

/** A .reg file's text: UTF-16LE with a BOM, or else 8-bit text (REGEDIT4 files). */
export function decodeRegFile(bytes: Uint8Array): string {
  if (bytes.length >= 2 && bytes[0] === 0xff && bytes[1] === 0xfe) {
    let s = "";
    for (let i = 2; i + 1 < bytes.length; i += 2) s += String.fromCharCode(bytes[i] | (bytes[i + 1] << 8));
    return s;
  }
  let s = "";
  const start = bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf ? 3 : 0;
  for (let i = start; i < bytes.length; i++) s += String.fromCharCode(bytes[i]);
  return s;
}

/** Save as JSON (`.json`) or .reg (any other name) through the host. */
export function saveRegistry(reg: Registry, host: RegistryFileHost, path: string): void {
  if (path.toLowerCase().endsWith(".json")) host.write(path, new TextEncoder().encode(saveJson(reg)));
  else host.write(path, encodeRegFile(exportReg(reg)));
}

/** Load a file saved by `saveRegistry`; false when the host has no such file. */
export function loadRegistry(reg: Registry, host: RegistryFileHost, path: string): boolean {
  const data = host.read(path);
  if (!data) return false;
  if (path.toLowerCase().endsWith(".json")) loadJson(reg, new TextDecoder().decode(data));
  else importReg(reg, decodeRegFile(data));
  return true;
}

/**
 * The registry a process starts from when it has a registry file: a complete one (JSON, or .reg with
 * `COMPLETE_MARKER`) loaded into `empty()`; a partial .reg (some keys a user exported or wrote) imported over
 * `withDefaults()`; no file: `withDefaults()` (created on the first save).
 */
export function openRegistryFile(
  host: RegistryFileHost,
  path: string,
  empty: () => Registry,
  withDefaults: () => Registry,
): Registry {
  const data = host.read(path);
  if (!data) return withDefaults();
  if (path.toLowerCase().endsWith(".json")) {
    const reg = empty();
    try {
      loadJson(reg, new TextDecoder().decode(data));
    } catch (e) {
      throw new RegistryFileError(path, `not a registry file saved by wowdbg (${(e as Error).message})`);
    }
    return reg;
  }
  const text = decodeRegFile(data);
  const first = text.replace(/^\uFEFF/, "").split(/\r?\n/, 3);
  const header = first[0]?.trim();
  if (header !== "Windows Registry Editor Version 5.00" && header !== "REGEDIT4")
    throw new RegistryFileError(
      path,
      'not a .reg file (the first line must be "Windows Registry Editor Version 5.00" or "REGEDIT4")',
    );
  const complete = first.some((l) => l.trim() === COMPLETE_MARKER);
  const reg = complete ? empty() : withDefaults();
  const bad = importReg(reg, text);
  if (bad > 0) throw new RegistryFileError(path, `${bad} line(s) of the .reg file cannot be read`);
  return reg;
}

/**
 * A registry file that exists but cannot be read. It is reported and left alone: the process does not start
 * (it would otherwise save its registry over the user's file).
 */
export class RegistryFileError extends Error {
  constructor(
    readonly path: string,
    readonly reason: string,
  ) {
    super(`registry file ${path}: ${reason}`);
  }
}

/** Whether the registry file at `path` can be opened: undefined, or what is wrong with it. */
export function checkRegistryFile(host: RegistryFileHost, path: string): string | undefined {
  try {
    openRegistryFile(
      host,
      path,
      () => new Registry(),
      () => new Registry(),
    );
    return undefined;
  } catch (e) {
    return e instanceof Error ? e.message : String(e);
  }
}
