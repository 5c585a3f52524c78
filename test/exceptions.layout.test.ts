/**
 * The exception structures against winnt.h (mingw-w64's, which follows the Windows SDK; the offsets were
 * checked with offsetof for both targets): the x64 CONTEXT (0x4D0 bytes), the x86 CONTEXT (0x2CC), the
 * EXCEPTION_RECORD of both; capturing and loading registers; the fault → EXCEPTION_RECORD parameters of
 * MSDN's EXCEPTION_RECORD page; KiUserExceptionDispatcher as real code in both ntdlls.
 */
import { strict as assert } from "node:assert";
import { Cpu } from "../src/cpu/index";
import { FlatBus } from "../src/cpu/flatbus";
import {
  CONTEXT32,
  CONTEXT64,
  EXCEPTION_RECORD32,
  EXCEPTION_RECORD64,
  captureContext32,
  captureContext64,
  loadContext64,
} from "../src/windows/kernel/exception";
import { exceptionOfFault } from "../src/windows/fault-exception";
import { systemDlls } from "../src/windows/process";

describe("exceptions: structure layouts (winnt.h)", () => {
  it("x64 CONTEXT", () => {
    const expected: Record<string, number> = {
      P1Home: 0x00,
      ContextFlags: 0x30,
      MxCsr: 0x34,
      SegCs: 0x38,
      SegDs: 0x3a,
      SegEs: 0x3c,
      SegFs: 0x3e,
      SegGs: 0x40,
      SegSs: 0x42,
      EFlags: 0x44,
      Dr0: 0x48,
      Dr7: 0x70,
      Rax: 0x78,
      Rcx: 0x80,
      Rdx: 0x88,
      Rbx: 0x90,
      Rsp: 0x98,
      Rbp: 0xa0,
      Rsi: 0xa8,
      Rdi: 0xb0,
      R8: 0xb8,
      R15: 0xf0,
      Rip: 0xf8,
      FltSave: 0x100,
      Xmm0: 0x1a0,
      VectorRegister: 0x300,
      VectorControl: 0x4a0,
      DebugControl: 0x4a8,
      LastBranchToRip: 0x4b0,
      LastBranchFromRip: 0x4b8,
      LastExceptionToRip: 0x4c0,
      LastExceptionFromRip: 0x4c8,
      size: 0x4d0,
    };
    assert.deepEqual({ ...CONTEXT64 }, expected);
  });

  it("x86 CONTEXT (= WOW64_CONTEXT)", () => {
    const expected: Record<string, number> = {
      ContextFlags: 0x00,
      Dr0: 0x04,
      Dr7: 0x18,
      FloatSave: 0x1c,
      SegGs: 0x8c,
      SegFs: 0x90,
      SegEs: 0x94,
      SegDs: 0x98,
      Edi: 0x9c,
      Esi: 0xa0,
      Ebx: 0xa4,
      Edx: 0xa8,
      Ecx: 0xac,
      Eax: 0xb0,
      Ebp: 0xb4,
      Eip: 0xb8,
      SegCs: 0xbc,
      EFlags: 0xc0,
      Esp: 0xc4,
      SegSs: 0xc8,
      ExtendedRegisters: 0xcc,
      size: 0x2cc,
    };
    assert.deepEqual({ ...CONTEXT32 }, expected);
  });

  it("EXCEPTION_RECORD (x64 0x98 bytes, x86 0x50)", () => {
    assert.deepEqual(
      { ...EXCEPTION_RECORD64 },
      {
        ExceptionCode: 0,
        ExceptionFlags: 4,
        ExceptionRecord: 8,
        ExceptionAddress: 0x10,
        NumberParameters: 0x18,
        ExceptionInformation: 0x20,
        size: 0x98,
      },
    );
    assert.deepEqual(
      { ...EXCEPTION_RECORD32 },
      {
        ExceptionCode: 0,
        ExceptionFlags: 4,
        ExceptionRecord: 8,
        ExceptionAddress: 0x0c,
        NumberParameters: 0x10,
        ExceptionInformation: 0x14,
        size: 0x50,
      },
    );
  });
});

