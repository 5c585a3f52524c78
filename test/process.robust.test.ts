/**
 * Robustness: damaged copies of the good fixtures (truncated, bytes flipped in the headers and tables,
 * deterministic pseudo-random choices) either load or fail with a LoadError, and what loads runs to a stop
 * (exit, exception, unimplemented, budget) without a JavaScript exception escaping.
 */
import { strict as assert } from "node:assert";
import { readFileSync } from "node:fs";
import { Kernel } from "../src/windows/kernel";
import { BufferConsole, LoadError, Process } from "../src/windows/process";

function rng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s * 1664525 + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
}

describe("process: damaged images", function () {
  this.timeout(300_000);
  for (const name of ["hello32.exe", "hello64.exe", "tls32.exe", "dllclient64.exe", "memory32.exe"]) {
    it(`${name}: 150 variants load or fail cleanly, and run to a stop`, () => {
      const good = readFileSync(`test/fixtures/bin/${name}`);
      const rand = rng(name.length * 7919);
      let loaded = 0;
      for (let k = 0; k < 150; k++) {
        const f = Uint8Array.from(good);
        let file: Uint8Array = f;
        if (k % 5 === 0) file = f.subarray(0, Math.floor(rand() * f.length));
        else {
          // flip bytes, mostly in the first 1 KB (headers, section table, directories)
          const n = 1 + Math.floor(rand() * 4);
          for (let j = 0; j < n; j++) {
            const at =
              rand() < 0.8 ? Math.floor(rand() * Math.min(1024, f.length)) : Math.floor(rand() * f.length);
            f[at] = Math.floor(rand() * 256);
          }
        }
        let p: Process;
        try {
          p = Process.create({
            file,
            name,
            console: new BufferConsole(),
            kernel: (pp) => new Kernel(pp),
            findDll: (dll) =>
              /^(forward|exports)(\.dll)?$/i.test(dll)
                ? {
                    path: `C:\\app\\${dll}`,
                    bytes: readFileSync(`test/fixtures/bin/${dll.toLowerCase().replace(/\.dll$/, "")}64.dll`),
                  }
                : undefined,
          });
        } catch (e) {
          assert.ok(
            e instanceof LoadError,
            `${name} variant ${k}: ${e instanceof Error ? e.stack : String(e)}`,
          );
          continue;
        }
        loaded++;
        const stop = p.run(200_000);
        assert.ok(["exit", "exception", "unimplemented", "budget", "halt"].includes(stop.kind), stop.kind);
      }
      assert.ok(loaded > 0);
    });
  }
});
