/**
 * The CPU's view of memory. The memory manager (src/windows/memory) implements `Bus`; tests and the
 * benchmark use `FlatBus`. The CPU keeps its own software TLB over `translate` so that the common
 * access costs one compare and one typed-array load.
 */

/** Kind of access, as a bit so TLBs and permission sets can be combined. */
export const enum Access {
  Read = 1,
  Write = 2,
  Exec = 4,
}

export const PAGE_SIZE = 4096;
export const PAGE_SHIFT = 12;
export const PAGE_MASK = 4095;

/**
 * A physical page: 4 KB of backing store inside a larger buffer. Two linear pages that alias the same
 * bytes (two views of one section) translate to the same PhysPage object, so code invalidation follows
 * the bytes, not the address.
 */
export interface PhysPage {
  readonly u8: Uint8Array;
  /** Same buffer as `u8`, for aligned 32-bit accesses. */
  readonly i32: Int32Array;
  /** Byte offset of the page inside `u8` (a multiple of 4096). */
  readonly off: number;
  /**
   * Set by the CPU when decoded code lives on this page; a write to such a page must go through
   * `Cpu.notifyWrite`. Never set it outside the CPU.
   */
  code: boolean;
}

/** Why a translation failed. */
export interface BusFault {
  readonly fault: "PF" | "GP";
  /** NTSTATUS the OS wants reported for this access (e.g. STATUS_GUARD_PAGE_VIOLATION), 0 for plain faults. */
  readonly status: number;
}

export interface Bus {
  /**
   * Translate linear page number `page` (address / 4096) for `access`. Returns the backing page or a fault.
   * `slow: true` on the result of `slowPath` asks the CPU not to cache the translation (watchpoints).
   */
  translate(page: number, access: Access): PhysPage | BusFault;
  /**
   * True when accesses to `page` must go through `slowAccess` every time (a watchpoint or similar hook is
   * set on it). Pages without hooks cost nothing: the CPU only asks on a TLB miss.
   */
  isHooked(page: number): boolean;
  /** Called for every access to a hooked page, before the access is performed. May return a fault. */
  slowAccess(addr: number, size: number, access: Access): BusFault | undefined;
  /**
   * The page behind linear page `page` without any side effect (no guard-page trigger, no copy-on-write),
   * or undefined when nothing is mapped. Used to find code aliases when something outside the CPU writes.
   */
  peek?(page: number): PhysPage | undefined;
  /** Changes whenever a mapping or protection changes; the CPU flushes its TLB when it sees a new value. */
  readonly epoch: number;
}

export function isBusFault(t: PhysPage | BusFault): t is BusFault {
  return (t as BusFault).fault !== undefined;
}
