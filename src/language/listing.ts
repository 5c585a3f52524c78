/**
 * Module listings: the disassembly of a whole PE image as a text document, one line per instruction, with
 * the line ↔ address mapping, symbols, branch targets and references the language server answers from.
 *
 * Built on the PE parser (`src/windows/pe`) and iced-x86 (boundaries, Intel-syntax text, branch targets and
 * memory references), so it needs nothing from `src/debugger`. Our own decoder (`src/cpu/decoder`) is used for
 * the anatomy shown on hover (`hover.ts`).
 *
 * Layout of a listing (the TextMate grammar `syntaxes/x86-listing.tmLanguage.json` colours it):
 *
 * ```
 * ; wowdbg listing of /path/hello64.exe
 * ; PE32+ (x64)  image base 00000001`40000000  entry 00000001`40001000 hello64!entry
 *
 * ; section .text  00000001`40001000 - 00000001`400010a0  r-x  code
 * hello64!entry:
 * 00000001`40001000  48 83 EC 48                     sub rsp, 48h
 * 00000001`40001009  FF 15 41 50 00 00               call qword ptr [hello64!__imp_GetStdHandle]
 * 00000001`40001080  FF FF FF FF FF FF FF            db 0FFh, 0FFh, 0FFh, 0FFh, 0FFh, 0FFh, 0FFh
 * 00000001`40002000  00                              db 10h dup (0)
 * ```
 *
 * Addresses are at the image base the listing was made for (the preferred base for a file, the load base
 * for a live image). Code sections are swept linearly; the sweep restarts at every known function start
 * (x64 `.pdata` BeginAddress, exports, the entry point) so a misdecoded gap cannot hide a function; bytes
 * that decode to nothing valid become `db` lines, runs of 16+ zero bytes one `dup (0)` line. Other sections
 * are listed as `db` lines of 8 bytes (up to `DATA_LIMIT` bytes per section). An import thunk called
 * directly (`jmp [__imp_X]`) is named `X`.
 */
import { Decoder, DecoderOptions, Formatter, FormatterSyntax, Instruction, OpKind } from "iced-x86";
import {
  IMAGE_SCN_CNT_CODE,
  IMAGE_SCN_MEM_EXECUTE,
  IMAGE_SCN_MEM_READ,
  IMAGE_SCN_MEM_WRITE,
  mapImage,
  parsePe,
  type PeImage,
  type Section,
} from "../windows/pe";

export type SymbolKind = "function" | "entry" | "export" | "data" | "import";

export interface ListingSymbol {
  /** The bare name: `add`, `sub_1400010F4`, `__imp_GetStdHandle`, `entry`. */
  name: string;
  /** `module!name`, as the listing prints it. */
  qualified: string;
  address: number;
  kind: SymbolKind;
  /** Exported by name or ordinal. */
  exported: boolean;
  /** Bytes, when known (a `.pdata` range, an IAT slot); 0 = unknown. */
  size: number;
  /** Line of its label (`name:`), -1 when it has none (an address inside no listed line). */
  line: number;
  /** Last line of the function or data item (inclusive), for document symbol ranges. */
  endLine: number;
}

export type LineKind = "comment" | "blank" | "label" | "insn" | "data";

export interface ListingLine {
  kind: LineKind;
  /** insn/data lines: the first byte; label lines: the address they name. */
  address: number;
  /** Bytes the line covers (0 for label/comment/blank lines). */
  length: number;
  /** Direct branch target (call/jmp/jcc/loop), when there is one. */
  target?: number;
  /** Whether the direct branch is a call. */
  call?: boolean;
  /** Addresses the instruction refers to by memory operand or address-like immediate. */
  refs?: number[];
  /** Label lines: the symbol. */
  symbol?: ListingSymbol;
}

export interface Listing {
  /** Where the image came from (file path or a description of the live image). */
  source: string;
  /** Module name used in `module!symbol` (the file name without extension). */
  module: string;
  bits: 32 | 64;
  imageBase: number;
  /** The image's preferred base from its header (differs from imageBase for a rebased live image). */
  preferredBase: number;
  size: number;
  entryPoint: number | undefined;
  text: string;
  lines: ListingLine[];
  /** Every symbol, sorted by address. */
  symbols: ListingSymbol[];
  /** The mapped image (index = address - imageBase). */
  image: Uint8Array;
  sections: readonly Section[];
  /** Per section: its header comment line and its last line. */
  sectionLines: { name: string; code: boolean; line: number; endLine: number }[];
}

