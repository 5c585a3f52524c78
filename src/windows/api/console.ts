/**
 * Console and file I/O: GetStdHandle, SetStdHandle, WriteFile, ReadFile, CloseHandle. The standard
 * handles live in RTL_USER_PROCESS_PARAMETERS (PEB.ProcessParameters), where GetStdHandle reads them.
 */
import { unimplemented } from "../kernel/context";
import { STATUS_END_OF_FILE, STATUS_PENDING, STATUS_TIMEOUT, ntSuccess } from "../kernel/status";
import {
  api,
  bridge,
  FALSE,
  INVALID_HANDLE_VALUE,
  TRUE,
  type ApiCall,
  type ApiFamily,
  type BridgeCall,
} from "./context";
import { ERROR_HANDLE_EOF, ERROR_INVALID_HANDLE } from "./errors";
import { setLastNtError } from "./state";

export const STD_INPUT_HANDLE = -10;
export const STD_OUTPUT_HANDLE = -11;
export const STD_ERROR_HANDLE = -12;

/** The RTL_USER_PROCESS_PARAMETERS field of a STD_*_HANDLE value, or undefined. */
function stdField(c: ApiCall, which: number): number | undefined {
  const p = c.layout.params;
  return which === STD_INPUT_HANDLE
    ? p.StandardInput
    : which === STD_OUTPUT_HANDLE
      ? p.StandardOutput
      : which === STD_ERROR_HANDLE
        ? p.StandardError
        : undefined;
}

function processParameters(c: ApiCall): number {
  return c.peb === 0 ? 0 : c.readPtr(c.peb + c.layout.peb.ProcessParameters);
}

/** GetStdHandle's value for `which` (before the process parameters exist: the kernel's console handles). */
export function stdHandle(c: ApiCall, which: number): number | undefined {
  const f = stdField(c, which);
  if (f === undefined) return undefined;
  const params = processParameters(c);
  if (params !== 0) return c.readPtr(params + f);
  const h = c.kernel.stdHandles;
  return which === STD_INPUT_HANDLE ? h.input : which === STD_OUTPUT_HANDLE ? h.output : h.error;
}

/** OVERLAPPED: Internal, InternalHigh, Offset, OffsetHigh, hEvent. */
function overlapped(c: ApiCall, ov: number): { offset: number; event: number } {
  const p = c.ptrSize;
  return { offset: ov + 2 * p, event: c.readPtr(ov + 2 * p + 8) };
}

/**
 * WriteFile / ReadFile: NtWriteFile / NtReadFile with an IO_STATUS_BLOCK in the locals, or the OVERLAPPED
 * itself (its Internal/InternalHigh are the block; Offset/OffsetHigh the LARGE_INTEGER ByteOffset).
 */
function ioPre(c: BridgeCall): void {
  const pDone = c.arg(3);
  const ov = c.arg(4);
  if (pDone !== 0) c.mem.w32(pDone, 0);
  let iosb = c.local(0);
  let event = 0;
  let offset = 0;
  if (ov !== 0) {
    const o = overlapped(c, ov);
    iosb = ov;
    event = o.event;
    offset = o.offset;
  }
  c.writePtr(iosb, STATUS_PENDING);
  c.writePtr(iosb + c.ptrSize, 0);
  c.nt(0, c.sarg(0));
  c.nt(1, event);
  c.nt(2, 0);
  // ApcContext: the OVERLAPPED, unless the event handle's low bit asks for no completion-port packet.
  c.nt(3, ov !== 0 && (event & 1) === 0 ? ov : 0);
  c.nt(4, iosb);
  c.nt(5, c.arg(1));
  c.nt(6, c.u32(2));
  c.nt(7, offset);
  c.nt(8, 0);
}

function ioPost(c: BridgeCall, status: number, read: boolean): number {
  const pDone = c.arg(3);
  const ov = c.arg(4);
  const iosb = ov !== 0 ? ov : c.local(0);
  if (read && status === STATUS_END_OF_FILE) {
    // ReadFile at the end of a file: TRUE with no bytes for synchronous handles, ERROR_HANDLE_EOF with an
    // OVERLAPPED (ReadFile, "Synchronization and File Position").
    if (ov === 0) return TRUE;
    c.setLastError(ERROR_HANDLE_EOF);
    return FALSE;
  }
  if (status !== STATUS_PENDING && pDone !== 0) c.mem.w32(pDone, c.readPtr(iosb + c.ptrSize));
  if (status !== 0 && status !== STATUS_TIMEOUT) {
    setLastNtError(c, status);
    return FALSE;
  }
  return TRUE;
}

export const consoleApis: ApiFamily = {
  /** HANDLE GetStdHandle(DWORD nStdHandle); INVALID_HANDLE_VALUE and ERROR_INVALID_HANDLE for another value. */
  GetStdHandle: api((c) => {
    const h = stdHandle(c, c.u32(0) | 0);
    if (h === undefined) {
      c.setLastError(ERROR_INVALID_HANDLE);
      return INVALID_HANDLE_VALUE;
    }
    return h;
  }),

  /** BOOL SetStdHandle(DWORD nStdHandle, HANDLE hHandle). */
  SetStdHandle: api((c) => {
    const f = stdField(c, c.u32(0) | 0);
    const params = processParameters(c);
    if (f === undefined) {
      c.setLastError(ERROR_INVALID_HANDLE);
      return FALSE;
    }
    if (params === 0) return unimplemented("SetStdHandle", "no RTL_USER_PROCESS_PARAMETERS in the PEB");
    c.writePtr(params + f, c.sarg(1));
    return TRUE;
  }),

  WriteFile: bridge({
    pre: (c) => ioPre(c),
    post: (c, status) => ioPost(c, status, false),
  }),

  ReadFile: bridge({
    pre: (c) => ioPre(c),
    post: (c, status) => ioPost(c, status, true),
  }),

  /** BOOL CloseHandle(HANDLE hObject): NtClose; the STD_*_HANDLE values stand for the standard handles. */
  CloseHandle: bridge({
    pre: (c) => {
      // (HANDLE)STD_INPUT_HANDLE is (HANDLE)(DWORD)-10: 0xFFFFFFF6, zero-extended on x64.
      const raw = c.arg(0);
      const std = raw >= 0xfffffff4 && raw <= 0xfffffff6 ? stdHandle(c, raw | 0) : undefined;
      c.nt(0, std ?? c.sarg(0));
    },
    post: (c, status) => {
      if (ntSuccess(status)) return TRUE;
      setLastNtError(c, status);
      return FALSE;
    },
  }),
};
