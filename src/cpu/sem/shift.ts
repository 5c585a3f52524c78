/**
 * Shifts and rotates: group 2 (C0/C1 imm8, D0/D1 by 1, D2/D3 by CL; /0 rol /1 ror /2 rcl /3 rcr /4 shl
 * /5 shr /6 sal = shl /7 sar) and the double shifts shld/shrd (0F A4/A5/AC/AD).
 *
 * SDM Vol. 2B "SAL/SAR/SHL/SHR", "RCL/RCR/ROL/ROR", "SHLD", "SHRD": the count is masked to 5 bits (6 with
 * a 64-bit operand); a masked count of 0 changes nothing, flags included; rcl/rcr of 8/16-bit operands
 * rotate by count mod 9/17. Where the SDM leaves a flag undefined we reproduce the AMD Zen hardware the
 * test vectors come from (test/hw): shl/shr/sar and shld/shrd set AF = 1; OF after a multi-bit shift is
 * MSB(result) XOR CF for shl/shld/rol/rcl, 0 for shr/sar, and the XOR of the two top result bits for
 * ror/rcr/shrd; CF of an 8/16-bit shl/shr by more than the width is 0.
 * A 16-bit shld/shrd with a count of 17..31 (undefined result) behaves like AMD hardware: the result is
 * the source rotated by count − 16 (left for shld, right for shrd), CF = 0, shld's OF = 0.
 */
import type { Cpu } from "../cpu";
import type { Insn } from "../decoder/insn";
import { define } from "../dispatch";
import { AF, ARITH, CF, OF, PARITY, SF, ZF, type Flags } from "../flags";
import { IN_REG, locE, readAt, regOf, rmOf, writeAt } from "./operands";

function maskOf(size: number): number {
  return size === 8 ? 0xff : size === 16 ? 0xffff : -1;
}

/** High half of the last 64-bit pair result. */
let ph = 0;

/** (lo, hi) << n for n in 0..64 (64: 0); returns lo, hi in `ph`. */
function shlP(lo: number, hi: number, n: number): number {
  if (n === 0) {
    ph = hi;
    return lo;
  }
  if (n < 32) {
    ph = (hi << n) | (lo >>> (32 - n));
    return lo << n;
  }
  ph = n < 64 ? lo << (n - 32) : 0;
  return 0;
}

/** (lo, hi) >>> n for n in 0..64 (64: 0). */
function shrP(lo: number, hi: number, n: number): number {
  if (n === 0) {
    ph = hi;
    return lo;
  }
  if (n < 32) {
    ph = hi >>> n;
    return (lo >>> n) | (hi << (32 - n));
  }
  ph = 0;
  return n < 64 ? (hi >>> (n - 32)) | 0 : 0;
}

/** (lo, hi) >> n arithmetic for n in 1..63. */
function sarP(lo: number, hi: number, n: number): number {
  if (n < 32) {
    ph = hi >> n;
    return (lo >>> n) | (hi << (32 - n));
  }
  ph = hi >> 31;
  return hi >> (n - 32);
}

/** Bit n (0..63) of (lo, hi). */
function bitP(lo: number, hi: number, n: number): number {
  return n < 32 ? (lo >>> n) & 1 : (hi >>> (n - 32)) & 1;
}

/**
 * Flags a shift computed, applied by the caller after its write (`commit`), so a faulting memory write
 * leaves them untouched.
 */
let fmask = 0;
let fval = 0;

/** All six arithmetic flags of a shift (AF = 1 as on the reference hardware). */
function shiftFlags(zero: boolean, sign: number, low: number, cf: number, of: number): void {
  fmask = ARITH;
  fval = cf | PARITY[low & 0xff] | AF | (zero ? ZF : 0) | (sign ? SF : 0) | (of ? OF : 0);
}

/** Rotates change only CF and OF. */
function rotFlags(cf: number, of: number): void {
  fmask = CF | OF;
  fval = cf | (of ? OF : 0);
}

function commit(f: Flags): void {
  f.setFlags(fmask, fval);
}

// ---------------------------------------------------------------- 8/16/32-bit group 2

