// Audit helper: dumps iced-x86's legacy-encoding opcode metadata (OpCodeInfo, DecoderOptions.None
// forms only) as rows in the format of src/cpu/decoder/legacy.ts (operand-spec mini-language of
// src/cpu/decoder/README.md). It seeded legacy.ts once; legacy.ts is maintained by hand since (it has
// corrections iced-x86's metadata does not express, e.g. "(bad)" rows, PadLock `C0+i` forms), so use
// this to diff against a newer iced-x86, not to regenerate.
//   node scripts/decoder-gen-legacy.mjs > /tmp/legacy-rows.txt
import { createRequire } from "node:module";

const require = createRequire(import.meta.url);
const iced = require("iced-x86");
const { Code, CodeExt, EncodingKind, OpCodeOperandKind: K, Mnemonic, MemorySize, MemorySizeExt } = iced;

const sizeLetter = { 1: "b", 2: "w", 4: "d", 8: "q", 16: "dq", 32: "qq", 10: "t" };

function memTypeXmm(ms) {
  const name = MemorySize[ms];
  const n = MemorySizeExt.size(ms);
  if (name === "Packed128_Float32") return "ps";
  if (name === "Packed128_Float64") return "pd";
  if (name === "Float32") return "ss";
  if (name === "Float64") return "sd";
  return sizeLetter[n] ?? "dq";
}

function opToken(kind, osz, ms, info) {
  const k = K[kind];
  const msz = MemorySizeExt.size(ms);
  const gpr = (bits) => ({ 8: "b", 16: "w", 32: "d", 64: "q" })[bits];
  let m;
  if ((m = /^r(8|16|32|64)_or_mem$/.exec(k))) {
    const r = gpr(+m[1]);
    if (msz && msz * 8 !== +m[1]) return `R${r}/M${sizeLetter[msz]}`;
    return `E${r}`;
  }
  if ((m = /^r(8|16|32|64)_reg$/.exec(k))) return `G${gpr(+m[1])}`;
  if ((m = /^r(8|16|32|64)_reg_mem$/.exec(k))) return `GA${gpr(+m[1])}`; // movdir64b: reg holds an address
  if ((m = /^r(8|16|32|64)_rm$/.exec(k))) return `R${gpr(+m[1])}`;
  if ((m = /^r(8|16|32|64)_opcode$/.exec(k))) return `Z${gpr(+m[1])}`;
  switch (k) {
    case "mem":
      if (msz === 0) return "M";
      return `M${sizeLetter[msz] ?? msz}`;
    case "xmm_reg":
      return "Vdq";
    case "xmm_or_mem":
      return "W" + memTypeXmm(ms);
    case "xmm_rm":
      return "Udq";
    case "mm_reg":
      return "Pq";
    case "mm_or_mem":
      return msz === 4 ? "Qd" : "Qq";
    case "mm_rm":
      return "Nq";
    case "imm8":
      return "Ib";
    case "imm16":
      return "Iw";
    case "imm32":
      return "Id";
    case "imm64":
      return "Iq";
    case "imm8sex16":
    case "imm8sex32":
    case "imm8sex64":
      return "Ibs";
    case "imm32sex64":
      return "Ids";
    case "imm8_const_1":
      return "1";
    case "br16_1":
    case "br32_1":
    case "br64_1":
      return "Jb";
    case "br16_2":
    case "xbegin_2":
      return "Jw";
    case "br32_4":
    case "br64_4":
    case "xbegin_4":
      return "Jd";
    case "farbr2_2":
    case "farbr4_2":
      return "Ap";
    case "sti_opcode":
      return "STi";
    case "seg_rSI":
      return "X" + (sizeLetter[msz] ?? "");
    case "es_rDI":
      return "Y" + (sizeLetter[msz] ?? "");
    case "seg_rDI":
      return "XD" + (sizeLetter[msz] ?? "");
    case "seg_rBX_al":
      return "XLb";
    case "seg_reg":
      return "Sw";
    case "cr_reg":
      return "Cy";
    case "dr_reg":
      return "Dy";
    case "mem_offs":
      return "O" + (sizeLetter[msz] ?? "");
    case "st0":
      return "ST";
    default:
      if (/^(al|cl|dx|ax|eax|rax|es|cs|ss|ds|fs|gs)$/.test(k)) return k;
      throw new Error(`unknown op kind ${k} in ${info}`);
  }
}

