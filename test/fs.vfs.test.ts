// The virtual file system's NT semantics on the in-memory host. Expected values from Microsoft's
// documentation: NtCreateFile (https://learn.microsoft.com/en-us/windows/win32/api/winternl/nf-winternl-ntcreatefile
// and the ZwCreateFile page it points to: the CreateDisposition table, IoStatusBlock.Information values,
// FILE_DIRECTORY_FILE / FILE_NON_DIRECTORY_FILE / FILE_DELETE_ON_CLOSE), "Creating and Opening Files"
// (https://learn.microsoft.com/en-us/windows/win32/fileio/creating-and-opening-files: the share-mode
// table), CreateFileW (hidden/system + CREATE_ALWAYS → access denied), NtQueryDirectoryFile
// (STATUS_NO_SUCH_FILE for a first query without matches, STATUS_NO_MORE_FILES after the last entry, the
// FileName expression kept from the first call), FILE_DISPOSITION_INFORMATION and
// FILE_RENAME_INFORMATION, and the NTSTATUS values of ntstatus.h.
import { strict as assert } from "node:assert";
import * as C from "../src/windows/fs/constants";
import { MemoryFsHost } from "../src/windows/fs/host";
import * as S from "../src/windows/fs/status";
import { type FsFile, type FsOpenRequest, VirtualFileSystem } from "../src/windows/fs/vfs";

const RW = C.FILE_GENERIC_READ | C.FILE_GENERIC_WRITE;
const ALL_SHARE = C.FILE_SHARE_READ | C.FILE_SHARE_WRITE | C.FILE_SHARE_DELETE;
const SYNC = C.FILE_SYNCHRONOUS_IO_NONALERT;
const enc = (s: string): Uint8Array => new TextEncoder().encode(s);
const dec = (b: Uint8Array): string => new TextDecoder().decode(b);

function setup(): { host: MemoryFsHost; vfs: VirtualFileSystem } {
  const host = new MemoryFsHost();
  host.put("app/prog.exe", "MZ");
  host.put("data/existing.txt", "hello world");
  host.putDir("data/emptydir");
  host.put("data/full/inner.txt", "x");
  const vfs = new VirtualFileSystem({
    host,
    currentDirectory: "C:\\app",
    systemFiles: [{ path: "C:\\Windows\\System32\\ntdll.dll", data: enc("ntdll64") }],
  });
  return { host, vfs };
}

function open(vfs: VirtualFileSystem, path: string, over: Partial<FsOpenRequest> = {}) {
  return vfs.open({
    path: "\\??\\C:" + path,
    access: RW | C.SYNCHRONIZE,
    share: C.FILE_SHARE_READ,
    disposition: C.FILE_OPEN,
    options: SYNC | C.FILE_NON_DIRECTORY_FILE,
    ...over,
  });
}

function mustOpen(vfs: VirtualFileSystem, path: string, over: Partial<FsOpenRequest> = {}): FsFile {
  const r = open(vfs, path, over);
  assert.equal(r.status, S.STATUS_SUCCESS, `open ${path}: 0x${r.status.toString(16)}`);
  return r.file as FsFile;
}

