/**
 * The file services on the sandboxed VFS through the real ntdll stubs (x64, and x86 through WOW64).
 *
 * Expected values (learn.microsoft.com):
 * - NtCreateFile (windows-hardware/drivers/ddi/ntifs/nf-ntifs-ntcreatefile): IoStatusBlock.Information is
 *   FILE_CREATED (2), FILE_OPENED (1), FILE_OVERWRITTEN (3); FILE_CREATE on an existing name fails with
 *   STATUS_OBJECT_NAME_COLLISION.
 * - NtReadFile (…/nf-ntifs-ntreadfile): at the end of the file STATUS_END_OF_FILE; with
 *   FILE_SYNCHRONOUS_IO_NONALERT and no ByteOffset the file pointer is used and advanced.
 * - NtQueryInformationFile (…/nf-ntifs-ntqueryinformationfile): STATUS_INFO_LENGTH_MISMATCH below the
 *   structure's size, STATUS_BUFFER_OVERFLOW when the variable part does not fit; FILE_STANDARD_INFORMATION
 *   (…/wdm/ns-wdm-_file_standard_information), FILE_NAME_INFORMATION (…/ntifs/ns-ntifs-_file_name_information),
 *   FILE_ALL_INFORMATION (…/ntifs/ns-ntifs-_file_all_information).
 * - NtQueryDirectoryFile (…/nf-ntifs-ntquerydirectoryfile): entries aligned on 8-byte boundaries, the last
 *   one's NextEntryOffset 0, ReturnSingleEntry, RestartScan, STATUS_NO_MORE_FILES;
 *   FILE_DIRECTORY_INFORMATION (…/ntifs/ns-ntifs-_file_directory_information): FileName at 0x40.
 * - NtSetInformationFile (…/nf-ntifs-ntsetinformationfile): FileDispositionInformation deletes at the last
 *   close; FileRenameInformation.
 * - File System Redirector (windows/win32/winprog64/file-system-redirector): a 32-bit caller's System32 is
 *   SysWOW64.
 */
import { strict as assert } from "node:assert";
import { MemoryFsHost } from "../src/windows/fs";
import { Harness, hex } from "./kernel-harness";

const STATUS_END_OF_FILE = 0xc0000011;
const STATUS_OBJECT_NAME_COLLISION = 0xc0000035;
const STATUS_OBJECT_NAME_NOT_FOUND = 0xc0000034;
const STATUS_INFO_LENGTH_MISMATCH = 0xc0000004;
const STATUS_BUFFER_OVERFLOW = 0x80000005;
const STATUS_NO_MORE_FILES = 0x80000006;
const STATUS_OBJECT_NAME_INVALID = 0xc0000033;
const FILE_GENERIC_READ = 0x00120089;
const FILE_GENERIC_WRITE = 0x00120116;
const DELETE = 0x10000;
const SYNC = 0x20; // FILE_SYNCHRONOUS_IO_NONALERT
const SYNCHRONIZE = 0x100000;

