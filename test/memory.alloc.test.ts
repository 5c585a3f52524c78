/**
 * Reserving, committing, decommitting and releasing private memory, and what VirtualQuery reports.
 *
 * Sources of the expected values:
 * - [VA] VirtualAlloc: https://learn.microsoft.com/en-us/windows/win32/api/memoryapi/nf-memoryapi-virtualalloc
 * - [VF] VirtualFree: https://learn.microsoft.com/en-us/windows/win32/api/memoryapi/nf-memoryapi-virtualfree
 * - [ZFV] ZwFreeVirtualMemory:
 *   https://learn.microsoft.com/en-us/windows-hardware/drivers/ddi/ntifs/nf-ntifs-zwfreevirtualmemory
 * - [NAV] NtAllocateVirtualMemory:
 *   https://learn.microsoft.com/en-us/windows-hardware/drivers/ddi/ntifs/nf-ntifs-ntallocatevirtualmemory
 * - [VQ] VirtualQuery: https://learn.microsoft.com/en-us/windows/win32/api/memoryapi/nf-memoryapi-virtualquery
 * - [MBI] MEMORY_BASIC_INFORMATION:
 *   https://learn.microsoft.com/en-us/windows/win32/api/winnt/ns-winnt-memory_basic_information
 * - [LIM] Memory Limits for Windows and Windows Server Releases:
 *   https://learn.microsoft.com/en-us/windows/win32/memory/memory-limits-for-windows-releases
 * - [WINE] Wine's conformance tests, which pass on real Windows: dlls/kernel32/tests/virtual.c
 *   (test_VirtualAlloc) and dlls/ntdll/tests/virtual.c (test_NtAllocateVirtualMemory).
 */
import { strict as assert } from "node:assert";
import {
  AddressSpace,
  HIGHEST_USER_ADDRESS_64,
  KUSER_SHARED_DATA,
  MEM_COMMIT,
  MEM_DECOMMIT,
  MEM_FREE,
  MEM_PRIVATE,
  MEM_RELEASE,
  MEM_RESERVE,
  MEM_RESET,
  MEM_TOP_DOWN,
  PAGE_EXECUTE_READWRITE,
  PAGE_EXECUTE_WRITECOPY,
  PAGE_NOACCESS,
  PAGE_READONLY,
  PAGE_READWRITE,
  PAGE_WRITECOPY,
} from "../src/windows/memory/index";
import {
  STATUS_COMMITMENT_LIMIT,
  STATUS_CONFLICTING_ADDRESSES,
  STATUS_FREE_VM_NOT_AT_BASE,
  STATUS_INVALID_PAGE_PROTECTION,
  STATUS_INVALID_PARAMETER,
  STATUS_INVALID_PARAMETER_2,
  STATUS_INVALID_PARAMETER_3,
  STATUS_INVALID_PARAMETER_4,
  STATUS_INVALID_PARAMETER_5,
  STATUS_MEMORY_NOT_ALLOCATED,
  STATUS_NO_MEMORY,
  STATUS_NOT_COMMITTED,
  STATUS_SUCCESS,
  STATUS_UNABLE_TO_FREE_VM,
} from "../src/windows/ntstatus";
import { Access } from "../src/cpu/bus";
import { GB, MB, fault, hex, machine, page, peek, poke, q } from "./fixtures/memory/harness";

const RC = MEM_RESERVE | MEM_COMMIT;

