/**
 * msvcrt's start-up and process functions (__getmainargs, _onexit, signal…), heap (malloc & co. on the
 * process heap through heap.ts's RtlAllocateHeap — real msvcrt.dll uses its own heap created with
 * HeapCreate; the blocks behave the same), memory, strings, ctype, stdlib, time.
 *
 * `exit`, `_cexit` and `_initterm` are machine code in msvcrt.dll (they call program functions); the
 * `_crt_next_onexit` trap hands them the registered functions, last first.
 */
import { unimplemented } from "../kernel/context";
import type { KernelStop } from "../kernel/types";
import { api, type ApiCall, type ApiFamily } from "./context";
import {
  EINVAL,
  ENOMEM,
  ERANGE,
  crt,
  crtAlloc,
  crtExport,
  crtVar,
  errnoAddr,
  heapCall,
  iobBase,
  latin1,
  processHeap,
  readCString,
  readWString,
  setErrno,
} from "./crt-state";
import { toAnsi } from "./state";
import { criticalSectionSize, enterSection, initializeSection, leaveSection } from "./threads";

/** msvcrt's parse_cmdline: argv[0] up to the closing quote or blank, then CommandLineToArgvW-like rules. */
/** msvcrt.dll's _TOTAL_LOCKS (mtdll.h). */
const CRT_LOCKS = 36;

/** The critical section of CRT lock `n` (the table made on first use), or a stop for a bad lock number. */
function crtLock(c: ApiCall, n: number): number | KernelStop {
  if (n >= CRT_LOCKS) return unimplemented("_lock", `lock number ${n} (msvcrt has ${CRT_LOCKS})`);
  const st = crt(c);
  const size = criticalSectionSize(c);
  let table = st.statics.get("locktable");
  if (table === undefined) {
    table = crtAlloc(c, CRT_LOCKS * size);
    for (let k = 0; k < CRT_LOCKS; k++) initializeSection(c, 0, table + k * size);
    st.statics.set("locktable", table);
  }
  return table + n * size;
}

export function parseCommandLine(cmd: string): string[] {
  const args: string[] = [];
  let i = 0;
  // program name
  let name = "";
  if (cmd[0] === '"') {
    i = 1;
    while (i < cmd.length && cmd[i] !== '"') name += cmd[i++];
    if (cmd[i] === '"') i++;
  } else {
    while (i < cmd.length && cmd[i] !== " " && cmd[i] !== "\t") name += cmd[i++];
  }
  args.push(name);
  for (;;) {
    while (cmd[i] === " " || cmd[i] === "\t") i++;
    if (i >= cmd.length) break;
    let arg = "";
    let quoted = false;
    while (i < cmd.length) {
      if (!quoted && (cmd[i] === " " || cmd[i] === "\t")) break;
      let slashes = 0;
      while (cmd[i] === "\\") {
        slashes++;
        i++;
      }
      if (cmd[i] === '"') {
        arg += "\\".repeat(slashes >> 1);
        if (slashes % 2 === 1) {
          arg += '"';
          i++;
        } else if (quoted && cmd[i + 1] === '"') {
          arg += '"';
          i += 2;
        } else {
          quoted = !quoted;
          i++;
        }
      } else {
        arg += "\\".repeat(slashes);
        if (i < cmd.length && !(!quoted && (cmd[i] === " " || cmd[i] === "\t"))) arg += cmd[i++];
      }
    }
    args.push(arg);
  }
  return args;
}

function cstr(c: ApiCall, a: number): string {
  return latin1(readCString(c.mem, a));
}

/** A NUL-terminated copy of `s` in CRT memory. */
function staticString(c: ApiCall, key: string, s: string): number {
  const st = crt(c);
  let a = st.statics.get(key);
  if (a === undefined) {
    a = crtAlloc(c, s.length + 1);
    c.mem.write(a, Uint8Array.from([...toAnsi(s), 0]));
    st.statics.set(key, a);
  }
  return a;
}

/** strtol/strtoul/_strtoi64/_strtoui64 over BigInt: [value, end offset]. */
function parseInteger(s: string, baseIn: number): { v: bigint; end: number; neg: boolean } {
  let i = 0;
  while (i < s.length && " \t\n\v\f\r".includes(s[i])) i++;
  let neg = false;
  if (s[i] === "+" || s[i] === "-") neg = s[i++] === "-";
  let base = baseIn;
  if ((base === 0 || base === 16) && s[i] === "0" && (s[i + 1] === "x" || s[i + 1] === "X")) {
    base = 16;
    i += 2;
  } else if (base === 0) base = s[i] === "0" ? 8 : 10;
  const start = i;
  let v = 0n;
  for (; i < s.length; i++) {
    const ch = s[i].toLowerCase();
    const d =
      ch >= "0" && ch <= "9" ? ch.charCodeAt(0) - 48 : ch >= "a" && ch <= "z" ? ch.charCodeAt(0) - 87 : 99;
    if (d >= base) break;
    v = v * BigInt(base) + BigInt(d);
  }
  if (i === start) return { v: 0n, end: 0, neg: false };
  return { v, end: i, neg };
}

