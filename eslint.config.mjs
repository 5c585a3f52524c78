// Lint configuration. The layer rule of docs/ARCHITECTURE.md is enforced here: imports go one way only
// (common <- cpu <- windows <- debugger <- extension; cli and language beside), and only src/extension
// may import "vscode".
import js from "@eslint/js";
import tseslint from "typescript-eslint";

const layers = {
  common: [],
  cpu: ["common"],
  windows: ["cpu", "common"],
  debugger: ["windows", "cpu", "common"],
  cli: ["windows", "cpu", "common"],
  language: ["windows", "cpu", "common"],
  extension: ["debugger", "common"],
};
const all = Object.keys(layers);

function layerRule(layer) {
  const forbidden = all.filter((l) => l !== layer && !layers[layer].includes(l));
  const patterns = forbidden.map((l) => ({
    group: [`**/${l}`, `**/${l}/**`, `src/${l}/**`],
    message: `src/${layer} may not import src/${l} (see docs/ARCHITECTURE.md, layers).`,
  }));
  const paths = layer === "extension" ? [] : [{ name: "vscode", message: "Only src/extension imports vscode." }];
  if (layer === "cpu" || layer === "common") {
    // The CPU core runs anywhere (Node, browser, worker): no Node APIs.
    for (const m of ["fs", "path", "os", "child_process", "node:fs", "node:path", "node:os", "node:child_process"]) {
      paths.push({ name: m, message: `src/${layer} must not use Node APIs.` });
    }
  }
  return {
    files: [`src/${layer}/**/*.ts`],
    rules: { "no-restricted-imports": ["error", { paths, patterns }] },
  };
}

export default tseslint.config(
  { ignores: ["node_modules/", "dist/", "out/", ".e2e/", "**/*.js", "test/fixtures/", "test/hw/vectors/"] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    rules: {
      "@typescript-eslint/no-explicit-any": "error",
      "@typescript-eslint/no-unused-vars": ["error", { argsIgnorePattern: "^_", varsIgnorePattern: "^_" }],
      "no-constant-condition": ["error", { checkLoops: false }],
      "no-fallthrough": "error",
    },
  },
  {
    files: ["**/*.mjs"],
    languageOptions: { globals: { process: "readonly", console: "readonly", URL: "readonly" } },
  },
  ...all.map(layerRule),
);
