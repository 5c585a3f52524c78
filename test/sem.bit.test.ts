/**
 * Bit-instruction semantics (src/cpu/sem/bit.ts). Expected values follow the Intel SDM Vol. 2 pages of
 * BT/BTS/BTR/BTC, BSF/BSR, TZCNT/LZCNT, POPCNT, BSWAP and the BMI1/BMI2 instructions (ANDN, BEXTR,
 * BLSI, BLSMSK, BLSR, BZHI, PDEP, PEXT, MULX, RORX, SARX/SHLX/SHRX); the bit-offset addressing of bt* on
 * memory is Vol. 1 §3.4.1.2 ("bit base" / "bit offset"). Undefined flags are excluded.
 */
import { strict as assert } from "node:assert";
import { DATA, defined, exec, flagsOf } from "./sem-int";

const ALL = flagsOf("OSZAPC");

describe("sem/bit: bt, bts, btr, btc (SDM Vol. 2 BT: CF = bit, ZF unchanged)", () => {
  it("bt eax, ebx takes the offset modulo 32 for a register", () => {
    let x = exec(32, "0fa3d8", { rax: 0x8, rbx: 35 }, flagsOf("Z"));
    assert.equal(defined(x.fl, "OSAP"), "ZC");
    x = exec(32, "0fa3d8", { rax: 0x8, rbx: 2 }, flagsOf("C"));
    assert.equal(defined(x.fl, "OSAP"), "");
  });

  it("bts [rbx], eax with a negative offset addresses below the bit base", () => {
    const mem = new Array<number>(16).fill(0);
    const x = exec(64, "0fab03", { rax: 0xffffffff, rbx: DATA + 8 }, 0x202, mem);
    // bit -1 of the string at DATA+8 is bit 7 of the byte at DATA+7
    assert.equal(x.m8(7), 0x80);
    assert.equal(x.m8(8), 0);
    assert.equal(defined(x.fl, "OSAP"), "");
  });

  it("64-bit offsets: btc [rbx], rax with rax = -65", () => {
    const mem = new Array<number>(24).fill(0xff);
    const x = exec(64, "480fbb03", { rax: -65, rbx: DATA + 16 }, 0x202, mem);
    assert.equal(x.m8(7), 0x7f);
    assert.equal(defined(x.fl, "OSAP"), "C");
  });

  it("16-bit offsets are sign-extended from 16 bits: bt word [rbx], ax", () => {
    const mem = new Array<number>(16).fill(0);
    mem[7] = 0x80;
    const x = exec(32, "660fa303", { rax: 0x1234ffff, rbx: DATA + 8 }, 0x202, mem);
    assert.equal(defined(x.fl, "OSAP"), "C");
  });

  it("imm8 forms mask the offset to the operand size, also on memory", () => {
    let x = exec(32, "0fbaf023", { rax: 0xff }); // btr eax, 35
    assert.equal(x.r("eax"), 0xf7n);
    assert.equal(defined(x.fl, "OSAP"), "C");
    x = exec(32, "0fbaf81f", { rax: 0 }); // btc eax, 31
    assert.equal(x.r("eax"), 0x80000000n);
    x = exec(32, "0fba2321", { rbx: DATA }, 0x202, [0x02, 0, 0, 0, 0x01]); // bt dword [rbx], 33
    assert.equal(defined(x.fl, "OSAP"), "C");
  });

  it("lock bts on memory", () => {
    const x = exec(64, "f00fab03", { rax: 9, rbx: DATA }, 0x202, [0, 0]);
    assert.equal(x.m8(1), 2);
  });
});

