/**
 * The register scopes of a thread, "x86 registers" and "x64 registers", as a tree of nodes the runtime
 * turns into DAP variables (this module knows nothing of DAP).
 *
 * - A native 64-bit thread (or any thread in 64-bit mode without WOW64): "x64 registers" from the CPU.
 * - A WOW64 thread in 64-bit mode: "x64 registers" live from the CPU, and "x86 registers" as wow64cpu saved
 *   them in WOW64_CONTEXT (TEB64.TlsSlots[1] + 4, WOW64_CPURESERVED.Context), read from and written back to
 *   guest memory — CpupRunSimulatedCode reloads them from there when the thread returns to 32-bit code.
 * - A WOW64 thread in 32-bit mode: "x86 registers" live, and "x64 registers" as the CPU's full 64-bit
 *   register file (what 64-bit code reached by a far jump to CS 0x33 sees: R8–R15 and the upper halves
 *   survive compatibility mode), with the 64-bit stack pointer wow64cpu keeps in TEB64.TlsSlots[0].
 *
 * Values are hex (16 digits for 64-bit registers, 8 for 32-bit ones). EFLAGS/RFLAGS have one child per bit
 * (CF PF AF ZF SF TF IF DF OF IOPL NT RF VM AC VIF VIP ID); FS and GS show their bases; XMM registers
 * have u32/u64/f32/f64 lane groups, built only when expanded; the x87 group has ST0–ST7 and the control,
 * status and tag words. Every editable node has `set(text)`: it parses, validates, writes back (to the CPU
 * or to the WOW64_CONTEXT in memory) and returns the node re-read; bad input throws a RegisterEditError
 * whose message says what is wrong. Integers are hex by default, as in WinDbg (`1F`, `0x1F`, `1Fh`), `0n31`
 * is decimal, `0b11111` binary, a leading `-` gives the two's complement; a trailing annotation such as the
 * `[ZF PF]` of a displayed EFLAGS value is ignored.
 *
 * The saved x86 side has x87 and SSE registers only when ContextFlags says the context holds them
 * (CONTEXT_FLOATING_POINT: FloatSave; CONTEXT_EXTENDED_REGISTERS: ExtendedRegisters in FXSAVE format);
 * wow64cpu itself saves only the integer and control registers, the x87/SSE registers being shared with the
 * live x64 side.
 */
import { type Cpu, SReg } from "../cpu/cpu";
import { CpuFault } from "../cpu/fault";
import { dToExt, extToD, X } from "../cpu/fpu";
import { TEB64, WOW64_CONTEXT, WOW64_CPURESERVED_CONTEXT } from "../windows/dlls";

// ---------------------------------------------------------------------------------------------
// WOW64_CONTEXT (winnt.h: the i386 CONTEXT)

/** Field offsets of WOW64_CONTEXT (winnt.h). */
export const WOW64_CONTEXT_LAYOUT = {
  ...WOW64_CONTEXT,
  Dr0: 0x04,
  Dr1: 0x08,
  Dr2: 0x0c,
  Dr3: 0x10,
  Dr6: 0x14,
  Dr7: 0x18,
  /** WOW64_FLOATING_SAVE_AREA, 112 bytes. */
  FloatSave: 0x1c,
  /** 512 bytes in FXSAVE format. */
  ExtendedRegisters: 0xcc,
} as const;

/** WOW64_FLOATING_SAVE_AREA (winnt.h) offsets, relative to FloatSave. */
export const FLOATING_SAVE_AREA = {
  ControlWord: 0x00,
  StatusWord: 0x04,
  TagWord: 0x08,
  ErrorOffset: 0x0c,
  ErrorSelector: 0x10,
  DataOffset: 0x14,
  DataSelector: 0x18,
  /** ST(0)..ST(7), 10 bytes each. */
  RegisterArea: 0x1c,
  Cr0NpxState: 0x6c,
  size: 0x70,
} as const;

/** FXSAVE area offsets (SDM Vol. 1 10.5.1), relative to ExtendedRegisters. */
export const FXSAVE_LAYOUT = { Fcw: 0, Fsw: 2, Ftw: 4, Mxcsr: 24, St: 32, Xmm: 160 } as const;

/** ContextFlags bits of the i386 CONTEXT (winnt.h). */
export const CONTEXT_I386 = {
  CONTROL: 0x10001,
  INTEGER: 0x10002,
  SEGMENTS: 0x10004,
  FLOATING_POINT: 0x10008,
  DEBUG_REGISTERS: 0x10010,
  EXTENDED_REGISTERS: 0x10020,
} as const;

export interface RegisterMemory {
  /** Side-effect-free read; undefined when any byte is unreadable. */
  read(addr: number, n: number): Uint8Array | undefined;
  /** Debugger write (the runtime tells the CPU about it); false when it failed. */
  write?(addr: number, data: Uint8Array): boolean;
}

