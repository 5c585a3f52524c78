/**
 * `wowdbg run` end to end: the bundled CLI (dist/cli.js, built here) run as a child process on the
 * fixtures — output passed through, the guest's exit code, --trace-syscalls, --json, --shellcode,
 * --max-instructions — and on the malformed corpus: a one-line message, a non-zero exit code, no stack trace.
 */
import { strict as assert } from "node:assert";
import { spawnSync, execFileSync } from "node:child_process";
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import * as path from "node:path";

const BIN = "test/fixtures/bin";

function cli(args: string[], input?: string): { code: number; out: string; err: string } {
  const r = spawnSync(process.execPath, ["dist/cli.js", ...args], {
    encoding: "latin1",
    input,
    timeout: 60_000,
  });
  return { code: r.status ?? -1, out: r.stdout, err: r.stderr };
}

describe("cli: wowdbg run", function () {
  this.timeout(300_000);
  before(() => {
    execFileSync(process.execPath, ["scripts/build.mjs"], { stdio: "ignore" });
  });

  it("hello32.exe and hello64.exe: output and exit code 0", () => {
    for (const f of ["hello32.exe", "hello64.exe"]) {
      const r = cli(["run", `${BIN}/${f}`]);
      assert.equal(r.out, "Hello, world!\n", f);
      assert.equal(r.err, "");
      assert.equal(r.code, 0);
    }
  });

  it("gate32.exe exits with 255", () => {
    const r = cli(["run", `${BIN}/gate32.exe`]);
    assert.equal(r.code, 255);
    assert.match(r.out, /^cs=0023 probe=00000001\n/);
  });

  it("--trace-syscalls shows the WOW64 path of the 32-bit hello: NtWriteFile from x86", () => {
    const r = cli(["run", "--trace-syscalls", `${BIN}/hello32.exe`]);
    assert.equal(r.code, 0);
    assert.equal(r.out, "Hello, world!\n");
    const lines = r.err.trim().split("\n");
    const write = lines.find((l) => l.startsWith("syscall NtWriteFile"));
    assert.ok(write, r.err);
    assert.match(
      write,
      /^syscall NtWriteFile \(0x0008\) x86: (\d|0x[0-9A-F]+), 0, 0, 0, 0x[0-9A-F]+, 0x[0-9A-F]+, 0xE, 0, 0 -> 0x00000000 STATUS_SUCCESS$/,
    );
    assert.ok(lines.some((l) => l.startsWith("syscall NtTerminateProcess") && l.includes(" x86: ")));
    const r64 = cli(["run", "--trace-syscalls", `${BIN}/hello64.exe`]);
    assert.match(r64.err, /^syscall NtWriteFile \(0x0008\) x64: /m);
  });

  it("--json: the final summary with both register contexts", () => {
    const r = cli(["run", "--json", `${BIN}/hello32.exe`]);
    const lines = r.out.split("\n");
    assert.equal(lines[0], "Hello, world!");
    const s = JSON.parse(lines[1]) as Record<string, unknown>;
    assert.equal(s.exitCode, 0);
    assert.equal(s.stopReason, "exit");
    assert.ok(typeof s.instructions === "number" && s.instructions > 100);
    const x86 = s.x86 as Record<string, string>;
    const x64 = s.x64 as Record<string, string>;
    for (const k of [
      "eax",
      "ebx",
      "ecx",
      "edx",
      "esi",
      "edi",
      "ebp",
      "esp",
      "eip",
      "eflags",
      "cs",
      "ss",
      "ds",
      "es",
      "fs",
      "gs",
    ])
      assert.match(x86[k], /^0x[0-9a-f]+$/, k);
    assert.equal(x86.cs, "0x0023");
    assert.equal(x86.fs, "0x0053");
    for (const k of ["rax", "r8", "r15", "rip", "rflags", "cs", "gs"])
      assert.match(x64[k], /^0x[0-9a-f]+$/, k);
    const n = JSON.parse(cli(["run", "--json", `${BIN}/hello64.exe`]).out.split("\n")[1]) as Record<
      string,
      unknown
    >;
    assert.equal(n.x86, null);
  });

  it("--shellcode FILE --arch x86|x64: runs inside a full process, exit code = the return value", () => {
    for (const [n, arch] of [
      [32, "x86"],
      [64, "x64"],
    ] as const) {
      const r = cli(["run", "--shellcode", `${BIN}/shellcode${n}.bin`, "--arch", arch]);
      assert.equal(r.out, `Hello from ${n}-bit shellcode!\n`);
      assert.equal(r.code, 0, r.err);
    }
    const bad = cli(["run", "--shellcode", `${BIN}/shellcode32.bin`, "--arch", "x86", "--entry", "99999"]);
    assert.equal(bad.code, 1);
    assert.match(bad.err, /^wowdbg: entry offset 99999 is outside/);
  });

  it("--max-instructions stops with exit code 124", () => {
    const r = cli(["run", "--max-instructions", "20", `${BIN}/hello64.exe`]);
    assert.equal(r.code, 124);
    assert.match(r.err, /^wowdbg: instruction limit reached \(2\d instructions\) at 0x/);
  });

  it("DLLs beside the program: dllclient exits with 1175 (the host keeps the low byte, 151)", () => {
    const dir = mkdtempSync(path.join(tmpdir(), "wowdbg-"));
    for (const bits of [32, 64]) {
      copyFileSync(`${BIN}/dllclient${bits}.exe`, path.join(dir, `dllclient${bits}.exe`));
    }
    const d32 = mkdtempSync(path.join(tmpdir(), "wowdbg-"));
    copyFileSync(`${BIN}/dllclient32.exe`, path.join(d32, "dllclient32.exe"));
    copyFileSync(`${BIN}/forward32.dll`, path.join(d32, "forward.dll"));
    copyFileSync(`${BIN}/exports32.dll`, path.join(d32, "Exports.DLL"));
    const r = cli(["run", "--json", path.join(d32, "dllclient32.exe")]);
    assert.equal(r.code, 1175 & 0xff, r.err);
    assert.equal((JSON.parse(r.out.trim()) as { exitCode: number }).exitCode, 1175);
    const missing = cli(["run", path.join(dir, "dllclient64.exe")]);
    assert.equal(missing.code, 1);
    assert.equal(
      missing.err,
      "wowdbg: The code execution cannot proceed because forward.dll was not found (imported by dllclient64.exe)\n",
    );
  });

  it("the malformed corpus: one clear line, exit code 1, never a stack trace", () => {
    const files = readdirSync("test/fixtures/malformed").filter(
      (f) => f !== "README.md" && f !== "cases.json",
    );
    const cases = JSON.parse(readFileSync("test/fixtures/malformed/cases.json", "utf8")) as {
      file: string;
      field: string;
    }[];
    assert.ok(files.length >= 20);
    for (const f of files) {
      const r = cli(["run", `test/fixtures/malformed/${f}`]);
      assert.equal(r.code, 1, `${f}: ${r.err}`);
      assert.equal(r.out, "");
      assert.match(r.err, /^wowdbg: [^\n]+\n$/, f);
      assert.ok(!/\bat .*:\d+:\d+/.test(r.err), `stack trace for ${f}`);
      const field = cases.find((c) => c.file === f)?.field;
      if (field !== undefined) assert.ok(r.err.includes(field), `${f}: ${r.err}`);
    }
  });

  it("--sandbox DIR: drive C: is that folder, the program's folder C:\\app; nothing outside is reachable", () => {
    const work = mkdtempSync(path.join(tmpdir(), "wowdbg-cli-sandbox-"));
    const app = path.join(work, "prog");
    const sandbox = path.join(work, "c");
    mkdirSync(app);
    mkdirSync(path.join(sandbox, "etc"), { recursive: true });
    writeFileSync(path.join(sandbox, "etc", "passwd"), "inside the sandbox\n");
    copyFileSync(`${BIN}/files64.exe`, path.join(app, "files64.exe"));
    const r = cli(["run", "--sandbox", sandbox, path.join(app, "files64.exe")]);
    assert.equal(r.code, 0, r.err);
    // `..` stops at the root of C: (EXPECTED.md, files32/64): C:\etc\passwd is now the sandbox's file, so the
    // open succeeds, and `/etc/passwd` (rooted on the current drive) is the same file; the host's is never seen.
    assert.match(r.out, /^open \.\.\\\.\.\\\.\.\\etc\\passwd -> opened\r?$/m);
    assert.match(r.out, /^open \/etc\/passwd -> opened\r?$/m);
    assert.match(r.out, /^open D:\\x\.txt -> 3\r?$/m);
    // The program's own files were created (and deleted) in its folder, not in the sandbox root.
    assert.deepEqual(readdirSync(sandbox).sort(), ["etc"]);
    assert.equal(cli(["run", "--sandbox", path.join(work, "missing"), `${BIN}/hello64.exe`]).code, 2);
  });

  it("--registry FILE: the hive is loaded from the file and every change saved back", () => {
    const work = mkdtempSync(path.join(tmpdir(), "wowdbg-cli-registry-"));
    const hive = path.join(work, "hive.reg");
    // regedit's export format (UTF-8 is accepted as well as UTF-16LE): the 32-bit program's key exists already.
    writeFileSync(
      hive,
      "Windows Registry Editor Version 5.00\r\n\r\n" +
        "[HKEY_LOCAL_MACHINE\\SOFTWARE\\WOW6432Node\\WowdbgTest]\r\n\r\n" +
        "[HKEY_LOCAL_MACHINE\\SOFTWARE\\KeepMe]\r\n" +
        '"Answer"=dword:0000002a\r\n',
    );
    const r = cli(["run", "--registry", hive, `${BIN}/registry32.exe`]);
    assert.equal(r.code, 0, r.err);
    // RegCreateKeyEx: REG_OPENED_EXISTING_KEY (2) when the key exists (learn.microsoft.com, lpdwDisposition).
    assert.match(r.out, /^RegCreateKeyExA HKLM\\Software\\WowdbgTest: disposition 2\r?$/m);
    // The program deleted its keys: the saved hive (UTF-16LE with a BOM, as regedit writes) no longer has
    // them and still has the key it did not touch.
    const saved = readFileSync(hive);
    assert.deepEqual([saved[0], saved[1]], [0xff, 0xfe]);
    const text = saved.subarray(2).toString("utf16le");
    assert.doesNotMatch(text, /WowdbgTest/i);
    assert.match(text, /\[HKEY_LOCAL_MACHINE\\SOFTWARE\\KeepMe\]\r\n"Answer"=dword:0000002a/i);
    assert.equal(cli(["run", "--registry", work, `${BIN}/hello64.exe`]).code, 2);
  });

  it("--registry FILE that is not a registry file: a clear error, exit 2, and the file is left as it was", () => {
    const work = mkdtempSync(path.join(tmpdir(), "wowdbg-cli-badreg-"));
    for (const [name, text] of [
      ["notes.reg", "my notes, not a .reg file\n"],
      ["broken.json", "{ not json"],
      [
        "half.reg",
        "Windows Registry Editor Version 5.00\r\n\r\n[HKEY_LOCAL_MACHINE\\SOFTWARE\\A]\r\ngarbage line\r\n",
      ],
    ]) {
      const file = path.join(work, name);
      writeFileSync(file, text);
      const r = cli(["run", "--registry", file, `${BIN}/registry64.exe`]);
      assert.equal(r.code, 2, name);
      assert.match(
        r.err,
        new RegExp(
          `^wowdbg: --registry .*${name.replace(".", "\\.")}: registry file ${name.replace(".", "\\.")}: `,
        ),
        name,
      );
      assert.equal(r.out, "", `${name}: the program did not run`);
      assert.equal(readFileSync(file, "utf8"), text, `${name} unchanged`);
    }
  });

  it("bad usage and unreadable files", () => {
    assert.equal(cli(["run"]).code, 2);
    assert.equal(cli(["run", "--arch", "x86", `${BIN}/hello32.exe`]).code, 2);
    assert.equal(cli(["run", "--bogus", `${BIN}/hello32.exe`]).code, 2);
    const r = cli(["run", "no/such/file.exe"]);
    assert.equal(r.code, 1);
    assert.match(r.err, /^wowdbg: cannot read no\/such\/file\.exe: /);
    const dir = cli(["run", "test/fixtures"]);
    assert.equal(dir.code, 1);
  });
});
