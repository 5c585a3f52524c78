/**
 * First-chance stops for software exceptions over DAP (DebugClient on dist/adapter.js): C++ throws and
 * RaiseException, as WinDbg's `sxe` shows them. From Microsoft's debugger documentation ("Controlling
 * Exceptions and Events": the debugger sees the exception before any handler runs, `gn` passes it on;
 * "Specific Exceptions": WinDbg names MSVC's 0xE06D7363 "C++ EH exception"). g++'s throw is libgcc's
 * unwind-seh.c `_Unwind_RaiseException`: RaiseException(STATUS_GCC_THROW = 0x20474343, …) on x64; the
 * i686 build uses libgcc's DWARF-2 unwinder, which raises no Windows exception at all (cxx32.exe imports
 * no RaiseException: `objdump -p`), so a debugger gets no event for its throws. The programs' output and
 * exit codes are test/fixtures/EXPECTED.md's (cxx section: exit code 3; seh64.exe: exit code 0).
 */
import { strict as assert } from "node:assert";
import { execFileSync } from "node:child_process";
import * as path from "node:path";
import { fixture, Harness, ROOT, type Stopped } from "./adapter-harness";

before(function () {
  this.timeout(120000);
  execFileSync(process.execPath, [path.join(ROOT, "scripts", "build.mjs")], { cwd: ROOT, stdio: "pipe" });
});

/** EXPECTED.md, cxx section (msvcrt's text-mode stdout: CR LF). */
const CXX_OUT = [
  "caught int 42",
  "caught runtime_error: plain",
  "enter outer",
  "enter inner",
  "leave inner",
  "leave outer",
  "caught after unwind: deep failure",
  "rethrowing 7",
  "caught rethrown 7",
  "caught (...)",
  "enter outer",
  "enter inner",
  "inner returned",
  "leave inner",
  "outer returned",
  "leave outer",
  "done",
  "",
].join("\r\n");

const STATUS_GCC_THROW = 0x20474343;