/** The x86 state wow64cpu saved for a WOW64 thread. */
export interface Wow64Context {
  /** Address of the WOW64_CONTEXT in guest memory. */
  readonly address: number;
  readonly contextFlags: number;
  readonly eax: number;
  readonly ebx: number;
  readonly ecx: number;
  readonly edx: number;
  readonly esi: number;
  readonly edi: number;
  readonly ebp: number;
  readonly esp: number;
  readonly eip: number;
  readonly eflags: number;
  readonly segCs: number;
  readonly segSs: number;
  readonly segDs: number;
  readonly segEs: number;
  readonly segFs: number;
  readonly segGs: number;
}

/** TEB64.TlsSlots[1] (WOW64_CPURESERVED*) + 4: where WOW64_CONTEXT lives; undefined when unset or unreadable. */
export function wow64ContextAddress(memory: RegisterMemory, teb64: number): number | undefined {
  const p = memory.read(teb64 + TEB64.Wow64CpuReserved, 8);
  if (p === undefined || p.length < 8) return undefined;
  const v = new DataView(p.buffer, p.byteOffset, 8).getBigUint64(0, true);
  if (v === 0n || v > BigInt(Number.MAX_SAFE_INTEGER)) return undefined;
  return Number(v) + WOW64_CPURESERVED_CONTEXT;
}

/** Reads the WOW64_CONTEXT of the thread whose TEB64 is at `teb64`. */
export function readWow64Context(memory: RegisterMemory, teb64: number): Wow64Context | undefined {
  const at = wow64ContextAddress(memory, teb64);
  return at === undefined ? undefined : readWow64ContextAt(memory, at);
}

/** Reads the integer and control part of a WOW64_CONTEXT at `address`. */
export function readWow64ContextAt(memory: RegisterMemory, address: number): Wow64Context | undefined {
  const b = memory.read(address, WOW64_CONTEXT.SegSs + 4);
  if (b === undefined) return undefined;
  const dv = new DataView(b.buffer, b.byteOffset, b.length);
  const u = (o: number): number => dv.getUint32(o, true);
  const C = WOW64_CONTEXT;
  return {
    address,
    contextFlags: u(C.ContextFlags),
    eax: u(C.Eax),
    ebx: u(C.Ebx),
    ecx: u(C.Ecx),
    edx: u(C.Edx),
    esi: u(C.Esi),
    edi: u(C.Edi),
    ebp: u(C.Ebp),
    esp: u(C.Esp),
    eip: u(C.Eip),
    eflags: u(C.EFlags),
    segCs: u(C.SegCs),
    segSs: u(C.SegSs),
    segDs: u(C.SegDs),
    segEs: u(C.SegEs),
    segFs: u(C.SegFs),
    segGs: u(C.SegGs),
  };
}

// ---------------------------------------------------------------------------------------------
// the node model

export type RegisterKind =
  | "gpr"
  | "ip"
  | "flags"
  | "flag"
  | "segment"
  | "base"
  | "vector"
  | "lanes"
  | "lane"
  | "control"
  | "fpu"
  | "group"
  | "note";

export interface RegisterNode {
  readonly name: string;
  /** The value as shown. */
  readonly value: string;
  readonly kind: RegisterKind;
  /** The value as an unsigned integer, when it is one. */
  readonly numeric?: bigint;
  /** What a memory reference on this register points at (its value; the base for FS/GS). */
  readonly address?: bigint;
  /** Children, built when asked for (flag bits, segment base, vector lanes, x87 registers). */
  readonly children?: () => RegisterNode[];
  /** Writes a new value; returns the node re-read. Absent: read-only (see `readOnlyReason`). */
  readonly set?: (text: string) => RegisterNode;
  readonly readOnlyReason?: string;
  /** Where the value lives in guest memory, for registers kept there (the saved x86 context); else absent. */
  readonly location?: { readonly address: number; readonly size: number };
}

export interface RegisterScope {
  readonly name: "x86 registers" | "x64 registers";
  readonly bits: 32 | 64;
  /** The registers of the mode the thread runs in. */
  readonly live: boolean;
  /** `cpu`: the CPU's registers; `wow64-context`: the WOW64_CONTEXT in guest memory. */
  readonly source: "cpu" | "wow64-context";
  readonly description: string;
  /** For `wow64-context`: where the context is. */
  readonly contextAddress?: number;
  registers(): RegisterNode[];
}

export interface RegisterTarget {
  readonly cpu: Cpu;
  readonly memory: RegisterMemory;
  /** A WOW64 thread (a 32-bit program under WOW64). */
  readonly wow64: boolean;
  /** TEB64 address (WOW64: where TlsSlots[0] and [1] are). */
  readonly teb64?: number;
  /** TEB32 address (WOW64): FS base of the saved x86 side. */
  readonly teb32?: number;
}

export class RegisterEditError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "RegisterEditError";
  }
}

