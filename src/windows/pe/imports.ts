/**
 * Import tables: the import directory (ILT/IAT, hint/name), the delay-load directory and the bound
 * import directory (PE/COFF specification, "The .idata Section", "Delay-Load Import Tables").
 */
import { PeError, hx } from "./error";
import { BoundImport, BoundForwarderRef, DelayImportModule, ImportEntry, ImportModule } from "./types";
import { ImageView, Ref } from "./view";

/** Longest DLL or function name accepted. */
export const MAX_NAME = 4096;

/**
 * Reads one import lookup (or name) table: 32- or 64-bit entries up to a zero entry. An entry with the
 * ordinal flag (bit 31 / bit 63) imports by ordinal (bits 15-0); otherwise bits 30-0 are the RVA of a
 * hint/name entry ("Import Lookup Table").
 */
function readThunks(
  view: ImageView,
  bits: 32 | 64,
  tableRva: number,
  iatRva: number,
  owner: string,
  ownerRef: Ref,
  nameBias = 0,
): ImportEntry[] {
  const entries: ImportEntry[] = [];
  const width = bits === 64 ? 8 : 4;
  for (let k = 0; ; k++) {
    const rva = tableRva + width * k;
    const ref: Ref = k === 0 ? ownerRef : { field: `${owner}[${k}]`, value: rva, offset: undefined };
    const at = view.at(rva, width, ref);
    const lo = view.file.view.getUint32(at, true);
    const hi = bits === 64 ? view.file.view.getUint32(at + 4, true) : 0;
    if (lo === 0 && hi === 0) break;
    const byOrdinal = bits === 64 ? (hi & 0x8000_0000) !== 0 : (lo & 0x8000_0000) !== 0;
    const entryIat = iatRva + width * k;
    if (byOrdinal) {
      // Bits 30-15 (PE32) or 62-15 (PE32+) must be zero.
      if ((lo & 0x7fff_0000) !== 0 || (bits === 64 && (hi & 0x7fff_ffff) !== 0)) {
        throw new PeError(
          `${owner}[${k}]`,
          bits === 64 ? (BigInt(hi) << 32n) | BigInt(lo) : lo,
          at,
          "an import by ordinal must have its reserved bits (30/62 down to 16) clear",
        );
      }
      entries.push({ kind: "ordinal", ordinal: lo & 0xffff, iatRva: entryIat });
    } else {
      if (hi !== 0 || (lo & 0x8000_0000) !== 0) {
        throw new PeError(
          `${owner}[${k}]`,
          bits === 64 ? (BigInt(hi) << 32n) | BigInt(lo) : lo,
          at,
          "a hint/name RVA must fit in 31 bits",
        );
      }
      const nameRef: Ref = { field: `${owner}[${k}]`, value: lo, offset: at };
      const hint = view.u16(lo - nameBias, nameRef);
      const name = view.cstring(lo - nameBias + 2, MAX_NAME, nameRef);
      entries.push({ kind: "name", name, hint, iatRva: entryIat });
    }
  }
  return entries;
}

export function parseImports(
  view: ImageView,
  bits: 32 | 64,
  dirRva: number,
  dirOffset: number,
): ImportModule[] {
  const modules: ImportModule[] = [];
  // The directory's Size is not trusted (the loader does not use it): descriptors run to a null one.
  for (let i = 0; ; i++) {
    const f = `IMAGE_IMPORT_DESCRIPTOR[${i}]`;
    const rva = dirRva + 20 * i;
    const at = view.at(rva, 20, { field: f, value: rva, offset: i === 0 ? dirOffset : undefined });
    const dv = view.file.view;
    const originalFirstThunk = dv.getUint32(at, true);
    const timeDateStamp = dv.getUint32(at + 4, true);
    const forwarderChain = dv.getUint32(at + 8, true);
    const nameRva = dv.getUint32(at + 12, true);
    const firstThunk = dv.getUint32(at + 16, true);
    // The Windows loader stops at the first descriptor without a name or an IAT.
    if (nameRva === 0 || firstThunk === 0) break;
    const name = view.cstring(nameRva, MAX_NAME, { field: `${f}.Name`, value: nameRva, offset: at + 12 });
    if (firstThunk >= view.mappedSize) {
      throw new PeError(`${f}.FirstThunk`, firstThunk, at + 16, `the IAT of ${name} lies outside the image`);
    }
    const tableRva = originalFirstThunk !== 0 ? originalFirstThunk : firstThunk;
    const tableField = originalFirstThunk !== 0 ? `${f}.OriginalFirstThunk` : `${f}.FirstThunk`;
    const tableOffset = originalFirstThunk !== 0 ? at : at + 16;
    const entries = readThunks(view, bits, tableRva, firstThunk, tableField, {
      field: tableField,
      value: tableRva,
      offset: tableOffset,
    });
    // The IAT must hold one slot per entry plus the terminator.
    const width = bits === 64 ? 8 : 4;
    view.at(firstThunk, width * (entries.length + 1), {
      field: `${f}.FirstThunk`,
      value: firstThunk,
      offset: at + 16,
    });
    modules.push({
      name,
      lookupTableRva: originalFirstThunk,
      addressTableRva: firstThunk,
      timeDateStamp,
      forwarderChain,
      entries,
    });
  }
  return modules;
}

/**
 * IMAGE_DELAYLOAD_DESCRIPTOR (32 bytes): Attributes, DllNameRVA, ModuleHandleRVA, ImportAddressTableRVA,
 * ImportNameTableRVA, BoundImportAddressTableRVA, UnloadInformationTableRVA, TimeDateStamp. With
 * Attributes.RvaBased (bit 0) the fields are RVAs; without it (Visual C++ 6 images) they are virtual
 * addresses, converted here with the preferred ImageBase. Descriptors run to a null one or to the end of
 * the directory.
 */
