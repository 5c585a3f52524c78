/**
 * Threads and synchronisation: ntdll's RtlUserThreadStart (real code: every new thread's start routine is
 * called from it) and RtlExitUserThread, the critical sections beyond the C runtime's four, and
 * kernelbase's thread, wait, event, mutex, semaphore and sleep APIs — bridges around the real
 * ntdll!NtXxx call wherever Windows has one. Prototypes: Microsoft Learn (kernel32) and phnt (ntdll).
 * TypeScript halves: src/windows/api/threads.ts.
 */
import { mem, type Asm } from "./asm";
import type { ApiDecl, ApiImpl, DllName, EmitContext, Prolog } from "./decl";

const TRAP: ApiImpl = { kind: "trap" };
const bridge = (nt: string): ApiImpl => ({ kind: "bridge", nt });

function d(dll: DllName, name: string, argc: number, impl: ApiImpl, doc: string): ApiDecl {
  return { dll, name, argc, impl, arch: "both", conv: "stdcall", doc };
}

/**
 * ntdll!RtlUserThreadStart: x64 (RCX = start routine, RDX = parameter) `sub rsp, 28h; mov rax, rcx; mov rcx,
 * rdx; call rax; mov ecx, eax; call RtlExitUserThread`; x86 (EAX = start routine, EBX = parameter, as
 * Windows' x86 RtlUserThreadStart receives them) `push ebx; call eax; push eax; call RtlExitUserThread`.
 * (Windows goes through kernel32!BaseThreadInitThunk in between; the thread's return value reaches
 * RtlExitUserThread the same way.)
 */
function emitRtlUserThreadStart(a: Asm, ctx: EmitContext): Prolog | void {
  if (ctx.arch === "x64") {
    const start = a.pos;
    a.sub("rsp", 0x28);
    const size = a.pos - start;
    a.mov("rax", "rcx");
    a.mov("rcx", "rdx");
    a.callReg("rax");
    a.mov("ecx", "eax");
    a.call("RtlExitUserThread");
    a.int3();
    return { size, unwind: [{ at: size, op: "alloc", size: 0x28 }] };
  }
  a.push("ebx");
  a.callReg("eax");
  a.push("eax");
  a.call("RtlExitUserThread");
  a.int3();
}

/**
 * ntdll!KiUserApcDispatcher, entered from the kernel with the APC frame on the stack (src/windows/kernel/
 * apc.ts). x64 (as Windows 10's): RSP → CONTEXT whose P1Home..P4Home are ApcArgument1..3 and the routine;
 * `mov rcx, [rsp]; mov rdx, [rsp+8]; mov r8, [rsp+10h]; mov rax, [rsp+18h]; mov r9, rsp; call rax;
 * mov rcx, rsp; mov dl, 1; call NtContinue` — the routine's home area is P1Home..P4Home, NtContinue
 * (TestAlert = TRUE) delivers the next APC or resumes the context. x86: ESP → [routine, ApcArgument1..3],
 * CONTEXT at ESP+0x10: `lea edi, [esp+10h]; pop eax; call eax; push 1; push edi; call NtContinue`.
 */
function emitKiUserApcDispatcher(a: Asm, ctx: EmitContext): Prolog | void {
  if (ctx.arch === "x64") {
    a.mov("rcx", mem("rsp"));
    a.mov("rdx", mem("rsp", 8));
    a.mov("r8", mem("rsp", 0x10));
    a.mov("rax", mem("rsp", 0x18));
    a.mov("r9", "rsp");
    a.callReg("rax");
    a.mov("rcx", "rsp");
    a.raw([0xb2, 0x01], "mov dl, 1");
    a.call("NtContinue");
    a.int3();
    // The frame is the CONTEXT (0x4D0) and the MACHINE_FRAME after it: unwinding reaches the interrupted code.
    return {
      size: 0,
      unwind: [
        { at: 0, op: "alloc", size: 0x4d0 },
        { at: 0, op: "machframe" },
      ],
    };
  }
  a.lea("edi", mem("esp", 0x10));
  a.pop("eax");
  a.callReg("eax");
  a.raw([0x6a, 0x01], "push 1");
  a.push("edi");
  a.call("NtContinue");
  a.int3();
}

