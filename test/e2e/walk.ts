/**
 * The walk through a real VS Code workbench (code-server), as a user: open the Heaven's Gate fixture's
 * workspace, start debugging (stop at entry), see the Disassembly view open by itself, step across the far jump and watch
 * the live register scope and the status bar go from x86 to x64 and back, break on ntdll!NtWriteFile, read
 * the program's output in the Debug Console; then "Debug with wowdbg" on memory32.exe and find a mapped view
 * at its 64-bit section offset in Virtual Memory; then F5 without a launch.json. Each step checks what a
 * person would see and saves a screenshot; a step the extension cannot do yet throws NotYet ("not yet")
 * instead of passing unchecked. See README.md.
 */
import type { Harness } from "./harness";
import { log } from "./harness";
import type { FrameLocator, Locator } from "./playwright";

export class NotYet extends Error {}

export interface Step {
  name: string;
  run(h: Harness): Promise<void>;
}

const STATUS = ".statusbar-item";
const FRAMES = ".debug-call-stack .monaco-list-row";
const VARIABLES = ".debug-variables .monaco-list-row";

function statusItem(h: Harness): Locator {
  return h.page.locator(STATUS).filter({ hasText: /CS 0x/ });
}

async function topFrame(h: Harness): Promise<string> {
  return h.waitText(h.page.locator(FRAMES), /\[x(86|64)\]/, 15_000, "a stack frame in the Call Stack view");
}

/** The first scope in the Variables view (the live register set comes first). */
async function firstScope(h: Harness, re: RegExp, timeoutMs = 10_000): Promise<string> {
  const rows = h.page.locator(VARIABLES);
  const end = Date.now() + timeoutMs;
  let last = "";
  let clicked = false;
  while (Date.now() < end) {
    const texts = await rows.allInnerTexts().catch(() => [] as string[]);
    if (texts.length === 0 && !clicked && Date.now() > end - timeoutMs / 2) {
      // A frame without source is not always focused by itself: select the top frame as a user would.
      clicked = true;
      await h.page
        .locator(FRAMES)
        .filter({ hasText: /\[x(86|64)\]/ })
        .first()
        .click()
        .catch(() => undefined);
    }
    const scopes = texts.filter((t) => /registers|Instruction|TEB/.test(t));
    last = scopes[0] ?? texts.join(" | ");
    if (scopes.length > 0 && re.test(scopes[0])) return scopes[0];
    await h.page.waitForTimeout(150);
  }
  throw new Error(`the first scope in the Variables view is ${JSON.stringify(last)}, expected ${re}`);
}

/** Presses a stepping key and waits for the top frame to change (the adapter stopped again elsewhere). */
async function stepKey(h: Harness, key: string): Promise<string> {
  const before = await topFrame(h);
  await h.page.keyboard.press(key);
  const end = Date.now() + 10_000;
  while (Date.now() < end) {
    const now = await h.page
      .locator(FRAMES)
      .allInnerTexts()
      .catch(() => [] as string[]);
    const top = now.find((t) => /\[x(86|64)\]/.test(t));
    if (top !== undefined && top !== before) return top;
    await h.page.waitForTimeout(100);
  }
  throw new Error(`${key} did not move the top frame away from ${JSON.stringify(before)}`);
}

async function focusDisassembly(h: Harness): Promise<void> {
  const view = h.page.locator(".disassembly-view").first();
  // Another editor (a module listing opened from the Syscalls view) may have covered it: bring its tab up.
  if (!(await view.isVisible())) {
    await h.page
      .locator(".tabs-container .tab")
      .filter({ hasText: /^\s*Disassembly/ })
      .first()
      .click({ timeout: 5_000 });
  }
  await view.click({ timeout: 5_000 });
}

