/**
 * Integer ALU: add/or/adc/sbb/and/sub/xor/cmp in every encoding (00–3F rows, groups 80/81/82/83),
 * test (84/85, A8/A9, F6/F7 /0 /1), inc/dec (FE/FF /0 /1, 40–4F in 32-bit mode), neg/not (F6/F7 /2 /3).
 * All of them record lazy flags (src/cpu/flags.ts). LOCK needs nothing extra: the emulator is
 * single-threaded, so a read-modify-write is atomic; the decoder already rejects LOCK where it is #UD.
 *
 * Order inside a read-modify-write: read (may fault), compute, write (may fault), then record flags, so
 * a faulting write leaves the flags untouched (precise faults).
 */
import type { Cpu } from "../cpu";
import type { Insn } from "../decoder/insn";
import { define } from "../dispatch";
import { CF, FOp, OF, type Flags } from "../flags";
import { IN_REG, locE, readAt, regOf, rmOf, simm, writeAt } from "./operands";

const TWO32 = 4294967296;

/** Operation numbers as opcode bits 5:3 and group-1 ModRM.reg encode them (SDM Vol. 2 Table A-6). */
const enum Op {
  Add = 0,
  Or = 1,
  Adc = 2,
  Sbb = 3,
  And = 4,
  Sub = 5,
  Xor = 6,
  Cmp = 7,
}

const NAMES = ["add", "or", "adc", "sbb", "and", "sub", "xor", "cmp"];

function maskOf(size: number): number {
  return size === 8 ? 0xff : size === 16 ? 0xffff : -1;
}

/** Carry consumed by the last adc/sbb `compute` (recorded by `record`). */
let carry = 0;
/** High half of the last 64-bit `compute64` result. */
let rhi = 0;

/** 8/16/32-bit result of `op` (masked to `size`; int32 for 32). Reads CF for adc/sbb. */
function compute(f: Flags, op: number, mask: number, a: number, b: number): number {
  switch (op) {
    case Op.Add:
      return (a + b) & mask;
    case Op.Or:
      return (a | b) & mask;
    case Op.Adc:
      carry = f.cf();
      return (a + b + carry) & mask;
    case Op.Sbb:
      carry = f.cf();
      return (a - b - carry) & mask;
    case Op.And:
      return a & b & mask;
    case Op.Xor:
      return (a ^ b) & mask;
    default: // sub, cmp
      return (a - b) & mask;
  }
}

function record(f: Flags, op: number, size: number, a: number, b: number, r: number): void {
  switch (op) {
    case Op.Add:
      f.lazy(FOp.Add, size, a, b, r);
      return;
    case Op.Adc:
      f.cfIn = carry;
      f.lazy(FOp.Adc, size, a, b, r);
      return;
    case Op.Sbb:
      f.cfIn = carry;
      f.lazy(FOp.Sbb, size, a, b, r);
      return;
    case Op.Sub:
    case Op.Cmp:
      f.lazy(FOp.Sub, size, a, b, r);
      return;
    default:
      f.lazy(FOp.Logic, size, a, b, r);
  }
}

/** 64-bit `op` on (lo, hi) pairs: returns lo, hi in `rhi`. */
function compute64(f: Flags, op: number, alo: number, ahi: number, blo: number, bhi: number): number {
  let s: number;
  switch (op) {
    case Op.Or:
      rhi = ahi | bhi;
      return alo | blo;
    case Op.And:
      rhi = ahi & bhi;
      return alo & blo;
    case Op.Xor:
      rhi = ahi ^ bhi;
      return alo ^ blo;
    case Op.Add:
      s = (alo >>> 0) + (blo >>> 0);
      rhi = (ahi + bhi + (s >= TWO32 ? 1 : 0)) | 0;
      return s | 0;
    case Op.Adc:
      carry = f.cf();
      s = (alo >>> 0) + (blo >>> 0) + carry;
      rhi = (ahi + bhi + (s >= TWO32 ? 1 : 0)) | 0;
      return s | 0;
    case Op.Sbb:
      carry = f.cf();
      s = (alo >>> 0) - (blo >>> 0) - carry;
      rhi = (ahi - bhi - (s < 0 ? 1 : 0)) | 0;
      return s | 0;
    default: // sub, cmp
      s = (alo >>> 0) - (blo >>> 0);
      rhi = (ahi - bhi - (s < 0 ? 1 : 0)) | 0;
      return s | 0;
  }
}

