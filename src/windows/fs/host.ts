/**
 * The host folder behind drive C:, behind a small interface (the FileAccessor pattern of
 * vscode-mock-debug): `node-host.ts` implements it with Node's fs on a real sandbox folder, `MemoryFsHost`
 * keeps a tree in memory for tests. The virtual file system above does all Windows semantics; a host only
 * stores bytes and names.
 *
 * Paths are arrays of host-exact component names below the sandbox root (`[]` is the root). A host must
 * refuse anything that would leave the root: a component that is empty, `.`, `..`, or contains a
 * separator, NUL or `:` — and (Node) a symbolic link or junction whose target lies outside. Refusals and
 * failures throw `FsHostError` with the NTSTATUS to report.
 */
import type { HostFile } from "../memory/host-file";
import {
  STATUS_ACCESS_DENIED,
  STATUS_DIRECTORY_NOT_EMPTY,
  STATUS_OBJECT_NAME_COLLISION,
  STATUS_OBJECT_NAME_NOT_FOUND,
  STATUS_OBJECT_PATH_NOT_FOUND,
} from "./status";

export type HostPath = readonly string[];

export interface FsHostStat {
  directory: boolean;
  size: number;
  /** The host denies writing (read-only file or folder). */
  readonly: boolean;
  /** Milliseconds since 1970 (Date.now() scale). */
  accessMs: number;
  writeMs: number;
  changeMs: number;
  birthMs: number;
}

/** An open host file: `HostFile` (as file-backed sections use) plus close. */
export interface FsHostFile extends HostFile {
  close(): void;
}

export interface FsHost {
  /** The entry at `path` (links followed, if contained), or undefined when it does not exist. */
  stat(path: HostPath): FsHostStat | undefined;
  /** The names in a directory (entries that escape the sandbox are left out). */
  list(path: HostPath): string[];
  /** Opens an existing file. */
  open(path: HostPath, writable: boolean): FsHostFile;
  /** Creates an empty file; STATUS_OBJECT_NAME_COLLISION if the name exists. */
  createFile(path: HostPath): void;
  mkdir(path: HostPath): void;
  unlink(path: HostPath): void;
  rmdir(path: HostPath): void;
  /** Moves an entry; replaces an existing file at `to` (the caller decides whether that is allowed). */
  rename(from: HostPath, to: HostPath): void;
  /** Sets access and write times (milliseconds since 1970). */
  setTimes(path: HostPath, accessMs: number, writeMs: number): void;
}

export class FsHostError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

/** The check every host applies to a component name. */
export function checkHostComponent(name: string): void {
  if (name.length === 0 || name === "." || name === ".." || /[\\/\0:]/.test(name)) {
    throw new FsHostError(STATUS_ACCESS_DENIED, `refused host path component ${JSON.stringify(name)}`);
  }
}

interface MemNode {
  dir?: Map<string, MemNode>;
  file?: MemFile;
  readonly: boolean;
  accessMs: number;
  writeMs: number;
  changeMs: number;
  birthMs: number;
}

class MemFile implements FsHostFile {
  data = new Uint8Array(0);
  constructor(private readonly node: MemNode) {}
  get size(): number {
    return this.data.length;
  }
  get writable(): boolean {
    return !this.node.readonly;
  }
  read(position: number, dst: Uint8Array): number {
    if (position >= this.data.length) return 0;
    const n = Math.min(dst.length, this.data.length - position);
    dst.set(this.data.subarray(position, position + n));
    return n;
  }
  write(position: number, data: Uint8Array): void {
    if (position + data.length > this.data.length) this.setSize(position + data.length);
    this.data.set(data, position);
  }
  setSize(size: number): void {
    const d = new Uint8Array(size);
    d.set(this.data.subarray(0, Math.min(size, this.data.length)));
    this.data = d;
  }
  close(): void {}
}

/** An in-memory host: case-sensitive names (like a Linux folder), a clock for the times. */
export class MemoryFsHost implements FsHost {
  private readonly root: MemNode;

  constructor(private readonly now: () => number = () => 1700000000000) {
    this.root = this.node(true);
  }

  private node(dir: boolean): MemNode {
    const t = this.now();
    const n: MemNode = { readonly: false, accessMs: t, writeMs: t, changeMs: t, birthMs: t };
    if (dir) n.dir = new Map();
    else n.file = new MemFile(n);
    return n;
  }

  private find(path: HostPath): MemNode | undefined {
    let n: MemNode | undefined = this.root;
    for (const c of path) {
      checkHostComponent(c);
      if (n?.dir === undefined) return undefined;
      n = n.dir.get(c);
    }
    return n;
  }

