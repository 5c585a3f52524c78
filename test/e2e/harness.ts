/**
 * The pieces of the end-to-end run: a temporary workspace, code-server with a fresh user-data-dir and an
 * extensions dir holding the built extension, Debian's chromium driven by playwright-core, and helpers that
 * act as a user does (command palette, keys) and wait with bounded timeouts. Everything started here is
 * stopped by `close()`, on failure too.
 */
import { spawn, type ChildProcess } from "node:child_process";
import * as fs from "node:fs";
import * as net from "node:net";
import * as os from "node:os";
import * as path from "node:path";
import { loadPlaywright, type BrowserContext, type Locator, type Page } from "./playwright";

export const ROOT = path.resolve(__dirname, "..", "..");
export const CACHE = process.env.WOWDBG_E2E_DIR ?? path.join(ROOT, ".e2e");
export const SCREENSHOTS = path.join(ROOT, "docs", "screenshots");
const CHROMIUM = process.env.WOWDBG_E2E_CHROMIUM ?? "/usr/bin/chromium";

export function log(msg: string): void {
  process.stdout.write(`[e2e ${new Date().toISOString().slice(11, 19)}] ${msg}\n`);
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.once("error", reject);
    srv.listen(0, "127.0.0.1", () => {
      const a = srv.address();
      const port = typeof a === "object" && a !== null ? a.port : 0;
      srv.close(() => resolve(port));
    });
  });
}

async function waitForHttp(url: string, timeoutMs: number, alive: () => boolean): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (Date.now() < end) {
    if (!alive()) throw new Error("code-server exited during start-up");
    try {
      const r = await fetch(url);
      if (r.status < 500) return;
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 250));
  }
  throw new Error(`${url} did not answer within ${timeoutMs} ms`);
}

export interface Workspace {
  dir: string;
  files: Record<string, string>;
}

export class Harness {
  readonly tmp = fs.mkdtempSync(path.join(os.tmpdir(), "wowdbg-e2e-"));
  readonly workspace = path.join(this.tmp, "workspace");
  readonly userData = path.join(this.tmp, "user-data");
  readonly extensions = path.join(this.tmp, "extensions");
  readonly browserData = path.join(this.tmp, "chromium");
  readonly serverLog = path.join(this.tmp, "code-server.log");
  private server: ChildProcess | undefined;
  private context: BrowserContext | undefined;
  private page_: Page | undefined;
  readonly pageErrors: string[] = [];
  shot = 0;

  get page(): Page {
    if (this.page_ === undefined) throw new Error("the browser is not open");
    return this.page_;
  }

  /** The workspace: files copied in, launch.json written. */
  prepareWorkspace(copy: Record<string, string>, launch: object[]): void {
    fs.mkdirSync(path.join(this.workspace, ".vscode"), { recursive: true });
    for (const [name, from] of Object.entries(copy)) fs.copyFileSync(from, path.join(this.workspace, name));
    fs.writeFileSync(
      path.join(this.workspace, ".vscode", "launch.json"),
      JSON.stringify({ version: "0.2.0", configurations: launch }, null, 2),
    );
  }

  /** F5 without a launch.json: VS Code watches the file and forgets the configurations. */
  removeLaunchJson(): void {
    fs.rmSync(path.join(this.workspace, ".vscode", "launch.json"), { force: true });
  }

  /**
   * The built extension as an unpacked folder: package.json, dist, syntaxes… copied, not symlinked. The
   * extension host tells which extension calls the API by the real path of the calling module, so a dist/
   * symlinked from the extensions dir would call it as no extension at all ("a DebugAdapterDescriptorFactory
   * can only be registered from the extension that defines the 'wowdbg' debugger").
   */
  installExtension(): string {
    const pkg = JSON.parse(fs.readFileSync(path.join(ROOT, "package.json"), "utf8")) as {
      publisher: string;
      name: string;
      version: string;
    };
    const dir = path.join(this.extensions, `${pkg.publisher}.${pkg.name}-${pkg.version}`);
    fs.mkdirSync(dir, { recursive: true });
    const entries = ["package.json", "dist", "syntaxes", "media", "README.md", "LICENSE", "images"];
    // Language configuration files next to package.json (referenced from contributes.languages).
    entries.push(...fs.readdirSync(ROOT).filter((f) => /language-configuration.*\.json$/.test(f)));
    for (const entry of entries) {
      const from = path.join(ROOT, entry);
      if (fs.existsSync(from)) fs.cpSync(from, path.join(dir, entry), { recursive: true, dereference: true });
    }
    return dir;
  }

