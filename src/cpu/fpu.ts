/**
 * x87 FPU state and the number conversions around it (SDM Vol. 1 ch. 8; the instructions are in
 * sem/x87.ts).
 *
 * Model. Each physical register R0..R7 holds a JavaScript double, not an 80-bit extended value:
 * - CW.PC is stored and reported, and the arithmetic rounds as it says: to 24 bits for PC=00, 53 for PC=10;
 *   for PC=11 (and the reserved 01, as the hardware does) the double kept is the one nearest to the
 *   64-bit-rounded result, i.e. what FST m64 of the hardware register would give, with PE and C1 as the
 *   64-bit rounding sets them. The extra precision of PC=11 is not carried into the next operation.
 * - The 15-bit exponent range is not modelled: a result beyond the double range is rounded as the extended
 *   format would round it (PE, C1) and delivered as the nearest double (an infinity, a denormal or zero),
 *   without OE/UE (the hardware raises those only when storing to memory). FSCALE beyond the extended
 *   range does raise them.
 * - An exact 80-bit image is kept next to the double ("shadow", `x80`) when a register is loaded from a
 *   source a double cannot hold (FLD m80, FILD m64 beyond 2^53, FBLD, FRSTOR/FXRSTOR, the 66-bit
 *   constants): FSTP m80, FISTP m64, FBSTP, FST/FSTP ST(i), FXCH, FCHS, FABS and the save instructions
 *   then reproduce it bit for bit (so 64-bit integer copies through FILD/FISTP and long double copies are
 *   exact). Arithmetic uses the double.
 * - MMX registers alias the mantissas: `mmx[2p], mmx[2p+1]` is the 64-bit mantissa of the shadow of Rp.
 *
 * Tags are kept as one "valid" bit per physical register (the FXSAVE abridged tag); the full tag word is
 * derived from the contents, as FSTENV/FSAVE do (SDM Vol. 1 8.1.7).
 */
import type { Insn } from "./decoder/insn";

/** Status word bits (SDM Vol. 1 8.1.3). */
export const enum Sw {
  IE = 0x0001,
  DE = 0x0002,
  ZE = 0x0004,
  OE = 0x0008,
  UE = 0x0010,
  PE = 0x0020,
  SF = 0x0040,
  ES = 0x0080,
  C0 = 0x0100,
  C1 = 0x0200,
  C2 = 0x0400,
  C3 = 0x4000,
  B = 0x8000,
  /** The six exception flags. */
  EXC = 0x003f,
  /** C0..C3. */
  CC = 0x4700,
}

/** Lazy C1 kinds (the rounding direction of the last arithmetic result, computed when the SW is read). */
export const enum C1Op {
  None = 0,
  Add = 1,
  Mul = 2,
  Div = 3,
  Sqrt = 4,
}

const TWO32 = 4294967296;

// Scratch views for bit conversions.
const sf64 = new Float64Array(1);
const si32 = new Int32Array(sf64.buffer);
const sf32 = new Float32Array(1);
const si32f = new Int32Array(sf32.buffer);

/** Multi-value results of the conversions below. */
export const X = {
  /** 80-bit image: mantissa low/high dwords (int32) and sign+exponent (16 bits). */
  lo: 0,
  hi: 0,
  se: 0,
  /** Exception flags (Sw.PE/UE/OE/IE/DE) raised by a conversion. */
  flags: 0,
  /** The rounding increased the magnitude (C1). */
  up: false,
  /** Result tiny before denormalisation (for unmasked UE). */
  tiny: false,
};

/** High dword of the last `dLo` argument. */
export const D = { hi: 0 };

/** Low dword of a double's bits; the high dword goes to `D.hi`. */
export function dLo(v: number): number {
  sf64[0] = v;
  D.hi = si32[1];
  return si32[0];
}

export function dFromBits(lo: number, hi: number): number {
  si32[0] = lo;
  si32[1] = hi;
  return sf64[0];
}

