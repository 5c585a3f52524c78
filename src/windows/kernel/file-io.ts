/**
 * File services on the sandboxed virtual file system (`../fs`): NtCreateFile, NtOpenFile,
 * NtQueryInformationFile, NtSetInformationFile, NtQueryDirectoryFile, NtQueryAttributesFile,
 * NtQueryFullAttributesFile, NtDeleteFile, and NtReadFile/NtWriteFile on disk files (file.ts hands those
 * to `diskRead`/`diskWrite`). NtClose is the generic one: the last handle's close runs the VFS close
 * (delete-on-close, pending deletes).
 *
 * One VirtualFileSystem per kernel (process), made on first use from `KernelOptions.fileSystem`, else
 * `KernelProcess.fileSystem`, else an empty in-memory drive C: (nothing of the host is reachable). The
 * current directory is the process's (RTL_USER_PROCESS_PARAMETERS.CurrentDirectory, else the program's
 * folder). The synthetic system DLLs are the files of the read-only `C:\Windows` tree
 * (System32\ntdll.dll, SysWOW64\kernel32.dll, …) with their image bytes.
 *
 * A call that came through the WOW64 thunks (callerMode "x86") is a 32-bit caller: the VFS applies the
 * File System Redirector for the calling thread.
 *
 * Layouts (ntifs.h / wdm.h; the same in 32- and 64-bit code, having no pointers, except
 * FILE_RENAME_INFORMATION, which the WOW64 thunk widens):
 *
 * | structure                       | size | fields                                                            |
 * | ------------------------------- | ---- | ----------------------------------------------------------------- |
 * | FILE_BASIC_INFORMATION          | 0x28 | 4 LARGE_INTEGER times, FileAttributes @0x20                       |
 * | FILE_STANDARD_INFORMATION       | 0x18 | AllocationSize, EndOfFile, NumberOfLinks @0x10, DeletePending @0x14, Directory @0x15 |
 * | FILE_INTERNAL_INFORMATION       | 8    | IndexNumber                                                       |
 * | FILE_POSITION_INFORMATION       | 8    | CurrentByteOffset                                                 |
 * | FILE_NAME_INFORMATION           | 8    | FileNameLength, FileName[] @4                                     |
 * | FILE_ALL_INFORMATION            | 0x68 | Basic @0, Standard @0x28, Internal @0x40, Ea @0x48, Access @0x4C, Position @0x50, Mode @0x58, Alignment @0x5C, Name @0x60 |
 * | FILE_NETWORK_OPEN_INFORMATION   | 0x38 | 4 times, AllocationSize @0x20, EndOfFile @0x28, FileAttributes @0x30 |
 * | FILE_RENAME_INFORMATION (x64)   | 0x18 | ReplaceIfExists/Flags @0, RootDirectory @8, FileNameLength @0x10, FileName @0x14 |
 * | FILE_DIRECTORY_INFORMATION      | 0x40 | NextEntryOffset, FileIndex, 4 times @8, EndOfFile @0x28, AllocationSize @0x30, FileAttributes @0x38, FileNameLength @0x3C, FileName @0x40 |
 * | FILE_FULL_DIR_INFORMATION       | 0x44 | … EaSize @0x40, FileName @0x44                                    |
 * | FILE_BOTH_DIR_INFORMATION       | 0x5E | … EaSize @0x40, ShortNameLength @0x44, ShortName[12] @0x46, FileName @0x5E |
 * | FILE_ID_BOTH_DIR_INFORMATION    | 0x68 | … ShortName[12] @0x46, FileId @0x60, FileName @0x68               |
 * | FILE_ID_FULL_DIR_INFORMATION    | 0x50 | … EaSize @0x40, FileId @0x48, FileName @0x50                      |
 * | FILE_NAMES_INFORMATION          | 0x0C | NextEntryOffset, FileIndex, FileNameLength @8, FileName @0xC      |
 */