function record64(
  f: Flags,
  op: number,
  alo: number,
  ahi: number,
  blo: number,
  bhi: number,
  r: number,
  h: number,
): void {
  switch (op) {
    case Op.Add:
      f.lazy64(FOp.Add, alo, ahi, blo, bhi, r, h);
      return;
    case Op.Adc:
      f.cfIn = carry;
      f.lazy64(FOp.Adc, alo, ahi, blo, bhi, r, h);
      return;
    case Op.Sbb:
      f.cfIn = carry;
      f.lazy64(FOp.Sbb, alo, ahi, blo, bhi, r, h);
      return;
    case Op.Sub:
    case Op.Cmp:
      f.lazy64(FOp.Sub, alo, ahi, blo, bhi, r, h);
      return;
    default:
      f.lazy64(FOp.Logic, alo, ahi, blo, bhi, r, h);
  }
}

// ---------------------------------------------------------------- the 00–3F rows and group 1 (80–83)

/** r/m ← r/m op b, for 8/16/32 bits. */
function opE(cpu: Cpu, i: Insn, op: number, size: number, b: number): void {
  const mask = maskOf(size);
  const f = cpu.flags;
  const loc = locE(cpu, i);
  const a = readAt(cpu, i, loc, size);
  b &= mask;
  const r = compute(f, op, mask, a, b);
  if (op !== Op.Cmp) writeAt(cpu, i, loc, size, r);
  record(f, op, size, a, b, r);
}

function opE64(cpu: Cpu, i: Insn, op: number, blo: number, bhi: number): void {
  const f = cpu.flags;
  const loc = locE(cpu, i);
  const alo = readAt(cpu, i, loc, 64);
  const ahi = cpu.th;
  const r = compute64(f, op, alo, ahi, blo, bhi);
  const h = rhi;
  if (op !== Op.Cmp) writeAt(cpu, i, loc, 64, r, h);
  record64(f, op, alo, ahi, blo, bhi, r, h);
}

/** Register `reg` ← reg op b (8/16/32 bits; 8-bit register numbers follow the REX rule). */
function opReg(cpu: Cpu, i: Insn, op: number, size: number, reg: number, b: number): void {
  const mask = maskOf(size);
  const f = cpu.flags;
  const rex = i.rex !== 0;
  const a = cpu.getReg(reg, size, rex);
  b &= mask;
  const r = compute(f, op, mask, a, b);
  if (op !== Op.Cmp) cpu.setReg(reg, size, rex, r);
  record(f, op, size, a, b, r);
}

function opReg64(cpu: Cpu, op: number, reg: number, blo: number, bhi: number): void {
  const f = cpu.flags;
  const alo = cpu.lo[reg];
  const ahi = cpu.hi[reg];
  const r = compute64(f, op, alo, ahi, blo, bhi);
  const h = rhi;
  if (op !== Op.Cmp) {
    cpu.lo[reg] = r;
    cpu.hi[reg] = h;
  }
  record64(f, op, alo, ahi, blo, bhi, r, h);
}

const rowOp = (i: Insn): number => (i.opcode >> 3) & 7;

// Eb,Gb / Ev,Gv
const hEbGb = (cpu: Cpu, i: Insn): void => opE(cpu, i, rowOp(i), 8, cpu.getReg(regOf(i), 8, i.rex !== 0));
const hEvGv = (cpu: Cpu, i: Insn): void =>
  opE(cpu, i, rowOp(i), i.opsize, cpu.getReg(regOf(i), i.opsize, false));
const hEqGq = (cpu: Cpu, i: Insn): void => {
  const g = regOf(i);
  opE64(cpu, i, rowOp(i), cpu.lo[g], cpu.hi[g]);
};
/** Register-register forms skip the location dance (the hottest ALU shape). */
const hEvGvReg = (cpu: Cpu, i: Insn): void =>
  opReg(cpu, i, rowOp(i), i.opsize, rmOf(i), cpu.getReg(regOf(i), i.opsize, false));
const hEqGqReg = (cpu: Cpu, i: Insn): void => {
  const g = regOf(i);
  opReg64(cpu, rowOp(i), rmOf(i), cpu.lo[g], cpu.hi[g]);
};

// Gb,Eb / Gv,Ev
const hGbEb = (cpu: Cpu, i: Insn): void =>
  opReg(cpu, i, rowOp(i), 8, regOf(i), readAt(cpu, i, locE(cpu, i), 8));
