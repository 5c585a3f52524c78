/** WOW64 thunks of the system information and time services. */
import { unimplemented } from "../kernel/context";
import { SystemBasicInformation, SystemEmulationBasicInformation } from "../kernel/system";
import { STATUS_INFO_LENGTH_MISMATCH, ntSuccess } from "../kernel/status";
import { SBI32_SIZE, SBI64_SIZE, narrowSystemBasicInformation, returnLength32 } from "./structs";
import { byValue, type ThunkFamily } from "./thunk";

export const systemThunks: ThunkFamily = {
  /**
   * (SYSTEM_INFORMATION_CLASS, PVOID, ULONG Length, PULONG ReturnLength). SystemBasicInformation from 32-bit
   * code is asked of the kernel as SystemEmulationBasicInformation, the view of the system a 32-bit
   * process has (MaximumUserModeAddress 0x7FFEFFFF, or 0xFFFEFFFF when large-address aware), as wow64 does.
   */
  NtQuerySystemInformation(t) {
    const cls = t.arg(0);
    if (cls !== SystemBasicInformation && cls !== SystemEmulationBasicInformation) {
      return unimplemented("NtQuerySystemInformation", `SystemInformationClass ${cls} from 32-bit code`);
    }
    const buf = t.arg(1);
    const pRet = t.arg(3);
    if (t.arg(2) !== SBI32_SIZE) t.fail(STATUS_INFO_LENGTH_MISMATCH);
    t.mem.probeWrite(buf, SBI32_SIZE);
    if (pRet !== 0) t.mem.probeWrite(pRet, 4);
    const s = t.scratch(SBI64_SIZE);
    t.set(0, SystemEmulationBasicInformation);
    t.set(1, s);
    t.set(2, SBI64_SIZE);
    t.set(3, 0);
    t.after((status) => {
      if (ntSuccess(status)) narrowSystemBasicInformation(t, s, buf);
    });
    returnLength32(t, pRet, SBI32_SIZE);
  },

  /** (PLARGE_INTEGER Counter, PLARGE_INTEGER Frequency): LARGE_INTEGERs have the same bytes. */
  NtQueryPerformanceCounter: byValue("u", "u"),

  /** (BOOLEAN Alertable, PLARGE_INTEGER DelayInterval). */
  NtDelayExecution: byValue("u", "u"),

  /** (PLARGE_INTEGER SystemTime). */
  NtQuerySystemTime: byValue("u"),
};
