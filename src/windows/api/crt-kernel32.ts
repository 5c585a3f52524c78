/**
 * Critical sections (ntdll!Rtl*CriticalSection, kernel32's forwarders) and GetStartupInfoA/W, as the C
 * start-up code uses them. RTL_CRITICAL_SECTION: DebugInfo, LockCount, RecursionCount, OwningThread
 * (the owner's thread id), LockSemaphore, SpinCount — x64 offsets 0, 8, 12, 16, 24, 32; x86 0, 4, 8, 12,
 * 16, 20. LockCount starts at -1 (free) and counts the acquisitions, as in Windows XP's layout.
 * A section owned by another thread would have to wait: until thread scheduling exists that stops
 * (kind "blocked") instead of succeeding.
 */
import { api, type ApiCall, type ApiFamily } from "./context";

function cs(c: ApiCall): { lock: number; rec: number; owner: number } {
  const a = c.arg(0);
  return c.arch === "x64"
    ? { lock: a + 8, rec: a + 12, owner: a + 16 }
    : { lock: a + 4, rec: a + 8, owner: a + 12 };
}

export const crtKernel32Apis: ApiFamily = {
  RtlInitializeCriticalSection: api((c) => {
    c.mem.write(c.arg(0), new Uint8Array(c.arch === "x64" ? 40 : 24));
    c.mem.w32(cs(c).lock, 0xffffffff);
    return 0;
  }),
  RtlEnterCriticalSection: api((c) => {
    const f = cs(c);
    const owner = c.readPtr(f.owner);
    if (owner !== 0 && owner !== c.thread.id)
      return { kind: "blocked", what: "RtlEnterCriticalSection", detail: `owned by thread ${owner}` };
    c.writePtr(f.owner, c.thread.id);
    c.mem.w32(f.rec, c.mem.u32(f.rec) + 1);
    c.mem.w32(f.lock, (c.mem.u32(f.lock) + 1) >>> 0);
    return 0;
  }),
  RtlLeaveCriticalSection: api((c) => {
    const f = cs(c);
    const rec = c.mem.u32(f.rec);
    if (rec === 0) return 0xc0000264; // STATUS_RESOURCE_NOT_OWNED
    c.mem.w32(f.rec, rec - 1);
    c.mem.w32(f.lock, (c.mem.u32(f.lock) - 1) >>> 0);
    if (rec === 1) c.writePtr(f.owner, 0);
    return 0;
  }),
  RtlDeleteCriticalSection: api((c) => {
    c.mem.write(c.arg(0), new Uint8Array(c.arch === "x64" ? 40 : 24));
    return 0;
  }),
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
