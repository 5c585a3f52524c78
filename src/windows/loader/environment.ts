/**
 * The process environment as the Windows loader and kernel leave it before the first instruction: the
 * PEB, RTL_USER_PROCESS_PARAMETERS (image path, command line, current directory, environment block,
 * standard handles), PEB_LDR_DATA with its three module lists, and a thread's TEB. Each function writes
 * one structure (and the strings it points to) for the 64-bit or the 32-bit layout.
 */
import type { AddressSpace } from "../memory/address-space";
import { MEM_COMMIT, MEM_RESERVE, PAGE_READWRITE, PAGE_SIZE } from "../memory/constants";
import { STATUS_SUCCESS } from "../ntstatus";
import { Blob, peekU32, peekU64, pokeU32, pokeU64 } from "./blob";
import { LoadError } from "./errors";
import {
  LDR_ENTRY32,
  LDR_ENTRY64,
  LDRP_ENTRY_PROCESSED,
  LDRP_IMAGE_DLL,
  LDRP_PROCESS_ATTACH_CALLED,
  PARAMS32,
  PARAMS64,
  PEB32,
  PEB64,
  PEB_LDR_DATA32,
  PEB_LDR_DATA64,
  RTL_USER_PROC_PARAMS_NORMALIZED,
  TEB32,
  TEB64,
  TEB_INITIAL_THREAD,
} from "./layout";
import type { Module } from "./modules";

/** Allocate committed read-write memory for a structure block (for the 32-bit side: below 2/4 GB). */
export function allocateBlock(mem: AddressSpace, size: number, native64: boolean): number {
  const r = mem.allocate(
    0,
    Math.ceil(size / PAGE_SIZE) * PAGE_SIZE,
    MEM_RESERVE | MEM_COMMIT,
    PAGE_READWRITE,
    0,
    {
      native64,
    },
  );
  if (r.status !== STATUS_SUCCESS)
    throw new LoadError(`cannot allocate ${size} bytes of process data`, r.status);
  return r.base;
}

