/**
 * x87 FPU semantics (src/cpu/sem/x87.ts, src/cpu/fpu.ts). Expected values come from the Intel SDM (Vol. 1
 * ch. 4 and 8, Vol. 2 instruction pages; sections cited per test); the hardware vectors in test/hw check
 * the rest against a real CPU.
 */
import { strict as assert } from "node:assert";
import type { Cpu, StopReason } from "../src/cpu/index";
import { CODE, DATA, le16, le32, machine } from "./sem-harness";

const IE = 0x01;
const DE = 0x02;
const ZE = 0x04;
const PE = 0x20;
const SF = 0x40;
const ES = 0x80;
const C0 = 0x100;
const C1 = 0x200;
const C2 = 0x400;
const C3 = 0x4000;
const CC = C0 | C1 | C2 | C3;

/** `op` with a memory operand [DATA + off] and ModRM.reg = `reg` (disp32; SIB form in 64-bit mode). */
function m(bits: 32 | 64, op: string, reg: number, off = 0): string {
  const d = le32(DATA + off);
  return bits === 32
    ? `${op}${((reg << 3) | 5).toString(16).padStart(2, "0")}${d}`
    : `${op}${((reg << 3) | 4).toString(16).padStart(2, "0")}25${d}`;
}

function dbl(v: number): string {
  const b = new DataView(new ArrayBuffer(8));
  b.setFloat64(0, v, true);
  return Array.from(new Uint8Array(b.buffer), (x) => x.toString(16).padStart(2, "0")).join("");
}

function bitsOf(v: number): string {
  const b = new DataView(new ArrayBuffer(8));
  b.setFloat64(0, v);
  return b.getBigUint64(0).toString(16).padStart(16, "0");
}

interface Run {
  cpu: Cpu;
  stop: StopReason;
  /** Status word (with TOP). */
  sw: number;
  st(i: number): number;
  /** Hex bytes at DATA + off. */
  mem(off: number, n: number): string;
}

/**
 * Run the instructions `insns` (hex, one string each) in `bits` mode with `data` (hex) at DATA; stops at
 * the first fault.
 */
function run(bits: 32 | 64, insns: string[], data = "", init?: (cpu: Cpu) => void): Run {
  const { cpu, bus } = machine(bits, insns.join(""));
  if (data)
    bus.writeBytes(
      DATA,
      Uint8Array.from(data.match(/../g) ?? [], (x) => parseInt(x, 16)),
    );
  init?.(cpu);
  let stop: StopReason = { kind: "step" };
  for (let k = 0; k < insns.length; k++) {
    stop = cpu.step();
    if (stop.kind !== "step") break;
  }
  return {
    cpu,
    stop,
    sw: cpu.fpu.statusWord(),
    st: (i) => cpu.fpu.st(i),
    mem: (off, n) =>
      Array.from(bus.readBytes(DATA + off, n), (x) => x.toString(16).padStart(2, "0")).join(""),
  };
}

const FLD1 = "d9e8";
const FLDZ = "d9ee";
const FNINIT = "dbe3";

