/**
 * The C runtime's per-process state (what msvcrt.dll keeps in its own data on Windows): the `_onexit`
 * table, signal handlers, argv/envp built by `__getmainargs`, per-thread `errno`, the rand seed, scratch
 * buffers for stream output; and the helpers the crt-*.ts families share: reading C strings, variadic
 * arguments (from registers, the stack, a bridge's home area or a va_list), the process heap.
 *
 * State is kept per kernel (one process) and per architecture of the calling msvcrt (x64 or x86).
 */
import type { Arch } from "../dlls";
import { FILE_SIZE, IOB_ENTRIES } from "../dlls/declarations-msvcrt";
import type { Kernel } from "../kernel/kernel";
import { join64 } from "../kernel/user-memory";
import type { UserMemory } from "../kernel/user-memory";
import type { ApiCall } from "./context";
import type { ArgSource } from "./crt-format";
import { heapApis } from "./heap";
import { allocateData, toAnsi, toUtf16 } from "./state";

export interface CrtState {
  readonly arch: Arch;
  /** _onexit/atexit functions in registration order (called last first). */
  readonly onexit: number[];
  readonly signals: Map<number, number>;
  /** errno per thread id. */
  readonly errno: Map<number, number>;
  /** Per-thread output buffers in guest memory. */
  readonly scratch: Map<number, { addr: number; size: number }>;
  /** The environment as msvcrt sees it (entries starting with '=' excluded), with the guest addresses of the strings. */
  env: { name: string; value: string; addr: number }[];
  envp: number;
  argc: number;
  argv: number;
  /** Static guest blocks (localeconv's struct, strerror's buffer, setlocale's result). */
  readonly statics: Map<string, number>;
  appType: number;
  rand: number;
  controlWord: number;
  /** A page of small per-process variables (errno slots, __argc, __argv…). */
  vars: number;
  varsUsed: number;
}

const states = new WeakMap<Kernel, Map<Arch, CrtState>>();

/** RTL_USER_PROCESS_PARAMETERS.Environment (phnt ntrtl.h): x64 0x80, x86 0x48. */
const PARAMS_ENVIRONMENT: Record<Arch, number> = { x64: 0x80, x86: 0x48 };

/** The address of an msvcrt export of the caller's architecture. */
export function crtExport(c: ApiCall, name: string): number {
  const t = c.process.dlls.get("msvcrt", c.arch)?.exports.get(name);
  if (t === undefined || !("address" in t)) throw new Error(`msvcrt ${c.arch} has no export ${name}`);
  return t.address;
}

export function iobBase(c: ApiCall): number {
  return crtExport(c, "_iob");
}

export function readCString(mem: UserMemory, addr: number, max = 0x7fffffff): Uint8Array {
  const out: number[] = [];
  while (out.length < max) {
    const b = mem.u8(addr + out.length);
    if (b === 0) break;
    out.push(b);
  }
  return Uint8Array.from(out);
}

export function readWString(mem: UserMemory, addr: number, max = 0x7fffffff): number[] {
  const out: number[] = [];
  while (out.length < max) {
    const w = mem.u16(addr + 2 * out.length);
    if (w === 0) break;
    out.push(w);
  }
  return out;
}

export function latin1(b: ArrayLike<number>): string {
  let s = "";
  for (let i = 0; i < b.length; i++) s += String.fromCharCode(b[i]);
  return s;
}

/** Bytes of guest memory for the CRT (below 2 GB for 32-bit callers), zeroed. */
export function crtAlloc(c: ApiCall, size: number): number {
  return allocateData(c, size);
}

/** A small variable (pointer-sized, zeroed) in the CRT's variable page. */
export function crtVar(c: ApiCall, s: CrtState): number {
  if (s.vars === 0 || s.varsUsed + 8 > 0x1000) {
    s.vars = crtAlloc(c, 0x1000);
    s.varsUsed = 0;
  }
  const a = s.vars + s.varsUsed;
  s.varsUsed += 8;
  return a;
}

