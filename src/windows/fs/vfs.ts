/**
 * The virtual Windows file system: drive C: rooted in a host sandbox folder (`FsHost`), a read-only
 * synthetic Windows tree at C:\Windows, the NUL and console devices, NT path parsing, WOW64 redirection,
 * and the NTFS semantics of NtCreateFile/NtReadFile/NtWriteFile/NtQueryInformationFile/
 * NtSetInformationFile/NtQueryDirectoryFile/NtQueryAttributesFile/NtDeleteFile with their NTSTATUS results.
 * The kernel's handlers (a later session) probe user memory, hold `FsFile`s in file objects and call in
 * here; `info.ts` encodes the information classes into their byte layouts. See README.md.
 */
import {
  CLUSTER_SIZE,
  DELETE,
  FILE_ALL_ACCESS,
  FILE_APPEND_DATA,
  FILE_ATTRIBUTE_ARCHIVE,
  FILE_ATTRIBUTE_DIRECTORY,
  FILE_ATTRIBUTE_HIDDEN,
  FILE_ATTRIBUTE_NORMAL,
  FILE_ATTRIBUTE_READONLY,
  FILE_ATTRIBUTE_SYSTEM,
  FILE_ATTRIBUTE_VALID_FLAGS,
  FILE_ATTRIBUTE_VALID_SET_FLAGS,
  FILE_CREATE,
  FILE_CREATED,
  FILE_DELETE_ON_CLOSE,
  FILE_DIRECTORY_FILE,
  FILE_DISPOSITION_DELETE,
  FILE_DISPOSITION_IGNORE_READONLY_ATTRIBUTE,
  FILE_DOES_NOT_EXIST,
  FILE_EXECUTE,
  FILE_EXISTS,
  FILE_GENERIC_EXECUTE,
  FILE_GENERIC_READ,
  FILE_GENERIC_WRITE,
  FILE_LIST_DIRECTORY,
  FILE_MAXIMUM_DISPOSITION,
  FILE_NON_DIRECTORY_FILE,
  FILE_OPEN,
  FILE_OPEN_BY_FILE_ID,
  FILE_OPEN_IF,
  FILE_OPENED,
  FILE_OVERWRITE,
  FILE_OVERWRITE_IF,
  FILE_OVERWRITTEN,
  FILE_READ_ATTRIBUTES,
  FILE_READ_DATA,
  FILE_SHARE_DELETE,
  FILE_SHARE_READ,
  FILE_SHARE_VALID_FLAGS,
  FILE_SHARE_WRITE,
  FILE_SUPERSEDE,
  FILE_SUPERSEDED,
  FILE_SYNCHRONOUS_IO_ALERT,
  FILE_SYNCHRONOUS_IO_NONALERT,
  FILE_VALID_DIRECTORY_OPTIONS,
  FILE_VALID_OPTION_FLAGS,
  FILE_WRITE_ATTRIBUTES,
  FILE_WRITE_DATA,
  GENERIC_ALL,
  GENERIC_EXECUTE,
  GENERIC_READ,
  GENERIC_WRITE,
  MAXIMUM_ALLOWED,
  READ_CONTROL,
  SYNCHRONIZE,
} from "./constants";
import type { FsHost, FsHostFile, HostPath } from "./host";
import { FsHostError } from "./host";
import { upcase } from "./path";
import { FsRedirectionState, wow64RedirectPath } from "./redirect";
import {
  STATUS_ACCESS_DENIED,
  STATUS_BAD_NETWORK_PATH,
  STATUS_CANNOT_DELETE,
  STATUS_DELETE_PENDING,
  STATUS_DIRECTORY_NOT_EMPTY,
  STATUS_END_OF_FILE,
  STATUS_FILE_IS_A_DIRECTORY,
  STATUS_INVALID_DEVICE_REQUEST,
  STATUS_INVALID_PARAMETER,
  STATUS_NO_MORE_FILES,
  STATUS_NO_SUCH_FILE,
  STATUS_NOT_A_DIRECTORY,
  STATUS_NOT_SUPPORTED,
  STATUS_OBJECT_NAME_COLLISION,
  STATUS_OBJECT_NAME_INVALID,
  STATUS_OBJECT_NAME_NOT_FOUND,
  STATUS_OBJECT_PATH_NOT_FOUND,
  STATUS_OBJECT_PATH_SYNTAX_BAD,
  STATUS_SHARING_VIOLATION,
  STATUS_SUCCESS,
} from "./status";
import { containsWildcards, isNameInExpression } from "./wildcard";

/** Who asks: a 32-bit caller (callerMode "x86", inside wow64's thunks) on `threadId` is redirected. */
export interface FsCaller {
  wow64: boolean;
  threadId: number;
}

export const NATIVE_CALLER: FsCaller = { wow64: false, threadId: 0 };

export interface VirtualFileSpec {
  /** DOS path inside C:\Windows, e.g. `C:\Windows\System32\ntdll.dll`. */
  path: string;
  data: Uint8Array | (() => Uint8Array);
}

export interface VfsOptions {
  host: FsHost;
  /** The process's current directory (DOS form); default `C:\`. */
  currentDirectory?: string;
  /** Files of the synthetic Windows tree (the DLL images, regedit.exe, …); directories are implied. */
  systemFiles?: VirtualFileSpec[];
  /** The NT device of volume C: (default `\Device\HarddiskVolume3`, as on a default Windows 10 install). */
  volumeDevice?: string;
  /** Times of the virtual Windows tree (ms since 1970); default 2022-10-18 (Windows 10 22H2). */
  systemTimeMs?: number;
}

/** The directories the synthetic tree always has (Microsoft's File System Redirector page names them). */
export const WINDOWS_DIRECTORIES = [
  "System32",
  "System32\\catroot",
  "System32\\catroot2",
  "System32\\drivers",
  "System32\\drivers\\etc",
  "System32\\DriverStore",
  "System32\\LogFiles",
  "System32\\spool",
  "SysWOW64",
  "SysWOW64\\drivers",
  "Temp",
];

const HOSTS_FILE =
  "# Copyright (c) 1993-2009 Microsoft Corp.\r\n#\r\n# This is a sample HOSTS file used by Microsoft TCP/IP for Windows.\r\n" +
  "#\r\n# localhost name resolution is handled within DNS itself.\r\n#\t127.0.0.1       localhost\r\n" +
  "#\t::1             localhost\r\n";

interface VDir {
  kind: "vdir";
  name: string;
  children: Map<string, VDir | VFile>;
}

interface VFile {
  kind: "vfile";
  name: string;
  bytes?: Uint8Array;
  source: Uint8Array | (() => Uint8Array);
}

