/** WOW64 thunks of the virtual memory services. */
import { unimplemented } from "../kernel/context";
import { MemoryBasicInformation } from "../kernel/memory";
import { STATUS_INFO_LENGTH_MISMATCH, ntSuccess } from "../kernel/status";
import { MBI32_SIZE, MBI64_SIZE, narrowMemoryBasicInformation } from "./structs";
import { inOutPointer, type ThunkFamily } from "./thunk";

export const memoryThunks: ThunkFamily = {
  /**
   * (HANDLE, PVOID *BaseAddress, ULONG_PTR ZeroBits, PSIZE_T RegionSize, ULONG, ULONG). ZeroBits passes
   * unchanged: the kernel keeps a 32-bit caller's allocations below its 2 GB (4 GB large-address-aware)
   * limit, which is what wow64 gets by passing a ZeroBits mask on Windows.
   */
  NtAllocateVirtualMemory(t) {
    t.set(0, t.sarg(0));
    inOutPointer(t, 1);
    t.set(2, t.arg(2));
    inOutPointer(t, 3);
    t.set(4, t.arg(4));
    t.set(5, t.arg(5));
  },

  /** (HANDLE, PVOID *BaseAddress, PSIZE_T RegionSize, ULONG FreeType). */
  NtFreeVirtualMemory(t) {
    t.set(0, t.sarg(0));
    inOutPointer(t, 1);
    inOutPointer(t, 2);
    t.set(3, t.arg(3));
  },

  /** (HANDLE, PVOID *BaseAddress, PSIZE_T RegionSize, ULONG NewProtect, PULONG OldProtect): a ULONG stays a ULONG. */
  NtProtectVirtualMemory(t) {
    t.set(0, t.sarg(0));
    inOutPointer(t, 1);
    inOutPointer(t, 2);
    t.set(3, t.arg(3));
    t.set(4, t.arg(4));
  },

  /**
   * (HANDLE, PVOID BaseAddress, MEMORY_INFORMATION_CLASS, PVOID Buffer, SIZE_T Length, PSIZE_T ReturnLength):
   * the service fills a 64-bit MEMORY_BASIC_INFORMATION in scratch, narrowed into the caller's 28 bytes.
   */
  NtQueryVirtualMemory(t) {
    const cls = t.arg(2);
    if (cls !== MemoryBasicInformation) {
      return unimplemented("NtQueryVirtualMemory", `MemoryInformationClass ${cls} from 32-bit code`);
    }
    const buf = t.arg(3);
    const pRet = t.arg(5);
    if (t.arg(4) < MBI32_SIZE) t.fail(STATUS_INFO_LENGTH_MISMATCH);
    t.mem.probeWrite(buf, MBI32_SIZE);
    if (pRet !== 0) t.mem.probeWrite(pRet, 4);
    const s = t.scratch(MBI64_SIZE);
    t.set(0, t.sarg(0));
    t.set(1, t.arg(1));
    t.set(2, cls);
    t.set(3, s);
    t.set(4, MBI64_SIZE);
    t.set(5, 0);
    t.after((status) => {
      if (!ntSuccess(status)) return;
      narrowMemoryBasicInformation(t, s, buf);
      if (pRet !== 0) t.mem.w32(pRet, MBI32_SIZE);
    });
  },
};
