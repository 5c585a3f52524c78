/**
 * kernelbase's system information, time, environment, console-query, memory-handle, message and string
 * exports (kernel32 re-exports them as thunks) and ntdll!RtlGetVersion: what unmodified console programs
 * built with mingw-w64's default C runtime import (issue 7). TypeScript halves: src/windows/api/sysinfo.ts,
 * environment.ts, console-ext.ts, kernel32-misc.ts. Prototypes: learn.microsoft.com.
 */
import type { ApiDecl, DllName } from "./decl";

const d = (name: string, argc: number, doc: string, dll: DllName = "kernelbase"): ApiDecl => ({
  dll,
  name,
  argc,
  conv: "stdcall",
  impl: { kind: "trap" },
  arch: "both",
  doc,
});

/** A and W forms (TCHAR → CHAR / WCHAR in the prototype). */
const aw = (name: string, argc: number, doc: string): ApiDecl[] => [
  d(`${name}A`, argc, doc.replace(/T\(/, "A(").replace(/TSTR/g, "STR").replace(/TCH/g, "CH")),
  d(`${name}W`, argc, doc.replace(/T\(/, "W(").replace(/TSTR/g, "WSTR").replace(/TCH/g, "WCH")),
];

export const SYSINFO_NTDLL: readonly ApiDecl[] = [
  d("RtlGetVersion", 1, "NTSTATUS RtlGetVersion(PRTL_OSVERSIONINFOW lpVersionInformation)", "ntdll"),
];

export const SYSINFO_KERNELBASE: readonly ApiDecl[] = [
  // sysinfo.ts
  d("GetTickCount", 0, "DWORD GetTickCount(void)"),
  d("GetTickCount64", 0, "ULONGLONG GetTickCount64(void)"),
  d("GetSystemTimeAsFileTime", 1, "void GetSystemTimeAsFileTime(LPFILETIME lpSystemTimeAsFileTime)"),
  d(
    "GetSystemTimePreciseAsFileTime",
    1,
    "void GetSystemTimePreciseAsFileTime(LPFILETIME lpSystemTimeAsFileTime)",
  ),
  d("GetSystemTime", 1, "void GetSystemTime(LPSYSTEMTIME lpSystemTime)"),
  d("GetLocalTime", 1, "void GetLocalTime(LPSYSTEMTIME lpSystemTime)"),
  d(
    "FileTimeToSystemTime",
    2,
    "BOOL FileTimeToSystemTime(const FILETIME *lpFileTime, LPSYSTEMTIME lpSystemTime)",
  ),
  d(
    "SystemTimeToFileTime",
    2,
    "BOOL SystemTimeToFileTime(const SYSTEMTIME *lpSystemTime, LPFILETIME lpFileTime)",
  ),
  d("GetVersion", 0, "DWORD GetVersion(void)"),
  ...aw("GetVersionEx", 1, "BOOL GetVersionExT(LPOSVERSIONINFOT lpVersionInformation)"),
  ...aw("GetComputerName", 2, "BOOL GetComputerNameT(LPTSTR lpBuffer, LPDWORD nSize)"),
  d("GlobalMemoryStatusEx", 1, "BOOL GlobalMemoryStatusEx(LPMEMORYSTATUSEX lpBuffer)"),
  ...aw("GetWindowsDirectory", 2, "UINT GetWindowsDirectoryT(LPTSTR lpBuffer, UINT uSize)"),
  ...aw("GetSystemWindowsDirectory", 2, "UINT GetSystemWindowsDirectoryT(LPTSTR lpBuffer, UINT uSize)"),
  ...aw("GetSystemDirectory", 2, "UINT GetSystemDirectoryT(LPTSTR lpBuffer, UINT uSize)"),
  ...aw("GetTempPath", 2, "DWORD GetTempPathT(DWORD nBufferLength, LPTSTR lpBuffer)"),
  ...aw(
    "GetFullPathName",
    4,
    "DWORD GetFullPathNameT(LPCTSTR lpFileName, DWORD nBufferLength, LPTSTR lpBuffer, LPTSTR *lpFilePart)",
  ),
  // environment.ts
  ...aw(
    "GetEnvironmentVariable",
    3,
    "DWORD GetEnvironmentVariableT(LPCTSTR lpName, LPTSTR lpBuffer, DWORD nSize)",
  ),
  ...aw("SetEnvironmentVariable", 2, "BOOL SetEnvironmentVariableT(LPCTSTR lpName, LPCTSTR lpValue)"),
  d("GetEnvironmentStrings", 0, "LPCH GetEnvironmentStrings(void)"),
  ...aw("GetEnvironmentStrings", 0, "LPTCH GetEnvironmentStringsT(void)"),
  ...aw("FreeEnvironmentStrings", 1, "BOOL FreeEnvironmentStringsT(LPTCH penv)"),
  ...aw(
    "ExpandEnvironmentStrings",
    3,
    "DWORD ExpandEnvironmentStringsT(LPCTSTR lpSrc, LPTSTR lpDst, DWORD nSize)",
  ),
  // console-ext.ts
  d("GetConsoleMode", 2, "BOOL GetConsoleMode(HANDLE hConsoleHandle, LPDWORD lpMode)"),
  d("SetConsoleMode", 2, "BOOL SetConsoleMode(HANDLE hConsoleHandle, DWORD dwMode)"),
  d("GetConsoleCP", 0, "UINT GetConsoleCP(void)"),
  d("GetConsoleOutputCP", 0, "UINT GetConsoleOutputCP(void)"),
  d(
    "GetConsoleScreenBufferInfo",
    2,
    "BOOL GetConsoleScreenBufferInfo(HANDLE hConsoleOutput, PCONSOLE_SCREEN_BUFFER_INFO lpConsoleScreenBufferInfo)",
  ),
  d("SetConsoleTextAttribute", 2, "BOOL SetConsoleTextAttribute(HANDLE hConsoleOutput, WORD wAttributes)"),
  ...aw(
    "WriteConsole",
    5,
    "BOOL WriteConsoleT(HANDLE hConsoleOutput, const VOID *lpBuffer, DWORD nNumberOfCharsToWrite, LPDWORD lpNumberOfCharsWritten, LPVOID lpReserved)",
  ),
  d("GetFileType", 1, "DWORD GetFileType(HANDLE hFile)"),
  // kernel32-misc.ts
  d("LocalAlloc", 2, "HLOCAL LocalAlloc(UINT uFlags, SIZE_T uBytes)"),
  d("LocalFree", 1, "HLOCAL LocalFree(HLOCAL hMem)"),
  d("GlobalAlloc", 2, "HGLOBAL GlobalAlloc(UINT uFlags, SIZE_T dwBytes)"),
  d("GlobalFree", 1, "HGLOBAL GlobalFree(HGLOBAL hMem)"),
  d("HeapCreate", 3, "HANDLE HeapCreate(DWORD flOptions, SIZE_T dwInitialSize, SIZE_T dwMaximumSize)"),
  d("HeapDestroy", 1, "BOOL HeapDestroy(HANDLE hHeap)"),
  d("HeapValidate", 3, "BOOL HeapValidate(HANDLE hHeap, DWORD dwFlags, LPCVOID lpMem)"),
  ...aw(
    "FormatMessage",
    7,
    "DWORD FormatMessageT(DWORD dwFlags, LPCVOID lpSource, DWORD dwMessageId, DWORD dwLanguageId, LPTSTR lpBuffer, DWORD nSize, va_list *Arguments)",
  ),
  ...aw("lstrlen", 1, "int lstrlenT(LPCTSTR lpString)"),
  ...aw("lstrcmp", 2, "int lstrcmpT(LPCTSTR lpString1, LPCTSTR lpString2)"),
  ...aw("lstrcmpi", 2, "int lstrcmpiT(LPCTSTR lpString1, LPCTSTR lpString2)"),
];
