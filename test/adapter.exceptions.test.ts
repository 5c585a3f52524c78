/**
 * First-chance and second-chance exception stops over DAP (DebugClient on dist/adapter.js), on the
 * exception fixtures. What a Windows debugger does, from Microsoft's debugger documentation ("Controlling
 * Exceptions and Events"): at the first chance the debugger sees the exception before any handler runs;
 * `gn` passes it to the program's handlers (vectored, SEH, the unhandled filter); if none handles it the
 * debugger gets a second chance before the process ends, and `gn` there ends the process. The fixtures'
 * outputs and exit codes are test/fixtures/EXPECTED.md's (seh32.exe, veh64.exe, unhandled64.exe).
 */
import { strict as assert } from "node:assert";
import { execFileSync } from "node:child_process";
import * as path from "node:path";
import { fixture, Harness, insns, ROOT } from "./adapter-harness";

before(function () {
  this.timeout(120000);
  execFileSync(process.execPath, [path.join(ROOT, "scripts", "build.mjs")], { cwd: ROOT, stdio: "pipe" });
});

/** EXPECTED.md: seh32.exe's three lines (all three faults handled by the FS:[0] handler). */
const SEH32_OUT = "C0000005 00000002 00000001 00000000 ok\nC0000094 00000000 00000000 00000000 ok\n";

