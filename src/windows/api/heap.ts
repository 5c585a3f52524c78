/**
 * The process heap as ntdll's Rtl*Heap functions present it: RtlAllocateHeap (kernel32!HeapAlloc forwards
 * to it), RtlFreeHeap, RtlReAllocateHeap, RtlSizeHeap, and kernelbase!HeapFree. A heap is a set of
 * reserved segments in guest memory, committed as they fill; blocks are 16-byte aligned (8 for 32-bit
 * code), as Windows' heap aligns them; blocks of 508 KB and more get a region of their own (the heap's
 * VirtualAlloc threshold). The bookkeeping lives on this side, not in guest memory, so a program that
 * overruns a block corrupts its neighbour's data but not the heap.
 *
 * The process bring-up either creates the process heap with `createHeap`, or reserves a region itself;
 * either way the handle is stored in PEB.ProcessHeap (PEB32.ProcessHeap for 32-bit code), where
 * GetProcessHeap reads it. A reserved region named by PEB.ProcessHeap becomes the heap's first segment on
 * first use.
 */
import type { Arch } from "../dlls";
import type { Kernel } from "../kernel/kernel";
import type { KernelStop } from "../kernel/types";
import { MEM_COMMIT, MEM_FREE, MEM_RELEASE, MEM_RESERVE, PAGE_READWRITE } from "../memory/constants";
import { STATUS_ACCESS_VIOLATION, STATUS_NO_MEMORY } from "../kernel/status";
import { api, FALSE, TRUE, type ApiCall, type ApiFamily } from "./context";
import { ERROR_INVALID_PARAMETER } from "./errors";

export const HEAP_NO_SERIALIZE = 0x1;
export const HEAP_GENERATE_EXCEPTIONS = 0x4;
export const HEAP_ZERO_MEMORY = 0x8;
export const HEAP_REALLOC_IN_PLACE_ONLY = 0x10;

const SEGMENT_SIZE = 0x1000000;
const COMMIT_STEP = 0x10000;
/** Blocks this large get their own region (HEAP_SEGMENT VirtualAllocThreshold, 0x7F000 on x64). */
const LARGE_BLOCK = 0x7f000;

interface Chunk {
  addr: number;
  size: number;
}

interface Segment {
  readonly base: number;
  readonly end: number;
  top: number;
  committed: number;
}

export class Heap {
  /** Allocated blocks: address → [requested size, chunk size]. */
  private readonly blocks = new Map<number, [number, number]>();
  /** Free chunks inside the segments, by address. */
  private free: Chunk[] = [];
  private readonly segments: Segment[] = [];
  private readonly large = new Set<number>();
  readonly granule: number;

  constructor(
    private readonly kernel: Kernel,
    readonly arch: Arch,
    /** The heap handle: the base of its first segment (whose first page stands for the HEAP header). */
    readonly handle: number,
    size: number,
    committed: number,
  ) {
    this.granule = arch === "x64" ? 16 : 8;
    this.segments.push({
      base: handle,
      end: handle + size,
      top: handle + 0x1000,
      committed: handle + committed,
    });
  }

  /** Reserve (and commit `commit` bytes of) a region for this heap; 0 when the address space is full. */
  static region(k: Kernel, arch: Arch, size: number, commit: number): number {
    const as = k.process.mem;
    const r = as.allocate(0, size, MEM_RESERVE, PAGE_READWRITE, 0, { native64: arch === "x64" });
    if (r.status !== 0) return 0;
    if (commit > 0) as.allocate(r.base, commit, MEM_COMMIT, PAGE_READWRITE, 0, { native64: arch === "x64" });
    return r.base;
  }

  private round(size: number): number {
    return Math.max(this.granule, Math.ceil(size / this.granule) * this.granule);
  }

  /** RtlAllocateHeap: the block's address, or 0. */
  allocate(size: number, zero: boolean): number {
    if (!(size >= 0) || size > 2 ** 47) return 0;
    const n = this.round(size);
    if (n >= LARGE_BLOCK) {
      const a = Heap.region(this.kernel, this.arch, n, n);
      if (a === 0) return 0;
      this.large.add(a);
      this.blocks.set(a, [size, Math.ceil(n / 0x1000) * 0x1000]);
      return a;
    }
    let a = this.takeFree(n);
    if (a === 0) a = this.bump(n);
    if (a === 0) return 0;
    this.blocks.set(a, [size, n]);
    // Fresh commit is zero; a reused chunk is cleared when asked (HEAP_ZERO_MEMORY).
    if (zero) this.kernel.mem.write(a, new Uint8Array(n));
    return a;
  }