describe("fs vfs: NtCreateFile dispositions", () => {
  // The ZwCreateFile CreateDisposition table: what happens when the file exists / does not exist.
  const table: [string, number, [number, number], [number, number]][] = [
    [
      "FILE_SUPERSEDE",
      C.FILE_SUPERSEDE,
      [S.STATUS_SUCCESS, C.FILE_SUPERSEDED],
      [S.STATUS_SUCCESS, C.FILE_CREATED],
    ],
    [
      "FILE_OPEN",
      C.FILE_OPEN,
      [S.STATUS_SUCCESS, C.FILE_OPENED],
      [S.STATUS_OBJECT_NAME_NOT_FOUND, C.FILE_DOES_NOT_EXIST],
    ],
    [
      "FILE_CREATE",
      C.FILE_CREATE,
      [S.STATUS_OBJECT_NAME_COLLISION, C.FILE_EXISTS],
      [S.STATUS_SUCCESS, C.FILE_CREATED],
    ],
    ["FILE_OPEN_IF", C.FILE_OPEN_IF, [S.STATUS_SUCCESS, C.FILE_OPENED], [S.STATUS_SUCCESS, C.FILE_CREATED]],
    [
      "FILE_OVERWRITE",
      C.FILE_OVERWRITE,
      [S.STATUS_SUCCESS, C.FILE_OVERWRITTEN],
      [S.STATUS_OBJECT_NAME_NOT_FOUND, C.FILE_DOES_NOT_EXIST],
    ],
    [
      "FILE_OVERWRITE_IF",
      C.FILE_OVERWRITE_IF,
      [S.STATUS_SUCCESS, C.FILE_OVERWRITTEN],
      [S.STATUS_SUCCESS, C.FILE_CREATED],
    ],
  ];
  for (const [name, disp, exists, missing] of table) {
    it(`${name}: existing file → 0x${exists[0].toString(16)}/${exists[1]}`, () => {
      const { vfs, host } = setup();
      const r = open(vfs, "\\data\\existing.txt", { disposition: disp });
      assert.deepEqual([r.status, r.information], exists);
      const truncated =
        disp === C.FILE_SUPERSEDE || disp === C.FILE_OVERWRITE || disp === C.FILE_OVERWRITE_IF;
      assert.equal(dec(host.get("data/existing.txt") as Uint8Array), truncated ? "" : "hello world");
    });
    it(`${name}: missing file → 0x${missing[0].toString(16)}/${missing[1]}`, () => {
      const { vfs, host } = setup();
      const r = open(vfs, "\\data\\new.txt", { disposition: disp });
      assert.deepEqual([r.status, r.information], missing);
      assert.equal(host.get("data/new.txt") !== undefined, missing[0] === S.STATUS_SUCCESS);
    });
  }

  it("directories: create, open, collision, and the type checks", () => {
    const { vfs, host } = setup();
    const dir = { options: C.FILE_DIRECTORY_FILE | SYNC, access: C.FILE_LIST_DIRECTORY | C.SYNCHRONIZE };
    let r = open(vfs, "\\data\\newdir", { ...dir, disposition: C.FILE_CREATE });
    assert.deepEqual([r.status, r.information], [S.STATUS_SUCCESS, C.FILE_CREATED]);
    assert.ok(host.stat(["data", "newdir"])?.directory);
    r = open(vfs, "\\data\\newdir", { ...dir, disposition: C.FILE_CREATE });
    assert.equal(r.status, S.STATUS_OBJECT_NAME_COLLISION);
    r = open(vfs, "\\data\\NEWDIR", { ...dir, disposition: C.FILE_OPEN_IF });
    assert.deepEqual([r.status, r.information], [S.STATUS_SUCCESS, C.FILE_OPENED]);
    // FILE_NON_DIRECTORY_FILE on a directory; FILE_DIRECTORY_FILE on a file.
    assert.equal(open(vfs, "\\data\\emptydir").status, S.STATUS_FILE_IS_A_DIRECTORY);
    assert.equal(open(vfs, "\\data\\existing.txt", dir).status, S.STATUS_NOT_A_DIRECTORY);
    // A directory cannot be overwritten or superseded.
    r = open(vfs, "\\data\\emptydir", { disposition: C.FILE_OVERWRITE_IF, options: 0 });
    assert.equal(r.status, S.STATUS_OBJECT_NAME_COLLISION);
    // CreateDirectory on an existing file: ERROR_ALREADY_EXISTS.
    assert.equal(
      open(vfs, "\\data\\existing.txt", { ...dir, disposition: C.FILE_CREATE }).status,
      S.STATUS_OBJECT_NAME_COLLISION,
    );
    // No options: either kind opens.
    assert.equal(
      open(vfs, "\\data\\emptydir", { options: 0, access: C.FILE_READ_ATTRIBUTES }).status,
      S.STATUS_SUCCESS,
    );
  });

  it("parameter checks come first (STATUS_INVALID_PARAMETER)", () => {
    const { vfs } = setup();
    const bad: Partial<FsOpenRequest>[] = [
      { disposition: 6 },
      { options: C.FILE_DIRECTORY_FILE | C.FILE_NON_DIRECTORY_FILE },
      { options: C.FILE_DIRECTORY_FILE, disposition: C.FILE_OVERWRITE_IF },
      { options: C.FILE_DIRECTORY_FILE, disposition: C.FILE_SUPERSEDE },
      { options: C.FILE_DELETE_ON_CLOSE },
      { options: SYNC, access: C.FILE_READ_DATA },
      { options: C.FILE_SYNCHRONOUS_IO_ALERT | SYNC },
      { share: 8 },
      { options: 0x01000000 },
    ];
    for (const b of bad)
      assert.equal(open(vfs, "\\nope\\missing", b).status, S.STATUS_INVALID_PARAMETER, JSON.stringify(b));
  });

  it("NAME_NOT_FOUND vs PATH_NOT_FOUND", () => {
    const { vfs } = setup();
    assert.equal(open(vfs, "\\data\\missing.txt").status, S.STATUS_OBJECT_NAME_NOT_FOUND);
    assert.equal(open(vfs, "\\nodir\\missing.txt").status, S.STATUS_OBJECT_PATH_NOT_FOUND);
    assert.equal(
      open(vfs, "\\nodir\\missing.txt", { disposition: C.FILE_CREATE }).status,
      S.STATUS_OBJECT_PATH_NOT_FOUND,
    );
    // A file used as a directory.
    assert.equal(open(vfs, "\\data\\existing.txt\\x").status, S.STATUS_OBJECT_PATH_NOT_FOUND);
    // Another drive letter does not exist.
    assert.equal(
      vfs.open({ path: "\\??\\D:\\x", access: RW, share: 0, disposition: C.FILE_OPEN, options: 0 }).status,
      S.STATUS_OBJECT_PATH_NOT_FOUND,
    );
  });

  it("invalid names: STATUS_OBJECT_NAME_INVALID / STATUS_OBJECT_PATH_SYNTAX_BAD", () => {
    const { vfs } = setup();
    for (const p of [
      "\\data\\a*b",
      "\\data\\a?b",
      "\\data\\a<b",
      "\\data\\a|b",
      '\\data\\a"b',
      "\\data\\\\x",
      "\\data\\.\\x",
      "\\data\\..\\x",
      "\\data\\existing.txt\\",
      "\\" + "n".repeat(256),
    ]) {
      assert.equal(open(vfs, p, { disposition: C.FILE_OPEN_IF }).status, S.STATUS_OBJECT_NAME_INVALID, p);
    }
    assert.equal(
      vfs.open({ path: "data\\x", access: RW, share: 0, disposition: C.FILE_OPEN, options: 0 }).status,
      S.STATUS_OBJECT_PATH_SYNTAX_BAD,
    );
  });

  it("names are case-insensitive and case-preserving", () => {
    const { vfs, host } = setup();
    const f = mustOpen(vfs, "\\DATA\\EXISTING.TXT");
    assert.equal(f.path, "\\data\\existing.txt");
    const c = mustOpen(vfs, "\\data\\MixedCase.Txt", { disposition: C.FILE_CREATE });
    assert.equal(c.path, "\\data\\MixedCase.Txt");
    assert.ok(host.get("data/MixedCase.Txt") !== undefined);
    assert.equal(
      open(vfs, "\\data\\mixedcase.txt", { disposition: C.FILE_CREATE }).status,
      S.STATUS_OBJECT_NAME_COLLISION,
    );
  });

  it("hidden/system files refuse CREATE_ALWAYS without those attributes (CreateFileW)", () => {
    const { vfs } = setup();
    const f = mustOpen(vfs, "\\data\\existing.txt", {
      access: C.FILE_WRITE_ATTRIBUTES | C.FILE_READ_ATTRIBUTES,
      options: 0,
    });
    assert.equal(
      vfs.setBasic(f, {
        creationTime: 0n,
        lastAccessTime: 0n,
        lastWriteTime: 0n,
        changeTime: 0n,
        attributes: C.FILE_ATTRIBUTE_HIDDEN,
      }),
      S.STATUS_SUCCESS,
    );
    vfs.close(f);
    assert.equal(
      open(vfs, "\\data\\existing.txt", { disposition: C.FILE_OVERWRITE_IF }).status,
      S.STATUS_ACCESS_DENIED,
    );
    assert.equal(
      open(vfs, "\\data\\existing.txt", {
        disposition: C.FILE_OVERWRITE_IF,
        attributes: C.FILE_ATTRIBUTE_HIDDEN,
      }).status,
      S.STATUS_SUCCESS,
    );
  });
});

