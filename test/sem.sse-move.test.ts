/**
 * SSE/SSE2 data movement and state: movss/movsd merge rules, aligned vs unaligned moves, movd/movq,
 * half moves, sign masks, non-temporal stores, maskmovdqu, ldmxcsr/stmxcsr, fxsave/fxrstor (SDM Vol. 1
 * 10.5.1 Tables 10-2/10-3) and the fences.
 */
import { strict as assert } from "node:assert";
import { CODE, DATA, exec, fault, getQ, getX, le32, readMem, setX, writeMem } from "./sse-harness";

const BYTES16 = [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16];
const D16 = [0x04030201, 0x08070605, 0x0c0b0a09, 0x100f0e0d];

describe("SSE moves", () => {
  it("movss/movsd: register form merges, load zeroes the rest, store writes only the element", () => {
    let r = exec("F3 0F 10 C1", (cpu) => {
      setX(cpu, 0, 1, 2, 3, 4);
      setX(cpu, 1, 9, 8, 7, 6);
    });
    assert.deepEqual(getX(r.cpu, 0), [9, 2, 3, 4]);
    r = exec("F3 0F 10 00", (cpu) => {
      cpu.setReg(0, 64, true, DATA);
      writeMem(cpu, DATA, BYTES16);
      setX(cpu, 0, 1, 2, 3, 4);
    });
    assert.deepEqual(getX(r.cpu, 0), [D16[0], 0, 0, 0]);
    r = exec("F2 0F 10 C1", (cpu) => {
      setX(cpu, 0, 1, 2, 3, 4);
      setX(cpu, 1, 9, 8, 7, 6);
    });
    assert.deepEqual(getX(r.cpu, 0), [9, 8, 3, 4]);
    r = exec("F2 0F 10 00", (cpu) => {
      cpu.setReg(0, 64, true, DATA);
      writeMem(cpu, DATA, BYTES16);
      setX(cpu, 0, 1, 2, 3, 4);
    });
    assert.deepEqual(getX(r.cpu, 0), [D16[0], D16[1], 0, 0]);
    r = exec("F3 0F 11 00", (cpu) => {
      cpu.setReg(0, 64, true, DATA);
      setX(cpu, 0, 0x44332211, 5, 6, 7);
    });
    assert.deepEqual(readMem(r.cpu, DATA, 6), [0x11, 0x22, 0x33, 0x44, 0, 0]);
    r = exec("F2 0F 11 C8", (cpu) => {
      setX(cpu, 0, 1, 2, 3, 4);
      setX(cpu, 1, 9, 8, 7, 6);
    });
    assert.deepEqual(getX(r.cpu, 0), [9, 8, 3, 4]);
  });

  it("movaps/movapd/movdqa/movntdq need 16-byte alignment (#GP), movups/movupd/movdqu do not", () => {
    const at = (hex: string, a: number): string =>
      fault(
        exec(hex, (cpu) => {
          cpu.setReg(0, 64, true, a);
          writeMem(cpu, DATA, [...BYTES16, ...BYTES16]);
        }),
      );
    for (const hex of [
      "0F 28 00",
      "66 0F 28 00",
      "66 0F 6F 00",
      "0F 29 00",
      "66 0F 7F 00",
      "66 0F E7 00",
      "0F 2B 00",
    ]) {
      assert.equal(at(hex, DATA + 8), "GP", hex);
      assert.equal(at(hex, DATA + 16), "none", hex);
    }
    for (const hex of ["0F 10 00", "66 0F 10 00", "F3 0F 6F 00", "0F 11 00", "F3 0F 7F 00"]) {
      assert.equal(at(hex, DATA + 3), "none", hex);
    }
    const r = exec("F3 0F 6F 00", (cpu) => {
      cpu.setReg(0, 64, true, DATA + 1);
      writeMem(cpu, DATA, [0, ...BYTES16]);
    });
    assert.deepEqual(getX(r.cpu, 0), D16);
  });

  it("a 16-byte store that faults on its second page writes nothing", () => {
    const end = DATA + 0x2000;
    const r = exec("0F 11 00", (cpu) => {
      cpu.setReg(0, 64, true, end - 8);
      setX(cpu, 0, -1, -1, -1, -1);
    });
    assert.equal(fault(r), "PF");
    assert.deepEqual(readMem(r.cpu, end - 8, 8), [0, 0, 0, 0, 0, 0, 0, 0]);
  });

  it("movd/movq between XMM and general registers or memory zero-extend", () => {
    let r = exec("66 0F 6E C0", (cpu) => {
      cpu.setReg(0, 64, true, 0x12345678, 0x9abcdef0);
      setX(cpu, 0, 1, 2, 3, 4);
    });
    assert.deepEqual(getX(r.cpu, 0), [0x12345678, 0, 0, 0]);
    r = exec("66 48 0F 6E C0", (cpu) => cpu.setReg(0, 64, true, 0x12345678, 0x9abcdef0));
    assert.deepEqual(getX(r.cpu, 0), [0x12345678, 0x9abcdef0, 0, 0]);
    r = exec("66 0F 7E C0", (cpu) => {
      cpu.setReg(0, 64, true, -1, -1);
      setX(cpu, 0, 0x11, 0x22);
    });
    assert.deepEqual([r.cpu.lo[0], r.cpu.hi[0]], [0x11, 0]);
    r = exec("66 48 0F 7E C0", (cpu) => setX(cpu, 0, 0x11, 0x22));
    assert.deepEqual([r.cpu.lo[0], r.cpu.hi[0]], [0x11, 0x22]);
    r = exec("F3 0F 7E C1", (cpu) => {
      setX(cpu, 0, 1, 2, 3, 4);
      setX(cpu, 1, 5, 6, 7, 8);
    });
    assert.deepEqual(getX(r.cpu, 0), [5, 6, 0, 0]);
    r = exec("66 0F D6 C1", (cpu) => {
      setX(cpu, 0, 5, 6, 7, 8);
      setX(cpu, 1, 1, 2, 3, 4);
    });
    assert.deepEqual(getX(r.cpu, 1), [5, 6, 0, 0]);
    r = exec("66 0F D6 00", (cpu) => {
      cpu.setReg(0, 64, true, DATA);
      setX(cpu, 0, 0x04030201, 0x08070605, 9, 9);
    });
    assert.deepEqual(readMem(r.cpu, DATA, 9), [1, 2, 3, 4, 5, 6, 7, 8, 0]);
  });

  it("movlps/movhps/movlpd/movhpd/movhlps/movlhps move one qword", () => {
    const mem = (cpu: Parameters<typeof setX>[0]): void => {
      cpu.setReg(0, 64, true, DATA);
      writeMem(cpu, DATA, BYTES16);
      setX(cpu, 0, 1, 2, 3, 4);
      setX(cpu, 1, 5, 6, 7, 8);
    };
    assert.deepEqual(getX(exec("0F 12 00", mem).cpu, 0), [D16[0], D16[1], 3, 4]);
    assert.deepEqual(getX(exec("66 0F 12 00", mem).cpu, 0), [D16[0], D16[1], 3, 4]);
    assert.deepEqual(getX(exec("0F 16 00", mem).cpu, 0), [1, 2, D16[0], D16[1]]);
    assert.deepEqual(getX(exec("66 0F 16 00", mem).cpu, 0), [1, 2, D16[0], D16[1]]);
    assert.deepEqual(getX(exec("0F 12 C1", mem).cpu, 0), [7, 8, 3, 4]);
    assert.deepEqual(getX(exec("0F 16 C1", mem).cpu, 0), [1, 2, 5, 6]);
    assert.deepEqual(readMem(exec("0F 17 00", mem).cpu, DATA, 8), [3, 0, 0, 0, 4, 0, 0, 0]);
    assert.deepEqual(readMem(exec("66 0F 13 00", mem).cpu, DATA, 8), [1, 0, 0, 0, 2, 0, 0, 0]);
  });

  it("movmskps/movmskpd gather sign bits into a zero-extended GPR", () => {
    const r = exec("48 0F 50 C1", (cpu) => {
      cpu.setReg(0, 64, true, -1, -1);
      setX(cpu, 1, 0x80000000, 0, 0xffffffff, 0x7fffffff);
    });
    assert.deepEqual([r.cpu.lo[0], r.cpu.hi[0]], [5, 0]);
    const d = exec("66 0F 50 C1", (cpu) => setX(cpu, 1, 0, 0x80000000, 0, 0x80000000));
    assert.equal(d.cpu.lo[0], 3);
  });

  it("movnti stores a GPR; maskmovdqu stores the selected bytes at [rdi]", () => {
    let r = exec("48 0F C3 08", (cpu) => {
      cpu.setReg(0, 64, true, DATA);
      cpu.setReg(1, 64, true, 0x04030201, 0x08070605);
    });
    assert.deepEqual(readMem(r.cpu, DATA, 8), [1, 2, 3, 4, 5, 6, 7, 8]);
    r = exec("66 0F F7 C1", (cpu) => {
      cpu.setReg(7, 64, true, DATA);
      setX(cpu, 0, D16[0], D16[1], D16[2], D16[3]);
      setX(cpu, 1, 0x80, 0, 0, 0xff000000);
    });
    assert.deepEqual(readMem(r.cpu, DATA, 16), [1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 16]);
    // 32-bit address size: only EDI counts (67 prefix in 64-bit mode).
    r = exec("67 66 0F F7 C1", (cpu) => {
      cpu.setReg(7, 64, true, DATA, 1);
      setX(cpu, 0, D16[0]);
      setX(cpu, 1, 0x8000);
    });
    assert.equal(fault(r), "none");
    assert.deepEqual(readMem(r.cpu, DATA, 2), [0, 2]);
  });
});

