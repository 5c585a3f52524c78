/**
 * The kernel32/kernelbase file APIs over the sandboxed file system (../kernel/file-io.ts), as bridges
 * around the NT call each makes on Windows (the call is visible and breakable, and goes through WOW64 for
 * 32-bit code). Where Windows makes two system calls (FindFirstFile: NtOpenFile + NtQueryDirectoryFile;
 * DeleteFile / RemoveDirectory: NtOpenFile + NtSetInformationFile + NtClose; SetFilePointer from the
 * current position or the end: a query first), the bridge makes the principal one and does the others in
 * the kernel directly.
 *
 * Each bridge keeps its NT structures (OBJECT_ATTRIBUTES, UNICODE_STRING, IO_STATUS_BLOCK, the path, a
 * directory buffer) in a per-thread scratch block. A failure found before the call (a bad DOS path, a bad
 * argument) is kept in local 0 as the Win32 error; the call is then made on handle 0 / a NULL name and
 * fails, and `post` reports the kept error.
 *
 * Path conversion is RtlDosPathNameToNtPathName_U against the process's current directory. The find
 * handle is the directory's file handle (Windows returns a pointer to its own FIND_FIRST block).
 * FindFirstFile reports no 8.3 name (cAlternateFileName empty), as on a volume with short names off.
 */
import type { Kernel } from "../kernel/kernel";
import { DiskFileObject, fileSystemOf } from "../kernel/file-io";
import { dosPathToNtPath, win32PatternToNtExpression, type VirtualFileSystem } from "../fs";
import { STATUS_SUCCESS, ntSuccess } from "../kernel/status";
import { unimplemented } from "../kernel/context";
import {
  api,
  bridge,
  FALSE,
  INVALID_HANDLE_VALUE,
  TRUE,
  type ApiCall,
  type ApiFamily,
  type BridgeCall,
} from "./context";
import {
  ERROR_ACCESS_DENIED,
  ERROR_ALREADY_EXISTS,
  ERROR_INVALID_FUNCTION,
  ERROR_INVALID_PARAMETER,
} from "./errors";
import { allocateData, setLastNtError, toAnsi } from "./state";

export const ERROR_FILE_NOT_FOUND = 2;
export const ERROR_PATH_NOT_FOUND = 3;
export const ERROR_NO_MORE_FILES = 18;
export const ERROR_FILE_EXISTS = 80;
export const ERROR_NEGATIVE_SEEK = 131;
export const ERROR_DIR_NOT_EMPTY = 145;
export const ERROR_FILENAME_EXCED_RANGE = 206;
const INVALID_FILE_SIZE = 0xffffffff;
const INVALID_FILE_ATTRIBUTES = 0xffffffff;

const STATUS_OBJECT_NAME_COLLISION = 0xc0000035;
const STATUS_FILE_IS_A_DIRECTORY = 0xc00000ba;
const STATUS_NO_SUCH_FILE = 0xc000000f;
const STATUS_NO_MORE_FILES = 0x80000006;
const STATUS_OBJECT_NAME_NOT_FOUND = 0xc0000034;

// NT values (ntifs.h / winnt.h)
const SYNCHRONIZE = 0x100000;
const DELETE = 0x10000;
const FILE_READ_ATTRIBUTES = 0x80;
const FILE_LIST_DIRECTORY = 0x1;
const FILE_DIRECTORY_FILE = 0x1;
const FILE_SYNCHRONOUS_IO_NONALERT = 0x20;
const FILE_NON_DIRECTORY_FILE = 0x40;
const FILE_DELETE_ON_CLOSE = 0x1000;
const FILE_OPEN_FOR_BACKUP_INTENT = 0x4000;
const FILE_OPEN_REPARSE_POINT = 0x200000;
const FILE_WRITE_THROUGH = 0x2;
const FILE_SEQUENTIAL_ONLY = 0x4;
const FILE_NO_INTERMEDIATE_BUFFERING = 0x8;
const FILE_RANDOM_ACCESS = 0x800;
const FILE_OPENED = 1;
const FILE_OVERWRITTEN = 3;
const OBJ_CASE_INSENSITIVE = 0x40;
const OBJ_INHERIT = 0x2;
const FileBothDirectoryInformation = 3;
const FileStandardInformation = 5;
const FilePositionInformation = 14;
const FileRenameInformation = 10;

