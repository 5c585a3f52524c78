/**
 * Stack instructions: push/pop of registers, immediates, r/m and segment registers, pushf/popf,
 * pusha/popa. Also the explicit-width stack helpers the control-transfer family uses (far transfers
 * switch modes, so they cannot rely on `Cpu.push`, which follows the current mode).
 *
 * Operand sizes (SDM Vol. 1 3.6 and Vol. 2 PUSH/POP): in 64-bit mode stack operations are 64-bit by
 * default and 66 selects 16 bits (32 is not encodable); in 32-bit mode 32 or 16 (66). The stack
 * address size is 64 in 64-bit mode and 32 (SS.B = 1, flat) in compatibility mode.
 */
import { addr64, SReg, type Cpu } from "../cpu";
import { define } from "../dispatch";
import type { Insn } from "../decoder/insn";
import { RF, TF, USER_WRITABLE, VM } from "../flags";
import { IN_REG, readE, simm, writeAt } from "./operands";

const TWO32 = 4294967296;

// ---------------------------------------------------------------- helpers (also used by control.ts)

/** Stack operand size of a push/pop-like instruction: 64-bit mode: 64 or 16 (66); else 32 or 16. */
export function stackSize(cpu: Cpu, i: Insn): number {
  if (cpu.mode64) return i.opsize === 16 ? 16 : 64;
  return i.opsize === 16 ? 16 : 32;
}

/**
 * A 64-bit stack address from a register pair (RSP, RBP): a non-canonical one is #SS(0), not #GP — stack
 * references go through SS (SDM Vol. 3A 6.15 "Interrupt 12"; verified on hardware for ret, push, leave).
 */
export function stackAddr64(cpu: Cpu, lo: number, hi: number): number {
  const a = addr64(lo, hi);
  if (a < 0) cpu.fault("SS", { errorCode: 0 });
  return a;
}

/** Current stack pointer as a linear address in the stack width of mode `m64`. */
export function spLinear(cpu: Cpu, m64: boolean): number {
  return m64 ? stackAddr64(cpu, cpu.lo[4], cpu.hi[4]) : cpu.lo[4] >>> 0;
}

/** Stack address `n` bytes above (n > 0) or below (n < 0) stack address `a`, wrapping like the stack. */
export function spOff(a: number, n: number, m64: boolean): number {
  return m64 ? a + n : (a + n) >>> 0;
}

/** Set RSP (64-bit stack) or ESP (32-bit stack, upper half cleared) to the stack address `a`. */
export function setSp(cpu: Cpu, m64: boolean, a: number): void {
  cpu.lo[4] = a | 0;
  cpu.hi[4] = m64 ? Math.floor(a / TWO32) | 0 : 0;
}

/** Write a stack slot of `size` bits (64 takes hi). */
export function writeSlot(cpu: Cpu, a: number, size: number, lo: number, hi: number): void {
  if (size === 64) cpu.wr64(a, lo, hi);
  else if (size === 32) cpu.wr32(a, lo);
  else cpu.wr16(a, lo);
}

/** Read a stack slot of `size` bits; 64 leaves hi in `cpu.th`, smaller sizes set th = 0. */
export function readSlot(cpu: Cpu, a: number, size: number): number {
  if (size === 64) return cpu.rd64(a);
  cpu.th = 0;
  return size === 32 ? cpu.rd32(a) : cpu.rd16(a);
}

// ---------------------------------------------------------------- push/pop register

/** 50+r push r64 / 66: push r16 (64-bit mode). */
function pushZ64(cpu: Cpu, i: Insn): void {
  const r = (i.opcode & 7) | (i.b << 3);
  if (i.opsize === 16) cpu.push(16, cpu.lo[r]);
  else cpu.push(64, cpu.lo[r], cpu.hi[r]);
}

/** 50+r push r32 / r16 (32-bit mode). push esp pushes the value before the decrement. */
function pushZ32(cpu: Cpu, i: Insn): void {
  cpu.push(i.opsize === 16 ? 16 : 32, cpu.lo[i.opcode & 7]);
}

/** 58+r pop r64 / r16 (64-bit mode). pop rsp loads the popped value (the increment is overwritten). */
function popZ64(cpu: Cpu, i: Insn): void {
  const r = (i.opcode & 7) | (i.b << 3);
  if (i.opsize === 16) {
    const v = cpu.pop(16);
    cpu.lo[r] = (cpu.lo[r] & ~0xffff) | v;
    return;
  }
  const v = cpu.pop(64);
  cpu.lo[r] = v;
  cpu.hi[r] = cpu.th;
}

