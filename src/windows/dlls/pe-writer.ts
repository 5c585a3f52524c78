/**
 * A small PE image writer for the synthetic system DLLs: PE32 (x86) and PE32+ (x64) DLLs with .text,
 * .rdata (import address table, export and import directories, unwind data), .data and, for x64,
 * .pdata. Layout follows the PE/COFF specification (Microsoft "PE Format" page): headers in the first
 * 0x400 file bytes, SectionAlignment 0x1000, FileAlignment 0x200.
 *
 * The images carry no base relocations (IMAGE_FILE_RELOCS_STRIPPED): code addresses absolute locations
 * (32-bit `mov edx, offset Wow64SystemServiceCall`, far jump targets) computed for the preferred base,
 * so they must be loaded at `imageBase`; build again with another base to move one.
 *
 * Everything is deterministic: the same input gives the same bytes (TimeDateStamp is a hash of the
 * section contents, not the clock).
 */
import { applyFixups, type Asm } from "./asm";

export type Machine = "x86" | "x64";

export const IMAGE_FILE_MACHINE_I386 = 0x14c;
export const IMAGE_FILE_MACHINE_AMD64 = 0x8664;

const IMAGE_FILE_RELOCS_STRIPPED = 0x0001;
const IMAGE_FILE_EXECUTABLE_IMAGE = 0x0002;
const IMAGE_FILE_LARGE_ADDRESS_AWARE = 0x0020;
const IMAGE_FILE_32BIT_MACHINE = 0x0100;
const IMAGE_FILE_DLL = 0x2000;

const IMAGE_DLLCHARACTERISTICS_NX_COMPAT = 0x0100;
export const IMAGE_SUBSYSTEM_WINDOWS_CUI = 3;

const SCN_CNT_CODE = 0x20;
const SCN_CNT_INITIALIZED_DATA = 0x40;
const SCN_MEM_EXECUTE = 0x20000000;
const SCN_MEM_READ = 0x40000000;
const SCN_MEM_WRITE = 0x80000000;

export const SECTION_ALIGNMENT = 0x1000;
export const FILE_ALIGNMENT = 0x200;
const HEADERS_SIZE = 0x400;

const DIR_EXPORT = 0;
const DIR_IMPORT = 1;
const DIR_EXCEPTION = 3;
const DIR_IAT = 12;

/** An x64 unwind code (UNWIND_CODE, "x64 exception handling" in the Microsoft docs). */
export type UnwindOp =
  /** UWOP_PUSH_NONVOL: `push reg` at prolog offset `at` (end of the instruction). */
  | { readonly at: number; readonly op: "push"; readonly reg: number }
  /** UWOP_ALLOC_SMALL (8..128) / UWOP_ALLOC_LARGE: `sub rsp, size`. */
  | { readonly at: number; readonly op: "alloc"; readonly size: number }
  /** UWOP_PUSH_MACHFRAME: a machine frame (RIP, CS, EFLAGS, RSP, SS) the kernel pushed (KiUserExceptionDispatcher). */
  | { readonly at: number; readonly op: "machframe" };

/** A function for .pdata: RUNTIME_FUNCTION with its UNWIND_INFO. Offsets are relative to the function start. */
export interface PeFunction {
  readonly label: string;
  readonly size: number;
  readonly prologSize: number;
  readonly unwind: readonly UnwindOp[];
}

export type PeExportTarget = { readonly label: string } | { readonly forwarder: string };

export interface PeExport {
  readonly name: string;
  readonly target: PeExportTarget;
}

export interface PeImportDll {
  readonly dll: string;
  /** Imported names; each gets an IAT slot labelled `iatLabel(dll, name)`. */
  readonly names: readonly string[];
}