/** A file-system test rig over the harness: OBJECT_ATTRIBUTES and calls in either width. */
class Rig {
  readonly h: Harness;
  readonly host = new MemoryFsHost();
  readonly x86: boolean;
  readonly v: number;
  constructor(wow64: boolean) {
    this.x86 = wow64;
    this.h = new Harness({ wow64, kernel: { fileSystem: { host: this.host, currentDirectory: "C:\\" } } });
    this.v = this.h.alloc(0x10000);
  }
  get arch(): "x86" | "x64" {
    return this.x86 ? "x86" : "x64";
  }
  call(name: string, args: number[]): number {
    const r = this.h.call("ntdll", this.arch, name, args);
    assert.equal(r.stop, undefined, JSON.stringify(r.stop));
    return r.ret >>> 0;
  }
  /** OBJECT_ATTRIBUTES for `name` at v+0x100 (UNICODE_STRING at +0x140, the text at +0x200). */
  oa(name: string, root = 0): number {
    const h = this.h;
    const v = this.v;
    const text = v + 0x200;
    for (let i = 0; i < name.length; i++) h.w16(text + 2 * i, name.charCodeAt(i));
    const us = v + 0x140;
    h.w16(us, name.length * 2);
    h.w16(us + 2, name.length * 2);
    if (this.x86) {
      h.w32(us + 4, text);
      h.w32(v + 0x100, 0x18);
      h.w32(v + 0x104, root);
      h.w32(v + 0x108, us);
      h.w32(v + 0x10c, 0x40);
      h.w32(v + 0x110, 0);
      h.w32(v + 0x114, 0);
    } else {
      h.w64(us + 8, text);
      h.w32(v + 0x100, 0x30);
      h.w64(v + 0x108, root);
      h.w64(v + 0x110, us);
      h.w32(v + 0x118, 0x40);
      h.w64(v + 0x120, 0);
      h.w64(v + 0x128, 0);
    }
    return v + 0x100;
  }
  get iosb(): number {
    return this.v + 0x20;
  }
  info(): number {
    return this.x86 ? this.h.u32(this.iosb + 4) : this.h.u64(this.iosb + 8);
  }
  create(
    name: string,
    access: number,
    disposition: number,
    options = SYNC | 0x40,
  ): { status: number; h: number } {
    const out = this.v;
    this.h.w64(out, 0);
    const status = this.call("NtCreateFile", [
      out,
      access | SYNCHRONIZE,
      this.oa(name),
      this.iosb,
      0,
      0x80,
      7,
      disposition,
      options,
      0,
      0,
    ]);
    return { status, h: this.x86 ? this.h.u32(out) : this.h.u64(out) };
  }
  utf16(s: string): Uint8Array {
    const b = new Uint8Array(s.length * 2);
    for (let i = 0; i < s.length; i++) b[2 * i] = s.charCodeAt(i);
    return b;
  }
  wname(at: number, bytes: number): string {
    return String.fromCharCode(...new Uint16Array(this.h.read8(at, bytes).slice().buffer));
  }
}

