/**
 * NtCreateSection, NtMapViewOfSection, NtUnmapViewOfSection and NtClose, through x64 ntdll and through x86
 * ntdll on the WOW64 path, on our CPU.
 *
 * Expected values:
 * - NtCreateSection (learn.microsoft.com/windows-hardware/drivers/ddi/ntifs/nf-ntifs-ntcreatesection):
 *   a pagefile-backed section (FileHandle NULL) needs MaximumSize; the handle is written to *SectionHandle;
 *   OBJECT_ATTRIBUTES (learn.microsoft.com/windows/win32/api/ntdef/ns-ntdef-_object_attributes), OBJ_INHERIT 2.
 * - ZwMapViewOfSection (learn.microsoft.com/windows-hardware/drivers/ddi/wdm/nf-wdm-zwmapviewofsection):
 *   *BaseAddress NULL lets the system choose; ViewSize 0 maps from the offset to the end of the section and
 *   is rounded up to pages; InheritDisposition is ViewShare (1) or ViewUnmap (2); the section handle needs
 *   the SECTION_MAP_* access of the protection (STATUS_ACCESS_DENIED otherwise).
 * - MapViewOfFile (learn.microsoft.com/windows/win32/api/memoryapi/nf-memoryapi-mapviewoffile): the offset
 *   "must be a multiple of the allocation granularity" — the kernel's status is STATUS_MAPPED_ALIGNMENT
 *   (ERROR_MAPPED_ALIGNMENT 1132, test/fixtures/EXPECTED.md); "multiple views of a file … are coherent".
 * - CreateFileMapping remarks (learn.microsoft.com/windows/win32/api/memoryapi/nf-memoryapi-createfilemappingw):
 *   "Mapped views of a file mapping object maintain internal references to the object, and a file mapping
 *   object does not close until all references to it are released."
 * - NtClose (learn.microsoft.com/windows-hardware/drivers/ddi/ntifs/nf-ntifs-ntclose): STATUS_INVALID_HANDLE
 *   for a handle that is not valid.
 * - MEMORY_BASIC_INFORMATION Type MEM_MAPPED 0x40000.
 */
import { strict as assert } from "node:assert";
import { Harness, hex } from "./kernel-harness";

const SEC_COMMIT = 0x8000000;
const SEC_RESERVE = 0x4000000;
const PAGE_READONLY = 2;
const PAGE_READWRITE = 4;
const SECTION_ALL_ACCESS = 0xf001f;
const SECTION_QUERY = 1;
const SECTION_MAP_READ = 4;
const MEM_COMMIT = 0x1000;
const MEM_RESERVE = 0x2000;
const MEM_MAPPED = 0x40000;
const STATUS_ACCESS_VIOLATION = 0xc0000005;
const STATUS_INVALID_HANDLE = 0xc0000008;
const STATUS_ACCESS_DENIED = 0xc0000022;
const STATUS_OBJECT_TYPE_MISMATCH = 0xc0000024;
const STATUS_INVALID_PARAMETER_4 = 0xc00000f2;
const STATUS_INVALID_PARAMETER_8 = 0xc00000f6;
const STATUS_MAPPED_ALIGNMENT = 0xc0000220;
const STATUS_NOT_MAPPED_VIEW = 0xc0000019;

/** NtCreateSection(&h, access, NULL, &size, protect, attributes, NULL) from 64-bit code; returns [status, handle]. */
function create64(
  h: Harness,
  v: number,
  size: number,
  protect = PAGE_READWRITE,
  access = SECTION_ALL_ACCESS,
  attrs = SEC_COMMIT,
): [number, number] {
  h.w64(v, 0);
  h.w64(v + 8, size);
  const r = h.call("ntdll", "x64", "NtCreateSection", [v, access, 0, v + 8, protect, attrs, 0]);
  return [r.ret, h.u64(v)];
}

/** NtMapViewOfSection from 64-bit code; returns [status, base, viewSize]. */
function map64(
  h: Harness,
  v: number,
  section: number,
  offset: number,
  size: number,
  protect = PAGE_READWRITE,
): [number, number, number] {
  h.w64(v + 0x10, 0);
  h.w64(v + 0x18, offset);
  h.w64(v + 0x20, size);
  const r = h.call("ntdll", "x64", "NtMapViewOfSection", [
    section,
    -1,
    v + 0x10,
    0,
    0,
    v + 0x18,
    v + 0x20,
    1,
    0,
    protect,
  ]);
  return [r.ret, h.u64(v + 0x10), h.u64(v + 0x20)];
}

