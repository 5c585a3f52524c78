/**
 * Backing store for guest pages.
 *
 * - A `Frame` is a resident 4 KB page: a `PhysPage` the CPU reads and writes directly, allocated from slabs
 *   of `SLAB_PAGES` pages.
 * - A `Segment` holds the pages of one private allocation, one section, or one view's private copies, by
 *   page index (indices go to 2^41 for a 2^53-byte section). A page is absent (reads as zeros, or as the
 *   lower layer: the file, the shared section page), resident (a Frame), or packed.
 * - Packed pages are the working set's trimmed pages, kept as runs of non-zero 32-bit words (Windows keeps
 *   such pages in its compression store). A page holding one written byte costs about 8 bytes packed
 *   instead of 4 KB; `PageStore.balance` trims at the resident limit, at points where no CPU holds a
 *   translation (it bumps `generation`, which every address space adds to its `Bus.epoch`).
 */
import type { PhysPage } from "../../cpu/bus";

// Local copies of constants used on hot paths (an imported binding can compile to a getter call).
const PAGE_SIZE = 4096;

export const SLAB_PAGES = 256;
const CHUNK_SHIFT = 9;
const CHUNK_PAGES = 1 << CHUNK_SHIFT;
const CHUNK_MASK = CHUNK_PAGES - 1;
const WORDS = PAGE_SIZE >> 2;

export class Frame implements PhysPage {
  code = false;
  /** Clock reference bit, set on every translation. */
  ref = true;
  /** Handed out for writing (or written by the kernel) since it was last loaded or packed. */
  dirty = false;
  constructor(
    readonly u8: Uint8Array,
    readonly i32: Int32Array,
    readonly off: number,
    readonly slot: number,
    public owner: Segment | null,
    public index: number,
  ) {}
}

/** Resident frames in slabs, with a free list of slots. */
export class FramePool {
  private readonly slabU8: Uint8Array[] = [];
  private readonly slabI32: Int32Array[] = [];
  private readonly freeSlots: number[] = [];
  /** Frame by slot (undefined: free). */
  readonly frames: (Frame | undefined)[] = [];
  resident = 0;

  get capacity(): number {
    return this.frames.length;
  }

  /** A frame for page `index` of `owner`; zero-filled when `zero` (otherwise the caller overwrites it). */
  alloc(owner: Segment, index: number, zero: boolean): Frame {
    let slot = this.freeSlots.pop();
    let reused = true;
    if (slot === undefined) {
      const buf = new ArrayBuffer(SLAB_PAGES * PAGE_SIZE);
      const s = this.slabU8.length;
      this.slabU8.push(new Uint8Array(buf));
      this.slabI32.push(new Int32Array(buf));
      for (let k = SLAB_PAGES - 1; k > 0; k--) this.freeSlots.push(s * SLAB_PAGES + k);
      for (let k = 1; k < SLAB_PAGES; k++) this.frames.push(undefined);
      this.frames.push(undefined);
      slot = s * SLAB_PAGES;
      reused = false;
    }
    const s = (slot / SLAB_PAGES) | 0;
    const off = (slot % SLAB_PAGES) * PAGE_SIZE;
    const u8 = this.slabU8[s];
    if (reused && zero) u8.fill(0, off, off + PAGE_SIZE);
    const f = new Frame(u8, this.slabI32[s], off, slot, owner, index);
    // A new slab's frames are in slot order: keep the table dense.
    this.frames[slot] = f;
    this.resident++;
    return f;
  }

  release(f: Frame): void {
    if (this.frames[f.slot] !== f) return;
    this.frames[f.slot] = undefined;
    this.freeSlots.push(f.slot);
    f.owner = null;
    this.resident--;
  }

  /** Bytes of host memory held in slabs. */
  get slabBytes(): number {
    return this.slabU8.length * SLAB_PAGES * PAGE_SIZE;
  }
}

/** Reads a page's initial contents (a file-backed section). Returns false on an I/O error. */
export interface PageLoader {
  load(index: number, dst: Uint8Array, off: number): boolean;
}

