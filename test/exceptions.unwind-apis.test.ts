/**
 * The unwinder's exports to guests (x64 ntdll, kernel32 forwards): RtlCaptureContext,
 * RtlLookupFunctionEntry, RtlVirtualUnwind, RtlPcToFileHeader, called by guest code; and g++'s C++
 * exceptions (cxx64.exe through libgcc's SEH unwinder, cxx32.exe through its DWARF-2 unwinder).
 *
 * Expected values: Microsoft's "RtlCaptureContext" (the caller's context at the return: RIP = the return
 * address, RSP after the return, ContextFlags = CONTEXT_FULL | CONTEXT_SEGMENTS = 0x10000F as Windows'
 * capture.asm stores, SegCs 0x33 / SegSs 0x2B of 64-bit user mode), "RtlLookupFunctionEntry" (a pointer to
 * the RUNTIME_FUNCTION in the image's exception directory, *ImageBase), "RtlVirtualUnwind" and "x64
 * exception handling" (UWOP_ALLOC_LARGE then UWOP_PUSH_MACHFRAME: RIP = [RSP], RSP = [RSP + 0x18] after
 * the allocation; no handler; the establisher frame is RSP in the body of a function without a frame
 * register) for ntdll!KiUserExceptionDispatcher, whose frame is Windows' own (ALLOC 0x590, PUSH_MACHFRAME);
 * the programs' output from test/fixtures/EXPECTED.md (the C++ standard's rules).
 */
import { strict as assert } from "node:assert";
import { readFileSync } from "node:fs";
import { Kernel } from "../src/windows/kernel";
import { BufferConsole, Process } from "../src/windows/process";

import { le64, shellcodeProcess } from "./shellcode-harness";

const BIN = "test/fixtures/bin";

const imm64 = le64;

/** An x64 shellcode process (RWX, 0x3000 bytes) with the code produced by `code(base, ntdllExportOf)`. */
function shellcode(code: (base: number, exp: (name: string) => number) => number[]): Process {
  return shellcodeProcess("x64", 0x3000, (base, exp) => code(base, (name) => exp("ntdll", name)));
}

const u64 = (p: Process, a: number): bigint => {
  const b = new Uint8Array(8);
  p.mem.read(a, b, { force: true });
  return new DataView(b.buffer).getBigUint64(0, true);
};
const u32 = (p: Process, a: number): number => Number(u64(p, a) & 0xffffffffn);

