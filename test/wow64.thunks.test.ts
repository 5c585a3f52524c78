/**
 * The WOW64 thunk layer as machine code sees it: x86 ntdll stub → Wow64Transition → wow64cpu's far jump →
 * wow64!Wow64SystemServiceEx → Wow64pThunkArguments (TypeScript) → x64 ntdll stub → `syscall` →
 * Wow64pThunkResults (TypeScript) → back to compatibility mode with the 32-bit registers restored from
 * WOW64_CONTEXT (winnt.h) and EAX = the status.
 *
 * Expected values: the stdcall convention (the callee pops its arguments, EBX/ESI/EDI/EBP preserved —
 * learn.microsoft.com/cpp/cpp/stdcall and "Argument passing and naming conventions"); sign extension of
 * 32-bit handles ((HANDLE)-1 stays NtCurrentProcess() on the 64-bit side: "Process Handles and
 * Identifiers", GetCurrentProcess returns the pseudo-handle (HANDLE)-1); zero extension of pointers.
 */
import { strict as assert } from "node:assert";
import { WOW64_CONTEXT } from "../src/windows/dlls";
import { CPURESERVED, Harness, hex, STACK32_TOP } from "./kernel-harness";

const STATUS_ACCESS_VIOLATION = 0xc0000005;

function regs(h: Harness): number[] {
  return [3, 6, 7, 5].map((r) => h.cpu.lo[r] >>> 0);
}

describe("wow64: the thunk traps around the x64 system call", () => {
  it("a converted call and a refused one both return to 32-bit code with the callee-saved registers", () => {
    const h = new Harness({ wow64: true });
    const v = h.alloc(0x1000);
    const C = CPURESERVED + 4;
    for (const [off, val] of [
      [WOW64_CONTEXT.Ebx, 0x0b0b0b0b],
      [WOW64_CONTEXT.Esi, 0x05050505],
      [WOW64_CONTEXT.Edi, 0x0d0d0d0d],
      [WOW64_CONTEXT.Ebp, 0x0e0e0e0e],
    ] as const)
      h.w32(C + off, val);
    h.w32(v, 0);
    h.w32(v + 4, 0x1000);
    let r = h.call("ntdll", "x86", "NtAllocateVirtualMemory", [0xffffffff, v, 0, v + 4, 0x3000, 4]);
    assert.equal(hex(r.ret), "0x0");
    assert.equal(h.cpu.mode64, false);
    assert.equal(h.cpu.sreg[1], 0x23);
    assert.deepEqual(regs(h), [0x0b0b0b0b, 0x05050505, 0x0d0d0d0d, 0x0e0e0e0e]);
    // The stub's `ret 0x18` popped the six arguments: ESP is past them.
    const esp = h.cpu.lo[4] >>> 0;
    assert.equal(esp, h.u32(C + WOW64_CONTEXT.Esp) + 4 + 6 * 4);
    assert.ok(esp < STACK32_TOP);
    // The same with a bad pointer: wow64 refuses, no system call, the same return path.
    r = h.call("ntdll", "x86", "NtAllocateVirtualMemory", [0xffffffff, 0x1000, 0, v + 4, 0x3000, 4]);
    assert.equal(hex(r.ret), hex(STATUS_ACCESS_VIOLATION));
    assert.deepEqual(r.syscalls, []);
    assert.equal(h.cpu.mode64, false);
    assert.deepEqual(regs(h), [0x0b0b0b0b, 0x05050505, 0x0d0d0d0d, 0x0e0e0e0e]);
    // The next call works again (the pending-thunk stack is balanced).
    h.w32(v, 0);
    r = h.call("ntdll", "x86", "NtAllocateVirtualMemory", [0xffffffff, v, 0, v + 4, 0x3000, 4]);
    assert.equal(hex(r.ret), "0x0");
    assert.equal(r.syscalls[0].callerMode, "x86");
  });

  it("the 64-bit arguments: handles sign-extended, values zero-extended, in/out pointers moved to wow64's frame", () => {
    const h = new Harness({ wow64: true });
    const v = h.alloc(0x1000);
    h.w32(v, 0);
    h.w32(v + 4, 0x1000);
    h.w32(v + 8, 0);
    h.w32(v + 12, 0);
    h.w32(v + 0x10, 0);
    const r = h.call("ntdll", "x86", "NtMapViewOfSection", [
      0x7ffffff8,
      0xffffffff,
      v,
      0x80000000,
      0x90000000,
      v + 8,
      v + 0x10,
      2,
      0x100000,
      4,
    ]);
    assert.equal(hex(r.ret), "0xc0000008", "the section handle is not valid");
    const a = r.syscalls[0].args;
    assert.equal(a[0], 0x7ffffff8);
    assert.equal(a[1], -1);
    assert.notEqual(a[2], v, "BaseAddress: a 64-bit PVOID in the frame");
    assert.equal(h.u64(a[2]), 0);
    assert.equal(a[3], 0x80000000, "ZeroBits zero-extended");
    assert.equal(a[4], 0x90000000, "CommitSize zero-extended");
    assert.equal(a[5], v + 8, "PLARGE_INTEGER passes through");
    assert.notEqual(a[6], v + 0x10);
    assert.deepEqual(a.slice(7), [2, 0x100000, 4]);
  });

  it("a NULL output structure is refused before the call", () => {
    const h = new Harness({ wow64: true });
    const r = h.call("ntdll", "x86", "NtQuerySystemInformation", [0, 0, 0x2c, 0]);
    assert.equal(hex(r.ret), hex(STATUS_ACCESS_VIOLATION));
    assert.deepEqual(r.syscalls, []);
  });
});
