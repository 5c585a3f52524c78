/**
 * Hover text for listing lines: an instruction's anatomy (prefixes, REX.W/R/X/B, VEX/EVEX fields, opcode,
 * ModRM, SIB, displacement, immediates and the operands) from our decoder, a data line's bytes, a label's
 * symbol.
 */
import { anatomyFields } from "../cpu/decoder/anatomy";
import { decode, describe } from "../cpu/decoder/decoder";
import type { Operand } from "../cpu/decoder/insn";
import { formatAddress, referencesTo, type Listing, type ListingSymbol } from "./listing";

/** An inline code span that may contain backticks (64-bit addresses do: `00000001`40001000`). */
function code(s: string): string {
  return s.includes("`") ? `\`\` ${s} \`\`` : `\`${s}\``;
}

function hexBig(v: bigint): string {
  const neg = v < 0n;
  const s = (neg ? -v : v).toString(16).toUpperCase();
  return (neg ? "-0x" : "0x") + s;
}

/** One operand as a user reads it: `reg rax`, `mem qword ptr ds:[rbp+rdx*1+0x2]`, `imm 0xE (1 byte)`. */
export function operandText(op: Operand): string {
  switch (op.kind) {
    case "reg":
      return `register \`${op.reg}\``;
    case "imm":
      return `immediate \`${hexBig(op.value)}\` (${op.size} byte${op.size === 1 ? "" : "s"})`;
    case "branch":
      return `branch target \`${hexBig(op.target)}\``;
    case "far":
      return `far pointer \`${op.selector.toString(16).toUpperCase().padStart(4, "0")}:${op.offset.toString(16).toUpperCase()}\``;
    case "mem": {
      const parts: string[] = [];
      if (op.base !== "") parts.push(op.base);
      if (op.index !== "") parts.push(`${op.index}*${op.scale}`);
      const rel = op.base === "rip" || op.base === "eip";
      if (rel) return `memory \`${op.seg}:[${hexBig(op.disp)}]\` (${op.base}-relative)${sizeText(op.size)}`;
      if (op.disp !== 0n || parts.length === 0) parts.push(hexBig(op.disp));
      return `memory \`${op.seg}:[${parts.join("+").replace("+-", "-")}]\`${sizeText(op.size)}`;
    }
  }
}

function sizeText(size: number): string {
  return size > 0 ? `, ${size} byte${size === 1 ? "" : "s"}` : "";
}

/** The anatomy of the instruction at `address` in the listing's image, as Markdown. */
export function instructionHover(l: Listing, address: number, text: string): string {
  const off = address - l.imageBase;
  const buf = new Uint8Array(16);
  const avail = Math.max(0, Math.min(15, l.image.length - off));
  buf.set(l.image.subarray(off, off + avail));
  const insn = decode(buf, avail, address, l.bits);
  const { operands } = describe(insn);
  const bytes: string[] = [];
  for (let k = 0; k < insn.len; k++) bytes.push(buf[k].toString(16).toUpperCase().padStart(2, "0"));
  const out: string[] = [];
  out.push("```x86-listing", text, "```");
  out.push(`${code(formatAddress(address, l.bits))}  ${code(bytes.join(" "))}`, "");
  out.push("| field | value |", "| --- | --- |");
  for (const f of anatomyFields(insn)) out.push(`| ${f.name} | ${f.value.replace(/\|/g, "\\|")} |`);
  if (operands.length > 0) {
    out.push("", "Operands:", "");
    operands.forEach((op, i) => out.push(`${i + 1}. ${operandText(op)}`));
  }
  return out.join("\n");
}

/** A data line: bytes, their values as little-endian integers when they fit. */
export function dataHover(l: Listing, address: number, length: number): string {
  const off = address - l.imageBase;
  const n = Math.min(length, 8);
  const bytes = l.image.subarray(off, off + n);
  const out = [`${code(formatAddress(address, l.bits))}: ${length} byte${length === 1 ? "" : "s"} of data`];
  if (n >= 4) {
    const dv = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    out.push("", `dword \`0x${dv.getUint32(0, true).toString(16).toUpperCase()}\``);
    if (n === 8) out.push("", `qword \`0x${dv.getBigUint64(0, true).toString(16).toUpperCase()}\``);
  }
  return out.join("\n");
}

const KIND_TEXT: Record<ListingSymbol["kind"], string> = {
  function: "function",
  entry: "entry point",
  export: "exported function",
  data: "data",
  import: "import address table slot",
};

export function symbolHover(l: Listing, s: ListingSymbol): string {
  const out = [
    `**${s.qualified}** — ${KIND_TEXT[s.kind]}${s.exported && s.kind !== "export" ? " (exported)" : ""}`,
  ];
  out.push(
    "",
    `address ${code(formatAddress(s.address, l.bits))} (RVA \`0x${(s.address - l.imageBase).toString(16)}\`)`,
  );
  if (s.size > 0) out.push("", `size ${s.size} bytes`);
  const refs = referencesTo(l, s.address).length;
  out.push("", `${refs} reference${refs === 1 ? "" : "s"} in this module`);
  return out.join("\n");
}
