/**
 * NtAllocateVirtualMemory, NtFreeVirtualMemory, NtProtectVirtualMemory, NtQueryVirtualMemory called through
 * the real x64 ntdll stubs (`syscall`) and through x86 ntdll on the WOW64 path, on our CPU.
 *
 * Expected values:
 * - NtAllocateVirtualMemory / ZwAllocateVirtualMemory (learn.microsoft.com/windows-hardware/drivers/ddi/
 *   ntifs/nf-ntifs-ntallocatevirtualmemory): BaseAddress NULL lets the system choose; RegionSize is rounded
 *   up to pages and both are written back.
 * - VirtualAlloc (learn.microsoft.com/windows/win32/api/memoryapi/nf-memoryapi-virtualalloc): a reservation
 *   starts on the allocation granularity (64 KB, SYSTEM_INFO.dwAllocationGranularity).
 * - MEMORY_BASIC_INFORMATION (learn.microsoft.com/windows/win32/api/winnt/ns-winnt-memory_basic_information):
 *   fields and values MEM_COMMIT 0x1000, MEM_RESERVE 0x2000, MEM_FREE 0x10000, MEM_PRIVATE 0x20000; the
 *   32-bit layout MEMORY_BASIC_INFORMATION32 of winnt.h (seven DWORDs).
 * - NtQueryVirtualMemory (learn.microsoft.com/windows-hardware/drivers/ddi/ntifs/nf-ntifs-ntqueryvirtualmemory):
 *   STATUS_INVALID_PARAMETER for an address outside the accessible range, STATUS_INFO_LENGTH_MISMATCH for a
 *   short buffer, STATUS_ACCESS_VIOLATION for an invalid address.
 * - VirtualProtect (learn.microsoft.com/windows/win32/api/memoryapi/nf-memoryapi-virtualprotect): the old
 *   protection of the first page; "If this parameter is NULL or does not point to a valid variable, the
 *   function fails."
 * - NtFreeVirtualMemory (learn.microsoft.com/windows-hardware/drivers/ddi/ntifs/nf-ntifs-ntfreevirtualmemory):
 *   MEM_RELEASE with *RegionSize 0 frees the whole reservation.
 * - SYSTEM_INFO.lpMaximumApplicationAddress of a 32-bit process: 0x7FFEFFFF (4 GB tuning / WOW64:
 *   "Memory Limits for Windows and Windows Server Releases", 2 GB user space without
 *   IMAGE_FILE_LARGE_ADDRESS_AWARE).
 */
import { strict as assert } from "node:assert";
import { Harness, hex } from "./kernel-harness";

const MEM_COMMIT = 0x1000;
const MEM_RESERVE = 0x2000;
const MEM_DECOMMIT = 0x4000;
const MEM_RELEASE = 0x8000;
const MEM_FREE = 0x10000;
const MEM_PRIVATE = 0x20000;
const MEM_TOP_DOWN = 0x100000;
const PAGE_READONLY = 2;
const PAGE_READWRITE = 4;
const STATUS_ACCESS_VIOLATION = 0xc0000005;
const STATUS_INVALID_PARAMETER = 0xc000000d;
const STATUS_INFO_LENGTH_MISMATCH = 0xc0000004;
const STATUS_INVALID_PAGE_PROTECTION = 0xc0000045;
const STATUS_INVALID_HANDLE = 0xc0000008;

interface Mbi {
  base: number;
  allocationBase: number;
  allocationProtect: number;
  regionSize: number;
  state: number;
  protect: number;
  type: number;
}

function mbi64(h: Harness, a: number): Mbi {
  return {
    base: h.u64(a),
    allocationBase: h.u64(a + 8),
    allocationProtect: h.u32(a + 0x10),
    regionSize: h.u64(a + 0x18),
    state: h.u32(a + 0x20),
    protect: h.u32(a + 0x24),
    type: h.u32(a + 0x28),
  };
}

function mbi32(h: Harness, a: number): Mbi {
  const f = [0, 4, 8, 12, 16, 20, 24].map((o) => h.u32(a + o));
  return {
    base: f[0],
    allocationBase: f[1],
    allocationProtect: f[2],
    regionSize: f[3],
    state: f[4],
    protect: f[5],
    type: f[6],
  };
}

