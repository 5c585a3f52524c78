/**
 * The stack walker (src/debugger/stack.ts).
 *
 * x64: unwind64.exe's hand-written .pdata (test/fixtures/src/unwind64.asm) mapped at its image base, with
 * stack contents built here for a thread stopped at chosen instructions. Each expected caller (return
 * address, RSP, restored registers) follows by hand from the code listing and the x64 unwind rules
 * ("x64 exception handling": the unwind codes undo the prolog in reverse; an epilog is emulated). Listing
 * (RVA): start 1000 `sub rsp,28h` 1004 `call frame_function` 1009 `mov ecx,eax` 100B `call [ExitProcess]`;
 * frame_function 1011 `push rbp` 1012 `push rbx` 1013 `push r12` 1015 `sub rsp,30h` 1019 `lea rbp,[rsp+20h]`
 * 101E `xor eax,eax` 1020 `lea rsp,[rbp-20h]` 1024 `add rsp,30h` 1028 `pop r12` 102A `pop rbx` 102B `pop rbp`
 * 102C `ret`; saves_function 102D `sub rsp,7FF8h` 1034 `mov [rsp+7F0h],rsi` 103C `movaps [rsp+7E0h],xmm6`
 * 1044 … 1054 `add rsp,7FF8h` 105B `ret`; far_function 105C `sub rsp,100008h` 1063 `mov [rsp+80000h],rdi`
 * 106B `movaps [rsp+90000h],xmm7` 1073 …; interrupt_function 108B `push rax` 108C `pop rax`; trap_function
 * 1093 `iretq`; handler_function 1095 `sub rsp,28h` 1099 …; language_handler 10A0 (no .pdata);
 * chained_function 10A6 `push rbx` 10A7 `sub rsp,20h` 10AB …; chained_cold 10B5 `mov [rsp+40h],r13`
 * 10BA `mov r13,[rsp+40h]` 10BF `add rsp,20h` 10C3 `pop rbx` 10C4 `ret`; v2_function 10C5 `push rbx`
 * 10C6 `sub rsp,20h` 10CA … 10CE `add rsp,20h` (epilog 1) 10D4 … 10D9 `add rsp,20h` (epilog 2).
 *
 * x86: a small hand-assembled program and its EBP chain; stops at bad memory and loops.
 * WOW64: the synthetic DLLs run on our CPU (as in dlls.wow64.test.ts) — a 32-bit WriteFile through
 * kernelbase, x86 ntdll, wow64cpu's far jump, wow64 and x64 ntdll — stopped at the x64 `syscall` (the walk
 * crosses into the 32-bit frames through the WOW64_CONTEXT in a TEB set up here) and in 32-bit code.
 */
import { strict as assert } from "node:assert";
import * as fs from "node:fs";
import * as path from "node:path";
import { Cpu, FlatBus } from "../src/cpu/index";
import {
  exportSymbols,
  matchX64Epilog,
  moduleShortName,
  walkStack,
  walkStartFromCpu,
  type StackModule,
  type StackTarget,
  type WalkStart,
} from "../src/debugger/stack";
import { buildSystemDlls, TEB64, WOW64_CONTEXT, type SystemDll } from "../src/windows/dlls";
import { mapImage, parsePe, type PeImage, type UnwindInfo } from "../src/windows/pe";
import { syscallTable } from "../src/windows/syscalls";

/** Sparse guest memory: 4 KB pages, unmapped pages unreadable. */
class Memory {
  private readonly pages = new Map<number, Uint8Array>();
  map(addr: number, size: number): void {
    for (let p = Math.floor(addr / 4096); p <= Math.floor((addr + size - 1) / 4096); p++) {
      if (!this.pages.has(p)) this.pages.set(p, new Uint8Array(4096));
    }
  }
  write(addr: number, data: ArrayLike<number>): void {
    for (let k = 0; k < data.length; k++) {
      const a = addr + k;
      const pg = this.pages.get(Math.floor(a / 4096));
      if (!pg) throw new Error(`write to unmapped 0x${a.toString(16)}`);
      pg[a % 4096] = data[k];
    }
  }
  w64(addr: number, v: number | bigint): void {
    const b = new Uint8Array(8);
    new DataView(b.buffer).setBigUint64(0, BigInt(v), true);
    this.write(addr, b);
  }
  w32(addr: number, v: number): void {
    const b = new Uint8Array(4);
    new DataView(b.buffer).setUint32(0, v >>> 0, true);
    this.write(addr, b);
  }
  read(addr: number, n: number): Uint8Array | undefined {
    const out = new Uint8Array(n);
    for (let k = 0; k < n; k++) {
      const a = addr + k;
      const pg = this.pages.get(Math.floor(a / 4096));
      if (!pg) return undefined;
      out[k] = pg[a % 4096];
    }
    return out;
  }
}

const hx = (v: number | bigint): string => "0x" + v.toString(16);

// ---------------------------------------------------------------------------------------------- x64

const BIN = path.join(__dirname, "fixtures", "bin");
const FILE = new Uint8Array(fs.readFileSync(path.join(BIN, "unwind64.exe")));
const IMG = parsePe(FILE);
const BASE = IMG.imageBase; // 0x140000000
const at = (rva: number): number => BASE + rva;

// Symbols for the fixture's functions (the exe exports nothing); sizes from its .pdata.
const SYMBOLS = [
  ["start", 0x1000, 0x11],
  ["frame_function", 0x1011, 0x1c],
  ["saves_function", 0x102d, 0x2f],
  ["far_function", 0x105c, 0x2f],
  ["interrupt_function", 0x108b, 0x8],
  ["trap_function", 0x1093, 0x2],
  ["handler_function", 0x1095, 0xb],
  ["language_handler", 0x10a0, 0x6],
  ["chained_function", 0x10a6, 0xf],
  ["chained_cold", 0x10b5, 0x10],
  ["v2_function", 0x10c5, 0x1a],
] as const;

