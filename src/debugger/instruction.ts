/**
 * The "Instruction" scope: the instruction at the current IP, decoded in the current mode by our decoder
 * (src/cpu/decoder), its encoding field by field — prefixes, REX.W/R/X/B or none, VEX/EVEX/XOP fields,
 * opcode, ModRM and SIB with the registers they name, displacement, immediates — its operands, and for each
 * memory operand the effective address computed from the current registers (FS/GS base included) and the
 * value there, read through the debugger's memory interface and sized by the operand. The text is
 * iced-x86's Intel syntax. Knows nothing of DAP: the runtime shows `fields` as variables.
 */
import { Decoder, DecoderOptions, Formatter, FormatterSyntax } from "iced-x86";
import type { Cpu } from "../cpu/cpu";
import { decode, describe } from "../cpu/decoder/decoder";
import { Encoding, Invalid, type Insn, type Operand } from "../cpu/decoder/insn";
import { Am, GPR16, GPR32, GPR64, GPR8, GPR8REX, gprName, parseOpSpec } from "../cpu/decoder/opspec";

/** The registers the effective address is computed from. */
export interface InstructionRegisters {
  readonly bits: 32 | 64;
  /** Full 64-bit value of GPR n (0..15, hardware order). */
  gpr(n: number): bigint;
  /** Base of segment register s (ES CS SS DS FS GS = 0..5). */
  segBase(s: number): bigint;
}

export interface InstructionMemory {
  /** Side-effect-free read; undefined when any byte is unreadable. */
  read(addr: number, n: number): Uint8Array | undefined;
}

/** One line of the scope; `address` makes it a memory reference; children are sub-fields. */
export interface InstructionField {
  readonly name: string;
  readonly value: string;
  readonly address?: bigint;
  readonly children?: readonly InstructionField[];
}

export interface MemoryOperandInfo {
  /** Index of the operand in `operands`. */
  readonly operand: number;
  readonly segment: string;
  /** `rsi+rbx*1+0x8`. */
  readonly expression: string;
  /** `0x10000+0x20*1+0x8` with the register values. */
  readonly computation: string;
  /** Segment base included; undefined for a vector-indexed (VSIB) operand. */
  readonly address: bigint | undefined;
  /** Operand size in bytes (0: the instruction does not access memory through it, e.g. lea). */
  readonly size: number;
  readonly bytes: Uint8Array | undefined;
  /** `qword 0x1122334455667788`, `unreadable`, or why nothing is read. */
  readonly value: string;
}

export interface InstructionInfo {
  readonly address: number;
  readonly bits: 32 | 64;
  /** The instruction's bytes (all that could be read, up to 15, when invalid). */
  readonly bytes: Uint8Array;
  readonly valid: boolean;
  /** iced-x86, Intel syntax. */
  readonly text: string;
  readonly insn: Insn;
  readonly operands: readonly Operand[];
  readonly rex:
    | {
        readonly byte: number;
        readonly w: number;
        readonly r: number;
        readonly x: number;
        readonly b: number;
      }
    | undefined;
  readonly modrm:
    | {
        readonly byte: number;
        readonly mod: number;
        readonly reg: number;
        readonly rm: number;
        readonly regName: string;
        readonly rmName: string;
      }
    | undefined;
  readonly sib:
    | { readonly byte: number; readonly scale: number; readonly indexName: string; readonly baseName: string }
    | undefined;
  readonly memory: readonly MemoryOperandInfo[];
  /** Everything above as lines for the scope. */
  readonly fields: readonly InstructionField[];
}

/** The registers of a CPU (its current mode). */
export function cpuInstructionRegisters(cpu: Cpu): InstructionRegisters {
  return {
    bits: cpu.bits,
    gpr: (n) => (BigInt(cpu.hi[n] >>> 0) << 32n) | BigInt(cpu.lo[n] >>> 0),
    segBase: (s) => BigInt(cpu.sbase[s]),
  };
}