describe("exceptions: the unwinder's exports (RtlCaptureContext, RtlLookupFunctionEntry, RtlVirtualUnwind)", () => {
  it("RtlCaptureContext: the caller's registers at the return, RAX included, CONTEXT_FULL | CONTEXT_SEGMENTS", () => {
    let fn = 0;
    const p = shellcode((base, exp) => {
      fn = exp("RtlCaptureContext");
      return [
        ...[0x48, 0x81, 0xec, 0x00, 0x05, 0x00, 0x00], // sub rsp, 0x500
        ...[0x4c, 0x8d, 0x64, 0x24, 0x30], // lea r12, [rsp+0x30]
        ...[0x4c, 0x89, 0xe1], // mov rcx, r12
        ...[0x48, 0xbb, ...imm64(0x1111222233334444n)], // mov rbx, imm64
        ...[0x48, 0xb8, ...imm64(0x5555666677778888n)], // mov rax, imm64
        ...[0x49, 0xbb, ...imm64(fn)], // mov r11, RtlCaptureContext
        ...[0x41, 0xff, 0xd3], // call r11
        0xcc, // int3 (offset 48: the return address)
      ];
    });
    const r = p.run(1_000_000);
    assert.equal(r.kind, "exception", JSON.stringify(r));
    const ctx = Number((BigInt(p.cpu.hi[12] >>> 0) << 32n) | BigInt(p.cpu.lo[12] >>> 0));
    assert.equal(u32(p, ctx + 0x30), 0x10000f, "ContextFlags");
    assert.equal(u32(p, ctx + 0x38) & 0xffff, 0x33, "SegCs");
    assert.equal(u32(p, ctx + 0x42) & 0xffff, 0x2b, "SegSs");
    assert.equal(u32(p, ctx + 0x44) & 2, 2, "EFlags bit 1 (always set)");
    assert.equal(u64(p, ctx + 0x78), 0x5555666677778888n, "Rax");
    assert.equal(u64(p, ctx + 0x80), BigInt(ctx), "Rcx = the argument");
    assert.equal(u64(p, ctx + 0x90), 0x1111222233334444n, "Rbx");
    assert.equal(u64(p, ctx + 0x98), BigInt(ctx - 0x30), "Rsp after the return");
    assert.equal(u64(p, ctx + 0xd0), BigInt(fn), "R11");
    assert.equal(u64(p, ctx + 0xf8), BigInt(p.shellcodeBase + 48), "Rip = the return address");
  });

  it("RtlLookupFunctionEntry + RtlVirtualUnwind through KiUserExceptionDispatcher's machine frame; RtlPcToFileHeader", () => {
    let kiued = 0;
    let out = 0;
    let frame = 0;
    let ctx = 0;
    const p = shellcode((base, exp) => {
      kiued = exp("KiUserExceptionDispatcher");
      out = base + 0x800;
      frame = base + 0x1000;
      ctx = base + 0x2000;
      const pc = kiued + 0x10;
      return [
        ...[0x48, 0x83, 0xec, 0x68], // sub rsp, 0x68
        ...[0x48, 0xb9, ...imm64(pc)], // mov rcx, ControlPc
        ...[0x48, 0xba, ...imm64(out)], // mov rdx, &ImageBase
        ...[0x45, 0x31, 0xc0], // xor r8d, r8d (no history table)
        ...[0x49, 0xbb, ...imm64(exp("RtlLookupFunctionEntry"))],
        ...[0x41, 0xff, 0xd3], // call r11
        ...[0x49, 0xba, ...imm64(out + 8)], // mov r10, out+8
        ...[0x49, 0x89, 0x02], // mov [r10], rax
        ...[0x49, 0x89, 0xc1], // mov r9, rax (FunctionEntry)
        ...[0x31, 0xc9], // xor ecx, ecx (UNW_FLAG_NHANDLER)
        ...[0x49, 0xba, ...imm64(out)], // mov r10, out
        ...[0x49, 0x8b, 0x12], // mov rdx, [r10] (ImageBase)
        ...[0x49, 0xb8, ...imm64(pc)], // mov r8, ControlPc
        ...[0x48, 0xb8, ...imm64(ctx)],
        ...[0x48, 0x89, 0x44, 0x24, 0x20], // [rsp+0x20] = ContextRecord
        ...[0x48, 0xb8, ...imm64(out + 0x10)],
        ...[0x48, 0x89, 0x44, 0x24, 0x28], // [rsp+0x28] = &HandlerData
        ...[0x48, 0xb8, ...imm64(out + 0x18)],
        ...[0x48, 0x89, 0x44, 0x24, 0x30], // [rsp+0x30] = &EstablisherFrame
        ...[0x48, 0xc7, 0x44, 0x24, 0x38, 0, 0, 0, 0], // [rsp+0x38] = NULL (ContextPointers)
        ...[0x49, 0xbb, ...imm64(exp("RtlVirtualUnwind"))],
        ...[0x41, 0xff, 0xd3], // call r11
        ...[0x49, 0xba, ...imm64(out + 0x20)],
        ...[0x49, 0x89, 0x02], // mov [r10], rax (the handler)
        ...[0x48, 0xb9, ...imm64(pc)], // mov rcx, PcValue
        ...[0x48, 0xba, ...imm64(out + 0x28)], // mov rdx, &BaseOfImage
        ...[0x49, 0xbb, ...imm64(exp("RtlPcToFileHeader"))],
        ...[0x41, 0xff, 0xd3], // call r11
        ...[0x49, 0xba, ...imm64(out + 0x30)],
        ...[0x49, 0x89, 0x02], // mov [r10], rax
        0xcc,
      ];
    });
    // The CONTEXT: RSP = the dispatcher's frame, RBX marked; the frame: RIP at +0x590, RSP at +0x5A8.
    const w64 = (a: number, v: bigint): void => {
      const b = new Uint8Array(imm64(v));
      p.mem.write(a, b, { force: true });
    };
    w64(out + 0x10, 0xdeadn);
    w64(ctx + 0x98, BigInt(frame));
    w64(ctx + 0x90, 0xb0bn);
    w64(frame + 0x590, 0x140001234n);
    w64(frame + 0x5a8, 0x7ff000n);
    const r = p.run(1_000_000);
    assert.equal(r.kind, "exception", JSON.stringify(r));
    const ntdll = p.dlls.get("ntdll", "x64");
    assert.ok(ntdll);
    assert.equal(u64(p, out), BigInt(ntdll.base), "*ImageBase");
    const entry = Number(u64(p, out + 8));
    // The entry lies in ntdll's exception directory (data directory 3) and covers KiUserExceptionDispatcher.
    // (IMAGE_NT_HEADERS64 at e_lfanew; the exception directory at OptionalHeader + 0x70 + 3 * 8)
    const opt = ntdll.base + u32(p, ntdll.base + 0x3c) + 0x18;
    const dirRva = u32(p, opt + 0x88);
    const dirSize = u32(p, opt + 0x8c);
    assert.ok(dirSize >= 12, "ntdll has an exception directory");
    assert.ok(entry >= ntdll.base + dirRva && entry + 12 <= ntdll.base + dirRva + dirSize, "in .pdata");
    assert.equal(u32(p, entry), kiued - ntdll.base, "BeginAddress");
    assert.equal(u64(p, ctx + 0xf8), 0x140001234n, "Rip from the machine frame");
    assert.equal(u64(p, ctx + 0x98), 0x7ff000n, "Rsp from the machine frame");
    assert.equal(u64(p, ctx + 0x90), 0xb0bn, "Rbx untouched");
    assert.equal(u64(p, out + 0x18), BigInt(frame), "EstablisherFrame");
    assert.equal(u64(p, out + 0x20), 0n, "no handler");
    assert.equal(u64(p, out + 0x10), 0xdeadn, "HandlerData not written without a handler");
    assert.equal(u64(p, out + 0x28), BigInt(ntdll.base), "*BaseOfImage");
    assert.equal(u64(p, out + 0x30), BigInt(ntdll.base), "RtlPcToFileHeader");
  });
});

