/**
 * VEX / EVEX / XOP / 3DNow! opcode lookup.
 *
 * The rows themselves are data in `tables-vex.ts` (VEX), `tables-vex-evex.ts` (EVEX) and
 * `tables-vex-xop.ts` (XOP, 3DNow!); this file parses them once (on first use), indexes them by
 * encoding/map/opcode and answers `lookupVex`. The contract with the decoder core is in README.md
 * ("Contract with `vex.ts`"); the row syntax is described below.
 *
 * Row syntax — one string per instruction form, Intel notation:
 *
 *     "<pp>.<map>.<op>[/<reg>] <mnemonic> <operands> [attributes…]"
 *
 *   pp         NP | 66 | F3 | F2 (VEX/EVEX/XOP pp field)
 *   map        0F | 0F38 | 0F3A | M5 | M6 (EVEX maps 5/6) | X8 | X9 | XA (XOP maps 8/9/10)
 *   op         opcode byte in hex; `/n`: ModRM.reg must be n (group opcodes)
 *   mnemonic   lower case; `a|b` = `a` for 32-bit GPR operand size, `b` when the `y`-sized operands
 *              are 64-bit (W=1 in 64-bit mode), e.g. `vmovd|vmovq`
 *   operands   comma separated specs (README mini-language), `-` for none. Vector sizes are generic
 *              (`x`, `h`, `qv`, `ov`, `ps`/`pd`/`ph`) and are resolved to concrete sizes per call, so the
 *              core only ever sees `dq`/`qq`/`dqq` (xmm/ymm/zmm) or scalar sizes. `y` is resolved to
 *              `d`/`q`. `a/b` inside one spec is a register-form/memory-form pair (`Rd/Mw`), given to the
 *              core as the one that applies.
 *   attributes
 *     W0 W1          required W (default: W ignored). Applies in 32-bit mode too.
 *     L0 L1 L2 L01 L12 L012 LIG
 *                    allowed vector lengths (0 = 128, 1 = 256, 2 = 512). Default: VEX/XOP L01,
 *                    EVEX L012. LIG = any (EVEX: L'L = 11 still invalid unless it encodes rounding).
 *     k | kz | K     EVEX opmask: merging only | merging or zeroing | required (aaa != 0, no zeroing).
 *                    Without one of these aaa and z must be 0. Zeroing needs aaa != 0 and is invalid
 *                    when the destination (first operand) is memory.
 *     b2 b4 b8       EVEX.b with a memory operand = broadcast of an element of that many bytes
 *     er | sae       EVEX.b with a register operand = embedded rounding / suppress-all-exceptions;
 *                    the vector length is then 512 whatever L'L says
 *     o64            64-bit mode only
 *     N=n            EVEX disp8 scale override (default: the memory operand size, or the broadcast
 *                    element size)
 *     ms=n           memory operand size override (bytes; VSIB element size for gathers/scatters)
 *     rm=n           ModRM.rm must be n (register form)
 *     nomodrm        no ModRM byte (vzeroupper / vzeroall)
 *     distinct=all | distinct=dest
 *                    register-overlap #UD rule, see VexLookup.distinct
 */
import { Encoding } from "./insn";
import { EVEX_ROWS } from "./tables-vex-evex";
import { VEX_ROWS } from "./tables-vex";
import { D3NOW_ROWS, XOP_ROWS } from "./tables-vex-xop";

