/**
 * The parsed image record and the PE/COFF constants it uses. Names follow the PE/COFF specification
 * ("PE Format", Microsoft Learn) and winnt.h. Addresses inside the image are RVAs (offsets from the image
 * base); virtual addresses are numbers (image bases are below 2^47, exact in a JS number).
 */

export const IMAGE_DOS_SIGNATURE = 0x5a4d; // "MZ"
export const IMAGE_NT_SIGNATURE = 0x00004550; // "PE\0\0"

export const IMAGE_FILE_MACHINE_I386 = 0x014c;
export const IMAGE_FILE_MACHINE_AMD64 = 0x8664;

export const IMAGE_NT_OPTIONAL_HDR32_MAGIC = 0x10b;
export const IMAGE_NT_OPTIONAL_HDR64_MAGIC = 0x20b;

/** IMAGE_FILE_HEADER.Characteristics */
export const IMAGE_FILE_RELOCS_STRIPPED = 0x0001;
export const IMAGE_FILE_EXECUTABLE_IMAGE = 0x0002;
export const IMAGE_FILE_LARGE_ADDRESS_AWARE = 0x0020;
export const IMAGE_FILE_32BIT_MACHINE = 0x0100;
export const IMAGE_FILE_DEBUG_STRIPPED = 0x0200;
export const IMAGE_FILE_SYSTEM = 0x1000;
export const IMAGE_FILE_DLL = 0x2000;

/** IMAGE_OPTIONAL_HEADER.DllCharacteristics */
export const IMAGE_DLLCHARACTERISTICS_HIGH_ENTROPY_VA = 0x0020;
export const IMAGE_DLLCHARACTERISTICS_DYNAMIC_BASE = 0x0040;
export const IMAGE_DLLCHARACTERISTICS_FORCE_INTEGRITY = 0x0080;
export const IMAGE_DLLCHARACTERISTICS_NX_COMPAT = 0x0100;
export const IMAGE_DLLCHARACTERISTICS_NO_ISOLATION = 0x0200;
export const IMAGE_DLLCHARACTERISTICS_NO_SEH = 0x0400;
export const IMAGE_DLLCHARACTERISTICS_NO_BIND = 0x0800;
export const IMAGE_DLLCHARACTERISTICS_APPCONTAINER = 0x1000;
export const IMAGE_DLLCHARACTERISTICS_WDM_DRIVER = 0x2000;
export const IMAGE_DLLCHARACTERISTICS_GUARD_CF = 0x4000;
export const IMAGE_DLLCHARACTERISTICS_TERMINAL_SERVER_AWARE = 0x8000;

/** IMAGE_OPTIONAL_HEADER.Subsystem */
export const IMAGE_SUBSYSTEM_NATIVE = 1;
export const IMAGE_SUBSYSTEM_WINDOWS_GUI = 2;
export const IMAGE_SUBSYSTEM_WINDOWS_CUI = 3;

/** IMAGE_SECTION_HEADER.Characteristics */
export const IMAGE_SCN_CNT_CODE = 0x00000020;
export const IMAGE_SCN_CNT_INITIALIZED_DATA = 0x00000040;
export const IMAGE_SCN_CNT_UNINITIALIZED_DATA = 0x00000080;
export const IMAGE_SCN_MEM_DISCARDABLE = 0x02000000;
export const IMAGE_SCN_MEM_SHARED = 0x10000000;
export const IMAGE_SCN_MEM_EXECUTE = 0x20000000;
export const IMAGE_SCN_MEM_READ = 0x40000000;
export const IMAGE_SCN_MEM_WRITE = 0x80000000;

