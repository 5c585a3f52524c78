/**
 * Miscellaneous/system instructions (src/cpu/sem/misc.ts): CPUID (SDM Vol. 2A CPUID, Tables 3-8 to 3-11),
 * RDTSC/RDTSCP, flag instructions, CLI/STI and IN/OUT at CPL 3 > IOPL (#GP), fences, CLFLUSH, far
 * pointer loads, BOUND, ARPL, LAR/LSL/VERR/VERW, SGDT/SIDT/SMSW/STR, privileged instructions.
 */
import { strict as assert } from "node:assert";
import { Access, SReg, type Cpu, type StopReason } from "../src/cpu/index";
import { CODE, DATA, bytes, getR, le16, le32, machine, runTo, setR, steps } from "./sem-harness";

const ZF = 0x40;

function run1(bits: 32 | 64, code: string, init: (c: Cpu) => void = () => {}): Cpu {
  const { cpu } = machine(bits, code);
  init(cpu);
  steps(cpu);
  return cpu;
}

function cpuid(bits: 32 | 64, leaf: number, sub = 0): number[] {
  const c = run1(bits, "0F A2", (x) => {
    setR(x, 0, 0xffffffff00000000n | BigInt(leaf));
    setR(x, 1, sub);
  });
  if (bits === 64) for (const r of [0, 1, 2, 3]) assert.equal(c.hi[r], 0, "cpuid zero-extends");
  return [c.lo[0] >>> 0, c.lo[3] >>> 0, c.lo[1] >>> 0, c.lo[2] >>> 0];
}

function vector(s: StopReason): string | undefined {
  return s.kind === "fault" ? s.fault.vector : undefined;
}

function text(words: number[]): string {
  let s = "";
  for (const w of words) for (let k = 0; k < 4; k++) s += String.fromCharCode((w >>> (8 * k)) & 0xff);
  return s;
}

