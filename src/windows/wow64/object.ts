/** WOW64 thunks of the object and thread services. */
import { byValue, outPointer, type ThunkFamily } from "./thunk";

export const objectThunks: ThunkFamily = {
  /** (HANDLE). */
  NtClose: byValue("s"),
  /** (HANDLE Thread, NTSTATUS ExitStatus). */
  NtTerminateThread: byValue("s", "s"),
  /**
   * (HANDLE SourceProcess, HANDLE Source, HANDLE TargetProcess, PHANDLE TargetHandle, ACCESS_MASK, ULONG
   * HandleAttributes, ULONG Options): the handles sign-extend (NtCurrentThread() stays -2), the new handle
   * narrows into the caller's 32-bit HANDLE.
   */
  NtDuplicateObject(t) {
    t.set(0, t.sarg(0));
    t.set(1, t.sarg(1));
    t.set(2, t.sarg(2));
    outPointer(t, 3);
    for (let i = 4; i < 7; i++) t.set(i, t.arg(i));
  },
};
