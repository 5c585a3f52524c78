/**
 * Packed integer instructions, SSE2 (66, xmm) and MMX (NP, mm) forms, and the MMX state rules. Expected
 * values from the operations as the Intel SDM Vol. 2 defines them (PADDSB, PMADDWD, PSADBW, PACKSSWB, ...)
 * and Vol. 1 9.5 (MMX/x87 interaction).
 */
import { strict as assert } from "node:assert";
import { DATA, exec, fault, getMm, getX, readMem, setMm, setX, writeMem } from "./sse-harness";

/** Run `66 0F op C1` (xmm0 op= xmm1) on dwords; returns xmm0. */
function x(op: string, a: number[], b: number[], imm = ""): number[] {
  const r = exec(`66 0F ${op} C1 ${imm}`, (cpu) => {
    setX(cpu, 0, a[0], a[1] ?? 0, a[2] ?? 0, a[3] ?? 0);
    setX(cpu, 1, b[0], b[1] ?? 0, b[2] ?? 0, b[3] ?? 0);
  });
  assert.equal(fault(r), "none");
  return getX(r.cpu, 0);
}

/** Run `0F op C1` (mm0 op= mm1) on dwords; returns mm0. */
function m(op: string, a: number[], b: number[], imm = ""): number[] {
  const r = exec(`0F ${op} C1 ${imm}`, (cpu) => {
    setMm(cpu, 0, a[0], a[1] ?? 0);
    setMm(cpu, 1, b[0], b[1] ?? 0);
  });
  assert.equal(fault(r), "none");
  return getMm(r.cpu, 0);
}

describe("SSE2/MMX packed add and subtract", () => {
  // Bytes FF 7F 80 01 and 01 01 80 FF (low byte first).
  const a = [0x01807fff];
  const b = [0xff800101];
  it("wraps (paddb/psubb/paddw/paddd/paddq/psubq)", () => {
    assert.equal(x("FC", a, b)[0], 0x00008000);
    assert.equal(m("FC", a, b)[0], 0x00008000);
    assert.equal(x("F8", [0x00000000], [0x01010101])[0], 0xffffffff);
    assert.equal(x("FD", [0x8000ffff], [0x80000001])[0], 0);
    assert.equal(x("FE", [0x7fffffff], [1])[0], 0x80000000);
    assert.deepEqual(x("D4", [0xffffffff, 0, 0xffffffff, 0xffffffff], [1, 0, 1, 0]), [0, 1, 0, 0]);
    assert.deepEqual(m("D4", [0xffffffff, 0x7fffffff], [1, 0]), [0, 0x80000000]);
    assert.deepEqual(x("FB", [0, 0, 0, 1], [1, 0, 1, 0]), [0xffffffff, 0xffffffff, 0xffffffff, 0]);
  });

  it("saturates signed (paddsb/psubsb/paddsw/psubsw) and unsigned (paddusb/psubusb/paddusw/psubusw)", () => {
    assert.equal(x("EC", a, b)[0], 0x00807f00);
    assert.equal(m("EC", a, b)[0], 0x00807f00);
    assert.equal(x("E8", a, b)[0], 0x02007efe);
    assert.equal(x("DC", a, b)[0], 0xffff80ff);
    assert.equal(x("D8", a, b)[0], 0x00007efe);
    assert.equal(x("ED", [0x8000ffff], [0x80000001])[0], 0x80000000);
    assert.equal(x("DD", [0x8000ffff], [0x80000001])[0], 0xffffffff);
    assert.equal(x("E9", [0x7fff8000], [0xffff0001])[0], 0x7fff8000);
    assert.equal(x("D9", [0x7fff8000], [0xffff0001])[0], 0x00007fff);
  });
});

