/**
 * The WinDbg-style console (src/debugger/commands.ts). Expected texts are WinDbg's own output where one is
 * published (the `r` examples of the WinDbg documentation, `!address` and `lm` examples), with the same
 * registers, memory and symbols fed in; elsewhere the layouts of WinDbg's `db`/`dd`/`dq`, `u`, `k`, `?`.
 */
import { strict as assert } from "node:assert";
import {
  Console,
  flagsText,
  isConsoleCommand,
  protectText,
  registerDump,
  type ConsoleContext,
  type FieldBlock,
  type RegionRecord,
  type StackFrameInfo,
} from "../src/debugger/commands";
import { SymbolTable, type MemoryReader, type SymbolModule } from "../src/debugger/disasm";
import { buildSystemDlls } from "../src/windows/dlls";
import { mapImage } from "../src/windows/pe";

/** Page-granular sparse memory. */
class SparseMem implements MemoryReader {
  private pages = new Map<number, Uint8Array>();

  poke(addr: number, bytes: ArrayLike<number>): void {
    for (let k = 0; k < bytes.length; k++) {
      const a = addr + k;
      const p = Math.floor(a / 0x1000);
      let page = this.pages.get(p);
      if (page === undefined) this.pages.set(p, (page = new Uint8Array(0x1000)));
      page[a % 0x1000] = bytes[k];
    }
  }

  read(addr: number, n: number): Uint8Array {
    const out = new Uint8Array(n);
    let k = 0;
    while (k < n) {
      const a = addr + k;
      const page = this.pages.get(Math.floor(a / 0x1000));
      if (page === undefined) break;
      const o = a % 0x1000;
      const m = Math.min(n - k, 0x1000 - o);
      out.set(page.subarray(o, o + m), k);
      k += m;
    }
    return out.subarray(0, k);
  }
}

const set = buildSystemDlls({ only: ["ntdll/x64", "ntdll/x86"] });
const nt64 = set.get("ntdll", "x64")!;
const nt32 = set.get("ntdll", "x86")!;

const mem = new SparseMem();
for (const d of [nt64, nt32]) mem.poke(d.base, mapImage(d.image.bytes));
// The WinDbg documentation's examples: `int 3` in ntdll!LdrpDoDebuggerBreak, `mov edi,edi` at WS2_32!recv.
mem.poke(0x7ffb7ed00770, [0xcc]);
mem.poke(0x767823a0, [0x8b, 0xff]);
// A stack page.
const STACK = 0x14f000;
mem.poke(
  STACK + 0x6c0,
  [0x34, 0x12, 0xa0, 0xc6, 0xfa, 0x7f, 0, 0, 0xef, 0xbe, 0xad, 0xde, 0x78, 0x56, 0x34, 0x12],
);
mem.poke(STACK + 0x6d0, [0x41]);
mem.poke(STACK + 0xfff, [0]);

const modules: SymbolModule[] = [
  {
    name: "ntdll",
    base: nt64.base,
    size: nt64.size,
    symbols: nt64.symbols.map((s) => ({ name: s.name, address: s.address, size: s.size })),
  },
  {
    name: "ntdll_77a00000",
    base: nt32.base,
    size: nt32.size,
    symbols: nt32.symbols.map((s) => ({ name: s.name, address: s.address, size: s.size })),
  },
  {
    name: "ntdll_doc",
    base: 0x7ffb7ec70000,
    size: 0x1f0000,
    symbols: [{ name: "LdrpDoDebuggerBreak", address: 0x7ffb7ed00740 }],
  },
  { name: "WS2_32", base: 0x76770000, size: 0x60000, symbols: [{ name: "recv", address: 0x767823a0 }] },
];
const symbols = new SymbolTable(modules);

function ctx(
  bits: 32 | 64,
  regs: Record<string, bigint>,
  extra: Partial<ConsoleContext> = {},
): ConsoleContext {
  const r = { ...regs };
  const c: ConsoleContext = {
    bits,
    symbols,
    reg: (n) => r[n],
    read: (a, n) => mem.read(a, n),
    setReg(base, value) {
      if (!(base in r)) return `cannot set ${base}`;
      r[base] = value;
      return undefined;
    },
    ...extra,
  };
  return c;
}

