/**
 * The kernel32/ntdll functions mingw-w64's C start-up code imports besides msvcrt.dll that no other part
 * declares yet: critical sections (kernel32 forwards them to ntdll, as Windows' export table does:
 * EnterCriticalSection → NTDLL.RtlEnterCriticalSection) and GetStartupInfoA/W. TypeScript halves:
 * src/windows/api/crt-kernel32.ts.
 */
import type { ApiDecl, DllName } from "./decl";

const d = (dll: DllName, name: string, argc: number, doc: string): ApiDecl => ({
  dll,
  name,
  argc,
  conv: "stdcall",
  impl: { kind: "trap" },
  arch: "both",
  doc,
});

const fwd = (dll: DllName, name: string, argc: number, to: string, doc: string): ApiDecl => ({
  dll,
  name,
  argc,
  conv: "stdcall",
  impl: { kind: "forward", to },
  arch: "both",
  doc,
});

export const CRT_NTDLL: readonly ApiDecl[] = [
  d(
    "ntdll",
    "RtlInitializeCriticalSection",
    1,
    "NTSTATUS RtlInitializeCriticalSection(PRTL_CRITICAL_SECTION CriticalSection)",
  ),
  d(
    "ntdll",
    "RtlEnterCriticalSection",
    1,
    "NTSTATUS RtlEnterCriticalSection(PRTL_CRITICAL_SECTION CriticalSection)",
  ),
  d(
    "ntdll",
    "RtlLeaveCriticalSection",
    1,
    "NTSTATUS RtlLeaveCriticalSection(PRTL_CRITICAL_SECTION CriticalSection)",
  ),
  d(
    "ntdll",
    "RtlDeleteCriticalSection",
    1,
    "NTSTATUS RtlDeleteCriticalSection(PRTL_CRITICAL_SECTION CriticalSection)",
  ),
];

export const CRT_KERNELBASE: readonly ApiDecl[] = [
  d("kernelbase", "GetStartupInfoA", 1, "VOID GetStartupInfoA(LPSTARTUPINFOA lpStartupInfo)"),
  d("kernelbase", "GetStartupInfoW", 1, "VOID GetStartupInfoW(LPSTARTUPINFOW lpStartupInfo)"),
];

/** kernel32's (and kernelbase's) critical-section exports: forwarders to ntdll. */
export function criticalSectionForwards(dll: DllName): ApiDecl[] {
  return [
    fwd(
      dll,
      "InitializeCriticalSection",
      1,
      "NTDLL.RtlInitializeCriticalSection",
      "void InitializeCriticalSection(LPCRITICAL_SECTION lpCriticalSection)",
    ),
    fwd(
      dll,
      "EnterCriticalSection",
      1,
      "NTDLL.RtlEnterCriticalSection",
      "void EnterCriticalSection(LPCRITICAL_SECTION lpCriticalSection)",
    ),
    fwd(
      dll,
      "LeaveCriticalSection",
      1,
      "NTDLL.RtlLeaveCriticalSection",
      "void LeaveCriticalSection(LPCRITICAL_SECTION lpCriticalSection)",
    ),
    fwd(
      dll,
      "DeleteCriticalSection",
      1,
      "NTDLL.RtlDeleteCriticalSection",
      "void DeleteCriticalSection(LPCRITICAL_SECTION lpCriticalSection)",
    ),
  ];
}
