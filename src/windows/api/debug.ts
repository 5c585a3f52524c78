/** Debug output and status conversion: OutputDebugStringA/W, ntdll!RtlNtStatusToDosError. */
import { api, type ApiFamily } from "./context";
import { ntStatusToDosError } from "./errors";

export const debugApis: ApiFamily = {
  /** void OutputDebugStringA(LPCSTR): to the kernel's onDebugString (nothing without a debugger, as on Windows). */
  OutputDebugStringA: api((c) => {
    const p = c.arg(0);
    if (p !== 0) c.kernel.options.onDebugString?.(c.mem.cString(p));
    return 0;
  }),

  /** void OutputDebugStringW(LPCWSTR). */
  OutputDebugStringW: api((c) => {
    const p = c.arg(0);
    if (p !== 0) c.kernel.options.onDebugString?.(c.mem.wString(p));
    return 0;
  }),

  /** ULONG RtlNtStatusToDosError(NTSTATUS Status): also records the status in TEB.LastStatusValue. */
  RtlNtStatusToDosError: api((c) => {
    const status = c.u32(0);
    if (c.teb !== 0) c.mem.w32(c.teb + c.layout.teb.LastStatusValue, status);
    return ntStatusToDosError(status);
  }),
};
