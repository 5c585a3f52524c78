/**
 * Bit instructions: bt/bts/btr/btc (0F A3/AB/B3/BB and 0F BA /4–/7), bsf/bsr (0F BC/BD), tzcnt/lzcnt
 * (F3 0F BC/BD), popcnt (F3 0F B8), bswap (0F C8+r), and the VEX-encoded BMI1/BMI2 GPR instructions
 * (andn, bextr, blsi, blsmsk, blsr, bzhi, pdep, pext, mulx, rorx, sarx, shlx, shrx).
 *
 * Flags the SDM leaves undefined follow the AMD Zen hardware the test vectors come from (test/hw):
 * bt* change only CF; bsf/bsr set ZF (and PF) for a zero source and otherwise CF = SF = OF = AF = 0,
 * PF = parity of the index, leaving the destination (all 64 bits) untouched for a zero source;
 * tzcnt/lzcnt clear SF/PF/AF and keep OF; andn/blsi/blsmsk/blsr/bzhi clear AF and set PF from the
 * result; bextr sets AF = 1, SF = 0, PF from the result; bswap of a 16-bit register clears it.
 */
import type { Cpu } from "../cpu";
import { Encoding, type Insn } from "../decoder/insn";
import { define } from "../dispatch";
import { AF, ARITH, CF, FOp, PARITY, PF, SF, ZF } from "../flags";
import { mulu64, PRODUCT } from "./muldiv";
import { IN_REG, locE, readAt, regOf, writeAt } from "./operands";

const TWO32 = 4294967296;
const TWO64 = 18446744073709551616;
/** Lowest canonical address of the upper half (2^64 - 2^47). */
const HIGH_CANON = TWO64 - 140737488355328;

// ---------------------------------------------------------------- bt / bts / btr / btc

/** 0 bt, 1 bts, 2 btr, 3 btc: from opcode bits 4:3 (A3/AB/B3/BB) or ModRM.reg - 4 (BA /4–/7). */
function btKind(i: Insn): number {
  return i.opcode === 0xba ? i.reg - 4 : (i.opcode >> 3) & 3;
}

/** Apply bt-kind `k` to bit `bit` of `v`: returns the new value. */
function btApply(k: number, v: number, bit: number): number {
  const m = 1 << bit;
  return k === 1 ? v | m : k === 2 ? v & ~m : v ^ m;
}

/** Address `a` + `disp` in the instruction's address size (64-bit: wrap, then canonical check). */
function offsetAddr(i: Insn, a: number, disp: number): number {
  if (i.adsize !== 64) return (((a + disp) % TWO32) + TWO32) % TWO32;
  if (a < 0) return a;
  let t = a + disp;
  if (t < 0) t += TWO64;
  else if (t >= TWO64) t -= TWO64;
  // Between the two canonical halves: non-canonical (the accessors turn -1 into #GP).
  if (t >= 140737488355328 && t < HIGH_CANON) return -1;
  return t;
}

/**
 * bt* with a register bit offset (0F A3/AB/B3/BB). For a memory operand the offset is signed and
 * selects an operand-sized unit relative to the address (SDM Vol. 1 §3.4.1.2 "bit base/bit offset",
 * Vol. 2 "BT"): EA + (size/8) * floor(offset / size).
 */
function btReg(cpu: Cpu, i: Insn): void {
  const size = i.opsize;
  const k = btKind(i);
  const g = regOf(i);
  let off = cpu.getReg(g, size, false);
  const offHi = cpu.th;
  let loc: number;
  if (i.mod === 3) loc = IN_REG;
  else {
    let disp: number;
    if (size === 64) {
      // Signed 64-bit offset (exact below 2^53; larger ones leave the canonical range anyway).
      disp = Math.floor((offHi * TWO32 + (off >>> 0)) / 64) * 8;
    } else {
      const s = size === 16 ? (off << 16) >> 16 : off;
      disp = Math.floor(s / size) * (size >> 3);
    }
    loc = offsetAddr(i, cpu.ea(i), disp);
  }
  off &= size - 1;
  btDo(cpu, i, k, size, loc, off);
}

/** bt* with an imm8 bit offset (0F BA /4–/7): the offset is taken modulo the operand size. */
function btImm(cpu: Cpu, i: Insn): void {
  const size = i.opsize;
  btDo(cpu, i, btKind(i), size, locE(cpu, i), i.imm & (size - 1));
}

