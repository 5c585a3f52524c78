/**
 * The declared exports of the synthetic system DLLs (ntdll's NtXxx/ZwXxx stubs are added from the syscall
 * table by the builder). Prototypes are MSDN's (kernel32/kernelbase) or phnt's (ntdll, wow64).
 *
 * kernelbase holds the implementations; kernel32 re-exports every kernelbase API as a `jmp [__imp_…]`
 * thunk (as Windows 10's kernel32 does), forwards the heap functions to ntdll like the real export
 * table (HeapAlloc → NTDLL.RtlAllocateHeap), and implements ExitProcess and CreateFileMappingA itself.
 */
import {
  emitBTCpuSimulate,
  emitCpupReturnFromSimulatedCode,
  emitCpupRunSimulatedCode,
  emitGetCurrentProcess,
  emitGetCurrentProcessId,
  emitGetCurrentThread,
  emitGetCurrentThreadId,
  emitGetLastError,
  emitGetProcessHeap,
  emitKiFastSystemCall,
  emitNtCurrentTeb,
  emitSetLastError,
  emitWow64SystemServiceCall,
  emitWow64SystemServiceEx,
} from "./code";
import { ADVAPI32 } from "./advapi32";
import { SHELL32 } from "./shell32";
import { USER32 } from "./user32";
import { MSVCRT } from "./declarations-msvcrt";
import { CRT_KERNELBASE, CRT_NTDLL, criticalSectionForwards } from "./declarations-crt-kernel32";
import { FILE_KERNELBASE } from "./declarations-files";
import type { ApiDecl, ApiImpl, Arch, CallConv, DllName } from "./decl";
import { EXCEPTIONS_KERNELBASE, EXCEPTIONS_NTDLL, exceptionForwards } from "./exceptions";
import { THREADS_KERNELBASE, THREADS_NTDLL, threadForwards } from "./declarations-threads";
import { STRINGS_KERNELBASE } from "./declarations-strings";
import { SYSINFO_KERNELBASE, SYSINFO_NTDLL } from "./declarations-sysinfo";

type Opts = Partial<Pick<ApiDecl, "aliases" | "exported" | "doc">> & {
  arch?: Arch | "both";
  conv?: CallConv;
};

function decl(dll: DllName, name: string, argc: number, impl: ApiImpl, o: Opts = {}): ApiDecl {
  return {
    dll,
    name,
    argc,
    impl,
    arch: o.arch ?? "both",
    conv: o.conv ?? "stdcall",
    aliases: o.aliases,
    exported: o.exported,
    doc: o.doc,
  };
}

const TRAP: ApiImpl = { kind: "trap" };
const bridge = (nt: string): ApiImpl => ({ kind: "bridge", nt });

// ---------------------------------------------------------------------------------------------
// ntdll (x64 and x86), besides the NtXxx/ZwXxx system service stubs

