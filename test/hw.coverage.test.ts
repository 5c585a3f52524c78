/**
 * Coverage of the hardware vectors (test/hw/vectors/*.txt): every instruction handler the CPU registers
 * (`allSpecs()`, src/cpu/dispatch.ts) must be exercised by at least one recorded vector in each mode where
 * it can exist, and — when the spec does not restrict `form` — by both a register (mod = 11) and a memory
 * operand form. Specs whose name lists several instructions ("fchs/fabs/ftst/fxam") must be exercised once
 * per instruction (the decoder's mnemonic).
 *
 * Where a spec "can exist" is found by probing: for each spec and mode the test builds candidate encodings
 * (prefixes 66/F2/F3, REX, the opcode map escape, ModRM with every reg, several rm, register and memory
 * forms; VEX for VEX specs), decodes them with our decoder and keeps the (mode, form, mnemonic) units that
 * `resolve` sends to that spec. Each vector is decoded and resolved the same way; the units no vector
 * reaches are listed. ALLOW lists the few units the harness cannot run, each with the reason.
 *
 * HW_COVERAGE_VERBOSE=1   also prints the per-spec vector counts.
 */
import * as assert from "node:assert/strict";
import * as fs from "node:fs";
import * as path from "node:path";
import type { HandlerSpec } from "../src/cpu/dispatch";
import { Encoding, Invalid, type Insn } from "../src/cpu/decoder/insn";

type Dispatch = typeof import("../src/cpu/dispatch");
type Decoder = typeof import("../src/cpu/decoder/decoder");
/** The CPU modules, loaded in the test (like hw.vectors.test.ts) so that a CPU that does not load fails here. */
let dispatch: Dispatch;
let decoder: Decoder;

const CODE = 0x20010000;
const VEC_DIR = path.join(__dirname, "hw", "vectors");

/**
 * Units (`<name> <bits> <form>[ <mnemonic>]`, as printed in the uncovered list) that no vector needs to
 * cover because the harness cannot run them on the host. Keep this short; prefer recording the fault.
 */
const ALLOW = new Map<string, string>([
  // SYSCALL enters the host kernel: in 64-bit mode always; in compatibility mode AMD (this host) executes
  // it too (Linux's compat syscall entry), while Intel raises #UD, which the emulator follows.
  [
    "syscall 64 none",
    "enters the host kernel (the emulator stops with kind 'syscall'); see test/sem.control.test.ts",
  ],
  ["syscall 32 none", "AMD executes it (host kernel), Intel #UD (the emulator follows Intel)"],
  // Vendor-specific faults at CPL 3 (the emulator follows Intel; this host is AMD):
  [
    "sysenter 32 none",
    "AMD #UD in long mode, Intel #GP(0) with IA32_SYSENTER_CS = 0 (the emulator's choice)",
  ],
  [
    "sysenter 64 none",
    "AMD #UD in long mode, Intel #GP(0) with IA32_SYSENTER_CS = 0 (the emulator's choice)",
  ],
  ["sysret 32 none", "in compatibility mode AMD #GP (CPL 3), Intel #UD (the emulator's choice)"],
]);

interface Unit {
  spec: HandlerSpec;
  bits: 32 | 64;
  form: "reg" | "mem" | "none";
  /** Decoder mnemonic, for specs whose name lists several instructions; "" otherwise. */
  mn: string;
}

function unitKey(specIdx: number, bits: number, form: string, mn: string): string {
  return `${specIdx}|${bits}|${form}|${mn}`;
}

function unitLabel(s: HandlerSpec, bits: number, form: string, mn: string): string {
  return `${s.name} ${bits} ${form}${mn ? " " + mn : ""}`;
}

function specDesc(s: HandlerSpec): string {
  const enc = s.encoding === Encoding.Vex ? "vex " : "";
  const map = ["", "0f ", "0f38 ", "0f3a "][s.map] ?? `map${s.map} `;
  const parts = [`${enc}${map}${s.opcode.toString(16).padStart(2, "0")}`];
  if (s.pfx !== undefined) parts.push(`pfx=${s.pfx.toString(16)}`);
  if (s.reg !== undefined) parts.push(`/${s.reg}`);
  if (s.w !== undefined) parts.push(`w=${s.w}`);
  if (s.vl !== undefined) parts.push(`l=${s.vl}`);
  if (s.rep !== undefined) parts.push(`rep=${s.rep}`);
  return parts.join(" ");
}

// ---------------------------------------------------------------- which spec does an instruction resolve to

let specs: HandlerSpec[] = [];
const specIndex = new Map<HandlerSpec, number>();
const byKey = new Map<number, HandlerSpec[]>();

