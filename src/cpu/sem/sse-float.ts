/**
 * SSE/SSE2 floating-point arithmetic, logic, compares and shuffles (legacy encodings; NP = ps, 66 = pd,
 * F3 = ss, F2 = sd). Arithmetic semantics in softfp.ts. Packed m128 operands must be 16-byte aligned
 * (SDM Vol. 1 11.6.7: #GP for unaligned legacy 128-bit memory operands); scalar ones need not.
 */
import type { Cpu } from "../cpu";
import type { Insn } from "../decoder/insn";
import { define, type Handler } from "../dispatch";
import { ARITH, CF, PF, ZF } from "../flags";
import { regOf } from "./operands";
import { A, AD, B, BD, R, rdXmmE, rdXmmE32, rdXmmE64, rdXmmG, wrXmmG } from "./sse-common";
import {
  cmpValues,
  f32FromBits,
  f32MinMax,
  f32Lane,
  f64Lane,
  f32Rcp,
  f32Rsqrt,
  f64MinMax,
  fpBegin,
  fpEnd,
  isNaN32,
  isNaN64,
  isSNaN32,
  isSNaN64,
  MIN32,
  MIN64,
  Op,
  predicate,
  predicateSignals,
} from "./softfp";

function xm(cpu: Cpu): void {
  if (fpEnd(cpu)) cpu.fault("XM");
}

const laneS = f32Lane;
const laneD = f64Lane;

function ps(op: Op): Handler {
  return (cpu, i) => {
    rdXmmE(cpu, i, B, true);
    rdXmmG(cpu, i, A);
    fpBegin(cpu.mxcsr);
    laneS(op, 0);
    laneS(op, 1);
    laneS(op, 2);
    laneS(op, 3);
    xm(cpu);
    wrXmmG(cpu, i, R);
  };
}

function ss(op: Op): Handler {
  return (cpu, i) => {
    rdXmmE32(cpu, i, B);
    const d = regOf(i) << 2;
    A[0] = cpu.xmm[d];
    fpBegin(cpu.mxcsr);
    laneS(op, 0);
    xm(cpu);
    cpu.xmm[d] = R[0];
  };
}

function pd(op: Op): Handler {
  return (cpu, i) => {
    rdXmmE(cpu, i, B, true);
    rdXmmG(cpu, i, A);
    fpBegin(cpu.mxcsr);
    laneD(op, 0);
    laneD(op, 1);
    xm(cpu);
    wrXmmG(cpu, i, R);
  };
}

function sd(op: Op): Handler {
  return (cpu, i) => {
    rdXmmE64(cpu, i, B);
    const d = regOf(i) << 2;
    const x = cpu.xmm;
    A[0] = x[d];
    A[1] = x[d + 1];
    fpBegin(cpu.mxcsr);
    laneD(op, 0);
    xm(cpu);
    x[d] = R[0];
    x[d + 1] = R[1];
  };
}

function arith(opcode: number, name: string, op: Op): void {
  define(
    { map: 1, opcode, pfx: 0, name: `${name}ps`, h: ps(op) },
    { map: 1, opcode, pfx: 0x66, name: `${name}pd`, h: pd(op) },
    { map: 1, opcode, pfx: 0xf3, name: `${name}ss`, h: ss(op) },
    { map: 1, opcode, pfx: 0xf2, name: `${name}sd`, h: sd(op) },
  );
}

arith(0x51, "sqrt", Op.Sqrt);
arith(0x58, "add", Op.Add);
arith(0x59, "mul", Op.Mul);
arith(0x5c, "sub", Op.Sub);
arith(0x5e, "div", Op.Div);

// ---------------------------------------------------------------- min / max

function minMaxD(max: boolean, k: number): void {
  const j = k << 1;
  const c = f64MinMax(max, A[j], A[j + 1], AD[k], B[j], B[j + 1], BD[k]);
  const src = c === 0 || c === 3 ? A : B;
  R[j] = c >= 2 ? 0 : src[j];
  R[j + 1] = c >= 2 ? src[j + 1] & 0x80000000 : src[j + 1];
}