// Scratch block layout (per thread and architecture).
const S_OA = 0x0;
const S_US = 0x40;
const S_IOSB = 0x60;
const S_PATTERN = 0x80;
const S_AUX = 0xa0;
const S_TEXT = 0x100;
const S_TEXT_MAX = 0x1000;
const S_PATTERN_TEXT = 0x1100;
const S_DIR = 0x1400;
const S_DIR_SIZE = 0x1000;
const SCRATCH_SIZE = 0x3000;

const scratches = new WeakMap<Kernel, Map<string, number>>();

function scratch(c: ApiCall): number {
  let m = scratches.get(c.kernel);
  if (m === undefined) scratches.set(c.kernel, (m = new Map()));
  const key = `${c.thread.id}/${c.arch}`;
  let s = m.get(key);
  if (s === undefined) m.set(key, (s = allocateData(c, SCRATCH_SIZE)));
  return s;
}

function vfsOf(c: ApiCall): VirtualFileSystem {
  return fileSystemOf(c.kernel);
}

/** The API's path argument (W or A by the export's name). */
function pathArg(c: ApiCall, i: number): string {
  const p = c.arg(i);
  if (p === 0) return "";
  return c.entry.name.endsWith("A") || c.entry.name.endsWith("A$pre") || c.entry.name.endsWith("A$post")
    ? c.mem.cString(p)
    : c.mem.wString(p);
}

function isAnsi(c: ApiCall): boolean {
  return /A(\$pre|\$post)?$/.test(c.entry.name);
}

/** Writes a UNICODE_STRING at `us` for `text` (stored at `at`). */
function unicodeString(c: ApiCall, us: number, at: number, text: string): void {
  for (let i = 0; i < text.length; i++) c.mem.w16(at + 2 * i, text.charCodeAt(i));
  c.mem.w16(us, text.length * 2);
  c.mem.w16(us + 2, text.length * 2);
  c.writePtr(us + c.ptrSize, at);
}

/** OBJECT_ATTRIBUTES for an NT path in scratch; returns its address. */
function objectAttributes(c: ApiCall, s: number, ntPath: string | undefined, inherit = false): number {
  const oa = s + S_OA;
  const p = c.ptrSize;
  for (let i = 0; i < 6 * p; i += 4) c.mem.w32(oa + i, 0);
  c.mem.w32(oa, p === 8 ? 0x30 : 0x18);
  if (ntPath !== undefined) {
    unicodeString(c, s + S_US, s + S_TEXT, ntPath);
    c.writePtr(oa + 2 * p, s + S_US);
  }
  c.mem.w32(oa + 3 * p, OBJ_CASE_INSENSITIVE | (inherit ? OBJ_INHERIT : 0));
  return oa;
}

/** The NT path of a DOS path, or the Win32 error. */
function ntPathOf(c: ApiCall, path: string): string | number {
  if (path.length === 0) return ERROR_PATH_NOT_FOUND;
  const r = dosPathToNtPath(path, vfsOf(c).currentDirectory);
  if (r.status !== STATUS_SUCCESS) return ERROR_PATH_NOT_FOUND;
  if (r.ntPath.length * 2 > S_TEXT_MAX - 2) return ERROR_FILENAME_EXCED_RANGE;
  return r.ntPath;
}

