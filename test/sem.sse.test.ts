/**
 * SSE/SSE2 floating point: arithmetic, MXCSR rounding/flags, NaN rules, min/max, compares, conversions.
 * Expected values follow the Intel SDM (Vol. 1 4.8.3.5 Table 4-7 NaN rules, 4.9/11.5 exceptions,
 * 10.2.3 MXCSR; Vol. 2 instruction pages) and IEEE 754 rounding.
 */
import { strict as assert } from "node:assert";
import { CF, OF, PF, SF, AF, ZF } from "../src/cpu/flags";
import { DATA, db, exec, fault, fb, getQ, getX, setMm, setQ, setX } from "./sse-harness";

// MXCSR: flags IE=1 DE=2 ZE=4 OE=8 UE=0x10 PE=0x20; default 0x1F80 (all masked, round to nearest).
const IE = 1;
const DE = 2;
const ZE = 4;
const OE = 8;
const UE = 0x10;
const PE = 0x20;
const RN = 0x1f80;
const RD = 0x3f80;
const RU = 0x5f80;
const RZ = 0x7f80;
const DAZ = 0x40;
const FTZ = 0x8000;

/** Run scalar single op `op` (F3 0F op C1: xmm0 op= xmm1) on bit patterns; returns [result bits, flags]. */
function ss(op: number, a: number, b: number, mxcsr = RN): [number, number] {
  const r = exec(`F3 0F ${op.toString(16)} C1`, (cpu) => {
    setX(cpu, 0, a, 0x11111111, 0x22222222, 0x33333333);
    setX(cpu, 1, b, 0x44444444);
    cpu.mxcsr = mxcsr;
  });
  assert.equal(fault(r), "none");
  // Scalar ops leave bits 127:32 of the destination unchanged.
  assert.deepEqual(getX(r.cpu, 0).slice(1), [0x11111111, 0x22222222, 0x33333333]);
  return [getX(r.cpu, 0)[0], r.cpu.mxcsr & 0x3f];
}

/** Scalar double op (F2 0F op C1) on bit patterns given as hex. */
function sd(op: number, a: string, b: string, mxcsr = RN): [string, number] {
  const r = exec(`F2 0F ${op.toString(16)} C1`, (cpu) => {
    setQ(cpu, 0, a);
    setQ(cpu, 1, b);
    cpu.xmm[2] = 0x5555;
    cpu.mxcsr = mxcsr;
  });
  assert.equal(fault(r), "none");
  assert.equal(r.cpu.xmm[2], 0x5555);
  return [getQ(r.cpu, 0), r.cpu.mxcsr & 0x3f];
}

const ADD = 0x58;
const MUL = 0x59;
const SUB = 0x5c;
const MIN = 0x5d;
const DIV = 0x5e;
const MAX = 0x5f;
const SQRT = 0x51;

const ONE = 0x3f800000;
const TWO = 0x40000000;
const QNAN = 0xffc00000; // single real indefinite
const MAXF = 0x7f7fffff;
const MINN = 0x00800000; // 2^-126