describe("SSE2/MMX multiplies", () => {
  it("pmullw/pmulhw/pmulhuw keep the low/high halves of the word products", () => {
    assert.equal(x("D5", [0x00038000], [0xffff0002])[0], 0xfffd0000);
    assert.equal(x("E5", [0x00038000], [0xffff0002])[0], 0xffffffff);
    assert.equal(x("E4", [0x00038000], [0xffff0002])[0], 0x00020001);
    assert.equal(m("E4", [0x00038000], [0xffff0002])[0], 0x00020001);
  });

  it("pmaddwd adds adjacent products (0x8000 * 0x8000 twice wraps to 0x80000000)", () => {
    assert.deepEqual(
      x("F5", [0x80008000, 0x00020003], [0x80008000, 0xffff0004]).slice(0, 2),
      [0x80000000, 10],
    );
  });

  it("pmuludq multiplies the even unsigned dwords to 64 bits", () => {
    assert.deepEqual(x("F4", [0xffffffff, 5, 2, 7], [0xffffffff, 9, 3, 8]), [1, 0xfffffffe, 6, 0]);
    assert.deepEqual(m("F4", [0x12345678, 0], [0x9abcdef0, 0]), [0x242d2080, 0x0b00ea4e]);
  });
});

describe("SSE2/MMX compares, logic, min/max, average, sad", () => {
  it("pcmpeq*/pcmpgt* produce all-ones masks, signed for gt", () => {
    assert.equal(x("74", [0x04030201], [0x00030001])[0], 0x00ff00ff);
    assert.equal(x("64", [0xff007f80], [0x00ff807f])[0], 0x00ffff00);
    assert.deepEqual(x("66", [0x80000000, 1], [0x7fffffff, 0xffffffff]).slice(0, 2), [0, 0xffffffff]);
    assert.equal(x("65", [0x00018000], [0x0000ffff])[0], 0xffff0000);
    assert.equal(x("75", [0x00018000], [0x00028000])[0], 0x0000ffff);
    assert.deepEqual(x("76", [5, 6], [5, 7]).slice(0, 2), [0xffffffff, 0]);
    assert.equal(m("64", [0xff007f80], [0x00ff807f])[0], 0x00ffff00);
  });

  it("pand/pandn/por/pxor", () => {
    assert.equal(x("DB", [0xff00ff00], [0x0ff00ff0])[0], 0x0f000f00);
    assert.equal(x("DF", [0xff00ff00], [0x0ff00ff0])[0], 0x00f000f0);
    assert.equal(x("EB", [0xff00ff00], [0x0ff00ff0])[0], 0xfff0fff0);
    assert.equal(x("EF", [0xff00ff00], [0x0ff00ff0])[0], 0xf0f0f0f0);
  });

  it("pminub/pmaxub (unsigned bytes), pminsw/pmaxsw (signed words)", () => {
    assert.equal(x("DA", [0x0080ff01], [0xff807f02])[0], 0x00807f01);
    assert.equal(x("DE", [0x0080ff01], [0xff807f02])[0], 0xff80ff02);
    assert.equal(x("EA", [0x00018000], [0xffff7fff])[0], 0xffff8000);
    assert.equal(x("EE", [0x00018000], [0xffff7fff])[0], 0x00017fff);
  });

  it("pavgb/pavgw round up; psadbw sums absolute differences per qword", () => {
    assert.equal(x("E0", [0x020100ff], [0x020201ff])[0], 0x020201ff);
    assert.equal(x("E3", [0x0000ffff], [0x0001ffff])[0], 0x0001ffff);
    // q0: |00-FF| + |FF-00| + |10-20| + |20-10| + |00-01| = 543; q1: |05-03| = 2.
    assert.deepEqual(x("F6", [0x2010ff00, 0, 5, 0], [0x102000ff, 0x01000000, 3, 0]), [543, 0, 2, 0]);
    assert.deepEqual(m("F6", [0x2010ff00, 0xffffffff], [0x1020ff00, 0xffffffff]), [32, 0]);
  });
});

