/**
 * `wowdbg run`: run a Windows program (or raw shellcode inside a full process) headless.
 *
 *   wowdbg run [options] prog.exe [args…]
 *   wowdbg run [options] --shellcode FILE --arch x86|x64 [--entry OFFSET] [args…]
 *
 * The guest's stdout/stderr are this process's, its stdin is ours, and our exit code is the guest's (the
 * host keeps its low 8 bits). Exit codes of our own: 1 the program cannot be loaded (not a PE, malformed,
 * a DLL missing), 2 bad usage, 124 the instruction limit was reached, 125 the program needed something
 * not implemented, 70 an internal error; an unhandled exception exits with its NTSTATUS (low byte, or 1).
 */
import { MemoryFsHost, MountFsHost } from "../windows/fs";
import { NodeFsHost } from "../windows/fs/node-host";
import type { RegistrySource } from "../windows/kernel/registry";
import { registryFileOption } from "../windows/registry/node-host";
import * as fs from "node:fs";
import * as path from "node:path";
import { Kernel } from "../windows/kernel";
import type { KernelApi, KernelProcess, SyscallRecord } from "../windows/kernel/types";
import { hostMemoryOptions } from "../windows/memory/node-host";
import { MemoryManager } from "../windows/memory/manager";
import { LoadError, Process, type ProcessStop } from "../windows/process";
import type { DllFile } from "../windows/loader";
import type { Arch } from "../windows/dlls";

export const EXIT_LOAD = 1;
export const EXIT_USAGE = 2;
export const EXIT_INTERNAL = 70;
export const EXIT_LIMIT = 124;
export const EXIT_UNIMPLEMENTED = 125;

export const RUN_USAGE = `usage:
  wowdbg run [options] prog.exe [args...]
  wowdbg run [options] --shellcode FILE --arch x86|x64 [--entry OFFSET] [args...]
options:
  --trace-syscalls        print each syscall (name, number, caller mode, arguments, status) to stderr
  --max-instructions N    stop after N instructions (exit code 124)
  --json                  print a final summary as JSON on stdout: {exitCode, stopReason, instructions, x86, x64}
  --timing                print startup and run times to stderr
  --sandbox DIR           drive C: is this host folder (read-write; nothing outside it is reachable);
                          default an in-memory C:. The program's folder is C:\\app either way.
  --registry FILE         load the registry from FILE (.reg as regedit writes it, or .json) when it exists
                          and save every change back to it; default a fresh hive in memory`;

export interface RunOptions {
  program: string;
  args: string[];
  traceSyscalls: boolean;
  maxInstructions: number | undefined;
  json: boolean;
  timing: boolean;
  shellcode: { arch: Arch; entry: number } | undefined;
  /** The host folder that is drive C:. */
  sandbox: string | undefined;
  /** The registry file (host path). */
  registry: string | undefined;
}

export class UsageError extends Error {}

function parseNumber(s: string | undefined, what: string): number {
  if (s === undefined) throw new UsageError(`${what} needs a value`);
  const v = Number(s.replace(/_/g, ""));
  if (!Number.isSafeInteger(v) || v < 0)
    throw new UsageError(`${what}: '${s}' is not a non-negative integer`);
  return v;
}

/** Options come before the program; everything after it belongs to the guest. */
export function parseRunArgs(argv: readonly string[]): RunOptions {
  const o: RunOptions = {
    program: "",
    args: [],
    traceSyscalls: false,
    maxInstructions: undefined,
    json: false,
    timing: false,
    shellcode: undefined,
    sandbox: undefined,
    registry: undefined,
  };
  let shellcode: string | undefined;
  let arch: string | undefined;
  let entry = 0;
  let k = 0;
  for (; k < argv.length; k++) {
    const a = argv[k];
    if (a === "--") {
      k++;
      break;
    }
    if (!a.startsWith("--")) break;
    switch (a) {
      case "--trace-syscalls":
        o.traceSyscalls = true;
        break;
      case "--json":
        o.json = true;
        break;
      case "--timing":
        o.timing = true;
        break;
      case "--max-instructions":
        o.maxInstructions = parseNumber(argv[++k], a);
        break;
      case "--shellcode":
        shellcode = argv[++k];
        if (shellcode === undefined) throw new UsageError("--shellcode needs a file");
        break;
      case "--arch":
        arch = argv[++k];
        break;
      case "--entry":
        entry = parseNumber(argv[++k], a);
        break;
      case "--sandbox":
        o.sandbox = argv[++k];
        if (o.sandbox === undefined || o.sandbox === "") throw new UsageError("--sandbox needs a folder");
        break;
      case "--registry":
        o.registry = argv[++k];
        if (o.registry === undefined || o.registry === "") throw new UsageError("--registry needs a file");
        break;
      default:
        throw new UsageError(`unknown option '${a}'`);
    }
  }
  if (shellcode !== undefined) {
    if (arch !== "x86" && arch !== "x64") throw new UsageError("--shellcode needs --arch x86 or --arch x64");
    o.program = shellcode;
    o.shellcode = { arch, entry };
    o.args = argv.slice(k);
    return o;
  }
  if (arch !== undefined || entry !== 0) throw new UsageError("--arch and --entry go with --shellcode");
  if (k >= argv.length) throw new UsageError("run needs a program");
  o.program = argv[k];
  o.args = argv.slice(k + 1);
  return o;
}