function load(): void {
  /* eslint-disable @typescript-eslint/no-require-imports */
  require("../src/cpu/sem/index");
  dispatch = require("../src/cpu/dispatch") as Dispatch;
  decoder = require("../src/cpu/decoder/decoder") as Decoder;
  /* eslint-enable @typescript-eslint/no-require-imports */
  specs = dispatch.allSpecs();
  specs.forEach((s, i) => specIndex.set(s, i));
  for (const s of specs) {
    const k = ((s.encoding ?? Encoding.Legacy) << 16) | (s.map << 8) | s.opcode;
    let l = byKey.get(k);
    if (!l) byKey.set(k, (l = []));
    l.push(s);
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

/**
 * The spec `resolve` picks (the same rules, returning the spec itself); checked against `resolve` so that
 * a change of the dispatch rules shows up here instead of silently skewing the coverage.
 */
function specOf(i: Insn): HandlerSpec | undefined {
  const enc = i.encoding === Encoding.D3Now ? Encoding.Legacy : i.encoding;
  const list = byKey.get((enc << 16) | (i.map << 8) | i.opcode);
  let best: HandlerSpec | undefined;
  let bestScore = -1;
  if (list) {
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
  }
  const r = dispatch.resolve(i);
  if ((r?.h ?? undefined) !== (best?.h ?? undefined)) {
    throw new Error(
      `coverage: our copy of resolve() disagrees with dispatch.ts for ${i.mnemonic} (update specOf)`,
    );
  }
  return best;
}

function formOf(i: Insn): "reg" | "mem" | "none" {
  return !i.hasModrm ? "none" : i.mod === 3 ? "reg" : "mem";
}

function mnOf(s: HandlerSpec, i: Insn): string {
  return s.name.includes("/") ? i.mnemonic : "";
}

// ---------------------------------------------------------------- probing: which units can exist

const buf = new Uint8Array(32);

function probeOne(bytes: number[], bits: 32 | 64, out: Map<string, Unit>): void {
  buf.fill(0);
  buf.set(bytes);
  const i = decoder.decode(buf, buf.length, CODE, bits);
  if (i.invalid !== Invalid.None) return;
  const s = specOf(i);
  if (!s) return;
  const form = formOf(i);
  const mn = mnOf(s, i);
  const k = unitKey(specIndex.get(s)!, bits, form, mn);
  if (!out.has(k)) out.set(k, { spec: s, bits, form, mn });
}

const ESC: number[][] = [[], [0x0f], [0x0f, 0x38], [0x0f, 0x3a]];
const PP: Record<number, number> = { 0: 0, 0x66: 1, 0xf3: 2, 0xf2: 3 };

function probeSpec(s: HandlerSpec, bits: 32 | 64, out: Map<string, Unit>): void {
  const regs = s.reg !== undefined ? [s.reg] : [0, 1, 2, 3, 4, 5, 6, 7];
  // every rm for the register forms of x87 and group opcodes whose rm selects the instruction
  const rms =
    s.map === 0 && s.opcode >= 0xd8 && s.opcode <= 0xdf
      ? [0, 1, 2, 3, 4, 5, 6, 7]
      : s.map === 1 && s.opcode === 1
        ? [0, 1, 2, 3, 4, 5, 6, 7]
        : [0, 1];
  const modrms: number[] = [];
  for (const r of regs) {
    for (const rm of rms) modrms.push(0xc0 | (r << 3) | rm);
    modrms.push((r << 3) | 0); // [rax] / [eax]
    modrms.push((r << 3) | 3); // [rbx] / [ebx]
  }
  if (s.encoding === Encoding.Vex) {
    const ws = s.w !== undefined ? [s.w] : [0, 1];
    const pps = s.pfx !== undefined ? [PP[s.pfx]] : [0, 1, 2, 3];
    const ls = s.vl !== undefined ? [s.vl] : [0, 1];
    for (const w of ws)
      for (const pp of pps)
        for (const l of ls)
          for (const m of modrms)
            probeOne([0xc4, 0xe0 | s.map, (w << 7) | (0xf << 3) | (l << 2) | pp, s.opcode, m], bits, out);
    return;
  }
  if (s.encoding !== undefined && s.encoding !== Encoding.Legacy) return;
  const pfxSets = [[], [0x66], [0xf3], [0xf2], [0x66, 0xf3], [0x66, 0xf2]];
  const rexes = bits === 64 ? [0, 0x48, 0x40] : [0];
  for (const p of pfxSets)
    for (const rex of rexes)
      for (const m of modrms) probeOne([...p, ...(rex ? [rex] : []), ...ESC[s.map], s.opcode, m], bits, out);
}

// ---------------------------------------------------------------- vectors

interface VecRef {
  file: string;
  line: number;
  fault: boolean;
}

function readVectors(): { bits: 32 | 64; bytes: Uint8Array; ref: VecRef }[] {
  const res: { bits: 32 | 64; bytes: Uint8Array; ref: VecRef }[] = [];
  for (const file of fs
    .readdirSync(VEC_DIR)
    .filter((f) => f.endsWith(".txt"))
    .sort()) {
    const lines = fs.readFileSync(path.join(VEC_DIR, file), "utf8").split("\n");
    lines.forEach((line, n) => {
      if (!line || line.startsWith("#")) return;
      const sp = line.indexOf(" ");
      const bits = Number(line.slice(0, sp)) as 32 | 64;
      const hex = line.slice(sp + 1, line.indexOf(" ", sp + 1));
      const outPart = line.split(" | ")[2] ?? "";
      res.push({
        bits,
        bytes: Uint8Array.from(Buffer.from(hex, "hex")),
        ref: { file, line: n + 1, fault: / exc=/.test(outPart) },
      });
    });
  }
  return res;
}

describe("hardware vector coverage (test/hw/vectors × src/cpu/sem)", () => {
  it("exercises every implemented instruction form in both modes", function () {
    this.timeout(120000);
    load();
    // units that can exist
    const possible = new Map<string, Unit>();
    for (const s of specs) {
      for (const bits of [32, 64] as const) {
        if (s.bits !== undefined && s.bits !== bits) continue;
        probeSpec(s, bits, possible);
      }
    }
    // units the vectors reach
    const hits = new Map<string, { n: number; nonFault: number; first: VecRef }>();
    const vecs = readVectors();
    let unresolved = 0;
    for (const v of vecs) {
      buf.fill(0);
      buf.set(v.bytes);
      const i = decoder.decode(buf, v.bytes.length, CODE, v.bits);
      if (i.invalid !== Invalid.None) continue;
      const s = specOf(i);
      if (!s) {
        unresolved++;
        continue;
      }
      const k = unitKey(specIndex.get(s)!, v.bits, formOf(i), mnOf(s, i));
      if (!possible.has(k)) possible.set(k, { spec: s, bits: v.bits, form: formOf(i), mn: mnOf(s, i) });
      const h = hits.get(k);
      if (h) {
        h.n++;
        if (!v.ref.fault) h.nonFault++;
      } else hits.set(k, { n: 1, nonFault: v.ref.fault ? 0 : 1, first: v.ref });
    }

    const uncovered: string[] = [];
    const allowed: string[] = [];
    const onlyFaults: string[] = [];
    const usedAllow = new Set<string>();
    const neverProbed = specs.filter((s) => ![...possible.values()].some((u) => u.spec === s));
    const units = [...possible.entries()].sort((a, b) => {
      const ua = a[1];
      const ub = b[1];
      return (
        ua.spec.name.localeCompare(ub.spec.name) ||
        ua.bits - ub.bits ||
        ua.form.localeCompare(ub.form) ||
        ua.mn.localeCompare(ub.mn)
      );
    });
    for (const [k, u] of units) {
      const label = unitLabel(u.spec, u.bits, u.form, u.mn);
      const h = hits.get(k);
      if (!h) {
        if (ALLOW.has(label)) {
          usedAllow.add(label);
          allowed.push(`  ${label}  [${specDesc(u.spec)}]  — ${ALLOW.get(label)}`);
        } else uncovered.push(`  ${label}  [${specDesc(u.spec)}]`);
      } else if (h.nonFault === 0)
        onlyFaults.push(`  ${label} (${h.n} faulting vector(s), e.g. ${h.first.file}:${h.first.line})`);
    }
    const stale = [...ALLOW.keys()].filter((k) => !usedAllow.has(k));
    const covered = units.length - uncovered.length - allowed.length;
    const coveredSpecs = new Set([...hits.keys()].map((k) => Number(k.split("|")[0])));
    const report =
      `${specs.length} handler specs, ${specs.length - neverProbed.length} reachable by encoding; ` +
      `${coveredSpecs.size} exercised by at least one of ${vecs.length} vectors (${unresolved} vectors resolve to no handler).\n` +
      `${units.length} units (spec × mode × reg/mem form × mnemonic): ${covered} covered, ${allowed.length} allow-listed, ${uncovered.length} uncovered.\n` +
      (neverProbed.length
        ? `specs no probe encoding reaches (shadowed or unusual encodings):\n${neverProbed.map((s) => `  ${s.name} [${specDesc(s)}]`).join("\n")}\n`
        : "") +
      (allowed.length ? `allow-listed:\n${allowed.join("\n")}\n` : "") +
      (onlyFaults.length ? `covered only by faulting vectors:\n${onlyFaults.join("\n")}\n` : "") +
      (stale.length
        ? `stale allow-list entries (covered or impossible now, remove them):\n  ${stale.join("\n  ")}\n`
        : "") +
      (uncovered.length ? `UNCOVERED:\n${uncovered.join("\n")}\n` : "");
    console.log(report);
    if (process.env.HW_COVERAGE_VERBOSE) {
      for (const [k, u] of units)
        console.log(`  ${unitLabel(u.spec, u.bits, u.form, u.mn)}: ${hits.get(k)?.n ?? 0}`);
    }
    assert.equal(
      uncovered.length,
      0,
      `${uncovered.length} instruction forms have no hardware vector:\n${uncovered.join("\n")}`,
    );
    assert.equal(stale.length, 0, `stale allow-list entries: ${stale.join(", ")}`);
  });
});