/** Adds a function breakpoint through the "+" in the Breakpoints view's title bar, as a user does. */
async function addFunctionBreakpoint(h: Harness, name: string): Promise<void> {
  const header = h.page
    .locator(".pane-header")
    .filter({ hasText: /^\s*Breakpoints/i })
    .first();
  // The header's actions exist only while the pane is expanded (other views may have collapsed it).
  if ((await header.getAttribute("aria-expanded", { timeout: 5_000 })) === "false") await header.click();
  await header.hover();
  await h.page.locator('.pane-header [aria-label="Add Function Breakpoint"]').first().click();
  // The new breakpoint's input box is the last row; the exception filters fill the small pane, so scroll
  // down to it.
  await h.page.locator(".debug-breakpoints .monaco-list").first().hover();
  await h.page.mouse.wheel(0, 2_000);
  const input = h.page.locator(".debug-breakpoints .monaco-list-row .monaco-inputbox input").first();
  await input.waitFor({ state: "visible", timeout: 10_000 });
  await input.fill(name);
  await h.page.keyboard.press("Enter");
  await h.waitText(
    h.page.locator(".debug-breakpoints .monaco-list-row"),
    new RegExp(name.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")),
    10_000,
    `the function breakpoint ${name} in the Breakpoints view`,
  );
}

async function removeAllBreakpoints(h: Harness): Promise<void> {
  const header = h.page
    .locator(".pane-header")
    .filter({ hasText: /^\s*Breakpoints/i })
    .first();
  // The header's actions exist only while the pane is expanded (other views may have collapsed it).
  if ((await header.getAttribute("aria-expanded", { timeout: 5_000 })) === "false") await header.click();
  await header.hover();
  await h.page.locator('.pane-header [aria-label="Remove All Breakpoints"]').first().click();
}

/**
 * VS Code focuses a stopped frame by itself only when it has a source or the stop came from an instruction
 * step or breakpoint; for entry and function-breakpoint stops a user clicks the top frame.
 */
async function selectTopFrame(h: Harness): Promise<void> {
  await h.page
    .locator(FRAMES)
    .filter({ hasText: /\[x(86|64)\]/ })
    .first()
    .click();
}

/**
 * Waits for `selector` to be visible; a VS Code error dialog or notification shown meanwhile (a launch
 * that failed) ends the wait with its text.
 */
async function untilVisible(h: Harness, selector: string, timeoutMs: number, what: string): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (Date.now() < end) {
    if (await h.page.locator(selector).first().isVisible()) return;
    const dialog = h.page.locator(
      ".monaco-dialog-box .dialog-message-text, .notification-toast .notification-list-item-message",
    );
    if ((await dialog.count()) > 0) {
      const text = (await dialog.allInnerTexts()).join(" | ");
      if (/error|cannot|failed|could not|couldn't/i.test(text))
        throw new Error(`waiting for ${what}, VS Code said: ${text}`);
    }
    await h.page.waitForTimeout(200);
  }
  throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
}

/** The rows of one of the Run and Debug container's views, by its title. */
function paneRows(h: Harness, title: string): Locator {
  return h.page.locator(`.pane:has(.pane-header[aria-label^="${title}"]) .monaco-list-row`);
}

async function collapsePanes(h: Harness, titles: string[]): Promise<void> {
  for (const pane of titles) {
    const hdr = h.page.locator(`.pane-header[aria-label^="${pane}"]`).first();
    if ((await hdr.getAttribute("aria-expanded").catch(() => null)) === "true")
      await hdr.click().catch(() => undefined);
  }
}

/** The Memory Panel's document (a webview: VS Code's iframe, then the content's own). */
function webview(h: Harness): FrameLocator {
  return h.page.frameLocator("iframe.webview.ready").frameLocator("#active-frame");
}

function webviewRows(h: Harness): Locator {
  return webview(h).locator("#grid .row");
}

export const steps: Step[] = [
  {
    name: "workbench",
    async run(h) {
      await h.page.locator(".monaco-workbench").waitFor({ state: "visible", timeout: 60_000 });
      await h.waitText(
        h.page.locator(".explorer-folders-view .monaco-list-row"),
        /gate32\.exe/,
        30_000,
        "gate32.exe in the Explorer",
      );
      await h.screenshot("workbench");
    },
  },
  {
    name: "start debugging, stop at entry (x86, CS 0x23)",
    async run(h) {
      await h.command("Debug: Start Debugging");
      await untilVisible(h, ".debug-toolbar", 30_000, "the debug toolbar");
      const status = await h.waitText(statusItem(h), /x86 · CS 0x23/, 30_000, "the wowdbg status bar item");
      const frame = await topFrame(h);
      if (!/gate32/i.test(frame) || !/\[x86\]/.test(frame)) throw new Error(`unexpected top frame ${frame}`);
      const scope = await firstScope(h, /^x86 registers/);
      // launch.json asks for "adapter": "process": the adapter is a node process of its own.
      const pids = h.adapterProcesses();
      if (pids.length !== 1) throw new Error(`expected one dist/adapter.js process, found ${pids.length}`);
      log(`stopped: adapter process ${pids[0]}, status "${status}", frame "${frame}", scope "${scope}"`);
      await h.screenshot("stopped-at-entry");
    },
  },
  {
    name: "the Disassembly view opens by itself at the entry stop",
    async run(h) {
      // wowdbg.openDisassemblyOnStop (default on): the stop opened it, no command needed.
      const rows = h.page.locator(".disassembly-view .monaco-list-row");
      const row = await h.waitText(
        rows,
        /0x0*401000\s.*push/i,
        20_000,
        "the entry point push in the Disassembly view",
      );
      log(`disassembly: ${row.replace(/\s+/g, " ").slice(0, 100)}`);
      await h.screenshot("disassembly");
    },
  },
  {
    name: "step across the far jump: x86 -> x64 (CS 0x33) and back",
    async run(h) {
      await focusDisassembly(h);
      // F10 steps over calls (GetStdHandle, print_line, and the far call 9A); the far jump EA is stepped
      // into: the first stop in 64-bit code is jump64.
      let frame = "";
      let n = 0;
      for (; n < 80; n++) {
        frame = await stepKey(h, "F10");
        if (/\[x64\]/.test(frame)) break;
      }
      if (!/\[x64\]/.test(frame)) throw new Error(`no 64-bit frame after ${n} steps (last ${frame})`);
      const status = await h.waitText(
        statusItem(h),
        /x64 · CS 0x33/,
        10_000,
        "the status bar in 64-bit code",
      );
      const scope = await firstScope(h, /^x64 registers/);
      log(`after ${n + 1} steps: frame "${frame}", status "${status}", scope "${scope}"`);
      await h.screenshot("far-jump-x64");
      for (n = 0; n < 20; n++) {
        frame = await stepKey(h, "F10");
        if (/\[x86\]/.test(frame)) break;
      }
      if (!/\[x86\]/.test(frame)) throw new Error(`no way back to 32-bit code (last ${frame})`);
      await h.waitText(statusItem(h), /x86 · CS 0x23/, 10_000, "the status bar back in 32-bit code");
      await firstScope(h, /^x86 registers/);
      log(`back after ${n + 1} steps: frame "${frame}"`);
      await h.screenshot("back-to-x86");
    },
  },
  {
    name: "function breakpoint on ntdll!NtWriteFile",
    async run(h) {
      await addFunctionBreakpoint(h, "ntdll!NtWriteFile");
      await h.screenshot("function-breakpoint");
      await h.command("Debug: Continue");
      const frame = await h.waitText(h.page.locator(FRAMES), /NtWriteFile/, 30_000, "a stop in NtWriteFile");
      const why = await h.waitText(
        h.page.locator(".debug-call-stack-title, .pane-header"),
        /Paused on function breakpoint/i,
        10_000,
        "the stop reason in the Call Stack header",
      );
      log(`function breakpoint hit: ${frame.split("\n")[0]} (${why.replace(/\s+/g, " ").trim()})`);
      await selectTopFrame(h);
      // Room for the register rows (the Modules and Syscalls headers take some of the container).
      await collapsePanes(h, ["Watch"]);
      // WOW64: the program's WriteFile reaches the 32-bit ntdll first.
      await firstScope(h, /^x86 registers/);
      // The Variables view and the Disassembly view follow the selected frame: EIP is inside ntdll (not
      // the program's image at 0x400000) and the Disassembly view shows the instruction there.
      const end = Date.now() + 10_000;
      for (;;) {
        const vars = await h.page
          .locator(VARIABLES)
          .allInnerTexts()
          .catch(() => [] as string[]);
        if (!vars.some((t) => /^eip =/.test(t))) {
          // The register rows past the pane's height are not rendered: scroll them into view.
          await h.page.locator(".debug-variables .monaco-list").first().hover();
          await h.page.mouse.wheel(0, 120);
        }
        const m = /^eip =\s*0x([0-9A-F]+)/i.exec(vars.find((t) => /^eip =/.test(t)) ?? "");
        const eip = m !== null ? Number.parseInt(m[1], 16) : 0;
        const rows = await h.page
          .locator(".disassembly-view .monaco-list-row")
          .allInnerTexts()
          .catch(() => [] as string[]);
        const at = new RegExp(`^0x0*${eip.toString(16)}\\s`, "i");
        const row = eip >= 0x1000000 ? rows.find((r) => at.test(r)) : undefined;
        if (row !== undefined) {
          log(`NtWriteFile at ${row.replace(/\s+/g, " ")}`);
          break;
        }
        if (Date.now() > end)
          throw new Error(`the views did not follow the frame into NtWriteFile (eip 0x${eip.toString(16)})`);
        await h.page.waitForTimeout(200);
      }
      await h.screenshot("breakpoint-ntwritefile");
    },
  },
  {
    name: "Modules view: both ntdll copies (PE32 and PE32+)",
    async run(h) {
      await h.command("wowdbg: Show Modules");
      const rows = paneRows(h, "Modules");
      await h.waitText(rows, /gate32/i, 20_000, "gate32.exe in the Modules view");
      // The list renders the rows in view only: scroll through it.
      const seen = new Set<string>();
      for (let i = 0; i < 12; i++) {
        for (const t of await rows.allInnerTexts()) seen.add(t);
        await h.page
          .locator('.pane:has(.pane-header[aria-label^="Modules"]) .monaco-list')
          .first()
          .hover({ timeout: 2_000 });
        await h.page.mouse.wheel(0, 100);
        await h.page.waitForTimeout(100);
      }
      const texts = [...seen];
      const ntdll = texts.filter((t) => /ntdll\.dll/i.test(t));
      if (!ntdll.some((t) => /PE32\+/.test(t)) || !ntdll.some((t) => /PE32(?!\+)/.test(t)))
        throw new Error(`expected a PE32 and a PE32+ ntdll, the view shows ${JSON.stringify(texts)}`);
      const exe = texts.find((t) => /gate32/i.test(t)) ?? "";
      if (!/0x00400000/.test(exe) || !/PE32(?!\+)/.test(exe)) throw new Error(`gate32 row: ${exe}`);
      log(`modules: ${texts.length} rows; ntdll: ${ntdll.map((t) => t.replace(/\s+/g, " ")).join(" | ")}`);
      await collapsePanes(h, ["Watch", "Virtual Memory"]);
      await h.screenshot("modules");
    },
  },
  {
    name: "Syscalls view: the trace, break on a syscall, go to its caller",
    async run(h) {
      await h.command("wowdbg: Show Syscalls");
      const rows = paneRows(h, "Syscalls");
      const first = await h.waitText(rows, /#\d+\s+Nt\w+/, 20_000, "syscall records in the Syscalls view");
      const texts = await rows.allInnerTexts();
      if (!texts.some((t) => /x86/.test(t) && /0x[0-9A-F]{8}/.test(t)))
        throw new Error(`no x86 caller mode and status in ${JSON.stringify(texts.slice(0, 5))}`);
      log(`syscalls: ${texts.length} rows, newest ${first.replace(/\s+/g, " ")}`);
      // The inline action on a record: a function breakpoint with the bare service name.
      const row = rows
        .filter({ hasText: /NtQueryVirtualMemory|NtAllocateVirtualMemory|NtClose|Nt\w+/ })
        .first();
      const name = /#\d+\s+(Nt\w+?)\s*0x[0-9A-F]{4}\b/.exec(await row.innerText())?.[1] ?? "";
      await row.hover();
      await row.locator('[aria-label="Break on this syscall"]').first().click();
      await h.screenshot("syscalls");
      // The function breakpoints come after the exception filters: scroll down to them.
      await h.page.locator(".debug-breakpoints .monaco-list").first().hover();
      await h.page.mouse.wheel(0, 2_000);
      await h.waitText(
        h.page.locator(".debug-breakpoints .monaco-list-row"),
        new RegExp(`^\\s*${name}\\b`, "m"),
        10_000,
        `the function breakpoint ${name} in the Breakpoints view`,
      );
      log(`break on ${name}: in the Breakpoints view`);
      // A click goes to where it was made: the adapter records the caller's return address, and the call
      // instruction is shown in the live listing of the caller's module (VS Code's Disassembly view cannot
      // be sent to an address), its line selected.
      await row.click();
      const at = await h.waitText(
        h.page.locator(".tab.active"),
        /\.lst\b/i,
        20_000,
        "the caller's module listing (a wowdbg-listing document)",
      );
      log(`go to caller: ${at.replace(/\s+/g, " ")}`);
      await removeAllBreakpoints(h);
    },
  },
  {
    name: "Memory Panel: hex and ASCII, grouping, an edit, changes since the last stop, follow register",
    async run(h) {
      await h.command("wowdbg: Open Memory Panel");
      const input = h.page.locator(".quick-input-widget .quick-input-box input");
      await input.waitFor({ state: "visible", timeout: 10_000 });
      await input.fill("esp-0x10");
      await h.page.keyboard.press("Enter");
      const frame = webview(h);
      const rows = webviewRows(h);
      await h.waitText(rows, /^[0-9A-F]{8}\s/, 15_000, "hex rows in the Memory Panel");
      await frame.locator("#group").selectOption("4");
      await h.waitText(rows, /^[0-9A-F]{8}\s+[0-9A-F?]{8}\s+[0-9A-F?]{8}\s/, 10_000, "4-byte groups");
      // Write DEADBEEF at esp-4 (the fourth dword: below the stack pointer, the next call's return slot).
      const cell = frame.locator(".row").first().locator(".cell").nth(3);
      await cell.click();
      const edit = cell.locator("input");
      await edit.fill("DEADBEEF");
      await edit.press("Enter");
      const written = await h.waitText(rows, /DEADBEEF/, 10_000, "the edit read back through readMemory");
      log(`edited: ${written.replace(/\s+/g, " ")}`);
      await frame.locator("#follow").selectOption("esp");
      await h.waitText(frame.locator("#status"), /following esp/, 10_000, "follow esp");
      // Step (the stub's call pushes its return address over DEADBEEF): the changed bytes are highlighted.
      let changed = 0;
      for (let i = 0; i < 6 && changed === 0; i++) {
        await focusDisassembly(h);
        await stepKey(h, "F10");
        await h.page.waitForTimeout(700);
        changed = await frame.locator(".cell.changed").count();
      }
      if (changed === 0) throw new Error("no byte highlighted as changed after stepping");
      const status = await frame.locator("#status").innerText();
      log(`after stepping: ${changed} changed cells; ${status}`);
      await h.screenshot("memory-panel");
    },
  },
  {
    name: "the program's output in the Debug Console",
    async run(h) {
      await removeAllBreakpoints(h);
      await h.command("Debug: Continue");
      // The Debug Console opens with the session; Ctrl+Shift+Y shows it if it was closed.
      if (!(await h.page.locator(".repl").first().isVisible()))
        await h.page.keyboard.press("Control+Shift+Y");
      const repl = h.page.locator(".repl .monaco-list-row");
      await h.waitText(repl, /far jmp: cs=0033 rax=0000000100000000/, 30_000, "gate32's far jmp line");
      await h.waitText(repl, /back: cs=0023 mask=000000FF/, 30_000, "gate32's last line (all checks passed)");
      await h.waitText(repl, /exited with code 255\b/, 30_000, "the exit code 255 (all eight checks)");
      await h.page.locator(STATUS).filter({ hasText: /CS 0x/ }).waitFor({ state: "hidden", timeout: 10_000 });
      await h.screenshot("debug-console");
    },
  },
  {
    name: "Debug with wowdbg on memory32.exe; Virtual Memory shows a mapped view at offset 4 GB",
    async run(h) {
      // The Explorer's context menu on the .exe (the extension's "Debug with wowdbg").
      await h.command("View: Show Explorer");
      const file = h.page
        .locator(".explorer-folders-view .monaco-list-row")
        .filter({ hasText: "memory32.exe" })
        .first();
      await file.click({ button: "right" });
      const item = h.page
        .locator(".context-view .monaco-menu .action-menu-item")
        .filter({ hasText: "Debug with wowdbg" })
        .first();
      await item.hover();
      await h.page.keyboard.press("Enter");
      await h.waitText(statusItem(h), /x86 · CS 0x23/, 30_000, "the status bar at memory32's entry");
      // This session runs the adapter inline (the default); the F5 session's adapter process has ended.
      const pids = h.adapterProcesses();
      if (pids.length !== 0) throw new Error(`adapter processes still running: ${pids.join(", ")}`);
      await h.command("View: Show Run and Debug");
      const frame = await topFrame(h);
      if (!/memory32/i.test(frame)) throw new Error(`unexpected top frame ${frame}`);
      // Stop while the 8 GB section's views are mapped: its first unmap.
      await addFunctionBreakpoint(h, "ntdll!NtUnmapViewOfSection");
      await h.command("Debug: Continue");
      await h.waitText(
        h.page.locator(FRAMES),
        /NtUnmapViewOfSection/,
        60_000,
        "a stop in NtUnmapViewOfSection",
      );
      await h.command("wowdbg: Show Virtual Memory");
      const rows = h.page.locator('.pane:has(.pane-header[aria-label*="Virtual Memory"]) .monaco-list-row');
      await h.waitText(rows, /0x[0-9A-F]{8}/, 20_000, "regions in the Virtual Memory view");
      // Only mapped regions (the filter's quick pick: untick Image and Private).
      await h.command("wowdbg: Filter Regions by Type and State");
      const picks = h.page.locator(".quick-input-widget .quick-input-list .monaco-list-row");
      for (const label of ["Image", "Private"]) {
        await picks
          .filter({ hasText: new RegExp(`^\\s*${label}`) })
          .first()
          .click();
      }
      await h.page.keyboard.press("Enter");
      const group = await h.waitText(
        rows,
        /section \d+/,
        20_000,
        "a mapped allocation (section) in Virtual Memory",
      );
      log(`virtual memory: ${group.replace(/\s+/g, " ")}`);
      const texts = await rows.allInnerTexts();
      if (texts.some((t) => /Private|Image/.test(t)))
        throw new Error(`the filter left ${JSON.stringify(texts)}`);
      // Expand the section's views one by one until the one at offset 4 GB shows.
      let view: string | undefined;
      const sections = rows.filter({ hasText: /section \d+/ });
      const n = await sections.count();
      for (let i = 0; i < n && view === undefined; i++) {
        const row = sections.nth(i);
        await row.click();
        await h.page.waitForTimeout(300);
        view = (await rows.allInnerTexts()).find((t) => /offset 0x100000000\b.*Mapped/s.test(t));
        if (view === undefined) await row.click();
      }
      if (view === undefined) throw new Error("no region of a view at section offset 0x100000000");
      log(`mapped view: ${view.replace(/\s+/g, " ")}`);
      // Room for the view in the picture: collapse Watch and Breakpoints (cosmetic only).
      for (const pane of ["Watch", "Breakpoints"]) {
        const hdr = h.page.locator(`.pane-header[aria-label^="${pane}"]`).first();
        if ((await hdr.getAttribute("aria-expanded").catch(() => null)) === "true")
          await hdr.click().catch(() => undefined);
      }
      // The region's tooltip (every VirtualQuery field) in the picture.
      await rows
        .filter({ hasText: /offset 0x100000000\b/ })
        .last()
        .hover();
      await h.page.waitForTimeout(1_500);
      await h.screenshot("virtual-memory");
      await h.command("Debug: Stop");
      await statusItem(h).waitFor({ state: "hidden", timeout: 15_000 });
    },
  },
  {
    name: "Open Module Listing on gate32.exe: hover anatomy, a breakpoint in the listing is hit",
    async run(h) {
      // The Explorer's context menu on the .exe (the extension's "Open Module Listing"); right after start
      // the workbench may not list the extension's contributions yet: reopen the menu until it does.
      await h.command("View: Show Explorer");
      const item = h.page
        .locator(".context-view .monaco-menu .action-menu-item")
        .filter({ hasText: "Open Module Listing" })
        .first();
      const menuEnd = Date.now() + 30_000;
      for (;;) {
        await h.page
          .locator(".explorer-folders-view .monaco-list-row")
          .filter({ hasText: "gate32.exe" })
          .first()
          .click({ button: "right" });
        if (await item.isVisible().catch(() => false)) break;
        await h.page.waitForTimeout(1_000);
        if (await item.isVisible().catch(() => false)) break;
        if (Date.now() > menuEnd) throw new Error('no "Open Module Listing" in the Explorer context menu');
        await h.page.keyboard.press("Escape");
      }
      await item.hover();
      await h.page.keyboard.press("Enter");
      await h.page
        .locator(".tab.active")
        .filter({ hasText: "gate32.exe.lst" })
        .first()
        .waitFor({ state: "visible", timeout: 30_000 });
      const lines = h.page.locator(".editor-group-container.active .monaco-editor .view-line");
      await h.waitText(lines, /gate32!entry:/, 20_000, "the listing's entry label");
      // The language server's hover: the instruction's anatomy (ModRM of `call [__imp_GetStdHandle]`).
      const call = lines.filter({ hasText: /00401002\s+FF\s15/ }).first();
      const hover = h.page.locator(".monaco-hover:not(.hidden)");
      const end = Date.now() + 20_000;
      let text: string;
      for (let i = 0; ; i++) {
        await call.hover({ position: { x: 40 + (i % 3) * 20, y: 5 } });
        await h.page.waitForTimeout(700);
        text = (await hover.allInnerTexts().catch(() => [] as string[])).join(" ");
        if (/ModRM/.test(text)) break;
        if (Date.now() > end)
          throw new Error(`no instruction anatomy in the hover (${JSON.stringify(text)})`);
      }
      log(`listing hover: ${text.replace(/\s+/g, " ").slice(0, 160)}`);
      await h.screenshot("listing-hover");
      await h.page.keyboard.press("Escape");
      // Earlier steps left function breakpoints (ntdll!NtWriteFile) that gate32 reaches first: start clean.
      await h.command("View: Show Run and Debug");
      await removeAllBreakpoints(h);
      // A breakpoint on the listing line after the far call (0x40103b): F9 on the line.
      const target = lines.filter({ hasText: /0040103b\s+89\s0D/ }).first();
      await target.click({ position: { x: 5, y: 5 } });
      await h.page.keyboard.press("F9");
      const glyph = h.page.locator(
        '.editor-group-container.active .monaco-editor [class*="codicon-debug-breakpoint"]',
      );
      await glyph.first().waitFor({ state: "visible", timeout: 10_000 });
      await h.command("Debug: Start Debugging");
      await h.waitText(statusItem(h), /x86 · CS 0x23/, 30_000, "the status bar at gate32's entry");
      await h.command("Debug: Continue");
      await h.command("View: Show Run and Debug");
      const frame = await h.waitText(
        h.page.locator(FRAMES),
        /gate32!\w+\+0x3b \[x86\]/,
        30_000,
        "a stop at 0x40103b (the listing breakpoint)",
      );
      // The adapter verified the listing's breakpoint as an instruction breakpoint at 0x40103b (its row is
      // below the exception filters: scroll down to it).
      await h.page.locator(".debug-breakpoints .monaco-list").first().hover();
      await h.page.mouse.wheel(0, 2_000);
      await h.waitText(
        h.page.locator(".debug-breakpoints .monaco-list-row"),
        /gate32\.exe\.lst/,
        10_000,
        "the listing breakpoint in the Breakpoints view",
      );
      if ((await h.page.locator(".debug-breakpoints .codicon-debug-breakpoint-unverified").count()) > 0)
        throw new Error("the listing breakpoint is unverified");
      const why = await h.waitText(
        h.page.locator(".debug-call-stack-title, .pane-header"),
        /Paused on (instruction )?breakpoint/i,
        10_000,
        "the stop reason in the Call Stack header",
      );
      log(`listing breakpoint hit: ${frame.split("\n")[0]} (${why.replace(/\s+/g, " ").trim()})`);
      await h.screenshot("listing-breakpoint");
      await h.command("Debug: Stop");
      await statusItem(h).waitFor({ state: "hidden", timeout: 15_000 });
      await removeAllBreakpoints(h);
    },
  },
  {
    name: "F5 without a launch.json on the open gate32.exe",
    async run(h) {
      h.removeLaunchJson();
      await h.command("View: Show Explorer");
      await h.page
        .locator(".explorer-folders-view .monaco-list-row")
        .filter({ hasText: "gate32.exe" })
        .first()
        .click();
      await h.page
        .locator(".tab.active")
        .filter({ hasText: "gate32.exe" })
        .first()
        .waitFor({ state: "visible", timeout: 10_000 });
      await h.page.keyboard.press("F5");
      // VS Code may ask which debugger to use; wowdbg is the one for .exe files.
      const end = Date.now() + 30_000;
      for (;;) {
        if (await statusItem(h).first().isVisible()) break;
        const pick = h.page
          .locator(".quick-input-widget .quick-input-list .monaco-list-row")
          .filter({ hasText: /wowdbg/ })
          .first();
        if (await pick.isVisible()) await pick.click();
        if (Date.now() > end) throw new Error("F5 did not start a wowdbg session on the open gate32.exe");
        await h.page.waitForTimeout(200);
      }
      await h.waitText(statusItem(h), /x86 · CS 0x23/, 30_000, "the status bar at gate32's entry");
      await h.command("View: Show Run and Debug");
      const frame = await topFrame(h);
      if (!/gate32!start \[x86\]/.test(frame)) throw new Error(`unexpected top frame ${frame}`);
      await h.screenshot("f5-without-launch-json");
      await h.command("Debug: Stop");
      await statusItem(h).waitFor({ state: "hidden", timeout: 15_000 });
    },
  },
];
