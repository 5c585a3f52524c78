/**
 * Dispatcher objects and waits: events, mutants, semaphores (threads are waitable too, ./thread.ts), the
 * wait services and the delays, and the named objects of \BaseNamedObjects.
 *
 * Semantics (Windows Internals 7th ed., ch. 8 "Synchronization"; the WRK's ke/wait.c, ke/mutntobj.c,
 * ke/eventobj.c, ke/semphobj.c; Microsoft Learn for every Nt/Zw and kernel32 function):
 * - A wait is satisfied when its object is signaled for the waiting thread; satisfying it has the object's
 *   side effect: a synchronization (auto-reset) event resets, a semaphore's count drops by one, a mutant is
 *   owned (recursively by its owner). WaitAll is satisfied only when every object is signaled at once; it
 *   then acquires them all. WaitAny takes the lowest signaled index, which the status reports
 *   (STATUS_WAIT_0 + i, STATUS_ABANDONED_WAIT_0 + i for a mutant whose owner ended without releasing it).
 * - Waiters are served in the order they started waiting (the dispatcher's FIFO wait lists).
 * - Timeouts are LARGE_INTEGERs: negative = relative (100 ns units), positive = absolute system time,
 *   0 = test and return, NULL = forever; they are measured on the virtual clock (./time.ts).
 * - With one thread in the process nothing else can signal: a wait that cannot be satisfied lets its
 *   timeout pass at once, or, without a timeout, is a `blocked` stop naming it. With several threads the
 *   thread waits (`{kind: "wait"}`) and the run loop (src/windows/process.ts) runs the others; when every
 *   thread waits, time jumps to the earliest timeout, and without one the process is deadlocked.
 * - Alertable waits end with STATUS_USER_APC when a user APC is queued to the thread (before or during the
 *   wait); the APC is then delivered through ntdll!KiUserApcDispatcher (./apc.ts).
 */
import type { SyscallContext, SyscallFamily } from "./context";
import { unimplemented } from "./context";
import {
  KernelObject,
  mapGenericAccess,
  NT_CURRENT_PROCESS,
  NT_CURRENT_THREAD,
  STANDARD_RIGHTS_REQUIRED,
  SYNCHRONIZE,
  READ_CONTROL,
  type GenericMapping,
  type ObjectType,
} from "./handles";
import type { Kernel } from "./kernel";
import { deliverApc64, STATUS_USER_APC, type UserApc } from "./apc";
import {
  STATUS_ACCESS_DENIED,
  STATUS_INVALID_HANDLE,
  STATUS_INVALID_PARAMETER,
  STATUS_INVALID_PARAMETER_1,
  STATUS_INVALID_PARAMETER_3,
  STATUS_INVALID_PARAMETER_MIX,
  STATUS_OBJECT_NAME_INVALID,
  STATUS_OBJECT_NAME_NOT_FOUND,
  STATUS_OBJECT_TYPE_MISMATCH,
  STATUS_SUCCESS,
  STATUS_TIMEOUT,
} from "./status";
import type { KernelStop, KernelThread, ThreadWait } from "./types";

// ntstatus.h
export const STATUS_WAIT_0 = 0x00000000;
export const STATUS_ABANDONED_WAIT_0 = 0x00000080;
export const STATUS_NO_YIELD_PERFORMED = 0x40000024;
export const STATUS_OBJECT_NAME_EXISTS = 0x40000035;
export const STATUS_MUTANT_NOT_OWNED = 0xc0000046;
export const STATUS_SEMAPHORE_LIMIT_EXCEEDED = 0xc0000047;
export const STATUS_MUTANT_LIMIT_EXCEEDED = 0xc0000191;

/** MAXIMUM_WAIT_OBJECTS (winnt.h). */
export const MAXIMUM_WAIT_OBJECTS = 64;

// Access rights (winnt.h / ntddk): EVENT_*, MUTANT_*, SEMAPHORE_*.
export const EVENT_QUERY_STATE = 0x0001;
export const EVENT_MODIFY_STATE = 0x0002;
export const EVENT_ALL_ACCESS = STANDARD_RIGHTS_REQUIRED | SYNCHRONIZE | 0x3;
export const MUTANT_QUERY_STATE = 0x0001;
export const MUTANT_ALL_ACCESS = STANDARD_RIGHTS_REQUIRED | SYNCHRONIZE | MUTANT_QUERY_STATE;
export const SEMAPHORE_QUERY_STATE = 0x0001;
export const SEMAPHORE_MODIFY_STATE = 0x0002;
export const SEMAPHORE_ALL_ACCESS = STANDARD_RIGHTS_REQUIRED | SYNCHRONIZE | 0x3;

