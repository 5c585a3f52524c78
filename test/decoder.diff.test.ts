/**
 * Differential test: our decoder vs iced-x86 (1.21, DecoderOptions.None) on seeded random bytes.
 *
 * For every sample both decoders see the same 16 bytes at the same ip; we compare validity, length,
 * mnemonic and every operand (registers, immediates, memory base/index/scale/displacement/segment,
 * branch targets, far pointers). Mismatches are split into "legacy" and "VEX-family" (VEX / EVEX /
 * XOP / 3DNow!, whose tables live in vex.ts).
 *
 * Environment knobs (for development): DECODER_DIFF_N (samples per mode, default 200000),
 * DECODER_DIFF_SEED, DECODER_DIFF_SHOW (mismatches printed, default 20), DECODER_DIFF_STRICT_VEX=0 to
 * tolerate VEX-family mismatches.
 */
import { strict as assert } from "node:assert";
import {
  Decoder,
  DecoderOptions,
  EncodingKind,
  Instruction,
  MemorySizeExt,
  Mnemonic,
  OpKind,
  Register,
  Code,
} from "iced-x86";
import { decode, describe as describeInsn } from "../src/cpu/decoder/decoder";
import { Invalid, type Operand } from "../src/cpu/decoder/insn";

const N = Number(process.env.DECODER_DIFF_N ?? 200000);
const SEED = Number(process.env.DECODER_DIFF_SEED ?? 0x5eed1234);
const SHOW = Number(process.env.DECODER_DIFF_SHOW ?? 20);
const STRICT_VEX = process.env.DECODER_DIFF_STRICT_VEX !== "0";
/** ModRM sampling step of the opcode sweep (1 = all 256 ModRM bytes for every opcode). */
const SWEEP_STEP = Number(process.env.DECODER_DIFF_SWEEP_STEP ?? 4);

/** mulberry32: small deterministic PRNG. */
function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const INTERESTING: readonly (readonly number[])[] = [
  [0x0f],
  [0x0f],
  [0x0f],
  [0x0f, 0x38],
  [0x0f, 0x3a],
  [0x0f, 0x01],
  [0x0f, 0x00],
  [0x0f, 0xae],
  [0x0f, 0xc7],
  [0x0f, 0x0f],
  [0x66, 0x0f],
  [0x66, 0x0f, 0x38],
  [0x66, 0x0f, 0x3a],
  [0xf3, 0x0f],
  [0xf2, 0x0f],
  [0xf3, 0x0f, 0x38],
  [0xf2, 0x0f, 0x38],
  [0x66],
  [0xf2],
  [0xf3],
  [0xf0],
  [0x67],
  [0x48],
  [0x4c],
  [0x41],
  [0x66, 0x48],
  [0x48, 0x0f],
  [0xc4],
  [0xc5],
  [0x62],
  [0x8f],
  [0xd8],
  [0xd9],
  [0xda],
  [0xdb],
  [0xdc],
  [0xdd],
  [0xde],
  [0xdf],
  [0x64],
  [0x26],
  // long prefix runs: the 15-byte limit
  [0x66, 0x66, 0x66, 0x66, 0x66, 0x66, 0x66, 0x66, 0x66, 0x66, 0x66],
  [0x26, 0x2e, 0x36, 0x3e, 0x64, 0x65, 0x66, 0x67, 0xf2, 0xf3, 0x66, 0x67],
  [0xf3, 0xf3, 0xf3, 0xf3, 0xf3, 0xf3, 0xf3, 0xf3, 0x0f],
];

const VEX_STARTS: readonly (readonly number[])[] = [
  [0xc4],
  [0xc5],
  [0x62],
  [0x62],
  [0x62],
  [0x8f],
  [0x0f, 0x0f],
];

