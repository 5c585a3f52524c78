/**
 * Data movement: mov (all forms incl. moffs and segment registers), movzx/movsx/movsxd, lea, xchg,
 * cmpxchg/xadd/cmpxchg8b/cmpxchg16b, cmovcc, setcc, cbw/cwd families, lahf/sahf, xlat and the NOP forms.
 */
import type { Cpu } from "../cpu";
import { SReg } from "../cpu";
import { define } from "../dispatch";
import { NO_REG, RIP_BASE, type Insn } from "../decoder/insn";
import { FOp, ZF, SF, AF, PF, CF } from "../flags";
import { IN_REG, locE, readAt, readE, readG, regOf, rmOf, simm, writeAt, writeE, writeG } from "./operands";

const TWO32 = 4294967296;

// ---------------------------------------------------------------- mov

/** 88 mov Eb, Gb / 8A mov Gb, Eb. */
function movEbGb(cpu: Cpu, i: Insn): void {
  writeE(cpu, i, 8, readG(cpu, i, 8));
}
function movGbEb(cpu: Cpu, i: Insn): void {
  writeG(cpu, i, 8, readE(cpu, i, 8));
}

/** 89 mov Ev, Gv, register form. */
function movEvGvReg(cpu: Cpu, i: Insn): void {
  const s = regOf(i);
  const d = rmOf(i);
  const lo = cpu.lo;
  switch (i.opsize) {
    case 32:
      lo[d] = lo[s];
      cpu.hi[d] = 0;
      return;
    case 64:
      lo[d] = lo[s];
      cpu.hi[d] = cpu.hi[s];
      return;
    default:
      lo[d] = (lo[d] & ~0xffff) | (lo[s] & 0xffff);
  }
}

/** 8B mov Gv, Ev, register form. */
function movGvEvReg(cpu: Cpu, i: Insn): void {
  const s = rmOf(i);
  const d = regOf(i);
  const lo = cpu.lo;
  switch (i.opsize) {
    case 32:
      lo[d] = lo[s];
      cpu.hi[d] = 0;
      return;
    case 64:
      lo[d] = lo[s];
      cpu.hi[d] = cpu.hi[s];
      return;
    default:
      lo[d] = (lo[d] & ~0xffff) | (lo[s] & 0xffff);
  }
}

/** 89 mov Ev, Gv, memory form. */
function movEvGvMem(cpu: Cpu, i: Insn): void {
  const s = regOf(i);
  const a = cpu.ea(i);
  switch (i.opsize) {
    case 32:
      cpu.wr32(a, cpu.lo[s]);
      return;
    case 64:
      cpu.wr64(a, cpu.lo[s], cpu.hi[s]);
      return;
    default:
      cpu.wr16(a, cpu.lo[s]);
  }
}

/** 8B mov Gv, Ev, memory form. */
function movGvEvMem(cpu: Cpu, i: Insn): void {
  const d = regOf(i);
  const a = cpu.ea(i);
  switch (i.opsize) {
    case 32:
      cpu.lo[d] = cpu.rd32(a);
      cpu.hi[d] = 0;
      return;
    case 64: {
      const v = cpu.rd64(a);
      cpu.lo[d] = v;
      cpu.hi[d] = cpu.th;
      return;
    }
    default:
      cpu.lo[d] = (cpu.lo[d] & ~0xffff) | cpu.rd16(a);
  }
}

/** C6 /0 mov Eb, Ib. */
function movEbIb(cpu: Cpu, i: Insn): void {
  writeE(cpu, i, 8, i.imm);
}

/** C7 /0 mov Ev, Iz (imm32 sign-extended to 64 bits with REX.W). */
function movEvIz(cpu: Cpu, i: Insn): void {
  const v = simm(i);
  writeE(cpu, i, i.opsize, v, v >> 31);
}

/** B0+r mov r8, imm8. */
function movZbIb(cpu: Cpu, i: Insn): void {
  cpu.setReg((i.opcode & 7) | (i.b << 3), 8, i.rex !== 0, i.imm);
}

/** B8+r mov r16/32, imm16/32; with REX.W mov r64, imm64. */
function movZvIv(cpu: Cpu, i: Insn): void {
  const r = (i.opcode & 7) | (i.b << 3);
  switch (i.opsize) {
    case 32:
      cpu.lo[r] = i.imm;
      cpu.hi[r] = 0;
      return;
    case 64:
      cpu.lo[r] = i.imm;
      // The decoder gives the full imm64 (immSize 8); be robust to a sign-extended imm32.
      cpu.hi[r] = i.immSize === 8 ? i.immHi : i.imm >> 31;
      return;
    default:
      cpu.lo[r] = (cpu.lo[r] & ~0xffff) | (i.imm & 0xffff);
  }
}