import type { Arch } from "../dlls";
import {
  FILE_ATTRIBUTE_VALID_FLAGS,
  FILE_READ_ATTRIBUTES,
  FILE_READ_DATA,
  FILE_SYNCHRONOUS_IO_ALERT,
  FILE_SYNCHRONOUS_IO_NONALERT,
  FileAllInformation,
  FileAllocationInformation,
  FileAttributeTagInformation,
  FileBasicInformation,
  FileBothDirectoryInformation,
  FileDirectoryInformation,
  FileDispositionInformation,
  FileDispositionInformationEx,
  FileEndOfFileInformation,
  FileFullDirectoryInformation,
  FileIdBothDirectoryInformation,
  FileIdFullDirectoryInformation,
  FileInternalInformation,
  FileNameInformation,
  FileNamesInformation,
  FileNetworkOpenInformation,
  FilePositionInformation,
  FileRenameInformation,
  FileRenameInformationEx,
  FileStandardInformation,
  FileAccessInformation,
  FileEaInformation,
  FileModeInformation,
  FileAlignmentInformation,
  MemoryFsHost,
  VirtualFileSystem,
  type FsBasicInfo,
  type FsCaller,
  type FsDirEntry,
  type FsFile,
  type FsHost,
} from "../fs";
import type { SyscallContext, SyscallFamily } from "./context";
import { unimplemented } from "./context";
import { FileObject } from "./file";
import { KernelObject } from "./handles";
import type { Kernel } from "./kernel";
import { layoutOf } from "./layout";
import {
  STATUS_BUFFER_OVERFLOW,
  STATUS_INFO_LENGTH_MISMATCH,
  STATUS_INVALID_HANDLE,
  STATUS_INVALID_INFO_CLASS,
  STATUS_INVALID_PARAMETER,
  STATUS_OBJECT_TYPE_MISMATCH,
  STATUS_SUCCESS,
} from "./status";
import type { KernelStop } from "./types";

/** How a process's drive C: is made (Process.create `fileSystem`, or KernelOptions.fileSystem). */
export interface FileSystemOptions {
  /** Drive C:. Default: an empty in-memory volume (no host file is reachable). */
  readonly host?: FsHost;
  /** The DOS current directory; default the process's (its parameters), else the program's folder. */
  readonly currentDirectory?: string;
}

/** A file handle's object on the virtual file system (the console's are `FileObject`s in file.ts). */
export class DiskFileObject extends KernelObject {
  readonly type = "File";
  constructor(
    readonly vfs: VirtualFileSystem,
    readonly file: FsFile,
  ) {
    super();
  }

  protected override onDelete(): void {
    this.vfs.close(this.file);
  }
}

const systems = new WeakMap<Kernel, VirtualFileSystem>();

/** The program's folder (`C:\app\` for `C:\app\prog.exe`), from the process parameters when they exist. */
function processCurrentDirectory(k: Kernel): string {
  const p = k.process;
  try {
    const arch: Arch = p.wow64 ? "x86" : "x64";
    const peb = p.wow64 ? p.peb32 : p.peb;
    const L = layoutOf(arch);
    const size = arch === "x64" ? 8 : 4;
    const params = peb === 0 ? 0 : k.mem.ptr(peb + L.peb.ProcessParameters, size);
    if (params !== 0) {
      // RTL_USER_PROCESS_PARAMETERS.CurrentDirectory.DosPath (CURDIR): 0x38 (x64), 0x24 (x86).
      const s = k.mem.countedString(params + (arch === "x64" ? 0x38 : 0x24), size);
      if (s.length > 0) return s;
    }
  } catch {
    // no readable parameters yet: fall back to the image's folder
  }
  const dir = p.imagePath.slice(0, p.imagePath.lastIndexOf("\\") + 1);
  return dir.length > 0 ? dir : "C:\\";
}

/** The process's virtual file system, made on first use. */
export function fileSystemOf(k: Kernel): VirtualFileSystem {
  let v = systems.get(k);
  if (v === undefined) {
    const o: FileSystemOptions = k.options.fileSystem ?? k.process.fileSystem ?? {};
    let cwd = o.currentDirectory ?? processCurrentDirectory(k);
    if (cwd.length > 3 && cwd.endsWith("\\")) cwd = cwd.slice(0, -1);
    v = new VirtualFileSystem({
      host: o.host ?? new MemoryFsHost(),
      currentDirectory: cwd,
      // An image is built when the program first reads its file.
      systemFiles: k.process.dlls.specs.map((s) => ({
        path: s.path,
        data: () => k.process.dlls.get(s.dll, s.arch)!.image.bytes,
      })),
    });
    systems.set(k, v);
  }
  return v;
}

function caller(c: SyscallContext): FsCaller {
  return { wow64: c.callerMode === "x86", threadId: c.thread.id };
}

/** A disk file handle's object, or the status (a console handle is STATUS_OBJECT_TYPE_MISMATCH here). */
export function diskFile(
  c: SyscallContext,
  handle: number,
): { object: DiskFileObject; access: number } | number {
  const e = c.kernel.handles.get(handle);
  if (e === undefined) return STATUS_INVALID_HANDLE;
  if (!(e.object instanceof DiskFileObject)) return STATUS_OBJECT_TYPE_MISMATCH;
  return { object: e.object, access: e.access };
}