describe("exceptions: contexts and records", () => {
  it("captureContext64 / loadContext64 round-trip the registers", () => {
    const cpu = new Cpu(new FlatBus());
    for (let r = 0; r < 16; r++) {
      cpu.lo[r] = 0x11111111 * (r + 1);
      cpu.hi[r] = r;
    }
    cpu.rip = 0x7ff612345678;
    cpu.xmm[0] = 0x12345678;
    const b = captureContext64(cpu);
    const dv = new DataView(b.buffer);
    assert.equal(dv.getUint32(CONTEXT64.ContextFlags, true), 0x10001f); // CONTEXT_FULL | FLOATING_POINT
    assert.equal(dv.getUint32(CONTEXT64.Rip, true), 0x12345678);
    assert.equal(dv.getUint32(CONTEXT64.Rip + 4, true), 0x7ff6);
    assert.equal(dv.getUint32(CONTEXT64.Rcx + 4, true), 1);
    assert.equal(dv.getUint16(CONTEXT64.SegCs, true), 0x33);
    assert.equal(dv.getUint32(CONTEXT64.Xmm0, true), 0x12345678);
    dv.setUint32(CONTEXT64.Rax, 0xdeadbeef, true);
    dv.setUint32(CONTEXT64.Rip, 0x1000, true);
    dv.setUint32(CONTEXT64.Rip + 4, 0, true);
    cpu.xmm[0] = 0;
    loadContext64(cpu, b);
    assert.equal(cpu.lo[0] >>> 0, 0xdeadbeef);
    assert.equal(cpu.rip, 0x1000);
    assert.equal(cpu.xmm[0], 0x12345678);
    assert.equal(cpu.hi[4], 4);
  });

  it("captureContext32 fills the i386 layout", () => {
    const cpu = new Cpu(new FlatBus());
    cpu.setMode(32);
    cpu.lo[0] = 0xaaaa;
    cpu.lo[4] = 0x12ff00;
    cpu.rip = 0x401000;
    const dv = new DataView(captureContext32(cpu).buffer);
    assert.equal(dv.getUint32(CONTEXT32.ContextFlags, true), 0x1002f);
    assert.equal(dv.getUint32(CONTEXT32.Eax, true), 0xaaaa);
    assert.equal(dv.getUint32(CONTEXT32.Esp, true), 0x12ff00);
    assert.equal(dv.getUint32(CONTEXT32.Eip, true), 0x401000);
    assert.equal(dv.getUint32(CONTEXT32.SegCs, true), 0x23);
  });

  it("faults as EXCEPTION_RECORDs: access violation parameters 0/1/8 and the address (MSDN EXCEPTION_RECORD)", () => {
    const av = (access: "read" | "write" | "execute") =>
      exceptionOfFault({ vector: "PF", rip: 0x401000, address: 0x1234, access }, 0xc0000005, 32);
    assert.deepEqual(av("read").params, [0, 0x1234]);
    assert.deepEqual(av("write").params, [1, 0x1234]);
    assert.deepEqual(av("execute").params, [8, 0x1234]);
    assert.equal(av("read").address, 0x401000);
    const bp = exceptionOfFault({ vector: "BP", rip: 0x401005 }, 0x80000003, 32);
    assert.deepEqual(bp, { code: 0x80000003, flags: 0, address: 0x401005, params: [0] });
    const gp = exceptionOfFault({ vector: "GP", rip: 0x1000, address: -1 }, 0xc0000005, 64);
    assert.deepEqual(gp.params, [0, -1]);
  });

  it("KiUserExceptionDispatcher is real code in both ntdlls, calling RtlDispatchException, NtContinue, NtRaiseException", () => {
    const set = systemDlls();
    for (const arch of ["x64", "x86"] as const) {
      const nt = set.get("ntdll", arch);
      assert.ok(nt);
      const e = nt.exports.get("KiUserExceptionDispatcher");
      assert.ok(e && "address" in e);
      assert.equal(set.trapAt(e.address), undefined);
      const text = nt.listing
        .filter((l) => l.address >= e.address && l.address < e.address + 0x40)
        .map((l) => l.text)
        .join("; ");
      assert.match(text, /call RtlDispatchException.*call NtContinue.*call NtRaiseException/, arch);
      assert.ok(nt.traps.some((t) => t.name === "RtlDispatchException"));
    }
  });
});
