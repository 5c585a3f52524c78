/**
 * The `wowdbg` command.
 *   wowdbg run [options] prog.exe [args...]                run a Windows program (see run.ts)
 *   wowdbg decode <hex bytes> [--bits 32|64] [--ip ADDR]   the anatomy of one instruction
 *   wowdbg --version
 * Every error is caught here: a message and an exit code, never a stack trace ("internal error: …", 70).
 */
import { parseHexBytes } from "../common/hex";
import { EXIT_INTERNAL, RUN_USAGE, runCommand } from "./run";

const started = performance.now();

const USAGE = `usage:
  wowdbg run [options] prog.exe [args...]                run a Windows program
  wowdbg decode <hex bytes> [--bits 32|64] [--ip ADDR]   decode one instruction and show its fields
  wowdbg --version

${RUN_USAGE}`;

function fail(msg: string): never {
  process.stderr.write(`wowdbg: ${msg}\n`);
  process.exit(2);
}

async function main(argv: string[]): Promise<void> {
  const [cmd, ...rest] = argv;
  if (!cmd || cmd === "--help" || cmd === "-h") {
    process.stdout.write(USAGE + "\n");
    return;
  }
  if (cmd === "--version") {
    process.stdout.write("wowdbg 0.1.0\n");
    return;
  }
  if (cmd === "run") {
    process.exitCode = runCommand(rest, started);
    return;
  }
  if (cmd === "decode") {
    let bits: 32 | 64 = 64;
    let ip = 0;
    const hexParts: string[] = [];
    for (let k = 0; k < rest.length; k++) {
      if (rest[k] === "--bits") {
        const b = rest[++k];
        if (b !== "32" && b !== "64") fail("--bits takes 32 or 64");
        bits = b === "32" ? 32 : 64;
      } else if (rest[k] === "--ip") {
        const v = Number(rest[++k]);
        if (!Number.isSafeInteger(v) || v < 0) fail("--ip takes a non-negative address");
        ip = v;
      } else hexParts.push(rest[k]);
    }
    let bytes: Uint8Array;
    try {
      bytes = parseHexBytes(hexParts.join(" "));
    } catch (e) {
      fail((e as Error).message);
    }
    if (bytes.length === 0) fail("decode needs instruction bytes");
    // loaded on demand: iced-x86 is most of the bundle and `run` does not need it
    const { anatomy } = await import("./anatomy");
    process.stdout.write(anatomy(bytes, bits, ip) + "\n");
    return;
  }
  fail(`unknown command '${cmd}'\n${USAGE}`);
}

main(process.argv.slice(2)).catch((e: unknown) => {
  const msg = e instanceof Error ? `${e.name}: ${e.message}` : String(e);
  process.stderr.write(`wowdbg: internal error: ${msg}\n`);
  if (process.env.WOWDBG_DEBUG) process.stderr.write(`${e instanceof Error ? e.stack : ""}\n`);
  process.exitCode = EXIT_INTERNAL;
});
