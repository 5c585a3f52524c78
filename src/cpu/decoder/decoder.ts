/**
 * x86 / x64 instruction decoder core.
 *
 * `decode(buf, avail, ip, bits)` parses one instruction into an `Insn` record. It is table driven: the
 * legacy rows of `legacy.ts` are grouped per (mode, map, opcode) at module load, and the (prefix class,
 * ModRM byte) → row resolution of each opcode is computed on first use and cached, so the hot path is
 * a handful of array loads. VEX / EVEX / XOP / 3DNow! rows come from `vex.ts` (`lookupVex`).
 *
 * `mnemonic` and `opSpecs` are filled by `decode`; the `operands` array is built lazily by
 * `describe(insn)` (the executor never needs it).
 *
 * References: Intel SDM Vol. 2, ch. 2 (instruction format), Appendix A (opcode maps); AMD APM Vol. 3
 * ch. 1. Where the manuals leave room (LOCK legality, prefix interplay) the behaviour follows iced-x86
 * 1.21 with DecoderOptions.None, which the differential test (test/decoder.diff.test.ts) enforces.
 */
import { Encoding, Invalid, NO_REG, RIP_BASE, type Insn, type Operand } from "./insn";
import { LEGACY_ROWS } from "./legacy";
import { Am, GPR16, GPR32, GPR64, SEGS, Sz, gprName, parseOpSpec, usesVvvv, type OpSpec } from "./opspec";
import { lookupVex, type VexLookup } from "./vex";

// Module-local copies of the insn.ts enum values used on the hot path: per-file transpilers (tsx,
// ts-node) turn imported const enums into property reads through module getters.
const ENC_LEGACY = Encoding.Legacy as Encoding;
const ENC_VEX = Encoding.Vex as Encoding;
const ENC_EVEX = Encoding.Evex as Encoding;
const ENC_XOP = Encoding.Xop as Encoding;
const ENC_3DNOW = Encoding.D3Now as Encoding;
const INV_NONE = Invalid.None as Invalid;
const INV_OPCODE = Invalid.Opcode as Invalid;
const INV_TOOLONG = Invalid.TooLong as Invalid;
const INV_LOCK = Invalid.Lock as Invalid;
const INV_TRUNC = Invalid.Truncated as Invalid;
const NOREG = NO_REG;
const RIPBASE = RIP_BASE;

// ---------------------------------------------------------------------------------------------
// compiled legacy rows

const enum Mk {
  /** No ModRM byte. */
  None,
  /** `/r`: ModRM, any reg. */
  Any,
  /** `/digit`. */
  Digit,
  /** Whole ModRM byte fixed (`0F 01 F8`). */
  Exact,
  /** `C0+i`: mod = 11, reg fixed, rm free. */
  PlusI,
}

const enum ModC {
  Any,
  Reg,
  Mem,
}

/** Immediate-like operand kinds consumed after ModRM/SIB/displacement, in operand order. */
const enum ImmK {
  /** Immediate of a fixed byte count (`bytes`). */
  Fixed,
  /** z-sized: 2 with 16-bit operand size, else 4. */
  Z,
  /** v-sized: operand size. */
  V,
  /** Far pointer: offset (2/4 by operand size) + selector (2). */
  Far,
  /** is4 byte (also covers `I4`). */
  Is4,
}

interface ImmPlan {
  readonly k: ImmK;
  readonly bytes: number;
}

interface LSpec {
  /** Index in ALL_SPECS. */
  readonly id: number;
  readonly mnemonic: string;
  readonly opSpecs: readonly string[];
  readonly ops: readonly OpSpec[];
  readonly osz: number;
  readonly asz: number;
  /** Mandatory prefix: -1 = agnostic, 0 = NP, 0x66, 0xF2, 0xF3. */
  readonly pfx: number;
  readonly map: number;
  readonly opcode: number;
  readonly plusR: boolean;
  readonly mk: Mk;
  readonly reg: number;
  readonly byte: number;
  readonly mod: ModC;
  readonly lock: boolean;
  readonly d64: boolean;
  readonly f64: boolean;
  readonly inv64: boolean;
  readonly only64: boolean;
  readonly imms: readonly ImmPlan[];
  /** An operand uses moffs (`O`): address-size displacement, no ModRM. */
  readonly moffs: boolean;
  /** ModRM.mod is ignored, rm is always a register (mov to/from CRn/DRn, SDM "MOV—Move to/from Control Registers"). */
  readonly modIgnored: boolean;
  /** Register-number checks: ModRM.reg must name an existing CR / DR / segment register. */
  readonly regCheck: RegCheck;
}

const enum RegCheck {
  None,
  Cr,
  Dr,
  Sreg,
  /** `mov Sreg, r/m`: additionally CS is not a valid destination. */
  SregDst,
}

const IMM_BYTES: Record<number, number> = { [Sz.b]: 1, [Sz.w]: 2, [Sz.d]: 4, [Sz.q]: 8 };

function immPlan(op: OpSpec): ImmPlan | undefined {
  switch (op.am) {
    case Am.I:
    case Am.Is:
    case Am.J:
      if (op.sz === Sz.z) return { k: ImmK.Z, bytes: 0 };
      if (op.sz === Sz.v) return { k: ImmK.V, bytes: 0 };
      return { k: ImmK.Fixed, bytes: IMM_BYTES[op.sz] ?? 1 };
    case Am.Ap:
      return { k: ImmK.Far, bytes: 0 };
    case Am.L:
    case Am.I4:
      return { k: ImmK.Is4, bytes: 1 };
    default:
      return undefined;
  }
}

