/**
 * WinDbg-style console commands for the debug console, over the expression context plus a few data
 * providers the runtime fills in (frames, modules, regions, TEB/PEB fields). Output follows WinDbg's
 * layouts (`r`, `u`, `db`/`dw`/`dd`/`dq`, `k`, `lm`, `!address`, `!teb`, `!peb`, `?`); trailing blanks
 * are trimmed. DAP-independent: the session routes REPL input here when `isConsoleCommand` says so.
 */
import { disassemble, readRange, windbgAddress } from "./disasm";
import {
  completions as exprCompletions,
  evaluate,
  ExprError,
  readRegister,
  registerInfo,
  registerWrite,
  signedDecimal,
  wordBefore,
  type Completion,
  type ExprContext,
} from "./expr";

/** One stack frame as `k` shows it. */
export interface StackFrameInfo {
  /** ChildEBP for an x86 frame (its frame pointer), Child-SP for an x64 frame. */
  frameBase: number;
  /** 0 for the last frame. */
  returnAddress: number;
  ip: number;
  /** The call site, `module!symbol+0xoff`; default: the resolver's name of `ip`, else `0x…`. */
  name?: string;
  mode: "x86" | "x64";
}

/** A loaded module as `lm` shows it. */
export interface ModuleInfo {
  base: number;
  size: number;
  /** `ntdll`, `kernel32`… (the name used in `module!symbol`). */
  name: string;
  path?: string;
  /** Symbol status without parentheses; default "export symbols". */
  symbols?: string;
}

/** A memory region as VirtualQuery reports it, plus what the debugger knows about it. */
export interface RegionRecord {
  baseAddress: number;
  regionSize: number;
  allocationBase: number;
  allocationProtect: number;
  /** MEM_COMMIT, MEM_RESERVE, MEM_FREE. */
  state: number;
  protect: number;
  /** MEM_PRIVATE, MEM_MAPPED, MEM_IMAGE, 0 for free memory. */
  type: number;
  /** WinDbg's Usage column: Image, Stack, Heap, TEB, PEB, Free, Other… (default from state and type). */
  usage?: string;
  /** The bracketed detail of the table (`[ntdll; "C:\Windows\System32\ntdll.dll"]`, `[~0; 1b38.2624]`). */
  detail?: string;
  /** More `label: value` lines for `!address <addr>` (Image Path, Module Name, Section, Section Offset…). */
  extra?: readonly (readonly [string, string])[];
}

/** A block of fields for `!teb` / `!peb`. */
export interface FieldBlock {
  /** The heading, e.g. `TEB at 000000e0a1b9e000` or `Wow64 TEB32 at 00c06000`. */
  title: string;
  /** Pointer width for number values: 8 or 16 hex digits. */
  bits: 32 | 64;
  /** Numbers are shown in hex at pointer width; strings as they are. */
  fields: readonly { name: string; value: string | number | bigint }[];
}

/** What the console works on: the expression context, a register setter and the data providers. */
export interface ConsoleContext extends ExprContext {
  /** Set a base register (`rax`…`r15`, `rip`, `rflags`, segment registers); an error message or undefined. */
  setReg?(base: string, value: bigint): string | undefined;
  frames?(): readonly StackFrameInfo[];
  modules?(): readonly ModuleInfo[];
  regions?(): readonly RegionRecord[];
  teb?(): readonly FieldBlock[];
  peb?(): readonly FieldBlock[];
}

export interface CommandResult {
  output: string;
  error: boolean;
  /** What the command changed, so the session can refresh its views. */
  changed?: "registers" | "memory";
}

const COMMANDS: readonly (readonly [string, string])[] = [
  ["r", "r [reg[=expr], …]        registers (all, some, or set one: r eax=5, r zf=0)"],
  ["u", "u [addr] [L count]       disassemble (8 instructions; again: continue)"],
  ["db", "db [addr] [L count]      bytes and ASCII"],
  ["dw", "dw [addr] [L count]      words"],
  ["dd", "dd [addr] [L count]      double words"],
  ["dq", "dq [addr] [L count]      quad words"],
  ["k", "k [count]                call stack"],
  ["lm", "lm                       loaded modules"],
  ["!address", "!address [addr]          memory regions, or the region at addr"],
  ["!teb", "!teb                     thread environment block"],
  ["!peb", "!peb                     process environment block"],
  ["?", "? expr                   evaluate an expression"],
  [".help", ".help                    this list"],
];

