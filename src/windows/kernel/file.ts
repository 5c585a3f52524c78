/**
 * File services on console connections: NtWriteFile and NtReadFile on the three standard handles the
 * kernel creates (ConDrv-like file objects: since Windows 8 console handles are real kernel handles, and
 * WriteFile/ReadFile on them are ordinary NtWriteFile/NtReadFile). Output goes to ConsoleIo.write, input
 * comes from ConsoleIo.read; I/O is synchronous (FILE_SYNCHRONOUS_IO_NONALERT).
 */
import type { SyscallContext, SyscallFamily } from "./context";
import { unimplemented } from "./context";
import { diskRead, diskWrite, isDiskFileHandle } from "./file-io";
import { KernelObject, type GenericMapping } from "./handles";
import {
  STATUS_ACCESS_DENIED,
  STATUS_END_OF_FILE,
  STATUS_INVALID_HANDLE,
  STATUS_OBJECT_TYPE_MISMATCH,
  STATUS_SUCCESS,
} from "./status";
import type { KernelStop } from "./types";

export const FILE_READ_DATA = 0x0001;
export const FILE_WRITE_DATA = 0x0002;
export const FILE_APPEND_DATA = 0x0004;
export const FILE_GENERIC_READ = 0x00120089;
export const FILE_GENERIC_WRITE = 0x00120116;
export const FILE_ALL_ACCESS = 0x001f01ff;

export const FILE_GENERIC_MAPPING: GenericMapping = {
  read: FILE_GENERIC_READ,
  write: FILE_GENERIC_WRITE,
  execute: 0x001200a0,
  all: FILE_ALL_ACCESS,
};

/** sizeof(IO_STATUS_BLOCK) on x64: Status (or Pointer) @0, Information @8. */
export const IOSB64_SIZE = 16;

/** Where a console connection's bytes go or come from. */
export type ConsoleEnd = "stdin" | "stdout" | "stderr";

export class FileObject extends KernelObject {
  readonly type = "File";
  constructor(
    /** \Device\ConDrv connection of this standard stream. */
    readonly console: ConsoleEnd,
  ) {
    super();
  }
}

/** Bytes moved per ConsoleIo call and guest-memory copy. */
const CHUNK = 0x10000;

interface IoArgs {
  file: FileObject;
  iosb: number;
  buffer: number;
  length: number;
}

/** The checks NtReadFile and NtWriteFile share, in Windows' order: handle, access, probes, event, APC. */
function begin(c: SyscallContext, need: number, write: boolean): IoArgs | number | KernelStop {
  const r = c.kernel.handles.lookup<FileObject>(c.handle(0), "File");
  if (typeof r === "number") return r;
  if ((r.entry.access & need) === 0) return STATUS_ACCESS_DENIED;
  const iosb = c.arg(4);
  const buffer = c.arg(5);
  const length = c.u32(6);
  const byteOffset = c.arg(7);
  const key = c.arg(8);
  c.mem.probeWrite(iosb, IOSB64_SIZE);
  if (write) c.mem.probeRead(buffer, length);
  else c.mem.probeWrite(buffer, length);
  if (byteOffset !== 0) c.mem.probeRead(byteOffset, 8);
  if (key !== 0) c.mem.probeRead(key, 4);
  const event = c.handle(1);
  // There are no event objects yet: any event handle is invalid or of another type, as Windows would
  // find a handle that is not an event.
  if (event !== 0) {
    return c.kernel.handles.get(event) === undefined ? STATUS_INVALID_HANDLE : STATUS_OBJECT_TYPE_MISMATCH;
  }
  if (c.arg(2) !== 0) return unimplemented(c.info.name, "an APC completion routine");
  return { file: r.object, iosb, buffer, length };
}

function complete(c: SyscallContext, iosb: number, status: number, information: number): number {
  c.mem.w64(iosb, status);
  c.mem.w64(iosb + 8, information);
  return status;
}

export const fileSyscalls: SyscallFamily = {
  /**
   * NTSTATUS NtWriteFile(HANDLE FileHandle, HANDLE Event, PIO_APC_ROUTINE ApcRoutine, PVOID ApcContext,
   * PIO_STATUS_BLOCK IoStatusBlock, PVOID Buffer, ULONG Length, PLARGE_INTEGER ByteOffset, PULONG Key).
   */
  NtWriteFile(c) {
    if (isDiskFileHandle(c, c.handle(0))) return diskWrite(c);
    const a = begin(c, FILE_WRITE_DATA | FILE_APPEND_DATA, true);
    if (typeof a === "number" || "kind" in a) return a;
    const end = a.file.console;
    if (end === "stdin") return STATUS_ACCESS_DENIED;
    for (let done = 0; done < a.length;) {
      const n = Math.min(CHUNK, a.length - done);
      c.process.console.write(end, c.mem.read(a.buffer + done, n));
      done += n;
    }
    return complete(c, a.iosb, STATUS_SUCCESS, a.length);
  },

  /**
   * NTSTATUS NtReadFile(HANDLE FileHandle, HANDLE Event, PIO_APC_ROUTINE ApcRoutine, PVOID ApcContext,
   * PIO_STATUS_BLOCK IoStatusBlock, PVOID Buffer, ULONG Length, PLARGE_INTEGER ByteOffset, PULONG Key).
   * The end of the input is STATUS_END_OF_FILE with no bytes, as for a redirected file.
   */
  NtReadFile(c) {
    if (isDiskFileHandle(c, c.handle(0))) return diskRead(c);
    const a = begin(c, FILE_READ_DATA, false);
    if (typeof a === "number" || "kind" in a) return a;
    if (a.file.console !== "stdin") return STATUS_ACCESS_DENIED;
    if (a.length === 0) return complete(c, a.iosb, STATUS_SUCCESS, 0);
    const data = c.process.console.read(Math.min(a.length, CHUNK));
    if (data.length === 0) return complete(c, a.iosb, STATUS_END_OF_FILE, 0);
    const n = Math.min(data.length, a.length);
    c.mem.write(a.buffer, data.subarray(0, n));
    return complete(c, a.iosb, STATUS_SUCCESS, n);
  },
};
