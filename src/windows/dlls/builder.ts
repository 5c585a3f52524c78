/**
 * Builds the synthetic system DLLs from their declarations: machine code in .text, export table, import
 * table (pre-bound when the target image is in the same build), .pdata for x64, and the trap table the
 * OS layer uses to run TypeScript implementations.
 *
 * Trap convention: a trap-implemented function is
 *   x64:  B8 <id32>  mov eax, id;  0F 01 C1  vmcall;  C3  ret
 *   x86:  B8 <id32>  mov eax, id;  0F 01 C1  vmcall;  C2 <4·argc>  ret 4·argc   (stdcall; cdecl: C3)
 * `vmcall` raises #UD in a guest; when the faulting address is a `TrapEntry.address` of a loaded image,
 * the OS layer runs the implementation named by the entry (arguments per its convention, result in
 * eax/rax) and resumes at the next instruction, the `ret`. A vmcall anywhere else is an ordinary
 * illegal-instruction exception. `id` is the entry's index in its image's trap table (informational:
 * the address is the key).
 */
import { Asm, at } from "./asm";
import {
  BRIDGE_FRAME,
  CALLS_RESULT,
  applies,
  type ApiDecl,
  type Arch,
  type DllName,
  type EmitContext,
  type Prolog,
} from "./decl";
import { declarationsOf } from "./declarations";
import {
  iatLabel,
  writePe,
  type PeExport,
  type PeFunction,
  type PeImage,
  type PeImportDll,
} from "./pe-writer";
import { DEFAULT_BUILD, syscallTable, type WindowsBuild } from "../syscalls";

export type DllKey = `${DllName}/${Arch}`;

export interface SystemDllSpec {
  readonly dll: DllName;
  readonly arch: Arch;
  readonly fileName: string;
  /** Where the image appears to live (module list, GetModuleFileName). */
  readonly path: string;
  readonly defaultBase: number;
}

/**
 * The DLL set and its preferred bases, chosen like a Windows 10 x64 system: the 64-bit system DLLs in
 * the 0x7FFx'xxxx0000 region, the 32-bit ones (SysWOW64) below 0x7FFE0000 (KUSER_SHARED_DATA), and
 * wow64cpu below 4 GB because its KiFastSystemCall is 32-bit code reached by x86 ntdll's
 * `jmp [Wow64Transition]`. Bases are parameters of `buildSystemDlls`.
 */
