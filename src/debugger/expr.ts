/**
 * The expression evaluator for watch, hover, the debug console and breakpoint conditions: WinDbg's MASM
 * flavour over 64-bit values (BigInt: this is not the emulator's hot path).
 *
 * Numbers — default radix 16 as in WinDbg: `1f`, `0x1F`, `1Fh` (a trailing `h` needs a leading digit, so
 * `ah` stays a register), `0n31` decimal, `0t37` octal, `0y11111` binary; a backtick may separate digit
 * groups (`00007ffa`c7d01000`). A word made only of hex digits is a number (`dead`, `cf`): flag
 * pseudo-registers whose names are hex digits (`cf`, `af`, `df`) need the `@`.
 *
 * Names — registers (`rax`…`r15`, `eax`…`r15d`, `ax`…`r15w`, `al`/`ah`…`r15b`, `rip`/`eip`/`ip`,
 * `rflags`/`eflags`/`efl`, flag bits `of df if tf sf zf af pf cf iopl`, `cs ds es fs gs ss`, `fsbase`,
 * `gsbase`), pseudo-registers (`$ip`, `$csp`, `$retreg`, `$teb`, `$peb`, any other `$name` the runtime
 * answers), `.` (the current instruction pointer), symbols (`kernel32!VirtualAlloc`, `ntdll`). `@name`
 * forces a register. In 32-bit code the 64-bit-only registers (`rax`, `r8`…, `sil`…, `rip`) are errors.
 *
 * Operators, loosest first: `||`/`or`; `&&`/`and`; `|`; `^`/`xor`; `&`; `==` `=` `!=`; `<` `>` `<=` `>=`
 * (unsigned); `<<` `>>` (logical) `>>>` (arithmetic); `+` `-`; `*` `/` `%`/`mod` (unsigned); unary `-` `+`
 * `~` `!`/`not`. Comparisons and logical operators give 1 or 0.
 *
 * Memory — `poi(x)` (pointer-sized for the mode), `by(x)` `wo(x)` `dwo(x)` `qwo(x)`;
 * `byte|word|dword|qword ptr [x]` (or `… ptr x`); `[x]` alone reads a pointer-sized value (as in assembly:
 * a deviation from MASM, where brackets only group). In 32-bit code addresses wrap at 4 GB.
 *
 * Errors are `ExprError`s with a kind and the offset in the text: `unknown register "eaz" at 0`.
 */
import type { SymbolResolver } from "./disasm";

export type { SymbolResolver } from "./disasm";

/** What an expression can see. */
export interface ExprContext {
  /**
   * A register's value: base names `rax`…`r15`, `rip`, `rflags`, `cs` `ds` `es` `fs` `gs` `ss`, `fsbase`,
   * `gsbase`, pseudo-registers `$teb`, `$peb` (and any other name the runtime knows). In 32-bit code the
   * runtime answers `rax`… with the live x86 register zero-extended. `undefined` = not available.
   */
  reg(name: string): bigint | undefined;
  /** Guest memory: the readable prefix of `[addr, addr + n)` (see `MemoryReader`). */
  read(addr: number, n: number): Uint8Array | undefined;
  symbols?: SymbolResolver;
  /** The mode of the code being looked at: pointer size, which registers exist. */
  bits: 32 | 64;
  /** Default radix for plain numbers (WinDbg `n`): 16 unless set. */
  radix?: 10 | 16;
}

export type ExprErrorKind = "syntax" | "register" | "symbol" | "memory" | "divide" | "unavailable";

export class ExprError extends Error {
  constructor(
    readonly kind: ExprErrorKind,
    readonly detail: string,
    /** Offset in the expression text. */
    readonly pos: number,
  ) {
    super(`${detail} at ${pos}`);
    this.name = "ExprError";
  }
}

export interface ExprValue {
  /** The value, 0 ≤ value < 2^64. */
  value: bigint;
  /** Width in bytes when the value is a register or a memory read (for display), else undefined. */
  size?: 1 | 2 | 4 | 8;
}

// -------------------------------------------------------------------------------------------- registers

