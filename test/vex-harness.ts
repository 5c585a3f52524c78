/**
 * Test harness for the VEX-family tables: a small reference "core" that parses VEX/EVEX/XOP/3DNow!
 * encodings, calls `lookupVex` and renders the operand specs, plus an iced-x86 adapter producing the
 * same shape. Used by test/decoder.vex.test.ts (next to the real decoder) and by
 * scripts/decoder-vex-probe.mjs (systematic sweeps over map/opcode/pp/W/L/mod/reg/b/z/aaa).
 */
import * as iced from "iced-x86";
import { Encoding, type Operand } from "../src/cpu/decoder/insn";
import { decode, describe as describeInsn } from "../src/cpu/decoder/decoder";
import { lookupVex, type VexRowKey, vexRowKeys } from "../src/cpu/decoder/vex";

export interface Decoded {
  valid: boolean;
  len: number;
  mnemonic: string;
  operands: Operand[];
}

const GPR64 = [
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
const GPR32 = [
  "eax",
  "ecx",
  "edx",
  "ebx",
  "esp",
  "ebp",
  "esi",
  "edi",
  "r8d",
  "r9d",
  "r10d",
  "r11d",
  "r12d",
  "r13d",
  "r14d",
  "r15d",
];
const SEGS = ["es", "cs", "ss", "ds", "fs", "gs"];

// ---------------------------------------------------------------------------------------------
// iced adapter

const decoders = new Map<string, iced.Decoder>();

export function icedDecode(bytes: Uint8Array, bits: 32 | 64): Decoded {
  const d = new iced.Decoder(bits, bytes, iced.DecoderOptions.None);
  d.ip = 0n;
  const insn = d.decode();
  d.free();
  void decoders;
  if (insn.isInvalid) {
    const r: Decoded = { valid: false, len: insn.length, mnemonic: "", operands: [] };
    insn.free();
    return r;
  }
  const ops: Operand[] = [];
  for (let i = 0; i < insn.opCount; i++) {
    const k = insn.opKind(i);
    switch (k) {
      case iced.OpKind.Register:
        ops.push({ kind: "reg", reg: iced.Register[insn.opRegister(i)]!.toLowerCase() });
        break;
      case iced.OpKind.Memory: {
        const base = insn.memoryBase;
        const index = insn.memoryIndex;
        const baseName = base === iced.Register.None ? "" : iced.Register[base]!.toLowerCase();
        let disp = insn.memoryDisplacement;
        if (base === iced.Register.RIP || base === iced.Register.EIP) disp = insn.ipRelMemoryAddress;
        ops.push({
          kind: "mem",
          seg: iced.Register[insn.memorySegment]!.toLowerCase(),
          base: baseName,
          index: index === iced.Register.None ? "" : iced.Register[index]!.toLowerCase(),
          scale: insn.memoryIndexScale as 1 | 2 | 4 | 8,
          disp: BigInt.asUintN(bits, disp),
          size: iced.MemorySizeExt.size(insn.memorySize),
        });
        break;
      }
      case iced.OpKind.Immediate8:
      case iced.OpKind.Immediate8_2nd:
        ops.push({ kind: "imm", value: insn.immediate(i), size: 1 });
        break;
      case iced.OpKind.Immediate16:
        ops.push({ kind: "imm", value: insn.immediate(i), size: 2 });
        break;
      case iced.OpKind.Immediate32:
        ops.push({ kind: "imm", value: insn.immediate(i), size: 4 });
        break;
      case iced.OpKind.MemorySegSI:
      case iced.OpKind.MemorySegESI:
      case iced.OpKind.MemorySegRSI:
      case iced.OpKind.MemorySegDI:
      case iced.OpKind.MemorySegEDI:
      case iced.OpKind.MemorySegRDI:
      case iced.OpKind.MemoryESDI:
      case iced.OpKind.MemoryESEDI:
      case iced.OpKind.MemoryESRDI: {
        const name = iced.OpKind[k]!;
        const base = name.endsWith("RSI")
          ? "rsi"
          : name.endsWith("ESI")
            ? "esi"
            : name.endsWith("SI")
              ? "si"
              : name.endsWith("RDI")
                ? "rdi"
                : name.endsWith("EDI")
                  ? "edi"
                  : "di";
        ops.push({
          kind: "mem",
          seg: iced.Register[insn.memorySegment]!.toLowerCase(),
          base,
          index: "",
          scale: 1,
          disp: 0n,
          size: iced.MemorySizeExt.size(insn.memorySize),
        });
        break;
      }
      default:
        ops.push({ kind: "imm", value: insn.immediate(i), size: 8 });
    }
  }
  const r: Decoded = {
    valid: true,
    len: insn.length,
    mnemonic: iced.Mnemonic[insn.mnemonic]!.toLowerCase(),
    operands: ops,
  };
  insn.free();
  return r;
}

// ---------------------------------------------------------------------------------------------
// reference core

interface Fields {
  enc: Encoding;
  map: number;
  op: number;
  pp: 0 | 0x66 | 0xf2 | 0xf3;
  w: number;
  vl: number;
  r: number;
  x: number;
  b: number;
  rp: number;
  vp: number;
  vvvv: number;
  aaa: number;
  z: number;
  evexB: number;
  /** Index of the opcode byte. */
  opAt: number;
}

const PPS: readonly (0 | 0x66 | 0xf3 | 0xf2)[] = [0, 0x66, 0xf3, 0xf2];
const INVALID: Decoded = { valid: false, len: 0, mnemonic: "", operands: [] };

/** Parses the VEX-family prefix. null: not a VEX-family encoding in this mode (legacy les/lds/bound/pop). */
function parsePrefix(b: Uint8Array, bits: 32 | 64): Fields | "invalid" | null {
  const c = b[0]!;
  const b1 = b[1] ?? 0;
  if (c === 0x0f && b[1] === 0x0f) {
    return {
      enc: Encoding.D3Now,
      map: 1,
      op: 0,
      pp: 0,
      w: 0,
      vl: 0,
      r: 0,
      x: 0,
      b: 0,
      rp: 0,
      vp: 0,
      vvvv: 0,
      aaa: 0,
      z: 0,
      evexB: 0,
      opAt: 2,
    };
  }
  if (bits === 32 && c !== 0x8f && (b1 & 0xc0) !== 0xc0) return null;
  if (c === 0xc5) {
    const f: Fields = {
      enc: Encoding.Vex,
      map: 1,
      op: b[2] ?? 0,
      pp: PPS[b1 & 3]!,
      w: 0,
      vl: (b1 >> 2) & 1,
      r: (~b1 >> 7) & 1,
      x: 0,
      b: 0,
      rp: 0,
      vp: 0,
      vvvv: (~b1 >> 3) & 15,
      aaa: 0,
      z: 0,
      evexB: 0,
      opAt: 2,
    };
    return f;
  }
  if (c === 0xc4 || c === 0x8f) {
    const map = b1 & 31;
    if (c === 0x8f && map < 8) return null;
    const b2 = b[2] ?? 0;
    const f: Fields = {
      enc: c === 0xc4 ? Encoding.Vex : Encoding.Xop,
      map,
      op: b[3] ?? 0,
      pp: PPS[b2 & 3]!,
      w: b2 >> 7,
      vl: (b2 >> 2) & 1,
      r: (~b1 >> 7) & 1,
      x: (~b1 >> 6) & 1,
      b: (~b1 >> 5) & 1,
      rp: 0,
      vp: 0,
      vvvv: (~b2 >> 3) & 15,
      aaa: 0,
      z: 0,
      evexB: 0,
      opAt: 3,
    };
    return f;
  }
  if (c === 0x62) {
    const p0 = b1;
    const p1 = b[2] ?? 0;
    const p2 = b[3] ?? 0;
    if ((p0 & 0x08) !== 0 || (p1 & 4) === 0) return "invalid";
    const f: Fields = {
      enc: Encoding.Evex,
      map: p0 & 7,
      op: b[4] ?? 0,
      pp: PPS[p1 & 3]!,
      w: p1 >> 7,
      vl: (p2 >> 5) & 3,
      r: (~p0 >> 7) & 1,
      x: (~p0 >> 6) & 1,
      b: (~p0 >> 5) & 1,
      rp: (~p0 >> 4) & 1,
      vp: (~p2 >> 3) & 1,
      vvvv: (~p1 >> 3) & 15,
      aaa: p2 & 7,
      z: p2 >> 7,
      evexB: (p2 >> 4) & 1,
      opAt: 4,
    };
    return f;
  }
  return null;
}

interface Modrm {
  mod: number;
  reg: number;
  rm: number;
  len: number;
  base: number;
  index: number;
  scale: number;
  disp: bigint;
  dispSize: number;
  ripRel: boolean;
  hasSib: boolean;
}

function parseModrm(b: Uint8Array, at: number, bits: 32 | 64): Modrm | undefined {
  if (at >= b.length) return undefined;
  const m = b[at]!;
  const mod = m >> 6;
  const reg = (m >> 3) & 7;
  const rm = m & 7;
  const r: Modrm = {
    mod,
    reg,
    rm,
    len: 1,
    base: -1,
    index: -1,
    scale: 1,
    disp: 0n,
    dispSize: 0,
    ripRel: false,
    hasSib: false,
  };
  if (mod === 3) return r;
  let p = at + 1;
  if (rm === 4) {
    const sib = b[p++]!;
    r.hasSib = true;
    r.scale = 1 << (sib >> 6);
    r.index = (sib >> 3) & 7;
    r.base = sib & 7;
    if (r.base === 5 && mod === 0) {
      r.base = -1;
      r.dispSize = 4;
    }
  } else if (rm === 5 && mod === 0) {
    r.dispSize = 4;
    r.ripRel = bits === 64;
  } else r.base = rm;
  if (mod === 1) r.dispSize = 1;
  else if (mod === 2) r.dispSize = 4;
  if (r.dispSize === 1) r.disp = BigInt((b[p]! << 24) >> 24);
  else if (r.dispSize === 4)
    r.disp = BigInt(b[p]! | (b[p + 1]! << 8) | (b[p + 2]! << 16) | (b[p + 3]! << 24));
  p += r.dispSize;
  r.len = p - at;
  return r;
}

function vecName(sz: string, n: number): string {
  if (sz === "qq") return `ymm${n}`;
  if (sz === "dqq") return `zmm${n}`;
  return `xmm${n}`;
}

function gpr(sz: string, n: number): string {
  return sz === "q" ? GPR64[n]! : GPR32[n]!;
}

const SIZE: Record<string, number> = { b: 1, w: 2, d: 4, q: 8, dq: 16, qq: 32, dqq: 64, ss: 4, sd: 8, sh: 2 };

/** Reference decode of one VEX-family instruction (null: not VEX-family here). */
export function refDecode(bytes: Uint8Array, bits: 32 | 64): Decoded | null {
  // legacy prefixes: segment overrides are honoured, 67 is not modelled here, the rest make a
  // VEX-family instruction invalid (3DNow! takes 66/F2/F3 as ignored prefixes).
  let np = 0;
  let segOv = -1;
  let bad = false;
  let lock = false;
  for (;;) {
    const c = bytes[np]!;
    const segIdx = [0x26, 0x2e, 0x36, 0x3e, 0x64, 0x65].indexOf(c);
    if (segIdx >= 0) {
      segOv = segIdx;
      np++;
    } else if (c === 0x67) return null;
    else if (c === 0x66 || c === 0xf2 || c === 0xf3) {
      bad = true;
      np++;
    } else if (c === 0xf0) {
      bad = true;
      lock = true;
      np++;
    } else if (bits === 64 && (c & 0xf0) === 0x40) {
      bad = true;
      np++;
    } else break;
  }
  const d = refDecodeBody(bytes.subarray(np), bits, segOv, bad, lock);
  if (d === null || !d.valid) return d;
  const len = d.len + np;
  if (len > 15) return INVALID;
  if (np === 0) return d;
  for (const o of d.operands) {
    if (o.kind === "mem" && o.base === "rip") o.disp = BigInt.asUintN(64, o.disp + BigInt(np));
  }
  return { ...d, len };
}

function refDecodeBody(
  b: Uint8Array,
  bits: 32 | 64,
  segOv: number,
  badPrefix: boolean,
  lock: boolean,
): Decoded | null {
  const f = parsePrefix(b, bits);
  if (f === null) return null;
  if (f === "invalid") return INVALID;
  if (f.enc === Encoding.D3Now ? lock : badPrefix) return INVALID;
  const is64 = bits === 64;
  let modrm: Modrm | undefined;
  let lk;
  let immAt: number;
  if (f.enc === Encoding.D3Now) {
    modrm = parseModrm(b, 2, bits);
    if (modrm === undefined) return INVALID;
    immAt = 2 + modrm.len;
    if (immAt >= b.length) return INVALID;
    f.op = b[immAt]!;
    lk = lookupVex(
      Encoding.D3Now,
      1,
      f.op,
      0,
      0,
      0,
      modrm.mod === 3,
      modrm.reg,
      bits,
      0,
      modrm.rm,
      0,
      0,
      b[2]!,
    );
    if (lk === undefined || !lk.valid) return INVALID;
    immAt += 1;
  } else {
    const mAt = f.opAt + 1;
    const mb = mAt < b.length ? b[mAt]! : -1;
    lk = lookupVex(
      f.enc,
      f.map,
      f.op,
      f.pp,
      f.w,
      f.vl,
      mb >= 0 && mb >> 6 === 3,
      (mb >> 3) & 7,
      bits,
      f.evexB,
      mb & 7,
      f.aaa,
      f.z,
      mb,
    );
    if (lk === undefined || !lk.valid) return INVALID;
    immAt = mAt;
    if (lk.hasModrm) {
      modrm = parseModrm(b, mAt, bits);
      if (modrm === undefined) return INVALID;
      immAt += modrm.len;
    }
  }
  const len = immAt + lk.immSize;
  if (len > 15) return INVALID;
  // generic rules of the core
  const usesV = lk.ops.some((s) => /^(H|B|KH|TH)/.test(s));
  const vsib = lk.ops.some((s) => s.startsWith("MV"));
  if (f.enc !== Encoding.D3Now) {
    // unused vvvv must be 1111b, all four bits even in 32-bit mode (where a used vvvv's bit 3 is ignored)
    if (!usesV && f.vvvv !== 0) return INVALID;
    if (f.enc === Encoding.Evex && f.vp !== 0 && (!is64 || (!usesV && !vsib))) return INVALID;
    // register-class range checks (64-bit mode): k and tmm registers have no R/R'/B/vvvv[3]
    // extensions, a GPR in ModRM.reg has no EVEX.R'
    if (is64 && modrm !== undefined) {
      for (const s of lk.ops) {
        if ((s === "KV" || s === "TV") && (f.r || f.rp)) return INVALID;
        if ((s === "KH" || s === "TH") && f.vvvv > 7) return INVALID;
        if (s === "TU" && f.b) return INVALID;
        if (s.startsWith("G") && f.rp) return INVALID;
      }
    }
  }
  // register numbers
  const R = is64 ? f.r * 8 + f.rp * 16 : 0;
  const X = is64 ? f.x : 0;
  const B = is64 ? f.b : 0;
  const V = is64 ? f.vvvv + f.vp * 16 : f.vvvv & 7;
  if (lk.distinct !== undefined && modrm !== undefined) {
    const isTile = lk.ops[0]!.startsWith("T");
    const d = isTile ? modrm.reg : modrm.reg + R;
    const h = usesV ? (isTile ? f.vvvv & 7 : V) : -1;
    let o = -1;
    if (vsib) o = modrm.index + X * 8 + (f.enc === Encoding.Evex && is64 ? f.vp * 16 : 0);
    else if (modrm.mod === 3)
      o = isTile ? modrm.rm : modrm.rm + B * 8 + (f.enc === Encoding.Evex ? X * 16 : 0);
    if (d === h || d === o) return INVALID;
    if (lk.distinct === "all" && h >= 0 && h === o) return INVALID;
  }
  const ops: Operand[] = [];
  const imm = lk.immSize === 1 ? b[immAt]! : 0;
  for (const s of lk.ops) {
    const m = /^(MV|Msib|KV|KH|KU|KW|TV|TH|TU|XD|[A-Z])([a-z0-9]*)$/.exec(s);
    if (!m) throw new Error(`harness: bad spec ${s}`);
    const am = m[1]!;
    const sz = m[2]!;
    const md = modrm!;
    const memOp = (size: number, vsibSz?: string): Operand => {
      let base = "";
      let index = "";
      let seg = "ds";
      let disp = md.disp;
      if (f.enc === Encoding.Evex && md.dispSize === 1) disp *= BigInt(lk.disp8N ?? 1);
      if (md.ripRel) {
        base = "rip";
        disp = disp + BigInt(len);
      } else if (md.base >= 0) {
        const bn = md.base + B * 8;
        base = is64 ? GPR64[bn]! : GPR32[md.base]!;
        if ((bn & 7) === 4 || (bn & 7) === 5) seg = bn === 4 || bn === 5 || !is64 ? "ss" : "ds";
        if (is64 && (bn === 12 || bn === 13)) seg = "ds";
      }
      if (md.hasSib) {
        const ix = md.index + X * 8;
        if (vsibSz !== undefined)
          index = vecName(vsibSz, ix + (f.enc === Encoding.Evex && is64 ? f.vp * 16 : 0));
        else if (ix !== 4) index = is64 ? GPR64[ix]! : GPR32[md.index]!;
      }
      if (segOv >= 0) seg = SEGS[segOv]!;
      return {
        kind: "mem",
        seg,
        base,
        index,
        scale: (index === "" ? 1 : md.scale) as 1 | 2 | 4 | 8,
        disp: BigInt.asUintN(bits, disp),
        size,
      };
    };
    const memSize = lk.memSize ?? SIZE[sz] ?? 0;
    switch (am) {
      case "V":
        ops.push({ kind: "reg", reg: vecName(sz, md.reg + R) });
        break;
      case "H":
        ops.push({ kind: "reg", reg: vecName(sz, V) });
        break;
      case "U":
      case "W":
        if (md.mod === 3)
          ops.push({ kind: "reg", reg: vecName(sz, md.rm + B * 8 + (f.enc === Encoding.Evex ? X * 16 : 0)) });
        else ops.push(memOp(memSize));
        break;
      case "L":
        ops.push({ kind: "reg", reg: vecName(sz, is64 ? imm >> 4 : (imm >> 4) & 7) });
        break;
      case "M":
        ops.push(memOp(memSize));
        break;
      case "Msib":
        ops.push(memOp(memSize));
        break;
      case "MV":
        ops.push(memOp(memSize, sz));
        break;
      case "XD":
        ops.push({
          kind: "mem",
          seg: segOv >= 0 ? SEGS[segOv]! : "ds",
          base: is64 ? "rdi" : "edi",
          index: "",
          scale: 1,
          disp: 0n,
          size: SIZE[sz] ?? 0,
        });
        break;
      case "G":
        ops.push({ kind: "reg", reg: gpr(sz, md.reg + (is64 ? f.r * 8 : 0)) });
        break;
      case "B":
        ops.push({ kind: "reg", reg: gpr(sz, is64 ? f.vvvv : f.vvvv & 7) });
        break;
      case "E":
      case "R":
        if (md.mod === 3) ops.push({ kind: "reg", reg: gpr(sz, md.rm + B * 8) });
        else ops.push(memOp(memSize));
        break;
      case "KV":
        ops.push({ kind: "reg", reg: `k${md.reg}` });
        break;
      case "KH":
        ops.push({ kind: "reg", reg: `k${f.vvvv & 7}` });
        break;
      case "KU":
      case "KW":
        if (md.mod === 3) ops.push({ kind: "reg", reg: `k${md.rm}` });
        else ops.push(memOp(memSize));
        break;
      case "TV":
        ops.push({ kind: "reg", reg: `tmm${md.reg}` });
        break;
      case "TH":
        ops.push({ kind: "reg", reg: `tmm${f.vvvv & 7}` });
        break;
      case "TU":
        ops.push({ kind: "reg", reg: `tmm${md.rm}` });
        break;
      case "P":
        ops.push({ kind: "reg", reg: `mm${md.reg}` });
        break;
      case "Q":
        if (md.mod === 3) ops.push({ kind: "reg", reg: `mm${md.rm}` });
        else ops.push(memOp(8));
        break;
      case "I":
        if (sz === "4") ops.push({ kind: "imm", value: BigInt(imm & 15), size: 1 });
        else if (sz === "d") {
          const v = b[immAt]! | (b[immAt + 1]! << 8) | (b[immAt + 2]! << 16) | (b[immAt + 3]! << 24);
          ops.push({ kind: "imm", value: BigInt(v >>> 0), size: 4 });
        } else ops.push({ kind: "imm", value: BigInt(imm), size: 1 });
        break;
      default:
        throw new Error(`harness: unhandled spec ${s}`);
    }
  }
  if (len > b.length) return INVALID;
  return { valid: true, len, mnemonic: lk.mnemonic, operands: ops };
}

export function fmtOp(o: Operand): string {
  switch (o.kind) {
    case "reg":
      return o.reg;
    case "imm":
      return `${o.value}/${o.size}`;
    case "mem":
      return `${o.size}:${o.seg}:[${o.base}+${o.index}*${o.index === "" ? 1 : o.scale}+${o.disp.toString(16)}]`;
    default:
      return JSON.stringify(o);
  }
}

export function fmt(d: Decoded): string {
  if (!d.valid) return "INVALID";
  return `${d.len} ${d.mnemonic} ${d.operands.map(fmtOp).join(", ")}`;
}

/** Returns a description of the difference, or "" when they agree. */
export function diff(a: Decoded, b: Decoded): string {
  if (a.valid !== b.valid) return "validity";
  if (!a.valid) return "";
  if (a.len !== b.len) return "length";
  if (a.mnemonic !== b.mnemonic) return "mnemonic";
  if (fmt(a) !== fmt(b)) return "operands";
  return "";
}

export function hexOf(b: Uint8Array, n = b.length): string {
  return Array.from(b.subarray(0, n), (x) => x.toString(16).padStart(2, "0")).join("");
}

// ---------------------------------------------------------------------------------------------
// random generator (test/decoder.vex.test.ts)

const D3NOW_SUFFIXES = [
  0x0c, 0x0d, 0x1c, 0x1d, 0x8a, 0x8e, 0x90, 0x94, 0x96, 0x97, 0x9a, 0x9e, 0xa0, 0xa4, 0xa6, 0xa7, 0xaa, 0xae,
  0xb0, 0xb4, 0xb6, 0xb7, 0xbb, 0xbf,
];

/** Length of ModRM + SIB + displacement starting at buf[at] (32/64-bit addressing). */
function modrmLen(buf: Uint8Array, at: number): number {
  const m = buf[at]!;
  const mod = m >> 6;
  const rm = m & 7;
  if (mod === 3) return 1;
  let n = 1;
  let base = rm;
  if (rm === 4) {
    base = buf[at + 1]! & 7;
    n++;
  }
  if (mod === 1) n += 1;
  else if (mod === 2 || (mod === 0 && base === 5)) n += 4;
  return n;
}

let rowKeys: Map<Encoding, VexRowKey[]> | undefined;

/** A random table row of encoding `enc`. */
function randomRow(next: () => number, enc: Encoding): VexRowKey {
  if (rowKeys === undefined) {
    rowKeys = new Map();
    for (const k of vexRowKeys()) {
      const l = rowKeys.get(k.encoding) ?? [];
      l.push(k);
      rowKeys.set(k.encoding, l);
    }
  }
  const l = rowKeys.get(enc)!;
  return l[next() % l.length]!;
}

const PP_BITS: Record<number, number> = { 0: 0, 0x66: 1, 0xf3: 2, 0xf2: 3 };

/** Vector length allowed by `lmask` (random among the allowed ones). */
function pickL(next: () => number, lmask: number): number {
  const ls = [0, 1, 2].filter((l) => (lmask >> l) & 1);
  return ls.length === 0 ? 0 : ls[next() % ls.length]!;
}

/**
 * One random instruction that starts with a VEX-family encoding (possibly after segment/67 prefixes).
 * Half of the VEX/EVEX/XOP ones are aimed at a table row (map/opcode/pp/W/L/ModRM.reg from the row,
 * everything else random), the others are random in map/opcode/pp/W/L too.
 */
export function randomVexFamily(next: () => number, bits: 32 | 64): Uint8Array {
  const out = new Uint8Array(16);
  for (let i = 0; i < 16; i++) out[i] = next() & 0xff;
  let p = 0;
  const pre = next() % 100;
  if (pre < 4) out[p++] = [0x2e, 0x36, 0x3e, 0x26, 0x64, 0x65][next() % 6]!;
  else if (pre < 7) out[p++] = 0x67;
  else if (pre < 8) out[p++] = [0x66, 0xf2, 0xf3, 0xf0, 0x40][next() % 5]!;
  const kind = next() % 100;
  const vvvvBias = (v: number): number => (next() % 2 === 0 ? v | 0x78 : v);
  const b32 = bits === 32;
  if (kind < 12) {
    out[p++] = 0xc5;
    let b1 = vvvvBias(out[p]!);
    if (b32) b1 |= 0xc0;
    out[p] = b1;
  } else if (kind < 37) {
    out[p++] = 0xc4;
    let b1 = out[p]!;
    if (next() % 10 !== 0) b1 = (b1 & 0xe0) | (1 + (next() % 3));
    if (b32) b1 |= 0xc0;
    let b2 = vvvvBias(out[p + 1]!);
    if (next() % 2 === 0) {
      const r = randomRow(next, Encoding.Vex);
      b1 = (b1 & 0xe0) | r.map;
      b2 = (b2 & 0x78) | PP_BITS[r.pp]! | (pickL(next, r.lmask) << 2) | ((r.w < 0 ? next() & 1 : r.w) << 7);
      out[p + 2] = r.opcode;
      if (r.reg >= 0) out[p + 3] = (out[p + 3]! & 0xc7) | (r.reg << 3);
    }
    out[p++] = b1;
    out[p] = b2;
  } else if (kind < 80) {
    out[p++] = 0x62;
    let p0 = out[p]!;
    if (next() % 20 !== 0) p0 &= ~0x08;
    if (next() % 10 !== 0) p0 = (p0 & 0xf8) | [1, 2, 3, 5, 6][next() % 5]!;
    if (b32) p0 |= 0xc0;
    let p1 = vvvvBias(out[p + 1]!);
    if (next() % 20 !== 0) p1 |= 0x04;
    let p2 = out[p + 2]!;
    if (next() % 4 !== 0) p2 &= 0x7f; // z mostly clear
    if (next() % 3 !== 0) p2 &= ~0x10; // b mostly clear
    if (next() % 6 !== 0) p2 |= 0x08; // V' mostly 1 (unused)
    if (next() % 2 === 0) p2 &= ~0x07; // no mask half of the time
    if (next() % 2 === 0) {
      const r = randomRow(next, Encoding.Evex);
      p0 = (p0 & 0xf8) | r.map;
      p1 = (p1 & 0x7c) | PP_BITS[r.pp]! | ((r.w < 0 ? next() & 1 : r.w) << 7);
      if ((p2 & 0x10) === 0 || next() % 2 === 0) p2 = (p2 & 0x9f) | (pickL(next, r.lmask) << 5);
      out[p + 3] = r.opcode;
      if (r.reg >= 0) out[p + 4] = (out[p + 4]! & 0xc7) | (r.reg << 3);
    }
    out[p++] = p0;
    out[p++] = p1;
    out[p] = p2;
  } else if (kind < 90) {
    out[p++] = 0x8f;
    let b1 = out[p]!;
    b1 = (b1 & 0xe0) | (next() % 10 !== 0 ? 8 + (next() % 3) : 8 + (b1 & 0x17));
    if (b32) b1 |= 0xc0;
    let b2 = vvvvBias(out[p + 1]!);
    if (next() % 2 === 0) {
      const r = randomRow(next, Encoding.Xop);
      b1 = (b1 & 0xe0) | r.map;
      b2 = (b2 & 0x78) | PP_BITS[r.pp]! | (pickL(next, r.lmask) << 2) | ((r.w < 0 ? next() & 1 : r.w) << 7);
      out[p + 2] = r.opcode;
      if (r.reg >= 0) out[p + 3] = (out[p + 3]! & 0xc7) | (r.reg << 3);
    }
    out[p++] = b1;
    out[p] = b2;
  } else {
    if (next() % 8 === 0) out[p++] = [0x66, 0xf3, 0xf2][next() % 3]!;
    out[p++] = 0x0f;
    out[p++] = 0x0f;
    const n = modrmLen(out, p);
    if (p + n < 16 && next() % 8 !== 0) out[p + n] = D3NOW_SUFFIXES[next() % D3NOW_SUFFIXES.length]!;
  }
  return out;
}

// ---------------------------------------------------------------------------------------------
// systematic sweep (scripts/decoder-vex-probe.mjs compare)

function prefixBytes(
  enc: string,
  map: number,
  op: number,
  pp: number,
  w: number,
  l: number,
  vvvv: number,
  bz: number[],
): number[] {
  const vbits = (~vvvv & 15) << 3;
  if (enc === "evex") {
    const [bb, z, aaa] = bz as [number, number, number];
    return [0x62, 0xf0 | map, (w << 7) | vbits | 4 | pp, (z << 7) | (l << 5) | (bb << 4) | 8 | aaa, op];
  }
  return [enc === "xop" ? 0x8f : 0xc4, 0xe0 | map, (w << 7) | vbits | (l << 2) | pp, op];
}

export interface SweepResult {
  total: number;
  mismatches: Map<string, { count: number; examples: string[] }>;
}

export type DecodeFn = (bytes: Uint8Array, bits: 32 | 64) => Decoded | null;

export function sweep(enc: string, bits: 32 | 64, onlyMap = -1, via: DecodeFn = refDecode): SweepResult {
  const res: SweepResult = { total: 0, mismatches: new Map() };
  const maps = enc === "evex" ? [1, 2, 3, 5, 6] : enc === "xop" ? [8, 9, 10] : [1, 2, 3];
  const lmax = enc === "evex" ? 4 : 2;
  const tail = [0x35, 0, 0, 0, 0, 0];
  const record = (key: string, bytes: Uint8Array, a: Decoded, b: Decoded, what: string): void => {
    let e = res.mismatches.get(key);
    if (!e) {
      e = { count: 0, examples: [] };
      res.mismatches.set(key, e);
    }
    e.count++;
    if (e.examples.length < 3)
      e.examples.push(
        `${what}: ${hexOf(bytes, Math.max(a.len, 6))}\n      iced: ${fmt(a)}\n      ours: ${fmt(b)}`,
      );
  };
  const PPN = ["NP", "66", "F3", "F2"];
  for (const map of maps) {
    if (onlyMap >= 0 && map !== onlyMap) continue;
    for (let op = 0; op < 256; op++) {
      for (let pp = 0; pp < 4; pp++) {
        for (let w = 0; w < 2; w++) {
          for (let l = 0; l < lmax; l++) {
            for (const form of [0, 1, 2]) {
              for (let reg = 0; reg < 8; reg++) {
                const mb =
                  form === 0
                    ? [0xc1 | (reg << 3)]
                    : form === 1
                      ? [0x44 | (reg << 3), 0x0f, 0x01]
                      : [0xc0 | (reg << 3)];
                if (form === 2 && !(enc === "vex" && map === 2)) continue;
                const variants: number[][] = [];
                const bzs =
                  enc === "evex"
                    ? [
                        [0, 0, 0],
                        [0, 0, 1],
                        [1, 0, 0],
                        [1, 0, 1],
                        [0, 1, 0],
                        [0, 1, 1],
                        [1, 1, 1],
                        [1, 1, 0],
                      ]
                    : [[0, 0, 0]];
                for (const bz of bzs) for (const vvvv of [0, 2]) variants.push([...bz, vvvv]);
                for (const v of variants) {
                  const bytes = Uint8Array.from([
                    ...prefixBytes(enc, map, op, pp, w, l, v[3]!, v),
                    ...mb,
                    ...tail,
                  ]);
                  const a = icedDecode(bytes, bits);
                  const b = via(bytes, bits) ?? INVALID;
                  res.total++;
                  const d = diff(a, b);
                  if (d !== "") {
                    const k = `${map}.${PPN[pp]}.${op.toString(16).padStart(2, "0")} ${d}`;
                    record(
                      k,
                      bytes,
                      a,
                      b,
                      `W${w} L${l} ${form === 1 ? "mem" : "reg"} /${reg} b,z,aaa=${v.slice(0, 3).join("")} v=${v[3]}`,
                    );
                  }
                }
              }
            }
          }
        }
      }
    }
  }
  return res;
}

/** Decodes through the decoder core (`decode` + `describe`). */
export function viaCore(bytes: Uint8Array, bits: 32 | 64): Decoded {
  const insn = decode(bytes, bytes.length, 0, bits);
  if (insn.invalid !== 0) return { valid: false, len: insn.len, mnemonic: "", operands: [] };
  const d = describeInsn(insn);
  return { valid: true, len: insn.len, mnemonic: d.mnemonic, operands: d.operands };
}

export function compare(enc: string, bits: number, onlyMap = -1, core = false): void {
  const r = sweep(enc, bits === 32 ? 32 : 64, onlyMap, core ? viaCore : refDecode);
  let n = 0;
  for (const [k, e] of [...r.mismatches].sort()) {
    n += e.count;
    console.log(`${k}  x${e.count}`);
    for (const ex of e.examples) console.log(`    ${ex}`);
  }
  console.log(`${enc} ${bits}: ${r.total} encodings, ${n} mismatches in ${r.mismatches.size} groups`);
}
