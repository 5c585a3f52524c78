/**
 * The disassembly service: exactly `count` lines around an address, for any instruction offset (negative
 * ones included), with symbols folded into the text. DAP-independent: the session turns lines into
 * `DisassembledInstruction`s, the console's `u` prints them WinDbg-style.
 *
 * Boundaries come from our decoder (`src/cpu/decoder`: validity and length, pure JavaScript, no wasm
 * calls); the text comes from iced-x86 (Intel syntax, or MASM laid out like WinDbg for `u`).
 *
 * Backward disassembly (a negative offset) has to guess where earlier instructions start. In order:
 *  1. hard anchors: when the resolver knows the start of the function containing the byte before the
 *     anchor (x64 `.pdata` BeginAddress, a symbol's start), decode forward from it; if that chain lands
 *     exactly on the anchor, those are the true boundaries;
 *  2. otherwise a window before the anchor: every byte position is a candidate start, each decoded once
 *     (`next[p] = p + length`); a position "lands" when its chain reaches the anchor exactly. x86 code is
 *     self-synchronising, so misaligned chains merge into the real one: each landing position gets a vote
 *     per window position whose chain passes through it, and the walk back from the anchor follows the
 *     predecessor with the most votes (the longest, most consistent chain);
 *  3. unreadable bytes become one-byte `??` lines, readable bytes that start no landing chain one-byte
 *     `(bad)` lines, and positions before address 0 one-byte `??` placeholders — so the count is exact.
 */
import { Decoder, DecoderOptions, Formatter, FormatterSyntax, Instruction } from "iced-x86";
import { blankInsn, decodeInto } from "../cpu/decoder/decoder";
import { Invalid, NO_REG, RIP_BASE, type Insn } from "../cpu/decoder/insn";

/** Symbols for the debugger: names of addresses and addresses of names. Implemented by the runtime. */
export interface SymbolResolver {
  /** `module!symbol+0xoff` (or `module+0xoff`, `module!symbol`) for an address in a known module. */
  nameAt(addr: number): string | undefined;
  /** The address of `module!symbol`, `module` (its base) or a bare unique symbol name; case-insensitive. */
  addressOf(name: string): number | undefined;
  /** Start of the function containing `addr` (x64 `.pdata` BeginAddress, a symbol's start), if known. */
  functionStart?(addr: number): number | undefined;
  /**
   * Completions for the debug console: names starting with `prefix` (case-insensitive). Without a `!` in
   * the prefix: module names followed by `!` (`kernel32!`); with one: `module!symbol` names. At most `max`.
   */
  complete?(prefix: string, max: number): string[];
}

/**
 * Guest memory as the debugger reads it. `read` returns the readable prefix of `[addr, addr + n)`: all `n`
 * bytes, fewer when memory stops being readable at `addr + length`, an empty array or `undefined` when
 * `addr` itself is unreadable. Readability changes at page (4 KB) boundaries only, as on Windows.
 */
export interface MemoryReader {
  read(addr: number, n: number): Uint8Array | undefined;
}

export type DisasmLineKind = "insn" | "bad" | "unreadable";

/** One line of disassembly. */
export interface DisasmLine {
  address: number;
  /** 1..15; 1 for `bad` and `unreadable` lines. */
  length: number;
  /** "4C 8B D1" (style intel) or "4c8bd1" (style windbg); "??" for unreadable memory. */
  bytes: string;
  /** The instruction text with symbols folded in; "(bad)" or "??" for invalid lines. */
  text: string;
  kind: DisasmLineKind;
  /** `kind !== "insn"`. */
  invalid: boolean;
  /** Set on a line that starts a function or symbol: its name (a label line above it in the UI). */
  symbol?: string;
  /** Direct branch target (jmp/jcc/call/loop), when there is one. */
  target?: number;
}

export interface DisasmOptions {
  /** "intel" (default): iced-x86's Intel syntax, `call kernel32!VirtualAlloc`; "windbg": MASM laid out as
   * WinDbg's `u` does (`mov     r10,rcx`, `call    ntdll!NtClose (00007ffa`c7d01234)`). */
  style?: "intel" | "windbg";
}

/** How far back a hard anchor (function start) may be before the anchor and still be used. */
const HARD_ANCHOR_MAX = 0x4000;
/** The largest heuristic window (bytes before the anchor). */
const WINDOW_MAX = 0x2000;
/** Chains are not trusted within this many bytes of a window's start (not enough context to vote). */
const WINDOW_MARGIN = 16;
const MAX_INSN = 15;
const PAGE = 0x1000;