function strtoX(c: ApiCall, bits: 32 | 64, signed: boolean): number {
  const p = c.arg(0);
  const end = c.arg(1);
  const base = c.u32(2) | 0;
  if (base !== 0 && (base < 2 || base > 36)) {
    setErrno(c, EINVAL);
    if (end !== 0) c.writePtr(end, p);
    return 0;
  }
  const s = cstr(c, p);
  const r = parseInteger(s, base);
  if (end !== 0) c.writePtr(end, p + r.end);
  const lim = 1n << BigInt(bits);
  let v: bigint;
  if (signed) {
    const max = (lim >> 1n) - 1n;
    const min = -(lim >> 1n);
    v = r.neg ? -r.v : r.v;
    if (v > max || v < min) {
      setErrno(c, ERANGE);
      v = v > max ? max : min;
    }
    v = BigInt.asUintN(bits, v);
  } else {
    if (r.v >= lim) {
      setErrno(c, ERANGE);
      v = lim - 1n;
    } else v = r.neg ? BigInt.asUintN(bits, -r.v) : r.v;
  }
  if (bits === 64) return setRax64(c, v);
  return Number(v) | 0;
}

/** A 64-bit result: RAX on x64, EDX:EAX on x86 (EDX set here, EAX by the caller). */
function setRax64(c: ApiCall, v: bigint): number {
  if (c.arch === "x64") {
    c.thread.cpu.lo[0] = Number(v & 0xffffffffn) | 0;
    c.thread.cpu.hi[0] = Number(v >> 32n) | 0;
    // runApiTrap writes RAX from the number: return it exactly when it fits, else leave RAX as set
    return Number(v) <= Number.MAX_SAFE_INTEGER ? Number(v) : (undefined as unknown as number);
  }
  c.thread.cpu.lo[2] = Number(v >> 32n) | 0;
  return Number(v & 0xffffffffn) | 0;
}

export const ERRNO_TEXT: Record<number, string> = {
  0: "No error",
  1: "Operation not permitted",
  2: "No such file or directory",
  3: "No such process",
  4: "Interrupted function call",
  5: "Input/output error",
  9: "Bad file descriptor",
  12: "Not enough space",
  13: "Permission denied",
  17: "File exists",
  22: "Invalid argument",
  24: "Too many open files",
  28: "No space left on device",
  33: "Domain error",
  34: "Result too large",
};

const ctype = (f: (ch: number) => boolean) => api((c) => (f(c.u32(0) & 0xff) ? 1 : 0));
const isDigit = (x: number): boolean => x >= 0x30 && x <= 0x39;
const isUpper = (x: number): boolean => x >= 0x41 && x <= 0x5a;
const isLower = (x: number): boolean => x >= 0x61 && x <= 0x7a;

function compare(a: Uint8Array, b: Uint8Array, n: number, fold: boolean): number {
  for (let i = 0; i < n; i++) {
    let x = i < a.length ? a[i] : 0;
    let y = i < b.length ? b[i] : 0;
    if (fold) {
      if (isUpper(x)) x += 32;
      if (isUpper(y)) y += 32;
    }
    if (x !== y) return x < y ? -1 : 1;
    if (x === 0) return 0;
  }
  return 0;
}

