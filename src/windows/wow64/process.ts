/** WOW64 thunks of the process services. */
import { unimplemented } from "../kernel/context";
import {
  ProcessBasicInformation,
  ProcessDebugFlags,
  ProcessDebugPort,
  ProcessWow64Information,
} from "../kernel/process";
import { STATUS_INFO_LENGTH_MISMATCH, ntSuccess } from "../kernel/status";
import { PBI32_SIZE, PBI64_SIZE, narrowProcessBasicInformation, returnLength32 } from "./structs";
import { byValue, type ThunkCall, type ThunkFamily } from "./thunk";

/** A query whose 32-bit answer is a narrowed 64-bit one: exact 32-bit length, 64-bit scratch. */
function narrowed(
  t: ThunkCall,
  size32: number,
  size64: number,
  narrow: (s: number, p32: number) => void,
): void {
  const buf = t.arg(2);
  const pRet = t.arg(4);
  if (t.arg(3) !== size32) t.fail(STATUS_INFO_LENGTH_MISMATCH);
  t.mem.probeWrite(buf, size32);
  if (pRet !== 0) t.mem.probeWrite(pRet, 4);
  const s = t.scratch(size64);
  t.set(0, t.sarg(0));
  t.set(1, t.arg(1));
  t.set(2, s);
  t.set(3, size64);
  t.set(4, 0);
  t.after((status) => {
    if (ntSuccess(status)) narrow(s, buf);
  });
  returnLength32(t, pRet, size32);
}

export const processThunks: ThunkFamily = {
  /** (HANDLE, NTSTATUS ExitStatus). */
  NtTerminateProcess: byValue("s", "s"),

  /**
   * (HANDLE, PROCESSINFOCLASS, PVOID, ULONG Length, PULONG ReturnLength). Pointer-sized answers are
   * narrowed; ULONG answers pass through.
   */
  NtQueryInformationProcess(t) {
    const cls = t.arg(1);
    switch (cls) {
      case ProcessBasicInformation:
        return narrowed(t, PBI32_SIZE, PBI64_SIZE, (s, p32) => narrowProcessBasicInformation(t, s, p32));
      case ProcessWow64Information:
      case ProcessDebugPort:
        return narrowed(t, 4, 8, (s, p32) => t.mem.w32(p32, t.mem.u64(s) >>> 0));
      case ProcessDebugFlags:
        return byValue("s", "u", "u", "u", "u")(t);
      default:
        return unimplemented("NtQueryInformationProcess", `ProcessInformationClass ${cls} from 32-bit code`);
    }
  },
};