describe("SSE arithmetic (addss/subss/mulss/divss/sqrtss, sd forms)", () => {
  it("computes exact results without flags", () => {
    assert.deepEqual(ss(ADD, ONE, TWO), [fb(3), 0]);
    assert.deepEqual(ss(SUB, ONE, TWO), [fb(-1), 0]);
    assert.deepEqual(ss(MUL, fb(1.5), fb(-4)), [fb(-6), 0]);
    assert.deepEqual(ss(DIV, fb(1), fb(4)), [fb(0.25), 0]);
    assert.deepEqual(ss(SQRT, 0, fb(16)), [fb(4), 0]);
  });

  it("rounds by MXCSR.RC and sets PE (SDM Vol. 1 4.8.4)", () => {
    // 1 + 2^-24 is halfway between 1 and 1 + 2^-23: ties to even.
    const h = fb(2 ** -24);
    assert.deepEqual(ss(ADD, ONE, h, RN), [ONE, PE]);
    assert.deepEqual(ss(ADD, ONE, h, RU), [ONE + 1, PE]);
    assert.deepEqual(ss(ADD, ONE, h, RD), [ONE, PE]);
    assert.deepEqual(ss(ADD, ONE, h, RZ), [ONE, PE]);
    // 1 + 3*2^-25 is above the halfway point.
    assert.deepEqual(ss(ADD, ONE, fb(3 * 2 ** -25), RN), [ONE + 1, PE]);
    // 1 - 2^-80: the double sum rounds to 1, the single result must still see the tiny deficit.
    const t = fb(-(2 ** -80));
    assert.deepEqual(ss(ADD, ONE, t, RN), [ONE, PE]);
    assert.deepEqual(ss(ADD, ONE, t, RD), [0x3f7fffff, PE]);
    assert.deepEqual(ss(ADD, ONE, t, RZ), [0x3f7fffff, PE]);
    assert.deepEqual(ss(ADD, ONE, t, RU), [ONE, PE]);
    // 1/3 in single: 0x3EAAAAAB to nearest (above), 0x3EAAAAAA toward zero.
    assert.deepEqual(ss(DIV, ONE, fb(3), RN), [0x3eaaaaab, PE]);
    assert.deepEqual(ss(DIV, ONE, fb(3), RZ), [0x3eaaaaaa, PE]);
    assert.deepEqual(ss(DIV, fb(-1), fb(3), RD), [0xbeaaaaab, PE]);
  });

  it("gives the sign of an exact zero sum by rounding mode (IEEE 754 6.3)", () => {
    assert.deepEqual(ss(SUB, ONE, ONE, RN), [0, 0]);
    assert.deepEqual(ss(SUB, ONE, ONE, RD), [0x80000000, 0]);
    assert.deepEqual(ss(ADD, 0, 0x80000000, RN), [0, 0]);
    assert.deepEqual(ss(ADD, 0, 0x80000000, RD), [0x80000000, 0]);
    assert.deepEqual(ss(ADD, 0x80000000, 0x80000000, RN), [0x80000000, 0]);
  });

  it("overflows to infinity or the largest finite by RC, with OE and PE (SDM Vol. 1 4.9.1.4)", () => {
    assert.deepEqual(ss(MUL, MAXF, TWO, RN), [0x7f800000, OE | PE]);
    assert.deepEqual(ss(MUL, MAXF, TWO, RZ), [MAXF, OE | PE]);
    assert.deepEqual(ss(MUL, MAXF, TWO, RD), [MAXF, OE | PE]);
    assert.deepEqual(ss(MUL, MAXF | 0x80000000, TWO, RD), [0xff800000, OE | PE]);
    assert.deepEqual(ss(MUL, MAXF | 0x80000000, TWO, RU), [0xff7fffff, OE | PE]);
  });

  it("underflows: UE only when tiny and inexact while masked; FTZ flushes (SDM Vol. 1 4.9.1.5, 10.2.3.3)", () => {
    const half = fb(0.5);
    // 2^-126 * 0.5 = 2^-127 is an exact denormal: no flag.
    assert.deepEqual(ss(MUL, MINN, half), [0x00400000, 0]);
    // 2^-126 (1 + 2^-23) * 0.5 = 2^-127 + 2^-150: halfway between two denormals, even one wins.
    assert.deepEqual(ss(MUL, MINN + 1, half), [0x00400000, UE | PE]);
    assert.deepEqual(ss(MUL, MINN + 1, half, RU), [0x00400001, UE | PE]);
    // Just below 2^-126: rounds up to the smallest normal but is tiny.
    assert.deepEqual(ss(MUL, 0x3f7fffff, MINN), [MINN, UE | PE]);
    assert.deepEqual(ss(MUL, MINN + 1, half, RN | FTZ), [0, UE | PE]);
    assert.deepEqual(ss(MUL, MINN, half, RN | FTZ), [0, UE | PE]);
  });

  it("signals divide-by-zero and invalid operations (SDM Vol. 1 11.5.2.1, 11.5.2.3)", () => {
    assert.deepEqual(ss(DIV, ONE, 0), [0x7f800000, ZE]);
    assert.deepEqual(ss(DIV, ONE, 0x80000000), [0xff800000, ZE]);
    assert.deepEqual(ss(DIV, 0, 0), [QNAN, IE]);
    assert.deepEqual(ss(DIV, 0x7f800000, 0xff800000), [QNAN, IE]);
    assert.deepEqual(ss(ADD, 0x7f800000, 0xff800000), [QNAN, IE]);
    assert.deepEqual(ss(SUB, 0x7f800000, 0x7f800000), [QNAN, IE]);
    assert.deepEqual(ss(MUL, 0x7f800000, 0), [QNAN, IE]);
    assert.deepEqual(ss(SQRT, 0, fb(-1)), [QNAN, IE]);
    // sqrt(-0) = -0; infinities are exact.
    assert.deepEqual(ss(SQRT, 0, 0x80000000), [0x80000000, 0]);
    assert.deepEqual(ss(ADD, 0x7f800000, ONE), [0x7f800000, 0]);
    assert.deepEqual(ss(DIV, ONE, 0x7f800000), [0, 0]);
  });

  it("propagates NaNs: the first source wins, SNaNs are quieted and raise IE (SDM Vol. 1 Table 4-7)", () => {
    assert.deepEqual(ss(ADD, 0x7fc00001, 0xffc00002), [0x7fc00001, 0]);
    assert.deepEqual(ss(ADD, ONE, 0xffc00002), [0xffc00002, 0]);
    assert.deepEqual(ss(ADD, ONE, 0x7f800001), [0x7fc00001, IE]);
    assert.deepEqual(ss(MUL, 0x7f800002, 0x7fc00003), [0x7fc00002, IE]);
    assert.deepEqual(ss(MUL, 0x7fc00003, 0x7f800002), [0x7fc00003, IE]);
    // A QNaN beats divide-by-zero and keeps its payload and sign.
    assert.deepEqual(ss(DIV, 0xffc12345, 0), [0xffc12345, 0]);
    assert.deepEqual(ss(SQRT, 0, 0xff800005), [0xffc00005, IE]);
  });

  it("reports denormal operands (DE) unless DAZ (SDM Vol. 1 11.5.2.2, 10.2.3.4)", () => {
    assert.deepEqual(ss(ADD, ONE, 1), [ONE, DE | PE]);
    assert.deepEqual(ss(ADD, ONE, 1, RN | DAZ), [ONE, 0]);
    assert.deepEqual(ss(ADD, 0, 1), [1, DE]);
    assert.deepEqual(ss(MUL, 1, 0x80000000, RN | DAZ), [0x80000000, 0]);
    // Divide-by-zero has priority over denormal.
    assert.deepEqual(ss(DIV, 1, 0), [0x7f800000, ZE]);
    // Denormal times infinity: DE, exact infinity.
    assert.deepEqual(ss(MUL, 1, 0x7f800000), [0x7f800000, DE]);
  });

  it("accumulates flags into MXCSR (sticky)", () => {
    const r = exec("F3 0F 58 C1", (cpu) => {
      setX(cpu, 0, ONE);
      setX(cpu, 1, ONE);
      cpu.mxcsr = RN | ZE;
    });
    assert.equal(r.cpu.mxcsr, RN | ZE);
  });

  it("computes double precision with directed rounding", () => {
    const one = "3ff0000000000000";
    const third = db(1 / 3);
    assert.deepEqual(sd(DIV, one, db(3)), [third, PE]);
    assert.deepEqual(sd(DIV, one, db(3), RU), ["3fd5555555555556", PE]);
    assert.deepEqual(sd(DIV, one, db(3), RD), ["3fd5555555555555", PE]);
    // sqrt(2) rounded to nearest is above the exact root.
    assert.deepEqual(sd(SQRT, one, db(2)), ["3ff6a09e667f3bcd", PE]);
    assert.deepEqual(sd(SQRT, one, db(2), RD), ["3ff6a09e667f3bcc", PE]);
    assert.deepEqual(sd(SQRT, one, db(2), RU), ["3ff6a09e667f3bcd", PE]);
    // 1 + 2^-60 and 1 - 2^-60.
    assert.deepEqual(sd(ADD, one, db(2 ** -60)), [one, PE]);
    assert.deepEqual(sd(ADD, one, db(2 ** -60), RU), ["3ff0000000000001", PE]);
    assert.deepEqual(sd(SUB, one, db(2 ** -60), RZ), ["3fefffffffffffff", PE]);
    assert.deepEqual(sd(MUL, db(3), db(1 + 2 ** -52), RD), [db(3 + 2 ** -51), PE]);
    assert.deepEqual(sd(MUL, db(3), db(1 + 2 ** -52), RU), [db(3 + 2 ** -50), PE]);
  });

  it("handles double overflow, underflow and NaNs", () => {
    assert.deepEqual(sd(MUL, db(Number.MAX_VALUE), db(2)), ["7ff0000000000000", OE | PE]);
    assert.deepEqual(sd(MUL, db(Number.MAX_VALUE), db(2), RZ), ["7fefffffffffffff", OE | PE]);
    assert.deepEqual(sd(MUL, db(2 ** -1022), db(0.5)), ["0008000000000000", 0]);
    assert.deepEqual(sd(MUL, "0010000000000001", db(0.5)), ["0008000000000000", UE | PE]);
    assert.deepEqual(sd(MUL, "0010000000000001", db(0.5), RU), ["0008000000000001", UE | PE]);
    assert.deepEqual(sd(MUL, "0010000000000001", db(0.5), RN | FTZ), ["0000000000000000", UE | PE]);
    assert.deepEqual(sd(ADD, "7ff0000000000001", db(1)), ["7ff8000000000001", IE]);
    assert.deepEqual(sd(ADD, db(1), "fff8000000000002"), ["fff8000000000002", 0]);
    assert.deepEqual(sd(DIV, db(0), db(0)), ["fff8000000000000", IE]);
    assert.deepEqual(sd(ADD, db(1), "0000000000000001"), [db(1), DE | PE]);
  });

  it("works lane-wise for packed forms and checks 16-byte alignment of m128", () => {
    const r = exec("0F 58 C1", (cpu) => {
      setX(cpu, 0, ONE, TWO, 0x7f800000, fb(-1));
      setX(cpu, 1, ONE, ONE, 0xff800000, fb(1));
    });
    assert.deepEqual(getX(r.cpu, 0), [fb(2), fb(3), QNAN >>> 0, 0]);
    assert.equal(r.cpu.mxcsr, RN | IE);
    const pd = exec("66 0F 5E C1", (cpu) => {
      setQ(cpu, 0, db(1), 0);
      setQ(cpu, 0, db(-6), 1);
      setQ(cpu, 1, db(4), 0);
      setQ(cpu, 1, db(2), 1);
    });
    assert.equal(getQ(pd.cpu, 0, 0), db(0.25));
    assert.equal(getQ(pd.cpu, 0, 1), db(-3));
    // addps xmm0, [rax]: unaligned m128 is #GP(0); addss xmm0, [rax] is not.
    assert.equal(fault(exec("0F 58 00", (cpu) => cpu.setReg(0, 64, true, DATA + 4))), "GP");
    assert.equal(fault(exec("F3 0F 58 00", (cpu) => cpu.setReg(0, 64, true, DATA + 4))), "none");
    assert.equal(fault(exec("0F 58 00", (cpu) => cpu.setReg(0, 64, true, DATA + 16))), "none");
  });

  it("raises #XM for an unmasked exception and leaves the destination unchanged (SDM Vol. 1 11.5.4)", () => {
    const r = exec("F3 0F 5E C1", (cpu) => {
      setX(cpu, 0, ONE);
      setX(cpu, 1, 0);
      cpu.mxcsr = RN & ~0x200; // ZM clear
    });
    assert.equal(fault(r), "XM");
    assert.equal(r.cpu.xmm[0], ONE);
    assert.equal(r.cpu.mxcsr & 0x3f, ZE);
  });
});

