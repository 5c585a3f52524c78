/**
 * The debug adapter over stdio (dist/adapter.js, built in `before`) driven by DebugClient, on the fixtures:
 * the traffic VS Code sends (initialize, launch, setInstructionBreakpoints [], setDataBreakpoints [],
 * configurationDone), then each request; golden traces in test/golden with volatile values masked.
 */
import { strict as assert } from "node:assert";
import { execFileSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import type { DebugProtocol } from "@vscode/debugprotocol";
import { fixture, golden, Harness, hexNum, insns, ROOT, shellcode, type Stopped } from "./adapter-harness";

before(function () {
  this.timeout(120000);
  execFileSync(process.execPath, [path.join(ROOT, "scripts", "build.mjs")], { cwd: ROOT, stdio: "pipe" });
});

describe("adapter: launch and run", () => {
  let h: Harness;
  beforeEach(async () => {
    h = new Harness();
    await h.start();
  });
  afterEach(async () => h.stop());

  it("runs hello32 to the end: stdout as output events, exit code 0, terminated", async () => {
    await h.launch({ program: fixture("hello32.exe") });
    await h.waitTerminated();
    assert.equal(h.exitCode, 0);
    assert.match(h.output, /Hello, world!\n/);
  });

  it("stops on entry at the program's entry point, with threads and a named frame", async () => {
    await h.launch({ program: fixture("hello32.exe"), stopOnEntry: true });
    const s = await h.nextStop();
    assert.equal(s.body.reason, "entry");
    const th = await h.dc.threadsRequest();
    assert.equal(th.body.threads.length, 1);
    const f = await h.top();
    assert.match(f.name, /^hello32!start \[x86\]$/);
    assert.equal(f.instructionPointerReference, "0x401000");
  });

  it("a launch failure is an error response", async () => {
    await h.dc.initializeRequest({ adapterID: "wowdbg", pathFormat: "path" });
    await assert.rejects(
      h.dc.launchRequest({ program: fixture("missing.exe") } as DebugProtocol.LaunchRequestArguments),
      /cannot read .*missing\.exe/,
    );
    await assert.rejects(
      h.dc.launchRequest({
        program: path.join(ROOT, "package.json"),
      } as DebugProtocol.LaunchRequestArguments),
      /cannot load .*package\.json/,
    );
  });
});

describe("adapter: state, stepping and views", () => {
  let h: Harness;
  beforeEach(async () => {
    h = new Harness();
    await h.start();
  });
  afterEach(async () => h.stop());

  it("scopes: x86 live + x64 for WOW64, x64 only for a native program; Instruction and TEB / PEB", async () => {
    await h.launch({ program: fixture("hello32.exe"), stopOnEntry: true });
    await h.nextStop();
    let sc = await h.dc.scopesRequest({ frameId: 0 });
    assert.deepEqual(
      sc.body.scopes.map((s) => s.name),
      ["x86 registers", "x64 registers", "Instruction", "TEB / PEB"],
    );
    const regs = await h.scopeVars("x86 registers");
    const eip = regs.find((v) => v.name === "eip");
    assert.equal(eip?.value, "0x00401000");
    const eax = regs.find((v) => v.name === "eax");
    assert.ok(eax?.memoryReference !== undefined);
    const ins = await h.scopeVars("Instruction");
    assert.ok(ins.length > 3);
    const tp = await h.scopeVars("TEB / PEB");
    assert.deepEqual(
      tp.map((v) => v.name),
      ["TEB", "Wow64 TEB32", "PEB", "Wow64 PEB32"],
    );
    await h.stop();
    h = new Harness();
    await h.start();
    await h.launch({ program: fixture("hello64.exe"), stopOnEntry: true });
    await h.nextStop();
    sc = await h.dc.scopesRequest({ frameId: 0 });
    assert.deepEqual(
      sc.body.scopes.map((s) => s.name),
      ["x64 registers", "Instruction", "TEB / PEB"],
    );
    const f = await h.top();
    assert.match(f.name, /^hello64!start \[x64\]$/);
  });

  it("setVariable on a register and on an EFLAGS bit", async () => {
    await h.launch({ program: fixture("hello32.exe"), stopOnEntry: true });
    await h.nextStop();
    const sc = await h.dc.scopesRequest({ frameId: 0 });
    const ref = sc.body.scopes[0].variablesReference;
    const r = await h.dc.setVariableRequest({ variablesReference: ref, name: "eax", value: "1234" });
    assert.equal(r.body.value, "0x00001234");
    assert.equal(await h.eval("eax", "watch"), "0x00001234");
    const vars = (await h.dc.variablesRequest({ variablesReference: ref })).body.variables;
    const efl = vars.find((v) => v.name === "eflags");
    assert.ok(efl !== undefined && efl.variablesReference > 0);
    const bits = (await h.dc.variablesRequest({ variablesReference: efl.variablesReference })).body.variables;
    assert.ok(bits.some((b) => b.name === "ZF"));
    await h.dc.setVariableRequest({ variablesReference: efl.variablesReference, name: "ZF", value: "1" });
    assert.equal(await h.eval("zf", "watch"), "0x1");
    await assert.rejects(h.dc.setVariableRequest({ variablesReference: ref, name: "eax", value: "zz" }));
  });

  it("next steps over a call, stepIn enters it, stepOut returns (instruction granularity)", async () => {
    await h.launch({ program: fixture("hello32.exe"), stopOnEntry: true });
    await h.nextStop();
    // Find the first call after the entry point.
    const d = await h.dc.disassembleRequest({ memoryReference: "0x401000", instructionCount: 20 });
    const call = insns(d).findIndex((i) => i.instruction.startsWith("call"));
    assert.ok(call > 0);
    for (let k = 0; k < call; k++) {
      await h.dc.nextRequest({ threadId: 1, granularity: "instruction" });
      assert.equal((await h.nextStop()).body.reason, "step");
    }
    assert.equal((await h.top()).instructionPointerReference, insns(d)[call].address);
    await h.dc.stepInRequest({ threadId: 1, granularity: "instruction" });
    await h.nextStop();
    const inside = await h.top();
    assert.match(inside.name, /^kernel32!GetStdHandle \[x86\]$/i);
    const st = await h.dc.stackTraceRequest({ threadId: 1 });
    assert.match(st.body.stackFrames[1].name, /^hello32!start\+0x[0-9a-f]+ \[x86\]$/);
    await h.dc.stepOutRequest({ threadId: 1, granularity: "instruction" });
    assert.equal((await h.nextStop()).body.reason, "step");
    assert.equal((await h.top()).instructionPointerReference, insns(d)[call + 1].address);
    // next over the same kind of call
    const d2 = await h.dc.disassembleRequest({
      memoryReference: insns(d)[call + 1].address,
      instructionCount: 20,
    });
    const call2 = insns(d2).findIndex((i) => i.instruction.startsWith("call"));
    for (let k = 0; k <= call2; k++) {
      await h.dc.nextRequest({ threadId: 1, granularity: "instruction" });
      await h.nextStop();
    }
    assert.equal((await h.top()).instructionPointerReference, insns(d2)[call2 + 1].address);
    assert.equal(h.output, "Hello, world!\n");
  });

  it("continue and pause in a tight guest loop; pause answers at once", async () => {
    const file = path.join(os.tmpdir(), "wowdbg-loop.bin");
    fs.writeFileSync(file, Uint8Array.of(0x40, 0xeb, 0xfd)); // inc eax; jmp $-1
    await h.launch({ shellcode: file, arch: "x86", stopOnEntry: true });
    await h.nextStop();
    await h.dc.continueRequest({ threadId: 1 });
    await new Promise((r) => setTimeout(r, 100));
    const t0 = Date.now();
    await h.dc.pauseRequest({ threadId: 1 });
    const s = await h.nextStop();
    assert.equal(s.body.reason, "pause");
    assert.ok(Date.now() - t0 < 200, `pause took ${Date.now() - t0} ms`);
    assert.ok(hexNum(await h.eval("eax", "watch")) > 1000);
    assert.match((await h.top()).name, /^shellcode\+0x[0-9a-f]+|^0x/);
  });

  it("disassemble: exact counts for the offsets VS Code asks, invalid lines for unreadable memory", async () => {
    await h.launch({ program: fixture("hello32.exe"), stopOnEntry: true });
    await h.nextStop();
    for (const [off, n] of [
      [-50, 100],
      [0, 50],
      [-200, 400],
    ]) {
      const d = await h.dc.disassembleRequest({
        memoryReference: "0x401000",
        instructionOffset: off,
        instructionCount: n,
      });
      assert.equal(insns(d).length, n);
      if (off < 0) assert.equal(insns(d)[-off].address, "0x401000");
    }
    const z = await h.dc.disassembleRequest({ memoryReference: "0x0", instructionCount: 4 });
    assert.equal(insns(z).length, 4);
    assert.equal(insns(z)[0].presentationHint, "invalid");
    const k = await h.dc.disassembleRequest({ memoryReference: "0x401000", instructionCount: 30 });
    assert.ok(insns(k).some((i) => /call dword ptr \[hello32!_imp_WriteFile\]/.test(i.instruction)));
  });

  it("readMemory / writeMemory with unreadableBytes and a memory event", async () => {
    await h.launch({ program: fixture("hello32.exe"), stopOnEntry: true });
    await h.nextStop();
    const r = await h.dc.customRequest("readMemory", { memoryReference: "0x400000", count: 64 });
    const data = Buffer.from(r.body.data, "base64");
    assert.equal(data.length, 64);
    assert.equal(data.toString("latin1", 0, 2), "MZ");
    const u = await h.dc.customRequest("readMemory", { memoryReference: "0x0", count: 16 });
    assert.equal(u.body.unreadableBytes, 16);
    const esp = await h.eval("esp", "watch");
    const w = await h.dc.customRequest("writeMemory", {
      memoryReference: esp,
      offset: -16,
      data: Buffer.from([1, 2, 3, 4]).toString("base64"),
    });
    assert.equal(w.body.bytesWritten, 4);
    assert.equal(await h.eval(`dwo(${esp}-10)`, "watch"), "0x04030201");
    assert.ok(h.memoryEvents.length >= 1);
    await assert.rejects(
      h.dc.customRequest("writeMemory", {
        memoryReference: "0x0",
        data: Buffer.from([1]).toString("base64"),
      }),
    );
  });

  it("modules request and module events", async () => {
    await h.launch({ program: fixture("hello32.exe"), stopOnEntry: true });
    await h.nextStop();
    const m = await h.dc.modulesRequest({});
    const names = (m.body.modules ?? []).map((x) => x.name);
    assert.ok(names.includes("hello32.exe") && names.includes("KERNEL32.DLL"), names.join(","));
    assert.equal(h.modules.length, names.length);
    assert.match(m.body.modules[0].addressRange ?? "", /^0x[0-9A-F]+-0x[0-9A-F]+$/);
  });

  it("evaluate: expressions, console commands, hover and clipboard; completions", async () => {
    await h.launch({ program: fixture("hello32.exe"), stopOnEntry: true });
    await h.nextStop();
    assert.equal(await h.eval("? 1+2"), "Evaluate expression: 3 = 00000003");
    assert.match(await h.eval("r"), /eax=[0-9a-f]{8} .*\n.*eip=00401000/s);
    assert.match(await h.eval("lm"), /hello32/);
    assert.match(await h.eval("k"), /hello32!start/);
    assert.match(await h.eval("!teb"), /TEB at/);
    assert.match(await h.eval("!peb"), /PEB at/);
    assert.match(await h.eval("u eip L2"), /hello32!start:/);
    assert.match(await h.eval("db 400000 L10"), /4d 5a/);
    assert.match(await h.eval("!address 401000"), /Image/);
    assert.match(await h.eval("kernel32!VirtualAlloc", "watch"), /^0x[0-9a-f]+$/);
    assert.equal(await h.eval("eip", "hover"), "0x00401000");
    assert.equal(await h.eval("dword ptr [esp]", "clipboard"), await h.eval("poi(esp)", "watch"));
    await h.eval("r eax=5");
    assert.equal(await h.eval("eax", "watch"), "0x00000005");
    await assert.rejects(h.eval("nosuchsymbol!x", "watch"));
    const c = await h.dc.completionsRequest({ text: "kernel3", column: 8 });
    assert.ok(c.body.targets.some((t) => t.label === "KERNEL32!" || t.label.toLowerCase() === "kernel32!"));
    const c2 = await h.dc.completionsRequest({ text: "ea", column: 3 });
    assert.ok(c2.body.targets.some((t) => t.label === "eax"));
  });
});

describe("adapter: breakpoints and exceptions", () => {
  let h: Harness;
  beforeEach(async () => {
    h = new Harness();
    await h.start();
  });
  afterEach(async () => h.stop());

  it("function breakpoints: module!export, wildcards, a syscall name and number (at the syscall)", async () => {
    let ids: number[] = [];
    await h.launch({ program: fixture("hello32.exe") }, async (dc) => {
      const r = await dc.setFunctionBreakpointsRequest({
        breakpoints: [{ name: "kernel32!WriteFile" }, { name: "nosuch!thing" }],
      });
      assert.deepEqual(
        r.body.breakpoints.map((b) => b.verified),
        [true, false],
      );
      ids = r.body.breakpoints.map((b) => b.id ?? 0);
    });
    let s = await h.nextStop();
    assert.equal(s.body.reason, "function breakpoint");
    assert.deepEqual(s.body.hitBreakpointIds, [ids[0]]);
    assert.match((await h.top()).name, /^kernel32!WriteFile \[x86\]$/i);
    await h.dc.setFunctionBreakpointsRequest({ breakpoints: [{ name: "ntdll!Nt*File" }] });
    await h.dc.continueRequest({ threadId: 1 });
    assert.equal((await h.nextStop()).body.reason, "function breakpoint");
    assert.match((await h.top()).name, /^ntdll!NtWriteFile \[x86\]$/);
    await h.dc.setFunctionBreakpointsRequest({ breakpoints: [{ name: "NtWriteFile" }] });
    await h.dc.continueRequest({ threadId: 1 });
    s = await h.nextStop();
    assert.match(s.body.description ?? "", /syscall NtWriteFile/);
    const top = await h.top();
    assert.match(top.name, /^ntdll!NtWriteFile\+0x[0-9a-f]+ \[x64\]$/);
    const d = await h.dc.disassembleRequest({
      memoryReference: top.instructionPointerReference ?? "",
      instructionCount: 1,
    });
    assert.equal(insns(d)[0].instruction, "syscall");
    // the WOW64 stack: x64 frames, then the x86 frames through the saved context
    const st = await h.dc.stackTraceRequest({ threadId: 1 });
    const names = st.body.stackFrames.map((f) => f.name);
    assert.ok(
      names.some((n) => /\[x64\]$/.test(n)) && names.some((n) => /^hello32!start.* \[x86\]$/.test(n)),
      names.join("\n"),
    );
    await h.dc.continueRequest({ threadId: 1 });
    await h.waitTerminated();
    assert.equal(h.exitCode, 0);
  });

  it("syscall:N stops at the syscall with that number", async () => {
    await h.launch({ program: fixture("hello64.exe") }, async (dc) => {
      const r = await dc.setFunctionBreakpointsRequest({ breakpoints: [{ name: "syscall:0x8" }] });
      assert.equal(r.body.breakpoints[0].verified, true);
    });
    const s = await h.nextStop();
    assert.equal(s.body.reason, "function breakpoint");
    assert.equal(await h.eval("eax", "watch"), "0x00000008");
    assert.match((await h.top()).name, /^ntdll!NtWriteFile\+0x8 \[x64\]$/);
  });

  it("instruction breakpoints with conditions, hit counts and logpoints", async () => {
    const code = shellcode("count", [0x31, 0xc0, 0x40, 0x83, 0xf8, 0x0a, 0x75, 0xfa, 0xcc]); // xor eax,eax; l: inc eax; cmp eax,10; jne l; int3
    await h.launch({ shellcode: code, arch: "x86", stopOnEntry: true });
    await h.nextStop();
    const base = hexNum((await h.top()).instructionPointerReference ?? "0");
    const ref = "0x" + (base + 3).toString(16); // cmp
    let r = await h.dc.customRequest("setInstructionBreakpoints", {
      breakpoints: [{ instructionReference: ref, condition: "eax == 3" }],
    });
    assert.equal(r.body.breakpoints[0].verified, true);
    await h.dc.continueRequest({ threadId: 1 });
    let s = await h.nextStop();
    assert.equal(s.body.reason, "instruction breakpoint");
    assert.equal(await h.eval("eax", "watch"), "0x00000003");
    r = await h.dc.customRequest("setInstructionBreakpoints", {
      breakpoints: [{ instructionReference: ref, hitCondition: "3" }],
    });
    assert.equal(r.body.breakpoints[0].verified, true);
    await h.dc.continueRequest({ threadId: 1 });
    assert.equal((await h.nextStop()).body.reason, "instruction breakpoint");
    assert.equal(await h.eval("eax", "watch"), "0x00000006");
    await h.dc.customRequest("setInstructionBreakpoints", { breakpoints: [] });
    await h.dc.setFunctionBreakpointsRequest({ breakpoints: [] });
    // logpoints come through setInstructionBreakpoints' siblings: a function breakpoint by address here
    await h.dc.customRequest("setInstructionBreakpoints", {
      breakpoints: [{ instructionReference: ref, condition: "eax > 8" }],
    });
    await h.dc.continueRequest({ threadId: 1 });
    await h.nextStop();
    assert.equal(await h.eval("eax", "watch"), "0x00000009");
    await h.dc.customRequest("setInstructionBreakpoints", { breakpoints: [] });
    await h.dc.continueRequest({ threadId: 1 });
    s = await h.nextStop();
    assert.equal(s.body.reason, "exception");
    const info = await h.dc.exceptionInfoRequest({ threadId: 1 });
    assert.match(info.body.description ?? "", /^Breakpoint \(int3\) at/);
    assert.equal(info.body.exceptionId, "0x80000003 STATUS_BREAKPOINT");
  });

  it("logpoints print their message with {expressions} and do not stop", async () => {
    const code = shellcode("log", [0x31, 0xc0, 0x40, 0x83, 0xf8, 0x03, 0x75, 0xfa, 0xcc]);
    await h.launch({ shellcode: code, arch: "x86", stopOnEntry: true });
    await h.nextStop();
    const base = hexNum((await h.top()).instructionPointerReference ?? "0");
    // DAP carries logMessage on source breakpoints only; the adapter also takes it on these kinds.
    await h.dc.customRequest("setInstructionBreakpoints", {
      breakpoints: [{ instructionReference: `0x${(base + 3).toString(16)}`, logMessage: "eax is {eax}" }],
    });
    await h.dc.continueRequest({ threadId: 1 });
    const s = await h.nextStop();
    assert.equal(s.body.reason, "exception");
    assert.equal(h.output, "eax is 0x00000001\neax is 0x00000002\neax is 0x00000003\n");
  });

  it("data breakpoints: write, read and access at any address, no limit", async () => {
    await h.launch({ program: fixture("hello32.exe"), stopOnEntry: true });
    await h.nextStop();
    const esp = hexNum(await h.eval("esp", "watch"));
    const info = await h.dc.dataBreakpointInfoRequest({
      name: `0x${(esp - 0x40).toString(16)}`,
      asAddress: true,
      bytes: 0x40,
    });
    assert.ok(info.body.dataId !== null);
    assert.deepEqual(info.body.accessTypes, ["read", "write", "readWrite"]);
    const many = Array.from({ length: 50 }, (_, k) => ({
      dataId: `0x${(0x10000000 + 64 * k).toString(16)}:4`,
      accessType: "write" as const,
    }));
    const r = await h.dc.setDataBreakpointsRequest({
      breakpoints: [{ dataId: info.body.dataId ?? "", accessType: "write" }, ...many],
    });
    assert.equal(r.body.breakpoints.length, 51);
    assert.ok(r.body.breakpoints.every((b) => b.verified));
    await h.dc.continueRequest({ threadId: 1 });
    const s = await h.nextStop();
    assert.equal(s.body.reason, "data breakpoint");
    const m = /write of 4 bytes at 0x([0-9A-F]{8})/.exec(s.body.description ?? "");
    assert.ok(m !== null, s.body.description);
    assert.ok(hexNum(m[1]) >= esp - 0x40 && hexNum(m[1]) < esp);
    // read: the same range read back
    await h.dc.setDataBreakpointsRequest({
      breakpoints: [{ dataId: info.body.dataId ?? "", accessType: "read" }],
    });
    await h.dc.continueRequest({ threadId: 1 });
    const s2 = await h.nextStop();
    assert.match(s2.body.description ?? "", /read of \d+ bytes? at/);
  });

  it("access violation: exception stop with a Windows debugger's text, then exit with the code", async () => {
    const code = shellcode("av", [0xc7, 0x05, 0, 0, 0, 0, 1, 0, 0, 0]); // mov dword [0], 1
    await h.launch({ shellcode: code, arch: "x86" });
    const s = await h.nextStop();
    assert.equal(s.body.reason, "exception");
    const info = await h.dc.exceptionInfoRequest({ threadId: 1 });
    assert.match(
      info.body.description ?? "",
      /^Access violation writing 0x00000000 at 0x[0-9A-F]{8} \(shellcode\+0x0\)/,
    );
    assert.equal(info.body.exceptionId, "0xC0000005 STATUS_ACCESS_VIOLATION");
    await h.dc.continueRequest({ threadId: 1 });
    await h.waitTerminated();
    assert.equal(h.exitCode, 0xc0000005);
  });

  it("with the access-violation filter off the program just ends", async () => {
    const code = shellcode("av2", [0xc7, 0x05, 0, 0, 0, 0, 1, 0, 0, 0]);
    await h.launch({ shellcode: code, arch: "x86" }, async (dc) => {
      await dc.setExceptionBreakpointsRequest({ filters: [] });
    });
    await h.waitTerminated();
    assert.match(h.output, /Access violation writing 0x00000000/);
  });

  it("filters: every syscall thunk entry, every WOW64 mode switch", async () => {
    await h.launch({ program: fixture("hello32.exe") }, async (dc) => {
      await dc.setExceptionBreakpointsRequest({ filters: ["syscall-entry"] });
    });
    let s = await h.nextStop();
    assert.equal(s.body.reason, "exception");
    const info = await h.dc.exceptionInfoRequest({ threadId: 1 });
    assert.match(info.body.description ?? "", /^Syscall thunk entry: ntdll!Nt/);
    await h.dc.setExceptionBreakpointsRequest({ filters: ["mode-switch"] });
    await h.dc.continueRequest({ threadId: 1 });
    s = await h.nextStop();
    assert.match(s.body.text ?? "", /CS 0x23 -> 0x33/);
    assert.match((await h.top()).name, /\[x64\]$/);
    await h.dc.continueRequest({ threadId: 1 });
    s = await h.nextStop();
    assert.match(s.body.text ?? "", /CS 0x33 -> 0x23/);
    assert.match((await h.top()).name, /\[x86\]$/);
  });
});

describe("adapter: custom requests, session control, WOW64 walk, golden traces", () => {
  let h: Harness;
  beforeEach(async () => {
    h = new Harness();
    await h.start();
  });
  afterEach(async () => h.stop());

  it("wowdbg/regions, wowdbg/syscalls and wowdbg/instruction", async () => {
    await h.launch({ program: fixture("memory32.exe"), traceSyscalls: true }, async (dc) => {
      await dc.setFunctionBreakpointsRequest({ breakpoints: [{ name: "NtUnmapViewOfSection" }] });
    });
    await h.nextStop();
    const r = await h.dc.customRequest("wowdbg/regions", {});
    const regions = r.body.regions as { usage?: string; path?: string; sectionId?: number; type: number }[];
    assert.equal(r.body.total, regions.length);
    assert.ok(regions.some((x) => x.path === "C:\\app\\memory32.exe"));
    assert.ok(regions.some((x) => x.usage === "TEB") && regions.some((x) => x.usage === "Stack"));
    assert.ok(regions.some((x) => x.type === 0x40000 && x.sectionId !== undefined));
    const free = await h.dc.customRequest("wowdbg/regions", { includeFree: true, start: 0, count: 5 });
    assert.equal(free.body.regions.length, 5);
    const sc = await h.dc.customRequest("wowdbg/syscalls", {});
    assert.ok(sc.body.total > 3);
    assert.ok(sc.body.records.some((x: { name: string }) => x.name === "NtMapViewOfSection"));
    assert.match(h.output, /syscall NtMapViewOfSection \(0x0028\) x86: /);
    const ins = await h.dc.customRequest("wowdbg/instruction", {});
    assert.equal(ins.body.text, "syscall");
    assert.equal(ins.body.bits, 64);
    const at = await h.dc.customRequest("wowdbg/instruction", { address: "memory32!start" });
    assert.equal(at.body.bits, 32);
    assert.ok(at.body.fields.length > 2);
  });

  it("terminate ends the session; restart launches again with the same breakpoints", async () => {
    await h.launch({ program: fixture("hello64.exe") }, async (dc) => {
      await dc.setFunctionBreakpointsRequest({ breakpoints: [{ name: "kernel32!WriteFile" }] });
    });
    await h.nextStop();
    await h.dc.restartRequest({});
    const s = await h.nextStop();
    assert.equal(s.body.reason, "function breakpoint");
    assert.match((await h.top()).name, /WriteFile \[x64\]$/i);
    h.terminated = false;
    await h.dc.terminateRequest({});
    await h.waitTerminated();
    await h.dc.disconnectRequest({});
  });

  it("steps gate32 through the far jump: the live scope switches x86 -> x64 -> x86", async () => {
    await h.launch({ program: fixture("gate32.exe"), stopOnEntry: true });
    await h.nextStop();
    const d = await h.dc.disassembleRequest({ memoryReference: "0x401000", instructionCount: 120 });
    const jmp = insns(d).find((i) => /^jmp far|^jmp 33h?:|^jmp 0*33:/i.test(i.instruction));
    assert.ok(
      jmp !== undefined,
      insns(d)
        .map((i) => i.instruction)
        .join("\n"),
    );
    await h.dc.customRequest("setInstructionBreakpoints", {
      breakpoints: [{ instructionReference: jmp.address }],
    });
    await h.dc.continueRequest({ threadId: 1 });
    await h.nextStop();
    assert.equal((await h.top()).instructionPointerReference, jmp.address);
    let sc = await h.dc.scopesRequest({ frameId: 0 });
    assert.deepEqual(
      sc.body.scopes.slice(0, 2).map((s) => s.name),
      ["x86 registers", "x64 registers"],
    );
    const before: Record<string, string> = {};
    for (const v of await h.scopeVars("x86 registers")) before[v.name] = v.value;
    const full64: Record<string, string> = {};
    for (const v of await h.scopeVars("x64 registers")) full64[v.name] = v.value;
    assert.equal(before.cs, "0x0023");
    await h.dc.nextRequest({ threadId: 1, granularity: "instruction" });
    await h.nextStop();
    sc = await h.dc.scopesRequest({ frameId: 0 });
    assert.deepEqual(
      sc.body.scopes.slice(0, 2).map((s) => s.name),
      ["x64 registers", "x86 registers"],
    );
    assert.match((await h.top()).name, /\[x64\]$/);
    const after: Record<string, string> = {};
    for (const v of await h.scopeVars("x64 registers")) after[v.name] = v.value;
    assert.equal(after.cs, "0x0033");
    // the 64-bit register file the CPU kept under compatibility mode is what 64-bit code now sees
    for (const r of ["rax", "rbx", "rcx", "rdx", "rsi", "rdi", "rbp", "rsp", "r8", "r12"]) {
      assert.equal(after[r], full64[r], r);
      assert.equal(
        hexNum(after[r]) % 2 ** 32,
        r.startsWith("r") && before["e" + r.slice(1)] !== undefined
          ? hexNum(before["e" + r.slice(1)])
          : hexNum(after[r]) % 2 ** 32,
        r,
      );
    }
    // back to 32-bit code
    for (let k = 0; k < 60; k++) {
      await h.dc.nextRequest({ threadId: 1, granularity: "instruction" });
      await h.nextStop();
      if (/\[x86\]$/.test((await h.top()).name)) break;
    }
    sc = await h.dc.scopesRequest({ frameId: 0 });
    assert.equal(sc.body.scopes[0].name, "x86 registers");
    assert.equal(await h.reg("x86 registers", "cs"), "0x0023");
    assert.equal(await h.reg("x86 registers", "esp"), before.esp);
  });

  it("golden: hello32 stepped from its entry point, registers and the syscall trace", async () => {
    await h.launch({ program: fixture("hello32.exe"), stopOnEntry: true });
    let log = "";
    const s0 = await h.nextStop();
    const record = async (s: Stopped): Promise<void> => {
      const f = await h.top();
      const d = await h.dc.disassembleRequest({
        memoryReference: f.instructionPointerReference ?? "0",
        instructionCount: 1,
      });
      log += `stopped ${s.body.reason}: ${f.name} ${f.instructionPointerReference} ${insns(d)[0].instruction}\n`;
    };
    await record(s0);
    log += (await h.eval("r")) + "\n";
    for (let k = 0; k < 12; k++) {
      await h.dc.nextRequest({ threadId: 1, granularity: "instruction" });
      await record(await h.nextStop());
    }
    log += (await h.eval("k")) + "\n";
    await h.dc.continueRequest({ threadId: 1 });
    await h.waitTerminated();
    const sc = await h.dc.customRequest("wowdbg/syscalls", {});
    for (const r of sc.body.records as {
      name: string;
      callerMode: string;
      args: string[];
      statusName?: string;
    }[]) {
      log += `${r.name} ${r.callerMode} (${r.args.join(", ")}) -> ${r.statusName ?? "?"}\n`;
    }
    log += `exit ${h.exitCode}\noutput ${JSON.stringify(h.output)}\n`;
    golden("hello32.steps.txt", log);
  });
});