describe("memory: reserve and commit", () => {
  it("VirtualAlloc(NULL, 1, MEM_RESERVE|MEM_COMMIT) commits one page at a 64 KB boundary; the rest is free", () => {
    const { as } = machine();
    const r = as.allocate(0, 1, RC, PAGE_READWRITE);
    assert.equal(r.status, STATUS_SUCCESS);
    // [VA] lpAddress NULL: "dwSize ... is rounded up to the next page boundary"; reservations start at a
    // multiple of the allocation granularity.
    assert.equal(r.base % 0x10000, 0);
    assert.equal(r.size, 0x1000);
    const m = q(as, r.base);
    assert.deepEqual(m, {
      baseAddress: r.base,
      allocationBase: r.base,
      allocationProtect: PAGE_READWRITE,
      regionSize: 0x1000,
      state: MEM_COMMIT,
      protect: PAGE_READWRITE,
      type: MEM_PRIVATE,
    });
    // The rest of the 64 KB granule belongs to no allocation: free, but never handed out (VMMap calls it
    // "unusable"). [MBI]: free memory has AllocationBase 0; Wine (after UnmapViewOfFile, on Windows):
    // State MEM_FREE, Protect PAGE_NOACCESS, AllocationProtect 0, Type 0.
    const rest = q(as, r.base + 0x1000);
    assert.equal(rest.state, MEM_FREE);
    assert.equal(rest.allocationBase, 0);
    assert.equal(rest.protect, PAGE_NOACCESS);
    assert.equal(rest.type, 0);
    const r2 = as.allocate(0, 1, RC, PAGE_READWRITE);
    assert.equal(r2.base, r.base + 0x10000, "the next allocation takes the next granule");
  });

  it("committing 4 KB of a 64 KB reservation: a 4 KB committed region, then 60 KB reserved, same AllocationBase", () => {
    const { as } = machine();
    // [WINE] test_VirtualAlloc: VirtualAlloc(0, 0xFFFC, MEM_RESERVE, PAGE_NOACCESS) then MEM_COMMIT 0x1000.
    const r = as.allocate(0, 0xfffc, MEM_RESERVE, PAGE_NOACCESS);
    assert.equal(r.status, STATUS_SUCCESS);
    assert.deepEqual(q(as, r.base), {
      baseAddress: r.base,
      allocationBase: r.base,
      allocationProtect: PAGE_NOACCESS,
      regionSize: 0x10000,
      state: MEM_RESERVE,
      protect: 0,
      type: MEM_PRIVATE,
    });
    const c = as.allocate(r.base, 0x1000, MEM_COMMIT, PAGE_READWRITE);
    assert.deepEqual([c.status, c.base, c.size], [STATUS_SUCCESS, r.base, 0x1000]);
    assert.deepEqual(q(as, r.base), {
      baseAddress: r.base,
      allocationBase: r.base,
      allocationProtect: PAGE_NOACCESS,
      regionSize: 0x1000,
      state: MEM_COMMIT,
      protect: PAGE_READWRITE,
      type: MEM_PRIVATE,
    });
    assert.deepEqual(q(as, r.base + 0x1000), {
      baseAddress: r.base + 0x1000,
      allocationBase: r.base,
      allocationProtect: PAGE_NOACCESS,
      regionSize: 0xf000,
      state: MEM_RESERVE,
      protect: 0,
      type: MEM_PRIVATE,
    });
  });

  it("a reservation at an address rounds the base down to 64 KB and the end up to a page", () => {
    const { as } = machine();
    // [VA] lpAddress: "If the memory is being reserved, the specified address is rounded down to the nearest
    // multiple of the allocation granularity." dwSize: "the allocated pages include all pages containing one
    // or more bytes in the range from lpAddress to lpAddress+dwSize".
    const r = as.allocate(0x20001234, 0x1000, MEM_RESERVE, PAGE_READWRITE);
    assert.deepEqual([r.status, r.base, r.size], [STATUS_SUCCESS, 0x20000000, 0x3000]);
    // [VA] "If the memory is already reserved and is being committed, the address is rounded down to the next
    // page boundary": a 2-byte range straddling a page boundary commits both pages.
    const c = as.allocate(0x20001fff, 2, MEM_COMMIT, PAGE_READONLY);
    assert.deepEqual([c.status, c.base, c.size], [STATUS_SUCCESS, 0x20001000, 0x2000]);
    assert.equal(q(as, 0x20000000).state, MEM_RESERVE);
    assert.equal(q(as, 0x20001000).regionSize, 0x2000);
  });

  it("VirtualQuery reports from the page holding the address to the end of the run (BaseAddress is that page)", () => {
    const { as } = machine();
    const r = as.allocate(0, 0x10000, RC, PAGE_READWRITE);
    // [VQ] "information about a range of pages beginning at the page containing lpAddress"; [MBI] RegionSize:
    // "The size of the region beginning at the base address in which all pages have identical attributes".
    const m = q(as, r.base + 0x3123);
    assert.equal(m.baseAddress, r.base + 0x3000);
    assert.equal(m.regionSize, 0xd000);
    assert.equal(m.allocationBase, r.base);
  });

  it("free memory: a query 10 MB into a 40 MB free region reports MEM_FREE and 30 MB; beyond user space fails", () => {
    const { as } = machine();
    as.allocate(0x40000000, 0x10000, MEM_RESERVE, PAGE_READWRITE);
    as.allocate(0x40000000 + 0x10000 + 40 * MB, 0x10000, MEM_RESERVE, PAGE_READWRITE);
    // [VQ] Remarks: "if there is a 40 megabyte (MB) region of free memory, and VirtualQuery is called on a
    // page that is 10 MB into the region, the function will obtain a state of MEM_FREE and a size of 30 MB."
    const m = q(as, 0x40010000 + 10 * MB);
    assert.deepEqual([m.state, m.regionSize, m.baseAddress], [MEM_FREE, 30 * MB, 0x40010000 + 10 * MB]);
    // [VQ] "If lpAddress specifies an address above the highest memory address accessible to the process, the
    // function fails with ERROR_INVALID_PARAMETER" (ZwQueryVirtualMemory: STATUS_INVALID_PARAMETER).
    assert.equal(hex(as.query(HIGHEST_USER_ADDRESS_64 + 1).status), hex(STATUS_INVALID_PARAMETER));
    assert.equal(q(as, HIGHEST_USER_ADDRESS_64).state, MEM_FREE);
  });

  it("size 0 and unknown allocation types are invalid", () => {
    const { as } = machine();
    // [WINE] VirtualAlloc(0, 0, MEM_RESERVE, ...) fails with ERROR_INVALID_PARAMETER.
    assert.equal(hex(as.allocate(0, 0, MEM_RESERVE, PAGE_NOACCESS).status), hex(STATUS_INVALID_PARAMETER_4));
    // [NAV] AllocationType must include MEM_COMMIT, MEM_RESERVE or MEM_RESET.
    assert.equal(
      hex(as.allocate(0, 0x1000, MEM_TOP_DOWN, PAGE_READWRITE).status),
      hex(STATUS_INVALID_PARAMETER_5),
    );
    // AT_ROUND_TO_PAGE (0x40000000) is not an allocation type ([WINE] test_NtAllocateVirtualMemory).
    assert.equal(
      hex(as.allocate(0, 0x1000, RC | 0x40000000, PAGE_READWRITE).status),
      hex(STATUS_INVALID_PARAMETER_5),
    );
    // [VA] MEM_RESET "cannot be used with any other value".
    assert.equal(
      hex(as.allocate(0, 0x1000, MEM_RESET | MEM_COMMIT, PAGE_READWRITE).status),
      hex(STATUS_INVALID_PARAMETER_5),
    );
  });

  it("write-copy and malformed protections are rejected with STATUS_INVALID_PAGE_PROTECTION", () => {
    const { as } = machine();
    // Memory Protection Constants, PAGE_WRITECOPY and PAGE_EXECUTE_WRITECOPY: "This flag is not supported by
    // the VirtualAlloc or VirtualAllocEx functions"; [WINE] test_VirtualAlloc_protection lists which values
    // fail on Windows.
    const bad = [
      0,
      PAGE_WRITECOPY,
      PAGE_EXECUTE_WRITECOPY,
      PAGE_READONLY | PAGE_NOACCESS,
      PAGE_READWRITE | 0x20,
    ];
    for (const p of bad) {
      assert.equal(hex(as.allocate(0, 0x1000, RC, p).status), hex(STATUS_INVALID_PAGE_PROTECTION), hex(p));
    }
    const r = as.allocate(0, 0x10000, MEM_RESERVE, PAGE_NOACCESS);
    assert.equal(
      hex(as.allocate(r.base, 0x1000, MEM_COMMIT, PAGE_WRITECOPY).status),
      hex(STATUS_INVALID_PAGE_PROTECTION),
    );
    // Memory Protection Constants, PAGE_GUARD: "This value cannot be used with PAGE_NOACCESS."
    assert.equal(
      hex(as.allocate(0, 0x1000, RC, PAGE_NOACCESS | 0x100).status),
      hex(STATUS_INVALID_PAGE_PROTECTION),
    );
  });

  it("overlapping reservations fail with STATUS_CONFLICTING_ADDRESSES, even through 64 KB rounding", () => {
    const { as } = machine();
    const r = as.allocate(0, 0x1000, RC, PAGE_EXECUTE_READWRITE);
    // [WINE] test_NtAllocateVirtualMemory: "allocation conflicts because of 64k align" — reserving at
    // addr+0x1000 rounds down to addr, which is taken.
    const x = as.allocate(r.base + 0x1000, 0x1000, RC, PAGE_EXECUTE_READWRITE);
    assert.equal(hex(x.status), hex(STATUS_CONFLICTING_ADDRESSES));
    const z = as.allocate(0x40000000, 0x10000, MEM_RESERVE, PAGE_READWRITE);
    assert.equal(z.status, STATUS_SUCCESS);
    const y = as.allocate(0x3fff0000, 0x20000, MEM_RESERVE, PAGE_READWRITE);
    assert.equal(hex(y.status), hex(STATUS_CONFLICTING_ADDRESSES));
  });

  it("committing where nothing is reserved fails (ERROR_INVALID_ADDRESS, STATUS_CONFLICTING_ADDRESSES)", () => {
    const { as } = machine();
    // [VA] "Attempting to commit a specific address range by specifying MEM_COMMIT without MEM_RESERVE and a
    // non-NULL lpAddress fails unless the entire range has already been reserved. The resulting error code is
    // ERROR_INVALID_ADDRESS."
    assert.equal(
      hex(as.allocate(0x30000000, 0x1000, MEM_COMMIT, PAGE_READWRITE).status),
      hex(STATUS_CONFLICTING_ADDRESSES),
    );
    const r = as.allocate(0x30000000, 0x10000, MEM_RESERVE, PAGE_READWRITE);
    assert.equal(r.status, STATUS_SUCCESS);
    // A range running past the reservation fails too.
    assert.equal(
      hex(as.allocate(r.base + 0xf000, 0x2000, MEM_COMMIT, PAGE_READWRITE).status),
      hex(STATUS_CONFLICTING_ADDRESSES),
    );
  });

  it("committing committed pages succeeds and applies the new protection", () => {
    const { as } = machine();
    // [VA] MEM_COMMIT: "An attempt to commit a page that is already committed does not cause the function to
    // fail."
    const r = as.allocate(0, 0x4000, RC, PAGE_READWRITE);
    const c = as.allocate(r.base, 0x2000, MEM_COMMIT, PAGE_READONLY);
    assert.equal(c.status, STATUS_SUCCESS);
    assert.deepEqual([q(as, r.base).protect, q(as, r.base).regionSize], [PAGE_READONLY, 0x2000]);
    assert.equal(q(as, r.base + 0x2000).protect, PAGE_READWRITE);
  });

  it("MEM_TOP_DOWN takes the highest free range", () => {
    const { as } = machine();
    const lo = as.allocate(0, 0x10000, MEM_RESERVE, PAGE_READWRITE);
    const hi = as.allocate(0, 0x10000, MEM_RESERVE | MEM_TOP_DOWN, PAGE_READWRITE);
    assert.equal(hi.status, STATUS_SUCCESS);
    // [VA] MEM_TOP_DOWN: "Allocates memory at the highest possible address."
    assert.equal(hi.base, HIGHEST_USER_ADDRESS_64 + 1 - 0x10000);
    assert.ok(lo.base < KUSER_SHARED_DATA);
  });

  it("MEM_RESET keeps the pages' state and protection; the range must lie in one allocation", () => {
    const { as } = machine();
    // [WINE] test_VirtualAlloc: MEM_RESET on a committed page and on a reserved page succeeds and changes
    // nothing VirtualQuery reports; a range crossing the end of the reservation fails (ERROR_INVALID_ADDRESS).
    const r = as.allocate(0, 0xfffc, MEM_RESERVE, PAGE_NOACCESS);
    as.allocate(r.base, 0x1000, MEM_COMMIT, PAGE_READWRITE);
    poke(as, r.base, 0x55);
    const a = as.allocate(r.base, 0x1000, MEM_RESET, PAGE_NOACCESS);
    assert.deepEqual([a.status, a.base], [STATUS_SUCCESS, r.base]);
    assert.ok(peek(as, r.base) === 0x55 || peek(as, r.base) === 0, "contents are kept or zeroed");
    assert.deepEqual([q(as, r.base).state, q(as, r.base).protect], [MEM_COMMIT, PAGE_READWRITE]);
    const b = as.allocate(r.base + 0x1000, 0x1000, MEM_RESET, PAGE_NOACCESS);
    assert.equal(b.status, STATUS_SUCCESS);
    assert.deepEqual(
      [q(as, r.base + 0x1000).state, q(as, r.base + 0x1000).regionSize],
      [MEM_RESERVE, 0xf000],
    );
    assert.equal(
      hex(as.allocate(r.base + 0xf000, 0x2000, MEM_RESET, PAGE_NOACCESS).status),
      hex(STATUS_CONFLICTING_ADDRESSES),
    );
    // [VA] MEM_RESET: flProtect "is ignored, but must be set to a valid protection value".
    assert.equal(hex(as.allocate(r.base, 0x1000, MEM_RESET, 0).status), hex(STATUS_INVALID_PAGE_PROTECTION));
  });

  it("memory is zero-initialized and reads of untouched pages allocate nothing", () => {
    const { mm, as } = machine();
    // [VA] "Memory allocated by this function is automatically initialized to zero."
    const before = mm.stats().residentBytes;
    const r = as.allocate(0, 64 * MB, RC, PAGE_READWRITE);
    for (let a = r.base; a < r.base + r.size; a += 4096) assert.equal(peek(as, a + 7), 0);
    assert.equal(mm.stats().residentBytes, before, "16384 pages read as zeros without a frame each");
    poke(as, r.base + 5 * 4096, 1);
    assert.equal(mm.stats().residentBytes, before + 4096);
  });
});

