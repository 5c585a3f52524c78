/**
 * The listing language server's handlers, on any `Connection` (stdio in `server.ts`, a pair of streams in
 * the tests). Protocol and URI scheme: `README.md` beside this file.
 */
import { readFileSync } from "node:fs";
import {
  type Connection,
  type DocumentSymbol,
  type Hover,
  type InitializeResult,
  type Location,
  MarkupKind,
  type Position,
  type Range,
  RequestType,
  SymbolKind,
  TextDocumentSyncKind,
} from "vscode-languageserver";
import { dataHover, instructionHover, symbolHover } from "./hover";
import {
  addressAtLine,
  buildListing,
  lineAtAddress,
  type Listing,
  type ListingSymbol,
  parseAddress,
  referencesTo,
  symbolByName,
} from "./listing";

export const LISTING_SCHEME = "wowdbg-listing";
export const LANGUAGE_ID = "x86-listing";

/** A live module's image, sent by the extension (the server cannot read the debuggee's memory). */
export interface LiveImage {
  /** The module's image as mapped in memory (SizeOfImage bytes from its base), base64. */
  base64: string;
  /** The load base. */
  base: number;
  /** The name used in `module!symbol`. */
  module?: string;
}

export interface ListingParams {
  uri: string;
  /** Only for live modules; without it the server reads the PE file named by the URI. */
  image?: LiveImage;
}
export interface ListingResult {
  text: string;
  module: string;
  bits: 32 | 64;
  /** The base the listing's addresses are at (the preferred base for a file). */
  imageBase: number;
  size: number;
  entryPoint: number | null;
}
export interface AddressAtLineParams {
  uri: string;
  /** 0-based. */
  line: number;
}
export interface AddressAtLineResult {
  /** The address in the listing, at `imageBase`. Rebase with `address - imageBase + loadBase`. */
  address: number;
  rva: number;
  imageBase: number;
  module: string;
}
export interface LineAtAddressParams {
  uri: string;
  /** An address at the listing's imageBase (or give `rva`). */
  address?: number;
  rva?: number;
}
export interface LineAtAddressResult {
  /** 0-based line of the instruction or data line covering the address. */
  line: number;
}

export const ListingRequest = new RequestType<ListingParams, ListingResult, void>("wowdbg/listing");
export const AddressAtLineRequest = new RequestType<AddressAtLineParams, AddressAtLineResult | null, void>(
  "wowdbg/addressAtLine",
);
export const LineAtAddressRequest = new RequestType<LineAtAddressParams, LineAtAddressResult | null, void>(
  "wowdbg/lineAtAddress",
);