export interface VexLookup {
  /** false (or returning undefined) = the encoding is invalid (#UD). */
  valid: boolean;
  /** Instruction has a ModRM byte (every VEX-family instruction but vzeroupper/vzeroall). */
  hasModrm: boolean;
  /**
   * Size of the trailing immediate (imm8 or the is4 register byte; 4 = imm32 of the XOP-encoded TBM
   * bextr and LWP lwpins/lwpval, see README "Contract change request"). 3DNow!: always 0.
   */
  immSize: 0 | 1 | 4;
  /** Lower-case Intel mnemonic, e.g. "vaddps", "kmovw", "pfadd". */
  mnemonic: string;
  /** Operand spec strings in Intel order, mini-language of README.md (e.g. ["Vdq", "Hdq", "Wdq"]). */
  ops: readonly string[];
  /**
   * Memory operand size in bytes for display (0/undefined: derive from the spec). With EVEX.b the
   * broadcast element size; for VSIB the element size.
   */
  memSize?: number;
  /** EVEX compressed disp8 scale N (disp8 * N), SDM 2.7.5; undefined/1 for VEX/XOP/3DNow!. */
  disp8N?: number;
  /**
   * Register-overlap rule; breaking it is #UD (iced-x86 reports the instruction invalid). Register
   * numbers are the full ones (with R/R'/X/B/V'). See README "Contract change request".
   *   "all":  the registers named by ModRM.reg, VEX.vvvv and ModRM.rm (register form) or the VSIB
   *           index must be pairwise different (AVX2 gathers, AMX tdp and tcmm).
   *   "dest": the ModRM.reg register must differ from the vvvv register (when an operand uses it)
   *           and from the ModRM.rm register or VSIB index (EVEX gathers; AVX512-FP16 complex
   *           multiplies vf[c]maddc/vf[c]mulc ph/sh).
   */
  distinct?: "all" | "dest";
}

const enum Mask {
  None = 0,
  Merge = 1,
  MergeZero = 2,
  Required = 3,
}

const enum ModReq {
  Any = 0,
  Reg = 1,
  Mem = 2,
}

interface Row {
  readonly text: string;
  readonly pp: number;
  readonly reg: number;
  readonly w: number;
  /** Bit i set: vector length i allowed. */
  readonly lmask: number;
  readonly mnem32: string;
  readonly mnem64: string;
  readonly ops: readonly string[];
  readonly mod: ModReq;
  readonly mask: Mask;
  readonly bcst: number;
  readonly er: boolean;
  readonly sae: boolean;
  readonly o64: boolean;
  readonly n: number;
  readonly ms: number;
  readonly rm: number;
  readonly hasModrm: boolean;
  readonly immSize: 0 | 1 | 4;
  /** First operand is a memory-capable ModRM.rm operand (store form). */
  readonly storeForm: boolean;
  /** VSIB or AMX sibmem operand: the memory form needs a SIB byte (ModRM.rm = 100b). */
  readonly needSib: boolean;
  /** Some operand is `y`-sized (GPR size follows W in 64-bit mode). */
  readonly ySized: boolean;
  readonly distinct: "" | "all" | "dest";
  /** Results already built for this row, by (vector length, 64-bit GPR size, memory form, EVEX.b). */
  readonly results: (VexLookup | undefined)[];
}

const PP_CODES: Record<string, number> = { NP: 0, "66": 0x66, F3: 0xf3, F2: 0xf2 };
const MAP_CODES: Record<string, number> = {
  "0F": 1,
  "0F38": 2,
  "0F3A": 3,
  M5: 5,
  M6: 6,
  X8: 8,
  X9: 9,
  XA: 10,
};
const L_CODES: Record<string, number> = {
  L0: 1,
  L1: 2,
  L2: 4,
  L01: 3,
  L12: 6,
  L012: 7,
  LIG: 7,
};

/** Index of an (encoding, map, opcode) triple in the dispatch array (maps 0..15). */
function key(enc: Encoding, map: number, op: number): number {
  return (((enc << 4) | (map & 15)) << 8) | op;
}

/** Spec is a register-only ModRM.rm operand. */
function regOnly(spec: string): boolean {
  return /^(U|N|R|KU|TU)/.test(spec) && !spec.includes("/");
}

function memOnly(spec: string): boolean {
  return /^M/.test(spec);
}