/** Data directory indexes. */
export const IMAGE_DIRECTORY_ENTRY_EXPORT = 0;
export const IMAGE_DIRECTORY_ENTRY_IMPORT = 1;
export const IMAGE_DIRECTORY_ENTRY_RESOURCE = 2;
export const IMAGE_DIRECTORY_ENTRY_EXCEPTION = 3;
export const IMAGE_DIRECTORY_ENTRY_SECURITY = 4;
export const IMAGE_DIRECTORY_ENTRY_BASERELOC = 5;
export const IMAGE_DIRECTORY_ENTRY_DEBUG = 6;
export const IMAGE_DIRECTORY_ENTRY_ARCHITECTURE = 7;
export const IMAGE_DIRECTORY_ENTRY_GLOBALPTR = 8;
export const IMAGE_DIRECTORY_ENTRY_TLS = 9;
export const IMAGE_DIRECTORY_ENTRY_LOAD_CONFIG = 10;
export const IMAGE_DIRECTORY_ENTRY_BOUND_IMPORT = 11;
export const IMAGE_DIRECTORY_ENTRY_IAT = 12;
export const IMAGE_DIRECTORY_ENTRY_DELAY_IMPORT = 13;
export const IMAGE_DIRECTORY_ENTRY_COM_DESCRIPTOR = 14;
export const IMAGE_NUMBEROF_DIRECTORY_ENTRIES = 16;

export const DIRECTORY_NAMES = [
  "EXPORT",
  "IMPORT",
  "RESOURCE",
  "EXCEPTION",
  "SECURITY",
  "BASERELOC",
  "DEBUG",
  "ARCHITECTURE",
  "GLOBALPTR",
  "TLS",
  "LOAD_CONFIG",
  "BOUND_IMPORT",
  "IAT",
  "DELAY_IMPORT",
  "COM_DESCRIPTOR",
  "RESERVED",
] as const;

/** Base relocation types (PE/COFF specification, "Base Relocation Types"). */
export const IMAGE_REL_BASED_ABSOLUTE = 0;
export const IMAGE_REL_BASED_HIGHLOW = 3;
export const IMAGE_REL_BASED_DIR64 = 10;

export interface FileHeader {
  machine: number;
  numberOfSections: number;
  timeDateStamp: number;
  pointerToSymbolTable: number;
  numberOfSymbols: number;
  sizeOfOptionalHeader: number;
  characteristics: number;
}

export interface OptionalHeader {
  magic: number;
  majorLinkerVersion: number;
  minorLinkerVersion: number;
  sizeOfCode: number;
  sizeOfInitializedData: number;
  sizeOfUninitializedData: number;
  addressOfEntryPoint: number;
  baseOfCode: number;
  /** PE32 only. */
  baseOfData: number | undefined;
  imageBase: number;
  sectionAlignment: number;
  fileAlignment: number;
  majorOperatingSystemVersion: number;
  minorOperatingSystemVersion: number;
  majorImageVersion: number;
  minorImageVersion: number;
  majorSubsystemVersion: number;
  minorSubsystemVersion: number;
  win32VersionValue: number;
  sizeOfImage: number;
  sizeOfHeaders: number;
  checkSum: number;
  subsystem: number;
  dllCharacteristics: number;
  sizeOfStackReserve: number;
  sizeOfStackCommit: number;
  sizeOfHeapReserve: number;
  sizeOfHeapCommit: number;
  loaderFlags: number;
  numberOfRvaAndSizes: number;
}

export interface DataDirectory {
  /** An RVA, except for the SECURITY directory, where it is a file offset. */
  virtualAddress: number;
  size: number;
}

export interface Section {
  index: number;
  /** The 8-byte name up to its first NUL. */
  name: string;
  virtualSize: number;
  virtualAddress: number;
  sizeOfRawData: number;
  pointerToRawData: number;
  characteristics: number;
  /** File offset of this IMAGE_SECTION_HEADER. */
  headerOffset: number;
  /** Bytes the section spans in memory: VirtualSize (or SizeOfRawData when VirtualSize is 0), unaligned. */
  memorySize: number;
  /** Bytes copied from the file: min(SizeOfRawData, memorySize); the rest of the section is zero. */
  fileSize: number;
}

export type RelocationType = typeof IMAGE_REL_BASED_HIGHLOW | typeof IMAGE_REL_BASED_DIR64;

export interface Relocation {
  rva: number;
  type: RelocationType;
}

/** One imported function: by name (with its hint) or by ordinal. */
export type ImportEntry =
  | { kind: "name"; name: string; hint: number; iatRva: number }
  | { kind: "ordinal"; ordinal: number; iatRva: number };

export interface ImportModule {
  /** The DLL name as written in the image. */
  name: string;
  /** Import lookup table RVA (OriginalFirstThunk; 0 when the image has only the IAT). */
  lookupTableRva: number;
  /** Import address table RVA (FirstThunk). */
  addressTableRva: number;
  timeDateStamp: number;
  forwarderChain: number;
  entries: ImportEntry[];
}