function btDo(cpu: Cpu, i: Insn, k: number, size: number, loc: number, bit: number): void {
  if (size === 64) {
    let lo = readAt(cpu, i, loc, 64);
    let hi = cpu.th;
    const cf = bit < 32 ? (lo >>> bit) & 1 : (hi >>> (bit - 32)) & 1;
    if (k !== 0) {
      if (bit < 32) lo = btApply(k, lo, bit);
      else hi = btApply(k, hi, bit - 32);
      writeAt(cpu, i, loc, 64, lo, hi);
    }
    cpu.flags.setFlags(CF, cf);
    return;
  }
  const v = readAt(cpu, i, loc, size);
  const cf = (v >>> bit) & 1;
  if (k !== 0) writeAt(cpu, i, loc, size, btApply(k, v, bit));
  cpu.flags.setFlags(CF, cf);
}

for (const opcode of [0xa3, 0xab, 0xb3, 0xbb]) {
  define({ map: 1, opcode, name: ["bt", "bts", "btr", "btc"][(opcode >> 3) & 3], h: btReg });
}
for (let reg = 4; reg < 8; reg++)
  define({ map: 1, opcode: 0xba, reg, name: ["bt", "bts", "btr", "btc"][reg - 4], h: btImm });

// ---------------------------------------------------------------- bsf / bsr / tzcnt / lzcnt / popcnt

/** Index of the lowest set bit of a non-zero int32. */
function ctz32(x: number): number {
  return 31 - Math.clz32(x & -x);
}

/** popcount of an int32. */
function pop32(x: number): number {
  x -= (x >>> 1) & 0x55555555;
  x = (x & 0x33333333) + ((x >>> 2) & 0x33333333);
  x = (x + (x >>> 4)) & 0x0f0f0f0f;
  return Math.imul(x, 0x01010101) >>> 24;
}

/** Source operand of a bit-scan: lo returned, hi (64-bit only, else 0) in `cpu.th`. */
function scanSrc(cpu: Cpu, i: Insn, size: number): number {
  const v = readAt(cpu, i, locE(cpu, i), size);
  if (size !== 64) cpu.th = 0;
  return v;
}

/** bsf (reverse = false) / bsr: destination unchanged and ZF = 1 when the source is 0. */
function bitScan(cpu: Cpu, i: Insn, reverse: boolean): void {
  const size = i.opsize;
  const lo = scanSrc(cpu, i, size);
  const hi = cpu.th;
  if ((lo | hi) === 0) {
    cpu.flags.setFlags(ARITH, ZF | PF);
    return;
  }
  let n: number;
  if (reverse) n = hi !== 0 ? 63 - Math.clz32(hi) : 31 - Math.clz32(lo);
  else n = lo !== 0 ? ctz32(lo) : 32 + ctz32(hi);
  cpu.setReg(regOf(i), size, false, n);
  cpu.flags.setFlags(ARITH, PARITY[n]);
}

/** tzcnt / lzcnt (SDM Vol. 2 "TZCNT", "LZCNT"): CF = source is 0, ZF = result is 0. */
function count(cpu: Cpu, i: Insn, leading: boolean): void {
  const size = i.opsize;
  const lo = scanSrc(cpu, i, size);
  const hi = cpu.th;
  let n: number;
  if ((lo | hi) === 0) n = size;
  else if (leading) {
    if (size === 64) n = hi !== 0 ? Math.clz32(hi) : 32 + Math.clz32(lo);
    else n = Math.clz32(lo) - (32 - size);
  } else n = lo !== 0 ? ctz32(lo) : 32 + ctz32(hi);
  cpu.setReg(regOf(i), size, false, n);
  cpu.flags.setFlags(CF | ZF | SF | AF | PF, (n === size ? CF : 0) | (n === 0 ? ZF : 0));
}

function popcnt(cpu: Cpu, i: Insn): void {
  const size = i.opsize;
  const lo = scanSrc(cpu, i, size);
  const n = pop32(lo) + pop32(cpu.th);
  cpu.setReg(regOf(i), size, false, n);
  cpu.flags.setFlags(ARITH, n === 0 ? ZF : 0);
}

define(
  { map: 1, opcode: 0xbc, name: "bsf", h: (cpu, i) => bitScan(cpu, i, false) },
  { map: 1, opcode: 0xbd, name: "bsr", h: (cpu, i) => bitScan(cpu, i, true) },
  { map: 1, opcode: 0xbc, pfx: 0xf3, name: "tzcnt", h: (cpu, i) => count(cpu, i, false) },
  { map: 1, opcode: 0xbd, pfx: 0xf3, name: "lzcnt", h: (cpu, i) => count(cpu, i, true) },
  { map: 1, opcode: 0xb8, pfx: 0xf3, name: "popcnt", h: popcnt },
);

