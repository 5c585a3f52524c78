/**
 * API declarations: one record per export (or internal trap function) of a synthetic system DLL, in
 * the spirit of speakeasy's `@apihook(name, argc, conv)`. The export tables, the trap tables and the
 * import tables of the images are derived from these records; there is no second list.
 *
 * Kinds:
 * - `syscall`: an ntdll NtXxx/ZwXxx stub (generated from the syscall table, not declared by hand).
 * - `forward`: an export forwarder string ("NTDLL.RtlAllocateHeap"), as kernel32!HeapAlloc is.
 * - `thunk`: `jmp [__imp_Dll!Name]`, a real function that jumps to another DLL's export (kernel32 →
 *   kernelbase, as Windows 10's kernel32 does); shellcode that resolves exports by walking the PEB
 *   finds real code here, not a forwarder string.
 * - `trap`: implemented in TypeScript behind `mov eax, id; vmcall; ret [n]` (see TrapEntry).
 * - `bridge`: an API with an NT counterpart: a TypeScript trap prepares the Nt call's arguments, real
 *   code calls ntdll!NtXxx (so the syscall is visible and breakable), a second trap turns the NTSTATUS
 *   into the API's result and last error (see BRIDGE_FRAME).
 * - `calls`: an API whose TypeScript half calls other exported functions (msvcrt's file functions calling
 *   kernel32!CreateFileW, ReadFile…): real code loops around a trap that hands out the next function and
 *   its arguments, so each call is an ordinary guest call — its system calls are visible and breakable,
 *   a debugger can stop and step inside it (see CALLS_FRAME).
 * - `data`: an exported variable in .data.
 * - `code`: hand-written machine code (the WOW64 transition, TEB accessors).
 */
import type { Asm } from "./asm";
import type { UnwindOp } from "./pe-writer";

export type DllName =
  | "ntdll"
  | "kernel32"
  | "kernelbase"
  | "wow64"
  | "wow64cpu"
  | "wow64win"
  | "advapi32"
  | "msvcrt"
  | "shell32"
  | "user32";
export type Arch = "x86" | "x64";
/** The x86 convention of a declaration; x64 code always uses the Microsoft x64 convention ("win64"). */
export type CallConv = "stdcall" | "cdecl";

/** What a code emitter may ask of the image being built. */
export interface EmitContext {
  readonly arch: Arch;
  /** IAT slot label of `dll!name`; the import is added to the image. */
  imp(dll: DllName, name: string): string;
  /** Absolute address of another image's export (for data known at build time), if that image is in the set. */
  addressOf(dll: DllName, arch: Arch, name: string): number | undefined;
}

/** Prolog description for .pdata (x64); offsets relative to the function start. */
export interface Prolog {
  readonly size: number;
  readonly unwind: readonly UnwindOp[];
}

export type ApiImpl =
  | { readonly kind: "syscall" }
  | { readonly kind: "forward"; readonly to: string }
  | { readonly kind: "thunk"; readonly dll: DllName; readonly name?: string }
  | { readonly kind: "trap" }
  | { readonly kind: "bridge"; readonly nt: string }
  | { readonly kind: "calls" }
  | { readonly kind: "data"; readonly size: number; readonly init?: (ctx: EmitContext) => number }
  | { readonly kind: "code"; readonly emit: (a: Asm, ctx: EmitContext) => Prolog | void };

export interface ApiDecl {
  readonly dll: DllName;
  /** The images this record applies to. */
  readonly arch: Arch | "both";
  readonly name: string;
  /** Parameter count (the x86 stdcall stack size is 4 × argc). */
  readonly argc: number;
  readonly conv: CallConv;
  readonly impl: ApiImpl;
  /** Further export names for the same code (ntdll's Zw* aliases of Nt*). */
  readonly aliases?: readonly string[];
  /** False for internal functions: in the symbol and trap tables, not in the export table. */
  readonly exported?: boolean;
  /** The documented prototype (MSDN / phnt), for the reader and the debugger. */
  readonly doc?: string;
}

export function applies(d: ApiDecl, arch: Arch): boolean {
  return d.arch === "both" || d.arch === arch;
}

/**
 * Bridge frame layout, shared by the generated code and the TypeScript pre/post handlers.
 *
 * x64: `Pre(frame = rcx, apiArgs = rdx)` writes the Nt call's arguments at frame[0x00..0x88) (17 qword
 * slots: the first four are loaded into rcx/rdx/r8/r9, the rest are the stack arguments), and may keep
 * locals (out variables such as the SIZE_T a VirtualAlloc passes by pointer) at frame[0x88..0xB8).
 * `Post(status = ecx, frame = rdx, apiArgs = r8)` returns the API's result in rax. apiArgs points at the
 * API's home area: its four register arguments were spilled there, stack arguments follow.
 *
 * x86: stdcall `Pre(frame, apiArgs)`; the Nt arguments are written at frame[0x00..0x44) (17 dword
 * slots, the stack the stdcall Nt stub pops), locals at frame[0x44..0x78); stdcall
 * `Post(status, frame, apiArgs)` returns the result in eax. apiArgs = the caller's arguments ([ebp+8]).
 */
export const BRIDGE_FRAME = {
  x64: { argsOffset: 0x00, argSlots: 17, localsOffset: 0x88, localsSize: 0x30, frameSize: 0xb8 },
  x86: { argsOffset: 0x00, argSlots: 17, localsOffset: 0x44, localsSize: 0x34, frameSize: 0x78 },
} as const;

/**
 * `calls` frame: the BRIDGE_FRAME's layout. x64: `Start(frame = rcx, apiArgs = rdx)` and
 * `Next(frame = rcx, apiArgs = rdx, result = r8)` (the previous call's RAX) return in rax the address of
 * the next function to call, its arguments written at frame[0x00..0x88) as for a bridge's Nt call, or 0
 * when the API is done, its result in the last local (frame[0xB0]). x86: stdcall `Start(frame, apiArgs)`,
 * `Next(frame, apiArgs, result)`; the arguments at frame[0x00..0x44) (a stdcall callee pops them, the
 * code resets ESP either way); the result in locals 11 and 12 (frame[0x70], frame[0x74]: EAX, EDX).
 * The TypeScript half may use the other locals.
 */
export const CALLS_RESULT = { x64: 0xb0, x86: 0x70 } as const;

/**
 * wow64!Wow64SystemServiceEx frame: the 64-bit arguments of the x64 ntdll call at [0x00..0x88) (17
 * slots), scratch for converted structures at [0x88..0x488).
 * `Wow64pThunkArguments(service = ecx, args32 = rdx, frame = r8)` fills the slots and scratch and returns
 * the address of the x64 ntdll stub to call in rax; `Wow64pThunkResults(status = ecx, service = edx,
 * args32 = r8, frame = r9)` writes the outputs back in 32-bit form and returns the status for eax.
 */
export const WOW64_FRAME = {
  argSlots: 17,
  scratchOffset: 0x88,
  scratchSize: 0x400,
  frameSize: 0x488,
} as const;