const hGvEv = (cpu: Cpu, i: Insn): void =>
  opReg(cpu, i, rowOp(i), i.opsize, regOf(i), readAt(cpu, i, locE(cpu, i), i.opsize));
const hGqEq = (cpu: Cpu, i: Insn): void => {
  const blo = readAt(cpu, i, locE(cpu, i), 64);
  opReg64(cpu, rowOp(i), regOf(i), blo, cpu.th);
};

// AL,Ib / rAX,Iz (imm32 sign-extended to 64 bits with REX.W)
const hALIb = (cpu: Cpu, i: Insn): void => opReg(cpu, i, rowOp(i), 8, 0, i.imm);
const hAXIz = (cpu: Cpu, i: Insn): void => opReg(cpu, i, rowOp(i), i.opsize, 0, i.imm);
const hRAXIz = (cpu: Cpu, i: Insn): void => {
  const b = simm(i);
  opReg64(cpu, rowOp(i), 0, b, b >> 31);
};

// Group 1: 80 Eb,Ib / 81 Ev,Iz / 83 Ev,Ib (sign-extended) / 82 = 80 (32-bit mode only)
const hGrpEb = (cpu: Cpu, i: Insn): void => opE(cpu, i, i.reg, 8, i.imm);
const hGrpEv = (cpu: Cpu, i: Insn): void => opE(cpu, i, i.reg, i.opsize, simm(i));
const hGrpEq = (cpu: Cpu, i: Insn): void => {
  const b = simm(i);
  opE64(cpu, i, i.reg, b, b >> 31);
};
const hGrpEvReg = (cpu: Cpu, i: Insn): void => opReg(cpu, i, i.reg, i.opsize, rmOf(i), simm(i));
const hGrpEqReg = (cpu: Cpu, i: Insn): void => {
  const b = simm(i);
  opReg64(cpu, i.reg, rmOf(i), b, b >> 31);
};

for (let op = 0; op < 8; op++) {
  const base = op << 3;
  const name = NAMES[op];
  define(
    { map: 0, opcode: base, name, h: hEbGb },
    { map: 0, opcode: base + 1, name, h: hEvGv },
    { map: 0, opcode: base + 1, form: "reg", name, h: hEvGvReg },
    { map: 0, opcode: base + 1, w: 1, name, h: hEqGq },
    { map: 0, opcode: base + 1, w: 1, form: "reg", name, h: hEqGqReg },
    { map: 0, opcode: base + 2, name, h: hGbEb },
    { map: 0, opcode: base + 3, name, h: hGvEv },
    { map: 0, opcode: base + 3, w: 1, name, h: hGqEq },
    { map: 0, opcode: base + 4, name, h: hALIb },
    { map: 0, opcode: base + 5, name, h: hAXIz },
    { map: 0, opcode: base + 5, w: 1, name, h: hRAXIz },
    { map: 0, opcode: 0x80, reg: op, name, h: hGrpEb },
    { map: 0, opcode: 0x82, reg: op, bits: 32, name, h: hGrpEb },
  );
  for (const opcode of [0x81, 0x83]) {
    define(
      { map: 0, opcode, reg: op, name, h: hGrpEv },
      { map: 0, opcode, reg: op, form: "reg", name, h: hGrpEvReg },
      { map: 0, opcode, reg: op, w: 1, name, h: hGrpEq },
      { map: 0, opcode, reg: op, w: 1, form: "reg", name, h: hGrpEqReg },
    );
  }
}

// ---------------------------------------------------------------- test

function test(f: Flags, size: number, a: number, b: number): void {
  f.lazy(FOp.Logic, size, a, b, a & b & maskOf(size));
}

function test64(f: Flags, alo: number, ahi: number, blo: number, bhi: number): void {
  f.lazy64(FOp.Logic, alo, ahi, blo, bhi, alo & blo, ahi & bhi);
}

