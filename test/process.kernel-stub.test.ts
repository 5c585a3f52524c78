/**
 * A minimal stand-in kernel for the process tests that must not depend on src/windows/kernel: console
 * handles, NtWriteFile, NtTerminateProcess, GetStdHandle, the WriteFile and ExitProcess bridges, and the
 * two WOW64 thunk traps (arguments copied and widened, the I/O status block written in the caller's
 * layout). Everything else is reported unimplemented. The tests in this file check the stub itself.
 */
import { strict as assert } from "node:assert";
import { Reg } from "../src/cpu/index";
import type { TrapEntry } from "../src/windows/dlls";
import type {
  KernelApi,
  KernelProcess,
  KernelStop,
  KernelThread,
  SyscallRecord,
} from "../src/windows/kernel/types";
import { syscallTable } from "../src/windows/syscalls";

const TWO32 = 0x1_0000_0000;

export class StubKernel implements KernelApi {
  onSyscall: ((rec: SyscallRecord) => void) | undefined = undefined;
  readonly stdHandles = { input: 0x50, output: 0x54, error: 0x58 } as const;
  readonly calls: string[] = [];
  private readonly table = syscallTable();

  constructor(private readonly p: KernelProcess) {}

  private r64(t: KernelThread, r: number): number {
    return (t.cpu.hi[r] >>> 0) * TWO32 + (t.cpu.lo[r] >>> 0);
  }

  private set(t: KernelThread, r: number, v: number): void {
    t.cpu.lo[r] = (v % TWO32) | 0;
    t.cpu.hi[r] = Math.floor(v / TWO32) | 0;
  }

  private u32(a: number): number {
    const b = new Uint8Array(4);
    this.p.mem.read(a, b, { force: true });
    return new DataView(b.buffer).getUint32(0, true);
  }

  private u64(a: number): number {
    return this.u32(a) + this.u32(a + 4) * TWO32;
  }

  private w32(a: number, v: number): void {
    const b = new Uint8Array(4);
    new DataView(b.buffer).setUint32(0, v >>> 0, true);
    this.p.mem.write(a, b, { force: true });
  }

  private w64(a: number, v: number): void {
    this.w32(a, v < 0 ? v | 0 : v % TWO32);
    this.w32(a + 4, v < 0 ? -1 : Math.floor(v / TWO32));
  }

  syscall(t: KernelThread): KernelStop | undefined {
    const n = t.cpu.lo[Reg.RAX] >>> 0;
    const info = this.table.byNumber(n);
    const rsp = this.r64(t, Reg.RSP);
    const arg = (k: number): number =>
      k === 0
        ? this.r64(t, Reg.R10)
        : k === 1
          ? this.r64(t, Reg.RDX)
          : k === 2
            ? this.r64(t, Reg.R8)
            : k === 3
              ? this.r64(t, Reg.R9)
              : this.u64(rsp + 0x28 + 8 * (k - 4));
    const name = info?.name ?? `#${n}`;
    this.calls.push(name);
    let status = 0;
    if (name === "NtWriteFile") {
      const handle = arg(0);
      const buf = new Uint8Array(arg(6));
      this.p.mem.read(arg(5), buf, { force: true });
      if (handle === this.stdHandles.output || handle === this.stdHandles.error) {
        this.p.console.write(handle === this.stdHandles.output ? "stdout" : "stderr", buf);
        const iosb = arg(4);
        if (this.p.wow64) {
          this.w32(iosb, 0);
          this.w32(iosb + 4, buf.length);
        } else {
          this.w64(iosb, 0);
          this.w64(iosb + 8, buf.length);
        }
      } else status = 0xc0000008;
    } else if (name === "NtTerminateProcess") {
      const status = arg(1) >>> 0;
      this.p.exitStatus = status;
      return { kind: "exit", status };
    } else {
      return { kind: "unimplemented", what: name };
    }
    this.set(t, Reg.RAX, status);
    this.onSyscall?.({ number: n, name, callerMode: this.p.wow64 ? "x86" : "x64", args: [], status });
    return undefined;
  }

  trap(t: KernelThread, e: TrapEntry): KernelStop | undefined {
    const cpu = t.cpu;
    this.calls.push(`${e.name}${e.role === "api" ? "" : " " + e.role}`);
    const x86 = e.arch === "x86";
    const esp = cpu.lo[Reg.RSP] >>> 0;
    /** The trap function's own argument k. */
    const arg = (k: number): number =>
      x86 ? this.u32(esp + 4 + 4 * k) : this.r64(t, [Reg.RCX, Reg.RDX, Reg.R8, Reg.R9][k]);
    const ptr = x86 ? 4 : 8;
    const rd = (a: number): number => (x86 ? this.u32(a) : this.u64(a));
    const wr = (a: number, v: number): void => (x86 ? this.w32(a, v) : this.w64(a, v));
    let result = 0;
    if (e.name === "GetStdHandle") {
      const which = arg(0) | 0;
      result =
        which === -10
          ? this.stdHandles.input
          : which === -11
            ? this.stdHandles.output
            : this.stdHandles.error;
    } else if (e.name === "WriteFile" && e.role === "bridge-pre") {
      const frame = arg(0);
      const api = arg(1);
      const locals = frame + (x86 ? 0x44 : 0x88);
      const nt = [rd(api), 0, 0, 0, locals, rd(api + ptr), rd(api + 2 * ptr) >>> 0, 0, 0];
      nt.forEach((v, k) => wr(frame + ptr * k, v));
    } else if (e.name === "WriteFile" && e.role === "bridge-post") {
      const status = arg(0) >>> 0;
      const frame = arg(1);
      const api = arg(2);
      const written = rd(api + 3 * ptr);
      if (written !== 0) this.w32(written, this.u32(frame + (x86 ? 0x44 : 0x88) + ptr));
      result = status === 0 ? 1 : 0;
    } else if (e.name === "ExitProcess" && e.role === "bridge-pre") {
      const frame = arg(0);
      const api = arg(1);
      wr(frame, x86 ? 0xffffffff : -1);
      wr(frame + ptr, rd(api) >>> 0);
    } else if (e.name === "Wow64pThunkArguments") {
      const info = this.table.byNumber(cpu.lo[Reg.RCX] >>> 0);
      if (info === undefined) return { kind: "unimplemented", what: "syscall", detail: "unknown number" };
      const args32 = cpu.lo[Reg.RDX] >>> 0;
      const frame = this.r64(t, Reg.R8);
      for (let k = 0; k < info.params; k++) {
        const v = this.u32(args32 + 4 * k);
        this.w64(frame + 8 * k, k === 0 && v === 0xffffffff ? -1 : v);
      }
      const ntdll = this.p.dlls.get("ntdll", "x64");
      const target = ntdll?.exports.get(info.name);
      result = target !== undefined && "address" in target ? target.address : 0;
    } else if (e.name === "Wow64pThunkResults") {
      result = cpu.lo[Reg.RCX] >>> 0;
    } else {
      return { kind: "unimplemented", what: `${e.dll}!${e.name}`, detail: e.role };
    }
    this.set(t, Reg.RAX, result);
    cpu.rip = e.address + 3;
    return undefined;
  }
}

describe("process tests: the stub kernel", () => {
  it("knows the services it answers", () => {
    const t = syscallTable();
    for (const n of ["NtWriteFile", "NtTerminateProcess"]) assert.ok(t.byName(n), n);
  });
});
