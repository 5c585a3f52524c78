/**
 * The structures NtQueryKey/NtEnumerateKey and NtQueryValueKey/NtEnumerateValueKey write, encoded into a
 * caller buffer of `length` bytes.
 *
 * Layouts (wdm.h; every field is a ULONG or a LARGE_INTEGER and names are WCHAR arrays, so the field
 * offsets are the same for 32-bit and 64-bit callers and the WOW64 thunk copies these buffers unchanged):
 *
 * | structure                         | fields (offset)                                                  |
 * | --------------------------------- | ---------------------------------------------------------------- |
 * | KEY_BASIC_INFORMATION             | LastWriteTime 0, TitleIndex 8, NameLength 12, Name 16            |
 * | KEY_NODE_INFORMATION              | LastWriteTime 0, TitleIndex 8, ClassOffset 12, ClassLength 16,   |
 * |                                   | NameLength 20, Name 24 (class after the name, 4-aligned)         |
 * | KEY_FULL_INFORMATION              | LastWriteTime 0, TitleIndex 8, ClassOffset 12, ClassLength 16,   |
 * |                                   | SubKeys 20, MaxNameLen 24, MaxClassLen 28, Values 32,            |
 * |                                   | MaxValueNameLen 36, MaxValueDataLen 40, Class 44                 |
 * | KEY_NAME_INFORMATION              | NameLength 0, Name 4 (the full NT path)                          |
 * | KEY_VALUE_BASIC_INFORMATION       | TitleIndex 0, Type 4, NameLength 8, Name 12                      |
 * | KEY_VALUE_FULL_INFORMATION        | TitleIndex 0, Type 4, DataOffset 8, DataLength 12, NameLength 16,|
 * |                                   | Name 20 (data after the name, 4-aligned; Align64: 8-aligned)     |
 * | KEY_VALUE_PARTIAL_INFORMATION     | TitleIndex 0, Type 4, DataLength 8, Data 12                      |
 * | KEY_VALUE_PARTIAL_INFORMATION_ALIGN64 | Type 0, DataLength 4, Data 8                                 |
 *
 * Short buffers (ZwQueryValueKey / ZwQueryKey reference pages, "Return value"): STATUS_BUFFER_TOO_SMALL
 * when "the buffer supplied is too small, and no data has been written" — the buffer cannot hold the fixed
 * part (the offset of the name/data/class array); STATUS_BUFFER_OVERFLOW when "only partial data has been
 * written" — the fixed part is written in full and the name/data is truncated. In both cases ResultLength
 * is the size needed for everything. The fixed part / truncation rules are those of the configuration
 * manager (ReactOS ntoskrnl/config CmpQueryKeyValueData, CmpQueryKeyData). ClassOffset/DataOffset is
 * 0xFFFFFFFF when there is no class/data.
 */
import {
  KeyBasicInformation,
  KeyFullInformation,
  KeyNameInformation,
  KeyNodeInformation,
  KeyValueBasicInformation,
  KeyValueFullInformation,
  KeyValueFullInformationAlign64,
  KeyValuePartialInformation,
  KeyValuePartialInformationAlign64,
} from "./constants";
import type { KeyInfo } from "./registry";
import {
  STATUS_BUFFER_OVERFLOW,
  STATUS_BUFFER_TOO_SMALL,
  STATUS_INVALID_PARAMETER,
  STATUS_SUCCESS,
} from "./status";

export interface InfoResult {
  status: number;
  /** What *ResultLength receives: the bytes needed for the whole structure. */
  resultLength: number;
  /** The caller's buffer contents (`length` bytes); only meaningful when not STATUS_BUFFER_TOO_SMALL. */
  buffer: Uint8Array;
}

/** What a value-information structure is built from. */
export interface ValueSource {
  name: string;
  type: number;
  data: Uint8Array;
}

/** What a key-information structure is built from: the key's name and `keyInfo` numbers. */
export interface KeySource extends KeyInfo {
  /** For KeyNameInformation: the full NT path. */
  path: string;
}

class Writer {
  readonly buf: Uint8Array;
  private readonly dv: DataView;
  constructor(readonly length: number) {
    this.buf = new Uint8Array(length);
    this.dv = new DataView(this.buf.buffer);
  }
  u32(off: number, v: number): void {
    this.dv.setUint32(off, v >>> 0, true);
  }
  u64(off: number, v: bigint): void {
    this.dv.setBigUint64(off, BigInt.asUintN(64, v), true);
  }
  /** Copy as much of `bytes` at `off` as fits; true when all of it did. */
  bytes(off: number, bytes: Uint8Array): boolean {
    const room = Math.max(0, this.length - off);
    const n = Math.min(room, bytes.length);
    if (n > 0) this.buf.set(bytes.subarray(0, n), off);
    return n === bytes.length;
  }
}

function utf16(s: string): Uint8Array {
  const out = new Uint8Array(s.length * 2);
  for (let i = 0; i < s.length; i++) {
    out[i * 2] = s.charCodeAt(i) & 0xff;
    out[i * 2 + 1] = s.charCodeAt(i) >> 8;
  }
  return out;
}