export const SYSTEM_DLLS: readonly SystemDllSpec[] = [
  {
    dll: "ntdll",
    arch: "x64",
    fileName: "ntdll.dll",
    path: "C:\\Windows\\System32\\ntdll.dll",
    defaultBase: 0x7ffac7d00000,
  },
  {
    dll: "wow64",
    arch: "x64",
    fileName: "wow64.dll",
    path: "C:\\Windows\\System32\\wow64.dll",
    defaultBase: 0x7ffac5e00000,
  },
  {
    dll: "wow64cpu",
    arch: "x64",
    fileName: "wow64cpu.dll",
    path: "C:\\Windows\\System32\\wow64cpu.dll",
    defaultBase: 0x77c50000,
  },
  {
    dll: "wow64win",
    arch: "x64",
    fileName: "wow64win.dll",
    path: "C:\\Windows\\System32\\wow64win.dll",
    defaultBase: 0x7ffac5d00000,
  },
  {
    dll: "kernelbase",
    arch: "x64",
    fileName: "KERNELBASE.dll",
    path: "C:\\Windows\\System32\\KERNELBASE.dll",
    defaultBase: 0x7ffac4f00000,
  },
  {
    dll: "kernel32",
    arch: "x64",
    fileName: "KERNEL32.DLL",
    path: "C:\\Windows\\System32\\KERNEL32.DLL",
    defaultBase: 0x7ffac6a00000,
  },
  {
    dll: "ntdll",
    arch: "x86",
    fileName: "ntdll.dll",
    path: "C:\\Windows\\SysWOW64\\ntdll.dll",
    defaultBase: 0x77a00000,
  },
  {
    dll: "kernelbase",
    arch: "x86",
    fileName: "KERNELBASE.dll",
    path: "C:\\Windows\\SysWOW64\\KERNELBASE.dll",
    defaultBase: 0x75400000,
  },
  {
    dll: "kernel32",
    arch: "x86",
    fileName: "KERNEL32.DLL",
    path: "C:\\Windows\\SysWOW64\\KERNEL32.DLL",
    defaultBase: 0x76600000,
  },
  {
    dll: "advapi32",
    arch: "x64",
    fileName: "ADVAPI32.dll",
    path: "C:\\Windows\\System32\\ADVAPI32.dll",
    defaultBase: 0x7ffac6400000,
  },
  {
    dll: "advapi32",
    arch: "x86",
    fileName: "ADVAPI32.dll",
    path: "C:\\Windows\\SysWOW64\\ADVAPI32.dll",
    defaultBase: 0x75c00000,
  },
  {
    dll: "msvcrt",
    arch: "x64",
    fileName: "msvcrt.dll",
    path: "C:\\Windows\\System32\\msvcrt.dll",
    defaultBase: 0x7ffac6c00000,
  },
  {
    dll: "msvcrt",
    arch: "x86",
    fileName: "msvcrt.dll",
    path: "C:\\Windows\\SysWOW64\\msvcrt.dll",
    defaultBase: 0x75e00000,
  },
  {
    dll: "shell32",
    arch: "x64",
    fileName: "SHELL32.dll",
    path: "C:\\Windows\\System32\\SHELL32.dll",
    defaultBase: 0x7ffac6600000,
  },
  {
    dll: "shell32",
    arch: "x86",
    fileName: "SHELL32.dll",
    path: "C:\\Windows\\SysWOW64\\SHELL32.dll",
    defaultBase: 0x76200000,
  },
  {
    dll: "user32",
    arch: "x64",
    fileName: "USER32.dll",
    path: "C:\\Windows\\System32\\USER32.dll",
    defaultBase: 0x7ffac6800000,
  },
  {
    dll: "user32",
    arch: "x86",
    fileName: "USER32.dll",
    path: "C:\\Windows\\SysWOW64\\USER32.dll",
    defaultBase: 0x76400000,
  },
];

export interface TrapEntry {
  /** Index in the image's trap table, the value loaded into eax. */
  readonly id: number;
  /** Absolute address of the `vmcall` instruction. */
  readonly address: number;
  /** Absolute address of the function (the `mov eax, id`). */
  readonly entry: number;
  readonly dll: DllName;
  readonly arch: Arch;
  /** The API (or internal function) the trap implements. */
  readonly name: string;
  /**
   * `api`: the whole function; `bridge-pre` / `bridge-post`: the two halves around the Nt call of a
   * bridge (see BRIDGE_FRAME); `calls-start` / `calls-next`: the trap of a `calls` API, first and after
   * each call it handed out (see CALLS_RESULT); `unknown-argc`: an x86 Nt stub whose stack size is not
   * established, which must stop execution with `message`.
   */
  readonly role: "api" | "bridge-pre" | "bridge-post" | "calls-start" | "calls-next" | "unknown-argc";
  /** Arguments of the trap function itself (bridge-pre 2, bridge-post 3). */
  readonly argc: number;
  readonly conv: "stdcall" | "cdecl" | "win64";
  /** The API's own parameter count (bridges). */
  readonly apiArgc?: number;
  /** Bridges: the Nt function called between pre and post. */
  readonly nt?: string;
  readonly message?: string;
}

export interface SymbolEntry {
  readonly name: string;
  readonly address: number;
  readonly size: number;
  readonly exported: boolean;
}

export interface ListingEntry {
  readonly address: number;
  readonly length: number;
  readonly text: string;
  readonly bits: 32 | 64;
}

export type ExportTarget = { readonly address: number } | { readonly forwarder: string };

export interface SystemDll {
  readonly dll: DllName;
  readonly arch: Arch;
  readonly fileName: string;
  readonly path: string;
  readonly base: number;
  /** SizeOfImage. */
  readonly size: number;
  readonly image: PeImage;
  readonly exports: ReadonlyMap<string, ExportTarget>;
  readonly traps: readonly TrapEntry[];
  readonly symbols: readonly SymbolEntry[];
  readonly declarations: readonly ApiDecl[];
  /** Pointer slots a loader may patch (x86 ntdll!Wow64Transition), by name → absolute address. */
  readonly slots: ReadonlyMap<string, number>;
  /** Every emitted instruction with its disassembly. */
  readonly listing: readonly ListingEntry[];
}