/** A0 mov al, moffs8 / A1 mov rAX, moffs / A2 mov moffs8, al / A3 mov moffs, rAX (SDM Vol. 2B MOV). */
function movAlOb(cpu: Cpu, i: Insn): void {
  const v = cpu.rd8(cpu.ea(i));
  cpu.lo[0] = (cpu.lo[0] & ~0xff) | v;
}
function movAxOv(cpu: Cpu, i: Insn): void {
  const a = cpu.ea(i);
  const lo = cpu.lo;
  switch (i.opsize) {
    case 32:
      lo[0] = cpu.rd32(a);
      cpu.hi[0] = 0;
      return;
    case 64: {
      const v = cpu.rd64(a);
      lo[0] = v;
      cpu.hi[0] = cpu.th;
      return;
    }
    default:
      lo[0] = (lo[0] & ~0xffff) | cpu.rd16(a);
  }
}
function movObAl(cpu: Cpu, i: Insn): void {
  cpu.wr8(cpu.ea(i), cpu.lo[0]);
}
function movOvAx(cpu: Cpu, i: Insn): void {
  const a = cpu.ea(i);
  switch (i.opsize) {
    case 32:
      cpu.wr32(a, cpu.lo[0]);
      return;
    case 64:
      cpu.wr64(a, cpu.lo[0], cpu.hi[0]);
      return;
    default:
      cpu.wr16(a, cpu.lo[0]);
  }
}

/**
 * 8C mov Ev, Sw. A register destination with 32/64-bit operand size receives the selector zero-extended
 * (SDM Vol. 2B MOV: "the high-order 16 bits of the register are cleared" on P6 and later); a memory
 * destination is always written as 16 bits.
 */
function movEvSw(cpu: Cpu, i: Insn): void {
  if (i.reg > 5) cpu.fault("UD");
  const v = cpu.sreg[i.reg];
  if (i.mod === 3) cpu.setReg(rmOf(i), i.opsize === 16 ? 16 : 32, false, v);
  else cpu.wr16(cpu.ea(i), v);
}

/** 8E mov Sw, Ew: loading CS is #UD (SDM Vol. 2B MOV). */
function movSwEw(cpu: Cpu, i: Insn): void {
  if (i.reg === SReg.CS || i.reg > 5) cpu.fault("UD");
  const v = readE(cpu, i, 16);
  cpu.loadSeg(i.reg, v);
}

// ---------------------------------------------------------------- movzx / movsx / movsxd

/** 0F B6 movzx Gv, Eb. */
function movzxB(cpu: Cpu, i: Insn): void {
  const v = readE(cpu, i, 8);
  writeG(cpu, i, i.opsize, v, 0);
}
/** 0F B7 movzx Gv, Ew. */
function movzxW(cpu: Cpu, i: Insn): void {
  const v = readE(cpu, i, 16);
  writeG(cpu, i, i.opsize, v, 0);
}
/** 0F BE movsx Gv, Eb. */
function movsxB(cpu: Cpu, i: Insn): void {
  const v = (readE(cpu, i, 8) << 24) >> 24;
  writeG(cpu, i, i.opsize, v, v >> 31);
}
/** 0F BF movsx Gv, Ew. */
function movsxW(cpu: Cpu, i: Insn): void {
  const v = (readE(cpu, i, 16) << 16) >> 16;
  writeG(cpu, i, i.opsize, v, v >> 31);
}

/**
 * 63 movsxd (64-bit mode). REX.W: sign-extend r/m32 to 64 bits. Without REX.W the SDM lists
 * "MOVSXD r32, r/m32" and "66: MOVSXD r16, r/m16": plain moves of that size (the 32-bit form
 * zero-extends into the 64-bit register like every 32-bit write).
 */
function movsxd(cpu: Cpu, i: Insn): void {
  switch (i.opsize) {
    case 64: {
      const v = readE(cpu, i, 32);
      writeG(cpu, i, 64, v, v >> 31);
      return;
    }
    case 32:
      writeG(cpu, i, 32, readE(cpu, i, 32));
      return;
    default:
      writeG(cpu, i, 16, readE(cpu, i, 16));
  }
}

// ---------------------------------------------------------------- lea

