/**
 * test/fixtures/bin/printf{32,64}.exe — mingw-w64's default start-up code (crt2.o/crtexe.c) and msvcrt.dll's
 * printf family — run through Process on our synthetic msvcrt.dll; expected output in EXPECTED.md. The
 * output reaches the console through NtWriteFile (visible syscalls), in text mode (LF → CR LF).
 */
import { strict as assert } from "node:assert";
import { spawnSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { Kernel } from "../src/windows/kernel";
import type { SyscallRecord } from "../src/windows/kernel/types";
import { BufferConsole, Process } from "../src/windows/process";
import { printfExpected } from "./crt.expected";

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
