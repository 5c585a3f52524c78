/**
 * Lazy arithmetic flags. The hot ALU operations record their operands and result; a flag is computed
 * only when something reads it. Everything else computes flags eagerly through `setFlags`.
 * Semantics never touch the raw EFLAGS word directly (one funnel, as in blink's flags.h).
 */

export const CF = 0x0001;
export const PF = 0x0004;
export const AF = 0x0010;
export const ZF = 0x0040;
export const SF = 0x0080;
export const TF = 0x0100;
export const IF = 0x0200;
export const DF = 0x0400;
export const OF = 0x0800;
export const IOPL = 0x3000;
export const NT = 0x4000;
export const RF = 0x10000;
export const VM = 0x20000;
export const AC = 0x40000;
export const VIF = 0x80000;
export const VIP = 0x100000;
export const ID = 0x200000;

/** The six arithmetic status flags. */
export const ARITH = CF | PF | AF | ZF | SF | OF;
/** Bits a user-mode POPF may change (IOPL, IF, VM, VIF, VIP are kept; RF cleared). */
export const USER_WRITABLE = CF | PF | AF | ZF | SF | TF | DF | OF | NT | AC | ID;

/** Last flag-setting operation kinds. */
export const enum FOp {
  /** Arithmetic flags are in `Flags.bits`. */
  None = 0,
  Add = 1,
  Adc = 2,
  Sub = 3,
  Sbb = 4,
  /** and/or/xor/test: CF = OF = 0, AF = 0 (architecturally undefined). */
  Logic = 5,
  /** inc: like add with b = 1, CF kept in `cfIn`. */
  Inc = 6,
  /** dec: like sub with b = 1, CF kept in `cfIn`. */
  Dec = 7,
}

const PARITY = new Uint8Array(256);
for (let i = 0; i < 256; i++) {
  let p = 1;
  for (let b = i; b; b >>= 1) p ^= b & 1;
  PARITY[i] = p ? PF : 0;
}
export { PARITY };

/** Sign bit of a value of `size` bits held in an int32 (size < 64). */
function signBit(size: number): number {
  return size === 8 ? 0x80 : size === 16 ? 0x8000 : 0x80000000 | 0;
}

export function sizeMask(size: number): number {
  return size === 8 ? 0xff : size === 16 ? 0xffff : -1;
}

/**
 * Flag state of one CPU. Values for 8/16-bit operations are stored masked (unsigned); 32-bit as int32;
 * 64-bit as (lo, hi) int32 pairs.
 */
export class Flags {
  /** All EFLAGS bits; the arithmetic ones are valid only when `op === FOp.None`. */
  bits = 0x202;
  op: FOp = FOp.None;
  size = 32;
  res = 0;
  resHi = 0;
  a = 0;
  aHi = 0;
  b = 0;
  bHi = 0;
  /** Carry in (adc/sbb) or the preserved CF (inc/dec), 0 or 1. */
  cfIn = 0;

  /** Record a lazy result. */
  lazy(op: FOp, size: number, a: number, b: number, res: number): void {
    this.op = op;
    this.size = size;
    this.a = a;
    this.b = b;
    this.res = res;
  }

  lazy64(op: FOp, a: number, aHi: number, b: number, bHi: number, res: number, resHi: number): void {
    this.op = op;
    this.size = 64;
    this.a = a;
    this.aHi = aHi;
    this.b = b;
    this.bHi = bHi;
    this.res = res;
    this.resHi = resHi;
  }

  /** inc/dec keep CF: capture it before recording. */
  lazyIncDec(op: FOp.Inc | FOp.Dec, size: number, a: number, aHi: number, res: number, resHi: number): void {
    this.cfIn = this.cf();
    this.op = op;
    this.size = size;
    this.a = a;
    this.aHi = aHi;
    this.b = 1;
    this.bHi = 0;
    this.res = res;
    this.resHi = resHi;
  }

  cf(): number {
    const s = this.size;
    switch (this.op) {
      case FOp.None:
        return this.bits & CF;
      case FOp.Add:
        if (s === 64) return ltu64(this.res, this.resHi, this.a, this.aHi);
        return (this.res & sizeMask(s)) >>> 0 < (this.a & sizeMask(s)) >>> 0 ? 1 : 0;
      case FOp.Adc:
        if (s === 64) {
          return ltu64(this.res, this.resHi, this.a, this.aHi) ||
            (this.cfIn && this.res === this.a && this.resHi === this.aHi)
            ? 1
            : 0;
        }
        {
          const r = (this.res & sizeMask(s)) >>> 0;
          const a = (this.a & sizeMask(s)) >>> 0;
          return r < a || (this.cfIn && r === a) ? 1 : 0;
        }
      case FOp.Sub:
        if (s === 64) return ltu64(this.a, this.aHi, this.b, this.bHi);
        return (this.a & sizeMask(s)) >>> 0 < (this.b & sizeMask(s)) >>> 0 ? 1 : 0;
      case FOp.Sbb:
        if (s === 64) {
          return ltu64(this.a, this.aHi, this.b, this.bHi) ||
            (this.cfIn && this.a === this.b && this.aHi === this.bHi)
            ? 1
            : 0;
        }
        {
          const a = (this.a & sizeMask(s)) >>> 0;
          const b = (this.b & sizeMask(s)) >>> 0;
          return a < b || (this.cfIn && a === b) ? 1 : 0;
        }
      case FOp.Logic:
        return 0;
      case FOp.Inc:
      case FOp.Dec:
        return this.cfIn;
    }
  }

