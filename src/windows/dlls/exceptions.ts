/**
 * Declarations and machine code of exception dispatch in the synthetic DLLs:
 * ntdll!KiUserExceptionDispatcher (real code, x64 and x86, as on Windows 10) calling the TypeScript
 * RtlDispatchException and then ZwContinue (handled) or ZwRaiseException(FirstChance = FALSE)
 * (unhandled); the vectored-handler list (RtlAdd/RemoveVectoredExceptionHandler, kernel32 forwards to
 * them as on Windows), RtlRaiseException, and kernelbase's RaiseException, SetUnhandledExceptionFilter,
 * UnhandledExceptionFilter. The TypeScript halves are in ../api/exceptions.ts.
 */
import { mem, type Asm } from "./asm";
import type { ApiDecl, ApiImpl, Arch, DllName, Prolog } from "./decl";

const TRAP: ApiImpl = { kind: "trap" };

function d(
  dll: DllName,
  name: string,
  argc: number,
  impl: ApiImpl,
  doc: string,
  o: { arch?: Arch | "both"; exported?: boolean } = {},
): ApiDecl {
  return { dll, name, argc, impl, arch: o.arch ?? "both", conv: "stdcall", exported: o.exported, doc };
}

/**
 * x64: entered with RSP → CONTEXT, EXCEPTION_RECORD at RSP+0x4F0 (the CONTEXT's P1Home..P4Home are the
 * callees' home area). x86: [ESP] = PEXCEPTION_RECORD, [ESP+4] = PCONTEXT.
 */
export function emitKiUserExceptionDispatcher(a: Asm, arch: Arch): Prolog | void {
  if (arch === "x64") {
    a.raw([0xfc], "cld");
    a.lea("rcx", mem("rsp", 0x4f0));
    a.mov("rdx", "rsp");
    a.call("RtlDispatchException");
    a.raw([0x84, 0xc0], "test al, al");
    const jz = a.pos;
    a.raw([0x74, 0x0a], "je short KiUserExceptionDispatcher$raise"); // over the NtContinue call
    a.mov("rcx", "rsp");
    a.raw([0x31, 0xd2], "xor edx, edx");
    a.call("NtContinue");
    if (a.pos - jz !== 12) throw new Error("KiUserExceptionDispatcher: jump distance");
    a.label("KiUserExceptionDispatcher$raise");
    a.lea("rcx", mem("rsp", 0x4f0));
    a.mov("rdx", "rsp");
    a.raw([0x45, 0x31, 0xc0], "xor r8d, r8d");
    a.call("NtRaiseException");
    a.int3();
    // As Windows' own: the frame is the CONTEXT, the EXCEPTION_RECORD and the MACHINE_FRAME at +0x590
    // (ALLOC 0x590, then PUSH_MACHFRAME), so unwinding from here reaches the interrupted code.
    return {
      size: 0,
      unwind: [
        { at: 0, op: "alloc", size: 0x590 },
        { at: 0, op: "machframe" },
      ],
    };
  }
  a.raw([0xfc], "cld");
  a.mov("ecx", mem("esp", 4));
  a.mov("ebx", mem("esp"));
  a.push("ecx");
  a.push("ebx");
  a.call("RtlDispatchException");
  a.raw([0x84, 0xc0], "test al, al");
  const jz = a.pos;
  a.raw([0x74, 0x0a], "je short KiUserExceptionDispatcher$raise"); // over the NtContinue call
  a.pop("ebx");
  a.pop("ecx");
  a.raw([0x6a, 0x00], "push 0");
  a.push("ecx");
  a.call("NtContinue");
  if (a.pos - jz !== 12) throw new Error("KiUserExceptionDispatcher: jump distance");
  a.label("KiUserExceptionDispatcher$raise");
  a.pop("ecx");
  a.pop("edx");
  a.raw([0x6a, 0x00], "push 0");
  a.push("edx");
  a.push("ecx");
  a.call("NtRaiseException");
  a.int3();
}

/**
 * x86 ntdll!RtlpExceptionProtector (internal): the handler of the registration record RtlDispatchException
 * links at FS:[0] around each handler it calls — { Next, RtlpExceptionProtector, the registration frame whose
 * handler runs } (as Windows' RtlpExecuteHandlerForException). While dispatching (not unwinding) it stores
 * that frame in *DispatcherContext and returns ExceptionNestedException (2); while unwinding it returns
 * ExceptionContinueSearch (1). EXCEPTION_DISPOSITION (PEXCEPTION_RECORD, PVOID EstablisherFrame, PCONTEXT,
 * PVOID DispatcherContext), stdcall.
 */
