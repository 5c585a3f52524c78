/**
 * Frame-based exception handling: the x64 half of RtlDispatchException (the frames searched through
 * `.pdata`, UNW_FLAG_EHANDLER language handlers), RtlUnwindEx / RtlUnwind (x64: UNW_FLAG_UHANDLER handlers
 * called while the stack is unwound to the target frame; x86: the FS:[0] chain unwound), and
 * __C_specific_handler (the language handler of __try/__except/__finally in C, scope tables).
 *
 * Sources: Microsoft, "x64 exception handling" (learn.microsoft.com/cpp/build/exception-handling-x64:
 * "Language specific handler", DISPATCHER_CONTEXT, "Unwind procedure"), "__C_specific_handler",
 * "RtlUnwindEx", "RtlUnwind", "Structured Exception Handling" (try-except / try-finally semantics); the
 * Windows Research Kernel's RtlDispatchException / RtlUnwindEx (amd64, i386) for the order of the steps and
 * the flag and disposition values (ntstatus.h, winnt.h).
 *
 * Guest handlers run as nested guest calls (KernelProcess.callGuest). Each call the dispatcher or the
 * unwinder makes is remembered per thread (`HandlerCall`) so that a walk that reaches a nested call's
 * boundary on the stack (`KernelProcess.nestedReturnAddress`) behaves as Windows' frames of
 * RtlpExecuteHandlerForException / RtlpExecuteHandlerForUnwind do: a nested exception (EXCEPTION_NESTED_CALL)
 * resumes the search in the frames of the exception being dispatched; a collided unwind (an unwind started
 * inside a termination handler) takes over the outer unwind's state (ExceptionCollidedUnwind).
 * RtlUnwindEx ends by continuing the thread at TargetIp: a `ContextTransfer` that leaves the nested calls.
 */
import type { Arch } from "../dlls";
import { unimplemented } from "../kernel/context";
import {
  CONTEXT32,
  CONTEXT64,
  CONTEXT64_FULL_FLAGS,
  ContextTransfer,
  EXCEPTION_NONCONTINUABLE,
  EXCEPTION_RECORD64,
  EXCEPTION_UNWINDING,
  captureContext32,
  captureContext64,
  deliverException,
  firstChanceStop,
  loadContext64,
  readRecord,
  unhandledStop,
  type ExceptionInfo,
} from "../kernel/exception";
import type { KernelStop, KernelThread } from "../kernel/types";
import { join64, split64 } from "../kernel/user-memory";
import { MEM_COMMIT, PAGE_GUARD, PAGE_READWRITE } from "../memory/constants";
import {
  memoryUnwindTarget,
  unwindLeaf,
  virtualUnwind,
  UNW_FLAG_EHANDLER,
  UNW_FLAG_NHANDLER,
  UNW_FLAG_UHANDLER,
  type UnwindState,
  type UnwindTarget,
} from "../unwind";
import type { ApiCall, ApiFamily } from "./context";
import { api } from "./context";
import { modules } from "./loader";

// winnt.h exception flags
export const EXCEPTION_EXIT_UNWIND = 0x4;
export const EXCEPTION_STACK_INVALID = 0x8;
export const EXCEPTION_NESTED_CALL = 0x10;
export const EXCEPTION_TARGET_UNWIND = 0x20;
export const EXCEPTION_COLLIDED_UNWIND = 0x40;
// EXCEPTION_DISPOSITION
export const ExceptionContinueExecution = 0;
export const ExceptionContinueSearch = 1;
export const ExceptionNestedException = 2;
export const ExceptionCollidedUnwind = 3;
// ntstatus.h
export const STATUS_NONCONTINUABLE_EXCEPTION = 0xc0000025;
export const STATUS_INVALID_DISPOSITION = 0xc0000026;
export const STATUS_UNWIND = 0xc0000027;
export const STATUS_BAD_STACK = 0xc0000028;
export const STATUS_INVALID_UNWIND_TARGET = 0xc0000029;
export const STATUS_UNWIND_CONSOLIDATE = 0x80000029;
const EXCEPTION_EXECUTE_HANDLER = 1;

/** DISPATCHER_CONTEXT (x64, 0x50 bytes; "Language specific handler"). */
export const DISPATCHER_CONTEXT64 = {
  ControlPc: 0x00,
  ImageBase: 0x08,
  FunctionEntry: 0x10,
  EstablisherFrame: 0x18,
  TargetIp: 0x20,
  ContextRecord: 0x28,
  LanguageHandler: 0x30,
  HandlerData: 0x38,
  HistoryTable: 0x40,
  ScopeIndex: 0x48,
  Fill0: 0x4c,
  size: 0x50,
} as const;

