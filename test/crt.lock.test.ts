/**
 * msvcrt's internal locks (_lock/_unlock: critical sections of its _locktable, mtdll.h) really exclude
 * another thread: the main thread takes lock 8, starts a worker that takes lock 8 too and sets a flag, and
 * sleeps; the flag is still 0 after the sleep (the worker waits), and 1 once the main thread's _unlock let
 * the worker in. Exit code = flag after × 10 + flag before the unlock: 10 (11 if the lock did not exclude).
 */
import { strict as assert } from "node:assert";
import type { DllName } from "../src/windows/dlls";
import { callExport64, le32, le64, shellcodeProcess } from "./shellcode-harness";

describe("crt: _lock/_unlock exclude another thread", function () {
  this.timeout(60_000);
  it("x64: the worker waits for the owner's _unlock", () => {
    const p = shellcodeProcess("x64", 0x1000, (base, exp) => {
      const NAME = base + 0x700;
      const FLAG = base + 0x800;
      const HANDLE = base + 0x808;
      const BEFORE = base + 0x810;
      const WORKER = base + 0x400;
      const call = (dll: DllName, name: string): number[] => callExport64(exp, dll, name);
      const rcx = (v: number): number[] => [0x48, 0xb9, ...le64(v)];
      const main = [
        ...[0x48, 0x83, 0xec, 0x38], // sub rsp, 0x38
        ...rcx(NAME),
        ...call("kernel32", "LoadLibraryA"),
        ...[0xb9, ...le32(8)], // mov ecx, 8
        ...call("msvcrt", "_lock"),
        ...[0x31, 0xc9, 0x31, 0xd2], // xor ecx, ecx; xor edx, edx
        ...[0x49, 0xb8, ...le64(WORKER)], // mov r8, worker
        ...[0x45, 0x31, 0xc9], // xor r9d, r9d
        ...[0x48, 0xc7, 0x44, 0x24, 0x20, 0, 0, 0, 0], // mov qword [rsp+0x20], 0
        ...[0x48, 0xc7, 0x44, 0x24, 0x28, 0, 0, 0, 0], // mov qword [rsp+0x28], 0
        ...call("kernel32", "CreateThread"),
        ...rcx(HANDLE),
        ...[0x48, 0x89, 0x01], // mov [rcx], rax
        ...[0xb9, ...le32(50)], // mov ecx, 50
        ...call("kernel32", "Sleep"),
        ...rcx(FLAG),
        ...[0x8b, 0x01], // mov eax, [rcx]
        ...rcx(BEFORE),
        ...[0x89, 0x01], // mov [rcx], eax
        ...[0xb9, ...le32(8)], // mov ecx, 8
        ...call("msvcrt", "_unlock"),
        ...rcx(HANDLE),
        ...[0x48, 0x8b, 0x09], // mov rcx, [rcx]
        ...[0xba, 0xff, 0xff, 0xff, 0xff], // mov edx, INFINITE
        ...call("kernel32", "WaitForSingleObject"),
        ...rcx(FLAG),
        ...[0x8b, 0x01], // mov eax, [rcx]
        ...[0x6b, 0xc0, 0x0a], // imul eax, eax, 10
        ...rcx(BEFORE),
        ...[0x03, 0x01], // add eax, [rcx]
        ...[0x48, 0x83, 0xc4, 0x38], // add rsp, 0x38
        0xc3, // ret: ExitProcess(eax)
      ];
      const worker = [
        ...[0x48, 0x83, 0xec, 0x28], // sub rsp, 0x28
        ...[0xb9, ...le32(8)], // mov ecx, 8
        ...call("msvcrt", "_lock"),
        ...rcx(FLAG),
        ...[0xc7, 0x01, 0x01, 0, 0, 0], // mov dword [rcx], 1
        ...[0xb9, ...le32(8)], // mov ecx, 8
        ...call("msvcrt", "_unlock"),
        ...[0x31, 0xc0], // xor eax, eax
        ...[0x48, 0x83, 0xc4, 0x28], // add rsp, 0x28
        0xc3, // ret
      ];
      const b = new Uint8Array(0x1000);
      b.set(main);
      b.set(worker, 0x400);
      b.set(new TextEncoder().encode("msvcrt.dll\0"), 0x700);
      return b;
    });
    const stop = p.run(50_000_000);
    assert.deepEqual(stop.kind === "exit" ? stop.status : stop, 10);
  });
});