/** A binary32 bit pattern as a double; NaNs are widened by hand (the float view would quiet an SNaN). */
export function f32FromBits(b: number): number {
  if ((b & 0x7f800000) === 0x7f800000 && (b & 0x7fffff) !== 0) {
    return dFromBits(b << 29, (b & 0x80000000) | 0x7ff00000 | ((b & 0x7fffff) >>> 3));
  }
  si32f[0] = b;
  return sf32[0];
}

/** Bits of a binary32 value held in a double; a NaN keeps its sign and the top fraction bits. */
export function f32Bits(v: number): number {
  if (v !== v) {
    const lo = dLo(v);
    return (D.hi & 0x80000000) | 0x7f800000 | ((D.hi & 0xfffff) << 3) | (lo >>> 29);
  }
  sf32[0] = v;
  return si32f[0];
}

/** 2^n as a double for -1074 <= n <= 1023. */
export function pow2(n: number): number {
  if (n >= -1022) return dFromBits(0, (n + 1023) << 20);
  const k = n + 1074;
  return k >= 32 ? dFromBits(0, 1 << (k - 32)) : dFromBits(1 << k, 0);
}

/** floor(log2|v|) of a finite nonzero double (denormals included). */
export function exponentOf(v: number): number {
  dLo(v);
  const e = (D.hi >>> 20) & 0x7ff;
  if (e !== 0) return e - 1023;
  return exponentOf(v * 18446744073709551616) - 64;
}

/** v * 2^n with a single rounding (to nearest) at the end; over/underflow give infinity/zero. */
export function ldexp(v: number, n: number): number {
  if (v === 0 || v - v !== 0 || n === 0) return v;
  const e = exponentOf(v);
  const t = e + n;
  if (t > 1023) return v > 0 ? Infinity : -Infinity;
  if (t < -1140) return v > 0 ? 0 : -0;
  // m in [1, 2): exact.
  const m = -e > 1023 ? v * pow2(64) * pow2(-e - 64) : v * pow2(-e);
  if (t >= -1022) return m * pow2(t);
  return m * pow2(t + 1022) * pow2(-1022);
}

/** Next double toward +infinity / -infinity. */
export function nextUp(v: number): number {
  if (v !== v || v === Infinity) return v;
  if (v === 0) return pow2(-1074);
  let lo = dLo(v);
  let hi = D.hi;
  if (v > 0) {
    lo = (lo + 1) | 0;
    if (lo === 0) hi++;
  } else {
    if (lo === 0) hi--;
    lo = (lo - 1) | 0;
  }
  return dFromBits(lo, hi);
}

export function nextDown(v: number): number {
  return -nextUp(-v);
}

// ---------------------------------------------------------------- error-free transformations

const SPLIT = 134217729; // 2^27 + 1
/** Safe range of the double-only error terms; outside it the exact BigInt path is used. */
const LO_SAFE = 2 ** -900;
const HI_SAFE = 2 ** 900;

function inSafe(v: number): boolean {
  return v === 0 || (v > 0 ? v > LO_SAFE && v < HI_SAFE : v < -LO_SAFE && v > -HI_SAFE);
}

/** a + b - s exactly (TwoSum), s = fl(a + b). */
export function addErr(a: number, b: number, s: number): number {
  const bb = s - a;
  return a - (s - bb) + (b - bb);
}

/** a * b - p exactly (Dekker's TwoProduct) when the operands are in the safe range. */
function mulErrD(a: number, b: number, p: number): number {
  let t = SPLIT * a;
  const ah = t - (t - a);
  const al = a - ah;
  t = SPLIT * b;
  const bh = t - (t - b);
  const bl = b - bh;
  return ah * bh - p + ah * bl + al * bh + al * bl;
}

/** A double as m * 2^e with an integer m (BigInt). */
function bigOf(v: number): { m: bigint; e: number } {
  const lo = dLo(v);
  const hi = D.hi;
  const be = (hi >>> 20) & 0x7ff;
  let m = BigInt(hi & 0xfffff) * 4294967296n + BigInt(lo >>> 0);
  let e: number;
  if (be === 0) e = -1074;
  else {
    m += 1n << 52n;
    e = be - 1075;
  }
  return { m: hi < 0 ? -m : m, e };
}

