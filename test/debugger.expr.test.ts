/**
 * The expression evaluator (src/debugger/expr.ts): WinDbg MASM numbers (default radix 16, `0x`, `0n`,
 * `0t`, `0y`, `h` suffix, backtick groups), C precedence, registers and their parts in each mode, flag
 * pseudo-registers, `poi`/`dwo`/`dword ptr [..]` memory reads, `module!symbol`, typed errors with
 * positions, register writes and completions.
 */
import { strict as assert } from "node:assert";
import { SymbolTable } from "../src/debugger/disasm";
import {
  completions,
  evaluate,
  evaluateCondition,
  ExprError,
  formatHex,
  registerWrite,
  signedDecimal,
  type ExprContext,
} from "../src/debugger/expr";

const KERNEL32 = 0x7ffac6a00000;
const VIRTUAL_ALLOC = KERNEL32 + 0x1120;
const symbols = new SymbolTable([
  {
    name: "kernel32",
    base: KERNEL32,
    size: 0x4000,
    symbols: [
      { name: "VirtualAlloc", address: VIRTUAL_ALLOC, size: 6 },
      { name: "VirtualFree", address: KERNEL32 + 0x1130, size: 6 },
      { name: "ExitProcess", address: KERNEL32 + 0x1000, size: 0x5e },
    ],
  },
  {
    name: "ntdll",
    base: 0x7ffac7d00000,
    size: 0xd000,
    symbols: [{ name: "NtClose", address: 0x7ffac7d010f0 }],
  },
]);

const STACK = 0x14f000;
/** Memory: one page of stack with known values; nothing else readable. */
const stack = new Uint8Array(0x1000);
const dv = new DataView(stack.buffer);
dv.setBigUint64(0x6c0, 0x00007ffac6a01234n, true); // [rsp]: a return address
dv.setUint32(0x6c8, 0xdeadbeef, true); // [rsp+8]
dv.setUint32(0x6cc, 0x12345678, true); // [rsp+0xc]
stack[0x6d0] = 0x41;

function context(bits: 32 | 64, regs: Record<string, bigint> = {}): ExprContext {
  const all: Record<string, bigint> = {
    rax: 0x1122334455667788n,
    rbx: 0x10n,
    rcx: 0x7ffac7d010f0n,
    rdx: 0n,
    rsp: BigInt(STACK + 0x6c0),
    rbp: 0n,
    rsi: 0xffn,
    rdi: 0n,
    r8: 0x8000000000000001n,
    r9: 0n,
    r10: 0n,
    r11: 0x246n,
    r12: 0n,
    r13: 0n,
    r14: 0n,
    r15: 0n,
    rip: 0x7ffac7d010f3n,
    rflags: 0x246n, // ZF PF IF
    cs: 0x33n,
    ds: 0x2bn,
    es: 0x2bn,
    fs: 0x53n,
    gs: 0x2bn,
    ss: 0x2bn,
    fsbase: 0n,
    gsbase: 0xe0a1b9e000n,
    $teb: 0xe0a1b9e000n,
    $peb: 0xe0a1b9d000n,
    ...regs,
  };
  return {
    bits,
    symbols,
    reg: (name) => all[name],
    read(addr, n) {
      if (addr < STACK || addr >= STACK + stack.length) return undefined;
      return stack.subarray(addr - STACK, Math.min(stack.length, addr - STACK + n));
    },
  };
}

const c64 = context(64);
/** A WOW64 thread in 32-bit code: the runtime answers rax… with the live x86 registers. */
const c32 = context(32, {
  rax: 5n,
  rsp: BigInt(STACK + 0x6c4),
  rip: 0x401000n,
  rflags: 0x202n,
  cs: 0x23n,
  $teb: 0x3000n,
});

function ev(text: string, ctx: ExprContext = c64): bigint {
  return evaluate(text, ctx).value;
}

function err(text: string, ctx: ExprContext = c64): ExprError {
  try {
    evaluate(text, ctx);
  } catch (e) {
    assert.ok(e instanceof ExprError, String(e));
    return e;
  }
  assert.fail(`"${text}" should fail`);
}

