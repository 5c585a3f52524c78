/**
 * Exception dispatch, kernel side: the EXCEPTION_RECORD and CONTEXT layouts (winnt.h), capturing the
 * thread's registers into a CONTEXT and loading them back, and delivering an exception to user mode as
 * KiDispatchException does: the CONTEXT and EXCEPTION_RECORD are written on the user stack and the
 * thread continues at ntdll!KiUserExceptionDispatcher, whose real code calls RtlDispatchException and
 * then NtContinue (handled) or NtRaiseException(FirstChance = FALSE) (unhandled).
 *
 * Frames (as on Windows 10):
 * - x64: RSP → CONTEXT (0x4D0 bytes, 16-byte aligned), EXCEPTION_RECORD at RSP+0x4F0, a MACHINE_FRAME
 *   (Rip, SegCs, EFlags, Rsp, SegSs) after it.
 * - x86 (a WOW64 thread in 32-bit code; Wow64PrepareForException's conversion is done here directly):
 *   ESP → [PEXCEPTION_RECORD, PCONTEXT], the EXCEPTION_RECORD (0x50) and the x86 CONTEXT (0x2CC) above.
 *
 * The services: NtContinue (x64 here; a 32-bit caller's is converted into the thread's WOW64_CONTEXT by
 * `../wow64/exception.ts`) and NtRaiseException (first chance: deliver, or stop first when a debugger wants
 * the first chance (`firstChanceStop`); second chance: the process ends with the exception code).
 */
import type { Cpu } from "../../cpu/cpu";
import { WOW64_CONTEXT, type Arch } from "../dlls";
import type { SyscallFamily } from "./context";
import type { KernelProcess, KernelStop, KernelThread } from "./types";
import { join64, split64, type UserMemory } from "./user-memory";
import { deliverApc64 } from "./apc";
import { syncOf } from "./sync";

/** EXCEPTION_RECORD (x64, 0x98 bytes). */
export const EXCEPTION_RECORD64 = {
  ExceptionCode: 0x00,
  ExceptionFlags: 0x04,
  ExceptionRecord: 0x08,
  ExceptionAddress: 0x10,
  NumberParameters: 0x18,
  ExceptionInformation: 0x20,
  size: 0x98,
} as const;

/** EXCEPTION_RECORD32 (0x50 bytes). */
export const EXCEPTION_RECORD32 = {
  ExceptionCode: 0x00,
  ExceptionFlags: 0x04,
  ExceptionRecord: 0x08,
  ExceptionAddress: 0x0c,
  NumberParameters: 0x10,
  ExceptionInformation: 0x14,
  size: 0x50,
} as const;

export const EXCEPTION_MAXIMUM_PARAMETERS = 15;
export const EXCEPTION_NONCONTINUABLE = 1;
export const EXCEPTION_UNWINDING = 2;

/** CONTEXT (x64, winnt.h; 0x4D0 bytes, DECLSPEC_ALIGN(16)). */
export const CONTEXT64 = {
  P1Home: 0x00,
  ContextFlags: 0x30,
  MxCsr: 0x34,
  SegCs: 0x38,
  SegDs: 0x3a,
  SegEs: 0x3c,
  SegFs: 0x3e,
  SegGs: 0x40,
  SegSs: 0x42,
  EFlags: 0x44,
  Dr0: 0x48,
  Dr7: 0x70,
  Rax: 0x78,
  Rcx: 0x80,
  Rdx: 0x88,
  Rbx: 0x90,
  Rsp: 0x98,
  Rbp: 0xa0,
  Rsi: 0xa8,
  Rdi: 0xb0,
  R8: 0xb8,
  R15: 0xf0,
  Rip: 0xf8,
  /** XMM_SAVE_AREA32 (FXSAVE layout, 0x200 bytes). */
  FltSave: 0x100,
  Xmm0: 0x1a0,
  VectorRegister: 0x300,
  VectorControl: 0x4a0,
  DebugControl: 0x4a8,
  LastBranchToRip: 0x4b0,
  LastBranchFromRip: 0x4b8,
  LastExceptionToRip: 0x4c0,
  LastExceptionFromRip: 0x4c8,
  size: 0x4d0,
} as const;

