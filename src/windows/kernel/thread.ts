/**
 * Thread services: NtCreateThreadEx, NtTerminateThread, NtSuspendThread/NtResumeThread,
 * NtQueryInformationThread, NtQueueApcThread and NtTestAlert (user APCs: ./apc.ts), and the thread object
 * (waitable: signaled when the thread has ended).
 * The process side makes the thread itself (TEB, stacks, initial context: `KernelProcess.createThread`);
 * the run loop schedules it (src/windows/process.ts). Prototypes: phnt ntpsapi.h; semantics: Microsoft
 * Learn (CreateThread, ResumeThread, SuspendThread, GetExitCodeThread, ExitThread) and Windows Internals
 * 7th ed. ch. 4 ("Threads").
 */
import type { SyscallContext, SyscallFamily } from "./context";
import { unimplemented } from "./context";
import {
  mapGenericAccess,
  NT_CURRENT_PROCESS,
  NT_CURRENT_THREAD,
  READ_CONTROL,
  STANDARD_RIGHTS_REQUIRED,
  SYNCHRONIZE,
  type GenericMapping,
} from "./handles";
import { checkProcessHandle } from "./process";
import {
  STATUS_ACCESS_DENIED,
  STATUS_CANT_TERMINATE_SELF,
  STATUS_INFO_LENGTH_MISMATCH,
  STATUS_INVALID_PARAMETER,
  STATUS_PENDING,
  STATUS_SUCCESS,
} from "./status";
import { DispatcherObject, syncOf } from "./sync";
import type { KernelStop, KernelThread } from "./types";

/** STILL_ACTIVE (= STATUS_PENDING, 259): GetExitCodeThread of a running thread. */
export const STILL_ACTIVE = STATUS_PENDING;
export const STATUS_SUSPEND_COUNT_EXCEEDED = 0xc000004a;
/** KeInsertQueueApc refuses a thread that has ended (PspQueueApcThread: STATUS_UNSUCCESSFUL). */
export const STATUS_UNSUCCESSFUL = 0xc0000001;
/** MAXIMUM_SUSPEND_COUNT (winnt.h). */
export const MAXIMUM_SUSPEND_COUNT = 0x7f;

// Thread access rights (winnt.h).
export const THREAD_TERMINATE = 0x0001;
export const THREAD_SUSPEND_RESUME = 0x0002;
export const THREAD_GET_CONTEXT = 0x0008;
export const THREAD_SET_CONTEXT = 0x0010;
export const THREAD_QUERY_INFORMATION = 0x0040;
export const THREAD_SET_INFORMATION = 0x0020;
export const THREAD_QUERY_LIMITED_INFORMATION = 0x0800;
export const THREAD_ALL_ACCESS = STANDARD_RIGHTS_REQUIRED | SYNCHRONIZE | 0xffff;
export const THREAD_MAPPING: GenericMapping = {
  read: READ_CONTROL | THREAD_GET_CONTEXT | THREAD_QUERY_INFORMATION,
  write:
    READ_CONTROL | THREAD_TERMINATE | THREAD_SUSPEND_RESUME | THREAD_SET_INFORMATION | THREAD_SET_CONTEXT,
  execute: READ_CONTROL | SYNCHRONIZE | THREAD_QUERY_LIMITED_INFORMATION,
  all: THREAD_ALL_ACCESS,
};

// NtCreateThreadEx CreateFlags (phnt: THREAD_CREATE_FLAGS_*).
export const THREAD_CREATE_FLAGS_CREATE_SUSPENDED = 0x1;
export const THREAD_CREATE_FLAGS_SKIP_THREAD_ATTACH = 0x2;

// PS_ATTRIBUTE numbers (phnt: PsAttributeValue(n, thread, input, additive)).
export const PS_ATTRIBUTE_CLIENT_ID = 0x10003;
export const PS_ATTRIBUTE_TEB_ADDRESS = 0x10004;

/** THREADINFOCLASS ThreadBasicInformation; THREAD_BASIC_INFORMATION is 0x30 bytes on x64 (0x1C on x86). */
export const ThreadBasicInformation = 0;
export const TBI64_SIZE = 0x30;

export class ThreadObject extends DispatcherObject {
  readonly type = "Thread";
  /** STILL_ACTIVE until the thread ends. */
  exitStatus = STILL_ACTIVE;
  terminated = false;
  constructor(
    readonly thread: KernelThread,
    /** The start routine (0 for the initial thread, which starts at the image's entry point). */
    readonly startAddress: number,
  ) {
    super();
  }
  isSignaled(): boolean {
    return this.terminated;
  }
  acquire(): boolean {
    return false;
  }
  override get label(): string {
    return `Thread 0x${this.thread.id.toString(16)}`;
  }
}