function compileRow(row: readonly [string, string, string, string], id: number): LSpec {
  const [opcodeText, mnemonic, opsText, flagsText] = row;
  const toks = opcodeText.split(" ");
  let i = 0;
  let osz = 0;
  let asz = 0;
  let pfx = -1;
  const t = (): string => toks[i] ?? "";
  if (/^o(16|32|64)$/.test(t())) osz = Number(toks[i++]!.slice(1));
  if (/^a(16|32|64)$/.test(t())) asz = Number(toks[i++]!.slice(1));
  if (t() === "NP") {
    pfx = 0;
    i++;
  } else if (/^(66|F2|F3)$/.test(t()) && toks.length > i + 1) {
    pfx = parseInt(toks[i++]!, 16);
  }
  let map = 0;
  if (t() === "0F") {
    i++;
    map = 1;
    if (t() === "38" && toks.length > i + 1) {
      map = 2;
      i++;
    } else if (t() === "3A" && toks.length > i + 1) {
      map = 3;
      i++;
    }
  }
  let opTok = toks[i++]!;
  let plusR = false;
  if (opTok.endsWith("+r")) {
    plusR = true;
    opTok = opTok.slice(0, -2);
  }
  const opcode = parseInt(opTok, 16);
  let mk = Mk.None;
  let reg = 0;
  let byte = 0;
  let mod = ModC.Any;
  const mt = t();
  if (mt === "/r") {
    mk = Mk.Any;
    i++;
  } else if (/^\/[0-7]$/.test(mt)) {
    mk = Mk.Digit;
    reg = Number(mt.slice(1));
    i++;
  } else if (/^[0-9A-F]{2}\+i$/.test(mt)) {
    mk = Mk.PlusI;
    byte = parseInt(mt.slice(0, 2), 16);
    reg = (byte >> 3) & 7;
    mod = ModC.Reg;
    i++;
  } else if (/^[0-9A-F]{2}$/.test(mt)) {
    mk = Mk.Exact;
    byte = parseInt(mt, 16);
    reg = (byte >> 3) & 7;
    mod = byte >= 0xc0 ? ModC.Reg : ModC.Mem;
    i++;
  }
  if (t() === "11") {
    mod = ModC.Reg;
    i++;
  } else if (t() === "!11") {
    mod = ModC.Mem;
    i++;
  }
  if (i !== toks.length) throw new Error(`legacy row "${opcodeText}": unparsed "${toks.slice(i).join(" ")}"`);
  const opSpecs = opsText === "" ? [] : opsText.split(",");
  const ops = opSpecs.map(parseOpSpec);
  const flags = new Set(flagsText.split(" ").filter(Boolean));
  for (const f of flags) {
    if (!/^(lock|d64|f64|inv64|only64)$/.test(f)) throw new Error(`legacy row "${opcodeText}": flag ${f}`);
  }
  const imms: ImmPlan[] = [];
  for (const op of ops) {
    const p = immPlan(op);
    if (p !== undefined && !(p.k === ImmK.Is4 && imms.some((q) => q.k === ImmK.Is4))) imms.push(p);
  }
  const hasR = ops.some((o) => o.am === Am.R);
  let regCheck = RegCheck.None;
  if (ops.some((o) => o.am === Am.C)) regCheck = RegCheck.Cr;
  else if (ops.some((o) => o.am === Am.D)) regCheck = RegCheck.Dr;
  else if (ops.length > 0 && ops[0]!.am === Am.S) regCheck = RegCheck.SregDst;
  else if (ops.some((o) => o.am === Am.S)) regCheck = RegCheck.Sreg;
  return {
    id,
    mnemonic,
    opSpecs,
    ops,
    osz,
    asz,
    pfx,
    map,
    opcode,
    plusR,
    mk,
    reg,
    byte,
    mod,
    lock: flags.has("lock"),
    d64: flags.has("d64"),
    f64: flags.has("f64"),
    inv64: flags.has("inv64"),
    only64: flags.has("only64"),
    imms,
    moffs: ops.some((o) => o.am === Am.O),
    modIgnored: hasR && mk === Mk.Any && mod === ModC.Any,
    regCheck,
  };
}

/** A resolved (mode, map, opcode, prefix class, ModRM) node: rows that differ only in operand/address size. */
interface Variant {
  readonly mandatory: 0 | 0x66 | 0xf2 | 0xf3;
  /** 66 was consumed as the mandatory prefix (does not change the operand size). */
  readonly mand66: boolean;
  readonly d64: boolean;
  readonly f64: boolean;
  /** Index: operand-size index (16/32/64 → 0/1/2) * 3 + address-size index. */
  readonly pick: readonly (LSpec | null)[];
}

interface Entry {
  readonly hasModrm: boolean;
  readonly rows: readonly LSpec[];
  /** The exact opcode and a `+r` row share this opcode (0x90: NOP vs XCHG r8, rAX with REX.B). */
  readonly mixedPlusR: boolean;
  /** Some row matches a whole ModRM byte or ModRM.rm (`0F 01 F8`, `D8 C0+i`): nodes are per ModRM byte. */
  readonly exact: boolean;
  /**
   * Lazily resolved nodes. Index = prefix class (0 none, 1 = 66, 2 = F3, 3 = F2) * 256 + ModRM byte
   * when `exact`; else prefix class * 16 + (mod == 11) * 8 + ModRM.reg; without ModRM: prefix class
   * * 2 + REX.B. `null` = invalid, undefined = not built yet.
   */
  readonly nodes: (Variant | null | undefined)[];
}

const ALL_SPECS: readonly LSpec[] = LEGACY_ROWS.map(compileRow);

/** entries[mode (0 = 32-bit, 1 = 64-bit)][map * 256 + opcode] */
const ENTRIES: readonly (readonly (Entry | undefined)[])[] = [buildEntries(false), buildEntries(true)];

function buildEntries(is64: boolean): (Entry | undefined)[] {
  const groups: LSpec[][] = [];
  for (const s of ALL_SPECS) {
    if (is64 ? s.inv64 : s.only64) continue;
    const n = s.plusR ? 8 : 1;
    for (let k = 0; k < n; k++) {
      const idx = s.map * 256 + s.opcode + k;
      (groups[idx] ??= []).push(s);
    }
  }
  const out: (Entry | undefined)[] = new Array(4 * 256).fill(undefined);
  groups.forEach((rows, idx) => {
    if (rows === undefined) return;
    const hasModrm = rows[0]!.mk !== Mk.None;
    if (rows.some((r) => (r.mk !== Mk.None) !== hasModrm)) {
      throw new Error(`legacy rows for ${idx.toString(16)} disagree on ModRM presence`);
    }
    const mixedPlusR = rows.some((r) => r.plusR) && rows.some((r) => !r.plusR && r.pfx === -1);
    const exact = rows.some((r) => r.mk === Mk.Exact || r.mk === Mk.PlusI);
    const size = !hasModrm ? 8 : exact ? 1024 : 64;
    out[idx] = {
      hasModrm,
      rows,
      mixedPlusR,
      exact,
      nodes: new Array<Variant | null | undefined>(size).fill(undefined),
    };
  });
  return out;
}

function modrmLevel(s: LSpec, modrm: number): number {
  const mod = modrm >> 6;
  const reg = (modrm >> 3) & 7;
  if (s.mod === ModC.Reg && mod !== 3) return -1;
  if (s.mod === ModC.Mem && mod === 3) return -1;
  switch (s.mk) {
    case Mk.None:
    case Mk.Any:
      return s.mod === ModC.Any ? 0 : 1;
    case Mk.Digit:
      if (reg !== s.reg) return -1;
      return s.mod === ModC.Any ? 2 : 3;
    case Mk.PlusI:
      return reg === s.reg ? 3 : -1;
    case Mk.Exact:
      return modrm === s.byte ? 4 : -1;
  }
}

const PCLASS_PFX = [0, 0x66, 0xf3, 0xf2] as const;

