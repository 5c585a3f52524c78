/**
 * A process's virtual address space, as a 64-bit or a WOW64 process sees it, and the CPU's `Bus` over it.
 *
 * Allocations (VADs) are reservations starting on 64 KB boundaries; inside one, runs of pages with one
 * state and protection (private memory: protection 0 = reserved; views: the view's protection, with the
 * commit state kept by the section). The NT services the kernel calls (`allocate`, `free`, `protect`,
 * `query`, `mapView`, `unmapView`) follow NtAllocateVirtualMemory & co. and return NTSTATUS values.
 *
 * `translate` is the CPU's TLB-miss path: it never trims memory, only materializes pages on first write and
 * makes copy-on-write copies; anything that changes a translation some CPU may have cached bumps `epoch`.
 */
import { Access, type Bus, type BusFault, type PhysPage } from "../../cpu/bus";
import {
  STATUS_ALREADY_COMMITTED,
  STATUS_COMMITMENT_LIMIT,
  STATUS_CONFLICTING_ADDRESSES,
  STATUS_FREE_VM_NOT_AT_BASE,
  STATUS_GUARD_PAGE_VIOLATION,
  STATUS_IN_PAGE_ERROR,
  STATUS_INVALID_HANDLE,
  STATUS_INVALID_PAGE_PROTECTION,
  STATUS_INVALID_PARAMETER,
  STATUS_INVALID_PARAMETER_2,
  STATUS_INVALID_PARAMETER_3,
  STATUS_INVALID_PARAMETER_4,
  STATUS_INVALID_PARAMETER_5,
  STATUS_INVALID_PARAMETER_9,
  STATUS_INVALID_VIEW_SIZE,
  STATUS_MAPPED_ALIGNMENT,
  STATUS_MEMORY_NOT_ALLOCATED,
  STATUS_NO_MEMORY,
  STATUS_NOT_COMMITTED,
  STATUS_NOT_MAPPED_VIEW,
  STATUS_NOT_SUPPORTED,
  STATUS_PRIVILEGE_NOT_HELD,
  STATUS_SECTION_PROTECTION,
  STATUS_SUCCESS,
  STATUS_UNABLE_TO_DELETE_SECTION,
  STATUS_UNABLE_TO_FREE_VM,
} from "../ntstatus";
import {
  ALLOCATION_GRANULARITY,
  HIGHEST_USER_ADDRESS_32,
  HIGHEST_USER_ADDRESS_32_LAA,
  HIGHEST_USER_ADDRESS_64,
  KUSER_SHARED_DATA,
  LOWEST_USER_ADDRESS,
  MEM_COMMIT,
  MEM_DECOMMIT,
  MEM_DOS_LIM,
  MEM_FREE,
  MEM_IMAGE,
  MEM_LARGE_PAGES,
  MEM_MAPPED,
  MEM_PHYSICAL,
  MEM_PRIVATE,
  MEM_RELEASE,
  MEM_RESERVE,
  MEM_RESET,
  MEM_RESET_UNDO,
  MEM_TOP_DOWN,
  MEM_WRITE_WATCH,
  PAGE_EXECUTE_WRITECOPY,
  PAGE_GUARD,
  PAGE_NOACCESS,
  PAGE_NOCACHE,
  PAGE_READONLY,
  PAGE_SIZE,
  RegionKind,
  type MemoryBasicInformation,
} from "./constants";
import type { MemoryManager } from "./manager";
import {
  PERM_COPY,
  PERM_R,
  PERM_W,
  PERM_X,
  copyOnWriteProtection,
  isCompatibleProtection,
  isValidProtection,
  isWriteCopy,
  permsOf,
  writtenProtection,
} from "./protection";
import { SectionKind, type Section } from "./section";
import { Segment } from "./store";

/** Pages [s, e) of a VAD (relative page numbers) with protection p (private memory: 0 = reserved). */
interface Run {
  s: number;
  e: number;
  p: number;
}

class Vad {
  readonly pages: number;
  readonly startPage: number;
  /** First section page of a view. */
  readonly secPage: number;
  runs: Run[];
  private last = 0;
  /** Private copies of a view's copy-on-write pages. */
  cow: Segment | null = null;
  /** Pages charged against the commit limit: committed private pages, or a view's copy-on-write pages. */
  charged = 0;
  /** Code was fetched from this region (its decoded blocks must be dropped when it changes). */
  hadCode = false;

  constructor(
    readonly start: number,
    readonly end: number,
    readonly kind: RegionKind,
    readonly allocProtect: number,
    readonly store: Segment | null,
    readonly section: Section | null,
    /** Byte offset of a view in its section. */
    readonly offset: number,
    /** Writable pages of this view are copy-on-write (mapped PAGE_WRITECOPY, or an image). */
    readonly copyOnWrite: boolean,
    /** KUSER_SHARED_DATA: cannot be freed, committed or reprotected. */
    readonly fixed: boolean,
    initial: number,
  ) {
    this.pages = (end - start) / PAGE_SIZE;
    this.startPage = start / PAGE_SIZE;
    this.secPage = offset / PAGE_SIZE;
    this.runs = [{ s: 0, e: this.pages, p: initial }];
  }

  /** The run holding relative page `rel`. */
  run(rel: number): Run {
    const runs = this.runs;
    let r = runs[this.last];
    if (r !== undefined && rel >= r.s && rel < r.e) return r;
    let lo = 0;
    let hi = runs.length - 1;
    while (lo < hi) {
      const m = (lo + hi + 1) >> 1;
      if (runs[m].s <= rel) lo = m;
      else hi = m - 1;
    }
    this.last = lo;
    r = runs[lo];
    return r;
  }

  /** Index of the run starting at `rel`, splitting one if needed. */
  private split(rel: number): number {
    const runs = this.runs;
    if (rel >= this.pages) return runs.length;
    this.run(rel);
    const k = this.last;
    const r = runs[k];
    if (r.s === rel) return k;
    runs.splice(k + 1, 0, { s: rel, e: r.e, p: r.p });
    r.e = rel;
    return k + 1;
  }

  /** Set pages [s, e) to protection p, merging equal neighbours. */
  setRange(s: number, e: number, p: number): void {
    if (s >= e) return;
    const i0 = this.split(s);
    const i1 = this.split(e);
    const runs = this.runs;
    runs.splice(i0, i1 - i0, { s, e, p });
    let k = i0;
    if (k > 0 && runs[k - 1].p === p) {
      runs[k - 1].e = e;
      runs.splice(k, 1);
      k--;
    }
    if (k + 1 < runs.length && runs[k + 1].p === p) {
      runs[k].e = runs[k + 1].e;
      runs.splice(k + 1, 1);
    }
    this.last = 0;
  }