const NTDLL: ApiDecl[] = [
  decl(
    "ntdll",
    "NtCurrentTeb",
    0,
    { kind: "code", emit: (a, c) => emitNtCurrentTeb(a, c) },
    {
      doc: "PTEB NtCurrentTeb(VOID)",
    },
  ),
  decl(
    "ntdll",
    "RtlGetLastWin32Error",
    0,
    { kind: "code", emit: (a, c) => emitGetLastError(a, c) },
    {
      doc: "ULONG RtlGetLastWin32Error(VOID)",
    },
  ),
  decl(
    "ntdll",
    "RtlSetLastWin32Error",
    1,
    { kind: "code", emit: (a, c) => emitSetLastError(a, c) },
    {
      doc: "VOID RtlSetLastWin32Error(ULONG Win32Error)",
    },
  ),
  decl("ntdll", "RtlAllocateHeap", 3, TRAP, {
    doc: "PVOID RtlAllocateHeap(PVOID HeapHandle, ULONG Flags, SIZE_T Size)",
  }),
  decl("ntdll", "RtlFreeHeap", 3, TRAP, {
    doc: "BOOLEAN RtlFreeHeap(PVOID HeapHandle, ULONG Flags, PVOID BaseAddress)",
  }),
  decl("ntdll", "RtlReAllocateHeap", 4, TRAP, {
    doc: "PVOID RtlReAllocateHeap(PVOID HeapHandle, ULONG Flags, PVOID BaseAddress, SIZE_T Size)",
  }),
  decl("ntdll", "RtlSizeHeap", 3, TRAP, {
    doc: "SIZE_T RtlSizeHeap(PVOID HeapHandle, ULONG Flags, PVOID BaseAddress)",
  }),
  decl("ntdll", "RtlNtStatusToDosError", 1, TRAP, { doc: "ULONG RtlNtStatusToDosError(NTSTATUS Status)" }),
  decl("ntdll", "RtlExitUserProcess", 1, TRAP, {
    doc: "DECLSPEC_NORETURN VOID RtlExitUserProcess(NTSTATUS ExitStatus)",
  }),
  decl("ntdll", "LdrLoadDll", 4, TRAP, {
    doc: "NTSTATUS LdrLoadDll(PWSTR DllPath, PULONG DllCharacteristics, PUNICODE_STRING DllName, PVOID *DllHandle)",
  }),
  decl("ntdll", "LdrGetDllHandle", 4, TRAP, {
    doc: "NTSTATUS LdrGetDllHandle(PWSTR DllPath, PULONG DllCharacteristics, PUNICODE_STRING DllName, PVOID *DllHandle)",
  }),
  decl("ntdll", "LdrGetProcedureAddress", 4, TRAP, {
    doc: "NTSTATUS LdrGetProcedureAddress(PVOID DllHandle, PANSI_STRING ProcedureName, ULONG ProcedureNumber, PVOID *ProcedureAddress)",
  }),
  decl("ntdll", "LdrInitializeThunk", 1, TRAP, {
    doc: "VOID LdrInitializeThunk(PCONTEXT Context) (thread start)",
  }),
  ...EXCEPTIONS_NTDLL,
  ...CRT_NTDLL,
  ...THREADS_NTDLL,
  ...SYSINFO_NTDLL,
  decl("ntdll", "DbgPrint", 1, TRAP, { conv: "cdecl", doc: "ULONG __cdecl DbgPrint(PCSTR Format, ...)" }),
  decl(
    "ntdll",
    "Wow64SystemServiceCall",
    0,
    { kind: "code", emit: (a) => emitWow64SystemServiceCall(a) },
    {
      arch: "x86",
      doc: "x86 ntdll: jmp dword ptr [Wow64Transition], the target of every Nt* stub's call edx",
    },
  ),
  decl(
    "ntdll",
    "Wow64Transition",
    0,
    { kind: "data", size: 4, init: (c) => c.addressOf("wow64cpu", "x64", "KiFastSystemCall") ?? 0 },
    {
      arch: "x86",
      doc: "PVOID Wow64Transition: address of wow64cpu!KiFastSystemCall (set when the DLLs are laid out)",
    },
  ),
];

// ---------------------------------------------------------------------------------------------
// kernelbase (x64 and x86)

