/**
 * The printf formatter of msvcrt.dll (the system C runtime that mingw-w64 programs import), as Microsoft
 * documents it in "Format specification syntax: printf and wprintf functions"
 * (https://learn.microsoft.com/cpp/c-runtime-library/format-specification-syntax-printf-and-wprintf-functions)
 * and "printf Type Field Characters", with the legacy msvcrt.dll behaviours that page calls out:
 *
 * - `%e`/`%E` (and `%g` in exponent form) print a three-digit exponent (`1.000000e+000`); the two-digit
 *   form is the UCRT's (Visual Studio 2015 and later) and `_set_output_format(_TWO_DIGIT_EXPONENT)`.
 * - Infinity and NaN print as `1.#INF`, `1.#QNAN`, `-1.#IND` followed by the precision's digits
 *   (`%f` of +inf: `1.#INF00`), the legacy form the page describes for code built before VS2015.
 * - `%p` prints the pointer's hexadecimal digits, upper case, padded to the pointer's width, without `0x`.
 * - Size prefixes: `h`, `hh` (char), `l` (32-bit: long is 32 bits on Windows), `ll`/`I64` (64-bit),
 *   `I32`, `I` (pointer-sized), `L` (long double = double), `w` (wide); `j`, `z`, `t` as the page lists them
 *   (`intmax_t`, `size_t`, `ptrdiff_t`).
 * - Floating-point digits: msvcrt.dll converts a double to at most 17 significant decimal digits and pads
 *   with zeros (`%.20f` of 0.1 is `0.10000000000000001000`), rounding the decimal string half away from zero.
 *
 * The formatter is pure: arguments come from an `ArgSource` (the caller reads them from the guest stack,
 * registers or a va_list), the output is bytes in the ANSI code page (taken to be Latin-1).
 */

/** The variable arguments of one call, consumed in order. */
export interface ArgSource {
  /** The next 32-bit integer argument (as an unsigned value). */
  int32(): number;
  /** The next 64-bit integer argument as a BigInt (unsigned). */
  int64(): bigint;
  /** The next pointer-sized argument. */
  ptr(): bigint;
  /** The next double. */
  double(): number;
  /** A NUL-terminated 8-bit string at `addr`. */
  string(addr: bigint, max: number): Uint8Array;
  /** A NUL-terminated UTF-16 string at `addr`, as code units. */
  wstring(addr: bigint, max: number): number[];
  /** `%n`: store `count` at `addr` with `size` bytes. */
  store(addr: bigint, size: number, count: number): void;
}

export interface FormatOptions {
  /** 4 or 8: the width of %p and of the `I` and `z` prefixes. */
  readonly ptrSize: 4 | 8;
  /** wprintf: `%s` and `%c` take wide arguments (and `%hs` narrow ones). */
  readonly wide?: boolean;
}

interface Spec {
  minus: boolean;
  plus: boolean;
  space: boolean;
  hash: boolean;
  zero: boolean;
  width: number;
  precision: number | undefined;
}

const ch = (s: string): number => s.charCodeAt(0);

function bytes(s: string): number[] {
  const out: number[] = [];
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    out.push(c < 0x100 ? c : 0x3f);
  }
  return out;
}

/** Pads `body` (with its sign/prefix separate, so zero padding goes between) to the width. */
function pad(sp: Spec, prefix: string, body: string, zeroAllowed: boolean): string {
  const len = prefix.length + body.length;
  if (len >= sp.width) return prefix + body;
  const fill = sp.width - len;
  if (sp.minus) return prefix + body + " ".repeat(fill);
  if (sp.zero && zeroAllowed) return prefix + "0".repeat(fill) + body;
  return " ".repeat(fill) + prefix + body;
}

// ---------------------------------------------------------------------------------------------
// floating point

/** Digits (no point) and decimal exponent of |v|: v = 0.d1d2d3… × 10^exp, at most 17 significant digits. */
function decimal(v: number): { digits: string; exp: number } {
  if (v === 0) return { digits: "0", exp: 1 };
  const s = Math.abs(v).toExponential(16); // d.dddddddddddddddde±x: 17 significant digits
  const [m, e] = s.split("e");
  return { digits: m.replace(".", "").replace(/0+$/, "") || "0", exp: Number(e) + 1 };
}

/**
 * Rounds digits×10^exp (0.d1d2… form) half away from zero to `keep` significant digits
 * (keep may be ≤ 0: everything is rounded away, possibly carrying into a new leading digit).
 */