/** Registers no unwind code touches keep these values: R0..R15 = 0xAAAA0000 + n. */
function regs(set: Partial<Record<number, number | bigint>>): bigint[] {
  return Array.from({ length: 16 }, (_, r) => BigInt(set[r] ?? 0xaaaa0000 + r));
}
const RAX = 0;
const RBX = 3;
const RSP = 4;
const RBP = 5;
const RSI = 6;
const RDI = 7;
const R12 = 12;
const R13 = 13;

const STACK = 0x2000_0000_0000; // a 64-bit stack area above 4 GB
const OUTER = 0x7ff6_0000_1234; // a return address outside every module (code unreadable)

function x64Target(): { mem: Memory; target: StackTarget } {
  const mem = new Memory();
  const image = mapImage(FILE);
  mem.map(BASE, image.length);
  mem.write(BASE, image);
  mem.map(STACK - 0x10000, 0x120000);
  const modules: StackModule[] = [
    { base: BASE, size: IMG.mappedSize, name: "C:\\test\\unwind64.exe", bits: 64, image: IMG },
  ];
  const symbols = exportSymbols(
    modules,
    SYMBOLS.map(([name, rva, size]) => ({ name, address: at(rva), size })),
  );
  return { mem, target: { memory: mem, modules, symbols } };
}

function start64(pc: number, r: bigint[]): WalkStart {
  return { bits: 64, pc, regs: r };
}