/** 58+r pop r32 / r16 (32-bit mode). pop sp merges into the incremented ESP (SDM Vol. 2B POP). */
function popZ32(cpu: Cpu, i: Insn): void {
  const r = i.opcode & 7;
  if (i.opsize === 16) {
    const v = cpu.pop(16);
    cpu.lo[r] = (cpu.lo[r] & ~0xffff) | v;
    return;
  }
  cpu.lo[r] = cpu.pop(32);
  cpu.hi[r] = 0;
}

// ---------------------------------------------------------------- push imm, push/pop r/m

/** 68 push Iz / 6A push Ib (sign-extended to the stack operand size). */
function pushImm(cpu: Cpu, i: Insn): void {
  const v = simm(i);
  cpu.push(stackSize(cpu, i), v, v >> 31);
}

/** FF /6 push Ev. The operand address uses RSP before the push. */
function pushE(cpu: Cpu, i: Insn): void {
  const size = stackSize(cpu, i);
  const v = readE(cpu, i, size);
  cpu.push(size, v, cpu.th);
}

/**
 * 8F /0 pop Ev. "If the ESP register is used as a base register for addressing a destination operand
 * in memory, the POP instruction computes the effective address of the operand after it increments the
 * ESP register" (SDM Vol. 2B POP). Precise: RSP is committed only after the store succeeded.
 */
function popE(cpu: Cpu, i: Insn): void {
  const size = stackSize(cpu, i);
  const m64 = cpu.mode64;
  const v = readSlot(cpu, spLinear(cpu, m64), size);
  const vHi = cpu.th;
  if (i.mod === 3) {
    cpu.addSp(size >> 3);
    writeAt(cpu, i, IN_REG, size, v, vHi);
    return;
  }
  const oldLo = cpu.lo[4];
  const oldHi = cpu.hi[4];
  cpu.addSp(size >> 3);
  const newLo = cpu.lo[4];
  const newHi = cpu.hi[4];
  const a = cpu.ea(i);
  cpu.lo[4] = oldLo;
  cpu.hi[4] = oldHi;
  writeAt(cpu, i, a, size, v, vHi);
  cpu.lo[4] = newLo;
  cpu.hi[4] = newHi;
}

// ---------------------------------------------------------------- segment registers

/**
 * push sreg: the selector zero-extended to the operand size. For 32-bit operand size the SDM (PUSH,
 * Operation notes) allows either a zero-extended push or a 16-bit move that leaves the upper half of the
 * slot unmodified (recent Intel cores); we write the whole slot, as the AMD Zen 4 that records our
 * hardware vectors does (test/hw: push ds/fs/gs in compatibility mode).
 */
function pushSeg(cpu: Cpu, i: Insn, seg: number): void {
  cpu.push(stackSize(cpu, i), cpu.sreg[seg], 0);
}

/** pop sreg: the selector is loaded (and may fault) before RSP moves. */
function popSeg(cpu: Cpu, i: Insn, seg: number): void {
  const size = stackSize(cpu, i);
  const v = readSlot(cpu, spLinear(cpu, cpu.mode64), size) & 0xffff;
  cpu.loadSeg(seg, v);
  cpu.addSp(size >> 3);
}

// ---------------------------------------------------------------- flags

/** 9C pushf/pushfd/pushfq: the image has VM and RF cleared (SDM Vol. 2B PUSHF). */
function pushf(cpu: Cpu, i: Insn): void {
  cpu.push(stackSize(cpu, i), cpu.flags.get() & ~(RF | VM), 0);
}

/**
 * 9D popf/popfd/popfq at CPL 3 > IOPL (SDM Vol. 2B POPF): all non-reserved bits except IF, IOPL, VIP,
 * VIF, VM and RF may change; those and the reserved bits are unaffected, except RF, which is cleared.
 * 16-bit operand size loads EFLAGS[15:0] only.
 */
function popf(cpu: Cpu, i: Insn): void {
  const size = stackSize(cpu, i);
  const v = readSlot(cpu, spLinear(cpu, cpu.mode64), size);
  cpu.addSp(size >> 3);
  if (size === 16) cpu.flags.setFlags(USER_WRITABLE & 0xffff, v);
  else cpu.flags.setFlags(USER_WRITABLE | RF, v & ~RF);
  // TF now set: the next instruction traps after it (Cpu.run single-steps it), so leave the block here.
  if (cpu.flags.bits & TF) cpu.exitBlock = true;
}