function buildVariant(entry: Entry, pclass: number, modrm: number, rexB: number): Variant | null {
  const want = PCLASS_PFX[pclass]!;
  const select = (agnostic: boolean): LSpec[] => {
    let best = -1;
    let out: LSpec[] = [];
    for (const r of entry.rows) {
      if (agnostic ? r.pfx !== -1 : r.pfx !== want) continue;
      // 0x90 with REX.B is XCHG r8, rAX (SDM "XCHG"; NOP is only 90 without REX.B)
      if (entry.mixedPlusR && agnostic && rexB && !r.plusR) continue;
      if (entry.mixedPlusR && agnostic && !rexB && r.plusR) continue;
      const lvl = entry.hasModrm ? modrmLevel(r, modrm) : 0;
      if (lvl < 0) continue;
      if (lvl > best) {
        best = lvl;
        out = [r];
      } else if (lvl === best) out.push(r);
    }
    return out;
  };
  let rows = select(false);
  let specific = true;
  if (rows.length === 0) {
    rows = select(true);
    specific = false;
  }
  if (rows.length === 0) return null;
  const pick: (LSpec | null)[] = [];
  const SIZES = [16, 32, 64];
  for (const osz of SIZES) {
    for (const asz of SIZES) {
      let best: LSpec | null = null;
      let bestScore = -1;
      for (const r of rows) {
        let score = 0;
        if (r.osz === osz) score += 4;
        else if (r.osz === 32 && osz === 64)
          score += 1; // no o64 row: REX.W falls back to the o32 row
        else if (r.osz !== 0) continue;
        if (r.asz === asz) score += 2;
        else if (r.asz !== 0) continue;
        if (score > bestScore) {
          bestScore = score;
          best = r;
        }
      }
      // "(bad)" rows mark encodings that are invalid although a less specific row would match
      pick.push(best !== null && best.mnemonic === "(bad)" ? null : best);
    }
  }
  if (pick.every((x) => x === null)) return null;
  const mandatory = specific ? (want as 0 | 0x66 | 0xf2 | 0xf3) : 0;
  const variant: Variant = {
    mandatory,
    mand66: specific && want === 0x66,
    d64: rows.some((r) => r.d64),
    f64: rows.some((r) => r.f64),
    pick,
  };
  // share identical variants (same rows, same prefix role) between nodes
  const key = `${mandatory}|${variant.mand66}|${rows.map((r) => r.id).join(",")}`;
  const hit = VARIANTS.get(key);
  if (hit !== undefined) return hit;
  VARIANTS.set(key, variant);
  return variant;
}

const VARIANTS = new Map<string, Variant>();

// ---------------------------------------------------------------------------------------------
// VEX-family spec cache

interface VexPlan {
  readonly ops: readonly OpSpec[];
  readonly usesVvvv: boolean;
  readonly vsib: boolean;
  /** Some operand needs a register-number / SIB legality check (see vexRegsOk). */
  readonly checks: boolean;
}

const CHECKED_AMS: ReadonlySet<Am> = new Set([Am.KV, Am.KH, Am.TV, Am.TH, Am.TU, Am.G, Am.MV, Am.Msib]);

const vexPlans = new WeakMap<readonly string[], VexPlan>();

function vexPlan(look: VexLookup): VexPlan {
  let p = vexPlans.get(look.ops);
  if (p === undefined) {
    const ops = look.ops.map(parseOpSpec);
    p = {
      ops,
      usesVvvv: ops.some(usesVvvv),
      vsib: ops.some((o) => o.am === Am.MV),
      checks: ops.some((o) => CHECKED_AMS.has(o.am)),
    };
    vexPlans.set(look.ops, p);
  }
  return p;
}

// ---------------------------------------------------------------------------------------------
// decode

const EMPTY_PREFIXES: number[] = Object.freeze([]) as unknown as number[];
const EMPTY_OPERANDS: Operand[] = Object.freeze([]) as unknown as Operand[];
const EMPTY_SPECS: readonly string[] = Object.freeze([]);

/*
 * Performance note: V8 keeps number fields of an object literal's boilerplate as small integers (Smi)
 * as long as they only ever hold int32 values; storing one non-int32 number (e.g. 0x90000000) into such
 * a field generalises the representation and deprecates the boilerplate's map, after which EVERY new
 * record pays a map migration (measured: 3-10x slower decode). Hence imm/disp/… are stored as int32
 * bit patterns, and `ip` (64-bit addresses exceed int32) starts out as a double (-0) so that its field
 * is a double field from the first record on.
 */
function newInsn(ip: number, bits: 32 | 64): Insn {
  const insn = newInsnLiteral(bits);
  insn.ip = ip;
  return insn;
}

function newInsnLiteral(bits: 32 | 64): Insn {
  return {
    ip: -0,
    len: 0,
    bits,
    invalid: INV_NONE,
    prefixes: EMPTY_PREFIXES,
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
    encoding: ENC_LEGACY,
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
    memBase: NOREG,
    memIndex: NOREG,
    memScale: 1,
    hasMem: false,
    mnemonic: "",
    opSpecs: EMPTY_SPECS,
    disp8N: 1,
    memSize: 0,
    operands: EMPTY_OPERANDS,
  };
}

function resetInsn(insn: Insn, ip: number, bits: 32 | 64): void {
  insn.ip = ip;
  insn.len = 0;
  insn.bits = bits;
  insn.invalid = INV_NONE;
  insn.prefixes = EMPTY_PREFIXES;
  insn.lock = false;
  insn.rep = 0;
  insn.seg = -1;
  insn.segPrefix = -1;
  insn.opsize = 32;
  insn.adsize = bits;
  insn.rex = 0;
  insn.rexIgnored = 0;
  insn.w = 0;
  insn.r = 0;
  insn.x = 0;
  insn.b = 0;
  insn.rp = 0;
  insn.encoding = ENC_LEGACY;
  insn.vvvv = 0;
  insn.vl = 0;
  insn.aaa = 0;
  insn.z = 0;
  insn.evexB = 0;
  insn.map = 0;
  insn.opcode = 0;
  insn.mandatory = 0;
  insn.hasModrm = false;
  insn.modrm = 0;
  insn.mod = 0;
  insn.reg = 0;
  insn.rm = 0;
  insn.hasSib = false;
  insn.sib = 0;
  insn.scale = 0;
  insn.sibIndex = 0;
  insn.sibBase = 0;
  insn.disp = 0;
  insn.dispHi = 0;
  insn.dispSize = 0;
  insn.imm = 0;
  insn.immHi = 0;
  insn.immSize = 0;
  insn.imm2 = 0;
  insn.imm2Size = 0;
  insn.memBase = NOREG;
  insn.memIndex = NOREG;
  insn.memScale = 1;
  insn.hasMem = false;
  insn.mnemonic = "";
  insn.opSpecs = EMPTY_SPECS;
  insn.disp8N = 1;
  insn.memSize = 0;
  insn.operands = EMPTY_OPERANDS;
}

/** Marks `insn` invalid; `len` = bytes examined so far (clamped to 1..15, only indicative). */
function fail(insn: Insn, why: Invalid, len: number): Insn {
  insn.invalid = why;
  insn.len = len > 15 ? 15 : len < 1 ? 1 : len;
  return insn;
}

/** Failure when byte `pos` is needed but not readable: past 15 bytes → TooLong, else Truncated. */
function short(insn: Insn, pos: number): Insn {
  return fail(insn, pos >= 15 ? INV_TOOLONG : INV_TRUNC, pos);
}

/**
 * Decodes the instruction at buf[0]. Only buf[0..avail) may be read.
 * @param ip address of buf[0] (for branch targets and RIP-relative display)
 */
export function decode(buf: Uint8Array, avail: number, ip: number, bits: 32 | 64): Insn {
  return decodeInto(newInsn(ip, bits), buf, avail, ip, bits);
}

/** A fresh, blank record for `decodeInto`. */
export function blankInsn(): Insn {
  return newInsn(0, 32);
}