  private writeUserSettings(): void {
    const user = path.join(this.userData, "User");
    fs.mkdirSync(user, { recursive: true });
    const settings = {
      "security.workspace.trust.enabled": false,
      "workbench.startupEditor": "none",
      "workbench.tips.enabled": false,
      "workbench.enableExperiments": false,
      "extensions.ignoreRecommendations": true,
      "extensions.autoCheckUpdates": false,
      "extensions.autoUpdate": false,
      "update.mode": "none",
      "telemetry.telemetryLevel": "off",
      "window.commandCenter": false,
      "chat.commandCenter.enabled": false,
      "workbench.secondarySideBar.defaultVisibility": "hidden",
      "debug.toolBarLocation": "floating",
      "editor.minimap.enabled": false,
    };
    fs.writeFileSync(path.join(user, "settings.json"), JSON.stringify(settings, null, 2));
  }

  async startServer(timeoutMs = 60_000): Promise<string> {
    this.writeUserSettings();
    const bin = path.join(CACHE, "node_modules", "code-server", "out", "node", "entry.js");
    if (!fs.existsSync(bin))
      throw new Error(`code-server is not installed in ${CACHE}: run scripts/e2e-setup.sh`);
    const port = await freePort();
    const out = fs.openSync(this.serverLog, "w");
    const args = [
      bin,
      "--auth",
      "none",
      "--bind-addr",
      `127.0.0.1:${port}`,
      "--user-data-dir",
      this.userData,
      "--extensions-dir",
      this.extensions,
      "--disable-telemetry",
      "--disable-update-check",
      "--disable-workspace-trust",
      "--disable-getting-started-override",
      this.workspace,
    ];
    log(`code-server on 127.0.0.1:${port} (log ${this.serverLog})`);
    // Its own process group, so the extension host and the adapter processes it starts stop with it.
    const server = spawn(process.execPath, args, { stdio: ["ignore", out, out], detached: true });
    fs.closeSync(out);
    this.server = server;
    const url = `http://127.0.0.1:${port}/`;
    await waitForHttp(
      url + "healthz",
      timeoutMs,
      () => server.exitCode === null && server.signalCode === null,
    );
    return `${url}?folder=${encodeURIComponent(this.workspace)}`;
  }

  async openBrowser(url: string): Promise<Page> {
    const { chromium } = loadPlaywright(CACHE);
    this.context = await chromium.launchPersistentContext(this.browserData, {
      executablePath: CHROMIUM,
      headless: true,
      args: [
        "--no-sandbox",
        "--disable-gpu",
        "--disable-quic",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
      ],
      viewport: { width: 1440, height: 900 },
      timeout: 60_000,
    });
    const page = this.context.pages()[0] ?? (await this.context.newPage());
    page.setDefaultTimeout(20_000);
    page.on("pageerror", (e) => this.pageErrors.push(e.message));
    this.page_ = page;
    await page.goto(url, { timeout: 60_000, waitUntil: "domcontentloaded" });
    return page;
  }

  async screenshot(name: string): Promise<string> {
    fs.mkdirSync(SCREENSHOTS, { recursive: true });
    this.shot++;
    const file = path.join(SCREENSHOTS, `e2e-${String(this.shot).padStart(2, "0")}-${name}.png`);
    await this.page.screenshot({ path: file });
    log(`screenshot ${path.relative(ROOT, file)}`);
    return file;
  }