function isDirectory(p: string): boolean {
  try {
    return fs.statSync(p).isDirectory();
  } catch {
    return false;
  }
}

function hex(v: number, digits = 0): string {
  return "0x" + (v >>> 0).toString(16).toUpperCase().padStart(digits, "0");
}

const STATUS_NAMES: Record<number, string> = {
  0x00000000: "STATUS_SUCCESS",
  0x00000080: "STATUS_ABANDONED_WAIT_0",
  0x000000c0: "STATUS_USER_APC",
  0x00000102: "STATUS_TIMEOUT",
  0x00000103: "STATUS_PENDING",
  0x80000005: "STATUS_BUFFER_OVERFLOW",
  0xc0000005: "STATUS_ACCESS_VIOLATION",
  0xc0000008: "STATUS_INVALID_HANDLE",
  0xc000000d: "STATUS_INVALID_PARAMETER",
  0xc0000017: "STATUS_NO_MEMORY",
  0xc0000018: "STATUS_CONFLICTING_ADDRESSES",
  0xc0000022: "STATUS_ACCESS_DENIED",
  0xc0000023: "STATUS_BUFFER_TOO_SMALL",
  0xc0000034: "STATUS_OBJECT_NAME_NOT_FOUND",
  0xc0000045: "STATUS_INVALID_PAGE_PROTECTION",
  0xc00000bb: "STATUS_NOT_SUPPORTED",
  0xc0000220: "STATUS_MAPPED_ALIGNMENT",
};

function argText(v: number): string {
  if (v < 0) return "-" + (-v).toString(16).toUpperCase().replace(/^/, "0x");
  return v < 10 ? String(v) : "0x" + v.toString(16).toUpperCase();
}

/**
 * One trace line: `NtWriteFile (0x0008) x86: 0x54, 0, 0, 0, 0x…, 0x…, 14, 0, 0 → 0x00000000 STATUS_SUCCESS`.
 * A call whose thread waits ends in `-> (waits)`; when the wait ends the same call is printed again with
 * its status and `(after waiting)` (other threads' calls may come in between). `(no return)`: the call
 * did not come back (the thread or process ended, the context was replaced).
 */
export function formatSyscall(r: SyscallRecord, completed = false): string {
  const status =
    r.status === undefined
      ? r.waiting === true
        ? "(waits)"
        : "(no return)"
      : `${hex(r.status, 8)}${STATUS_NAMES[r.status >>> 0] ? " " + STATUS_NAMES[r.status >>> 0] : ""}${completed ? " (after waiting)" : ""}`;
  return `syscall ${r.name} (${hex(r.number, 4)}) ${r.callerMode}: ${r.args.map(argText).join(", ")} -> ${status}`;
}

/** Finds a program's DLLs in its own directory (any case), as the first place of the Windows search order. */
function dllFinder(dir: string): (name: string, arch: Arch) => DllFile | undefined {
  let listing: string[] | undefined;
  return (name) => {
    const want = path.win32.basename(name).toLowerCase();
    const withExt = want.includes(".") ? want : want + ".dll";
    listing ??= fs.readdirSync(dir);
    const found = listing.find((f) => f.toLowerCase() === withExt);
    if (found === undefined) return undefined;
    return { path: `C:\\app\\${found}`, bytes: fs.readFileSync(path.join(dir, found)) };
  };
}

function readStdin(max: number): Uint8Array {
  const buf = Buffer.alloc(Math.max(1, Math.min(max, 1 << 20)));
  for (;;) {
    try {
      const n = fs.readSync(0, buf, 0, buf.length, null);
      return buf.subarray(0, n);
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code;
      if (code === "EAGAIN") continue;
      if (code === "EOF") return new Uint8Array(0);
      throw e;
    }
  }
}

function writeAll(fd: number, data: Uint8Array): void {
  let done = 0;
  while (done < data.length) {
    try {
      done += fs.writeSync(fd, data, done, data.length - done);
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === "EAGAIN") continue;
      if ((e as NodeJS.ErrnoException).code === "EPIPE") return;
      throw e;
    }
  }
}

/** The exit code for a stop. */
export function exitCodeOf(stop: ProcessStop): number {
  switch (stop.kind) {
    case "exit":
      return stop.status >>> 0;
    case "exception":
      return stop.code & 0xff || 1;
    case "budget":
      return EXIT_LIMIT;
    default:
      return EXIT_UNIMPLEMENTED;
  }
}

