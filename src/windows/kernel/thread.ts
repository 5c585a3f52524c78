/** Thread services: NtTerminateThread, and the thread object. */
import type { SyscallFamily } from "./context";
import { unimplemented } from "./context";
import { KernelObject, NT_CURRENT_THREAD } from "./handles";
import { STATUS_CANT_TERMINATE_SELF } from "./status";
import type { KernelThread } from "./types";

export class ThreadObject extends KernelObject {
  readonly type = "Thread";
  constructor(readonly thread: KernelThread) {
    super();
  }
}

export const threadSyscalls: SyscallFamily = {
  /**
   * NTSTATUS NtTerminateThread(HANDLE ThreadHandle, NTSTATUS ExitStatus). The current thread (its
   * pseudo-handle, a handle to it, or NULL) ends; when it is the last thread the process ends with its exit
   * status (ExitThread), except that NULL refuses to end the last thread (STATUS_CANT_TERMINATE_SELF).
   */
  NtTerminateThread(c) {
    const h = c.handle(0);
    const status = c.u32(1);
    let self = h === 0 || h === NT_CURRENT_THREAD;
    if (!self) {
      const r = c.kernel.handles.lookup<ThreadObject>(h, "Thread");
      if (typeof r === "number") return r;
      self = r.object.thread === c.thread;
      if (!self) return unimplemented("NtTerminateThread", "terminating another thread");
    }
    const last = c.process.threads.filter((t) => t !== c.thread).length === 0;
    if (!last) return { kind: "thread-exit", status };
    if (h === 0) return STATUS_CANT_TERMINATE_SELF;
    c.process.exitStatus = status;
    // No loader shutdown ran (RtlExitUserThread would have called RtlExitUserProcess for the last thread).
    return { kind: "exit", status, abrupt: true };
  },
};