export interface PeInput {
  readonly machine: Machine;
  readonly imageBase: number;
  /** Export directory name, e.g. "ntdll.dll". */
  readonly dllName: string;
  readonly text: Asm;
  /** Writable data (.data); omitted when empty. */
  readonly data?: Asm;
  readonly exports: readonly PeExport[];
  readonly imports?: readonly PeImportDll[];
  /** x64 only: functions listed in .pdata. */
  readonly functions?: readonly PeFunction[];
  /** Absolute address of an import when known at build time (the IAT is then pre-bound with it). */
  readonly bindImport?: (dll: string, name: string) => number | undefined;
  readonly subsystem?: number;
  readonly osVersion?: readonly [major: number, minor: number];
}

export interface PeSection {
  readonly name: string;
  readonly rva: number;
  readonly virtualSize: number;
  readonly rawOffset: number;
  readonly rawSize: number;
  readonly characteristics: number;
}

export interface PeImage {
  /** The PE file as it would be on disk. */
  readonly bytes: Uint8Array;
  readonly machine: Machine;
  readonly imageBase: number;
  readonly sizeOfImage: number;
  readonly sections: readonly PeSection[];
  readonly timeDateStamp: number;
  /** RVA of a .text / .data label, or of an IAT slot (`iatLabel`). */
  rva(label: string): number;
  /** Every label with its RVA (code symbols, data, IAT slots). */
  readonly labels: ReadonlyMap<string, number>;
}

export function iatLabel(dll: string, name: string): string {
  return `__imp_${dll.toLowerCase()}!${name}`;
}

function alignUp(v: number, a: number): number {
  return Math.ceil(v / a) * a;
}

/** A growable little-endian byte blob with RVA-relative labels. */
class Blob {
  bytes: number[] = [];
  constructor(readonly rva: number) {}
  get pos(): number {
    return this.bytes.length;
  }
  get here(): number {
    return this.rva + this.bytes.length;
  }
  align(n: number): void {
    while (this.bytes.length % n !== 0) this.bytes.push(0);
  }
  u8(v: number): void {
    this.bytes.push(v & 0xff);
  }
  u16(v: number): void {
    this.bytes.push(v & 0xff, (v >>> 8) & 0xff);
  }
  u32(v: number): void {
    this.bytes.push(v & 0xff, (v >>> 8) & 0xff, (v >>> 16) & 0xff, (v >>> 24) & 0xff);
  }
  u64(v: number): void {
    this.u32(v % 0x100000000);
    this.u32(Math.floor(v / 0x100000000));
  }
  asciiz(s: string): void {
    for (let i = 0; i < s.length; i++) this.bytes.push(s.charCodeAt(i) & 0x7f);
    this.bytes.push(0);
  }
  set32(pos: number, v: number): void {
    this.bytes[pos] = v & 0xff;
    this.bytes[pos + 1] = (v >>> 8) & 0xff;
    this.bytes[pos + 2] = (v >>> 16) & 0xff;
    this.bytes[pos + 3] = (v >>> 24) & 0xff;
  }
  set16(pos: number, v: number): void {
    this.bytes[pos] = v & 0xff;
    this.bytes[pos + 1] = (v >>> 8) & 0xff;
  }
}

function fnv1a(chunks: readonly Uint8Array[]): number {
  let h = 0x811c9dc5;
  for (const c of chunks) {
    for (let i = 0; i < c.length; i++) {
      h ^= c[i]!;
      h = Math.imul(h, 0x01000193) >>> 0;
    }
  }
  return h >>> 0;
}

/** The PE optional-header CheckSum (as imagehlp's CheckSumMappedFile computes it). */
export function peChecksum(file: Uint8Array, checksumOffset: number): number {
  let sum = 0;
  const n = file.length & ~1;
  for (let i = 0; i < n; i += 2) {
    if (i === checksumOffset || i === checksumOffset + 2) continue;
    sum += file[i]! | (file[i + 1]! << 8);
    sum = (sum & 0xffff) + Math.floor(sum / 0x10000);
  }
  if (file.length & 1) {
    sum += file[file.length - 1]!;
    sum = (sum & 0xffff) + Math.floor(sum / 0x10000);
  }
  sum = (sum & 0xffff) + Math.floor(sum / 0x10000);
  return (sum + file.length) >>> 0;
}

