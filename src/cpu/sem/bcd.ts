/**
 * BCD adjustments (32-bit mode only; the decoder makes them #UD in 64-bit mode): daa (27), das (2F),
 * aaa (37), aas (3F), aam imm8 (D4, #DE for 0), aad imm8 (D5), and the undocumented salc (D6).
 *
 * Results follow the SDM Vol. 2 pseudo-code (aaa/aas as AX ± 106H, the current SDM wording). The flags
 * the SDM leaves undefined follow the AMD Zen hardware the test vectors come from (test/hw):
 * daa/das set OF as the signed overflow of the whole adjustment of AL; aaa/aas compute SF/ZF/PF/OF
 * from the 16-bit AX ± 106H before AL is masked; aam clears OF/AF/CF; aad sets every flag like the
 * 8-bit addition AL + (AH × imm8).
 */
import type { Cpu } from "../cpu";
import type { Insn } from "../decoder/insn";
import { define } from "../dispatch";
import { AF, ARITH, CF, FOp, OF, PARITY, SF, ZF } from "../flags";

/** SF/ZF/PF of an 8-bit value. */
function szp8(v: number): number {
  return (v === 0 ? ZF : 0) | (v & 0x80 ? SF : 0) | PARITY[v];
}

function daa(cpu: Cpu): void {
  const f = cpu.flags;
  const old = cpu.lo[0] & 0xff;
  const oldCf = f.cf();
  let al = old;
  let af = 0;
  let cf = 0;
  if ((al & 0x0f) > 9 || f.af()) {
    al = (al + 6) & 0xff;
    af = AF;
  }
  if (old > 0x99 || oldCf) {
    al = (al + 0x60) & 0xff;
    cf = CF;
  }
  const adj = (al - old) & 0xff;
  const of = (old ^ al) & (adj ^ al) & 0x80 ? OF : 0;
  cpu.setReg(0, 8, false, al);
  f.setFlags(ARITH, cf | af | of | szp8(al));
}

function das(cpu: Cpu): void {
  const f = cpu.flags;
  const old = cpu.lo[0] & 0xff;
  const oldCf = f.cf();
  let al = old;
  let af = 0;
  let cf = 0;
  if ((al & 0x0f) > 9 || f.af()) {
    // The borrow of this step survives when the second step does not apply (SDM "DAS").
    cf = oldCf || al < 6 ? CF : 0;
    al = (al - 6) & 0xff;
    af = AF;
  }
  if (old > 0x99 || oldCf) {
    al = (al - 0x60) & 0xff;
    cf = CF;
  }
  const adj = (old - al) & 0xff;
  const of = (old ^ adj) & (old ^ al) & 0x80 ? OF : 0;
  cpu.setReg(0, 8, false, al);
  f.setFlags(ARITH, cf | af | of | szp8(al));
}

/** aaa (sub = false) / aas. */
function asciiAdjust(cpu: Cpu, sub: boolean): void {
  const f = cpu.flags;
  const ax = cpu.lo[0] & 0xffff;
  let v = ax;
  let fl = 0;
  if ((ax & 0x0f) > 9 || f.af()) {
    v = (sub ? ax - 0x106 : ax + 0x106) & 0xffff;
    const ovf = sub ? (ax ^ 0x106) & (ax ^ v) : (ax ^ v) & (0x106 ^ v);
    fl = AF | CF | (ovf & 0x8000 ? OF : 0);
  }
  cpu.setReg(0, 16, false, v & 0xff0f);
  f.setFlags(ARITH, fl | (v === 0 ? ZF : 0) | (v & 0x8000 ? SF : 0) | PARITY[v & 0xff]);
}

function aam(cpu: Cpu, i: Insn): void {
  const base = i.imm & 0xff;
  if (base === 0) cpu.fault("DE");
  const al = cpu.lo[0] & 0xff;
  const r = al % base;
  cpu.setReg(0, 16, false, (Math.floor(al / base) << 8) | r);
  cpu.flags.setFlags(ARITH, szp8(r));
}

function aad(cpu: Cpu, i: Insn): void {
  const al = cpu.lo[0] & 0xff;
  const t = (((cpu.lo[0] >>> 8) & 0xff) * (i.imm & 0xff)) & 0xff;
  const r = (al + t) & 0xff;
  cpu.setReg(0, 16, false, r);
  cpu.flags.lazy(FOp.Add, 8, al, t, r);
}

define(
  { map: 0, opcode: 0x27, bits: 32, name: "daa", h: daa },
  { map: 0, opcode: 0x2f, bits: 32, name: "das", h: das },
  { map: 0, opcode: 0x37, bits: 32, name: "aaa", h: (cpu) => asciiAdjust(cpu, false) },
  { map: 0, opcode: 0x3f, bits: 32, name: "aas", h: (cpu) => asciiAdjust(cpu, true) },
  { map: 0, opcode: 0xd4, bits: 32, name: "aam", h: aam },
  { map: 0, opcode: 0xd5, bits: 32, name: "aad", h: aad },
  // salc: AL = CF ? FF : 00, flags unchanged (undocumented; AMD APM lists it as invalid in 64-bit mode).
  {
    map: 0,
    opcode: 0xd6,
    bits: 32,
    name: "salc",
    h: (cpu) => cpu.setReg(0, 8, false, cpu.flags.cf() ? 0xff : 0),
  },
);