describe("fs vfs: share modes", () => {
  // "Creating and Opening Files": a second open succeeds only if its access is allowed by every existing
  // open's share mode and its share mode allows every existing open's access.
  const R = C.FILE_READ_DATA | C.SYNCHRONIZE;
  const W = C.FILE_WRITE_DATA | C.SYNCHRONIZE;
  const D = C.DELETE | C.SYNCHRONIZE;
  const cases: [string, number, number, number, number, boolean][] = [
    ["read/share-read then read/share-read", R, C.FILE_SHARE_READ, R, C.FILE_SHARE_READ, true],
    ["read/share-read then write", R, C.FILE_SHARE_READ, W, ALL_SHARE, false],
    [
      "read/share-rw then write/share-read",
      R,
      C.FILE_SHARE_READ | C.FILE_SHARE_WRITE,
      W,
      C.FILE_SHARE_READ,
      true,
    ],
    ["write/share-read then read/share-read", W, C.FILE_SHARE_READ, R, C.FILE_SHARE_READ, false],
    [
      "write/share-read then read/share-rw",
      W,
      C.FILE_SHARE_READ,
      R,
      C.FILE_SHARE_READ | C.FILE_SHARE_WRITE,
      true,
    ],
    ["read/share-none then read", R, 0, R, ALL_SHARE, false],
    ["read/share-read then delete", R, C.FILE_SHARE_READ, D, ALL_SHARE, false],
    [
      "read/share-delete then delete/share-read",
      R,
      C.FILE_SHARE_READ | C.FILE_SHARE_DELETE,
      D,
      C.FILE_SHARE_READ,
      true,
    ],
    ["read/share-none then attributes only", R, 0, C.FILE_READ_ATTRIBUTES | C.SYNCHRONIZE, 0, true],
    ["attributes only then read/share-none", C.FILE_READ_ATTRIBUTES | C.SYNCHRONIZE, 0, R, 0, true],
  ];
  for (const [name, a1, s1, a2, s2, ok] of cases) {
    it(`${name}: ${ok ? "succeeds" : "STATUS_SHARING_VIOLATION"}`, () => {
      const { vfs } = setup();
      mustOpen(vfs, "\\data\\existing.txt", { access: a1, share: s1 });
      const r = open(vfs, "\\data\\existing.txt", { access: a2, share: s2 });
      assert.equal(r.status, ok ? S.STATUS_SUCCESS : S.STATUS_SHARING_VIOLATION);
    });
  }

  it("closing the first handle ends the conflict", () => {
    const { vfs } = setup();
    const f = mustOpen(vfs, "\\data\\existing.txt", { share: 0 });
    assert.equal(open(vfs, "\\data\\existing.txt").status, S.STATUS_SHARING_VIOLATION);
    vfs.close(f);
    assert.equal(open(vfs, "\\data\\existing.txt").status, S.STATUS_SUCCESS);
  });
});