/** Machine-wide page store state shared by all segments. */
export class PageStore {
  readonly pool = new FramePool();
  /** The shared page of zeros returned for reads of never-written pages. Never written. */
  readonly zero: Frame;
  /** Bumped whenever a frame some CPU may have cached stops backing its page; part of every `Bus.epoch`. */
  generation = 0;
  /** Resident pages above which `balance` packs pages. */
  residentLimit: number;
  private hand = 0;
  /** Pages packed / dropped by `balance` (statistics). */
  trimmed = 0;
  /** Bytes held by packed pages of all segments. */
  packedBytes = 0;

  constructor(residentLimitPages: number) {
    this.residentLimit = residentLimitPages;
    const buf = new ArrayBuffer(PAGE_SIZE);
    this.zero = new Frame(new Uint8Array(buf), new Int32Array(buf), 0, -1, null, 0);
  }

  /**
   * Trim the working set to `residentLimit` (to 7/8 of it, so trimming is not triggered by every page). Pages
   * holding decoded code stay resident (the CPU's block cache refers to their frames). Must be called only
   * when no CPU is inside `run`/`step`.
   */
  balance(): number {
    const pool = this.pool;
    if (pool.resident <= this.residentLimit) return 0;
    const target = Math.floor((this.residentLimit * 7) / 8);
    const n = pool.frames.length;
    let evicted = 0;
    for (let steps = 0; steps < 2 * n && pool.resident > target; steps++) {
      const f = pool.frames[this.hand];
      this.hand = this.hand + 1 === n ? 0 : this.hand + 1;
      if (f === undefined || f.code || f.owner === null) continue;
      if (f.ref) {
        f.ref = false;
        continue;
      }
      f.owner.evict(f);
      evicted++;
    }
    if (evicted) {
      this.generation++;
      this.trimmed += evicted;
    }
    return evicted;
  }
}

/** Packed pages of 512 consecutive page indices. */
class PackedChunk {
  /** Per page: [byte offset in arena, length]; offset -1 = not packed. Length 0 = zeros, 4096 = raw. */
  readonly idx = new Int32Array(CHUNK_PAGES * 2).fill(-1);
  /** Per page: packed copy differs from the lower layer (the file) and must be written back. */
  readonly dirty = new Uint8Array(CHUNK_PAGES);
  arena = new Uint8Array(256);
  arenaI32 = new Int32Array(this.arena.buffer);
  used = 0;
  garbage = 0;
  count = 0;
}

const scratch = new ArrayBuffer(PAGE_SIZE * 2);
const scratchU8 = new Uint8Array(scratch);
const scratchI32 = new Int32Array(scratch);

/**
 * Pack a page as runs of non-zero 32-bit words: per run a header (u16 first word, u16 word count) and the
 * words. Runs separated by a single zero word are joined. Returns the packed length, or PAGE_SIZE when raw
 * storage is smaller.
 */
function packPage(i32: Int32Array, w0: number): number {
  let n = 0;
  let w = 0;
  while (w < WORDS) {
    // Skip zero words eight at a time: most packed pages are mostly zeros.
    let a = w0 + w;
    while (
      w + 8 <= WORDS &&
      (i32[a] | i32[a + 1] | i32[a + 2] | i32[a + 3] | i32[a + 4] | i32[a + 5] | i32[a + 6] | i32[a + 7]) ===
        0
    ) {
      w += 8;
      a += 8;
    }
    while (w < WORDS && i32[w0 + w] === 0) w++;
    if (w === WORDS) break;
    let e = w + 1;
    while (e < WORDS) {
      if (i32[w0 + e] !== 0) e++;
      else if (e + 1 < WORDS && i32[w0 + e + 1] !== 0) e += 2;
      else break;
    }
    const len = e - w;
    if (n + 4 + len * 4 >= PAGE_SIZE) return PAGE_SIZE;
    scratchI32[n >> 2] = w | (len << 16);
    let o = (n >> 2) + 1;
    for (let k = w; k < e; k++) scratchI32[o++] = i32[w0 + k];
    n += 4 + len * 4;
    w = e;
  }
  return n;
}