export function parseDelayImports(
  view: ImageView,
  bits: 32 | 64,
  imageBase: number,
  dirRva: number,
  dirSize: number,
  dirOffset: number,
): DelayImportModule[] {
  const modules: DelayImportModule[] = [];
  for (let i = 0; 32 * (i + 1) <= dirSize; i++) {
    const f = `IMAGE_DELAYLOAD_DESCRIPTOR[${i}]`;
    const rva = dirRva + 32 * i;
    const at = view.at(rva, 32, { field: f, value: rva, offset: i === 0 ? dirOffset : undefined });
    const dv = view.file.view;
    const raw = (k: number): number => dv.getUint32(at + 4 * k, true);
    const attributes = raw(0);
    if (raw(1) === 0) break;
    if ((attributes & ~1) !== 0) {
      throw new PeError(`${f}.Attributes`, attributes, at, "only bit 0 (dlattrRva) is defined");
    }
    const rvaBased = (attributes & 1) !== 0;
    if (!rvaBased && bits === 64) {
      throw new PeError(
        `${f}.Attributes`,
        attributes,
        at,
        "a PE32+ image's delay-load descriptors must be RVA-based",
      );
    }
    const names = [
      "Attributes",
      "DllNameRVA",
      "ModuleHandleRVA",
      "ImportAddressTableRVA",
      "ImportNameTableRVA",
      "BoundImportAddressTableRVA",
      "UnloadInformationTableRVA",
    ];
    const toRva = (k: number, optional: boolean): number => {
      const v = raw(k);
      if (v === 0 && optional) return 0;
      const r = rvaBased ? v : v - imageBase;
      if (r <= 0 || r >= view.mappedSize) {
        throw new PeError(
          `${f}.${names[k]}`,
          v,
          at + 4 * k,
          `${rvaBased ? "the RVA" : "the address"} lies outside the image`,
        );
      }
      return r;
    };
    const nameRva = toRva(1, false);
    const name = view.cstring(nameRva, MAX_NAME, { field: `${f}.DllNameRVA`, value: raw(1), offset: at + 4 });
    const moduleHandleRva = toRva(2, false);
    const addressTableRva = toRva(3, false);
    const nameTableRva = toRva(4, false);
    // Without dlattrRva the name table's hint/name pointers are virtual addresses too.
    const entries = readThunks(
      view,
      bits,
      nameTableRva,
      addressTableRva,
      `${f}.ImportNameTableRVA`,
      { field: `${f}.ImportNameTableRVA`, value: raw(4), offset: at + 16 },
      rvaBased ? 0 : imageBase,
    );
    const width = bits === 64 ? 8 : 4;
    view.at(addressTableRva, width * entries.length, {
      field: `${f}.ImportAddressTableRVA`,
      value: raw(3),
      offset: at + 12,
    });
    modules.push({
      name,
      attributes,
      moduleHandleRva,
      addressTableRva,
      nameTableRva,
      boundAddressTableRva: toRva(5, true),
      unloadInformationTableRva: toRva(6, true),
      timeDateStamp: raw(7),
      entries,
    });
  }
  return modules;
}

/**
 * IMAGE_BOUND_IMPORT_DESCRIPTOR (TimeDateStamp, OffsetModuleName, NumberOfModuleForwarderRefs), each
 * followed by its IMAGE_BOUND_FORWARDER_REFs; names are offsets from the start of the directory.
 */
export function parseBoundImports(
  view: ImageView,
  dirRva: number,
  dirSize: number,
  dirOffset: number,
): BoundImport[] {
  const out: BoundImport[] = [];
  const dirAt = view.at(dirRva, dirSize, {
    field: "IMAGE_BOUND_IMPORT_DESCRIPTOR",
    value: dirRva,
    offset: dirOffset,
  });
  const dv = view.file.view;
  const nameAt = (off: number, field: string, fieldOffset: number): string => {
    if (off >= dirSize) {
      throw new PeError(field, off, fieldOffset, `beyond the ${hx(dirSize)}-byte bound import directory`);
    }
    return view.cstring(dirRva + off, MAX_NAME, { field, value: off, offset: fieldOffset });
  };
  let pos = 0;
  for (let i = 0; pos + 8 <= dirSize; i++) {
    const at = dirAt + pos;
    const f = `IMAGE_BOUND_IMPORT_DESCRIPTOR[${i}]`;
    const timeDateStamp = dv.getUint32(at, true);
    const offsetModuleName = dv.getUint16(at + 4, true);
    const refs = dv.getUint16(at + 6, true);
    if (timeDateStamp === 0 && offsetModuleName === 0 && refs === 0) break;
    const name = nameAt(offsetModuleName, `${f}.OffsetModuleName`, at + 4);
    pos += 8;
    if (pos + 8 * refs > dirSize) {
      throw new PeError(
        `${f}.NumberOfModuleForwarderRefs`,
        refs,
        at + 6,
        "the forwarder references run past the end of the directory",
      );
    }
    const forwarders: BoundForwarderRef[] = [];
    for (let k = 0; k < refs; k++) {
      const fa = dirAt + pos;
      forwarders.push({
        timeDateStamp: dv.getUint32(fa, true),
        name: nameAt(dv.getUint16(fa + 4, true), `${f}.ForwarderRefs[${k}].OffsetModuleName`, fa + 4),
      });
      pos += 8;
    }
    out.push({ name, timeDateStamp, forwarders });
  }
  return out;
}
