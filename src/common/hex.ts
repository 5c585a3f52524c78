/** Hex formatting helpers shared by every layer. */

/** `0x` + hex of a non-negative integer (exact up to 2^53), zero-padded to `width` digits. */
export function hex(v: number | bigint, width = 0): string {
  const s = v.toString(16).toUpperCase();
  return "0x" + s.padStart(width, "0");
}

/** Hex of an address: 8 digits below 4 GB, 16 above (WinDbg shows 64-bit addresses with a backtick). */
export function hexAddr(v: number, bits: 32 | 64 = 64): string {
  const s = v.toString(16).toUpperCase();
  return bits === 32 ? s.padStart(8, "0") : s.padStart(16, "0");
}

/** Bytes as "8B 46 08". */
export function hexBytes(b: ArrayLike<number>, n = b.length): string {
  const out: string[] = [];
  for (let k = 0; k < n; k++) out.push(b[k].toString(16).toUpperCase().padStart(2, "0"));
  return out.join(" ");
}

/** Parse "8B 46 08", "8b4608" or "0x8b,0x46,0x08" into bytes; throws on anything that is not hex. */
export function parseHexBytes(s: string): Uint8Array {
  const clean = s.replace(/0x/gi, "").replace(/[\s,]+/g, "");
  if (!/^([0-9a-fA-F]{2})*$/.test(clean)) throw new Error(`not a hex byte string: ${s}`);
  const out = new Uint8Array(clean.length / 2);
  for (let k = 0; k < out.length; k++) out[k] = parseInt(clean.slice(2 * k, 2 * k + 2), 16);
  return out;
}

/** A 64-bit value from its (lo, hi) int32 halves, as 16 hex digits. */
export function hex64(lo: number, hi: number): string {
  return (hi >>> 0).toString(16).padStart(8, "0") + (lo >>> 0).toString(16).padStart(8, "0");
}