export interface ListingOptions {
  /** The name in `module!symbol`; default: derived from `source`. */
  module?: string;
  /** `bytes` is the image as mapped in memory (a live module), not a file. */
  mapped?: boolean;
  /** The base the image is listed at; default: the header's ImageBase. */
  imageBase?: number;
}

/** Bytes of a data section listed at most; the rest is summarised in a comment. */
export const DATA_LIMIT = 0x4000;
/** Width of the bytes column (10 bytes: "XX " * 10 - 1, plus padding). */
const BYTES_COL = 32;
/** Zero runs at least this long become one `db N dup (0)` line. */
const ZERO_RUN = 16;

/** An address as WinDbg prints it: `0040100a` (32-bit), `00000001`40001000` (64-bit). */
export function formatAddress(addr: number, bits: 32 | 64): string {
  if (bits === 32 && addr <= 0xffffffff) return addr.toString(16).padStart(8, "0");
  const s = addr.toString(16).padStart(16, "0");
  return s.slice(0, 8) + "`" + s.slice(8);
}

/** Parse an address as the listing prints it (backtick allowed, optional `0x`). */
export function parseAddress(s: string): number | undefined {
  const t = s.replace(/`/g, "").replace(/^0x/i, "");
  if (!/^[0-9a-fA-F]{1,16}$/.test(t)) return undefined;
  const v = Number.parseInt(t, 16);
  return Number.isSafeInteger(v) ? v : undefined;
}

/** The module name of a path: file name without its extension (`C:\x\ntdll.dll` → `ntdll`). */
export function moduleNameOf(path: string): string {
  const base = path.split(/[\\/]/).pop() ?? path;
  const dot = base.lastIndexOf(".");
  return (dot > 0 ? base.slice(0, dot) : base) || "module";
}

/**
 * A mapped image (section i at its RVA) turned into a file the PE parser accepts: every section's raw data
 * pointer is set to its RVA, so file offsets and RVAs coincide.
 */
export function unmapImage(mapped: Uint8Array): Uint8Array {
  const file = mapped.slice();
  const dv = new DataView(file.buffer, file.byteOffset, file.byteLength);
  const nt = dv.getUint32(0x3c, true);
  const count = dv.getUint16(nt + 6, true);
  const optSize = dv.getUint16(nt + 20, true);
  const table = nt + 24 + optSize;
  for (let i = 0; i < count; i++) {
    const h = table + 40 * i;
    if (h + 40 > file.length) break;
    const vsize = dv.getUint32(h + 8, true);
    const va = dv.getUint32(h + 12, true);
    const raw = dv.getUint32(h + 16, true);
    const avail = Math.max(0, file.length - va);
    dv.setUint32(h + 16, Math.min(Math.max(vsize, raw), avail), true);
    dv.setUint32(h + 20, Math.min(va, file.length), true);
  }
  return file;
}

function isCode(s: Section): boolean {
  return (s.characteristics & (IMAGE_SCN_MEM_EXECUTE | IMAGE_SCN_CNT_CODE)) !== 0;
}

function protection(s: Section): string {
  const c = s.characteristics;
  return (
    ((c & IMAGE_SCN_MEM_READ) !== 0 ? "r" : "-") +
    ((c & IMAGE_SCN_MEM_WRITE) !== 0 ? "w" : "-") +
    ((c & IMAGE_SCN_MEM_EXECUTE) !== 0 ? "x" : "-")
  );
}

function hex2(b: number): string {
  return b.toString(16).toUpperCase().padStart(2, "0");
}

/** A byte as MASM writes it: `0FFh`, `48h`, `0`. */
function masmByte(b: number): string {
  if (b === 0) return "0";
  const h = b.toString(16).toUpperCase();
  return (/^[A-F]/.test(h) ? "0" : "") + h + "h";
}

function masmNumber(v: number): string {
  const h = v.toString(16).toUpperCase();
  return (/^[A-F]/.test(h) ? "0" : "") + h + "h";
}

interface Raw {
  addr: number;
  len: number;
  /** 0 insn, 1 db (bytes), 2 zero run. */
  kind: 0 | 1 | 2;
  text?: string;
  target?: number;
  call?: boolean;
  refs?: number[];
}

interface SymDraft {
  name: string;
  address: number;
  kind: SymbolKind;
  exported: boolean;
  size: number;
}

let formatter: Formatter | undefined;

function intelFormatter(): Formatter {
  if (formatter === undefined) {
    formatter = new Formatter(FormatterSyntax.Intel);
    formatter.spaceAfterOperandSeparator = true;
    formatter.showBranchSize = false;
  }
  return formatter;
}

/** Decode `[start, end)` of the image linearly, restarting at every `stops` address. */
function sweep(
  image: Uint8Array,
  base: number,
  start: number,
  end: number,
  bits: 32 | 64,
  stops: readonly number[],
): Raw[] {
  const out: Raw[] = [];
  const lo = start - base;
  const buf = image.subarray(lo, end - base);
  const dec = new Decoder(bits, buf, DecoderOptions.None);
  const insn = new Instruction();
  const fmt = intelFormatter();
  let si = 0;
  const pendingDb: number[] = [];
  let dbStart = 0;
  const flushDb = (): void => {
    if (pendingDb.length === 0) return;
    out.push({ addr: dbStart, len: pendingDb.length, kind: 1 });
    pendingDb.length = 0;
  };
  const pushDb = (addr: number): void => {
    if (pendingDb.length === 0) dbStart = addr;
    pendingDb.push(addr);
    if (pendingDb.length === 8) flushDb();
  };
  try {
    let p = start;
    while (p < end) {
      while (si < stops.length && stops[si] <= p) si++;
      const limit = si < stops.length ? Math.min(stops[si], end) : end;
      const off = p - start;
      // A run of zero bytes (padding) becomes one line.
      let z = 0;
      while (p + z < limit && buf[off + z] === 0) z++;
      if (z >= ZERO_RUN) {
        flushDb();
        out.push({ addr: p, len: z, kind: 2 });
        p += z;
        continue;
      }
      dec.position = off;
      dec.ip = BigInt(p);
      dec.decodeOut(insn);
      const len = insn.length;
      if (insn.isInvalid || len === 0 || p + len > limit) {
        pushDb(p);
        p++;
        if (p === limit) flushDb();
        continue;
      }
      flushDb();
      const r: Raw = { addr: p, len, kind: 0, text: fmt.format(insn) };
      if (
        insn.isCallNear ||
        insn.isJmpShortOrNear ||
        insn.isJccShortOrNear ||
        insn.isLoop ||
        insn.isLoopcc ||
        insn.isJcxShort
      ) {
        r.target = Number(insn.nearBranchTarget);
        if (insn.isCallNear) r.call = true;
      }
      const refs: number[] = [];
      for (let k = 0; k < insn.opCount; k++) {
        const kind = insn.opKind(k);
        if (kind === OpKind.Memory) {
          if (insn.isIpRelMemoryOperand) refs.push(Number(insn.ipRelMemoryAddress));
          else if (insn.memoryBase === 0 && insn.memoryIndex === 0) {
            const d = Number(BigInt.asUintN(bits, insn.memoryDisplacement));
            if (d >= 0x10000) refs.push(d);
          }
        } else if (
          kind === OpKind.Immediate32 ||
          kind === OpKind.Immediate64 ||
          kind === OpKind.Immediate32to64
        ) {
          const v = Number(BigInt.asUintN(bits, insn.immediate(k)));
          if (v >= 0x10000) refs.push(v);
        }
      }
      if (refs.length > 0) r.refs = refs;
      out.push(r);
      p += len;
    }
    flushDb();
  } finally {
    insn.free();
    dec.free();
  }
  return out;
}

/** `db` lines of 8 bytes for a data section, zero runs folded. */
function dataLines(image: Uint8Array, base: number, start: number, end: number): Raw[] {
  const out: Raw[] = [];
  let p = start;
  while (p < end) {
    let z = 0;
    while (p + z < end && image[p - base + z] === 0) z++;
    if (z >= ZERO_RUN) {
      out.push({ addr: p, len: z, kind: 2 });
      p += z;
      continue;
    }
    // Up to 8 bytes, stopping before a zero run so it gets its own line.
    let n = 0;
    while (n < 8 && p + n < end) {
      let zz = 0;
      while (p + n + zz < end && image[p - base + n + zz] === 0 && zz < ZERO_RUN) zz++;
      if (zz >= ZERO_RUN) break;
      n++;
    }
    if (n === 0) n = 1;
    out.push({ addr: p, len: n, kind: 1 });
    p += n;
  }
  return out;
}

const HEX_TOKEN = /\b[0-9][0-9A-F]*h\b/g;

/** Build the listing of a PE image (file bytes, or the mapped image with `options.mapped`). */
export function buildListing(bytes: Uint8Array, source: string, options: ListingOptions = {}): Listing {
  const file = options.mapped === true ? unmapImage(bytes) : bytes;
  const pe: PeImage = parsePe(file);
  const image = options.mapped === true ? bytes : mapImage(file, pe);
  const base = options.imageBase ?? pe.imageBase;
  const bits = pe.bits;
  const module = options.module ?? moduleNameOf(source);
  const end = base + image.length;
  const inImage = (a: number): boolean => a >= base && a < end;
  const codeSections = pe.sections.filter(isCode);
  const inCode = (a: number): boolean =>
    codeSections.some((s) => a >= base + s.virtualAddress && a < base + s.virtualAddress + s.memorySize);

  // ---- symbols known before disassembly
  const drafts = new Map<number, SymDraft>();
  const add = (d: SymDraft): void => {
    const old = drafts.get(d.address);
    if (old === undefined) drafts.set(d.address, d);
    else {
      if (d.exported && !old.exported) {
        old.name = d.name;
        old.exported = true;
        if (old.kind === "data" && d.kind !== "data") old.kind = d.kind;
      }
      if (old.size === 0) old.size = d.size;
    }
  };
  if (pe.exports !== undefined) {
    for (const e of pe.exports.exports) {
      if (e.forwarder !== undefined) continue;
      const a = base + e.rva;
      const name = e.names[0] ?? `Ordinal${e.ordinal}`;
      add({ name, address: a, kind: inCode(a) ? "export" : "data", exported: true, size: 0 });
    }
  }
  const entryPoint = pe.entryPointRva !== 0 ? base + pe.entryPointRva : undefined;
  if (entryPoint !== undefined)
    add({ name: "entry", address: entryPoint, kind: "entry", exported: false, size: 0 });
  const ranges = new Map<number, number>();
  for (const f of pe.functions) {
    const a = base + f.beginRva;
    ranges.set(a, base + f.endRva);
    add({
      name: `sub_${a.toString(16).toUpperCase()}`,
      address: a,
      kind: "function",
      exported: false,
      size: f.endRva - f.beginRva,
    });
  }
  const slot = bits / 8;
  for (const imp of [...pe.imports, ...pe.delayImports]) {
    const dll = moduleNameOf(imp.name);
    imp.entries.forEach((e) => {
      const name = e.kind === "name" ? `__imp_${e.name}` : `__imp_${dll}#${e.ordinal}`;
      add({ name, address: base + e.iatRva, kind: "import", exported: false, size: slot });
    });
  }

  // ---- disassembly
  const stops = [...drafts.values()].filter((d) => inCode(d.address)).map((d) => d.address);
  stops.sort((a, b) => a - b);
  const perSection: { s: Section; raws: Raw[]; more: number }[] = [];
  for (const s of pe.sections) {
    const start = base + s.virtualAddress;
    const size = s.memorySize;
    if (isCode(s))
      perSection.push({ s, raws: sweep(image, base, start, start + size, bits, stops), more: 0 });
    else {
      const shown = Math.min(size, DATA_LIMIT);
      perSection.push({ s, raws: dataLines(image, base, start, start + shown), more: size - shown });
    }
  }

  // Direct call targets on an instruction boundary become functions; an import thunk (`jmp [__imp_X]`)
  // is named after its import.
  const starts = new Map<number, Raw>();
  for (const { raws } of perSection) for (const r of raws) if (r.kind === 0) starts.set(r.addr, r);
  for (const { raws } of perSection) {
    for (const r of raws) {
      if (r.call !== true || r.target === undefined || drafts.has(r.target)) continue;
      const t = r.target;
      const at = starts.get(t);
      if (at === undefined) continue;
      const slotRef =
        at.refs?.length === 1 && at.text?.startsWith("jmp ") ? drafts.get(at.refs[0]) : undefined;
      const name =
        slotRef !== undefined && slotRef.kind === "import"
          ? slotRef.name.slice("__imp_".length)
          : `sub_${t.toString(16).toUpperCase()}`;
      add({ name, address: t, kind: "function", exported: false, size: 0 });
    }
  }

  const sorted = [...drafts.values()].sort((a, b) => a.address - b.address);
  const symbols: ListingSymbol[] = sorted.map((d) => ({
    name: d.name,
    qualified: `${module}!${d.name}`,
    address: d.address,
    kind: d.kind,
    exported: d.exported,
    size: d.size,
    line: -1,
    endLine: -1,
  }));
  const byAddr = new Map<number, ListingSymbol>();
  for (const s of symbols) byAddr.set(s.address, s);

  /** `module!name` or `module!name+0x8` (inside a sized symbol), else undefined. */
  const nameOf = (a: number): string | undefined => {
    const exact = byAddr.get(a);
    if (exact !== undefined) return exact.qualified;
    let lo = 0;
    let hi = symbols.length - 1;
    let best = -1;
    while (lo <= hi) {
      const mid = (lo + hi) >> 1;
      if (symbols[mid].address <= a) {
        best = mid;
        lo = mid + 1;
      } else hi = mid - 1;
    }
    if (best < 0) return undefined;
    const s = symbols[best];
    return s.size > 0 && a < s.address + s.size
      ? `${s.qualified}+0x${(a - s.address).toString(16)}`
      : undefined;
  };
  const fold = (r: Raw): string => {
    const text = r.text ?? "";
    const names = new Map<number, string>();
    for (const a of [r.target, ...(r.refs ?? [])]) {
      if (a === undefined || !inImage(a) || names.has(a)) continue;
      const n = nameOf(a);
      if (n !== undefined) names.set(a, n);
    }
    if (names.size === 0) return text;
    return text.replace(HEX_TOKEN, (tok) => names.get(Number.parseInt(tok.slice(0, -1), 16)) ?? tok);
  };

  // ---- text
  const out: string[] = [];
  const lines: ListingLine[] = [];
  const push = (text: string, line: ListingLine): void => {
    out.push(text);
    lines.push(line);
  };
  const comment = (text: string): void => push(`; ${text}`, { kind: "comment", address: 0, length: 0 });
  const blank = (): void => push("", { kind: "blank", address: 0, length: 0 });
  comment(`wowdbg listing of ${source}`);
  comment(
    `${pe.format} (${bits === 64 ? "x64" : "x86"})  image base ${formatAddress(base, bits)}` +
      (entryPoint !== undefined
        ? `  entry ${formatAddress(entryPoint, bits)} ${nameOf(entryPoint) ?? ""}`
        : ""),
  );
  const sectionLines: Listing["sectionLines"] = [];
  for (const { s, raws, more } of perSection) {
    blank();
    const start = base + s.virtualAddress;
    const header = {
      name: s.name || "(unnamed)",
      code: isCode(s),
      line: lines.length,
      endLine: lines.length,
    };
    sectionLines.push(header);
    comment(
      `section ${s.name || "(unnamed)"}  ${formatAddress(start, bits)} - ${formatAddress(start + s.memorySize, bits)}  ` +
        `${protection(s)}  ${isCode(s) ? "code" : "data"}`,
    );
    for (const r of raws) {
      const sym = byAddr.get(r.addr);
      if (sym !== undefined) {
        sym.line = lines.length;
        push(`${sym.qualified}:`, { kind: "label", address: r.addr, length: 0, symbol: sym });
      }
      const addr = formatAddress(r.addr, bits);
      const at = r.addr - base;
      if (r.kind === 2) {
        push(`${addr}  ${"00".padEnd(BYTES_COL)}db ${masmNumber(r.len)} dup (0)`, {
          kind: "data",
          address: r.addr,
          length: r.len,
        });
        continue;
      }
      const bytes: string[] = [];
      for (let k = 0; k < r.len; k++) bytes.push(hex2(image[at + k]));
      const col = bytes.join(" ").padEnd(BYTES_COL - 2) + "  ";
      if (r.kind === 1) {
        const vals: string[] = [];
        let ascii = "";
        for (let k = 0; k < r.len; k++) {
          const b = image[at + k];
          vals.push(masmByte(b));
          ascii += b >= 0x20 && b < 0x7f ? String.fromCharCode(b) : ".";
        }
        push(`${addr}  ${col}db ${vals.join(", ")}  ; ${ascii}`, {
          kind: "data",
          address: r.addr,
          length: r.len,
        });
        continue;
      }
      const line: ListingLine = { kind: "insn", address: r.addr, length: r.len };
      if (r.target !== undefined) line.target = r.target;
      if (r.call === true) line.call = true;
      if (r.refs !== undefined) line.refs = r.refs;
      push(`${addr}  ${col}${fold(r)}`, line);
    }
    if (more > 0) comment(`… ${masmNumber(more)} more bytes of ${s.name} not listed`);
    header.endLine = lines.length - 1;
  }

  // ---- symbol extents
  const labelled = symbols.filter((s) => s.line >= 0);
  for (let k = 0; k < labelled.length; k++) {
    const s = labelled[k];
    const rangeEnd = ranges.get(s.address) ?? (s.size > 0 ? s.address + s.size : undefined);
    const nextLabel = k + 1 < labelled.length ? labelled[k + 1].line : lines.length;
    let last = s.line;
    for (let i = s.line + 1; i < nextLabel; i++) {
      const l = lines[i];
      if (l.kind === "comment" || l.kind === "blank") break;
      if (rangeEnd !== undefined && l.address >= rangeEnd) break;
      last = i;
    }
    s.endLine = last;
  }

  return {
    source,
    module,
    bits,
    imageBase: base,
    preferredBase: pe.imageBase,
    size: image.length,
    entryPoint,
    text: out.join("\n") + "\n",
    lines,
    symbols,
    image,
    sections: pe.sections,
    sectionLines,
  };
}