const COMMAND_NAMES = new Set(COMMANDS.map(([n]) => n));

/** The command word of a console line (lower case), or undefined when the line is not a command. */
function commandWord(line: string): { cmd: string; args: string } | undefined {
  const t = line.trim();
  if (t.startsWith("?") && !t.startsWith("??")) return { cmd: "?", args: t.slice(1).trim() };
  const m = /^(\S+)(?:\s+([\s\S]*))?$/.exec(t);
  if (m === null) return undefined;
  const word = m[1].toLowerCase();
  return { cmd: word, args: (m[2] ?? "").trim() };
}

/** Whether a debug-console line is a command (else it is an expression to evaluate). */
export function isConsoleCommand(line: string): boolean {
  const w = commandWord(line);
  return w !== undefined && (COMMAND_NAMES.has(w.cmd) || w.cmd.startsWith(".") || w.cmd.startsWith("!"));
}

// ------------------------------------------------------------------------------------------- formatting

function hex(v: number | bigint, digits: number): string {
  return v.toString(16).padStart(digits, "0");
}

function trimLines(lines: string[]): string {
  return lines.map((l) => l.replace(/\s+$/, "")).join("\n");
}

/**
 * WinDbg's flag mnemonics, OF DF IF SF ZF AF PF CF: `nv up ei pl zr na po nc`. PF=1 is `pe` (parity even)
 * as the x86 display has it; WinDbg's x64 display swaps pe/po (`efl=00000246 … na po nc`), a quirk not
 * copied here.
 */
export function flagsText(efl: bigint): string {
  const f = (bit: number, on: string, off: string): string => ((efl >> BigInt(bit)) & 1n ? on : off);
  return [
    f(11, "ov", "nv"),
    f(10, "dn", "up"),
    f(9, "ei", "di"),
    f(7, "ng", "pl"),
    f(6, "zr", "nz"),
    f(4, "ac", "na"),
    f(2, "pe", "po"),
    f(0, "cy", "nc"),
  ].join(" ");
}

const PROTECT_NAMES: Record<number, string> = {
  0x01: "PAGE_NOACCESS",
  0x02: "PAGE_READONLY",
  0x04: "PAGE_READWRITE",
  0x08: "PAGE_WRITECOPY",
  0x10: "PAGE_EXECUTE",
  0x20: "PAGE_EXECUTE_READ",
  0x40: "PAGE_EXECUTE_READWRITE",
  0x80: "PAGE_EXECUTE_WRITECOPY",
};

/** `PAGE_READWRITE | PAGE_GUARD` for 0x104. */
export function protectText(p: number): string {
  const parts: string[] = [];
  const base = PROTECT_NAMES[p & 0xff];
  if (base !== undefined) parts.push(base);
  else if ((p & 0xff) !== 0) parts.push(`0x${hex(p & 0xff, 2)}`);
  if (p & 0x100) parts.push("PAGE_GUARD");
  if (p & 0x200) parts.push("PAGE_NOCACHE");
  if (p & 0x400) parts.push("PAGE_WRITECOMBINE");
  return parts.join(" | ");
}

export function stateText(s: number): string {
  return s === 0x1000 ? "MEM_COMMIT" : s === 0x2000 ? "MEM_RESERVE" : s === 0x10000 ? "MEM_FREE" : "";
}

export function typeText(t: number): string {
  return t === 0x20000 ? "MEM_PRIVATE" : t === 0x40000 ? "MEM_MAPPED" : t === 0x1000000 ? "MEM_IMAGE" : "";
}

/** `(   4.000 kB)` as `!address` shows a size. */
function sizeText(n: number): string {
  const units: [number, string][] = [
    [1024 ** 3, "GB"],
    [1024 ** 2, "MB"],
    [1024, "kB"],
  ];
  for (const [u, name] of units) {
    if (n >= u || name === "kB") return `(${(n / u).toFixed(3).padStart(8)} ${name})`;
  }
  return "";
}

/** The `!address` table form: `7ff5`fbd91000` (high part unpadded), 8 digits for 32-bit targets. */
function tableAddress(v: number, bits: 32 | 64): string {
  if (bits === 32 && v <= 0xffffffff) return hex(v, 8);
  const hi = Math.floor(v / 0x100000000);
  return `${hi.toString(16)}\`${hex(v % 0x100000000, 8)}`;
}