function minMax(opcode: number, name: string, max: boolean): void {
  define(
    {
      map: 1,
      opcode,
      pfx: 0,
      name: `${name}ps`,
      h: (cpu, i) => {
        rdXmmE(cpu, i, B, true);
        rdXmmG(cpu, i, A);
        fpBegin(cpu.mxcsr);
        for (let k = 0; k < 4; k++) R[k] = f32MinMax(max, A[k], B[k]);
        xm(cpu);
        wrXmmG(cpu, i, R);
      },
    },
    {
      map: 1,
      opcode,
      pfx: 0xf3,
      name: `${name}ss`,
      h: (cpu, i) => {
        rdXmmE32(cpu, i, B);
        const d = regOf(i) << 2;
        fpBegin(cpu.mxcsr);
        const r = f32MinMax(max, cpu.xmm[d], B[0]);
        xm(cpu);
        cpu.xmm[d] = r;
      },
    },
    {
      map: 1,
      opcode,
      pfx: 0x66,
      name: `${name}pd`,
      h: (cpu, i) => {
        rdXmmE(cpu, i, B, true);
        rdXmmG(cpu, i, A);
        fpBegin(cpu.mxcsr);
        minMaxD(max, 0);
        minMaxD(max, 1);
        xm(cpu);
        wrXmmG(cpu, i, R);
      },
    },
    {
      map: 1,
      opcode,
      pfx: 0xf2,
      name: `${name}sd`,
      h: (cpu, i) => {
        rdXmmE64(cpu, i, B);
        rdXmmG(cpu, i, A);
        fpBegin(cpu.mxcsr);
        minMaxD(max, 0);
        xm(cpu);
        const d = regOf(i) << 2;
        cpu.xmm[d] = R[0];
        cpu.xmm[d + 1] = R[1];
      },
    },
  );
}

minMax(0x5d, "min", false);
minMax(0x5f, "max", true);

// ---------------------------------------------------------------- rcp / rsqrt (approximations, no flags)

function approx(opcode: number, name: string, f: (b: number) => number): void {
  define(
    {
      map: 1,
      opcode,
      pfx: 0,
      name: `${name}ps`,
      h: (cpu, i) => {
        rdXmmE(cpu, i, B, true);
        for (let k = 0; k < 4; k++) R[k] = f(B[k]);
        wrXmmG(cpu, i, R);
      },
    },
    {
      map: 1,
      opcode,
      pfx: 0xf3,
      name: `${name}ss`,
      h: (cpu, i) => {
        rdXmmE32(cpu, i, B);
        cpu.xmm[regOf(i) << 2] = f(B[0]);
      },
    },
  );
}

approx(0x52, "rsqrt", f32Rsqrt);
approx(0x53, "rcp", f32Rcp);

// ---------------------------------------------------------------- logic (bitwise, no flags)

function logic(opcode: number, name: string, f: (a: number, b: number) => number): void {
  const h: Handler = (cpu, i) => {
    rdXmmE(cpu, i, B, true);
    const x = cpu.xmm;
    const d = regOf(i) << 2;
    x[d] = f(x[d], B[0]);
    x[d + 1] = f(x[d + 1], B[1]);
    x[d + 2] = f(x[d + 2], B[2]);
    x[d + 3] = f(x[d + 3], B[3]);
  };
  define(
    { map: 1, opcode, pfx: 0, name: `${name}ps`, h },
    { map: 1, opcode, pfx: 0x66, name: `${name}pd`, h },
  );
}

logic(0x54, "and", (a, b) => a & b);
logic(0x55, "andn", (a, b) => ~a & b);
logic(0x56, "or", (a, b) => a | b);
logic(0x57, "xor", (a, b) => a ^ b);

// ---------------------------------------------------------------- compares

function cmp32(p: number, a: number, b: number): number {
  const c = cmpValues(
    isNaN32(a),
    isSNaN32(a),
    f32FromBits(a),
    isNaN32(b),
    isSNaN32(b),
    f32FromBits(b),
    predicateSignals(p),
    MIN32,
  );
  return predicate(p, c) ? -1 : 0;
}

function cmp64(p: number, k: number): void {
  const j = k << 1;
  const c = cmpValues(
    isNaN64(A[j], A[j + 1]),
    isSNaN64(A[j], A[j + 1]),
    AD[k],
    isNaN64(B[j], B[j + 1]),
    isSNaN64(B[j], B[j + 1]),
    BD[k],
    predicateSignals(p),
    MIN64,
  );
  const v = predicate(p, c) ? -1 : 0;
  R[j] = v;
  R[j + 1] = v;
}

define(
  {
    map: 1,
    opcode: 0xc2,
    pfx: 0,
    name: "cmpps",
    h: (cpu, i) => {
      rdXmmE(cpu, i, B, true);
      rdXmmG(cpu, i, A);
      const p = i.imm & 7;
      fpBegin(cpu.mxcsr);
      for (let k = 0; k < 4; k++) R[k] = cmp32(p, A[k], B[k]);
      xm(cpu);
      wrXmmG(cpu, i, R);
    },
  },
  {
    map: 1,
    opcode: 0xc2,
    pfx: 0xf3,
    name: "cmpss",
    h: (cpu, i) => {
      rdXmmE32(cpu, i, B);
      const d = regOf(i) << 2;
      fpBegin(cpu.mxcsr);
      const r = cmp32(i.imm & 7, cpu.xmm[d], B[0]);
      xm(cpu);
      cpu.xmm[d] = r;
    },
  },
  {
    map: 1,
    opcode: 0xc2,
    pfx: 0x66,
    name: "cmppd",
    h: (cpu, i) => {
      rdXmmE(cpu, i, B, true);
      rdXmmG(cpu, i, A);
      const p = i.imm & 7;
      fpBegin(cpu.mxcsr);
      cmp64(p, 0);
      cmp64(p, 1);
      xm(cpu);
      wrXmmG(cpu, i, R);
    },
  },
  {
    map: 1,
    opcode: 0xc2,
    pfx: 0xf2,
    name: "cmpsd",
    h: (cpu, i) => {
      rdXmmE64(cpu, i, B);
      rdXmmG(cpu, i, A);
      fpBegin(cpu.mxcsr);
      cmp64(i.imm & 7, 0);
      xm(cpu);
      const d = regOf(i) << 2;
      cpu.xmm[d] = R[0];
      cpu.xmm[d + 1] = R[1];
    },
  },
);

