/**
 * msvcrt's stdlib, string, environment and time functions beyond crt-runtime.ts: qsort and bsearch (the
 * program's comparator runs as a nested guest call, KernelProcess.callGuest), strtod/atof, the _itoa
 * family, div/ldiv, strtok and the span functions, _strlwr/_strupr, _memccpy, the common wide string
 * functions, _putenv/_wgetenv, and time.h over the kernel's virtual clock.
 *
 * Choices, with their sources:
 * - strtod is msvcrt's: `[whitespace][sign][digits][.digits][{d|D|e|E}[sign]digits]` (Microsoft, strtod
 *   documentation before the Universal CRT); no hexadecimal, "inf" or "nan" (those came with the UCRT), so
 *   "0x1p4" converts "0" and stops at the "x". Overflow gives ±HUGE_VAL, underflow 0, both with ERANGE.
 * - _itoa/_ltoa: a negative value has a sign only in radix 10; other radixes show the two's complement.
 * - Local time is UTC (the virtual machine's time zone; TZ is not read): localtime = gmtime, tm_isdst 0,
 *   mktime the inverse of gmtime with the fields normalised.
 * - asctime's form is Microsoft's: "Wed Jan 02 02:03:55 1980\n" (a two-digit day, 26 characters).
 * - strftime is the "C" locale's (Microsoft, strftime: %c = "%m/%d/%y %H:%M:%S", %x = "%m/%d/%y",
 *   %X = "%H:%M:%S"; the # flag removes leading zeros).
 * - clock(): milliseconds (CLOCKS_PER_SEC 1000) of the virtual clock since the process started.
 * - time_t is 32 bits in the x86 msvcrt.dll (time, gmtime, localtime, mktime, ctime, difftime) and 64 bits
 *   in the x64 one; the _xxx64 names are 64-bit on both (msvcrt.dll has no _xxx32 names: those came with
 *   msvcr80).
 */
import { unimplemented } from "../kernel/context";
import {
  api,
  calls,
  guestCall,
  type ApiCall,
  type ApiEntry,
  type ApiFamily,
  type ApiResult,
  type BridgeCall,
  type CallsGen,
} from "./context";
import { dosmaperr } from "./crt-io";
import { retDouble } from "./crt-math";
import {
  ERANGE,
  EINVAL,
  crt,
  crtAlloc,
  scratch,
  crtExport,
  latin1,
  readCString,
  readWString,
  setErrno,
} from "./crt-state";
import { toAnsi, toUtf16 } from "./state";

function cstr(c: ApiCall, a: number): string {
  return latin1(readCString(c.mem, a));
}

function writeC(c: ApiCall, a: number, s: string): void {
  c.mem.write(a, Uint8Array.from([...Array.from(s, (ch) => ch.charCodeAt(0) & 0xff), 0]));
}

/** A comparator call: the low 32 bits of its int result, signed. */
function compare(c: ApiCall, fn: number, a: number, b: number): number {
  const r = c.process.callGuest!(fn, [a, b]);
  // callGuest gives RAX as a number: an int result sign-extended to 64 bits (returned as is from a callee
  // such as strcmp) is above 2^63 and not exact, so its sign is taken from there; otherwise EAX.
  if (r >= 2 ** 63) return -1;
  return Number(BigInt(Math.trunc(r)) & 0xffffffffn) | 0;
}

// ---------------------------------------------------------------------------------------------
// strtod

/** msvcrt's strtod: [value, characters consumed] (0 consumed: no conversion). */
export function parseDouble(s: string): { v: number; end: number; range: boolean } {
  let i = 0;
  while (i < s.length && " \t\n\v\f\r".includes(s[i])) i++;
  let text = "";
  if (s[i] === "+" || s[i] === "-") text += s[i++];
  let digits = 0;
  while (s[i] >= "0" && s[i] <= "9") {
    text += s[i++];
    digits++;
  }
  if (s[i] === ".") {
    text += s[i++];
    while (s[i] >= "0" && s[i] <= "9") {
      text += s[i++];
      digits++;
    }
  }
  if (digits === 0) return { v: 0, end: 0, range: false };
  let end = i;
  if (s[i] === "e" || s[i] === "E" || s[i] === "d" || s[i] === "D") {
    let j = i + 1;
    let exp = "";
    if (s[j] === "+" || s[j] === "-") exp += s[j++];
    let ed = 0;
    while (s[j] >= "0" && s[j] <= "9") {
      exp += s[j++];
      ed++;
    }
    if (ed > 0) {
      text += "e" + exp;
      end = j;
    }
  }
  const v = Number(text.endsWith(".") ? text + "0" : text);
  const range = !Number.isFinite(v) || (v === 0 && /[1-9]/.test(text.split("e")[0]));
  return { v, end, range };
}

