import { PeError, hx } from "./error";

/**
 * Bounds-checked little-endian reads from the file. Every read names the field it reads, so that a read
 * past the end of the file becomes a PeError about that field.
 */
export class FileReader {
  readonly view: DataView;
  readonly length: number;

  constructor(readonly bytes: Uint8Array) {
    this.view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    this.length = bytes.length;
  }

  check(offset: number, size: number, field: string): void {
    if (offset < 0 || offset + size > this.length) {
      throw new PeError(
        field,
        undefined,
        offset,
        `the file ends at ${hx(this.length)}, before this ${size}-byte field (truncated file?)`,
      );
    }
  }

  u8(offset: number, field: string): number {
    this.check(offset, 1, field);
    return this.bytes[offset];
  }

  u16(offset: number, field: string): number {
    this.check(offset, 2, field);
    return this.view.getUint16(offset, true);
  }

  u32(offset: number, field: string): number {
    this.check(offset, 4, field);
    return this.view.getUint32(offset, true);
  }

  i32(offset: number, field: string): number {
    this.check(offset, 4, field);
    return this.view.getInt32(offset, true);
  }

  /** A 64-bit field as its two 32-bit halves. */
  u64(offset: number, field: string): { lo: number; hi: number } {
    this.check(offset, 8, field);
    return { lo: this.view.getUint32(offset, true), hi: this.view.getUint32(offset + 4, true) };
  }
}

/** 2^32 */
export const TWO32 = 0x1_0000_0000;

/** A 64-bit value from its halves as a number, or a PeError when it exceeds `max` (default 2^53 - 1). */
export function u64ToNumber(
  v: { lo: number; hi: number },
  field: string,
  offset: number | undefined,
  max = Number.MAX_SAFE_INTEGER,
  what = "is too large",
): number {
  if (v.hi >= 0x20_0000) {
    throw new PeError(field, (BigInt(v.hi) << 32n) | BigInt(v.lo), offset, what);
  }
  const n = v.hi * TWO32 + v.lo;
  if (n > max) throw new PeError(field, n, offset, what);
  return n;
}