function parseRow(enc: Encoding, text: string): { k: number; row: Row } {
  const parts = text.trim().split(/\s+/);
  if (parts.length < 3) throw new Error(`vex row "${text}": too few fields`);
  const m = /^(NP|66|F3|F2)\.(0F|0F38|0F3A|M5|M6|X8|X9|XA)\.([0-9A-Fa-f]{2})(?:\/([0-7]))?$/.exec(parts[0]!);
  if (!m) throw new Error(`vex row "${text}": bad opcode field`);
  const pp = PP_CODES[m[1]!]!;
  const map = MAP_CODES[m[2]!]!;
  const op = parseInt(m[3]!, 16);
  const reg = m[4] === undefined ? -1 : Number(m[4]);
  const mn = parts[1]!.split("|");
  const ops = parts[2] === "-" ? [] : parts[2]!.split(",");
  let w = -1;
  let lmask = enc === Encoding.Evex ? 7 : 3;
  let mask = Mask.None;
  let bcst = 0;
  let er = false;
  let sae = false;
  let o64 = false;
  let n = 0;
  let ms = 0;
  let rm = -1;
  let hasModrm = true;
  let distinct: "" | "all" | "dest" = "";
  for (const a of parts.slice(3)) {
    if (a === "W0") w = 0;
    else if (a === "W1") w = 1;
    else if (L_CODES[a] !== undefined) lmask = L_CODES[a]!;
    else if (a === "k") mask = Mask.Merge;
    else if (a === "kz") mask = Mask.MergeZero;
    else if (a === "K") mask = Mask.Required;
    else if (a === "b2" || a === "b4" || a === "b8") bcst = Number(a.slice(1));
    else if (a === "er") er = true;
    else if (a === "sae") sae = true;
    else if (a === "o64") o64 = true;
    else if (a.startsWith("N=")) n = Number(a.slice(2));
    else if (a.startsWith("ms=")) ms = Number(a.slice(3));
    else if (a.startsWith("rm=")) rm = Number(a.slice(3));
    else if (a === "nomodrm") hasModrm = false;
    else if (a === "distinct=all") distinct = "all";
    else if (a === "distinct=dest") distinct = "dest";
    else throw new Error(`vex row "${text}": unknown attribute ${a}`);
  }
  let mod = ModReq.Any;
  for (const s of ops) {
    if (regOnly(s)) mod = ModReq.Reg;
    else if (memOnly(s)) mod = ModReq.Mem;
  }
  if (rm >= 0) mod = ModReq.Reg;
  const immSize = ops.includes("Id")
    ? 4
    : ops.some((s) => s === "Ib" || s === "I4" || s.startsWith("L"))
      ? 1
      : 0;
  const first = ops[0] ?? "";
  const storeForm = /^(W|E|M|KW)/.test(first);
  const row: Row = {
    text,
    pp,
    reg,
    w,
    lmask,
    mnem32: mn[0]!,
    mnem64: mn[1] ?? mn[0]!,
    ops,
    mod,
    mask,
    bcst,
    er,
    sae,
    o64,
    n,
    ms,
    rm,
    hasModrm,
    immSize,
    storeForm,
    ySized: ops.some((s) => /^[EGBR]y|\/My|^Ry/.test(s)),
    needSib: ops.some((s) => s.startsWith("MV") || s === "Msib"),
    distinct,
    results: [],
  };
  return { k: key(enc, map, op), row };
}

let index: (Row[] | undefined)[] | undefined;

function buildIndex(): (Row[] | undefined)[] {
  const idx = new Array<Row[] | undefined>(5 << 12).fill(undefined);
  const add = (enc: Encoding, rows: readonly string[]): void => {
    for (const t of rows) {
      const { k, row } = parseRow(enc, t);
      (idx[k] ??= []).push(row);
    }
  };
  add(Encoding.Vex, VEX_ROWS);
  add(Encoding.Evex, EVEX_ROWS);
  add(Encoding.Xop, XOP_ROWS);
  for (const [suffix, mnemonic] of D3NOW_ROWS) {
    const k = key(Encoding.D3Now, 1, suffix);
    const row: Row = {
      text: mnemonic,
      pp: -1,
      reg: -1,
      w: -1,
      lmask: 0xff,
      mnem32: mnemonic,
      mnem64: mnemonic,
      ops: ["Pq", "Qq"],
      mod: ModReq.Any,
      mask: Mask.None,
      bcst: 0,
      er: false,
      sae: false,
      o64: false,
      n: 0,
      ms: 0,
      rm: -1,
      hasModrm: true,
      immSize: 0,
      storeForm: false,
      ySized: false,
      needSib: false,
      distinct: "",
      results: [],
    };
    idx[k] = [row];
  }
  return idx;
}