export interface BuildOptions {
  readonly build?: WindowsBuild;
  /** Override preferred bases. */
  readonly bases?: Partial<Record<DllKey, number>>;
  /** Build only these (imports of DLLs outside the set stay unbound, Wow64Transition 0). */
  readonly only?: readonly DllKey[];
}

/**
 * The synthetic system DLLs of one Windows build. Each image is built on first use (`get`), in dependency
 * order: building one first builds the images before it in SYSTEM_DLLS whose exports it binds, so every
 * image is the same bytes whichever is asked for first. A process pays only for the DLLs it maps.
 */
export interface SystemDllSet {
  readonly build: WindowsBuild;
  /** The DLLs of the set (built or not), in SYSTEM_DLLS order. */
  readonly specs: readonly SystemDllSpec[];
  /** Every image of the set, building those not built yet. */
  readonly dlls: readonly SystemDll[];
  /** The image (built now if need be), or undefined when the set has no such DLL. */
  get(dll: DllName, arch: Arch): SystemDll | undefined;
  /** The images built so far, in SYSTEM_DLLS order (a DLL mapped in a process has been built). */
  built(): readonly SystemDll[];
  /** The trap entry whose `vmcall` is at `address`, if any (only built images can have been mapped). */
  trapAt(address: number): TrapEntry | undefined;
}

export function dllKey(dll: DllName, arch: Arch): DllKey {
  return `${dll}/${arch}`;
}

/** Declarations of one image: ntdll's syscall stubs (from the syscall table) first, in service order. */
export function declarationsFor(dll: DllName, arch: Arch, build: WindowsBuild = DEFAULT_BUILD): ApiDecl[] {
  const out: ApiDecl[] = [];
  if (dll === "ntdll") {
    for (const s of syscallTable(build).all()) {
      out.push({
        dll,
        arch: "both",
        name: s.name,
        argc: s.params,
        conv: "stdcall",
        impl: { kind: "syscall" },
        aliases: ["Zw" + s.name.slice(2)],
      });
    }
  }
  for (const d of declarationsOf(dll)) if (applies(d, arch)) out.push(d);
  return out;
}

interface PendingTrap {
  readonly label: string;
  readonly entryLabel: string;
  readonly entry: Omit<TrapEntry, "address" | "entry" | "id" | "dll" | "arch">;
}

class ImageBuild {
  readonly text: Asm;
  readonly data: Asm;
  private readonly imports = new Map<string, Set<string>>();
  readonly traps: PendingTrap[] = [];
  readonly functions: PeFunction[] = [];
  readonly symbols: { name: string; label: string; size: number; exported: boolean }[] = [];
  readonly exports: PeExport[] = [];
  readonly slots: string[] = [];

  constructor(
    readonly spec: SystemDllSpec,
    readonly base: number,
    readonly build: WindowsBuild,
    readonly lookup: (dll: DllName, arch: Arch, name: string) => number | undefined,
  ) {
    const bits = spec.arch === "x64" ? 64 : 32;
    this.text = new Asm(bits);
    this.data = new Asm(bits);
  }

  get arch(): Arch {
    return this.spec.arch;
  }

  imp(dll: DllName, name: string): string {
    const file = SYSTEM_DLLS.find((s) => s.dll === dll && s.arch === this.arch)?.fileName ?? `${dll}.dll`;
    let set = this.imports.get(file);
    if (!set) {
      set = new Set();
      this.imports.set(file, set);
    }
    set.add(name);
    return iatLabel(file, name);
  }

  importList(): PeImportDll[] {
    return [...this.imports].map(([dll, names]) => ({ dll, names: [...names] }));
  }

  ctx(): EmitContext {
    return {
      arch: this.arch,
      imp: (dll, name) => this.imp(dll, name),
      addressOf: (dll, arch, name) => this.lookup(dll, arch, name),
    };
  }