/** The scopes of a thread: the live one first. */
export function registerScopes(t: RegisterTarget): RegisterScope[] {
  const cpu = t.cpu;
  const out: RegisterScope[] = [];
  if (cpu.bits === 64) {
    out.push({
      name: "x64 registers",
      bits: 64,
      live: true,
      source: "cpu",
      description: "live 64-bit registers",
      registers: () => cpuRegisters(t, 64),
    });
    if (t.wow64 && t.teb64 !== undefined) {
      const at = wow64ContextAddress(t.memory, t.teb64);
      out.push({
        name: "x86 registers",
        bits: 32,
        live: false,
        source: "wow64-context",
        description:
          at === undefined
            ? "WOW64_CONTEXT not found (TEB64.TlsSlots[1] is unset)"
            : `as saved by wow64cpu in WOW64_CONTEXT at 0x${hex(at, 8)}`,
        contextAddress: at,
        registers: () => savedX86Registers(t, at),
      });
    }
  } else {
    out.push({
      name: "x86 registers",
      bits: 32,
      live: true,
      source: "cpu",
      description: "live 32-bit registers",
      registers: () => cpuRegisters(t, 32),
    });
    if (t.wow64 && t.teb64 !== undefined) {
      out.push({
        name: "x64 registers",
        bits: 64,
        live: false,
        source: "cpu",
        description: "the CPU's 64-bit registers while it runs 32-bit code; rsp64 is TEB64.TlsSlots[0]",
        registers: () => cpuRegisters(t, 64),
      });
    }
  }
  return out;
}

// ---------------------------------------------------------------------------------------------
// value parsing and formatting

const M64 = (1n << 64n) - 1n;

function hex(v: number | bigint, digits: number): string {
  return v.toString(16).toUpperCase().padStart(digits, "0");
}

function maskOf(width: number): bigint {
  return (1n << BigInt(width)) - 1n;
}