/** Runs `wowdbg run`; returns the exit code. Errors other than load errors propagate (internal errors). */
export function runCommand(argv: readonly string[], started: number): number {
  let o: RunOptions;
  try {
    o = parseRunArgs(argv);
  } catch (e) {
    if (e instanceof UsageError) {
      process.stderr.write(`wowdbg: ${e.message}\n${RUN_USAGE}\n`);
      return EXIT_USAGE;
    }
    throw e;
  }
  let file: Uint8Array;
  try {
    file = fs.readFileSync(o.program);
  } catch (e) {
    process.stderr.write(`wowdbg: cannot read ${o.program}: ${(e as Error).message}\n`);
    return EXIT_LOAD;
  }
  let lastStdout = 10;
  const console = {
    write(stream: "stdout" | "stderr", data: Uint8Array): void {
      if (stream === "stdout" && data.length > 0) lastStdout = data[data.length - 1];
      writeAll(stream === "stdout" ? 1 : 2, data);
    },
    read: readStdin,
  };
  let kernel: KernelApi | undefined;
  const makeKernel = (p: KernelProcess): KernelApi => {
    const k = new Kernel(p);
    if (o.traceSyscalls) {
      // With several threads, each line names the thread that made the call.
      const line = (r: SyscallRecord, completed: boolean): void => {
        const cur = (p as Partial<Pick<Process, "currentThread">>).currentThread;
        const id = r.thread ?? cur?.id;
        const tid = p.threads.length > 1 && id !== undefined ? `[thread 0x${id.toString(16)}] ` : "";
        writeAll(2, Buffer.from(tid + formatSyscall(r, completed) + "\n"));
      };
      k.onSyscall = (r) => line(r, false);
      k.onSyscallComplete = (r) => line(r, true);
    }
    kernel = k;
    return k;
  };
  const name = path.basename(o.program);
  if (o.sandbox !== undefined && !isDirectory(o.sandbox)) {
    process.stderr.write(`wowdbg: --sandbox ${o.sandbox}: not a folder\n`);
    return EXIT_USAGE;
  }
  let registryFile: RegistrySource | undefined;
  if (o.registry !== undefined) {
    const r = registryFileOption(o.registry);
    if ("problem" in r) {
      process.stderr.write(`wowdbg: --registry ${o.registry}: ${r.problem}\n`);
      return EXIT_USAGE;
    }
    registryFile = r.source;
  }
  let proc: Process;
  try {
    const common = {
      console,
      kernel: makeKernel,
      memory: new MemoryManager(hostMemoryOptions()),
      args: o.args,
      findDll: dllFinder(path.dirname(path.resolve(o.program))),
      // Drive C: is the sandbox folder (or an in-memory volume) with the program's own folder as C:\app
      // (its current directory).
      fileSystem: {
        host: new MountFsHost(
          o.sandbox !== undefined ? new NodeFsHost(path.resolve(o.sandbox)) : new MemoryFsHost(),
          {
            app: new NodeFsHost(path.dirname(path.resolve(o.program))),
          },
        ),
      },
      registry: registryFile,
    };
    proc =
      o.shellcode !== undefined
        ? Process.createShellcode({ ...common, code: file, arch: o.shellcode.arch, entry: o.shellcode.entry })
        : Process.create({ ...common, file, name, imagePath: `C:\\app\\${name}` });
  } catch (e) {
    if (e instanceof LoadError) {
      process.stderr.write(`wowdbg: ${e.message}\n`);
      return EXIT_LOAD;
    }
    throw e;
  }
  void kernel;
  const ready = performance.now();
  const limit = o.maxInstructions ?? Number.POSITIVE_INFINITY;
  let stop: ProcessStop;
  for (;;) {
    const left = limit - proc.instructions;
    if (left <= 0) {
      stop = { kind: "budget" };
      break;
    }
    stop = proc.run(Math.min(left, 5_000_000));
    if (stop.kind !== "budget") break;
  }
  const done = performance.now();
  const code = exitCodeOf(stop);
  if (stop.kind !== "exit") {
    const msg =
      stop.kind === "budget"
        ? `instruction limit reached (${proc.instructions} instructions) at ${proc.where(proc.cpu.rip)}`
        : "message" in stop
          ? stop.message
          : stop.kind;
    process.stderr.write(`wowdbg: ${msg}\n`);
  }
  if (o.timing) {
    process.stderr.write(
      `wowdbg: timing: to the first guest instruction ${ready.toFixed(1)} ms (of which bring-up ` +
        `${(ready - started).toFixed(1)} ms), run ${(done - ready).toFixed(1)} ms, total ${done.toFixed(1)} ms, ` +
        `${proc.instructions} instructions\n`,
    );
  }
  if (o.json) {
    const ctx = proc.contexts();
    const summary = {
      exitCode: stop.kind === "exit" ? stop.status >>> 0 : stop.kind === "exception" ? stop.code >>> 0 : null,
      stopReason: stop.kind,
      message: "message" in stop ? stop.message : undefined,
      instructions: proc.instructions,
      syscalls: proc.syscalls,
      x86: ctx.x86,
      x64: ctx.x64,
    };
    writeAll(1, Buffer.from((lastStdout === 10 ? "" : "\n") + JSON.stringify(summary) + "\n"));
  }
  return code;
}
