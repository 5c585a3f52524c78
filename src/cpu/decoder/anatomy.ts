/**
 * The anatomy of a decoded instruction as a user reads it: each prefix, REX.W/R/X/B or its absence,
 * opcode, ModRM, SIB, displacement, immediates, length. Used by the CLI and the debugger's Instruction scope.
 */
import { Encoding, Invalid, type Insn } from "./insn";

export interface AnatomyField {
  name: string;
  value: string;
}

function h(v: number, w = 2): string {
  return (v >>> 0).toString(16).toUpperCase().padStart(w, "0");
}

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

export function anatomyFields(i: Insn): AnatomyField[] {
  const f: AnatomyField[] = [];
  f.push({ name: "mode", value: `${i.bits}-bit` });
  f.push({ name: "length", value: String(i.len) });
  if (i.invalid !== Invalid.None) {
    const why = ["", "undefined opcode", "longer than 15 bytes", "lock not allowed", "truncated"][i.invalid];
    f.push({ name: "invalid", value: why });
  }
  f.push({
    name: "prefixes",
    value: i.prefixes.length
      ? i.prefixes.map((p) => `${h(p)} (${PREFIX_NAMES[p] ?? "?"})`).join(", ")
      : "none",
  });
  if (i.bits === 64) {
    if (i.rex) {
      f.push({
        name: "REX",
        value: `${h(i.rex)}: W=${(i.rex >> 3) & 1} R=${(i.rex >> 2) & 1} X=${(i.rex >> 1) & 1} B=${i.rex & 1}`,
      });
    } else f.push({ name: "REX", value: "none" });
    if (i.rexIgnored) f.push({ name: "REX ignored", value: `${h(i.rexIgnored)} (not the last prefix)` });
  }
  if (i.encoding === Encoding.Vex || i.encoding === Encoding.Evex || i.encoding === Encoding.Xop) {
    const kind = i.encoding === Encoding.Vex ? "VEX" : i.encoding === Encoding.Evex ? "EVEX" : "XOP";
    let v = `W=${i.w} R=${i.r} X=${i.x} B=${i.b} vvvv=${i.vvvv} L=${i.vl} pp=${i.mandatory ? h(i.mandatory) : "none"}`;
    if (i.encoding === Encoding.Evex) v += ` aaa=${i.aaa} z=${i.z} b=${i.evexB}`;
    f.push({ name: kind, value: v });
  }
  const map = MAPS[i.map] ?? `map${i.map}`;
  f.push({ name: "opcode", value: (map ? map + " " : "") + h(i.opcode) });
  f.push({ name: "operand size", value: `${i.opsize}-bit` });
  f.push({ name: "address size", value: `${i.adsize}-bit` });
  if (i.hasModrm) {
    f.push({ name: "ModRM", value: `${h(i.modrm)}: mod=${i.mod} reg=${i.reg} rm=${i.rm}` });
  }
  if (i.hasSib) {
    f.push({
      name: "SIB",
      value: `${h(i.sib)}: scale=${1 << i.scale} index=${i.sibIndex} base=${i.sibBase}`,
    });
  }
  if (i.dispSize) {
    const d = i.dispSize === 8 ? `${h(i.dispHi, 8)}${h(i.disp, 8)}` : signedHex(i.disp);
    f.push({ name: "displacement", value: `${d} (${i.dispSize} byte${i.dispSize > 1 ? "s" : ""})` });
  }
  if (i.immSize) {
    const v = i.immSize === 8 ? `${h(i.immHi, 8)}${h(i.imm, 8)}` : h(i.imm >>> 0, i.immSize * 2);
    f.push({ name: "immediate", value: `${v} (${i.immSize} byte${i.immSize > 1 ? "s" : ""})` });
  }
  if (i.imm2Size) f.push({ name: "immediate 2", value: h(i.imm2, i.imm2Size * 2) });
  return f;
}

function signedHex(v: number): string {
  return v < 0 ? `-${h(-v)}` : h(v);
}

export function anatomyText(i: Insn): string {
  const w = Math.max(...anatomyFields(i).map((x) => x.name.length));
  return anatomyFields(i)
    .map((x) => `${x.name.padEnd(w)}  ${x.value}`)
    .join("\n");
}
