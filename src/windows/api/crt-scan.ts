/**
 * msvcrt's scanf family: sscanf on a string, fscanf/scanf on a stream (crt-io.ts; the character after a
 * field is pushed back with ungetc, as msvcrt's _input does). The conversion engine `scanFormat` is pure
 * (an input of characters, the pointer arguments, a memory to store into) and tested on its own.
 *
 * Semantics (Microsoft, "scanf Type Field Characters" and "scanf Width Specification"; the C standard
 * 7.21.6.2 where the pages are silent):
 * - a white-space directive skips any white space (none is fine); an ordinary character must match;
 * - every conversion but %c, %[ and %n skips leading white space; a width limits the characters read;
 * - %d decimal, %i with a 0x/0 prefix choosing the base, %u decimal (a sign negates), %o octal, %x/%X hex
 *   with an optional 0x, %p hexadecimal pointer; sizes h (short), hh (char), l (long: 32 bits), ll and I64
 *   (64 bits), I32, I (pointer size); the value wraps to the size (msvcrt does no range check);
 * - %e %E %f %g %G a decimal float (digits, point, exponent: msvcrt reads no hexadecimal, inf or nan),
 *   stored as float, or double with l or L;
 * - %c reads exactly `width` characters (default 1) without skipping space; %s a run of non-space; %[...]
 *   and %[^...] a run in (or out of) the set, ']' first is a member, a-z is a range; %lc %ls %l[ %C %S store
 *   wide characters;
 * - %n stores the characters read so far and is not counted; %* suppresses the assignment;
 * - the result is the number of fields assigned, or EOF (-1) when the input ends before the first
 *   conversion completes (msvcrt: end of input with nothing matched or assigned).
 */
import type { GuestCall } from "./context";

export interface ScanInput {
  /**
   * The next character (0-255), or -1 at the end. A generator: a stream's input may have to call the
   * guest (ReadFile) for more (crt-io.ts); a string's never does.
   */
  get(): Generator<GuestCall, number, number>;
  /** Gives back the last character read. */
  unget(ch: number): void;
}

export interface ScanMemory {
  w8(addr: number, v: number): void;
  w16(addr: number, v: number): void;
  w32(addr: number, v: number): void;
  w64(addr: number, v: number): void;
}

export interface ScanOptions {
  /**
   * wscanf: the format and the input are UTF-16 units, and `%s`, `%c`, `%[` store wide characters unless
   * `h` says otherwise while `%S` and `%C` store narrow ones ("scanf type field characters": "%s … When
   * used with wscanf functions, specifies a wide-character string"; "%S … When used with scanf functions,
   * specifies a wide-character string; when used with wscanf functions, specifies a single-byte string").
   */
  readonly wide?: boolean;
}

const isSpace = (c: number): boolean => c === 0x20 || (c >= 0x09 && c <= 0x0d);

function digitValue(c: number): number {
  if (c >= 0x30 && c <= 0x39) return c - 0x30;
  if (c >= 0x61 && c <= 0x7a) return c - 0x61 + 10;
  if (c >= 0x41 && c <= 0x5a) return c - 0x41 + 10;
  return 99;
}

/** Stores a 64-bit two's complement value in `size` bytes. */
function storeInt(mem: ScanMemory, addr: number, size: number, v: bigint): void {
  const u = BigInt.asUintN(64, v);
  if (size === 1) mem.w8(addr, Number(u & 0xffn));
  else if (size === 2) mem.w16(addr, Number(u & 0xffffn));
  else if (size === 8) {
    mem.w32(addr, Number(u & 0xffffffffn));
    mem.w32(addr + 4, Number(u >> 32n));
  } else mem.w32(addr, Number(u & 0xffffffffn));
}

const f32 = new DataView(new ArrayBuffer(8));

/** scanFormatCalls over input that never calls the guest (sscanf's string). */
export function scanFormat(
  fmt: ArrayLike<number>,
  input: ScanInput,
  nextPtr: () => number,
  mem: ScanMemory,
  ptrSize: 4 | 8,
  o: ScanOptions = {},
): number {
  const r = scanFormatCalls(fmt, input, nextPtr, mem, ptrSize, o).next();
  if (!r.done) throw new Error("scanFormat: the input called the guest");
  return r.value;
}