/**
 * Like `decode`, but overwrites `insn` (every field is reset) instead of allocating a new record.
 * For scanners that look at one instruction at a time; do not keep references to `insn.prefixes`.
 */
export function decodeInto(insn: Insn, buf: Uint8Array, avail: number, ip: number, bits: 32 | 64): Insn {
  if (insn.len !== 0) resetInsn(insn, ip, bits);
  else {
    insn.ip = ip;
    insn.bits = bits;
    insn.adsize = bits;
  }
  const is64 = bits === 64;
  const lim = avail < 15 ? avail : 15;
  let p = 0;
  let b: number;
  let has66 = false;
  let has67 = false;
  let rex = 0;
  let prefixes: number[] | null = null;
  let segPfx = -1;
  let fsgs = false;

  // ---- legacy prefixes and REX (SDM 2.1.1, 2.2.1) ----
  for (;;) {
    if (p >= lim) return short(insn, p);
    b = buf[p]!;
    switch (b) {
      case 0x66:
        has66 = true;
        break;
      case 0x67:
        has67 = true;
        break;
      case 0xf0:
        insn.lock = true;
        break;
      case 0xf2:
      case 0xf3:
        insn.rep = b;
        break;
      case 0x26:
      case 0x2e:
      case 0x36:
      case 0x3e:
        // 64-bit mode: ES/CS/SS/DS overrides are ignored by the CPU; FS/GS win whatever the order.
        if (!is64 || !fsgs) segPfx = (b >> 3) & 3;
        break;
      case 0x64:
      case 0x65:
        segPfx = b - 0x60;
        fsgs = true;
        break;
      default:
        if (is64 && (b & 0xf0) === 0x40) {
          // REX counts only when it immediately precedes the opcode (SDM 2.2.1).
          if (rex !== 0) insn.rexIgnored = rex;
          rex = b;
          p++;
          continue;
        }
        b = -1;
        break;
    }
    if (b < 0) break;
    if (rex !== 0) {
      insn.rexIgnored = rex;
      rex = 0;
    }
    (prefixes ??= []).push(b);
    p++;
  }
  b = buf[p]!;
  if (prefixes !== null) insn.prefixes = prefixes;
  insn.segPrefix = segPfx;
  insn.seg = is64 ? (segPfx >= 4 ? segPfx : -1) : segPfx;
  insn.adsize = is64 ? (has67 ? 32 : 64) : has67 ? 16 : 32;
  if (rex !== 0) {
    insn.rex = rex;
    insn.w = (rex >> 3) & 1;
    insn.r = (rex >> 2) & 1;
    insn.x = (rex >> 1) & 1;
    insn.b = rex & 1;
  }

  // ---- opcode ----
  p++; // b = first opcode byte
  let map = 0;
  let opcode = b;
  if (b === 0x0f) {
    if (p >= lim) return short(insn, p);
    const b2 = buf[p++]!;
    if (b2 === 0x38 || b2 === 0x3a) {
      if (p >= lim) return short(insn, p);
      map = b2 === 0x38 ? 2 : 3;
      opcode = buf[p++]!;
    } else if (b2 === 0x0f) {
      return decode3DNow(insn, buf, lim, p, has66);
    } else {
      map = 1;
      opcode = b2;
    }
  } else if (b === 0xc4 || b === 0xc5 || b === 0x62 || b === 0x8f) {
    // VEX (C4/C5), EVEX (62), XOP (8F). In 32-bit mode C4/C5/62 are LES/LDS/BOUND unless the next
    // byte has mod = 11 (SDM 2.3.5, 2.7.1); 8F is XOP only when mmmmm >= 8 (AMD APM Vol. 3 1.8).
    if (p >= lim) return short(insn, p);
    const nb = buf[p]!;
    const isVex = b === 0x8f ? (nb & 0x1f) >= 8 : is64 || nb >= 0xc0;
    if (isVex) return decodeVex(insn, buf, lim, p, b, has66, rex, is64);
  }
  insn.map = map;
  insn.opcode = opcode;

  const entry = ENTRIES[is64 ? 1 : 0]![map * 256 + opcode];
  if (entry === undefined) return fail(insn, INV_OPCODE, p);
  let modrm = 0;
  if (entry.hasModrm) {
    if (p >= lim) return short(insn, p);
    modrm = buf[p++]!;
    insn.hasModrm = true;
    insn.modrm = modrm;
    insn.mod = modrm >> 6;
    insn.reg = (modrm >> 3) & 7;
    insn.rm = modrm & 7;
  } else if (entry.mixedPlusR) {
    modrm = insn.b;
  }
  const rep = insn.rep;
  const pclass = rep === 0xf3 ? 2 : rep === 0xf2 ? 3 : has66 ? 1 : 0;
  const nidx = !entry.hasModrm
    ? pclass * 2 + modrm
    : entry.exact
      ? pclass * 256 + modrm
      : pclass * 16 + (modrm >= 0xc0 ? 8 : 0) + ((modrm >> 3) & 7);
  let v = entry.nodes[nidx];
  if (v === undefined) {
    v = buildVariant(entry, pclass, modrm, entry.hasModrm ? 0 : modrm);
    entry.nodes[nidx] = v;
  }
  if (v === null) return fail(insn, INV_OPCODE, p);

  // ---- operand size (SDM 2.2.1.2, Table 2-4) ----
  let osz: 16 | 32 | 64;
  if (is64 && (v.f64 || insn.w)) osz = 64;
  else if (has66 && !v.mand66) osz = 16;
  else osz = is64 && v.d64 ? 64 : 32;
  insn.opsize = osz;
  insn.mandatory = v.mandatory;
  const asz = insn.adsize;
  const spec = v.pick[(osz >> 5) * 3 + (asz >> 5)];
  if (spec === null || spec === undefined) return fail(insn, INV_OPCODE, p);
  insn.mnemonic = spec.mnemonic;
  insn.opSpecs = spec.opSpecs;

  // register-number checks (CR/DR/segment registers that do not exist)
  if (spec.regCheck !== RegCheck.None) {
    const reg = insn.reg | (insn.r << 3);
    switch (spec.regCheck) {
      case RegCheck.Cr:
        // CR0, CR2, CR3, CR4, CR8 exist (SDM "MOV—Move to/from Control Registers"); LOCK never
        // selects CR8 here (AMD's alternate encoding is not decoded with DecoderOptions.None).
        if (reg !== 0 && reg !== 2 && reg !== 3 && reg !== 4 && reg !== 8) return fail(insn, INV_OPCODE, p);
        break;
      case RegCheck.Dr:
        if (reg > 7) return fail(insn, INV_OPCODE, p);
        break;
      case RegCheck.Sreg:
        if (insn.reg > 5) return fail(insn, INV_OPCODE, p);
        break;
      case RegCheck.SregDst:
        if (insn.reg > 5 || insn.reg === 1) return fail(insn, INV_OPCODE, p);
        break;
    }
  }

  // ---- ModRM memory operand ----
  if (entry.hasModrm && insn.mod !== 3 && !spec.modIgnored) {
    const r = decodeMem(insn, buf, lim, p, 1);
    if (r < 0) return short(insn, -r);
    p = r;
  } else if (spec.moffs) {
    // moffs: address-size wide absolute offset (SDM "MOV" A0–A3); 8 bytes in 64-bit mode.
    const n = asz >> 3;
    if (p + n > lim) return short(insn, p + n > 15 ? 15 : lim);
    insn.disp = n > 2 ? readLE(buf, p, 4) : readLE(buf, p, 2);
    if (n === 8) insn.dispHi = readLE(buf, p + 4, 4);
    insn.dispSize = n as 2 | 4 | 8;
    insn.hasMem = true;
    p += n;
  }

  // ---- immediates ----
  const imms = spec.imms;
  for (let k = 0; k < imms.length; k++) {
    const ip2 = imms[k]!;
    let n: number;
    switch (ip2.k) {
      case ImmK.Fixed:
      case ImmK.Is4:
        n = ip2.bytes;
        break;
      case ImmK.Z:
        n = osz === 16 ? 2 : 4;
        break;
      case ImmK.V:
        n = osz >> 3;
        break;
      case ImmK.Far: {
        n = osz === 16 ? 2 : 4;
        if (p + n + 2 > lim) return short(insn, p + n + 2 > 15 ? 15 : lim);
        insn.imm = readLE(buf, p, n);
        insn.immSize = n as 2 | 4;
        insn.imm2 = buf[p + n]! | (buf[p + n + 1]! << 8);
        insn.imm2Size = 2;
        p += n + 2;
        continue;
      }
    }
    if (p + n > lim) return short(insn, p + n > 15 ? 15 : lim);
    if (k === 0) {
      insn.imm = readLE(buf, p, n > 4 ? 4 : n);
      if (n === 8) insn.immHi = readLE(buf, p + 4, 4);
      insn.immSize = n as 1 | 2 | 4 | 8;
    } else {
      insn.imm2 = readLE(buf, p, n);
      insn.imm2Size = n as 1 | 2;
    }
    p += n;
  }
  insn.len = p;

  // ---- LOCK (SDM Vol. 2 "LOCK": only listed instructions, memory destination) ----
  if (insn.lock && !(spec.lock && insn.hasMem && !spec.moffs)) return fail(insn, INV_LOCK, p);
  return insn;
}