const KERNELBASE: ApiDecl[] = [
  ...FILE_KERNELBASE,
  ...EXCEPTIONS_KERNELBASE,
  ...exceptionForwards("kernelbase"),
  ...CRT_KERNELBASE,
  ...STRINGS_KERNELBASE,
  ...SYSINFO_KERNELBASE,
  ...criticalSectionForwards("kernelbase"),
  ...THREADS_KERNELBASE,
  ...threadForwards("kernelbase"),
  decl("kernelbase", "WriteFile", 5, bridge("NtWriteFile"), {
    doc: "BOOL WriteFile(HANDLE hFile, LPCVOID lpBuffer, DWORD nNumberOfBytesToWrite, LPDWORD lpNumberOfBytesWritten, LPOVERLAPPED lpOverlapped)",
  }),
  decl("kernelbase", "ReadFile", 5, bridge("NtReadFile"), {
    doc: "BOOL ReadFile(HANDLE hFile, LPVOID lpBuffer, DWORD nNumberOfBytesToRead, LPDWORD lpNumberOfBytesRead, LPOVERLAPPED lpOverlapped)",
  }),
  decl("kernelbase", "VirtualAlloc", 4, bridge("NtAllocateVirtualMemory"), {
    doc: "LPVOID VirtualAlloc(LPVOID lpAddress, SIZE_T dwSize, DWORD flAllocationType, DWORD flProtect)",
  }),
  decl("kernelbase", "VirtualFree", 3, bridge("NtFreeVirtualMemory"), {
    doc: "BOOL VirtualFree(LPVOID lpAddress, SIZE_T dwSize, DWORD dwFreeType)",
  }),
  decl("kernelbase", "VirtualProtect", 4, bridge("NtProtectVirtualMemory"), {
    doc: "BOOL VirtualProtect(LPVOID lpAddress, SIZE_T dwSize, DWORD flNewProtect, PDWORD lpflOldProtect)",
  }),
  decl("kernelbase", "VirtualQuery", 3, bridge("NtQueryVirtualMemory"), {
    doc: "SIZE_T VirtualQuery(LPCVOID lpAddress, PMEMORY_BASIC_INFORMATION lpBuffer, SIZE_T dwLength)",
  }),
  decl("kernelbase", "CreateFileMappingW", 6, bridge("NtCreateSection"), {
    doc: "HANDLE CreateFileMappingW(HANDLE hFile, LPSECURITY_ATTRIBUTES lpFileMappingAttributes, DWORD flProtect, DWORD dwMaximumSizeHigh, DWORD dwMaximumSizeLow, LPCWSTR lpName)",
  }),
  decl("kernelbase", "MapViewOfFile", 5, bridge("NtMapViewOfSection"), {
    doc: "LPVOID MapViewOfFile(HANDLE hFileMappingObject, DWORD dwDesiredAccess, DWORD dwFileOffsetHigh, DWORD dwFileOffsetLow, SIZE_T dwNumberOfBytesToMap)",
  }),
  decl("kernelbase", "MapViewOfFileEx", 6, bridge("NtMapViewOfSection"), {
    doc: "LPVOID MapViewOfFileEx(HANDLE hFileMappingObject, DWORD dwDesiredAccess, DWORD dwFileOffsetHigh, DWORD dwFileOffsetLow, SIZE_T dwNumberOfBytesToMap, LPVOID lpBaseAddress)",
  }),
  decl("kernelbase", "UnmapViewOfFile", 1, bridge("NtUnmapViewOfSection"), {
    doc: "BOOL UnmapViewOfFile(LPCVOID lpBaseAddress)",
  }),
  decl("kernelbase", "CloseHandle", 1, bridge("NtClose"), { doc: "BOOL CloseHandle(HANDLE hObject)" }),
  decl("kernelbase", "TerminateProcess", 2, bridge("NtTerminateProcess"), {
    doc: "BOOL TerminateProcess(HANDLE hProcess, UINT uExitCode)",
  }),
  decl("kernelbase", "QueryPerformanceCounter", 1, bridge("NtQueryPerformanceCounter"), {
    doc: "BOOL QueryPerformanceCounter(LARGE_INTEGER *lpPerformanceCount)",
  }),
  decl("kernelbase", "QueryPerformanceFrequency", 1, bridge("NtQueryPerformanceCounter"), {
    doc: "BOOL QueryPerformanceFrequency(LARGE_INTEGER *lpFrequency)",
  }),
  decl("kernelbase", "Sleep", 1, bridge("NtDelayExecution"), { doc: "void Sleep(DWORD dwMilliseconds)" }),
  decl("kernelbase", "SleepEx", 2, bridge("NtDelayExecution"), {
    doc: "DWORD SleepEx(DWORD dwMilliseconds, BOOL bAlertable)",
  }),
  decl("kernelbase", "GetSystemInfo", 1, bridge("NtQuerySystemInformation"), {
    doc: "void GetSystemInfo(LPSYSTEM_INFO lpSystemInfo)",
  }),
  decl("kernelbase", "GetNativeSystemInfo", 1, bridge("NtQuerySystemInformation"), {
    doc: "void GetNativeSystemInfo(LPSYSTEM_INFO lpSystemInfo)",
  }),
  decl("kernelbase", "IsWow64Process", 2, bridge("NtQueryInformationProcess"), {
    doc: "BOOL IsWow64Process(HANDLE hProcess, PBOOL Wow64Process)",
  }),
  decl(
    "kernelbase",
    "GetLastError",
    0,
    { kind: "code", emit: (a, c) => emitGetLastError(a, c) },
    {
      doc: "DWORD GetLastError(void)",
    },
  ),
  decl(
    "kernelbase",
    "SetLastError",
    1,
    { kind: "code", emit: (a, c) => emitSetLastError(a, c) },
    {
      doc: "void SetLastError(DWORD dwErrCode)",
    },
  ),
  decl(
    "kernelbase",
    "GetCurrentProcess",
    0,
    { kind: "code", emit: (a, c) => emitGetCurrentProcess(a, c) },
    {
      doc: "HANDLE GetCurrentProcess(void)",
    },
  ),
  decl(
    "kernelbase",
    "GetCurrentThread",
    0,
    { kind: "code", emit: (a, c) => emitGetCurrentThread(a, c) },
    {
      doc: "HANDLE GetCurrentThread(void)",
    },
  ),
  decl(
    "kernelbase",
    "GetCurrentProcessId",
    0,
    { kind: "code", emit: (a, c) => emitGetCurrentProcessId(a, c) },
    {
      doc: "DWORD GetCurrentProcessId(void)",
    },
  ),
  decl(
    "kernelbase",
    "GetCurrentThreadId",
    0,
    { kind: "code", emit: (a, c) => emitGetCurrentThreadId(a, c) },
    {
      doc: "DWORD GetCurrentThreadId(void)",
    },
  ),
  decl(
    "kernelbase",
    "GetProcessHeap",
    0,
    { kind: "code", emit: (a, c) => emitGetProcessHeap(a, c) },
    {
      doc: "HANDLE GetProcessHeap(void)",
    },
  ),
  decl("kernelbase", "HeapFree", 3, TRAP, {
    doc: "BOOL HeapFree(HANDLE hHeap, DWORD dwFlags, LPVOID lpMem)",
  }),
  decl("kernelbase", "GetStdHandle", 1, TRAP, { doc: "HANDLE GetStdHandle(DWORD nStdHandle)" }),
  decl("kernelbase", "SetStdHandle", 2, TRAP, { doc: "BOOL SetStdHandle(DWORD nStdHandle, HANDLE hHandle)" }),
  decl("kernelbase", "GetCommandLineA", 0, TRAP, { doc: "LPSTR GetCommandLineA(void)" }),
  decl("kernelbase", "GetCommandLineW", 0, TRAP, { doc: "LPWSTR GetCommandLineW(void)" }),
  decl("kernelbase", "GetModuleHandleA", 1, TRAP, { doc: "HMODULE GetModuleHandleA(LPCSTR lpModuleName)" }),
  decl("kernelbase", "GetModuleHandleW", 1, TRAP, { doc: "HMODULE GetModuleHandleW(LPCWSTR lpModuleName)" }),
  decl("kernelbase", "GetModuleFileNameA", 3, TRAP, {
    doc: "DWORD GetModuleFileNameA(HMODULE hModule, LPSTR lpFilename, DWORD nSize)",
  }),
  decl("kernelbase", "GetModuleFileNameW", 3, TRAP, {
    doc: "DWORD GetModuleFileNameW(HMODULE hModule, LPWSTR lpFilename, DWORD nSize)",
  }),
  decl("kernelbase", "GetProcAddress", 2, TRAP, {
    doc: "FARPROC GetProcAddress(HMODULE hModule, LPCSTR lpProcName)",
  }),
  decl("kernelbase", "LoadLibraryA", 1, TRAP, { doc: "HMODULE LoadLibraryA(LPCSTR lpLibFileName)" }),
  decl("kernelbase", "LoadLibraryW", 1, TRAP, { doc: "HMODULE LoadLibraryW(LPCWSTR lpLibFileName)" }),
  decl("kernelbase", "LoadLibraryExA", 3, TRAP, {
    doc: "HMODULE LoadLibraryExA(LPCSTR lpLibFileName, HANDLE hFile, DWORD dwFlags)",
  }),
  decl("kernelbase", "LoadLibraryExW", 3, TRAP, {
    doc: "HMODULE LoadLibraryExW(LPCWSTR lpLibFileName, HANDLE hFile, DWORD dwFlags)",
  }),
  decl("kernelbase", "FreeLibrary", 1, TRAP, { doc: "BOOL FreeLibrary(HMODULE hLibModule)" }),
  decl("kernelbase", "TlsAlloc", 0, TRAP, { doc: "DWORD TlsAlloc(void)" }),
  decl("kernelbase", "TlsFree", 1, TRAP, { doc: "BOOL TlsFree(DWORD dwTlsIndex)" }),
  decl("kernelbase", "TlsGetValue", 1, TRAP, { doc: "LPVOID TlsGetValue(DWORD dwTlsIndex)" }),
  decl("kernelbase", "TlsSetValue", 2, TRAP, {
    doc: "BOOL TlsSetValue(DWORD dwTlsIndex, LPVOID lpTlsValue)",
  }),
  decl("kernelbase", "OutputDebugStringA", 1, TRAP, {
    doc: "void OutputDebugStringA(LPCSTR lpOutputString)",
  }),
  decl("kernelbase", "OutputDebugStringW", 1, TRAP, {
    doc: "void OutputDebugStringW(LPCWSTR lpOutputString)",
  }),
];

