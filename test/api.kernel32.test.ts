/**
 * kernel32/kernelbase APIs run on our CPU from 64-bit code and from 32-bit code under WOW64: kernel32's
 * thunk → kernelbase's bridge (pre trap, the real ntdll!NtXxx call and system call, post trap) or trap.
 *
 * Expected values (Microsoft Learn, learn.microsoft.com/windows/win32/api/…):
 * - GetStdHandle (…/windows/console/getstdhandle): STD_INPUT_HANDLE (DWORD)-10, STD_OUTPUT_HANDLE -11,
 *   STD_ERROR_HANDLE -12; another value fails with INVALID_HANDLE_VALUE.
 * - WriteFile (fileapi/nf-fileapi-writefile): nonzero on success, the count in *lpNumberOfBytesWritten,
 *   which "WriteFile sets … to zero before doing any work or error checking".
 * - ReadFile (fileapi/nf-fileapi-readfile): "When a synchronous read operation reaches the end of a file,
 *   ReadFile returns TRUE and sets *lpNumberOfBytesRead to zero."
 * - CloseHandle (handleapi/nf-handleapi-closehandle): FALSE for an invalid handle, ERROR_INVALID_HANDLE (6).
 * - VirtualAlloc / VirtualFree / VirtualProtect / VirtualQuery (memoryapi/…): see test/kernel.memory.test.ts;
 *   VirtualQuery returns the bytes written to the buffer (sizeof(MEMORY_BASIC_INFORMATION): 48 / 28), 0
 *   with ERROR_INVALID_PARAMETER above lpMaximumApplicationAddress; VirtualProtect with a NULL
 *   lpflOldProtect fails (ERROR_NOACCESS 998, the mapping of STATUS_ACCESS_VIOLATION).
 * - CreateFileMappingW (memoryapi/nf-memoryapi-createfilemappingw), MapViewOfFile(Ex), UnmapViewOfFile:
 *   INVALID_HANDLE_VALUE with a size gives a pagefile-backed section; an offset that is not a multiple of the
 *   allocation granularity fails with ERROR_MAPPED_ALIGNMENT (1132); FILE_MAP_WRITE on a PAGE_READONLY
 *   mapping fails with ERROR_ACCESS_DENIED (5).
 * - GetLastError / SetLastError (errhandlingapi/…): the thread's last-error code.
 * - GetCommandLineA/W (processenv/nf-processenv-getcommandlinea).
 * - GetModuleHandleA/W (libloaderapi/nf-libloaderapi-getmodulehandlea): NULL gives the .exe's handle; "If
 *   the file name extension is omitted, the default library extension .dll is appended"; a module that is
 *   not loaded gives NULL (ERROR_MOD_NOT_FOUND 126).
 * - GetProcAddress (libloaderapi/nf-libloaderapi-getprocaddress): by name, or by ordinal "in the low-order
 *   word"; NULL with ERROR_PROC_NOT_FOUND (127) when missing.
 * - LoadLibraryA/W (libloaderapi/nf-libloaderapi-loadlibrarya): a loaded module's handle.
 * - QueryPerformanceCounter/Frequency (profileapi/…): nonzero; the frequency 10 MHz on Windows 10/11.
 * - GetSystemInfo / GetNativeSystemInfo (sysinfoapi/…, SYSTEM_INFO): PROCESSOR_ARCHITECTURE_AMD64 9 /
 *   INTEL 0, PROCESSOR_AMD_X8664 8664 / PROCESSOR_INTEL_PENTIUM 586, page size 0x1000, granularity 0x10000,
 *   lpMaximumApplicationAddress 0x7FFFFFFEFFFF / 0x7FFEFFFF.
 * - IsWow64Process (wow64apiset/nf-wow64apiset-iswow64process): TRUE for a 32-bit process on x64 Windows,
 *   FALSE for a 64-bit process.
 * - TlsAlloc / TlsGetValue / TlsSetValue / TlsFree (processthreadsapi/…): TLS_MINIMUM_AVAILABLE 64 indexes
 *   and more; TlsGetValue clears the last error on success; an invalid index fails with
 *   ERROR_INVALID_PARAMETER.
 * - ExitProcess (processthreadsapi/nf-processthreadsapi-exitprocess): the exit code.
 * - RtlNtStatusToDosError (winternl/nf-winternl-rtlntstatustodoserror): the Win32 code, ERROR_MR_MID_NOT_FOUND
 *   (317) when there is none.
 */
