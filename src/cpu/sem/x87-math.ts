/**
 * Double-double (about 106-bit) evaluation of the x87 transcendental functions, so that x87.ts can round
 * them to the 64-bit significand the hardware delivers (and set PE and C1 from that rounding). Series
 * after argument reduction; the trigonometric reduction uses the 66-bit pi of the hardware exactly (SDM
 * Vol. 1 8.3.10), so large arguments give the hardware's results, not the mathematically exact ones.
 *
 * Results go to `DD` (value = DD.h + DD.l, |DD.l| <= ulp(DD.h) / 2). No allocation per call.
 */

import * as fpu from "../fpu";

// Module-level copies of the imported bindings (see x87.ts).
const { D, dLo, exponentOf, ldexp } = fpu;

/** The result: (h + l) * 2^e. */
export const DD = { h: 0, l: 0, e: 0 };

/** Below this magnitude a function is its first series term times (1 + a correction below 2^-106). */
const TINY = 2 ** -200;

/** Nudge DD by a relative 2^-120 toward (dir > 0) or away from zero... dir > 0: larger magnitude. */
function nudge(dir: number): void {
  const t = Math.abs(DD.h) * 2 ** -120 * (DD.h > 0 ? 1 : -1);
  DD.l += dir > 0 ? t : -t;
}

// Working registers of the primitives below.
let rh = 0;
let rl = 0;

const SPLIT = 134217729; // 2^27 + 1

/** a * b - fl(a * b), exact for operands well inside the double range (Dekker). */
function prodErr(a: number, b: number, p: number): number {
  let t = SPLIT * a;
  const ah = t - (t - a);
  const al = a - ah;
  t = SPLIT * b;
  const bh = t - (t - b);
  const bl = b - bh;
  return ah * bh - p + ah * bl + al * bh + al * bl;
}

function quick(s: number, e: number): void {
  rh = s + e;
  rl = e - (rh - s);
}

function add(ah: number, al: number, bh: number, bl: number): void {
  let s = ah + bh;
  let v = s - ah;
  let e = ah - (s - v) + (bh - v);
  const t = al + bl;
  v = t - al;
  const f = al - (t - v) + (bl - v);
  e += t;
  quick(s, e);
  s = rh;
  e = rl + f;
  quick(s, e);
}

function mul(ah: number, al: number, bh: number, bl: number): void {
  const p = ah * bh;
  const e = prodErr(ah, bh, p) + (ah * bl + al * bh);
  quick(p, e);
}

function mulD(ah: number, al: number, b: number): void {
  const p = ah * b;
  const e = prodErr(ah, b, p) + al * b;
  quick(p, e);
}

function div(ah: number, al: number, bh: number, bl: number): void {
  const q1 = ah / bh;
  mulD(bh, bl, q1);
  add(ah, al, -rh, -rl);
  const q2 = rh / bh;
  const r1h = rh;
  const r1l = rl;
  mulD(bh, bl, q2);
  add(r1h, r1l, -rh, -rl);
  const q3 = rh / bh;
  quick(q1, q2);
  add(rh, rl, q3, 0);
}

function sqrt(ah: number, al: number): void {
  const s = Math.sqrt(ah);
  const p = s * s;
  const e = prodErr(s, s, p);
  quick(s, (ah - p - e + al) / (2 * s));
}

const EPS = 2 ** -112;

// ---------------------------------------------------------------- trigonometric

/** The hardware's pi/2 = PI66 * 2^-65 (66 significant bits of pi). */
const PI66 = 0x3243f6a8885a308d3n;
let quad = 0;

/** |x| = k * (pi66 / 2) + r with |r| <= pi66 / 4: r in rh:rl (exact), k mod 4 in quad. */
function reduce(ax: number): void {
  quad = 0;
  if (ax <= 0.7853981633974483) {
    rh = ax;
    rl = 0;
    return;
  }
  const lo = dLo(ax);
  const e = ((D.hi >>> 20) & 0x7ff) - 1075;
  const m = (BigInt(D.hi & 0xfffff) << 32n) | BigInt(lo >>> 0) | (1n << 52n);
  const X65 = m << BigInt(e + 65);
  let k = X65 / PI66;
  let R = X65 - k * PI66;
  if (R * 2n > PI66) {
    k += 1n;
    R -= PI66;
  }
  quad = Number(k & 3n);
  const h = Number(R);
  const l = Number(R - BigInt(h));
  rh = h * 2 ** -65;
  rl = l * 2 ** -65;
}