const enum K {
  Insn = 0,
  Bad = 1,
  Unreadable = 2,
}

interface Raw {
  addr: number;
  len: number;
  kind: K;
}

// ------------------------------------------------------------------------------------------ memory window

/**
 * Read `[lo, hi)` through a `MemoryReader`: the bytes and a mask (1 = readable). Positions below 0 are
 * unreadable; after a short read the rest of that page is skipped (readability is per page).
 */
export function readRange(mem: MemoryReader, lo: number, hi: number): { bytes: Uint8Array; ok: Uint8Array } {
  const n = Math.max(0, hi - lo);
  const bytes = new Uint8Array(n);
  const ok = new Uint8Array(n);
  let pos = Math.max(lo, 0);
  while (pos < hi) {
    const got = mem.read(pos, hi - pos);
    const k = got === undefined ? 0 : Math.min(got.length, hi - pos);
    if (k > 0) {
      bytes.set(k === got!.length ? got! : got!.subarray(0, k), pos - lo);
      ok.fill(1, pos - lo, pos - lo + k);
    }
    pos += k;
    if (pos >= hi) break;
    // `pos` is unreadable: readability only changes at a page boundary.
    pos = Math.min(hi, Math.floor(pos / PAGE) * PAGE + PAGE);
  }
  return { bytes, ok };
}

/** Bytes of `[lo, hi)` and, per position, the count of readable bytes from it. */
class Window {
  readonly buf: Uint8Array;
  /** run[i] = number of consecutive readable bytes starting at lo + i (0 = unreadable). */
  readonly run: Int32Array;

  constructor(
    mem: MemoryReader,
    readonly lo: number,
    readonly hi: number,
  ) {
    const { bytes, ok } = readRange(mem, lo, hi);
    this.buf = bytes;
    const n = bytes.length;
    this.run = new Int32Array(n + 1);
    for (let i = n - 1; i >= 0; i--) this.run[i] = ok[i] ? this.run[i + 1] + 1 : 0;
  }

  readable(addr: number): boolean {
    return addr >= this.lo && addr < this.hi && this.run[addr - this.lo] > 0;
  }
}

const scratch = new Uint8Array(16);
const insnRec: Insn = blankInsn();

/** Decode at `addr` with at most `limit` bytes (also bounded by what is readable); the record or null. */
function decodeAt(w: Window, addr: number, limit: number, bits: 32 | 64): Insn | null {
  const i = addr - w.lo;
  const avail = Math.min(w.run[i], limit, MAX_INSN);
  if (avail <= 0) return null;
  const buf = w.buf;
  for (let k = 0; k < avail; k++) scratch[k] = buf[i + k];
  const insn = decodeInto(insnRec, scratch, avail, addr, bits);
  return insn.invalid === Invalid.None ? insn : null;
}

// ------------------------------------------------------------------------------------------- boundaries

/** Decode forward from `from`; the instruction starts if the chain lands exactly on `to`, all valid. */
function chainTo(mem: MemoryReader, from: number, to: number, bits: 32 | 64): number[] | undefined {
  const w = new Window(mem, from, to);
  const starts: number[] = [];
  let p = from;
  while (p < to) {
    const insn = decodeAt(w, p, to - p, bits);
    if (insn === null) return undefined;
    starts.push(p);
    p += insn.len;
  }
  return p === to ? starts : undefined;
}

