/**
 * Hardware semantics vectors: every case in test/hw/vectors/*.txt was executed on a real x86-64 CPU
 * (test/hw/harness.c); here each one runs for one step on our CPU and every output is compared:
 * GPRs, the arithmetic flags and DF (minus the architecturally undefined bits in the vector's mask),
 * the 64-byte data buffer and the 512-byte second buffer, XMM registers, MXCSR, the x87 control/status
 * words and stack (or the MMX registers and the abridged tag word), the segment registers, the
 * exception, and RIP when there is no exception (instruction length, or the branch target). Format:
 * test/hw/README.md.
 *
 * HW_VECTORS=alu.64,sse.32   only these files
 * HW_VECTORS_DUMP=file       write every mismatch (not only the first 30) to file
 */
import * as assert from "node:assert/strict";
import * as fs from "node:fs";
import * as path from "node:path";
import type { Cpu } from "../src/cpu";

type CpuModule = typeof import("../src/cpu");
let cpuModule: CpuModule | undefined;
/** Loaded lazily so that a CPU that does not load yet fails these tests, not the whole mocha run. */
function loadCpu(): CpuModule {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  cpuModule ??= require("../src/cpu") as CpuModule;
  return cpuModule;
}

const CODE = 0x20010000;
/** The 64-byte data buffer straddles the boundary of the two data pages (page-crossing accesses). */
const DATA = 0x20020fe0;
const DATA_PAGES = 0x20020000;
const MEMSZ = 64;
/** The second buffer (fxsave/fnsave images): 512 bytes at the start of its own page. */
const DATA2 = 0x20030000;
const MEM2SZ = 512;
const PAGE = 4096;
/** CF PF AF ZF SF OF DF: the RFLAGS bits compared. */
const FLAG_BITS = 0x0cd5;

const G64 = [
  "rax",
  "rcx",
  "rdx",
  "rbx",
  "rsp",
  "rbp",
  "rsi",
  "rdi",
  "r8",
  "r9",
  "r10",
  "r11",
  "r12",
  "r13",
  "r14",
  "r15",
];
const G32 = ["eax", "ecx", "edx", "ebx", "esp", "ebp", "esi", "edi"];
/** Segment registers in SReg order, with the harness's values at the start of a case (fs/gs: Linux's). */
const SREGS = ["es", "cs", "ss", "ds", "fs", "gs"];
const SREG_IN = (bits: 32 | 64): number[] => [0x2b, bits === 64 ? 0x33 : 0x23, 0x2b, 0x2b, 0, 0];

const VEC_DIR = path.join(__dirname, "hw", "vectors");

interface Vector {
  file: string;
  lineNo: number;
  bits: 32 | 64;
  bytes: Uint8Array;
  hex: string;
  inp: Map<string, string>;
  out: Map<string, string>;
  mask: Map<string, string>;
  text: string;
}

interface Mismatch {
  v: Vector;
  field: string;
  expected: string;
  got: string;
}

function fields(s: string, prefix: string, where: string): Map<string, string> {
  const t = s.trim();
  if (!t.startsWith(prefix)) throw new Error(`${where}: expected '${prefix}'`);
  const m = new Map<string, string>();
  for (const tok of t.slice(prefix.length).trim().split(/\s+/)) {
    if (!tok) continue;
    const eq = tok.indexOf("=");
    if (eq <= 0) throw new Error(`${where}: bad field '${tok}'`);
    m.set(tok.slice(0, eq), tok.slice(eq + 1));
  }
  return m;
}

function parseFile(file: string): Vector[] {
  const text = fs.readFileSync(path.join(VEC_DIR, file), "utf8");
  const out: Vector[] = [];
  const lines = text.split("\n");
  for (let n = 0; n < lines.length; n++) {
    const line = lines[n];
    if (!line || line.startsWith("#")) continue;
    const where = `${file}:${n + 1}`;
    const parts = line.split(" | ");
    if (parts.length !== 5) throw new Error(`${where}: expected 5 '|'-separated parts`);
    const [bitsStr, hex] = parts[0].split(" ");
    const bits = Number(bitsStr);
    if (bits !== 32 && bits !== 64) throw new Error(`${where}: bad mode`);
    out.push({
      file,
      lineNo: n + 1,
      bits,
      bytes: Uint8Array.from(Buffer.from(hex, "hex")),
      hex,
      inp: fields(parts[1], "in:", where),
      out: fields(parts[2], "out:", where),
      mask: fields(parts[3], "mask:", where),
      text: parts[4],
    });
  }
  return out;
}

