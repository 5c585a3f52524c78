/**
 * user32.dll (x64 in System32, x86 in SysWOW64): the functions that do not call win32k (the window
 * manager's system calls, which wow64win.dll would thunk, are not emulated): CharUpper/CharLower (A/W).
 * Traps; the TypeScript halves are in ../api/user32.ts. Any other user32 import fails to load with the
 * missing export's name.
 */
import type { ApiDecl } from "./decl";

function u(name: string, doc: string): ApiDecl {
  return { dll: "user32", arch: "both", name, argc: 1, conv: "stdcall", impl: { kind: "trap" }, doc };
}

export const USER32: readonly ApiDecl[] = [
  u("CharUpperA", "LPSTR CharUpperA(LPSTR lpsz)"),
  u("CharUpperW", "LPWSTR CharUpperW(LPWSTR lpsz)"),
  u("CharLowerA", "LPSTR CharLowerA(LPSTR lpsz)"),
  u("CharLowerW", "LPWSTR CharLowerW(LPWSTR lpsz)"),
];