/** A resolved name: where it lives and its volume-relative path (`\`, `\Windows\System32`). */
export type FsNode =
  | { kind: "vdir"; v: VDir; path: string }
  | { kind: "vfile"; v: VFile; path: string }
  | { kind: "host"; host: HostPath; dir: boolean; path: string; overlay?: VDir }
  | { kind: "device"; device: string; path: string };

/** FILETIME: 100-ns intervals since 1601-01-01 UTC. */
export function msToFileTime(ms: number): bigint {
  return (BigInt(Math.round(ms)) + 11644473600000n) * 10000n;
}

export function fileTimeToMs(ft: bigint): number {
  return Number(ft / 10000n - 11644473600000n);
}

export interface FsBasicInfo {
  creationTime: bigint;
  lastAccessTime: bigint;
  lastWriteTime: bigint;
  changeTime: bigint;
  attributes: number;
}

export interface FsStandardInfo {
  allocationSize: number;
  endOfFile: number;
  numberOfLinks: number;
  deletePending: boolean;
  directory: boolean;
}

export interface FsDirEntry extends FsBasicInfo {
  name: string;
  endOfFile: number;
  allocationSize: number;
  fileId: number;
}

export interface FsOpenRequest {
  /** NT path (`\??\C:\…`), or a name relative to `root`. */
  path: string;
  /** The file object of ObjectAttributes.RootDirectory, if any. */
  root?: FsFile;
  /** DesiredAccess (generic rights are mapped here). */
  access: number;
  share: number;
  disposition: number;
  options: number;
  /** FileAttributes for a new file. */
  attributes?: number;
  caller?: FsCaller;
}

export interface FsOpenResult {
  status: number;
  /** IO_STATUS_BLOCK.Information: FILE_OPENED, FILE_CREATED, …, FILE_EXISTS / FILE_DOES_NOT_EXIST. */
  information: number;
  file?: FsFile;
}

interface OpenState {
  files: Set<FsFile>;
  deletePending: boolean;
}

interface Enumeration {
  expression: string;
  entries: FsDirEntry[];
  index: number;
}

/** An open file object: what an NT file handle refers to. */
export class FsFile {
  position = 0;
  closed = false;
  /** The directory query in progress (its expression is fixed by the first query). */
  enumeration?: Enumeration;
  hostFile?: FsHostFile;

  constructor(
    public node: FsNode,
    /** Granted access (specific rights). */
    readonly access: number,
    readonly share: number,
    readonly options: number,
  ) {}

  get isDirectory(): boolean {
    return this.node.kind === "vdir" || (this.node.kind === "host" && this.node.dir);
  }

  get device(): string | undefined {
    return this.node.kind === "device" ? this.node.device : undefined;
  }

  /** FO_SYNCHRONOUS_IO: the file pointer is kept and used. */
  get synchronous(): boolean {
    return (this.options & (FILE_SYNCHRONOUS_IO_ALERT | FILE_SYNCHRONOUS_IO_NONALERT)) !== 0;
  }

  /** The volume-relative name FileNameInformation reports (`\dir\file.txt`). */
  get path(): string {
    return this.node.path;
  }
}

/** GENERIC_* to file-specific rights (the I/O manager's generic mapping). */
export function mapFileAccess(access: number): number {
  let a = access & ~(GENERIC_READ | GENERIC_WRITE | GENERIC_EXECUTE | GENERIC_ALL);
  if (access & GENERIC_READ) a |= FILE_GENERIC_READ;
  if (access & GENERIC_WRITE) a |= FILE_GENERIC_WRITE;
  if (access & GENERIC_EXECUTE) a |= FILE_GENERIC_EXECUTE;
  if (access & GENERIC_ALL) a |= FILE_ALL_ACCESS;
  return a >>> 0;
}

/** What anyone gets on the synthetic Windows tree (a standard user's rights on System32). */
const VIRTUAL_ACCESS = FILE_GENERIC_READ | FILE_GENERIC_EXECUTE | READ_CONTROL | SYNCHRONIZE;
const DATA_ACCESS = FILE_READ_DATA | FILE_WRITE_DATA | FILE_APPEND_DATA | FILE_EXECUTE | DELETE;
/** Characters NTFS refuses in a name: controls and the quote, star, slash, colon, angle brackets, question mark, backslash and bar. */
const INVALID_NAME_CHARS = {
  test(name: string): boolean {
    for (let i = 0; i < name.length; i++) {
      const c = name.charCodeAt(i);
      if (c < 0x20 || '"*/:<>?\\|'.includes(name[i])) return true;
    }
    return false;
  },
};

type Parsed =
  | { status: number }
  | { status: 0; device: string }
  | { status: 0; components: string[]; trailingSlash: boolean };

function fail(status: number, information = 0): FsOpenResult {
  return { status, information };
}

export class VirtualFileSystem {
  readonly host: FsHost;
  readonly redirection = new FsRedirectionState();
  currentDirectory: string;
  readonly volumeDevice: string;
  private readonly windows: VDir = { kind: "vdir", name: "Windows", children: new Map() };
  private readonly overlay: VDir = { kind: "vdir", name: "", children: new Map() };
  private readonly systemTime: bigint;
  private readonly states = new Map<string, OpenState>();
  /** Attributes set through the API (hidden, system, …) that the host cannot store. */
  private readonly attrs = new Map<string, number>();
  private readonly creation = new Map<string, bigint>();
  private readonly ids = new Map<string, number>();
  private nextId = 0x10000;

  constructor(options: VfsOptions) {
    this.host = options.host;
    this.currentDirectory = options.currentDirectory ?? "C:\\";
    this.volumeDevice = options.volumeDevice ?? "\\Device\\HarddiskVolume3";
    this.systemTime = msToFileTime(options.systemTimeMs ?? Date.UTC(2022, 9, 18));
    this.overlay.children.set("WINDOWS", this.windows);
    for (const d of WINDOWS_DIRECTORIES) this.virtualDir(d.split("\\"));
    this.addSystemFile("C:\\Windows\\System32\\drivers\\etc\\hosts", new TextEncoder().encode(HOSTS_FILE));
    for (const f of options.systemFiles ?? []) this.addSystemFile(f.path, f.data);
  }

  private virtualDir(parts: string[]): VDir {
    let d = this.windows;
    for (const p of parts) {
      let c = d.children.get(upcase(p));
      if (c === undefined) {
        c = { kind: "vdir", name: p, children: new Map() };
        d.children.set(upcase(p), c);
      }
      if (c.kind !== "vdir") throw new Error(`${p} is a virtual file`);
      d = c;
    }
    return d;
  }

