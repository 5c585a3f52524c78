/**
 * Host file access for file-backed sections, behind an interface so the memory manager runs in any
 * JavaScript host. `node-host.ts` implements it with Node's fs; `MemoryHostFile` keeps the bytes in memory.
 */

export interface HostFile {
  /** Current size in bytes. */
  readonly size: number;
  /** Opened for writing (a PAGE_READWRITE section needs it). */
  readonly writable: boolean;
  /** Read up to `dst.length` bytes at `position`; returns the count read (short at end of file). */
  read(position: number, dst: Uint8Array): number;
  /** Write `data` at `position`, extending the file if needed. */
  write(position: number, data: Uint8Array): void;
  /** Extend (or truncate) the file to `size` bytes. */
  setSize(size: number): void;
}

/** A file held in memory (tests, and files the kernel synthesizes). */
export class MemoryHostFile implements HostFile {
  private buf: Uint8Array;
  private length: number;

  constructor(
    contents: Uint8Array = new Uint8Array(0),
    readonly writable = true,
  ) {
    this.buf = new Uint8Array(Math.max(16, contents.length));
    this.buf.set(contents);
    this.length = contents.length;
  }

  get size(): number {
    return this.length;
  }

  /** The current contents. */
  bytes(): Uint8Array {
    return this.buf.subarray(0, this.length);
  }

  read(position: number, dst: Uint8Array): number {
    if (position >= this.length) return 0;
    const n = Math.min(dst.length, this.length - position);
    dst.set(this.buf.subarray(position, position + n));
    return n;
  }

  write(position: number, data: Uint8Array): void {
    if (!this.writable) throw new Error("file is read-only");
    if (position + data.length > this.length) this.setSize(position + data.length);
    this.buf.set(data, position);
  }

  setSize(size: number): void {
    if (size > this.buf.length) {
      const b = new Uint8Array(Math.max(size, this.buf.length * 2));
      b.set(this.buf.subarray(0, this.length));
      this.buf = b;
    } else if (size < this.length) this.buf.fill(0, size, this.length);
    this.length = size;
  }
}