/** All rows, parsed (throws on a malformed row). For tests and tools. */
export function vexRowCount(): number {
  index ??= buildIndex();
  let n = 0;
  for (const l of index) n += l?.length ?? 0;
  return n;
}

/** Encoding keys of all VEX/EVEX/XOP rows (tests use them to aim random encodings at real rows). */
export interface VexRowKey {
  encoding: Encoding;
  map: number;
  opcode: number;
  pp: number;
  /** Required ModRM.reg, or -1. */
  reg: number;
  /** Required W, or -1. */
  w: number;
  /** Allowed vector lengths, bit i = length i. */
  lmask: number;
}

export function vexRowKeys(): VexRowKey[] {
  index ??= buildIndex();
  const out: VexRowKey[] = [];
  index.forEach((rows, k) => {
    const encoding = (k >> 12) as Encoding;
    if (rows === undefined || encoding === Encoding.D3Now) return;
    for (const r of rows) {
      out.push({
        encoding,
        map: (k >> 8) & 15,
        opcode: k & 255,
        pp: r.pp,
        reg: r.reg,
        w: r.w,
        lmask: r.lmask,
      });
    }
  });
  return out;
}

// ---------------------------------------------------------------------------------------------
// size resolution

const VEC = ["dq", "qq", "dqq"] as const;
/** Scalar-in-xmm sizes by byte count. */
const BY_BYTES: Record<number, string> = { 1: "b", 2: "w", 4: "d", 8: "q", 16: "dq", 32: "qq", 64: "dqq" };
const SIZE_BYTES: Record<string, number> = {
  b: 1,
  w: 2,
  d: 4,
  q: 8,
  dq: 16,
  qq: 32,
  dqq: 64,
  ss: 4,
  sd: 8,
  sh: 2,
};

/** Vector-register addressing methods (register class follows the size suffix). */
const VEC_AM = /^(MV|V|H|W|U|L|M)(x|h|qv|ov|ps|pd|ph|ss|sd|sh|b|w|d|q|dq|qq|dqq)$/;

/**
 * Resolves one generic spec to a concrete one for vector length `vl` (0..2) and 64-bit GPR size `q`.
 * Returns [spec, memory size in bytes (0 when the spec has no memory form or no size)].
 */