/** IMAGE_DELAYLOAD_DESCRIPTOR, with every address converted to an RVA. */
export interface DelayImportModule {
  name: string;
  /** dlattrRva (1): the descriptor's fields are RVAs; 0: they are virtual addresses (Visual C++ 6). */
  attributes: number;
  moduleHandleRva: number;
  addressTableRva: number;
  nameTableRva: number;
  boundAddressTableRva: number;
  unloadInformationTableRva: number;
  timeDateStamp: number;
  entries: ImportEntry[];
}

export interface BoundForwarderRef {
  name: string;
  timeDateStamp: number;
}

export interface BoundImport {
  name: string;
  timeDateStamp: number;
  forwarders: BoundForwarderRef[];
}

/** A forwarded export: `NTDLL.RtlAllocateHeap`, or `NTDLL.#12` by ordinal. */
export interface Forwarder {
  text: string;
  module: string;
  name: string | undefined;
  ordinal: number | undefined;
}

export interface Export {
  ordinal: number;
  /** The function's RVA (for a forwarder: the RVA of its text). */
  rva: number;
  /** Names that refer to this ordinal (usually one, none for NONAME exports). */
  names: string[];
  forwarder: Forwarder | undefined;
}

export interface ExportDirectory {
  name: string;
  characteristics: number;
  timeDateStamp: number;
  majorVersion: number;
  minorVersion: number;
  ordinalBase: number;
  numberOfFunctions: number;
  numberOfNames: number;
  addressOfFunctions: number;
  addressOfNames: number;
  addressOfNameOrdinals: number;
  /** Exported ordinals in increasing order (unused slots, RVA 0, are left out). */
  exports: Export[];
  byName: Map<string, Export>;
  byOrdinal: Map<number, Export>;
}

export interface TlsDirectory {
  startAddressOfRawData: number;
  endAddressOfRawData: number;
  addressOfIndex: number;
  addressOfCallBacks: number;
  sizeOfZeroFill: number;
  characteristics: number;
  /** The template's RVA and size (End - Start). */
  rawDataRva: number;
  rawDataSize: number;
  indexRva: number;
  callbacksRva: number;
  /** The callbacks' RVAs, in array order. */
  callbacks: number[];
}

/** Unwind operation codes ("x64 exception handling", struct UNWIND_CODE). */
export const UWOP_PUSH_NONVOL = 0;
export const UWOP_ALLOC_LARGE = 1;
export const UWOP_ALLOC_SMALL = 2;
export const UWOP_SET_FPREG = 3;
export const UWOP_SAVE_NONVOL = 4;
export const UWOP_SAVE_NONVOL_FAR = 5;
/** Version 2: an epilog descriptor. Version 1: the obsolete UWOP_SAVE_XMM (low 64 bits, offset / 8). */
export const UWOP_EPILOG = 6;
/** Version 2: reserved. Version 1: the obsolete UWOP_SAVE_XMM_FAR. */
export const UWOP_SPARE_CODE = 7;
export const UWOP_SAVE_XMM128 = 8;
export const UWOP_SAVE_XMM128_FAR = 9;
export const UWOP_PUSH_MACHFRAME = 10;

export const UNW_FLAG_EHANDLER = 1;
export const UNW_FLAG_UHANDLER = 2;
export const UNW_FLAG_CHAININFO = 4;

/**
 * One decoded unwind operation. `offset` is the prologue offset of the end of the instruction it
 * describes; `slots` the number of 16-bit UNWIND_CODE slots it used. `reg` numbers the integer registers
 * RAX=0 … R15=15 (or XMM0–XMM15 for the XMM saves); stack offsets are in bytes, already scaled.
 */