describe("exceptions: C++ (g++) programs", function () {
  this.timeout(120_000);
  // test/fixtures/EXPECTED.md, "cxx32.exe / cxx64.exe".
  const EXPECTED = [
    "caught int 42",
    "caught runtime_error: plain",
    "enter outer",
    "enter inner",
    "leave inner",
    "leave outer",
    "caught after unwind: deep failure",
    "rethrowing 7",
    "caught rethrown 7",
    "caught (...)",
    "enter outer",
    "enter inner",
    "inner returned",
    "leave inner",
    "outer returned",
    "leave outer",
    "done",
    "",
  ].join("\r\n"); // msvcrt's stdout is in text mode: \n is written as \r\n
  for (const name of ["cxx64.exe", "cxx32.exe"]) {
    it(`${name}: throw/catch, RAII unwinding, rethrow, catch (...), exit code 3`, () => {
      const con = new BufferConsole();
      const p = Process.create({
        file: readFileSync(`${BIN}/${name}`),
        name,
        console: con,
        kernel: (q) => new Kernel(q),
      });
      const stop = p.run(100_000_000);
      assert.equal(stop.kind, "exit", JSON.stringify(stop));
      if (stop.kind === "exit") assert.equal(stop.status, 3);
      assert.equal(con.stdout, EXPECTED);
    });
  }
});
