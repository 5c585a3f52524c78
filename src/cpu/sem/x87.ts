/**
 * x87 FPU instructions: D8-DF and WAIT (9B). SDM Vol. 1 ch. 8 and Vol. 2 (F*); the state and the number
 * conversions are in src/cpu/fpu.ts, which also describes the precision model (registers are doubles).
 *
 * Precision. FADD/FSUB/FMUL/FDIV (all forms) and FSQRT honour CW.PC and CW.RC as fpu.ts describes; FRNDINT,
 * FIST*, FST m32, FSTP m64 of extended values and FBSTP honour CW.RC; PE and C1 ("rounded up") are exact.
 * The transcendental instructions (FSIN, FCOS, FSINCOS, FPTAN, FPATAN, F2XM1, FYL2X, FYL2XP1) are evaluated
 * in double-double (x87-math.ts, the trigonometric ones reduced modulo the hardware's 66-bit pi) and
 * rounded to 64 bits, then to the double kept. This reproduced the hardware's values in 4000 random
 * in-domain cases; C1 differs in about 2% of them (results within a few hundredths of a 64-bit ulp of a
 * rounding boundary, where the hardware's own error decides). Outside their documented domains F2XM1
 * (|x| > 1) and FYL2XP1 (|x| >= 1 - sqrt(2)/2) give the mathematical value where the hardware gives an
 * undefined one.
 *
 * Exceptions. Flags, SF and C1 follow SDM Vol. 1 8.5 with the masked responses (real indefinite
 * 0xFFF8000000000000, integer indefinite, BCD indefinite). An unmasked exception sets ES and B and leaves
 * the destination as the SDM describes; the next waiting x87 instruction (or WAIT) raises #MF while an
 * unmasked exception flag is set, the non-waiting FN* control instructions do not. ES and B read as "an
 * unmasked flag is set" (Fpu.statusWord), which is what the hardware shows.
 *
 * Details checked on hardware (AMD, test/hw): two NaN operands with equal significands give the positive
 * one; compares set the unordered condition codes even when IE is unmasked (only the pop is suppressed);
 * FCOMI and FCMOVcc leave C1 alone; FXAM of an empty register clears C1; FCMOVcc with an empty operand
 * loads the indefinite whatever the condition; FSTPNCE (D9 D8+i) with ST(0) empty only pops; FLD of a
 * denormal with DE unmasked still loads; FPREM/FPREM1 reduce by N = 32 + (D mod 32) bits per partial step;
 * the reserved PC = 01 rounds like PC = 11.
 */
import type { Cpu } from "../cpu";
import type { Insn } from "../decoder/insn";
import { define, type Handler } from "../dispatch";
import * as fpu from "../fpu";
import type { Fpu } from "../fpu";
import * as xm from "./x87-math";

// Imported bindings are read through getters by the per-file CommonJS transform that the tests and
// benchmarks run under (and const enums are not inlined across files), so the hot paths use these
// module-level copies.
const { X, D, INDEF, addErr, dFromBits, dLo, dToF32, divErr, exponentOf, extClass, extToD, extToInt } = fpu;
const { f32Bits, f32FromBits, i64ToExt, ldexp, mulErr, pow2, sqrtErr } = fpu;
const { DD, atan2DD, exp2m1DD, log2DD, log2p1DD, piQuarterDD, scaleDD, trigDD } = xm;

/** Status word bits (fpu.ts Sw). */
const enum Sw {
  IE = 0x0001,
  DE = 0x0002,
  ZE = 0x0004,
  OE = 0x0008,
  UE = 0x0010,
  PE = 0x0020,
  SF = 0x0040,
  ES = 0x0080,
  C0 = 0x0100,
  C1 = 0x0200,
  C2 = 0x0400,
  C3 = 0x4000,
  B = 0x8000,
  EXC = 0x003f,
  CC = 0x4700,
}

/** Lazy C1 kinds (fpu.ts C1Op). */
const enum C1Op {
  None = 0,
  Add = 1,
  Mul = 2,
  Div = 3,
  Sqrt = 4,
}

// EFLAGS bits (flags.ts).
const CF = 0x01;
const PF = 0x04;
const ZF = 0x40;
const ARITH = 0x8d5;

const TWO32 = 4294967296;
const IND_HI = 0xfff80000 | 0;

// ---------------------------------------------------------------- state helpers

/** A waiting instruction: #MF while an unmasked exception flag is pending (SDM Vol. 1 8.6, 8.7). */
function wait(cpu: Cpu): Fpu {
  const f = cpu.fpu;
  if ((f.sw & ~f.cw & Sw.EXC) !== 0) {
    f.sw |= Sw.ES | Sw.B;
    cpu.fault("MF");
  }
  return f;
}

/** Record exception flags; true when one of them is unmasked (ES and B are then set). */
function raise(f: Fpu, flags: number): boolean {
  f.sw |= flags;
  if ((flags & ~f.cw & Sw.EXC) !== 0) {
    f.sw |= Sw.ES | Sw.B;
    return true;
  }
  return false;
}

/** ES and B from the flags and masks (FLDCW, FLDENV, FRSTOR). */
function recomputeEs(f: Fpu): void {
  if ((f.sw & ~f.cw & Sw.EXC) !== 0) f.sw |= Sw.ES | Sw.B;
  else f.sw &= ~(Sw.ES | Sw.B);
}

function setC1(f: Fpu, up: boolean): void {
  f.c1op = C1Op.None;
  f.sw = up ? f.sw | Sw.C1 : f.sw & ~Sw.C1;
}

/**
 * Stack fault (SDM Vol. 1 8.5.1.1): IE and SF, C1 = 1 for overflow, 0 for underflow. Returns true when IE
 * is masked (the caller then applies the masked response).
 */
function stackFault(f: Fpu, overflow: boolean): boolean {
  setC1(f, overflow);
  return !raise(f, Sw.IE | Sw.SF);
}

function isValid(f: Fpu, p: number): boolean {
  return ((f.valid >> p) & 1) !== 0;
}

/** Write a plain double to physical register p (drops its 80-bit shadow). */
function put(f: Fpu, p: number, v: number): void {
  f.regs[p] = v;
  const m = ~(1 << p);
  f.x80 &= m;
  f.mmxOwned &= m;
}

/** Write the real indefinite to physical register p, which becomes valid (masked IE responses). */
function putIndef(f: Fpu, p: number): void {
  f.valid |= 1 << p;
  f.rbits[2 * p] = 0;
  f.rbits[2 * p + 1] = IND_HI;
  const m = ~(1 << p);
  f.x80 &= m;
  f.mmxOwned &= m;
}

function hasShadow(f: Fpu, p: number): boolean {
  return (((f.x80 | f.mmxOwned) >> p) & 1) !== 0;
}

/** Copy physical register s to d, 80-bit shadow included. */
function copyReg(f: Fpu, d: number, s: number): void {
  f.regs[d] = f.regs[s];
  const dm = 1 << d;
  if (hasShadow(f, s)) {
    f.getReg80(s);
    f.mmx[2 * d] = X.lo;
    f.mmx[2 * d + 1] = X.hi;
    f.extSe[d] = X.se;
    f.x80 |= dm;
  } else f.x80 &= ~dm;
  f.mmxOwned &= ~dm;
}

/** Swap bits p and q of m. */
function swapBits(m: number, p: number, q: number): number {
  const d = ((m >> p) ^ (m >> q)) & 1;
  return m ^ ((d << p) | (d << q));
}

function swapRegs(f: Fpu, p: number, q: number): void {
  const rp = f.regs[p];
  f.regs[p] = f.regs[q];
  f.regs[q] = rp;
  if ((f.x80 | f.mmxOwned) === 0) return;
  const mm = f.mmx;
  let t = mm[2 * p];
  mm[2 * p] = mm[2 * q];
  mm[2 * q] = t;
  t = mm[2 * p + 1];
  mm[2 * p + 1] = mm[2 * q + 1];
  mm[2 * q + 1] = t;
  t = f.extSe[p];
  f.extSe[p] = f.extSe[q];
  f.extSe[q] = t;
  f.x80 = swapBits(f.x80, p, q);
  f.mmxOwned = swapBits(f.mmxOwned, p, q);
}

/**
 * Push a value. C1 = 0; on overflow (ST(7) not empty) IE, SF, C1 = 1 and, when masked, the indefinite is
 * pushed. Returns false when the value was not pushed.
 */
function push(f: Fpu, v: number): boolean {
  const p = (f.top - 1) & 7;
  if (isValid(f, p)) {
    if (stackFault(f, true)) {
      f.top = p;
      putIndef(f, p);
    }
    return false;
  }
  setC1(f, false);
  f.top = p;
  f.valid |= 1 << p;
  put(f, p, v);
  return true;
}

function pop(f: Fpu): void {
  f.valid &= ~(1 << f.top);
  f.top = (f.top + 1) & 7;
}

/** Pointer bookkeeping of a non-control instruction (FIP, FOP; FDP/FDS for memory operands). */
function note(f: Fpu, i: Insn): void {
  f.lastI = i;
}

function noteMem(f: Fpu, i: Insn, a: number): void {
  f.lastI = i;
  f.lastM = i;
  f.fdp = a;
}

function isSNaN(v: number): boolean {
  if (v === v) return false;
  dLo(v);
  return (D.hi & 0x80000) === 0;
}

function signOf(v: number): boolean {
  dLo(v);
  return D.hi < 0;
}

// ---------------------------------------------------------------- memory operands

/** Exception flags of the last memory operand load (DE for a denormal, an SNaN is left for the operation). */
let memFlags = 0;

const enum Mem {
  F32 = 0,
  F64 = 1,
  I32 = 2,
  I16 = 3,
}