/** UNWIND_HISTORY_TABLE (x64): 0xD8 bytes; handed to handlers, not used by our lookup (no cache needed). */
const HISTORY_TABLE_SIZE = 0xd8;

/** A nested guest call made by the dispatcher or the unwinder, while it runs. */
interface HandlerCall {
  readonly kind: "exception" | "unwind" | "plain";
  /** RSP when the call was made: the call's frames lie below it. */
  readonly callerSp: number;
  /** Where a walk crossing this call's boundary goes on (the frames the call was made for). */
  readonly resume: UnwindState;
  /** "exception": the establisher frame of the handler being called (NestedFrame). */
  readonly establisherFrame: number;
  /** "unwind": the DISPATCHER_CONTEXT of the outer unwind (for a collided unwind). */
  readonly dispatcherContext: number;
}

const calls = new WeakMap<KernelThread, HandlerCall[]>();

function activeCalls(t: KernelThread): HandlerCall[] {
  let l = calls.get(t);
  if (l === undefined) calls.set(t, (l = []));
  return l;
}

/** The innermost remembered call whose frames contain `sp`. */
function callAt(c: ApiCall, sp: number): HandlerCall | undefined {
  let best: HandlerCall | undefined;
  for (const h of activeCalls(c.thread))
    if (h.callerSp > sp && (best === undefined || h.callerSp < best.callerSp)) best = h;
  return best;
}

function rsp(c: ApiCall): number {
  const cpu = c.thread.cpu;
  return c.arch === "x64" ? join64(cpu.lo[4], cpu.hi[4]) : cpu.lo[4] >>> 0;
}

function setRsp(c: ApiCall, v: number): void {
  const [lo, hi] = split64(v);
  c.thread.cpu.lo[4] = lo | 0;
  c.thread.cpu.hi[4] = c.arch === "x64" ? hi | 0 : 0;
}

/**
 * Commits the thread's stack down to `low` (with a new guard page below and TEB StackLimit moved), as the
 * guard-page growth would when guest code touched it: the dispatcher's scratch structures and the frames
 * of the handlers it calls lie below the stack pointer.
 */
export function ensureStack(c: ApiCall, low: number): void {
  const PAGE = 0x1000;
  const limitAt = c.teb + (c.arch === "x64" ? 0x10 : 0x08); // NT_TIB.StackLimit
  const limit = c.readPtr(limitAt);
  const want = Math.floor(low / PAGE) * PAGE;
  if (want >= limit || want < PAGE) return;
  const opts = { native64: c.arch === "x64" };
  const mm = c.process.mem;
  const r = mm.allocate(want, limit - want, MEM_COMMIT, PAGE_READWRITE, 0, opts);
  if (r.status !== 0) return; // past the reservation: the accesses fault (a stack overflow)
  mm.protect(want, limit - want, PAGE_READWRITE);
  mm.allocate(want - PAGE, PAGE, MEM_COMMIT, PAGE_READWRITE | PAGE_GUARD, 0, opts);
  c.writePtr(limitAt, want);
}

/** A guest call's result as the LONG / EXCEPTION_DISPOSITION it is. */
const long = (v: number): number => split64(v)[0] | 0;

/**
 * Calls guest code `fn` remembered as `h` (minus callerSp), with RSP first lowered to `sp` so that the call's
 * frames lie below the caller's scratch structures. RSP is restored afterwards.
 */
function callRemembered(
  c: ApiCall,
  h: Omit<HandlerCall, "callerSp">,
  sp: number,
  fn: number,
  args: number[],
): number {
  const call = c.process.callGuest;
  if (call === undefined) throw new Error("callGuest missing");
  const before = rsp(c);
  const list = activeCalls(c.thread);
  const rec: HandlerCall = { ...h, callerSp: sp };
  list.push(rec);
  setRsp(c, sp);
  try {
    return call.call(c.process, fn, args);
  } finally {
    const k = list.lastIndexOf(rec);
    if (k >= 0) list.splice(k, 1);
    setRsp(c, before);
  }
}

// ---------------------------------------------------------------------------------------------
// contexts and the unwinder over guest memory

export function target(c: ApiCall): UnwindTarget {
  const read = (addr: number, n: number): Uint8Array | undefined => {
    try {
      return c.mem.read(addr, n);
    } catch {
      return undefined;
    }
  };
  return memoryUnwindTarget(
    read,
    modules(c).map((m) => ({ base: m.base, size: m.size })),
  );
}

const M64 = (1n << 64n) - 1n;

/** An x64 CONTEXT in guest memory as an unwind state. */
export function stateOf(c: ApiCall, ctx: number, exact: boolean): UnwindState {
  const regs: bigint[] = [];
  for (let r = 0; r < 16; r++) {
    const a = ctx + CONTEXT64.Rax + 8 * r;
    regs.push((BigInt(c.mem.u32(a + 4)) << 32n) | BigInt(c.mem.u32(a)));
  }
  return { pc: c.readPtr(ctx + CONTEXT64.Rip), regs, exact, xmm: c.mem.read(ctx + CONTEXT64.Xmm0, 256) };
}