// ---------------------------------------------------------------------------------------------- console

/**
 * The console: executes command lines and remembers where `u` and `d*` stopped (an argument-less repeat
 * continues, as in WinDbg). One per debug session.
 */
export class Console {
  private nextU: number | undefined;
  private nextD: number | undefined;

  execute(line: string, ctx: ConsoleContext): CommandResult {
    const w = commandWord(line);
    if (w === undefined) return { output: "", error: false };
    try {
      switch (w.cmd) {
        case "r":
          return this.r(w.args, ctx);
        case "u":
          return ok(this.u(w.args, ctx));
        case "db":
        case "dw":
        case "dd":
        case "dq":
          return ok(this.d(w.cmd, w.args, ctx));
        case "k":
          return ok(this.k(w.args, ctx));
        case "lm":
          return ok(lm(ctx));
        case "!address":
          return ok(address(w.args, ctx));
        case "!teb":
        case "!peb":
          return ok(blocks(w.cmd, ctx));
        case "?":
          return ok(evalCommand(w.args, ctx));
        case ".help":
          return ok(COMMANDS.map(([, h]) => h).join("\n"));
      }
      return fail(`unknown command "${w.cmd}" (.help lists the commands)`);
    } catch (e) {
      if (e instanceof ExprError || e instanceof CommandError) return fail(e.message);
      throw e;
    }
  }

  /** Completions for a console line at `column`: command names first, then expression names. */
  complete(line: string, column: number, ctx: ConsoleContext): Completion[] {
    const before = line.slice(0, column);
    if (/^\s*\S*$/.test(before)) {
      const { start, word } = wordBefore(before, column);
      const s = before.length - before.trimStart().length;
      const typed = before.trimStart().toLowerCase();
      const cmds: Completion[] = [];
      for (const [n] of COMMANDS) {
        if (n.startsWith(typed) && typed.length > 0)
          cmds.push({ label: n, text: n, start: s, length: typed.length, kind: "command" });
      }
      const exprs =
        word.length > 0 ? exprCompletions(before, column, ctx).filter((c) => c.start === start) : [];
      return cmds.concat(exprs);
    }
    return exprCompletions(line, column, ctx);
  }

  // -------------------------------------------------------------------------------------------------- r

  private r(args: string, ctx: ConsoleContext): CommandResult {
    if (args === "") return ok(registerDump(ctx));
    const out: string[] = [];
    let changed = false;
    for (const part of args.split(",")) {
      const m = /^\s*@?([A-Za-z0-9$]+)\s*(?:=([\s\S]*))?$/.exec(part);
      if (m === null) throw new CommandError(`bad register syntax "${part.trim()}"`);
      const name = m[1].toLowerCase();
      if (m[2] === undefined) {
        out.push(`${name}=${registerText(ctx, name)}`);
        continue;
      }
      const value = evaluate(m[2], ctx).value;
      const w = registerWrite(ctx, name, value);
      if (ctx.setReg === undefined) throw new CommandError("registers cannot be changed here");
      const err = ctx.setReg(w.base, w.value);
      if (err !== undefined) throw new CommandError(err);
      changed = true;
    }
    const res: CommandResult = { output: out.join("\n"), error: false };
    if (changed) res.changed = "registers";
    return res;
  }

  // -------------------------------------------------------------------------------------------------- u

  private u(args: string, ctx: ConsoleContext): string {
    const range = parseRange(args, ctx);
    const start = range?.start ?? this.nextU ?? Number(readRegister(ctx, "$ip").value);
    let count = range?.count ?? 8;
    const end = range?.end;
    if (end !== undefined) count = Math.min(0x10000, Math.max(1, end - start + 16));
    const lines = disassemble(ctx, start, 0, count, ctx.bits, ctx.symbols, { style: "windbg" });
    const out: string[] = [];
    let next = start;
    for (let k = 0; k < lines.length; k++) {
      const l = lines[k];
      if (end !== undefined && l.address > end) break;
      const label = l.symbol ?? (k === 0 ? ctx.symbols?.nameAt(l.address) : undefined);
      if (label !== undefined) out.push(`${label}:`);
      const bytes = l.bytes.padEnd(15);
      out.push(`${windbgAddress(l.address, ctx.bits)} ${bytes} ${l.text}`);
      next = l.address + l.length;
    }
    this.nextU = next;
    return trimLines(out);
  }