describe("SSE2/MMX packs, unpacks, shuffles", () => {
  it("packsswb/packuswb/packssdw saturate", () => {
    // words of A: 0x0080, 0xFF7F, 0x0001, 0xFFFF; of B: 0x0100, 0xFFFF, 0x0080, 0x7FFF
    const a = [0xff7f0080, 0xffff0001];
    const b = [0xffff0100, 0x7fff0080];
    assert.deepEqual(x("63", a, b), [0xff01807f, 0, 0x7f7fff7f, 0]);
    assert.deepEqual(m("63", a, b), [0xff01807f, 0x7f7fff7f]);
    assert.deepEqual(m("67", a, b), [0x00010080, 0xff8000ff]);
    assert.deepEqual(
      x("6B", [0x00008000, 0xffff7fff, 1, 0xffffffff], [0, 0, 0, 0]),
      [0x80007fff, 0xffff0001, 0, 0],
    );
  });

  it("punpck* interleave low or high halves", () => {
    const a = [0x03020100, 0x07060504, 0x0b0a0908, 0x0f0e0d0c];
    const b = [0x13121110, 0x17161514, 0x1b1a1918, 0x1f1e1d1c];
    assert.deepEqual(x("60", a, b), [0x11011000, 0x13031202, 0x15051404, 0x17071606]);
    assert.deepEqual(x("68", a, b), [0x19091808, 0x1b0b1a0a, 0x1d0d1c0c, 0x1f0f1e0e]);
    assert.deepEqual(x("61", a, b), [0x11100100, 0x13120302, 0x15140504, 0x17160706]);
    assert.deepEqual(x("62", a, b), [a[0], b[0], a[1], b[1]]);
    assert.deepEqual(x("6A", a, b), [a[2], b[2], a[3], b[3]]);
    assert.deepEqual(x("6C", a, b), [a[0], a[1], b[0], b[1]]);
    assert.deepEqual(x("6D", a, b), [a[2], a[3], b[2], b[3]]);
    assert.deepEqual(m("60", a, b), [0x11011000, 0x13031202]);
    assert.deepEqual(m("6A", a, b), [a[1], b[1]]);
  });

  it("the MMX low unpack reads only m32 (no fault at the end of a page)", () => {
    const r = exec("0F 60 00", (cpu) => {
      cpu.setReg(0, 64, true, DATA + 0x2000 - 4);
      writeMem(cpu, DATA + 0x2000 - 4, [0x10, 0x11, 0x12, 0x13]);
      setMm(cpu, 0, 0x03020100, 0);
    });
    assert.equal(fault(r), "none");
    assert.deepEqual(getMm(r.cpu, 0), [0x11011000, 0x13031202]);
  });

  it("pshufd/pshuflw/pshufhw/pshufw select by imm8", () => {
    const b = [0x11110000, 0x33332222, 0x55554444, 0x77776666];
    assert.deepEqual(x("70", [0], b, "1B"), [b[3], b[2], b[1], b[0]]);
    const lw = exec("F2 0F 70 C1 1B", (cpu) => setX(cpu, 1, b[0], b[1], b[2], b[3]));
    assert.deepEqual(getX(lw.cpu, 0), [0x22223333, 0x00001111, b[2], b[3]]);
    const hw = exec("F3 0F 70 C1 1B", (cpu) => setX(cpu, 1, b[0], b[1], b[2], b[3]));
    assert.deepEqual(getX(hw.cpu, 0), [b[0], b[1], 0x66667777, 0x44445555]);
    assert.deepEqual(m("70", [0], b, "1B"), [0x22223333, 0x00001111]);
  });
});

