/**
 * WOW64 thunks of the file services on the virtual file system (../kernel/file-io.ts). The information
 * classes have the same layout in both modes (no pointers), except FILE_RENAME_INFORMATION: x86
 * { BOOLEAN ReplaceIfExists (or ULONG Flags) @0, HANDLE RootDirectory @4, ULONG FileNameLength @8,
 * WCHAR FileName[] @0xC } becomes x64 { @0, RootDirectory @8, FileNameLength @0x10, FileName @0x14 }.
 */
import { ioStatusBlock, objectAttributes } from "./structs";
import { outPointer, type Thunk, type ThunkCall, type ThunkFamily } from "./thunk";

/** FileRenameInformation, FileRenameInformationEx. */
const RENAME_CLASSES = new Set([10, 65]);
const STATUS_INFO_LENGTH_MISMATCH = 0xc0000004;
const STATUS_INVALID_PARAMETER = 0xc000000d;

/** PUNICODE_STRING: the 32-bit one (Length, MaximumLength, Buffer @4) widened into scratch. */
function unicodeString(t: ThunkCall, i: number): void {
  const p32 = t.arg(i);
  if (p32 === 0) return t.set(i, 0);
  t.mem.probeRead(p32, 8);
  const s = t.scratch(0x10);
  t.mem.w16(s, t.mem.u16(p32));
  t.mem.w16(s + 2, t.mem.u16(p32 + 2));
  t.mem.w64(s + 8, t.mem.u32(p32 + 4));
  t.set(i, s);
}

const queryOrSet =
  (set: boolean): Thunk =>
  (t) => {
    t.set(0, t.sarg(0));
    ioStatusBlock(t, 1);
    t.set(3, t.arg(3));
    t.set(4, t.arg(4));
    const cls = t.arg(4);
    if (!set || !RENAME_CLASSES.has(cls)) return t.set(2, t.arg(2));
    // FILE_RENAME_INFORMATION, 32 → 64.
    const p32 = t.arg(2);
    const length = t.arg(3);
    if (length < 0x10) t.fail(STATUS_INFO_LENGTH_MISMATCH);
    t.mem.probeRead(p32, length);
    const nameLength = t.mem.u32(p32 + 8);
    if (0x0c + nameLength > length) t.fail(STATUS_INVALID_PARAMETER);
    const size = 0x14 + nameLength;
    if (size > 0x300) t.fail(STATUS_INVALID_PARAMETER);
    const s = t.scratch(size);
    t.mem.w32(s, t.mem.u32(p32));
    t.mem.w64(s + 8, t.mem.i32(p32 + 4));
    t.mem.w32(s + 0x10, nameLength);
    t.mem.write(s + 0x14, t.mem.read(p32 + 0x0c, nameLength));
    t.set(2, s);
    t.set(3, Math.max(size, 0x18));
  };

export const fileIoThunks: ThunkFamily = {
  /**
   * (PHANDLE, ACCESS_MASK, POBJECT_ATTRIBUTES, PIO_STATUS_BLOCK, PLARGE_INTEGER AllocationSize, ULONG
   * FileAttributes, ULONG ShareAccess, ULONG CreateDisposition, ULONG CreateOptions, PVOID EaBuffer, ULONG).
   */
  NtCreateFile(t) {
    outPointer(t, 0);
    t.set(1, t.arg(1));
    objectAttributes(t, 2);
    ioStatusBlock(t, 3);
    for (let i = 4; i < 11; i++) t.set(i, t.arg(i));
  },

  /** (PHANDLE, ACCESS_MASK, POBJECT_ATTRIBUTES, PIO_STATUS_BLOCK, ULONG ShareAccess, ULONG OpenOptions). */
  NtOpenFile(t) {
    outPointer(t, 0);
    t.set(1, t.arg(1));
    objectAttributes(t, 2);
    ioStatusBlock(t, 3);
    t.set(4, t.arg(4));
    t.set(5, t.arg(5));
  },

  /** (HANDLE, PIO_STATUS_BLOCK, PVOID FileInformation, ULONG Length, FILE_INFORMATION_CLASS). */
  NtQueryInformationFile: queryOrSet(false),
  NtSetInformationFile: queryOrSet(true),

  /**
   * (HANDLE, HANDLE Event, PIO_APC_ROUTINE, PVOID ApcContext, PIO_STATUS_BLOCK, PVOID FileInformation, ULONG
   * Length, FILE_INFORMATION_CLASS, BOOLEAN ReturnSingleEntry, PUNICODE_STRING FileName, BOOLEAN RestartScan).
   */
  NtQueryDirectoryFile(t) {
    t.set(0, t.sarg(0));
    t.set(1, t.sarg(1));
    t.set(2, t.arg(2));
    t.set(3, t.arg(3));
    ioStatusBlock(t, 4);
    for (let i = 5; i < 9; i++) t.set(i, t.arg(i));
    unicodeString(t, 9);
    t.set(10, t.arg(10));
  },

  /** (POBJECT_ATTRIBUTES, PFILE_BASIC_INFORMATION): the same bytes in both modes. */
  NtQueryAttributesFile(t) {
    objectAttributes(t, 0);
    t.set(1, t.arg(1));
  },

  /** (POBJECT_ATTRIBUTES, PFILE_NETWORK_OPEN_INFORMATION). */
  NtQueryFullAttributesFile(t) {
    objectAttributes(t, 0);
    t.set(1, t.arg(1));
  },

  /** (POBJECT_ATTRIBUTES). */
  NtDeleteFile(t) {
    objectAttributes(t, 0);
  },
};
