/**
 * The register scopes (src/debugger/registers.ts): formatting of known values, EFLAGS bit children (SDM
 * Vol. 1 3.4.3: CF 0, PF 2, AF 4, ZF 6, SF 7, TF 8, IF 9, DF 10, OF 11, IOPL 12-13, NT 14, RF 16, VM 17,
 * AC 18, VIF 19, VIP 20, ID 21), edits written back to the CPU, input errors, segment bases, XMM lanes, x87,
 * and in a WOW64 thread the other side read from and written to the WOW64_CONTEXT in memory (winnt.h
 * layout; TEB64.TlsSlots[1] → WOW64_CPURESERVED, context at +4).
 */
import { strict as assert } from "node:assert";
import { Cpu, FlatBus, SReg } from "../src/cpu/index";
import {
  CONTEXT_I386,
  FLOATING_SAVE_AREA,
  FXSAVE_LAYOUT,
  parseRegisterValue,
  readWow64Context,
  registerScopes,
  RegisterEditError,
  WOW64_CONTEXT_LAYOUT,
  type RegisterNode,
  type RegisterTarget,
} from "../src/debugger/registers";
import { TEB64 } from "../src/windows/dlls";

const TEB = 0x7ffde000;
const TEB32 = 0x7ffdb000;
const CPURESERVED = 0x10010000;
const CTX = CPURESERVED + 4;

function setup(bits: 32 | 64): { cpu: Cpu; bus: FlatBus; target: (wow64: boolean) => RegisterTarget } {
  const bus = new FlatBus();
  bus.map(TEB - 0x3000, 0x5000);
  bus.map(CPURESERVED, 0x1000);
  const cpu = new Cpu(bus);
  cpu.setMode(bits);
  const memory = {
    read(addr: number, n: number): Uint8Array | undefined {
      try {
        return bus.readBytes(addr, n);
      } catch {
        return undefined;
      }
    },
    write(addr: number, data: Uint8Array): boolean {
      try {
        bus.writeBytes(addr, data);
        cpu.notifyWrite(addr, data.length);
        return true;
      } catch {
        return false;
      }
    },
  };
  const target = (wow64: boolean): RegisterTarget => ({ cpu, memory, wow64, teb64: TEB, teb32: TEB32 });
  return { cpu, bus, target };
}

function set64(cpu: Cpu, r: number, v: bigint): void {
  cpu.lo[r] = Number(v & 0xffffffffn) | 0;
  cpu.hi[r] = Number(v >> 32n) | 0;
}
function w32(bus: FlatBus, a: number, v: number): void {
  const b = new Uint8Array(4);
  new DataView(b.buffer).setUint32(0, v >>> 0, true);
  bus.writeBytes(a, b);
}
function u32(bus: FlatBus, a: number): number {
  return new DataView(bus.readBytes(a, 4).buffer).getUint32(0, true);
}

function node(list: RegisterNode[], name: string): RegisterNode {
  const n = list.find((x) => x.name === name);
  assert.ok(n, `no register ${name} in ${list.map((x) => x.name).join(" ")}`);
  return n;
}
function kids(n: RegisterNode): RegisterNode[] {
  assert.ok(n.children, `${n.name} has no children`);
  return n.children();
}
function edit(n: RegisterNode, text: string): RegisterNode {
  assert.ok(n.set, `${n.name} is read-only`);
  return n.set(text);
}
function editError(n: RegisterNode, text: string, message: RegExp): void {
  assert.throws(
    () => edit(n, text),
    (e: unknown) => e instanceof RegisterEditError && message.test(e.message),
  );
}

