/**
 * Multiply and divide: mul/imul/div/idiv (F6/F7 /4–/7, every width), imul r, r/m (0F AF) and
 * imul r, r/m, imm (69 Iz, 6B Ib).
 *
 * SDM Vol. 2 "MUL", "IMUL", "DIV", "IDIV": CF = OF = 1 when the high half of the product is significant;
 * #DE on a zero divisor or a quotient that does not fit, raised before any register changes. SF/ZF/AF/PF
 * after a multiply and every arithmetic flag after a divide are undefined; we reproduce the AMD Zen
 * hardware the test vectors come from: multiplies leave SF/ZF/AF/PF unchanged, divides leave CF/OF
 * unchanged and set SF = ZF = PF = 0, AF = 1.
 *
 * 64-bit products and quotients use 32-bit words in doubles; only a 128/64 divide with a divisor of 2^32
 * or more and a non-zero high dividend half takes a BigInt slow path.
 */
import type { Cpu } from "../cpu";
import type { Insn } from "../decoder/insn";
import { define } from "../dispatch";
import { AF, CF, OF, PF, SF, ZF, type Flags } from "../flags";
import { locE, readAt, regOf, simm } from "./operands";

const TWO32 = 4294967296;

// ---------------------------------------------------------------- wide arithmetic helpers

/** High 32 bits of the last `mulu32`. */
let mh = 0;

/** Unsigned 32×32 → 64: returns the low word (int32), high word (int32) in `mh`. */
function mulu32(a: number, b: number): number {
  const a0 = a & 0xffff;
  const a1 = a >>> 16;
  const b0 = b & 0xffff;
  const b1 = b >>> 16;
  const p00 = a0 * b0;
  const p01 = a0 * b1;
  const p10 = a1 * b0;
  const mid = (p00 >>> 16) + (p01 & 0xffff) + (p10 & 0xffff);
  mh = (a1 * b1 + (p01 >>> 16) + (p10 >>> 16) + (mid >>> 16)) | 0;
  return (p00 & 0xffff) | (mid << 16);
}

/** Words of the last `mulu64` product, least significant first (int32 each). */
const P = new Int32Array(4);
export const PRODUCT: Readonly<Int32Array> = P;

/** Unsigned (ahi:alo) × (bhi:blo) → 128 bits in P (`PRODUCT`). Shared with mulx (bit.ts). */
export function mulu64(alo: number, ahi: number, blo: number, bhi: number): void {
  const ll = mulu32(alo, blo);
  const llh = mh >>> 0;
  const lh = mulu32(alo, bhi) >>> 0;
  const lhh = mh >>> 0;
  const hl = mulu32(ahi, blo) >>> 0;
  const hlh = mh >>> 0;
  const hh = mulu32(ahi, bhi) >>> 0;
  const hhh = mh >>> 0;
  const t1 = llh + lh + hl;
  const c1 = Math.floor(t1 / TWO32);
  const t2 = lhh + hlh + hh + c1;
  const c2 = Math.floor(t2 / TWO32);
  P[0] = ll;
  P[1] = t1 | 0;
  P[2] = t2 | 0;
  P[3] = (hhh + c2) | 0;
}

/** Signed 64×64 → 128 in P: the unsigned product minus the two-complement corrections of the high half. */
function muls64(alo: number, ahi: number, blo: number, bhi: number): void {
  mulu64(alo, ahi, blo, bhi);
  if (ahi < 0) sub64hi(blo, bhi);
  if (bhi < 0) sub64hi(alo, ahi);
}

/** (P[3]:P[2]) -= (hi:lo). */
function sub64hi(lo: number, hi: number): void {
  const s = (P[2] >>> 0) - (lo >>> 0);
  P[2] = s | 0;
  P[3] = (P[3] - hi - (s < 0 ? 1 : 0)) | 0;
}

/** Quotient and remainder of the last successful `udiv128`, as int32 words. */
let qlo = 0;
let qhi = 0;
let rlo = 0;
let rhi = 0;

/**
 * Unsigned (n3:n2:n1:n0) / (dhi:dlo), words given as int32 or uint32. Returns false for a zero divisor or
 * a quotient of 2^64 or more (#DE).
 */