  /** Pages of [s, e) whose protection satisfies `pred`. */
  count(s: number, e: number, pred: (p: number) => boolean): number {
    let n = 0;
    let q = s;
    while (q < e) {
      const r = this.run(q);
      const end = Math.min(e, r.e);
      if (pred(r.p)) n += end - q;
      q = end;
    }
    return n;
  }
}

export interface AddressSpaceOptions {
  /** A WOW64 process: 32-bit allocations stay below 2 GB (4 GB with `largeAddressAware`). */
  wow64?: boolean;
  /** The 32-bit image has IMAGE_FILE_LARGE_ADDRESS_AWARE. */
  largeAddressAware?: boolean;
  /**
   * Data execution prevention: execute needs an EXECUTE* protection. Always on for 64-bit processes; for a
   * WOW64 process it follows the image's NX_COMPAT flag and the system policy (the loader sets it).
   */
  executeDisable?: boolean;
}

export interface VmResult {
  status: number;
  /** The base address and size the service reports back (rounded as Windows rounds them). */
  base: number;
  size: number;
}

export interface ProtectResult extends VmResult {
  oldProtect: number;
}

export interface QueryResult {
  status: number;
  info: MemoryBasicInformation | undefined;
}

export interface MapViewArgs {
  /** BaseAddress: 0 lets the system choose; otherwise a 64 KB-aligned address. */
  base?: number;
  zeroBits?: number;
  commitSize?: number;
  /** SectionOffset: a multiple of 64 KB (any 64-bit value up to 2^53). */
  offset?: number;
  /** ViewSize: 0 maps from the offset to the end of the section. */
  viewSize?: number;
  /** AllocationType: MEM_TOP_DOWN, MEM_RESERVE (file sections). */
  allocationType?: number;
  /** Win32Protect. */
  protect: number;
  /** Ignore the WOW64 32-bit limit (the 64-bit side of a WOW64 process). */
  native64?: boolean;
}

export interface MapViewResult {
  status: number;
  base: number;
  viewSize: number;
  offset: number;
}

/** A region for the debugger: VirtualQuery's fields plus where a view's bytes come from. */
export interface RegionInfo extends MemoryBasicInformation {
  kind: "free" | "private" | "mapped" | "image";
  /** Views: the section's id and the 64-bit offset in it of this region's first byte. */
  sectionId?: number;
  sectionOffset?: number;
}

/** A page-granular watch: `callback` runs before every access of `access` kind overlapping the range. */
interface Watch {
  id: number;
  addr: number;
  size: number;
  access: number;
  callback: (addr: number, size: number, access: Access) => BusFault | undefined;
}

// Module-level copies of values used in `translate` (an imported binding can compile to a getter call).
const PAGE = PAGE_SIZE;
const GUARD = PAGE_GUARD;
const WRITE = Access.Write;
const EXEC = Access.Exec;

const PAGE_FAULT: BusFault = Object.freeze({ fault: "PF", status: 0 });
const GUARD_FAULT: BusFault = Object.freeze({ fault: "PF", status: STATUS_GUARD_PAGE_VIOLATION });
const IN_PAGE_FAULT: BusFault = Object.freeze({ fault: "PF", status: STATUS_IN_PAGE_ERROR });

const fail = (status: number): VmResult => ({ status, base: 0, size: 0 });

function pageDown(a: number): number {
  return a - (a % PAGE_SIZE);
}

function pageUp(a: number): number {
  return Math.ceil(a / PAGE_SIZE) * PAGE_SIZE;
}

function granuleDown(a: number): number {
  return a - (a % ALLOCATION_GRANULARITY);
}

function granuleUp(a: number): number {
  return Math.ceil(a / ALLOCATION_GRANULARITY) * ALLOCATION_GRANULARITY;
}

/** Index of the most significant set bit of a positive integer below 2^64. */
function msb(v: number): number {
  let n = 0;
  while (v >= 2) {
    v = Math.floor(v / 2);
    n++;
  }
  return n;
}

export class AddressSpace implements Bus {
  /** Changes whenever the regions change (for the debugger's memory view). */
  layoutVersion = 0;
  /** DEP: execute needs an EXECUTE* protection. */
  executeDisable: boolean;
  readonly wow64: boolean;
  readonly largeAddressAware: boolean;
  /**
   * Called when decoded code may be stale: a linear range (unmapped, freed, no longer executable), or, when
   * `page` is given, everything decoded from that physical page under any alias (it was rewritten by the
   * kernel or debugger, or replaced by a private copy). Wire to `Cpu.notifyWrite` / `cpu.blocks.invalidatePhys`.
   */
  readonly codeListeners = new Set<(addr: number, size: number, page: PhysPage | undefined) => void>();

  private localEpoch = 0;
  private readonly vads: Vad[] = [];
  private hint: Vad | null = null;
  private readonly hooks = new Map<number, Watch[]>();
  private readonly watches = new Map<number, Watch>();
  private nextWatch = 1;

  constructor(
    readonly mm: MemoryManager,
    opts: AddressSpaceOptions = {},
  ) {
    this.wow64 = opts.wow64 ?? false;
    this.largeAddressAware = opts.largeAddressAware ?? false;
    this.executeDisable = opts.executeDisable ?? true;
    // KUSER_SHARED_DATA: one read-only page at 0x7FFE0000, shared by all processes, in a 64 KB reservation,
    // so the 64 KB below 0x7FFF0000 are never handed out.
    const kusd = new Vad(
      KUSER_SHARED_DATA,
      KUSER_SHARED_DATA + ALLOCATION_GRANULARITY,
      RegionKind.Private,
      PAGE_READONLY,
      mm.kuserSharedData,
      null,
      0,
      false,
      true,
      0,
    );
    kusd.setRange(0, 1, PAGE_READONLY);
    this.insert(kusd);
  }

  /** Bus.epoch: local layout changes plus machine-wide trims. */
  get epoch(): number {
    return this.localEpoch + this.mm.store.generation;
  }

  /** Highest address an allocation may end at, for a 32-bit (WOW64) or 64-bit caller. */
  highestAddress(native64 = false): number {
    if (this.wow64 && !native64)
      return this.largeAddressAware ? HIGHEST_USER_ADDRESS_32_LAA : HIGHEST_USER_ADDRESS_32;
    return HIGHEST_USER_ADDRESS_64;
  }

  // ------------------------------------------------------------------ VAD tree

  private findVad(addr: number): Vad | null {
    const vads = this.vads;
    let lo = 0;
    let hi = vads.length - 1;
    while (lo <= hi) {
      const m = (lo + hi) >> 1;
      const v = vads[m];
      if (addr < v.start) hi = m - 1;
      else if (addr >= v.end) lo = m + 1;
      else return v;
    }
    return null;
  }