  private takeFree(n: number): number {
    for (let i = 0; i < this.free.length; i++) {
      const c = this.free[i];
      if (c.size < n) continue;
      const a = c.addr;
      if (c.size === n) this.free.splice(i, 1);
      else {
        c.addr += n;
        c.size -= n;
      }
      return a;
    }
    return 0;
  }

  private bump(n: number): number {
    let seg = this.segments[this.segments.length - 1];
    if (seg.top + n > seg.end) {
      const base = Heap.region(this.kernel, this.arch, SEGMENT_SIZE, COMMIT_STEP);
      if (base === 0) return 0;
      seg = { base, end: base + SEGMENT_SIZE, top: base, committed: base + COMMIT_STEP };
      this.segments.push(seg);
    }
    const a = seg.top;
    if (a + n > seg.committed) {
      const end = Math.min(seg.end, Math.ceil((a + n) / COMMIT_STEP) * COMMIT_STEP);
      const r = this.kernel.process.mem.allocate(
        seg.committed,
        end - seg.committed,
        MEM_COMMIT,
        PAGE_READWRITE,
        0,
        {
          native64: this.arch === "x64",
        },
      );
      if (r.status !== 0) return 0;
      seg.committed = end;
    }
    seg.top = a + n;
    return a;
  }

  /** RtlFreeHeap. */
  release(a: number): boolean {
    const b = this.blocks.get(a);
    if (!b) return false;
    this.blocks.delete(a);
    if (this.large.delete(a)) {
      this.kernel.process.mem.free(a, 0, MEM_RELEASE);
      return true;
    }
    this.insertFree({ addr: a, size: b[1] });
    return true;
  }

  private insertFree(c: Chunk): void {
    const f = this.free;
    let i = 0;
    while (i < f.length && f[i].addr < c.addr) i++;
    f.splice(i, 0, c);
    // Coalesce with the neighbours.
    if (i + 1 < f.length && f[i].addr + f[i].size === f[i + 1].addr) {
      f[i].size += f[i + 1].size;
      f.splice(i + 1, 1);
    }
    if (i > 0 && f[i - 1].addr + f[i - 1].size === f[i].addr) {
      f[i - 1].size += f[i].size;
      f.splice(i, 1);
    }
  }

  /** RtlDestroyHeap: releases every segment and large block (the handle is no longer a heap). */
  destroy(): void {
    for (const a of this.large) this.kernel.process.mem.free(a, 0, MEM_RELEASE);
    for (const s of this.segments) this.kernel.process.mem.free(s.base, 0, MEM_RELEASE);
    this.large.clear();
    this.blocks.clear();
    this.free = [];
  }

  /** RtlSizeHeap: the requested size, or undefined for a pointer that is not a block. */
  size(a: number): number | undefined {
    return this.blocks.get(a)?.[0];
  }

  /** RtlReAllocateHeap: the (possibly moved) block, or 0. */
  reallocate(a: number, size: number, flags: number): number {
    const b = this.blocks.get(a);
    if (!b) return 0;
    const [old, capacity] = b;
    const zero = (flags & HEAP_ZERO_MEMORY) !== 0;
    if (this.round(size) <= capacity && !(this.large.has(a) && size < LARGE_BLOCK / 2)) {
      if (zero && size > old) this.kernel.mem.write(a + old, new Uint8Array(size - old));
      b[0] = size;
      return a;
    }
    if (flags & HEAP_REALLOC_IN_PLACE_ONLY) return 0;
    const n = this.allocate(size, zero);
    if (n === 0) return 0;
    this.kernel.mem.write(n, this.kernel.mem.read(a, Math.min(old, size)));
    this.release(a);
    return n;
  }
}

const heaps = new WeakMap<Kernel, Map<number, Heap>>();

function heapsOf(k: Kernel): Map<number, Heap> {
  let m = heaps.get(k);
  if (!m) heaps.set(k, (m = new Map()));
  return m;
}

/** RtlCreateHeap for the process bring-up: a new heap for `arch` code; returns its handle (0 when out of memory). */
export function createHeap(k: Kernel, arch: Arch): number {
  const base = Heap.region(k, arch, SEGMENT_SIZE, COMMIT_STEP);
  if (base === 0) return 0;
  heapsOf(k).set(base, new Heap(k, arch, base, SEGMENT_SIZE, COMMIT_STEP));
  return base;
}

/** RtlCreateHeap for HeapCreate: a new heap for the caller's architecture (0 when out of memory). */
export function createCallerHeap(c: ApiCall): number {
  return createHeap(c.kernel, c.arch);
}