function udiv128(n0: number, n1: number, n2: number, n3: number, dlo: number, dhi: number): boolean {
  n0 >>>= 0;
  n1 >>>= 0;
  n2 >>>= 0;
  n3 >>>= 0;
  dlo >>>= 0;
  dhi >>>= 0;
  if (dhi === 0 && dlo === 0) return false;
  // The quotient fits in 64 bits exactly when the high half of the dividend is below the divisor.
  if (n3 > dhi || (n3 === dhi && n2 >= dlo)) return false;
  if (dhi === 0) {
    // Divisor below 2^32: schoolbook division in 16-bit digits. Every partial dividend is below 2^48,
    // so the double quotients are exact (and floor never rounds up across an integer).
    const d = dlo;
    let r = n2;
    let cur = r * 65536 + (n1 >>> 16);
    const q3 = Math.floor(cur / d);
    r = cur - q3 * d;
    cur = r * 65536 + (n1 & 0xffff);
    const q2 = Math.floor(cur / d);
    r = cur - q2 * d;
    cur = r * 65536 + (n0 >>> 16);
    const q1 = Math.floor(cur / d);
    r = cur - q1 * d;
    cur = r * 65536 + (n0 & 0xffff);
    const q0 = Math.floor(cur / d);
    r = cur - q0 * d;
    qhi = (q3 * 65536 + q2) | 0;
    qlo = (q1 * 65536 + q0) | 0;
    rlo = r | 0;
    rhi = 0;
    return true;
  }
  if (n3 === 0 && n2 === 0) {
    // 64-bit dividend, divisor of 2^32 or more: the quotient is below 2^32 and a double estimate is
    // within one of it; fix it up with exact arithmetic.
    let q = Math.floor((n1 * TWO32 + n0) / (dhi * TWO32 + dlo));
    if (q >= TWO32) q = TWO32 - 1;
    mulu64(q, 0, dlo, dhi);
    // r = n - q*d as a signed 65-bit quantity: words (P[1]:P[0]) and the sign from P[2].
    let s0 = n0 - (P[0] >>> 0);
    let s1 = n1 - (P[1] >>> 0) - (s0 < 0 ? 1 : 0);
    const neg = P[2] !== 0 || s1 < 0;
    s0 = s0 < 0 ? s0 + TWO32 : s0;
    s1 = s1 < 0 ? s1 + TWO32 : s1;
    if (neg) {
      // q was one too large: r += d.
      q -= 1;
      const t0 = s0 + dlo;
      s0 = t0 % TWO32;
      s1 = (s1 + dhi + (t0 >= TWO32 ? 1 : 0)) % TWO32;
    } else if (s1 > dhi || (s1 === dhi && s0 >= dlo)) {
      // q was one too small: r -= d.
      q += 1;
      const t0 = s0 - dlo;
      s0 = t0 < 0 ? t0 + TWO32 : t0;
      s1 = s1 - dhi - (t0 < 0 ? 1 : 0);
    }
    qlo = q | 0;
    qhi = 0;
    rlo = s0 | 0;
    rhi = s1 | 0;
    return true;
  }
  return udiv128Slow(n0, n1, n2, n3, dlo, dhi);
}

/** Rare case: high dividend half non-zero and a divisor of 2^32 or more. */
function udiv128Slow(n0: number, n1: number, n2: number, n3: number, dlo: number, dhi: number): boolean {
  const n = (BigInt(n3) << BigInt(96)) | (BigInt(n2) << BigInt(64)) | (BigInt(n1) << BigInt(32)) | BigInt(n0);
  const d = (BigInt(dhi) << BigInt(32)) | BigInt(dlo);
  const q = n / d;
  const r = n % d;
  qlo = Number(BigInt.asIntN(32, q));
  qhi = Number(BigInt.asIntN(32, q >> BigInt(32)));
  rlo = Number(BigInt.asIntN(32, r));
  rhi = Number(BigInt.asIntN(32, r >> BigInt(32)));
  return true;
}

// ---------------------------------------------------------------- flags

function mulFlags(f: Flags, overflow: boolean): void {
  f.setFlags(CF | OF, overflow ? CF | OF : 0);
}

function divFlags(f: Flags): void {
  f.setFlags(SF | ZF | AF | PF, AF);
}

// ---------------------------------------------------------------- one-operand mul / imul

function mul8(cpu: Cpu, i: Insn): void {
  const b = readAt(cpu, i, locE(cpu, i), 8);
  const p = (cpu.lo[0] & 0xff) * b;
  cpu.setReg(0, 16, false, p);
  mulFlags(cpu.flags, p > 0xff);
}

