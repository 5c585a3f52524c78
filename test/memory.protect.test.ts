/**
 * Page protections: VirtualProtect, guard pages, no-access, read-only and no-execute pages, as the CPU sees
 * them through the Bus (`translate` faults carry the NTSTATUS to report).
 *
 * Sources:
 * - [VP] VirtualProtect: https://learn.microsoft.com/en-us/windows/win32/api/memoryapi/nf-memoryapi-virtualprotect
 * - [MPC] Memory Protection Constants: https://learn.microsoft.com/en-us/windows/win32/memory/memory-protection-constants
 * - [DEP] Data Execution Prevention: https://learn.microsoft.com/en-us/windows/win32/memory/data-execution-prevention
 * - [WINE] dlls/kernel32/tests/virtual.c (test_VirtualProtect, test_guard_page), passing on Windows.
 */
import { strict as assert } from "node:assert";
import { Access } from "../src/cpu/bus";
import {
  MEM_COMMIT,
  MEM_PRIVATE,
  MEM_RESERVE,
  PAGE_EXECUTE,
  PAGE_EXECUTE_READ,
  PAGE_EXECUTE_READWRITE,
  PAGE_EXECUTE_WRITECOPY,
  PAGE_GUARD,
  PAGE_NOACCESS,
  PAGE_READONLY,
  PAGE_READWRITE,
  PAGE_WRITECOPY,
} from "../src/windows/memory/index";
import {
  STATUS_CONFLICTING_ADDRESSES,
  STATUS_GUARD_PAGE_VIOLATION,
  STATUS_INVALID_PAGE_PROTECTION,
  STATUS_NOT_COMMITTED,
  STATUS_SUCCESS,
} from "../src/windows/ntstatus";
import { bytes, cpuOn, fault, hex, machine, page, peek, poke, q, runTo } from "./fixtures/memory/harness";

const RC = MEM_RESERVE | MEM_COMMIT;