  /** Adds (or replaces) a file of the synthetic Windows tree. */
  addSystemFile(dosPath: string, data: Uint8Array | (() => Uint8Array)): void {
    const m = /^C:\\Windows\\(.+)$/i.exec(dosPath);
    if (m === null) throw new Error(`system files live under C:\\Windows: ${dosPath}`);
    const parts = m[1].split("\\");
    const name = parts.pop() as string;
    this.virtualDir(parts).children.set(upcase(name), { kind: "vfile", name, source: data });
  }

  /** Per-thread WOW64 redirection (Wow64DisableWow64FsRedirection / Wow64RevertWow64FsRedirection). */
  redirectionEnabled(threadId: number): boolean {
    return this.redirection.redirectionEnabled(threadId);
  }

  // ---- names ----

  /** Splits an NT path into the volume-relative components of drive C:, a device, or a status. */
  parseNtPath(ntPath: string): Parsed {
    if (!ntPath.startsWith("\\")) return { status: STATUS_OBJECT_PATH_SYNTAX_BAD };
    let p = ntPath;
    const up = (): string => upcase(p);
    if (up().startsWith("\\??\\GLOBALROOT\\")) p = p.slice(14);
    for (const alias of ["\\GLOBAL??\\", "\\DOSDEVICES\\"])
      if (up().startsWith(alias)) p = "\\??\\" + p.slice(alias.length);
    let rest: string;
    const vol = upcase(this.volumeDevice);
    if (up() === vol || up().startsWith(vol + "\\")) rest = p.slice(vol.length);
    else if (up() === "\\SYSTEMROOT" || up().startsWith("\\SYSTEMROOT\\")) rest = "\\Windows" + p.slice(11);
    else if (up() === "\\DEVICE\\NULL") return { status: 0, device: "NUL" };
    else if (up().startsWith("\\DEVICE\\")) {
      const parts = p.slice(8).split("\\");
      const name = upcase(parts[0]);
      if (/^(HARDDISK|PHYSICALDRIVE|CDROM|FLOPPY)/.test(name)) return { status: STATUS_ACCESS_DENIED };
      return { status: parts.length > 1 ? STATUS_OBJECT_PATH_NOT_FOUND : STATUS_OBJECT_NAME_NOT_FOUND };
    } else if (up().startsWith("\\??\\")) {
      const parts = p.slice(4).split("\\");
      const link = upcase(parts[0]);
      if (link === "C:") {
        if (parts.length === 1) return { status: STATUS_ACCESS_DENIED }; // the volume itself
        rest = p.slice(6);
      } else if (link === "UNC") return { status: STATUS_BAD_NETWORK_PATH };
      else if (parts.length === 1 && ["NUL", "CON", "CONIN$", "CONOUT$"].includes(link)) {
        return { status: 0, device: link };
      } else if (/^(PHYSICALDRIVE\d+|HARDDISK\d+.*|[A-Z]:|VOLUME\{.*\})$/.test(link) && parts.length === 1) {
        return { status: STATUS_ACCESS_DENIED };
      } else
        return { status: parts.length > 1 ? STATUS_OBJECT_PATH_NOT_FOUND : STATUS_OBJECT_NAME_NOT_FOUND };
    } else {
      const parts = p.slice(1).split("\\");
      return { status: parts.length > 1 ? STATUS_OBJECT_PATH_NOT_FOUND : STATUS_OBJECT_NAME_NOT_FOUND };
    }
    return this.parseRelative(rest, true);
  }

  /** Components of a volume-relative name (`\a\b` when absolute). */
  private parseRelative(rest: string, absolute: boolean): Parsed {
    if (absolute) {
      if (rest.length === 0) return { status: 0, components: [], trailingSlash: false };
      if (!rest.startsWith("\\")) return { status: STATUS_OBJECT_NAME_INVALID };
      rest = rest.slice(1);
      if (rest.length === 0) return { status: 0, components: [], trailingSlash: false };
    }
    let trailingSlash = false;
    if (rest.endsWith("\\")) {
      trailingSlash = true;
      rest = rest.slice(0, -1);
    }
    const components = rest.split("\\");
    for (let i = 0; i < components.length; i++) {
      let c = components[i];
      // The unnamed data stream may be named explicitly; named streams do not exist on this volume.
      if (i === components.length - 1 && /::\$DATA$/i.test(c)) c = components[i] = c.slice(0, -7);
      if (c.length === 0 || c.length > 255 || c === "." || c === ".." || INVALID_NAME_CHARS.test(c)) {
        return { status: STATUS_OBJECT_NAME_INVALID };
      }
    }
    return { status: 0, components, trailingSlash };
  }

  private rootNode(): FsNode {
    return { kind: "host", host: [], dir: true, path: "\\", overlay: this.overlay };
  }

  private join(parent: FsNode, name: string): string {
    return parent.path === "\\" ? "\\" + name : parent.path + "\\" + name;
  }

  /** The entry `name` in directory `dir`, case-insensitively (an exact host match wins). */
  private child(dir: FsNode, name: string): FsNode | undefined {
    const key = upcase(name);
    const virtual = dir.kind === "vdir" ? dir.v : dir.kind === "host" ? dir.overlay : undefined;
    const v = virtual?.children.get(key);
    if (v !== undefined) {
      const path = this.join(dir, v.name);
      return v.kind === "vdir" ? { kind: "vdir", v, path } : { kind: "vfile", v, path };
    }
    if (dir.kind !== "host" || !dir.dir) return undefined;
    // The exact name first: a link out of the sandbox under that name is refused (the host throws
    // STATUS_ACCESS_DENIED) rather than looking absent. Other spellings come from the listing, which
    // leaves such links out.
    let found: string | undefined = name;
    let st = this.host.stat([...dir.host, name]);
    if (st === undefined) {
      found = this.host.list(dir.host).find((n) => upcase(n) === key && !INVALID_NAME_CHARS.test(n));
      if (found === undefined) return undefined;
      st = this.host.stat([...dir.host, found]);
    }
    const hostPath = [...dir.host, found];
    if (st === undefined) return undefined;
    return { kind: "host", host: hostPath, dir: st.directory, path: this.join(dir, found) };
  }

  /** Walks to the parent of the last component; the last component may be missing. */
  private lookup(components: string[]): { status: number; parent?: FsNode; node?: FsNode } {
    let cur = this.rootNode();
    if (components.length === 0) return { status: STATUS_SUCCESS, node: cur };
    for (let i = 0; i < components.length - 1; i++) {
      const next = this.child(cur, components[i]);
      if (next === undefined || !(next.kind === "vdir" || (next.kind === "host" && next.dir))) {
        return { status: STATUS_OBJECT_PATH_NOT_FOUND };
      }
      cur = next;
    }
    return { status: STATUS_SUCCESS, parent: cur, node: this.child(cur, components[components.length - 1]) };
  }