  // -------------------------------------------------------------------------------------------------- d

  private d(cmd: string, args: string, ctx: ConsoleContext): string {
    const size = cmd === "db" ? 1 : cmd === "dw" ? 2 : cmd === "dd" ? 4 : 8;
    const perLine = 16 / size;
    const defaultCount = 0x80 / size;
    const range = parseRange(args, ctx);
    let start = range?.start ?? this.nextD;
    if (start === undefined) throw new CommandError(`${cmd} needs an address`);
    if (ctx.bits === 32 && start > 0xffffffff) start %= 0x100000000;
    let count = range?.count ?? defaultCount;
    if (range?.end !== undefined) count = Math.floor((range.end - start) / size) + 1;
    if (count <= 0) throw new CommandError("empty range");
    count = Math.min(count, 0x100000 / size);
    const { bytes, ok } = readRange(ctx, start, start + count * size);
    const out: string[] = [];
    for (let line = 0; line * perLine < count; line++) {
      const first = line * perLine;
      const n = Math.min(perLine, count - first);
      const addr = start + first * size;
      let text = `${windbgAddress(addr, ctx.bits)}  `;
      if (size === 1) {
        let ascii = "";
        for (let k = 0; k < 16; k++) {
          const sep = k === 0 ? "" : k === 8 ? "-" : " ";
          if (k >= n) {
            text += k === 0 ? "  " : "   ";
            continue;
          }
          const i = first + k;
          if (ok[i]) {
            const b = bytes[i];
            text += sep + hex(b, 2);
            ascii += b >= 0x20 && b < 0x7f ? String.fromCharCode(b) : ".";
          } else {
            text += sep + "??";
            ascii += "?";
          }
        }
        text += "  " + ascii;
      } else {
        const items: string[] = [];
        for (let k = 0; k < n; k++) {
          const i = (first + k) * size;
          let readable = true;
          let v = 0n;
          for (let b = size - 1; b >= 0; b--) {
            if (!ok[i + b]) readable = false;
            v = (v << 8n) | BigInt(bytes[i + b]);
          }
          const digits = size * 2;
          let s = readable ? hex(v, digits) : "?".repeat(digits);
          if (size === 8) s = s.slice(0, 8) + "`" + s.slice(8);
          items.push(s);
        }
        text += items.join(" ");
      }
      out.push(text);
    }
    this.nextD = start + count * size;
    return trimLines(out);
  }

  // -------------------------------------------------------------------------------------------------- k

  private k(args: string, ctx: ConsoleContext): string {
    if (ctx.frames === undefined) throw new CommandError("no call stack here");
    let frames = ctx.frames();
    if (args !== "") frames = frames.slice(0, Number(evaluate(args, ctx).value));
    const wide = frames.some(
      (f) => f.mode === "x64" || f.frameBase > 0xffffffff || f.returnAddress > 0xffffffff,
    );
    const mixed = frames.some((f) => f.mode === "x64") && frames.some((f) => f.mode === "x86");
    // A WOW64 stack is shown as `!wow64exts.k` shows it: the native (x64) frames with Child-SP, then the
    // guest (x86) frames with their ChildEBP in 8 digits under their own header; numbering runs on.
    const header64 = " # Child-SP          RetAddr               Call Site";
    const header32 = " # ChildEBP RetAddr";
    const out = [wide ? header64 : header32];
    frames.forEach((f, i) => {
      const site = f.name ?? ctx.symbols?.nameAt(f.ip) ?? `0x${f.ip.toString(16)}`;
      const bits = mixed ? (f.mode === "x64" ? 64 : 32) : wide ? 64 : 32;
      if (mixed && f.mode === "x86" && frames[i - 1]?.mode === "x64") out.push(header32);
      out.push(
        `${hex(i, 2)} ${windbgAddress(f.frameBase, bits)} ${windbgAddress(f.returnAddress, bits)}     ${site}`,
      );
    });
    return trimLines(out);
  }
}

class CommandError extends Error {}

function ok(output: string): CommandResult {
  return { output, error: false };
}

function fail(output: string): CommandResult {
  return { output, error: true };
}

