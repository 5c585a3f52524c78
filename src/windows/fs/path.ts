/**
 * Win32 (DOS) path names to NT path names, as ntdll's RtlGetFullPathName_U and RtlDosPathNameToNtPathName_U
 * do it: lexically, without touching the file system. The rules follow Microsoft's "File path formats on
 * Windows systems" (https://learn.microsoft.com/en-us/dotnet/standard/io/file-path-formats), sections
 * "Identify the path", "Apply the current directory", "Canonicalize separators", "Evaluate relative
 * components", "Trim characters" and "Skip normalization":
 *
 * - `\\?\…` is not normalised at all: the prefix becomes `\??\` and the rest is passed on verbatim;
 * - `\\.\…` (and `\\?\` written with forward slashes) is a device path, normalised, whose root is the
 *   `\\.\` prefix itself (`..` may remove the device name);
 * - `\\server\share\…` is UNC (root `\\server\share`), NT form `\??\UNC\server\share\…`;
 * - `C:\…` is drive-absolute, `C:x` drive-relative (relative to the current directory when it is on that
 *   drive, else to the drive's root: we keep no `=X:` per-drive directories), `\x` rooted on the current
 *   directory's drive, anything else relative to the current directory;
 * - forward slashes become backslashes and runs of separators collapse (after the first two);
 * - `.` segments are removed, `..` removes the previous segment but never the root;
 * - a segment ending in a single period loses it; when the path does not end in a separator, trailing
 *   periods and spaces of the last segment are removed;
 * - a legacy DOS device name as the last segment (CON, PRN, AUX, NUL, COM1-9, LPT1-9, also with an
 *   extension or a colon: `nul.txt`, `C:\dir\COM1:`) is the device `\\.\NAME`. This is Windows 10's
 *   RtlIsDosDeviceName_U; Windows 11 narrowed it (only a bare name maps to the device).
 */
import { STATUS_OBJECT_NAME_INVALID, STATUS_SUCCESS } from "./status";

export type DosPathKind =
  | "verbatim" // \\?\…
  | "device" // \\.\… or a DOS device name
  | "unc" // \\server\share\…
  | "drive-absolute" // C:\…
  | "drive-relative" // C:…
  | "rooted" // \…
  | "relative";

export interface FullPathResult {
  status: number;
  /** The full DOS path (`C:\dir\file`, `\\.\NUL`, `\\server\share\x`, `\\?\verbatim`). */
  path: string;
  kind: DosPathKind;
}

export interface NtPathResult {
  status: number;
  /** The NT path (`\??\C:\dir\file`, `\??\NUL`, `\??\UNC\server\share\x`). */
  ntPath: string;
  kind: DosPathKind;
}

const DEVICE3 = new Set(["CON", "PRN", "AUX", "NUL"]);

function isSep(c: string): boolean {
  return c === "\\" || c === "/";
}

function isDriveLetter(c: string): boolean {
  return /^[A-Za-z]$/.test(c);
}

/** The kind of a DOS path, from its first characters ("Identify the path"). */
export function dosPathKind(path: string): DosPathKind {
  if (path.startsWith("\\\\?\\")) return "verbatim";
  if (path.length >= 2 && isSep(path[0]) && isSep(path[1])) {
    if (path.length >= 3 && (path[2] === "." || path[2] === "?") && (path.length === 3 || isSep(path[3]))) {
      return "device";
    }
    return "unc";
  }
  if (path.length >= 2 && isDriveLetter(path[0]) && path[1] === ":") {
    return path.length >= 3 && isSep(path[2]) ? "drive-absolute" : "drive-relative";
  }
  if (path.length >= 1 && isSep(path[0])) return "rooted";
  return "relative";
}

/**
 * RtlIsDosDeviceName_U (Windows 10): the legacy device a DOS path names, upper-cased, or undefined.
 * UNC and device paths never name one.
 */
export function dosDeviceName(path: string): string | undefined {
  const kind = dosPathKind(path);
  if (kind === "verbatim" || kind === "device" || kind === "unc") return undefined;
  let start = 0;
  for (let i = 0; i < path.length; i++) if (isSep(path[i])) start = i + 1;
  if (start === 0 && path.length >= 2 && path[1] === ":" && isDriveLetter(path[0])) start = 2;
  let last = path.slice(start);
  // A trailing colon, then trailing dots and spaces, do not count; the base ends at the first '.' or ':'.
  if (last.endsWith(":")) last = last.slice(0, -1);
  last = last.replace(/[. ]+$/, "");
  const cut = last.search(/[.:]/);
  const base = (cut < 0 ? last : last.slice(0, cut)).replace(/ +$/, "").toUpperCase();
  if (base.length === 3 && DEVICE3.has(base)) return base;
  if (base.length === 4 && (base.startsWith("COM") || base.startsWith("LPT")) && /[1-9]/.test(base[3])) {
    return base;
  }
  return undefined;
}