// expansions of generic tokens by operand size
const GENERIC = {
  v: ["w", "d", "q"],
  z: ["w", "d", "d"],
  y: ["d", "d", "q"],
};
function expand(tok, idx) {
  if (tok === "Iz") return ["Iw", "Id", "Ids"][idx];
  if (tok === "Jz") return ["Jw", "Jd", "Jd"][idx];
  if (tok === "rAX") return ["ax", "eax", "rax"][idx];
  if (tok === "eAX") return ["ax", "eax", "eax"][idx];
  if (tok === "Mp") return ["Md", "M6", "Mt"][idx];
  const m = /^(.*?)([vzy])$/.exec(tok);
  if (m && /^(E|G|R|Z|X|Y|O|M|GA)$/.test(m[1])) return m[1] + GENERIC[m[2]][idx];
  const m2 = /^R([vzy])\/M(.*)$/.exec(tok);
  if (m2) {
    const r = GENERIC[m2[1]][idx];
    return r === m2[2] ? `E${r}` : `R${r}/M${m2[2]}`;
  }
  return tok;
}
const CANDIDATES = (t) => {
  const out = [t];
  const m = /^(E|G|R|Z|X|Y|O|M|GA)(w|d|q)$/.exec(t);
  if (m) out.push(m[1] + "v", m[1] + "z", m[1] + "y");
  const m2 = /^R(w|d|q)\/M(.*)$/.exec(t);
  if (m2) out.push(`Rv/M${m2[2]}`, `Ry/M${m2[2]}`);
  const m3 = /^E(w|d|q|b)$/.exec(t);
  if (m3) out.push(`Rv/M${m3[1]}`, `Ry/M${m3[1]}`);
  if (/^I[wd]s?$/.test(t)) out.push("Iz");
  if (/^J[wd]$/.test(t)) out.push("Jz");
  if (/^(ax|eax|rax)$/.test(t)) out.push("rAX", "eAX");
  if (/^M(d|6|t)$/.test(t)) out.push("Mp");
  return out;
};

const rows = [];
for (const name of Object.keys(Code)) {
  const code = Code[name];
  if (typeof code !== "number" || code === 0) continue;
  const oi = CodeExt.opCode(code);
  if (!oi.isInstruction || oi.encoding !== EncodingKind.Legacy || oi.decoderOption !== 0) {
    oi.free();
    continue;
  }
  const toks = oi.opCodeString.split(" ");
  if (oi.opCodeString === "o16 0F") {
    oi.free(); // POP CS (8086 only): 0F is the two-byte escape in 32/64-bit mode
    continue;
  }
  let osz = 0;
  let asz = 0;
  let pfx = "";
  const rest = [];
  for (const t of toks) {
    if (/^o(16|32|64)$/.test(t)) osz = +t.slice(1);
    else if (/^a(16|32|64)$/.test(t)) asz = +t.slice(1);
    else if (/^(NP|66|F2|F3)$/.test(t) && rest.length === 0) pfx = t;
    else if (/^(ib|iw|id|io|cb|cw|cd|cp|mo)$/.test(t)) continue;
    else rest.push(t);
  }
  let spec = rest.join(" ");
  spec = spec.replace(/!\(11\):rrr:bbb/, "/r !11").replace(/ 11:rrr:bbb/, " /r 11");
  spec = spec.replace(/!\(11\):(\d\d\d):bbb/, (_, b) => `/${parseInt(b, 2)} !11`);
  spec = spec.replace(/\+(rb|rw|rd|ro)/, "+r");
  const ops = [];
  for (let i = 0; i < oi.opCount; i++) ops.push(opToken(oi.opKind(i), osz, oi.memorySize, name));
  // mod constraint derived from operand kinds
  const kinds = [];
  for (let i = 0; i < oi.opCount; i++) kinds.push(K[oi.opKind(i)]);
  if (/\/[0-7r]$/.test(spec)) {
    if (kinds.includes("mem")) spec += " !11";
    else if (kinds.some((k) => /_rm$/.test(k)) && !oi.ignoresModBits) spec += " 11";
  }
  const flags = [];
  if (oi.canUseLockPrefix) flags.push("lock");
  if (oi.defaultOpSize64) flags.push("d64");
  if (oi.intelForceOpSize64) flags.push("f64");
  const modes = (oi.mode32 ? "32" : "") + (oi.mode64 ? "64" : "");
  rows.push({
    name,
    spec,
    pfx,
    osz,
    asz,
    mn: Mnemonic[oi.mnemonic].toLowerCase(),
    ops,
    flags,
    modes,
  });
  oi.free();
}