/** The registers of the WinDbg documentation's x64 `r` example (ntdll!LdrpDoDebuggerBreak+0x30). */
const DOC64 = {
  rax: 0n,
  rbx: 0x10n,
  rcx: 0x7ffb7eccd2c4n,
  rdx: 0n,
  rsi: 0x7ffb7ed61a80n,
  rdi: 0x27eb6a7000n,
  rip: 0x7ffb7ed00770n,
  rsp: 0x27eb87f320n,
  rbp: 0n,
  r8: 0x27eb87f318n,
  r9: 0n,
  r10: 0n,
  r11: 0x246n,
  r12: 0x40n,
  r13: 0n,
  r14: 0x7ffb7ed548f0n,
  r15: 0x210ea090000n,
  rflags: 0x246n,
  cs: 0x33n,
  ss: 0x2bn,
  ds: 0x2bn,
  es: 0x2bn,
  fs: 0x53n,
  gs: 0x2bn,
};

/** The registers of a published x86 `r` example (WS2_32!recv). */
const DOC32 = {
  rax: 0x6fff14n,
  rbx: 0x509258n,
  rcx: 0xb8n,
  rdx: 0xcn,
  rsi: 0x401000n,
  rdi: 0x509258n,
  rip: 0x767823a0n,
  rsp: 0x6ffed0n,
  rbp: 0x6ffef0n,
  rflags: 0x206n,
  cs: 0x1bn,
  ss: 0x23n,
  ds: 0x23n,
  es: 0x23n,
  fs: 0x3bn,
  gs: 0n,
};

function run(c: ConsoleContext, line: string, con = new Console()): string {
  const r = con.execute(line, c);
  assert.equal(r.error, false, `${line}: ${r.output}`);
  return r.output;
}