function imul8(cpu: Cpu, i: Insn): void {
  const b = (readAt(cpu, i, locE(cpu, i), 8) << 24) >> 24;
  const p = ((cpu.lo[0] << 24) >> 24) * b;
  cpu.setReg(0, 16, false, p);
  mulFlags(cpu.flags, p !== (p << 24) >> 24);
}

function mul16(cpu: Cpu, i: Insn): void {
  const b = readAt(cpu, i, locE(cpu, i), 16);
  const p = (cpu.lo[0] & 0xffff) * b;
  cpu.setReg(0, 16, false, p);
  cpu.setReg(2, 16, false, p >>> 16);
  mulFlags(cpu.flags, p > 0xffff);
}

function imul16(cpu: Cpu, i: Insn): void {
  const b = (readAt(cpu, i, locE(cpu, i), 16) << 16) >> 16;
  const p = ((cpu.lo[0] << 16) >> 16) * b;
  cpu.setReg(0, 16, false, p);
  cpu.setReg(2, 16, false, p >> 16);
  mulFlags(cpu.flags, p !== (p << 16) >> 16);
}

function mul32(cpu: Cpu, i: Insn): void {
  const b = readAt(cpu, i, locE(cpu, i), 32);
  const lo = mulu32(cpu.lo[0], b);
  const hi = mh;
  cpu.setReg(0, 32, false, lo);
  cpu.setReg(2, 32, false, hi);
  mulFlags(cpu.flags, hi !== 0);
}

function imul32(cpu: Cpu, i: Insn): void {
  const b = readAt(cpu, i, locE(cpu, i), 32);
  const a = cpu.lo[0];
  const lo = mulu32(a, b);
  const hi = (mh - (a < 0 ? b : 0) - (b < 0 ? a : 0)) | 0;
  cpu.setReg(0, 32, false, lo);
  cpu.setReg(2, 32, false, hi);
  mulFlags(cpu.flags, hi !== lo >> 31);
}

function mul64(cpu: Cpu, i: Insn, signed: boolean): void {
  const blo = readAt(cpu, i, locE(cpu, i), 64);
  const bhi = cpu.th;
  if (signed) muls64(cpu.lo[0], cpu.hi[0], blo, bhi);
  else mulu64(cpu.lo[0], cpu.hi[0], blo, bhi);
  cpu.lo[0] = P[0];
  cpu.hi[0] = P[1];
  cpu.lo[2] = P[2];
  cpu.hi[2] = P[3];
  const ext = signed ? P[1] >> 31 : 0;
  mulFlags(cpu.flags, P[2] !== ext || P[3] !== ext);
}

// ---------------------------------------------------------------- imul r, r/m (, imm)

/** 0F AF: the second factor is the destination register; 69/6B: the immediate. */
function factor(cpu: Cpu, i: Insn, size: number): number {
  return i.opcode === 0xaf ? cpu.getReg(regOf(i), size, false) : simm(i);
}

function imulR16(cpu: Cpu, i: Insn): void {
  const a = (readAt(cpu, i, locE(cpu, i), 16) << 16) >> 16;
  const b = (factor(cpu, i, 16) << 16) >> 16;
  const p = a * b;
  cpu.setReg(regOf(i), 16, false, p);
  mulFlags(cpu.flags, p !== (p << 16) >> 16);
}

function imulR32(cpu: Cpu, i: Insn): void {
  const a = readAt(cpu, i, locE(cpu, i), 32);
  const b = factor(cpu, i, 32) | 0;
  const lo = mulu32(a, b);
  const hi = (mh - (a < 0 ? b : 0) - (b < 0 ? a : 0)) | 0;
  cpu.setReg(regOf(i), 32, false, lo);
  mulFlags(cpu.flags, hi !== lo >> 31);
}

function imulR64(cpu: Cpu, i: Insn): void {
  const alo = readAt(cpu, i, locE(cpu, i), 64);
  const ahi = cpu.th;
  let blo: number;
  let bhi: number;
  if (i.opcode === 0xaf) {
    const g = regOf(i);
    blo = cpu.lo[g];
    bhi = cpu.hi[g];
  } else {
    blo = simm(i);
    bhi = blo >> 31;
  }
  muls64(alo, ahi, blo, bhi);
  const g = regOf(i);
  cpu.lo[g] = P[0];
  cpu.hi[g] = P[1];
  const ext = P[1] >> 31;
  mulFlags(cpu.flags, P[2] !== ext || P[3] !== ext);
}