  /** First VAD ending after `addr`. */
  private firstAfter(addr: number): number {
    const vads = this.vads;
    let lo = 0;
    let hi = vads.length;
    while (lo < hi) {
      const m = (lo + hi) >> 1;
      if (vads[m].end > addr) hi = m;
      else lo = m + 1;
    }
    return lo;
  }

  private overlaps(start: number, end: number): boolean {
    const k = this.firstAfter(start);
    return k < this.vads.length && this.vads[k].start < end;
  }

  private insert(v: Vad): void {
    const k = this.firstAfter(v.start);
    this.vads.splice(k, 0, v);
    this.changed();
  }

  private remove(v: Vad): void {
    const k = this.vads.indexOf(v);
    if (k >= 0) this.vads.splice(k, 1);
    if (this.hint === v) this.hint = null;
    this.changed();
  }

  private changed(): void {
    this.layoutVersion++;
    this.localEpoch++;
  }

  /**
   * A free 64 KB-aligned range of `size` bytes inside [lo, hi] (hi inclusive), lowest first or (MEM_TOP_DOWN)
   * highest first; -1 if none.
   */
  private findFree(size: number, lo: number, hi: number, topDown: boolean): number {
    const vads = this.vads;
    if (!topDown) {
      let cursor = lo;
      for (const v of vads) {
        if (v.end <= cursor) continue;
        const cand = granuleUp(cursor);
        if (cand + size <= v.start) return cand + size - 1 <= hi ? cand : -1;
        cursor = Math.max(cursor, v.end);
        if (cursor > hi) return -1;
      }
      const cand = granuleUp(cursor);
      return cand + size - 1 <= hi ? cand : -1;
    }
    let ceiling = hi + 1;
    for (let k = vads.length - 1; k >= -1; k--) {
      const v = k >= 0 ? vads[k] : null;
      if (v !== null && v.start >= ceiling) continue;
      const floor = Math.max(lo, v !== null ? v.end : 0);
      if (ceiling - size >= floor) {
        const cand = granuleDown(ceiling - size);
        if (cand >= floor) return cand;
      }
      if (v === null) break;
      ceiling = Math.min(ceiling, v.start);
      if (ceiling <= lo) break;
    }
    return -1;
  }

  /**
   * ZeroBits as the x64 kernel reads it: 1–31 count leading zero bits of a 32-bit address (so bits 63:32
   * are zero too), larger values are a mask whose leading zeros count. Returns the number of leading zero
   * bits of a 64-bit address, or -1 when invalid (more than 53).
   */
  private zeroBitsCount(zeroBits: number): number {
    if (zeroBits === 0) return 0;
    if (!(zeroBits > 0) || !Number.isFinite(zeroBits)) return -1;
    const count = zeroBits >= 32 ? 63 - msb(zeroBits) : zeroBits + 32;
    return count > 53 ? -1 : count;
  }

  private static topForZeroBits(count: number): number {
    return 2 ** (64 - count) - 1;
  }

  // ------------------------------------------------------------------ NtAllocateVirtualMemory

  /**
   * NtAllocateVirtualMemory. Reserving rounds the base down to 64 KB and the end up to a page; with no base
   * the size is rounded up to pages and the system picks a 64 KB-aligned address (VirtualAlloc lpAddress,
   * dwSize). Committing inside a reservation rounds both ends to pages.
   */
  allocate(
    base: number,
    size: number,
    type: number,
    protect: number,
    zeroBits = 0,
    opts: { native64?: boolean } = {},
  ): VmResult {
    type >>>= 0;
    protect >>>= 0;
    const zb = this.zeroBitsCount(zeroBits);
    if (zb < 0) return fail(STATUS_INVALID_PARAMETER_3);
    const known =
      MEM_COMMIT |
      MEM_RESERVE |
      MEM_RESET |
      MEM_RESET_UNDO |
      MEM_TOP_DOWN |
      MEM_WRITE_WATCH |
      MEM_PHYSICAL |
      MEM_LARGE_PAGES;
    if ((type & ~known) !== 0 || (type & (MEM_COMMIT | MEM_RESERVE | MEM_RESET | MEM_RESET_UNDO)) === 0) {
      return fail(STATUS_INVALID_PARAMETER_5);
    }
    const reset = type & (MEM_RESET | MEM_RESET_UNDO);
    // MEM_RESET "cannot be used with any other value" (VirtualAlloc flAllocationType).
    if (reset !== 0 && type !== MEM_RESET && type !== MEM_RESET_UNDO) return fail(STATUS_INVALID_PARAMETER_5);
    if (type & MEM_PHYSICAL)
      return fail(type === (MEM_RESERVE | MEM_PHYSICAL) ? STATUS_NOT_SUPPORTED : STATUS_INVALID_PARAMETER_5);
    if (type & MEM_WRITE_WATCH)
      return fail((type & MEM_RESERVE) === 0 ? STATUS_INVALID_PARAMETER_5 : STATUS_NOT_SUPPORTED);
    // Large pages need SeLockMemoryPrivilege, which a normal user token does not hold.
    if (type & MEM_LARGE_PAGES) return fail(STATUS_PRIVILEGE_NOT_HELD);
    if (!isValidProtection(protect)) return fail(STATUS_INVALID_PAGE_PROTECTION);
    const highest = this.highestAddress(opts.native64);
    if (!(base >= 0) || base > highest) return fail(STATUS_INVALID_PARAMETER_2);
    if (!(size >= 0) || size > highest + 1 - base) return fail(STATUS_INVALID_PARAMETER_4);
    if (size === 0) return fail(STATUS_INVALID_PARAMETER_4);
    if (reset !== 0) return this.reset(base, size);

    if (base === 0 || (type & MEM_RESERVE) !== 0) {
      // Memory Protection Constants, PAGE_WRITECOPY: "This flag is not supported by the VirtualAlloc or
      // VirtualAllocEx functions" (copy-on-write needs a section).
      if (isWriteCopy(protect)) return fail(STATUS_INVALID_PAGE_PROTECTION);
      let start: number;
      let end: number;
      if (base === 0) {
        const sz = pageUp(size);
        let top = highest;
        if (zb !== 0) top = Math.min(top, AddressSpace.topForZeroBits(zb));
        start = this.findFree(sz, LOWEST_USER_ADDRESS, top, (type & MEM_TOP_DOWN) !== 0);
        if (start < 0) return fail(STATUS_NO_MEMORY);
        end = start + sz;
      } else {
        if (base < LOWEST_USER_ADDRESS) return fail(STATUS_INVALID_PARAMETER_2);
        start = granuleDown(base);
        end = pageUp(base + size);
        if (this.overlaps(start, end)) return fail(STATUS_CONFLICTING_ADDRESSES);
      }
      const pages = (end - start) / PAGE_SIZE;
      const commit = (type & MEM_COMMIT) !== 0;
      if (commit && !this.mm.charge(pages)) return fail(STATUS_COMMITMENT_LIMIT);
      const v = new Vad(
        start,
        end,
        RegionKind.Private,
        protect,
        new Segment(this.mm.store, true),
        null,
        0,
        false,
        false,
        commit ? protect : 0,
      );
      if (commit) v.charged = pages;
      this.insert(v);
      this.mm.balance();
      return { status: STATUS_SUCCESS, base: start, size: end - start };
    }

    // MEM_COMMIT of pages inside an existing reservation (private, or a view of a pagefile section).
    const start = pageDown(base);
    const end = pageUp(base + size);
    const v = this.findVad(start);
    // VirtualAlloc: committing outside one reserved range "fails ... The resulting error code is
    // ERROR_INVALID_ADDRESS" (NTSTATUS STATUS_CONFLICTING_ADDRESSES).
    if (v === null || end > v.end || v.fixed) return fail(STATUS_CONFLICTING_ADDRESSES);
    const s = (start - v.start) / PAGE_SIZE;
    const e = (end - v.start) / PAGE_SIZE;
    if (v.kind === RegionKind.Private) {
      if (isWriteCopy(protect)) return fail(STATUS_INVALID_PAGE_PROTECTION);
      const fresh = v.count(s, e, (p) => p === 0);
      if (!this.mm.charge(fresh)) return fail(STATUS_COMMITMENT_LIMIT);
      v.charged += fresh;
      this.setProtection(v, s, e, protect);
    } else {
      const sec = v.section as Section;
      // Only pagefile-backed sections can be committed; file and image views are always committed
      // (VirtualAlloc MEM_COMMIT on them fails with ERROR_ACCESS_DENIED, i.e. STATUS_ALREADY_COMMITTED).
      if (sec.kind !== SectionKind.Pagefile) return fail(STATUS_ALREADY_COMMITTED);
      if (protect & PAGE_NOCACHE) return fail(STATUS_INVALID_PAGE_PROTECTION);
      if (!this.viewProtectionAllowed(v, protect)) return fail(STATUS_SECTION_PROTECTION);
      if (sec.committed !== null) {
        const missing = sec.committed.missing(v.secPage + s, v.secPage + e);
        if (!this.mm.charge(missing)) return fail(STATUS_COMMITMENT_LIMIT);
        sec.committed.add(v.secPage + s, v.secPage + e);
      }
      this.setViewProtection(v, s, e, protect);
    }
    this.changed();
    return { status: STATUS_SUCCESS, base: start, size: end - start };
  }

