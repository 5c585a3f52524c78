/**
 * The SSE floating-point core (src/cpu/sem/softfp.ts) against an independent exact reference: BigInt
 * rational arithmetic rounded per IEEE 754 with the x86 rules (tininess after rounding, masked UE only
 * when inexact, overflow results by rounding mode). Random finite operands over the whole exponent range,
 * all four rounding modes, single and double precision; results and the OE/UE/PE flags must agree.
 */
import { strict as assert } from "node:assert";
import { f32Lane, f32Op, f64Lane, f64Op, fp, fpBegin, Op } from "../src/cpu/sem/softfp";
import { A, B, R } from "../src/cpu/sem/sse-common";

/** Seeded PRNG (mulberry32). */
function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const f64 = new Float64Array(1);
const i64 = new Int32Array(f64.buffer);
const f32 = new Float32Array(1);
const i32 = new Int32Array(f32.buffer);

function bitLen(v: bigint): number {
  return v === 0n ? 0 : v.toString(2).length;
}

/** |x| = m * 2^e for a finite double. */
function parts(x: number): { neg: boolean; m: bigint; e: number } {
  f64[0] = x;
  const lo = BigInt(i64[0] >>> 0);
  const hi = i64[1];
  const be = (hi >>> 20) & 0x7ff;
  const frac = (BigInt(hi & 0xfffff) << 32n) | lo;
  return be === 0 ? { neg: hi < 0, m: frac, e: -1074 } : { neg: hi < 0, m: frac | (1n << 52n), e: be - 1075 };
}

/** p / q (both > 0) * 2^s as a rational num/den. */
function rat(p: bigint, q: bigint, s: number): [bigint, bigint] {
  return s >= 0 ? [p << BigInt(s), q] : [p, q << BigInt(-s)];
}

interface Ref {
  v: number;
  flags: number;
}

/** Round (-1)^neg * num/den to the format in mode rc (0 RN, 1 RD, 2 RU, 3 RZ). */
function roundRef(neg: boolean, num: bigint, den: bigint, single: boolean, rc: number): Ref {
  const prec = single ? 24 : 53;
  const emin = single ? -126 : -1022;
  const emax = single ? 127 : 1023;
  // E = floor(log2(num/den)).
  let E = bitLen(num) - bitLen(den);
  const ge = (k: number): boolean => (k >= 0 ? num >= den << BigInt(k) : num << BigInt(-k) >= den);
  while (!ge(E)) E--;
  while (ge(E + 1)) E++;
  const at = (lsb: number): { n: bigint; inexact: boolean } => {
    const [a, b] = lsb <= 0 ? [num << BigInt(-lsb), den] : [num, den << BigInt(lsb)];
    let n = a / b;
    const r2 = (a % b) * 2n;
    const inexact = r2 !== 0n;
    let up = false;
    if (inexact) {
      if (rc === 0) up = r2 > b || (r2 === b && (n & 1n) === 1n);
      else if (rc === 1) up = neg;
      else if (rc === 2) up = !neg;
    }
    if (up) n++;
    return { n, inexact };
  };
  const u = at(E - prec + 1);
  const eu = u.n === 1n << BigInt(prec) ? E + 1 : E;
  if (eu > emax) {
    const max = single ? 3.4028234663852886e38 : Number.MAX_VALUE;
    const inf = rc === 0 || (rc === 1 && neg) || (rc === 2 && !neg);
    const m = inf ? Infinity : max;
    return { v: neg ? -m : m, flags: 0x28 };
  }
  const lsb = Math.max(E - prec + 1, emin - prec + 1);
  const b = at(lsb);
  let flags = b.inexact ? 0x20 : 0;
  if (eu < emin && b.inexact) flags |= 0x10;
  const v = Number(b.n) * 2 ** lsb;
  return { v: neg ? -v : v, flags };
}

function isqrt(n: bigint): bigint {
  let x = 1n << BigInt((bitLen(n) >> 1) + 1);
  for (;;) {
    const y = (x + n / x) >> 1n;
    if (y >= x) return x;
    x = y;
  }
}