  /** The NT path an open names, after RootDirectory and WOW64 redirection. */
  private fullNtPath(path: string, root: FsFile | undefined, caller: FsCaller): string | number {
    let nt = path;
    if (root !== undefined) {
      if (root.node.kind === "device" || !root.isDirectory) return STATUS_INVALID_PARAMETER;
      if (path.startsWith("\\")) return STATUS_OBJECT_NAME_INVALID;
      nt = "\\??\\C:" + (root.path === "\\" ? "\\" : root.path + "\\") + path;
      if (path.length === 0) nt = "\\??\\C:" + root.path;
    }
    if (caller.wow64 && this.redirectionEnabled(caller.threadId)) nt = wow64RedirectPath(this.canonical(nt));
    return nt;
  }

  /** `\Device\HarddiskVolume3\x` and `\SystemRoot\x` in their `\??\C:\x` form (for the redirector). */
  private canonical(nt: string): string {
    const up = upcase(nt);
    const vol = upcase(this.volumeDevice);
    if (up.startsWith(vol + "\\")) return "\\??\\C:" + nt.slice(vol.length);
    if (up.startsWith("\\SYSTEMROOT\\")) return "\\??\\C:\\Windows" + nt.slice(11);
    return nt;
  }

  // ---- attributes and times ----

  private key(node: FsNode): string {
    return node.kind === "device" ? "DEVICE:" + node.device : upcase(node.path);
  }

  private state(node: FsNode): OpenState | undefined {
    return this.states.get(this.key(node));
  }

  private isVirtual(node: FsNode): boolean {
    return node.kind === "vdir" || node.kind === "vfile";
  }

  private isDir(node: FsNode): boolean {
    return node.kind === "vdir" || (node.kind === "host" && node.dir);
  }

  private vbytes(v: VFile): Uint8Array {
    if (v.bytes === undefined) v.bytes = typeof v.source === "function" ? v.source() : v.source;
    return v.bytes;
  }

  fileId(node: FsNode): number {
    const k = this.key(node);
    let id = this.ids.get(k);
    if (id === undefined) {
      id = this.nextId++;
      this.ids.set(k, id);
    }
    return id;
  }

  basicInfoOf(node: FsNode): FsBasicInfo {
    if (node.kind !== "host") {
      const t = this.systemTime;
      const attributes =
        node.kind === "vdir"
          ? FILE_ATTRIBUTE_DIRECTORY
          : node.kind === "vfile"
            ? FILE_ATTRIBUTE_ARCHIVE
            : FILE_ATTRIBUTE_NORMAL;
      return { creationTime: t, lastAccessTime: t, lastWriteTime: t, changeTime: t, attributes };
    }
    const st = this.host.stat(node.host);
    const k = this.key(node);
    const now = msToFileTime(0);
    if (st === undefined)
      return { creationTime: now, lastAccessTime: now, lastWriteTime: now, changeTime: now, attributes: 0 };
    let attributes = this.attrs.get(k) ?? (st.directory ? 0 : FILE_ATTRIBUTE_ARCHIVE);
    if (st.directory) attributes |= FILE_ATTRIBUTE_DIRECTORY;
    else if (st.readonly) attributes |= FILE_ATTRIBUTE_READONLY;
    if (attributes === 0) attributes = FILE_ATTRIBUTE_NORMAL;
    return {
      creationTime: this.creation.get(k) ?? msToFileTime(st.birthMs),
      lastAccessTime: msToFileTime(st.accessMs),
      lastWriteTime: msToFileTime(st.writeMs),
      changeTime: msToFileTime(st.changeMs),
      attributes,
    };
  }

  private sizeOf(node: FsNode): number {
    if (node.kind === "vfile") return this.vbytes(node.v).length;
    if (node.kind === "host" && !node.dir) return this.host.stat(node.host)?.size ?? 0;
    return 0;
  }

  private entryOf(node: FsNode, name: string): FsDirEntry {
    const size = this.sizeOf(node);
    return {
      ...this.basicInfoOf(node),
      name,
      endOfFile: size,
      allocationSize: Math.ceil(size / CLUSTER_SIZE) * CLUSTER_SIZE,
      fileId: this.fileId(node),
    };
  }

  // ---- open / close ----

  /** NtCreateFile / NtOpenFile. */
  open(req: FsOpenRequest): FsOpenResult {
    try {
      return this.openInner(req);
    } catch (e) {
      if (e instanceof FsHostError) return fail(e.status);
      throw e;
    }
  }