// ---------------------------------------------------------------- bswap

function bswap32(x: number): number {
  return (x << 24) | ((x & 0xff00) << 8) | ((x >>> 8) & 0xff00) | (x >>> 24);
}

function bswap(cpu: Cpu, i: Insn): void {
  const r = (i.opcode & 7) | (i.b << 3);
  switch (i.opsize) {
    case 64: {
      const lo = cpu.lo[r];
      cpu.lo[r] = bswap32(cpu.hi[r]);
      cpu.hi[r] = bswap32(lo);
      return;
    }
    case 32:
      cpu.setReg(r, 32, false, bswap32(cpu.lo[r]));
      return;
    default:
      // Undefined for 16-bit operands (SDM Vol. 2 "BSWAP"); the reference hardware zeroes the low word.
      cpu.setReg(r, 16, false, 0);
  }
}

for (let n = 0; n < 8; n++) define({ map: 1, opcode: 0xc8 + n, name: "bswap", h: bswap });

// ---------------------------------------------------------------- BMI1 / BMI2 (VEX, L0)

const VEX = Encoding.Vex;

/** VEX GPR operand size: 64 with VEX.W1 in 64-bit mode, else 32 (W is ignored outside 64-bit mode). */
function vsize(i: Insn): number {
  return i.w === 1 && i.bits === 64 ? 64 : 32;
}

/** Read GPR n at `size` (hi in cpu.th for 64). */
function gpr(cpu: Cpu, n: number, size: number): number {
  cpu.th = size === 64 ? cpu.hi[n] : 0;
  return cpu.lo[n];
}

function setGpr(cpu: Cpu, n: number, size: number, lo: number, hi: number): void {
  cpu.lo[n] = lo;
  cpu.hi[n] = size === 64 ? hi : 0;
}

/** r/m source of a VEX GPR instruction (hi in cpu.th, 0 for 32-bit). */
function vsrc(cpu: Cpu, i: Insn, size: number): number {
  const v = readAt(cpu, i, locE(cpu, i), size);
  if (size !== 64) cpu.th = 0;
  return v;
}

/** ZF/SF/PF from the result, AF = 0, CF as given, OF = 0. */
function resultFlags(cpu: Cpu, size: number, lo: number, hi: number, cf: number): void {
  cpu.flags.setResult(size, lo, hi, cf, 0);
}

/** andn r, vvvv, r/m: ~vvvv & r/m (SDM Vol. 2 "ANDN"). */
function andn(cpu: Cpu, i: Insn): void {
  const size = vsize(i);
  const blo = vsrc(cpu, i, size);
  const bhi = cpu.th;
  const alo = gpr(cpu, i.vvvv, size);
  const ahi = cpu.th;
  const lo = ~alo & blo;
  const hi = ~ahi & bhi;
  setGpr(cpu, regOf(i), size, lo, hi);
  if (size === 64) cpu.flags.lazy64(FOp.Logic, lo, hi, lo, hi, lo, hi);
  else cpu.flags.lazy(FOp.Logic, 32, lo, lo, lo);
}

/** (lo, hi) >>> n for n in 0..63; hi of the result in `sh`. */
let sh = 0;
function shr64(lo: number, hi: number, n: number): number {
  if (n === 0) {
    sh = hi;
    return lo;
  }
  if (n < 32) {
    sh = hi >>> n;
    return (lo >>> n) | (hi << (32 - n));
  }
  sh = 0;
  return (hi >>> (n - 32)) | 0;
}

/** Keep the low n bits of (lo, hi), n in 0..64; hi in `sh`. */
function low64(lo: number, hi: number, n: number): number {
  if (n >= 64) {
    sh = hi;
    return lo;
  }
  if (n >= 32) {
    sh = n === 32 ? 0 : hi & (-1 >>> (64 - n));
    return lo;
  }
  sh = 0;
  return n === 0 ? 0 : lo & (-1 >>> (32 - n));
}