/** Writes an unwind state's registers into an x64 CONTEXT in guest memory. */
export function writeState(c: ApiCall, ctx: number, s: UnwindState): void {
  for (let r = 0; r < 16; r++) {
    const v = s.regs[r] & M64;
    c.mem.w32(ctx + CONTEXT64.Rax + 8 * r, Number(v & 0xffffffffn));
    c.mem.w32(ctx + CONTEXT64.Rax + 8 * r + 4, Number(v >> 32n));
  }
  c.mem.w64(ctx + CONTEXT64.Rip, s.pc);
  if (s.xmm !== undefined) c.mem.write(ctx + CONTEXT64.Xmm0, s.xmm);
}

/** The thread's state as its caller sees it after a trap returns: pc = [rsp], rsp + 8 (x64). */
function callerState(c: ApiCall): UnwindState {
  const cpu = c.thread.cpu;
  const regs: bigint[] = [];
  for (let r = 0; r < 16; r++) regs.push((BigInt(cpu.hi[r] >>> 0) << 32n) | BigInt(cpu.lo[r] >>> 0));
  const sp = regs[4];
  regs[4] = (sp + 8n) & M64;
  const xmm = new Uint8Array(256);
  const dv = new DataView(xmm.buffer);
  for (let i = 0; i < 64; i++) dv.setInt32(4 * i, cpu.xmm[i], true);
  return { pc: c.readPtr(Number(sp)), regs, exact: false, xmm };
}

/** Stack limits of the thread's 64-bit stack (NT_TIB StackLimit, StackBase). */
function stackLimits(c: ApiCall): { low: number; high: number } {
  return { low: c.readPtr(c.teb + 0x10), high: c.readPtr(c.teb + 0x08) };
}

function fillDispatcherContext(
  c: ApiCall,
  dc: number,
  f: { controlPc: number; imageBase: number; entry: number; establisher: number; targetIp: number },
  ctx: number,
  handler: number,
  handlerData: number,
  history: number,
  scopeIndex: number,
): void {
  const D = DISPATCHER_CONTEXT64;
  c.mem.w64(dc + D.ControlPc, f.controlPc);
  c.mem.w64(dc + D.ImageBase, f.imageBase);
  c.mem.w64(dc + D.FunctionEntry, f.entry);
  c.mem.w64(dc + D.EstablisherFrame, f.establisher);
  c.mem.w64(dc + D.TargetIp, f.targetIp);
  c.mem.w64(dc + D.ContextRecord, ctx);
  c.mem.w64(dc + D.LanguageHandler, handler);
  c.mem.w64(dc + D.HandlerData, handlerData);
  c.mem.w64(dc + D.HistoryTable, history);
  c.mem.w32(dc + D.ScopeIndex, scopeIndex);
  c.mem.w32(dc + D.Fill0, 0);
}

/**
 * Raise a new exception from inside the dispatcher or the unwinder (STATUS_NONCONTINUABLE_EXCEPTION,
 * STATUS_INVALID_DISPOSITION, STATUS_BAD_STACK): delivered from the trap's caller, chained to `outer`.
 */
export function raiseFrom(c: ApiCall, code: number, outer: number): KernelStop {
  const cpu = c.thread.cpu;
  const sp = rsp(c);
  const ret = c.readPtr(sp);
  const saved = cpu.rip;
  cpu.rip = ret;
  const context = c.arch === "x64" ? captureContext64(cpu) : captureContext32(cpu);
  cpu.rip = saved;
  const dv = new DataView(context.buffer);
  if (c.arch === "x64") {
    const [l, h] = split64(sp + 8);
    dv.setUint32(CONTEXT64.Rsp, l, true);
    dv.setUint32(CONTEXT64.Rsp + 4, h, true);
  } else dv.setUint32(CONTEXT32.Esp, sp + 4, true);
  // ExceptionRecord: the exception being handled when this one was raised.
  const e: ExceptionInfo = {
    code,
    flags: EXCEPTION_NONCONTINUABLE,
    address: ret,
    params: [],
    ...(outer !== 0 ? { chain: outer } : {}),
  };
  // A debugger that wants the first chance stops before the handlers see it (the process delivers it).
  const first = firstChanceStop(c.process, c.arch, e, context);
  if (first !== undefined) return first;
  deliverException(c.process, c.mem, c.thread, c.arch, e, context);
  return { kind: "continue" };
}

// ---------------------------------------------------------------------------------------------
// RtlDispatchException, x64 frames