/** Windows command-line quoting (the rules CommandLineToArgvW and the C runtime parse back). */
export function quoteArg(arg: string): string {
  if (arg.length > 0 && !/[ \t\n\v"]/.test(arg)) return arg;
  let out = '"';
  let slashes = 0;
  for (const ch of arg) {
    if (ch === "\\") {
      slashes++;
      continue;
    }
    if (ch === '"') out += "\\".repeat(2 * slashes + 1) + '"';
    else out += "\\".repeat(slashes) + ch;
    slashes = 0;
  }
  return out + "\\".repeat(2 * slashes) + '"';
}

/** The environment block: "NAME=value\0" entries sorted by name (case-insensitive), then "\0". */
export function environmentBlock(env: Readonly<Record<string, string>>): string {
  const names = Object.keys(env).sort((x, y) => {
    const a = x.toUpperCase();
    const b = y.toUpperCase();
    return a < b ? -1 : a > b ? 1 : 0;
  });
  return names.map((n) => `${n}=${env[n]}\0`).join("") + "\0";
}

/** A deterministic environment like a fresh Windows 10 user session's. */
export function defaultEnvironment(wow64: boolean): Record<string, string> {
  const user = "C:\\Users\\user";
  const env: Record<string, string> = {
    ALLUSERSPROFILE: "C:\\ProgramData",
    APPDATA: `${user}\\AppData\\Roaming`,
    CommonProgramFiles: wow64 ? "C:\\Program Files (x86)\\Common Files" : "C:\\Program Files\\Common Files",
    "CommonProgramFiles(x86)": "C:\\Program Files (x86)\\Common Files",
    CommonProgramW6432: "C:\\Program Files\\Common Files",
    COMPUTERNAME: "WOWDBG",
    ComSpec: "C:\\Windows\\system32\\cmd.exe",
    HOMEDRIVE: "C:",
    HOMEPATH: "\\Users\\user",
    LOCALAPPDATA: `${user}\\AppData\\Local`,
    NUMBER_OF_PROCESSORS: "1",
    OS: "Windows_NT",
    Path: "C:\\Windows\\system32;C:\\Windows;C:\\Windows\\System32\\Wbem",
    PATHEXT: ".COM;.EXE;.BAT;.CMD;.VBS;.VBE;.JS;.JSE;.WSF;.WSH;.MSC",
    PROCESSOR_ARCHITECTURE: wow64 ? "x86" : "AMD64",
    ProgramData: "C:\\ProgramData",
    ProgramFiles: wow64 ? "C:\\Program Files (x86)" : "C:\\Program Files",
    "ProgramFiles(x86)": "C:\\Program Files (x86)",
    ProgramW6432: "C:\\Program Files",
    PUBLIC: "C:\\Users\\Public",
    SystemDrive: "C:",
    SystemRoot: "C:\\Windows",
    TEMP: `${user}\\AppData\\Local\\Temp`,
    TMP: `${user}\\AppData\\Local\\Temp`,
    USERDOMAIN: "WOWDBG",
    USERNAME: "user",
    USERPROFILE: user,
    windir: "C:\\Windows",
  };
  if (wow64) env.PROCESSOR_ARCHITEW6432 = "AMD64";
  return env;
}

export interface ParamsInput {
  readonly imagePath: string;
  readonly commandLine: string;
  /** With its trailing backslash ("C:\\app\\"). */
  readonly currentDirectory: string;
  /** The environment block text (environmentBlock). */
  readonly environment: string;
  readonly stdInput: number;
  readonly stdOutput: number;
  readonly stdError: number;
}

/** RTL_USER_PROCESS_PARAMETERS (normalized: absolute pointers) with its strings and environment. */
export function writeProcessParameters(
  mem: AddressSpace,
  bits: 32 | 64,
  p: ParamsInput,
  native64: boolean,
): { address: number; environment: number } {
  const L = bits === 64 ? PARAMS64 : PARAMS32;
  const desktop = "Winsta0\\Default";
  const strings = [p.imagePath, p.commandLine, p.currentDirectory, p.imagePath, desktop, ""];
  const size = L.size + strings.reduce((n, s) => n + 2 * s.length + 8, 0) + 2 * p.environment.length + 64;
  const base = allocateBlock(mem, size, native64);
  const b = new Blob(base, Math.ceil(size / PAGE_SIZE) * PAGE_SIZE, bits);
  const at = b.alloc(L.size, 16);
  b.u32(at + L.Flags, RTL_USER_PROC_PARAMS_NORMALIZED);
  b.ptr(at + L.StandardInput, p.stdInput);
  b.ptr(at + L.StandardOutput, p.stdOutput);
  b.ptr(at + L.StandardError, p.stdError);
  // CURDIR.DosPath: MaximumLength is MAX_PATH characters (RtlCreateProcessParameters)
  const cwd = b.wstr(p.currentDirectory);
  b.unicodeStringAt(at + L.CurrentDirectory, cwd.addr, cwd.length, 2 * 260);
  b.unicodeString(at + L.DllPath, "", 0);
  b.unicodeString(at + L.ImagePathName, p.imagePath);
  b.unicodeString(at + L.CommandLine, p.commandLine);
  b.unicodeString(at + L.WindowTitle, p.imagePath);
  b.unicodeString(at + L.DesktopInfo, desktop);
  b.unicodeString(at + L.ShellInfo, "", 0);
  b.unicodeString(at + L.RuntimeData, "", 0);
  b.u32(at + L.ShowWindowFlags, 1); // SW_SHOWNORMAL
  const env = b.alloc(2 * p.environment.length, 16);
  for (let k = 0; k < p.environment.length; k++) b.u16(env + 2 * k, p.environment.charCodeAt(k));
  b.ptr(at + L.Environment, env);
  b.ptr(at + L.EnvironmentSize, 2 * p.environment.length);
  b.u32(at + L.MaximumLength, b.used);
  b.u32(at + L.Length, b.used);
  b.commit(mem);
  return { address: at, environment: env };
}

/**
 * PEB_LDR_DATA and one LDR_DATA_TABLE_ENTRY per module: InLoadOrder and InMemoryOrder in `loadOrder`,
 * InInitializationOrder in `initOrder` (the program itself is not in that list). Returns the address of
 * PEB_LDR_DATA and each module's entry.
 */
export function writeLoaderData(
  mem: AddressSpace,
  bits: 32 | 64,
  loadOrder: readonly Module[],
  initOrder: readonly Module[],
  native64: boolean,
): { ldr: number; entries: Map<Module, number> } {
  const L = bits === 64 ? PEB_LDR_DATA64 : PEB_LDR_DATA32;
  const E = bits === 64 ? LDR_ENTRY64 : LDR_ENTRY32;
  const size =
    L.size + loadOrder.reduce((n, m) => n + E.size + 2 * (m.path.length + m.name.length) + 32, 0) + 64;
  const base = allocateBlock(mem, size, native64);
  const b = new Blob(base, Math.ceil(size / PAGE_SIZE) * PAGE_SIZE, bits);
  const ldr = b.alloc(L.size, 16);
  b.u32(ldr + L.Length, L.size);
  b.u8(ldr + L.Initialized, 1);
  const entries = new Map<Module, number>();
  for (const m of loadOrder) {
    const e = b.alloc(E.size, 16);
    entries.set(m, e);
    b.ptr(e + E.DllBase, m.base);
    b.ptr(e + E.EntryPoint, m.entry);
    b.u32(e + E.SizeOfImage, m.size);
    b.unicodeString(e + E.FullDllName, m.path);
    b.unicodeString(e + E.BaseDllName, m.name);
    let flags = LDRP_ENTRY_PROCESSED | LDRP_PROCESS_ATTACH_CALLED;
    if (m.kind !== "exe") flags |= LDRP_IMAGE_DLL;
    b.u32(e + E.Flags, flags);
    b.u16(e + E.ObsoleteLoadCount, 0xffff); // statically loaded: never unloaded
    b.u16(e + E.TlsIndex, m.tlsIndex >= 0 ? m.tlsIndex : 0);
    b.listEntry(e + E.HashLinks, e + E.HashLinks, e + E.HashLinks);
    b.u32(e + E.TimeDateStamp, m.pe.fileHeader.timeDateStamp);
  }
  const link = (head: number, offset: number, list: readonly Module[]): void => {
    const nodes = [head, ...list.map((m) => (entries.get(m) as number) + offset)];
    for (let k = 0; k < nodes.length; k++) {
      const next = nodes[(k + 1) % nodes.length];
      const prev = nodes[(k + nodes.length - 1) % nodes.length];
      b.listEntry(nodes[k], next, prev);
    }
  };
  link(ldr + L.InLoadOrderModuleList, E.InLoadOrderLinks, loadOrder);
  link(ldr + L.InMemoryOrderModuleList, E.InMemoryOrderLinks, loadOrder);
  link(ldr + L.InInitializationOrderModuleList, E.InInitializationOrderLinks, initOrder);
  // Entries outside the initialization list (the program) link to themselves.
  for (const m of loadOrder) {
    if (initOrder.includes(m)) continue;
    const e = (entries.get(m) as number) + E.InInitializationOrderLinks;
    b.listEntry(e, e, e);
  }
  b.commit(mem);
  return { ldr, entries };
}

export interface PebInput {
  readonly imageBase: number;
  readonly ldr: number;
  readonly params: number;
  readonly heap: number;
  readonly heapReserve: number;
  readonly heapCommit: number;
  readonly relocated: boolean;
  readonly beingDebugged: boolean;
  readonly osBuild: number;
  readonly subsystem: number;
  readonly subsystemMajor: number;
  readonly subsystemMinor: number;
}

/** The PEB at `at` (its page is committed by the caller). */
export function writePeb(mem: AddressSpace, bits: 32 | 64, at: number, p: PebInput): void {
  const L = bits === 64 ? PEB64 : PEB32;
  const heaps = 16;
  const b = new Blob(at, PAGE_SIZE, bits);
  b.alloc(L.size, 16);
  const heapList = b.alloc(heaps * b.ptrSize, 16);
  b.u8(at + L.BeingDebugged, p.beingDebugged ? 1 : 0);
  b.u8(at + L.BitField, p.relocated ? 0x04 : 0); // IsImageDynamicallyRelocated
  b.ptr(at + L.Mutant, bits === 64 ? -1 : 0xffffffff);
  b.ptr(at + L.ImageBaseAddress, p.imageBase);
  b.ptr(at + L.Ldr, p.ldr);
  b.ptr(at + L.ProcessParameters, p.params);
  b.ptr(at + L.ProcessHeap, p.heap);
  b.u32(at + L.NumberOfProcessors, 1);
  // CriticalSectionTimeout: 30 days, as a negative (relative) NT time: -2592000 s × 10^7
  const timeout = (1n << 64n) - 25_920_000_000_000n;
  b.u32(at + L.CriticalSectionTimeout, Number(timeout & 0xffffffffn));
  b.u32(at + L.CriticalSectionTimeout + 4, Number(timeout >> 32n));
  b.ptr(at + L.HeapSegmentReserve, p.heapReserve);
  b.ptr(at + L.HeapSegmentCommit, p.heapCommit);
  b.u32(at + L.NumberOfHeaps, 1);
  b.u32(at + L.MaximumNumberOfHeaps, heaps);
  b.ptr(at + L.ProcessHeaps, heapList);
  b.ptr(heapList, p.heap);
  b.u32(at + L.OSMajorVersion, 10);
  b.u32(at + L.OSMinorVersion, 0);
  b.u16(at + L.OSBuildNumber, p.osBuild);
  b.u32(at + L.OSPlatformId, 2); // VER_PLATFORM_WIN32_NT
  b.u32(at + L.ImageSubsystem, p.subsystem);
  b.u32(at + L.ImageSubsystemMajorVersion, p.subsystemMajor);
  b.u32(at + L.ImageSubsystemMinorVersion, p.subsystemMinor);
  b.ptr(at + L.ActiveProcessAffinityMask, 1);
  b.u32(at + L.SessionId, 1);
  b.commit(mem);
}

export interface TebInput {
  readonly peb: number;
  readonly pid: number;
  readonly tid: number;
  readonly stackBase: number;
  readonly stackLimit: number;
  readonly deallocationStack: number;
  /** NtTib.ExceptionList: 0xFFFFFFFF (end of the SEH chain) for x86, TEB32 in a WOW64 TEB64, else 0. */
  readonly exceptionList: number;
  /** TEB.ThreadLocalStoragePointer (0: none). */
  readonly tls: number;
  /** WowTebOffset: TEB32 − TEB64 in TEB64, its negation in TEB32, 0 for a native thread. */
  readonly wowTebOffset: number;
  /** TlsSlots[0], TlsSlots[1] (WOW64: the 64-bit stack pointer, WOW64_CPURESERVED). */
  readonly tlsSlots?: readonly number[];
  /** SameTebFlags.InitialThread (default true; false for threads created later). */
  readonly initialThread?: boolean;
}

/** A TEB at `at` (its pages are committed by the caller). */
export function writeTeb(mem: AddressSpace, bits: 32 | 64, at: number, t: TebInput): void {
  const L = bits === 64 ? TEB64 : TEB32;
  const b = new Blob(at, L.pages * PAGE_SIZE, bits);
  b.ptr(at + L.ExceptionList, t.exceptionList);
  b.ptr(at + L.StackBase, t.stackBase);
  b.ptr(at + L.StackLimit, t.stackLimit);
  b.ptr(at + L.Self, at);
  b.ptr(at + L.UniqueProcess, t.pid);
  b.ptr(at + L.UniqueThread, t.tid);
  b.ptr(at + L.RealUniqueProcess, t.pid);
  b.ptr(at + L.RealUniqueThread, t.tid);
  b.ptr(at + L.ThreadLocalStoragePointer, t.tls);
  b.ptr(at + L.ProcessEnvironmentBlock, t.peb);
  b.u32(at + L.CurrentLocale, 0x409); // en-US
  b.unicodeStringAt(at + L.StaticUnicodeString, at + L.StaticUnicodeBuffer, 0, 2 * 261);
  b.ptr(at + L.DeallocationStack, t.deallocationStack);
  (t.tlsSlots ?? []).forEach((v, k) => b.ptr(at + L.TlsSlots + k * b.ptrSize, v));
  b.u16(at + L.SameTebFlags, t.initialThread === false ? 0 : TEB_INITIAL_THREAD);
  b.i32(at + L.WowTebOffset, t.wowTebOffset);
  b.commit(mem);
}

/**
 * Add a module loaded at run time (LoadLibrary) to the three lists of an existing PEB_LDR_DATA, at their
 * tails (InitializationOrder too: it is initialized after everything already there).
 */
export function appendLoaderEntry(
  mem: AddressSpace,
  bits: 32 | 64,
  ldr: number,
  m: Module,
  native64: boolean,
): number {
  const L = bits === 64 ? PEB_LDR_DATA64 : PEB_LDR_DATA32;
  const E = bits === 64 ? LDR_ENTRY64 : LDR_ENTRY32;
  const size = E.size + 2 * (m.path.length + m.name.length) + 32;
  const base = allocateBlock(mem, size, native64);
  const b = new Blob(base, Math.ceil(size / PAGE_SIZE) * PAGE_SIZE, bits);
  const e = b.alloc(E.size, 16);
  b.ptr(e + E.DllBase, m.base);
  b.ptr(e + E.EntryPoint, m.entry);
  b.u32(e + E.SizeOfImage, m.size);
  b.unicodeString(e + E.FullDllName, m.path);
  b.unicodeString(e + E.BaseDllName, m.name);
  b.u32(e + E.Flags, LDRP_IMAGE_DLL | LDRP_ENTRY_PROCESSED | LDRP_PROCESS_ATTACH_CALLED);
  b.u16(e + E.ObsoleteLoadCount, 1);
  b.listEntry(e + E.HashLinks, e + E.HashLinks, e + E.HashLinks);
  b.u32(e + E.TimeDateStamp, m.pe.fileHeader.timeDateStamp);
  const ps = bits === 64 ? 8 : 4;
  const rd = (a: number): number => (bits === 64 ? (peekU64(mem, a) ?? 0) : (peekU32(mem, a) ?? 0));
  const wr = (a: number, v: number): void => (bits === 64 ? pokeU64(mem, a, v) : pokeU32(mem, a, v));
  const links: [number, number][] = [
    [L.InLoadOrderModuleList, E.InLoadOrderLinks],
    [L.InMemoryOrderModuleList, E.InMemoryOrderLinks],
    [L.InInitializationOrderModuleList, E.InInitializationOrderLinks],
  ];
  const tails = links.map(([head]) => rd(ldr + head + ps));
  links.forEach(([head, off], k) => b.listEntry(e + off, ldr + head, tails[k]));
  b.commit(mem);
  links.forEach(([head, off], k) => {
    wr(tails[k], e + off); // old tail's Flink
    wr(ldr + head + ps, e + off); // head's Blink
  });
  return e;
}