describe("fs vfs: read, write, information", () => {
  it("reads and writes at offsets and at the file pointer; END_OF_FILE past the end", () => {
    const { vfs, host } = setup();
    const f = mustOpen(vfs, "\\data\\existing.txt");
    let r = vfs.read(f, 5);
    assert.equal(dec(r.data), "hello");
    assert.equal(f.position, 5);
    r = vfs.read(f, 100);
    assert.equal(dec(r.data), " world");
    assert.equal(vfs.read(f, 10).status, S.STATUS_END_OF_FILE);
    assert.equal(vfs.read(f, 0).status, S.STATUS_SUCCESS);
    assert.equal(vfs.read(f, 10, 100).status, S.STATUS_END_OF_FILE);
    assert.equal(vfs.write(f, enc("HELLO"), 0).status, S.STATUS_SUCCESS);
    assert.equal(vfs.write(f, enc("!"), "end").written, 1);
    assert.equal(dec(host.get("data/existing.txt") as Uint8Array), "HELLO world!");
    assert.equal(vfs.setPosition(f, 20), S.STATUS_SUCCESS);
    vfs.write(f, enc("x"));
    assert.equal(vfs.queryStandard(f).endOfFile, 21);
    assert.equal(vfs.setEndOfFile(f, 3), S.STATUS_SUCCESS);
    assert.equal(vfs.queryStandard(f).endOfFile, 3);
    assert.equal(vfs.queryStandard(f).allocationSize, 4096);
  });

  it("checks the granted access", () => {
    const { vfs } = setup();
    const ro = mustOpen(vfs, "\\data\\existing.txt", { access: C.FILE_GENERIC_READ, share: ALL_SHARE });
    assert.equal(vfs.write(ro, enc("x"), 0).status, S.STATUS_ACCESS_DENIED);
    assert.equal(vfs.setEndOfFile(ro, 0), S.STATUS_ACCESS_DENIED);
    assert.equal(vfs.setDisposition(ro, true), S.STATUS_ACCESS_DENIED);
    const wo = mustOpen(vfs, "\\data\\existing.txt", { access: C.FILE_GENERIC_WRITE, share: ALL_SHARE });
    assert.equal(vfs.read(wo, 1, 0).status, S.STATUS_ACCESS_DENIED);
    // FILE_GENERIC_WRITE has FILE_WRITE_ATTRIBUTES but not FILE_READ_ATTRIBUTES.
    assert.equal(vfs.queryBasic(wo).status, S.STATUS_ACCESS_DENIED);
    const none = mustOpen(vfs, "\\data\\existing.txt", { access: C.SYNCHRONIZE, share: ALL_SHARE });
    assert.equal(vfs.queryBasic(none).status, S.STATUS_ACCESS_DENIED);
  });

  it("FILE_APPEND_DATA alone writes at the end", () => {
    const { vfs, host } = setup();
    const f = mustOpen(vfs, "\\data\\existing.txt", { access: C.FILE_APPEND_DATA | C.SYNCHRONIZE });
    vfs.write(f, enc("!"), 0);
    assert.equal(dec(host.get("data/existing.txt") as Uint8Array), "hello world!");
  });

  it("non-synchronous handles need an explicit offset", () => {
    const { vfs } = setup();
    const f = mustOpen(vfs, "\\data\\existing.txt", { options: 0 });
    assert.equal(vfs.read(f, 1).status, S.STATUS_INVALID_PARAMETER);
    assert.equal(dec(vfs.read(f, 1, 4).data), "o");
  });

  it("a directory is not readable as data", () => {
    const { vfs } = setup();
    const d = mustOpen(vfs, "\\data", { options: C.FILE_DIRECTORY_FILE, access: C.FILE_GENERIC_READ });
    assert.equal(vfs.read(d, 1, 0).status, S.STATUS_INVALID_DEVICE_REQUEST);
    assert.equal(vfs.queryStandard(d).directory, true);
  });

  it("basic information: attributes and times", () => {
    const { vfs } = setup();
    const f = mustOpen(vfs, "\\data\\existing.txt", { access: C.FILE_ALL_ACCESS });
    const b = vfs.queryBasic(f).info;
    assert.equal(b?.attributes, C.FILE_ATTRIBUTE_ARCHIVE);
    const t = 133000000000000000n;
    const st = vfs.setBasic(f, {
      creationTime: t,
      lastAccessTime: 0n,
      lastWriteTime: t,
      changeTime: 0n,
      attributes: C.FILE_ATTRIBUTE_NORMAL,
    });
    assert.equal(st, S.STATUS_SUCCESS);
    const b2 = vfs.queryBasic(f).info;
    assert.equal(b2?.attributes, C.FILE_ATTRIBUTE_NORMAL);
    assert.equal(b2?.creationTime, t);
    assert.equal(b2?.lastWriteTime, t);
    const dir = mustOpen(vfs, "\\data", { options: 0, access: C.FILE_READ_ATTRIBUTES });
    assert.equal(vfs.queryBasic(dir).info?.attributes, C.FILE_ATTRIBUTE_DIRECTORY);
  });

  it("the NUL device swallows writes and reads as end of file", () => {
    const { vfs } = setup();
    for (const path of ["\\??\\NUL", "\\Device\\Null"]) {
      const r = vfs.open({
        path,
        access: RW | C.SYNCHRONIZE,
        share: ALL_SHARE,
        disposition: C.FILE_OPEN,
        options: SYNC,
      });
      assert.equal(r.status, S.STATUS_SUCCESS);
      const f = r.file as FsFile;
      assert.equal(f.device, "NUL");
      assert.equal(vfs.write(f, enc("abc")).written, 3);
      assert.equal(vfs.read(f, 3).status, S.STATUS_END_OF_FILE);
    }
  });
});