describe("SSE min/max", () => {
  it("returns the second operand for NaNs (IE even for QNaN) and for two zeros (SDM Vol. 2 MINPS/MAXPS)", () => {
    assert.deepEqual(ss(MIN, ONE, TWO), [ONE, 0]);
    assert.deepEqual(ss(MAX, ONE, TWO), [TWO, 0]);
    assert.deepEqual(ss(MIN, 0x7fc00000, ONE), [ONE, IE]);
    assert.deepEqual(ss(MIN, ONE, 0x7fc00000), [0x7fc00000, IE]);
    // The SNaN second operand is returned as is (not quieted).
    assert.deepEqual(ss(MAX, ONE, 0x7f800001), [0x7f800001, IE]);
    assert.deepEqual(ss(MIN, 0, 0x80000000), [0x80000000, 0]);
    assert.deepEqual(ss(MIN, 0x80000000, 0), [0, 0]);
    assert.deepEqual(ss(MAX, 0x80000000, 0), [0, 0]);
    assert.deepEqual(ss(MAX, 0, 0x80000000), [0x80000000, 0]);
    assert.deepEqual(ss(MIN, 1, ONE), [1, DE]);
    assert.deepEqual(sd(MIN, db(-1), "7ff8000000000000"), ["7ff8000000000000", IE]);
    assert.deepEqual(sd(MAX, db(-1), db(-2)), [db(-1), 0]);
    assert.deepEqual(sd(MIN, "0000000000000001", db(0), RN | DAZ), ["0000000000000000", 0]);
  });
});

