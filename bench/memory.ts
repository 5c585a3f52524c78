/**
 * Memory benchmarks on the Windows memory manager (src/windows/memory) through the CPU:
 * - `benchMemoryThroughput`: sequential 4-byte writes and reads over 64 MB through `Cpu.wr32`/`Cpu.rd32`
 *   (the accessors every instruction uses), in MB/s; the first write pass includes demand-zero faults. The
 *   same passes on a `FlatBus` are given for reference.
 * - `benchSieveOnMemoryManager`: the sieve workload (bench/workloads, memory-bound) with its memory in an
 *   AddressSpace instead of a FlatBus, in MIPS.
 * `npm run bench` prints both (bench/run.ts).
 */
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { Cpu, FlatBus, type Bus } from "../src/cpu/index";
import {
  AddressSpace,
  MEM_COMMIT,
  MEM_RESERVE,
  MemoryManager,
  PAGE_EXECUTE_READWRITE,
  PAGE_READWRITE,
} from "../src/windows/memory/index";

export interface MemoryThroughput {
  /** Bytes per pass. */
  bytes: number;
  /** First write pass over fresh memory (every page demand-zero faults), MB/s. */
  writeColdMBps: number;
  writeMBps: number;
  readMBps: number;
  /** The same warm passes on a FlatBus, MB/s. */
  flatWriteMBps: number;
  flatReadMBps: number;
}

const MBYTE = 1024 * 1024;
const BASE = 0x10000000;

function seconds(f: () => void): number {
  const t0 = process.hrtime.bigint();
  f();
  return Number(process.hrtime.bigint() - t0) / 1e9;
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)];
}

function passes(cpu: Cpu, base: number, size: number): { write: number; read: number; check: number } {
  const end = base + size;
  const write = seconds(() => {
    for (let a = base; a < end; a += 4) cpu.wr32(a, a);
  });
  let sum = 0;
  const read = seconds(() => {
    for (let a = base; a < end; a += 4) sum = (sum + cpu.rd32(a)) | 0;
  });
  return { write, read, check: sum };
}

/** Sequential 4-byte accesses over `sizeMB` (default 64) through the CPU's accessors, median of `runs`. */
export function benchMemoryThroughput(opts: { sizeMB?: number; runs?: number } = {}): MemoryThroughput {
  const size = (opts.sizeMB ?? 64) * MBYTE;
  const runs = opts.runs ?? 3;
  const cold: number[] = [];
  const w: number[] = [];
  const r: number[] = [];
  const fw: number[] = [];
  const fr: number[] = [];
  for (let k = 0; k < runs; k++) {
    const mm = new MemoryManager({ commitLimit: 2 * size + 64 * MBYTE, residentLimit: 2 * size });
    const as = new AddressSpace(mm);
    const a = as.allocate(BASE, size, MEM_RESERVE | MEM_COMMIT, PAGE_READWRITE);
    if (a.status !== 0) throw new Error(`allocate failed: 0x${a.status.toString(16)}`);
    const cpu = new Cpu(as);
    cold.push(size / MBYTE / passes(cpu, BASE, size).write);
    const p = passes(cpu, BASE, size);
    w.push(size / MBYTE / p.write);
    r.push(size / MBYTE / p.read);
    const flat = new FlatBus();
    flat.map(BASE, size, 3);
    const fcpu = new Cpu(flat);
    passes(fcpu, BASE, size);
    const f = passes(fcpu, BASE, size);
    if (f.check !== p.check) throw new Error("checksums differ");
    fw.push(size / MBYTE / f.write);
    fr.push(size / MBYTE / f.read);
  }
  const m = (xs: number[]): number => Math.round(median(xs) * 10) / 10;
  return {
    bytes: size,
    writeColdMBps: m(cold),
    writeMBps: m(w),
    readMBps: m(r),
    flatWriteMBps: m(fw),
    flatReadMBps: m(fr),
  };
}

// The workloads' ABI (bench/README.md).
const CODE = 0x20000000;
const PARAM = 0x30000000;
const STACK_TOP = 0x10100000;
const SENTINEL = 0x0badc000;

function workloadDir(): string {
  for (const d of [join(__dirname, "workloads"), join(__dirname, "..", "bench", "workloads")]) {
    if (existsSync(join(d, "w_sieve_32.bin"))) return d;
  }
  throw new Error("bench workloads not found (bench/workloads/*.bin)");
}

export interface SieveResult {
  bits: 32 | 64;
  n: number;
  instructions: number;
  seconds: number;
  mips: number;
  /** EAX (the prime count) matches a count computed in TypeScript. */
  checksumOk: boolean;
}

function primesBelow(n: number): number {
  const s = new Uint8Array(n).fill(1);
  s[0] = s[1] = 0;
  for (let i = 2; i * i < n; i++) if (s[i]) for (let j = i * i; j < n; j += i) s[j] = 0;
  let c = 0;
  for (let i = 0; i < n; i++) c += s[i];
  return c;
}

/**
 * The sieve workload over `n` bytes (default 8 MiB, bench size M) with its code, data and stack in a
 * 64-bit or WOW64 AddressSpace. `bus: "flat"` runs it on a FlatBus instead, for comparison.
 */
export function benchSieveOnMemoryManager(
  opts: { bits?: 32 | 64; n?: number; bus?: "windows" | "flat" } = {},
): SieveResult {
  const bits = opts.bits ?? 32;
  const n = opts.n ?? 8 << 20;
  const code = readFileSync(join(workloadDir(), `w_sieve_${bits}.bin`));
  const regions: [number, number][] = [
    [CODE, 0x10000],
    [PARAM, 0x1000 + n + 0x1000],
    [STACK_TOP - 0x100000, 0x100000],
  ];
  let bus: Bus;
  let write: (addr: number, data: Uint8Array) => void;
  if (opts.bus === "flat") {
    const flat = new FlatBus();
    for (const [b, s] of regions) flat.map(b, s);
    bus = flat;
    write = (a, d) => flat.writeBytes(a, d);
  } else {
    const mm = new MemoryManager({ commitLimit: 1024 * MBYTE });
    const as = new AddressSpace(mm, { wow64: bits === 32 });
    for (const [b, s] of regions) {
      const r = as.allocate(b, s, MEM_RESERVE | MEM_COMMIT, PAGE_EXECUTE_READWRITE);
      if (r.status !== 0) throw new Error(`allocate 0x${b.toString(16)} failed: 0x${r.status.toString(16)}`);
    }
    bus = as;
    write = (a, d) => void as.write(a, d);
  }
  write(CODE, code);
  write(PARAM, new Uint8Array(new Uint32Array([n]).buffer));
  const cpu = new Cpu(bus);
  cpu.setMode(bits);
  const sp = STACK_TOP - 0x100;
  if (bits === 64) write(sp, new Uint8Array(new Float64Array([0]).buffer));
  write(sp, new Uint8Array(new Uint32Array([SENTINEL]).buffer));
  cpu.lo[4] = sp;
  cpu.rip = CODE;
  cpu.breakpoints.add(SENTINEL);
  const s = seconds(() => {
    for (;;) {
      const r = cpu.run(1e9);
      if (r.kind === "breakpoint") break;
      if (r.kind !== "budget") throw new Error(`sieve/${bits}: stopped: ${JSON.stringify(r)}`);
    }
  });
  return {
    bits,
    n,
    instructions: cpu.icount,
    seconds: Number(s.toFixed(4)),
    mips: Number((cpu.icount / s / 1e6).toFixed(1)),
    checksumOk: cpu.lo[0] >>> 0 === primesBelow(n),
  };
}