/** The thread a handle names (NtCurrentThread() included) with `right`, or a status. */
function threadOf(c: SyscallContext, h: number, right: number): ThreadObject | number {
  if (h === NT_CURRENT_THREAD) return c.kernel.threadObject(c.thread);
  const r = c.kernel.handles.lookup<ThreadObject>(h, "Thread");
  if (typeof r === "number") return r;
  if ((r.entry.access & right) === 0) return STATUS_ACCESS_DENIED;
  return r.object;
}

export const threadSyscalls: SyscallFamily = {
  /**
   * NTSTATUS NtCreateThreadEx(PHANDLE ThreadHandle, ACCESS_MASK DesiredAccess, POBJECT_ATTRIBUTES
   * ObjectAttributes, HANDLE ProcessHandle, PVOID StartRoutine, PVOID Argument, ULONG CreateFlags,
   * SIZE_T ZeroBits, SIZE_T StackSize, SIZE_T MaximumStackSize, PPS_ATTRIBUTE_LIST AttributeList).
   * A thread of the current process only; a 32-bit caller in a WOW64 process gets a 32-bit thread (its
   * start routine is x86 code). AttributeList: PS_ATTRIBUTE_CLIENT_ID and PS_ATTRIBUTE_TEB_ADDRESS.
   */
  NtCreateThreadEx(c) {
    const pHandle = c.arg(0);
    c.mem.probeWrite(pHandle, 8);
    const access = mapGenericAccess(c.u32(1), THREAD_MAPPING);
    if (c.arg(2) !== 0) return unimplemented("NtCreateThreadEx", "ObjectAttributes");
    const ph = c.handle(3);
    if (ph !== NT_CURRENT_PROCESS) {
      const s = checkProcessHandle(c, ph);
      if (s !== STATUS_SUCCESS) return s;
    }
    const start = c.arg(4);
    const parameter = c.arg(5);
    const flags = c.u32(6);
    const known = THREAD_CREATE_FLAGS_CREATE_SUSPENDED | THREAD_CREATE_FLAGS_SKIP_THREAD_ATTACH;
    if ((flags & ~known) !== 0)
      return unimplemented("NtCreateThreadEx", `CreateFlags 0x${(flags & ~known).toString(16)}`);
    if (c.arg(7) !== 0) return unimplemented("NtCreateThreadEx", "ZeroBits");
    const stackCommit = c.arg(8);
    const stackReserve = c.arg(9);
    // PS_ATTRIBUTE_LIST { SIZE_T TotalLength; PS_ATTRIBUTE Attributes[] } with PS_ATTRIBUTE { ULONG_PTR
    // Attribute; SIZE_T Size; ULONG_PTR Value (or PVOID ValuePtr); PSIZE_T ReturnLength } (0x20 bytes).
    const list = c.arg(10);
    const outputs: { attribute: number; size: number; ptr: number; ret: number }[] = [];
    if (list !== 0) {
      c.mem.probeRead(list, 8);
      const total = c.mem.u64(list);
      if (total < 8 || (total - 8) % 0x20 !== 0) return STATUS_INVALID_PARAMETER;
      c.mem.probeRead(list, total);
      for (let a = list + 8; a < list + total; a += 0x20) {
        const attribute = c.mem.u64(a);
        const size = c.mem.u64(a + 8);
        const ptr = c.mem.u64(a + 0x10);
        const ret = c.mem.u64(a + 0x18);
        const need =
          attribute === PS_ATTRIBUTE_CLIENT_ID ? 0x10 : attribute === PS_ATTRIBUTE_TEB_ADDRESS ? 8 : -1;
        if (need < 0)
          return unimplemented(
            "NtCreateThreadEx",
            `PS_ATTRIBUTE 0x${attribute.toString(16)} in AttributeList`,
          );
        if (size < need) return STATUS_INVALID_PARAMETER;
        c.mem.probeWrite(ptr, need);
        if (ret !== 0) c.mem.probeWrite(ret, 8);
        outputs.push({ attribute, size: need, ptr, ret });
      }
    }
    const p = c.process;
    if (p.createThread === undefined)
      return unimplemented("NtCreateThreadEx", "no thread support in this process");
    if (p.wow64 && c.callerMode === "x64")
      return unimplemented("NtCreateThreadEx", "a 64-bit thread in a WOW64 process");
    const made = p.createThread({
      start,
      parameter,
      arch: p.wow64 ? "x86" : "x64",
      stackCommit,
      stackReserve,
      skipAttach: (flags & THREAD_CREATE_FLAGS_SKIP_THREAD_ATTACH) !== 0,
    });
    if (typeof made === "number") return made;
    const o = c.kernel.threadObject(made, start);
    if ((flags & THREAD_CREATE_FLAGS_CREATE_SUSPENDED) !== 0) syncOf(c.kernel).suspended.set(made, 1);
    c.mem.w64(pHandle, c.kernel.handles.insert(o, access));
    for (const out of outputs) {
      if (out.attribute === PS_ATTRIBUTE_CLIENT_ID) {
        c.mem.w64(out.ptr, p.id);
        c.mem.w64(out.ptr + 8, made.id);
      } else c.mem.w64(out.ptr, made.teb);
      if (out.ret !== 0) c.mem.w64(out.ret, out.size);
    }
    return STATUS_SUCCESS;
  },

  /**
   * NTSTATUS NtTerminateThread(HANDLE ThreadHandle, NTSTATUS ExitStatus). The current thread (its
   * pseudo-handle, a handle to it, or NULL) ends; its object is signaled. When it is the last thread the
   * process ends with its exit status, except that NULL refuses to end the last thread
   * (STATUS_CANT_TERMINATE_SELF). Another thread (THREAD_TERMINATE access) ends at once wherever it
   * stands, without DLL_THREAD_DETACH (TerminateThread): its object is signaled with ExitStatus, its waits
   * end, the mutexes it owned are abandoned (the next waiter gets WAIT_ABANDONED).
   */
  NtTerminateThread(c): number | KernelStop {
    const h = c.handle(0);
    const status = c.u32(1);
    let self = h === 0 || h === NT_CURRENT_THREAD;
    if (!self) {
      const r = c.kernel.handles.lookup<ThreadObject>(h, "Thread");
      if (typeof r === "number") return r;
      self = r.object.thread === c.thread;
      if (!self) {
        if ((r.entry.access & THREAD_TERMINATE) === 0) return STATUS_ACCESS_DENIED;
        if (r.object.terminated) return STATUS_SUCCESS;
        if (c.process.terminateThread === undefined)
          return unimplemented("NtTerminateThread", "terminating another thread");
        c.process.terminateThread(r.object.thread, status);
        return STATUS_SUCCESS;
      }
    }
    const last = c.process.threads.filter((t) => t !== c.thread).length === 0;
    if (!last) {
      c.kernel.endThread(c.thread, status);
      return { kind: "thread-exit", status };
    }
    if (h === 0) return STATUS_CANT_TERMINATE_SELF;
    c.process.exitStatus = status;
    // No loader shutdown ran (RtlExitUserThread would have called RtlExitUserProcess for the last thread).
    return { kind: "exit", status, abrupt: true };
  },

  /**
   * NTSTATUS NtSuspendThread(HANDLE ThreadHandle, PULONG PreviousSuspendCount): the suspend count goes
   * up (STATUS_SUSPEND_COUNT_EXCEEDED past MAXIMUM_SUSPEND_COUNT); a suspended thread does not run.
   */
  NtSuspendThread(c) {
    const pPrev = c.arg(1);
    if (pPrev !== 0) c.mem.probeWrite(pPrev, 4);
    const o = threadOf(c, c.handle(0), THREAD_SUSPEND_RESUME);
    if (typeof o === "number") return o;
    const sync = syncOf(c.kernel);
    const n = sync.suspended.get(o.thread) ?? 0;
    if (o.terminated) return STATUS_ACCESS_DENIED; // PsSuspendThread: STATUS_THREAD_IS_TERMINATING
    if (n >= MAXIMUM_SUSPEND_COUNT) return STATUS_SUSPEND_COUNT_EXCEEDED;
    sync.suspended.set(o.thread, n + 1);
    if (pPrev !== 0) c.mem.w32(pPrev, n);
    return STATUS_SUCCESS;
  },

  /** NTSTATUS NtResumeThread(HANDLE ThreadHandle, PULONG PreviousSuspendCount): the count goes down to 0. */
  NtResumeThread(c) {
    const pPrev = c.arg(1);
    if (pPrev !== 0) c.mem.probeWrite(pPrev, 4);
    const o = threadOf(c, c.handle(0), THREAD_SUSPEND_RESUME);
    if (typeof o === "number") return o;
    const sync = syncOf(c.kernel);
    const n = sync.suspended.get(o.thread) ?? 0;
    if (n > 1) sync.suspended.set(o.thread, n - 1);
    else sync.suspended.delete(o.thread);
    if (pPrev !== 0) c.mem.w32(pPrev, n);
    return STATUS_SUCCESS;
  },

  /**
   * NTSTATUS NtQueryInformationThread(HANDLE ThreadHandle, THREADINFOCLASS ThreadInformationClass, PVOID
   * ThreadInformation, ULONG ThreadInformationLength, PULONG ReturnLength). ThreadBasicInformation:
   * THREAD_BASIC_INFORMATION { NTSTATUS ExitStatus; PTEB TebBaseAddress; CLIENT_ID ClientId; KAFFINITY
   * AffinityMask; KPRIORITY Priority; LONG BasePriority } — ExitStatus STILL_ACTIVE while it runs,
   * Priority 8 (THREAD_PRIORITY_NORMAL in a NORMAL_PRIORITY_CLASS process), BasePriority 0.
   */
  NtQueryInformationThread(c) {
    const cls = c.u32(1);
    const buf = c.arg(2);
    const len = c.u32(3);
    const pRet = c.arg(4);
    if (cls !== ThreadBasicInformation)
      return unimplemented("NtQueryInformationThread", `ThreadInformationClass ${cls}`);
    c.mem.probeWrite(buf, len);
    if (pRet !== 0) c.mem.probeWrite(pRet, 4);
    if (len !== TBI64_SIZE) return STATUS_INFO_LENGTH_MISMATCH;
    const o = threadOf(c, c.handle(0), THREAD_QUERY_INFORMATION | THREAD_QUERY_LIMITED_INFORMATION);
    if (typeof o === "number") return o;
    const b = new Uint8Array(TBI64_SIZE);
    const dv = new DataView(b.buffer);
    dv.setUint32(0, o.exitStatus, true);
    dv.setBigUint64(8, BigInt(o.thread.teb), true);
    dv.setBigUint64(0x10, BigInt(c.process.id), true);
    dv.setBigUint64(0x18, BigInt(o.thread.id), true);
    dv.setBigUint64(0x20, BigInt(c.kernel.affinityMask), true);
    dv.setInt32(0x28, 8, true);
    dv.setInt32(0x2c, 0, true);
    c.mem.write(buf, b);
    if (pRet !== 0) c.mem.w32(pRet, TBI64_SIZE);
    return STATUS_SUCCESS;
  },

  /**
   * NTSTATUS NtQueueApcThread(HANDLE ThreadHandle, PPS_APC_ROUTINE ApcRoutine, PVOID ApcArgument1, PVOID
   * ApcArgument2, PVOID ApcArgument3): a user APC for the thread (THREAD_SET_CONTEXT access, as
   * QueueUserAPC documents), run when it next waits alertably (./apc.ts). A thread that has ended:
   * STATUS_UNSUCCESSFUL. An APC routine must be code of the thread's architecture: 64-bit code queuing to a
   * 32-bit thread of a WOW64 process stops as unimplemented.
   */
  NtQueueApcThread(c) {
    const o = threadOf(c, c.handle(0), THREAD_SET_CONTEXT);
    if (typeof o === "number") return o;
    const routine = c.arg(1);
    if (o.terminated) return STATUS_UNSUCCESSFUL;
    const targetMode = o.thread.teb32 !== 0 ? "x86" : "x64";
    if (targetMode !== c.callerMode)
      return unimplemented(
        "NtQueueApcThread",
        `a ${c.callerMode === "x64" ? "64" : "32"}-bit APC routine for a ${targetMode === "x64" ? "64" : "32"}-bit thread`,
      );
    syncOf(c.kernel).queueApc(o.thread, { routine, args: [c.arg(2), c.arg(3), c.arg(4)] });
    return STATUS_SUCCESS;
  },

  /**
   * NTSTATUS NtTestAlert(VOID): the thread's queued user APCs run now (KeTestAlertThread sets
   * UserApcPending; they are delivered on the way back to user mode); STATUS_SUCCESS (nothing alerts a
   * thread here: NtAlertThread is not implemented, so never STATUS_ALERTED).
   */
  NtTestAlert(c) {
    const sync = syncOf(c.kernel);
    if (!sync.hasApc(c.thread)) return STATUS_SUCCESS;
    return sync.deliverNow(c.thread, STATUS_SUCCESS);
  },
};