/** Unpack page p of chunk c into a zero-filled or any page at byte offset `off` (a multiple of 4) of dst. */
function decode(c: PackedChunk, p: number, u8: Uint8Array, i32: Int32Array, off: number): void {
  const at = c.idx[p * 2];
  const len = c.idx[p * 2 + 1];
  if (len === PAGE_SIZE) {
    u8.set(c.arena.subarray(at, at + PAGE_SIZE), off);
    return;
  }
  u8.fill(0, off, off + PAGE_SIZE);
  const a = c.arenaI32;
  const w0 = off >> 2;
  let q = at >> 2;
  const end = (at + len) >> 2;
  while (q < end) {
    const h = a[q++];
    const w = h & 0xffff;
    const n = h >>> 16;
    for (let j = 0; j < n; j++) i32[w0 + w + j] = a[q++];
  }
}

/**
 * Pages of one private allocation, section, or copy-on-write overlay. With `zeroIsAbsent`, a page of zeros
 * need not be stored (private memory, pagefile sections); otherwise an absent page means "ask the lower
 * layer" and a stored page of zeros is kept (overlays, file sections).
 */
export class Segment {
  readonly resident = new Map<number, Frame>();
  private readonly packed = new Map<number, PackedChunk>();
  private readonly zeroSeen = new Map<number, Uint32Array>();
  packedBytes = 0;

  constructor(
    readonly store: PageStore,
    readonly zeroIsAbsent: boolean,
    readonly loader: PageLoader | null = null,
  ) {}

  /** Nothing stored. */
  get empty(): boolean {
    return this.resident.size === 0 && this.packed.size === 0;
  }

  /** Page has stored contents (resident or packed). */
  has(i: number): boolean {
    if (this.resident.has(i)) return true;
    const c = this.packed.get(Math.floor(i / CHUNK_PAGES));
    return c !== undefined && c.idx[(i & CHUNK_MASK) * 2] >= 0;
  }

  /**
   * The page for a read or execute: never allocates for a page that was never written (returns the zero
   * page), loads a file page, unpacks a packed page. undefined on a loader I/O error.
   */
  read(i: number): PhysPage | undefined {
    const f = this.resident.get(i);
    if (f !== undefined) {
      f.ref = true;
      return f;
    }
    const c = this.packed.get(Math.floor(i / CHUNK_PAGES));
    if (c !== undefined && c.idx[(i & CHUNK_MASK) * 2] >= 0) return this.unpack(i, c, false);
    if (this.loader !== null) return this.load(i);
    this.markZeroSeen(i);
    return this.store.zero;
  }

  /** The page for a write: materializes it (zero-filled, loaded, or unpacked) and marks it dirty. */
  write(i: number): Frame | undefined {
    let f = this.resident.get(i);
    if (f === undefined) {
      const c = this.packed.get(Math.floor(i / CHUNK_PAGES));
      if (c !== undefined && c.idx[(i & CHUNK_MASK) * 2] >= 0) f = this.unpack(i, c, true);
      else if (this.loader !== null) {
        f = this.load(i);
        if (f === undefined) return undefined;
      } else {
        f = this.store.pool.alloc(this, i, true);
        this.resident.set(i, f);
        this.clearZeroSeen(i);
      }
    } else if (!f.dirty) this.discardPacked(i);
    f.ref = true;
    f.dirty = true;
    return f;
  }

  /** A new zero-filled frame for page i (overlays: the caller fills it). */
  create(i: number, zero = true): Frame {
    this.drop(i);
    const f = this.store.pool.alloc(this, i, zero);
    this.resident.set(i, f);
    f.dirty = true;
    return f;
  }

  private load(i: number): Frame | undefined {
    const f = this.store.pool.alloc(this, i, true);
    if (!(this.loader as PageLoader).load(i, f.u8, f.off)) {
      this.store.pool.release(f);
      return undefined;
    }
    this.resident.set(i, f);
    return f;
  }

  private unpack(i: number, c: PackedChunk, forWrite: boolean): Frame {
    const f = this.store.pool.alloc(this, i, false);
    decode(c, i & CHUNK_MASK, f.u8, f.i32, f.off);
    this.resident.set(i, f);
    // A clean page keeps its packed copy, so trimming it again costs nothing.
    if (forWrite) this.discardPacked(i);
    return f;
  }