/** Whether a handle refers to a disk file (file.ts routes NtReadFile/NtWriteFile with it). */
export function isDiskFileHandle(c: SyscallContext, handle: number): boolean {
  return c.kernel.handles.get(handle)?.object instanceof DiskFileObject;
}

// ---- OBJECT_ATTRIBUTES (x64)

const OA64_SIZE = 0x30;

interface Captured {
  path: string;
  root?: FsFile;
  attributes: number;
}

/** Captures an x64 OBJECT_ATTRIBUTES: the name and the RootDirectory's file. */
function captureName(c: SyscallContext, oa: number): Captured | number {
  if (oa === 0) return STATUS_INVALID_PARAMETER;
  c.mem.probeRead(oa, OA64_SIZE);
  if (c.mem.u32(oa) !== OA64_SIZE) return STATUS_INVALID_PARAMETER;
  const rootHandle = c.mem.i64(oa + 8);
  const us = c.mem.u64(oa + 0x10);
  const attributes = c.mem.u32(oa + 0x18);
  let path = "";
  if (us !== 0) {
    c.mem.probeRead(us, 0x10);
    const len = c.mem.u16(us);
    const buf = c.mem.u64(us + 8);
    if (len % 2 !== 0) return STATUS_INVALID_PARAMETER;
    if (len > 0) {
      c.mem.probeRead(buf, len);
      path = c.mem.utf16(buf, len);
    }
  }
  let root: FsFile | undefined;
  if (rootHandle !== 0) {
    const r = diskFile(c, rootHandle);
    if (typeof r === "number") return r;
    root = r.object.file;
  }
  return { path, root, attributes };
}

function writeIosb(c: SyscallContext, iosb: number, status: number, information: number): void {
  c.mem.w64(iosb, status);
  c.mem.w64(iosb + 8, information);
}

/** OBJ_INHERIT. */
const OBJ_INHERIT = 0x2;

function open(
  c: SyscallContext,
  a: {
    out: number;
    access: number;
    oa: number;
    iosb: number;
    attributes: number;
    share: number;
    disposition: number;
    options: number;
  },
): number | KernelStop {
  c.mem.probeWrite(a.out, 8);
  c.mem.probeWrite(a.iosb, 16);
  const n = captureName(c, a.oa);
  if (typeof n === "number") return n;
  const vfs = fileSystemOf(c.kernel);
  const r = vfs.open({
    path: n.path,
    root: n.root,
    access: a.access,
    share: a.share,
    disposition: a.disposition,
    options: a.options,
    attributes: a.attributes,
    caller: caller(c),
  });
  if (r.file === undefined) {
    if (r.status !== STATUS_INVALID_PARAMETER) writeIosb(c, a.iosb, r.status, r.information);
    return r.status;
  }
  const file = r.file;
  const inherit = (n.attributes & OBJ_INHERIT) !== 0;
  let object: KernelObject;
  const dev = file.device;
  if (dev === "CON" || dev === "CONIN$" || dev === "CONOUT$") {
    // The console device: a connection like the standard handles.
    vfs.close(file);
    const input = dev === "CONIN$" || (dev === "CON" && (file.access & FILE_READ_DATA) !== 0);
    object = new FileObject(input ? "stdin" : "stdout");
  } else object = new DiskFileObject(vfs, file);
  const h = c.kernel.handles.insert(object, file.access, inherit);
  c.mem.w64(a.out, h);
  writeIosb(c, a.iosb, r.status, r.information);
  return r.status;
}

// ---- read and write on disk files (called by file.ts)

/** FILE_WRITE_TO_END_OF_FILE and FILE_USE_FILE_POINTER_POSITION (ByteOffset.HighPart = -1). */
const WRITE_TO_END = 0xffffffff;
const USE_FILE_POINTER = 0xfffffffe;

function byteOffset(c: SyscallContext, p: number, file: FsFile): number | "end" | undefined | "bad" {
  if (p === 0) return file.synchronous ? undefined : "bad";
  c.mem.probeRead(p, 8);
  const lo = c.mem.u32(p);
  const hi = c.mem.u32(p + 4);
  if (hi === 0xffffffff && lo === WRITE_TO_END) return "end";
  if (hi === 0xffffffff && lo === USE_FILE_POINTER) return file.synchronous ? undefined : "bad";
  const v = c.mem.i64(p);
  return v < 0 ? "bad" : v;
}

