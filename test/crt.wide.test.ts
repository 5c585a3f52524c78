/**
 * msvcrt's wide printf/scanf family and _beginthreadex/_beginthread/_endthreadex: test/fixtures/bin/crtw{32,64}.exe
 * (src/crtw.c) run through Process on our synthetic msvcrt.dll, and the wide scan engine on its own.
 * Expected values: test/fixtures/EXPECTED.md (crtw32.exe) with their Microsoft sources.
 */
import { strict as assert } from "node:assert";
import { readFileSync } from "node:fs";
import { scanFormat, stringInput } from "../src/windows/api/crt-scan";
import { Kernel } from "../src/windows/kernel";
import type { SyscallRecord } from "../src/windows/kernel/types";
import { BufferConsole, Process } from "../src/windows/process";

const BIN = "test/fixtures/bin";

const EXPECTED = [
  "wprintf: -12 wide narrow w n|  1.5|ff |",
  "wprintf returned 40",
  "swprintf: 42-wide-narrow (14)",
  "_snwprintf: -1 trunc#",
  "_scwprintf: 11",
  "fwprintf: h l 005",
  "vwprintf: x=1 (fwprintf returned 18)",
  "vfwprintf: ok (vwprintf returned 37)",
  "swscanf: 5 12 31 hello narrow 2.50",
  "swscanf empty: -1",
  "thread 1: wait 0, exit code 7",
  "thread 2: wait 0, exit code 14",
  "thread 3: wait 0, exit code 303",
  "_beginthread: started, event wait 0",
];

for (const bits of [32, 64] as const) {
  describe(`crt: crtw${bits}.exe (wide stdio, _beginthreadex) through Process`, () => {
    it("prints the wide formats, scans with swscanf, runs CRT threads and reads their exit codes", () => {
      const con = new BufferConsole();
      const syscalls: SyscallRecord[] = [];
      const t0 = performance.now();
      const p = Process.create({
        file: readFileSync(`${BIN}/crtw${bits}.exe`),
        name: `crtw${bits}.exe`,
        console: con,
        kernel: (pp) => {
          const k = new Kernel(pp);
          k.onSyscall = (r) => syscalls.push(r);
          return k;
        },
      });
      const stop = p.run(200_000_000);
      console.log(
        `      crtw${bits}.exe: ${(performance.now() - t0).toFixed(1)} ms, ${p.cpu.icount} instructions`,
      );
      assert.equal(stop.kind, "exit", JSON.stringify(stop));
      assert.equal(stop.kind === "exit" ? stop.status : -1, 0);
      assert.equal(con.stdout, EXPECTED.map((l) => l + "\r\n").join(""));
      // the CRT's threads are kernel32!CreateThread calls made as guest code: real thread creations
      const created = syscalls.filter((s) => /^NtCreateThread/.test(s.name));
      assert.equal(created.length, 4, created.map((s) => s.name).join(", "));
    });
  });
}

describe("crt: the wide scan engine (wscanf rules)", () => {
  const w = (s: string): number[] => [...s].map((ch) => ch.charCodeAt(0));
  function mem() {
    const m = new Map<number, number>();
    return {
      m,
      w8: (a: number, v: number) => void m.set(a, v & 0xff),
      w16: (a: number, v: number) => {
        m.set(a, v & 0xff);
        m.set(a + 1, (v >> 8) & 0xff);
      },
      w32: (a: number, v: number) => {
        for (let k = 0; k < 4; k++) m.set(a + k, (v >>> (8 * k)) & 0xff);
      },
      w64: () => undefined,
    };
  }
  const bytes = (m: Map<number, number>, a: number, n: number) =>
    Array.from({ length: n }, (_, k) => m.get(a + k) ?? -1);

  it("%s stores wide characters, %S and %hs narrow ones (scanf type field characters)", () => {
    const mm = mem();
    const ptrs = [0x100, 0x200, 0x300];
    let i = 0;
    const n = scanFormat(w("%s %S %hs"), stringInput(w("ab\u0101 cd ef")), () => ptrs[i++], mm, 8, {
      wide: true,
    });
    assert.equal(n, 3);
    // "ab" + U+0101 as UTF-16LE and a wide NUL
    assert.deepEqual(bytes(mm.m, 0x100, 8), [0x61, 0, 0x62, 0, 0x01, 0x01, 0, 0]);
    assert.deepEqual(bytes(mm.m, 0x200, 3), [0x63, 0x64, 0]);
    assert.deepEqual(bytes(mm.m, 0x300, 3), [0x65, 0x66, 0]);
  });

  it("%c stores one wide character, %C a narrow one; the narrow engine keeps its rules", () => {
    const mm = mem();
    const ptrs = [0x100, 0x200];
    let i = 0;
    assert.equal(
      scanFormat(w("%c%C"), stringInput(w("xy")), () => ptrs[i++], mm, 4, { wide: true }),
      2,
    );
    assert.deepEqual(bytes(mm.m, 0x100, 2), [0x78, 0]);
    assert.deepEqual(bytes(mm.m, 0x200, 1), [0x79]);
    const nm = mem();
    i = 0;
    assert.equal(
      scanFormat(w("%c%C"), stringInput(w("xy")), () => ptrs[i++], nm, 4),
      2,
    );
    assert.deepEqual(bytes(nm.m, 0x100, 1), [0x78]);
    assert.deepEqual(bytes(nm.m, 0x200, 2), [0x79, 0]);
  });
});