describe("debugger stack: x64 unwinding through .pdata (unwind64.exe)", () => {
  it("frame_function's body → start → end: frame register, pushes, allocation, call sites", () => {
    const { mem, target } = x64Target();
    const S = STACK;
    // frame_function after its prolog: RSP = S, RBP = S + 0x20; pushed r12, rbx, rbp and the return address
    mem.w64(S + 0x30, 0x1212);
    mem.w64(S + 0x38, 0xb0b0);
    mem.w64(S + 0x40, S + 0x900); // the caller's RBP
    mem.w64(S + 0x48, at(0x1009));
    // start's frame: 0x28 bytes, then its return address
    mem.w64(S + 0x78, OUTER);
    // RSP moved by the body (say, alloca): the frame register still locates the frame
    mem.w64(S - 0x40, 0xdead);
    const w = walkStack(target, start64(at(0x101e), regs({ [RSP]: S - 0x40, [RBP]: S + 0x20 })));
    assert.deepEqual(
      w.frames.map((f) => [f.name, hx(f.pc), hx(f.sp), f.source, f.bits]),
      [
        ["unwind64!frame_function+0xd", hx(at(0x101e)), hx(S - 0x40), "context", 64],
        ["unwind64!start+0x9", hx(at(0x1009)), hx(S + 0x50), "pdata", 64],
        ["0x00007FF600001234", hx(OUTER), hx(S + 0x80), "pdata", 64],
      ],
    );
    const caller = w.frames[1];
    assert.equal(caller.regs?.[RBX], 0xb0b0n);
    assert.equal(caller.regs?.[R12], 0x1212n);
    assert.equal(caller.fp, S + 0x900);
    assert.equal(caller.isReturnAddress, true);
    assert.equal(caller.callSite, at(0x1004)); // call frame_function (E8 rel32)
    assert.equal(caller.module?.name, "C:\\test\\unwind64.exe");
    assert.equal(w.frames[0].callSite, undefined);
    assert.equal(w.frames[0].instructionAddress, at(0x101e));
    assert.equal(w.end, "return address 0"); // OUTER: no module, a leaf whose [rsp] is 0
  });

  it("SAVE_NONVOL offsets count from the establisher frame (frame register − offset) once it is set", () => {
    // No fixture function has both a frame register and a SAVE_NONVOL; frame_function's unwind info, patched
    // here with `mov [rsp+18h], rsi` at the end of its prolog, gives one (the WRK's RtlVirtualUnwind: the
    // frame base is RBP − FrameOffset past SET_FPREG, RSP before it).
    const { mem, target } = x64Target();
    const fn = IMG.functions.find((f) => f.beginRva === 0x1011)!;
    const info = IMG.unwindInfos.get(fn.unwindInfoRva)!;
    const patched: UnwindInfo = {
      ...info,
      codes: [{ op: "SAVE_NONVOL", offset: 13, slots: 2, reg: RSI, stackOffset: 0x18 }, ...info.codes],
    };
    const image: PeImage = { ...IMG, unwindInfos: new Map(IMG.unwindInfos).set(fn.unwindInfoRva, patched) };
    const t: StackTarget = { ...target, modules: [{ ...target.modules[0], image }] };
    const S = STACK + 0x3000;
    mem.w64(S + 0x18, 0x5e5e); // the establisher frame is RBP - 0x20 = S
    mem.w64(S - 0x40 + 0x18, 0xbad); // what RSP-relative addressing would read
    mem.w64(S + 0x48, at(0x1009));
    const f = walkStack(t, start64(at(0x101e), regs({ [RSP]: S - 0x40, [RBP]: S + 0x20 })), { maxFrames: 2 })
      .frames[1];
    assert.deepEqual([hx(f.pc), hx(f.sp), f.regs?.[RSI]], [hx(at(0x1009)), hx(S + 0x50), 0x5e5en]);
  });

  it("inside frame_function's prolog only the executed codes are undone", () => {
    const { mem, target } = x64Target();
    const S = STACK + 0x1000;
    // at +1 (after push rbp): [rsp] = saved rbp, [rsp+8] = return address
    mem.w64(S, 0x5151);
    mem.w64(S + 8, at(0x1009));
    let w = walkStack(target, start64(at(0x1012), regs({ [RSP]: S })), { maxFrames: 2 });
    assert.deepEqual(
      [hx(w.frames[1].pc), hx(w.frames[1].sp), w.frames[1].regs?.[RBP]],
      [hx(at(0x1009)), hx(S + 0x10), 0x5151n],
    );
    assert.equal(w.frames[1].regs?.[RBX], 0xaaaa0003n, "rbx was not pushed yet");

    // at +8 (after sub rsp, 0x30; lea rbp not executed: RBP is still the caller's, frame base = RSP)
    mem.w64(S + 0x30, 0x1212);
    mem.w64(S + 0x38, 0xb0b0);
    mem.w64(S + 0x40, 0x5151);
    mem.w64(S + 0x48, at(0x1009));
    w = walkStack(target, start64(at(0x1019), regs({ [RSP]: S, [RBP]: 0x5151 })), { maxFrames: 2 });
    const f = w.frames[1];
    assert.deepEqual(
      [hx(f.pc), hx(f.sp), f.regs?.[RBX], f.regs?.[R12], f.regs?.[RBP]],
      [hx(at(0x1009)), hx(S + 0x50), 0xb0b0n, 0x1212n, 0x5151n],
    );

    // at +0: nothing executed, the return address is at [rsp]
    mem.w64(S, at(0x1009));
    w = walkStack(target, start64(at(0x1011), regs({ [RSP]: S })), { maxFrames: 2 });
    assert.deepEqual(
      [hx(w.frames[1].pc), hx(w.frames[1].sp), w.frames[1].source],
      [hx(at(0x1009)), hx(S + 8), "pdata"],
    );
  });

  it("frame_function's epilog is emulated (add rsp / pop / ret), `lea rsp,[rbp-20h]` is not an epilog", () => {
    const { mem, target } = x64Target();
    const S = STACK + 0x2000;
    mem.w64(S + 0x30, 0x1212);
    mem.w64(S + 0x38, 0xb0b0);
    mem.w64(S + 0x40, 0x5151);
    mem.w64(S + 0x48, at(0x1009));
    const expect = [hx(at(0x1009)), hx(S + 0x50), 0xb0b0n, 0x1212n, 0x5151n];
    const caller = (pc: number, r: bigint[]): unknown[] => {
      const f = walkStack(target, start64(pc, r), { maxFrames: 2 }).frames[1];
      return [hx(f.pc), hx(f.sp), f.regs?.[RBX], f.regs?.[R12], f.regs?.[RBP], f.source];
    };
    // at add rsp, 0x30: RBP is garbage on purpose — the epilog path must not use the frame register
    assert.deepEqual(caller(at(0x1024), regs({ [RSP]: S, [RBP]: 0x666 })), [...expect, "epilog"]);
    // at pop rbx: r12 already restored (keeps its register value), rbx and rbp popped
    assert.deepEqual(caller(at(0x102a), regs({ [RSP]: S + 0x38, [R12]: 0x1212, [RBP]: 0x666 })), [
      ...expect,
      "epilog",
    ]);
    // at ret
    assert.deepEqual(
      caller(at(0x102c), regs({ [RSP]: S + 0x48, [RBX]: 0xb0b0, [R12]: 0x1212, [RBP]: 0x5151 })),
      [...expect, "epilog"],
    );
    // at lea rsp, [rbp-0x20] (followed by add, not by pop/ret): the unwind codes, through the frame register
    assert.deepEqual(caller(at(0x1020), regs({ [RSP]: S - 0x100, [RBP]: S + 0x20 })), [...expect, "pdata"]);
  });

  it("UWOP_ALLOC_LARGE, SAVE_NONVOL and SAVE_XMM128 (saves_function), and its epilog", () => {
    const { mem, target } = x64Target();
    const T = STACK + 0x4000;
    mem.w64(T + 0x7f0, 0x5e5e);
    mem.w64(T + 0x7ff8, at(0x1009));
    const caller = (pc: number, rsp: number): unknown[] => {
      const f = walkStack(target, start64(pc, regs({ [RSP]: rsp })), { maxFrames: 2 }).frames[1];
      return [hx(f.pc), hx(f.sp), f.regs?.[RSI], f.source];
    };
    assert.deepEqual(caller(at(0x1044), T), [hx(at(0x1009)), hx(T + 0x8000), 0x5e5en, "pdata"]); // end of prolog
    assert.deepEqual(caller(at(0x103c), T), [hx(at(0x1009)), hx(T + 0x8000), 0x5e5en, "pdata"]); // rsi saved
    assert.deepEqual(caller(at(0x1034), T), [hx(at(0x1009)), hx(T + 0x8000), 0xaaaa0006n, "pdata"]); // not yet
    assert.deepEqual(caller(at(0x1054), T), [hx(at(0x1009)), hx(T + 0x8000), 0xaaaa0006n, "epilog"]); // add rsp, imm32
  });

  it("the FAR forms (far_function): 1 MB allocation, rdi saved at +0x80000", () => {
    const { mem, target } = x64Target();
    const U = STACK - 0x8000;
    mem.map(U, 0x110000);
    mem.w64(U + 0x80000, 0xd1d1);
    mem.w64(U + 0x100008, at(0x1009));
    const f = walkStack(target, start64(at(0x1073), regs({ [RSP]: U })), { maxFrames: 2 }).frames[1];
    assert.deepEqual([hx(f.pc), hx(f.sp), f.regs?.[RDI]], [hx(at(0x1009)), hx(U + 0x100010), 0xd1d1n]);
  });

  it("UWOP_PUSH_MACHFRAME with and without an error code: the next frame is the interrupted instruction", () => {
    const { mem, target } = x64Target();
    const V = STACK + 0x10000;
    const W = STACK + 0x11000;
    // interrupt_function after push rax: rax, error code, then RIP CS RFLAGS RSP SS
    mem.w64(V, 0x7a7a);
    mem.w64(V + 0x08, 0xe0);
    mem.w64(V + 0x10, at(0x10ab)); // interrupted inside chained_function's body
    mem.w64(V + 0x18, 0x33);
    mem.w64(V + 0x20, 0x246);
    mem.w64(V + 0x28, W);
    mem.w64(V + 0x30, 0x2b);
    // chained_function's frame at W: 0x20 bytes, pushed rbx, return address
    mem.w64(W + 0x20, 0xb0b0);
    mem.w64(W + 0x28, at(0x1009));
    const w = walkStack(target, start64(at(0x108c), regs({ [RSP]: V })), { maxFrames: 3 });
    assert.deepEqual(
      w.frames.map((f) => [f.name, hx(f.sp), f.source, f.isReturnAddress]),
      [
        ["unwind64!interrupt_function+0x1", hx(V), "context", false],
        ["unwind64!chained_function+0x5", hx(W), "machframe", false],
        ["unwind64!start+0x9", hx(W + 0x30), "pdata", true],
      ],
    );
    assert.equal(w.frames[1].regs?.[RAX], 0x7a7an);
    assert.equal(w.frames[2].regs?.[RBX], 0xb0b0n);

    // trap_function at iretq: the machine frame without an error code is at [rsp]
    mem.w64(V, at(0x10ab));
    mem.w64(V + 0x18, W);
    const t = walkStack(target, start64(at(0x1093), regs({ [RSP]: V })), { maxFrames: 2 });
    assert.deepEqual(
      [hx(t.frames[1].pc), hx(t.frames[1].sp), t.frames[1].source],
      [hx(at(0x10ab)), hx(W), "machframe"],
    );
  });

  it("chained unwind info (chained_cold → chained_function's codes)", () => {
    const { mem, target } = x64Target();
    const X = STACK + 0x12000;
    mem.w64(X + 0x40, 0x1313);
    mem.w64(X + 0x20, 0xb0b0);
    mem.w64(X + 0x28, at(0x1009));
    const caller = (pc: number): unknown[] => {
      const f = walkStack(target, start64(pc, regs({ [RSP]: X })), { maxFrames: 2 }).frames[1];
      return [hx(f.pc), hx(f.sp), f.regs?.[R13], f.regs?.[RBX], f.source];
    };
    // after `mov [rsp+40h], r13`: r13 from the cold part's own code, rbx and the allocation from the primary
    assert.deepEqual(caller(at(0x10ba)), [hx(at(0x1009)), hx(X + 0x30), 0x1313n, 0xb0b0n, "pdata"]);
    // at the cold part's first instruction the save has not happened: r13 keeps its value
    assert.deepEqual(caller(at(0x10b5)), [hx(at(0x1009)), hx(X + 0x30), 0xaaaa000dn, 0xb0b0n, "pdata"]);
    // its epilog
    assert.deepEqual(caller(at(0x10bf)), [hx(at(0x1009)), hx(X + 0x30), 0xaaaa000dn, 0xb0b0n, "epilog"]);
  });

  it("version 2 unwind info: both described epilogs are recognised; handler_function's body", () => {
    const { mem, target } = x64Target();
    const Y = STACK + 0x13000;
    mem.w64(Y + 0x20, 0xb0b0);
    mem.w64(Y + 0x28, at(0x1009));
    for (const [pc, source] of [
      [0x10ce, "epilog"],
      [0x10d9, "epilog"],
      [0x10ca, "pdata"],
      [0x10d4, "pdata"],
    ] as const) {
      const f = walkStack(target, start64(at(pc), regs({ [RSP]: Y })), { maxFrames: 2 }).frames[1];
      assert.deepEqual(
        [hx(f.pc), hx(f.sp), f.regs?.[RBX], f.source],
        [hx(at(0x1009)), hx(Y + 0x30), 0xb0b0n, source],
        hx(pc),
      );
    }
    mem.w64(Y + 0x28, at(0x1009));
    const h = walkStack(target, start64(at(0x1099), regs({ [RSP]: Y })), { maxFrames: 2 }).frames[1];
    assert.deepEqual([hx(h.pc), hx(h.sp)], [hx(at(0x1009)), hx(Y + 0x30)]);
  });

  it("a function without .pdata is a leaf; a noreturn call ending a function is found in that function", () => {
    const { mem, target } = x64Target();
    const Z = STACK + 0x14000;
    // language_handler has no RUNTIME_FUNCTION: return address at [rsp]
    mem.w64(Z, at(0x1009));
    let w = walkStack(target, start64(at(0x10a0), regs({ [RSP]: Z })), { maxFrames: 2 });
    assert.deepEqual(
      [w.frames[1].name, hx(w.frames[1].sp), w.frames[1].source],
      ["unwind64!start+0x9", hx(Z + 8), "leaf"],
    );

    // stopped in ExitProcess (outside every module) called by start's last instruction: the return
    // address 0x1011 is frame_function's first byte, but the call belongs to start (looked up at ret - 1),
    // so start's 0x28-byte frame is undone (frame_function's empty prolog would give [rsp+8] = 0x5a5a)
    mem.w64(Z, at(0x1011));
    mem.w64(Z + 8, 0x5a5a);
    mem.w64(Z + 0x30, OUTER);
    w = walkStack(target, start64(0x7ff8_0000_1000, regs({ [RSP]: Z })), { maxFrames: 3 });
    assert.deepEqual(
      w.frames.map((f) => [f.name, hx(f.pc), hx(f.sp), f.source]),
      [
        ["0x00007FF800001000", hx(0x7ff8_0000_1000), hx(Z), "context"],
        ["unwind64!start+0x11", hx(at(0x1011)), hx(Z + 8), "leaf"],
        ["0x00007FF600001234", hx(OUTER), hx(Z + 0x38), "pdata"],
      ],
    );
    assert.equal(w.frames[1].callSite, at(0x100b)); // call qword ptr [rip+…] (FF 15, 6 bytes)
  });

  it("stops cleanly: unreadable stack, return address 0, a stack pointer that does not grow, the frame limit", () => {
    const { mem, target } = x64Target();
    let w = walkStack(target, start64(at(0x10a0), regs({ [RSP]: 0x1000 })));
    assert.equal(w.frames.length, 1);
    assert.equal(w.end, "unreadable memory at 0x1000");
    const Z = STACK + 0x15000;
    mem.w64(Z, 0);
    w = walkStack(target, start64(at(0x10a0), regs({ [RSP]: Z })));
    assert.deepEqual([w.frames.length, w.end], [1, "return address 0"]);
    // a machine frame pointing back at itself
    mem.w64(Z, at(0x1093));
    mem.w64(Z + 0x18, Z);
    w = walkStack(target, start64(at(0x1093), regs({ [RSP]: Z })));
    assert.deepEqual([w.frames.length, w.end], [1, "the stack loops"]);
    w = walkStack(target, start64(at(0x1093), regs({ [RSP]: Z })), { maxFrames: 1 });
    assert.deepEqual([w.frames.length, w.end], [1, "frame limit (1)"]);
  });

  it("epilog recognition (matchX64Epilog): the WRK forms", () => {
    const m = (hex: string, fr = 0, leaves = true): unknown => {
      const code = Uint8Array.from(hex.split(" ").map((b) => parseInt(b, 16)));
      const e = matchX64Epilog(code, fr, () => leaves);
      return e === undefined ? undefined : { ...e };
    };
    const none = { addRsp: undefined, leaRsp: undefined };
    assert.deepEqual(m("C3"), { ...none, pops: [], end: "ret" });
    assert.deepEqual(m("C2 08 00"), { ...none, pops: [], end: "ret" });
    assert.deepEqual(m("F3 C3"), { ...none, pops: [], end: "ret" });
    assert.deepEqual(m("48 83 C4 28 C3"), { ...none, addRsp: 0x28, pops: [], end: "ret" });
    assert.deepEqual(m("48 81 C4 08 00 10 00 5B 41 5C 41 5F C3"), {
      ...none,
      addRsp: 0x100008,
      pops: [3, 12, 15],
      end: "ret",
    });
    assert.deepEqual(m("48 8D 65 E0 5D C3", 5), {
      ...none,
      leaRsp: { reg: 5, disp: -0x20 },
      pops: [5],
      end: "ret",
    });
    assert.equal(
      m("48 8D 65 E0 5D C3", 0),
      undefined,
      "lea rsp through a register that is not the frame register",
    );
    assert.deepEqual(m("48 83 C4 28 E9 00 10 00 00"), { ...none, addRsp: 0x28, pops: [], end: "jmp" });
    assert.equal(m("48 83 C4 28 E9 00 10 00 00", 0, false), undefined, "a jump inside the function");
    assert.deepEqual(m("48 83 C4 28 FF 25 00 10 00 00"), { ...none, addRsp: 0x28, pops: [], end: "jmp" });
    assert.deepEqual(m("5B 48 FF E0"), { ...none, pops: [3], end: "jmp" }); // rex.w jmp rax
    assert.equal(m("48 83 C4 28 90 C3"), undefined);
    assert.equal(m("48 83 C4"), undefined, "truncated");
  });
});

