/**
 * Section objects: pagefile-backed (SEC_COMMIT / SEC_RESERVE), file-backed data sections, and image
 * sections (the PE loader fills them and gives each page its protection). A section lives until its last
 * handle is closed and its last view unmapped.
 */
import { PAGE_SIZE, SEC_COMMIT, SEC_FILE, SEC_IMAGE, SEC_NOCACHE, SEC_RESERVE } from "./constants";
import type { HostFile } from "./host-file";
import { Segment, type PageLoader } from "./store";

export const enum SectionKind {
  Pagefile = 1,
  File = 2,
  Image = 3,
}

/** A set of page numbers as sorted disjoint [start, end) ranges (SEC_RESERVE commit state). */
export class PageRanges {
  /** Flat pairs: start0, end0, start1, end1, … */
  private r: number[] = [];

  /** Index of the first range with end > p. */
  private find(p: number): number {
    let lo = 0;
    let hi = this.r.length >> 1;
    while (lo < hi) {
      const m = (lo + hi) >> 1;
      if (this.r[m * 2 + 1] > p) hi = m;
      else lo = m + 1;
    }
    return lo;
  }

  has(p: number): boolean {
    const k = this.find(p);
    return k < this.r.length >> 1 && this.r[k * 2] <= p;
  }

  /** First page after p where membership changes (or `limit`). */
  boundary(p: number, limit: number): number {
    const k = this.find(p);
    if (k >= this.r.length >> 1) return limit;
    const s = this.r[k * 2];
    return Math.min(limit, s <= p ? this.r[k * 2 + 1] : s);
  }

  /** Pages of [s, e) not in the set. */
  missing(s: number, e: number): number {
    let n = e - s;
    for (let k = this.find(s); k < this.r.length >> 1; k++) {
      const a = this.r[k * 2];
      if (a >= e) break;
      n -= Math.min(e, this.r[k * 2 + 1]) - Math.max(s, a);
    }
    return n;
  }

  add(s: number, e: number): void {
    if (s >= e) return;
    const out: number[] = [];
    let k = 0;
    const n = this.r.length >> 1;
    while (k < n && this.r[k * 2 + 1] < s) {
      out.push(this.r[k * 2], this.r[k * 2 + 1]);
      k++;
    }
    let ns = s;
    let ne = e;
    while (k < n && this.r[k * 2] <= ne) {
      ns = Math.min(ns, this.r[k * 2]);
      ne = Math.max(ne, this.r[k * 2 + 1]);
      k++;
    }
    out.push(ns, ne);
    for (; k < n; k++) out.push(this.r[k * 2], this.r[k * 2 + 1]);
    this.r = out;
  }

  get count(): number {
    let n = 0;
    for (let k = 0; k < this.r.length; k += 2) n += this.r[k + 1] - this.r[k];
    return n;
  }
}

/** Per-page protection of an image section, as [startPage, endPage, protect] runs. */
export interface ImageRun {
  s: number;
  e: number;
  p: number;
}

/** What a section's owner (the MemoryManager) does when it dies. */
export interface SectionHost {
  deleteSection(s: Section): void;
}

export class Section {
  /** Open handles (the creator holds one). */
  handles = 1;
  /** Mapped views in all address spaces. */
  views = 0;
  deleted = false;
  /** Called once when the section is deleted (after file write-back). */
  onDelete: (() => void) | undefined = undefined;
  /** Pages committed (pagefile SEC_RESERVE); null: all pages are committed. */
  readonly committed: PageRanges | null;
  /** Per-page protections of an image section. */
  readonly imageRuns: ImageRun[] | null;
  readonly segment: Segment;
  readonly pages: number;

  constructor(
    private readonly host: SectionHost,
    readonly id: number,
    readonly kind: SectionKind,
    /** Bytes: a pagefile section's size is rounded up to pages, a file section's is exact. */
    readonly size: number,
    /** The section page protection (PAGE_READONLY … PAGE_EXECUTE_WRITECOPY). */
    readonly protect: number,
    /** SEC_COMMIT / SEC_RESERVE / SEC_NOCACHE as created. */
    readonly allocationAttributes: number,
    segment: Segment,
    readonly file: HostFile | null,
    imageRuns: ImageRun[] | null,
  ) {
    this.segment = segment;
    this.pages = Math.ceil(size / PAGE_SIZE);
    this.committed =
      kind === SectionKind.Pagefile && (allocationAttributes & SEC_RESERVE) !== 0 ? new PageRanges() : null;
    this.imageRuns = imageRuns;
  }