describe("memory: VirtualProtect", () => {
  it("returns the previous protection of the first page", () => {
    const { as } = machine();
    // [WINE] test_VirtualAlloc: NOACCESS → READONLY returns PAGE_NOACCESS, READONLY → READWRITE returns
    // PAGE_READONLY; [VP] lpflOldProtect: "the previous access protection value of the first page".
    const r = as.allocate(0, 0xfffc, MEM_RESERVE, PAGE_NOACCESS);
    as.allocate(r.base, 0x1000, MEM_COMMIT, PAGE_NOACCESS);
    const a = as.protect(r.base, 0x1000, PAGE_READONLY);
    assert.deepEqual([a.status, a.oldProtect], [STATUS_SUCCESS, PAGE_NOACCESS]);
    const b = as.protect(r.base, 0x1000, PAGE_READWRITE);
    assert.deepEqual([b.status, b.oldProtect], [STATUS_SUCCESS, PAGE_READONLY]);
    const m = q(as, r.base);
    assert.deepEqual(
      [m.regionSize, m.state, m.protect, m.allocationProtect],
      [0x1000, MEM_COMMIT, PAGE_READWRITE, PAGE_NOACCESS],
    );
  });

  it("fails on pages that are not all committed (ERROR_INVALID_ADDRESS)", () => {
    const { as } = machine();
    // [VP] "changes the protection on a region of committed pages"; [WINE]: VirtualProtect over a reserved
    // range, or over 0xFFFC bytes of which one page is committed, fails with ERROR_INVALID_ADDRESS.
    const r = as.allocate(0, 0xfffc, MEM_RESERVE, PAGE_NOACCESS);
    assert.equal(hex(as.protect(r.base, 0xfffc, PAGE_READONLY).status), hex(STATUS_NOT_COMMITTED));
    as.allocate(r.base, 0x1000, MEM_COMMIT, PAGE_NOACCESS);
    assert.equal(hex(as.protect(r.base, 0xfffc, PAGE_READONLY).status), hex(STATUS_NOT_COMMITTED));
  });

  it("cannot span two allocations or free memory", () => {
    const { as } = machine();
    // [VP] "The pages cannot span adjacent reserved regions that were allocated by separate calls".
    const a = as.allocate(0x20000000, 0x10000, RC, PAGE_READWRITE);
    const b = as.allocate(0x20010000, 0x10000, RC, PAGE_READWRITE);
    assert.deepEqual([a.status, b.status], [STATUS_SUCCESS, STATUS_SUCCESS]);
    assert.equal(
      hex(as.protect(0x2000f000, 0x2000, PAGE_READONLY).status),
      hex(STATUS_CONFLICTING_ADDRESSES),
    );
    assert.equal(
      hex(as.protect(0x30000000, 0x1000, PAGE_READONLY).status),
      hex(STATUS_CONFLICTING_ADDRESSES),
    );
  });

  it("accepts exactly the values of Windows' table; write-copy is for views only", () => {
    const { as } = machine();
    const r = as.allocate(0, 0x1000, RC, PAGE_NOACCESS);
    // [WINE] test_VirtualProtect table (0x00..0xF0, and combinations): only these succeed on private memory.
    const ok = [
      PAGE_NOACCESS,
      PAGE_READONLY,
      PAGE_READWRITE,
      PAGE_EXECUTE,
      PAGE_EXECUTE_READ,
      PAGE_EXECUTE_READWRITE,
    ];
    for (let lo = 0; lo < 16; lo++) {
      for (const hi of [0, 0x10, 0x20, 0x40, 0x80, 0x30, 0x60, 0xc0]) {
        const p = lo | hi;
        const res = as.protect(r.base, 0x1000, p);
        if (ok.includes(p)) {
          assert.equal(res.status, STATUS_SUCCESS, hex(p));
          assert.equal(q(as, r.base).protect, p);
          as.protect(r.base, 0x1000, PAGE_NOACCESS);
        } else assert.equal(hex(res.status), hex(STATUS_INVALID_PAGE_PROTECTION), hex(p));
      }
    }
    assert.equal(hex(as.protect(r.base, 0x1000, PAGE_WRITECOPY).status), hex(STATUS_INVALID_PAGE_PROTECTION));
    assert.equal(
      hex(as.protect(r.base, 0x1000, PAGE_EXECUTE_WRITECOPY).status),
      hex(STATUS_INVALID_PAGE_PROTECTION),
    );
  });

  it("like pages merge into one region, different ones split it", () => {
    const { as } = machine();
    const r = as.allocate(0, 0x5000, RC, PAGE_READWRITE);
    as.protect(r.base + 0x2000, 0x1000, PAGE_READONLY);
    // [VQ]/[MBI] RegionSize covers pages with identical attributes only.
    assert.deepEqual(
      [0, 0x2000, 0x3000].map((o) => [q(as, r.base + o).regionSize, q(as, r.base + o).protect]),
      [
        [0x2000, PAGE_READWRITE],
        [0x1000, PAGE_READONLY],
        [0x2000, PAGE_READWRITE],
      ],
    );
    as.protect(r.base + 0x2000, 0x1000, PAGE_READWRITE);
    assert.equal(q(as, r.base).regionSize, 0x5000);
    assert.equal(as.regions().filter((x) => x.allocationBase === r.base).length, 1);
  });
});