/** A register name: its base register, bit offset and width; `only64` = not in 32-bit code. */
export interface RegisterInfo {
  base: string;
  shift: number;
  bits: number;
  only64: boolean;
}

const REGISTERS = new Map<string, RegisterInfo>();
const GPR = ["rax", "rcx", "rdx", "rbx", "rsp", "rbp", "rsi", "rdi"];
const LEGACY16 = ["ax", "cx", "dx", "bx", "sp", "bp", "si", "di"];
function def(name: string, base: string, shift: number, bits: number, only64: boolean): void {
  REGISTERS.set(name, { base, shift, bits, only64 });
}
for (let i = 0; i < 8; i++) {
  const b = GPR[i];
  def(b, b, 0, 64, true);
  def("e" + LEGACY16[i], b, 0, 32, false);
  def(LEGACY16[i], b, 0, 16, false);
  if (i < 4) {
    def(LEGACY16[i][0] + "l", b, 0, 8, false);
    def(LEGACY16[i][0] + "h", b, 8, 8, false);
  } else def(LEGACY16[i] + "l", b, 0, 8, true);
}
for (let i = 8; i < 16; i++) {
  def(`r${i}`, `r${i}`, 0, 64, true);
  def(`r${i}d`, `r${i}`, 0, 32, true);
  def(`r${i}w`, `r${i}`, 0, 16, true);
  def(`r${i}b`, `r${i}`, 0, 8, true);
}
def("rip", "rip", 0, 64, true);
def("eip", "rip", 0, 32, false);
def("ip", "rip", 0, 16, false);
def("rflags", "rflags", 0, 64, true);
def("eflags", "rflags", 0, 32, false);
def("efl", "rflags", 0, 32, false);
def("flags", "rflags", 0, 16, false);
for (const [n, bit] of [
  ["cf", 0],
  ["pf", 2],
  ["af", 4],
  ["zf", 6],
  ["sf", 7],
  ["tf", 8],
  ["if", 9],
  ["df", 10],
  ["of", 11],
] as const) {
  def(n, "rflags", bit, 1, false);
}
def("iopl", "rflags", 12, 2, false);
for (const s of ["cs", "ds", "es", "fs", "gs", "ss"]) def(s, s, 0, 16, false);
def("fsbase", "fsbase", 0, 64, false);
def("gsbase", "gsbase", 0, 64, false);

/** What a register name means (lower-case name without `@`), or undefined. */
export function registerInfo(name: string): RegisterInfo | undefined {
  return REGISTERS.get(name);
}

/** Register names usable in code of this mode (for completions). */
export function registerNames(bits: 32 | 64): string[] {
  const out: string[] = [];
  for (const [n, r] of REGISTERS) if (bits === 64 || !r.only64) out.push(n);
  return out;
}

/** Pseudo-registers the evaluator knows by itself (others go to the runtime). */
export const PSEUDO_REGISTERS = ["$ip", "$csp", "$retreg", "$teb", "$peb"] as const;

const MASK64 = (1n << 64n) - 1n;
const u64 = (v: bigint): bigint => v & MASK64;

/** A register by name (no `@`), or a typed error. */
export function readRegister(ctx: ExprContext, name: string, pos = 0): ExprValue {
  const lower = name.toLowerCase();
  if (lower.startsWith("$")) {
    const alias: Record<string, string> = {
      $ip: ctx.bits === 64 ? "rip" : "eip",
      $csp: ctx.bits === 64 ? "rsp" : "esp",
      $retreg: ctx.bits === 64 ? "rax" : "eax",
    };
    const a = alias[lower];
    if (a !== undefined) return readRegister(ctx, a, pos);
    const v = ctx.reg(lower);
    if (v === undefined) throw new ExprError("register", `unknown pseudo-register "${name}"`, pos);
    return { value: u64(v), size: ctx.bits === 64 ? 8 : 4 };
  }
  const r = REGISTERS.get(lower);
  if (r === undefined) {
    const v = ctx.reg(lower);
    if (v === undefined) throw new ExprError("register", `unknown register "${name}"`, pos);
    return { value: u64(v) };
  }
  if (r.only64 && ctx.bits === 32) {
    throw new ExprError("unavailable", `register "${name}" is not available in 32-bit code`, pos);
  }
  const full = ctx.reg(r.base);
  if (full === undefined) throw new ExprError("unavailable", `register "${name}" is not available`, pos);
  const value = (u64(full) >> BigInt(r.shift)) & ((1n << BigInt(r.bits)) - 1n);
  const size = r.bits >= 8 ? ((r.bits / 8) as 1 | 2 | 4 | 8) : undefined;
  return size === undefined ? { value } : { value, size };
}