function encodeUnwind(f: PeFunction): number[] {
  if (f.prologSize > 255) throw new Error(`${f.label}: prolog too long`);
  const slots: number[] = [];
  // codes in reverse prolog order (last operation first)
  const ops = [...f.unwind].sort((a, b) => b.at - a.at);
  for (const u of ops) {
    if (u.op === "push") {
      slots.push(u.at | ((0 | (u.reg << 4)) << 8));
    } else if (u.op === "machframe") {
      slots.push(u.at | (10 << 8));
    } else if (u.size >= 8 && u.size <= 128 && u.size % 8 === 0) {
      slots.push(u.at | ((2 | (((u.size - 8) / 8) << 4)) << 8));
    } else if (u.size % 8 === 0 && u.size / 8 <= 0xffff) {
      slots.push(u.at | (1 << 8), u.size / 8);
    } else {
      slots.push(u.at | ((1 | (1 << 4)) << 8), u.size & 0xffff, u.size >>> 16);
    }
  }
  const out = [1, f.prologSize, slots.length, 0];
  for (const s of slots) out.push(s & 0xff, (s >>> 8) & 0xff);
  if (slots.length & 1) out.push(0, 0);
  return out;
}

export function writePe(input: PeInput): PeImage {
  const is64 = input.machine === "x64";
  const ptr = is64 ? 8 : 4;
  const labels = new Map<string, number>();

  // .text
  const textRva = SECTION_ALIGNMENT;
  const text = input.text.bytes();
  for (const [l, off] of input.text.labels) labels.set(l, textRva + off);

  // .rdata: IAT, unwind info, export directory, import directory
  const rdataRva = alignUp(textRva + Math.max(text.length, 1), SECTION_ALIGNMENT);
  const rd = new Blob(rdataRva);
  const imports = input.imports ?? [];
  const iatSlots: { dll: string; name: string; pos: number }[] = [];
  const iatStart = rd.here;
  for (const imp of imports) {
    for (const name of imp.names) {
      labels.set(iatLabel(imp.dll, name), rd.here);
      iatSlots.push({ dll: imp.dll, name, pos: rd.pos });
      if (is64) rd.u64(0);
      else rd.u32(0);
    }
    if (is64) rd.u64(0);
    else rd.u32(0);
  }
  const iatSize = rd.here - iatStart;

  const unwindRva = new Map<string, number>();
  if (is64) {
    for (const f of input.functions ?? []) {
      rd.align(4);
      unwindRva.set(f.label, rd.here);
      for (const b of encodeUnwind(f)) rd.u8(b);
    }
  }

  // export directory (IMAGE_EXPORT_DIRECTORY): names sorted for the loader's binary search, ordinals
  // assigned in that order from Base 1
  rd.align(4);
  const exportRva = rd.here;
  const exps = [...input.exports].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  for (let i = 1; i < exps.length; i++) {
    if (exps[i]!.name === exps[i - 1]!.name) throw new Error(`export ${exps[i]!.name} declared twice`);
  }
  const edPos = rd.pos;
  const deferred: { pos: number; label: string; name: string }[] = [];
  for (let i = 0; i < 40; i++) rd.u8(0);
  const eatPos = rd.pos;
  for (let i = 0; i < exps.length; i++) rd.u32(0);
  const enptPos = rd.pos;
  for (let i = 0; i < exps.length; i++) rd.u32(0);
  const eotPos = rd.pos;
  for (let i = 0; i < exps.length; i++) rd.u16(i);
  const dllNameRva = rd.here;
  rd.asciiz(input.dllName);
  exps.forEach((e, i) => {
    rd.set32(enptPos + 4 * i, rd.here);
    rd.asciiz(e.name);
  });
  exps.forEach((e, i) => {
    if ("forwarder" in e.target) {
      // a forwarder's "address" points at its "DLL.Name" string inside the export directory
      rd.set32(eatPos + 4 * i, rd.here);
      rd.asciiz(e.target.forwarder);
    } else {
      // .data labels get their RVAs once .rdata's size is known: patched below
      deferred.push({ pos: eatPos + 4 * i, label: e.target.label, name: e.name });
    }
  });
  const exportSize = rd.here - exportRva;
  // Characteristics, TimeDateStamp (patched below), Major/MinorVersion, Name, Base, NumberOfFunctions,
  // NumberOfNames, AddressOfFunctions, AddressOfNames, AddressOfNameOrdinals
  rd.set32(edPos + 12, dllNameRva);
  rd.set32(edPos + 16, 1);
  rd.set32(edPos + 20, exps.length);
  rd.set32(edPos + 24, exps.length);
  rd.set32(edPos + 28, rdataRva + eatPos);
  rd.set32(edPos + 32, rdataRva + enptPos);
  rd.set32(edPos + 36, rdataRva + eotPos);

  // import directory: IMAGE_IMPORT_DESCRIPTORs, then import lookup tables, hint/name entries, DLL names
  let importRva = 0;
  let importSize = 0;
  if (imports.length > 0) {
    rd.align(4);
    importRva = rd.here;
    const descPos = rd.pos;
    for (let i = 0; i <= imports.length; i++) for (let j = 0; j < 20; j++) rd.u8(0);
    importSize = rd.here - importRva;
    let slot = 0;
    imports.forEach((imp, di) => {
      rd.align(ptr);
      const iltRva = rd.here;
      const iltPos = rd.pos;
      for (let i = 0; i <= imp.names.length; i++) {
        if (is64) rd.u64(0);
        else rd.u32(0);
      }
      const firstIat = iatSlots[slot]!;
      imp.names.forEach((name, i) => {
        rd.align(2);
        const hn = rd.here;
        rd.u16(0); // hint: none (the loader falls back to the name)
        rd.asciiz(name);
        rd.set32(iltPos + ptr * i, hn);
        const s = iatSlots[slot++]!;
        const bound = input.bindImport?.(imp.dll, name);
        if (bound !== undefined) {
          rd.set32(s.pos, bound % 0x100000000);
          if (is64) rd.set32(s.pos + 4, Math.floor(bound / 0x100000000));
        } else rd.set32(s.pos, hn);
      });
      const nameRva = rd.here;
      rd.asciiz(imp.dll);
      const d = descPos + 20 * di;
      rd.set32(d, iltRva); // OriginalFirstThunk
      rd.set32(d + 12, nameRva);
      rd.set32(d + 16, rdataRva + firstIat.pos); // FirstThunk
    });
  }

  // .data
  const dataRva = alignUp(rdataRva + Math.max(rd.pos, 1), SECTION_ALIGNMENT);
  const data = input.data ? input.data.bytes() : new Uint8Array(0);
  if (input.data) for (const [l, off] of input.data.labels) labels.set(l, dataRva + off);
  for (const d of deferred) {
    const r = labels.get(d.label);
    if (r === undefined) throw new Error(`export ${d.name}: no label ${d.label}`);
    rd.set32(d.pos, r);
  }
  const rdataBytes = Uint8Array.from(rd.bytes);
  let nextRva = data.length > 0 ? alignUp(dataRva + data.length, SECTION_ALIGNMENT) : dataRva;

  // .pdata: RUNTIME_FUNCTION {BeginAddress, EndAddress, UnwindInfoAddress}, sorted by address
  let pdataRva = 0;
  let pdataBytes = new Uint8Array(0);
  if (is64 && (input.functions?.length ?? 0) > 0) {
    pdataRva = nextRva;
    const pd = new Blob(pdataRva);
    const fns = [...input.functions!].map((f) => {
      const begin = labels.get(f.label);
      if (begin === undefined) throw new Error(`.pdata: no label ${f.label}`);
      return { begin, end: begin + f.size, unwind: unwindRva.get(f.label)! };
    });
    fns.sort((a, b) => a.begin - b.begin);
    for (const f of fns) {
      pd.u32(f.begin);
      pd.u32(f.end);
      pd.u32(f.unwind);
    }
    pdataBytes = Uint8Array.from(pd.bytes);
    nextRva = alignUp(pdataRva + pdataBytes.length, SECTION_ALIGNMENT);
  }

  const resolve = (label: string): number => {
    const r = labels.get(label);
    if (r === undefined) throw new Error(`${input.dllName}: unresolved label ${label}`);
    return input.imageBase + r;
  };
  applyFixups(text, input.text.fixups, input.imageBase + textRva, resolve);
  if (input.data) applyFixups(data, input.data.fixups, input.imageBase + dataRva, resolve);

  const timeDateStamp = fnv1a([text, rdataBytes, data, pdataBytes]);
  new DataView(rdataBytes.buffer).setUint32(edPos + 4, timeDateStamp, true);

  // sections and file layout
  const secs: { name: string; rva: number; bytes: Uint8Array; ch: number }[] = [
    { name: ".text", rva: textRva, bytes: text, ch: SCN_CNT_CODE | SCN_MEM_EXECUTE | SCN_MEM_READ },
    { name: ".rdata", rva: rdataRva, bytes: rdataBytes, ch: SCN_CNT_INITIALIZED_DATA | SCN_MEM_READ },
  ];
  if (data.length > 0) {
    secs.push({
      name: ".data",
      rva: dataRva,
      bytes: data,
      ch: SCN_CNT_INITIALIZED_DATA | SCN_MEM_READ | SCN_MEM_WRITE,
    });
  }
  if (pdataBytes.length > 0) {
    secs.push({
      name: ".pdata",
      rva: pdataRva,
      bytes: pdataBytes,
      ch: SCN_CNT_INITIALIZED_DATA | SCN_MEM_READ,
    });
  }
  const sections: PeSection[] = [];
  let raw = HEADERS_SIZE;
  for (const s of secs) {
    const rawSize = alignUp(s.bytes.length, FILE_ALIGNMENT);
    sections.push({
      name: s.name,
      rva: s.rva,
      virtualSize: s.bytes.length,
      rawOffset: raw,
      rawSize,
      characteristics: s.ch,
    });
    raw += rawSize;
  }
  const sizeOfImage = nextRva;
  const file = new Uint8Array(raw);
  const dv = new DataView(file.buffer);

  // DOS header: e_magic "MZ", e_lfanew
  const peOff = 0x40;
  file[0] = 0x4d;
  file[1] = 0x5a;
  dv.setUint32(0x3c, peOff, true);
  // "PE\0\0" + IMAGE_FILE_HEADER
  file.set([0x50, 0x45, 0, 0], peOff);
  const fh = peOff + 4;
  const optSize = is64 ? 0xf0 : 0xe0;
  dv.setUint16(fh, is64 ? IMAGE_FILE_MACHINE_AMD64 : IMAGE_FILE_MACHINE_I386, true);
  dv.setUint16(fh + 2, sections.length, true);
  dv.setUint32(fh + 4, timeDateStamp, true);
  dv.setUint16(fh + 16, optSize, true);
  dv.setUint16(
    fh + 18,
    IMAGE_FILE_RELOCS_STRIPPED |
      IMAGE_FILE_EXECUTABLE_IMAGE |
      IMAGE_FILE_DLL |
      (is64 ? IMAGE_FILE_LARGE_ADDRESS_AWARE : IMAGE_FILE_32BIT_MACHINE),
    true,
  );
  // IMAGE_OPTIONAL_HEADER32 / 64
  const oh = fh + 20;
  const sizeOf = (pred: (s: PeSection) => boolean) =>
    sections.filter(pred).reduce((n, s) => n + s.rawSize, 0);
  dv.setUint16(oh, is64 ? 0x20b : 0x10b, true);
  file[oh + 2] = 14; // linker version 14.0
  dv.setUint32(
    oh + 4,
    sizeOf((s) => (s.characteristics & SCN_CNT_CODE) !== 0),
    true,
  );
  dv.setUint32(
    oh + 8,
    sizeOf((s) => (s.characteristics & SCN_CNT_INITIALIZED_DATA) !== 0),
    true,
  );
  dv.setUint32(oh + 16, 0, true); // AddressOfEntryPoint: none (no DllMain)
  dv.setUint32(oh + 20, textRva, true); // BaseOfCode
  let p: number;
  if (is64) {
    dv.setUint32(oh + 24, input.imageBase % 0x100000000, true);
    dv.setUint32(oh + 28, Math.floor(input.imageBase / 0x100000000), true);
    p = oh + 32;
  } else {
    dv.setUint32(oh + 24, rdataRva, true); // BaseOfData
    dv.setUint32(oh + 28, input.imageBase, true);
    p = oh + 32;
  }
  const [osMajor, osMinor] = input.osVersion ?? [10, 0];
  dv.setUint32(p, SECTION_ALIGNMENT, true);
  dv.setUint32(p + 4, FILE_ALIGNMENT, true);
  dv.setUint16(p + 8, osMajor, true); // MajorOperatingSystemVersion
  dv.setUint16(p + 10, osMinor, true);
  dv.setUint16(p + 12, osMajor, true); // MajorImageVersion
  dv.setUint16(p + 14, osMinor, true);
  dv.setUint16(p + 16, osMajor, true); // MajorSubsystemVersion
  dv.setUint16(p + 18, osMinor, true);
  dv.setUint32(p + 24, sizeOfImage, true);
  dv.setUint32(p + 28, HEADERS_SIZE, true);
  const checksumOff = p + 32;
  dv.setUint16(p + 36, input.subsystem ?? IMAGE_SUBSYSTEM_WINDOWS_CUI, true);
  dv.setUint16(p + 38, IMAGE_DLLCHARACTERISTICS_NX_COMPAT, true);
  // stack/heap reserve and commit, LoaderFlags, NumberOfRvaAndSizes
  const sizes = [0x40000, 0x1000, 0x100000, 0x1000];
  let q = p + 40;
  for (const s of sizes) {
    if (is64) {
      dv.setUint32(q, s, true);
      q += 8;
    } else {
      dv.setUint32(q, s, true);
      q += 4;
    }
  }
  q += 4; // LoaderFlags
  dv.setUint32(q, 16, true);
  const dirs = q + 4;
  const setDir = (i: number, rva: number, size: number) => {
    dv.setUint32(dirs + 8 * i, rva, true);
    dv.setUint32(dirs + 8 * i + 4, size, true);
  };
  setDir(DIR_EXPORT, exportRva, exportSize);
  if (importRva) setDir(DIR_IMPORT, importRva, importSize);
  if (pdataRva) setDir(DIR_EXCEPTION, pdataRva, pdataBytes.length);
  if (iatSize > 0) setDir(DIR_IAT, iatStart, iatSize);
  // section table
  let sh = oh + optSize;
  for (const s of sections) {
    for (let i = 0; i < 8; i++) file[sh + i] = i < s.name.length ? s.name.charCodeAt(i) : 0;
    dv.setUint32(sh + 8, s.virtualSize, true);
    dv.setUint32(sh + 12, s.rva, true);
    dv.setUint32(sh + 16, s.rawSize, true);
    dv.setUint32(sh + 20, s.rawOffset, true);
    dv.setUint32(sh + 36, s.characteristics, true);
    sh += 40;
  }
  if (sh > HEADERS_SIZE) throw new Error("headers overflow");
  secs.forEach((s, i) => file.set(s.bytes, sections[i]!.rawOffset));
  dv.setUint32(checksumOff, peChecksum(file, checksumOff), true);

  return {
    bytes: file,
    machine: input.machine,
    imageBase: input.imageBase,
    sizeOfImage,
    sections,
    timeDateStamp,
    labels,
    rva(label: string): number {
      const r = labels.get(label);
      if (r === undefined) throw new Error(`${input.dllName}: no label ${label}`);
      return r;
    },
  };
}
