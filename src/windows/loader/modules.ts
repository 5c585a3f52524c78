/**
 * The loader's module table: maps PE images into an address space (an image section per module, copy-on-
 * write views), relocates them when they cannot sit at their preferred base, binds their import address
 * tables by name and ordinal (following forwarders, loading dependencies), and records the order in which
 * modules must be initialized (dependencies first, as LdrpInitializeProcess does).
 *
 * Delay-load imports are not bound here: as on Windows, the image's own helper (`__delayLoadHelper2`)
 * resolves them on first call through LoadLibrary / GetProcAddress, which the kernel answers with
 * `ModuleTable.load` and `ModuleTable.procAddress`.
 */
import type { AddressSpace } from "../memory/address-space";
import type { MemoryManager } from "../memory/manager";
import {
  PAGE_EXECUTE,
  PAGE_EXECUTE_READ,
  PAGE_EXECUTE_READWRITE,
  PAGE_EXECUTE_WRITECOPY,
  PAGE_NOACCESS,
  PAGE_READONLY,
  PAGE_READWRITE,
  PAGE_SIZE,
} from "../memory/constants";
import type { Section } from "../memory/section";
import type { Arch, SystemDll } from "../dlls";
import {
  IMAGE_SCN_MEM_EXECUTE,
  IMAGE_SCN_MEM_READ,
  IMAGE_SCN_MEM_WRITE,
  PeError,
  applyRelocations,
  mapImage,
  parsePe,
  type Export,
  type ImportEntry,
  type PeImage,
} from "../pe";
import {
  STATUS_CONFLICTING_ADDRESSES,
  STATUS_INVALID_PARAMETER_3,
  STATUS_NO_MEMORY,
  STATUS_SUCCESS,
} from "../ntstatus";
import {
  LoadError,
  STATUS_DLL_NOT_FOUND,
  STATUS_ENTRYPOINT_NOT_FOUND,
  STATUS_ILLEGAL_DLL_RELOCATION,
  STATUS_INVALID_IMAGE_FORMAT,
  STATUS_ORDINAL_NOT_FOUND,
} from "./errors";

const TWO32 = 0x1_0000_0000;

export type ModuleKind = "exe" | "system" | "dll";

/** A module mapped in the process. */
export interface Module {
  /** BaseDllName as the loader lists it ("KERNEL32.DLL", "hello32.exe"). */
  readonly name: string;
  /** FullDllName, a Windows path. */
  readonly path: string;
  readonly arch: Arch;
  readonly kind: ModuleKind;
  readonly base: number;
  /** SizeOfImage as mapped. */
  readonly size: number;
  /** Absolute entry point (DllMain / the program's start), 0 for none. */
  readonly entry: number;
  readonly pe: PeImage;
  /** Set for the synthetic system DLLs. */
  readonly system: SystemDll | undefined;
  /** Moved from its preferred base. */
  readonly relocated: boolean;
  /** Absolute addresses of the TLS callbacks, in array order. */
  readonly tlsCallbacks: number[];
  /** Index in the static TLS array (TEB.ThreadLocalStoragePointer), -1 without a TLS directory. */
  tlsIndex: number;
  /** Modules whose import tables name this one were bound to it (load count, for FreeLibrary later). */
  loadCount: number;
}

/** The file of a DLL that is not a system DLL, found by the host (beside the program, for instance). */
export interface DllFile {
  /** The Windows path to report (FullDllName). */
  readonly path: string;
  readonly bytes: Uint8Array;
}

export type DllResolver = (name: string, arch: Arch) => DllFile | undefined;

/** Page protection of a section from its characteristics (MiMakeProtectionMask's table: X, R, W). */
export function sectionProtection(characteristics: number): number {
  const x = (characteristics & IMAGE_SCN_MEM_EXECUTE) !== 0;
  const r = (characteristics & IMAGE_SCN_MEM_READ) !== 0;
  const w = (characteristics & IMAGE_SCN_MEM_WRITE) !== 0;
  if (w) return x ? PAGE_EXECUTE_READWRITE : PAGE_READWRITE;
  if (x) return r ? PAGE_EXECUTE_READ : PAGE_EXECUTE;
  return r ? PAGE_READONLY : PAGE_NOACCESS;
}

