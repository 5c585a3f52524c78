/**
 * A drive made of a base host with other hosts mounted as top-level folders: the CLI's default drive C:
 * is an in-memory volume with the program's own host folder as `C:\app` (`new MountFsHost(new
 * MemoryFsHost(), { app: new NodeFsHost(folder) })`). Each mounted host keeps its own containment; a
 * mount point cannot be removed or renamed, and nothing moves between hosts (STATUS_NOT_SAME_DEVICE).
 */
import { type FsHost, type FsHostFile, type FsHostStat, type HostPath, FsHostError } from "./host";
import { STATUS_ACCESS_DENIED, STATUS_NOT_SAME_DEVICE, STATUS_OBJECT_NAME_COLLISION } from "./status";

export class MountFsHost implements FsHost {
  private readonly mounts = new Map<string, { name: string; host: FsHost }>();

  constructor(
    private readonly base: FsHost,
    mounts: Readonly<Record<string, FsHost>>,
  ) {
    for (const [name, host] of Object.entries(mounts)) this.mounts.set(name.toUpperCase(), { name, host });
  }

  /** The host and its path for `path`; `mountPoint` when `path` is a mount point itself. */
  private route(path: HostPath): { host: FsHost; path: HostPath; mountPoint: boolean } {
    if (path.length > 0) {
      const m = this.mounts.get(path[0].toUpperCase());
      if (m !== undefined) return { host: m.host, path: path.slice(1), mountPoint: path.length === 1 };
    }
    return { host: this.base, path, mountPoint: false };
  }

  stat(path: HostPath): FsHostStat | undefined {
    const r = this.route(path);
    return r.host.stat(r.path);
  }

  list(path: HostPath): string[] {
    const r = this.route(path);
    const names = r.host.list(r.path);
    if (path.length > 0) return names;
    const upper = new Set(names.map((n) => n.toUpperCase()));
    for (const [u, m] of this.mounts) if (!upper.has(u)) names.push(m.name);
    return names;
  }

  open(path: HostPath, writable: boolean): FsHostFile {
    const r = this.route(path);
    return r.host.open(r.path, writable);
  }

  createFile(path: HostPath): void {
    const r = this.route(path);
    if (r.mountPoint) throw new FsHostError(STATUS_OBJECT_NAME_COLLISION, "a mount point");
    r.host.createFile(r.path);
  }

  mkdir(path: HostPath): void {
    const r = this.route(path);
    if (r.mountPoint) throw new FsHostError(STATUS_OBJECT_NAME_COLLISION, "a mount point");
    r.host.mkdir(r.path);
  }

  unlink(path: HostPath): void {
    const r = this.route(path);
    if (r.mountPoint) throw new FsHostError(STATUS_ACCESS_DENIED, "a mount point");
    r.host.unlink(r.path);
  }

  rmdir(path: HostPath): void {
    const r = this.route(path);
    if (r.mountPoint) throw new FsHostError(STATUS_ACCESS_DENIED, "a mount point");
    r.host.rmdir(r.path);
  }

  rename(from: HostPath, to: HostPath): void {
    const a = this.route(from);
    const b = this.route(to);
    if (a.mountPoint || b.mountPoint) throw new FsHostError(STATUS_ACCESS_DENIED, "a mount point");
    if (a.host !== b.host) throw new FsHostError(STATUS_NOT_SAME_DEVICE, "across mounted folders");
    a.host.rename(a.path, b.path);
  }

  setTimes(path: HostPath, accessMs: number, writeMs: number): void {
    const r = this.route(path);
    r.host.setTimes(r.path, accessMs, writeMs);
  }
}