function hexToBig(s: string): bigint {
  return BigInt("0x" + s);
}

function hex(v: bigint, digits: number): string {
  return v.toString(16).padStart(digits, "0");
}

const f64buf = new DataView(new ArrayBuffer(8));
function doubleFromBits(b: bigint): number {
  f64buf.setBigUint64(0, b, true);
  return f64buf.getFloat64(0, true);
}
function bitsFromDouble(d: number): bigint {
  f64buf.setFloat64(0, d, true);
  return f64buf.getBigUint64(0, true);
}

/** x87 tag of a value: 0 valid, 1 zero, 2 special (NaN, infinity, denormal). */
function tagOf(d: number): number {
  if (d === 0) return 1;
  if (!Number.isFinite(d) || Math.abs(d) < 2.2250738585072014e-308) return 2;
  return 0;
}

/** ST(0).. as text ('-' for empty), trailing empties dropped: the vector's `st` format. */
function stText(cpu: Cpu): string {
  const f = cpu.fpu;
  const items: string[] = [];
  for (let i = 0; i < 8; i++) {
    const p = (f.top + i) & 7;
    const empty = ((f.tw >> (2 * p)) & 3) === 3;
    items.push(empty ? "-" : hex(bitsFromDouble(f.regs[p]), 16));
  }
  while (items.length && items[items.length - 1] === "-") items.pop();
  return items.length ? items.join(",") : "-";
}

/**
 * Two `st` lists equal but for values that differ by at most `ulp` units in the last place of the double
 * (same sign, both finite): the precision of the transcendental instructions is implementation-specific.
 */
function stWithin(a: string, b: string, ulp: bigint): boolean {
  const x = a.split(",");
  const y = b.split(",");
  if (x.length !== y.length) return false;
  return x.every((e, i) => {
    if (e === y[i]) return true;
    if (e === "-" || y[i] === "-") return false;
    const p = hexToBig(e);
    const q = hexToBig(y[i]);
    const finite = (z: bigint): boolean => ((z >> 52n) & 0x7ffn) !== 0x7ffn;
    if (p >> 63n !== q >> 63n || !finite(p) || !finite(q)) return false;
    const d = p > q ? p - q : q - p;
    return d <= ulp;
  });
}

/** Normalises an `st` field so that "" / "-" / "-,-" all mean an empty stack. */
function normSt(s: string): string {
  const items = s === "" ? [] : s.split(",");
  while (items.length && items[items.length - 1] === "-") items.pop();
  return items.length ? items.join(",") : "-";
}

/** A trimmed hex byte string (trailing zero bytes omitted) as `n` bytes. */
function hexBytes(s: string | undefined, n: number): Buffer {
  const b = Buffer.alloc(n);
  if (s) Buffer.from(s, "hex").copy(b);
  return b;
}

let fpuX: typeof import("../src/cpu/fpu").X | undefined;
/** MMi as 16 hex digits: the mantissa of physical x87 register i. */
function mmText(cpu: Cpu, i: number): string {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  fpuX ??= (require("../src/cpu/fpu") as typeof import("../src/cpu/fpu")).X;
  cpu.fpu.getReg80(i);
  return hex((BigInt(fpuX.hi >>> 0) << 32n) | BigInt(fpuX.lo >>> 0), 16);
}

