/**
 * test/fixtures/bin/printf{32,64}.exe — mingw-w64's default start-up code (crt2.o/crtexe.c) and msvcrt.dll's
 * printf family — and crt{32,64}.exe (files, scanf, math, stdlib, time, atexit and exit(3)) run through
 * Process on our synthetic msvcrt.dll; expected output in EXPECTED.md. The output reaches the console
 * through NtWriteFile (visible syscalls), in text mode (LF → CR LF).
 */
import { strict as assert } from "node:assert";
import { spawnSync } from "node:child_process";
import { copyFileSync, mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import * as path from "node:path";
import { MemoryFsHost, MountFsHost } from "../src/windows/fs";
import { NodeFsHost } from "../src/windows/fs/node-host";
import { Kernel } from "../src/windows/kernel";
import type { SyscallRecord } from "../src/windows/kernel/types";
import { BufferConsole, Process } from "../src/windows/process";
import { crtExpected, printfExpected } from "./crt.expected";

const BIN = "test/fixtures/bin";

for (const bits of [32, 64] as const) {
  describe(`crt: printf${bits}.exe through Process`, () => {
    it("prints every format as msvcrt.dll does, stderr separately, exit code 0", () => {
      const con = new BufferConsole();
      const syscalls: SyscallRecord[] = [];
      const t0 = performance.now();
      const p = Process.create({
        file: readFileSync(`${BIN}/printf${bits}.exe`),
        name: `printf${bits}.exe`,
        console: con,
        kernel: (pp) => {
          const k = new Kernel(pp);
          k.onSyscall = (r) => syscalls.push(r);
          return k;
        },
      });
      const stop = p.run(100_000_000);
      const ms = performance.now() - t0;
      console.log(
        `      printf${bits}.exe: ${ms.toFixed(1)} ms (bring-up and run), ${p.cpu.icount} instructions`,
      );
      assert.deepEqual(stop.kind, "exit", JSON.stringify(stop));
      assert.equal(stop.kind === "exit" ? stop.status : -1, 0);
      assert.equal(con.stdout, printfExpected(bits === 64 ? "0000000000001234" : "00001234"));
      assert.equal(con.stderr, "fprintf stderr 2\r\n");
      const writes = syscalls.filter((s) => s.name === "NtWriteFile");
      assert.ok(writes.length >= 23, `NtWriteFile calls: ${writes.length}`);
    });

    it("runs from the CLI with the same output and its exit code", () => {
      const t0 = performance.now();
      const r = spawnSync(
        process.execPath,
        ["--import", "tsx", "src/cli/main.ts", "run", `${BIN}/printf${bits}.exe`],
        {
          encoding: "latin1",
        },
      );
      const ms = performance.now() - t0;
      console.log(`      CLI printf${bits}.exe: ${ms.toFixed(0)} ms total (node start-up included)`);
      assert.equal(r.status, 0, r.stderr);
      assert.equal(r.stdout, printfExpected(bits === 64 ? "0000000000001234" : "00001234"));
      assert.equal(r.stderr.replace(/^npm warn.*\n/gm, ""), "fprintf stderr 2\r\n");
    });
  });
}

for (const bits of [32, 64] as const) {
  describe(`crt: crt${bits}.exe (files, scanf, math, stdlib, time, atexit) through Process`, () => {
    it("prints EXPECTED.md's output, reads its stdin, leaves its folder empty and exits with 3", () => {
      const dir = mkdtempSync(path.join(tmpdir(), "wowdbg-crt-"));
      try {
        const con = new BufferConsole(Buffer.from("hello 42\n", "latin1"));
        const syscalls: SyscallRecord[] = [];
        const t0 = performance.now();
        const p = Process.create({
          file: readFileSync(`${BIN}/crt${bits}.exe`),
          name: `crt${bits}.exe`,
          console: con,
          fileSystem: { host: new MountFsHost(new MemoryFsHost(), { app: new NodeFsHost(dir) }) },
          kernel: (pp) => {
            const k = new Kernel(pp);
            k.onSyscall = (r) => syscalls.push(r);
            return k;
          },
        });
        const stop = p.run(500_000_000);
        const ms = performance.now() - t0;
        console.log(
          `      crt${bits}.exe: ${ms.toFixed(1)} ms (bring-up and run), ${p.cpu.icount} instructions`,
        );
        assert.equal(stop.kind, "exit", JSON.stringify(stop));
        assert.equal(stop.kind === "exit" ? stop.status : -1, 3);
        assert.equal(con.stdout, crtExpected());
        assert.equal(con.stderr, "");
        // the program removed everything it made in its folder (C:\app is the host folder)
        assert.deepEqual(readdirSync(dir), []);
        // writes to files and the console are NtWriteFile calls
        assert.ok(syscalls.filter((s) => s.name === "NtWriteFile").length > 100);
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    });

    it("runs from the CLI with its stdin piped in", () => {
      const dir = mkdtempSync(path.join(tmpdir(), "wowdbg-crt-cli-"));
      try {
        copyFileSync(`${BIN}/crt${bits}.exe`, path.join(dir, `crt${bits}.exe`));
        const r = spawnSync(
          process.execPath,
          ["--import", "tsx", "src/cli/main.ts", "run", path.join(dir, `crt${bits}.exe`)],
          { encoding: "latin1", input: "hello 42\n" },
        );
        assert.equal(r.status, 3, r.stderr);
        assert.equal(r.stdout, crtExpected());
        assert.deepEqual(readdirSync(dir), [`crt${bits}.exe`]);
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    });

    it("--trace-syscalls shows the file work as Windows' msvcrt issues it (kernel32 → ntdll)", () => {
      const dir = mkdtempSync(path.join(tmpdir(), "wowdbg-crt-trace-"));
      try {
        copyFileSync(`${BIN}/crt${bits}.exe`, path.join(dir, `crt${bits}.exe`));
        const r = spawnSync(
          process.execPath,
          ["--import", "tsx", "src/cli/main.ts", "run", "--trace-syscalls", path.join(dir, `crt${bits}.exe`)],
          { encoding: "latin1", input: "hello 42\n" },
        );
        assert.equal(r.status, 3, r.stderr);
        assert.equal(r.stdout, crtExpected());
        const lines = r.stderr.split("\n").filter((l) => l.startsWith("syscall "));
        const calls = (name: string): string[] => lines.filter((l) => l.startsWith(`syscall ${name} `));
        // every call is made by the program's own mode: through WOW64 for crt32 (x86 ntdll → wow64)
        const mode = bits === 32 ? "x86" : "x64";
        assert.ok(
          lines.length > 0 && lines.every((l) => l.includes(` ${mode}: `)),
          lines.slice(0, 3).join("\n"),
        );
        // crt.c opens 16 times: _mkdir twice (CreateDirectory → NtCreateFile), fopen 12 times (the mode "q"
        // fails before any call: EINVAL), _open twice; msvcrt's _sopen calls CreateFile → one NtCreateFile
        const creates = calls("NtCreateFile");
        assert.equal(creates.length, 16, creates.join("\n"));
        // the second _mkdir: STATUS_OBJECT_NAME_COLLISION; fopen("missing.txt"): STATUS_OBJECT_NAME_NOT_FOUND
        assert.equal(creates.filter((l) => l.includes("-> 0xC0000035")).length, 1);
        assert.equal(creates.filter((l) => l.includes("-> 0xC0000034")).length, 1);
        // fread/fgets/fscanf/_read refill through ReadFile → NtReadFile on the file handles; stdin too
        assert.ok(calls("NtReadFile").length >= 12, `NtReadFile: ${calls("NtReadFile").length}`);
        // fseek/rewind/_lseek: SetFilePointerEx → NtSetInformationFile(FilePositionInformation = 14)
        const seeks = calls("NtSetInformationFile").filter((l) => /, 8, 0xE -> /.test(l));
        assert.ok(seeks.length >= 5, calls("NtSetInformationFile").join("\n"));
        // rename: MoveFileExW → NtSetInformationFile(FileRenameInformation = 10), the one rename in crt.c
        const renames = calls("NtSetInformationFile").filter((l) => /, 0xA -> 0x00000000/.test(l));
        assert.equal(renames.length, 1, calls("NtSetInformationFile").join("\n"));
        // _access("low.bin") and _access("none.bin"): GetFileAttributesW → NtQueryAttributesFile
        const attrs = calls("NtQueryAttributesFile");
        assert.equal(attrs.length, 2, attrs.join("\n"));
        assert.equal(attrs.filter((l) => l.includes("-> 0xC0000034")).length, 1);
        // ftell: SetFilePointerEx(0, FILE_CURRENT) → NtSetInformationFile(FilePositionInformation) too: crt.c
        // calls ftell 5 times, fseek/rewind/_lseek at least 5
        assert.ok(seeks.length >= 10, calls("NtSetInformationFile").join("\n"));
        // fclose/_close: CloseHandle → NtClose; remove/_rmdir: DeleteFile/RemoveDirectory → NtOpenFile;
        // _findfirst/_findnext: FindFirstFile/FindNextFile → NtQueryDirectoryFile
        assert.ok(calls("NtClose").length >= 13);
        assert.ok(calls("NtOpenFile").length >= 6);
        assert.ok(calls("NtQueryDirectoryFile").length >= 6);
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    });
  });
}
