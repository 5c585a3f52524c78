/**
 * DOS header, NT headers, section table: everything before the data directories are followed.
 * References are to the PE/COFF specification ("PE Format", Microsoft Learn) by section title.
 */
import { PeError, hx } from "./error";
import { FileReader, u64ToNumber } from "./reader";
import {
  DataDirectory,
  DEFAULT_MAX_IMAGE_SIZE,
  DIRECTORY_NAMES,
  FileHeader,
  IMAGE_DIRECTORY_ENTRY_ARCHITECTURE,
  IMAGE_DIRECTORY_ENTRY_GLOBALPTR,
  IMAGE_DIRECTORY_ENTRY_SECURITY,
  IMAGE_DOS_SIGNATURE,
  IMAGE_FILE_EXECUTABLE_IMAGE,
  IMAGE_FILE_MACHINE_AMD64,
  IMAGE_FILE_MACHINE_I386,
  IMAGE_NT_OPTIONAL_HDR32_MAGIC,
  IMAGE_NT_OPTIONAL_HDR64_MAGIC,
  IMAGE_NT_SIGNATURE,
  IMAGE_NUMBEROF_DIRECTORY_ENTRIES,
  OptionalHeader,
  ParseOptions,
  Section,
  USER_SPACE_END_32,
  USER_SPACE_END_64,
} from "./types";

/** "The Windows loader limits the number of sections to 96" (PE/COFF specification, "COFF File Header"). */
export const MAX_SECTIONS = 96;
const PAGE_SIZE = 0x1000;
/** Image bases are multiples of 64 KB ("Optional Header Windows-Specific Fields", ImageBase). */
const IMAGE_BASE_ALIGNMENT = 0x10000;

export interface Headers {
  format: "PE32" | "PE32+";
  bits: 32 | 64;
  ntHeadersOffset: number;
  fileHeader: FileHeader;
  optionalHeader: OptionalHeader;
  optionalHeaderOffset: number;
  dataDirectories: DataDirectory[];
  /** File offset of each data directory entry (undefined beyond NumberOfRvaAndSizes). */
  dataDirectoryOffsets: (number | undefined)[];
  sections: Section[];
  mappedSize: number;
}

export function alignUp(v: number, a: number): number {
  return Math.ceil(v / a) * a;
}

function isPowerOfTwo(v: number): boolean {
  return v > 0 && (v & (v - 1)) === 0 && v <= 0x8000_0000;
}

const OPT = "IMAGE_OPTIONAL_HEADER";

