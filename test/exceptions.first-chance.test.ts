/**
 * A debugger's first chance at software exceptions, at the Process level: RaiseException (x64, and x86
 * under WOW64) and a 32-bit NtRaiseException(FirstChance = TRUE) through the WOW64 thunk stop with a
 * "first-chance" stop before any handler runs, and the next run/step delivers the exception to the guest's
 * handlers exactly once, on the same thread.
 *
 * Expected behaviour: Microsoft's debugger documentation ("Controlling Exceptions and Events", "First
 * chance exceptions"): the debugger is notified before the application's handlers run; `gn` passes the
 * exception on to them. MSDN "RaiseException" (the record carries dwExceptionCode, the flags and the
 * arguments), "Vectored Exception Handling" (EXCEPTION_CONTINUE_EXECUTION (-1) resumes the context: for
 * RaiseException after its call), "AddVectoredExceptionHandler" (First = 1), winnt.h's EXCEPTION_RECORD32
 * and x86 CONTEXT layouts (ContextFlags 0x10007 = CONTEXT_i386 | CONTROL | INTEGER | SEGMENTS, Eip at 0xB8,
 * EFlags 0xC0, Esp 0xC4). Each program's exit code is its handler's call count, so a second delivery shows.
 */
import { strict as assert } from "node:assert";
import { Process, type ProcessStop } from "../src/windows/process";
import type { Arch } from "../src/windows/dlls";
import { le32, le64, shellcodeProcess, type ExportOf } from "./shellcode-harness";

const u64 = le64;
const u32 = le32;
type Exp = ExportOf;

/** A shellcode process of `arch` (RWX, 0x1000 bytes) with the code `code(base, exportOf)` lays out. */
function shellcode(arch: Arch, code: (base: number, exp: Exp) => Uint8Array): Process {
  return shellcodeProcess(arch, 0x1000, code);
}

const HANDLER = 0x80;
const COUNTER = 0x100;
const RECORD = 0x200;
const CONTEXT = 0x300;

/**
 * x64: AddVectoredExceptionHandler(1, handler); RaiseException(0xE0000001, 0, 0, NULL); return the
 * handler's call count. The handler counts and returns EXCEPTION_CONTINUE_EXECUTION.
 */
function raise64(base: number, exp: Exp): Uint8Array {
  const b = new Uint8Array(0x1000);
  b.set([
    ...[0x48, 0x83, 0xec, 0x28], // sub rsp, 0x28
    ...[0xb9, 0x01, 0x00, 0x00, 0x00], // mov ecx, 1
    ...[0x48, 0xba, ...u64(base + HANDLER)], // mov rdx, handler
    ...[0x49, 0xbb, ...u64(exp("ntdll", "RtlAddVectoredExceptionHandler"))], // mov r11, imm64
    ...[0x41, 0xff, 0xd3], // call r11
    ...[0xb9, 0x01, 0x00, 0x00, 0xe0], // mov ecx, 0xE0000001
    ...[0x31, 0xd2], // xor edx, edx
    ...[0x45, 0x31, 0xc0], // xor r8d, r8d
    ...[0x45, 0x31, 0xc9], // xor r9d, r9d
    ...[0x49, 0xbb, ...u64(exp("kernelbase", "RaiseException"))], // mov r11, imm64
    ...[0x41, 0xff, 0xd3], // call r11
    ...[0x48, 0xb8, ...u64(base + COUNTER)], // mov rax, counter
    ...[0x8b, 0x00], // mov eax, [rax]
    ...[0x48, 0x83, 0xc4, 0x28], // add rsp, 0x28
    0xc3, // ret (ExitProcess(eax))
  ]);
  b.set(
    [
      ...[0x48, 0xb8, ...u64(base + COUNTER)], // mov rax, counter
      ...[0xff, 0x00], // inc dword [rax]
      ...[0xb8, 0xff, 0xff, 0xff, 0xff], // mov eax, EXCEPTION_CONTINUE_EXECUTION
      0xc3, // ret
    ],
    HANDLER,
  );
  return b;
}

/** The x86 vectored handler (stdcall, one argument): count, return EXCEPTION_CONTINUE_EXECUTION. */
function handler32(base: number): number[] {
  return [
    ...[0xff, 0x05, ...u32(base + COUNTER)], // inc dword [counter]
    ...[0xb8, 0xff, 0xff, 0xff, 0xff], // mov eax, -1
    ...[0xc2, 0x04, 0x00], // ret 4
  ];
}