  /**
   * MEM_RESET: the range shrinks to whole pages inside it and must lie in one allocation. Contents are kept
   * ("the contents are undefined", Windows may or may not discard them; keeping them is allowed).
   */
  private reset(base: number, size: number): VmResult {
    const start = pageUp(base);
    const end = pageDown(base + size);
    if (start >= end) return fail(STATUS_CONFLICTING_ADDRESSES);
    const v = this.findVad(start);
    if (v === null || end > v.end) return fail(STATUS_CONFLICTING_ADDRESSES);
    return { status: STATUS_SUCCESS, base: start, size: end - start };
  }

  // ------------------------------------------------------------------ NtFreeVirtualMemory

  /** NtFreeVirtualMemory with MEM_DECOMMIT or MEM_RELEASE. */
  free(base: number, size: number, type: number): VmResult {
    type >>>= 0;
    const kind = type & (MEM_DECOMMIT | MEM_RELEASE);
    if ((type & ~(MEM_DECOMMIT | MEM_RELEASE)) !== 0 || kind === 0 || kind === (MEM_DECOMMIT | MEM_RELEASE)) {
      return fail(STATUS_INVALID_PARAMETER_4);
    }
    if (!(base >= 0) || base > HIGHEST_USER_ADDRESS_64) return fail(STATUS_INVALID_PARAMETER_2);
    if (!(size >= 0) || size > HIGHEST_USER_ADDRESS_64 - base) return fail(STATUS_INVALID_PARAMETER_3);
    // ZwFreeVirtualMemory: "If the MEM_RELEASE flag is set in the FreeType parameter, *RegionSize must be
    // zero. ZwFreeVirtualMemory frees the entire region that was reserved in the initial allocation call."
    if (kind === MEM_RELEASE && size !== 0) return fail(STATUS_INVALID_PARAMETER);
    const start = pageDown(base);
    const v = this.findVad(start);
    if (v === null) return fail(STATUS_MEMORY_NOT_ALLOCATED);
    const end = size !== 0 ? pageUp(base + size) : v.end;
    if (end > v.end) return fail(STATUS_UNABLE_TO_FREE_VM);
    if (v.kind !== RegionKind.Private) return fail(STATUS_UNABLE_TO_DELETE_SECTION);
    if (v.fixed) return fail(STATUS_INVALID_PARAMETER);
    // A zero size means the whole allocation, from its base (VirtualFree dwSize).
    if (size === 0 && start !== v.start) return fail(STATUS_FREE_VM_NOT_AT_BASE);
    if (kind === MEM_RELEASE) {
      this.remove(v);
      this.mm.uncharge(v.charged);
      (v.store as Segment).clear();
      if (v.hadCode) this.notifyCode(v.start, v.end - v.start);
      this.mm.balance();
      return { status: STATUS_SUCCESS, base: v.start, size: v.end - v.start };
    }
    const s = (start - v.start) / PAGE_SIZE;
    const e = (end - v.start) / PAGE_SIZE;
    const gone = v.count(s, e, (p) => p !== 0);
    this.mm.uncharge(gone);
    v.charged -= gone;
    v.setRange(s, e, 0);
    (v.store as Segment).dropRange(s, e);
    if (v.hadCode) this.notifyCode(start, end - start);
    this.changed();
    this.mm.balance();
    // Since Windows 10 1709 a whole-allocation decommit reports size 0 (Wine's NtFreeVirtualMemory test).
    return { status: STATUS_SUCCESS, base: start, size: size === 0 ? 0 : end - start };
  }

  // ------------------------------------------------------------------ NtProtectVirtualMemory

