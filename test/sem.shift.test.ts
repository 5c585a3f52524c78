/**
 * Shift and rotate semantics (src/cpu/sem/shift.ts). Expected values follow the Intel SDM Vol. 2
 * "SAL/SAR/SHL/SHR", "RCL/RCR/ROL/ROR", "SHLD" and "SHRD" pages (operation pseudo-code and "Flags
 * Affected"); flags the SDM leaves undefined are excluded unless a case says it pins the reference
 * hardware (AMD Zen, the machine test/hw vectors come from).
 */
import { strict as assert } from "node:assert";
import { DATA, defined, exec, flagsOf } from "./sem-int";

const ALL = flagsOf("OSZAPC");

describe("sem/shift: shl/sal, shr, sar (SDM Vol. 2 SAL/SAR/SHL/SHR)", () => {
  it("shl eax, 1: CF = bit shifted out, OF = MSB(result) XOR CF", () => {
    let x = exec(32, "d1e0", { rax: 0x80000001 });
    assert.equal(x.r("eax"), 2n);
    assert.equal(defined(x.fl, "A"), "OC");
    x = exec(32, "d1e0", { rax: 0x40000000 });
    assert.equal(x.r("eax"), 0x80000000n);
    assert.equal(defined(x.fl, "A"), "OSP");
  });

  it("group 2 /6 (sal) is an alias of /4", () => {
    const x = exec(32, "d1f0", { rax: 0x80000001 });
    assert.equal(x.r("eax"), 2n);
    assert.equal(defined(x.fl, "A"), "OC");
  });

  it("the count is masked to 5 bits: shl eax, cl with cl = 33 shifts by 1", () => {
    const x = exec(32, "d3e0", { rax: 3, rcx: 33 });
    assert.equal(x.r("eax"), 6n);
    assert.equal(defined(x.fl, "A"), "P");
  });

  it("a masked count of 0 changes no flags", () => {
    const x = exec(32, "d3e0", { rax: 5, rcx: 0x20 }, ALL);
    assert.equal(x.r("eax"), 5n);
    assert.equal(x.fl, "OSZAPC");
    const y = exec(32, "c1e800", { rax: 5 }, ALL);
    assert.equal(y.fl, "OSZAPC");
  });

  it("reference hardware: a count of 0 still zero-extends a 32-bit register in 64-bit mode", () => {
    const x = exec(64, "c1e000", { rax: 0xffffffff00000001n }, ALL);
    assert.equal(x.r("rax"), 1n);
    assert.equal(x.fl, "OSZAPC");
  });

  it("shr eax, 1: OF = MSB of the original operand", () => {
    const x = exec(32, "d1e8", { rax: 0x80000001 });
    assert.equal(x.r("eax"), 0x40000000n);
    assert.equal(defined(x.fl, "A"), "OPC");
  });

  it("sar eax, 1: sign fills, OF = 0", () => {
    const x = exec(32, "d1f8", { rax: 0x80000001 });
    assert.equal(x.r("eax"), 0xc0000000n);
    assert.equal(defined(x.fl, "A"), "SPC");
  });

  it("8-bit shifts take counts up to 31: sar al, 9 and shl al, 7", () => {
    let x = exec(32, "d2f8", { rax: 0x80, rcx: 9 });
    assert.equal(x.r("eax"), 0xffn);
    assert.equal(defined(x.fl, "OA"), "SPC");
    x = exec(32, "c0e007", { rax: 0x1202 });
    assert.equal(x.r("eax"), 0x1200n);
    assert.equal(defined(x.fl, "OA"), "ZPC");
  });

  it("64-bit shifts: count masked to 6 bits, CF from either half", () => {
    let x = exec(64, "48c1e03f", { rax: 3 });
    assert.equal(x.r("rax"), 0x8000000000000000n);
    assert.equal(defined(x.fl, "OA"), "SPC");
    x = exec(64, "48d3e8", { rax: 0x123456789abcdef0n, rcx: 0x60 });
    assert.equal(x.r("rax"), 0x12345678n);
    assert.equal(defined(x.fl, "OA"), "PC");
    x = exec(64, "48c1f83f", { rax: 0x8000000000000000n });
    assert.equal(x.r("rax"), 0xffffffffffffffffn);
    assert.equal(defined(x.fl, "OA"), "SP");
  });

  it("shl dword [rbx], 1 on memory", () => {
    const x = exec(64, "d123", { rbx: DATA }, 0x202, [0x01, 0, 0, 0x80]);
    assert.deepEqual([x.m8(0), x.m8(1), x.m8(2), x.m8(3)], [2, 0, 0, 0]);
    assert.equal(defined(x.fl, "A"), "OC");
  });
});