export function emitExceptionProtector(a: Asm): void {
  a.movImm("eax", 1); // ExceptionContinueSearch
  a.mov("ecx", mem("esp", 4)); // ExceptionRecord
  a.raw([0xf7, 0x41, 0x04, 0x06, 0x00, 0x00, 0x00], "test dword ptr [ecx+4], 6"); // UNWINDING | EXIT_UNWIND
  const jnz = a.pos;
  a.raw([0x75, 0x12], "jne short RtlpExceptionProtector$ret");
  a.mov("ecx", mem("esp", 8)); // EstablisherFrame: our record
  a.mov("edx", mem("esp", 16)); // DispatcherContext
  a.mov("eax", mem("ecx", 8)); // the frame whose handler was running
  a.mov(mem("edx"), "eax");
  a.movImm("eax", 2); // ExceptionNestedException
  if (a.pos - jnz !== 0x14) throw new Error("RtlpExceptionProtector: jump distance");
  a.label("RtlpExceptionProtector$ret");
  a.ret(16);
}

export const EXCEPTIONS_NTDLL: readonly ApiDecl[] = [
  d(
    "ntdll",
    "KiUserExceptionDispatcher",
    0,
    { kind: "code", emit: (a, c) => emitKiUserExceptionDispatcher(a, c.arch) },
    "VOID KiUserExceptionDispatcher(PEXCEPTION_RECORD, PCONTEXT) (entered from the kernel, frame on the stack)",
  ),
  d(
    "ntdll",
    "RtlDispatchException",
    2,
    TRAP,
    "BOOLEAN RtlDispatchException(PEXCEPTION_RECORD ExceptionRecord, PCONTEXT ContextRecord)",
    { exported: false },
  ),
  d(
    "ntdll",
    "RtlAddVectoredExceptionHandler",
    2,
    TRAP,
    "PVOID RtlAddVectoredExceptionHandler(ULONG First, PVECTORED_EXCEPTION_HANDLER Handler)",
  ),
  d(
    "ntdll",
    "RtlRemoveVectoredExceptionHandler",
    1,
    TRAP,
    "ULONG RtlRemoveVectoredExceptionHandler(PVOID Handle)",
  ),
  d("ntdll", "RtlRaiseException", 1, TRAP, "VOID RtlRaiseException(PEXCEPTION_RECORD ExceptionRecord)"),
  d(
    "ntdll",
    "RtlUnwind",
    4,
    TRAP,
    "VOID RtlUnwind(PVOID TargetFrame, PVOID TargetIp, PEXCEPTION_RECORD ExceptionRecord, PVOID ReturnValue)",
  ),
  d(
    "ntdll",
    "RtlUnwindEx",
    6,
    TRAP,
    "VOID RtlUnwindEx(PVOID TargetFrame, PVOID TargetIp, PEXCEPTION_RECORD ExceptionRecord, PVOID ReturnValue, PCONTEXT ContextRecord, PUNWIND_HISTORY_TABLE HistoryTable)",
    { arch: "x64" },
  ),
  d(
    "ntdll",
    "__C_specific_handler",
    4,
    TRAP,
    "EXCEPTION_DISPOSITION __C_specific_handler(PEXCEPTION_RECORD, PVOID EstablisherFrame, PCONTEXT, PDISPATCHER_CONTEXT)",
    { arch: "x64" },
  ), // The unwinder's exports (../api/exceptions-unwind.ts). RtlCaptureContext is real code that stores RAX
  // before the trap (whose `mov eax, id` would lose it) and jumps to the internal trap RtlpCaptureContext.
  d(
    "ntdll",
    "RtlCaptureContext",
    1,
    { kind: "code", emit: (a) => emitRtlCaptureContext(a) },
    "VOID RtlCaptureContext(PCONTEXT ContextRecord)",
    { arch: "x64" },
  ),
  d("ntdll", "RtlpCaptureContext", 1, TRAP, "RtlCaptureContext's TypeScript half (RAX already stored)", {
    arch: "x64",
    exported: false,
  }),
  d(
    "ntdll",
    "RtlLookupFunctionEntry",
    3,
    TRAP,
    "PRUNTIME_FUNCTION RtlLookupFunctionEntry(DWORD64 ControlPc, PDWORD64 ImageBase, PUNWIND_HISTORY_TABLE HistoryTable)",
    { arch: "x64" },
  ),
  d(
    "ntdll",
    "RtlVirtualUnwind",
    8,
    TRAP,
    "PEXCEPTION_ROUTINE RtlVirtualUnwind(DWORD HandlerType, DWORD64 ImageBase, DWORD64 ControlPc, PRUNTIME_FUNCTION FunctionEntry, PCONTEXT ContextRecord, PVOID *HandlerData, PDWORD64 EstablisherFrame, PKNONVOLATILE_CONTEXT_POINTERS ContextPointers)",
    { arch: "x64" },
  ),
  d("ntdll", "RtlPcToFileHeader", 2, TRAP, "PVOID RtlPcToFileHeader(PVOID PcValue, PVOID *BaseOfImage)"),
  d(
    "ntdll",
    "RtlpExceptionProtector",
    4,
    { kind: "code", emit: (a) => emitExceptionProtector(a) },
    "EXCEPTION_DISPOSITION RtlpExceptionProtector(PEXCEPTION_RECORD, PVOID EstablisherFrame, PCONTEXT, PVOID DispatcherContext)",
    { arch: "x86", exported: false },
  ),
];

