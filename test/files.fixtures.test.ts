/**
 * The files fixtures (test/fixtures/src/files.c, EXPECTED.md "files32.exe / files64.exe") through Process
 * with the program's folder as C:\app (a temporary host folder mounted into an in-memory drive C:, as the
 * CLI does), and the Win32 file APIs' syscalls as the trace shows them.
 */
import { strict as assert } from "node:assert";
import { mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import * as path from "node:path";
import { MemoryFsHost, MountFsHost } from "../src/windows/fs";
import { NodeFsHost } from "../src/windows/fs/node-host";
import { Kernel } from "../src/windows/kernel";
import type { SyscallRecord } from "../src/windows/kernel/types";
import { BufferConsole, Process } from "../src/windows/process";

const BIN = path.join(__dirname, "fixtures", "bin");

const COMMON = `cwd C:\\app
create error 0
written 12
pointer 7
read world
size 12
end 7
reopen error 183
mkdir 1
mkdir again error 183
found . <DIR>
found .. <DIR>
found a.txt
found b.txt
find end error 18
rmdir non-empty 0
error 145
delete a 1
delete b 1
rmdir 1
delete test.txt 1
attributes 4294967295
error 2
open ..\\..\\..\\etc\\passwd -> 3
open \\\\?\\C:\\.. -> 123
open C:\\..\\.. -> 5
open /etc/passwd -> 3
open \\\\.\\PhysicalDrive0 -> 5
open file.txt:stream -> 123
open D:\\x.txt -> 3
`;

const EXPECTED: Record<32 | 64, string> = {
  64: COMMON + "C:\\Windows\\System32\\kernel32.dll: x64\n",
  32:
    COMMON +
    `C:\\Windows\\System32\\kernel32.dll: x86
C:\\Windows\\Sysnative\\kernel32.dll: x64
disable 1
C:\\Windows\\System32\\kernel32.dll: x64
revert 1
C:\\Windows\\System32\\kernel32.dll: x86
`,
};

for (const bits of [64, 32] as const) {
  describe(`files${bits}.exe: the sandboxed file system through kernel32`, () => {
    it("prints EXPECTED.md's output, leaves the folder as it was and makes the NT calls", () => {
      const dir = mkdtempSync(path.join(tmpdir(), "wowdbg-files-"));
      try {
        const con = new BufferConsole();
        const calls: SyscallRecord[] = [];
        const p = Process.create({
          file: readFileSync(path.join(BIN, `files${bits}.exe`)),
          name: `files${bits}.exe`,
          console: con,
          fileSystem: { host: new MountFsHost(new MemoryFsHost(), { app: new NodeFsHost(dir) }) },
          kernel: (pp) => {
            const k = new Kernel(pp);
            k.onSyscall = (r) => calls.push(r);
            return k;
          },
        });
        const stop = p.run(100_000_000);
        assert.equal(con.stdout, EXPECTED[bits]);
        assert.equal(stop.kind, "exit", JSON.stringify(stop));
        assert.equal(stop.kind === "exit" && stop.status, 0);
        assert.deepEqual(readdirSync(dir), [], "everything it made was deleted");
        const names = new Set(calls.map((r) => r.name));
        for (const n of [
          "NtCreateFile",
          "NtOpenFile",
          "NtWriteFile",
          "NtReadFile",
          "NtSetInformationFile",
          "NtQueryInformationFile",
          "NtQueryDirectoryFile",
          "NtQueryAttributesFile",
          "NtClose",
        ])
          assert.ok(names.has(n), n);
        const mode = bits === 32 ? "x86" : "x64";
        assert.ok(calls.filter((r) => r.name === "NtCreateFile").every((r) => r.callerMode === mode));
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    });
  });
}
