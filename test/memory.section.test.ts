/**
 * Sections and views: pagefile-backed (SEC_COMMIT / SEC_RESERVE), file-backed and image sections, view
 * placement and alignment, aliasing, copy-on-write, and section lifetime.
 *
 * Sources:
 * - [ZCS] ZwCreateSection: https://learn.microsoft.com/en-us/windows-hardware/drivers/ddi/wdm/nf-wdm-zwcreatesection
 * - [ZMV] ZwMapViewOfSection: https://learn.microsoft.com/en-us/windows-hardware/drivers/ddi/wdm/nf-wdm-zwmapviewofsection
 * - [MVF] MapViewOfFileEx: https://learn.microsoft.com/en-us/windows/win32/api/memoryapi/nf-memoryapi-mapviewoffileex
 * - [CFM] CreateFileMappingA: https://learn.microsoft.com/en-us/windows/win32/api/winbase/nf-winbase-createfilemappinga
 * - [WINE] dlls/kernel32/tests/virtual.c (test_MapViewOfFile, test_CreateFileMapping_protection) and
 *   dlls/ntdll/tests/virtual.c (test_NtMapViewOfSection), passing on Windows.
 * - [KMT] ReactOS kmtest ZwMapViewOfSection (run against Windows Server 2003).
 */
import { strict as assert } from "node:assert";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { Access } from "../src/cpu/bus";
import {
  AddressSpace,
  MEM_COMMIT,
  MEM_DECOMMIT,
  MEM_FREE,
  MEM_IMAGE,
  MEM_MAPPED,
  MEM_RELEASE,
  MEM_RESERVE,
  MEM_TOP_DOWN,
  MemoryHostFile,
  PAGE_EXECUTE,
  PAGE_EXECUTE_READ,
  PAGE_EXECUTE_READWRITE,
  PAGE_EXECUTE_WRITECOPY,
  PAGE_NOACCESS,
  PAGE_READONLY,
  PAGE_READWRITE,
  PAGE_WRITECOPY,
  SEC_COMMIT,
  SEC_FILE,
  SEC_RESERVE,
  type Section,
} from "../src/windows/memory/index";
import { NodeHostFile } from "../src/windows/memory/node-host";
import {
  STATUS_ALREADY_COMMITTED,
  STATUS_COMMITMENT_LIMIT,
  STATUS_CONFLICTING_ADDRESSES,
  STATUS_INVALID_PAGE_PROTECTION,
  STATUS_INVALID_PARAMETER_4,
  STATUS_INVALID_PARAMETER_5,
  STATUS_INVALID_PARAMETER_6,
  STATUS_INVALID_PARAMETER_9,
  STATUS_INVALID_VIEW_SIZE,
  STATUS_MAPPED_ALIGNMENT,
  STATUS_MAPPED_FILE_SIZE_ZERO,
  STATUS_NOT_MAPPED_VIEW,
  STATUS_SECTION_PROTECTION,
  STATUS_SECTION_TOO_BIG,
  STATUS_SUCCESS,
  STATUS_UNABLE_TO_DELETE_SECTION,
} from "../src/windows/ntstatus";
import {
  GB,
  MB,
  bytes,
  cpuOn,
  fault,
  hex,
  machine,
  page,
  peek,
  poke,
  q,
  runTo,
} from "./fixtures/memory/harness";

function pagefile(
  mm: ReturnType<typeof machine>["mm"],
  size: number,
  protect = PAGE_READWRITE,
  attributes = SEC_COMMIT,
): Section {
  const r = mm.createSection({ size, protect, attributes });
  assert.equal(hex(r.status), hex(STATUS_SUCCESS));
  return r.section as Section;
}

