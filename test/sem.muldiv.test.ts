/**
 * Multiply/divide semantics (src/cpu/sem/muldiv.ts). Expected values follow the Intel SDM Vol. 2 "MUL",
 * "IMUL", "DIV" and "IDIV" pages: CF = OF = 1 when the upper half of the product is significant
 * (SF/ZF/AF/PF undefined); #DE for a zero divisor or a quotient too large for the destination, with no
 * register changed (every arithmetic flag of a divide is undefined).
 */
import { strict as assert } from "node:assert";
import { defined, exec, type Result } from "./sem-int";

function mulFlags(x: Result): string {
  return defined(x.fl, "SZAP");
}

function fault(x: Result): string | false {
  return x.stop.kind === "fault" && x.stop.fault.vector;
}

describe("sem/muldiv: one-operand mul/imul (SDM Vol. 2 MUL, IMUL)", () => {
  it("mul bl: AX = AL × r/m8", () => {
    let x = exec(32, "f6e3", { rax: 0x80, rbx: 2 });
    assert.equal(x.r("eax"), 0x100n);
    assert.equal(mulFlags(x), "OC");
    x = exec(32, "f6e3", { rax: 0xffff0003, rbx: 5 });
    assert.equal(x.r("eax"), 0xffff000fn);
    assert.equal(mulFlags(x), "");
  });

  it("imul bl: signed, CF = OF = product does not fit in AL", () => {
    let x = exec(32, "f6eb", { rax: 0xff, rbx: 0x80 });
    assert.equal(x.r("eax"), 0x0080n);
    assert.equal(mulFlags(x), "OC");
    x = exec(32, "f6eb", { rax: 0xfe, rbx: 3 });
    assert.equal(x.r("eax"), 0xfffan);
    assert.equal(mulFlags(x), "");
  });

  it("mul bx: DX:AX", () => {
    const x = exec(32, "66f7e3", { rax: 0xabcdffff, rbx: 0xffff, rdx: 0x12340000 });
    assert.equal(x.r("eax"), 0xabcd0001n);
    assert.equal(x.r("edx"), 0x1234fffen);
    assert.equal(mulFlags(x), "OC");
  });

  it("mul ebx: EDX:EAX, zero-extended in 64-bit mode", () => {
    const x = exec(64, "f7e3", { rax: 0x11111111ffffffffn, rbx: 0xffffffff, rdx: -1 });
    assert.equal(x.r("rax"), 1n);
    assert.equal(x.r("rdx"), 0xfffffffen);
    assert.equal(mulFlags(x), "OC");
  });

  it("imul ebx: sign-extended product", () => {
    let x = exec(32, "f7eb", { rax: 0x80000000, rbx: 2 });
    assert.equal(x.r("eax"), 0n);
    assert.equal(x.r("edx"), 0xffffffffn);
    assert.equal(mulFlags(x), "OC");
    x = exec(32, "f7eb", { rax: 0xffffffff, rbx: 0xffffffff });
    assert.equal(x.r("eax"), 1n);
    assert.equal(x.r("edx"), 0n);
    assert.equal(mulFlags(x), "");
  });

  it("mul rbx / imul rbx: 128-bit products", () => {
    let x = exec(64, "48f7e3", { rax: -1, rbx: -1 });
    assert.equal(x.r("rax"), 1n);
    assert.equal(x.r("rdx"), 0xfffffffffffffffen);
    assert.equal(mulFlags(x), "OC");
    x = exec(64, "48f7eb", { rax: -1, rbx: 0x8000000000000000n });
    assert.equal(x.r("rax"), 0x8000000000000000n);
    assert.equal(x.r("rdx"), 0n);
    assert.equal(mulFlags(x), "OC");
    x = exec(64, "48f7eb", { rax: -3, rbx: 5 });
    assert.equal(x.r("rax"), 0xfffffffffffffff1n);
    assert.equal(x.r("rdx"), 0xffffffffffffffffn);
    assert.equal(mulFlags(x), "");
  });
});

describe("sem/muldiv: imul r, r/m and imul r, r/m, imm (0F AF, 6B, 69)", () => {
  it("imul eax, ebx truncates and flags the overflow", () => {
    const x = exec(64, "0fafc3", { rax: 0x10000, rbx: 0x10000 });
    assert.equal(x.r("rax"), 0n);
    assert.equal(mulFlags(x), "OC");
  });

  it("imul eax, ebx, imm8 (sign-extended) and imm32", () => {
    let x = exec(32, "6bc3ff", { rbx: 5 });
    assert.equal(x.r("eax"), 0xfffffffbn);
    assert.equal(mulFlags(x), "");
    x = exec(32, "69c300000040", { rbx: 4 });
    assert.equal(x.r("eax"), 0n);
    assert.equal(mulFlags(x), "OC");
  });

  it("imul ax, bx, imm8 merges into AX", () => {
    const x = exec(32, "666bc303", { rax: 0x12340000, rbx: 0x4000 });
    assert.equal(x.r("eax"), 0x1234c000n);
    assert.equal(mulFlags(x), "OC");
  });

  it("imul rax, rbx: 64-bit truncation", () => {
    let x = exec(64, "480fafc3", { rax: 0x100000000n, rbx: 0x100000000n });
    assert.equal(x.r("rax"), 0n);
    assert.equal(mulFlags(x), "OC");
    x = exec(64, "480fafc3", { rax: -2, rbx: 0x4000000000000000n });
    assert.equal(x.r("rax"), 0x8000000000000000n);
    assert.equal(mulFlags(x), "");
  });
});

