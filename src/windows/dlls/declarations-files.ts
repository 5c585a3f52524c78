/**
 * kernelbase's file APIs (kernel32 re-exports them as thunks, like every kernelbase export): bridges
 * around the NT file services (../api/files.ts), and the two trap-implemented ones without a system call.
 * Prototypes: learn.microsoft.com (fileapi.h, wow64apiset.h).
 */
import type { ApiDecl, ApiImpl, Arch } from "./decl";

const bridge = (nt: string): ApiImpl => ({ kind: "bridge", nt });
const TRAP: ApiImpl = { kind: "trap" };

function kb(name: string, argc: number, impl: ApiImpl, doc: string, arch: Arch | "both" = "both"): ApiDecl {
  return { dll: "kernelbase", name, argc, impl, arch, conv: "stdcall", doc };
}

/** A and W forms of one API. */
function aw(name: string, argc: number, impl: ApiImpl, doc: string): ApiDecl[] {
  return [
    kb(
      `${name}A`,
      argc,
      impl,
      doc
        .replace(/LPCTSTR/g, "LPCSTR")
        .replace(/LPTSTR/g, "LPSTR")
        .replace(/T\(/, "A("),
    ),
    kb(
      `${name}W`,
      argc,
      impl,
      doc
        .replace(/LPCTSTR/g, "LPCWSTR")
        .replace(/LPTSTR/g, "LPWSTR")
        .replace(/T\(/, "W("),
    ),
  ];
}

export const FILE_KERNELBASE: readonly ApiDecl[] = [
  ...aw(
    "CreateFile",
    7,
    bridge("NtCreateFile"),
    "HANDLE CreateFileT(LPCTSTR lpFileName, DWORD dwDesiredAccess, DWORD dwShareMode, LPSECURITY_ATTRIBUTES lpSecurityAttributes, DWORD dwCreationDisposition, DWORD dwFlagsAndAttributes, HANDLE hTemplateFile)",
  ),
  ...aw("DeleteFile", 1, bridge("NtOpenFile"), "BOOL DeleteFileT(LPCTSTR lpFileName)"),
  ...aw("RemoveDirectory", 1, bridge("NtOpenFile"), "BOOL RemoveDirectoryT(LPCTSTR lpPathName)"),
  ...aw(
    "CreateDirectory",
    2,
    bridge("NtCreateFile"),
    "BOOL CreateDirectoryT(LPCTSTR lpPathName, LPSECURITY_ATTRIBUTES lpSecurityAttributes)",
  ),
  ...aw(
    "GetFileAttributes",
    1,
    bridge("NtQueryAttributesFile"),
    "DWORD GetFileAttributesT(LPCTSTR lpFileName)",
  ),
  ...aw(
    "MoveFileEx",
    3,
    bridge("NtSetInformationFile"),
    "BOOL MoveFileExT(LPCTSTR lpExistingFileName, LPCTSTR lpNewFileName, DWORD dwFlags)",
  ),
  ...aw(
    "MoveFile",
    2,
    bridge("NtSetInformationFile"),
    "BOOL MoveFileT(LPCTSTR lpExistingFileName, LPCTSTR lpNewFileName)",
  ),
  ...aw(
    "FindFirstFile",
    2,
    bridge("NtQueryDirectoryFile"),
    "HANDLE FindFirstFileT(LPCTSTR lpFileName, LPWIN32_FIND_DATA lpFindFileData)",
  ),
  ...aw(
    "FindNextFile",
    2,
    bridge("NtQueryDirectoryFile"),
    "BOOL FindNextFileT(HANDLE hFindFile, LPWIN32_FIND_DATA lpFindFileData)",
  ),
  kb("FindClose", 1, bridge("NtClose"), "BOOL FindClose(HANDLE hFindFile)"),
  kb(
    "SetFilePointer",
    4,
    bridge("NtSetInformationFile"),
    "DWORD SetFilePointer(HANDLE hFile, LONG lDistanceToMove, PLONG lpDistanceToMoveHigh, DWORD dwMoveMethod)",
  ),
  kb(
    "SetFilePointerEx",
    4,
    bridge("NtSetInformationFile"),
    "BOOL SetFilePointerEx(HANDLE hFile, LARGE_INTEGER liDistanceToMove, PLARGE_INTEGER lpNewFilePointer, DWORD dwMoveMethod)",
    "x64",
  ),
  // The LARGE_INTEGER by value takes two stack slots in 32-bit code.
  kb(
    "SetFilePointerEx",
    5,
    bridge("NtSetInformationFile"),
    "BOOL SetFilePointerEx(HANDLE hFile, LARGE_INTEGER liDistanceToMove, PLARGE_INTEGER lpNewFilePointer, DWORD dwMoveMethod)",
    "x86",
  ),
  kb(
    "GetFileSize",
    2,
    bridge("NtQueryInformationFile"),
    "DWORD GetFileSize(HANDLE hFile, LPDWORD lpFileSizeHigh)",
  ),
  kb(
    "GetFileSizeEx",
    2,
    bridge("NtQueryInformationFile"),
    "BOOL GetFileSizeEx(HANDLE hFile, PLARGE_INTEGER lpFileSize)",
  ),
  ...aw("GetCurrentDirectory", 2, TRAP, "DWORD GetCurrentDirectoryT(DWORD nBufferLength, LPTSTR lpBuffer)"),
  kb("Wow64DisableWow64FsRedirection", 1, TRAP, "BOOL Wow64DisableWow64FsRedirection(PVOID *OldValue)"),
  kb("Wow64RevertWow64FsRedirection", 1, TRAP, "BOOL Wow64RevertWow64FsRedirection(PVOID OlValue)"),
];
