/**
 * x86 (WOW64) exception dispatch dispositions from the FS:[0] walk, at the Process level: an SEH handler
 * that itself faults (a nested exception) and a handler returning ExceptionCollidedUnwind while dispatching.
 *
 * Expected behaviour (Windows' i386 RtlDispatchException and RtlpExecuteHandlerForException, as described
 * by the Windows Research Kernel's i386 exdsptch.c / xcptmisc.asm and re-implemented by ReactOS
 * sdk/lib/rtl/i386/except.c and except_asm.s; Matt Pietrek, "A Crash Course on the Depths of Win32
 * Structured Exception Handling", MSJ January 1997): every handler is called with a registration record
 * of the dispatcher's own linked at FS:[0], whose handler answers an exception raised inside the handler
 * with ExceptionNestedException and the frame whose handler was running. The new dispatch then calls the
 * handlers from the chain's top down to and including that frame with EXCEPTION_NESTED_CALL (0x10) set in
 * ExceptionFlags, and the frames past it without. An ExceptionContinueExecution from the nested dispatch
 * resumes the faulting handler, whose own result then ends the first dispatch. Any disposition other than
 * ContinueExecution, ContinueSearch and NestedException — ExceptionCollidedUnwind (3) included — raises
 * STATUS_INVALID_DISPOSITION (0xC0000026, ntstatus.h), noncontinuable.
 * Values: winnt.h (EXCEPTION_RECORD: ExceptionCode +0, ExceptionFlags +4; x86 CONTEXT.Eip at +0xB8),
 * ntstatus.h (STATUS_ACCESS_VIOLATION 0xC0000005), the x86 EXCEPTION_REGISTRATION_RECORD { Next, Handler }.
 */
import { strict as assert } from "node:assert";
import type { Process, ProcessStop } from "../src/windows/process";
import { le32 as u32, shellcodeProcess, type ExportOf as Exp } from "./shellcode-harness";

/** An x86 shellcode process (RWX, 0x1000 bytes) with the code `code(base, exportOf)` lays out. */
function shellcode32(code: (base: number, exp: Exp) => Uint8Array): Process {
  return shellcodeProcess("x86", 0x1000, code);
}

const H0 = 0x100;
const H1 = 0x160;
const H2 = 0x1e0;
const LOGN = 0x300; // the number of handler calls
const LOG = 0x304; // { handler, ExceptionCode, ExceptionFlags } per call
const SAVED_FS = 0x3f0; // FS:[0] after RaiseException returned
const SAVED_ESP = 0x3f4; // ESP there (the top record R0)
const CODE = 0xe0000010;

/** Appends { id, [rec].ExceptionCode, [rec].ExceptionFlags } to the log (cdecl handler: rec at [esp+4]). */
const log = (base: number, id: number): number[] => [
  ...[0x8b, 0x0d, ...u32(base + LOGN)], // mov ecx, [LOGN]
  ...[0x8d, 0x0c, 0x49], // lea ecx, [ecx+ecx*2]
  ...[0x8b, 0x54, 0x24, 0x04], // mov edx, [esp+4]
  ...[0xc7, 0x04, 0x8d, ...u32(base + LOG), ...u32(id)], // mov dword [ecx*4+LOG], id
  ...[0x8b, 0x02], // mov eax, [edx]
  ...[0x89, 0x04, 0x8d, ...u32(base + LOG + 4)], // mov [ecx*4+LOG+4], eax
  ...[0x8b, 0x42, 0x04], // mov eax, [edx+4]
  ...[0x89, 0x04, 0x8d, ...u32(base + LOG + 8)], // mov [ecx*4+LOG+8], eax
  ...[0xff, 0x05, ...u32(base + LOGN)], // inc dword [LOGN]
];

const link = (handler: number): number[] => [
  ...[0x68, ...u32(handler)], // push handler
  ...[0x64, 0xff, 0x35, 0, 0, 0, 0], // push dword fs:[0]
  ...[0x64, 0x89, 0x25, 0, 0, 0, 0], // mov fs:[0], esp
];

