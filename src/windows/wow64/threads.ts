/**
 * WOW64 thunks of the thread and synchronisation services (../kernel/thread.ts, ../kernel/sync.ts).
 * Handles sign-extend; PHANDLE outputs narrow; OBJECT_ATTRIBUTES widen; LARGE_INTEGER and LONG/ULONG
 * pointers pass through (same bytes). Layouts: phnt (PS_ATTRIBUTE_LIST, THREAD_BASIC_INFORMATION).
 */
import { STATUS_INFO_LENGTH_MISMATCH, STATUS_INVALID_PARAMETER, ntSuccess } from "../kernel/status";
import { unimplemented } from "../kernel/context";
import {
  PS_ATTRIBUTE_CLIENT_ID,
  PS_ATTRIBUTE_TEB_ADDRESS,
  TBI64_SIZE,
  ThreadBasicInformation,
} from "../kernel/thread";
import { MAXIMUM_WAIT_OBJECTS } from "../kernel/sync";
import { objectAttributes, returnLength32 } from "./structs";
import { byValue, outPointer, type ThunkCall, type ThunkFamily } from "./thunk";

/** THREAD_BASIC_INFORMATION on x86: ExitStatus, TebBaseAddress @4, ClientId @8, AffinityMask @0x10, Priority @0x14, BasePriority @0x18. */
export const TBI32_SIZE = 0x1c;
/** TEB64.WowTebOffset of a WOW64 thread: its TEB32 is 0x2000 above the TEB64 (src/windows/loader/layout.ts). */
const TEB32_OFFSET = 0x2000;

/** (PHANDLE, ACCESS_MASK, POBJECT_ATTRIBUTES, then `rest` by value). */
function createLike(...rest: ("u" | "s")[]): (t: ThunkCall) => void {
  return (t) => {
    outPointer(t, 0);
    t.set(1, t.arg(1));
    objectAttributes(t, 2);
    rest.forEach((k, i) => t.set(3 + i, k === "s" ? t.sarg(3 + i) : t.arg(3 + i)));
  };
}

/**
 * PPS_ATTRIBUTE_LIST, 32 → 64: { SIZE_T TotalLength; PS_ATTRIBUTE[] } with 16-byte x86 entries { Attribute,
 * Size, Value, ReturnLength }. The outputs kernel32 asks for (CLIENT_ID: two ULONGs on x86; the TEB
 * address: the TEB32) are written to 64-bit scratch and narrowed back.
 */
function attributeList(t: ThunkCall, i: number): void {
  const p32 = t.arg(i);
  if (p32 === 0) return t.set(i, 0);
  const m = t.mem;
  m.probeRead(p32, 4);
  const total = m.u32(p32);
  if (total < 4 || (total - 4) % 16 !== 0) t.fail(STATUS_INVALID_PARAMETER);
  const n = (total - 4) / 16;
  m.probeRead(p32, total);
  const s = t.scratch(8 + 0x20 * n);
  m.w64(s, 8 + 0x20 * n);
  for (let k = 0; k < n; k++) {
    const a32 = p32 + 4 + 16 * k;
    const a64 = s + 8 + 0x20 * k;
    const attribute = m.u32(a32);
    const size = m.u32(a32 + 4);
    const ptr = m.u32(a32 + 8);
    const ret = m.u32(a32 + 12);
    const size32 = attribute === PS_ATTRIBUTE_CLIENT_ID ? 8 : attribute === PS_ATTRIBUTE_TEB_ADDRESS ? 4 : -1;
    if (size32 < 0) {
      m.w64(a64, attribute);
      m.w64(a64 + 8, size);
      m.w64(a64 + 0x10, ptr);
      m.w64(a64 + 0x18, ret);
      continue;
    }
    if (size < size32) t.fail(STATUS_INVALID_PARAMETER);
    m.probeWrite(ptr, size32);
    if (ret !== 0) m.probeWrite(ret, 4);
    const out = t.scratch(16);
    m.w64(a64, attribute);
    m.w64(a64 + 8, 2 * size32);
    m.w64(a64 + 0x10, out);
    m.w64(a64 + 0x18, 0);
    t.after((status) => {
      if (!ntSuccess(status)) return;
      if (attribute === PS_ATTRIBUTE_CLIENT_ID) {
        m.w32(ptr, m.u64(out) >>> 0);
        m.w32(ptr + 4, m.u64(out + 8) >>> 0);
      } else m.w32(ptr, (m.u64(out) + TEB32_OFFSET) >>> 0);
      if (ret !== 0) m.w32(ret, size32);
    });
  }
  t.set(i, s);
}

