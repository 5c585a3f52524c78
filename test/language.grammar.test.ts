/**
 * The TextMate grammar of listings (syntaxes/x86-listing.tmLanguage.json), tokenized with vscode-textmate
 * and vscode-oniguruma — the engine VS Code itself uses — on sample lines and on a whole fixture listing.
 */
import * as assert from "node:assert/strict";
import * as fs from "node:fs";
import * as path from "node:path";
import * as oniguruma from "vscode-oniguruma";
import { INITIAL, type IGrammar, parseRawGrammar, Registry } from "vscode-textmate";
import { buildListing } from "../src/language/listing";

const ROOT = path.join(__dirname, "..");
const GRAMMAR = path.join(ROOT, "syntaxes", "x86-listing.tmLanguage.json");

async function loadGrammar(): Promise<IGrammar> {
  const wasm = fs.readFileSync(path.join(ROOT, "node_modules", "vscode-oniguruma", "release", "onig.wasm"));
  await oniguruma.loadWASM(wasm.buffer.slice(wasm.byteOffset, wasm.byteOffset + wasm.byteLength));
  const registry = new Registry({
    onigLib: Promise.resolve({
      createOnigScanner: (sources: string[]) => new oniguruma.OnigScanner(sources),
      createOnigString: (s: string) => new oniguruma.OnigString(s),
    }),
    loadGrammar: async (scope: string) =>
      scope === "source.x86-listing" ? parseRawGrammar(fs.readFileSync(GRAMMAR, "utf8"), GRAMMAR) : null,
  });
  const g = await registry.loadGrammar("source.x86-listing");
  assert.ok(g !== null);
  return g;
}

/** [text, last scope] for each token of a line, whitespace-only tokens left out. */
function tokens(g: IGrammar, line: string): [string, string][] {
  const r = g.tokenizeLine(line, INITIAL);
  return r.tokens
    .map((t): [string, string] => [line.slice(t.startIndex, t.endIndex), t.scopes[t.scopes.length - 1]])
    .filter(([s]) => s.trim() !== "");
}

/** The scope of the first token whose text is `text`. */
function scopeOf(g: IGrammar, line: string, text: string): string | undefined {
  return tokens(g, line).find(([s]) => s.trim() === text)?.[1];
}