/** comiss/ucomiss/comisd/ucomisd: ZF PF CF from the compare, OF SF AF cleared (SDM Vol. 2 "COMISS"). */
function setCompareFlags(cpu: Cpu, c: number): void {
  xm(cpu);
  const v = c === -2 ? ZF | PF | CF : c === -1 ? CF : c === 0 ? ZF : 0;
  cpu.flags.setFlags(ARITH, v);
}

function comiss(signal: boolean): Handler {
  return (cpu: Cpu, i: Insn) => {
    rdXmmE32(cpu, i, B);
    const a = cpu.xmm[regOf(i) << 2];
    const b = B[0];
    fpBegin(cpu.mxcsr);
    const c = cmpValues(
      isNaN32(a),
      isSNaN32(a),
      f32FromBits(a),
      isNaN32(b),
      isSNaN32(b),
      f32FromBits(b),
      signal,
      MIN32,
    );
    setCompareFlags(cpu, c);
  };
}

function comisd(signal: boolean): Handler {
  return (cpu: Cpu, i: Insn) => {
    rdXmmE64(cpu, i, B);
    const d = regOf(i) << 2;
    const x = cpu.xmm;
    fpBegin(cpu.mxcsr);
    const c = cmpValues(
      isNaN64(x[d], x[d + 1]),
      isSNaN64(x[d], x[d + 1]),
      cpu.xmmF64[d >> 1],
      isNaN64(B[0], B[1]),
      isSNaN64(B[0], B[1]),
      BD[0],
      signal,
      MIN64,
    );
    setCompareFlags(cpu, c);
  };
}

define(
  { map: 1, opcode: 0x2e, pfx: 0, name: "ucomiss", h: comiss(false) },
  { map: 1, opcode: 0x2e, pfx: 0x66, name: "ucomisd", h: comisd(false) },
  { map: 1, opcode: 0x2f, pfx: 0, name: "comiss", h: comiss(true) },
  { map: 1, opcode: 0x2f, pfx: 0x66, name: "comisd", h: comisd(true) },
);

// ---------------------------------------------------------------- shuffles and unpacks

define(
  {
    map: 1,
    opcode: 0xc6,
    pfx: 0,
    name: "shufps",
    h: (cpu, i) => {
      rdXmmE(cpu, i, B, true);
      rdXmmG(cpu, i, A);
      const m = i.imm;
      R[0] = A[m & 3];
      R[1] = A[(m >> 2) & 3];
      R[2] = B[(m >> 4) & 3];
      R[3] = B[(m >> 6) & 3];
      wrXmmG(cpu, i, R);
    },
  },
  {
    map: 1,
    opcode: 0xc6,
    pfx: 0x66,
    name: "shufpd",
    h: (cpu, i) => {
      rdXmmE(cpu, i, B, true);
      rdXmmG(cpu, i, A);
      const j = (i.imm & 1) << 1;
      const k = i.imm & 2;
      R[0] = A[j];
      R[1] = A[j + 1];
      R[2] = B[k];
      R[3] = B[k + 1];
      wrXmmG(cpu, i, R);
    },
  },
);

/** Interleave dwords (ps) or qwords (pd) from the low (h = 0) or high (h = 2) halves. */
function unpack(opcode: number, name: string, h: number): void {
  define(
    {
      map: 1,
      opcode,
      pfx: 0,
      name: `${name}ps`,
      h: (cpu, i) => {
        rdXmmE(cpu, i, B, true);
        rdXmmG(cpu, i, A);
        R[0] = A[h];
        R[1] = B[h];
        R[2] = A[h + 1];
        R[3] = B[h + 1];
        wrXmmG(cpu, i, R);
      },
    },
    {
      map: 1,
      opcode,
      pfx: 0x66,
      name: `${name}pd`,
      h: (cpu, i) => {
        rdXmmE(cpu, i, B, true);
        rdXmmG(cpu, i, A);
        R[0] = A[h];
        R[1] = A[h + 1];
        R[2] = B[h];
        R[3] = B[h + 1];
        wrXmmG(cpu, i, R);
      },
    },
  );
}

unpack(0x14, "unpckl", 0);
unpack(0x15, "unpckh", 2);