export const EVENT_MAPPING: GenericMapping = {
  read: READ_CONTROL | EVENT_QUERY_STATE,
  write: READ_CONTROL | EVENT_MODIFY_STATE,
  execute: READ_CONTROL | SYNCHRONIZE,
  all: EVENT_ALL_ACCESS,
};
export const MUTANT_MAPPING: GenericMapping = {
  read: READ_CONTROL | MUTANT_QUERY_STATE,
  write: READ_CONTROL,
  execute: READ_CONTROL | SYNCHRONIZE,
  all: MUTANT_ALL_ACCESS,
};
export const SEMAPHORE_MAPPING: GenericMapping = {
  read: READ_CONTROL | SEMAPHORE_QUERY_STATE,
  write: READ_CONTROL | SEMAPHORE_MODIFY_STATE,
  execute: READ_CONTROL | SYNCHRONIZE,
  all: SEMAPHORE_ALL_ACCESS,
};

/** EVENT_TYPE: NotificationEvent (manual reset), SynchronizationEvent (auto reset). */
export const NotificationEvent = 0;
export const SynchronizationEvent = 1;

/** LARGE_INTEGER 0x8000000000000000: the "forever" interval SleepEx(INFINITE) passes. */
const INFINITE_INTERVAL = -(2 ** 63);

/** An object threads can wait on. */
export abstract class DispatcherObject extends KernelObject {
  /** Its name in the object namespace, if it has one. */
  name: string | undefined = undefined;
  /** Signaled for `t` (a mutant is signaled for its owner). */
  abstract isSignaled(t: KernelThread): boolean;
  /** The side effect of satisfying a wait; true when the wait acquired an abandoned mutant. */
  abstract acquire(t: KernelThread): boolean;
  /** For messages: "Event", "Mutant"… */
  get label(): string {
    return this.type;
  }
}

export class EventObject extends DispatcherObject {
  readonly type = "Event";
  constructor(
    readonly notification: boolean,
    public state: boolean,
  ) {
    super();
  }
  isSignaled(): boolean {
    return this.state;
  }
  acquire(): boolean {
    if (!this.notification) this.state = false;
    return false;
  }
  override get label(): string {
    return this.notification ? "Event (manual reset)" : "Event (auto reset)";
  }
}

export class MutantObject extends DispatcherObject {
  readonly type = "Mutant";
  owner: KernelThread | undefined = undefined;
  count = 0;
  abandoned = false;
  isSignaled(t: KernelThread): boolean {
    return this.owner === undefined || this.owner === t;
  }
  acquire(t: KernelThread): boolean {
    this.owner = t;
    this.count++;
    const was = this.abandoned;
    this.abandoned = false;
    return was;
  }
}

export class SemaphoreObject extends DispatcherObject {
  readonly type = "Semaphore";
  constructor(
    public count: number,
    readonly maximum: number,
  ) {
    super();
  }
  isSignaled(): boolean {
    return this.count > 0;
  }
  acquire(): boolean {
    this.count--;
    return false;
  }
}

/** The object directory \BaseNamedObjects (kernel32 passes a handle to it as RootDirectory). */
export class DirectoryObject extends KernelObject {
  readonly type = "Directory";
  constructor(readonly path: string) {
    super();
  }
}

export const BASE_NAMED_OBJECTS = "\\BaseNamedObjects";

interface WaitBlock {
  readonly objects: readonly DispatcherObject[];
  readonly all: boolean;
  readonly deadline: number;
  readonly what: string;
  /** The status when the deadline passes (STATUS_TIMEOUT; STATUS_SUCCESS for a delay). */
  readonly timeoutStatus: number;
  /** Ended by someone else (a critical section handed over), not by the objects. */
  readonly external: boolean;
  /** An alertable wait: a user APC queued to the thread ends it with STATUS_USER_APC. */
  readonly alertable?: boolean;
}

/** The waits of a process's threads, the named objects, and the scheduling queries the run loop makes. */
export class Sync {
  private readonly waits = new Map<KernelThread, WaitBlock>();
  /** Named dispatcher objects by upper-cased full path. */
  private readonly names = new Map<string, DispatcherObject>();
  private readonly mutants = new Set<MutantObject>();
  /** Suspend counts (NtSuspendThread, CREATE_SUSPENDED). */
  readonly suspended = new Map<KernelThread, number>();
  /** Queued user APCs per thread, first in first out (NtQueueApcThread). */
  private readonly apcs = new Map<KernelThread, UserApc[]>();
  /** 32-bit threads whose service returns STATUS_USER_APC: wow64 delivers an APC on the way back. */
  private readonly apcDue = new Set<KernelThread>();

