/**
 * Hand-written decoder vectors (encodings from the Intel SDM Vol. 2 and the AMD APM): every field of
 * the Insn record is checked for a few representative instructions, plus the prefix corner cases
 * (REX placement, LOCK legality, 15-byte limit, truncation).
 */
import { strict as assert } from "node:assert";
import { decode, describe as describeInsn } from "../src/cpu/decoder/decoder";
import { Encoding, Invalid, NO_REG, RIP_BASE, type Insn, type Operand } from "../src/cpu/decoder/insn";

function bytes(hex: string): Uint8Array {
  const b = new Uint8Array(16);
  const parts = hex.split(" ").filter(Boolean);
  parts.forEach((h, i) => (b[i] = parseInt(h, 16)));
  return b;
}

function dec(hex: string, bits: 32 | 64, ip = 0x1000, avail = 16): Insn {
  return decode(bytes(hex), avail, ip, bits);
}

/** The record with every field at its "nothing" value; vectors override what they expect. */
function base(bits: 32 | 64, ip = 0x1000): Omit<Insn, "operands" | "opSpecs"> {
  return {
    ip,
    len: 0,
    bits,
    invalid: Invalid.None,
    prefixes: [],
    lock: false,
    rep: 0,
    seg: -1,
    segPrefix: -1,
    opsize: 32,
    adsize: bits,
    rex: 0,
    rexIgnored: 0,
    w: 0,
    r: 0,
    x: 0,
    b: 0,
    rp: 0,
    encoding: Encoding.Legacy,
    vvvv: 0,
    vl: 0,
    aaa: 0,
    z: 0,
    evexB: 0,
    map: 0,
    opcode: 0,
    mandatory: 0,
    hasModrm: false,
    modrm: 0,
    mod: 0,
    reg: 0,
    rm: 0,
    hasSib: false,
    sib: 0,
    scale: 0,
    sibIndex: 0,
    sibBase: 0,
    disp: 0,
    dispHi: 0,
    dispSize: 0,
    imm: 0,
    immHi: 0,
    immSize: 0,
    imm2: 0,
    imm2Size: 0,
    memBase: NO_REG,
    memIndex: NO_REG,
    memScale: 1,
    hasMem: false,
    mnemonic: "",
    disp8N: 1,
    memSize: 0,
  };
}

/** Checks every field: `expected` = base(bits) with overrides. */
function checkAll(insn: Insn, expected: Omit<Insn, "operands" | "opSpecs">, operands?: Operand[]): void {
  const { operands: _ops, opSpecs: _specs, ...rest } = insn;
  void _ops;
  void _specs;
  assert.deepEqual({ ...rest, prefixes: [...rest.prefixes] }, expected);
  if (operands !== undefined) assert.deepEqual(describeInsn(insn).operands, operands);
}

const reg = (r: string): Operand => ({ kind: "reg", reg: r });
const mem = (
  seg: string,
  baseReg: string,
  index: string,
  scale: 1 | 2 | 4 | 8,
  disp: bigint,
  size: number,
): Operand => ({ kind: "mem", seg, base: baseReg, index, scale, disp, size });