// ---------------------------------------------------------------------------------------------- x86

/*
 * app32.exe at 0x401000 (hand-assembled):
 *   main   401000 55 push ebp / 401001 8B EC mov ebp,esp / 401003 83 EC 08 sub esp,8 /
 *          401006 E8 15 00 00 00 call helper / 40100B 89 45 FC mov [ebp-4],eax / 40100E C9 leave / 40100F C3 ret
 *   helper 401020 55 / 401021 8B EC / 401023 6A 01 push 1 / 401025 E8 16 00 00 00 call leaf /
 *          40102A 8B E5 mov esp,ebp / 40102C 5D pop ebp / 40102D C2 04 00 ret 4
 *   leaf   401040 55 / 401041 8B EC / 401043 90 nop / 401044 5D pop ebp / 401045 C3 ret
 *   stub   401050 B8 07 00 00 00 mov eax,7 / 401055 0F 01 C1 vmcall / 401058 C2 08 00 ret 8
 *   thunk  401060 E8 EB FF FF FF call stub / 401065 C2 04 00 ret 4
 * Stack: main was called from 0x40200A (outside the module) with EBP = 0; E0 = ESP at main's entry.
 */
const APP = 0x401000;
const E0 = 0x00200000 - 0x100;
const EBP_MAIN = E0 - 4;
const EBP_HELPER = E0 - 20;
const EBP_LEAF = E0 - 32;