/**
 * ntdll!RtlDispatchAPC(PAPCFUNC ApcRoutine, ULONG_PTR Parameter, HANDLE ActivationContext): the APC routine
 * QueueUserAPC queues, which calls ApcRoutine(Parameter) (no activation contexts here). x64: `sub rsp, 28h;
 * mov rax, rcx; mov rcx, rdx; call rax; add rsp, 28h; ret`; x86 (stdcall): `mov eax, [esp+4]; mov ecx,
 * [esp+8]; push ecx; call eax; ret 0Ch`.
 */
function emitRtlDispatchAPC(a: Asm, ctx: EmitContext): Prolog | void {
  if (ctx.arch === "x64") {
    const start = a.pos;
    a.sub("rsp", 0x28);
    const size = a.pos - start;
    a.mov("rax", "rcx");
    a.mov("rcx", "rdx");
    a.callReg("rax");
    a.add("rsp", 0x28);
    a.ret();
    return { size, unwind: [{ at: size, op: "alloc", size: 0x28 }] };
  }
  a.mov("eax", mem("esp", 4));
  a.mov("ecx", mem("esp", 8));
  a.push("ecx");
  a.callReg("eax");
  a.ret(12);
}

export const THREADS_NTDLL: readonly ApiDecl[] = [
  d(
    "ntdll",
    "RtlDispatchAPC",
    3,
    { kind: "code", emit: emitRtlDispatchAPC },
    "VOID RtlDispatchAPC(PAPCFUNC ApcRoutine, ULONG_PTR Parameter, HANDLE ActivationContext)",
  ),
  d(
    "ntdll",
    "KiUserApcDispatcher",
    0,
    { kind: "code", emit: emitKiUserApcDispatcher },
    "VOID KiUserApcDispatcher(…) (entered from the kernel to run a user APC, frame on the stack)",
  ),
  d(
    "ntdll",
    "RtlUserThreadStart",
    2,
    { kind: "code", emit: emitRtlUserThreadStart },
    "VOID RtlUserThreadStart(PTHREAD_START_ROUTINE Function, PVOID Parameter)",
  ),
  d("ntdll", "RtlExitUserThread", 1, TRAP, "DECLSPEC_NORETURN VOID RtlExitUserThread(NTSTATUS ExitStatus)"),
  d(
    "ntdll",
    "RtlInitializeCriticalSectionAndSpinCount",
    2,
    TRAP,
    "NTSTATUS RtlInitializeCriticalSectionAndSpinCount(PRTL_CRITICAL_SECTION CriticalSection, ULONG SpinCount)",
  ),
  d(
    "ntdll",
    "RtlInitializeCriticalSectionEx",
    3,
    TRAP,
    "NTSTATUS RtlInitializeCriticalSectionEx(PRTL_CRITICAL_SECTION CriticalSection, ULONG SpinCount, ULONG Flags)",
  ),
  d(
    "ntdll",
    "RtlTryEnterCriticalSection",
    1,
    TRAP,
    "BOOLEAN RtlTryEnterCriticalSection(PRTL_CRITICAL_SECTION CriticalSection)",
  ),
];

const fwd = (dll: DllName, name: string, argc: number, to: string, doc: string): ApiDecl =>
  d(dll, name, argc, { kind: "forward", to }, doc);

/** kernel32's and kernelbase's forwarders to ntdll (as in Windows 10's export tables). */
export function threadForwards(dll: DllName): ApiDecl[] {
  return [
    fwd(
      dll,
      "ExitThread",
      1,
      "NTDLL.RtlExitUserThread",
      "DECLSPEC_NORETURN VOID ExitThread(DWORD dwExitCode)",
    ),
    fwd(
      dll,
      "TryEnterCriticalSection",
      1,
      "NTDLL.RtlTryEnterCriticalSection",
      "BOOL TryEnterCriticalSection(LPCRITICAL_SECTION lpCriticalSection)",
    ),
  ];
}

