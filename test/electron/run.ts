/**
 * Tests in a real VS Code downloaded by `@vscode/test-electron`, for machines that can download it (this
 * project's CI cannot: there the code-server walk in test/e2e is the real-VS-Code test). Not part of
 * `npm test` (mocha's spec glob is `test/**\/*.test.ts`; these are `*.etest.ts`).
 *
 *   npm run build && npx tsx test/electron/run.ts        # VS Code "stable"; WOWDBG_VSCODE_VERSION=1.100.3
 *
 * The suites are bundled with esbuild (vscode external) to out/electron/, then VS Code starts with the
 * extension under development (this folder's package.json, dist/ built) on a workspace holding the fixtures.
 */
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { build } from "esbuild";
import { runTests } from "@vscode/test-electron";

const ROOT = path.resolve(__dirname, "..", "..");

async function main(): Promise<void> {
  const out = path.join(ROOT, "out", "electron");
  await build({
    entryPoints: [path.join(__dirname, "suite.ts")],
    outfile: path.join(out, "suite.js"),
    bundle: true,
    platform: "node",
    format: "cjs",
    target: "node20",
    external: ["vscode", "mocha"],
    sourcemap: true,
    logLevel: "warning",
  });
  const workspace = fs.mkdtempSync(path.join(os.tmpdir(), "wowdbg-electron-"));
  for (const f of ["gate32.exe", "hello64.exe"])
    fs.copyFileSync(path.join(ROOT, "test", "fixtures", "bin", f), path.join(workspace, f));
  try {
    const code = await runTests({
      version: process.env.WOWDBG_VSCODE_VERSION ?? "stable",
      extensionDevelopmentPath: ROOT,
      extensionTestsPath: path.join(out, "suite.js"),
      launchArgs: [workspace, "--disable-extensions", "--skip-welcome", "--skip-release-notes"],
      extensionTestsEnv: { WOWDBG_ELECTRON_WORKSPACE: workspace },
    });
    process.exitCode = code;
  } finally {
    fs.rmSync(workspace, { recursive: true, force: true });
  }
}

main().catch((e: unknown) => {
  console.error(e);
  process.exitCode = 1;
});
