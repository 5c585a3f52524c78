/**
 * Threads and synchronisation: CreateThread, GetExitCodeThread, GetThreadId, Resume/SuspendThread,
 * WaitForSingleObject(Ex), WaitForMultipleObjects(Ex), CreateEvent(Ex)A/W, OpenEventA/W, Set/Reset/
 * PulseEvent, CreateMutexA/W, ReleaseMutex, CreateSemaphoreA/W, ReleaseSemaphore, SwitchToThread,
 * TerminateThread, DuplicateHandle, QueueUserAPC (bridges
 * around their NT services, as kernelbase calls them), ntdll!RtlExitUserThread (ExitThread), and the
 * critical sections (ntdll!Rtl*CriticalSection; kernel32 forwards to them).
 *
 * Behaviour and results: Microsoft Learn for each function (WAIT_OBJECT_0 0, WAIT_ABANDONED_0 0x80,
 * WAIT_TIMEOUT 258, WAIT_FAILED 0xFFFFFFFF; ERROR_ALREADY_EXISTS for a named object that existed; ResumeThread
 * and SuspendThread return the previous suspend count or (DWORD)-1).
 *
 * Critical sections (RTL_CRITICAL_SECTION: DebugInfo, LockCount, RecursionCount, OwningThread (the owner's
 * thread id), LockSemaphore, SpinCount — x64 offsets 0, 8, 12, 16, 24, 32; x86 0, 4, 8, 12, 16, 20) keep
 * the Windows XP counting: LockCount starts at −1 and every enter (recursive or waiting) adds one, every
 * leave takes one away. A thread entering a section another thread owns waits (ntdll waits on the
 * section's LockSemaphore; here the kernel keeps the waiters); the owner's last leave hands the section
 * to the first waiter.
 */
import { ntSuccess, STATUS_TIMEOUT } from "../kernel/status";
import {
  BASE_NAMED_OBJECTS,
  DirectoryObject,
  EVENT_ALL_ACCESS,
  MUTANT_ALL_ACCESS,
  SEMAPHORE_ALL_ACCESS,
  STATUS_ABANDONED_WAIT_0,
  STATUS_NO_YIELD_PERFORMED,
  STATUS_OBJECT_NAME_EXISTS,
  syncOf,
} from "../kernel/sync";
import { THREAD_ALL_ACCESS, ThreadObject } from "../kernel/thread";
import type { Kernel } from "../kernel/kernel";
import {
  api,
  bridge,
  FALSE,
  TRUE,
  type ApiCall,
  type ApiFamily,
  type ApiResult,
  type BridgeCall,
} from "./context";
import { ERROR_ALREADY_EXISTS, ERROR_INVALID_PARAMETER, ERROR_SUCCESS } from "./errors";
import { allocateData, setLastNtError } from "./state";

const INFINITE = 0xffffffff;
const WAIT_FAILED = 0xffffffff;
/** WAIT_IO_COMPLETION = STATUS_USER_APC. */
const STATUS_USER_APC = 0xc0;
// dwCreationFlags (CreateThread).
const CREATE_SUSPENDED = 0x4;
const STACK_SIZE_PARAM_IS_A_RESERVATION = 0x10000;
// CreateEventEx dwFlags.
const CREATE_EVENT_MANUAL_RESET = 0x1;
const CREATE_EVENT_INITIAL_SET = 0x2;
// CreateMutexEx dwFlags.
/** OBJECT_ATTRIBUTES.Attributes kernelbase passes for named objects: OBJ_OPENIF | OBJ_CASE_INSENSITIVE. */
const OBJ_OPENIF_CASE_INSENSITIVE = 0x80 | 0x40;
const OBJ_INHERIT = 0x2;
const DIRECTORY_ALL_ACCESS = 0xf000f;
/** MAX_PATH: a longer object name fails with ERROR_FILENAME_EXCED_RANGE (206). */
const MAX_PATH = 260;
const ERROR_FILENAME_EXCED_RANGE = 206;

function boolResult(c: BridgeCall, status: number): number {
  if (ntSuccess(status)) return TRUE;
  setLastNtError(c, status);
  return FALSE;
}