/** The Win32 error of a file status (RtlNtStatusToDosError's values for the file system's statuses). */
export function fileError(status: number): number | undefined {
  switch (status >>> 0) {
    case STATUS_NO_MORE_FILES:
      return ERROR_NO_MORE_FILES;
    case STATUS_NO_SUCH_FILE:
      return ERROR_FILE_NOT_FOUND;
    case STATUS_OBJECT_NAME_COLLISION:
      return ERROR_ALREADY_EXISTS;
    case 0xc0000039: // STATUS_OBJECT_PATH_INVALID
    case 0xc000003b: // STATUS_OBJECT_PATH_SYNTAX_BAD
      return 161; // ERROR_BAD_PATHNAME
    case 0xc000003a: // STATUS_OBJECT_PATH_NOT_FOUND
      return ERROR_PATH_NOT_FOUND;
    case 0xc0000043: // STATUS_SHARING_VIOLATION
      return 32;
    case 0xc0000056: // STATUS_DELETE_PENDING
    case 0xc0000121: // STATUS_CANNOT_DELETE
    case STATUS_FILE_IS_A_DIRECTORY:
      return ERROR_ACCESS_DENIED;
    case 0xc000007f: // STATUS_DISK_FULL
      return 112;
    case 0xc00000be: // STATUS_BAD_NETWORK_PATH
      return 53;
    case 0xc00000d4: // STATUS_NOT_SAME_DEVICE
      return 17;
    case 0xc0000101: // STATUS_DIRECTORY_NOT_EMPTY
      return ERROR_DIR_NOT_EMPTY;
    case 0xc0000103: // STATUS_NOT_A_DIRECTORY
      return 267; // ERROR_DIRECTORY
    default:
      return undefined;
  }
}

/** BaseSetLastNTError with the file statuses. */
function fail(c: ApiCall, status: number): void {
  setLastNtError(c, status);
  const e = fileError(status);
  if (e !== undefined) c.setLastError(e);
}

/** Local 0: a Win32 error found before the call (0: none). */
function preError(c: BridgeCall): number {
  return c.mem.u32(c.local(0));
}

function setPreError(c: BridgeCall, error: number): void {
  c.mem.w32(c.local(0), error);
}

/** The handle an NtCreateFile/NtOpenFile bridge received (local 1). */
function openedHandle(c: BridgeCall): number {
  const h = c.readPtr(c.local(1));
  return c.ptrSize === 4 ? h | 0 : h;
}

/** Common pre for the NtOpenFile/NtCreateFile bridges: the path → OA, the out handle, the IOSB. */
function openPre(c: BridgeCall, inherit = false): number | undefined {
  const s = scratch(c);
  setPreError(c, 0);
  c.writePtr(c.local(1), 0);
  const nt = ntPathOf(c, pathArg(c, 0));
  if (typeof nt === "number") setPreError(c, nt);
  c.nt(0, c.local(1));
  c.nt(2, objectAttributes(c, s, typeof nt === "string" ? nt : undefined, inherit));
  c.nt(3, s + S_IOSB);
  return s;
}

/** CreateFile's dwCreationDisposition → NtCreateFile's CreateDisposition. */
const DISPOSITION = [-1, 2 /* CREATE_NEW → FILE_CREATE */, 5, 1, 3, 4];

function createFilePre(c: BridgeCall): void {
  const s = openPre(c, c.arg(3) !== 0 && c.mem.u32(c.arg(3) + 2 * c.ptrSize) !== 0);
  const access = c.u32(1);
  const disp = c.u32(4);
  const flags = c.u32(5);
  if (disp < 1 || disp > 5) setPreError(c, ERROR_INVALID_PARAMETER);
  if (c.arg(6) !== 0 && preError(c) === 0) setPreError(c, ERROR_INVALID_PARAMETER); // hTemplateFile
  let options = 0;
  if (!(flags & 0x40000000)) options |= FILE_SYNCHRONOUS_IO_NONALERT; // FILE_FLAG_OVERLAPPED
  if (flags & 0x80000000) options |= FILE_WRITE_THROUGH;
  if (flags & 0x20000000) options |= FILE_NO_INTERMEDIATE_BUFFERING;
  if (flags & 0x10000000) options |= FILE_RANDOM_ACCESS;
  if (flags & 0x08000000) options |= FILE_SEQUENTIAL_ONLY;
  if (flags & 0x04000000) options |= FILE_DELETE_ON_CLOSE;
  if (flags & 0x02000000) options |= FILE_OPEN_FOR_BACKUP_INTENT;
  else options |= FILE_NON_DIRECTORY_FILE;
  if (flags & 0x00200000) options |= FILE_OPEN_REPARSE_POINT;
  const ntAccess = (access | SYNCHRONIZE | FILE_READ_ATTRIBUTES | (flags & 0x04000000 ? DELETE : 0)) >>> 0;
  c.nt(1, preError(c) !== 0 ? 0 : ntAccess);
  if (preError(c) !== 0) c.nt(2, 0);
  c.nt(4, 0);
  c.nt(5, flags & 0x7fa7);
  c.nt(6, c.u32(2));
  c.nt(7, disp >= 1 && disp <= 5 ? DISPOSITION[disp] : 1);
  c.nt(8, options);
  c.nt(9, 0);
  c.nt(10, 0);
  void s;
}