describe("sem/bit: bsf, bsr, tzcnt, lzcnt, popcnt", () => {
  it("bsf/bsr find the lowest/highest set bit", () => {
    let x = exec(64, "0fbcc3", { rbx: 0x80800000n });
    assert.equal(x.r("rax"), 23n);
    assert.equal(defined(x.fl, "OSAPC"), "");
    x = exec(64, "0fbdc3", { rbx: 0x80800000n });
    assert.equal(x.r("rax"), 31n);
    x = exec(64, "480fbdc3", { rbx: 0x100000000n });
    assert.equal(x.r("rax"), 32n);
    x = exec(64, "480fbcc3", { rbx: 0x8000000000000000n });
    assert.equal(x.r("rax"), 63n);
  });

  it("bsf with a zero source sets ZF; the destination is left alone (AMD APM; Intel: undefined)", () => {
    const x = exec(64, "0fbcc3", { rax: 0xffffffff12345678n, rbx: 0 });
    assert.equal(defined(x.fl, "OSAPC"), "Z");
    assert.equal(x.r("rax"), 0xffffffff12345678n);
  });

  it("tzcnt/lzcnt: operand size for a zero source with CF = 1", () => {
    let x = exec(64, "f30fbcc3", { rbx: 0 });
    assert.equal(x.r("rax"), 32n);
    assert.equal(defined(x.fl, "OSAP"), "C");
    x = exec(64, "f30fbcc3", { rbx: 1 });
    assert.equal(x.r("rax"), 0n);
    assert.equal(defined(x.fl, "OSAP"), "Z");
    x = exec(64, "66f30fbdc3", { rax: 0xaaaa0000, rbx: 0x00ff });
    assert.equal(x.r("rax"), 0xaaaa0008n);
    x = exec(64, "f3480fbdc3", { rbx: 0x10000n });
    assert.equal(x.r("rax"), 47n);
    assert.equal(defined(x.fl, "OSAP"), "");
  });

  it("popcnt clears every flag but ZF", () => {
    let x = exec(64, "f3480fb8c3", { rbx: 0xf00000000000000fn }, ALL);
    assert.equal(x.r("rax"), 8n);
    assert.equal(x.fl, "");
    x = exec(32, "f30fb8c3", { rbx: 0 }, ALL);
    assert.equal(x.r("eax"), 0n);
    assert.equal(x.fl, "Z");
  });
});

describe("sem/bit: bswap (SDM Vol. 2 BSWAP)", () => {
  it("bswap eax / rax / r8d", () => {
    let x = exec(64, "0fc8", { rax: 0x1122334455667788n });
    assert.equal(x.r("rax"), 0x88776655n);
    x = exec(64, "480fc8", { rax: 0x1122334455667788n });
    assert.equal(x.r("rax"), 0x8877665544332211n);
    x = exec(64, "410fc8", { r8: 0x11223344 });
    assert.equal(x.r("r8"), 0x44332211n);
  });

  it("reference hardware: the undefined 16-bit form clears the low word", () => {
    const x = exec(32, "660fc8", { rax: 0x55667788 });
    assert.equal(x.r("eax"), 0x55660000n);
  });
});