function resolveSpec(spec: string, vl: number, q: boolean, isMem: boolean, bcst: number): [string, number] {
  const slash = spec.indexOf("/");
  if (slash >= 0) {
    // Rd/Mw pair: pick the applicable half
    return resolveSpec(isMem ? spec.slice(slash + 1) : spec.slice(0, slash), vl, q, isMem, bcst);
  }
  const vm = VEC_AM.exec(spec);
  if (vm) {
    const am = vm[1]!;
    const sz = vm[2]!;
    const full = 16 << vl;
    let bytes: number;
    let regClass: string;
    switch (sz) {
      case "x":
      case "ps":
      case "pd":
      case "ph":
        bytes = full;
        regClass = VEC[vl]!;
        break;
      case "h":
        bytes = full / 2;
        regClass = vl === 2 ? "qq" : "dq";
        break;
      case "qv":
        bytes = full / 4;
        regClass = "dq";
        break;
      case "ov":
        bytes = full / 8;
        regClass = "dq";
        break;
      default:
        bytes = SIZE_BYTES[sz] ?? 0;
        regClass = sz;
    }
    if (am === "W") {
      // reg-or-mem: the register class is what matters in register form, the size in memory form
      if (!isMem) return [`W${regClass === "dqq" || regClass === "qq" ? regClass : "dq"}`, 0];
      if (bcst !== 0) bytes = bcst; // EVEX.b: one broadcast element is read
      return [`W${BY_BYTES[bytes] ?? sz}`, bytes];
    }
    if (am === "M") return [`M${BY_BYTES[bytes] ?? sz}`, bytes];
    if (am === "MV") return [`MV${regClass}`, 0];
    return [`${am}${VEC.includes(regClass as (typeof VEC)[number]) ? regClass : "dq"}`, 0];
  }
  const gm = /^(E|G|B|R|M)(y|d|q|w|b)?$/.exec(spec);
  if (gm) {
    let sz = gm[2] ?? "";
    if (sz === "y") sz = q ? "q" : "d";
    const bytes = SIZE_BYTES[sz] ?? 0;
    return [`${gm[1]}${sz}`, gm[1] === "E" || gm[1] === "M" ? bytes : 0];
  }
  const km = /^KW([bwdq])$/.exec(spec);
  if (km) return [spec, SIZE_BYTES[km[1]!]!];
  return [spec, 0];
}

interface Resolved {
  ops: readonly string[];
  memSize: number;
}

/** Resolved operand lists are shared between rows (same strings → same array, for the core's caches). */
const resolvedCache = new Map<string, Resolved>();

function resolveOps(row: Row, vl: number, q: boolean, isMem: boolean, bcst: number): Resolved {
  const ck = `${row.ops.join(",")}\u0000${vl}${q ? 1 : 0}${isMem ? 1 : 0}${bcst}`;
  const hit = resolvedCache.get(ck);
  if (hit !== undefined) return hit;
  const ops: string[] = [];
  let memSize = 0;
  for (const s of row.ops) {
    const [r, bytes] = resolveSpec(s, vl, q, isMem, bcst);
    ops.push(r);
    if (isMem && bytes > 0 && /^(W|E|M|KW)/.test(r)) memSize = bytes;
  }
  const res: Resolved = { ops: Object.freeze(ops), memSize };
  resolvedCache.set(ck, res);
  return res;
}

// ---------------------------------------------------------------------------------------------
// lookup

function matches(
  row: Row,
  pp: number,
  w: number,
  vl: number,
  isReg: boolean,
  reg: number,
  rm: number,
  bits: number,
): boolean {
  if (row.pp >= 0 && row.pp !== pp) return false;
  if (row.reg >= 0 && row.reg !== reg) return false;
  if (row.w >= 0 && row.w !== w) return false;
  if ((row.lmask & (1 << vl)) === 0) return false;
  if (row.o64 && bits !== 64) return false;
  if (row.mod === ModReq.Reg && !isReg) return false;
  if (row.mod === ModReq.Mem && isReg) return false;
  if (row.rm >= 0 && row.rm !== rm) return false;
  if (row.needSib && rm !== 4) return false;
  return true;
}

/**
 * @param encoding Vex, Evex, Xop or D3Now.
 * @param map VEX/EVEX mmmmm (1 = 0F, 2 = 0F38, 3 = 0F3A, EVEX 5/6), XOP mmmmm (8, 9, 10), 3DNow!: 1.
 * @param opcode the opcode byte (3DNow!: the imm8 suffix byte).
 * @param pp implied mandatory prefix (VEX/EVEX/XOP pp; 3DNow!: the legacy 66/F2/F3 that counts, or 0).
 * @param w VEX/EVEX/XOP W bit (0/1), as encoded (also in 32-bit mode).
 * @param vl vector length: 0 = 128, 1 = 256, 2 = 512, 3 = EVEX L'L=11 (reserved; also rounding with b+reg).
 * @param modrmIsReg ModRM.mod == 11 (false if the ModRM byte is not readable).
 * @param reg ModRM.reg, 0..7, without R/R'.
 * @param bits 32 or 64.
 * @param evexB EVEX.b (broadcast / rounding / SAE), 0 otherwise.
 * @param rm ModRM.rm, 0..7, without B/X.
 * @param aaa EVEX opmask register 0..7, 0 otherwise.
 * @param z EVEX.z, 0 otherwise.
 * @param modrm the whole ModRM byte, or -1 if it is not readable / not applicable.
 */
