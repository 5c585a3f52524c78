/**
 * The listing language server end to end: `startServer` on a vscode-languageserver connection over a pair of
 * PassThrough streams, driven by a plain JSON-RPC client (vscode-jsonrpc, re-exported by vscode-languageserver/node) as vscode-languageclient would:
 * initialize, the custom `wowdbg/listing` request, didOpen, hover, definition, references, document symbols,
 * and the line ↔ address requests used for breakpoints. Expected addresses: `objdump -d -M intel` of
 * test/fixtures/bin/dllclient64.exe (quoted in test/language.listing.test.ts).
 */
import * as assert from "node:assert/strict";
import * as fs from "node:fs";
import * as path from "node:path";
import { PassThrough } from "node:stream";
import {
  createConnection,
  createMessageConnection,
  type MessageConnection,
  StreamMessageReader,
  StreamMessageWriter,
} from "vscode-languageserver/node";
import type { DocumentSymbol, Hover, InitializeResult, Location, MarkupContent } from "vscode-languageserver";
import {
  type AddressAtLineResult,
  type LineAtAddressResult,
  type ListingResult,
  listingUriOf,
  startServer,
} from "../src/language/service";
import { mapImage } from "../src/windows/pe";

const EXE = path.join(__dirname, "fixtures", "bin", "dllclient64.exe");

describe("language: server over JSON-RPC", () => {
  let client: MessageConnection;
  const uri = listingUriOf(EXE);
  let lines: string[] = [];
  const lineOf = (prefix: string): number => lines.findIndex((t) => t.startsWith(prefix));

  before(async () => {
    const toServer = new PassThrough();
    const toClient = new PassThrough();
    const server = createConnection(new StreamMessageReader(toServer), new StreamMessageWriter(toClient));
    startServer(server);
    client = createMessageConnection(new StreamMessageReader(toClient), new StreamMessageWriter(toServer));
    client.listen();
    const init = await client.sendRequest<InitializeResult>("initialize", {
      processId: null,
      rootUri: null,
      capabilities: {},
    });
    assert.equal(init.capabilities.hoverProvider, true);
    assert.equal(init.capabilities.definitionProvider, true);
    assert.equal(init.capabilities.referencesProvider, true);
    assert.equal(init.capabilities.documentSymbolProvider, true);
    await client.sendNotification("initialized", {});
  });

  after(() => client.dispose());

  it("serves the listing text and the document", async () => {
    const r = await client.sendRequest<ListingResult>("wowdbg/listing", { uri });
    assert.equal(r.module, "dllclient64");
    assert.equal(r.bits, 64);
    assert.equal(r.imageBase, 0x140000000);
    assert.equal(r.entryPoint, 0x1400010a0);
    lines = r.text.split("\n");
    assert.ok(lineOf("dllclient64!entry:") > 0);
    await client.sendNotification("textDocument/didOpen", {
      textDocument: { uri, languageId: "x86-listing", version: 1, text: r.text },
    });
  });

  it("hover, definition, references, symbols", async () => {
    const td = { uri };
    // 1400010af:	e8 40 00 00 00       	call   0x1400010f4
    const call = lineOf("00000001`400010af");
    const hover = await client.sendRequest<Hover | null>("textDocument/hover", {
      textDocument: td,
      position: { line: call, character: 52 },
    });
    const md = (hover?.contents as MarkupContent).value;
    assert.match(md, /\| opcode \| E8 \|/);
    assert.match(md, /\| immediate \| 00000040 \(4 bytes\) \|/);
    assert.match(md, /1\. branch target `0x1400010F4`/);

    const def = await client.sendRequest<Location | null>("textDocument/definition", {
      textDocument: td,
      position: { line: call, character: 52 },
    });
    assert.equal(def?.uri, uri);
    assert.equal(lines[def!.range.start.line], "dllclient64!add:");

    // references to sub_140001000 (called from 140001132)
    const label = lineOf("dllclient64!sub_140001000:");
    const refs = await client.sendRequest<Location[]>("textDocument/references", {
      textDocument: td,
      position: { line: label, character: 3 },
      context: { includeDeclaration: false },
    });
    assert.deepEqual(
      refs.map((r) => lines[r.range.start.line].slice(0, 17)),
      ["00000001`40001132"],
    );

    const syms = await client.sendRequest<DocumentSymbol[]>("textDocument/documentSymbol", {
      textDocument: td,
    });
    const text = syms.find((s) => s.name === ".text");
    // objdump -p: .pdata functions 140001000, 1400010a0 (entry), 140001110; direct call targets 1400010e0,
    // 1400010f4, 140001160, 140001168 (delay-load and import thunks, named after their import)
    assert.deepEqual(
      text?.children?.map((c) => c.name),
      ["sub_140001000", "entry", "exports#5", "add", "sub_140001110", "local_function", "forward#4"],
    );
  });

  it("maps lines to addresses for breakpoints", async () => {
    const call = lineOf("00000001`400010af");
    const a = await client.sendRequest<AddressAtLineResult | null>("wowdbg/addressAtLine", {
      uri,
      line: call,
    });
    assert.deepEqual(a, { address: 0x1400010af, rva: 0x10af, imageBase: 0x140000000, module: "dllclient64" });
    const b = await client.sendRequest<LineAtAddressResult | null>("wowdbg/lineAtAddress", {
      uri,
      address: 0x1400010b0,
    });
    assert.deepEqual(b, { line: call });
    const c = await client.sendRequest<LineAtAddressResult | null>("wowdbg/lineAtAddress", {
      uri,
      rva: 0x10af,
    });
    assert.deepEqual(c, { line: call });
    const none = await client.sendRequest<AddressAtLineResult | null>("wowdbg/addressAtLine", {
      uri,
      line: 0,
    });
    assert.equal(none, null);
  });

  it("accepts a live image", async () => {
    const mapped = mapImage(fs.readFileSync(path.join(__dirname, "fixtures", "bin", "exports64.dll")));
    const liveUri = "wowdbg-listing:/live/1234/exports64.dll@7ff600000000.lst";
    const r = await client.sendRequest<ListingResult>("wowdbg/listing", {
      uri: liveUri,
      image: { base64: Buffer.from(mapped).toString("base64"), base: 0x7ff600000000, module: "exports64" },
    });
    assert.equal(r.imageBase, 0x7ff600000000);
    assert.match(r.text, /\nexports64!add:\n00007ff6`00001000 {2}8D 04 11 /);
    const a = await client.sendRequest<LineAtAddressResult | null>("wowdbg/lineAtAddress", {
      uri: liveUri,
      address: 0x7ff600001003,
    });
    assert.equal(r.text.split("\n")[a!.line].slice(0, 17), "00007ff6`00001003");
  });
});