/**
 * WinDbg's address-and-range argument: `addr`, `addr L count` (`L?count`), `addr end` (inclusive); the
 * whole text is first tried as one expression. Counts are in the default radix (hex).
 */
function parseRange(
  args: string,
  ctx: ExprContext,
): { start: number; count?: number; end?: number } | undefined {
  if (args.trim() === "") return undefined;
  const toAddr = (text: string): number => {
    let v = evaluate(text, ctx).value;
    if (ctx.bits === 32) v &= 0xffffffffn;
    if (v > BigInt(Number.MAX_SAFE_INTEGER)) throw new CommandError(`address out of range: ${text}`);
    return Number(v);
  };
  const lm = /^([\s\S]*?)\s+[lL]\??\s*([\s\S]+)$/.exec(args.trim());
  if (lm !== null && lm[1].trim() !== "") {
    const count = Number(evaluate(lm[2], ctx).value);
    return { start: toAddr(lm[1]), count };
  }
  try {
    return { start: toAddr(args) };
  } catch (e) {
    const parts = args.trim().split(/\s+/);
    if (parts.length === 2) return { start: toAddr(parts[0]), end: toAddr(parts[1]) };
    throw e;
  }
}

/** A register's value as `r name` shows it (width of the register; flags 0/1). */
function registerText(ctx: ExprContext, name: string): string {
  const info = registerInfo(name);
  const v = readRegister(ctx, name);
  if (info === undefined) return v.value.toString(16);
  if (info.bits < 8) return v.value.toString(16);
  return hex(v.value, info.bits / 4);
}

/** `r` without arguments: WinDbg's register display, then the current instruction. */
export function registerDump(ctx: ExprContext): string {
  const get = (n: string): bigint => ctx.reg(n) ?? 0n;
  const out: string[] = [];
  const efl = get("rflags");
  const iopl = `iopl=${(efl >> 12n) & 3n}`.padEnd(15) + flagsText(efl);
  const seg = (n: string): string => `${n}=${hex(get(n) & 0xffffn, 4)}`;
  const segLine = `${["cs", "ss", "ds", "es", "fs", "gs"].map(seg).join("  ")}             efl=${hex(efl & 0xffffffffn, 8)}`;
  if (ctx.bits === 64) {
    const r = (n: string): string => `${n.padStart(3)}=${hex(get(n), 16)}`;
    const rows = [
      ["rax", "rbx", "rcx"],
      ["rdx", "rsi", "rdi"],
      ["rip", "rsp", "rbp"],
      ["r8", "r9", "r10"],
      ["r11", "r12", "r13"],
      ["r14", "r15"],
    ];
    for (const row of rows) out.push(row.map(r).join(" "));
    out.push(iopl, segLine);
  } else {
    const e = (n: string): string => `e${n}=${hex(get("r" + n) & 0xffffffffn, 8)}`;
    out.push(["ax", "bx", "cx", "dx", "si", "di"].map(e).join(" "));
    out.push(`${["ip", "sp", "bp"].map(e).join(" ")} ${iopl}`);
    out.push(segLine);
  }
  const ip = Number(get("rip") & (ctx.bits === 32 ? 0xffffffffn : 0xffffffffffffffffn));
  const line = disassemble(ctx, ip, 0, 1, ctx.bits, ctx.symbols, { style: "windbg" })[0];
  const name = ctx.symbols?.nameAt(ip);
  if (name !== undefined) out.push(`${name}:`);
  out.push(`${windbgAddress(ip, ctx.bits)} ${line.bytes.padEnd(15)} ${line.text}`);
  return trimLines(out);
}

function lm(ctx: ConsoleContext): string {
  if (ctx.modules === undefined) throw new CommandError("no module list here");
  const mods = [...ctx.modules()].sort((a, b) => a.base - b.base);
  const wide = ctx.bits === 64 || mods.some((m) => m.base + m.size > 0xffffffff);
  const bits = wide ? 64 : 32;
  const out = [
    wide ? "start             end                 module name" : "start    end        module name",
  ];
  for (const m of mods) {
    const status = `(${m.symbols ?? "export symbols"})`;
    out.push(
      `${windbgAddress(m.base, bits)} ${windbgAddress(m.base + m.size, bits)}   ${m.name.padEnd(10)} ${status.padEnd(22)} ${m.path ?? ""}`,
    );
  }
  return trimLines(out);
}