function makeSamples(bits: 32 | 64, n: number, vexOnly = false): Uint8Array {
  const rnd = prng(SEED ^ bits ^ (vexOnly ? 0x7e7e : 0));
  const starts = vexOnly ? VEX_STARTS : INTERESTING;
  const buf = new Uint8Array(n * 16);
  for (let i = 0; i < n; i++) {
    const o = i * 16;
    for (let k = 0; k < 16; k++) buf[o + k] = (rnd() * 256) | 0;
    // at least half stays purely uniform; the rest starts with an interesting prefix/escape
    if (i % 2 === 1 || vexOnly) {
      const start = starts[(rnd() * starts.length) | 0]!;
      for (let k = 0; k < start.length; k++) buf[o + k] = start[k]!;
      // VEX/EVEX in 32-bit mode need mod=11 in the next byte to not be LES/LDS/BOUND: bias it
      if (bits === 32 && (start[0] === 0xc4 || start[0] === 0xc5 || start[0] === 0x62) && rnd() < 0.8) {
        buf[o + 1]! |= 0xc0;
      }
      if (vexOnly) {
        // make the reserved/fixed bits right most of the time so the tables, not the prefix checks, are hit
        if (start[0] === 0x62 && rnd() < 0.9) {
          buf[o + 1] = buf[o + 1]! & ~0x08;
          buf[o + 2]! |= 0x04;
        }
        if (start[0] === 0x8f && rnd() < 0.9) buf[o + 1] = (buf[o + 1]! & 0xe0) | (8 + ((rnd() * 3) | 0));
        if ((start[0] === 0xc4 || start[0] === 0x62) && rnd() < 0.7) {
          buf[o + 1] =
            (buf[o + 1]! & 0xf8) | (1 + ((rnd() * 3) | 0)) | (start[0] === 0x62 && rnd() < 0.3 ? 4 : 0);
        }
      }
    }
  }
  return buf;
}

function hex(b: Uint8Array): string {
  return Array.from(b, (x) => x.toString(16).padStart(2, "0")).join(" ");
}

/** Register name as our decoder spells it (iced: R8L → r8b, ST0 → st0). */
function regName(r: Register): string {
  const n = Register[r]!.toLowerCase();
  const m = /^r(\d+)l$/.exec(n);
  if (m) return `r${m[1]}b`;
  return n;
}

const M64 = (1n << 64n) - 1n;

