/**
 * The NT syscall table: src/windows/syscalls/table.ts is what scripts/gen-syscalls.mjs makes of the two
 * CSV files, the numbers are the CSV's for both builds, and the argument counts are the documented
 * prototypes' (phnt ntzwapi.h; Wine's ntsyscalls.h gives the same i386 stack sizes).
 */
import { strict as assert } from "node:assert";
import { execFileSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { DEFAULT_BUILD, SyscallTable, syscallTable, WINDOWS_BUILDS } from "../src/windows/syscalls";

const dir = join(__dirname, "..", "src", "windows", "syscalls");

function csv(name: string): string[][] {
  const lines = readFileSync(join(dir, name), "utf8").trim().split("\n");
  return lines.slice(1).map((l) => l.split(","));
}

describe("NT syscall table", () => {
  it("table.ts is up to date with the CSV files (node scripts/gen-syscalls.mjs --check)", () => {
    execFileSync(process.execPath, [join(__dirname, "..", "scripts", "gen-syscalls.mjs"), "--check"], {
      stdio: "pipe",
    });
  });

  it("maps name ↔ number as nt-syscalls-x64.csv gives for Windows 10 22H2 and Windows 11 24H2", () => {
    const rows = csv("nt-syscalls-x64.csv");
    assert.equal(rows.length, 489);
    assert.equal(DEFAULT_BUILD, "win10-22h2");
    for (const [i, build] of WINDOWS_BUILDS.entries()) {
      const t = syscallTable(build);
      let n = 0;
      for (const row of rows) {
        const cell = row[1 + i]!;
        const info = t.byName(row[0]!);
        if (cell === "") {
          assert.equal(info, undefined, `${row[0]} is not in ${build}`);
          continue;
        }
        n++;
        assert.equal(info?.number, parseInt(cell, 16), `${row[0]} on ${build}`);
        assert.equal(t.byNumber(parseInt(cell, 16))?.name, row[0]);
        assert.equal(t.byName("Zw" + row[0]!.slice(2)), info);
      }
      assert.equal(t.size, n);
      assert.deepEqual(
        t.all().map((s) => s.number),
        [...Array(n).keys()],
        `${build}: services are numbered 0..n-1 without gaps`,
      );
    }
    assert.equal(syscallTable().byName("NtMapViewOfSection")?.number, 0x28);
    assert.equal(new SyscallTable("win11-24h2").byName("NtMapViewOfSectionEx")?.number, 0x11e);
    assert.equal(syscallTable("win10-22h2").byName("NtMapViewOfSectionEx")?.number, 0x115);
  });

  it("has an argument count for every service, from the documented prototypes", () => {
    const names = csv("nt-syscalls-x64.csv").map((r) => r[0]);
    const args = csv("nt-syscall-args.csv");
    assert.deepEqual(
      args.map((r) => r[0]),
      names,
    );
    const t = syscallTable("win11-24h2");
    const expect: Record<string, number> = {
      NtWriteFile: 9,
      NtReadFile: 9,
      NtMapViewOfSection: 10,
      NtMapViewOfSectionEx: 9,
      NtUnmapViewOfSection: 2,
      NtCreateSection: 7,
      NtAllocateVirtualMemory: 6,
      NtFreeVirtualMemory: 4,
      NtProtectVirtualMemory: 5,
      NtQueryVirtualMemory: 6,
      NtClose: 1,
      NtTerminateProcess: 2,
      NtQueryInformationProcess: 5,
      NtQuerySystemInformation: 4,
      NtQueryPerformanceCounter: 2,
      NtDelayExecution: 2,
      NtCreateFile: 11,
      NtCreateUserProcess: 11,
      NtAccessCheckByTypeResultListAndAuditAlarmByHandle: 17,
      NtYieldExecution: 0,
      NtCreateIoRing: 5,
      NtSetLdtEntries: 6,
    };
    for (const [name, n] of Object.entries(expect)) {
      assert.equal(t.byName(name)?.params, n, name);
      assert.equal(t.byName(name)?.x86ArgDwords, n, name);
    }
    for (const row of args) {
      const [name, params, dwords, source] = row;
      assert.match(params!, /^\d+$/, name);
      assert.ok(source!.length > 0, name);
      if (dwords === "") assert.match(source!, /^unknown: /, name);
      else assert.ok(Number(dwords) >= Number(params), name);
    }
    // where public prototypes disagree on the 32-bit stack size, it is left unknown (the x86 stub traps)
    assert.deepEqual(
      args.filter((r) => r[2] === "").map((r) => r[0]),
      [
        "NtChangeProcessState",
        "NtChangeThreadState",
        "NtCreateIRTimer",
        "NtCreatePartition",
        "NtCreateProcessStateChange",
        "NtCreateThreadStateChange",
        "NtInitializeNlsFiles",
      ],
    );
  });
});
