/**
 * The TypeScript halves of the trap-implemented exports of kernel32, kernelbase and ntdll. The family
 * records are merged by export name; `runApiTrap` reads the trap's arguments per its convention, runs the
 * implementation (the whole API, or a bridge's pre/post half) and puts the result in RAX/EAX.
 *
 * Arguments: x64 `win64` — RCX, RDX, R8, R9, then [RSP+0x28…] as seen at the vmcall (the trap stub has no
 * frame); x86 `stdcall`/`cdecl` — [ESP+4…]. A bridge half's own arguments give the frame and the API's
 * arguments (BRIDGE_FRAME): x64 pre(RCX = frame, RDX = apiArgs), post(ECX = status, RDX = frame,
 * R8 = apiArgs); x86 pre(frame, apiArgs), post(status, frame, apiArgs) on the stack.
 *
 * A bad user pointer inside an API raises an access violation in the thread on Windows; until exception
 * dispatch exists, that is a stop of kind "exception".
 */
import { BRIDGE_FRAME, CALLS_RESULT, type TrapEntry } from "../dlls";
import { unimplemented } from "../kernel/context";
import type { Kernel } from "../kernel/kernel";
import { layoutOf } from "../kernel/layout";
import type { KernelStop, KernelThread } from "../kernel/types";
import { GuestFault, join64, split64, type UserMemory } from "../kernel/user-memory";
import { consoleApis } from "./console";
import { crtKernel32Apis } from "./crt-kernel32";
import { crtRuntimeApis } from "./crt-runtime";
import { crtStdioApis } from "./crt-stdio";
import { crtIoApis } from "./crt-io";
import { crtMathApis } from "./crt-math";
import { crtStdlibApis } from "./crt-stdlib";
import { crtThreadApis } from "./crt-thread";
import { crtExtraApis } from "./crt-extra";
import { shell32Apis } from "./shell32";
import { user32Apis } from "./user32";
import type { ApiCall, ApiEntry, ApiFamily, ApiResult, BridgeCall, CallsGen, GuestCall } from "./context";
import { debugApis } from "./debug";
import { fileApis } from "./files";
import { exceptionApis } from "./exceptions";
import { frameExceptionApis } from "./exceptions-frames";
import { unwindApis } from "./exceptions-unwind";
import { stringApis } from "./strings";
import { heapApis } from "./heap";
import { loaderApis } from "./loader";
import { memoryApis } from "./memory";
import { processApis } from "./process";
import { registryApis } from "./registry";
import { systemApis } from "./system";
import { timeApis } from "./time";
import { threadApis } from "./threads";
import { tlsApis } from "./tls";
import { sysinfoApis } from "./sysinfo";
import { environmentApis } from "./environment";
import { consoleExtApis } from "./console-ext";
import { kernel32MiscApis } from "./kernel32-misc";

export type { ApiCall, ApiEntry, ApiFamily, BridgeCall } from "./context";
export { ntStatusToDosError } from "./errors";
export { createHeap } from "./heap";

const FAMILIES: readonly ApiFamily[] = [
  consoleApis,
  memoryApis,
  processApis,
  loaderApis,
  timeApis,
  systemApis,
  tlsApis,
  heapApis,
  debugApis,
  fileApis,
  exceptionApis,
  frameExceptionApis,
  unwindApis,
  stringApis,
  registryApis,
  crtRuntimeApis,
  crtStdioApis,
  crtIoApis,
  crtMathApis,
  crtStdlibApis,
  crtKernel32Apis,
  crtThreadApis,
  crtExtraApis,
  shell32Apis,
  user32Apis,
  threadApis,
  sysinfoApis,
  environmentApis,
  consoleExtApis,
  kernel32MiscApis,
];

const APIS = new Map<string, ApiEntry>();
for (const f of FAMILIES) {
  for (const [name, e] of Object.entries(f)) {
    if (APIS.has(name)) throw new Error(`two implementations of ${name}`);
    APIS.set(name, e);
  }
}

/** Names of the implemented APIs and their kind. */
export function implementedApis(): ReadonlyMap<string, ApiEntry["kind"]> {
  return new Map([...APIS].map(([n, e]) => [n, e.kind]));
}

function reg64(thread: KernelThread, r: number): number {
  return join64(thread.cpu.lo[r], thread.cpu.hi[r]);
}