/** The `n` lines before `anchor`, in address order. */
function backward(
  mem: MemoryReader,
  anchor: number,
  n: number,
  bits: 32 | 64,
  sym: SymbolResolver | undefined,
): Raw[] {
  const out: Raw[] = []; // descending addresses
  let cur = anchor;
  while (out.length < n) {
    const need = n - out.length;
    if (cur <= 0) {
      out.push({ addr: cur - 1, len: 1, kind: K.Unreadable });
      cur--;
      continue;
    }

    // 1. A hard anchor: the start of the function holding the byte before `cur`.
    const fs = sym?.functionStart?.(cur - 1);
    if (fs !== undefined && fs < cur && cur - fs <= HARD_ANCHOR_MAX) {
      const starts = chainTo(mem, fs, cur, bits);
      if (starts !== undefined) {
        let k = starts.length - 1;
        for (; k >= 0 && out.length < n; k--) {
          const a = starts[k];
          out.push({ addr: a, len: cur - a, kind: K.Insn });
          cur = a;
        }
        continue;
      }
    }

    // 2. The heuristic window.
    const size = Math.min(WINDOW_MAX, need * 8 + 64);
    const lo = Math.max(0, cur - size);
    const w = new Window(mem, lo, cur);
    const len = cur - lo;

    // Unreadable bytes just before `cur`: one line each.
    let gap = 0;
    while (gap < len && w.run[len - 1 - gap] === 0) gap++;
    if (gap > 0) {
      for (let k = 0; k < gap && out.length < n; k++) {
        cur--;
        out.push({ addr: cur, len: 1, kind: K.Unreadable });
      }
      continue;
    }

    const next = new Int32Array(len); // relative next start, -1 = invalid
    const land = new Uint8Array(len);
    const votes = new Int32Array(len);
    for (let i = len - 1; i >= 0; i--) {
      const insn = decodeAt(w, lo + i, len - i, bits);
      if (insn === null) {
        next[i] = -1;
        continue;
      }
      const j = i + insn.len;
      next[i] = j;
      land[i] = j === len || land[j] ? 1 : 0;
    }
    for (let i = 0; i < len; i++) {
      if (!land[i]) continue;
      votes[i] += 1;
      const j = next[i];
      if (j < len) votes[j] += votes[i];
    }
    const floor = lo === 0 ? 0 : WINDOW_MARGIN;
    let x = len;
    let took = 0;
    while (out.length < n) {
      let best = -1;
      for (let q = Math.max(floor, x - MAX_INSN); q < x; q++) {
        if (land[q] && next[q] === x && (best < 0 || votes[q] > votes[best])) best = q;
      }
      if (best < 0) break;
      out.push({ addr: lo + best, len: x - best, kind: K.Insn });
      x = best;
      took++;
    }
    if (took > 0) {
      cur = lo + x;
      continue;
    }
    // 3. Nothing lands on `cur`: the byte before it is not code we can place.
    cur--;
    out.push({ addr: cur, len: 1, kind: w.readable(cur) ? K.Bad : K.Unreadable });
  }
  return out.reverse();
}

/** `n` lines from `start` on. */
function forward(mem: MemoryReader, start: number, n: number, bits: 32 | 64): Raw[] {
  const out: Raw[] = [];
  let p = start;
  let w: Window | undefined;
  while (out.length < n) {
    if (p < 0) {
      out.push({ addr: p, len: 1, kind: K.Unreadable });
      p++;
      continue;
    }
    if (w === undefined || p + MAX_INSN > w.hi) {
      const span = Math.min(0x4000, (n - out.length) * MAX_INSN + MAX_INSN);
      w = new Window(mem, p, p + span);
    }
    if (!w.readable(p)) {
      out.push({ addr: p, len: 1, kind: K.Unreadable });
      p++;
      continue;
    }
    const insn = decodeAt(w, p, MAX_INSN, bits);
    if (insn === null) {
      out.push({ addr: p, len: 1, kind: K.Bad });
      p++;
      continue;
    }
    out.push({ addr: p, len: insn.len, kind: K.Insn });
    p += insn.len;
  }
  return out;
}

// ------------------------------------------------------------------------------------------- formatting

let intelFmt: Formatter | undefined;
let windbgFmt: Formatter | undefined;
let icedInsn: Instruction | undefined;

/** The formatters and one reusable instruction, created once and kept (never per line). */
function formatter(style: "intel" | "windbg"): Formatter {
  if (style === "intel") {
    if (intelFmt === undefined) {
      intelFmt = new Formatter(FormatterSyntax.Intel);
      intelFmt.spaceAfterOperandSeparator = true;
      intelFmt.showBranchSize = false;
    }
    return intelFmt;
  }
  if (windbgFmt === undefined) {
    windbgFmt = new Formatter(FormatterSyntax.Masm);
    windbgFmt.firstOperandCharIndex = 8;
    windbgFmt.spaceAfterOperandSeparator = false;
    windbgFmt.showBranchSize = false;
  }
  return windbgFmt;
}

/** An address as WinDbg prints it: `77a01000` (32-bit), `00007ffa`c7d01000` (64-bit). */
export function windbgAddress(addr: number | bigint, bits: 32 | 64): string {
  let v = BigInt(addr);
  if (v < 0n) v = BigInt.asUintN(bits, v);
  if (bits === 32 && v <= 0xffffffffn) return v.toString(16).padStart(8, "0");
  const s = v.toString(16).padStart(16, "0");
  return s.slice(0, s.length - 8) + "`" + s.slice(s.length - 8);
}