function readLE(buf: Uint8Array, p: number, n: number): number {
  switch (n) {
    case 1:
      return buf[p]!;
    case 2:
      return buf[p]! | (buf[p + 1]! << 8);
    default:
      // int32 on purpose: keeps every Insn field a small integer (see newInsn)
      return buf[p]! | (buf[p + 1]! << 8) | (buf[p + 2]! << 16) | (buf[p + 3]! << 24);
  }
}

/**
 * Decodes SIB and displacement after the ModRM byte at p-1 (mod != 11). Returns the new position, or
 * -(position that could not be read). `n8` = EVEX disp8 scale. SDM 2.1.5, Tables 2-1..2-3.
 */
function decodeMem(insn: Insn, buf: Uint8Array, lim: number, p: number, n8: number): number {
  const mod = insn.mod;
  const rm = insn.rm;
  insn.hasMem = true;
  let dsz: number;
  if (insn.adsize === 16) {
    // 16-bit addressing: [bx+si] [bx+di] [bp+si] [bp+di] [si] [di] [bp]/disp16 [bx]
    const BASE16 = [3, 3, 5, 5, 6, 7, 5, 3];
    const INDEX16 = [6, 7, 6, 7, NOREG, NOREG, NOREG, NOREG];
    if (mod === 0 && rm === 6) {
      insn.memBase = NOREG;
      dsz = 2;
    } else {
      insn.memBase = BASE16[rm]!;
      dsz = mod === 1 ? 1 : mod === 2 ? 2 : 0;
    }
    insn.memIndex = INDEX16[rm]!;
  } else {
    if (rm === 4) {
      if (p >= lim) return -p;
      const sib = buf[p++]!;
      insn.hasSib = true;
      insn.sib = sib;
      insn.scale = sib >> 6;
      insn.memScale = 1 << (sib >> 6);
      const idx = (sib >> 3) & 7;
      const base = sib & 7;
      insn.sibIndex = idx;
      insn.sibBase = base;
      insn.memIndex = idx === 4 && insn.x === 0 ? NOREG : idx | (insn.x << 3);
      if (base === 5 && mod === 0) {
        insn.memBase = NOREG;
        dsz = 4;
      } else {
        insn.memBase = base | (insn.b << 3);
        dsz = mod === 1 ? 1 : mod === 2 ? 4 : 0;
      }
    } else if (rm === 5 && mod === 0) {
      insn.memBase = insn.bits === 64 ? RIPBASE : NOREG;
      dsz = 4;
    } else {
      insn.memBase = rm | (insn.b << 3);
      dsz = mod === 1 ? 1 : mod === 2 ? 4 : 0;
    }
  }
  if (dsz !== 0) {
    if (p + dsz > lim) return -(p + dsz > 15 ? 15 : lim);
    let d: number;
    if (dsz === 1) d = ((buf[p]! << 24) >> 24) * n8;
    else if (dsz === 2) d = ((buf[p]! | (buf[p + 1]! << 8)) << 16) >> 16;
    else d = buf[p]! | (buf[p + 1]! << 8) | (buf[p + 2]! << 16) | (buf[p + 3]! << 24);
    insn.disp = d;
    insn.dispSize = dsz as 1 | 2 | 4;
    p += dsz;
  }
  return p;
}

// ---------------------------------------------------------------------------------------------
// 3DNow! (0F 0F /r ib — the imm8 suffix is the opcode, AMD APM Vol. 3 "3DNow! instructions")

function decode3DNow(insn: Insn, buf: Uint8Array, lim: number, p: number, has66: boolean): Insn {
  insn.encoding = ENC_3DNOW;
  insn.map = 1;
  insn.opcode = 0x0f;
  const is64 = insn.bits === 64;
  insn.opsize = is64 && insn.w ? 64 : has66 ? 16 : 32;
  if (p >= lim) return short(insn, p);
  const modrm = buf[p++]!;
  insn.hasModrm = true;
  insn.modrm = modrm;
  insn.mod = modrm >> 6;
  insn.reg = (modrm >> 3) & 7;
  insn.rm = modrm & 7;
  if (insn.mod !== 3) {
    const r = decodeMem(insn, buf, lim, p, 1);
    if (r < 0) return short(insn, -r);
    p = r;
  }
  if (p >= lim) return short(insn, p);
  const suffix = buf[p++]!;
  insn.imm = suffix;
  insn.immSize = 1;
  insn.len = p;
  const pp = insn.rep !== 0 ? insn.rep : has66 ? 0x66 : 0;
  const look = lookupVex(
    ENC_3DNOW,
    1,
    suffix,
    pp,
    0,
    0,
    insn.mod === 3,
    insn.reg,
    insn.bits,
    0,
    insn.rm,
    0,
    0,
    modrm,
  );
  if (look === undefined || !look.valid) return fail(insn, INV_OPCODE, p);
  insn.mnemonic = look.mnemonic;
  insn.opSpecs = look.ops;
  insn.memSize = look.memSize ?? 0;
  if (insn.lock) return fail(insn, INV_LOCK, p);
  return insn;
}

