// FsRtlIsNameInExpression semantics, from Microsoft's page
// (https://learn.microsoft.com/en-us/windows-hardware/drivers/ddi/ntifs/nf-ntifs-_fsrtl_advanced_fcb_header-fsrtlisnameinexpression):
// `*` zero or more, `?` exactly one, DOS_STAR `<` up to the final period, DOS_QM `>` one character or
// nothing at a period / the end, DOS_DOT `"` a period or nothing at the end; one empty string → FALSE, two
// → TRUE. The Win32 pattern conversion is kernelbase's FindFirstFileExW one (`*.*` also matches names
// without a period, as FindFirstFile documents for `*.*`).
import { strict as assert } from "node:assert";
import { isNameInExpression, win32PatternToNtExpression } from "../src/windows/fs/wildcard";

// [expression, name, expected]
const CASES: [string, string, boolean][] = [
  ["*", "anything.txt", true],
  ["*", "", false],
  ["", "", true],
  ["", "a", false],
  ["*.TXT", "readme.txt", true],
  ["*.TXT", "readme.txt.bak", false],
  ["A?C", "abc", true],
  ["A?C", "ac", false],
  ["A?C", "abbc", false],
  ["*B*", "abc", true],
  ["A*C*E", "abcde", true],
  ["A*C*E", "abcdf", false],
  // DOS_STAR: up to the final period only.
  ["<", "readme", true],
  ["<", "a.b", false],
  ['<"TXT', "a.b.txt", true],
  ['<"TXT', "a.txt.b", false],
  ["<.C", "x.y.c", true],
  // DOS_QM: one character, or nothing at a period or the end ("8.3" matching of `?`).
  [">>>", "ab", true],
  [">>>", "abcd", false],
  ['>>">', "ab.c", true],
  ['>>">', "a.c", true],
  ['>>">', "abc.c", false],
  // DOS_DOT: a period, or nothing at the end.
  ['A"', "a", true],
  ['A"', "a.", true],
  ['A"B', "ab", false],
  // Case-insensitive.
  ["*.Dll", "NTDLL.DLL", true],
];

describe("fs wildcards (FsRtlIsNameInExpression)", () => {
  for (const [expr, name, want] of CASES) {
    it(`${JSON.stringify(expr)} ~ ${JSON.stringify(name)} = ${want}`, () => {
      assert.equal(isNameInExpression(expr, name, true), want);
    });
  }

  it("is case-sensitive when asked", () => {
    assert.equal(isNameInExpression("A*", "abc", false), false);
    assert.equal(isNameInExpression("a*", "abc", false), true);
  });

  it("converts Win32 patterns as FindFirstFileExW does", () => {
    assert.equal(win32PatternToNtExpression("*.*"), '<"*');
    assert.equal(win32PatternToNtExpression("*."), '<"');
    assert.equal(win32PatternToNtExpression("file?.txt"), "file>.txt");
    assert.equal(win32PatternToNtExpression("*.txt"), "<.txt");
    const m = (p: string, n: string): boolean => isNameInExpression(win32PatternToNtExpression(p), n);
    assert.equal(m("*.*", "README"), true);
    assert.equal(m("*.*", "a.b.c"), true);
    assert.equal(m("*.", "README"), true);
    assert.equal(m("*.", "a.txt"), false);
    assert.equal(m("*.txt", "notes.txt"), true);
    assert.equal(m("*.txt", "notes.txt.old"), false);
    assert.equal(m("????.txt", "ab.txt"), true);
    assert.equal(m("????.txt", "abcde.txt"), false);
  });
});
