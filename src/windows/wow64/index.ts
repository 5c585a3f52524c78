/**
 * The TypeScript halves of wow64.dll: `Wow64pThunkArguments` and `Wow64pThunkResults`, called by the real
 * machine code of wow64!Wow64SystemServiceEx (src/windows/dlls/code.ts) around its call of the x64 ntdll
 * stub. The first converts the 32-bit arguments of service N into the 64-bit argument slots of the
 * WOW64_FRAME (pointers widen, handles sign-extend, structures are rebuilt in the frame's scratch area) and
 * returns the x64 ntdll!NtXxx to call; the second converts the outputs back and returns the status for
 * the 32-bit caller's eax.
 *
 * When a conversion fails (a bad 32-bit pointer, a wrong length), no system call is made: Windows' wow64
 * catches the exception and returns its code. Here the arguments trap then returns the address of its own
 * `ret` as the "stub" to call, so `call rax` comes straight back, and the results trap returns the status.
 * A service without a thunk stops execution naming it.
 */
import type { TrapEntry } from "../dlls";
import type { Kernel } from "../kernel/kernel";
import type { KernelStop, KernelThread } from "../kernel/types";
import { GuestFault, join64 } from "../kernel/user-memory";
import { unimplemented } from "../kernel/context";
import { deliverApc32 } from "../kernel/apc";
import { syncOf } from "../kernel/sync";
import { exceptionThunks } from "./exception";
import { fileThunks } from "./file";
import { fileIoThunks } from "./file-io";
import { memoryThunks } from "./memory";
import { objectThunks } from "./object";
import { processThunks } from "./process";
import { registryThunks } from "./registry";
import { sectionThunks } from "./section";
import { systemThunks } from "./system";
import { threadThunks } from "./threads";
import {
  SCRATCH_OFFSET,
  SCRATCH_SIZE,
  ThunkFailure,
  type Thunk,
  type ThunkCall,
  type ThunkFamily,
} from "./thunk";

export type { Thunk, ThunkCall, ThunkFamily } from "./thunk";

const FAMILIES: readonly ThunkFamily[] = [
  memoryThunks,
  sectionThunks,
  fileThunks,
  fileIoThunks,
  objectThunks,
  processThunks,
  systemThunks,
  exceptionThunks,
  registryThunks,
  threadThunks,
];

/** A thunked call between its two traps. */
interface Pending {
  readonly service: number;
  readonly afters: ((status: number) => number | void)[];
  /** Set when the conversion failed: the status to return, no service was called. */
  skip: number | undefined;
  /** The 32-bit caller's return address (after its call to the x86 ntdll stub), when readable. */
  readonly caller?: number;
}

export const THUNK_ARGUMENTS = "Wow64pThunkArguments";
export const THUNK_RESULTS = "Wow64pThunkResults";

export class Wow64Layer {
  private readonly thunks = new Map<string, Thunk>();
  private readonly pending = new Map<number, Pending[]>();

  constructor(private readonly kernel: Kernel) {
    for (const f of FAMILIES) {
      for (const [name, thunk] of Object.entries(f)) {
        if (this.thunks.has(name)) throw new Error(`two WOW64 thunks for ${name}`);
        if (!kernel.table.byName(name)) throw new Error(`${name} is not a system service`);
        this.thunks.set(name, thunk);
      }
    }
  }

  /** Services with a 32-bit conversion. */
  get thunked(): string[] {
    return [...this.thunks.keys()].sort();
  }

  handles(entry: TrapEntry): boolean {
    return entry.dll === "wow64" && (entry.name === THUNK_ARGUMENTS || entry.name === THUNK_RESULTS);
  }

  /** "x86" while service `number` runs for a 32-bit caller of this thread (between the two traps). */
  callerMode(thread: KernelThread, number: number): "x86" | "x64" {
    const stack = this.pending.get(thread.id);
    const top = stack?.[stack.length - 1];
    return top !== undefined && top.service === number && top.skip === undefined ? "x86" : "x64";
  }

  /** The 32-bit caller's return address while service `number` runs for it (see `callerMode`). */
  callerAddress(thread: KernelThread, number: number): number | undefined {
    const stack = this.pending.get(thread.id);
    const top = stack?.[stack.length - 1];
    return top !== undefined && top.service === number && top.skip === undefined ? top.caller : undefined;
  }

  trap(thread: KernelThread, entry: TrapEntry): KernelStop | undefined {
    return entry.name === THUNK_ARGUMENTS ? this.thunkArguments(thread, entry) : this.thunkResults(thread);
  }

