// WOW64 file system redirection, from Microsoft's "File System Redirector"
// (https://learn.microsoft.com/en-us/windows/win32/winprog64/file-system-redirector): 32-bit callers'
// %windir%\System32 goes to %windir%\SysWOW64, %windir%\lastgood\system32 to lastgood\SysWOW64 and
// %windir%\regedit.exe to SysWOW64\regedit.exe; catroot, catroot2, driverstore, drivers\etc, logfiles
// and spool are exempt; %windir%\Sysnative reaches the native System32 from 32-bit code only;
// Wow64DisableWow64FsRedirection / Wow64RevertWow64FsRedirection act on the calling thread.
import { strict as assert } from "node:assert";
import * as C from "../src/windows/fs/constants";
import { MemoryFsHost } from "../src/windows/fs/host";
import { wow64RedirectPath } from "../src/windows/fs/redirect";
import * as S from "../src/windows/fs/status";
import { type FsCaller, VirtualFileSystem } from "../src/windows/fs/vfs";

const enc = (s: string): Uint8Array => new TextEncoder().encode(s);
const W = "\\??\\C:\\Windows\\";

describe("fs redirect: the path rules", () => {
  const cases: [string, string][] = [
    ["System32\\kernel32.dll", "SysWOW64\\kernel32.dll"],
    ["system32", "SysWOW64"],
    ["SYSTEM32\\Sub\\x.dll", "SysWOW64\\Sub\\x.dll"],
    ["System32\\drivers\\x.sys", "SysWOW64\\drivers\\x.sys"],
    ["System32\\catroot\\x", "System32\\catroot\\x"],
    ["System32\\catroot2", "System32\\catroot2"],
    ["System32\\DriverStore\\FileRepository", "System32\\DriverStore\\FileRepository"],
    ["System32\\drivers\\etc\\hosts", "System32\\drivers\\etc\\hosts"],
    ["System32\\LogFiles\\x.log", "System32\\LogFiles\\x.log"],
    ["System32\\spool\\drivers", "System32\\spool\\drivers"],
    ["System32\\catroot3", "SysWOW64\\catroot3"],
    ["Sysnative\\kernel32.dll", "System32\\kernel32.dll"],
    ["Sysnative\\drivers\\x.sys", "System32\\drivers\\x.sys"],
    ["lastgood\\system32\\x.dll", "lastgood\\SysWOW64\\x.dll"],
    ["regedit.exe", "SysWOW64\\regedit.exe"],
    ["notepad.exe", "notepad.exe"],
    ["SysWOW64\\x.dll", "SysWOW64\\x.dll"],
    ["System32x\\y", "System32x\\y"],
  ];
  for (const [from, to] of cases) {
    it(`%windir%\\${from} → %windir%\\${to}`, () => assert.equal(wow64RedirectPath(W + from), W + to));
  }
  it("leaves other paths alone", () => {
    assert.equal(wow64RedirectPath("\\??\\C:\\System32\\x"), "\\??\\C:\\System32\\x");
    assert.equal(wow64RedirectPath("\\??\\C:\\Program Files\\x"), "\\??\\C:\\Program Files\\x");
  });
});

