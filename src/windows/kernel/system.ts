/** System information: NtQuerySystemInformation. */
import {
  ALLOCATION_GRANULARITY,
  HIGHEST_USER_ADDRESS_32,
  HIGHEST_USER_ADDRESS_32_LAA,
  LOWEST_USER_ADDRESS,
  PAGE_SIZE,
} from "../memory/constants";
import type { SyscallFamily } from "./context";
import { unimplemented } from "./context";
import { STATUS_INFO_LENGTH_MISMATCH, STATUS_INVALID_INFO_CLASS, STATUS_SUCCESS } from "./status";

// SYSTEM_INFORMATION_CLASS (phnt ntexapi.h)
export const SystemBasicInformation = 0;
/** The 32-bit view of SystemBasicInformation that wow64 asks for on behalf of 32-bit code. */
export const SystemEmulationBasicInformation = 62;

/** sizeof(SYSTEM_BASIC_INFORMATION) on x64. */
export const SBI64_SIZE = 0x40;

/** The clock interrupt period, 15.625 ms in 100 ns units (the default Windows timer resolution). */
export const TIMER_RESOLUTION = 156250;

export const systemSyscalls: SyscallFamily = {
  /**
   * NTSTATUS NtQuerySystemInformation(SYSTEM_INFORMATION_CLASS SystemInformationClass, PVOID
   * SystemInformation, ULONG SystemInformationLength, PULONG ReturnLength).
   * SYSTEM_BASIC_INFORMATION (x64): Reserved, TimerResolution, PageSize, NumberOfPhysicalPages,
   * LowestPhysicalPageNumber, HighestPhysicalPageNumber, AllocationGranularity (ULONGs), then
   * MinimumUserModeAddress @0x20, MaximumUserModeAddress @0x28, ActiveProcessorsAffinityMask @0x30,
   * NumberOfProcessors @0x38 (CCHAR).
   */
  NtQuerySystemInformation(c) {
    const cls = c.u32(0);
    const buf = c.arg(1);
    const len = c.u32(2);
    const pRet = c.arg(3);
    c.mem.probeWrite(buf, len);
    if (pRet !== 0) c.mem.probeWrite(pRet, 4);
    switch (cls) {
      case SystemBasicInformation:
      case SystemEmulationBasicInformation: {
        if (len !== SBI64_SIZE) return STATUS_INFO_LENGTH_MISMATCH;
        const k = c.kernel;
        const as = c.process.mem;
        const max =
          cls === SystemBasicInformation
            ? as.highestAddress(true)
            : as.largeAddressAware
              ? HIGHEST_USER_ADDRESS_32_LAA
              : HIGHEST_USER_ADDRESS_32;
        const pages = Math.floor(k.physicalMemory / PAGE_SIZE);
        const b = new Uint8Array(SBI64_SIZE);
        const dv = new DataView(b.buffer);
        dv.setUint32(4, TIMER_RESOLUTION, true);
        dv.setUint32(8, PAGE_SIZE, true);
        dv.setUint32(0x0c, pages, true);
        dv.setUint32(0x10, 1, true);
        dv.setUint32(0x14, pages, true);
        dv.setUint32(0x18, ALLOCATION_GRANULARITY, true);
        dv.setBigUint64(0x20, BigInt(LOWEST_USER_ADDRESS), true);
        dv.setBigUint64(0x28, BigInt(max), true);
        dv.setBigUint64(0x30, BigInt(k.affinityMask), true);
        dv.setUint8(0x38, k.processors);
        c.mem.write(buf, b);
        if (pRet !== 0) c.mem.w32(pRet, SBI64_SIZE);
        return STATUS_SUCCESS;
      }
      default:
        if (cls > 0xe0) return STATUS_INVALID_INFO_CLASS;
        return unimplemented("NtQuerySystemInformation", `SystemInformationClass ${cls}`);
    }
  },
};