/** sin (odd = true) or cos of the reduced argument sh:sl, |s| <= pi/4. */
function series(sh: number, sl: number, odd: boolean): void {
  mul(sh, sl, sh, sl);
  const x2h = rh;
  const x2l = rl;
  let th = odd ? sh : 1;
  let tl = odd ? sl : 0;
  let sumH = th;
  let sumL = tl;
  for (let n = odd ? 3 : 2; n < 60; n += 2) {
    mul(th, tl, x2h, x2l);
    const d = -(n - 1) * n;
    div(rh, rl, d, 0);
    th = rh;
    tl = rl;
    add(sumH, sumL, th, tl);
    sumH = rh;
    sumL = rl;
    if (Math.abs(th) < EPS * Math.abs(sumH)) break;
  }
  rh = sumH;
  rl = sumL;
}

/** which: 0 sin, 1 cos, 2 tan, of a finite x with 0 < |x| < 2^63. */
export function trigDD(x: number, which: number): void {
  if (Math.abs(x) < 2 ** -60) {
    // sin x = x (1 - x^2/6), tan x = x (1 + x^2/3), cos x = 1 - x^2/2: the correction is below the
    // 106th bit, it only decides the rounding direction.
    if (which === 1) {
      DD.h = 1;
      DD.l = 0;
      DD.e = 0;
      nudge(-1);
      return;
    }
    const ex = exponentOf(x);
    DD.h = ldexp(x, -ex);
    DD.l = 0;
    DD.e = ex;
    nudge(which === 0 ? -1 : 1);
    return;
  }
  const neg = x < 0;
  reduce(Math.abs(x));
  const r0h = rh;
  const r0l = rl;
  const q = quad;
  let h: number;
  let l: number;
  if (which === 2) {
    series(r0h, r0l, true);
    const sh = rh;
    const sl = rl;
    series(r0h, r0l, false);
    if ((q & 1) === 0) div(sh, sl, rh, rl);
    else div(-rh, -rl, sh, sl);
    h = rh;
    l = rl;
    if (neg) {
      h = -h;
      l = -l;
    }
  } else {
    // sin(k pi/2 + r) and cos(k pi/2 + r) by quadrant.
    const useSin = which === 0 ? (q & 1) === 0 : (q & 1) === 1;
    series(r0h, r0l, useSin);
    h = rh;
    l = rl;
    const negate = which === 0 ? ((q & 2) !== 0) !== neg : ((q + which) & 2) !== 0;
    if (negate) {
      h = -h;
      l = -l;
    }
  }
  DD.h = h;
  DD.l = l;
  DD.e = 0;
}

// ---------------------------------------------------------------- exponential and logarithm

const LN2_H = 0.6931471805599453;
const LN2_L = 2.3190468138462996e-17;
const LOG2E_H = 1.4426950408889634;
const LOG2E_L = 2.0355273740931033e-17;

/** 2^x - 1 for a finite x (the hardware's domain is |x| <= 1). */
export function exp2m1DD(x: number): void {
  if (Math.abs(x) < TINY) {
    // 2^x - 1 = x ln2 (1 + x ln2 / 2 + ...): a larger magnitude for x > 0, smaller for x < 0.
    const ex = exponentOf(x);
    mulD(LN2_H, LN2_L, ldexp(x, -ex));
    DD.h = rh;
    DD.l = rl;
    DD.e = ex;
    nudge(x > 0 ? 1 : -1);
    return;
  }
  mulD(LN2_H, LN2_L, x);
  let th = rh;
  let tl = rl;
  const xh = rh;
  const xl = rl;
  let sumH = th;
  let sumL = tl;
  for (let n = 2; n < 200; n++) {
    mul(th, tl, xh, xl);
    div(rh, rl, n, 0);
    th = rh;
    tl = rl;
    add(sumH, sumL, th, tl);
    sumH = rh;
    sumL = rl;
    if (Math.abs(th) < EPS * Math.abs(sumH)) break;
  }
  DD.h = sumH;
  DD.l = sumL;
  DD.e = 0;
}

/** ln((1 + s) / (1 - s)) = 2 atanh(s) for |s| <= 0.2, from s in rh:rl. */
function atanh2(sh: number, sl: number): void {
  mul(sh, sl, sh, sl);
  const s2h = rh;
  const s2l = rl;
  let th = sh;
  let tl = sl;
  let sumH = sh;
  let sumL = sl;
  for (let k = 3; k < 200; k += 2) {
    mul(th, tl, s2h, s2l);
    th = rh;
    tl = rl;
    div(th, tl, k, 0);
    add(sumH, sumL, rh, rl);
    sumH = rh;
    sumL = rl;
    if (Math.abs(th) < EPS * Math.abs(sumH) * k) break;
  }
  rh = 2 * sumH;
  rl = 2 * sumL;
}