export const crtRuntimeApis: ApiFamily = {
  /** __getmainargs: argc, argv (parsed from the command line), envp; also sets __initenv. */
  __getmainargs: api((c) => {
    const s = crt(c);
    if (s.argv === 0) {
      const args = parseCommandLine(c.process.commandLine);
      const strBytes = args.reduce((n, a) => n + a.length + 1, 0);
      const argv = crtAlloc(c, (args.length + 1) * c.ptrSize + strBytes);
      let q = argv + (args.length + 1) * c.ptrSize;
      args.forEach((a, i) => {
        c.mem.write(q, Uint8Array.from([...toAnsi(a), 0]));
        c.writePtr(argv + i * c.ptrSize, q);
        q += a.length + 1;
      });
      s.argv = argv;
      s.argc = args.length;
    }
    c.mem.w32(c.arg(0), s.argc);
    c.writePtr(c.arg(1), s.argv);
    c.writePtr(c.arg(2), s.envp);
    c.writePtr(crtExport(c, "__initenv"), s.envp);
    return 0;
  }),
  // __wgetmainargs and __p__wcmdln: crt-extra.ts
  __set_app_type: api((c) => {
    crt(c).appType = c.u32(0);
    return 0;
  }),
  __setusermatherr: api((c) => {
    crt(c);
    return 0;
  }),
  __iob_func: api((c) => {
    crt(c);
    return iobBase(c);
  }),
  __p__acmdln: api((c) => {
    crt(c);
    return crtExport(c, "_acmdln");
  }),
  __p__fmode: api((c) => {
    crt(c);
    return crtExport(c, "_fmode");
  }),
  __p__commode: api((c) => {
    crt(c);
    return crtExport(c, "_commode");
  }),
  __p___argc: api((c) => {
    const s = crt(c);
    const a = crtVar(c, s);
    c.mem.w32(a, s.argc);
    return a;
  }),
  __p___argv: api((c) => {
    const s = crt(c);
    const a = crtVar(c, s);
    c.writePtr(a, s.argv);
    return a;
  }),
  __p__environ: api((c) => {
    const s = crt(c);
    const a = crtVar(c, s);
    c.writePtr(a, s.envp);
    return a;
  }),
  /** _onexit: registers `function`, returns it (NULL when the table is full: never here). */
  _onexit: api((c) => {
    crt(c).onexit.push(c.arg(0));
    return c.arg(0);
  }),
  atexit: api((c) => {
    crt(c).onexit.push(c.arg(0));
    return 0;
  }),
  __dllonexit: api(() => unimplemented("__dllonexit", "DLL _onexit tables are not implemented")),
  _crt_next_onexit: api((c) => crt(c).onexit.pop() ?? 0),
  _c_exit: api(() => 0),
  /** _amsg_exit: msvcrt writes "runtime error R60nn" and exits with 255. */
  _amsg_exit: api(() => ({ kind: "exit", status: 255 })),
  /** abort: raise(SIGABRT) — the default action ends the process with exit code 3. */
  abort: api((c) => {
    const h = crt(c).signals.get(22);
    if (h !== undefined && h !== 0 && h !== 1)
      return unimplemented("abort", "calling a SIGABRT handler is not implemented");
    return { kind: "exit", status: 3 };
  }),
  /** signal: records the handler, returns the previous one (SIG_DFL 0); SIG_ERR (-1) and EINVAL for another signal. */
  signal: api((c) => {
    const sig = c.u32(0);
    if (![2, 4, 8, 11, 15, 21, 22].includes(sig)) {
      setErrno(c, EINVAL);
      return -1;
    }
    const s = crt(c);
    const prev = s.signals.get(sig) ?? 0;
    s.signals.set(sig, c.arg(1));
    return prev;
  }),
  raise: api((c) => unimplemented("raise", `signal ${c.u32(0)}`)),
  /**
   * _lock(n)/_unlock(n): msvcrt's internal locks (_locktable: one critical section per lock number, 0 ..
   * _TOTAL_LOCKS − 1 = 35 in msvcrt.dll's mtdll.h), which mingw's start-up code takes around its onexit
   * tables. Threads are preempted here, so a second thread really waits for the owner's _unlock.
   */
  _lock: api((c) => {
    const at = crtLock(c, c.u32(0));
    return typeof at === "number" ? enterSection(c, at) : at;
  }),
  _unlock: api((c) => {
    const at = crtLock(c, c.u32(0));
    return typeof at === "number" ? leaveSection(c, at) : at;
  }),
  _errno: api((c) => errnoAddr(c)),
  /** The "C" locale: code page 0 (none), one byte per character. */
  ___lc_codepage_func: api(() => 0),
  ___mb_cur_max_func: api(() => 1),
  /** localeconv: the "C" locale's struct lconv: decimal_point ".", the other strings "", the chars CHAR_MAX. */
  localeconv: api((c) => {
    const st = crt(c);
    let a = st.statics.get("lconv");
    if (a === undefined) {
      const p = c.ptrSize;
      a = crtAlloc(c, 10 * p + 8 + 8);
      const strs = a + 10 * p + 8;
      c.mem.write(strs, Uint8Array.from([0x2e, 0, 0]));
      for (let k = 0; k < 10; k++) c.writePtr(a + k * p, k === 0 ? strs : strs + 1);
      c.mem.write(a + 10 * p, Uint8Array.from([127, 127, 127, 127, 127, 127, 127, 127]));
      st.statics.set("lconv", a);
    }
    return a;
  }),
  /** setlocale: only the "C" locale; a query returns "C". */
  setlocale: api((c) => {
    const l = c.arg(1);
    if (l === 0 || cstr(c, l) === "C") return staticString(c, "locale", "C");
    return unimplemented("setlocale", `locale "${cstr(c, l)}"`);
  }),
  /** _controlfp: the x87/SSE control word is not changed; returns the default (_CW_DEFAULT 0x9001F on x86). */
  _controlfp: api((c) => {
    const s = crt(c);
    const mask = c.u32(1);
    if (mask !== 0 && (s.controlWord & mask) !== (c.u32(0) & mask))
      return unimplemented(
        "_controlfp",
        `changing the floating-point control word (new 0x${c.u32(0).toString(16)}, mask 0x${mask.toString(16)})`,
      );
    return s.controlWord;
  }),
  _fpreset: api(() => 0),

  // ---- heap
  malloc: api((c) => {
    const r = heapCall(c, "RtlAllocateHeap", [processHeap(c), 0, c.arg(0) === 0 ? 1 : c.arg(0)]);
    if (r === 0) setErrno(c, ENOMEM);
    return r;
  }),
  calloc: api((c) => {
    const n = c.arg(0) * c.arg(1);
    const r = heapCall(c, "RtlAllocateHeap", [processHeap(c), 8, n === 0 ? 1 : n]);
    if (r === 0) setErrno(c, ENOMEM);
    return r;
  }),
  realloc: api((c) => {
    const p = c.arg(0);
    const n = c.arg(1);
    if (p === 0) return heapCall(c, "RtlAllocateHeap", [processHeap(c), 0, n === 0 ? 1 : n]);
    if (n === 0) {
      heapCall(c, "RtlFreeHeap", [processHeap(c), 0, p]);
      return 0;
    }
    const r = heapCall(c, "RtlReAllocateHeap", [processHeap(c), 0, p, n]);
    if (r === 0) setErrno(c, ENOMEM);
    return r;
  }),
  free: api((c) => {
    if (c.arg(0) !== 0) heapCall(c, "RtlFreeHeap", [processHeap(c), 0, c.arg(0)]);
    return 0;
  }),
  _msize: api((c) => heapCall(c, "RtlSizeHeap", [processHeap(c), 0, c.arg(0)])),

  // ---- memory
  memcpy: api((c) => {
    if (c.arg(2) > 0) c.mem.write(c.arg(0), c.mem.read(c.arg(1), c.arg(2)));
    return c.arg(0);
  }),
  memmove: api((c) => {
    if (c.arg(2) > 0) c.mem.write(c.arg(0), c.mem.read(c.arg(1), c.arg(2)));
    return c.arg(0);
  }),
  memset: api((c) => {
    if (c.arg(2) > 0) c.mem.write(c.arg(0), new Uint8Array(c.arg(2)).fill(c.u32(1) & 0xff));
    return c.arg(0);
  }),
  memcmp: api((c) => {
    const n = c.arg(2);
    if (n === 0) return 0;
    const a = c.mem.read(c.arg(0), n);
    const b = c.mem.read(c.arg(1), n);
    for (let i = 0; i < n; i++) if (a[i] !== b[i]) return a[i] < b[i] ? -1 : 1;
    return 0;
  }),
  memchr: api((c) => {
    const n = c.arg(2);
    const v = c.u32(1) & 0xff;
    for (let i = 0; i < n; i++) if (c.mem.u8(c.arg(0) + i) === v) return c.arg(0) + i;
    return 0;
  }),

  // ---- strings
  strlen: api((c) => readCString(c.mem, c.arg(0)).length),
  wcslen: api((c) => readWString(c.mem, c.arg(0)).length),
  strcpy: api((c) => {
    c.mem.write(c.arg(0), Uint8Array.from([...readCString(c.mem, c.arg(1)), 0]));
    return c.arg(0);
  }),
  strncpy: api((c) => {
    const n = c.arg(2);
    const s = readCString(c.mem, c.arg(1), n);
    const out = new Uint8Array(n);
    out.set(s);
    if (n > 0) c.mem.write(c.arg(0), out);
    return c.arg(0);
  }),
  strcat: api((c) => {
    const d = c.arg(0);
    const at = d + readCString(c.mem, d).length;
    c.mem.write(at, Uint8Array.from([...readCString(c.mem, c.arg(1)), 0]));
    return d;
  }),
  strncat: api((c) => {
    const d = c.arg(0);
    const at = d + readCString(c.mem, d).length;
    c.mem.write(at, Uint8Array.from([...readCString(c.mem, c.arg(1), c.arg(2)), 0]));
    return d;
  }),
  strcmp: api((c) => compare(readCString(c.mem, c.arg(0)), readCString(c.mem, c.arg(1)), Infinity, false)),
  strncmp: api((c) =>
    compare(readCString(c.mem, c.arg(0), c.arg(2)), readCString(c.mem, c.arg(1), c.arg(2)), c.arg(2), false),
  ),
  _stricmp: api((c) => compare(readCString(c.mem, c.arg(0)), readCString(c.mem, c.arg(1)), Infinity, true)),
  _strnicmp: api((c) =>
    compare(readCString(c.mem, c.arg(0), c.arg(2)), readCString(c.mem, c.arg(1), c.arg(2)), c.arg(2), true),
  ),
  strchr: api((c) => {
    const s = readCString(c.mem, c.arg(0));
    const v = c.u32(1) & 0xff;
    if (v === 0) return c.arg(0) + s.length;
    const i = s.indexOf(v);
    return i < 0 ? 0 : c.arg(0) + i;
  }),
  strrchr: api((c) => {
    const s = readCString(c.mem, c.arg(0));
    const v = c.u32(1) & 0xff;
    if (v === 0) return c.arg(0) + s.length;
    const i = s.lastIndexOf(v);
    return i < 0 ? 0 : c.arg(0) + i;
  }),
  strstr: api((c) => {
    const i = cstr(c, c.arg(0)).indexOf(cstr(c, c.arg(1)));
    return i < 0 ? 0 : c.arg(0) + i;
  }),
  _strdup: api((c) => {
    if (c.arg(0) === 0) return 0;
    const s = readCString(c.mem, c.arg(0));
    const r = heapCall(c, "RtlAllocateHeap", [processHeap(c), 0, s.length + 1]);
    if (r !== 0) c.mem.write(r, Uint8Array.from([...s, 0]));
    return r;
  }),
  strerror: api((c) => {
    const n = c.u32(0) | 0;
    return staticString(c, `strerror${n}`, ERRNO_TEXT[n] ?? "Unknown error");
  }),

  // ---- stdlib
  atoi: api((c) => {
    const r = parseInteger(cstr(c, c.arg(0)), 10);
    return Number(BigInt.asIntN(32, r.neg ? -r.v : r.v));
  }),
  atol: api((c) => {
    const r = parseInteger(cstr(c, c.arg(0)), 10);
    return Number(BigInt.asIntN(32, r.neg ? -r.v : r.v));
  }),
  strtol: api((c) => strtoX(c, 32, true)),
  strtoul: api((c) => strtoX(c, 32, false) >>> 0),
  _strtoi64: api((c) => strtoX(c, 64, true)),
  _strtoui64: api((c) => strtoX(c, 64, false)),
  abs: api((c) => Math.abs(c.u32(0) | 0) | 0),
  labs: api((c) => Math.abs(c.u32(0) | 0) | 0),
  /** rand: msvcrt's LCG, seed·214013 + 2531011, bits 16-30. */
  rand: api((c) => {
    const s = crt(c);
    s.rand = (Math.imul(s.rand, 214013) + 2531011) >>> 0;
    return (s.rand >>> 16) & 0x7fff;
  }),
  srand: api((c) => {
    crt(c).rand = c.u32(0);
    return 0;
  }),
  getenv: api((c) => {
    const name = cstr(c, c.arg(0)).toUpperCase();
    const e = crt(c).env.find((x) => x.name.toUpperCase() === name);
    return e === undefined ? 0 : e.addr + e.name.length + 1;
  }),
  toupper: api((c) => {
    const v = c.u32(0) | 0;
    return isLower(v) ? v - 32 : v;
  }),
  tolower: api((c) => {
    const v = c.u32(0) | 0;
    return isUpper(v) ? v + 32 : v;
  }),
  isalpha: ctype((x) => isUpper(x) || isLower(x)),
  isdigit: ctype(isDigit),
  isspace: ctype((x) => (x >= 9 && x <= 13) || x === 32),
  isalnum: ctype((x) => isUpper(x) || isLower(x) || isDigit(x)),
  isupper: ctype(isUpper),
  islower: ctype(isLower),
  isxdigit: ctype((x) => isDigit(x) || (x >= 0x41 && x <= 0x46) || (x >= 0x61 && x <= 0x66)),
  isprint: ctype((x) => x >= 0x20 && x < 0x7f),
  ispunct: ctype((x) => x > 0x20 && x < 0x7f && !isUpper(x) && !isLower(x) && !isDigit(x)),
  iscntrl: ctype((x) => x < 0x20 || x === 0x7f),
};