/** m * 2^e as a double (approximately; only used for error terms). */
function bigToNumber(m: bigint, e: number): number {
  if (m === 0n) return 0;
  const neg = m < 0n;
  let a = neg ? -m : m;
  const len = a.toString(2).length;
  if (len > 60) {
    a >>= BigInt(len - 60);
    e += len - 60;
  }
  const v = ldexp(Number(a), e);
  return neg ? -v : v;
}

/** x - y*z exactly, as m * 2^e. */
function bigRem(x: number, y: number, z: number): { m: bigint; e: number } {
  const bx = bigOf(x);
  const by = bigOf(y);
  const bz = bigOf(z);
  const ep = by.e + bz.e;
  const e = Math.min(bx.e, ep);
  return { m: (bx.m << BigInt(bx.e - e)) - ((by.m * bz.m) << BigInt(ep - e)), e };
}

/** (exact a*b) - p; exact in the safe range, else accurate to the last bits. */
export function mulErr(a: number, b: number, p: number): number {
  if (inSafe(a) && inSafe(b) && inSafe(p) && (p === 0 || Math.abs(p) > 2 ** -860)) return mulErrD(a, b, p);
  const r = bigRem(p, a, b); // p - a*b
  return -bigToNumber(r.m, r.e);
}

/** (exact a/b) - q, approximately (its sign is exact). */
export function divErr(a: number, b: number, q: number): number {
  if (inSafe(a) && inSafe(b) && inSafe(q) && Math.abs(a) > 2 ** -860) {
    const p = q * b;
    const pe = mulErrD(q, b, p);
    return (a - p - pe) / b;
  }
  const r = bigRem(a, q, b);
  return bigToNumber(r.m, r.e) / b;
}

/** (exact sqrt(a)) - q, approximately (its sign is exact). */
export function sqrtErr(a: number, q: number): number {
  if (inSafe(a) && inSafe(q) && Math.abs(a) > 2 ** -860) {
    const p = q * q;
    const pe = mulErrD(q, q, p);
    return (a - p - pe) / (2 * q);
  }
  const r = bigRem(a, q, q);
  return bigToNumber(r.m, r.e) / (2 * q);
}

// ---------------------------------------------------------------- 80-bit conversions

/** Double -> 80-bit image in X.lo/hi/se (exact). */
export function dToExt(v: number): void {
  const lo = dLo(v);
  const hi = D.hi;
  const sign = (hi >>> 16) & 0x8000;
  const e = (hi >>> 20) & 0x7ff;
  const fh = hi & 0xfffff;
  if (e === 0x7ff) {
    X.se = sign | 0x7fff;
    X.hi = 0x80000000 | (fh << 11) | (lo >>> 21);
    X.lo = lo << 11;
  } else if (e === 0) {
    if (fh === 0 && lo === 0) {
      X.se = sign;
      X.hi = 0;
      X.lo = 0;
      return;
    }
    // Denormal double: a normal extended value. n = index of the top set bit of the 52-bit fraction.
    const n = fh !== 0 ? 63 - Math.clz32(fh) : 31 - Math.clz32(lo);
    const sh = 63 - n;
    if (sh >= 32) {
      X.hi = lo << (sh - 32);
      X.lo = 0;
    } else {
      X.hi = (fh << sh) | (lo >>> (32 - sh));
      X.lo = lo << sh;
    }
    X.se = sign | (15309 + n);
  } else {
    X.se = sign | (e - 1023 + 16383);
    X.hi = 0x80000000 | (fh << 11) | (lo >>> 21);
    X.lo = lo << 11;
  }
}

/** Round state of `roundMant`. */
let rmInexact = false;
let rmUp = false;
let rmHi = 0;
let rmLo = 0;

/**
 * Drop the low `drop` bits of the 64-bit magnitude hi:lo (uint32 halves) rounding by RC (sign `neg` for
 * the directed modes). Result in rmHi:rmLo (may carry to 2^(64-drop)); rmInexact, rmUp.
 */