function loadMem(cpu: Cpu, kind: Mem, a: number): number {
  memFlags = 0;
  switch (kind) {
    case Mem.F32: {
      const b = cpu.rd32(a);
      if ((b & 0x7f800000) === 0 && (b & 0x7fffff) !== 0) memFlags = Sw.DE;
      return f32FromBits(b);
    }
    case Mem.F64: {
      const lo = cpu.rd64(a);
      const hi = cpu.th;
      if ((hi & 0x7ff00000) === 0 && ((hi & 0xfffff) | lo) !== 0) memFlags = Sw.DE;
      return dFromBits(lo, hi);
    }
    case Mem.I32:
      return cpu.rd32(a);
    default:
      return (cpu.rd16(a) << 16) >> 16;
  }
}

// ---------------------------------------------------------------- arithmetic core

const enum Op {
  Add = 0,
  Mul = 1,
  Com = 2,
  Comp = 3,
  Sub = 4,
  Subr = 5,
  Div = 6,
  Divr = 7,
}

/** Set by arith()/unary helpers when an unmasked exception suppressed the result. */
let skip = false;

/** Fast-path range: results here need no exact-error slow path. */
const FAST_LO = 2 ** -900;
const FAST_HI = 2 ** 900;

/** a op b for the arithmetic group (op = D8 ModRM.reg; Sub is a - b, Subr is b - a). */
function arith(f: Fpu, op: number, a: number, b: number): number {
  let r: number;
  switch (op) {
    case Op.Add:
      r = a + b;
      break;
    case Op.Mul:
      r = a * b;
      break;
    case Op.Sub:
      r = a - b;
      break;
    case Op.Subr:
      r = b - a;
      break;
    case Op.Div:
      r = a / b;
      break;
    default:
      r = b / a;
  }
  skip = false;
  // Fast path: PC = 53 bits, RC = nearest, PE masked and already set; C1 is computed when the SW is read.
  if (
    (f.cw & 0xf20) === 0x220 &&
    (f.sw & Sw.PE) !== 0 &&
    (r > 0 ? r > FAST_LO && r < FAST_HI : r < -FAST_LO && r > -FAST_HI)
  ) {
    switch (op) {
      case Op.Add:
        f.c1op = C1Op.Add;
        f.c1a = a;
        f.c1b = b;
        break;
      case Op.Sub:
        f.c1op = C1Op.Add;
        f.c1a = a;
        f.c1b = -b;
        break;
      case Op.Subr:
        f.c1op = C1Op.Add;
        f.c1a = b;
        f.c1b = -a;
        break;
      case Op.Mul:
        f.c1op = C1Op.Mul;
        f.c1a = a;
        f.c1b = b;
        break;
      case Op.Div:
        f.c1op = C1Op.Div;
        f.c1a = a;
        f.c1b = b;
        break;
      default:
        f.c1op = C1Op.Div;
        f.c1a = b;
        f.c1b = a;
    }
    f.c1r = r;
    return r;
  }
  return arithSlow(f, op, a, b, r);
}

function arithSlow(f: Fpu, op: number, a: number, b: number, r: number): number {
  if (r !== r) return nan2(f, a, b);
  // x op' y with op' in {add, mul, div}
  let x = a;
  let y = b;
  if (op === Op.Sub) y = -b;
  else if (op === Op.Subr) {
    x = b;
    y = -a;
  } else if (op === Op.Divr) {
    x = b;
    y = a;
  }
  const isAdd = op === Op.Add || op === Op.Sub || op === Op.Subr;
  const isDiv = op === Op.Div || op === Op.Divr;
  const ar = Math.abs(r);
  if (
    x - x === 0 &&
    y - y === 0 &&
    !(isDiv && y === 0) &&
    (ar === Infinity || (ar < FAST_LO && (r !== 0 || (!isAdd && x !== 0 && y !== 0))))
  ) {
    return scaledResult(f, isAdd ? 0 : isDiv ? 2 : 1, x, y, ar === Infinity);
  }
  if (r - r !== 0) {
    // Infinite: exact for infinite operands; x/0 is a zero divide (SDM Vol. 1 4.9.1.3).
    if (isDiv && y === 0 && x - x === 0) {
      setC1(f, false);
      skip = raise(f, Sw.ZE);
      return r;
    }
    setC1(f, false);
    return r;
  }
  if (r === 0) {
    // Exact zero: x + (-x) is -0 when rounding down (IEEE 754 6.3).
    if (isAdd && (f.cw & 0xc00) === 0x400 && !(x === 0 && y === 0 && !signOf(x) && !signOf(y))) r = -0;
    setC1(f, false);
    return r;
  }
  const e = isAdd ? addErr(x, y, r) : isDiv ? divErr(x, y, r) : mulErr(x, y, r);
  return finish(f, r, e);
}

/**
 * A result beyond the double range (overflow, denormal or zero from nonzero operands): the extended
 * format holds it as a normal number, so round the operation on operands scaled into range (PE, C1 and
 * the PC/RC rounding as the hardware does them) and deliver the double nearest to the scaled-back value,
 * which is what FST m64 of the hardware register would give (no OE/UE: fpu.ts).
 */
function scaledResult(f: Fpu, kind: number, x: number, y: number, overflow: boolean): number {
  let r: number;
  let e: number;
  let sh: number;
  if (kind === 0) {
    const k = overflow ? -1 : -exponentOf(Math.abs(x) > Math.abs(y) ? x : y);
    const xs = ldexp(x, k);
    const ys = ldexp(y, k);
    r = xs + ys;
    e = addErr(xs, ys, r);
    sh = -k;
  } else {
    const kx = -exponentOf(x);
    const ky = -exponentOf(y);
    const xs = ldexp(x, kx);
    const ys = ldexp(y, ky);
    if (kind === 1) {
      r = xs * ys;
      e = mulErr(xs, ys, r);
      sh = -(kx + ky);
    } else {
      r = xs / ys;
      e = divErr(xs, ys, r);
      sh = ky - kx;
    }
  }
  return ldexp(finish(f, r, e), sh);
}

let rpInexact = false;
let rpUp = false;

function isPow2(v: number): boolean {
  const lo = dLo(v);
  return lo === 0 && (D.hi & 0xfffff) === 0 && (D.hi & 0x7ff00000) !== 0;
}

/**
 * Round the exact value r + e (r the double nearest to it, e = exact - r, exact or with its sign right) to
 * p significand bits (24 or 53) by RC; sets rpInexact and rpUp (the magnitude was rounded up).
 */
function roundPrec(r: number, e: number, p: number, rc: number): number {
  const neg = r < 0;
  // d: +1 when the exact magnitude is above |r|, -1 below.
  const d = e === 0 ? 0 : e > 0 !== neg ? 1 : -1;
  let ee = exponentOf(r);
  if (d < 0 && isPow2(r)) ee--;
  const u = pow2(Math.max(ee - (p - 1), -1074));
  const q = Math.abs(r) / u;
  const B = Math.floor(q);
  const m = q - B;
  if (m === 0 && d === 0) {
    rpInexact = false;
    rpUp = false;
    return r;
  }
  // F = floor of the exact magnitude in units of u; cls: 1 below half, 2 half, 3 above half.
  let F = B;
  let cls: number;
  if (m === 0 && d < 0) {
    F = B - 1;
    cls = 3;
  } else if (m < 0.5) cls = 1;
  else if (m > 0.5) cls = 3;
  else cls = d > 0 ? 3 : d < 0 ? 1 : 2;
  let K: number;
  if (rc === 0) K = cls === 3 || (cls === 2 && F % 2 === 1) ? F + 1 : F;
  else K = (rc === 2 && !neg) || (rc === 1 && neg) ? F + 1 : F;
  rpInexact = true;
  rpUp = K > F;
  const v = K * u;
  return neg ? -v : v;
}

function roundEven(t: number): number {
  const fl = Math.floor(t);
  const d = t - fl;
  return d > 0.5 || (d === 0.5 && fl % 2 !== 0) ? fl + 1 : fl;
}

/**
 * Deliver an inexact-or-not arithmetic result with CW.PC and CW.RC: r is the double nearest to the exact
 * result, e = exact - r (exact for add/mul, sign-exact for div/sqrt). Sets PE and C1.
 */
function finish(f: Fpu, r: number, e: number): number {
  return finishPc(f, r, e, (f.cw >> 8) & 3);
}

/** A transcendental result (in DD): rounded to 64 bits whatever CW.PC (SDM Vol. 1 8.1.5.2). */
function finish64(f: Fpu): number {
  if (DD.h === 0) {
    setC1(f, false);
    return DD.h;
  }
  const v = finishPc(f, DD.h, DD.l, 3);
  return DD.e === 0 ? v : ldexp(v, DD.e);
}

function finishPc(f: Fpu, r: number, e: number, pc: number): number {
  const rc = (f.cw >> 10) & 3;
  let v = r;
  let inexact = false;
  let up = false;
  if (pc === 3 || pc === 1) {
    // 64-bit significand (the reserved PC = 01 behaves so on the hardware): round r + e to the 64-bit
    // grid of the exact value; keep the double nearest to that.
    if (e !== 0) {
      let ee = exponentOf(r);
      if (isPow2(r) && e > 0 !== r > 0) ee--;
      if (ee - 63 < -1074) {
        v = roundPrec(r, e, 53, rc);
        inexact = rpInexact;
        up = rpUp;
      } else {
        const u = pow2(ee - 63);
        // e/u can underflow when e is far below the 64-bit grid: it still decides a directed rounding.
        let t = e / u;
        if (t === 0) t = e > 0 ? 5e-324 : -5e-324;
        let k: number;
        if (rc === 0) k = roundEven(t);
        else if (rc === 1) k = Math.floor(t);
        else if (rc === 2) k = Math.ceil(t);
        else k = r > 0 ? Math.floor(t) : Math.ceil(t);
        inexact = k !== t;
        up = inexact && k > t === r > 0;
        v = r + k * u;
      }
    }
  } else if (pc === 0) {
    v = roundPrec(r, e, 24, rc);
    inexact = rpInexact;
    up = rpUp;
  } else if (e !== 0) {
    // 53 bits.
    if (rc === 0) {
      inexact = true;
      up = e > 0 !== r > 0;
    } else {
      v = roundPrec(r, e, 53, rc);
      inexact = rpInexact;
      up = rpUp;
    }
  }
  setC1(f, up);
  if (inexact) raise(f, Sw.PE);
  return v;
}