describe("sem/bit: BMI1 / BMI2 (VEX)", () => {
  it("andn eax, ecx, ebx", () => {
    const x = exec(64, "c4e270f2c3", { rcx: 0xf0f0f0f0, rbx: 0xffff0000 }, ALL);
    assert.equal(x.r("rax"), 0x0f0f0000n);
    assert.equal(defined(x.fl, "AP"), "");
  });

  it("andn rax, rcx, rbx (W1) and W1 ignored in 32-bit mode", () => {
    let x = exec(64, "c4e2f0f2c3", { rcx: 0, rbx: 0x8000000000000000n });
    assert.equal(x.r("rax"), 0x8000000000000000n);
    assert.equal(defined(x.fl, "AP"), "S");
    x = exec(32, "c4e2f0f2c3", { rcx: 0, rbx: 0x80000000 });
    assert.equal(x.r("eax"), 0x80000000n);
  });

  it("bextr eax, ebx, ecx: start and length from ecx", () => {
    let x = exec(64, "c4e270f7c3", { rbx: 0x12345678, rcx: 0x0804 }, ALL);
    assert.equal(x.r("rax"), 0x67n);
    assert.equal(defined(x.fl, "ASP"), "");
    x = exec(64, "c4e270f7c3", { rbx: 0x12345678, rcx: 0x0840 });
    assert.equal(x.r("rax"), 0n);
    assert.equal(defined(x.fl, "ASP"), "Z");
  });

  it("blsi / blsmsk / blsr write the vvvv register", () => {
    let x = exec(64, "c4e270f3db", { rbx: 0x58 });
    assert.equal(x.r("rcx"), 0x08n);
    assert.equal(defined(x.fl, "AP"), "C");
    x = exec(64, "c4e270f3d3", { rbx: 0x58 });
    assert.equal(x.r("rcx"), 0x0fn);
    assert.equal(defined(x.fl, "AP"), "");
    x = exec(64, "c4e270f3cb", { rbx: 0x58 });
    assert.equal(x.r("rcx"), 0x50n);
    assert.equal(defined(x.fl, "AP"), "");
    x = exec(64, "c4e270f3cb", { rbx: 0 });
    assert.equal(x.r("rcx"), 0n);
    assert.equal(defined(x.fl, "AP"), "ZC");
  });

  it("bzhi eax, ebx, ecx: CF when the index is past the operand", () => {
    let x = exec(64, "c4e270f5c3", { rbx: 0xffffffff, rcx: 8 });
    assert.equal(x.r("rax"), 0xffn);
    assert.equal(defined(x.fl, "AP"), "");
    x = exec(64, "c4e270f5c3", { rbx: 0xffffffff, rcx: 40 });
    assert.equal(x.r("rax"), 0xffffffffn);
    assert.equal(defined(x.fl, "AP"), "SC");
  });

  it("pdep / pext", () => {
    let x = exec(64, "c4e273f5c3", { rcx: 0b101, rbx: 0xf0 });
    assert.equal(x.r("rax"), 0x50n);
    x = exec(64, "c4e272f5c3", { rcx: 0x12345678, rbx: 0xff00 });
    assert.equal(x.r("rax"), 0x56n);
    x = exec(64, "c4e2f3f5c3", { rcx: 3, rbx: 0x8000000000000001n });
    assert.equal(x.r("rax"), 0x8000000000000001n);
  });

  it("mulx: high half to ModRM.reg, low half to vvvv, flags untouched", () => {
    let x = exec(64, "c4e273f6c3", { rdx: 0xffffffff, rbx: 2 }, ALL);
    assert.equal(x.r("rax"), 1n);
    assert.equal(x.r("rcx"), 0xfffffffen);
    assert.equal(x.fl, "OSZAPC");
    x = exec(64, "c4e2f3f6c3", { rdx: 0x8000000000000000n, rbx: 4 });
    assert.equal(x.r("rax"), 2n);
    assert.equal(x.r("rcx"), 0n);
  });

  it("rorx and sarx / shlx / shrx (count modulo the operand size, no flags)", () => {
    let x = exec(64, "c4e37bf0c308", { rbx: 0x12345678 });
    assert.equal(x.r("rax"), 0x78123456n);
    x = exec(64, "c4e3fbf0c304", { rbx: 0x0123456789abcdefn });
    assert.equal(x.r("rax"), 0xf0123456789abcden);
    x = exec(64, "c4e272f7c3", { rbx: 0x80000000, rcx: 36 }, ALL);
    assert.equal(x.r("rax"), 0xf8000000n);
    assert.equal(x.fl, "OSZAPC");
    x = exec(64, "c4e271f7c3", { rbx: 1, rcx: 31 });
    assert.equal(x.r("rax"), 0x80000000n);
    x = exec(64, "c4e2f3f7c3", { rbx: 0x8000000000000000n, rcx: 63 });
    assert.equal(x.r("rax"), 1n);
  });
});
