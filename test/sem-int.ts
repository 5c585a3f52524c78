/**
 * Helpers for the integer-family semantic tests (sem.alu/shift/muldiv/bit/bcd): run one instruction from
 * hex bytes with named registers, then read registers and flags back.
 */
import type { Cpu, StopReason } from "../src/cpu/index";
import { DATA, bytes, getR, machine, setR } from "./sem-harness";

export { DATA };

const NAMES = ["rax", "rcx", "rdx", "rbx", "rsp", "rbp", "rsi", "rdi"];

/** Register index of "rax".."r15" (32-bit names "eax".. map to the same registers). */
export function regIndex(name: string): number {
  const m = /^r(\d+)$/.exec(name);
  if (m) return Number(m[1]);
  const k = NAMES.indexOf(name.length === 3 && name[0] === "e" ? "r" + name.slice(1) : name);
  if (k < 0) throw new Error(`unknown register ${name}`);
  return k;
}

export interface Result {
  cpu: Cpu;
  stop: StopReason;
  /** Full 64-bit register value. */
  r(name: string): bigint;
  /** Arithmetic flag bits as a string of the set ones, in "OSZAPC" order, e.g. "SZ-P-" style: "ZP". */
  fl: string;
  /** Byte at DATA + off. */
  m8(off: number): number;
}

/**
 * Execute the instruction `hex` once in `bits` mode. `regs` values are full 64-bit register contents;
 * `fl` is the initial EFLAGS (default 0x202); `mem` bytes are placed at DATA.
 */
export function exec(
  bits: 32 | 64,
  hex: string,
  regs: Record<string, bigint | number> = {},
  fl = 0x202,
  mem: number[] = [],
): Result {
  const { cpu, bus } = machine(bits, hex);
  for (const [k, v] of Object.entries(regs)) setR(cpu, regIndex(k), v);
  if (mem.length) bus.writeBytes(DATA, Uint8Array.from(mem));
  cpu.setEflags(fl);
  const stop = cpu.step();
  return {
    cpu,
    stop,
    r: (name) => getR(cpu, regIndex(name)),
    fl: flagString(cpu.getEflags()),
    m8: (off) => bus.readBytes(DATA + off, 1)[0],
  };
}

/** The set arithmetic flags of `v` in the order O S Z A P C, e.g. "SZP" or "" for none. */
export function flagString(v: number): string {
  const bits: [number, string][] = [
    [0x800, "O"],
    [0x80, "S"],
    [0x40, "Z"],
    [0x10, "A"],
    [0x4, "P"],
    [0x1, "C"],
  ];
  return bits
    .filter(([b]) => (v & b) !== 0)
    .map(([, n]) => n)
    .join("");
}

/** EFLAGS with the named arithmetic flags set (plus the reserved bit 1 and IF). */
export function flagsOf(s: string): number {
  let v = 0x202;
  for (const c of s) v |= { O: 0x800, S: 0x80, Z: 0x40, A: 0x10, P: 0x4, C: 0x1 }[c] ?? 0;
  return v;
}

export { bytes };

/** `fl` without the flags the SDM leaves undefined for the instruction (letters of "OSZAPC"). */
export function defined(fl: string, undef: string): string {
  return [...fl].filter((c) => !undef.includes(c)).join("");
}
