/**
 * Data movement (src/cpu/sem/move.ts). Expected values from the Intel SDM Vol. 2A/2B pages MOV, MOVZX,
 * MOVSX/MOVSXD, LEA, XCHG, NOP, CMPXCHG, CMPXCHG8B/16B, XADD, CMOVcc, SETcc, CBW/CWDE/CDQE, CWD/CDQ/CQO,
 * LAHF, SAHF, XLAT and Vol. 1 3.4.1.1 (32-bit results zero-extend, 8/16-bit results merge).
 */
import { strict as assert } from "node:assert";
import { Access, SReg, type Cpu } from "../src/cpu/index";
import { CODE, DATA, bytes, getR, le32, le64, machine, rd64, setR, steps } from "./sem-harness";

const ZF = 0x40;

function run1(bits: 32 | 64, code: string, init: (c: Cpu) => void = () => {}): Cpu {
  const { cpu } = machine(bits, code);
  init(cpu);
  steps(cpu);
  return cpu;
}

describe("sem/move", () => {
  it("mov with 64-bit moffs (A1/A2) and 32-bit moffs under 67 in 64-bit mode", () => {
    const m = machine(64, `48 A1 ${le64(BigInt(DATA + 8))} A2 ${le64(BigInt(DATA))} 67 A1 ${le32(DATA + 4)}`);
    m.bus.writeBytes(DATA + 4, bytes("44332211 8877665544332211"));
    steps(m.cpu);
    assert.equal(getR(m.cpu, 0), 0x1122334455667788n);
    steps(m.cpu);
    assert.deepEqual(m.bus.readBytes(DATA, 1), bytes("88"));
    steps(m.cpu);
    assert.equal(getR(m.cpu, 0), 0x11223344n);
  });

  it("mov r, imm: imm64, 32-bit zero-extends, 16-bit merges, AH vs SPL, C7 sign-extends", () => {
    assert.equal(getR(run1(64, `48 B8 ${le64(0x8877665544332211n)}`), 0), 0x8877665544332211n);
    assert.equal(
      getR(
        run1(64, "B8 01 00 00 80", (c) => setR(c, 0, -1n)),
        0,
      ),
      0x80000001n,
    );
    assert.equal(
      getR(
        run1(64, "66 B8 34 12", (c) => setR(c, 0, -1n)),
        0,
      ),
      0xffffffffffff1234n,
    );
    assert.equal(
      getR(
        run1(64, "B4 12", (c) => setR(c, 0, 0)),
        0,
      ),
      0x1200n,
    );
    const c = run1(64, "40 B4 12", (x) => setR(x, 4, 0xffff));
    assert.equal(getR(c, 4), 0xff12n);
    assert.equal(getR(run1(64, "48 C7 C0 FE FF FF FF"), 0), 0xfffffffffffffffen);
  });

  it("lea computes the offset only: no FS base, no memory access", () => {
    const c = run1(64, "64 48 8D 04 25 10 00 00 00", (x) => {
      x.fsBase = 0x7ff000000000;
    });
    assert.equal(getR(c, 0), 0x10n);
    // An unmapped / non-canonical effective address is fine for lea.
    assert.equal(
      getR(
        run1(64, "48 8D 40 01", (x) => setR(x, 0, 0x7fffffffffffn)),
        0,
      ),
      0x800000000000n,
    );
  });

  it("lea operand and address sizes: truncate/zero-extend (SDM LEA table)", () => {
    const init = (x: Cpu): void => {
      setR(x, 0, 0x00000001fffffff0n);
      setR(x, 1, 0x20);
    };
    assert.equal(getR(run1(64, "8D 04 08", init), 0), 0x10n); // lea eax, [rax+rcx]
    assert.equal(getR(run1(64, "67 48 8D 04 08", init), 0), 0x10n); // lea rax, [eax+ecx]
    assert.equal(getR(run1(64, "48 8D 04 08", init), 0), 0x200000010n);
    assert.equal(getR(run1(64, "66 8D 04 08", init), 0), 0x00000001ffff0010n); // lea ax, [rax+rcx]
    assert.equal(getR(run1(64, "48 8D 05 10 00 00 00"), 0), BigInt(CODE + 7 + 0x10));
    // 16-bit addressing in 32-bit mode: lea eax, [bx+si] wraps at 64 KB, zero-extended to 32 bits.
    const c = run1(32, "67 8D 00", (x) => {
      setR(x, 3, 0x1234ffff);
      setR(x, 6, 0x2);
    });
    assert.equal(c.lo[0], 1);
  });

  it("90 is nop (RAX intact); 87 C0 zero-extends; 41 90 is xchg r8d, eax", () => {
    const big = 0xaaaaaaaa11111111n;
    assert.equal(
      getR(
        run1(64, "90", (x) => setR(x, 0, big)),
        0,
      ),
      big,
    );
    assert.equal(
      getR(
        run1(64, "48 90", (x) => setR(x, 0, big)),
        0,
      ),
      big,
    );
    assert.equal(
      getR(
        run1(64, "F3 90", (x) => setR(x, 0, big)),
        0,
      ),
      big,
    );
    assert.equal(
      getR(
        run1(64, "87 C0", (x) => setR(x, 0, big)),
        0,
      ),
      0x11111111n,
    );
    const c = run1(64, "41 90", (x) => {
      setR(x, 0, big);
      setR(x, 8, 0xbbbbbbbb22222222n);
    });
    assert.equal(getR(c, 0), 0x22222222n);
    assert.equal(getR(c, 8), 0x11111111n);
  });

  it("xchg with memory swaps; xchg ah, al uses the high byte register", () => {
    const m = machine(64, "48 87 03 86 E0");
    m.bus.writeBytes(DATA, bytes(le64(0x0102030405060708n)));
    setR(m.cpu, 3, DATA);
    setR(m.cpu, 0, 0x1122334455667788n);
    steps(m.cpu);
    assert.equal(getR(m.cpu, 0), 0x0102030405060708n);
    assert.equal(rd64(m.bus, DATA), 0x1122334455667788n);
    steps(m.cpu);
    assert.equal(getR(m.cpu, 0), 0x0102030405060807n);
  });

  it("cmpxchg r32: equal → dest ← src (ZF = 1, RAX kept); unequal → EAX ← dest zero-extended (ZF = 0)", () => {
    let c = run1(64, "0F B1 CA", (x) => {
      setR(x, 0, 0xffffffff00000005n);
      setR(x, 2, 0xeeeeeeee00000005n);
      setR(x, 1, 0x0000000900000007n);
    });
    assert.equal(getR(c, 2), 7n);
    assert.equal(getR(c, 0), 0xffffffff00000005n);
    assert.equal(c.getEflags() & ZF, ZF);
    c = run1(64, "0F B1 CA", (x) => {
      setR(x, 0, 0xffffffff00000005n);
      setR(x, 2, 0xeeeeeeee00000006n);
      setR(x, 1, 7);
    });
    assert.equal(getR(c, 0), 6n);
    assert.equal(getR(c, 2), 0xeeeeeeee00000006n);
    assert.equal(c.getEflags() & (ZF | 1), 1); // 5 - 6 borrows
  });

  it("cmpxchg to memory writes even when unequal: a read-only destination faults", () => {
    const m = machine(64, "0F B1 0B");
    m.bus.map(DATA, 0x1000, Access.Read);
    setR(m.cpu, 3, DATA);
    setR(m.cpu, 0, 1);
    const s = m.cpu.step();
    assert.equal(s.kind === "fault" && s.fault.vector, "PF");
    assert.equal(getR(m.cpu, 0), 1n);
  });

  it("cmpxchg8b / cmpxchg16b (16-byte alignment, else #GP)", () => {
    let m = machine(32, "0F C7 0B");
    m.bus.writeBytes(DATA, bytes(le64(0x1111111122222222n)));
    setR(m.cpu, 3, DATA);
    setR(m.cpu, 2, 0x11111111);
    setR(m.cpu, 0, 0x22222222);
    setR(m.cpu, 1, 0xcccccccc);
    m.cpu.lo[3] = DATA; // ebx is the address and the new low dword
    steps(m.cpu);
    assert.equal(rd64(m.bus, DATA), (0xccccccccn << 32n) | BigInt(DATA));
    assert.equal(m.cpu.getEflags() & ZF, ZF);

    m = machine(64, "48 0F C7 0B");
    setR(m.cpu, 3, DATA + 8);
    let s = m.cpu.step();
    assert.equal(s.kind === "fault" && s.fault.vector, "GP");

    m = machine(64, "48 0F C7 0B");
    m.bus.writeBytes(DATA, bytes(le64(1n) + le64(2n)));
    setR(m.cpu, 3, DATA);
    setR(m.cpu, 0, 1);
    setR(m.cpu, 2, 3);
    s = m.cpu.step();
    assert.equal(s.kind, "step");
    assert.equal(getR(m.cpu, 0), 1n);
    assert.equal(getR(m.cpu, 2), 2n);
    assert.equal(m.cpu.getEflags() & ZF, 0);
  });

  it("xadd: TEMP ← SRC + DEST; SRC ← DEST; DEST ← TEMP (xadd eax, eax leaves the sum)", () => {
    assert.equal(
      getR(
        run1(64, "0F C1 C0", (x) => setR(x, 0, 0xffffffff00000003n)),
        0,
      ),
      6n,
    );
    const m = machine(64, "48 0F C1 0B");
    m.bus.writeBytes(DATA, bytes(le64(10n)));
    setR(m.cpu, 3, DATA);
    setR(m.cpu, 1, -3n);
    steps(m.cpu);
    assert.equal(rd64(m.bus, DATA), 7n);
    assert.equal(getR(m.cpu, 1), 10n);
    assert.equal(m.cpu.getEflags() & 1, 1); // 10 + (2^64 - 3) carries
  });

  it("cmovcc: 32-bit form zero-extends even when false; the source is read whatever the condition", () => {
    const c = run1(64, "0F 44 C1", (x) => {
      x.setEflags(0x202);
      setR(x, 0, 0xffffffff12345678n);
      setR(x, 1, 9);
    });
    assert.equal(getR(c, 0), 0x12345678n);
    assert.equal(
      getR(
        run1(64, "48 0F 44 C1", (x) => {
          x.setEflags(0x202);
          setR(x, 0, -1n);
        }),
        0,
      ),
      0xffffffffffffffffn,
    );
    const m = machine(64, "0F 44 03");
    m.cpu.setEflags(0x202);
    setR(m.cpu, 3, 0x10);
    const s = m.cpu.step();
    assert.equal(s.kind === "fault" && s.fault.vector, "PF");
  });

  it("setcc writes 0/1 to r/m8", () => {
    assert.equal(
      getR(
        run1(64, "0F 94 C0", (x) => {
          setR(x, 0, -1n);
          x.setEflags(0x202 | ZF);
        }),
        0,
      ),
      0xffffffffffffff01n,
    );
    // setne sil (REX: SIL, not DH); ZF = 0 → 1
    assert.equal(
      getR(
        run1(64, "40 0F 95 C6", (x) => setR(x, 6, 0xff)),
        6,
      ),
      1n,
    );
  });

  it("cbw/cwde/cdqe and cwd/cdq/cqo", () => {
    assert.equal(
      getR(
        run1(64, "66 98", (x) => setR(x, 0, 0x1234567800000080n)),
        0,
      ),
      0x123456780000ff80n,
    );
    assert.equal(
      getR(
        run1(64, "98", (x) => setR(x, 0, 0x1234567800008000n)),
        0,
      ),
      0xffff8000n,
    );
    assert.equal(
      getR(
        run1(64, "48 98", (x) => setR(x, 0, 0x1234567880000000n)),
        0,
      ),
      0xffffffff80000000n,
    );
    assert.equal(
      getR(
        run1(64, "66 99", (x) => {
          setR(x, 0, 0x8000);
          setR(x, 2, 0x1111111111111111n);
        }),
        2,
      ),
      0x111111111111ffffn,
    );
    assert.equal(
      getR(
        run1(64, "99", (x) => {
          setR(x, 0, 0x80000000);
          setR(x, 2, -1n);
        }),
        2,
      ),
      0xffffffffn,
    );
    assert.equal(
      getR(
        run1(64, "48 99", (x) => setR(x, 0, -5n)),
        2,
      ),
      0xffffffffffffffffn,
    );
  });

  it("lahf/sahf move SF ZF AF PF CF through AH (bit 1 reads as 1)", () => {
    const c = run1(64, "9F", (x) => x.setEflags(0x8d7));
    assert.equal((c.lo[0] >> 8) & 0xff, 0xd7);
    const d = run1(64, "9E", (x) => {
      x.setEflags(0x202);
      setR(x, 0, 0xff00);
    });
    assert.equal(d.getEflags() & 0xfff, 0x2d7);
  });

  it("xlat: AL ← [rBX + AL]", () => {
    const m = machine(32, "D7");
    m.bus.writeBytes(DATA + 0x80, bytes("5A"));
    setR(m.cpu, 3, DATA);
    setR(m.cpu, 0, 0x11223380);
    steps(m.cpu);
    assert.equal(m.cpu.lo[0], 0x1122335a);
  });

  it("movzx / movsx / movsxd", () => {
    assert.equal(
      getR(
        run1(64, "0F B6 C1", (x) => setR(x, 1, 0x80)),
        0,
      ),
      0x80n,
    );
    assert.equal(
      getR(
        run1(64, "48 0F BE C1", (x) => setR(x, 1, 0x80)),
        0,
      ),
      0xffffffffffffff80n,
    );
    assert.equal(
      getR(
        run1(64, "0F BF C1", (x) => setR(x, 1, 0x8000)),
        0,
      ),
      0xffff8000n,
    );
    assert.equal(
      getR(
        run1(64, "48 63 C1", (x) => setR(x, 1, 0x80000000)),
        0,
      ),
      0xffffffff80000000n,
    );
    assert.equal(
      getR(
        run1(64, "63 C1", (x) => {
          setR(x, 0, -1n);
          setR(x, 1, 0x80000000);
        }),
        0,
      ),
      0x80000000n,
    );
  });

  it("mov Ev, Sw zero-extends into a 32/64-bit register, writes 16 bits to memory; mov Sw, Ew loads", () => {
    assert.equal(
      getR(
        run1(64, "8C D8", (x) => setR(x, 0, -1n)),
        0,
      ),
      0x2bn,
    );
    assert.equal(
      getR(
        run1(64, "66 8C D8", (x) => setR(x, 0, -1n)),
        0,
      ),
      0xffffffffffff002bn,
    );
    const m = machine(64, "8C 1B");
    m.bus.writeBytes(DATA, bytes("FFFFFFFF"));
    setR(m.cpu, 3, DATA);
    steps(m.cpu);
    assert.deepEqual(m.bus.readBytes(DATA, 4), bytes("2B00FFFF"));
    const c = run1(32, "8E C0", (x) => setR(x, 0, 0x53));
    assert.equal(c.sreg[SReg.ES], 0x53);
    const s = machine(32, "8E C0");
    setR(s.cpu, 0, 0x1234);
    const r = s.cpu.step();
    assert.equal(r.kind === "fault" && r.fault.vector, "GP");
  });

  it("multi-byte and hint NOPs do nothing", () => {
    for (const code of [
      "0F 1F 44 00 00",
      "66 0F 1F 84 00 00 00 00 00",
      "0F 18 00",
      "0F 0D 08",
      "F3 0F 1E FA",
    ]) {
      const c = run1(64, code, (x) => setR(x, 0, 0x10));
      assert.equal(getR(c, 0), 0x10n, code);
      assert.equal(c.rip, CODE + bytes(code).length, code);
    }
  });
});
