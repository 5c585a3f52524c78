/**
 * The machine-wide part of the memory manager: physical pages (the page store and its working-set limit),
 * commit accounting against the commit limit, section objects, and the KUSER_SHARED_DATA page every
 * process maps. Each process has an `AddressSpace` over it.
 */
import {
  STATUS_ACCESS_DENIED,
  STATUS_COMMITMENT_LIMIT,
  STATUS_INVALID_PAGE_PROTECTION,
  STATUS_INVALID_PARAMETER_4,
  STATUS_INVALID_PARAMETER_6,
  STATUS_MAPPED_FILE_SIZE_ZERO,
  STATUS_SECTION_TOO_BIG,
  STATUS_SUCCESS,
} from "../ntstatus";
import {
  PAGE_EXECUTE_READ,
  PAGE_EXECUTE_READWRITE,
  PAGE_EXECUTE_WRITECOPY,
  PAGE_READONLY,
  PAGE_READWRITE,
  PAGE_SIZE,
  PAGE_WRITECOPY,
  SEC_COMMIT,
  SEC_NOCACHE,
  SEC_RESERVE,
  SEC_WRITECOMBINE,
} from "./constants";
import type { HostFile } from "./host-file";
import { isValidProtection } from "./protection";
import { FilePageLoader, Section, SectionKind, type ImageRun, type SectionHost } from "./section";
import { PageStore, Segment } from "./store";

export interface MemoryManagerOptions {
  /**
   * Commit limit in bytes: private committed memory, pagefile-backed sections and copy-on-write views are
   * charged against it (STATUS_COMMITMENT_LIMIT beyond). Give the host a margin: half its memory
   * (`hostMemoryOptions()` in node-host.ts). Default 2 GB.
   */
  commitLimit?: number;
  /** Resident bytes above which `balance()` packs pages (the working set). Default 1 GB. */
  residentLimit?: number;
}

export interface CreateSectionArgs {
  /** MaximumSize in bytes; required for a pagefile-backed section, defaults to the file size otherwise. */
  size?: number;
  /** SectionPageProtection. */
  protect: number;
  /** AllocationAttributes: SEC_COMMIT or SEC_RESERVE, optionally SEC_NOCACHE / SEC_WRITECOMBINE. */
  attributes: number;
  /** The file for a file-backed data section; none for a pagefile-backed one. */
  file?: HostFile;
}

export interface SectionResult {
  status: number;
  section: Section | undefined;
}

/** Statistics for the debugger and tests. */
export interface MemoryStats {
  committedBytes: number;
  commitLimit: number;
  peakCommittedBytes: number;
  residentBytes: number;
  packedBytes: number;
  slabBytes: number;
  sections: number;
}

const SECTION_PROTECTIONS = new Set([
  PAGE_READONLY,
  PAGE_READWRITE,
  PAGE_WRITECOPY,
  PAGE_EXECUTE_READ,
  PAGE_EXECUTE_READWRITE,
  PAGE_EXECUTE_WRITECOPY,
]);

export class MemoryManager implements SectionHost {
  readonly store: PageStore;
  commitLimitPages: number;
  committedPages = 0;
  peakCommittedPages = 0;
  readonly sections = new Map<number, Section>();
  /** The KUSER_SHARED_DATA page, shared by every address space (the kernel writes it). */
  readonly kuserSharedData: Segment;
  private nextSectionId = 1;

  constructor(opts: MemoryManagerOptions = {}) {
    this.commitLimitPages = Math.floor((opts.commitLimit ?? 2 ** 31) / PAGE_SIZE);
    this.store = new PageStore(Math.max(64, Math.floor((opts.residentLimit ?? 2 ** 30) / PAGE_SIZE)));
    this.kuserSharedData = new Segment(this.store, false);
    this.kuserSharedData.create(0);
  }

  /** Charge `pages` against the commit limit; false (nothing charged) when it would be exceeded. */
  charge(pages: number): boolean {
    if (pages <= 0) return true;
    if (this.committedPages + pages > this.commitLimitPages) return false;
    this.committedPages += pages;
    if (this.committedPages > this.peakCommittedPages) this.peakCommittedPages = this.committedPages;
    return true;
  }

  uncharge(pages: number): void {
    this.committedPages = Math.max(0, this.committedPages - pages);
  }

  /** Trim the working set to the resident limit. Only when no CPU is inside `run`/`step`. */
  balance(): number {
    return this.store.balance();
  }