// ---------------------------------------------------------------------------------------------
// VEX / EVEX / XOP (SDM 2.3, 2.7; AMD APM Vol. 3 1.8)

function decodeVex(
  insn: Insn,
  buf: Uint8Array,
  lim: number,
  p: number,
  lead: number,
  has66: boolean,
  rex: number,
  is64: boolean,
): Insn {
  // p points at the first payload byte (after C4/C5/62/8F)
  let enc: Encoding;
  let w = 0;
  let r: number;
  let x = 0;
  let bb = 0;
  let rp = 0;
  let vvvv: number;
  let vl: number;
  let pp: number;
  let map = 1;
  let aaa = 0;
  let z = 0;
  let eb = 0;
  let bad = false;
  if (lead === 0xc5) {
    enc = ENC_VEX;
    if (p >= lim) return short(insn, p);
    const b1 = buf[p++]!;
    r = (~b1 >> 7) & 1;
    vvvv = (~b1 >> 3) & 15;
    vl = (b1 >> 2) & 1;
    pp = b1 & 3;
  } else if (lead === 0xc4 || lead === 0x8f) {
    enc = lead === 0xc4 ? ENC_VEX : ENC_XOP;
    if (p + 1 >= lim) return short(insn, p + 1 >= 15 ? 15 : lim);
    const b1 = buf[p++]!;
    const b2 = buf[p++]!;
    r = (~b1 >> 7) & 1;
    x = (~b1 >> 6) & 1;
    bb = (~b1 >> 5) & 1;
    map = b1 & 0x1f;
    w = b2 >> 7;
    vvvv = (~b2 >> 3) & 15;
    vl = (b2 >> 2) & 1;
    pp = b2 & 3;
  } else {
    enc = ENC_EVEX;
    if (p + 2 >= lim) return short(insn, p + 2 >= 15 ? 15 : lim);
    const p0 = buf[p++]!;
    const p1 = buf[p++]!;
    const p2 = buf[p++]!;
    r = (~p0 >> 7) & 1;
    x = (~p0 >> 6) & 1;
    bb = (~p0 >> 5) & 1;
    rp = (~p0 >> 4) & 1;
    map = p0 & 7;
    if ((p0 & 0x08) !== 0 || (p1 & 0x04) === 0) bad = true; // reserved bits (SDM Table 2-29)
    w = p1 >> 7;
    vvvv = ((~p1 >> 3) & 15) | (((~p2 >> 3) & 1) << 4); // V' is P2 bit 3
    pp = p1 & 3;
    z = p2 >> 7;
    vl = (p2 >> 5) & 3;
    eb = (p2 >> 4) & 1;
    aaa = p2 & 7;
  }
  // vvvv as encoded (with EVEX.V'), for the "unused vvvv must be 1111b" check
  const vvvvRaw = vvvv;
  if (!is64) {
    // 32-bit mode: only 8 registers. R/X are 1 anyway (they are the mod=11 bits that made this
    // VEX/EVEX rather than LES/LDS/BOUND); B, R' and vvvv[3] are ignored; EVEX.V' must be 1 (#UD
    // otherwise, as iced-x86 decodes it; checked below, V' is the VSIB index bit 4 for gathers).
    r = 0;
    x = 0;
    bb = 0;
    rp = 0;
    vvvv &= 7;
  }
  insn.encoding = enc;
  insn.w = w;
  insn.r = r;
  insn.x = x;
  insn.b = bb;
  insn.rp = rp;
  insn.vvvv = vvvv;
  insn.vl = vl;
  insn.aaa = aaa;
  insn.z = z;
  insn.evexB = eb;
  insn.map = map;
  const mand = pp === 1 ? 0x66 : pp === 2 ? 0xf3 : pp === 3 ? 0xf2 : 0;
  insn.mandatory = mand;
  if (p >= lim) return short(insn, p);
  const opcode = buf[p++]!;
  insn.opcode = opcode;
  // 66/F2/F3/REX before VEX-family prefixes, or LOCK, is #UD (SDM 2.3.2)
  if (has66 || insn.rep !== 0 || rex !== 0 || insn.lock || bad) return fail(insn, INV_OPCODE, p);
  const modrmPeek = p < lim ? buf[p]! : -1;
  const look = lookupVex(
    enc,
    map,
    opcode,
    mand,
    w,
    vl,
    modrmPeek >= 0xc0,
    modrmPeek >= 0 ? (modrmPeek >> 3) & 7 : 0,
    insn.bits,
    eb,
    modrmPeek >= 0 ? modrmPeek & 7 : 0,
    aaa,
    z,
    modrmPeek,
  );
  if (look === undefined || !look.valid || (modrmPeek < 0 && look.hasModrm)) {
    // without the ModRM byte the lookup cannot decide: more bytes were needed
    return modrmPeek < 0 ? short(insn, p) : fail(insn, INV_OPCODE, p);
  }
  const plan = vexPlan(look);
  insn.mnemonic = look.mnemonic;
  insn.opSpecs = look.ops;
  insn.memSize = look.memSize ?? 0;
  insn.opsize = is64 && w ? 64 : 32;
  // vvvv (and EVEX.V') must be 1111b (inverted 0) when no operand uses it (SDM 2.3.6, 2.7.4)
  // With a VSIB operand EVEX.V' is the index register's bit 4, not part of vvvv (SDM 2.7.5.2)
  if (plan.vsib && vvvvRaw > 15) {
    if (!is64) return fail(insn, INV_OPCODE, p);
    insn.vvvv &= 15;
  }
  if (!is64 && vvvvRaw > 15) return fail(insn, INV_OPCODE, p);
  if (!plan.usesVvvv && (vvvvRaw & (plan.vsib ? 15 : 31)) !== 0) return fail(insn, INV_OPCODE, p);
  if (look.hasModrm) {
    if (p >= lim) return short(insn, p);
    const modrm = buf[p++]!;
    insn.hasModrm = true;
    insn.modrm = modrm;
    insn.mod = modrm >> 6;
    insn.reg = (modrm >> 3) & 7;
    insn.rm = modrm & 7;
    if (insn.mod !== 3) {
      const n8 = enc === ENC_EVEX ? (look.disp8N ?? 1) : 1;
      insn.disp8N = n8;
      const rr = decodeMem(insn, buf, lim, p, n8);
      if (rr < 0) return short(insn, -rr);
      p = rr;
      // VSIB: the index is a vector register (index 100b is xmm4/12/…, not "none"); EVEX.V' is its bit 4
      if (plan.vsib && insn.hasSib) {
        insn.memIndex = insn.sibIndex | (insn.x << 3) | (enc === ENC_EVEX ? vvvvRaw & 16 : 0);
      }
    }
  }
  if (plan.checks && !vexRegsOk(insn, plan, enc === ENC_EVEX, vvvvRaw)) return fail(insn, INV_OPCODE, p);
  if (look.distinct !== undefined && !distinctOk(insn, look.distinct, plan, enc === ENC_EVEX)) {
    return fail(insn, INV_OPCODE, p);
  }
  // imm8 / is4 byte; XOP map 0Ah (BEXTR, LWPINS, LWPVAL) has an imm32
  const immSize: number = look.immSize;
  if (immSize !== 0) {
    if (p + immSize > lim) return short(insn, p + immSize > 15 ? 15 : lim);
    insn.imm = readLE(buf, p, immSize);
    insn.immSize = immSize as 1 | 4;
    p += immSize;
  }
  insn.len = p;
  return insn;
}

