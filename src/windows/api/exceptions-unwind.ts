/**
 * The unwinder's exports to guests (x64 ntdll; kernel32 forwards them): RtlCaptureContext,
 * RtlLookupFunctionEntry, RtlVirtualUnwind and RtlPcToFileHeader, over the unwinder of ../unwind that the
 * dispatcher uses. Real programs call them: libgcc's SEH unwinder (every mingw-w64 g++ program's C++
 * exceptions: _Unwind_RaiseException, _Unwind_Resume, _Unwind_Backtrace), stack-trace code, JITs.
 *
 * Sources: Microsoft, "RtlCaptureContext", "RtlLookupFunctionEntry", "RtlVirtualUnwind",
 * "RtlPcToFileHeader" (learn.microsoft.com/windows/win32/api/winnt/) and "x64 exception handling"; the
 * Windows Research Kernel (amd64 capture.asm, exdsptch.c) for what is written where.
 */
import { unimplemented } from "../kernel/context";
import { CONTEXT64, captureContext64 } from "../kernel/exception";
import type { KernelStop } from "../kernel/types";
import { split64 } from "../kernel/user-memory";
import {
  UNW_FLAG_EHANDLER,
  UNW_FLAG_NHANDLER,
  UNW_FLAG_UHANDLER,
  virtualUnwind,
  type FunctionHit,
} from "../unwind";
import type { ApiCall, ApiFamily } from "./context";
import { api } from "./context";
import { stateOf, target as unwindTargetOf, writeState } from "./exceptions-frames";
import { modules } from "./loader";

/** winnt.h: CONTEXT_AMD64 | CONTEXT_CONTROL | CONTEXT_INTEGER | CONTEXT_FLOATING_POINT | CONTEXT_SEGMENTS. */
export const CONTEXT64_CAPTURE_FLAGS = 0x10000f;

/** The loaded module containing `pc`: its base and SizeOfImage. */
function moduleAt(c: ApiCall, pc: number): { base: number; size: number } | undefined {
  return modules(c).find((m) => pc >= m.base && pc < m.base + m.size);
}

/**
 * VOID RtlCaptureContext(PCONTEXT ContextRecord), x64. The exported code stores RAX (`mov [rcx+78h], rax`)
 * and jumps here (the trap stub's `mov eax, id` would lose it). Written as Windows' capture.asm writes
 * them, and nothing else: ContextFlags = CONTEXT_FULL | CONTEXT_SEGMENTS, MxCsr, the segment registers,
 * EFlags, the 16 integer registers with RSP as the caller's after the return and RIP = the return address,
 * and the FXSAVE area (the x87 control word, MXCSR, XMM0-15). The debug registers and the vector area are
 * left as they were.
 */
function captureContext(c: ApiCall): number | KernelStop {
  const ctx = c.arg(0);
  const cpu = c.thread.cpu;
  const bytes = captureContext64(cpu);
  const dv = new DataView(bytes.buffer);
  const rsp = Number((BigInt(cpu.hi[4] >>> 0) << 32n) | BigInt(cpu.lo[4] >>> 0));
  const ret = c.readPtr(rsp);
  const put64 = (off: number, v: number): void => {
    const [lo, hi] = split64(v);
    dv.setUint32(off, lo, true);
    dv.setUint32(off + 4, hi, true);
  };
  put64(CONTEXT64.Rip, ret);
  put64(CONTEXT64.Rsp, rsp + 8);
  dv.setUint32(CONTEXT64.ContextFlags, CONTEXT64_CAPTURE_FLAGS, true);
  // ContextFlags .. EFlags, then RCX .. the end of FltSave (RAX is already stored by the exported code).
  c.mem.write(ctx + CONTEXT64.ContextFlags, bytes.subarray(CONTEXT64.ContextFlags, CONTEXT64.Dr0));
  c.mem.write(ctx + CONTEXT64.Rcx, bytes.subarray(CONTEXT64.Rcx, CONTEXT64.VectorRegister));
  return 0;
}

/** A RUNTIME_FUNCTION in guest memory: BeginAddress, EndAddress, UnwindData (RVAs). */
function readEntry(c: ApiCall, at: number): { beginRva: number; endRva: number; unwindInfoRva: number } {
  return { beginRva: c.mem.u32(at), endRva: c.mem.u32(at + 4), unwindInfoRva: c.mem.u32(at + 8) };
}

/**
 * PRUNTIME_FUNCTION RtlLookupFunctionEntry(DWORD64 ControlPc, PDWORD64 ImageBase, PUNWIND_HISTORY_TABLE
 * HistoryTable): the entry of the image's exception directory covering ControlPc (a pointer into the
 * image's own .pdata), *ImageBase = the image's base; NULL when none covers it (*ImageBase = the base of
 * the image containing ControlPc, 0 outside every image). An entry whose UnwindData has bit 0 set
 * (RUNTIME_FUNCTION_INDIRECT) is replaced by the entry it points to. The history table (a cache) is not
 * used: the search is exact without it.
 */
