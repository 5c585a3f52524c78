/**
 * Block compiler: turns a decoded basic block into one JavaScript function (`new Function`).
 *
 * - Instructions with an emitter (src/cpu/jit/emit.ts) are inlined; every other instruction calls its
 *   handler, exactly as the interpreter would.
 * - Flags are tracked symbolically inside the block: a conditional jump after `cmp`/`dec` tests the
 *   operands directly, and the lazy-flag record (cpu.flags) is written only where the flags can be
 *   observed (block exits, handler calls).
 * - A block whose last instruction jumps back to its own start becomes a JavaScript loop bounded by the
 *   instruction budget.
 * - Registers are read and written through `cpu.lo`/`cpu.hi` so state is exact at every instruction;
 *   a fault inside the block sets rip to the faulting instruction (local `k`) and rethrows to the run loop.
 */
import type { Block } from "../block";
import type { Cpu } from "../cpu";
import { addr64 } from "../cpu";
import { PARITY } from "../flags";
import { Ctx, emitInsn } from "./emit";

export type CompiledBlock = (cpu: Cpu, max: number) => number;

/** Set to false to run every block through the interpreter (benchmarks compare both). */
export const jitOptions = { enabled: true };

export function compileBlock(b: Block): CompiledBlock {
  if (!jitOptions.enabled) return (cpu) => b.interpret(cpu);
  const src = generate(b);
  try {
    const factory = new Function("H", "I", "IPS", "PARITY", "addr64", src) as (
      ...args: unknown[]
    ) => CompiledBlock;
    return factory(
      b.handlers,
      b.insns,
      b.insns.map((i) => i.ip),
      PARITY,
      addr64,
    );
  } catch {
    // A generator bug must not take the emulator down: fall back to the interpreter for this block.
    return (cpu) => b.interpret(cpu);
  }
}

/** The JavaScript source of a block's function (exported for tests and `wowdbg jit-dump`). */
export function generate(b: Block): string {
  const n = b.insns.length;
  const last = b.insns[n - 1];
  const selfLoop = b.endsInBranch && isDirectJumpTo(last, b.start, b.names[n - 1]);
  const ctx = new Ctx(b, selfLoop);
  const parts: string[] = [];
  for (let k = 0; k < n; k++) parts.push(emitInsn(ctx, k));
  if (!selfLoop && !b.endsInBranch) parts.push(`${ctx.materialize()} cpu.rip = ${b.end}; return ${n};`);
  // Locals are hoisted to function scope (`let` at the top) so the catch clause can see them: a fault in
  // the middle of the block writes the flags as they were before the faulting instruction.
  let body = parts.join("\n");
  const names = new Set<string>();
  body = body.replace(/\b(?:const|let) (?=[a-z]{1,2}[0-9]+h?\b)/g, "");
  for (const m of body.matchAll(/(?<![.\w])([a-z]{1,2}[0-9]+h?)\b/g)) names.add(m[1]);
  const restore: string[] = [];
  ctx.symAt.forEach((code, k) => {
    if (code) restore.push(`case ${k}: ${code} break;`);
  });
  const lines: string[] = [];
  lines.push("return function block(cpu, max) {");
  lines.push("const lo = cpu.lo, hi = cpu.hi, F = cpu.flags, B = cpu.blocks;");
  lines.push("let k = 0, n = 0;");
  if (names.size) lines.push(`let ${[...names].join(", ")};`);
  lines.push("try {");
  if (selfLoop) lines.push("for (;;) {");
  lines.push(body);
  if (selfLoop) lines.push("}");
  lines.push("} catch (e) {");
  if (restore.length) lines.push(`switch (k) { ${restore.join(" ")} }`);
  lines.push("cpu.rip = IPS[k]; B.retiredInBlock = n + k; throw e; }");
  lines.push("};");
  return lines.join("\n");
}

function isDirectJumpTo(i: Block["insns"][number], start: number, name: string): boolean {
  if (name === "(invalid)" || name === "(unimplemented)" || name === "(fetch)") return false;
  const op = i.opcode;
  const direct =
    (i.map === 0 && ((op >= 0x70 && op <= 0x7f) || op === 0xeb || op === 0xe9)) ||
    (i.map === 1 && op >= 0x80 && op <= 0x8f);
  if (!direct) return false;
  return branchTarget(i) === start;
}

/**
 * Target of a relative jump (rel8/rel32), with operand-size wrap in 32-bit mode and modulo 2^64 in 64-bit
 * mode (a target below 0 wraps to the top of the address space, where fetching it faults).
 */
export function branchTarget(i: Block["insns"][number]): number {
  const rel = i.immSize === 1 ? (i.imm << 24) >> 24 : i.immSize === 2 ? (i.imm << 16) >> 16 : i.imm | 0;
  const t = i.ip + i.len + rel;
  if (i.bits === 32) return i.opsize === 16 ? t & 0xffff : t >>> 0;
  return t < 0 ? t + 18446744073709551616 : t;
}
