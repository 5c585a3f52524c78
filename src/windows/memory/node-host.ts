/**
 * The memory manager's host services on Node: files for file-backed sections, and default limits derived
 * from the host's memory. Kept apart from the core, which uses no Node API.
 */
import * as fs from "node:fs";
import * as os from "node:os";
import type { HostFile } from "./host-file";
import type { MemoryManagerOptions } from "./manager";

export class NodeHostFile implements HostFile {
  private closed = false;

  private constructor(
    private readonly fd: number,
    readonly writable: boolean,
  ) {}

  static open(path: string, writable: boolean): NodeHostFile {
    return new NodeHostFile(fs.openSync(path, writable ? "r+" : "r"), writable);
  }

  get size(): number {
    return fs.fstatSync(this.fd).size;
  }

  read(position: number, dst: Uint8Array): number {
    let done = 0;
    while (done < dst.length) {
      const n = fs.readSync(this.fd, dst, done, dst.length - done, position + done);
      if (n === 0) break;
      done += n;
    }
    return done;
  }

  write(position: number, data: Uint8Array): void {
    let done = 0;
    while (done < data.length) done += fs.writeSync(this.fd, data, done, data.length - done, position + done);
  }

  setSize(size: number): void {
    fs.ftruncateSync(this.fd, size);
  }

  close(): void {
    if (!this.closed) fs.closeSync(this.fd);
    this.closed = true;
  }
}

/**
 * Limits for a MemoryManager on this host: the commit limit is half the machine's memory, so the guest can
 * never make the host run out of memory (every byte of guest memory is committed before it is touched); the
 * working set is an eighth of it, at most 2 GB.
 */
export function hostMemoryOptions(): MemoryManagerOptions {
  const total = os.totalmem();
  return { commitLimit: Math.floor(total / 2), residentLimit: Math.min(2 ** 31, Math.floor(total / 8)) };
}
