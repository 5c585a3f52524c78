/**
 * Code-page conversions of kernelbase (kernel32 has thunks to them, as Windows 10's does):
 * MultiByteToWideChar, WideCharToMultiByte, IsDBCSLeadByteEx. libstdc++'s start-up (locale, codecvt)
 * imports them. TypeScript halves: src/windows/api/strings.ts.
 */
import type { ApiDecl } from "./decl";

const d = (name: string, argc: number, doc: string): ApiDecl => ({
  dll: "kernelbase",
  name,
  argc,
  conv: "stdcall",
  impl: { kind: "trap" },
  arch: "both",
  doc,
});

export const STRINGS_KERNELBASE: readonly ApiDecl[] = [
  d(
    "MultiByteToWideChar",
    6,
    "int MultiByteToWideChar(UINT CodePage, DWORD dwFlags, LPCCH lpMultiByteStr, int cbMultiByte, LPWSTR lpWideCharStr, int cchWideChar)",
  ),
  d(
    "WideCharToMultiByte",
    8,
    "int WideCharToMultiByte(UINT CodePage, DWORD dwFlags, LPCWCH lpWideCharStr, int cchWideChar, LPSTR lpMultiByteStr, int cbMultiByte, LPCCH lpDefaultChar, LPBOOL lpUsedDefaultChar)",
  ),
  d("IsDBCSLeadByteEx", 2, "BOOL IsDBCSLeadByteEx(UINT CodePage, BYTE TestChar)"),
];