const addHandler32 = (base: number, exp: Exp): number[] => [
  ...[0x68, ...u32(base + HANDLER)], // push handler
  ...[0x6a, 0x01], // push 1
  ...[0xb8, ...u32(exp("ntdll", "RtlAddVectoredExceptionHandler"))], // mov eax, imm32
  ...[0xff, 0xd0], // call eax (stdcall: pops both)
];

/** x86 (WOW64): the same as raise64 through 32-bit kernelbase!RaiseException(0xE0000002, 0, 0, NULL). */
function raise32(base: number, exp: Exp): Uint8Array {
  const b = new Uint8Array(0x1000);
  b.set([
    ...addHandler32(base, exp),
    ...[0x6a, 0x00], // push 0 (lpArguments)
    ...[0x6a, 0x00], // push 0 (nNumberOfArguments)
    ...[0x6a, 0x00], // push 0 (dwExceptionFlags)
    ...[0x68, ...u32(0xe0000002)], // push dwExceptionCode
    ...[0xb8, ...u32(exp("kernelbase", "RaiseException"))], // mov eax, imm32
    ...[0xff, 0xd0], // call eax
    ...[0xa1, ...u32(base + COUNTER)], // mov eax, [counter]
    0xc3, // ret
  ]);
  b.set(handler32(base), HANDLER);
  return b;
}

const RESUME32 = 0x30;

/**
 * x86 (WOW64): x86 ntdll!NtRaiseException(&record, &context, TRUE) directly (the WOW64 thunk's path), the
 * context resuming at `resume` with the stack pointer of the call site; the record's code is 0xE0000003.
 */
function ntRaise32(base: number, exp: Exp): Uint8Array {
  const b = new Uint8Array(0x1000);
  const code = [
    ...addHandler32(base, exp),
    ...[0x89, 0x25, ...u32(base + CONTEXT + 0xc4)], // mov [context.Esp], esp
    ...[0x6a, 0x01], // push TRUE (FirstChance)
    ...[0x68, ...u32(base + CONTEXT)], // push &context
    ...[0x68, ...u32(base + RECORD)], // push &record
    ...[0xb8, ...u32(exp("ntdll", "NtRaiseException"))], // mov eax, imm32
    ...[0xff, 0xd0], // call eax (does not return)
    0xcc, // int3
  ];
  assert.ok(code.length <= RESUME32);
  b.set(code);
  b.set([...[0xa1, ...u32(base + COUNTER)], 0xc3], RESUME32); // resume: mov eax, [counter]; ret
  b.set(handler32(base), HANDLER);
  const dv = new DataView(b.buffer);
  dv.setUint32(RECORD + 0x00, 0xe0000003, true); // ExceptionCode
  dv.setUint32(RECORD + 0x0c, base + RESUME32, true); // ExceptionAddress
  dv.setUint32(CONTEXT + 0x00, 0x10007, true); // ContextFlags
  dv.setUint32(CONTEXT + 0xb8, base + RESUME32, true); // Eip
  dv.setUint32(CONTEXT + 0xbc, 0x23, true); // SegCs
  dv.setUint32(CONTEXT + 0xc0, 0x202, true); // EFlags
  dv.setUint32(CONTEXT + 0xc8, 0x2b, true); // SegSs
  return b;
}

const counter = (p: Process): number => {
  const b = new Uint8Array(4);
  p.mem.read(p.shellcodeBase + COUNTER, b, { force: true });
  return new DataView(b.buffer).getUint32(0, true);
};

/** Run to the end (a few slices), stopping at first chance only for `code`; the stops seen. */
function runAll(p: Process, wanted: number, asked: number[]): ProcessStop[] {
  p.firstChance = (c) => {
    asked.push(c);
    return c === wanted;
  };
  const stops: ProcessStop[] = [];
  for (let i = 0; i < 100 && p.finished === undefined; i++) {
    const s = p.run(1_000_000);
    if (s.kind !== "budget") stops.push(s);
  }
  return stops;
}