describe("kernel: section services, x64 callers", () => {
  it("creates a section, maps two coherent views, unmaps and closes", () => {
    const h = new Harness();
    const v = h.alloc(0x1000);
    const images = h.mm.stats().sections; // the DLLs' image sections
    const [s, section] = create64(h, v, 0x2800);
    assert.equal(hex(s), "0x0");
    assert.equal(section % 4, 0);
    assert.ok(section > 0);
    const [m1, a, size] = map64(h, v, section, 0, 0);
    assert.equal(hex(m1), "0x0");
    assert.equal(a % 0x10000, 0);
    assert.equal(hex(size), "0x3000", "ViewSize 0: to the end of the section, rounded up to pages");
    const [m2, b] = map64(h, v, section, 0, 0x1000);
    assert.equal(hex(m2), "0x0");
    assert.notEqual(a, b);
    h.w32(a + 0x10, 0x5a5a1234);
    assert.equal(hex(h.u32(b + 0x10)), "0x5a5a1234");
    const q = h.call("ntdll", "x64", "NtQueryVirtualMemory", [-1, b, 0, v + 0x100, 0x30, 0]);
    assert.equal(hex(q.ret), "0x0");
    assert.deepEqual(
      [h.u32(v + 0x120), h.u32(v + 0x124), h.u32(v + 0x128), hex(h.u64(v + 0x118))],
      [MEM_COMMIT, PAGE_READWRITE, MEM_MAPPED, "0x1000"],
    );
    let r = h.call("ntdll", "x64", "NtUnmapViewOfSection", [-1, b + 0x123]);
    assert.equal(hex(r.ret), "0x0");
    r = h.call("ntdll", "x64", "NtUnmapViewOfSection", [-1, b]);
    assert.equal(hex(r.ret), hex(STATUS_NOT_MAPPED_VIEW));
    r = h.call("ntdll", "x64", "NtClose", [section]);
    assert.equal(hex(r.ret), "0x0");
    r = h.call("ntdll", "x64", "NtClose", [section]);
    assert.equal(hex(r.ret), hex(STATUS_INVALID_HANDLE));
    // The remaining view keeps the section alive after its last handle is closed.
    assert.equal(hex(h.u32(a + 0x10)), "0x5a5a1234");
    assert.equal(h.mm.stats().sections, images + 1);
    r = h.call("ntdll", "x64", "NtUnmapViewOfSection", [-1, a]);
    assert.equal(hex(r.ret), "0x0");
    assert.equal(h.mm.stats().sections, images);
  });

  it("an SEC_RESERVE section larger than 4 GB, viewed at 4 GB + 64 KB; a misaligned offset fails", () => {
    const h = new Harness();
    const v = h.alloc(0x1000);
    const [s, section] = create64(h, v, 8 * 2 ** 30, PAGE_READWRITE, SECTION_ALL_ACCESS, SEC_COMMIT >>> 1);
    assert.equal(hex(s), "0x0");
    const [m, a, size] = map64(h, v, section, 2 ** 32 + 0x10000, 0x10000);
    assert.equal(hex(m), "0x0");
    assert.equal(hex(size), "0x10000");
    assert.equal(hex(h.u64(v + 0x18)), "0x100010000", "SectionOffset written back");
    h.call("ntdll", "x64", "NtQueryVirtualMemory", [-1, a, 0, v + 0x100, 0x30, 0]);
    assert.equal(h.u32(v + 0x120), MEM_RESERVE, "SEC_RESERVE pages are reserved until committed");
    const [bad] = map64(h, v, section, 0x1000, 0x1000);
    assert.equal(hex(bad), hex(STATUS_MAPPED_ALIGNMENT));
  });

  it("the handle's access decides which views may be mapped", () => {
    const h = new Harness();
    const v = h.alloc(0x1000);
    const [, section] = create64(h, v, 0x1000, PAGE_READWRITE, SECTION_QUERY | SECTION_MAP_READ);
    assert.equal(hex(map64(h, v, section, 0, 0)[0]), hex(STATUS_ACCESS_DENIED));
    assert.equal(hex(map64(h, v, section, 0, 0, PAGE_READONLY)[0]), "0x0");
    // GENERIC_READ maps to SECTION_QUERY | SECTION_MAP_READ too.
    const [, s2] = create64(h, v, 0x1000, PAGE_READWRITE, 0x80000000);
    assert.equal(hex(map64(h, v, s2, 0, 0)[0]), hex(STATUS_ACCESS_DENIED));
    assert.equal(hex(map64(h, v, s2, 0, 0, PAGE_READONLY)[0]), "0x0");
  });

  it("validation: MaximumSize, pointers, handle types, InheritDisposition, names", () => {
    const h = new Harness();
    const v = h.alloc(0x1000);
    let r = h.call("ntdll", "x64", "NtCreateSection", [
      v,
      SECTION_ALL_ACCESS,
      0,
      0,
      PAGE_READWRITE,
      SEC_COMMIT,
      0,
    ]);
    assert.equal(hex(r.ret), hex(STATUS_INVALID_PARAMETER_4));
    h.w64(v + 8, 0x1000);
    r = h.call("ntdll", "x64", "NtCreateSection", [
      0x9000,
      SECTION_ALL_ACCESS,
      0,
      v + 8,
      PAGE_READWRITE,
      SEC_COMMIT,
      0,
    ]);
    assert.equal(hex(r.ret), hex(STATUS_ACCESS_VIOLATION));
    assert.equal(hex(map64(h, v, h.kernel.stdHandles.output, 0, 0)[0]), hex(STATUS_OBJECT_TYPE_MISMATCH));
    assert.equal(hex(map64(h, v, 0x7ffc, 0, 0)[0]), hex(STATUS_INVALID_HANDLE));
    const [, section] = create64(h, v, 0x1000);
    h.w64(v + 0x10, 0);
    h.w64(v + 0x20, 0);
    r = h.call("ntdll", "x64", "NtMapViewOfSection", [
      section,
      -1,
      v + 0x10,
      0,
      0,
      0,
      v + 0x20,
      0,
      0,
      PAGE_READWRITE,
    ]);
    assert.equal(hex(r.ret), hex(STATUS_INVALID_PARAMETER_8));
    // A named section needs an object namespace: a stop naming what is missing.
    const name = h.string("\\BaseNamedObjects\\x");
    h.w16(v + 0x200, 2 * 20);
    h.w16(v + 0x202, 2 * 20 + 2);
    h.w64(v + 0x208, name);
    h.bytes(v + 0x300, new Uint8Array(0x30));
    h.w32(v + 0x300, 0x30);
    h.w64(v + 0x310, v + 0x200);
    r = h.call("ntdll", "x64", "NtCreateSection", [
      v,
      SECTION_ALL_ACCESS,
      v + 0x300,
      v + 8,
      PAGE_READWRITE,
      SEC_COMMIT,
      0,
    ]);
    assert.equal(r.stop?.kind, "unimplemented");
  });

  it("NtClose of a pseudo-handle has no effect and succeeds", () => {
    const h = new Harness();
    assert.equal(hex(h.call("ntdll", "x64", "NtClose", [-1]).ret), "0x0");
    assert.equal(hex(h.call("ntdll", "x64", "NtClose", [-2]).ret), "0x0");
    assert.equal(hex(h.call("ntdll", "x64", "NtClose", [0]).ret), hex(STATUS_INVALID_HANDLE));
  });
});

