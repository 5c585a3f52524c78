/** parsePe: the whole image record, every directory followed and checked. */
import { PeError } from "./error";
import { parseExports } from "./exports";
import { parseHeaders } from "./headers";
import { parseBoundImports, parseDelayImports, parseImports } from "./imports";
import { FileReader } from "./reader";
import { parseRelocations } from "./relocations";
import { parseTls } from "./tls";
import {
  DEFAULT_MAX_IMAGE_SIZE,
  IMAGE_DIRECTORY_ENTRY_BASERELOC,
  IMAGE_DIRECTORY_ENTRY_BOUND_IMPORT,
  IMAGE_DIRECTORY_ENTRY_DELAY_IMPORT,
  IMAGE_DIRECTORY_ENTRY_EXCEPTION,
  IMAGE_DIRECTORY_ENTRY_EXPORT,
  IMAGE_DIRECTORY_ENTRY_IMPORT,
  IMAGE_DIRECTORY_ENTRY_TLS,
  IMAGE_DLLCHARACTERISTICS_DYNAMIC_BASE,
  IMAGE_DLLCHARACTERISTICS_HIGH_ENTROPY_VA,
  IMAGE_DLLCHARACTERISTICS_NX_COMPAT,
  IMAGE_FILE_DLL,
  IMAGE_FILE_LARGE_ADDRESS_AWARE,
  IMAGE_FILE_RELOCS_STRIPPED,
  ParseOptions,
  PeImage,
  RuntimeFunction,
  UnwindInfo,
} from "./types";
import { parseFunctionTable } from "./unwind";
import { ImageView } from "./view";

/**
 * Parses a PE32 or PE32+ image held in `file`. Throws a PeError naming the first malformed field; never
 * anything else (a non-PeError escaping is a bug).
 */
export function parsePe(file: Uint8Array, options: ParseOptions = {}): PeImage {
  const r = new FileReader(file);
  const h = parseHeaders(r, options);
  const o = h.optionalHeader;
  const view = new ImageView(r, h.sections, o.sizeOfHeaders, o.sectionAlignment, h.mappedSize);
  const dir = (i: number): { rva: number; size: number; offset: number } | undefined => {
    const d = h.dataDirectories[i];
    const offset = h.dataDirectoryOffsets[i];
    if (d.virtualAddress === 0 || offset === undefined) return undefined;
    return { rva: d.virtualAddress, size: d.size, offset };
  };

  const reloc = dir(IMAGE_DIRECTORY_ENTRY_BASERELOC);
  const imp = dir(IMAGE_DIRECTORY_ENTRY_IMPORT);
  const delay = dir(IMAGE_DIRECTORY_ENTRY_DELAY_IMPORT);
  const bound = dir(IMAGE_DIRECTORY_ENTRY_BOUND_IMPORT);
  const exp = dir(IMAGE_DIRECTORY_ENTRY_EXPORT);
  const tls = dir(IMAGE_DIRECTORY_ENTRY_TLS);
  const exc = dir(IMAGE_DIRECTORY_ENTRY_EXCEPTION);

  let functions: RuntimeFunction[] = [];
  let unwindInfos = new Map<number, UnwindInfo>();
  if (exc !== undefined && h.bits === 64) {
    ({ functions, unwindInfos } = parseFunctionTable(view, exc.rva, exc.size, exc.offset));
  }

  const fc = h.fileHeader.characteristics;
  const dc = o.dllCharacteristics;
  return {
    format: h.format,
    bits: h.bits,
    ntHeadersOffset: h.ntHeadersOffset,
    fileHeader: h.fileHeader,
    optionalHeader: o,
    optionalHeaderOffset: h.optionalHeaderOffset,
    dataDirectories: h.dataDirectories,
    sections: h.sections,
    machine: h.fileHeader.machine,
    imageBase: o.imageBase,
    mappedSize: h.mappedSize,
    entryPointRva: o.addressOfEntryPoint,
    subsystem: o.subsystem,
    isDll: (fc & IMAGE_FILE_DLL) !== 0,
    // PE32+ images are always large-address-aware as far as the address space is concerned; the flag is
    // reported as written.
    largeAddressAware: (fc & IMAGE_FILE_LARGE_ADDRESS_AWARE) !== 0,
    relocsStripped: (fc & IMAGE_FILE_RELOCS_STRIPPED) !== 0,
    dynamicBase: (dc & IMAGE_DLLCHARACTERISTICS_DYNAMIC_BASE) !== 0,
    nxCompat: (dc & IMAGE_DLLCHARACTERISTICS_NX_COMPAT) !== 0,
    highEntropyVa: (dc & IMAGE_DLLCHARACTERISTICS_HIGH_ENTROPY_VA) !== 0,
    relocations: reloc === undefined ? [] : parseRelocations(view, reloc.rva, reloc.size, reloc.offset),
    imports: imp === undefined ? [] : parseImports(view, h.bits, imp.rva, imp.offset),
    delayImports:
      delay === undefined
        ? []
        : parseDelayImports(view, h.bits, o.imageBase, delay.rva, delay.size, delay.offset),
    boundImports: bound === undefined ? [] : parseBoundImports(view, bound.rva, bound.size, bound.offset),
    exports: exp === undefined ? undefined : parseExports(view, exp.rva, exp.size, exp.offset),
    tls:
      tls === undefined
        ? undefined
        : parseTls(
            view,
            h.bits,
            o.imageBase,
            tls.rva,
            tls.offset,
            options.maxImageSize ?? DEFAULT_MAX_IMAGE_SIZE,
          ),
    functions,
    unwindInfos,
  };
}

export type ParseResult = { ok: true; image: PeImage } | { ok: false; error: PeError };

/** parsePe without exceptions: the image, or the PeError. Other errors (bugs) still propagate. */
export function tryParsePe(file: Uint8Array, options: ParseOptions = {}): ParseResult {
  try {
    return { ok: true, image: parsePe(file, options) };
  } catch (e) {
    if (e instanceof PeError) return { ok: false, error: e };
    throw e;
  }
}