/** The instruction at the CPU's IP. */
export function inspectCurrentInstruction(cpu: Cpu, memory: InstructionMemory): InstructionInfo | undefined {
  return inspectInstruction(cpu.rip, cpuInstructionRegisters(cpu), memory);
}

/** Decodes and explains the instruction at `ip`; undefined when not even its first byte can be read. */
export function inspectInstruction(
  ip: number,
  regs: InstructionRegisters,
  memory: InstructionMemory,
): InstructionInfo | undefined {
  const code = readUpTo(memory, ip, 15);
  if (code.length === 0) return undefined;
  const bits = regs.bits;
  const buf = new Uint8Array(16);
  buf.set(code);
  const insn = decode(buf, code.length, ip, bits);
  const valid = insn.invalid === Invalid.None;
  const operands = valid ? describe(insn).operands : [];
  const len = valid ? insn.len : Math.min(Math.max(insn.len, 1), code.length);
  const bytes = code.slice(0, len);
  const text = icedText(code, ip, bits);

  const rex =
    bits === 64 && insn.rex !== 0
      ? {
          byte: insn.rex,
          w: (insn.rex >> 3) & 1,
          r: (insn.rex >> 2) & 1,
          x: (insn.rex >> 1) & 1,
          b: insn.rex & 1,
        }
      : undefined;
  const modrm = valid && insn.hasModrm ? modrmInfo(insn, operands) : undefined;
  const sib = valid && insn.hasSib ? sibInfo(insn, operands) : undefined;
  const mem: MemoryOperandInfo[] = [];
  operands.forEach((op, k) => {
    if (op.kind === "mem") mem.push(memoryOperand(insn, op, k, regs, memory));
  });

  const fields: InstructionField[] = [];
  const f = (name: string, value: string, extra: Partial<InstructionField> = {}): void => {
    fields.push({ name, value, ...extra });
  };
  f("address", `0x${hex(ip, bits === 64 ? 16 : 8)}`, { address: BigInt(ip) });
  f("bytes", [...bytes].map((b) => hex(b, 2)).join(" "));
  f("text", text);
  f("mode", `${bits}-bit`);
  f("length", String(len));
  if (!valid) f("invalid", INVALID_TEXT[insn.invalid] ?? "invalid");
  f(
    "prefixes",
    insn.prefixes.length
      ? insn.prefixes.map((p) => `${hex(p, 2)} (${PREFIX_NAMES[p] ?? "?"})`).join(", ")
      : "none",
  );
  if (bits === 64) {
    if (rex !== undefined) {
      f("REX", `${hex(rex.byte, 2)}: W=${rex.w} R=${rex.r} X=${rex.x} B=${rex.b}`, {
        children: [
          { name: "W", value: `${rex.w} (${rex.w ? "64-bit operand size" : "default operand size"})` },
          { name: "R", value: `${rex.r} (ModRM.reg ${rex.r ? "+ 8" : "as is"})` },
          { name: "X", value: `${rex.x} (SIB.index ${rex.x ? "+ 8" : "as is"})` },
          { name: "B", value: `${rex.b} (ModRM.rm / SIB.base / opcode register ${rex.b ? "+ 8" : "as is"})` },
        ],
      });
    } else f("REX", "none");
    if (insn.rexIgnored) f("REX ignored", `${hex(insn.rexIgnored, 2)} (not the last prefix)`);
  }
  if (
    valid &&
    (insn.encoding === Encoding.Vex || insn.encoding === Encoding.Evex || insn.encoding === Encoding.Xop)
  ) {
    const kind = insn.encoding === Encoding.Vex ? "VEX" : insn.encoding === Encoding.Evex ? "EVEX" : "XOP";
    const children: InstructionField[] = [
      { name: "W", value: String(insn.w) },
      { name: "R", value: String(insn.r) },
      { name: "X", value: String(insn.x) },
      { name: "B", value: String(insn.b) },
      { name: "vvvv", value: `${insn.vvvv} (register ${insn.vvvv})` },
      { name: "L", value: `${insn.vl} (${128 << insn.vl}-bit)` },
      { name: "pp", value: insn.mandatory ? hex(insn.mandatory, 2) : "none" },
      { name: "map", value: MAPS[insn.map] || `map${insn.map}` },
    ];
    if (insn.encoding === Encoding.Evex) {
      children.push({ name: "R'", value: String(insn.rp) });
      children.push({ name: "aaa", value: `${insn.aaa}${insn.aaa ? ` (k${insn.aaa})` : " (no mask)"}` });
      children.push({ name: "z", value: `${insn.z} (${insn.z ? "zeroing" : "merging"})` });
      children.push({ name: "b", value: String(insn.evexB) });
    }
    const summary = children.map((c) => `${c.name}=${c.value.split(" ")[0]}`).join(" ");
    f(kind, summary, { children });
  }
  if (valid) {
    const map = MAPS[insn.map] ?? `map${insn.map}`;
    f("opcode", `${map ? map + " " : ""}${hex(insn.opcode, 2)}`);
    f("mnemonic", insn.mnemonic);
    f("operand size", `${insn.opsize}-bit`);
    f("address size", `${insn.adsize}-bit`);
  }
  if (modrm !== undefined) {
    f("ModRM", `${hex(modrm.byte, 2)}: mod=${modrm.mod} reg=${modrm.regName} rm=${modrm.rmName}`, {
      children: [
        { name: "mod", value: `${modrm.mod} (${MOD_TEXT[modrm.mod]})` },
        { name: "reg", value: `${modrm.reg} (${modrm.regName})` },
        { name: "rm", value: `${modrm.rm} (${modrm.rmName})` },
      ],
    });
  }
  if (sib !== undefined) {
    f("SIB", `${hex(sib.byte, 2)}: scale=${sib.scale} index=${sib.indexName} base=${sib.baseName}`, {
      children: [
        { name: "scale", value: `${insn.scale} (×${sib.scale})` },
        { name: "index", value: `${insn.sibIndex} (${sib.indexName})` },
        { name: "base", value: `${insn.sibBase} (${sib.baseName})` },
      ],
    });
  }
  if (valid && insn.dispSize) {
    const d =
      insn.dispSize === 8
        ? `0x${hex(insn.dispHi >>> 0, 8)}${hex(insn.disp >>> 0, 8)}`
        : insn.disp < 0
          ? `-0x${hex(-insn.disp, 1)}`
          : `0x${hex(insn.disp, 1)}`;
    f("displacement", `${d} (${insn.dispSize} byte${insn.dispSize > 1 ? "s" : ""})`);
  }
  if (valid && insn.immSize) {
    const v =
      insn.immSize === 8
        ? `${hex(insn.immHi >>> 0, 8)}${hex(insn.imm >>> 0, 8)}`
        : hex(insn.imm >>> 0, insn.immSize * 2);
    f("immediate", `0x${v} (${insn.immSize} byte${insn.immSize > 1 ? "s" : ""})`);
  }
  if (valid && insn.imm2Size) f("immediate 2", `0x${hex(insn.imm2, insn.imm2Size * 2)}`);
  if (valid) {
    f("operands", operands.length ? operands.map(operandText).join(", ") : "none", {
      children: operands.map((op, k) => ({
        name: `operand ${k + 1}`,
        value: `${operandText(op)} (${OPERAND_KIND[op.kind]})`,
      })),
    });
  }
  for (const m of mem) {
    const suffix = mem.length > 1 ? ` (operand ${m.operand + 1})` : "";
    if (m.address === undefined) {
      f(`effective address${suffix}`, `${m.expression}: ${m.computation}`);
      continue;
    }
    const w = bits === 64 ? 16 : 8;
    f(`effective address${suffix}`, `0x${hex(m.address, w)} = ${m.segment}:[${m.expression}]`, {
      address: m.address,
      children: [
        { name: "expression", value: `${m.segment}:[${m.expression}]` },
        { name: "computation", value: m.computation },
      ],
    });
    f(`value${suffix}`, m.value, { address: m.address });
  }
  return { address: ip, bits, bytes, valid, text, insn, operands, rex, modrm, sib, memory: mem, fields };
}

