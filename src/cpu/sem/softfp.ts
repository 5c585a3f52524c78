/**
 * SSE floating point with x86 semantics on top of JavaScript doubles: MXCSR rounding control, DAZ and
 * FTZ, the six exception flags, and the SSE NaN rules. Used by sse-float.ts and sse-convert.ts.
 *
 * References: SDM Vol. 1 4.8.3.5 (Table 4-7, NaN results), 4.9 and 11.5 (exceptions and their priority:
 * SNaN > QNaN > other invalid > divide-by-zero > denormal, then overflow/underflow > inexact),
 * 10.2.3.3-4 (FTZ, DAZ). Tininess is detected after rounding, as on x86 (SoftFloat's 8086-SSE setting).
 *
 * Method. Single precision computes in double: the double result d and the sign s of the rounding error
 * of d (error-free transformations: TwoSum, Dekker's TwoProduct) determine the correctly rounded single
 * in every mode and whether it is exact. Double precision does the same with d as the candidate. When the
 * result leaves the normal range (or an error-free transformation could under/overflow) a slow path
 * computes exactly with BigInt and rounds with an unbounded, then a bounded exponent. NaNs are handled on
 * bit patterns (the float views are never used to move a NaN).
 */

import { A, AD, AF, B, BD, BF, R, RD, RF } from "./sse-common";

export const enum Mx {
  IE = 0x01,
  DE = 0x02,
  ZE = 0x04,
  OE = 0x08,
  UE = 0x10,
  PE = 0x20,
  DAZ = 0x40,
  UM = 0x800,
  FTZ = 0x8000,
  /** The bits ldmxcsr/fxrstor accept (MXCSR_MASK as fxsave reports it). */
  MASK = 0xffff,
}

/** MXCSR.RC values. */
export const enum Rc {
  Nearest = 0,
  Down = 1,
  Up = 2,
  Zero = 3,
}

export const enum Op {
  Add = 0,
  Sub = 1,
  Mul = 2,
  Div = 3,
  Sqrt = 4,
}

/** Per-instruction floating-point state: set up by `fpBegin`, flags accumulated by the lane operations. */
export const fp = {
  flags: 0,
  rc: 0 as number,
  daz: false,
  ftz: false,
  /** Underflow masked. */
  um: true,
  /** High dword of a 64-bit integer result (conversions). */
  hi: 0,
  /** Bits of a NaN result (f32: nanLo; f64: nanLo, nanHi) when an operation returned NaN. */
  nanLo: 0,
  nanHi: 0,
};

export function fpBegin(mxcsr: number): void {
  fp.flags = 0;
  fp.rc = (mxcsr >> 13) & 3;
  fp.daz = (mxcsr & Mx.DAZ) !== 0;
  fp.ftz = (mxcsr & Mx.FTZ) !== 0;
  fp.um = (mxcsr & Mx.UM) !== 0;
}

/**
 * Merge the flags into MXCSR; returns true when one of them is unmasked (the caller raises #XM without
 * writing the destination).
 */
export function fpEnd(cpu: { mxcsr: number }): boolean {
  const f = fp.flags;
  if (f === 0) return false;
  const m = cpu.mxcsr | f;
  cpu.mxcsr = m;
  return (f & ~(m >> 7) & 0x3f) !== 0;
}

export const MIN32 = 1.1754943508222875e-38; // 2^-126
export const MAX32 = 3.4028234663852886e38;
export const MIN64 = 2.2250738585072014e-308; // 2^-1022
const MAX64 = Number.MAX_VALUE;
const TWO32 = 4294967296;
/** Bounds inside which Dekker's TwoProduct is exact (no overflow in the split, no underflow in the error). */
const BIG = 2 ** 995;
const SMALL = 2 ** -960;
/** Default (real indefinite) QNaN. */
export const QNAN32 = 0xffc00000 | 0;
export const QNAN64_HI = 0xfff80000 | 0;

const cf = new Float32Array(1);
const ci = new Int32Array(cf.buffer);
const cd = new Float64Array(1);
const cdi = new Int32Array(cd.buffer);

export function f32FromBits(b: number): number {
  ci[0] = b;
  return cf[0];
}

export function f32Bits(v: number): number {
  cf[0] = v;
  return ci[0];
}