describe("memory: guard pages", () => {
  it("the first access raises STATUS_GUARD_PAGE_VIOLATION once and clears PAGE_GUARD", () => {
    const { as } = machine();
    // [WINE] test_guard_page: VirtualAlloc(PAGE_READWRITE | PAGE_GUARD) shows Protect and AllocationProtect
    // PAGE_READWRITE | PAGE_GUARD.
    const r = as.allocate(0, 0x1000, RC, PAGE_READWRITE | PAGE_GUARD);
    assert.deepEqual(
      [q(as, r.base).protect, q(as, r.base).allocationProtect, q(as, r.base).type],
      [PAGE_READWRITE | PAGE_GUARD, PAGE_READWRITE | PAGE_GUARD, MEM_PRIVATE],
    );
    const v0 = as.layoutVersion;
    // [MPC] PAGE_GUARD: "Any attempt to access a guard page causes the system to raise a
    // STATUS_GUARD_PAGE_VIOLATION exception and turn off the guard page status. Guard pages thus act as a
    // one-time access alarm."
    assert.equal(hex(fault(as, r.base, Access.Read).status), hex(STATUS_GUARD_PAGE_VIOLATION));
    assert.equal(q(as, r.base).protect, PAGE_READWRITE);
    assert.equal(q(as, r.base).allocationProtect, PAGE_READWRITE | PAGE_GUARD);
    assert.ok(as.layoutVersion > v0, "the debugger sees the change");
    poke(as, r.base, 7);
    assert.equal(peek(as, r.base), 7);
  });

  it("VirtualProtect reports PAGE_GUARD in the old protection, and can set it again", () => {
    const { as } = machine();
    const r = as.allocate(0, 0x1000, RC, PAGE_READWRITE | PAGE_GUARD);
    // [WINE] test_guard_page: old protection PAGE_READWRITE | PAGE_GUARD, then PAGE_READWRITE.
    assert.equal(as.protect(r.base, 0x1000, PAGE_READWRITE).oldProtect, PAGE_READWRITE | PAGE_GUARD);
    assert.equal(as.protect(r.base, 0x1000, PAGE_READWRITE | PAGE_GUARD).oldProtect, PAGE_READWRITE);
    assert.equal(hex(fault(as, r.base, Access.Write).status), hex(STATUS_GUARD_PAGE_VIOLATION));
  });

  it("only the touched page loses its guard (a stack's guard region)", () => {
    const { as } = machine();
    const r = as.allocate(0, 0x10000, MEM_RESERVE, PAGE_READWRITE);
    as.allocate(r.base + 0xd000, 0x3000, MEM_COMMIT, PAGE_READWRITE | PAGE_GUARD);
    assert.equal(q(as, r.base + 0xd000).regionSize, 0x3000);
    fault(as, r.base + 0xf000, Access.Write);
    assert.deepEqual(
      [q(as, r.base + 0xd000).regionSize, q(as, r.base + 0xd000).protect],
      [0x2000, PAGE_READWRITE | PAGE_GUARD],
    );
    assert.deepEqual(
      [q(as, r.base + 0xf000).regionSize, q(as, r.base + 0xf000).protect],
      [0x1000, PAGE_READWRITE],
    );
  });

  it("through the CPU: a load from a guard page faults with the status, the retry succeeds", () => {
    const { as } = machine();
    const code = as.allocate(0, 0x1000, RC, PAGE_EXECUTE_READWRITE).base;
    const data = as.allocate(0, 0x1000, RC, PAGE_READWRITE | PAGE_GUARD).base;
    as.write(code, bytes("8B 03 90")); // mov eax, [rbx] ; nop
    as.write(data, bytes("78 56 34 12"), { force: true });
    const cpu = cpuOn(as, 64);
    cpu.lo[3] = data;
    cpu.rip = code;
    const s = runTo(cpu, code + 2);
    assert.equal(s.kind, "fault");
    if (s.kind === "fault") {
      assert.deepEqual([s.fault.vector, s.fault.address, s.fault.access], ["PF", data, "read"]);
      assert.equal(hex(s.fault.status ?? 0), hex(STATUS_GUARD_PAGE_VIOLATION));
    }
    cpu.rip = code;
    assert.deepEqual(runTo(cpu, code + 2), { kind: "breakpoint", address: code + 2 });
    assert.equal(cpu.lo[0], 0x12345678);
  });
});