describe("memory: region bookkeeping", () => {
  it("random commit / decommit / protect sequences agree with a page-by-page model", () => {
    const { as } = machine();
    const PAGES = 64;
    const r = as.allocate(0, PAGES * 4096, MEM_RESERVE, PAGE_NOACCESS);
    const model = new Array<number>(PAGES).fill(0); // 0 = reserved, else protection
    let seed = 12345;
    const rnd = (n: number): number => {
      seed = (Math.imul(seed, 1103515245) + 12345) >>> 0;
      return (seed >>> 8) % n;
    };
    const prots = [PAGE_READONLY, PAGE_READWRITE, PAGE_NOACCESS, PAGE_EXECUTE_READWRITE];
    for (let step = 0; step < 2000; step++) {
      const s = rnd(PAGES);
      const n = 1 + rnd(Math.min(8, PAGES - s));
      const p = prots[rnd(prots.length)];
      const op = rnd(3);
      if (op === 0) {
        assert.equal(as.allocate(r.base + s * 4096, n * 4096, MEM_COMMIT, p).status, STATUS_SUCCESS);
        for (let k = s; k < s + n; k++) model[k] = p;
      } else if (op === 1) {
        assert.equal(as.free(r.base + s * 4096, n * 4096, MEM_DECOMMIT).status, STATUS_SUCCESS);
        for (let k = s; k < s + n; k++) model[k] = 0;
      } else {
        const res = as.protect(r.base + s * 4096, n * 4096, p);
        const committed = model.slice(s, s + n).every((x) => x !== 0);
        assert.equal(res.status, committed ? STATUS_SUCCESS : STATUS_NOT_COMMITTED);
        if (committed) {
          assert.equal(res.oldProtect, model[s]);
          for (let k = s; k < s + n; k++) model[k] = p;
        }
      }
      // Every page's region: same attributes up to the first page that differs.
      const k = rnd(PAGES);
      let e = k;
      while (e < PAGES && model[e] === model[k]) e++;
      const m = q(as, r.base + k * 4096);
      assert.deepEqual(
        [m.state, m.protect, m.regionSize],
        [model[k] ? MEM_COMMIT : MEM_RESERVE, model[k], (e - k) * 4096],
        `step ${step}`,
      );
    }
  });
});