describe("adapter: first-chance stops for software exceptions (C++ throw, RaiseException)", function () {
  this.timeout(60000);
  let h: Harness;
  beforeEach(async () => {
    h = new Harness();
    await h.start();
  });
  afterEach(async () => h.stop());

  /** The next stop, or undefined when the process ends first. */
  async function stopOrEnd(): Promise<Stopped | undefined> {
    let done = false;
    const ended = (async () => {
      while (!h.terminated && !done) await new Promise((r) => setTimeout(r, 5));
      return undefined;
    })();
    const r = await Promise.race([h.nextStop(30000), ended]);
    done = true;
    return r;
  }

  it("cxx64: a first-chance C++ EH exception at each throw; continue reaches the catch; exit code 3", async () => {
    await h.launch({ program: fixture("cxx64.exe") }, async (dc) => {
      // As VS Code sends them with "Other exceptions" and "First chance" checked.
      await dc.setExceptionBreakpointsRequest({ filters: ["other", "first-chance"] });
    });
    const s = await h.nextStop();
    assert.equal(s.body.reason, "exception");
    assert.equal(s.body.description, "Exception (first chance)");
    const info = await h.dc.exceptionInfoRequest({ threadId: 1 });
    assert.equal(info.body.exceptionId, "0x20474343");
    assert.equal(info.body.breakMode, "always");
    assert.equal(info.body.details?.message, "C++ EH exception - code 0x20474343 (first chance)");
    assert.match(info.body.description ?? "", /\(exception 0x20474343\) at .*\(first chance\)$/);
    // Before dispatch: no catch has run yet; the thread stands where the exception was raised (the
    // context RaiseException captured: its caller, libgcc's _Unwind_RaiseException in cxx64.exe).
    assert.equal(h.output.includes("caught"), false);
    assert.match((await h.top()).name, /^cxx64!.* \[x64\]$/);
    await h.dc.continueRequest({ threadId: 1 });
    // The next throw ("plain") stops again, after the first catch's output.
    const codes: number[] = [STATUS_GCC_THROW];
    let next = await stopOrEnd();
    assert.ok(next !== undefined, "a second throw");
    assert.ok(h.output.startsWith("caught int 42\r\n"), JSON.stringify(h.output));
    assert.equal(h.output.includes("plain"), false);
    while (next !== undefined) {
      assert.equal(next.body.reason, "exception");
      assert.match(next.body.text ?? "", /\(first chance\)$/);
      const i = await h.dc.exceptionInfoRequest({ threadId: 1 });
      codes.push(parseInt(i.body.exceptionId, 16));
      await h.dc.continueRequest({ threadId: 1 });
      next = await stopOrEnd();
    }
    await h.waitTerminated();
    assert.equal(h.exitCode, 3);
    assert.ok(h.output.startsWith(CXX_OUT), JSON.stringify(h.output));
    // One STATUS_GCC_THROW per throw executed: int 42, "plain", "deep failure", 7, the `throw;` rethrow
    // (__cxa_rethrow → _Unwind_Resume_or_Rethrow → _Unwind_RaiseException), Custom{5}. A cleanup's
    // collided unwind may raise STATUS_GCC_UNWIND (0x21474343) besides; nothing else.
    assert.equal(
      codes.filter((c) => c === STATUS_GCC_THROW).length,
      6,
      codes.map((c) => c.toString(16)).join(),
    );
    for (const c of codes) assert.ok(c === STATUS_GCC_THROW || c === 0x21474343, c.toString(16));
  });

  it("cxx64 with the default filters: handled C++ exceptions never stop", async () => {
    await h.launch({ program: fixture("cxx64.exe") });
    assert.equal(await stopOrEnd(), undefined);
    await h.waitTerminated();
    assert.equal(h.exitCode, 3);
    assert.ok(h.output.startsWith(CXX_OUT), JSON.stringify(h.output));
  });

  it("cxx32 (DWARF-2 unwinder, no Windows exception): no stop even with first chance on", async () => {
    await h.launch({ program: fixture("cxx32.exe") }, async (dc) => {
      await dc.setExceptionBreakpointsRequest({ filters: ["other", "first-chance"] });
    });
    assert.equal(await stopOrEnd(), undefined);
    await h.waitTerminated();
    assert.equal(h.exitCode, 3);
    assert.ok(h.output.startsWith(CXX_OUT), JSON.stringify(h.output));
  });

  it("seh64: RaiseException's custom code stops at first chance (Unknown exception), then its filter runs", async () => {
    await h.launch({ program: fixture("seh64.exe") }, async (dc) => {
      await dc.setExceptionBreakpointsRequest({ filters: ["other", "first-chance"] });
    });
    const s = await h.nextStop();
    assert.equal(s.body.reason, "exception");
    const info = await h.dc.exceptionInfoRequest({ threadId: 1 });
    // EXPECTED.md, seh64 D: RaiseException(0xE0000001) with 2 parameters; A–C (access violation, divide
    // error) are other kinds and do not stop.
    assert.equal(info.body.exceptionId, "0xE0000001");
    assert.equal(info.body.details?.message, "Unknown exception - code 0xE0000001 (first chance)");
    assert.match(h.output, /C: outer __except \(constant filter\): code=C0000094\r?\n$/);
    assert.equal(h.output.includes("D:"), false);
    await h.dc.continueRequest({ threadId: 1 });
    const codes: number[] = [];
    for (let n = await stopOrEnd(); n !== undefined; n = await stopOrEnd()) {
      const i = await h.dc.exceptionInfoRequest({ threadId: 1 });
      codes.push(parseInt(i.body.exceptionId, 16));
      await h.dc.continueRequest({ threadId: 1 });
    }
    // E: RaiseException(0xE0000002, EXCEPTION_NONCONTINUABLE); its handler continues it, so the dispatcher
    // raises STATUS_NONCONTINUABLE_EXCEPTION (0xC0000025): both first chances ("RaiseException", MSDN).
    assert.deepEqual(codes, [0xe0000002, 0xc0000025]);
    await h.waitTerminated();
    assert.equal(h.exitCode, 0);
    assert.match(
      h.output,
      /D: filter: E0000001 with 2 parameters 11, 22\r?\nD: __except: code=E0000001\r?\n/,
    );
    assert.match(h.output, /E: outer __except: code=C0000025\r?\nThe program seh64.exe exited with code 0/);
  });
});
