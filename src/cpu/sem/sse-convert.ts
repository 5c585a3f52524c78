/**
 * SSE/SSE2 conversions between integers, singles and doubles, including the MMX-register forms
 * (cvtpi2ps, cvtps2pi, cvttps2pi, cvtpi2pd, cvtpd2pi, cvttpd2pi). Rounding follows MXCSR.RC except for
 * the truncating cvtt* forms; out-of-range or NaN sources give the integer indefinite with IE
 * (SDM Vol. 2, each instruction; Vol. 1 11.5.2.2: conversions to integer signal no denormal exception).
 */
import type { Cpu } from "../cpu";
import type { Insn } from "../decoder/insn";
import { define, type Handler } from "../dispatch";
import { readE, regOf } from "./operands";
import { B, BD, mmReg, R, RD, rdMmE, rdXmmE, rdXmmE32, rdXmmE64, wrMm, wrXmmG } from "./sse-common";
import {
  doubleToSingle,
  f32Bits,
  fp,
  fpBegin,
  fpEnd,
  int32ToSingle,
  int64ToFloat,
  singleToDouble,
  srcValue32,
  srcValue64,
  toInt,
} from "./softfp";

function xm(cpu: Cpu): void {
  if (fpEnd(cpu)) cpu.fault("XM");
}

// ---------------------------------------------------------------- integer -> float

define(
  {
    map: 1,
    opcode: 0x2a,
    pfx: 0xf3,
    name: "cvtsi2ss",
    h: (cpu, i) => {
      const is64 = i.w === 1;
      const lo = readE(cpu, i, is64 ? 64 : 32);
      const hi = cpu.th;
      fpBegin(cpu.mxcsr);
      const r = f32Bits(is64 ? int64ToFloat(lo, hi, true) : int32ToSingle(lo));
      xm(cpu);
      cpu.xmm[regOf(i) << 2] = r;
    },
  },
  {
    map: 1,
    opcode: 0x2a,
    pfx: 0xf2,
    name: "cvtsi2sd",
    h: (cpu, i) => {
      const is64 = i.w === 1;
      const lo = readE(cpu, i, is64 ? 64 : 32);
      const hi = cpu.th;
      fpBegin(cpu.mxcsr);
      const r = is64 ? int64ToFloat(lo, hi, false) : lo;
      xm(cpu);
      cpu.xmmF64[regOf(i) << 1] = r;
    },
  },
  {
    map: 1,
    opcode: 0x5b,
    pfx: 0,
    name: "cvtdq2ps",
    h: (cpu, i) => {
      rdXmmE(cpu, i, B, true);
      fpBegin(cpu.mxcsr);
      for (let k = 0; k < 4; k++) R[k] = f32Bits(int32ToSingle(B[k]));
      xm(cpu);
      wrXmmG(cpu, i, R);
    },
  },
  {
    map: 1,
    opcode: 0xe6,
    pfx: 0xf3,
    name: "cvtdq2pd",
    // Exact: every int32 is a double.
    h: (cpu, i) => {
      rdXmmE64(cpu, i, B);
      const d = regOf(i) << 1;
      cpu.xmmF64[d] = B[0];
      cpu.xmmF64[d + 1] = B[1];
    },
  },
  {
    map: 1,
    opcode: 0x2a,
    pfx: 0,
    name: "cvtpi2ps",
    h: (cpu, i) => {
      rdMmE(cpu, i, B);
      fpBegin(cpu.mxcsr);
      const r0 = f32Bits(int32ToSingle(B[0]));
      const r1 = f32Bits(int32ToSingle(B[1]));
      xm(cpu);
      // The MMX-register form switches the x87 unit to MMX state; the m64 form does not.
      if (i.mod === 3) cpu.fpu.enterMmx();
      const d = regOf(i) << 2;
      cpu.xmm[d] = r0;
      cpu.xmm[d + 1] = r1;
    },
  },
  {
    map: 1,
    opcode: 0x2a,
    pfx: 0x66,
    name: "cvtpi2pd",
    h: (cpu, i) => {
      rdMmE(cpu, i, B);
      if (i.mod === 3) cpu.fpu.enterMmx();
      const d = regOf(i) << 1;
      cpu.xmmF64[d] = B[0];
      cpu.xmmF64[d + 1] = B[1];
    },
  },
);

// ---------------------------------------------------------------- float -> integer

/** cvt(t)ss2si r32/r64, xmm/m32. */
function ss2si(truncate: boolean): Handler {
  return (cpu: Cpu, i: Insn) => {
    rdXmmE32(cpu, i, B);
    fpBegin(cpu.mxcsr);
    const is64 = i.w === 1;
    const lo = toInt(srcValue32(B[0]), is64, truncate);
    xm(cpu);
    cpu.setReg(regOf(i), is64 ? 64 : 32, false, lo, fp.hi);
  };
}

/** cvt(t)sd2si r32/r64, xmm/m64. */
function sd2si(truncate: boolean): Handler {
  return (cpu: Cpu, i: Insn) => {
    rdXmmE64(cpu, i, B);
    fpBegin(cpu.mxcsr);
    const is64 = i.w === 1;
    const lo = toInt(srcValue64(BD[0]), is64, truncate);
    xm(cpu);
    cpu.setReg(regOf(i), is64 ? 64 : 32, false, lo, fp.hi);
  };
}

