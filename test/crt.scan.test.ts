/**
 * The pure parts of the C runtime: the scanf engine (src/windows/api/crt-scan.ts), msvcrt's strtod grammar
 * and strftime in the "C" locale (crt-stdlib.ts). Expected values: Microsoft's "scanf Type Field
 * Characters", "scanf Width Specification", strtod (pre-UCRT grammar: no hexadecimal floats) and strftime
 * pages, and the C standard 7.21.6.2 (the scanf return value).
 */
import { strict as assert } from "node:assert";
import { scanFormat, stringInput } from "../src/windows/api/crt-scan";
import { parseDouble, strftime } from "../src/windows/api/crt-stdlib";

/** Runs sscanf over a fake memory; returns the result and the stored bytes by argument. */
function sscanf(
  input: string,
  fmt: string,
  nargs: number,
): { r: number; mem: DataView; at: (k: number) => number } {
  const buf = new DataView(new ArrayBuffer(64 * (nargs + 1)));
  let k = 0;
  const mem = {
    w8: (a: number, v: number) => buf.setUint8(a, v),
    w16: (a: number, v: number) => buf.setUint16(a, v, true),
    w32: (a: number, v: number) => buf.setUint32(a, v >>> 0, true),
    w64: (a: number, v: number) => buf.setBigUint64(a, BigInt(v), true),
  };
  const bytes = (s: string) => Array.from(s, (c) => c.charCodeAt(0));
  const r = scanFormat(bytes(fmt), stringInput(bytes(input)), () => 64 * k++, mem, 8);
  return { r, mem: buf, at: (i) => 64 * i };
}

const i32 = (s: ReturnType<typeof sscanf>, k: number) => s.mem.getInt32(s.at(k), true);
const str = (s: ReturnType<typeof sscanf>, k: number) => {
  let out = "";
  for (let a = s.at(k); s.mem.getUint8(a) !== 0; a++) out += String.fromCharCode(s.mem.getUint8(a));
  return out;
};

describe("crt: the scanf engine", () => {
  it("converts integers in every base with widths and sizes", () => {
    let s = sscanf("42 -17 0x1f 017", "%d %i %x %o", 4);
    assert.deepEqual([s.r, i32(s, 0), i32(s, 1), i32(s, 2), i32(s, 3)], [4, 42, -17, 31, 15]);
    s = sscanf("-0x10 010 12", "%i %i %i", 3);
    assert.deepEqual([s.r, i32(s, 0), i32(s, 1), i32(s, 2)], [3, -16, 8, 12]);
    s = sscanf("12345678", "%3d%2d%n", 3);
    assert.deepEqual([s.r, i32(s, 0), i32(s, 1), i32(s, 2)], [2, 123, 45, 5]);
    s = sscanf("70000 -1", "%hd %I64d", 2);
    assert.equal(s.mem.getInt16(s.at(0), true), 4464); // 70000 mod 2^16
    assert.equal(s.mem.getBigInt64(s.at(1), true), -1n);
  });

  it("reads strings, characters and scan sets", () => {
    let s = sscanf("hello world", "%s %3c", 2);
    assert.equal(s.r, 2);
    assert.equal(str(s, 0), "hello");
    assert.equal(String.fromCharCode(s.mem.getUint8(s.at(1)), s.mem.getUint8(s.at(1) + 1)), "wo");
    s = sscanf("abc123def", "%[a-z]%[^a-z]", 2);
    assert.deepEqual([s.r, str(s, 0), str(s, 1)], [2, "abc", "123"]);
    s = sscanf("]]x", "%[]]", 1); // ']' first in the set is a member
    assert.deepEqual([s.r, str(s, 0)], [1, "]]"]);
  });

  it("stores float and double", () => {
    const s = sscanf("3.5 -2.5e3 1e-2", "%f %lf %le", 3);
    assert.equal(s.r, 3);
    assert.equal(s.mem.getFloat32(s.at(0), true), 3.5);
    assert.equal(s.mem.getFloat64(s.at(1), true), -2500);
    assert.equal(s.mem.getFloat64(s.at(2), true), 0.01);
  });

  it("returns the fields assigned, or EOF when the input ends before the first conversion", () => {
    assert.equal(sscanf("skip 7", "%*s %d", 1).r, 1);
    assert.equal(sscanf("12 abc", "%d %d", 2).r, 1);
    assert.equal(sscanf("abc", "%d", 1).r, 0);
    assert.equal(sscanf("", "%d", 1).r, -1);
    assert.equal(sscanf("   ", "%d", 1).r, -1);
    assert.equal(sscanf("x", "x%d", 1).r, -1);
    assert.equal(sscanf("25%", "%d%%", 1).r, 1);
  });
});

describe("crt: msvcrt's strtod grammar and strftime", () => {
  it("strtod: decimal only, d/D exponents, the end pointer", () => {
    assert.deepEqual(parseDouble("1e-5"), { v: 1e-5, end: 4, range: false });
    assert.deepEqual(parseDouble("0x1p4"), { v: 0, end: 1, range: false }); // no hexadecimal floats
    assert.deepEqual(parseDouble("  -12.5e+2xyz"), { v: -1250, end: 10, range: false });
    assert.deepEqual(parseDouble("1.5d2"), { v: 150, end: 5, range: false });
    assert.deepEqual(parseDouble("inf"), { v: 0, end: 0, range: false });
    assert.equal(parseDouble("1e999").range, true);
    assert.equal(parseDouble("1e-999").range, true);
  });

  it("strftime in the C locale", () => {
    // 2001-09-09 01:46:40 UTC, a Sunday, day 252 of the year; 2001-01-01 was a Monday: %U (weeks from the
    // first Sunday, Jan 7) and %W (from the first Monday, Jan 1) are both 36
    const tm = { sec: 40, min: 46, hour: 1, mday: 9, mon: 8, year: 101, wday: 0, yday: 251, isdst: 0 };
    assert.equal(
      strftime("%c|%x|%X|%I %p|%#d|%y|%U|%W|%w", tm),
      "09/09/01 01:46:40|09/09/01|01:46:40|01 AM|9|01|36|36|0",
    );
    assert.equal(strftime("%Q", tm), undefined);
  });
});