function roundMant(hi: number, lo: number, drop: number, rc: number, neg: boolean): void {
  hi >>>= 0;
  lo >>>= 0;
  let khi: number;
  let klo: number;
  // rb: 0 exact, 1 below half, 2 half, 3 above half
  let rb: number;
  if (drop <= 0) {
    khi = hi;
    klo = lo;
    rb = 0;
  } else if (drop < 32) {
    const r = (lo & ((1 << drop) - 1)) >>> 0;
    const half = 2 ** (drop - 1);
    rb = r === 0 ? 0 : r < half ? 1 : r === half ? 2 : 3;
    klo = ((lo >>> drop) | (hi << (32 - drop))) >>> 0;
    khi = hi >>> drop;
  } else if (drop === 32) {
    rb = lo === 0 ? 0 : lo < 0x80000000 ? 1 : lo === 0x80000000 ? 2 : 3;
    klo = hi;
    khi = 0;
  } else if (drop < 64) {
    const d = drop - 32;
    const rh = (hi & ((1 << d) - 1)) >>> 0;
    const halfH = 2 ** (d - 1);
    rb = rh === 0 && lo === 0 ? 0 : rh < halfH ? 1 : rh === halfH ? (lo === 0 ? 2 : 3) : 3;
    klo = hi >>> d;
    khi = 0;
  } else if (drop === 64) {
    rb = hi === 0 && lo === 0 ? 0 : hi < 0x80000000 ? 1 : hi === 0x80000000 && lo === 0 ? 2 : 3;
    klo = 0;
    khi = 0;
  } else {
    rb = hi === 0 && lo === 0 ? 0 : 1;
    klo = 0;
    khi = 0;
  }
  let inc: boolean;
  switch (rc) {
    case 0:
      inc = rb === 3 || (rb === 2 && (klo & 1) === 1);
      break;
    case 1:
      inc = rb !== 0 && neg;
      break;
    case 2:
      inc = rb !== 0 && !neg;
      break;
    default:
      inc = false;
  }
  if (inc) {
    klo += 1;
    if (klo === TWO32) {
      klo = 0;
      khi += 1;
    }
  }
  rmHi = khi;
  rmLo = klo;
  rmInexact = rb !== 0;
  rmUp = inc;
}

/**
 * Round the finite nonzero value (-1)^neg * (hi:lo) * 2^(e-63), hi:lo normalised (bit 63 set), to a binary
 * format with `prec` significand bits and normal exponents emin..emax (binary32 or binary64); the result is
 * a double. X.flags gets PE/UE/OE (UE only when tiny and inexact, the masked rule), X.tiny, X.up.
 */
function roundExt(
  neg: boolean,
  hi: number,
  lo: number,
  e: number,
  prec: number,
  emin: number,
  emax: number,
  rc: number,
): number {
  let drop = 64 - prec;
  let tiny = false;
  if (e < emin) {
    tiny = true;
    // Tininess after rounding with an unbounded exponent (SDM Vol. 1 4.9.1.5).
    if (e === emin - 1) {
      roundMant(hi, lo, drop, rc, neg);
      if (rmHi * TWO32 + rmLo === 2 ** prec) tiny = false;
    }
    drop += emin - e;
  }
  roundMant(hi, lo, drop, rc, neg);
  let flags = rmInexact ? Sw.PE : 0;
  if (tiny && rmInexact) flags |= Sw.UE;
  let k = rmHi * TWO32 + rmLo;
  let ex = e - 63 + drop;
  const up = rmUp;
  // A carry out of the top bit raises the exponent.
  if (e >= emin && k === 2 ** prec) {
    k /= 2;
    ex += 1;
  }
  if (ex + prec - 1 > emax) {
    // Overflow: infinity or the largest finite value by RC (SDM Vol. 1 4.9.1.4).
    flags |= Sw.OE | Sw.PE;
    const toInf = rc === 0 || (rc === 1 && neg) || (rc === 2 && !neg);
    X.flags = flags;
    X.tiny = false;
    X.up = toInf;
    const big = toInf ? Infinity : (2 - 2 ** (1 - prec)) * 2 ** emax;
    return neg ? -big : big;
  }
  X.flags = flags;
  X.tiny = tiny;
  X.up = up;
  const v = k * pow2(ex);
  return neg ? -v : v;
}