describe("SSE compares", () => {
  function cmpps(pred: number, a: number, b: number): [number, number] {
    const r = exec(`0F C2 C1 ${pred.toString(16)}`, (cpu) => {
      setX(cpu, 0, a, a, a, a);
      setX(cpu, 1, b, b, b, b);
    });
    return [getX(r.cpu, 0)[0], r.cpu.mxcsr & 0x3f];
  }
  const T = 0xffffffff;
  const qnan = 0x7fc00000;
  const snan = 0x7f800001;

  it("evaluates predicates 0..7 (EQ LT LE UNORD NEQ NLT NLE ORD)", () => {
    const expect12 = [0, T, T, 0, T, 0, 0, T]; // 1 vs 2
    const expect11 = [T, 0, T, 0, 0, T, 0, T]; // 1 vs 1
    for (let p = 0; p < 8; p++) {
      assert.deepEqual(cmpps(p, ONE, TWO), [expect12[p], 0], `pred ${p} 1,2`);
      assert.deepEqual(cmpps(p, ONE, ONE), [expect11[p], 0], `pred ${p} 1,1`);
    }
  });

  it("QNaN signals IE only for LT/LE/NLT/NLE; SNaN always (SDM Vol. 2 CMPPS)", () => {
    const nanRes = [0, 0, 0, T, T, T, T, 0];
    const signals = [0, IE, IE, 0, 0, IE, IE, 0];
    for (let p = 0; p < 8; p++) {
      assert.deepEqual(cmpps(p, ONE, qnan), [nanRes[p], signals[p]], `pred ${p} qnan`);
      assert.deepEqual(cmpps(p, snan, ONE), [nanRes[p], IE], `pred ${p} snan`);
    }
    // +0 equals -0.
    assert.deepEqual(cmpps(0, 0, 0x80000000), [T, 0]);
  });

  it("cmpsd/cmpss write the low element only", () => {
    const r = exec("F2 0F C2 C1 01", (cpu) => {
      setQ(cpu, 0, db(1));
      setQ(cpu, 1, db(2));
      cpu.xmm[2] = 7;
    });
    assert.deepEqual(getX(r.cpu, 0), [T, T, 7, 0]);
  });

  function comi(hex: string, a: number, b: number): [number, number] {
    const r = exec(hex, (cpu) => {
      setX(cpu, 0, a);
      setX(cpu, 1, b);
      cpu.setEflags(0x202 | OF | SF | AF);
    });
    return [r.cpu.getEflags() & (CF | PF | AF | ZF | SF | OF), r.cpu.mxcsr & 0x3f];
  }

  it("comiss/ucomiss set ZF PF CF and clear OF SF AF (SDM Vol. 2 COMISS)", () => {
    assert.deepEqual(comi("0F 2F C1", ONE, TWO), [CF, 0]);
    assert.deepEqual(comi("0F 2F C1", TWO, ONE), [0, 0]);
    assert.deepEqual(comi("0F 2F C1", ONE, ONE), [ZF, 0]);
    assert.deepEqual(comi("0F 2F C1", qnan, ONE), [ZF | PF | CF, IE]);
    assert.deepEqual(comi("0F 2E C1", qnan, ONE), [ZF | PF | CF, 0]);
    assert.deepEqual(comi("0F 2E C1", snan, ONE), [ZF | PF | CF, IE]);
    assert.deepEqual(comi("0F 2E C1", 0x80000000, 0), [ZF, 0]);
  });

  it("comisd/ucomisd compare doubles", () => {
    const run = (hex: string, a: string, b: string): number => {
      const r = exec(hex, (cpu) => {
        setQ(cpu, 0, a);
        setQ(cpu, 1, b);
      });
      return r.cpu.getEflags() & (CF | PF | ZF);
    };
    assert.equal(run("66 0F 2F C1", db(-1), db(1)), CF);
    assert.equal(run("66 0F 2E C1", db(1), db(1)), ZF);
    assert.equal(run("66 0F 2E C1", "7ff8000000000000", db(1)), ZF | PF | CF);
  });
});

