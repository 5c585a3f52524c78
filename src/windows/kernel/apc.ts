/**
 * User APCs: the per-thread queue NtQueueApcThread fills and their delivery to user mode, as
 * KiDeliverApc / KiInitializeUserApc do it (Windows Internals 7th ed. ch. 6 "APC interrupts" and ch. 8
 * "Asynchronous procedure call"; Microsoft Learn: QueueUserAPC, SleepEx, WaitForSingleObjectEx,
 * "Asynchronous Procedure Calls"):
 * - A user APC runs only when its thread is in an alertable wait (or calls NtTestAlert): the wait ends with
 *   STATUS_USER_APC (WAIT_IO_COMPLETION, 0xC0), and on the way back to user mode the thread is sent to
 *   ntdll!KiUserApcDispatcher with the interrupted context on its stack. The dispatcher calls
 *   ApcRoutine(ApcArgument1, ApcArgument2, ApcArgument3), then NtContinue(context, TestAlert = TRUE),
 *   which delivers the next queued APC the same way, or resumes the context — where RAX/EAX still holds
 *   STATUS_USER_APC. APCs run first in, first out.
 * - An alertable wait started while APCs are queued does not wait: it ends with STATUS_USER_APC at once.
 *
 * Frames:
 * - x64: RSP → CONTEXT (0x4D0 bytes, 16-byte aligned) whose P1Home..P4Home hold ApcArgument1..3 and the
 *   routine, a MACHINE_FRAME (Rip, SegCs, EFlags, Rsp, SegSs) after it (Windows 10's KiUserApcDispatcher
 *   reads its arguments from P1Home..P4Home the same way).
 * - x86 (a 32-bit thread under WOW64, delivered when its service returns to 32-bit code, as wow64 does
 *   after a 64-bit APC on the thread): ESP → [ApcRoutine, ApcArgument1, ApcArgument2, ApcArgument3], the x86
 *   CONTEXT at ESP+0x10.
 */
import type { Cpu } from "../../cpu/cpu";
import { TEB64, WOW64_CPURESERVED_CONTEXT } from "../dlls/code";
import { CONTEXT32, CONTEXT64, captureContext64, ntdllExport } from "./exception";
import type { KernelProcess, KernelThread } from "./types";
import { GuestFault, join64, split64, type UserMemory } from "./user-memory";

/** STATUS_USER_APC (= WAIT_IO_COMPLETION). */
export const STATUS_USER_APC = 0xc0;

/** One queued user APC: ApcRoutine(ApcArgument1, ApcArgument2, ApcArgument3). */
export interface UserApc {
  readonly routine: number;
  readonly args: readonly [number, number, number];
}

/**
 * x64: write the APC frame for the registers in `cpu` (the thread at the point it returns to) and send
 * the thread to ntdll!KiUserApcDispatcher. False when there is no dispatcher or the stack is unusable.
 */
export function deliverApc64(process: KernelProcess, mem: UserMemory, cpu: Cpu, apc: UserApc): boolean {
  const dispatcher = ntdllExport(process, "x64", "KiUserApcDispatcher");
  if (dispatcher === undefined) return false;
  const context = captureContext64(cpu);
  const dv = new DataView(context.buffer);
  dv.setBigUint64(CONTEXT64.P1Home, BigInt(apc.args[0]), true);
  dv.setBigUint64(CONTEXT64.P1Home + 8, BigInt(apc.args[1]), true);
  dv.setBigUint64(CONTEXT64.P1Home + 0x10, BigInt(apc.args[2]), true);
  dv.setBigUint64(CONTEXT64.P1Home + 0x18, BigInt(apc.routine), true);
  const sp = join64(cpu.lo[4], cpu.hi[4]);
  const frame = Math.floor((sp - CONTEXT64.size - 0x28 - 0x80) / 16) * 16;
  try {
    mem.probeWrite(frame, CONTEXT64.size + 0x28);
    mem.write(frame, context);
    const mf = frame + CONTEXT64.size; // MACHINE_FRAME
    mem.w64(mf, cpu.rip);
    mem.w64(mf + 8, 0x33);
    mem.w64(mf + 0x10, cpu.getEflags());
    mem.w64(mf + 0x18, sp);
    mem.w64(mf + 0x20, 0x2b);
  } catch (e) {
    if (e instanceof GuestFault) return false;
    throw e;
  }
  const [lo, hi] = split64(frame);
  cpu.lo[4] = lo | 0;
  cpu.hi[4] = hi | 0;
  cpu.setEflags(cpu.getEflags() & ~0x500); // DF and TF clear on entry
  cpu.rip = dispatcher;
  return true;
}

