/**
 * msvcrt's thread functions (Microsoft, "_beginthread, _beginthreadex" and "_endthread, _endthreadex",
 * https://learn.microsoft.com/cpp/c-runtime-library/reference/beginthread-beginthreadex and
 * .../endthread-endthreadex), over kernel32 as msvcrt does: `calls` APIs, so CreateThread, ResumeThread,
 * CloseHandle and ExitThread (ntdll!RtlExitUserThread, its forwarder target) are ordinary guest calls (visible, breakable).
 *
 * - _beginthreadex(security, stack_size, start_address, arglist, initflag, thrdaddr) allocates msvcrt's
 *   per-thread block {start_address, arglist} on the process heap, creates the thread suspended on the
 *   internal start routine `_threadstartex` (declarations-msvcrt.ts) with the block as its parameter,
 *   and resumes it unless initflag has CREATE_SUSPENDED. It returns the thread handle, which the caller
 *   closes; on failure 0, errno from the Win32 error (_dosmaperr). `_threadstartex` calls
 *   start_address(arglist) (__stdcall) and then _endthreadex with its return value.
 * - _beginthread(start_address, stack_size, arglist): the same with `_threadstart`, which calls the
 *   __cdecl start_address(arglist) and then _endthread. The handle is the CRT's: _endthread closes it
 *   ("_endthread automatically closes the thread handle"); the function returns it, or -1 on failure.
 * - _endthreadex(retval) frees the thread's block and calls ExitThread(retval) ("_endthreadex doesn't
 *   close the thread handle"); _endthread closes the handle _beginthread made, then ExitThread(0). From
 *   a thread msvcrt did not create they end the thread the same way.
 *
 * A NULL start_address invokes the invalid parameter handler in msvcrt: we stop (unimplemented) there.
 * The generator of _endthread(ex) never resumes (ExitThread does not return); its frame record is
 * dropped with the thread's state.
 */
import { unimplemented } from "../kernel/context";
import type { Kernel } from "../kernel/kernel";
import { calls, guestCall, type ApiFamily, type BridgeCall, type GuestCall } from "./context";
import { dosmaperr } from "./crt-io";
import { heapCall, processHeap, setErrno } from "./crt-state";

const CREATE_SUSPENDED = 4;

interface CrtThread {
  /** The per-thread block on the process heap ({start_address, arglist}). */
  readonly block: number;
  /** _beginthread's handle, closed by _endthread; 0 for _beginthreadex. */
  readonly handle: number;
}

/** The threads msvcrt started, by thread id. */
const started = new WeakMap<Kernel, Map<number, CrtThread>>();

function table(k: Kernel): Map<number, CrtThread> {
  let m = started.get(k);
  if (!m) started.set(k, (m = new Map()));
  return m;
}

function internal(c: BridgeCall, name: string): number {
  const s = c.process.dlls.get("msvcrt", c.arch)?.symbols.find((x) => x.name === name);
  if (s === undefined) throw new Error(`msvcrt ${c.arch} has no ${name}`);
  return s.address;
}

/**
 * Starts a thread on `stub` with a new block; returns the handle or 0 (errno set). Local 4 receives the
 * thread id.
 */
function* begin(
  c: BridgeCall,
  stub: string,
  routine: number,
  arg: number,
  security: number,
  stackSize: number,
  initflag: number,
  plain: boolean,
): Generator<GuestCall, number, number> {
  const heap = processHeap(c);
  const block = heapCall(c, "RtlAllocateHeap", [heap, 0, 2 * c.ptrSize]);
  if (block === 0) {
    setErrno(c, 12); // ENOMEM
    return 0;
  }
  c.writePtr(block, routine);
  c.writePtr(block + c.ptrSize, arg);
  const idAddr = c.local(4);
  c.mem.w32(idAddr, 0);
  const h = yield* guestCall("kernel32", "CreateThread", [
    security,
    stackSize,
    internal(c, stub),
    block,
    (initflag | CREATE_SUSPENDED) >>> 0,
    idAddr,
  ]);
  if (h === 0) {
    const e = yield* guestCall("kernel32", "GetLastError", []);
    heapCall(c, "RtlFreeHeap", [heap, 0, block]);
    setErrno(c, dosmaperr(e >>> 0));
    return 0;
  }
  const id = c.mem.u32(idAddr);
  table(c.kernel).set(id, { block, handle: plain ? h : 0 });
  if ((initflag & CREATE_SUSPENDED) === 0 || plain) {
    const r = yield* guestCall("kernel32", "ResumeThread", [h]);
    if ((r | 0) === -1) {
      const e = yield* guestCall("kernel32", "GetLastError", []);
      setErrno(c, dosmaperr(e >>> 0));
      return 0;
    }
  }
  return h;
}

function* end(c: BridgeCall, code: number): Generator<GuestCall, number, number> {
  const m = table(c.kernel);
  const t = m.get(c.thread.id);
  if (t) {
    m.delete(c.thread.id);
    heapCall(c, "RtlFreeHeap", [processHeap(c), 0, t.block]);
    if (t.handle !== 0) yield* guestCall("kernel32", "CloseHandle", [t.handle]);
  }
  // kernel32!ExitThread is an export forwarder to ntdll!RtlExitUserThread (declarations-threads.ts, as in
  // Windows 10's export table): the code an ExitThread import binds to.
  yield* guestCall("ntdll", "RtlExitUserThread", [code >>> 0]);
  return 0;
}

export const crtThreadApis: ApiFamily = {
  /** uintptr_t _beginthreadex(void *security, unsigned stack_size, unsigned (__stdcall *start_address)(void *), void *arglist, unsigned initflag, unsigned *thrdaddr) */
  _beginthreadex: calls(function* (c) {
    const routine = c.arg(2);
    if (routine === 0)
      return unimplemented("_beginthreadex", "start_address NULL: the invalid parameter handler");
    const thrdaddr = c.arg(5);
    const h = yield* begin(c, "_threadstartex", routine, c.arg(3), c.arg(0), c.u32(1), c.u32(4), false);
    if (h !== 0 && thrdaddr !== 0) c.mem.w32(thrdaddr, c.mem.u32(c.local(4)));
    return h;
  }),
  /** uintptr_t _beginthread(void (__cdecl *start_address)(void *), unsigned stack_size, void *arglist): -1 on failure. */
  _beginthread: calls(function* (c) {
    const routine = c.arg(0);
    if (routine === 0)
      return unimplemented("_beginthread", "start_address NULL: the invalid parameter handler");
    const h = yield* begin(c, "_threadstart", routine, c.arg(2), 0, c.u32(1), 0, true);
    return h === 0 ? -1 : h;
  }),
  _endthreadex: calls((c) => end(c, c.u32(0))),
  _endthread: calls((c) => end(c, 0)),
};