/** cvt(t)ps2dq xmm, xmm/m128. */
function ps2dq(truncate: boolean): Handler {
  return (cpu: Cpu, i: Insn) => {
    rdXmmE(cpu, i, B, true);
    fpBegin(cpu.mxcsr);
    for (let k = 0; k < 4; k++) R[k] = toInt(srcValue32(B[k]), false, truncate);
    xm(cpu);
    wrXmmG(cpu, i, R);
  };
}

/** cvt(t)pd2dq xmm, xmm/m128: two dwords, the high qword zeroed. */
function pd2dq(truncate: boolean): Handler {
  return (cpu: Cpu, i: Insn) => {
    rdXmmE(cpu, i, B, true);
    fpBegin(cpu.mxcsr);
    R[0] = toInt(srcValue64(BD[0]), false, truncate);
    R[1] = toInt(srcValue64(BD[1]), false, truncate);
    R[2] = 0;
    R[3] = 0;
    xm(cpu);
    wrXmmG(cpu, i, R);
  };
}

/** cvt(t)ps2pi mm, xmm/m64. */
function ps2pi(truncate: boolean): Handler {
  return (cpu: Cpu, i: Insn) => {
    rdXmmE64(cpu, i, B);
    fpBegin(cpu.mxcsr);
    const r0 = toInt(srcValue32(B[0]), false, truncate);
    const r1 = toInt(srcValue32(B[1]), false, truncate);
    xm(cpu);
    wrMm(cpu, mmReg(i), r0, r1);
  };
}

/** cvt(t)pd2pi mm, xmm/m128. */
function pd2pi(truncate: boolean): Handler {
  return (cpu: Cpu, i: Insn) => {
    rdXmmE(cpu, i, B, true);
    fpBegin(cpu.mxcsr);
    const r0 = toInt(srcValue64(BD[0]), false, truncate);
    const r1 = toInt(srcValue64(BD[1]), false, truncate);
    xm(cpu);
    wrMm(cpu, mmReg(i), r0, r1);
  };
}

define(
  { map: 1, opcode: 0x2c, pfx: 0xf3, name: "cvttss2si", h: ss2si(true) },
  { map: 1, opcode: 0x2d, pfx: 0xf3, name: "cvtss2si", h: ss2si(false) },
  { map: 1, opcode: 0x2c, pfx: 0xf2, name: "cvttsd2si", h: sd2si(true) },
  { map: 1, opcode: 0x2d, pfx: 0xf2, name: "cvtsd2si", h: sd2si(false) },
  { map: 1, opcode: 0x5b, pfx: 0x66, name: "cvtps2dq", h: ps2dq(false) },
  { map: 1, opcode: 0x5b, pfx: 0xf3, name: "cvttps2dq", h: ps2dq(true) },
  { map: 1, opcode: 0xe6, pfx: 0xf2, name: "cvtpd2dq", h: pd2dq(false) },
  { map: 1, opcode: 0xe6, pfx: 0x66, name: "cvttpd2dq", h: pd2dq(true) },
  { map: 1, opcode: 0x2c, pfx: 0, name: "cvttps2pi", h: ps2pi(true) },
  { map: 1, opcode: 0x2d, pfx: 0, name: "cvtps2pi", h: ps2pi(false) },
  { map: 1, opcode: 0x2c, pfx: 0x66, name: "cvttpd2pi", h: pd2pi(true) },
  { map: 1, opcode: 0x2d, pfx: 0x66, name: "cvtpd2pi", h: pd2pi(false) },
);

// ---------------------------------------------------------------- single <-> double

/** Double lane k of R from single bits b. */
function widen(k: number, b: number): void {
  const v = singleToDouble(b);
  if (v !== v) {
    R[2 * k] = fp.nanLo;
    R[2 * k + 1] = fp.nanHi;
  } else RD[k] = v;
}

define(
  {
    map: 1,
    opcode: 0x5a,
    pfx: 0,
    name: "cvtps2pd",
    h: (cpu, i) => {
      rdXmmE64(cpu, i, B);
      fpBegin(cpu.mxcsr);
      widen(0, B[0]);
      widen(1, B[1]);
      xm(cpu);
      wrXmmG(cpu, i, R);
    },
  },
  {
    map: 1,
    opcode: 0x5a,
    pfx: 0xf3,
    name: "cvtss2sd",
    h: (cpu, i) => {
      rdXmmE32(cpu, i, B);
      fpBegin(cpu.mxcsr);
      widen(0, B[0]);
      xm(cpu);
      const d = regOf(i) << 2;
      cpu.xmm[d] = R[0];
      cpu.xmm[d + 1] = R[1];
    },
  },
  {
    map: 1,
    opcode: 0x5a,
    pfx: 0x66,
    name: "cvtpd2ps",
    h: (cpu, i) => {
      rdXmmE(cpu, i, B, true);
      fpBegin(cpu.mxcsr);
      R[0] = doubleToSingle(B[0], B[1], BD[0]);
      R[1] = doubleToSingle(B[2], B[3], BD[1]);
      R[2] = 0;
      R[3] = 0;
      xm(cpu);
      wrXmmG(cpu, i, R);
    },
  },
  {
    map: 1,
    opcode: 0x5a,
    pfx: 0xf2,
    name: "cvtsd2ss",
    h: (cpu, i) => {
      rdXmmE64(cpu, i, B);
      fpBegin(cpu.mxcsr);
      const r = doubleToSingle(B[0], B[1], BD[0]);
      xm(cpu);
      cpu.xmm[regOf(i) << 2] = r;
    },
  },
);
