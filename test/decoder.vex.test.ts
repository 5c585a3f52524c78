/**
 * Differential test of the VEX / EVEX / XOP / 3DNow! decoding against iced-x86 (DecoderOptions.None):
 * deterministic seeded random byte sequences that start with a VEX-family prefix, decoded in 32- and
 * 64-bit mode, compared on validity, length, mnemonic and operands.
 *
 *  - through the decoder core (`decode` + `describe` from src/cpu/decoder/decoder.ts);
 *  - through the table lookup alone (`lookupVex`, driven by the small reference core in
 *    test/vex-harness.ts), so that table regressions are told apart from core regressions.
 */
import * as assert from "node:assert/strict";
import { vexRowCount } from "../src/cpu/decoder/vex";
import { diff, fmt, hexOf, icedDecode, randomVexFamily, refDecode, viaCore } from "./vex-harness";

const SAMPLES = Number(process.env.VEX_SAMPLES ?? 60000);

/** xorshift32, deterministic. */
function rng(seed: number): () => number {
  let s = seed >>> 0 || 1;
  return () => {
    s ^= s << 13;
    s >>>= 0;
    s ^= s >>> 17;
    s ^= s << 5;
    s >>>= 0;
    return s;
  };
}

interface Tally {
  total: number;
  mismatches: number;
  byKind: Map<string, number>;
  examples: string[];
}

function run(bits: 32 | 64, seed: number, via: "core" | "lookup"): Tally {
  const next = rng(seed);
  const t: Tally = { total: 0, mismatches: 0, byKind: new Map(), examples: [] };
  for (let i = 0; i < SAMPLES; i++) {
    const bytes = randomVexFamily(next, bits);
    const want = icedDecode(bytes, bits);
    const got = via === "core" ? viaCore(bytes, bits) : refDecode(bytes, bits);
    if (got === null) continue; // not VEX-family in this mode (cannot happen with the generator)
    t.total++;
    const d = diff(want, got);
    if (d === "") continue;
    t.mismatches++;
    t.byKind.set(d, (t.byKind.get(d) ?? 0) + 1);
    if (t.examples.length < 25) {
      t.examples.push(
        `${bits} ${hexOf(bytes, Math.max(want.len, got.len, 6))} ${d}\n   iced: ${fmt(want)}\n   ours: ${fmt(got)}`,
      );
    }
  }
  return t;
}

function report(t: Tally, label: string): string {
  const kinds = [...t.byKind].map(([k, n]) => `${k}=${n}`).join(" ");
  return `${label}: ${t.mismatches}/${t.total} mismatches ${kinds}\n${t.examples.join("\n")}`;
}

describe("decoder: VEX / EVEX / XOP / 3DNow! vs iced-x86", function () {
  this.timeout(600000);

  it("parses every table row", () => {
    assert.ok(vexRowCount() > 1000);
  });

  for (const bits of [64, 32] as const) {
    it(`table lookup agrees with iced-x86 on ${SAMPLES} random sequences (${bits}-bit)`, () => {
      const t = run(bits, 0x5eed0000 + bits, "lookup");
      assert.ok(t.total >= SAMPLES * 0.95);
      assert.equal(t.mismatches, 0, report(t, `lookup ${bits}`));
    });

    it(`decode() agrees with iced-x86 on ${SAMPLES} random sequences (${bits}-bit)`, () => {
      const t = run(bits, 0xc0de0000 + bits, "core");
      assert.ok(t.total >= SAMPLES * 0.99);
      assert.equal(t.mismatches, 0, report(t, `core ${bits}`));
    });
  }
});