/**
 * The frame-based part of x64 RtlDispatchException, after the vectored handlers: walk the frames from the
 * exception's context, calling each UNW_FLAG_EHANDLER handler. Returns true (continue execution with the
 * context), false (not handled: the unhandled-exception filter comes next) or a stop.
 */
export function dispatchFrames64(c: ApiCall, rec: number, ctx: number): boolean | KernelStop {
  const t = target(c);
  const { low, high } = stackLimits(c);
  const returnAddress = c.process.nestedReturnAddress;
  const sp0 = rsp(c);
  // Scratch below the trap's stack pointer: the DISPATCHER_CONTEXT, a history table, the walk's CONTEXT.
  const base = Math.floor((sp0 - 0x800) / 64) * 64;
  ensureStack(c, base - 0x2000);
  const dc = base;
  const history = base + 0x60;
  const ctx1 = base + 0x140;
  c.mem.write(history, new Uint8Array(HISTORY_TABLE_SIZE));
  c.mem.write(ctx1, c.mem.read(ctx, CONTEXT64.size));

  const address = c.readPtr(rec + EXCEPTION_RECORD64.ExceptionAddress);
  const raw = stateOf(c, ctx, false);
  // A fault's context stands at the faulting instruction; a software exception's at the raiser's return address.
  const start: UnwindState = { ...raw, exact: address === raw.pc };
  let s = start;
  let flags = c.mem.u32(rec + 4) & EXCEPTION_NONCONTINUABLE;
  let nestedFrame = 0;

  for (let n = 0; n < 4096; n++) {
    if (s.pc === 0) break;
    if (returnAddress !== undefined && s.pc === returnAddress) {
      const h = callAt(c, Number(s.regs[4]));
      if (h === undefined) break; // a nested call we did not make: its caller's frames are not guest frames
      if (h.kind === "exception") {
        // RtlpExecuteHandlerForException's frame: an exception inside an exception handler.
        flags |= EXCEPTION_NESTED_CALL;
        if (h.establisherFrame > nestedFrame) nestedFrame = h.establisherFrame;
      }
      s = h.resume;
      continue;
    }
    const hit = t.lookupFunctionEntry(s.exact ? s.pc : s.pc - 1);
    const r = hit === undefined ? unwindLeaf(t, s) : virtualUnwind(t, UNW_FLAG_EHANDLER, hit, s);
    if ("end" in r) break;
    const ef = Number(r.establisherFrame);
    if ((ef & 7) !== 0 || ef < low || ef > high) {
      flags |= EXCEPTION_STACK_INVALID;
      break;
    }
    if (r.handler !== undefined && hit !== undefined) {
      writeState(c, ctx1, r.next);
      fillDispatcherContext(
        c,
        dc,
        { controlPc: s.pc, imageBase: hit.imageBase, entry: hit.entryAddress, establisher: ef, targetIp: 0 },
        ctx1,
        r.handler,
        r.handlerData ?? 0,
        history,
        0,
      );
      c.mem.w32(rec + 4, flags);
      const disposition = long(
        callRemembered(
          c,
          { kind: "exception", resume: start, establisherFrame: ef, dispatcherContext: dc },
          base,
          r.handler,
          [rec, ef, ctx, dc],
        ),
      );
      flags |= c.mem.u32(rec + 4) & EXCEPTION_NONCONTINUABLE;
      if (nestedFrame === ef) {
        flags &= ~EXCEPTION_NESTED_CALL;
        nestedFrame = 0;
      }
      if (disposition === ExceptionContinueExecution) {
        if (flags & EXCEPTION_NONCONTINUABLE) return raiseFrom(c, STATUS_NONCONTINUABLE_EXCEPTION, rec);
        c.mem.w32(rec + 4, flags);
        return true;
      } else if (disposition === ExceptionNestedException) {
        flags |= EXCEPTION_NESTED_CALL;
        const other = c.readPtr(dc + DISPATCHER_CONTEXT64.EstablisherFrame);
        if (other > nestedFrame) nestedFrame = other;
      } else if (disposition !== ExceptionContinueSearch) {
        // ExceptionCollidedUnwind cannot come from a language handler while dispatching.
        c.mem.w32(rec + 4, flags);
        return raiseFrom(c, STATUS_INVALID_DISPOSITION, rec);
      }
    }
    s = r.next;
    if (Number(s.regs[4]) >= high) break;
  }
  c.mem.w32(rec + 4, flags);
  return false;
}

// ---------------------------------------------------------------------------------------------
// RtlUnwindEx (x64)

/**
 * RtlUnwindEx(TargetFrame, TargetIp, ExceptionRecord, ReturnValue, OriginalContext, HistoryTable) from the
 * state `from` (the caller of RtlUnwindEx). Never returns normally: the thread continues at TargetIp in the
 * target frame (a ContextTransfer), or the process ends (no target frame found: second chance).
 */
