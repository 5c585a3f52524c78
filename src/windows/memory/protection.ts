/**
 * Page protections: which values are valid, and the accesses each one allows.
 */
import {
  PAGE_EXECUTE,
  PAGE_EXECUTE_READ,
  PAGE_EXECUTE_READWRITE,
  PAGE_EXECUTE_WRITECOPY,
  PAGE_GUARD,
  PAGE_NOACCESS,
  PAGE_NOCACHE,
  PAGE_READONLY,
  PAGE_READWRITE,
  PAGE_WRITECOMBINE,
  PAGE_WRITECOPY,
} from "./constants";

/** Access bits (the values of the CPU's `Access`), plus copy-on-write. */
export const PERM_R = 1;
export const PERM_W = 2;
export const PERM_X = 4;
export const PERM_COPY = 8;

/**
 * Accesses allowed by each base protection (low byte). x86 page tables cannot express execute-only pages, so
 * PAGE_EXECUTE also reads (the Wine conformance tests, run on Windows, treat it as read|execute too).
 */
const PERMS = new Uint8Array(256);
PERMS[PAGE_READONLY] = PERM_R;
PERMS[PAGE_READWRITE] = PERM_R | PERM_W;
PERMS[PAGE_WRITECOPY] = PERM_R | PERM_COPY;
PERMS[PAGE_EXECUTE] = PERM_R | PERM_X;
PERMS[PAGE_EXECUTE_READ] = PERM_R | PERM_X;
PERMS[PAGE_EXECUTE_READWRITE] = PERM_R | PERM_W | PERM_X;
PERMS[PAGE_EXECUTE_WRITECOPY] = PERM_R | PERM_X | PERM_COPY;

/** Access bits of a protection value (modifiers ignored; PAGE_GUARD is handled by the caller). */
export function permsOf(protect: number): number {
  return PERMS[protect & 0xff];
}

/**
 * A valid protection: exactly one base value (PAGE_NOACCESS … PAGE_EXECUTE_WRITECOPY), optionally with one
 * modifier. PAGE_GUARD, PAGE_NOCACHE and PAGE_WRITECOMBINE cannot be combined with PAGE_NOACCESS or with
 * each other (VirtualAlloc/VirtualProtect: "Memory Protection Constants"; the Wine conformance table
 * test_VirtualProtect shows every combination of two base values rejected on Windows).
 */
export function isValidProtection(protect: number): boolean {
  if (protect < 0 || protect > 0x7ff || !Number.isInteger(protect)) return false;
  const base = protect & 0xff;
  if (base === 0 || (base & (base - 1)) !== 0) return false;
  const mods = protect & (PAGE_GUARD | PAGE_NOCACHE | PAGE_WRITECOMBINE);
  if (mods === 0) return true;
  if (base === PAGE_NOACCESS) return false;
  return (mods & (mods - 1)) === 0;
}

export function isWriteCopy(protect: number): boolean {
  const b = protect & 0xff;
  return b === PAGE_WRITECOPY || b === PAGE_EXECUTE_WRITECOPY;
}

/** The protection a copy-on-write page shows once written: PAGE_WRITECOPY → PAGE_READWRITE, … */
export function writtenProtection(protect: number): number {
  const b = protect & 0xff;
  if (b === PAGE_WRITECOPY) return (protect & ~0xff) | PAGE_READWRITE;
  if (b === PAGE_EXECUTE_WRITECOPY) return (protect & ~0xff) | PAGE_EXECUTE_READWRITE;
  return protect;
}

/** A writable protection on a page that is still shared in a copy-on-write view: PAGE_READWRITE → … */
export function copyOnWriteProtection(protect: number): number {
  const b = protect & 0xff;
  if (b === PAGE_READWRITE) return (protect & ~0xff) | PAGE_WRITECOPY;
  if (b === PAGE_EXECUTE_READWRITE) return (protect & ~0xff) | PAGE_EXECUTE_WRITECOPY;
  return protect;
}

/**
 * The section rights a protection needs (read, write, execute), with write-copy counting as read: a view or
 * a VirtualProtect on a view is allowed when its rights are a subset of what the section (or the view)
 * grants. ZwMapViewOfSection returns STATUS_SECTION_PROTECTION otherwise.
 */
export function sectionAccessOf(protect: number): number {
  return PERMS[protect & 0xff] & (PERM_R | PERM_W | PERM_X);
}

export function isCompatibleProtection(granted: number, wanted: number): boolean {
  const g = sectionAccessOf(granted);
  const w = sectionAccessOf(wanted);
  return (g & w) === w;
}