  private openInner(req: FsOpenRequest): FsOpenResult {
    const caller = req.caller ?? NATIVE_CALLER;
    const { disposition, options, share } = req;
    let access = mapFileAccess(req.access);
    const attributes = req.attributes ?? 0;
    // Parameter checks of IopCreateFile, before any name lookup.
    if (disposition > FILE_MAXIMUM_DISPOSITION || options & ~FILE_VALID_OPTION_FLAGS)
      return fail(STATUS_INVALID_PARAMETER);
    if (share & ~FILE_SHARE_VALID_FLAGS || attributes & ~FILE_ATTRIBUTE_VALID_FLAGS)
      return fail(STATUS_INVALID_PARAMETER);
    const sync = options & (FILE_SYNCHRONOUS_IO_ALERT | FILE_SYNCHRONOUS_IO_NONALERT);
    if (
      sync !== 0 &&
      (sync === (FILE_SYNCHRONOUS_IO_ALERT | FILE_SYNCHRONOUS_IO_NONALERT) || !(access & SYNCHRONIZE))
    ) {
      return fail(STATUS_INVALID_PARAMETER);
    }
    if (options & FILE_DELETE_ON_CLOSE && !(access & DELETE)) return fail(STATUS_INVALID_PARAMETER);
    if (options & FILE_DIRECTORY_FILE) {
      if (options & FILE_NON_DIRECTORY_FILE || options & ~FILE_VALID_DIRECTORY_OPTIONS)
        return fail(STATUS_INVALID_PARAMETER);
      if (disposition !== FILE_CREATE && disposition !== FILE_OPEN && disposition !== FILE_OPEN_IF) {
        return fail(STATUS_INVALID_PARAMETER);
      }
    }
    if (options & FILE_OPEN_BY_FILE_ID) return fail(STATUS_NOT_SUPPORTED);

    const nt = this.fullNtPath(req.path, req.root, caller);
    if (typeof nt === "number") return fail(nt);
    const parsed = this.parseNtPath(nt);
    if (parsed.status !== 0) return fail(parsed.status);
    if ("device" in parsed) {
      const max = MAXIMUM_ALLOWED | FILE_GENERIC_READ | FILE_GENERIC_WRITE;
      const file = new FsFile(
        { kind: "device", device: parsed.device, path: "\\" + parsed.device },
        access & max,
        share,
        options,
      );
      return { status: STATUS_SUCCESS, information: FILE_OPENED, file };
    }
    if (!("components" in parsed)) return fail(STATUS_OBJECT_NAME_INVALID);
    const { components, trailingSlash } = parsed;
    const found = this.lookup(components);
    if (found.status !== STATUS_SUCCESS) return fail(found.status);
    const node = found.node;

    if (node === undefined) {
      const parent = found.parent as FsNode;
      if (disposition === FILE_OPEN || disposition === FILE_OVERWRITE) {
        return fail(STATUS_OBJECT_NAME_NOT_FOUND, FILE_DOES_NOT_EXIST);
      }
      if (trailingSlash && !(options & FILE_DIRECTORY_FILE)) return fail(STATUS_OBJECT_NAME_INVALID);
      if (this.isVirtual(parent) || parent.kind !== "host") return fail(STATUS_ACCESS_DENIED);
      if (this.state(parent)?.deletePending) return fail(STATUS_DELETE_PENDING);
      const name = components[components.length - 1];
      const hostPath = [...parent.host, name];
      const dir = (options & FILE_DIRECTORY_FILE) !== 0;
      if (dir) this.host.mkdir(hostPath);
      else this.host.createFile(hostPath);
      const created: FsNode = { kind: "host", host: hostPath, dir, path: this.join(parent, name) };
      const k = this.key(created);
      this.clearMeta(k);
      const set = attributes & FILE_ATTRIBUTE_VALID_SET_FLAGS & ~FILE_ATTRIBUTE_NORMAL;
      if (dir) {
        if (set !== 0) this.attrs.set(k, set);
      } else this.attrs.set(k, set | FILE_ATTRIBUTE_ARCHIVE);
      if (access & MAXIMUM_ALLOWED) access = FILE_ALL_ACCESS;
      return {
        status: STATUS_SUCCESS,
        information: FILE_CREATED,
        file: this.register(created, access, share, options),
      };
    }

    // The name exists.
    if (disposition === FILE_CREATE) return fail(STATUS_OBJECT_NAME_COLLISION, FILE_EXISTS);
    const isDir = this.isDir(node);
    if (isDir && options & FILE_NON_DIRECTORY_FILE) return fail(STATUS_FILE_IS_A_DIRECTORY);
    if (!isDir && options & FILE_DIRECTORY_FILE) return fail(STATUS_NOT_A_DIRECTORY);
    if (!isDir && trailingSlash) return fail(STATUS_OBJECT_NAME_INVALID);
    if (isDir && disposition !== FILE_OPEN && disposition !== FILE_OPEN_IF) {
      return fail(STATUS_OBJECT_NAME_COLLISION, FILE_EXISTS);
    }
    const st = this.state(node);
    if (st?.deletePending) return fail(STATUS_DELETE_PENDING);

    const overwrite =
      disposition === FILE_SUPERSEDE || disposition === FILE_OVERWRITE || disposition === FILE_OVERWRITE_IF;
    const info = this.basicInfoOf(node);
    const readonly = (info.attributes & FILE_ATTRIBUTE_READONLY) !== 0 && !isDir;
    if (this.isVirtual(node) || node.kind !== "host") {
      if (access & MAXIMUM_ALLOWED) access = VIRTUAL_ACCESS;
      if (access & ~VIRTUAL_ACCESS || overwrite) return fail(STATUS_ACCESS_DENIED);
    } else {
      if (access & MAXIMUM_ALLOWED)
        access = readonly ? FILE_ALL_ACCESS & ~(FILE_WRITE_DATA | FILE_APPEND_DATA) : FILE_ALL_ACCESS;
      if (readonly && (access & (FILE_WRITE_DATA | FILE_APPEND_DATA) || overwrite))
        return fail(STATUS_ACCESS_DENIED);
      if (readonly && options & FILE_DELETE_ON_CLOSE) return fail(STATUS_CANNOT_DELETE);
      // CreateFile: "If CREATE_ALWAYS and FILE_ATTRIBUTE_NORMAL are specified, CreateFile fails … with
      // ERROR_ACCESS_DENIED if the file exists and has the FILE_ATTRIBUTE_HIDDEN or FILE_ATTRIBUTE_SYSTEM".
      const hs = info.attributes & (FILE_ATTRIBUTE_HIDDEN | FILE_ATTRIBUTE_SYSTEM);
      if (overwrite && (hs & attributes) !== hs) return fail(STATUS_ACCESS_DENIED);
      if (isDir && options & FILE_DELETE_ON_CLOSE && components.length === 0)
        return fail(STATUS_CANNOT_DELETE);
    }
    if (st !== undefined && !this.shareOk(st, access, share)) return fail(STATUS_SHARING_VIOLATION);

    let information = FILE_OPENED;
    if (overwrite && node.kind === "host") {
      const f = this.host.open(node.host, true);
      try {
        f.setSize(0);
      } finally {
        f.close();
      }
      const k = this.key(node);
      const keep =
        disposition === FILE_SUPERSEDE
          ? 0
          : info.attributes & (FILE_ATTRIBUTE_HIDDEN | FILE_ATTRIBUTE_SYSTEM);
      this.attrs.set(
        k,
        (attributes & FILE_ATTRIBUTE_VALID_SET_FLAGS & ~FILE_ATTRIBUTE_NORMAL) |
          keep |
          FILE_ATTRIBUTE_ARCHIVE,
      );
      information = disposition === FILE_SUPERSEDE ? FILE_SUPERSEDED : FILE_OVERWRITTEN;
    }
    if (isDir && options & FILE_DELETE_ON_CLOSE && this.hasChildren(node))
      return fail(STATUS_DIRECTORY_NOT_EMPTY);
    return { status: STATUS_SUCCESS, information, file: this.register(node, access, share, options) };
  }