export function isNaN32(b: number): boolean {
  return (b & 0x7fffffff) > 0x7f800000;
}

export function isSNaN32(b: number): boolean {
  return (b & 0x7fc00000) === 0x7f800000 && (b & 0x3fffff) !== 0;
}

export function isNaN64(lo: number, hi: number): boolean {
  const h = hi & 0x7fffffff;
  return h > 0x7ff00000 || (h === 0x7ff00000 && lo !== 0);
}

export function isSNaN64(lo: number, hi: number): boolean {
  return (hi & 0x7ff80000) === 0x7ff00000 && ((hi & 0x7ffff) | lo) !== 0;
}

function isNeg(x: number): boolean {
  return x < 0 || (x === 0 && 1 / x < 0);
}

/** Denormal operand of the format with minimum normal `min` (x not NaN). */
function isDen(x: number, min: number): boolean {
  return x !== 0 && x < min && x > -min;
}

// ---------------------------------------------------------------- error-free transformations

/** Error of s = RN(a + b): a + b - s exactly (no overflow). */
function twoSumErr(a: number, b: number, s: number): number {
  const bb = s - a;
  return a - (s - bb) + (b - bb);
}

/** Error of p = RN(a * b): a * b - p exactly (|a|,|b| < 2^995, |p| > 2^-960). */
function twoProdErr(a: number, b: number, p: number): number {
  let t = 134217729 * a;
  const ah = t - (t - a);
  const al = a - ah;
  t = 134217729 * b;
  const bh = t - (t - b);
  const bl = b - bh;
  return ah * bh - p + ah * bl + al * bh + al * bl;
}

/** Sign (as a number) of x / y - q for q = RN(x / y). */
function divErr(x: number, y: number, q: number): number {
  const p = q * y;
  const r = x - p - twoProdErr(q, y, p);
  return y < 0 ? -r : r;
}

/** Sign of sqrt(x) - q for q = RN(sqrt(x)). */
function sqrtErr(x: number, q: number): number {
  const p = q * q;
  return x - p - twoProdErr(q, q, p);
}

// ---------------------------------------------------------------- directed rounding in the normal range

/** The float next to normal float `f` away from zero (dir > 0) or toward zero (dir < 0). */
function stepMag32(f: number, dir: number): number {
  cf[0] = f;
  ci[0] += dir;
  return cf[0];
}

function stepMag64(d: number, dir: number): number {
  cd[0] = d;
  let lo = cdi[0];
  let hi = cdi[1];
  if (dir > 0) {
    lo = (lo + 1) | 0;
    if (lo === 0) hi++;
  } else {
    if (lo === 0) hi--;
    lo = (lo - 1) | 0;
  }
  cdi[0] = lo;
  cdi[1] = hi;
  return cd[0];
}

/**
 * Single-precision result of x = d + e (e: tiny error of sign s) when f = fround(d) is normal and below
 * MAX32 in magnitude (so every candidate is normal and finite). Sets PE when inexact.
 */
function round32(d: number, s: number, f: number): number {
  if (f === d && s === 0) return f;
  fp.flags |= Mx.PE;
  if (fp.rc === Rc.Nearest) {
    if (s === 0 || f === d) return f;
    // d exactly halfway between f and g = 2d - f (then g is a float): fround broke the tie to even, but
    // the exact result lies on the side of the error.
    const g = 2 * d - f;
    if (Math.fround(g) !== g) return f;
    return s > 0 === g > f ? g : f;
  }
  if (f === d) {
    switch (fp.rc) {
      case Rc.Down:
        return s < 0 ? stepMag32(f, f > 0 ? -1 : 1) : f;
      case Rc.Up:
        return s > 0 ? stepMag32(f, f > 0 ? 1 : -1) : f;
      default:
        return f > 0 !== s > 0 ? stepMag32(f, -1) : f;
    }
  }
  // Candidates lo < x < hi around d.
  let lo: number;
  let hi: number;
  if (f < d) {
    lo = f;
    hi = stepMag32(f, f > 0 ? 1 : -1);
  } else {
    hi = f;
    lo = stepMag32(f, f > 0 ? -1 : 1);
  }
  switch (fp.rc) {
    case Rc.Down:
      return lo;
    case Rc.Up:
      return hi;
    default:
      return d > 0 ? lo : hi;
  }
}