describe("SSE reciprocal approximations (rcpss/rsqrtss)", () => {
  // Deviation (documented in softfp.ts): exact 1/x rounded to single instead of a 12-bit approximation.
  it("returns 1/x and 1/sqrt(x) and the special cases of SDM Vol. 2 RCPSS/RSQRTSS, no flags", () => {
    assert.deepEqual(ss(0x53, 0, fb(4)), [fb(0.25), 0]);
    assert.deepEqual(ss(0x53, 0, 0x80000000), [0xff800000, 0]);
    assert.deepEqual(ss(0x53, 0, 1), [0x7f800000, 0]); // denormal input acts as zero
    assert.deepEqual(ss(0x53, 0, 0x7f800000), [0, 0]);
    assert.deepEqual(ss(0x53, 0, 0x7f7fffff), [0, 0]); // tiny result flushed
    assert.deepEqual(ss(0x52, 0, fb(4)), [fb(0.5), 0]);
    assert.deepEqual(ss(0x52, 0, fb(-4)), [QNAN, 0]);
    assert.deepEqual(ss(0x52, 0, 0x80000000), [0xff800000, 0]);
  });
});

describe("SSE logic, shuffles, unpacks", () => {
  it("andnps/xorpd/orps operate bitwise", () => {
    const r = exec("0F 55 C1", (cpu) => {
      setX(cpu, 0, 0xff00ff00, 0, -1, 0x12345678);
      setX(cpu, 1, 0x0ff00ff0, -1, -1, 0x0f0f0f0f);
    });
    assert.deepEqual(getX(r.cpu, 0), [0x00f000f0, 0xffffffff, 0, 0x0d0b0907]);
  });

  it("shufps/shufpd select by imm8", () => {
    const r = exec("0F C6 C1 1B", (cpu) => {
      setX(cpu, 0, 0, 1, 2, 3);
      setX(cpu, 1, 10, 11, 12, 13);
    });
    assert.deepEqual(getX(r.cpu, 0), [3, 2, 11, 10]);
    const d = exec("66 0F C6 C1 01", (cpu) => {
      setX(cpu, 0, 0, 1, 2, 3);
      setX(cpu, 1, 10, 11, 12, 13);
    });
    assert.deepEqual(getX(d.cpu, 0), [2, 3, 10, 11]);
  });

  it("unpcklps/unpckhps/unpcklpd/unpckhpd interleave", () => {
    const set = (cpu: Parameters<typeof setX>[0]): void => {
      setX(cpu, 0, 0, 1, 2, 3);
      setX(cpu, 1, 10, 11, 12, 13);
    };
    assert.deepEqual(getX(exec("0F 14 C1", set).cpu, 0), [0, 10, 1, 11]);
    assert.deepEqual(getX(exec("0F 15 C1", set).cpu, 0), [2, 12, 3, 13]);
    assert.deepEqual(getX(exec("66 0F 14 C1", set).cpu, 0), [0, 1, 10, 11]);
    assert.deepEqual(getX(exec("66 0F 15 C1", set).cpu, 0), [2, 3, 12, 13]);
  });
});