  /** `mov eax, id; vmcall; ret [n]`. */
  trap(
    label: string,
    name: string,
    role: TrapEntry["role"],
    argc: number,
    conv: ApiDecl["conv"],
    extra: Partial<Pick<TrapEntry, "apiArgc" | "nt" | "message">> = {},
  ): void {
    const a = this.text;
    const id = this.traps.length;
    const vm = `$trap.${label}`;
    a.movImm("eax", id);
    a.label(vm);
    a.vmcall();
    const stdcall = this.arch === "x86" && conv === "stdcall";
    a.ret(stdcall ? 4 * argc : 0);
    this.traps.push({
      label: vm,
      entryLabel: label,
      entry: { name, role, argc, conv: this.arch === "x64" ? "win64" : conv, ...extra },
    });
  }

  /** Starts a function at a 16-byte boundary; returns its start offset. */
  begin(label: string): number {
    this.text.align(16);
    this.text.label(label);
    return this.text.pos;
  }

  /**
   * Whether the text from `start` on holds 32-bit code (such a function gets no RUNTIME_FUNCTION). The
   * listing is in emission order (offsets never decrease): only its tail is read, not the whole image's.
   */
  private has32BitCodeFrom(start: number): boolean {
    const listing = this.text.listing;
    for (let i = listing.length - 1; i >= 0 && listing[i]!.offset >= start; i--) {
      if (listing[i]!.bits === 32) return true;
    }
    return false;
  }

  end(label: string, name: string, start: number, exported: boolean, prolog?: Prolog | void): void {
    const size = this.text.pos - start;
    this.symbols.push({ name, label, size, exported });
    if (this.arch === "x64" && !this.has32BitCodeFrom(start)) {
      this.functions.push({ label, size, prologSize: prolog?.size ?? 0, unwind: prolog?.unwind ?? [] });
    }
  }

  add(d: ApiDecl): void {
    const exported = d.exported !== false;
    const names = [d.name, ...(d.aliases ?? [])];
    const impl = d.impl;
    if (impl.kind === "forward") {
      if (exported) for (const n of names) this.exports.push({ name: n, target: { forwarder: impl.to } });
      return;
    }
    if (impl.kind === "data") {
      this.data.align(this.arch === "x64" ? 8 : 4, 0);
      this.data.label(d.name);
      const v = impl.init?.(this.ctx()) ?? 0;
      const bytes: number[] = [];
      let rest = v;
      for (let i = 0; i < impl.size; i++) {
        bytes.push(rest % 256);
        rest = Math.floor(rest / 256);
      }
      this.data.raw(bytes, "");
      this.slots.push(d.name);
      if (exported) for (const n of names) this.exports.push({ name: n, target: { label: d.name } });
      return;
    }
    const label = d.name;
    const start = this.begin(label);
    const a = this.text;
    let prolog: Prolog | void = undefined;
    switch (impl.kind) {
      case "syscall":
        this.syscallStub(d);
        break;
      case "trap":
        this.trap(label, d.name, "api", d.argc, d.conv);
        break;
      case "thunk":
        a.jmpMem(at(this.imp(impl.dll, impl.name ?? d.name)));
        break;
      case "bridge":
        prolog = this.bridge(d, impl.nt);
        break;
      case "calls":
        prolog = this.calls(d);
        break;
      case "code":
        prolog = impl.emit(a, this.ctx());
        break;
    }
    if (prolog !== BRIDGE_DONE) this.end(label, d.name, start, exported, prolog);
    if (exported) for (const n of names) this.exports.push({ name: n, target: { label } });
  }

  private syscallStub(d: ApiDecl): void {
    const a = this.text;
    const info = syscallTable(this.build).byName(d.name);
    if (!info) throw new Error(`${d.name} is not a system service of ${this.build}`);
    if (this.arch === "x64") {
      a.mov("r10", "rcx");
      a.movImm("eax", info.number);
      a.syscall();
      a.ret();
      return;
    }
    if (info.x86ArgDwords === null) {
      this.trap(d.name, d.name, "unknown-argc", 0, "stdcall", {
        message: `unknown argument count for ${d.name}`,
      });
      return;
    }
    a.movImm("eax", info.number);
    a.movOffset("edx", "Wow64SystemServiceCall");
    a.callReg("edx");
    a.ret(4 * info.x86ArgDwords);
  }