  private parent(path: HostPath): Map<string, MemNode> {
    if (path.length === 0) throw new FsHostError(STATUS_ACCESS_DENIED, "the root");
    const p = this.find(path.slice(0, -1));
    if (p?.dir === undefined) throw new FsHostError(STATUS_OBJECT_PATH_NOT_FOUND, path.join("/"));
    checkHostComponent(path[path.length - 1]);
    return p.dir;
  }

  private must(path: HostPath): MemNode {
    const n = this.find(path);
    if (n === undefined) throw new FsHostError(STATUS_OBJECT_NAME_NOT_FOUND, path.join("/"));
    return n;
  }

  stat(path: HostPath): FsHostStat | undefined {
    const n = this.find(path);
    if (n === undefined) return undefined;
    return {
      directory: n.dir !== undefined,
      size: n.file?.size ?? 0,
      readonly: n.readonly,
      accessMs: n.accessMs,
      writeMs: n.writeMs,
      changeMs: n.changeMs,
      birthMs: n.birthMs,
    };
  }

  list(path: HostPath): string[] {
    const n = this.must(path);
    if (n.dir === undefined) throw new FsHostError(STATUS_OBJECT_PATH_NOT_FOUND, path.join("/"));
    return [...n.dir.keys()];
  }

  open(path: HostPath, writable: boolean): FsHostFile {
    const n = this.must(path);
    if (n.file === undefined) throw new FsHostError(STATUS_ACCESS_DENIED, "a directory");
    if (writable && n.readonly) throw new FsHostError(STATUS_ACCESS_DENIED, "read-only");
    const file = n.file;
    const touch = (): void => {
      n.writeMs = n.changeMs = this.now();
    };
    return {
      get size() {
        return file.size;
      },
      writable,
      read: (p, d) => file.read(p, d),
      write: (p, d) => {
        file.write(p, d);
        touch();
      },
      setSize: (s) => {
        file.setSize(s);
        touch();
      },
      close: () => {},
    };
  }

  private add(path: HostPath, dir: boolean): void {
    const p = this.parent(path);
    const name = path[path.length - 1];
    if (p.has(name)) throw new FsHostError(STATUS_OBJECT_NAME_COLLISION, path.join("/"));
    p.set(name, this.node(dir));
  }

  createFile(path: HostPath): void {
    this.add(path, false);
  }

  mkdir(path: HostPath): void {
    this.add(path, true);
  }

  unlink(path: HostPath): void {
    const n = this.must(path);
    if (n.file === undefined) throw new FsHostError(STATUS_ACCESS_DENIED, "a directory");
    this.parent(path).delete(path[path.length - 1]);
  }

  rmdir(path: HostPath): void {
    const n = this.must(path);
    if (n.dir === undefined) throw new FsHostError(STATUS_ACCESS_DENIED, "not a directory");
    if (n.dir.size > 0) throw new FsHostError(STATUS_DIRECTORY_NOT_EMPTY, path.join("/"));
    this.parent(path).delete(path[path.length - 1]);
  }

  rename(from: HostPath, to: HostPath): void {
    const n = this.must(from);
    const target = this.parent(to);
    const existing = target.get(to[to.length - 1]);
    if (existing?.dir !== undefined) throw new FsHostError(STATUS_ACCESS_DENIED, "target is a directory");
    this.parent(from).delete(from[from.length - 1]);
    target.set(to[to.length - 1], n);
    n.changeMs = this.now();
  }

  setTimes(path: HostPath, accessMs: number, writeMs: number): void {
    const n = this.must(path);
    n.accessMs = accessMs;
    n.writeMs = writeMs;
  }

  /** Test helper: a file with contents, parents created as needed. */
  put(path: string, contents: Uint8Array | string = ""): void {
    const parts = path.split("/").filter((s) => s.length > 0);
    for (let i = 1; i < parts.length; i++)
      if (this.find(parts.slice(0, i)) === undefined) this.mkdir(parts.slice(0, i));
    if (this.find(parts) === undefined) this.createFile(parts);
    const f = this.must(parts).file;
    if (f === undefined) throw new Error(`${path} is a directory`);
    f.data = typeof contents === "string" ? new TextEncoder().encode(contents) : contents.slice();
  }

  /** Test helper: a directory, parents created as needed. */
  putDir(path: string): void {
    const parts = path.split("/").filter((s) => s.length > 0);
    for (let i = 1; i <= parts.length; i++)
      if (this.find(parts.slice(0, i)) === undefined) this.mkdir(parts.slice(0, i));
  }

  /** Test helper: marks an entry read-only on the host. */
  setReadonly(path: string, readonly: boolean): void {
    this.must(path.split("/").filter((s) => s.length > 0)).readonly = readonly;
  }

  /** Test helper: a file's contents, or undefined. */
  get(path: string): Uint8Array | undefined {
    return this.find(path.split("/").filter((s) => s.length > 0))?.file?.data;
  }
}