// ---------------------------------------------------------------------------------------------

const M64 = (1n << 64n) - 1n;

function hex(v: number | bigint, digits: number): string {
  return v.toString(16).toUpperCase().padStart(digits, "0");
}

function readUpTo(memory: InstructionMemory, addr: number, max: number): Uint8Array {
  const all = memory.read(addr, max);
  if (all !== undefined) return all;
  // Near the end of readable memory: as many bytes as can be read.
  const out: number[] = [];
  for (let k = 0; k < max; k++) {
    const b = memory.read(addr + k, 1);
    if (b === undefined) break;
    out.push(b[0]);
  }
  return Uint8Array.from(out);
}

function icedText(code: Uint8Array, ip: number, bits: 32 | 64): string {
  const dec = new Decoder(bits, code, DecoderOptions.None);
  dec.ip = BigInt(ip);
  const ins = dec.decode();
  const fmt = new Formatter(FormatterSyntax.Intel);
  const text = fmt.format(ins);
  ins.free();
  dec.free();
  fmt.free();
  return text;
}

const INVALID_TEXT: Record<number, string> = {
  [Invalid.Opcode]: "undefined opcode (#UD)",
  [Invalid.TooLong]: "longer than 15 bytes (#GP)",
  [Invalid.Lock]: "lock not allowed (#UD)",
  [Invalid.Truncated]: "truncated: the following bytes cannot be read",
};