function lookupFunctionEntry(c: ApiCall): number | KernelStop {
  const pc = c.arg(0);
  const baseOut = c.arg(1);
  const hit = unwindTargetOf(c).lookupFunctionEntry(pc);
  if (hit === undefined) {
    if (baseOut !== 0) c.mem.w64(baseOut, moduleAt(c, pc)?.base ?? 0);
    return 0;
  }
  if (baseOut !== 0) c.mem.w64(baseOut, hit.imageBase);
  const raw = c.mem.u32(hit.entryAddress + 8);
  return (raw & 1) !== 0 ? hit.imageBase + raw - 1 : hit.entryAddress;
}

/**
 * PEXCEPTION_ROUTINE RtlVirtualUnwind(DWORD HandlerType, DWORD64 ImageBase, DWORD64 ControlPc,
 * PRUNTIME_FUNCTION FunctionEntry, PCONTEXT ContextRecord, PVOID *HandlerData, PDWORD64 EstablisherFrame,
 * PKNONVOLATILE_CONTEXT_POINTERS ContextPointers): unwinds the frame of FunctionEntry at ControlPc,
 * updating ContextRecord in place (the integer registers, RIP = the caller's pc, XMM0-15 restored by
 * UWOP_SAVE_XMM128); *EstablisherFrame = the frame's establisher frame. Returns the language handler of
 * HandlerType (UNW_FLAG_EHANDLER / UNW_FLAG_UHANDLER) with *HandlerData when ControlPc is past the prolog
 * and not in an epilog, else NULL. As on Windows, an epilog is recognised at ControlPc whatever it is.
 * ContextPointers (where each register was restored from) are not tracked: a non-NULL one is an
 * unimplemented stop.
 */
function rtlVirtualUnwind(c: ApiCall): number | KernelStop {
  const handlerType = c.u32(0);
  const imageBase = c.arg(1);
  const controlPc = c.arg(2);
  const entryAt = c.arg(3);
  const ctx = c.arg(4);
  const handlerDataOut = c.arg(5);
  const establisherOut = c.arg(6);
  if (c.arg(7) !== 0)
    return unimplemented("RtlVirtualUnwind", "ContextPointers (KNONVOLATILE_CONTEXT_POINTERS)");
  if (
    handlerType !== UNW_FLAG_NHANDLER &&
    handlerType !== UNW_FLAG_EHANDLER &&
    handlerType !== UNW_FLAG_UHANDLER &&
    handlerType !== (UNW_FLAG_EHANDLER | UNW_FLAG_UHANDLER)
  ) {
    return unimplemented("RtlVirtualUnwind", `HandlerType 0x${handlerType.toString(16)}`);
  }
  const m = moduleAt(c, imageBase);
  const hit: FunctionHit = {
    imageBase,
    imageSize: m !== undefined && m.base === imageBase ? m.size : 0,
    entry: readEntry(c, entryAt),
    entryAddress: entryAt,
  };
  const state = { ...stateOf(c, ctx, true), pc: controlPc };
  const r = virtualUnwind(unwindTargetOf(c), handlerType, hit, state);
  if ("end" in r) return unimplemented("RtlVirtualUnwind", r.end);
  writeState(c, ctx, r.next);
  if (establisherOut !== 0) c.mem.w64(establisherOut, Number(r.establisherFrame));
  if (r.handler === undefined) return 0;
  if (handlerDataOut !== 0) c.mem.w64(handlerDataOut, r.handlerData ?? 0);
  return r.handler;
}

/**
 * PVOID RtlPcToFileHeader(PVOID PcValue, PVOID *BaseOfImage): the base of the loaded image containing
 * PcValue (also stored in *BaseOfImage), or NULL (and *BaseOfImage = NULL).
 */
function pcToFileHeader(c: ApiCall): number {
  const base = moduleAt(c, c.arg(0))?.base ?? 0;
  if (c.arg(1) !== 0) c.writePtr(c.arg(1), base);
  return base;
}

export const unwindApis: ApiFamily = {
  RtlpCaptureContext: api((c) =>
    c.arch === "x64" ? captureContext(c) : unimplemented("RtlCaptureContext", "x86"),
  ),
  RtlLookupFunctionEntry: api((c) =>
    c.arch === "x64" ? lookupFunctionEntry(c) : unimplemented("RtlLookupFunctionEntry", "x86"),
  ),
  RtlVirtualUnwind: api((c) =>
    c.arch === "x64" ? rtlVirtualUnwind(c) : unimplemented("RtlVirtualUnwind", "x86"),
  ),
  RtlPcToFileHeader: api((c) => pcToFileHeader(c)),
};