/** The CRT state of the calling msvcrt, created (and the exported variables initialized) on first use. */
export function crt(c: ApiCall): CrtState {
  let m = states.get(c.kernel);
  if (!m) states.set(c.kernel, (m = new Map()));
  let s = m.get(c.arch);
  if (s) return s;
  s = {
    arch: c.arch,
    onexit: [],
    signals: new Map(),
    errno: new Map(),
    scratch: new Map(),
    env: [],
    envp: 0,
    argc: 0,
    argv: 0,
    statics: new Map(),
    appType: 0,
    rand: 1,
    controlWord: 0x9001f,
    vars: 0,
    varsUsed: 0,
  };
  m.set(c.arch, s);
  initialize(c, s);
  return s;
}

/**
 * What msvcrt's DLL initialization does (_CRTDLL_INIT): _acmdln = GetCommandLineA(), _wcmdln =
 * GetCommandLineW(), the environment (_setenvp), the standard streams' FILE entries (_file 0, 1, 2;
 * _IOREAD / _IOWRT).
 */
function initialize(c: ApiCall, s: CrtState): void {
  const cmd = toAnsi(c.process.commandLine);
  const cmdAddr = crtAlloc(c, cmd.length + 1);
  c.mem.write(cmdAddr, cmd);
  c.writePtr(crtExport(c, "_acmdln"), cmdAddr);
  // _wcmdln = GetCommandLineW() (read by mingw-w64's wmain start-up code)
  const wcmd = toUtf16(c.process.commandLine);
  const wcmdAddr = crtAlloc(c, wcmd.length + 2);
  c.mem.write(wcmdAddr, Uint8Array.from([...wcmd, 0, 0]));
  c.writePtr(crtExport(c, "_wcmdln"), wcmdAddr);
  // the environment
  const params = c.peb === 0 ? 0 : c.readPtr(c.peb + c.layout.peb.ProcessParameters);
  const block = params === 0 ? 0 : c.readPtr(params + PARAMS_ENVIRONMENT[c.arch]);
  const entries: string[] = [];
  if (block !== 0) {
    let p = block;
    for (let guard = 0; guard < 4096; guard++) {
      const w = readWString(c.mem, p, 32767);
      if (w.length === 0) break;
      entries.push(String.fromCharCode(...w));
      p += 2 * (w.length + 1);
    }
  }
  const kept = entries.filter((e) => !e.startsWith("="));
  const strBytes = kept.reduce((n, e) => n + e.length + 1, 0);
  const envp = crtAlloc(c, (kept.length + 1) * c.ptrSize + strBytes);
  let q = envp + (kept.length + 1) * c.ptrSize;
  kept.forEach((e, i) => {
    c.mem.write(q, Uint8Array.from([...toAnsi(e), 0]));
    c.writePtr(envp + i * c.ptrSize, q);
    const eq = e.indexOf("=");
    s.env.push({ name: eq < 0 ? e : e.slice(0, eq), value: eq < 0 ? "" : e.slice(eq + 1), addr: q });
    q += e.length + 1;
  });
  s.envp = envp;
  // the standard streams
  const iob = iobBase(c);
  const fs = FILE_SIZE[c.arch];
  const p = c.ptrSize;
  // FILE: _ptr, _cnt (int), _base, _flag, _file, _charbuf, _bufsiz, _tmpfname
  const flagOff = c.arch === "x64" ? 24 : 12;
  const flags = [0x0001 /* _IOREAD */, 0x0002 /* _IOWRT */, 0x0002 | 0x0004 /* _IOWRT | _IONBF */];
  for (let k = 0; k < 3; k++) {
    c.mem.w32(iob + k * fs + flagOff, flags[k]);
    c.mem.w32(iob + k * fs + flagOff + 4, k);
  }
  void p;
  void IOB_ENTRIES;
}

/** The guest buffer of the calling thread for stream output, at least `size` bytes. */
export function scratch(c: ApiCall, size: number): number {
  const s = crt(c);
  const have = s.scratch.get(c.thread.id);
  if (have && have.size >= size) return have.addr;
  const n = Math.max(0x10000, Math.ceil(size / 0x10000) * 0x10000);
  const addr = crtAlloc(c, n);
  s.scratch.set(c.thread.id, { addr, size: n });
  return addr;
}

/** The address of the calling thread's errno. */
export function errnoAddr(c: ApiCall): number {
  const s = crt(c);
  let a = s.errno.get(c.thread.id);
  if (a === undefined) {
    a = crtVar(c, s);
    s.errno.set(c.thread.id, a);
  }
  return a;
}

export function setErrno(c: ApiCall, v: number): void {
  c.mem.w32(errnoAddr(c), v);
}