describe("debugger: console commands", () => {
  it("r: WinDbg's x64 register display, then the current instruction", () => {
    // The WinDbg documentation's example, except the parity mnemonic: efl 0x246 has PF set, which is `pe`
    // (WinDbg's x64 display prints `po` there; its x86 display and the Intel manual say `pe`).
    assert.equal(
      run(ctx(64, DOC64), "r"),
      [
        "rax=0000000000000000 rbx=0000000000000010 rcx=00007ffb7eccd2c4",
        "rdx=0000000000000000 rsi=00007ffb7ed61a80 rdi=00000027eb6a7000",
        "rip=00007ffb7ed00770 rsp=00000027eb87f320 rbp=0000000000000000",
        " r8=00000027eb87f318  r9=0000000000000000 r10=0000000000000000",
        "r11=0000000000000246 r12=0000000000000040 r13=0000000000000000",
        "r14=00007ffb7ed548f0 r15=00000210ea090000",
        "iopl=0         nv up ei pl zr na pe nc",
        "cs=0033  ss=002b  ds=002b  es=002b  fs=0053  gs=002b             efl=00000246",
        "ntdll_doc!LdrpDoDebuggerBreak+0x30:",
        "00007ffb`7ed00770 cc              int     3",
      ].join("\n"),
    );
  });

  it("r: WinDbg's x86 register display (iopl on the eip line)", () => {
    assert.equal(
      registerDump(ctx(32, DOC32)),
      [
        "eax=006fff14 ebx=00509258 ecx=000000b8 edx=0000000c esi=00401000 edi=00509258",
        "eip=767823a0 esp=006ffed0 ebp=006ffef0 iopl=0         nv up ei pl nz na pe nc",
        "cs=001b  ss=0023  ds=0023  es=0023  fs=003b  gs=0000             efl=00000206",
        "WS2_32!recv:",
        "767823a0 8bff            mov     edi,edi",
      ].join("\n"),
    );
  });

  it("flag mnemonics: OF DF IF SF ZF AF PF CF", () => {
    assert.equal(flagsText(0x242n), "nv up ei pl zr na po nc");
    assert.equal(flagsText(0x287n), "nv up ei ng nz na pe cy");
    assert.equal(flagsText(0xed5n), "ov dn ei ng zr ac pe cy");
    assert.equal(flagsText(0x2n), "nv up di pl nz na po nc");
  });

  it("r reg, r reg=expr: show and set registers, sub-registers and flags", () => {
    const c = ctx(64, { ...DOC64 });
    assert.equal(run(c, "r rsp"), "rsp=00000027eb87f320");
    assert.equal(run(c, "r r12d, bl, zf, cs"), "r12d=00000040\nbl=10\nzf=1\ncs=0033");
    const con = new Console();
    const res = con.execute("r eax=5", c);
    assert.deepEqual(res, { output: "", error: false, changed: "registers" });
    assert.equal(c.reg("rax"), 5n);
    run(c, "r al = 0n255, zf=0", con);
    assert.equal(c.reg("rax"), 0xffn);
    assert.equal(c.reg("rflags"), 0x206n);
    run(c, "r @rip=ntdll!NtClose+3", con);
    assert.equal(c.reg("rip"), BigInt(symbols.addressOf("ntdll!NtClose")! + 3));
    const bad = con.execute("r eaz=1", c);
    assert.deepEqual(bad, { output: 'unknown register "eaz" at 0', error: true });
    const c32 = ctx(32, { ...DOC32 });
    assert.equal(run(c32, "r eax"), "eax=006fff14");
    assert.equal(con.execute("r r8=1", c32).output, 'register "r8" is not available in 32-bit code at 0');
  });

  it("u: WinDbg's layout, labels, L count, ranges, and an argument-less u continues", () => {
    const c = ctx(64, { ...DOC64, rip: BigInt(symbols.addressOf("ntdll!NtClose")!) });
    const con = new Console();
    const close = symbols.addressOf("ntdll!NtClose")!;
    const a = (off: number): string => {
      const s = (close + off).toString(16).padStart(16, "0");
      return `${s.slice(0, 8)}\`${s.slice(8)}`;
    };
    assert.equal(
      run(c, "u ntdll!NtClose L3", con),
      [
        "ntdll!NtClose:",
        `${a(0)} 4c8bd1          mov     r10,rcx`,
        `${a(3)} b80f000000      mov     eax,0Fh`,
        `${a(8)} 0f05            syscall`,
      ].join("\n"),
    );
    const next = run(c, "u", con).split("\n");
    assert.equal(next[0], "ntdll!NtClose+0xa:");
    assert.equal(next[1], `${a(0xa)} c3              ret`);
    assert.equal(next.filter((l) => !l.endsWith(":")).length, 8, "8 instructions by default");
    assert.ok(next.includes(`${a(0xb)} cc              int     3`));
    const range = run(c, `u ntdll!NtClose ntdll!NtClose+8`).split("\n");
    assert.equal(range.length, 4);
    // u with no address at first: the instruction pointer.
    assert.equal(run(c, "u").split("\n")[0], "ntdll!NtClose:");
    // 32-bit code.
    const c32 = ctx(32, { ...DOC32 });
    const close32 = symbols.addressOf("ntdll_77a00000!NtClose")!;
    // BA imm32: the immediate is Wow64SystemServiceCall's address, little-endian in the bytes column.
    const gate = symbols.addressOf("ntdll_77a00000!Wow64SystemServiceCall")!;
    const le = [0, 8, 16, 24].map((k) => ((gate >>> k) & 0xff).toString(16).padStart(2, "0")).join("");
    assert.equal(
      run(c32, "u ntdll_77a00000!NtClose l2"),
      [
        "ntdll_77a00000!NtClose:",
        `${close32.toString(16)} b80f000000      mov     eax,0Fh`,
        `${(close32 + 5).toString(16)} ba${le}      mov     edx,offset ntdll_77a00000!Wow64SystemServiceCall (${gate.toString(16).padStart(8, "0")})`,
      ].join("\n"),
    );
    assert.ok(close32 > nt32.base && close32 < nt32.base + 0x10000);
  });

  it("db/dw/dd/dq: WinDbg's dump formats, the dash, ASCII, partial lines, ?? for unreadable bytes", () => {
    const c = ctx(64, { ...DOC64, rsp: BigInt(STACK + 0x6c0) });
    assert.equal(
      run(c, "db rsp L20"),
      [
        "00000000`0014f6c0  34 12 a0 c6 fa 7f 00 00-ef be ad de 78 56 34 12  4...........xV4.",
        "00000000`0014f6d0  41 00 00 00 00 00 00 00-00 00 00 00 00 00 00 00  A...............",
      ].join("\n"),
    );
    assert.equal(run(c, "db rsp L4"), "00000000`0014f6c0  34 12 a0 c6" + " ".repeat(38) + "4...");
    assert.equal(
      run(c, "db 14fff8 L10"),
      "00000000`0014fff8  00 00 00 00 00 00 00 00-?? ?? ?? ?? ?? ?? ?? ??  ........????????",
    );
    assert.equal(
      run(c, "dw rsp L9"),
      ["00000000`0014f6c0  1234 c6a0 7ffa 0000 beef dead 5678 1234", "00000000`0014f6d0  0041"].join("\n"),
    );
    assert.equal(
      run(c, "dd rsp L6"),
      ["00000000`0014f6c0  c6a01234 00007ffa deadbeef 12345678", "00000000`0014f6d0  00000041 00000000"].join(
        "\n",
      ),
    );
    assert.equal(
      run(c, "dq rsp L3"),
      ["00000000`0014f6c0  00007ffa`c6a01234 12345678`deadbeef", "00000000`0014f6d0  00000000`00000041"].join(
        "\n",
      ),
    );
    assert.equal(run(c, "dd 14fffc L2"), "00000000`0014fffc  00000000 ????????");
    assert.equal(run(c, "dq 14fff8 L2"), "00000000`0014fff8  00000000`00000000 ????????`????????");
    // Defaults and continuation: db shows 0x80 bytes, then goes on.
    const con = new Console();
    assert.equal(run(c, "db rsp", con).split("\n").length, 8);
    assert.ok(run(c, "db", con).startsWith("00000000`0014f740  "));
    assert.equal(run(c, "dd rsp", con).split("\n").length, 8);
    assert.equal(run(c, "dq rsp", con).split("\n").length, 8);
    // An inclusive end address.
    assert.equal(run(c, "dd rsp rsp+4"), "00000000`0014f6c0  c6a01234 00007ffa");
    // 32-bit: 8-digit addresses.
    const c32 = ctx(32, { ...DOC32, rsp: BigInt(STACK + 0x6c8) });
    assert.equal(run(c32, "dd esp L2"), "0014f6c8  deadbeef 12345678");
    assert.equal(run(c32, "dd poi(esp-8)-c6a00000+14f6c0-1234 L1"), "0014f6c0  c6a01234");
  });

  it("k: WinDbg's stack layouts, x86, x64, and a WOW64 stack as !wow64exts.k shows it", () => {
    const f32: StackFrameInfo[] = [
      { frameBase: 0x6ffecc, returnAddress: 0x401335, ip: 0x767823a0, mode: "x86" },
      { frameBase: 0x6ffef0, returnAddress: 0x4013d4, ip: 0x401335, mode: "x86", name: "service+0x1335" },
      { frameBase: 0x6fffec, returnAddress: 0, ip: 0x4013d4, mode: "x86" },
    ];
    assert.equal(
      run(ctx(32, DOC32, { frames: () => f32 }), "k"),
      [
        " # ChildEBP RetAddr",
        "00 006ffecc 00401335     WS2_32!recv",
        "01 006ffef0 004013d4     service+0x1335",
        "02 006fffec 00000000     0x4013d4",
      ].join("\n"),
    );
    const mixed: StackFrameInfo[] = [
      { frameBase: 0x14f6c0, returnAddress: 0x7ffb7ed00770, ip: 0x7ffb7ed00770 - 0x30, mode: "x64" },
      { frameBase: 0x6ffecc, returnAddress: 0, ip: 0x767823a0, mode: "x86" },
    ];
    assert.equal(
      run(ctx(64, DOC64, { frames: () => mixed }), "k"),
      [
        " # Child-SP          RetAddr               Call Site",
        "00 00000000`0014f6c0 00007ffb`7ed00770     ntdll_doc!LdrpDoDebuggerBreak",
        " # ChildEBP RetAddr",
        "01 006ffecc 00000000     WS2_32!recv",
      ].join("\n"),
    );
    assert.equal(run(ctx(32, DOC32, { frames: () => f32 }), "k 1").split("\n").length, 2);
  });

  it("lm: start, end, module name, symbol status and path", () => {
    const mods = [
      {
        base: 0x7ff753820000,
        size: 0x43000,
        name: "notepad",
        path: "C:\\Windows\\notepad.exe",
        symbols: "deferred",
      },
      { base: 0x7ffac7d00000, size: 0xd000, name: "ntdll", path: "C:\\Windows\\System32\\ntdll.dll" },
    ];
    assert.equal(
      run(ctx(64, DOC64, { modules: () => mods }), "lm"),
      [
        "start             end                 module name",
        "00007ff7`53820000 00007ff7`53863000   notepad    (deferred)             C:\\Windows\\notepad.exe",
        "00007ffa`c7d00000 00007ffa`c7d0d000   ntdll      (export symbols)       C:\\Windows\\System32\\ntdll.dll",
      ].join("\n"),
    );
    assert.equal(
      run(ctx(32, DOC32, { modules: () => [{ base: 0x400000, size: 0x5000, name: "hello" }] }), "lm"),
      ["start    end        module name", "00400000 00405000   hello      (export symbols)"].join("\n"),
    );
  });

  it("!address <addr>: VirtualQuery's fields as WinDbg prints them", () => {
    // WinDbg's example for notepad's .text (`!address @rip`).
    const image: RegionRecord = {
      baseAddress: 0x7ff790fb1000,
      regionSize: 0x28000,
      allocationBase: 0x7ff790fb0000,
      allocationProtect: 0x80,
      state: 0x1000,
      protect: 0x20,
      type: 0x1000000,
      extra: [
        ["Image Path", "notepad.exe"],
        ["Module Name", "notepad"],
        ["Loaded Image Name", "C:\\Windows\\System32\\notepad.exe"],
      ],
    };
    const stackGuard: RegionRecord = {
      baseAddress: 0xf2e1d2a000,
      regionSize: 0x3000,
      allocationBase: 0xf2e1c30000,
      allocationProtect: 0x04,
      state: 0x1000,
      protect: 0x104,
      type: 0x20000,
      usage: "Stack",
      extra: [["More info", "~0k"]],
    };
    const c = ctx(64, DOC64, { regions: () => [stackGuard, image] });
    assert.equal(
      run(c, "!address 00007ff7`90fb19a0"),
      [
        "",
        "Usage:                  Image",
        "Base Address:           00007ff7`90fb1000",
        "End Address:            00007ff7`90fd9000",
        "Region Size:            00000000`00028000 ( 160.000 kB)",
        "State:                  00001000          MEM_COMMIT",
        "Protect:                00000020          PAGE_EXECUTE_READ",
        "Type:                   01000000          MEM_IMAGE",
        "Allocation Base:        00007ff7`90fb0000",
        "Allocation Protect:     00000080          PAGE_EXECUTE_WRITECOPY",
        "Image Path:             notepad.exe",
        "Module Name:            notepad",
        "Loaded Image Name:      C:\\Windows\\System32\\notepad.exe",
      ].join("\n"),
    );
    assert.equal(
      run(c, "!address f2`e1d2cff0"),
      [
        "",
        "Usage:                  Stack",
        "Base Address:           000000f2`e1d2a000",
        "End Address:            000000f2`e1d2d000",
        "Region Size:            00000000`00003000 (  12.000 kB)",
        "State:                  00001000          MEM_COMMIT",
        "Protect:                00000104          PAGE_READWRITE | PAGE_GUARD",
        "Type:                   00020000          MEM_PRIVATE",
        "Allocation Base:        000000f2`e1c30000",
        "Allocation Protect:     00000004          PAGE_READWRITE",
        "More info:              ~0k",
      ].join("\n"),
    );
    // A 32-bit target (WinDbg's example of a DLL's code section).
    const dll: RegionRecord = {
      baseAddress: 0x02f71000,
      regionSize: 0x92000,
      allocationBase: 0x02f70000,
      allocationProtect: 0x80,
      state: 0x1000,
      protect: 0x20,
      type: 0x1000000,
    };
    assert.equal(
      run(ctx(32, DOC32, { regions: () => [dll] }), "!address 02f71000")
        .split("\n")
        .slice(1, 5)
        .join("\n"),
      [
        "Usage:                  Image",
        "Base Address:           02f71000",
        "End Address:            03003000",
        "Region Size:            00092000 ( 584.000 kB)",
      ].join("\n"),
    );
    const none = new Console().execute("!address 1000", c);
    assert.deepEqual(none, { output: "no region contains 00000000`00001000", error: true });
    assert.equal(protectText(0x104), "PAGE_READWRITE | PAGE_GUARD");
  });

  it("!address: the region table, `+` on the first region of each allocation", () => {
    const regions: RegionRecord[] = [
      {
        baseAddress: 0,
        regionSize: 0x7ffe0000,
        allocationBase: 0,
        allocationProtect: 0,
        state: 0x10000,
        protect: 1,
        type: 0,
      },
      {
        baseAddress: 0x7ffe0000,
        regionSize: 0x1000,
        allocationBase: 0x7ffe0000,
        allocationProtect: 2,
        state: 0x1000,
        protect: 2,
        type: 0x20000,
        usage: "Other",
        detail: "[User Shared Data]",
      },
      {
        baseAddress: 0x805a00000,
        regionSize: 0x157000,
        allocationBase: 0x805a00000,
        allocationProtect: 4,
        state: 0x2000,
        protect: 0,
        type: 0x20000,
      },
      {
        baseAddress: 0x805b57000,
        regionSize: 0x1000,
        allocationBase: 0x805a00000,
        allocationProtect: 4,
        state: 0x1000,
        protect: 4,
        type: 0x20000,
        usage: "PEB",
        detail: "[4628]",
      },
    ];
    // The lines of WinDbg's published `!address` outputs, trailing blanks trimmed.
    assert.equal(
      run(ctx(64, DOC64, { regions: () => regions }), "!address"),
      [
        "",
        "        BaseAddress      EndAddress+1        RegionSize     Type       State                 Protect             Usage",
        "-".repeat(122),
        "+        0`00000000        0`7ffe0000        0`7ffe0000             MEM_FREE    PAGE_NOACCESS                      Free",
        "+        0`7ffe0000        0`7ffe1000        0`00001000 MEM_PRIVATE MEM_COMMIT  PAGE_READONLY                      Other      [User Shared Data]",
        "+        8`05a00000        8`05b57000        0`00157000 MEM_PRIVATE MEM_RESERVE                                    <unknown>",
        "         8`05b57000        8`05b58000        0`00001000 MEM_PRIVATE MEM_COMMIT  PAGE_READWRITE                     PEB        [4628]",
      ].join("\n"),
    );
  });

  it("!teb / !peb: field blocks, names padded as WinDbg does", () => {
    const teb: FieldBlock[] = [
      {
        title: "TEB at 000000c1a2b3c000",
        bits: 64,
        fields: [
          { name: "ExceptionList", value: 0 },
          { name: "StackBase", value: 0xc1a2d00000 },
          { name: "ArbitraryUserPointer", value: 0n },
          { name: "ClientId", value: "0000000000001234 . 0000000000005678" },
          { name: "LastErrorValue", value: "0" },
        ],
      },
      {
        title: "Wow64 TEB32 at 00000000c1a2b3e000",
        bits: 32,
        fields: [{ name: "StackBase", value: 0x200000 }],
      },
    ];
    const peb: FieldBlock[] = [
      {
        title: "PEB at 000000c1a2b3b000",
        bits: 64,
        fields: [
          { name: "InheritedAddressSpace", value: "No" },
          { name: "ReadImageFileExecOptions", value: "No" },
          { name: "BeingDebugged", value: "Yes" },
          { name: "ImageBaseAddress", value: 0x7ff6_5f9d0000 },
        ],
      },
    ];
    const c = ctx(64, DOC64, { teb: () => teb, peb: () => peb });
    assert.equal(
      run(c, "!teb"),
      [
        "TEB at 000000c1a2b3c000",
        "    ExceptionList:        0000000000000000",
        "    StackBase:            000000c1a2d00000",
        "    ArbitraryUserPointer: 0000000000000000",
        "    ClientId:             0000000000001234 . 0000000000005678",
        "    LastErrorValue:       0",
        "",
        "Wow64 TEB32 at 00000000c1a2b3e000",
        "    StackBase:            00200000",
      ].join("\n"),
    );
    assert.equal(
      run(c, "!peb"),
      [
        "PEB at 000000c1a2b3b000",
        "    InheritedAddressSpace:    No",
        "    ReadImageFileExecOptions: No",
        "    BeingDebugged:            Yes",
        "    ImageBaseAddress:         00007ff65f9d0000",
      ].join("\n"),
    );
    assert.deepEqual(new Console().execute("!teb", ctx(64, DOC64)), {
      output: "!teb is not available here",
      error: true,
    });
  });

  it("?: Evaluate expression: signed decimal = hex at the target's width", () => {
    const c64 = ctx(64, DOC64);
    const c32 = ctx(32, DOC32);
    assert.equal(run(c64, "? 1f"), "Evaluate expression: 31 = 00000000`0000001f");
    assert.equal(run(c32, "? 1f"), "Evaluate expression: 31 = 0000001f");
    assert.equal(run(c32, "? -1"), "Evaluate expression: -1 = ffffffff");
    assert.equal(run(c64, "? -1"), "Evaluate expression: -1 = ffffffff`ffffffff");
    assert.equal(run(c32, "? 100000000"), "Evaluate expression: 4294967296 = 00000001`00000000");
    // The WinDbg documentation: `? .` at ntdll!LdrpDoDebuggerBreak+0x30.
    assert.equal(run(c64, "? ."), "Evaluate expression: 140718141081456 = 00007ffb`7ed00770");
    assert.equal(run(c64, "?rsp"), "Evaluate expression: 171455279904 = 00000027`eb87f320");
    assert.deepEqual(new Console().execute("? 1 +", c64), { output: "missing operand at 3", error: true });
  });

  it("tells commands from expressions, explains unknown commands, lists commands, completes", () => {
    for (const l of [
      "r",
      "r eax=5",
      "u",
      "db esp",
      "dd",
      "k",
      "lm",
      "!address",
      "!teb",
      "? 1",
      ".help",
      "!nope",
      ".foo",
    ]) {
      assert.ok(isConsoleCommand(l), l);
    }
    for (const l of ["rax", "eax+4", "poi(esp)", "kernel32!VirtualAlloc", "1+2"])
      assert.ok(!isConsoleCommand(l), l);
    const c = ctx(64, DOC64);
    assert.deepEqual(new Console().execute("!nope", c), {
      output: 'unknown command "!nope" (.help lists the commands)',
      error: true,
    });
    const help = run(c, ".help");
    for (const cmd of [
      "r ",
      "u ",
      "db ",
      "dd ",
      "dq ",
      "k ",
      "lm ",
      "!address ",
      "!teb ",
      "!peb ",
      "? ",
      ".help ",
    ]) {
      assert.ok(
        help.split("\n").some((l) => l.startsWith(cmd)),
        cmd,
      );
    }
    const con = new Console();
    assert.equal(con.complete("df", 2, c).find((x) => x.label === "df")?.text, "@df", "df alone is a number");
    assert.deepEqual(
      con.complete("!a", 2, c).map((x) => [x.label, x.start, x.length, x.kind]),
      [["!address", 0, 2, "command"]],
    );
    assert.deepEqual(
      con.complete("d", 1, c).map((x) => x.label),
      ["db", "dw", "dd", "dq", "dx", "dl", "dh", "di", "dil", "df", "ds", "dwo", "dword ptr"],
    );
    assert.deepEqual(
      con.complete("u ntdll!NtCl", 12, c).map((x) => [x.label, x.start]),
      [
        ["ntdll!NtClearEvent", 2],
        ["ntdll!NtClose", 2],
        ["ntdll!NtCloseObjectAuditAlarm", 2],
      ],
    );
  });
});