describe("decoder vectors: full records", () => {
  it("8B 46 08 = mov eax, [esi+8] (32-bit)", () => {
    const i = dec("8B 46 08", 32);
    checkAll(
      i,
      {
        ...base(32),
        len: 3,
        opcode: 0x8b,
        hasModrm: true,
        modrm: 0x46,
        mod: 1,
        reg: 0,
        rm: 6,
        disp: 8,
        dispSize: 1,
        memBase: 6,
        hasMem: true,
        mnemonic: "mov",
      },
      [reg("eax"), mem("ds", "esi", "", 1, 8n, 4)],
    );
  });

  it("48 8B 44 1E 08 = mov rax, [rsi+rbx+8] (64-bit, SIB base=rsi index=rbx)", () => {
    const i = dec("48 8B 44 1E 08", 64);
    checkAll(
      i,
      {
        ...base(64),
        len: 5,
        opsize: 64,
        rex: 0x48,
        w: 1,
        opcode: 0x8b,
        hasModrm: true,
        modrm: 0x44,
        mod: 1,
        reg: 0,
        rm: 4,
        hasSib: true,
        sib: 0x1e,
        scale: 0,
        sibIndex: 3,
        sibBase: 6,
        disp: 8,
        dispSize: 1,
        memBase: 6,
        memIndex: 3,
        memScale: 1,
        hasMem: true,
        mnemonic: "mov",
      },
      [reg("rax"), mem("ds", "rsi", "rbx", 1, 8n, 8)],
    );
  });

  it("F0 01 00 = lock add [rax], eax; F0 01 C0 (register destination) is invalid", () => {
    const i = dec("F0 01 00", 64);
    checkAll(
      i,
      {
        ...base(64),
        len: 3,
        prefixes: [0xf0],
        lock: true,
        opcode: 0x01,
        hasModrm: true,
        modrm: 0x00,
        memBase: 0,
        hasMem: true,
        mnemonic: "add",
      },
      [mem("ds", "rax", "", 1, 0n, 4), reg("eax")],
    );
    assert.equal(dec("F0 01 C0", 64).invalid, Invalid.Lock);
    assert.equal(dec("F0 01 C0", 32).invalid, Invalid.Lock);
    // LOCK on an instruction that is never lockable (mov) is invalid too
    assert.equal(dec("F0 89 00", 32).invalid, Invalid.Lock);
  });

  it("66 0F 58 C1 = addpd xmm0, xmm1: 66 is the mandatory prefix, not an operand-size override", () => {
    const i = dec("66 0F 58 C1", 64);
    checkAll(
      i,
      {
        ...base(64),
        len: 4,
        prefixes: [0x66],
        map: 1,
        opcode: 0x58,
        mandatory: 0x66,
        hasModrm: true,
        modrm: 0xc1,
        mod: 3,
        reg: 0,
        rm: 1,
        mnemonic: "addpd",
      },
      [reg("xmm0"), reg("xmm1")],
    );
  });

  it("48 A1 imm64 = mov rax, moffs64 (64-bit absolute offset)", () => {
    const i = dec("48 A1 88 77 66 55 44 33 22 11", 64);
    checkAll(
      i,
      {
        ...base(64),
        len: 10,
        opsize: 64,
        rex: 0x48,
        w: 1,
        opcode: 0xa1,
        disp: 0x55667788,
        dispHi: 0x11223344,
        dispSize: 8,
        hasMem: true,
        mnemonic: "mov",
      },
      [reg("rax"), mem("ds", "", "", 1, 0x1122334455667788n, 8)],
    );
  });

  it("48 B8 imm64 = mov rax, imm64", () => {
    const i = dec("48 B8 88 77 66 55 44 33 22 91", 64);
    checkAll(
      i,
      {
        ...base(64),
        len: 10,
        opsize: 64,
        rex: 0x48,
        w: 1,
        opcode: 0xb8,
        imm: 0x55667788,
        immHi: 0x91223344 | 0,
        immSize: 8,
        mnemonic: "mov",
      },
      [reg("rax"), { kind: "imm", value: 0x9122334455667788n, size: 8 }],
    );
  });

  it("8B 05 disp32 = mov eax, [rip+disp32] (RIP-relative, target shown absolute)", () => {
    const i = dec("8B 05 00 01 00 00", 64, 0x7ff6_0000_1000);
    checkAll(
      i,
      {
        ...base(64, 0x7ff6_0000_1000),
        len: 6,
        opcode: 0x8b,
        hasModrm: true,
        modrm: 0x05,
        rm: 5,
        disp: 0x100,
        dispSize: 4,
        memBase: RIP_BASE,
        hasMem: true,
        mnemonic: "mov",
      },
      [reg("eax"), mem("ds", "rip", "", 1, 0x7ff6_0000_1106n, 4)],
    );
  });

  it("EA ptr16:32 = jmp far 1234:12345678 (32-bit); 66 EA = ptr16:16", () => {
    const i = dec("EA 78 56 34 12 34 12", 32);
    checkAll(
      i,
      {
        ...base(32),
        len: 7,
        opcode: 0xea,
        imm: 0x12345678,
        immSize: 4,
        imm2: 0x1234,
        imm2Size: 2,
        mnemonic: "jmp",
      },
      [{ kind: "far", selector: 0x1234, offset: 0x12345678 }],
    );
    const j = dec("66 EA 78 56 34 12", 32);
    assert.equal(j.len, 6);
    assert.equal(j.opsize, 16);
    assert.deepEqual(describeInsn(j).operands, [{ kind: "far", selector: 0x1234, offset: 0x5678 }]);
    assert.equal(dec("EA 78 56 34 12 34 12", 64).invalid, Invalid.Opcode);
  });

  it("C8 10 00 02 = enter 16, 2 (iw + ib)", () => {
    const i = dec("C8 10 00 02", 64);
    checkAll(
      i,
      {
        ...base(64),
        len: 4,
        opsize: 64,
        opcode: 0xc8,
        imm: 0x10,
        immSize: 2,
        imm2: 2,
        imm2Size: 1,
        mnemonic: "enter",
      },
      [
        { kind: "imm", value: 16n, size: 2 },
        { kind: "imm", value: 2n, size: 1 },
      ],
    );
  });

  it("67 8B 46 08 = mov eax, [bp+8] (16-bit addressing in 32-bit mode, SS default)", () => {
    const i = dec("67 8B 46 08", 32);
    checkAll(
      i,
      {
        ...base(32),
        len: 4,
        prefixes: [0x67],
        adsize: 16,
        opcode: 0x8b,
        hasModrm: true,
        modrm: 0x46,
        mod: 1,
        rm: 6,
        disp: 8,
        dispSize: 1,
        memBase: 5,
        hasMem: true,
        mnemonic: "mov",
      },
      [reg("eax"), mem("ss", "bp", "", 1, 8n, 4)],
    );
  });

  it("64 48 8B 04 25 30 00 00 00 = mov rax, fs:[0x30] (SIB without base and index)", () => {
    const i = dec("64 48 8B 04 25 30 00 00 00", 64);
    checkAll(
      i,
      {
        ...base(64),
        len: 9,
        prefixes: [0x64],
        seg: 4,
        segPrefix: 4,
        opsize: 64,
        rex: 0x48,
        w: 1,
        opcode: 0x8b,
        hasModrm: true,
        modrm: 0x04,
        rm: 4,
        hasSib: true,
        sib: 0x25,
        sibIndex: 4,
        sibBase: 5,
        disp: 0x30,
        dispSize: 4,
        hasMem: true,
        mnemonic: "mov",
      },
      [reg("rax"), mem("fs", "", "", 1, 0x30n, 8)],
    );
  });

  it("E8 rel32 = call (target wraps to the ip), D9 C1 = fld st1", () => {
    const i = dec("E8 FB FF FF FF", 64);
    assert.equal(i.len, 5);
    assert.equal(i.opsize, 64);
    assert.equal(i.imm, -5);
    assert.deepEqual(describeInsn(i).operands, [{ kind: "branch", target: 0x1000n }]);
    const f = dec("D9 C1", 32);
    assert.equal(f.mnemonic, "fld");
    assert.equal(f.len, 2);
    assert.deepEqual(describeInsn(f).operands, [reg("st1")]);
  });
});

