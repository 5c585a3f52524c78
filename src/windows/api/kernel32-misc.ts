/**
 * kernelbase's memory-handle, private-heap, message and string helpers that console programs import:
 * LocalAlloc/LocalFree, GlobalAlloc/GlobalFree (fixed blocks on the process heap; movable memory stops as
 * unimplemented), HeapCreate/HeapDestroy/HeapValidate, FormatMessageA/W (FORMAT_MESSAGE_FROM_SYSTEM for the
 * system messages below; other sources stop as unimplemented), lstrlenA/W, lstrcmpA/W, lstrcmpiA/W.
 * Behaviour: learn.microsoft.com (winbase.h, heapapi.h pages); message texts: "System Error Codes (0-499)"
 * and "(500-999)", learn.microsoft.com/windows/win32/debug/system-error-codes--0-499-.
 */
import { unimplemented } from "../kernel/context";
import { api, FALSE, TRUE, type ApiCall, type ApiFamily, type ApiResult } from "./context";
import { ERROR_INSUFFICIENT_BUFFER, ERROR_INVALID_HANDLE, ERROR_NOT_ENOUGH_MEMORY } from "./errors";
import { createCallerHeap, destroyHeap, findHeap } from "./heap";
import { ansi, writeString } from "./sysinfo";

const LMEM_MOVEABLE = 0x2;
const LMEM_ZEROINIT = 0x40;

/** The system message table entries we carry (text as FormatMessage returns it, without the CR LF). */
export const SYSTEM_MESSAGES: ReadonlyMap<number, string> = new Map([
  [0, "The operation completed successfully."],
  [1, "Incorrect function."],
  [2, "The system cannot find the file specified."],
  [3, "The system cannot find the path specified."],
  [4, "The system cannot open the file."],
  [5, "Access is denied."],
  [6, "The handle is invalid."],
  [8, "Not enough memory resources are available to process this command."],
  [14, "Not enough memory resources are available to complete this operation."],
  [18, "There are no more files."],
  [32, "The process cannot access the file because it is being used by another process."],
  [38, "Reached the end of the file."],
  [50, "The request is not supported."],
  [80, "The file exists."],
  [87, "The parameter is incorrect."],
  [109, "The pipe has been ended."],
  [122, "The data area passed to a system call is too small."],
  [123, "The filename, directory name, or volume label syntax is incorrect."],
  [126, "The specified module could not be found."],
  [127, "The specified procedure could not be found."],
  [145, "The directory is not empty."],
  [183, "Cannot create a file when that file already exists."],
  [203, "The system could not find the environment option that was entered."],
  [234, "More data is available."],
  [259, "No more data is available."],
  [267, "The directory name is invalid."],
  [487, "Attempt to access invalid address."],
  [998, "Invalid access to memory location."],
]);

const FORMAT_MESSAGE_ALLOCATE_BUFFER = 0x100;
const FORMAT_MESSAGE_IGNORE_INSERTS = 0x200;
const FORMAT_MESSAGE_FROM_SYSTEM = 0x1000;
const FORMAT_MESSAGE_ARGUMENT_ARRAY = 0x2000;
const ERROR_RESOURCE_LANG_NOT_FOUND = 1815;

function processHeap(c: ApiCall) {
  return findHeap(c, c.readPtr(c.peb + c.layout.peb.ProcessHeap));
}

function localAlloc(c: ApiCall): ApiResult {
  const flags = c.u32(0);
  if (flags & LMEM_MOVEABLE)
    return unimplemented(c.entry.name, `movable memory (uFlags 0x${flags.toString(16)})`);
  const a = processHeap(c)?.allocate(c.arg(1), (flags & LMEM_ZEROINIT) !== 0) ?? 0;
  if (a === 0) c.setLastError(ERROR_NOT_ENOUGH_MEMORY);
  return a;
}

/** LocalFree/GlobalFree: NULL on success (and for NULL), the handle back with ERROR_INVALID_HANDLE. */
function localFree(c: ApiCall): number {
  const p = c.arg(0);
  if (p === 0 || processHeap(c)?.release(p)) return 0;
  c.setLastError(ERROR_INVALID_HANDLE);
  return p;
}

