/** Object services common to every type: NtClose. */
import type { SyscallFamily } from "./context";
import { STATUS_SUCCESS } from "./status";

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
};