export function runApiTrap(kernel: Kernel, thread: KernelThread, entry: TrapEntry): KernelStop | undefined {
  const impl = APIS.get(entry.name);
  const half =
    entry.role === "bridge-pre"
      ? "pre"
      : entry.role === "bridge-post"
        ? "post"
        : entry.role === "calls-start" || entry.role === "calls-next"
          ? "calls"
          : "api";
  const want = half === "api" ? "api" : half === "calls" ? "calls" : "bridge";
  if (!impl || impl.kind !== want) {
    return unimplemented(entry.name, `${entry.dll} (${entry.arch}): no TypeScript implementation`);
  }
  const cpu = thread.cpu;
  const mem = kernel.mem;
  const arch = entry.arch;
  const x64 = arch === "x64";
  const ptrSize = x64 ? 8 : 4;
  const layout = layoutOf(arch);
  const process = kernel.process;
  const teb = x64 ? thread.teb : thread.teb32;
  const peb = x64 ? process.peb : process.peb32;
  const sp = x64 ? reg64(thread, 4) : cpu.lo[4] >>> 0;
  // The trap function's own argument k.
  const trapArg = (k: number): number => {
    if (x64) return k < 4 ? reg64(thread, [1, 2, 8, 9][k]) : mem.u64(sp + 0x28 + 8 * (k - 4));
    return mem.u32(sp + 4 + 4 * k);
  };
  const readPtr = (a: number): number => (x64 ? mem.u64(a) : mem.u32(a));
  const writePtr = (a: number, v: number): void => (x64 ? mem.w64(a, v) : mem.w32(a, v));
  try {
    let apiArg: (i: number) => number;
    let frame = 0;
    let status = 0;
    if (half === "api") apiArg = trapArg;
    else if (half === "calls") {
      frame = trapArg(0);
      const apiArgs = trapArg(1);
      apiArg = (i) => readPtr(apiArgs + ptrSize * i);
    } else {
      const first = half === "pre" ? 0 : 1;
      if (half === "post") status = trapArg(0) >>> 0;
      frame = trapArg(first);
      const apiArgs = trapArg(first + 1);
      apiArg = (i) => readPtr(apiArgs + ptrSize * i);
    }
    const call: ApiCall = {
      kernel,
      process,
      thread,
      entry,
      arch,
      layout,
      ptrSize,
      mem,
      teb,
      peb,
      arg: (i) => {
        const v = apiArg(i);
        return v < 0 ? v + 2 ** 64 : v;
      },
      sarg: (i) => (x64 ? apiArg(i) : apiArg(i) | 0),
      u32: (i) => split64(apiArg(i))[0],
      setLastError: (code) => mem.w32(teb + layout.teb.LastErrorValue, code),
      readPtr,
      writePtr,
    };
    let result: number | KernelStop | void;
    const f = x64 ? BRIDGE_FRAME.x64 : BRIDGE_FRAME.x86;
    const bridgeCall = (): BridgeCall => ({
      ...call,
      frame,
      nt: (i, v) => writePtr(frame + f.argsOffset + ptrSize * i, v),
      local: (k) => frame + f.localsOffset + ptrSize * k,
      slot: (i) => frame + f.argsOffset + ptrSize * i,
    });
    if (impl.kind === "api") result = impl.run(call);
    else if (impl.kind === "calls") {
      // the last call's RAX (R8, signed 64-bit) / EAX (signed 32-bit)
      const value =
        entry.role !== "calls-next"
          ? 0
          : x64
            ? (cpu.hi[8] | 0) * 2 ** 32 + (cpu.lo[8] >>> 0)
            : trapArg(2) | 0;
      result = stepCalls(
        kernel,
        thread,
        entry,
        frame,
        entry.role === "calls-start" ? impl.run(bridgeCall()) : undefined,
        value,
      );
    } else {
      const b = bridgeCall();
      result = half === "pre" ? impl.pre(b) : impl.post(b, status);
    }
    if (typeof result === "object") return result;
    if (typeof result === "number") {
      const [lo, hi] = split64(result);
      cpu.lo[0] = lo | 0;
      cpu.hi[0] = x64 ? hi | 0 : 0;
    }
    return undefined;
  } catch (e) {
    if (!(e instanceof GuestFault)) throw e;
    return { kind: "exception", code: e.status, address: e.address, what: entry.name };
  }
}

/** The `calls` APIs under way, by thread and frame. */
const callsUnderWay = new WeakMap<Kernel, Map<string, CallsGen>>();

/**
 * One step of a `calls` API: starts its generator (`gen`) or resumes the one of this thread and frame with
 * the last call's result. Returns the next function's address (its arguments written in the frame), or 0
 * with the API's result in the frame (CALLS_RESULT), or a stop.
 */
function stepCalls(
  kernel: Kernel,
  thread: KernelThread,
  entry: TrapEntry,
  frame: number,
  gen: CallsGen | undefined,
  value: number,
): number | KernelStop {
  let m = callsUnderWay.get(kernel);
  if (!m) callsUnderWay.set(kernel, (m = new Map()));
  const key = `${thread.id}:${frame}`;
  let g = gen;
  if (g === undefined) {
    g = m.get(key);
    if (g === undefined) return unimplemented(entry.name, "no call under way in this frame");
  }
  m.set(key, g);
  const x64 = entry.arch === "x64";
  const ptrSize = x64 ? 8 : 4;
  const mem = kernel.mem;
  let r: IteratorResult<GuestCall, ApiResult>;
  try {
    r = gen !== undefined ? g.next() : g.next(value);
  } catch (e) {
    m.delete(key);
    throw e;
  }
  if (r.done) {
    m.delete(key);
    const v = r.value;
    if (typeof v !== "number") return v;
    write64(mem, frame + (x64 ? CALLS_RESULT.x64 : CALLS_RESULT.x86), v);
    return 0;
  }
  const call = r.value;
  let fn: number | undefined;
  if (typeof call.fn === "number") fn = call.fn;
  else {
    const dll = kernel.process.dlls.get(call.dll ?? "kernel32", entry.arch);
    const t = dll?.exports.get(call.fn);
    if (t !== undefined && "address" in t) fn = t.address;
  }
  if (fn === undefined) {
    m.delete(key);
    return unimplemented(
      entry.name,
      `calls ${call.dll ?? "kernel32"}!${String(call.fn)}, which is not there`,
    );
  }
  const f = x64 ? BRIDGE_FRAME.x64 : BRIDGE_FRAME.x86;
  call.args.forEach((a, i) => {
    if (x64) write64(mem, frame + f.argsOffset + ptrSize * i, a);
    else mem.w32(frame + f.argsOffset + ptrSize * i, a >>> 0);
  });
  return fn;
}

/** A 64-bit two's complement value (a negative number, or one up to 2^64 - 1 as far as a double holds it). */
function write64(mem: UserMemory, addr: number, v: number): void {
  const hi = Math.floor(v / 2 ** 32);
  mem.w32(addr, (v - hi * 2 ** 32) >>> 0);
  mem.w32(addr + 4, hi >>> 0);
}
