/**
 * The engine's contract (Cpu.run/step, the block cache, the compiled path), in 32- and 64-bit mode:
 *
 * 1. Precise faults: `run` returns `{kind: "fault"}` with `fault.rip` = the faulting instruction, the state
 *    (registers, flags, memory) is exactly the state after the instructions retired before it, and
 *    `icount` counts those instructions. Through the interpreter (a block's first executions) and compiled
 *    blocks (after JIT_THRESHOLD executions), in the middle of a block and in a compiled self-loop.
 * 2. Self-modifying code: stores into the running block, into other blocks, through an alias mapping, and
 *    external writes announced with `notifyWrite`.
 * 3. Breakpoints (`Cpu.addBreakpoint`): before the instruction, not at the start address of `run`, in
 *    already compiled blocks, inside superblocks and in self-loops.
 * 4. Budgets and stepping. The rule for `run(n)`: a block (or one iteration of a compiled self-loop) is never
 *    cut short, so `run(n)` retires r instructions with n ≤ r < n + L, where L is the length of the block
 *    (or loop iteration) during which the budget ran out — r = n exactly when n falls on a block boundary.
 * 5. Code fetch at page edges (#PF at the first missing byte, access "execute", rip = instruction start).
 * 6. The block cache is per mode.
 * 7. No JavaScript exception escapes `run`/`step` on random code, and compiled blocks agree with the
 *    interpreter on random code.
 *
 * Expected values follow the Intel SDM (Vol. 3A 6.15 exception classes, 4.7 page-fault linear address in
 * CR2; Vol. 2B SYSCALL).
 */
import { strict as assert } from "node:assert";
import "../src/cpu/sem/alu";
import "../src/cpu/sem/bcd";
import "../src/cpu/sem/bit";
import "../src/cpu/sem/control";
import "../src/cpu/sem/misc";
import "../src/cpu/sem/mmx";
import "../src/cpu/sem/move";
import "../src/cpu/sem/muldiv";
import "../src/cpu/sem/shift";
import "../src/cpu/sem/sse-convert";
import "../src/cpu/sem/sse-float";
import "../src/cpu/sem/sse-int";
import "../src/cpu/sem/sse-move";
import "../src/cpu/sem/sse-state";
import "../src/cpu/sem/stack";
import "../src/cpu/sem/string";
import "../src/cpu/sem/x87";
import {
  Access,
  Cpu,
  FlatBus,
  type AccessKind,
  type Fault,
  type FaultVector,
  type StopReason,
} from "../src/cpu/index";
import { JIT_THRESHOLD } from "../src/cpu/block";
import { Fpu } from "../src/cpu/fpu";
import { jitOptions } from "../src/cpu/jit/compile";

type Bits = 32 | 64;
const MODES: readonly Bits[] = [32, 64];
const PATHS = ["interpreted", "compiled"] as const;
type Path = (typeof PATHS)[number];

// ---------------------------------------------------------------- memory layout

/** Two RWX code pages; CODE_END is not mapped. */
const CODE = 0x401000;
const CODE_END = 0x403000;
/** An RWX page followed by a readable, writable, not executable page. */
const XPAGE = 0x410000;
const NXPAGE = 0x411000;
/** One RW data page; DATA + 0x1000 is not mapped. */
const DATA = 0x500000;
/** A read-only page. */
const RO = 0x510000;
/** One RW stack page; STACK - 1 is not mapped. */
const STACK = 0x600000;
const STACK_TOP = 0x601000;
const SP0 = STACK_TOP - 0x100;
/** Never mapped. */
const UNMAPPED = 0x700000;
/** Second linear view of the first code page (FlatBus.alias). */
const ALIAS = 0x801000;

const RW = Access.Read | Access.Write;
const RWX = RW | Access.Exec;
/** Initial EFLAGS of every scenario: IF, bit 1 and all six arithmetic flags set (so stale flags show). */
const FLAGS0 = 0xad7;

interface M {
  cpu: Cpu;
  bus: FlatBus;
  bits: Bits;
}

function machine(bits: Bits): M {
  const bus = new FlatBus();
  bus.map(CODE, 0x2000, RWX);
  bus.map(XPAGE, 0x1000, RWX);
  bus.map(NXPAGE, 0x1000, RW);
  bus.map(DATA, 0x1000, RW);
  bus.map(RO, 0x1000, Access.Read);
  bus.map(STACK, 0x1000, RW);
  const cpu = new Cpu(bus);
  cpu.setMode(bits);
  return { cpu, bus, bits };
}

/** Write code (or data) into guest memory from outside the CPU. */
function load(m: M, addr: number, code: readonly number[]): void {
  m.bus.writeBytes(addr, Uint8Array.from(code));
  m.cpu.notifyWrite(addr, code.length);
}

type Regs = Partial<Record<number, bigint | number>>;

function setR(cpu: Cpu, r: number, v: bigint | number): void {
  const x = BigInt.asUintN(64, BigInt(v));
  cpu.lo[r] = Number(x & 0xffffffffn) | 0;
  cpu.hi[r] = Number(x >> 32n) | 0;
}

function getR(cpu: Cpu, r: number): bigint {
  return (BigInt(cpu.hi[r] >>> 0) << 32n) | BigInt(cpu.lo[r] >>> 0);
}

const FILL = Uint8Array.from({ length: 0x1000 }, (_, k) => (k * 7 + 3) & 0xff);

/**
 * A deterministic start state: every GPR a distinct pattern (32 bits in 32-bit mode), RSP = SP0,
 * EFLAGS = FLAGS0, data/stack/read-only pages filled with a pattern, RIP = `rip`; then `regs` overrides.
 */
function init(m: M, regs: Regs, rip = CODE): void {
  const { cpu, bus } = m;
  for (let r = 0; r < 16; r++) {
    const lo = (0x01010101 * (r + 1)) | 0;
    cpu.lo[r] = lo;
    cpu.hi[r] = m.bits === 64 ? lo ^ 0x10000000 : 0;
  }
  setR(cpu, 4, SP0);
  for (const [r, v] of Object.entries(regs)) if (v !== undefined) setR(cpu, Number(r), v);
  cpu.setEflags(FLAGS0);
  bus.writeBytes(DATA, FILL);
  bus.writeBytes(RO, FILL);
  bus.writeBytes(STACK, FILL);
  cpu.rip = rip;
}

interface Snap {
  regs: string[];
  flags: number;
  data: Uint8Array;
  ro: Uint8Array;
  stack: Uint8Array;
}

const REG_NAMES = ["rax", "rcx", "rdx", "rbx", "rsp", "rbp", "rsi", "rdi"].concat(
  Array.from({ length: 8 }, (_, k) => `r${k + 8}`),
);

function snap(m: M): Snap {
  return {
    regs: Array.from({ length: 16 }, (_, r) => `${REG_NAMES[r]}=0x${getR(m.cpu, r).toString(16)}`),
    flags: m.cpu.getEflags(),
    data: m.bus.readBytes(DATA, 0x1000),
    ro: m.bus.readBytes(RO, 0x1000),
    stack: m.bus.readBytes(STACK, 0x1000),
  };
}

function firstDiff(a: Uint8Array, b: Uint8Array): number {
  for (let k = 0; k < a.length; k++) if (a[k] !== b[k]) return k;
  return -1;
}

/** Registers, then memory, then flags (flags last: a stale-flags bug should not hide the rest). */
function assertState(actual: Snap, expected: Snap, what: string): void {
  assert.deepEqual(actual.regs, expected.regs, `${what}: registers`);
  for (const [name, base] of [
    ["data", DATA],
    ["ro", RO],
    ["stack", STACK],
  ] as const) {
    const d = firstDiff(actual[name], expected[name]);
    assert.equal(d, -1, `${what}: memory differs at 0x${(base + d).toString(16)}`);
  }
  assert.equal(hex(actual.flags), hex(expected.flags), `${what}: EFLAGS`);
}

