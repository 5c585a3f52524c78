/**
 * Operand-spec mini-language (README.md, "Operand spec mini-language"): parser and register names.
 * Specs are parsed once (legacy rows at module load, VEX-family rows on first use, cached by string).
 */

/** Addressing method. */
export const enum Am {
  /** ModRM.rm: GPR or memory (`E`); composite `Rv/Mw` also maps here with a separate memory size. */
  E,
  /** ModRM.reg GPR. */
  G,
  /** ModRM.reg GPR holding an address-size wide pointer (movdir64b / enqcmd). */
  GA,
  /** ModRM.rm GPR, register form. */
  R,
  /** ModRM.rm memory only. */
  M,
  /** Opcode bits 2:0 + REX.B: GPR. */
  Z,
  /** VEX.vvvv GPR. */
  B,
  /** Immediate, zero-extended. */
  I,
  /** Immediate, sign-extended to the operand size. */
  Is,
  /** Relative branch. */
  J,
  /** Direct far pointer. */
  Ap,
  /** moffs. */
  O,
  /** DS:rSI string memory. */
  X,
  /** ES:rDI string memory. */
  Y,
  /** DS:rDI memory (maskmovq). */
  XD,
  /** DS:[rBX+AL] (xlat). */
  XL,
  S,
  C,
  D,
  P,
  Q,
  N,
  V,
  W,
  U,
  H,
  L,
  KV,
  KH,
  KU,
  KW,
  TV,
  TH,
  TU,
  /** VSIB memory. */
  MV,
  /** Memory requiring SIB (AMX). */
  Msib,
  /** Literal register (`al`, `dx`, `es`, `xmm0` …) or size-dependent accumulator (`rAX`, `eAX`). */
  Fixed,
  STi,
  ST,
  One,
  /** Low 4 bits of the is4 byte. */
  I4,
}

/** Size codes (README "Operand types"). Numbers >= Sz.Bytes0 encode an explicit byte count. */
export const enum Sz {
  None,
  b,
  w,
  d,
  q,
  v,
  z,
  y,
  p,
  x,
  h,
  qv,
  ov,
  dq,
  qq,
  dqq,
  ss,
  sd,
  sh,
  t,
  s,
  /** Address-size sized (moffs etc. use this internally). */
  a,
  Bytes0 = 100,
}

export interface OpSpec {
  readonly am: Am;
  /** Size of the register form (or the only size). */
  readonly sz: number;
  /** Size of the memory form (differs from `sz` for composite specs such as `Rv/Mw`). */
  readonly memSz: number;
  /** Am.Fixed: register name, or "rAX"-style generic names. */
  readonly fixed: string;
  /** For Am.Fixed generic accumulators: the register number (rAX = 0, rCX = 1 …), else -1. */
  readonly fixedNum: number;
  readonly text: string;
}

const SIZE_CODES: Record<string, number> = {
  "": Sz.None,
  b: Sz.b,
  w: Sz.w,
  d: Sz.d,
  q: Sz.q,
  v: Sz.v,
  z: Sz.z,
  y: Sz.y,
  p: Sz.p,
  x: Sz.x,
  ps: Sz.x,
  pd: Sz.x,
  ph: Sz.x,
  h: Sz.h,
  qv: Sz.qv,
  ov: Sz.ov,
  dq: Sz.dq,
  qq: Sz.qq,
  dqq: Sz.dqq,
  ss: Sz.ss,
  sd: Sz.sd,
  sh: Sz.sh,
  t: Sz.t,
  s: Sz.s,
  a: Sz.a,
};

function sizeCode(s: string, text: string): number {
  const c = SIZE_CODES[s];
  if (c !== undefined) return c;
  if (/^\d+$/.test(s)) return Sz.Bytes0 + Number(s);
  throw new Error(`operand spec ${text}: unknown size "${s}"`);
}

const PREFIXES: readonly [string, Am][] = [
  // longest first
  ["Msib", Am.Msib],
  ["STi", Am.STi],
  ["GA", Am.GA],
  ["XD", Am.XD],
  ["XL", Am.XL],
  ["KV", Am.KV],
  ["KH", Am.KH],
  ["KU", Am.KU],
  ["KW", Am.KW],
  ["TV", Am.TV],
  ["TH", Am.TH],
  ["TU", Am.TU],
  ["MV", Am.MV],
  ["I4", Am.I4],
  ["Is", Am.Is],
  ["A", Am.Ap],
  ["B", Am.B],
  ["C", Am.C],
  ["D", Am.D],
  ["E", Am.E],
  ["G", Am.G],
  ["H", Am.H],
  ["I", Am.I],
  ["J", Am.J],
  ["L", Am.L],
  ["M", Am.M],
  ["N", Am.N],
  ["O", Am.O],
  ["P", Am.P],
  ["Q", Am.Q],
  ["R", Am.R],
  ["S", Am.S],
  ["U", Am.U],
  ["V", Am.V],
  ["W", Am.W],
  ["X", Am.X],
  ["Y", Am.Y],
  ["Z", Am.Z],
];

