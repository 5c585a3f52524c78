/**
 * Virtual memory and file mappings: VirtualAlloc/Free/Protect/Query → NtAllocate/Free/Protect/
 * QueryVirtualMemory; CreateFileMappingA/W → NtCreateSection; MapViewOfFile(Ex) → NtMapViewOfSection;
 * UnmapViewOfFile → NtUnmapViewOfSection. Each is a bridge: the Nt call is real code through ntdll.
 */
import { unimplemented } from "../kernel/context";
import {
  MEM_LARGE_PAGES,
  MEM_RESERVE,
  PAGE_EXECUTE_READ,
  PAGE_EXECUTE_READWRITE,
  PAGE_EXECUTE_WRITECOPY,
  PAGE_NOACCESS,
  PAGE_READONLY,
  PAGE_READWRITE,
  PAGE_WRITECOPY,
} from "../memory/constants";
import { MemoryBasicInformation } from "../kernel/memory";
import {
  OBJ_INHERIT,
  SECTION_MAP_EXECUTE,
  SECTION_MAP_READ,
  SECTION_MAP_WRITE,
  SECTION_QUERY,
  ViewShare,
} from "../kernel/section";
import { STANDARD_RIGHTS_REQUIRED } from "../kernel/handles";
import { ntSuccess } from "../kernel/status";
import {
  bridge,
  CURRENT_PROCESS,
  FALSE,
  TRUE,
  type ApiEntry,
  type ApiFamily,
  type BridgeCall,
} from "./context";
import { ERROR_SUCCESS } from "./errors";
import { setLastNtError } from "./state";

export const FILE_MAP_COPY = 0x0001;
export const FILE_MAP_WRITE = 0x0002;
export const FILE_MAP_READ = 0x0004;
export const FILE_MAP_EXECUTE = 0x0020;
export const FILE_MAP_LARGE_PAGES = 0x20000000;
export const FILE_MAP_TARGETS_INVALID = 0x40000000;
export const FILE_MAP_RESERVE = 0x80000000;

/** The SEC_* bits CreateFileMapping takes from flProtect as the section's allocation attributes. */
const SEC_BITS = 0xfff00000 | 0x000c0000;
const SEC_COMMIT = 0x08000000;

/** TRUE, or FALSE with the last error from the status. */
function boolResult(c: BridgeCall, status: number): number {
  if (ntSuccess(status)) return TRUE;
  setLastNtError(c, status);
  return FALSE;
}

/** A pointer from a local on success, NULL with the last error otherwise. */
function pointerResult(c: BridgeCall, status: number, local: number): number {
  if (ntSuccess(status)) return c.readPtr(local);
  setLastNtError(c, status);
  return 0;
}

/** Writes a 64-bit LARGE_INTEGER from its two DWORD halves. */
function writeLargeInteger(c: BridgeCall, at: number, high: number, low: number): void {
  c.mem.w32(at, low);
  c.mem.w32(at + 4, high);
}

/** CreateFileMappingA/W: flProtect carries the SEC_* attributes (SEC_COMMIT when none) and the page protection. */
const createFileMapping: ApiEntry = bridge({
  pre: (c) => {
    const file = c.sarg(0);
    const sa = c.arg(1);
    const flProtect = c.u32(2);
    const high = c.u32(3);
    const low = c.u32(4);
    if (c.arg(5) !== 0) return unimplemented(c.entry.name, "named file mappings (no object namespace yet)");
    const protect = (flProtect & ~SEC_BITS) >>> 0;
    const attributes = (flProtect & SEC_BITS) >>> 0 || SEC_COMMIT;
    let access = STANDARD_RIGHTS_REQUIRED | SECTION_QUERY | SECTION_MAP_READ;
    if (protect === PAGE_READWRITE) access |= SECTION_MAP_WRITE;
    else if (protect === PAGE_EXECUTE_READ || protect === PAGE_EXECUTE_WRITECOPY)
      access |= SECTION_MAP_EXECUTE;
    else if (protect === PAGE_EXECUTE_READWRITE) access |= SECTION_MAP_WRITE | SECTION_MAP_EXECUTE;
    const handle = c.local(0);
    const size = c.local(1);
    c.writePtr(handle, 0);
    writeLargeInteger(c, size, high, low);
    // A security descriptor or inheritance needs OBJECT_ATTRIBUTES, built in the free argument slots.
    let oa = 0;
    if (sa !== 0) {
      const p = c.ptrSize;
      oa = c.slot(7);
      c.mem.write(oa, new Uint8Array(6 * p));
      c.mem.w32(oa, 6 * p);
      c.mem.w32(oa + 3 * p, c.mem.u32(sa + 2 * p) !== 0 ? OBJ_INHERIT : 0);
      c.writePtr(oa + 4 * p, c.readPtr(sa + p));
    }
    c.nt(0, handle);
    c.nt(1, access);
    c.nt(2, oa);
    // A file mapping of size 0 is as large as the file: MaximumSize NULL.
    c.nt(3, file !== -1 && high === 0 && low === 0 ? 0 : size);
    c.nt(4, protect);
    c.nt(5, attributes);
    c.nt(6, file === -1 ? 0 : file);
  },
  post: (c, status) => {
    if (!ntSuccess(status)) {
      setLastNtError(c, status);
      return 0;
    }
    c.setLastError(ERROR_SUCCESS);
    return c.readPtr(c.local(0));
  },
});

