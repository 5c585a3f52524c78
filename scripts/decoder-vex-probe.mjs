// Probe iced-x86 for VEX / EVEX / XOP / 3DNow! encodings.
//
//   node scripts/decoder-vex-probe.mjs summary [vex|evex|xop|3dnow] [64|32]
//     For each map/pp/opcode, lists which W/L/mod combinations iced accepts, with the iced Code names.
//   node --import tsx scripts/decoder-vex-probe.mjs compare [vex|evex|xop] [64|32] [map]
//     Systematically compares our lookupVex (through the reference core in test/vex-harness.ts) with
//     iced on encodings for every map/opcode/pp/W/L/mod/reg/b/z/aaa/vvvv combination and prints the
//     disagreements grouped by map.pp.opcode.
//   node --import tsx scripts/decoder-vex-probe.mjs compare-core [vex|evex|xop] [64|32] [map]
//     The same through the decoder core (decode + describe).
//   node --import tsx scripts/decoder-vex-probe.mjs random [64|32] [count] [seed] [core]
//     Random VEX-family sequences (the generator of test/decoder.vex.test.ts), lookup-level or
//     through the core, mismatches grouped by kind and mnemonic.
import * as iced from "iced-x86";

const { Decoder, DecoderOptions, Code } = iced;
const [, , cmd = "summary", encArg = "vex", bitsArg = "64"] = process.argv;
const bits = Number(bitsArg);

function decodeIced(bytes) {
  const d = new Decoder(bits, Uint8Array.from(bytes), DecoderOptions.None);
  const insn = d.decode();
  const r = { invalid: insn.isInvalid, len: insn.length, code: Code[insn.code], insn };
  return r;
}

const PPNAME = ["NP", "66", "F3", "F2"];
const MAPNAME = { 1: "0F", 2: "0F38", 3: "0F3A", 5: "M5", 6: "M6", 8: "X8", 9: "X9", 10: "XA" };

function vexBytes(map, op, pp, w, l, vvvv, modrmBytes) {
  return [0xc4, 0xe0 | map, (w << 7) | ((~vvvv & 15) << 3) | (l << 2) | pp, op, ...modrmBytes, 0, 0, 0, 0];
}
function xopBytes(map, op, pp, w, l, vvvv, modrmBytes) {
  return [0x8f, 0xe0 | map, (w << 7) | ((~vvvv & 15) << 3) | (l << 2) | pp, op, ...modrmBytes, 0, 0, 0, 0];
}
function evexBytes(map, op, pp, w, ll, vvvv, modrmBytes, b = 0, z = 0, aaa = 0, vp = 1) {
  const p0 = 0xf0 | map;
  const p1 = (w << 7) | ((~vvvv & 15) << 3) | 4 | pp;
  const p2 = (z << 7) | (ll << 5) | (b << 4) | (vp << 3) | aaa;
  return [0x62, p0, p1, p2, op, ...modrmBytes, 0, 0, 0, 0];
}

// modrm variants: register form, memory form with SIB and disp8
const REGFORM = (reg) => [0xc1 | (reg << 3)];
const MEMFORM = (reg) => [0x44 | (reg << 3), 0x0f, 0x01];