// ---------------------------------------------------------------- pusha / popa (32-bit mode)

/** 60 pusha/pushad: EAX, ECX, EDX, EBX, original ESP, EBP, ESI, EDI. All slots are checked first. */
function pusha(cpu: Cpu, i: Insn): void {
  const size = i.opsize === 16 ? 16 : 32;
  const n = size >> 3;
  const sp = cpu.lo[4] >>> 0;
  for (let k = 1; k <= 8; k++) cpu.probeWrite((sp - k * n) >>> 0, n);
  for (let r = 0; r < 8; r++) writeSlot(cpu, (sp - (r + 1) * n) >>> 0, size, cpu.lo[r], 0);
  setSp(cpu, false, (sp - 8 * n) >>> 0);
}

/** 61 popa/popad: EDI, ESI, EBP, (ESP skipped), EBX, EDX, ECX, EAX. */
function popa(cpu: Cpu, i: Insn): void {
  const size = i.opsize === 16 ? 16 : 32;
  const n = size >> 3;
  const sp = cpu.lo[4] >>> 0;
  for (let k = 0; k < 8; k++) cpu.probeRead((sp + k * n) >>> 0, n);
  for (let k = 0; k < 8; k++) {
    const r = 7 - k;
    if (r === 4) continue;
    const v = readSlot(cpu, (sp + k * n) >>> 0, size);
    if (size === 32) {
      cpu.lo[r] = v;
      cpu.hi[r] = 0;
    } else cpu.lo[r] = (cpu.lo[r] & ~0xffff) | v;
  }
  setSp(cpu, false, (sp + 8 * n) >>> 0);
}

// ---------------------------------------------------------------- registration

for (let k = 0; k < 8; k++) {
  define(
    { map: 0, opcode: 0x50 + k, bits: 64, name: "push", h: pushZ64 },
    { map: 0, opcode: 0x50 + k, bits: 32, name: "push", h: pushZ32 },
    { map: 0, opcode: 0x58 + k, bits: 64, name: "pop", h: popZ64 },
    { map: 0, opcode: 0x58 + k, bits: 32, name: "pop", h: popZ32 },
  );
}

define(
  { map: 0, opcode: 0x68, name: "push", h: pushImm },
  { map: 0, opcode: 0x6a, name: "push", h: pushImm },
  { map: 0, opcode: 0xff, reg: 6, name: "push", h: pushE },
  { map: 0, opcode: 0x8f, reg: 0, name: "pop", h: popE },
  { map: 0, opcode: 0x06, bits: 32, name: "push", h: (c, i) => pushSeg(c, i, SReg.ES) },
  { map: 0, opcode: 0x0e, bits: 32, name: "push", h: (c, i) => pushSeg(c, i, SReg.CS) },
  { map: 0, opcode: 0x16, bits: 32, name: "push", h: (c, i) => pushSeg(c, i, SReg.SS) },
  { map: 0, opcode: 0x1e, bits: 32, name: "push", h: (c, i) => pushSeg(c, i, SReg.DS) },
  { map: 1, opcode: 0xa0, name: "push", h: (c, i) => pushSeg(c, i, SReg.FS) },
  { map: 1, opcode: 0xa8, name: "push", h: (c, i) => pushSeg(c, i, SReg.GS) },
  { map: 0, opcode: 0x07, bits: 32, name: "pop", h: (c, i) => popSeg(c, i, SReg.ES) },
  { map: 0, opcode: 0x17, bits: 32, name: "pop", h: (c, i) => popSeg(c, i, SReg.SS) },
  { map: 0, opcode: 0x1f, bits: 32, name: "pop", h: (c, i) => popSeg(c, i, SReg.DS) },
  { map: 1, opcode: 0xa1, name: "pop", h: (c, i) => popSeg(c, i, SReg.FS) },
  { map: 1, opcode: 0xa9, name: "pop", h: (c, i) => popSeg(c, i, SReg.GS) },
  { map: 0, opcode: 0x9c, name: "pushf", h: pushf },
  { map: 0, opcode: 0x9d, name: "popf", h: popf },
  { map: 0, opcode: 0x60, bits: 32, name: "pusha", h: pusha },
  { map: 0, opcode: 0x61, bits: 32, name: "popa", h: popa },
);