describe("memory: pagefile-backed sections", () => {
  it("two views alias the same bytes: a write through one is read through the other at once", () => {
    const { mm, as } = machine();
    const s = pagefile(mm, 1 * MB);
    const a = as.mapView(s, { protect: PAGE_READWRITE });
    const b = as.mapView(s, { protect: PAGE_READWRITE });
    assert.deepEqual([a.status, b.status], [STATUS_SUCCESS, STATUS_SUCCESS]);
    assert.notEqual(a.base, b.base);
    poke(as, a.base + 0x12345, 0x99);
    assert.equal(peek(as, b.base + 0x12345), 0x99);
    // One PhysPage object for both linear pages: decoded-code invalidation follows the bytes.
    assert.equal(page(as, a.base + 0x12000, Access.Read), page(as, b.base + 0x12000, Access.Write));
  });

  it("through the CPU, inside one run: read alias B (zeros), write alias A, read B again", () => {
    const { mm, as } = machine({ wow64: true });
    const s = pagefile(mm, 64 * 1024);
    const a = as.mapView(s, { protect: PAGE_READWRITE }).base;
    const b = as.mapView(s, { protect: PAGE_READWRITE }).base;
    const code = as.allocate(0, 0x1000, MEM_RESERVE | MEM_COMMIT, PAGE_EXECUTE_READWRITE).base;
    // mov ecx,[esi] ; mov [edi],ebx ; mov eax,[esi] ; mov edx,[edi] ; nop
    as.write(code, bytes("8B 0E 89 1F 8B 06 8B 17 90"));
    const cpu = cpuOn(as, 32);
    cpu.lo[6] = b + 0x40; // esi
    cpu.lo[7] = a + 0x40; // edi
    cpu.lo[3] = 0x11223344; // ebx
    cpu.rip = code;
    assert.deepEqual(runTo(cpu, code + 8), { kind: "breakpoint", address: code + 8 });
    assert.deepEqual([cpu.lo[1], cpu.lo[0], cpu.lo[2]], [0, 0x11223344, 0x11223344]);
  });

  it("a pagefile section's size is rounded up to pages; a file section's is exact", () => {
    const { mm } = machine();
    // [WINE] test_MapViewOfFile: NtCreateSection(size 0x3457, SEC_COMMIT, no file) → NtQuerySection size
    // 0x4000; with a file of 0x3456 bytes and size 0x3452 → 0x3452, attributes SEC_FILE.
    const s = pagefile(mm, 0x3457, PAGE_READONLY);
    assert.deepEqual([s.size, hex(s.attributes)], [0x4000, hex(SEC_COMMIT)]);
    const f = mm.createSection({
      size: 0x3452,
      protect: PAGE_READONLY,
      attributes: SEC_COMMIT,
      file: new MemoryHostFile(new Uint8Array(0x3456)),
    });
    assert.deepEqual([f.section?.size, hex(f.section?.attributes ?? 0)], [0x3452, hex(SEC_FILE)]);
    assert.equal(pagefile(mm, 0x1000, PAGE_READWRITE, SEC_RESERVE).attributes, SEC_RESERVE);
  });

  it("creation checks attributes and protection", () => {
    const { mm } = machine();
    // [CFM] SEC_COMMIT and SEC_RESERVE are exclusive; [WINE] test_CreateFileMapping: SEC_RESERVE|SEC_COMMIT
    // and a bare SEC_NOCACHE fail; test_CreateFileMapping_protection: PAGE_NOACCESS, PAGE_EXECUTE and
    // combinations fail.
    const t = (protect: number, attributes: number): number =>
      mm.createSection({ size: 0x1000, protect, attributes }).status;
    assert.equal(hex(t(PAGE_READWRITE, SEC_COMMIT | SEC_RESERVE)), hex(STATUS_INVALID_PARAMETER_6));
    assert.equal(hex(t(PAGE_READWRITE, 0x10000000)), hex(STATUS_INVALID_PARAMETER_6));
    for (const p of [PAGE_NOACCESS, PAGE_EXECUTE, PAGE_READONLY | PAGE_READWRITE, PAGE_READWRITE | 0x100]) {
      assert.equal(hex(t(p, SEC_COMMIT)), hex(STATUS_INVALID_PAGE_PROTECTION), hex(p));
    }
    for (const p of [
      PAGE_READONLY,
      PAGE_READWRITE,
      PAGE_WRITECOPY,
      PAGE_EXECUTE_READ,
      PAGE_EXECUTE_READWRITE,
      PAGE_EXECUTE_WRITECOPY,
    ]) {
      assert.equal(t(p, SEC_COMMIT), STATUS_SUCCESS, hex(p));
    }
    // [ZCS] MaximumSize is required for a pagefile-backed section.
    assert.equal(
      hex(mm.createSection({ protect: PAGE_READWRITE, attributes: SEC_COMMIT }).status),
      hex(STATUS_INVALID_PARAMETER_4),
    );
  });

  it("views: offsets and explicit bases must be 64 KB aligned (STATUS_MAPPED_ALIGNMENT, ERROR_MAPPED_ALIGNMENT)", () => {
    const { mm, as } = machine();
    const s = pagefile(mm, 1 * MB);
    const v = as.mapView(s, { protect: PAGE_READWRITE });
    // [MVF] "The combination of the high and low offsets must specify an offset within the file mapping ...
    // and must be a multiple of the allocation granularity"; lpBaseAddress "must be a multiple of the system's
    // memory allocation granularity". [WINE] test_NtMapViewOfSection: offset 1, base+42, base+0x1000 →
    // STATUS_MAPPED_ALIGNMENT (checked before the address conflict).
    assert.equal(
      hex(as.mapView(s, { base: v.base, offset: 1, protect: PAGE_READWRITE }).status),
      hex(STATUS_MAPPED_ALIGNMENT),
    );
    assert.equal(
      hex(as.mapView(s, { offset: 0x1000, protect: PAGE_READWRITE }).status),
      hex(STATUS_MAPPED_ALIGNMENT),
    );
    assert.equal(
      hex(as.mapView(s, { base: v.base + 42, protect: PAGE_READWRITE }).status),
      hex(STATUS_MAPPED_ALIGNMENT),
    );
    assert.equal(
      hex(as.mapView(s, { base: v.base + 0x1000, protect: PAGE_READWRITE }).status),
      hex(STATUS_MAPPED_ALIGNMENT),
    );
    // "mapping at the same page conflicts"
    assert.equal(
      hex(as.mapView(s, { base: v.base, protect: PAGE_READWRITE }).status),
      hex(STATUS_CONFLICTING_ADDRESSES),
    );
    const w = as.mapView(s, { base: 0x50000000, offset: 0x10000, protect: PAGE_READWRITE });
    assert.deepEqual(
      [w.status, w.base, w.offset, w.viewSize],
      [STATUS_SUCCESS, 0x50000000, 0x10000, 1 * MB - 0x10000],
    );
  });

  it("views: size 0 maps to the end, sizes round up to pages, and must fit in the section", () => {
    const { mm, as } = machine();
    const s = pagefile(mm, 5 * 0x10000);
    // [ZMV] ViewSize: "If the initial value of this variable is zero, ZwMapViewOfSection maps a view of the
    // section that starts at SectionOffset and continues to the end of the section. Otherwise ... always
    // rounds this value up to the nearest multiple of PAGE_SIZE".
    assert.equal(as.mapView(s, { offset: 0x20000, protect: PAGE_READWRITE }).viewSize, 0x30000);
    const v = as.mapView(s, { viewSize: 0x1234, protect: PAGE_READWRITE });
    assert.equal(v.viewSize, 0x2000);
    assert.equal(q(as, v.base).regionSize, 0x2000);
    // [WINE] test_MapViewOfFile: a view one byte larger than the section → STATUS_INVALID_VIEW_SIZE.
    assert.equal(
      hex(as.mapView(s, { viewSize: 5 * 0x10000 + 1, protect: PAGE_READWRITE }).status),
      hex(STATUS_INVALID_VIEW_SIZE),
    );
    assert.equal(
      hex(as.mapView(s, { offset: 5 * 0x10000, protect: PAGE_READWRITE }).status),
      hex(STATUS_INVALID_VIEW_SIZE),
    );
    // [KMT] CommitSize larger than the view → STATUS_INVALID_PARAMETER_5; MEM_RESERVE on a pagefile section
    // and MEM_COMMIT in AllocationType → STATUS_INVALID_PARAMETER_9.
    assert.equal(
      hex(as.mapView(s, { commitSize: 0x100000, protect: PAGE_READWRITE }).status),
      hex(STATUS_INVALID_PARAMETER_5),
    );
    assert.equal(
      hex(as.mapView(s, { allocationType: MEM_RESERVE, protect: PAGE_READWRITE }).status),
      hex(STATUS_INVALID_PARAMETER_9),
    );
    assert.equal(
      hex(as.mapView(s, { allocationType: MEM_COMMIT, protect: PAGE_READWRITE }).status),
      hex(STATUS_INVALID_PARAMETER_9),
    );
  });

  it("views: ZeroBits limits the chosen address; a base that does not satisfy it is STATUS_INVALID_PARAMETER_4", () => {
    const { mm, as } = machine();
    const s = pagefile(mm, 0x10000);
    // [WINE] test_NtMapViewOfSection: zero_bits 1..20 with MEM_TOP_DOWN stay below 2^(32-zero_bits); an
    // explicit address above the limit → STATUS_INVALID_PARAMETER_4.
    const v = as.mapView(s, { zeroBits: 4, allocationType: MEM_TOP_DOWN, protect: PAGE_READWRITE });
    assert.equal(v.status, STATUS_SUCCESS);
    assert.ok(v.base + v.viewSize <= 2 ** 28, hex(v.base));
    assert.equal(
      hex(as.mapView(s, { base: 0x40000000, zeroBits: 4, protect: PAGE_READWRITE }).status),
      hex(STATUS_INVALID_PARAMETER_4),
    );
  });

  it("view protection must be allowed by the section (STATUS_SECTION_PROTECTION)", () => {
    const { mm, as } = machine();
    const rw = pagefile(mm, 0x10000, PAGE_READWRITE);
    const ro = pagefile(mm, 0x10000, PAGE_READONLY);
    // [KMT] read-write section: PAGE_READONLY and PAGE_NOACCESS views map, PAGE_EXECUTE_WRITECOPY does not;
    // read-only section: PAGE_WRITECOPY maps, PAGE_READWRITE / PAGE_EXECUTE_READ / PAGE_EXECUTE do not;
    // PAGE_READWRITE|PAGE_READONLY is STATUS_INVALID_PAGE_PROTECTION.
    const st = (s: Section, p: number): string => hex(as.mapView(s, { protect: p }).status);
    assert.equal(st(rw, PAGE_READONLY), hex(STATUS_SUCCESS));
    assert.equal(st(rw, PAGE_NOACCESS), hex(STATUS_SUCCESS));
    assert.equal(st(rw, PAGE_EXECUTE_WRITECOPY), hex(STATUS_SECTION_PROTECTION));
    assert.equal(st(ro, PAGE_READWRITE), hex(STATUS_SECTION_PROTECTION));
    assert.equal(st(ro, PAGE_WRITECOPY), hex(STATUS_SUCCESS));
    assert.equal(st(ro, PAGE_EXECUTE_READ), hex(STATUS_SECTION_PROTECTION));
    assert.equal(st(ro, PAGE_EXECUTE), hex(STATUS_SECTION_PROTECTION));
    assert.equal(st(ro, PAGE_READWRITE | PAGE_READONLY), hex(STATUS_INVALID_PAGE_PROTECTION));
  });

  it("VirtualProtect on a view stays within the view's rights", () => {
    const { mm, as } = machine();
    const s = pagefile(mm, 0x10000, PAGE_EXECUTE_READWRITE);
    // [WINE] test_CreateFileMapping_protection: a FILE_MAP_READ view accepts PAGE_READONLY and PAGE_WRITECOPY
    // only; an all-access view accepts everything, PAGE_WRITECOPY showing PAGE_READWRITE after a write.
    const r = as.mapView(s, { protect: PAGE_READONLY }).base;
    assert.equal(as.protect(r, 0x1000, PAGE_WRITECOPY).status, STATUS_SUCCESS);
    for (const p of [PAGE_READWRITE, PAGE_EXECUTE_READ, PAGE_EXECUTE_READWRITE, PAGE_EXECUTE_WRITECOPY]) {
      assert.equal(hex(as.protect(r, 0x1000, p).status), hex(STATUS_SECTION_PROTECTION), hex(p));
    }
    const w = as.mapView(s, { protect: PAGE_EXECUTE_READWRITE }).base;
    assert.equal(as.protect(w, 0x1000, PAGE_NOACCESS).oldProtect, PAGE_EXECUTE_READWRITE);
    assert.equal(as.protect(w, 0x1000, PAGE_WRITECOPY).status, STATUS_SUCCESS);
    assert.equal(q(as, w).protect, PAGE_WRITECOPY);
    poke(as, w, 1);
    assert.equal(q(as, w).protect, PAGE_READWRITE);
    assert.equal(as.protect(w, 0x1000, PAGE_NOACCESS).oldProtect, PAGE_READWRITE);
  });

  it("SEC_COMMIT views show committed, SEC_RESERVE views reserved until committed through any view", () => {
    const { mm, as } = machine();
    const c = pagefile(mm, 1 * MB, PAGE_READWRITE, SEC_COMMIT);
    const v = as.mapView(c, { protect: PAGE_READWRITE }).base;
    // [WINE] test_MapViewOfFile (SEC_COMMIT): BaseAddress/AllocationBase the view, RegionSize the mapping,
    // MEM_COMMIT, PAGE_READWRITE, MEM_MAPPED.
    assert.deepEqual(q(as, v), {
      baseAddress: v,
      allocationBase: v,
      allocationProtect: PAGE_READWRITE,
      regionSize: 1 * MB,
      state: MEM_COMMIT,
      protect: PAGE_READWRITE,
      type: MEM_MAPPED,
    });
    const s = pagefile(mm, 1 * MB, PAGE_READWRITE, SEC_RESERVE);
    const p1 = as.mapView(s, { protect: PAGE_READWRITE }).base;
    const p2 = as.mapView(s, { protect: PAGE_READWRITE }).base;
    // [WINE] (SEC_RESERVE): both views MEM_RESERVE, Protect 0, AllocationProtect PAGE_READWRITE, MEM_MAPPED.
    for (const p of [p1, p2]) {
      assert.deepEqual(q(as, p), {
        baseAddress: p,
        allocationBase: p,
        allocationProtect: PAGE_READWRITE,
        regionSize: 1 * MB,
        state: MEM_RESERVE,
        protect: 0,
        type: MEM_MAPPED,
      });
    }
    assert.equal(fault(as, p1, Access.Read).status, 0);
    // VirtualAlloc(ptr, 0x10000, MEM_COMMIT, PAGE_READONLY) on the first view: the first view shows 64 KB
    // committed PAGE_READONLY, the second the same pages committed with its own PAGE_READWRITE.
    const r = as.allocate(p1, 0x10000, MEM_COMMIT, PAGE_READONLY);
    assert.deepEqual([r.status, r.base, r.size], [STATUS_SUCCESS, p1, 0x10000]);
    assert.deepEqual(
      [q(as, p1).regionSize, q(as, p1).state, q(as, p1).protect],
      [0x10000, MEM_COMMIT, PAGE_READONLY],
    );
    assert.deepEqual(
      [q(as, p2).regionSize, q(as, p2).state, q(as, p2).protect],
      [0x10000, MEM_COMMIT, PAGE_READWRITE],
    );
    poke(as, p2 + 0x100, 5);
    assert.equal(peek(as, p1 + 0x100), 5);
    // VirtualFree(view, MEM_DECOMMIT) fails (ERROR_INVALID_PARAMETER).
    assert.equal(hex(as.free(p1, 0x10000, MEM_DECOMMIT).status), hex(STATUS_UNABLE_TO_DELETE_SECTION));
    assert.equal(hex(as.free(p1, 0, MEM_RELEASE).status), hex(STATUS_UNABLE_TO_DELETE_SECTION));
  });

  it("SEC_COMMIT charges the whole section at creation, SEC_RESERVE as pages are committed", () => {
    const { mm, as } = machine({}, { commitLimit: 16 * MB });
    // [CFM] SEC_COMMIT: "allocates memory ... for the entire view"; SEC_RESERVE: "reserves all views ...
    // without allocating physical storage. The reserved pages can be committed in subsequent calls to
    // VirtualAlloc".
    assert.equal(
      hex(mm.createSection({ size: 17 * MB, protect: PAGE_READWRITE, attributes: SEC_COMMIT }).status),
      hex(STATUS_COMMITMENT_LIMIT),
    );
    const s = pagefile(mm, 1 * GB, PAGE_READWRITE, SEC_RESERVE);
    assert.equal(mm.stats().committedBytes, 0);
    const v = as.mapView(s, { viewSize: 64 * MB, protect: PAGE_READWRITE }).base;
    assert.equal(as.allocate(v, 8 * MB, MEM_COMMIT, PAGE_READWRITE).status, STATUS_SUCCESS);
    assert.equal(mm.stats().committedBytes, 8 * MB);
    assert.equal(
      hex(as.allocate(v, 32 * MB, MEM_COMMIT, PAGE_READWRITE).status),
      hex(STATUS_COMMITMENT_LIMIT),
    );
    as.unmapView(v);
    s.close();
    assert.equal(mm.stats().committedBytes, 0, "a deleted section returns its charge");
  });

  it("unmapping frees the range; any address in the view unmaps it; only views can be unmapped", () => {
    const { mm, as } = machine();
    const s = pagefile(mm, 3 * 4096, PAGE_READONLY);
    const v = as.mapView(s, { protect: PAGE_READONLY }).base;
    // [WINE] test_MapViewOfFile: UnmapViewOfFile(ptr + 4096 + 100) succeeds; afterwards VirtualQuery shows
    // MEM_FREE, PAGE_NOACCESS, AllocationBase NULL, AllocationProtect 0, Type 0.
    const v0 = as.layoutVersion;
    assert.equal(as.unmapView(v + 4096 + 100), STATUS_SUCCESS);
    assert.ok(as.layoutVersion > v0);
    const m = q(as, v);
    assert.deepEqual(
      [m.state, m.protect, m.allocationBase, m.allocationProtect, m.type],
      [MEM_FREE, PAGE_NOACCESS, 0, 0, 0],
    );
    assert.equal(fault(as, v, Access.Read).status, 0);
    // UnmapViewOfFile on VirtualAlloc memory fails with ERROR_INVALID_ADDRESS (STATUS_NOT_MAPPED_VIEW).
    const p = as.allocate(0, 0x10000, MEM_COMMIT, PAGE_READONLY).base;
    assert.equal(hex(as.unmapView(p)), hex(STATUS_NOT_MAPPED_VIEW));
    assert.equal(hex(as.unmapView(p + 0x3000)), hex(STATUS_NOT_MAPPED_VIEW));
    assert.equal(hex(as.unmapView(0xdeadbeef)), hex(STATUS_NOT_MAPPED_VIEW));
  });

  it("a section lives until its last handle and last view are gone", () => {
    const { mm, as } = machine();
    const s = pagefile(mm, 1 * MB);
    const v = as.mapView(s, { protect: PAGE_READWRITE }).base;
    poke(as, v + 100, 42);
    // [WINE] test_MapViewOfFile "close named mapping handle without unmapping": the view stays accessible.
    s.close();
    assert.equal(mm.sections.has(s.id), true);
    assert.equal(peek(as, v + 100), 42);
    const resident = mm.stats().residentBytes;
    assert.equal(as.unmapView(v), STATUS_SUCCESS);
    assert.equal(mm.sections.has(s.id), false);
    assert.equal(s.deleted, true);
    assert.equal(mm.stats().residentBytes, resident - 4096, "its pages are freed");
    assert.equal(mm.stats().committedBytes, 0);
    // A second handle keeps it alive after the view goes.
    const t = pagefile(mm, 1 * MB);
    t.reference();
    as.unmapView(as.mapView(t, { protect: PAGE_READWRITE }).base);
    t.close();
    assert.equal(t.deleted, false);
    t.close();
    assert.equal(t.deleted, true);
  });

  it("an 8 GB section maps at 64-bit offsets; the listing gives the section and the offset", () => {
    const { mm, as } = machine({ wow64: true }, { commitLimit: 16 * GB });
    const s = pagefile(mm, 8 * GB);
    const off = 5 * GB + 0x10000;
    const a = as.mapView(s, { offset: off, viewSize: 256 * MB, protect: PAGE_READWRITE });
    assert.equal(a.status, STATUS_SUCCESS);
    assert.ok(a.base + a.viewSize <= 0x7fff0000, "a WOW64 view below 2 GB");
    poke(as, a.base + 0x1000 + 3, 0x5a);
    const region = as.regions().find((r) => r.baseAddress === a.base);
    assert.deepEqual(
      [region?.kind, region?.sectionId, region?.sectionOffset, region?.regionSize],
      ["mapped", s.id, off, 256 * MB],
    );
    as.unmapView(a.base);
    const b = as.mapView(s, { offset: off - 0x10000, viewSize: 0x20000, protect: PAGE_READONLY });
    assert.equal(peek(as, b.base + 0x10000 + 0x1000 + 3), 0x5a);
  });
});

