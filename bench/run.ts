/**
 * `npm run bench`: the int / sieve / fib workloads on the CPU core, 32- and 64-bit, timing execution only.
 */
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { Cpu, FlatBus } from "../src/cpu/index";
import { jitOptions } from "../src/cpu/jit/compile";
import { benchAdapter } from "./adapter";
import { benchMemoryThroughput, benchSieveOnMemoryManager } from "./memory";

const CODE = 0x20000000;
const PARAM = 0x30000000;
const STACK_TOP = 0x10100000;
const SENTINEL = 0x0badc000;

type Workload = "int" | "sieve" | "fib";
const SIZES: Record<string, Record<Workload, number>> = {
  S: { int: 1_000_000, sieve: 1 << 20, fib: 25 },
  M: { int: 25_000_000, sieve: 8 << 20, fib: 30 },
  L: { int: 100_000_000, sieve: 64 << 20, fib: 35 },
};

/** Exact guest instruction counts (bench/workloads/icount.py). */
function count(w: Workload, n: number): number {
  if (w === "int") return 3 + 4 * n + 2;
  if (w === "fib") {
    const f = [0, 1];
    for (let i = 2; i < n + 3; i++) f.push(f[i - 1] + f[i - 2]);
    const leaves = f[n + 1];
    return 2 + 12 * (leaves - 1) + 4 * leaves + 1;
  }
  let c = 4 + 5 + 4 * Math.floor(n / 4) + 3;
  const r = Math.floor(Math.sqrt(n - 1));
  const isp = new Uint8Array(r + 1).fill(1);
  for (let i = 2; i * i <= r; i++) if (isp[i]) for (let j = i * i; j <= r; j += i) isp[j] = 0;
  for (let i = 2; i <= r; i++) {
    c += 8;
    if (isp[i]) c += 4 * Math.floor((n - i * i + i - 1) / i);
  }
  return c + 4 + 3 + 5 * n + 5;
}

/** Expected checksum (low 32 bits of EAX), computed without the emulator. */
function expected(w: Workload, n: number): number {
  if (w === "int") {
    // add rA,rC / xor rD,rA / dec rC: only the low 32 bits reach EAX.
    let a = 0;
    let d = 0;
    for (let c = n; c !== 0; c--) {
      a = (a + c) | 0;
      d ^= a;
    }
    return (a ^ d) >>> 0;
  }
  if (w === "fib") {
    let a = 0;
    let b = 1;
    for (let i = 0; i < n; i++) [a, b] = [b, (a + b) >>> 0];
    return a;
  }
  const s = new Uint8Array(n).fill(1);
  s[0] = s[1] = 0;
  for (let i = 2; i * i < n; i++) if (s[i]) for (let j = i * i; j < n; j += i) s[j] = 0;
  let primes = 0;
  for (let i = 0; i < n; i++) primes += s[i];
  return primes;
}

interface Result {
  workload: Workload;
  bits: 32 | 64;
  size: string;
  engine: string;
  instructions: number;
  seconds: number;
  mips: number;
  checksumOk: boolean;
}

/** The workload binaries: beside this file (run from source) or in bench/ (run bundled from dist/). */
function workloadDir(): string {
  for (const d of [join(__dirname, "workloads"), join(__dirname, "..", "bench", "workloads")]) {
    if (existsSync(join(d, "w_int_32.bin"))) return d;
  }
  throw new Error("bench workloads not found (bench/workloads/*.bin)");
}

/** `--clock cpu`: time by this process's user CPU time instead of wall time (for a busy machine). */
let cpuClock = false;

function runOnce(w: Workload, bits: 32 | 64, size: string, engine: string): Result {
  const n = SIZES[size][w];
  const code = readFileSync(join(workloadDir(), `w_${w}_${bits}.bin`));
  const bus = new FlatBus();
  bus.map(CODE, 0x10000);
  bus.writeBytes(CODE, code);
  bus.map(PARAM, 0x1000 + (w === "sieve" ? n : 0) + 0x1000);
  bus.writeBytes(PARAM, new Uint8Array(new Uint32Array([n]).buffer));
  bus.map(STACK_TOP - 0x100000, 0x100000);
  const cpu = new Cpu(bus);
  cpu.setMode(bits);
  jitOptions.enabled = engine === "jit";
  const sp = STACK_TOP - 0x100;
  if (bits === 64) bus.writeBytes(sp, new Uint8Array(new Float64Array([0]).buffer));
  bus.writeBytes(sp, new Uint8Array(new Uint32Array([SENTINEL]).buffer));
  cpu.lo[4] = sp;
  cpu.rip = CODE;
  cpu.breakpoints.add(SENTINEL);
  const t0 = process.hrtime.bigint();
  const c0 = process.cpuUsage();
  for (;;) {
    const r = cpu.run(1e9);
    if (r.kind === "breakpoint") break;
    if (r.kind !== "budget") throw new Error(`${w}/${bits}: stopped: ${JSON.stringify(r)}`);
  }
  const c1 = process.cpuUsage(c0);
  const seconds = cpuClock ? c1.user / 1e6 : Number(process.hrtime.bigint() - t0) / 1e9;
  const instructions = count(w, n);
  if (cpu.icount !== instructions) {
    throw new Error(`${w}/${bits}: retired ${cpu.icount} instructions, expected ${instructions}`);
  }
  return {
    workload: w,
    bits,
    size,
    engine,
    instructions,
    seconds: Number(seconds.toFixed(4)),
    mips: Number((instructions / seconds / 1e6).toFixed(1)),
    checksumOk: cpu.lo[0] >>> 0 === expected(w, n),
  };
}

