/**
 * What a CPU fault is as a Windows exception: the EXCEPTION_RECORD the kernel's trap handlers build
 * (KiPageFault, KiGeneralProtectionFault, KiDivideErrorFault, KiBreakpointTrap…). Parameters per
 * MSDN's EXCEPTION_RECORD page: an access violation or guard page violation has ExceptionInformation[0]
 * = 0 read, 1 write, 8 DEP (execute) and [1] = the address; an in-page error adds [2] = the NTSTATUS.
 * A #GP (non-canonical address, bad selector) is an access violation reading 0xFFFFFFFFFFFFFFFF (what
 * Windows reports when the hardware gives no address). int3 is STATUS_BREAKPOINT with
 * ExceptionInformation[0] = BREAKPOINT_BREAK (0) at the int3 itself (Windows moves RIP back to it).
 * https://learn.microsoft.com/en-us/windows/win32/api/winnt/ns-winnt-exception_record
 */
import type { Fault } from "../cpu/fault";
import type { ExceptionInfo } from "./kernel/exception";
import { STATUS_ACCESS_VIOLATION, STATUS_GUARD_PAGE_VIOLATION, STATUS_IN_PAGE_ERROR } from "./ntstatus";

export function exceptionOfFault(f: Fault, code: number, bits: 32 | 64): ExceptionInfo {
  const params: number[] = [];
  if (f.vector === "PF") {
    params.push(f.access === "write" ? 1 : f.access === "execute" ? 8 : 0, f.address ?? 0);
    if (code === STATUS_IN_PAGE_ERROR) params.push(f.status ?? STATUS_IN_PAGE_ERROR);
  } else if (code === STATUS_ACCESS_VIOLATION) {
    params.push(0, bits === 64 ? -1 : 0xffffffff);
  } else if (code === STATUS_GUARD_PAGE_VIOLATION) {
    params.push(0, f.address ?? 0);
  } else if (f.vector === "BP") {
    params.push(0);
  }
  return { code, flags: 0, address: f.rip, params };
}