/** The relative timeout of dwMilliseconds at local `k` (a LARGE_INTEGER), or NULL for INFINITE. */
function timeout(c: BridgeCall, ms: number, k: number): number {
  if (ms === INFINITE) return 0;
  const at = c.local(k);
  c.mem.w64(at, -ms * 10000);
  return at;
}

/** The wait result of a DWORD wait function: the status for waits, WAIT_FAILED with the last error otherwise. */
function waitResult(c: BridgeCall, status: number): number {
  const s = status >>> 0;
  if (s < 64 || (s >= STATUS_ABANDONED_WAIT_0 && s < STATUS_ABANDONED_WAIT_0 + 64)) return s;
  if (s === STATUS_TIMEOUT || s === STATUS_USER_APC) return s;
  setLastNtError(c, status);
  return WAIT_FAILED;
}

/** The handle of \BaseNamedObjects kernelbase keeps open (BaseGetNamedObjectDirectory), made on first use. */
const directories = new WeakMap<Kernel, number>();
function namedObjectDirectory(k: Kernel): number {
  let h = directories.get(k);
  if (h === undefined) {
    h = k.handles.insert(new DirectoryObject(BASE_NAMED_OBJECTS), DIRECTORY_ALL_ACCESS);
    directories.set(k, h);
  }
  return h;
}

/** A per-thread page for the UTF-16 copy of an ANSI object name. */
const namePages = new WeakMap<Kernel, Map<number, number>>();
function namePage(c: ApiCall): number {
  let m = namePages.get(c.kernel);
  if (m === undefined) namePages.set(c.kernel, (m = new Map()));
  let p = m.get(c.thread.id);
  if (p === undefined) m.set(c.thread.id, (p = allocateData(c, 0x1000)));
  return p;
}

/**
 * OBJECT_ATTRIBUTES for an optional object name at Nt argument slot `first` (and the UNICODE_STRING after
 * it): NULL without a name and without inheritance. Returns the address to pass, or -1 when the name is
 * too long (the last error is set).
 */
function objectAttributes(c: BridgeCall, first: number, pName: number, wide: boolean, sa: number): number {
  const inherit = sa !== 0 && c.mem.u32(sa + (c.ptrSize === 8 ? 0x10 : 8)) !== 0;
  if (pName === 0 && !inherit) return 0;
  const oa = c.slot(first);
  const us = c.slot(first + 6);
  const ps = c.ptrSize;
  let attributes = inherit ? OBJ_INHERIT : 0;
  if (pName !== 0) {
    const name = wide ? c.mem.wString(pName, MAX_PATH + 1) : c.mem.cString(pName, MAX_PATH + 1);
    if (name.length > MAX_PATH) {
      c.setLastError(ERROR_FILENAME_EXCED_RANGE);
      return -1;
    }
    let buffer = pName;
    if (!wide) {
      buffer = namePage(c);
      for (let i = 0; i < name.length; i++) c.mem.w16(buffer + 2 * i, name.charCodeAt(i));
    }
    c.mem.w16(us, 2 * name.length);
    c.mem.w16(us + 2, 2 * name.length);
    c.writePtr(us + ps, buffer);
    attributes |= OBJ_OPENIF_CASE_INSENSITIVE;
  }
  // OBJECT_ATTRIBUTES { ULONG Length; HANDLE RootDirectory; PUNICODE_STRING ObjectName; ULONG Attributes;
  // PVOID SecurityDescriptor; PVOID SecurityQualityOfService } (x64 0x30, x86 0x18).
  c.mem.w32(oa, ps === 8 ? 0x30 : 0x18);
  c.writePtr(oa + ps, pName !== 0 ? namedObjectDirectory(c.kernel) : 0);
  c.writePtr(oa + 2 * ps, pName !== 0 ? us : 0);
  c.mem.w32(oa + 3 * ps, attributes);
  c.writePtr(oa + 4 * ps, 0);
  c.writePtr(oa + 5 * ps, 0);
  return oa;
}

/**
 * A Create* bridge: NtCreateXxx(&handle, access, oa, …). A failure before the call (a name too long) makes
 * the call fail on a NULL handle pointer; post then returns NULL with the last error already set.
 */
