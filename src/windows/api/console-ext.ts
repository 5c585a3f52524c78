/**
 * Console queries of kernelbase on the standard handles (ConDrv connections, ../kernel/file.ts):
 * GetConsoleMode, SetConsoleMode, GetConsoleCP, GetConsoleOutputCP, GetConsoleScreenBufferInfo,
 * SetConsoleTextAttribute, WriteConsoleA/W, GetFileType. The emulated console is an 80×25 screen buffer
 * whose output reaches the host's stream; attributes are recorded but not shown. Behaviour:
 * learn.microsoft.com (consoleapi.h, wincon.h, fileapi.h pages); a handle that is not a console handle
 * fails with ERROR_INVALID_HANDLE as it does for a redirected stream on Windows.
 */
import { FileObject } from "../kernel/file";
import { DiskFileObject } from "../kernel/file-io";
import { api, FALSE, TRUE, type ApiCall, type ApiFamily } from "./context";
import { ERROR_INVALID_HANDLE } from "./errors";

/** "When a screen buffer is created, both output modes are enabled by default" (SetConsoleMode). */
const DEFAULT_OUTPUT_MODE = 0x3; // ENABLE_PROCESSED_OUTPUT | ENABLE_WRAP_AT_EOL_OUTPUT
/** All input modes but ENABLE_WINDOW_INPUT and ENABLE_VIRTUAL_TERMINAL_INPUT (SetConsoleMode), + EXTENDED_FLAGS. */
const DEFAULT_INPUT_MODE = 0xf7;
const DEFAULT_ATTRIBUTES = 0x07; // light grey on black
/** The OEM code page of an en-US Windows (GetConsoleCP). */
const CONSOLE_CP = 437;
const FILE_TYPE_UNKNOWN = 0;
const FILE_TYPE_DISK = 1;
const FILE_TYPE_CHAR = 2;

interface ConsoleState {
  modes: Map<string, number>;
  attributes: number;
}
const states = new WeakMap<object, ConsoleState>();
function state(c: ApiCall): ConsoleState {
  let s = states.get(c.kernel);
  if (!s) states.set(c.kernel, (s = { modes: new Map(), attributes: DEFAULT_ATTRIBUTES }));
  return s;
}

function consoleOf(c: ApiCall, handle: number): FileObject | undefined {
  const o = c.kernel.handles.get(handle)?.object;
  return o instanceof FileObject ? o : undefined;
}

function badHandle(c: ApiCall): number {
  c.setLastError(ERROR_INVALID_HANDLE);
  return FALSE;
}

function writeConsole(c: ApiCall, wide: boolean): number {
  const f = consoleOf(c, c.arg(0));
  if (!f || f.console === "stdin") return badHandle(c);
  const n = c.u32(2);
  const bytes = wide
    ? new TextEncoder().encode(
        String.fromCharCode(...Array.from({ length: n }, (_, i) => c.mem.u16(c.arg(1) + 2 * i))),
      )
    : c.mem.read(c.arg(1), n);
  c.process.console.write(f.console, bytes);
  if (c.arg(3) !== 0) c.mem.w32(c.arg(3), n);
  return TRUE;
}

export const consoleExtApis: ApiFamily = {
  /** BOOL GetConsoleMode(HANDLE hConsoleHandle, LPDWORD lpMode). */
  GetConsoleMode: api((c) => {
    const f = consoleOf(c, c.arg(0));
    if (!f) return badHandle(c);
    const def = f.console === "stdin" ? DEFAULT_INPUT_MODE : DEFAULT_OUTPUT_MODE;
    c.mem.w32(c.arg(1), state(c).modes.get(f.console) ?? def);
    return TRUE;
  }),
  /** BOOL SetConsoleMode(HANDLE hConsoleHandle, DWORD dwMode). */
  SetConsoleMode: api((c) => {
    const f = consoleOf(c, c.arg(0));
    if (!f) return badHandle(c);
    state(c).modes.set(f.console, c.u32(1));
    return TRUE;
  }),
  /** UINT GetConsoleCP(void). */
  GetConsoleCP: api(() => CONSOLE_CP),
  /** UINT GetConsoleOutputCP(void). */
  GetConsoleOutputCP: api(() => CONSOLE_CP),
  /**
   * BOOL GetConsoleScreenBufferInfo(HANDLE, PCONSOLE_SCREEN_BUFFER_INFO): dwSize, dwCursorPosition (COORD),
   * wAttributes, srWindow (SMALL_RECT), dwMaximumWindowSize — an 80×25 buffer, cursor at the origin.
   */
  GetConsoleScreenBufferInfo: api((c) => {
    const f = consoleOf(c, c.arg(0));
    if (!f || f.console === "stdin") return badHandle(c);
    const a = c.arg(1);
    const v = [80, 25, 0, 0, state(c).attributes, 0, 0, 79, 24, 80, 25];
    v.forEach((x, i) => c.mem.w16(a + 2 * i, x));
    return TRUE;
  }),
  /** BOOL SetConsoleTextAttribute(HANDLE hConsoleOutput, WORD wAttributes). */
  SetConsoleTextAttribute: api((c) => {
    const f = consoleOf(c, c.arg(0));
    if (!f || f.console === "stdin") return badHandle(c);
    state(c).attributes = c.u32(1) & 0xffff;
    return TRUE;
  }),
  /** BOOL WriteConsoleW(HANDLE, const VOID *lpBuffer, DWORD nNumberOfCharsToWrite, LPDWORD, LPVOID). */
  WriteConsoleW: api((c) => writeConsole(c, true)),
  /** BOOL WriteConsoleA(HANDLE, const VOID *lpBuffer, DWORD nNumberOfCharsToWrite, LPDWORD, LPVOID). */
  WriteConsoleA: api((c) => writeConsole(c, false)),
  /** DWORD GetFileType(HANDLE hFile): FILE_TYPE_CHAR for a console, FILE_TYPE_DISK for a file. */
  GetFileType: api((c) => {
    const o = c.kernel.handles.get(c.arg(0))?.object;
    if (o instanceof FileObject) return FILE_TYPE_CHAR;
    if (o instanceof DiskFileObject) return FILE_TYPE_DISK;
    c.setLastError(ERROR_INVALID_HANDLE);
    return FILE_TYPE_UNKNOWN;
  }),
};
