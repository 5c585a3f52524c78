/**
 * Emitters: JavaScript source for the instructions the block compiler inlines. Everything not handled
 * here (returns undefined from `inline`) becomes a call to the instruction's handler, so an emitter only
 * has to be right for the forms it accepts. Each emitter is checked against the handlers by
 * test/jit.test.ts (same state after every instruction).
 *
 * Locals inside a block are named after the instruction index k (a3, r3, …) and declared at the top level
 * of the block body so later instructions (a jcc after cmp) can read them.
 */
import type { Block } from "../block";
import { Encoding, NO_REG, RIP_BASE, type Insn } from "../decoder/insn";
import { FOp } from "../flags";
import { branchTarget } from "./compile";

/** Symbolic flags: the last flag-setting operation, as JS expressions. */
interface Sym {
  op: FOp;
  size: number;
  a: string;
  b: string;
  r: string;
  ah: string;
  bh: string;
  rh: string;
  /** inc/dec: the preserved CF (expression giving 0/1). */
  cf: string;
}

const USER_TOP = 140737488355328; // 2^47

export class Ctx {
  /** Flags state at the current point of generation; undefined = flags are in cpu.flags. */
  sym: Sym | undefined = undefined;
  /** Per instruction: code writing the flags as they stand before it (for a fault there), or "". */
  readonly symAt: string[] = [];
  constructor(
    readonly b: Block,
    readonly selfLoop: boolean,
  ) {}

  /** Code that writes the symbolic flags to cpu.flags (and forgets them). */
  materialize(): string {
    const s = this.sym;
    if (!s) return "";
    this.sym = undefined;
    return materializeSym(s);
  }
}

function materializeSym(s: Sym): string {
  let c = `F.op = ${s.op}; F.size = ${s.size}; F.res = ${s.r}; F.a = ${s.a}; F.b = ${s.b};`;
  if (s.size === 64) c += ` F.resHi = ${s.rh}; F.aHi = ${s.ah}; F.bHi = ${s.bh};`;
  if (s.op === FOp.Inc || s.op === FOp.Dec) c += ` F.cfIn = ${s.cf};`;
  return c;
}

// ------------------------------------------------------------------ operand helpers

/** Expression for an 8-bit register read. */
function r8(i: Insn, r: number): string {
  if (r >= 4 && r < 8 && i.rex === 0) return `((lo[${r - 4}] >> 8) & 255)`;
  return `(lo[${r}] & 255)`;
}

/** Statement writing an 8-bit register. */
function w8(i: Insn, r: number, v: string): string {
  if (r >= 4 && r < 8 && i.rex === 0) return `lo[${r - 4}] = (lo[${r - 4}] & -65281) | ((${v} & 255) << 8);`;
  return `lo[${r}] = (lo[${r}] & -256) | (${v} & 255);`;
}

function regOf(i: Insn): number {
  return i.reg | (i.r << 3);
}
function rmOf(i: Insn): number {
  return i.rm | (i.b << 3);
}

/**
 * Statements computing the effective address of i's memory operand into `a<k>`, or undefined when the
 * form is not inlined (16-bit addressing, FS/GS overrides).
 */