describe("debugger: expressions", () => {
  it("reads numbers as WinDbg does (default radix 16)", () => {
    for (const t of ["1f", "1F", "0x1F", "1Fh", "0n31", "0t37", "0y11111", "0x0000`001f"])
      assert.equal(ev(t), 31n, t);
    assert.equal(ev("31"), 0x31n);
    assert.equal(ev("dead"), 0xdeadn);
    assert.equal(ev("00007ffa`c7d01000"), 0x7ffac7d01000n);
    assert.equal(ev("0FFFFFFFFFFFFFFFFh"), 0xffffffffffffffffn);
    assert.equal(evaluate("31", { ...c64, radix: 10 }).value, 31n);
    assert.throws(() => evaluate("1f", { ...c64, radix: 10 }), /bad number "1f" at 0/);
    assert.equal(evaluate("1fh", { ...c64, radix: 10 }).value, 31n);
  });

  it("applies C precedence and associativity on 64-bit unsigned values", () => {
    assert.equal(ev("2+3*4"), 14n);
    assert.equal(ev("(2+3)*4"), 20n);
    assert.equal(ev("10-4-3"), 9n, "0x10 - 4 - 3, left to right");
    assert.equal(ev("1+2<<3"), 24n, "shift binds looser than +");
    assert.equal(ev("7 & 3 | 8"), 11n);
    assert.equal(ev("1 ^ 3 & 1"), 0n, "& before ^");
    assert.equal(ev("1 | 2 ^ 3"), 1n, "^ before |");
    assert.equal(ev("1 || 0 && 0"), 1n, "&& before ||");
    assert.equal(ev("3 > 2 == 1"), 1n);
    assert.equal(ev("10 / 3"), 5n);
    assert.equal(ev("10 % 3"), 1n);
    assert.equal(ev("10 mod 3"), 1n);
    assert.equal(ev("-1"), 0xffffffffffffffffn);
    assert.equal(ev("~0"), 0xffffffffffffffffn);
    assert.equal(ev("-(2*3)"), 0xfffffffffffffffan);
    assert.equal(ev("!5"), 0n);
    assert.equal(ev("not 0"), 1n);
    assert.equal(ev("-8 >> 1"), 0x7ffffffffffffffcn, "logical");
    assert.equal(ev("-8 >>> 1"), 0xfffffffffffffffcn, "arithmetic");
    assert.equal(ev("1 << 0n40"), 1n << 40n);
    assert.equal(ev("1 << 40"), 0n, "0x40 = 64: shifted out");
    assert.equal(ev("-1 > 1"), 1n, "unsigned comparison");
    assert.equal(ev("ffffffffffffffff + 2"), 1n, "wraps at 2^64");
    assert.equal(ev("5 = 5"), 1n, "MASM equality");
    assert.equal(ev("2 <= 2 and 3 >= 4 or 1 != 1"), 0n);
  });

  it("reads registers and their parts, flag bits and segment registers", () => {
    assert.equal(ev("rax"), 0x1122334455667788n);
    assert.equal(ev("eax"), 0x55667788n);
    assert.equal(ev("ax"), 0x7788n);
    assert.equal(ev("al"), 0x88n);
    assert.equal(ev("ah"), 0x77n, "a register, not the number 0xA with an h suffix");
    assert.equal(ev("RAX"), 0x1122334455667788n);
    assert.equal(ev("@rax"), 0x1122334455667788n);
    assert.equal(ev("r8d"), 1n);
    assert.equal(ev("r8"), 0x8000000000000001n);
    assert.equal(ev("sil"), 0xffn);
    assert.equal(ev("rip"), 0x7ffac7d010f3n);
    assert.equal(ev("efl"), 0x246n);
    assert.equal(ev("zf"), 1n);
    assert.equal(ev("@cf"), 0n);
    assert.equal(ev("cf"), 0xcfn, "a hex word is a number; the flag needs @");
    assert.equal(ev("@pf + if"), 2n);
    assert.equal(ev("iopl"), 0n);
    assert.equal(ev("cs"), 0x33n);
    assert.equal(ev("gsbase"), 0xe0a1b9e000n);
    assert.equal(ev("$teb"), 0xe0a1b9e000n);
    assert.equal(ev("@$peb"), 0xe0a1b9d000n);
    assert.equal(ev("$ip"), 0x7ffac7d010f3n);
    assert.equal(ev("."), 0x7ffac7d010f3n);
    assert.equal(ev("$csp"), BigInt(STACK + 0x6c0));
    assert.equal(ev("$retreg"), 0x1122334455667788n);
    assert.deepEqual(evaluate("eax", c64), { value: 0x55667788n, size: 4 });
    assert.equal(formatHex(evaluate("ax", c64)), "0x7788");
    assert.equal(formatHex(evaluate("1f", c64)), "0x1f");
  });

  it("in 32-bit code: eax…, eip, $ip = eip; the 64-bit-only registers are errors", () => {
    assert.equal(ev("eax", c32), 5n);
    assert.equal(ev("$ip", c32), 0x401000n);
    assert.equal(ev("eip", c32), 0x401000n);
    assert.equal(ev("$csp", c32), BigInt(STACK + 0x6c4));
    assert.equal(ev("$teb", c32), 0x3000n);
    assert.equal(ev("zf", c32), 0n);
    for (const r of ["rax", "r8", "r8d", "sil", "rip", "rflags"]) {
      const e = err(r, c32);
      assert.equal(e.kind, "unavailable", r);
      assert.equal(e.message, `register "${r}" is not available in 32-bit code at 0`);
    }
  });

  it("reads memory: poi (pointer-sized by mode), by/wo/dwo/qwo, `dword ptr [..]`, `[..]`", () => {
    assert.equal(ev("poi(rsp)"), 0x7ffac6a01234n);
    assert.equal(ev("poi(@rsp)"), 0x7ffac6a01234n);
    assert.equal(ev("poi(esp)", c32), 0x7ffan, "32-bit: 4 bytes");
    assert.equal(ev("dwo(rsp+8)"), 0xdeadbeefn);
    assert.equal(ev("wo(rsp+8)"), 0xbeefn);
    assert.equal(ev("by(rsp+10)"), 0x41n);
    assert.equal(ev("qwo(rsp+8)"), 0x12345678deadbeefn);
    assert.equal(ev("dword ptr [rsp+8]"), 0xdeadbeefn);
    assert.equal(ev("DWORD PTR [rsp+8]"), 0xdeadbeefn);
    assert.equal(ev("dword ptr [esp+4]", c32), 0xdeadbeefn, "the cdecl first argument");
    assert.equal(ev("dword ptr [esp+8]", c32), 0x12345678n);
    assert.equal(ev("byte ptr [rsp+10]"), 0x41n);
    assert.equal(ev("word ptr [rsp+8] + 1"), 0xbef0n);
    assert.equal(ev("qword ptr [rsp]"), 0x7ffac6a01234n);
    assert.equal(ev("dword ptr rsp+8"), 0xc6a01234n + 8n, "without brackets the operand is the next unary");
    assert.equal(ev("[rsp]"), 0x7ffac6a01234n);
    assert.equal(ev("[esp]", c32), 0x7ffan);
    assert.equal(ev("poi(poi(rsp+8)-poi(rsp+8)+rsp)"), 0x7ffac6a01234n, "nested");
    assert.deepEqual(evaluate("dwo(rsp+8)", c64), { value: 0xdeadbeefn, size: 4 });
    // 32-bit addresses wrap at 4 GB.
    assert.equal(ev("dword ptr [esp + 100000004 - 100000000]", c32), 0xdeadbeefn);
  });

  it("reads symbols: module!name, modules, offsets", () => {
    assert.equal(ev("kernel32!VirtualAlloc"), BigInt(VIRTUAL_ALLOC));
    assert.equal(ev("KERNEL32!virtualalloc+5"), BigInt(VIRTUAL_ALLOC + 5));
    assert.equal(ev("kernel32"), BigInt(KERNEL32));
    assert.equal(ev("ntdll!NtClose == rcx"), 1n);
    assert.equal(ev("ExitProcess"), BigInt(KERNEL32 + 0x1000), "a unique bare name");
  });

  it("evaluates breakpoint conditions", () => {
    assert.equal(evaluateCondition("eax == 5 && dword ptr [esp+4] != 0", c32), true);
    assert.equal(evaluateCondition("eax == 5 && dword ptr [esp+4] == 0", c32), false);
    assert.equal(evaluateCondition("rcx == ntdll!NtClose", c64), true);
    assert.equal(evaluateCondition("@zf", c64), true);
    assert.equal(evaluateCondition("poi(rsp) >= kernel32 && poi(rsp) < kernel32+4000", c64), true);
  });

  it("reports typed errors with their position", () => {
    const cases: [string, string, string][] = [
      ["eaz", "register", 'unknown register "eaz" at 0'],
      ["1 + eaz", "register", 'unknown register "eaz" at 4'],
      ["@foo", "register", 'unknown register "foo" at 0'],
      ["$nothing", "register", 'unknown pseudo-register "$nothing" at 0'],
      ["kernel32!Nope", "symbol", 'unknown symbol "kernel32!Nope" at 0'],
      ["CreateFileW", "symbol", 'unknown symbol "CreateFileW" at 0'],
      ["(1+2", "syntax", 'missing ")" at 4'],
      ["1 +", "syntax", "missing operand at 3"],
      ["", "syntax", "empty expression at 0"],
      ["5 5", "syntax", 'unexpected "5" at 2'],
      ["1 # 2", "syntax", 'unexpected character "#" at 2'],
      ["0x", "syntax", 'bad number "0x" at 0'],
      ["12g", "syntax", 'bad number "12g" at 0'],
      ["1 / 0", "divide", "division by zero at 2"],
      ["3 % (1-1)", "divide", "division by zero at 2"],
      ["poi(10)", "memory", "memory access error at 0x10 at 0"],
      ["2 + dword ptr [0]", "memory", "memory access error at 0x0 at 4"],
      ["poi(rsp", "syntax", 'missing ")" at 7'],
      ["dword ptr [rsp", "syntax", 'missing "]" at 14'],
    ];
    for (const [text, kind, message] of cases) {
      const e = err(text);
      assert.equal(e.message, message, text);
      assert.equal(e.kind, kind, text);
    }
    assert.equal(err("1 + eaz").pos, 4);
    assert.equal(err("1 + eaz").detail, 'unknown register "eaz"');
  });

  it("merges register writes into the base register (debugger semantics: other bits kept)", () => {
    assert.deepEqual(registerWrite(c64, "al", 0x12n), { base: "rax", value: 0x1122334455667712n });
    assert.deepEqual(registerWrite(c64, "ah", 0x12n), { base: "rax", value: 0x1122334455661288n });
    assert.deepEqual(registerWrite(c64, "eax", 5n), { base: "rax", value: 0x1122334400000005n });
    assert.deepEqual(registerWrite(c64, "rax", -1n), { base: "rax", value: 0xffffffffffffffffn });
    assert.deepEqual(registerWrite(c64, "@zf", 0n), { base: "rflags", value: 0x206n });
    assert.deepEqual(registerWrite(c64, "cf", 1n), { base: "rflags", value: 0x247n });
    assert.deepEqual(registerWrite(c64, "eip", 0x401000n), { base: "rip", value: 0x7ffa00401000n });
    assert.throws(() => registerWrite(c32, "r8", 1n), /not available in 32-bit code/);
    assert.throws(() => registerWrite(c64, "foo", 1n), /unknown register "foo"/);
  });

  it("prints signed decimals as WinDbg's ? does", () => {
    assert.equal(signedDecimal(31n), "31");
    assert.equal(signedDecimal(0xffffffffffffffffn), "-1");
    assert.equal(signedDecimal(0x7ffb7ed00770n), "140718141081456");
  });

  it("completes registers by mode, pseudo-registers, functions, keywords, modules and symbols", () => {
    const labels = (text: string, ctx: ExprContext = c64, col = text.length): string[] =>
      completions(text, col, ctx).map((c) => c.label);
    assert.deepEqual(labels("ea"), ["eax"]);
    assert.deepEqual(labels("r1"), [
      "r10",
      "r10d",
      "r10w",
      "r10b",
      "r11",
      "r11d",
      "r11w",
      "r11b",
      "r12",
      "r12d",
      "r12w",
      "r12b",
      "r13",
      "r13d",
      "r13w",
      "r13b",
      "r14",
      "r14d",
      "r14w",
      "r14b",
      "r15",
      "r15d",
      "r15w",
      "r15b",
    ]);
    assert.deepEqual(labels("r1", c32), []);
    assert.deepEqual(labels("ri"), ["rip"]);
    assert.deepEqual(labels("$t"), ["$teb"]);
    assert.deepEqual(labels("po"), ["poi"]);
    assert.equal(completions("po", 2, c64)[0].text, "poi(");
    assert.deepEqual(labels("dw"), ["dwo", "dword ptr"]);
    assert.deepEqual(labels("kern"), ["kernel32!"]);
    assert.deepEqual(labels("kernel32!Virt"), ["kernel32!VirtualAlloc", "kernel32!VirtualFree"]);
    const c = completions("poi(esp) + kernel32!Ex", 22, c64);
    assert.deepEqual(
      c.map((x) => [x.label, x.start, x.length, x.kind]),
      [["kernel32!ExitProcess", 11, 11, "symbol"]],
    );
    const at = completions("@ea", 3, c32);
    assert.deepEqual(
      at.map((x) => [x.text, x.start, x.length]),
      [["@eax", 0, 3]],
    );
  });
});