// ---------------------------------------------------------------- div / idiv

function div8(cpu: Cpu, i: Insn): void {
  const d = readAt(cpu, i, locE(cpu, i), 8);
  const n = cpu.lo[0] & 0xffff;
  if (d === 0) cpu.fault("DE");
  const q = Math.floor(n / d);
  if (q > 0xff) cpu.fault("DE");
  cpu.setReg(0, 16, false, ((n - q * d) << 8) | q);
  divFlags(cpu.flags);
}

function idiv8(cpu: Cpu, i: Insn): void {
  const d = (readAt(cpu, i, locE(cpu, i), 8) << 24) >> 24;
  const n = (cpu.lo[0] << 16) >> 16;
  if (d === 0) cpu.fault("DE");
  const q = Math.trunc(n / d);
  if (q > 127 || q < -128) cpu.fault("DE");
  cpu.setReg(0, 16, false, ((n - q * d) << 8) | (q & 0xff));
  divFlags(cpu.flags);
}

function div16(cpu: Cpu, i: Insn): void {
  const d = readAt(cpu, i, locE(cpu, i), 16);
  const n = ((cpu.lo[2] & 0xffff) * 65536 + (cpu.lo[0] & 0xffff)) >>> 0;
  if (d === 0) cpu.fault("DE");
  const q = Math.floor(n / d);
  if (q > 0xffff) cpu.fault("DE");
  cpu.setReg(0, 16, false, q);
  cpu.setReg(2, 16, false, n - q * d);
  divFlags(cpu.flags);
}

function idiv16(cpu: Cpu, i: Insn): void {
  const d = (readAt(cpu, i, locE(cpu, i), 16) << 16) >> 16;
  const n = (cpu.lo[2] << 16) | (cpu.lo[0] & 0xffff);
  if (d === 0) cpu.fault("DE");
  const q = Math.trunc(n / d);
  if (q > 32767 || q < -32768) cpu.fault("DE");
  cpu.setReg(0, 16, false, q);
  cpu.setReg(2, 16, false, n - q * d);
  divFlags(cpu.flags);
}

function div32(cpu: Cpu, i: Insn): void {
  const d = readAt(cpu, i, locE(cpu, i), 32) >>> 0;
  const hi = cpu.lo[2] >>> 0;
  const lo = cpu.lo[0] >>> 0;
  if (d === 0 || hi >= d) cpu.fault("DE");
  let q: number;
  let r: number;
  if (hi === 0) {
    q = Math.floor(lo / d);
    r = lo - q * d;
  } else {
    // hi < d: two 16-bit digits; partial dividends stay below 2^48.
    let cur = hi * 65536 + (lo >>> 16);
    const q1 = Math.floor(cur / d);
    cur = (cur - q1 * d) * 65536 + (lo & 0xffff);
    const q0 = Math.floor(cur / d);
    r = cur - q0 * d;
    q = q1 * 65536 + q0;
  }
  cpu.setReg(0, 32, false, q | 0);
  cpu.setReg(2, 32, false, r | 0);
  divFlags(cpu.flags);
}

function idiv32(cpu: Cpu, i: Insn): void {
  const d = readAt(cpu, i, locE(cpu, i), 32);
  let hi = cpu.lo[2];
  let lo = cpu.lo[0];
  const nneg = hi < 0;
  if (nneg) {
    lo = -lo | 0;
    hi = (~hi + (lo === 0 ? 1 : 0)) | 0;
  }
  const ad = d < 0 ? -d >>> 0 : d;
  if (!udiv128(lo, hi, 0, 0, ad, 0)) cpu.fault("DE");
  // |quotient| must fit: 2^31 - 1, or 2^31 for a negative quotient.
  const qneg = nneg !== d < 0;
  const qa = (qhi >>> 0) * TWO32 + (qlo >>> 0);
  if (qa > (qneg ? 0x80000000 : 0x7fffffff)) cpu.fault("DE");
  cpu.setReg(0, 32, false, qneg ? -qlo | 0 : qlo);
  cpu.setReg(2, 32, false, nneg ? -rlo | 0 : rlo);
  divFlags(cpu.flags);
}

function div64(cpu: Cpu, i: Insn): void {
  const dlo = readAt(cpu, i, locE(cpu, i), 64);
  const dhi = cpu.th;
  if (!udiv128(cpu.lo[0], cpu.hi[0], cpu.lo[2], cpu.hi[2], dlo, dhi)) cpu.fault("DE");
  cpu.lo[0] = qlo;
  cpu.hi[0] = qhi;
  cpu.lo[2] = rlo;
  cpu.hi[2] = rhi;
  divFlags(cpu.flags);
}