/** log2 of the positive finite value h:l. */
export function log2DD(h: number, l: number): void {
  // h:l = m * 2^E with m in [sqrt(1/2), sqrt(2)).
  let E = exponentOf(h);
  let mh = ldexp(h, -E);
  let ml = ldexp(l, -E);
  if (mh > Math.SQRT2) {
    mh /= 2;
    ml /= 2;
    E += 1;
  } else if (mh < Math.SQRT1_2) {
    mh *= 2;
    ml *= 2;
    E -= 1;
  }
  // s = (m - 1) / (m + 1); ln m = 2 atanh(s)
  add(mh, ml, -1, 0);
  const nh = rh;
  const nl = rl;
  add(mh, ml, 1, 0);
  div(nh, nl, rh, rl);
  atanh2(rh, rl);
  mul(rh, rl, LOG2E_H, LOG2E_L);
  add(rh, rl, E, 0);
  DD.h = rh;
  DD.l = rl;
  DD.e = 0;
}

/** log2(1 + x) for a finite x > -1. */
export function log2p1DD(x: number): void {
  if (Math.abs(x) < TINY) {
    // log2(1 + x) = x log2(e) (1 - x / 2 + ...): smaller magnitude for x > 0, larger for x < 0.
    const ex = exponentOf(x);
    mulD(LOG2E_H, LOG2E_L, ldexp(x, -ex));
    DD.h = rh;
    DD.l = rl;
    DD.e = ex;
    nudge(x > 0 ? -1 : 1);
    return;
  }
  if (Math.abs(x) >= 0.29) {
    add(1, 0, x, 0);
    log2DD(rh, rl);
    return;
  }
  // s = x / (2 + x); ln(1 + x) = 2 atanh(s)
  add(2, 0, x, 0);
  div(x, 0, rh, rl);
  atanh2(rh, rl);
  mul(rh, rl, LOG2E_H, LOG2E_L);
  DD.h = rh;
  DD.l = rl;
  DD.e = 0;
}

/** DD *= a (a finite, nonzero), keeping the mantissa part in range. */
export function scaleDD(a: number): void {
  const ea = exponentOf(a);
  mulD(DD.h, DD.l, ldexp(a, -ea));
  DD.h = rh;
  DD.l = rl;
  DD.e += ea;
}

// ---------------------------------------------------------------- arctangent

const PI_H = 3.141592653589793;
const PI_L = 1.2246467991473532e-16;
const PI2_H = 1.5707963267948966;
const PI2_L = 6.123233995736766e-17;

/** atan2(y, x) for finite nonzero x and y. */
export function atan2DD(y: number, x: number): void {
  const ax = Math.abs(x);
  const ay = Math.abs(y);
  const swap = ay > ax;
  // t = small / large <= 1 from mantissas in [1, 2) and an exponent difference.
  const sm = swap ? ax : ay;
  const lg = swap ? ay : ax;
  const es = exponentOf(sm);
  const el = exponentOf(lg);
  div(ldexp(sm, -es), 0, ldexp(lg, -el), 0);
  const d = es - el;
  if (d < -200) {
    // t is tiny: atan2 is t, pi/2 -+ t or pi - t, with t below the 106th bit of the latter three.
    if (!swap && x > 0) {
      DD.h = rh;
      DD.l = rl;
      DD.e = d;
      nudge(-1);
    } else {
      piQuarterDD(swap ? 2 : 4);
      nudge(swap && x < 0 ? 1 : -1);
    }
    if (y < 0) {
      DD.h = -DD.h;
      DD.l = -DD.l;
    }
    return;
  }
  if (d !== 0) {
    rh = ldexp(rh, d);
    rl = ldexp(rl, d);
  }
  // Three halvings: atan(t) = 2 atan(t / (1 + sqrt(1 + t^2))), t <= 0.1 after them.
  let th = rh;
  let tl = rl;
  for (let k = 0; k < 3; k++) {
    mul(th, tl, th, tl);
    add(rh, rl, 1, 0);
    sqrt(rh, rl);
    add(rh, rl, 1, 0);
    div(th, tl, rh, rl);
    th = rh;
    tl = rl;
  }
  mul(th, tl, th, tl);
  const t2h = rh;
  const t2l = rl;
  let ph = th;
  let pl = tl;
  let sumH = th;
  let sumL = tl;
  for (let k = 3; k < 200; k += 2) {
    mul(ph, pl, -t2h, -t2l);
    ph = rh;
    pl = rl;
    div(ph, pl, k, 0);
    add(sumH, sumL, rh, rl);
    sumH = rh;
    sumL = rl;
    if (Math.abs(ph) < EPS * Math.abs(sumH) * k) break;
  }
  let h = sumH * 8;
  let l = sumL * 8;
  if (swap) {
    add(PI2_H, PI2_L, -h, -l);
    h = rh;
    l = rl;
  }
  if (x < 0) {
    add(PI_H, PI_L, -h, -l);
    h = rh;
    l = rl;
  }
  DD.h = y < 0 ? -h : h;
  DD.l = y < 0 ? -l : l;
  DD.e = 0;
}

/** Multiples of pi/4 as double-doubles (special results of FPATAN): DD = n * pi / 4. */
export function piQuarterDD(n: number): void {
  mulD(PI_H, PI_L, n / 4);
  DD.h = rh;
  DD.l = rl;
  DD.e = 0;
}
