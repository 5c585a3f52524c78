/**
 * Integer ALU semantics (src/cpu/sem/alu.ts): add/or/adc/sbb/and/sub/xor/cmp, test, inc/dec, neg/not.
 * Expected values follow the Intel SDM Vol. 2 instruction pages (flag lists in each page's "Flags
 * Affected" section) and Vol. 1 §3.4.3 (EFLAGS). Flags the SDM leaves undefined are excluded.
 */
import { strict as assert } from "node:assert";
import { Access } from "../src/cpu/index";
import { machine, setR } from "./sem-harness";
import { DATA, defined, exec, flagsOf } from "./sem-int";

const ALL = flagsOf("OSZAPC");

describe("sem/alu: add, adc, sub, sbb, cmp (SDM Vol. 2 ADD/ADC/SUB/SBB/CMP)", () => {
  it("add eax, ebx: signed overflow, 32-bit result zero-extends in 64-bit mode", () => {
    const x = exec(64, "01d8", { rax: 0xdeadbeef7fffffffn, rbx: 1 });
    assert.equal(x.r("rax"), 0x80000000n);
    assert.equal(x.fl, "OSAP");
  });

  it("add al, imm8: carry out of bit 7, upper bits of rax kept", () => {
    const x = exec(64, "04ff", { rax: 0x1234567800000001n });
    assert.equal(x.r("rax"), 0x1234567800000000n);
    assert.equal(x.fl, "ZAPC");
  });

  it("adc eax, 0 adds the carry (83 /2 ib)", () => {
    const x = exec(32, "83d000", { rax: 0xffffffff }, flagsOf("C"));
    assert.equal(x.r("eax"), 0n);
    assert.equal(x.fl, "ZAPC");
  });

  it("sbb eax, ebx subtracts the borrow", () => {
    const x = exec(32, "19d8", { rax: 0, rbx: 0 }, flagsOf("C"));
    assert.equal(x.r("eax"), 0xffffffffn);
    assert.equal(x.fl, "SAPC");
  });

  it("sub rax, rbx: 64-bit borrow and signed overflow", () => {
    let x = exec(64, "4829d8", { rax: 0, rbx: 1 });
    assert.equal(x.r("rax"), 0xffffffffffffffffn);
    assert.equal(x.fl, "SAPC");
    x = exec(64, "4829d8", { rax: 0x8000000000000000n, rbx: 1 });
    assert.equal(x.r("rax"), 0x7fffffffffffffffn);
    assert.equal(x.fl, "OAP");
  });

  it("add/adc/sbb rax, rbx carry across the 32-bit halves", () => {
    let x = exec(64, "4801d8", { rax: 0xffffffffn, rbx: 1 });
    assert.equal(x.r("rax"), 0x100000000n);
    assert.equal(x.fl, "AP");
    x = exec(64, "4811d8", { rax: 0xffffffffffffffffn, rbx: 0 }, flagsOf("C"));
    assert.equal(x.r("rax"), 0n);
    assert.equal(x.fl, "ZAPC");
    x = exec(64, "4819d8", { rax: 0, rbx: 0xffffffffffffffffn }, flagsOf("C"));
    assert.equal(x.r("rax"), 0n);
    assert.equal(x.fl, "ZAPC");
  });

  it("add ax, bx merges into the low 16 bits", () => {
    const x = exec(64, "6601d8", { rax: 0x111122223333ffffn, rbx: 1 });
    assert.equal(x.r("rax"), 0x1111222233330000n);
    assert.equal(x.fl, "ZAPC");
  });

  it("add rax, imm8 sign-extends the immediate (REX.W 83 /0)", () => {
    let x = exec(64, "4883c0ff", { rax: 0 });
    assert.equal(x.r("rax"), 0xffffffffffffffffn);
    assert.equal(x.fl, "SP");
    x = exec(64, "4883c0ff", { rax: 1 });
    assert.equal(x.r("rax"), 0n);
    assert.equal(x.fl, "ZAPC");
  });

  it("cmp writes nothing: cmp [rbx], eax and cmp byte [rbx], imm8", () => {
    let x = exec(64, "3903", { rax: 5, rbx: DATA }, 0x202, [5, 0, 0, 0]);
    assert.equal(x.fl, "ZP");
    assert.equal(x.m8(0), 5);
    x = exec(64, "803b05", { rbx: DATA }, 0x202, [3]);
    assert.equal(x.fl, "SAC");
    assert.equal(x.m8(0), 3);
    assert.equal(x.r("rbx"), BigInt(DATA));
  });

  it("82 /0 is add Eb, Ib in 32-bit mode and #UD in 64-bit mode (SDM Vol. 2 Table A-2 note)", () => {
    const x = exec(32, "82c005", { rax: 0xfe });
    assert.equal(x.r("eax"), 3n);
    assert.equal(x.fl, "APC");
    const y = exec(64, "82c005", { rax: 0xfe });
    assert.equal(y.stop.kind, "fault");
    assert.equal(y.stop.kind === "fault" && y.stop.fault.vector, "UD");
  });

  it("lock on a memory destination works; on a register destination it is #UD (SDM Vol. 2 LOCK)", () => {
    const x = exec(64, "f00103", { rax: 2, rbx: DATA }, 0x202, [1, 0, 0, 0]);
    assert.equal(x.stop.kind, "step");
    assert.equal(x.m8(0), 3);
    const y = exec(64, "f001c0", { rax: 2 });
    assert.equal(y.stop.kind === "fault" && y.stop.fault.vector, "UD");
  });

  it("a read-modify-write whose write faults changes neither memory nor flags", () => {
    const { cpu, bus } = machine(64, "2903"); // sub [rbx], eax
    bus.map(0x600000, 0x1000, Access.Read);
    setR(cpu, 3, 0x600000);
    setR(cpu, 0, 1);
    cpu.setEflags(flagsOf("OZ"));
    const s = cpu.step();
    assert.equal(s.kind === "fault" && s.fault.vector, "PF");
    assert.equal(cpu.getEflags(), flagsOf("OZ"));
  });
});