function creator(
  argc: number,
  args: (c: BridgeCall) => { sa: number; name: number; wide: boolean; access: number; rest: number[] },
) {
  return bridge({
    pre: (c) => {
      const a = args(c);
      const oa = objectAttributes(c, argc, a.name, a.wide, a.sa);
      c.mem.w32(c.local(1), oa < 0 ? 1 : 0);
      c.nt(0, oa < 0 ? 0 : c.local(0));
      c.nt(1, a.access);
      c.nt(2, Math.max(oa, 0));
      a.rest.forEach((v, i) => c.nt(3 + i, v));
    },
    post: (c, status) => {
      if (c.mem.u32(c.local(1)) !== 0) return 0;
      if (!ntSuccess(status)) {
        setLastNtError(c, status);
        return 0;
      }
      c.setLastError(status === STATUS_OBJECT_NAME_EXISTS ? ERROR_ALREADY_EXISTS : ERROR_SUCCESS);
      return c.readPtr(c.local(0));
    },
  });
}

function opener(c: BridgeCall, wide: boolean): void {
  const name = c.arg(2);
  const oa = name === 0 ? -1 : objectAttributes(c, 3, name, wide, 0);
  if (name === 0) c.setLastError(ERROR_INVALID_PARAMETER);
  if (oa >= 0 && c.u32(1) !== 0) c.mem.w32(oa + 3 * c.ptrSize, c.mem.u32(oa + 3 * c.ptrSize) | OBJ_INHERIT);
  c.mem.w32(c.local(1), oa < 0 ? 1 : 0);
  c.nt(0, oa < 0 ? 0 : c.local(0));
  c.nt(1, c.u32(0));
  c.nt(2, Math.max(oa, 0));
}

function openResult(c: BridgeCall, status: number): number {
  if (c.mem.u32(c.local(1)) !== 0) return 0;
  if (!ntSuccess(status)) {
    setLastNtError(c, status);
    return 0;
  }
  return c.readPtr(c.local(0));
}

/** THREAD_BASIC_INFORMATION of hThread in the slots after NtQueryInformationThread's five arguments. */
function basicInformation(c: BridgeCall): void {
  c.nt(0, c.sarg(0));
  c.nt(1, 0);
  c.nt(2, c.slot(5));
  c.nt(3, c.ptrSize === 8 ? 0x30 : 0x1c);
  c.nt(4, 0);
}

function threadCounts(c: BridgeCall): void {
  c.nt(0, c.sarg(0));
  c.nt(1, c.local(0));
}

function countResult(c: BridgeCall, status: number): number {
  if (ntSuccess(status)) return c.mem.u32(c.local(0));
  setLastNtError(c, status);
  return 0xffffffff;
}

// ---------------------------------------------------------------- critical sections

/** RTL_CRITICAL_SECTION's field addresses (x64 40 bytes, x86 24) for the section at `a` (default: argument 0). */
function cs(
  c: ApiCall,
  a = c.arg(0),
): {
  at: number;
  lock: number;
  rec: number;
  owner: number;
  spin: number;
  size: number;
} {
  return c.arch === "x64"
    ? { at: a, lock: a + 8, rec: a + 12, owner: a + 16, spin: a + 32, size: 40 }
    : { at: a, lock: a + 4, rec: a + 8, owner: a + 12, spin: a + 20, size: 24 };
}

/** The size of an RTL_CRITICAL_SECTION for the caller's architecture. */
export function criticalSectionSize(c: ApiCall): number {
  return cs(c, 0).size;
}

/** InitializeCriticalSection on the section at `at` (default: argument 0). */
export function initializeSection(c: ApiCall, spin: number, at = c.arg(0)): void {
  const f = cs(c, at);
  c.mem.write(f.at, new Uint8Array(f.size));
  c.mem.w32(f.lock, 0xffffffff);
  c.writePtr(f.spin, spin);
}

/** What a thread waiting for the section at `at` waits on (the key of the hand-over). */
function sectionWait(at: number): string {
  return `RtlEnterCriticalSection on the critical section 0x${at.toString(16)}`;
}

/**
 * RtlEnterCriticalSection on the section at `at`: entered (0), or a wait until the owner's last leave hands
 * it over (RAX = STATUS_SUCCESS then).
 */