function runVector(m: CpuModule, v: Vector, bad: Mismatch[]): void {
  const { Cpu, FlatBus } = m;
  const miss = (field: string, expected: string, got: string): void => {
    bad.push({ v, field, expected, got });
  };
  const bus = new FlatBus();
  bus.map(CODE, PAGE);
  bus.map(DATA_PAGES, 2 * PAGE);
  // The second buffer is mapped for the vectors that use it (they list m2 in `in:`); for the others an
  // access there faults, which shows as a mismatch as well.
  const useMem2 = v.inp.has("m2") || v.out.has("m2");
  if (useMem2) bus.map(DATA2, PAGE);
  bus.writeBytes(CODE, v.bytes);
  const memIn = v.inp.get("mem");
  const mem = memIn ? Uint8Array.from(Buffer.from(memIn, "hex")) : new Uint8Array(MEMSZ);
  bus.writeBytes(DATA, mem);
  const mem2 = hexBytes(v.inp.get("m2"), MEM2SZ);
  if (useMem2) bus.writeBytes(DATA2, mem2);

  const cpu = new Cpu(bus);
  cpu.setMode(v.bits);
  // the harness's segment registers (FS/GS are Linux's null selectors, bases 0 here)
  const segIn = SREG_IN(v.bits);
  for (let k = 0; k < 6; k++) {
    cpu.sreg[k] = segIn[k];
    cpu.sbase[k] = 0;
  }
  const names = v.bits === 64 ? G64 : G32;
  for (let i = 0; i < 16; i++) {
    cpu.lo[i] = 0;
    cpu.hi[i] = 0;
  }
  names.forEach((name, i) => {
    const s = v.inp.get(name);
    if (s === undefined) return;
    const x = hexToBig(s);
    cpu.lo[i] = Number(x & 0xffffffffn) | 0;
    cpu.hi[i] = Number((x >> 32n) & 0xffffffffn) | 0;
  });
  cpu.setEflags(parseInt(v.inp.get("fl") ?? "202", 16));
  cpu.xmm.fill(0);
  const nx = v.bits === 64 ? 16 : 8;
  for (let r = 0; r < nx; r++) {
    const s = v.inp.get(`x${r}`);
    if (s === undefined) continue;
    for (let d = 0; d < 4; d++) cpu.xmm[4 * r + d] = parseInt(s.slice(24 - 8 * d, 32 - 8 * d), 16) | 0;
  }
  cpu.mxcsr = parseInt(v.inp.get("mxcsr") ?? "1f80", 16);
  const fpu = cpu.fpu;
  fpu.reset();
  fpu.cw = parseInt(v.inp.get("fcw") ?? "037f", 16);
  fpu.sw = parseInt(v.inp.get("fsw") ?? "0", 16);
  const stIn = v.inp.get("st");
  const stItems = stIn ? stIn.split(",") : [];
  fpu.top = (8 - stItems.length) & 7;
  fpu.tw = 0xffff;
  stItems.forEach((it, i) => {
    const p = (fpu.top + i) & 7;
    if (it === "-") return;
    const d = doubleFromBits(hexToBig(it));
    fpu.regs[p] = d;
    fpu.tw = (fpu.tw & ~(3 << (2 * p))) | (tagOf(d) << (2 * p));
  });
  // MMX view: MMi = mantissa of physical register i with the exponent all ones (as the harness loads it)
  const mmxView = v.inp.has("ftw") || [...v.inp.keys()].some((k) => /^mm[0-7]$/.test(k));
  if (mmxView) {
    if (v.inp.has("top")) fpu.top = parseInt(v.inp.get("top") as string, 16) & 7;
    for (let r = 0; r < 8; r++) {
      const s = v.inp.get(`mm${r}`);
      if (s === undefined) continue;
      fpu.setReg80(r, parseInt(s.slice(8), 16) | 0, parseInt(s.slice(0, 8), 16) | 0, 0xffff);
    }
    if (v.inp.has("ftw")) fpu.setAbridgedTag(parseInt(v.inp.get("ftw") as string, 16));
  }
  cpu.rip = CODE;

  const stop = cpu.step();

  // exception
  const excExp = v.out.get("exc");
  const excGot = stop.kind === "fault" ? stop.fault.vector : stop.kind === "step" ? undefined : stop.kind;
  if (excExp !== excGot) {
    const detail = stop.kind === "fault" && stop.fault.detail ? ` (${stop.fault.detail})` : "";
    miss("exc", excExp ?? "none", (excGot ?? "none") + detail);
    return; // the other fields would only repeat this difference
  }
  const ripOut = v.out.get("rip");
  if (excExp === undefined && excGot === undefined) {
    const ripExp = ripOut !== undefined ? parseInt(ripOut, 16) : CODE + v.bytes.length;
    if (cpu.rip !== ripExp) miss("rip", ripExp.toString(16), cpu.rip.toString(16));
  }

  // GPRs
  const width = v.bits;
  const wmask = width === 64 ? 0xffffffffffffffffn : 0xffffffffn;
  names.forEach((name, i) => {
    const exp = hexToBig(v.out.get(name) ?? v.inp.get(name) ?? "0") & wmask;
    let got = BigInt(cpu.lo[i] >>> 0);
    if (width === 64) got |= BigInt(cpu.hi[i] >>> 0) << 32n;
    const m = hexToBig(v.mask.get(name) ?? "0");
    if ((exp & ~m) !== (got & ~m)) miss(name, hex(exp, width / 4), hex(got, width / 4));
  });

  // flags
  const flExp = parseInt(v.out.get("fl") ?? v.inp.get("fl") ?? "202", 16);
  const flGot = cpu.getEflags();
  const flMask = FLAG_BITS & ~parseInt(v.mask.get("fl") ?? "0", 16);
  if (((flExp ^ flGot) & flMask) !== 0)
    miss("fl", hex(BigInt(flExp & flMask), 3), hex(BigInt(flGot & flMask), 3));

  // memory
  const memExpS = v.out.get("mem");
  const memExp = memExpS ? Buffer.from(memExpS, "hex") : Buffer.from(mem);
  const memGot = Buffer.from(bus.readBytes(DATA, MEMSZ));
  const memMask = hexBytes(v.mask.get("mem"), MEMSZ);
  if (memExp.some((b, k) => ((b ^ memGot[k]) & ~memMask[k]) !== 0))
    miss("mem", memExp.toString("hex"), memGot.toString("hex"));
  const pages = bus.readBytes(DATA_PAGES, 2 * PAGE);
  const stray = pages.findIndex(
    (b, k) => b !== 0 && (k < DATA - DATA_PAGES || k >= DATA - DATA_PAGES + MEMSZ),
  );
  if (stray >= 0) {
    miss(
      "mem",
      "nothing written outside the buffer",
      `byte written at 0x${(DATA_PAGES + stray).toString(16)}`,
    );
  }
  if (useMem2) {
    const mem2Exp = v.out.has("m2") ? hexBytes(v.out.get("m2"), MEM2SZ) : mem2;
    const mem2Got = Buffer.from(bus.readBytes(DATA2, PAGE));
    const m2mask = hexBytes(v.mask.get("m2"), MEM2SZ);
    const diff: number[] = [];
    for (let k = 0; k < MEM2SZ; k++) if ((mem2Exp[k] ^ mem2Got[k]) & ~m2mask[k]) diff.push(k);
    if (diff.length) {
      // the differing bytes only (the images are 512 bytes)
      const at = diff
        .slice(0, 12)
        .map((k) => `+${k}`)
        .join(",");
      const b = (x: Buffer): string =>
        diff
          .slice(0, 12)
          .map((k) => hex(BigInt(x[k]), 2))
          .join(" ");
      miss(`m2 (${diff.length} bytes differ, at ${at})`, b(mem2Exp), b(mem2Got));
    }
    const stray2 = mem2Got.findIndex((b, k) => b !== 0 && k >= MEM2SZ);
    if (stray2 >= 0)
      miss("m2", "nothing written outside the buffer", `byte written at 0x${(DATA2 + stray2).toString(16)}`);
  }

  // segment registers
  for (let k = 0; k < 6; k++) {
    const e = parseInt(v.out.get(SREGS[k]) ?? segIn[k].toString(16), 16);
    if (cpu.sreg[k] !== e) miss(SREGS[k], e.toString(16), cpu.sreg[k].toString(16));
  }

  // SSE (mask: xN = bits not compared, e.g. the approximation bits of rcpps)
  for (let r = 0; r < nx; r++) {
    const e = v.out.get(`x${r}`) ?? v.inp.get(`x${r}`) ?? "0".repeat(32);
    let g = "";
    for (let d = 3; d >= 0; d--) g += (cpu.xmm[4 * r + d] >>> 0).toString(16).padStart(8, "0");
    const xm = v.mask.get(`x${r}`);
    if (xm !== undefined) {
      const mk = hexToBig(xm);
      if ((hexToBig(e) & ~mk) !== (hexToBig(g) & ~mk)) miss(`x${r}`, e, g);
    } else if (e !== g) miss(`x${r}`, e, g);
  }
  const mxExp = parseInt(v.out.get("mxcsr") ?? v.inp.get("mxcsr") ?? "1f80", 16);
  if (cpu.mxcsr >>> 0 !== mxExp) miss("mxcsr", mxExp.toString(16), (cpu.mxcsr >>> 0).toString(16));

  // x87
  const fcwExp = parseInt(v.out.get("fcw") ?? v.inp.get("fcw") ?? "037f", 16);
  if ((fpu.cw & 0xffff) !== fcwExp) miss("fcw", hex(BigInt(fcwExp), 4), hex(BigInt(fpu.cw & 0xffff), 4));
  const topIn = stItems.length ? (8 - stItems.length) & 7 : parseInt(v.inp.get("top") ?? "0", 16) & 7;
  const fswIn = (parseInt(v.inp.get("fsw") ?? "0", 16) | (topIn << 11)) & 0xffff;
  const fswExp = v.out.has("fsw") ? parseInt(v.out.get("fsw") as string, 16) : fswIn;
  const fswMask = 0xffff & ~parseInt(v.mask.get("fsw") ?? "0", 16);
  const fswGot = fpu.statusWord() & 0xffff;
  if (((fswExp ^ fswGot) & fswMask) !== 0) {
    miss("fsw", hex(BigInt(fswExp & fswMask), 4), hex(BigInt(fswGot & fswMask), 4));
  }
  if (mmxView) {
    const ftwIn = parseInt(v.inp.get("ftw") ?? "0", 16);
    const ftwExp = parseInt(v.out.get("ftw") ?? ftwIn.toString(16), 16);
    if ((fpu.abridgedTag() & 0xff) !== ftwExp)
      miss("ftw", hex(BigInt(ftwExp), 2), hex(BigInt(fpu.abridgedTag() & 0xff), 2));
    for (let r = 0; r < 8; r++) {
      const e = v.out.get(`mm${r}`) ?? v.inp.get(`mm${r}`) ?? "0".repeat(16);
      const g = mmText(cpu, r);
      if (e !== g) miss(`mm${r}`, e, g);
    }
  } else {
    const stExp = normSt(v.out.get("st") ?? stIn ?? "");
    const stGot = stText(cpu);
    const ulp = v.mask.has("stulp") ? BigInt(parseInt(v.mask.get("stulp") as string, 16)) : 0n;
    if (stExp !== stGot && !(ulp && stWithin(stExp, stGot, ulp))) miss("st", stExp, stGot);
  }
}