  constructor(private readonly kernel: Kernel) {}

  /** Why `t` cannot run, or undefined. */
  waitOf(t: KernelThread): ThreadWait | undefined {
    if ((this.suspended.get(t) ?? 0) > 0) return { what: "suspended", deadline: Infinity };
    const w = this.waits.get(t);
    return w === undefined ? undefined : { what: w.what, deadline: w.deadline };
  }

  /** Try to satisfy a wait now: the status, or undefined when it must wait. */
  tryWait(t: KernelThread, objects: readonly DispatcherObject[], all: boolean): number | undefined {
    if (all) {
      if (!objects.every((o) => o.isSignaled(t))) return undefined;
      let abandoned = false;
      for (const o of objects) if (o.acquire(t)) abandoned = true;
      return abandoned ? STATUS_ABANDONED_WAIT_0 : STATUS_WAIT_0;
    }
    for (let i = 0; i < objects.length; i++) {
      if (objects[i].isSignaled(t))
        return (objects[i].acquire(t) ? STATUS_ABANDONED_WAIT_0 : STATUS_WAIT_0) + i;
    }
    return undefined;
  }

  /**
   * The wait of the calling thread `t`: satisfied now (the status), or a timeout of 0 (STATUS_TIMEOUT), or
   * the thread waits. `timeout` is a relative interval in 100 ns units (Infinity: none).
   */
  wait(
    t: KernelThread,
    objects: readonly DispatcherObject[],
    all: boolean,
    timeout: number,
    what: string,
    alertable = false,
  ): number | KernelStop {
    // KeWaitForMultipleObjects: a pending user APC ends an alertable wait before the objects are tested.
    if (alertable && this.hasApc(t)) return this.deliverNow(t, STATUS_USER_APC);
    const now = this.tryWait(t, objects, all);
    if (now !== undefined) return now;
    if (timeout <= 0) return STATUS_TIMEOUT;
    return this.block(
      t,
      { objects, all, what, timeoutStatus: STATUS_TIMEOUT, external: false, alertable },
      timeout,
    );
  }

  /** A delay (NtDelayExecution): `timeout` 100 ns units, Infinity for forever. */
  delay(t: KernelThread, timeout: number, what: string, alertable = false): number | KernelStop {
    if (alertable && this.hasApc(t)) return this.deliverNow(t, STATUS_USER_APC);
    if (timeout <= 0) return STATUS_SUCCESS;
    return this.block(
      t,
      { objects: [], all: false, what, timeoutStatus: STATUS_SUCCESS, external: false, alertable },
      timeout,
    );
  }

  // ---------------------------------------------------------------- user APCs (./apc.ts)

  hasApc(t: KernelThread): boolean {
    return (this.apcs.get(t)?.length ?? 0) > 0;
  }

  /** The next queued APC of `t` (removed from the queue). */
  takeApc(t: KernelThread): UserApc | undefined {
    const q = this.apcs.get(t);
    const a = q?.shift();
    if (q !== undefined && q.length === 0) this.apcs.delete(t);
    return a;
  }

  private requeue(t: KernelThread, a: UserApc): void {
    const q = this.apcs.get(t);
    if (q === undefined) this.apcs.set(t, [a]);
    else q.unshift(a);
  }

  /** NtQueueApcThread: queue `a`; a thread in an alertable wait wakes with STATUS_USER_APC and runs it. */
  queueApc(t: KernelThread, a: UserApc): void {
    const q = this.apcs.get(t);
    if (q === undefined) this.apcs.set(t, [a]);
    else q.push(a);
    if (this.waits.get(t)?.alertable !== true) return;
    this.wake(t, STATUS_USER_APC);
    if (t.teb32 !== 0) {
      this.apcDue.add(t);
      return;
    }
    const apc = this.takeApc(t);
    const p = this.kernel.process;
    if (apc === undefined || p.withThreadRegisters === undefined) return;
    p.withThreadRegisters(t, (cpu) => {
      if (!deliverApc64(p, this.kernel.mem, cpu, apc)) this.requeue(t, apc);
    });
  }