import { strict as assert } from "node:assert";
import type { Arch } from "../src/windows/dlls";
import { Harness, hex, IMAGE_BASE, PEB32, PEB64 } from "./kernel-harness";

const ARCHES: readonly Arch[] = ["x64", "x86"];

function make(arch: Arch, opts: { stdin?: string } = {}): Harness {
  return new Harness({ wow64: arch === "x86", ...opts });
}

/** -1 as the caller passes it. */
function m1(arch: Arch): number {
  return arch === "x64" ? -1 : 0xffffffff;
}

function ptr(h: Harness, arch: Arch, a: number): number {
  return arch === "x64" ? h.u64(a) : h.u32(a);
}

function lastError(h: Harness, arch: Arch): number {
  return arch === "x64" ? h.lastError64 : h.lastError32;
}

function setLastError(h: Harness, arch: Arch, v: number): void {
  if (arch === "x64") h.lastError64 = v;
  else h.lastError32 = v;
}

function k32(h: Harness, arch: Arch, name: string, args: readonly number[]): number {
  const r = h.call("kernel32", arch, name, args);
  assert.equal(r.stop, undefined, `${name} stopped: ${JSON.stringify(r.stop)}`);
  return r.ret;
}

for (const arch of ARCHES) {
  const P = arch === "x64" ? 8 : 4;
  describe(`kernel32 APIs, ${arch} callers`, () => {
    it("GetStdHandle, WriteFile to stdout, ReadFile from stdin to the end", () => {
      const h = make(arch, { stdin: "in" });
      const v = h.alloc(0x1000);
      const out = k32(h, arch, "GetStdHandle", [0xfffffff5]);
      assert.equal(out, h.kernel.stdHandles.output);
      assert.equal(k32(h, arch, "GetStdHandle", [0xfffffff6]), h.kernel.stdHandles.input);
      assert.equal(k32(h, arch, "GetStdHandle", [0xfffffff4]), h.kernel.stdHandles.error);
      assert.equal(
        k32(h, arch, "GetStdHandle", [5]),
        arch === "x64" ? -1 : 0xffffffff,
        "INVALID_HANDLE_VALUE",
      );
      assert.equal(lastError(h, arch), 6);
      const msg = h.astring("Hello, world!\n");
      h.w32(v, 0xcccc);
      const r = h.call("kernel32", arch, "WriteFile", [out, msg, 14, v, 0]);
      assert.equal(r.ret, 1);
      assert.equal(h.u32(v), 14);
      assert.equal(h.output, "Hello, world!\n");
      assert.deepEqual(
        r.syscalls.map((s) => [s.name, s.callerMode]),
        [["NtWriteFile", arch]],
      );
      const input = h.kernel.stdHandles.input;
      assert.equal(k32(h, arch, "ReadFile", [input, v + 0x100, 10, v, 0]), 1);
      assert.equal(h.u32(v), 2);
      assert.equal(k32(h, arch, "ReadFile", [input, v + 0x100, 10, v, 0]), 1, "end of input: TRUE");
      assert.equal(h.u32(v), 0);
    });

    it("WriteFile failures set the last error; a bad lpNumberOfBytesWritten is an exception", () => {
      const h = make(arch);
      const v = h.alloc(0x1000);
      assert.equal(k32(h, arch, "WriteFile", [0x7ff8, v, 1, v + 0x10, 0]), 0);
      assert.equal(lastError(h, arch), 6);
      assert.equal(h.u32(v + 0x10), 0, "zeroed before the work");
      assert.equal(k32(h, arch, "WriteFile", [h.kernel.stdHandles.output, 0x9000, 1, v + 0x10, 0]), 0);
      assert.equal(lastError(h, arch), 998);
      const r = h.call("kernel32", arch, "WriteFile", [h.kernel.stdHandles.output, v, 1, 0x9000, 0]);
      assert.deepEqual(r.stop, { kind: "exception", code: 0xc0000005, address: 0x9000, what: "WriteFile" });
    });

    it("GetLastError / SetLastError", () => {
      const h = make(arch);
      k32(h, arch, "SetLastError", [1234]);
      assert.equal(lastError(h, arch), 1234);
      assert.equal(k32(h, arch, "GetLastError", []), 1234);
    });

    it("VirtualAlloc, VirtualQuery, VirtualProtect, VirtualFree", () => {
      const h = make(arch);
      const v = h.alloc(0x1000);
      const p = k32(h, arch, "VirtualAlloc", [0, 0x100000, 0x2000, 4]);
      assert.ok(p !== 0 && p % 0x10000 === 0, hex(p));
      const q = k32(h, arch, "VirtualAlloc", [p + 0x10000, 0x2000, 0x1000, 4]);
      assert.equal(q, p + 0x10000);
      const size = arch === "x64" ? 48 : 28;
      assert.equal(k32(h, arch, "VirtualQuery", [q, v, size]), size);
      // MEMORY_BASIC_INFORMATION{,32}: BaseAddress, AllocationBase, AllocationProtect, [PartitionId,] RegionSize, State, Protect, Type
      const o = arch === "x64" ? [0, 8, 0x10, 0x18, 0x20, 0x24, 0x28] : [0, 4, 8, 12, 16, 20, 24];
      const mbi = () => [
        ptr(h, arch, v + o[0]),
        ptr(h, arch, v + o[1]),
        h.u32(v + o[2]),
        ptr(h, arch, v + o[3]),
        h.u32(v + o[4]),
        h.u32(v + o[5]),
        h.u32(v + o[6]),
      ];
      assert.deepEqual(mbi(), [q, p, 4, 0x2000, 0x1000, 4, 0x20000]);
      assert.equal(k32(h, arch, "VirtualQuery", [p + 0x12000, v, size]), size);
      assert.deepEqual(mbi().slice(3, 5), [0xee000, 0x2000]);
      assert.equal(k32(h, arch, "VirtualProtect", [q, 0x1000, 2, v + 0x80]), 1);
      assert.equal(h.u32(v + 0x80), 4);
      assert.equal(k32(h, arch, "VirtualProtect", [q, 0x1000, 4, 0]), 0);
      assert.equal(lastError(h, arch), 998);
      assert.equal(k32(h, arch, "VirtualFree", [q, 0x1000, 0x4000]), 1);
      assert.equal(k32(h, arch, "VirtualFree", [p, 0x1000, 0x8000]), 0, "MEM_RELEASE needs size 0");
      assert.equal(lastError(h, arch), 87);
      assert.equal(k32(h, arch, "VirtualFree", [p, 0, 0x8000]), 1);
      k32(h, arch, "VirtualQuery", [p, v, size]);
      assert.equal(mbi()[4], 0x10000);
      const top = arch === "x64" ? 0x800000000000 : 0x80000000;
      assert.equal(k32(h, arch, "VirtualQuery", [top, v, size]), 0);
      assert.equal(lastError(h, arch), 87);
    });

    it("CreateFileMappingW, MapViewOfFile(Ex), UnmapViewOfFile, CloseHandle", () => {
      const h = make(arch);
      const hm = k32(h, arch, "CreateFileMappingW", [m1(arch), 0, 0x04000004, 2, 0, 0]);
      assert.ok(hm > 0);
      assert.equal(lastError(h, arch), 0);
      const a = k32(h, arch, "MapViewOfFile", [hm, 2, 1, 0x10000, 0x10000]);
      assert.ok(a !== 0 && a < (arch === "x64" ? 2 ** 47 : 0x80000000), hex(a));
      assert.equal(k32(h, arch, "VirtualAlloc", [a, 0x10000, 0x1000, 4]), a);
      h.w32(a + 0x40, 0x5a5a5a5a);
      const want = 0x30000000;
      const b = k32(h, arch, "MapViewOfFileEx", [hm, 4, 1, 0x10000, 0x10000, want]);
      assert.equal(hex(b), hex(want));
      assert.equal(hex(h.u32(b + 0x40)), "0x5a5a5a5a", "views of one offset are coherent");
      setLastError(h, arch, 0);
      assert.equal(k32(h, arch, "MapViewOfFile", [hm, 2, 0, 0x1000, 0x1000]), 0);
      assert.equal(lastError(h, arch), 1132);
      assert.equal(k32(h, arch, "UnmapViewOfFile", [b]), 1);
      assert.equal(k32(h, arch, "UnmapViewOfFile", [b]), 0);
      assert.equal(lastError(h, arch), 487);
      assert.equal(k32(h, arch, "UnmapViewOfFile", [a]), 1);
      assert.equal(k32(h, arch, "CloseHandle", [hm]), 1);
      assert.equal(k32(h, arch, "CloseHandle", [hm]), 0);
      assert.equal(lastError(h, arch), 6);
      // A read-only mapping cannot be viewed for writing; a size of 0 without a file is invalid.
      const ro = k32(h, arch, "CreateFileMappingA", [m1(arch), 0, 2, 0, 0x1000, 0]);
      assert.ok(ro > 0);
      assert.equal(k32(h, arch, "MapViewOfFile", [ro, 2, 0, 0, 0]), 0);
      assert.equal(lastError(h, arch), 5);
      assert.notEqual(k32(h, arch, "MapViewOfFile", [ro, 4, 0, 0, 0]), 0);
      assert.equal(k32(h, arch, "CreateFileMappingW", [m1(arch), 0, 4, 0, 0, 0]), 0);
      assert.equal(lastError(h, arch), 87);
    });

    it("CreateFileMapping with SECURITY_ATTRIBUTES { bInheritHandle: TRUE } makes an inheritable handle", () => {
      const h = make(arch);
      const sa = h.alloc(0x100);
      h.w32(sa, 3 * P);
      h.w32(sa + 2 * P, 1);
      const hm = k32(h, arch, "CreateFileMappingW", [m1(arch), sa, 4, 0, 0x1000, 0]);
      assert.equal(h.kernel.handles.get(hm)?.inherit, true);
    });

    it("GetCommandLineA / GetCommandLineW", () => {
      const h = make(arch);
      assert.equal(h.wstring(k32(h, arch, "GetCommandLineW", [])), '"C:\\test\\prog.exe" one two');
      const a = k32(h, arch, "GetCommandLineA", []);
      assert.equal(h.cstring(a), '"C:\\test\\prog.exe" one two');
      assert.equal(k32(h, arch, "GetCommandLineA", []), a, "the same buffer every time");
    });

    it("GetModuleHandle, GetProcAddress, LoadLibrary, GetModuleFileName", () => {
      const h = make(arch);
      const v = h.alloc(0x1000);
      const k32base = h.dlls.get("kernel32", arch)!.base;
      assert.equal(k32(h, arch, "GetModuleHandleW", [0]), IMAGE_BASE);
      assert.equal(k32(h, arch, "GetModuleHandleA", [h.astring("KERNEL32")]), k32base);
      assert.equal(k32(h, arch, "GetModuleHandleW", [h.string("kernel32.dll")]), k32base);
      assert.equal(k32(h, arch, "GetModuleHandleA", [h.astring("gdi32.dll")]), 0);
      assert.equal(lastError(h, arch), 126);
      const nt = k32(h, arch, "LoadLibraryA", [h.astring("ntdll.dll")]);
      assert.equal(nt, h.dlls.get("ntdll", arch)!.base);
      assert.equal(k32(h, arch, "LoadLibraryW", [h.string("nosuch.dll")]), 0);
      assert.equal(lastError(h, arch), 126);
      assert.equal(
        k32(h, arch, "GetProcAddress", [k32base, h.astring("WriteFile")]),
        h.exportOf("kernel32", arch, "WriteFile"),
      );
      // kernel32!HeapAlloc is a forwarder to NTDLL.RtlAllocateHeap.
      assert.equal(
        k32(h, arch, "GetProcAddress", [k32base, h.astring("HeapAlloc")]),
        h.exportOf("ntdll", arch, "RtlAllocateHeap"),
      );
      assert.equal(k32(h, arch, "GetProcAddress", [k32base, h.astring("NoSuchFunction")]), 0);
      assert.equal(lastError(h, arch), 127);
      // By ordinal: the first export (ordinal base 1) of ntdll.
      const first = k32(h, arch, "GetProcAddress", [nt, 1]);
      assert.ok(first > nt && first < nt + h.dlls.get("ntdll", arch)!.size, hex(first));
      assert.equal(k32(h, arch, "GetProcAddress", [nt, 0xfff0]), 0);
      assert.equal(lastError(h, arch), 182);
      const n = k32(h, arch, "GetModuleFileNameW", [k32base, v, 0x100]);
      const path = h.dlls.get("kernel32", arch)!.path;
      assert.equal(n, path.length);
      assert.equal(h.wstring(v), path);
      assert.equal(k32(h, arch, "GetModuleFileNameA", [k32base, v, 4]), 4);
      assert.equal(h.cstring(v), path.slice(0, 3));
      assert.equal(lastError(h, arch), 122);
    });

    it("QueryPerformanceCounter/Frequency and Sleep", () => {
      const h = make(arch);
      const v = h.alloc(0x1000);
      assert.equal(k32(h, arch, "QueryPerformanceFrequency", [v]), 1);
      assert.equal(h.u64(v), 10_000_000);
      assert.equal(k32(h, arch, "QueryPerformanceCounter", [v]), 1);
      const t0 = h.u64(v);
      const r = h.call("kernel32", arch, "Sleep", [250]);
      assert.deepEqual(
        r.syscalls.map((s) => s.name),
        ["NtDelayExecution"],
      );
      k32(h, arch, "QueryPerformanceCounter", [v]);
      const dt = h.u64(v) - t0;
      assert.ok(dt >= 2_500_000 && dt < 2_510_000, String(dt));
      assert.equal(h.call("kernel32", arch, "Sleep", [0xffffffff]).stop?.kind, "blocked");
    });

    it("GetSystemInfo and GetNativeSystemInfo", () => {
      const h = make(arch);
      const v = h.alloc(0x1000);
      const read = () => {
        const rest = v + 8 + 3 * P;
        return {
          architecture: h.u16(v),
          pageSize: h.u32(v + 4),
          min: hex(ptr(h, arch, v + 8)),
          max: hex(ptr(h, arch, v + 8 + P)),
          mask: ptr(h, arch, v + 8 + 2 * P),
          processors: h.u32(rest),
          type: h.u32(rest + 4),
          granularity: hex(h.u32(rest + 8)),
          level: h.u16(rest + 12),
          revision: hex(h.u16(rest + 14)),
        };
      };
      k32(h, arch, "GetSystemInfo", [v]);
      const common = {
        pageSize: 0x1000,
        min: "0x10000",
        mask: 1,
        processors: 1,
        granularity: "0x10000",
        level: 6,
        revision: "0x5e03",
      };
      const amd64 = { architecture: 9, type: 8664 };
      assert.deepEqual(read(), {
        ...common,
        ...(arch === "x64" ? amd64 : { architecture: 0, type: 586 }),
        max: arch === "x64" ? "0x7ffffffeffff" : "0x7ffeffff",
      });
      k32(h, arch, "GetNativeSystemInfo", [v]);
      assert.deepEqual(read(), {
        ...common,
        ...amd64,
        max: arch === "x64" ? "0x7ffffffeffff" : "0x7ffeffff",
      });
    });

    it("IsWow64Process", () => {
      const h = make(arch);
      const v = h.alloc(0x1000);
      h.w32(v, 0xcccc);
      assert.equal(k32(h, arch, "IsWow64Process", [m1(arch), v]), 1);
      assert.equal(h.u32(v), arch === "x86" ? 1 : 0);
      assert.equal(k32(h, arch, "IsWow64Process", [0x7ff4, v]), 0);
      assert.equal(lastError(h, arch), 6);
    });

    it("TlsAlloc, TlsSetValue, TlsGetValue, TlsFree, with expansion slots past 64", () => {
      const h = make(arch);
      const peb = arch === "x64" ? PEB64 : PEB32;
      const first = k32(h, arch, "TlsAlloc", []);
      assert.equal(first, 0);
      assert.equal(h.u32(peb + (arch === "x64" ? 0x80 : 0x44)) & 1, 1, "PEB.TlsBitmapBits");
      assert.equal(k32(h, arch, "TlsSetValue", [first, 0x1234]), 1);
      setLastError(h, arch, 5);
      assert.equal(k32(h, arch, "TlsGetValue", [first]), 0x1234);
      assert.equal(lastError(h, arch), 0, "cleared on success");
      const indexes = [first];
      for (let i = 1; i < 70; i++) indexes.push(k32(h, arch, "TlsAlloc", []));
      assert.deepEqual(indexes.slice(60), [60, 61, 62, 63, 64, 65, 66, 67, 68, 69]);
      assert.equal(k32(h, arch, "TlsSetValue", [66, 0x6666]), 1);
      assert.equal(k32(h, arch, "TlsGetValue", [66]), 0x6666);
      assert.equal(k32(h, arch, "TlsFree", [66]), 1);
      assert.equal(k32(h, arch, "TlsFree", [66]), 0);
      assert.equal(lastError(h, arch), 87);
      assert.equal(k32(h, arch, "TlsAlloc", []), 66);
      assert.equal(k32(h, arch, "TlsGetValue", [66]), 0, "a reused index reads zero");
      assert.equal(k32(h, arch, "TlsFree", [first]), 1);
      assert.equal(k32(h, arch, "TlsGetValue", [first]), 0);
      assert.equal(k32(h, arch, "TlsGetValue", [5000]), 0);
      assert.equal(lastError(h, arch), 87);
    });

    it("ExitProcess ends the process through NtTerminateProcess", () => {
      const h = make(arch);
      const r = h.call("kernel32", arch, "ExitProcess", [3]);
      assert.deepEqual(r.stop, { kind: "exit", status: 3 });
      assert.deepEqual(
        r.syscalls.map((s) => [s.name, s.callerMode, s.args]),
        [["NtTerminateProcess", arch, [-1, 3]]],
      );
      assert.equal(h.exitStatus, 3);
    });

    it("TerminateProcess(NULL) fails with ERROR_INVALID_HANDLE", () => {
      const h = make(arch);
      assert.equal(k32(h, arch, "TerminateProcess", [0, 1]), 0);
      assert.equal(lastError(h, arch), 6);
      assert.equal(h.exitStatus, undefined);
    });

    it("ntdll!RtlNtStatusToDosError", () => {
      const h = make(arch);
      const conv = (s: number): number => h.call("ntdll", arch, "RtlNtStatusToDosError", [s]).ret;
      assert.deepEqual(
        [
          0, 0xc0000005, 0xc0000008, 0xc0000220, 0xc0000018, 0xc00000f3, 0xc0000135, 0x80070005, 0xc0001234,
        ].map(conv),
        [0, 998, 6, 1132, 487, 87, 126, 5, 317],
      );
    });
  });
}

describe("kernel32 APIs: what a program finds before the process parameters exist", () => {
  it("GetStdHandle falls back to the kernel's console handles; GetCommandLineW to a copy of the command line", () => {
    const h = new Harness({ noParameters: true });
    assert.equal(h.call("kernel32", "x64", "GetStdHandle", [0xfffffff5]).ret, h.kernel.stdHandles.output);
    assert.equal(h.wstring(h.call("kernel32", "x64", "GetCommandLineW", []).ret), h.commandLine);
  });
});