describe("memory: access checks", () => {
  it("PAGE_NOACCESS faults every access; PAGE_READONLY faults writes", () => {
    const { as } = machine();
    const r = as.allocate(0, 0x2000, RC, PAGE_NOACCESS);
    as.protect(r.base + 0x1000, 0x1000, PAGE_READONLY);
    // [MPC] PAGE_NOACCESS: "An attempt to read from, write to, or execute the committed region results in an
    // access violation." PAGE_READONLY: "An attempt to write to the committed region results in an access
    // violation." Access violations carry no special status (the kernel reports STATUS_ACCESS_VIOLATION).
    for (const a of [Access.Read, Access.Write, Access.Exec]) assert.equal(fault(as, r.base, a).status, 0);
    assert.equal(peek(as, r.base + 0x1000), 0);
    assert.equal(fault(as, r.base + 0x1000, Access.Write).status, 0);
    // Reserved and free pages fault too.
    const res = as.allocate(0, 0x1000, MEM_RESERVE, PAGE_READWRITE);
    assert.equal(fault(as, res.base, Access.Read).status, 0);
    assert.equal(fault(as, 0x7fff0000, Access.Read).status, 0);
  });

  it("no-execute: a 64-bit process executes only EXECUTE* pages", () => {
    const { as } = machine();
    const r = as.allocate(0, 0x5000, RC, PAGE_READWRITE);
    as.protect(r.base + 0x1000, 0x1000, PAGE_EXECUTE);
    as.protect(r.base + 0x2000, 0x1000, PAGE_EXECUTE_READ);
    as.protect(r.base + 0x3000, 0x1000, PAGE_EXECUTE_READWRITE);
    as.protect(r.base + 0x4000, 0x1000, PAGE_READONLY);
    // [MPC] PAGE_READONLY, PAGE_READWRITE: "If Data Execution Prevention is enabled, attempting to execute
    // code in the committed region results in an access violation"; DEP is always on for 64-bit processes.
    assert.equal(fault(as, r.base, Access.Exec).status, 0);
    assert.equal(fault(as, r.base + 0x4000, Access.Exec).status, 0);
    for (const o of [0x1000, 0x2000, 0x3000]) page(as, r.base + o, Access.Exec);
    // x86 page tables cannot make a page execute-only: PAGE_EXECUTE reads.
    page(as, r.base + 0x1000, Access.Read);
    assert.equal(fault(as, r.base + 0x2000, Access.Write).status, 0);
  });

  it("a WOW64 process without DEP executes any readable page", () => {
    // [DEP] Under the default OptIn system policy, DEP applies to 32-bit programs only when they opt in
    // (/NXCOMPAT); the loader sets `executeDisable` accordingly.
    const { as } = machine({ wow64: true, executeDisable: false });
    const r = as.allocate(0, 0x1000, RC, PAGE_READWRITE);
    page(as, r.base, Access.Exec);
    as.protect(r.base, 0x1000, PAGE_NOACCESS);
    assert.equal(fault(as, r.base, Access.Exec).status, 0);
  });

  it("through the CPU: jumping into a read-write page is an execute fault, write to read-only a write fault", () => {
    const { as } = machine();
    const r = as.allocate(0, 0x2000, RC, PAGE_EXECUTE_READWRITE);
    as.write(r.base, bytes("89 03 90")); // mov [rbx], eax ; nop
    as.protect(r.base + 0x1000, 0x1000, PAGE_READONLY);
    const cpu = cpuOn(as, 64);
    cpu.lo[3] = r.base + 0x1000;
    cpu.rip = r.base;
    let s = runTo(cpu, r.base + 2);
    assert.equal(
      s.kind === "fault" && `${s.fault.vector} ${s.fault.access} ${hex(s.fault.address ?? 0)}`,
      `PF write ${hex(r.base + 0x1000)}`,
    );
    as.protect(r.base, 0x1000, PAGE_READWRITE);
    cpu.rip = r.base;
    s = runTo(cpu, r.base + 2);
    assert.equal(s.kind === "fault" && `${s.fault.vector} ${s.fault.access}`, "PF execute");
  });

  it("removing execute permission from code already run drops its decoded blocks", () => {
    const { as } = machine();
    const r = as.allocate(0, 0x1000, RC, PAGE_EXECUTE_READ);
    as.write(r.base, bytes("90 90"), { force: true });
    const cpu = cpuOn(as, 64);
    cpu.rip = r.base;
    assert.deepEqual(runTo(cpu, r.base + 1), { kind: "breakpoint", address: r.base + 1 });
    as.protect(r.base, 0x1000, PAGE_READWRITE);
    cpu.rip = r.base;
    const s = runTo(cpu, r.base + 1);
    assert.equal(s.kind === "fault" && `${s.fault.vector} ${s.fault.access}`, "PF execute");
  });
});