// ---------------------------------------------------------------------------------------------
// integer to text

function toRadix(v: bigint, radix: number): string {
  return v.toString(radix);
}

/** _itoa/_ltoa/_i64toa (signed: "-" only in radix 10) and the unsigned ones. */
function itoa(c: ApiCall, value: bigint, bits: number, signed: boolean, buf: number, radix: number): number {
  if (radix < 2 || radix > 36 || buf === 0) {
    setErrno(c, EINVAL);
    if (buf !== 0) c.mem.w8(buf, 0);
    return buf;
  }
  let s: string;
  const sv = BigInt.asIntN(bits, value);
  if (signed && radix === 10 && sv < 0n) s = "-" + toRadix(-sv, 10);
  else s = toRadix(BigInt.asUintN(bits, value), radix);
  writeC(c, buf, s);
  return buf;
}

function arg64(c: ApiCall, i: number): bigint {
  if (c.arch === "x64") return BigInt(c.arg(i));
  return (BigInt(c.u32(i + 1)) << 32n) | BigInt(c.u32(i));
}

// ---------------------------------------------------------------------------------------------
// time

const DAYS = ["Sunday", "Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday"];
const MONTHS = [
  "January",
  "February",
  "March",
  "April",
  "May",
  "June",
  "July",
  "August",
  "September",
  "October",
  "November",
  "December",
];

export interface Tm {
  sec: number;
  min: number;
  hour: number;
  mday: number;
  mon: number;
  year: number;
  wday: number;
  yday: number;
  isdst: number;
}

function tmOf(t: number): Tm {
  const d = new Date(t * 1000);
  const start = Date.UTC(d.getUTCFullYear(), 0, 1);
  return {
    sec: d.getUTCSeconds(),
    min: d.getUTCMinutes(),
    hour: d.getUTCHours(),
    mday: d.getUTCDate(),
    mon: d.getUTCMonth(),
    year: d.getUTCFullYear() - 1900,
    wday: d.getUTCDay(),
    yday: Math.floor((d.getTime() - start) / 86400000),
    isdst: 0,
  };
}

export function readTm(c: ApiCall, a: number): Tm {
  const v = (k: number): number => c.mem.i32(a + 4 * k);
  return {
    sec: v(0),
    min: v(1),
    hour: v(2),
    mday: v(3),
    mon: v(4),
    year: v(5),
    wday: v(6),
    yday: v(7),
    isdst: v(8),
  };
}

function writeTm(c: ApiCall, a: number, t: Tm): void {
  [t.sec, t.min, t.hour, t.mday, t.mon, t.year, t.wday, t.yday, t.isdst].forEach((x, k) =>
    c.mem.w32(a + 4 * k, x >>> 0),
  );
}

/** The static struct tm gmtime/localtime return (one per msvcrt, as msvcrt's per-thread buffer). */
function staticBlock(c: ApiCall, key: string, size: number): number {
  const st = crt(c);
  let a = st.statics.get(key);
  if (a === undefined) {
    a = crtAlloc(c, size);
    st.statics.set(key, a);
  }
  return a;
}

/** time_t seconds now (the virtual clock). */
function now(c: ApiCall): number {
  return Number(c.kernel.clock.systemTime() / 10000000n - 11644473600n);
}

