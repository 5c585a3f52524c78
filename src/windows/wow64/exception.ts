/**
 * WOW64 conversions of the exception services for 32-bit callers. As wow64.dll does, these do not call
 * the x64 services: the x86 CONTEXT becomes the thread's WOW64_CONTEXT (TEB64.TlsSlots[1] + 4, the same
 * layout), and the thunk gives up with the context's Eax as the "status", so wow64cpu's
 * CpupRunSimulatedCode resumes the 32-bit code with exactly that context.
 * - NtContinue(Context, TestAlert): resume the context.
 * - NtRaiseException(Record, Context, FirstChance): first chance: the x86 frame of
 *   KiUserExceptionDispatcher is written below Context.Esp and the thread continues in x86 ntdll's
 *   dispatcher (or, when a debugger wants the first chance, a "first-chance" stop: the process delivers it
 *   when the run resumes); second chance: the process ends with the exception code.
 */
import { TEB64, WOW64_CPURESERVED_CONTEXT } from "../dlls/code";
import {
  CONTEXT32,
  firstChanceStop,
  ntdllExport,
  readRecord,
  unhandledStop,
  writeFrame32,
} from "../kernel/exception";
import { unimplemented } from "../kernel/context";
import { apcFrame32 } from "../kernel/apc";
import { syncOf } from "../kernel/sync";
import type { ThunkCall, ThunkFamily } from "./thunk";

const C = CONTEXT32;

/** Put an x86 CONTEXT into WOW64_CONTEXT (integer and control registers; XMM into the CPU) and resume it. */
function resume(t: ThunkCall, b: Uint8Array): never {
  const dv = new DataView(b.buffer, b.byteOffset, b.byteLength);
  const flags = dv.getUint32(C.ContextFlags, true);
  const ctx = t.mem.u64(t.thread.teb + TEB64.Wow64CpuReserved) + WOW64_CPURESERVED_CONTEXT;
  const copy = (off: number): void => t.mem.w32(ctx + off, dv.getUint32(off, true));
  if (flags & 2) for (const off of [C.Edi, C.Esi, C.Ebx, C.Edx, C.Ecx, C.Eax]) copy(off);
  if (flags & 1) {
    for (const off of [C.Ebp, C.Eip, C.Esp]) copy(off);
    t.mem.w32(ctx + C.EFlags, (dv.getUint32(C.EFlags, true) & 0x44dd5) | 0x202);
    t.mem.w32(ctx + C.SegCs, 0x23);
  }
  if (flags & 0x20) {
    const cpu = t.thread.cpu;
    cpu.mxcsr = dv.getUint32(C.ExtendedRegisters + 0x18, true);
    for (let i = 0; i < 32; i++) cpu.xmm[i] = dv.getInt32(C.ExtendedRegisters + 0xa0 + 4 * i, true);
  }
  return t.fail(t.mem.u32(ctx + C.Eax));
}

export const exceptionThunks: ThunkFamily = {
  /** TestAlert (x86 KiUserApcDispatcher's call): a further queued user APC is delivered from the context. */
  NtContinue(t) {
    const b = t.mem.read(t.arg(0), C.size);
    if ((t.arg(1) & 0xff) !== 0) {
      const sync = syncOf(t.kernel);
      const apc = sync.takeApc(t.thread);
      if (apc !== undefined) {
        const next = apcFrame32(t.process, t.mem, b, apc);
        if (next !== undefined) resume(t, next);
        sync.queueApc(t.thread, apc);
      }
    }
    resume(t, b);
  },
  NtRaiseException(t) {
    const e = readRecord(t.mem, t.arg(0), "x86");
    const b = t.mem.read(t.arg(1), C.size);
    if ((t.arg(2) & 0xff) === 0) return unhandledStop(e, b, "x86");
    // A debugger's first chance: nothing is dispatched now; the process delivers the exception to x86
    // KiUserExceptionDispatcher when the run resumes (deliverException: the same frame, in 32-bit mode).
    const first = firstChanceStop(t.process, "x86", e, b);
    if (first !== undefined) return first;
    const dispatcher = ntdllExport(t.process, "x86", "KiUserExceptionDispatcher");
    if (dispatcher === undefined)
      return unimplemented("NtRaiseException", "no x86 KiUserExceptionDispatcher");
    const esp = writeFrame32(t.mem, e, b);
    const dv = new DataView(b.buffer);
    dv.setUint32(C.Esp, esp, true);
    dv.setUint32(C.Eip, dispatcher, true);
    dv.setUint32(C.EFlags, dv.getUint32(C.EFlags, true) & ~0x500, true);
    dv.setUint32(C.ContextFlags, dv.getUint32(C.ContextFlags, true) | 3, true);
    resume(t, b);
  },
};