export function lookupVex(
  encoding: Encoding,
  map: number,
  opcode: number,
  pp: 0 | 0x66 | 0xf2 | 0xf3,
  w: number,
  vl: number,
  modrmIsReg: boolean,
  reg: number,
  bits: 32 | 64,
  evexB: number,
  rm: number,
  aaa: number,
  z: number,
  modrm: number,
): VexLookup | undefined {
  index ??= buildIndex();
  if (map > 15) return undefined;
  const rows = index[key(encoding, map, opcode)];
  if (rows === undefined) return undefined;
  if (encoding === Encoding.D3Now) {
    const row = rows[0]!;
    const i = modrmIsReg ? 0 : 1;
    return (row.results[i] ??= Object.freeze({
      valid: true,
      hasModrm: true,
      immSize: 0,
      mnemonic: row.mnem32,
      ops: row.ops,
      memSize: modrmIsReg ? 0 : 8,
    }));
  }
  const evex = encoding === Encoding.Evex;
  // Rows that need no ModRM never look at it.
  const isReg = modrmIsReg;
  const isMem = modrm >= 0 && !modrmIsReg;
  // EVEX.b on a register operand: rounding / SAE, L'L is the rounding mode and the length is 512.
  const bReg = evex && evexB !== 0 && isReg;
  const vlMatch = bReg ? 2 : vl;
  if (evex && vl === 3 && !bReg) return undefined;
  if (!evex && vl > 1) return undefined;
  for (const row of rows) {
    if (!row.hasModrm) {
      if (row.pp !== pp || (row.w >= 0 && row.w !== w) || (row.lmask & (1 << vl)) === 0) continue;
    } else if (!matches(row, pp, w, vlMatch, isReg, reg, rm, bits)) continue;
    if (evex) {
      if (evexB !== 0) {
        if (isReg && !row.er && !row.sae) return undefined;
        if (isMem && row.bcst === 0) return undefined;
      }
      switch (row.mask) {
        case Mask.None:
          if (aaa !== 0 || z !== 0) return undefined;
          break;
        case Mask.Merge:
          if (z !== 0) return undefined;
          break;
        case Mask.MergeZero:
          if (z !== 0 && (aaa === 0 || (isMem && row.storeForm))) return undefined;
          break;
        case Mask.Required:
          if (aaa === 0 || z !== 0) return undefined;
          break;
      }
    }
    const q = (row.ySized || row.mnem32 !== row.mnem64) && w === 1 && bits === 64;
    const ri = (((vlMatch << 1) | (q ? 1 : 0)) << 2) | (isMem ? 2 : 0) | (evexB !== 0 ? 1 : 0);
    const hit = row.results[ri];
    if (hit !== undefined) return hit;
    const res = resolveOps(row, vlMatch, q, isMem, evex && evexB !== 0 && isMem ? row.bcst : 0);
    const out: VexLookup = {
      valid: true,
      hasModrm: row.hasModrm,
      immSize: row.immSize,
      mnemonic: q ? row.mnem64 : row.mnem32,
      ops: res.ops,
    };
    if (row.distinct !== "") out.distinct = row.distinct;
    if (isMem && row.hasModrm) {
      let size = row.ms !== 0 ? row.ms : res.memSize;
      if (evex && evexB !== 0) size = row.bcst;
      out.memSize = size;
      if (evex) out.disp8N = row.n !== 0 ? row.n : size !== 0 ? size : 1;
    }
    row.results[ri] = Object.freeze(out);
    return out;
  }
  return undefined;
}