/**
 * 8D lea: the effective address (offset) only, no segment base and no memory access (SDM Vol. 2A LEA).
 * With address size 64 the full 64-bit sum wraps modulo 2^64 (non-canonical results are fine);
 * the result is truncated/zero-extended to the operand size.
 */
function lea(cpu: Cpu, i: Insn): void {
  const d = regOf(i);
  if (i.adsize === 64) {
    const lo = cpu.offset64(i);
    const hi = cpu.th;
    writeLea(cpu, d, i.opsize, lo, hi);
    return;
  }
  let a = i.disp | 0;
  if (i.memBase >= 0) a = (a + (i.memBase === RIP_BASE ? (i.ip + i.len) | 0 : cpu.lo[i.memBase])) | 0;
  if (i.adsize === 32) {
    if (i.memIndex !== NO_REG) a = (a + Math.imul(cpu.lo[i.memIndex], i.memScale)) | 0;
  } else {
    if (i.memIndex !== NO_REG) a = (a + cpu.lo[i.memIndex]) | 0;
    a &= 0xffff;
  }
  writeLea(cpu, d, i.opsize, a, 0);
}

function writeLea(cpu: Cpu, d: number, opsize: number, lo: number, hi: number): void {
  switch (opsize) {
    case 64:
      cpu.lo[d] = lo;
      cpu.hi[d] = hi;
      return;
    case 32:
      cpu.lo[d] = lo;
      cpu.hi[d] = 0;
      return;
    default:
      cpu.lo[d] = (cpu.lo[d] & ~0xffff) | (lo & 0xffff);
  }
}

// ---------------------------------------------------------------- xchg

/** 86 xchg Eb, Gb / 87 xchg Ev, Gv. Memory first (may fault), then the register. */
function xchgEG(cpu: Cpu, i: Insn): void {
  const size = (i.opcode & 1) === 0 ? 8 : i.opsize;
  const loc = locE(cpu, i);
  const a = readAt(cpu, i, loc, size);
  const aHi = cpu.th;
  const b = readG(cpu, i, size);
  const bHi = cpu.th;
  writeAt(cpu, i, loc, size, b, bHi);
  writeG(cpu, i, size, a, aHi);
}

/**
 * 90+r xchg rAX, r. Opcode 90 without REX.B is NOP (also 66 90 and 48 90; F3 90 is PAUSE, a hint):
 * it does not zero-extend RAX as "xchg eax, eax" would (SDM Vol. 2B XCHG/NOP). 41 90 is xchg r8d, eax.
 */
function xchgAxZv(cpu: Cpu, i: Insn): void {
  const r = (i.opcode & 7) | (i.b << 3);
  if (r === 0) return;
  const lo = cpu.lo;
  const hi = cpu.hi;
  const a = lo[0];
  switch (i.opsize) {
    case 32:
      lo[0] = lo[r];
      lo[r] = a;
      hi[0] = 0;
      hi[r] = 0;
      return;
    case 64: {
      const ah = hi[0];
      lo[0] = lo[r];
      hi[0] = hi[r];
      lo[r] = a;
      hi[r] = ah;
      return;
    }
    default:
      lo[0] = (a & ~0xffff) | (lo[r] & 0xffff);
      lo[r] = (lo[r] & ~0xffff) | (a & 0xffff);
  }
}

// ---------------------------------------------------------------- cmpxchg / xadd

function sizeMask(size: number): number {
  return size === 8 ? 0xff : size === 16 ? 0xffff : -1;
}

/**
 * 0F B0/B1 cmpxchg Eb/Ev, Gb/Gv (SDM Vol. 2A CMPXCHG): flags as `cmp acc, dest`. Equal: dest ← src.
 * Not equal: acc ← dest, and a memory destination is written back with its own value (the processor
 * always writes, so a read-only destination faults either way). A register destination that is not
 * written keeps its upper half; RAX is zero-extended when EAX is loaded (32-bit form).
 */