export const THREADS_KERNELBASE: readonly ApiDecl[] = [
  d(
    "kernelbase",
    "InitializeCriticalSectionAndSpinCount",
    2,
    TRAP,
    "BOOL InitializeCriticalSectionAndSpinCount(LPCRITICAL_SECTION lpCriticalSection, DWORD dwSpinCount)",
  ),
  d(
    "kernelbase",
    "InitializeCriticalSectionEx",
    3,
    TRAP,
    "BOOL InitializeCriticalSectionEx(LPCRITICAL_SECTION lpCriticalSection, DWORD dwSpinCount, DWORD Flags)",
  ),
  d(
    "kernelbase",
    "CreateThread",
    6,
    bridge("NtCreateThreadEx"),
    "HANDLE CreateThread(LPSECURITY_ATTRIBUTES lpThreadAttributes, SIZE_T dwStackSize, LPTHREAD_START_ROUTINE lpStartAddress, LPVOID lpParameter, DWORD dwCreationFlags, LPDWORD lpThreadId)",
  ),
  d(
    "kernelbase",
    "GetExitCodeThread",
    2,
    bridge("NtQueryInformationThread"),
    "BOOL GetExitCodeThread(HANDLE hThread, LPDWORD lpExitCode)",
  ),
  d("kernelbase", "GetThreadId", 1, bridge("NtQueryInformationThread"), "DWORD GetThreadId(HANDLE Thread)"),
  d("kernelbase", "ResumeThread", 1, bridge("NtResumeThread"), "DWORD ResumeThread(HANDLE hThread)"),
  d("kernelbase", "SuspendThread", 1, bridge("NtSuspendThread"), "DWORD SuspendThread(HANDLE hThread)"),
  d(
    "kernelbase",
    "WaitForSingleObject",
    2,
    bridge("NtWaitForSingleObject"),
    "DWORD WaitForSingleObject(HANDLE hHandle, DWORD dwMilliseconds)",
  ),
  d(
    "kernelbase",
    "WaitForSingleObjectEx",
    3,
    bridge("NtWaitForSingleObject"),
    "DWORD WaitForSingleObjectEx(HANDLE hHandle, DWORD dwMilliseconds, BOOL bAlertable)",
  ),
  d(
    "kernelbase",
    "WaitForMultipleObjects",
    4,
    bridge("NtWaitForMultipleObjects"),
    "DWORD WaitForMultipleObjects(DWORD nCount, const HANDLE *lpHandles, BOOL bWaitAll, DWORD dwMilliseconds)",
  ),
  d(
    "kernelbase",
    "WaitForMultipleObjectsEx",
    5,
    bridge("NtWaitForMultipleObjects"),
    "DWORD WaitForMultipleObjectsEx(DWORD nCount, const HANDLE *lpHandles, BOOL bWaitAll, DWORD dwMilliseconds, BOOL bAlertable)",
  ),
  d(
    "kernelbase",
    "CreateEventA",
    4,
    bridge("NtCreateEvent"),
    "HANDLE CreateEventA(LPSECURITY_ATTRIBUTES lpEventAttributes, BOOL bManualReset, BOOL bInitialState, LPCSTR lpName)",
  ),
  d(
    "kernelbase",
    "CreateEventW",
    4,
    bridge("NtCreateEvent"),
    "HANDLE CreateEventW(LPSECURITY_ATTRIBUTES lpEventAttributes, BOOL bManualReset, BOOL bInitialState, LPCWSTR lpName)",
  ),
  d(
    "kernelbase",
    "CreateEventExA",
    4,
    bridge("NtCreateEvent"),
    "HANDLE CreateEventExA(LPSECURITY_ATTRIBUTES lpEventAttributes, LPCSTR lpName, DWORD dwFlags, DWORD dwDesiredAccess)",
  ),
  d(
    "kernelbase",
    "CreateEventExW",
    4,
    bridge("NtCreateEvent"),
    "HANDLE CreateEventExW(LPSECURITY_ATTRIBUTES lpEventAttributes, LPCWSTR lpName, DWORD dwFlags, DWORD dwDesiredAccess)",
  ),
  d(
    "kernelbase",
    "OpenEventA",
    3,
    bridge("NtOpenEvent"),
    "HANDLE OpenEventA(DWORD dwDesiredAccess, BOOL bInheritHandle, LPCSTR lpName)",
  ),
  d(
    "kernelbase",
    "OpenEventW",
    3,
    bridge("NtOpenEvent"),
    "HANDLE OpenEventW(DWORD dwDesiredAccess, BOOL bInheritHandle, LPCWSTR lpName)",
  ),
  d("kernelbase", "SetEvent", 1, bridge("NtSetEvent"), "BOOL SetEvent(HANDLE hEvent)"),
  d("kernelbase", "ResetEvent", 1, bridge("NtClearEvent"), "BOOL ResetEvent(HANDLE hEvent)"),
  d("kernelbase", "PulseEvent", 1, bridge("NtPulseEvent"), "BOOL PulseEvent(HANDLE hEvent)"),
  d(
    "kernelbase",
    "CreateMutexA",
    3,
    bridge("NtCreateMutant"),
    "HANDLE CreateMutexA(LPSECURITY_ATTRIBUTES lpMutexAttributes, BOOL bInitialOwner, LPCSTR lpName)",
  ),
  d(
    "kernelbase",
    "CreateMutexW",
    3,
    bridge("NtCreateMutant"),
    "HANDLE CreateMutexW(LPSECURITY_ATTRIBUTES lpMutexAttributes, BOOL bInitialOwner, LPCWSTR lpName)",
  ),
  d("kernelbase", "ReleaseMutex", 1, bridge("NtReleaseMutant"), "BOOL ReleaseMutex(HANDLE hMutex)"),
  d(
    "kernelbase",
    "CreateSemaphoreA",
    4,
    bridge("NtCreateSemaphore"),
    "HANDLE CreateSemaphoreA(LPSECURITY_ATTRIBUTES lpSemaphoreAttributes, LONG lInitialCount, LONG lMaximumCount, LPCSTR lpName)",
  ),
  d(
    "kernelbase",
    "CreateSemaphoreW",
    4,
    bridge("NtCreateSemaphore"),
    "HANDLE CreateSemaphoreW(LPSECURITY_ATTRIBUTES lpSemaphoreAttributes, LONG lInitialCount, LONG lMaximumCount, LPCWSTR lpName)",
  ),
  d(
    "kernelbase",
    "ReleaseSemaphore",
    3,
    bridge("NtReleaseSemaphore"),
    "BOOL ReleaseSemaphore(HANDLE hSemaphore, LONG lReleaseCount, LPLONG lpPreviousCount)",
  ),
  d("kernelbase", "SwitchToThread", 0, bridge("NtYieldExecution"), "BOOL SwitchToThread(void)"),
  d(
    "kernelbase",
    "TerminateThread",
    2,
    bridge("NtTerminateThread"),
    "BOOL TerminateThread(HANDLE hThread, DWORD dwExitCode)",
  ),
  d(
    "kernelbase",
    "DuplicateHandle",
    7,
    bridge("NtDuplicateObject"),
    "BOOL DuplicateHandle(HANDLE hSourceProcessHandle, HANDLE hSourceHandle, HANDLE hTargetProcessHandle, LPHANDLE lpTargetHandle, DWORD dwDesiredAccess, BOOL bInheritHandle, DWORD dwOptions)",
  ),
  d(
    "kernelbase",
    "QueueUserAPC",
    3,
    bridge("NtQueueApcThread"),
    "DWORD QueueUserAPC(PAPCFUNC pfnAPC, HANDLE hThread, ULONG_PTR dwData)",
  ),
];
