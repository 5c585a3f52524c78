/**
 * Kernel access to user memory, as the NT services make it: every user pointer is probed, and a bad one
 * (not mapped, not committed, no access, a guard page, or outside the user range) becomes the service's
 * STATUS_ACCESS_VIOLATION instead of a host exception (the kernel's __try/__except around
 * ProbeForRead/ProbeForWrite and the copy). Values are little-endian; 64-bit values are JavaScript numbers
 * (exact below 2^53; a value whose upper half is all ones reads as the negative number it encodes).
 */
import type { AddressSpace } from "../memory/address-space";
import { PAGE_SIZE } from "../memory/constants";
import { STATUS_ACCESS_VIOLATION } from "./status";

/** MM_USER_PROBE_ADDRESS on x64: ProbeForRead/ProbeForWrite fail at or above it. */
export const USER_PROBE_ADDRESS = 0x7fffffff0000;

const TWO32 = 4294967296;

/** A failed access to user memory: the status the service returns (or the exception a trap raises). */
export class GuestFault extends Error {
  constructor(
    readonly status: number,
    readonly address: number,
    readonly write: boolean,
  ) {
    super(`${write ? "write to" : "read of"} 0x${address.toString(16)} failed`);
  }
}

/** lo/hi halves (as unsigned 32-bit numbers) of a 64-bit value given as a number; negatives are two's complement. */
export function split64(v: number): [number, number] {
  const hi = Math.floor(v / TWO32);
  const lo = v - hi * TWO32;
  return [lo >>> 0, hi >>> 0];
}

/** A 64-bit value from its halves: signed when the upper half is all ones, unsigned otherwise. */
export function join64(lo: number, hi: number): number {
  if (hi >>> 0 === 0xffffffff) return -(TWO32 - (lo >>> 0));
  return (hi >>> 0) * TWO32 + (lo >>> 0);
}

export class UserMemory {
  private readonly scratch = new Uint8Array(8);
  private readonly dv = new DataView(this.scratch.buffer);

  constructor(readonly as: AddressSpace) {}

  private range(addr: number, len: number, write: boolean): void {
    if (!Number.isSafeInteger(addr) || addr < 0 || len < 0 || addr + len > USER_PROBE_ADDRESS) {
      throw new GuestFault(STATUS_ACCESS_VIOLATION, addr, write);
    }
  }

  /** Bytes at `addr`; throws GuestFault if any is not readable. */
  read(addr: number, len: number): Uint8Array {
    const out = new Uint8Array(len);
    if (len === 0) return out;
    this.range(addr, len, false);
    const n = this.as.read(addr, out);
    if (n < len) throw new GuestFault(STATUS_ACCESS_VIOLATION, addr + n, false);
    return out;
  }

  /** Writes `bytes` at `addr` (copy-on-write pages get their private copy); throws GuestFault if any is not writable. */
  write(addr: number, bytes: Uint8Array): void {
    if (bytes.length === 0) return;
    this.range(addr, bytes.length, true);
    const n = this.as.write(addr, bytes);
    if (n < bytes.length) throw new GuestFault(STATUS_ACCESS_VIOLATION, addr + n, true);
  }

  /** ProbeForRead: every page of the range readable. */
  probeRead(addr: number, len: number): void {
    if (len === 0) return;
    this.range(addr, len, false);
    for (let p = addr - (addr % PAGE_SIZE); p < addr + len; p += PAGE_SIZE) this.read(Math.max(p, addr), 1);
  }

  /** ProbeForWrite: every page of the range writable (touched by reading and writing back one byte, as Windows does). */
  probeWrite(addr: number, len: number): void {
    if (len === 0) return;
    this.range(addr, len, true);
    for (let p = addr - (addr % PAGE_SIZE); p < addr + len; p += PAGE_SIZE) {
      const a = Math.max(p, addr);
      this.write(a, this.readForProbe(a));
    }
  }

  private readForProbe(a: number): Uint8Array {
    try {
      return this.read(a, 1);
    } catch {
      throw new GuestFault(STATUS_ACCESS_VIOLATION, a, true);
    }
  }