/** A result with a NaN operand or an invalid operation (SDM Vol. 1 Table 4-7, 4.9.1.2). */
function nan2(f: Fpu, a: number, b: number): number {
  setC1(f, false);
  const an = a !== a;
  const bn = b !== b;
  if (!an && !bn) {
    skip = raise(f, Sw.IE);
    return INDEF;
  }
  const la = dLo(a);
  const ha = D.hi;
  const lb = dLo(b);
  const hb = D.hi;
  const sa = an && (ha & 0x80000) === 0;
  const sb = bn && (hb & 0x80000) === 0;
  let lo: number;
  let hi: number;
  if (an && bn) {
    if (sa !== sb) {
      // SNaN and QNaN: the QNaN.
      lo = sa ? lb : la;
      hi = sa ? hb : ha;
    } else {
      // Two of a kind: the larger significand; equal ones give the positive NaN (hardware).
      const fa = ha & 0xfffff;
      const fb = hb & 0xfffff;
      const cmp = fa !== fb ? fa - fb : (la >>> 0) - (lb >>> 0);
      if (cmp > 0) {
        lo = la;
        hi = ha;
      } else if (cmp < 0) {
        lo = lb;
        hi = hb;
      } else {
        lo = la;
        hi = ha & hb;
      }
    }
  } else if (an) {
    lo = la;
    hi = ha;
  } else {
    lo = lb;
    hi = hb;
  }
  skip = sa || sb ? raise(f, Sw.IE) : false;
  return dFromBits(lo, hi | 0x80000);
}

/** A NaN operand of a one-operand operation: the quieted NaN, IE for an SNaN. */
function nan1(f: Fpu, v: number): number {
  setC1(f, false);
  const lo = dLo(v);
  const hi = D.hi;
  skip = (hi & 0x80000) === 0 ? raise(f, Sw.IE) : false;
  return dFromBits(lo, hi | 0x80000);
}

/** An invalid operation of a one-operand instruction: IE, the indefinite. */
function invalid(f: Fpu): number {
  setC1(f, false);
  skip = raise(f, Sw.IE);
  return INDEF;
}

// ---------------------------------------------------------------- arithmetic handlers

/** D8/DC/DA/DE memory forms: ST(0) = ST(0) op m. */
function memArith(op: number, kind: Mem): Handler {
  return (cpu, i) => {
    const f = wait(cpu);
    const a = cpu.ea(i);
    const v = loadMem(cpu, kind, a);
    noteMem(f, i, a);
    const p0 = f.top;
    if (!isValid(f, p0)) {
      if (stackFault(f, false)) putIndef(f, p0);
      return;
    }
    if (memFlags !== 0 && raise(f, memFlags)) return;
    const r = arith(f, op, f.regs[p0], v);
    if (!skip) put(f, p0, r);
  };
}

/** D8 register forms: ST(0) = ST(0) op ST(i). */
function regArith0(op: number): Handler {
  return (cpu, i) => {
    const f = wait(cpu);
    note(f, i);
    const p0 = f.top;
    const p1 = (p0 + i.rm) & 7;
    if ((f.valid >> p0) & (f.valid >> p1) & 1) {
      const r = arith(f, op, f.regs[p0], f.regs[p1]);
      if (!skip) put(f, p0, r);
      return;
    }
    if (stackFault(f, false)) putIndef(f, p0);
  };
}

/** DC/DE register forms: ST(i) = ST(i) op ST(0) (op already swapped for the DC/DE encodings), DE pops. */
function regArithI(op: number, doPop: boolean): Handler {
  return (cpu, i) => {
    const f = wait(cpu);
    note(f, i);
    const p0 = f.top;
    const p1 = (p0 + i.rm) & 7;
    if ((f.valid >> p0) & (f.valid >> p1) & 1) {
      const r = arith(f, op, f.regs[p1], f.regs[p0]);
      if (skip) return;
      put(f, p1, r);
    } else {
      if (!stackFault(f, false)) return;
      putIndef(f, p1);
    }
    if (doPop) pop(f);
  };
}

// ---------------------------------------------------------------- compares

const UNORDERED = Sw.C3 | Sw.C2 | Sw.C0;

/**
 * Condition codes of comparing a with b (SDM Vol. 2 FCOM): C3 C2 C0 = 000 >, 001 <, 100 =, 111 unordered.
 * Unordered raises IE (FCOM: any NaN; FUCOM: SNaN only); the codes are set even when IE is unmasked.
 */
function compareCC(f: Fpu, a: number, b: number, quiet: boolean): number {
  if (a > b) return 0;
  if (a < b) return Sw.C0;
  if (a === b) return Sw.C3;
  if (!quiet || isSNaN(a) || isSNaN(b)) skip = raise(f, Sw.IE);
  return UNORDERED;
}

function setCC(f: Fpu, cc: number): void {
  f.c1op = C1Op.None;
  f.sw = (f.sw & ~(Sw.CC | Sw.C1)) | cc;
}

/** FCOM/FCOMP/FICOM/FICOMP m (pops 0 or 1). */
function memCom(kind: Mem, pops: number): Handler {
  return (cpu, i) => {
    const f = wait(cpu);
    const a = cpu.ea(i);
    const v = loadMem(cpu, kind, a);
    noteMem(f, i, a);
    skip = false;
    const p0 = f.top;
    if (!isValid(f, p0)) {
      const masked = stackFault(f, false);
      setCC(f, UNORDERED);
      if (masked && pops) pop(f);
      return;
    }
    if (memFlags !== 0 && raise(f, memFlags)) return;
    const cc = compareCC(f, f.regs[p0], v, false);
    setCC(f, cc);
    if (!skip && pops) pop(f);
  };
}

/** FCOM/FUCOM ST(i) and the popping forms (rmFixed: the operand is ST(1) whatever rm, for FCOMPP/FUCOMPP). */
function regCom(pops: number, quiet: boolean, rmFixed: number): Handler {
  return (cpu, i) => {
    const f = wait(cpu);
    note(f, i);
    skip = false;
    const p0 = f.top;
    const p1 = (p0 + (rmFixed >= 0 ? rmFixed : i.rm)) & 7;
    if (((f.valid >> p0) & (f.valid >> p1) & 1) === 0) {
      const masked = stackFault(f, false);
      setCC(f, UNORDERED);
      if (masked) for (let k = 0; k < pops; k++) pop(f);
      return;
    }
    const cc = compareCC(f, f.regs[p0], f.regs[p1], quiet);
    setCC(f, cc);
    if (!skip) for (let k = 0; k < pops; k++) pop(f);
  };
}

/** FCOMI/FUCOMI (+P): ZF PF CF from the compare, OF SF AF cleared (SDM Vol. 2 FCOMI). */
function regComi(doPop: boolean, quiet: boolean): Handler {
  return (cpu, i) => {
    const f = wait(cpu);
    note(f, i);
    skip = false;
    const p0 = f.top;
    const p1 = (p0 + i.rm) & 7;
    let fl: number;
    if (((f.valid >> p0) & (f.valid >> p1) & 1) === 0) {
      skip = !stackFault(f, false);
      fl = ZF | PF | CF;
    } else {
      // C1 is left alone unless a stack fault occurs (hardware).
      const a = f.regs[p0];
      const b = f.regs[p1];
      if (a > b) fl = 0;
      else if (a < b) fl = CF;
      else if (a === b) fl = ZF;
      else {
        fl = ZF | PF | CF;
        if (!quiet || isSNaN(a) || isSNaN(b)) skip = raise(f, Sw.IE);
      }
    }
    cpu.flags.setFlags(ARITH, fl);
    if (doPop && !skip) pop(f);
  };
}

// ---------------------------------------------------------------- loads

/** FLD m32/m64, FILD m16/m32. */
function fldMem(kind: Mem): Handler {
  return (cpu, i) => {
    const f = wait(cpu);
    const a = cpu.ea(i);
    let v = loadMem(cpu, kind, a);
    noteMem(f, i, a);
    let flags = memFlags;
    if (isSNaN(v)) {
      flags |= Sw.IE;
      v = dFromBits(dLo(v), D.hi | 0x80000);
    }
    if (isValid(f, (f.top - 1) & 7)) {
      push(f, 0);
      return;
    }
    // An unmasked IE (SNaN) suppresses the load; an unmasked DE does not (hardware).
    if (flags !== 0 && raise(f, flags) && (flags & Sw.IE) !== 0) return;
    push(f, v);
  };
}

function fildM64(cpu: Cpu, i: Insn): void {
  const f = wait(cpu);
  const a = cpu.ea(i);
  const lo = cpu.rd64(a);
  const hi = cpu.th;
  noteMem(f, i, a);
  const v = hi * TWO32 + (lo >>> 0);
  if (!push(f, v)) return;
  // Beyond 2^53 the double may be rounded: keep the exact value as the 80-bit shadow.
  if ((hi > 0x1fffff || hi < -0x200000) && v - hi * TWO32 !== lo >>> 0) {
    i64ToExt(lo, hi);
    f.setReg80(f.top, X.lo, X.hi, X.se);
  }
}

function fldM80(cpu: Cpu, i: Insn): void {
  const f = wait(cpu);
  const a = cpu.ea(i);
  const lo = cpu.rd64(a);
  const hi = cpu.th;
  const se = cpu.rd16(a + 8);
  noteMem(f, i, a);
  // FLD m80 raises nothing for SNaNs or denormals (SDM Vol. 2 FLD); the value is copied as is.
  if (!push(f, 0)) return;
  f.setReg80(f.top, lo, hi, se);
}

