/** Object services common to every type: NtClose, NtDuplicateObject. */
import type { SyscallContext, SyscallFamily } from "./context";
import { unimplemented } from "./context";
import { FILE_GENERIC_MAPPING } from "./file";
import {
  GENERIC_ALL,
  GENERIC_EXECUTE,
  GENERIC_READ,
  GENERIC_WRITE,
  MAXIMUM_ALLOWED,
  mapGenericAccess,
  NT_CURRENT_PROCESS,
  NT_CURRENT_THREAD,
  type GenericMapping,
  type KernelObject,
  type ObjectType,
} from "./handles";
import { PROCESS_ALL_ACCESS, PROCESS_GENERIC_MAPPING, type ProcessObject } from "./process";
import { KEY_GENERIC_MAPPING } from "../registry";
import { SECTION_GENERIC_MAPPING } from "./section";
import {
  STATUS_ACCESS_DENIED,
  STATUS_INVALID_HANDLE,
  STATUS_INVALID_PARAMETER,
  STATUS_SUCCESS,
} from "./status";
import { EVENT_MAPPING, MUTANT_MAPPING, SEMAPHORE_MAPPING } from "./sync";
import { THREAD_ALL_ACCESS, THREAD_MAPPING } from "./thread";
import type { KernelStop } from "./types";

// NtDuplicateObject Options (winnt.h DUPLICATE_*; ntifs.h DUPLICATE_SAME_ATTRIBUTES).
export const DUPLICATE_CLOSE_SOURCE = 0x1;
export const DUPLICATE_SAME_ACCESS = 0x2;
export const DUPLICATE_SAME_ATTRIBUTES = 0x4;
/** OBJ_INHERIT (HandleAttributes). */
const OBJ_INHERIT = 0x2;
/** PROCESS_DUP_HANDLE: needed on a real source/target process handle. */
const PROCESS_DUP_HANDLE = 0x0040;

/** Each type's GENERIC_MAPPING (for a DesiredAccess with GENERIC_* bits). */
const MAPPINGS: Partial<Record<ObjectType, GenericMapping>> = {
  Process: PROCESS_GENERIC_MAPPING,
  Thread: THREAD_MAPPING,
  Section: SECTION_GENERIC_MAPPING,
  File: FILE_GENERIC_MAPPING,
  Key: KEY_GENERIC_MAPPING,
  Event: EVENT_MAPPING,
  Mutant: MUTANT_MAPPING,
  Semaphore: SEMAPHORE_MAPPING,
};

/** A process handle of the caller's own process (the only one there is) with PROCESS_DUP_HANDLE. */
function ownProcess(c: SyscallContext, h: number): number {
  if (h === NT_CURRENT_PROCESS) return STATUS_SUCCESS;
  const r = c.kernel.handles.lookup<ProcessObject>(h, "Process");
  if (typeof r === "number") return r;
  return (r.entry.access & PROCESS_DUP_HANDLE) === 0 ? STATUS_ACCESS_DENIED : STATUS_SUCCESS;
}

export const objectSyscalls: SyscallFamily = {
  /**
   * NTSTATUS NtClose(HANDLE Handle). Closing a pseudo-handle (NtCurrentProcess(), NtCurrentThread(), …)
   * "has no effect" (GetCurrentProcess) and succeeds.
   */
  NtClose(c) {
    const h = c.handle(0);
    if (h < 0 && h >= -6) return STATUS_SUCCESS;
    return c.kernel.handles.close(h);
  },

  /**
   * NTSTATUS NtDuplicateObject(HANDLE SourceProcessHandle, HANDLE SourceHandle, HANDLE TargetProcessHandle,
   * PHANDLE TargetHandle, ACCESS_MASK DesiredAccess, ULONG HandleAttributes, ULONG Options)
   * (ZwDuplicateObject, DuplicateHandle on Microsoft Learn). Within our one process: a new handle to the
   * source's object — NtCurrentProcess() and NtCurrentThread() become real handles to the process and the
   * calling thread (full access) — with the source's access (DUPLICATE_SAME_ACCESS) or DesiredAccess
   * mapped through the type's GENERIC_MAPPING (an unnamed object has no security descriptor: any access
   * is granted), OBJ_INHERIT from HandleAttributes or the source (DUPLICATE_SAME_ATTRIBUTES).
   * DUPLICATE_CLOSE_SOURCE closes the source handle whatever the result; a NULL TargetProcessHandle only
   * closes it.
   */
  NtDuplicateObject(c): number | KernelStop {
    const srcProcess = c.handle(0);
    const src = c.handle(1);
    const dstProcess = c.handle(2);
    const pTarget = c.arg(3);
    const desired = c.u32(4);
    const attributes = c.u32(5);
    const options = c.u32(6);
    const known = DUPLICATE_CLOSE_SOURCE | DUPLICATE_SAME_ACCESS | DUPLICATE_SAME_ATTRIBUTES;
    if ((options & ~known) !== 0) return STATUS_INVALID_PARAMETER;
    if ((attributes & ~OBJ_INHERIT) !== 0)
      return unimplemented("NtDuplicateObject", `HandleAttributes 0x${attributes.toString(16)}`);
    const closeSource = (options & DUPLICATE_CLOSE_SOURCE) !== 0;
    const s = ownProcess(c, srcProcess);
    if (s !== STATUS_SUCCESS) return s;
    const close = (status: number): number => {
      if (closeSource && src > 0) c.kernel.handles.close(src);
      return status;
    };
    if (pTarget !== 0) c.mem.probeWrite(pTarget, 8);
    // The source object and the access its handle has.
    let object: KernelObject;
    let access: number;
    let inherit = false;
    if (src === NT_CURRENT_PROCESS) {
      object = c.kernel.processObject;
      access = PROCESS_ALL_ACCESS;
    } else if (src === NT_CURRENT_THREAD) {
      object = c.kernel.threadObject(c.thread);
      access = THREAD_ALL_ACCESS;
    } else if (src < 0) {
      return unimplemented("NtDuplicateObject", `the pseudo-handle ${src}`);
    } else {
      const e = c.kernel.handles.get(src);
      if (e === undefined) return STATUS_INVALID_HANDLE;
      object = e.object;
      access = e.access;
      inherit = e.inherit;
    }
    if (dstProcess === 0) return close(STATUS_SUCCESS);
    const t = ownProcess(c, dstProcess);
    if (t !== STATUS_SUCCESS) return close(t);
    if ((options & DUPLICATE_SAME_ACCESS) === 0) {
      const generic = GENERIC_READ | GENERIC_WRITE | GENERIC_EXECUTE | GENERIC_ALL | MAXIMUM_ALLOWED;
      const mapping = MAPPINGS[object.type];
      if ((desired & generic) !== 0 && mapping === undefined)
        return unimplemented("NtDuplicateObject", `generic access rights for a ${object.type} object`);
      access = mapping !== undefined ? mapGenericAccess(desired, mapping) : desired;
    }
    if ((options & DUPLICATE_SAME_ATTRIBUTES) === 0) inherit = (attributes & OBJ_INHERIT) !== 0;
    const h = c.kernel.handles.insert(object, access, inherit);
    if (pTarget !== 0) c.mem.w64(pTarget, h);
    return close(STATUS_SUCCESS);
  },
};