/**
 * The base register and its new full value for `name = value` (sub-registers and flag bits merged into
 * the current base value), or a typed error.
 */
export function registerWrite(
  ctx: ExprContext,
  name: string,
  value: bigint,
): { base: string; value: bigint } {
  const lower = name.toLowerCase().replace(/^@/, "");
  const r = REGISTERS.get(lower);
  if (r === undefined) throw new ExprError("register", `unknown register "${name}"`, 0);
  if (r.only64 && ctx.bits === 32) {
    throw new ExprError("unavailable", `register "${name}" is not available in 32-bit code`, 0);
  }
  const mask = ((1n << BigInt(r.bits)) - 1n) << BigInt(r.shift);
  if (r.shift === 0 && r.bits === 64) return { base: r.base, value: u64(value) };
  const full = ctx.reg(r.base);
  if (full === undefined) throw new ExprError("unavailable", `register "${name}" is not available`, 0);
  return { base: r.base, value: (u64(full) & ~mask & MASK64) | ((value << BigInt(r.shift)) & mask) };
}

// ------------------------------------------------------------------------------------------------ lexer

const enum T {
  Num,
  Name,
  Op,
  End,
}

interface Token {
  t: T;
  s: string;
  pos: number;
  /** Numbers: the value. */
  v?: bigint;
  /** Names: written with `@`. */
  at?: boolean;
}

const OPS = [
  ">>>",
  "<<",
  ">>",
  "<=",
  ">=",
  "==",
  "!=",
  "&&",
  "||",
  "+",
  "-",
  "*",
  "/",
  "%",
  "&",
  "|",
  "^",
  "~",
  "!",
  "<",
  ">",
  "=",
  "(",
  ")",
  "[",
  "]",
  ",",
];
const NAME_START = /[A-Za-z_$@.?]/;
const NAME_CHAR = /[A-Za-z0-9_$@.?!`]/;

function digitsValue(s: string, radix: number, pos: number): bigint {
  const clean = s.replace(/`/g, "");
  if (clean.length === 0) throw new ExprError("syntax", `bad number "${s}"`, pos);
  let v = 0n;
  const R = BigInt(radix);
  for (const ch of clean.toLowerCase()) {
    const d = Number.parseInt(ch, 36);
    if (!(d < radix)) throw new ExprError("syntax", `bad number "${s}"`, pos);
    v = v * R + BigInt(d);
  }
  return u64(v);
}