function eaCode(i: Insn, k: number): string | undefined {
  if (i.seg >= 4) return undefined;
  const v = `a${k}`;
  const disp = i.disp | 0;
  if (i.adsize === 32) {
    const parts: string[] = [];
    if (i.memBase === RIP_BASE) return `const ${v} = ${(i.ip + i.len + disp) >>> 0};`;
    if (i.memBase !== NO_REG) parts.push(`lo[${i.memBase}]`);
    if (i.memIndex !== NO_REG)
      parts.push(i.scale ? `(lo[${i.memIndex}] << ${i.scale})` : `lo[${i.memIndex}]`);
    if (disp !== 0 || parts.length === 0) parts.push(String(disp));
    return `const ${v} = (${parts.join(" + ")}) >>> 0;`;
  }
  if (i.adsize !== 64) return undefined;
  if (i.dispSize === 8) return undefined;
  if (i.memBase === RIP_BASE) {
    const t = i.ip + i.len + disp;
    if (t < 0 || t >= USER_TOP) return undefined;
    return `const ${v} = ${t};`;
  }
  if (i.memBase === NO_REG && i.memIndex === NO_REG) {
    if (disp < 0) return undefined;
    return `const ${v} = ${disp};`;
  }
  const slow = `cpu.ea(I[${k}])`;
  if (i.memIndex === NO_REG) {
    const b = i.memBase;
    return (
      `let ${v} = hi[${b}] * 4294967296 + (lo[${b}] >>> 0)${disp ? ` + ${disp}` : ""};` +
      ` if (!(${v} >= 0 && ${v} < ${USER_TOP})) ${v} = ${slow};`
    );
  }
  const x = i.memIndex;
  const sc = 1 << i.scale;
  const base = i.memBase === NO_REG ? "" : `hi[${i.memBase}] * 4294967296 + (lo[${i.memBase}] >>> 0) + `;
  const hiTest =
    i.memBase === NO_REG ? `(hi[${x}] >>> 15) === 0` : `((hi[${i.memBase}] | hi[${x}]) >>> 15) === 0`;
  return (
    `let ${v} = ${base}(hi[${x}] * 4294967296 + (lo[${x}] >>> 0)) * ${sc}${disp ? ` + ${disp}` : ""};` +
    ` if (!(${hiTest} && ${v} >= 0 && ${v} < ${USER_TOP})) ${v} = ${slow};`
  );
}

// ------------------------------------------------------------------ flags as expressions

function mask(size: number, e: string): string {
  return size === 8 ? `(${e} & 255)` : size === 16 ? `(${e} & 65535)` : `(${e} >>> 0)`;
}

function sext(size: number, e: string): string {
  return size === 8 ? `((${e} << 24) >> 24)` : size === 16 ? `((${e} << 16) >> 16)` : `(${e} | 0)`;
}

function zfE(s: Sym): string {
  if (s.size === 64) return `((${s.r} | ${s.rh}) === 0)`;
  if (s.size === 32) return `(${s.r} === 0)`;
  return `(${mask(s.size, s.r)} === 0)`;
}

function sfE(s: Sym): string {
  if (s.size === 64) return `(${s.rh} < 0)`;
  if (s.size === 32) return `(${s.r} < 0)`;
  return `((${s.r} & ${s.size === 8 ? 128 : 32768}) !== 0)`;
}

function ltu64(a: string, ah: string, b: string, bh: string): string {
  return `((${ah} >>> 0) < (${bh} >>> 0) || (${ah} === ${bh} && (${a} >>> 0) < (${b} >>> 0)))`;
}

function cfE(s: Sym): string {
  switch (s.op) {
    case FOp.Add:
      return s.size === 64 ? ltu64(s.r, s.rh, s.a, s.ah) : `(${mask(s.size, s.r)} < ${mask(s.size, s.a)})`;
    case FOp.Sub:
      return s.size === 64 ? ltu64(s.a, s.ah, s.b, s.bh) : `(${mask(s.size, s.a)} < ${mask(s.size, s.b)})`;
    case FOp.Logic:
      return "false";
    default:
      return `(${s.cf} === 1)`;
  }
}

function ofE(s: Sym): string {
  if (s.op === FOp.Logic) return "false";
  const add = s.op === FOp.Add || s.op === FOp.Inc;
  const [a, b, r] = s.size === 64 ? [s.ah, s.bh, s.rh] : [s.a, s.b, s.r];
  const x = add ? `((${a} ^ ${r}) & (${b} ^ ${r}))` : `((${a} ^ ${b}) & (${a} ^ ${r}))`;
  if (s.size >= 32) return `(${x} < 0)`;
  return `((${x} & ${s.size === 8 ? 128 : 32768}) !== 0)`;
}

function pfE(s: Sym): string {
  return `(PARITY[${s.r} & 255] !== 0)`;
}