function hex(v: number): string {
  return `0x${v.toString(16)}`;
}

interface FaultWant {
  vector: FaultVector;
  rip: number;
  address?: number;
  access?: AccessKind;
}

function expectFault(r: StopReason, want: FaultWant, what = ""): Fault {
  if (r.kind !== "fault") assert.fail(`${what}: expected a fault, got ${JSON.stringify(r)}`);
  const f = r.fault;
  assert.equal(f.vector, want.vector, `${what}: vector (${JSON.stringify(f)})`);
  assert.equal(hex(f.rip), hex(want.rip), `${what}: fault rip`);
  if (want.address !== undefined) assert.equal(f.address, want.address, `${what}: fault address`);
  if (want.access !== undefined) assert.equal(f.access, want.access, `${what}: fault access`);
  return f;
}

/** Assert the block at `addr` (current mode) has been compiled. */
function assertCompiled(m: M, addr: number): void {
  assert.ok(m.cpu.blocks.get(addr).fn !== undefined, `block at ${hex(addr)} should be compiled by now`);
}

/** Run `n` instructions one `step` at a time. */
function steps(m: M, n: number): void {
  for (let k = 0; k < n; k++) {
    const s = m.cpu.step();
    assert.equal(s.kind, "step", `step ${k} at ${hex(m.cpu.rip)}: ${JSON.stringify(s)}`);
  }
}

const le32 = (v: number): number[] => [v & 0xff, (v >>> 8) & 0xff, (v >>> 16) & 0xff, (v >>> 24) & 0xff];

/** A 32-bit little-endian value as hex bytes ("78 56 34 12"), for rel32 fields in `asm`. */
function h32(v: number): string {
  return le32(v)
    .map((b) => b.toString(16).padStart(2, "0"))
    .join(" ");
}

/**
 * Machine code written as a listing: hex bytes, one instruction per line, each followed by `; disassembly`
 * (comments run to the end of the line). Interpolated values are inserted as text (use `h32` for rel32).
 */
function asm(parts: TemplateStringsArray, ...vals: string[]): number[] {
  const text = parts.reduce((acc, p, k) => acc + p + (k < vals.length ? vals[k] : ""), "");
  const out: number[] = [];
  for (const line of text.split("\n")) {
    for (const b of line.replace(/;.*$/, "").trim().split(/\s+/)) {
      if (b === "") continue;
      assert.match(b, /^[0-9a-f]{2}$/i, `asm: bad byte "${b}"`);
      out.push(parseInt(b, 16));
    }
  }
  return out;
}

// ================================================================ 1. precise faults

/** The faulting instruction sits after two instructions of the same block and before two more. */
const PROLOGUE = asm`
  b8 11 11 11 11  ; mov eax, 0x11111111
  01 c3           ; add ebx, eax          (ebx = 0x01020304: EFLAGS become 0x202)
`;
const EPILOGUE = asm`
  ba 22 22 22 22  ; mov edx, 0x22222222
  cc              ; int3
`;

interface FaultCase {
  name: string;
  only?: Bits;
  /** The instruction under test (same bytes in both modes unless `only`). */
  insn: number[];
  /** Registers that make it fault, and registers for warm-up runs where it does not. */
  bad: Regs;
  good: Regs;
  vector: FaultVector;
  address?: (bits: Bits) => number;
  access?: AccessKind;
}

const KERNEL = 0xffff800000000000n; // canonical, supervisor half: #PF from user mode
const NONCANON = 0x0000800000000000n; // not canonical: #GP

const FAULT_CASES: FaultCase[] = [
  {
    name: "load from an unmapped page",
    insn: [0x8b, 0x0e], // mov ecx, [rsi]
    bad: { 6: UNMAPPED },
    good: { 6: DATA + 0x100 },
    vector: "PF",
    address: () => UNMAPPED,
    access: "read",
  },
  {
    name: "load from an unmapped page above 4 GB",
    only: 64,
    insn: [0x8b, 0x0e], // mov ecx, [rsi]
    bad: { 6: 0x100000000 },
    good: { 6: DATA + 0x100 },
    vector: "PF",
    address: () => 0x100000000,
    access: "read",
  },
  {
    name: "load from a canonical kernel-half address",
    only: 64,
    insn: [0x8b, 0x0e], // mov ecx, [rsi]
    bad: { 6: KERNEL },
    good: { 6: DATA + 0x100 },
    vector: "PF",
    address: () => Number(KERNEL),
    access: "read",
  },
  {
    name: "load from a kernel-half address reached with a negative displacement",
    only: 64,
    insn: [0x8b, 0x0c, 0x75, 0x00, 0xf8, 0xff, 0xff], // mov ecx, [rsi*2 - 0x800]
    bad: { 6: 0 }, // 0xfffffffffffff800: canonical, supervisor half
    good: { 6: (DATA + 0x1000) / 2 },
    vector: "PF",
    address: () => Number(0xfffffffffffff800n),
    access: "read",
  },
  {
    name: "load from a non-canonical address (#GP)",
    only: 64,
    insn: [0x8b, 0x0e], // mov ecx, [rsi]
    bad: { 6: NONCANON },
    good: { 6: DATA + 0x100 },
    vector: "GP",
  },
  {
    name: "load straddling into an unmapped page",
    insn: [0x8b, 0x0e], // mov ecx, [rsi]
    bad: { 6: DATA + 0xffe },
    good: { 6: DATA + 0xff0 },
    vector: "PF",
    address: () => DATA + 0x1000,
    access: "read",
  },
  {
    name: "store to an unmapped page",
    insn: [0x89, 0x0f], // mov [rdi], ecx
    bad: { 7: UNMAPPED },
    good: { 7: DATA + 0x100 },
    vector: "PF",
    address: () => UNMAPPED,
    access: "write",
  },
  {
    name: "store to a read-only page",
    insn: [0x89, 0x0f], // mov [rdi], ecx
    bad: { 7: RO + 0x10 },
    good: { 7: DATA + 0x10 },
    vector: "PF",
    address: () => RO + 0x10,
    access: "write",
  },
  {
    name: "read-modify-write of a read-only page",
    insn: [0x01, 0x0f], // add [rdi], ecx
    bad: { 7: RO + 0x10 },
    good: { 7: DATA + 0x10 },
    vector: "PF",
    address: () => RO + 0x10,
    access: "write",
  },
  {
    name: "store straddling into an unmapped page (first missing byte, nothing written)",
    insn: [0x89, 0x0f], // mov [rdi], ecx
    bad: { 7: DATA + 0xffe },
    good: { 7: DATA + 0xff0 },
    vector: "PF",
    address: () => DATA + 0x1000,
    access: "write",
  },
  {
    name: "qword store straddling into an unmapped page",
    only: 64,
    insn: [0x48, 0x89, 0x0f], // mov [rdi], rcx
    bad: { 7: DATA + 0xffc },
    good: { 7: DATA + 0xff0 },
    vector: "PF",
    address: () => DATA + 0x1000,
    access: "write",
  },
  {
    name: "push below the stack",
    insn: [0x51], // push rcx / push ecx
    bad: { 4: STACK },
    good: { 4: SP0 },
    vector: "PF",
    address: (bits) => STACK - bits / 8,
    access: "write",
  },
  {
    name: "pop from an unmapped stack",
    insn: [0x59], // pop rcx / pop ecx
    bad: { 4: UNMAPPED },
    good: { 4: SP0 },
    vector: "PF",
    address: () => UNMAPPED,
    access: "read",
  },
  {
    name: "division by zero (#DE)",
    insn: [0xf7, 0xf1], // div ecx
    bad: { 1: 0, 2: 0 },
    good: { 1: 7, 2: 0 },
    vector: "DE",
  },
  {
    name: "division overflow (#DE)",
    insn: [0xf7, 0xf1], // div ecx  (edx:eax / ecx does not fit in 32 bits)
    bad: { 1: 7, 2: 9 },
    good: { 1: 7, 2: 0 },
    vector: "DE",
  },
  {
    name: "64-bit division by zero (#DE)",
    only: 64,
    insn: [0x48, 0xf7, 0xf1], // div rcx
    bad: { 1: 0, 2: 0 },
    good: { 1: 7, 2: 0 },
    vector: "DE",
  },
];