  /** NtProtectVirtualMemory: returns the protection of the first page before the change. */
  protect(base: number, size: number, newProtect: number): ProtectResult {
    newProtect >>>= 0;
    const bad = (status: number): ProtectResult => ({ status, base: 0, size: 0, oldProtect: 0 });
    if (!isValidProtection(newProtect)) return bad(STATUS_INVALID_PAGE_PROTECTION);
    if (!(base >= 0) || base > HIGHEST_USER_ADDRESS_64) return bad(STATUS_INVALID_PARAMETER_2);
    const start = pageDown(base);
    const end = Math.max(pageUp(base + size), start + PAGE_SIZE);
    const v = this.findVad(start);
    if (v === null || end > v.end) return bad(STATUS_CONFLICTING_ADDRESSES);
    if (v.fixed) return bad(STATUS_INVALID_PAGE_PROTECTION);
    const s = (start - v.start) / PAGE_SIZE;
    const e = (end - v.start) / PAGE_SIZE;
    let oldProtect: number;
    if (v.kind === RegionKind.Private) {
      // VirtualProtect "changes the protection on a region of committed pages"; otherwise ERROR_INVALID_ADDRESS
      // (STATUS_NOT_COMMITTED).
      if (v.count(s, e, (p) => p === 0) !== 0) return bad(STATUS_NOT_COMMITTED);
      if (isWriteCopy(newProtect)) return bad(STATUS_INVALID_PAGE_PROTECTION);
      oldProtect = v.run(s).p;
      this.setProtection(v, s, e, newProtect);
    } else {
      const sec = v.section as Section;
      if (sec.committed !== null && sec.committed.missing(v.secPage + s, v.secPage + e) !== 0) {
        return bad(STATUS_NOT_COMMITTED);
      }
      if (!this.viewProtectionAllowed(v, newProtect)) return bad(STATUS_SECTION_PROTECTION);
      oldProtect = v.run(s).p;
      const delta = this.cowChargeDelta(v, s, e, newProtect);
      if (delta > 0 && !this.mm.charge(delta)) return bad(STATUS_COMMITMENT_LIMIT);
      if (delta < 0) this.mm.uncharge(-delta);
      v.charged += delta;
      this.setViewProtection(v, s, e, newProtect);
    }
    this.changed();
    return { status: STATUS_SUCCESS, base: start, size: end - start, oldProtect };
  }

  /** Set private pages' protection; drops decoded code if they can no longer execute. */
  private setProtection(v: Vad, s: number, e: number, p: number): void {
    v.setRange(s, e, p);
    if (v.hadCode && ((p & PAGE_GUARD) !== 0 || (this.permsFor(p) & PERM_X) === 0)) {
      this.notifyCode(v.start + s * PAGE_SIZE, (e - s) * PAGE_SIZE);
    }
  }

  /**
   * Set a view's page protections. In a copy-on-write view (image, or mapped PAGE_WRITECOPY), a writable
   * protection on a page not yet copied reads back as the write-copy one (Wine test_CreateFileMapping_
   * protection: PAGE_WRITECOPY shows PAGE_READWRITE only after a write).
   */
  private setViewProtection(v: Vad, s: number, e: number, p: number): void {
    const cow = v.cow;
    // Pages with a private copy are private: they cannot be write-copy any more.
    if (cow === null || cow.empty) {
      v.setRange(s, e, v.copyOnWrite ? copyOnWriteProtection(p) : p);
    } else {
      for (let q = s; q < e; q++) {
        v.setRange(
          q,
          q + 1,
          cow.has(q) ? writtenProtection(p) : v.copyOnWrite ? copyOnWriteProtection(p) : p,
        );
      }
    }
    if (v.hadCode && ((p & PAGE_GUARD) !== 0 || (this.permsFor(p) & PERM_X) === 0)) {
      this.notifyCode(v.start + s * PAGE_SIZE, (e - s) * PAGE_SIZE);
    }
  }

  /**
   * A protection a view's pages may take: its rights must be among the view's own (mapping) rights, with
   * write-copy counting as read (Wine test_CreateFileMapping_protection on Windows: a FILE_MAP_READ view
   * takes PAGE_READONLY and PAGE_WRITECOPY only). In copy-on-write views writable becomes write-copy.
   */
  private viewProtectionAllowed(v: Vad, p: number): boolean {
    return isCompatibleProtection(v.allocProtect, v.copyOnWrite ? copyOnWriteProtection(p) : p);
  }

  /** Change in a view's copy-on-write commit charge if pages [s, e) get protection p. */
  private cowChargeDelta(v: Vad, s: number, e: number, p: number): number {
    const copied = (q: number): boolean => v.cow !== null && v.cow.has(q);
    const eff = (q: number): number => (v.copyOnWrite && !copied(q) ? copyOnWriteProtection(p) : p);
    let delta = 0;
    if (v.cow === null || v.cow.empty) {
      const before = v.count(s, e, isWriteCopy);
      const after = isWriteCopy(eff(s)) ? e - s : 0;
      return after - before;
    }
    for (let q = s; q < e; q++) {
      if (copied(q)) continue;
      delta += (isWriteCopy(eff(q)) ? 1 : 0) - (isWriteCopy(v.run(q).p) ? 1 : 0);
    }
    return delta;
  }

  // ------------------------------------------------------------------ NtQueryVirtualMemory

  /**
   * NtQueryVirtualMemory(MemoryBasicInformation): the region of pages sharing state, protection and type,
   * from the page holding `addr` to the end of that run inside one allocation.
   */
  query(addr: number): QueryResult {
    if (!(addr >= 0) || addr > HIGHEST_USER_ADDRESS_64)
      return { status: STATUS_INVALID_PARAMETER, info: undefined };
    const page = pageDown(addr);
    const v = this.findVad(page);
    if (v === null) {
      const k = this.firstAfter(page);
      const end = k < this.vads.length ? this.vads[k].start : HIGHEST_USER_ADDRESS_64 + 1;
      // Free memory reports PAGE_NOACCESS, AllocationBase 0 and Type 0 (Wine test_MapViewOfFile, after
      // UnmapViewOfFile, on Windows).
      const info: MemoryBasicInformation = {
        baseAddress: page,
        allocationBase: 0,
        allocationProtect: 0,
        regionSize: end - page,
        state: MEM_FREE,
        protect: PAGE_NOACCESS,
        type: 0,
      };
      return { status: STATUS_SUCCESS, info };
    }
    return { status: STATUS_SUCCESS, info: this.regionAt(v, (page - v.start) / PAGE_SIZE) };
  }

  private pageAttrs(v: Vad, rel: number): { state: number; protect: number } {
    const p = v.run(rel).p;
    if (v.kind === RegionKind.Private)
      return p === 0 ? { state: MEM_RESERVE, protect: 0 } : { state: MEM_COMMIT, protect: p };
    const sec = v.section as Section;
    if (!sec.isCommitted(v.secPage + rel)) return { state: MEM_RESERVE, protect: 0 };
    return { state: MEM_COMMIT, protect: p };
  }

  /** End (relative page) of the uniform stretch starting at rel. */
  private stretchEnd(v: Vad, rel: number): number {
    let e = v.run(rel).e;
    const sec = v.section;
    if (sec !== null && sec.committed !== null)
      e = sec.committed.boundary(v.secPage + rel, v.secPage + e) - v.secPage;
    return e;
  }

