/** WOW64 thunks of the file services. */
import { ioStatusBlock } from "./structs";
import type { Thunk, ThunkFamily } from "./thunk";

/**
 * (HANDLE File, HANDLE Event, PIO_APC_ROUTINE, PVOID ApcContext, PIO_STATUS_BLOCK, PVOID Buffer, ULONG
 * Length, PLARGE_INTEGER ByteOffset, PULONG Key).
 */
const readWrite: Thunk = (t) => {
  t.set(0, t.sarg(0));
  t.set(1, t.sarg(1));
  t.set(2, t.arg(2));
  t.set(3, t.arg(3));
  ioStatusBlock(t, 4);
  for (let i = 5; i < 9; i++) t.set(i, t.arg(i));
};

export const fileThunks: ThunkFamily = {
  NtWriteFile: readWrite,
  NtReadFile: readWrite,
};