/** Base registers of the fault scenarios (ebx makes `add ebx, eax` produce EFLAGS 0x202). */
const BASE: Regs = { 3: 0x01020304 };

function runFaultCase(c: FaultCase, bits: Bits, path: Path): void {
  const code = [...PROLOGUE, ...c.insn, ...EPILOGUE];
  const at = CODE + PROLOGUE.length;
  const end = at + c.insn.length + 5;
  const bad = { ...BASE, ...c.bad };
  const m = machine(bits);
  load(m, CODE, code);
  if (path === "compiled") {
    for (let k = 0; k < JIT_THRESHOLD; k++) {
      init(m, { ...BASE, ...c.good });
      expectFault(m.cpu.run(1000), { vector: "BP", rip: end }, `warm-up ${k}`);
    }
    assertCompiled(m, CODE);
  }
  // Reference: the same start state stepped up to the faulting instruction.
  const ref = machine(bits);
  load(ref, CODE, code);
  init(ref, bad);
  steps(ref, 2);
  const expected = snap(ref);
  // The retired instructions themselves, independently of the reference.
  assert.equal(getR(ref.cpu, 0), 0x11111111n);
  assert.equal(hex(expected.flags), hex(0x202));

  init(m, bad);
  const before = m.cpu.icount;
  const want: FaultWant = { vector: c.vector, rip: at, address: c.address?.(bits), access: c.access };
  expectFault(m.cpu.run(1000), want, "run");
  assert.equal(m.cpu.icount - before, 2, "icount counts the instructions retired before the fault");
  assert.equal(m.cpu.currentCount(), m.cpu.icount, "no instruction of a block left pending");
  assert.equal(hex(m.cpu.rip), hex(at), "rip stays on the faulting instruction");
  assertState(snap(m), expected, "state after the fault");

  // step() reports the same fault and changes nothing.
  expectFault(ref.cpu.step(), want, "step");
  assertState(snap(ref), expected, "state after the faulting step");
}

/** A self-loop that walks off the end of the data page. */
interface LoopCase {
  name: string;
  code: Record<Bits, number[]>;
  /** Start state for a fault in iteration `iters` + 1. */
  regs: (iters: number) => Regs;
  /** Instructions retired before the fault. */
  retired: (iters: number) => number;
  /** Offset of the faulting instruction in the loop. */
  at: Record<Bits, number>;
  access: AccessKind;
}

const LOOP_CASES: LoopCase[] = [
  {
    name: "store at the top of the loop",
    code: {
      32: asm`
        89 0f     ; L: mov [edi], ecx
        83 c7 04  ; add edi, 4
        eb f9     ; jmp L
      `,
      64: asm`
        89 0f        ; L: mov [rdi], ecx
        48 83 c7 04  ; add rdi, 4
        eb f8        ; jmp L
      `,
    },
    regs: (n) => ({ 1: 0xcafef00d, 7: DATA + 0x1000 - 4 * n }),
    retired: (n) => 3 * n,
    at: { 32: 0, 64: 0 },
    access: "write",
  },
  {
    name: "load after the pointer increment",
    code: {
      32: asm`
        83 c6 04  ; L: add esi, 4
        8b 0e     ; mov ecx, [esi]
        eb f9     ; jmp L
      `,
      64: asm`
        48 83 c6 04  ; L: add rsi, 4
        8b 0e        ; mov ecx, [rsi]
        eb f8        ; jmp L
      `,
    },
    regs: (n) => ({ 6: DATA + 0x1000 - 4 * (n + 1) }),
    retired: (n) => 3 * n + 1,
    at: { 32: 3, 64: 4 },
    access: "read",
  },
];

function runLoopCase(c: LoopCase, bits: Bits, iters: number): void {
  const code = c.code[bits];
  const ref = machine(bits);
  load(ref, CODE, code);
  init(ref, c.regs(iters));
  steps(ref, c.retired(iters));
  const expected = snap(ref);

  const m = machine(bits);
  load(m, CODE, code);
  init(m, c.regs(iters));
  const want: FaultWant = { vector: "PF", rip: CODE + c.at[bits], address: DATA + 0x1000, access: c.access };
  expectFault(m.cpu.run(100000), want, "run");
  assert.equal(m.cpu.icount, c.retired(iters), "icount");
  assert.equal(m.cpu.currentCount(), m.cpu.icount);
  if (iters > JIT_THRESHOLD) assertCompiled(m, CODE);
  assertState(snap(m), expected, "state after the fault");
}

describe("cpu engine: precise faults", () => {
  for (const bits of MODES) {
    for (const path of PATHS) {
      for (const c of FAULT_CASES) {
        if (c.only !== undefined && c.only !== bits) continue;
        it(`${bits}-bit, ${path}: ${c.name}`, () => runFaultCase(c, bits, path));
      }
    }
    for (const c of LOOP_CASES) {
      it(`${bits}-bit: self-loop faulting in its first iteration (interpreted): ${c.name}`, () =>
        runLoopCase(c, bits, 0));
      it(`${bits}-bit: compiled self-loop walking off the data page: ${c.name}`, () =>
        runLoopCase(c, bits, 3 * JIT_THRESHOLD));
    }
  }
});

// ================================================================ 2. self-modifying code

/** Run from `rip` with `regs`; the run must end at an int3 at `endAt`. */
function runToInt3(m: M, regs: Regs, rip: number, endAt: number, what = ""): void {
  init(m, regs, rip);
  expectFault(m.cpu.run(10000), { vector: "BP", rip: endAt }, what);
}

/** A block that loads eax with an immediate: B: mov eax, 0x11223344; int3. */
const LOAD_EAX = asm`
  b8 44 33 22 11  ; mov eax, 0x11223344
  cc              ; int3
`;

/** Run the LOAD_EAX block at `b` until it is compiled. */
function warmLoadEax(m: M, b: number): void {
  for (let k = 0; k < JIT_THRESHOLD; k++) {
    runToInt3(m, {}, b, b + 5, "warm-up");
    assert.equal(m.cpu.lo[0], 0x11223344);
  }
  assertCompiled(m, b);
}

