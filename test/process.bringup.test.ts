/**
 * Process bring-up with a stand-in kernel (test/process.kernel-stub.test.ts): the fixtures that need only
 * console output and ExitProcess run to their expected output (test/fixtures/EXPECTED.md); the PEB, TEB,
 * parameters, loader lists, stacks and initial contexts are checked in guest memory; relocation, guard-page
 * stack growth, faults and load errors.
 */
import { strict as assert } from "node:assert";
import { readFileSync } from "node:fs";
import { Reg, SReg } from "../src/cpu/index";
import { WOW64_CONTEXT } from "../src/windows/dlls/code";
import {
  LDR_ENTRY32,
  LDR_ENTRY64,
  LoadError,
  PARAMS32,
  PARAMS64,
  PEB32,
  PEB64,
  PEB_LDR_DATA32,
  PEB_LDR_DATA64,
  TEB32,
  TEB64,
} from "../src/windows/loader";
import { PAGE_GUARD, PAGE_READWRITE, MEM_COMMIT, MEM_RESERVE } from "../src/windows/memory/constants";
import { AddressSpace } from "../src/windows/memory/address-space";
import { MemoryManager } from "../src/windows/memory/manager";
import { ModuleTable } from "../src/windows/loader";
import { BufferConsole, Process, systemDlls, type ProcessStop } from "../src/windows/process";
import { StubKernel } from "./process.kernel-stub.test";
import { Kernel } from "../src/windows/kernel";

const BIN = "test/fixtures/bin";
const bin = (n: string): Uint8Array => readFileSync(`${BIN}/${n}`);

interface Ran {
  p: Process;
  out: string;
  stop: ProcessStop;
  kernel: StubKernel;
}

function create(
  file: string,
  extra: Partial<Parameters<typeof Process.create>[0]> = {},
): { p: Process; con: BufferConsole; k: () => StubKernel } {
  const con = new BufferConsole();
  let k: StubKernel | undefined;
  const p = Process.create({
    file: bin(file),
    name: file,
    console: con,
    kernel: (pp) => (k = new StubKernel(pp)),
    ...extra,
  });
  return { p, con, k: () => k as StubKernel };
}

function run(file: string, extra: Partial<Parameters<typeof Process.create>[0]> = {}): Ran {
  const { p, con, k } = create(file, extra);
  const stop = p.run(50_000_000);
  return { p, out: con.stdout, stop, kernel: k() };
}

function shellcode(code: number[] | Uint8Array, arch: "x86" | "x64"): Ran {
  const con = new BufferConsole();
  let k: StubKernel | undefined;
  const p = Process.createShellcode({
    code: Uint8Array.from(code),
    arch,
    console: con,
    kernel: (pp) => (k = new StubKernel(pp)),
  });
  const stop = p.run(50_000_000);
  return { p, out: con.stdout, stop, kernel: k as StubKernel };
}

/**
 * Shellcode on the real kernel: faults are dispatched as Windows exceptions (KiUserExceptionDispatcher,
 * handlers, then the unhandled end), which the stand-in kernel does not implement.
 */
function shellcodeReal(code: number[] | Uint8Array, arch: "x86" | "x64"): { stop: ProcessStop; p: Process } {
  const p = Process.createShellcode({
    code: Uint8Array.from(code),
    arch,
    console: new BufferConsole(),
    kernel: (pp) => new Kernel(pp),
  });
  return { p, stop: p.run(50_000_000) };
}