/** Indefinite QNaN as a double (0xFFF8000000000000). */
export const INDEF = dFromBits(0, 0xfff80000 | 0);

/**
 * 80-bit image -> double rounded by RC (prec 53) or to binary32 precision and range (prec 24; NaNs stay
 * double NaNs, see f32Bits). NaN payloads are truncated; an
 * SNaN gives IE and is quieted when `quiet`. Unsupported encodings (pseudo-NaN/infinity, unnormals) give IE
 * and the indefinite. X.flags/up/tiny as roundExt.
 */
export function extToD(
  lo: number,
  hi: number,
  se: number,
  rc: number,
  prec: 24 | 53,
  quiet: boolean,
): number {
  const neg = (se & 0x8000) !== 0;
  const e = se & 0x7fff;
  X.flags = 0;
  X.up = false;
  X.tiny = false;
  if (e === 0x7fff) {
    // Pseudo-NaN/infinity (integer bit clear) are unsupported: IE when converted for a store; as a
    // register value they read like the NaN/infinity of their fraction.
    if (hi >= 0 && quiet) {
      X.flags = Sw.IE;
      return INDEF;
    }
    if ((hi & 0x7fffffff) === 0 && lo === 0) return neg ? -Infinity : Infinity;
    // NaN: keep the top fraction bits.
    let dhi = (neg ? 0x80000000 : 0) | 0x7ff00000 | ((hi >>> 11) & 0xfffff);
    const dlo = (hi << 21) | (lo >>> 11);
    if ((hi & 0x40000000) === 0) {
      if (quiet) {
        X.flags = Sw.IE;
        dhi |= 0x80000;
      }
    }
    return dFromBits(dlo, dhi);
  }
  if (hi === 0 && lo === 0) {
    if (e === 0) return neg ? -0 : 0;
    X.flags = Sw.IE; // unnormal zero (pseudo-zero)
    return INDEF;
  }
  if (e !== 0 && hi >= 0) {
    X.flags = Sw.IE; // unnormal
    return INDEF;
  }
  let ue = (e === 0 ? 1 : e) - 16383;
  let h = hi >>> 0;
  let l = lo >>> 0;
  if (h < 0x80000000) {
    // Denormal / pseudo-denormal: normalise.
    const n = h !== 0 ? Math.clz32(h) : 32 + Math.clz32(l);
    if (n >= 32) {
      h = l << (n - 32);
      l = 0;
    } else {
      h = (h << n) | (l >>> (32 - n));
      l <<= n;
    }
    ue -= n;
  }
  return prec === 53
    ? roundExt(neg, h, l, ue, 53, -1022, 1023, rc)
    : roundExt(neg, h, l, ue, 24, -126, 127, rc);
}

/** Double -> binary32 value (held in a double) rounded by RC, for FST m32; flags in X as extToD. */
export function dToF32(v: number, rc: number): number {
  X.flags = 0;
  X.up = false;
  X.tiny = false;
  if (v !== v) {
    const lo = dLo(v);
    if ((D.hi & 0x80000) !== 0) return v;
    X.flags = Sw.IE;
    return dFromBits(lo, D.hi | 0x80000);
  }
  if (rc === 0) {
    const f = Math.fround(v);
    const a = Math.abs(f);
    if (f === v) {
      if (a !== 0 && a < 1.1754943508222875e-38 && a !== Infinity) X.tiny = true;
      return f;
    }
    if (a >= 1.1754943508222875e-38 && a !== Infinity) {
      X.flags = Sw.PE;
      X.up = a > Math.abs(v);
      return f;
    }
  }
  if (v === 0 || v - v !== 0) return v;
  dToExt(v);
  return extToD(X.lo, X.hi, X.se, rc, 24, false);
}