/**
 * Register-number and SIB legality of VEX-family operands (as iced-x86 checks them):
 * - opmask (k0–k7) and tile (tmm0–7) registers in ModRM.reg must not use R/R', in vvvv not vvvv[3]
 *   (64-bit mode); in ModRM.rm opmask registers ignore B/X, tile registers must not use B;
 * - EVEX: a GPR in ModRM.reg must not use R';
 * - VSIB and AMX "sibmem" operands require a SIB byte (SDM 2.3.12).
 */
function vexRegsOk(insn: Insn, plan: VexPlan, evex: boolean, vvvvRaw: number): boolean {
  for (const o of plan.ops) {
    switch (o.am) {
      case Am.KV:
      case Am.TV:
        if (insn.r !== 0 || insn.rp !== 0) return false;
        break;
      case Am.KH:
      case Am.TH:
        if (insn.bits === 64 && vvvvRaw > 7) return false;
        break;
      case Am.TU:
        if (insn.b !== 0) return false;
        break;
      case Am.G:
        if (evex && insn.rp !== 0) return false;
        break;
      case Am.MV:
      case Am.Msib:
        if (!insn.hasSib) return false;
        break;
    }
  }
  return true;
}

/**
 * `VexLookup.distinct` register-overlap rules, on full register numbers (SDM "VPGATHERDD" and
 * "VFCMADDCPH" #UD conditions, AMX TDP* "all tiles different"):
 * - "all": ModRM.reg, vvvv (when used) and the ModRM.rm register / VSIB index pairwise different;
 * - "dest": ModRM.reg differs from vvvv (when used) and from the ModRM.rm register / VSIB index.
 */
function distinctOk(insn: Insn, mode: "all" | "dest", plan: VexPlan, evex: boolean): boolean {
  const dst = insn.reg | (insn.r << 3) | (insn.rp << 4);
  const h = plan.usesVvvv ? insn.vvvv : -1;
  let other = -1;
  if (plan.vsib) other = insn.memIndex;
  else if (insn.mod === 3) other = insn.rm | (insn.b << 3) | (evex ? insn.x << 4 : 0);
  if (dst === h || (other >= 0 && dst === other)) return false;
  return mode !== "all" || h < 0 || h !== other;
}

// ---------------------------------------------------------------------------------------------
// describe: operands for display and the differential test

const MASK64 = (1n << 64n) - 1n;

function sizeBytes(sz: number, insn: Insn): number {
  const osz = insn.opsize;
  switch (sz) {
    case Sz.None:
      return 0;
    case Sz.b:
      return 1;
    case Sz.w:
      return 2;
    case Sz.d:
    case Sz.ss:
      return 4;
    case Sz.q:
    case Sz.sd:
      return 8;
    case Sz.v:
      return osz >> 3;
    case Sz.z:
      return osz === 16 ? 2 : 4;
    case Sz.y:
      return osz === 64 ? 8 : 4;
    case Sz.p:
      return (osz >> 3) + 2;
    case Sz.x:
      return 16 << insn.vl;
    case Sz.h:
      return 8 << insn.vl;
    case Sz.qv:
      return 4 << insn.vl;
    case Sz.ov:
      return 2 << insn.vl;
    case Sz.dq:
      return 16;
    case Sz.qq:
      return 32;
    case Sz.dqq:
      return 64;
    case Sz.sh:
      return 2;
    case Sz.t:
      return 10;
    case Sz.s:
      return insn.bits === 64 ? 10 : 6;
    case Sz.a:
      return insn.adsize >> 3;
    default:
      return sz >= Sz.Bytes0 ? sz - Sz.Bytes0 : 0;
  }
}

/** Vector register name for a register-class size in bytes (16 → xmm, 32 → ymm, 64 → zmm). */
function vecName(num: number, bytes: number): string {
  return (bytes >= 64 ? "zmm" : bytes >= 32 ? "ymm" : "xmm") + num;
}

/** Register class of a vector operand: full/half/… vector sizes map to xmm/ymm/zmm. */
function vecClass(sz: number, insn: Insn): number {
  switch (sz) {
    case Sz.x:
      return 16 << insn.vl;
    case Sz.h:
      return insn.vl >= 2 ? 32 : 16;
    case Sz.qq:
      return 32;
    case Sz.dqq:
      return 64;
    default:
      return 16;
  }
}

function anyRex(insn: Insn): boolean {
  return insn.rex !== 0;
}

function memOperand(insn: Insn, sizeCode: number): Operand {
  const asz = insn.adsize;
  const names = asz === 64 ? GPR64 : asz === 32 ? GPR32 : GPR16;
  let base = "";
  let disp: bigint;
  const mask = asz === 64 ? MASK64 : asz === 32 ? 0xffffffffn : 0xffffn;
  if (insn.memBase === RIPBASE) {
    base = asz === 64 ? "rip" : "eip";
    disp = (BigInt(insn.ip) + BigInt(insn.len) + BigInt(insn.disp)) & mask;
  } else {
    if (insn.memBase !== NOREG) base = names[insn.memBase]!;
    disp = BigInt(insn.disp) & mask;
  }
  let index = "";
  if (insn.memIndex !== NOREG) index = names[insn.memIndex]!;
  return {
    kind: "mem",
    seg: SEGS[effectiveSeg(insn)]!,
    base,
    index,
    scale: insn.memScale as 1 | 2 | 4 | 8,
    disp,
    size: insn.memSize > 0 ? insn.memSize : sizeBytes(sizeCode, insn),
  };
}

/** Segment used by a ModRM memory operand: the prefix, else SS for rSP/rBP bases, else DS. */
function effectiveSeg(insn: Insn): number {
  if (insn.segPrefix >= 0) return insn.segPrefix;
  const base = insn.memBase;
  return base === 4 || base === 5 ? 2 : 3;
}

function stringMem(insn: Insn, which: "si" | "di" | "xd" | "xl", sizeCode: number): Operand {
  const asz = insn.adsize;
  const names = asz === 64 ? GPR64 : asz === 32 ? GPR32 : GPR16;
  const seg = which === "di" ? 0 : insn.segPrefix >= 0 ? insn.segPrefix : 3;
  return {
    kind: "mem",
    seg: SEGS[seg]!,
    base: which === "si" ? names[6]! : which === "xl" ? names[3]! : names[7]!,
    index: which === "xl" ? "al" : "",
    scale: 1,
    disp: 0n,
    size: sizeBytes(sizeCode, insn),
  };
}

function signExtend(value: number, bytes: number): bigint {
  const bits = BigInt(bytes * 8);
  return BigInt.asUintN(64, BigInt.asIntN(Number(bits), BigInt(value)));
}