function createFilePost(c: BridgeCall, status: number): number {
  const err = preError(c);
  if (err !== 0) {
    c.setLastError(err);
    return INVALID_HANDLE_VALUE;
  }
  if (!ntSuccess(status)) {
    const disp = c.u32(4);
    if (status >>> 0 === STATUS_OBJECT_NAME_COLLISION && disp === 1) c.setLastError(ERROR_FILE_EXISTS);
    else fail(c, status);
    return INVALID_HANDLE_VALUE;
  }
  const info = c.readPtr(scratch(c) + S_IOSB + c.ptrSize);
  const disp = c.u32(4);
  c.setLastError(
    (disp === 2 || disp === 4) && (info === FILE_OPENED || info === FILE_OVERWRITTEN)
      ? ERROR_ALREADY_EXISTS
      : 0,
  );
  return openedHandle(c);
}

/** DeleteFile / RemoveDirectory: NtOpenFile for DELETE, then the disposition and the close in the kernel. */
function deletePre(c: BridgeCall, directory: boolean): void {
  openPre(c);
  c.nt(1, DELETE | SYNCHRONIZE | FILE_READ_ATTRIBUTES);
  if (preError(c) !== 0) c.nt(2, 0);
  c.nt(4, 7);
  c.nt(
    5,
    (directory ? FILE_DIRECTORY_FILE : FILE_NON_DIRECTORY_FILE) |
      FILE_SYNCHRONOUS_IO_NONALERT |
      FILE_OPEN_FOR_BACKUP_INTENT |
      FILE_OPEN_REPARSE_POINT,
  );
}

function deletePost(c: BridgeCall, status: number): number {
  const err = preError(c);
  if (err !== 0) {
    c.setLastError(err);
    return FALSE;
  }
  if (!ntSuccess(status)) {
    fail(c, status);
    return FALSE;
  }
  const h = openedHandle(c);
  const e = c.kernel.handles.get(h);
  let st = STATUS_SUCCESS;
  if (e?.object instanceof DiskFileObject) st = e.object.vfs.setDisposition(e.object.file, true);
  c.kernel.handles.close(h);
  if (st !== STATUS_SUCCESS) {
    fail(c, st);
    return FALSE;
  }
  return TRUE;
}

/** WIN32_FIND_DATAW/A from a FILE_BOTH_DIR_INFORMATION entry. */
function writeFindData(c: ApiCall, entry: number, out: number): void {
  const m = c.mem;
  const ansi = isAnsi(c);
  const size = ansi ? 0x140 : 0x250;
  m.write(out, new Uint8Array(size));
  m.w32(out, m.u32(entry + 0x38));
  m.write(out + 4, m.read(entry + 8, 8)); // ftCreationTime
  m.write(out + 0x0c, m.read(entry + 0x10, 8)); // ftLastAccessTime
  m.write(out + 0x14, m.read(entry + 0x18, 8)); // ftLastWriteTime
  m.w32(out + 0x1c, m.u32(entry + 0x2c)); // nFileSizeHigh
  m.w32(out + 0x20, m.u32(entry + 0x28)); // nFileSizeLow
  const name = m.utf16(entry + 0x5e, Math.min(2 * 259, m.u32(entry + 0x3c)));
  if (ansi) m.write(out + 0x2c, toAnsi(name));
  else for (let i = 0; i < name.length; i++) m.w16(out + 0x2c + 2 * i, name.charCodeAt(i));
}