/** "kernel32" → "kernel32.dll"; path and case dropped: the key modules are found by. */
export function moduleKey(name: string): string {
  let n = name.slice(Math.max(name.lastIndexOf("\\"), name.lastIndexOf("/")) + 1).toLowerCase();
  if (!n.includes(".")) n += ".dll";
  return n;
}

function hex(v: number): string {
  return "0x" + v.toString(16).toUpperCase();
}

/** Parsed system images, shared by every process (the images are immutable). */
const systemPe = new WeakMap<SystemDll, { pe: PeImage; mapped: Uint8Array }>();

function systemImage(d: SystemDll): { pe: PeImage; mapped: Uint8Array } {
  let r = systemPe.get(d);
  if (r === undefined) {
    const pe = parsePe(d.image.bytes);
    r = { pe, mapped: mapImage(d.image.bytes, pe) };
    systemPe.set(d, r);
  }
  return r;
}

export interface ModuleTableOptions {
  readonly mm: MemoryManager;
  readonly mem: AddressSpace;
  /** The process's architecture: the exe's, and that of every DLL it loads. */
  readonly arch: Arch;
  readonly findDll: DllResolver | undefined;
  /**
   * Synthetic system DLLs mapped on demand when a module imports them (advapi32): `moduleKey` name and
   * architecture → the image, or undefined. Looked up before `findDll`.
   */
  readonly systemDll?: (key: string, arch: Arch) => SystemDll | undefined;
}

export class ModuleTable {
  /** Every module, in load order (both architectures in a WOW64 process). */
  readonly modules: Module[] = [];
  /** Modules to initialize (TLS callbacks, DllMain), dependencies first; system DLLs excluded. */
  readonly initOrder: Module[] = [];
  private readonly byKey = new Map<string, Module>();
  private tlsCount = 0;

  constructor(private readonly o: ModuleTableOptions) {}

  get(name: string, arch: Arch = this.o.arch): Module | undefined {
    return this.byKey.get(`${arch}:${moduleKey(name)}`);
  }

  /** The module containing `addr`, if any. */
  at(addr: number): Module | undefined {
    for (const m of this.modules) if (addr >= m.base && addr < m.base + m.size) return m;
    return undefined;
  }

  /** Map a synthetic system DLL at its base (they carry no relocations). */
  mapSystem(d: SystemDll): Module {
    const { pe, mapped } = systemImage(d);
    const section = this.createSection(pe);
    const r = this.o.mem.mapView(section, {
      base: d.base,
      protect: PAGE_EXECUTE_WRITECOPY,
      native64: d.arch === "x64",
    });
    if (r.status !== STATUS_SUCCESS) {
      throw new LoadError(
        `cannot map ${d.path} at ${hex(d.base)} (status ${hex(r.status)})`,
        STATUS_CONFLICTING_ADDRESSES,
      );
    }
    section.write(0, mapped);
    section.close(); // the view keeps the section alive
    const m: Module = {
      name: d.fileName,
      path: d.path,
      arch: d.arch,
      kind: "system",
      base: d.base,
      size: pe.mappedSize,
      entry: pe.entryPointRva === 0 ? 0 : d.base + pe.entryPointRva,
      pe,
      system: d,
      relocated: false,
      tlsCallbacks: [],
      tlsIndex: -1,
      loadCount: -1,
    };
    this.add(m);
    return m;
  }

  /**
   * Map the program: parse, place (preferred base, `forceBase`, or wherever the address space has room
   * when the preferred range is taken), relocate, bind imports (loading the DLLs they name).
   */
  loadExe(file: Uint8Array, path: string, forceBase?: number, parsed?: PeImage): Module {
    const pe = parsed ?? parseImage(file, path);
    if (pe.isDll) {
      throw new LoadError(`${path} is a DLL (IMAGE_FILE_DLL), not a program`, STATUS_INVALID_IMAGE_FORMAT);
    }
    return this.mapImageFile(file, pe, path, "exe", forceBase);
  }

  /**
   * LoadLibrary: the module named `name` of the process's architecture, loading it (and what it imports)
   * when it is not mapped yet. Returns the module and the modules newly loaded, in initialization order.
   */
  load(name: string): { module: Module; loaded: Module[] } {
    const before = this.initOrder.length;
    const module = this.require(name, this.o.arch, undefined);
    return { module, loaded: this.initOrder.slice(before) };
  }

