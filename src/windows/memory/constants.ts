/**
 * Memory-manager constants: page and allocation granularity, the address-space limits of the two process
 * personalities, and the winnt.h flag values (MEM_*, PAGE_*, SEC_*).
 */

/** x86/x64 page size (GetSystemInfo dwPageSize). */
export const PAGE_SIZE = 0x1000;
/** Reservations start on 64 KB boundaries (GetSystemInfo dwAllocationGranularity). */
export const ALLOCATION_GRANULARITY = 0x10000;

/** Lowest address handed out: the first 64 KB are never allocated (MM_LOWEST_USER_ADDRESS). */
export const LOWEST_USER_ADDRESS = 0x10000;
/** Highest user address of a 64-bit process (MM_HIGHEST_USER_ADDRESS, lpMaximumApplicationAddress). */
export const HIGHEST_USER_ADDRESS_64 = 0x7ffffffeffff;
/** Highest address of a WOW64 process's 32-bit allocations, and with IMAGE_FILE_LARGE_ADDRESS_AWARE. */
export const HIGHEST_USER_ADDRESS_32 = 0x7ffeffff;
export const HIGHEST_USER_ADDRESS_32_LAA = 0xfffeffff;
/** KUSER_SHARED_DATA's fixed user-mode address (MM_SHARED_USER_DATA_VA), the same in every process. */
export const KUSER_SHARED_DATA = 0x7ffe0000;

// flAllocationType / dwFreeType / MEMORY_BASIC_INFORMATION.State and .Type (winnt.h)
export const MEM_COMMIT = 0x1000;
export const MEM_RESERVE = 0x2000;
export const MEM_DECOMMIT = 0x4000;
export const MEM_RELEASE = 0x8000;
export const MEM_FREE = 0x10000;
export const MEM_PRIVATE = 0x20000;
export const MEM_MAPPED = 0x40000;
export const MEM_RESET = 0x80000;
export const MEM_TOP_DOWN = 0x100000;
export const MEM_WRITE_WATCH = 0x200000;
export const MEM_PHYSICAL = 0x400000;
export const MEM_RESET_UNDO = 0x1000000;
export const MEM_IMAGE = 0x1000000;
export const MEM_LARGE_PAGES = 0x20000000;
export const MEM_DOS_LIM = 0x40000000;

// Page protections (winnt.h)
export const PAGE_NOACCESS = 0x01;
export const PAGE_READONLY = 0x02;
export const PAGE_READWRITE = 0x04;
export const PAGE_WRITECOPY = 0x08;
export const PAGE_EXECUTE = 0x10;
export const PAGE_EXECUTE_READ = 0x20;
export const PAGE_EXECUTE_READWRITE = 0x40;
export const PAGE_EXECUTE_WRITECOPY = 0x80;
export const PAGE_GUARD = 0x100;
export const PAGE_NOCACHE = 0x200;
export const PAGE_WRITECOMBINE = 0x400;

// Section allocation attributes (winnt.h)
export const SEC_FILE = 0x800000;
export const SEC_IMAGE = 0x1000000;
export const SEC_RESERVE = 0x4000000;
export const SEC_COMMIT = 0x8000000;
export const SEC_NOCACHE = 0x10000000;
export const SEC_WRITECOMBINE = 0x40000000;
export const SEC_LARGE_PAGES = 0x80000000;

/** Kind of a region as the debugger lists it (MEMORY_BASIC_INFORMATION.Type, plus free). */
export const enum RegionKind {
  Private = 1,
  Mapped = 2,
  Image = 3,
}

/** MEMORY_BASIC_INFORMATION, fields as VirtualQuery reports them. */
export interface MemoryBasicInformation {
  baseAddress: number;
  allocationBase: number;
  allocationProtect: number;
  regionSize: number;
  /** MEM_COMMIT, MEM_RESERVE or MEM_FREE. */
  state: number;
  protect: number;
  /** MEM_PRIVATE, MEM_MAPPED, MEM_IMAGE, or 0 for free memory. */
  type: number;
}