function findNextPost(c: BridgeCall, status: number, first: boolean): number {
  const s = scratch(c);
  if (!ntSuccess(status) || status === 0x80000005) {
    if (first) {
      c.kernel.handles.close(c.readPtr(c.local(1)));
      const err = preError(c);
      if (err !== 0) c.setLastError(err);
      else if (status === STATUS_NO_MORE_FILES || status === STATUS_NO_SUCH_FILE)
        c.setLastError(ERROR_FILE_NOT_FOUND);
      else fail(c, status);
      return INVALID_HANDLE_VALUE;
    }
    fail(c, status);
    return FALSE;
  }
  writeFindData(c, s + S_DIR, c.arg(1));
  return first ? openedHandle(c) : TRUE;
}

function dirQueryArgs(c: BridgeCall, h: number, pattern: number, restart: boolean): void {
  const s = scratch(c);
  c.nt(0, h);
  c.nt(1, 0);
  c.nt(2, 0);
  c.nt(3, 0);
  c.nt(4, s + S_IOSB);
  c.nt(5, s + S_DIR);
  c.nt(6, S_DIR_SIZE);
  c.nt(7, FileBothDirectoryInformation);
  c.nt(8, 1);
  c.nt(9, pattern);
  c.nt(10, restart ? 1 : 0);
}

const findFirst = bridge({
  pre: (c) => {
    const s = scratch(c);
    setPreError(c, 0);
    c.writePtr(c.local(1), 0);
    let h = 0;
    let pattern = 0;
    const nt = ntPathOf(c, pathArg(c, 0));
    if (typeof nt === "number") setPreError(c, nt);
    else {
      const cut = nt.lastIndexOf("\\");
      const dir = nt.slice(0, cut);
      const name = nt.slice(cut + 1);
      const vfs = vfsOf(c);
      const r = vfs.open({
        path: dir.endsWith(":") ? dir + "\\" : dir,
        access: FILE_LIST_DIRECTORY | SYNCHRONIZE,
        share: 7,
        disposition: 1,
        options: FILE_DIRECTORY_FILE | FILE_SYNCHRONOUS_IO_NONALERT | FILE_OPEN_FOR_BACKUP_INTENT,
        caller: { wow64: c.arch === "x86", threadId: c.thread.id },
      });
      if (r.file === undefined) {
        setPreError(
          c,
          r.status === STATUS_OBJECT_NAME_NOT_FOUND
            ? ERROR_PATH_NOT_FOUND
            : (fileError(r.status) ?? ERROR_PATH_NOT_FOUND),
        );
      } else if (name.length === 0) {
        vfs.close(r.file);
        setPreError(c, ERROR_FILE_NOT_FOUND);
      } else {
        h = c.kernel.handles.insert(new DiskFileObject(vfs, r.file), r.file.access);
        c.writePtr(c.local(1), h);
        unicodeString(c, s + S_PATTERN, s + S_PATTERN_TEXT, win32PatternToNtExpression(name));
        pattern = s + S_PATTERN;
      }
    }
    dirQueryArgs(c, h, pattern, true);
  },
  post: (c, status) => findNextPost(c, status, true),
});

const findNext = bridge({
  pre: (c) => dirQueryArgs(c, c.sarg(0), 0, false),
  post: (c, status) => findNextPost(c, status, false),
});

function getCurrentDirectory(c: ApiCall): number {
  const cwd = vfsOf(c).currentDirectory;
  const n = c.u32(0);
  const buf = c.arg(1);
  if (n <= cwd.length || buf === 0) return cwd.length + 1;
  if (isAnsi(c)) c.mem.write(buf, Uint8Array.from([...toAnsi(cwd), 0]));
  else {
    for (let i = 0; i < cwd.length; i++) c.mem.w16(buf + 2 * i, cwd.charCodeAt(i));
    c.mem.w16(buf + 2 * cwd.length, 0);
  }
  return cwd.length;
}

const createFile = bridge({ pre: createFilePre, post: createFilePost });
const deleteFile = bridge({ pre: (c) => deletePre(c, false), post: deletePost });
const removeDirectory = bridge({ pre: (c) => deletePre(c, true), post: deletePost });