function icedOperands(ins: Instruction, bits: number): Operand[] {
  const out: Operand[] = [];
  const aszMask = (r: Register): bigint => {
    const n = Register[r]!.toLowerCase();
    if (/^(r..?|rip)$/.test(n) && n.startsWith("r") && !/[dwb]$/.test(n)) return M64;
    return 0xffffffffn;
  };
  for (let k = 0; k < ins.opCount; k++) {
    const kind = ins.opKind(k);
    switch (kind) {
      case OpKind.Register:
        out.push({ kind: "reg", reg: regName(ins.opRegister(k)) });
        break;
      case OpKind.NearBranch16:
      case OpKind.NearBranch32:
      case OpKind.NearBranch64:
        out.push({ kind: "branch", target: BigInt.asUintN(64, ins.nearBranchTarget) });
        break;
      case OpKind.FarBranch16:
        out.push({ kind: "far", selector: ins.farBranchSelector, offset: ins.farBranch16 });
        break;
      case OpKind.FarBranch32:
        out.push({ kind: "far", selector: ins.farBranchSelector, offset: ins.farBranch32 });
        break;
      case OpKind.Immediate8:
      case OpKind.Immediate8_2nd:
      case OpKind.Immediate16:
      case OpKind.Immediate32:
      case OpKind.Immediate64:
      case OpKind.Immediate8to16:
      case OpKind.Immediate8to32:
      case OpKind.Immediate8to64:
      case OpKind.Immediate32to64:
        out.push({ kind: "imm", value: BigInt.asUintN(64, ins.immediate(k)), size: 0 });
        break;
      case OpKind.MemorySegSI:
      case OpKind.MemorySegESI:
      case OpKind.MemorySegRSI:
      case OpKind.MemorySegDI:
      case OpKind.MemorySegEDI:
      case OpKind.MemorySegRDI:
      case OpKind.MemoryESDI:
      case OpKind.MemoryESEDI:
      case OpKind.MemoryESRDI: {
        const name = OpKind[kind]!;
        const reg = name.replace(/^Memory(Seg|ES)/, "").toLowerCase();
        const seg = name.startsWith("MemoryES") ? "es" : regName(ins.memorySegment);
        const size = MemorySizeExt.size(ins.memorySize);
        out.push({ kind: "mem", seg, base: reg, index: "", scale: 1, disp: 0n, size });
        break;
      }
      case OpKind.Memory: {
        const base = ins.memoryBase === Register.None ? "" : regName(ins.memoryBase);
        const index = ins.memoryIndex === Register.None ? "" : regName(ins.memoryIndex);
        let disp = BigInt.asUintN(64, ins.memoryDisplacementU64);
        // normalise the displacement to the address size
        const asz =
          ins.memoryBase !== Register.None ? aszMask(ins.memoryBase) : bits === 64 ? M64 : 0xffffffffn;
        if (ins.memoryBase === Register.None && ins.memoryDisplSize > 0 && ins.memoryDisplSize < 8) {
          disp &= ins.memoryDisplSize === 2 ? 0xffffn : 0xffffffffn;
        } else disp &= asz;
        out.push({
          kind: "mem",
          seg: regName(ins.memorySegment),
          base,
          index,
          scale: ins.memoryIndexScale as 1 | 2 | 4 | 8,
          disp,
          size: MemorySizeExt.size(ins.memorySize),
        });
        break;
      }
      default:
        out.push({ kind: "reg", reg: `?${OpKind[kind]}` });
    }
  }
  return out;
}

function fmtOp(o: Operand): string {
  switch (o.kind) {
    case "reg":
      return o.reg;
    case "imm":
      return `0x${o.value.toString(16)}`;
    case "branch":
      return `->0x${o.target.toString(16)}`;
    case "far":
      return `${o.selector.toString(16)}:${o.offset.toString(16)}`;
    case "mem": {
      const parts = [o.base, o.index ? `${o.index}*${o.scale}` : "", `0x${o.disp.toString(16)}`].filter(
        Boolean,
      );
      return `${o.size}:${o.seg}:[${parts.join("+")}]`;
    }
  }
}

/** Our operand normalised like icedOperands (memory displacement masked to the address size, imm size dropped). */
function normOurs(o: Operand, adsize: number): Operand {
  if (o.kind === "imm") return { ...o, size: 0 };
  if (o.kind === "mem") {
    const mask = adsize === 64 ? M64 : adsize === 32 ? 0xffffffffn : 0xffffn;
    let disp = o.disp;
    if (o.base !== "" || o.index !== "") disp &= mask;
    return { ...o, disp };
  }
  return o;
}

interface Result {
  mismatches: string[];
  legacy: number;
  vexFamily: number;
  valid: number;
  total: number;
  byReason: Map<string, number>;
}

/**
 * Systematic sweep: every (prefix combination, map, opcode byte, ModRM byte) with random tail bytes.
 * `modrmStep` > 1 samples ModRM values (all mod/reg combinations are still covered with step 1..8 since
 * the low bits vary per opcode).
 */