function x86Target(): { mem: Memory; target: StackTarget } {
  const mem = new Memory();
  mem.map(APP, 0x1000);
  mem.write(APP, [0x55, 0x8b, 0xec, 0x83, 0xec, 0x08, 0xe8, 0x15, 0, 0, 0, 0x89, 0x45, 0xfc, 0xc9, 0xc3]);
  mem.write(
    APP + 0x20,
    [0x55, 0x8b, 0xec, 0x6a, 0x01, 0xe8, 0x16, 0, 0, 0, 0x8b, 0xe5, 0x5d, 0xc2, 0x04, 0x00],
  );
  mem.write(APP + 0x40, [0x55, 0x8b, 0xec, 0x90, 0x5d, 0xc3]);
  mem.write(APP + 0x50, [0xb8, 0x07, 0, 0, 0, 0x0f, 0x01, 0xc1, 0xc2, 0x08, 0x00]);
  mem.write(APP + 0x60, [0xe8, 0xeb, 0xff, 0xff, 0xff, 0xc2, 0x04, 0x00]); // thunk: call stub; ret 4
  mem.map(0x00200000 - 0x10000, 0x10000);
  mem.w32(E0, 0x40200a); // main's return address
  mem.w32(E0 - 4, 0); // main: push ebp (the caller's EBP = 0)
  mem.w32(E0 - 16, 0x40100b); // call helper
  mem.w32(E0 - 20, EBP_MAIN); // helper: push ebp
  mem.w32(E0 - 24, 1); // push 1
  mem.w32(E0 - 28, 0x40102a); // call leaf
  mem.w32(E0 - 32, EBP_HELPER); // leaf: push ebp
  const modules: StackModule[] = [{ base: APP, size: 0x1000, name: "app32.exe", bits: 32 }];
  const symbols = exportSymbols(modules, [
    { name: "main", address: APP, size: 0x10 },
    { name: "helper", address: APP + 0x20, size: 0x10 },
    { name: "leaf", address: APP + 0x40, size: 0x6 },
    { name: "stub", address: APP + 0x50, size: 0xb },
    { name: "thunk", address: APP + 0x60, size: 0x8 },
  ]);
  return { mem, target: { memory: mem, modules, symbols } };
}