/**
 * CONTEXT (x86, winnt.h; 0x2CC bytes): WOW64_CONTEXT is the same structure (../dlls/code.ts holds the
 * offsets wow64cpu's code uses), plus the fields only exception dispatch reads.
 */
export const CONTEXT32 = {
  ...WOW64_CONTEXT,
  Dr0: 0x04,
  Dr7: 0x18,
  FloatSave: 0x1c,
  /** FXSAVE image (512 bytes): MxCsr at +0x18, XMM0 at +0xA0. */
  ExtendedRegisters: 0xcc,
} as const;

/** CONTEXT_AMD64 | CONTROL | INTEGER | SEGMENTS | FLOATING_POINT. */
export const CONTEXT64_FULL_FLAGS = 0x10001f;
/** CONTEXT_i386 | CONTROL | INTEGER | SEGMENTS | FLOATING_POINT | EXTENDED_REGISTERS. */
export const CONTEXT32_FULL_FLAGS = 0x1002f;

/** What an exception is: the EXCEPTION_RECORD's fields. */
export interface ExceptionInfo {
  readonly code: number;
  readonly flags: number;
  readonly address: number;
  readonly params: readonly number[];
  /** (Optional) EXCEPTION_RECORD.ExceptionRecord: the exception being handled when this one was raised. */
  readonly chain?: number;
}

/** GPR order of CONTEXT64 from Rax (Rax, Rcx, Rdx, Rbx, Rsp, Rbp, Rsi, Rdi, R8…R15) = the CPU's register numbers. */
const GPR64 = (r: number): number => CONTEXT64.Rax + 8 * r;
/** CPU register number → CONTEXT32 offset (eax, ecx, edx, ebx, esp, ebp, esi, edi). */
const GPR32 = [
  CONTEXT32.Eax,
  CONTEXT32.Ecx,
  CONTEXT32.Edx,
  CONTEXT32.Ebx,
  CONTEXT32.Esp,
  CONTEXT32.Ebp,
  CONTEXT32.Esi,
  CONTEXT32.Edi,
];

/** The thread's registers as an x64 CONTEXT (CONTEXT_FULL | FLOATING_POINT). */
export function captureContext64(cpu: Cpu): Uint8Array {
  const b = new Uint8Array(CONTEXT64.size);
  const dv = new DataView(b.buffer);
  dv.setUint32(CONTEXT64.ContextFlags, CONTEXT64_FULL_FLAGS, true);
  dv.setUint32(CONTEXT64.MxCsr, cpu.mxcsr, true);
  dv.setUint16(CONTEXT64.SegCs, 0x33, true);
  for (const off of [CONTEXT64.SegDs, CONTEXT64.SegEs, CONTEXT64.SegGs, CONTEXT64.SegSs])
    dv.setUint16(off, 0x2b, true);
  dv.setUint16(CONTEXT64.SegFs, 0x53, true);
  dv.setUint32(CONTEXT64.EFlags, cpu.getEflags(), true);
  for (let r = 0; r < 16; r++) {
    dv.setUint32(GPR64(r), cpu.lo[r], true);
    dv.setUint32(GPR64(r) + 4, cpu.hi[r], true);
  }
  const [lo, hi] = split64(cpu.rip);
  dv.setUint32(CONTEXT64.Rip, lo, true);
  dv.setUint32(CONTEXT64.Rip + 4, hi, true);
  dv.setUint16(CONTEXT64.FltSave, 0x27f, true); // FCW
  dv.setUint32(CONTEXT64.FltSave + 0x18, cpu.mxcsr, true);
  dv.setUint32(CONTEXT64.FltSave + 0x1c, 0xffff, true); // MxCsr_Mask
  for (let i = 0; i < 64; i++) dv.setInt32(CONTEXT64.Xmm0 + 4 * i, cpu.xmm[i], true);
  return b;
}

