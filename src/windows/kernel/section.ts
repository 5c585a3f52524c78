/**
 * Section services: NtCreateSection (pagefile-backed sections; file-backed ones need file objects, which
 * this kernel does not have yet), NtMapViewOfSection, NtUnmapViewOfSection, and the section object over a
 * memory-manager Section (whose own counts of handles and views decide when it dies).
 */
import { isValidProtection } from "../memory";
import type { Section } from "../memory/section";
import type { SyscallContext, SyscallFamily } from "./context";
import { unimplemented } from "./context";
import { KernelObject, mapGenericAccess, type GenericMapping } from "./handles";
import { checkProcessHandle } from "./process";
import {
  STATUS_ACCESS_DENIED,
  STATUS_INVALID_FILE_FOR_SECTION,
  STATUS_INVALID_PAGE_PROTECTION,
  STATUS_INVALID_PARAMETER,
  STATUS_INVALID_PARAMETER_4,
  STATUS_INVALID_PARAMETER_8,
  STATUS_SUCCESS,
  ntSuccess,
} from "./status";
import type { FileObject } from "./file";

export const SECTION_QUERY = 0x0001;
export const SECTION_MAP_WRITE = 0x0002;
export const SECTION_MAP_READ = 0x0004;
export const SECTION_MAP_EXECUTE = 0x0008;
export const SECTION_EXTEND_SIZE = 0x0010;
export const SECTION_ALL_ACCESS = 0x000f001f;

export const SECTION_GENERIC_MAPPING: GenericMapping = {
  read: 0x00020005,
  write: 0x00020002,
  execute: 0x00020008,
  all: SECTION_ALL_ACCESS,
};

/** OBJECT_ATTRIBUTES.Attributes: OBJ_INHERIT. */
export const OBJ_INHERIT = 0x2;
/** sizeof(OBJECT_ATTRIBUTES) on x64. */
export const OBJECT_ATTRIBUTES64_SIZE = 0x30;

/** SECTION_INHERIT. */
export const ViewShare = 1;
export const ViewUnmap = 2;

export class SectionObject extends KernelObject {
  readonly type = "Section";
  constructor(readonly section: Section) {
    super();
  }

  // The memory manager's Section starts with the creator's handle counted.
  protected override onHandleOpened(first: boolean): void {
    if (!first) this.section.reference();
  }

  protected override onHandleClosed(): void {
    this.section.close();
  }
}

/**
 * The access a view's protection needs on the section handle (MmMakeSectionAccess, by the protection's
 * low three bits: read, execute, execute-read, read-write, write-copy, execute-read-write, execute-write-copy).
 */
export function sectionAccessFor(protect: number): number {
  const p = protect & 0xff;
  if (p & 0x40) return SECTION_MAP_EXECUTE | SECTION_MAP_WRITE; // PAGE_EXECUTE_READWRITE
  if (p & 0x80) return SECTION_MAP_EXECUTE | SECTION_MAP_READ; // PAGE_EXECUTE_WRITECOPY
  if (p & 0x20) return SECTION_MAP_EXECUTE | SECTION_MAP_READ; // PAGE_EXECUTE_READ
  if (p & 0x10) return SECTION_MAP_EXECUTE; // PAGE_EXECUTE
  if (p & 0x04) return SECTION_MAP_WRITE; // PAGE_READWRITE
  return SECTION_MAP_READ; // PAGE_READONLY, PAGE_WRITECOPY, PAGE_NOACCESS
}

/** Captures a 64-bit OBJECT_ATTRIBUTES: { Attributes, hasName } or a status. */
function captureObjectAttributes(
  c: SyscallContext,
  oa: number,
): { attributes: number; named: boolean } | number {
  if (oa === 0) return { attributes: 0, named: false };
  c.mem.probeRead(oa, OBJECT_ATTRIBUTES64_SIZE);
  if (c.mem.u32(oa) !== OBJECT_ATTRIBUTES64_SIZE) return STATUS_INVALID_PARAMETER;
  // Length, RootDirectory @8, ObjectName @0x10, Attributes @0x18, SecurityDescriptor @0x20, QoS @0x28
  return { attributes: c.mem.u32(oa + 0x18), named: c.mem.u64(oa + 0x10) !== 0 };
}

