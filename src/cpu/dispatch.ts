/**
 * Instruction handlers, keyed the way the encoding is shaped: (map, opcode), optionally narrowed by
 * the mandatory prefix, ModRM.reg (groups) and register/memory form. Each semantic family file
 * (src/cpu/sem/*.ts) registers its handlers at load; `resolve` picks the most specific one once per
 * decoded instruction (at block build time, never per execution).
 */
import type { Cpu } from "./cpu";
import { Encoding, type Insn } from "./decoder/insn";

export type Handler = (cpu: Cpu, i: Insn) => void;

export interface HandlerSpec {
  /** Encoding (Legacy when omitted; VEX-encoded GPR instructions like andn use Encoding.Vex). */
  encoding?: Encoding;
  /** Vector length for VEX forms (0 = L0). Omit: any. */
  vl?: number;
  /** REX.W / VEX.W this form needs. Omit: any. */
  w?: number;
  /** OpMap (0 legacy, 1 = 0F, 2 = 0F38, 3 = 0F3A). */
  map: number;
  opcode: number;
  /** Mandatory prefix this form needs (0 = none of 66/F2/F3 selects it). Omit: any. */
  pfx?: 0 | 0x66 | 0xf2 | 0xf3;
  /** ModRM.reg for group opcodes. Omit: any. */
  reg?: number;
  /** Register form (mod = 11) or memory form only. Omit: both. */
  form?: "reg" | "mem";
  /** Only in this mode. Omit: both. */
  bits?: 32 | 64;
  /** Only with (true) or without (false) an F2/F3 repeat prefix (`Insn.rep`), e.g. string instructions. Omit: any. */
  rep?: boolean;
  /**
   * The handler ends a basic block: it always sets `cpu.rip` (also when it falls through), or it asks
   * the run loop to stop (`cpu.requestStop`). Branches, calls, returns, far transfers, syscall, int3…
   */
  branch?: boolean;
  /** Instruction name for traces and the unimplemented-instruction message. */
  name: string;
  h: Handler;
}

export interface Resolved {
  h: Handler;
  branch: boolean;
  name: string;
}

const table = new Map<number, HandlerSpec[]>();

function key(encoding: number, map: number, opcode: number): number {
  return (encoding << 16) | (map << 8) | opcode;
}

/** Register handlers (SSE is legacy-encoded with mandatory prefixes; VEX forms name their encoding). */
export function define(...specs: HandlerSpec[]): void {
  for (const s of specs) {
    const k = key(s.encoding ?? Encoding.Legacy, s.map, s.opcode);
    let list = table.get(k);
    if (!list) table.set(k, (list = []));
    list.push(s);
  }
}

function specificity(s: HandlerSpec): number {
  return (
    (s.pfx !== undefined ? 32 : 0) +
    (s.reg !== undefined ? 16 : 0) +
    (s.w !== undefined ? 8 : 0) +
    (s.vl !== undefined ? 4 : 0) +
    (s.form ? 2 : 0) +
    (s.bits ? 1 : 0) +
    (s.rep !== undefined ? 1 : 0)
  );
}

/** The handler for a decoded instruction, or undefined when we do not implement it (#UD). */
export function resolve(i: Insn): Resolved | undefined {
  const enc = i.encoding === Encoding.D3Now ? Encoding.Legacy : i.encoding;
  const list = table.get(key(enc, i.map, i.opcode));
  if (!list) return undefined;
  let best: HandlerSpec | undefined;
  let bestScore = -1;
  const isReg = i.hasModrm && i.mod === 3;
  for (const s of list) {
    if (s.pfx !== undefined && s.pfx !== i.mandatory) continue;
    if (s.reg !== undefined && (!i.hasModrm || s.reg !== i.reg)) continue;
    if (s.form === "reg" && !isReg) continue;
    if (s.form === "mem" && isReg) continue;
    if (s.bits !== undefined && s.bits !== i.bits) continue;
    if (s.w !== undefined && s.w !== i.w) continue;
    if (s.vl !== undefined && s.vl !== i.vl) continue;
    if (s.rep !== undefined && s.rep !== (i.rep !== 0)) continue;
    const sc = specificity(s);
    if (sc > bestScore) {
      best = s;
      bestScore = sc;
    }
  }
  return best ? { h: best.h, branch: best.branch === true, name: best.name } : undefined;
}

/** Every registered spec (for coverage reports). */
export function allSpecs(): HandlerSpec[] {
  return [...table.values()].flat();
}