/**
 * Fills `insn.operands` (and returns mnemonic + operands). Cheap enough for the debugger UI, not
 * meant for the executor's hot path.
 */
export function describe(insn: Insn): { mnemonic: string; operands: Operand[] } {
  if (insn.invalid !== INV_NONE) return { mnemonic: "(bad)", operands: [] };
  const out: Operand[] = [];
  const osz = insn.opsize;
  let immIdx = 0;
  const is4Reg = (insn.imm >> 4) & (insn.bits === 64 ? 15 : 7);
  for (const text of insn.opSpecs) {
    const s = parseOpSpec(text);
    const regR = insn.reg | (insn.r << 3);
    const rmB = insn.rm | (insn.b << 3);
    switch (s.am) {
      case Am.E:
      case Am.R:
        if (insn.mod === 3 || s.am === Am.R)
          out.push({ kind: "reg", reg: gprName(rmB, sizeBytes(s.sz, insn), anyRex(insn)) });
        else out.push(memOperand(insn, s.memSz));
        break;
      case Am.G:
        out.push({ kind: "reg", reg: gprName(regR, sizeBytes(s.sz, insn), anyRex(insn)) });
        break;
      case Am.GA:
        out.push({ kind: "reg", reg: gprName(regR, insn.adsize >> 3, anyRex(insn)) });
        break;
      case Am.Z:
        out.push({
          kind: "reg",
          reg: gprName((insn.opcode & 7) | (insn.b << 3), sizeBytes(s.sz, insn), anyRex(insn)),
        });
        break;
      case Am.B:
        out.push({ kind: "reg", reg: gprName(insn.vvvv & 15, sizeBytes(s.sz, insn), false) });
        break;
      case Am.M:
      case Am.Msib:
        out.push(memOperand(insn, s.memSz));
        break;
      case Am.MV: {
        const m = memOperand(insn, s.memSz) as Extract<Operand, { kind: "mem" }>;
        out.push({ ...m, index: vecName(insn.memIndex, vecClass(s.sz, insn)) });
        break;
      }
      case Am.I:
      case Am.Is: {
        const n = immIdx === 0 ? insn.immSize : insn.imm2Size;
        const raw = immIdx === 0 ? insn.imm : insn.imm2;
        let value: bigint;
        if (n === 8) value = (BigInt(insn.immHi >>> 0) << 32n) | BigInt(insn.imm >>> 0);
        else if (s.am === Am.Is || (s.sz === Sz.z && osz === 64)) value = signExtend(raw, n);
        else value = BigInt(raw >>> 0);
        const size = s.am === Am.Is ? osz >> 3 : n;
        out.push({ kind: "imm", value, size });
        immIdx++;
        break;
      }
      case Am.One:
        out.push({ kind: "imm", value: 1n, size: 1 });
        break;
      case Am.J: {
        const n = insn.immSize;
        const rel = BigInt.asIntN(n * 8, BigInt(insn.imm));
        // XBEGIN's target is not truncated to the operand size, only to the mode's address width
        const tsz = insn.mnemonic === "xbegin" ? insn.bits : osz;
        const mask = tsz === 64 ? MASK64 : tsz === 32 ? 0xffffffffn : 0xffffn;
        out.push({ kind: "branch", target: (BigInt(insn.ip) + BigInt(insn.len) + rel) & mask });
        immIdx++;
        break;
      }
      case Am.Ap:
        out.push({ kind: "far", selector: insn.imm2, offset: insn.imm >>> 0 });
        immIdx++;
        break;
      case Am.O: {
        const m = BigInt(insn.disp >>> 0) | (BigInt(insn.dispHi >>> 0) << 32n);
        out.push({
          kind: "mem",
          seg: SEGS[insn.segPrefix >= 0 ? insn.segPrefix : 3]!,
          base: "",
          index: "",
          scale: 1,
          disp: m,
          size: sizeBytes(s.sz, insn),
        });
        break;
      }
      case Am.X:
        out.push(stringMem(insn, "si", s.sz));
        break;
      case Am.Y:
        out.push(stringMem(insn, "di", s.sz));
        break;
      case Am.XD:
        out.push(stringMem(insn, "xd", s.sz));
        break;
      case Am.XL:
        out.push(stringMem(insn, "xl", s.sz));
        break;
      case Am.S:
        out.push({ kind: "reg", reg: SEGS[insn.reg]! });
        break;
      case Am.C:
        out.push({ kind: "reg", reg: `cr${regR}` });
        break;
      case Am.D:
        out.push({ kind: "reg", reg: `dr${regR}` });
        break;
      case Am.P:
        out.push({ kind: "reg", reg: `mm${insn.reg}` });
        break;
      case Am.N:
        out.push({ kind: "reg", reg: `mm${insn.rm}` });
        break;
      case Am.Q:
        if (insn.mod === 3) out.push({ kind: "reg", reg: `mm${insn.rm}` });
        else out.push(memOperand(insn, s.memSz));
        break;
      case Am.V:
        out.push({ kind: "reg", reg: vecName(regR | (insn.rp << 4), vecClass(s.sz, insn)) });
        break;
      case Am.U:
      case Am.W:
        if (insn.mod === 3 || s.am === Am.U) {
          const num = rmB | (insn.encoding === ENC_EVEX ? insn.x << 4 : 0);
          out.push({ kind: "reg", reg: vecName(num, vecClass(s.sz, insn)) });
        } else out.push(memOperand(insn, s.memSz));
        break;
      case Am.H:
        out.push({ kind: "reg", reg: vecName(insn.vvvv, vecClass(s.sz, insn)) });
        break;
      case Am.L:
        out.push({ kind: "reg", reg: vecName(is4Reg, vecClass(s.sz, insn)) });
        break;
      case Am.I4:
        out.push({ kind: "imm", value: BigInt(insn.imm & 15), size: 1 });
        break;
      case Am.KV:
        out.push({ kind: "reg", reg: `k${insn.reg}` });
        break;
      case Am.KH:
        out.push({ kind: "reg", reg: `k${insn.vvvv & 7}` });
        break;
      case Am.KU:
        out.push({ kind: "reg", reg: `k${insn.rm}` });
        break;
      case Am.KW:
        if (insn.mod === 3) out.push({ kind: "reg", reg: `k${insn.rm}` });
        else out.push(memOperand(insn, s.memSz));
        break;
      case Am.TV:
        out.push({ kind: "reg", reg: `tmm${insn.reg}` });
        break;
      case Am.TH:
        out.push({ kind: "reg", reg: `tmm${insn.vvvv & 7}` });
        break;
      case Am.TU:
        out.push({ kind: "reg", reg: `tmm${insn.rm}` });
        break;
      case Am.STi:
        out.push({ kind: "reg", reg: `st${insn.rm}` });
        break;
      case Am.ST:
        out.push({ kind: "reg", reg: "st0" });
        break;
      case Am.Fixed:
        if (s.fixedNum >= 0)
          out.push({ kind: "reg", reg: gprName(s.fixedNum, sizeBytes(s.sz, insn), false) });
        else out.push({ kind: "reg", reg: s.fixed });
        break;
    }
  }
  insn.operands = out;
  return { mnemonic: insn.mnemonic, operands: out };
}
