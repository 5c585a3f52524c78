/**
 * The debug adapter measured over DAP (dist/adapter.js as a `--server` process, DebugClient sessions): step
 * round trip, launch to the entry stop, disassemble of 400 instructions, readMemory of 64 KB, the regions
 * request on a process with 10,000 regions (medians over 100; and rebuilt each time, median of 20), and
 * emulation speed with 4 instruction breakpoints set but not hit against none (median of 7 alternating
 * pairs).
 */
import { spawn, type ChildProcess } from "node:child_process";
import { existsSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { DebugClient } from "@vscode/debugadapter-testsupport";
import type { DebugProtocol } from "@vscode/debugprotocol";

const PORT = 47000 + Math.floor(Math.random() * 2000);

function repoFile(...p: string[]): string {
  for (const base of [join(__dirname, ".."), join(__dirname, "..", "..")]) {
    const f = join(base, ...p);
    if (existsSync(f)) return f;
  }
  throw new Error(`not found: ${p.join("/")}`);
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)];
}

async function session(): Promise<DebugClient> {
  const dc = new DebugClient("node", repoFile("dist", "adapter.js"), "wowdbg");
  await dc.start(PORT);
  await dc.initializeRequest({
    adapterID: "wowdbg",
    pathFormat: "path",
    linesStartAt1: true,
    columnsStartAt1: true,
  });
  return dc;
}

/** Launch and wait for the first stop; `configure` runs before configurationDone. */
async function launch(
  dc: DebugClient,
  args: Record<string, unknown>,
  configure?: (dc: DebugClient) => Promise<void>,
): Promise<DebugProtocol.StoppedEvent> {
  const initialized = dc.waitForEvent("initialized");
  const stopped = dc.waitForEvent("stopped", 60000) as Promise<DebugProtocol.StoppedEvent>;
  const launched = dc.launchRequest(args as DebugProtocol.LaunchRequestArguments);
  await initialized;
  await dc.customRequest("setInstructionBreakpoints", { breakpoints: [] });
  await dc.setDataBreakpointsRequest({ breakpoints: [] });
  if (configure) await configure(dc);
  await dc.configurationDoneRequest();
  await launched;
  return stopped;
}

async function timeIt(n: number, f: () => Promise<void>): Promise<number> {
  const t: number[] = [];
  for (let k = 0; k < n; k++) {
    const t0 = performance.now();
    await f();
    t.push(performance.now() - t0);
  }
  return median(t);
}

/** x64 shellcode: rbx = kernel32!VirtualAlloc; one 64 KB block (rdi), then 10,000 pages in their own 64 KB reservations. */
function regionsShellcode(): Uint8Array {
  // prettier-ignore
  return Uint8Array.of(
    0x48, 0x83, 0xec, 0x28,             // sub rsp, 28h
    0x31, 0xc9,                         // xor ecx, ecx
    0xba, 0x00, 0x00, 0x01, 0x00,       // mov edx, 10000h
    0x41, 0xb8, 0x00, 0x30, 0x00, 0x00, // mov r8d, MEM_COMMIT | MEM_RESERVE
    0x41, 0xb9, 0x04, 0x00, 0x00, 0x00, // mov r9d, PAGE_READWRITE
    0xff, 0xd3,                         // call rbx
    0x48, 0x89, 0xc7,                   // mov rdi, rax
    0xbe, 0x10, 0x27, 0x00, 0x00,       // mov esi, 10000
    0x31, 0xc9,                         // l: xor ecx, ecx
    0xba, 0x00, 0x10, 0x00, 0x00,       // mov edx, 1000h
    0x41, 0xb8, 0x00, 0x30, 0x00, 0x00, // mov r8d, MEM_COMMIT | MEM_RESERVE
    0x41, 0xb9, 0x04, 0x00, 0x00, 0x00, // mov r9d, PAGE_READWRITE
    0xff, 0xd3,                         // call rbx
    0xff, 0xce,                         // dec esi
    0x75, 0xe7,                         // jnz l
    0xcc,                               // int3
  );
}

/** x86 shellcode: a 50-million-iteration loop, then int3; a tail of nops where breakpoints sit unhit. */
function loopShellcode(): Uint8Array {
  // prettier-ignore
  return Uint8Array.of(
    0xb9, 0x80, 0xf0, 0xfa, 0x02,       // mov ecx, 50000000
    0x31, 0xc0,                         // xor eax, eax
    0x01, 0xc8,                         // l: add eax, ecx
    0x83, 0xf0, 0x55,                   // xor eax, 55h
    0x49,                               // dec ecx
    0x75, 0xf8,                         // jnz l
    0xcc,                               // int3
    0x90, 0x90, 0x90, 0x90, 0x90, 0x90, 0x90, 0x90,
  );
}