/** The scan; a generator because the input may call the guest for more characters. */
export function* scanFormatCalls(
  fmt: ArrayLike<number>,
  input: ScanInput,
  nextPtr: () => number,
  mem: ScanMemory,
  ptrSize: 4 | 8,
  o: ScanOptions = {},
): Generator<GuestCall, number, number> {
  let assigned = 0;
  let matched = 0;
  let count = 0;
  let eof = false;
  const get = function* (): Generator<GuestCall, number, number> {
    const c = yield* input.get();
    if (c >= 0) count++;
    else eof = true;
    return c;
  };
  const unget = (c: number): void => {
    if (c >= 0) {
      input.unget(c);
      count--;
    }
  };
  const finish = (): number => (eof && assigned === 0 && matched === 0 ? -1 : assigned);
  const skipSpace = function* (): Generator<GuestCall, number, number> {
    let c: number;
    do c = yield* get();
    while (c >= 0 && isSpace(c));
    return c;
  };

  let i = 0;
  while (i < fmt.length && fmt[i] !== 0) {
    const f = fmt[i];
    if (isSpace(f)) {
      while (i < fmt.length && isSpace(fmt[i])) i++;
      const c = yield* skipSpace();
      unget(c);
      if (c < 0) eof = false; // end of input after white space is not yet a failure
      continue;
    }
    if (f !== 0x25 || fmt[i + 1] === 0x25) {
      // an ordinary character (or %% for '%')
      const c = f === 0x25 ? yield* skipSpace() : yield* get();
      i += f === 0x25 ? 2 : 1;
      if (c !== f) {
        unget(c);
        return finish();
      }
      continue;
    }
    i++;
    let suppress = false;
    if (fmt[i] === 0x2a) {
      suppress = true;
      i++;
    }
    let width = 0;
    while (fmt[i] >= 0x30 && fmt[i] <= 0x39) width = width * 10 + (fmt[i++] - 0x30);
    let size = 0; // 0: default
    let wide = false;
    let long = false;
    let short = false;
    for (;;) {
      const s = fmt[i];
      if (s === 0x68 /* h */) {
        size = size === 2 ? 1 : 2;
        short = true;
        i++;
      } else if (s === 0x6c /* l */) {
        if (long) size = 8;
        else size = 4;
        long = true;
        wide = true;
        i++;
      } else if (s === 0x4c /* L */) {
        size = 8;
        long = true;
        i++;
      } else if (s === 0x77 /* w */) {
        wide = true;
        i++;
      } else if (s === 0x49 /* I */) {
        if (fmt[i + 1] === 0x36 && fmt[i + 2] === 0x34) {
          size = 8;
          i += 3;
        } else if (fmt[i + 1] === 0x33 && fmt[i + 2] === 0x32) {
          size = 4;
          i += 3;
        } else {
          size = ptrSize;
          i++;
        }
      } else break;
    }
    const conv = fmt[i++];
    if (conv === undefined || conv === 0) return finish();
    const ch = String.fromCharCode(conv);
    // the character width of %c %s %[ (%C %S: the other width), h forcing narrow, l or w wide
    const upper = ch === "C" || ch === "S";
    const wideChars = wide || (!short && (o.wide === true ? !upper : upper));

    if (ch === "n") {
      if (!suppress) storeInt(mem, nextPtr(), size === 0 ? 4 : size, BigInt(count));
      continue;
    }

    if (ch === "c" || ch === "C") {
      const n = width === 0 ? 1 : width;
      const w = wideChars;
      const out: number[] = [];
      while (out.length < n) {
        const c = yield* get();
        if (c < 0) break;
        out.push(c);
      }
      if (out.length === 0) return finish();
      if (!suppress) {
        const a = nextPtr();
        out.forEach((b, k) => (w ? mem.w16(a + 2 * k, b) : mem.w8(a + k, b)));
        assigned++;
      }
      matched++;
      continue;
    }

    if (ch === "[") {
      let neg = false;
      if (fmt[i] === 0x5e) {
        neg = true;
        i++;
      }
      const set = new Set<number>();
      let first = true;
      while (i < fmt.length && fmt[i] !== 0 && (first || fmt[i] !== 0x5d)) {
        const a = fmt[i];
        if (fmt[i + 1] === 0x2d && fmt[i + 2] !== undefined && fmt[i + 2] !== 0x5d && fmt[i + 2] !== 0) {
          const b = fmt[i + 2];
          for (let x = Math.min(a, b); x <= Math.max(a, b); x++) set.add(x);
          i += 3;
        } else {
          set.add(a);
          i++;
        }
        first = false;
      }
      if (fmt[i] === 0x5d) i++;
      const limit = width === 0 ? Infinity : width;
      const out: number[] = [];
      let c = -1;
      while (out.length < limit) {
        c = yield* get();
        if (c < 0 || set.has(c) === neg) break;
        out.push(c);
        c = -1;
      }
      if (c >= 0) unget(c);
      if (out.length === 0) return finish();
      if (!suppress) storeString(mem, nextPtr(), out, wideChars);
      if (!suppress) assigned++;
      matched++;
      continue;
    }

    // every other conversion skips white space first
    let c = yield* skipSpace();
    if (c < 0) return finish();

    if (ch === "s" || ch === "S") {
      const limit = width === 0 ? Infinity : width;
      const out: number[] = [];
      while (c >= 0 && !isSpace(c) && out.length < limit) {
        out.push(c);
        c = out.length < limit ? yield* get() : -1;
      }
      if (c >= 0) unget(c);
      eof = false;
      if (!suppress) {
        storeString(mem, nextPtr(), out, wideChars);
        assigned++;
      }
      matched++;
      continue;
    }

    if ("diuoxXp".includes(ch)) {
      let left = width === 0 ? Infinity : width;
      let neg = false;
      if (c === 0x2b || c === 0x2d) {
        neg = c === 0x2d;
        left--;
        c = left > 0 ? yield* get() : -1;
      }
      let base = ch === "o" ? 8 : ch === "x" || ch === "X" || ch === "p" ? 16 : ch === "i" ? 0 : 10;
      let digits = 0;
      let v = 0n;
      if ((base === 0 || base === 16) && c === 0x30 && left > 0) {
        // a leading 0: the number may be 0x…, or (for %i) octal
        digits = 1;
        left--;
        c = left > 0 ? yield* get() : -1;
        if ((c === 0x78 || c === 0x58) && left > 0) {
          base = 16;
          digits = 0;
          left--;
          c = left > 0 ? yield* get() : -1;
        } else if (base === 0) base = 8;
      }
      if (base === 0) base = 10;
      while (c >= 0 && left > 0 && digitValue(c) < base) {
        v = v * BigInt(base) + BigInt(digitValue(c));
        digits++;
        left--;
        c = left > 0 ? yield* get() : -1;
      }
      if (c >= 0) unget(c);
      if (digits === 0) return finish();
      eof = false;
      if (!suppress) {
        const sz = ch === "p" ? (size === 0 ? ptrSize : size) : size === 0 ? 4 : size;
        storeInt(mem, nextPtr(), sz, neg ? -v : v);
        assigned++;
      }
      matched++;
      continue;
    }

    if ("eEfgGaA".includes(ch)) {
      let left = width === 0 ? Infinity : width;
      let text = "";
      const take = function* (): Generator<GuestCall, void, number> {
        text += String.fromCharCode(c);
        left--;
        c = left > 0 ? yield* get() : -1;
      };
      if (c === 0x2b || c === 0x2d) yield* take();
      let digits = 0;
      while (c >= 0x30 && c <= 0x39) {
        yield* take();
        digits++;
      }
      if (c === 0x2e) {
        yield* take();
        while (c >= 0x30 && c <= 0x39) {
          yield* take();
          digits++;
        }
      }
      if (digits > 0 && (c === 0x65 || c === 0x45)) {
        yield* take();
        const sign = c as number;
        if (sign === 0x2b || sign === 0x2d) yield* take();
        let ed = 0;
        while (c >= 0x30 && c <= 0x39) {
          yield* take();
          ed++;
        }
        if (ed === 0) text += "0";
      }
      if (c >= 0) unget(c);
      if (digits === 0) return finish();
      eof = false;
      if (!suppress) {
        const v = Number(text.endsWith(".") ? text + "0" : text);
        const a = nextPtr();
        if (long) {
          f32.setFloat64(0, v, true);
          mem.w32(a, f32.getUint32(0, true));
          mem.w32(a + 4, f32.getUint32(4, true));
        } else {
          f32.setFloat32(0, v, true);
          mem.w32(a, f32.getUint32(0, true));
        }
        assigned++;
      }
      matched++;
      continue;
    }

    // an unknown conversion ends the scan
    unget(c);
    return finish();
  }
  return assigned;
}

function storeString(mem: ScanMemory, a: number, out: number[], wide: boolean): void {
  if (wide) {
    out.forEach((b, k) => mem.w16(a + 2 * k, b));
    mem.w16(a + 2 * out.length, 0);
  } else {
    out.forEach((b, k) => mem.w8(a + k, b));
    mem.w8(a + out.length, 0);
  }
}

/** A ScanInput over bytes (sscanf: the string up to its NUL). */
export function stringInput(bytes: ArrayLike<number>): ScanInput & { readonly pos: number } {
  let pos = 0;
  return {
    // eslint-disable-next-line require-yield
    get: function* () {
      return pos < bytes.length ? bytes[pos++] : -1;
    },
    unget: () => void pos--,
    get pos() {
      return pos;
    },
  };
}
