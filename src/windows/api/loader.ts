/**
 * Module APIs: GetModuleHandleA/W, GetModuleFileNameA/W, GetProcAddress, LoadLibraryA/W/ExA/ExW,
 * FreeLibrary, and ntdll's LdrGetDllHandle, LdrLoadDll, LdrGetProcedureAddress.
 *
 * Modules are found as the loader finds them: by walking PEB.Ldr's InLoadOrderModuleList (the PEB32's for
 * 32-bit code). While the PEB has no loader data, the program image and the process's system DLLs of the
 * caller's architecture that are mapped at their bases stand in. Exports are resolved from the export
 * directory in guest memory (binary search over the sorted names, ordinals, forwarders), so any mapped
 * image works, not only the synthetic DLLs.
 */
import { MEM_COMMIT, MEM_IMAGE } from "../memory/constants";
import {
  STATUS_DLL_NOT_FOUND,
  STATUS_INVALID_PARAMETER,
  STATUS_ORDINAL_NOT_FOUND,
  STATUS_PROCEDURE_NOT_FOUND,
  STATUS_SUCCESS,
} from "../kernel/status";
import { api, FALSE, TRUE, type ApiCall, type ApiFamily } from "./context";
import { ERROR_INSUFFICIENT_BUFFER, ERROR_MOD_NOT_FOUND } from "./errors";
import { setLastNtError, toAnsi, toUtf16 } from "./state";

export interface ModuleInfo {
  readonly base: number;
  readonly size: number;
  readonly fullName: string;
  readonly baseName: string;
}

const MAX_MODULES = 4096;

function baseNameOf(path: string): string {
  const k = Math.max(path.lastIndexOf("\\"), path.lastIndexOf("/"));
  return path.slice(k + 1);
}

function imageBase(c: ApiCall): number {
  return c.peb !== 0 ? c.readPtr(c.peb + c.layout.peb.ImageBaseAddress) : c.process.imageBase;
}

function mappedImage(c: ApiCall, base: number): boolean {
  const q = c.process.mem.query(base);
  return q.info !== undefined && q.info.state === MEM_COMMIT && q.info.type === MEM_IMAGE;
}

/** The loaded modules of the caller's architecture, in load order. */
export function modules(c: ApiCall): ModuleInfo[] {
  const out: ModuleInfo[] = [];
  const ldr = c.peb !== 0 ? c.readPtr(c.peb + c.layout.peb.Ldr) : 0;
  if (ldr !== 0) {
    const L = c.layout;
    const head = ldr + L.ldr.InLoadOrderModuleList;
    for (let e = c.readPtr(head), n = 0; e !== head && e !== 0 && n < MAX_MODULES; e = c.readPtr(e), n++) {
      const fullName = c.mem.countedString(e + L.entry.FullDllName, c.ptrSize);
      const baseName = c.mem.countedString(e + L.entry.BaseDllName, c.ptrSize);
      out.push({
        base: c.readPtr(e + L.entry.DllBase),
        size: c.mem.u32(e + L.entry.SizeOfImage),
        fullName,
        baseName: baseName || baseNameOf(fullName),
      });
    }
    return out;
  }
  const programArch = c.process.wow64 ? "x86" : "x64";
  if (programArch === c.arch && c.process.imageBase !== 0) {
    out.push({
      base: imageBase(c),
      size: 0,
      fullName: c.process.imagePath,
      baseName: baseNameOf(c.process.imagePath),
    });
  }
  // Only built images can be mapped: no need to build the others to look.
  for (const d of c.process.dlls.built()) {
    if (d.arch === c.arch && mappedImage(c, d.base)) {
      out.push({ base: d.base, size: d.size, fullName: d.path, baseName: d.fileName });
    }
  }
  return out;
}