/** gmtime's range: msvcrt returns NULL (EINVAL) before 1970 and after 3000-12-31 23:59:59 (64-bit) or 2038-01-19 (32-bit). */
function gmtimeAt(c: ApiCall, p: number, bits: 32 | 64): number {
  if (p === 0) {
    setErrno(c, EINVAL);
    return 0;
  }
  const t = bits === 32 ? c.mem.i32(p) : Number(BigInt.asIntN(64, BigInt(c.mem.u64(p))));
  if (t < 0 || t > 32535215999) {
    setErrno(c, EINVAL);
    return 0;
  }
  const a = staticBlock(c, "tm", 36);
  writeTm(c, a, tmOf(t));
  return a;
}

function mktime(c: ApiCall, a: number): number {
  const t = readTm(c, a);
  const ms = Date.UTC(1900 + t.year, t.mon, t.mday, t.hour, t.min, t.sec);
  if (!Number.isFinite(ms) || ms < 0) return -1;
  const secs = Math.floor(ms / 1000);
  writeTm(c, a, tmOf(secs));
  return secs;
}

const pad = (n: number, w = 2): string => String(n).padStart(w, "0");

function asctime(t: Tm): string {
  return (
    `${DAYS[t.wday]?.slice(0, 3) ?? "???"} ${MONTHS[t.mon]?.slice(0, 3) ?? "???"} ${pad(t.mday)} ` +
    `${pad(t.hour)}:${pad(t.min)}:${pad(t.sec)} ${1900 + t.year}\n`
  );
}

/** strftime in the "C" locale; undefined for an unknown conversion (msvcrt: EINVAL, 0). */
export function strftime(fmt: string, t: Tm): string | undefined {
  let out = "";
  for (let i = 0; i < fmt.length; i++) {
    if (fmt[i] !== "%") {
      out += fmt[i];
      continue;
    }
    i++;
    let alt = false;
    if (fmt[i] === "#") {
      alt = true;
      i++;
    }
    const p = (n: number, w = 2): string => (alt ? String(n) : pad(n, w));
    const h12 = t.hour % 12 === 0 ? 12 : t.hour % 12;
    const week = (first: number): number => Math.floor((t.yday + 7 - ((t.wday - first + 7) % 7)) / 7);
    switch (fmt[i]) {
      case "a":
        out += DAYS[t.wday].slice(0, 3);
        break;
      case "A":
        out += DAYS[t.wday];
        break;
      case "b":
        out += MONTHS[t.mon].slice(0, 3);
        break;
      case "B":
        out += MONTHS[t.mon];
        break;
      case "c":
        out += alt
          ? `${DAYS[t.wday]}, ${MONTHS[t.mon]} ${t.mday}, ${1900 + t.year} ${pad(t.hour)}:${pad(t.min)}:${pad(t.sec)}`
          : `${pad(t.mon + 1)}/${pad(t.mday)}/${pad(t.year % 100)} ${pad(t.hour)}:${pad(t.min)}:${pad(t.sec)}`;
        break;
      case "d":
        out += p(t.mday);
        break;
      case "H":
        out += p(t.hour);
        break;
      case "I":
        out += p(h12);
        break;
      case "j":
        out += p(t.yday + 1, 3);
        break;
      case "m":
        out += p(t.mon + 1);
        break;
      case "M":
        out += p(t.min);
        break;
      case "p":
        out += t.hour < 12 ? "AM" : "PM";
        break;
      case "S":
        out += p(t.sec);
        break;
      case "U":
        out += p(week(0));
        break;
      case "w":
        out += String(t.wday);
        break;
      case "W":
        out += p(week(1));
        break;
      case "x":
        out += alt
          ? `${DAYS[t.wday]}, ${MONTHS[t.mon]} ${t.mday}, ${1900 + t.year}`
          : `${pad(t.mon + 1)}/${pad(t.mday)}/${pad(t.year % 100)}`;
        break;
      case "X":
        out += `${pad(t.hour)}:${pad(t.min)}:${pad(t.sec)}`;
        break;
      case "y":
        out += p(t.year % 100);
        break;
      case "Y":
        out += String(1900 + t.year);
        break;
      case "z":
      case "Z":
        out += "UTC";
        break;
      case "%":
        out += "%";
        break;
      default:
        return undefined;
    }
  }
  return out;
}