describe("memory: copy-on-write views", () => {
  it("a write through a PAGE_WRITECOPY view makes a private copy; other views keep the section's bytes", () => {
    const { mm, as } = machine();
    const s = pagefile(mm, 0x10000);
    const shared = as.mapView(s, { protect: PAGE_READWRITE }).base;
    poke(as, shared + 8, 1);
    const cow = as.mapView(s, { protect: PAGE_WRITECOPY }).base;
    // [WINE] test_CreateFileMapping_protection: PAGE_WRITECOPY reads back PAGE_READWRITE after a write
    // (prot_after_write); the rest of the view stays PAGE_WRITECOPY.
    assert.equal(q(as, cow).protect, PAGE_WRITECOPY);
    assert.equal(peek(as, cow + 8), 1);
    const before = page(as, cow, Access.Read);
    poke(as, cow + 8, 2);
    assert.notEqual(page(as, cow, Access.Read), before);
    assert.deepEqual([q(as, cow).protect, q(as, cow).regionSize], [PAGE_READWRITE, 0x1000]);
    assert.deepEqual([q(as, cow + 0x1000).protect, q(as, cow + 0x1000).regionSize], [PAGE_WRITECOPY, 0xf000]);
    // VirtualQuery Remarks: a modified copy-on-write page "becomes private to the process that modified the
    // page. However, the VirtualQuery function will continue to report such pages as MEM_MAPPED".
    assert.equal(q(as, cow).type, MEM_MAPPED);
    assert.equal(peek(as, shared + 8), 1);
    assert.equal(peek(as, cow + 8), 2);
    // Later writes to the shared page no longer show through the copied page.
    poke(as, shared + 8, 3);
    assert.equal(peek(as, cow + 8), 2);
  });

  it("copy-on-write is charged when the view is mapped", () => {
    const { mm, as } = machine({}, { commitLimit: 2 * MB });
    const s = pagefile(mm, 1 * MB);
    assert.equal(mm.stats().committedBytes, 1 * MB);
    assert.equal(
      hex(as.mapView(s, { protect: PAGE_WRITECOPY, viewSize: 2 * MB - 0x10000 + 1 }).status),
      hex(STATUS_INVALID_VIEW_SIZE),
    );
    const v = as.mapView(s, { protect: PAGE_WRITECOPY });
    assert.equal(v.status, STATUS_SUCCESS);
    assert.equal(mm.stats().committedBytes, 2 * MB);
    assert.equal(hex(as.mapView(s, { protect: PAGE_WRITECOPY }).status), hex(STATUS_COMMITMENT_LIMIT));
    as.unmapView(v.base);
    assert.equal(mm.stats().committedBytes, 1 * MB);
  });

  it("through the CPU: a read, then a write, then a read of a write-copy page in one run", () => {
    const { mm, as } = machine();
    const s = pagefile(mm, 0x10000);
    const shared = as.mapView(s, { protect: PAGE_READWRITE }).base;
    poke(as, shared, 0x11);
    const cow = as.mapView(s, { protect: PAGE_WRITECOPY }).base;
    const code = as.allocate(0, 0x1000, MEM_RESERVE | MEM_COMMIT, PAGE_EXECUTE_READWRITE).base;
    // mov ecx,[rsi] ; mov [rsi],ebx ; mov eax,[rsi] ; nop
    as.write(code, bytes("8B 0E 89 1E 8B 06 90"));
    const cpu = cpuOn(as, 64);
    cpu.lo[6] = cow;
    cpu.lo[3] = 0x77;
    cpu.rip = code;
    assert.deepEqual(runTo(cpu, code + 6), { kind: "breakpoint", address: code + 6 });
    assert.deepEqual([cpu.lo[1], cpu.lo[0]], [0x11, 0x77]);
    assert.equal(peek(as, shared), 0x11);
  });
});