/**
 * `op` (ModRM.reg) of `a` (masked to `size`) by the masked, non-zero count `c`; sets flags, returns the
 * result masked to `size` (int32 for 32).
 */
function shift(f: Flags, op: number, size: number, a: number, c: number): number {
  const mask = maskOf(size);
  const top = size - 1;
  let r: number;
  let cf: number;
  switch (op) {
    case 0: {
      // rol
      const t = c & top;
      r = t === 0 ? a : ((a << t) | (a >>> (size - t))) & mask;
      cf = r & 1;
      rotFlags(cf, ((r >>> top) & 1) ^ cf);
      return r;
    }
    case 1: {
      // ror
      const t = c & top;
      r = t === 0 ? a : ((a >>> t) | (a << (size - t))) & mask;
      cf = (r >>> top) & 1;
      rotFlags(cf, cf ^ ((r >>> (top - 1)) & 1));
      return r;
    }
    case 2: {
      // rcl: rotate the size+1-bit value CF:a left
      const t = size === 32 ? c : c % (size + 1);
      cf = f.cf();
      if (t !== 0) {
        r = ((t < 32 ? a << t : 0) | (cf << (t - 1)) | (t > 1 ? a >>> (size + 1 - t) : 0)) & mask;
        cf = (a >>> (size - t)) & 1;
      } else r = a;
      rotFlags(cf, ((r >>> top) & 1) ^ cf);
      return r;
    }
    case 3: {
      // rcr
      const t = size === 32 ? c : c % (size + 1);
      cf = f.cf();
      if (t !== 0) {
        r = ((t < 32 ? a >>> t : 0) | (cf << (size - t)) | (t > 1 ? a << (size + 1 - t) : 0)) & mask;
        cf = (a >>> (t - 1)) & 1;
      } else r = a;
      rotFlags(cf, ((r >>> top) ^ (r >>> (top - 1))) & 1);
      return r;
    }
    case 5: // shr
      r = a >>> c;
      cf = (a >>> (c - 1)) & 1;
      shiftFlags(r === 0, (r >>> top) & 1, r, cf, c === 1 ? (a >>> top) & 1 : 0);
      return size === 32 ? r | 0 : r;
    case 7: {
      // sar
      const s = (a << (32 - size)) >> (32 - size);
      r = (s >> c) & mask;
      cf = (s >> (c - 1)) & 1;
      shiftFlags(r === 0, (r >>> top) & 1, r, cf, 0);
      return r;
    }
    default: // shl, sal
      r = (a << c) & mask;
      cf = c <= size ? (a >>> (size - c)) & 1 : 0;
      shiftFlags(r === 0, (r >>> top) & 1, r, cf, ((r >>> top) & 1) ^ cf);
      return r;
  }
}

/** Same for 64 bits: (lo, hi) by c in 1..63; returns lo, hi in `ph`. */
function shift64(f: Flags, op: number, lo: number, hi: number, c: number): number {
  let r: number;
  let h: number;
  let cf: number;
  switch (op) {
    case 0: // rol
      r = shlP(lo, hi, c);
      h = ph;
      r |= shrP(lo, hi, 64 - c);
      h |= ph;
      cf = r & 1;
      rotFlags(cf, (h >>> 31) ^ cf);
      break;
    case 1: // ror
      r = shrP(lo, hi, c);
      h = ph;
      r |= shlP(lo, hi, 64 - c);
      h |= ph;
      cf = h >>> 31;
      rotFlags(cf, cf ^ ((h >>> 30) & 1));
      break;
    case 2: {
      // rcl: 65-bit rotate of CF:(hi, lo); c < 65 so no reduction
      const cin = f.cf();
      r = shlP(lo, hi, c);
      h = ph;
      r |= shrP(lo, hi, 65 - c);
      h |= ph;
      if (c <= 32) r |= cin << (c - 1);
      else h |= cin << (c - 33);
      cf = bitP(lo, hi, 64 - c);
      rotFlags(cf, (h >>> 31) ^ cf);
      break;
    }
    case 3: {
      // rcr
      const cin = f.cf();
      r = shrP(lo, hi, c);
      h = ph;
      r |= shlP(lo, hi, 65 - c);
      h |= ph;
      if (c <= 32) h |= cin << (32 - c);
      else r |= cin << (64 - c);
      cf = bitP(lo, hi, c - 1);
      rotFlags(cf, ((h >>> 31) ^ (h >>> 30)) & 1);
      break;
    }
    case 5: // shr
      r = shrP(lo, hi, c);
      h = ph;
      cf = bitP(lo, hi, c - 1);
      shiftFlags((r | h) === 0, h >>> 31, r, cf, c === 1 ? hi >>> 31 : 0);
      break;
    case 7: // sar
      r = sarP(lo, hi, c);
      h = ph;
      cf = bitP(lo, hi, c - 1);
      shiftFlags((r | h) === 0, h >>> 31, r, cf, 0);
      break;
    default: // shl, sal
      r = shlP(lo, hi, c);
      h = ph;
      cf = bitP(lo, hi, 64 - c);
      shiftFlags((r | h) === 0, h >>> 31, r, cf, (h >>> 31) ^ cf);
      break;
  }
  ph = h;
  return r;
}

