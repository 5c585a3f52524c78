/**
 * msvcrt's math.h: the double functions and the _float helpers, as IEEE 754 doubles.
 *
 * Calling convention (Microsoft "x64 calling convention", "__cdecl"): on x64 a double argument travels in
 * XMM0-XMM3 by position (an integer or pointer in the same position's RCX/RDX/R8/R9) and a double result
 * is returned in XMM0; on x86 the arguments are on the stack (a double takes 8 bytes) and the result is
 * returned in ST(0) of the x87 stack (pushed here, so the caller's FSTP pops it).
 *
 * Accuracy: sqrt, fabs, floor, ceil, fmod, modf, frexp, ldexp, _copysign and _hypot's components are exact
 * or correctly rounded (IEEE 754 requires it of sqrt); the transcendental functions are the host's
 * (faithful, not always correctly rounded — as msvcrt's are not either).
 *
 * Errors as msvcrt reports them ("errno, _doserrno…" and each function's page): a domain error (sqrt and
 * log of a negative number, asin/acos outside [-1, 1], pow of a negative base with a non-integer exponent)
 * returns the indefinite NaN (0xFFF8000000000000, printed -1.#IND) with errno EDOM; a pole or overflow
 * (log(0), exp(1000), pow(0, -1)) returns ±HUGE_VAL with errno ERANGE.
 */
import type { Cpu } from "../../cpu/cpu";
import { api, type ApiCall, type ApiFamily } from "./context";
import { setErrno } from "./crt-state";

const EDOM = 33;
const ERANGE = 34;

const dv = new DataView(new ArrayBuffer(8));

/** The x86 stack offset and x64 slot of each parameter of a signature ('d' double, 'i' int, 'p' pointer). */
function layout(sig: string): { x86: number[] } {
  const x86: number[] = [];
  let off = 0;
  for (const t of sig) {
    x86.push(off);
    off += t === "d" ? 8 : 4;
  }
  return { x86 };
}

/** Double parameter k of a call with signature `sig`. */
function dArg(c: ApiCall, sig: string, k: number): number {
  const cpu = c.thread.cpu as Cpu;
  if (c.arch === "x64") {
    dv.setInt32(0, cpu.xmm[4 * k], true);
    dv.setInt32(4, cpu.xmm[4 * k + 1], true);
    return dv.getFloat64(0, true);
  }
  const at = (cpu.lo[4] >>> 0) + 4 + layout(sig).x86[k];
  dv.setUint32(0, c.mem.u32(at), true);
  dv.setUint32(4, c.mem.u32(at + 4), true);
  return dv.getFloat64(0, true);
}

/** Integer or pointer parameter k (x64: its register slot; x86: its stack offset). */
function iArg(c: ApiCall, sig: string, k: number): number {
  if (c.arch === "x64") return c.arg(k);
  const cpu = c.thread.cpu as Cpu;
  return c.mem.u32((cpu.lo[4] >>> 0) + 4 + layout(sig).x86[k]);
}

const INDEF_HI = 0xfff80000 | 0;

/** Returns a double (XMM0 on x64, pushed on the x87 stack on x86); `indef` returns the indefinite NaN. */
export function retDouble(c: ApiCall, v: number, indef = false): number {
  const cpu = c.thread.cpu as Cpu;
  dv.setFloat64(0, v, true);
  let lo = dv.getInt32(0, true);
  let hi = dv.getInt32(4, true);
  if (indef) {
    lo = 0;
    hi = INDEF_HI;
  }
  if (c.arch === "x64") {
    cpu.xmm[0] = lo;
    cpu.xmm[1] = hi;
    return 0;
  }
  const f = cpu.fpu;
  const p = (f.top - 1) & 7;
  f.top = p;
  f.valid |= 1 << p;
  f.rbits[2 * p] = lo;
  f.rbits[2 * p + 1] = hi;
  f.x80 &= ~(1 << p);
  f.mmxOwned &= ~(1 << p);
  return 0;
}

function domain(c: ApiCall): number {
  setErrno(c, EDOM);
  return retDouble(c, NaN, true);
}

/** A one-argument function with its domain: `ok(x)` false → EDOM; an infinite result of a finite x → ERANGE. */
function unary(f: (x: number) => number, ok: (x: number) => boolean = () => true) {
  return api((c) => {
    const x = dArg(c, "d", 0);
    if (Number.isNaN(x)) return retDouble(c, x);
    if (!ok(x)) return domain(c);
    const r = f(x);
    if (!Number.isFinite(r) && Number.isFinite(x)) setErrno(c, ERANGE);
    return retDouble(c, r);
  });
}

function frexp(x: number): [number, number] {
  if (x === 0 || !Number.isFinite(x)) return [x, 0];
  dv.setFloat64(0, x, true);
  let hi = dv.getUint32(4, true);
  let e = (hi >>> 20) & 0x7ff;
  let bias = 0;
  if (e === 0) {
    // subnormal: scale into the normal range first
    dv.setFloat64(0, x * 2 ** 64, true);
    hi = dv.getUint32(4, true);
    e = (hi >>> 20) & 0x7ff;
    bias = 64;
  }
  const exp = e - 1022 - bias;
  dv.setUint32(4, (hi & 0x800fffff) | (1022 << 20), true);
  return [dv.getFloat64(0, true), exp];
}

/** ldexp by exact powers of two (split so that no intermediate overflows or underflows early). */
export function ldexp(x: number, n: number): number {
  let r = x;
  let k = Math.max(-2200, Math.min(2200, n));
  while (k > 1000) {
    r *= 2 ** 1000;
    k -= 1000;
  }
  while (k < -1000) {
    r *= 2 ** -1000;
    k += 1000;
  }
  return r * 2 ** k;
}

