/**
 * The extension-host side of the @vscode/test-electron run (see run.ts): VS Code calls `run()`, which sets up
 * mocha's BDD globals, loads the `*.etest.ts` suites (bundled with this file into out/electron/suite.js)
 * and runs them.
 */
import Mocha from "mocha";

export function run(): Promise<void> {
  const mocha = new Mocha({ ui: "bdd", timeout: 60_000, color: true });
  mocha.suite.emit("pre-require", globalThis, "extension.etest.ts", mocha);
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  require("./extension.etest");
  return new Promise((resolve, reject) => {
    mocha.run((failures) => (failures > 0 ? reject(new Error(`${failures} test(s) failed`)) : resolve()));
  });
}