/** The thread's 32-bit registers as an x86 CONTEXT (CONTEXT_FULL | FLOATING_POINT | EXTENDED_REGISTERS). */
export function captureContext32(cpu: Cpu): Uint8Array {
  const b = new Uint8Array(CONTEXT32.size);
  const dv = new DataView(b.buffer);
  dv.setUint32(CONTEXT32.ContextFlags, CONTEXT32_FULL_FLAGS, true);
  dv.setUint32(CONTEXT32.FloatSave, 0xffff027f, true); // ControlWord
  dv.setUint32(CONTEXT32.SegGs, 0x2b, true);
  dv.setUint32(CONTEXT32.SegFs, 0x53, true);
  dv.setUint32(CONTEXT32.SegEs, 0x2b, true);
  dv.setUint32(CONTEXT32.SegDs, 0x2b, true);
  dv.setUint32(CONTEXT32.SegCs, 0x23, true);
  dv.setUint32(CONTEXT32.SegSs, 0x2b, true);
  for (let r = 0; r < 8; r++) dv.setUint32(GPR32[r], cpu.lo[r], true);
  dv.setUint32(CONTEXT32.Eip, cpu.rip >>> 0, true);
  dv.setUint32(CONTEXT32.EFlags, cpu.getEflags(), true);
  const x = CONTEXT32.ExtendedRegisters;
  dv.setUint16(x, 0x27f, true);
  dv.setUint32(x + 0x18, cpu.mxcsr, true);
  dv.setUint32(x + 0x1c, 0xffff, true);
  for (let i = 0; i < 32; i++) dv.setInt32(x + 0xa0 + 4 * i, cpu.xmm[i], true);
  return b;
}

/** Load the thread's 64-bit registers from an x64 CONTEXT (the parts its ContextFlags name). */
export function loadContext64(cpu: Cpu, b: Uint8Array): void {
  const dv = new DataView(b.buffer, b.byteOffset, b.byteLength);
  const flags = dv.getUint32(CONTEXT64.ContextFlags, true);
  if (flags & 2) {
    for (let r = 0; r < 16; r++) {
      if (r === 4) continue;
      cpu.lo[r] = dv.getInt32(GPR64(r), true);
      cpu.hi[r] = dv.getInt32(GPR64(r) + 4, true);
    }
  }
  if (flags & 8) {
    cpu.mxcsr = dv.getUint32(CONTEXT64.MxCsr, true);
    for (let i = 0; i < 64; i++) cpu.xmm[i] = dv.getInt32(CONTEXT64.Xmm0 + 4 * i, true);
  }
  if (flags & 1) {
    cpu.lo[4] = dv.getInt32(CONTEXT64.Rsp, true);
    cpu.hi[4] = dv.getInt32(CONTEXT64.Rsp + 4, true);
    // User mode cannot set privileged flags: keep the arithmetic, direction, trap and alignment bits.
    cpu.setEflags((dv.getUint32(CONTEXT64.EFlags, true) & 0x44dd5) | 0x202);
    cpu.setMode(64);
    cpu.rip = join64(dv.getUint32(CONTEXT64.Rip, true), dv.getUint32(CONTEXT64.Rip + 4, true));
  }
}

/** A pointer-sized read in the frame's architecture. */
function writeRecord(mem: UserMemory, at: number, arch: Arch, e: ExceptionInfo): void {
  const n = Math.min(e.params.length, EXCEPTION_MAXIMUM_PARAMETERS);
  if (arch === "x64") {
    const R = EXCEPTION_RECORD64;
    mem.write(at, new Uint8Array(R.size));
    mem.w32(at + R.ExceptionCode, e.code >>> 0);
    mem.w32(at + R.ExceptionFlags, e.flags);
    if (e.chain !== undefined) mem.w64(at + R.ExceptionRecord, e.chain);
    mem.w64(at + R.ExceptionAddress, e.address);
    mem.w32(at + R.NumberParameters, n);
    for (let i = 0; i < n; i++) mem.w64(at + R.ExceptionInformation + 8 * i, e.params[i]);
  } else {
    const R = EXCEPTION_RECORD32;
    mem.write(at, new Uint8Array(R.size));
    mem.w32(at + R.ExceptionCode, e.code >>> 0);
    mem.w32(at + R.ExceptionFlags, e.flags);
    if (e.chain !== undefined) mem.w32(at + R.ExceptionRecord, e.chain >>> 0);
    mem.w32(at + R.ExceptionAddress, e.address >>> 0);
    mem.w32(at + R.NumberParameters, n);
    for (let i = 0; i < n; i++) mem.w32(at + R.ExceptionInformation + 4 * i, e.params[i] >>> 0);
  }
}

