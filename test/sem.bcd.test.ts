/**
 * BCD adjustment semantics (src/cpu/sem/bcd.ts): daa, das, aaa, aas, aam, aad (32-bit mode only) and salc.
 * Expected values follow the Intel SDM Vol. 2 pages (the DAA/DAS examples are the manual's own);
 * undefined flags are excluded.
 */
import { strict as assert } from "node:assert";
import { defined, exec, flagsOf } from "./sem-int";

describe("sem/bcd: daa, das (SDM Vol. 2 DAA, DAS)", () => {
  it("daa after add 79H + 35H: AL = AEH -> 14H, CF = AF = 1", () => {
    const x = exec(32, "27", { rax: 0xae }, flagsOf("OS"));
    assert.equal(x.r("eax"), 0x14n);
    assert.equal(defined(x.fl, "O"), "APC");
  });

  it("das after sub 35H - 47H: AL = EEH -> 88H, CF = AF = 1", () => {
    const x = exec(32, "2f", { rax: 0xee }, flagsOf("SAPC"));
    assert.equal(x.r("eax"), 0x88n);
    assert.equal(defined(x.fl, "O"), "SAPC");
  });

  it("daa leaves a valid packed BCD byte alone", () => {
    const x = exec(32, "27", { rax: 0x1234 });
    assert.equal(x.r("eax"), 0x1234n);
    assert.equal(defined(x.fl, "O"), "");
  });
});

describe("sem/bcd: aaa, aas (SDM Vol. 2 AAA, AAS)", () => {
  it("aaa after '8' + '9' (AL = 71H, AF = 1): AX = 0107H", () => {
    const x = exec(32, "37", { rax: 0x0071 }, flagsOf("A"));
    assert.equal(x.r("eax"), 0x0107n);
    assert.equal(defined(x.fl, "OSZP"), "AC");
  });

  it("aaa without adjustment only masks AL", () => {
    const x = exec(32, "37", { rax: 0x0235 });
    assert.equal(x.r("eax"), 0x0205n);
    assert.equal(defined(x.fl, "OSZP"), "");
  });

  it("aas after '3' - '5' (AL = FEH, AF = 1): AX = FF08H", () => {
    const x = exec(32, "3f", { rax: 0x00fe }, flagsOf("AC"));
    assert.equal(x.r("eax"), 0xff08n);
    assert.equal(defined(x.fl, "OSZP"), "AC");
  });
});

describe("sem/bcd: aam, aad (SDM Vol. 2 AAM, AAD)", () => {
  it("aam: AH = AL / imm8, AL = AL mod imm8", () => {
    let x = exec(32, "d40a", { rax: 0x3f });
    assert.equal(x.r("eax"), 0x0603n);
    assert.equal(defined(x.fl, "OAC"), "P");
    x = exec(32, "d410", { rax: 0x3f });
    assert.equal(x.r("eax"), 0x030fn);
  });

  it("aam 0 raises #DE and changes nothing", () => {
    const x = exec(32, "d400", { rax: 0x3f });
    assert.equal(x.stop.kind === "fault" && x.stop.fault.vector, "DE");
    assert.equal(x.r("eax"), 0x3fn);
  });

  it("aad: AL = AL + AH × imm8, AH = 0", () => {
    let x = exec(32, "d50a", { rax: 0x0603 });
    assert.equal(x.r("eax"), 0x3fn);
    assert.equal(defined(x.fl, "OAC"), "P");
    x = exec(32, "d510", { rax: 0x0603 });
    assert.equal(x.r("eax"), 0x63n);
  });
});

describe("sem/bcd: mode restrictions and salc", () => {
  for (const code of ["27", "2f", "37", "3f", "d40a", "d50a", "d6"]) {
    it(`${code} is #UD in 64-bit mode`, () => {
      const x = exec(64, code, { rax: 0x12 });
      assert.equal(x.stop.kind === "fault" && x.stop.fault.vector, "UD");
      assert.equal(x.r("rax"), 0x12n);
    });
  }

  it("salc sets AL from CF and changes no flags", () => {
    let x = exec(32, "d6", { rax: 0x1234 }, flagsOf("C"));
    assert.equal(x.r("eax"), 0x12ffn);
    assert.equal(x.fl, "C");
    x = exec(32, "d6", { rax: 0x12ff }, flagsOf("Z"));
    assert.equal(x.r("eax"), 0x1200n);
    assert.equal(x.fl, "Z");
  });
});
