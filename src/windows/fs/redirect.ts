/**
 * The WOW64 file system redirector, as wow64.dll applies it to the NT path of every file service called
 * from 32-bit code (Microsoft, "File System Redirector",
 * https://learn.microsoft.com/en-us/windows/win32/winprog64/file-system-redirector):
 *
 * - `%windir%\System32` → `%windir%\SysWOW64`, `%windir%\lastgood\system32` → `%windir%\lastgood\SysWOW64`,
 *   `%windir%\regedit.exe` → `%windir%\SysWOW64\regedit.exe`;
 * - except `%windir%\system32\catroot`, `catroot2`, `driverstore`, `drivers\etc`, `logfiles` and `spool`,
 *   which stay in System32 (driverstore is redirected on Windows Vista / Server 2008 and earlier; we model
 *   Windows 10, where it is exempt, and where the regedit.exe rule applies: both are in the page's table
 *   for current systems);
 * - `%windir%\Sysnative` is an alias 32-bit callers use to reach the native System32; it is not a real
 *   directory, so 64-bit callers get STATUS_OBJECT_NAME_NOT_FOUND and it never appears in a listing;
 * - Wow64DisableWow64FsRedirection / Wow64RevertWow64FsRedirection switch all of this off and on for the
 *   calling thread only. Our choice: with redirection disabled Sysnative is not translated either
 *   (wow64's redirection routine returns before looking at the path).
 *
 * The UAC exception the page mentions (launching an elevated program) concerns process creation, not
 * file access, and is not modelled.
 */
import { upcase } from "./path";

const EXEMPT = new Set(["CATROOT", "CATROOT2", "DRIVERSTORE", "LOGFILES", "SPOOL"]);

/**
 * The path a 32-bit caller reaches for the NT path `ntPath` (already in `\??\C:\…` form). `windowsDir` is
 * the NT form of %windir% (default `\??\C:\Windows`).
 */
export function wow64RedirectPath(ntPath: string, windowsDir = "\\??\\C:\\Windows"): string {
  const prefix = upcase(windowsDir) + "\\";
  if (!upcase(ntPath).startsWith(prefix)) return ntPath;
  const base = ntPath.slice(0, prefix.length);
  const parts = ntPath.slice(prefix.length).split("\\");
  const up = parts.map(upcase);
  if (up[0] === "SYSTEM32") {
    if (up.length > 1 && EXEMPT.has(up[1])) return ntPath;
    if (up.length > 2 && up[1] === "DRIVERS" && up[2] === "ETC") return ntPath;
    return base + ["SysWOW64", ...parts.slice(1)].join("\\");
  }
  if (up[0] === "SYSNATIVE") return base + ["System32", ...parts.slice(1)].join("\\");
  if (up[0] === "LASTGOOD" && up[1] === "SYSTEM32") {
    return base + [parts[0], "SysWOW64", ...parts.slice(2)].join("\\");
  }
  if (up.length === 1 && up[0] === "REGEDIT.EXE") return base + "SysWOW64\\" + parts[0];
  return ntPath;
}

/**
 * Per-thread redirection state (the WOW64_TLS_FILESYSREDIR slot): Wow64DisableWow64FsRedirection returns
 * the previous value as its OldValue, Wow64RevertWow64FsRedirection restores it, so disable/revert pairs
 * nest. Threads start with redirection enabled.
 */
export class FsRedirectionState {
  private readonly disabled = new Map<number, boolean>();

  redirectionEnabled(threadId: number): boolean {
    return this.disabled.get(threadId) !== true;
  }

  /** Wow64DisableWow64FsRedirection: disables it; the result is the OldValue to pass to revert. */
  disable(threadId: number): number {
    const old = this.redirectionEnabled(threadId) ? 0 : 1;
    this.disabled.set(threadId, true);
    return old;
  }

  /** Wow64RevertWow64FsRedirection(OldValue). */
  revert(threadId: number, oldValue: number): void {
    if (oldValue === 0) this.disabled.delete(threadId);
    else this.disabled.set(threadId, true);
  }

  /** Wow64EnableWow64FsRedirection(enable): the older API, without nesting. */
  enable(threadId: number, enable: boolean): void {
    if (enable) this.disabled.delete(threadId);
    else this.disabled.set(threadId, true);
  }

  threadExited(threadId: number): void {
    this.disabled.delete(threadId);
  }
}