  /**
   * The calling thread `t` returns `status` to user mode with an APC queued: a 64-bit thread goes to
   * KiUserApcDispatcher now (the registers in its Cpu, RAX = `status`); a 32-bit thread under WOW64 gets
   * `status` and wow64 delivers the APC when the service returns to 32-bit code (`takeApcDue`).
   */
  deliverNow(t: KernelThread, status: number): number | KernelStop {
    if (t.teb32 !== 0) {
      this.apcDue.add(t);
      return status;
    }
    const apc = this.takeApc(t);
    if (apc === undefined) return status;
    const cpu = t.cpu;
    cpu.lo[0] = status | 0;
    cpu.hi[0] = 0;
    if (!deliverApc64(this.kernel.process, this.kernel.mem, cpu, apc)) {
      this.requeue(t, apc);
      return status;
    }
    return { kind: "continue", status };
  }

  /** A 32-bit thread's service is returning: the APC to deliver on the way back, if one is due. */
  takeApcDue(t: KernelThread): UserApc | undefined {
    if (!this.apcDue.delete(t)) return undefined;
    return this.takeApc(t);
  }

  /** A wait ended only by `wake` (a critical section handed over by its owner). */
  waitExternal(t: KernelThread, what: string): number | KernelStop {
    return this.block(
      t,
      { objects: [], all: false, what, timeoutStatus: STATUS_TIMEOUT, external: true },
      Infinity,
    );
  }

  private block(t: KernelThread, w: Omit<WaitBlock, "deadline">, timeout: number): number | KernelStop {
    const clock = this.kernel.clock;
    const alone =
      this.kernel.process.threads.length <= 1 || this.kernel.process.setThreadResult === undefined;
    if (alone) {
      // Nothing else runs: the timeout passes at once, or the thread would wait forever.
      if (timeout === Infinity) return { kind: "blocked", what: w.what, detail: "nothing can end the wait" };
      clock.advance(timeout);
      return w.timeoutStatus;
    }
    const deadline = timeout === Infinity ? Infinity : clock.interruptTime() + Math.ceil(timeout);
    this.waits.set(t, { ...w, deadline });
    return { kind: "wait" };
  }

  /** End `t`'s wait with `status` (its RAX when it runs again). */
  wake(t: KernelThread, status: number): void {
    if (!this.waits.delete(t)) return;
    this.kernel.process.setThreadResult?.(t, status);
    this.kernel.syscallCompleted(t, status);
  }

  /** Is `t` waiting for a hand-over (`waitExternal`)? */
  waitingExternally(t: KernelThread): boolean {
    return this.waits.get(t)?.external === true;
  }

  /** Threads waiting for a hand-over whose wait says `what`, first come first. */
  externalWaiters(what: string): KernelThread[] {
    return [...this.waits].filter(([, w]) => w.external && w.what === what).map(([t]) => t);
  }

  /** An object changed state: satisfy the waits that now can be, first come first served. */
  signal(): void {
    for (const [t, w] of this.waits) {
      if (w.objects.length === 0) continue;
      const s = this.tryWait(t, w.objects, w.all);
      if (s !== undefined) this.wake(t, s);
    }
  }

  /** End the waits whose deadline has passed. */
  expire(): void {
    const now = this.kernel.clock.interruptTime();
    for (const [t, w] of this.waits) if (w.deadline <= now) this.wake(t, w.timeoutStatus);
  }

  /** Every thread waits: time jumps to `deadline`. */
  advanceTo(deadline: number): void {
    const clock = this.kernel.clock;
    const now = clock.interruptTime();
    if (deadline > now) clock.advance(deadline - now);
    this.expire();
  }

  /** A thread ended: it waits no more, and the mutants it owned are abandoned. */
  threadGone(t: KernelThread): void {
    this.waits.delete(t);
    this.suspended.delete(t);
    this.apcs.delete(t);
    this.apcDue.delete(t);
    let changed = false;
    for (const m of this.mutants) {
      if (m.owner !== t) continue;
      m.owner = undefined;
      m.count = 0;
      m.abandoned = true;
      changed = true;
    }
    if (changed) this.signal();
  }

  trackMutant(m: MutantObject): void {
    this.mutants.add(m);
  }

  forgetMutant(m: MutantObject): void {
    this.mutants.delete(m);
  }

  lookupName(path: string): DispatcherObject | undefined {
    return this.names.get(path.toUpperCase());
  }

  addName(path: string, o: DispatcherObject): void {
    o.name = path;
    this.names.set(path.toUpperCase(), o);
  }