describe("sem/shift: rol, ror, rcl, rcr (SDM Vol. 2 RCL/RCR/ROL/ROR: only CF and OF change)", () => {
  it("rol eax, 1 / ror eax, 1", () => {
    let x = exec(32, "d1c0", { rax: 0x80000000 }, flagsOf("Z"));
    assert.equal(x.r("eax"), 1n);
    assert.equal(x.fl, "OZC");
    x = exec(32, "d1c8", { rax: 1 });
    assert.equal(x.r("eax"), 0x80000000n);
    assert.equal(x.fl, "OC");
  });

  it("rol rax, 4 across the halves", () => {
    const x = exec(64, "48c1c004", { rax: 0xf000000000000001n });
    assert.equal(x.r("rax"), 0x1fn);
    assert.equal(defined(x.fl, "O"), "C");
  });

  it("rcl al, 1 / rcr al, 1 rotate through CF", () => {
    let x = exec(32, "d0d0", { rax: 0x80 }, flagsOf("C"));
    assert.equal(x.r("eax"), 1n);
    assert.equal(x.fl, "OC");
    x = exec(32, "d0d8", { rax: 0x01 }, flagsOf("C"));
    assert.equal(x.r("eax"), 0x80n);
    assert.equal(x.fl, "OC");
  });

  it("rcl/rcr of 8/16-bit operands rotate by count mod 9 / mod 17", () => {
    let x = exec(32, "c0d009", { rax: 0x5a }, flagsOf("C"));
    assert.equal(x.r("eax"), 0x5an);
    assert.equal(defined(x.fl, "O"), "C");
    x = exec(32, "66c1d011", { rax: 0x1234 });
    assert.equal(x.r("eax"), 0x1234n);
    assert.equal(defined(x.fl, "O"), "");
    x = exec(32, "c0d80a", { rax: 0x01 }); // rcr al, 10 = rcr al, 1 (OF undefined: count is not 1)
    assert.equal(x.r("eax"), 0n);
    assert.equal(defined(x.fl, "O"), "C");
  });

  it("rcl rax, 1 / rcr rax, 1 move CF through the 65-bit rotation", () => {
    let x = exec(64, "48d1d0", { rax: 0x8000000080000000n }, flagsOf("C"));
    assert.equal(x.r("rax"), 0x100000001n);
    assert.equal(x.fl, "OC");
    x = exec(64, "48d1d8", { rax: 0x100000001n }, flagsOf("C"));
    assert.equal(x.r("rax"), 0x8000000080000000n);
    assert.equal(x.fl, "OC");
  });
});

describe("sem/shift: shld, shrd (SDM Vol. 2 SHLD/SHRD)", () => {
  it("shld eax, ebx, 4 and shrd eax, ebx, cl", () => {
    let x = exec(32, "0fa4d804", { rax: 0x12345678, rbx: 0x9abcdef0 });
    assert.equal(x.r("eax"), 0x23456789n);
    assert.equal(defined(x.fl, "OA"), "C");
    x = exec(32, "0fadd8", { rax: 0x12345678, rbx: 0x9abcdef0, rcx: 8 });
    assert.equal(x.r("eax"), 0xf0123456n);
    assert.equal(defined(x.fl, "OA"), "SP");
  });

  it("64-bit: shld rax, rbx, 1 sets OF on a sign change; shrd rax, rbx, 36", () => {
    let x = exec(64, "480fa4d801", { rax: 0x4000000000000000n, rbx: 0x8000000000000000n });
    assert.equal(x.r("rax"), 0x8000000000000001n);
    assert.equal(defined(x.fl, "A"), "OS");
    x = exec(64, "480facd824", { rax: 0x0123456789abcdefn, rbx: 0xfedcba9876543210n });
    assert.equal(x.r("rax"), 0x8765432100123456n);
    assert.equal(defined(x.fl, "OA"), "SP");
  });

  it("a count of 0 changes nothing", () => {
    const x = exec(32, "0fa5d8", { rax: 0x12345678, rbx: 0x9abcdef0, rcx: 0x40 }, ALL);
    assert.equal(x.r("eax"), 0x12345678n);
    assert.equal(x.fl, "OSZAPC");
  });

  it("reference hardware: 16-bit shld with a count above 16 (SDM: undefined) rotates the source", () => {
    const x = exec(32, "660fa4d814", { rax: 0xffff, rbx: 0x1234 });
    assert.equal(x.r("eax"), 0x2341n);
    assert.equal(x.fl.includes("C"), false);
  });
});
