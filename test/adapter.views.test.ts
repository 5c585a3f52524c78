/**
 * The adapter (DebugClient over stdio) around gate32.exe's own mode switches and the extension's views:
 * the call stack in 64-bit code the program entered itself (far call / far jump), the Disassembly view
 * told to reload when the mode at the IP changes, the stack frames VS Code opens, and the syscall records'
 * caller addresses.
 */
import { strict as assert } from "node:assert";
import { execFileSync } from "node:child_process";
import * as path from "node:path";
import type { DebugProtocol } from "@vscode/debugprotocol";
import { fixture, Harness, hexNum, insns, ROOT } from "./adapter-harness";

before(function () {
  this.timeout(120000);
  execFileSync(process.execPath, [path.join(ROOT, "scripts", "build.mjs")], { cwd: ROOT, stdio: "pipe" });
});

/** gate32's far transfers (gate.asm: `call 0x33:call64` = 9A ptr16:32, `jmp 0x33:jump64` = EA ptr16:32). */
async function farTransfers(h: Harness): Promise<{ call: string; callLen: number; jmp: string }> {
  const d = await h.dc.disassembleRequest({ memoryReference: "0x401000", instructionCount: 120 });
  const list = insns(d);
  const call = list.find((i) => /^call far /i.test(i.instruction));
  const jmp = list.find((i) => /^jmp far /i.test(i.instruction));
  assert.ok(call !== undefined && jmp !== undefined, list.map((i) => i.instruction).join("\n"));
  // 9A + ptr16:32 = 7 bytes
  return { call: call.address, callLen: (call.instructionBytes ?? "").split(" ").length, jmp: jmp.address };
}

async function runTo(h: Harness, address: string): Promise<void> {
  await h.dc.customRequest("setInstructionBreakpoints", { breakpoints: [{ instructionReference: address }] });
  await h.dc.continueRequest({ threadId: 1 });
  await h.nextStop();
  assert.equal((await h.top()).instructionPointerReference, address);
  await h.dc.customRequest("setInstructionBreakpoints", { breakpoints: [] });
}

async function frames(h: Harness): Promise<DebugProtocol.StackFrame[]> {
  return (await h.dc.stackTraceRequest({ threadId: 1, startFrame: 0, levels: 20 })).body.stackFrames;
}

describe("adapter: gate32's own mode switches", () => {
  let h: Harness;
  beforeEach(async () => {
    h = new Harness();
    await h.start();
  });
  afterEach(async () => h.stop());

  it("after the far jump the stack is the one 64-bit frame (its caller is unknown), no bogus frame", async () => {
    await h.launch({ program: fixture("gate32.exe"), stopOnEntry: true });
    await h.nextStop();
    const t = await farTransfers(h);
    await runTo(h, t.jmp);
    for (let k = 0; k < 4; k++) {
      await h.dc.stepInRequest({ threadId: 1, granularity: "instruction" });
      await h.nextStop();
      const f = await frames(h);
      assert.equal(f.length, 1, f.map((x) => x.name).join(" | "));
      assert.match(f[0].name, /^gate32!start\+0x[0-9a-f]+ \[x64\]$/);
    }
  });

  it("after the far call the caller is the x86 frame after the call (EIP and CS 0x23 at [rsp])", async () => {
    await h.launch({ program: fixture("gate32.exe"), stopOnEntry: true });
    await h.nextStop();
    const t = await farTransfers(h);
    assert.equal(t.callLen, 7);
    await runTo(h, t.call);
    await h.dc.stepInRequest({ threadId: 1, granularity: "instruction" });
    await h.nextStop();
    const f = await frames(h);
    assert.equal(f.length, 2, f.map((x) => x.name).join(" | "));
    assert.match(f[0].name, /\[x64\]$/);
    assert.match(f[1].name, /^gate32!start\+0x[0-9a-f]+ \[x86\]$/);
    assert.equal(hexNum(f[1].instructionPointerReference ?? ""), hexNum(t.call) + 7);
  });

  it("Disassembly view: code in the other mode gets a reference VS Code has not seen, decoded in that mode", async () => {
    await h.launch({ program: fixture("gate32.exe"), stopOnEntry: true });
    await h.nextStop();
    const t = await farTransfers(h);
    await runTo(h, t.jmp);
    // what newer VS Code's Disassembly view loads around the IP (-200/400): 32-bit rows over jump64 too
    await h.dc.disassembleRequest({ memoryReference: t.jmp, instructionOffset: -200, instructionCount: 400 });
    await h.dc.stepInRequest({ threadId: 1, granularity: "instruction" });
    await h.nextStop();
    const f0 = (await frames(h))[0];
    const ref = f0.instructionPointerReference ?? "";
    // gate.asm, `bits 64` at jump64: `mov rax, 0x80000000` (nasm: B8 imm32, the same in both modes), then
    // `add rax, rax` = REX.W 01 /r (SDM: ADD r/m64, r64), ModRM C0; in 32-bit code 48 is DEC EAX.
    assert.match(ref, /^0x[0-9A-F]+:x64:\d+$/);
    const pc = ref.split(":")[0];
    const d64 = insns(await h.dc.disassembleRequest({ memoryReference: ref, instructionCount: 2 }));
    assert.equal(hexNum(d64[0].address), hexNum(pc));
    assert.equal(d64[1].instructionBytes, "48 01 C0");
    assert.equal(d64[1].instruction, "add rax, rax");
    const d32 = insns(await h.dc.disassembleRequest({ memoryReference: pc, instructionCount: 2 }));
    assert.equal(d32[1].instruction, "dec eax");
    // the view loads around the new reference; the next stop in those rows needs no new generation
    await h.dc.disassembleRequest({ memoryReference: ref, instructionOffset: -50, instructionCount: 100 });
    await h.dc.stepInRequest({ threadId: 1, granularity: "instruction" });
    await h.nextStop();
    const ref2 = (await frames(h))[0].instructionPointerReference ?? "";
    assert.match(ref2, /^0x[0-9A-F]+:x64$/);
    // rows there decoded as 32-bit again (a reply in the other mode): the next stop gets a new generation
    await h.dc.disassembleRequest({ memoryReference: pc, instructionOffset: 0, instructionCount: 20 });
    await h.dc.stepInRequest({ threadId: 1, granularity: "instruction" });
    await h.nextStop();
    const ref3 = (await frames(h))[0].instructionPointerReference ?? "";
    const gen = (r: string): number => Number(r.split(":")[2]);
    assert.match(ref3, /^0x[0-9A-F]+:x64:\d+$/);
    assert.ok(gen(ref3) > gen(ref), `${ref3} after ${ref}`);
    // an instruction breakpoint set through a tagged reference lands on the address
    const bp = await h.dc.customRequest("setInstructionBreakpoints", {
      breakpoints: [{ instructionReference: ref3, offset: 0 }],
    });
    assert.equal(hexNum(bp.body.breakpoints[0].instructionReference), hexNum(ref3.split(":")[0]));
  });
});