describe("SSE conversions", () => {
  function toInt(
    hex: string,
    setup: (cpu: Parameters<typeof setX>[0]) => void,
    mxcsr = RN,
  ): [string, number] {
    const r = exec(hex, (cpu) => {
      cpu.setReg(0, 64, true, 0x11111111, 0x22222222);
      setup(cpu);
      cpu.mxcsr = mxcsr;
    });
    assert.equal(fault(r), "none");
    const v = ((BigInt(r.cpu.hi[0] >>> 0) << 32n) | BigInt(r.cpu.lo[0] >>> 0)).toString(16);
    return [v, r.cpu.mxcsr & 0x3f];
  }
  const ss0 = (v: number) => (cpu: Parameters<typeof setX>[0]) => setX(cpu, 0, fb(v));
  const sd0 = (hex: string) => (cpu: Parameters<typeof setX>[0]) => setQ(cpu, 0, hex);
  const CVTSS2SI = "F3 0F 2D C0";
  const CVTTSS2SI = "F3 0F 2C C0";

  it("cvtss2si rounds by RC; cvttss2si truncates; inexact sets PE", () => {
    assert.deepEqual(toInt(CVTSS2SI, ss0(2.5)), ["2", PE]);
    assert.deepEqual(toInt(CVTSS2SI, ss0(3.5)), ["4", PE]);
    assert.deepEqual(toInt(CVTSS2SI, ss0(-2.5), RD), ["fffffffd", PE]);
    assert.deepEqual(toInt(CVTSS2SI, ss0(2.25), RU), ["3", PE]);
    assert.deepEqual(toInt(CVTTSS2SI, ss0(-2.75)), ["fffffffe", PE]);
    assert.deepEqual(toInt(CVTTSS2SI, ss0(7)), ["7", 0]);
  });

  it("returns the integer indefinite with IE for NaN and out-of-range sources", () => {
    assert.deepEqual(toInt(CVTTSS2SI, ss0(3e9)), ["80000000", IE]);
    assert.deepEqual(
      toInt(CVTTSS2SI, (cpu) => setX(cpu, 0, 0x7fc00000)),
      ["80000000", IE],
    );
    assert.deepEqual(toInt(CVTTSS2SI, ss0(-2147483648)), ["80000000", 0]);
    // cvtsd2si rax, xmm0 (REX.W): 64-bit indefinite 0x8000000000000000.
    assert.deepEqual(toInt("F2 48 0F 2D C0", sd0(db(2 ** 63))), ["8000000000000000", IE]);
    assert.deepEqual(toInt("F2 48 0F 2D C0", sd0(db(-(2 ** 63)))), ["8000000000000000", 0]);
    assert.deepEqual(toInt("F2 48 0F 2C C0", sd0(db(-1.5))), ["ffffffffffffffff", PE]);
    assert.deepEqual(toInt("F2 0F 2C C0", sd0(db(-2147483648.9))), ["80000000", PE]);
    assert.deepEqual(toInt("F2 0F 2D C0", sd0(db(2147483647.5))), ["80000000", IE]);
    // Conversions to integer do not signal DE (SDM Vol. 1 11.5.2.2).
    assert.deepEqual(
      toInt(CVTSS2SI, (cpu) => setX(cpu, 0, 1)),
      ["0", PE],
    );
  });

  function toFloat(hex: string, lo: number, hi: number, mxcsr = RN): [number[], number] {
    const r = exec(hex, (cpu) => {
      cpu.setReg(0, 64, true, lo, hi);
      setX(cpu, 0, 0, 0x99, 0x88, 0x77);
      cpu.mxcsr = mxcsr;
    });
    return [getX(r.cpu, 0), r.cpu.mxcsr & 0x3f];
  }

  it("cvtsi2ss/cvtsi2sd round by RC and merge into the destination", () => {
    assert.deepEqual(toFloat("F3 0F 2A C0", 16777217, 0), [[fb(16777216), 0x99, 0x88, 0x77], PE]);
    assert.deepEqual(toFloat("F3 0F 2A C0", 16777217, 0, RU)[0][0], fb(16777218));
    assert.deepEqual(toFloat("F3 0F 2A C0", -1, 0), [[fb(-1), 0x99, 0x88, 0x77], 0]);
    // cvtsi2ss xmm0, rax: 2^63 - 1 rounds to 2^63.
    assert.deepEqual(toFloat("F3 48 0F 2A C0", -1, 0x7fffffff)[0][0], 0x5f000000);
    assert.deepEqual(toFloat("F3 48 0F 2A C0", -1, 0x7fffffff, RZ)[0][0], 0x5effffff);
    // cvtsi2sd xmm0, rax: 2^53 + 1 rounds to 2^53 (PE); an int32 is exact.
    const r = exec("F2 48 0F 2A C0", (cpu) => cpu.setReg(0, 64, true, 1, 0x200000));
    assert.equal(getQ(r.cpu, 0), db(2 ** 53));
    assert.equal(r.cpu.mxcsr & 0x3f, PE);
    const s = exec("F2 0F 2A C0", (cpu) => cpu.setReg(0, 64, true, -5, 0));
    assert.equal(getQ(s.cpu, 0), db(-5));
    assert.equal(s.cpu.mxcsr & 0x3f, 0);
  });

  it("cvtsd2ss/cvtss2sd convert with rounding, overflow, underflow and NaN quieting", () => {
    const run = (hex: string, setup: (cpu: Parameters<typeof setX>[0]) => void, mxcsr = RN) => {
      const r = exec(hex, (cpu) => {
        setup(cpu);
        cpu.mxcsr = mxcsr;
      });
      return { x0: getX(r.cpu, 0), q0: getQ(r.cpu, 0), flags: r.cpu.mxcsr & 0x3f };
    };
    const d2s = (hex16: string, mxcsr = RN) => run("F2 0F 5A C1", (cpu) => setQ(cpu, 1, hex16), mxcsr);
    assert.equal(d2s(db(0.1)).x0[0], fb(0.1));
    assert.equal(d2s(db(0.1)).flags, PE);
    assert.deepEqual([d2s(db(1e300)).x0[0], d2s(db(1e300)).flags], [0x7f800000, OE | PE]);
    assert.deepEqual([d2s(db(1e300), RZ).x0[0], d2s(db(1e300), RZ).flags], [MAXF, OE | PE]);
    assert.deepEqual([d2s("0000000000000001").x0[0], d2s("0000000000000001").flags], [0, UE | PE | DE]);
    assert.deepEqual([d2s("7ff0000000000001").x0[0], d2s("7ff0000000000001").flags], [0x7fc00000, IE]);
    assert.equal(d2s("fff8000000000000").x0[0], 0xffc00000);
    const s2d = (bits: number) => run("F3 0F 5A C1", (cpu) => setX(cpu, 1, bits));
    assert.deepEqual([s2d(fb(0.1)).q0, s2d(fb(0.1)).flags], [db(Math.fround(0.1)), 0]);
    // SNaN single -> QNaN double with the payload in the top fraction bits.
    assert.deepEqual([s2d(0x7f800001).q0, s2d(0x7f800001).flags], ["7ff8000020000000", IE]);
    assert.deepEqual([s2d(1).q0, s2d(1).flags], [db(2 ** -149), DE]);
  });

  it("packed conversions: cvtps2pd, cvtpd2ps (high qword zeroed), cvtdq2ps, cvtps2dq, cvttpd2dq, cvtdq2pd", () => {
    let r = exec("0F 5A C1", (cpu) => setX(cpu, 1, fb(1.5), fb(-2), 5, 6));
    assert.deepEqual([getQ(r.cpu, 0, 0), getQ(r.cpu, 0, 1)], [db(1.5), db(-2)]);
    r = exec("66 0F 5A C1", (cpu) => {
      setX(cpu, 0, 1, 2, 3, 4);
      setQ(cpu, 1, db(0.5), 0);
      setQ(cpu, 1, db(-8), 1);
    });
    assert.deepEqual(getX(r.cpu, 0), [fb(0.5), fb(-8), 0, 0]);
    r = exec("0F 5B C1", (cpu) => setX(cpu, 1, 1, -1, 0x7fffffff, 0x80000000));
    assert.deepEqual(getX(r.cpu, 0), [fb(1), fb(-1), fb(2147483648), fb(-2147483648)]);
    r = exec("66 0F 5B C1", (cpu) => setX(cpu, 1, fb(1.5), fb(-1.5), fb(2.5), 0x7fc00000));
    assert.deepEqual(getX(r.cpu, 0), [2, 0xfffffffe, 2, 0x80000000]);
    assert.equal(r.cpu.mxcsr & 0x3f, IE | PE);
    r = exec("F3 0F 5B C1", (cpu) => setX(cpu, 1, fb(1.5), fb(-1.5), fb(2.5), fb(-0.5)));
    assert.deepEqual(getX(r.cpu, 0), [1, 0xffffffff, 2, 0]);
    r = exec("66 0F E6 C1", (cpu) => {
      setX(cpu, 0, 9, 9, 9, 9);
      setQ(cpu, 1, db(-7.9), 0);
      setQ(cpu, 1, db(7.9), 1);
    });
    assert.deepEqual(getX(r.cpu, 0), [0xfffffff9, 7, 0, 0]);
    r = exec("F2 0F E6 C1", (cpu) => {
      setQ(cpu, 1, db(-7.5), 0);
      setQ(cpu, 1, db(6.5), 1);
    });
    assert.deepEqual(getX(r.cpu, 0), [0xfffffff8, 6, 0, 0]);
    r = exec("F3 0F E6 C1", (cpu) => setX(cpu, 1, -3, 0x7fffffff, 9, 9));
    assert.deepEqual([getQ(r.cpu, 0, 0), getQ(r.cpu, 0, 1)], [db(-3), db(2147483647)]);
  });

  it("MMX-register conversions cvtpi2ps/cvtps2pi/cvttps2pi/cvtpi2pd/cvtpd2pi set MMX state", () => {
    let r = exec("0F 2A C1", (cpu) => {
      setMm(cpu, 1, 3, -4);
      setX(cpu, 0, 0, 0, 7, 8);
    });
    assert.deepEqual(getX(r.cpu, 0), [fb(3), fb(-4), 7, 8]);
    // MMX state: TOP = 0, every register tagged not empty (SDM Vol. 1 9.5.1).
    assert.deepEqual([r.cpu.fpu.top, r.cpu.fpu.abridgedTag()], [0, 0xff]);
    r = exec("0F 2D C1", (cpu) => setX(cpu, 1, fb(2.5), fb(-3.5)));
    assert.deepEqual([r.cpu.fpu.mmx[0], r.cpu.fpu.mmx[1]], [2, -4]);
    r = exec("0F 2C C1", (cpu) => setX(cpu, 1, fb(2.5), fb(-3.5)));
    assert.deepEqual([r.cpu.fpu.mmx[0], r.cpu.fpu.mmx[1]], [2, -3]);
    r = exec("66 0F 2A C1", (cpu) => {
      setMm(cpu, 1, -1, 0x7fffffff);
    });
    assert.deepEqual([getQ(r.cpu, 0, 0), getQ(r.cpu, 0, 1)], [db(-1), db(2147483647)]);
    r = exec("66 0F 2D C1", (cpu) => {
      setQ(cpu, 1, db(1e10), 0);
      setQ(cpu, 1, db(-0.5), 1);
    });
    assert.deepEqual([r.cpu.fpu.mmx[0], r.cpu.fpu.mmx[1]], [0x80000000 | 0, 0]);
    assert.equal(r.cpu.mxcsr & 0x3f, IE | PE);
    assert.equal(r.cpu.fpu.abridgedTag(), 0xff);
  });
});