  private regionAt(v: Vad, rel: number): MemoryBasicInformation {
    const a = this.pageAttrs(v, rel);
    let e = this.stretchEnd(v, rel);
    while (e < v.pages) {
      const b = this.pageAttrs(v, e);
      if (b.state !== a.state || b.protect !== a.protect) break;
      e = this.stretchEnd(v, e);
    }
    const type =
      v.kind === RegionKind.Private ? MEM_PRIVATE : v.kind === RegionKind.Mapped ? MEM_MAPPED : MEM_IMAGE;
    return {
      baseAddress: v.start + rel * PAGE_SIZE,
      allocationBase: v.start,
      allocationProtect: v.allocProtect,
      regionSize: (e - rel) * PAGE_SIZE,
      state: a.state,
      protect: a.protect,
      type,
    };
  }

  /**
   * Every region as VirtualQuery would walk them, for the debugger: allocations split into uniform
   * stretches, views with their section and 64-bit offset, and (with `includeFree`) the free gaps.
   */
  regions(includeFree = false): RegionInfo[] {
    const out: RegionInfo[] = [];
    let cursor = 0;
    const free = (from: number, to: number): void => {
      if (!includeFree || to <= from) return;
      out.push({
        kind: "free",
        baseAddress: from,
        allocationBase: 0,
        allocationProtect: 0,
        regionSize: to - from,
        state: MEM_FREE,
        protect: PAGE_NOACCESS,
        type: 0,
      });
    };
    for (const v of this.vads) {
      free(cursor, v.start);
      if (v.kind === RegionKind.Private) {
        // A private allocation's pages are described by its runs alone (protection 0 = reserved): merge
        // neighbouring runs of one protection, as regionAt would, without a lookup per stretch.
        const runs = v.runs;
        for (let k = 0; k < runs.length;) {
          const p = runs[k].p;
          const s = runs[k].s;
          let e = runs[k].e;
          for (k++; k < runs.length && runs[k].p === p; k++) e = runs[k].e;
          out.push({
            baseAddress: v.start + s * PAGE_SIZE,
            allocationBase: v.start,
            allocationProtect: v.allocProtect,
            regionSize: (e - s) * PAGE_SIZE,
            state: p === 0 ? MEM_RESERVE : MEM_COMMIT,
            protect: p,
            type: MEM_PRIVATE,
            kind: "private",
          });
        }
        cursor = v.end;
        continue;
      }
      let rel = 0;
      while (rel < v.pages) {
        const info = this.regionAt(v, rel);
        const kind = v.kind === RegionKind.Mapped ? "mapped" : "image";
        const r: RegionInfo = { ...info, kind };
        if (v.section !== null) {
          r.sectionId = v.section.id;
          r.sectionOffset = v.offset + rel * PAGE_SIZE;
        }
        out.push(r);
        rel += info.regionSize / PAGE_SIZE;
      }
      cursor = v.end;
    }
    free(cursor, HIGHEST_USER_ADDRESS_64 + 1);
    return out;
  }

  // ------------------------------------------------------------------ NtMapViewOfSection

  /**
   * NtMapViewOfSection. The offset and an explicit base must be 64 KB aligned (STATUS_MAPPED_ALIGNMENT; the
   * Wine conformance tests show Windows rejecting unaligned offsets, not rounding them as
   * ZwMapViewOfSection's page says); the view size is rounded up to pages and must fit in the section.
   */
  mapView(section: Section, args: MapViewArgs): MapViewResult {
    const bad = (status: number): MapViewResult => ({ status, base: 0, viewSize: 0, offset: 0 });
    if (section.deleted) return bad(STATUS_INVALID_HANDLE);
    const zb = this.zeroBitsCount(args.zeroBits ?? 0);
    if (zb < 0) return bad(STATUS_INVALID_PARAMETER_4);
    const at = (args.allocationType ?? 0) >>> 0;
    if (
      (at & ~(MEM_TOP_DOWN | MEM_RESERVE | MEM_LARGE_PAGES | MEM_DOS_LIM)) !== 0 ||
      (at & MEM_DOS_LIM) !== 0
    ) {
      // AT_ROUND_TO_PAGE exists only for 32-bit Windows (Wine: STATUS_INVALID_PARAMETER_9 on 64-bit and WOW64).
      return bad(STATUS_INVALID_PARAMETER_9);
    }
    // MEM_RESERVE maps a reserved view of a file section; a pagefile section cannot be mapped reserved.
    if ((at & MEM_RESERVE) !== 0 && section.kind !== SectionKind.File) return bad(STATUS_INVALID_PARAMETER_9);
    const image = section.kind === SectionKind.Image;
    const protect = args.protect >>> 0;
    if (!isValidProtection(protect)) return bad(STATUS_INVALID_PAGE_PROTECTION);
    if (!image && !isCompatibleProtection(section.protect, protect)) return bad(STATUS_SECTION_PROTECTION);
    const offset = image ? 0 : (args.offset ?? 0);
    const base = args.base ?? 0;
    if (!Number.isSafeInteger(offset) || offset < 0 || offset % ALLOCATION_GRANULARITY !== 0) {
      return bad(STATUS_MAPPED_ALIGNMENT);
    }
    if (!(base >= 0) || base % ALLOCATION_GRANULARITY !== 0) return bad(STATUS_MAPPED_ALIGNMENT);
    const highest = this.highestAddress(args.native64);
    if (base > highest) return bad(STATUS_INVALID_PARAMETER_3);
    let viewSize = image ? section.size : (args.viewSize ?? 0);
    if (!(viewSize >= 0)) return bad(STATUS_INVALID_PARAMETER_3);
    if (viewSize === 0) {
      if (offset >= section.size) return bad(STATUS_INVALID_VIEW_SIZE);
      viewSize = section.size - offset;
    } else if (offset + viewSize > section.size && (at & MEM_RESERVE) === 0) {
      return bad(STATUS_INVALID_VIEW_SIZE);
    }
    // ZwMapViewOfSection ViewSize: "always rounds this value up to the nearest multiple of PAGE_SIZE".
    viewSize = pageUp(viewSize);
    if (viewSize > highest + 1 - LOWEST_USER_ADDRESS) return bad(STATUS_NO_MEMORY);
    const commitSize = args.commitSize ?? 0;
    // CommitSize is meaningful for pagefile-backed sections only and cannot exceed the view (kmtest
    // ZwMapViewOfSection, run on Windows: STATUS_INVALID_PARAMETER_5 for a file section or a larger size).
    if (!(commitSize >= 0) || commitSize > viewSize) return bad(STATUS_INVALID_PARAMETER_5);
    if (commitSize !== 0 && section.kind === SectionKind.File && (at & MEM_RESERVE) === 0) {
      return bad(STATUS_INVALID_PARAMETER_5);
    }
    let start: number;
    if (base !== 0) {
      if (base < LOWEST_USER_ADDRESS) return bad(STATUS_INVALID_PARAMETER_3);
      if (base + viewSize - 1 > highest) return bad(STATUS_INVALID_PARAMETER_3);
      if (zb !== 0 && base + viewSize - 1 > AddressSpace.topForZeroBits(zb))
        return bad(STATUS_INVALID_PARAMETER_4);
      if (this.overlaps(base, base + viewSize)) return bad(STATUS_CONFLICTING_ADDRESSES);
      start = base;
    } else {
      let top = highest;
      if (zb !== 0) top = Math.min(top, AddressSpace.topForZeroBits(zb));
      start = this.findFree(viewSize, LOWEST_USER_ADDRESS, top, (at & MEM_TOP_DOWN) !== 0);
      if (start < 0) return bad(STATUS_NO_MEMORY);
    }
    const pages = viewSize / PAGE_SIZE;
    const copyOnWrite = image || isWriteCopy(protect);
    const v = new Vad(
      start,
      start + viewSize,
      image ? RegionKind.Image : RegionKind.Mapped,
      image ? PAGE_EXECUTE_WRITECOPY : protect,
      null,
      section,
      offset,
      copyOnWrite,
      false,
      protect,
    );
    if (image) {
      v.runs = [];
      for (const r of section.imageRuns ?? []) v.runs.push({ s: r.s, e: r.e, p: copyOnWriteProtection(r.p) });
    }
    // Copy-on-write pages are charged when the view is mapped: each may become a private page.
    const cowPages = v.count(0, pages, isWriteCopy);
    if (!this.mm.charge(cowPages)) return bad(STATUS_COMMITMENT_LIMIT);
    v.charged = cowPages;
    if (section.committed !== null && commitSize > 0) {
      const e = v.secPage + Math.min(pages, pageUp(commitSize) / PAGE_SIZE);
      const missing = section.committed.missing(v.secPage, e);
      if (!this.mm.charge(missing)) {
        this.mm.uncharge(cowPages);
        return bad(STATUS_COMMITMENT_LIMIT);
      }
      section.committed.add(v.secPage, e);
    }
    section.views++;
    this.insert(v);
    return { status: STATUS_SUCCESS, base: start, viewSize, offset };
  }