define(
  {
    map: 0,
    opcode: 0x84,
    name: "test",
    h: (cpu, i) => test(cpu.flags, 8, readAt(cpu, i, locE(cpu, i), 8), cpu.getReg(regOf(i), 8, i.rex !== 0)),
  },
  {
    map: 0,
    opcode: 0x85,
    name: "test",
    h: (cpu, i) =>
      test(
        cpu.flags,
        i.opsize,
        readAt(cpu, i, locE(cpu, i), i.opsize),
        cpu.getReg(regOf(i), i.opsize, false),
      ),
  },
  {
    map: 0,
    opcode: 0x85,
    w: 1,
    name: "test",
    h: (cpu, i) => {
      const alo = readAt(cpu, i, locE(cpu, i), 64);
      const g = regOf(i);
      test64(cpu.flags, alo, cpu.th, cpu.lo[g], cpu.hi[g]);
    },
  },
  { map: 0, opcode: 0xa8, name: "test", h: (cpu, i) => test(cpu.flags, 8, cpu.lo[0] & 0xff, i.imm & 0xff) },
  {
    map: 0,
    opcode: 0xa9,
    name: "test",
    h: (cpu, i) => test(cpu.flags, i.opsize, cpu.lo[0] & maskOf(i.opsize), i.imm & maskOf(i.opsize)),
  },
  {
    map: 0,
    opcode: 0xa9,
    w: 1,
    name: "test",
    h: (cpu, i) => {
      const b = simm(i);
      test64(cpu.flags, cpu.lo[0], cpu.hi[0], b, b >> 31);
    },
  },
);
// F6/F7 /1 is an undocumented alias of /0 that hardware executes as TEST (AMD APM Vol. 3 opcode map notes).
for (const reg of [0, 1]) {
  define(
    {
      map: 0,
      opcode: 0xf6,
      reg,
      name: "test",
      h: (cpu, i) => test(cpu.flags, 8, readAt(cpu, i, locE(cpu, i), 8), i.imm & 0xff),
    },
    {
      map: 0,
      opcode: 0xf7,
      reg,
      name: "test",
      h: (cpu, i) =>
        test(cpu.flags, i.opsize, readAt(cpu, i, locE(cpu, i), i.opsize), i.imm & maskOf(i.opsize)),
    },
    {
      map: 0,
      opcode: 0xf7,
      reg,
      w: 1,
      name: "test",
      h: (cpu, i) => {
        const alo = readAt(cpu, i, locE(cpu, i), 64);
        const b = simm(i);
        test64(cpu.flags, alo, cpu.th, b, b >> 31);
      },
    },
  );
}

// ---------------------------------------------------------------- inc / dec (CF preserved)

function incDec(cpu: Cpu, i: Insn, size: number, dec: boolean): void {
  const loc = locE(cpu, i);
  const a = readAt(cpu, i, loc, size);
  const r = (dec ? a - 1 : a + 1) & maskOf(size);
  writeAt(cpu, i, loc, size, r);
  cpu.flags.lazyIncDec(dec ? FOp.Dec : FOp.Inc, size, a, 0, r, 0);
}

function incDec64(cpu: Cpu, i: Insn, dec: boolean): void {
  const loc = locE(cpu, i);
  const alo = readAt(cpu, i, loc, 64);
  const ahi = cpu.th;
  let lo: number;
  let hi: number;
  if (dec) {
    lo = (alo - 1) | 0;
    hi = alo === 0 ? (ahi - 1) | 0 : ahi;
  } else {
    lo = (alo + 1) | 0;
    hi = lo === 0 ? (ahi + 1) | 0 : ahi;
  }
  if (loc === IN_REG) {
    const r = rmOf(i);
    cpu.lo[r] = lo;
    cpu.hi[r] = hi;
  } else cpu.wr64(loc, lo, hi);
  cpu.flags.lazyIncDec(dec ? FOp.Dec : FOp.Inc, 64, alo, ahi, lo, hi);
}

/** 40+r / 48+r (32-bit mode; in 64-bit mode these bytes are REX prefixes). */
function incDecReg(cpu: Cpu, i: Insn): void {
  const reg = i.opcode & 7;
  const dec = (i.opcode & 8) !== 0;
  const size = i.opsize;
  const a = cpu.getReg(reg, size, false);
  const r = (dec ? a - 1 : a + 1) & maskOf(size);
  cpu.setReg(reg, size, false, r);
  cpu.flags.lazyIncDec(dec ? FOp.Dec : FOp.Inc, size, a, 0, r, 0);
}