/** The PE file a listing URI names: `wowdbg-listing:/c%3A/x/ntdll.dll.lst` → `c:/x/ntdll.dll`. */
export function pathOfListingUri(uri: string): string {
  const colon = uri.indexOf(":");
  let rest = colon >= 0 ? uri.slice(colon + 1) : uri;
  const q = rest.search(/[?#]/);
  if (q >= 0) rest = rest.slice(0, q);
  if (rest.startsWith("//")) rest = rest.slice(rest.indexOf("/", 2)); // an authority, ignored
  let path = decodeURIComponent(rest);
  if (path.endsWith(".lst")) path = path.slice(0, -4);
  if (/^\/[A-Za-z]:/.test(path)) path = path.slice(1); // Windows drive
  return path;
}

/** The listing URI of a PE file path. */
export function listingUriOf(path: string): string {
  let p = path.replace(/\\/g, "/");
  if (!p.startsWith("/")) p = "/" + p;
  return `${LISTING_SCHEME}:${p
    .split("/")
    .map((s) => encodeURIComponent(s))
    .join("/")}.lst`;
}

/** Listings by normalised key (the decoded path: clients encode URIs differently). */
export class ListingStore {
  private readonly byKey = new Map<string, Listing>();

  key(uri: string): string {
    return pathOfListingUri(uri).toLowerCase();
  }

  get(uri: string): Listing {
    const k = this.key(uri);
    let l = this.byKey.get(k);
    if (l === undefined) {
      const path = pathOfListingUri(uri);
      l = buildListing(readFileSync(path), path);
      this.byKey.set(k, l);
    }
    return l;
  }

  /** The listing if it exists or can be built; undefined (not an exception) otherwise. */
  tryGet(uri: string): Listing | undefined {
    try {
      return this.get(uri);
    } catch {
      return undefined;
    }
  }

  setLive(uri: string, image: LiveImage): Listing {
    const bytes = Uint8Array.from(Buffer.from(image.base64, "base64"));
    const l = buildListing(bytes, `live module at 0x${image.base.toString(16)}`, {
      mapped: true,
      imageBase: image.base,
      module: image.module ?? pathOfListingUri(uri).split("/").pop(),
    });
    this.byKey.set(this.key(uri), l);
    return l;
  }

  drop(uri: string): void {
    this.byKey.delete(this.key(uri));
  }
}

/** The token under the cursor: a symbol (`mod!name`, `name+0x10`), a MASM hex number or an address. */
export function tokenAt(lineText: string, character: number): string | undefined {
  const re = /[A-Za-z0-9_!@?$.#`]+(?:\+0x[0-9a-fA-F]+)?/g;
  for (let m = re.exec(lineText); m !== null; m = re.exec(lineText)) {
    if (character >= m.index && character <= m.index + m[0].length) return m[0];
  }
  return undefined;
}

/** The address a token stands for in a listing, if any. */
export function resolveToken(l: Listing, tok: string): number | undefined {
  const plus = /^(.+)\+0x([0-9a-fA-F]+)$/.exec(tok);
  if (plus !== null) {
    const s = symbolByName(l, plus[1]);
    return s !== undefined ? s.address + Number.parseInt(plus[2], 16) : undefined;
  }
  const s = symbolByName(l, tok.replace(/:$/, ""));
  if (s !== undefined) return s.address;
  if (/^[0-9][0-9A-Fa-f]*h$/.test(tok)) return Number.parseInt(tok.slice(0, -1), 16);
  if (/^[0-9a-f]{8}(`[0-9a-f]{8})?$/.test(tok)) return parseAddress(tok);
  return undefined;
}

function lineRange(l: Listing, line: number): Range {
  const text = lineText(l, line);
  return { start: { line, character: 0 }, end: { line, character: text.length } };
}

const textLines = new WeakMap<Listing, string[]>();
function lineText(l: Listing, line: number): string {
  let t = textLines.get(l);
  if (t === undefined) {
    t = l.text.split("\n");
    textLines.set(l, t);
  }
  return t[line] ?? "";
}

/** The line to show for an address: the label line of a symbol starting there, else the covering line. */
export function definitionLine(l: Listing, address: number): number {
  const line = lineAtAddress(l, address);
  if (line > 0) {
    const prev = l.lines[line - 1];
    if (prev.kind === "label" && prev.address === address) return line - 1;
  }
  return line;
}

function symbolOnLine(l: Listing, pos: Position): { symbol?: ListingSymbol; address?: number } {
  const tok = tokenAt(lineText(l, pos.line), pos.character);
  const address = tok !== undefined ? resolveToken(l, tok) : undefined;
  const symbol = tok !== undefined ? symbolByName(l, tok.replace(/:$/, "")) : undefined;
  return { symbol, address };
}

const SYMBOL_KINDS: Record<ListingSymbol["kind"], SymbolKind> = {
  function: SymbolKind.Function,
  entry: SymbolKind.Function,
  export: SymbolKind.Function,
  data: SymbolKind.Variable,
  import: SymbolKind.Variable,
};

/** Document symbols: per section, its exports, functions and entry point (imports left out). */
export function documentSymbols(l: Listing): DocumentSymbol[] {
  const out: DocumentSymbol[] = [];
  for (const sec of l.sectionLines) {
    const children: DocumentSymbol[] = [];
    for (const s of l.symbols) {
      if (s.line < sec.line || s.line > sec.endLine || s.kind === "import") continue;
      const detail = [s.exported ? "export" : "", s.kind === "entry" ? "entry point" : ""]
        .filter((x) => x)
        .join(", ");
      children.push({
        name: s.name,
        detail: detail || undefined,
        kind: SYMBOL_KINDS[s.kind],
        range: { start: { line: s.line, character: 0 }, end: lineRange(l, s.endLine).end },
        selectionRange: lineRange(l, s.line),
      });
    }
    if (children.length === 0) continue;
    out.push({
      name: sec.name,
      detail: sec.code ? "code" : "data",
      kind: SymbolKind.Namespace,
      range: { start: { line: sec.line, character: 0 }, end: lineRange(l, sec.endLine).end },
      selectionRange: lineRange(l, sec.line),
      children,
    });
  }
  return out;
}

export function hoverAt(l: Listing, pos: Position): Hover | null {
  const line = l.lines[pos.line];
  if (line === undefined) return null;
  const { symbol } = symbolOnLine(l, pos);
  const parts: string[] = [];
  if (symbol !== undefined) parts.push(symbolHover(l, symbol));
  if (line.kind === "insn") parts.push(instructionHover(l, line.address, lineText(l, pos.line)));
  else if (line.kind === "data") parts.push(dataHover(l, line.address, line.length));
  else if (line.kind === "label" && line.symbol !== undefined && symbol === undefined)
    parts.push(symbolHover(l, line.symbol));
  if (parts.length === 0) return null;
  return {
    contents: { kind: MarkupKind.Markdown, value: parts.join("\n\n---\n\n") },
    range: lineRange(l, pos.line),
  };
}

export function definitionAt(l: Listing, uri: string, pos: Position): Location | null {
  const line = l.lines[pos.line];
  if (line === undefined) return null;
  let { address } = symbolOnLine(l, pos);
  // A token that names nothing (a mnemonic, a register): the instruction's branch target or memory reference.
  if (address === undefined || lineAtAddress(l, address) < 0) address = line.target ?? line.refs?.[0];
  if (address === undefined) return null;
  const target = definitionLine(l, address);
  return target < 0 ? null : { uri, range: lineRange(l, target) };
}

export function referencesAt(
  l: Listing,
  uri: string,
  pos: Position,
  includeDeclaration: boolean,
): Location[] {
  if (l.lines[pos.line] === undefined) return [];
  // The address named under the cursor (a symbol, a number inside the image), else the line's own address.
  const { address: named } = symbolOnLine(l, pos);
  const address = named !== undefined && lineAtAddress(l, named) >= 0 ? named : addressAtLine(l, pos.line);
  if (address === undefined) return [];
  const out: Location[] = [];
  if (includeDeclaration) {
    const d = definitionLine(l, address);
    if (d >= 0) out.push({ uri, range: lineRange(l, d) });
  }
  for (const r of referencesTo(l, address)) out.push({ uri, range: lineRange(l, r) });
  return out;
}

/** Register every handler on `connection` and start listening. */
export function startServer(connection: Connection, store = new ListingStore()): ListingStore {
  connection.onInitialize((): InitializeResult => ({
    capabilities: {
      textDocumentSync: { openClose: true, change: TextDocumentSyncKind.None },
      hoverProvider: true,
      definitionProvider: true,
      referencesProvider: true,
      documentSymbolProvider: true,
    },
    serverInfo: { name: "wowdbg listing server" },
  }));
  connection.onDidOpenTextDocument(() => undefined);
  connection.onDidCloseTextDocument(() => undefined);
  connection.onRequest(ListingRequest, (p): ListingResult => {
    const l = p.image !== undefined ? store.setLive(p.uri, p.image) : store.get(p.uri);
    return {
      text: l.text,
      module: l.module,
      bits: l.bits,
      imageBase: l.imageBase,
      size: l.size,
      entryPoint: l.entryPoint ?? null,
    };
  });
  connection.onRequest(AddressAtLineRequest, (p): AddressAtLineResult | null => {
    const l = store.tryGet(p.uri);
    if (l === undefined) return null;
    const address = addressAtLine(l, p.line);
    if (address === undefined) return null;
    return { address, rva: address - l.imageBase, imageBase: l.imageBase, module: l.module };
  });
  connection.onRequest(LineAtAddressRequest, (p): LineAtAddressResult | null => {
    const l = store.tryGet(p.uri);
    if (l === undefined) return null;
    const address = p.address ?? (p.rva !== undefined ? l.imageBase + p.rva : undefined);
    if (address === undefined) return null;
    const line = lineAtAddress(l, address);
    return line < 0 ? null : { line };
  });
  connection.onHover((p) => {
    const l = store.tryGet(p.textDocument.uri);
    return l === undefined ? null : hoverAt(l, p.position);
  });
  connection.onDefinition((p) => {
    const l = store.tryGet(p.textDocument.uri);
    return l === undefined ? null : definitionAt(l, p.textDocument.uri, p.position);
  });
  connection.onReferences((p) => {
    const l = store.tryGet(p.textDocument.uri);
    return l === undefined
      ? []
      : referencesAt(l, p.textDocument.uri, p.position, p.context.includeDeclaration);
  });
  connection.onDocumentSymbol((p) => {
    const l = store.tryGet(p.textDocument.uri);
    return l === undefined ? [] : documentSymbols(l);
  });
  connection.listen();
  return store;
}