const createDirectory = bridge({
  pre: (c) => {
    openPre(c, c.arg(1) !== 0 && c.mem.u32(c.arg(1) + 2 * c.ptrSize) !== 0);
    c.nt(1, FILE_LIST_DIRECTORY | SYNCHRONIZE);
    if (preError(c) !== 0) c.nt(2, 0);
    c.nt(4, 0);
    c.nt(5, 0x80);
    c.nt(6, 3);
    c.nt(7, 2); // FILE_CREATE
    c.nt(8, FILE_DIRECTORY_FILE | FILE_SYNCHRONOUS_IO_NONALERT | FILE_OPEN_FOR_BACKUP_INTENT);
    c.nt(9, 0);
    c.nt(10, 0);
  },
  post: (c, status) => {
    const err = preError(c);
    if (err !== 0) {
      c.setLastError(err);
      return FALSE;
    }
    if (!ntSuccess(status)) {
      fail(c, status);
      return FALSE;
    }
    c.kernel.handles.close(openedHandle(c));
    return TRUE;
  },
});

/**
 * MoveFile(Ex)A/W: NtSetInformationFile(FileRenameInformation) on the source opened for DELETE (the
 * NtOpenFile and the NtClose around it are done in the kernel directly). Flags (winbase.h):
 * MOVEFILE_REPLACE_EXISTING 1 (ReplaceIfExists), MOVEFILE_COPY_ALLOWED 2 and MOVEFILE_WRITE_THROUGH 8 (no
 * effect: the sandbox is one volume and writes through); DELAY_UNTIL_REBOOT, CREATE_HARDLINK and
 * FAIL_IF_NOT_TRACKABLE stop. MoveFile is MoveFileEx with MOVEFILE_COPY_ALLOWED. An existing target
 * without REPLACE_EXISTING fails with ERROR_ALREADY_EXISTS (STATUS_OBJECT_NAME_COLLISION).
 */
const moveFile = bridge({
  pre: (c) => {
    const s = scratch(c);
    setPreError(c, 0);
    c.writePtr(c.local(1), 0);
    const flags = c.entry.name.startsWith("MoveFileEx") ? c.u32(2) : 2;
    if (flags & ~0xb)
      return unimplemented(c.entry.name.replace(/\$pre$/, ""), `dwFlags 0x${flags.toString(16)}`);
    if (c.arg(1) === 0) return unimplemented(c.entry.name.replace(/\$pre$/, ""), "a NULL lpNewFileName");
    const from = ntPathOf(c, pathArg(c, 0));
    const to = ntPathOf(c, pathArg(c, 1));
    let h = 0;
    if (typeof from === "number") setPreError(c, from);
    else if (typeof to === "number") setPreError(c, to);
    else {
      const vfs = vfsOf(c);
      const r = vfs.open({
        path: from,
        access: DELETE | SYNCHRONIZE | FILE_READ_ATTRIBUTES,
        share: 7,
        disposition: 1, // FILE_OPEN
        options: FILE_SYNCHRONOUS_IO_NONALERT | FILE_OPEN_FOR_BACKUP_INTENT | FILE_OPEN_REPARSE_POINT,
        caller: { wow64: c.arch === "x86" && c.process.wow64, threadId: c.thread.id },
      });
      if (r.file === undefined) {
        const e = fileError(r.status);
        if (e !== undefined) setPreError(c, e);
        else {
          setLastNtError(c, r.status);
          setPreError(c, c.mem.u32(c.teb + c.layout.teb.LastErrorValue) || ERROR_FILE_NOT_FOUND);
        }
      } else h = c.kernel.handles.insert(new DiskFileObject(vfs, r.file), r.file.access, false);
    }
    c.writePtr(c.local(1), h);
    // FILE_RENAME_INFORMATION (ntifs.h): x64 { ReplaceIfExists @0, RootDirectory @8, FileNameLength @0x10,
    // FileName @0x14 }; x86 { @0, RootDirectory @4, FileNameLength @8, FileName @0xC }
    const info = s + S_DIR;
    const name = typeof to === "string" ? to : "";
    const x64 = c.ptrSize === 8;
    const nameAt = x64 ? 0x14 : 0x0c;
    for (let i = 0; i < nameAt; i += 4) c.mem.w32(info + i, 0);
    c.mem.w8(info, flags & 1);
    c.mem.w32(info + (x64 ? 0x10 : 8), name.length * 2);
    for (let i = 0; i < name.length; i++) c.mem.w16(info + nameAt + 2 * i, name.charCodeAt(i));
    c.nt(0, h);
    c.nt(1, s + S_IOSB);
    c.nt(2, info);
    c.nt(3, nameAt + name.length * 2);
    c.nt(4, FileRenameInformation);
  },
  post: (c, status) => {
    const h = openedHandle(c);
    if (h !== 0) c.kernel.handles.close(h);
    const err = preError(c);
    if (err !== 0) {
      c.setLastError(err);
      return FALSE;
    }
    if (!ntSuccess(status)) {
      fail(c, status);
      return FALSE;
    }
    return TRUE;
  },
});

