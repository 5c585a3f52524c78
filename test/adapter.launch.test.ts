/**
 * Launch attributes that shape the guest's world: `sandbox` (the host folder that is drive C:, with the
 * program's folder as C:\app) and `registry` (a hive file loaded at launch and saved after every change),
 * through the adapter over stdio (dist/adapter.js, built in `before`) as VS Code drives it.
 */
import { strict as assert } from "node:assert";
import { execFileSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import type { DebugProtocol } from "@vscode/debugprotocol";
import { fixture, Harness, ROOT } from "./adapter-harness";

before(function () {
  this.timeout(120000);
  execFileSync(process.execPath, [path.join(ROOT, "scripts", "build.mjs")], { cwd: ROOT, stdio: "pipe" });
});

describe("adapter: sandbox and registry launch attributes", () => {
  let h: Harness;
  beforeEach(async () => {
    h = new Harness();
    await h.start();
  });
  afterEach(async () => h.stop());

  it("sandbox: C:\\ is the host folder; `..` and absolute host paths stay inside it", async () => {
    const work = fs.mkdtempSync(path.join(os.tmpdir(), "wowdbg-adapter-sandbox-"));
    const app = path.join(work, "prog");
    const sandbox = path.join(work, "c");
    fs.mkdirSync(app);
    fs.mkdirSync(path.join(sandbox, "etc"), { recursive: true });
    fs.writeFileSync(path.join(sandbox, "etc", "passwd"), "inside\n");
    fs.copyFileSync(fixture("files32.exe"), path.join(app, "files32.exe"));
    await h.launch({ program: path.join(app, "files32.exe"), sandbox });
    await h.waitTerminated();
    assert.equal(h.exitCode, 0, h.output);
    // EXPECTED.md (files32/64): `..` stops at the root of C:, and `/etc/passwd` is rooted on the current
    // drive — both are the sandbox's C:\etc\passwd here; D: still does not exist.
    assert.match(h.output, /^open \.\.\\\.\.\\\.\.\\etc\\passwd -> opened\r?$/m);
    assert.match(h.output, /^open \/etc\/passwd -> opened\r?$/m);
    assert.match(h.output, /^open D:\\x\.txt -> 3\r?$/m);
    assert.match(h.output, /^cwd C:\\app\r?$/m);
    assert.deepEqual(fs.readdirSync(sandbox), ["etc"]);
  });

  it("a sandbox that is not a folder is a launch error", async () => {
    await h.dc.initializeRequest({ adapterID: "wowdbg", pathFormat: "path" });
    await assert.rejects(
      h.dc.launchRequest({
        program: fixture("hello32.exe"),
        sandbox: path.join(ROOT, "no-such-folder"),
      } as DebugProtocol.LaunchRequestArguments),
      /'sandbox' must be a folder/,
    );
  });

  it("a registry file that cannot be read is a launch error and is left as it was", async () => {
    const work = fs.mkdtempSync(path.join(os.tmpdir(), "wowdbg-adapter-badreg-"));
    const hive = path.join(work, "notes.reg");
    fs.writeFileSync(hive, "my notes\n");
    await h.dc.initializeRequest({ adapterID: "wowdbg", pathFormat: "path" });
    await assert.rejects(
      h.dc.launchRequest({
        program: fixture("registry64.exe"),
        registry: hive,
      } as DebugProtocol.LaunchRequestArguments),
      /'registry' .*notes\.reg: registry file notes\.reg: not a \.reg file/,
    );
    assert.equal(fs.readFileSync(hive, "utf8"), "my notes\n");
  });

  it("registry: a partial .reg is imported over the defaults, and the program's changes are saved", async () => {
    const work = fs.mkdtempSync(path.join(os.tmpdir(), "wowdbg-adapter-registry-"));
    const hive = path.join(work, "hive.reg");
    fs.writeFileSync(
      hive,
      "Windows Registry Editor Version 5.00\r\n\r\n[HKEY_LOCAL_MACHINE\\SOFTWARE\\WowdbgTest]\r\n\r\n",
    );
    await h.launch({ program: fixture("registry64.exe"), registry: hive });
    await h.waitTerminated();
    assert.equal(h.exitCode, 0, h.output);
    // RegCreateKeyEx: REG_OPENED_EXISTING_KEY (2) for a key that exists (learn.microsoft.com).
    assert.match(h.output, /^RegCreateKeyExA HKLM\\Software\\WowdbgTest: disposition 2\r?$/m);
    const text = fs.readFileSync(hive).subarray(2).toString("utf16le");
    assert.match(text, /^; wowdbg: the complete registry/m);
    assert.doesNotMatch(text, /WowdbgTest/i, "the program deleted its key: the saved hive has it no more");
    assert.match(text, /\[HKEY_LOCAL_MACHINE\\SOFTWARE\\Microsoft\\Windows NT\\CurrentVersion\]/i);
  });
});