  dropName(o: DispatcherObject): void {
    if (o.name !== undefined && this.names.get(o.name.toUpperCase()) === o)
      this.names.delete(o.name.toUpperCase());
  }
}

/** The kernel's Sync, made on first use. */
const syncs = new WeakMap<Kernel, Sync>();
export function syncOf(k: Kernel): Sync {
  let s = syncs.get(k);
  if (s === undefined) syncs.set(k, (s = new Sync(k)));
  return s;
}

// ------------------------------------------------------------------ helpers for the services

/**
 * A timeout argument (PLARGE_INTEGER): Infinity for NULL or the "forever" interval, else the relative
 * interval in 100 ns units (an absolute system time is converted; one in the past is 0).
 */
export function readTimeout(c: SyscallContext, p: number): number {
  if (p === 0) return Infinity;
  c.mem.probeRead(p, 8);
  const v = c.mem.i64(p);
  if (v === INFINITE_INTERVAL) return Infinity;
  if (v <= 0) return -v;
  const abs = BigInt(c.mem.u32(p)) + (BigInt(c.mem.u32(p + 4)) << 32n);
  const now = c.kernel.clock.systemTime();
  return abs > now ? Number(abs - now) : 0;
}

/** A handle's dispatcher object for a wait (SYNCHRONIZE access needed). */
function waitable(c: SyscallContext, h: number): DispatcherObject | number | KernelStop {
  if (h === NT_CURRENT_THREAD) return c.kernel.threadObject(c.thread);
  if (h === NT_CURRENT_PROCESS) return unimplemented("waiting on a process", "the current process");
  const e = c.kernel.handles.get(h);
  if (e === undefined) return STATUS_INVALID_HANDLE;
  if (!(e.object instanceof DispatcherObject)) {
    return unimplemented("waiting on a " + e.object.type + " object", `handle 0x${h.toString(16)}`);
  }
  if ((e.access & SYNCHRONIZE) === 0) return STATUS_ACCESS_DENIED;
  return e.object;
}

function describeHandle(h: number, o: DispatcherObject): string {
  return `${o.label} ${h === NT_CURRENT_THREAD ? "(the current thread)" : "0x" + h.toString(16)}${o.name ? ` "${o.name}"` : ""}`;
}

/** A handle to an object of `type` with `right`: the object, or a status. */
function objectFor<T extends DispatcherObject>(
  c: SyscallContext,
  h: number,
  type: ObjectType,
  right: number,
): T | number {
  const r = c.kernel.handles.lookup<T>(h, type);
  if (typeof r === "number") return r;
  if (right !== 0 && (r.entry.access & right) === 0) return STATUS_ACCESS_DENIED;
  return r.object;
}

/** OBJECT_ATTRIBUTES of a create/open: the full name (undefined for none), or a status. */
function objectName(c: SyscallContext, oa: number): string | undefined | number | KernelStop {
  if (oa === 0) return undefined;
  // Always the 64-bit structure: wow64 widened a 32-bit caller's (../wow64/structs.ts objectAttributes).
  const size = 0x30;
  c.mem.probeRead(oa, size);
  if (c.mem.u32(oa) !== size) return STATUS_INVALID_PARAMETER;
  const root = c.mem.i64(oa + 8);
  const pName = c.mem.u64(oa + 0x10);
  if (pName === 0) return root === 0 ? undefined : STATUS_OBJECT_NAME_INVALID;
  c.mem.probeRead(pName, 0x10);
  const name = c.mem.countedString(pName, 8);
  if (root !== 0) {
    const d = c.kernel.handles.get(root);
    if (d === undefined) return STATUS_INVALID_HANDLE;
    if (!(d.object instanceof DirectoryObject)) return STATUS_OBJECT_TYPE_MISMATCH;
    if (name === "" || name.startsWith("\\")) return STATUS_OBJECT_NAME_INVALID;
    return `${d.object.path}\\${name}`;
  }
  if (!name.startsWith(BASE_NAMED_OBJECTS + "\\") || name.length <= BASE_NAMED_OBJECTS.length + 1) {
    return unimplemented("the object namespace", `only \\BaseNamedObjects\\<name> is served: "${name}"`);
  }
  return name;
}

/**
 * Create (or, when the name exists, open: OBJ_OPENIF is what kernel32 passes and what a create of an
 * existing name does for these types) a dispatcher object and write its handle.
 */