// ------------------------------------------------------------------------------------------- queries

/** The line holding `address` (an instruction or data line whose bytes cover it), or -1. */
export function lineAtAddress(l: Listing, address: number): number {
  // Address lines are in address order; binary search over them.
  const idx = addressLineIndex(l);
  let lo = 0;
  let hi = idx.length - 1;
  let best = -1;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    if (l.lines[idx[mid]].address <= address) {
      best = mid;
      lo = mid + 1;
    } else hi = mid - 1;
  }
  if (best < 0) return -1;
  const line = l.lines[idx[best]];
  return address < line.address + line.length ? idx[best] : -1;
}

const lineIndexCache = new WeakMap<Listing, number[]>();

function addressLineIndex(l: Listing): number[] {
  let idx = lineIndexCache.get(l);
  if (idx === undefined) {
    idx = [];
    for (let i = 0; i < l.lines.length; i++) {
      const k = l.lines[i].kind;
      if (k === "insn" || k === "data") idx.push(i);
    }
    lineIndexCache.set(l, idx);
  }
  return idx;
}

/**
 * The address a line stands for: an instruction or data line its first byte, a label line the address it
 * names; undefined for comments and blank lines.
 */
export function addressAtLine(l: Listing, line: number): number | undefined {
  const x = l.lines[line];
  if (x === undefined) return undefined;
  if (x.kind === "insn" || x.kind === "data" || x.kind === "label") return x.address;
  return undefined;
}

/** The symbol named `name` (`add`, `exports64!add`, case-insensitive), if any. */
export function symbolByName(l: Listing, name: string): ListingSymbol | undefined {
  const lower = name.toLowerCase();
  return l.symbols.find((s) => s.name.toLowerCase() === lower || s.qualified.toLowerCase() === lower);
}

/** Lines whose instruction refers to `address`: direct calls/jumps to it, then memory/immediate references. */
export function referencesTo(l: Listing, address: number): number[] {
  const out: number[] = [];
  for (let i = 0; i < l.lines.length; i++) {
    const x = l.lines[i];
    if (x.kind !== "insn") continue;
    if (x.target === address || (x.refs !== undefined && x.refs.includes(address))) out.push(i);
  }
  return out;
}