describe("memory: file-backed sections", () => {
  it("a read-write view reads the file and writes modified pages back", () => {
    const { mm, as } = machine();
    const data = new TextEncoder().encode("test data for NtMapViewOfSection");
    const file = new MemoryHostFile(data);
    // [CFM] a maximum size larger than the file extends it (read-write mapping).
    const r = mm.createSection({ size: 0x3000, protect: PAGE_READWRITE, attributes: SEC_COMMIT, file });
    assert.equal(r.status, STATUS_SUCCESS);
    assert.equal(file.size, 0x3000);
    const s = r.section as Section;
    const v = as.mapView(s, { protect: PAGE_READWRITE }).base;
    const buf = new Uint8Array(data.length);
    assert.equal(as.read(v, buf), data.length);
    assert.deepEqual(buf, data);
    // [KMT] BehaviorChecks: after writing through the view, the file holds the new contents.
    as.write(v, new TextEncoder().encode("NewContent"));
    poke(as, v + 0x2000, 0xee);
    assert.equal(as.unmapView(v), STATUS_SUCCESS);
    assert.equal(new TextDecoder().decode(file.bytes().subarray(0, 10)), "NewContent");
    assert.equal(file.bytes()[0x2000], 0xee);
  });

  it("file sections: too big for a read-only mapping, empty files, and no commit through views", () => {
    const { mm, as } = machine();
    const file = new MemoryHostFile(new Uint8Array(0x3456), false);
    // [WINE] test_MapViewOfFile: size 0x3457 over a 0x3456-byte file, PAGE_READONLY → STATUS_SECTION_TOO_BIG;
    // an empty file with no size → STATUS_MAPPED_FILE_SIZE_ZERO.
    assert.equal(
      hex(mm.createSection({ size: 0x3457, protect: PAGE_READONLY, attributes: SEC_COMMIT, file }).status),
      hex(STATUS_SECTION_TOO_BIG),
    );
    assert.equal(
      hex(
        mm.createSection({ protect: PAGE_READONLY, attributes: SEC_COMMIT, file: new MemoryHostFile() })
          .status,
      ),
      hex(STATUS_MAPPED_FILE_SIZE_ZERO),
    );
    const s = mm.createSection({ protect: PAGE_READONLY, attributes: SEC_COMMIT, file }).section as Section;
    assert.equal(s.size, 0x3456);
    // [WINE] test_CreateFileMapping_protection: VirtualAlloc(MEM_COMMIT) on a file view fails with
    // ERROR_ACCESS_DENIED (STATUS_ALREADY_COMMITTED). [KMT] a CommitSize for a file section →
    // STATUS_INVALID_PARAMETER_5.
    const v = as.mapView(s, { protect: PAGE_READONLY }).base;
    assert.equal(
      hex(as.allocate(v, 0x1000, MEM_COMMIT, PAGE_READONLY).status),
      hex(STATUS_ALREADY_COMMITTED),
    );
    assert.equal(
      hex(as.mapView(s, { commitSize: 500, protect: PAGE_READONLY }).status),
      hex(STATUS_INVALID_PARAMETER_5),
    );
    // A read-only view faults on write.
    assert.equal(fault(as, v, Access.Write).status, 0);
  });

  it("on Node: a real file mapped, modified and flushed", () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "wowdbg-mem-"));
    const name = path.join(dir, "data.bin");
    fs.writeFileSync(name, Buffer.from("hello, section"));
    const file = NodeHostFile.open(name, true);
    try {
      const { mm, as } = machine();
      const s = mm.createSection({ protect: PAGE_READWRITE, attributes: SEC_COMMIT, file })
        .section as Section;
      const v = as.mapView(s, { protect: PAGE_READWRITE }).base;
      assert.equal(peek(as, v), "h".charCodeAt(0));
      poke(as, v, "j".charCodeAt(0));
      assert.equal(as.flushView(v), STATUS_SUCCESS);
      assert.equal(fs.readFileSync(name, "latin1"), "jello, section");
    } finally {
      file.close();
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe("memory: image sections", () => {
  function image(mm: ReturnType<typeof machine>["mm"]): Section {
    // headers (read-only), .text (execute-read), .data (write-copy), as the PE loader would lay them out.
    const r = mm.createImageSection(0x4000, [
      { offset: 0x1000, size: 0x1000, protect: PAGE_EXECUTE_READ },
      { offset: 0x2000, size: 0x2000, protect: PAGE_WRITECOPY },
    ]);
    assert.equal(r.status, STATUS_SUCCESS);
    const s = r.section as Section;
    s.write(0, new TextEncoder().encode("MZ"));
    s.write(0x1000, bytes("C3"));
    s.write(0x2000, new Uint8Array([1, 2, 3, 4]));
    return s;
  }

  it("image views are MEM_IMAGE with per-section protections and AllocationProtect PAGE_EXECUTE_WRITECOPY", () => {
    const { mm, as } = machine();
    const v = as.mapView(image(mm), { protect: PAGE_READWRITE }).base;
    const rows = [0, 0x1000, 0x2000].map((o) => q(as, v + o));
    assert.deepEqual(
      rows.map((m) => [m.allocationBase, m.allocationProtect, m.type, m.regionSize, m.protect]),
      [
        [v, PAGE_EXECUTE_WRITECOPY, MEM_IMAGE, 0x1000, PAGE_READONLY],
        [v, PAGE_EXECUTE_WRITECOPY, MEM_IMAGE, 0x1000, PAGE_EXECUTE_READ],
        [v, PAGE_EXECUTE_WRITECOPY, MEM_IMAGE, 0x2000, PAGE_WRITECOPY],
      ],
    );
    assert.equal(peek(as, v + 1), "Z".charCodeAt(0));
    page(as, v + 0x1000, Access.Exec);
    assert.equal(fault(as, v + 0x1000, Access.Write).status, 0);
  });

  it("copy-on-write per process: one process's writes are private", () => {
    const { mm, as } = machine();
    const s = image(mm);
    const other = new AddressSpace(mm, { wow64: true });
    const a = as.mapView(s, { protect: PAGE_READWRITE }).base;
    const b = other.mapView(s, { protect: PAGE_READWRITE }).base;
    assert.equal(
      page(as, a + 0x2000, Access.Read),
      page(other, b + 0x2000, Access.Read),
      "shared until written",
    );
    poke(as, a + 0x2000, 0x99);
    assert.equal(peek(as, a + 0x2000), 0x99);
    assert.equal(peek(other, b + 0x2000), 1);
    assert.deepEqual([q(as, a + 0x2000).protect, q(as, a + 0x2000).type], [PAGE_READWRITE, MEM_IMAGE]);
    assert.equal(q(other, b + 0x2000).protect, PAGE_WRITECOPY);
    // VirtualProtect(PAGE_EXECUTE_READWRITE) on code not yet copied reads back PAGE_EXECUTE_WRITECOPY.
    assert.equal(as.protect(a + 0x1000, 1, PAGE_EXECUTE_READWRITE).oldProtect, PAGE_EXECUTE_READ);
    assert.equal(q(as, a + 0x1000).protect, PAGE_EXECUTE_WRITECOPY);
    poke(as, a + 0x1000, 0xcc);
    assert.equal(q(as, a + 0x1000).protect, PAGE_EXECUTE_READWRITE);
    assert.equal(peek(other, b + 0x1000), 0xc3);
    // A debugger's forced write into the other process's code is private to it too.
    assert.equal(other.write(b + 0x1000, new Uint8Array([0x90]), { force: true }), 1);
    assert.equal(peek(other, b + 0x1000), 0x90);
    const fresh = new AddressSpace(mm).mapView(s, { protect: PAGE_READWRITE });
    assert.equal(fresh.status, STATUS_SUCCESS);
    const buf = new Uint8Array(1);
    s.read(0x1000, buf);
    assert.equal(buf[0], 0xc3, "the section itself is unchanged");
  });
});
