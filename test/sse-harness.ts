/** Helpers for the SSE/MMX semantic tests: run one instruction from hex bytes on a fresh CPU. */
import { Cpu, FlatBus, type StopReason } from "../src/cpu/index";

export const CODE = 0x401000;
export const DATA = 0x500000;

export interface Run {
  cpu: Cpu;
  stop: StopReason;
}

/** A fresh CPU with code and two data pages mapped (DATA .. DATA + 0x2000). */
export function newCpu(bits: 32 | 64 = 64): Cpu {
  const bus = new FlatBus();
  bus.map(CODE, 0x1000);
  bus.map(DATA, 0x2000);
  const cpu = new Cpu(bus);
  cpu.setMode(bits);
  return cpu;
}

/** Execute the instruction `hex` ("0F 58 C1") once after `setup`. */
export function exec(hex: string, setup?: (cpu: Cpu) => void, bits: 32 | 64 = 64): Run {
  const cpu = newCpu(bits);
  const bytes = Uint8Array.from(hex.trim().split(/\s+/), (b) => parseInt(b, 16));
  (cpu.bus as FlatBus).writeBytes(CODE, bytes);
  setup?.(cpu);
  cpu.rip = CODE;
  const stop = cpu.step();
  return { cpu, stop };
}

/** The fault vector of a run, or "none". */
export function fault(r: Run): string {
  return r.stop.kind === "fault" ? r.stop.fault.vector : "none";
}

export function setX(cpu: Cpu, r: number, d0: number, d1 = 0, d2 = 0, d3 = 0): void {
  cpu.xmm[4 * r] = d0;
  cpu.xmm[4 * r + 1] = d1;
  cpu.xmm[4 * r + 2] = d2;
  cpu.xmm[4 * r + 3] = d3;
}

/** XMM register as 4 unsigned dwords, low first. */
export function getX(cpu: Cpu, r: number): number[] {
  return [0, 1, 2, 3].map((k) => cpu.xmm[4 * r + k] >>> 0);
}

/** Set the low qword of xmm r from a bit pattern given as hex "3ff0000000000000" (high qword kept). */
export function setQ(cpu: Cpu, r: number, hex16: string, lane = 0): void {
  cpu.xmm[4 * r + 2 * lane] = parseInt(hex16.slice(8), 16) | 0;
  cpu.xmm[4 * r + 2 * lane + 1] = parseInt(hex16.slice(0, 8), 16) | 0;
}

/** Qword `lane` of xmm r as 16 hex digits. */
export function getQ(cpu: Cpu, r: number, lane = 0): string {
  const lo = cpu.xmm[4 * r + 2 * lane] >>> 0;
  const hi = cpu.xmm[4 * r + 2 * lane + 1] >>> 0;
  return hi.toString(16).padStart(8, "0") + lo.toString(16).padStart(8, "0");
}

const f32 = new Float32Array(1);
const i32 = new Int32Array(f32.buffer);
const f64 = new Float64Array(1);
const i64 = new Int32Array(f64.buffer);

/** Single-precision bit pattern of a value (exactly representable values only). */
export function fb(v: number): number {
  f32[0] = v;
  return i32[0] >>> 0;
}

/** Double bit pattern as 16 hex digits. */
export function db(v: number): string {
  f64[0] = v;
  return (i64[1] >>> 0).toString(16).padStart(8, "0") + (i64[0] >>> 0).toString(16).padStart(8, "0");
}

export function writeMem(cpu: Cpu, a: number, bytes: number[]): void {
  (cpu.bus as FlatBus).writeBytes(a, Uint8Array.from(bytes));
}

export function readMem(cpu: Cpu, a: number, n: number): number[] {
  return Array.from((cpu.bus as FlatBus).readBytes(a, n));
}

/** Little-endian bytes of 32-bit values. */
export function le32(...vs: number[]): number[] {
  const out: number[] = [];
  for (const v of vs) for (let k = 0; k < 4; k++) out.push((v >>> (8 * k)) & 0xff);
  return out;
}

/** Set MMr as an MMX instruction would leave it. */
export function setMm(cpu: Cpu, r: number, lo: number, hi = 0): void {
  cpu.fpu.mmx[2 * r] = lo;
  cpu.fpu.mmx[2 * r + 1] = hi;
  cpu.fpu.mmxOwned |= 1 << r;
}

/** MMr as two unsigned dwords, low first. */
export function getMm(cpu: Cpu, r: number): number[] {
  return [cpu.fpu.mmx[2 * r] >>> 0, cpu.fpu.mmx[2 * r + 1] >>> 0];
}