/** Double-precision result of x = d + e (d normal, below MAX64; s = sign of e). */
function round64(d: number, s: number): number {
  if (s === 0) return d;
  fp.flags |= Mx.PE;
  switch (fp.rc) {
    case Rc.Nearest:
      return d;
    case Rc.Down:
      return s < 0 ? stepMag64(d, d > 0 ? -1 : 1) : d;
    case Rc.Up:
      return s > 0 ? stepMag64(d, d > 0 ? 1 : -1) : d;
    default:
      return d > 0 !== s > 0 ? stepMag64(d, -1) : d;
  }
}

// ---------------------------------------------------------------- exact slow path (BigInt)

let dNeg = false;
let dM = 0n;
let dE = 0;

/** x (finite, non-zero) = (-1)^dNeg * dM * 2^dE. */
function decompose(x: number): void {
  cd[0] = x;
  const lo = cdi[0] >>> 0;
  const hi = cdi[1];
  const e = (hi >>> 20) & 0x7ff;
  const f = (hi & 0xfffff) * TWO32 + lo;
  dNeg = hi < 0;
  if (e === 0) {
    dM = BigInt(f);
    dE = -1074;
  } else {
    dM = BigInt(f + 4503599627370496);
    dE = e - 1075;
  }
}

function bitLen(m: bigint): number {
  return m.toString(2).length;
}

function isqrt(n: bigint): bigint {
  let x = 1n << BigInt((bitLen(n) >> 1) + 1);
  for (;;) {
    const y = (x + n / x) >> 1n;
    if (y >= x) return x;
    x = y;
  }
}

let rInexact = false;

/** Round m * 2^e (+ a sticky fraction below m's last bit) to a multiple of 2^lsb in mode fp.rc. */
function roundAt(neg: boolean, m: bigint, e: number, sticky: boolean, lsb: number): bigint {
  const shift = lsb - e;
  let q: bigint;
  let cmpHalf: number;
  if (shift <= 0) {
    q = m << BigInt(-shift);
    rInexact = sticky;
    cmpHalf = -1;
  } else {
    const sh = BigInt(shift);
    q = m >> sh;
    const r = m - (q << sh);
    const half = 1n << (sh - 1n);
    rInexact = r !== 0n || sticky;
    cmpHalf = r > half ? 1 : r < half ? -1 : sticky ? 1 : 0;
  }
  if (rInexact) {
    switch (fp.rc) {
      case Rc.Nearest:
        if (cmpHalf > 0 || (cmpHalf === 0 && (q & 1n) === 1n)) q++;
        break;
      case Rc.Down:
        if (neg) q++;
        break;
      case Rc.Up:
        if (!neg) q++;
        break;
    }
  }
  return q;
}

function overflowed(neg: boolean, single: boolean): number {
  fp.flags |= Mx.OE | Mx.PE;
  const max = single ? MAX32 : MAX64;
  switch (fp.rc) {
    case Rc.Nearest:
      return neg ? -Infinity : Infinity;
    case Rc.Down:
      return neg ? -Infinity : max;
    case Rc.Up:
      return neg ? -max : Infinity;
    default:
      return neg ? -max : max;
  }
}

/** Round (-1)^neg * (m + sticky) * 2^e (m > 0) to single or double; sets OE/UE/PE; FTZ. */
function roundBig(neg: boolean, m: bigint, e: number, sticky: boolean, single: boolean): number {
  const p = single ? 24 : 53;
  const emin = single ? -126 : -1022;
  const emax = single ? 127 : 1023;
  const top = e + bitLen(m) - 1;
  // Unbounded exponent: overflow and tininess (after rounding).
  const qU = roundAt(neg, m, e, sticky, top - p + 1);
  const expU = qU >> BigInt(p) !== 0n ? top + 1 : top;
  if (expU > emax) return overflowed(neg, single);
  const tiny = expU < emin;
  const lsb = Math.max(top - p + 1, emin - p + 1);
  const q = roundAt(neg, m, e, sticky, lsb);
  if (tiny) {
    if (fp.ftz && fp.um) {
      fp.flags |= Mx.UE | Mx.PE;
      return neg ? -0 : 0;
    }
    if (rInexact || !fp.um) fp.flags |= Mx.UE;
  }
  if (rInexact) fp.flags |= Mx.PE;
  const v = Number(q) * 2 ** lsb;
  return neg ? -v : v;
}

