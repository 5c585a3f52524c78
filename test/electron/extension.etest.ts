/**
 * The extension in a real VS Code (run by run.ts through @vscode/test-electron; not by `npm test`): the
 * debugger contribution, "Open Module Listing" with the language server's hover and symbols, and a
 * breakpoint set in a listing hit as an instruction breakpoint.
 */
import * as assert from "node:assert/strict";
import * as path from "node:path";
import * as vscode from "vscode";

const WORKSPACE = process.env.WOWDBG_ELECTRON_WORKSPACE ?? "";

function until<T>(what: string, f: () => T | undefined, timeoutMs = 30_000): Promise<T> {
  const end = Date.now() + timeoutMs;
  return new Promise((resolve, reject) => {
    const tick = (): void => {
      const v = f();
      if (v !== undefined) resolve(v);
      else if (Date.now() > end) reject(new Error(`timed out waiting for ${what}`));
      else setTimeout(tick, 100);
    };
    tick();
  });
}

describe("wowdbg in VS Code", () => {
  const gate = vscode.Uri.file(path.join(WORKSPACE, "gate32.exe"));

  before(async () => {
    const ext = vscode.extensions.getExtension("wowdbg.wowdbg");
    assert.ok(ext, "the extension under development is loaded");
    await ext.activate();
  });

  it("contributes the wowdbg commands", async () => {
    const all = await vscode.commands.getCommands(true);
    for (const c of ["wowdbg.debugFile", "wowdbg.openListing", "wowdbg.virtualMemory.show"])
      assert.ok(all.includes(c), c);
  });

  it("opens a module listing with hover and symbols from the language server", async () => {
    const editor = (await vscode.commands.executeCommand("wowdbg.openListing", gate)) as vscode.TextEditor;
    const doc = editor.document;
    assert.equal(doc.uri.scheme, "wowdbg-listing");
    assert.equal(doc.languageId, "x86-listing");
    const line = doc
      .getText()
      .split("\n")
      .findIndex((l) => l.startsWith("00401002"));
    assert.ok(line > 0, "the call at 0x401002 is listed");
    const hovers = (await vscode.commands.executeCommand(
      "vscode.executeHoverProvider",
      doc.uri,
      new vscode.Position(line, 2),
    )) as vscode.Hover[];
    const text = hovers
      .flatMap((h) => h.contents)
      .map((c) => (typeof c === "string" ? c : c.value))
      .join("\n");
    assert.match(text, /ModRM/);
    const symbols = (await vscode.commands.executeCommand(
      "vscode.executeDocumentSymbolProvider",
      doc.uri,
    )) as vscode.DocumentSymbol[];
    const names = JSON.stringify(symbols.map((s) => [s.name, ...s.children.map((c) => c.name)]));
    assert.match(names, /entry/);
  });

  it("hits a breakpoint set in a listing", async () => {
    const editor = (await vscode.commands.executeCommand("wowdbg.openListing", gate)) as vscode.TextEditor;
    const doc = editor.document;
    const line = doc
      .getText()
      .split("\n")
      .findIndex((l) => l.startsWith("0040103b"));
    assert.ok(line > 0);
    const bp = new vscode.SourceBreakpoint(new vscode.Location(doc.uri, new vscode.Position(line, 0)));
    vscode.debug.addBreakpoints([bp]);
    let stopped = 0;
    const tracker = vscode.debug.registerDebugAdapterTrackerFactory("wowdbg", {
      createDebugAdapterTracker: () => ({
        onDidSendMessage: (m: { type?: string; event?: string; body?: { reason?: string } }) => {
          if (m.type === "event" && m.event === "stopped" && m.body?.reason !== "entry") stopped++;
        },
      }),
    });
    try {
      const ok = await vscode.debug.startDebugging(undefined, {
        type: "wowdbg",
        request: "launch",
        name: "gate32",
        program: gate.fsPath,
        stopOnEntry: false,
      });
      assert.ok(ok, "the session starts");
      await until("a stop at the listing breakpoint", () => (stopped > 0 ? true : undefined));
      const session = vscode.debug.activeDebugSession;
      assert.ok(session);
      const threads = (await session.customRequest("threads")) as { threads: { id: number }[] };
      const threadId = threads.threads[0].id;
      const st = (await session.customRequest("stackTrace", { threadId, levels: 1 })) as {
        stackFrames: { instructionPointerReference?: string }[];
      };
      assert.equal(Number(st.stackFrames[0].instructionPointerReference), 0x40103b);
      await vscode.debug.stopDebugging(session);
    } finally {
      tracker.dispose();
      vscode.debug.removeBreakpoints([bp]);
    }
  });
});