const PREFIX_NAMES: Record<number, string> = {
  0x66: "operand size",
  0x67: "address size",
  0xf0: "lock",
  0xf2: "repne/F2",
  0xf3: "rep/F3",
  0x26: "es",
  0x2e: "cs",
  0x36: "ss",
  0x3e: "ds",
  0x64: "fs",
  0x65: "gs",
};

const MAPS = ["", "0F", "0F 38", "0F 3A", "", "map5", "map6", "", "xop8", "xop9", "xop10"];

const MOD_TEXT = ["memory, no displacement", "memory + disp8", "memory + disp16/32", "register"];

const OPERAND_KIND: Record<Operand["kind"], string> = {
  reg: "register",
  imm: "immediate",
  mem: "memory",
  branch: "branch target",
  far: "far pointer",
};

const SIZE_NAMES: Record<number, string> = {
  1: "byte",
  2: "word",
  4: "dword",
  6: "fword",
  8: "qword",
  10: "tbyte",
  16: "xmmword",
  32: "ymmword",
  64: "zmmword",
};

/** The operand kinds that ModRM.reg selects, and those ModRM.rm selects. */
const REG_FIELD = new Set<Am>([Am.G, Am.GA, Am.S, Am.C, Am.D, Am.P, Am.V, Am.KV, Am.TV]);
const RM_FIELD = new Set<Am>([
  Am.E,
  Am.R,
  Am.M,
  Am.Msib,
  Am.MV,
  Am.Q,
  Am.N,
  Am.W,
  Am.U,
  Am.KW,
  Am.KU,
  Am.TU,
  Am.STi,
]);

const RM16 = ["bx+si", "bx+di", "bp+si", "bp+di", "si", "di", "bp", "bx"];