function arg(name: string, def: string): string {
  const k = process.argv.indexOf(`--${name}`);
  return k > 0 && k + 1 < process.argv.length ? process.argv[k + 1] : def;
}

function main(): void {
  const size = arg("size", "M").toUpperCase();
  if (!SIZES[size]) throw new Error(`--size must be S, M or L`);
  const workloads = arg("workload", "int,sieve,fib").split(",") as Workload[];
  const bitsList = arg("bits", "32,64")
    .split(",")
    .map((b) => Number(b) as 32 | 64);
  const runs = Number(arg("runs", "3"));
  const engineArg = arg("engine", "jit");
  const engines = engineArg === "both" ? ["jit", "interp"] : [engineArg];
  const json = process.argv.includes("--json");
  cpuClock = arg("clock", "wall") === "cpu";
  const rows: Result[] = [];
  for (const engine of engines) {
    for (const w of workloads) {
      for (const bits of bitsList) {
        const rs: Result[] = [];
        for (let k = 0; k < runs; k++) {
          const r = runOnce(w, bits, size, engine);
          rs.push(r);
          if (json) console.log(JSON.stringify(r));
        }
        rs.sort((a, b) => a.mips - b.mips);
        rows.push(rs[Math.floor(rs.length / 2)]);
      }
    }
  }
  if (!json) {
    console.log(`size ${size}, median of ${runs} runs`);
    console.log("workload  bits  engine  instructions      seconds     MIPS  checksum");
    for (const r of rows) {
      console.log(
        `${r.workload.padEnd(8)}  ${String(r.bits).padStart(4)}  ${r.engine.padEnd(6)}  ${String(r.instructions).padStart(12)}  ${r.seconds.toFixed(3).padStart(11)}  ${r.mips.toFixed(1).padStart(7)}  ${r.checksumOk ? "ok" : "WRONG"}`,
      );
    }
  }
  if (!process.argv.includes("--no-memory")) benchMemory(size, json);
  if (rows.some((r) => !r.checksumOk)) process.exitCode = 1;
  if (!process.argv.includes("--no-adapter")) {
    benchAdapter(json).catch((e: unknown) => {
      console.error(e);
      process.exitCode = 1;
    });
  }
}

/**
 * The Windows memory manager through the CPU: sequential 4-byte reads and writes over 64 MB (MB/s), and
 * the memory-bound sieve workload with its memory in a Windows address space (64-bit and WOW64).
 */
function benchMemory(size: string, json: boolean): void {
  const t = benchMemoryThroughput({ sizeMB: 64, runs: 3 });
  const sieve = ([32, 64] as const).map((bits) => {
    const rs = [0, 1, 2].map(() => benchSieveOnMemoryManager({ bits, n: SIZES[size].sieve }));
    rs.sort((a, b) => a.mips - b.mips);
    return rs[1];
  });
  if (json) {
    console.log(JSON.stringify({ benchmark: "memory", ...t }));
    for (const r of sieve) console.log(JSON.stringify({ benchmark: "sieve-on-address-space", size, ...r }));
    return;
  }
  console.log(
    `\nmemory through the Bus (Windows address space, ${t.bytes / 1048576} MB, 4-byte sequential, median of 3):` +
      `\n  write ${t.writeMBps} MB/s (first touch ${t.writeColdMBps} MB/s), read ${t.readMBps} MB/s` +
      `  [FlatBus: write ${t.flatWriteMBps} MB/s, read ${t.flatReadMBps} MB/s]`,
  );
  for (const r of sieve) {
    console.log(
      `sieve on the address space, ${r.bits}-bit${r.bits === 32 ? " (WOW64)" : ""}: ${r.instructions} instructions, ` +
        `${r.seconds.toFixed(3)} s, ${r.mips.toFixed(1)} MIPS, checksum ${r.checksumOk ? "ok" : "WRONG"}`,
    );
    if (!r.checksumOk) process.exitCode = 1;
  }
}

main();