function signExtend(v: number, size: number): number {
  if (size === 1) return (v << 24) >> 24;
  if (size === 2) return (v << 16) >> 16;
  return v | 0;
}

/** Addresses in an instruction a symbol can name: branch target, memory address, address-like immediate. */
interface Refs {
  branch?: number;
  mem?: number;
  imm?: number;
}

function refsOf(insn: Insn): Refs {
  const r: Refs = {};
  const end = insn.ip + insn.len;
  const wrap = (v: number): number => (insn.bits === 32 ? v >>> 0 : v);
  for (const spec of insn.opSpecs) {
    const c = spec.charCodeAt(0);
    if (c === 0x4a /* J */) {
      let t = end + signExtend(insn.imm, insn.immSize);
      if (insn.opsize === 16) t &= 0xffff;
      r.branch = wrap(t);
    } else if (spec === "Ap") {
      r.branch = insn.imm >>> 0;
    } else if (c === 0x49 /* I */ && insn.immSize >= 4 && spec !== "I4") {
      const v =
        insn.immSize === 8
          ? (insn.immHi >>> 0) * 0x100000000 + (insn.imm >>> 0)
          : insn.opsize === 64
            ? insn.imm
            : insn.imm >>> 0;
      if (v >= 0x10000) r.imm = v;
    } else if (c === 0x4f /* O: moffs */ && insn.hasMem) {
      r.mem = insn.adsize === 64 ? (insn.dispHi >>> 0) * 0x100000000 + (insn.disp >>> 0) : insn.disp >>> 0;
    }
  }
  if (
    insn.hasMem &&
    r.mem === undefined &&
    insn.seg !== 4 &&
    insn.seg !== 5 &&
    insn.segPrefix !== 4 &&
    insn.segPrefix !== 5
  ) {
    if (insn.memBase === RIP_BASE) {
      const t = end + insn.disp;
      r.mem = insn.adsize === 32 ? t >>> 0 : t;
    } else if (insn.memBase === NO_REG && insn.memIndex === NO_REG && insn.adsize !== 16) {
      const d = insn.bits === 32 ? insn.disp >>> 0 : insn.disp;
      if (d >= 0x10000) r.mem = d;
    }
  }
  return r;
}

const HEX_TOKEN = /\b[0-9][0-9A-F]*h\b/g;

/** Replace the iced-x86 number tokens equal to a referenced address with its name. */
function fold(
  text: string,
  refs: Refs,
  sym: SymbolResolver | undefined,
  style: "intel" | "windbg",
  bits: 32 | 64,
): string {
  const names = new Map<number, string>();
  const name = (a: number | undefined, kind: "branch" | "mem" | "imm"): void => {
    if (a === undefined || a < 0 || names.has(a)) return;
    const s = sym?.nameAt(a);
    if (style === "intel") {
      if (s !== undefined) names.set(a, kind === "imm" ? `offset ${s}` : s);
    } else if (s !== undefined) {
      names.set(a, `${kind === "imm" ? "offset " : ""}${s} (${windbgAddress(a, bits)})`);
    } else if (kind !== "imm") {
      names.set(a, windbgAddress(a, bits));
    }
  };
  name(refs.branch, "branch");
  name(refs.mem, "mem");
  name(refs.imm, "imm");
  if (names.size === 0) return text;
  return text.replace(HEX_TOKEN, (tok) => {
    const v = Number.parseInt(tok.slice(0, -1), 16);
    const s = names.get(v);
    return s === undefined ? tok : s;
  });
}

function hexOf(buf: Uint8Array, off: number, n: number, style: "intel" | "windbg"): string {
  let s = "";
  for (let k = 0; k < n; k++) {
    const h = buf[off + k].toString(16).padStart(2, "0");
    if (style === "intel") s += (k === 0 ? "" : " ") + h.toUpperCase();
    else s += h;
  }
  return s;
}

/** The label of a line that starts a function or symbol, else undefined. */
function labelAt(addr: number, sym: SymbolResolver | undefined): string | undefined {
  if (sym === undefined || addr < 0) return undefined;
  const fs = sym.functionStart?.(addr);
  const name = sym.nameAt(addr);
  if (fs === addr) return name;
  if (name !== undefined && !/\+0x[0-9a-f]+$/i.test(name)) return name;
  return undefined;
}