describe("cpu engine: self-modifying code", () => {
  for (const bits of MODES) {
    for (const path of PATHS) {
      it(`${bits}-bit, ${path}: a store rewriting a later instruction of the same block takes effect`, () => {
        const m = machine(bits);
        const code = asm`
          88 4b 04  ; mov [rbx+4], cl      (rbx = CODE: the immediate of the next instruction)
          b0 11     ; mov al, 0x11
          cc        ; int3
        `;
        load(m, CODE, code);
        if (path === "compiled") {
          for (let k = 0; k < JIT_THRESHOLD; k++) runToInt3(m, { 3: DATA }, CODE, CODE + 5, "warm-up");
          assertCompiled(m, CODE);
        }
        for (const v of [0x5a, 0x66, 0x77]) {
          const before = m.cpu.icount;
          runToInt3(m, { 0: 0, 1: v, 3: CODE }, CODE, CODE + 5);
          assert.equal(m.cpu.lo[0], v, "mov al executes the rewritten immediate");
          assert.equal(m.cpu.icount - before, 2);
        }
      });

      it(`${bits}-bit, ${path}: a store rewriting the opcode of a later instruction takes effect`, () => {
        const m = machine(bits);
        const code = asm`
          88 4b 03  ; mov [rbx+3], cl      (rbx = CODE: the opcode of the next instruction)
          b0 11     ; mov al, 0x11  -> cl = 0x04: add al, 0x11
          cc        ; int3
        `;
        load(m, CODE, code);
        if (path === "compiled") {
          for (let k = 0; k < JIT_THRESHOLD; k++) runToInt3(m, { 3: DATA }, CODE, CODE + 5, "warm-up");
          assertCompiled(m, CODE);
        }
        runToInt3(m, { 0: 0x20, 1: 0x04, 3: CODE }, CODE, CODE + 5);
        assert.equal(m.cpu.lo[0], 0x31, "add al, 0x11 with al = 0x20");
      });

      it(`${bits}-bit, ${path}: rep stosb overwriting the following instructions`, () => {
        const m = machine(bits);
        const code = asm`
          f3 aa  ; rep stosb        (rdi = CODE+2, rcx = 2, al = 0x90: the two int3 become nops)
          cc     ; int3
          cc     ; int3
          b0 07  ; mov al, 7
          cc     ; int3
        `;
        load(m, CODE, code);
        if (path === "compiled") {
          for (let k = 0; k < JIT_THRESHOLD; k++)
            runToInt3(m, { 0: 0x90, 1: 2, 7: DATA }, CODE, CODE + 2, "warm-up");
          assertCompiled(m, CODE);
        }
        init(m, { 0: 0x90, 1: 2, 7: CODE + 2 });
        const r = m.cpu.run(100);
        expectFault(r, { vector: "BP", rip: CODE + 6 });
        assert.equal(m.cpu.lo[0] & 0xff, 7);
        assert.equal(m.cpu.icount - (path === "compiled" ? JIT_THRESHOLD : 0), 4);
      });

      for (const where of ["the same page", "another page"] as const) {
        it(`${bits}-bit, ${path}: a store into another, compiled block on ${where} invalidates it`, () => {
          const m = machine(bits);
          const b = where === "the same page" ? CODE + 0x800 : CODE + 0x1800;
          load(m, b, LOAD_EAX);
          const code = asm`
            89 0b  ; mov [rbx], ecx
            cc     ; int3
          `;
          load(m, CODE, code);
          warmLoadEax(m, b);
          if (path === "compiled") {
            for (let k = 0; k < JIT_THRESHOLD; k++) runToInt3(m, { 3: DATA }, CODE, CODE + 2, "warm-up");
            assertCompiled(m, CODE);
          }
          runToInt3(m, { 1: 0xdeadbeef, 3: b + 1 }, CODE, CODE + 2);
          runToInt3(m, {}, b, b + 5);
          assert.equal(m.cpu.lo[0] >>> 0, 0xdeadbeef, "the block at B runs its new bytes");
        });
      }

      it(`${bits}-bit, ${path}: a store into code the superblock followed a call into`, () => {
        const m = machine(bits);
        const f = CODE + 0x800;
        load(m, f, LOAD_EAX);
        const code = asm`
          89 0b                      ; mov [rbx], ecx     (rbx = F+1: the immediate of F's mov)
          e8 ${h32(f - (CODE + 7))}  ; call F              (the builder follows it)
        `;
        load(m, CODE, code);
        if (path === "compiled") {
          for (let k = 0; k < JIT_THRESHOLD; k++) runToInt3(m, { 3: DATA }, CODE, f + 5, "warm-up");
          assertCompiled(m, CODE);
          assert.equal(m.cpu.lo[0], 0x11223344);
        }
        runToInt3(m, { 1: 0x0badcafe, 3: f + 1 }, CODE, f + 5);
        assert.equal(m.cpu.lo[0] >>> 0, 0x0badcafe);
      });

      it(`${bits}-bit, ${path}: a store through an alias invalidates code decoded at the other address`, () => {
        const m = machine(bits);
        m.bus.alias(ALIAS, CODE, RW); // ALIAS shows the bytes of the first code page
        const b = CODE + 0x800;
        load(m, b, LOAD_EAX);
        const code = asm`
          89 0b  ; mov [rbx], ecx
          cc     ; int3
        `;
        load(m, CODE, code);
        warmLoadEax(m, b);
        if (path === "compiled") {
          for (let k = 0; k < JIT_THRESHOLD; k++) runToInt3(m, { 3: DATA }, CODE, CODE + 2, "warm-up");
          assertCompiled(m, CODE);
        }
        runToInt3(m, { 1: 0x13572468, 3: ALIAS + 0x801 }, CODE, CODE + 2);
        runToInt3(m, {}, b, b + 5);
        assert.equal(m.cpu.lo[0], 0x13572468);
      });

      it(`${bits}-bit, ${path}: a store through an alias rewriting a later instruction of the running block`, () => {
        const m = machine(bits);
        m.bus.alias(ALIAS, CODE, RW);
        const code = asm`
          88 4b 04  ; mov [rbx+4], cl      (rbx = ALIAS)
          b0 11     ; mov al, 0x11
          cc        ; int3
        `;
        load(m, CODE, code);
        if (path === "compiled") {
          for (let k = 0; k < JIT_THRESHOLD; k++) runToInt3(m, { 3: DATA }, CODE, CODE + 5, "warm-up");
          assertCompiled(m, CODE);
        }
        runToInt3(m, { 0: 0, 1: 0x3c, 3: ALIAS }, CODE, CODE + 5);
        assert.equal(m.cpu.lo[0], 0x3c);
      });
    }

    it(`${bits}-bit: code executed through an alias is invalidated by a store to the primary view`, () => {
      const m = machine(bits);
      m.bus.alias(ALIAS, CODE, RWX);
      const b = ALIAS + 0x800; // executed through the alias
      load(m, CODE + 0x800, LOAD_EAX);
      const code = asm`
        89 0b  ; mov [rbx], ecx
        cc     ; int3
      `;
      load(m, CODE, code);
      warmLoadEax(m, b);
      runToInt3(m, { 1: 0x24681357, 3: CODE + 0x801 }, CODE, CODE + 2);
      runToInt3(m, {}, b, b + 5);
      assert.equal(m.cpu.lo[0], 0x24681357);
    });

    it(`${bits}-bit: notifyWrite after an external write invalidates compiled code`, () => {
      const m = machine(bits);
      const b = CODE + 0x800;
      load(m, b, LOAD_EAX);
      warmLoadEax(m, b);
      m.bus.writeBytes(b + 1, Uint8Array.from([0x78, 0x56, 0x34, 0x12]));
      m.cpu.notifyWrite(b + 1, 4);
      runToInt3(m, {}, b, b + 5);
      assert.equal(m.cpu.lo[0], 0x12345678);
    });

    it(`${bits}-bit: notifyWrite on an alias address invalidates code decoded at the other address`, () => {
      const m = machine(bits);
      m.bus.alias(ALIAS, CODE, RW);
      const b = CODE + 0x800;
      load(m, b, LOAD_EAX);
      warmLoadEax(m, b);
      m.bus.writeBytes(ALIAS + 0x801, Uint8Array.from([0x78, 0x56, 0x34, 0x12]));
      m.cpu.notifyWrite(ALIAS + 0x801, 4);
      runToInt3(m, {}, b, b + 5);
      assert.equal(m.cpu.lo[0], 0x12345678);
    });
  }
});

// ================================================================ 3. breakpoints