/**
 * A masked count of 0 still writes a 32-bit register destination back, which clears bits 63:32 in
 * 64-bit mode (observed on hardware; the SDM only says flags are unaffected).
 */
function zeroExtend(cpu: Cpu, i: Insn, loc: number, size: number): void {
  if (size === 32 && loc === IN_REG) cpu.hi[rmOf(i)] = 0;
}

/** Count operand of a group-2 opcode: C0/C1 imm8, D0/D1 1, D2/D3 CL. */
function countOf(cpu: Cpu, i: Insn): number {
  const o = i.opcode;
  return o < 0xd0 ? i.imm : o < 0xd2 ? 1 : cpu.lo[1];
}

function grp2(cpu: Cpu, i: Insn, size: number): void {
  const loc = locE(cpu, i);
  const a = readAt(cpu, i, loc, size);
  const c = countOf(cpu, i) & 31;
  if (c === 0) {
    zeroExtend(cpu, i, loc, size);
    return;
  }
  const f = cpu.flags;
  writeAt(cpu, i, loc, size, shift(f, i.reg, size, a, c));
  commit(f);
}

function grp2q(cpu: Cpu, i: Insn): void {
  const loc = locE(cpu, i);
  const lo = readAt(cpu, i, loc, 64);
  const hi = cpu.th;
  const c = countOf(cpu, i) & 63;
  if (c === 0) return;
  const f = cpu.flags;
  const r = shift64(f, i.reg, lo, hi, c);
  writeAt(cpu, i, loc, 64, r, ph);
  commit(f);
}

const hGrp2b = (cpu: Cpu, i: Insn): void => grp2(cpu, i, 8);
const hGrp2v = (cpu: Cpu, i: Insn): void => grp2(cpu, i, i.opsize);

/** Register forms of the common 32-bit shifts without the location indirection. */
const hGrp2vReg = (cpu: Cpu, i: Insn): void => {
  const c = countOf(cpu, i) & 31;
  const n = rmOf(i);
  const size = i.opsize;
  if (c === 0) {
    if (size === 32) cpu.hi[n] = 0;
    return;
  }
  cpu.setReg(n, size, false, shift(cpu.flags, i.reg, size, cpu.getReg(n, size, false), c));
  commit(cpu.flags);
};

const NAMES = ["rol", "ror", "rcl", "rcr", "shl", "shr", "sal", "sar"];
for (let reg = 0; reg < 8; reg++) {
  const name = NAMES[reg];
  for (const opcode of [0xc0, 0xd0, 0xd2]) {
    define({ map: 0, opcode, reg, name, h: hGrp2b });
    define(
      { map: 0, opcode: opcode + 1, reg, name, h: hGrp2v },
      { map: 0, opcode: opcode + 1, reg, form: "reg", name, h: hGrp2vReg },
      { map: 0, opcode: opcode + 1, reg, w: 1, name, h: grp2q },
    );
  }
}

// ---------------------------------------------------------------- shld / shrd

