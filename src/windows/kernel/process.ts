/**
 * Process services: NtTerminateProcess, NtQueryInformationProcess, and the process object.
 */
import type { SyscallContext, SyscallFamily } from "./context";
import { unimplemented } from "./context";
import { KernelObject, NT_CURRENT_PROCESS, type GenericMapping } from "./handles";
import {
  STATUS_INFO_LENGTH_MISMATCH,
  STATUS_INVALID_INFO_CLASS,
  STATUS_PENDING,
  STATUS_SUCCESS,
} from "./status";
import type { KernelProcess } from "./types";

export const PROCESS_TERMINATE = 0x0001;
export const PROCESS_VM_OPERATION = 0x0008;
export const PROCESS_VM_READ = 0x0010;
export const PROCESS_VM_WRITE = 0x0020;
export const PROCESS_QUERY_INFORMATION = 0x0400;
export const PROCESS_QUERY_LIMITED_INFORMATION = 0x1000;
export const PROCESS_ALL_ACCESS = 0x001fffff;

export const PROCESS_GENERIC_MAPPING: GenericMapping = {
  read: 0x00020410,
  write: 0x00020bea,
  execute: 0x00121000,
  all: PROCESS_ALL_ACCESS,
};

// PROCESSINFOCLASS (phnt ntpsapi.h)
export const ProcessBasicInformation = 0;
export const ProcessDebugPort = 7;
export const ProcessWow64Information = 26;
export const ProcessDebugFlags = 31;

/** KPRIORITY of a NORMAL_PRIORITY_CLASS process. */
export const NORMAL_BASE_PRIORITY = 8;

export class ProcessObject extends KernelObject {
  readonly type = "Process";
  constructor(readonly process: KernelProcess) {
    super();
  }
}

/**
 * The process a handle names: NtCurrentProcess() or a handle to our own process object. Returns
 * STATUS_SUCCESS or the lookup's status (STATUS_INVALID_HANDLE, STATUS_OBJECT_TYPE_MISMATCH).
 */
export function checkProcessHandle(c: SyscallContext, handle: number): number {
  if (handle === NT_CURRENT_PROCESS) return STATUS_SUCCESS;
  const r = c.kernel.handles.lookup<ProcessObject>(handle, "Process");
  return typeof r === "number" ? r : STATUS_SUCCESS;
}

export const processSyscalls: SyscallFamily = {
  /**
   * NTSTATUS NtTerminateProcess(HANDLE ProcessHandle, NTSTATUS ExitStatus). ProcessHandle NULL ends every
   * other thread of the process with ExitStatus (RtlExitUserProcess's first call, before
   * LdrShutdownProcess runs the DLL_PROCESS_DETACH notifications on the calling thread) and returns
   * STATUS_SUCCESS; the current process (from any thread) ends the process, abruptly (no
   * DLL_PROCESS_DETACH) unless it is the last step of ExitProcess.
   */
  NtTerminateProcess(c) {
    const h = c.handle(0);
    const status = c.u32(1);
    if (h === 0) {
      const others = c.process.threads.filter((t) => t !== c.thread);
      if (others.length === 0) return STATUS_SUCCESS;
      const p = c.process;
      if (p.terminateThread === undefined)
        return unimplemented("NtTerminateProcess", "ending the other threads of the process");
      for (const t of others) p.terminateThread(t, status);
      return STATUS_SUCCESS;
    }
    const s = checkProcessHandle(c, h);
    if (s !== STATUS_SUCCESS) return s;
    c.process.exitStatus = status;
    return c.kernel.orderlyExit.delete(c.thread.id)
      ? { kind: "exit", status }
      : { kind: "exit", status, abrupt: true };
  },

  /**
   * NTSTATUS NtQueryInformationProcess(HANDLE ProcessHandle, PROCESSINFOCLASS ProcessInformationClass,
   * PVOID ProcessInformation, ULONG ProcessInformationLength, PULONG ReturnLength). Like Windows: the
   * buffer and ReturnLength are probed first, then the length is checked, then the handle.
   */
  NtQueryInformationProcess(c) {
    const h = c.handle(0);
    const cls = c.u32(1);
    const buf = c.arg(2);
    const len = c.u32(3);
    const retLen = c.arg(4);
    c.mem.probeWrite(buf, len);
    if (retLen !== 0) c.mem.probeWrite(retLen, 4);
    const answer = (size: number, write: () => void): number => {
      if (len !== size) return STATUS_INFO_LENGTH_MISMATCH;
      const s = checkProcessHandle(c, h);
      if (s !== STATUS_SUCCESS) return s;
      write();
      if (retLen !== 0) c.mem.w32(retLen, size);
      return STATUS_SUCCESS;
    };
    switch (cls) {
      case ProcessBasicInformation:
        // PROCESS_BASIC_INFORMATION (x64): ExitStatus, PebBaseAddress @8, AffinityMask @0x10,
        // BasePriority @0x18, UniqueProcessId @0x20, InheritedFromUniqueProcessId @0x28.
        return answer(0x30, () => {
          const p = c.process;
          const b = new Uint8Array(0x30);
          const dv = new DataView(b.buffer);
          dv.setUint32(0, p.exitStatus ?? STATUS_PENDING, true);
          dv.setBigUint64(8, BigInt(p.peb), true);
          dv.setBigUint64(0x10, BigInt(c.kernel.affinityMask), true);
          dv.setInt32(0x18, NORMAL_BASE_PRIORITY, true);
          dv.setBigUint64(0x20, BigInt(p.id), true);
          dv.setBigUint64(0x28, BigInt(c.kernel.options.parentProcessId ?? 0), true);
          c.mem.write(buf, b);
        });
      case ProcessWow64Information:
        // ULONG_PTR: the PEB32 of a WOW64 process, 0 for a native one (used by IsWow64Process).
        return answer(8, () => c.mem.w64(buf, c.process.wow64 ? c.process.peb32 : 0));
      case ProcessDebugPort:
        // No debugger port: the emulator is not a Windows debugger (anti-debug checks see none).
        return answer(8, () => c.mem.w64(buf, 0));
      case ProcessDebugFlags:
        // ULONG NoDebugInherit: 1 when the process is not being debugged.
        return answer(4, () => c.mem.w32(buf, 1));
      default:
        if (cls > 0x80) return STATUS_INVALID_INFO_CLASS;
        return unimplemented("NtQueryInformationProcess", `ProcessInformationClass ${cls}`);
    }
  },
};