  u8(addr: number): number {
    return this.read(addr, 1)[0];
  }

  u16(addr: number): number {
    const b = this.read(addr, 2);
    return b[0] | (b[1] << 8);
  }

  u32(addr: number): number {
    const b = this.read(addr, 4);
    return (b[0] | (b[1] << 8) | (b[2] << 16) | (b[3] << 24)) >>> 0;
  }

  i32(addr: number): number {
    return this.u32(addr) | 0;
  }

  /** A 64-bit value: unsigned, except that an upper half of all ones reads as a negative number. */
  u64(addr: number): number {
    const b = this.read(addr, 8);
    const lo = (b[0] | (b[1] << 8) | (b[2] << 16) | (b[3] << 24)) >>> 0;
    const hi = (b[4] | (b[5] << 8) | (b[6] << 16) | (b[7] << 24)) >>> 0;
    return join64(lo, hi);
  }

  /** A signed 64-bit value (LARGE_INTEGER); exact within ±2^53 and at -2^63. */
  i64(addr: number): number {
    const b = this.read(addr, 8);
    const lo = (b[0] | (b[1] << 8) | (b[2] << 16) | (b[3] << 24)) >>> 0;
    const hi = b[4] | (b[5] << 8) | (b[6] << 16) | (b[7] << 24);
    return hi * TWO32 + lo;
  }

  /** A pointer-sized value (4 or 8 bytes). */
  ptr(addr: number, size: 4 | 8): number {
    return size === 8 ? this.u64(addr) : this.u32(addr);
  }

  w8(addr: number, v: number): void {
    this.write(addr, Uint8Array.of(v & 0xff));
  }

  w16(addr: number, v: number): void {
    this.write(addr, Uint8Array.of(v & 0xff, (v >>> 8) & 0xff));
  }

  w32(addr: number, v: number): void {
    this.dv.setUint32(0, v >>> 0, true);
    this.write(addr, this.scratch.slice(0, 4));
  }

  /** Writes a 64-bit value (negative numbers in two's complement). */
  w64(addr: number, v: number): void {
    const [lo, hi] = split64(v);
    this.dv.setUint32(0, lo, true);
    this.dv.setUint32(4, hi, true);
    this.write(addr, this.scratch.slice(0, 8));
  }

  wptr(addr: number, v: number, size: 4 | 8): void {
    if (size === 8) this.w64(addr, v);
    else this.w32(addr, v);
  }

  /** A NUL-terminated 8-bit string (at most `max` bytes), decoded as Latin-1. */
  cString(addr: number, max = 32768): string {
    let s = "";
    for (let i = 0; i < max; i++) {
      const c = this.u8(addr + i);
      if (c === 0) break;
      s += String.fromCharCode(c);
    }
    return s;
  }

  /** A NUL-terminated UTF-16 string (at most `max` code units). */
  wString(addr: number, max = 32768): string {
    let s = "";
    for (let i = 0; i < max; i++) {
      const c = this.u16(addr + 2 * i);
      if (c === 0) break;
      s += String.fromCharCode(c);
    }
    return s;
  }

  /** `len` bytes of UTF-16 at `addr`. */
  utf16(addr: number, len: number): string {
    const b = this.read(addr, len & ~1);
    let s = "";
    for (let i = 0; i + 1 < b.length; i += 2) s += String.fromCharCode(b[i] | (b[i + 1] << 8));
    return s;
  }

  /**
   * A UNICODE_STRING (`ptrSize` 8: Length, MaximumLength, 4 bytes padding, Buffer; 4: Buffer at +4) or
   * ANSI_STRING (`wide` false), read as a JavaScript string.
   */
  countedString(addr: number, ptrSize: 4 | 8, wide = true): string {
    const len = this.u16(addr);
    const buf = this.ptr(addr + ptrSize, ptrSize);
    if (len === 0) return "";
    if (wide) return this.utf16(buf, len);
    const b = this.read(buf, len);
    let s = "";
    for (const c of b) s += String.fromCharCode(c);
    return s;
  }
}
