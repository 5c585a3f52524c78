// Bundles the entry points to dist/ with esbuild. Entry points that do not exist yet are skipped.
import { build } from "esbuild";
import { copyFileSync, existsSync, mkdirSync } from "node:fs";

const entries = [
  { in: "src/cli/main.ts", out: "cli", banner: "#!/usr/bin/env node" },
  { in: "src/debugger/main.ts", out: "adapter" },
  { in: "src/extension/extension.ts", out: "extension", external: ["vscode"] },
  { in: "src/language/server.ts", out: "language-server" },
  // The benchmark runs bundled: the same code path as the shipped adapter, without a TS loader.
  { in: "bench/run.ts", out: "bench" },
];

const watch = process.argv.includes("--watch");
for (const e of entries) {
  if (!existsSync(e.in)) continue;
  await build({
    entryPoints: [e.in],
    outfile: `dist/${e.out}.js`,
    bundle: true,
    platform: "node",
    target: "node20",
    format: "cjs",
    sourcemap: true,
    minify: !watch,
    keepNames: true,
    external: e.external ?? [],
    banner: e.banner ? { js: e.banner } : undefined,
    logLevel: "warning",
  });
}
// iced-x86 (disassembly text) loads its WebAssembly from beside the bundle.
mkdirSync("dist", { recursive: true });
copyFileSync("node_modules/iced-x86/iced_x86_bg.wasm", "dist/iced_x86_bg.wasm");
console.log("built dist/");