function create(
  c: SyscallContext,
  type: ObjectType,
  mapping: GenericMapping,
  make: () => DispatcherObject,
): number | KernelStop {
  const pHandle = c.arg(0);
  c.mem.probeWrite(pHandle, 8);
  const access = mapGenericAccess(c.u32(1), mapping);
  const name = objectName(c, c.arg(2));
  if (typeof name === "number" || typeof name === "object") return name;
  const sync = syncOf(c.kernel);
  let status = STATUS_SUCCESS;
  let o: DispatcherObject;
  const existing = name === undefined ? undefined : sync.lookupName(name);
  if (existing !== undefined) {
    if (existing.type !== type) return STATUS_OBJECT_TYPE_MISMATCH;
    o = existing;
    status = STATUS_OBJECT_NAME_EXISTS;
  } else {
    o = make();
    if (name !== undefined) sync.addName(name, o);
  }
  c.mem.w64(pHandle, c.kernel.handles.insert(o, access));
  return status;
}

function open(c: SyscallContext, type: ObjectType, mapping: GenericMapping): number | KernelStop {
  const pHandle = c.arg(0);
  c.mem.probeWrite(pHandle, 8);
  const access = mapGenericAccess(c.u32(1), mapping);
  const name = objectName(c, c.arg(2));
  if (typeof name === "number" || typeof name === "object") return name;
  if (name === undefined) return STATUS_OBJECT_NAME_INVALID;
  const o = syncOf(c.kernel).lookupName(name);
  if (o === undefined) return STATUS_OBJECT_NAME_NOT_FOUND;
  if (o.type !== type) return STATUS_OBJECT_TYPE_MISMATCH;
  c.mem.w64(pHandle, c.kernel.handles.insert(o, access));
  return STATUS_SUCCESS;
}

/** Objects leave the namespace when their last handle and reference are gone. */
class NamedEvent extends EventObject {
  constructor(
    private readonly sync: Sync,
    notification: boolean,
    state: boolean,
  ) {
    super(notification, state);
  }
  protected override onDelete(): void {
    this.sync.dropName(this);
  }
}

class NamedMutant extends MutantObject {
  constructor(private readonly sync: Sync) {
    super();
  }
  protected override onDelete(): void {
    this.sync.dropName(this);
    this.sync.forgetMutant(this);
  }
}

class NamedSemaphore extends SemaphoreObject {
  constructor(
    private readonly sync: Sync,
    count: number,
    maximum: number,
  ) {
    super(count, maximum);
  }
  protected override onDelete(): void {
    this.sync.dropName(this);
  }
}

/** Write a LONG previous state/count when the pointer is not NULL (probed before anything changes). */
function previous(c: SyscallContext, i: number): (v: number) => void {
  const p = c.arg(i);
  if (p !== 0) c.mem.probeWrite(p, 4);
  return (v) => {
    if (p !== 0) c.mem.w32(p, v | 0);
  };
}