function cmpxchg(cpu: Cpu, i: Insn): void {
  const size = (i.opcode & 1) === 0 ? 8 : i.opsize;
  const loc = locE(cpu, i);
  const d = readAt(cpu, i, loc, size);
  const dHi = cpu.th;
  const f = cpu.flags;
  let eq: boolean;
  if (size === 64) {
    const a = cpu.lo[0];
    const aHi = cpu.hi[0];
    const rlo = (a - d) | 0;
    const rhi = (aHi - dHi - (a >>> 0 < d >>> 0 ? 1 : 0)) | 0;
    eq = a === d && aHi === dHi;
    if (eq) {
      const s = readG(cpu, i, 64);
      writeAt(cpu, i, loc, 64, s, cpu.th);
    } else {
      if (loc !== IN_REG) cpu.wr64(loc, d, dHi);
      cpu.lo[0] = d;
      cpu.hi[0] = dHi;
    }
    f.lazy64(FOp.Sub, a, aHi, d, dHi, rlo, rhi);
    return;
  }
  const m = sizeMask(size);
  const a = cpu.lo[0] & m;
  const dd = d & m;
  eq = a === dd;
  if (eq) {
    writeAt(cpu, i, loc, size, readG(cpu, i, size));
  } else {
    if (loc !== IN_REG) writeAt(cpu, i, loc, size, d);
    cpu.setReg(0, size, false, d);
  }
  f.lazy(FOp.Sub, size, a, dd, (a - dd) & m);
}

/** 0F C0/C1 xadd Eb/Ev, Gb/Gv: TEMP ← SRC + DEST; SRC ← DEST; DEST ← TEMP (SDM Vol. 2B XADD). */
function xadd(cpu: Cpu, i: Insn): void {
  const size = (i.opcode & 1) === 0 ? 8 : i.opsize;
  const loc = locE(cpu, i);
  const d = readAt(cpu, i, loc, size);
  const dHi = cpu.th;
  const s = readG(cpu, i, size);
  const sHi = cpu.th;
  if (size === 64) {
    const t = (d >>> 0) + (s >>> 0);
    const rlo = t | 0;
    const rhi = (dHi + sHi + (t >= TWO32 ? 1 : 0)) | 0;
    if (loc === IN_REG) {
      // Same register for both operands ends up holding the sum.
      writeG(cpu, i, 64, d, dHi);
      writeAt(cpu, i, loc, 64, rlo, rhi);
    } else {
      cpu.wr64(loc, rlo, rhi);
      writeG(cpu, i, 64, d, dHi);
    }
    cpu.flags.lazy64(FOp.Add, d, dHi, s, sHi, rlo, rhi);
    return;
  }
  const m = sizeMask(size);
  const r = (d + s) & m;
  if (loc === IN_REG) {
    writeG(cpu, i, size, d);
    writeAt(cpu, i, loc, size, r);
  } else {
    writeAt(cpu, i, loc, size, r);
    writeG(cpu, i, size, d);
  }
  cpu.flags.lazy(FOp.Add, size, d & m, s & m, r);
}

/**
 * 0F C7 /1 cmpxchg8b m64 / REX.W cmpxchg16b m128 (SDM Vol. 2A CMPXCHG8B/CMPXCHG16B). Only ZF changes.
 * The destination is written in both cases (written back when unequal). cmpxchg16b needs a 16-byte
 * aligned operand, else #GP(0).
 */
function cmpxchg8b(cpu: Cpu, i: Insn): void {
  const a = cpu.ea(i);
  const lo = cpu.lo;
  const hi = cpu.hi;
  if (i.w) {
    if (a % 16 !== 0) cpu.fault("GP", { errorCode: 0 });
    const m0 = cpu.rd64(a);
    const m1 = cpu.th;
    const m2 = cpu.rd64(a + 8);
    const m3 = cpu.th;
    const eq = m0 === lo[0] && m1 === hi[0] && m2 === lo[2] && m3 === hi[2];
    if (eq) {
      cpu.probeWrite(a, 16);
      cpu.wr64(a, lo[3], hi[3]);
      cpu.wr64(a + 8, lo[1], hi[1]);
    } else {
      cpu.probeWrite(a, 16);
      cpu.wr64(a, m0, m1);
      cpu.wr64(a + 8, m2, m3);
      lo[0] = m0;
      hi[0] = m1;
      lo[2] = m2;
      hi[2] = m3;
    }
    cpu.flags.setFlags(ZF, eq ? ZF : 0);
    return;
  }
  const m0 = cpu.rd64(a);
  const m1 = cpu.th;
  const eq = m0 === lo[0] && m1 === lo[2];
  if (eq) {
    cpu.wr64(a, lo[3], lo[1]);
  } else {
    cpu.wr64(a, m0, m1);
    lo[0] = m0;
    hi[0] = 0;
    lo[2] = m1;
    hi[2] = 0;
  }
  cpu.flags.setFlags(ZF, eq ? ZF : 0);
}

