/**
 * A small process for the kernel, WOW64 and API tests (test/kernel*.test.ts, test/wow64*.test.ts,
 * test/api*.test.ts): an AddressSpace with the synthetic system DLLs mapped at their bases as image
 * sections, a minimal PEB/TEB (and PEB32/TEB32, WOW64_CPURESERVED for a WOW64 process) holding what the
 * kernel and the API traps read, RTL_USER_PROCESS_PARAMETERS with the standard handles and the command
 * line, stacks, and a Cpu. `call64`/`call32` call an export with arguments and run the real code to its
 * return, answering syscalls and traps with the Kernel. The process engineer's loader replaces this.
 */
import { strict as assert } from "node:assert";
import { Cpu } from "../src/cpu/index";
import {
  buildSystemDlls,
  TEB32,
  TEB64,
  WOW64_CONTEXT,
  type Arch,
  type DllName,
  type SystemDllSet,
} from "../src/windows/dlls";
import { Kernel, type KernelOptions } from "../src/windows/kernel";
import type {
  ConsoleIo,
  KernelProcess,
  KernelStop,
  KernelThread,
  SyscallRecord,
} from "../src/windows/kernel/types";
import { LAYOUT32, LAYOUT64 } from "../src/windows/kernel/layout";
import { join64 } from "../src/windows/kernel/user-memory";
import {
  AddressSpace,
  MemoryManager,
  MEM_COMMIT,
  MEM_RESERVE,
  PAGE_EXECUTE_READ,
  PAGE_EXECUTE_READWRITE,
  PAGE_EXECUTE_WRITECOPY,
  PAGE_READONLY,
  PAGE_READWRITE,
} from "../src/windows/memory";
import { mapImage, parsePe } from "../src/windows/pe";

export const DATA = 0x00300000;
export const PEB64 = DATA;
export const PEB32 = DATA + 0x1000;
export const TEB64_ADDR = DATA + 0x2000;
export const TEB32_ADDR = DATA + 0x4000;
export const CPURESERVED = DATA + 0x5000;
export const PARAMS64 = DATA + 0x6000;
export const PARAMS32 = DATA + 0x7000;
const STRINGS = DATA + 0x8000;
export const CODE = 0x00200000;
export const RETURN64 = CODE;
export const RETURN32 = CODE + 0x10;
export const STACK64_TOP = 0x00500000;
export const STACK32_TOP = 0x00600000;
export const IMAGE_BASE = 0x00400000;
export const IMAGE_PATH = "C:\\test\\prog.exe";

export interface HarnessOptions {
  wow64?: boolean;
  largeAddressAware?: boolean;
  /** Console input. */
  stdin?: string;
  commandLine?: string;
  /** Leave PEB.ProcessParameters NULL. */
  noParameters?: boolean;
  kernel?: KernelOptions;
}

export interface CallResult {
  /** RAX (x64) or EAX (x86) after the call; a value with the upper half set reads as negative. */
  ret: number;
  /** Set when the kernel stopped execution. */
  stop?: KernelStop;
  syscalls: SyscallRecord[];
}

function protectionOf(ch: number): number {
  const x = (ch & 0x20000000) !== 0;
  const w = (ch & 0x80000000) !== 0;
  if (x) return w ? PAGE_EXECUTE_READWRITE : PAGE_EXECUTE_READ;
  return w ? PAGE_READWRITE : PAGE_READONLY;
}

export class Harness implements KernelProcess, ConsoleIo {
  readonly id = 0x1a2c;
  readonly mm = new MemoryManager({ commitLimit: 64 * 2 ** 30 });
  readonly mem: AddressSpace;
  readonly wow64: boolean;
  readonly peb = PEB64;
  readonly peb32: number;
  readonly imagePath = IMAGE_PATH;
  readonly imageBase = IMAGE_BASE;
  readonly commandLine: string;
  readonly dlls: SystemDllSet;
  readonly console: ConsoleIo = this;
  readonly threads: KernelThread[] = [];
  exitStatus: number | undefined = undefined;
  readonly cpu: Cpu;
  readonly thread: KernelThread;
  readonly kernel: Kernel;
  readonly stdout: number[] = [];
  readonly stderr: number[] = [];
  private input: Uint8Array;