const GENERIC_ACC: Record<string, number> = { AX: 0, CX: 1, DX: 2, BX: 3, SP: 4, BP: 5, SI: 6, DI: 7 };

const cache = new Map<string, OpSpec>();

/** Parses one operand spec (cached). Throws on malformed specs (tables are validated at load). */
export function parseOpSpec(text: string): OpSpec {
  const hit = cache.get(text);
  if (hit !== undefined) return hit;
  const spec = parseUncached(text);
  cache.set(text, spec);
  return spec;
}

function mk(am: Am, sz: number, memSz: number, text: string, fixed = "", fixedNum = -1): OpSpec {
  return { am, sz, memSz, fixed, fixedNum, text };
}

function parseUncached(text: string): OpSpec {
  if (text === "1") return mk(Am.One, Sz.b, Sz.None, text);
  if (text === "ST") return mk(Am.ST, Sz.t, Sz.None, text);
  if (text === "Ibs") return mk(Am.Is, Sz.b, Sz.None, text);
  if (text === "Ids") return mk(Am.Is, Sz.d, Sz.None, text);
  // generic accumulators: rAX (v-sized), eAX (z-sized)
  let m = /^([re])(AX|CX|DX|BX|SP|BP|SI|DI)$/.exec(text);
  if (m) return mk(Am.Fixed, m[1] === "r" ? Sz.v : Sz.z, Sz.None, text, text, GENERIC_ACC[m[2]!]!);
  if (/^[a-z][a-z0-9]*$/.test(text)) return mk(Am.Fixed, Sz.None, Sz.None, text, text);
  // composite register/memory form: Rv/Mw
  m = /^R([a-z0-9]*)\/M([a-z0-9]*)$/.exec(text);
  if (m) return mk(Am.E, sizeCode(m[1]!, text), sizeCode(m[2]!, text), text);
  for (const [p, am] of PREFIXES) {
    if (text.startsWith(p)) {
      const rest = text.slice(p.length);
      if (am === Am.Msib) return mk(am, Sz.None, sizeCode(rest, text), text);
      const sz = sizeCode(rest, text);
      return mk(am, sz, sz, text);
    }
  }
  throw new Error(`bad operand spec "${text}"`);
}

/** True when the spec reads VEX.vvvv. */
export function usesVvvv(s: OpSpec): boolean {
  return s.am === Am.H || s.am === Am.B || s.am === Am.KH || s.am === Am.TH;
}

// ---------------------------------------------------------------------------------------------
// register names

export const GPR64: readonly string[] = [
  "rax",
  "rcx",
  "rdx",
  "rbx",
  "rsp",
  "rbp",
  "rsi",
  "rdi",
  "r8",
  "r9",
  "r10",
  "r11",
  "r12",
  "r13",
  "r14",
  "r15",
];
export const GPR32: readonly string[] = [
  "eax",
  "ecx",
  "edx",
  "ebx",
  "esp",
  "ebp",
  "esi",
  "edi",
  ...Array.from({ length: 8 }, (_, i) => `r${i + 8}d`),
];
export const GPR16: readonly string[] = [
  "ax",
  "cx",
  "dx",
  "bx",
  "sp",
  "bp",
  "si",
  "di",
  ...Array.from({ length: 8 }, (_, i) => `r${i + 8}w`),
];
/** Byte registers with a REX prefix present (spl/bpl/sil/dil instead of ah/ch/dh/bh). */
export const GPR8REX: readonly string[] = [
  "al",
  "cl",
  "dl",
  "bl",
  "spl",
  "bpl",
  "sil",
  "dil",
  ...Array.from({ length: 8 }, (_, i) => `r${i + 8}b`),
];
export const GPR8: readonly string[] = ["al", "cl", "dl", "bl", "ah", "ch", "dh", "bh"];
export const SEGS: readonly string[] = ["es", "cs", "ss", "ds", "fs", "gs"];

export function gprName(num: number, bytes: number, anyRex: boolean): string {
  switch (bytes) {
    case 1:
      return anyRex ? GPR8REX[num]! : GPR8[num & 7]!;
    case 2:
      return GPR16[num]!;
    case 4:
      return GPR32[num]!;
    default:
      return GPR64[num]!;
  }
}