for (const wow64 of [false, true]) {
  const who = wow64 ? "32-bit callers through WOW64" : "x64 callers";
  describe(`files: NT services on the sandbox, ${who}`, () => {
    it("create, write, read with the file pointer, seek, size, name, delete", () => {
      const r = new Rig(wow64);
      const { h, v } = r;
      const c = r.create(
        "\\??\\C:\\data.txt",
        FILE_GENERIC_READ | FILE_GENERIC_WRITE | DELETE,
        2 /* FILE_CREATE */,
      );
      assert.equal(hex(c.status), "0x0");
      assert.equal(r.info(), 2, "FILE_CREATED");
      assert.equal(
        hex(r.create("\\??\\C:\\DATA.TXT", FILE_GENERIC_READ, 2).status),
        hex(STATUS_OBJECT_NAME_COLLISION),
      );
      const buf = v + 0x1000;
      h.bytes(buf, new TextEncoder().encode("hello, files"));
      assert.equal(hex(r.call("NtWriteFile", [c.h, 0, 0, 0, r.iosb, buf, 12, 0, 0])), "0x0");
      assert.equal(r.info(), 12);
      // FilePositionInformation: the pointer is at 12; set it to 7 and read the rest.
      assert.equal(hex(r.call("NtQueryInformationFile", [c.h, r.iosb, v + 0x800, 8, 14])), "0x0");
      assert.equal(h.u32(v + 0x800), 12);
      h.w64(v + 0x800, 7);
      assert.equal(hex(r.call("NtSetInformationFile", [c.h, r.iosb, v + 0x800, 8, 14])), "0x0");
      assert.equal(hex(r.call("NtReadFile", [c.h, 0, 0, 0, r.iosb, buf + 0x100, 100, 0, 0])), "0x0");
      assert.equal(r.info(), 5);
      assert.equal(new TextDecoder().decode(h.read8(buf + 0x100, 5)), "files");
      assert.equal(
        hex(r.call("NtReadFile", [c.h, 0, 0, 0, r.iosb, buf + 0x100, 100, 0, 0])),
        hex(STATUS_END_OF_FILE),
      );
      // An explicit ByteOffset.
      h.w64(v + 0x900, 0);
      assert.equal(hex(r.call("NtReadFile", [c.h, 0, 0, 0, r.iosb, buf + 0x100, 5, v + 0x900, 0])), "0x0");
      assert.equal(new TextDecoder().decode(h.read8(buf + 0x100, 5)), "hello");
      // FileStandardInformation: AllocationSize 4096, EndOfFile 12, one link, not a directory.
      assert.equal(
        hex(r.call("NtQueryInformationFile", [c.h, r.iosb, v + 0x800, 0x17, 5])),
        hex(STATUS_INFO_LENGTH_MISMATCH),
      );
      assert.equal(hex(r.call("NtQueryInformationFile", [c.h, r.iosb, v + 0x800, 0x18, 5])), "0x0");
      assert.deepEqual(
        [h.u64(v + 0x800), h.u64(v + 0x808), h.u32(v + 0x810), h.read8(v + 0x814, 2)[1]],
        [4096, 12, 1, 0],
      );
      assert.equal(r.info(), 0x18);
      // FileNameInformation: "\data.txt" (18 bytes); 12 bytes of buffer: STATUS_BUFFER_OVERFLOW, 4 characters.
      assert.equal(
        hex(r.call("NtQueryInformationFile", [c.h, r.iosb, v + 0x800, 12, 9])),
        hex(STATUS_BUFFER_OVERFLOW),
      );
      assert.equal(h.u32(v + 0x800), 18);
      assert.equal(r.wname(v + 0x804, 8), "\\dat");
      assert.equal(hex(r.call("NtQueryInformationFile", [c.h, r.iosb, v + 0x800, 0x100, 9])), "0x0");
      assert.equal(r.wname(v + 0x804, 18), "\\data.txt");
      assert.equal(r.info(), 22);
      // FileAllInformation: EndOfFile at 0x30, the position at 0x50, the name at 0x64.
      assert.equal(hex(r.call("NtQueryInformationFile", [c.h, r.iosb, v + 0x800, 0x100, 18])), "0x0");
      assert.deepEqual([h.u64(v + 0x830), h.u64(v + 0x850), h.u32(v + 0x860)], [12, 5, 18]);
      assert.equal(r.wname(v + 0x864, 18), "\\data.txt");
      // FileDispositionInformation, then close: the file is gone.
      h.bytes(v + 0x800, Uint8Array.of(1));
      assert.equal(hex(r.call("NtSetInformationFile", [c.h, r.iosb, v + 0x800, 1, 13])), "0x0");
      assert.notEqual(r.host.stat(["data.txt"]), undefined, "still there while open");
      assert.equal(hex(r.call("NtClose", [c.h])), "0x0");
      assert.equal(r.host.stat(["data.txt"]), undefined);
      assert.equal(
        hex(r.call("NtQueryAttributesFile", [r.oa("\\??\\C:\\data.txt"), v + 0x800])),
        hex(STATUS_OBJECT_NAME_NOT_FOUND),
      );
    });

    it("NtQueryDirectoryFile: aligned entries, single entries, restart, the pattern, no more files", () => {
      const r = new Rig(wow64);
      const { h, v } = r;
      r.host.mkdir(["dir"]);
      for (const n of ["b.txt", "a.txt", "c.log"]) r.host.createFile(["dir", n]);
      const d = r.create("\\??\\C:\\dir", FILE_GENERIC_READ, 1, SYNC | 1 /* FILE_DIRECTORY_FILE */);
      assert.equal(hex(d.status), "0x0");
      const buf = v + 0x2000;
      // Everything at once, FileDirectoryInformation: ".", "..", "a.txt", "b.txt", "c.log".
      assert.equal(
        hex(r.call("NtQueryDirectoryFile", [d.h, 0, 0, 0, r.iosb, buf, 0x1000, 1, 0, 0, 0])),
        "0x0",
      );
      const names: string[] = [];
      let at = buf;
      for (;;) {
        assert.equal((at - buf) % 8, 0, "8-byte aligned");
        names.push(r.wname(at + 0x40, h.u32(at + 0x3c)));
        const next = h.u32(at);
        if (next === 0) break;
        at += next;
      }
      assert.deepEqual(names, [".", "..", "a.txt", "b.txt", "c.log"]);
      assert.equal(r.info(), at - buf + 0x40 + 10, "Information ends at the last entry's name");
      assert.equal(
        hex(r.call("NtQueryDirectoryFile", [d.h, 0, 0, 0, r.iosb, buf, 0x1000, 1, 0, 0, 0])),
        hex(STATUS_NO_MORE_FILES),
      );
      // RestartScan with a pattern, one entry at a time (FileNamesInformation: FileName at 0xC).
      const pat = "*.txt";
      const us = v + 0x3000;
      h.bytes(v + 0x3100, r.utf16(pat));
      h.w16(us, 10);
      h.w16(us + 2, 10);
      if (wow64) h.w32(us + 4, v + 0x3100);
      else h.w64(us + 8, v + 0x3100);
      const got: string[] = [];
      let restart = 1;
      let usArg = us;
      for (;;) {
        const s = r.call("NtQueryDirectoryFile", [d.h, 0, 0, 0, r.iosb, buf, 0x1000, 12, 1, usArg, restart]);
        if (s === STATUS_NO_MORE_FILES) break;
        assert.equal(hex(s), "0x0");
        assert.equal(h.u32(buf), 0, "a single entry");
        got.push(r.wname(buf + 0xc, h.u32(buf + 8)));
        restart = 0;
        usArg = 0;
      }
      assert.deepEqual(got, ["a.txt", "b.txt"]);
      // FileBothDirectoryInformation, a buffer for one entry and a half: the second waits for the next call.
      assert.equal(hex(r.call("NtQueryDirectoryFile", [d.h, 0, 0, 0, r.iosb, buf, 0x70, 3, 0, 0, 1])), "0x0");
      assert.equal(h.u32(buf), 0);
      assert.equal(r.wname(buf + 0x5e, 2), "a");
      assert.equal(
        hex(r.call("NtQueryDirectoryFile", [d.h, 0, 0, 0, r.iosb, buf, 0x10, 3, 0, 0, 0])),
        hex(STATUS_INFO_LENGTH_MISMATCH),
      );
      // FileIdBothDirectoryInformation: the name at 0x68.
      assert.equal(
        hex(r.call("NtQueryDirectoryFile", [d.h, 0, 0, 0, r.iosb, buf, 0x100, 37, 1, 0, 0])),
        "0x0",
      );
      assert.equal(r.wname(buf + 0x68, 10), "b.txt");
      assert.notEqual(h.u64(buf + 0x60), 0, "a FileId");
      assert.equal(hex(r.call("NtClose", [d.h])), "0x0");
    });

    it("rename, NtDeleteFile, alternate streams refused", () => {
      const r = new Rig(wow64);
      const { h, v } = r;
      r.host.createFile(["old.txt"]);
      const f = r.create("\\??\\C:\\old.txt", FILE_GENERIC_READ | DELETE, 1);
      assert.equal(hex(f.status), "0x0");
      const info = v + 0x4000;
      const target = r.utf16("\\??\\C:\\new.txt");
      if (wow64) {
        h.w32(info, 0);
        h.w32(info + 4, 0);
        h.w32(info + 8, target.length);
        h.bytes(info + 0xc, target);
      } else {
        h.w64(info, 0);
        h.w64(info + 8, 0);
        h.w32(info + 0x10, target.length);
        h.bytes(info + 0x14, target);
      }
      const len = (wow64 ? 0xc : 0x14) + target.length;
      assert.equal(hex(r.call("NtSetInformationFile", [f.h, r.iosb, info, len, 10])), "0x0");
      r.call("NtClose", [f.h]);
      assert.equal(r.host.stat(["old.txt"]), undefined);
      assert.notEqual(r.host.stat(["new.txt"]), undefined);
      assert.equal(hex(r.call("NtDeleteFile", [r.oa("\\??\\C:\\new.txt")])), "0x0");
      assert.equal(r.host.stat(["new.txt"]), undefined);
      assert.equal(
        hex(r.create("\\??\\C:\\x.txt:stream", FILE_GENERIC_WRITE, 2).status),
        hex(STATUS_OBJECT_NAME_INVALID),
      );
    });

    it("System32 is the caller's: the image's Machine tells which kernel32.dll was opened", () => {
      const r = new Rig(wow64);
      const { h, v } = r;
      const f = r.create("\\??\\C:\\Windows\\System32\\kernel32.dll", FILE_GENERIC_READ, 1);
      assert.equal(hex(f.status), "0x0");
      assert.equal(hex(r.call("NtReadFile", [f.h, 0, 0, 0, r.iosb, v + 0x5000, 0x1000, 0, 0])), "0x0");
      const peOff = h.u32(v + 0x5000 + 0x3c);
      assert.equal(hex(h.u16(v + 0x5000 + peOff + 4)), wow64 ? "0x14c" : "0x8664");
      // Writing into the Windows tree is refused.
      assert.equal(
        hex(r.create("\\??\\C:\\Windows\\System32\\x.dll", FILE_GENERIC_WRITE, 2).status),
        "0xc0000022",
      );
    });
  });
}