function ioBegin(
  c: SyscallContext,
  write: boolean,
): { f: DiskFileObject; iosb: number } | number | KernelStop {
  const r = diskFile(c, c.handle(0));
  if (typeof r === "number") return r;
  const iosb = c.arg(4);
  const buffer = c.arg(5);
  const length = c.u32(6);
  c.mem.probeWrite(iosb, 16);
  if (write) c.mem.probeRead(buffer, length);
  else c.mem.probeWrite(buffer, length);
  if (c.arg(8) !== 0) c.mem.probeRead(c.arg(8), 4);
  const event = c.handle(1);
  if (event !== 0) {
    return c.kernel.handles.get(event) === undefined ? STATUS_INVALID_HANDLE : STATUS_OBJECT_TYPE_MISMATCH;
  }
  if (c.arg(2) !== 0) return unimplemented(c.info.name, "an APC completion routine");
  return { f: r.object, iosb };
}

/** NtReadFile on a disk file. */
export function diskRead(c: SyscallContext): number | KernelStop {
  const b = ioBegin(c, false);
  if (typeof b === "number" || "kind" in b) return b;
  const vfs = b.f.vfs;
  const off = byteOffset(c, c.arg(7), b.f.file);
  if (off === "bad" || off === "end") return STATUS_INVALID_PARAMETER;
  const r = vfs.read(b.f.file, c.u32(6), off);
  if (r.data.length > 0) c.mem.write(c.arg(5), r.data);
  writeIosb(c, b.iosb, r.status, r.data.length);
  return r.status;
}

/** NtWriteFile on a disk file. */
export function diskWrite(c: SyscallContext): number | KernelStop {
  const b = ioBegin(c, true);
  if (typeof b === "number" || "kind" in b) return b;
  const off = byteOffset(c, c.arg(7), b.f.file);
  if (off === "bad") return STATUS_INVALID_PARAMETER;
  const data = c.mem.read(c.arg(5), c.u32(6));
  const r = b.f.vfs.write(b.f.file, data, off);
  writeIosb(c, b.iosb, r.status, r.written);
  return r.status;
}

// ---- information encoders

function le(size: number): { b: Uint8Array; dv: DataView } {
  const b = new Uint8Array(size);
  return { b, dv: new DataView(b.buffer) };
}

function putBasic(dv: DataView, at: number, i: FsBasicInfo): void {
  dv.setBigInt64(at, i.creationTime, true);
  dv.setBigInt64(at + 8, i.lastAccessTime, true);
  dv.setBigInt64(at + 0x10, i.lastWriteTime, true);
  dv.setBigInt64(at + 0x18, i.changeTime, true);
  dv.setUint32(at + 0x20, i.attributes, true);
}

function utf16(s: string): Uint8Array {
  const out = new Uint8Array(s.length * 2);
  for (let i = 0; i < s.length; i++) {
    out[2 * i] = s.charCodeAt(i) & 0xff;
    out[2 * i + 1] = s.charCodeAt(i) >>> 8;
  }
  return out;
}

/** FILE_BASIC_INFORMATION. */
export function encodeBasic(i: FsBasicInfo): Uint8Array {
  const { b, dv } = le(0x28);
  putBasic(dv, 0, i);
  return b;
}

/** FILE_NETWORK_OPEN_INFORMATION. */
export function encodeNetworkOpen(i: FsBasicInfo, allocationSize: number, endOfFile: number): Uint8Array {
  const { b, dv } = le(0x38);
  putBasic(dv, 0, i);
  dv.setBigInt64(0x20, BigInt(allocationSize), true);
  dv.setBigInt64(0x28, BigInt(endOfFile), true);
  dv.setUint32(0x30, i.attributes, true);
  return b;
}

/** Minimum lengths per class for NtQueryInformationFile (IopQueryOperationLength). */
const QUERY_LENGTH = new Map<number, number>([
  [FileBasicInformation, 0x28],
  [FileStandardInformation, 0x18],
  [FileInternalInformation, 8],
  [FileEaInformation, 4],
  [FileAccessInformation, 4],
  [FileNameInformation, 8],
  [FilePositionInformation, 8],
  [FileModeInformation, 4],
  [FileAlignmentInformation, 4],
  [FileAllInformation, 0x68],
  [FileNetworkOpenInformation, 0x38],
  [FileAttributeTagInformation, 8],
]);

