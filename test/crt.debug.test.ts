/**
 * msvcrt's file functions under the debugger (dist/adapter.js): fopen, fread, fseek… are `calls` APIs whose
 * kernel32 calls are ordinary guest calls (src/windows/dlls/decl.ts), so a function breakpoint on
 * ntdll!NtCreateFile stops inside one, the stack shows msvcrt → kernel32/kernelbase → ntdll as on Windows, and
 * continuing finishes the program with its normal output (crt.expected.ts, EXPECTED.md).
 */
import { strict as assert } from "node:assert";
import { copyFileSync, mkdtempSync, readdirSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import * as path from "node:path";
import { Harness, fixture } from "./adapter-harness";

for (const bits of [64, 32] as const) {
  describe(`crt under the debugger: crt${bits}.exe`, function () {
    this.timeout(120000);
    let h: Harness;
    let dir: string;
    beforeEach(async () => {
      dir = mkdtempSync(path.join(tmpdir(), "wowdbg-crt-dbg-"));
      copyFileSync(fixture(`crt${bits}.exe`), path.join(dir, `crt${bits}.exe`));
      h = new Harness();
      await h.start();
    });
    afterEach(async () => {
      await h.stop();
      rmSync(dir, { recursive: true, force: true });
    });

    it("a function breakpoint on ntdll!NtCreateFile stops inside _mkdir's CreateDirectoryW; continuing finishes", async () => {
      let id = 0;
      await h.launch({ program: path.join(dir, `crt${bits}.exe`) }, async (dc) => {
        const r = await dc.setFunctionBreakpointsRequest({ breakpoints: [{ name: "ntdll!NtCreateFile" }] });
        assert.equal(r.body.breakpoints[0].verified, true);
        id = r.body.breakpoints[0].id ?? 0;
      });
      const mode = bits === 32 ? "x86" : "x64";
      // the first NtCreateFile is crt.c's first file operation, _mkdir("crt.tmp")
      let s = await h.nextStop();
      assert.equal(s.body.reason, "function breakpoint");
      assert.deepEqual(s.body.hitBreakpointIds, [id]);
      let st = await h.dc.stackTraceRequest({ threadId: s.body.threadId ?? 1, startFrame: 0, levels: 20 });
      let names = st.body.stackFrames.map((f) => f.name);
      assert.match(names[0], new RegExp(`^ntdll!NtCreateFile \\[${mode}\\]$`));
      assert.ok(
        names.some((n) => /^kernel(base|32)!CreateDirectoryW/i.test(n)) &&
          names.some((n) => /^msvcrt!_mkdir/i.test(n)) &&
          names.some((n) => new RegExp(`^crt${bits}!`).test(n)),
        names.join("\n"),
      );
      // the next ones: the second _mkdir, then fopen("text.txt", "w") through CreateFileW (a WOW64 process
      // also stops in the x64 ntdll!NtCreateFile that wow64 calls for the x86 one)
      for (let k = 0; ; k++) {
        assert.ok(k < 6, names.join("\n"));
        await h.dc.continueRequest({ threadId: 1 });
        s = await h.nextStop();
        assert.deepEqual(s.body.hitBreakpointIds, [id]);
        st = await h.dc.stackTraceRequest({ threadId: s.body.threadId ?? 1, startFrame: 0, levels: 20 });
        names = st.body.stackFrames.map((f) => f.name);
        assert.match(names[0], /^ntdll!NtCreateFile /);
        if (names.some((n) => /^msvcrt!fopen/i.test(n))) break;
      }
      assert.ok(
        names.some((n) => /^kernel(base|32)!CreateFileW/i.test(n)),
        names.join("\n"),
      );
      // a step inside, then go on without the breakpoint: the program ends as without the debugger
      await h.dc.nextRequest({ threadId: 1 });
      await h.nextStop();
      await h.dc.setFunctionBreakpointsRequest({ breakpoints: [] });
      await h.dc.continueRequest({ threadId: 1 });
      await h.waitTerminated(60000);
      assert.equal(h.exitCode, 3);
      assert.match(h.output, /mkdir 0\r?\nmkdir again -1 errno 17/);
      assert.match(h.output, /fprintf 10 ftell 12/);
      assert.match(h.output, /remove 0 0 0 0/);
      assert.deepEqual(readdirSync(dir), [`crt${bits}.exe`]);
    });
  });
}