describe("fs redirect: what each bitness sees", () => {
  function setup(): VirtualFileSystem {
    return new VirtualFileSystem({
      host: new MemoryFsHost(),
      systemFiles: [
        { path: "C:\\Windows\\System32\\kernel32.dll", data: enc("kernel32 x64") },
        { path: "C:\\Windows\\SysWOW64\\kernel32.dll", data: enc("kernel32 x86") },
        { path: "C:\\Windows\\regedit.exe", data: enc("regedit x64") },
        { path: "C:\\Windows\\SysWOW64\\regedit.exe", data: enc("regedit x86") },
        { path: "C:\\Windows\\System32\\drivers\\x64only.sys", data: enc("driver") },
      ],
    });
  }
  const x86: FsCaller = { wow64: true, threadId: 1 };
  const x64: FsCaller = { wow64: false, threadId: 1 };
  function read(vfs: VirtualFileSystem, path: string, caller: FsCaller): string | number {
    const r = vfs.open({
      path: W + path,
      access: C.FILE_GENERIC_READ,
      share: 7,
      disposition: C.FILE_OPEN,
      options: 0,
      caller,
    });
    if (r.file === undefined) return r.status;
    const s = new TextDecoder().decode(vfs.read(r.file, 4096, 0).data);
    vfs.close(r.file);
    return s;
  }

  it("System32 for 64-bit callers, SysWOW64 for 32-bit ones", () => {
    const vfs = setup();
    assert.equal(read(vfs, "System32\\kernel32.dll", x64), "kernel32 x64");
    assert.equal(read(vfs, "System32\\kernel32.dll", x86), "kernel32 x86");
    assert.equal(read(vfs, "SysWOW64\\kernel32.dll", x64), "kernel32 x86");
    assert.equal(read(vfs, "regedit.exe", x64), "regedit x64");
    assert.equal(read(vfs, "regedit.exe", x86), "regedit x86");
  });

  it("the exempt folders are the same for both", () => {
    const vfs = setup();
    assert.match(String(read(vfs, "System32\\drivers\\etc\\hosts", x86)), /localhost/);
    assert.match(String(read(vfs, "System32\\drivers\\etc\\hosts", x64)), /localhost/);
    // drivers itself is redirected: SysWOW64\drivers has no x64only.sys.
    assert.equal(read(vfs, "System32\\drivers\\x64only.sys", x64), "driver");
    assert.equal(read(vfs, "System32\\drivers\\x64only.sys", x86), S.STATUS_OBJECT_NAME_NOT_FOUND);
  });

  it("Sysnative: the native System32 for 32-bit callers, NAME_NOT_FOUND for 64-bit ones", () => {
    const vfs = setup();
    assert.equal(read(vfs, "Sysnative\\kernel32.dll", x86), "kernel32 x64");
    assert.equal(read(vfs, "Sysnative\\kernel32.dll", x64), S.STATUS_OBJECT_PATH_NOT_FOUND);
    assert.equal(read(vfs, "Sysnative", x64), S.STATUS_OBJECT_NAME_NOT_FOUND);
    // It is not listed.
    const d = vfs.open({
      path: "\\??\\C:\\Windows",
      access: C.FILE_LIST_DIRECTORY,
      share: 7,
      disposition: C.FILE_OPEN,
      options: C.FILE_DIRECTORY_FILE,
      caller: x86,
    });
    const names = vfs.queryDirectory(d.file!, {}).entries.map((e) => e.name);
    assert.ok(!names.includes("Sysnative"));
    assert.ok(names.includes("System32") && names.includes("SysWOW64"));
  });

  it("disable/revert per thread, nested", () => {
    const vfs = setup();
    const other: FsCaller = { wow64: true, threadId: 2 };
    assert.equal(vfs.redirectionEnabled(1), true);
    const old1 = vfs.redirection.disable(1);
    assert.equal(vfs.redirectionEnabled(1), false);
    assert.equal(read(vfs, "System32\\kernel32.dll", x86), "kernel32 x64");
    assert.equal(read(vfs, "regedit.exe", x86), "regedit x64");
    // Our choice: with redirection disabled Sysnative is not translated either.
    assert.equal(read(vfs, "Sysnative\\kernel32.dll", x86), S.STATUS_OBJECT_PATH_NOT_FOUND);
    // Thread 2 is unaffected.
    assert.equal(read(vfs, "System32\\kernel32.dll", other), "kernel32 x86");
    const old2 = vfs.redirection.disable(1);
    vfs.redirection.revert(1, old2);
    assert.equal(vfs.redirectionEnabled(1), false);
    vfs.redirection.revert(1, old1);
    assert.equal(vfs.redirectionEnabled(1), true);
    assert.equal(read(vfs, "System32\\kernel32.dll", x86), "kernel32 x86");
  });

  it("applies to creation too (a 32-bit program writing into System32 is sent to SysWOW64)", () => {
    const vfs = setup();
    const r = vfs.open({
      path: W + "System32\\new.dll",
      access: C.FILE_GENERIC_WRITE,
      share: 0,
      disposition: C.FILE_CREATE,
      options: 0,
      caller: x86,
    });
    assert.equal(r.status, S.STATUS_ACCESS_DENIED);
    assert.equal(vfs.queryAttributes(W + "System32\\kernel32.dll", x86).endOfFile, "kernel32 x86".length);
    assert.equal(
      vfs.queryAttributes("\\SystemRoot\\System32\\kernel32.dll", x86).endOfFile,
      "kernel32 x86".length,
    );
  });
});