/**
 * x86: write the APC frame below the x86 `context`'s Esp and return the context that enters
 * x86 ntdll!KiUserApcDispatcher (Esp at the frame, Eip at the dispatcher), or undefined when there is no
 * dispatcher or the stack is unusable.
 */
export function apcFrame32(
  process: KernelProcess,
  mem: UserMemory,
  context: Uint8Array,
  apc: UserApc,
): Uint8Array | undefined {
  const dispatcher = ntdllExport(process, "x86", "KiUserApcDispatcher");
  if (dispatcher === undefined) return undefined;
  const dv = new DataView(context.buffer, context.byteOffset, context.byteLength);
  const sp = dv.getUint32(CONTEXT32.Esp, true);
  const ctxAt = ((sp - CONTEXT32.size - 0x40) & ~15) >>> 0;
  const frame = ctxAt - 0x10;
  try {
    mem.probeWrite(frame, 0x10 + CONTEXT32.size);
    mem.write(ctxAt, context);
    mem.w32(frame, apc.routine >>> 0);
    for (let i = 0; i < 3; i++) mem.w32(frame + 4 + 4 * i, apc.args[i] >>> 0);
  } catch (e) {
    if (e instanceof GuestFault) return undefined;
    throw e;
  }
  const next = context.slice();
  const nv = new DataView(next.buffer);
  nv.setUint32(CONTEXT32.Esp, frame, true);
  nv.setUint32(CONTEXT32.Eip, dispatcher, true);
  nv.setUint32(CONTEXT32.EFlags, nv.getUint32(CONTEXT32.EFlags, true) & ~0x500, true);
  nv.setUint32(CONTEXT32.ContextFlags, nv.getUint32(CONTEXT32.ContextFlags, true) | 0x10003, true);
  return next;
}

/**
 * x86 under WOW64: a 32-bit thread's service returns `status` to 32-bit code; deliver `apc` there instead.
 * The thread's WOW64_CONTEXT (the x86 registers wow64cpu resumes) becomes the APC frame's context, with
 * Eax = `status` and the live XMM registers, and then points at x86 ntdll!KiUserApcDispatcher.
 */
export function deliverApc32(
  process: KernelProcess,
  mem: UserMemory,
  thread: KernelThread,
  status: number,
  apc: UserApc,
): boolean {
  try {
    const ctx = mem.u64(thread.teb + TEB64.Wow64CpuReserved) + WOW64_CPURESERVED_CONTEXT;
    const context = mem.read(ctx, CONTEXT32.size).slice();
    const dv = new DataView(context.buffer);
    dv.setUint32(CONTEXT32.Eax, status >>> 0, true);
    // CONTEXT_i386 | CONTROL | INTEGER | SEGMENTS | FLOATING_POINT | EXTENDED_REGISTERS
    dv.setUint32(CONTEXT32.ContextFlags, 0x1003f, true);
    const x = CONTEXT32.ExtendedRegisters;
    const cpu = thread.cpu;
    dv.setUint16(x, 0x27f, true);
    dv.setUint32(x + 0x18, cpu.mxcsr, true);
    dv.setUint32(x + 0x1c, 0xffff, true);
    for (let i = 0; i < 32; i++) dv.setInt32(x + 0xa0 + 4 * i, cpu.xmm[i], true);
    const next = apcFrame32(process, mem, context, apc);
    if (next === undefined) return false;
    const nv = new DataView(next.buffer);
    mem.w32(ctx + CONTEXT32.Esp, nv.getUint32(CONTEXT32.Esp, true));
    mem.w32(ctx + CONTEXT32.Eip, nv.getUint32(CONTEXT32.Eip, true));
    mem.w32(ctx + CONTEXT32.EFlags, nv.getUint32(CONTEXT32.EFlags, true));
    return true;
  } catch (e) {
    if (e instanceof GuestFault) return false;
    throw e;
  }
}
