/**
 * Time APIs: QueryPerformanceCounter/Frequency → NtQueryPerformanceCounter, Sleep/SleepEx →
 * NtDelayExecution (Windows reads the counter from KUSER_SHARED_DATA without a system call; here the
 * call goes through ntdll so it is visible).
 */
import { ntSuccess } from "../kernel/status";
import { bridge, FALSE, TRUE, type ApiFamily, type BridgeCall } from "./context";
import { setLastNtError } from "./state";

const INFINITE = 0xffffffff;
/** STATUS_USER_APC / WAIT_IO_COMPLETION. */
const STATUS_USER_APC = 0xc0;

function boolResult(c: BridgeCall, status: number): number {
  if (ntSuccess(status)) return TRUE;
  setLastNtError(c, status);
  return FALSE;
}

/** The delay for NtDelayExecution: -ms × 10⁴ (relative, 100 ns units), INFINITE as 0x8000000000000000. */
function delay(c: BridgeCall, ms: number): void {
  const at = c.local(0);
  if (ms === INFINITE) {
    c.mem.w32(at, 0);
    c.mem.w32(at + 4, 0x80000000);
  } else c.mem.w64(at, -ms * 10000);
}

export const timeApis: ApiFamily = {
  /** BOOL QueryPerformanceCounter(LARGE_INTEGER *lpPerformanceCount). */
  QueryPerformanceCounter: bridge({
    pre: (c) => {
      c.nt(0, c.arg(0));
      c.nt(1, 0);
    },
    post: boolResult,
  }),

  /** BOOL QueryPerformanceFrequency(LARGE_INTEGER *lpFrequency). */
  QueryPerformanceFrequency: bridge({
    pre: (c) => {
      c.nt(0, c.local(0));
      c.nt(1, c.arg(0));
    },
    post: boolResult,
  }),

  /** void Sleep(DWORD dwMilliseconds). */
  Sleep: bridge({
    pre: (c) => {
      delay(c, c.u32(0));
      c.nt(0, 0);
      c.nt(1, c.local(0));
    },
    post: () => 0,
  }),

  /** DWORD SleepEx(DWORD dwMilliseconds, BOOL bAlertable): 0, or WAIT_IO_COMPLETION after an APC. */
  SleepEx: bridge({
    pre: (c) => {
      delay(c, c.u32(0));
      c.nt(0, c.u32(1) !== 0 ? 1 : 0);
      c.nt(1, c.local(0));
    },
    post: (_c, status) => (status === STATUS_USER_APC ? STATUS_USER_APC : 0),
  }),
};
