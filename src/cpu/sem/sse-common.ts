/**
 * Shared by the SSE/SSE2/MMX families: scratch vectors, XMM/MMX operand access and the 16-byte alignment
 * rule. Operands are copied into the module-level scratch vectors (no allocation per execution), the
 * operation computes into `R`, and the handler commits `R` after every access that can fault.
 */
import type { Cpu } from "../cpu";
import { X } from "../fpu";
import type { Insn } from "../decoder/insn";
import { regOf, rmOf } from "./operands";

/** Scratch vectors: A = first source (the destination register), B = second source, R = result. */
export const A = new Int32Array(4);
export const B = new Int32Array(4);
export const R = new Int32Array(4);
export const A8 = new Uint8Array(A.buffer);
export const B8 = new Uint8Array(B.buffer);
export const R8 = new Uint8Array(R.buffer);
export const AS8 = new Int8Array(A.buffer);
export const BS8 = new Int8Array(B.buffer);
export const RS8 = new Int8Array(R.buffer);
export const RC8 = new Uint8ClampedArray(R.buffer);
export const A16 = new Uint16Array(A.buffer);
export const B16 = new Uint16Array(B.buffer);
export const R16 = new Uint16Array(R.buffer);
export const AS16 = new Int16Array(A.buffer);
export const BS16 = new Int16Array(B.buffer);
export const RS16 = new Int16Array(R.buffer);
export const AF = new Float32Array(A.buffer);
export const BF = new Float32Array(B.buffer);
export const RF = new Float32Array(R.buffer);
export const AD = new Float64Array(A.buffer);
export const BD = new Float64Array(B.buffer);
export const RD = new Float64Array(R.buffer);

/** #GP(0) unless `a` is 16-byte aligned (legacy SSE m128 operands, fxsave/fxrstor). */
export function align16(cpu: Cpu, a: number): void {
  // `a & 15` keeps the low bits of addresses above 2^32 too (ToInt32 is modulo 2^32).
  if ((a & 15) !== 0) cpu.fault("GP", { errorCode: 0 });
}

/** Read 16 bytes at `a` into `dst`. */
export function rd128(cpu: Cpu, a: number, dst: Int32Array): void {
  const l0 = cpu.rd64(a);
  const h0 = cpu.th;
  const l1 = cpu.rd64(a + 8);
  dst[3] = cpu.th;
  dst[2] = l1;
  dst[1] = h0;
  dst[0] = l0;
}

/** Write 16 bytes from `src` at `a`, all or nothing. */
export function wr128(cpu: Cpu, a: number, s0: number, s1: number, s2: number, s3: number): void {
  if ((a & 0xfff) > 0xff0) cpu.probeWrite(a, 16);
  cpu.wr64(a, s0, s1);
  cpu.wr64(a + 8, s2, s3);
}

/** XMM register or m128 (aligned when `aligned`) of the ModRM r/m operand into `dst`. */
export function rdXmmE(cpu: Cpu, i: Insn, dst: Int32Array, aligned: boolean): void {
  if (i.mod === 3) {
    const x = cpu.xmm;
    const r = rmOf(i) << 2;
    dst[0] = x[r];
    dst[1] = x[r + 1];
    dst[2] = x[r + 2];
    dst[3] = x[r + 3];
    return;
  }
  const a = cpu.ea(i);
  if (aligned) align16(cpu, a);
  rd128(cpu, a, dst);
}

/** Low 64 bits of the XMM register or m64 into dst[0..1]. */
export function rdXmmE64(cpu: Cpu, i: Insn, dst: Int32Array): void {
  if (i.mod === 3) {
    const r = rmOf(i) << 2;
    dst[0] = cpu.xmm[r];
    dst[1] = cpu.xmm[r + 1];
    return;
  }
  dst[0] = cpu.rd64(cpu.ea(i));
  dst[1] = cpu.th;
}

/** Low 32 bits of the XMM register or m32 into dst[0]. */
export function rdXmmE32(cpu: Cpu, i: Insn, dst: Int32Array): void {
  dst[0] = i.mod === 3 ? cpu.xmm[rmOf(i) << 2] : cpu.rd32(cpu.ea(i));
}

/** The ModRM.reg XMM register into `dst`. */
export function rdXmmG(cpu: Cpu, i: Insn, dst: Int32Array): void {
  const x = cpu.xmm;
  const r = regOf(i) << 2;
  dst[0] = x[r];
  dst[1] = x[r + 1];
  dst[2] = x[r + 2];
  dst[3] = x[r + 3];
}

/** Write `src` to the ModRM.reg XMM register. */
export function wrXmmG(cpu: Cpu, i: Insn, src: Int32Array): void {
  const x = cpu.xmm;
  const r = regOf(i) << 2;
  x[r] = src[0];
  x[r + 1] = src[1];
  x[r + 2] = src[2];
  x[r + 3] = src[3];
}

// ---------------------------------------------------------------- MMX

/** MMX register number of ModRM.reg: REX.R does not extend MMX registers (SDM Vol. 2 2.2.1.2). */
export function mmReg(i: Insn): number {
  return i.reg & 7;
}

/** MMX register number of ModRM.rm (REX.B ignored). */
export function mmRm(i: Insn): number {
  return i.rm & 7;
}

/**
 * MMr into dst[o..o+1]: the 64-bit mantissa of physical x87 register r. The Fpu keeps it in `mmx` when
 * MMX wrote the register last or the x87 holds an exact 80-bit image; otherwise it comes from the double.
 */
export function rdMm(cpu: Cpu, r: number, dst: Int32Array, o = 0): void {
  const f = cpu.fpu;
  if ((((f.mmxOwned | f.x80) >> r) & 1) !== 0) {
    dst[o] = f.mmx[r << 1];
    dst[o + 1] = f.mmx[(r << 1) + 1];
    return;
  }
  f.getReg80(r);
  dst[o] = X.lo;
  dst[o + 1] = X.hi;
}

/** MMX register or m64 of the ModRM r/m operand into dst[0..1]. */
export function rdMmE(cpu: Cpu, i: Insn, dst: Int32Array): void {
  if (i.mod === 3) {
    rdMm(cpu, i.rm & 7, dst);
    return;
  }
  dst[0] = cpu.rd64(cpu.ea(i));
  dst[1] = cpu.th;
}

/** Write MMi (lo, hi) with the x87 side effects of an MMX instruction (exponent all ones, MMX state). */
export function wrMm(cpu: Cpu, r: number, lo: number, hi: number): void {
  const f = cpu.fpu;
  f.mmx[r << 1] = lo;
  f.mmx[(r << 1) + 1] = hi;
  f.mmxOwned |= 1 << r;
  f.enterMmx();
}