  /**
   * Runs a command through the command palette (F1), as a user does. The palette lists the commands whose
   * preconditions hold when it opens (the debug commands need the extension's debugger registered), so it
   * is reopened until the command shows up.
   */
  async command(title: string, timeoutMs = 30_000): Promise<void> {
    const page = this.page;
    const end = Date.now() + timeoutMs;
    for (;;) {
      await page.keyboard.press("Escape");
      await page.keyboard.press("F1");
      const input = page.locator(".quick-input-widget .quick-input-box input");
      await input.waitFor({ state: "visible", timeout: 10_000 });
      await input.fill(`>${title}`);
      const row = page
        .locator(".quick-input-widget .quick-input-list .monaco-list-row")
        .filter({ hasText: title })
        .first();
      try {
        await row.waitFor({ state: "visible", timeout: 3_000 });
        await row.click();
        return;
      } catch (e) {
        if (Date.now() > end)
          throw new Error(`the command palette has no "${title}" (${String(e).split("\n")[0]})`, {
            cause: e,
          });
      }
    }
  }

  /** Waits until `locator`'s text matches; returns the text. */
  async waitText(locator: Locator, re: RegExp, timeoutMs: number, what: string): Promise<string> {
    const end = Date.now() + timeoutMs;
    let last = "";
    while (Date.now() < end) {
      try {
        const texts = await locator.allInnerTexts();
        last = texts.join(" | ");
        const hit = texts.find((t) => re.test(t));
        if (hit !== undefined) return hit;
      } catch {
        // the element is being re-rendered
      }
      await this.page.waitForTimeout(150);
    }
    throw new Error(
      `timed out after ${timeoutMs} ms waiting for ${what} (${re}); last text: ${JSON.stringify(last.slice(0, 300))}`,
    );
  }

  /** Processes running the installed extension's dist/adapter.js (the `"adapter": "process"` sessions). */
  adapterProcesses(): number[] {
    const script = path.join(this.extensions, "");
    const out: number[] = [];
    for (const pid of fs.readdirSync("/proc").filter((d) => /^\d+$/.test(d))) {
      let cmd: string;
      try {
        cmd = fs.readFileSync(`/proc/${pid}/cmdline`, "utf8");
      } catch {
        continue;
      }
      if (cmd.includes(script) && /dist[\\/]adapter\.js/.test(cmd)) out.push(Number(pid));
    }
    return out;
  }

  serverLogTail(lines = 40): string {
    try {
      return fs.readFileSync(this.serverLog, "utf8").split("\n").slice(-lines).join("\n");
    } catch {
      return "";
    }
  }

  /** The extension host's log lines (activation errors land there). */
  extensionHostLog(): string {
    const logs = path.join(this.userData, "logs");
    const out: string[] = [];
    const walk = (d: string): void => {
      for (const e of fs.existsSync(d) ? fs.readdirSync(d, { withFileTypes: true }) : []) {
        const p = path.join(d, e.name);
        if (e.isDirectory()) walk(p);
        else if (/exthost|remoteexthost/i.test(e.name)) out.push(`--- ${p}\n` + fs.readFileSync(p, "utf8"));
      }
    };
    walk(logs);
    return out.join("\n");
  }

  async close(keep: boolean): Promise<void> {
    if (this.context !== undefined) {
      await Promise.race([
        this.context.close().catch(() => undefined),
        new Promise((r) => setTimeout(r, 10_000)),
      ]);
      this.context = undefined;
    }
    const server = this.server;
    const pid = server?.pid;
    if (
      server !== undefined &&
      pid !== undefined &&
      pid > 0 &&
      server.exitCode === null &&
      server.signalCode === null
    ) {
      const exited = new Promise((r) => server.once("exit", r));
      const signal = (sig: NodeJS.Signals): void => {
        try {
          process.kill(-pid, sig); // the process group started with detached: true
        } catch {
          // already gone
        }
      };
      signal("SIGTERM");
      const t = setTimeout(() => signal("SIGKILL"), 5_000);
      await Promise.race([exited, new Promise((r) => setTimeout(r, 8_000))]);
      clearTimeout(t);
      signal("SIGKILL"); // anything of the group still left (extension host, adapter processes)
    }
    this.server = undefined;
    if (!keep) fs.rmSync(this.tmp, { recursive: true, force: true });
  }
}