// merge o16/o32/o64 variants
const groups = new Map();
for (const r of rows) {
  const key = [r.pfx, r.spec, r.asz, r.mn, r.ops.length].join("|");
  if (!groups.has(key)) groups.set(key, []);
  groups.get(key).push(r);
}
const out = [];
for (const g of groups.values()) {
  const unsized = g.filter((r) => r.osz === 0);
  if (unsized.length === 1 && g.length === 2 && g.some((r) => r.osz === 64)) {
    // an unsized row next to an o64 row covers operand sizes 16 and 32
    const u = unsized[0];
    g.splice(g.indexOf(u), 1, { ...u, osz: 16 }, { ...u, osz: 32 });
  }
  const sized = g.filter((r) => r.osz !== 0);
  if (g.length === 1 || sized.length !== g.length) {
    for (const r of g) out.push({ ...r, merged: false });
    continue;
  }
  const idx = (r) => ({ 16: 0, 32: 1, 64: 2 })[r.osz];
  const merged = [];
  let ok = true;
  for (let p = 0; p < g[0].ops.length && ok; p++) {
    if (g.some((r) => r.flags.includes("lock") !== g[0].flags.includes("lock"))) ok = false;
    const cands = CANDIDATES(g[0].ops[p]).concat(CANDIDATES(g[g.length - 1].ops[p]));
    const hit = cands.find((c) => g.every((r) => expand(c, idx(r)) === r.ops[p]));
    if (hit === undefined) ok = false;
    else merged.push(hit);
  }
  // a 16/32-only group that is valid in 64-bit mode cannot use v (REX.W would give 64)
  const has64 = g.some((r) => r.osz === 64);
  const any64 = g.some((r) => r.modes.includes("64"));
  if (ok && !has64 && any64 && merged.some((t) => /[vy]$|rAX|Iz|Jz|Mp/.test(t))) ok = false;
  if (!ok) {
    for (const r of g) out.push({ ...r, merged: false });
    continue;
  }
  const modes = [...new Set(g.map((r) => r.modes).join(""))].join("");
  out.push({
    ...g[0],
    flags: [...new Set(g.flatMap((r) => r.flags))],
    osz: 0,
    ops: merged,
    modes: (g.some((r) => r.modes.includes("32")) ? "32" : "") + (any64 ? "64" : ""),
    merged: true,
    names: g.map((r) => r.name),
    _m: modes,
  });
}

// merge a16/a32/a64 variants that differ only in address size
const byA = new Map();
for (const r of out) {
  if (!r.asz) continue;
  const key = [r.osz, r.pfx, r.spec, r.mn, r.ops.join(","), r.flags.join(" ")].join("|");
  if (!byA.has(key)) byA.set(key, []);
  byA.get(key).push(r);
}
for (const g of byA.values()) {
  if (g.length < 2) continue;
  g[0].asz = 0;
  g[0].modes = "3264";
  for (const r of g.slice(1)) out.splice(out.indexOf(r), 1);
}

const lines = [];
for (const r of out) {
  if (r.spec.startsWith("9B ")) continue; // iced decodes WAIT + FNxxx as two instructions
  const parts = [];
  if (r.osz) parts.push(`o${r.osz}`);
  if (r.asz) parts.push(`a${r.asz}`);
  if (r.pfx) parts.push(r.pfx);
  parts.push(r.spec);
  const flags = [...r.flags];
  if (r.modes === "32") flags.push("inv64");
  if (r.modes === "64") flags.push("only64");
  lines.push(
    `  ${JSON.stringify([parts.join(" "), r.mn, r.ops.join(","), flags.join(" ")]).replace(/","/g, '", "')},`,
  );
}
console.log(lines.join("\n"));
