/**
 * Exception dispatch (issue 7) on the fixtures: CPU faults become Windows exceptions delivered through
 * ntdll!KiUserExceptionDispatcher to the x86 SEH chain at FS:[0] (seh32.exe, through WOW64) and to a
 * vectored handler (veh64.exe); an unhandled access violation ends the process with 0xC0000005
 * (unhandled64.exe). Expected values: test/fixtures/EXPECTED.md (MSDN's EXCEPTION_RECORD,
 * "Structured Exception Handling", "Vectored Exception Handling", UnhandledExceptionFilter).
 */
import { strict as assert } from "node:assert";
import { spawnSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { Kernel } from "../src/windows/kernel";
import type { SyscallRecord } from "../src/windows/kernel/types";
import { BufferConsole, Process, type ProcessStop } from "../src/windows/process";

const BIN = "test/fixtures/bin";

function run(file: string): { out: string; stop: ProcessStop; syscalls: SyscallRecord[]; p: Process } {
  const con = new BufferConsole();
  const syscalls: SyscallRecord[] = [];
  const p = Process.create({
    file: readFileSync(`${BIN}/${file}`),
    name: file,
    console: con,
    kernel: (pp) => {
      const k = new Kernel(pp);
      k.onSyscall = (r) => syscalls.push(r);
      return k;
    },
  });
  const stop = p.run(50_000_000);
  return { out: con.stdout, stop, syscalls, p };
}

describe("exceptions: dispatch through KiUserExceptionDispatcher", function () {
  this.timeout(120_000);

  it("seh32.exe: access violation, divide by zero and int3 caught by the FS:[0] handler", () => {
    const r = run("seh32.exe");
    assert.equal(
      r.out,
      "C0000005 00000002 00000001 00000000 ok\n" +
        "C0000094 00000000 00000000 00000000 ok\n" +
        "80000003 00000001 00000000 00000000 ok\n",
    );
    assert.deepEqual(r.stop.kind === "exit" ? r.stop.status : r.stop, 0);
    // Each handled exception is resumed by NtContinue from 32-bit code (through WOW64).
    const cont = r.syscalls.filter((s) => s.name === "NtContinue");
    assert.equal(cont.length, 0, "x86 NtContinue is converted by wow64, not passed to the x64 service");
  });

  it("veh64.exe: a vectored handler skips the faulting write", () => {
    const r = run("veh64.exe");
    assert.equal(r.out, "code=C0000005 write=1 address=0000000000000000 at=ok\nremoved=1\n");
    assert.equal(r.stop.kind, "exit");
    if (r.stop.kind === "exit") assert.equal(r.stop.status, 0);
    assert.equal(r.syscalls.filter((s) => s.name === "NtContinue").length, 1);
  });

  it("unhandled64.exe: the process ends with STATUS_ACCESS_VIOLATION and says what and where", () => {
    const r = run("unhandled64.exe");
    assert.equal(r.out, "before\n");
    assert.equal(r.stop.kind, "exception");
    if (r.stop.kind !== "exception") return;
    assert.equal(r.stop.code >>> 0, 0xc0000005);
    assert.match(
      r.stop.message,
      /^Access violation writing 0x00000000 at 0x[0-9A-F]{16} \(unhandled64\.exe\+0x/,
    );
    assert.equal(r.stop.fault?.vector, "PF");
    // Dispatch ran: KiUserExceptionDispatcher → RtlDispatchException (nothing) → NtRaiseException(FALSE).
    const raise = r.syscalls.find((s) => s.name === "NtRaiseException");
    assert.ok(raise, "NtRaiseException was called");
    assert.equal(raise.args[2], 0, "FirstChance = FALSE");
    assert.equal(r.p.finished?.kind, "exception");
  });

  it("CLI: wowdbg run prints the output, the message and exits with the code's low byte", () => {
    const r = spawnSync(
      process.execPath,
      ["--import", "tsx", "src/cli/main.ts", "run", "--json", `${BIN}/unhandled64.exe`],
      {
        encoding: "latin1",
        timeout: 60_000,
      },
    );
    assert.equal(r.stdout.split("\n")[0], "before");
    assert.match(r.stderr, /Access violation writing 0x00000000 at 0x[0-9A-F]+ \(unhandled64\.exe\+0x/);
    const summary = JSON.parse(r.stdout.split("\n")[1]) as { exitCode: number; stopReason: string };
    assert.equal(summary.exitCode, 0xc0000005);
    assert.equal(summary.stopReason, "exception");
    const s = spawnSync(process.execPath, ["--import", "tsx", "src/cli/main.ts", "run", `${BIN}/seh32.exe`], {
      encoding: "latin1",
      timeout: 60_000,
    });
    assert.equal(s.status, 0);
    assert.equal(s.stdout.split("\n").length, 4);
  });
});
