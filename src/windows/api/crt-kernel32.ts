/**
 * GetStartupInfoA/W, as the C start-up code uses them. (The critical sections it also imports are in
 * ./threads.ts, with the thread scheduling they need.)
 */
import { api, type ApiFamily } from "./context";

export const crtKernel32Apis: ApiFamily = {
  /** GetStartupInfoA/W: cb = sizeof(STARTUPINFO) (x64 104, x86 68), no STARTF_* flags, the rest zero. */
  GetStartupInfoA: api((c) => {
    const n = c.arch === "x64" ? 104 : 68;
    c.mem.write(c.arg(0), new Uint8Array(n));
    c.mem.w32(c.arg(0), n);
    return 0;
  }),
  GetStartupInfoW: api((c) => {
    const n = c.arch === "x64" ? 104 : 68;
    c.mem.write(c.arg(0), new Uint8Array(n));
    c.mem.w32(c.arg(0), n);
    return 0;
  }),
};