describe("memory: ZeroBits", () => {
  it("ZeroBits 1..20 keeps the address below 2^(32-ZeroBits); 21 finds nothing; 22 is invalid", () => {
    const { as } = machine();
    // [NAV] ZeroBits: "The number of high-order address bits that must be zero in the base address"; the
    // 64-bit kernel counts them from bit 31 ([WINE] test_NtAllocateVirtualMemory, on Windows: 1..20 succeed
    // within the limit, 21 gives STATUS_NO_MEMORY, 22 STATUS_INVALID_PARAMETER_3).
    for (let zb = 1; zb <= 15; zb++) {
      const r = as.allocate(0, 0x1000, RC | MEM_TOP_DOWN, PAGE_READWRITE, zb);
      assert.equal(r.status, STATUS_SUCCESS, `zero bits ${zb}`);
      assert.ok(r.base + r.size - 1 < 2 ** (32 - zb), `zero bits ${zb}: ${hex(r.base)}`);
      assert.equal(as.free(r.base, 0, MEM_RELEASE).status, STATUS_SUCCESS);
    }
    assert.equal(hex(as.allocate(0, 0x1000, RC, PAGE_READWRITE, 21).status), hex(STATUS_NO_MEMORY));
    assert.equal(hex(as.allocate(0, 0x1000, RC, PAGE_READWRITE, 22).status), hex(STATUS_INVALID_PARAMETER_3));
  });

  it("ZeroBits above 31 is a mask whose leading zeros count", () => {
    const { as } = machine();
    // [WINE]: "zero bits > 31 should be considered as a leading zeroes bitmask on 64bit and WoW64".
    const r = as.allocate(0, 0x1000, RC | MEM_TOP_DOWN, PAGE_READWRITE, 0x1aaaaaaa);
    assert.equal(r.status, STATUS_SUCCESS);
    assert.ok(r.base < 0x20000000, hex(r.base));
    const s = as.allocate(0, 0x1000, RC | MEM_TOP_DOWN, PAGE_READWRITE, 0xffffffff);
    assert.equal(s.status, STATUS_SUCCESS);
    assert.ok(s.base < 2 ** 32);
  });
});

