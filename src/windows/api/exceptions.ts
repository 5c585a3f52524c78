/**
 * Exception dispatch, user-mode side: RtlDispatchException (called by the real code of
 * ntdll!KiUserExceptionDispatcher), the vectored-handler list, RtlRaiseException/RaiseException and the
 * top-level filter (SetUnhandledExceptionFilter / UnhandledExceptionFilter).
 *
 * RtlDispatchException, as on Windows (MSDN "Vectored Exception Handling", "Structured Exception
 * Handling"; the x86 EXCEPTION_REGISTRATION_RECORD chain at FS:[0]):
 * 1. the vectored handlers, first-added-with-First≠0 first, each called with EXCEPTION_POINTERS;
 *    EXCEPTION_CONTINUE_EXECUTION (-1) ends dispatch (the context is resumed by NtContinue);
 * 2. x86: the SEH chain from TEB.NtTib.ExceptionList; each handler gets (ExceptionRecord,
 *    EstablisherFrame, ContextRecord, DispatcherContext); ExceptionContinueExecution (0) resumes,
 *    ExceptionContinueSearch (1) goes on to Next; the walk stops at 0xFFFFFFFF or at a record outside the
 *    stack (EXCEPTION_STACK_INVALID). Each handler runs with a registration record of the dispatcher's own
 *    linked first (RtlpExecuteHandlerForException's, handler ntdll!RtlpExceptionProtector): an exception
 *    raised inside the handler is dispatched anew, and when that walk reaches the record the protector
 *    answers ExceptionNestedException (2) naming the frame whose handler was running; the walk sets
 *    EXCEPTION_NESTED_CALL until past that frame (the highest such frame when several). Any other
 *    disposition (ExceptionCollidedUnwind (3) too) raises STATUS_INVALID_DISPOSITION (ReactOS
 *    sdk/lib/rtl/i386/except.c and except_asm.s, the Windows Research Kernel's i386 exdsptch.c);
 * 3. the top-level filter: EXCEPTION_CONTINUE_EXECUTION resumes; anything else leaves the exception
 *    unhandled (KiUserExceptionDispatcher then calls NtRaiseException(FirstChance = FALSE) and the
 *    process ends with the exception code).
 * 2'. x64: the frames from the exception's context through .pdata, each UNW_FLAG_EHANDLER language handler
 *    called (exceptions-frames.ts, with RtlUnwindEx, RtlUnwind and __C_specific_handler);
 * Handlers run as nested guest calls (KernelProcess.callGuest) on the thread's stack below the trap.
 */
import type { Arch } from "../dlls";
import { unimplemented } from "../kernel/context";
import {
  CONTEXT32,
  CONTEXT64,
  EXCEPTION_NONCONTINUABLE,
  captureContext32,
  captureContext64,
  deliverException,
  firstChanceStop,
  readRecord,
} from "../kernel/exception";
import type { Kernel } from "../kernel/kernel";
import { join64, split64 } from "../kernel/user-memory";
import { api, FALSE, TRUE, type ApiCall, type ApiFamily } from "./context";
import {
  dispatchFrames64,
  ensureStack,
  EXCEPTION_NESTED_CALL,
  EXCEPTION_STACK_INVALID,
  ExceptionNestedException,
  raiseFrom,
  STATUS_INVALID_DISPOSITION,
  STATUS_NONCONTINUABLE_EXCEPTION,
} from "./exceptions-frames";
import { allocateData } from "./state";

const EXCEPTION_CONTINUE_EXECUTION = -1;
const EXCEPTION_EXECUTE_HANDLER = 1;
const ExceptionContinueExecution = 0;
const ExceptionContinueSearch = 1;

interface VectoredEntry {
  readonly handle: number;
  readonly fn: number;
}

interface ExceptionState {
  readonly vectored: Map<Arch, VectoredEntry[]>;
  readonly filter: Map<Arch, number>;
  /** A block of guest memory whose slots are the vectored-handler handles, by architecture. */
  readonly handles: Map<Arch, { base: number; next: number }>;
}

const states = new WeakMap<Kernel, ExceptionState>();

function state(k: Kernel): ExceptionState {
  let s = states.get(k);
  if (!s) states.set(k, (s = { vectored: new Map(), filter: new Map(), handles: new Map() }));
  return s;
}

function stackPointer(c: ApiCall): number {
  const cpu = c.thread.cpu;
  return c.arch === "x64" ? join64(cpu.lo[4], cpu.hi[4]) : cpu.lo[4] >>> 0;
}