function formatMessage(c: ApiCall): ApiResult {
  const wide = !ansi(c);
  const flags = c.u32(0);
  const id = c.u32(2);
  const lang = c.u32(3);
  const known = FORMAT_MESSAGE_ALLOCATE_BUFFER | FORMAT_MESSAGE_IGNORE_INSERTS | FORMAT_MESSAGE_FROM_SYSTEM;
  if ((flags & FORMAT_MESSAGE_FROM_SYSTEM) === 0 || (flags & ~(known | FORMAT_MESSAGE_ARGUMENT_ARRAY)) !== 0)
    return unimplemented(c.entry.name, `dwFlags 0x${flags.toString(16)}`);
  if (![0, 0x400, 0x409, 0x800, 0x9].includes(lang)) {
    c.setLastError(ERROR_RESOURCE_LANG_NOT_FOUND);
    return 0;
  }
  const text = SYSTEM_MESSAGES.get(id);
  if (text === undefined) return unimplemented(c.entry.name, `system message ${id} is not in our table`);
  const out = text + "\r\n";
  const unit = wide ? 2 : 1;
  if (flags & FORMAT_MESSAGE_ALLOCATE_BUFFER) {
    const n = Math.max(out.length + 1, c.u32(5));
    const a = processHeap(c)?.allocate(n * unit, false) ?? 0;
    if (a === 0) {
      c.setLastError(ERROR_NOT_ENOUGH_MEMORY);
      return 0;
    }
    writeString(c, a, out, wide);
    c.writePtr(c.arg(4), a);
    return out.length;
  }
  if (c.u32(5) < out.length + 1) {
    c.setLastError(ERROR_INSUFFICIENT_BUFFER);
    return 0;
  }
  writeString(c, c.arg(4), out, wide);
  return out.length;
}

function str(c: ApiCall, at: number): string {
  return ansi(c) ? c.mem.cString(at) : c.mem.wString(at);
}

/** lstrcmp(i): CompareString-style ordering (-1, 0, 1); ASCII case folding for the i forms. */
function lstrcmp(c: ApiCall, fold: boolean): number {
  let a = c.arg(0) === 0 ? "" : str(c, c.arg(0));
  let b = c.arg(1) === 0 ? "" : str(c, c.arg(1));
  if (fold) {
    a = a.toLowerCase();
    b = b.toLowerCase();
  }
  return a === b ? 0 : a.localeCompare(b, "en") < 0 ? -1 : 1;
}

export const kernel32MiscApis: ApiFamily = {
  /** HLOCAL LocalAlloc(UINT uFlags, SIZE_T uBytes): LMEM_FIXED blocks (LPTR = fixed + zeroed). */
  LocalAlloc: api(localAlloc),
  /** HGLOBAL GlobalAlloc(UINT uFlags, SIZE_T dwBytes): GMEM_FIXED blocks (GPTR = fixed + zeroed). */
  GlobalAlloc: api(localAlloc),
  /** HLOCAL LocalFree(HLOCAL hMem). */
  LocalFree: api(localFree),
  /** HGLOBAL GlobalFree(HGLOBAL hMem). */
  GlobalFree: api(localFree),
  /** HANDLE HeapCreate(DWORD flOptions, SIZE_T dwInitialSize, SIZE_T dwMaximumSize). */
  HeapCreate: api((c) => {
    const h = createCallerHeap(c);
    if (h === 0) c.setLastError(ERROR_NOT_ENOUGH_MEMORY);
    return h;
  }),
  /** BOOL HeapDestroy(HANDLE hHeap). */
  HeapDestroy: api((c) => {
    if (destroyHeap(c, c.arg(0))) return TRUE;
    c.setLastError(ERROR_INVALID_HANDLE);
    return FALSE;
  }),
  /** BOOL HeapValidate(HANDLE hHeap, DWORD dwFlags, LPCVOID lpMem): the heap (or the block) is valid. */
  HeapValidate: api((c) => {
    const h = findHeap(c, c.arg(0));
    if (!h) return FALSE;
    return c.arg(2) === 0 || h.size(c.arg(2)) !== undefined ? TRUE : FALSE;
  }),
  /**
   * DWORD FormatMessageA/W(DWORD dwFlags, LPCVOID lpSource, DWORD dwMessageId, DWORD dwLanguageId,
   * LPTSTR lpBuffer, DWORD nSize, va_list *Arguments): the length stored (CR LF included, NUL not).
   */
  FormatMessageA: api(formatMessage),
  FormatMessageW: api(formatMessage),
  /** int lstrlenA/W(LPCTSTR lpString): 0 for NULL. */
  lstrlenA: api((c) => (c.arg(0) === 0 ? 0 : c.mem.cString(c.arg(0)).length)),
  lstrlenW: api((c) => (c.arg(0) === 0 ? 0 : c.mem.wString(c.arg(0)).length)),
  /** int lstrcmpA/W(LPCTSTR, LPCTSTR). */
  lstrcmpA: api((c) => lstrcmp(c, false)),
  lstrcmpW: api((c) => lstrcmp(c, false)),
  /** int lstrcmpiA/W(LPCTSTR, LPCTSTR). */
  lstrcmpiA: api((c) => lstrcmp(c, true)),
  lstrcmpiW: api((c) => lstrcmp(c, true)),
};