function render(
  mem: MemoryReader,
  raws: Raw[],
  bits: 32 | 64,
  sym: SymbolResolver | undefined,
  style: "intel" | "windbg",
): DisasmLine[] {
  if (raws.length === 0) return [];
  const first = raws[0].addr;
  const last = raws[raws.length - 1];
  const w = new Window(mem, first, last.addr + last.len);
  const lines: DisasmLine[] = new Array<DisasmLine>(raws.length);
  const fmt = formatter(style);
  let dec: Decoder | undefined;
  try {
    for (let k = 0; k < raws.length; k++) {
      const r = raws[k];
      const off = r.addr - first;
      if (r.kind === K.Unreadable) {
        lines[k] = { address: r.addr, length: 1, bytes: "??", text: "??", kind: "unreadable", invalid: true };
        continue;
      }
      if (r.kind === K.Bad) {
        lines[k] = {
          address: r.addr,
          length: 1,
          bytes: hexOf(w.buf, off, 1, style),
          text: "(bad)",
          kind: "bad",
          invalid: true,
        };
        continue;
      }
      if (dec === undefined) {
        dec = new Decoder(bits, w.buf, DecoderOptions.None);
        icedInsn ??= new Instruction();
      }
      dec.position = off;
      dec.ip = BigInt(r.addr);
      dec.decodeOut(icedInsn!);
      const ours = decodeAt(w, r.addr, r.len, bits);
      let text: string;
      if (icedInsn!.isInvalid || ours === null) text = "(bad)";
      else {
        const refs = refsOf(ours);
        text = fold(fmt.format(icedInsn!), refs, sym, style, bits);
        const line: DisasmLine = {
          address: r.addr,
          length: r.len,
          bytes: hexOf(w.buf, off, r.len, style),
          text,
          kind: "insn",
          invalid: false,
        };
        if (refs.branch !== undefined) line.target = refs.branch;
        const label = labelAt(r.addr, sym);
        if (label !== undefined) line.symbol = label;
        lines[k] = line;
        continue;
      }
      lines[k] = {
        address: r.addr,
        length: r.len,
        bytes: hexOf(w.buf, off, r.len, style),
        text,
        kind: "bad",
        invalid: true,
      };
    }
  } finally {
    dec?.free();
  }
  return lines;
}

/**
 * Exactly `count` lines: the instruction `offset` instructions away from the one at `address` (negative
 * = before it) and the ones after it, decoded in `bits` mode.
 */
export function disassemble(
  mem: MemoryReader,
  address: number,
  offset: number,
  count: number,
  bits: 32 | 64,
  symbols?: SymbolResolver,
  options: DisasmOptions = {},
): DisasmLine[] {
  const style = options.style ?? "intel";
  count = Math.max(0, Math.floor(count));
  offset = Math.trunc(offset);
  if (count === 0) return [];
  let raws: Raw[];
  if (offset >= 0) {
    raws = forward(mem, address, offset + count, bits).slice(offset);
  } else {
    const back = backward(mem, address, -offset, bits, symbols);
    const fwdCount = offset + count;
    raws = fwdCount > 0 ? back.concat(forward(mem, address, fwdCount, bits)) : back.slice(0, count);
  }
  return render(mem, raws, bits, symbols, style);
}

// ------------------------------------------------------------------------------------------ symbol table

/** A symbol of a module (absolute address). */
export interface ModuleSymbol {
  name: string;
  address: number;
  /** Bytes, when known (0 or absent: up to the next symbol). */
  size?: number;
}

/** A module for `SymbolTable`: its symbols and, for x64 images, the `.pdata` function ranges. */
export interface SymbolModule {
  /** The name used in `module!symbol` (WinDbg: the file name without extension, e.g. `ntdll`). */
  name: string;
  base: number;
  size: number;
  symbols: readonly ModuleSymbol[];
  /** Absolute [begin, end) ranges of functions (RUNTIME_FUNCTION), any order. */
  functions?: readonly (readonly [number, number])[];
}

interface ModuleEntry {
  name: string;
  lower: string;
  base: number;
  end: number;
  /** Sorted by address. */
  syms: ModuleSymbol[];
  byName: Map<string, number>;
  /** Sorted function ranges, flattened [begin0, end0, begin1, end1, …]. */
  funcs: number[];
}

/** The last index i with key(i) <= v in a sorted sequence, or -1. */
function floorIndex(n: number, key: (i: number) => number, v: number): number {
  let lo = 0;
  let hi = n - 1;
  let best = -1;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    if (key(mid) <= v) {
      best = mid;
      lo = mid + 1;
    } else hi = mid - 1;
  }
  return best;
}