describe("sem/alu: and, or, xor, test (SDM Vol. 2 AND/OR/XOR/TEST: CF = OF = 0, AF undefined)", () => {
  it("xor eax, eax clears all of rax", () => {
    const x = exec(64, "31c0", { rax: 0xffffffffffffffffn }, ALL);
    assert.equal(x.r("rax"), 0n);
    assert.equal(defined(x.fl, "A"), "ZP");
  });

  it("and ah, bh uses the high-byte registers without REX", () => {
    const x = exec(64, "20fc", { rax: 0xff00, rbx: 0x0f00 });
    assert.equal(x.r("rax"), 0x0f00n);
    assert.equal(defined(x.fl, "A"), "P");
  });

  it("and spl, dil with REX", () => {
    const x = exec(64, "4020fc", { rsp: 0x7000ff, rdi: 0x0f });
    assert.equal(x.r("rsp"), 0x70000fn);
  });

  it("or rax, imm32 sign-extends to 64 bits (REX.W 0D)", () => {
    const x = exec(64, "480d00000080", { rax: 0 });
    assert.equal(x.r("rax"), 0xffffffff80000000n);
    assert.equal(defined(x.fl, "A"), "SP");
  });

  it("test al, imm8 through the F6 /1 alias", () => {
    const x = exec(64, "f6c80f", { rax: 0xf0 }, ALL);
    assert.equal(x.r("rax"), 0xf0n);
    assert.equal(defined(x.fl, "A"), "ZP");
  });

  it("test rax, rbx (REX.W 85)", () => {
    const x = exec(64, "4885d8", { rax: 0x8000000000000000n, rbx: 0x8000000000000001n });
    assert.equal(defined(x.fl, "A"), "SP");
  });
});

describe("sem/alu: inc, dec (CF unchanged), neg, not", () => {
  it("inc eax keeps CF and sets OF on 7FFFFFFF", () => {
    const x = exec(64, "ffc0", { rax: 0x7fffffff }, flagsOf("C"));
    assert.equal(x.r("rax"), 0x80000000n);
    assert.equal(x.fl, "OSAPC");
  });

  it("dec al wraps and keeps CF clear", () => {
    const x = exec(64, "fec8", { rax: 0x100 });
    assert.equal(x.r("rax"), 0x1ffn);
    assert.equal(x.fl, "SAP");
  });

  it("dec rax borrows across the halves", () => {
    const x = exec(64, "48ffc8", { rax: 0x100000000n }, flagsOf("C"));
    assert.equal(x.r("rax"), 0xffffffffn);
    assert.equal(x.fl, "APC");
  });

  it("40+r / 48+r are inc/dec in 32-bit mode", () => {
    let x = exec(32, "40", { rax: 0xffffffff });
    assert.equal(x.r("eax"), 0n);
    assert.equal(x.fl, "ZAP");
    x = exec(32, "4f", { rdi: 0 }, flagsOf("C"));
    assert.equal(x.r("edi"), 0xffffffffn);
    assert.equal(x.fl, "SAPC");
  });

  it("inc ax merges", () => {
    const x = exec(64, "66ffc0", { rax: 0xaaaabbbbccccffffn });
    assert.equal(x.r("rax"), 0xaaaabbbbcccc0000n);
  });

  it("neg: CF = (source != 0), OF for the most negative value", () => {
    let x = exec(32, "f7d8", { rax: 0 });
    assert.equal(x.fl, "ZP");
    x = exec(32, "f7d8", { rax: 0x80000000 });
    assert.equal(x.r("eax"), 0x80000000n);
    assert.equal(x.fl, "OSPC");
    x = exec(32, "f7d8", { rax: 1 });
    assert.equal(x.r("eax"), 0xffffffffn);
    assert.equal(x.fl, "SAPC");
    x = exec(64, "48f7d8", { rax: 1 });
    assert.equal(x.r("rax"), 0xffffffffffffffffn);
    assert.equal(x.fl, "SAPC");
  });

  it("not changes no flags", () => {
    const x = exec(64, "f7d0", { rax: 0xffffffff0000ffffn }, ALL);
    assert.equal(x.r("rax"), 0xffff0000n);
    assert.equal(x.fl, "OSZAPC");
    const y = exec(64, "48f7d0", { rax: 0xffffffff0000ffffn });
    assert.equal(y.r("rax"), 0x00000000ffff0000n);
  });
});

describe("sem/alu: adcx, adox (SDM Vol. 2 ADCX/ADOX: only CF resp. OF changes)", () => {
  it("adcx eax, ebx carries through CF", () => {
    const x = exec(64, "660f38f6c3", { rax: 0xffffffff, rbx: 0 }, flagsOf("SC"));
    assert.equal(x.r("rax"), 0n);
    assert.equal(x.fl, "SC");
  });

  it("adox rax, rbx carries through OF and leaves CF", () => {
    const x = exec(64, "f3480f38f6c3", { rax: -1, rbx: 1 }, flagsOf("Z"));
    assert.equal(x.r("rax"), 0n);
    assert.equal(x.fl, "OZ");
    const y = exec(64, "f3480f38f6c3", { rax: 1, rbx: 1 }, flagsOf("OC"));
    assert.equal(y.r("rax"), 3n);
    assert.equal(y.fl, "C");
  });
});