/** shld (left) or shrd of dest `a` with source `b`, 16/32 bits, masked count c in 1..31. */
function dshift(left: boolean, size: number, a: number, b: number, c: number): number {
  let r: number;
  let cf: number;
  let of: number;
  if (size === 32) {
    if (left) {
      r = (a << c) | (b >>> (32 - c));
      cf = (a >>> (32 - c)) & 1;
      of = (r >>> 31) ^ cf;
    } else {
      r = (a >>> c) | (b << (32 - c));
      cf = (a >>> (c - 1)) & 1;
      of = ((r >>> 31) ^ (r >>> 30)) & 1;
    }
    shiftFlags(r === 0, r >>> 31, r, cf, of);
    return r;
  }
  if (c <= 16) {
    if (left) {
      r = (((a << 16) | b) << c) >>> 16;
      cf = (a >>> (16 - c)) & 1;
      // A 16-bit count of exactly 16 gives OF = CF on the reference hardware.
      of = c < 16 ? ((r >>> 15) & 1) ^ cf : cf;
    } else {
      r = (((b << 16) | a) >>> c) & 0xffff;
      cf = (a >>> (c - 1)) & 1;
      of = ((r >>> 15) ^ (r >>> 14)) & 1;
    }
  } else {
    // Undefined in the SDM; the reference hardware rotates the source by c - 16.
    const k = c - 16;
    cf = 0;
    if (left) {
      r = ((b << k) | (b >>> (16 - k))) & 0xffff;
      of = 0;
    } else {
      r = ((b >>> k) | (b << (16 - k))) & 0xffff;
      of = ((r >>> 15) ^ (r >>> 14)) & 1;
    }
  }
  r &= 0xffff;
  shiftFlags(r === 0, r >>> 15, r, cf, of);
  return r;
}

function dshift64(left: boolean, lo: number, hi: number, blo: number, bhi: number, c: number): number {
  let r: number;
  let h: number;
  let cf: number;
  let of: number;
  if (left) {
    r = shlP(lo, hi, c);
    h = ph;
    r |= shrP(blo, bhi, 64 - c);
    h |= ph;
    cf = bitP(lo, hi, 64 - c);
    of = (h >>> 31) ^ cf;
  } else {
    r = shrP(lo, hi, c);
    h = ph;
    r |= shlP(blo, bhi, 64 - c);
    h |= ph;
    cf = bitP(lo, hi, c - 1);
    of = ((h >>> 31) ^ (h >>> 30)) & 1;
  }
  shiftFlags((r | h) === 0, h >>> 31, r, cf, of);
  ph = h;
  return r;
}

/** 0F A4/AC take imm8, 0F A5/AD take CL. */
function dcount(cpu: Cpu, i: Insn): number {
  return (i.opcode & 1) === 0 ? i.imm : cpu.lo[1];
}

function shd(cpu: Cpu, i: Insn): void {
  const size = i.opsize;
  const loc = locE(cpu, i);
  const a = readAt(cpu, i, loc, size);
  const c = dcount(cpu, i) & 31;
  if (c === 0) {
    zeroExtend(cpu, i, loc, size);
    return;
  }
  const b = cpu.getReg(regOf(i), size, false);
  writeAt(cpu, i, loc, size, dshift(i.opcode < 0xa8, size, a, b, c));
  commit(cpu.flags);
}

function shdq(cpu: Cpu, i: Insn): void {
  const loc = locE(cpu, i);
  const lo = readAt(cpu, i, loc, 64);
  const hi = cpu.th;
  const c = dcount(cpu, i) & 63;
  if (c === 0) return;
  const g = regOf(i);
  const r = dshift64(i.opcode < 0xa8, lo, hi, cpu.lo[g], cpu.hi[g], c);
  writeAt(cpu, i, loc, 64, r, ph);
  commit(cpu.flags);
}

for (const opcode of [0xa4, 0xa5, 0xac, 0xad]) {
  const name = opcode < 0xa8 ? "shld" : "shrd";
  define({ map: 1, opcode, name, h: shd }, { map: 1, opcode, w: 1, name, h: shdq });
}