/** A word as a number, or undefined when it is not one. */
function wordNumber(w: string, radix: number, pos: number): bigint | undefined {
  const lower = w.toLowerCase();
  const m = /^0([xnty])(.+)$/.exec(lower);
  if (m) {
    const r = { x: 16, n: 10, t: 8, y: 2 }[m[1] as "x" | "n" | "t" | "y"];
    return digitsValue(m[2], r, pos);
  }
  if (/^[0-9][0-9a-f`]*h$/.test(lower)) return digitsValue(lower.slice(0, -1), 16, pos);
  const re = radix === 16 ? /^[0-9a-f][0-9a-f`]*$/ : /^[0-9][0-9`]*$/;
  if (re.test(lower)) return digitsValue(lower, radix, pos);
  if (/^[0-9]/.test(lower)) throw new ExprError("syntax", `bad number "${w}"`, pos);
  return undefined;
}

function lex(src: string, radix: number): Token[] {
  const out: Token[] = [];
  let i = 0;
  while (i < src.length) {
    const c = src[i];
    if (c === " " || c === "\t" || c === "\n" || c === "\r") {
      i++;
      continue;
    }
    if (/[0-9]/.test(c) || NAME_START.test(c)) {
      const start = i;
      i++;
      while (i < src.length && NAME_CHAR.test(src[i])) i++;
      const word = src.slice(start, i);
      if (word === ".") {
        out.push({ t: T.Name, s: ".", pos: start });
        continue;
      }
      if (word.startsWith("@")) {
        out.push({ t: T.Name, s: word.slice(1), pos: start, at: true });
        continue;
      }
      const n = wordNumber(word, radix, start);
      if (n !== undefined) out.push({ t: T.Num, s: word, pos: start, v: n });
      else out.push({ t: T.Name, s: word, pos: start });
      continue;
    }
    const op = OPS.find((o) => src.startsWith(o, i));
    if (op === undefined) throw new ExprError("syntax", `unexpected character "${c}"`, i);
    out.push({ t: T.Op, s: op, pos: i });
    i += op.length;
  }
  out.push({ t: T.End, s: "", pos: src.length });
  return out;
}

// ----------------------------------------------------------------------------------------------- parser

const SIZES: Record<string, 1 | 2 | 4 | 8> = { byte: 1, word: 2, dword: 4, qword: 8 };
const FUNCS: Record<string, 0 | 1 | 2 | 4 | 8> = { poi: 0, by: 1, wo: 2, dwo: 4, qwo: 8 };
const WORD_OPS: Record<string, string> = { and: "&&", or: "||", xor: "^", mod: "%", not: "!" };

/** Binary operators by precedence level, loosest first. */
const LEVELS: readonly (readonly string[])[] = [
  ["||"],
  ["&&"],
  ["|"],
  ["^"],
  ["&"],
  ["==", "=", "!="],
  ["<", ">", "<=", ">="],
  ["<<", ">>", ">>>"],
  ["+", "-"],
  ["*", "/", "%"],
];

function looksLikeRegister(name: string): boolean {
  return /^(r[a-z0-9]{1,4}|e[a-z]{2,3}|[a-z]{2,3}|x?mm\d+|st\d)$/i.test(name);
}

class Parser {
  private k = 0;

  constructor(
    private readonly toks: Token[],
    private readonly ctx: ExprContext,
  ) {}

  private peek(): Token {
    return this.toks[this.k];
  }

  /** The operator at the cursor (symbols or word operators), or undefined. */
  private opAt(): string | undefined {
    const t = this.peek();
    if (t.t === T.Op) return t.s;
    if (t.t === T.Name && !t.at) return WORD_OPS[t.s.toLowerCase()];
    return undefined;
  }

  private expect(op: string): void {
    const t = this.peek();
    if (t.t !== T.Op || t.s !== op) {
      throw new ExprError(
        "syntax",
        t.t === T.End ? `missing "${op}"` : `expected "${op}" but found "${t.s}"`,
        t.pos,
      );
    }
    this.k++;
  }

  parse(): ExprValue {
    const v = this.binary(0);
    const t = this.peek();
    if (t.t !== T.End) throw new ExprError("syntax", `unexpected "${t.s}"`, t.pos);
    return v;
  }

  private binary(level: number): ExprValue {
    if (level >= LEVELS.length) return this.unary();
    let left = this.binary(level + 1);
    for (;;) {
      const op = this.opAt();
      if (op === undefined || !LEVELS[level].includes(op)) return left;
      const pos = this.peek().pos;
      this.k++;
      const right = this.binary(level + 1);
      left = { value: apply(op, left.value, right.value, pos) };
    }
  }

  private unary(): ExprValue {
    const t = this.peek();
    const op = this.opAt();
    if (op === "-" || op === "+" || op === "~" || op === "!") {
      this.k++;
      const v = this.unary().value;
      if (op === "-") return { value: u64(-v) };
      if (op === "~") return { value: u64(~v) };
      if (op === "!") return { value: v === 0n ? 1n : 0n };
      return { value: v };
    }
    if (t.t === T.Name && !t.at) {
      const lower = t.s.toLowerCase();
      const size = SIZES[lower];
      const next = this.toks[this.k + 1];
      if (size !== undefined && next.t === T.Name && next.s.toLowerCase() === "ptr") {
        this.k += 2;
        const addrTok = this.peek();
        let addr: bigint;
        if (addrTok.t === T.Op && addrTok.s === "[") {
          this.k++;
          addr = this.binary(0).value;
          this.expect("]");
        } else addr = this.unary().value;
        return this.load(addr, size, t.pos);
      }
    }
    return this.primary();
  }

  private load(addr: bigint, size: 1 | 2 | 4 | 8, pos: number): ExprValue {
    return { value: readMemory(this.ctx, addr, size, pos), size };
  }

  private primary(): ExprValue {
    const t = this.peek();
    if (t.t === T.Num) {
      this.k++;
      return { value: t.v! };
    }
    if (t.t === T.Op && t.s === "(") {
      this.k++;
      const v = this.binary(0);
      this.expect(")");
      return v;
    }
    if (t.t === T.Op && t.s === "[") {
      this.k++;
      const addr = this.binary(0).value;
      this.expect("]");
      return this.load(addr, this.ctx.bits === 64 ? 8 : 4, t.pos);
    }
    if (t.t === T.Name) {
      this.k++;
      return this.name(t);
    }
    if (t.t === T.End) throw new ExprError("syntax", "missing operand", t.pos);
    throw new ExprError("syntax", `unexpected "${t.s}"`, t.pos);
  }

  private name(t: Token): ExprValue {
    const lower = t.s.toLowerCase();
    if (t.s === ".") return readRegister(this.ctx, "$ip", t.pos);
    if (t.at) return readRegister(this.ctx, t.s, t.pos);
    const fn = FUNCS[lower];
    const next = this.peek();
    if (fn !== undefined && next.t === T.Op && next.s === "(") {
      this.k++;
      const addr = this.binary(0).value;
      this.expect(")");
      return this.load(addr, fn === 0 ? (this.ctx.bits === 64 ? 8 : 4) : fn, t.pos);
    }
    if (lower.startsWith("$")) return readRegister(this.ctx, t.s, t.pos);
    if (REGISTERS.has(lower)) return readRegister(this.ctx, t.s, t.pos);
    if (!t.s.includes("!")) {
      const extra = this.ctx.reg(lower); // registers the runtime has beyond the table (xmm0, dr7…)
      if (extra !== undefined) return { value: u64(extra) };
    }
    const a = this.ctx.symbols?.addressOf(t.s);
    if (a !== undefined) return { value: u64(BigInt(a)) };
    if (!t.s.includes("!") && looksLikeRegister(t.s)) {
      throw new ExprError("register", `unknown register "${t.s}"`, t.pos);
    }
    throw new ExprError("symbol", `unknown symbol "${t.s}"`, t.pos);
  }
}

function apply(op: string, a: bigint, b: bigint, pos: number): bigint {
  switch (op) {
    case "+":
      return u64(a + b);
    case "-":
      return u64(a - b);
    case "*":
      return u64(a * b);
    case "/":
    case "%":
      if (b === 0n) throw new ExprError("divide", "division by zero", pos);
      return op === "/" ? a / b : a % b;
    case "<<":
      return b >= 64n ? 0n : u64(a << b);
    case ">>":
      return b >= 64n ? 0n : a >> b;
    case ">>>":
      return u64(BigInt.asIntN(64, a) >> (b >= 64n ? 63n : b));
    case "&":
      return a & b;
    case "|":
      return a | b;
    case "^":
      return a ^ b;
    case "==":
    case "=":
      return a === b ? 1n : 0n;
    case "!=":
      return a !== b ? 1n : 0n;
    case "<":
      return a < b ? 1n : 0n;
    case ">":
      return a > b ? 1n : 0n;
    case "<=":
      return a <= b ? 1n : 0n;
    case ">=":
      return a >= b ? 1n : 0n;
    case "&&":
      return a !== 0n && b !== 0n ? 1n : 0n;
    case "||":
      return a !== 0n || b !== 0n ? 1n : 0n;
  }
  throw new ExprError("syntax", `unknown operator "${op}"`, pos);
}

/** Read `size` bytes little-endian at `addr` (wrapped to 4 GB in 32-bit code), or a typed error. */
export function readMemory(ctx: ExprContext, addr: bigint, size: number, pos = 0): bigint {
  const a = ctx.bits === 32 ? addr & 0xffffffffn : addr;
  if (a > BigInt(Number.MAX_SAFE_INTEGER)) {
    throw new ExprError("memory", `memory access error at 0x${a.toString(16)}`, pos);
  }
  const bytes = ctx.read(Number(a), size);
  if (bytes === undefined || bytes.length < size) {
    throw new ExprError("memory", `memory access error at 0x${a.toString(16)}`, pos);
  }
  let v = 0n;
  for (let k = size - 1; k >= 0; k--) v = (v << 8n) | BigInt(bytes[k]);
  return v;
}

/** Evaluate an expression; throws `ExprError`. */
export function evaluate(text: string, ctx: ExprContext): ExprValue {
  const toks = lex(text, ctx.radix ?? 16);
  if (toks.length === 1) throw new ExprError("syntax", "empty expression", 0);
  return new Parser(toks, ctx).parse();
}

/** Evaluate a breakpoint condition: true when the value is not zero. Throws `ExprError`. */
export function evaluateCondition(text: string, ctx: ExprContext): boolean {
  return evaluate(text, ctx).value !== 0n;
}

/** The value as a signed 64-bit decimal (WinDbg's `?` shows this). */
export function signedDecimal(v: bigint): string {
  return BigInt.asIntN(64, v).toString(10);
}

/** `0x` + hex, zero-padded to the value's size when known. */
export function formatHex(v: ExprValue): string {
  const digits = v.size !== undefined ? v.size * 2 : 0;
  return "0x" + v.value.toString(16).padStart(digits, "0");
}

// ------------------------------------------------------------------------------------------ completions

export type CompletionKind = "register" | "pseudo" | "function" | "keyword" | "module" | "symbol" | "command";

export interface Completion {
  label: string;
  /** Text that replaces `length` characters at `start` of the input. */
  text: string;
  start: number;
  length: number;
  kind: CompletionKind;
}

const FUNCTION_NAMES = ["poi", "by", "wo", "dwo", "qwo"];
const KEYWORDS = ["byte ptr", "word ptr", "dword ptr", "qword ptr", "not", "and", "or", "xor", "mod"];

/** The word ending at `column` (a name being typed), with its start. */
export function wordBefore(text: string, column: number): { start: number; word: string } {
  let s = Math.min(column, text.length);
  while (s > 0 && /[A-Za-z0-9_$@.?!`]/.test(text[s - 1])) s--;
  return { start: s, word: text.slice(s, column) };
}