/** Condition `cc` as a JS boolean expression. */
function condE(ctx: Ctx, cc: number): string {
  const s = ctx.sym;
  if (!s) return `F.cond(${cc})`;
  if (s.op === FOp.Sub && s.size !== 64) {
    // cmp/sub: compare the operands directly.
    const ua = mask(s.size, s.a);
    const ub = mask(s.size, s.b);
    const sa = sext(s.size, s.a);
    const sb = sext(s.size, s.b);
    switch (cc) {
      case 2:
        return `(${ua} < ${ub})`;
      case 3:
        return `(${ua} >= ${ub})`;
      case 4:
        return `(${ua} === ${ub})`;
      case 5:
        return `(${ua} !== ${ub})`;
      case 6:
        return `(${ua} <= ${ub})`;
      case 7:
        return `(${ua} > ${ub})`;
      case 12:
        return `(${sa} < ${sb})`;
      case 13:
        return `(${sa} >= ${sb})`;
      case 14:
        return `(${sa} <= ${sb})`;
      case 15:
        return `(${sa} > ${sb})`;
    }
  }
  const zf = zfE(s);
  const sf = sfE(s);
  const cf = cfE(s);
  const of = ofE(s);
  switch (cc) {
    case 0:
      return of;
    case 1:
      return `!${of}`;
    case 2:
      return cf;
    case 3:
      return `!${cf}`;
    case 4:
      return zf;
    case 5:
      return `!${zf}`;
    case 6:
      return `(${cf} || ${zf})`;
    case 7:
      return `!(${cf} || ${zf})`;
    case 8:
      return sf;
    case 9:
      return `!${sf}`;
    case 10:
      return pfE(s);
    case 11:
      return `!${pfE(s)}`;
    case 12:
      return `(${sf} !== ${of})`;
    case 13:
      return `(${sf} === ${of})`;
    case 14:
      return `(${zf} || ${sf} !== ${of})`;
    default:
      return `(!${zf} && ${sf} === ${of})`;
  }
}

/** CF of the current state as a 0/1 expression (inc/dec preserve it). */
function cfNow(ctx: Ctx): string {
  const s = ctx.sym;
  if (!s) return "F.cf()";
  if (s.op === FOp.Logic) return "0";
  return `(${cfE(s)} ? 1 : 0)`;
}

// ------------------------------------------------------------------ instruction emitters

/** Code for instruction k of the block. */
export function emitInsn(ctx: Ctx, k: number): string {
  const b = ctx.b;
  const i = b.insns[k];
  const isLast = k === b.insns.length - 1;
  ctx.symAt[k] = ctx.sym ? materializeSym(ctx.sym) : "";
  const code = b.names[k].startsWith("(") ? undefined : inline(ctx, i, k, isLast);
  if (code !== undefined) return code;
  return callHandler(ctx, k, isLast && b.endsInBranch, !isLast && b.branches[k]);
}

function callHandler(ctx: Ctx, k: number, branch: boolean, followed: boolean): string {
  const i = ctx.b.insns[k];
  const mat = ctx.materialize();
  const next = i.ip + i.len;
  let c = `k = ${k}; ${mat} cpu.rip = ${i.ip}; B.retiredInBlock = n + ${k}; H[${k}](cpu, I[${k}]);`;
  if (branch) c += ` cpu.exitBlock = false; B.retiredInBlock = 0; return n + ${k + 1};`;
  else if (followed) {
    // A followed branch inside a superblock: leave when it went somewhere else than the next instruction.
    const nextIp = ctx.b.insns[k + 1].ip;
    c += ` B.retiredInBlock = 0; if (cpu.exitBlock || cpu.rip !== ${nextIp}) { cpu.exitBlock = false; return n + ${k + 1}; }`;
  } else
    c += ` if (cpu.exitBlock) { cpu.exitBlock = false; cpu.rip = ${next}; B.retiredInBlock = 0; return n + ${k + 1}; }`;
  return c;
}

/** After an inlined store: leave the block if the store hit this block's code (self-modifying code). */
function smcCheck(i: Insn, k: number, ctx: Ctx): string {
  const s = ctx.sym ? materializeSym(ctx.sym) : "";
  return ` if (cpu.exitBlock) { cpu.exitBlock = false; ${s} cpu.rip = ${i.ip + i.len}; return n + ${k + 1}; }`;
}

/** Like smcCheck, for an instruction that transferred control to `target`. */
function smcCheckTo(ctx: Ctx, k: number, target: number): string {
  const s = ctx.sym ? materializeSym(ctx.sym) : "";
  return ` if (cpu.exitBlock) { cpu.exitBlock = false; ${s} cpu.rip = ${target}; return n + ${k + 1}; }`;
}