describe("cpu engine: breakpoints", () => {
  const NOPS = asm`
    90  ; +0 nop
    90  ; +1 nop
    90  ; +2 nop   <- breakpoint
    90  ; +3 nop
    cc  ; +4 int3
  `;

  for (const bits of MODES) {
    it(`${bits}-bit: a breakpoint stops run before the instruction, except at the start address`, () => {
      const m = machine(bits);
      load(m, CODE, NOPS);
      m.cpu.addBreakpoint(CODE + 2);
      init(m, {});
      assert.deepEqual(m.cpu.run(100), { kind: "breakpoint", address: CODE + 2 });
      assert.equal(m.cpu.rip, CODE + 2);
      assert.equal(m.cpu.icount, 2);
      // Resuming at the breakpoint executes it.
      expectFault(m.cpu.run(100), { vector: "BP", rip: CODE + 4 });
      assert.equal(m.cpu.icount, 4);
      // Adding to `breakpoints` directly works for blocks not decoded yet.
      const m2 = machine(bits);
      load(m2, CODE, NOPS);
      m2.cpu.breakpoints.add(CODE + 3);
      init(m2, {});
      assert.deepEqual(m2.cpu.run(100), { kind: "breakpoint", address: CODE + 3 });
    });

    it(`${bits}-bit: addBreakpoint takes effect inside an already compiled block; removeBreakpoint too`, () => {
      const m = machine(bits);
      load(m, CODE, NOPS);
      for (let k = 0; k < JIT_THRESHOLD; k++) runToInt3(m, {}, CODE, CODE + 4, "warm-up");
      assertCompiled(m, CODE);
      m.cpu.addBreakpoint(CODE + 2);
      for (let k = 0; k < JIT_THRESHOLD + 2; k++) {
        init(m, {});
        const before = m.cpu.icount;
        assert.deepEqual(m.cpu.run(100), { kind: "breakpoint", address: CODE + 2 }, `run ${k}`);
        assert.equal(m.cpu.icount - before, 2);
      }
      m.cpu.removeBreakpoint(CODE + 2);
      runToInt3(m, {}, CODE, CODE + 4, "after removeBreakpoint");
      // A breakpoint at the start of a compiled block.
      for (let k = 0; k < JIT_THRESHOLD; k++) runToInt3(m, {}, CODE, CODE + 4, "warm-up");
      m.cpu.addBreakpoint(CODE);
      init(m, {});
      expectFault(m.cpu.run(100), { vector: "BP", rip: CODE + 4 }, "run starting at the breakpoint");
    });

    for (const path of PATHS) {
      it(`${bits}-bit, ${path}: breakpoints inside a superblock (followed call, jcc fall-through, jcc target)`, () => {
        const m = machine(bits);
        const f = CODE + 0x100;
        const code = asm`
          90                         ; +0 nop
          e8 ${h32(f - (CODE + 6))}  ; +1 call F
          cc                         ; +6 int3
        `;
        load(m, CODE, code);
        const code2 = asm`
          31 c0  ; F+0 xor eax, eax        (ZF = 1)
          75 10  ; F+2 jnz F+0x14          (not taken: the builder continues with the fall-through)
          74 01  ; F+4 jz F+7              (taken: a side exit)
          cc     ; F+6 int3
          90     ; F+7 nop
          cc     ; F+8 int3
        `;
        load(m, f, code2);
        const all = [f + 2, f + 4, f + 7];
        if (path === "compiled") {
          for (let k = 0; k < JIT_THRESHOLD; k++) runToInt3(m, {}, CODE, f + 8, "warm-up");
          assertCompiled(m, CODE);
        }
        for (const bp of all) m.cpu.addBreakpoint(bp);
        const sp = BigInt(SP0 - bits / 8);
        for (let rep = 0; rep < JIT_THRESHOLD + 1; rep++) {
          init(m, {});
          const start = m.cpu.icount;
          for (const [bp, retired] of [
            [f + 2, 3],
            [f + 4, 4],
            [f + 7, 5],
          ]) {
            assert.deepEqual(m.cpu.run(100), { kind: "breakpoint", address: bp }, `rep ${rep}`);
            assert.equal(m.cpu.icount - start, retired, `instructions retired before ${hex(bp)}`);
            assert.equal(getR(m.cpu, 4), sp, "the call pushed its return address");
          }
          expectFault(m.cpu.run(100), { vector: "BP", rip: f + 8 });
        }
        for (const bp of all) m.cpu.removeBreakpoint(bp);
        runToInt3(m, {}, CODE, f + 8, "after removing the breakpoints");
      });

      const when = path === "compiled" ? "after" : "before";
      it(`${bits}-bit, breakpoints set ${when} the self-loop is compiled stop every iteration`, () => {
        const m = machine(bits);
        const code = asm`
          ff c9  ; L+0 dec ecx
          74 02  ; L+2 jz L+6
          eb fa  ; L+4 jmp L
          cc     ; L+6 int3
        `;
        load(m, CODE, code);
        if (path === "compiled") {
          // Compile the loop first (budget stops keep it at an iteration boundary).
          init(m, { 1: 1000 });
          assert.equal(m.cpu.run(3 * (JIT_THRESHOLD + 2)).kind, "budget");
          assertCompiled(m, CODE);
        } else init(m, { 1: 1000 });
        for (const bp of [CODE, CODE + 4]) {
          m.cpu.addBreakpoint(bp);
          for (let k = 0; k < JIT_THRESHOLD + 3; k++) {
            const ecx = m.cpu.lo[1];
            const before = m.cpu.icount;
            assert.deepEqual(m.cpu.run(100000), { kind: "breakpoint", address: bp }, `iteration ${k}`);
            const retired = m.cpu.icount - before;
            // The first stop at L+4 comes after 2 instructions (dec, jz) when starting at L.
            assert.ok(retired === 3 || (k === 0 && bp === CODE + 4 && retired === 2), `retired ${retired}`);
            assert.equal(m.cpu.lo[1], ecx - 1, "one iteration per stop");
          }
          m.cpu.removeBreakpoint(bp);
        }
        const before = m.cpu.icount;
        const ecx = m.cpu.lo[1];
        expectFault(m.cpu.run(100000), { vector: "BP", rip: CODE + 6 });
        assert.equal(m.cpu.lo[1], 0);
        // From L+4: jmp, then ecx - 1 full iterations, then dec and the taken jz.
        assert.equal(m.cpu.icount - before, 1 + 3 * (ecx - 1) + 2, "the loop ran to the end");
      });
    }
  }
});

// ================================================================ 4. budget and stepping