function fldSt(cpu: Cpu, i: Insn): void {
  const f = wait(cpu);
  note(f, i);
  const s = (f.top + i.rm) & 7;
  if (!isValid(f, s)) {
    const masked = stackFault(f, false);
    if (!masked) return;
    if (isValid(f, (f.top - 1) & 7)) {
      push(f, 0);
      return;
    }
    f.top = (f.top - 1) & 7;
    putIndef(f, f.top);
    return;
  }
  if (!push(f, 0)) return;
  copyReg(f, f.top, s);
}

/** The 66-bit constants of FLDL2T..FLDLN2 rounded by RC (SDM Vol. 1 8.3.8): [se, hi, lo, adjust]. */
const CONSTS: readonly (readonly [number, number, number, number])[] = [
  [0x3fff, 0x80000000, 0, 0], // fld1
  [0x4000, 0xd49a784b, 0xcd1b8afe, 1], // fldl2t: rounded down by nearest; +1 for RC up
  [0x3fff, 0xb8aa3b29, 0x5c17f0bc, -1], // fldl2e: rounded up by nearest; -1 for RC down/chop
  [0x4000, 0xc90fdaa2, 0x2168c235, -1], // fldpi
  [0x3ffd, 0x9a209a84, 0xfbcff799, -1], // fldlg2
  [0x3ffe, 0xb17217f7, 0xd1cf79ac, -1], // fldln2
  [0, 0, 0, 0], // fldz
];

function fldConst(k: number): Handler {
  const [se, hi, lo, adj] = CONSTS[k];
  // Per RC: the double value and the 80-bit image when the double does not hold it exactly.
  const vals: number[] = [];
  const los: number[] = [];
  const exact: boolean[] = [];
  for (let rc = 0; rc < 4; rc++) {
    let l = lo;
    if (adj > 0 && rc === 2) l += 1;
    else if (adj < 0 && (rc === 1 || rc === 3)) l -= 1;
    los.push(l | 0);
    vals.push(extToD(l | 0, hi | 0, se, 0, 53, false));
    exact.push((l & 0x7ff) === 0 && (hi | 0) !== 0 ? true : hi === 0);
  }
  return (cpu, i) => {
    const f = wait(cpu);
    note(f, i);
    const rc = (f.cw >> 10) & 3;
    if (!push(f, vals[rc]) || exact[rc]) return;
    const p = f.top;
    f.mmx[2 * p] = los[rc];
    f.mmx[2 * p + 1] = hi | 0;
    f.extSe[p] = se;
    f.x80 |= 1 << p;
  };
}

// ---------------------------------------------------------------- stores

/** FST/FSTP m32 and m64. */
function fstMem(kind: Mem.F32 | Mem.F64, doPop: boolean): Handler {
  return (cpu, i) => {
    const f = wait(cpu);
    const a = cpu.ea(i);
    const p0 = f.top;
    if (!isValid(f, p0)) {
      if (f.cw & Sw.IE) {
        if (kind === Mem.F32) cpu.wr32(a, 0xffc00000 | 0);
        else cpu.wr64(a, 0, IND_HI);
      }
      noteMem(f, i, a);
      if (stackFault(f, false) && doPop) pop(f);
      return;
    }
    const rc = (f.cw >> 10) & 3;
    let v: number;
    if (hasShadow(f, p0)) {
      f.getReg80(p0);
      v = extToD(X.lo, X.hi, X.se, rc, kind === Mem.F32 ? 24 : 53, true);
    } else {
      v = f.regs[p0];
      if (kind === Mem.F32) v = dToF32(v, rc);
      else {
        X.flags = 0;
        X.up = false;
        X.tiny = v !== 0 && v > -2.2250738585072014e-308 && v < 2.2250738585072014e-308;
        if (isSNaN(v)) {
          X.flags = Sw.IE;
          v = dFromBits(dLo(v), D.hi | 0x80000);
        }
      }
    }
    let flags = X.flags;
    const up = X.up;
    // Unmasked underflow is signalled on tininess alone (SDM Vol. 1 4.9.1.5).
    if (X.tiny && (f.cw & Sw.UE) === 0) flags |= Sw.UE;
    // Unmasked invalid/overflow/underflow: nothing is stored, the stack is not popped, and PE is not
    // reported (SDM Vol. 1 4.9.2; hardware).
    if ((flags & ~f.cw & (Sw.IE | Sw.OE | Sw.UE)) !== 0) {
      noteMem(f, i, a);
      raise(f, flags & ~Sw.PE);
      return;
    }
    if (kind === Mem.F32) cpu.wr32(a, f32Bits(v));
    else cpu.wr64(a, dLo(v), D.hi);
    noteMem(f, i, a);
    setC1(f, up);
    if (flags !== 0) raise(f, flags);
    if (doPop) pop(f);
  };
}

function fstpM80(cpu: Cpu, i: Insn): void {
  const f = wait(cpu);
  const a = cpu.ea(i);
  const p0 = f.top;
  let lo = 0;
  let hi = 0xc0000000 | 0;
  let se = 0xffff;
  const valid = isValid(f, p0);
  if (valid) {
    f.getReg80(p0);
    lo = X.lo;
    hi = X.hi;
    se = X.se;
  } else if (!(f.cw & Sw.IE)) {
    noteMem(f, i, a);
    stackFault(f, false);
    return;
  }
  cpu.probeWrite(a, 10);
  cpu.wr64(a, lo, hi);
  cpu.wr16(a + 8, se);
  noteMem(f, i, a);
  if (valid) setC1(f, false);
  else stackFault(f, false);
  pop(f);
}

/** FST/FSTP ST(i) (DD D0+i, DD D8+i and the aliases D9 D8+i, DF D0+i, DF D8+i). */
function fstSt(doPop: boolean): Handler {
  return (cpu, i) => {
    const f = wait(cpu);
    note(f, i);
    const p0 = f.top;
    const p1 = (p0 + i.rm) & 7;
    if (!isValid(f, p0)) {
      if (!stackFault(f, false)) return;
      putIndef(f, p1);
    } else {
      setC1(f, false);
      if (p1 !== p0) copyReg(f, p1, p0);
    }
    f.valid |= 1 << p1;
    if (doPop) pop(f);
  };
}

/** FSTPNCE ST(i) (D9 D8+i, an undocumented FSTP alias): with ST(0) empty it only pops (hardware). */
function fstpnce(cpu: Cpu, i: Insn): void {
  const f = wait(cpu);
  note(f, i);
  const p0 = f.top;
  const p1 = (p0 + i.rm) & 7;
  setC1(f, false);
  if (isValid(f, p0)) {
    if (p1 !== p0) copyReg(f, p1, p0);
    f.valid |= 1 << p1;
  }
  pop(f);
}

/** Round a double to an integer by RC (the sign of a zero result follows the operand, as FRNDINT). */
function roundInt(v: number, rc: number): number {
  switch (rc) {
    case 0: {
      const a = Math.abs(v);
      if (a >= 4503599627370496) return v;
      const fl = Math.floor(a);
      const d = a - fl;
      const k = d > 0.5 || (d === 0.5 && fl % 2 !== 0) ? fl + 1 : fl;
      return v < 0 || (v === 0 && 1 / v < 0) ? -k : k;
    }
    case 1:
      return Math.floor(v);
    case 2:
      return Math.ceil(v);
    default:
      return Math.trunc(v);
  }
}

/** Double -> integer of `bits` by RC into X.lo/X.hi; false when NaN/infinite/out of range. X.flags, X.up. */
function dToInt(v: number, rc: number, bits: number): boolean {
  X.flags = 0;
  X.up = false;
  if (v - v !== 0) return false;
  const r = roundInt(v, rc);
  if (r !== v) {
    X.flags = Sw.PE;
    X.up = Math.abs(r) > Math.abs(v);
  }
  if (bits === 64) {
    if (r < -9223372036854775808 || r >= 9223372036854775808) return false;
    const hi = Math.floor(r / TWO32);
    X.hi = hi | 0;
    X.lo = (r - hi * TWO32) | 0;
    return true;
  }
  const lim = bits === 32 ? 2147483648 : 32768;
  if (r < -lim || r >= lim) return false;
  X.lo = r | 0;
  X.hi = r < 0 ? -1 : 0;
  return true;
}

/** FIST/FISTP/FISTTP m16/m32/m64 (rc: -1 = CW.RC, 3 = truncate for FISTTP). */
function fistMem(bits: number, doPop: boolean, trunc: boolean): Handler {
  return (cpu, i) => {
    const f = wait(cpu);
    const a = cpu.ea(i);
    const p0 = f.top;
    const write = (lo: number, hi: number): void => {
      if (bits === 16) cpu.wr16(a, lo);
      else if (bits === 32) cpu.wr32(a, lo);
      else cpu.wr64(a, lo, hi);
    };
    // Integer indefinite: the most negative integer (SDM Vol. 1 8.2.1).
    const indLo = bits === 16 ? 0x8000 : bits === 32 ? 0x80000000 | 0 : 0;
    const indHi = bits === 64 ? 0x80000000 | 0 : 0;
    if (!isValid(f, p0)) {
      if (f.cw & Sw.IE) write(indLo, indHi);
      noteMem(f, i, a);
      if (stackFault(f, false) && doPop) pop(f);
      return;
    }
    const rc = trunc ? 3 : (f.cw >> 10) & 3;
    let ok: boolean;
    if (hasShadow(f, p0)) {
      f.getReg80(p0);
      ok = extToInt(X.lo, X.hi, X.se, rc, bits);
    } else ok = dToInt(f.regs[p0], rc, bits);
    if (!ok) {
      // NaN, infinity or out of range: IE; masked response stores the integer indefinite.
      if (f.cw & Sw.IE) write(indLo, indHi);
      noteMem(f, i, a);
      setC1(f, false);
      if (!raise(f, Sw.IE) && doPop) pop(f);
      return;
    }
    const flags = X.flags;
    const up = X.up;
    write(X.lo, X.hi);
    noteMem(f, i, a);
    setC1(f, up);
    if (flags !== 0) raise(f, flags);
    if (doPop) pop(f);
  };
}