  /** NtUnmapViewOfSection: any address inside the view unmaps all of it. */
  unmapView(addr: number): number {
    const v = this.findVad(addr);
    if (v === null || v.kind === RegionKind.Private) return STATUS_NOT_MAPPED_VIEW;
    this.remove(v);
    this.mm.uncharge(v.charged);
    v.cow?.clear();
    if (v.hadCode) this.notifyCode(v.start, v.end - v.start);
    (v.section as Section).viewUnmapped();
    this.mm.balance();
    return STATUS_SUCCESS;
  }

  /** NtFlushVirtualMemory: write a file view's modified pages back to the file. */
  flushView(addr: number): number {
    const v = this.findVad(addr);
    if (v === null) return STATUS_NOT_MAPPED_VIEW;
    if (v.section !== null) v.section.flush();
    return STATUS_SUCCESS;
  }

  /** The view mapped at `addr`, with its section and offset (for the kernel and debugger). */
  viewAt(addr: number): { base: number; size: number; section: Section; offset: number } | undefined {
    const v = this.findVad(addr);
    if (v === null || v.section === null) return undefined;
    return { base: v.start, size: v.end - v.start, section: v.section, offset: v.offset };
  }

  // ------------------------------------------------------------------ Bus

  private permsFor(protect: number): number {
    const p = permsOf(protect);
    return this.executeDisable || (p & PERM_R) === 0 ? p : p | PERM_X;
  }

  translate(page: number, access: Access): PhysPage | BusFault {
    const addr = page * PAGE;
    let v = this.hint;
    if (v === null || addr < v.start || addr >= v.end) {
      v = this.findVad(addr);
      if (v === null) return PAGE_FAULT;
      this.hint = v;
    }
    const rel = page - v.startPage;
    const p = v.run(rel).p;
    const sec = v.section;
    if (sec === null) {
      if (p === 0) return PAGE_FAULT;
    } else if (sec.committed !== null && !sec.committed.has(v.secPage + rel)) return PAGE_FAULT;
    if ((p & GUARD) !== 0) {
      // Memory Protection Constants, PAGE_GUARD: "Any attempt to access a guard page causes the system to raise
      // a STATUS_GUARD_PAGE_VIOLATION exception and turn off the guard page status."
      v.setRange(rel, rel + 1, p & ~GUARD);
      this.changed();
      return GUARD_FAULT;
    }
    const perms = this.permsFor(p);
    if ((perms & access) === 0) {
      if (access === WRITE && (perms & PERM_COPY) !== 0) return this.copyOnWrite(v, rel, p);
      return PAGE_FAULT;
    }
    if (access === EXEC) v.hadCode = true;
    let r: PhysPage | undefined;
    if (sec === null) {
      const store = v.store as Segment;
      if (access === WRITE) {
        const wasCode = this.mm.store.zero.code && !store.has(rel);
        r = store.write(rel);
        if (wasCode) this.notifyCode(addr, PAGE, this.mm.store.zero);
      } else r = store.read(rel);
    } else {
      const cow = v.cow;
      if (cow !== null && cow.has(rel)) r = access === WRITE ? cow.write(rel) : cow.read(rel);
      else {
        const i = v.secPage + rel;
        if (access === WRITE) {
          const wasCode = this.mm.store.zero.code && !sec.segment.has(i);
          r = sec.segment.write(i);
          if (wasCode) this.notifyCode(addr, PAGE, this.mm.store.zero);
        } else r = sec.segment.read(i);
      }
    }
    return r === undefined ? IN_PAGE_FAULT : r;
  }

  /** First write to a write-copy page: a private copy, and the page now shows the writable protection. */
  private copyOnWrite(v: Vad, rel: number, p: number): PhysPage | BusFault {
    const sec = v.section;
    if (sec === null) return PAGE_FAULT;
    if (v.cow !== null && v.cow.has(rel)) {
      // Already private (write-copy set again by VirtualProtect): no second copy.
      const own = v.cow.write(rel);
      if (own === undefined) return IN_PAGE_FAULT;
      v.setRange(rel, rel + 1, writtenProtection(p));
      this.changed();
      return own;
    }
    const src = sec.segment.read(v.secPage + rel);
    if (src === undefined) return IN_PAGE_FAULT;
    if (v.cow === null) v.cow = new Segment(this.mm.store, false);
    const f = v.cow.create(rel, false);
    f.u8.set(src.u8.subarray(src.off, src.off + PAGE_SIZE), f.off);
    v.setRange(rel, rel + 1, writtenProtection(p));
    this.changed();
    if (src.code) this.notifyCode(v.start + rel * PAGE_SIZE, PAGE_SIZE, src);
    return f;
  }

