/**
 * The WOW64 call path of the synthetic DLLs, run on our CPU: 32-bit code calls x86 ntdll!NtWriteFile →
 * Wow64SystemServiceCall → [Wow64Transition] → wow64cpu!KiFastSystemCall (jmp far 0x33) →
 * CpupReturnFromSimulatedCode (saves WOW64_CONTEXT) → wow64!Wow64SystemServiceEx (traps standing in for
 * the argument thunks) → x64 ntdll!NtWriteFile (`syscall`) → back with `jmp far` to CS 0x23 and
 * `ret 0x24`. A small loader here maps the images (src/windows/pe) into a FlatBus; the test plays the OS
 * layer: it handles the traps by address and answers the syscall.
 */
import { strict as assert } from "node:assert";
import { Cpu, FlatBus, SReg } from "../src/cpu/index";
import { buildSystemDlls, TEB64, WOW64_CONTEXT, type SystemDll } from "../src/windows/dlls";
import { mapImage } from "../src/windows/pe";
import { syscallTable } from "../src/windows/syscalls";

const TEB = 0x10000000;
const CPURESERVED = 0x10010000;
const CTX = CPURESERVED + 4;
const STACK32_TOP = 0x00200000;
const STACK64_TOP = 0x20010000;
const PROGRAM = 0x00400000;

function u32(bus: FlatBus, a: number): number {
  return new DataView(bus.readBytes(a, 4).buffer).getUint32(0, true);
}
function w32(bus: FlatBus, a: number, v: number): void {
  const b = new Uint8Array(4);
  new DataView(b.buffer).setUint32(0, v >>> 0, true);
  bus.writeBytes(a, b);
}
/** Writes a qword; -1 is (HANDLE)-1, NtCurrentProcess(). */
function w64(bus: FlatBus, a: number, v: number): void {
  w32(bus, a, v === -1 ? 0xffffffff : v % 0x100000000);
  w32(bus, a + 4, v === -1 ? 0xffffffff : Math.floor(v / 0x100000000));
}
function r64(cpu: Cpu, r: number): number {
  return (cpu.hi[r]! >>> 0) * 0x100000000 + (cpu.lo[r]! >>> 0);
}
function set64(cpu: Cpu, r: number, v: number): void {
  cpu.lo[r] = (v % 0x100000000) | 0;
  cpu.hi[r] = Math.floor(v / 0x100000000) | 0;
}

function load(bus: FlatBus, d: SystemDll): void {
  const m = mapImage(d.image.bytes);
  bus.map(d.base, m.length);
  bus.writeBytes(d.base, m);
}

function exportOf(d: SystemDll, name: string): number {
  const t = d.exports.get(name);
  assert.ok(t && "address" in t);
  return t.address;
}