/**
 * main: links R2 (H2), R1 (H1), R0 (H0, the top); RaiseException(CODE, 0, 0, NULL); saves FS:[0] and ESP,
 * unlinks the three records and returns the number of handler calls (ExitProcess(eax)).
 */
function mainCode(base: number, exp: Exp): number[] {
  return [
    ...link(base + H2),
    ...link(base + H1),
    ...link(base + H0),
    ...[0x6a, 0x00, 0x6a, 0x00, 0x6a, 0x00], // push 0 ×3
    ...[0x68, ...u32(CODE)], // push dwExceptionCode
    ...[0xb8, ...u32(exp("kernelbase", "RaiseException"))], // mov eax, RaiseException
    ...[0xff, 0xd0], // call eax
    ...[0x64, 0xa1, 0, 0, 0, 0], // mov eax, fs:[0]
    ...[0xa3, ...u32(base + SAVED_FS)], // mov [SAVED_FS], eax
    ...[0x89, 0x25, ...u32(base + SAVED_ESP)], // mov [SAVED_ESP], esp
    ...[0x8b, 0x44, 0x24, 0x10], // mov eax, [esp+16] (R2.Next)
    ...[0x64, 0xa3, 0, 0, 0, 0], // mov fs:[0], eax
    ...[0x83, 0xc4, 0x18], // add esp, 24
    ...[0xa1, ...u32(base + LOGN)], // mov eax, [LOGN]
    0xc3, // ret
  ];
}

const CONTINUE_SEARCH = [0xb8, 0x01, 0x00, 0x00, 0x00, 0xc3]; // mov eax, 1; ret

/** H1's code up to the faulting store, and the offset of its resume point (ExceptionContinueExecution). */
function h1(base: number): { code: number[]; resume: number } {
  const head = [
    ...log(base, 1),
    ...[0x8b, 0x54, 0x24, 0x04], // mov edx, [esp+4]
    ...[0x81, 0x3a, ...u32(CODE)], // cmp dword [edx], CODE
    ...[0x75, 0x0b], // jne search (over the next 11 bytes)
    ...[0x31, 0xc0], // xor eax, eax
    ...[0xc7, 0x00, 0x01, 0x00, 0x00, 0x00], // mov dword [eax], 1: the handler faults
  ];
  const resume = head.length;
  return {
    code: [
      ...head,
      ...[0x31, 0xc0], // resume: xor eax, eax (ExceptionContinueExecution)
      0xc3, // ret
      ...CONTINUE_SEARCH, // search:
    ],
    resume,
  };
}

/**
 * H0 logs and returns ExceptionContinueSearch. H1 logs; for CODE it writes to address 0 (the nested fault),
 * resuming there it returns ExceptionContinueExecution; otherwise ExceptionContinueSearch. H2 logs; for
 * STATUS_ACCESS_VIOLATION it sets CONTEXT.Eip to H1's resume point and returns ExceptionContinueExecution.
 */
function nested(base: number, exp: Exp): Uint8Array {
  const b = new Uint8Array(0x1000);
  b.set(mainCode(base, exp));
  b.set([...log(base, 0), ...CONTINUE_SEARCH], H0);
  const one = h1(base);
  b.set(one.code, H1);
  b.set(
    [
      ...log(base, 2),
      ...[0x8b, 0x54, 0x24, 0x04], // mov edx, [esp+4]
      ...[0x81, 0x3a, ...u32(0xc0000005)], // cmp dword [edx], STATUS_ACCESS_VIOLATION
      ...[0x75, 0x11], // jne search (over the next 17 bytes)
      ...[0x8b, 0x4c, 0x24, 0x0c], // mov ecx, [esp+12] (ContextRecord)
      ...[0xc7, 0x81, 0xb8, 0x00, 0x00, 0x00, ...u32(base + H1 + one.resume)], // mov [ecx+0xB8], resume
      ...[0x31, 0xc0], // xor eax, eax (ExceptionContinueExecution)
      0xc3, // ret
      ...CONTINUE_SEARCH, // search:
    ],
    H2,
  );
  return b;
}