  /** GetProcAddress: an export by name or ordinal, following forwarders; undefined when missing. */
  procAddress(m: Module, what: string | number): number | undefined {
    try {
      return this.resolve(m, what, 0);
    } catch (e) {
      if (e instanceof LoadError) return undefined;
      throw e;
    }
  }

  private add(m: Module): void {
    this.modules.push(m);
    this.byKey.set(`${m.arch}:${moduleKey(m.name)}`, m);
  }

  private createSection(pe: PeImage): Section {
    const prots: { offset: number; size: number; protect: number }[] = [];
    if (pe.optionalHeader.sectionAlignment < PAGE_SIZE) {
      // Sections share pages: Windows maps such an image as one read-write-execute run.
      prots.push({ offset: 0, size: pe.mappedSize, protect: PAGE_EXECUTE_READWRITE });
    } else {
      for (const s of pe.sections) {
        const size =
          Math.ceil(s.memorySize / pe.optionalHeader.sectionAlignment) * pe.optionalHeader.sectionAlignment;
        prots.push({ offset: s.virtualAddress, size, protect: sectionProtection(s.characteristics) });
      }
    }
    const r = this.o.mm.createImageSection(pe.mappedSize, prots);
    if (r.section === undefined) {
      throw new LoadError(`cannot create the image section (status ${hex(r.status)})`, r.status);
    }
    return r.section;
  }

  private mapImageFile(
    file: Uint8Array,
    pe: PeImage,
    path: string,
    kind: ModuleKind,
    forceBase: number | undefined,
  ): Module {
    const arch: Arch = pe.bits === 64 ? "x64" : "x86";
    if (arch !== this.o.arch) {
      throw new LoadError(
        `${path} is a ${pe.bits}-bit image; a ${this.o.arch === "x64" ? "64" : "32"}-bit process cannot load it`,
        STATUS_INVALID_IMAGE_FORMAT,
      );
    }
    const mapped = mapImage(file, pe);
    const section = this.createSection(pe);
    const native64 = arch === "x64";
    const want = forceBase ?? pe.imageBase;
    let r = this.o.mem.mapView(section, { base: want, protect: PAGE_EXECUTE_WRITECOPY, native64 });
    const movable =
      r.status === STATUS_CONFLICTING_ADDRESSES ||
      r.status === STATUS_INVALID_PARAMETER_3 ||
      r.status === STATUS_NO_MEMORY;
    if (r.status !== STATUS_SUCCESS && forceBase === undefined && movable) {
      if (pe.relocsStripped) {
        section.close();
        throw new LoadError(
          `${path} cannot be loaded at its preferred base ${hex(pe.imageBase)} (the range is taken or outside ` +
            `the address space) and has no relocations (IMAGE_FILE_RELOCS_STRIPPED)`,
          kind === "exe" ? STATUS_CONFLICTING_ADDRESSES : STATUS_ILLEGAL_DLL_RELOCATION,
        );
      }
      r = this.o.mem.mapView(section, { protect: PAGE_EXECUTE_WRITECOPY, native64 });
    }
    if (r.status !== STATUS_SUCCESS) {
      section.close();
      throw new LoadError(
        `cannot map ${path} (${hex(pe.mappedSize)} bytes) at ${hex(want)}: status ${hex(r.status)}`,
        r.status,
      );
    }
    const base = r.base;
    try {
      if (base !== pe.imageBase) applyRelocations(mapped, pe, base);
    } catch (e) {
      this.o.mem.unmapView(base);
      section.close();
      if (e instanceof PeError) throw new LoadError(`${path}: ${e.message}`, STATUS_INVALID_IMAGE_FORMAT, e);
      throw e;
    }
    const m: Module = {
      name: path.slice(Math.max(path.lastIndexOf("\\"), path.lastIndexOf("/")) + 1),
      path,
      arch,
      kind,
      base,
      size: pe.mappedSize,
      entry: pe.entryPointRva === 0 ? 0 : base + pe.entryPointRva,
      pe,
      system: undefined,
      relocated: base !== pe.imageBase,
      tlsCallbacks: pe.tls === undefined ? [] : pe.tls.callbacks.map((rva) => base + rva),
      tlsIndex: -1,
      loadCount: 1,
    };
    this.add(m);
    try {
      if (pe.tls !== undefined) {
        m.tlsIndex = this.tlsCount++;
        if (pe.tls.indexRva !== 0) new DataView(mapped.buffer).setUint32(pe.tls.indexRva, m.tlsIndex, true);
      }
      this.bindImports(m, mapped);
    } catch (e) {
      this.remove(m);
      this.o.mem.unmapView(base);
      section.close();
      throw e;
    }
    section.write(0, mapped);
    section.close();
    if (kind !== "exe") this.initOrder.push(m);
    return m;
  }

