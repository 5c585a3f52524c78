/**
 * The export directory: functions by ordinal, names, and forwarders (PE/COFF specification, "The .edata
 * Section (Image Only)"). An export whose RVA falls inside the export directory is a forwarder: the RVA
 * is that of a string such as "NTDLL.RtlAllocateHeap" or "NTDLL.#12".
 */
import { PeError, hx } from "./error";
import { Export, ExportDirectory, Forwarder } from "./types";
import { ImageView } from "./view";
import { MAX_NAME } from "./imports";

const F = "IMAGE_EXPORT_DIRECTORY";

/** Splits a forwarder string at its last dot, as the loader does ("DLL.Name" or "DLL.#ordinal"). */
export function parseForwarder(text: string): Forwarder | undefined {
  const dot = text.lastIndexOf(".");
  if (dot <= 0 || dot === text.length - 1) return undefined;
  const module = text.slice(0, dot);
  const target = text.slice(dot + 1);
  if (target.startsWith("#")) {
    if (!/^#[0-9]{1,5}$/.test(target)) return undefined;
    const ordinal = Number(target.slice(1));
    if (ordinal > 0xffff) return undefined;
    return { text, module, name: undefined, ordinal };
  }
  return { text, module, name: target, ordinal: undefined };
}

export function parseExports(
  view: ImageView,
  dirRva: number,
  dirSize: number,
  dirOffset: number,
): ExportDirectory {
  const at = view.at(dirRva, 40, { field: F, value: dirRva, offset: dirOffset });
  const dv = view.file.view;
  const u32 = (o: number): number => dv.getUint32(at + o, true);
  const nameRva = u32(12);
  const d: ExportDirectory = {
    name:
      nameRva === 0
        ? ""
        : view.cstring(nameRva, MAX_NAME, { field: `${F}.Name`, value: nameRva, offset: at + 12 }),
    characteristics: u32(0),
    timeDateStamp: u32(4),
    majorVersion: dv.getUint16(at + 8, true),
    minorVersion: dv.getUint16(at + 10, true),
    ordinalBase: u32(16),
    numberOfFunctions: u32(20),
    numberOfNames: u32(24),
    addressOfFunctions: u32(28),
    addressOfNames: u32(32),
    addressOfNameOrdinals: u32(36),
    exports: [],
    byName: new Map(),
    byOrdinal: new Map(),
  };
  // Ordinals are 16-bit: an export table cannot hold more than 65536 of them.
  if (d.numberOfFunctions > 0x10000) {
    throw new PeError(
      `${F}.NumberOfFunctions`,
      d.numberOfFunctions,
      at + 20,
      "more functions than 16-bit ordinals can number (65536)",
    );
  }
  if (d.numberOfFunctions > 0 && d.ordinalBase + d.numberOfFunctions - 1 > 0xffff) {
    throw new PeError(
      `${F}.Base`,
      d.ordinalBase,
      at + 16,
      `ordinals Base..Base+NumberOfFunctions-1 (up to ${hx(d.ordinalBase + d.numberOfFunctions - 1)}) exceed 16 bits`,
    );
  }
  if (d.numberOfNames > 0 && d.numberOfFunctions === 0) {
    throw new PeError(`${F}.NumberOfNames`, d.numberOfNames, at + 24, "names but no functions to name");
  }
  const functionsAt =
    d.numberOfFunctions === 0
      ? 0
      : view.at(d.addressOfFunctions, 4 * d.numberOfFunctions, {
          field: `${F}.AddressOfFunctions`,
          value: d.addressOfFunctions,
          offset: at + 28,
        });
  const namesAt =
    d.numberOfNames === 0
      ? 0
      : view.at(d.addressOfNames, 4 * d.numberOfNames, {
          field: `${F}.AddressOfNames`,
          value: d.addressOfNames,
          offset: at + 32,
        });
  const ordinalsAt =
    d.numberOfNames === 0
      ? 0
      : view.at(d.addressOfNameOrdinals, 2 * d.numberOfNames, {
          field: `${F}.AddressOfNameOrdinals`,
          value: d.addressOfNameOrdinals,
          offset: at + 36,
        });

  const slots: (Export | undefined)[] = new Array<Export | undefined>(d.numberOfFunctions);
  for (let i = 0; i < d.numberOfFunctions; i++) {
    const fo = functionsAt + 4 * i;
    const rva = dv.getUint32(fo, true);
    if (rva === 0) continue; // an unused ordinal
    // The field's name is made only for an error (a system DLL has thousands of exports).
    if (rva >= view.mappedSize) {
      throw new PeError(
        `${F}.AddressOfFunctions[${i}]`,
        rva,
        fo,
        `export ordinal ${d.ordinalBase + i} points outside the image`,
      );
    }
    let forwarder: Forwarder | undefined;
    if (rva >= dirRva && rva < dirRva + dirSize) {
      const field = `${F}.AddressOfFunctions[${i}]`;
      const text = view.cstring(rva, MAX_NAME, { field, value: rva, offset: fo });
      forwarder = parseForwarder(text);
      if (forwarder === undefined) {
        throw new PeError(field, text, fo, 'a forwarder must read "DLL.Function" or "DLL.#ordinal"');
      }
    }
    const e: Export = { ordinal: d.ordinalBase + i, rva, names: [], forwarder };
    slots[i] = e;
    d.exports.push(e);
    d.byOrdinal.set(e.ordinal, e);
  }
  for (let n = 0; n < d.numberOfNames; n++) {
    const no = namesAt + 4 * n;
    const oo = ordinalsAt + 2 * n;
    const nameAt = dv.getUint32(no, true);
    const index = dv.getUint16(oo, true);
    const name = view.cstring(nameAt, MAX_NAME, {
      get field() {
        return `${F}.AddressOfNames[${n}]`;
      },
      value: nameAt,
      offset: no,
    });
    if (index >= d.numberOfFunctions) {
      throw new PeError(
        `${F}.AddressOfNameOrdinals[${n}]`,
        index,
        oo,
        `the name ${JSON.stringify(name)} refers to function ${index}, beyond NumberOfFunctions ${d.numberOfFunctions}`,
      );
    }
    const e = slots[index];
    if (e === undefined) {
      throw new PeError(
        `${F}.AddressOfNameOrdinals[${n}]`,
        index,
        oo,
        `the name ${JSON.stringify(name)} refers to an unused ordinal (its address is 0)`,
      );
    }
    e.names.push(name);
    if (!d.byName.has(name)) d.byName.set(name, e);
  }
  return d;
}

/** The export named `name` (case-sensitive, as GetProcAddress), if any. */
export function findExportByName(d: ExportDirectory, name: string): Export | undefined {
  return d.byName.get(name);
}

/** The export with ordinal `ordinal` (biased by Base, as written in import tables), if any. */
export function findExportByOrdinal(d: ExportDirectory, ordinal: number): Export | undefined {
  return d.byOrdinal.get(ordinal);
}
