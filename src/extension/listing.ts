/**
 * Module listings: the disassembly of a whole PE image as a read-only document of language `x86-listing`,
 * served by the listing language server (`dist/language-server.js`, see src/language/README.md) through
 * `vscode-languageclient`. The server answers hover (instruction anatomy), definition, references and
 * document symbols; this file starts it, registers the `wowdbg-listing:` content provider that asks it for
 * a listing's text, and contributes "Open Module Listing" for a .exe/.dll file (Explorer, editor, palette)
 * or a module of the live process (its bytes read through the adapter's `readMemory`).
 *
 * Breakpoints set in a listing become instruction breakpoints: the adapter answers `setBreakpoints` for a
 * `wowdbg-listing:` source by sending the custom event `wowdbg.resolveListingBreakpoints` with the lines;
 * `ListingBreakpoints` asks the server for each line's RVA (`wowdbg/addressAtLine`), rebases it to where
 * the module is loaded in that session (DAP `modules`) and answers with the custom request
 * `wowdbg.listingBreakpoints`.
 */
import * as path from "node:path";
import * as vscode from "vscode";
import type { DebugProtocol } from "@vscode/debugprotocol";
import { LanguageClient, TransportKind } from "vscode-languageclient/node";
import { DEBUG_TYPE } from "./config";

export const LISTING_SCHEME = "wowdbg-listing";
export const LISTING_LANGUAGE = "x86-listing";

/** The listing URI of a PE file path (as `listingUriOf` in src/language/service.ts). */
export function listingUriOf(filePath: string): string {
  let p = filePath.replace(/\\/g, "/");
  if (!p.startsWith("/")) p = "/" + p;
  return `${LISTING_SCHEME}:${p
    .split("/")
    .map((s) => encodeURIComponent(s))
    .join("/")}.lst`;
}