/** 64-bit two's complement integer (lo, hi) -> 80-bit image in X (exact). */
export function i64ToExt(lo: number, hi: number): void {
  let neg = false;
  let h = hi >>> 0;
  let l = lo >>> 0;
  if (hi < 0) {
    neg = true;
    l = (TWO32 - l) % TWO32;
    h = (~hi + (lo === 0 ? 1 : 0)) >>> 0;
  }
  if (h === 0 && l === 0) {
    X.lo = 0;
    X.hi = 0;
    X.se = 0;
    return;
  }
  const n = h !== 0 ? Math.clz32(h) : 32 + Math.clz32(l);
  if (n >= 32) {
    h = l << (n - 32);
    l = 0;
  } else if (n > 0) {
    h = (h << n) | (l >>> (32 - n));
    l <<= n;
  }
  X.hi = h | 0;
  X.lo = l | 0;
  X.se = (neg ? 0x8000 : 0) | (16383 + 63 - n);
}

/**
 * 80-bit image -> integer rounded by RC, as (lo, hi) in X.lo/X.hi. Returns false for NaN, infinity,
 * unsupported encodings and values outside the signed range of `bits`. X.flags gets PE, X.up the rounding
 * direction.
 */
export function extToInt(lo: number, hi: number, se: number, rc: number, bits: number): boolean {
  const neg = (se & 0x8000) !== 0;
  const e = se & 0x7fff;
  X.flags = 0;
  X.up = false;
  if (e === 0x7fff || (e !== 0 && hi >= 0)) return false;
  const ue = (e === 0 ? 1 : e) - 16383;
  if (ue >= 64) return false;
  roundMant(hi, lo, 63 - ue, rc, neg);
  let h = rmHi;
  let l = rmLo;
  if (rmInexact) X.flags = Sw.PE;
  X.up = rmUp;
  // Range: magnitude <= 2^(bits-1) - 1, or 2^(bits-1) when negative.
  const limHi = bits === 64 ? 0x80000000 : 0;
  const limLo = bits === 64 ? 0 : 2 ** (bits - 1);
  if (h > limHi || (h === limHi && l > limLo) || (h === limHi && l === limLo && !neg)) return false;
  if (neg) {
    l = (TWO32 - l) % TWO32;
    h = ~h + (l === 0 ? 1 : 0);
  }
  X.lo = l | 0;
  X.hi = h | 0;
  return true;
}

/** x87 class of an 80-bit image for FXAM (C3 C2 C0, SDM Vol. 2 FXAM) without the sign. */
export function extClass(lo: number, hi: number, se: number): number {
  const e = se & 0x7fff;
  if (e === 0x7fff) {
    if (hi >= 0) return 0; // unsupported
    return (hi & 0x7fffffff) === 0 && lo === 0 ? Sw.C2 | Sw.C0 : Sw.C0;
  }
  if (e === 0) return hi === 0 && lo === 0 ? Sw.C3 : Sw.C3 | Sw.C2;
  return hi < 0 ? Sw.C2 : 0;
}

/** Two-bit tag (0 valid, 1 zero, 2 special) of an 80-bit image. */
function extTag(lo: number, hi: number, se: number): number {
  const e = se & 0x7fff;
  if (e === 0) return hi === 0 && lo === 0 ? 1 : 2;
  if (e === 0x7fff || hi >= 0) return 2;
  return 0;
}

// ---------------------------------------------------------------- the state

export class Fpu {
  /** Physical registers R0..R7 as doubles. */
  readonly regs = new Float64Array(8);
  /** The same bytes as int32 pairs (lo, hi) for NaN bit patterns. */
  readonly rbits = new Int32Array(this.regs.buffer);
  /** Stack top (TOP field of the status word), 0..7. */
  top = 0;
  /** Control word: Windows initialises x87 to 0x27F (53-bit precision, all exceptions masked). */
  cw = 0x27f;
  /** Status word without TOP (TOP is kept in `top`); C1 may be pending in `c1op`. */
  sw = 0;
  /** Abridged tag: bit p set = physical register p is not empty. */
  valid = 0;
  /** Physical registers whose exact 80-bit image is the shadow (extSe[p], mmx[2p..2p+1]). */
  x80 = 0;
  readonly extSe = new Uint16Array(8);