describe("decoder vectors: prefixes and REX", () => {
  it("40 90: REX nop (2 bytes) in 64-bit mode, inc eax (1 byte) in 32-bit mode", () => {
    const i = dec("40 90", 64);
    assert.equal(i.invalid, Invalid.None);
    assert.equal(i.len, 2);
    assert.equal(i.rex, 0x40);
    assert.equal(i.mnemonic, "nop");
    const j = dec("40 90", 32);
    assert.equal(j.len, 1);
    assert.equal(j.mnemonic, "inc");
    assert.deepEqual(describeInsn(j).operands, [reg("eax")]);
  });

  it("41 90 = xchg r8d, eax (REX.B turns NOP into XCHG); F3 41 90 is still pause", () => {
    const i = dec("41 90", 64);
    assert.equal(i.mnemonic, "xchg");
    assert.equal(i.b, 1);
    assert.deepEqual(describeInsn(i).operands, [reg("r8d"), reg("eax")]);
    assert.equal(dec("F3 41 90", 64).mnemonic, "pause");
  });

  it("48 66 90: REX not last is ignored (rexIgnored), 66 gives a 16-bit nop", () => {
    const i = dec("48 66 90", 64);
    assert.equal(i.invalid, Invalid.None);
    assert.equal(i.len, 3);
    assert.equal(i.rex, 0);
    assert.equal(i.rexIgnored, 0x48);
    assert.equal(i.w, 0);
    assert.equal(i.opsize, 16);
    assert.deepEqual(i.prefixes, [0x66]);
    const j = dec("66 48 90", 64);
    assert.equal(j.rex, 0x48);
    assert.equal(j.opsize, 64);
  });

  it("segment overrides: last wins in 32-bit mode; FS/GS win in 64-bit mode, ES/CS/SS/DS are ignored", () => {
    assert.equal(dec("26 2E 8B 00", 32).seg, 1);
    const i = dec("64 26 8B 00", 64);
    assert.equal(i.seg, 4);
    assert.equal(i.segPrefix, 4);
    const j = dec("26 8B 00", 64);
    assert.equal(j.seg, -1);
    assert.equal(j.segPrefix, 0);
  });

  it("F2/F3: the last one counts (rep) and selects the mandatory prefix", () => {
    assert.equal(dec("F2 F3 0F 58 C0", 64).mnemonic, "addss");
    assert.equal(dec("F3 F2 0F 58 C0", 64).mnemonic, "addsd");
    const i = dec("F3 A4", 32);
    assert.equal(i.rep, 0xf3);
    assert.equal(i.mandatory, 0);
    assert.equal(i.mnemonic, "movsb");
  });

  it("default-64 and forced-64 operand sizes in 64-bit mode", () => {
    assert.equal(dec("50", 64).opsize, 64); // push rax
    assert.equal(dec("66 50", 64).opsize, 16); // push ax
    assert.equal(dec("66 E8 00 00 00 00", 64).opsize, 64); // call rel32: 66 ignored (Intel)
    assert.equal(dec("66 E8 00 00", 32).len, 4); // call rel16 in 32-bit mode
  });

  it("invalid in 64-bit mode: 06, 27, 60, 9A, CE, D4, EA, 82; C4/C5/62 are VEX/EVEX there", () => {
    for (const hex of ["06", "27", "60", "9A 00 00 00 00 00 00", "CE", "D4 0A", "82 C0 01"]) {
      assert.equal(dec(hex, 64).invalid, Invalid.Opcode, hex);
      assert.equal(dec(hex, 32).invalid, Invalid.None, hex);
    }
    assert.equal(dec("C4 00", 32).mnemonic, "les");
    assert.equal(dec("C5 00", 32).mnemonic, "lds");
    assert.equal(dec("62 00", 32).mnemonic, "bound");
  });

  it("15-byte limit and truncated input", () => {
    const tooLong = decode(bytes("66 66 66 66 66 66 66 66 66 66 66 66 66 66 90"), 16, 0, 32);
    assert.equal(tooLong.invalid, Invalid.None);
    assert.equal(tooLong.len, 15);
    const over = decode(bytes("66 66 66 66 66 66 66 66 66 66 66 66 66 66 66 90"), 16, 0, 32);
    assert.equal(over.invalid, Invalid.TooLong);
    assert.equal(dec("8B 46", 32, 0x1000, 2).invalid, Invalid.Truncated);
    assert.equal(dec("0F", 64, 0x1000, 1).invalid, Invalid.Truncated);
    assert.equal(dec("B8 01 02 03", 32, 0x1000, 4).invalid, Invalid.Truncated);
    assert.equal(dec("B8 01 02 03 04", 32, 0x1000, 5).invalid, Invalid.None);
  });
});

