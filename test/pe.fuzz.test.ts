/**
 * Random-mutation fuzzing of the PE parser: 5,000 seeded mutations of the good fixtures. The parser must
 * return an image or throw a PeError — never another exception, never hang, never allocate in
 * proportion to a header value (checked through process.memoryUsage().arrayBuffers and a time bound per
 * parse). PE_FUZZ_SEED and PE_FUZZ_COUNT override the seed and the count.
 */
import * as assert from "node:assert/strict";
import * as fs from "node:fs";
import * as path from "node:path";
import { PeError, mapImage, parsePe } from "../src/windows/pe";

const BIN = path.join(__dirname, "fixtures", "bin");
const SEED = Number(process.env.PE_FUZZ_SEED ?? 0x5eed1234);
const COUNT = Number(process.env.PE_FUZZ_COUNT ?? 5000);

/** mulberry32: a small seeded generator, so that every failure is reproducible. */
function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const INTERESTING = [
  0, 1, 2, 7, 8, 0x10, 0x3c, 0x40, 0x7f, 0x80, 0xff, 0x100, 0x200, 0x1000, 0xfff, 0xffff, 0x10000,
  0x7fff_ffff, 0x8000_0000, 0xffff_ffff, 0xffff_fff0, 0x0040_0000, 0x4000_0000,
];

function mutate(src: Uint8Array, rand: () => number): Uint8Array {
  const pick = (n: number): number => Math.floor(rand() * n);
  let b: Uint8Array = Uint8Array.from(src);
  const dv = (): DataView => new DataView(b.buffer, b.byteOffset, b.byteLength);
  const rounds = 1 + pick(4);
  for (let r = 0; r < rounds; r++) {
    // Most structures the parser follows are in the first 1 KB (headers) or referenced from there.
    const headerSpan = Math.min(b.length, 0x400);
    const kind = rand();
    if (kind < 0.3) {
      b[pick(b.length)] = pick(256);
    } else if (kind < 0.55) {
      const at = Math.min(pick(headerSpan - 3) & ~1, b.length - 4);
      const v = rand() < 0.7 ? INTERESTING[pick(INTERESTING.length)] : pick(0x1_0000_0000);
      dv().setUint32(at, v >>> 0, true);
    } else if (kind < 0.8) {
      const at = Math.min(pick(b.length - 3) & ~3, b.length - 4);
      const v =
        rand() < 0.5
          ? INTERESTING[pick(INTERESTING.length)]
          : (dv().getUint32(at, true) + pick(64) - 32) >>> 0;
      dv().setUint32(at, v >>> 0, true);
    } else if (kind < 0.9) {
      const at = pick(headerSpan);
      b[at] ^= 1 << pick(8);
    } else {
      b = b.subarray(0, pick(b.length));
      if (b.length < 8) return b;
    }
  }
  return b;
}

describe("PE parser fuzz", function () {
  this.timeout(600_000);

  it(`${COUNT} seeded mutations of the good fixtures give an image or a PeError, nothing else`, () => {
    const files = fs
      .readdirSync(BIN)
      .filter((f) => /\.(exe|dll)$/.test(f))
      .sort()
      .map((f) => ({ name: f, bytes: new Uint8Array(fs.readFileSync(path.join(BIN, f))) }));
    assert.ok(files.length >= 10);
    const rand = rng(SEED);
    const tally = new Map<string, number>();
    let accepted = 0;
    let slowest = 0;
    const baseline = process.memoryUsage().arrayBuffers;
    let peakBuffers = 0;
    for (let i = 0; i < COUNT; i++) {
      const src = files[i % files.length];
      const m = mutate(src.bytes, rand);
      const t0 = performance.now();
      try {
        const image = parsePe(m);
        accepted++;
        // Mapping allocates SizeOfImage (capped by the parser); map the mutations that stay small.
        if (image.mappedSize <= 0x10_0000) {
          const mapped = mapImage(m, image);
          assert.equal(mapped.length, image.mappedSize);
        }
      } catch (e) {
        if (!(e instanceof PeError)) {
          assert.fail(
            `mutation ${i} of ${src.name} (seed ${SEED}) threw ${String(e)}\n${(e as Error).stack ?? ""}`,
          );
        }
        assert.ok(e.field.length > 0 && e.message.length > 0);
        tally.set(e.field.replace(/\[\d+\]/g, "[]"), (tally.get(e.field.replace(/\[\d+\]/g, "[]")) ?? 0) + 1);
      }
      const dt = performance.now() - t0;
      slowest = Math.max(slowest, dt);
      assert.ok(dt < 2000, `mutation ${i} of ${src.name} took ${dt.toFixed(0)} ms`);
      if (i % 250 === 0) peakBuffers = Math.max(peakBuffers, process.memoryUsage().arrayBuffers - baseline);
    }
    peakBuffers = Math.max(peakBuffers, process.memoryUsage().arrayBuffers - baseline);
    // The fixtures are a few KB and mapped images at most 1 MB: anything near 64 MB would be a leak or an
    // allocation driven by a header value.
    assert.ok(peakBuffers < 64 * 1024 * 1024, `ArrayBuffer memory grew by ${peakBuffers} bytes`);
    // Enough mutations must get past the headers for the run to test the directory parsers too.
    assert.ok(accepted > COUNT / 20, `only ${accepted} mutations parsed`);
    assert.ok(tally.size > 30, `only ${tally.size} distinct error fields`);
    if (process.env.PE_FUZZ_VERBOSE) {
      console.log(`accepted ${accepted}/${COUNT}, slowest ${slowest.toFixed(1)} ms`);
      console.log(
        [...tally]
          .sort((a, b) => b[1] - a[1])
          .map(([f, n]) => `${n}\t${f}`)
          .join("\n"),
      );
    }
  });
});