const timeNow = (bits: 32 | 64): ApiEntry =>
  api((c) => {
    const t = now(c);
    const p = c.arg(0);
    if (p !== 0) {
      if (bits === 64) c.mem.w64(p, t);
      else c.mem.w32(p, t);
    }
    if (bits === 64 && c.arch === "x86") c.thread.cpu.lo[2] = Math.floor(t / 2 ** 32) | 0;
    return t;
  });

/** The natural time_t width of the calling msvcrt. */
const natural = (c: ApiCall): 32 | 64 => (c.arch === "x64" ? 64 : 32);

function difftime(c: ApiCall, bits: 32 | 64): number {
  if (bits === 32) return retDouble(c, (c.u32(0) | 0) - (c.u32(1) | 0));
  const a = Number(BigInt.asIntN(64, arg64(c, 0)));
  const b = Number(BigInt.asIntN(64, arg64(c, c.arch === "x64" ? 1 : 2)));
  return retDouble(c, a - b);
}

// ---------------------------------------------------------------------------------------------
// environment

function rebuildEnviron(c: ApiCall): void {
  const s = crt(c);
  const envp = crtAlloc(c, (s.env.length + 1) * c.ptrSize);
  s.env.forEach((e, i) => c.writePtr(envp + i * c.ptrSize, e.addr));
  s.envp = envp;
  c.writePtr(crtExport(c, "__initenv"), envp);
}

/** _putenv("NAME=value"): sets or (empty value) removes; 0, or -1 with EINVAL for a string without '='. */
function putenv(c: ApiCall, text: string): number {
  const eq = text.indexOf("=");
  if (eq <= 0) {
    setErrno(c, EINVAL);
    return -1;
  }
  const name = text.slice(0, eq);
  const value = text.slice(eq + 1);
  const s = crt(c);
  const k = s.env.findIndex((e) => e.name.toUpperCase() === name.toUpperCase());
  if (value.length === 0) {
    if (k >= 0) s.env.splice(k, 1);
  } else {
    const addr = crtAlloc(c, text.length + 1);
    c.mem.write(addr, Uint8Array.from([...toAnsi(text), 0]));
    const e = { name, value, addr };
    if (k >= 0) s.env[k] = e;
    else s.env.push(e);
  }
  rebuildEnviron(c);
  return 0;
}

/**
 * _putenv, then the process environment as msvcrt's __crtsetenv updates it: SetEnvironmentVariableW(name,
 * value, or NULL to remove), so GetEnvironmentVariable and child processes see the change. -1 with errno
 * from the last error when that fails.
 */
function* putenvCalls(c: BridgeCall, text: string): CallsGen {
  const r = putenv(c, text);
  if (r !== 0) return r;
  const eq = text.indexOf("=");
  const name = text.slice(0, eq);
  const value = text.slice(eq + 1);
  const buf = scratch(c, 2 * text.length + 4);
  c.mem.write(buf, toUtf16(name + "\0"));
  const v = buf + 2 * (name.length + 1);
  c.mem.write(v, toUtf16(value + "\0"));
  const ok = yield* guestCall("kernel32", "SetEnvironmentVariableW", [buf, value.length === 0 ? 0 : v]);
  if (!ok) {
    setErrno(c, dosmaperr(c.mem.u32(c.teb + c.layout.teb.LastErrorValue)));
    return -1;
  }
  return 0;
}

// ---------------------------------------------------------------------------------------------

const strtokNext = new WeakMap<object, Map<number, number>>();

function wcs(c: ApiCall, a: number): number[] {
  return readWString(c.mem, a);
}

function writeW(c: ApiCall, a: number, w: number[]): void {
  w.forEach((x, i) => c.mem.w16(a + 2 * i, x));
  c.mem.w16(a + 2 * w.length, 0);
}

function wcmp(a: number[], b: number[], fold: boolean): number {
  const f = (x: number): number => (fold && x >= 0x41 && x <= 0x5a ? x + 32 : x);
  for (let i = 0; ; i++) {
    const x = i < a.length ? f(a[i]) : 0;
    const y = i < b.length ? f(b[i]) : 0;
    if (x !== y) return x < y ? -1 : 1;
    if (x === 0) return 0;
  }
}

