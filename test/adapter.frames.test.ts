/**
 * The adapter over stdio (DebugClient): caller frames' registers and expressions (frameId), regions paging,
 * dataBreakpointInfo on registers, and the mode-switch / syscall-thunk filters without single-stepping.
 */
import { strict as assert } from "node:assert";
import { execFileSync } from "node:child_process";
import * as path from "node:path";
import { DebugClient } from "@vscode/debugadapter-testsupport";
import type { DebugProtocol } from "@vscode/debugprotocol";

const ROOT = path.join(__dirname, "..");
const fixture = (name: string): string => path.join(ROOT, "test", "fixtures", "bin", name);

before(function () {
  this.timeout(120000);
  execFileSync(process.execPath, [path.join(ROOT, "scripts", "build.mjs")], { cwd: ROOT, stdio: "pipe" });
});

async function launch(dc: DebugClient, args: Record<string, unknown>, filters: string[] = []): Promise<void> {
  await dc.start();
  await dc.initializeRequest({
    adapterID: "wowdbg",
    linesStartAt1: true,
    columnsStartAt1: true,
    pathFormat: "path",
  });
  const initialized = dc.waitForEvent("initialized");
  const stopped = dc.waitForEvent("stopped", 20000);
  const launched = dc.launchRequest(args as DebugProtocol.LaunchRequestArguments);
  await initialized;
  await dc.setExceptionBreakpointsRequest({ filters });
  await dc.configurationDoneRequest();
  await launched;
  await stopped;
}

async function vars(dc: DebugClient, frameId: number, scope: string): Promise<DebugProtocol.Variable[]> {
  const sc = await dc.scopesRequest({ frameId });
  const s = sc.body.scopes.find((x) => x.name === scope);
  if (s === undefined) throw new Error(`no scope ${scope} in frame ${frameId}`);
  return (await dc.variablesRequest({ variablesReference: s.variablesReference })).body.variables;
}

