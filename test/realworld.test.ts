/**
 * test/fixtures/bin/realworld{32,64}.exe — an ordinary console program built with mingw-w64's default C
 * runtime (issue 7) — run through Process: version, environment, paths, time conversions, system messages,
 * private heaps and LocalAlloc/GlobalAlloc, console queries and lstr* functions of kernelbase
 * (src/windows/api/sysinfo.ts, environment.ts, console-ext.ts, kernel32-misc.ts). Every expected line is
 * Microsoft's documented behaviour; the source of each is given in test/fixtures/EXPECTED.md and below.
 */
import { strict as assert } from "node:assert";
import { readFileSync } from "node:fs";
import { MemoryFsHost, MountFsHost } from "../src/windows/fs";
import { Kernel } from "../src/windows/kernel";
import type { SyscallRecord } from "../src/windows/kernel/types";
import { BufferConsole, Process } from "../src/windows/process";

const BIN = "test/fixtures/bin";

/** The program's output (msvcrt text mode: LF → CR LF; FormatMessage's own CR LF becomes CR CR LF). */
const EXPECTED = [
  // GetVersionExA remarks: not manifested for Windows 8.1/10 → 6.2 (build 9200); VER_PLATFORM_WIN32_NT = 2.
  "GetVersionExA 1 6.2.9200 platform 2",
  // GetVersion: major in the low byte, minor in the next, build in the high word.
  "GetVersion 6.2 build 9200",
  // GetVersionExA with a wrong dwOSVersionInfoSize fails with ERROR_INSUFFICIENT_BUFFER (122).
  "GetVersionExA(bad size) 0 err 122",
  // RtlGetVersion: STATUS_SUCCESS and the real version, 10.0 on Windows 10 and 11.
  "RtlGetVersion 0 10.0",
  // GetEnvironmentVariable: 0 and ERROR_ENVVAR_NOT_FOUND (203); the length without the NUL; names compare
  // case-insensitively; a too-small buffer gives the size needed including the NUL.
  "GetEnvironmentVariableA(missing) 0 err 203",
  "SetEnvironmentVariableA 1",
  "GetEnvironmentVariableA 5 [value]",
  "GetEnvironmentVariableA(small) 6",
  "GetEnvironmentVariableW 5 [value]",
  // getenv (CRT docs): works on the CRT's copy of the environment, not the process's, so NULL.
  "getenv after SetEnvironmentVariable NULL",
  // ExpandEnvironmentStrings: the size including the NUL; an undefined variable's reference is left as is.
  "ExpandEnvironmentStringsA 32 [<value|%WOWDBG_REALWORLD_NONE%>]",
  "after delete 0 err 203",
  "GetEnvironmentStringsA has WOWDBG_RW 0, FreeEnvironmentStringsA 1",
  // GetFullPathName: ".." removed, length without the NUL, lpFilePart at the last component (NULL for a
  // path ending in a backslash), the size needed including the NUL when the buffer is too small.
  "GetFullPathNameA 16 [C:\\one\\three.txt] part [three.txt]",
  "GetFullPathNameA(dir) 11 [C:\\one\\two\\] part NULL",
  "GetFullPathNameA(small) 17",
  "GetWindowsDirectoryA(small) > 1: 1",
  "GetTempPathA ends with backslash 1",
  // FILETIME: 100 ns intervals since 1601-01-01 UTC (a Monday); 2000-01-01 = 125911584000000000.
  "SystemTimeToFileTime(2000-01-01) 1 01bf53eb256d4000",
  "FileTimeToSystemTime(0) 1 1601-01-01 dow 1 00:00:00.000",
  "FileTimeToSystemTime 1 2023-09-01 dow 5 12:34:56.789",
  // SystemTimeToFileTime: an invalid SYSTEMTIME fails; the last error is ERROR_INVALID_PARAMETER.
  "SystemTimeToFileTime(2023-02-29) 0 err 87",
  // System Error Codes (0-499): the texts of 2, 5 and 6; FormatMessage returns the characters stored
  // without the NUL, 0 and ERROR_INSUFFICIENT_BUFFER when nSize is too small.
  "FormatMessageA(2) 44: The system cannot find the file specified.\r",
  "FormatMessageW(5, small) 0 err 122",
  "FormatMessageA(6, allocate) 24: The handle is invalid.\r",
  // LocalFree: NULL on success.
  "LocalFree NULL 1",
  // CreateFile on a path whose directory does not exist: ERROR_PATH_NOT_FOUND (3).
  "CreateFileA(missing path) 1 err 3",
  "HeapCreate 1 HeapAlloc zeroed 1 HeapSize 100",
  "HeapReAlloc keeps data 1 HeapSize 3000",
  "HeapValidate 1 HeapFree 1 HeapDestroy 1",
  "LocalAlloc zeroed 1 GlobalAlloc zeroed 1",
  "LocalFree NULL 1 GlobalFree NULL 1 LocalFree(NULL) NULL 1",
  // GlobalMemoryStatusEx: dwLength must be sizeof(MEMORYSTATUSEX).
  "GlobalMemoryStatusEx(bad length) 0 err 87",
  "GlobalMemoryStatusEx 1 avail <= total 1",
  "GetSystemInfo page 4096 granularity 65536",
  // GetConsoleMode on a handle that is not a console handle: ERROR_INVALID_HANDLE (6); GetFileType of a
  // disk file: FILE_TYPE_DISK (1).
  "GetConsoleMode(file) 0 err 6",
  "GetFileType(file) 1",
  // GetComputerName with a small buffer: ERROR_BUFFER_OVERFLOW (111) and the size needed in *nSize.
  "GetComputerNameA(small) 0 err 111 size > 1 1",
  "lstrlenA 5 lstrlenW 4 lstrlenA(NULL) 0",
  // lstrcmp(i): negative / zero / positive (CompareString's order).
  "lstrcmpiA 0 lstrcmpA -1 lstrcmpA 1",
]
  .map((l) => l + "\r\n")
  .join("");

for (const bits of [32, 64] as const) {
  describe(`realworld${bits}.exe (default mingw-w64 C runtime) through Process`, () => {
    it("prints Microsoft's documented results and exits with 0", () => {
      const con = new BufferConsole();
      const syscalls: SyscallRecord[] = [];
      const t0 = performance.now();
      const p = Process.create({
        file: readFileSync(`${BIN}/realworld${bits}.exe`),
        name: `realworld${bits}.exe`,
        console: con,
        // C:\app writable, as a user's program folder is (the program creates and deletes realworld.tmp).
        fileSystem: { host: new MountFsHost(new MemoryFsHost(), { app: new MemoryFsHost() }) },
        kernel: (pp) => {
          const k = new Kernel(pp);
          k.onSyscall = (r) => syscalls.push(r);
          return k;
        },
      });
      const stop = p.run(100_000_000);
      console.log(
        `      realworld${bits}.exe: ${(performance.now() - t0).toFixed(1)} ms, ${p.cpu.icount} instructions`,
      );
      assert.equal(stop.kind, "exit", JSON.stringify(stop));
      assert.equal(stop.kind === "exit" ? stop.status : -1, 0);
      assert.equal(con.stdout, EXPECTED);
      assert.equal(con.stderr, "");
      // CreateFileA's missing path went to the kernel (NtCreateFile), the output through NtWriteFile.
      assert.ok(syscalls.some((s) => s.name === "NtCreateFile"));
      assert.ok(syscalls.some((s) => s.name === "NtWriteFile"));
    });
  });
}