function idiv64(cpu: Cpu, i: Insn): void {
  let dlo = readAt(cpu, i, locE(cpu, i), 64);
  let dhi = cpu.th;
  let n0 = cpu.lo[0];
  let n1 = cpu.hi[0];
  let n2 = cpu.lo[2];
  let n3 = cpu.hi[2];
  const nneg = n3 < 0;
  const dneg = dhi < 0;
  if (nneg) {
    // 128-bit two's complement negation, word by word with the carry of ~x + 1.
    n0 = ~n0 >>> 0;
    n1 = ~n1 >>> 0;
    n2 = ~n2 >>> 0;
    n3 = ~n3 >>> 0;
    n0 += 1;
    if (n0 === TWO32) {
      n0 = 0;
      n1 += 1;
      if (n1 === TWO32) {
        n1 = 0;
        n2 += 1;
        if (n2 === TWO32) {
          n2 = 0;
          n3 = (n3 + 1) >>> 0;
        }
      }
    }
  }
  if (dneg) {
    dlo = -dlo | 0;
    dhi = (~dhi + (dlo === 0 ? 1 : 0)) | 0;
  }
  if (!udiv128(n0, n1, n2, n3, dlo, dhi)) cpu.fault("DE");
  const qneg = nneg !== dneg;
  // |quotient| ≤ 2^63 - 1, or 2^63 when negative.
  if (qhi < 0 && !(qneg && qhi === (0x80000000 | 0) && qlo === 0)) cpu.fault("DE");
  let ql = qlo;
  let qh = qhi;
  if (qneg) {
    ql = -qlo | 0;
    qh = (~qhi + (ql === 0 ? 1 : 0)) | 0;
  }
  let rl = rlo;
  let rh = rhi;
  if (nneg) {
    rl = -rlo | 0;
    rh = (~rhi + (rl === 0 ? 1 : 0)) | 0;
  }
  cpu.lo[0] = ql;
  cpu.hi[0] = qh;
  cpu.lo[2] = rl;
  cpu.hi[2] = rh;
  divFlags(cpu.flags);
}

define(
  { map: 0, opcode: 0xf6, reg: 4, name: "mul", h: mul8 },
  { map: 0, opcode: 0xf6, reg: 5, name: "imul", h: imul8 },
  { map: 0, opcode: 0xf6, reg: 6, name: "div", h: div8 },
  { map: 0, opcode: 0xf6, reg: 7, name: "idiv", h: idiv8 },
  {
    map: 0,
    opcode: 0xf7,
    reg: 4,
    name: "mul",
    h: (cpu, i) => (i.opsize === 16 ? mul16(cpu, i) : mul32(cpu, i)),
  },
  {
    map: 0,
    opcode: 0xf7,
    reg: 5,
    name: "imul",
    h: (cpu, i) => (i.opsize === 16 ? imul16(cpu, i) : imul32(cpu, i)),
  },
  {
    map: 0,
    opcode: 0xf7,
    reg: 6,
    name: "div",
    h: (cpu, i) => (i.opsize === 16 ? div16(cpu, i) : div32(cpu, i)),
  },
  {
    map: 0,
    opcode: 0xf7,
    reg: 7,
    name: "idiv",
    h: (cpu, i) => (i.opsize === 16 ? idiv16(cpu, i) : idiv32(cpu, i)),
  },
  { map: 0, opcode: 0xf7, reg: 4, w: 1, name: "mul", h: (cpu, i) => mul64(cpu, i, false) },
  { map: 0, opcode: 0xf7, reg: 5, w: 1, name: "imul", h: (cpu, i) => mul64(cpu, i, true) },
  { map: 0, opcode: 0xf7, reg: 6, w: 1, name: "div", h: div64 },
  { map: 0, opcode: 0xf7, reg: 7, w: 1, name: "idiv", h: idiv64 },
);

const imulR = (cpu: Cpu, i: Insn): void => (i.opsize === 16 ? imulR16(cpu, i) : imulR32(cpu, i));
for (const [map, opcode] of [
  [1, 0xaf],
  [0, 0x69],
  [0, 0x6b],
]) {
  define({ map, opcode, name: "imul", h: imulR }, { map, opcode, w: 1, name: "imul", h: imulR64 });
}
