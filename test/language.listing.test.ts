/**
 * Module listings (src/language/listing.ts) and the server's queries on them (src/language/service.ts), as
 * pure functions on the fixtures.
 *
 * Expected instructions were recorded with `x86_64-w64-mingw32-objdump -d -M intel FILE` on the committed
 * binaries (quoted in the comments: objdump's text; ours is iced-x86's Intel syntax, `0x48` → `48h`);
 * symbols from `objdump -p` (exports, .pdata function table, entry point).
 */
import * as assert from "node:assert/strict";
import * as fs from "node:fs";
import * as path from "node:path";
import {
  addressAtLine,
  buildListing,
  formatAddress,
  lineAtAddress,
  type Listing,
  referencesTo,
  symbolByName,
} from "../src/language/listing";
import {
  definitionAt,
  documentSymbols,
  hoverAt,
  listingUriOf,
  pathOfListingUri,
  referencesAt,
} from "../src/language/service";
import { mapImage } from "../src/windows/pe";

const BIN = path.join(__dirname, "fixtures", "bin");
const load = (name: string): Listing =>
  buildListing(fs.readFileSync(path.join(BIN, name)), path.join(BIN, name));
const textOf = (l: Listing, line: number): string => l.text.split("\n")[line];

/** The line at `addr` has these bytes and this instruction text. */
function expectLine(l: Listing, addr: number, bytes: string, text: string): number {
  const line = lineAtAddress(l, addr);
  assert.ok(line >= 0, `no line at ${addr.toString(16)}`);
  assert.equal(l.lines[line].address, addr);
  const t = textOf(l, line);
  assert.ok(t.startsWith(formatAddress(addr, l.bits) + "  " + bytes + " "), t);
  assert.equal(t.slice(t.indexOf("  ", formatAddress(addr, l.bits).length + 2 + bytes.length)).trim(), text);
  return line;
}