  /** SECTION_BASIC_INFORMATION.Attributes as NtQuerySection reports them. */
  get attributes(): number {
    const nocache = this.allocationAttributes & SEC_NOCACHE;
    if (this.kind === SectionKind.Image) return SEC_FILE | SEC_IMAGE;
    if (this.kind === SectionKind.File) return SEC_FILE | nocache;
    return (this.allocationAttributes & (SEC_COMMIT | SEC_RESERVE)) | nocache;
  }

  /** Pages committed and charged against the commit limit (pagefile sections). */
  get chargedPages(): number {
    if (this.kind !== SectionKind.Pagefile) return 0;
    return this.committed === null ? this.pages : this.committed.count;
  }

  isCommitted(page: number): boolean {
    return this.committed === null || this.committed.has(page);
  }

  /** Image page protection of section page p. */
  imageProtect(p: number): number {
    const runs = this.imageRuns as ImageRun[];
    for (const r of runs) if (p >= r.s && p < r.e) return r.p;
    return runs.length ? runs[runs.length - 1].p : 0;
  }

  /** Another handle to the section (NtDuplicateObject, NtOpenSection). */
  reference(): void {
    this.handles++;
  }

  /** Close a handle (NtClose). */
  close(): void {
    if (this.handles > 0) this.handles--;
    this.maybeDelete();
  }

  /** @internal views are counted by AddressSpace.mapView/unmapView. */
  viewUnmapped(): void {
    this.views--;
    if (this.views === 0) this.flush();
    this.maybeDelete();
  }

  private maybeDelete(): void {
    if (this.handles === 0 && this.views === 0 && !this.deleted) {
      this.deleted = true;
      this.flush();
      this.host.deleteSection(this);
      this.segment.clear();
      this.onDelete?.();
    }
  }

  /**
   * Write modified pages of a file-backed section back to its file (NtFlushVirtualMemory; also done when the
   * last view is unmapped and when the section dies).
   */
  flush(): void {
    if (this.kind !== SectionKind.File || this.file === null || !this.file.writable) return;
    const file = this.file;
    this.segment.forEachModified((i, bytes) => {
      const pos = i * PAGE_SIZE;
      const n = Math.min(PAGE_SIZE, this.size - pos);
      if (n > 0) file.write(pos, bytes.subarray(0, n));
    });
    this.segment.markClean();
  }

  /** Read-only bytes of the section (the loader and the debugger): does not allocate for absent pages. */
  read(offset: number, dst: Uint8Array): boolean {
    let done = 0;
    while (done < dst.length) {
      const pos = offset + done;
      const i = Math.floor(pos / PAGE_SIZE);
      const o = pos - i * PAGE_SIZE;
      const n = Math.min(PAGE_SIZE - o, dst.length - done);
      if (!this.segment.copyOut(i, dst, done, o, n)) return false;
      done += n;
    }
    return true;
  }

  /** Write section bytes directly (the PE loader filling an image section), bypassing views. */
  write(offset: number, src: Uint8Array): boolean {
    let done = 0;
    while (done < src.length) {
      const pos = offset + done;
      const i = Math.floor(pos / PAGE_SIZE);
      const o = pos - i * PAGE_SIZE;
      const n = Math.min(PAGE_SIZE - o, src.length - done);
      const f = this.segment.write(i);
      if (f === undefined) return false;
      f.u8.set(src.subarray(done, done + n), f.off + o);
      done += n;
    }
    return true;
  }
}

/** Loads a file section's pages from its file; bytes past the end of the file (or section) read as zeros. */
export class FilePageLoader implements PageLoader {
  constructor(
    private readonly file: HostFile,
    private readonly size: number,
  ) {}

  load(index: number, dst: Uint8Array, off: number): boolean {
    const pos = index * PAGE_SIZE;
    const n = Math.min(PAGE_SIZE, this.size - pos);
    if (n <= 0) return true;
    try {
      this.file.read(pos, dst.subarray(off, off + n));
      return true;
    } catch {
      return false;
    }
  }
}