/** The same chain, H1 returning ExceptionCollidedUnwind (3) for CODE, ExceptionContinueSearch otherwise. */
function collided(base: number, exp: Exp): Uint8Array {
  const b = new Uint8Array(0x1000);
  b.set(mainCode(base, exp));
  b.set([...log(base, 0), ...CONTINUE_SEARCH], H0);
  b.set(
    [
      ...log(base, 1),
      ...[0x8b, 0x54, 0x24, 0x04], // mov edx, [esp+4]
      ...[0x81, 0x3a, ...u32(CODE)], // cmp dword [edx], CODE
      ...[0x75, 0x06], // jne search
      ...[0xb8, 0x03, 0x00, 0x00, 0x00], // mov eax, ExceptionCollidedUnwind
      0xc3, // ret
      ...CONTINUE_SEARCH, // search:
    ],
    H1,
  );
  b.set([...log(base, 2), ...CONTINUE_SEARCH], H2);
  return b;
}

function read32(p: Process, off: number): number {
  const b = new Uint8Array(4);
  p.mem.read(p.shellcodeBase + off, b, { force: true });
  return new DataView(b.buffer).getUint32(0, true);
}

function calls(p: Process): [number, number, number][] {
  const out: [number, number, number][] = [];
  const n = read32(p, LOGN);
  for (let i = 0; i < n && i < 32; i++)
    out.push([read32(p, LOG + 12 * i), read32(p, LOG + 12 * i + 4), read32(p, LOG + 12 * i + 8)]);
  return out;
}

function runToEnd(p: Process): ProcessStop {
  let s: ProcessStop = { kind: "budget" };
  for (let i = 0; i < 100 && s.kind === "budget"; i++) s = p.run(1_000_000);
  return s;
}

describe("exceptions: x86 nested exceptions and dispositions in the FS:[0] walk (Process)", function () {
  this.timeout(60000);

  it("a handler that faults: the nested dispatch flags EXCEPTION_NESTED_CALL up to its frame", () => {
    const p = shellcode32(nested);
    const s = runToEnd(p);
    assert.equal(s.kind, "exit", JSON.stringify(s));
    assert.ok(s.kind === "exit");
    const AV = 0xc0000005;
    const NESTED = 0x10;
    assert.deepEqual(calls(p), [
      [0, CODE, 0], // the first dispatch: H0 declines
      [1, CODE, 0], // H1 faults: the nested dispatch of the access violation
      [0, AV, NESTED], // the protector answered ExceptionNestedException (frame R1): nested up to R1
      [1, AV, NESTED], // R1's own handler, re-entered, still nested
      [2, AV, 0], // past R1: not nested; H2 resumes H1 after its faulting store
    ]);
    // H1 then returned ExceptionContinueExecution: RaiseException returned, the chain as main linked it.
    assert.equal(s.status, 5);
    assert.equal(read32(p, SAVED_FS), read32(p, SAVED_ESP));
  });

  it("ExceptionCollidedUnwind while dispatching raises STATUS_INVALID_DISPOSITION (noncontinuable)", () => {
    const p = shellcode32(collided);
    const s = runToEnd(p);
    assert.equal(s.kind, "exception", JSON.stringify(s));
    assert.ok(s.kind === "exception");
    assert.equal(s.code >>> 0, 0xc0000026);
    const EXCEPTION_NONCONTINUABLE = 1;
    assert.deepEqual(calls(p), [
      [0, CODE, 0],
      [1, CODE, 0], // returns ExceptionCollidedUnwind: the dispatcher raises STATUS_INVALID_DISPOSITION
      [0, 0xc0000026, EXCEPTION_NONCONTINUABLE],
      [1, 0xc0000026, EXCEPTION_NONCONTINUABLE],
      [2, 0xc0000026, EXCEPTION_NONCONTINUABLE], // nobody handles it: the process ends with it
    ]);
  });
});