describe("SSE2/MMX shifts", () => {
  it("shift by register count; counts above the width clear (or fill with the sign)", () => {
    assert.equal(x("F1", [0x00018001], [4])[0], 0x00100010);
    assert.equal(x("F1", [0x00018001], [16])[0], 0);
    assert.equal(x("F1", [0x00018001], [0, 1])[0], 0); // the count is 64 bits wide
    assert.equal(x("E1", [0x7fff8000], [20])[0], 0x0000ffff);
    assert.equal(x("E2", [0x80000000], [40])[0], 0xffffffff);
    assert.equal(x("D2", [0x80000000], [31])[0], 1);
    assert.deepEqual(x("D3", [1, 0x80000000], [33]).slice(0, 2), [0x40000000, 0]);
    assert.deepEqual(x("F3", [0x80000001, 0], [1]).slice(0, 2), [2, 1]);
    assert.deepEqual(x("F3", [1, 0], [64]).slice(0, 2), [0, 0]);
    assert.deepEqual(m("F2", [1, 2], [3, 0]), [8, 16]);
  });

  it("shift by imm8 (0F 71/72/73 groups), pslldq/psrldq by bytes", () => {
    const r = (hex: string, v: number[]): number[] =>
      getX(exec(hex, (cpu) => setX(cpu, 2, v[0], v[1] ?? 0, v[2] ?? 0, v[3] ?? 0)).cpu, 2);
    assert.deepEqual(r("66 0F 73 F2 3F", [1, 0, 1, 0]), [0, 0x80000000, 0, 0x80000000]); // psllq xmm2, 63
    assert.deepEqual(r("66 0F 72 E2 1F", [0x80000000, 5]), [0xffffffff, 0, 0, 0]); // psrad xmm2, 31
    assert.deepEqual(r("66 0F 71 D2 08", [0xff00ff00]), [0x00ff00ff, 0, 0, 0]); // psrlw xmm2, 8
    assert.deepEqual(r("66 0F 73 FA 04", [1, 2, 3, 4]), [0, 1, 2, 3]); // pslldq xmm2, 4
    assert.deepEqual(
      r("66 0F 73 DA 05", [0x04030201, 0x08070605, 0x0c0b0a09, 0x100f0e0d]),
      [0x09080706, 0x0d0c0b0a, 0x00100f0e, 0],
    ); // psrldq xmm2, 5
    assert.deepEqual(r("66 0F 73 FA 10", [1, 2, 3, 4]), [0, 0, 0, 0]);
    const mm = exec("0F 73 F2 04", (cpu) => setMm(cpu, 2, 0x80000001, 0x10000000));
    assert.deepEqual(getMm(mm.cpu, 2), [0x00000010, 0x00000008]);
  });
});

describe("SSE2/MMX word insert/extract, byte masks", () => {
  it("pextrw zero-extends a word; pinsrw replaces one", () => {
    const r = exec("66 48 0F C5 C1 05", (cpu) => {
      cpu.setReg(0, 64, true, -1, -1);
      setX(cpu, 1, 0, 0, 0xbeef1234, 0);
    });
    assert.deepEqual([r.cpu.lo[0] >>> 0, r.cpu.hi[0]], [0xbeef, 0]);
    const p = exec("66 0F C4 C1 06", (cpu) => {
      cpu.setReg(1, 32, false, 0x1234abcd);
      setX(cpu, 0, 1, 2, 3, 0xffffffff);
    });
    assert.deepEqual(getX(p.cpu, 0), [1, 2, 3, 0xffffabcd]);
    const mm = exec("0F C4 00 01", (cpu) => {
      cpu.setReg(0, 64, true, DATA);
      writeMem(cpu, DATA, [0x34, 0x12]);
      setMm(cpu, 0, 0xffffffff, 0xffffffff);
    });
    assert.deepEqual(getMm(mm.cpu, 0), [0x1234ffff, 0xffffffff]);
    const e = exec("0F C5 C1 03", (cpu) => setMm(cpu, 1, 0, 0x5678abcd));
    assert.equal(e.cpu.lo[0], 0x5678);
  });

  it("pmovmskb gathers the byte sign bits", () => {
    const r = exec("66 0F D7 C1", (cpu) => setX(cpu, 1, 0x80008000, 0, 0, 0xff000000));
    assert.equal(r.cpu.lo[0], 0x8000 | 0x0a);
    const m2 = exec("0F D7 C1", (cpu) => setMm(cpu, 1, 0x00800080, 0x80000000));
    assert.equal(m2.cpu.lo[0], 0x85);
  });
});