/** Exact op on finite non-zero x, y (y only for Sqrt), rounded to the format. */
function slowArith(op: Op, x: number, y: number, single: boolean): number {
  decompose(y);
  let nb = dNeg;
  const mb = dM;
  const eb = dE;
  if (op === Op.Sqrt) {
    const k = 140 + (((eb % 2) + 2) % 2);
    const n = mb << BigInt(k);
    const q = isqrt(n);
    return roundBig(false, q, (eb - k) / 2, q * q !== n, single);
  }
  decompose(x);
  const na = dNeg;
  const ma = dM;
  const ea = dE;
  switch (op) {
    case Op.Add:
    case Op.Sub: {
      if (op === Op.Sub) nb = !nb;
      const e = Math.min(ea, eb);
      const a = ma << BigInt(ea - e);
      const b = mb << BigInt(eb - e);
      const s = (na ? -a : a) + (nb ? -b : b);
      if (s === 0n) return fp.rc === Rc.Down ? -0 : 0;
      return s < 0n ? roundBig(true, -s, e, false, single) : roundBig(false, s, e, false, single);
    }
    case Op.Mul:
      return roundBig(na !== nb, ma * mb, ea + eb, false, single);
    default: {
      const n = ma << 120n;
      const q = n / mb;
      return roundBig(na !== nb, q, ea - eb - 120, q * mb !== n, single);
    }
  }
}

/** Round a finite double exactly to single (cvtsd2ss, cvtpd2ps). */
function toSingle(d: number): number {
  if (d === 0) return d;
  const f = Math.fround(d);
  const af = f < 0 ? -f : f;
  if (af > MIN32 && af < MAX32) return round32(d, 0, f);
  decompose(d);
  return roundBig(dNeg, dM, dE, false, true);
}

// ---------------------------------------------------------------- arithmetic

/**
 * x op y for finite non-zero x, y (y alone for Sqrt, x > 0 there): error-free fast path, exact slow path.
 */
function finite(op: Op, x: number, y: number, single: boolean): number {
  let d: number;
  let s: number;
  if (single) {
    // Every error-free transformation below is exact for single-precision inputs.
    switch (op) {
      case Op.Add:
        d = x + y;
        s = twoSumErr(x, y, d);
        break;
      case Op.Sub:
        d = x - y;
        s = twoSumErr(x, -y, d);
        break;
      case Op.Mul:
        d = x * y;
        s = 0;
        break;
      case Op.Div:
        d = x / y;
        s = divErr(x, y, d);
        break;
      default:
        d = Math.sqrt(y);
        s = sqrtErr(y, d);
    }
    if (d === 0) return fp.rc === Rc.Down ? -0 : 0;
    const f = Math.fround(d);
    const af = f < 0 ? -f : f;
    if (af > MIN32 && af < MAX32) return round32(d, s, f);
    return slowArith(op, x, y, true);
  }
  const ax = x < 0 ? -x : x;
  const ay = y < 0 ? -y : y;
  switch (op) {
    case Op.Add:
    case Op.Sub: {
      const yy = op === Op.Sub ? -y : y;
      d = x + yy;
      if (d === 0) return fp.rc === Rc.Down ? -0 : 0;
      if (d === Infinity || d === -Infinity) return slowArith(op, x, y, false);
      s = twoSumErr(x, yy, d);
      break;
    }
    case Op.Mul:
      d = x * y;
      if (ax >= BIG || ay >= BIG || !(d > SMALL || d < -SMALL)) return slowArith(op, x, y, false);
      s = twoProdErr(x, y, d);
      break;
    case Op.Div:
      d = x / y;
      if (ax <= SMALL || ay >= BIG || !(d < BIG && d > -BIG)) return slowArith(op, x, y, false);
      s = divErr(x, y, d);
      break;
    default:
      if (ay <= SMALL) return slowArith(op, x, y, false);
      d = Math.sqrt(y);
      s = sqrtErr(y, d);
  }
  const ad = d < 0 ? -d : d;
  if (ad > MIN64 && ad < MAX64) return round64(d, s);
  return slowArith(op, x, y, false);
}

/**
 * x op y for non-NaN values of the format (single: `min` = MIN32). Pre-computation exceptions in SDM
 * priority order (invalid, divide-by-zero, denormal), DAZ, exact special cases, then `finite`.
 * Returns NaN for the default NaN (the caller writes the indefinite bits).
 */