/** A module name as LoadLibrary/GetModuleHandle compare it: ".dll" when there is no extension, a trailing "." meaning none. */
function normalize(name: string): string {
  let n = name.toLowerCase().replace(/\//g, "\\");
  const base = baseNameOf(n);
  if (base.endsWith(".")) n = n.slice(0, -1);
  else if (!base.includes(".")) n += ".dll";
  return n;
}

export function findModule(c: ApiCall, name: string): ModuleInfo | undefined {
  const n = normalize(name);
  const list = modules(c);
  if (n.includes("\\")) {
    // 32-bit code asking for System32 gets SysWOW64 (file system redirection).
    const alt = c.arch === "x86" ? n.replace("\\system32\\", "\\syswow64\\") : n;
    const m = list.find((e) => {
      const f = e.fullName.toLowerCase();
      return f === n || f === alt;
    });
    if (m) return m;
    return undefined;
  }
  const hit = list.find((e) => e.baseName.toLowerCase() === n);
  if (hit) return hit;
  // A system DLL mapped at its base but not (yet) in the loader's list.
  const d = c.process.dlls.built().find((x) => x.arch === c.arch && x.fileName.toLowerCase() === n);
  if (d && mappedImage(c, d.base))
    return { base: d.base, size: d.size, fullName: d.path, baseName: d.fileName };
  return undefined;
}

/** LdrLoadDll: a loaded module, or one the process maps now; the base or undefined. */
export function loadModule(c: ApiCall, name: string): number | undefined {
  const m = findModule(c, name);
  if (m) return m.base;
  return c.process.loadLibrary?.(name, c.arch);
}

type Resolved = { address: number } | { status: number };

/** The export `what` (a name or an ordinal) of the image at `base`, following forwarders. */
export function resolveExport(c: ApiCall, base: number, what: string | number, depth = 0): Resolved {
  const m = c.mem;
  const notFound = (): Resolved => ({
    status: typeof what === "number" ? STATUS_ORDINAL_NOT_FOUND : STATUS_PROCEDURE_NOT_FOUND,
  });
  if (base === 0 || m.u16(base) !== 0x5a4d) return { status: STATUS_DLL_NOT_FOUND };
  const nt = base + m.u32(base + 0x3c);
  if (m.u32(nt) !== 0x4550) return { status: STATUS_DLL_NOT_FOUND };
  const opt = nt + 0x18;
  const dir = opt + (m.u16(opt) === 0x20b ? 0x70 : 0x60);
  const expRva = m.u32(dir);
  const expSize = m.u32(dir + 4);
  if (expRva === 0) return notFound();
  const exp = base + expRva;
  const ordinalBase = m.u32(exp + 0x10);
  const nFunctions = m.u32(exp + 0x14);
  const nNames = m.u32(exp + 0x18);
  const functions = base + m.u32(exp + 0x1c);
  const names = base + m.u32(exp + 0x20);
  const ordinals = base + m.u32(exp + 0x24);
  let index: number;
  if (typeof what === "number") {
    index = what - ordinalBase;
    if (index < 0 || index >= nFunctions) return notFound();
  } else {
    // The names are sorted (PE/COFF, Export Name Pointer Table): the loader searches them in halves.
    let lo = 0;
    let hi = nNames - 1;
    index = -1;
    while (lo <= hi) {
      const mid = (lo + hi) >> 1;
      const s = m.cString(base + m.u32(names + 4 * mid), 4096);
      if (s === what) {
        index = m.u16(ordinals + 2 * mid);
        break;
      }
      if (s < what) lo = mid + 1;
      else hi = mid - 1;
    }
    if (index < 0) return notFound();
  }
  const rva = m.u32(functions + 4 * index);
  if (rva === 0) return notFound();
  if (rva >= expRva && rva < expRva + expSize) {
    // A forwarder "DLL.Name" or "DLL.#ordinal".
    const fwd = m.cString(base + rva, 1024);
    const dot = fwd.lastIndexOf(".");
    if (dot <= 0 || depth > 8) return { status: STATUS_PROCEDURE_NOT_FOUND };
    const target = loadModule(c, fwd.slice(0, dot));
    if (target === undefined) return { status: STATUS_DLL_NOT_FOUND };
    const sym = fwd.slice(dot + 1);
    return resolveExport(c, target, sym.startsWith("#") ? Number(sym.slice(1)) : sym, depth + 1);
  }
  return { address: base + rva };
}

/** GetModuleHandle/LoadLibrary: a module base, or 0 with ERROR_MOD_NOT_FOUND. */
function moduleResult(c: ApiCall, base: number | undefined): number {
  if (base !== undefined) return base;
  c.setLastError(ERROR_MOD_NOT_FOUND);
  return 0;
}

function getModuleHandle(c: ApiCall, name: string | undefined): number {
  if (name === undefined) return imageBase(c);
  return moduleResult(c, findModule(c, name)?.base);
}

function moduleFileName(c: ApiCall, wide: boolean): number {
  const h = c.arg(0);
  const base = h === 0 ? imageBase(c) : h;
  const mod = modules(c).find((e) => e.base === base);
  const path = mod?.fullName ?? (base === c.process.imageBase ? c.process.imagePath : undefined);
  if (path === undefined) {
    c.setLastError(ERROR_MOD_NOT_FOUND);
    return 0;
  }
  const buf = c.arg(1);
  const size = c.u32(2);
  // "If the buffer is too small … the string is truncated to nSize characters including the terminating
  // null character, the function returns nSize, and … ERROR_INSUFFICIENT_BUFFER" (GetModuleFileNameW).
  const fits = path.length < size;
  const text = fits ? path : path.slice(0, Math.max(0, size - 1));
  if (size > 0) c.mem.write(buf, wide ? toUtf16(text + "\0") : toAnsi(text + "\0"));
  if (fits) return path.length;
  c.setLastError(ERROR_INSUFFICIENT_BUFFER);
  return size;
}

function loadLibrary(c: ApiCall, name: string): number {
  return moduleResult(c, loadModule(c, name));
}

/** LoadLibraryEx: hFile is reserved and must be NULL. */
function loadLibraryEx(c: ApiCall, name: string): number {
  if (c.arg(1) !== 0) {
    setLastNtError(c, STATUS_INVALID_PARAMETER);
    return 0;
  }
  return loadLibrary(c, name);
}

export const loaderApis: ApiFamily = {
  /** HMODULE GetModuleHandleA(LPCSTR lpModuleName). */
  GetModuleHandleA: api((c) => getModuleHandle(c, c.arg(0) !== 0 ? c.mem.cString(c.arg(0)) : undefined)),
  /** HMODULE GetModuleHandleW(LPCWSTR lpModuleName). */
  GetModuleHandleW: api((c) => getModuleHandle(c, c.arg(0) !== 0 ? c.mem.wString(c.arg(0)) : undefined)),
  /** DWORD GetModuleFileNameA(HMODULE, LPSTR, DWORD). */
  GetModuleFileNameA: api((c) => moduleFileName(c, false)),
  /** DWORD GetModuleFileNameW(HMODULE, LPWSTR, DWORD). */
  GetModuleFileNameW: api((c) => moduleFileName(c, true)),

  /** FARPROC GetProcAddress(HMODULE hModule, LPCSTR lpProcName): an ordinal when the high word is zero. */
  GetProcAddress: api((c) => {
    const h = c.arg(0);
    const p = c.arg(1);
    const r = resolveExport(c, h === 0 ? imageBase(c) : h, p < 0x10000 ? p : c.mem.cString(p));
    if ("address" in r) return r.address;
    setLastNtError(c, r.status);
    return 0;
  }),

  LoadLibraryA: api((c) => loadLibrary(c, c.mem.cString(c.arg(0)))),
  LoadLibraryW: api((c) => loadLibrary(c, c.mem.wString(c.arg(0)))),
  LoadLibraryExA: api((c) => loadLibraryEx(c, c.mem.cString(c.arg(0)))),
  LoadLibraryExW: api((c) => loadLibraryEx(c, c.mem.wString(c.arg(0)))),

  /** BOOL FreeLibrary(HMODULE): modules stay loaded (no reference counts yet); a non-module fails. */
  FreeLibrary: api((c) => {
    if (modules(c).some((e) => e.base === c.arg(0))) return TRUE;
    c.setLastError(ERROR_MOD_NOT_FOUND);
    return FALSE;
  }),

  /** NTSTATUS LdrGetDllHandle(PWSTR DllPath, PULONG DllCharacteristics, PUNICODE_STRING DllName, PVOID *DllHandle). */
  LdrGetDllHandle: api((c) => {
    const m = findModule(c, c.mem.countedString(c.arg(2), c.ptrSize));
    if (!m) return STATUS_DLL_NOT_FOUND;
    c.writePtr(c.arg(3), m.base);
    return STATUS_SUCCESS;
  }),

  /** NTSTATUS LdrLoadDll(PWSTR DllPath, PULONG DllCharacteristics, PUNICODE_STRING DllName, PVOID *DllHandle). */
  LdrLoadDll: api((c) => {
    const base = loadModule(c, c.mem.countedString(c.arg(2), c.ptrSize));
    if (base === undefined) return STATUS_DLL_NOT_FOUND;
    c.writePtr(c.arg(3), base);
    return STATUS_SUCCESS;
  }),

  /**
   * NTSTATUS LdrGetProcedureAddress(PVOID DllHandle, PANSI_STRING ProcedureName, ULONG ProcedureNumber,
   * PVOID *ProcedureAddress): by name, or by ordinal when ProcedureName is NULL.
   */
  LdrGetProcedureAddress: api((c) => {
    const name = c.arg(1);
    const r = resolveExport(c, c.arg(0), name !== 0 ? c.mem.countedString(name, c.ptrSize, false) : c.u32(2));
    if (!("address" in r)) return r.status;
    c.writePtr(c.arg(3), r.address);
    return STATUS_SUCCESS;
  }),
};