/** The PE file a listing URI names (as `pathOfListingUri` in src/language/service.ts). */
export function pathOfListingUri(uri: string): string {
  const colon = uri.indexOf(":");
  let rest = colon >= 0 ? uri.slice(colon + 1) : uri;
  const q = rest.search(/[?#]/);
  if (q >= 0) rest = rest.slice(0, q);
  if (rest.startsWith("//")) rest = rest.slice(rest.indexOf("/", 2));
  let p = decodeURIComponent(rest);
  if (p.endsWith(".lst")) p = p.slice(0, -4);
  if (/^\/[A-Za-z]:/.test(p)) p = p.slice(1);
  return p;
}

interface ListingResult {
  text: string;
  module: string;
  bits: 32 | 64;
  imageBase: number;
  size: number;
  entryPoint: number | null;
}

interface AddressAtLineResult {
  address: number;
  rva: number;
  imageBase: number;
  module: string;
}

/** A module of the live process, as the Modules view or DAP `modules` gives it. */
interface LiveModule {
  name: string;
  path?: string;
  base: number;
  size: number;
}

function baseName(p: string): string {
  return (p.split(/[\\/]/).pop() ?? p).toLowerCase();
}

function moduleStem(p: string): string {
  return baseName(p).replace(/\.(exe|dll|sys|drv|ocx|cpl)$/, "");
}

/** A DAP module's base and size from its `addressRange` ("0x…-0x…"). */
function liveModule(m: DebugProtocol.Module): LiveModule | undefined {
  const r = /^(0x[0-9a-f]+)-(0x[0-9a-f]+)$/i.exec(m.addressRange ?? "");
  if (r === null) return undefined;
  const base = Number(r[1]);
  return { name: m.name, path: m.path, base, size: Number(r[2]) - base };
}

export class ListingService implements vscode.Disposable {
  private client: LanguageClient | undefined;
  private starting: Promise<LanguageClient> | undefined;
  private readonly disposables: vscode.Disposable[] = [];

  constructor(private readonly serverModule: string) {}

  /** The language client, started on first use (activation stays cheap). */
  async ready(): Promise<LanguageClient> {
    if (this.client !== undefined) return this.client;
    this.starting ??= (async () => {
      const c = new LanguageClient(
        "wowdbg-listing",
        "wowdbg listings",
        {
          run: { module: this.serverModule, transport: TransportKind.ipc },
          debug: { module: this.serverModule, transport: TransportKind.ipc },
        },
        { documentSelector: [{ scheme: LISTING_SCHEME, language: LISTING_LANGUAGE }] },
      );
      await c.start();
      this.client = c;
      return c;
    })();
    return this.starting;
  }

  async listing(
    uri: string,
    image?: { base64: string; base: number; module?: string },
  ): Promise<ListingResult> {
    const c = await this.ready();
    return c.sendRequest<ListingResult>("wowdbg/listing", image === undefined ? { uri } : { uri, image });
  }

  async addressAtLine(uri: string, line: number): Promise<AddressAtLineResult | null> {
    const c = await this.ready();
    return c.sendRequest<AddressAtLineResult | null>("wowdbg/addressAtLine", { uri, line });
  }

  async lineAtAddress(uri: string, address: number): Promise<number | undefined> {
    const c = await this.ready();
    const r = await c.sendRequest<{ line: number } | null>("wowdbg/lineAtAddress", { uri, address });
    return r?.line;
  }

  /** Opens a listing URI as an `x86-listing` document. */
  async show(uri: string): Promise<vscode.TextEditor> {
    const doc = await vscode.workspace.openTextDocument(vscode.Uri.parse(uri));
    const typed =
      doc.languageId === LISTING_LANGUAGE
        ? doc
        : await vscode.languages.setTextDocumentLanguage(doc, LISTING_LANGUAGE);
    return vscode.window.showTextDocument(typed, { preview: false });
  }

  /** The listing of a PE file on disk. */
  async openFile(file: vscode.Uri): Promise<vscode.TextEditor> {
    return this.show(listingUriOf(file.fsPath));
  }

  /** The listing of a module as mapped in the live process (its bytes read through the adapter). */
  async openLive(session: vscode.DebugSession, m: LiveModule): Promise<vscode.TextEditor> {
    const r = (await session.customRequest("readMemory", {
      memoryReference: "0x" + m.base.toString(16),
      count: m.size,
    })) as DebugProtocol.ReadMemoryResponse["body"];
    if (r?.data === undefined) throw new Error(`cannot read ${m.name} at 0x${m.base.toString(16)}`);
    const uri = `${LISTING_SCHEME}:/live/${encodeURIComponent(session.id)}/${encodeURIComponent(
      baseName(m.path ?? m.name),
    )}@${m.base.toString(16)}.lst`;
    await this.listing(uri, { base64: r.data, base: m.base, module: moduleStem(m.path ?? m.name) });
    return this.show(uri);
  }

  /**
   * Shows the code at `address` of a live process: the listing of the module containing it (opened from
   * the process's memory), the line covering that address selected. False when no module holds the
   * address or no listing line covers it.
   */
  async revealLive(session: vscode.DebugSession, address: number): Promise<boolean> {
    const body = (await session.customRequest("modules", {})) as DebugProtocol.ModulesResponse["body"];
    const m = (body?.modules ?? [])
      .map(liveModule)
      .find((x): x is LiveModule => x !== undefined && address >= x.base && address < x.base + x.size);
    if (m === undefined) return false;
    const editor = await this.openLive(session, m);
    const line = await this.lineAtAddress(editor.document.uri.toString(), address);
    if (line === undefined || line < 0) return false;
    const pos = new vscode.Position(line, 0);
    editor.selection = new vscode.Selection(pos, editor.document.lineAt(line).range.end);
    editor.revealRange(new vscode.Range(pos, pos), vscode.TextEditorRevealType.InCenter);
    return true;
  }

  dispose(): void {
    for (const d of this.disposables) d.dispose();
    void this.client?.stop();
  }
}

interface ResolveEvent {
  seq: number;
  path: string;
  lines: number[];
}

/**
 * Resolves the lines of a listing's source breakpoints to addresses in a session (see the file comment).
 * Lines are 1-based as the adapter speaks them (`linesStartAt1`); the server's are 0-based.
 */
export class ListingBreakpoints implements vscode.Disposable {
  private readonly disposable: vscode.Disposable;

  constructor(private readonly listings: ListingService) {
    this.disposable = vscode.debug.onDidReceiveDebugSessionCustomEvent((e) => {
      if (e.session.type !== DEBUG_TYPE || e.event !== "wowdbg.resolveListingBreakpoints") return;
      void this.resolve(e.session, e.body as ResolveEvent);
    });
  }

  private async resolve(session: vscode.DebugSession, ev: ResolveEvent): Promise<void> {
    const addresses: (number | null)[] = [];
    const messages: (string | null)[] = [];
    try {
      const mods = (
        ((await session.customRequest("modules", {})) as DebugProtocol.ModulesResponse["body"])?.modules ?? []
      )
        .map(liveModule)
        .filter((m): m is LiveModule => m !== undefined);
      const live = /^\/live\//.test(pathOfListingUri(ev.path).replace(/^[A-Za-z]:/, ""));
      const file = baseName(pathOfListingUri(ev.path));
      for (const line of ev.lines) {
        const a = await this.listings.addressAtLine(ev.path, line - 1).catch(() => null);
        if (a === null) {
          addresses.push(null);
          messages.push("no instruction on this line");
          continue;
        }
        if (live) {
          addresses.push(a.address);
          messages.push(null);
          continue;
        }
        const m =
          mods.find((x) => baseName(x.path ?? x.name) === file) ??
          mods.find((x) => moduleStem(x.name) === a.module.toLowerCase());
        if (m === undefined) {
          addresses.push(null);
          messages.push(`${a.module} is not loaded in this session`);
        } else {
          addresses.push(m.base + a.rva);
          messages.push(null);
        }
      }
    } catch (e) {
      while (addresses.length < ev.lines.length) {
        addresses.push(null);
        messages.push(e instanceof Error ? e.message : String(e));
      }
    }
    await session.customRequest("wowdbg.listingBreakpoints", { seq: ev.seq, addresses, messages }).then(
      () => undefined,
      () => undefined,
    );
  }

  dispose(): void {
    this.disposable.dispose();
  }
}

/** A module node from the Modules view, or anything carrying a path and a base. */
function asLiveModule(x: unknown): LiveModule | undefined {
  if (typeof x !== "object" || x === null) return undefined;
  const o = x as Partial<LiveModule>;
  if (typeof o.base !== "number" || typeof o.size !== "number" || typeof o.name !== "string")
    return undefined;
  return { name: o.name, path: o.path, base: o.base, size: o.size };
}

async function pickModule(session: vscode.DebugSession): Promise<LiveModule | undefined> {
  const body = (await session.customRequest("modules", {})) as DebugProtocol.ModulesResponse["body"];
  const mods = (body?.modules ?? []).map(liveModule).filter((m): m is LiveModule => m !== undefined);
  const pick = await vscode.window.showQuickPick(
    mods.map((m) => ({ label: m.name, description: "0x" + m.base.toString(16), detail: m.path, m })),
    { placeHolder: "A module of the debugged process" },
  );
  return pick?.m;
}

export function registerListings(context: vscode.ExtensionContext): ListingService {
  const listings = new ListingService(context.asAbsolutePath(path.join("dist", "language-server.js")));
  context.subscriptions.push(
    listings,
    new ListingBreakpoints(listings),
    vscode.workspace.registerTextDocumentContentProvider(LISTING_SCHEME, {
      provideTextDocumentContent: async (uri) => (await listings.listing(uri.toString())).text,
    }),
    vscode.commands.registerCommand("wowdbg.openListing", async (arg?: unknown) => {
      try {
        const live = asLiveModule(arg);
        const session = vscode.debug.activeDebugSession;
        if (live !== undefined && session?.type === DEBUG_TYPE) return await listings.openLive(session, live);
        let file = arg instanceof vscode.Uri ? arg : vscode.window.activeTextEditor?.document.uri;
        if (file === undefined || file.scheme !== "file" || !/\.(exe|dll)$/i.test(file.fsPath)) {
          if (session?.type === DEBUG_TYPE) {
            const m = await pickModule(session);
            return m === undefined ? undefined : await listings.openLive(session, m);
          }
          const picked = await vscode.window.showOpenDialog({
            canSelectMany: false,
            filters: { "Windows modules": ["exe", "dll"] },
            openLabel: "Open Listing",
          });
          file = picked?.[0];
        }
        return file === undefined ? undefined : await listings.openFile(file);
      } catch (e) {
        void vscode.window.showErrorMessage(`wowdbg: ${e instanceof Error ? e.message : String(e)}`);
        return undefined;
      }
    }),
  );
  return listings;
}