  /** A `calls` API (emitCalls) and its two trap functions. */
  private calls(d: ApiDecl): Prolog | void {
    const start = this.text.pos;
    const prolog = emitCalls(this, d);
    this.end(d.name, d.name, start, d.exported !== false, prolog);
    for (const [label, role, argc] of [
      [`${d.name}$start`, "calls-start", 2],
      [`${d.name}$next`, "calls-next", 3],
    ] as const) {
      const s = this.begin(label);
      this.trap(label, d.name, role, argc, "stdcall", { apiArgc: d.argc });
      this.end(label, label, s, false);
    }
    return BRIDGE_DONE;
  }

  /** An API that calls ntdll!nt between two TypeScript halves (BRIDGE_FRAME). */
  private bridge(d: ApiDecl, nt: string): Prolog | void {
    const a = this.text;
    const pre = `${d.name}$pre`;
    const post = `${d.name}$post`;
    const ntSlot = at(this.imp("ntdll", nt));
    const start = a.pos;
    let prolog: Prolog | void = undefined;
    if (this.arch === "x64") {
      const f = BRIDGE_FRAME.x64.frameSize;
      prolog = homeAndAllocate64(a, f, start);
      a.mov("rcx", "rsp");
      a.lea("rdx", { kind: "mem", base: "rsp", disp: f + 8 });
      a.call(pre);
      a.mov("rcx", { kind: "mem", base: "rsp", disp: 0 });
      a.mov("rdx", { kind: "mem", base: "rsp", disp: 8 });
      a.mov("r8", { kind: "mem", base: "rsp", disp: 0x10 });
      a.mov("r9", { kind: "mem", base: "rsp", disp: 0x18 });
      a.callMem(ntSlot);
      a.mov("ecx", "eax");
      a.mov("rdx", "rsp");
      a.lea("r8", { kind: "mem", base: "rsp", disp: f + 8 });
      a.call(post);
      a.add("rsp", f);
      a.ret();
    } else {
      const f = BRIDGE_FRAME.x86.frameSize;
      a.push("ebp");
      a.mov("ebp", "esp");
      a.sub("esp", f);
      a.lea("eax", { kind: "mem", base: "ebp", disp: 8 });
      a.push("eax");
      a.lea("eax", { kind: "mem", base: "ebp", disp: -f });
      a.push("eax");
      a.call(pre);
      a.callMem(ntSlot); // the stdcall Nt stub pops its arguments
      a.lea("esp", { kind: "mem", base: "ebp", disp: -f });
      a.lea("ecx", { kind: "mem", base: "ebp", disp: 8 });
      a.push("ecx");
      a.lea("ecx", { kind: "mem", base: "ebp", disp: -f });
      a.push("ecx");
      a.push("eax");
      a.call(post);
      a.mov("esp", "ebp");
      a.pop("ebp");
      a.ret(d.conv === "stdcall" ? 4 * d.argc : 0);
    }
    // the two trap halves, as internal functions right after the API
    this.end(d.name, d.name, start, d.exported !== false, prolog);
    for (const [label, role, argc] of [
      [pre, "bridge-pre", 2],
      [post, "bridge-post", 3],
    ] as const) {
      const s = this.begin(label);
      this.trap(label, d.name, role, argc, "stdcall", { apiArgc: d.argc, nt });
      this.end(label, label, s, false);
    }
    return BRIDGE_DONE;
  }
}

/**
 * A `calls` API (CALLS_RESULT): `$start` hands out the first function to call (or 0), the code calls it
 * with the arguments in the frame, `$next` gets its result and hands out the next one; at 0 the API
 * returns the result the TypeScript half left in the frame.
 */
/**
 * The x64 prolog of a bridge or `calls` export: the four register arguments to their home slots, then a
 * frame of `f` bytes; its unwind data (the code started at `start`).
 */