  /**
   * NtCreateSection for pagefile-backed and file-backed data sections. Image sections come from
   * `createImageSection` (the PE loader parses the file).
   */
  createSection(args: CreateSectionArgs): SectionResult {
    const attrs = args.attributes >>> 0;
    const known = SEC_COMMIT | SEC_RESERVE | SEC_NOCACHE | SEC_WRITECOMBINE;
    const kind = attrs & (SEC_COMMIT | SEC_RESERVE);
    // CreateFileMapping: SEC_COMMIT and SEC_RESERVE exclude each other; the Wine conformance table
    // (test_CreateFileMapping, run on Windows) rejects SEC_FILE, SEC_LARGE_PAGES and a bare SEC_NOCACHE.
    if ((attrs & ~known) !== 0 || kind === 0 || kind === (SEC_COMMIT | SEC_RESERVE)) {
      return { status: STATUS_INVALID_PARAMETER_6, section: undefined };
    }
    const protect = args.protect >>> 0;
    // A section protection is one of the six readable values; PAGE_NOACCESS and PAGE_EXECUTE are rejected
    // (CreateFileMapping flProtect; Wine's test_CreateFileMapping_protection shows both failing on Windows).
    if (!isValidProtection(protect) || !SECTION_PROTECTIONS.has(protect)) {
      return { status: STATUS_INVALID_PAGE_PROTECTION, section: undefined };
    }
    const id = this.nextSectionId++;
    if (args.file === undefined) {
      const size = args.size ?? 0;
      if (!Number.isSafeInteger(size) || size <= 0)
        return { status: STATUS_INVALID_PARAMETER_4, section: undefined };
      const pages = Math.ceil(size / PAGE_SIZE);
      // SEC_COMMIT charges the whole section at creation (CreateFileMapping: "SEC_COMMIT ... commit charge
      // for the entire view"); SEC_RESERVE charges as pages are committed through a view.
      if (kind === SEC_COMMIT && !this.charge(pages))
        return { status: STATUS_COMMITMENT_LIMIT, section: undefined };
      const seg = new Segment(this.store, true);
      const s = new Section(
        this,
        id,
        SectionKind.Pagefile,
        pages * PAGE_SIZE,
        protect,
        attrs,
        seg,
        null,
        null,
      );
      this.sections.set(id, s);
      return { status: STATUS_SUCCESS, section: s };
    }
    const file = args.file;
    const writable = protect === PAGE_READWRITE || protect === PAGE_EXECUTE_READWRITE;
    if (writable && !file.writable) return { status: STATUS_ACCESS_DENIED, section: undefined };
    let size = args.size ?? 0;
    if (size === 0) {
      size = file.size;
      if (size === 0) return { status: STATUS_MAPPED_FILE_SIZE_ZERO, section: undefined };
    }
    if (!Number.isSafeInteger(size) || size < 0)
      return { status: STATUS_SECTION_TOO_BIG, section: undefined };
    if (size > file.size) {
      // CreateFileMapping: a maximum size larger than the file extends the file, which needs write access;
      // NtCreateSection answers STATUS_SECTION_TOO_BIG for a read-only mapping (Wine test_MapViewOfFile).
      if (!writable) return { status: STATUS_SECTION_TOO_BIG, section: undefined };
      file.setSize(size);
    }
    const seg = new Segment(this.store, false, new FilePageLoader(file, size));
    const s = new Section(this, id, SectionKind.File, size, protect, attrs, seg, file, null);
    this.sections.set(id, s);
    return { status: STATUS_SUCCESS, section: s };
  }

  /**
   * An image section for the PE loader: `size` bytes (SizeOfImage), pages protected per `protections`
   * (byte ranges; pages not covered are PAGE_READONLY, like the headers). The loader fills the contents
   * with `section.write`. Views of it are MEM_IMAGE and copy-on-write per process.
   */
  createImageSection(
    size: number,
    protections: { offset: number; size: number; protect: number }[],
  ): SectionResult {
    if (!Number.isSafeInteger(size) || size <= 0)
      return { status: STATUS_INVALID_PARAMETER_4, section: undefined };
    const pages = Math.ceil(size / PAGE_SIZE);
    const runs: ImageRun[] = [{ s: 0, e: pages, p: PAGE_READONLY }];
    for (const r of protections) {
      if (!isValidProtection(r.protect))
        return { status: STATUS_INVALID_PAGE_PROTECTION, section: undefined };
      const s = Math.floor(r.offset / PAGE_SIZE);
      const e = Math.min(pages, Math.ceil((r.offset + r.size) / PAGE_SIZE));
      if (e > s) setRun(runs, s, e, r.protect);
    }
    const id = this.nextSectionId++;
    const seg = new Segment(this.store, true);
    const s = new Section(
      this,
      id,
      SectionKind.Image,
      pages * PAGE_SIZE,
      PAGE_EXECUTE_WRITECOPY,
      0,
      seg,
      null,
      runs,
    );
    this.sections.set(id, s);
    return { status: STATUS_SUCCESS, section: s };
  }

  /** @internal called by Section when its last handle and view are gone. */
  deleteSection(s: Section): void {
    this.uncharge(s.chargedPages);
    this.sections.delete(s.id);
  }

  /** Write the KUSER_SHARED_DATA page (the kernel's clock and system data). */
  writeKuserSharedData(offset: number, data: Uint8Array): void {
    const f = this.kuserSharedData.write(0);
    if (f !== undefined) f.u8.set(data.subarray(0, Math.max(0, PAGE_SIZE - offset)), f.off + offset);
  }

  stats(): MemoryStats {
    return {
      committedBytes: this.committedPages * PAGE_SIZE,
      commitLimit: this.commitLimitPages * PAGE_SIZE,
      peakCommittedBytes: this.peakCommittedPages * PAGE_SIZE,
      residentBytes: this.store.pool.resident * PAGE_SIZE,
      packedBytes: this.store.packedBytes,
      slabBytes: this.store.pool.slabBytes,
      sections: this.sections.size,
    };
  }
}

/** Set pages [s, e) of sorted covering runs to protection p (image layout). */
function setRun(runs: ImageRun[], s: number, e: number, p: number): void {
  const out: ImageRun[] = [];
  for (const r of runs) {
    if (r.e <= s || r.s >= e) {
      out.push(r);
      continue;
    }
    if (r.s < s) out.push({ s: r.s, e: s, p: r.p });
    if (r.e > e) out.push({ s: e, e: r.e, p: r.p });
  }
  out.push({ s, e, p });
  out.sort((a, b) => a.s - b.s);
  runs.length = 0;
  for (const r of out) {
    const last = runs[runs.length - 1];
    if (last !== undefined && last.e === r.s && last.p === r.p) last.e = r.e;
    else runs.push({ ...r });
  }
}