  private remove(m: Module): void {
    const i = this.modules.indexOf(m);
    if (i >= 0) this.modules.splice(i, 1);
    this.byKey.delete(`${m.arch}:${moduleKey(m.name)}`);
  }

  /** The module named `name` for `arch`, loading it if needed; `by` names the importer in messages. */
  private require(name: string, arch: Arch, by: Module | undefined): Module {
    const key = moduleKey(name);
    // API sets (api-ms-win-core-*, ext-ms-*): the schema maps the core sets to kernelbase.
    const target = /^(api|ext)-ms-/.test(key) ? "kernelbase.dll" : key;
    const have = this.byKey.get(`${arch}:${target}`);
    if (have !== undefined) {
      if (have.loadCount >= 0) have.loadCount++;
      return have;
    }
    const sys = this.o.systemDll?.(target, arch);
    if (sys !== undefined) return this.mapSystem(sys);
    const file = this.o.findDll?.(name, arch);
    const who = by === undefined ? "" : ` (imported by ${by.name})`;
    if (file === undefined) {
      throw new LoadError(
        `The code execution cannot proceed because ${name} was not found${who}`,
        STATUS_DLL_NOT_FOUND,
      );
    }
    const pe = parseImage(file.bytes, file.path);
    return this.mapImageFile(file.bytes, pe, file.path, "dll", undefined);
  }

  private bindImports(m: Module, mapped: Uint8Array): void {
    const dv = new DataView(mapped.buffer, mapped.byteOffset, mapped.byteLength);
    for (const imp of m.pe.imports) {
      const dll = this.require(imp.name, m.arch, m);
      for (const e of imp.entries) {
        const addr = this.resolveImport(dll, e, m);
        if (m.pe.bits === 64) {
          dv.setUint32(e.iatRva, addr % TWO32, true);
          dv.setUint32(e.iatRva + 4, Math.floor(addr / TWO32), true);
        } else dv.setUint32(e.iatRva, addr, true);
      }
    }
  }

  private resolveImport(dll: Module, e: ImportEntry, by: Module): number {
    return this.resolve(dll, e.kind === "name" ? e.name : e.ordinal, 0, by);
  }

  /** An export's address, following forwarders (at most 16 hops). */
  private resolve(m: Module, what: string | number, depth: number, by?: Module): number {
    const dir = m.pe.exports;
    const e: Export | undefined =
      dir === undefined
        ? undefined
        : typeof what === "string"
          ? dir.byName.get(what)
          : dir.byOrdinal.get(what);
    if (e === undefined) {
      const who = by === undefined ? "" : ` (imported by ${by.name})`;
      if (typeof what === "number") {
        throw new LoadError(
          `The ordinal ${what} could not be located in the dynamic link library ${m.name}${who}`,
          STATUS_ORDINAL_NOT_FOUND,
        );
      }
      throw new LoadError(
        `The procedure entry point ${what} could not be located in the dynamic link library ${m.name}${who}`,
        STATUS_ENTRYPOINT_NOT_FOUND,
      );
    }
    if (e.forwarder === undefined) return m.base + e.rva;
    if (depth >= 16) {
      throw new LoadError(
        `forwarder chain too long at ${m.name}!${e.forwarder.text}`,
        STATUS_ENTRYPOINT_NOT_FOUND,
      );
    }
    const target = this.require(e.forwarder.module, m.arch, m);
    const next = e.forwarder.name ?? e.forwarder.ordinal;
    if (next === undefined) {
      throw new LoadError(`bad forwarder ${m.name}!${e.forwarder.text}`, STATUS_ENTRYPOINT_NOT_FOUND);
    }
    return this.resolve(target, next, depth + 1, by);
  }
}

/** parsePe with the loader's error: the file name, the field and why. */
export function parseImage(file: Uint8Array, path: string): PeImage {
  try {
    return parsePe(file);
  } catch (e) {
    if (e instanceof PeError) {
      throw new LoadError(
        `${path} is not a valid Windows image: ${e.message}`,
        STATUS_INVALID_IMAGE_FORMAT,
        e,
      );
    }
    throw e;
  }
}