/** Parses an integer typed by the user for a register of `width` bits (see the module comment). */
export function parseRegisterValue(text: string, width: number): bigint {
  let s = text.trim().replace(/\s*[[(].*$/, "");
  s = s.replace(/[`_]/g, "");
  const neg = s.startsWith("-");
  if (neg) s = s.slice(1);
  let v: bigint;
  if (/^0x[0-9a-f]+$/i.test(s)) v = BigInt(s);
  else if (/^0n[0-9]+$/i.test(s)) v = BigInt(s.slice(2));
  else if (/^0b[01]+$/i.test(s)) v = BigInt(s);
  else if (/^[0-9a-f]+h$/i.test(s)) v = BigInt("0x" + s.slice(0, -1));
  else if (/^[0-9a-f]+$/i.test(s)) v = BigInt("0x" + s);
  else {
    throw new RegisterEditError(
      `"${text}" is not a number (hex by default: 1F, 0x1F or 1Fh; decimal: 0n31; binary: 0b11111)`,
    );
  }
  const mask = maskOf(width);
  if (neg) {
    if (v > 1n << BigInt(width - 1)) throw new RegisterEditError(`-${s} does not fit in ${width} bits`);
    return -v & mask;
  }
  if (v > mask) throw new RegisterEditError(`0x${hex(v, 1)} does not fit in ${width} bits`);
  return v;
}

function parseFloatValue(text: string): number {
  const s = text
    .trim()
    .replace(/\s*[[(].*$/, "")
    .toLowerCase();
  if (s === "inf" || s === "+inf" || s === "infinity") return Infinity;
  if (s === "-inf" || s === "-infinity") return -Infinity;
  if (s === "nan") return NaN;
  const v = s === "" ? NaN : Number(s);
  if (Number.isNaN(v)) throw new RegisterEditError(`"${text}" is not a floating-point number`);
  return v;
}

function parseBit(text: string, max = 1): number {
  const s = text.trim().toLowerCase();
  const words: Record<string, number> = { true: 1, false: 0, set: 1, clear: 0, on: 1, off: 0 };
  const v = s in words ? words[s] : /^[0-9]$/.test(s) ? Number(s) : NaN;
  if (!(v >= 0 && v <= max)) {
    throw new RegisterEditError(
      max === 1 ? `"${text}" is not a flag value (0 or 1)` : `"${text}" is not a value from 0 to ${max}`,
    );
  }
  return v;
}

/** Shortest decimal text that reads back as the same binary32 value. */
function fmtF32(v: number): string {
  if (!Number.isFinite(v)) return fmtF64(v);
  for (let p = 1; p <= 9; p++) {
    const t = Number(v.toPrecision(p));
    if (Math.fround(t) === v) return String(t);
  }
  return String(v);
}

function fmtF64(v: number): string {
  if (Number.isNaN(v)) return "nan";
  if (v === Infinity) return "inf";
  if (v === -Infinity) return "-inf";
  return Object.is(v, -0) ? "-0" : String(v);
}

// ---------------------------------------------------------------------------------------------
// cells: where a value lives

interface IntCell {
  readonly width: number;
  get(): bigint | undefined;
  set(v: bigint): void;
  /** Where the value lives when it is kept in guest memory (the saved WOW64_CONTEXT, TEB64 slots). */
  readonly location?: { readonly address: number; readonly size: number };
}

interface BytesCell {
  readonly size: number;
  get(): Uint8Array | undefined;
  set(b: Uint8Array): void;
}

function memCell(t: RegisterTarget, addr: number, width: number): IntCell {
  const n = width / 8;
  return {
    width,
    location: { address: addr, size: n },
    get() {
      const b = t.memory.read(addr, n);
      if (b === undefined) return undefined;
      let v = 0n;
      for (let k = n - 1; k >= 0; k--) v = (v << 8n) | BigInt(b[k]);
      return v;
    },
    set(v) {
      const b = new Uint8Array(n);
      for (let k = 0; k < n; k++) b[k] = Number((v >> BigInt(8 * k)) & 0xffn);
      memWrite(t, addr, b);
    },
  };
}

function memBytes(t: RegisterTarget, addr: number, size: number): BytesCell {
  return { size, get: () => t.memory.read(addr, size), set: (b) => memWrite(t, addr, b) };
}

function memWrite(t: RegisterTarget, addr: number, b: Uint8Array): void {
  if (t.memory.write === undefined || !t.memory.write(addr, b)) {
    throw new RegisterEditError(`cannot write guest memory at 0x${hex(addr, 8)}`);
  }
}

function gprCell(cpu: Cpu, r: number, width: 32 | 64): IntCell {
  return {
    width,
    get: () =>
      width === 64 ? (BigInt(cpu.hi[r] >>> 0) << 32n) | BigInt(cpu.lo[r] >>> 0) : BigInt(cpu.lo[r] >>> 0),
    set(v) {
      // A 32-bit edit changes the 32 bits shown; the upper half (visible in the x64 view) is kept.
      cpu.lo[r] = Number(v & 0xffffffffn) | 0;
      if (width === 64) cpu.hi[r] = Number((v >> 32n) & 0xffffffffn) | 0;
    },
  };
}

function cpuXmm(cpu: Cpu, n: number): BytesCell {
  const view = new Uint8Array(cpu.xmm.buffer, cpu.xmm.byteOffset + 16 * n, 16);
  return { size: 16, get: () => view.slice(), set: (b) => view.set(b) };
}

// ---------------------------------------------------------------------------------------------
// node builders

interface IntNodeOptions {
  digits?: number;
  /** Memory reference on the value (default true for gpr/ip). */
  address?: boolean | ((v: bigint) => bigint | undefined);
  annotate?: (v: bigint) => string;
  children?: (v: bigint) => RegisterNode[];
  validate?: (v: bigint) => string | undefined;
  /** Read-only, with the reason. */
  readOnly?: string;
  /** Parse the typed text instead of parseRegisterValue. */
  parse?: (text: string) => bigint;
}

function intNode(name: string, kind: RegisterKind, cell: IntCell, o: IntNodeOptions = {}): RegisterNode {
  const v = cell.get();
  const digits = o.digits ?? cell.width / 4;
  if (v === undefined) {
    return { name, kind, value: "<unreadable>", readOnlyReason: "the memory holding it cannot be read" };
  }
  const addr =
    typeof o.address === "function"
      ? o.address(v)
      : (o.address ?? (kind === "gpr" || kind === "ip"))
        ? v
        : undefined;
  const node: {
    -readonly [K in keyof RegisterNode]: RegisterNode[K];
  } = {
    name,
    kind,
    value: `0x${hex(v, digits)}${o.annotate ? o.annotate(v) : ""}`,
    numeric: v,
  };
  if (addr !== undefined) node.address = addr;
  if (cell.location !== undefined) node.location = cell.location;
  if (o.children) {
    const make = o.children;
    node.children = () => make(v);
  }
  if (o.readOnly !== undefined) node.readOnlyReason = o.readOnly;
  else {
    node.set = (text: string) => {
      const nv = o.parse ? o.parse(text) : parseRegisterValue(text, cell.width);
      const why = o.validate?.(nv);
      if (why !== undefined) throw new RegisterEditError(why);
      cell.set(nv);
      return intNode(name, kind, cell, o);
    };
  }
  return node;
}

const GPR64 = [
  "rax",
  "rbx",
  "rcx",
  "rdx",
  "rsi",
  "rdi",
  "rbp",
  "rsp",
  "r8",
  "r9",
  "r10",
  "r11",
  "r12",
  "r13",
  "r14",
  "r15",
];
const GPR64_NUM = [0, 3, 1, 2, 6, 7, 5, 4, 8, 9, 10, 11, 12, 13, 14, 15];
const GPR32 = ["eax", "ebx", "ecx", "edx", "esi", "edi", "ebp", "esp"];

/** The EFLAGS bits (SDM Vol. 1 3.4.3), in the order shown. */
export const EFLAGS_BITS: readonly { readonly name: string; readonly bit: number; readonly width: 1 | 2 }[] =
  [
    { name: "CF", bit: 0, width: 1 },
    { name: "PF", bit: 2, width: 1 },
    { name: "AF", bit: 4, width: 1 },
    { name: "ZF", bit: 6, width: 1 },
    { name: "SF", bit: 7, width: 1 },
    { name: "TF", bit: 8, width: 1 },
    { name: "IF", bit: 9, width: 1 },
    { name: "DF", bit: 10, width: 1 },
    { name: "OF", bit: 11, width: 1 },
    { name: "IOPL", bit: 12, width: 2 },
    { name: "NT", bit: 14, width: 1 },
    { name: "RF", bit: 16, width: 1 },
    { name: "VM", bit: 17, width: 1 },
    { name: "AC", bit: 18, width: 1 },
    { name: "VIF", bit: 19, width: 1 },
    { name: "VIP", bit: 20, width: 1 },
    { name: "ID", bit: 21, width: 1 },
  ];

/** Bits of EFLAGS that exist: the flags above plus bit 1, which always reads as 1. */
const EFLAGS_DEFINED = 0x3f7fd7n | 2n;

function flagsText(v: bigint): string {
  const set = EFLAGS_BITS.filter((f) => f.width === 1 && ((v >> BigInt(f.bit)) & 1n) === 1n).map(
    (f) => f.name,
  );
  const iopl = Number((v >> 12n) & 3n);
  if (iopl !== 0) set.push(`IOPL=${iopl}`);
  return ` [${set.join(" ")}]`;
}

function validateFlags(v: bigint): string | undefined {
  const bad = v & ~EFLAGS_DEFINED;
  if (bad === 0n) return undefined;
  const bits: number[] = [];
  for (let k = 0; k < 64; k++) if (((bad >> BigInt(k)) & 1n) === 1n) bits.push(k);
  return `bit${bits.length > 1 ? "s" : ""} ${bits.join(", ")} of EFLAGS ${bits.length > 1 ? "are" : "is"} reserved`;
}

function flagsNode(name: string, cell: IntCell): RegisterNode {
  // Bit 1 always reads as 1: accept values typed without it.
  const withBit1: IntCell = {
    width: cell.width,
    location: cell.location,
    get: () => cell.get(),
    set: (v) => cell.set(v | 2n),
  };
  return intNode(name, "flags", withBit1, {
    annotate: flagsText,
    validate: validateFlags,
    children: () => EFLAGS_BITS.map((f) => flagBitNode(f.name, f.bit, f.width, withBit1)),
  });
}

function flagBitNode(name: string, bit: number, width: 1 | 2, cell: IntCell): RegisterNode {
  const v = cell.get();
  if (v === undefined) return { name, kind: "flag", value: "<unreadable>" };
  const b = Number((v >> BigInt(bit)) & (width === 2 ? 3n : 1n));
  return {
    name,
    kind: "flag",
    value: String(b),
    numeric: BigInt(b),
    set(text: string) {
      const nb = BigInt(parseBit(text, width === 2 ? 3 : 1));
      const cur = cell.get();
      if (cur === undefined) throw new RegisterEditError("the flags cannot be read");
      const m = (width === 2 ? 3n : 1n) << BigInt(bit);
      cell.set((cur & ~m) | (nb << BigInt(bit)));
      return flagBitNode(name, bit, width, cell);
    },
  };
}

const SEG_NAMES = ["es", "cs", "ss", "ds", "fs", "gs"];
const SEG_ORDER = [SReg.CS, SReg.DS, SReg.ES, SReg.FS, SReg.GS, SReg.SS];

function cpuSegmentNode(cpu: Cpu, s: number, bits: 32 | 64): RegisterNode {
  const name = SEG_NAMES[s];
  const cell: IntCell = {
    width: 16,
    get: () => BigInt(cpu.sreg[s]),
    set(v) {
      try {
        cpu.loadSeg(s, Number(v));
      } catch (e) {
        if (e instanceof CpuFault) {
          throw new RegisterEditError(`0x${hex(v, 4)} is not a valid ${name} selector (#${e.vector})`);
        }
        throw e;
      }
    },
  };
  const hasBase = s === SReg.FS || s === SReg.GS;
  const baseCell: IntCell = {
    width: bits,
    get: () => BigInt(cpu.sbase[s]),
    set(v) {
      cpu.sbase[s] = Number(v);
    },
  };
  const baseNode = (): RegisterNode =>
    intNode("base", "base", baseCell, {
      address: true,
      validate: (v) => (v > BigInt(Number.MAX_SAFE_INTEGER) ? "not a user-mode address" : undefined),
    });
  return intNode(name, "segment", cell, {
    annotate: hasBase ? () => ` (base 0x${hex(cpu.sbase[s], bits / 4)})` : undefined,
    address: hasBase ? () => BigInt(cpu.sbase[s]) : false,
    children: hasBase ? () => [baseNode()] : undefined,
    readOnly: s === SReg.CS ? "CS selects the mode; change it with a far jmp/call/ret" : undefined,
  });
}

function vectorNode(name: string, cell: BytesCell): RegisterNode {
  const b = cell.get();
  if (b === undefined) return { name, kind: "vector", value: "<unreadable>" };
  const v = le(b);
  return {
    name,
    kind: "vector",
    value: `0x${hex(v, 32)}`,
    numeric: v,
    address: v & M64,
    children: () => laneGroups(cell),
    set(text: string) {
      const nv = parseRegisterValue(text, 128);
      const out = new Uint8Array(16);
      for (let k = 0; k < 16; k++) out[k] = Number((nv >> BigInt(8 * k)) & 0xffn);
      cell.set(out);
      return vectorNode(name, cell);
    },
  };
}

function le(b: Uint8Array): bigint {
  let v = 0n;
  for (let k = b.length - 1; k >= 0; k--) v = (v << 8n) | BigInt(b[k]);
  return v;
}

type LaneKind = "u32" | "u64" | "f32" | "f64";

function laneGroups(cell: BytesCell): RegisterNode[] {
  return (["u32", "u64", "f32", "f64"] as const).map((k) => laneGroup(k, cell));
}

function laneGroup(kind: LaneKind, cell: BytesCell): RegisterNode {
  const count = kind === "u32" || kind === "f32" ? 4 : 2;
  const lanes = (): RegisterNode[] => Array.from({ length: count }, (_, i) => laneNode(kind, i, cell));
  const b = cell.get();
  const value =
    b === undefined
      ? "<unreadable>"
      : `{${lanes()
          .map((l) => l.value)
          .join(", ")}}`;
  return { name: kind, kind: "lanes", value, children: lanes };
}

function laneNode(kind: LaneKind, i: number, cell: BytesCell): RegisterNode {
  const name = `${kind}[${i}]`;
  const b = cell.get();
  if (b === undefined) return { name, kind: "lane", value: "<unreadable>" };
  const dv = new DataView(b.buffer, b.byteOffset, 16);
  const size = kind === "u32" || kind === "f32" ? 4 : 8;
  const write = (fill: (d: DataView) => void): RegisterNode => {
    const cur = cell.get();
    if (cur === undefined) throw new RegisterEditError("the register cannot be read");
    const nb = cur.slice();
    fill(new DataView(nb.buffer, nb.byteOffset, 16));
    cell.set(nb);
    return laneNode(kind, i, cell);
  };
  switch (kind) {
    case "u32": {
      const v = BigInt(dv.getUint32(4 * i, true));
      return {
        name,
        kind: "lane",
        value: `0x${hex(v, 8)}`,
        numeric: v,
        address: v,
        set: (t) => write((d) => d.setUint32(4 * i, Number(parseRegisterValue(t, 32)), true)),
      };
    }
    case "u64": {
      const v = dv.getBigUint64(8 * i, true);
      return {
        name,
        kind: "lane",
        value: `0x${hex(v, 16)}`,
        numeric: v,
        address: v,
        set: (t) => write((d) => d.setBigUint64(8 * i, parseRegisterValue(t, 64), true)),
      };
    }
    case "f32":
      return {
        name,
        kind: "lane",
        value: fmtF32(dv.getFloat32(size * i, true)),
        set: (t) => write((d) => d.setFloat32(4 * i, parseFloatValue(t), true)),
      };
    case "f64":
      return {
        name,
        kind: "lane",
        value: fmtF64(dv.getFloat64(size * i, true)),
        set: (t) => write((d) => d.setFloat64(8 * i, parseFloatValue(t), true)),
      };
  }
}

// ---- x87

/** Where x87 state lives: the CPU or a saved area. ST(i) images are 10 bytes (mantissa LE, then sign+exponent). */
interface X87Access {
  st(i: number): Uint8Array | undefined;
  setSt(i: number, b: Uint8Array): void;
  empty(i: number): boolean | undefined;
  fcw: IntCell;
  fsw: IntCell;
  ftw: IntCell;
}

function cpuX87(cpu: Cpu): X87Access {
  const f = cpu.fpu;
  return {
    st(i) {
      const b = new Uint8Array(10);
      f.st80(i, b, 0);
      return b;
    },
    setSt(i, b) {
      f.setSt80(i, b, 0);
      f.valid |= 1 << ((f.top + i) & 7); // a register given a value is no longer empty
    },
    empty: (i) => f.isEmpty(i),
    fcw: { width: 16, get: () => BigInt(f.cw), set: (v) => f.setControlWord(Number(v)) },
    fsw: { width: 16, get: () => BigInt(f.statusWord()), set: (v) => f.setStatusWord(Number(v)) },
    ftw: {
      width: 16,
      get: () => BigInt(f.tw),
      set(v) {
        f.tw = Number(v);
      },
    },
  };
}

/** x87 state in a WOW64_FLOATING_SAVE_AREA at `fs` (FSAVE layout: full tag word by physical register). */
function savedX87(t: RegisterTarget, fs: number): X87Access {
  const A = FLOATING_SAVE_AREA;
  const fsw = memCell(t, fs + A.StatusWord, 16);
  const ftw = memCell(t, fs + A.TagWord, 16);
  return {
    st: (i) => t.memory.read(fs + A.RegisterArea + 10 * i, 10),
    setSt(i, b) {
      memWrite(t, fs + A.RegisterArea + 10 * i, b);
      const top = Number(((fsw.get() ?? 0n) >> 11n) & 7n);
      const tw = ftw.get();
      if (tw !== undefined) ftw.set(tw & ~(3n << BigInt(2 * ((top + i) & 7))));
    },
    empty(i) {
      const sw = fsw.get();
      const tw = ftw.get();
      if (sw === undefined || tw === undefined) return undefined;
      const p = (Number((sw >> 11n) & 7n) + i) & 7;
      return Number((tw >> BigInt(2 * p)) & 3n) === 3;
    },
    fcw: memCell(t, fs + A.ControlWord, 16),
    fsw,
    ftw,
  };
}

function stNode(x: X87Access, i: number): RegisterNode {
  const name = `st${i}`;
  const b = x.st(i);
  if (b === undefined) return { name, kind: "fpu", value: "<unreadable>" };
  const lo = b[0] | (b[1] << 8) | (b[2] << 16) | (b[3] << 24);
  const hi = b[4] | (b[5] << 8) | (b[6] << 16) | (b[7] << 24);
  const se = b[8] | (b[9] << 8);
  const image = `0x${hex(se, 4)}${hex(hi >>> 0, 8)}${hex(lo >>> 0, 8)}`;
  const empty = x.empty(i);
  const d = extToD(lo, hi, se, 0, 53, false);
  return {
    name,
    kind: "fpu",
    value: empty ? `empty (${image})` : `${fmtF64(d)} (${image})`,
    numeric: le(b),
    set(text: string) {
      const s = text.trim().replace(/\s*[[(].*$/, "");
      const out = new Uint8Array(10);
      if (/^0x[0-9a-f]{20}$/i.test(s)) {
        const v = BigInt(s);
        for (let k = 0; k < 10; k++) out[k] = Number((v >> BigInt(8 * k)) & 0xffn);
      } else {
        dToExt(parseFloatValue(text));
        for (let k = 0; k < 4; k++) out[k] = X.lo >>> (8 * k);
        for (let k = 0; k < 4; k++) out[4 + k] = X.hi >>> (8 * k);
        out[8] = X.se & 0xff;
        out[9] = (X.se >>> 8) & 0xff;
      }
      x.setSt(i, out);
      return stNode(x, i);
    },
  };
}

function x87Group(x: X87Access): RegisterNode {
  const sw = x.fsw.get();
  const cw = x.fcw.get();
  const value =
    sw === undefined || cw === undefined
      ? "<unreadable>"
      : `TOP=${Number((sw >> 11n) & 7n)} fcw=0x${hex(cw, 4)} fsw=0x${hex(sw, 4)}`;
  return {
    name: "x87",
    kind: "group",
    value,
    children: () => [
      ...Array.from({ length: 8 }, (_, i) => stNode(x, i)),
      intNode("fcw", "control", x.fcw),
      intNode("fsw", "control", x.fsw),
      intNode("ftw", "control", x.ftw),
    ],
  };
}

function mxcsrNode(cell: IntCell): RegisterNode {
  return intNode("mxcsr", "control", cell, {
    validate: (v) => (v > 0xffffn ? "MXCSR bits 16-31 are reserved (#GP on LDMXCSR)" : undefined),
  });
}

// ---------------------------------------------------------------------------------------------
// the scopes

function cpuRegisters(t: RegisterTarget, bits: 32 | 64): RegisterNode[] {
  const cpu = t.cpu;
  const out: RegisterNode[] = [];
  if (bits === 64) {
    for (let k = 0; k < 16; k++) out.push(intNode(GPR64[k], "gpr", gprCell(cpu, GPR64_NUM[k], 64)));
  } else {
    for (let k = 0; k < 8; k++) out.push(intNode(GPR32[k], "gpr", gprCell(cpu, GPR64_NUM[k], 32)));
  }
  const limit = bits === 64 ? 0x800000000000n : 0x100000000n;
  out.push(
    intNode(
      bits === 64 ? "rip" : "eip",
      "ip",
      {
        width: bits,
        get: () => BigInt(cpu.rip),
        set(v) {
          cpu.rip = Number(v);
        },
      },
      {
        validate: (v) => (v >= limit ? `0x${hex(v, 1)} is not a user-mode address` : undefined),
      },
    ),
  );
  out.push(
    flagsNode(bits === 64 ? "rflags" : "eflags", {
      width: bits,
      get: () => BigInt(cpu.getEflags() >>> 0),
      set: (v) => cpu.setEflags(Number(v & 0xffffffffn)),
    }),
  );
  for (const s of SEG_ORDER) out.push(cpuSegmentNode(cpu, s, bits));
  if (!cpu.mode64 && bits === 64 && t.teb64 !== undefined) {
    // The 64-bit stack while 32-bit code runs (WOW64_TLS_STACKPTR64).
    out.push(intNode("rsp64", "gpr", memCell(t, t.teb64 + TEB64.Wow64StackPtr64, 64)));
  }
  out.push(
    mxcsrNode({
      width: 32,
      get: () => BigInt(cpu.mxcsr >>> 0),
      set(v) {
        cpu.mxcsr = Number(v);
      },
    }),
  );
  for (let n = 0; n < (bits === 64 ? 16 : 8); n++) out.push(vectorNode(`xmm${n}`, cpuXmm(cpu, n)));
  out.push(x87Group(cpuX87(cpu)));
  return out;
}

function savedX86Registers(t: RegisterTarget, at: number | undefined): RegisterNode[] {
  if (at === undefined) {
    return [
      { name: "WOW64_CONTEXT", kind: "note", value: "not found: TEB64.TlsSlots[1] is unset or unreadable" },
    ];
  }
  const C = WOW64_CONTEXT_LAYOUT;
  const cell = (off: number, width = 32): IntCell => memCell(t, at + off, width);
  const rawFlags = cell(C.ContextFlags).get();
  if (rawFlags === undefined) {
    return [{ name: "WOW64_CONTEXT", kind: "note", value: `unreadable at 0x${hex(at, 8)}` }];
  }
  const flags = Number(rawFlags);
  const out: RegisterNode[] = [];
  const gprs: [string, number][] = [
    ["eax", C.Eax],
    ["ebx", C.Ebx],
    ["ecx", C.Ecx],
    ["edx", C.Edx],
    ["esi", C.Esi],
    ["edi", C.Edi],
    ["ebp", C.Ebp],
    ["esp", C.Esp],
  ];
  for (const [n, off] of gprs) out.push(intNode(n, "gpr", cell(off)));
  out.push(intNode("eip", "ip", cell(C.Eip)));
  out.push(flagsNode("eflags", cell(C.EFlags)));
  const segs: [string, number][] = [
    ["cs", C.SegCs],
    ["ds", C.SegDs],
    ["es", C.SegEs],
    ["fs", C.SegFs],
    ["gs", C.SegGs],
    ["ss", C.SegSs],
  ];
  for (const [n, off] of segs) {
    const c = cell(off);
    const fsBase = n === "fs" && t.teb32 !== undefined ? t.teb32 : undefined;
    out.push(
      intNode(n, "segment", c, {
        digits: 4,
        validate: (v) => (v > 0xffffn ? "a selector has 16 bits" : undefined),
        annotate: fsBase !== undefined ? () => ` (base 0x${hex(fsBase, 8)}, TEB32)` : undefined,
        address: fsBase !== undefined ? () => BigInt(fsBase) : false,
        readOnly:
          n === "cs"
            ? "SegCs is the code segment wow64cpu returns to (0x23); change the mode with a far jump"
            : undefined,
      }),
    );
  }
  out.push(
    intNode("ContextFlags", "control", cell(C.ContextFlags), {
      readOnly: "describes which parts of the context are valid",
    }),
  );
  if ((flags & CONTEXT_I386.EXTENDED_REGISTERS) === CONTEXT_I386.EXTENDED_REGISTERS) {
    const x = at + C.ExtendedRegisters;
    out.push(mxcsrNode(cell(C.ExtendedRegisters + FXSAVE_LAYOUT.Mxcsr)));
    for (let n = 0; n < 8; n++)
      out.push(vectorNode(`xmm${n}`, memBytes(t, x + FXSAVE_LAYOUT.Xmm + 16 * n, 16)));
  }
  if ((flags & CONTEXT_I386.FLOATING_POINT) === CONTEXT_I386.FLOATING_POINT) {
    out.push(x87Group(savedX87(t, at + C.FloatSave)));
  }
  if ((flags & (CONTEXT_I386.FLOATING_POINT | CONTEXT_I386.EXTENDED_REGISTERS) & 0xffff) === 0) {
    out.push({
      name: "x87 / SSE",
      kind: "note",
      value: "not in the saved context (shared with the live x64 registers)",
    });
  }
  if ((flags & CONTEXT_I386.DEBUG_REGISTERS) === CONTEXT_I386.DEBUG_REGISTERS) {
    const drs: [string, number][] = [
      ["dr0", C.Dr0],
      ["dr1", C.Dr1],
      ["dr2", C.Dr2],
      ["dr3", C.Dr3],
      ["dr6", C.Dr6],
      ["dr7", C.Dr7],
    ];
    out.push({
      name: "debug registers",
      kind: "group",
      value: "",
      children: () =>
        drs.map(([n, off]) =>
          intNode(n, "control", cell(off), { readOnly: "hardware breakpoints are set as data breakpoints" }),
        ),
    });
  }
  return out;
}