// guest memory readers
function u16(p: Process, a: number): number {
  const b = new Uint8Array(2);
  assert.equal(p.mem.read(a, b, { force: true }), 2, `read 0x${a.toString(16)}`);
  return b[0] | (b[1] << 8);
}
function u32(p: Process, a: number): number {
  const b = new Uint8Array(4);
  assert.equal(p.mem.read(a, b, { force: true }), 4, `read 0x${a.toString(16)}`);
  return new DataView(b.buffer).getUint32(0, true);
}
function ptr(p: Process, a: number, bits: 32 | 64): number {
  return bits === 32 ? u32(p, a) : u32(p, a) + u32(p, a + 4) * 2 ** 32;
}
function ustr(p: Process, a: number, bits: 32 | 64): string {
  const len = u16(p, a);
  const buf = ptr(p, a + bits / 8, bits);
  let s = "";
  for (let k = 0; k < len / 2; k++) s += String.fromCharCode(u16(p, buf + 2 * k));
  return s;
}
/** BaseDllName of each entry of a module list, walked through the guest's Flink pointers. */
function walk(
  p: Process,
  ldr: number,
  bits: 32 | 64,
  list: "InLoadOrderModuleList" | "InMemoryOrderModuleList" | "InInitializationOrderModuleList",
): string[] {
  const L = bits === 64 ? PEB_LDR_DATA64 : PEB_LDR_DATA32;
  const E = bits === 64 ? LDR_ENTRY64 : LDR_ENTRY32;
  const linkOff =
    list === "InLoadOrderModuleList"
      ? E.InLoadOrderLinks
      : list === "InMemoryOrderModuleList"
        ? E.InMemoryOrderLinks
        : E.InInitializationOrderLinks;
  const head = ldr + L[list];
  const names: string[] = [];
  for (let e = ptr(p, head, bits); e !== head; e = ptr(p, e, bits)) {
    const entry = e - linkOff;
    names.push(ustr(p, entry + E.BaseDllName, bits));
    assert.equal(ptr(p, ptr(p, e, bits) + bits / 8, bits), e, "Blink of the next entry points back");
    assert.ok(names.length < 50);
  }
  return names;
}

const HELLO = "Hello, world!\n";
const TLS_OUT =
  "tls callback 1, reason 1\ntls callback 2, reason 1\nmain\ntls callback 1, reason 0\ntls callback 2, reason 0\n";