/** Read an EXCEPTION_RECORD back (NtRaiseException, RtlDispatchException). */
export function readRecord(mem: UserMemory, at: number, arch: Arch): ExceptionInfo {
  const R = arch === "x64" ? EXCEPTION_RECORD64 : EXCEPTION_RECORD32;
  const ptr = arch === "x64" ? 8 : 4;
  const n = Math.min(mem.u32(at + R.NumberParameters), EXCEPTION_MAXIMUM_PARAMETERS);
  const params: number[] = [];
  for (let i = 0; i < n; i++) params.push(mem.ptr(at + R.ExceptionInformation + ptr * i, ptr));
  return {
    code: mem.u32(at + R.ExceptionCode),
    flags: mem.u32(at + R.ExceptionFlags),
    address: mem.ptr(at + R.ExceptionAddress, ptr),
    params,
  };
}

/** The address of an ntdll export of `arch`, or undefined. */
export function ntdllExport(process: KernelProcess, arch: Arch, name: string): number | undefined {
  const e = process.dlls.get("ntdll", arch)?.exports.get(name);
  return e !== undefined && "address" in e ? e.address : undefined;
}

/**
 * KiDispatchException's user-mode half: write the CONTEXT (`context`, of `arch`'s layout) and the
 * EXCEPTION_RECORD below the stack pointer the context holds and continue the thread at
 * ntdll!KiUserExceptionDispatcher. Throws GuestFault when the frame cannot be written (the caller
 * then ends the process, as Windows does when the user stack is unusable).
 */
export function deliverException(
  process: KernelProcess,
  mem: UserMemory,
  thread: KernelThread,
  arch: Arch,
  e: ExceptionInfo,
  context: Uint8Array,
): boolean {
  const cpu = thread.cpu;
  const dispatcher = ntdllExport(process, arch, "KiUserExceptionDispatcher");
  if (dispatcher === undefined) return false;
  const dv = new DataView(context.buffer, context.byteOffset, context.byteLength);
  if (arch === "x64") {
    const sp = join64(dv.getUint32(CONTEXT64.Rsp, true), dv.getUint32(CONTEXT64.Rsp + 4, true));
    const frame = Math.floor((sp - 0x5c0) / 64) * 64;
    mem.write(frame, context);
    writeRecord(mem, frame + 0x4f0, arch, e);
    const mf = frame + 0x4f0 + 0xa0; // MACHINE_FRAME
    mem.w64(mf, join64(dv.getUint32(CONTEXT64.Rip, true), dv.getUint32(CONTEXT64.Rip + 4, true)));
    mem.w64(mf + 8, 0x33);
    mem.w64(mf + 0x10, dv.getUint32(CONTEXT64.EFlags, true));
    mem.w64(mf + 0x18, sp);
    mem.w64(mf + 0x20, 0x2b);
    cpu.setMode(64);
    const [lo, hi] = split64(frame);
    cpu.lo[4] = lo | 0;
    cpu.hi[4] = hi | 0;
  } else {
    const frame = writeFrame32(mem, e, context);
    cpu.setMode(32);
    cpu.lo[4] = frame | 0;
    cpu.hi[4] = 0;
  }
  cpu.setEflags(cpu.getEflags() & ~0x500); // DF and TF clear on entry
  cpu.rip = dispatcher;
  return true;
}