/** x86 ntdll!RtlpExceptionProtector (internal; ../dlls/exceptions.ts), or undefined without that ntdll. */
function protectorOf(c: ApiCall): number | undefined {
  return c.process.dlls.get("ntdll", "x86")?.symbols.find((x) => x.name === "RtlpExceptionProtector")
    ?.address;
}

/** A guest call's result as the LONG / EXCEPTION_DISPOSITION it is. */
const long = (v: number): number => split64(v)[0] | 0;

function dispatch(c: ApiCall): number | ReturnType<typeof unimplemented> {
  const call = c.process.callGuest?.bind(c.process);
  if (call === undefined) return unimplemented("RtlDispatchException", "the process cannot call guest code");
  const rec = c.arg(0);
  const ctx = c.arg(1);
  const s = state(c.kernel);
  const sp = stackPointer(c);
  // EXCEPTION_POINTERS and the DispatcherContext below the trap's stack pointer (callGuest's frames start lower).
  const pointers = Math.floor((sp - 0x40) / 16) * 16;
  ensureStack(c, pointers - 0x2000);
  c.writePtr(pointers, rec);
  c.writePtr(pointers + c.ptrSize, ctx);
  const dispatcherContext = pointers + 0x20;
  const flags = (): number => c.mem.u32(rec + 4);

  for (const v of [...(s.vectored.get(c.arch) ?? [])]) {
    if (long(call(v.fn, [pointers])) === EXCEPTION_CONTINUE_EXECUTION) return TRUE;
  }

  if (c.arch === "x86") {
    const base = c.mem.u32(c.teb + 4);
    const limit = c.mem.u32(c.teb + 8);
    const protector = protectorOf(c);
    if (protector === undefined)
      return unimplemented("RtlDispatchException", "x86 ntdll without RtlpExceptionProtector");
    // RtlpExecuteHandlerForException's registration record { Next, RtlpExceptionProtector, frame }, linked at
    // FS:[0] while a handler runs: an exception inside the handler reaches the protector first.
    const own = pointers + 0x30;
    let nestedFrame = 0;
    let reg = c.mem.u32(c.teb);
    for (let n = 0; reg !== 0xffffffff && n < 10000; n++) {
      if (reg < limit || reg + 8 > base || (reg & 3) !== 0) {
        c.mem.w32(rec + 4, flags() | EXCEPTION_STACK_INVALID);
        break;
      }
      const handler = c.mem.u32(reg + 4);
      c.mem.w32(dispatcherContext, 0);
      c.mem.w32(own, c.mem.u32(c.teb));
      c.mem.w32(own + 4, protector);
      c.mem.w32(own + 8, reg);
      c.mem.w32(c.teb, own);
      const disposition = long(call(handler, [rec, reg, ctx, dispatcherContext]));
      // Unlinked again (`mov esp, fs:[0]; pop fs:[0]`); a handler that unwound past it (RtlUnwind) already did.
      if (c.mem.u32(c.teb) === own) c.mem.w32(c.teb, c.mem.u32(own));
      if (reg === nestedFrame) {
        // Past the frame whose handler was running when this exception was raised: no longer nested.
        c.mem.w32(rec + 4, flags() & ~EXCEPTION_NESTED_CALL);
        nestedFrame = 0;
      }
      if (disposition === ExceptionContinueExecution) {
        if (flags() & EXCEPTION_NONCONTINUABLE) return raiseFrom(c, STATUS_NONCONTINUABLE_EXCEPTION, rec);
        return TRUE;
      } else if (disposition === ExceptionContinueSearch) {
        if (flags() & EXCEPTION_STACK_INVALID) return FALSE;
      } else if (disposition === ExceptionNestedException) {
        // The protector of an outer dispatch's handler call: this exception was raised inside that handler.
        // The frames up to (and including) the one whose handler was running see EXCEPTION_NESTED_CALL.
        c.mem.w32(rec + 4, flags() | EXCEPTION_NESTED_CALL);
        const other = c.mem.u32(dispatcherContext);
        if (other > nestedFrame) nestedFrame = other;
      } else {
        // Anything else — ExceptionCollidedUnwind included, which only an unwind's protector returns — is
        // STATUS_INVALID_DISPOSITION, as in Windows' i386 RtlDispatchException.
        return raiseFrom(c, STATUS_INVALID_DISPOSITION, rec);
      }
      reg = c.mem.u32(reg);
    }
  }

  if (c.arch === "x64") {
    // The frames, through .pdata: language handlers (UNW_FLAG_EHANDLER), exceptions-frames.ts.
    const r = dispatchFrames64(c, rec, ctx);
    if (r === true) return TRUE;
    if (r !== false) return r;
  }

  const filter = s.filter.get(c.arch);
  if (filter !== undefined && filter !== 0) {
    if (long(call(filter, [pointers])) === EXCEPTION_CONTINUE_EXECUTION) return TRUE;
  }
  return FALSE;
}