/**
 * Completions for the expression text at `column` (0-based): registers of the mode, pseudo-registers,
 * `poi(` and friends, `dword ptr`, module names and `module!symbol` through the resolver.
 */
export function completions(text: string, column: number, ctx: ExprContext, max = 100): Completion[] {
  const { start, word } = wordBefore(text, column);
  const out: Completion[] = [];
  const at = word.startsWith("@");
  const w = (at ? word.slice(1) : word).toLowerCase();
  const push = (label: string, kind: CompletionKind, insert = label): void => {
    if (out.length < max)
      out.push({ label, text: (at ? "@" : "") + insert, start, length: word.length, kind });
  };
  if (w.includes("!")) {
    for (const s of ctx.symbols?.complete?.(w, max) ?? []) push(s, "symbol");
    return out;
  }
  for (const r of registerNames(ctx.bits)) {
    // A name made of hex digits (cf, af, df) is a number unless written with `@`.
    if (r.startsWith(w)) push(r, "register", !at && /^[0-9a-f]+$/.test(r) ? "@" + r : r);
  }
  for (const p of PSEUDO_REGISTERS) if (p.startsWith(w)) push(p, "pseudo");
  if (at) return out;
  for (const f of FUNCTION_NAMES) if (f.startsWith(w) && w.length > 0) push(f, "function", f + "(");
  for (const k of KEYWORDS) if (k.startsWith(w) && w.length > 0) push(k, "keyword");
  if (w.length > 0) for (const m of ctx.symbols?.complete?.(w, max) ?? []) push(m, "module");
  return out;
}