  isHooked(page: number): boolean {
    return this.hooks.size !== 0 && this.hooks.has(page);
  }

  slowAccess(addr: number, size: number, access: Access): BusFault | undefined {
    const first = Math.floor(addr / PAGE_SIZE);
    const last = Math.floor((addr + Math.max(size, 1) - 1) / PAGE_SIZE);
    for (let p = first; p <= last; p++) {
      const list = this.hooks.get(p);
      if (list === undefined) continue;
      for (const w of list) {
        if ((w.access & access) === 0 || w.addr >= addr + size || w.addr + w.size <= addr) continue;
        const f = w.callback(addr, size, access);
        if (f !== undefined) return f;
      }
    }
    return undefined;
  }

  /**
   * Watch [addr, addr+size) for accesses of the `access` kinds (Access bits). Pages without a watch cost
   * nothing; a watched page is never cached by the CPU's TLB, and `callback` runs before each access.
   */
  addWatch(
    addr: number,
    size: number,
    access: number,
    callback: (addr: number, size: number, access: Access) => BusFault | undefined,
  ): number {
    const w: Watch = { id: this.nextWatch++, addr, size: Math.max(1, size), access, callback };
    this.watches.set(w.id, w);
    const first = Math.floor(addr / PAGE_SIZE);
    const last = Math.floor((addr + w.size - 1) / PAGE_SIZE);
    for (let p = first; p <= last; p++) {
      const list = this.hooks.get(p);
      if (list === undefined) this.hooks.set(p, [w]);
      else list.push(w);
    }
    this.localEpoch++;
    return w.id;
  }

  removeWatch(id: number): boolean {
    const w = this.watches.get(id);
    if (w === undefined) return false;
    this.watches.delete(id);
    const first = Math.floor(w.addr / PAGE_SIZE);
    const last = Math.floor((w.addr + w.size - 1) / PAGE_SIZE);
    for (let p = first; p <= last; p++) {
      const list = this.hooks.get(p);
      if (list === undefined) continue;
      const k = list.indexOf(w);
      if (k >= 0) list.splice(k, 1);
      if (list.length === 0) this.hooks.delete(p);
    }
    this.localEpoch++;
    return true;
  }

  private notifyCode(addr: number, size: number, page?: PhysPage): void {
    for (const l of this.codeListeners) l(addr, size, page);
  }

  // ------------------------------------------------------------------ kernel and debugger access

  /**
   * Copy guest memory at `addr` into `dst` (NtReadVirtualMemory, the debugger). Stops at the first page that
   * is not committed or (unless `force`) not readable, guard pages included; returns the bytes copied.
   * Never allocates a frame for a page that was never written.
   */
  read(addr: number, dst: Uint8Array, opts: { force?: boolean } = {}): number {
    let done = 0;
    while (done < dst.length) {
      const a = addr + done;
      const v = this.findVad(a);
      if (v === null) break;
      const rel = Math.floor((a - v.start) / PAGE_SIZE);
      const o = a - v.start - rel * PAGE_SIZE;
      const n = Math.min(PAGE_SIZE - o, dst.length - done);
      const p = v.run(rel).p;
      const sec = v.section;
      if (sec === null ? p === 0 : !sec.isCommitted(v.secPage + rel)) break;
      if (!opts.force && ((p & PAGE_GUARD) !== 0 || (permsOf(p) & PERM_R) === 0)) break;
      let ok: boolean;
      if (sec === null) ok = (v.store as Segment).copyOut(rel, dst, done, o, n);
      else if (v.cow !== null && v.cow.has(rel)) ok = v.cow.copyOut(rel, dst, done, o, n);
      else ok = sec.segment.copyOut(v.secPage + rel, dst, done, o, n);
      if (!ok) break;
      done += n;
    }
    return done;
  }

  /**
   * Write `src` to guest memory at `addr` (NtWriteVirtualMemory, the debugger). Stops at the first page that
   * is not committed or (unless `force`) not writable; returns the bytes written. A forced write to a shared
   * page a view cannot write (an image's code, a write-copy page) goes to a private copy, as
   * WriteProcessMemory does. Decoded code on the written pages is invalidated.
   */
  write(addr: number, src: Uint8Array, opts: { force?: boolean } = {}): number {
    let done = 0;
    while (done < src.length) {
      const a = addr + done;
      const v = this.findVad(a);
      if (v === null) break;
      const rel = Math.floor((a - v.start) / PAGE_SIZE);
      const o = a - v.start - rel * PAGE_SIZE;
      const n = Math.min(PAGE_SIZE - o, src.length - done);
      const p = v.run(rel).p;
      const sec = v.section;
      if (sec === null ? p === 0 : !sec.isCommitted(v.secPage + rel)) break;
      const perms = permsOf(p);
      if (!opts.force && ((p & PAGE_GUARD) !== 0 || (perms & (PERM_W | PERM_COPY)) === 0)) break;
      let page: PhysPage | BusFault | undefined;
      if (sec === null) page = (v.store as Segment).write(rel);
      else if (v.cow !== null && v.cow.has(rel)) page = v.cow.write(rel);
      else if ((perms & PERM_W) !== 0 && !v.copyOnWrite) page = sec.segment.write(v.secPage + rel);
      else if ((perms & PERM_COPY) !== 0) page = this.copyOnWrite(v, rel, p);
      else page = this.privateCopy(v, rel);
      if (page === undefined || !("u8" in page)) break;
      page.u8.set(src.subarray(done, done + n), page.off + o);
      if (page.code) this.notifyCode(a, n, page);
      done += n;
    }
    return done;
  }

  /** A private copy of a view page, keeping its protection (a debugger patching an image's code). */
  private privateCopy(v: Vad, rel: number): PhysPage | undefined {
    const sec = v.section as Section;
    const src = sec.segment.read(v.secPage + rel);
    if (src === undefined) return undefined;
    if (v.cow === null) v.cow = new Segment(this.mm.store, false);
    const f = v.cow.create(rel, false);
    f.u8.set(src.u8.subarray(src.off, src.off + PAGE_SIZE), f.off);
    this.changed();
    if (src.code) this.notifyCode(v.start + rel * PAGE_SIZE, PAGE_SIZE, src);
    return f;
  }

  /** Release every allocation and view (process exit). */
  destroy(): void {
    for (const v of [...this.vads]) {
      if (v.fixed) continue;
      if (v.section !== null) this.unmapView(v.start);
      else this.free(v.start, 0, MEM_RELEASE);
    }
  }

  /** Debugger statistics. */
  get allocationCount(): number {
    return this.vads.length;
  }
}