describe("adapter: frames, regions, register watches, filters", () => {
  let dc: DebugClient;
  beforeEach(() => {
    dc = new DebugClient("node", path.join(ROOT, "dist", "adapter.js"), "wowdbg");
  });
  afterEach(async () => dc.stop());

  it("caller frames show their unwound registers; evaluate uses the frame's registers", async () => {
    await launch(dc, { program: fixture("hello32.exe") }, ["syscall-entry"]);
    // Stopped at an ntdll thunk entry: frame 1 is its x86 caller.
    const st = await dc.stackTraceRequest({ threadId: 1, startFrame: 0, levels: 20 });
    assert.ok(st.body.stackFrames.length >= 2);
    const f1 = st.body.stackFrames[1];
    const x86 = f1.name.endsWith("[x86]");
    const v1 = await vars(dc, f1.id, x86 ? "x86 registers" : "x64 registers");
    const ip = v1.find((v) => v.name === (x86 ? "eip" : "rip"));
    assert.ok(ip !== undefined);
    assert.equal(BigInt(ip.value), BigInt(f1.instructionPointerReference ?? "0"));
    // A volatile register of a caller frame is unavailable, not frame 0's value.
    const acc = v1.find((v) => v.name === (x86 ? "eax" : "rax"));
    const top = await vars(dc, st.body.stackFrames[0].id, x86 ? "x86 registers" : "x64 registers");
    if (x86 && acc?.value !== "<unavailable>") {
      // x86 frames wow64cpu saved have the whole context
      assert.ok(acc !== undefined);
    } else assert.equal(acc?.value, "<unavailable>");
    assert.ok(top.length > 0);
    const ev = await dc.evaluateRequest({
      expression: x86 ? "eip" : "rip",
      context: "watch",
      frameId: f1.id,
    });
    assert.equal(BigInt(ev.body.result.split(" ")[0]), BigInt(ip.value));
    const ev0 = await dc.evaluateRequest({ expression: "$ip", context: "watch", frameId: 0 });
    assert.notEqual(BigInt(ev0.body.result.split(" ")[0]), BigInt(ip.value));
    // Caller frames are read-only.
    await assert.rejects(dc.setVariableRequest({ variablesReference: 0, name: "eip", value: "0" }));
    await assert.rejects(dc.evaluateRequest({ expression: "eax = 1", context: "repl", frameId: f1.id }));
  });

  it("x64 caller frames: nonvolatile registers and RSP known, volatile ones unavailable", async () => {
    await launch(dc, { program: fixture("hello64.exe") }, ["syscall-entry"]);
    const st = await dc.stackTraceRequest({ threadId: 1, startFrame: 0, levels: 20 });
    assert.ok(st.body.stackFrames.length >= 2);
    const v = await vars(dc, st.body.stackFrames[1].id, "x64 registers");
    const get = (n: string): string | undefined => v.find((x) => x.name === n)?.value;
    assert.equal(get("rax"), "<unavailable>");
    assert.equal(get("rcx"), "<unavailable>");
    assert.notEqual(get("rsp"), "<unavailable>");
    assert.notEqual(get("rbx"), "<unavailable>");
    assert.notEqual(get("rsp"), (await vars(dc, 0, "x64 registers")).find((x) => x.name === "rsp")?.value);
    await assert.rejects(
      dc.evaluateRequest({ expression: "rax", context: "watch", frameId: st.body.stackFrames[1].id }),
    );
  });

  it("regions: paging over the cached listing matches the whole listing", async () => {
    await launch(dc, { program: fixture("hello32.exe"), stopOnEntry: true });
    const all = (await dc.customRequest("wowdbg/regions", {})).body;
    const page = (await dc.customRequest("wowdbg/regions", { start: 3, count: 4 })).body;
    assert.equal(page.total, all.total);
    assert.deepEqual(page.regions, all.regions.slice(3, 7));
  });

  it("dataBreakpointInfo on a register: dataId null with a description; memory-held registers watchable", async () => {
    await launch(dc, { program: fixture("hello32.exe"), stopOnEntry: true });
    const sc = await dc.scopesRequest({ frameId: 0 });
    const live = sc.body.scopes.find((s) => s.name === "x86 registers");
    assert.ok(live !== undefined);
    const r = await dc.dataBreakpointInfoRequest({
      variablesReference: live.variablesReference,
      name: "esp",
    });
    assert.equal(r.body.dataId, null);
    assert.match(r.body.description, /^registers cannot be watched; use the address it holds/);
    // The saved x86 context lives in memory: watchable where it is (when we are in 64-bit code).
    const saved = sc.body.scopes.find((s) => s.name === "x64 registers");
    assert.ok(saved !== undefined);
  });

  it("mode-switch filter stops at CS changes without single-stepping", async () => {
    await launch(dc, { program: fixture("hello32.exe"), stopOnEntry: true });
    await dc.setExceptionBreakpointsRequest({ filters: ["mode-switch"] });
    let stopped = dc.waitForEvent("stopped", 20000) as Promise<DebugProtocol.StoppedEvent>;
    const t0 = performance.now();
    await dc.continueRequest({ threadId: 1 });
    let s = await stopped;
    assert.match(s.body.text ?? "", /CS 0x23 -> 0x33/);
    stopped = dc.waitForEvent("stopped", 20000) as Promise<DebugProtocol.StoppedEvent>;
    await dc.continueRequest({ threadId: 1 });
    s = await stopped;
    assert.match(s.body.text ?? "", /CS 0x33 -> 0x23/);
    assert.ok(performance.now() - t0 < 5000);
    // In 64-bit code the saved x86 registers live in WOW64_CONTEXT: a data breakpoint can watch them there.
    stopped = dc.waitForEvent("stopped", 20000) as Promise<DebugProtocol.StoppedEvent>;
    await dc.continueRequest({ threadId: 1 });
    s = await stopped;
    assert.match(s.body.text ?? "", /CS 0x23 -> 0x33/);
    const sc = await dc.scopesRequest({ frameId: 0 });
    const saved = sc.body.scopes.find((x) => x.name === "x86 registers");
    assert.ok(saved !== undefined);
    const info = await dc.dataBreakpointInfoRequest({
      variablesReference: saved.variablesReference,
      name: "esp",
    });
    assert.match(info.body.dataId ?? "", /^0x[0-9A-F]+:4$/);
  });

  it("syscall-entry filter stops at the thunks of every loaded ntdll", async () => {
    await launch(dc, { program: fixture("hello32.exe") }, ["syscall-entry"]);
    const names = new Set<string>();
    let ended = false;
    dc.on("terminated", () => (ended = true));
    for (let k = 0; k < 12 && !ended; k++) {
      const info = await dc.exceptionInfoRequest({ threadId: 1 });
      names.add(info.body.description ?? "");
      const next = new Promise<void>((resolve) => {
        dc.once("stopped", () => resolve());
        dc.once("terminated", () => resolve());
      });
      await dc.continueRequest({ threadId: 1 });
      await next;
    }
    assert.ok([...names].some((n) => /ntdll!Nt\w+ \(x86\)/.test(n)));
    assert.ok([...names].some((n) => /ntdll!Nt\w+ \(x64\)/.test(n)));
  });
});