/** MapViewOfFile(Ex): the page protection from the FILE_MAP_* access, the 64-bit offset from its halves. */
const mapViewOfFile: ApiEntry = bridge({
  pre: (c) => {
    const access = c.u32(1);
    const exec = (access & FILE_MAP_EXECUTE) !== 0;
    const plain =
      access & ~(FILE_MAP_EXECUTE | FILE_MAP_RESERVE | FILE_MAP_LARGE_PAGES | FILE_MAP_TARGETS_INVALID);
    let protect: number;
    if (plain === FILE_MAP_COPY) protect = exec ? PAGE_EXECUTE_WRITECOPY : PAGE_WRITECOPY;
    else if (access & FILE_MAP_WRITE) protect = exec ? PAGE_EXECUTE_READWRITE : PAGE_READWRITE;
    else if (access & FILE_MAP_READ) protect = exec ? PAGE_EXECUTE_READ : PAGE_READONLY;
    else protect = PAGE_NOACCESS;
    let type = 0;
    if (access & FILE_MAP_RESERVE) type |= MEM_RESERVE;
    if (access & FILE_MAP_LARGE_PAGES) type |= MEM_LARGE_PAGES;
    const base = c.local(0);
    const viewSize = c.local(1);
    const offset = c.local(2);
    c.writePtr(base, c.entry.name === "MapViewOfFileEx" ? c.arg(5) : 0);
    c.writePtr(viewSize, c.arg(4));
    writeLargeInteger(c, offset, c.u32(2), c.u32(3));
    c.nt(0, c.sarg(0));
    c.nt(1, CURRENT_PROCESS);
    c.nt(2, base);
    c.nt(3, 0);
    c.nt(4, 0);
    c.nt(5, offset);
    c.nt(6, viewSize);
    c.nt(7, ViewShare);
    c.nt(8, type);
    c.nt(9, protect);
  },
  post: (c, status) => pointerResult(c, status, c.local(0)),
});

export const memoryApis: ApiFamily = {
  /** LPVOID VirtualAlloc(LPVOID lpAddress, SIZE_T dwSize, DWORD flAllocationType, DWORD flProtect). */
  VirtualAlloc: bridge({
    pre: (c) => {
      c.writePtr(c.local(0), c.arg(0));
      c.writePtr(c.local(1), c.arg(1));
      c.nt(0, CURRENT_PROCESS);
      c.nt(1, c.local(0));
      c.nt(2, 0);
      c.nt(3, c.local(1));
      c.nt(4, c.u32(2));
      c.nt(5, c.u32(3));
    },
    post: (c, status) => pointerResult(c, status, c.local(0)),
  }),

  /** BOOL VirtualFree(LPVOID lpAddress, SIZE_T dwSize, DWORD dwFreeType). */
  VirtualFree: bridge({
    pre: (c) => {
      c.writePtr(c.local(0), c.arg(0));
      c.writePtr(c.local(1), c.arg(1));
      c.nt(0, CURRENT_PROCESS);
      c.nt(1, c.local(0));
      c.nt(2, c.local(1));
      c.nt(3, c.u32(2));
    },
    post: boolResult,
  }),

  /** BOOL VirtualProtect(LPVOID lpAddress, SIZE_T dwSize, DWORD flNewProtect, PDWORD lpflOldProtect). */
  VirtualProtect: bridge({
    pre: (c) => {
      c.writePtr(c.local(0), c.arg(0));
      c.writePtr(c.local(1), c.arg(1));
      c.nt(0, CURRENT_PROCESS);
      c.nt(1, c.local(0));
      c.nt(2, c.local(1));
      c.nt(3, c.u32(2));
      c.nt(4, c.arg(3));
    },
    post: boolResult,
  }),

  /** SIZE_T VirtualQuery(LPCVOID lpAddress, PMEMORY_BASIC_INFORMATION lpBuffer, SIZE_T dwLength). */
  VirtualQuery: bridge({
    pre: (c) => {
      c.writePtr(c.local(0), 0);
      c.nt(0, CURRENT_PROCESS);
      c.nt(1, c.arg(0));
      c.nt(2, MemoryBasicInformation);
      c.nt(3, c.arg(1));
      c.nt(4, c.arg(2));
      c.nt(5, c.local(0));
    },
    post: (c, status) => pointerResult(c, status, c.local(0)),
  }),

  CreateFileMappingA: createFileMapping,
  CreateFileMappingW: createFileMapping,
  MapViewOfFile: mapViewOfFile,
  MapViewOfFileEx: mapViewOfFile,

  /** BOOL UnmapViewOfFile(LPCVOID lpBaseAddress). */
  UnmapViewOfFile: bridge({
    pre: (c) => {
      c.nt(0, CURRENT_PROCESS);
      c.nt(1, c.arg(0));
    },
    post: boolResult,
  }),
};
