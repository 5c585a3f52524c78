/**
 * `npm run test:e2e`: installs the e2e tools if needed (scripts/e2e-setup.sh), then walks through a real
 * VS Code workbench with the built extension (see walk.ts). Bounded: each wait has a timeout and the whole
 * run stops after WOWDBG_E2E_TIMEOUT seconds (default 300); code-server and chromium are stopped on every
 * exit path. WOWDBG_E2E_KEEP=1 keeps the temporary workspace, user-data-dir and logs.
 */
import { execFileSync } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";
import { CACHE, Harness, log, ROOT } from "./harness";
import { NotYet, steps } from "./walk";

const FIXTURE = path.join(ROOT, "test", "fixtures", "bin", "gate32.exe");

async function main(): Promise<number> {
  const started = Date.now();
  if (!fs.existsSync(path.join(CACHE, ".installed-4.100.3"))) {
    log("installing code-server and playwright-core (scripts/e2e-setup.sh)");
    execFileSync("bash", [path.join(ROOT, "scripts", "e2e-setup.sh")], { stdio: "inherit" });
  }
  if (!fs.existsSync(path.join(ROOT, "dist", "extension.js")))
    throw new Error("dist/extension.js missing: npm run build");
  const keep = process.env.WOWDBG_E2E_KEEP === "1";
  const h = new Harness();
  // One shutdown, awaited by every exit path (the watchdog, a signal, the end of the walk).
  let closing: Promise<void> | undefined;
  const stop = (why: string): Promise<void> => {
    if (closing === undefined) {
      log(`stopping (${why})`);
      closing = h.close(keep);
    }
    return closing;
  };
  const limit = Number(process.env.WOWDBG_E2E_TIMEOUT ?? "300") * 1000;
  const watchdog = setTimeout(() => {
    log(`the whole run exceeded ${limit / 1000} s`);
    void stop("timeout").then(() => process.exit(2));
  }, limit);
  for (const sig of ["SIGINT", "SIGTERM"] as const) {
    process.once(sig, () => void stop(sig).then(() => process.exit(130)));
  }

  const results: {
    name: string;
    outcome: "pass" | "fail" | "not yet" | "not run";
    ms: number;
    note?: string;
  }[] = [];
  try {
    h.prepareWorkspace(
      { "gate32.exe": FIXTURE, "memory32.exe": path.join(path.dirname(FIXTURE), "memory32.exe") },
      [
        {
          type: "wowdbg",
          request: "launch",
          name: "gate32 (Heaven's Gate)",
          program: "${workspaceFolder}/gate32.exe",
          stopOnEntry: true,
          // F5 runs the adapter as a separate process (dist/adapter.js); "Debug with wowdbg" on
          // memory32.exe later runs it inline (the default), so the walk covers both.
          adapter: "process",
        },
      ],
    );
    log(`extension installed at ${h.installExtension()}`);
    const url = await h.startServer();
    await h.openBrowser(url);
    let failed = false;
    // WOWDBG_E2E_ONLY=<regex>: only the steps whose name matches (and the first, the workbench), for
    // working on one step; a full run is what counts.
    const only =
      process.env.WOWDBG_E2E_ONLY !== undefined ? new RegExp(process.env.WOWDBG_E2E_ONLY, "i") : undefined;
    for (const [i, s] of steps.entries()) {
      if (only !== undefined && i > 0 && !only.test(s.name)) {
        results.push({ name: s.name, outcome: "not run", ms: 0 });
        continue;
      }
      if (failed) {
        results.push({ name: s.name, outcome: "not run", ms: 0 });
        continue;
      }
      const t0 = Date.now();
      log(`step: ${s.name}`);
      try {
        await s.run(h);
        results.push({ name: s.name, outcome: "pass", ms: Date.now() - t0 });
      } catch (e) {
        if (e instanceof NotYet) {
          results.push({ name: s.name, outcome: "not yet", ms: Date.now() - t0, note: e.message });
          continue;
        }
        failed = true;
        const msg = e instanceof Error ? e.message : String(e);
        results.push({ name: s.name, outcome: "fail", ms: Date.now() - t0, note: msg });
        await h.screenshot("failure").catch(() => undefined);
      }
    }
  } catch (e) {
    results.push({
      name: "set-up",
      outcome: "fail",
      ms: 0,
      note: e instanceof Error ? e.message : String(e),
    });
  } finally {
    clearTimeout(watchdog);
  }

  const failed = results.some((r) => r.outcome === "fail");
  if (failed) {
    log("code-server log (tail):\n" + h.serverLogTail());
    const ext = h.extensionHostLog();
    if (ext !== "") log("extension host log:\n" + ext.split("\n").slice(-60).join("\n"));
    if (h.pageErrors.length > 0) log("page errors:\n" + h.pageErrors.slice(-10).join("\n"));
  }
  await stop("done");
  log("results:");
  for (const r of results) {
    const mark = { pass: "ok     ", fail: "FAIL   ", "not yet": "not yet", "not run": "not run" }[r.outcome];
    log(
      `  ${mark} ${r.name}${r.ms > 0 ? ` (${(r.ms / 1000).toFixed(1)} s)` : ""}${r.note ? ` — ${r.note}` : ""}`,
    );
  }
  log(`total ${((Date.now() - started) / 1000).toFixed(1)} s`);
  return failed ? 1 : 0;
}

main().then(
  (code) => process.exit(code),
  (e: unknown) => {
    process.stderr.write(`${e instanceof Error ? (e.stack ?? e.message) : String(e)}\n`);
    process.exit(1);
  },
);
