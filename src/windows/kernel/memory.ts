/**
 * Virtual memory services over the process's AddressSpace (src/windows/memory), which rounds and
 * validates as Windows does. The handlers probe and capture the user pointers first (a bad one is
 * STATUS_ACCESS_VIOLATION), check the process handle, call the memory manager, and write the rounded
 * results back only on success. A 32-bit caller (through wow64) allocates below its 2 GB / 4 GB limit.
 */
import { MEM_FREE } from "../memory/constants";
import type { SyscallContext, SyscallFamily } from "./context";
import { unimplemented } from "./context";
import { checkProcessHandle } from "./process";
import {
  STATUS_INFO_LENGTH_MISMATCH,
  STATUS_INVALID_INFO_CLASS,
  STATUS_INVALID_PARAMETER,
  STATUS_SUCCESS,
  ntSuccess,
} from "./status";

// MEMORY_INFORMATION_CLASS (phnt ntmmapi.h)
export const MemoryBasicInformation = 0;

/** sizeof(MEMORY_BASIC_INFORMATION) on x64. */
export const MBI64_SIZE = 0x30;

/** The 64-bit side of a WOW64 process may use its whole address space; a 32-bit caller may not. */
function native64(c: SyscallContext): boolean {
  return c.callerMode === "x64";
}

export const memorySyscalls: SyscallFamily = {
  /**
   * NTSTATUS NtAllocateVirtualMemory(HANDLE ProcessHandle, PVOID *BaseAddress, ULONG_PTR ZeroBits,
   * PSIZE_T RegionSize, ULONG AllocationType, ULONG Protect).
   */
  NtAllocateVirtualMemory(c) {
    const pBase = c.arg(1);
    const pSize = c.arg(3);
    c.mem.probeWrite(pBase, 8);
    c.mem.probeWrite(pSize, 8);
    const base = c.mem.u64(pBase);
    const size = c.mem.u64(pSize);
    const s = checkProcessHandle(c, c.handle(0));
    if (s !== STATUS_SUCCESS) return s;
    const r = c.process.mem.allocate(base, size, c.u32(4), c.u32(5), c.arg(2), { native64: native64(c) });
    if (!ntSuccess(r.status)) return r.status;
    c.mem.w64(pBase, r.base);
    c.mem.w64(pSize, r.size);
    return r.status;
  },

  /** NTSTATUS NtFreeVirtualMemory(HANDLE ProcessHandle, PVOID *BaseAddress, PSIZE_T RegionSize, ULONG FreeType). */
  NtFreeVirtualMemory(c) {
    const pBase = c.arg(1);
    const pSize = c.arg(2);
    c.mem.probeWrite(pBase, 8);
    c.mem.probeWrite(pSize, 8);
    const base = c.mem.u64(pBase);
    const size = c.mem.u64(pSize);
    const s = checkProcessHandle(c, c.handle(0));
    if (s !== STATUS_SUCCESS) return s;
    const r = c.process.mem.free(base, size, c.u32(3));
    if (!ntSuccess(r.status)) return r.status;
    c.mem.w64(pBase, r.base);
    c.mem.w64(pSize, r.size);
    return r.status;
  },

  /**
   * NTSTATUS NtProtectVirtualMemory(HANDLE ProcessHandle, PVOID *BaseAddress, PSIZE_T RegionSize,
   * ULONG NewProtect, PULONG OldProtect).
   */
  NtProtectVirtualMemory(c) {
    const pBase = c.arg(1);
    const pSize = c.arg(2);
    const pOld = c.arg(4);
    c.mem.probeWrite(pBase, 8);
    c.mem.probeWrite(pSize, 8);
    c.mem.probeWrite(pOld, 4);
    const base = c.mem.u64(pBase);
    const size = c.mem.u64(pSize);
    const s = checkProcessHandle(c, c.handle(0));
    if (s !== STATUS_SUCCESS) return s;
    const r = c.process.mem.protect(base, size, c.u32(3));
    if (!ntSuccess(r.status)) return r.status;
    c.mem.w64(pBase, r.base);
    c.mem.w64(pSize, r.size);
    c.mem.w32(pOld, r.oldProtect);
    return r.status;
  },

  /**
   * NTSTATUS NtQueryVirtualMemory(HANDLE ProcessHandle, PVOID BaseAddress, MEMORY_INFORMATION_CLASS
   * MemoryInformationClass, PVOID MemoryInformation, SIZE_T MemoryInformationLength, PSIZE_T ReturnLength).
   * For a 32-bit caller the address space ends at its 32-bit limit: an address above it is
   * STATUS_INVALID_PARAMETER (as VirtualQuery above lpMaximumApplicationAddress) and the free region
   * below it is cut there.
   */
  NtQueryVirtualMemory(c) {
    const addr = c.arg(1);
    const cls = c.u32(2);
    const buf = c.arg(3);
    const len = c.arg(4);
    const pRet = c.arg(5);
    if (cls !== MemoryBasicInformation) {
      if (cls > 0x20) return STATUS_INVALID_INFO_CLASS;
      return unimplemented("NtQueryVirtualMemory", `MemoryInformationClass ${cls}`);
    }
    if (len < MBI64_SIZE) return STATUS_INFO_LENGTH_MISMATCH;
    c.mem.probeWrite(buf, MBI64_SIZE);
    if (pRet !== 0) c.mem.probeWrite(pRet, 8);
    const as = c.process.mem;
    const highest = as.highestAddress(native64(c));
    if (addr > highest) return STATUS_INVALID_PARAMETER;
    const s = checkProcessHandle(c, c.handle(0));
    if (s !== STATUS_SUCCESS) return s;
    const q = as.query(addr);
    if (!ntSuccess(q.status) || q.info === undefined) return q.status;
    const i = q.info;
    let regionSize = i.regionSize;
    if (i.state === MEM_FREE) regionSize = Math.min(regionSize, highest + 1 - i.baseAddress);
    // MEMORY_BASIC_INFORMATION (x64): BaseAddress, AllocationBase, AllocationProtect @0x10,
    // PartitionId @0x14 (WORD), RegionSize @0x18, State @0x20, Protect @0x24, Type @0x28.
    const b = new Uint8Array(MBI64_SIZE);
    const dv = new DataView(b.buffer);
    dv.setBigUint64(0, BigInt(i.baseAddress), true);
    dv.setBigUint64(8, BigInt(i.allocationBase), true);
    dv.setUint32(0x10, i.allocationProtect, true);
    dv.setBigUint64(0x18, BigInt(regionSize), true);
    dv.setUint32(0x20, i.state, true);
    dv.setUint32(0x24, i.protect, true);
    dv.setUint32(0x28, i.type, true);
    c.mem.write(buf, b);
    if (pRet !== 0) c.mem.w64(pRet, MBI64_SIZE);
    return STATUS_SUCCESS;
  },
};