describe("kernel: section services, 32-bit callers through WOW64", () => {
  it("an 8 GB section from 32-bit code: OBJECT_ATTRIBUTES32, PHANDLE, LARGE_INTEGER offset, PSIZE_T", () => {
    const h = new Harness({ wow64: true });
    const v = h.alloc(0x1000);
    const images = h.mm.stats().sections;
    // OBJECT_ATTRIBUTES32 { Length 0x18, RootDirectory 0, ObjectName NULL, Attributes OBJ_INHERIT, SD, QoS }
    h.bytes(v + 0x100, new Uint8Array(0x18));
    h.w32(v + 0x100, 0x18);
    h.w32(v + 0x10c, 2);
    h.w32(v, 0xcccccccc);
    h.w32(v + 4, 0xcccccccc);
    h.w32(v + 8, 0);
    h.w32(v + 12, 2); // MaximumSize = 8 GB
    let r = h.call("ntdll", "x86", "NtCreateSection", [
      v,
      SECTION_ALL_ACCESS,
      v + 0x100,
      v + 8,
      PAGE_READWRITE,
      SEC_RESERVE,
      0,
    ]);
    assert.equal(hex(r.ret), "0x0");
    const section = h.u32(v);
    assert.equal(hex(h.u32(v + 4)), "0xcccccccc", "the 32-bit HANDLE is 4 bytes");
    assert.equal(h.kernel.handles.get(section)?.inherit, true);
    // The x64 service saw a 0x30-byte OBJECT_ATTRIBUTES with Attributes at +0x18.
    const oa64 = r.syscalls[0].args[2];
    assert.equal(h.u32(oa64), 0x30);
    assert.equal(h.u32(oa64 + 0x18), 2);
    // View of 64 KB at 4 GB + 64 KB.
    h.w32(v + 0x20, 0);
    h.w32(v + 0x28, 0x10000);
    h.w32(v + 0x2c, 1);
    h.w32(v + 0x30, 0x10000);
    r = h.call("ntdll", "x86", "NtMapViewOfSection", [
      section,
      0xffffffff,
      v + 0x20,
      0,
      0,
      v + 0x28,
      v + 0x30,
      1,
      0,
      PAGE_READWRITE,
    ]);
    assert.equal(hex(r.ret), "0x0");
    const base = h.u32(v + 0x20);
    assert.ok(base > 0 && base < 0x7fff0000, hex(base));
    assert.equal(hex(h.u32(v + 0x30)), "0x10000");
    assert.deepEqual([hex(h.u32(v + 0x28)), h.u32(v + 0x2c)], ["0x10000", 1]);
    assert.equal(r.syscalls[0].callerMode, "x86");
    // A second view of the same offset sees the first one's pages once committed.
    h.w32(v + 0x40, base);
    h.w32(v + 0x44, 0x10000);
    r = h.call("ntdll", "x86", "NtAllocateVirtualMemory", [
      0xffffffff,
      v + 0x40,
      0,
      v + 0x44,
      MEM_COMMIT,
      PAGE_READWRITE,
    ]);
    assert.equal(hex(r.ret), "0x0");
    h.w32(base + 0x100, 0xa0000001);
    h.w32(v + 0x20, 0);
    h.w32(v + 0x30, 0x10000);
    r = h.call("ntdll", "x86", "NtMapViewOfSection", [
      section,
      0xffffffff,
      v + 0x20,
      0,
      0,
      v + 0x28,
      v + 0x30,
      1,
      0,
      PAGE_READWRITE,
    ]);
    assert.equal(hex(r.ret), "0x0");
    const alias = h.u32(v + 0x20);
    assert.equal(hex(h.u32(alias + 0x100)), "0xa0000001");
    // Misaligned offset from 32-bit code.
    h.w32(v + 0x20, 0);
    h.w32(v + 0x28, 0x1000);
    h.w32(v + 0x2c, 0);
    r = h.call("ntdll", "x86", "NtMapViewOfSection", [
      section,
      0xffffffff,
      v + 0x20,
      0,
      0,
      v + 0x28,
      v + 0x30,
      1,
      0,
      PAGE_READWRITE,
    ]);
    assert.equal(hex(r.ret), hex(STATUS_MAPPED_ALIGNMENT));
    // Unmap both, close from 32-bit code.
    assert.equal(hex(h.call("ntdll", "x86", "NtUnmapViewOfSection", [0xffffffff, alias]).ret), "0x0");
    assert.equal(hex(h.call("ntdll", "x86", "NtUnmapViewOfSection", [0xffffffff, base]).ret), "0x0");
    assert.equal(hex(h.call("ntdll", "x86", "NtClose", [section]).ret), "0x0");
    assert.equal(h.mm.stats().sections, images);
    assert.equal(hex(h.call("ntdll", "x86", "NtClose", [section]).ret), hex(STATUS_INVALID_HANDLE));
  });

  it("an OBJECT_ATTRIBUTES32 of the wrong length is refused", () => {
    const h = new Harness({ wow64: true });
    const v = h.alloc(0x1000);
    h.bytes(v + 0x100, new Uint8Array(0x18));
    h.w32(v + 0x100, 0x30); // the 64-bit size is wrong for 32-bit code
    h.w32(v + 8, 0x1000);
    h.w32(v + 12, 0);
    const r = h.call("ntdll", "x86", "NtCreateSection", [
      v,
      SECTION_ALL_ACCESS,
      v + 0x100,
      v + 8,
      PAGE_READWRITE,
      SEC_COMMIT,
      0,
    ]);
    assert.equal(hex(r.ret), "0xc000000d");
  });
});