/** x64 ntdll!RtlCaptureContext: `mov [rcx+78h], rax` (CONTEXT.Rax), then the trap; no stack use (a leaf). */
export function emitRtlCaptureContext(a: Asm): void {
  a.mov(mem("rcx", 0x78), "rax");
  a.jmp("RtlpCaptureContext");
}

const fwd = (dll: DllName, name: string, argc: number, to: string, doc: string): ApiDecl =>
  d(dll, name, argc, { kind: "forward", to }, doc);

/**
 * kernelbase and kernel32 both forward the vectored-handler APIs to ntdll (Windows 10 export tables);
 * kernel32 also forwards RtlUnwind (and, x64, RtlUnwindEx and __C_specific_handler) to ntdll.
 */
export function exceptionForwards(dll: DllName): ApiDecl[] {
  const unwind: ApiDecl[] =
    dll !== "kernel32"
      ? []
      : [
          fwd(
            dll,
            "RtlUnwind",
            4,
            "NTDLL.RtlUnwind",
            "VOID RtlUnwind(PVOID TargetFrame, PVOID TargetIp, PEXCEPTION_RECORD ExceptionRecord, PVOID ReturnValue)",
          ),
          d(
            dll,
            "RtlUnwindEx",
            6,
            { kind: "forward", to: "NTDLL.RtlUnwindEx" },
            "VOID RtlUnwindEx(PVOID TargetFrame, PVOID TargetIp, PEXCEPTION_RECORD, PVOID ReturnValue, PCONTEXT, PUNWIND_HISTORY_TABLE)",
            { arch: "x64" },
          ),
          d(
            dll,
            "__C_specific_handler",
            4,
            { kind: "forward", to: "NTDLL.__C_specific_handler" },
            "EXCEPTION_DISPOSITION __C_specific_handler(PEXCEPTION_RECORD, PVOID EstablisherFrame, PCONTEXT, PDISPATCHER_CONTEXT)",
            { arch: "x64" },
          ),
          // Windows 10's x64 kernel32 forwards the unwinder's exports to ntdll too.
          d(
            dll,
            "RtlCaptureContext",
            1,
            { kind: "forward", to: "NTDLL.RtlCaptureContext" },
            "VOID RtlCaptureContext(PCONTEXT ContextRecord)",
            { arch: "x64" },
          ),
          d(
            dll,
            "RtlLookupFunctionEntry",
            3,
            { kind: "forward", to: "NTDLL.RtlLookupFunctionEntry" },
            "PRUNTIME_FUNCTION RtlLookupFunctionEntry(DWORD64 ControlPc, PDWORD64 ImageBase, PUNWIND_HISTORY_TABLE HistoryTable)",
            { arch: "x64" },
          ),
          d(
            dll,
            "RtlVirtualUnwind",
            8,
            { kind: "forward", to: "NTDLL.RtlVirtualUnwind" },
            "PEXCEPTION_ROUTINE RtlVirtualUnwind(DWORD HandlerType, DWORD64 ImageBase, DWORD64 ControlPc, PRUNTIME_FUNCTION FunctionEntry, PCONTEXT ContextRecord, PVOID *HandlerData, PDWORD64 EstablisherFrame, PKNONVOLATILE_CONTEXT_POINTERS ContextPointers)",
            { arch: "x64" },
          ),
          d(
            dll,
            "RtlPcToFileHeader",
            2,
            { kind: "forward", to: "NTDLL.RtlPcToFileHeader" },
            "PVOID RtlPcToFileHeader(PVOID PcValue, PVOID *BaseOfImage)",
            { arch: "x64" },
          ),
        ];
  return [
    ...unwind,
    fwd(
      dll,
      "AddVectoredExceptionHandler",
      2,
      "NTDLL.RtlAddVectoredExceptionHandler",
      "PVOID AddVectoredExceptionHandler(ULONG First, PVECTORED_EXCEPTION_HANDLER Handler)",
    ),
    fwd(
      dll,
      "RemoveVectoredExceptionHandler",
      1,
      "NTDLL.RtlRemoveVectoredExceptionHandler",
      "ULONG RemoveVectoredExceptionHandler(PVOID Handle)",
    ),
  ];
}

export const EXCEPTIONS_KERNELBASE: readonly ApiDecl[] = [
  d(
    "kernelbase",
    "RaiseException",
    4,
    TRAP,
    "void RaiseException(DWORD dwExceptionCode, DWORD dwExceptionFlags, DWORD nNumberOfArguments, const ULONG_PTR *lpArguments)",
  ),
  d(
    "kernelbase",
    "SetUnhandledExceptionFilter",
    1,
    TRAP,
    "LPTOP_LEVEL_EXCEPTION_FILTER SetUnhandledExceptionFilter(LPTOP_LEVEL_EXCEPTION_FILTER lpTopLevelExceptionFilter)",
  ),
  d(
    "kernelbase",
    "UnhandledExceptionFilter",
    1,
    TRAP,
    "LONG UnhandledExceptionFilter(struct _EXCEPTION_POINTERS *ExceptionInfo)",
  ),
];