const align = (n: number, a: number): number => (n + a - 1) & ~(a - 1);

/** NtQueryValueKey / NtEnumerateValueKey: encode `value` as information class `cls`. */
export function encodeValueInformation(cls: number, value: ValueSource, length: number): InfoResult {
  const name = utf16(value.name);
  const data = value.data;
  let fixed: number;
  let total: number;
  switch (cls) {
    case KeyValueBasicInformation:
      fixed = 12;
      total = fixed + name.length;
      break;
    case KeyValueFullInformation:
    case KeyValueFullInformationAlign64: {
      fixed = 20;
      const a = cls === KeyValueFullInformation ? 4 : 8;
      total = data.length > 0 ? align(fixed + name.length, a) + data.length : fixed + name.length;
      break;
    }
    case KeyValuePartialInformation:
      fixed = 12;
      total = fixed + data.length;
      break;
    case KeyValuePartialInformationAlign64:
      fixed = 8;
      total = fixed + data.length;
      break;
    default:
      return { status: STATUS_INVALID_PARAMETER, resultLength: 0, buffer: new Uint8Array(length) };
  }
  const w = new Writer(length);
  if (length < fixed) return { status: STATUS_BUFFER_TOO_SMALL, resultLength: total, buffer: w.buf };
  let complete = true;
  switch (cls) {
    case KeyValueBasicInformation:
      w.u32(0, 0);
      w.u32(4, value.type);
      w.u32(8, name.length);
      complete = w.bytes(12, name);
      break;
    case KeyValueFullInformation:
    case KeyValueFullInformationAlign64: {
      const a = cls === KeyValueFullInformation ? 4 : 8;
      w.u32(0, 0);
      w.u32(4, value.type);
      w.u32(12, data.length);
      w.u32(16, name.length);
      complete = w.bytes(20, name);
      if (data.length > 0) {
        const off = align(fixed + name.length, a);
        w.u32(8, off);
        complete = w.bytes(off, data) && complete;
      } else {
        w.u32(8, 0xffffffff);
      }
      break;
    }
    case KeyValuePartialInformation:
      w.u32(0, 0);
      w.u32(4, value.type);
      w.u32(8, data.length);
      complete = w.bytes(12, data);
      break;
    case KeyValuePartialInformationAlign64:
      w.u32(0, value.type);
      w.u32(4, data.length);
      complete = w.bytes(8, data);
      break;
  }
  return { status: complete ? STATUS_SUCCESS : STATUS_BUFFER_OVERFLOW, resultLength: total, buffer: w.buf };
}

/** NtQueryKey / NtEnumerateKey: encode `key` as information class `cls`. */
export function encodeKeyInformation(cls: number, key: KeySource, length: number): InfoResult {
  const name = utf16(cls === KeyNameInformation ? key.path : key.name);
  const cls16 = utf16(key.className);
  let fixed: number;
  let total: number;
  switch (cls) {
    case KeyBasicInformation:
      fixed = 16;
      total = fixed + name.length;
      break;
    case KeyNodeInformation:
      fixed = 24;
      total = cls16.length > 0 ? align(fixed + name.length, 4) + cls16.length : fixed + name.length;
      break;
    case KeyFullInformation:
      fixed = 44;
      total = fixed + cls16.length;
      break;
    case KeyNameInformation:
      fixed = 4;
      total = fixed + name.length;
      break;
    default:
      return { status: STATUS_INVALID_PARAMETER, resultLength: 0, buffer: new Uint8Array(length) };
  }
  const w = new Writer(length);
  if (length < fixed) return { status: STATUS_BUFFER_TOO_SMALL, resultLength: total, buffer: w.buf };
  let complete = true;
  switch (cls) {
    case KeyBasicInformation:
      w.u64(0, key.lastWriteTime);
      w.u32(8, 0);
      w.u32(12, name.length);
      complete = w.bytes(16, name);
      break;
    case KeyNodeInformation:
      w.u64(0, key.lastWriteTime);
      w.u32(8, 0);
      w.u32(16, cls16.length);
      w.u32(20, name.length);
      complete = w.bytes(24, name);
      if (cls16.length > 0) {
        const off = align(fixed + name.length, 4);
        w.u32(12, off);
        complete = w.bytes(off, cls16) && complete;
      } else {
        w.u32(12, 0xffffffff);
      }
      break;
    case KeyFullInformation:
      w.u64(0, key.lastWriteTime);
      w.u32(8, 0);
      w.u32(12, cls16.length > 0 ? 44 : 0xffffffff);
      w.u32(16, cls16.length);
      w.u32(20, key.subKeys);
      w.u32(24, key.maxNameLen);
      w.u32(28, key.maxClassLen);
      w.u32(32, key.values);
      w.u32(36, key.maxValueNameLen);
      w.u32(40, key.maxValueDataLen);
      complete = w.bytes(44, cls16);
      break;
    case KeyNameInformation:
      w.u32(0, name.length);
      complete = w.bytes(4, name);
      break;
  }
  return { status: complete ? STATUS_SUCCESS : STATUS_BUFFER_OVERFLOW, resultLength: total, buffer: w.buf };
}