function arith(op: Op, x: number, y: number, single: boolean): number {
  const min = single ? MIN32 : MIN64;
  if (fp.daz) {
    if (isDen(x, min)) x = x < 0 ? -0 : 0;
    if (isDen(y, min)) y = y < 0 ? -0 : 0;
  }
  const xInf = x === Infinity || x === -Infinity;
  const yInf = y === Infinity || y === -Infinity;
  switch (op) {
    case Op.Add:
      if (xInf && yInf && x !== y) return invalid();
      break;
    case Op.Sub:
      if (xInf && yInf && x === y) return invalid();
      break;
    case Op.Mul:
      if ((xInf && y === 0) || (yInf && x === 0)) return invalid();
      break;
    case Op.Div:
      if ((xInf && yInf) || (x === 0 && y === 0)) return invalid();
      if (y === 0 && !xInf) {
        fp.flags |= Mx.ZE;
        return isNeg(x) !== isNeg(y) ? -Infinity : Infinity;
      }
      break;
    default:
      if (y < 0) return invalid();
      if (isDen(y, min)) fp.flags |= Mx.DE;
      if (y === 0 || yInf) return y;
      return finite(op, 0, y, single);
  }
  if (isDen(x, min) || isDen(y, min)) fp.flags |= Mx.DE;
  if (xInf || yInf || x === 0 || y === 0) {
    // Exact results. JavaScript rounds to nearest; only the sign of an exact zero sum depends on RC.
    switch (op) {
      case Op.Add:
        if (x === 0 && y === 0 && fp.rc === Rc.Down) return isNeg(x) || isNeg(y) ? -0 : 0;
        return x + y;
      case Op.Sub:
        if (x === 0 && y === 0 && fp.rc === Rc.Down) return isNeg(x) || !isNeg(y) ? -0 : 0;
        return x - y;
      case Op.Mul:
        return x * y;
      default:
        return x / y;
    }
  }
  return finite(op, x, y, single);
}

function invalid(): number {
  fp.flags |= Mx.IE;
  return NaN;
}

/** NaN operand result for two sources (SDM Table 4-7): the first NaN operand, quieted; IE on any SNaN. */
function nan32(a: number, b: number): number {
  if (isSNaN32(a) || isSNaN32(b)) fp.flags |= Mx.IE;
  return (isNaN32(a) ? a : b) | 0x400000;
}

/**
 * Lane k of the scratch vectors: R = A op B in single precision (B alone for Sqrt). The common case (both
 * operands normal, result normal, round to nearest) is inline; everything else goes through f32Op.
 */
export function f32Lane(op: Op, k: number): void {
  const a = A[k];
  const b = B[k];
  const ea = (a >>> 23) & 0xff;
  const eb = (b >>> 23) & 0xff;
  if (op !== Op.Sqrt && ea !== 0 && ea !== 0xff && eb !== 0 && eb !== 0xff) {
    const x = AF[k];
    const y = BF[k];
    let d: number;
    let s: number;
    if (op === Op.Add) {
      d = x + y;
      s = twoSumErr(x, y, d);
    } else if (op === Op.Sub) {
      d = x - y;
      s = twoSumErr(x, -y, d);
    } else if (op === Op.Mul) {
      d = x * y;
      s = 0;
    } else {
      d = x / y;
      s = divErr(x, y, d);
    }
    const f = Math.fround(d);
    if ((f > MIN32 && f < MAX32) || (f < -MIN32 && f > -MAX32)) {
      if (f === d && s === 0) {
        RF[k] = f;
        return;
      }
      if (fp.rc === Rc.Nearest && (s === 0 || f === d)) {
        fp.flags |= Mx.PE;
        RF[k] = f;
        return;
      }
      RF[k] = round32(d, s, f);
      return;
    }
  }
  const r = f32Op(op, a, AF[k], b, BF[k]);
  if (r !== r) R[k] = fp.nanLo;
  else RF[k] = r;
}