describe("SSE state", () => {
  it("ldmxcsr loads MXCSR and raises #GP(0) for reserved bits; stmxcsr stores it", () => {
    let r = exec("0F AE 10", (cpu) => {
      cpu.setReg(0, 64, true, DATA);
      writeMem(cpu, DATA, le32(0x7fc0));
    });
    assert.equal(r.cpu.mxcsr, 0x7fc0);
    r = exec("0F AE 10", (cpu) => {
      cpu.setReg(0, 64, true, DATA);
      writeMem(cpu, DATA, le32(0x11f80));
    });
    assert.equal(fault(r), "GP");
    assert.equal(r.cpu.mxcsr, 0x1f80);
    r = exec("0F AE 18", (cpu) => {
      cpu.setReg(0, 64, true, DATA + 1);
      cpu.mxcsr = 0x1f83;
    });
    assert.deepEqual(readMem(r.cpu, DATA, 6), [0, 0x83, 0x1f, 0, 0, 0]);
  });

  it("fences and clflush execute", () => {
    for (const hex of ["0F AE E8", "0F AE F0", "0F AE F8"]) assert.equal(fault(exec(hex)), "none", hex);
    assert.equal(fault(exec("0F AE 38", (cpu) => cpu.setReg(0, 64, true, DATA))), "none");
    assert.equal(fault(exec("0F AE 38", (cpu) => cpu.setReg(0, 64, true, 0x10))), "PF");
  });

  it("fxsave writes the SDM Table 10-2 layout (XMM0-15 in 64-bit mode)", () => {
    const r = exec("0F AE 00", (cpu) => {
      cpu.setReg(0, 64, true, DATA);
      writeMem(cpu, DATA, new Array<number>(512).fill(0xcc));
      cpu.mxcsr = 0x1fa0;
      cpu.fpu.setControlWord(0x27f);
      // ST0 = 1.0 in physical register 7.
      cpu.fpu.top = 7;
      cpu.fpu.regs[7] = 1.0;
      cpu.fpu.valid = 0x80;
      for (let k = 0; k < 64; k++) cpu.xmm[k] = 0x01010101 * (k >> 2) + (k & 3);
    });
    assert.equal(fault(r), "none");
    const img = readMem(r.cpu, DATA, 512);
    const w = (o: number): number => img[o] | (img[o + 1] << 8);
    const d = (o: number): number => (w(o) | (w(o + 2) << 16)) >>> 0;
    assert.equal(w(0), 0x27f); // FCW
    assert.equal(w(2), 7 << 11); // FSW with TOP = 7
    assert.equal(img[4], 0x80); // abridged tag: only R7 is not empty
    assert.equal(img[5], 0);
    assert.equal(d(24), 0x1fa0); // MXCSR
    assert.equal(d(28), 0xffff); // MXCSR_MASK
    // ST0 = 1.0 as 80 bits: mantissa 8000000000000000, sign/exponent 3FFF.
    assert.deepEqual(img.slice(32, 42), [0, 0, 0, 0, 0, 0, 0, 0x80, 0xff, 0x3f]);
    assert.equal(d(160), 0); // XMM0 dword 0
    assert.equal(d(164), 1);
    assert.equal(d(400), 0x0f0f0f0f); // XMM15 dword 0
    assert.equal(d(412), 0x0f0f0f12);
    // Bytes 464..511 are left to software.
    assert.equal(img[511], 0xcc);
  });

  it("fxsave in 32-bit mode stores XMM0-7 only; misalignment is #GP", () => {
    const r = exec(
      "0F AE 00",
      (cpu) => {
        cpu.setReg(0, 32, false, DATA);
        writeMem(cpu, DATA, new Array<number>(512).fill(0xcc));
        cpu.xmm.fill(0x11111111);
      },
      32,
    );
    assert.equal(fault(r), "none");
    const img = readMem(r.cpu, DATA, 512);
    assert.equal(img[287], 0x11);
    assert.equal(img[288], 0xcc);
    assert.equal(fault(exec("0F AE 00", (cpu) => cpu.setReg(0, 64, true, DATA + 8))), "GP");
    assert.equal(fault(exec("0F AE 08", (cpu) => cpu.setReg(0, 64, true, DATA + 8))), "GP");
  });

  it("fxrstor restores what fxsave stored; a reserved MXCSR bit is #GP with nothing changed", () => {
    const saved = exec("48 0F AE 00", (cpu) => {
      cpu.setReg(0, 64, true, DATA);
      cpu.mxcsr = 0x3f81;
      for (let k = 0; k < 64; k++) cpu.xmm[k] = k * 0x10001;
      cpu.fpu.top = 6;
      cpu.fpu.regs[6] = -2.5;
      cpu.fpu.regs[7] = 3;
      cpu.fpu.valid = 0xc0;
    });
    const img = readMem(saved.cpu, DATA, 512);
    const r = exec("48 0F AE 08", (cpu) => {
      cpu.setReg(0, 64, true, DATA);
      writeMem(cpu, DATA, img);
    });
    assert.equal(fault(r), "none");
    assert.equal(r.cpu.mxcsr, 0x3f81);
    assert.equal(getQ(r.cpu, 15, 1), getQ(saved.cpu, 15, 1));
    assert.deepEqual(
      [r.cpu.fpu.top, r.cpu.fpu.abridgedTag(), r.cpu.fpu.st(0), r.cpu.fpu.st(1)],
      [6, 0xc0, -2.5, 3],
    );
    const bad = img.slice();
    bad[26] = 1; // MXCSR bit 16
    const g = exec("0F AE 08", (cpu) => {
      cpu.setReg(0, 64, true, DATA);
      writeMem(cpu, DATA, bad);
    });
    assert.equal(fault(g), "GP");
    assert.equal(g.cpu.mxcsr, 0x1f80);
    assert.equal(g.cpu.xmm[4], 0);
  });

  it("runs a sequence of SSE instructions", () => {
    // movaps xmm0,[rax]; addps xmm0,xmm0; movaps [rax+16],xmm0
    const r = exec("0F 28 00 0F 58 C0 0F 29 40 10", (cpu) => {
      cpu.setReg(0, 64, true, DATA);
      writeMem(cpu, DATA, le32(0x3f800000, 0x40000000, 0x40400000, 0x40800000));
    });
    assert.equal(r.stop.kind, "step");
    assert.equal(r.cpu.step().kind, "step");
    assert.equal(r.cpu.step().kind, "step");
    assert.equal(r.cpu.rip, CODE + 10);
    assert.deepEqual(readMem(r.cpu, DATA + 16, 16), le32(0x40000000, 0x40800000, 0x40c00000, 0x41000000));
  });
});