export const EINVAL = 22;
export const ERANGE = 34;
export const ENOMEM = 12;

// ---------------------------------------------------------------------------------------------
// arguments

/**
 * The 32-bit words of the caller's argument area, by byte offset: argument i of an x64 call is at
 * 8·i, of an x86 call at 4·i. For an `api` trap x64 arguments 0-3 are the registers RCX, RDX, R8, R9 and
 * the rest at [RSP+0x28…]; for a bridge half, the API's arguments are in memory at the `apiArgs` pointer
 * the bridge passes (x64: the home area with the register arguments spilled).
 */
export function argWords(c: ApiCall): (off: number) => number {
  const cpu = c.thread.cpu;
  const reg64 = (r: number): number => join64(cpu.lo[r], cpu.hi[r]);
  const role = c.entry.role;
  if (c.arch === "x64") {
    if (role === "api") {
      const rsp = reg64(4);
      return (off) => {
        const slot = off >> 3;
        const high = (off >> 2) & 1;
        if (slot < 4) {
          const r = [1, 2, 8, 9][slot];
          return (high ? cpu.hi[r] : cpu.lo[r]) >>> 0;
        }
        return c.mem.u32(rsp + 0x28 + (slot - 4) * 8 + high * 4);
      };
    }
    // bridge-pre and the `calls` traps: (frame, apiArgs…); bridge-post: (status, frame, apiArgs)
    const apiArgs = role === "bridge-post" ? reg64(8) : reg64(2);
    return (off) => c.mem.u32(apiArgs + off);
  }
  const esp = cpu.lo[4] >>> 0;
  if (role === "api") return (off) => c.mem.u32(esp + 4 + off);
  const apiArgs = c.mem.u32(esp + 4 + (role === "bridge-post" ? 8 : 4));
  return (off) => c.mem.u32(apiArgs + off);
}

/** Words of a va_list (a pointer to the arguments in memory, on both architectures). */
export function vaWords(c: ApiCall, va: number): (off: number) => number {
  return (off) => c.mem.u32(va + off);
}

/** An ArgSource over argument words, starting at argument `first` (x64: 8-byte slots; x86: 4-byte). */
export function argSource(c: ApiCall, word: (off: number) => number, startOff: number): ArgSource {
  let off = startOff;
  const x64 = c.arch === "x64";
  const big = (lo: number, hi: number): bigint => (BigInt(hi >>> 0) << 32n) | BigInt(lo >>> 0);
  const f64 = new DataView(new ArrayBuffer(8));
  return {
    int32: () => {
      const v = word(off);
      off += x64 ? 8 : 4;
      return v;
    },
    int64: () => {
      const v = big(word(off), word(off + 4));
      off += 8;
      return v;
    },
    ptr: () => {
      const v = x64 ? big(word(off), word(off + 4)) : BigInt(word(off));
      off += x64 ? 8 : 4;
      return v;
    },
    double: () => {
      f64.setUint32(0, word(off), true);
      f64.setUint32(4, word(off + 4), true);
      off += 8;
      return f64.getFloat64(0, true);
    },
    string: (addr, max) => readCString(c.mem, Number(addr), max),
    wstring: (addr, max) => readWString(c.mem, Number(addr), max),
    store: (addr, size, count) => {
      const a = Number(addr);
      if (size === 1) c.mem.w8(a, count);
      else if (size === 2) c.mem.w16(a, count);
      else if (size === 8) c.mem.w64(a, count);
      else c.mem.w32(a, count);
    },
  };
}

// ---------------------------------------------------------------------------------------------
// heap

export function processHeap(c: ApiCall): number {
  return c.readPtr(c.peb + c.layout.peb.ProcessHeap);
}

/** Calls one of heap.ts's Rtl*Heap implementations with `args` on the process heap. */
export function heapCall(
  c: ApiCall,
  name: "RtlAllocateHeap" | "RtlFreeHeap" | "RtlReAllocateHeap" | "RtlSizeHeap",
  args: number[],
): number {
  const e = heapApis[name];
  if (e.kind !== "api") throw new Error(name);
  const r = e.run({
    ...c,
    arg: (i) => args[i] ?? 0,
    sarg: (i) => args[i] ?? 0,
    u32: (i) => (args[i] ?? 0) >>> 0,
  });
  if (typeof r !== "number") return 0;
  return r;
}