function modrmInfo(insn: Insn, operands: readonly Operand[]): NonNullable<InstructionInfo["modrm"]> {
  let regName = `/${insn.reg} (opcode extension)`;
  let rmName = "";
  insn.opSpecs.forEach((text, k) => {
    const am = parseOpSpec(text).am;
    const op = operands[k];
    if (op === undefined) return;
    if (REG_FIELD.has(am) && op.kind === "reg") regName = op.reg;
    if (RM_FIELD.has(am) && insn.mod === 3 && op.kind === "reg") rmName = op.reg;
  });
  if (insn.mod !== 3) {
    if (insn.adsize === 16) rmName = insn.mod === 0 && insn.rm === 6 ? "disp16" : RM16[insn.rm];
    else if (insn.rm === 4) rmName = "SIB";
    else if (insn.mod === 0 && insn.rm === 5)
      rmName = insn.bits === 64 ? `${insn.adsize === 64 ? "rip" : "eip"}+disp32` : "disp32";
    else rmName = gprName(insn.rm | (insn.b << 3), insn.adsize / 8, false);
  } else if (rmName === "") rmName = `register ${insn.rm | (insn.b << 3)}`;
  return { byte: insn.modrm, mod: insn.mod, reg: insn.reg, rm: insn.rm, regName, rmName };
}

function sibInfo(insn: Insn, operands: readonly Operand[]): NonNullable<InstructionInfo["sib"]> {
  const m = operands.find((o): o is Extract<Operand, { kind: "mem" }> => o.kind === "mem");
  const indexName = m !== undefined && m.index !== "" ? m.index : "none";
  let baseName = m !== undefined && m.base !== "" ? m.base : "none";
  if (insn.sibBase === 5 && insn.mod === 0) baseName = "none (disp32)";
  return { byte: insn.sib, scale: 1 << insn.scale, indexName, baseName };
}

/** Register number and width of a GPR name as the decoder writes it. */
const GPR_BY_NAME = new Map<string, { num: number; bits: number; high: boolean }>();
GPR64.forEach((n, k) => GPR_BY_NAME.set(n, { num: k, bits: 64, high: false }));
GPR32.forEach((n, k) => GPR_BY_NAME.set(n, { num: k, bits: 32, high: false }));
GPR16.forEach((n, k) => GPR_BY_NAME.set(n, { num: k, bits: 16, high: false }));
GPR8REX.forEach((n, k) => GPR_BY_NAME.set(n, { num: k, bits: 8, high: false }));
GPR8.forEach((n, k) => {
  if (k >= 4) GPR_BY_NAME.set(n, { num: k - 4, bits: 8, high: true });
});

function regValue(regs: InstructionRegisters, name: string): bigint | undefined {
  const r = GPR_BY_NAME.get(name);
  if (r === undefined) return undefined;
  const v = regs.gpr(r.num);
  if (r.high) return (v >> 8n) & 0xffn;
  return v & ((1n << BigInt(r.bits)) - 1n);
}

const SEG_INDEX: Record<string, number> = { es: 0, cs: 1, ss: 2, ds: 3, fs: 4, gs: 5 };