export function parseHeaders(r: FileReader, options: ParseOptions = {}): Headers {
  const maxImageSize = options.maxImageSize ?? DEFAULT_MAX_IMAGE_SIZE;

  // --- MS-DOS header ("MS-DOS Stub (Image Only)", "Signature (Image Only)")
  const eMagic = r.u16(0, "IMAGE_DOS_HEADER.e_magic");
  if (eMagic !== IMAGE_DOS_SIGNATURE) {
    throw new PeError("IMAGE_DOS_HEADER.e_magic", eMagic, 0, "not an MZ executable (expected 0x5A4D, 'MZ')");
  }
  const lfanew = r.i32(0x3c, "IMAGE_DOS_HEADER.e_lfanew");
  if (lfanew < 0 || lfanew + 24 > r.length) {
    throw new PeError(
      "IMAGE_DOS_HEADER.e_lfanew",
      lfanew < 0 ? lfanew >>> 0 : lfanew,
      0x3c,
      `the NT headers it points to (24 bytes) do not fit in the ${hx(r.length)}-byte file`,
    );
  }
  const signature = r.u32(lfanew, "IMAGE_NT_HEADERS.Signature");
  if (signature !== IMAGE_NT_SIGNATURE) {
    throw new PeError(
      "IMAGE_NT_HEADERS.Signature",
      signature,
      lfanew,
      "not a PE image (expected 0x00004550, 'PE\\0\\0'; e_lfanew may be wrong)",
    );
  }

  // --- COFF file header ("COFF File Header (Object and Image)")
  const fh = lfanew + 4;
  const fileHeader: FileHeader = {
    machine: r.u16(fh, "IMAGE_FILE_HEADER.Machine"),
    numberOfSections: r.u16(fh + 2, "IMAGE_FILE_HEADER.NumberOfSections"),
    timeDateStamp: r.u32(fh + 4, "IMAGE_FILE_HEADER.TimeDateStamp"),
    pointerToSymbolTable: r.u32(fh + 8, "IMAGE_FILE_HEADER.PointerToSymbolTable"),
    numberOfSymbols: r.u32(fh + 12, "IMAGE_FILE_HEADER.NumberOfSymbols"),
    sizeOfOptionalHeader: r.u16(fh + 16, "IMAGE_FILE_HEADER.SizeOfOptionalHeader"),
    characteristics: r.u16(fh + 18, "IMAGE_FILE_HEADER.Characteristics"),
  };
  if (fileHeader.machine !== IMAGE_FILE_MACHINE_I386 && fileHeader.machine !== IMAGE_FILE_MACHINE_AMD64) {
    throw new PeError(
      "IMAGE_FILE_HEADER.Machine",
      fileHeader.machine,
      fh,
      "unsupported machine: only i386 (0x14C) and AMD64 (0x8664) images run here",
    );
  }
  if (fileHeader.numberOfSections > MAX_SECTIONS) {
    throw new PeError(
      "IMAGE_FILE_HEADER.NumberOfSections",
      fileHeader.numberOfSections,
      fh + 2,
      `more than the ${MAX_SECTIONS} sections the Windows loader accepts`,
    );
  }
  if ((fileHeader.characteristics & IMAGE_FILE_EXECUTABLE_IMAGE) === 0) {
    throw new PeError(
      "IMAGE_FILE_HEADER.Characteristics",
      fileHeader.characteristics,
      fh + 18,
      "IMAGE_FILE_EXECUTABLE_IMAGE (0x0002) is not set: the linker marked the image as not runnable",
    );
  }

  // --- Optional header ("Optional Header (Image Only)")
  const oh = fh + 20;
  const magic = r.u16(oh, `${OPT}.Magic`);
  if (magic !== IMAGE_NT_OPTIONAL_HDR32_MAGIC && magic !== IMAGE_NT_OPTIONAL_HDR64_MAGIC) {
    throw new PeError(`${OPT}.Magic`, magic, oh, "neither PE32 (0x10B) nor PE32+ (0x20B)");
  }
  const pe64 = magic === IMAGE_NT_OPTIONAL_HDR64_MAGIC;
  const expectedMachine = pe64 ? IMAGE_FILE_MACHINE_AMD64 : IMAGE_FILE_MACHINE_I386;
  if (fileHeader.machine !== expectedMachine) {
    throw new PeError(
      `${OPT}.Magic`,
      magic,
      oh,
      `${pe64 ? "PE32+" : "PE32"} does not match Machine ${hx(fileHeader.machine)}`,
    );
  }
  const fixedSize = pe64 ? 112 : 96;
  if (fileHeader.sizeOfOptionalHeader < fixedSize) {
    throw new PeError(
      "IMAGE_FILE_HEADER.SizeOfOptionalHeader",
      fileHeader.sizeOfOptionalHeader,
      fh + 16,
      `smaller than the ${fixedSize} bytes of the ${pe64 ? "PE32+" : "PE32"} optional header's fixed fields`,
    );
  }

  const u32 = (off: number, name: string): number => r.u32(oh + off, `${OPT}.${name}`);
  const u16 = (off: number, name: string): number => r.u16(oh + off, `${OPT}.${name}`);
  const u64 = (off: number, name: string): number =>
    u64ToNumber(r.u64(oh + off, `${OPT}.${name}`), `${OPT}.${name}`, oh + off);
  const imageBaseOffset = pe64 ? 24 : 28;
  let imageBase: number;
  if (pe64) {
    const ib = r.u64(oh + 24, `${OPT}.ImageBase`);
    imageBase = u64ToNumber(
      ib,
      `${OPT}.ImageBase`,
      oh + 24,
      USER_SPACE_END_64 - 1,
      "above the 128 TB user address space",
    );
  } else {
    imageBase = r.u32(oh + 28, `${OPT}.ImageBase`);
  }
  const tail = 72; // SizeOfStackReserve, in both layouts
  const optionalHeader: OptionalHeader = {
    magic,
    majorLinkerVersion: r.u8(oh + 2, `${OPT}.MajorLinkerVersion`),
    minorLinkerVersion: r.u8(oh + 3, `${OPT}.MinorLinkerVersion`),
    sizeOfCode: u32(4, "SizeOfCode"),
    sizeOfInitializedData: u32(8, "SizeOfInitializedData"),
    sizeOfUninitializedData: u32(12, "SizeOfUninitializedData"),
    addressOfEntryPoint: u32(16, "AddressOfEntryPoint"),
    baseOfCode: u32(20, "BaseOfCode"),
    baseOfData: pe64 ? undefined : u32(24, "BaseOfData"),
    imageBase,
    sectionAlignment: u32(32, "SectionAlignment"),
    fileAlignment: u32(36, "FileAlignment"),
    majorOperatingSystemVersion: u16(40, "MajorOperatingSystemVersion"),
    minorOperatingSystemVersion: u16(42, "MinorOperatingSystemVersion"),
    majorImageVersion: u16(44, "MajorImageVersion"),
    minorImageVersion: u16(46, "MinorImageVersion"),
    majorSubsystemVersion: u16(48, "MajorSubsystemVersion"),
    minorSubsystemVersion: u16(50, "MinorSubsystemVersion"),
    win32VersionValue: u32(52, "Win32VersionValue"),
    sizeOfImage: u32(56, "SizeOfImage"),
    sizeOfHeaders: u32(60, "SizeOfHeaders"),
    checkSum: u32(64, "CheckSum"),
    subsystem: u16(68, "Subsystem"),
    dllCharacteristics: u16(70, "DllCharacteristics"),
    sizeOfStackReserve: pe64 ? u64(tail, "SizeOfStackReserve") : u32(tail, "SizeOfStackReserve"),
    sizeOfStackCommit: pe64 ? u64(tail + 8, "SizeOfStackCommit") : u32(tail + 4, "SizeOfStackCommit"),
    sizeOfHeapReserve: pe64 ? u64(tail + 16, "SizeOfHeapReserve") : u32(tail + 8, "SizeOfHeapReserve"),
    sizeOfHeapCommit: pe64 ? u64(tail + 24, "SizeOfHeapCommit") : u32(tail + 12, "SizeOfHeapCommit"),
    loaderFlags: pe64 ? u32(104, "LoaderFlags") : u32(88, "LoaderFlags"),
    numberOfRvaAndSizes: pe64 ? u32(108, "NumberOfRvaAndSizes") : u32(92, "NumberOfRvaAndSizes"),
  };
  const o = optionalHeader;

  // NumberOfRvaAndSizes: the directories must fit in SizeOfOptionalHeader; more than 16 are ignored.
  const nrvaOffset = oh + (pe64 ? 108 : 92);
  if (fixedSize + 8 * o.numberOfRvaAndSizes > fileHeader.sizeOfOptionalHeader) {
    throw new PeError(
      `${OPT}.NumberOfRvaAndSizes`,
      o.numberOfRvaAndSizes,
      nrvaOffset,
      `${o.numberOfRvaAndSizes} data directories do not fit in SizeOfOptionalHeader ` +
        `${hx(fileHeader.sizeOfOptionalHeader)} (room for ${Math.floor((fileHeader.sizeOfOptionalHeader - fixedSize) / 8)})`,
    );
  }

  // Alignments ("Optional Header Windows-Specific Fields": SectionAlignment, FileAlignment).
  if (!isPowerOfTwo(o.sectionAlignment)) {
    throw new PeError(`${OPT}.SectionAlignment`, o.sectionAlignment, oh + 32, "not a power of two");
  }
  if (!isPowerOfTwo(o.fileAlignment)) {
    throw new PeError(`${OPT}.FileAlignment`, o.fileAlignment, oh + 36, "not a power of two");
  }
  if (o.sectionAlignment < PAGE_SIZE) {
    if (o.fileAlignment !== o.sectionAlignment) {
      throw new PeError(
        `${OPT}.FileAlignment`,
        o.fileAlignment,
        oh + 36,
        `must equal SectionAlignment ${hx(o.sectionAlignment)} when that is below the page size`,
      );
    }
  } else {
    if (o.fileAlignment < 0x200 || o.fileAlignment > 0x10000) {
      throw new PeError(`${OPT}.FileAlignment`, o.fileAlignment, oh + 36, "not between 512 and 64 KB");
    }
    if (o.sectionAlignment < o.fileAlignment) {
      throw new PeError(
        `${OPT}.SectionAlignment`,
        o.sectionAlignment,
        oh + 32,
        `smaller than FileAlignment ${hx(o.fileAlignment)}`,
      );
    }
  }

  // Image base and size.
  if (o.imageBase % IMAGE_BASE_ALIGNMENT !== 0) {
    throw new PeError(`${OPT}.ImageBase`, o.imageBase, oh + imageBaseOffset, "not a multiple of 64 KB");
  }
  if (o.sizeOfImage === 0) {
    throw new PeError(`${OPT}.SizeOfImage`, 0, oh + 56, "an image cannot be empty");
  }
  if (o.sizeOfImage > maxImageSize) {
    throw new PeError(
      `${OPT}.SizeOfImage`,
      o.sizeOfImage,
      oh + 56,
      `larger than the ${hx(maxImageSize)} bytes an image may span here; refusing to map it`,
    );
  }
  const mappedSize = alignUp(o.sizeOfImage, o.sectionAlignment);
  const spaceEnd = pe64 ? USER_SPACE_END_64 : USER_SPACE_END_32;
  if (o.imageBase + mappedSize > spaceEnd) {
    throw new PeError(
      `${OPT}.SizeOfImage`,
      o.sizeOfImage,
      oh + 56,
      `ImageBase ${hx(o.imageBase)} + SizeOfImage ends beyond the ${pe64 ? "128 TB user" : "4 GB"} address space`,
    );
  }

  // Section table ("Section Table (Section Headers)").
  const sectionTable = oh + fileHeader.sizeOfOptionalHeader;
  const sectionTableEnd = sectionTable + 40 * fileHeader.numberOfSections;
  if (sectionTableEnd > r.length) {
    throw new PeError(
      "IMAGE_FILE_HEADER.NumberOfSections",
      fileHeader.numberOfSections,
      fh + 2,
      `the section table (${hx(sectionTable)}..${hx(sectionTableEnd)}) runs past the end of the ${hx(r.length)}-byte file`,
    );
  }
  if (o.sizeOfHeaders < sectionTableEnd) {
    throw new PeError(
      `${OPT}.SizeOfHeaders`,
      o.sizeOfHeaders,
      oh + 60,
      `does not cover the headers and section table, which end at ${hx(sectionTableEnd)}`,
    );
  }
  if (o.sizeOfHeaders > mappedSize) {
    throw new PeError(
      `${OPT}.SizeOfHeaders`,
      o.sizeOfHeaders,
      oh + 60,
      `larger than SizeOfImage ${hx(o.sizeOfImage)}`,
    );
  }
  if (o.addressOfEntryPoint >= mappedSize) {
    throw new PeError(
      `${OPT}.AddressOfEntryPoint`,
      o.addressOfEntryPoint,
      oh + 16,
      `outside the image (SizeOfImage ${hx(o.sizeOfImage)})`,
    );
  }

  // Data directories ("Optional Header Data Directories").
  const dirBase = oh + fixedSize;
  const dataDirectories: DataDirectory[] = [];
  const dataDirectoryOffsets: (number | undefined)[] = [];
  const ndirs = Math.min(o.numberOfRvaAndSizes, IMAGE_NUMBEROF_DIRECTORY_ENTRIES);
  for (let i = 0; i < IMAGE_NUMBEROF_DIRECTORY_ENTRIES; i++) {
    if (i < ndirs) {
      const at = dirBase + 8 * i;
      const field = `${OPT}.DataDirectory[${i}]`;
      dataDirectories.push({ virtualAddress: r.u32(at, field), size: r.u32(at + 4, field) });
      dataDirectoryOffsets.push(at);
    } else {
      dataDirectories.push({ virtualAddress: 0, size: 0 });
      dataDirectoryOffsets.push(undefined);
    }
  }

  const sections = parseSections(r, sectionTable, fileHeader.numberOfSections, o, mappedSize);

  for (let i = 0; i < ndirs; i++) {
    const d = dataDirectories[i];
    const at = dirBase + 8 * i;
    const field = `${OPT}.DataDirectory[${i}] (${DIRECTORY_NAMES[i]})`;
    // ARCHITECTURE and GLOBALPTR are reserved or not addresses of data; the loader ignores them.
    if (i === IMAGE_DIRECTORY_ENTRY_ARCHITECTURE || i === IMAGE_DIRECTORY_ENTRY_GLOBALPTR || i === 15)
      continue;
    if (d.virtualAddress === 0) continue;
    if (i === IMAGE_DIRECTORY_ENTRY_SECURITY) {
      // The certificate table is addressed by file offset, not RVA ("The Attribute Certificate Table").
      if (d.virtualAddress + d.size > r.length) {
        throw new PeError(
          `${field}.VirtualAddress`,
          d.virtualAddress,
          at,
          `the certificate table (a file offset, size ${hx(d.size)}) runs past the end of the ${hx(r.length)}-byte file`,
        );
      }
      continue;
    }
    if (d.virtualAddress >= mappedSize) {
      throw new PeError(
        `${field}.VirtualAddress`,
        d.virtualAddress,
        at,
        `outside the image (SizeOfImage ${hx(o.sizeOfImage)})`,
      );
    }
    if (d.virtualAddress + d.size > mappedSize) {
      throw new PeError(
        `${field}.Size`,
        d.size,
        at + 4,
        `the directory at ${hx(d.virtualAddress)} runs past the end of the image (SizeOfImage ${hx(o.sizeOfImage)})`,
      );
    }
  }

  return {
    format: pe64 ? "PE32+" : "PE32",
    bits: pe64 ? 64 : 32,
    ntHeadersOffset: lfanew,
    fileHeader,
    optionalHeader,
    optionalHeaderOffset: oh,
    dataDirectories,
    dataDirectoryOffsets,
    sections,
    mappedSize,
  };
}

