/**
 * A tiny machine for semantic tests: a FlatBus with code, data and stack regions, a CPU in 32- or 64-bit
 * mode, and helpers to read/write 64-bit registers as bigints.
 */
import { Cpu, FlatBus, type StopReason } from "../src/cpu/index";

export const CODE = 0x401000;
export const CODE2 = 0x402000;
export const DATA = 0x500000;
export const STACK_TOP = 0x700000;
export const STACK_SIZE = 0x10000;

export interface Machine {
  cpu: Cpu;
  bus: FlatBus;
}

export function bytes(hex: string): Uint8Array {
  const h = hex.replace(/\s+/g, "");
  return Uint8Array.from(h.match(/../g) ?? [], (x) => parseInt(x, 16));
}

/** A machine in `bits` mode with `code` at CODE, RSP = STACK_TOP - 0x100, everything else zero. */
export function machine(bits: 32 | 64, code: string | Uint8Array = ""): Machine {
  const bus = new FlatBus();
  bus.map(CODE, 0x2000);
  bus.map(DATA, 0x10000);
  bus.map(STACK_TOP - STACK_SIZE, STACK_SIZE);
  const cpu = new Cpu(bus);
  cpu.setMode(bits);
  const b = typeof code === "string" ? bytes(code) : code;
  if (b.length) bus.writeBytes(CODE, b);
  cpu.rip = CODE;
  cpu.lo[4] = STACK_TOP - 0x100;
  return { cpu, bus };
}

export function setR(cpu: Cpu, r: number, v: bigint | number): void {
  const x = BigInt.asUintN(64, BigInt(v));
  cpu.lo[r] = Number(x & 0xffffffffn) | 0;
  cpu.hi[r] = Number(x >> 32n) | 0;
}

export function getR(cpu: Cpu, r: number): bigint {
  return (BigInt(cpu.hi[r] >>> 0) << 32n) | BigInt(cpu.lo[r] >>> 0);
}

/** Execute `n` instructions one at a time; throws on anything but a normal step. */
export function steps(cpu: Cpu, n = 1): void {
  for (let k = 0; k < n; k++) {
    const s = cpu.step();
    if (s.kind !== "step") throw new Error(`step ${k}: stopped with ${JSON.stringify(s)}`);
  }
}

/** Run until a breakpoint at `addr` (or another stop). */
export function runTo(cpu: Cpu, addr: number, budget = 1_000_000): StopReason {
  cpu.breakpoints.add(addr);
  cpu.blocks.flush();
  try {
    return cpu.run(budget);
  } finally {
    cpu.breakpoints.delete(addr);
    cpu.blocks.flush();
  }
}

export function le32(v: number): string {
  const x = v >>> 0;
  return [0, 8, 16, 24].map((s) => ((x >>> s) & 0xff).toString(16).padStart(2, "0")).join("");
}

export function le16(v: number): string {
  return [0, 8].map((s) => ((v >>> s) & 0xff).toString(16).padStart(2, "0")).join("");
}

export function le64(v: bigint): string {
  let s = "";
  for (let k = 0n; k < 64n; k += 8n) s += ((v >> k) & 0xffn).toString(16).padStart(2, "0");
  return s;
}

export function rd32(bus: FlatBus, a: number): number {
  const b = bus.readBytes(a, 4);
  return (b[0] | (b[1] << 8) | (b[2] << 16) | (b[3] << 24)) >>> 0;
}

export function rd64(bus: FlatBus, a: number): bigint {
  return (BigInt(rd32(bus, a + 4)) << 32n) | BigInt(rd32(bus, a));
}
