/**
 * WOW64 thunks of the registry key services. OBJECT_ATTRIBUTES and the UNICODE_STRINGs (ValueName, Class)
 * widen; the KEY_*_INFORMATION and KEY_VALUE_*_INFORMATION structures are made of ULONGs, LARGE_INTEGERs
 * and WCHAR arrays, so their layout is the same for both bitnesses (../registry/info.ts) and the buffers
 * pass through, as do the PULONG Disposition/ResultLength. The handle is written through a widened slot.
 */
import { objectAttributes } from "./structs";
import { byValue, outPointer, type ThunkCall, type ThunkFamily } from "./thunk";

/** PUNICODE_STRING (x86: Length, MaximumLength, Buffer @4) → the x64 layout in scratch. NULL stays NULL. */
function unicodeString(t: ThunkCall, i: number): void {
  const p32 = t.arg(i);
  if (p32 === 0) return t.set(i, 0);
  const m = t.mem;
  m.probeRead(p32, 8);
  const us = t.scratch(0x10);
  m.w16(us, m.u16(p32));
  m.w16(us + 2, m.u16(p32 + 2));
  m.w64(us + 8, m.u32(p32 + 4));
  t.set(i, us);
}

export const registryThunks: ThunkFamily = {
  /** (PHANDLE, ACCESS_MASK, POBJECT_ATTRIBUTES, ULONG TitleIndex, PUNICODE_STRING Class, ULONG, PULONG). */
  NtCreateKey(t) {
    outPointer(t, 0);
    t.set(1, t.arg(1));
    objectAttributes(t, 2);
    t.set(3, t.arg(3));
    unicodeString(t, 4);
    t.set(5, t.arg(5));
    t.set(6, t.arg(6));
  },

  /** (PHANDLE, ACCESS_MASK, POBJECT_ATTRIBUTES). */
  NtOpenKey(t) {
    outPointer(t, 0);
    t.set(1, t.arg(1));
    objectAttributes(t, 2);
  },

  /** (PHANDLE, ACCESS_MASK, POBJECT_ATTRIBUTES, ULONG OpenOptions). */
  NtOpenKeyEx(t) {
    outPointer(t, 0);
    t.set(1, t.arg(1));
    objectAttributes(t, 2);
    t.set(3, t.arg(3));
  },

  /** (HANDLE). */
  NtDeleteKey: byValue("s"),
  /** (HANDLE). */
  NtFlushKey: byValue("s"),

  /** (HANDLE, PUNICODE_STRING ValueName, ULONG TitleIndex, ULONG Type, PVOID Data, ULONG DataSize). */
  NtSetValueKey(t) {
    t.set(0, t.sarg(0));
    unicodeString(t, 1);
    for (const i of [2, 3, 4, 5]) t.set(i, t.arg(i));
  },

  /** (HANDLE, PUNICODE_STRING ValueName, class, PVOID, ULONG Length, PULONG ResultLength). */
  NtQueryValueKey(t) {
    t.set(0, t.sarg(0));
    unicodeString(t, 1);
    for (const i of [2, 3, 4, 5]) t.set(i, t.arg(i));
  },

  /** (HANDLE, PUNICODE_STRING ValueName). */
  NtDeleteValueKey(t) {
    t.set(0, t.sarg(0));
    unicodeString(t, 1);
  },

  /** (HANDLE, ULONG Index, class, PVOID, ULONG Length, PULONG ResultLength). */
  NtEnumerateKey: byValue("s", "u", "u", "u", "u", "u"),
  /** (HANDLE, ULONG Index, class, PVOID, ULONG Length, PULONG ResultLength). */
  NtEnumerateValueKey: byValue("s", "u", "u", "u", "u", "u"),
  /** (HANDLE, class, PVOID, ULONG Length, PULONG ResultLength). */
  NtQueryKey: byValue("s", "u", "u", "u", "u"),
};