function inline(ctx: Ctx, i: Insn, k: number, isLast: boolean): string | undefined {
  if (i.encoding !== Encoding.Legacy || i.lock) return undefined;
  const op = i.opcode;
  if (i.map === 1) {
    if (op >= 0x80 && op <= 0x8f) return jcc(ctx, i, k, op & 15, isLast);
    if (op === 0x1f) return "";
    if (op === 0xb6 && i.opsize !== 16) return movzx8(ctx, i, k);
    return undefined;
  }
  if (i.map !== 0) return undefined;
  if (op < 0x40 && (op & 7) < 6) {
    const kind = op >> 3;
    if (kind === 2 || kind === 3) return undefined; // adc/sbb: handler
    return alu(ctx, i, k, kind, op & 7);
  }
  if (op >= 0x40 && op <= 0x4f && i.bits === 32 && i.opsize === 32) {
    return incdec(ctx, i, k, op < 0x48 ? FOp.Inc : FOp.Dec, op & 7, 32);
  }
  if (op >= 0x50 && op <= 0x57 && i.opsize !== 16) {
    const r = (op & 7) | (i.b << 3);
    if (i.bits === 64) return `k = ${k}; cpu.push64(lo[${r}], hi[${r}]);${smcCheck(i, k, ctx)}`;
    return `k = ${k}; cpu.push32(lo[${r}]);${smcCheck(i, k, ctx)}`;
  }
  if (op >= 0x58 && op <= 0x5f && i.opsize !== 16) {
    const r = (op & 7) | (i.b << 3);
    if (i.bits === 64) return `k = ${k}; const v${k} = cpu.pop64(); lo[${r}] = v${k}; hi[${r}] = cpu.th;`;
    return `k = ${k}; const v${k} = cpu.pop32(); lo[${r}] = v${k}; hi[${r}] = 0;`;
  }
  if (op >= 0x70 && op <= 0x7f) return jcc(ctx, i, k, op & 15, isLast);
  if (op === 0x80 || op === 0x81 || op === 0x83) {
    if (i.reg === 2 || i.reg === 3) return undefined;
    return aluImm(ctx, i, k, i.reg);
  }
  if (op === 0x84 || op === 0x85) return testRM(ctx, i, k);
  if (op >= 0x88 && op <= 0x8b) return movRM(ctx, i, k);
  if (op === 0x8d) return lea(ctx, i, k);
  if (op === 0x90 && i.rep === 0 && i.b === 0) return "";
  if (op >= 0xb8 && op <= 0xbf) {
    const r = (op & 7) | (i.b << 3);
    if (i.opsize === 64) return `lo[${r}] = ${i.imm | 0}; hi[${r}] = ${i.immHi | 0};`;
    if (i.opsize === 32) return `lo[${r}] = ${i.imm | 0}; hi[${r}] = 0;`;
    return undefined;
  }
  if (op === 0xc3 && i.opsize !== 16 && isLast) return ret(ctx, i, k);
  if (op === 0xe8 && i.opsize !== 16) return isLast ? call(ctx, i, k) : callPush(ctx, i, k);
  if ((op === 0xe9 || op === 0xeb) && i.opsize !== 16) return isLast ? jmp(ctx, i, k) : "";
  if (op === 0xff && (i.reg === 0 || i.reg === 1) && i.mod === 3 && i.opsize >= 32) {
    return incdec(ctx, i, k, i.reg === 0 ? FOp.Inc : FOp.Dec, rmOf(i), i.opsize);
  }
  if (op === 0xc7 && i.reg === 0 && i.opsize >= 32) return movImm(ctx, i, k);
  if (op === 0xc6 && i.reg === 0) return movImm(ctx, i, k);
  return undefined;
}