const getFileAttributes = bridge({
  pre: (c) => {
    const s = scratch(c);
    setPreError(c, 0);
    const nt = ntPathOf(c, pathArg(c, 0));
    if (typeof nt === "number") setPreError(c, nt);
    c.nt(0, objectAttributes(c, s, typeof nt === "string" ? nt : undefined));
    c.nt(1, s + S_AUX);
  },
  post: (c, status) => {
    const err = preError(c);
    if (err !== 0) {
      c.setLastError(err);
      return INVALID_FILE_ATTRIBUTES;
    }
    if (!ntSuccess(status)) {
      fail(c, status);
      return INVALID_FILE_ATTRIBUTES;
    }
    return c.mem.u32(scratch(c) + S_AUX + 0x20);
  },
});

/** SetFilePointer(Ex): the target from the kernel's view of the file, then NtSetInformationFile. */
function seekPre(c: BridgeCall, distance: number, method: number): void {
  const s = scratch(c);
  setPreError(c, 0);
  const h = c.sarg(0);
  let target = distance;
  const e = c.kernel.handles.get(h);
  if (e?.object instanceof DiskFileObject) {
    const f = e.object.file;
    if (method === 1) target += f.position;
    else if (method === 2) target += e.object.vfs.queryStandard(f).endOfFile;
    else if (method !== 0) setPreError(c, ERROR_INVALID_PARAMETER);
  }
  if (target < 0 && preError(c) === 0) setPreError(c, ERROR_NEGATIVE_SEEK);
  c.mem.w64(s + S_AUX, Math.max(0, target));
  c.mem.w64(c.local(1), Math.max(0, target));
  c.nt(0, h);
  c.nt(1, s + S_IOSB);
  c.nt(2, s + S_AUX);
  c.nt(3, 8);
  c.nt(4, FilePositionInformation);
}

const setFilePointer = bridge({
  pre: (c) => {
    const pHigh = c.arg(2);
    const low = c.u32(1);
    const distance = pHigh !== 0 ? c.mem.i32(pHigh) * 2 ** 32 + low : low | 0;
    seekPre(c, distance, c.u32(3));
  },
  post: (c, status) => {
    const err = preError(c);
    if (err !== 0 || !ntSuccess(status)) {
      if (err !== 0) c.setLastError(err);
      else fail(c, status);
      return 0xffffffff; // INVALID_SET_FILE_POINTER
    }
    const pos = c.mem.u64(c.local(1));
    if (c.arg(2) !== 0) c.mem.w32(c.arg(2), Math.floor(pos / 2 ** 32));
    c.setLastError(0);
    return pos >>> 0;
  },
});

/** SetFilePointerEx(HANDLE, LARGE_INTEGER, PLARGE_INTEGER, DWORD): the LARGE_INTEGER is two x86 slots. */
const setFilePointerEx = bridge({
  pre: (c) => {
    const x86 = c.ptrSize === 4;
    const distance = x86 ? (c.u32(2) | 0) * 2 ** 32 + c.u32(1) : c.sarg(1);
    seekPre(c, distance, c.u32(x86 ? 4 : 3));
  },
  post: (c, status) => {
    const err = preError(c);
    if (err !== 0 || !ntSuccess(status)) {
      if (err !== 0) c.setLastError(err);
      else fail(c, status);
      return FALSE;
    }
    const out = c.arg(c.ptrSize === 4 ? 3 : 2);
    if (out !== 0) c.mem.w64(out, c.mem.u64(c.local(1)));
    return TRUE;
  },
});