/** Lane k of the scratch vectors: R = A op B in double precision (B alone for Sqrt). */
export function f64Lane(op: Op, k: number): void {
  const j = k << 1;
  const ahi = A[j + 1];
  const bhi = B[j + 1];
  const ea = (ahi >>> 20) & 0x7ff;
  const eb = (bhi >>> 20) & 0x7ff;
  if (
    fp.rc === Rc.Nearest &&
    (op === Op.Add || op === Op.Sub) &&
    (ea - 1) >>> 0 < 0x7fe &&
    (eb - 1) >>> 0 < 0x7fe
  ) {
    // Round to nearest: the JavaScript result is the answer; the error term only decides PE.
    const x = AD[k];
    const y = op === Op.Sub ? -BD[k] : BD[k];
    const d = x + y;
    if ((d > MIN64 && d < MAX64) || (d < -MIN64 && d > -MAX64)) {
      if (twoSumErr(x, y, d) !== 0) fp.flags |= Mx.PE;
      RD[k] = d;
      return;
    }
  }
  const r = f64Op(op, A[j], ahi, AD[k], B[j], bhi, BD[k]);
  if (r !== r) {
    R[j] = fp.nanLo;
    R[j + 1] = fp.nanHi;
  } else RD[k] = r;
}

/**
 * Single-precision lane op: operands as bit patterns a, b and their values x, y (from a Float32Array view;
 * only b, y for Sqrt). Returns the result value, or NaN with the result bits in fp.nanLo.
 */
export function f32Op(op: Op, a: number, x: number, b: number, y: number): number {
  if (op === Op.Sqrt) {
    if (isNaN32(b)) {
      if (isSNaN32(b)) fp.flags |= Mx.IE;
      fp.nanLo = b | 0x400000;
      return NaN;
    }
    const r = arith(op, 0, y, true);
    if (r !== r) fp.nanLo = QNAN32;
    return r;
  }
  if (isNaN32(a) || isNaN32(b)) {
    fp.nanLo = nan32(a, b);
    return NaN;
  }
  const ea = (a >>> 23) & 0xff;
  const eb = (b >>> 23) & 0xff;
  // Both normal: straight to the arithmetic.
  const r =
    ea !== 0 && ea !== 0xff && eb !== 0 && eb !== 0xff ? finite(op, x, y, true) : arith(op, x, y, true);
  if (r !== r) fp.nanLo = QNAN32;
  return r;
}

/**
 * Double-precision lane op: operands (alo, ahi), (blo, bhi) as bit patterns and x, y their values; returns
 * the value, or NaN with the result bits in fp.nanLo/nanHi.
 */
export function f64Op(
  op: Op,
  alo: number,
  ahi: number,
  x: number,
  blo: number,
  bhi: number,
  y: number,
): number {
  const bNaN = isNaN64(blo, bhi);
  if (op === Op.Sqrt) {
    if (bNaN) return nan64(0, 0, blo, bhi);
    const r = arith(op, 0, y, false);
    if (r !== r) return indefinite64();
    return r;
  }
  if (bNaN || isNaN64(alo, ahi)) return nan64(alo, ahi, blo, bhi);
  const ea = (ahi >>> 20) & 0x7ff;
  const eb = (bhi >>> 20) & 0x7ff;
  const r =
    ea !== 0 && ea !== 0x7ff && eb !== 0 && eb !== 0x7ff ? finite(op, x, y, false) : arith(op, x, y, false);
  if (r !== r) return indefinite64();
  return r;
}

function indefinite64(): number {
  fp.nanLo = 0;
  fp.nanHi = QNAN64_HI;
  return NaN;
}

function nan64(alo: number, ahi: number, blo: number, bhi: number): number {
  if (isSNaN64(alo, ahi) || isSNaN64(blo, bhi)) fp.flags |= Mx.IE;
  if (isNaN64(alo, ahi)) {
    fp.nanLo = alo;
    fp.nanHi = ahi | 0x80000;
  } else {
    fp.nanLo = blo;
    fp.nanHi = bhi | 0x80000;
  }
  return NaN;
}

// ---------------------------------------------------------------- min, max, compare

/**
 * minss/maxss lane on bit patterns: the SECOND operand when either is a NaN (IE, even for QNaN) or both
 * are zeros, else the smaller/larger (SDM Vol. 2 "MINPS", "MAXPS").
 */