  /** IoCheckShareAccess: only opens with data access take part. */
  private shareOk(st: OpenState, access: number, share: number): boolean {
    if (!(access & DATA_ACCESS)) return true;
    for (const f of st.files) {
      if (!(f.access & DATA_ACCESS)) continue;
      if (access & (FILE_READ_DATA | FILE_EXECUTE) && !(f.share & FILE_SHARE_READ)) return false;
      if (access & (FILE_WRITE_DATA | FILE_APPEND_DATA) && !(f.share & FILE_SHARE_WRITE)) return false;
      if (access & DELETE && !(f.share & FILE_SHARE_DELETE)) return false;
      if (f.access & (FILE_READ_DATA | FILE_EXECUTE) && !(share & FILE_SHARE_READ)) return false;
      if (f.access & (FILE_WRITE_DATA | FILE_APPEND_DATA) && !(share & FILE_SHARE_WRITE)) return false;
      if (f.access & DELETE && !(share & FILE_SHARE_DELETE)) return false;
    }
    return true;
  }

  private register(node: FsNode, access: number, share: number, options: number): FsFile {
    const file = new FsFile(node, access, share, options);
    const k = this.key(node);
    let st = this.states.get(k);
    if (st === undefined) {
      st = { files: new Set(), deletePending: false };
      this.states.set(k, st);
    }
    st.files.add(file);
    return file;
  }

  private clearMeta(k: string): void {
    this.attrs.delete(k);
    this.creation.delete(k);
    this.ids.delete(k);
  }

  /** NtClose of the last handle to the file object (cleanup and close). */
  close(file: FsFile): void {
    if (file.closed) return;
    file.closed = true;
    file.hostFile?.close();
    file.hostFile = undefined;
    const k = this.key(file.node);
    const st = this.states.get(k);
    if (st === undefined) return;
    st.files.delete(file);
    if (file.options & FILE_DELETE_ON_CLOSE) st.deletePending = true;
    if (st.files.size > 0) return;
    this.states.delete(k);
    if (st.deletePending && file.node.kind === "host") {
      try {
        if (file.node.dir) this.host.rmdir(file.node.host);
        else this.host.unlink(file.node.host);
        this.clearMeta(k);
      } catch (e) {
        // A directory that gained children after its delete was requested stays (as on NTFS).
        if (!(e instanceof FsHostError)) throw e;
      }
    }
  }

  // ---- data ----

  private hostFileOf(file: FsFile): FsHostFile {
    if (file.hostFile === undefined) {
      if (file.node.kind !== "host") throw new Error("not a host file");
      file.hostFile = this.host.open(
        file.node.host,
        (file.access & (FILE_WRITE_DATA | FILE_APPEND_DATA)) !== 0,
      );
    }
    return file.hostFile;
  }

  private offsetFor(file: FsFile, offset: number | undefined): number {
    if (offset !== undefined) return offset;
    return file.synchronous ? file.position : -1;
  }

  /**
   * NtReadFile: up to `length` bytes at `offset` (undefined: the file pointer of a synchronous file).
   * STATUS_END_OF_FILE at or beyond the end (a zero-length read succeeds anywhere).
   */
  read(file: FsFile, length: number, offset?: number): { status: number; data: Uint8Array } {
    const none = new Uint8Array(0);
    if (file.closed) return { status: STATUS_INVALID_PARAMETER, data: none };
    if (!(file.access & FILE_READ_DATA)) return { status: STATUS_ACCESS_DENIED, data: none };
    if (file.isDirectory) return { status: STATUS_INVALID_DEVICE_REQUEST, data: none };
    const pos = this.offsetFor(file, offset);
    if (pos < 0) return { status: STATUS_INVALID_PARAMETER, data: none };
    if (file.node.kind === "device") {
      return {
        status: file.node.device === "NUL" ? STATUS_END_OF_FILE : STATUS_INVALID_DEVICE_REQUEST,
        data: none,
      };
    }
    if (length === 0) return { status: STATUS_SUCCESS, data: none };
    let data: Uint8Array;
    try {
      if (file.node.kind === "vfile") {
        const bytes = this.vbytes(file.node.v);
        data = pos >= bytes.length ? none : bytes.slice(pos, Math.min(bytes.length, pos + length));
      } else {
        const h = this.hostFileOf(file);
        const size = h.size;
        data = pos >= size ? none : new Uint8Array(Math.min(length, size - pos));
        if (data.length > 0) data = data.subarray(0, h.read(pos, data));
      }
    } catch (e) {
      if (e instanceof FsHostError) return { status: e.status, data: none };
      throw e;
    }
    if (data.length === 0) return { status: STATUS_END_OF_FILE, data };
    if (file.synchronous) file.position = pos + data.length;
    return { status: STATUS_SUCCESS, data };
  }

  /**
   * NtWriteFile at `offset` (undefined: the file pointer; "end": FILE_WRITE_TO_END_OF_FILE). A handle with
   * FILE_APPEND_DATA but not FILE_WRITE_DATA always writes at the end.
   */
  write(file: FsFile, data: Uint8Array, offset?: number | "end"): { status: number; written: number } {
    if (file.closed) return { status: STATUS_INVALID_PARAMETER, written: 0 };
    if (!(file.access & (FILE_WRITE_DATA | FILE_APPEND_DATA)))
      return { status: STATUS_ACCESS_DENIED, written: 0 };
    if (file.isDirectory) return { status: STATUS_INVALID_DEVICE_REQUEST, written: 0 };
    if (file.node.kind === "device") {
      return file.node.device === "NUL"
        ? { status: STATUS_SUCCESS, written: data.length }
        : { status: STATUS_INVALID_DEVICE_REQUEST, written: 0 };
    }
    if (file.node.kind !== "host") return { status: STATUS_ACCESS_DENIED, written: 0 };
    try {
      const h = this.hostFileOf(file);
      const appendOnly = !(file.access & FILE_WRITE_DATA);
      const pos = offset === "end" || appendOnly ? h.size : this.offsetFor(file, offset);
      if (pos < 0) return { status: STATUS_INVALID_PARAMETER, written: 0 };
      if (data.length > 0) h.write(pos, data);
      if (file.synchronous) file.position = pos + data.length;
      return { status: STATUS_SUCCESS, written: data.length };
    } catch (e) {
      if (e instanceof FsHostError) return { status: e.status, written: 0 };
      throw e;
    }
  }

  // ---- information ----

  /** FileBasicInformation (needs FILE_READ_ATTRIBUTES). */
  queryBasic(file: FsFile): { status: number; info?: FsBasicInfo } {
    if (!(file.access & FILE_READ_ATTRIBUTES)) return { status: STATUS_ACCESS_DENIED };
    return { status: STATUS_SUCCESS, info: this.basicInfoOf(file.node) };
  }