  /** Wow64pThunkArguments(ecx = service, rdx = args32, r8 = frame) → rax = x64 ntdll stub. */
  private thunkArguments(thread: KernelThread, entry: TrapEntry): KernelStop | undefined {
    const cpu = thread.cpu;
    const service = cpu.lo[1] >>> 0;
    const args32 = cpu.lo[2] >>> 0;
    const frame = join64(cpu.lo[8], cpu.hi[8]);
    const k = this.kernel;
    const info = k.table.byNumber(service);
    if (!info)
      return unimplemented(
        `system service 0x${service.toString(16)}`,
        "no such system service (32-bit caller)",
      );
    const thunk = this.thunks.get(info.name);
    if (!thunk) return unimplemented(info.name, "no WOW64 thunk for 32-bit callers");
    const target = k.process.dlls.get("ntdll", "x64")?.exports.get(info.name);
    if (!target || !("address" in target)) return unimplemented(info.name, "not exported by x64 ntdll");
    const m = k.mem;
    // The x86 stack at the transition (dlls/code.ts): [esp] into the stub, [esp+4] the stub's caller,
    // [esp+8] = args32: the caller's return address is just below the arguments.
    let caller: number | undefined;
    try {
      caller = m.u32(args32 - 4);
    } catch (e) {
      if (!(e instanceof GuestFault)) throw e;
    }
    const p: Pending = { service, afters: [], skip: undefined, caller };
    let used = 0;
    const t: ThunkCall = {
      kernel: k,
      process: k.process,
      thread,
      mem: m,
      info,
      args32,
      arg: (i) => m.u32(args32 + 4 * i),
      sarg: (i) => m.i32(args32 + 4 * i),
      set: (i, v) => m.w64(frame + 8 * i, v),
      scratch: (size) => {
        const at = used;
        used += (size + 7) & ~7;
        if (used > SCRATCH_SIZE) throw new Error(`WOW64 scratch overflow in ${info.name}`);
        const a = frame + SCRATCH_OFFSET + at;
        m.write(a, new Uint8Array(size));
        return a;
      },
      after: (fn) => p.afters.push(fn),
      fail: (status) => {
        throw new ThunkFailure(status);
      },
    };
    try {
      for (let i = 0; i < info.params; i++) t.set(i, 0);
      const stop = thunk(t);
      if (stop) return stop;
    } catch (e) {
      if (e instanceof GuestFault || e instanceof ThunkFailure) p.skip = e.status;
      else throw e;
    }
    let stack = this.pending.get(thread.id);
    if (!stack) this.pending.set(thread.id, (stack = []));
    stack.push(p);
    // No service to call after a failed conversion: the trap stub's own `ret` (after the 3-byte vmcall).
    const rax = p.skip === undefined ? target.address : entry.address + 3;
    cpu.lo[0] = (rax % 2 ** 32) | 0;
    cpu.hi[0] = Math.floor(rax / 2 ** 32) | 0;
    return undefined;
  }

  /** Wow64pThunkResults(ecx = status, edx = service, r8 = args32, r9 = frame) → eax = status for the caller. */
  private thunkResults(thread: KernelThread): KernelStop | undefined {
    const cpu = thread.cpu;
    const stack = this.pending.get(thread.id);
    const p = stack?.pop();
    if (!p) return unimplemented(THUNK_RESULTS, "results without a thunked call");
    let status = cpu.lo[1] >>> 0;
    if (p.skip !== undefined) status = p.skip;
    else {
      try {
        for (const fn of p.afters) {
          const r = fn(status);
          if (typeof r === "number") status = r;
        }
      } catch (e) {
        if (!(e instanceof GuestFault)) throw e;
        status = e.status;
      }
    }
    // A user APC due for this 32-bit thread (its alertable wait ended with STATUS_USER_APC, NtTestAlert):
    // delivered on the way back to 32-bit code, through x86 ntdll!KiUserApcDispatcher (../kernel/apc.ts).
    const sync = syncOf(this.kernel);
    const apc = stack?.length === 0 ? sync.takeApcDue(thread) : undefined;
    if (apc !== undefined && !deliverApc32(this.kernel.process, this.kernel.mem, thread, status, apc))
      sync.queueApc(thread, apc);
    cpu.lo[0] = status | 0;
    cpu.hi[0] = 0;
    return undefined;
  }
}