// ---------------------------------------------------------------- BCD

/** FBLD m80: 18 packed BCD digits and a sign byte (SDM Vol. 1 4.7). */
function fbld(cpu: Cpu, i: Insn): void {
  const f = wait(cpu);
  const a = cpu.ea(i);
  const lo = cpu.rd64(a);
  const hi = cpu.th;
  const top = cpu.rd16(a + 8);
  noteMem(f, i, a);
  let n = 0n;
  const digits = (w: number, count: number): void => {
    for (let k = count - 1; k >= 0; k--) {
      const byte = (w >>> (8 * k)) & 0xff;
      n = n * 100n + BigInt((byte >> 4) * 10 + (byte & 15));
    }
  };
  digits(top & 0xff, 1);
  digits(hi, 4);
  digits(lo, 4);
  const neg = (top & 0x8000) !== 0;
  if (!push(f, 0)) return;
  if (n === 0n) {
    put(f, f.top, neg ? -0 : 0);
    return;
  }
  const v = neg ? -n : n;
  i64ToExt(Number(BigInt.asIntN(32, v)), Number(BigInt.asIntN(32, v >> 32n)));
  f.setReg80(f.top, X.lo, X.hi, X.se);
}

/** FBSTP m80: round by RC, store 18 BCD digits; out of range or NaN: IE, BCD indefinite (masked). */
function fbstp(cpu: Cpu, i: Insn): void {
  const f = wait(cpu);
  const a = cpu.ea(i);
  cpu.probeWrite(a, 10);
  const p0 = f.top;
  const writeInd = (): void => {
    cpu.wr64(a, 0, 0xc0000000 | 0);
    cpu.wr16(a + 8, 0xffff);
  };
  if (!isValid(f, p0)) {
    if (f.cw & Sw.IE) writeInd();
    noteMem(f, i, a);
    if (stackFault(f, false)) pop(f);
    return;
  }
  f.getReg80(p0);
  const se = X.se;
  const ok = extToInt(X.lo, X.hi, se, (f.cw >> 10) & 3, 64);
  let n = ok ? (BigInt(X.hi) << 32n) | BigInt(X.lo >>> 0) : 0n;
  if (n < 0n) n = -n;
  if (!ok || n > 999999999999999999n) {
    if (f.cw & Sw.IE) writeInd();
    noteMem(f, i, a);
    setC1(f, false);
    if (!raise(f, Sw.IE)) pop(f);
    return;
  }
  const flags = X.flags;
  const up = X.up;
  const bytes = new Uint8Array(10);
  for (let k = 0; k < 9; k++) {
    const d0 = Number(n % 10n);
    n /= 10n;
    const d1 = Number(n % 10n);
    n /= 10n;
    bytes[k] = d0 | (d1 << 4);
  }
  bytes[9] = se & 0x8000 ? 0x80 : 0;
  for (let k = 0; k < 10; k++) cpu.wr8(a + k, bytes[k]);
  noteMem(f, i, a);
  setC1(f, up);
  if (flags !== 0) raise(f, flags);
  pop(f);
}

// ---------------------------------------------------------------- register operations

function fxch(cpu: Cpu, i: Insn): void {
  const f = wait(cpu);
  note(f, i);
  const p0 = f.top;
  const p1 = (p0 + i.rm) & 7;
  if (((f.valid >> p0) & (f.valid >> p1) & 1) === 0) {
    // Empty operands become the indefinite, then the exchange happens (masked underflow).
    if (!stackFault(f, false)) return;
    if (!isValid(f, p0)) putIndef(f, p0);
    if (!isValid(f, p1)) putIndef(f, p1);
  } else setC1(f, false);
  swapRegs(f, p0, p1);
}

/** FCMOVcc (DA/DB C0-DF): cc is the Jcc condition code. C1 is left alone unless a stack fault occurs. */
function fcmov(cc: number): Handler {
  return (cpu, i) => {
    const f = wait(cpu);
    note(f, i);
    const p0 = f.top;
    const p1 = (p0 + i.rm) & 7;
    if (((f.valid >> p0) & (f.valid >> p1) & 1) === 0) {
      if (!stackFault(f, false)) return;
      putIndef(f, p0);
      return;
    }
    if (cpu.flags.cond(cc) && p0 !== p1) copyReg(f, p0, p1);
  };
}

function ffree(doPop: boolean): Handler {
  return (cpu, i) => {
    const f = wait(cpu);
    note(f, i);
    setC1(f, false);
    f.valid &= ~(1 << ((f.top + i.rm) & 7));
    if (doPop) pop(f);
  };
}

function fincstp(cpu: Cpu, i: Insn): void {
  const f = wait(cpu);
  note(f, i);
  setC1(f, false);
  f.top = (f.top + 1) & 7;
}

function fdecstp(cpu: Cpu, i: Insn): void {
  const f = wait(cpu);
  note(f, i);
  setC1(f, false);
  f.top = (f.top - 1) & 7;
}

function fnop(cpu: Cpu, i: Insn): void {
  note(wait(cpu), i);
}

function fwaitH(cpu: Cpu): void {
  wait(cpu);
}

// ---------------------------------------------------------------- one-operand instructions on ST(0)

/** ST(0) = fn(f, ST(0)) with the underflow response; fn sets `skip` when the result must not be written. */
function unary(fn: (f: Fpu, v: number, p: number) => number): Handler {
  return (cpu, i) => {
    const f = wait(cpu);
    note(f, i);
    const p0 = f.top;
    if (!isValid(f, p0)) {
      if (stackFault(f, false)) putIndef(f, p0);
      return;
    }
    skip = false;
    const r = fn(f, f.regs[p0], p0);
    if (!skip) put(f, p0, r);
  };
}

function fchsAbs(abs: boolean): Handler {
  return (cpu, i) => {
    const f = wait(cpu);
    note(f, i);
    const p0 = f.top;
    if (!isValid(f, p0)) {
      if (stackFault(f, false)) putIndef(f, p0);
      return;
    }
    setC1(f, false);
    // Sign operations keep NaN payloads and the 80-bit shadow.
    f.regs[p0] = abs ? Math.abs(f.regs[p0]) : -f.regs[p0];
    if (hasShadow(f, p0)) {
      f.getReg80(p0);
      f.extSe[p0] = abs ? X.se & 0x7fff : X.se ^ 0x8000;
      f.mmx[2 * p0] = X.lo;
      f.mmx[2 * p0 + 1] = X.hi;
      f.mmxOwned &= ~(1 << p0);
      f.x80 |= 1 << p0;
    }
  };
}

function ftst(cpu: Cpu, i: Insn): void {
  const f = wait(cpu);
  note(f, i);
  skip = false;
  const p0 = f.top;
  if (!isValid(f, p0)) {
    stackFault(f, false);
    setCC(f, UNORDERED);
    return;
  }
  setCC(f, compareCC(f, f.regs[p0], 0, false));
}

/** FXAM (SDM Vol. 2 FXAM): class in C3 C2 C0, sign in C1 (0 for an empty register on the hardware). */
function fxam(cpu: Cpu, i: Insn): void {
  const f = wait(cpu);
  note(f, i);
  const p0 = f.top;
  let cc: number;
  let neg = false;
  if (!isValid(f, p0)) cc = Sw.C3 | Sw.C0;
  else if (hasShadow(f, p0)) {
    f.getReg80(p0);
    cc = extClass(X.lo, X.hi, X.se);
    neg = (X.se & 0x8000) !== 0;
  } else {
    const v = f.regs[p0];
    neg = signOf(v);
    // A double denormal is a normal extended value.
    cc = v !== v ? Sw.C0 : v - v !== 0 ? Sw.C2 | Sw.C0 : v === 0 ? Sw.C3 : Sw.C2;
  }
  setCC(f, cc | (neg ? Sw.C1 : 0));
}

function fsqrtFn(f: Fpu, v: number): number {
  if (v !== v) return nan1(f, v);
  if (v < 0) return invalid(f);
  if (v === 0 || v === Infinity) {
    setC1(f, false);
    return v;
  }
  const r = Math.sqrt(v);
  return finish(f, r, sqrtErr(v, r));
}

function frndintFn(f: Fpu, v: number): number {
  if (v !== v) return nan1(f, v);
  if (v - v !== 0) {
    setC1(f, false);
    return v;
  }
  const r = roundInt(v, (f.cw >> 10) & 3);
  setC1(f, Math.abs(r) > Math.abs(v));
  if (r !== v) raise(f, Sw.PE);
  return r;
}

function f2xm1Fn(f: Fpu, v: number): number {
  if (v !== v) return nan1(f, v);
  setC1(f, false);
  if (v === 0 || v === Infinity) return v;
  if (v === -Infinity) return -1;
  // The hardware's domain is |x| <= 1; outside it the result is undefined (approximated here).
  if (Math.abs(v) > 64) return inexact(f, 2 ** v - 1);
  // The exact results of +-1 are reported inexact, 1 as rounded up (hardware).
  if (v === 1 || v === -1) {
    inexact(f, 0);
    setC1(f, v === 1);
    return v === 1 ? 1 : -0.5;
  }
  exp2m1DD(v);
  return finish64(f);
}

/** An inexact result computed in double precision only. */
function inexact(f: Fpu, r: number): number {
  setC1(f, false);
  raise(f, Sw.PE);
  return r;
}

/** |x| < 2^63 for the trigonometric instructions, else C2 = 1 and nothing changes (SDM Vol. 2 FSIN). */
const TRIG_MAX = 9223372036854775808;
function trigOf(f: Fpu, x: number, which: number): number {
  trigDD(x, which);
  return finish64(f);
}