function makeSweep(bits: 32 | 64, modrmStep: number): Uint8Array {
  const rnd = prng(SEED ^ (bits * 7919));
  const pfxSets: number[][] = [
    [],
    [0x66],
    [0xf3],
    [0xf2],
    [0x66, 0xf3],
    [0xf2, 0x66],
    [0xf0],
    [0x67],
    [0x2e],
  ];
  if (bits === 64) pfxSets.push([0x48], [0x66, 0x4c], [0x41], [0xf3, 0x48], [0x66, 0x43]);
  const maps: number[][] = [[], [0x0f], [0x0f, 0x38], [0x0f, 0x3a]];
  const out: number[] = [];
  for (const pf of pfxSets) {
    for (const mp of maps) {
      for (let op = 0; op < 256; op++) {
        for (let m = (op * 5) % modrmStep; m < 256; m += modrmStep) {
          const bytes = [...pf, ...mp, op, m];
          while (bytes.length < 16) bytes.push((rnd() * 256) | 0);
          out.push(...bytes.slice(0, 16));
        }
      }
    }
  }
  return Uint8Array.from(out);
}

function runMode(bits: 32 | 64, n: number, sweepStep = 0, vexOnly = false): Result {
  const samples = sweepStep > 0 ? makeSweep(bits, sweepStep) : makeSamples(bits, n, vexOnly);
  if (sweepStep > 0) n = samples.length / 16;
  const decoder = new Decoder(bits, samples, DecoderOptions.None);
  const ins = new Instruction();
  const res: Result = { mismatches: [], legacy: 0, vexFamily: 0, valid: 0, total: n, byReason: new Map() };
  try {
    for (let i = 0; i < n; i++) {
      const ip = bits === 64 ? 0x7ff6_1234_0000 + i * 16 : 0x0040_1000 + i * 16;
      decoder.position = i * 16;
      decoder.ip = BigInt(ip);
      decoder.decodeOut(ins);
      const bytes = samples.subarray(i * 16, i * 16 + 16);
      const ours = decode(bytes, 16, ip, bits);
      const icedValid = ins.code !== Code.INVALID;
      const ourValid = ours.invalid === Invalid.None;
      let reason = "";
      let detail = "";
      if (icedValid !== ourValid) {
        reason = icedValid ? "we-invalid" : "we-valid";
        detail = icedValid ? `iced: ${Mnemonic[ins.mnemonic]} len ${ins.length}` : `ours: ${ours.mnemonic}`;
        if (!icedValid) detail += ` invalid=${ours.invalid}`;
        else detail += ` (ours invalid=${ours.invalid})`;
      } else if (icedValid) {
        res.valid++;
        const icedMn = Mnemonic[ins.mnemonic]!.toLowerCase();
        const d = describeInsn(ours);
        const a = icedOperands(ins, bits).map(fmtOp);
        const b = d.operands.map((o) => fmtOp(normOurs(o, ours.adsize)));
        if (ins.length !== ours.len) {
          reason = "length";
          detail = `iced ${ins.length} ours ${ours.len} (${icedMn})`;
        } else if (icedMn !== ours.mnemonic) {
          reason = "mnemonic";
          detail = `iced ${icedMn} ours ${ours.mnemonic}`;
        } else if (a.join(", ") !== b.join(", ")) {
          reason = "operands";
          detail = `${icedMn}: iced [${a.join(", ")}] ours [${b.join(", ")}] specs ${ours.opSpecs.join(",")}`;
        }
      }
      // every 4th valid instruction: one byte less must be reported as truncated, exactly len bytes suffice
      if (reason === "" && ourValid && i % 4 === 0) {
        const short = decode(bytes, ours.len - 1, ip, bits);
        const exact = decode(bytes, ours.len, ip, bits);
        if (short.invalid !== Invalid.Truncated || exact.invalid !== Invalid.None || exact.len !== ours.len) {
          reason = "truncation";
          detail = `avail=len-1 → invalid=${short.invalid}, avail=len → invalid=${exact.invalid} len ${exact.len}`;
        }
      }
      if (reason !== "") {
        const vexFam =
          ours.encoding !== 0 ||
          (icedValid && ins.encoding !== EncodingKind.Legacy) ||
          isVexStart(bytes, bits);
        if (vexFam) res.vexFamily++;
        else res.legacy++;
        const key = `${vexFam ? "vex" : "legacy"}:${reason}`;
        res.byReason.set(key, (res.byReason.get(key) ?? 0) + 1);
        if (!vexFam || STRICT_VEX) {
          if (res.mismatches.length < SHOW)
            res.mismatches.push(`${bits}-bit ${hex(bytes)}: ${reason}: ${detail}`);
        }
      }
    }
  } finally {
    ins.free();
    decoder.free();
  }
  return res;
}