/** Raise `record` with the caller's context after the return (RaiseException, RtlRaiseException). */
function raise(
  c: ApiCall,
  e: { code: number; flags: number; address: number; params: number[] },
  stackArgs: number,
) {
  const cpu = c.thread.cpu;
  const sp = stackPointer(c);
  const ret = c.readPtr(sp);
  const context = c.arch === "x64" ? captureContext64(cpu) : captureContext32(cpu);
  const dv = new DataView(context.buffer);
  if (c.arch === "x64") {
    const [rl, rh] = split64(ret);
    dv.setUint32(CONTEXT64.Rip, rl, true);
    dv.setUint32(CONTEXT64.Rip + 4, rh, true);
    const [sl, sh] = split64(sp + 8);
    dv.setUint32(CONTEXT64.Rsp, sl, true);
    dv.setUint32(CONTEXT64.Rsp + 4, sh, true);
  } else {
    dv.setUint32(CONTEXT32.Eip, ret, true);
    dv.setUint32(CONTEXT32.Esp, sp + 4 + 4 * stackArgs, true);
  }
  // A debugger that wants the first chance stops before any handler runs; the process delivers it then.
  const first = firstChanceStop(c.process, c.arch, e, context);
  if (first !== undefined) return first;
  deliverException(c.process, c.mem, c.thread, c.arch, e, context);
  return { kind: "continue" } as const;
}

export const exceptionApis: ApiFamily = {
  RtlDispatchException: api((c) => dispatch(c)),

  RtlAddVectoredExceptionHandler: api((c) => {
    const s = state(c.kernel);
    let block = s.handles.get(c.arch);
    if (block === undefined) s.handles.set(c.arch, (block = { base: allocateData(c, 0x1000), next: 0 }));
    if (block.next >= 0x1000 / 16) return 0;
    const handle = block.base + 16 * block.next++;
    const fn = c.arg(1);
    c.writePtr(handle, fn);
    const list = s.vectored.get(c.arch) ?? [];
    if (c.u32(0) !== 0) list.unshift({ handle, fn });
    else list.push({ handle, fn });
    s.vectored.set(c.arch, list);
    return handle;
  }),

  RtlRemoveVectoredExceptionHandler: api((c) => {
    const list = state(c.kernel).vectored.get(c.arch) ?? [];
    const k = list.findIndex((v) => v.handle === c.arg(0));
    if (k < 0) return 0;
    list.splice(k, 1);
    return 1;
  }),

  SetUnhandledExceptionFilter: api((c) => {
    const s = state(c.kernel);
    const previous = s.filter.get(c.arch) ?? 0;
    s.filter.set(c.arch, c.arg(0));
    return previous;
  }),

  UnhandledExceptionFilter: api((c) => {
    const filter = state(c.kernel).filter.get(c.arch) ?? 0;
    if (filter !== 0 && c.process.callGuest !== undefined)
      return long(c.process.callGuest(filter, [c.arg(0)]));
    // No debugger and no filter: Windows Error Reporting, then the handler runs (the process ends).
    return EXCEPTION_EXECUTE_HANDLER;
  }),

  RaiseException: api((c) => {
    const n = Math.min(c.u32(2), 15);
    const args = c.arg(3);
    const params: number[] = [];
    if (args !== 0) for (let i = 0; i < n; i++) params.push(c.readPtr(args + c.ptrSize * i));
    // ExceptionAddress is inside RaiseException, as Windows reports it (KERNELBASE!RaiseException+n).
    const e = {
      code: c.u32(0),
      flags: c.u32(1) & EXCEPTION_NONCONTINUABLE,
      address: c.entry.address + 3,
      params,
    };
    return raise(c, e, 4);
  }),

  RtlRaiseException: api((c) => {
    const e = readRecord(c.mem, c.arg(0), c.arch);
    const address = c.readPtr(stackPointer(c));
    return raise(c, { ...e, address, params: [...e.params] }, 1);
  }),
};
