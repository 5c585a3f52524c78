/**
 * Base relocations: applying them to a mapped image. The reference is the linker itself: hello32.exe and
 * hello64.exe were also linked at another base (hello*-rebased.exe, 0x10000000 and 0x7FF712340000), so
 * relocating one mapped image to the other's base must give the other's mapped image byte for byte (the
 * header's CheckSum excepted: it sums the file, which differs).
 */
import * as assert from "node:assert/strict";
import * as fs from "node:fs";
import * as path from "node:path";
import {
  IMAGE_REL_BASED_DIR64,
  PeError,
  PeImage,
  applyRelocations,
  mapImage,
  parsePe,
} from "../src/windows/pe";

const BIN = path.join(__dirname, "fixtures", "bin");

function load(name: string): { file: Uint8Array; image: PeImage } {
  const file = new Uint8Array(fs.readFileSync(path.join(BIN, name)));
  return { file, image: parsePe(file) };
}

function withoutChecksum(mapped: Uint8Array, image: PeImage): Uint8Array {
  const copy = Uint8Array.from(mapped);
  copy.fill(0, image.optionalHeaderOffset + 64, image.optionalHeaderOffset + 68);
  return copy;
}

function read(mapped: Uint8Array, rva: number, type: number): bigint {
  const dv = new DataView(mapped.buffer, mapped.byteOffset, mapped.byteLength);
  return type === IMAGE_REL_BASED_DIR64 ? dv.getBigUint64(rva, true) : BigInt(dv.getUint32(rva, true));
}

describe("PE base relocations", () => {
  for (const [a, b] of [
    ["hello32.exe", "hello32-rebased.exe"],
    ["hello64.exe", "hello64-rebased.exe"],
    ["hello32-rebased.exe", "hello32.exe"],
    ["hello64-rebased.exe", "hello64.exe"],
  ]) {
    it(`${a} relocated to ${b}'s base is ${b}`, () => {
      const from = load(a);
      const to = load(b);
      assert.notEqual(from.image.imageBase, to.image.imageBase);
      assert.ok(from.image.relocations.length > 0);
      const mapped = mapImage(from.file, from.image);
      applyRelocations(mapped, from.image, to.image.imageBase);
      assert.deepEqual(
        withoutChecksum(mapped, from.image),
        withoutChecksum(mapImage(to.file, to.image), to.image),
      );
      // The in-memory header now records the base the image sits at.
      const ib = from.image.optionalHeaderOffset + (from.image.bits === 64 ? 24 : 28);
      const dv = new DataView(mapped.buffer);
      const base = from.image.bits === 64 ? Number(dv.getBigUint64(ib, true)) : dv.getUint32(ib, true);
      assert.equal(base, to.image.imageBase);
    });
  }

  it("adds the delta to every HIGHLOW target (gate32.exe: far pointers, data pointers)", () => {
    const { file, image } = load("gate32.exe");
    const before = mapImage(file, image);
    const after = Uint8Array.from(before);
    const newBase = 0x00a0_0000;
    applyRelocations(after, image, newBase);
    const delta = BigInt(newBase - image.imageBase);
    assert.equal(image.relocations.length, 67);
    for (const r of image.relocations) {
      assert.equal(read(after, r.rva, r.type), (read(before, r.rva, r.type) + delta) & 0xffff_ffffn);
    }
    // The far call 9A ptr16:32 to 0033:call64 at .text+0x34: its 32-bit offset moved, its selector did not.
    const at = 0x1034;
    assert.equal(before[at], 0x9a);
    const dv = (m: Uint8Array): DataView => new DataView(m.buffer);
    assert.equal(
      dv(after).getUint32(at + 1, true) - dv(before).getUint32(at + 1, true),
      newBase - image.imageBase,
    );
    assert.equal(dv(after).getUint16(at + 5, true), 0x33);
  });

  it("DIR64 carries and borrows across the 32-bit halves", () => {
    const { file, image } = load("tls64.exe");
    for (const newBase of [0x1_ffff_0000, 0x1_0000, 0x7fff_ffe0_0000, 0x2_4000_0000]) {
      const before = mapImage(file, image);
      const after = Uint8Array.from(before);
      applyRelocations(after, image, newBase);
      const delta = BigInt(newBase) - BigInt(image.imageBase);
      for (const r of image.relocations) {
        assert.equal(r.type, IMAGE_REL_BASED_DIR64);
        assert.equal(
          read(after, r.rva, r.type),
          (read(before, r.rva, r.type) + delta) & 0xffff_ffff_ffff_ffffn,
        );
      }
      // The TLS callback pointers are among the relocated values.
      const cb = image.tls?.callbacksRva ?? 0;
      assert.equal(read(after, cb, IMAGE_REL_BASED_DIR64), BigInt(newBase + 0x1000));
    }
  });

  it("moving to the same base changes nothing", () => {
    const { file, image } = load("hello32.exe");
    const mapped = mapImage(file, image);
    applyRelocations(mapped, image, image.imageBase);
    assert.deepEqual(mapped, mapImage(file, image));
  });

  it("refuses bad bases and images without relocations", () => {
    const { file, image } = load("hello32.exe");
    const mapped = mapImage(file, image);
    const fails = (base: number, field: string): void => {
      assert.throws(
        () => applyRelocations(Uint8Array.from(mapped), image, base),
        (e: unknown) => e instanceof PeError && e.field === field,
      );
    };
    fails(0x401000, "newBase"); // not a multiple of 64 KB
    fails(0x1_0000_0000, "newBase"); // a PE32 image above 4 GB
    fails(-0x10000, "newBase");
    const stripped = { ...image, relocsStripped: true };
    assert.throws(
      () => applyRelocations(Uint8Array.from(mapped), stripped, 0x1000_0000),
      (e: unknown) => e instanceof PeError && e.field === "IMAGE_FILE_HEADER.Characteristics",
    );
    const h64 = load("hello64.exe");
    assert.throws(
      () => applyRelocations(mapImage(h64.file, h64.image), h64.image, 0x8000_0000_0000),
      (e: unknown) => e instanceof PeError && e.field === "newBase",
    );
  });
});
