/**
 * Offsets of the user-mode structures the kernel and the API traps read, for the 64-bit layout and the
 * 32-bit one (a WOW64 process's PEB32/TEB32). Values are those of the public symbols of ntdll (winternl.h
 * documents a subset: PEB, TEB, PEB_LDR_DATA, RTL_USER_PROCESS_PARAMETERS); TEB64/TEB32 come from
 * ../dlls/code.ts, which the machine code uses.
 */
import { TEB32, TEB64 } from "../dlls/code";

export interface Layout {
  readonly ptr: 4 | 8;
  readonly teb: {
    readonly Self: number;
    readonly Peb: number;
    readonly LastErrorValue: number;
    readonly LastStatusValue: number;
    readonly TlsSlots: number;
    readonly TlsExpansionSlots: number;
  };
  readonly peb: {
    readonly ImageBaseAddress: number;
    readonly Ldr: number;
    readonly ProcessParameters: number;
    readonly ProcessHeap: number;
    readonly TlsBitmapBits: number;
  };
  readonly params: {
    readonly StandardInput: number;
    readonly StandardOutput: number;
    readonly StandardError: number;
    readonly ImagePathName: number;
    readonly CommandLine: number;
  };
  readonly ldr: { readonly InLoadOrderModuleList: number };
  readonly entry: {
    readonly DllBase: number;
    readonly SizeOfImage: number;
    readonly FullDllName: number;
    readonly BaseDllName: number;
  };
}

export const LAYOUT64: Layout = {
  ptr: 8,
  teb: {
    Self: TEB64.Self,
    Peb: TEB64.Peb,
    LastErrorValue: TEB64.LastErrorValue,
    LastStatusValue: 0x1250,
    TlsSlots: TEB64.TlsSlots,
    TlsExpansionSlots: 0x1780,
  },
  peb: { ImageBaseAddress: 0x10, Ldr: 0x18, ProcessParameters: 0x20, ProcessHeap: 0x30, TlsBitmapBits: 0x80 },
  params: {
    StandardInput: 0x20,
    StandardOutput: 0x28,
    StandardError: 0x30,
    ImagePathName: 0x60,
    CommandLine: 0x70,
  },
  ldr: { InLoadOrderModuleList: 0x10 },
  entry: { DllBase: 0x30, SizeOfImage: 0x40, FullDllName: 0x48, BaseDllName: 0x58 },
};

export const LAYOUT32: Layout = {
  ptr: 4,
  teb: {
    Self: TEB32.Self,
    Peb: TEB32.Peb,
    LastErrorValue: TEB32.LastErrorValue,
    LastStatusValue: 0xbf4,
    TlsSlots: TEB32.TlsSlots,
    TlsExpansionSlots: 0xf94,
  },
  peb: { ImageBaseAddress: 0x08, Ldr: 0x0c, ProcessParameters: 0x10, ProcessHeap: 0x18, TlsBitmapBits: 0x44 },
  params: {
    StandardInput: 0x18,
    StandardOutput: 0x1c,
    StandardError: 0x20,
    ImagePathName: 0x38,
    CommandLine: 0x40,
  },
  ldr: { InLoadOrderModuleList: 0x0c },
  entry: { DllBase: 0x18, SizeOfImage: 0x20, FullDllName: 0x24, BaseDllName: 0x2c },
};

export function layoutOf(arch: "x86" | "x64"): Layout {
  return arch === "x64" ? LAYOUT64 : LAYOUT32;
}