describe("fs vfs: delete and rename", () => {
  it("delete disposition: pending until the last close, new opens get DELETE_PENDING", () => {
    const { vfs, host } = setup();
    const a = mustOpen(vfs, "\\data\\existing.txt", { access: C.DELETE | C.SYNCHRONIZE, share: ALL_SHARE });
    const b = mustOpen(vfs, "\\data\\existing.txt", { access: C.FILE_GENERIC_READ, share: ALL_SHARE });
    assert.equal(vfs.setDisposition(a, true), S.STATUS_SUCCESS);
    assert.equal(vfs.queryStandard(b).deletePending, true);
    assert.equal(open(vfs, "\\data\\existing.txt", { share: ALL_SHARE }).status, S.STATUS_DELETE_PENDING);
    vfs.close(a);
    assert.ok(host.get("data/existing.txt") !== undefined);
    vfs.close(b);
    assert.equal(host.get("data/existing.txt"), undefined);
  });

  it("the disposition can be cleared again", () => {
    const { vfs, host } = setup();
    const a = mustOpen(vfs, "\\data\\existing.txt", { access: C.DELETE | C.SYNCHRONIZE });
    vfs.setDisposition(a, true);
    vfs.setDisposition(a, false);
    vfs.close(a);
    assert.ok(host.get("data/existing.txt") !== undefined);
  });

  it("FILE_DELETE_ON_CLOSE deletes at close", () => {
    const { vfs, host } = setup();
    const f = mustOpen(vfs, "\\data\\tmp.txt", {
      access: RW | C.DELETE | C.SYNCHRONIZE,
      disposition: C.FILE_CREATE,
      options: SYNC | C.FILE_DELETE_ON_CLOSE,
    });
    vfs.write(f, enc("temp"));
    assert.ok(host.get("data/tmp.txt") !== undefined);
    vfs.close(f);
    assert.equal(host.get("data/tmp.txt"), undefined);
  });

  it("non-empty directories: STATUS_DIRECTORY_NOT_EMPTY; empty ones go", () => {
    const { vfs, host } = setup();
    assert.equal(vfs.deleteFile("\\??\\C:\\data\\full"), S.STATUS_DIRECTORY_NOT_EMPTY);
    assert.equal(vfs.deleteFile("\\??\\C:\\data\\emptydir"), S.STATUS_SUCCESS);
    assert.equal(host.stat(["data", "emptydir"]), undefined);
    assert.equal(vfs.deleteFile("\\??\\C:\\data\\missing"), S.STATUS_OBJECT_NAME_NOT_FOUND);
  });

  it("read-only files: STATUS_CANNOT_DELETE, and no write access", () => {
    const { vfs, host } = setup();
    host.setReadonly("data/existing.txt", true);
    assert.equal(vfs.deleteFile("\\??\\C:\\data\\existing.txt"), S.STATUS_CANNOT_DELETE);
    assert.equal(open(vfs, "\\data\\existing.txt").status, S.STATUS_ACCESS_DENIED);
    const f = mustOpen(vfs, "\\data\\existing.txt", { access: C.FILE_GENERIC_READ | C.FILE_READ_ATTRIBUTES });
    assert.equal(
      (vfs.queryBasic(f).info?.attributes ?? 0) & C.FILE_ATTRIBUTE_READONLY,
      C.FILE_ATTRIBUTE_READONLY,
    );
    assert.equal(
      open(vfs, "\\data\\existing.txt", {
        access: C.DELETE | C.SYNCHRONIZE,
        share: ALL_SHARE,
        options: SYNC | C.FILE_DELETE_ON_CLOSE,
      }).status,
      S.STATUS_CANNOT_DELETE,
    );
  });

  it("rename: same directory, other directory, collision, replace", () => {
    const { vfs, host } = setup();
    const f = mustOpen(vfs, "\\data\\existing.txt", { access: C.DELETE | C.FILE_GENERIC_READ });
    assert.equal(vfs.rename(f, "renamed.txt", false), S.STATUS_SUCCESS);
    assert.equal(f.path, "\\data\\renamed.txt");
    assert.equal(dec(host.get("data/renamed.txt") as Uint8Array), "hello world");
    assert.equal(vfs.rename(f, "\\??\\C:\\app\\moved.txt", false), S.STATUS_SUCCESS);
    assert.equal(dec(vfs.read(f, 5).data), "hello");
    assert.equal(vfs.rename(f, "\\??\\C:\\app\\prog.exe", false), S.STATUS_OBJECT_NAME_COLLISION);
    assert.equal(vfs.rename(f, "\\??\\C:\\app\\prog.exe", true), S.STATUS_SUCCESS);
    assert.equal(dec(host.get("app/prog.exe") as Uint8Array), "hello world");
    assert.equal(vfs.rename(f, "\\??\\C:\\data", true), S.STATUS_ACCESS_DENIED);
    assert.equal(vfs.rename(f, "\\??\\C:\\nodir\\x", false), S.STATUS_OBJECT_PATH_NOT_FOUND);
    assert.equal(vfs.rename(f, "\\??\\C:\\Windows\\x.txt", false), S.STATUS_ACCESS_DENIED);
    const g = mustOpen(vfs, "\\data\\full\\inner.txt", { access: C.FILE_GENERIC_READ });
    assert.equal(vfs.rename(f, "\\??\\C:\\data\\full\\inner.txt", true), S.STATUS_ACCESS_DENIED);
    vfs.close(g);
    const noDelete = mustOpen(vfs, "\\data\\full\\inner.txt", { access: C.FILE_GENERIC_READ });
    assert.equal(vfs.rename(noDelete, "y.txt", false), S.STATUS_ACCESS_DENIED);
  });

  it("rename a directory with open files below it: STATUS_ACCESS_DENIED", () => {
    const { vfs } = setup();
    const d = mustOpen(vfs, "\\data\\full", {
      access: C.DELETE | C.SYNCHRONIZE,
      options: SYNC | C.FILE_DIRECTORY_FILE,
    });
    const inner = mustOpen(vfs, "\\data\\full\\inner.txt", { access: C.FILE_GENERIC_READ });
    assert.equal(vfs.rename(d, "full2", false), S.STATUS_ACCESS_DENIED);
    vfs.close(inner);
    assert.equal(vfs.rename(d, "full2", false), S.STATUS_SUCCESS);
    assert.equal(open(vfs, "\\data\\full2\\inner.txt").status, S.STATUS_SUCCESS);
  });
});