/** dst = f(dst, src) for the ALU kinds 0 add, 1 or, 4 and, 5 sub, 6 xor, 7 cmp. */
function aluCore(
  ctx: Ctx,
  k: number,
  kind: number,
  size: number,
  a: string,
  ah: string,
  b: string,
  bh: string,
): { code: string; r: string; rh: string } {
  const r = `r${k}`;
  const rh = `rh${k}`;
  let code: string;
  let fop: FOp;
  if (size === 64) {
    switch (kind) {
      case 0:
        code = `const t${k} = (${a} >>> 0) + (${b} >>> 0); const ${r} = t${k} | 0; const ${rh} = (${ah} + ${bh} + (t${k} > 4294967295 ? 1 : 0)) | 0;`;
        fop = FOp.Add;
        break;
      case 5:
      case 7:
        code = `const t${k} = (${a} >>> 0) - (${b} >>> 0); const ${r} = t${k} | 0; const ${rh} = (${ah} - ${bh} - (t${k} < 0 ? 1 : 0)) | 0;`;
        fop = FOp.Sub;
        break;
      default: {
        const o = kind === 1 ? "|" : kind === 4 ? "&" : "^";
        code = `const ${r} = ${a} ${o} ${b}; const ${rh} = ${ah} ${o} ${bh};`;
        fop = FOp.Logic;
      }
    }
    ctx.sym = { op: fop, size, a, b, r, ah, bh, rh, cf: "0" };
    return { code, r, rh };
  }
  switch (kind) {
    case 0:
      code = `const ${r} = (${a} + ${b}) | 0;`;
      fop = FOp.Add;
      break;
    case 5:
    case 7:
      code = `const ${r} = (${a} - ${b}) | 0;`;
      fop = FOp.Sub;
      break;
    default: {
      const o = kind === 1 ? "|" : kind === 4 ? "&" : "^";
      code = `const ${r} = ${a} ${o} ${b};`;
      fop = FOp.Logic;
    }
  }
  ctx.sym = { op: fop, size, a, b, r, ah: "0", bh: "0", rh: "0", cf: "0" };
  return { code, r, rh: "0" };
}

/** Reads operand values into locals: returns [code, lo-expr, hi-expr]. */
function readReg(i: Insn, r: number, size: number, name: string): [string, string, string] {
  if (size === 64) return [`const ${name} = lo[${r}], ${name}h = hi[${r}];`, name, `${name}h`];
  if (size === 32) return [`const ${name} = lo[${r}];`, name, "0"];
  return [`const ${name} = ${r8(i, r)};`, name, "0"];
}

function writeReg(i: Insn, r: number, size: number, v: string, vh: string): string {
  if (size === 64) return `lo[${r}] = ${v}; hi[${r}] = ${vh};`;
  if (size === 32) return `lo[${r}] = ${v}; hi[${r}] = 0;`;
  return w8(i, r, v);
}

function readMem(size: number, addr: string, name: string): [string, string, string] {
  if (size === 64) return [`const ${name} = cpu.rd64(${addr}), ${name}h = cpu.th;`, name, `${name}h`];
  if (size === 32) return [`const ${name} = cpu.rd32(${addr});`, name, "0"];
  return [`const ${name} = cpu.rd8(${addr});`, name, "0"];
}

function writeMem(size: number, addr: string, v: string, vh: string): string {
  if (size === 64) return `cpu.wr64(${addr}, ${v}, ${vh});`;
  if (size === 32) return `cpu.wr32(${addr}, ${v});`;
  return `cpu.wr8(${addr}, ${v});`;
}

function alu(ctx: Ctx, i: Insn, k: number, kind: number, form: number): string | undefined {
  const size = form === 0 || form === 2 || form === 4 ? 8 : i.opsize;
  if (size === 16) return undefined;
  // xor r,r / sub r,r: zeroing idiom.
  if ((kind === 6 || kind === 5) && (form === 1 || form === 3) && i.mod === 3 && regOf(i) === rmOf(i)) {
    const r = regOf(i);
    ctx.sym = {
      op: kind === 6 ? FOp.Logic : FOp.Sub,
      size,
      a: `0`,
      b: `0`,
      r: `0`,
      ah: "0",
      bh: "0",
      rh: "0",
      cf: "0",
    };
    return size === 8 ? w8(i, r, "0") : `lo[${r}] = 0; hi[${r}] = 0;`;
  }
  if (form === 4 || form === 5) {
    // AL/eAX, imm
    const imm = form === 4 ? i.imm & 0xff : i.imm | 0;
    const immH = size === 64 ? (imm < 0 ? "-1" : "0") : "0";
    const [rc, a, ah] = readReg(i, 0, size, `x${k}`);
    const res = aluCore(ctx, k, kind, size, a, ah, String(imm), immH);
    return rc + res.code + (kind === 7 ? "" : writeReg(i, 0, size, res.r, res.rh));
  }
  const toRM = form === 0 || form === 1;
  const g = regOf(i);
  if (i.mod === 3) {
    const e = rmOf(i);
    const [dst, src] = toRM ? [e, g] : [g, e];
    const [c1, a, ah] = readReg(i, dst, size, `x${k}`);
    const [c2, b, bh] = readReg(i, src, size, `y${k}`);
    const res = aluCore(ctx, k, kind, size, a, ah, b, bh);
    return c1 + c2 + res.code + (kind === 7 ? "" : writeReg(i, dst, size, res.r, res.rh));
  }
  const ea = eaCode(i, k);
  if (ea === undefined) return undefined;
  if (toRM) {
    const [c1, a, ah] = readMem(size, `a${k}`, `x${k}`);
    const [c2, b, bh] = readReg(i, g, size, `y${k}`);
    const res = aluCore(ctx, k, kind, size, a, ah, b, bh);
    if (kind === 7) return `k = ${k}; ${ea} ${c1}${c2}${res.code}`;
    return `k = ${k}; ${ea} ${c1}${c2}${res.code}${writeMem(size, `a${k}`, res.r, res.rh)}${smcCheck(i, k, ctx)}`;
  }
  const [c1, a, ah] = readReg(i, g, size, `x${k}`);
  const [c2, b, bh] = readMem(size, `a${k}`, `y${k}`);
  const res = aluCore(ctx, k, kind, size, a, ah, b, bh);
  return `k = ${k}; ${ea} ${c1}${c2}${res.code}${kind === 7 ? "" : writeReg(i, g, size, res.r, res.rh)}`;
}