/** bextr r, r/m, vvvv: start = vvvv[7:0], length = vvvv[15:8] (SDM Vol. 2 "BEXTR"). */
function bextr(cpu: Cpu, i: Insn): void {
  const size = vsize(i);
  const lo = vsrc(cpu, i, size);
  const hi = cpu.th;
  const ctl = cpu.lo[i.vvvv];
  const start = ctl & 0xff;
  const len = (ctl >>> 8) & 0xff;
  let r = 0;
  let rh = 0;
  if (start < size) {
    r = shr64(lo, hi, start);
    r = low64(r, sh, len);
    rh = sh;
  }
  setGpr(cpu, regOf(i), size, r, rh);
  cpu.flags.setFlags(ARITH, AF | ((r | rh) === 0 ? ZF | PF : PARITY[r & 0xff]));
}

/** blsr (/1), blsmsk (/2), blsi (/3): destination vvvv, source r/m. */
function bls(cpu: Cpu, i: Insn): void {
  const size = vsize(i);
  const lo = vsrc(cpu, i, size);
  const hi = cpu.th;
  const zero = (lo | hi) === 0;
  // x - 1 and -x as 64-bit pairs (the high words are 0 for 32-bit operands and ignored).
  const mlo = (lo - 1) | 0;
  const mhi = lo === 0 ? (hi - 1) | 0 : hi;
  let r: number;
  let rh: number;
  let cf: number;
  switch (i.reg) {
    case 1: // blsr: x & (x - 1); CF = source is 0
      r = lo & mlo;
      rh = hi & mhi;
      cf = zero ? 1 : 0;
      break;
    case 2: // blsmsk: x ^ (x - 1); CF = source is 0
      r = lo ^ mlo;
      rh = hi ^ mhi;
      cf = zero ? 1 : 0;
      break;
    default: {
      // blsi: x & -x; CF = source is not 0
      const nlo = -lo | 0;
      const nhi = (~hi + (lo === 0 ? 1 : 0)) | 0;
      r = lo & nlo;
      rh = hi & nhi;
      cf = zero ? 0 : 1;
    }
  }
  if (size !== 64) rh = 0;
  setGpr(cpu, i.vvvv, size, r, rh);
  resultFlags(cpu, size, r, rh, cf);
}

/** bzhi r, r/m, vvvv: clear the bits from index vvvv[7:0] up; CF = index ≥ operand size. */
function bzhi(cpu: Cpu, i: Insn): void {
  const size = vsize(i);
  const lo = vsrc(cpu, i, size);
  const hi = cpu.th;
  const n = cpu.lo[i.vvvv] & 0xff;
  const r = low64(lo, hi, n < size ? n : 64);
  const rh = size === 64 ? sh : 0;
  setGpr(cpu, regOf(i), size, r, rh);
  resultFlags(cpu, size, r, rh, n > size - 1 ? 1 : 0);
}

/** pdep (deposit = true) / pext of vvvv by the mask r/m, bit by bit over 32-bit words. */
function pdepPext(cpu: Cpu, i: Insn, deposit: boolean): void {
  const size = vsize(i);
  const mlo = vsrc(cpu, i, size);
  const mhi = cpu.th;
  const slo = gpr(cpu, i.vvvv, size);
  const shi = cpu.th;
  let rlo = 0;
  let rhi = 0;
  let k = 0; // index into the packed side
  for (let b = 0; b < size; b++) {
    const inMask = b < 32 ? (mlo >>> b) & 1 : (mhi >>> (b - 32)) & 1;
    if (!inMask) continue;
    if (deposit) {
      const bit = k < 32 ? (slo >>> k) & 1 : (shi >>> (k - 32)) & 1;
      if (bit) {
        if (b < 32) rlo |= 1 << b;
        else rhi |= 1 << (b - 32);
      }
    } else {
      const bit = b < 32 ? (slo >>> b) & 1 : (shi >>> (b - 32)) & 1;
      if (bit) {
        if (k < 32) rlo |= 1 << k;
        else rhi |= 1 << (k - 32);
      }
    }
    k++;
  }
  setGpr(cpu, regOf(i), size, rlo, rhi);
}

/** mulx r_hi, r_lo(vvvv), r/m: unsigned rDX × r/m, no flags; with r_hi = r_lo the high half wins. */
function mulx(cpu: Cpu, i: Insn): void {
  const size = vsize(i);
  const blo = vsrc(cpu, i, size);
  const bhi = cpu.th;
  if (size === 32) {
    mulu64(cpu.lo[2], 0, blo, 0);
    setGpr(cpu, i.vvvv, 32, PRODUCT[0], 0);
    setGpr(cpu, regOf(i), 32, PRODUCT[1], 0);
    return;
  }
  mulu64(cpu.lo[2], cpu.hi[2], blo, bhi);
  setGpr(cpu, i.vvvv, 64, PRODUCT[0], PRODUCT[1]);
  setGpr(cpu, regOf(i), 64, PRODUCT[2], PRODUCT[3]);
}