export type UnwindCode =
  | { op: "PUSH_NONVOL"; offset: number; slots: 1; reg: number }
  | { op: "ALLOC_LARGE"; offset: number; slots: 2 | 3; size: number }
  | { op: "ALLOC_SMALL"; offset: number; slots: 1; size: number }
  | { op: "SET_FPREG"; offset: number; slots: 1 }
  | { op: "SAVE_NONVOL"; offset: number; slots: 2; reg: number; stackOffset: number }
  | { op: "SAVE_NONVOL_FAR"; offset: number; slots: 3; reg: number; stackOffset: number }
  | { op: "SAVE_XMM"; offset: number; slots: 2; reg: number; stackOffset: number }
  | { op: "SAVE_XMM_FAR"; offset: number; slots: 3; reg: number; stackOffset: number }
  | { op: "SAVE_XMM128"; offset: number; slots: 2; reg: number; stackOffset: number }
  | { op: "SAVE_XMM128_FAR"; offset: number; slots: 3; reg: number; stackOffset: number }
  | { op: "PUSH_MACHFRAME"; offset: number; slots: 1; errorCode: boolean }
  /** Version 2, first epilog code: the size of every epilog; `atEnd`: an epilog ends the function. */
  | { op: "EPILOG"; offset: number; slots: 1; size: number; atEnd: boolean }
  /** Version 2, further epilog codes: an epilog starts `distance` bytes before the function's end (0: padding). */
  | { op: "EPILOG_AT"; offset: number; slots: 1; distance: number };

export interface UnwindInfo {
  rva: number;
  version: 1 | 2;
  flags: number;
  sizeOfProlog: number;
  countOfCodes: number;
  /** 0 when there is no frame register. */
  frameRegister: number;
  /** The frame register's offset from RSP in bytes (the 4-bit field times 16). */
  frameOffset: number;
  codes: UnwindCode[];
  /** Exception or termination handler RVA (UNW_FLAG_EHANDLER/UHANDLER). */
  handlerRva: number | undefined;
  /** RVA of the language-specific handler data that follows the handler RVA. */
  handlerDataRva: number | undefined;
  /** UNW_FLAG_CHAININFO: the RUNTIME_FUNCTION of the primary unwind info. */
  chained: RuntimeFunction | undefined;
}

/** A .pdata entry (x64). */
export interface RuntimeFunction {
  beginRva: number;
  endRva: number;
  /** RVA of the UNWIND_INFO (after following an indirect entry, UnwindData with bit 0 set). */
  unwindInfoRva: number;
}

export interface PeImage {
  format: "PE32" | "PE32+";
  bits: 32 | 64;
  /** e_lfanew: file offset of the NT headers. */
  ntHeadersOffset: number;
  fileHeader: FileHeader;
  optionalHeader: OptionalHeader;
  /** File offset of IMAGE_OPTIONAL_HEADER. */
  optionalHeaderOffset: number;
  /** Always 16 entries; those beyond NumberOfRvaAndSizes are zero. */
  dataDirectories: DataDirectory[];
  sections: Section[];

  // Shortcuts to the header fields the loader uses most.
  machine: number;
  imageBase: number;
  /** SizeOfImage rounded up to SectionAlignment: the bytes the mapped image spans. */
  mappedSize: number;
  entryPointRva: number;
  subsystem: number;
  isDll: boolean;
  largeAddressAware: boolean;
  relocsStripped: boolean;
  dynamicBase: boolean;
  nxCompat: boolean;
  highEntropyVa: boolean;

  relocations: Relocation[];
  imports: ImportModule[];
  delayImports: DelayImportModule[];
  boundImports: BoundImport[];
  exports: ExportDirectory | undefined;
  tls: TlsDirectory | undefined;
  /** The x64 .pdata table in file order (empty for i386 images). */
  functions: RuntimeFunction[];
  /** Every UNWIND_INFO reached from `functions` (chains included), by RVA. */
  unwindInfos: Map<number, UnwindInfo>;
}

export interface ParseOptions {
  /** Refuse images whose SizeOfImage exceeds this (default DEFAULT_MAX_IMAGE_SIZE). */
  maxImageSize?: number;
}

/** 1 GB: larger SizeOfImage values are refused rather than mapped. */
export const DEFAULT_MAX_IMAGE_SIZE = 0x4000_0000;

/** The top of the 64-bit user address space (128 TB); 32-bit images end below 4 GB. */
export const USER_SPACE_END_64 = 0x8000_0000_0000;
export const USER_SPACE_END_32 = 0x1_0000_0000;

export const REGISTER_NAMES = [
  "RAX",
  "RCX",
  "RDX",
  "RBX",
  "RSP",
  "RBP",
  "RSI",
  "RDI",
  "R8",
  "R9",
  "R10",
  "R11",
  "R12",
  "R13",
  "R14",
  "R15",
] as const;