/** Segments after the root, normalised: `.` dropped, `..` pops (never past the root), periods trimmed. */
function normaliseSegments(rest: string): string {
  const endsWithSep = rest.length > 0 && rest.endsWith("\\");
  const input = rest.split("\\").filter((s) => s.length > 0);
  const out: string[] = [];
  for (let i = 0; i < input.length; i++) {
    let seg = input[i];
    if (seg === ".") continue;
    if (seg === "..") {
      out.pop();
      continue;
    }
    const isLast = i === input.length - 1;
    if (isLast && !endsWithSep) {
      seg = seg.replace(/[. ]+$/, "");
      if (seg.length === 0) continue;
    } else if (/[^.]\.$/.test(seg)) {
      seg = seg.slice(0, -1);
    }
    out.push(seg);
  }
  let joined = out.join("\\");
  if (endsWithSep && out.length > 0) joined += "\\";
  return joined;
}

/** The root of a full DOS path and the rest after it (`C:\`, `\\server\share\`, `\\.\`). */
function splitRoot(full: string): { root: string; rest: string } {
  const kind = dosPathKind(full);
  if (kind === "device" || kind === "verbatim") return { root: full.slice(0, 4), rest: full.slice(4) };
  if (kind === "unc") {
    const server = full.indexOf("\\", 2);
    if (server < 0) return { root: full + "\\", rest: "" };
    const share = full.indexOf("\\", server + 1);
    if (share < 0) return { root: full + "\\", rest: "" };
    return { root: full.slice(0, share + 1), rest: full.slice(share + 1) };
  }
  return { root: full.slice(0, 3), rest: full.slice(3) };
}

/**
 * RtlGetFullPathName_U: the full DOS path of `path` given the current directory `cwd` (a full DOS path
 * with or without its trailing backslash, e.g. `C:\app`).
 */
export function getFullPathName(path: string, cwd: string): FullPathResult {
  if (path.length === 0 || path.includes("\0"))
    return { status: STATUS_OBJECT_NAME_INVALID, path: "", kind: "relative" };
  const kind = dosPathKind(path);
  if (kind === "verbatim") return { status: STATUS_SUCCESS, path, kind };
  const device = dosDeviceName(path);
  if (device !== undefined) {
    // The device keeps the case the caller wrote; only the name is taken.
    const at = path.toUpperCase().lastIndexOf(device);
    return { status: STATUS_SUCCESS, path: "\\\\.\\" + path.substr(at, device.length), kind: "device" };
  }
  let p = path.replace(/\//g, "\\");
  const cwdFull = cwd.replace(/\//g, "\\").replace(/\\?$/, "\\");
  switch (kind) {
    case "device":
      p = "\\\\" + p[2] + "\\" + p.slice(4);
      break;
    case "unc": {
      const m = /^\\\\+([^\\]*)\\*([^\\]*)(.*)$/.exec(p);
      if (m === null || m[1].length === 0) return { status: STATUS_OBJECT_NAME_INVALID, path: "", kind };
      p = "\\\\" + m[1] + "\\" + m[2] + m[3];
      break;
    }
    case "drive-absolute":
      p = p[0].toUpperCase() + p.slice(1);
      break;
    case "drive-relative":
      p =
        cwdFull[0].toUpperCase() === p[0].toUpperCase() && cwdFull[1] === ":"
          ? cwdFull + p.slice(2)
          : p[0].toUpperCase() + ":\\" + p.slice(2);
      break;
    case "rooted":
      p = splitRoot(cwdFull).root + p.replace(/^\\+/, "");
      break;
    case "relative":
      p = cwdFull + p;
      break;
  }
  const { root, rest } = splitRoot(p);
  const full = root + normaliseSegments(rest.replace(/\\{2,}/g, "\\"));
  return { status: STATUS_SUCCESS, path: full, kind };
}

/** RtlDosPathNameToNtPathName_U: the NT path of a DOS path, relative to `cwd` when not absolute. */
export function dosPathToNtPath(path: string, cwd: string): NtPathResult {
  const full = getFullPathName(path, cwd);
  if (full.status !== STATUS_SUCCESS) return { status: full.status, ntPath: "", kind: full.kind };
  const p = full.path;
  let nt: string;
  if (full.kind === "verbatim") nt = "\\??\\" + p.slice(4);
  else if (p.startsWith("\\\\.\\") || p.startsWith("\\\\?\\")) nt = "\\??\\" + p.slice(4);
  else if (p.startsWith("\\\\")) nt = "\\??\\UNC\\" + p.slice(2);
  else nt = "\\??\\" + p;
  return { status: STATUS_SUCCESS, ntPath: nt, kind: full.kind };
}

/** RtlUpcaseUnicodeChar applied to each UTF-16 unit (simple case mapping, never changes the length). */
export function upcase(s: string): string {
  let out = "";
  for (let i = 0; i < s.length; i++) {
    const c = s[i];
    const u = c.toUpperCase();
    out += u.length === 1 ? u : c;
  }
  return out;
}