function roundDigits(d: { digits: string; exp: number }, keep: number): { digits: string; exp: number } {
  const { digits, exp } = d;
  if (keep >= digits.length) return { digits: digits + "0".repeat(keep - digits.length), exp };
  if (keep < 0) return { digits: "", exp };
  const up = digits.charCodeAt(keep) >= ch("5");
  let kept = digits.slice(0, keep);
  if (!up) return { digits: kept, exp };
  const a = kept.split("").map(Number);
  let i = a.length - 1;
  while (i >= 0 && a[i] === 9) a[i--] = 0;
  if (i < 0) {
    a.unshift(1);
    a.pop();
    kept = a.join("");
    return { digits: kept.length === 0 ? "1" : kept, exp: exp + 1 };
  }
  a[i]++;
  return { digits: a.join(""), exp };
}

/** %f body of |v| with `prec` decimals. */
function fixed(v: number, prec: number, hash: boolean): string {
  const d = decimal(v);
  const r = v === 0 ? { digits: "0".repeat(Math.max(1, prec + 1)), exp: 1 } : roundDigits(d, d.exp + prec);
  let digits = r.digits;
  let exp = r.exp;
  if (digits === "") {
    // rounded away entirely: 0.000…, or a carry produced 1 at the last place
    digits = "0";
    exp = 1;
    if (d.exp + prec === 0 && d.digits.charCodeAt(0) >= ch("5")) return fixed(10 ** -prec, prec, hash);
  }
  let int: string;
  let frac: string;
  if (exp <= 0) {
    int = "0";
    frac = ("0".repeat(-exp) + digits).padEnd(prec, "0").slice(0, prec);
  } else {
    const all = digits.padEnd(exp + prec, "0");
    int = all.slice(0, exp);
    frac = all.slice(exp, exp + prec);
  }
  return prec > 0 || hash ? `${int}.${frac}` : int;
}

/** Exponent suffix: msvcrt.dll's three digits. */
function expSuffix(e: number, upper: boolean): string {
  return (upper ? "E" : "e") + (e < 0 ? "-" : "+") + String(Math.abs(e)).padStart(3, "0");
}

/** %e body of |v|: d.ddd…e±ddd. */
function exponential(v: number, prec: number, hash: boolean, upper: boolean): string {
  let digits: string;
  let e: number;
  if (v === 0) {
    digits = "0".repeat(prec + 1);
    e = 0;
  } else {
    const r = roundDigits(decimal(v), prec + 1);
    digits = r.digits;
    e = r.exp - 1;
  }
  const m = prec > 0 || hash ? `${digits[0]}.${digits.slice(1)}` : digits[0];
  return m + expSuffix(e, upper);
}

/** %g body of |v|. */
function general(v: number, precIn: number, hash: boolean, upper: boolean): string {
  const p = precIn === 0 ? 1 : precIn;
  const x = v === 0 ? 0 : roundDigits(decimal(v), p).exp - 1;
  let s: string;
  let expPart = "";
  if (x < -4 || x >= p) {
    s = exponential(v, p - 1, hash, upper);
    const k = s.search(/[eE]/);
    expPart = s.slice(k);
    s = s.slice(0, k);
  } else s = fixed(v, p - 1 - x, hash);
  if (!hash && s.includes(".")) s = s.replace(/0+$/, "").replace(/\.$/, "");
  return s + expPart;
}

/** %a body of |v|: 0xh.hhhp±d (13 hexadecimal digits by default). */
function hexFloat(v: number, prec: number | undefined, upper: boolean): string {
  const dv = new DataView(new ArrayBuffer(8));
  dv.setFloat64(0, Math.abs(v));
  const bits = dv.getBigUint64(0);
  let e = Number((bits >> 52n) & 0x7ffn);
  let mant = bits & 0xfffffffffffffn;
  let lead = 1n;
  if (e === 0) {
    lead = 0n;
    e = mant === 0n ? 0 : -1022;
  } else e -= 1023;
  const p = prec ?? 13;
  if (p < 13) {
    const drop = BigInt(4 * (13 - p));
    const full = (lead << 52n) | mant;
    const half = 1n << (drop - 1n);
    let r = full >> drop;
    if ((full & ((1n << drop) - 1n)) >= half) r += 1n;
    lead = r >> BigInt(4 * p);
    mant = r & ((1n << BigInt(4 * p)) - 1n);
  } else mant <<= BigInt(4 * (p - 13));
  const hex = p > 0 ? mant.toString(16).padStart(p, "0") : "";
  let s = `0x${lead.toString(16)}${p > 0 ? "." + hex : ""}p${e < 0 ? "-" : "+"}${Math.abs(e)}`;
  if (upper) s = s.toUpperCase();
  return s;
}