  /** FileStandardInformation. */
  queryStandard(file: FsFile): FsStandardInfo {
    const size = this.sizeOf(file.node);
    const dir = file.isDirectory;
    return {
      allocationSize: dir ? 0 : Math.ceil(size / CLUSTER_SIZE) * CLUSTER_SIZE,
      endOfFile: dir ? 0 : size,
      numberOfLinks: 1,
      deletePending: this.state(file.node)?.deletePending ?? false,
      directory: dir,
    };
  }

  /** FileBasicInformation set: zero times and attributes mean "unchanged" (needs FILE_WRITE_ATTRIBUTES). */
  setBasic(file: FsFile, info: FsBasicInfo): number {
    if (!(file.access & FILE_WRITE_ATTRIBUTES)) return STATUS_ACCESS_DENIED;
    const node = file.node;
    if (node.kind !== "host") return STATUS_ACCESS_DENIED;
    if (info.attributes & FILE_ATTRIBUTE_DIRECTORY && !node.dir) return STATUS_INVALID_PARAMETER;
    const k = this.key(node);
    const neg = (t: bigint): boolean => t === 0n || t === -1n || t === 0xffffffffffffffffn;
    try {
      if (!neg(info.lastAccessTime) || !neg(info.lastWriteTime)) {
        const cur = this.basicInfoOf(node);
        const a = neg(info.lastAccessTime) ? cur.lastAccessTime : info.lastAccessTime;
        const w = neg(info.lastWriteTime) ? cur.lastWriteTime : info.lastWriteTime;
        this.host.setTimes(node.host, fileTimeToMs(a), fileTimeToMs(w));
      }
    } catch (e) {
      if (e instanceof FsHostError) return e.status;
      throw e;
    }
    if (!neg(info.creationTime)) this.creation.set(k, info.creationTime);
    if (info.attributes !== 0) {
      const a = info.attributes & FILE_ATTRIBUTE_VALID_SET_FLAGS & ~FILE_ATTRIBUTE_NORMAL;
      this.attrs.set(k, node.dir ? a & ~FILE_ATTRIBUTE_READONLY : a);
    }
    return STATUS_SUCCESS;
  }

  /** FilePositionInformation. */
  setPosition(file: FsFile, position: number): number {
    if (position < 0) return STATUS_INVALID_PARAMETER;
    file.position = position;
    return STATUS_SUCCESS;
  }

  /** FileEndOfFileInformation (needs FILE_WRITE_DATA); FileAllocationInformation when `allocation`. */
  setEndOfFile(file: FsFile, size: number, allocation = false): number {
    if (!(file.access & FILE_WRITE_DATA)) return STATUS_ACCESS_DENIED;
    if (file.isDirectory || file.node.kind !== "host") return STATUS_INVALID_PARAMETER;
    if (size < 0) return STATUS_INVALID_PARAMETER;
    try {
      const h = this.hostFileOf(file);
      if (!allocation || size < h.size) h.setSize(size);
    } catch (e) {
      if (e instanceof FsHostError) return e.status;
      throw e;
    }
    return STATUS_SUCCESS;
  }

  private hasChildren(node: FsNode): boolean {
    if (node.kind === "vdir") return node.v.children.size > 0;
    if (node.kind === "host" && node.dir) {
      return (node.overlay?.children.size ?? 0) > 0 || this.host.list(node.host).length > 0;
    }
    return false;
  }

  /** FileDispositionInformation (DeleteFile) or, with `flags`, FileDispositionInformationEx. */
  setDisposition(file: FsFile, del: boolean, flags = del ? FILE_DISPOSITION_DELETE : 0): number {
    if (!(file.access & DELETE)) return STATUS_ACCESS_DENIED;
    const node = file.node;
    if (node.kind !== "host") return STATUS_ACCESS_DENIED;
    const st = this.state(node);
    if (st === undefined) return STATUS_INVALID_PARAMETER;
    if (flags & FILE_DISPOSITION_DELETE) {
      if (node.path === "\\") return STATUS_CANNOT_DELETE;
      if (node.dir && this.hasChildren(node)) return STATUS_DIRECTORY_NOT_EMPTY;
      const ro = (this.basicInfoOf(node).attributes & FILE_ATTRIBUTE_READONLY) !== 0;
      if (ro && !(flags & FILE_DISPOSITION_IGNORE_READONLY_ATTRIBUTE)) return STATUS_CANNOT_DELETE;
      st.deletePending = true;
    } else st.deletePending = false;
    return STATUS_SUCCESS;
  }

  /**
   * FileRenameInformation: `target` is a full NT path, a name relative to `root`, or (no backslash, no
   * root) a new name in the same directory. Needs DELETE on the file.
   */
  rename(
    file: FsFile,
    target: string,
    replace: boolean,
    root?: FsFile,
    caller: FsCaller = NATIVE_CALLER,
  ): number {
    try {
      return this.renameInner(file, target, replace, root, caller);
    } catch (e) {
      if (e instanceof FsHostError) return e.status;
      throw e;
    }
  }

  private renameInner(
    file: FsFile,
    target: string,
    replace: boolean,
    root: FsFile | undefined,
    caller: FsCaller,
  ): number {
    if (!(file.access & DELETE)) return STATUS_ACCESS_DENIED;
    const node = file.node;
    if (node.kind !== "host" || node.path === "\\") return STATUS_ACCESS_DENIED;
    let nt: string | number;
    if (root === undefined && !target.includes("\\")) {
      const parentPath = node.path.slice(0, node.path.lastIndexOf("\\"));
      nt = "\\??\\C:" + parentPath + "\\" + target;
    } else nt = this.fullNtPath(target, root, caller);
    if (typeof nt === "number") return nt;
    const parsed = this.parseNtPath(nt);
    if (parsed.status !== 0) return parsed.status;
    if (!("components" in parsed) || parsed.components.length === 0) return STATUS_OBJECT_NAME_INVALID;
    const found = this.lookup(parsed.components);
    if (found.status !== STATUS_SUCCESS) return found.status;
    const parent = found.parent as FsNode;
    if (parent.kind !== "host" || this.isVirtual(parent)) return STATUS_ACCESS_DENIED;
    const name = parsed.components[parsed.components.length - 1];
    const oldKey = this.key(node);
    const existing = found.node;
    const same = existing !== undefined && this.key(existing) === oldKey;
    if (existing !== undefined && !same) {
      if (!replace) return STATUS_OBJECT_NAME_COLLISION;
      if (this.isDir(existing) || existing.kind !== "host") return STATUS_ACCESS_DENIED;
      if ((this.state(existing)?.files.size ?? 0) > 0) return STATUS_ACCESS_DENIED;
      if (this.basicInfoOf(existing).attributes & FILE_ATTRIBUTE_READONLY) return STATUS_ACCESS_DENIED;
    }
    // A directory with open files below it cannot move.
    for (const [k, st] of this.states)
      if (k.startsWith(oldKey + "\\") && st.files.size > 0) return STATUS_ACCESS_DENIED;
    const to = [...parent.host, name];
    if (existing !== undefined && !same && existing.kind === "host") {
      this.host.unlink(existing.host);
      this.clearMeta(this.key(existing));
    }
    for (const f of this.states.get(oldKey)?.files ?? []) {
      f.hostFile?.close();
      f.hostFile = undefined;
    }
    this.host.rename(node.host, to);
    const moved: FsNode = { kind: "host", host: to, dir: node.dir, path: this.join(parent, name) };
    const newKey = this.key(moved);
    const st = this.states.get(oldKey);
    if (st !== undefined) {
      this.states.delete(oldKey);
      this.states.set(newKey, st);
      for (const f of st.files) f.node = moved;
    }
    for (const m of [this.attrs, this.creation, this.ids] as Map<string, number | bigint>[]) {
      const v = m.get(oldKey);
      if (v !== undefined) {
        m.delete(oldKey);
        m.set(newKey, v);
      }
    }
    return STATUS_SUCCESS;
  }