// ---------------------------------------------------------------------------------------------
// kernel32 (x64 and x86)

const KERNEL32_OWN: ApiDecl[] = [
  ...exceptionForwards("kernel32"),
  ...criticalSectionForwards("kernel32"),
  ...threadForwards("kernel32"),
  decl("kernel32", "ExitProcess", 1, bridge("NtTerminateProcess"), {
    doc: "DECLSPEC_NORETURN void ExitProcess(UINT uExitCode)",
  }),
  decl("kernel32", "CreateFileMappingA", 6, bridge("NtCreateSection"), {
    doc: "HANDLE CreateFileMappingA(HANDLE hFile, LPSECURITY_ATTRIBUTES lpFileMappingAttributes, DWORD flProtect, DWORD dwMaximumSizeHigh, DWORD dwMaximumSizeLow, LPCSTR lpName)",
  }),
  decl(
    "kernel32",
    "HeapAlloc",
    3,
    { kind: "forward", to: "NTDLL.RtlAllocateHeap" },
    {
      doc: "LPVOID HeapAlloc(HANDLE hHeap, DWORD dwFlags, SIZE_T dwBytes)",
    },
  ),
  decl(
    "kernel32",
    "HeapReAlloc",
    4,
    { kind: "forward", to: "NTDLL.RtlReAllocateHeap" },
    {
      doc: "LPVOID HeapReAlloc(HANDLE hHeap, DWORD dwFlags, LPVOID lpMem, SIZE_T dwBytes)",
    },
  ),
  decl(
    "kernel32",
    "HeapSize",
    3,
    { kind: "forward", to: "NTDLL.RtlSizeHeap" },
    {
      doc: "SIZE_T HeapSize(HANDLE hHeap, DWORD dwFlags, LPCVOID lpMem)",
    },
  ),
];