describe("exceptions: a debugger's first chance at software exceptions (Process)", function () {
  this.timeout(60000);

  for (const [name, arch, make, code] of [
    ["x64 RaiseException", "x64", raise64, 0xe0000001],
    ["x86 RaiseException (WOW64)", "x86", raise32, 0xe0000002],
    ["x86 NtRaiseException through the WOW64 thunk", "x86", ntRaise32, 0xe0000003],
  ] as const) {
    it(`${name}: stops before the handler, then delivers exactly once`, () => {
      const p = shellcode(arch, make);
      const asked: number[] = [];
      const stops = runAll(p, code, asked);
      const first = stops[0];
      assert.equal(first.kind, "first-chance", JSON.stringify(stops));
      assert.ok(first.kind === "first-chance");
      assert.equal(first.code >>> 0, code);
      assert.equal(first.fault, undefined);
      assert.deepEqual(first.params, []);
      assert.match(
        first.message,
        new RegExp(`Software exception \\(exception 0x${code.toString(16).toUpperCase()}\\)`),
      );
      // The stop was before dispatch: asked once, and the handler had not run at the stop (the program's
      // exit code counts its calls: exactly one delivery).
      assert.deepEqual(asked, [code]);
      assert.equal(stops.length, 2, JSON.stringify(stops));
      assert.deepEqual(stops[1], p.finished);
      assert.equal(stops[1].kind, "exit", JSON.stringify(stops[1]));
      assert.ok(stops[1].kind === "exit");
      assert.equal(stops[1].status, 1);
      assert.equal(counter(p), 1);
    });
  }

  it("at the stop the thread shows the exception's context; a step enters KiUserExceptionDispatcher", () => {
    const p = shellcode("x86", ntRaise32);
    p.firstChance = (c) => c === 0xe0000003;
    let s: ProcessStop = { kind: "budget" };
    for (let i = 0; i < 100 && s.kind === "budget"; i++) s = p.run(1_000_000);
    assert.equal(s.kind, "first-chance", JSON.stringify(s));
    assert.ok(s.kind === "first-chance");
    // NtRaiseException's ContextRecord: EIP = resume, 32-bit mode; ExceptionAddress from the record.
    assert.equal(s.address, p.shellcodeBase + RESUME32);
    assert.equal(p.cpu.mode64, false);
    assert.equal(p.cpu.rip, p.shellcodeBase + RESUME32);
    assert.equal(counter(p), 0);
    const st = p.step();
    assert.equal(st.kind, "step", JSON.stringify(st));
    const ki = p.dlls.get("ntdll", "x86")?.exports.get("KiUserExceptionDispatcher");
    assert.ok(ki !== undefined && "address" in ki);
    // The step delivered the exception: the frame written, EIP at the dispatcher (as a fault's first chance).
    assert.equal(p.cpu.rip, ki.address);
    assert.equal(p.cpu.mode64, false);
    p.firstChance = () => false;
    let e: ProcessStop = { kind: "budget" };
    for (let i = 0; i < 100 && e.kind === "budget"; i++) e = p.run(1_000_000);
    assert.equal(e.kind, "exit", JSON.stringify(e));
    assert.ok(e.kind === "exit");
    assert.equal(e.status, 1);
  });

  for (const [name, arch, make, code, at] of [
    ["x64 RaiseException", "x64", raise64, 0xe0000001, 58],
    ["x86 NtRaiseException (WOW64)", "x86", ntRaise32, 0xe0000003, RESUME32],
  ] as const) {
    it(`${name} unhandled: the second chance stands at the exception's context`, () => {
      const p = shellcode(arch, (base, exp) => {
        const b = make(base, exp);
        // The handler returns EXCEPTION_CONTINUE_SEARCH (0) instead of -1: nobody handles the exception.
        let m = HANDLER;
        while (!(b[m] === 0xb8 && b[m + 1] === 0xff && b[m + 4] === 0xff)) m++; // mov eax, -1
        b.set([0, 0, 0, 0], m + 1);
        return b;
      });
      const stops = runAll(p, -1, []);
      const end = stops[stops.length - 1];
      // MSDN UnhandledExceptionFilter: the process ends with the exception code; KiRaiseException makes
      // NtRaiseException's ContextRecord the thread's registers before the debugger's second chance.
      assert.equal(end.kind, "exception", JSON.stringify(stops));
      assert.ok(end.kind === "exception");
      assert.equal(end.code >>> 0, code);
      assert.equal(counter(p), 1);
      assert.equal(p.cpu.mode64, arch === "x64");
      assert.equal(p.cpu.rip, p.shellcodeBase + at);
    });
  }

  it("without a first-chance request the exception is dispatched at once (no stop)", () => {
    const p = shellcode("x64", raise64);
    const asked: number[] = [];
    const stops = runAll(p, -1, asked);
    assert.deepEqual(asked, [0xe0000001]);
    assert.equal(stops.length, 1);
    assert.ok(stops[0].kind === "exit");
    assert.equal(stops[0].status, 1);
  });
});