  constructor(opts: HarnessOptions = {}) {
    this.wow64 = opts.wow64 ?? false;
    this.peb32 = this.wow64 ? PEB32 : 0;
    this.commandLine = opts.commandLine ?? '"C:\\test\\prog.exe" one two';
    this.input = new TextEncoder().encode(opts.stdin ?? "");
    this.mem = new AddressSpace(this.mm, {
      wow64: this.wow64,
      largeAddressAware: opts.largeAddressAware ?? false,
      executeDisable: true,
    });
    this.dlls = buildSystemDlls();
    for (const d of this.dlls.dlls) {
      if (!this.wow64 && d.arch === "x86") continue;
      const pe = parsePe(d.image.bytes);
      const r = this.mm.createImageSection(
        pe.mappedSize,
        pe.sections.map((s) => ({
          offset: s.virtualAddress,
          size: s.memorySize,
          protect: protectionOf(s.characteristics),
        })),
      );
      assert.ok(r.section);
      r.section.write(0, mapImage(d.image.bytes, pe));
      const v = this.mem.mapView(r.section, {
        base: d.base,
        protect: PAGE_EXECUTE_WRITECOPY,
        native64: true,
      });
      assert.equal(v.status, 0, `map ${d.path}`);
      r.section.close();
    }
    this.commit(DATA, 0x10000, PAGE_READWRITE);
    this.commit(CODE, 0x1000, PAGE_EXECUTE_READWRITE);
    this.commit(STACK64_TOP - 0x100000, 0x100000, PAGE_READWRITE);
    this.commit(STACK32_TOP - 0x100000, 0x100000, PAGE_READWRITE);
    this.mem.write(RETURN64, Uint8Array.of(0xcc), { force: true });
    this.mem.write(RETURN32, Uint8Array.of(0xcc), { force: true });

    this.cpu = new Cpu(this.mem);
    const cpu = this.cpu;
    this.mem.codeListeners.add((a, n, pg) =>
      pg !== undefined ? cpu.blocks.invalidatePhys(pg) : cpu.notifyWrite(a, n),
    );
    this.thread = { id: 0x1a30, cpu, teb: TEB64_ADDR, teb32: this.wow64 ? TEB32_ADDR : 0 };
    this.threads.push(this.thread);
    this.kernel = new Kernel(this, opts.kernel);

    // TEB64 / PEB64
    this.w64(TEB64_ADDR + TEB64.Self, TEB64_ADDR);
    this.w64(TEB64_ADDR + TEB64.Peb, PEB64);
    this.w32(TEB64_ADDR + TEB64.UniqueProcess, this.id);
    this.w32(TEB64_ADDR + TEB64.UniqueThread, this.thread.id);
    this.w64(PEB64 + LAYOUT64.peb.ImageBaseAddress, IMAGE_BASE);
    const params = !opts.noParameters;
    const cmd = this.string(this.commandLine);
    if (params) {
      this.w64(PEB64 + LAYOUT64.peb.ProcessParameters, PARAMS64);
      const P = LAYOUT64.params;
      const h = this.kernel.stdHandles;
      this.w64(PARAMS64 + P.StandardInput, h.input);
      this.w64(PARAMS64 + P.StandardOutput, h.output);
      this.w64(PARAMS64 + P.StandardError, h.error);
      this.w16(PARAMS64 + P.CommandLine, 2 * this.commandLine.length);
      this.w16(PARAMS64 + P.CommandLine + 2, 2 * this.commandLine.length + 2);
      this.w64(PARAMS64 + P.CommandLine + 8, cmd);
    }
    if (this.wow64) {
      this.w32(TEB32_ADDR + TEB32.Self, TEB32_ADDR);
      this.w32(TEB32_ADDR + TEB32.Peb, PEB32);
      this.w32(TEB32_ADDR + TEB32.UniqueProcess, this.id);
      this.w32(TEB32_ADDR + TEB32.UniqueThread, this.thread.id);
      this.w64(TEB64_ADDR + TEB64.Wow64CpuReserved, CPURESERVED);
      this.w32(CPURESERVED + 4 + WOW64_CONTEXT.SegCs, 0x23);
      this.w32(PEB32 + LAYOUT32.peb.ImageBaseAddress, IMAGE_BASE);
      if (params) {
        this.w32(PEB32 + LAYOUT32.peb.ProcessParameters, PARAMS32);
        const P = LAYOUT32.params;
        const h = this.kernel.stdHandles;
        this.w32(PARAMS32 + P.StandardInput, h.input);
        this.w32(PARAMS32 + P.StandardOutput, h.output);
        this.w32(PARAMS32 + P.StandardError, h.error);
        this.w16(PARAMS32 + P.CommandLine, 2 * this.commandLine.length);
        this.w16(PARAMS32 + P.CommandLine + 2, 2 * this.commandLine.length + 2);
        this.w32(PARAMS32 + P.CommandLine + 4, cmd);
      }
    }
    this.w64(PEB64 + LAYOUT64.peb.ProcessHeap, this.kernel.createHeap("x64"));
    if (this.wow64) this.w32(PEB32 + LAYOUT32.peb.ProcessHeap, this.kernel.createHeap("x86"));
    cpu.gsBase = TEB64_ADDR;
    cpu.fsBase = TEB32_ADDR;
  }