/**
 * A `SymbolResolver` over loaded modules: `module!symbol+0xoff` by the nearest preceding symbol (WinDbg's
 * rule) unless that symbol has a size and ends before the address; `module+0xoff` otherwise. Function
 * starts from `.pdata` ranges, else from symbols with a size.
 */
export class SymbolTable implements SymbolResolver {
  private mods: ModuleEntry[] = [];

  constructor(modules: readonly SymbolModule[] = []) {
    for (const m of modules) this.add(m);
  }

  add(m: SymbolModule): void {
    const syms = [...m.symbols].sort((a, b) => a.address - b.address);
    const byName = new Map<string, number>();
    for (const s of syms) if (!byName.has(s.name.toLowerCase())) byName.set(s.name.toLowerCase(), s.address);
    const ranges = [...(m.functions ?? [])].sort((a, b) => a[0] - b[0]);
    const funcs: number[] = [];
    for (const [b, e] of ranges) funcs.push(b, e);
    this.remove(m.base);
    this.mods.push({
      name: m.name,
      lower: m.name.toLowerCase(),
      base: m.base,
      end: m.base + m.size,
      syms,
      byName,
      funcs,
    });
    this.mods.sort((a, b) => a.base - b.base);
  }

  remove(base: number): void {
    this.mods = this.mods.filter((m) => m.base !== base);
  }

  private moduleAt(addr: number): ModuleEntry | undefined {
    const i = floorIndex(this.mods.length, (k) => this.mods[k].base, addr);
    const m = i >= 0 ? this.mods[i] : undefined;
    return m !== undefined && addr < m.end ? m : undefined;
  }

  nameAt(addr: number): string | undefined {
    const m = this.moduleAt(addr);
    if (m === undefined) return undefined;
    let i = floorIndex(m.syms.length, (k) => m.syms[k].address, addr);
    const s = i >= 0 ? m.syms[i] : undefined;
    if (s !== undefined && s.size !== undefined && s.size > 0 && addr >= s.address + s.size) i = -1;
    const base = i >= 0 ? m.syms[i].address : m.base;
    const head = i >= 0 ? `${m.name}!${m.syms[i].name}` : m.name;
    const off = addr - base;
    return off === 0 ? head : `${head}+0x${off.toString(16)}`;
  }

  addressOf(name: string): number | undefined {
    const lower = name.toLowerCase();
    const bang = lower.indexOf("!");
    if (bang < 0) {
      const m = this.mods.find((x) => x.lower === lower);
      if (m !== undefined) return m.base;
      let found: number | undefined;
      for (const x of this.mods) {
        const a = x.byName.get(lower);
        if (a === undefined) continue;
        if (found !== undefined && found !== a) return undefined; // ambiguous
        found = a;
      }
      return found;
    }
    const mod = lower.slice(0, bang);
    const sym = lower.slice(bang + 1);
    for (const x of this.mods) {
      if (x.lower !== mod) continue;
      const a = x.byName.get(sym);
      if (a !== undefined) return a;
    }
    return undefined;
  }

  functionStart(addr: number): number | undefined {
    const m = this.moduleAt(addr);
    if (m === undefined) return undefined;
    if (m.funcs.length > 0) {
      const i = floorIndex(m.funcs.length / 2, (k) => m.funcs[2 * k], addr);
      if (i >= 0 && addr < m.funcs[2 * i + 1]) return m.funcs[2 * i];
    }
    const i = floorIndex(m.syms.length, (k) => m.syms[k].address, addr);
    if (i < 0) return undefined;
    const s = m.syms[i];
    return s.size !== undefined && s.size > 0 && addr < s.address + s.size ? s.address : undefined;
  }

  complete(prefix: string, max: number): string[] {
    const lower = prefix.toLowerCase();
    const out: string[] = [];
    const bang = lower.indexOf("!");
    if (bang < 0) {
      for (const m of this.mods) if (m.lower.startsWith(lower)) out.push(`${m.name}!`);
      return out.sort().slice(0, max);
    }
    const mod = lower.slice(0, bang);
    const rest = lower.slice(bang + 1);
    for (const m of this.mods) {
      if (m.lower !== mod) continue;
      for (const s of m.syms) if (s.name.toLowerCase().startsWith(rest)) out.push(`${m.name}!${s.name}`);
    }
    return [...new Set(out)].sort((a, b) => a.localeCompare(b, "en", { sensitivity: "base" })).slice(0, max);
  }
}