describe("language: TextMate grammar", () => {
  let g: IGrammar;
  before(async () => {
    g = await loadGrammar();
  });

  it("package.json contributes the language and the grammar", () => {
    const pkg = JSON.parse(fs.readFileSync(path.join(ROOT, "package.json"), "utf8")) as {
      contributes: {
        languages: { id: string; configuration: string }[];
        grammars: { language: string; scopeName: string; path: string }[];
      };
    };
    const lang = pkg.contributes.languages.find((l) => l.id === "x86-listing");
    assert.ok(lang !== undefined && fs.existsSync(path.join(ROOT, lang.configuration)));
    const gr = pkg.contributes.grammars.find((x) => x.language === "x86-listing");
    assert.equal(gr?.scopeName, "source.x86-listing");
    assert.equal(path.resolve(ROOT, gr!.path), GRAMMAR);
  });

  it("an instruction line: address, bytes, mnemonic, registers, numbers, symbols", () => {
    const line =
      "00000001`40001009  FF 15 41 50 00 00               call qword ptr [hello64!__imp_GetStdHandle]";
    assert.deepEqual(tokens(g, line), [
      ["00000001`40001009", "constant.numeric.address.x86-listing"],
      ["FF 15 41 50 00 00", "constant.other.bytes.x86-listing"],
      ["call", "keyword.mnemonic.x86-listing"],
      ["qword ptr", "storage.type.size.x86-listing"],
      ["[", "punctuation.definition.memory.x86-listing"],
      ["hello64!__imp_GetStdHandle", "entity.name.function.symbol.x86-listing"],
      ["]", "punctuation.definition.memory.x86-listing"],
    ]);
    const l2 = "00000001`4000102c  48 C7 44 24 20 00 00 00 00      mov qword ptr [rsp+20h], 0";
    assert.equal(scopeOf(g, l2, "rsp"), "variable.language.register.x86-listing");
    assert.equal(scopeOf(g, l2, "20h"), "constant.numeric.x86-listing");
    assert.equal(scopeOf(g, l2, "0"), "constant.numeric.x86-listing");
    assert.equal(scopeOf(g, l2, "mov"), "keyword.mnemonic.x86-listing");
    const l3 = "00401052  74 0A                           je 0040105Eh";
    assert.equal(scopeOf(g, l3, "00401052"), "constant.numeric.address.x86-listing");
    assert.equal(scopeOf(g, l3, "0040105Eh"), "constant.numeric.x86-listing");
    const l4 = "00000001`40001042  74 0A                           je hello64!entry+0x4e";
    assert.equal(scopeOf(g, l4, "hello64!entry+0x4e"), "entity.name.function.symbol.x86-listing");
    const l5 = "00000001`400010ac  F0 0F B1 0A                     lock cmpxchg [rdx], ecx";
    assert.equal(scopeOf(g, l5, "lock"), "storage.modifier.prefix.x86-listing");
    assert.equal(scopeOf(g, l5, "cmpxchg"), "keyword.mnemonic.x86-listing");
    assert.equal(scopeOf(g, l5, "ecx"), "variable.language.register.x86-listing");
  });

  it("data lines, labels and comments", () => {
    const d =
      "00000001`40003000  48 65 6C 6C 6F 2C 20 77         db 48h, 65h, 6Ch, 6Ch, 6Fh, 2Ch, 20h, 77h  ; Hello, w";
    assert.equal(scopeOf(g, d, "db"), "keyword.other.directive.data.x86-listing");
    assert.equal(scopeOf(g, d, "48h"), "constant.numeric.x86-listing");
    assert.equal(scopeOf(g, d, "; Hello, w"), "comment.line.semicolon.x86-listing");
    const z = "00000001`40001100  00                              db 1F0h dup (0)";
    assert.equal(scopeOf(g, z, "dup"), "storage.type.size.x86-listing");
    assert.deepEqual(tokens(g, "dllclient64!sub_140001000:"), [
      ["dllclient64!sub_140001000", "entity.name.function.label.x86-listing"],
      [":", "punctuation.separator.label.x86-listing"],
    ]);
    assert.deepEqual(tokens(g, "; section .text  00000001`40001000 - 00000001`400010a0  r-x  code"), [
      [
        "; section .text  00000001`40001000 - 00000001`400010a0  r-x  code",
        "comment.line.semicolon.x86-listing",
      ],
    ]);
  });

  it("every line of a real listing gets its structural scopes", () => {
    const file = path.join(ROOT, "test", "fixtures", "bin", "dllclient64.exe");
    const l = buildListing(fs.readFileSync(file), file);
    const text = l.text.split("\n");
    let state = INITIAL;
    for (let i = 0; i < l.lines.length; i++) {
      const r = g.tokenizeLine(text[i], state);
      state = r.ruleStack;
      const scopes = r.tokens.map((t) => t.scopes[t.scopes.length - 1]);
      const kind = l.lines[i].kind;
      if (kind === "insn" || kind === "data") {
        assert.equal(scopes[0], "constant.numeric.address.x86-listing", text[i]);
        assert.ok(scopes.includes("constant.other.bytes.x86-listing"), text[i]);
        const want =
          kind === "insn" ? "keyword.mnemonic.x86-listing" : "keyword.other.directive.data.x86-listing";
        assert.ok(scopes.includes(want), `${text[i]}: ${scopes.join(" ")}`);
      } else if (kind === "label") assert.equal(scopes[0], "entity.name.function.label.x86-listing", text[i]);
      else if (kind === "comment") assert.deepEqual(scopes, ["comment.line.semicolon.x86-listing"], text[i]);
    }
  });
});