describe("memory: decommit and release", () => {
  it("MEM_RELEASE needs size 0 and the allocation base (page-rounded)", () => {
    const { as } = machine();
    const r = as.allocate(0, 0x10000, RC, PAGE_EXECUTE_READWRITE);
    // [VF] dwSize: "If the dwFreeType parameter is MEM_RELEASE, this parameter must be 0 (zero)" and
    // [ZFV] "*RegionSize must be zero"; [WINE] VirtualFree(addr, 1, MEM_RELEASE) → ERROR_INVALID_PARAMETER.
    assert.equal(hex(as.free(r.base, 1, MEM_RELEASE).status), hex(STATUS_INVALID_PARAMETER));
    // [VF] lpAddress: with MEM_RELEASE "this parameter must be the base address returned by VirtualAlloc";
    // [WINE] base+0x1001 → STATUS_FREE_VM_NOT_AT_BASE; base+0xfff rounds down to the base and succeeds.
    assert.equal(hex(as.free(r.base + 0x1001, 0, MEM_RELEASE).status), hex(STATUS_FREE_VM_NOT_AT_BASE));
    const f = as.free(r.base + 0xfff, 0, MEM_RELEASE);
    assert.deepEqual([f.status, f.base, f.size], [STATUS_SUCCESS, r.base, 0x10000]);
    assert.equal(q(as, r.base).state, MEM_FREE);
    // Released again: nothing is allocated there.
    assert.equal(hex(as.free(r.base, 0, MEM_RELEASE).status), hex(STATUS_MEMORY_NOT_ALLOCATED));
  });

  it("MEM_DECOMMIT rounds to pages; size 0 means the whole allocation from its base", () => {
    const { as } = machine();
    const r = as.allocate(0, 0x10000, RC, PAGE_EXECUTE_READWRITE);
    // [WINE] test_NtAllocateVirtualMemory: decommit(base+0x1fff, 2) → base+0x1000, size 0x2000.
    const d = as.free(r.base + 0x1fff, 2, MEM_DECOMMIT);
    assert.deepEqual([d.status, d.base, d.size], [STATUS_SUCCESS, r.base + 0x1000, 0x2000]);
    assert.deepEqual(
      [q(as, r.base + 0x1000).state, q(as, r.base + 0x1000).regionSize],
      [MEM_RESERVE, 0x2000],
    );
    assert.equal(q(as, r.base).regionSize, 0x1000);
    // Size 0 away from the base: STATUS_FREE_VM_NOT_AT_BASE; at base+0xffe (same page): success.
    assert.equal(hex(as.free(r.base + 0x1001, 0, MEM_DECOMMIT).status), hex(STATUS_FREE_VM_NOT_AT_BASE));
    const all = as.free(r.base + 0xffe, 0, MEM_DECOMMIT);
    assert.deepEqual([all.status, all.base], [STATUS_SUCCESS, r.base]);
    assert.deepEqual([q(as, r.base).state, q(as, r.base).regionSize], [MEM_RESERVE, 0x10000]);
    // Decommitted pages read as zeros when committed again.
    as.allocate(r.base, 0x1000, MEM_COMMIT, PAGE_READWRITE);
    assert.equal(peek(as, r.base), 0);
  });

  it("decommitted data is gone: recommitting gives zeros", () => {
    const { as } = machine();
    const r = as.allocate(0, 0x2000, RC, PAGE_READWRITE);
    poke(as, r.base + 0x1010, 0xaa);
    as.free(r.base + 0x1000, 0x1000, MEM_DECOMMIT);
    as.allocate(r.base + 0x1000, 0x1000, MEM_COMMIT, PAGE_READWRITE);
    assert.equal(peek(as, r.base + 0x1010), 0);
  });

  it("free types: zero, MEM_FREE and both flags are invalid; ranges past the allocation fail", () => {
    const { as } = machine();
    const r = as.allocate(0, 0x10000, RC, PAGE_READWRITE);
    // [WINE] VirtualFree(addr, 0x10000, 0) and (addr, 0, MEM_FREE) fail with ERROR_INVALID_PARAMETER.
    for (const t of [0, MEM_FREE, MEM_RELEASE | MEM_DECOMMIT]) {
      assert.equal(hex(as.free(r.base, 0x10000, t).status), hex(STATUS_INVALID_PARAMETER_4), hex(t));
    }
    assert.equal(hex(as.free(r.base, 0x20000, MEM_DECOMMIT).status), hex(STATUS_UNABLE_TO_FREE_VM));
    assert.equal(hex(as.free(0x50000000, 0x1000, MEM_DECOMMIT).status), hex(STATUS_MEMORY_NOT_ALLOCATED));
  });
});