function homeAndAllocate64(a: Asm, f: number, start: number): Prolog {
  a.mov({ kind: "mem", base: "rsp", disp: 8 }, "rcx");
  a.mov({ kind: "mem", base: "rsp", disp: 0x10 }, "rdx");
  a.mov({ kind: "mem", base: "rsp", disp: 0x18 }, "r8");
  a.mov({ kind: "mem", base: "rsp", disp: 0x20 }, "r9");
  a.sub("rsp", f);
  const size = a.pos - start;
  return { size, unwind: [{ at: size, op: "alloc", size: f }] };
}

function emitCalls(b: ImageBuild, d: ApiDecl): Prolog {
  const a = b.text;
  const start = `${d.name}$start`;
  const next = `${d.name}$next`;
  const loop = `${d.name}$loop`;
  const done = `${d.name}$done`;
  const call = `${d.name}$call`;
  const begin = a.pos;
  let prolog: Prolog = { size: 0, unwind: [] };
  if (b.arch === "x64") {
    const f = BRIDGE_FRAME.x64.frameSize;
    prolog = homeAndAllocate64(a, f, begin);
    a.mov("rcx", "rsp");
    a.lea("rdx", { kind: "mem", base: "rsp", disp: f + 8 });
    a.call(start);
    a.label(loop);
    a.raw([0x48, 0x85, 0xc0], "test rax, rax");
    a.raw([0x75, 0x05], `jne short ${call}`);
    a.jmp(done);
    a.label(call);
    a.mov("rcx", { kind: "mem", base: "rsp", disp: 0 });
    a.mov("rdx", { kind: "mem", base: "rsp", disp: 8 });
    a.mov("r8", { kind: "mem", base: "rsp", disp: 0x10 });
    a.mov("r9", { kind: "mem", base: "rsp", disp: 0x18 });
    a.callReg("rax");
    a.mov("r8", "rax");
    a.mov("rcx", "rsp");
    a.lea("rdx", { kind: "mem", base: "rsp", disp: f + 8 });
    a.call(next);
    a.jmp(loop);
    a.label(done);
    a.mov("rax", { kind: "mem", base: "rsp", disp: CALLS_RESULT.x64 });
    a.add("rsp", f);
    a.ret();
  } else {
    const f = BRIDGE_FRAME.x86.frameSize;
    a.push("ebp");
    a.mov("ebp", "esp");
    a.sub("esp", f);
    a.lea("eax", { kind: "mem", base: "ebp", disp: 8 });
    a.push("eax");
    a.lea("eax", { kind: "mem", base: "ebp", disp: -f });
    a.push("eax");
    a.call(start);
    a.label(loop);
    a.raw([0x85, 0xc0], "test eax, eax");
    a.raw([0x75, 0x05], `jne short ${call}`);
    a.jmp(done);
    a.label(call);
    a.lea("esp", { kind: "mem", base: "ebp", disp: -f });
    a.callReg("eax"); // a stdcall callee pops its arguments, a cdecl one does not: ESP is reset
    a.lea("esp", { kind: "mem", base: "ebp", disp: -f });
    a.push("eax");
    a.lea("ecx", { kind: "mem", base: "ebp", disp: 8 });
    a.push("ecx");
    a.lea("ecx", { kind: "mem", base: "ebp", disp: -f });
    a.push("ecx");
    a.call(next);
    a.jmp(loop);
    a.label(done);
    a.mov("eax", { kind: "mem", base: "ebp", disp: -f + CALLS_RESULT.x86 });
    a.mov("edx", { kind: "mem", base: "ebp", disp: -f + CALLS_RESULT.x86 + 4 });
    a.mov("esp", "ebp");
    a.pop("ebp");
    a.ret(d.conv === "stdcall" ? 4 * d.argc : 0);
  }
  return prolog;
}

/** Marker: the bridge closed its own function records. */
const BRIDGE_DONE: Prolog = { size: -1, unwind: [] };