export function f32MinMax(max: boolean, a: number, b: number): number {
  if (isNaN32(a) || isNaN32(b)) {
    fp.flags |= Mx.IE;
    return b;
  }
  if ((a & 0x7f800000) === 0 && (a & 0x7fffff) !== 0) {
    if (fp.daz) a &= 0x80000000;
    else fp.flags |= Mx.DE;
  }
  if ((b & 0x7f800000) === 0 && (b & 0x7fffff) !== 0) {
    if (fp.daz) b &= 0x80000000;
    else fp.flags |= Mx.DE;
  }
  const x = f32FromBits(a);
  const y = f32FromBits(b);
  return (max ? x > y : x < y) ? a : b;
}

/** minsd/maxsd lane: returns 0 to select the first operand, 1 for the second (after DAZ: 2 = +-0 of b, 3 = of a). */
export function f64MinMax(
  max: boolean,
  alo: number,
  ahi: number,
  x: number,
  blo: number,
  bhi: number,
  y: number,
): number {
  if (isNaN64(alo, ahi) || isNaN64(blo, bhi)) {
    fp.flags |= Mx.IE;
    return 1;
  }
  let za = false;
  let zb = false;
  if (isDen(x, MIN64)) {
    if (fp.daz) {
      za = true;
      x = 0;
    } else fp.flags |= Mx.DE;
  }
  if (isDen(y, MIN64)) {
    if (fp.daz) {
      zb = true;
      y = 0;
    } else fp.flags |= Mx.DE;
  }
  if (max ? x > y : x < y) return za ? 3 : 0;
  return zb ? 2 : 1;
}

/**
 * Compare for cmpps/cmpss predicates 0..7 (EQ LT LE UNORD NEQ NLT NLE ORD) and comiss/ucomiss.
 * Returns -2 unordered, -1 less, 0 equal, 1 greater. `signalQnan`: a QNaN operand raises IE too.
 */
export function cmpValues(
  aNaN: boolean,
  aSNaN: boolean,
  x: number,
  bNaN: boolean,
  bSNaN: boolean,
  y: number,
  signalQnan: boolean,
  min: number,
): number {
  if (aNaN || bNaN) {
    if (signalQnan || aSNaN || bSNaN) fp.flags |= Mx.IE;
    return -2;
  }
  if (isDen(x, min) || isDen(y, min)) {
    if (fp.daz) {
      if (isDen(x, min)) x = 0;
      if (isDen(y, min)) y = 0;
    } else fp.flags |= Mx.DE;
  }
  return x < y ? -1 : x > y ? 1 : 0;
}

/** Predicate `p` (0..7) from a comparison result of `cmpValues`. */
export function predicate(p: number, c: number): boolean {
  switch (p & 7) {
    case 0:
      return c === 0;
    case 1:
      return c === -1;
    case 2:
      return c === -1 || c === 0;
    case 3:
      return c === -2;
    case 4:
      return c !== 0;
    case 5:
      return c !== -1;
    case 6:
      return c !== -1 && c !== 0;
    default:
      return c !== -2;
  }
}

/** Predicates LT, LE, NLT, NLE signal on QNaN operands (SDM Vol. 2 "CMPPS", Table 3-1). */
export function predicateSignals(p: number): boolean {
  const q = p & 3;
  return q === 1 || q === 2;
}

// ---------------------------------------------------------------- reciprocal approximations

/**
 * rcpss lane. Deviation: hardware returns a 12-bit approximation (|rel. error| <= 1.5 * 2^-12); we return
 * 1/x correctly rounded to single. Denormal inputs act as zero, tiny results flush to zero, no flags
 * (SDM Vol. 2 "RCPSS").
 */
export function f32Rcp(b: number): number {
  if (isNaN32(b)) return b | 0x400000;
  if ((b & 0x7f800000) === 0) return (b & 0x80000000) | 0x7f800000;
  const r = Math.fround(1 / f32FromBits(b));
  if (r < MIN32 && r > -MIN32) return b & 0x80000000;
  return f32Bits(r);
}

/** rsqrtss lane: same deviation as f32Rcp (exact 1/sqrt(x) rounded to single, no flags). */
export function f32Rsqrt(b: number): number {
  if (isNaN32(b)) return b | 0x400000;
  if ((b & 0x7f800000) === 0) return (b & 0x80000000) | 0x7f800000;
  if (b < 0) return QNAN32;
  return f32Bits(Math.fround(1 / Math.sqrt(f32FromBits(b))));
}

