/**
 * Every fixture program of test/fixtures/bin run through the Process with the real kernel
 * (src/windows/kernel), compared with the output and exit code test/fixtures/EXPECTED.md derives from the
 * documented behaviour of the APIs and instructions involved (not recorded on Windows; see that file).
 */
import { strict as assert } from "node:assert";
import { readFileSync } from "node:fs";
import { Kernel } from "../src/windows/kernel";
import type { SyscallRecord } from "../src/windows/kernel/types";
import { BufferConsole, Process, type ProcessStop } from "../src/windows/process";

const BIN = "test/fixtures/bin";
const bin = (n: string): Uint8Array => readFileSync(`${BIN}/${n}`);
const HELLO = "Hello, world!\n";
const TLS_OUT =
  "tls callback 1, reason 1\ntls callback 2, reason 1\nmain\ntls callback 1, reason 0\ntls callback 2, reason 0\n";
const GATE_OUT =
  "cs=0023 probe=00000001\nfar call: cs=0033 r8=1234567A00000000 probe=00000000\n" +
  "far jmp: cs=0033 rax=0000000100000000 probe=00000000\nback: cs=0023 mask=000000FF\n";

/** The memory fixtures' expected output: the code block of EXPECTED.md's memory section. */
function memoryExpected(): string {
  const md = readFileSync("test/fixtures/EXPECTED.md", "utf8");
  const at = md.indexOf("## memory32.exe, memory64.exe");
  const start = md.indexOf("```\n", at) + 4;
  return md.slice(start, md.indexOf("```", start));
}

interface Result {
  out: string;
  err: string;
  stop: ProcessStop;
  syscalls: SyscallRecord[];
  p: Process;
}

function runExe(file: string, bits: 32 | 64 = file.includes("32") ? 32 : 64): Result {
  const con = new BufferConsole();
  const syscalls: SyscallRecord[] = [];
  const p = Process.create({
    file: bin(file),
    name: file,
    console: con,
    kernel: (pp) => {
      const k = new Kernel(pp);
      k.onSyscall = (r) => syscalls.push(r);
      return k;
    },
    findDll: (name) => {
      const n = name.toLowerCase().replace(/\.dll$/, "");
      if (n !== "forward" && n !== "exports") return undefined;
      return { path: `C:\\app\\${n}.dll`, bytes: bin(`${n}${bits}.dll`) };
    },
  });
  let stop = p.run(200_000_000);
  if (stop.kind === "budget") stop = p.run(200_000_000);
  return { out: con.stdout, err: con.stderr, stop, syscalls, p };
}

function runShellcode(n: 32 | 64): Result {
  const con = new BufferConsole();
  const syscalls: SyscallRecord[] = [];
  const p = Process.createShellcode({
    code: bin(`shellcode${n}.bin`),
    arch: n === 32 ? "x86" : "x64",
    console: con,
    kernel: (pp) => {
      const k = new Kernel(pp);
      k.onSyscall = (r) => syscalls.push(r);
      return k;
    },
  });
  const stop = p.run(10_000_000);
  return { out: con.stdout, err: con.stderr, stop, syscalls, p };
}

function exitOf(r: Result): number | string {
  return r.stop.kind === "exit"
    ? r.stop.status
    : `${r.stop.kind}: ${"message" in r.stop ? r.stop.message : ""}`;
}

describe("process: the fixtures on the real kernel (EXPECTED.md)", () => {
  const cases: [string, string, number][] = [
    ["hello32.exe", HELLO, 0],
    ["hello64.exe", HELLO, 0],
    ["hello32-rebased.exe", HELLO, 0],
    ["hello64-rebased.exe", HELLO, 0],
    ["gate32.exe", GATE_OUT, 255],
    ["tls32.exe", TLS_OUT, 0],
    ["tls64.exe", TLS_OUT, 0],
    ["unwind64.exe", "", 0],
    ["dllclient32.exe", "", 1175],
    ["dllclient64.exe", "", 1175],
  ];
  for (const [file, out, code] of cases) {
    it(`${file}: exit code ${code}`, () => {
      const r = runExe(file);
      assert.equal(exitOf(r), code);
      assert.equal(r.out, out);
    });
  }

  for (const file of ["memory32.exe", "memory64.exe"]) {
    it(`${file}: virtual memory and the 8 GB section, exit code 0`, () => {
      const r = runExe(file);
      assert.equal(r.out, memoryExpected());
      assert.equal(exitOf(r), 0);
    });
  }

  for (const n of [32, 64] as const) {
    it(`shellcode${n}.bin: PEB walk, WriteFile, returns 0`, () => {
      const r = runShellcode(n);
      assert.equal(r.out, `Hello from ${n}-bit shellcode!\n`);
      assert.equal(exitOf(r), 0);
    });
  }

  it("hello32's syscalls come from x86 code through WOW64: NtWriteFile, then NtTerminateProcess", () => {
    const r = runExe("hello32.exe");
    const write = r.syscalls.find((s) => s.name === "NtWriteFile");
    assert.ok(write, r.syscalls.map((s) => s.name).join(","));
    assert.equal(write.callerMode, "x86");
    assert.equal(write.number, 0x08);
    assert.equal(write.status, 0);
    assert.ok(r.syscalls.every((s) => s.callerMode === "x86"));
    assert.ok(r.syscalls.some((s) => s.name === "NtTerminateProcess"));
    const r64 = runExe("hello64.exe");
    assert.ok(r64.syscalls.every((s) => s.callerMode === "x64"));
  });
});