/** RtlDestroyHeap for HeapDestroy: false when `handle` is not a heap or is the process heap. */
export function destroyHeap(c: ApiCall, handle: number): boolean {
  const h = findHeap(c, handle);
  if (!h || (c.peb !== 0 && c.readPtr(c.peb + c.layout.peb.ProcessHeap) === handle)) return false;
  h.destroy();
  heapsOf(c.kernel).delete(handle);
  return true;
}

/**
 * The heap a handle names, adopting the region PEB.ProcessHeap names when the process reserved it itself:
 * the reservation is the first segment, its committed prefix is kept.
 */
export function findHeap(c: ApiCall, handle: number): Heap | undefined {
  const map = heapsOf(c.kernel);
  const known = map.get(handle);
  if (known || handle === 0 || c.peb === 0 || c.readPtr(c.peb + c.layout.peb.ProcessHeap) !== handle)
    return known;
  const as = c.process.mem;
  let end = handle;
  let committed = -1;
  for (;;) {
    const q = as.query(end).info;
    if (!q || q.allocationBase !== handle || q.state === MEM_FREE) break;
    if (q.state !== MEM_COMMIT && committed < 0) committed = end - handle;
    end = q.baseAddress + q.regionSize;
  }
  if (end === handle) return undefined;
  const h = new Heap(c.kernel, c.arch, handle, end - handle, committed < 0 ? end - handle : committed);
  map.set(handle, h);
  return h;
}

type Exception = Extract<KernelStop, { kind: "exception" }>;

/**
 * Runs `f` on the heap a handle names. A handle that is not a heap faults on Windows (the heap header is
 * read at the handle's address): an access-violation exception here.
 */
function withHeap<T>(c: ApiCall, handle: number, f: (h: Heap) => T): T | Exception {
  const h = findHeap(c, handle);
  if (!h) return { kind: "exception", code: STATUS_ACCESS_VIOLATION, address: handle, what: c.entry.name };
  return f(h);
}

/** NULL, or with HEAP_GENERATE_EXCEPTIONS the STATUS_NO_MEMORY exception (HeapAlloc, Return value). */
function allocationFailure(c: ApiCall, flags: number): number | Exception {
  if (flags & HEAP_GENERATE_EXCEPTIONS)
    return { kind: "exception", code: STATUS_NO_MEMORY, address: 0, what: c.entry.name };
  return 0;
}

export const heapApis: ApiFamily = {
  /** PVOID RtlAllocateHeap(PVOID HeapHandle, ULONG Flags, SIZE_T Size) — also kernel32!HeapAlloc. */
  RtlAllocateHeap: api((c) => {
    const flags = c.u32(1);
    const r = withHeap(c, c.arg(0), (h) => h.allocate(c.arg(2), (flags & HEAP_ZERO_MEMORY) !== 0));
    return r === 0 ? allocationFailure(c, flags) : r;
  }),

  /** BOOLEAN RtlFreeHeap(PVOID HeapHandle, ULONG Flags, PVOID BaseAddress): NULL is TRUE. */
  RtlFreeHeap: api((c) => {
    const p = c.arg(2);
    return withHeap(c, c.arg(0), (h) => (p === 0 || h.release(p) ? TRUE : FALSE));
  }),

  /** BOOL HeapFree(HANDLE hHeap, DWORD dwFlags, LPVOID lpMem). */
  HeapFree: api((c) => {
    const p = c.arg(2);
    return withHeap(c, c.arg(0), (h) => {
      if (p === 0 || h.release(p)) return TRUE;
      c.setLastError(ERROR_INVALID_PARAMETER);
      return FALSE;
    });
  }),

  /** PVOID RtlReAllocateHeap(PVOID HeapHandle, ULONG Flags, PVOID BaseAddress, SIZE_T Size) — kernel32!HeapReAlloc. */
  RtlReAllocateHeap: api((c) => {
    const flags = c.u32(1);
    const r = withHeap(c, c.arg(0), (h) => h.reallocate(c.arg(2), c.arg(3), flags));
    return r === 0 ? allocationFailure(c, flags) : r;
  }),

  /** SIZE_T RtlSizeHeap(PVOID HeapHandle, ULONG Flags, PVOID BaseAddress) — kernel32!HeapSize; (SIZE_T)-1 on failure. */
  RtlSizeHeap: api((c) =>
    withHeap(c, c.arg(0), (h) => h.size(c.arg(2)) ?? (c.arch === "x64" ? -1 : 0xffffffff)),
  ),
};