/** Exact x op y (finite, non-zero) rounded by the reference. */
function ref(op: Op, x: number, y: number, single: boolean, rc: number): Ref {
  const a = parts(x);
  const b = parts(y);
  switch (op) {
    case Op.Add:
    case Op.Sub: {
      const bn = op === Op.Sub ? !b.neg : b.neg;
      const e = Math.min(a.e, b.e);
      const s = (a.neg ? -1n : 1n) * (a.m << BigInt(a.e - e)) + (bn ? -1n : 1n) * (b.m << BigInt(b.e - e));
      if (s === 0n) return { v: rc === 1 ? -0 : 0, flags: 0 };
      const [n, d] = rat(s < 0n ? -s : s, 1n, e);
      return roundRef(s < 0n, n, d, single, rc);
    }
    case Op.Mul: {
      const [n, d] = rat(a.m * b.m, 1n, a.e + b.e);
      return roundRef(a.neg !== b.neg, n, d, single, rc);
    }
    case Op.Div: {
      const [n, d] = rat(a.m, b.m, a.e - b.e);
      return roundRef(a.neg !== b.neg, n, d, single, rc);
    }
    default: {
      // sqrt(y): isqrt with 200 extra bits; the sticky remainder is represented by s + 1/2.
      const k = 400 + (((b.e % 2) + 2) % 2);
      const N = b.m << BigInt(k);
      const s = isqrt(N);
      const p = s * s === N ? 2n * s : 2n * s + 1n;
      const [n, d] = rat(p, 1n, (b.e - k) / 2 - 1);
      return roundRef(false, n, d, single, rc);
    }
  }
}

function randDouble(r: () => number, single: boolean): number {
  const sign = r() < 0.5 ? -1 : 1;
  const range = single ? 252 : 2044;
  const bias = single ? 126 : 1022;
  // Mostly moderate exponents, sometimes anywhere (denormal results, overflow, slow paths).
  const e = r() < 0.7 ? Math.floor(r() * 40) - 20 : Math.floor(r() * range) - bias;
  let m = 1 + r();
  if (r() < 0.1) m = 1 + Math.floor(r() * 8) / 8; // short mantissas: exact results, ties
  const v = sign * m * 2 ** e;
  return single ? Math.fround(v) : v;
}

function bits32(v: number): number {
  f32[0] = v;
  return i32[0];
}

function bits64(v: number): string {
  f64[0] = v;
  return `${(i64[1] >>> 0).toString(16)}:${(i64[0] >>> 0).toString(16)}`;
}

const OPS: [Op, string][] = [
  [Op.Add, "add"],
  [Op.Sub, "sub"],
  [Op.Mul, "mul"],
  [Op.Div, "div"],
  [Op.Sqrt, "sqrt"],
];

describe("softfp against an exact BigInt reference", () => {
  for (const single of [true, false]) {
    for (const [op, name] of OPS) {
      it(`${name} ${single ? "single" : "double"}: random operands, all rounding modes`, () => {
        const r = rng(op * 7919 + (single ? 1 : 2));
        for (let n = 0; n < 3000; n++) {
          const x = randDouble(r, single);
          let y = randDouble(r, single);
          if (op === Op.Sqrt) y = Math.abs(y);
          if ((op === Op.Add || op === Op.Sub) && r() < 0.2) {
            // Near-cancellation.
            y = single ? Math.fround(x * (1 + (r() - 0.5) * 2 ** -20)) : x * (1 + (r() - 0.5) * 2 ** -45);
            if (op === Op.Add) y = -y;
          }
          if (x === 0 || y === 0 || !Number.isFinite(x) || !Number.isFinite(y)) continue;
          if (single && (Math.abs(x) < 2 ** -126 || Math.abs(y) < 2 ** -126)) continue;
          if (!single && (Math.abs(x) < 2 ** -1022 || Math.abs(y) < 2 ** -1022)) continue;
          for (let rc = 0; rc < 4; rc++) {
            const want = ref(op, x, y, single, rc);
            const where = `${name}(${x}, ${y}) rc=${rc}`;
            // Through the bit-pattern API and through the scratch-vector lane (its inline fast paths).
            for (const lane of [false, true]) {
              fpBegin(0x1f80 | (rc << 13));
              let got: string;
              if (single) {
                if (lane) {
                  A[1] = bits32(x);
                  B[1] = bits32(y);
                  f32Lane(op, 1);
                  got = (R[1] >>> 0).toString(16);
                } else got = (bits32(f32Op(op, bits32(x), x, bits32(y), y)) >>> 0).toString(16);
                assert.equal(got, (bits32(want.v) >>> 0).toString(16), where);
              } else {
                f64[0] = x;
                const alo = i64[0];
                const ahi = i64[1];
                f64[0] = y;
                const blo = i64[0];
                const bhi = i64[1];
                if (lane) {
                  A.set([alo, ahi], 2);
                  B.set([blo, bhi], 2);
                  f64Lane(op, 1);
                  got = `${(R[3] >>> 0).toString(16)}:${(R[2] >>> 0).toString(16)}`;
                } else got = bits64(f64Op(op, alo, ahi, x, blo, bhi, y));
                assert.equal(got, bits64(want.v), where);
              }
              assert.equal(fp.flags & 0x38, want.flags, `${where} flags`);
            }
          }
        }
      });
    }
  }
});