/**
 * The x86 frame of KiUserExceptionDispatcher below the context's Esp: [PEXCEPTION_RECORD, PCONTEXT], the
 * EXCEPTION_RECORD32, the CONTEXT (16-byte aligned). Returns the new ESP.
 */
export function writeFrame32(mem: UserMemory, e: ExceptionInfo, context: Uint8Array): number {
  const dv = new DataView(context.buffer, context.byteOffset, context.byteLength);
  const sp = dv.getUint32(CONTEXT32.Esp, true);
  const ctxAt = ((sp - CONTEXT32.size) & ~15) >>> 0;
  const recAt = ctxAt - EXCEPTION_RECORD32.size;
  const frame = recAt - 8;
  mem.write(ctxAt, context);
  writeRecord(mem, recAt, "x86", e);
  mem.w32(frame, recAt);
  mem.w32(frame + 4, ctxAt);
  return frame;
}

/**
 * Thrown by a trap that replaces the thread's registers from inside nested guest calls (RtlUnwindEx
 * continuing at its target): `Process.callGuest` goes on from `apply` when `sp` lies inside its own frames,
 * else it leaves the call and passes the transfer up; the run loop applies it at the top.
 */
export class ContextTransfer {
  constructor(
    /** The stack pointer the thread continues with. */
    readonly sp: number,
    readonly apply: (cpu: Cpu) => void,
  ) {}
}

/**
 * The stop for an exception nobody handled: the process ends with its code. `context` (NtRaiseException's
 * ContextRecord, of `arch`'s layout) becomes the thread's registers first, as KiRaiseException does.
 */
export function unhandledStop(e: ExceptionInfo, context?: Uint8Array, arch?: Arch): KernelStop {
  return {
    kind: "exception",
    code: e.code >>> 0,
    address: e.address,
    what: "unhandled exception",
    ...(context !== undefined && arch !== undefined ? { context, arch } : {}),
  };
}

/**
 * A software exception about to be dispatched (NtRaiseException / RaiseException with FirstChance = TRUE):
 * the "first-chance" stop when a debugger wants it first (KiDispatchException's first
 * DbgkForwardException), else undefined and the caller dispatches at once. The process delivers it later.
 */
export function firstChanceStop(
  process: KernelProcess,
  arch: Arch,
  e: ExceptionInfo,
  context: Uint8Array,
): KernelStop | undefined {
  if (process.wantsFirstChance?.(e.code >>> 0) !== true) return undefined;
  return { kind: "first-chance", record: e, context, arch };
}

export const exceptionSyscalls: SyscallFamily = {
  /**
   * NTSTATUS NtContinue(PCONTEXT ContextRecord, BOOLEAN TestAlert). TestAlert (KiUserApcDispatcher's call):
   * a further queued user APC is delivered from the loaded context (./apc.ts).
   */
  NtContinue(c) {
    const b = c.mem.read(c.arg(0), CONTEXT64.size);
    loadContext64(c.thread.cpu, b);
    if (c.bool(1)) {
      const sync = syncOf(c.kernel);
      const apc = sync.takeApc(c.thread);
      if (apc !== undefined && !deliverApc64(c.process, c.mem, c.thread.cpu, apc))
        sync.queueApc(c.thread, apc);
    }
    return { kind: "continue" };
  },
  /** NTSTATUS NtRaiseException(PEXCEPTION_RECORD ExceptionRecord, PCONTEXT ContextRecord, BOOLEAN FirstChance) */
  NtRaiseException(c) {
    const e = readRecord(c.mem, c.arg(0), "x64");
    const ctx = c.mem.read(c.arg(1), CONTEXT64.size);
    if (!c.bool(2)) return unhandledStop(e, ctx, "x64");
    const first = firstChanceStop(c.process, "x64", e, ctx);
    if (first !== undefined) return first;
    deliverException(c.process, c.mem, c.thread, "x64", e, ctx);
    return { kind: "continue" };
  },
};