export function unwindEx64(
  c: ApiCall,
  from: UnwindState,
  targetFrame: number,
  targetIp: number,
  recordIn: number,
  returnValue: number,
): KernelStop {
  const t = target(c);
  const { low, high } = stackLimits(c);
  const returnAddress = c.process.nestedReturnAddress;
  const sp0 = rsp(c);
  const base = Math.floor((sp0 - 0xc00) / 64) * 64;
  ensureStack(c, base - 0x2000);
  const dc = base;
  const history = base + 0x60;
  const current = base + 0x140; // CONTEXT (0x4D0)
  const localRecord = base + 0x640; // EXCEPTION_RECORD (0x98)
  c.mem.write(history, new Uint8Array(HISTORY_TABLE_SIZE));
  let rec = recordIn;
  if (rec === 0) {
    rec = localRecord;
    c.mem.write(rec, new Uint8Array(EXCEPTION_RECORD64.size));
    c.mem.w32(rec + EXCEPTION_RECORD64.ExceptionCode, STATUS_UNWIND);
    c.mem.w64(rec + EXCEPTION_RECORD64.ExceptionAddress, from.pc);
  }
  const code = c.mem.u32(rec + EXCEPTION_RECORD64.ExceptionCode);
  if (code === STATUS_UNWIND_CONSOLIDATE) {
    return unimplemented("RtlUnwindEx", "STATUS_UNWIND_CONSOLIDATE (C++ frame consolidation)");
  }
  // The CONTEXT the handlers see: the thread's full context, registers as unwound so far.
  const full = captureContext64(c.thread.cpu);
  new DataView(full.buffer).setUint32(CONTEXT64.ContextFlags, CONTEXT64_FULL_FLAGS, true);
  c.mem.write(current, full);

  let flags = EXCEPTION_UNWINDING | (targetFrame === 0 ? EXCEPTION_EXIT_UNWIND : 0);
  let cur = from;
  let ef = 0;
  // `current` already holds the target frame's context, as its handler left it (Windows restores that
  // CONTEXT: a handler may set registers for the target, as libgcc's sets RDX to the C++ selector).
  let currentIsTarget = false;
  for (let n = 0; n < 4096; n++) {
    if (returnAddress !== undefined && cur.pc === returnAddress) {
      const h = callAt(c, Number(cur.regs[4]));
      if (h === undefined) break;
      if (h.kind !== "unwind") {
        // RtlpExecuteHandlerForException's frame while unwinding: nothing to do, go on below it.
        cur = h.resume;
        continue;
      }
      // A collided unwind: an unwind started inside a termination handler takes over the outer unwind at
      // the frame whose handler was running (ExceptionCollidedUnwind, EXCEPTION_COLLIDED_UNWIND).
      const odc = h.dispatcherContext;
      const D = DISPATCHER_CONTEXT64;
      const outerCtx = c.readPtr(odc + D.ContextRecord);
      c.mem.write(current, c.mem.read(outerCtx, CONTEXT64.size));
      const controlPc = c.readPtr(odc + D.ControlPc);
      const st: UnwindState = { ...stateOf(c, current, false), pc: controlPc };
      const hit = t.lookupFunctionEntry(controlPc - 1) ?? t.lookupFunctionEntry(controlPc);
      if (hit === undefined) return unimplemented("RtlUnwindEx", "collided unwind without a function entry");
      const prev = virtualUnwind(t, UNW_FLAG_NHANDLER, hit, st);
      if ("end" in prev) break;
      ef = c.readPtr(odc + D.EstablisherFrame);
      const handler = c.readPtr(odc + D.LanguageHandler);
      const handlerData = c.readPtr(odc + D.HandlerData);
      const scopeIndex = c.mem.u32(odc + D.ScopeIndex);
      const r = callUnwindHandler(c, {
        rec,
        flags: flags | EXCEPTION_COLLIDED_UNWIND | (ef === targetFrame ? EXCEPTION_TARGET_UNWIND : 0),
        targetFrame,
        targetIp,
        returnValue,
        ef,
        controlPc,
        imageBase: hit.imageBase,
        entry: hit.entryAddress,
        handler,
        handlerData,
        scopeIndex,
        dc,
        current,
        history,
        base,
        resume: cur,
      });
      if (r !== undefined) return r;
      if (ef === targetFrame) {
        currentIsTarget = true;
        break;
      }
      cur = prev.next;
      continue;
    }
    const hit = t.lookupFunctionEntry(cur.exact ? cur.pc : cur.pc - 1);
    const r = hit === undefined ? unwindLeaf(t, cur) : virtualUnwind(t, UNW_FLAG_UHANDLER, hit, cur);
    if ("end" in r) break;
    ef = Number(r.establisherFrame);
    if (hit !== undefined) {
      if (ef < low || ef > high || (targetFrame !== 0 && targetFrame < ef) || (ef & 7) !== 0) {
        return raiseFrom(c, STATUS_BAD_STACK, 0);
      }
      if (r.handler !== undefined) {
        writeState(c, current, cur);
        const stop = callUnwindHandler(c, {
          rec,
          flags: flags | (ef === targetFrame ? EXCEPTION_TARGET_UNWIND : 0),
          targetFrame,
          targetIp,
          returnValue,
          ef,
          controlPc: cur.pc,
          imageBase: hit.imageBase,
          entry: hit.entryAddress,
          handler: r.handler,
          handlerData: r.handlerData ?? 0,
          scopeIndex: 0,
          dc,
          current,
          history,
          base,
          resume: cur,
        });
        if (stop !== undefined) return stop;
        currentIsTarget = ef === targetFrame;
      }
    }
    if (ef === targetFrame) break;
    cur = r.next;
    if (ef >= high) break;
  }
  flags &= ~(EXCEPTION_TARGET_UNWIND | EXCEPTION_COLLIDED_UNWIND);

  if (targetFrame !== 0 && ef === targetFrame) {
    // Continue in the target frame at TargetIp, RAX = ReturnValue, nonvolatile registers as unwound.
    if (!currentIsTarget) writeState(c, current, cur);
    c.mem.w64(current + CONTEXT64.Rax, returnValue);
    c.mem.w64(current + CONTEXT64.Rip, targetIp);
    const bytes = c.mem.read(current, CONTEXT64.size);
    new DataView(bytes.buffer).setUint32(CONTEXT64.ContextFlags, CONTEXT64_FULL_FLAGS, true);
    throw new ContextTransfer(c.readPtr(current + CONTEXT64.Rsp), (cpu) => loadContext64(cpu, bytes));
  }
  // The target frame was not found (or an exit unwind ran off the stack): the exception's second chance.
  c.mem.w32(rec + 4, c.mem.u32(rec + 4) | flags);
  return unhandledStop(readRecord(c.mem, rec, "x64"));
}