describe("cpu engine: budget and stepping", () => {
  /** Five blocks of three instructions (mov eax, next; nop; jmp rax), then int3. */
  function chain(): number[] {
    const out: number[] = [];
    for (let g = 0; g < 5; g++) {
      const next = CODE + (g + 1) * 8;
      out.push(
        ...asm`
        b8 ${h32(next)}  ; mov eax, next
        90               ; nop
        ff e0            ; jmp rax / jmp eax
      `,
      );
    }
    out.push(0xcc);
    return out;
  }

  for (const bits of MODES) {
    it(`${bits}-bit: run(0) retires nothing`, () => {
      const m = machine(bits);
      load(m, CODE, [0x90, 0xcc]);
      init(m, {});
      assert.deepEqual(m.cpu.run(0), { kind: "budget" });
      assert.equal(m.cpu.icount, 0);
      assert.equal(m.cpu.rip, CODE);
    });

    it(`${bits}-bit: straight-line run(n) stops at the first block boundary at or after n`, () => {
      const m = machine(bits);
      load(m, CODE, chain());
      for (let rep = 0; rep < 2 + JIT_THRESHOLD; rep++) {
        for (let n = 1; n <= 15; n++) {
          init(m, {});
          const before = m.cpu.icount;
          assert.deepEqual(m.cpu.run(n), { kind: "budget" }, `run(${n})`);
          const r = m.cpu.icount - before;
          assert.equal(r, 3 * Math.ceil(n / 3), `run(${n}) retired ${r}`);
          assert.ok(r >= n && r < n + 3, "n ≤ r < n + block length");
          assert.equal(m.cpu.rip, CODE + (r / 3) * 8);
        }
      }
      assertCompiled(m, CODE);
      init(m, {});
      expectFault(m.cpu.run(16), { vector: "BP", rip: CODE + 40 });
    });

    it(`${bits}-bit: looping run(n) stops at the first iteration boundary at or after n (interpreted and compiled)`, () => {
      const loops: [string, number[], number][] = [
        [
          "self-loop (jmp back)",
          asm`
            ff c9  ; L: dec ecx
            74 02  ; jz out
            eb fa  ; jmp L
            cc     ; out: int3
          `,
          3,
        ],
        [
          "jcc loop",
          asm`
            ff c9  ; L: dec ecx
            75 fc  ; jnz L
            cc     ; int3
          `,
          2,
        ],
      ];
      for (const [name, code, len] of loops) {
        const m = machine(bits);
        load(m, CODE, code);
        init(m, { 1: 100000 });
        for (const n of [1, 2, 3, 4, 5, 6, 7, 30, 31, 32, 33, 100, 101]) {
          const before = m.cpu.icount;
          const ecx = m.cpu.lo[1];
          assert.deepEqual(m.cpu.run(n), { kind: "budget" }, `${name}: run(${n})`);
          const r = m.cpu.icount - before;
          assert.equal(r, len * Math.ceil(n / len), `${name}: run(${n}) retired ${r}`);
          assert.equal(m.cpu.lo[1], ecx - r / len, `${name}: ecx`);
          assert.equal(m.cpu.rip, CODE, `${name}: rip at the loop head`);
        }
        assertCompiled(m, CODE);
        // Exactly n when n is a multiple of the iteration length.
        for (let k = 0; k < 5; k++) {
          const before = m.cpu.icount;
          m.cpu.run(len * 17);
          assert.equal(m.cpu.icount - before, len * 17);
        }
      }
    });

    it(`${bits}-bit: step() executes exactly one instruction (also over compiled blocks and breakpoints)`, () => {
      const m = machine(bits);
      const code = asm`
        b8 05 00 00 00  ; +0  mov eax, 5
        ff c8           ; +5  dec eax
        75 fc           ; +7  jnz +5
        e8 01 00 00 00  ; +9  call +0xf
        cc              ; +e  int3
        89 07           ; +f  mov [rdi], eax
        c3              ; +11 ret
      `;
      load(m, CODE, code);
      const path = [0, 5, 7, 5, 7, 5, 7, 5, 7, 5, 7, 9, 0xf, 0x11, 0xe];
      const stepThrough = (what: string): void => {
        init(m, { 7: DATA });
        const start = m.cpu.icount;
        for (let k = 0; k < path.length - 1; k++) {
          assert.equal(m.cpu.rip, CODE + path[k]);
          assert.deepEqual(m.cpu.step(), { kind: "step" }, `${what}: step ${k}`);
          assert.equal(m.cpu.icount - start, k + 1);
          assert.equal(hex(m.cpu.rip), hex(CODE + path[k + 1]), `${what}: rip after step ${k}`);
        }
        assert.equal(m.bus.readBytes(DATA, 4)[0], 0);
        assert.equal(getR(m.cpu, 4), BigInt(SP0));
        expectFault(m.cpu.step(), { vector: "BP", rip: CODE + 0xe }, `${what}: int3`);
        assert.equal(m.cpu.icount - start, path.length - 1, "the int3 did not retire");
        assert.equal(m.cpu.rip, CODE + 0xe);
      };
      stepThrough("fresh");
      for (let k = 0; k < JIT_THRESHOLD; k++) runToInt3(m, { 7: DATA }, CODE, CODE + 0xe, "warm-up");
      assertCompiled(m, CODE);
      stepThrough("compiled blocks");
      m.cpu.addBreakpoint(CODE + 7);
      stepThrough("breakpoint on the jnz");
      init(m, { 7: DATA });
      assert.deepEqual(m.cpu.run(100), { kind: "breakpoint", address: CODE + 7 });
    });

    it(`${bits}-bit: int3 and int 3 stop with #BP at the instruction, nothing changed`, () => {
      for (const insn of [[0xcc], [0xcd, 0x03]]) {
        const m = machine(bits);
        load(m, CODE, [0x90, ...insn]);
        init(m, {});
        const before = snap(m);
        expectFault(m.cpu.run(100), { vector: "BP", rip: CODE + 1 });
        assert.equal(m.cpu.icount, 1);
        assertState(snap(m), before, "after #BP");
        init(m, {}, CODE + 1);
        expectFault(m.cpu.step(), { vector: "BP", rip: CODE + 1 });
        assert.equal(m.cpu.icount, 1);
      }
    });
  }

  it("64-bit: syscall stops run and step with {kind: syscall}, RCX = next RIP, R11 = RFLAGS", () => {
    const m = machine(64);
    const code = asm`
      39 c3  ; cmp ebx, eax      (1 - 2: CF PF AF SF -> EFLAGS 0x297)
      0f 05  ; syscall
      cc     ; int3
    `;
    load(m, CODE, code);
    const regs: Regs = { 0: 2, 3: 1, 1: 0x1234n << 40n, 11: -1 };
    for (let rep = 0; rep < JIT_THRESHOLD + 2; rep++) {
      init(m, regs);
      const before = m.cpu.icount;
      assert.deepEqual(m.cpu.run(100), { kind: "syscall" }, `run ${rep}`);
      assert.equal(m.cpu.icount - before, 2);
      assert.equal(m.cpu.rip, CODE + 4);
      assert.equal(getR(m.cpu, 1), BigInt(CODE + 4), "RCX");
      assert.equal(hex(Number(getR(m.cpu, 11))), hex(0x297), "R11");
      // The OS layer resumes at RIP.
      expectFault(m.cpu.run(100), { vector: "BP", rip: CODE + 4 });
    }
    assertCompiled(m, CODE);
    init(m, regs);
    const before = m.cpu.icount;
    assert.deepEqual(m.cpu.step(), { kind: "step" });
    assert.deepEqual(m.cpu.step(), { kind: "syscall" });
    assert.equal(m.cpu.icount - before, 2);
    assert.equal(m.cpu.rip, CODE + 4);
    assert.equal(getR(m.cpu, 1), BigInt(CODE + 4));
    assert.equal(hex(Number(getR(m.cpu, 11))), hex(0x297));
  });

  it("32-bit: syscall is #UD in compatibility mode (Intel)", () => {
    const m = machine(32);
    load(m, CODE, [0x39, 0xc3, 0x0f, 0x05, 0xcc]); // cmp ebx, eax; syscall; int3
    init(m, {});
    expectFault(m.cpu.run(100), { vector: "UD", rip: CODE + 2 });
    assert.equal(m.cpu.icount, 1);
  });
});

// ================================================================ 5. code fetch