describe("decoder vectors: VEX / EVEX prefix fields", () => {
  it("C5 F8 77 = vzeroupper (2-byte VEX, no ModRM)", () => {
    const i = dec("C5 F8 77", 64);
    assert.equal(i.invalid, Invalid.None);
    assert.equal(i.encoding, Encoding.Vex);
    assert.equal(i.len, 3);
    assert.equal(i.map, 1);
    assert.equal(i.opcode, 0x77);
    assert.equal(i.hasModrm, false);
    assert.equal(i.mnemonic, "vzeroupper");
  });

  it("C4 E2 7D 18 4C 24 08: 3-byte VEX fields (map 0F38, 66, L=1, W=0)", () => {
    const i = dec("C4 E2 7D 18 4C 24 08", 64);
    assert.equal(i.encoding, Encoding.Vex);
    assert.equal(i.map, 2);
    assert.equal(i.mandatory, 0x66);
    assert.equal(i.vl, 1);
    assert.equal(i.w, 0);
    assert.equal(i.vvvv, 0);
    assert.equal(i.len, 7);
    assert.equal(i.mnemonic, "vbroadcastss");
  });

  it("62 F1 7C 48 58 40 01 = vaddps zmm0, zmm0, [rax+0x40] (EVEX disp8*N, N = 64)", () => {
    const i = dec("62 F1 7C 48 58 40 01", 64);
    assert.equal(i.invalid, Invalid.None);
    assert.equal(i.encoding, Encoding.Evex);
    assert.equal(i.vl, 2);
    assert.equal(i.disp8N, 64);
    assert.equal(i.disp, 64);
    assert.equal(i.len, 7);
    assert.equal(i.mnemonic, "vaddps");
  });

  it("66/F2/F3/REX/LOCK before VEX is invalid", () => {
    for (const p of ["66", "F2", "F3", "48", "F0"])
      assert.equal(dec(`${p} C5 F8 77`, 64).invalid, Invalid.Opcode, p);
  });
});