interface UnwindCall {
  rec: number;
  flags: number;
  targetFrame: number;
  targetIp: number;
  returnValue: number;
  ef: number;
  controlPc: number;
  imageBase: number;
  entry: number;
  handler: number;
  handlerData: number;
  scopeIndex: number;
  dc: number;
  current: number;
  history: number;
  base: number;
  resume: UnwindState;
}

/** One UNW_FLAG_UHANDLER call of RtlUnwindEx (RtlpExecuteHandlerForUnwind); a stop when it went wrong. */
function callUnwindHandler(c: ApiCall, u: UnwindCall): KernelStop | undefined {
  c.mem.w32(u.rec + 4, (c.mem.u32(u.rec + 4) & EXCEPTION_NONCONTINUABLE) | u.flags);
  c.mem.w64(u.current + CONTEXT64.Rax, u.returnValue);
  fillDispatcherContext(
    c,
    u.dc,
    {
      controlPc: u.controlPc,
      imageBase: u.imageBase,
      entry: u.entry,
      establisher: u.ef,
      targetIp: u.targetIp,
    },
    u.current,
    u.handler,
    u.handlerData,
    u.history,
    u.scopeIndex,
  );
  const disposition = long(
    callRemembered(
      c,
      { kind: "unwind", resume: u.resume, establisherFrame: u.ef, dispatcherContext: u.dc },
      u.base,
      u.handler,
      [u.rec, u.ef, u.current, u.dc],
    ),
  );
  if (disposition === ExceptionContinueSearch) return undefined;
  return raiseFrom(c, STATUS_INVALID_DISPOSITION, u.rec);
}

// ---------------------------------------------------------------------------------------------
// __C_specific_handler

/** SCOPE_TABLE_AMD64: Count, then {BeginAddress, EndAddress, HandlerAddress, JumpTarget} RVAs. */
interface Scope {
  begin: number;
  end: number;
  handler: number;
  jump: number;
}

function scopes(c: ApiCall, table: number): Scope[] {
  const count = Math.min(c.mem.u32(table), 4096);
  const out: Scope[] = [];
  for (let i = 0; i < count; i++) {
    const a = table + 4 + 16 * i;
    out.push({
      begin: c.mem.u32(a),
      end: c.mem.u32(a + 4),
      handler: c.mem.u32(a + 8),
      jump: c.mem.u32(a + 12),
    });
  }
  return out;
}

