/**
 * registry32.exe and registry64.exe (test/fixtures/src/registry.c) run through the Process with the real
 * kernel: advapi32 is mapped when the program imports it (System32 or SysWOW64 copy), and the output equals
 * EXPECTED.md's registry section (Microsoft's "Registry Redirector", "Accessing an Alternate Registry View",
 * "Registry Keys Affected by WOW64" and the RegXxx reference pages; see that file).
 */
import { strict as assert } from "node:assert";
import { readFileSync } from "node:fs";
import { Kernel } from "../src/windows/kernel";
import { createDefaultRegistry } from "../src/windows/registry";
import type { SyscallRecord } from "../src/windows/kernel/types";
import { BufferConsole, Process } from "../src/windows/process";

/** EXPECTED.md's output for registry32.exe, and registry64.exe's from it (the documented differences). */
function expected(bits: 32 | 64): string {
  const md = readFileSync("test/fixtures/EXPECTED.md", "utf8");
  const at = md.indexOf("## registry32.exe, registry64.exe");
  const start = md.indexOf("```\n", at) + 4;
  const out32 = md.slice(start, md.indexOf("```", start));
  if (bits === 32) return out32;
  const s2 = md.indexOf("```\n", md.indexOf("registry64.exe prints", at)) + 4;
  const views64 = md
    .slice(s2, md.indexOf("```", s2))
    .split("\n")
    .filter((l) => l !== "");
  const lines = out32.replace(/=32\b/g, "=64").split("\n");
  const first = lines.findIndex((l) => l.startsWith("HKLM\\Software\\WowdbgTest (no flag)"));
  lines.splice(first, views64.length, ...views64);
  return lines.join("\n");
}

for (const bits of [32, 64] as const) {
  describe(`registry${bits}.exe through the Process`, () => {
    it("prints EXPECTED.md's output, exits 0, with advapi32 mapped and the key services as syscalls", () => {
      const con = new BufferConsole();
      const syscalls: SyscallRecord[] = [];
      const p = Process.create({
        file: readFileSync(`test/fixtures/bin/registry${bits}.exe`),
        name: `registry${bits}.exe`,
        console: con,
        kernel: (pp) => {
          const k = new Kernel(pp);
          k.onSyscall = (r) => syscalls.push(r);
          return k;
        },
      });
      const stop = p.run(100_000_000);
      assert.equal(con.stdout, expected(bits));
      assert.equal(con.stderr, "");
      assert.deepEqual(stop.kind === "exit" ? stop.status : stop, 0);
      const advapi = p.modules.get("advapi32.dll", bits === 32 ? "x86" : "x64");
      assert.ok(advapi);
      assert.equal(advapi.path, `C:\\Windows\\${bits === 32 ? "SysWOW64" : "System32"}\\ADVAPI32.dll`);
      const keyCalls = syscalls.filter((r) => /Key/.test(r.name));
      assert.ok(keyCalls.some((r) => r.name === "NtOpenKeyEx"));
      assert.ok(keyCalls.some((r) => r.name === "NtEnumerateKey"));
      assert.ok(keyCalls.every((r) => r.callerMode === (bits === 32 ? "x86" : "x64")));
    });
  });
}

describe("Process.create's registry option", () => {
  it("the program sees the registry it is given (HKCU\\Software\\WowdbgTest already there: disposition 2)", () => {
    const registry = createDefaultRegistry();
    const r = registry.createKey(null, `${registry.currentUserPath}\\Software\\WowdbgTest`);
    assert.equal(r.status, 0);
    const con = new BufferConsole();
    const p = Process.create({
      file: readFileSync("test/fixtures/bin/registry32.exe"),
      name: "registry32.exe",
      console: con,
      kernel: (pp) => new Kernel(pp),
      registry,
    });
    const stop = p.run(100_000_000);
    assert.equal(stop.kind, "exit");
    assert.equal(
      con.stdout,
      expected(32).replace(
        "HKCU\\Software\\WowdbgTest: disposition 1",
        "HKCU\\Software\\WowdbgTest: disposition 2",
      ),
    );
    // The program deleted it again, in this instance.
    assert.equal(
      registry.openKey(null, `${registry.currentUserPath}\\Software\\WowdbgTest`).status,
      0xc0000034,
    );
  });
});