describe("synthetic system DLLs: the WOW64 path on our CPU", () => {
  it("NtWriteFile from 32-bit code reaches the x64 syscall and comes back", () => {
    const set = buildSystemDlls();
    const ntdll32 = set.get("ntdll", "x86")!;
    const ntdll64 = set.get("ntdll", "x64")!;
    const cpuDll = set.get("wow64cpu", "x64")!;
    const bus = new FlatBus();
    for (const d of [ntdll32, ntdll64, cpuDll, set.get("wow64", "x64")!]) load(bus, d);

    // TEB64 (GS base) with the WOW64 TLS slots, WOW64_CPURESERVED, stacks
    bus.map(TEB, 0x2000);
    w64(bus, TEB + TEB64.Self, TEB);
    w64(bus, TEB + TEB64.Wow64CpuReserved, CPURESERVED);
    bus.map(CPURESERVED, 0x1000);
    bus.map(STACK32_TOP - 0x10000, 0x10000);
    bus.map(STACK64_TOP - 0x10000, 0x10000);

    // 32-bit program: NtWriteFile(h, 0, 0, 0, iosb, buf, len, 0, 0), then a breakpoint
    const args = [0x44, 0, 0, 0, 0x1f0100, 0x1f0200, 13, 0, 0];
    const prog: number[] = [];
    for (const v of [...args].reverse())
      prog.push(0x68, ...[v, v >>> 8, v >>> 16, v >>> 24].map((b) => b & 0xff)); // push imm32
    const nt = exportOf(ntdll32, "NtWriteFile");
    prog.push(0xb8, nt & 0xff, (nt >>> 8) & 0xff, (nt >>> 16) & 0xff, nt >>> 24); // mov eax, ntdll!NtWriteFile
    prog.push(0xff, 0xd0); // call eax
    const after = PROGRAM + prog.length;
    prog.push(0xcc);
    bus.map(PROGRAM, 0x1000);
    bus.writeBytes(PROGRAM, Uint8Array.from(prog));

    // WOW64_CONTEXT as the process bring-up would leave it, then BTCpuSimulate in 64-bit mode
    const C = WOW64_CONTEXT;
    w32(bus, CTX + C.Eip, PROGRAM);
    w32(bus, CTX + C.SegCs, 0x23);
    w32(bus, CTX + C.Esp, STACK32_TOP - 0x100);
    w32(bus, CTX + C.EFlags, 0x202);
    w32(bus, CTX + C.Ebx, 0x0b0b0b0b);
    w32(bus, CTX + C.Esi, 0x05050505);
    w32(bus, CTX + C.Edi, 0x0d0d0d0d);
    w32(bus, CTX + C.Ebp, 0x0e0e0e0e);
    const cpu = new Cpu(bus);
    cpu.setMode(64);
    cpu.gsBase = TEB;
    cpu.rip = exportOf(cpuDll, "BTCpuSimulate");
    set64(cpu, 4, STACK64_TOP - 0x1008); // as after a call
    cpu.addBreakpoint(after);

    const table = syscallTable();
    const seen: string[] = [];
    let syscall: { eax: number; args: number[] } | undefined;
    for (let i = 0; i < 100; i++) {
      const s = cpu.run(100000);
      if (s.kind === "breakpoint" && s.address === after) break;
      if (s.kind === "fault" && s.fault.vector === "UD") {
        const trap = set.trapAt(s.fault.rip);
        assert.ok(trap, `#UD at 0x${s.fault.rip.toString(16)}`);
        seen.push(trap.name);
        if (trap.name === "Wow64pThunkArguments") {
          const info = table.byNumber(cpu.lo[1]! >>> 0)!;
          const args32 = cpu.lo[2]! >>> 0;
          const frame = r64(cpu, 8);
          for (let k = 0; k < info.params; k++) w64(bus, frame + 8 * k, u32(bus, args32 + 4 * k));
          set64(cpu, 0, exportOf(ntdll64, info.name));
        } else if (trap.name === "Wow64pThunkResults") {
          set64(cpu, 0, cpu.lo[1]! >>> 0);
        } else assert.fail(trap.name);
        cpu.rip = s.fault.rip + 3;
        continue;
      }
      if (s.kind === "syscall") {
        assert.equal(cpu.mode64, true);
        const rsp = r64(cpu, 4);
        const a = [r64(cpu, 10), r64(cpu, 2), r64(cpu, 8), r64(cpu, 9)];
        const stack = bus.readBytes(rsp + 0x28, 8 * 5);
        for (let k = 0; k < 5; k++) a.push(Number(new DataView(stack.buffer).getBigUint64(8 * k, true)));
        syscall = { eax: cpu.lo[0]! >>> 0, args: a };
        set64(cpu, 0, 0xc0000008); // STATUS_INVALID_HANDLE
        continue;
      }
      assert.fail(`unexpected stop ${JSON.stringify(s)}`);
    }
    assert.deepEqual(seen, ["Wow64pThunkArguments", "Wow64pThunkResults"]);
    assert.deepEqual(syscall, { eax: 0x08, args });
    // back in 32-bit code after `ret 0x24`, the caller's registers and stack intact
    assert.equal(cpu.rip, after);
    assert.equal(cpu.mode64, false);
    assert.equal(cpu.sreg[SReg.CS], 0x23);
    assert.equal(cpu.lo[0]! >>> 0, 0xc0000008);
    assert.equal(cpu.lo[4]! >>> 0, STACK32_TOP - 0x100);
    assert.deepEqual(
      [3, 6, 7, 5].map((r) => cpu.lo[r]! >>> 0),
      [0x0b0b0b0b, 0x05050505, 0x0d0d0d0d, 0x0e0e0e0e],
    );
    // WOW64_CONTEXT holds the state saved at the transition; the 64-bit stack is remembered in TLS slot 0
    assert.equal(u32(bus, CTX + C.Eax), 0xc0000008);
    assert.equal(u32(bus, CTX + C.Eip), nt + 12); // the stub's `ret 0x24`
    assert.equal(u32(bus, CTX + C.Esp), STACK32_TOP - 0x100 - 9 * 4 - 4);
    assert.equal(
      u32(bus, TEB + TEB64.Wow64StackPtr64) + u32(bus, TEB + TEB64.Wow64StackPtr64 + 4) * 2 ** 32,
      STACK64_TOP - 0x1030,
    );
  });

  it("a kernel32 bridge from 32-bit code: thunk → kernelbase → pre trap → WOW64 path → post trap → ret 0x14", () => {
    const set = buildSystemDlls();
    const bus = new FlatBus();
    for (const [dll, arch] of [
      ["ntdll", "x86"],
      ["ntdll", "x64"],
      ["wow64cpu", "x64"],
      ["wow64", "x64"],
      ["kernelbase", "x86"],
      ["kernel32", "x86"],
    ] as const)
      load(bus, set.get(dll, arch)!);
    bus.map(TEB, 0x2000);
    w64(bus, TEB + TEB64.Self, TEB);
    w64(bus, TEB + TEB64.Wow64CpuReserved, CPURESERVED);
    bus.map(CPURESERVED, 0x1000);
    bus.map(STACK32_TOP - 0x10000, 0x10000);
    bus.map(STACK64_TOP - 0x10000, 0x10000);
    // WriteFile(0x44, buf, 13, &written, NULL)
    const api = [0x44, 0x1f0200, 13, 0x1f0300, 0];
    const prog: number[] = [];
    for (const v of [...api].reverse())
      prog.push(0x68, ...[v, v >>> 8, v >>> 16, v >>> 24].map((b) => b & 0xff));
    const wf = exportOf(set.get("kernel32", "x86")!, "WriteFile");
    prog.push(0xb8, wf & 0xff, (wf >>> 8) & 0xff, (wf >>> 16) & 0xff, wf >>> 24, 0xff, 0xd0);
    const after = PROGRAM + prog.length;
    prog.push(0xcc);
    bus.map(PROGRAM, 0x1000);
    bus.writeBytes(PROGRAM, Uint8Array.from(prog));
    const C = WOW64_CONTEXT;
    w32(bus, CTX + C.Eip, PROGRAM);
    w32(bus, CTX + C.SegCs, 0x23);
    w32(bus, CTX + C.Esp, STACK32_TOP - 0x100);
    w32(bus, CTX + C.EFlags, 0x202);
    const cpu = new Cpu(bus);
    cpu.setMode(64);
    cpu.gsBase = TEB;
    cpu.rip = exportOf(set.get("wow64cpu", "x64")!, "BTCpuSimulate");
    set64(cpu, 4, STACK64_TOP - 0x1008);
    cpu.addBreakpoint(after);

    const table = syscallTable();
    const ntdll64 = set.get("ntdll", "x64")!;
    const roles: string[] = [];
    let ntArgs: number[] = [];
    for (let i = 0; i < 100; i++) {
      const s = cpu.run(100000);
      if (s.kind === "breakpoint" && s.address === after) break;
      if (s.kind === "syscall") {
        set64(cpu, 0, 0); // STATUS_SUCCESS
        continue;
      }
      assert.ok(s.kind === "fault" && s.fault.vector === "UD", JSON.stringify(s));
      const trap = set.trapAt(s.fault.rip)!;
      roles.push(trap.role === "api" ? trap.name : `${trap.name} ${trap.role}`);
      if (trap.role === "bridge-pre") {
        // stdcall Pre(frame, apiArgs): the Nt arguments go at frame[0..], IO_STATUS_BLOCK in the locals
        const esp = cpu.lo[4]! >>> 0;
        const frame = u32(bus, esp + 4);
        const apiArgs = u32(bus, esp + 8);
        assert.deepEqual(
          [0, 1, 2, 3, 4].map((k) => u32(bus, apiArgs + 4 * k)),
          api,
        );
        ntArgs = [
          u32(bus, apiArgs),
          0,
          0,
          0,
          frame + 0x44,
          u32(bus, apiArgs + 4),
          u32(bus, apiArgs + 8),
          0,
          0,
        ];
        ntArgs.forEach((v, k) => w32(bus, frame + 4 * k, v));
        cpu.lo[0] = 0;
      } else if (trap.name === "Wow64pThunkArguments") {
        const info = table.byNumber(cpu.lo[1]! >>> 0)!;
        assert.equal(info.name, "NtWriteFile");
        const args32 = cpu.lo[2]! >>> 0;
        assert.deepEqual(
          [...Array(9).keys()].map((k) => u32(bus, args32 + 4 * k)),
          ntArgs,
        );
        for (let k = 0; k < info.params; k++) w64(bus, r64(cpu, 8) + 8 * k, u32(bus, args32 + 4 * k));
        set64(cpu, 0, exportOf(ntdll64, info.name));
      } else if (trap.name === "Wow64pThunkResults") {
        set64(cpu, 0, cpu.lo[1]! >>> 0);
      } else if (trap.role === "bridge-post") {
        const esp = cpu.lo[4]! >>> 0;
        assert.equal(u32(bus, esp + 4), 0); // status
        cpu.lo[0] = 1; // TRUE
      } else assert.fail(trap.name);
      cpu.rip = s.fault.rip + 3;
    }
    assert.deepEqual(roles, [
      "WriteFile bridge-pre",
      "Wow64pThunkArguments",
      "Wow64pThunkResults",
      "WriteFile bridge-post",
    ]);
    assert.equal(cpu.rip, after);
    assert.equal(cpu.mode64, false);
    assert.equal(cpu.lo[0], 1);
    assert.equal(cpu.lo[4]! >>> 0, STACK32_TOP - 0x100); // ret 0x14 popped the five arguments
  });

  it("a 64-bit bridge: kernel32!VirtualAlloc → NtAllocateVirtualMemory with its locals", () => {
    const set = buildSystemDlls();
    const bus = new FlatBus();
    for (const dll of ["ntdll", "kernelbase", "kernel32"] as const) load(bus, set.get(dll, "x64")!);
    bus.map(STACK64_TOP - 0x10000, 0x10000);
    const va = exportOf(set.get("kernel32", "x64")!, "VirtualAlloc");
    // sub rsp, 0x28; xor ecx, ecx; mov edx, 0x1000; mov r8d, 0x3000; mov r9d, 4; mov rax, imm64; call rax; int3
    const prog = [0x48, 0x83, 0xec, 0x28, 0x31, 0xc9, 0xba, 0, 0x10, 0, 0, 0x41, 0xb8, 0, 0x30, 0, 0];
    prog.push(0x41, 0xb9, 4, 0, 0, 0, 0x48, 0xb8);
    for (let k = 0; k < 8; k++) prog.push(Math.floor(va / 2 ** (8 * k)) & 0xff);
    prog.push(0xff, 0xd0);
    const after = PROGRAM + prog.length;
    prog.push(0xcc);
    bus.map(PROGRAM, 0x1000);
    bus.writeBytes(PROGRAM, Uint8Array.from(prog));
    const cpu = new Cpu(bus);
    cpu.setMode(64);
    cpu.rip = PROGRAM;
    set64(cpu, 4, STACK64_TOP - 0x1008);
    cpu.addBreakpoint(after);
    const roles: string[] = [];
    let frameAt = 0;
    for (let i = 0; i < 20; i++) {
      const s = cpu.run(100000);
      if (s.kind === "breakpoint" && s.address === after) break;
      if (s.kind === "syscall") {
        assert.equal(cpu.lo[0], 0x18); // NtAllocateVirtualMemory (Windows 10 22H2)
        const rsp = r64(cpu, 4);
        const stack = bus.readBytes(rsp + 0x28, 16);
        const dv = new DataView(stack.buffer);
        assert.deepEqual(
          [
            r64(cpu, 10),
            r64(cpu, 2),
            r64(cpu, 8),
            r64(cpu, 9),
            Number(dv.getBigUint64(0, true)),
            Number(dv.getBigUint64(8, true)),
          ],
          [2 ** 64 - 1, frameAt + 0x88, 0, frameAt + 0x90, 0x3000, 4],
        );
        w64(bus, frameAt + 0x88, 0x05550000); // *BaseAddress
        set64(cpu, 0, 0);
        continue;
      }
      assert.ok(s.kind === "fault" && s.fault.vector === "UD", JSON.stringify(s));
      const trap = set.trapAt(s.fault.rip)!;
      roles.push(trap.role);
      if (trap.role === "bridge-pre") {
        frameAt = r64(cpu, 1);
        const apiArgs = r64(cpu, 2);
        const home = bus.readBytes(apiArgs, 32);
        const dv = new DataView(home.buffer);
        assert.deepEqual(
          [0, 1, 2, 3].map((k) => Number(dv.getBigUint64(8 * k, true))),
          [0, 0x1000, 0x3000, 4],
        );
        w64(bus, frameAt + 0x88, 0); // locals: BaseAddress, RegionSize
        w64(bus, frameAt + 0x90, 0x1000);
        for (const [k, v] of [-1, frameAt + 0x88, 0, frameAt + 0x90, 0x3000, 4].entries())
          w64(bus, frameAt + 8 * k, v);
      } else {
        assert.equal(trap.role, "bridge-post");
        assert.equal(cpu.lo[1], 0);
        assert.equal(r64(cpu, 2), frameAt);
        set64(cpu, 0, u32(bus, frameAt + 0x88));
      }
      cpu.rip = s.fault.rip + 3;
    }
    assert.deepEqual(roles, ["bridge-pre", "bridge-post"]);
    assert.equal(cpu.rip, after);
    assert.equal(r64(cpu, 0), 0x05550000);
    assert.equal(r64(cpu, 4), STACK64_TOP - 0x1008 - 0x28);
  });
});