const PREFIXES = new Set([
  "lock",
  "rep",
  "repz",
  "repnz",
  "repe",
  "repne",
  "data16",
  "addr32",
  "bnd",
  "notrack",
]);
/** The mnemonic of objdump's text, prefixes skipped (for the per-mnemonic summary). */
function mnemonic(text: string): string {
  for (const w of text.split(" ")) {
    if (!w || PREFIXES.has(w) || w.startsWith("rex") || /^[c-gs]s$/.test(w)) continue;
    return w;
  }
  return "?";
}

function describe1(m: Mismatch): string {
  return `  ${m.v.file}:${m.v.lineNo} ${m.v.bits} ${m.v.hex} (${m.v.text}) ${m.field}: expected ${m.expected}, got ${m.got}`;
}

const only = process.env.HW_VECTORS?.split(",").map((s) => s.trim());
const files = fs
  .readdirSync(VEC_DIR)
  .filter((f) => f.endsWith(".txt"))
  .filter((f) => !only || only.includes(f.replace(/\.txt$/, "")))
  .sort();

describe("hardware semantics vectors (test/hw/vectors)", () => {
  it("has vector files", () => {
    assert.ok(files.length > 0, `no vector files in ${VEC_DIR}`);
  });

  for (const file of files) {
    it(file, () => {
      const m = loadCpu();
      const vectors = parseFile(file);
      const bad: Mismatch[] = [];
      let failedVectors = 0;
      const perMnemonic = new Map<string, number>();
      for (const v of vectors) {
        const before = bad.length;
        try {
          runVector(m, v, bad);
        } catch (e) {
          bad.push({
            v,
            field: "exception in test",
            expected: "",
            got: e instanceof Error ? e.message : String(e),
          });
        }
        if (bad.length !== before) {
          failedVectors++;
          const mn = mnemonic(v.text);
          perMnemonic.set(mn, (perMnemonic.get(mn) ?? 0) + 1);
        }
      }
      if (process.env.HW_VECTORS_DUMP && bad.length) {
        fs.appendFileSync(process.env.HW_VECTORS_DUMP, bad.map(describe1).join("\n") + "\n");
      }
      if (failedVectors) {
        const top = [...perMnemonic.entries()]
          .sort((a, b) => b[1] - a[1])
          .slice(0, 20)
          .map(([k, n]) => `${k}:${n}`)
          .join(" ");
        assert.fail(
          `${failedVectors} of ${vectors.length} vectors mismatch (${bad.length} fields) in ${file}\n` +
            `by mnemonic: ${top}\nfirst ${Math.min(30, bad.length)}:\n` +
            bad.slice(0, 30).map(describe1).join("\n"),
        );
      }
    });
  }
});