/** msvcrt.dll's special values: 1.#INF, 1.#QNAN, 1.#IND (negative NaN), shaped by the precision. */
function signBit(v: number): boolean {
  const dv = new DataView(new ArrayBuffer(8));
  dv.setFloat64(0, v);
  return dv.getUint8(0) >= 0x80;
}

function special(v: number, conv: string, prec: number, upper: boolean): string {
  const neg = signBit(v);
  const word = v === Infinity || v === -Infinity ? "1.#INF" : neg ? "1.#IND" : "1.#QNAN";
  let s = word;
  const lc = conv.toLowerCase();
  if (lc === "f") s = word.padEnd(2 + prec, "0");
  else if (lc === "e") s = word.padEnd(2 + prec, "0") + expSuffix(0, upper);
  else if (lc === "g") s = word;
  if (upper) s = s.toUpperCase();
  return s;
}

// ---------------------------------------------------------------------------------------------

/**
 * Formats `fmt` (bytes of the format string, or UTF-16 units for wprintf) with `args`. Returns the output
 * as 8-bit characters (wprintf: UTF-16 code units).
 */
export function formatPrintf(fmt: ArrayLike<number>, args: ArgSource, o: FormatOptions): number[] {
  const out: number[] = [];
  const wide = o.wide === true;
  const emit = (s: string): void => {
    if (wide) for (let i = 0; i < s.length; i++) out.push(s.charCodeAt(i));
    else out.push(...bytes(s));
  };
  let i = 0;
  const n = fmt.length;
  const c = (): string => (i < n ? String.fromCharCode(fmt[i]) : "");
  while (i < n) {
    const f = fmt[i];
    if (f === 0) break;
    if (f !== 0x25) {
      out.push(f);
      i++;
      continue;
    }
    i++;
    const sp: Spec = {
      minus: false,
      plus: false,
      space: false,
      hash: false,
      zero: false,
      width: 0,
      precision: undefined,
    };
    // flags
    for (;;) {
      const x = c();
      if (x === "-") sp.minus = true;
      else if (x === "+") sp.plus = true;
      else if (x === " ") sp.space = true;
      else if (x === "#") sp.hash = true;
      else if (x === "0") sp.zero = true;
      else break;
      i++;
    }
    // width
    if (c() === "*") {
      i++;
      const w = args.int32() | 0;
      if (w < 0) {
        sp.minus = true;
        sp.width = -w;
      } else sp.width = w;
    } else
      while (c() >= "0" && c() <= "9") {
        sp.width = sp.width * 10 + Number(c());
        i++;
      }
    // precision
    if (c() === ".") {
      i++;
      if (c() === "*") {
        i++;
        const p = args.int32() | 0;
        sp.precision = p < 0 ? undefined : p;
      } else {
        let p = 0;
        while (c() >= "0" && c() <= "9") {
          p = p * 10 + Number(c());
          i++;
        }
        sp.precision = p;
      }
    }
    // size
    let size: "" | "hh" | "h" | "l" | "ll" | "L" | "w" = "";
    const ptrBits = o.ptrSize === 8 ? "ll" : "l";
    const x = c();
    if (x === "h") {
      i++;
      size = "h";
      if (c() === "h") {
        i++;
        size = "hh";
      }
    } else if (x === "l") {
      i++;
      size = "l";
      if (c() === "l") {
        i++;
        size = "ll";
      }
    } else if (x === "L") {
      i++;
      size = "L";
    } else if (x === "w") {
      i++;
      size = "w";
    } else if (x === "j") {
      i++;
      size = "ll";
    } else if (x === "z" || x === "t") {
      i++;
      size = ptrBits;
    } else if (x === "I") {
      const a = String.fromCharCode(fmt[i + 1] ?? 0, fmt[i + 2] ?? 0);
      if (a === "64") {
        i += 3;
        size = "ll";
      } else if (a === "32") {
        i += 3;
        size = "l";
      } else {
        i++;
        size = ptrBits;
      }
    }
    const conv = c();
    i++;
    switch (conv) {
      case "%":
        out.push(0x25);
        break;
      case "d":
      case "i":
      case "u":
      case "o":
      case "x":
      case "X": {
        let v: bigint;
        const signed = conv === "d" || conv === "i";
        if (size === "ll") v = args.int64();
        else v = BigInt(args.int32() >>> 0);
        // narrow, then sign-extend for %d
        const bits = size === "ll" ? 64 : size === "h" ? 16 : size === "hh" ? 8 : 32;
        v &= (1n << BigInt(bits)) - 1n;
        let neg = false;
        if (signed && v >> BigInt(bits - 1) === 1n) {
          v = (1n << BigInt(bits)) - v;
          neg = true;
        }
        const radix = conv === "o" ? 8 : conv === "x" || conv === "X" ? 16 : 10;
        let digits = v.toString(radix);
        if (conv === "X") digits = digits.toUpperCase();
        if (sp.precision !== undefined) {
          if (sp.precision === 0 && v === 0n) digits = "";
          else digits = digits.padStart(sp.precision, "0");
        }
        let prefix = "";
        if (signed) prefix = neg ? "-" : sp.plus ? "+" : sp.space ? " " : "";
        if (sp.hash && v !== 0n) {
          if (conv === "o" && !digits.startsWith("0")) digits = "0" + digits;
          if (conv === "x") prefix = "0x";
          if (conv === "X") prefix = "0X";
        }
        emit(pad(sp, prefix, digits, sp.precision === undefined));
        break;
      }
      case "p": {
        const v = args.ptr();
        let digits = v
          .toString(16)
          .toUpperCase()
          .padStart(2 * o.ptrSize, "0");
        if (sp.precision !== undefined) digits = digits.padStart(sp.precision, "0");
        emit(pad(sp, "", digits, false));
        break;
      }
      case "c":
      case "C": {
        const wideArg =
          conv === "C" ? !wide && size !== "h" : size === "l" || size === "w" || (wide && size !== "h");
        const v = args.int32();
        const code = wideArg ? v & 0xffff : v & 0xff;
        const s =
          wide || !wideArg ? String.fromCharCode(code) : String.fromCharCode(code < 0x100 ? code : 0x3f);
        emit(pad(sp, "", s, false));
        break;
      }
      case "s":
      case "S":
      case "Z": {
        const p = args.ptr();
        const wideArg =
          conv === "S" ? !wide && size !== "h" : size === "l" || size === "w" || (wide && size !== "h");
        const max = sp.precision ?? 0x7fffffff;
        let s: string;
        if (conv === "Z") {
          // ANSI_STRING / UNICODE_STRING: Length, MaximumLength, Buffer
          s = p === 0n ? "(null)" : "(Z unsupported)";
        } else if (p === 0n) s = wideArg ? "(null)" : "(null)";
        else if (wideArg) s = String.fromCharCode(...args.wstring(p, max));
        else s = String.fromCharCode(...args.string(p, max));
        if (sp.precision !== undefined) s = s.slice(0, sp.precision);
        emit(pad(sp, "", s, false));
        break;
      }
      case "n": {
        const p = args.ptr();
        args.store(p, size === "h" ? 2 : size === "hh" ? 1 : size === "ll" ? 8 : 4, out.length);
        break;
      }
      case "e":
      case "E":
      case "f":
      case "F":
      case "g":
      case "G":
      case "a":
      case "A": {
        const v = args.double();
        const upper = conv === "E" || conv === "G" || conv === "A";
        const lc = conv.toLowerCase();
        const prec = sp.precision ?? 6;
        const negative = signBit(v);
        let body: string;
        let finite = true;
        if (!Number.isFinite(v)) {
          finite = false;
          body = special(v, lc === "f" ? "f" : lc, prec, upper);
        } else if (lc === "f") body = fixed(v, prec, sp.hash);
        else if (lc === "e") body = exponential(v, prec, sp.hash, upper);
        else if (lc === "g") body = general(v, prec, sp.hash, upper);
        else body = hexFloat(v, sp.precision, upper);
        const sign = negative ? "-" : sp.plus ? "+" : sp.space ? " " : "";
        if (lc === "a" && finite) {
          // zero padding goes after "0x"
          const px = body.slice(0, 2);
          emit(pad(sp, sign + px, body.slice(2), true));
        } else emit(pad(sp, sign, body, finite));
        break;
      }
      default:
        // An unknown type character: msvcrt copies it to the output.
        if (conv !== "") emit(conv);
        break;
    }
  }
  return out;
}