// ---------------------------------------------------------------- conversions

/** Value of single `b` for a conversion source after DAZ (NaN stays NaN). */
export function srcValue32(b: number): number {
  if (fp.daz && (b & 0x7f800000) === 0) return (b & 0x80000000) !== 0 ? -0 : 0;
  return f32FromBits(b);
}

export function srcValue64(x: number): number {
  if (fp.daz && isDen(x, MIN64)) return x < 0 ? -0 : 0;
  return x;
}

/**
 * Float value to a 32- or 64-bit integer, rounding by MXCSR.RC or truncating. NaN or out of range: IE and
 * the integer indefinite (0x80000000 / 0x8000000000000000). Returns the low dword, high in fp.hi.
 */
export function toInt(x: number, is64: boolean, truncate: boolean): number {
  if (x !== x) return intIndefinite(is64);
  let t = Math.trunc(x);
  const frac = x - t;
  if (frac !== 0 && !truncate) {
    switch (fp.rc) {
      case Rc.Nearest: {
        const af = frac < 0 ? -frac : frac;
        if (af > 0.5 || (af === 0.5 && t % 2 !== 0)) t += x < 0 ? -1 : 1;
        break;
      }
      case Rc.Down:
        if (x < 0) t -= 1;
        break;
      case Rc.Up:
        if (x > 0) t += 1;
        break;
    }
  }
  if (is64) {
    if (!(t >= -9223372036854775808 && t < 9223372036854775808)) return intIndefinite(true);
    if (frac !== 0) fp.flags |= Mx.PE;
    const hi = Math.floor(t / TWO32);
    fp.hi = hi | 0;
    return (t - hi * TWO32) | 0;
  }
  if (!(t >= -2147483648 && t <= 2147483647)) return intIndefinite(false);
  if (frac !== 0) fp.flags |= Mx.PE;
  fp.hi = t < 0 ? -1 : 0;
  return t | 0;
}

function intIndefinite(is64: boolean): number {
  fp.flags |= Mx.IE;
  fp.hi = 0x80000000 | 0;
  return is64 ? 0 : 0x80000000 | 0;
}

/** Signed 64-bit integer (lo, hi) to single (single = true) or double, rounded by MXCSR.RC. */
export function int64ToFloat(lo: number, hi: number, single: boolean): number {
  const h = hi * TWO32;
  const l = lo >>> 0;
  const d = h + l;
  const s = twoSumErr(h, l, d);
  if (d === 0) return 0;
  if (single) return round32(d, s, Math.fround(d));
  return round64(d, s);
}

/** Signed 32-bit integer to single, rounded by MXCSR.RC. */
export function int32ToSingle(v: number): number {
  if (v === 0) return 0;
  return round32(v, 0, Math.fround(v));
}

/** cvtss2sd lane: single bits to a double value; NaN: returns NaN with bits in fp.nanLo/nanHi. */
export function singleToDouble(b: number): number {
  if (isNaN32(b)) {
    if (isSNaN32(b)) fp.flags |= Mx.IE;
    // Quiet, payload in the top fraction bits (SDM Table 4-7 "SNaN converted to QNaN").
    fp.nanHi = (b & 0x80000000) | 0x7ff80000 | ((b & 0x3fffff) >>> 3);
    fp.nanLo = (b & 7) << 29;
    return NaN;
  }
  if ((b & 0x7f800000) === 0 && (b & 0x7fffff) !== 0) {
    if (fp.daz) return (b & 0x80000000) !== 0 ? -0 : 0;
    fp.flags |= Mx.DE;
  }
  return f32FromBits(b);
}

/** cvtsd2ss lane: double (bits and value) to single bits, rounded by MXCSR.RC. */
export function doubleToSingle(lo: number, hi: number, x: number): number {
  if (isNaN64(lo, hi)) {
    if (isSNaN64(lo, hi)) fp.flags |= Mx.IE;
    return (hi & 0x80000000) | 0x7fc00000 | ((hi & 0x7ffff) << 3) | (lo >>> 29);
  }
  if (isDen(x, MIN64)) {
    if (fp.daz) return hi & 0x80000000;
    fp.flags |= Mx.DE;
  }
  if (x === Infinity || x === -Infinity) return f32Bits(x);
  return f32Bits(toSingle(x));
}