/** FSIN/FCOS: C2 = 1 and no change for |x| >= 2^63. */
function trig(cos: boolean): Handler {
  return (cpu, i) => {
    const f = wait(cpu);
    note(f, i);
    const p0 = f.top;
    f.sw &= ~Sw.C2;
    if (!isValid(f, p0)) {
      if (stackFault(f, false)) putIndef(f, p0);
      return;
    }
    skip = false;
    const v = f.regs[p0];
    let r: number;
    if (v !== v) r = nan1(f, v);
    else if (v - v !== 0) r = invalid(f);
    else if (Math.abs(v) >= TRIG_MAX) {
      f.sw |= Sw.C2;
      setC1(f, false);
      return;
    } else if (v === 0) {
      setC1(f, false);
      r = cos ? 1 : v;
    } else r = trigOf(f, v, cos ? 1 : 0);
    if (!skip) put(f, p0, r);
  };
}

/**
 * FPTAN (push 1.0) and FSINCOS (ST(0) = sin, push cos). Stack overflow or an invalid operand leaves the
 * indefinite in both places (hardware).
 */
function trig2(sincos: boolean): Handler {
  return (cpu, i) => {
    const f = wait(cpu);
    note(f, i);
    const p0 = f.top;
    const pn = (p0 - 1) & 7;
    f.sw &= ~Sw.C2;
    if (!isValid(f, p0) || isValid(f, pn)) {
      if (!stackFault(f, isValid(f, p0))) return;
      putIndef(f, p0);
      f.top = pn;
      putIndef(f, pn);
      return;
    }
    skip = false;
    const v = f.regs[p0];
    let r: number;
    let r2: number;
    if (v !== v) {
      r = nan1(f, v);
      r2 = r;
    } else if (v - v !== 0) {
      r = invalid(f);
      r2 = r;
    } else if (Math.abs(v) >= TRIG_MAX) {
      f.sw |= Sw.C2;
      setC1(f, false);
      return;
    } else if (v === 0) {
      setC1(f, false);
      r = v;
      r2 = 1;
    } else if (sincos) {
      // C1 reports the rounding of the sine (hardware).
      r2 = trigOf(f, v, 1);
      r = trigOf(f, v, 0);
    } else {
      r = trigOf(f, v, 2);
      r2 = 1;
    }
    if (skip) return;
    put(f, p0, r);
    f.top = pn;
    f.valid |= 1 << pn;
    put(f, pn, r2);
  };
}

/** Two-operand instructions that write ST(1) and pop: FPATAN, FYL2X, FYL2XP1. fn(f, st0, st1). */
function binaryPop(fn: (f: Fpu, x: number, y: number) => number): Handler {
  return (cpu, i) => {
    const f = wait(cpu);
    note(f, i);
    const p0 = f.top;
    const p1 = (p0 + 1) & 7;
    if (((f.valid >> p0) & (f.valid >> p1) & 1) === 0) {
      if (!stackFault(f, false)) return;
      putIndef(f, p1);
      pop(f);
      return;
    }
    skip = false;
    const r = fn(f, f.regs[p0], f.regs[p1]);
    if (skip) return;
    put(f, p1, r);
    pop(f);
  };
}

function fpatanFn(f: Fpu, x: number, y: number): number {
  if (x !== x || y !== y) return nan2(f, y, x);
  setC1(f, false);
  if (x !== 0 && y !== 0 && x - x === 0 && y - y === 0) {
    atan2DD(y, x);
    return finish64(f);
  }
  // Zeros and infinities (SDM Vol. 2 FPATAN table): 0, or a multiple of pi/4 rounded like the others.
  const r = Math.atan2(y, x);
  if (r === 0) return r;
  piQuarterDD(Math.round(r / (Math.PI / 4)));
  return finish64(f);
}

function fyl2xFn(f: Fpu, x: number, y: number): number {
  if (x !== x || y !== y) return nan2(f, x, y);
  setC1(f, false);
  if (x < 0 || (x === 0 && y === 0)) return invalid(f);
  if (x === 0) {
    // log2(0) = -inf: zero divide for a finite y (SDM Vol. 2 FYL2X table).
    if (y - y === 0) skip = raise(f, Sw.ZE);
    return y > 0 ? -Infinity : Infinity;
  }
  if (x === Infinity || y - y !== 0) {
    const r = y * Math.log2(x);
    return r !== r ? invalid(f) : r;
  }
  if (y === 0) return y * Math.log2(x);
  log2DD(x, 0);
  if (DD.h === 0) return y > 0 ? 0 : -0;
  scaleDD(y);
  const r = finish64(f);
  // Nonzero results are reported inexact even when exact (x a power of 2; hardware).
  raise(f, Sw.PE);
  return r;
}

function fyl2xp1Fn(f: Fpu, x: number, y: number): number {
  if (x !== x || y !== y) return nan2(f, x, y);
  setC1(f, false);
  if (x === 0 || y === 0) {
    if (y - y !== 0 || x - x !== 0) return invalid(f);
    return signOf(x) !== signOf(y) ? -0 : 0;
  }
  // The hardware's domain is |x| < 1 - sqrt(2)/2; outside it the result is undefined.
  if (x <= -1 || x - x !== 0 || y - y !== 0) {
    const r = y * Math.log2(1 + x);
    return r !== r ? invalid(f) : r;
  }
  log2p1DD(x);
  scaleDD(y);
  return finish64(f);
}

/** FSCALE: ST(0) * 2^trunc(ST(1)) (SDM Vol. 2 FSCALE table for the special operands). */
function fscale(cpu: Cpu, i: Insn): void {
  const f = wait(cpu);
  note(f, i);
  const p0 = f.top;
  const p1 = (p0 + 1) & 7;
  if (((f.valid >> p0) & (f.valid >> p1) & 1) === 0) {
    if (stackFault(f, false)) putIndef(f, p0);
    return;
  }
  skip = false;
  const x = f.regs[p0];
  const y = f.regs[p1];
  let r: number;
  if (x !== x || y !== y) r = nan2(f, x, y);
  else if (y === Infinity) r = x === 0 ? invalid(f) : x * Infinity;
  else if (y === -Infinity) r = x - x !== 0 ? invalid(f) : x * 0;
  else {
    setC1(f, false);
    const n = Math.trunc(y);
    r = ldexp(x, n < -100000 ? -100000 : n > 100000 ? 100000 : n);
    if (x !== 0 && x - x === 0) {
      // Beyond the extended exponent range (SDM Vol. 1 4.9.1.4-5): the masked responses are an infinity
      // or the largest finite value by RC (either shows as an infinity here), and zero. Unmasked, the
      // register gets the result with the exponent biased by -+24576, exact (OE or UE alone) when that
      // brings it into range, else an infinity with PE and C1 / a zero with PE (hardware).
      const t = exponentOf(x) + n;
      const rc = (f.cw >> 10) & 3;
      if (t > 16383) {
        if ((f.cw & Sw.OE) === 0) {
          const inRange = t - 24576 <= 16383;
          setC1(f, !inRange);
          raise(f, inRange ? Sw.OE : Sw.OE | Sw.PE);
          r = inRange ? ldexp(x, n - 24576) : x * Infinity;
        } else {
          setC1(f, rc === 0 || (rc === 1 && x < 0) || (rc === 2 && x > 0));
          raise(f, Sw.OE | Sw.PE);
        }
      } else if (t < -16382) {
        if ((f.cw & Sw.UE) === 0) {
          const inRange = t + 24576 >= -16382;
          setC1(f, false);
          raise(f, inRange ? Sw.UE : Sw.UE | Sw.PE);
          r = inRange ? ldexp(x, n + 24576) : x * 0;
        } else {
          // Extended denormal: bits below 2^-16445 are lost (UE and PE only when inexact).
          const e0 = exponentOf(x);
          const M = Math.abs(ldexp(x, 52 - e0)); // 53-bit integer
          const drop = -16445 - (t - 52);
          if (drop > 0) {
            const q = drop > 60 ? 0 : M / 2 ** drop;
            const fl = Math.floor(q);
            if (q !== fl || drop > 60) {
              const frac = q - fl;
              const neg = x < 0;
              let up: boolean;
              if (rc === 0) up = frac > 0.5 || (frac === 0.5 && fl % 2 === 1);
              else up = (rc === 1 && neg) || (rc === 2 && !neg);
              setC1(f, up);
              raise(f, Sw.UE | Sw.PE);
            }
          }
        }
      }
    }
  }
  if (!skip) put(f, p0, r);
}

/** FXTRACT: ST(0) = exponent, then push the significand (SDM Vol. 2 FXTRACT). */
function fxtract(cpu: Cpu, i: Insn): void {
  const f = wait(cpu);
  note(f, i);
  const p0 = f.top;
  const pn = (p0 - 1) & 7;
  if (!isValid(f, p0) || isValid(f, pn)) {
    if (!stackFault(f, isValid(f, p0))) return;
    putIndef(f, p0);
    f.top = pn;
    putIndef(f, pn);
    return;
  }
  skip = false;
  const v = f.regs[p0];
  let ex: number;
  let sig: number;
  setC1(f, false);
  if (v !== v) {
    ex = nan1(f, v);
    sig = ex;
  } else if (v === 0) {
    skip = raise(f, Sw.ZE);
    ex = -Infinity;
    sig = v;
  } else if (v - v !== 0) {
    ex = Infinity;
    sig = v;
  } else {
    const e = exponentOf(v);
    ex = e;
    sig = ldexp(v, -e);
  }
  if (skip) return;
  put(f, p0, ex);
  f.top = pn;
  f.valid |= 1 << pn;
  put(f, pn, sig);
}

/**
 * FPREM (truncating quotient) and FPREM1 (IEEE remainder). C2 = 1 for a partial remainder (exponent
 * difference D >= 64: reduced by D - N bits, N = 32 + (D mod 32) on the hardware); otherwise C0 C3 C1 =
 * quotient bits 2, 1, 0 (SDM Vol. 2 FPREM).
 */
