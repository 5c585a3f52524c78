/**
 * FsRtlIsNameInExpression: whether a file name matches a directory-query expression
 * (https://learn.microsoft.com/en-us/windows-hardware/drivers/ddi/ntifs/nf-ntifs-_fsrtl_advanced_fcb_header-fsrtlisnameinexpression):
 *
 * - `*` matches zero or more characters, `?` exactly one;
 * - DOS_STAR (`<`) matches zero or more characters up to the name's final period (it never consumes the
 *   final period itself);
 * - DOS_QM (`>`) matches any single character, or, at a period or the end of the name, nothing (the
 *   expression moves past the run of DOS_QMs);
 * - DOS_DOT (`"`) matches a period, or nothing at the end of the name;
 * - if exactly one of the strings is empty the result is FALSE (`*` does not match the empty name); two
 *   empty strings match.
 */
import { upcase } from "./path";

export const DOS_STAR = "<";
export const DOS_QM = ">";
export const DOS_DOT = '"';

/** FsRtlDoesNameContainWildCards. */
export function containsWildcards(expr: string): boolean {
  return /[*?<>"]/.test(expr);
}

export function isNameInExpression(expression: string, name: string, ignoreCase = true): boolean {
  if (expression.length === 0 || name.length === 0) return expression.length === 0 && name.length === 0;
  const e = ignoreCase ? upcase(expression) : expression;
  const n = ignoreCase ? upcase(name) : name;
  const lastDot = n.lastIndexOf(".");
  const E = e.length;
  const N = n.length;
  // memo[i * (N + 1) + j]: 0 unknown, 1 match, 2 no match.
  const memo = new Uint8Array((E + 1) * (N + 1));
  const match = (i: number, j: number): boolean => {
    const k = i * (N + 1) + j;
    if (memo[k] !== 0) return memo[k] === 1;
    let r: boolean;
    if (i === E) r = j === N;
    else {
      const c = e[i];
      if (c === "*") r = match(i + 1, j) || (j < N && match(i, j + 1));
      else if (c === "?") r = j < N && match(i + 1, j + 1);
      else if (c === DOS_STAR) r = match(i + 1, j) || (j < N && j !== lastDot && match(i, j + 1));
      else if (c === DOS_QM) {
        if (j === N || n[j] === ".") {
          let t = i;
          while (t < E && e[t] === DOS_QM) t++;
          r = match(t, j);
        } else r = match(i + 1, j + 1);
      } else if (c === DOS_DOT) {
        if (j === N) r = match(i + 1, j);
        else r = n[j] === "." && match(i + 1, j + 1);
      } else r = j < N && n[j] === c && match(i + 1, j + 1);
    }
    memo[k] = r ? 1 : 2;
    return r;
  };
  return match(0, 0);
}

/**
 * The expression kernelbase's FindFirstFileExW passes to NtQueryDirectoryFile for a Win32 pattern:
 * `?` becomes DOS_QM, `*` followed by `.` becomes DOS_STAR, `.` followed by `?`, `*` or the end becomes
 * DOS_DOT. So `*.*` (`<"*`) also matches names without an extension and `*.` (`<"`) only those.
 */
export function win32PatternToNtExpression(pattern: string): string {
  let out = "";
  for (let i = 0; i < pattern.length; i++) {
    const c = pattern[i];
    const next = i + 1 < pattern.length ? pattern[i + 1] : "";
    if (c === "?") out += DOS_QM;
    else if (c === "*" && next === ".") out += DOS_STAR;
    else if (c === "." && (next === "?" || next === "*" || next === "")) out += DOS_DOT;
    else out += c;
  }
  return out;
}