describe("process bring-up (stand-in kernel)", () => {
  describe("fixtures (expected output and exit code: test/fixtures/EXPECTED.md)", () => {
    for (const [file, out, code] of [
      ["hello32.exe", HELLO, 0],
      ["hello64.exe", HELLO, 0],
      ["hello32-rebased.exe", HELLO, 0],
      ["hello64-rebased.exe", HELLO, 0],
      ["tls32.exe", TLS_OUT, 0],
      ["tls64.exe", TLS_OUT, 0],
      ["unwind64.exe", "", 0],
    ] as const) {
      it(`${file}`, () => {
        const r = run(file);
        assert.deepEqual(r.stop, {
          kind: "exit",
          status: code,
          message: `exited with code ${code} (0x${code.toString(16).toUpperCase().padStart(8, "0")})`,
        });
        assert.equal(r.out, out);
      });
    }

    it("gate32.exe: Heaven's Gate far call and far jump, exit code 255", () => {
      const r = run("gate32.exe");
      assert.equal(r.stop.kind === "exit" && r.stop.status, 255);
      assert.equal(
        r.out,
        "cs=0023 probe=00000001\nfar call: cs=0033 r8=1234567A00000000 probe=00000000\n" +
          "far jmp: cs=0033 rax=0000000100000000 probe=00000000\nback: cs=0023 mask=000000FF\n",
      );
    });

    it("shellcode32.bin / shellcode64.bin: PEB walk to kernel32, WriteFile, return 0", () => {
      for (const [arch, n] of [
        ["x86", 32],
        ["x64", 64],
      ] as const) {
        const r = shellcode(bin(`shellcode${n}.bin`), arch);
        assert.equal(r.out, `Hello from ${n}-bit shellcode!\n`);
        assert.equal(r.stop.kind === "exit" && r.stop.status, 0);
      }
    });

    it("the 32-bit hello reaches the kernel through the WOW64 layers", () => {
      const r = run("hello32.exe");
      assert.deepEqual(r.kernel.calls, [
        "GetStdHandle",
        "WriteFile bridge-pre",
        "Wow64pThunkArguments",
        "NtWriteFile",
        "Wow64pThunkResults",
        "WriteFile bridge-post",
        "ExitProcess bridge-pre",
        "Wow64pThunkArguments",
        "NtTerminateProcess",
      ]);
    });
  });

  describe("WOW64 process (hello32.exe)", () => {
    const { p } = create("hello32.exe");
    const t = p.threads[0];

    it("TEB64, TEB32 = TEB64 + 0x2000, PEB32 and PEB64 on their own pages; GS = TEB64, FS base = TEB32", () => {
      assert.equal(t.teb32, t.teb + 0x2000);
      assert.equal(p.cpu.gsBase, t.teb);
      assert.equal(p.cpu.fsBase, t.teb32);
      assert.equal(p.cpu.descriptors.get(0x53 >> 3)?.base, t.teb32);
      assert.equal(p.cpu.sreg[SReg.FS], 0x53);
      assert.ok(t.teb32 + 0x1000 <= 2 ** 32 && p.peb32 % 0x1000 === 0 && p.peb % 0x1000 === 0);
      assert.notEqual(p.peb32, p.peb);
      assert.equal(ptr(p, t.teb + TEB64.Self, 64), t.teb);
      assert.equal(ptr(p, t.teb + TEB64.ExceptionList, 64), t.teb32, "TEB64.NtTib.ExceptionList → TEB32");
      assert.equal(ptr(p, t.teb + TEB64.ProcessEnvironmentBlock, 64), p.peb);
      assert.equal(u32(p, t.teb + TEB64.WowTebOffset), 0x2000);
      assert.equal(u32(p, t.teb32 + TEB32.Self), t.teb32);
      assert.equal(u32(p, t.teb32 + TEB32.ExceptionList), 0xffffffff);
      assert.equal(u32(p, t.teb32 + TEB32.ProcessEnvironmentBlock), p.peb32);
      assert.equal(u32(p, t.teb32 + TEB32.WowTebOffset) | 0, -0x2000);
      assert.equal(u32(p, t.teb32 + TEB32.UniqueProcess), p.id);
      assert.equal(u32(p, t.teb32 + TEB32.UniqueThread), t.id);
      assert.equal(u32(p, t.teb32 + TEB32.LastErrorValue), 0);
    });

    it("the 32-bit stack sized from the PE header, with a guard page; the 64-bit stack in TlsSlots[0]", () => {
      const base = u32(p, t.teb32 + TEB32.StackBase);
      const limit = u32(p, t.teb32 + TEB32.StackLimit);
      const dealloc = u32(p, t.teb32 + TEB32.DeallocationStack);
      assert.equal(base - dealloc, 0x200000); // SizeOfStackReserve
      assert.equal(base - limit, 0x1000); // SizeOfStackCommit
      const guard = p.mem.query(limit - 0x1000).info!;
      assert.equal(guard.protect, PAGE_READWRITE | PAGE_GUARD);
      assert.equal(guard.state, MEM_COMMIT);
      assert.equal(p.mem.query(limit - 0x2000).info!.state, MEM_RESERVE);
      const rsp64 = ptr(p, t.teb + TEB64.TlsSlots, 64);
      const s64 = ptr(p, t.teb + TEB64.StackBase, 64);
      assert.ok(rsp64 < s64 && rsp64 > ptr(p, t.teb + TEB64.StackLimit, 64));
    });

    it("starts in 64-bit mode at wow64cpu!BTCpuSimulate with the x86 context in WOW64_CONTEXT", () => {
      assert.equal(p.cpu.mode64, true);
      assert.equal(
        p.symbolize(p.cpu.rip),
        "wow64cpu.dll+0x" + (p.cpu.rip - 0x77c50000).toString(16).toUpperCase(),
      );
      const sim = p.dlls.get("wow64cpu", "x64")!.exports.get("BTCpuSimulate")!;
      assert.equal(p.cpu.rip, "address" in sim ? sim.address : -1);
      const ctx = ptr(p, t.teb + TEB64.TlsSlots + 8, 64) + 4;
      assert.equal(u32(p, ctx + WOW64_CONTEXT.SegCs), 0x23);
      assert.equal(u32(p, ctx + WOW64_CONTEXT.Eip), p.launcher.start);
      assert.equal(u32(p, ctx + WOW64_CONTEXT.Eax), p.entryPoint);
      assert.equal(p.entryPoint, 0x401000);
      assert.equal(u32(p, ctx + WOW64_CONTEXT.Ebx), p.peb32);
      const esp = u32(p, ctx + WOW64_CONTEXT.Esp);
      assert.ok(esp < u32(p, t.teb32 + TEB32.StackBase) && esp >= u32(p, t.teb32 + TEB32.StackLimit));
      const x86 = p.contexts().x86!;
      assert.equal(x86.eip, "0x" + p.launcher.start.toString(16).padStart(8, "0"));
      assert.equal(x86.cs, "0x0023");
    });

    it("PEB32 and PEB64: image base, loader lists, parameters, OS version", () => {
      assert.equal(u32(p, p.peb32 + PEB32.ImageBaseAddress), 0x400000);
      assert.equal(ptr(p, p.peb + PEB64.ImageBaseAddress, 64), 0x400000);
      assert.equal(u32(p, p.peb32 + PEB32.OSMajorVersion), 10);
      assert.equal(u16(p, p.peb32 + PEB32.OSBuildNumber), 19045);
      assert.equal(u32(p, p.peb32 + PEB32.ImageSubsystem), 3);
      assert.notEqual(u32(p, p.peb32 + PEB32.ProcessHeap), 0);
      const ldr32 = u32(p, p.peb32 + PEB32.Ldr);
      const ldr64 = ptr(p, p.peb + PEB64.Ldr, 64);
      assert.deepEqual(walk(p, ldr32, 32, "InLoadOrderModuleList"), [
        "hello32.exe",
        "ntdll.dll",
        "KERNEL32.DLL",
        "KERNELBASE.dll",
      ]);
      assert.deepEqual(walk(p, ldr32, 32, "InMemoryOrderModuleList"), [
        "hello32.exe",
        "ntdll.dll",
        "KERNEL32.DLL",
        "KERNELBASE.dll",
      ]);
      assert.deepEqual(walk(p, ldr32, 32, "InInitializationOrderModuleList"), [
        "ntdll.dll",
        "KERNELBASE.dll",
        "KERNEL32.DLL",
      ]);
      assert.deepEqual(walk(p, ldr64, 64, "InLoadOrderModuleList"), [
        "hello32.exe",
        "ntdll.dll",
        "wow64.dll",
        "wow64win.dll",
        "wow64cpu.dll",
      ]);
      const first = u32(p, ldr32 + PEB_LDR_DATA32.InLoadOrderModuleList);
      const ntdllEntry = u32(p, first);
      assert.equal(ustr(p, ntdllEntry + LDR_ENTRY32.FullDllName, 32), "C:\\Windows\\SysWOW64\\ntdll.dll");
      assert.equal(u32(p, ntdllEntry + LDR_ENTRY32.DllBase), 0x77a00000);
      const params = u32(p, p.peb32 + PEB32.ProcessParameters);
      assert.equal(ustr(p, params + PARAMS32.ImagePathName, 32), "C:\\app\\hello32.exe");
      assert.equal(ustr(p, params + PARAMS32.CommandLine, 32), "C:\\app\\hello32.exe");
      assert.equal(ustr(p, params + PARAMS32.CurrentDirectory, 32), "C:\\app\\");
      assert.equal(u32(p, params + PARAMS32.StandardOutput), 0x54);
      const params64 = ptr(p, p.peb + PEB64.ProcessParameters, 64);
      assert.equal(ptr(p, params64 + PARAMS64.StandardError, 64), 0x58);
      const env = u32(p, params + PARAMS32.Environment);
      let text = "";
      for (let k = 0; !text.endsWith("\0\0"); k++) text += String.fromCharCode(u16(p, env + 2 * k));
      assert.ok(text.includes("SystemRoot=C:\\Windows\0"), "environment block");
      assert.ok(text.includes("PROCESSOR_ARCHITECTURE=x86\0"));
    });

    it("the address space: large-address-aware, images mapped as MEM_IMAGE", () => {
      assert.equal(p.mem.wow64, true);
      assert.equal(p.mem.largeAddressAware, true); // hello32 is LARGE_ADDRESS_AWARE
      assert.equal(p.mem.query(0x401000).info!.type, 0x1000000);
      assert.equal(p.mem.query(0x7ffac7d01000).info!.type, 0x1000000); // x64 ntdll above 4 GB
    });
  });

  describe("native 64-bit process (hello64.exe)", () => {
    const { p } = create("hello64.exe", { args: ["a b", 'q"x', "plain"] });
    it("RIP at the launcher with RCX = entry point, RDX = PEB; GS = TEB; command line quoted", () => {
      const t = p.threads[0];
      assert.equal(t.teb32, 0);
      assert.equal(p.cpu.gsBase, t.teb);
      assert.equal(p.cpu.rip, p.launcher.start);
      assert.equal(p.cpu.lo[Reg.RCX] >>> 0, 0x40001000);
      assert.equal(p.cpu.hi[Reg.RCX], 1);
      assert.equal((p.cpu.hi[Reg.RDX] >>> 0) * 2 ** 32 + (p.cpu.lo[Reg.RDX] >>> 0), p.peb);
      assert.equal((p.cpu.lo[Reg.RSP] >>> 0) % 16, 8, "RSP as after a call");
      assert.equal(p.commandLine, 'C:\\app\\hello64.exe "a b" "q\\"x" plain');
      const ldr = ptr(p, p.peb + PEB64.Ldr, 64);
      assert.deepEqual(walk(p, ldr, 64, "InMemoryOrderModuleList"), [
        "hello64.exe",
        "ntdll.dll",
        "KERNEL32.DLL",
        "KERNELBASE.dll",
      ]);
      assert.equal(
        ptr(p, t.teb + TEB64.StackBase, 64) - ptr(p, t.teb + TEB64.DeallocationStack, 64),
        0x200000,
      );
      assert.equal(p.contexts().x86, null);
    });

    it("steps through the launcher one instruction at a time", () => {
      const { p: q } = create("hello64.exe");
      assert.deepEqual(q.step(), { kind: "step" });
      assert.equal(q.cpu.rip, q.launcher.start + 4); // sub rsp, 0x28
    });
  });

  describe("relocation", () => {
    it("hello32 forced to 0x00500000 and hello64 to 0x180000000 run the same", () => {
      for (const [file, base] of [
        ["hello32.exe", 0x500000],
        ["hello64.exe", 0x180000000],
      ] as const) {
        const r = run(file, { imageBase: base });
        assert.equal(r.out, HELLO, file);
        assert.equal(r.p.imageBase, base);
        assert.equal(r.p.exe?.relocated, true);
        const bits = file.includes("32") ? 32 : 64;
        const peb = bits === 32 ? r.p.peb32 : r.p.peb;
        assert.equal(ptr(r.p, peb + (bits === 32 ? PEB32 : PEB64).ImageBaseAddress, bits), base);
        assert.equal(u16(r.p, peb + 3) & 4, 4, "PEB.IsImageDynamicallyRelocated");
      }
    });

    it("an occupied preferred base moves the image; a forced base that is taken is an error", () => {
      const mm = new MemoryManager();
      const mem = new AddressSpace(mm, { wow64: true });
      assert.equal(mem.allocate(0x400000, 0x10000, MEM_RESERVE, PAGE_READWRITE).status, 0);
      const t = new ModuleTable({ mm, mem, arch: "x86", findDll: undefined });
      for (const d of ["ntdll", "kernelbase", "kernel32"] as const) t.mapSystem(systemDlls().get(d, "x86")!);
      const m = t.loadExe(bin("hello32.exe"), "C:\\app\\hello32.exe");
      assert.notEqual(m.base, 0x400000);
      assert.equal(m.relocated, true);
      // .data holds message_ptr (a HIGHLOW fixup): it now points into the moved image
      const data = m.pe.sections.find((s) => s.name === ".data")!;
      const b = new Uint8Array(4);
      mem.read(m.base + data.virtualAddress, b, { force: true });
      const ptrValue = new DataView(b.buffer).getUint32(0, true);
      assert.ok(ptrValue >= m.base && ptrValue < m.base + m.size, ptrValue.toString(16));
      assert.throws(
        () => create("hello32.exe", { imageBase: 0x77a00000 }),
        (e: unknown) => e instanceof LoadError && /cannot map/.test(e.message),
      );
    });
  });

  describe("faults and stacks", () => {
    it("an access violation names the address, the access and the module", () => {
      const r = shellcodeReal([0x8b, 0x05, 0, 0, 0, 0], "x86"); // mov eax, [0]
      assert.equal(r.stop.kind, "exception");
      if (r.stop.kind !== "exception") return;
      assert.equal(r.stop.code, 0xc0000005);
      assert.match(
        r.stop.message,
        /^Access violation reading 0x00000000 at 0x[0-9A-F]{8} \(shellcode\+0x0\)$/,
      );
      const w = shellcodeReal([0x48, 0xc7, 0x04, 0x25, 0x10, 0, 0, 0, 1, 0, 0, 0], "x64"); // mov qword [0x10], 1
      assert.match((w.stop as { message: string }).message, /^Access violation writing 0x00000010 at 0x/);
    });

    it("the stack grows through its guard page, and overflows at the end of its reservation", () => {
      // mov ecx, 0x4000; l: push eax; loop l; add esp, 0x10000; xor eax, eax; ret → 64 KB of pushes
      const grow = shellcodeReal(
        [0xb9, 0, 0x40, 0, 0, 0x50, 0xe2, 0xfd, 0x81, 0xc4, 0, 0, 1, 0, 0x31, 0xc0, 0xc3],
        "x86",
      );
      assert.equal(grow.stop.kind === "exit" && grow.stop.status, 0);
      const t = grow.p.threads[0];
      const limit = u32(grow.p, t.teb32 + TEB32.StackLimit);
      assert.ok(u32(grow.p, t.teb32 + TEB32.StackBase) - limit >= 0x10000, "StackLimit followed the growth");
      const rec = shellcodeReal([0x50, 0xeb, 0xfd], "x64"); // l: push rax; jmp l
      assert.equal(rec.stop.kind, "exception");
      assert.equal((rec.stop as { code: number }).code, 0xc00000fd);
      assert.match((rec.stop as { message: string }).message, /^Stack overflow at /);
    });

    it("an illegal instruction and int3", () => {
      assert.match(
        (shellcodeReal([0x0f, 0x0b], "x64").stop as { message: string }).message,
        /^Illegal instruction at .*shellcode\+0x0/,
      );
      const bp = shellcodeReal([0xcc], "x86").stop;
      assert.equal(bp.kind === "exception" && bp.code, 0x80000003);
    });
  });

  describe("load errors", () => {
    it("a missing DLL, a DLL of the wrong architecture", () => {
      assert.throws(
        () => create("dllclient32.exe"),
        (e: unknown) =>
          e instanceof LoadError && e.status === 0xc0000135 && /forward\.dll was not found/.test(e.message),
      );
      assert.throws(
        () =>
          create("dllclient32.exe", {
            findDll: () => ({ path: "C:\\app\\forward.dll", bytes: bin("forward64.dll") }),
          }),
        (e: unknown) =>
          e instanceof LoadError && /64-bit image; a 32-bit process cannot load it/.test(e.message),
      );
      assert.throws(
        () => create("exports32.dll"),
        (e: unknown) => e instanceof LoadError && /is a DLL/.test(e.message),
      );
    });

    it("imports bound through a DLL found beside the program, its DllMain run before the entry point", () => {
      const { p, k } = create("dllclient64.exe", {
        findDll: (n) =>
          /forward/i.test(n) ? { path: "C:\\app\\forward.dll", bytes: bin("forward64.dll") } : undefined,
      });
      const stop = p.run(1_000_000);
      // LoadLibraryA (the delay-load helper) is the kernel's: the stand-in stops there
      assert.equal(stop.kind, "unimplemented");
      assert.deepEqual(k().calls, ["LoadLibraryA"]);
      const fwd = p.modules.get("forward.dll")!;
      assert.equal(fwd.base, 0x2196f0000);
      assert.ok(p.launcher.listing.some((l) => l.text.includes("forward.dll!DllMain")));
    });

    it("the malformed corpus: a LoadError naming the field, nothing else thrown", () => {
      const cases = JSON.parse(readFileSync("test/fixtures/malformed/cases.json", "utf8")) as {
        file: string;
        field: string;
      }[];
      assert.ok(cases.length >= 20);
      for (const c of cases) {
        const file = readFileSync(`test/fixtures/malformed/${c.file}`);
        try {
          Process.create({ file, name: c.file, kernel: (pp) => new StubKernel(pp) });
          assert.fail(`${c.file} loaded`);
        } catch (e) {
          assert.ok(e instanceof LoadError, `${c.file}: ${String(e)}`);
          assert.equal(e.peError?.field, c.field, c.file);
          assert.ok(e.message.includes(c.field), e.message);
        }
      }
    });
  });
});