/** _fpclass's result bits (float.h _FPCLASS_*). */
function fpclass(x: number): number {
  if (Number.isNaN(x)) {
    dv.setFloat64(0, x, true);
    return dv.getUint32(4, true) & 0x80000 ? 0x2 /* QNAN */ : 0x1; /* SNAN */
  }
  const neg = x < 0 || Object.is(x, -0);
  if (!Number.isFinite(x)) return neg ? 0x4 : 0x200;
  if (x === 0) return neg ? 0x20 : 0x40;
  if (Math.abs(x) < 2 ** -1022) return neg ? 0x10 : 0x80;
  return neg ? 0x8 : 0x100;
}

export const crtMathApis: ApiFamily = {
  sqrt: unary(Math.sqrt, (x) => x >= 0 || Object.is(x, -0)),
  sin: unary(Math.sin, (x) => Number.isFinite(x)),
  cos: unary(Math.cos, (x) => Number.isFinite(x)),
  tan: unary(Math.tan, (x) => Number.isFinite(x)),
  asin: unary(Math.asin, (x) => x >= -1 && x <= 1),
  acos: unary(Math.acos, (x) => x >= -1 && x <= 1),
  atan: unary(Math.atan),
  sinh: unary(Math.sinh),
  cosh: unary(Math.cosh),
  tanh: unary(Math.tanh),
  exp: unary(Math.exp),
  fabs: unary(Math.abs),
  floor: unary(Math.floor),
  ceil: unary(Math.ceil),
  /** log/log10: a negative argument is EDOM; zero is the pole: -HUGE_VAL with ERANGE. */
  log: unary(Math.log, (x) => x >= 0),
  log10: unary(Math.log10, (x) => x >= 0),
  atan2: api((c) => retDouble(c, Math.atan2(dArg(c, "dd", 0), dArg(c, "dd", 1)))),
  /** pow: C's special cases (pow(x, ±0) = 1, pow(1, y) = 1 even for NaN); a negative base needs an integer exponent. */
  pow: api((c) => {
    const x = dArg(c, "dd", 0);
    const y = dArg(c, "dd", 1);
    if (y === 0) return retDouble(c, 1);
    if (x === 1) return retDouble(c, 1);
    if (Number.isNaN(x) || Number.isNaN(y)) return retDouble(c, NaN);
    if (x < 0 && Number.isFinite(x) && Number.isFinite(y) && !Number.isInteger(y)) return domain(c);
    const r = Math.pow(x, y);
    if (!Number.isFinite(r) && Number.isFinite(x) && Number.isFinite(y)) setErrno(c, ERANGE);
    return retDouble(c, r);
  }),
  /** fmod: x - n·y exactly, the sign of x (JavaScript's % is the same operation); y = 0 → EDOM. */
  fmod: api((c) => {
    const x = dArg(c, "dd", 0);
    const y = dArg(c, "dd", 1);
    if (Number.isNaN(x) || Number.isNaN(y)) return retDouble(c, NaN);
    if (y === 0 || !Number.isFinite(x)) return domain(c);
    return retDouble(c, x % y);
  }),
  /** modf(x, &ip): the integer part (truncated) stored as a double, the fraction returned, both with x's sign. */
  modf: api((c) => {
    const x = dArg(c, "dp", 0);
    const ip = Number.isFinite(x) ? Math.trunc(x) : x;
    dv.setFloat64(0, ip, true);
    const a = iArg(c, "dp", 1);
    c.mem.w32(a, dv.getUint32(0, true));
    c.mem.w32(a + 4, dv.getUint32(4, true));
    if (!Number.isFinite(x)) return retDouble(c, Number.isNaN(x) ? x : x > 0 ? 0 : -0);
    const f = x - ip;
    return retDouble(c, f === 0 ? (x < 0 || Object.is(x, -0) ? -0 : 0) : f);
  }),
  /** frexp(x, &e): x = m · 2^e with 0.5 <= |m| < 1 (0 → 0, 0). */
  frexp: api((c) => {
    const [m, e] = frexp(dArg(c, "dp", 0));
    c.mem.w32(iArg(c, "dp", 1), e);
    return retDouble(c, m);
  }),
  ldexp: api((c) => {
    const x = dArg(c, "di", 0);
    const r = ldexp(x, iArg(c, "di", 1) | 0);
    if (!Number.isFinite(r) && Number.isFinite(x)) setErrno(c, ERANGE);
    return retDouble(c, r);
  }),
  _hypot: api((c) => {
    const r = Math.hypot(dArg(c, "dd", 0), dArg(c, "dd", 1));
    if (!Number.isFinite(r)) setErrno(c, ERANGE);
    return retDouble(c, r);
  }),
  _copysign: api((c) => {
    const x = Math.abs(dArg(c, "dd", 0));
    const y = dArg(c, "dd", 1);
    dv.setFloat64(0, y, true);
    const neg = (dv.getUint32(4, true) & 0x80000000) !== 0;
    return retDouble(c, neg ? -x : x);
  }),
  _chgsign: api((c) => retDouble(c, -dArg(c, "d", 0))),
  _isnan: api((c) => (Number.isNaN(dArg(c, "d", 0)) ? 1 : 0)),
  _finite: api((c) => (Number.isFinite(dArg(c, "d", 0)) ? 1 : 0)),
  _fpclass: api((c) => fpclass(dArg(c, "d", 0))),
};