describe("cpu engine: code fetch", () => {
  for (const bits of MODES) {
    for (const path of PATHS) {
      const reps = path === "compiled" ? JIT_THRESHOLD + 2 : 1;

      /** Run from `start` `reps` times; each run must fault as `want` after `retired` instructions. */
      function check(m: M, start: number, regs: Regs, want: FaultWant, retired: number, nops = true): void {
        for (let rep = 0; rep < reps; rep++) {
          init(m, regs, start);
          const before = snap(m);
          const ic = m.cpu.icount;
          expectFault(m.cpu.run(1000), want, `run ${rep}`);
          assert.equal(m.cpu.icount - ic, retired, "icount");
          assert.equal(hex(m.cpu.rip), hex(want.rip));
          if (nops) assertState(snap(m), before, "only nops retired");
        }
        // step gives the same fault.
        init(m, regs, start);
        steps(m, retired);
        expectFault(m.cpu.step(), want, "step");
      }

      it(`${bits}-bit, ${path}: an instruction straddling into an unmapped page`, () => {
        const m = machine(bits);
        const start = CODE_END - 5;
        const code = asm`
          90        ; nop
          90        ; nop
          b8 44 33  ; mov eax, imm32 (two immediate bytes missing)
        `;
        load(m, start, code);
        check(m, start, {}, { vector: "PF", rip: CODE_END - 3, address: CODE_END, access: "execute" }, 2);
      });

      it(`${bits}-bit, ${path}: an instruction straddling into a non-executable page`, () => {
        const m = machine(bits);
        const start = NXPAGE - 5;
        load(m, start, [0x90, 0x90, 0xb8, 0x44, 0x33]); // nop; nop; mov eax, imm32 ...
        load(m, NXPAGE, [0x22, 0x11]); //                  ... whose last bytes are not executable
        check(m, start, {}, { vector: "PF", rip: NXPAGE - 3, address: NXPAGE, access: "execute" }, 2);
        // An opcode split across the boundary: 0F | A2 (cpuid).
        load(m, NXPAGE - 3, [0x90, 0x90, 0x0f]);
        load(m, NXPAGE, [0xa2]);
        check(m, NXPAGE - 3, {}, { vector: "PF", rip: NXPAGE - 1, address: NXPAGE, access: "execute" }, 2);
      });

      it(`${bits}-bit, ${path}: straight-line code running into a non-executable page`, () => {
        const m = machine(bits);
        load(m, NXPAGE - 3, [0x90, 0x90, 0x90]);
        load(m, NXPAGE, [0x90, 0xcc]);
        check(m, NXPAGE - 3, {}, { vector: "PF", rip: NXPAGE, address: NXPAGE, access: "execute" }, 3);
      });

      it(`${bits}-bit, ${path}: jmp to a non-executable page, call to an unmapped page`, () => {
        const m = machine(bits);
        load(m, CODE, [0xe9, ...le32(NXPAGE - (CODE + 5))]); // jmp NXPAGE
        check(m, CODE, {}, { vector: "PF", rip: NXPAGE, address: NXPAGE, access: "execute" }, 1, false);
        load(m, CODE, [0xe8, ...le32(UNMAPPED - (CODE + 5))]); // call UNMAPPED
        check(m, CODE, {}, { vector: "PF", rip: UNMAPPED, address: UNMAPPED, access: "execute" }, 1, false);
        assert.equal(getR(m.cpu, 4), BigInt(SP0 - bits / 8), "the call retired: return address pushed");
        assert.deepEqual(Array.from(m.bus.readBytes(SP0 - bits / 8, 4)), le32(CODE + 5));
      });
    }

    it(`${bits}-bit: a fetch fault is not cached: once the page is mapped, the code runs`, () => {
      const m = machine(bits);
      // A jump into an unmapped page, faulting until the page is mapped (as an OS would on demand).
      const code = asm`
        e9 ${h32(UNMAPPED - (CODE + 5))}  ; jmp UNMAPPED
      `;
      load(m, CODE, code);
      const want: FaultWant = { vector: "PF", rip: UNMAPPED, address: UNMAPPED, access: "execute" };
      for (let k = 0; k < JIT_THRESHOLD + 1; k++) {
        init(m, {});
        expectFault(m.cpu.run(100), want, `attempt ${k}`);
      }
      m.bus.map(UNMAPPED, 0x1000, RWX);
      const code2 = asm`
        b0 2a  ; mov al, 42
        cc     ; int3
      `;
      load(m, UNMAPPED, code2);
      init(m, { 0: 0 });
      expectFault(m.cpu.run(100), { vector: "BP", rip: UNMAPPED + 2 });
      assert.equal(m.cpu.lo[0], 42);
      // An instruction whose last bytes were on a missing page.
      const code3 = asm`
        b8 11 22  ; mov eax, 0x44332211 (continued on the next page)
      `;
      load(m, CODE_END - 3, code3);
      for (let k = 0; k < JIT_THRESHOLD + 1; k++) {
        init(m, {}, CODE_END - 3);
        const w: FaultWant = { vector: "PF", rip: CODE_END - 3, address: CODE_END, access: "execute" };
        expectFault(m.cpu.run(100), w, `attempt ${k}`);
      }
      m.bus.map(CODE_END, 0x1000, RWX);
      const code4 = asm`
        33 44  ; (the immediate's last bytes)
        cc     ; int3
      `;
      load(m, CODE_END, code4);
      init(m, {}, CODE_END - 3);
      expectFault(m.cpu.run(100), { vector: "BP", rip: CODE_END + 2 });
      assert.equal(m.cpu.lo[0], 0x44332211);
    });
  }

  for (const path of PATHS) {
    const reps = path === "compiled" ? JIT_THRESHOLD + 2 : 1;
    it(`64-bit, ${path}: jmp to a canonical kernel address is #PF there; to a non-canonical one #GP at the jmp`, () => {
      const m = machine(64);
      load(m, CODE, [0xff, 0xe0]); // jmp rax
      for (let rep = 0; rep < reps; rep++) {
        init(m, { 0: KERNEL });
        let ic = m.cpu.icount;
        const k = Number(KERNEL);
        expectFault(m.cpu.run(100), { vector: "PF", rip: k, address: k, access: "execute" }, "kernel");
        assert.equal(m.cpu.icount - ic, 1);
        init(m, { 0: NONCANON });
        ic = m.cpu.icount;
        expectFault(m.cpu.run(100), { vector: "GP", rip: CODE }, "non-canonical");
        assert.equal(m.cpu.icount - ic, 0);
      }
    });

    it(`64-bit, ${path}: jmp rel32 to a kernel-half address (negative target) is #PF at the canonical address`, () => {
      const m = machine(64);
      // Target 0x401005 - 0x401805 = -0x800: 0xfffffffffffff800 (a double-exact kernel-half address).
      load(m, CODE, [0xe9, 0xfb, 0xe7, 0xbf, 0xff]); // jmp 0xfffffffffffff800
      const t = Number(0xfffffffffffff800n);
      for (let rep = 0; rep < reps; rep++) {
        init(m, {});
        expectFault(m.cpu.run(100), { vector: "PF", rip: t, address: t, access: "execute" }, `run ${rep}`);
        assert.equal(m.cpu.rip, t);
      }
    });
  }
});

// ================================================================ 6. per-mode block cache

describe("cpu engine: the block cache is per mode", () => {
  const CODE_BYTES = asm`
    48 ff c0  ; 64-bit: inc rax            32-bit: dec eax; inc eax
    cc        ; int3
  `;

  function check64(m: M): void {
    init(m, { 0: 0xffffffff });
    const ic = m.cpu.icount;
    expectFault(m.cpu.run(100), { vector: "BP", rip: CODE + 3 }, "64-bit");
    assert.equal(getR(m.cpu, 0), 0x100000000n, "inc rax");
    assert.equal(m.cpu.icount - ic, 1);
  }

  function check32(m: M): void {
    init(m, { 0: 0xffffffff });
    const ic = m.cpu.icount;
    expectFault(m.cpu.run(100), { vector: "BP", rip: CODE + 3 }, "32-bit");
    assert.equal(getR(m.cpu, 0), 0xffffffffn, "dec eax; inc eax");
    assert.equal(m.cpu.icount - ic, 2);
  }

  for (const first of MODES) {
    it(`the same address decodes per mode (first ${first}-bit, compiled, then the other, then back)`, () => {
      const m = machine(first);
      load(m, CODE, CODE_BYTES);
      const [a, b] = first === 64 ? [check64, check32] : [check32, check64];
      const other: Bits = first === 64 ? 32 : 64;
      for (let k = 0; k < JIT_THRESHOLD + 1; k++) a(m);
      assertCompiled(m, CODE);
      const mode = (bits: Bits): void => {
        m.cpu.setMode(bits);
        m.bits = bits;
      };
      mode(other);
      for (let k = 0; k < JIT_THRESHOLD + 1; k++) b(m);
      assertCompiled(m, CODE);
      mode(first);
      a(m);
      mode(other);
      b(m);
      // Stepping uses the mode too.
      mode(first);
      init(m, { 0: 0xffffffff });
      m.cpu.step();
      assert.equal(m.cpu.rip, first === 64 ? CODE + 3 : CODE + 1);
    });
  }
});

// ================================================================ 7. random code

/** Seeded PRNG (mulberry32). */
function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const KINDS = new Set(["budget", "step", "breakpoint", "fault", "syscall", "halt", "stop"]);
const VECTORS = new Set(["DE", "DB", "BP", "OF", "BR", "UD", "NM", "GP", "SS", "NP", "PF", "MF", "AC", "XM"]);