describe("fs vfs: directory enumeration", () => {
  function names(
    vfs: VirtualFileSystem,
    path: string,
    expression?: string,
  ): { status: number; names: string[] } {
    const d = mustOpen(vfs, path, {
      access: C.FILE_LIST_DIRECTORY | C.SYNCHRONIZE,
      options: SYNC | C.FILE_DIRECTORY_FILE,
    });
    const r = vfs.queryDirectory(d, { expression });
    return { status: r.status, names: r.entries.map((e) => e.name) };
  }

  it("lists . and .. first, then names in upper-cased order", () => {
    const { vfs, host } = setup();
    host.put("data/b.txt");
    host.put("data/A.TXT");
    host.put("data/_u.txt");
    assert.deepEqual(names(vfs, "\\data").names, [
      ".",
      "..",
      "A.TXT",
      "b.txt",
      "emptydir",
      "existing.txt",
      "full",
      "_u.txt",
    ]);
  });

  it("the root has no . and .., and shows the virtual Windows folder", () => {
    const { vfs } = setup();
    assert.deepEqual(names(vfs, "\\").names, ["app", "data", "Windows"]);
  });

  it("filters with FsRtlIsNameInExpression", () => {
    const { vfs, host } = setup();
    host.put("data/notes.txt.bak");
    host.put("data/README");
    assert.deepEqual(names(vfs, "\\data", "*.TXT").names, ["existing.txt"]);
    assert.deepEqual(names(vfs, "\\data", '<"*').names, [
      ".",
      "..",
      "emptydir",
      "existing.txt",
      "full",
      "notes.txt.bak",
      "README",
    ]);
    assert.deepEqual(names(vfs, "\\data", "E*").names, ["emptydir", "existing.txt"]);
    assert.deepEqual(names(vfs, "\\data", "existing.TXT").names, ["existing.txt"]);
  });

  it("NO_SUCH_FILE for a first query without matches, NO_MORE_FILES at the end; the expression sticks", () => {
    const { vfs } = setup();
    assert.equal(names(vfs, "\\data", "*.xyz").status, S.STATUS_NO_SUCH_FILE);
    const d = mustOpen(vfs, "\\data", {
      access: C.FILE_LIST_DIRECTORY | C.SYNCHRONIZE,
      options: SYNC | C.FILE_DIRECTORY_FILE,
    });
    const one = vfs.queryDirectory(d, { expression: "e*", max: 1 });
    assert.deepEqual(
      one.entries.map((e) => e.name),
      ["emptydir"],
    );
    const two = vfs.queryDirectory(d, { expression: "*", max: 10 });
    assert.deepEqual(
      two.entries.map((e) => e.name),
      ["existing.txt"],
    );
    assert.equal(vfs.queryDirectory(d, {}).status, S.STATUS_NO_MORE_FILES);
    const again = vfs.queryDirectory(d, { restart: true });
    assert.deepEqual(
      again.entries.map((e) => e.name),
      ["emptydir", "existing.txt"],
    );
  });

  it("entries carry sizes and attributes; a file handle cannot be enumerated", () => {
    const { vfs } = setup();
    const d = mustOpen(vfs, "\\data", {
      access: C.FILE_LIST_DIRECTORY | C.SYNCHRONIZE,
      options: SYNC | C.FILE_DIRECTORY_FILE,
    });
    const e = vfs.queryDirectory(d, { expression: "existing.txt" }).entries[0];
    assert.equal(e.endOfFile, 11);
    assert.equal(e.allocationSize, 4096);
    assert.equal(e.attributes, C.FILE_ATTRIBUTE_ARCHIVE);
    const f = mustOpen(vfs, "\\data\\existing.txt");
    assert.equal(vfs.queryDirectory(f, {}).status, S.STATUS_INVALID_PARAMETER);
  });
});