describe("kernel: virtual memory services, x64 callers", () => {
  it("NtAllocateVirtualMemory reserves and commits; NtQueryVirtualMemory reports MEMORY_BASIC_INFORMATION", () => {
    const h = new Harness();
    const v = h.alloc(0x1000);
    h.w64(v, 0);
    h.w64(v + 8, 0x1800); // rounded up to two pages
    const r = h.call("ntdll", "x64", "NtAllocateVirtualMemory", [
      -1,
      v,
      0,
      v + 8,
      MEM_RESERVE | MEM_COMMIT,
      PAGE_READWRITE,
    ]);
    assert.equal(hex(r.ret), "0x0");
    assert.equal(r.syscalls.length, 1);
    assert.deepEqual(
      { name: r.syscalls[0].name, mode: r.syscalls[0].callerMode, n: r.syscalls[0].number },
      { name: "NtAllocateVirtualMemory", mode: "x64", n: 0x18 },
    );
    const base = h.u64(v);
    assert.equal(base % 0x10000, 0);
    assert.equal(h.u64(v + 8), 0x2000);
    const out = v + 0x100;
    const q = h.call("ntdll", "x64", "NtQueryVirtualMemory", [-1, base + 0x1234, 0, out, 0x30, v + 0x40]);
    assert.equal(hex(q.ret), "0x0");
    assert.deepEqual(mbi64(h, out), {
      base: base + 0x1000,
      allocationBase: base,
      allocationProtect: PAGE_READWRITE,
      regionSize: 0x1000,
      state: MEM_COMMIT,
      protect: PAGE_READWRITE,
      type: MEM_PRIVATE,
    });
    assert.equal(h.u64(v + 0x40), 0x30);
  });

  it("a reservation at a given address starts on its 64 KB boundary; commit inside it rounds to pages", () => {
    const h = new Harness();
    const v = h.alloc(0x1000);
    h.w64(v, 0x20001234);
    h.w64(v + 8, 0x1000);
    let r = h.call("ntdll", "x64", "NtAllocateVirtualMemory", [-1, v, 0, v + 8, MEM_RESERVE, PAGE_READWRITE]);
    assert.equal(hex(r.ret), "0x0");
    assert.equal(hex(h.u64(v)), "0x20000000");
    assert.equal(hex(h.u64(v + 8)), "0x3000"); // to the end of the page holding 0x20002233
    h.w64(v, 0x20001010);
    h.w64(v + 8, 0x10);
    r = h.call("ntdll", "x64", "NtAllocateVirtualMemory", [-1, v, 0, v + 8, MEM_COMMIT, PAGE_READONLY]);
    assert.equal(hex(r.ret), "0x0");
    assert.deepEqual([hex(h.u64(v)), hex(h.u64(v + 8))], ["0x20001000", "0x1000"]);
  });

  it("bad arguments: pointers, protection, handle", () => {
    const h = new Harness();
    const v = h.alloc(0x1000);
    h.w64(v, 0);
    h.w64(v + 8, 0x1000);
    // BaseAddress points at unmapped memory: the probe fails, nothing is allocated.
    let r = h.call("ntdll", "x64", "NtAllocateVirtualMemory", [
      -1,
      0x7000,
      0,
      v + 8,
      MEM_COMMIT | MEM_RESERVE,
      4,
    ]);
    assert.equal(hex(r.ret), hex(STATUS_ACCESS_VIOLATION));
    r = h.call("ntdll", "x64", "NtAllocateVirtualMemory", [-1, v, 0, 0, MEM_COMMIT | MEM_RESERVE, 4]);
    assert.equal(hex(r.ret), hex(STATUS_ACCESS_VIOLATION));
    // A kernel-space pointer is never a user pointer.
    r = h.call("ntdll", "x64", "NtAllocateVirtualMemory", [-1, 0xffff800000001000, 0, v + 8, 0x3000, 4]);
    assert.equal(hex(r.ret), hex(STATUS_ACCESS_VIOLATION));
    r = h.call("ntdll", "x64", "NtAllocateVirtualMemory", [
      -1,
      v,
      0,
      v + 8,
      MEM_COMMIT | MEM_RESERVE,
      0x1234,
    ]);
    assert.equal(hex(r.ret), hex(STATUS_INVALID_PAGE_PROTECTION));
    r = h.call("ntdll", "x64", "NtAllocateVirtualMemory", [0x1230, v, 0, v + 8, MEM_COMMIT | MEM_RESERVE, 4]);
    assert.equal(hex(r.ret), hex(STATUS_INVALID_HANDLE));
    assert.equal(h.u64(v), 0, "BaseAddress untouched on failure");
  });

  it("NtProtectVirtualMemory returns the old protection; a NULL OldProtect is an access violation", () => {
    const h = new Harness();
    const v = h.alloc(0x1000);
    h.w64(v, 0);
    h.w64(v + 8, 0x3000);
    h.call("ntdll", "x64", "NtAllocateVirtualMemory", [
      -1,
      v,
      0,
      v + 8,
      MEM_RESERVE | MEM_COMMIT,
      PAGE_READWRITE,
    ]);
    const base = h.u64(v);
    h.w64(v + 0x10, base + 0x1008);
    h.w64(v + 0x18, 0x10);
    let r = h.call("ntdll", "x64", "NtProtectVirtualMemory", [
      -1,
      v + 0x10,
      v + 0x18,
      PAGE_READONLY,
      v + 0x20,
    ]);
    assert.equal(hex(r.ret), "0x0");
    assert.deepEqual(
      [hex(h.u64(v + 0x10)), hex(h.u64(v + 0x18)), h.u32(v + 0x20)],
      [hex(base + 0x1000), "0x1000", PAGE_READWRITE],
    );
    h.call("ntdll", "x64", "NtQueryVirtualMemory", [-1, base, 0, v + 0x100, 0x30, 0]);
    assert.equal(mbi64(h, v + 0x100).regionSize, 0x1000);
    h.call("ntdll", "x64", "NtQueryVirtualMemory", [-1, base + 0x1000, 0, v + 0x100, 0x30, 0]);
    assert.deepEqual([mbi64(h, v + 0x100).protect, mbi64(h, v + 0x100).regionSize], [PAGE_READONLY, 0x1000]);
    r = h.call("ntdll", "x64", "NtProtectVirtualMemory", [-1, v + 0x10, v + 0x18, PAGE_READWRITE, 0]);
    assert.equal(hex(r.ret), hex(STATUS_ACCESS_VIOLATION));
  });

  it("NtFreeVirtualMemory decommits and releases", () => {
    const h = new Harness();
    const v = h.alloc(0x1000);
    h.w64(v, 0);
    h.w64(v + 8, 0x4000);
    h.call("ntdll", "x64", "NtAllocateVirtualMemory", [
      -1,
      v,
      0,
      v + 8,
      MEM_RESERVE | MEM_COMMIT,
      PAGE_READWRITE,
    ]);
    const base = h.u64(v);
    h.w64(v + 0x10, base + 0x2000);
    h.w64(v + 0x18, 0x1000);
    let r = h.call("ntdll", "x64", "NtFreeVirtualMemory", [-1, v + 0x10, v + 0x18, MEM_DECOMMIT]);
    assert.equal(hex(r.ret), "0x0");
    h.call("ntdll", "x64", "NtQueryVirtualMemory", [-1, base + 0x2000, 0, v + 0x100, 0x30, 0]);
    assert.equal(mbi64(h, v + 0x100).state, MEM_RESERVE);
    h.w64(v + 0x10, base);
    h.w64(v + 0x18, 0);
    r = h.call("ntdll", "x64", "NtFreeVirtualMemory", [-1, v + 0x10, v + 0x18, MEM_RELEASE]);
    assert.equal(hex(r.ret), "0x0");
    assert.deepEqual([hex(h.u64(v + 0x10)), hex(h.u64(v + 0x18))], [hex(base), "0x4000"]);
    h.call("ntdll", "x64", "NtQueryVirtualMemory", [-1, base, 0, v + 0x100, 0x30, 0]);
    assert.equal(mbi64(h, v + 0x100).state, MEM_FREE);
  });

  it("NtQueryVirtualMemory checks the length, the address range and the class", () => {
    const h = new Harness();
    const v = h.alloc(0x1000);
    let r = h.call("ntdll", "x64", "NtQueryVirtualMemory", [-1, v, 0, v + 0x100, 0x2f, 0]);
    assert.equal(hex(r.ret), hex(STATUS_INFO_LENGTH_MISMATCH));
    r = h.call("ntdll", "x64", "NtQueryVirtualMemory", [-1, 0x800000000000, 0, v + 0x100, 0x30, 0]);
    assert.equal(hex(r.ret), hex(STATUS_INVALID_PARAMETER));
    r = h.call("ntdll", "x64", "NtQueryVirtualMemory", [-1, v, 0, 0x5000, 0x30, 0]);
    assert.equal(hex(r.ret), hex(STATUS_ACCESS_VIOLATION));
    // MemoryWorkingSetInformation exists on Windows but not here: a stop naming it, not a wrong answer.
    r = h.call("ntdll", "x64", "NtQueryVirtualMemory", [-1, v, 1, v + 0x100, 0x100, 0]);
    assert.deepEqual(r.stop, {
      kind: "unimplemented",
      what: "NtQueryVirtualMemory",
      detail: "MemoryInformationClass 1",
    });
  });
});