function sizePre(c: BridgeCall): void {
  const s = scratch(c);
  c.nt(0, c.sarg(0));
  c.nt(1, s + S_IOSB);
  c.nt(2, s + S_AUX);
  c.nt(3, 0x18);
  c.nt(4, FileStandardInformation);
}

const getFileSize = bridge({
  pre: sizePre,
  post: (c, status) => {
    if (!ntSuccess(status)) {
      fail(c, status);
      return INVALID_FILE_SIZE;
    }
    const size = c.mem.u64(scratch(c) + S_AUX + 8);
    if (c.arg(1) !== 0) c.mem.w32(c.arg(1), Math.floor(size / 2 ** 32));
    if (size >>> 0 === INVALID_FILE_SIZE) c.setLastError(0);
    return size >>> 0;
  },
});

const getFileSizeEx = bridge({
  pre: sizePre,
  post: (c, status) => {
    if (!ntSuccess(status)) {
      fail(c, status);
      return FALSE;
    }
    c.mem.w64(c.arg(1), c.mem.u64(scratch(c) + S_AUX + 8));
    return TRUE;
  },
});

export const fileApis: ApiFamily = {
  CreateFileW: createFile,
  CreateFileA: createFile,
  DeleteFileW: deleteFile,
  DeleteFileA: deleteFile,
  RemoveDirectoryW: removeDirectory,
  RemoveDirectoryA: removeDirectory,
  CreateDirectoryW: createDirectory,
  CreateDirectoryA: createDirectory,
  GetFileAttributesW: getFileAttributes,
  MoveFileExW: moveFile,
  MoveFileExA: moveFile,
  MoveFileW: moveFile,
  MoveFileA: moveFile,
  GetFileAttributesA: getFileAttributes,
  FindFirstFileW: findFirst,
  FindFirstFileA: findFirst,
  FindNextFileW: findNext,
  FindNextFileA: findNext,
  /** BOOL FindClose(HANDLE hFindFile): NtClose of the directory handle. */
  FindClose: bridge({
    pre: (c) => c.nt(0, c.sarg(0)),
    post: (c, status) => {
      if (ntSuccess(status)) return TRUE;
      fail(c, status);
      return FALSE;
    },
  }),
  SetFilePointer: setFilePointer,
  SetFilePointerEx: setFilePointerEx,
  GetFileSize: getFileSize,
  GetFileSizeEx: getFileSizeEx,
  /** DWORD GetCurrentDirectoryW/A(DWORD nBufferLength, LPTSTR lpBuffer). */
  GetCurrentDirectoryW: api(getCurrentDirectory),
  GetCurrentDirectoryA: api(getCurrentDirectory),
  /**
   * BOOL Wow64DisableWow64FsRedirection(PVOID *OldValue): per thread; on a native 64-bit process it fails
   * with ERROR_INVALID_FUNCTION (there is nothing to disable).
   */
  Wow64DisableWow64FsRedirection: api((c) => {
    if (!c.process.wow64 || c.arch !== "x86") {
      c.setLastError(ERROR_INVALID_FUNCTION);
      return FALSE;
    }
    const old = vfsOf(c).redirection.disable(c.thread.id);
    c.writePtr(c.arg(0), old);
    return TRUE;
  }),
  /** BOOL Wow64RevertWow64FsRedirection(PVOID OlValue). */
  Wow64RevertWow64FsRedirection: api((c) => {
    if (!c.process.wow64 || c.arch !== "x86") {
      c.setLastError(ERROR_INVALID_FUNCTION);
      return FALSE;
    }
    vfsOf(c).redirection.revert(c.thread.id, c.arg(0));
    return TRUE;
  }),
};