describe("fs vfs: the virtual Windows tree", () => {
  it("is readable and read-only", () => {
    const { vfs } = setup();
    const f = mustOpen(vfs, "\\Windows\\System32\\NTDLL.DLL", {
      access: C.FILE_GENERIC_READ | C.FILE_GENERIC_EXECUTE,
    });
    assert.equal(dec(vfs.read(f, 100).data), "ntdll64");
    assert.equal(f.path, "\\Windows\\System32\\ntdll.dll");
    assert.equal(open(vfs, "\\Windows\\System32\\ntdll.dll").status, S.STATUS_ACCESS_DENIED);
    assert.equal(
      open(vfs, "\\Windows\\System32\\ntdll.dll", { access: C.DELETE | C.SYNCHRONIZE }).status,
      S.STATUS_ACCESS_DENIED,
    );
    assert.equal(
      open(vfs, "\\Windows\\System32\\ntdll.dll", {
        access: C.FILE_GENERIC_READ,
        disposition: C.FILE_OVERWRITE_IF,
      }).status,
      S.STATUS_ACCESS_DENIED,
    );
    assert.equal(
      open(vfs, "\\Windows\\System32\\new.dll", { disposition: C.FILE_CREATE }).status,
      S.STATUS_ACCESS_DENIED,
    );
    assert.equal(
      open(vfs, "\\Windows", { disposition: C.FILE_CREATE, options: C.FILE_DIRECTORY_FILE }).status,
      S.STATUS_OBJECT_NAME_COLLISION,
    );
    const m = mustOpen(vfs, "\\Windows\\System32\\ntdll.dll", {
      access: C.MAXIMUM_ALLOWED,
      share: ALL_SHARE,
      options: 0,
    });
    assert.equal(m.access & C.FILE_WRITE_DATA, 0);
  });

  it("has the hosts file and the exempt folders", () => {
    const { vfs } = setup();
    const f = mustOpen(vfs, "\\Windows\\System32\\drivers\\etc\\hosts", { access: C.FILE_GENERIC_READ });
    assert.match(dec(vfs.read(f, 4096).data), /localhost/);
    for (const d of ["catroot", "catroot2", "DriverStore", "LogFiles", "spool"]) {
      assert.equal(
        open(vfs, "\\Windows\\System32\\" + d, {
          access: C.FILE_LIST_DIRECTORY,
          options: C.FILE_DIRECTORY_FILE,
        }).status,
        S.STATUS_SUCCESS,
        d,
      );
    }
  });

  it("accepts the other names of drive C: and %SystemRoot%", () => {
    const { vfs } = setup();
    for (const p of [
      "\\Device\\HarddiskVolume3\\Windows\\System32\\ntdll.dll",
      "\\SystemRoot\\System32\\ntdll.dll",
      "\\GLOBAL??\\C:\\Windows\\System32\\ntdll.dll",
      "\\??\\GLOBALROOT\\Device\\HarddiskVolume3\\Windows\\System32\\ntdll.dll",
    ]) {
      const r = vfs.open({
        path: p,
        access: C.FILE_GENERIC_READ,
        share: ALL_SHARE,
        disposition: C.FILE_OPEN,
        options: 0,
      });
      assert.equal(r.status, S.STATUS_SUCCESS, p);
    }
  });

  it("relative opens use the RootDirectory file", () => {
    const { vfs } = setup();
    const d = mustOpen(vfs, "\\data", { access: C.FILE_LIST_DIRECTORY, options: C.FILE_DIRECTORY_FILE });
    const r = vfs.open({
      path: "existing.txt",
      root: d,
      access: C.FILE_GENERIC_READ,
      share: ALL_SHARE,
      disposition: C.FILE_OPEN,
      options: 0,
    });
    assert.equal(r.status, S.STATUS_SUCCESS);
    assert.equal(r.file?.path, "\\data\\existing.txt");
  });
});