// ---------------------------------------------------------------- cmovcc / setcc

/**
 * 0F 40+cc cmovcc Gv, Ev. The source is read (and may fault) whatever the condition; with 32-bit operand
 * size the destination's upper half is cleared even when the condition is false (SDM Vol. 2A CMOVcc,
 * and 3.4.1.1: 32-bit operands generate a 32-bit result zero-extended).
 */
function cmovcc(cpu: Cpu, i: Insn): void {
  const size = i.opsize;
  const v = readE(cpu, i, size);
  const vHi = cpu.th;
  const d = regOf(i);
  if (cpu.flags.cond(i.opcode & 15)) cpu.setReg(d, size, true, v, vHi);
  else if (size === 32) cpu.hi[d] = 0;
}

/** 0F 90+cc setcc Eb. */
function setcc(cpu: Cpu, i: Insn): void {
  writeE(cpu, i, 8, cpu.flags.cond(i.opcode & 15) ? 1 : 0);
}

// ---------------------------------------------------------------- cbw / cwd families

/** 98: cbw (AX ← sx AL), cwde (EAX ← sx AX), cdqe (RAX ← sx EAX). */
function cbw(cpu: Cpu, i: Insn): void {
  const lo = cpu.lo;
  switch (i.opsize) {
    case 16:
      lo[0] = (lo[0] & ~0xffff) | (((lo[0] << 24) >> 24) & 0xffff);
      return;
    case 32:
      lo[0] = (lo[0] << 16) >> 16;
      cpu.hi[0] = 0;
      return;
    default:
      cpu.hi[0] = lo[0] >> 31;
  }
}

/** 99: cwd (DX ← sign of AX), cdq (EDX ← sign of EAX), cqo (RDX ← sign of RAX). */
function cwd(cpu: Cpu, i: Insn): void {
  const lo = cpu.lo;
  switch (i.opsize) {
    case 16:
      lo[2] = (lo[2] & ~0xffff) | (((lo[0] << 16) >> 31) & 0xffff);
      return;
    case 32:
      lo[2] = lo[0] >> 31;
      cpu.hi[2] = 0;
      return;
    default: {
      const s = cpu.hi[0] >> 31;
      lo[2] = s;
      cpu.hi[2] = s;
    }
  }
}

// ---------------------------------------------------------------- lahf / sahf / xlat

/** 9F lahf: AH ← SF:ZF:0:AF:0:PF:1:CF (valid in 64-bit mode: CPUID.80000001H:ECX.LAHF-SAHF[bit 0]). */
function lahf(cpu: Cpu): void {
  const f = (cpu.flags.get() & 0xd5) | 2;
  cpu.lo[0] = (cpu.lo[0] & ~0xff00) | (f << 8);
}

/** 9E sahf: SF, ZF, AF, PF, CF ← AH. */
function sahf(cpu: Cpu): void {
  cpu.flags.setFlags(SF | ZF | AF | PF | CF, cpu.lo[0] >> 8);
}

/** D7 xlat: AL ← [seg:rBX + zero-extended AL], address-size wide (SDM Vol. 2B XLAT). */
function xlat(cpu: Cpu, i: Insn): void {
  const al = cpu.lo[0] & 0xff;
  let a: number;
  if (i.adsize === 64) {
    const s = (cpu.lo[3] >>> 0) + al;
    const hi = (cpu.hi[3] + (s >= TWO32 ? 1 : 0)) | 0;
    a = linear64(cpu, s | 0, hi, i.seg);
  } else {
    const off = i.adsize === 32 ? (cpu.lo[3] + al) >>> 0 : (cpu.lo[3] + al) & 0xffff;
    a = i.seg >= SReg.FS ? seg32(cpu, off, i.seg) : off;
  }
  cpu.lo[0] = (cpu.lo[0] & ~0xff) | cpu.rd8(a);
}

/** Linear address of a 64-bit offset (lo, hi) with an optional FS/GS override; -1 when non-canonical. */
function linear64(cpu: Cpu, lo: number, hi: number, seg: number): number {
  if (seg >= SReg.FS) {
    const b = cpu.sbase[seg];
    const s = (lo >>> 0) + (b % TWO32);
    hi = (hi + Math.floor(b / TWO32) + (s >= TWO32 ? 1 : 0)) | 0;
    lo = s | 0;
  }
  if (hi === 0) return lo >>> 0;
  const top = hi >> 15;
  if (top !== 0 && top !== -1) return -1;
  return (hi >>> 0) * TWO32 + (lo >>> 0);
}