  // ---- directories ----

  /** The entries of a directory in NTFS order (upper-cased names, by code unit), `.` and `..` first. */
  listDirectory(dir: FsNode): FsDirEntry[] {
    const entries: FsDirEntry[] = [];
    const names = new Map<string, FsNode>();
    const virtual = dir.kind === "vdir" ? dir.v : dir.kind === "host" ? dir.overlay : undefined;
    for (const v of virtual?.children.values() ?? []) {
      const path = this.join(dir, v.name);
      names.set(upcase(v.name), v.kind === "vdir" ? { kind: "vdir", v, path } : { kind: "vfile", v, path });
    }
    if (dir.kind === "host") {
      for (const n of this.host.list(dir.host)) {
        if (INVALID_NAME_CHARS.test(n) || n.length > 255 || names.has(upcase(n))) continue;
        const host = [...dir.host, n];
        const st = this.host.stat(host);
        if (st !== undefined)
          names.set(upcase(n), { kind: "host", host, dir: st.directory, path: this.join(dir, n) });
      }
    }
    const sorted = [...names.entries()].sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));
    if (dir.path !== "\\") {
      entries.push(this.entryOf(dir, "."));
      const parentPath = dir.path.slice(0, dir.path.lastIndexOf("\\")) || "\\";
      const parsed = this.parseRelative(parentPath, true);
      const parent = "components" in parsed ? this.lookup(parsed.components).node : undefined;
      entries.push(this.entryOf(parent ?? dir, ".."));
    }
    for (const [, node] of sorted) {
      const name = node.path.slice(node.path.lastIndexOf("\\") + 1);
      entries.push(this.entryOf(node, name));
    }
    return entries;
  }

  /**
   * NtQueryDirectoryFile's choice of entries: the expression of the first query sticks (a later one is
   * ignored unless `restart`); no expression means `*`. Returns up to `max` entries, or
   * STATUS_NO_SUCH_FILE when the first query matches nothing and STATUS_NO_MORE_FILES at the end.
   * `putBack(n)` returns unconsumed entries (the caller's buffer was full).
   */
  queryDirectory(
    file: FsFile,
    opts: { expression?: string; restart?: boolean; max?: number },
  ): { status: number; entries: FsDirEntry[] } {
    if (file.node.kind === "device" || !file.isDirectory)
      return { status: STATUS_INVALID_PARAMETER, entries: [] };
    if (!(file.access & FILE_LIST_DIRECTORY)) return { status: STATUS_ACCESS_DENIED, entries: [] };
    let first = false;
    if (file.enumeration === undefined || opts.restart === true) {
      first = file.enumeration === undefined;
      const expression =
        opts.expression !== undefined && opts.expression.length > 0
          ? opts.expression
          : (file.enumeration?.expression ?? "*");
      let all: FsDirEntry[];
      try {
        all = this.listDirectory(file.node);
      } catch (e) {
        if (e instanceof FsHostError) return { status: e.status, entries: [] };
        throw e;
      }
      const wild = containsWildcards(expression);
      const entries = all.filter((e) =>
        wild ? isNameInExpression(expression, e.name, true) : upcase(e.name) === upcase(expression),
      );
      file.enumeration = { expression, entries, index: 0 };
    }
    const en = file.enumeration;
    if (en.index >= en.entries.length) {
      return {
        status: first && en.entries.length === 0 ? STATUS_NO_SUCH_FILE : STATUS_NO_MORE_FILES,
        entries: [],
      };
    }
    const take = en.entries.slice(en.index, en.index + (opts.max ?? en.entries.length));
    en.index += take.length;
    return { status: STATUS_SUCCESS, entries: take };
  }

  /** Un-consumes `n` entries of the current enumeration (those that did not fit in the caller's buffer). */
  putBack(file: FsFile, n: number): void {
    if (file.enumeration !== undefined) file.enumeration.index = Math.max(0, file.enumeration.index - n);
  }

  // ---- by name ----

  /** NtQueryAttributesFile / NtQueryFullAttributesFile. */
  queryAttributes(
    path: string,
    caller: FsCaller = NATIVE_CALLER,
    root?: FsFile,
  ): { status: number; info?: FsBasicInfo; endOfFile?: number; allocationSize?: number } {
    const r = this.open({
      path,
      root,
      access: FILE_READ_ATTRIBUTES,
      share: FILE_SHARE_READ | FILE_SHARE_WRITE | FILE_SHARE_DELETE,
      disposition: FILE_OPEN,
      options: 0,
      caller,
    });
    if (r.file === undefined) return { status: r.status };
    const info = this.basicInfoOf(r.file.node);
    const std = this.queryStandard(r.file);
    this.close(r.file);
    return { status: STATUS_SUCCESS, info, endOfFile: std.endOfFile, allocationSize: std.allocationSize };
  }

  /** NtDeleteFile. */
  deleteFile(path: string, caller: FsCaller = NATIVE_CALLER, root?: FsFile): number {
    const r = this.open({
      path,
      root,
      access: DELETE,
      share: FILE_SHARE_READ | FILE_SHARE_WRITE | FILE_SHARE_DELETE,
      disposition: FILE_OPEN,
      options: 0,
      caller,
    });
    if (r.file === undefined) return r.status;
    const status = this.setDisposition(r.file, true);
    this.close(r.file);
    return status;
  }
}
