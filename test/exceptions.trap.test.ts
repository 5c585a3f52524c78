/**
 * The trap flag under Windows (trap32.exe through WOW64, trap64.exe native; test/fixtures/src/trap.c): popf
 * sets TF, each traced instruction raises STATUS_SINGLE_STEP (0x80000004) reported at the next instruction
 * with no parameters, the vectored handler's CONTEXT has TF clear and the handler sets it again to keep
 * tracing. Expected values: test/fixtures/EXPECTED.md (Intel SDM Vol. 3A 17.3.1.4 and Vol. 2B POPF;
 * MSDN EXCEPTION_RECORD / GetExceptionCode; ReactOS KiTrap01Handler).
 */
import { strict as assert } from "node:assert";
import { readFileSync } from "node:fs";
import { Kernel } from "../src/windows/kernel";
import { BufferConsole, Process } from "../src/windows/process";

const EXPECTED =
  "traps=3 params=0 tf-clear-in-context=yes\n" +
  "  trap at trace_a+01 (trace_b)\n" +
  "  trap at trace_a+06 (trace_c)\n" +
  "  trap at trace_a+09 (trace_end)\n" +
  "eax=3\n";

describe("exceptions: single-step traps (the trap flag)", function () {
  this.timeout(120_000);
  for (const file of ["trap32.exe", "trap64.exe"]) {
    it(`${file}: three traps after popf set TF, each handled by a vectored handler`, () => {
      const con = new BufferConsole();
      const p = Process.create({
        file: readFileSync(`test/fixtures/bin/${file}`),
        name: file,
        console: con,
        kernel: (pp) => new Kernel(pp),
      });
      const stop = p.run(50_000_000);
      assert.equal(con.stdout, EXPECTED);
      assert.deepEqual(stop.kind === "exit" ? stop.status : stop, 0);
    });
  }
});