interface Rec {
  name: string;
  callerMode: string;
  callerAddress?: number;
  callerName?: string;
}

describe("adapter: where each syscall was called (the Syscalls view's click)", () => {
  let h: Harness;
  beforeEach(async () => {
    h = new Harness();
    await h.start();
  });
  afterEach(async () => h.stop());

  /** The instruction that ends at `ret` (found by decoding forward from a few bytes before). */
  async function callBefore(ret: number): Promise<DebugProtocol.DisassembledInstruction | undefined> {
    for (let back = 2; back <= 7; back++) {
      const d = insns(
        await h.dc.disassembleRequest({ memoryReference: hexAddr(ret - back), instructionCount: 1 }),
      );
      const i = d[0];
      if (
        i !== undefined &&
        (i.instructionBytes ?? "").split(" ").length === back &&
        /^call /.test(i.instruction)
      )
        return i;
    }
    return undefined;
  }
  const hexAddr = (n: number): string => "0x" + n.toString(16);

  for (const [exe, mode] of [
    ["hello32.exe", "x86"],
    ["hello64.exe", "x64"],
  ] as const) {
    it(`${exe}: NtWriteFile's caller is kernelbase!WriteFile's call to the ${mode} ntdll stub`, async () => {
      await h.launch({ program: fixture(exe) }, async (dc) => {
        await dc.setFunctionBreakpointsRequest({ breakpoints: [{ name: "NtTerminateProcess" }] });
      });
      await h.nextStop();
      const r = await h.dc.customRequest("wowdbg/syscalls", {});
      const w = (r.body.records as Rec[]).find((x) => x.name === "NtWriteFile");
      assert.ok(w !== undefined && w.callerAddress !== undefined, JSON.stringify(w));
      assert.equal(w.callerMode, mode);
      // EXPECTED.md: hello writes with kernel32!WriteFile; as on Windows 10 that is kernelbase's WriteFile,
      // whose code calls ntdll!NtWriteFile.
      assert.match(w.callerName ?? "", /^KERNELBASE!WriteFile\+0x[0-9a-f]+$/i);
      if (mode === "x86") assert.ok(w.callerAddress < 2 ** 32);
      // a return address: right after a call instruction
      const call = await callBefore(w.callerAddress);
      assert.ok(call !== undefined, `no call ends at ${hexAddr(w.callerAddress)}`);
    });
  }
});