describe("sem/misc", () => {
  it("cpuid leaf 0: max leaf 7, GenuineIntel", () => {
    const [a, b, c, d] = cpuid(64, 0);
    assert.equal(a, 7);
    assert.equal(text([b, d, c]), "GenuineIntel");
  });

  it("cpuid leaf 1: family 6 model 0x5E; SSE2, CX16, POPCNT; no SSE3, AVX, OSXSAVE, hypervisor", () => {
    const [a, , c, d] = cpuid(32, 1);
    const family = (a >> 8) & 0xf;
    const model = ((a >> 12) & 0xf0) | ((a >> 4) & 0xf);
    assert.equal(family, 6);
    assert.equal(model, 0x5e);
    for (const bit of [0, 4, 8, 15, 19, 23, 24, 25, 26]) assert.ok(d & (1 << bit), `edx bit ${bit}`);
    for (const bit of [13, 23]) assert.ok(c & (1 << bit), `ecx bit ${bit}`);
    for (const bit of [0, 9, 19, 20, 27, 28, 31]) assert.equal(c & (1 << bit), 0, `ecx bit ${bit}`);
  });

  it("cpuid leaf 7: BMI1, BMI2, ERMS, ADX; no AVX2/AVX-512; sub-leaf 1 is empty", () => {
    const [a, b, c, d] = cpuid(64, 7);
    assert.equal(a, 0);
    assert.ok(b & (1 << 3) && b & (1 << 8) && b & (1 << 9) && b & (1 << 19));
    assert.equal(b & ((1 << 5) | (1 << 16)), 0);
    assert.equal(c | d, 0);
    assert.deepEqual(cpuid(64, 7, 1), [0, 0, 0, 0]);
  });

  it("cpuid extended leaves: LM, NX, LAHF, LZCNT; SYSCALL only in 64-bit mode; brand string", () => {
    assert.equal(cpuid(64, 0x80000000)[0], 0x80000008);
    const [, , c, d] = cpuid(64, 0x80000001);
    assert.ok(d & (1 << 29) && d & (1 << 20) && d & (1 << 11));
    assert.ok(c & 1 && c & (1 << 5));
    assert.equal(cpuid(32, 0x80000001)[3] & (1 << 11), 0);
    const brand = text([...cpuid(64, 0x80000002), ...cpuid(64, 0x80000003), ...cpuid(64, 0x80000004)]);
    assert.equal(brand.replace(/\0+$/, ""), "wowdbg virtual CPU");
  });

  it("cpuid above the maximum leaf returns the highest basic leaf", () => {
    assert.deepEqual(cpuid(64, 0x40000000), cpuid(64, 7));
    assert.deepEqual(cpuid(64, 0x80000009), cpuid(64, 7));
  });

  it("rdtsc is derived from the instruction count: deterministic, 3 per instruction", () => {
    const read = (): [bigint, bigint] => {
      const { cpu } = machine(64, "0F 31 48 89 C3 48 89 D6 0F 31 90");
      assert.equal(runTo(cpu, CODE + 11).kind, "breakpoint");
      return [(getR(cpu, 6) << 32n) | getR(cpu, 3), (getR(cpu, 2) << 32n) | getR(cpu, 0)];
    };
    const [t0, t1] = read();
    assert.equal(t1 - t0, 9n);
    assert.deepEqual(read(), [t0, t1]);
    const c = run1(64, "0F 01 F9", (x) => setR(x, 1, -1n));
    assert.equal(getR(c, 1), 0n);
  });

  it("clc/stc/cmc/cld/std", () => {
    assert.equal(run1(64, "F9", (x) => x.setEflags(0x202)).getEflags() & 1, 1);
    assert.equal(run1(64, "F8", (x) => x.setEflags(0x203)).getEflags() & 1, 0);
    assert.equal(run1(64, "F5", (x) => x.setEflags(0x203)).getEflags() & 1, 0);
    assert.equal(run1(64, "FD").getEflags() & 0x400, 0x400);
    assert.equal(run1(64, "FC", (x) => x.setEflags(0x602)).getEflags() & 0x400, 0);
  });

  it("cli/sti/in/out/hlt-like privileged instructions are #GP(0) at CPL 3", () => {
    for (const code of [
      "FA",
      "FB",
      "E4 60",
      "EC",
      "EE",
      "0F 32",
      "0F 30",
      "0F 20 C0",
      "0F 01 F8",
      "0F 01 38",
      "0F 06",
    ]) {
      assert.equal(vector(machine(64, code).cpu.step()), "GP", code);
    }
    assert.equal(vector(machine(64, "0F 01 D0").cpu.step()), "UD", "xgetbv without OSXSAVE");
    assert.equal(vector(machine(32, "0F 01 F8").cpu.step()), "UD", "swapgs outside 64-bit mode");
  });

  it("fences are no-ops; clflush checks the address like a read", () => {
    for (const code of ["0F AE E8", "0F AE F0", "0F AE F8"]) assert.equal(run1(64, code).rip, CODE + 3);
    const m = machine(64, "0F AE 3B");
    setR(m.cpu, 3, 0x1000);
    assert.equal(vector(m.cpu.step()), "PF");
    assert.equal(run1(64, "0F AE 3B", (x) => setR(x, 3, DATA)).rip, CODE + 3);
  });

  it("lar/lsl on the user selectors; a null selector leaves ZF = 0 and the destination", () => {
    let c = run1(32, "0F 02 C1", (x) => setR(x, 1, 0x23));
    assert.equal(c.lo[0] >>> 0, 0x00cffb00);
    assert.equal(c.getEflags() & ZF, ZF);
    c = run1(64, "0F 02 C1", (x) => setR(x, 1, 0x33));
    assert.equal(c.lo[0] >>> 0, 0x00affb00);
    c = run1(32, "0F 03 C1", (x) => setR(x, 1, 0x53));
    assert.equal(c.lo[0], 0x3c00);
    c = run1(32, "0F 03 C1", (x) => setR(x, 1, 0x2b));
    assert.equal(c.lo[0], -1);
    c = run1(32, "0F 02 C1", (x) => {
      setR(x, 0, 0x1234);
      setR(x, 1, 0);
      x.setEflags(0x242);
    });
    assert.equal(c.lo[0], 0x1234);
    assert.equal(c.getEflags() & ZF, 0);
  });

  it("verr/verw: code is readable not writable, data both", () => {
    const zf = (code: string, sel: number): number => run1(32, code, (x) => setR(x, 0, sel)).getEflags() & ZF;
    assert.equal(zf("0F 00 E0", 0x23), ZF);
    assert.equal(zf("0F 00 E8", 0x23), 0);
    assert.equal(zf("0F 00 E8", 0x2b), ZF);
    assert.equal(zf("0F 00 E0", 0), 0);
  });

  it("sgdt stores 10 bytes in 64-bit mode, 6 in 32-bit mode; smsw/str registers", () => {
    let m = machine(64, "0F 01 03");
    m.bus.writeBytes(DATA, new Uint8Array(12).fill(0xee));
    setR(m.cpu, 3, DATA);
    steps(m.cpu);
    assert.deepEqual(m.bus.readBytes(DATA + 10, 2), bytes("EEEE"));
    assert.deepEqual(m.bus.readBytes(DATA, 2), bytes(le16(0x57)));
    assert.deepEqual(m.bus.readBytes(DATA + 6, 4), bytes(le32(0xfffff800)));
    m = machine(32, "0F 01 0B");
    m.bus.writeBytes(DATA, new Uint8Array(8).fill(0xee));
    setR(m.cpu, 3, DATA);
    steps(m.cpu);
    assert.deepEqual(m.bus.readBytes(DATA, 2), bytes(le16(0xfff)));
    assert.deepEqual(m.bus.readBytes(DATA + 6, 2), bytes("EEEE"));
    assert.equal(run1(64, "0F 01 E0", (x) => setR(x, 0, -1n)).lo[0] >>> 0, 0x80050033);
    assert.equal(
      getR(
        run1(64, "0F 00 C8", (x) => setR(x, 0, -1n)),
        0,
      ),
      0x40n,
    );
  });

  it("lfs/lds load offset and selector; a bad selector faults before the register is written", () => {
    let m = machine(64, "0F B4 03");
    m.bus.writeBytes(DATA, bytes(le32(0x12345678) + le16(0x53)));
    setR(m.cpu, 3, DATA);
    steps(m.cpu);
    assert.equal(getR(m.cpu, 0), 0x12345678n);
    assert.equal(m.cpu.sreg[SReg.FS], 0x53);
    m = machine(32, "C5 03");
    m.bus.writeBytes(DATA, bytes(le32(0x12345678) + le16(0x1234)));
    setR(m.cpu, 3, DATA);
    setR(m.cpu, 0, 7);
    assert.equal(vector(m.cpu.step()), "GP");
    assert.equal(m.cpu.lo[0], 7);
    assert.equal(m.cpu.sreg[SReg.DS], 0x2b);
  });

  it("bound raises #BR outside [lower, upper] (signed); arpl adjusts RPL and sets ZF", () => {
    const m = machine(32, "62 03");
    m.bus.writeBytes(DATA, bytes(le32(-5) + le32(10)));
    setR(m.cpu, 3, DATA);
    setR(m.cpu, 0, -6);
    assert.equal(vector(m.cpu.step()), "BR");
    setR(m.cpu, 0, -5);
    steps(m.cpu);
    assert.equal(m.cpu.rip, CODE + 2);
    const c = run1(32, "63 C8", (x) => {
      setR(x, 0, 0x1230);
      setR(x, 1, 0x0003);
    });
    assert.equal(c.lo[0], 0x1233);
    assert.equal(c.getEflags() & ZF, ZF);
  });

  it("clflush on a page without read access faults", () => {
    const m = machine(64, "0F AE 3B");
    m.bus.map(DATA, 0x1000, Access.Write);
    setR(m.cpu, 3, DATA);
    assert.equal(vector(m.cpu.step()), "PF");
  });
});