  /**
   * Last non-control instruction and the last one with a memory operand: FIP/FCS/FOP and FDS derive from
   * them when they are set (null after the pointers were loaded by FLDENV/FRSTOR/FXRSTOR).
   */
  lastI: Insn | null = null;
  lastM: Insn | null = null;
  /** Last instruction/data pointers (FSTENV/FSAVE/FXSAVE); fdp is kept up to date directly. */
  fip = 0;
  fcs = 0;
  fop = 0;
  fdp = 0;
  fds = 0;

  /** Pending C1 of the last fast-path arithmetic: C1 = |c1r| > |exact result of c1a op c1b|. */
  c1op: number = C1Op.None;
  c1a = 0;
  c1b = 0;
  c1r = 0;

  /**
   * Full status word with TOP. ES and B read as "an unmasked exception flag is set", as on the hardware
   * (AMD: also right after FXRSTOR/FLDENV/FLDCW), whatever was stored.
   */
  statusWord(): number {
    if (this.c1op !== C1Op.None) this.resolveC1();
    const es = (this.sw & ~this.cw & Sw.EXC) !== 0 ? Sw.ES | Sw.B : 0;
    return (this.sw & ~(0x3800 | Sw.ES | Sw.B)) | ((this.top & 7) << 11) | es;
  }

  /** Load the status word (TOP included), e.g. from FLDENV/FXRSTOR. */
  setStatusWord(v: number): void {
    this.c1op = C1Op.None;
    this.sw = v & 0xc7ff;
    this.top = (v >> 11) & 7;
  }

  /** Load the control word (FLDCW): reserved bits 6 reads as 1, 7 and 13-15 as 0. */
  setControlWord(v: number): void {
    this.cw = (v & 0x1f3f) | 0x40;
  }

  private resolveC1(): void {
    const a = this.c1a;
    const b = this.c1b;
    const r = this.c1r;
    let e: number;
    switch (this.c1op) {
      case C1Op.Add:
        e = addErr(a, b, r);
        break;
      case C1Op.Mul:
        e = mulErr(a, b, r);
        break;
      case C1Op.Div:
        e = divErr(a, b, r);
        break;
      default:
        e = sqrtErr(a, r);
    }
    this.c1op = C1Op.None;
    // e = exact - r; the magnitude was rounded up when e has the opposite sign of r.
    this.sw = e !== 0 && e > 0 !== r > 0 ? this.sw | Sw.C1 : this.sw & ~Sw.C1;
  }

  /** Full tag word (2 bits per physical register), derived from the contents (SDM Vol. 1 8.1.7). */
  get tw(): number {
    let t = 0;
    for (let p = 0; p < 8; p++) t |= this.tagOf(p) << (2 * p);
    return t;
  }

  /** Load a full tag word: only empty (11) / not empty matters, the class comes from the contents. */
  set tw(v: number) {
    let m = 0;
    for (let p = 0; p < 8; p++) if (((v >> (2 * p)) & 3) !== 3) m |= 1 << p;
    this.valid = m;
  }

  /** Tag of physical register p: 0 valid, 1 zero, 2 special, 3 empty. */
  tagOf(p: number): number {
    if (((this.valid >> p) & 1) === 0) return 3;
    if (((this.x80 | this.mmxOwned) >> p) & 1) {
      this.getReg80(p);
      return extTag(X.lo, X.hi, X.se);
    }
    const v = this.regs[p];
    if (v === 0) return 1;
    return v - v === 0 ? 0 : 2;
  }

  /** The FXSAVE abridged tag byte (bit p = Rp not empty). */
  abridgedTag(): number {
    return this.valid;
  }

  setAbridgedTag(v: number): void {
    this.valid = v & 0xff;
  }