define(
  { map: 0, opcode: 0xfe, reg: 0, name: "inc", h: (cpu, i) => incDec(cpu, i, 8, false) },
  { map: 0, opcode: 0xfe, reg: 1, name: "dec", h: (cpu, i) => incDec(cpu, i, 8, true) },
  { map: 0, opcode: 0xff, reg: 0, name: "inc", h: (cpu, i) => incDec(cpu, i, i.opsize, false) },
  { map: 0, opcode: 0xff, reg: 1, name: "dec", h: (cpu, i) => incDec(cpu, i, i.opsize, true) },
  { map: 0, opcode: 0xff, reg: 0, w: 1, name: "inc", h: (cpu, i) => incDec64(cpu, i, false) },
  { map: 0, opcode: 0xff, reg: 1, w: 1, name: "dec", h: (cpu, i) => incDec64(cpu, i, true) },
);
for (let n = 0; n < 16; n++) {
  define({ map: 0, opcode: 0x40 + n, bits: 32, name: n < 8 ? "inc" : "dec", h: incDecReg });
}

// ---------------------------------------------------------------- neg / not

/** neg: 0 - x; CF = (x != 0) falls out of the Sub flags (SDM Vol. 2B "NEG"). */
function neg(cpu: Cpu, i: Insn, size: number): void {
  const loc = locE(cpu, i);
  const a = readAt(cpu, i, loc, size);
  const r = -a & maskOf(size);
  writeAt(cpu, i, loc, size, r);
  cpu.flags.lazy(FOp.Sub, size, 0, a, r);
}

function neg64(cpu: Cpu, i: Insn): void {
  const loc = locE(cpu, i);
  const alo = readAt(cpu, i, loc, 64);
  const ahi = cpu.th;
  const lo = -alo | 0;
  const hi = (~ahi + (alo === 0 ? 1 : 0)) | 0;
  writeAt(cpu, i, loc, 64, lo, hi);
  cpu.flags.lazy64(FOp.Sub, 0, 0, alo, ahi, lo, hi);
}

function not(cpu: Cpu, i: Insn, size: number): void {
  const loc = locE(cpu, i);
  const a = readAt(cpu, i, loc, size);
  writeAt(cpu, i, loc, size, ~a);
}

function not64(cpu: Cpu, i: Insn): void {
  const loc = locE(cpu, i);
  const a = readAt(cpu, i, loc, 64);
  writeAt(cpu, i, loc, 64, ~a, ~cpu.th);
}

define(
  { map: 0, opcode: 0xf6, reg: 2, name: "not", h: (cpu, i) => not(cpu, i, 8) },
  { map: 0, opcode: 0xf7, reg: 2, name: "not", h: (cpu, i) => not(cpu, i, i.opsize) },
  { map: 0, opcode: 0xf7, reg: 2, w: 1, name: "not", h: not64 },
  { map: 0, opcode: 0xf6, reg: 3, name: "neg", h: (cpu, i) => neg(cpu, i, 8) },
  { map: 0, opcode: 0xf7, reg: 3, name: "neg", h: (cpu, i) => neg(cpu, i, i.opsize) },
  { map: 0, opcode: 0xf7, reg: 3, w: 1, name: "neg", h: neg64 },
);

// ---------------------------------------------------------------- adcx / adox (ADX)

/**
 * adcx (66 0F38 F6) / adox (F3 0F38 F6) r, r/m: unsigned add with carry through CF (adcx) or OF (adox);
 * only that flag changes (SDM Vol. 2 "ADCX", "ADOX").
 */
function adx(cpu: Cpu, i: Insn): void {
  const f = cpu.flags;
  const useOf = i.mandatory === 0xf3;
  const flag = useOf ? OF : CF;
  const cin = useOf ? f.of() : f.cf();
  const g = regOf(i);
  let carry: number;
  if (i.opsize === 64) {
    const blo = readAt(cpu, i, locE(cpu, i), 64);
    const bhi = cpu.th;
    const s = (cpu.lo[g] >>> 0) + (blo >>> 0) + cin;
    const h = (cpu.hi[g] >>> 0) + (bhi >>> 0) + (s >= TWO32 ? 1 : 0);
    cpu.lo[g] = s | 0;
    cpu.hi[g] = h | 0;
    carry = h >= TWO32 ? 1 : 0;
  } else {
    const b = readAt(cpu, i, locE(cpu, i), 32);
    const s = (cpu.lo[g] >>> 0) + (b >>> 0) + cin;
    cpu.setReg(g, 32, false, s | 0);
    carry = s >= TWO32 ? 1 : 0;
  }
  f.setFlags(flag, carry ? flag : 0);
}

define(
  { map: 2, opcode: 0xf6, pfx: 0x66, name: "adcx", h: adx },
  { map: 2, opcode: 0xf6, pfx: 0xf3, name: "adox", h: adx },
);