export function enterSection(c: ApiCall, at: number): ApiResult {
  const f = cs(c, at);
  const owner = c.readPtr(f.owner);
  c.mem.w32(f.lock, (c.mem.u32(f.lock) + 1) >>> 0);
  if (owner === 0 || owner === c.thread.id) {
    c.writePtr(f.owner, c.thread.id);
    c.mem.w32(f.rec, c.mem.u32(f.rec) + 1);
    return 0;
  }
  return syncOf(c.kernel).waitExternal(c.thread, sectionWait(f.at));
}

/** RtlLeaveCriticalSection on the section at `at`: the last leave hands it to the first waiter. */
export function leaveSection(c: ApiCall, at: number): number {
  const f = cs(c, at);
  const rec = c.mem.u32(f.rec);
  if (rec === 0) return 0xc0000264; // STATUS_RESOURCE_NOT_OWNED
  c.mem.w32(f.rec, rec - 1);
  c.mem.w32(f.lock, (c.mem.u32(f.lock) - 1) >>> 0);
  if (rec === 1) {
    const sync = syncOf(c.kernel);
    const next = sync.externalWaiters(sectionWait(f.at))[0];
    if (next === undefined) c.writePtr(f.owner, 0);
    else {
      c.writePtr(f.owner, next.id);
      c.mem.w32(f.rec, 1);
      sync.wake(next, 0);
    }
  }
  return 0;
}