function memoryOperand(
  insn: Insn,
  op: Extract<Operand, { kind: "mem" }>,
  k: number,
  regs: InstructionRegisters,
  memory: InstructionMemory,
): MemoryOperandInfo {
  const w = insn.adsize === 64 ? 16 : insn.adsize === 32 ? 8 : 4;
  const amask = insn.adsize === 64 ? M64 : insn.adsize === 32 ? 0xffffffffn : 0xffffn;
  const parts: string[] = [];
  const values: string[] = [];
  let offset = 0n;
  let vsib = false;
  const ripRel = op.base === "rip" || op.base === "eip";
  if (op.base !== "" && !ripRel) {
    const v = regValue(regs, op.base) ?? 0n;
    parts.push(op.base);
    values.push(`0x${hex(v, 1)}`);
    offset += v;
  }
  if (op.index !== "") {
    const v = regValue(regs, op.index);
    if (v === undefined) vsib = true;
    parts.push(`${op.index}*${op.scale}`);
    values.push(v === undefined ? op.index : `0x${hex(v, 1)}*${op.scale}`);
    offset += (v ?? 0n) * BigInt(op.scale);
  }
  if (ripRel) {
    // The decoder folds RIP-relative operands into the absolute target (next instruction + disp32).
    const next = BigInt(insn.ip) + BigInt(insn.len);
    const d = `${insn.disp < 0 ? "-" : "+"}0x${hex(Math.abs(insn.disp), 1)}`;
    parts.push(`${op.base}${d}`);
    values.push(`0x${hex(next, 1)}${d}`);
    offset += op.disp;
  } else if (op.disp !== 0n || parts.length === 0) {
    const t = dispText(op.disp, amask, parts.length > 0 && insn.adsize !== 16);
    parts.push(t);
    values.push(t);
    offset += op.disp;
  }
  const expression = parts.join("+").replace(/\+-/g, "-").replace(/\+\+/g, "+");
  let computation = values.join("+").replace(/\+-/g, "-").replace(/\+\+/g, "+");
  const size = op.size;
  if (vsib) {
    return {
      operand: k,
      segment: op.seg,
      expression,
      computation: "a vector index (VSIB): one address per element",
      address: undefined,
      size,
      bytes: undefined,
      value: "",
    };
  }
  offset &= amask;
  const s = SEG_INDEX[op.seg] ?? 3;
  // In 64-bit mode only FS and GS have bases; in 32-bit mode every segment's base counts (SDM 3.3.7, 3.4.4).
  const base = regs.bits === 64 && s < 4 ? 0n : regs.segBase(s);
  const address = regs.bits === 64 ? (offset + base) & M64 : (offset + base) & 0xffffffffn;
  if (base !== 0n) computation = `${op.seg}.base 0x${hex(base, 1)} + ${computation}`;
  computation += ` = 0x${hex(address, w)}`;
  let bytes: Uint8Array | undefined;
  let value: string;
  if (size === 0) value = "no memory access (the operand is an address only)";
  else if (address > BigInt(Number.MAX_SAFE_INTEGER)) value = "unreadable (not a user-mode address)";
  else {
    const n = Math.min(size, 64);
    bytes = memory.read(Number(address), n);
    if (bytes === undefined) value = "unreadable";
    else {
      let v = 0n;
      for (let j = n - 1; j >= 0; j--) v = (v << 8n) | BigInt(bytes[j]);
      value = `${SIZE_NAMES[n] ?? `${n} bytes`} 0x${hex(v, 2 * n)}`;
    }
  }
  return { operand: k, segment: op.seg, expression, computation, address, size, bytes, value };
}

/** A displacement as `+0x8` / `-0x20` (`signed`: after a register) or `0x1234`. */
function dispText(disp: bigint, mask: bigint, signed: boolean): string {
  if (!signed) return `0x${hex(disp, 1)}`;
  return disp > mask >> 1n ? `-0x${hex(-disp & mask, 1)}` : `+0x${hex(disp, 1)}`;
}

function operandText(op: Operand): string {
  switch (op.kind) {
    case "reg":
      return op.reg;
    case "imm":
      return `0x${hex(op.value, 1)}`;
    case "branch":
      return `0x${hex(op.target, 1)}`;
    case "far":
      return `0x${hex(op.selector, 4)}:0x${hex(op.offset, 8)}`;
    case "mem": {
      const size = op.size ? `${SIZE_NAMES[op.size] ?? `${op.size}-byte`} ptr ` : "";
      if (op.base === "rip" || op.base === "eip") return `${size}${op.seg}:[0x${hex(op.disp, 1)}]`;
      const parts: string[] = [];
      if (op.base) parts.push(op.base);
      if (op.index) parts.push(`${op.index}*${op.scale}`);
      const mask = op.disp > 0xffffffffn ? M64 : 0xffffffffn;
      if (op.disp !== 0n || parts.length === 0) parts.push(dispText(op.disp, mask, parts.length > 0));
      return `${size}${op.seg}:[${parts.join("+").replace(/\+-/g, "-").replace(/\+\+/g, "+")}]`;
    }
  }
}