/** rorx r, r/m, imm8: rotate right by imm8 mod size, no flags. */
function rorx(cpu: Cpu, i: Insn): void {
  const size = vsize(i);
  const lo = vsrc(cpu, i, size);
  const hi = cpu.th;
  const n = i.imm & (size - 1);
  if (size === 32) {
    setGpr(cpu, regOf(i), 32, n === 0 ? lo : (lo >>> n) | (lo << (32 - n)), 0);
    return;
  }
  let a = lo;
  let b = hi;
  let m = n;
  if (m >= 32) {
    a = hi;
    b = lo;
    m -= 32;
  }
  const r = m === 0 ? a : (a >>> m) | (b << (32 - m));
  const rh = m === 0 ? b : (b >>> m) | (a << (32 - m));
  setGpr(cpu, regOf(i), 64, r, rh);
}

/** sarx (F3) / shlx (66) / shrx (F2) r, r/m, vvvv: count = vvvv mod size, no flags. */
function shiftx(cpu: Cpu, i: Insn): void {
  const size = vsize(i);
  const lo = vsrc(cpu, i, size);
  const hi = cpu.th;
  const n = cpu.lo[i.vvvv] & (size - 1);
  const p = i.mandatory;
  let r: number;
  let rh = 0;
  if (size === 32) {
    r = p === 0x66 ? lo << n : p === 0xf3 ? lo >> n : lo >>> n;
  } else if (n === 0) {
    r = lo;
    rh = hi;
  } else if (p === 0x66) {
    if (n < 32) {
      rh = (hi << n) | (lo >>> (32 - n));
      r = lo << n;
    } else {
      rh = lo << (n - 32);
      r = 0;
    }
  } else {
    const arith = p === 0xf3;
    if (n < 32) {
      r = (lo >>> n) | (hi << (32 - n));
      rh = arith ? hi >> n : hi >>> n;
    } else {
      r = arith ? hi >> (n - 32) : hi >>> (n - 32);
      rh = arith ? hi >> 31 : 0;
    }
  }
  setGpr(cpu, regOf(i), size, r | 0, rh | 0);
}

define(
  { encoding: VEX, vl: 0, map: 2, opcode: 0xf2, pfx: 0, name: "andn", h: andn },
  { encoding: VEX, vl: 0, map: 2, opcode: 0xf7, pfx: 0, name: "bextr", h: bextr },
  { encoding: VEX, vl: 0, map: 2, opcode: 0xf3, pfx: 0, reg: 1, name: "blsr", h: bls },
  { encoding: VEX, vl: 0, map: 2, opcode: 0xf3, pfx: 0, reg: 2, name: "blsmsk", h: bls },
  { encoding: VEX, vl: 0, map: 2, opcode: 0xf3, pfx: 0, reg: 3, name: "blsi", h: bls },
  { encoding: VEX, vl: 0, map: 2, opcode: 0xf5, pfx: 0, name: "bzhi", h: bzhi },
  {
    encoding: VEX,
    vl: 0,
    map: 2,
    opcode: 0xf5,
    pfx: 0xf2,
    name: "pdep",
    h: (cpu, i) => pdepPext(cpu, i, true),
  },
  {
    encoding: VEX,
    vl: 0,
    map: 2,
    opcode: 0xf5,
    pfx: 0xf3,
    name: "pext",
    h: (cpu, i) => pdepPext(cpu, i, false),
  },
  { encoding: VEX, vl: 0, map: 2, opcode: 0xf6, pfx: 0xf2, name: "mulx", h: mulx },
  { encoding: VEX, vl: 0, map: 3, opcode: 0xf0, pfx: 0xf2, name: "rorx", h: rorx },
  { encoding: VEX, vl: 0, map: 2, opcode: 0xf7, pfx: 0xf3, name: "sarx", h: shiftx },
  { encoding: VEX, vl: 0, map: 2, opcode: 0xf7, pfx: 0x66, name: "shlx", h: shiftx },
  { encoding: VEX, vl: 0, map: 2, opcode: 0xf7, pfx: 0xf2, name: "shrx", h: shiftx },
);