function aluImm(ctx: Ctx, i: Insn, k: number, kind: number): string | undefined {
  const size = i.opcode === 0x80 ? 8 : i.opsize;
  if (size === 16) return undefined;
  const imm = size === 8 ? i.imm & 0xff : i.immSize === 1 ? (i.imm << 24) >> 24 : i.imm | 0;
  const immH = size === 64 ? (imm < 0 ? "-1" : "0") : "0";
  if (i.mod === 3) {
    const e = rmOf(i);
    const [c1, a, ah] = readReg(i, e, size, `x${k}`);
    const res = aluCore(ctx, k, kind, size, a, ah, String(imm), immH);
    return c1 + res.code + (kind === 7 ? "" : writeReg(i, e, size, res.r, res.rh));
  }
  const ea = eaCode(i, k);
  if (ea === undefined) return undefined;
  const [c1, a, ah] = readMem(size, `a${k}`, `x${k}`);
  const res = aluCore(ctx, k, kind, size, a, ah, String(imm), immH);
  if (kind === 7) return `k = ${k}; ${ea} ${c1}${res.code}`;
  return `k = ${k}; ${ea} ${c1}${res.code}${writeMem(size, `a${k}`, res.r, res.rh)}${smcCheck(i, k, ctx)}`;
}

function testRM(ctx: Ctx, i: Insn, k: number): string | undefined {
  const size = i.opcode === 0x84 ? 8 : i.opsize;
  if (size === 16) return undefined;
  const g = regOf(i);
  let c1: string, a: string, ah: string;
  let ea = "";
  if (i.mod === 3) [c1, a, ah] = readReg(i, rmOf(i), size, `x${k}`);
  else {
    const e = eaCode(i, k);
    if (e === undefined) return undefined;
    ea = `k = ${k}; ${e} `;
    [c1, a, ah] = readMem(size, `a${k}`, `x${k}`);
  }
  const [c2, b, bh] = readReg(i, g, size, `y${k}`);
  const res = aluCore(ctx, k, 4, size, a, ah, b, bh);
  return ea + c1 + c2 + res.code;
}

function incdec(ctx: Ctx, i: Insn, k: number, fop: FOp.Inc | FOp.Dec, r: number, size: number): string {
  const cf = cfNow(ctx);
  const d = fop === FOp.Inc ? "+" : "-";
  let code = `const c${k} = ${cf};`;
  if (size === 64) {
    code +=
      ` const x${k} = lo[${r}], x${k}h = hi[${r}]; const r${k} = (x${k} ${d} 1) | 0;` +
      ` const rh${k} = (x${k}h ${fop === FOp.Inc ? `+ (r${k} === 0 ? 1 : 0)` : `- (x${k} === 0 ? 1 : 0)`}) | 0;` +
      ` lo[${r}] = r${k}; hi[${r}] = rh${k};`;
    ctx.sym = {
      op: fop,
      size,
      a: `x${k}`,
      ah: `x${k}h`,
      b: "1",
      bh: "0",
      r: `r${k}`,
      rh: `rh${k}`,
      cf: `c${k}`,
    };
  } else {
    code += ` const x${k} = lo[${r}]; const r${k} = (x${k} ${d} 1) | 0; lo[${r}] = r${k}; hi[${r}] = 0;`;
    ctx.sym = { op: fop, size, a: `x${k}`, ah: "0", b: "1", bh: "0", r: `r${k}`, rh: "0", cf: `c${k}` };
  }
  return code;
}

