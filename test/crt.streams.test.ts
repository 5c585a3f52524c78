/**
 * _flushall returns "the number of open streams (input and output)" (Microsoft's _flushall page): stdin,
 * stdout and stderr at start, one more after tmpfile. Exit code = first × 10 + second = 34.
 */
import { strict as assert } from "node:assert";
import type { DllName } from "../src/windows/dlls";
import { callExport64, le64, shellcodeProcess } from "./shellcode-harness";

describe("crt: _flushall counts the open streams", function () {
  this.timeout(60_000);
  it("x64: 3 at start, 4 after tmpfile", () => {
    const p = shellcodeProcess("x64", 0x1000, (base, exp) => {
      const call = (dll: DllName, name: string): number[] => callExport64(exp, dll, name);
      const code = [
        ...[0x48, 0x83, 0xec, 0x28], // sub rsp, 0x28
        ...[0x48, 0xb9, ...le64(base + 0x700)], // mov rcx, "msvcrt.dll"
        ...call("kernel32", "LoadLibraryA"),
        ...call("msvcrt", "_flushall"),
        ...[0x6b, 0xc0, 0x0a], // imul eax, eax, 10
        ...[0x89, 0x44, 0x24, 0x20], // mov [rsp+0x20], eax
        ...call("msvcrt", "tmpfile"),
        ...call("msvcrt", "_flushall"),
        ...[0x03, 0x44, 0x24, 0x20], // add eax, [rsp+0x20]
        ...[0x48, 0x83, 0xc4, 0x28], // add rsp, 0x28
        0xc3, // ret: ExitProcess(eax)
      ];
      const b = new Uint8Array(0x1000);
      b.set(code);
      b.set(new TextEncoder().encode("msvcrt.dll\0"), 0x700);
      return b;
    });
    const stop = p.run(50_000_000);
    assert.deepEqual(stop.kind === "exit" ? stop.status : stop, 34);
  });
});