function start32(eip: number, esp: number, ebp: number): WalkStart {
  const r = Array.from({ length: 16 }, () => 0n);
  r[4] = BigInt(esp);
  r[5] = BigInt(ebp);
  return { bits: 32, pc: eip, regs: r };
}

const CHAIN_TAIL = [
  ["app32!main+0xb", hx(E0 - 8), hx(EBP_MAIN), "ret", 32],
  ["0x0040200A", hx(E0 + 4), hx(0), "ebp-chain", 32],
];

describe("debugger stack: x86 frames", () => {
  it("the EBP chain from a body, with the epilogs at return addresses giving exact stack pointers", () => {
    const { target } = x86Target();
    const w = walkStack(target, start32(APP + 0x43, EBP_LEAF, EBP_LEAF));
    assert.deepEqual(
      w.frames.map((f) => [f.name, hx(f.sp), hx(f.fp), f.source, f.bits]),
      [
        ["app32!leaf+0x3", hx(EBP_LEAF), hx(EBP_LEAF), "context", 32],
        ["app32!helper+0xa", hx(E0 - 24), hx(EBP_HELPER), "ebp-chain", 32],
        // helper returns with mov esp,ebp / pop ebp / ret 4: ESP after the return is exact (E0 - 8)
        ["app32!main+0xb", hx(E0 - 8), hx(EBP_MAIN), "ret", 32],
        ["0x0040200A", hx(E0 + 4), hx(0), "ebp-chain", 32],
      ],
    );
    assert.equal(w.end, "end of the frame chain (ebp = 0)");
    assert.equal(w.frames[1].callSite, APP + 0x25);
    assert.equal(w.frames[2].callSite, APP + 0x6);
  });

  it("the first frame from ESP at a function start, after push ebp, at pop ebp and at ret", () => {
    const { target } = x86Target();
    const tail = (w: ReturnType<typeof walkStack>): unknown[] =>
      w.frames.slice(1, 2).map((f) => [f.name, hx(f.sp), hx(f.fp), f.source]);
    // at leaf's push ebp: [esp] = return address, EBP still helper's
    assert.deepEqual(tail(walkStack(target, start32(APP + 0x40, E0 - 28, EBP_HELPER))), [
      ["app32!helper+0xa", hx(E0 - 24), hx(EBP_HELPER), "esp"],
    ]);
    // at mov ebp, esp (after push ebp): saved EBP at [esp], return address at [esp+4]
    assert.deepEqual(tail(walkStack(target, start32(APP + 0x41, E0 - 32, EBP_HELPER))), [
      ["app32!helper+0xa", hx(E0 - 24), hx(EBP_HELPER), "esp"],
    ]);
    // at pop ebp; ret (EBP = leaf's own frame, about to be popped)
    assert.deepEqual(tail(walkStack(target, start32(APP + 0x44, E0 - 32, EBP_LEAF))), [
      ["app32!helper+0xa", hx(E0 - 24), hx(EBP_HELPER), "ret"],
    ]);
    // at ret
    assert.deepEqual(tail(walkStack(target, start32(APP + 0x45, E0 - 28, EBP_HELPER))), [
      ["app32!helper+0xa", hx(E0 - 24), hx(EBP_HELPER), "ret"],
    ]);
    // the rest of the chain is the same from every starting point
    assert.deepEqual(
      walkStack(target, start32(APP + 0x40, E0 - 28, EBP_HELPER))
        .frames.slice(2)
        .map((f) => [f.name, hx(f.sp), hx(f.fp), f.source, f.bits]),
      CHAIN_TAIL,
    );
  });

  it("a frameless stub (mov eax, N; vmcall; ret 8): the return address at [esp], the ret's argument bytes counted", () => {
    const { mem, target } = x86Target();
    const esp = E0 - 0x40;
    mem.w32(esp, 0x40102a); // as if helper had called the stub
    const w = walkStack(target, start32(APP + 0x55, esp, EBP_HELPER), { maxFrames: 2 });
    assert.deepEqual(
      w.frames.map((f) => [f.name, hx(f.sp), f.source]),
      [
        ["app32!stub+0x5", hx(esp), "context"],
        ["app32!helper+0xa", hx(esp + 4 + 8), "ret"],
      ],
    );
  });

  it("a return address at `ret 4`: the caller's frame follows from its exact ESP, not from EBP", () => {
    const { mem, target } = x86Target();
    const esp = E0 - 0x60;
    mem.w32(esp, APP + 0x65); // the stub's return address: thunk's `ret 4`
    mem.w32(esp + 4 + 8, 0x40102a); // after the stub's 8 argument bytes: thunk's return address into helper
    const w = walkStack(target, start32(APP + 0x55, esp, EBP_HELPER), { maxFrames: 3 });
    assert.deepEqual(
      w.frames.map((f) => [f.name, hx(f.sp), f.source]),
      [
        ["app32!stub+0x5", hx(esp), "context"],
        ["app32!thunk+0x5", hx(esp + 12), "ret"],
        ["app32!helper+0xa", hx(esp + 12 + 4 + 4), "ret"],
      ],
    );
    assert.equal(w.frames[1].callSite, APP + 0x60);
  });

  it("stops cleanly on bad memory, loops and frames outside the stack bounds", () => {
    const { mem, target } = x86Target();
    // EBP pointing at unmapped memory
    let w = walkStack(target, start32(APP + 0x43, E0 - 0x80, 0x00900000));
    assert.deepEqual([w.frames.length, w.end], [1, "unreadable memory at 0x900000"]);
    // a frame that points at itself: the caller's EBP is below its ESP
    const L = E0 - 0x200;
    mem.w32(L, L);
    mem.w32(L + 4, APP + 0x43);
    w = walkStack(target, start32(APP + 0x43, L - 0x10, L));
    assert.equal(w.frames.length, 2);
    assert.match(w.end, /is below the stack pointer/);
    // two frames pointing at each other
    mem.w32(L, L + 0x20);
    mem.w32(L + 0x20, L);
    mem.w32(L + 0x24, APP + 0x43);
    w = walkStack(target, start32(APP + 0x43, L - 0x10, L));
    assert.equal(w.frames.length, 3);
    assert.match(w.end, /is below the stack pointer/);
    // EBP outside the given stack bounds
    w = walkStack(target, start32(APP + 0x43, EBP_LEAF, EBP_LEAF), {
      stack32: { low: E0 - 0x1000, high: E0 - 16 },
    });
    assert.equal(w.frames.length, 2);
    assert.match(w.end, /outside the stack/);
    // unreadable code and stack at the start
    w = walkStack(target, start32(0x12345678, 0x00300000, 0x00300010));
    assert.deepEqual([w.frames.length, w.end], [1, "unreadable memory at 0x300010"]);
  });
});