/** kernel32: its own records, then a thunk to kernelbase for every kernelbase export. */
function kernel32(): ApiDecl[] {
  const own = new Set(KERNEL32_OWN.map((d) => d.name));
  const thunks = KERNELBASE.filter((d) => d.exported !== false && !own.has(d.name)).map((d) =>
    decl(
      "kernel32",
      d.name,
      d.argc,
      { kind: "thunk", dll: "kernelbase" },
      { arch: d.arch, conv: d.conv, doc: d.doc },
    ),
  );
  return [...KERNEL32_OWN, ...thunks];
}

// ---------------------------------------------------------------------------------------------
// wow64, wow64cpu, wow64win (x64 images)

const WOW64: ApiDecl[] = [
  decl(
    "wow64",
    "Wow64SystemServiceEx",
    2,
    { kind: "code", emit: (a) => emitWow64SystemServiceEx(a) },
    {
      arch: "x64",
      doc: "NTSTATUS Wow64SystemServiceEx(UINT ServiceNumber, UINT *ArgPointer32)",
    },
  ),
  decl("wow64", "Wow64pThunkArguments", 3, TRAP, {
    arch: "x64",
    exported: false,
    doc: "PVOID Wow64pThunkArguments(ULONG ServiceNumber, ULONG *Args32, ULONG64 *Frame) → x64 ntdll stub (WOW64_FRAME)",
  }),
  decl("wow64", "Wow64pThunkResults", 4, TRAP, {
    arch: "x64",
    exported: false,
    doc: "NTSTATUS Wow64pThunkResults(NTSTATUS Status, ULONG ServiceNumber, ULONG *Args32, ULONG64 *Frame) (WOW64_FRAME)",
  }),
  decl("wow64", "Wow64LdrpInitialize", 1, TRAP, {
    arch: "x64",
    doc: "VOID Wow64LdrpInitialize(PCONTEXT Context)",
  }),
  decl("wow64", "Wow64PrepareForException", 2, TRAP, {
    arch: "x64",
    doc: "VOID Wow64PrepareForException(PEXCEPTION_RECORD ExceptionRecord, PCONTEXT Context)",
  }),
];

