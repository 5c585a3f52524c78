/**
 * The adapter's custom DAP requests, for the extension's views (Virtual Memory, Syscalls, Instruction).
 * Shared by the adapter (src/debugger/session.ts) and the extension, which sends them with
 * `session.customRequest(command, args)`. Addresses are numbers (user-mode addresses fit in 2^53).
 */

/** `wowdbg/regions`: the address space as VirtualQuery walks it. */
export const REGIONS_REQUEST = "wowdbg/regions";

export interface RegionsArguments {
  /** Include the free gaps (MEM_FREE regions). Default false. */
  includeFree?: boolean;
  /** Paging: the first region and how many (default: all). */
  start?: number;
  count?: number;
}

export interface MemoryRegion {
  baseAddress: number;
  allocationBase: number;
  /** PAGE_* at allocation time. */
  allocationProtect: number;
  regionSize: number;
  /** MEM_COMMIT, MEM_RESERVE, MEM_FREE. */
  state: number;
  /** PAGE_* now (0 for reserved and free regions). */
  protect: number;
  /** MEM_PRIVATE, MEM_MAPPED, MEM_IMAGE; 0 for free regions. */
  type: number;
  kind: "free" | "private" | "mapped" | "image";
  /** Views: the section (an id stable for the section's lifetime) and the offset of this region in it. */
  sectionId?: number;
  sectionOffset?: number;
  /** Images: the module's Windows path and name. */
  path?: string;
  module?: string;
  /** WinDbg's `!address` usage: Image, Stack, Heap, TEB, PEB, MappedFile, <unknown>, Free. */
  usage?: string;
}

export interface RegionsResponseBody {
  /** Regions in the whole listing (before paging). */
  total: number;
  regions: MemoryRegion[];
}

/** `wowdbg/syscalls`: the syscall trace (every syscall the program made, in order). */
export const SYSCALLS_REQUEST = "wowdbg/syscalls";

export interface SyscallsArguments {
  start?: number;
  /** Default 1000. */
  count?: number;
}

export interface SyscallTraceRecord {
  index: number;
  number: number;
  name: string;
  /** "x86" when the call came through the WOW64 layer. */
  callerMode: "x86" | "x64";
  /** Arguments as the trace prints them (hex, small numbers decimal, negative handles signed). */
  args: string[];
  /** NTSTATUS returned; absent when the service did not return (the process ended in it). */
  status?: number;
  statusName?: string;
  /**
   * Where it was called, in the caller's mode, as a return address (the calling instruction ends just
   * before it): after the call to the ntdll stub (for an x86 caller, after its call to the 32-bit stub),
   * or after a direct `syscall` instruction.
   */
  callerAddress?: number;
  /** `callerAddress` as `module!symbol+0xoffset`, when it is in a module. */
  callerName?: string;
}

export interface SyscallsResponseBody {
  total: number;
  records: SyscallTraceRecord[];
}

/** `wowdbg/instruction`: an instruction's anatomy (prefixes, REX, opcode, ModRM, SIB, operands…). */
export const INSTRUCTION_REQUEST = "wowdbg/instruction";

export interface InstructionArguments {
  /** A memory reference or expression (`0x401000`, `eip`, `kernel32!VirtualAlloc`); default the IP. */
  address?: string;
  /** Decode mode; default the mode of the code there. */
  bits?: 32 | 64;
}

export interface InstructionFieldNode {
  name: string;
  value: string;
  /** A memory reference (`0x…`) when the field is an address. */
  address?: string;
  children?: InstructionFieldNode[];
}

export interface InstructionResponseBody {
  address: number;
  bits: 32 | 64;
  valid: boolean;
  /** iced-x86 Intel syntax. */
  text: string;
  /** `48 8b 05 …`. */
  bytes: string;
  fields: InstructionFieldNode[];
}

/** The launch configuration (`type: "wowdbg"`, `request: "launch"`). */
export interface WowdbgLaunchArguments {
  /** Host path of the program (PE32 or PE32+). */
  program?: string;
  args?: string[];
  /** The guest's current directory (a Windows path). */
  cwd?: string;
  env?: Record<string, string>;
  stopOnEntry?: boolean;
  /** Host path of raw code to run in a full process; needs `arch`. */
  shellcode?: string;
  arch?: "x86" | "x64";
  /** Entry offset in the shellcode. */
  entry?: number;
  /** Print every syscall to the debug console. */
  traceSyscalls?: boolean;
  /** The host folder that is drive C: (default an in-memory C:); the program's folder is C:\\app. */
  sandbox?: string;
  /** A registry file (.reg or .json): loaded when it exists, every change saved back. */
  registry?: string;
}