/** Prefix bytes then C4/C5/62/8F(XOP)/0F 0F: VEX-family encodings. */
function isVexStart(b: Uint8Array, bits: number): boolean {
  let i = 0;
  while (i < 15) {
    const x = b[i]!;
    if ([0x66, 0x67, 0xf0, 0xf2, 0xf3, 0x26, 0x2e, 0x36, 0x3e, 0x64, 0x65].includes(x)) i++;
    else if (bits === 64 && (x & 0xf0) === 0x40) i++;
    else break;
  }
  const op = b[i]!;
  const nx = b[i + 1] ?? 0;
  if (op === 0x0f && nx === 0x0f) return true;
  if (op === 0xc4 || op === 0xc5 || op === 0x62) return bits === 64 || nx >= 0xc0;
  if (op === 0x8f) return (nx & 0x1f) >= 8;
  return false;
}

for (const bits of [32, 64] as const) {
  describe(`decoder differential vs iced-x86 (${bits}-bit)`, function () {
    this.timeout(120000);
    it(`${N} random instructions match`, function () {
      const t0 = Date.now();
      const r = runMode(bits, N);
      const summary = [...r.byReason.entries()].map(([k, v]) => `${k}=${v}`).join(" ");
      console.log(
        `      ${bits}-bit: ${r.total} samples, ${r.valid} valid both, mismatches legacy=${r.legacy} ` +
          `vex-family=${r.vexFamily} ${summary} (${Date.now() - t0} ms)`,
      );
      if (r.mismatches.length > 0) console.log(r.mismatches.map((m) => "        " + m).join("\n"));
      assert.equal(r.legacy, 0, "legacy mismatches");
      if (STRICT_VEX) assert.equal(r.vexFamily, 0, "VEX/EVEX/XOP/3DNow! mismatches");
    });
    it(`${N / 2} VEX/EVEX/XOP/3DNow!-biased random instructions match`, function () {
      const t0 = Date.now();
      const r = runMode(bits, N / 2, 0, true);
      const summary = [...r.byReason.entries()].map(([k, v]) => `${k}=${v}`).join(" ");
      console.log(
        `      ${bits}-bit VEX-biased: ${r.total} samples, ${r.valid} valid both, mismatches legacy=${r.legacy} ` +
          `vex-family=${r.vexFamily} ${summary} (${Date.now() - t0} ms)`,
      );
      if (r.mismatches.length > 0) console.log(r.mismatches.map((m) => "        " + m).join("\n"));
      assert.equal(r.legacy, 0, "legacy mismatches");
      if (STRICT_VEX) assert.equal(r.vexFamily, 0, "VEX/EVEX/XOP/3DNow! mismatches");
    });
    it(`opcode x ModRM sweep (every ${SWEEP_STEP}th ModRM) matches`, function () {
      const t0 = Date.now();
      const r = runMode(bits, 0, SWEEP_STEP);
      const summary = [...r.byReason.entries()].map(([k, v]) => `${k}=${v}`).join(" ");
      console.log(
        `      ${bits}-bit sweep: ${r.total} samples, ${r.valid} valid both, mismatches legacy=${r.legacy} ` +
          `vex-family=${r.vexFamily} ${summary} (${Date.now() - t0} ms)`,
      );
      if (r.mismatches.length > 0) console.log(r.mismatches.map((m) => "        " + m).join("\n"));
      assert.equal(r.legacy, 0, "legacy mismatches");
      if (STRICT_VEX) assert.equal(r.vexFamily, 0, "VEX/EVEX/XOP/3DNow! mismatches");
    });
  });
}
