/**
 * msvcrt's tmpnam and tmpfile (src/windows/api/crt-io.ts), called by x64 shellcode after
 * LoadLibraryA("msvcrt.dll"). Expected values: Microsoft's VC6 tmpnam page for MSVCRT.DLL ("the path
 * prefix, defined by the entry P_tmpdir in the file STDIO.H" — "\\", the current drive's root) and the CRT's
 * tmpfile.c naming ("s"/"t", the process id in base 32, ".", then base-32 extensions from 1); tmpfile is
 * _sopen(_O_CREAT | _O_EXCL | _O_RDWR | _O_BINARY | _O_TEMPORARY): CreateFileW with
 * FILE_FLAG_DELETE_ON_CLOSE, so the file is gone once fclose has closed it.
 */
import { strict as assert } from "node:assert";
import { Kernel } from "../src/windows/kernel";
import { fileSystemOf } from "../src/windows/kernel/file-io";
import type { SyscallRecord } from "../src/windows/kernel/types";
import { Process } from "../src/windows/process";
import type { DllName } from "../src/windows/dlls";
import type { KernelFactory } from "../src/windows/kernel/types";
import { le64 } from "./shellcode-harness";

describe("crt: tmpnam and tmpfile (x64 shellcode)", () => {
  it("names \\s<pid>. then \\s<pid>.1; tmpfile creates \\t<pid>. deleted on close", () => {
    const kernel: KernelFactory = (q) => new Kernel(q);
    const probe = Process.createShellcode({ code: new Uint8Array(0x1000), arch: "x64", kernel });
    const exp = (dll: DllName, name: string): number => {
      const e = probe.dlls.get(dll, "x64")?.exports.get(name);
      assert.ok(e !== undefined && "address" in e, name);
      return e.address;
    };
    const base = probe.shellcodeBase;
    const out = base + 0x800;
    const call = (dll: DllName, name: string): number[] => [0x48, 0xb8, ...le64(exp(dll, name)), 0xff, 0xd0];
    const rcx = (v: number): number[] => [0x48, 0xb9, ...le64(v)];
    const store = (slot: number): number[] => [...rcx(out + 8 * slot), 0x48, 0x89, 0x01]; // mov [rcx], rax
    const code = [
      0x48,
      0x83,
      0xec,
      0x28, // sub rsp, 0x28
      ...rcx(base + 0x700),
      ...call("kernel32", "LoadLibraryA"),
      ...call("msvcrt", "tmpfile"),
      ...store(0),
      0x31,
      0xc9, // xor ecx, ecx
      ...call("msvcrt", "tmpnam"),
      ...store(1),
      0x31,
      0xc9,
      ...call("msvcrt", "tmpnam"),
      ...store(2),
      ...rcx(out + 0x100),
      ...call("msvcrt", "tmpnam"), // into a caller's buffer: returns it
      ...store(3),
      ...rcx(out),
      0x48,
      0x8b,
      0x09, // mov rcx, [rcx]: the FILE*
      ...call("msvcrt", "fclose"),
      ...store(4),
      0x31,
      0xc9,
      ...call("kernel32", "ExitProcess"),
    ];
    const bytes = new Uint8Array(0x1000);
    bytes.set(code);
    bytes.set(
      [..."msvcrt.dll"].map((ch) => ch.charCodeAt(0)),
      0x700,
    );
    const syscalls: SyscallRecord[] = [];
    const p = Process.createShellcode({
      code: bytes,
      arch: "x64",
      kernel: (q) => {
        const k = new Kernel(q);
        k.onSyscall = (r) => syscalls.push(r);
        return k;
      },
    });
    assert.equal(p.shellcodeBase, base);

    const vfs = fileSystemOf(p.kernel as Kernel);
    const stop = p.run(50_000_000);
    assert.equal(stop.kind, "exit", JSON.stringify(stop));
    const mem = (a: number, n: number): Uint8Array => {
      const b = new Uint8Array(n);
      p.mem.read(a, b, { force: true });
      return b;
    };
    const slot = (k: number): number =>
      Number(new DataView(mem(out + 8 * k, 8).buffer).getBigUint64(0, true));
    const str = (a: number): string => {
      const b = mem(a, 32);
      return String.fromCharCode(...b.subarray(0, b.indexOf(0)));
    };
    assert.notEqual(slot(0), 0, "tmpfile returned a FILE*");
    // tmpnam(NULL) twice: the same internal buffer, now holding the second name (the first was "\\s<pid>.")
    assert.equal(slot(2), slot(1), "NULL: the same internal buffer");
    const second = str(slot(2));
    assert.match(second, /^\\s[0-9a-v]+\.1$/);
    const first = second.slice(0, -1);
    assert.equal(slot(3), out + 0x100);
    assert.equal(str(slot(3)), first + "2");
    assert.equal(str(slot(2)), second, "a caller's buffer leaves the internal one alone");
    assert.equal(slot(4) & 0xffffffff, 0, "fclose");
    // tmpfile's CreateFileW → NtCreateFile; tmpnam's probes GetFileAttributesW → NtQueryAttributesFile
    assert.equal(syscalls.filter((s) => s.name === "NtCreateFile").length, 1);
    assert.equal(syscalls.filter((s) => s.name === "NtQueryAttributesFile").length, 3);
    // the file was \t<pid>. in the root and is gone after fclose (FILE_FLAG_DELETE_ON_CLOSE)
    // (Win32 path conversion drops the trailing dot: the file is C:\\t<pid>)
    const tname = "\\??\\C:\\t" + first.slice(2, -1);
    const created = vfs.queryAttributes(tname).info !== undefined;
    assert.equal(created, false, `${tname} still exists`);
  });
});
