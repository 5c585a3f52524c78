/**
 * Kernel objects and the process handle table.
 *
 * An object counts its handles and its pointer references (ObReferenceObject); when both reach zero it is
 * deleted (`onDelete`). Handle values are multiples of 4 starting at 4, the most recently freed value is
 * reused first, and the two low bits of a handle are ignored on lookup (the tag bits, OBJ_HANDLE_TAGBITS),
 * as in the Windows handle table. Negative values are pseudo-handles: NtCurrentProcess() = -1,
 * NtCurrentThread() = -2.
 */
import { STATUS_INVALID_HANDLE, STATUS_OBJECT_TYPE_MISMATCH, STATUS_SUCCESS } from "./status";

export type ObjectType =
  "Process" | "Thread" | "Section" | "File" | "Key" | "Event" | "Mutant" | "Semaphore" | "Directory";

export const NT_CURRENT_PROCESS = -1;
export const NT_CURRENT_THREAD = -2;

// Standard and generic access rights (winnt.h).
export const DELETE = 0x00010000;
export const READ_CONTROL = 0x00020000;
export const SYNCHRONIZE = 0x00100000;
export const STANDARD_RIGHTS_REQUIRED = 0x000f0000;
export const MAXIMUM_ALLOWED = 0x02000000;
export const GENERIC_READ = 0x80000000;
export const GENERIC_WRITE = 0x40000000;
export const GENERIC_EXECUTE = 0x20000000;
export const GENERIC_ALL = 0x10000000;

/** How GENERIC_* rights map to an object type's specific rights (the type's GENERIC_MAPPING). */
export interface GenericMapping {
  readonly read: number;
  readonly write: number;
  readonly execute: number;
  readonly all: number;
}

/** RtlMapGenericMask; MAXIMUM_ALLOWED is granted every right of the type. */
export function mapGenericAccess(access: number, m: GenericMapping): number {
  let a = access >>> 0;
  if (a & GENERIC_READ) a |= m.read;
  if (a & GENERIC_WRITE) a |= m.write;
  if (a & GENERIC_EXECUTE) a |= m.execute;
  if (a & (GENERIC_ALL | MAXIMUM_ALLOWED)) a |= m.all;
  return (a & ~(GENERIC_READ | GENERIC_WRITE | GENERIC_EXECUTE | GENERIC_ALL | MAXIMUM_ALLOWED)) >>> 0;
}

export abstract class KernelObject {
  abstract readonly type: ObjectType;
  private handleCount = 0;
  private pointerCount = 0;
  private deleted = false;

  get handles(): number {
    return this.handleCount;
  }

  get references(): number {
    return this.pointerCount;
  }

  get isDeleted(): boolean {
    return this.deleted;
  }

  /** ObReferenceObject. */
  reference(): void {
    this.pointerCount++;
  }

  /** ObDereferenceObject. */
  dereference(): void {
    if (this.pointerCount > 0) this.pointerCount--;
    this.maybeDelete();
  }

  /** @internal the handle table opened a handle. */
  handleOpened(): void {
    this.handleCount++;
    this.onHandleOpened(this.handleCount === 1);
  }

  /** @internal the handle table closed a handle. */
  handleClosed(): void {
    if (this.handleCount > 0) this.handleCount--;
    this.onHandleClosed();
    this.maybeDelete();
  }

  private maybeDelete(): void {
    if (this.handleCount === 0 && this.pointerCount === 0 && !this.deleted) {
      this.deleted = true;
      this.onDelete();
    }
  }

  /** A handle was opened (`first`: the object had no handle before). */
  protected onHandleOpened(_first: boolean): void {}
  /** A handle was closed. */
  protected onHandleClosed(): void {}
  /** The last handle and reference are gone. */
  protected onDelete(): void {}
}

export interface HandleEntry {
  readonly handle: number;
  readonly object: KernelObject;
  /** Granted access mask. */
  readonly access: number;
  /** OBJ_INHERIT. */
  readonly inherit: boolean;
}

/** A successful handle lookup; a failed one is its NTSTATUS. */
export interface Referenced<T> {
  readonly entry: HandleEntry;
  readonly object: T;
}

export class HandleTable {
  private readonly entries = new Map<number, HandleEntry>();
  private readonly free: number[] = [];
  private next = 4;

  get size(): number {
    return this.entries.size;
  }

  /** Open a handle to `object` with `access`; returns the handle value. */
  insert(object: KernelObject, access: number, inherit = false): number {
    const handle = this.free.pop() ?? this.allocate();
    this.entries.set(handle, { handle, object, access: access >>> 0, inherit });
    object.handleOpened();
    return handle;
  }

  private allocate(): number {
    const h = this.next;
    this.next += 4;
    return h;
  }

  /** The entry of a (non-pseudo) handle value, tag bits ignored. */
  get(handle: number): HandleEntry | undefined {
    if (!(handle > 0) || !Number.isSafeInteger(handle)) return undefined;
    return this.entries.get(handle - (handle % 4));
  }

  /** ObReferenceObjectByHandle without the reference: the entry, checked for type. */
  lookup<T extends KernelObject>(handle: number, type: ObjectType): Referenced<T> | number {
    const entry = this.get(handle);
    if (entry === undefined) return STATUS_INVALID_HANDLE;
    if (entry.object.type !== type) return STATUS_OBJECT_TYPE_MISMATCH;
    return { entry, object: entry.object as T };
  }

  /** NtClose. */
  close(handle: number): number {
    const entry = this.get(handle);
    if (entry === undefined) return STATUS_INVALID_HANDLE;
    this.entries.delete(entry.handle);
    this.free.push(entry.handle);
    entry.object.handleClosed();
    return STATUS_SUCCESS;
  }

  /** Every open handle, lowest first (for the debugger). */
  list(): HandleEntry[] {
    return [...this.entries.values()].sort((a, b) => a.handle - b.handle);
  }

  /** Close every handle (process exit). */
  closeAll(): void {
    for (const e of this.list()) this.close(e.handle);
  }
}