/**
 * EXCEPTION_DISPOSITION __C_specific_handler(ExceptionRecord, EstablisherFrame, ContextRecord,
 * DispatcherContext). Dispatching: for each scope (from DispatcherContext.ScopeIndex) containing ControlPc
 * with a JumpTarget (a __try/__except), the filter is evaluated — HandlerAddress 1 is the constant
 * EXCEPTION_EXECUTE_HANDLER, else the filter is called with (EXCEPTION_POINTERS *, EstablisherFrame):
 * negative → ExceptionContinueExecution; positive → RtlUnwindEx to JumpTarget with the exception code as
 * the return value (does not return); zero → the next scope. Unwinding: each scope containing ControlPc
 * without a JumpTarget (a __try/__finally) has its termination handler called with (TRUE,
 * EstablisherFrame), ScopeIndex first moved past it; at the target frame the walk stops at the __except
 * being unwound to.
 */
function cSpecificHandler(c: ApiCall): number | KernelStop {
  const rec = c.arg(0);
  const ef = c.arg(1);
  const ctx = c.arg(2);
  const dc = c.arg(3);
  const D = DISPATCHER_CONTEXT64;
  const imageBase = c.readPtr(dc + D.ImageBase);
  const controlPc = c.readPtr(dc + D.ControlPc) - imageBase;
  const table = scopes(c, c.readPtr(dc + D.HandlerData));
  const flags = c.mem.u32(rec + 4);
  const sp = Math.floor((rsp(c) - 0x40) / 16) * 16;
  ensureStack(c, sp - 0x2000);
  const resume = callerState(c);
  if ((flags & (EXCEPTION_UNWINDING | EXCEPTION_EXIT_UNWIND)) === 0) {
    for (let i = c.mem.u32(dc + D.ScopeIndex); i < table.length; i++) {
      const s = table[i];
      if (controlPc < s.begin || controlPc >= s.end || s.jump === 0) continue;
      let value = EXCEPTION_EXECUTE_HANDLER;
      if (s.handler !== EXCEPTION_EXECUTE_HANDLER) {
        // EXCEPTION_POINTERS { ExceptionRecord, ContextRecord } on the stack below the trap
        c.mem.w64(sp, rec);
        c.mem.w64(sp + 8, ctx);
        const h = { kind: "plain" as const, resume, establisherFrame: 0, dispatcherContext: 0 };
        value = long(callRemembered(c, h, sp, imageBase + s.handler, [sp, ef]));
      }
      if (value < 0) return ExceptionContinueExecution;
      if (value > 0) {
        const code = c.mem.u32(rec + EXCEPTION_RECORD64.ExceptionCode);
        return unwindEx64(c, resume, ef, imageBase + s.jump, rec, code);
      }
    }
    return ExceptionContinueSearch;
  }
  const targetPc = c.readPtr(dc + D.TargetIp) - imageBase;
  const targetUnwind = (flags & EXCEPTION_TARGET_UNWIND) !== 0;
  for (let i = c.mem.u32(dc + D.ScopeIndex); i < table.length; i++) {
    const s = table[i];
    if (controlPc < s.begin || controlPc >= s.end) continue;
    if (targetUnwind) {
      // The target lies in a scope of the same guarded region: stop there.
      const same = table.some(
        (x) => targetPc >= x.begin && targetPc < x.end && x.jump === s.jump && x.handler === s.handler,
      );
      if (same) break;
    }
    if (s.jump !== 0) {
      if (targetUnwind && targetPc === s.jump) break;
    } else {
      c.mem.w32(dc + D.ScopeIndex, i + 1);
      const h = { kind: "plain" as const, resume, establisherFrame: 0, dispatcherContext: 0 };
      callRemembered(c, h, sp, imageBase + s.handler, [1, ef]);
    }
  }
  return ExceptionContinueSearch;
}

// ---------------------------------------------------------------------------------------------
// RtlUnwind (x86): the FS:[0] chain

/** Registration records whose unwind handler is running (a nested RtlUnwind collides with them). */
const unwinding86 = new WeakMap<KernelThread, Set<number>>();

/**
 * VOID RtlUnwind(TargetFrame, TargetIp, ExceptionRecord, ReturnValue), x86: every registration record from
 * FS:[0] up to TargetFrame has its handler called with EXCEPTION_UNWINDING (plus EXCEPTION_EXIT_UNWIND when
 * TargetFrame is NULL) and is removed from the chain; then RtlUnwind returns to its caller with EAX =
 * ReturnValue. A record outside the stack is STATUS_BAD_STACK, a target below the records
 * STATUS_INVALID_UNWIND_TARGET; a handler returning ExceptionCollidedUnwind (or a record whose unwind
 * handler is already running: an unwind inside an unwind) is skipped past.
 */
