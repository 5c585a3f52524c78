/**
 * Golden text traces of the call stack across the WOW64 boundary (volatile values masked by `golden`): the
 * 32-bit hello at its NtWriteFile syscall — the x64 ntdll stub, wow64's thunk and dispatcher, wow64cpu's
 * mode switch, then the x86 frames (32-bit ntdll's stub, KERNELBASE!WriteFile, the program) recovered
 * through the context wow64cpu saved — as the stackTrace request and the console's `k` show it. The frame
 * order is Windows' (a WOW64 stack in WinDbg: ntdll!NtWriteFile, wow64!…, wow64cpu!…, then the 32-bit
 * frames after the transition); the names and offsets are our synthetic DLLs'.
 */
import { execFileSync } from "node:child_process";
import * as path from "node:path";
import { fixture, golden, Harness, ROOT } from "./adapter-harness";

before(function () {
  this.timeout(120000);
  execFileSync(process.execPath, [path.join(ROOT, "scripts", "build.mjs")], { cwd: ROOT, stdio: "pipe" });
});

describe("adapter: golden stacks", () => {
  let h: Harness;
  beforeEach(async () => {
    h = new Harness();
    await h.start();
  });
  afterEach(async () => h.stop());

  it("hello32 at the x64 NtWriteFile syscall: one stack, x64 frames then x86 frames", async () => {
    await h.launch({ program: fixture("hello32.exe") }, async (dc) => {
      await dc.setFunctionBreakpointsRequest({ breakpoints: [{ name: "syscall:0x8" }] });
    });
    await h.nextStop();
    const st = await h.dc.stackTraceRequest({ threadId: 1, startFrame: 0, levels: 50 });
    const lines = st.body.stackFrames.map(
      (f) => `${String(f.id).padStart(2)}  ${f.instructionPointerReference ?? "-"}  ${f.name}`,
    );
    const k = await h.dc.evaluateRequest({ expression: "k", context: "repl" });
    golden("hello32.wow64-stack.txt", `stackTrace\n${lines.join("\n")}\n\nk\n${k.body.result}\n`);
  });
});