describe("memory: address-space limits", () => {
  it("a 64-bit process allocates in 0x10000..0x7FFFFFFEFFFF; the first 64 KB are never handed out", () => {
    const { as } = machine();
    // [LIM] 64-bit user space: 128 TB; GetSystemInfo on x64 Windows 8.1+ reports lpMinimumApplicationAddress
    // 0x10000 and lpMaximumApplicationAddress 0x7FFFFFFEFFFF.
    assert.equal(as.highestAddress(), 0x7ffffffeffff);
    assert.equal(
      hex(as.allocate(0x1000, 0x1000, RC, PAGE_READWRITE).status),
      hex(STATUS_INVALID_PARAMETER_2),
    );
    assert.equal(
      hex(as.allocate(0x7fffffff0000, 0x1000, RC, PAGE_READWRITE).status),
      hex(STATUS_INVALID_PARAMETER_2),
    );
    const top = as.allocate(0x7ffffffe0000, 0x10000, RC, PAGE_READWRITE);
    assert.equal(top.status, STATUS_SUCCESS);
    assert.equal(
      hex(as.allocate(0x7ffffffe0000, 0x10001, RC, PAGE_READWRITE).status),
      hex(STATUS_INVALID_PARAMETER_4),
    );
    const first = as.allocate(0, 0x1000, RC, PAGE_READWRITE);
    assert.equal(first.base, 0x10000);
  });

  it("a WOW64 process's allocations stay below 0x7FFF0000, or below 0xFFFF0000 when large-address aware", () => {
    // [LIM]: a 32-bit process on 64-bit Windows has 2 GB, 4 GB with IMAGE_FILE_LARGE_ADDRESS_AWARE;
    // GetSystemInfo in a WOW64 process: lpMaximumApplicationAddress 0x7FFEFFFF, or 0xFFFEFFFF (LAA).
    const { as } = machine({ wow64: true });
    assert.equal(as.highestAddress(), 0x7ffeffff);
    const top = as.allocate(0, 0x10000, MEM_RESERVE | MEM_TOP_DOWN, PAGE_READWRITE);
    // The 64 KB below 0x7FFF0000 hold KUSER_SHARED_DATA: the highest free granule is below it.
    assert.equal(hex(top.base), hex(0x7ffd0000));
    assert.equal(
      hex(as.allocate(0x80000000, 0x1000, RC, PAGE_READWRITE).status),
      hex(STATUS_INVALID_PARAMETER_2),
    );
    // Filling the 2 GB: every allocation below the limit, then STATUS_NO_MEMORY.
    let n = 0;
    for (;;) {
      const r = as.allocate(0, 256 * MB, MEM_RESERVE, PAGE_READWRITE);
      if (r.status !== STATUS_SUCCESS) {
        assert.equal(hex(r.status), hex(STATUS_NO_MEMORY));
        break;
      }
      assert.ok(r.base + r.size <= 0x7fff0000);
      n++;
    }
    assert.equal(n, 7);
    // The 64-bit side of the process (wow64.dll, the 64-bit PEB) is not limited.
    const native = as.allocate(0, 0x10000, MEM_RESERVE | MEM_TOP_DOWN, PAGE_READWRITE, 0, { native64: true });
    assert.equal(native.base, HIGHEST_USER_ADDRESS_64 + 1 - 0x10000);

    const laa = machine({ wow64: true, largeAddressAware: true }).as;
    assert.equal(laa.highestAddress(), 0xfffeffff);
    const t = laa.allocate(0, 0x10000, MEM_RESERVE | MEM_TOP_DOWN, PAGE_READWRITE);
    assert.equal(hex(t.base), hex(0xfffe0000));
    // With LAA the address space continues above KUSER_SHARED_DATA, from 0x7FFF0000 (VMMap on Windows shows
    // the extra block "starting at address 0x7FFF0000").
    assert.equal(laa.allocate(0x7fff0000, 0x10000, MEM_RESERVE, PAGE_READWRITE).status, STATUS_SUCCESS);
  });

  it("KUSER_SHARED_DATA is one read-only private page at 0x7FFE0000 in every process", () => {
    for (const wow64 of [false, true]) {
      const { mm, as } = machine({ wow64 });
      const m = q(as, KUSER_SHARED_DATA);
      assert.deepEqual(
        [m.baseAddress, m.allocationBase, m.regionSize, m.state, m.protect, m.type],
        [KUSER_SHARED_DATA, KUSER_SHARED_DATA, 0x1000, MEM_COMMIT, PAGE_READONLY, MEM_PRIVATE],
      );
      mm.writeKuserSharedData(0x26c, new Uint8Array([10, 0, 0, 0])); // NtMajorVersion
      assert.equal(peek(as, KUSER_SHARED_DATA + 0x26c), 10);
      // The same physical page in every process.
      const other = new AddressSpace(mm, { wow64: !wow64 });
      assert.equal(page(as, KUSER_SHARED_DATA, Access.Read), page(other, KUSER_SHARED_DATA, Access.Read));
      assert.equal(fault(as, KUSER_SHARED_DATA, Access.Write).status, 0, "read-only: writes fault");
      assert.equal(
        hex(as.allocate(KUSER_SHARED_DATA, 0x1000, MEM_COMMIT, PAGE_READWRITE).status),
        hex(STATUS_CONFLICTING_ADDRESSES),
      );
      assert.equal(
        hex(as.allocate(KUSER_SHARED_DATA + 0x1000, 0x1000, RC, PAGE_READWRITE).status),
        hex(STATUS_CONFLICTING_ADDRESSES),
      );
    }
  });
});

