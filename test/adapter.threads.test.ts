/**
 * Threads in the debugger: every thread listed, the stopped event naming the thread that was running, and
 * another (waiting) thread's call stack and registers from the state saved at its last switch — as WinDbg's
 * `~*k` shows every thread's stack. On threads64.exe (test/fixtures/src/threads.c): the producer thread
 * calls SetEvent while the main thread waits in WaitForMultipleObjects on both workers.
 */
import { strict as assert } from "node:assert";
import { execFileSync } from "node:child_process";
import * as path from "node:path";
import { fixture, Harness, ROOT } from "./adapter-harness";

before(function () {
  this.timeout(120000);
  execFileSync(process.execPath, [path.join(ROOT, "scripts", "build.mjs")], { cwd: ROOT, stdio: "pipe" });
});

describe("adapter: threads", () => {
  let h: Harness;
  beforeEach(async () => {
    h = new Harness();
    await h.start();
  });
  afterEach(async () => h.stop());

  it("threads64: each thread's own stack and registers while another one is stopped", async () => {
    await h.launch({ program: fixture("threads64.exe") }, async (dc) => {
      await dc.setFunctionBreakpointsRequest({ breakpoints: [{ name: "kernel32!SetEvent" }] });
    });
    const s = await h.nextStop();
    assert.equal(s.body.reason, "function breakpoint");
    const threads = (await h.dc.threadsRequest()).body.threads;
    assert.ok(threads.length >= 3, JSON.stringify(threads));
    // The stopped thread is the one that called SetEvent: listed first, named by its start routine.
    assert.equal(s.body.threadId, threads[0].id);
    const cur = await h.dc.stackTraceRequest({ threadId: threads[0].id, startFrame: 0, levels: 20 });
    assert.match(cur.body.stackFrames[0].name, /SetEvent/);
    // The main thread (the process's first, started at the program's entry) waits on both threads.
    // Other threads are named by id, start routine and what they wait on (the main thread: on both workers).
    assert.match(threads[0].name, /^thread 0x[0-9A-F]+ \(threads64\.exe\+0x[0-9A-F]+\)$/);
    const main = threads.find((t) => /NtWaitForMultipleObjects \(all\)/.test(t.name));
    assert.ok(main !== undefined, JSON.stringify(threads));
    const st = await h.dc.stackTraceRequest({ threadId: main.id, startFrame: 0, levels: 50 });
    const frames = st.body.stackFrames;
    assert.ok(frames.length >= 2, JSON.stringify(frames.map((f) => f.name)));
    assert.ok(frames[0].id >= 100_000, "another thread's frames are numbered apart from the current one's");
    assert.ok(
      frames.some((f) => /WaitForMultipleObjects/.test(f.name)),
      frames.map((f) => f.name).join(" | "),
    );
    // Its bottom frame is wowdbg's start-up code (where Windows has BaseThreadInitThunk), named, not a bare address.
    assert.match(frames[frames.length - 1].name, /^wowdbg!ProcessStart\+0x[0-9a-f]+ \[x64\]$/i);
    const sc = await h.dc.scopesRequest({ frameId: frames[0].id });
    assert.deepEqual(
      sc.body.scopes.map((x) => x.name),
      ["x64 registers"],
    );
    const vars = (await h.dc.variablesRequest({ variablesReference: sc.body.scopes[0].variablesReference }))
      .body.variables;
    const rip = vars.find((v) => v.name === "rip");
    assert.ok(rip !== undefined);
    assert.equal(BigInt(rip.value), BigInt(frames[0].instructionPointerReference!.split(":")[0]));
    const rsp = vars.find((v) => v.name === "rsp");
    assert.ok(rsp !== undefined && BigInt(rsp.value) !== 0n);
    // The current thread's frame 0 is still the live one.
    const live = await h.dc.scopesRequest({ frameId: cur.body.stackFrames[0].id });
    assert.ok(live.body.scopes.some((x) => x.name === "Instruction"));
  });
});