  /** Pack (or drop) a resident frame and free it. */
  evict(f: Frame): void {
    const i = f.index;
    if (this.resident.get(i) !== f) {
      this.store.pool.release(f);
      return;
    }
    const ci = Math.floor(i / CHUNK_PAGES);
    let c = this.packed.get(ci);
    const k = (i & CHUNK_MASK) * 2;
    const hasPacked = c !== undefined && c.idx[k] >= 0;
    if (f.dirty || (!hasPacked && this.loader === null)) {
      const len = packPage(f.i32, f.off >> 2);
      this.discardPacked(i);
      if (len !== 0 || !this.zeroIsAbsent) {
        // discardPacked may have dropped the chunk.
        c = this.packed.get(ci);
        if (c === undefined) {
          c = new PackedChunk();
          this.packed.set(ci, c);
        }
        this.append(c, i, len === PAGE_SIZE ? f.u8.subarray(f.off, f.off + PAGE_SIZE) : null, len);
        c.dirty[i & CHUNK_MASK] = 1;
      }
    }
    this.resident.delete(i);
    this.store.pool.release(f);
  }

  private append(c: PackedChunk, i: number, raw: Uint8Array | null, len: number): void {
    if (c.used + len > c.arena.length) this.grow(c, len);
    if (raw !== null) c.arena.set(raw, c.used);
    else c.arena.set(scratchU8.subarray(0, len), c.used);
    const k = (i & CHUNK_MASK) * 2;
    c.idx[k] = c.used;
    c.idx[k + 1] = len;
    c.used += len;
    c.count++;
    this.packedBytes += len;
    this.store.packedBytes += len;
  }

  private grow(c: PackedChunk, need: number): void {
    // Compact into an arena at least twice the live size: amortized O(1) per packed byte.
    const live = c.used - c.garbage + need;
    let cap = 256;
    while (cap < live * 2) cap *= 2;
    this.compact(c, cap);
  }

  private compact(c: PackedChunk, cap: number): void {
    const old = c.arena;
    const arena = new Uint8Array(cap);
    let used = 0;
    for (let p = 0; p < CHUNK_PAGES; p++) {
      const off = c.idx[p * 2];
      if (off < 0) continue;
      const len = c.idx[p * 2 + 1];
      arena.set(old.subarray(off, off + len), used);
      c.idx[p * 2] = used;
      used += len;
    }
    c.arena = arena;
    c.arenaI32 = new Int32Array(arena.buffer);
    c.used = used;
    c.garbage = 0;
  }

  private discardPacked(i: number): void {
    const ci = Math.floor(i / CHUNK_PAGES);
    const c = this.packed.get(ci);
    if (c === undefined) return;
    const k = (i & CHUNK_MASK) * 2;
    if (c.idx[k] < 0) return;
    const len = c.idx[k + 1];
    c.garbage += len;
    this.packedBytes -= len;
    this.store.packedBytes -= len;
    c.idx[k] = -1;
    c.idx[k + 1] = 0;
    c.dirty[i & CHUNK_MASK] = 0;
    if (--c.count === 0) this.packed.delete(ci);
  }

  private markZeroSeen(i: number): void {
    const ci = Math.floor(i / CHUNK_PAGES);
    let bits = this.zeroSeen.get(ci);
    if (bits === undefined) {
      bits = new Uint32Array(CHUNK_PAGES / 32);
      this.zeroSeen.set(ci, bits);
    }
    bits[(i & CHUNK_MASK) >>> 5] |= 1 << (i & 31);
  }

  /**
   * A page that was handed out as the shared zero page now gets its own frame: a CPU may still have the
   * zero page cached for it (under any alias), so every address space's epoch must change.
   */
  private clearZeroSeen(i: number): void {
    if (this.zeroSeen.size === 0) return;
    const ci = Math.floor(i / CHUNK_PAGES);
    const bits = this.zeroSeen.get(ci);
    if (bits === undefined) return;
    const w = (i & CHUNK_MASK) >>> 5;
    const m = 1 << (i & 31);
    if ((bits[w] & m) === 0) return;
    bits[w] &= ~m;
    this.store.generation++;
  }