/** Minimum lengths per class for NtSetInformationFile (IopSetOperationLength), x64 layouts. */
const SET_LENGTH = new Map<number, number>([
  [FileBasicInformation, 0x28],
  [FileRenameInformation, 0x18],
  [FileRenameInformationEx, 0x18],
  [FileDispositionInformation, 1],
  [FileDispositionInformationEx, 4],
  [FilePositionInformation, 8],
  [FileEndOfFileInformation, 8],
  [FileAllocationInformation, 8],
]);

/** FILE_MODE_INFORMATION.Mode: the handle's FILE_*_IO_* / write-through / delete-on-close options. */
function modeOf(f: FsFile): number {
  return f.options & (0x2 | 0x4 | 0x8 | FILE_SYNCHRONOUS_IO_ALERT | FILE_SYNCHRONOUS_IO_NONALERT | 0x1000);
}

/**
 * The bytes of a query class (the whole structure, the name complete); the caller truncates to Length and
 * reports STATUS_BUFFER_OVERFLOW when a name did not fit.
 */
function queryBytes(
  vfs: VirtualFileSystem,
  o: DiskFileObject,
  access: number,
  cls: number,
): Uint8Array | number {
  const f = o.file;
  const std = (): Uint8Array => {
    const s = vfs.queryStandard(f);
    const { b, dv } = le(0x18);
    dv.setBigInt64(0, BigInt(s.allocationSize), true);
    dv.setBigInt64(8, BigInt(s.endOfFile), true);
    dv.setUint32(0x10, s.numberOfLinks, true);
    b[0x14] = s.deletePending ? 1 : 0;
    b[0x15] = s.directory ? 1 : 0;
    return b;
  };
  const name = utf16(f.path);
  const u64 = (v: number): Uint8Array => {
    const { b, dv } = le(8);
    dv.setBigInt64(0, BigInt(v), true);
    return b;
  };
  const u32 = (v: number): Uint8Array => {
    const { b, dv } = le(4);
    dv.setUint32(0, v >>> 0, true);
    return b;
  };
  switch (cls) {
    case FileBasicInformation: {
      const r = vfs.queryBasic(f);
      return r.info === undefined ? r.status : encodeBasic(r.info);
    }
    case FileStandardInformation:
      return std();
    case FileInternalInformation:
      return u64(vfs.fileId(f.node));
    case FileEaInformation:
      return u32(0);
    case FileAccessInformation:
      return u32(access);
    case FilePositionInformation:
      return u64(f.position);
    case FileModeInformation:
      return u32(modeOf(f));
    case FileAlignmentInformation:
      return u32(0); // FILE_BYTE_ALIGNMENT
    case FileNameInformation: {
      const { b, dv } = le(4 + name.length);
      dv.setUint32(0, name.length, true);
      b.set(name, 4);
      return b;
    }
    case FileNetworkOpenInformation: {
      if (!(access & FILE_READ_ATTRIBUTES)) return 0xc0000022;
      const s = vfs.queryStandard(f);
      return encodeNetworkOpen(vfs.basicInfoOf(f.node), s.allocationSize, s.endOfFile);
    }
    case FileAttributeTagInformation: {
      if (!(access & FILE_READ_ATTRIBUTES)) return 0xc0000022;
      const { b, dv } = le(8);
      dv.setUint32(0, vfs.basicInfoOf(f.node).attributes, true);
      return b;
    }
    case FileAllInformation: {
      const r = vfs.queryBasic(f);
      if (r.info === undefined) return r.status;
      const { b, dv } = le(0x64 + name.length);
      putBasic(dv, 0, r.info);
      b.set(std(), 0x28);
      dv.setBigInt64(0x40, BigInt(vfs.fileId(f.node)), true);
      dv.setUint32(0x48, 0, true);
      dv.setUint32(0x4c, access, true);
      dv.setBigInt64(0x50, BigInt(f.position), true);
      dv.setUint32(0x58, modeOf(f), true);
      dv.setUint32(0x5c, 0, true);
      dv.setUint32(0x60, name.length, true);
      b.set(name, 0x64);
      return b;
    }
    default:
      return STATUS_INVALID_INFO_CLASS;
  }
}

// ---- directory entries