export const syncSyscalls: SyscallFamily = {
  /**
   * NTSTATUS NtCreateEvent(PHANDLE EventHandle, ACCESS_MASK DesiredAccess, POBJECT_ATTRIBUTES
   * ObjectAttributes, EVENT_TYPE EventType, BOOLEAN InitialState).
   */
  NtCreateEvent(c) {
    const type = c.u32(3);
    if (type !== NotificationEvent && type !== SynchronizationEvent) return STATUS_INVALID_PARAMETER;
    const sync = syncOf(c.kernel);
    return create(
      c,
      "Event",
      EVENT_MAPPING,
      () => new NamedEvent(sync, type === NotificationEvent, c.bool(4)),
    );
  },

  /** NTSTATUS NtOpenEvent(PHANDLE EventHandle, ACCESS_MASK DesiredAccess, POBJECT_ATTRIBUTES ObjectAttributes). */
  NtOpenEvent(c) {
    return open(c, "Event", EVENT_MAPPING);
  },

  /** NTSTATUS NtSetEvent(HANDLE EventHandle, PLONG PreviousState): signaled; waiters are released. */
  NtSetEvent(c) {
    const out = previous(c, 1);
    const e = objectFor<EventObject>(c, c.handle(0), "Event", EVENT_MODIFY_STATE);
    if (typeof e === "number") return e;
    const was = e.state;
    e.state = true;
    syncOf(c.kernel).signal();
    out(was ? 1 : 0);
    return STATUS_SUCCESS;
  },

  /** NTSTATUS NtResetEvent(HANDLE EventHandle, PLONG PreviousState). */
  NtResetEvent(c) {
    const out = previous(c, 1);
    const e = objectFor<EventObject>(c, c.handle(0), "Event", EVENT_MODIFY_STATE);
    if (typeof e === "number") return e;
    const was = e.state;
    e.state = false;
    out(was ? 1 : 0);
    return STATUS_SUCCESS;
  },

  /** NTSTATUS NtClearEvent(HANDLE EventHandle) (ResetEvent calls it). */
  NtClearEvent(c) {
    const e = objectFor<EventObject>(c, c.handle(0), "Event", EVENT_MODIFY_STATE);
    if (typeof e === "number") return e;
    e.state = false;
    return STATUS_SUCCESS;
  },

  /**
   * NTSTATUS NtPulseEvent(HANDLE EventHandle, PLONG PreviousState): the waiters it can release are released
   * (all of them for a notification event, one for a synchronization event), then the event is reset.
   */
  NtPulseEvent(c) {
    const out = previous(c, 1);
    const e = objectFor<EventObject>(c, c.handle(0), "Event", EVENT_MODIFY_STATE);
    if (typeof e === "number") return e;
    const was = e.state;
    e.state = true;
    syncOf(c.kernel).signal();
    e.state = false;
    out(was ? 1 : 0);
    return STATUS_SUCCESS;
  },

  /**
   * NTSTATUS NtCreateMutant(PHANDLE MutantHandle, ACCESS_MASK DesiredAccess, POBJECT_ATTRIBUTES
   * ObjectAttributes, BOOLEAN InitialOwner).
   */
  NtCreateMutant(c) {
    const sync = syncOf(c.kernel);
    return create(c, "Mutant", MUTANT_MAPPING, () => {
      const m = new NamedMutant(sync);
      sync.trackMutant(m);
      if (c.bool(3)) m.acquire(c.thread);
      return m;
    });
  },

  /** NTSTATUS NtOpenMutant(PHANDLE MutantHandle, ACCESS_MASK DesiredAccess, POBJECT_ATTRIBUTES ObjectAttributes). */
  NtOpenMutant(c) {
    return open(c, "Mutant", MUTANT_MAPPING);
  },

  /**
   * NTSTATUS NtReleaseMutant(HANDLE MutantHandle, PLONG PreviousCount). Only the owner may release
   * (STATUS_MUTANT_NOT_OWNED); PreviousCount is the signal state before the release, 1 − the recursion
   * count (0 for a mutant owned once, −1 twice: KeReleaseMutant returns Header.SignalState).
   */
  NtReleaseMutant(c) {
    const out = previous(c, 1);
    const m = objectFor<MutantObject>(c, c.handle(0), "Mutant", 0);
    if (typeof m === "number") return m;
    if (m.owner !== c.thread) return STATUS_MUTANT_NOT_OWNED;
    const before = 1 - m.count;
    m.count--;
    if (m.count === 0) {
      m.owner = undefined;
      syncOf(c.kernel).signal();
    }
    out(before);
    return STATUS_SUCCESS;
  },

  /**
   * NTSTATUS NtCreateSemaphore(PHANDLE SemaphoreHandle, ACCESS_MASK DesiredAccess, POBJECT_ATTRIBUTES
   * ObjectAttributes, LONG InitialCount, LONG MaximumCount): 0 ≤ InitialCount ≤ MaximumCount, MaximumCount
   * > 0, else STATUS_INVALID_PARAMETER.
   */
  NtCreateSemaphore(c) {
    const initial = c.u32(3) | 0;
    const maximum = c.u32(4) | 0;
    if (maximum <= 0 || initial < 0 || initial > maximum) return STATUS_INVALID_PARAMETER;
    const sync = syncOf(c.kernel);
    return create(c, "Semaphore", SEMAPHORE_MAPPING, () => new NamedSemaphore(sync, initial, maximum));
  },

  /** NTSTATUS NtOpenSemaphore(PHANDLE SemaphoreHandle, ACCESS_MASK DesiredAccess, POBJECT_ATTRIBUTES ObjectAttributes). */
  NtOpenSemaphore(c) {
    return open(c, "Semaphore", SEMAPHORE_MAPPING);
  },

  /**
   * NTSTATUS NtReleaseSemaphore(HANDLE SemaphoreHandle, LONG ReleaseCount, PLONG PreviousCount): a count
   * that would pass the maximum changes nothing (STATUS_SEMAPHORE_LIMIT_EXCEEDED); ReleaseCount ≤ 0 is
   * STATUS_INVALID_PARAMETER.
   */
  NtReleaseSemaphore(c) {
    const n = c.u32(1) | 0;
    const out = previous(c, 2);
    if (n <= 0) return STATUS_INVALID_PARAMETER;
    const s = objectFor<SemaphoreObject>(c, c.handle(0), "Semaphore", SEMAPHORE_MODIFY_STATE);
    if (typeof s === "number") return s;
    if (s.count + n > s.maximum) return STATUS_SEMAPHORE_LIMIT_EXCEEDED;
    const before = s.count;
    s.count += n;
    syncOf(c.kernel).signal();
    out(before);
    return STATUS_SUCCESS;
  },

  /** NTSTATUS NtWaitForSingleObject(HANDLE Handle, BOOLEAN Alertable, PLARGE_INTEGER Timeout). */
  NtWaitForSingleObject(c) {
    const h = c.handle(0);
    const timeout = readTimeout(c, c.arg(2));
    const o = waitable(c, h);
    if (typeof o === "number" || !(o instanceof DispatcherObject)) return o;
    return syncOf(c.kernel).wait(
      c.thread,
      [o],
      false,
      timeout,
      `NtWaitForSingleObject on ${describeHandle(h, o)}`,
      c.bool(1),
    );
  },

  /**
   * NTSTATUS NtWaitForMultipleObjects(ULONG Count, PHANDLE Handles, WAIT_TYPE WaitType, BOOLEAN Alertable,
   * PLARGE_INTEGER Timeout). Count 1..64 (STATUS_INVALID_PARAMETER_1), WaitType WaitAll 0 / WaitAny 1
   * (STATUS_INVALID_PARAMETER_3); one object twice in a WaitAll is STATUS_INVALID_PARAMETER_MIX.
   */
  NtWaitForMultipleObjects(c) {
    const count = c.u32(0);
    const pHandles = c.arg(1);
    const type = c.u32(2);
    if (count === 0 || count > MAXIMUM_WAIT_OBJECTS) return STATUS_INVALID_PARAMETER_1;
    if (type !== 0 && type !== 1) return STATUS_INVALID_PARAMETER_3;
    c.mem.probeRead(pHandles, 8 * count);
    const timeout = readTimeout(c, c.arg(4));
    const objects: DispatcherObject[] = [];
    const names: string[] = [];
    for (let i = 0; i < count; i++) {
      const h = c.mem.i64(pHandles + 8 * i);
      const o = waitable(c, h);
      if (typeof o === "number" || !(o instanceof DispatcherObject)) return o;
      objects.push(o);
      names.push(describeHandle(h, o));
    }
    const all = type === 0;
    if (all && new Set(objects).size !== objects.length) return STATUS_INVALID_PARAMETER_MIX;
    const what = `NtWaitForMultipleObjects (${all ? "all" : "any"}) on ${names.join(", ")}`;
    return syncOf(c.kernel).wait(c.thread, objects, all, timeout, what, c.bool(3));
  },

  /**
   * NTSTATUS NtDelayExecution(BOOLEAN Alertable, PLARGE_INTEGER DelayInterval). A negative interval is
   * relative (100 ns units), a positive one an absolute system time; zero gives up the rest of the time
   * slice. The thread waits on the virtual clock while the others run.
   */
  NtDelayExecution(c) {
    const p = c.arg(1);
    c.mem.probeRead(p, 8);
    const t = readTimeout(c, p);
    const alertable = c.bool(0);
    const sync = syncOf(c.kernel);
    if (alertable && sync.hasApc(c.thread)) return sync.deliverNow(c.thread, STATUS_USER_APC);
    if (t === 0) return c.process.threads.length > 1 ? yieldNow() : STATUS_SUCCESS;
    return sync.delay(
      c.thread,
      t,
      t === Infinity ? "NtDelayExecution (an infinite delay)" : "NtDelayExecution",
      alertable,
    );
  },

  /**
   * NTSTATUS NtYieldExecution(VOID): another ready thread runs; STATUS_NO_YIELD_PERFORMED when there is
   * none (SwitchToThread then returns FALSE).
   */
  NtYieldExecution(c) {
    const sync = syncOf(c.kernel);
    const other = c.process.threads.some((t) => t !== c.thread && sync.waitOf(t) === undefined);
    if (!other) return STATUS_NO_YIELD_PERFORMED;
    return yieldNow();
  },
};

/** Give up the time slice: STATUS_SUCCESS in RAX, then the run loop switches. */
function yieldNow(): KernelStop {
  return { kind: "yield" };
}