describe("MMX state and moves", () => {
  it("an MMX instruction sets TOP = 0 and every tag valid; EMMS empties them (SDM Vol. 1 9.5.1)", () => {
    const r = exec("0F FC C1", (cpu) => {
      cpu.fpu.top = 5;
      setMm(cpu, 1, 1, 0);
    });
    assert.deepEqual([r.cpu.fpu.top, r.cpu.fpu.abridgedTag()], [0, 0xff]);
    // MM0 was written by MMX: exponent all ones, so its full tag is "special".
    assert.equal(r.cpu.fpu.tw & 3, 2);
    const e = exec("0F 77", (cpu) => cpu.fpu.enterMmx());
    assert.equal(e.cpu.fpu.abridgedTag(), 0);
    assert.equal(e.cpu.fpu.tw, 0xffff);
  });

  it("MMi reads the mantissa of the x87 register (aliasing)", () => {
    const r = exec("48 0F 7E C0", (cpu) => {
      cpu.fpu.regs[0] = 1.0;
      cpu.fpu.valid = 1;
    });
    assert.deepEqual([r.cpu.lo[0], r.cpu.hi[0] >>> 0], [0, 0x80000000]);
  });

  it("movd/movq with MMX registers", () => {
    let r = exec("0F 6E C0", (cpu) => cpu.setReg(0, 64, true, 0x12345678, -1));
    assert.deepEqual(getMm(r.cpu, 0), [0x12345678, 0]);
    r = exec("48 0F 6E C0", (cpu) => cpu.setReg(0, 64, true, 0x12345678, -1));
    assert.deepEqual(getMm(r.cpu, 0), [0x12345678, 0xffffffff]);
    r = exec("0F 7E C0", (cpu) => {
      cpu.setReg(0, 64, true, -1, -1);
      setMm(cpu, 0, 7, 8);
    });
    assert.deepEqual([r.cpu.lo[0], r.cpu.hi[0]], [7, 0]);
    r = exec("0F 7F C1", (cpu) => setMm(cpu, 0, 9, 10));
    assert.deepEqual(getMm(r.cpu, 1), [9, 10]);
    r = exec("0F 6F 00", (cpu) => {
      cpu.setReg(0, 64, true, DATA + 3);
      writeMem(cpu, DATA + 3, [1, 2, 3, 4, 5, 6, 7, 8]);
    });
    assert.deepEqual(getMm(r.cpu, 0), [0x04030201, 0x08070605]);
    r = exec("0F E7 00", (cpu) => {
      cpu.setReg(0, 64, true, DATA);
      setMm(cpu, 0, 0x04030201, 0x08070605);
    });
    assert.deepEqual(readMem(r.cpu, DATA, 8), [1, 2, 3, 4, 5, 6, 7, 8]);
  });

  it("movq2dq zeroes the high qword; movdq2q copies the low qword", () => {
    let r = exec("F3 0F D6 C1", (cpu) => {
      setMm(cpu, 1, 5, 6);
      setX(cpu, 0, 1, 2, 3, 4);
    });
    assert.deepEqual(getX(r.cpu, 0), [5, 6, 0, 0]);
    r = exec("F2 0F D6 C1", (cpu) => setX(cpu, 1, 7, 8, 9, 10));
    assert.deepEqual(getMm(r.cpu, 0), [7, 8]);
    assert.equal(r.cpu.fpu.abridgedTag(), 0xff);
  });

  it("maskmovq stores the bytes selected by the mask's sign bits at [rdi]", () => {
    const r = exec("0F F7 C1", (cpu) => {
      cpu.setReg(7, 64, true, DATA + 1);
      setMm(cpu, 0, 0x44332211, 0x88776655);
      setMm(cpu, 1, 0x80000080, 0x00ff0000);
    });
    assert.deepEqual(readMem(r.cpu, DATA, 9), [0, 0x11, 0, 0, 0x44, 0, 0, 0x77, 0]);
  });
});