  // ---- ConsoleIo

  write(stream: "stdout" | "stderr", data: Uint8Array): void {
    (stream === "stdout" ? this.stdout : this.stderr).push(...data);
  }

  read(max: number): Uint8Array {
    const n = Math.min(max, this.input.length);
    const out = this.input.slice(0, n);
    this.input = this.input.slice(n);
    return out;
  }

  get output(): string {
    return new TextDecoder().decode(Uint8Array.from(this.stdout));
  }

  // ---- memory helpers (forced: the harness plays the loader)

  commit(base: number, size: number, protect: number): void {
    const r = this.mem.allocate(base, size, MEM_RESERVE | MEM_COMMIT, protect, 0, { native64: true });
    assert.equal(r.status, 0, `allocate 0x${base.toString(16)}`);
  }

  /** Fresh committed read-write bytes below 2 GB. */
  alloc(size: number): number {
    const r = this.mem.allocate(0, size, MEM_RESERVE | MEM_COMMIT, PAGE_READWRITE);
    assert.equal(r.status, 0);
    return r.base;
  }

  private stringsAt = STRINGS;

  /** A NUL-terminated UTF-16 copy of `s` in the data block. */
  string(s: string): number {
    const a = this.stringsAt;
    const b = new Uint8Array(2 * s.length + 2);
    for (let i = 0; i < s.length; i++) {
      b[2 * i] = s.charCodeAt(i) & 0xff;
      b[2 * i + 1] = s.charCodeAt(i) >>> 8;
    }
    this.bytes(a, b);
    this.stringsAt += (b.length + 15) & ~15;
    return a;
  }

  /** A NUL-terminated 8-bit copy of `s` in the data block. */
  astring(s: string): number {
    const a = this.stringsAt;
    const b = new Uint8Array(s.length + 1);
    for (let i = 0; i < s.length; i++) b[i] = s.charCodeAt(i);
    this.bytes(a, b);
    this.stringsAt += (b.length + 15) & ~15;
    return a;
  }

  bytes(a: number, b: Uint8Array): void {
    assert.equal(this.mem.write(a, b, { force: true }), b.length);
  }

  read8(a: number, n: number): Uint8Array {
    const b = new Uint8Array(n);
    assert.equal(this.mem.read(a, b, { force: true }), n, `read 0x${a.toString(16)}`);
    return b;
  }

  u16(a: number): number {
    const b = this.read8(a, 2);
    return b[0] | (b[1] << 8);
  }

  u32(a: number): number {
    return new DataView(this.read8(a, 4).buffer).getUint32(0, true);
  }

  u64(a: number): number {
    const dv = new DataView(this.read8(a, 8).buffer);
    return dv.getUint32(4, true) * 2 ** 32 + dv.getUint32(0, true);
  }

  w16(a: number, v: number): void {
    this.bytes(a, Uint8Array.of(v & 0xff, (v >>> 8) & 0xff));
  }

  w32(a: number, v: number): void {
    const b = new Uint8Array(4);
    new DataView(b.buffer).setUint32(0, v >>> 0, true);
    this.bytes(a, b);
  }

  w64(a: number, v: number): void {
    const b = new Uint8Array(8);
    const dv = new DataView(b.buffer);
    const hi = Math.floor(v / 2 ** 32);
    dv.setUint32(0, (v - hi * 2 ** 32) >>> 0, true);
    dv.setUint32(4, hi >>> 0, true);
    this.bytes(a, b);
  }

  cstring(a: number): string {
    let s = "";
    for (let i = 0; ; i++) {
      const c = this.read8(a + i, 1)[0];
      if (c === 0) return s;
      s += String.fromCharCode(c);
    }
  }

  wstring(a: number): string {
    let s = "";
    for (let i = 0; ; i += 2) {
      const c = this.u16(a + i);
      if (c === 0) return s;
      s += String.fromCharCode(c);
    }
  }

