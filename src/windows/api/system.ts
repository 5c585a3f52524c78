/**
 * GetSystemInfo / GetNativeSystemInfo: NtQuerySystemInformation(SystemBasicInformation) into the bridge
 * frame, then SYSTEM_INFO from it. The processor fields describe the emulated CPU (CPUID family 6, model
 * 0x5E, stepping 3: wProcessorLevel 6, wProcessorRevision 0x5E03).
 */
import { ntSuccess } from "../kernel/status";
import { SystemBasicInformation } from "../kernel/system";
import { bridge, type ApiEntry, type ApiFamily, type BridgeCall } from "./context";

export const PROCESSOR_ARCHITECTURE_INTEL = 0;
export const PROCESSOR_ARCHITECTURE_AMD64 = 9;
export const PROCESSOR_INTEL_PENTIUM = 586;
export const PROCESSOR_AMD_X8664 = 8664;
const PROCESSOR_LEVEL = 6;
const PROCESSOR_REVISION = 0x5e03;

/** SYSTEM_BASIC_INFORMATION in the caller's layout lives in the free slots from slot 4 on. */
const SBI_SLOT = 4;

function sysInfo(native: boolean): ApiEntry {
  return bridge({
    pre: (c) => {
      c.nt(0, SystemBasicInformation);
      c.nt(1, c.slot(SBI_SLOT));
      c.nt(2, c.arch === "x64" ? 0x40 : 0x2c);
      c.nt(3, 0);
    },
    post: (c, status) => {
      if (ntSuccess(status)) fill(c, native);
      return 0;
    },
  });
}

function fill(c: BridgeCall, native: boolean): void {
  const s = c.slot(SBI_SLOT);
  const m = c.mem;
  const x64 = c.arch === "x64";
  // SYSTEM_BASIC_INFORMATION: PageSize @8, AllocationGranularity @0x18; x64: Min @0x20, Max @0x28, mask
  // @0x30, count @0x38; x86: Min @0x1C, Max @0x20, mask @0x24, count @0x28.
  const pageSize = m.u32(s + 8);
  const granularity = m.u32(s + 0x18);
  const [min, max, mask, count] = x64
    ? [m.u64(s + 0x20), m.u64(s + 0x28), m.u64(s + 0x30), m.u8(s + 0x38)]
    : [m.u32(s + 0x1c), m.u32(s + 0x20), m.u32(s + 0x24), m.u8(s + 0x28)];
  const amd64 = x64 || native;
  // SYSTEM_INFO: wProcessorArchitecture, wReserved, dwPageSize, lpMinimumApplicationAddress,
  // lpMaximumApplicationAddress, dwActiveProcessorMask, dwNumberOfProcessors, dwProcessorType,
  // dwAllocationGranularity, wProcessorLevel, wProcessorRevision.
  const p = c.ptrSize;
  const b = new Uint8Array(x64 ? 0x30 : 0x24);
  const dv = new DataView(b.buffer);
  dv.setUint16(0, amd64 ? PROCESSOR_ARCHITECTURE_AMD64 : PROCESSOR_ARCHITECTURE_INTEL, true);
  dv.setUint32(4, pageSize, true);
  const ptr = (off: number, v: number): void => {
    if (p === 8) dv.setBigUint64(off, BigInt(v), true);
    else dv.setUint32(off, v >>> 0, true);
  };
  ptr(8, min);
  ptr(8 + p, max);
  ptr(8 + 2 * p, mask);
  const rest = 8 + 3 * p;
  dv.setUint32(rest, count, true);
  dv.setUint32(rest + 4, amd64 ? PROCESSOR_AMD_X8664 : PROCESSOR_INTEL_PENTIUM, true);
  dv.setUint32(rest + 8, granularity, true);
  dv.setUint16(rest + 12, PROCESSOR_LEVEL, true);
  dv.setUint16(rest + 14, PROCESSOR_REVISION, true);
  m.write(c.arg(0), b);
}

export const systemApis: ApiFamily = {
  /** void GetSystemInfo(LPSYSTEM_INFO lpSystemInfo). */
  GetSystemInfo: sysInfo(false),
  /**
   * void GetNativeSystemInfo(LPSYSTEM_INFO lpSystemInfo): for 32-bit code under WOW64 the processor is the
   * native AMD64 one; the address fields stay those of the 32-bit view.
   */
  GetNativeSystemInfo: sysInfo(true),
};
