// Generates src/windows/syscalls/table.ts from the two CSV files beside it:
//   nt-syscalls-x64.csv   name,win10_22h2,win11_24h2   (syscall numbers, copied from ../shared/data as-is)
//   nt-syscall-args.csv   name,params,x86_arg_dwords,source   (argument counts from public prototypes)
// Usage: node scripts/gen-syscalls.mjs          write table.ts
//        node scripts/gen-syscalls.mjs --check  exit 1 if table.ts is not what the CSV files give
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { fileURLToPath } from "node:url";

const dir = fileURLToPath(new URL("../src/windows/syscalls/", import.meta.url));

function rows(text, columns) {
  const lines = text
    .replace(/\r/g, "")
    .split("\n")
    .filter((l) => l.length > 0);
  if (lines[0] !== columns) throw new Error(`unexpected CSV header ${JSON.stringify(lines[0])}`);
  return lines.slice(1).map((l) => l.split(","));
}

function num(cell, what) {
  if (cell === "") return null;
  const v = Number(cell);
  if (!Number.isInteger(v) || v < 0) throw new Error(`bad ${what}: ${JSON.stringify(cell)}`);
  return v;
}

export function generate(numbersCsv, argsCsv) {
  const args = new Map();
  for (const [name, params, dwords] of rows(argsCsv, "name,params,x86_arg_dwords,source")) {
    args.set(name, { params: num(params, `${name} params`), dwords: num(dwords, `${name} x86_arg_dwords`) });
  }
  const out = [];
  const seen = new Set();
  for (const [name, w10, w11] of rows(numbersCsv, "name,win10_22h2,win11_24h2")) {
    if (seen.has(name)) throw new Error(`duplicate ${name}`);
    seen.add(name);
    const a = args.get(name);
    if (!a || a.params === null) throw new Error(`no argument count for ${name} in nt-syscall-args.csv`);
    const hex = (v) => (v === null ? "null" : "0x" + v.toString(16).padStart(4, "0"));
    const cells = [
      JSON.stringify(name),
      hex(num(w10, name)),
      hex(num(w11, name)),
      a.params,
      a.dwords ?? "null",
    ];
    out.push(`  [${cells.join(", ")}],`);
  }
  for (const name of args.keys())
    if (!seen.has(name)) throw new Error(`${name} is not in nt-syscalls-x64.csv`);
  return [
    "// generated — do not edit. Made by scripts/gen-syscalls.mjs from nt-syscalls-x64.csv (syscall numbers)",
    "// and nt-syscall-args.csv (argument counts and their sources); edit those and rerun the script.",
    "",
    "/**",
    " * One NT system service: name, number on Windows 10 22H2 and on Windows 11 24H2 (null: not in that",
    " * build), parameter count of the prototype, and the 32-bit stack size in dwords that the x86 ntdll stub",
    " * pops with `ret 4*n` (null: not established from public prototypes).",
    " */",
    "export type SyscallRow = readonly [",
    "  name: string,",
    "  win10_22h2: number | null,",
    "  win11_24h2: number | null,",
    "  params: number,",
    "  x86ArgDwords: number | null,",
    "];",
    "",
    "export const SYSCALL_ROWS: readonly SyscallRow[] = [",
    ...out,
    "];",
    "",
  ].join("\n");
}

function main() {
  const text = generate(
    readFileSync(dir + "nt-syscalls-x64.csv", "utf8"),
    readFileSync(dir + "nt-syscall-args.csv", "utf8"),
  );
  const target = dir + "table.ts";
  if (process.argv.includes("--check")) {
    const current = existsSync(target) ? readFileSync(target, "utf8") : "";
    if (current !== text) {
      console.error("src/windows/syscalls/table.ts is stale: run node scripts/gen-syscalls.mjs");
      process.exit(1);
    }
    return;
  }
  writeFileSync(target, text);
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) main();
