// Containment: nothing outside the sandbox folder is reachable, through the Node host on a real temporary
// folder. Each escape gets the status Windows gives for the equivalent request, or STATUS_ACCESS_DENIED
// where Windows would reach something we refuse (a link out of the folder, a raw disk).
import { strict as assert } from "node:assert";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import * as C from "../src/windows/fs/constants";
import { NodeFsHost } from "../src/windows/fs/node-host";
import { dosPathToNtPath } from "../src/windows/fs/path";
import * as S from "../src/windows/fs/status";
import { type FsFile, VirtualFileSystem } from "../src/windows/fs/vfs";

describe("fs sandbox (Node host, real folder)", () => {
  let base: string;
  let root: string;
  let outside: string;
  let vfs: VirtualFileSystem;

  before(() => {
    base = fs.mkdtempSync(path.join(os.tmpdir(), "wowdbg-fs-"));
    root = path.join(base, "sandbox");
    outside = path.join(base, "outside");
    fs.mkdirSync(path.join(root, "app"), { recursive: true });
    fs.mkdirSync(outside);
    fs.writeFileSync(path.join(outside, "secret.txt"), "secret");
    fs.writeFileSync(path.join(root, "app", "in.txt"), "inside");
    fs.symlinkSync(outside, path.join(root, "app", "link-out"), "dir");
    fs.symlinkSync(path.join(outside, "secret.txt"), path.join(root, "app", "file-out.txt"));
    fs.symlinkSync(path.join(root, "app", "in.txt"), path.join(root, "app", "link-in.txt"));
    fs.symlinkSync(path.join(base, "nowhere"), path.join(root, "app", "dangling"));
    vfs = new VirtualFileSystem({ host: new NodeFsHost(root), currentDirectory: "C:\\app" });
  });

  after(() => fs.rmSync(base, { recursive: true, force: true }));

  function openDos(dos: string, disposition = C.FILE_OPEN, options = 0): { status: number; file?: FsFile } {
    const nt = dosPathToNtPath(dos, vfs.currentDirectory);
    if (nt.status !== S.STATUS_SUCCESS) return { status: nt.status };
    return vfs.open({
      path: nt.ntPath,
      access: C.FILE_GENERIC_READ | C.FILE_GENERIC_WRITE,
      share: 7,
      disposition,
      options,
    });
  }
  function read(f: FsFile): string {
    return new TextDecoder().decode(vfs.read(f, 100, 0).data);
  }

  it("reads and creates inside the folder; relative names use the current directory", () => {
    const r = openDos("in.txt");
    assert.equal(r.status, S.STATUS_SUCCESS);
    assert.equal(read(r.file!), "inside");
    const c = openDos("C:\\app\\made.txt", C.FILE_CREATE);
    assert.equal(c.status, S.STATUS_SUCCESS);
    vfs.write(c.file!, new TextEncoder().encode("made"), 0);
    vfs.close(c.file!);
    assert.equal(fs.readFileSync(path.join(root, "app", "made.txt"), "utf8"), "made");
  });

  it("'..' beyond the root stays at the root (DOS normalisation)", () => {
    const r = openDos("..\\..\\..\\..\\outside\\secret.txt");
    assert.equal(r.status, S.STATUS_OBJECT_PATH_NOT_FOUND);
    const c = openDos("..\\..\\..\\escape.txt", C.FILE_CREATE);
    assert.equal(c.status, S.STATUS_SUCCESS);
    vfs.close(c.file!);
    assert.ok(fs.existsSync(path.join(root, "escape.txt")));
    assert.ok(!fs.existsSync(path.join(base, "escape.txt")));
  });

  it("'..' in NT paths (\\\\?\\ skips normalisation) is STATUS_OBJECT_NAME_INVALID", () => {
    assert.equal(openDos("\\\\?\\C:\\app\\..\\..\\outside\\secret.txt").status, S.STATUS_OBJECT_NAME_INVALID);
    assert.equal(
      vfs.open({
        path: "\\??\\C:\\..\\outside",
        access: C.FILE_GENERIC_READ,
        share: 7,
        disposition: C.FILE_OPEN,
        options: 0,
      }).status,
      S.STATUS_OBJECT_NAME_INVALID,
    );
  });

  it("absolute host paths are names inside C: (or not paths at all)", () => {
    assert.equal(openDos(outside + "/secret.txt").status, S.STATUS_OBJECT_PATH_NOT_FOUND);
    // \\?\/tmp/… is \??\/tmp/…: no such object-manager link.
    assert.equal(openDos("\\\\?\\" + outside + "\\secret.txt").status, S.STATUS_OBJECT_PATH_NOT_FOUND);
    assert.equal(
      vfs.open({
        path: outside + "/secret.txt",
        access: C.FILE_GENERIC_READ,
        share: 7,
        disposition: C.FILE_OPEN,
        options: 0,
      }).status,
      S.STATUS_OBJECT_PATH_SYNTAX_BAD,
    );
  });

  it("other drives, UNC shares, raw devices and the volume are refused", () => {
    assert.equal(openDos("D:\\x.txt").status, S.STATUS_OBJECT_PATH_NOT_FOUND);
    assert.equal(openDos("\\\\server\\share\\x.txt").status, S.STATUS_BAD_NETWORK_PATH);
    assert.equal(openDos("\\\\?\\UNC\\server\\share\\x.txt").status, S.STATUS_BAD_NETWORK_PATH);
    assert.equal(openDos("\\\\.\\PhysicalDrive0").status, S.STATUS_ACCESS_DENIED);
    assert.equal(openDos("\\\\.\\C:").status, S.STATUS_ACCESS_DENIED);
    assert.equal(
      vfs.open({
        path: "\\Device\\Harddisk0\\Partition0",
        access: C.FILE_GENERIC_READ,
        share: 7,
        disposition: C.FILE_OPEN,
        options: 0,
      }).status,
      S.STATUS_ACCESS_DENIED,
    );
    assert.equal(openDos("COM1").status, S.STATUS_OBJECT_NAME_NOT_FOUND);
    assert.equal(openDos("C:\\app\\NUL.txt").file?.device, "NUL");
  });

  it("alternate data streams are refused (the volume has no named streams); ::$DATA is the file", () => {
    assert.equal(openDos("in.txt:stream", C.FILE_OPEN_IF).status, S.STATUS_OBJECT_NAME_INVALID);
    assert.equal(openDos("in.txt:stream:$DATA").status, S.STATUS_OBJECT_NAME_INVALID);
    const r = openDos("in.txt::$DATA");
    assert.equal(r.status, S.STATUS_SUCCESS);
    assert.equal(read(r.file!), "inside");
    assert.deepEqual(
      fs.readdirSync(path.join(root, "app")).filter((n) => n.includes(":")),
      [],
    );
  });

  it("links that point outside are refused and hidden; links inside work", () => {
    assert.equal(openDos("link-out\\secret.txt").status, S.STATUS_ACCESS_DENIED);
    assert.equal(openDos("link-out\\new.txt", C.FILE_CREATE).status, S.STATUS_ACCESS_DENIED);
    assert.equal(openDos("file-out.txt").status, S.STATUS_ACCESS_DENIED);
    assert.equal(openDos("file-out.txt", C.FILE_OVERWRITE_IF).status, S.STATUS_ACCESS_DENIED);
    assert.equal(openDos("dangling", C.FILE_OPEN_IF).status, S.STATUS_ACCESS_DENIED);
    assert.equal(vfs.deleteFile(dosPathToNtPath("file-out.txt", "C:\\app").ntPath), S.STATUS_ACCESS_DENIED);
    assert.equal(fs.readFileSync(path.join(outside, "secret.txt"), "utf8"), "secret");
    assert.ok(!fs.existsSync(path.join(outside, "new.txt")));
    const r = openDos("link-in.txt");
    assert.equal(r.status, S.STATUS_SUCCESS);
    assert.equal(read(r.file!), "inside");
    const d = vfs.open({
      path: "\\??\\C:\\app",
      access: C.FILE_LIST_DIRECTORY,
      share: 7,
      disposition: C.FILE_OPEN,
      options: C.FILE_DIRECTORY_FILE,
    });
    const names = vfs.queryDirectory(d.file!, {}).entries.map((e) => e.name);
    assert.ok(names.includes("link-in.txt"));
    assert.ok(!names.includes("link-out") && !names.includes("file-out.txt") && !names.includes("dangling"));
  });

  it("renames cannot leave the sandbox", () => {
    const c = openDos("C:\\app\\mv.txt", C.FILE_CREATE);
    const f = c.file!;
    const del = vfs.open({
      path: "\\??\\C:\\app\\mv.txt",
      access: C.DELETE,
      share: 7,
      disposition: C.FILE_OPEN,
      options: 0,
    });
    assert.equal(vfs.rename(del.file!, "\\??\\C:\\app\\link-out\\mv.txt", false), S.STATUS_ACCESS_DENIED);
    assert.equal(vfs.rename(del.file!, "\\??\\C:\\..\\mv.txt", false), S.STATUS_OBJECT_NAME_INVALID);
    assert.equal(vfs.rename(del.file!, "..", false), S.STATUS_OBJECT_NAME_INVALID);
    assert.ok(!fs.existsSync(path.join(outside, "mv.txt")));
    vfs.close(f);
  });

  it("the host refuses hostile components itself", () => {
    const host = new NodeFsHost(root);
    for (const bad of [[".."], ["app", ".."], ["a/b"], ["a\\b"], [""], ["x:y"]]) {
      assert.throws(
        () => host.stat(bad),
        (e: { status?: number }) => e.status === S.STATUS_ACCESS_DENIED,
        JSON.stringify(bad),
      );
    }
  });
});