  /** The address of an export (not a forwarder). */
  exportOf(dll: DllName, arch: Arch, name: string): number {
    const t = this.dlls.get(dll, arch)?.exports.get(name);
    assert.ok(t && "address" in t, `${dll}/${arch}!${name}`);
    return t.address;
  }

  get lastError64(): number {
    return this.u32(TEB64_ADDR + TEB64.LastErrorValue);
  }

  get lastError32(): number {
    return this.u32(TEB32_ADDR + TEB32.LastErrorValue);
  }

  set lastError32(v: number) {
    this.w32(TEB32_ADDR + TEB32.LastErrorValue, v);
  }

  set lastError64(v: number) {
    this.w32(TEB64_ADDR + TEB64.LastErrorValue, v);
  }

  // ---- running

  private setReg(r: number, v: number): void {
    const hi = Math.floor(v / 2 ** 32);
    this.cpu.lo[r] = (v - hi * 2 ** 32) | 0;
    this.cpu.hi[r] = hi | 0;
  }

  /** Runs until `until` (a breakpoint) or a stop; answers syscalls and traps with the kernel. */
  private run(until: number): CallResult {
    const cpu = this.cpu;
    const syscalls: SyscallRecord[] = [];
    this.kernel.onSyscall = (r) => syscalls.push(r);
    cpu.addBreakpoint(until);
    try {
      for (let i = 0; i < 10000; i++) {
        const s = cpu.run(1_000_000);
        if (s.kind === "breakpoint" && s.address === until) {
          const ret = cpu.mode64 ? join64(cpu.lo[0], cpu.hi[0]) : cpu.lo[0] >>> 0;
          return { ret, syscalls };
        }
        if (s.kind === "budget") continue;
        let stop: KernelStop | undefined;
        if (s.kind === "syscall") stop = this.kernel.syscall(this.thread);
        else if (s.kind === "fault" && s.fault.vector === "UD" && this.dlls.trapAt(s.fault.rip)) {
          stop = this.kernel.trap(this.thread, this.dlls.trapAt(s.fault.rip)!);
        } else assert.fail(`unexpected stop ${JSON.stringify(s)} at 0x${cpu.rip.toString(16)}`);
        if (stop) return { ret: cpu.lo[0] >>> 0, stop, syscalls };
      }
      assert.fail("the call did not return");
    } finally {
      cpu.removeBreakpoint(until);
    }
  }

  /** Calls a 64-bit function with the Microsoft x64 convention. */
  call64(fn: number, args: readonly number[]): CallResult {
    const cpu = this.cpu;
    cpu.setMode(64);
    const n = Math.max(4, args.length);
    let rsp = STACK64_TOP - 0x1000 - 8 * n - 8;
    rsp -= rsp % 16; // 16-byte aligned before the call pushes the return address
    rsp -= 8;
    this.w64(rsp, RETURN64);
    for (let i = 0; i < args.length; i++) {
      if (i < 4) this.setReg([1, 2, 8, 9][i], args[i]);
      else this.w64(rsp + 8 + 8 * i, args[i]);
    }
    this.setReg(4, rsp);
    cpu.rip = fn;
    return this.run(RETURN64);
  }

  /** Calls a 32-bit stdcall function from compatibility mode, starting the thread through wow64cpu!BTCpuSimulate. */
  call32(fn: number, args: readonly number[]): CallResult {
    assert.ok(this.wow64);
    const cpu = this.cpu;
    let esp = STACK32_TOP - 0x1000 - 4 * args.length - 4;
    esp -= esp % 16;
    args.forEach((a, i) => this.w32(esp + 4 + 4 * i, a));
    this.w32(esp, RETURN32);
    const C = CPURESERVED + 4;
    this.w32(C + WOW64_CONTEXT.Eip, fn);
    this.w32(C + WOW64_CONTEXT.Esp, esp);
    this.w32(C + WOW64_CONTEXT.EFlags, 0x202);
    cpu.setMode(64);
    this.setReg(4, STACK64_TOP - 0x1008);
    cpu.rip = this.exportOf("wow64cpu", "x64", "BTCpuSimulate");
    return this.run(RETURN32);
  }

  /** ntdll!NtXxx (or any export) of `arch` called with `args`. */
  call(dll: DllName, arch: Arch, name: string, args: readonly number[]): CallResult {
    const fn = this.exportOf(dll, arch, name);
    return arch === "x64" ? this.call64(fn, args) : this.call32(fn, args);
  }
}

export function hex(v: number): string {
  return "0x" + (v >>> 0 === v ? v.toString(16) : v.toString(16));
}