describe("debugger registers: a native 64-bit thread", () => {
  it("one live x64 scope; GPRs, RIP in 16 hex digits with a memory reference", () => {
    const { cpu, target } = setup(64);
    set64(cpu, 0, 0x1122334455667788n);
    set64(cpu, 4, 0x000000e0_0012ff48n);
    cpu.rip = 0x7ff6a0001000;
    const scopes = registerScopes(target(false));
    assert.deepEqual(
      scopes.map((s) => [s.name, s.live, s.source]),
      [["x64 registers", true, "cpu"]],
    );
    const regs = scopes[0].registers();
    assert.deepEqual(
      regs.slice(0, 18).map((r) => r.name),
      [
        "rax",
        "rbx",
        "rcx",
        "rdx",
        "rsi",
        "rdi",
        "rbp",
        "rsp",
        "r8",
        "r9",
        "r10",
        "r11",
        "r12",
        "r13",
        "r14",
        "r15",
        "rip",
        "rflags",
      ],
    );
    assert.equal(node(regs, "rax").value, "0x1122334455667788");
    assert.equal(node(regs, "rax").address, 0x1122334455667788n);
    assert.equal(node(regs, "rsp").value, "0x000000E00012FF48");
    assert.equal(node(regs, "rip").value, "0x00007FF6A0001000");
    assert.equal(node(regs, "rip").address, 0x7ff6a0001000n);
    assert.equal(node(regs, "rbx").value, "0x0000000000000000");
    assert.deepEqual(
      regs.filter((r) => r.kind === "segment").map((r) => r.name),
      ["cs", "ds", "es", "fs", "gs", "ss"],
    );
    assert.equal(regs.filter((r) => r.kind === "vector").length, 16);
  });

  it("RFLAGS: its value with the set flags, one child per bit, each editable", () => {
    const { cpu, target } = setup(64);
    cpu.setEflags(0x246);
    const rflags = () => node(registerScopes(target(false))[0].registers(), "rflags");
    assert.equal(rflags().value, "0x0000000000000246 [PF ZF IF]");
    const bits = kids(rflags());
    assert.deepEqual(
      bits.map((b) => `${b.name}=${b.value}`),
      [
        "CF=0",
        "PF=1",
        "AF=0",
        "ZF=1",
        "SF=0",
        "TF=0",
        "IF=1",
        "DF=0",
        "OF=0",
        "IOPL=0",
        "NT=0",
        "RF=0",
        "VM=0",
        "AC=0",
        "VIF=0",
        "VIP=0",
        "ID=0",
      ],
    );
    assert.equal(edit(node(bits, "CF"), "1").value, "1");
    assert.equal(cpu.getEflags(), 0x247);
    edit(node(kids(rflags()), "ZF"), "false");
    edit(node(kids(rflags()), "DF"), "set");
    assert.equal(cpu.getEflags(), 0x607);
    edit(node(kids(rflags()), "IOPL"), "3");
    assert.equal(cpu.getEflags(), 0x3607);
    assert.equal(rflags().value, "0x0000000000003607 [CF PF IF DF IOPL=3]");
    editError(node(kids(rflags()), "CF"), "2", /not a flag value \(0 or 1\)/);
    editError(node(kids(rflags()), "IOPL"), "4", /not a value from 0 to 3/);

    // the whole register: hex by default; reserved bits refused; bit 1 always set
    assert.equal(edit(rflags(), "0x10").value, "0x0000000000000012 [AF]");
    editError(rflags(), "0x8", /bit 3 of EFLAGS is reserved/);
    editError(rflags(), "0x100000000", /bit 32 of EFLAGS is reserved/);
    assert.equal(edit(rflags(), "0x00000246 [PF ZF IF]").value, "0x0000000000000246 [PF ZF IF]");
    assert.equal(cpu.getEflags(), 0x246);
  });

  it("GPR edits: hex by default, 0n decimal, negative values, and clear errors", () => {
    const { cpu, target } = setup(64);
    const regs = () => registerScopes(target(false))[0].registers();
    assert.equal(edit(node(regs(), "rax"), "7fff0000").value, "0x000000007FFF0000");
    assert.equal(edit(node(regs(), "rbx"), "0n255").value, "0x00000000000000FF");
    assert.equal(edit(node(regs(), "rcx"), "-1").value, "0xFFFFFFFFFFFFFFFF");
    assert.equal(edit(node(regs(), "r9"), "0x00000001`00000000").value, "0x0000000100000000");
    assert.equal(edit(node(regs(), "r10"), "10h").value, "0x0000000000000010");
    assert.deepEqual(
      [cpu.lo[0] >>> 0, cpu.hi[0], cpu.lo[3], cpu.lo[1], cpu.hi[1], cpu.hi[9], cpu.lo[10]],
      [0x7fff0000, 0, 255, -1, -1, 1, 16],
    );
    editError(node(regs(), "rax"), "hello", /"hello" is not a number/);
    editError(node(regs(), "rax"), "0x1_0000_0000_0000_0000", /does not fit in 64 bits/);
    editError(node(regs(), "rip"), "0xFFFF800000000000", /not a user-mode address/);
    assert.equal(edit(node(regs(), "rip"), "0x401000").value, "0x0000000000401000");
    assert.equal(cpu.rip, 0x401000);
    assert.equal(parseRegisterValue("0b101", 8), 5n);
    assert.equal(parseRegisterValue("-0n128", 8), 0x80n);
    assert.throws(() => parseRegisterValue("-0n129", 8), /does not fit in 8 bits/);
  });

  it("segment selectors; FS and GS with their bases; CS read-only; a bad selector refused", () => {
    const { cpu, target } = setup(64);
    cpu.gsBase = TEB;
    const regs = () => registerScopes(target(false))[0].registers();
    const gs = node(regs(), "gs");
    assert.equal(gs.value, `0x002B (base 0x00000000${TEB.toString(16).toUpperCase()})`);
    assert.equal(gs.address, BigInt(TEB));
    const base = node(kids(gs), "base");
    assert.equal(base.value, "0x000000007FFDE000");
    assert.equal(edit(base, "0x7ffdf000").value, "0x000000007FFDF000");
    assert.equal(cpu.gsBase, 0x7ffdf000);
    assert.equal(node(regs(), "cs").value, "0x0033");
    assert.equal(node(regs(), "cs").set, undefined);
    assert.match(node(regs(), "cs").readOnlyReason ?? "", /far jmp/);
    assert.equal(node(regs(), "ds").children, undefined);
    assert.equal(edit(node(regs(), "ds"), "0x23").value, "0x0023");
    assert.equal(cpu.sreg[SReg.DS], 0x23);
    editError(node(regs(), "ds"), "0x1234", /0x1234 is not a valid ds selector \(#GP\)/);
    editError(node(regs(), "ss"), "0x23", /not a valid ss selector/);
  });

  it("XMM registers: 128-bit value, u32/u64/f32/f64 lanes built on demand and editable; MXCSR", () => {
    const { cpu, target } = setup(64);
    cpu.xmmF32[0] = 1; // xmm0 lane 0 = 1.0f = 0x3F800000
    cpu.xmmF64[3] = -2.5; // xmm1 high qword
    const regs = () => registerScopes(target(false))[0].registers();
    const x0 = node(regs(), "xmm0");
    assert.equal(x0.value, "0x0000000000000000000000003F800000");
    const groups = kids(x0);
    assert.deepEqual(
      groups.map((g) => `${g.name} ${g.value}`),
      [
        "u32 {0x3F800000, 0x00000000, 0x00000000, 0x00000000}",
        "u64 {0x000000003F800000, 0x0000000000000000}",
        "f32 {1, 0, 0, 0}",
        "f64 {5.263544247e-315, 0}",
      ],
    );
    assert.equal(node(regs(), "xmm1").value, "0xC0040000000000000000000000000000");
    edit(node(kids(node(kids(node(regs(), "xmm2")), "f32")), "f32[3]"), "0.1");
    assert.equal(cpu.xmm[11], 0x3dcccccd);
    assert.equal(node(kids(node(kids(node(regs(), "xmm2")), "f32")), "f32[3]").value, "0.1");
    edit(node(kids(node(kids(node(regs(), "xmm2")), "u64")), "u64[0]"), "0xFFFFFFFF00000001");
    assert.deepEqual([cpu.xmm[8], cpu.xmm[9]], [1, -1]);
    edit(node(kids(node(kids(node(regs(), "xmm3")), "u32")), "u32[1]"), "0x12345678");
    assert.equal(cpu.xmm[13], 0x12345678);
    edit(node(kids(node(kids(node(regs(), "xmm3")), "f64")), "f64[1]"), "inf");
    assert.equal(cpu.xmmF64[7], Infinity);
    editError(
      node(kids(node(kids(node(regs(), "xmm3")), "f64")), "f64[1]"),
      "many",
      /not a floating-point number/,
    );
    edit(node(regs(), "xmm4"), "0x000102030405060708090A0B0C0D0E0F");
    assert.deepEqual([...new Uint8Array(cpu.xmm.buffer, 64, 4)], [0x0f, 0x0e, 0x0d, 0x0c]);
    assert.equal(node(regs(), "mxcsr").value, "0x00001F80");
    edit(node(regs(), "mxcsr"), "0x9fc0");
    assert.equal(cpu.mxcsr, 0x9fc0);
    editError(node(regs(), "mxcsr"), "0x10000", /MXCSR bits 16-31 are reserved/);
  });

  it("x87: ST0-ST7 with their 80-bit images, control/status/tag words, editable", () => {
    const { cpu, target } = setup(64);
    const x87 = () => kids(node(registerScopes(target(false))[0].registers(), "x87"));
    assert.deepEqual(
      x87().map((n) => n.name),
      ["st0", "st1", "st2", "st3", "st4", "st5", "st6", "st7", "fcw", "fsw", "ftw"],
    );
    assert.equal(node(x87(), "fcw").value, "0x027F"); // Windows' initial control word
    assert.equal(node(x87(), "ftw").value, "0xFFFF"); // all empty
    assert.match(node(x87(), "st0").value, /^empty \(0x/);
    assert.equal(edit(node(x87(), "st0"), "1.5").value, "1.5 (0x3FFFC000000000000000)");
    assert.equal(cpu.fpu.st(0), 1.5);
    assert.equal(node(x87(), "ftw").value, "0xFFFC"); // ST0 = physical register 0 (TOP = 0): valid
    assert.equal(
      edit(node(x87(), "st1"), "0x4000C90FDAA22168C235").value,
      "3.141592653589793 (0x4000C90FDAA22168C235)",
    );
    assert.equal(edit(node(x87(), "fcw"), "0x37f").value, "0x037F");
    assert.equal(cpu.fpu.cw, 0x37f);
    assert.equal(
      node(registerScopes(target(false))[0].registers(), "x87").value,
      "TOP=0 fcw=0x037F fsw=0x0000",
    );
  });
});

describe("debugger registers: a 32-bit thread", () => {
  it("x86 live scope: 8 hex digits, EIP/EFLAGS, xmm0-7; 32-bit edits keep the upper halves", () => {
    const { cpu, target } = setup(32);
    set64(cpu, 0, 0xdeadbeef_12345678n);
    cpu.rip = 0x401000;
    cpu.setEflags(0x202);
    cpu.fsBase = TEB32;
    const scopes = registerScopes(target(false));
    assert.deepEqual(
      scopes.map((s) => s.name),
      ["x86 registers"],
    );
    const regs = scopes[0].registers();
    assert.deepEqual(
      regs.slice(0, 10).map((r) => `${r.name}=${r.value}`),
      [
        "eax=0x12345678",
        "ebx=0x00000000",
        "ecx=0x00000000",
        "edx=0x00000000",
        "esi=0x00000000",
        "edi=0x00000000",
        "ebp=0x00000000",
        "esp=0x00000000",
        "eip=0x00401000",
        "eflags=0x00000202 [IF]",
      ],
    );
    assert.equal(node(regs, "fs").value, "0x0053 (base 0x7FFDB000)");
    assert.equal(regs.filter((r) => r.kind === "vector").length, 8);
    edit(node(regs, "eax"), "0x55");
    assert.deepEqual([cpu.lo[0], cpu.hi[0] >>> 0], [0x55, 0xdeadbeef]);
    editError(node(regs, "eax"), "0x100000000", /0x100000000 does not fit in 32 bits/);
    editError(node(regs, "eip"), "0x100000000", /does not fit in 32 bits/);
  });
});

describe("debugger registers: a WOW64 thread", () => {
  function fillContext(bus: FlatBus, flags: number): void {
    const C = WOW64_CONTEXT_LAYOUT;
    const b = new Uint8Array(8);
    new DataView(b.buffer).setBigUint64(0, BigInt(CPURESERVED), true);
    bus.writeBytes(TEB + TEB64.Wow64CpuReserved, b);
    w32(bus, CTX + C.ContextFlags, flags);
    const vals: [number, number][] = [
      [C.Eax, 0xc0000008],
      [C.Ebx, 0x0b0b0b0b],
      [C.Ecx, 0x0c0c0c0c],
      [C.Edx, 0x0d0d0d0d],
      [C.Esi, 0x05050505],
      [C.Edi, 0x0d1d1d1d],
      [C.Ebp, 0x0018ff80],
      [C.Esp, 0x0018ff40],
      [C.Eip, 0x77a0108c],
      [C.EFlags, 0x246],
      [C.SegCs, 0x23],
      [C.SegDs, 0x2b],
      [C.SegEs, 0x2b],
      [C.SegFs, 0x53],
      [C.SegGs, 0x2b],
      [C.SegSs, 0x2b],
    ];
    for (const [o, v] of vals) w32(bus, CTX + o, v);
  }

  it("in 64-bit mode: x64 live, and x86 as saved in WOW64_CONTEXT, edits written to memory", () => {
    const { cpu, bus, target } = setup(64);
    fillContext(bus, 0x10007); // CONTROL | INTEGER | SEGMENTS
    const scopes = registerScopes(target(true));
    assert.deepEqual(
      scopes.map((s) => [s.name, s.live, s.source]),
      [
        ["x64 registers", true, "cpu"],
        ["x86 registers", false, "wow64-context"],
      ],
    );
    assert.equal(scopes[1].contextAddress, CTX);
    const saved = () => registerScopes(target(true))[1].registers();
    assert.deepEqual(
      saved()
        .slice(0, 16)
        .map((r) => `${r.name}=${r.value}`),
      [
        "eax=0xC0000008",
        "ebx=0x0B0B0B0B",
        "ecx=0x0C0C0C0C",
        "edx=0x0D0D0D0D",
        "esi=0x05050505",
        "edi=0x0D1D1D1D",
        "ebp=0x0018FF80",
        "esp=0x0018FF40",
        "eip=0x77A0108C",
        "eflags=0x00000246 [PF ZF IF]",
        "cs=0x0023",
        "ds=0x002B",
        "es=0x002B",
        "fs=0x0053 (base 0x7FFDB000, TEB32)",
        "gs=0x002B",
        "ss=0x002B",
      ],
    );
    assert.equal(node(saved(), "esp").address, 0x18ff40n);
    assert.equal(node(saved(), "ContextFlags").value, "0x00010007");
    assert.match(node(saved(), "x87 / SSE").value, /not in the saved context/);
    assert.equal(saved().filter((r) => r.kind === "vector").length, 0);

    edit(node(saved(), "eax"), "0");
    edit(node(saved(), "eip"), "0x77a01080");
    edit(node(kids(node(saved(), "eflags")), "CF"), "1");
    edit(node(saved(), "ds"), "0x23");
    const C = WOW64_CONTEXT_LAYOUT;
    assert.deepEqual(
      [C.Eax, C.Eip, C.EFlags, C.SegDs].map((o) => u32(bus, CTX + o)),
      [0, 0x77a01080, 0x247, 0x23],
    );
    editError(node(saved(), "ebx"), "0x1_0000_0000", /does not fit in 32 bits/);
    assert.equal(node(saved(), "cs").set, undefined);
    // the live CPU is untouched
    assert.equal(cpu.lo[0], 0);
    assert.equal(cpu.mode64, true);
    assert.deepEqual(readWow64Context({ read: (a, n) => bus.readBytes(a, n) }, TEB), {
      address: CTX,
      contextFlags: 0x10007,
      eax: 0,
      ebx: 0x0b0b0b0b,
      ecx: 0x0c0c0c0c,
      edx: 0x0d0d0d0d,
      esi: 0x05050505,
      edi: 0x0d1d1d1d,
      ebp: 0x0018ff80,
      esp: 0x0018ff40,
      eip: 0x77a01080,
      eflags: 0x247,
      segCs: 0x23,
      segSs: 0x2b,
      segDs: 0x23,
      segEs: 0x2b,
      segFs: 0x53,
      segGs: 0x2b,
    });
  });

  it("a saved context with x87 (FloatSave) and SSE (ExtendedRegisters) state shows and edits them in memory", () => {
    const { bus, target } = setup(64);
    fillContext(bus, 0x10007 | CONTEXT_I386.FLOATING_POINT | CONTEXT_I386.EXTENDED_REGISTERS);
    const C = WOW64_CONTEXT_LAYOUT;
    const fs = CTX + C.FloatSave;
    w32(bus, fs + FLOATING_SAVE_AREA.ControlWord, 0x27f);
    w32(bus, fs + FLOATING_SAVE_AREA.StatusWord, 0x3800); // TOP = 7
    w32(bus, fs + FLOATING_SAVE_AREA.TagWord, 0x3fff); // physical R7 valid, the rest empty
    // ST(0) = 1.0: mantissa 0x8000000000000000, sign/exponent 0x3FFF
    bus.writeBytes(
      fs + FLOATING_SAVE_AREA.RegisterArea,
      Uint8Array.from([0, 0, 0, 0, 0, 0, 0, 0x80, 0xff, 0x3f]),
    );
    const x = CTX + C.ExtendedRegisters;
    w32(bus, x + FXSAVE_LAYOUT.Mxcsr, 0x1f80);
    w32(bus, x + FXSAVE_LAYOUT.Xmm + 16 * 2, 0x3f800000); // xmm2 = 1.0f
    const saved = () => registerScopes(target(true))[1].registers();
    assert.equal(saved().filter((r) => r.kind === "vector").length, 8);
    assert.equal(node(saved(), "mxcsr").value, "0x00001F80");
    assert.equal(node(saved(), "xmm2").value, "0x0000000000000000000000003F800000");
    edit(node(kids(node(kids(node(saved(), "xmm2")), "f32")), "f32[1]"), "2");
    assert.equal(u32(bus, x + FXSAVE_LAYOUT.Xmm + 16 * 2 + 4), 0x40000000);
    const x87 = () => kids(node(saved(), "x87"));
    assert.equal(node(x87(), "st0").value, "1 (0x3FFF8000000000000000)");
    assert.match(node(x87(), "st1").value, /^empty/);
    edit(node(x87(), "st1"), "-2");
    assert.deepEqual(
      [...bus.readBytes(fs + FLOATING_SAVE_AREA.RegisterArea + 10, 10)],
      [0, 0, 0, 0, 0, 0, 0, 0x80, 0x00, 0xc0],
    );
    assert.equal(u32(bus, fs + FLOATING_SAVE_AREA.TagWord), 0x3ffc); // ST(1) = physical R0, now valid
    assert.equal(node(x87(), "st1").value, "-2 (0xC0008000000000000000)");
    assert.equal(node(saved(), "x87").value, "TOP=7 fcw=0x027F fsw=0x3800");
  });

  it("in 32-bit mode: x86 live, and the CPU's 64-bit registers with the 64-bit stack from TlsSlots[0]", () => {
    const { cpu, bus, target } = setup(32);
    set64(cpu, 8, 0x0123456789abcdefn);
    set64(cpu, 0, 0xffffffff_00000001n);
    const b = new Uint8Array(8);
    new DataView(b.buffer).setBigUint64(0, 0x20000fd0n, true);
    bus.writeBytes(TEB + TEB64.Wow64StackPtr64, b);
    const scopes = registerScopes(target(true));
    assert.deepEqual(
      scopes.map((s) => [s.name, s.live]),
      [
        ["x86 registers", true],
        ["x64 registers", false],
      ],
    );
    const x64 = scopes[1].registers();
    assert.equal(node(x64, "r8").value, "0x0123456789ABCDEF");
    assert.equal(node(x64, "rax").value, "0xFFFFFFFF00000001");
    assert.equal(node(x64, "rsp64").value, "0x0000000020000FD0");
    assert.equal(node(scopes[0].registers(), "eax").value, "0x00000001");
    edit(node(x64, "r8"), "0");
    assert.deepEqual([cpu.lo[8], cpu.hi[8]], [0, 0]);
  });

  it("a WOW64 thread without TlsSlots[1] set: the saved scope says so", () => {
    const { target } = setup(64);
    const scopes = registerScopes(target(true));
    assert.match(scopes[1].description, /not found/);
    assert.deepEqual(
      scopes[1].registers().map((r) => [r.name, r.kind]),
      [["WOW64_CONTEXT", "note"]],
    );
  });
});