describe("adapter: first-chance and second-chance exceptions", () => {
  let h: Harness;
  beforeEach(async () => {
    h = new Harness();
    await h.start();
  });
  afterEach(async () => h.stop());

  it("filters: a checkbox per exception kind (second chance) and one for first chance", async () => {
    const r = await h.dc.initializeRequest({ adapterID: "wowdbg", pathFormat: "path" });
    const f = r.body?.exceptionBreakpointFilters ?? [];
    for (const k of [
      "access-violation",
      "breakpoint",
      "illegal-instruction",
      "divide-error",
      "single-step",
      "other",
    ]) {
      const x = f.find((y) => y.filter === k);
      assert.ok(x !== undefined, k);
      assert.equal(x.default, true, k);
      assert.match(x.description ?? "", /second chance/, k);
    }
    const first = f.find((x) => x.filter === "first-chance");
    assert.ok(first !== undefined);
    assert.match(first.label, /^First chance/);
    assert.equal(first.default, false);
    // Listed once each (the Breakpoints view stays short); `<kind>:first` is accepted but not listed.
    assert.equal(f.filter((x) => x.filter.endsWith(":first")).length, 0);
  });

  it("seh32 (handled): a first-chance stop at the faulting instruction, continue reaches the handler", async () => {
    await h.launch({ program: fixture("seh32.exe") }, async (dc) => {
      // As VS Code sends them with "Access violation" and "First chance" checked.
      await dc.setExceptionBreakpointsRequest({ filters: ["access-violation", "first-chance"] });
    });
    const s = await h.nextStop();
    assert.equal(s.body.reason, "exception");
    const info = await h.dc.exceptionInfoRequest({ threadId: 1 });
    // MSDN EXCEPTION_RECORD: [0] = 1 (write), [1] = 0 — WinDbg's "Access violation writing 0x00000000".
    assert.match(info.body.description ?? "", /^Access violation writing 0x00000000 at .*\(first chance\)$/);
    assert.equal(info.body.exceptionId, "0xC0000005 STATUS_ACCESS_VIOLATION");
    assert.equal(info.body.breakMode, "always");
    assert.match(info.body.details?.message ?? "", /^Access violation - code 0xC0000005 \(first chance\)$/);
    // Stopped before dispatch: the handler has not run (nothing printed), the thread is at the fault in seh32.
    assert.equal(h.output.includes("C0000005"), false);
    const top = await h.top();
    assert.match(top.name, /^seh32!.* \[x86\]$/);
    const d = await h.dc.disassembleRequest({
      memoryReference: top.instructionPointerReference ?? "0",
      instructionCount: 1,
    });
    assert.match(insns(d)[0].instruction, /^mov dword ptr \[0+h?\],/i);
    await h.dc.continueRequest({ threadId: 1 });
    await h.waitTerminated();
    assert.equal(h.exitCode, 0);
    assert.ok(h.output.includes(SEH32_OUT), h.output);
    assert.match(h.output, /80000003 00000001 00000000 00000000 ok\n/);
  });

  it("veh64 (handled): first chance, then the vectored handler's output; never a second chance", async () => {
    await h.launch({ program: fixture("veh64.exe") }, async (dc) => {
      await dc.setExceptionBreakpointsRequest({ filters: ["access-violation:first", "access-violation"] });
    });
    const s = await h.nextStop();
    assert.equal(s.body.reason, "exception");
    assert.match(s.body.text ?? "", /\(first chance\)$/);
    const top = await h.top();
    assert.match(top.name, /^veh64!.* \[x64\]$/);
    const d = await h.dc.disassembleRequest({
      memoryReference: top.instructionPointerReference ?? "0",
      instructionCount: 1,
    });
    assert.equal(insns(d)[0].instruction, "mov dword ptr [rax], 1");
    await h.dc.continueRequest({ threadId: 1 });
    await h.waitTerminated();
    assert.equal(h.exitCode, 0);
    assert.match(h.output, /code=C0000005 write=1 address=0000000000000000 at=ok\nremoved=1\n/);
  });

  it("stepping at a first-chance stop enters ntdll!KiUserExceptionDispatcher", async () => {
    await h.launch({ program: fixture("veh64.exe") }, async (dc) => {
      await dc.setExceptionBreakpointsRequest({ filters: ["access-violation:first"] });
    });
    await h.nextStop();
    await h.dc.stepInRequest({ threadId: 1, granularity: "instruction" });
    const s = await h.nextStop();
    assert.equal(s.body.reason, "step");
    assert.match((await h.top()).name, /^ntdll!KiUserExceptionDispatcher \[x64\]$/);
    await h.dc.continueRequest({ threadId: 1 });
    await h.waitTerminated();
    assert.equal(h.exitCode, 0);
  });

  it("unhandled64: a second-chance stop at the faulting instruction, then continue ends with the code", async () => {
    await h.launch({ program: fixture("unhandled64.exe") });
    const s = await h.nextStop();
    assert.equal(s.body.reason, "exception");
    assert.equal(s.body.description, "Exception (second chance)");
    const info = await h.dc.exceptionInfoRequest({ threadId: 1 });
    assert.match(info.body.description ?? "", /^Access violation writing 0x00000000 at .*\(second chance\)$/);
    assert.equal(info.body.breakMode, "unhandled");
    assert.match(info.body.details?.message ?? "", /\(!!! second chance !!!\)$/);
    // The handlers ran (and declined) before: "before" is out, the process is still there.
    assert.equal(h.output.includes("before\n"), true);
    assert.equal(h.terminated, false);
    // NtRaiseException(FirstChance = FALSE) made the exception's context the thread's: at the fault again.
    const top = await h.top();
    assert.match(top.name, /^unhandled64!.* \[x64\]$/);
    await h.dc.continueRequest({ threadId: 1 });
    await h.waitTerminated();
    // MSDN UnhandledExceptionFilter: the process ends with the exception code.
    assert.equal(h.exitCode, 0xc0000005);
    assert.equal(h.output.includes("after"), false);
  });

  it("unhandled64 with both chances: first, then second, then the end", async () => {
    await h.launch({ program: fixture("unhandled64.exe") }, async (dc) => {
      await dc.setExceptionBreakpointsRequest({ filters: ["access-violation:first", "access-violation"] });
    });
    let s = await h.nextStop();
    assert.match(s.body.text ?? "", /\(first chance\)$/);
    const first = (await h.top()).instructionPointerReference;
    await h.dc.continueRequest({ threadId: 1 });
    s = await h.nextStop();
    assert.match(s.body.text ?? "", /\(second chance\)$/);
    assert.equal((await h.top()).instructionPointerReference, first);
    await h.dc.continueRequest({ threadId: 1 });
    await h.waitTerminated();
    assert.equal(h.exitCode, 0xc0000005);
  });

  it("seh32 with the defaults (second chance only): handled exceptions never stop", async () => {
    await h.launch({ program: fixture("seh32.exe") });
    await h.waitTerminated();
    assert.equal(h.exitCode, 0);
    assert.ok(h.output.includes(SEH32_OUT));
  });
});