describe("sem/muldiv: div/idiv (SDM Vol. 2 DIV, IDIV)", () => {
  it("div bl / idiv bl: AL = quotient, AH = remainder (sign of the dividend)", () => {
    let x = exec(32, "f6f3", { rax: 0x0101, rbx: 2 });
    assert.equal(x.r("eax"), 0x0180n);
    x = exec(32, "f6fb", { rax: 0xfff9, rbx: 2 });
    assert.equal(x.r("eax"), 0xfffdn);
  });

  it("div bx: DX:AX / r/m16", () => {
    const x = exec(32, "66f7f3", { rax: 0, rdx: 1, rbx: 3 });
    assert.equal(x.r("eax"), 0x5555n);
    assert.equal(x.r("edx"), 1n);
  });

  it("div ebx / idiv ebx: EDX:EAX, results zero-extended in 64-bit mode", () => {
    let x = exec(64, "f7f3", { rax: 0, rdx: 1, rbx: 2 });
    assert.equal(x.r("rax"), 0x80000000n);
    assert.equal(x.r("rdx"), 0n);
    x = exec(64, "f7fb", { rax: 0xfffffff9, rdx: 0xffffffff, rbx: 3 });
    assert.equal(x.r("rax"), 0xfffffffen);
    assert.equal(x.r("rdx"), 0xffffffffn);
  });

  it("div rbx with a non-zero RDX and a small divisor", () => {
    const x = exec(64, "48f7f3", { rax: 5, rdx: 1, rbx: 3 });
    assert.equal(x.r("rax"), 6148914691236517207n);
    assert.equal(x.r("rdx"), 0n);
  });

  it("div rbx with a divisor above 2^32", () => {
    let x = exec(64, "48f7f3", { rax: -1, rdx: 0, rbx: 0x100000001n });
    assert.equal(x.r("rax"), 0xffffffffn);
    assert.equal(x.r("rdx"), 0n);
    x = exec(64, "48f7f3", { rax: 0, rdx: 0x1234, rbx: 0x123456789n });
    assert.equal(x.r("rax"), 0xfffb400096fn);
    assert.equal(x.r("rdx"), 0xf0444a99n);
    x = exec(64, "48f7f3", { rax: 0xfedcba9876543210n, rdx: 0x1234, rbx: 0x8000000000000001n });
    assert.equal(x.r("rax"), 0x2469n);
    assert.equal(x.r("rdx"), 0x7edcba9876540da7n);
  });

  it("idiv rbx: truncates toward zero", () => {
    const x = exec(64, "48f7fb", { rax: -100, rdx: -1, rbx: 7 });
    assert.equal(x.r("rax"), BigInt.asUintN(64, -14n));
    assert.equal(x.r("rdx"), BigInt.asUintN(64, -2n));
  });

  it("#DE on a zero divisor and on quotient overflow, registers unchanged", () => {
    let x = exec(64, "48f7f3", { rax: 5, rdx: 0, rbx: 0 });
    assert.equal(fault(x), "DE");
    assert.equal(x.r("rax"), 5n);
    x = exec(64, "48f7f3", { rax: 0, rdx: 1, rbx: 1 });
    assert.equal(fault(x), "DE");
    assert.equal(x.r("rdx"), 1n);
    x = exec(64, "48f7fb", { rax: 0x8000000000000000n, rdx: -1, rbx: -1 });
    assert.equal(fault(x), "DE");
    assert.equal(x.r("rax"), 0x8000000000000000n);
    x = exec(32, "f7fb", { rax: 0x80000000, rdx: 0xffffffff, rbx: 0xffffffff });
    assert.equal(fault(x), "DE");
    x = exec(32, "f6f3", { rax: 0x0200, rbx: 2 });
    assert.equal(fault(x), "DE");
    assert.equal(x.r("eax"), 0x0200n);
  });

  it("the most negative quotient is allowed: idiv -2^63 / 1", () => {
    const x = exec(64, "48f7fb", { rax: 0x8000000000000000n, rdx: -1, rbx: 1 });
    assert.equal(x.stop.kind, "step");
    assert.equal(x.r("rax"), 0x8000000000000000n);
    assert.equal(x.r("rdx"), 0n);
  });
});
