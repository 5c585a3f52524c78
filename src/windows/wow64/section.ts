/** WOW64 thunks of the section services. */
import { objectAttributes } from "./structs";
import { byValue, inOutPointer, outPointer, type ThunkFamily } from "./thunk";

export const sectionThunks: ThunkFamily = {
  /**
   * (PHANDLE, ACCESS_MASK, POBJECT_ATTRIBUTES, PLARGE_INTEGER MaximumSize, ULONG, ULONG, HANDLE FileHandle).
   */
  NtCreateSection(t) {
    outPointer(t, 0);
    t.set(1, t.arg(1));
    objectAttributes(t, 2);
    t.set(3, t.arg(3));
    t.set(4, t.arg(4));
    t.set(5, t.arg(5));
    t.set(6, t.sarg(6));
  },

  /**
   * (HANDLE Section, HANDLE Process, PVOID *BaseAddress, ULONG_PTR ZeroBits, SIZE_T CommitSize,
   * PLARGE_INTEGER SectionOffset, PSIZE_T ViewSize, SECTION_INHERIT, ULONG AllocationType, ULONG Protect).
   * The 64-bit section offset passes through: a 32-bit process maps views anywhere in a section of any size.
   */
  NtMapViewOfSection(t) {
    t.set(0, t.sarg(0));
    t.set(1, t.sarg(1));
    inOutPointer(t, 2);
    t.set(3, t.arg(3));
    t.set(4, t.arg(4));
    t.set(5, t.arg(5));
    inOutPointer(t, 6);
    t.set(7, t.arg(7));
    t.set(8, t.arg(8));
    t.set(9, t.arg(9));
  },

  /** (HANDLE Process, PVOID BaseAddress). */
  NtUnmapViewOfSection: byValue("s", "u"),
};