// ---------------------------------------------------------------------------------------------- WOW64

const TEB = 0x10000000;
const TEB32_ADDR = 0x10002000;
const CPURESERVED = 0x10010000;
const CTX = CPURESERVED + 4;
const STACK32_TOP = 0x00200000;
const STACK64_TOP = 0x20010000;
const PROGRAM = 0x00400000;

function exportOf(d: SystemDll, name: string): number {
  const t = d.exports.get(name);
  assert.ok(t && "address" in t);
  return t.address;
}
function symbolOf(d: SystemDll, name: string): number {
  const s = d.symbols.find((x) => x.name === name);
  assert.ok(s);
  return s.address;
}
function r64(cpu: Cpu, r: number): number {
  return (cpu.hi[r] >>> 0) * 0x100000000 + (cpu.lo[r] >>> 0);
}
function set64(cpu: Cpu, r: number, v: number): void {
  cpu.lo[r] = (v % 0x100000000) | 0;
  cpu.hi[r] = Math.floor(v / 0x100000000) | 0;
}

/**
 * A WOW64 process on a FlatBus: the synthetic DLLs mapped, TEB64 with TlsSlots[1] → WOW64_CPURESERVED, a
 * 32-bit program calling kernel32!WriteFile(0x44, buf, 13, &written, NULL), the thread at BTCpuSimulate.
 */
function wow64Process() {
  const set = buildSystemDlls();
  const bus = new FlatBus();
  const dlls = (
    [
      ["ntdll", "x86"],
      ["ntdll", "x64"],
      ["wow64cpu", "x64"],
      ["wow64", "x64"],
      ["kernelbase", "x86"],
      ["kernel32", "x86"],
    ] as const
  ).map(([d, a]) => set.get(d, a)!);
  for (const d of dlls) {
    const m = mapImage(d.image.bytes);
    bus.map(d.base, m.length);
    bus.writeBytes(d.base, m);
  }
  const w32 = (a: number, v: number): void => {
    const b = new Uint8Array(4);
    new DataView(b.buffer).setUint32(0, v >>> 0, true);
    bus.writeBytes(a, b);
  };
  const w64 = (a: number, v: number): void => {
    w32(a, v % 0x100000000);
    w32(a + 4, Math.floor(v / 0x100000000));
  };
  bus.map(TEB, 0x3000);
  w64(TEB + TEB64.Self, TEB);
  w64(TEB + TEB64.Wow64CpuReserved, CPURESERVED);
  bus.map(CPURESERVED, 0x1000);
  bus.map(STACK32_TOP - 0x10000, 0x10000);
  bus.map(STACK64_TOP - 0x10000, 0x10000);
  const api = [0x44, 0x1f0200, 13, 0x1f0300, 0];
  const prog: number[] = [];
  for (const v of [...api].reverse())
    prog.push(0x68, v & 0xff, (v >>> 8) & 0xff, (v >>> 16) & 0xff, v >>> 24);
  const wf = exportOf(set.get("kernel32", "x86")!, "WriteFile");
  prog.push(0xb8, wf & 0xff, (wf >>> 8) & 0xff, (wf >>> 16) & 0xff, wf >>> 24, 0xff, 0xd0); // mov eax, WriteFile; call eax
  const after = PROGRAM + prog.length;
  prog.push(0xcc);
  bus.map(PROGRAM, 0x1000);
  bus.writeBytes(PROGRAM, Uint8Array.from(prog));
  const C = WOW64_CONTEXT;
  w32(CTX + C.Eip, PROGRAM);
  w32(CTX + C.SegCs, 0x23);
  w32(CTX + C.Esp, STACK32_TOP - 0x100);
  w32(CTX + C.EFlags, 0x202);
  const cpu = new Cpu(bus);
  cpu.setMode(64);
  cpu.gsBase = TEB;
  cpu.rip = exportOf(set.get("wow64cpu", "x64")!, "BTCpuSimulate");
  set64(cpu, 4, STACK64_TOP - 0x1008);

  const modules: StackModule[] = dlls.map((d) => ({
    base: d.base,
    size: d.size,
    name: d.path,
    bits: d.arch === "x64" ? 64 : 32,
    image: parsePe(d.image.bytes),
  }));
  modules.push({ base: PROGRAM, size: 0x1000, name: "C:\\app\\app32.exe", bits: 32 });
  const extra = dlls.flatMap((d) =>
    d.symbols.map((s) => ({ name: s.name, address: s.address, size: s.size })),
  );
  const memory = {
    read(addr: number, n: number): Uint8Array | undefined {
      try {
        return bus.readBytes(addr, n);
      } catch {
        return undefined;
      }
    },
  };
  const target: StackTarget = { memory, modules, symbols: exportSymbols(modules, extra) };
  return { set, bus, cpu, after, target };
}