export async function benchAdapter(json: boolean): Promise<void> {
  const server: ChildProcess = spawn(process.execPath, [repoFile("dist", "adapter.js"), `--server=${PORT}`], {
    stdio: ["ignore", "ignore", "pipe"],
  });
  await new Promise<void>((resolve, reject) => {
    server.stderr?.on("data", (d: Buffer) => (d.toString().includes("listening") ? resolve() : undefined));
    server.on("exit", (c) => reject(new Error(`adapter server exited (${c})`)));
  });
  const dir = mkdtempSync(join(tmpdir(), "wowdbg-bench-"));
  const hello = repoFile("test", "fixtures", "bin", "hello32.exe");
  const rows: [string, number, string, string][] = [];
  try {
    // launch to the entry stop
    const launchMs = await timeIt(100, async () => {
      const dc = await session();
      await launch(dc, { program: hello, stopOnEntry: true });
      await dc.disconnectRequest({});
      await dc.stop();
    });
    rows.push(["launch to entry stop (hello32)", launchMs, "ms", "<= 300"]);

    // step round trip, disassemble, readMemory
    let dc = await session();
    await launch(dc, { program: hello, stopOnEntry: true });
    const stepMs = await timeIt(100, async () => {
      const stopped = dc.waitForEvent("stopped");
      await dc.stepInRequest({ threadId: 1, granularity: "instruction" });
      await stopped;
    });
    rows.push(["step round trip", stepMs, "ms", "<= 3"]);
    const disMs = await timeIt(100, async () => {
      const r = await dc.disassembleRequest({
        memoryReference: "0x401000",
        instructionOffset: -200,
        instructionCount: 400,
      });
      if (r.body?.instructions.length !== 400) throw new Error("disassemble count");
    });
    rows.push(["disassemble 400 instructions", disMs, "ms", "<= 20"]);
    await dc.disconnectRequest({});
    await dc.stop();

    // a process with 10,000 regions: readMemory of 64 KB and the regions request
    const sc = join(dir, "regions.bin");
    writeFileSync(sc, regionsShellcode());
    dc = await session();
    await launch(dc, { shellcode: sc, arch: "x64", stopOnEntry: true });
    const va = (await dc.evaluateRequest({ expression: "kernel32!VirtualAlloc", context: "watch" })).body
      .result;
    await dc.evaluateRequest({ expression: `r rbx=${va}`, context: "repl" });
    const stopped = dc.waitForEvent("stopped", 60000);
    await dc.continueRequest({ threadId: 1 });
    await stopped;
    const rdi = (await dc.evaluateRequest({ expression: "rdi", context: "watch" })).body.result;
    const readMs = await timeIt(100, async () => {
      const r = await dc.customRequest("readMemory", { memoryReference: rdi, count: 65536 });
      if (Buffer.from(r.body.data, "base64").length !== 65536) throw new Error("readMemory count");
    });
    rows.push(["readMemory 64 KB", readMs, "ms", "<= 5"]);
    let total = 0;
    const regMs = await timeIt(100, async () => {
      const r = await dc.customRequest("wowdbg/regions", {});
      total = r.body.total;
    });
    rows.push([`regions request (${total} regions)`, regMs, "ms", "<= 50"]);
    // The same request when the adapter cannot reuse its last listing: a debugger write (untimed) before
    // each request invalidates it, so every timed request rebuilds the listing from the address space.
    const t: number[] = [];
    for (let k = 0; k < 20; k++) {
      await dc.customRequest("writeMemory", {
        memoryReference: rdi,
        data: Buffer.from([k]).toString("base64"),
      });
      const t0 = performance.now();
      await dc.customRequest("wowdbg/regions", {});
      t.push(performance.now() - t0);
    }
    rows.push([`regions request, rebuilt each time (${total} regions)`, median(t), "ms", "<= 50"]);
    await dc.disconnectRequest({});
    await dc.stop();

    // emulation speed with 4 unhit instruction breakpoints against none
    const loop = join(dir, "loop.bin");
    writeFileSync(loop, loopShellcode());
    const speed = async (bps: number): Promise<number> => {
      const d = await session();
      await launch(d, { shellcode: loop, arch: "x86", stopOnEntry: true });
      const ip = Number(
        (await d.stackTraceRequest({ threadId: 1 })).body.stackFrames[0].instructionPointerReference,
      );
      await d.customRequest("setInstructionBreakpoints", {
        breakpoints: Array.from({ length: bps }, (_, k) => ({
          instructionReference: "0x" + (ip + 16 + k).toString(16),
        })),
      });
      const s = d.waitForEvent("stopped", 120000);
      const t0 = performance.now();
      await d.continueRequest({ threadId: 1 });
      await s;
      const ms = performance.now() - t0;
      await d.disconnectRequest({});
      await d.stop();
      return ms;
    };
    // Alternate the two runs and take the median of the pairwise ratios, so that the machine's drift
    // (other processes, CPU frequency) affects both sides of each ratio alike.
    const ratios: number[] = [];
    for (let k = 0; k < 7; k++) {
      const none = await speed(0);
      const four = await speed(4);
      ratios.push(none / four);
    }
    const ratio = median(ratios);
    rows.push(["speed with 4 unhit breakpoints / none", ratio, "x", ">= 0.95"]);
  } finally {
    server.kill();
  }
  if (json) {
    for (const [name, value, unit, target] of rows)
      console.log(JSON.stringify({ benchmark: "adapter", name, value, unit, target }));
    return;
  }
  console.log("debug adapter (DAP over TCP, median of 100; speed ratio: median of 7 alternating pairs)");
  for (const [name, value, unit, target] of rows) {
    console.log(
      `  ${name.padEnd(52)} ${value.toFixed(unit === "x" ? 3 : 2).padStart(9)} ${unit.padEnd(2)}  target ${target}`,
    );
  }
}
