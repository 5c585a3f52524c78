/**
 * 32-bit ↔ 64-bit structure conversions (winnt.h / winternl.h / phnt layouts). In each, pointers and
 * pointer-sized fields widen from 4 to 8 bytes and the alignment of what follows changes with them.
 *
 * | structure                  | x86 size | x64 size |
 * | -------------------------- | -------- | -------- |
 * | IO_STATUS_BLOCK            | 8        | 0x10     |
 * | UNICODE_STRING             | 8        | 0x10     |
 * | OBJECT_ATTRIBUTES          | 0x18     | 0x30     |
 * | MEMORY_BASIC_INFORMATION   | 0x1C     | 0x30     |
 * | SYSTEM_BASIC_INFORMATION   | 0x2C     | 0x40     |
 * | PROCESS_BASIC_INFORMATION  | 0x18     | 0x30     |
 *
 * LARGE_INTEGER has the same bytes in both (only its alignment differs), so pointers to one pass through.
 */
import { ntSuccess } from "../ntstatus";
import type { ThunkCall } from "./thunk";

export const IOSB32_SIZE = 8;
export const IOSB64_SIZE = 0x10;
export const OA32_SIZE = 0x18;
export const OA64_SIZE = 0x30;
export const MBI32_SIZE = 0x1c;
export const MBI64_SIZE = 0x30;
export const SBI32_SIZE = 0x2c;
export const SBI64_SIZE = 0x40;
export const PBI32_SIZE = 0x18;
export const PBI64_SIZE = 0x30;

/**
 * PIO_STATUS_BLOCK: the service gets a 64-bit block initialised from the 32-bit one; if the service wrote
 * it (the I/O completed, successfully or not), Status and Information are narrowed back.
 */
export function ioStatusBlock(t: ThunkCall, i: number): void {
  const p32 = t.arg(i);
  if (p32 === 0) return t.set(i, 0);
  t.mem.probeWrite(p32, IOSB32_SIZE);
  const s = t.scratch(IOSB64_SIZE);
  const status = t.mem.u32(p32);
  const information = t.mem.u32(p32 + 4);
  t.mem.w64(s, status);
  t.mem.w64(s + 8, information);
  t.set(i, s);
  t.after(() => {
    const st = t.mem.u32(s);
    const info = t.mem.u64(s + 8);
    if (st === status && info === information) return;
    t.mem.w32(p32, st);
    t.mem.w32(p32 + 4, info >>> 0);
  });
}

/**
 * POBJECT_ATTRIBUTES: Length, RootDirectory, ObjectName (PUNICODE_STRING), Attributes, SecurityDescriptor,
 * SecurityQualityOfService. The name's UNICODE_STRING is widened too; a 32-bit Length other than 0x18
 * becomes 0 so the service rejects it (STATUS_INVALID_PARAMETER). The security descriptor and QoS pass
 * as they are (self-relative descriptors and SECURITY_QUALITY_OF_SERVICE have no pointers).
 */
export function objectAttributes(t: ThunkCall, i: number): void {
  const p32 = t.arg(i);
  if (p32 === 0) return t.set(i, 0);
  const m = t.mem;
  m.probeRead(p32, OA32_SIZE);
  const s = t.scratch(OA64_SIZE);
  m.w32(s, m.u32(p32) === OA32_SIZE ? OA64_SIZE : 0);
  m.w64(s + 8, m.i32(p32 + 4)); // RootDirectory: a handle, sign-extended
  const name32 = m.u32(p32 + 8);
  if (name32 !== 0) {
    m.probeRead(name32, 8);
    const us = t.scratch(0x10);
    m.w16(us, m.u16(name32));
    m.w16(us + 2, m.u16(name32 + 2));
    m.w64(us + 8, m.u32(name32 + 4));
    m.w64(s + 0x10, us);
  }
  m.w32(s + 0x18, m.u32(p32 + 0x0c));
  m.w64(s + 0x20, m.u32(p32 + 0x10));
  m.w64(s + 0x28, m.u32(p32 + 0x14));
  t.set(i, s);
}

/**
 * MEMORY_BASIC_INFORMATION, 64 → 32: BaseAddress, AllocationBase, AllocationProtect, RegionSize, State,
 * Protect, Type (the x64 PartitionId has no 32-bit field).
 */
export function narrowMemoryBasicInformation(t: ThunkCall, s: number, p32: number): void {
  const m = t.mem;
  const b = new Uint8Array(MBI32_SIZE);
  const dv = new DataView(b.buffer);
  dv.setUint32(0, m.u64(s) >>> 0, true);
  dv.setUint32(4, m.u64(s + 8) >>> 0, true);
  dv.setUint32(8, m.u32(s + 0x10), true);
  dv.setUint32(0x0c, Math.min(m.u64(s + 0x18), 0xffffffff), true);
  dv.setUint32(0x10, m.u32(s + 0x20), true);
  dv.setUint32(0x14, m.u32(s + 0x24), true);
  dv.setUint32(0x18, m.u32(s + 0x28), true);
  m.write(p32, b);
}

/**
 * SYSTEM_BASIC_INFORMATION, 64 → 32: the seven ULONGs, then MinimumUserModeAddress @0x1C,
 * MaximumUserModeAddress @0x20, ActiveProcessorsAffinityMask @0x24, NumberOfProcessors @0x28.
 */
export function narrowSystemBasicInformation(t: ThunkCall, s: number, p32: number): void {
  const m = t.mem;
  const b = new Uint8Array(SBI32_SIZE);
  b.set(m.read(s, 0x1c));
  const dv = new DataView(b.buffer);
  dv.setUint32(0x1c, m.u64(s + 0x20) >>> 0, true);
  dv.setUint32(0x20, m.u64(s + 0x28) >>> 0, true);
  dv.setUint32(0x24, m.u64(s + 0x30) >>> 0, true);
  dv.setUint8(0x28, m.u8(s + 0x38));
  m.write(p32, b);
}

/**
 * PROCESS_BASIC_INFORMATION, 64 → 32: ExitStatus, PebBaseAddress, AffinityMask, BasePriority,
 * UniqueProcessId, InheritedFromUniqueProcessId. A 32-bit caller's PEB is the PEB32: wow64 replaces the
 * 64-bit PEB's address (NtWow64QueryInformationProcess64 is how 32-bit code reaches the other one).
 */
export function narrowProcessBasicInformation(t: ThunkCall, s: number, p32: number): void {
  const m = t.mem;
  const b = new Uint8Array(PBI32_SIZE);
  const dv = new DataView(b.buffer);
  dv.setUint32(0, m.u32(s), true);
  dv.setUint32(4, t.process.wow64 ? t.process.peb32 : m.u64(s + 8) >>> 0, true);
  dv.setUint32(8, m.u64(s + 0x10) >>> 0, true);
  dv.setUint32(0x0c, m.u32(s + 0x18), true);
  dv.setUint32(0x10, m.u64(s + 0x20) >>> 0, true);
  dv.setUint32(0x14, m.u64(s + 0x28) >>> 0, true);
  m.write(p32, b);
}

/** A 32-bit ULONG return length written after success. */
export function returnLength32(t: ThunkCall, p32: number, size: number): void {
  if (p32 === 0) return;
  t.after((status) => {
    if (ntSuccess(status)) t.mem.w32(p32, size);
  });
}
