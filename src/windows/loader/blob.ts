/**
 * Builds a block of guest memory in a host buffer (structures, strings, pointers to both), then writes it
 * into the address space in one go. Pointers are 4 or 8 bytes per the layout's bitness; 64-bit values are
 * written as two 32-bit halves, so addresses up to 2^53 stay exact.
 */
import type { AddressSpace } from "../memory/address-space";

const TWO32 = 0x1_0000_0000;

export class Blob {
  readonly bytes: Uint8Array;
  private readonly dv: DataView;
  /** Next free offset for `alloc`. */
  private top = 0;

  constructor(
    /** Guest address of byte 0. */
    readonly base: number,
    readonly size: number,
    readonly bits: 32 | 64,
  ) {
    this.bytes = new Uint8Array(size);
    this.dv = new DataView(this.bytes.buffer);
  }

  get ptrSize(): 4 | 8 {
    return this.bits === 64 ? 8 : 4;
  }

  /** Reserve `n` bytes aligned to `align`; returns the guest address. */
  alloc(n: number, align = 8): number {
    this.top = Math.ceil(this.top / align) * align;
    const at = this.top;
    if (at + n > this.size) throw new Error(`loader blob overflow (${at + n} > ${this.size})`);
    this.top += n;
    return this.base + at;
  }

  get used(): number {
    return this.top;
  }

  private off(addr: number): number {
    const o = addr - this.base;
    if (o < 0 || o >= this.size) throw new Error(`address 0x${addr.toString(16)} outside the loader blob`);
    return o;
  }

  u8(addr: number, v: number): void {
    this.dv.setUint8(this.off(addr), v);
  }

  u16(addr: number, v: number): void {
    this.dv.setUint16(this.off(addr), v, true);
  }

  u32(addr: number, v: number): void {
    this.dv.setUint32(this.off(addr), v >>> 0, true);
  }

  i32(addr: number, v: number): void {
    this.dv.setInt32(this.off(addr), v | 0, true);
  }

  u64(addr: number, v: number): void {
    const o = this.off(addr);
    if (v < 0) {
      // two's complement of a small negative value (a handle like -1)
      this.dv.setInt32(o, v | 0, true);
      this.dv.setInt32(o + 4, -1, true);
      return;
    }
    this.dv.setUint32(o, v % TWO32, true);
    this.dv.setUint32(o + 4, Math.floor(v / TWO32), true);
  }

  /** A pointer-sized value. */
  ptr(addr: number, v: number): void {
    if (this.bits === 64) this.u64(addr, v);
    else this.u32(addr, v);
  }

  /** A NUL-terminated UTF-16LE string in the blob; returns its address and byte length (without the NUL). */
  wstr(s: string): { addr: number; length: number } {
    const addr = this.alloc(2 * s.length + 2, 2);
    for (let k = 0; k < s.length; k++) this.u16(addr + 2 * k, s.charCodeAt(k));
    return { addr, length: 2 * s.length };
  }

  /** A NUL-terminated byte string (ANSI). */
  astr(s: string): number {
    const addr = this.alloc(s.length + 1, 1);
    for (let k = 0; k < s.length; k++) this.u8(addr + k, s.charCodeAt(k) & 0xff);
    return addr;
  }

  /**
   * UNICODE_STRING at `at` { USHORT Length; USHORT MaximumLength; PWSTR Buffer; } pointing at a new copy of `s`
   * (Buffer at +4 in the 32-bit layout, +8 in the 64-bit one).
   */
  unicodeString(at: number, s: string, maxExtra = 2): void {
    const { addr, length } = this.wstr(s);
    this.u16(at, length);
    this.u16(at + 2, length + maxExtra);
    this.ptr(at + this.ptrSize, addr);
  }

  /** A UNICODE_STRING pointing at an existing buffer. */
  unicodeStringAt(at: number, buffer: number, length: number, maximumLength = length + 2): void {
    this.u16(at, length);
    this.u16(at + 2, maximumLength);
    this.ptr(at + this.ptrSize, buffer);
  }

  /** LIST_ENTRY { Flink; Blink; } */
  listEntry(at: number, flink: number, blink: number): void {
    this.ptr(at, flink);
    this.ptr(at + this.ptrSize, blink);
  }

  /** Write the whole blob into guest memory (the kernel's forced write: protections are not checked). */
  commit(mem: AddressSpace): void {
    const n = mem.write(this.base, this.bytes, { force: true });
    if (n !== this.bytes.length) {
      throw new Error(
        `could not write ${this.bytes.length} bytes at 0x${this.base.toString(16)} (wrote ${n})`,
      );
    }
  }
}

/** Write a pointer-sized or 32-bit value straight into guest memory. */
export function pokeU32(mem: AddressSpace, addr: number, v: number): void {
  const b = new Uint8Array(4);
  new DataView(b.buffer).setUint32(0, v >>> 0, true);
  mem.write(addr, b, { force: true });
}

export function pokeU64(mem: AddressSpace, addr: number, v: number): void {
  const b = new Uint8Array(8);
  const dv = new DataView(b.buffer);
  dv.setUint32(0, v % TWO32, true);
  dv.setUint32(4, Math.floor(v / TWO32), true);
  mem.write(addr, b, { force: true });
}

export function peekU32(mem: AddressSpace, addr: number): number | undefined {
  const b = new Uint8Array(4);
  if (mem.read(addr, b, { force: true }) !== 4) return undefined;
  return new DataView(b.buffer).getUint32(0, true);
}

export function peekU64(mem: AddressSpace, addr: number): number | undefined {
  const b = new Uint8Array(8);
  if (mem.read(addr, b, { force: true }) !== 8) return undefined;
  const dv = new DataView(b.buffer);
  return dv.getUint32(4, true) * TWO32 + dv.getUint32(0, true);
}