/** Fixed part of each directory class and where its name goes. */
const DIR_CLASSES = new Map<number, { fixed: number; name: number; nameLength: number }>([
  [FileDirectoryInformation, { fixed: 0x40, name: 0x40, nameLength: 0x3c }],
  [FileFullDirectoryInformation, { fixed: 0x44, name: 0x44, nameLength: 0x3c }],
  [FileBothDirectoryInformation, { fixed: 0x5e, name: 0x5e, nameLength: 0x3c }],
  [FileIdBothDirectoryInformation, { fixed: 0x68, name: 0x68, nameLength: 0x3c }],
  [FileIdFullDirectoryInformation, { fixed: 0x50, name: 0x50, nameLength: 0x3c }],
  [FileNamesInformation, { fixed: 0x0c, name: 0x0c, nameLength: 0x08 }],
]);

/** One directory entry of class `cls`, with its whole name (NextEntryOffset and FileIndex 0). */
export function encodeDirEntry(cls: number, e: FsDirEntry): Uint8Array {
  const k = DIR_CLASSES.get(cls);
  if (k === undefined) throw new Error(`not a directory class: ${cls}`);
  const name = utf16(e.name);
  const { b, dv } = le(k.name + name.length);
  dv.setUint32(k.nameLength, name.length, true);
  b.set(name, k.name);
  if (cls === FileNamesInformation) return b;
  dv.setBigInt64(0x08, e.creationTime, true);
  dv.setBigInt64(0x10, e.lastAccessTime, true);
  dv.setBigInt64(0x18, e.lastWriteTime, true);
  dv.setBigInt64(0x20, e.changeTime, true);
  dv.setBigInt64(0x28, BigInt(e.endOfFile), true);
  dv.setBigInt64(0x30, BigInt(e.allocationSize), true);
  dv.setUint32(0x38, e.attributes, true);
  // EaSize 0; ShortNameLength 0 (no 8.3 names); FileId:
  if (cls === FileIdBothDirectoryInformation) dv.setBigInt64(0x60, BigInt(e.fileId), true);
  if (cls === FileIdFullDirectoryInformation) dv.setBigInt64(0x48, BigInt(e.fileId), true);
  return b;
}

function align8(n: number): number {
  return (n + 7) & ~7;
}

// ---- the services