describe("kernel: virtual memory services, 32-bit callers through WOW64", () => {
  it("NtAllocateVirtualMemory: PVOID* and PSIZE_T are 32-bit; the allocation is below 2 GB", () => {
    const h = new Harness({ wow64: true });
    const v = h.alloc(0x1000);
    h.w32(v, 0);
    h.w32(v + 4, 0x10001); // rounded to 0x11000
    h.w32(v + 8, 0xcccccccc); // must stay untouched: the 32-bit SIZE_T is 4 bytes
    const r = h.call("ntdll", "x86", "NtAllocateVirtualMemory", [
      0xffffffff,
      v,
      0,
      v + 4,
      MEM_RESERVE | MEM_COMMIT | MEM_TOP_DOWN,
      4,
    ]);
    assert.equal(hex(r.ret), "0x0");
    assert.equal(r.syscalls[0].callerMode, "x86");
    assert.equal(r.syscalls[0].args[0], -1, "the handle was sign-extended");
    const base = h.u32(v);
    assert.ok(base >= 0x10000 && base + 0x11000 <= 0x7fff0000, hex(base));
    assert.equal(base % 0x10000, 0);
    assert.equal(hex(h.u32(v + 4)), "0x11000");
    assert.equal(hex(h.u32(v + 8)), "0xcccccccc");
    // Top-down from the 32-bit limit: the highest 64 KB boundary whose 0x11000 bytes end below
    // KUSER_SHARED_DATA (0x7FFE0000, in its own 64 KB reservation).
    assert.equal(hex(base), "0x7ffc0000");
  });

  it("the same service called natively (64-bit code in the WOW64 process) may go above 4 GB", () => {
    const h = new Harness({ wow64: true });
    const v = h.alloc(0x1000);
    h.w64(v, 0);
    h.w64(v + 8, 0x1000);
    const r = h.call("ntdll", "x64", "NtAllocateVirtualMemory", [
      -1,
      v,
      0,
      v + 8,
      MEM_RESERVE | MEM_COMMIT | MEM_TOP_DOWN,
      4,
    ]);
    assert.equal(hex(r.ret), "0x0");
    assert.equal(r.syscalls[0].callerMode, "x64");
    assert.ok(h.u64(v) > 2 ** 32, hex(h.u64(v)));
  });

  it("ZeroBits limits a 32-bit caller's allocation further", () => {
    const h = new Harness({ wow64: true });
    const v = h.alloc(0x1000);
    h.w32(v, 0);
    h.w32(v + 4, 0x1000);
    // ZeroBits 4: the address has 4 more leading zero bits than a 32-bit address, i.e. below 0x10000000.
    const r = h.call("ntdll", "x86", "NtAllocateVirtualMemory", [
      0xffffffff,
      v,
      4,
      v + 4,
      MEM_RESERVE | MEM_COMMIT | MEM_TOP_DOWN,
      4,
    ]);
    assert.equal(hex(r.ret), "0x0");
    assert.equal(hex(h.u32(v)), "0xfff0000");
  });

  it("NtQueryVirtualMemory fills MEMORY_BASIC_INFORMATION32 (28 bytes) and ReturnLength 28", () => {
    const h = new Harness({ wow64: true });
    const v = h.alloc(0x1000);
    h.w32(v, 0);
    h.w32(v + 4, 0x3000);
    h.call("ntdll", "x86", "NtAllocateVirtualMemory", [0xffffffff, v, 0, v + 4, MEM_RESERVE, PAGE_READWRITE]);
    const base = h.u32(v);
    h.w32(v, base + 0x1000);
    h.w32(v + 4, 0x1000);
    h.call("ntdll", "x86", "NtAllocateVirtualMemory", [0xffffffff, v, 0, v + 4, MEM_COMMIT, PAGE_READONLY]);
    const out = v + 0x100;
    h.bytes(out, new Uint8Array(0x40).fill(0xee));
    const r = h.call("ntdll", "x86", "NtQueryVirtualMemory", [
      0xffffffff,
      base + 0x1abc,
      0,
      out,
      28,
      v + 0x40,
    ]);
    assert.equal(hex(r.ret), "0x0");
    assert.deepEqual(mbi32(h, out), {
      base: base + 0x1000,
      allocationBase: base,
      allocationProtect: PAGE_READWRITE,
      regionSize: 0x1000,
      state: MEM_COMMIT,
      protect: PAGE_READONLY,
      type: MEM_PRIVATE,
    });
    assert.equal(h.u32(v + 0x40), 28);
    assert.equal(h.u32(out + 28), 0xeeeeeeee, "nothing written past the 32-bit structure");
    // The x64 service saw a 64-bit buffer of 0x30 bytes in wow64's frame, not the caller's.
    const a = r.syscalls[0].args;
    assert.equal(a[4], 0x30);
    assert.notEqual(a[3], out);
  });

  it("NtQueryVirtualMemory: the free region is cut at the 32-bit limit; addresses above it are invalid", () => {
    const h = new Harness({ wow64: true });
    const v = h.alloc(0x1000);
    // The last free region below KUSER_SHARED_DATA.
    let r = h.call("ntdll", "x86", "NtQueryVirtualMemory", [0xffffffff, 0x7ff00000, 0, v + 0x100, 28, 0]);
    assert.equal(hex(r.ret), "0x0");
    const m = mbi32(h, v + 0x100);
    assert.equal(m.state, MEM_FREE);
    assert.equal(hex(m.base + m.regionSize), "0x7ffe0000");
    r = h.call("ntdll", "x86", "NtQueryVirtualMemory", [0xffffffff, 0x80000000, 0, v + 0x100, 28, 0]);
    assert.equal(hex(r.ret), hex(STATUS_INVALID_PARAMETER));
    // A too short buffer is refused before any system call.
    r = h.call("ntdll", "x86", "NtQueryVirtualMemory", [0xffffffff, 0x10000, 0, v + 0x100, 27, 0]);
    assert.equal(hex(r.ret), hex(STATUS_INFO_LENGTH_MISMATCH));
    assert.equal(r.syscalls.length, 0);
  });

  it("a bad 32-bit pointer is STATUS_ACCESS_VIOLATION from wow64, with no system call", () => {
    const h = new Harness({ wow64: true });
    const v = h.alloc(0x1000);
    h.w32(v + 4, 0x1000);
    const r = h.call("ntdll", "x86", "NtAllocateVirtualMemory", [0xffffffff, 0x6000, 0, v + 4, 0x3000, 4]);
    assert.equal(hex(r.ret), hex(STATUS_ACCESS_VIOLATION));
    assert.equal(r.syscalls.length, 0);
  });

  it("NtProtectVirtualMemory and NtFreeVirtualMemory convert their pointers", () => {
    const h = new Harness({ wow64: true });
    const v = h.alloc(0x1000);
    h.w32(v, 0);
    h.w32(v + 4, 0x2000);
    h.call("ntdll", "x86", "NtAllocateVirtualMemory", [
      0xffffffff,
      v,
      0,
      v + 4,
      MEM_RESERVE | MEM_COMMIT,
      PAGE_READWRITE,
    ]);
    const base = h.u32(v);
    h.w32(v + 8, base + 0x10);
    h.w32(v + 12, 0x10);
    let r = h.call("ntdll", "x86", "NtProtectVirtualMemory", [
      0xffffffff,
      v + 8,
      v + 12,
      PAGE_READONLY,
      v + 16,
    ]);
    assert.equal(hex(r.ret), "0x0");
    assert.deepEqual(
      [hex(h.u32(v + 8)), hex(h.u32(v + 12)), h.u32(v + 16)],
      [hex(base), "0x1000", PAGE_READWRITE],
    );
    h.w32(v + 8, base);
    h.w32(v + 12, 0);
    r = h.call("ntdll", "x86", "NtFreeVirtualMemory", [0xffffffff, v + 8, v + 12, MEM_RELEASE]);
    assert.equal(hex(r.ret), "0x0");
    assert.deepEqual([hex(h.u32(v + 8)), hex(h.u32(v + 12))], [hex(base), "0x2000"]);
  });
});