export const threadThunks: ThunkFamily = {
  NtCreateThreadEx(t) {
    outPointer(t, 0);
    t.set(1, t.arg(1));
    objectAttributes(t, 2);
    t.set(3, t.sarg(3));
    for (let i = 4; i < 10; i++) t.set(i, t.arg(i));
    attributeList(t, 10);
  },
  /** (HANDLE, PULONG PreviousSuspendCount). */
  NtSuspendThread: byValue("s", "u"),
  NtResumeThread: byValue("s", "u"),
  /** ThreadBasicInformation narrowed; a 32-bit caller sees the thread's TEB32 (as wow64 reports it). */
  NtQueryInformationThread(t) {
    const cls = t.arg(1);
    if (cls !== ThreadBasicInformation)
      return unimplemented("NtQueryInformationThread", `ThreadInformationClass ${cls} from 32-bit code`);
    const buf = t.arg(2);
    const pRet = t.arg(4);
    if (t.arg(3) !== TBI32_SIZE) t.fail(STATUS_INFO_LENGTH_MISMATCH);
    t.mem.probeWrite(buf, TBI32_SIZE);
    if (pRet !== 0) t.mem.probeWrite(pRet, 4);
    const s = t.scratch(TBI64_SIZE);
    t.set(0, t.sarg(0));
    t.set(1, cls);
    t.set(2, s);
    t.set(3, TBI64_SIZE);
    t.set(4, 0);
    t.after((status) => {
      if (!ntSuccess(status)) return;
      const m = t.mem;
      const b = new Uint8Array(TBI32_SIZE);
      const dv = new DataView(b.buffer);
      const teb = m.u64(s + 8);
      dv.setUint32(0, m.u32(s), true);
      dv.setUint32(4, teb === 0 ? 0 : (teb + TEB32_OFFSET) >>> 0, true);
      dv.setUint32(8, m.u64(s + 0x10) >>> 0, true);
      dv.setUint32(0x0c, m.u64(s + 0x18) >>> 0, true);
      dv.setUint32(0x10, m.u64(s + 0x20) >>> 0, true);
      dv.setInt32(0x14, m.i32(s + 0x28), true);
      dv.setInt32(0x18, m.i32(s + 0x2c), true);
      m.write(buf, b);
    });
    returnLength32(t, pRet, TBI32_SIZE);
  },

  NtCreateEvent: createLike("u", "u"),
  NtOpenEvent: createLike(),
  /** (HANDLE, PLONG PreviousState). */
  NtSetEvent: byValue("s", "u"),
  NtResetEvent: byValue("s", "u"),
  NtPulseEvent: byValue("s", "u"),
  NtClearEvent: byValue("s"),
  NtCreateMutant: createLike("u"),
  NtOpenMutant: createLike(),
  NtReleaseMutant: byValue("s", "u"),
  NtCreateSemaphore: createLike("s", "s"),
  NtOpenSemaphore: createLike(),
  /** (HANDLE, LONG ReleaseCount, PLONG PreviousCount). */
  NtReleaseSemaphore: byValue("s", "s", "u"),
  /** (HANDLE, BOOLEAN Alertable, PLARGE_INTEGER Timeout). */
  NtWaitForSingleObject: byValue("s", "u", "u"),
  /** (ULONG Count, PHANDLE Handles, WAIT_TYPE, BOOLEAN Alertable, PLARGE_INTEGER Timeout): the handles widen. */
  NtWaitForMultipleObjects(t) {
    const count = t.arg(0);
    const p32 = t.arg(1);
    t.set(0, count);
    if (count === 0 || count > MAXIMUM_WAIT_OBJECTS) t.set(1, p32);
    else {
      t.mem.probeRead(p32, 4 * count);
      const s = t.scratch(8 * count);
      for (let i = 0; i < count; i++) t.mem.w64(s + 8 * i, t.mem.i32(p32 + 4 * i));
      t.set(1, s);
    }
    t.set(2, t.arg(2));
    t.set(3, t.arg(3));
    t.set(4, t.arg(4));
  },
  NtYieldExecution: byValue(),
  /**
   * (HANDLE, PPS_APC_ROUTINE, PVOID ×3): a 32-bit routine and arguments, kept as they are; the APC is
   * delivered to the thread's 32-bit code (../kernel/apc.ts).
   */
  NtQueueApcThread: byValue("s", "u", "u", "u", "u"),
  NtTestAlert: byValue(),
};