for (const bits of [32, 64] as const) {
  describe(`sem/x87 (${bits}-bit mode)`, () => {
    describe("constants and loads (SDM Vol. 1 8.3.8, Vol. 2 FLD)", () => {
      it("fld1, fldz, fldpi, fldl2e, fldl2t, fldlg2, fldln2", () => {
        const r = run(bits, [FLD1, FLDZ, "d9eb", "d9ea", "d9e9", "d9ec", "d9ed"]);
        assert.deepEqual(
          [6, 5, 4, 3, 2, 1, 0].map((i) => r.st(i)),
          [1, 0, Math.PI, Math.LOG2E, Math.log2(10), Math.log10(2), Math.LN2],
        );
        assert.equal(r.sw & 0x3800, 1 << 11); // TOP = 1
      });

      it("fldpi is the 66-bit pi rounded by RC: C90FDAA22168C235 (nearest), ...C234 (down)", () => {
        let r = run(bits, ["d9eb", m(bits, "db", 7)]);
        assert.equal(r.mem(0, 10), "35c26821a2da0fc90040");
        r = run(
          bits,
          [m(bits, "d9", 5, 16), "d9eb", m(bits, "db", 7)],
          "0000" + "00".repeat(14) + le16(0x77f),
        );
        assert.equal(r.mem(0, 10), "34c26821a2da0fc90040");
      });

      it("fstp m80 of 1.0 = 00 00 00 00 00 00 00 80 FF 3F (SDM Vol. 1 4.2.2)", () => {
        const r = run(bits, [FLD1, m(bits, "db", 7)]);
        assert.equal(r.mem(0, 10), "0000000000000080ff3f");
        assert.equal(r.sw & 0x3800, 0);
      });

      it("fld m80 / fstp m80 keep an extended value a double cannot hold (0.1L) bit for bit", () => {
        const ten = "cdccccccccccccccfb3f"; // 0.1 as an 80-bit value
        const r = run(bits, [m(bits, "db", 5), m(bits, "db", 7, 16)], ten);
        assert.equal(r.mem(16, 10), ten);
      });

      it("fld m64 / fld m32 of denormals set DE; an SNaN sets IE and loads the QNaN", () => {
        let r = run(bits, [m(bits, "dd", 0)], "0100000000000000");
        assert.equal(r.sw & 0x3f, DE);
        assert.equal(r.st(0), 5e-324);
        r = run(bits, [m(bits, "d9", 0)], "0100807f");
        assert.equal(r.sw & 0x3f, IE);
        assert.equal(bitsOf(r.st(0)), "7ff8000020000000");
      });

      it("fild m16/m32/m64; fild/fistp m64 copies any 64-bit integer exactly", () => {
        let r = run(bits, [m(bits, "df", 0), m(bits, "db", 0, 8)], "00800000" + "00000000" + "ffffff7f");
        assert.equal(r.st(1), -32768);
        assert.equal(r.st(0), 2147483647);
        const v = "0102030405060708"; // 0x0807060504030201, beyond 2^53
        r = run(bits, [m(bits, "df", 5), m(bits, "df", 7, 16)], v);
        assert.equal(r.mem(16, 8), v);
        r = run(bits, [m(bits, "df", 5), m(bits, "df", 7, 16)], "ffffffffffffff7f");
        assert.equal(r.mem(16, 8), "ffffffffffffff7f");
      });

      it("stack overflow: IE, SF, C1 = 1 and the indefinite on top (SDM Vol. 1 8.5.1.1)", () => {
        const r = run(bits, Array<string>(9).fill(FLD1));
        assert.equal(r.sw & (IE | SF | C1), IE | SF | C1);
        assert.equal(bitsOf(r.st(0)), "fff8000000000000");
      });
    });

    describe("arithmetic (SDM Vol. 2 FADD..FDIVR, Vol. 1 4.9)", () => {
      it("all forms: st0 op st(i), st(i) op st0, popping, m32, m64, m16int, m32int", () => {
        const six = dbl(6);
        // st0 = 6, st1 = 2
        const pre = [m(bits, "dd", 0, 8), m(bits, "dd", 0)];
        const data = six + dbl(2) + "0300" + "0000" + "04000000" + "00008040"; // +16: m16 3, +20: m32 4, +24: m32 float 4.0
        assert.equal(run(bits, [...pre, "d8f1"], data).st(0), 3); // fdiv st, st1: 6 / 2
        assert.equal(run(bits, [...pre, "d8f9"], data).st(0), 1 / 3); // fdivr: 2 / 6
        assert.equal(run(bits, [...pre, "dcf9"], data).st(1), 1 / 3); // fdiv st1, st: 2 / 6
        assert.equal(run(bits, [...pre, "dcf1"], data).st(1), 3); // fdivr st1, st: 6 / 2
        assert.equal(run(bits, [...pre, "dce9"], data).st(1), -4); // fsub st1, st: 2 - 6
        assert.equal(run(bits, [...pre, "dee1"], data).st(0), 4); // fsubrp st1, st: 6 - 2, pop
        assert.equal(run(bits, [...pre, m(bits, "de", 4, 16)], data).st(0), 3); // fisub m16: 6 - 3
        assert.equal(run(bits, [...pre, m(bits, "da", 1, 20)], data).st(0), 24); // fimul m32
        assert.equal(run(bits, [...pre, m(bits, "d8", 5, 24)], data).st(0), -2); // fsubr m32: 4 - 6
        assert.equal(run(bits, [...pre, m(bits, "dc", 0, 8)], data).st(0), 8); // fadd m64
      });

      it("stack underflow: IE and SF, C1 = 0, the indefinite 0xFFF8000000000000 (SDM Vol. 1 8.5.1.1)", () => {
        const r = run(bits, ["d8c1"]);
        assert.equal(r.sw & (IE | SF | C1 | ES), IE | SF);
        assert.equal(bitsOf(r.st(0)), "fff8000000000000");
      });

      it("invalid operations give the indefinite; x/0 is a zero divide (SDM Vol. 1 4.9.1.2-3)", () => {
        let r = run(bits, [FLDZ, FLDZ, "def9"]);
        assert.equal(r.sw & 0x3f, IE);
        assert.equal(bitsOf(r.st(0)), "fff8000000000000");
        r = run(bits, [FLDZ, FLD1, "def1"]);
        assert.equal(r.sw & 0x3f, ZE);
        assert.equal(r.st(0), Infinity); // fdivrp: st1 = st0 / st1 = 1 / 0
      });

      it("PE and C1: 1/3 is rounded down, 1/10 up (nearest)", () => {
        let r = run(bits, [m(bits, "dd", 0), FLD1, "def1"], dbl(3)); // 1 / 3
        assert.equal(r.sw & (PE | C1), PE);
        r = run(bits, [m(bits, "dd", 0), FLD1, "def1"], dbl(10)); // 1 / 10
        assert.equal(r.sw & (PE | C1), PE | C1);
        r = run(bits, [FLD1, FLD1, "dec1"]);
        assert.equal(r.sw & (PE | C1), 0);
      });

      it("precision control: 1 + 2^-60 is exact with PC = 64 bits, inexact with 53; PC = 24 rounds to single", () => {
        const cw = m(bits, "d9", 5, 16);
        const data = (v: number) => dbl(2 ** -60) + "00".repeat(8) + le16(v);
        let r = run(bits, [cw, FLD1, m(bits, "dc", 0)], data(0x37f));
        assert.equal(r.sw & PE, 0);
        r = run(bits, [cw, FLD1, m(bits, "dc", 0)], data(0x27f));
        assert.equal(r.sw & (PE | C1), PE);
        assert.equal(r.st(0), 1);
        r = run(bits, [cw, m(bits, "dd", 0, 8), FLD1, "def1"], dbl(2 ** -60) + dbl(3) + le16(0x07f));
        assert.equal(r.st(0), Math.fround(1 / 3));
      });

      it("rounding control: 1/3 rounded up and down differ by one ulp", () => {
        const go = (cw: number) =>
          run(
            bits,
            [m(bits, "d9", 5, 16), m(bits, "dd", 0), FLD1, "def1"],
            dbl(3) + "00".repeat(8) + le16(cw),
          ).st(0);
        const down = go(0x67f);
        const up = go(0xa7f);
        assert.ok(down < 1 / 3 || up > 1 / 3);
        assert.equal(up - down, 2 ** -54);
        assert.equal(go(0xe7f), down);
      });

      it("fsqrt, fabs, fchs, frndint, fscale, fxtract", () => {
        assert.equal(run(bits, [m(bits, "dd", 0), "d9fa"], dbl(2)).st(0), Math.SQRT2);
        assert.equal(run(bits, [m(bits, "dd", 0), "d9e1"], dbl(-2.5)).st(0), 2.5);
        assert.equal(run(bits, [m(bits, "dd", 0), "d9e0"], dbl(2.5)).st(0), -2.5);
        assert.equal(run(bits, [m(bits, "dd", 0), "d9fc"], dbl(2.5)).st(0), 2); // nearest even
        const sc = run(bits, [m(bits, "dd", 0, 8), m(bits, "dd", 0), "d9fd"], dbl(1.5) + dbl(3.7));
        assert.equal(sc.st(0), 12); // 1.5 * 2^trunc(3.7)
        const x = run(bits, [m(bits, "dd", 0), "d9f4"], dbl(-24));
        assert.deepEqual([x.st(0), x.st(1)], [-1.5, 4]);
        const n = run(bits, [m(bits, "dd", 0), "d9fa"], dbl(-1));
        assert.equal(n.sw & IE, IE);
      });

      it("fprem/fprem1: remainder and quotient bits C0 C3 C1 = Q2 Q1 Q0 (SDM Vol. 2 FPREM)", () => {
        const data = dbl(2) + dbl(7.5);
        let r = run(bits, [m(bits, "dd", 0), m(bits, "dd", 0, 8), "d9f8"], data); // 7.5 rem 2: Q = 3
        assert.equal(r.st(0), 1.5);
        assert.equal(r.sw & CC, C3 | C1);
        r = run(bits, [m(bits, "dd", 0), m(bits, "dd", 0, 8), "d9f5"], data); // IEEE: Q = 4, -0.5
        assert.equal(r.st(0), -0.5);
        assert.equal(r.sw & CC, C0);
        r = run(bits, [m(bits, "dd", 0), m(bits, "dd", 0, 8), "d9f8"], dbl(1) + dbl(2 ** 100)); // partial
        assert.equal(r.sw & C2, C2);
      });

      it("fsin/fcos/fsincos/fptan/fpatan/f2xm1/fyl2x (results rounded to 64 bits, then to double)", () => {
        const one = dbl(1);
        assert.equal(run(bits, [m(bits, "dd", 0), "d9fe"], one).st(0), Math.sin(1));
        assert.equal(run(bits, [m(bits, "dd", 0), "d9ff"], one).st(0), Math.cos(1));
        const sc = run(bits, [m(bits, "dd", 0), "d9fb"], one);
        assert.deepEqual([sc.st(0), sc.st(1)], [Math.cos(1), Math.sin(1)]);
        const t = run(bits, [m(bits, "dd", 0), "d9f2"], one);
        assert.deepEqual([t.st(0), t.st(1)], [1, Math.tan(1)]);
        assert.equal(run(bits, [FLD1, FLD1, "d9f3"]).st(0), Math.PI / 4);
        // 2^0.5 - 1 correctly rounded (not Math.SQRT2 - 1, which is one ulp off)
        assert.equal(bitsOf(run(bits, [m(bits, "dd", 0), "d9f0"], dbl(0.5)).st(0)), "3fda827999fcef32");
        assert.equal(run(bits, [m(bits, "dd", 0, 8), m(bits, "dd", 0), "d9f1"], dbl(8) + dbl(3)).st(0), 9);
        // |x| >= 2^63: C2 = 1, operand unchanged (SDM Vol. 2 FSIN)
        const big = run(bits, [m(bits, "dd", 0), "d9fe"], dbl(2 ** 63));
        assert.equal(big.sw & C2, C2);
        assert.equal(big.st(0), 2 ** 63);
      });
    });

    describe("compares (SDM Vol. 2 FCOM, FUCOM, FCOMI, FTST, FXAM)", () => {
      it("fcom condition codes and fnstsw ax", () => {
        const cmp = (a: number, b: number): number => {
          const r = run(bits, [m(bits, "dd", 0, 8), m(bits, "dd", 0), "d8d1", "dfe0"], dbl(a) + dbl(b));
          assert.equal(r.cpu.lo[0] & 0xffff, r.sw);
          return r.sw & (C3 | C2 | C0);
        };
        assert.equal(cmp(2, 1), 0);
        assert.equal(cmp(1, 2), C0);
        assert.equal(cmp(1, 1), C3);
        assert.equal(cmp(NaN, 1), C3 | C2 | C0);
      });

      it("fcom raises IE on a QNaN, fucom does not; fcompp pops twice", () => {
        let r = run(bits, [m(bits, "dd", 0, 8), m(bits, "dd", 0), "d8d1"], dbl(NaN) + dbl(1));
        assert.equal(r.sw & IE, IE);
        r = run(bits, [m(bits, "dd", 0, 8), m(bits, "dd", 0), "dde1"], dbl(NaN) + dbl(1));
        assert.equal(r.sw & IE, 0);
        r = run(bits, [FLD1, FLD1, "ded9"]);
        assert.equal(r.sw & 0x3800, 0);
        assert.ok(r.cpu.fpu.isEmpty(0));
      });

      it("fcomi/fucomi set ZF PF CF and clear OF SF AF", () => {
        const fl = (a: number, b: number, op = "dbf1"): number => {
          const r = run(bits, [m(bits, "dd", 0, 8), m(bits, "dd", 0), op], dbl(a) + dbl(b), (c) =>
            c.setEflags(0xad7),
          );
          return r.cpu.getEflags() & 0x8d5;
        };
        assert.equal(fl(2, 1), 0);
        assert.equal(fl(1, 2), 0x01);
        assert.equal(fl(1, 1), 0x40);
        assert.equal(fl(NaN, 1), 0x45);
        assert.equal(fl(NaN, 1, "dbe9"), 0x45);
      });

      it("ftst and fxam classes (C3 C2 C0; C1 = sign)", () => {
        const xam = (data: string, load = "dd"): number =>
          run(bits, [m(bits, load, load === "db" ? 5 : 0), "d9e5"], data).sw & CC;
        assert.equal(xam(dbl(1)), C2);
        assert.equal(xam(dbl(-0)), C3 | C1);
        assert.equal(xam(dbl(-Infinity)), C2 | C0 | C1);
        assert.equal(xam(dbl(NaN)), C0);
        assert.equal(xam(dbl(5e-324)), C2); // a double denormal is a normal extended value
        assert.equal(xam("01000000000000000000", "db"), C3 | C2); // extended denormal
        assert.equal(xam("00000000000000400040", "db"), 0); // unnormal: unsupported
        assert.equal(run(bits, ["d9e5"]).sw & CC, C3 | C0); // empty
        assert.equal(run(bits, [m(bits, "dd", 0), "d9e4"], dbl(-3)).sw & CC, C0);
      });
    });

    describe("stores (SDM Vol. 2 FST, FIST, FISTTP, FBSTP)", () => {
      it("fistp by RC: 2.5 and -2.5 (nearest, down, up, chop); C1 = rounded up", () => {
        const go = (v: number, rc: number): [number, number] => {
          const r = run(
            bits,
            [m(bits, "d9", 5, 16), m(bits, "dd", 0), m(bits, "db", 3, 8)],
            dbl(v) + "00".repeat(8) + le16(0x37f | (rc << 10)),
          );
          return [Buffer.from(r.mem(8, 4), "hex").readInt32LE(0), r.sw & (PE | C1)];
        };
        assert.deepEqual(go(2.5, 0), [2, PE]);
        assert.deepEqual(go(2.5, 1), [2, PE]);
        assert.deepEqual(go(2.5, 2), [3, PE | C1]);
        assert.deepEqual(go(2.5, 3), [2, PE]);
        assert.deepEqual(go(-2.5, 0), [-2, PE]);
        assert.deepEqual(go(-2.5, 1), [-3, PE | C1]);
        assert.deepEqual(go(-2.5, 2), [-2, PE]);
        assert.deepEqual(go(-3.5, 0), [-4, PE | C1]);
      });

      it("fist out of range or NaN: IE and the integer indefinite; fisttp truncates", () => {
        let r = run(bits, [m(bits, "dd", 0), m(bits, "df", 3, 8)], dbl(40000));
        assert.equal(r.mem(8, 2), "0080");
        assert.equal(r.sw & IE, IE);
        r = run(bits, [m(bits, "dd", 0), m(bits, "dd", 1, 8)], dbl(-2.9));
        assert.equal(r.mem(8, 8), "feffffffffffffff");
      });

      it("fst m32 rounds by RC and reports PE/C1; overflow gives OE and infinity", () => {
        let r = run(bits, [m(bits, "dd", 0), m(bits, "d9", 2, 8)], dbl(0.1));
        assert.equal(r.mem(8, 4), "cdcccc3d");
        assert.equal(r.sw & (PE | C1), PE | C1);
        r = run(bits, [m(bits, "dd", 0), m(bits, "d9", 2, 8)], dbl(1e300));
        assert.equal(r.mem(8, 4), "0000807f");
        assert.equal(r.sw & 0x3f, 0x28);
      });

      it("empty ST(0) stores the indefinite (m32 FFC00000)", () => {
        const r = run(bits, [m(bits, "d9", 3)]);
        assert.equal(r.mem(0, 4), "0000c0ff");
        assert.equal(r.sw & (IE | SF), IE | SF);
      });

      it("fbld/fbstp: 18 packed BCD digits; out of range: IE and the BCD indefinite", () => {
        const bcd = "78563412907856341280"; // -123456789012345678
        let r = run(bits, [m(bits, "df", 4), m(bits, "df", 6, 16)], bcd);
        assert.equal(r.mem(16, 10), bcd);
        r = run(bits, [m(bits, "dd", 0), m(bits, "df", 6, 16)], dbl(1e18));
        assert.equal(r.mem(16, 10), "00000000000000c0ffff");
        assert.equal(r.sw & IE, IE);
      });
    });

    describe("stack and control (SDM Vol. 2 FXCH, FCMOVcc, FFREE, FINIT, FSTENV, FSAVE)", () => {
      it("fxch, fincstp, fdecstp, ffree, fst st(i)", () => {
        const r = run(bits, [FLD1, FLDZ, "d9c9", "ddd2"]);
        assert.deepEqual([r.st(0), r.st(1), r.st(2)], [1, 0, 1]);
        const t = run(bits, [FLD1, "d9f7"]);
        assert.equal(t.sw & 0x3800, 0);
        assert.ok(!t.cpu.fpu.isEmpty(7));
        assert.ok(run(bits, [FLD1, "ddc0"]).cpu.fpu.isEmpty(0));
      });

      it("fcmovcc copies when the condition holds", () => {
        const go = (op: string, fl: number): number =>
          run(bits, [FLDZ, FLD1, op], "", (c) => c.setEflags(fl)).st(0);
        assert.equal(go("dac1", 0x203), 0); // fcmovb, CF = 1
        assert.equal(go("dac1", 0x202), 1);
        assert.equal(go("dbc9", 0x202), 0); // fcmovne, ZF = 0
        assert.equal(go("dad9", 0x206), 0); // fcmovu, PF = 1
      });

      it("fninit: CW = 037F, SW = 0, all empty; fnstcw/fldcw (bit 6 reads as 1)", () => {
        let r = run(bits, [FLD1, FNINIT, m(bits, "d9", 7)]);
        assert.equal(r.mem(0, 2), "7f03");
        assert.equal(r.sw, 0);
        assert.ok(r.cpu.fpu.isEmpty(0));
        r = run(bits, [m(bits, "d9", 5), m(bits, "d9", 7, 2)], "0000");
        assert.equal(r.mem(2, 2), "4000");
      });

      it("fnstenv: 28-byte protected-mode image with the full tag word; then all exceptions masked", () => {
        const r = run(
          bits,
          [m(bits, "d9", 5, 64), FLD1, FLDZ, m(bits, "dd", 0, 72), m(bits, "d9", 6)],
          "00".repeat(64) + le16(0x360) + "000000000000" + dbl(NaN),
        );
        assert.equal(r.mem(0, 4), "6003ffff");
        assert.equal(r.mem(4, 2), le16(r.sw));
        // TOP = 5: R5 special (NaN), R6 zero, R7 valid, the rest empty
        assert.equal(r.mem(8, 4), "ff1bffff");
        assert.equal(r.cpu.fpu.cw, 0x37f);
      });

      it("fnsave / frstor round-trip the state and fnsave reinitialises", () => {
        const { cpu, bus } = machine(bits, [FLD1, "d9eb", m(bits, "dd", 6), m(bits, "dd", 4)].join(""));
        for (let k = 0; k < 3; k++) assert.equal(cpu.step().kind, "step");
        assert.equal(cpu.fpu.statusWord(), 0);
        assert.equal(cpu.fpu.cw, 0x37f);
        const img = bus.readBytes(DATA + 28, 20);
        assert.equal(Buffer.from(img).toString("hex"), "35c26821a2da0fc90040" + "0000000000000080ff3f");
        assert.equal(cpu.step().kind, "step");
        assert.deepEqual([cpu.fpu.st(0), cpu.fpu.st(1)], [Math.PI, 1]);
        assert.equal(cpu.fpu.statusWord() & 0x3800, 6 << 11);
      });

      it("unmasked exception: ES set, no result, #MF at the next waiting instruction (SDM Vol. 1 8.6)", () => {
        const pre = [m(bits, "d9", 5), FLDZ, FLD1, "def1"];
        const r = run(bits, [...pre, "9b"], le16(0x37b));
        assert.equal(r.stop.kind === "fault" && r.stop.fault.vector, "MF");
        assert.equal(r.cpu.rip, CODE + pre.join("").length / 2); // at the fwait
        assert.equal(r.sw & (ZE | ES), ZE | ES);
        assert.equal(r.st(0), 1); // the destination was not written, nothing popped
        // fnclex clears the flags; fwait then passes
        const ok = run(bits, [m(bits, "d9", 5), FLDZ, FLD1, "def1", "dbe2", "9b"], le16(0x37b));
        assert.equal(ok.stop.kind, "step");
      });

      it("a faulting store changes nothing (precise #PF)", () => {
        const { cpu } = machine(bits, [FLD1, bits === 32 ? "db3d00000090" : "db3c2500000090"].join(""));
        cpu.step();
        const s = cpu.step();
        assert.equal(s.kind === "fault" && s.fault.vector, "PF");
        assert.equal(cpu.fpu.statusWord() & 0x3800, 7 << 11);
        assert.equal(cpu.fpu.st(0), 1);
      });
    });
  });
}