function movRM(ctx: Ctx, i: Insn, k: number): string | undefined {
  const size = (i.opcode & 1) === 0 ? 8 : i.opsize;
  if (size === 16) return undefined;
  const toRM = i.opcode <= 0x89;
  const g = regOf(i);
  if (i.mod === 3) {
    const e = rmOf(i);
    const [dst, src] = toRM ? [e, g] : [g, e];
    const [c, v, vh] = readReg(i, src, size, `x${k}`);
    return c + writeReg(i, dst, size, v, vh);
  }
  const ea = eaCode(i, k);
  if (ea === undefined) return undefined;
  if (toRM) {
    const [c, v, vh] = readReg(i, g, size, `x${k}`);
    return `k = ${k}; ${ea} ${c}${writeMem(size, `a${k}`, v, vh)}${smcCheck(i, k, ctx)}`;
  }
  const [c, v, vh] = readMem(size, `a${k}`, `x${k}`);
  return `k = ${k}; ${ea} ${c}${writeReg(i, g, size, v, vh)}`;
}

function movImm(ctx: Ctx, i: Insn, k: number): string | undefined {
  const size = i.opcode === 0xc6 ? 8 : i.opsize;
  const imm = size === 8 ? i.imm & 0xff : i.imm | 0;
  const immH = size === 64 ? (imm < 0 ? "-1" : "0") : "0";
  if (i.mod === 3) return writeReg(i, rmOf(i), size, String(imm), immH);
  const ea = eaCode(i, k);
  if (ea === undefined) return undefined;
  return `k = ${k}; ${ea} ${writeMem(size, `a${k}`, String(imm), immH)}${smcCheck(i, k, ctx)}`;
}

function movzx8(ctx: Ctx, i: Insn, k: number): string | undefined {
  const g = regOf(i);
  if (i.mod === 3) return `lo[${g}] = ${r8(i, rmOf(i))}; hi[${g}] = 0;`;
  const ea = eaCode(i, k);
  if (ea === undefined) return undefined;
  return `k = ${k}; ${ea} lo[${g}] = cpu.rd8(a${k}); hi[${g}] = 0;`;
}

function lea(ctx: Ctx, i: Insn, k: number): string | undefined {
  if (i.opsize === 16 || i.adsize === 16 || i.mod === 3) return undefined;
  const g = regOf(i);
  const disp = i.disp | 0;
  if (i.adsize === 32) {
    // lea computes the offset only (no segment base), truncated to the address size.
    const parts: string[] = [];
    if (i.memBase === RIP_BASE) parts.push(String((i.ip + i.len) | 0));
    else if (i.memBase !== NO_REG) parts.push(`lo[${i.memBase}]`);
    if (i.memIndex !== NO_REG)
      parts.push(i.scale ? `(lo[${i.memIndex}] << ${i.scale})` : `lo[${i.memIndex}]`);
    if (disp !== 0 || parts.length === 0) parts.push(String(disp));
    // 64-bit operand size with 32-bit addresses zero-extends; 32-bit operand size writes 32 bits.
    return `lo[${g}] = (${parts.join(" + ")}) | 0; hi[${g}] = 0;`;
  }
  if (i.opsize === 32) {
    // 32-bit destination: only the low 32 bits of the 64-bit address matter.
    const parts: string[] = [];
    if (i.memBase === RIP_BASE) parts.push(String((i.ip + i.len) | 0));
    else if (i.memBase !== NO_REG) parts.push(`lo[${i.memBase}]`);
    if (i.memIndex !== NO_REG)
      parts.push(i.scale ? `(lo[${i.memIndex}] << ${i.scale})` : `lo[${i.memIndex}]`);
    if (disp !== 0 || parts.length === 0) parts.push(String(disp));
    return `lo[${g}] = (${parts.join(" + ")}) | 0; hi[${g}] = 0;`;
  }
  // 64-bit: exact pair arithmetic.
  let c = `let l${k} = ${disp}, h${k} = ${disp < 0 ? -1 : 0}, s${k} = 0;`;
  if (i.memBase === RIP_BASE) {
    const t = i.ip + i.len;
    c += ` s${k} = (l${k} >>> 0) + ${t % 4294967296}; h${k} = (h${k} + ${Math.floor(t / 4294967296)} + (s${k} > 4294967295 ? 1 : 0)) | 0; l${k} = s${k} | 0;`;
  } else if (i.memBase !== NO_REG) {
    const b = i.memBase;
    c += ` s${k} = (l${k} >>> 0) + (lo[${b}] >>> 0); h${k} = (h${k} + hi[${b}] + (s${k} > 4294967295 ? 1 : 0)) | 0; l${k} = s${k} | 0;`;
  }
  if (i.memIndex !== NO_REG) {
    const x = i.memIndex;
    const sh = i.scale;
    const xl = sh ? `(lo[${x}] << ${sh})` : `lo[${x}]`;
    const xh = sh ? `((hi[${x}] << ${sh}) | (lo[${x}] >>> ${32 - sh}))` : `hi[${x}]`;
    c += ` s${k} = (l${k} >>> 0) + (${xl} >>> 0); h${k} = (h${k} + ${xh} + (s${k} > 4294967295 ? 1 : 0)) | 0; l${k} = s${k} | 0;`;
  }
  return c + ` lo[${g}] = l${k}; hi[${g}] = h${k};`;
}

