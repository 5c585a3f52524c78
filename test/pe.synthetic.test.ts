/**
 * The PE parser on small images built here byte by byte, for what the mingw fixtures do not contain:
 * forwarders by ordinal, VA-based (Visual C++ 6) delay-load descriptors, bound imports, indirect
 * RUNTIME_FUNCTION entries, IAT-only imports, low section alignment, short data directory arrays,
 * VirtualSize 0, and the limits (64-bit fields beyond 2^53, image bases near 2^47, zero-filled data).
 */
import * as assert from "node:assert/strict";
import {
  IMAGE_FILE_MACHINE_AMD64,
  IMAGE_FILE_MACHINE_I386,
  PeError,
  PeImage,
  mapImage,
  parseForwarder,
  parsePe,
} from "../src/windows/pe";

interface Sec {
  name: string;
  rva: number;
  data: Uint8Array;
  /** Defaults to data.length. */
  virtualSize?: number;
}

interface Spec {
  bits: 32 | 64;
  imageBase?: number;
  sections: Sec[];
  dirs?: Record<number, [number, number]>;
  numberOfRvaAndSizes?: number;
  sectionAlignment?: number;
  fileAlignment?: number;
  sizeOfImage?: number;
  characteristics?: number;
}

/** A PE image: DOS header, NT headers at 0x40, section table, then each section's data (file-aligned). */
function buildPe(s: Spec): Uint8Array {
  const fa = s.fileAlignment ?? 0x200;
  const sa = s.sectionAlignment ?? 0x1000;
  const nrva = s.numberOfRvaAndSizes ?? 16;
  const optSize = (s.bits === 64 ? 112 : 96) + 8 * nrva;
  const tableAt = 0x40 + 24 + optSize;
  const headers = Math.ceil((tableAt + 40 * s.sections.length) / fa) * fa;
  let fileSize = headers;
  const raw = s.sections.map((sec) => {
    const at = fileSize;
    fileSize += Math.ceil(sec.data.length / fa) * fa;
    return at;
  });
  const last = s.sections[s.sections.length - 1];
  const end = last ? last.rva + (last.virtualSize ?? last.data.length) : headers;
  const sizeOfImage = s.sizeOfImage ?? Math.ceil(end / sa) * sa;
  const b = new Uint8Array(fileSize);
  const dv = new DataView(b.buffer);
  dv.setUint16(0, 0x5a4d, true);
  dv.setUint32(0x3c, 0x40, true);
  dv.setUint32(0x40, 0x4550, true);
  const fh = 0x44;
  dv.setUint16(fh, s.bits === 64 ? IMAGE_FILE_MACHINE_AMD64 : IMAGE_FILE_MACHINE_I386, true);
  dv.setUint16(fh + 2, s.sections.length, true);
  dv.setUint16(fh + 16, optSize, true);
  dv.setUint16(fh + 18, s.characteristics ?? 0x0102, true);
  const oh = fh + 20;
  dv.setUint16(oh, s.bits === 64 ? 0x20b : 0x10b, true);
  const base = s.imageBase ?? (s.bits === 64 ? 0x1_4000_0000 : 0x40_0000);
  if (s.bits === 64) dv.setBigUint64(oh + 24, BigInt(base), true);
  else dv.setUint32(oh + 28, base, true);
  dv.setUint32(oh + 32, sa, true);
  dv.setUint32(oh + 36, fa, true);
  dv.setUint32(oh + 56, sizeOfImage, true);
  dv.setUint32(oh + 60, headers, true);
  dv.setUint16(oh + 68, 3, true);
  dv.setUint32(oh + (s.bits === 64 ? 108 : 92), nrva, true);
  const dirs = oh + (s.bits === 64 ? 112 : 96);
  for (const [i, [rva, size]] of Object.entries(s.dirs ?? {})) {
    dv.setUint32(dirs + 8 * Number(i), rva, true);
    dv.setUint32(dirs + 8 * Number(i) + 4, size, true);
  }
  s.sections.forEach((sec, i) => {
    const at = tableAt + 40 * i;
    for (let k = 0; k < Math.min(8, sec.name.length); k++) b[at + k] = sec.name.charCodeAt(k);
    dv.setUint32(at + 8, sec.virtualSize ?? sec.data.length, true);
    dv.setUint32(at + 12, sec.rva, true);
    dv.setUint32(at + 16, Math.ceil(sec.data.length / fa) * fa, true);
    dv.setUint32(at + 20, sec.data.length === 0 ? 0 : raw[i], true);
    dv.setUint32(at + 36, 0xc000_0040, true);
    b.set(sec.data, raw[i]);
  });
  return b;
}