function fprem(ieee: boolean): Handler {
  return (cpu, i) => {
    const f = wait(cpu);
    note(f, i);
    const p0 = f.top;
    const p1 = (p0 + 1) & 7;
    // Special cases clear C2 and C1 and leave C0 and C3 (hardware).
    f.sw &= ~Sw.C2;
    if (((f.valid >> p0) & (f.valid >> p1) & 1) === 0) {
      if (stackFault(f, false)) putIndef(f, p0);
      return;
    }
    skip = false;
    const x = f.regs[p0];
    const y = f.regs[p1];
    let r: number;
    let q = 0;
    let partial = false;
    if (x !== x || y !== y || x - x !== 0 || y === 0) {
      r = x !== x || y !== y ? nan2(f, x, y) : invalid(f);
      if (!skip) put(f, p0, r);
      return;
    } else if (y - y !== 0 || x === 0) r = x;
    else {
      const d = exponentOf(x) - exponentOf(y);
      if (d >= 64) {
        partial = true;
        const n = 32 + (d % 32);
        r = x % ldexp(y, d - n);
      } else {
        r = x % y;
        const ay = Math.abs(y);
        // Quotient bits 0-2: from the remainder modulo 8y when 8y is finite, else the quotient is small.
        const y8 = ay * 8;
        if (d < 50 || y8 === Infinity) q = Math.round(Math.abs((x - r) / y)) % 8;
        else q = Math.round(Math.abs((x % y8) - r) / ay) & 7;
        if (ieee && r !== 0) {
          const ar = Math.abs(r);
          if (ar * 2 > ay || (ar * 2 === ay && (q & 1) === 1)) {
            r = r > 0 ? r - ay : r + ay;
            q = (q + 1) & 7;
          }
        }
      }
    }
    if (skip) return;
    f.c1op = C1Op.None;
    if (partial) f.sw = (f.sw & ~(Sw.CC | Sw.C1)) | Sw.C2;
    else {
      f.sw &= ~(Sw.CC | Sw.C1);
      f.sw |= (q & 4 ? Sw.C0 : 0) | (q & 2 ? Sw.C3 : 0) | (q & 1 ? Sw.C1 : 0);
    }
    put(f, p0, r);
  };
}

// ---------------------------------------------------------------- control instructions

function fnstsw(cpu: Cpu, i: Insn): void {
  const a = cpu.ea(i);
  cpu.wr16(a, cpu.fpu.statusWord());
}

function fnstswAx(cpu: Cpu): void {
  cpu.setReg(0, 16, false, cpu.fpu.statusWord());
}

function fnstcw(cpu: Cpu, i: Insn): void {
  cpu.wr16(cpu.ea(i), cpu.fpu.cw);
}

function fldcw(cpu: Cpu, i: Insn): void {
  const f = wait(cpu);
  const v = cpu.rd16(cpu.ea(i));
  f.setControlWord(v);
  recomputeEs(f);
}

function fninit(cpu: Cpu): void {
  cpu.fpu.reset();
}

function fnclex(cpu: Cpu): void {
  const f = cpu.fpu;
  f.sw &= ~(Sw.EXC | Sw.SF | Sw.ES | Sw.B);
}

/** FENI/FDISI/FSETPM: no-ops since the 80287/80387. */
function fnothing(): void {}

/** Bring fip/fcs/fop/fds up to date from the last instructions. */
function syncPointers(cpu: Cpu, f: Fpu): void {
  const li = f.lastI;
  if (li) {
    f.fip = li.ip % TWO32;
    f.fop = ((li.opcode & 7) << 8) | li.modrm;
    f.fcs = cpu.sreg[1];
  }
  const lm = f.lastM;
  if (lm) f.fds = cpu.sreg[cpu.segOf(lm)];
}

/**
 * FNSTENV/FLDENV environment image (SDM Vol. 1 8.1.10, Figures 8-9/8-10): 28 bytes (32-bit operand
 * size; the unused upper halves read as 0xFFFF) or 14 bytes (16-bit).
 */
function storeEnv(cpu: Cpu, f: Fpu, a: number, o16: boolean): void {
  syncPointers(cpu, f);
  const sw = f.statusWord();
  const tw = f.tw;
  if (o16) {
    cpu.wr16(a, f.cw);
    cpu.wr16(a + 2, sw);
    cpu.wr16(a + 4, tw);
    cpu.wr16(a + 6, f.fip);
    cpu.wr16(a + 8, f.fcs);
    cpu.wr16(a + 10, f.fdp);
    cpu.wr16(a + 12, f.fds);
    return;
  }
  cpu.wr32(a, f.cw | 0xffff0000);
  cpu.wr32(a + 4, sw | 0xffff0000);
  cpu.wr32(a + 8, tw | 0xffff0000);
  cpu.wr32(a + 12, f.fip);
  cpu.wr32(a + 16, (f.fcs & 0xffff) | ((f.fop & 0x7ff) << 16));
  cpu.wr32(a + 20, f.fdp);
  cpu.wr32(a + 24, (f.fds & 0xffff) | 0xffff0000);
}

/** Read an environment image (after the caller checked the bytes are readable) and load it. */
function loadEnv(cpu: Cpu, f: Fpu, a: number, o16: boolean): void {
  let cw: number, sw: number, tw: number, fip: number, fcs: number, fop: number, fdp: number, fds: number;
  if (o16) {
    cw = cpu.rd16(a);
    sw = cpu.rd16(a + 2);
    tw = cpu.rd16(a + 4);
    fip = cpu.rd16(a + 6);
    fcs = cpu.rd16(a + 8);
    fop = 0;
    fdp = cpu.rd16(a + 10);
    fds = cpu.rd16(a + 12);
  } else {
    cw = cpu.rd16(a);
    sw = cpu.rd16(a + 4);
    tw = cpu.rd16(a + 8);
    fip = cpu.rd32(a + 12) >>> 0;
    const w = cpu.rd32(a + 16);
    fcs = w & 0xffff;
    fop = (w >>> 16) & 0x7ff;
    fdp = cpu.rd32(a + 20) >>> 0;
    fds = cpu.rd16(a + 24);
  }
  f.setControlWord(cw);
  f.setStatusWord(sw);
  f.tw = tw;
  f.fip = fip;
  f.fcs = fcs;
  f.fop = fop;
  f.fdp = fdp;
  f.fds = fds;
  f.lastI = null;
  f.lastM = null;
  recomputeEs(f);
}

function fnstenv(cpu: Cpu, i: Insn): void {
  const f = cpu.fpu;
  const a = cpu.ea(i);
  const o16 = i.opsize === 16;
  cpu.probeWrite(a, o16 ? 14 : 28);
  storeEnv(cpu, f, a, o16);
  // FNSTENV then masks all floating-point exceptions (SDM Vol. 2 FSTENV).
  f.cw |= Sw.EXC;
}

function fldenv(cpu: Cpu, i: Insn): void {
  const f = wait(cpu);
  const a = cpu.ea(i);
  const o16 = i.opsize === 16;
  cpu.probeRead(a, o16 ? 14 : 28);
  loadEnv(cpu, f, a, o16);
}

const regBuf = new Uint8Array(80);

/** FNSAVE: environment + ST(0)..ST(7) as 80-bit values, then FNINIT. */
function fnsave(cpu: Cpu, i: Insn): void {
  const f = cpu.fpu;
  const a = cpu.ea(i);
  const o16 = i.opsize === 16;
  const env = o16 ? 14 : 28;
  cpu.probeWrite(a, env + 80);
  storeEnv(cpu, f, a, o16);
  for (let k = 0; k < 8; k++) f.st80(k, regBuf, 10 * k);
  for (let k = 0; k < 80; k++) cpu.wr8(a + env + k, regBuf[k]);
  f.reset();
}

function frstor(cpu: Cpu, i: Insn): void {
  const f = wait(cpu);
  const a = cpu.ea(i);
  const o16 = i.opsize === 16;
  const env = o16 ? 14 : 28;
  cpu.probeRead(a, env + 80);
  for (let k = 0; k < 80; k++) regBuf[k] = cpu.rd8(a + env + k);
  loadEnv(cpu, f, a, o16);
  for (let k = 0; k < 8; k++) f.setSt80(k, regBuf, 10 * k);
}

// ---------------------------------------------------------------- registration

/** A register-form handler that picks by ModRM.rm; undefined entries are #UD. */
function byRm(hs: readonly (Handler | undefined)[]): Handler {
  return (cpu, i) => {
    const h = hs[i.rm];
    if (h !== undefined) h(cpu, i);
    else cpu.fault("UD");
  };
}

const ARITH_NAMES = ["fadd", "fmul", "fcom", "fcomp", "fsub", "fsubr", "fdiv", "fdivr"];
const IARITH_NAMES = ["fiadd", "fimul", "ficom", "ficomp", "fisub", "fisubr", "fidiv", "fidivr"];

