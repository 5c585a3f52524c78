/**
 * String instructions (src/cpu/sem/string.ts). Expected values from the Intel SDM Vol. 2B pages MOVS,
 * CMPS, STOS, LODS, SCAS and REP/REPE/REPNE ("the count register is decremented after each iteration;
 * termination: count = 0, or for REPE ZF = 0 / REPNE ZF = 1"), Vol. 1 7.3.9 (DF) and 3.3.7 (address size).
 */
import { strict as assert } from "node:assert";
import { Access } from "../src/cpu/index";
import { CODE, DATA, bytes, getR, le64, machine, runTo, setR, steps } from "./sem-harness";

const SRC = DATA;
const DST = DATA + 0x1000;
const ZF = 0x40;
const CF = 0x1;

function fill(n: number, f: (k: number) => number): Uint8Array {
  return Uint8Array.from({ length: n }, (_, k) => f(k) & 0xff);
}

describe("sem/string", () => {
  it("rep movsb copies rcx bytes forward and leaves rcx = 0, rsi/rdi advanced", () => {
    const { cpu, bus } = machine(64, "F3 A4");
    const data = fill(300, (k) => k * 7 + 1);
    bus.writeBytes(SRC + 5, data);
    setR(cpu, 6, SRC + 5);
    setR(cpu, 7, DST + 3);
    setR(cpu, 1, 300);
    steps(cpu);
    assert.equal(cpu.rip, CODE + 2);
    assert.equal(getR(cpu, 1), 0n);
    assert.equal(getR(cpu, 6), BigInt(SRC + 305));
    assert.equal(getR(cpu, 7), BigInt(DST + 303));
    assert.deepEqual(bus.readBytes(DST + 3, 300), data);
  });

  it("rep movsb across page boundaries (source and destination misaligned differently)", () => {
    const { cpu, bus } = machine(64, "F3 A4");
    const n = 3 * 4096 + 123;
    const data = fill(n, (k) => (k * 31) ^ (k >> 8));
    bus.writeBytes(SRC + 0x7f0, data);
    setR(cpu, 6, SRC + 0x7f0);
    setR(cpu, 7, DST + 0x4011);
    setR(cpu, 1, n);
    steps(cpu);
    assert.deepEqual(bus.readBytes(DST + 0x4011, n), data);
    assert.equal(getR(cpu, 1), 0n);
  });

  it("forward-overlapping rep movsb replicates like one byte at a time (dst = src + 1)", () => {
    const { cpu, bus } = machine(64, "F3 A4");
    bus.writeBytes(SRC, bytes("AB"));
    setR(cpu, 6, SRC);
    setR(cpu, 7, SRC + 1);
    setR(cpu, 1, 40);
    steps(cpu);
    assert.deepEqual(bus.readBytes(SRC, 41), new Uint8Array(41).fill(0xab));
  });

  it("forward-overlapping rep movsd keeps dword-at-a-time semantics (dst = src + 2)", () => {
    const { cpu, bus } = machine(32, "F3 A5");
    bus.writeBytes(SRC, bytes("01 02 03 04 05 06 07 08 09 0A 0B 0C"));
    setR(cpu, 6, SRC);
    setR(cpu, 7, SRC + 2);
    setR(cpu, 1, 2);
    steps(cpu);
    // iteration 1: [src..+3] = 01 02 03 04 → [src+2..+5]: 01 02 01 02 03 04
    // iteration 2: [src+4..+7] = 03 04 07 08 → [src+6..+9]
    assert.deepEqual([...bus.readBytes(SRC, 12)], [1, 2, 1, 2, 3, 4, 3, 4, 7, 8, 0x0b, 0x0c]);
  });

  it("std; rep movsd copies backwards and decrements esi/edi by 4 per element", () => {
    const { cpu, bus } = machine(32, "FD F3 A5");
    bus.writeBytes(SRC, bytes("11111111 22222222 33333333 44444444"));
    setR(cpu, 6, SRC + 12);
    setR(cpu, 7, DST + 12);
    setR(cpu, 1, 4);
    steps(cpu, 2);
    assert.deepEqual(bus.readBytes(DST, 16), bus.readBytes(SRC, 16));
    assert.equal(cpu.lo[6], SRC - 4);
    assert.equal(cpu.lo[7], DST - 4);
    assert.equal(cpu.lo[1], 0);
  });

  it("rep stosq stores RAX rcx times; rep stosw at an odd address", () => {
    let m = machine(64, "F3 48 AB");
    setR(m.cpu, 0, 0x0102030405060708n);
    setR(m.cpu, 7, DST);
    setR(m.cpu, 1, 3);
    steps(m.cpu);
    assert.deepEqual(m.bus.readBytes(DST, 24), bytes(le64(0x0102030405060708n).repeat(3)));
    assert.equal(getR(m.cpu, 7), BigInt(DST + 24));

    m = machine(64, "66 F3 AB");
    setR(m.cpu, 0, 0xbeef);
    setR(m.cpu, 7, DST + 1);
    setR(m.cpu, 1, 5);
    steps(m.cpu);
    assert.deepEqual(m.bus.readBytes(DST, 12), bytes("00 EFBE EFBE EFBE EFBE EFBE 00"));
  });

  it("repne scasb finds the terminator (strlen idiom: rcx = -1 - (len + 1), ZF = 1)", () => {
    const { cpu, bus } = machine(64, "F2 AE");
    bus.writeBytes(SRC, bytes("68656c6c6f00"));
    setR(cpu, 0, 0);
    setR(cpu, 7, SRC);
    setR(cpu, 1, -1n);
    steps(cpu);
    assert.equal(getR(cpu, 1), BigInt.asUintN(64, -7n));
    assert.equal(getR(cpu, 7), BigInt(SRC + 6));
    assert.equal(cpu.getEflags() & ZF, ZF);
  });

  it("repe cmpsb stops after the first difference with flags of that comparison", () => {
    const { cpu, bus } = machine(64, "F3 A6");
    bus.writeBytes(SRC, bytes("61626310 6566"));
    bus.writeBytes(DST, bytes("61626320 6566"));
    setR(cpu, 6, SRC);
    setR(cpu, 7, DST);
    setR(cpu, 1, 10);
    steps(cpu);
    assert.equal(getR(cpu, 1), 6n);
    assert.equal(getR(cpu, 6), BigInt(SRC + 4));
    assert.equal(cpu.getEflags() & (ZF | CF), CF); // 0x10 - 0x20 borrows
  });

  it("repe cmpsd over equal data runs to rcx = 0 with ZF = 1; cmpsq compares 64-bit values", () => {
    let m = machine(32, "F3 A7");
    m.bus.writeBytes(
      SRC,
      fill(64, (k) => k),
    );
    m.bus.writeBytes(
      DST,
      fill(64, (k) => k),
    );
    setR(m.cpu, 6, SRC);
    setR(m.cpu, 7, DST);
    setR(m.cpu, 1, 16);
    steps(m.cpu);
    assert.equal(m.cpu.lo[1], 0);
    assert.equal(m.cpu.getEflags() & ZF, ZF);

    m = machine(64, "48 A7");
    m.bus.writeBytes(SRC, bytes(le64(0x8000000000000000n)));
    m.bus.writeBytes(DST, bytes(le64(1n)));
    setR(m.cpu, 6, SRC);
    setR(m.cpu, 7, DST);
    steps(m.cpu);
    // 0x8000000000000000 - 1: no borrow, signed overflow (negative - positive = positive)
    assert.equal(m.cpu.getEflags() & 0x8c1, 0x800);
  });

  it("a rep with rcx = 0 changes nothing (not even flags for cmps)", () => {
    const { cpu } = machine(64, "F3 A6");
    cpu.setEflags(0x2d7);
    setR(cpu, 6, 0xdead);
    setR(cpu, 7, 0xbeef);
    steps(cpu);
    assert.equal(cpu.getEflags(), 0x2d7);
    assert.equal(getR(cpu, 6), 0xdeadn);
    assert.equal(cpu.rip, CODE + 2);
  });

  it("rep lodsb leaves the last byte in AL; F2 on movs acts as plain rep", () => {
    let m = machine(64, "F3 AC");
    m.bus.writeBytes(SRC, bytes("010203"));
    setR(m.cpu, 0, 0x1122334455667788n);
    setR(m.cpu, 6, SRC);
    setR(m.cpu, 1, 3);
    steps(m.cpu);
    assert.equal(getR(m.cpu, 0), 0x1122334455667703n);

    m = machine(64, "F2 A4");
    m.bus.writeBytes(SRC, bytes("00000000"));
    m.bus.writeBytes(DST, bytes("FFFFFFFF"));
    setR(m.cpu, 6, SRC);
    setR(m.cpu, 7, DST);
    setR(m.cpu, 1, 4);
    steps(m.cpu);
    assert.deepEqual(m.bus.readBytes(DST, 4), new Uint8Array(4));
  });

  it("64-bit mode with 67: ESI/EDI/ECX are used and written zero-extended", () => {
    const { cpu, bus } = machine(64, "67 F3 A4");
    bus.writeBytes(SRC, bytes("5a5b"));
    setR(cpu, 6, 0xaaaa000000000000n | BigInt(SRC));
    setR(cpu, 7, 0x5555000000000000n | BigInt(DST));
    setR(cpu, 1, 0x1234000000000002n);
    steps(cpu);
    assert.deepEqual(bus.readBytes(DST, 2), bytes("5a5b"));
    assert.equal(getR(cpu, 6), BigInt(SRC + 2));
    assert.equal(getR(cpu, 7), BigInt(DST + 2));
    assert.equal(getR(cpu, 1), 0n);
  });

  it("32-bit mode with 67: SI/DI/CX wrap at 64 KB and keep the upper halves", () => {
    const { cpu, bus } = machine(32, "67 A4");
    bus.map(0xf000, 0x2000);
    bus.writeBytes(0xffff, bytes("77"));
    setR(cpu, 6, 0x1234ffff);
    setR(cpu, 7, 0x5678f010);
    steps(cpu);
    assert.deepEqual(bus.readBytes(0xf010, 1), bytes("77"));
    assert.equal(cpu.lo[6] >>> 0, 0x12340000);
    assert.equal(cpu.lo[7] >>> 0, 0x5678f011);
  });

  it("an FS override applies to the source only", () => {
    const { cpu, bus } = machine(64, "64 A4");
    cpu.fsBase = SRC;
    bus.writeBytes(SRC + 0x10, bytes("99"));
    setR(cpu, 6, 0x10);
    setR(cpu, 7, DST);
    steps(cpu);
    assert.deepEqual(bus.readBytes(DST, 1), bytes("99"));
    assert.equal(getR(cpu, 6), 0x11n);
  });

  it("a fault in the middle of rep movsb leaves the registers at the faulting iteration; it restarts", () => {
    const { cpu, bus } = machine(64, "F3 A4 90");
    const end = DATA + 0x10000; // first unmapped byte
    bus.writeBytes(
      end - 16,
      fill(16, (k) => k + 1),
    );
    setR(cpu, 6, end - 16);
    setR(cpu, 7, DST);
    setR(cpu, 1, 32);
    const s = cpu.step();
    assert.equal(s.kind, "fault");
    if (s.kind !== "fault") return;
    assert.equal(s.fault.vector, "PF");
    assert.equal(s.fault.address, end);
    assert.equal(s.fault.rip, CODE);
    assert.equal(cpu.rip, CODE);
    assert.equal(getR(cpu, 1), 16n);
    assert.equal(getR(cpu, 6), BigInt(end));
    assert.equal(getR(cpu, 7), BigInt(DST + 16));
    assert.deepEqual(
      bus.readBytes(DST, 16),
      fill(16, (k) => k + 1),
    );
    bus.map(end, 0x1000, Access.Read | Access.Write);
    bus.writeBytes(
      end,
      fill(16, (k) => 0x80 + k),
    );
    steps(cpu);
    assert.equal(cpu.rip, CODE + 2);
    assert.equal(getR(cpu, 1), 0n);
    assert.deepEqual(
      bus.readBytes(DST + 16, 16),
      fill(16, (k) => 0x80 + k),
    );
  });

  it("a fault in rep stos on a read-only page is precise; the destination write faults, not the source", () => {
    const { cpu, bus } = machine(32, "F3 AB");
    bus.map(DST, 0x1000, Access.Read);
    setR(cpu, 0, 0x41414141);
    setR(cpu, 7, DST - 8);
    setR(cpu, 1, 4);
    const s = cpu.step();
    assert.equal(s.kind, "fault");
    assert.equal(cpu.lo[1], 2);
    assert.equal(cpu.lo[7], DST);
  });

  it("a long rep runs in chunks, re-executing itself without re-reporting its breakpoint", () => {
    const n = 3 * 1024 * 1024 + 5;
    const { cpu, bus } = machine(64, "F3 A4 90");
    const src = 0x10000000;
    const dst = 0x20000000;
    bus.map(src, n);
    bus.map(dst, n);
    bus.writeBytes(src + n - 4, bytes("01020304"));
    setR(cpu, 6, src);
    setR(cpu, 7, dst);
    setR(cpu, 1, n);
    // One step does a bounded chunk and stays on the instruction.
    assert.equal(cpu.step().kind, "step");
    assert.equal(cpu.rip, CODE);
    const left = getR(cpu, 1);
    assert.ok(left > 0n && left < BigInt(n));
    cpu.breakpoints.add(CODE);
    const s = runTo(cpu, CODE + 2);
    assert.deepEqual(s, { kind: "breakpoint", address: CODE + 2 });
    assert.equal(getR(cpu, 1), 0n);
    assert.deepEqual(bus.readBytes(dst + n - 4, 4), bytes("01020304"));
  });

  it("hooked (watched) pages take the element path and see the accesses", () => {
    const { cpu, bus } = machine(64, "F3 A4");
    bus.writeBytes(
      SRC,
      fill(64, (k) => k),
    );
    let seen = 0;
    bus.onHook = (_a, _s, acc) => {
      if (acc === Access.Write) seen++;
      return undefined;
    };
    bus.hook(Math.floor(DST / 4096), true);
    setR(cpu, 6, SRC);
    setR(cpu, 7, DST);
    setR(cpu, 1, 64);
    steps(cpu);
    assert.deepEqual(
      bus.readBytes(DST, 64),
      fill(64, (k) => k),
    );
    assert.equal(seen, 64);
  });

  it("ins/outs are #GP in user mode", () => {
    const s = machine(32, "6C").cpu.step();
    assert.equal(s.kind === "fault" && s.fault.vector, "GP");
  });
});