export const threadApis: ApiFamily = {
  /**
   * HANDLE CreateThread(LPSECURITY_ATTRIBUTES, SIZE_T dwStackSize, LPTHREAD_START_ROUTINE, LPVOID, DWORD
   * dwCreationFlags, LPDWORD lpThreadId): NtCreateThreadEx(&h, THREAD_ALL_ACCESS, NULL, NtCurrentProcess(),
   * start, parameter, CREATE_SUSPENDED → THREAD_CREATE_FLAGS_CREATE_SUSPENDED, 0, commit, reserve, NULL).
   * dwStackSize is the commit size, or the reserve with STACK_SIZE_PARAM_IS_A_RESERVATION.
   */
  CreateThread: bridge({
    pre: (c) => {
      const size = c.arg(1);
      const flags = c.u32(4);
      const reservation = (flags & STACK_SIZE_PARAM_IS_A_RESERVATION) !== 0;
      c.nt(0, c.local(0));
      c.nt(1, THREAD_ALL_ACCESS);
      c.nt(2, 0);
      c.nt(3, -1);
      c.nt(4, c.arg(2));
      c.nt(5, c.arg(3));
      c.nt(6, (flags & CREATE_SUSPENDED) !== 0 ? 1 : 0);
      c.nt(7, 0);
      c.nt(8, reservation ? 0 : size);
      c.nt(9, reservation ? size : 0);
      c.nt(10, 0);
    },
    post: (c, status) => {
      if (!ntSuccess(status)) {
        setLastNtError(c, status);
        return 0;
      }
      const h = c.readPtr(c.local(0));
      const pId = c.arg(5);
      if (pId !== 0) {
        const e = c.kernel.handles.get(h);
        if (e !== undefined && e.object instanceof ThreadObject) c.mem.w32(pId, e.object.thread.id);
      }
      return h;
    },
  }),

  /** BOOL GetExitCodeThread(HANDLE hThread, LPDWORD lpExitCode): STILL_ACTIVE (259) while it runs. */
  GetExitCodeThread: bridge({
    pre: basicInformation,
    post: (c, status) => {
      if (!ntSuccess(status)) return boolResult(c, status);
      c.mem.w32(c.arg(1), c.mem.u32(c.slot(5)));
      return TRUE;
    },
  }),

  /** DWORD GetThreadId(HANDLE Thread): ClientId.UniqueThread, 0 on failure. */
  GetThreadId: bridge({
    pre: basicInformation,
    post: (c, status) => {
      if (!ntSuccess(status)) {
        setLastNtError(c, status);
        return 0;
      }
      return c.mem.u32(c.slot(5) + (c.ptrSize === 8 ? 0x18 : 0x0c));
    },
  }),

  /** DWORD ResumeThread(HANDLE hThread): the previous suspend count, (DWORD)-1 on failure. */
  ResumeThread: bridge({ pre: threadCounts, post: countResult }),
  /** DWORD SuspendThread(HANDLE hThread). */
  SuspendThread: bridge({ pre: threadCounts, post: countResult }),

  /** DWORD WaitForSingleObject(HANDLE hHandle, DWORD dwMilliseconds). */
  WaitForSingleObject: bridge({
    pre: (c) => {
      c.nt(0, c.sarg(0));
      c.nt(1, 0);
      c.nt(2, timeout(c, c.u32(1), 0));
    },
    post: waitResult,
  }),

  /** DWORD WaitForSingleObjectEx(HANDLE hHandle, DWORD dwMilliseconds, BOOL bAlertable). */
  WaitForSingleObjectEx: bridge({
    pre: (c) => {
      c.nt(0, c.sarg(0));
      c.nt(1, c.u32(2) !== 0 ? 1 : 0);
      c.nt(2, timeout(c, c.u32(1), 0));
    },
    post: waitResult,
  }),

  /**
   * DWORD WaitForMultipleObjects(DWORD nCount, const HANDLE *lpHandles, BOOL bWaitAll, DWORD
   * dwMilliseconds): NtWaitForMultipleObjects(n, handles, WaitAll 0 / WaitAny 1, FALSE, timeout).
   */
  WaitForMultipleObjects: bridge({
    pre: (c) => {
      c.nt(0, c.u32(0));
      c.nt(1, c.arg(1));
      c.nt(2, c.u32(2) !== 0 ? 0 : 1);
      c.nt(3, 0);
      c.nt(4, timeout(c, c.u32(3), 0));
    },
    post: waitResult,
  }),

  /** DWORD WaitForMultipleObjectsEx(…, BOOL bAlertable). */
  WaitForMultipleObjectsEx: bridge({
    pre: (c) => {
      c.nt(0, c.u32(0));
      c.nt(1, c.arg(1));
      c.nt(2, c.u32(2) !== 0 ? 0 : 1);
      c.nt(3, c.u32(4) !== 0 ? 1 : 0);
      c.nt(4, timeout(c, c.u32(3), 0));
    },
    post: waitResult,
  }),

  /** HANDLE CreateEventA(LPSECURITY_ATTRIBUTES, BOOL bManualReset, BOOL bInitialState, LPCSTR lpName). */
  CreateEventA: creator(5, (c) => ({
    sa: c.arg(0),
    name: c.arg(3),
    wide: false,
    access: EVENT_ALL_ACCESS,
    rest: [c.u32(1) !== 0 ? 0 : 1, c.u32(2) !== 0 ? 1 : 0],
  })),
  CreateEventW: creator(5, (c) => ({
    sa: c.arg(0),
    name: c.arg(3),
    wide: true,
    access: EVENT_ALL_ACCESS,
    rest: [c.u32(1) !== 0 ? 0 : 1, c.u32(2) !== 0 ? 1 : 0],
  })),
  /** HANDLE CreateEventExA(LPSECURITY_ATTRIBUTES, LPCSTR lpName, DWORD dwFlags, DWORD dwDesiredAccess). */
  CreateEventExA: creator(5, (c) => ({
    sa: c.arg(0),
    name: c.arg(1),
    wide: false,
    access: c.u32(3),
    rest: [
      (c.u32(2) & CREATE_EVENT_MANUAL_RESET) !== 0 ? 0 : 1,
      (c.u32(2) & CREATE_EVENT_INITIAL_SET) !== 0 ? 1 : 0,
    ],
  })),
  CreateEventExW: creator(5, (c) => ({
    sa: c.arg(0),
    name: c.arg(1),
    wide: true,
    access: c.u32(3),
    rest: [
      (c.u32(2) & CREATE_EVENT_MANUAL_RESET) !== 0 ? 0 : 1,
      (c.u32(2) & CREATE_EVENT_INITIAL_SET) !== 0 ? 1 : 0,
    ],
  })),
  /** HANDLE OpenEventA(DWORD dwDesiredAccess, BOOL bInheritHandle, LPCSTR lpName). */
  OpenEventA: bridge({ pre: (c) => opener(c, false), post: openResult }),
  OpenEventW: bridge({ pre: (c) => opener(c, true), post: openResult }),

  /** BOOL SetEvent(HANDLE hEvent): NtSetEvent(h, NULL). */
  SetEvent: bridge({
    pre: (c) => {
      c.nt(0, c.sarg(0));
      c.nt(1, 0);
    },
    post: boolResult,
  }),
  /** BOOL ResetEvent(HANDLE hEvent): NtClearEvent(h). */
  ResetEvent: bridge({ pre: (c) => c.nt(0, c.sarg(0)), post: boolResult }),
  /** BOOL PulseEvent(HANDLE hEvent): NtPulseEvent(h, NULL). */
  PulseEvent: bridge({
    pre: (c) => {
      c.nt(0, c.sarg(0));
      c.nt(1, 0);
    },
    post: boolResult,
  }),

  /** HANDLE CreateMutexA(LPSECURITY_ATTRIBUTES, BOOL bInitialOwner, LPCSTR lpName). */
  CreateMutexA: creator(4, (c) => ({
    sa: c.arg(0),
    name: c.arg(2),
    wide: false,
    access: MUTANT_ALL_ACCESS,
    rest: [c.u32(1) !== 0 ? 1 : 0],
  })),
  CreateMutexW: creator(4, (c) => ({
    sa: c.arg(0),
    name: c.arg(2),
    wide: true,
    access: MUTANT_ALL_ACCESS,
    rest: [c.u32(1) !== 0 ? 1 : 0],
  })),
  /** BOOL ReleaseMutex(HANDLE hMutex): NtReleaseMutant(h, NULL); not the owner → ERROR_NOT_OWNER. */
  ReleaseMutex: bridge({
    pre: (c) => {
      c.nt(0, c.sarg(0));
      c.nt(1, 0);
    },
    post: boolResult,
  }),

  /** HANDLE CreateSemaphoreA(LPSECURITY_ATTRIBUTES, LONG lInitialCount, LONG lMaximumCount, LPCSTR lpName). */
  CreateSemaphoreA: creator(5, (c) => ({
    sa: c.arg(0),
    name: c.arg(3),
    wide: false,
    access: SEMAPHORE_ALL_ACCESS,
    rest: [c.u32(1), c.u32(2)],
  })),
  CreateSemaphoreW: creator(5, (c) => ({
    sa: c.arg(0),
    name: c.arg(3),
    wide: true,
    access: SEMAPHORE_ALL_ACCESS,
    rest: [c.u32(1), c.u32(2)],
  })),
  /** BOOL ReleaseSemaphore(HANDLE, LONG lReleaseCount, LPLONG lpPreviousCount): past the maximum → ERROR_TOO_MANY_POSTS. */
  ReleaseSemaphore: bridge({
    pre: (c) => {
      c.nt(0, c.sarg(0));
      c.nt(1, c.u32(1));
      c.nt(2, c.arg(2));
    },
    post: boolResult,
  }),

  /**
   * BOOL TerminateThread(HANDLE hThread, DWORD dwExitCode): NtTerminateThread(hThread, dwExitCode). NULL is
   * refused with ERROR_INVALID_HANDLE (NtTerminateThread would read NULL as the calling thread): the bridge
   * passes NtCurrentProcess(), which is no thread handle (STATUS_INVALID_HANDLE).
   */
  TerminateThread: bridge({
    pre: (c) => {
      const h = c.sarg(0);
      c.nt(0, h === 0 ? -1 : h);
      c.nt(1, c.u32(1));
    },
    post: boolResult,
  }),

  /**
   * BOOL DuplicateHandle(HANDLE hSourceProcessHandle, HANDLE hSourceHandle, HANDLE hTargetProcessHandle,
   * LPHANDLE lpTargetHandle, DWORD dwDesiredAccess, BOOL bInheritHandle, DWORD dwOptions):
   * NtDuplicateObject(…, bInheritHandle ? OBJ_INHERIT : 0, dwOptions).
   */
  DuplicateHandle: bridge({
    pre: (c) => {
      c.nt(0, c.sarg(0));
      c.nt(1, c.sarg(1));
      c.nt(2, c.sarg(2));
      c.nt(3, c.arg(3));
      c.nt(4, c.u32(4));
      c.nt(5, c.u32(5) !== 0 ? 2 : 0);
      c.nt(6, c.u32(6));
    },
    post: boolResult,
  }),

  /**
   * DWORD QueueUserAPC(PAPCFUNC pfnAPC, HANDLE hThread, ULONG_PTR dwData): NtQueueApcThread(hThread,
   * ntdll!RtlDispatchAPC, pfnAPC, dwData, NULL) as kernelbase queues it (RtlDispatchAPC calls
   * pfnAPC(dwData)); nonzero on success, 0 with the last error on failure.
   */
  QueueUserAPC: bridge({
    pre: (c) => {
      const dispatch = c.process.dlls.get("ntdll", c.arch)?.exports.get("RtlDispatchAPC");
      c.nt(0, c.sarg(1));
      c.nt(1, dispatch !== undefined && "address" in dispatch ? dispatch.address : 0);
      c.nt(2, c.arg(0));
      c.nt(3, c.arg(2));
      c.nt(4, 0);
    },
    post: boolResult,
  }),

  /** BOOL SwitchToThread(void): FALSE when no other thread was ready (STATUS_NO_YIELD_PERFORMED). */
  SwitchToThread: bridge({
    pre: () => undefined,
    post: (_c, status) => (status >>> 0 === STATUS_NO_YIELD_PERFORMED ? FALSE : TRUE),
  }),

  /**
   * DECLSPEC_NORETURN VOID RtlExitUserThread(NTSTATUS ExitStatus) (kernel32!ExitThread): the last thread
   * ends the process as RtlExitUserProcess does; any other goes through the DLL_THREAD_DETACH
   * notifications to NtTerminateThread(NtCurrentThread(), status) (LdrShutdownThread).
   */
  RtlExitUserThread: api((c) => {
    const status = c.u32(0);
    if (c.process.threads.length <= 1) {
      c.process.exitStatus = status;
      return { kind: "exit", status };
    }
    if (c.process.beginThreadExit?.(c.thread, status) === true) return { kind: "continue" };
    return {
      kind: "unimplemented",
      what: "RtlExitUserThread",
      detail: "no thread exit path in this process",
    };
  }),

  // ---- critical sections

  RtlInitializeCriticalSection: api((c) => {
    initializeSection(c, 0);
    return 0;
  }),
  /** NTSTATUS RtlInitializeCriticalSectionAndSpinCount(PRTL_CRITICAL_SECTION, ULONG SpinCount). */
  RtlInitializeCriticalSectionAndSpinCount: api((c) => {
    initializeSection(c, c.u32(1) & 0xffffff);
    return 0;
  }),
  /** NTSTATUS RtlInitializeCriticalSectionEx(PRTL_CRITICAL_SECTION, ULONG SpinCount, ULONG Flags). */
  RtlInitializeCriticalSectionEx: api((c) => {
    initializeSection(c, c.u32(1) & 0xffffff);
    return 0;
  }),
  /** BOOL InitializeCriticalSectionAndSpinCount(LPCRITICAL_SECTION, DWORD): always TRUE (Vista and later). */
  InitializeCriticalSectionAndSpinCount: api((c) => {
    initializeSection(c, c.u32(1) & 0xffffff);
    return TRUE;
  }),
  /** BOOL InitializeCriticalSectionEx(LPCRITICAL_SECTION, DWORD dwSpinCount, DWORD Flags). */
  InitializeCriticalSectionEx: api((c) => {
    initializeSection(c, c.u32(1) & 0xffffff);
    return TRUE;
  }),
  RtlEnterCriticalSection: api((c) => enterSection(c, c.arg(0))),
  /** BOOLEAN RtlTryEnterCriticalSection(PRTL_CRITICAL_SECTION): TRUE when it entered, never waits. */
  RtlTryEnterCriticalSection: api((c) => {
    const f = cs(c);
    const owner = c.readPtr(f.owner);
    if (owner !== 0 && owner !== c.thread.id) return FALSE;
    c.mem.w32(f.lock, (c.mem.u32(f.lock) + 1) >>> 0);
    c.writePtr(f.owner, c.thread.id);
    c.mem.w32(f.rec, c.mem.u32(f.rec) + 1);
    return TRUE;
  }),
  RtlLeaveCriticalSection: api((c) => leaveSection(c, c.arg(0))),
  RtlDeleteCriticalSection: api((c) => {
    const f = cs(c);
    c.mem.write(f.at, new Uint8Array(f.size));
    return 0;
  }),
};