function jcc(ctx: Ctx, i: Insn, k: number, cc: number, isLast: boolean): string | undefined {
  if (i.opsize === 16) return undefined;
  const t = branchTarget(i);
  const fall = i.ip + i.len;
  const cond = condE(ctx, cc);
  const s = ctx.sym;
  const mat = s ? materializeSym(s) : "";
  const n = k + 1;
  if (!isLast) {
    // Superblock side exit; the block goes on with the fall-through.
    if (t === fall) return "";
    return `if (${cond}) { ${mat} cpu.rip = ${t}; return n + ${n}; }`;
  }
  if (ctx.selfLoop && t === ctx.b.start) {
    // The back edge writes the flags: every exit and fault in the next iteration then finds them in F.
    return (
      `n += ${n}; if (${cond}) { ${mat} if (n < max) continue; cpu.rip = ${t}; return n; }` +
      ` ${mat} cpu.rip = ${fall}; return n;`
    );
  }
  return `if (${cond}) { ${mat} cpu.rip = ${t}; return n + ${n}; } ${mat} cpu.rip = ${fall}; return n + ${n};`;
}

function jmp(ctx: Ctx, i: Insn, k: number): string {
  const t = branchTarget(i);
  const mat = ctx.materialize();
  if (ctx.selfLoop && t === ctx.b.start) {
    return `n += ${k + 1}; ${mat} if (n < max) continue; cpu.rip = ${t}; return n;`;
  }
  return `${mat} cpu.rip = ${t}; return n + ${k + 1};`;
}

function pushRet(i: Insn): string {
  const ret = i.ip + i.len;
  return i.bits === 64
    ? `cpu.push64(${(ret % 4294967296) | 0}, ${Math.floor(ret / 4294967296)});`
    : `cpu.push32(${ret | 0});`;
}

function call(ctx: Ctx, i: Insn, k: number): string {
  const t = branchTarget(i);
  const mat = ctx.materialize();
  return `k = ${k}; ${pushRet(i)} ${mat} cpu.rip = ${t}; return n + ${k + 1};`;
}

/** A call the superblock follows: push the return address and go on with the callee's code. */
function callPush(ctx: Ctx, i: Insn, k: number): string {
  return `k = ${k}; ${pushRet(i)}${smcCheckTo(ctx, k, branchTarget(i))}`;
}

function ret(ctx: Ctx, i: Insn, k: number): string {
  const mat = ctx.materialize();
  if (i.bits === 64) {
    return `k = ${k}; const t${k} = cpu.ret64(); ${mat} cpu.rip = t${k}; return n + ${k + 1};`;
  }
  return `k = ${k}; const v${k} = cpu.pop32(); ${mat} cpu.rip = v${k} >>> 0; return n + ${k + 1};`;
}
