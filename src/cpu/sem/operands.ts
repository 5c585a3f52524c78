/**
 * Operand access shared by the semantic families. Register numbers include REX/VEX extensions;
 * 64-bit values are (lo, hi) pairs with hi in `cpu.th` on return.
 */
import type { Cpu } from "../cpu";
import type { Insn } from "../decoder/insn";

/** Location meaning "the ModRM r/m operand is a register". */
export const IN_REG = -2;

/** ModRM.reg with REX.R. */
export function regOf(i: Insn): number {
  return i.reg | (i.r << 3);
}

/** ModRM.rm with REX.B (a register number when mod = 11). */
export function rmOf(i: Insn): number {
  return i.rm | (i.b << 3);
}

/** Operand size in bits for byte-or-full-size opcodes: 8 when the opcode's low bit is 0. */
export function sizeOf(i: Insn): number {
  return (i.opcode & 1) === 0 ? 8 : i.opsize;
}

/** The first immediate sign-extended from its encoded size to int32. */
export function simm(i: Insn): number {
  switch (i.immSize) {
    case 1:
      return (i.imm << 24) >> 24;
    case 2:
      return (i.imm << 16) >> 16;
    default:
      return i.imm | 0;
  }
}

/** Where the r/m operand lives: IN_REG or the linear address. Compute once for read-modify-write. */
export function locE(cpu: Cpu, i: Insn): number {
  return i.mod === 3 ? IN_REG : cpu.ea(i);
}

/** Read the r/m operand at `loc` (from `locE`). */
export function readAt(cpu: Cpu, i: Insn, loc: number, size: number): number {
  if (loc === IN_REG) return cpu.getReg(rmOf(i), size, i.rex !== 0);
  switch (size) {
    case 8:
      return cpu.rd8(loc);
    case 16:
      return cpu.rd16(loc);
    case 32:
      return cpu.rd32(loc);
    default:
      return cpu.rd64(loc);
  }
}

/** Write the r/m operand at `loc`. 32-bit register writes zero-extend, 8/16-bit merge. */
export function writeAt(cpu: Cpu, i: Insn, loc: number, size: number, v: number, vHi = 0): void {
  if (loc === IN_REG) {
    cpu.setReg(rmOf(i), size, i.rex !== 0, v, vHi);
    return;
  }
  switch (size) {
    case 8:
      cpu.wr8(loc, v);
      return;
    case 16:
      cpu.wr16(loc, v);
      return;
    case 32:
      cpu.wr32(loc, v);
      return;
    default:
      cpu.wr64(loc, v, vHi);
  }
}

export function readE(cpu: Cpu, i: Insn, size: number): number {
  return readAt(cpu, i, locE(cpu, i), size);
}

export function writeE(cpu: Cpu, i: Insn, size: number, v: number, vHi = 0): void {
  writeAt(cpu, i, locE(cpu, i), size, v, vHi);
}

/** Read the ModRM.reg general register operand. */
export function readG(cpu: Cpu, i: Insn, size: number): number {
  return cpu.getReg(regOf(i), size, i.rex !== 0);
}

export function writeG(cpu: Cpu, i: Insn, size: number, v: number, vHi = 0): void {
  cpu.setReg(regOf(i), size, i.rex !== 0, v, vHi);
}

/** Address of the next instruction. */
export function nextIp(i: Insn): number {
  return i.ip + i.len;
}
