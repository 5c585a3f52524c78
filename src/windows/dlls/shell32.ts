/**
 * shell32.dll (x64 in System32, x86 in SysWOW64): only what console programs import from it,
 * CommandLineToArgvW (shellapi.h). A trap; the TypeScript half is in ../api/shell32.ts. The real DLL is
 * large (the shell namespace, COM); everything else is absent, so a program importing it fails to load
 * with the missing export's name.
 */
import type { ApiDecl } from "./decl";

export const SHELL32: readonly ApiDecl[] = [
  {
    dll: "shell32",
    arch: "both",
    name: "CommandLineToArgvW",
    argc: 2,
    conv: "stdcall",
    impl: { kind: "trap" },
    doc: "LPWSTR *CommandLineToArgvW(LPCWSTR lpCmdLine, int *pNumArgs)",
  },
];