function assertStopReason(r: unknown, what: string): asserts r is StopReason {
  assert.ok(typeof r === "object" && r !== null, `${what}: not an object`);
  const s = r as StopReason;
  assert.ok(KINDS.has(s.kind), `${what}: kind ${String(s.kind)}`);
  if (s.kind === "fault") {
    assert.ok(VECTORS.has(s.fault.vector), `${what}: vector ${s.fault.vector}`);
    assert.equal(typeof s.fault.rip, "number", `${what}: rip`);
  }
}

function hexBytes(b: Uint8Array): string {
  return Array.from(b, (x) => x.toString(16).padStart(2, "0")).join(" ");
}

/** Random registers: data pointers, small numbers and arbitrary values (64-bit only in 64-bit mode). */
function randomRegs(r: () => number, bits: Bits, dataSize: number): Regs {
  const regs: Regs = {};
  for (let k = 0; k < 16; k++) {
    const p = r();
    let v: bigint;
    if (p < 0.35) v = BigInt(DATA + Math.floor(r() * dataSize));
    else if (p < 0.55) v = BigInt(Math.floor(r() * 16));
    else {
      v = BigInt(Math.floor(r() * 2 ** 32));
      if (bits === 64 && r() < 0.3) v |= BigInt(Math.floor(r() * 2 ** 32)) << 32n;
    }
    regs[k] = v;
  }
  regs[4] = SP0;
  return regs;
}

describe("cpu engine: random code", function () {
  this.timeout(60000);
  const PAGES = 2000;

  for (const bits of MODES) {
    it(`${bits}-bit: no exception escapes run/step on ${PAGES} random 64-byte pages (and no internal errors)`, () => {
      const r = rng(0x5eed + bits);
      const m = machine(bits);
      const internal: string[] = [];
      const code = new Uint8Array(64);
      for (let t = 0; t < PAGES; t++) {
        for (let k = 0; k < 64; k++) code[k] = Math.floor(r() * 256);
        m.bus.writeBytes(CODE, code);
        m.cpu.notifyWrite(CODE, 64);
        m.cpu.setMode(bits);
        const regs = randomRegs(r, bits, 0x1000);
        init(m, regs);
        m.cpu.setEflags(0x202 | (Math.floor(r() * 0x1000) & 0xcd5));
        const note = (res: StopReason, how: string): void => {
          if (res.kind === "fault" && res.fault.detail?.startsWith("internal error")) {
            const off = res.fault.rip - CODE;
            const at = off >= 0 && off < 64 ? hexBytes(code.subarray(off, off + 15)) : hex(res.fault.rip);
            internal.push(`${how} page ${t}: ${res.fault.detail} at ${at}`);
          }
        };
        let res: unknown;
        const ic = m.cpu.icount;
        try {
          res = m.cpu.run(200);
        } catch (e) {
          assert.fail(`page ${t}: run threw ${String(e)}; code ${hexBytes(code)}`);
        }
        assertStopReason(res, `page ${t}`);
        const retired = m.cpu.icount - ic;
        assert.ok(retired >= 0 && retired < 200 + 64, `page ${t}: retired ${retired}`);
        if (res.kind === "budget") assert.ok(retired >= 200, `page ${t}: budget stop after ${retired}`);
        note(res, "run");
        // Step the same page from the start.
        init(m, regs);
        for (let k = 0; k < 8; k++) {
          let s: unknown;
          try {
            s = m.cpu.step();
          } catch (e) {
            assert.fail(`page ${t}: step threw ${String(e)}; code ${hexBytes(code)}`);
          }
          assertStopReason(s, `page ${t} step ${k}`);
          note(s, "step");
          if (s.kind !== "step") break;
        }
      }
      assert.equal(internal.length, 0, `internal errors (bugs):\n${internal.slice(0, 20).join("\n")}`);
    });

    it(`${bits}-bit: compiled blocks agree with the interpreter on random code`, () => {
      const r = rng(0xd1ff + bits);
      const DATA_SIZE = 0x1000;
      const mismatches: string[] = [];
      const code = new Uint8Array(64);
      const PAGES_D = 400;
      interface Out {
        res: string;
        icount: number;
        rip: number;
        state: Snap;
        xmm: number[];
      }
      const capture = (m: M): Out => ({
        res: "",
        icount: m.cpu.icount,
        rip: m.cpu.rip,
        state: snap(m),
        xmm: Array.from(m.cpu.xmm),
      });
      /** Reset everything the random code may have changed; rewrite the code only if it was changed. */
      const start = (m: M, regs: Regs, flags: number): void => {
        m.cpu.sreg.set([0x2b, 0x33, 0x2b, 0x2b, 0x53, 0x2b]);
        m.cpu.sbase.fill(0);
        m.cpu.setMode(bits);
        if (firstDiff(m.bus.readBytes(CODE, 64), code) >= 0) load(m, CODE, Array.from(code));
        init(m, regs);
        m.cpu.setEflags(flags);
        m.cpu.icount = 0;
        m.cpu.xmm.fill(0);
        m.cpu.mxcsr = 0x1f80;
        Object.assign(m.cpu.fpu, new Fpu());
      };
      const ref0 = machine(bits);
      const jit = machine(bits);
      let compiledRuns = 0;
      for (let t = 0; t < PAGES_D; t++) {
        for (let k = 0; k < 64; k++) code[k] = Math.floor(r() * 256);
        const regs = randomRegs(r, bits, DATA_SIZE);
        const flags = 0x202 | (Math.floor(r() * 0x1000) & 0xcd5);
        // Reference: everything interpreted.
        jitOptions.enabled = false;
        let ref: Out;
        try {
          start(ref0, regs, flags);
          const res = JSON.stringify(ref0.cpu.run(200));
          ref = { ...capture(ref0), res };
        } finally {
          jitOptions.enabled = true;
        }
        // The same start state run repeatedly on one CPU, so the blocks on the path get compiled.
        let out: Out | undefined;
        for (let rep = 0; rep <= JIT_THRESHOLD; rep++) {
          start(jit, regs, flags);
          const res = JSON.stringify(jit.cpu.run(200));
          out = { ...capture(jit), res };
        }
        if (jit.cpu.blocks.get(CODE).fn !== undefined) compiledRuns++;
        const got = out as Out;
        const diffs: string[] = [];
        if (got.res !== ref.res) diffs.push(`result ${got.res} vs ${ref.res}`);
        if (got.icount !== ref.icount) diffs.push(`icount ${got.icount} vs ${ref.icount}`);
        if (got.rip !== ref.rip) diffs.push(`rip ${hex(got.rip)} vs ${hex(ref.rip)}`);
        if (got.state.flags !== ref.state.flags)
          diffs.push(`eflags ${hex(got.state.flags)} vs ${hex(ref.state.flags)}`);
        for (let k = 0; k < 16; k++) {
          if (got.state.regs[k] !== ref.state.regs[k])
            diffs.push(`${got.state.regs[k]} vs ${ref.state.regs[k]}`);
        }
        const d = firstDiff(got.state.data, ref.state.data);
        if (d >= 0) diffs.push(`data differs at ${hex(DATA + d)}`);
        const s = firstDiff(got.state.stack, ref.state.stack);
        if (s >= 0) diffs.push(`stack differs at ${hex(STACK + s)}`);
        if (got.xmm.join() !== ref.xmm.join()) diffs.push("xmm differ");
        if (diffs.length) mismatches.push(`page ${t} [${hexBytes(code)}]: ${diffs.join("; ")}`);
      }
      assert.ok(compiledRuns > PAGES_D / 2, `only ${compiledRuns} pages ran compiled`);
      const list = mismatches.slice(0, 8).join("\n");
      assert.equal(mismatches.length, 0, `${mismatches.length} of ${PAGES_D} pages differ:\n${list}`);
    });
  }
});