  zf(): number {
    if (this.op === FOp.None) return (this.bits & ZF) >> 6;
    if (this.size === 64) return (this.res | this.resHi) === 0 ? 1 : 0;
    return (this.res & sizeMask(this.size)) === 0 ? 1 : 0;
  }

  sf(): number {
    if (this.op === FOp.None) return (this.bits & SF) >> 7;
    if (this.size === 64) return this.resHi >>> 31;
    return this.res & signBit(this.size) ? 1 : 0;
  }

  pf(): number {
    if (this.op === FOp.None) return (this.bits & PF) >> 2;
    return PARITY[this.res & 0xff] >> 2;
  }

  af(): number {
    switch (this.op) {
      case FOp.None:
        return (this.bits & AF) >> 4;
      case FOp.Logic:
        return 0;
      default:
        return (this.a ^ this.b ^ this.res) & 0x10 ? 1 : 0;
    }
  }

  of(): number {
    const s = this.size;
    let x: number;
    switch (this.op) {
      case FOp.None:
        return (this.bits & OF) >> 11;
      case FOp.Logic:
        return 0;
      case FOp.Add:
      case FOp.Adc:
      case FOp.Inc:
        x =
          s === 64
            ? (this.aHi ^ this.resHi) & (this.bHi ^ this.resHi)
            : (this.a ^ this.res) & (this.b ^ this.res);
        break;
      default:
        x =
          s === 64
            ? (this.aHi ^ this.bHi) & (this.aHi ^ this.resHi)
            : (this.a ^ this.b) & (this.a ^ this.res);
        break;
    }
    return s === 64 ? x >>> 31 : x & signBit(s) ? 1 : 0;
  }

  /** Full EFLAGS value. */
  get(): number {
    if (this.op === FOp.None) return this.bits;
    return (
      (this.bits & ~ARITH) |
      this.cf() |
      (this.pf() << 2) |
      (this.af() << 4) |
      (this.zf() << 6) |
      (this.sf() << 7) |
      (this.of() << 11)
    );
  }

  /** Replace all EFLAGS bits (bit 1 always reads as 1). */
  set(v: number): void {
    this.bits = (v | 2) & 0x3f7fd7;
    this.op = FOp.None;
  }

  /** Make the arithmetic flags eager, then replace those in `mask` by `v`. */
  setFlags(mask: number, v: number): void {
    // Replacing every arithmetic flag needs no materialisation of the lazy ones.
    const cur = (mask & ARITH) === ARITH ? this.bits : this.get();
    this.bits = (cur & ~mask) | (v & mask);
    this.op = FOp.None;
  }

  /**
   * Eager flags from a result of `size` bits (lo/hi for 64-bit): ZF, SF, PF from the result; CF and OF
   * as given; AF cleared (undefined for the instructions that use this).
   */
  setResult(size: number, res: number, resHi: number, cf: number, of: number): void {
    let zf: number;
    let sf: number;
    if (size === 64) {
      zf = (res | resHi) === 0 ? 1 : 0;
      sf = resHi >>> 31;
    } else {
      zf = (res & sizeMask(size)) === 0 ? 1 : 0;
      sf = res & signBit(size) ? 1 : 0;
    }
    const cur = this.bits;
    this.bits = (cur & ~ARITH) | (cf ? CF : 0) | PARITY[res & 0xff] | (zf << 6) | (sf << 7) | (of ? OF : 0);
    this.op = FOp.None;
  }

  /** Evaluate condition code `cc` (the low nibble of Jcc/SETcc/CMOVcc). */
  cond(cc: number): boolean {
    switch (cc) {
      case 0:
        return this.of() === 1;
      case 1:
        return this.of() === 0;
      case 2: // b: CF
        return this.cf() === 1;
      case 3:
        return this.cf() === 0;
      case 4: // e: ZF
        return this.zf() === 1;
      case 5:
        return this.zf() === 0;
      case 6: // be: CF || ZF
        return (this.cf() | this.zf()) === 1;
      case 7:
        return (this.cf() | this.zf()) === 0;
      case 8:
        return this.sf() === 1;
      case 9:
        return this.sf() === 0;
      case 10:
        return this.pf() === 1;
      case 11:
        return this.pf() === 0;
      case 12: // l: SF != OF
        return this.sf() !== this.of();
      case 13:
        return this.sf() === this.of();
      case 14: // le: ZF || SF != OF
        return this.zf() === 1 || this.sf() !== this.of();
      default:
        return this.zf() === 0 && this.sf() === this.of();
    }
  }

  get df(): boolean {
    return (this.bits & DF) !== 0;
  }
}

/** (aLo,aHi) < (bLo,bHi) unsigned, as 0/1. */
export function ltu64(aLo: number, aHi: number, bLo: number, bHi: number): number {
  const ah = aHi >>> 0;
  const bh = bHi >>> 0;
  return ah < bh || (ah === bh && aLo >>> 0 < bLo >>> 0) ? 1 : 0;
}