function seg32(cpu: Cpu, off: number, seg: number): number {
  const b = cpu.sbase[seg];
  return cpu.mode64 ? off + b : (off + b) % TWO32;
}

// ---------------------------------------------------------------- nops

function nop(): void {}

// ---------------------------------------------------------------- registration

define(
  { map: 0, opcode: 0x88, name: "mov", h: movEbGb },
  { map: 0, opcode: 0x89, form: "reg", name: "mov", h: movEvGvReg },
  { map: 0, opcode: 0x89, form: "mem", name: "mov", h: movEvGvMem },
  { map: 0, opcode: 0x8a, name: "mov", h: movGbEb },
  { map: 0, opcode: 0x8b, form: "reg", name: "mov", h: movGvEvReg },
  { map: 0, opcode: 0x8b, form: "mem", name: "mov", h: movGvEvMem },
  { map: 0, opcode: 0x8c, name: "mov", h: movEvSw },
  { map: 0, opcode: 0x8e, name: "mov", h: movSwEw },
  { map: 0, opcode: 0xc6, reg: 0, name: "mov", h: movEbIb },
  { map: 0, opcode: 0xc7, reg: 0, name: "mov", h: movEvIz },
  { map: 0, opcode: 0xa0, name: "mov", h: movAlOb },
  { map: 0, opcode: 0xa1, name: "mov", h: movAxOv },
  { map: 0, opcode: 0xa2, name: "mov", h: movObAl },
  { map: 0, opcode: 0xa3, name: "mov", h: movOvAx },
  { map: 1, opcode: 0xb6, name: "movzx", h: movzxB },
  { map: 1, opcode: 0xb7, name: "movzx", h: movzxW },
  { map: 1, opcode: 0xbe, name: "movsx", h: movsxB },
  { map: 1, opcode: 0xbf, name: "movsx", h: movsxW },
  { map: 0, opcode: 0x63, bits: 64, name: "movsxd", h: movsxd },
  { map: 0, opcode: 0x8d, form: "mem", name: "lea", h: lea },
  { map: 0, opcode: 0x86, name: "xchg", h: xchgEG },
  { map: 0, opcode: 0x87, name: "xchg", h: xchgEG },
  { map: 0, opcode: 0x90, name: "nop", h: xchgAxZv },
  { map: 1, opcode: 0xb0, name: "cmpxchg", h: cmpxchg },
  { map: 1, opcode: 0xb1, name: "cmpxchg", h: cmpxchg },
  { map: 1, opcode: 0xc0, name: "xadd", h: xadd },
  { map: 1, opcode: 0xc1, name: "xadd", h: xadd },
  { map: 1, opcode: 0xc7, reg: 1, form: "mem", name: "cmpxchg8b", h: cmpxchg8b },
  { map: 0, opcode: 0x98, name: "cbw", h: cbw },
  { map: 0, opcode: 0x99, name: "cwd", h: cwd },
  { map: 0, opcode: 0x9f, name: "lahf", h: lahf },
  { map: 0, opcode: 0x9e, name: "sahf", h: sahf },
  { map: 0, opcode: 0xd7, name: "xlat", h: xlat },
  // 0F 18..1F: prefetch hints (0F 18 /0-3) and the reserved hint-NOP space incl. multi-byte NOP 0F 1F /0,
  // endbr32/64 and MPX/CET forms on a CPU without MPX/CET (SDM Vol. 2B NOP, PREFETCHh).
  // 0F 0D /r prefetchw: memory operand only; the register form is #UD (recorded on hardware).
  { map: 1, opcode: 0x0d, form: "mem", name: "prefetchw", h: nop },
);
for (let op = 0x91; op <= 0x97; op++) define({ map: 0, opcode: op, name: "xchg", h: xchgAxZv });
for (let op = 0xb0; op <= 0xb7; op++) define({ map: 0, opcode: op, name: "mov", h: movZbIb });
for (let op = 0xb8; op <= 0xbf; op++) define({ map: 0, opcode: op, name: "mov", h: movZvIv });
for (let cc = 0; cc < 16; cc++) {
  define({ map: 1, opcode: 0x40 + cc, name: "cmovcc", h: cmovcc });
  define({ map: 1, opcode: 0x90 + cc, name: "setcc", h: setcc });
}
for (let op = 0x18; op <= 0x1f; op++)
  define({ map: 1, opcode: op, name: op === 0x18 ? "prefetch" : "nop", h: nop });