  /** Forget page i (decommit). */
  drop(i: number): void {
    const f = this.resident.get(i);
    if (f !== undefined) {
      this.resident.delete(i);
      this.store.pool.release(f);
    }
    this.discardPacked(i);
  }

  /** Forget pages [from, to). */
  dropRange(from: number, to: number): void {
    if (to - from <= 64) {
      for (let i = from; i < to; i++) this.drop(i);
      return;
    }
    for (const [i, f] of this.resident) {
      if (i >= from && i < to) {
        this.resident.delete(i);
        this.store.pool.release(f);
      }
    }
    for (const ci of [...this.packed.keys()]) {
      const lo = ci * CHUNK_PAGES;
      if (lo + CHUNK_PAGES <= from || lo >= to) continue;
      for (let i = Math.max(lo, from); i < Math.min(lo + CHUNK_PAGES, to); i++) this.discardPacked(i);
    }
    for (const ci of [...this.zeroSeen.keys()]) {
      const lo = ci * CHUNK_PAGES;
      if (lo >= from && lo + CHUNK_PAGES <= to) this.zeroSeen.delete(ci);
    }
  }

  /** Free everything. */
  clear(): void {
    for (const f of this.resident.values()) this.store.pool.release(f);
    this.resident.clear();
    this.packed.clear();
    this.zeroSeen.clear();
    this.store.packedBytes -= this.packedBytes;
    this.packedBytes = 0;
  }

  /**
   * Copy bytes [from, from+n) of page i into dst without creating a frame for an absent or packed page (a
   * read by the kernel or the debugger). False on a loader I/O error.
   */
  copyOut(i: number, dst: Uint8Array, dstOff: number, from: number, n: number): boolean {
    const f = this.resident.get(i);
    if (f !== undefined) {
      dst.set(f.u8.subarray(f.off + from, f.off + from + n), dstOff);
      return true;
    }
    const c = this.packed.get(Math.floor(i / CHUNK_PAGES));
    if (c !== undefined && c.idx[(i & CHUNK_MASK) * 2] >= 0) {
      decode(c, i & CHUNK_MASK, scratchU8, scratchI32, PAGE_SIZE);
      dst.set(scratchU8.subarray(PAGE_SIZE + from, PAGE_SIZE + from + n), dstOff);
      return true;
    }
    if (this.loader !== null) {
      const p = this.load(i);
      if (p === undefined) return false;
      dst.set(p.u8.subarray(p.off + from, p.off + from + n), dstOff);
      return true;
    }
    dst.fill(0, dstOff, dstOff + n);
    return true;
  }

  /** Pages whose contents differ from the lower layer (file write-back), with their bytes. */
  forEachModified(cb: (i: number, bytes: Uint8Array) => void): void {
    for (const [i, f] of this.resident) {
      const c = this.packed.get(Math.floor(i / CHUNK_PAGES));
      const packedDirty =
        c !== undefined && c.idx[(i & CHUNK_MASK) * 2] >= 0 && c.dirty[i & CHUNK_MASK] === 1;
      if (f.dirty || packedDirty) cb(i, f.u8.subarray(f.off, f.off + PAGE_SIZE));
    }
    for (const [ci, c] of this.packed) {
      for (let p = 0; p < CHUNK_PAGES; p++) {
        const i = ci * CHUNK_PAGES + p;
        if (c.idx[p * 2] < 0 || c.dirty[p] === 0 || this.resident.has(i)) continue;
        decode(c, p, scratchU8, scratchI32, PAGE_SIZE);
        cb(i, scratchU8.subarray(PAGE_SIZE, 2 * PAGE_SIZE));
      }
    }
  }

  /** After a write-back: resident and packed pages equal the lower layer again. */
  markClean(): void {
    for (const f of this.resident.values()) f.dirty = false;
    for (const c of this.packed.values()) c.dirty.fill(0);
  }

  get residentPages(): number {
    return this.resident.size;
  }
}
