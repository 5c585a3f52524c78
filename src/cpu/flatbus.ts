/**
 * A simple `Bus` over page-granular backing store: map ranges with permissions, read and write bytes.
 * Used by tests and the benchmark; the Windows memory manager is the real implementation.
 */
import { Access, type Bus, type BusFault, type PhysPage, PAGE_SIZE } from "./bus";

const SLAB_PAGES = 256;

export class FlatBus implements Bus {
  epoch = 0;
  private readonly pages = new Map<number, { page: PhysPage; perms: number }>();
  private slab: ArrayBuffer | undefined;
  private slabUsed = SLAB_PAGES;
  private readonly hooked = new Set<number>();
  /** Called for accesses to hooked pages. */
  onHook: ((addr: number, size: number, access: Access) => BusFault | undefined) | undefined;

  private newPage(): PhysPage {
    if (this.slabUsed === SLAB_PAGES) {
      this.slab = new ArrayBuffer(SLAB_PAGES * PAGE_SIZE);
      this.slabUsed = 0;
    }
    const buf = this.slab as ArrayBuffer;
    const off = this.slabUsed++ * PAGE_SIZE;
    return { u8: new Uint8Array(buf), i32: new Int32Array(buf), off, code: false };
  }

  /** Map [base, base+size) (rounded out to pages) with `perms` (Access bits); existing pages keep their bytes. */
  map(base: number, size: number, perms: number = Access.Read | Access.Write | Access.Exec): void {
    const first = Math.floor(base / PAGE_SIZE);
    const last = Math.floor((base + size - 1) / PAGE_SIZE);
    for (let p = first; p <= last; p++) {
      const e = this.pages.get(p);
      if (e) e.perms = perms;
      else this.pages.set(p, { page: this.newPage(), perms });
    }
    this.epoch++;
  }

  unmap(base: number, size: number): void {
    const first = Math.floor(base / PAGE_SIZE);
    const last = Math.floor((base + size - 1) / PAGE_SIZE);
    for (let p = first; p <= last; p++) this.pages.delete(p);
    this.epoch++;
  }

  /** Make linear page `alias` show the same bytes as page `page` (tests of aliasing). */
  alias(aliasBase: number, base: number, perms: number = Access.Read | Access.Write): void {
    const src = this.pages.get(Math.floor(base / PAGE_SIZE));
    if (!src) throw new Error("alias of an unmapped page");
    this.pages.set(Math.floor(aliasBase / PAGE_SIZE), { page: src.page, perms });
    this.epoch++;
  }

  hook(page: number, on: boolean): void {
    if (on) this.hooked.add(page);
    else this.hooked.delete(page);
    this.epoch++;
  }

  translate(page: number, access: Access): PhysPage | BusFault {
    const e = this.pages.get(page);
    if (!e || (e.perms & access) === 0) return { fault: "PF", status: 0 };
    return e.page;
  }

  peek(page: number): PhysPage | undefined {
    return this.pages.get(page)?.page;
  }

  isHooked(page: number): boolean {
    return this.hooked.size !== 0 && this.hooked.has(page);
  }

  slowAccess(addr: number, size: number, access: Access): BusFault | undefined {
    return this.onHook?.(addr, size, access);
  }

  writeBytes(addr: number, data: Uint8Array): void {
    for (let k = 0; k < data.length; k++) {
      const a = addr + k;
      const e = this.pages.get(Math.floor(a / PAGE_SIZE));
      if (!e) throw new Error(`writeBytes: 0x${a.toString(16)} is not mapped`);
      e.page.u8[e.page.off + (a % PAGE_SIZE)] = data[k];
    }
  }

  readBytes(addr: number, n: number): Uint8Array {
    const out = new Uint8Array(n);
    for (let k = 0; k < n; k++) {
      const a = addr + k;
      const e = this.pages.get(Math.floor(a / PAGE_SIZE));
      if (!e) throw new Error(`readBytes: 0x${a.toString(16)} is not mapped`);
      out[k] = e.page.u8[e.page.off + (a % PAGE_SIZE)];
    }
    return out;
  }
}