function spanOf(c: ApiCall, inSet: boolean): number {
  const s = readCString(c.mem, c.arg(0));
  const set = new Set(readCString(c.mem, c.arg(1)));
  let i = 0;
  while (i < s.length && set.has(s[i]) === inSet) i++;
  return i;
}

export const crtStdlibApis: ApiFamily = {
  /** qsort(base, num, width, compare): the comparator sees the elements in place; then they are permuted. */
  qsort: api((c) => {
    const base = c.arg(0);
    const n = c.arg(1);
    const w = c.arg(2);
    const fn = c.arg(3);
    if (n < 2 || w === 0) return 0;
    if (c.process.callGuest === undefined) return unimplemented("qsort", "no nested guest calls");
    if (n * w > 0x10000000) return unimplemented("qsort", `${n} elements of ${w} bytes`);
    const order = [...Array(n).keys()].sort((i, j) => compare(c, fn, base + i * w, base + j * w));
    const bytes = c.mem.read(base, n * w);
    const out = new Uint8Array(n * w);
    order.forEach((from, to) => out.set(bytes.subarray(from * w, from * w + w), to * w));
    c.mem.write(base, out);
    return 0;
  }),
  /** bsearch(key, base, num, width, compare): compare(key, element); a match or NULL. */
  bsearch: api((c) => {
    const key = c.arg(0);
    const base = c.arg(1);
    const w = c.arg(3);
    const fn = c.arg(4);
    if (c.process.callGuest === undefined) return unimplemented("bsearch", "no nested guest calls");
    let lo = 0;
    let hi = c.arg(2) - 1;
    while (lo <= hi) {
      const mid = Math.floor((lo + hi) / 2);
      const r = compare(c, fn, key, base + mid * w);
      if (r === 0) return base + mid * w;
      if (r < 0) hi = mid - 1;
      else lo = mid + 1;
    }
    return 0;
  }),
  strtod: api((c) => {
    const p = c.arg(0);
    const r = parseDouble(cstr(c, p));
    if (c.arg(1) !== 0) c.writePtr(c.arg(1), p + r.end);
    if (r.range) setErrno(c, ERANGE);
    return retDouble(c, r.v);
  }),
  atof: api((c) => retDouble(c, parseDouble(cstr(c, c.arg(0))).v)),
  _itoa: api((c) => itoa(c, BigInt(c.u32(0) | 0), 32, true, c.arg(1), c.u32(2) | 0)),
  _ltoa: api((c) => itoa(c, BigInt(c.u32(0) | 0), 32, true, c.arg(1), c.u32(2) | 0)),
  _ultoa: api((c) => itoa(c, BigInt(c.u32(0)), 32, false, c.arg(1), c.u32(2) | 0)),
  _i64toa: api((c) => {
    const k = c.arch === "x64" ? 1 : 2;
    return itoa(c, arg64(c, 0), 64, true, c.arg(k), c.u32(k + 1) | 0);
  }),
  _ui64toa: api((c) => {
    const k = c.arch === "x64" ? 1 : 2;
    return itoa(c, arg64(c, 0), 64, false, c.arg(k), c.u32(k + 1) | 0);
  }),
  /** div/ldiv: {quot, rem} truncated toward zero, an 8-byte struct returned in RAX (x64) or EDX:EAX (x86). */
  div: api((c) => divide(c)),
  ldiv: api((c) => divide(c)),
  /** strtok: the position is kept per thread. */
  strtok: api((c) => {
    let m = strtokNext.get(c.kernel);
    if (!m) strtokNext.set(c.kernel, (m = new Map()));
    const key = c.thread.id * 2 + (c.arch === "x64" ? 1 : 0);
    let p = c.arg(0) !== 0 ? c.arg(0) : (m.get(key) ?? 0);
    if (p === 0) return 0;
    const delim = new Set(readCString(c.mem, c.arg(1)));
    while (c.mem.u8(p) !== 0 && delim.has(c.mem.u8(p))) p++;
    if (c.mem.u8(p) === 0) {
      m.set(key, 0);
      return 0;
    }
    const start = p;
    while (c.mem.u8(p) !== 0 && !delim.has(c.mem.u8(p))) p++;
    if (c.mem.u8(p) !== 0) {
      c.mem.w8(p, 0);
      m.set(key, p + 1);
    } else m.set(key, p);
    return start;
  }),
  strspn: api((c) => spanOf(c, true)),
  strcspn: api((c) => spanOf(c, false)),
  strpbrk: api((c) => {
    const n = spanOf(c, false);
    return c.mem.u8(c.arg(0) + n) === 0 ? 0 : c.arg(0) + n;
  }),
  _strlwr: api((c) => {
    const s = readCString(c.mem, c.arg(0));
    c.mem.write(
      c.arg(0),
      s.map((x) => (x >= 0x41 && x <= 0x5a ? x + 32 : x)),
    );
    return c.arg(0);
  }),
  _strupr: api((c) => {
    const s = readCString(c.mem, c.arg(0));
    c.mem.write(
      c.arg(0),
      s.map((x) => (x >= 0x61 && x <= 0x7a ? x - 32 : x)),
    );
    return c.arg(0);
  }),
  /** _memccpy(dest, src, c, count): copies through the first c; the byte after it in dest, or NULL. */
  _memccpy: api((c) => {
    const n = c.arg(3);
    const v = c.u32(2) & 0xff;
    for (let i = 0; i < n; i++) {
      const b = c.mem.u8(c.arg(1) + i);
      c.mem.w8(c.arg(0) + i, b);
      if (b === v) return c.arg(0) + i + 1;
    }
    return 0;
  }),
  _strrev: api((c) => {
    const s = readCString(c.mem, c.arg(0));
    c.mem.write(c.arg(0), s.slice().reverse());
    return c.arg(0);
  }),

  // ---- wide strings
  wcscpy: api((c) => {
    writeW(c, c.arg(0), wcs(c, c.arg(1)));
    return c.arg(0);
  }),
  wcscat: api((c) => {
    const d = wcs(c, c.arg(0));
    writeW(c, c.arg(0) + 2 * d.length, wcs(c, c.arg(1)));
    return c.arg(0);
  }),
  wcsncpy: api((c) => {
    const n = c.arg(2);
    const s = readWString(c.mem, c.arg(1), n);
    for (let i = 0; i < n; i++) c.mem.w16(c.arg(0) + 2 * i, i < s.length ? s[i] : 0);
    return c.arg(0);
  }),
  wcscmp: api((c) => wcmp(wcs(c, c.arg(0)), wcs(c, c.arg(1)), false)),
  wcsncmp: api((c) =>
    wcmp(readWString(c.mem, c.arg(0), c.arg(2)), readWString(c.mem, c.arg(1), c.arg(2)), false),
  ),
  _wcsicmp: api((c) => wcmp(wcs(c, c.arg(0)), wcs(c, c.arg(1)), true)),
  wcschr: api((c) => {
    const s = wcs(c, c.arg(0));
    const v = c.u32(1) & 0xffff;
    if (v === 0) return c.arg(0) + 2 * s.length;
    const i = s.indexOf(v);
    return i < 0 ? 0 : c.arg(0) + 2 * i;
  }),
  wcsrchr: api((c) => {
    const s = wcs(c, c.arg(0));
    const v = c.u32(1) & 0xffff;
    if (v === 0) return c.arg(0) + 2 * s.length;
    const i = s.lastIndexOf(v);
    return i < 0 ? 0 : c.arg(0) + 2 * i;
  }),
  wcsstr: api((c) => {
    const i = String.fromCharCode(...wcs(c, c.arg(0))).indexOf(String.fromCharCode(...wcs(c, c.arg(1))));
    return i < 0 ? 0 : c.arg(0) + 2 * i;
  }),

  // ---- environment
  _putenv: calls((c) => putenvCalls(c, cstr(c, c.arg(0)))),
  _wputenv: calls((c) => putenvCalls(c, String.fromCharCode(...wcs(c, c.arg(0))))),
  /** _wgetenv: the value as a wide string (a copy made once per value). */
  _wgetenv: api((c) => {
    const name = String.fromCharCode(...wcs(c, c.arg(0))).toUpperCase();
    const e = crt(c).env.find((x) => x.name.toUpperCase() === name);
    if (e === undefined) return 0;
    const a = staticBlock(c, `wenv:${e.addr}`, 2 * (e.value.length + 1));
    writeW(
      c,
      a,
      Array.from(e.value, (ch) => ch.charCodeAt(0)),
    );
    return a;
  }),

  // ---- time
  _time64: timeNow(64),
  time: api((c) => timeNowNatural(c)),
  gmtime: api((c) => gmtimeAt(c, c.arg(0), natural(c))),
  _gmtime64: api((c) => gmtimeAt(c, c.arg(0), 64)),
  localtime: api((c) => gmtimeAt(c, c.arg(0), natural(c))),
  _localtime64: api((c) => gmtimeAt(c, c.arg(0), 64)),
  mktime: api((c) => {
    const t = mktime(c, c.arg(0));
    return natural(c) === 64 ? t : t > 0x7fffffff ? -1 : t;
  }),
  _mktime64: api((c) => {
    const t = mktime(c, c.arg(0));
    if (c.arch === "x86") c.thread.cpu.lo[2] = t < 0 ? -1 : Math.floor(t / 2 ** 32) | 0;
    return t;
  }),
  _mkgmtime: api((c) => {
    const t = mktime(c, c.arg(0));
    return natural(c) === 64 ? t : t > 0x7fffffff ? -1 : t;
  }),
  asctime: api((c) => {
    const a = staticBlock(c, "asctime", 26);
    writeC(c, a, asctime(readTm(c, c.arg(0))));
    return a;
  }),
  ctime: api((c) => ctime(c, natural(c))),
  _ctime64: api((c) => ctime(c, 64)),
  difftime: api((c) => difftime(c, natural(c))),
  _difftime64: api((c) => difftime(c, 64)),
  /** strftime(buf, max, format, tm): the length without the NUL, or 0 (buffer too small or bad format). */
  strftime: api((c) => {
    const s = strftime(cstr(c, c.arg(2)), readTm(c, c.arg(3)));
    const max = c.arg(1);
    if (s === undefined) {
      setErrno(c, EINVAL);
      if (max > 0) c.mem.w8(c.arg(0), 0);
      return 0;
    }
    if (s.length + 1 > max) {
      setErrno(c, ERANGE);
      if (max > 0) c.mem.w8(c.arg(0), 0);
      return 0;
    }
    writeC(c, c.arg(0), s);
    return s.length;
  }),
  // clock(): "the elapsed wall-clock time since the start of the process" in CLOCKS_PER_SEC (1000) units.
  clock: api((c) => Math.floor(c.kernel.clock.processTime() / 10000)),
};

function timeNowNatural(c: ApiCall): number {
  const t = now(c);
  const p = c.arg(0);
  if (p !== 0) {
    if (c.arch === "x64") c.mem.w64(p, t);
    else c.mem.w32(p, t);
  }
  return t;
}

function ctime(c: ApiCall, bits: 32 | 64): number {
  const tm = gmtimeAt(c, c.arg(0), bits);
  if (tm === 0) return 0;
  const a = staticBlock(c, "asctime", 26);
  writeC(c, a, asctime(readTm(c, tm)));
  return a;
}

function divide(c: ApiCall): ApiResult {
  const a = c.u32(0) | 0;
  const b = c.u32(1) | 0;
  if (b === 0)
    return unimplemented(c.entry.name, "division by zero (the integer divide fault is not raised here)");
  const q = Math.trunc(a / b) | 0;
  const r = (a - q * b) | 0;
  if (c.arch === "x64") {
    c.thread.cpu.lo[0] = q;
    c.thread.cpu.hi[0] = r;
    return undefined as unknown as number; // RAX is set: runApiTrap leaves it when no number is returned
  }
  c.thread.cpu.lo[2] = r;
  return q;
}
