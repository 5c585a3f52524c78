/**
 * The sandbox host on Node: drive C: is a real folder. The only Node code of the file system.
 *
 * Containment: every component is checked (`checkHostComponent`), and the real path (fs.realpathSync) of
 * an existing entry — or of the parent of one being created — must be the sandbox root or lie below it,
 * so a symbolic link or junction in the folder that points outside is refused (STATUS_ACCESS_DENIED) and
 * left out of listings. Files are created with O_EXCL ("wx"), which does not follow a link at the final
 * component. The guest cannot create links; a host user changing the folder while the guest runs is not
 * defended against.
 */
import * as fs from "node:fs";
import * as nodePath from "node:path";
import type { FsHost, FsHostFile, FsHostStat, HostPath } from "./host";
import { checkHostComponent, FsHostError } from "./host";
import {
  STATUS_ACCESS_DENIED,
  STATUS_DIRECTORY_NOT_EMPTY,
  STATUS_DISK_FULL,
  STATUS_OBJECT_NAME_COLLISION,
  STATUS_OBJECT_NAME_NOT_FOUND,
  STATUS_OBJECT_PATH_NOT_FOUND,
  STATUS_UNSUCCESSFUL,
} from "./status";

function errnoStatus(e: unknown): number {
  const code = (e as NodeJS.ErrnoException).code;
  switch (code) {
    case "ENOENT":
      return STATUS_OBJECT_NAME_NOT_FOUND;
    case "ENOTDIR":
      return STATUS_OBJECT_PATH_NOT_FOUND;
    case "EEXIST":
      return STATUS_OBJECT_NAME_COLLISION;
    case "ENOTEMPTY":
      return STATUS_DIRECTORY_NOT_EMPTY;
    case "EACCES":
    case "EPERM":
    case "EISDIR":
    case "EROFS":
    case "ELOOP":
      return STATUS_ACCESS_DENIED;
    case "ENOSPC":
    case "EDQUOT":
      return STATUS_DISK_FULL;
    default:
      return STATUS_UNSUCCESSFUL;
  }
}

function hostCall<T>(f: () => T): T {
  try {
    return f();
  } catch (e) {
    if (e instanceof FsHostError) throw e;
    throw new FsHostError(errnoStatus(e), (e as Error).message);
  }
}

class NodeFsHostFile implements FsHostFile {
  private closed = false;
  constructor(
    private readonly fd: number,
    readonly writable: boolean,
  ) {}
  get size(): number {
    return hostCall(() => fs.fstatSync(this.fd).size);
  }
  read(position: number, dst: Uint8Array): number {
    return hostCall(() => {
      let done = 0;
      while (done < dst.length) {
        const n = fs.readSync(this.fd, dst, done, dst.length - done, position + done);
        if (n === 0) break;
        done += n;
      }
      return done;
    });
  }
  write(position: number, data: Uint8Array): void {
    hostCall(() => {
      let done = 0;
      while (done < data.length)
        done += fs.writeSync(this.fd, data, done, data.length - done, position + done);
    });
  }
  setSize(size: number): void {
    hostCall(() => fs.ftruncateSync(this.fd, size));
  }
  close(): void {
    if (!this.closed) fs.closeSync(this.fd);
    this.closed = true;
  }
}

export class NodeFsHost implements FsHost {
  /** The sandbox root as given and as its real path. */
  readonly root: string;
  private readonly rootReal: string;

  constructor(root: string) {
    this.root = nodePath.resolve(root);
    this.rootReal = fs.realpathSync(this.root);
  }

  private inside(real: string): boolean {
    return real === this.rootReal || real.startsWith(this.rootReal + nodePath.sep);
  }

  private join(path: HostPath): string {
    for (const c of path) checkHostComponent(c);
    return nodePath.join(this.root, ...path);
  }

  /** The host path of an existing entry, contained; undefined if it does not exist. */
  private existing(path: HostPath): string | undefined {
    const full = this.join(path);
    try {
      fs.lstatSync(full);
    } catch (e) {
      const s = errnoStatus(e);
      if (s === STATUS_OBJECT_NAME_NOT_FOUND || s === STATUS_OBJECT_PATH_NOT_FOUND) return undefined;
      throw new FsHostError(s, (e as Error).message);
    }
    let real: string;
    try {
      real = fs.realpathSync(full);
    } catch {
      // A dangling link: its target cannot be checked, so it is refused.
      throw new FsHostError(STATUS_ACCESS_DENIED, `unresolvable link ${full}`);
    }
    if (!this.inside(real)) throw new FsHostError(STATUS_ACCESS_DENIED, `${full} leads outside the sandbox`);
    return real;
  }

  private must(path: HostPath): string {
    const p = this.existing(path);
    if (p === undefined) throw new FsHostError(STATUS_OBJECT_NAME_NOT_FOUND, path.join("/"));
    return p;
  }

  /** The host path for a new entry: its parent must exist inside the sandbox. */
  private fresh(path: HostPath): string {
    if (path.length === 0) throw new FsHostError(STATUS_ACCESS_DENIED, "the root");
    const parent = this.existing(path.slice(0, -1));
    if (parent === undefined) throw new FsHostError(STATUS_OBJECT_PATH_NOT_FOUND, path.join("/"));
    const name = path[path.length - 1];
    checkHostComponent(name);
    return nodePath.join(parent, name);
  }

  stat(path: HostPath): FsHostStat | undefined {
    const p = this.existing(path);
    if (p === undefined) return undefined;
    return hostCall(() => {
      const st = fs.statSync(p);
      return {
        directory: st.isDirectory(),
        size: st.isDirectory() ? 0 : st.size,
        readonly: (st.mode & 0o200) === 0,
        accessMs: st.atimeMs,
        writeMs: st.mtimeMs,
        changeMs: st.ctimeMs,
        birthMs: st.birthtimeMs > 0 ? st.birthtimeMs : st.mtimeMs,
      };
    });
  }

  list(path: HostPath): string[] {
    const p = this.must(path);
    const entries = hostCall(() => fs.readdirSync(p, { withFileTypes: true }));
    const out: string[] = [];
    for (const e of entries) {
      if (e.isSymbolicLink()) {
        try {
          if (!this.inside(fs.realpathSync(nodePath.join(p, e.name)))) continue;
        } catch {
          continue;
        }
      }
      out.push(e.name);
    }
    return out;
  }

  open(path: HostPath, writable: boolean): FsHostFile {
    const p = this.must(path);
    return hostCall(() => new NodeFsHostFile(fs.openSync(p, writable ? "r+" : "r"), writable));
  }

  createFile(path: HostPath): void {
    const p = this.fresh(path);
    hostCall(() => fs.closeSync(fs.openSync(p, "wx")));
  }

  mkdir(path: HostPath): void {
    const p = this.fresh(path);
    hostCall(() => fs.mkdirSync(p));
  }

  unlink(path: HostPath): void {
    this.must(path);
    const p = this.fresh(path);
    hostCall(() => fs.unlinkSync(p));
  }

  rmdir(path: HostPath): void {
    this.must(path);
    const p = this.fresh(path);
    hostCall(() => fs.rmdirSync(p));
  }

  rename(from: HostPath, to: HostPath): void {
    this.must(from);
    const a = this.fresh(from);
    const b = this.fresh(to);
    hostCall(() => fs.renameSync(a, b));
  }

  setTimes(path: HostPath, accessMs: number, writeMs: number): void {
    const p = this.must(path);
    hostCall(() => fs.utimesSync(p, accessMs / 1000, writeMs / 1000));
  }
}
