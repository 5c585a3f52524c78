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

/**
 * realworld2_{32,64}.exe: a wmain program (-municode) — msvcrt's wide start-up, shell32!CommandLineToArgvW,
 * user32!CharUpperA/CharLowerA, perror, fputwc, getwc/ungetwc, _filelengthi64, mbstowcs/wcstombs,
 * strcpy_s/strcat_s and the "C" locale functions (src/windows/api/crt-extra.ts, shell32.ts, user32.ts).
 * Sources: test/fixtures/EXPECTED.md and the comments below.
 */
const EXPECTED2 = [
  // __wgetmainargs: the command line split as the C runtime documents ("Parsing C command-line arguments").
  "wmain argc 3 <one> <two three> envp>0 1",
  // CommandLineToArgvW: the examples of "Parsing C command-line arguments" follow the rules its own page
  // documents (2n backslashes + quote: n backslashes and a toggle; 2n+1: n backslashes and a literal
  // quote; backslashes not before a quote are literal); the array ends with a NULL pointer.
  "[4] <p.exe> <a b c> <d> <e> end NULL 1",
  '[4] <p.exe> <ab"c> <\\> <d> end NULL 1',
  "[4] <p.exe> <a\\\\\\b> <de fg> <h> end NULL 1",
  '[4] <p.exe> <a\\"b> <c> <d> end NULL 1',
  "[4] <p.exe> <a\\\\b c> <d> <e> end NULL 1",
  "[2] <C:\\Program Files\\p.exe> <x> end NULL 1",
  // "If this parameter is an empty string the function returns the path to the current executable file."
  "empty: 1 is module 1",
  // CharUpperA: the string converted in place; a pointer whose high word is 0 is one character.
  "CharUpperA MIXED CASE 1 CharLowerA(Q) q",
  // fopen of a missing file: NULL and ENOENT (2); perror's lines are on stderr (below).
  "fopen 1 errno 2",
  // fputwc: the character written; WEOF and EILSEQ (42) for a character the "C" locale cannot convert.
  "W fputwc 1 1 errno 42",
  // mbstowcs: NULL destination → the size needed; `count` reached → not terminated (wb[3] untouched);
  // wcstombs: (size_t)-1 and EILSEQ for an unconvertible character.
  "mbstowcs 3 3 # wcstombs 3 xyz 1 errno 42",
  // strcpy_s/strcat_s: 0; too small → ERANGE (34) and strDestination[0] = 0; NULL source → EINVAL (22).
  "strcpy_s 0 strcat_s 0 abcdxyz full 34 0 small 34 0 null 22 0 errno 22",
  // "C" locale: strcoll = strcmp order; strxfrm returns the length; towupper/towlower; iswctype classes.
  "strcoll 1 0 wcscoll 1 strxfrm 5",
  "towupper A towlower q iswctype 1 0 1",
  // wcsftime: the characters stored without the NUL.
  "wcsftime 19 2023-09-01 12:34:56",
  // _filelengthi64: the file's length; -1 and EBADF (9) for a descriptor that is not open.
  "_filelengthi64 2 bad -1 errno 9",
  // getwc/ungetwc: the pushed-back character comes first, then the file's; WEOF at the end.
  "getwc x Q Q y 1",
]
  .map((l) => l + "\r\n")
  .join("");

for (const bits of [32, 64] as const) {
  describe(`realworld2_${bits}.exe (wmain, shell32, user32) through Process`, () => {
    it("prints Microsoft's documented results and returns argc", () => {
      const con = new BufferConsole();
      const p = Process.create({
        file: readFileSync(`${BIN}/realworld2_${bits}.exe`),
        name: `realworld2_${bits}.exe`,
        args: ["one", "two three"],
        console: con,
        fileSystem: { host: new MountFsHost(new MemoryFsHost(), { app: new MemoryFsHost() }) },
        kernel: (pp) => new Kernel(pp),
      });
      const stop = p.run(100_000_000);
      assert.equal(stop.kind, "exit", JSON.stringify(stop));
      assert.equal(stop.kind === "exit" ? stop.status : -1, 3);
      assert.equal(con.stdout, EXPECTED2);
      // perror: "string: message\n", or only the message for NULL (strerror's texts, ENOENT and EINVAL).
      assert.equal(con.stderr, "missing.txt: No such file or directory\r\nInvalid argument\r\n");
      // shell32 and user32 were mapped from the system directory of the program's architecture.
      const dir = bits === 64 ? "System32" : "SysWOW64";
      for (const dll of ["SHELL32.dll", "USER32.dll"])
        assert.ok(
          p.modules.modules.some((m) => m.path === `C:\\Windows\\${dir}\\${dll}`),
          dll,
        );
    });
  });
}
