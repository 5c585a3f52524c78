/**
 * msvcrt's printf formatter (src/windows/api/crt-format.ts) against Microsoft's "Format specification
 * syntax: printf and wprintf functions" and "printf Type Field Characters" pages
 * (https://learn.microsoft.com/cpp/c-runtime-library/format-specification-syntax-printf-and-wprintf-functions).
 */
import { strict as assert } from "node:assert";
import { formatPrintf, type ArgSource } from "../src/windows/api/crt-format";

type Arg = number | bigint | { d: number } | string;

/** Arguments as an x64 caller passes them (one slot each); strings live in a fake memory. */
function source(args: Arg[]): ArgSource {
  let i = 0;
  const strings = new Map<bigint, string>();
  const next = (): Arg => args[i++];
  return {
    int32: () => {
      const v = next();
      return typeof v === "number" ? v >>> 0 : Number(BigInt.asUintN(32, v as bigint));
    },
    int64: () => {
      const v = next();
      return BigInt.asUintN(64, typeof v === "number" ? BigInt(v) : (v as bigint));
    },
    ptr: () => {
      const v = next();
      if (typeof v === "string") {
        const a = BigInt(0x1000 + strings.size * 0x100);
        strings.set(a, v);
        return a;
      }
      return BigInt.asUintN(64, typeof v === "number" ? BigInt(v) : (v as bigint));
    },
    double: () => (next() as { d: number }).d,
    string: (a, max) =>
      Uint8Array.from([...(strings.get(a) ?? "")].slice(0, max).map((c) => c.charCodeAt(0))),
    wstring: (a, max) => [...(strings.get(a) ?? "")].slice(0, max).map((c) => c.charCodeAt(0)),
    store: () => undefined,
  };
}

function fmt(f: string, ...args: Arg[]): string {
  const out = formatPrintf(
    [...f].map((c) => c.charCodeAt(0)),
    source(args),
    { ptrSize: 8 },
  );
  return String.fromCharCode(...out);
}

const d = (v: number) => ({ d: v });

describe("crt: msvcrt printf formatter", () => {
  it("integers: flags, width, precision (Flag directives, Width, Precision)", () => {
    assert.equal(
      fmt("%d|%i|%5d|%-5d|%05d|%+d|% d", 42, -42, 42, 42, 42, 42, 42),
      "42|-42|   42|42   |00042|+42| 42",
    );
    assert.equal(fmt("%.3d|%.0d|%8.4x|%-08d", 7, 0, 0xab, 5), "007||    00ab|5       ");
    assert.equal(
      fmt("%u|%x|%X|%#x|%#X|%#o|%o|%#x", -1, 255, 255, 255, 255, 8, 8, 0),
      "4294967295|ff|FF|0xff|0XFF|010|10|0",
    );
  });
  it("size prefixes h, hh, l, ll, I32, I64, I (Size prefixes for printf and wprintf format-type specifiers)", () => {
    assert.equal(
      fmt("%hd|%hu|%hhd|%ld|%lu", 70000, 70000, 300, -7, 4000000000),
      "4464|4464|44|-7|4000000000",
    );
    assert.equal(
      fmt("%llu|%lld", 18446744073709551615n, -9223372036854775808n),
      "18446744073709551615|-9223372036854775808",
    );
    assert.equal(
      fmt("%I64d|%I64x|%I32d|%Id|%zu", 1234567890123n, 0x123456789abcdefn, -5, -1n, 12345n),
      "1234567890123|123456789abcdef|-5|-1|12345",
    );
  });
  it("%p: the pointer's digits, upper case, padded to its width", () => {
    assert.equal(fmt("%p", 0x1234), "0000000000001234");
    assert.equal(
      String.fromCharCode(...formatPrintf([0x25, 0x70], source([0x1234]), { ptrSize: 4 })),
      "00001234",
    );
  });
  it("strings and characters: %s %ls %S %c %lc %%, precision truncates, NULL is (null)", () => {
    assert.equal(
      fmt("[%s][%10s][%-10s][%.3s]", "hello", "right", "left", "truncate"),
      "[hello][     right][left      ][tru]",
    );
    assert.equal(
      fmt("[%ls][%S][%c][%3c][%lc][%%]", "wide", "WIDE", 65, 66, 87),
      "[wide][WIDE][A][  B][W][%]",
    );
    assert.equal(fmt("%s", 0), "(null)");
  });
  it("%f: default precision 6, rounding half away from zero, # keeps the point", () => {
    assert.equal(
      fmt("%f|%.2f|%10.3f|%-10.1f|%+f", d(3.14159265), d(2.675), d(-1.5), d(2.25), d(1)),
      "3.141593|2.67|    -1.500|2.3       |+1.000000",
    );
    assert.equal(fmt("%08.2f|%.0f|%#.0f|%f", d(-3.5), d(2.5), d(3), d(0)), "-0003.50|3|3.|0.000000");
    assert.equal(fmt("%.20f", d(0.1)), "0.10000000000000001000");
    assert.equal(fmt("%.2f|%f", d(999.999), d(1e20)), "1000.00|100000000000000000000.000000");
  });
  it("%e/%E: d.dddde±ddd with msvcrt.dll's three-digit exponent", () => {
    assert.equal(
      fmt("%e|%E|%.2e|%12.4e|%e", d(12345.678), d(0.000123), d(1), d(-98765.4321), d(0)),
      "1.234568e+004|1.230000E-004|1.00e+000|-9.8765e+004|0.000000e+000",
    );
    assert.equal(fmt("%e|%.0e|%#.0e", d(1e-300), d(9.5), d(2)), "1.000000e-300|1e+001|2.e+000");
  });
  it("%g/%G: %e when the exponent is < -4 or >= the precision, trailing zeros removed unless #", () => {
    assert.equal(
      fmt(
        "%g|%g|%g|%G|%g|%#g|%.3g",
        d(100000),
        d(1000000),
        d(0.0001),
        d(0.00001),
        d(1.5),
        d(1.5),
        d(3.14159),
      ),
      "100000|1e+006|0.0001|1E-005|1.5|1.50000|3.14",
    );
    assert.equal(fmt("%g|%.0g|%g", d(0), d(123), d(123456789)), "0|1e+002|1.23457e+008");
  });
  it("%a/%A: hexadecimal significand, 13 digits by default", () => {
    assert.equal(
      fmt("%a|%A|%.2a|%a", d(1), d(-0.5), d(3), d(0)),
      "0x1.0000000000000p+0|-0X1.0000000000000P-1|0x1.80p+1|0x0.0000000000000p+0",
    );
  });
  it("* width and precision from the arguments; a negative width means '-'", () => {
    assert.equal(
      fmt("[%*d][%-*d][%.*f][%*.*s][%*d]", 6, 42, 6, 42, 3, d(3.14159), 8, 3, "abcdef", -4, 7),
      "[    42][42    ][3.142][     abc][7   ]",
    );
  });
  it("msvcrt's infinity and NaN: 1.#INF, 1.#QNAN, -1.#IND", () => {
    assert.equal(fmt("%f|%f|%e", d(Infinity), d(-Infinity), d(Infinity)), "1.#INF00|-1.#INF00|1.#INF00e+000");
    assert.equal(fmt("%f|%f", d(NaN), d(-NaN)), "1.#QNAN0|1.#QNAN0");
  });
});