function finish(b: ImageBuild, decls: readonly ApiDecl[]): SystemDll {
  const image = writePe({
    machine: b.arch,
    imageBase: b.base,
    dllName: b.spec.fileName,
    text: b.text,
    data: b.data.pos > 0 ? b.data : undefined,
    exports: b.exports,
    imports: b.importList(),
    functions: b.functions,
    bindImport: (file, name) => {
      const spec = SYSTEM_DLLS.find((s) => s.arch === b.arch && s.fileName === file);
      return spec ? b.lookup(spec.dll, spec.arch, name) : undefined;
    },
  });
  const abs = (label: string) => b.base + image.rva(label);
  const exports = new Map<string, ExportTarget>();
  for (const e of b.exports) {
    exports.set(
      e.name,
      "forwarder" in e.target ? { forwarder: e.target.forwarder } : { address: abs(e.target.label) },
    );
  }
  const traps: TrapEntry[] = b.traps.map((t, id) => ({
    id,
    address: abs(t.label),
    entry: abs(t.entryLabel),
    dll: b.spec.dll,
    arch: b.arch,
    ...t.entry,
  }));
  const textRva = image.sections[0]!.rva;
  return {
    dll: b.spec.dll,
    arch: b.arch,
    fileName: b.spec.fileName,
    path: b.spec.path,
    base: b.base,
    size: image.sizeOfImage,
    image,
    exports,
    traps,
    symbols: b.symbols.map((s) => ({
      name: s.name,
      address: abs(s.label),
      size: s.size,
      exported: s.exported,
    })),
    declarations: decls,
    slots: new Map(b.slots.map((n) => [n, abs(n)])),
    listing: b.text.listing.map((l) => ({
      address: b.base + textRva + l.offset,
      length: l.length,
      text: l.text,
      bits: l.bits,
    })),
  };
}

/**
 * Builds one image. `lookup` gives other images' export addresses (for pre-bound imports and
 * Wow64Transition); without it imports stay unbound.
 */
export function buildDll(
  dll: DllName,
  arch: Arch,
  opts: {
    build?: WindowsBuild;
    base?: number;
    lookup?: (dll: DllName, arch: Arch, name: string) => number | undefined;
  } = {},
): SystemDll {
  const spec = SYSTEM_DLLS.find((s) => s.dll === dll && s.arch === arch);
  if (!spec) throw new Error(`no ${arch} ${dll}`);
  const build = opts.build ?? DEFAULT_BUILD;
  const b = new ImageBuild(spec, opts.base ?? spec.defaultBase, build, opts.lookup ?? (() => undefined));
  const decls = declarationsFor(dll, arch, build);
  for (const d of decls) b.add(d);
  return finish(b, decls);
}

/**
 * The whole set (or `only` some), each image built when first asked for (see SystemDllSet). Imports are
 * pre-bound to the images before the importer in SYSTEM_DLLS order (built then if need be), exactly as
 * when the set is built in order: an image's bytes do not depend on which images were asked for before.
 */
export function buildSystemDlls(opts: BuildOptions = {}): SystemDllSet {
  const build = opts.build ?? DEFAULT_BUILD;
  const specs = SYSTEM_DLLS.filter(
    (s) => opts.only === undefined || opts.only.includes(dllKey(s.dll, s.arch)),
  );
  const order = new Map<DllKey, number>(specs.map((s, i) => [dllKey(s.dll, s.arch), i]));
  const images: (SystemDll | undefined)[] = specs.map(() => undefined);
  const trapIndex = new Map<number, TrapEntry>();
  const make = (i: number): SystemDll => {
    const done = images[i];
    if (done !== undefined) return done;
    const spec = specs[i]!;
    // Only the images before this one: the same bindings as a build of the whole set in order.
    const lookup = (dll: DllName, arch: Arch, name: string): number | undefined => {
      const j = order.get(dllKey(dll, arch));
      if (j === undefined || j >= i) return undefined;
      const t = make(j).exports.get(name);
      return t && "address" in t ? t.address : undefined;
    };
    const d = buildDll(spec.dll, spec.arch, {
      build,
      base: opts.bases?.[dllKey(spec.dll, spec.arch)],
      lookup,
    });
    images[i] = d;
    for (const t of d.traps) trapIndex.set(t.address, t);
    return d;
  };
  return {
    build,
    specs,
    get dlls() {
      return specs.map((_, i) => make(i));
    },
    get: (dll, arch) => {
      const i = order.get(dllKey(dll, arch));
      return i === undefined ? undefined : make(i);
    },
    built: () => images.filter((d): d is SystemDll => d !== undefined),
    trapAt: (address) => trapIndex.get(address),
  };
}