function usageOf(r: RegionRecord): string {
  if (r.usage !== undefined) return r.usage;
  if (r.state === 0x10000) return "Free";
  if (r.type === 0x1000000) return "Image";
  return "<unknown>";
}

function address(args: string, ctx: ConsoleContext): string {
  if (ctx.regions === undefined) throw new CommandError("no memory map here");
  const regions = [...ctx.regions()].sort((a, b) => a.baseAddress - b.baseAddress);
  const bits = ctx.bits;
  if (args !== "") {
    let v = evaluate(args, ctx).value;
    if (bits === 32) v &= 0xffffffffn;
    const a = Number(v);
    const r = regions.find((x) => a >= x.baseAddress && a < x.baseAddress + x.regionSize);
    if (r === undefined) throw new CommandError(`no region contains ${windbgAddress(a, bits)}`);
    const row = (label: string, value: string): string => `${(label + ":").padEnd(24)}${value}`;
    const code = (n: number, text: string): string => `${hex(n, 8)}          ${text}`;
    const NA = "<info not present at the target>";
    const out = [
      "",
      row("Usage", usageOf(r)),
      row("Base Address", windbgAddress(r.baseAddress, bits)),
      row("End Address", windbgAddress(r.baseAddress + r.regionSize, bits)),
      row("Region Size", `${windbgAddress(r.regionSize, bits)} ${sizeText(r.regionSize)}`),
      row("State", code(r.state, stateText(r.state))),
      row("Protect", r.protect === 0 ? NA : code(r.protect, protectText(r.protect))),
      row("Type", r.state === 0x10000 ? NA : code(r.type, typeText(r.type))),
    ];
    if (r.state !== 0x10000) {
      out.push(row("Allocation Base", windbgAddress(r.allocationBase, bits)));
      out.push(row("Allocation Protect", code(r.allocationProtect, protectText(r.allocationProtect))));
    }
    for (const [label, value] of r.extra ?? []) out.push(row(label, value));
    return trimLines(out);
  }
  const out = [
    "",
    "        BaseAddress      EndAddress+1        RegionSize     Type       State                 Protect             Usage",
    "-".repeat(122),
  ];
  for (const r of regions) {
    // `+` starts an allocation (free regions count as their own).
    const first = r.state === 0x10000 || r.baseAddress === r.allocationBase;
    out.push(
      (first ? "+" : " ") +
        tableAddress(r.baseAddress, bits).padStart(18) +
        tableAddress(r.baseAddress + r.regionSize, bits).padStart(18) +
        tableAddress(r.regionSize, bits).padStart(18) +
        " " +
        typeText(r.type).padEnd(11) +
        " " +
        stateText(r.state).padEnd(11) +
        " " +
        (r.state === 0x2000 ? "" : protectText(r.protect)).padEnd(34) +
        " " +
        usageOf(r).padEnd(10) +
        " " +
        (r.detail ?? ""),
    );
  }
  return trimLines(out);
}

function blocks(cmd: "!teb" | "!peb", ctx: ConsoleContext): string {
  const provider = cmd === "!teb" ? ctx.teb : ctx.peb;
  if (provider === undefined) throw new CommandError(`${cmd} is not available here`);
  const out: string[] = [];
  for (const b of provider()) {
    if (out.length > 0) out.push("");
    out.push(b.title);
    const pad = Math.max(22, ...b.fields.map((f) => f.name.length + 2));
    for (const f of b.fields) {
      const v = typeof f.value === "string" ? f.value : hex(f.value, b.bits === 64 ? 16 : 8);
      out.push(`    ${(f.name + ":").padEnd(pad)}${v}`);
    }
  }
  return trimLines(out);
}

/** `? expr`: `Evaluate expression: 31 = 0000001f` (32-bit) or `… = 00000000`0000001f` (64-bit). */
function evalCommand(args: string, ctx: ExprContext): string {
  if (args === "") throw new CommandError("? needs an expression");
  const v = evaluate(args, ctx).value;
  const signed = BigInt.asIntN(64, v);
  const fits32 = v <= 0xffffffffn || (signed < 0n && signed >= -0x80000000n);
  const shown = ctx.bits === 32 && fits32 ? hex(v & 0xffffffffn, 8) : windbgAddress(v, 64);
  return `Evaluate expression: ${signedDecimal(v)} = ${shown}`;
}