/** Section contents written with little-endian helpers. */
class Bytes {
  readonly b: Uint8Array;
  readonly dv: DataView;
  constructor(size: number) {
    this.b = new Uint8Array(size);
    this.dv = new DataView(this.b.buffer);
  }
  u16(at: number, v: number): this {
    this.dv.setUint16(at, v, true);
    return this;
  }
  u32(at: number, v: number): this {
    this.dv.setUint32(at, v, true);
    return this;
  }
  u64(at: number, v: bigint): this {
    this.dv.setBigUint64(at, v, true);
    return this;
  }
  str(at: number, s: string): this {
    for (let k = 0; k < s.length; k++) this.b[at + k] = s.charCodeAt(k);
    return this;
  }
}

function peError(f: () => unknown, field: string): void {
  assert.throws(f, (e: unknown) => {
    assert.ok(e instanceof PeError, String(e));
    assert.equal(e.field, field, e.message);
    return true;
  });
}

describe("PE synthetic images", () => {
  it("a minimal PE32 and PE32+ image", () => {
    for (const bits of [32, 64] as const) {
      const img = parsePe(
        buildPe({ bits, sections: [{ name: ".text", rva: 0x1000, data: new Uint8Array([0xc3]) }] }),
      );
      assert.equal(img.bits, bits);
      assert.equal(img.sections[0].name, ".text");
      assert.equal(img.mappedSize, 0x2000);
    }
  });

  it("forwarders by name and by ordinal", () => {
    // Export directory at 0x1000 (size 0x100) holding the forwarder strings; three functions.
    const d = new Bytes(0x200)
      .u32(12, 0x1080) // Name
      .u32(16, 10) // Base
      .u32(20, 3) // NumberOfFunctions
      .u32(24, 1) // NumberOfNames
      .u32(28, 0x1040) // AddressOfFunctions
      .u32(32, 0x1050) // AddressOfNames
      .u32(36, 0x1060) // AddressOfNameOrdinals
      .u32(0x40, 0x1090) // ordinal 10: "NTDLL.#12"
      .u32(0x44, 0x10a0) // ordinal 11: "api-ms-win-core-heap-l1-1-0.HeapAlloc"
      .u32(0x48, 0x1100) // ordinal 12: a function outside the directory
      .u32(0x50, 0x10d0)
      .u16(0x60, 1)
      .str(0x80, "fwd.dll")
      .str(0x90, "NTDLL.#12")
      .str(0xa0, "api-ms-win-core-heap-l1-1-0.HeapAlloc")
      .str(0xd0, "Alloc");
    const img = parsePe(
      buildPe({
        bits: 64,
        sections: [{ name: ".edata", rva: 0x1000, data: d.b }],
        dirs: { 0: [0x1000, 0x100] },
      }),
    );
    const e = img.exports;
    assert.ok(e);
    assert.equal(e.name, "fwd.dll");
    assert.deepEqual(e.byOrdinal.get(10)?.forwarder, {
      text: "NTDLL.#12",
      module: "NTDLL",
      name: undefined,
      ordinal: 12,
    });
    assert.deepEqual(e.byName.get("Alloc")?.forwarder?.module, "api-ms-win-core-heap-l1-1-0");
    assert.equal(e.byOrdinal.get(12)?.forwarder, undefined);
    assert.equal(parseForwarder("KERNEL32.DLL.Foo")?.module, "KERNEL32.DLL");
    assert.equal(parseForwarder("NTDLL.#70000"), undefined);
    assert.equal(parseForwarder("NTDLL."), undefined);
    assert.equal(parseForwarder(".Foo"), undefined);
  });

  it("imports: IAT only (no lookup table), by ordinal, and the reserved bits of PE32+ thunks", () => {
    const build = (thunk: bigint): Uint8Array => {
      const d = new Bytes(0x200)
        .u32(0x0c, 0x1060) // Name
        .u32(0x10, 0x1040) // FirstThunk; OriginalFirstThunk (+0) stays 0
        .u64(0x40, thunk)
        .u64(0x48, 0x1070n)
        .str(0x60, "k.dll")
        .u16(0x70, 7)
        .str(0x72, "Func");
      return buildPe({
        bits: 64,
        sections: [{ name: ".idata", rva: 0x1000, data: d.b }],
        dirs: { 1: [0x1000, 0x28] },
      });
    };
    const img = parsePe(build(0x8000_0000_0000_0010n));
    assert.deepEqual(img.imports[0].entries, [
      { kind: "ordinal", ordinal: 0x10, iatRva: 0x1040 },
      { kind: "name", name: "Func", hint: 7, iatRva: 0x1048 },
    ]);
    assert.equal(img.imports[0].lookupTableRva, 0);
    peError(() => parsePe(build(0x8000_0001_0000_0010n)), "IMAGE_IMPORT_DESCRIPTOR[0].FirstThunk[0]");
    peError(() => parsePe(build(0x0000_0001_0000_1070n)), "IMAGE_IMPORT_DESCRIPTOR[0].FirstThunk[0]");
  });

  it("VA-based delay-load descriptors (attributes 0, PE32)", () => {
    const base = 0x40_0000;
    const d = new Bytes(0x200)
      .u32(0x04, base + 0x1080) // DllName (a VA)
      .u32(0x08, base + 0x1090) // module handle
      .u32(0x0c, base + 0x10a0) // IAT
      .u32(0x10, base + 0x10b0) // INT
      .str(0x80, "late.dll")
      .u32(0xa0, base + 0x1200)
      .u32(0xb0, base + 0x10c0) // INT[0]: a VA of a hint/name entry
      .u32(0xb4, 0x8000_0003) // INT[1]: ordinal 3
      .u16(0xc0, 2)
      .str(0xc2, "Late");
    const img = parsePe(
      buildPe({
        bits: 32,
        sections: [{ name: ".didat", rva: 0x1000, data: d.b.subarray(0, 0x200) }],
        dirs: { 13: [0x1000, 0x40] },
      }),
    );
    assert.equal(img.delayImports.length, 1);
    const m = img.delayImports[0];
    assert.equal(m.attributes, 0);
    assert.equal(m.name, "late.dll");
    assert.deepEqual([m.moduleHandleRva, m.addressTableRva, m.nameTableRva], [0x1090, 0x10a0, 0x10b0]);
    assert.deepEqual(m.entries, [
      { kind: "name", name: "Late", hint: 2, iatRva: 0x10a0 },
      { kind: "ordinal", ordinal: 3, iatRva: 0x10a4 },
    ]);
    // In a PE32+ image the descriptors must be RVA-based.
    const d64 = new Bytes(0x200).u32(0x04, 0x1080).str(0x80, "late.dll");
    peError(
      () =>
        parsePe(
          buildPe({
            bits: 64,
            sections: [{ name: ".didat", rva: 0x1000, data: d64.b }],
            dirs: { 13: [0x1000, 0x20] },
          }),
        ),
      "IMAGE_DELAYLOAD_DESCRIPTOR[0].Attributes",
    );
  });

  it("the bound import directory", () => {
    // Descriptors: kernel32 with one forwarder ref (ntdll), then the terminator; names after them.
    const d = new Bytes(0x100)
      .u32(0, 0x1234_5678)
      .u16(4, 0x20)
      .u16(6, 1)
      .u32(8, 0x9abc_def0)
      .u16(12, 0x30)
      .str(0x20, "KERNEL32.dll")
      .str(0x30, "NTDLL.DLL");
    const img = parsePe(
      buildPe({
        bits: 32,
        sections: [{ name: ".bound", rva: 0x1000, data: d.b }],
        dirs: { 11: [0x1000, 0x40] },
      }),
    );
    assert.deepEqual(img.boundImports, [
      {
        name: "KERNEL32.dll",
        timeDateStamp: 0x1234_5678,
        forwarders: [{ name: "NTDLL.DLL", timeDateStamp: 0x9abc_def0 }],
      },
    ]);
    d.u16(4, 0x80);
    peError(
      () =>
        parsePe(
          buildPe({
            bits: 32,
            sections: [{ name: ".bound", rva: 0x1000, data: d.b }],
            dirs: { 11: [0x1000, 0x40] },
          }),
        ),
      "IMAGE_BOUND_IMPORT_DESCRIPTOR[0].OffsetModuleName",
    );
  });

  it("an indirect RUNTIME_FUNCTION (UnwindData with bit 0 set) shares another entry's unwind info", () => {
    const d = new Bytes(0x100)
      .u32(0x00, 0x2000)
      .u32(0x04, 0x2010)
      .u32(0x08, 0x1080) // UNWIND_INFO
      .u32(0x0c, 0x2010)
      .u32(0x10, 0x2020)
      .u32(0x14, 0x1000 + 1) // -> the RUNTIME_FUNCTION at 0x1000
      .u32(0x80, 0x0000_0001) // version 1, no codes
      .u32(0x84, 0);
    const img = parsePe(
      buildPe({
        bits: 64,
        sections: [
          { name: ".pdata", rva: 0x1000, data: d.b },
          { name: ".text", rva: 0x2000, data: new Uint8Array(0x20) },
        ],
        dirs: { 3: [0x1000, 24] },
      }),
    );
    assert.deepEqual(img.functions, [
      { beginRva: 0x2000, endRva: 0x2010, unwindInfoRva: 0x1080 },
      { beginRva: 0x2010, endRva: 0x2020, unwindInfoRva: 0x1080 },
    ]);
    assert.equal(img.unwindInfos.size, 1);
  });

  it("low section alignment (SectionAlignment = FileAlignment = 0x200)", () => {
    const img = parsePe(
      buildPe({
        bits: 32,
        sectionAlignment: 0x200,
        fileAlignment: 0x200,
        sections: [{ name: ".text", rva: 0x400, data: new Uint8Array(0x10).fill(0x90) }],
      }),
    );
    assert.equal(img.mappedSize, 0x600);
    // Below the page size, FileAlignment must equal SectionAlignment.
    peError(
      () => parsePe(buildPe({ bits: 32, sectionAlignment: 0x400, fileAlignment: 0x200, sections: [] })),
      "IMAGE_OPTIONAL_HEADER.FileAlignment",
    );
  });

  it("NumberOfRvaAndSizes below 16: the missing directories are empty", () => {
    const img = parsePe(
      buildPe({
        bits: 64,
        numberOfRvaAndSizes: 6,
        sections: [{ name: ".text", rva: 0x1000, data: new Uint8Array(1) }],
      }),
    );
    assert.equal(img.dataDirectories.length, 16);
    assert.equal(img.optionalHeader.numberOfRvaAndSizes, 6);
    assert.ok(img.dataDirectories.every((d) => d.virtualAddress === 0 && d.size === 0));
  });

  it("VirtualSize 0 means SizeOfRawData; raw data beyond VirtualSize is not mapped", () => {
    const data = new Uint8Array(0x300).fill(0xaa);
    const file = buildPe({
      bits: 32,
      sections: [
        { name: ".a", rva: 0x1000, data, virtualSize: 0 },
        { name: ".b", rva: 0x2000, data, virtualSize: 0x100 },
      ],
    });
    const img = parsePe(file);
    assert.equal(img.sections[0].memorySize, 0x400); // SizeOfRawData, file-aligned
    assert.equal(img.sections[1].fileSize, 0x100);
    const mapped = mapImage(file, img);
    assert.equal(mapped[0x2000 + 0xff], 0xaa);
    assert.equal(mapped[0x2000 + 0x100], 0);
  });

  it("structures in a section's zero-filled part are refused, not read as zeros", () => {
    // The import directory points into the part of .bss beyond its (empty) raw data.
    peError(
      () =>
        parsePe(
          buildPe({
            bits: 32,
            sections: [{ name: ".bss", rva: 0x1000, data: new Uint8Array(0), virtualSize: 0x1000 }],
            dirs: { 1: [0x1000, 0x14] },
          }),
        ),
      "IMAGE_IMPORT_DESCRIPTOR[0]",
    );
  });

  it("64-bit fields: image bases up to 2^47, sizes beyond 2^53 refused", () => {
    const sections = [{ name: ".text", rva: 0x1000, data: new Uint8Array(1) }];
    const top = 0x8000_0000_0000 - 0x1_0000 * 2;
    let img: PeImage = parsePe(buildPe({ bits: 64, imageBase: top, sections }));
    assert.equal(img.imageBase, top);
    const big = [{ name: ".bss", rva: 0x1000, data: new Uint8Array(0), virtualSize: 0x2_0000 }];
    peError(
      () => parsePe(buildPe({ bits: 64, imageBase: 0x8000_0000_0000 - 0x1_0000, sections: big })),
      "IMAGE_OPTIONAL_HEADER.SizeOfImage",
    );
    const file = buildPe({ bits: 64, sections });
    new DataView(file.buffer).setBigUint64(0x58 + 72, 0x0040_0000_0000_0000n, true); // SizeOfStackReserve
    peError(() => parsePe(file), "IMAGE_OPTIONAL_HEADER.SizeOfStackReserve");
    new DataView(file.buffer).setBigUint64(0x58 + 72, 0x1_0000_0000n, true);
    img = parsePe(file);
    assert.equal(img.optionalHeader.sizeOfStackReserve, 0x1_0000_0000);
  });

  it("relocations: a zero block header ends the list; a fragment shorter than a header is an error", () => {
    const d = new Bytes(0x20)
      .u32(0, 0x1000)
      .u32(4, 12)
      .u16(8, 0x3010) // HIGHLOW at 0x1010
      .u16(10, 0x0000); // ABSOLUTE padding
    const build = (size: number): Uint8Array =>
      buildPe({
        bits: 32,
        sections: [{ name: ".reloc", rva: 0x1000, data: d.b }],
        dirs: { 5: [0x1000, size] },
      });
    assert.deepEqual(parsePe(build(0x14)).relocations, [{ rva: 0x1010, type: 3 }]);
    assert.deepEqual(parsePe(build(0x20)).relocations, [{ rva: 0x1010, type: 3 }]);
    peError(() => parsePe(build(0x10)), "IMAGE_BASE_RELOCATION[1]");
  });

  it("maxImageSize", () => {
    const spec: Spec = {
      bits: 32,
      sections: [{ name: ".bss", rva: 0x1000, data: new Uint8Array(0), virtualSize: 0x10_0000 }],
    };
    assert.equal(parsePe(buildPe(spec)).mappedSize, 0x10_1000);
    peError(() => parsePe(buildPe(spec), { maxImageSize: 0x10_0000 }), "IMAGE_OPTIONAL_HEADER.SizeOfImage");
  });
});