export const sectionSyscalls: SyscallFamily = {
  /**
   * NTSTATUS NtCreateSection(PHANDLE SectionHandle, ACCESS_MASK DesiredAccess, POBJECT_ATTRIBUTES
   * ObjectAttributes, PLARGE_INTEGER MaximumSize, ULONG SectionPageProtection, ULONG AllocationAttributes,
   * HANDLE FileHandle).
   */
  NtCreateSection(c) {
    const pHandle = c.arg(0);
    const access = c.u32(1);
    const pSize = c.arg(3);
    const protect = c.u32(4);
    const attributes = c.u32(5);
    const fileHandle = c.handle(6);
    c.mem.probeWrite(pHandle, 8);
    const size = pSize !== 0 ? c.mem.i64(pSize) : undefined;
    const oa = captureObjectAttributes(c, c.arg(2));
    if (typeof oa === "number") return oa;
    if (oa.named) return unimplemented("NtCreateSection", "named sections (no object namespace yet)");
    if (fileHandle !== 0) {
      const f = c.kernel.handles.lookup<FileObject>(fileHandle, "File");
      if (typeof f === "number") return f;
      // The only file objects so far are console connections, which cannot back a section.
      return STATUS_INVALID_FILE_FOR_SECTION;
    }
    if (size === undefined) return STATUS_INVALID_PARAMETER_4;
    const r = c.process.mm.createSection({ size, protect, attributes });
    if (r.section === undefined) return r.status;
    const obj = new SectionObject(r.section);
    const h = c.kernel.handles.insert(
      obj,
      mapGenericAccess(access, SECTION_GENERIC_MAPPING),
      (oa.attributes & OBJ_INHERIT) !== 0,
    );
    c.mem.w64(pHandle, h);
    return r.status;
  },

  /**
   * NTSTATUS NtMapViewOfSection(HANDLE SectionHandle, HANDLE ProcessHandle, PVOID *BaseAddress,
   * ULONG_PTR ZeroBits, SIZE_T CommitSize, PLARGE_INTEGER SectionOffset, PSIZE_T ViewSize,
   * SECTION_INHERIT InheritDisposition, ULONG AllocationType, ULONG Win32Protect).
   */
  NtMapViewOfSection(c) {
    const pBase = c.arg(2);
    const pOffset = c.arg(5);
    const pView = c.arg(6);
    const inherit = c.u32(7);
    const protect = c.u32(9);
    if (inherit !== ViewShare && inherit !== ViewUnmap) return STATUS_INVALID_PARAMETER_8;
    if (!isValidProtection(protect)) return STATUS_INVALID_PAGE_PROTECTION;
    c.mem.probeWrite(pBase, 8);
    c.mem.probeWrite(pView, 8);
    if (pOffset !== 0) c.mem.probeWrite(pOffset, 8);
    const base = c.mem.u64(pBase);
    const viewSize = c.mem.u64(pView);
    const offset = pOffset !== 0 ? c.mem.i64(pOffset) : 0;
    const ps = checkProcessHandle(c, c.handle(1));
    if (ps !== STATUS_SUCCESS) return ps;
    const r = c.kernel.handles.lookup<SectionObject>(c.handle(0), "Section");
    if (typeof r === "number") return r;
    const need = sectionAccessFor(protect);
    if ((r.entry.access & need) !== need) return STATUS_ACCESS_DENIED;
    const v = c.process.mem.mapView(r.object.section, {
      base,
      zeroBits: c.arg(3),
      commitSize: c.arg(4),
      offset,
      viewSize,
      allocationType: c.u32(8),
      protect,
      native64: c.callerMode === "x64",
    });
    if (!ntSuccess(v.status)) return v.status;
    c.mem.w64(pBase, v.base);
    c.mem.w64(pView, v.viewSize);
    if (pOffset !== 0) c.mem.w64(pOffset, v.offset);
    return v.status;
  },

  /** NTSTATUS NtUnmapViewOfSection(HANDLE ProcessHandle, PVOID BaseAddress). */
  NtUnmapViewOfSection(c) {
    const s = checkProcessHandle(c, c.handle(0));
    if (s !== STATUS_SUCCESS) return s;
    return c.process.mem.unmapView(c.arg(1));
  },
};