describe("memory: commit limit", () => {
  it("commit beyond the limit is STATUS_COMMITMENT_LIMIT; reserving costs nothing; releasing gives it back", () => {
    const { mm, as } = machine({}, { commitLimit: 64 * MB });
    // A reservation charges no commit: 1 GB reserved under a 64 MB limit.
    const big = as.allocate(0, 1 * GB, MEM_RESERVE, PAGE_READWRITE);
    assert.equal(big.status, STATUS_SUCCESS);
    const a = as.allocate(0, 48 * MB, RC, PAGE_READWRITE);
    assert.equal(a.status, STATUS_SUCCESS);
    assert.equal(
      hex(as.allocate(big.base, 32 * MB, MEM_COMMIT, PAGE_READWRITE).status),
      hex(STATUS_COMMITMENT_LIMIT),
    );
    assert.equal(hex(as.allocate(0, 32 * MB, RC, PAGE_READWRITE).status), hex(STATUS_COMMITMENT_LIMIT));
    // The failed reservation+commit left nothing behind.
    assert.equal(mm.stats().committedBytes, 48 * MB + 0);
    assert.equal(as.free(a.base, 0, MEM_RELEASE).status, STATUS_SUCCESS);
    assert.equal(mm.stats().committedBytes, 0);
    assert.equal(as.allocate(big.base, 32 * MB, MEM_COMMIT, PAGE_READWRITE).status, STATUS_SUCCESS);
    // Recommitting committed pages charges nothing more.
    assert.equal(as.allocate(big.base, 32 * MB, MEM_COMMIT, PAGE_READWRITE).status, STATUS_SUCCESS);
    assert.equal(mm.stats().committedBytes, 32 * MB);
    as.free(big.base, 16 * MB, MEM_DECOMMIT);
    assert.equal(mm.stats().committedBytes, 16 * MB);
  });

  it("KUSER_SHARED_DATA cannot be released or reprotected", () => {
    const { as } = machine();
    assert.notEqual(as.free(KUSER_SHARED_DATA, 0, MEM_RELEASE).status, STATUS_SUCCESS);
    assert.notEqual(as.protect(KUSER_SHARED_DATA, 0x1000, PAGE_READWRITE).status, STATUS_SUCCESS);
    assert.equal(q(as, KUSER_SHARED_DATA).protect, PAGE_READONLY);
  });
});