describe("language: module listing", () => {
  it("hello64.exe: instructions at objdump's addresses", () => {
    const l = load("hello64.exe");
    assert.equal(l.bits, 64);
    assert.equal(l.imageBase, 0x140000000);
    assert.equal(l.module, "hello64");
    assert.match(
      l.text,
      /^; wowdbg listing of .*hello64\.exe\n; PE32\+ \(x64\) {2}image base 00000001`40000000/,
    );
    // 140001000:	48 83 ec 48          	sub    rsp,0x48
    expectLine(l, 0x140001000, "48 83 EC 48", "sub rsp, 48h");
    // 140001004:	b9 f5 ff ff ff       	mov    ecx,0xfffffff5
    expectLine(l, 0x140001004, "B9 F5 FF FF FF", "mov ecx, 0FFFFFFF5h");
    // 140001009:	ff 15 41 50 00 00    	call   QWORD PTR [rip+0x5041]        # 0x140006050  (IAT: GetStdHandle)
    expectLine(l, 0x140001009, "FF 15 41 50 00 00", "call qword ptr [hello64!__imp_GetStdHandle]");
    // 14000100f:	48 8b 15 ea 0f 00 00 	mov    rdx,QWORD PTR [rip+0xfea]        # 0x140002000
    expectLine(l, 0x14000100f, "48 8B 15 EA 0F 00 00", "mov rdx, [140002000h]");
    // 14000102c:	48 c7 44 24 20 00 00 00 00 	mov    QWORD PTR [rsp+0x20],0x0
    expectLine(l, 0x14000102c, "48 C7 44 24 20 00 00 00 00", "mov qword ptr [rsp+20h], 0");
    // 140001042:	74 0a                	je     0x14000104e   (inside the .pdata function 0x1000-0x1055 = entry)
    expectLine(l, 0x140001042, "74 0A", "je hello64!entry+0x4e");
    // 14000104b:	0f 95 c1             	setne  cl
    expectLine(l, 0x14000104b, "0F 95 C1", "setne cl");
    // 140001060:	ff 25 f2 4f 00 00    	jmp    QWORD PTR [rip+0x4ff2]        # 0x140006058
    expectLine(l, 0x140001060, "FF 25 F2 4F 00 00", "jmp qword ptr [hello64!__imp_WriteFile]");
    // 140001080:	ff                   	(bad)   ×7 → one db line
    expectLine(
      l,
      0x140001080,
      "FF FF FF FF FF FF FF",
      "db 0FFh, 0FFh, 0FFh, 0FFh, 0FFh, 0FFh, 0FFh  ; .......",
    );
    // .rdata holds the message ("Hello, world!\n", EXPECTED.md)
    expectLine(
      l,
      0x140003000,
      "48 65 6C 6C 6F 2C 20 77",
      "db 48h, 65h, 6Ch, 6Ch, 6Fh, 2Ch, 20h, 77h  ; Hello, w",
    );
    // the label line of the entry point (objdump -p: AddressOfEntryPoint 1000)
    const entry = lineAtAddress(l, 0x140001000);
    assert.equal(textOf(l, entry - 1), "hello64!entry:");
  });

  it("hello32.exe: 32-bit addresses and absolute IAT references", () => {
    const l = load("hello32.exe");
    assert.equal(l.bits, 32);
    // 40100a:	ff 15 3c 40 40 00    	call   DWORD PTR ds:0x40403c
    expectLine(l, 0x40100a, "FF 15 3C 40 40 00", "call dword ptr [hello32!__imp_GetStdHandle]");
    // 401010:	8b 15 00 20 40 00    	mov    edx,DWORD PTR ds:0x402000
    expectLine(l, 0x401010, "8B 15 00 20 40 00", "mov edx, [402000h]");
    // 401052:	74 0a                	je     0x40105e   (no .pdata in x86: entry has no size, the target stays a number)
    expectLine(l, 0x401052, "74 0A", "je 0040105Eh");
    // 401061:	ff 15 38 40 40 00    	call   DWORD PTR ds:0x404038
    expectLine(l, 0x401061, "FF 15 38 40 40 00", "call dword ptr [hello32!__imp_ExitProcess]");
    assert.equal(
      textOf(l, lineAtAddress(l, 0x401000)),
      "00401000  83 EC 3C                        sub esp, 3Ch",
    );
  });

  it("exports64.dll: exports and .pdata functions are labelled", () => {
    const l = load("exports64.dll");
    // 2e5c11000:	8d 04 11             	lea    eax,[rcx+rdx*1]       (export add, ordinal 1, RVA 1000)
    expectLine(l, 0x2e5c11000, "8D 04 11", "lea eax, [rcx+rdx]");
    // 2e5c11012:	0f af c2             	imul   eax,edx               (export mul, RVA 1010)
    expectLine(l, 0x2e5c11012, "0F AF C2", "imul eax, edx");
    // 2e5c11020:	b8 07 00 00 00       	mov    eax,0x7               (ordinal 5, NONAME)
    expectLine(l, 0x2e5c11020, "B8 07 00 00 00", "mov eax, 7");
    const names = l.symbols
      .filter((s) => s.kind !== "import")
      .map((s) => `${s.name}@${s.address.toString(16)}`);
    assert.deepEqual(names, [
      "add@2e5c11000",
      "mul@2e5c11010",
      "Ordinal5@2e5c11020",
      "entry@2e5c11030",
      "exported_value@2e5c12000",
    ]);
    assert.equal(symbolByName(l, "add")?.size, 4); // .pdata: 2e5c11000 - 2e5c11004
    assert.equal(symbolByName(l, "exports64!exported_value")?.kind, "data");
  });

  it("maps lines to addresses and back", () => {
    const l = load("hello64.exe");
    for (let i = 0; i < l.lines.length; i++) {
      const x = l.lines[i];
      if (x.kind !== "insn" && x.kind !== "data") continue;
      assert.equal(addressAtLine(l, i), x.address);
      assert.equal(lineAtAddress(l, x.address), i);
      if (x.length > 1) assert.equal(lineAtAddress(l, x.address + x.length - 1), i);
    }
    const label = lineAtAddress(l, 0x140001000) - 1;
    assert.equal(addressAtLine(l, label), 0x140001000); // a label line stands for its symbol
    assert.equal(addressAtLine(l, 0), undefined); // a comment
    assert.equal(lineAtAddress(l, 0x130000000), -1);
  });

  it("lists a live (mapped, rebased) image at its load base", () => {
    const file = fs.readFileSync(path.join(BIN, "exports64.dll"));
    const mapped = mapImage(file);
    const l = buildListing(mapped, "live", { mapped: true, imageBase: 0x7ff600000000, module: "exports" });
    assert.equal(l.preferredBase, 0x2e5c10000);
    const line = expectLine(l, 0x7ff600001000, "8D 04 11", "lea eax, [rcx+rdx]");
    assert.equal(textOf(l, line - 1), "exports!add:");
  });
});

describe("language: queries", () => {
  it("hover shows the anatomy of an instruction", () => {
    const l = load("hello64.exe");
    // 14000102c:	48 c7 44 24 20 00 00 00 00 	mov QWORD PTR [rsp+0x20],0x0 — REX.W, ModRM 44, SIB 24, disp8, imm32
    const line = lineAtAddress(l, 0x14000102c);
    const h = hoverAt(l, { line, character: 40 });
    assert.ok(h !== null && typeof h.contents === "object" && "value" in h.contents);
    const md = h.contents.value;
    assert.match(md, /\| REX \| 48: W=1 R=0 X=0 B=0 \|/);
    assert.match(md, /\| ModRM \| 44: mod=1 reg=0 rm=4 \|/);
    assert.match(md, /\| SIB \| 24: scale=1 index=4 base=4 \|/);
    assert.match(md, /\| displacement \| 20 \(1 byte\) \|/);
    assert.match(md, /\| immediate \| 00000000 \(4 bytes\) \|/);
    assert.match(md, /\| prefixes \| none \|/);
    assert.match(md, /1\. memory `ss:\[rsp\+0x20\]`, 8 bytes/);
    assert.match(md, /2\. immediate `0x0`/);
    // 140001016:	41 b8 0e 00 00 00    	mov r8d,0xe — REX.B
    const h2 = hoverAt(l, { line: lineAtAddress(l, 0x140001016), character: 2 });
    assert.ok(h2 !== null && typeof h2.contents === "object" && "value" in h2.contents);
    assert.match(h2.contents.value, /\| REX \| 41: W=0 R=0 X=0 B=1 \|/);
    assert.match(h2.contents.value, /1\. register `r8d`/);
  });

  it("go to definition follows a call to its target", () => {
    const l = load("dllclient64.exe");
    const uri = listingUriOf(path.join(BIN, "dllclient64.exe"));
    // 1400010af:	e8 40 00 00 00       	call   0x1400010f4   (the delay-load thunk of exports!add)
    const call = expectLine(l, 0x1400010af, "E8 40 00 00 00", "call dllclient64!add");
    // on the mnemonic: the branch target
    const d1 = definitionAt(l, uri, { line: call, character: 52 });
    assert.equal(d1?.range.start.line, lineAtAddress(l, 0x1400010f4) - 1);
    assert.equal(textOf(l, d1!.range.start.line), "dllclient64!add:");
    // on the symbol: the same place
    const col = textOf(l, call).indexOf("dllclient64!add") + 3;
    assert.equal(
      definitionAt(l, uri, { line: call, character: col })?.range.start.line,
      d1?.range.start.line,
    );
    // 140001132:	e8 c9 fe ff ff       	call   0x140001000
    const c2 = expectLine(l, 0x140001132, "E8 C9 FE FF FF", "call dllclient64!sub_140001000");
    const d2 = definitionAt(l, uri, { line: c2, character: 50 });
    assert.equal(textOf(l, d2!.range.start.line), "dllclient64!sub_140001000:");
    // a jcc inside a function: the instruction line itself
    // 140001021:	74 4d                	je     0x140001070
    const j = expectLine(l, 0x140001021, "74 4D", "je dllclient64!sub_140001000+0x70");
    assert.equal(
      definitionAt(l, uri, { line: j, character: 50 })?.range.start.line,
      lineAtAddress(l, 0x140001070),
    );
  });

  it("find references lists the callers", () => {
    const l = load("dllclient64.exe");
    const uri = listingUriOf(path.join(BIN, "dllclient64.exe"));
    // objdump: 0x140001110 is called from nowhere and jumped to from the two thunks at 1400010ed and 140001101
    // (jmp 0x140001110); 0x140001000 is called from 140001132.
    const label = lineAtAddress(l, 0x140001110) - 1;
    const refs = referencesAt(l, uri, { line: label, character: 5 }, false).map((r) =>
      addressAtLine(l, r.range.start.line),
    );
    assert.deepEqual(refs, [0x1400010ed, 0x140001101]);
    const withDecl = referencesAt(l, uri, { line: label, character: 5 }, true);
    assert.equal(withDecl[0].range.start.line, label);
    assert.deepEqual(
      referencesTo(l, 0x140001000).map((i) => l.lines[i].address),
      [0x140001132],
    );
    // the IAT slot of ExitProcess: every call through it (objdump: 14000108c, 140001097, 1400010d5, jmp 140001180)
    const slot = symbolByName(l, "__imp_ExitProcess")!;
    assert.deepEqual(
      referencesTo(l, slot.address).map((i) => l.lines[i].address),
      [0x14000108c, 0x140001097, 0x1400010d5, 0x140001180],
    );
  });

  it("document symbols are exports and functions", () => {
    const l = load("exports64.dll");
    const syms = documentSymbols(l);
    assert.deepEqual(
      syms.map((s) => [
        s.name,
        (s.children ?? []).map((c) => `${c.name}${c.detail ? ` (${c.detail})` : ""}`),
      ]),
      [
        [".text", ["add (export)", "mul (export)", "Ordinal5 (export)", "entry (entry point)"]],
        [".data", ["exported_value (export)"]],
      ],
    );
    // the range of add covers its .pdata range (2e5c11000-2e5c11004): the label and two instructions
    const add = syms[0].children![0];
    assert.equal(add.range.end.line - add.range.start.line, 2);
    const l32 = load("hello32.exe");
    assert.deepEqual(
      documentSymbols(l32).map((s) => (s.children ?? []).map((c) => c.name)),
      [["entry"]],
    );
  });

  it("listing URIs round-trip to paths", () => {
    assert.equal(pathOfListingUri(listingUriOf("/home/u/a b/x.exe")), "/home/u/a b/x.exe");
    assert.equal(
      pathOfListingUri(listingUriOf("C:\\Windows\\System32\\ntdll.dll")),
      "C:/Windows/System32/ntdll.dll",
    );
    assert.equal(pathOfListingUri("wowdbg-listing:/c%3A/x/ntdll.dll.lst"), "c:/x/ntdll.dll");
  });
});