  /** The 80-bit image of physical register p into X.lo/hi/se. */
  getReg80(p: number): void {
    const m = 1 << p;
    if (this.mmxOwned & m) {
      X.lo = this.mmx[2 * p];
      X.hi = this.mmx[2 * p + 1];
      X.se = 0xffff;
    } else if (this.x80 & m) {
      X.lo = this.mmx[2 * p];
      X.hi = this.mmx[2 * p + 1];
      X.se = this.extSe[p];
    } else dToExt(this.regs[p]);
  }

  /** Load physical register p from an 80-bit image (tags unchanged). */
  setReg80(p: number, lo: number, hi: number, se: number): void {
    const v = extToD(lo, hi, se, 0, 53, false);
    this.regs[p] = v;
    this.mmx[2 * p] = lo;
    this.mmx[2 * p + 1] = hi;
    this.extSe[p] = se;
    this.mmxOwned &= ~(1 << p);
    // Keep the shadow unless the double holds the value exactly.
    dToExt(v);
    if (X.lo === (lo | 0) && X.hi === (hi | 0) && X.se === (se & 0xffff) && X.flags === 0)
      this.x80 &= ~(1 << p);
    else this.x80 |= 1 << p;
  }

  /** The 80-bit image of ST(i) as 10 bytes (FSAVE/FXSAVE order: mantissa little-endian, then sign+exponent). */
  st80(i: number, out: Uint8Array, off: number): void {
    this.getReg80((this.top + i) & 7);
    for (let k = 0; k < 4; k++) out[off + k] = X.lo >>> (8 * k);
    for (let k = 0; k < 4; k++) out[off + 4 + k] = X.hi >>> (8 * k);
    out[off + 8] = X.se;
    out[off + 9] = X.se >>> 8;
  }

  /** Load ST(i) from 10 bytes (tags unchanged). */
  setSt80(i: number, src: Uint8Array, off: number): void {
    const lo = src[off] | (src[off + 1] << 8) | (src[off + 2] << 16) | (src[off + 3] << 24);
    const hi = src[off + 4] | (src[off + 5] << 8) | (src[off + 6] << 16) | (src[off + 7] << 24);
    this.setReg80((this.top + i) & 7, lo, hi, src[off + 8] | (src[off + 9] << 8));
  }

  /** ST(i) as a double (stale contents when empty). */
  st(i: number): number {
    return this.regs[(this.top + i) & 7];
  }

  /** ST(i) is empty. */
  isEmpty(i: number): boolean {
    return ((this.valid >> ((this.top + i) & 7)) & 1) === 0;
  }

  /** FNINIT (SDM Vol. 2 FINIT): registers keep their contents. */
  reset(): void {
    this.top = 0;
    this.cw = 0x37f;
    this.sw = 0;
    this.valid = 0;
    this.c1op = C1Op.None;
    this.lastI = null;
    this.lastM = null;
    this.fip = 0;
    this.fcs = 0;
    this.fop = 0;
    this.fdp = 0;
    this.fds = 0;
  }

  // ---- MMX (owned by the SSE/MMX family, src/cpu/sem/mmx.ts)

  /**
   * MM0..MM7, two dwords each. On hardware MMi is the 64-bit mantissa of physical register Ri (and an MMX
   * write sets Ri's exponent to all ones). Here `mmx` is also the mantissa store of the x87 80-bit shadows
   * (so MMi reads the mantissa of an x87 value loaded exactly, e.g. by FLD m80 or FXRSTOR); a register
   * the x87 last wrote as a plain double is not mirrored here. `getReg80` gives the right image either way.
   */
  readonly mmx = new Int32Array(16);
  /** Physical registers last written by an MMX instruction (bit i = Ri). x87 writes to Ri clear bit i. */
  mmxOwned = 0;

  /** Every MMX instruction but EMMS: TOP = 0 and all tags valid (SDM Vol. 1 9.5.1, Table 9-3). */
  enterMmx(): void {
    this.top = 0;
    this.valid = 0xff;
  }

  /** EMMS: all tags empty (SDM Vol. 2 "EMMS"). */
  emms(): void {
    this.valid = 0;
  }
}