function sectionName(r: FileReader, at: number): string {
  let s = "";
  for (let k = 0; k < 8; k++) {
    const c = r.bytes[at + k];
    if (c === 0) break;
    s += String.fromCharCode(c);
  }
  return s;
}

function parseSections(
  r: FileReader,
  table: number,
  count: number,
  o: OptionalHeader,
  mappedSize: number,
): Section[] {
  const sections: Section[] = [];
  const headersEnd = alignUp(o.sizeOfHeaders, o.sectionAlignment);
  let previousEnd = headersEnd;
  for (let i = 0; i < count; i++) {
    const at = table + 40 * i;
    const f = `IMAGE_SECTION_HEADER[${i}]`;
    const s: Section = {
      index: i,
      name: sectionName(r, at),
      virtualSize: r.u32(at + 8, `${f}.VirtualSize`),
      virtualAddress: r.u32(at + 12, `${f}.VirtualAddress`),
      sizeOfRawData: r.u32(at + 16, `${f}.SizeOfRawData`),
      pointerToRawData: r.u32(at + 20, `${f}.PointerToRawData`),
      characteristics: r.u32(at + 36, `${f}.Characteristics`),
      headerOffset: at,
      memorySize: 0,
      fileSize: 0,
    };
    const label = `section ${JSON.stringify(s.name)}`;
    // "In an image file, the VAs for sections must be assigned by the linker so that they are in
    // ascending order and adjacent, and they must be a multiple of the SectionAlignment value"
    // ("Section Table (Section Headers)"). Gaps are tolerated; overlaps and disorder are not.
    if (s.virtualAddress % o.sectionAlignment !== 0) {
      throw new PeError(
        `${f}.VirtualAddress`,
        s.virtualAddress,
        at + 12,
        `${label} is not aligned to SectionAlignment ${hx(o.sectionAlignment)}`,
      );
    }
    if (s.virtualAddress < previousEnd) {
      const other = i === 0 ? "the headers" : `section ${JSON.stringify(sections[i - 1].name)}`;
      throw new PeError(
        `${f}.VirtualAddress`,
        s.virtualAddress,
        at + 12,
        `${label} overlaps ${other}, which end${i === 0 ? "" : "s"} at ${hx(previousEnd)}`,
      );
    }
    s.memorySize = s.virtualSize !== 0 ? s.virtualSize : s.sizeOfRawData;
    if (s.memorySize > mappedSize || s.virtualAddress + s.memorySize > mappedSize) {
      throw new PeError(
        s.virtualSize !== 0 ? `${f}.VirtualSize` : `${f}.SizeOfRawData`,
        s.memorySize,
        s.virtualSize !== 0 ? at + 8 : at + 16,
        `${label} at ${hx(s.virtualAddress)} ends beyond the image (SizeOfImage ${hx(o.sizeOfImage)})`,
      );
    }
    if (s.sizeOfRawData !== 0) {
      if (s.sizeOfRawData > r.length) {
        throw new PeError(
          `${f}.SizeOfRawData`,
          s.sizeOfRawData,
          at + 16,
          `${label} claims more raw data than the ${hx(r.length)}-byte file holds`,
        );
      }
      if (s.pointerToRawData >= r.length) {
        throw new PeError(
          `${f}.PointerToRawData`,
          s.pointerToRawData,
          at + 20,
          `${label}'s raw data starts past the end of the ${hx(r.length)}-byte file`,
        );
      }
      if (s.pointerToRawData + s.sizeOfRawData > r.length) {
        throw new PeError(
          `${f}.SizeOfRawData`,
          s.sizeOfRawData,
          at + 16,
          `${label}'s raw data (${hx(s.pointerToRawData)}..${hx(s.pointerToRawData + s.sizeOfRawData)}) runs past the end of the ${hx(r.length)}-byte file`,
        );
      }
    }
    s.fileSize = Math.min(s.sizeOfRawData, s.memorySize);
    previousEnd = s.virtualAddress + alignUp(s.memorySize, o.sectionAlignment);
    sections.push(s);
  }
  return sections;
}