const WOW64CPU: ApiDecl[] = [
  decl(
    "wow64cpu",
    "KiFastSystemCall",
    0,
    { kind: "code", emit: (a) => emitKiFastSystemCall(a) },
    {
      arch: "x64",
      doc: "32-bit code: jmp far 0x33:CpupReturnFromSimulatedCode (the value of x86 ntdll!Wow64Transition)",
    },
  ),
  decl(
    "wow64cpu",
    "CpupReturnFromSimulatedCode",
    0,
    { kind: "code", emit: (a, c) => emitCpupReturnFromSimulatedCode(a, c) },
    {
      arch: "x64",
      exported: false,
      doc: "64-bit side of the Heaven's Gate: save the x86 context, dispatch the syscall",
    },
  ),
  decl(
    "wow64cpu",
    "CpupRunSimulatedCode",
    0,
    { kind: "code", emit: (a) => emitCpupRunSimulatedCode(a) },
    {
      arch: "x64",
      exported: false,
      doc: "load the x86 context from WOW64_CONTEXT and jmp far to CS 0x23",
    },
  ),
  decl(
    "wow64cpu",
    "BTCpuSimulate",
    0,
    { kind: "code", emit: (a) => emitBTCpuSimulate(a) },
    {
      arch: "x64",
      doc: "VOID BTCpuSimulate(VOID): run the thread's 32-bit code (does not return)",
    },
  ),
  decl("wow64cpu", "BTCpuProcessInit", 3, TRAP, {
    arch: "x64",
    doc: "NTSTATUS BTCpuProcessInit(PWSTR ImageName, PSIZE_T CpuWowInfoSize, PUSHORT MachineType)",
  }),
  decl("wow64cpu", "BTCpuThreadInit", 0, TRAP, { arch: "x64", doc: "NTSTATUS BTCpuThreadInit(VOID)" }),
];

const WOW64WIN: ApiDecl[] = [
  decl("wow64win", "Wow64Win32kUnimplemented", 0, TRAP, {
    arch: "x64",
    exported: false,
    doc: "placeholder: win32k system calls (NtUser*/NtGdi*) are not thunked",
  }),
];

/** Every declaration of a DLL (both architectures; filter with `applies`). */
export function declarationsOf(dll: DllName): readonly ApiDecl[] {
  switch (dll) {
    case "ntdll":
      return NTDLL;
    case "kernelbase":
      return KERNELBASE;
    case "kernel32":
      return kernel32();
    case "wow64":
      return WOW64;
    case "wow64cpu":
      return WOW64CPU;
    case "wow64win":
      return WOW64WIN;
    case "advapi32":
      return ADVAPI32;
    case "msvcrt":
      return MSVCRT;
    case "shell32":
      return SHELL32;
    case "user32":
      return USER32;
  }
}