function rtlUnwind86(c: ApiCall): number | KernelStop {
  const targetFrame = c.arg(0);
  let rec = c.arg(2);
  const returnValue = c.arg(3);
  const sp = rsp(c);
  const base = ((sp - 0x400) & ~15) >>> 0;
  ensureStack(c, base - 0x2000);
  const localRecord = base;
  const ctx = base + 0x60;
  const dcAt = base + 0x60 + CONTEXT32.size + 4;
  if (rec === 0) {
    rec = localRecord;
    c.mem.write(rec, new Uint8Array(0x50));
    c.mem.w32(rec, STATUS_UNWIND);
    c.mem.w32(rec + 0x0c, c.mem.u32(sp)); // ExceptionAddress: the caller's return address
  }
  c.mem.w32(
    rec + 4,
    c.mem.u32(rec + 4) | EXCEPTION_UNWINDING | (targetFrame === 0 ? EXCEPTION_EXIT_UNWIND : 0),
  );
  // The context RtlUnwind returns to: its caller after `ret 16`, EAX = ReturnValue.
  const context = captureContext32(c.thread.cpu);
  const dv = new DataView(context.buffer);
  dv.setUint32(CONTEXT32.Eip, c.mem.u32(sp), true);
  dv.setUint32(CONTEXT32.Esp, sp + 4 + 16, true);
  dv.setUint32(CONTEXT32.Eax, returnValue, true);
  c.mem.write(ctx, context);
  const low = c.mem.u32(c.teb + 8);
  const high = c.mem.u32(c.teb + 4);
  const busy = unwinding86.get(c.thread) ?? new Set<number>();
  unwinding86.set(c.thread, busy);
  let reg = c.mem.u32(c.teb);
  for (let n = 0; reg !== 0xffffffff && n < 100000; n++) {
    if (reg === targetFrame) return returnValue;
    if (targetFrame !== 0 && targetFrame < reg) return raiseFrom(c, STATUS_INVALID_UNWIND_TARGET, rec);
    if (reg < low || reg + 8 > high || (reg & 3) !== 0) return raiseFrom(c, STATUS_BAD_STACK, rec);
    if (!busy.has(reg)) {
      c.mem.w32(dcAt, 0);
      const h = {
        kind: "plain" as const,
        resume: callerState86(c),
        establisherFrame: 0,
        dispatcherContext: 0,
      };
      busy.add(reg);
      let disposition: number;
      try {
        disposition = long(callRemembered(c, h, base, c.mem.u32(reg + 4), [rec, reg, ctx, dcAt]));
      } finally {
        busy.delete(reg);
      }
      if (disposition === ExceptionCollidedUnwind) {
        const other = c.mem.u32(dcAt);
        if (other !== 0) reg = other;
      } else if (disposition !== ExceptionContinueSearch) {
        return raiseFrom(c, STATUS_INVALID_DISPOSITION, rec);
      }
    }
    const next = c.mem.u32(reg);
    c.mem.w32(c.teb, next); // RtlpUnlinkHandler
    reg = next;
  }
  if (targetFrame === 0) return returnValue; // an exit unwind of the whole chain
  // The target frame is not on the chain: the exception's second chance.
  return unhandledStop(readRecord(c.mem, rec, "x86"));
}

/** An x86 trap's caller state (only for the bookkeeping of nested calls; the x86 walk uses FS:[0]). */
function callerState86(c: ApiCall): UnwindState {
  const sp = rsp(c);
  const regs = Array.from({ length: 16 }, (_, r) => BigInt(c.thread.cpu.lo[r] >>> 0));
  regs[4] = BigInt(sp + 4);
  return { pc: c.mem.u32(sp), regs, exact: false };
}

// ---------------------------------------------------------------------------------------------
// the exports

const archOf = (c: ApiCall): Arch => c.arch;

export const frameExceptionApis: ApiFamily = {
  /** VOID RtlUnwindEx(PVOID TargetFrame, PVOID TargetIp, PEXCEPTION_RECORD, PVOID ReturnValue, PCONTEXT, PUNWIND_HISTORY_TABLE) */
  RtlUnwindEx: api((c) => {
    if (archOf(c) !== "x64") return unimplemented("RtlUnwindEx", "x86");
    return unwindEx64(c, callerState(c), c.arg(0), c.arg(1), c.arg(2), c.arg(3));
  }),
  /** VOID RtlUnwind(PVOID TargetFrame, PVOID TargetIp, PEXCEPTION_RECORD ExceptionRecord, PVOID ReturnValue) */
  RtlUnwind: api((c) => {
    if (archOf(c) === "x86") return rtlUnwind86(c);
    return unwindEx64(c, callerState(c), c.arg(0), c.arg(1), c.arg(2), c.arg(3));
  }),
  __C_specific_handler: api((c) => cSpecificHandler(c)),
};
