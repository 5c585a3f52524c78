/** WOW64 thunks of the object and thread services. */
import { byValue, type ThunkFamily } from "./thunk";

export const objectThunks: ThunkFamily = {
  /** (HANDLE). */
  NtClose: byValue("s"),
  /** (HANDLE Thread, NTSTATUS ExitStatus). */
  NtTerminateThread: byValue("s", "s"),
};