for (let r = 0; r < 8; r++) {
  const isCom = r === Op.Com || r === Op.Comp;
  const pops = r === Op.Comp ? 1 : 0;
  // Memory forms: D8 m32, DC m64, DA m32int, DE m16int.
  const mems: [number, Mem, string][] = [
    [0xd8, Mem.F32, ARITH_NAMES[r]],
    [0xdc, Mem.F64, ARITH_NAMES[r]],
    [0xda, Mem.I32, IARITH_NAMES[r]],
    [0xde, Mem.I16, IARITH_NAMES[r]],
  ];
  for (const [opc, kind, name] of mems) {
    define({
      map: 0,
      opcode: opc,
      reg: r,
      form: "mem",
      name,
      h: isCom ? memCom(kind, pops) : memArith(r, kind),
    });
  }
  // D8 register forms: ST(0) = ST(0) op ST(i).
  define({
    map: 0,
    opcode: 0xd8,
    reg: r,
    form: "reg",
    name: ARITH_NAMES[r],
    h: isCom ? regCom(pops, false, -1) : regArith0(r),
  });
  // DC/DE register forms: ST(i) = ST(i) op ST(0); sub/subr and div/divr swap in these encodings.
  const opI = r >= 4 ? r ^ 1 : r;
  const nameI = ARITH_NAMES[opI];
  if (!isCom) {
    define({ map: 0, opcode: 0xdc, reg: r, form: "reg", name: nameI, h: regArithI(opI, false) });
    define({ map: 0, opcode: 0xde, reg: r, form: "reg", name: nameI + "p", h: regArithI(opI, true) });
  }
}
// DC D0+i / DC D8+i / DE D0+i: FCOM/FCOMP aliases; DE D9: FCOMPP; DA E9: FUCOMPP.
define(
  { map: 0, opcode: 0xdc, reg: 2, form: "reg", name: "fcom", h: regCom(0, false, -1) },
  { map: 0, opcode: 0xdc, reg: 3, form: "reg", name: "fcomp", h: regCom(1, false, -1) },
  { map: 0, opcode: 0xde, reg: 2, form: "reg", name: "fcomp", h: regCom(1, false, -1) },
  { map: 0, opcode: 0xde, reg: 3, form: "reg", name: "fcompp", h: byRm([undefined, regCom(2, false, 1)]) },
  { map: 0, opcode: 0xda, reg: 5, form: "reg", name: "fucompp", h: byRm([undefined, regCom(2, true, 1)]) },
  { map: 0, opcode: 0xdd, reg: 4, form: "reg", name: "fucom", h: regCom(0, true, -1) },
  { map: 0, opcode: 0xdd, reg: 5, form: "reg", name: "fucomp", h: regCom(1, true, -1) },
  { map: 0, opcode: 0xdb, reg: 5, form: "reg", name: "fucomi", h: regComi(false, true) },
  { map: 0, opcode: 0xdb, reg: 6, form: "reg", name: "fcomi", h: regComi(false, false) },
  { map: 0, opcode: 0xdf, reg: 5, form: "reg", name: "fucomip", h: regComi(true, true) },
  { map: 0, opcode: 0xdf, reg: 6, form: "reg", name: "fcomip", h: regComi(true, false) },
);

// Loads and stores.
define(
  { map: 0, opcode: 0xd9, reg: 0, form: "mem", name: "fld", h: fldMem(Mem.F32) },
  { map: 0, opcode: 0xdd, reg: 0, form: "mem", name: "fld", h: fldMem(Mem.F64) },
  { map: 0, opcode: 0xdb, reg: 5, form: "mem", name: "fld", h: fldM80 },
  { map: 0, opcode: 0xdf, reg: 0, form: "mem", name: "fild", h: fldMem(Mem.I16) },
  { map: 0, opcode: 0xdb, reg: 0, form: "mem", name: "fild", h: fldMem(Mem.I32) },
  { map: 0, opcode: 0xdf, reg: 5, form: "mem", name: "fild", h: fildM64 },
  { map: 0, opcode: 0xd9, reg: 2, form: "mem", name: "fst", h: fstMem(Mem.F32, false) },
  { map: 0, opcode: 0xd9, reg: 3, form: "mem", name: "fstp", h: fstMem(Mem.F32, true) },
  { map: 0, opcode: 0xdd, reg: 2, form: "mem", name: "fst", h: fstMem(Mem.F64, false) },
  { map: 0, opcode: 0xdd, reg: 3, form: "mem", name: "fstp", h: fstMem(Mem.F64, true) },
  { map: 0, opcode: 0xdb, reg: 7, form: "mem", name: "fstp", h: fstpM80 },
  { map: 0, opcode: 0xdf, reg: 2, form: "mem", name: "fist", h: fistMem(16, false, false) },
  { map: 0, opcode: 0xdf, reg: 3, form: "mem", name: "fistp", h: fistMem(16, true, false) },
  { map: 0, opcode: 0xdb, reg: 2, form: "mem", name: "fist", h: fistMem(32, false, false) },
  { map: 0, opcode: 0xdb, reg: 3, form: "mem", name: "fistp", h: fistMem(32, true, false) },
  { map: 0, opcode: 0xdf, reg: 7, form: "mem", name: "fistp", h: fistMem(64, true, false) },
  // FISTTP (SSE3; the decoder accepts it without CPUID gating).
  { map: 0, opcode: 0xdf, reg: 1, form: "mem", name: "fisttp", h: fistMem(16, true, true) },
  { map: 0, opcode: 0xdb, reg: 1, form: "mem", name: "fisttp", h: fistMem(32, true, true) },
  { map: 0, opcode: 0xdd, reg: 1, form: "mem", name: "fisttp", h: fistMem(64, true, true) },
  { map: 0, opcode: 0xdf, reg: 4, form: "mem", name: "fbld", h: fbld },
  { map: 0, opcode: 0xdf, reg: 6, form: "mem", name: "fbstp", h: fbstp },
  { map: 0, opcode: 0xd9, reg: 0, form: "reg", name: "fld", h: fldSt },
  { map: 0, opcode: 0xdd, reg: 2, form: "reg", name: "fst", h: fstSt(false) },
  { map: 0, opcode: 0xdd, reg: 3, form: "reg", name: "fstp", h: fstSt(true) },
  { map: 0, opcode: 0xd9, reg: 3, form: "reg", name: "fstpnce", h: fstpnce },
  { map: 0, opcode: 0xdf, reg: 2, form: "reg", name: "fstp", h: fstSt(true) },
  { map: 0, opcode: 0xdf, reg: 3, form: "reg", name: "fstp", h: fstSt(true) },
);

// Register operations.
define(
  { map: 0, opcode: 0xd9, reg: 1, form: "reg", name: "fxch", h: fxch },
  { map: 0, opcode: 0xdd, reg: 1, form: "reg", name: "fxch", h: fxch },
  { map: 0, opcode: 0xdf, reg: 1, form: "reg", name: "fxch", h: fxch },
  { map: 0, opcode: 0xda, reg: 0, form: "reg", name: "fcmovb", h: fcmov(2) },
  { map: 0, opcode: 0xda, reg: 1, form: "reg", name: "fcmove", h: fcmov(4) },
  { map: 0, opcode: 0xda, reg: 2, form: "reg", name: "fcmovbe", h: fcmov(6) },
  { map: 0, opcode: 0xda, reg: 3, form: "reg", name: "fcmovu", h: fcmov(10) },
  { map: 0, opcode: 0xdb, reg: 0, form: "reg", name: "fcmovnb", h: fcmov(3) },
  { map: 0, opcode: 0xdb, reg: 1, form: "reg", name: "fcmovne", h: fcmov(5) },
  { map: 0, opcode: 0xdb, reg: 2, form: "reg", name: "fcmovnbe", h: fcmov(7) },
  { map: 0, opcode: 0xdb, reg: 3, form: "reg", name: "fcmovnu", h: fcmov(11) },
  { map: 0, opcode: 0xdd, reg: 0, form: "reg", name: "ffree", h: ffree(false) },
  { map: 0, opcode: 0xdf, reg: 0, form: "reg", name: "ffreep", h: ffree(true) },
  { map: 0, opcode: 0xd9, reg: 2, form: "reg", name: "fnop", h: byRm([fnop]) },
  { map: 0, opcode: 0x9b, name: "wait", h: fwaitH },
);

// D9 E0-FF.
define(
  {
    map: 0,
    opcode: 0xd9,
    reg: 4,
    form: "reg",
    name: "fchs/fabs/ftst/fxam",
    h: byRm([fchsAbs(false), fchsAbs(true), undefined, undefined, ftst, fxam]),
  },
  {
    map: 0,
    opcode: 0xd9,
    reg: 5,
    form: "reg",
    name: "fld1/fldl2t/fldl2e/fldpi/fldlg2/fldln2/fldz",
    h: byRm([0, 1, 2, 3, 4, 5, 6].map(fldConst)),
  },
  {
    map: 0,
    opcode: 0xd9,
    reg: 6,
    form: "reg",
    name: "f2xm1/fyl2x/fptan/fpatan/fxtract/fprem1/fdecstp/fincstp",
    h: byRm([
      unary(f2xm1Fn),
      binaryPop(fyl2xFn),
      trig2(false),
      binaryPop(fpatanFn),
      fxtract,
      fprem(true),
      fdecstp,
      fincstp,
    ]),
  },
  {
    map: 0,
    opcode: 0xd9,
    reg: 7,
    form: "reg",
    name: "fprem/fyl2xp1/fsqrt/fsincos/frndint/fscale/fsin/fcos",
    h: byRm([
      fprem(false),
      binaryPop(fyl2xp1Fn),
      unary(fsqrtFn),
      trig2(true),
      unary(frndintFn),
      fscale,
      trig(false),
      trig(true),
    ]),
  },
);

// Control.
define(
  { map: 0, opcode: 0xd9, reg: 4, form: "mem", name: "fldenv", h: fldenv },
  { map: 0, opcode: 0xd9, reg: 5, form: "mem", name: "fldcw", h: fldcw },
  { map: 0, opcode: 0xd9, reg: 6, form: "mem", name: "fnstenv", h: fnstenv },
  { map: 0, opcode: 0xd9, reg: 7, form: "mem", name: "fnstcw", h: fnstcw },
  { map: 0, opcode: 0xdd, reg: 4, form: "mem", name: "frstor", h: frstor },
  { map: 0, opcode: 0xdd, reg: 6, form: "mem", name: "fnsave", h: fnsave },
  { map: 0, opcode: 0xdd, reg: 7, form: "mem", name: "fnstsw", h: fnstsw },
  { map: 0, opcode: 0xdf, reg: 4, form: "reg", name: "fnstsw", h: byRm([fnstswAx]) },
  {
    map: 0,
    opcode: 0xdb,
    reg: 4,
    form: "reg",
    name: "fneni/fndisi/fnclex/fninit/fnsetpm",
    h: byRm([fnothing, fnothing, fnclex, fninit, fnothing]),
  },
);