/**
 * x64: a vectored handler that itself writes to address 0, for a program that wrote there first. Each fault
 * is dispatched inside the previous one's handler; on Windows the nested dispatcher frames exhaust the
 * stack and the process dies (STATUS_STACK_OVERFLOW). Here it must end the process with a clear stop —
 * never exhaust the host's own stack.
 */
function faultingHandler64(base: number, exp: Exp): Uint8Array {
  const b = new Uint8Array(0x1000);
  b.set([
    ...[0x48, 0x83, 0xec, 0x28], // sub rsp, 0x28
    ...[0xb9, 0x01, 0x00, 0x00, 0x00], // mov ecx, 1
    ...[0x48, 0xba, ...u64(base + HANDLER)], // mov rdx, handler
    ...[0x49, 0xbb, ...u64(exp("ntdll", "RtlAddVectoredExceptionHandler"))], // mov r11, imm64
    ...[0x41, 0xff, 0xd3], // call r11
    ...[0x31, 0xc0], // xor eax, eax
    ...[0xc7, 0x00, 0x01, 0x00, 0x00, 0x00], // mov dword [rax], 1 (access violation)
    ...[0x48, 0x83, 0xc4, 0x28], // add rsp, 0x28
    0xc3, // ret
  ]);
  b.set(
    [
      ...[0x31, 0xc0], // xor eax, eax
      ...[0xc7, 0x00, 0x02, 0x00, 0x00, 0x00], // mov dword [rax], 2: the handler faults too
      0xc3, // ret
    ],
    HANDLER,
  );
  return b;
}

describe("exceptions: a handler that faults again and again", function () {
  this.timeout(120_000);
  it("x64: the process ends with STATUS_STACK_OVERFLOW and a clear message, the host's stack intact", () => {
    const p = shellcode("x64", faultingHandler64);
    let stop: ProcessStop | undefined;
    assert.doesNotThrow(() => {
      stop = p.run(50_000_000);
    });
    assert.ok(stop !== undefined && stop.kind === "exception", JSON.stringify(stop));
    if (stop.kind === "exception") {
      assert.equal(stop.code >>> 0, 0xc00000fd);
      assert.match(stop.message, /nested 64 deep .* faults again and again/);
    }
  });
});

/** x86 (WOW64): the same as faultingHandler64, each fault going through the WOW64 exception path. */
function faultingHandler32(base: number, exp: Exp): Uint8Array {
  const b = new Uint8Array(0x1000);
  b.set([
    ...addHandler32(base, exp),
    ...[0x31, 0xc0], // xor eax, eax
    ...[0xc7, 0x00, 0x01, 0x00, 0x00, 0x00], // mov dword [eax], 1 (access violation)
    0xc3, // ret
  ]);
  b.set(
    [
      ...[0x31, 0xc0], // xor eax, eax
      ...[0xc7, 0x00, 0x02, 0x00, 0x00, 0x00], // mov dword [eax], 2: the handler faults too
      ...[0xc2, 0x04, 0x00], // ret 4
    ],
    HANDLER,
  );
  return b;
}

describe("exceptions: a 32-bit handler that faults again and again", function () {
  this.timeout(120_000);
  it("x86 through WOW64: the process ends with STATUS_STACK_OVERFLOW, the host's stack intact", () => {
    const p = shellcode("x86", faultingHandler32);
    let stop: ProcessStop | undefined;
    assert.doesNotThrow(() => {
      stop = p.run(50_000_000);
    });
    assert.ok(stop !== undefined && stop.kind === "exception", JSON.stringify(stop));
    if (stop.kind === "exception") {
      assert.equal(stop.code >>> 0, 0xc00000fd);
      assert.match(stop.message, /nested 64 deep .* faults again and again/);
    }
  });
});