export const fileIoSyscalls: SyscallFamily = {
  /**
   * NTSTATUS NtCreateFile(PHANDLE FileHandle, ACCESS_MASK DesiredAccess, POBJECT_ATTRIBUTES ObjectAttributes,
   * PIO_STATUS_BLOCK IoStatusBlock, PLARGE_INTEGER AllocationSize, ULONG FileAttributes, ULONG ShareAccess,
   * ULONG CreateDisposition, ULONG CreateOptions, PVOID EaBuffer, ULONG EaLength).
   */
  NtCreateFile(c) {
    if (c.arg(9) !== 0 && c.u32(10) !== 0)
      return unimplemented("NtCreateFile", "extended attributes (EaBuffer)");
    const alloc = c.arg(4);
    if (alloc !== 0) c.mem.probeRead(alloc, 8);
    const attributes = c.u32(5);
    if (attributes & ~FILE_ATTRIBUTE_VALID_FLAGS) return STATUS_INVALID_PARAMETER;
    return open(c, {
      out: c.arg(0),
      access: c.u32(1),
      oa: c.arg(2),
      iosb: c.arg(3),
      attributes,
      share: c.u32(6),
      disposition: c.u32(7),
      options: c.u32(8),
    });
  },

  /**
   * NTSTATUS NtOpenFile(PHANDLE FileHandle, ACCESS_MASK DesiredAccess, POBJECT_ATTRIBUTES ObjectAttributes,
   * PIO_STATUS_BLOCK IoStatusBlock, ULONG ShareAccess, ULONG OpenOptions): NtCreateFile with FILE_OPEN.
   */
  NtOpenFile(c) {
    return open(c, {
      out: c.arg(0),
      access: c.u32(1),
      oa: c.arg(2),
      iosb: c.arg(3),
      attributes: 0,
      share: c.u32(4),
      disposition: 1,
      options: c.u32(5),
    });
  },

  /**
   * NTSTATUS NtQueryInformationFile(HANDLE FileHandle, PIO_STATUS_BLOCK IoStatusBlock, PVOID FileInformation,
   * ULONG Length, FILE_INFORMATION_CLASS FileInformationClass). A class we do not know is
   * STATUS_INVALID_INFO_CLASS, a Length below the structure STATUS_INFO_LENGTH_MISMATCH; a name that does not
   * fit is STATUS_BUFFER_OVERFLOW with the fixed part and as much of the name as fits (Information = Length).
   */
  NtQueryInformationFile(c) {
    const cls = c.u32(4);
    const min = QUERY_LENGTH.get(cls);
    if (min === undefined) return STATUS_INVALID_INFO_CLASS;
    const length = c.u32(3);
    if (length < min) return STATUS_INFO_LENGTH_MISMATCH;
    const iosb = c.arg(1);
    const buf = c.arg(2);
    c.mem.probeWrite(iosb, 16);
    c.mem.probeWrite(buf, length);
    const r = diskFile(c, c.handle(0));
    if (typeof r === "number") return r;
    const bytes = queryBytes(r.object.vfs, r.object, r.access, cls);
    if (typeof bytes === "number") return bytes;
    const n = Math.min(length, bytes.length);
    // Names are whole characters.
    const cut = n < bytes.length ? n - (n % 2) : n;
    c.mem.write(buf, bytes.subarray(0, cut));
    const status = cut < bytes.length ? STATUS_BUFFER_OVERFLOW : STATUS_SUCCESS;
    writeIosb(c, iosb, status, cut);
    return status;
  },

  /**
   * NTSTATUS NtSetInformationFile(HANDLE FileHandle, PIO_STATUS_BLOCK IoStatusBlock, PVOID FileInformation,
   * ULONG Length, FILE_INFORMATION_CLASS FileInformationClass).
   */
  NtSetInformationFile(c) {
    const cls = c.u32(4);
    const min = SET_LENGTH.get(cls);
    if (min === undefined) return STATUS_INVALID_INFO_CLASS;
    const length = c.u32(3);
    if (length < min) return STATUS_INFO_LENGTH_MISMATCH;
    const iosb = c.arg(1);
    const buf = c.arg(2);
    c.mem.probeWrite(iosb, 16);
    c.mem.probeRead(buf, length);
    const r = diskFile(c, c.handle(0));
    if (typeof r === "number") return r;
    const vfs = r.object.vfs;
    const f = r.object.file;
    const m = c.mem;
    let status: number;
    switch (cls) {
      case FileBasicInformation: {
        const dv = new DataView(m.read(buf, 0x28).buffer);
        status = vfs.setBasic(f, {
          creationTime: dv.getBigInt64(0, true),
          lastAccessTime: dv.getBigInt64(8, true),
          lastWriteTime: dv.getBigInt64(0x10, true),
          changeTime: dv.getBigInt64(0x18, true),
          attributes: dv.getUint32(0x20, true),
        });
        break;
      }
      case FilePositionInformation:
        status = vfs.setPosition(f, m.i64(buf));
        break;
      case FileEndOfFileInformation:
        status = vfs.setEndOfFile(f, m.i64(buf));
        break;
      case FileAllocationInformation:
        status = vfs.setEndOfFile(f, m.i64(buf), true);
        break;
      case FileDispositionInformation:
        status = vfs.setDisposition(f, m.u8(buf) !== 0);
        break;
      case FileDispositionInformationEx:
        status = vfs.setDisposition(f, (m.u32(buf) & 1) !== 0, m.u32(buf));
        break;
      case FileRenameInformation:
      case FileRenameInformationEx: {
        const replace = cls === FileRenameInformation ? m.u8(buf) !== 0 : (m.u32(buf) & 1) !== 0;
        const rootHandle = m.i64(buf + 8);
        const nameLength = m.u32(buf + 0x10);
        if (0x14 + nameLength > length || nameLength % 2 !== 0) return STATUS_INVALID_PARAMETER;
        const target = m.utf16(buf + 0x14, nameLength);
        let root: FsFile | undefined;
        if (rootHandle !== 0) {
          const rr = diskFile(c, rootHandle);
          if (typeof rr === "number") return rr;
          root = rr.object.file;
        }
        status = vfs.rename(f, target, replace, root, caller(c));
        break;
      }
      default:
        return STATUS_INVALID_INFO_CLASS;
    }
    if (status === STATUS_SUCCESS) writeIosb(c, iosb, status, 0);
    return status;
  },

  /**
   * NTSTATUS NtQueryDirectoryFile(HANDLE FileHandle, HANDLE Event, PIO_APC_ROUTINE ApcRoutine, PVOID
   * ApcContext, PIO_STATUS_BLOCK IoStatusBlock, PVOID FileInformation, ULONG Length, FILE_INFORMATION_CLASS
   * FileInformationClass, BOOLEAN ReturnSingleEntry, PUNICODE_STRING FileName, BOOLEAN RestartScan).
   * Entries start at 8-byte boundaries, NextEntryOffset links them (0 in the last); Information is the end
   * of the last entry. An entry that does not fit waits for the next call; a first entry whose name does not
   * fit is returned cut, with STATUS_BUFFER_OVERFLOW.
   */
  NtQueryDirectoryFile(c) {
    const cls = c.u32(7);
    const k = DIR_CLASSES.get(cls);
    if (k === undefined) return STATUS_INVALID_INFO_CLASS;
    const length = c.u32(6);
    if (length < k.fixed) return STATUS_INFO_LENGTH_MISMATCH;
    const iosb = c.arg(4);
    const buf = c.arg(5);
    c.mem.probeWrite(iosb, 16);
    c.mem.probeWrite(buf, length);
    const event = c.handle(1);
    if (event !== 0) {
      return c.kernel.handles.get(event) === undefined ? STATUS_INVALID_HANDLE : STATUS_OBJECT_TYPE_MISMATCH;
    }
    if (c.arg(2) !== 0) return unimplemented("NtQueryDirectoryFile", "an APC completion routine");
    const r = diskFile(c, c.handle(0));
    if (typeof r === "number") return r;
    let expression: string | undefined;
    const us = c.arg(9);
    if (us !== 0) {
      c.mem.probeRead(us, 0x10);
      const len = c.mem.u16(us);
      if (len > 0) expression = c.mem.utf16(c.mem.u64(us + 8), len);
    }
    const single = c.bool(8);
    const vfs = r.object.vfs;
    const f = r.object.file;
    const q = vfs.queryDirectory(f, { expression, restart: c.bool(10), max: single ? 1 : undefined });
    if (q.status !== STATUS_SUCCESS) {
      if (q.status === 0x80000006 || q.status === 0xc000000f) writeIosb(c, iosb, q.status, 0);
      return q.status;
    }
    let at = 0;
    let prev = -1;
    let used = 0;
    let status = STATUS_SUCCESS;
    for (const e of q.entries) {
      const bytes = encodeDirEntry(cls, e);
      const start = align8(at);
      if (used === 0) {
        if (bytes.length > length) {
          // The first entry, its name cut: STATUS_BUFFER_OVERFLOW.
          const n = length - ((length - k.name) % 2);
          c.mem.write(buf, bytes.subarray(0, n));
          at = n;
          used = 1;
          status = STATUS_BUFFER_OVERFLOW;
          break;
        }
      } else if (start + bytes.length > length) break;
      c.mem.write(buf + start, bytes);
      if (prev >= 0) c.mem.w32(buf + prev, start - prev);
      prev = start;
      at = start + bytes.length;
      used++;
    }
    vfs.putBack(f, q.entries.length - used);
    writeIosb(c, iosb, status, at);
    return status;
  },

  /** NTSTATUS NtQueryAttributesFile(POBJECT_ATTRIBUTES ObjectAttributes, PFILE_BASIC_INFORMATION FileInformation). */
  NtQueryAttributesFile(c) {
    const out = c.arg(1);
    c.mem.probeWrite(out, 0x28);
    const n = captureName(c, c.arg(0));
    if (typeof n === "number") return n;
    const r = fileSystemOf(c.kernel).queryAttributes(n.path, caller(c), n.root);
    if (r.info === undefined) return r.status;
    c.mem.write(out, encodeBasic(r.info));
    return STATUS_SUCCESS;
  },

  /**
   * NTSTATUS NtQueryFullAttributesFile(POBJECT_ATTRIBUTES ObjectAttributes,
   * PFILE_NETWORK_OPEN_INFORMATION FileInformation).
   */
  NtQueryFullAttributesFile(c) {
    const out = c.arg(1);
    c.mem.probeWrite(out, 0x38);
    const n = captureName(c, c.arg(0));
    if (typeof n === "number") return n;
    const r = fileSystemOf(c.kernel).queryAttributes(n.path, caller(c), n.root);
    if (r.info === undefined) return r.status;
    c.mem.write(out, encodeNetworkOpen(r.info, r.allocationSize ?? 0, r.endOfFile ?? 0));
    return STATUS_SUCCESS;
  },

  /** NTSTATUS NtDeleteFile(POBJECT_ATTRIBUTES ObjectAttributes): the file goes when its last handle closes. */
  NtDeleteFile(c) {
    const n = captureName(c, c.arg(0));
    if (typeof n === "number") return n;
    return fileSystemOf(c.kernel).deleteFile(n.path, caller(c), n.root);
  },
};