describe("debugger stack: across the WOW64 boundary", () => {
  it("stopped at the x64 syscall of a 32-bit WriteFile: x64 frames, then the 32-bit ones from WOW64_CONTEXT", () => {
    const { set, cpu, target } = wow64Process();
    const table = syscallTable();
    let stopped = false;
    for (let i = 0; i < 50 && !stopped; i++) {
      const s = cpu.run(100000);
      if (s.kind === "syscall") {
        stopped = true;
        break;
      }
      assert.ok(s.kind === "fault" && s.fault.vector === "UD", JSON.stringify(s));
      const trap = set.trapAt(s.fault.rip)!;
      if (trap.name === "Wow64pThunkArguments") {
        set64(cpu, 0, exportOf(set.get("ntdll", "x64")!, table.byNumber(cpu.lo[1] >>> 0)!.name));
      } else cpu.lo[0] = 0;
      cpu.rip = s.fault.rip + 3;
    }
    assert.ok(stopped);
    assert.equal(cpu.mode64, true);

    const w = walkStack(target, walkStartFromCpu(cpu), { wow64: { teb64: TEB } });
    const wow64 = set.get("wow64", "x64")!;
    const cpuDll = set.get("wow64cpu", "x64")!;
    const nt32 = exportOf(set.get("ntdll", "x86")!, "NtWriteFile");
    const kbWriteFile = exportOf(set.get("kernelbase", "x86")!, "WriteFile");
    assert.deepEqual(
      w.frames.map((f) => [f.name, f.bits, f.source]),
      [
        ["ntdll!NtWriteFile+0xa", 64, "context"], // after `syscall`, at its `ret`
        ["wow64!Wow64SystemServiceEx+0x2b", 64, "epilog"], // after `call rax`; frame 0 stands at a `ret`
        ["wow64cpu!CpupReturnFromSimulatedCode+0x80", 64, "pdata"], // after `call [Wow64SystemServiceEx]`
        ["ntdll!NtWriteFile+0xc", 32, "wow64"], // the x86 stub's `ret 0x24`, where 32-bit code resumes
        ["KERNELBASE!WriteFile+0x19", 32, "ret"], // after `call [NtWriteFile]`
        ["app32+0x20", 32, "ebp-chain"], // after `call eax`
      ],
    );
    assert.equal(w.end, "end of the frame chain (ebp = 0)");
    assert.equal(w.frames[1].pc, symbolOf(wow64, "Wow64SystemServiceEx") + 0x2b);
    assert.equal(w.frames[2].pc, symbolOf(cpuDll, "CpupReturnFromSimulatedCode") + 0x80);
    assert.equal(w.frames[3].pc, nt32 + 0xc);
    // WriteFile's frame: 5 arguments, return address, saved EBP, 0x78 bytes; then the stub's return address
    assert.equal(w.frames[3].sp, STACK32_TOP - 0x100 - 5 * 4 - 4 - 4 - 0x78 - 4);
    assert.equal(w.frames[4].pc, kbWriteFile + 0x19);
    assert.equal(w.frames[4].fp, STACK32_TOP - 0x100 - 5 * 4 - 4 - 4);
    assert.equal(w.frames[5].sp, STACK32_TOP - 0x100 - 5 * 4);
    assert.equal(w.frames[4].callSite, kbWriteFile + 0x13);
    assert.equal(w.frames[2].module?.name, "C:\\Windows\\System32\\wow64cpu.dll");
    assert.equal(moduleShortName(w.frames[3].module!.name), "ntdll");
    assert.equal(w.frames[3].module?.bits, 32);

    // without the WOW64 option the walk stays on the x64 side and stops in wow64cpu
    const x64only = walkStack(target, walkStartFromCpu(cpu));
    assert.ok(x64only.frames.every((f) => f.bits === 64));
    // a context supplied directly works the same way
    const direct = walkStack(target, walkStartFromCpu(cpu), {
      wow64: { context: () => ({ eip: nt32 + 0xc, esp: w.frames[3].sp, ebp: w.frames[4].fp }) },
    });
    assert.deepEqual(
      direct.frames.map((f) => f.name),
      w.frames.map((f) => f.name),
    );
    // a thread whose TlsSlots[1] is unset: the walk ends at the transition, saying why
    const none = walkStack(target, walkStartFromCpu(cpu), { wow64: { teb64: TEB32_ADDR } });
    assert.equal(none.frames.length, 3);
    assert.equal(none.end, "the WOW64 context could not be read");
  });

  it("stopped in 32-bit code (the bridge's trap): x86 frames only", () => {
    const { set, cpu, target } = wow64Process();
    const s = cpu.run(100000);
    assert.ok(s.kind === "fault" && s.fault.vector === "UD");
    assert.equal(set.trapAt(s.fault.rip)?.name, "WriteFile");
    assert.equal(cpu.mode64, false);
    const w = walkStack(target, walkStartFromCpu(cpu), { wow64: { teb64: TEB } });
    assert.deepEqual(
      w.frames.map((f) => [f.name, f.bits, f.source]),
      [
        ["KERNELBASE!WriteFile$pre+0x5", 32, "context"], // at the vmcall
        ["KERNELBASE!WriteFile+0x13", 32, "ret"], // the trap stub returns with ret 8
        ["app32+0x20", 32, "ebp-chain"],
      ],
    );
    assert.equal(w.end, "end of the frame chain (ebp = 0)");
    assert.equal(r64(cpu, 4), w.frames[0].sp);
  });
});