function summary(enc) {
  const maps = enc === "vex" ? [1, 2, 3] : enc === "evex" ? [1, 2, 3, 5, 6] : [8, 9, 10];
  for (const map of maps) {
    for (let op = 0; op < 256; op++) {
      for (let p = 0; p < 4; p++) {
        const lines = new Map();
        const lmax = enc === "evex" ? 4 : 2;
        for (let w = 0; w < 2; w++) {
          for (let l = 0; l < lmax; l++) {
            for (const mod of ["r", "m"]) {
              for (let reg = 0; reg < 8; reg++) {
                let found = null;
                for (const vvvv of [0, 2]) {
                  const mb = mod === "r" ? REGFORM(reg) : MEMFORM(reg);
                  const variants =
                    enc === "evex"
                      ? [
                          [0, 0, 0],
                          [0, 0, 1],
                          [1, 0, 0],
                          [1, 0, 1],
                        ]
                      : [[0, 0, 0]];
                  for (const [b, z, aaa] of variants) {
                    const bytes =
                      enc === "vex"
                        ? vexBytes(map, op, p, w, l, vvvv, mb)
                        : enc === "xop"
                          ? xopBytes(map, op, p, w, l, vvvv, mb)
                          : evexBytes(map, op, p, w, l, vvvv, mb, b, z, aaa);
                    const r = decodeIced(bytes);
                    if (!r.invalid) {
                      found = `${r.code}${b ? " b" : ""}${aaa ? " k" : ""} v${vvvv}`;
                      break;
                    }
                  }
                  if (found) break;
                }
                if (found) {
                  const key = `${found}`;
                  if (!lines.has(key)) lines.set(key, []);
                  lines.get(key).push(`W${w}L${l}${mod}${reg}`);
                }
              }
            }
          }
        }
        for (const [k, v] of lines) {
          console.log(
            `${MAPNAME[map]}.${PPNAME[p]}.${op.toString(16).padStart(2, "0")}  ${k}  ${compact(v)}`,
          );
        }
      }
    }
  }
}

function compact(list) {
  // group "W0L0r0" etc.: show as W/L set and reg set
  const byWL = new Map();
  for (const s of list) {
    const wl = s.slice(0, 4);
    const rest = s.slice(4);
    if (!byWL.has(wl)) byWL.set(wl, []);
    byWL.get(wl).push(rest);
  }
  const groups = new Map();
  for (const [wl, rest] of byWL) {
    const k = rest.join(",");
    if (!groups.has(k)) groups.set(k, []);
    groups.get(k).push(wl);
  }
  return [...groups].map(([r, wls]) => `[${wls.join(" ")}: ${r.length > 40 ? squash(r) : r}]`).join(" ");
}
function squash(r) {
  const s = r.split(",");
  const rr = s.filter((x) => x[0] === "r").length;
  const mm = s.filter((x) => x[0] === "m").length;
  return `r*${rr} m*${mm}`;
}

function summary3dnow() {
  for (let op = 0; op < 256; op++) {
    for (const mb of [[0xc1], [0x44, 0x0f, 0x01]]) {
      const r = decodeIced([0x0f, 0x0f, ...mb, op, 0, 0]);
      if (!r.invalid) console.log(op.toString(16).padStart(2, "0"), mb.length === 1 ? "r" : "m", r.code);
    }
  }
}

if (cmd === "summary") {
  if (encArg === "3dnow") summary3dnow();
  else summary(encArg);
} else if (cmd === "random") {
  const h = await import("../test/vex-harness.ts");
  const rbits = Number(process.argv[3] ?? 64);
  const count = Number(process.argv[4] ?? 100000);
  let s = Number(process.argv[5] ?? 12345) >>> 0 || 1;
  const next = () => {
    s ^= s << 13;
    s >>>= 0;
    s ^= s >>> 17;
    s ^= s << 5;
    s >>>= 0;
    return s;
  };
  const groups = new Map();
  let mm = 0;
  for (let i = 0; i < count; i++) {
    const b = h.randomVexFamily(next, rbits);
    const want = h.icedDecode(b, rbits);
    const got = process.argv[6] === "core" ? h.viaCore(b, rbits) : h.refDecode(b, rbits);
    if (got === null) continue;
    const d = h.diff(want, got);
    if (d === "") continue;
    mm++;
    const key = `${d} ${want.mnemonic || got.mnemonic}`;
    const g = groups.get(key) ?? [];
    if (g.length < 3)
      g.push(
        `${h.hexOf(b, Math.max(want.len, got.len, 6))}\n   iced: ${h.fmt(want)}\n   ours: ${h.fmt(got)}`,
      );
    groups.set(key, g);
  }
  for (const [k, g] of groups) console.log(`${k}\n  ${g.join("\n  ")}`);
  console.log(`${rbits}: ${mm} mismatches / ${count}`);
} else {
  const { compare } = await import("../test/vex-harness.ts");
  compare(encArg, bits, process.argv[5] === undefined ? -1 : Number(process.argv[5]), cmd === "compare-core");
}
