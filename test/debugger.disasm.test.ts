/**
 * The disassembly service (src/debugger/disasm.ts) on the synthetic system DLLs mapped into a real address
 * space: exact line counts for any offset, backward disassembly landing on the true instruction
 * boundaries (the builder's listing is the ground truth), unreadable pages, the same bytes in 32- and
 * 64-bit mode, symbols folded into the text (iced-x86 Intel syntax; WinDbg layout for `u`), the symbol
 * table, and the 400-instruction timing of the must-show.
 */
import { strict as assert } from "node:assert";
import {
  disassemble,
  readRange,
  SymbolTable,
  windbgAddress,
  type DisasmLine,
  type MemoryReader,
  type SymbolModule,
} from "../src/debugger/disasm";
import { buildSystemDlls, type SystemDll } from "../src/windows/dlls";
import {
  AddressSpace,
  MEM_COMMIT,
  MEM_RESERVE,
  MemoryManager,
  PAGE_EXECUTE_READ,
  PAGE_NOACCESS,
} from "../src/windows/memory/index";
import { mapImage, parsePe } from "../src/windows/pe";

const set = buildSystemDlls();
const as = new AddressSpace(new MemoryManager(), {});
const modules: SymbolModule[] = [];
/** Per module name: every instruction start (the builder's listing plus each padding byte). */
const truth = new Map<string, Set<number>>();

/** WinDbg names the modules by file name; the 32-bit copies get a `32` suffix here to stay unique. */
function modName(d: SystemDll): string {
  const n = d.fileName.replace(/\..*$/, "").toLowerCase();
  return d.arch === "x86" ? n + "32" : n;
}

for (const d of set.dlls) {
  const pe = parsePe(d.image.bytes);
  const mapped = mapImage(d.image.bytes, pe);
  const r = as.allocate(d.base, mapped.length, MEM_RESERVE | MEM_COMMIT, PAGE_EXECUTE_READ, 0, {
    native64: true,
  });
  assert.equal(r.status, 0, `allocate ${d.path}`);
  assert.equal(as.write(d.base, mapped, { force: true }), mapped.length);
  const ptr = d.arch === "x64" ? 8 : 4;
  const symbols = d.symbols.map((s) => ({ name: s.name, address: s.address, size: s.size }));
  for (const [name, t] of d.exports) {
    if ("address" in t && !symbols.some((s) => s.address === t.address))
      symbols.push({ name, address: t.address, size: 0 });
  }
  for (const im of pe.imports) {
    for (const e of im.entries) {
      if (e.kind === "name") symbols.push({ name: `__imp_${e.name}`, address: d.base + e.iatRva, size: ptr });
    }
  }
  modules.push({
    name: modName(d),
    base: d.base,
    size: d.size,
    symbols,
    functions: pe.functions.map((f) => [d.base + f.beginRva, d.base + f.endRva] as const),
  });
  const text = pe.sections.find((s) => s.name === ".text")!;
  const starts = new Set<number>();
  const covered = new Set<number>();
  for (const l of d.listing) {
    starts.add(l.address);
    for (let k = 0; k < l.length; k++) covered.add(l.address + k);
  }
  for (let a = d.base + text.virtualAddress; a < d.base + text.virtualAddress + text.virtualSize; a++) {
    if (!covered.has(a)) {
      assert.equal(mapped[a - d.base], 0xcc, "padding between functions is int3");
      starts.add(a);
    }
  }
  truth.set(modName(d), starts);
}

const symbols = new SymbolTable(modules);

/** The debugger's view of the address space: the readable prefix, as MemoryReader specifies. */
function reader(space: AddressSpace): MemoryReader {
  return {
    read(addr: number, n: number): Uint8Array {
      const b = new Uint8Array(n);
      return b.subarray(0, space.read(addr, b));
    },
  };
}
const mem = reader(as);

function addr(name: string): number {
  const a = symbols.addressOf(name);
  assert.ok(a !== undefined, name);
  return a;
}

/** Lines as "bytes | text" for compact comparisons. */
function brief(lines: DisasmLine[]): string[] {
  return lines.map((l) => `${l.bytes} | ${l.text}`);
}

function assertContiguous(lines: DisasmLine[]): void {
  for (let k = 1; k < lines.length; k++) {
    assert.equal(
      lines[k].address,
      lines[k - 1].address + lines[k - 1].length,
      `line ${k} follows line ${k - 1}`,
    );
  }
}

/** A small memory holding `bytes` at `base` (nothing else readable). */
function bytesAt(base: number, bytes: number[]): MemoryReader {
  const b = Uint8Array.from(bytes);
  return {
    read(a: number, n: number): Uint8Array | undefined {
      if (a < base || a >= base + b.length) return undefined;
      return b.subarray(a - base, Math.min(b.length, a - base + n));
    },
  };
}

describe("debugger: disassembly", () => {
  it("decodes the x64 NtClose stub (mov r10, rcx; mov eax, 0Fh; syscall; ret) with its label", () => {
    const a = addr("ntdll!NtClose");
    const lines = disassemble(mem, a, 0, 6, 64, symbols);
    // SDM: REX.W 8B /r MOV r64, r/m64 (4C = REX.W+R); B8+rd id MOV r32, imm32; 0F 05 SYSCALL; C3 RET;
    // CC INT3. NtClose is service 0x0F on Windows 10 and 11.
    assert.deepEqual(brief(lines), [
      "4C 8B D1 | mov r10, rcx",
      "B8 0F 00 00 00 | mov eax, 0Fh",
      "0F 05 | syscall",
      "C3 | ret",
      "CC | int3",
      "CC | int3",
    ]);
    assert.equal(lines[0].symbol, "ntdll!NtClose");
    assert.ok(lines.slice(1).every((l) => l.symbol === undefined));
    assert.ok(lines.every((l) => !l.invalid && l.kind === "insn"));
    assert.deepEqual(
      lines.map((l) => l.address - a),
      [0, 3, 8, 10, 11, 12],
    );
  });

  it("decodes the x86 NtClose stub through Wow64SystemServiceCall, the callee folded into the text", () => {
    const lines = disassemble(mem, addr("ntdll32!NtClose"), 0, 4, 32, symbols);
    // BA id: MOV EDX, imm32 — the immediate is Wow64SystemServiceCall's address (little-endian).
    const target = addr("ntdll32!Wow64SystemServiceCall");
    const imm = [0, 8, 16, 24].map((s) =>
      ((target >>> s) & 0xff).toString(16).toUpperCase().padStart(2, "0"),
    );
    assert.deepEqual(brief(lines).slice(0, 4), [
      "B8 0F 00 00 00 | mov eax, 0Fh",
      `BA ${imm.join(" ")} | mov edx, offset ntdll32!Wow64SystemServiceCall`,
      "FF D2 | call edx",
      "C2 04 00 | ret 4",
    ]);
    assert.equal(lines[1].bytes.slice(3), windbgLE(addr("ntdll32!Wow64SystemServiceCall")));
  });

  it("returns exactly instructionCount contiguous lines for any offset, negative ones included", () => {
    const a = addr("ntdll!NtClose");
    const cases: [number, number][] = [
      [-50, 100],
      [0, 50],
      [-200, 400],
      [-10, 5],
      [7, 3],
      [-1, 1],
      [0, 1],
      [-400, 10],
      [-3, 3],
      [100, 0],
    ];
    for (const [offset, count] of cases) {
      for (const sym of [symbols, undefined]) {
        const lines = disassemble(mem, a, offset, count, 64, sym);
        assert.equal(lines.length, count, `${offset}/${count}`);
        assertContiguous(lines);
        if (offset <= 0 && -offset < count)
          assert.equal(lines[-offset].address, a, `${offset}/${count}: the anchor`);
        if (offset < 0 && offset + count <= 0 && count > 0) {
          const last = lines[count - 1];
          const ahead = disassemble(mem, a, offset + count - 1, 1 - (offset + count - 1), 64, sym);
          assert.equal(
            ahead[0].address,
            last.address,
            `${offset}/${count}: same boundaries as a longer window`,
          );
        }
      }
    }
  });

  it("lands backward disassembly on the true instruction boundaries (hard anchors: .pdata and symbols)", () => {
    for (const d of set.dlls) {
      if (d.dll === "wow64cpu") continue; // mixes 32-bit code into a 64-bit image: see the mode test
      const starts = truth.get(modName(d))!;
      const bits = d.arch === "x64" ? 64 : 32;
      const textStart = d.base + 0x1000;
      for (let i = 0; i < d.listing.length; i += 2) {
        const a = d.listing[i].address;
        const lines = disassemble(mem, a, -50, 100, bits, symbols);
        assert.equal(lines[50].address, a);
        for (const l of lines.slice(0, 50)) {
          if (l.address < textStart) continue; // the header page before .text is data
          assert.ok(
            starts.has(l.address),
            `${modName(d)}: ${l.address.toString(16)} (${l.text}) before ${a.toString(16)}`,
          );
        }
      }
    }
  });

  it("lands on the true boundaries without any symbols (voting over candidate chains)", () => {
    let total = 0;
    let wrong = 0;
    for (const d of set.dlls) {
      if (d.dll === "wow64cpu") continue;
      const starts = truth.get(modName(d))!;
      const bits = d.arch === "x64" ? 64 : 32;
      for (let i = 0; i < d.listing.length; i += 3) {
        const a = d.listing[i].address;
        const lines = disassemble(mem, a, -50, 100, bits);
        assert.equal(lines[50].address, a);
        for (const l of lines.slice(0, 50)) {
          // The first bytes of .text follow the zero-filled header page: no way to tell where code starts.
          if (l.address < d.base + 0x1010) continue;
          total++;
          if (!starts.has(l.address)) wrong++;
        }
      }
      if (d.dll === "ntdll") {
        // Syscall stubs: every one of them, both modes, with no help at all.
        for (const l of d.listing) {
          const lines = disassemble(mem, l.address, -8, 8, bits);
          for (const x of lines) {
            if (x.address >= d.base + 0x1000)
              assert.ok(starts.has(x.address), `${modName(d)} ${x.address.toString(16)}`);
          }
        }
      }
    }
    assert.ok(total > 30000);
    assert.equal(wrong, 0, `${wrong} of ${total} lines off the true boundaries`);
  });

  it("keeps the anchor when it is inside an instruction: earlier lines end exactly there", () => {
    const a = addr("ntdll!NtClose") + 1; // inside 4C 8B D1
    const lines = disassemble(mem, a, -3, 6, 64, symbols);
    assert.equal(lines[3].address, a);
    assert.equal(lines[2].address + lines[2].length, a);
    assert.deepEqual(brief(lines.slice(3, 4)), ["8B D1 | mov edx, ecx"]);
    assertContiguous(lines);
  });

  it("marks unreadable memory: one invalid `??` line per byte, also backward, and resumes after it", () => {
    const space = new AddressSpace(new MemoryManager(), {});
    const nt = set.get("ntdll", "x64")!;
    const mapped = mapImage(nt.image.bytes);
    space.allocate(nt.base, mapped.length, MEM_RESERVE | MEM_COMMIT, PAGE_EXECUTE_READ, 0, {
      native64: true,
    });
    space.write(nt.base, mapped, { force: true });
    const hole = nt.base + 0x1000; // the first page of .text
    assert.equal(space.protect(hole, 0x1000, PAGE_NOACCESS).status, 0);
    const m = reader(space);

    const fwd = disassemble(m, hole - 0x10, 0, 0x30, 64, symbols);
    assert.equal(fwd.length, 0x30);
    assertContiguous(fwd);
    const gap = fwd.filter((l) => l.address >= hole);
    assert.ok(gap.length > 0);
    for (const l of gap) {
      assert.deepEqual([l.kind, l.invalid, l.length, l.bytes, l.text], ["unreadable", true, 1, "??", "??"]);
    }
    assert.ok(fwd.filter((l) => l.address < hole).every((l) => !l.invalid));

    const resume = hole + 0x1000;
    const listed = [...truth.get("ntdll")!]
      .filter((a) => a >= resume)
      .sort((x, y) => x - y)
      .slice(0, 5)
      .map((address) => ({ address }));
    assert.ok(
      nt.listing.some((l) => l.address === resume),
      "a stub starts right after the hole",
    );
    const back = disassemble(m, resume, -5, 10, 64, symbols);
    assert.deepEqual(
      back.map((l) => [l.address - resume, l.kind]),
      [
        [-5, "unreadable"],
        [-4, "unreadable"],
        [-3, "unreadable"],
        [-2, "unreadable"],
        [-1, "unreadable"],
        ...listed.map((l) => [l.address - resume, "insn"]),
      ],
    );
    // Backward from the far side of the hole, over the hole and on into readable code: exact count.
    const across = disassemble(m, resume, -0x1020, 0x1020, 64, symbols);
    assert.equal(across.length, 0x1020);
    assertContiguous(across);
    assert.equal(across.filter((l) => l.kind === "unreadable").length, 0x1000);

    // Nothing mapped at all.
    const none = disassemble(m, 0x10000000, -3, 6, 64, symbols);
    assert.deepEqual(
      none.map((l) => [l.address - 0x10000000, l.text]),
      [
        [-3, "??"],
        [-2, "??"],
        [-1, "??"],
        [0, "??"],
        [1, "??"],
        [2, "??"],
      ],
    );
    // Below address 0: placeholders, still exact.
    assert.equal(disassemble(m, 2, -5, 10, 32).length, 10);
  });

  it("shows an instruction cut by an unreadable page as (bad) bytes", () => {
    // E8 cd (call rel32) needs 5 bytes; FF FF is FF /7 (undefined); a lone FF needs its ModRM byte.
    const m = bytesAt(0x5000, [0x90, 0xe8, 0xff, 0xff]);
    const lines = disassemble(m, 0x5000, 0, 5, 32);
    assert.deepEqual(
      lines.map((l) => `${l.bytes} ${l.text} ${l.kind}`),
      ["90 nop insn", "E8 (bad) bad", "FF (bad) bad", "FF (bad) bad", "?? ?? unreadable"],
    );
  });

  it("decodes the same bytes differently in 32- and 64-bit mode", () => {
    // `31 C0 40 90 C3` returns 1 in 32-bit code and 0 in 64-bit code (40 is INC EAX, or a REX prefix).
    const m = bytesAt(0x401000, [0x31, 0xc0, 0x40, 0x90, 0xc3]);
    assert.deepEqual(brief(disassemble(m, 0x401000, 0, 4, 32)), [
      "31 C0 | xor eax, eax",
      "40 | inc eax",
      "90 | nop",
      "C3 | ret",
    ]);
    assert.deepEqual(brief(disassemble(m, 0x401000, 0, 3, 64)), [
      "31 C0 | xor eax, eax",
      "40 90 | nop",
      "C3 | ret",
    ]);

    // wow64cpu!KiFastSystemCall is 32-bit code: EA ptr16:32 is JMP FAR there and invalid in 64-bit mode.
    const k = addr("wow64cpu!KiFastSystemCall");
    const in32 = disassemble(mem, k, 0, 1, 32, symbols)[0];
    assert.equal(in32.text, "jmp far wow64cpu!CpupReturnFromSimulatedCode, 0033h");
    assert.equal(in32.length, 7);
    assert.equal(in32.target, addr("wow64cpu!CpupReturnFromSimulatedCode"));
    const in64 = disassemble(mem, k, 0, 1, 64, symbols)[0];
    assert.deepEqual([in64.kind, in64.text, in64.length, in64.bytes], ["bad", "(bad)", 1, "EA"]);

    // The x86 stub's `call edx` (FF D2) is `call rdx` in 64-bit mode.
    const stub = addr("ntdll32!NtClose");
    assert.equal(disassemble(mem, stub, 2, 1, 64)[0].text, "call rdx");
    assert.equal(disassemble(mem, stub, 2, 1, 32)[0].text, "call edx");
  });

  it("folds symbols into branches, RIP-relative and absolute memory operands and address immediates", () => {
    const exit = disassemble(mem, addr("kernel32!ExitProcess"), 0, 20, 64, symbols);
    const texts = exit.map((l) => l.text);
    assert.ok(texts.includes("call kernel32!ExitProcess$pre"), texts.join("\n"));
    assert.ok(texts.includes("call qword ptr [kernel32!__imp_NtTerminateProcess]"));
    assert.ok(texts.includes("call kernel32!ExitProcess$post"));
    const call = exit.find((l) => l.text === "call kernel32!ExitProcess$pre")!;
    assert.equal(call.target, addr("kernel32!ExitProcess$pre"));

    // kernel32's copies of kernelbase APIs: FF 25 jmp [rip+disp32] through the IAT.
    // disp32 = the IAT slot's address minus the end of the 6-byte instruction (little-endian).
    const thunk = addr("kernel32!VirtualAlloc");
    const disp = addr("kernel32!__imp_VirtualAlloc") - (thunk + 6);
    const d32 = [0, 8, 16, 24].map((s) => ((disp >>> s) & 0xff).toString(16).toUpperCase().padStart(2, "0"));
    assert.deepEqual(brief(disassemble(mem, thunk, 0, 1, 64, symbols)), [
      `FF 25 ${d32.join(" ")} | jmp qword ptr [kernel32!__imp_VirtualAlloc]`,
    ]);
    // 32-bit: absolute disp32 operands.
    const exit32 = disassemble(mem, addr("kernel3232!ExitProcess"), 0, 20, 32, symbols).map((l) => l.text);
    assert.ok(exit32.includes("call dword ptr [kernel3232!__imp_NtTerminateProcess]"), exit32.join("\n"));
    assert.deepEqual(
      disassemble(mem, addr("ntdll32!Wow64SystemServiceCall"), 0, 1, 32, symbols).map((l) => l.text),
      ["jmp dword ptr [ntdll32!Wow64Transition]"],
    );

    // A branch into the middle of a function: `jmp ntdll!NtClose+0x5`, and a call to an address no
    // module holds stays a number.
    const close = addr("ntdll!NtClose");
    const here = close - 0x100000;
    const rel = close + 5 - (here + 5);
    const nowhere = here + 0x1000; // in no module
    const code = [0xe9, ...le32(rel), 0xe8, ...le32(nowhere - (here + 10))];
    const both: MemoryReader = {
      read: (a, n) => (a >= here && a < here + code.length ? bytesAt(here, code).read(a, n) : mem.read(a, n)),
    };
    const lines = disassemble(both, here, 0, 2, 64, symbols);
    assert.deepEqual(
      lines.map((l) => l.text),
      ["jmp ntdll!NtClose+0x5", `call ${nowhere.toString(16).toUpperCase().padStart(16, "0")}h`],
    );
    assert.equal(lines[0].target, close + 5);

    // Without a resolver, nothing is folded.
    assert.deepEqual(
      disassemble(mem, addr("kernel32!VirtualAlloc"), 0, 1, 64).map((l) => l.text),
      [`jmp qword ptr [${(addr("kernel32!__imp_VirtualAlloc") + 0).toString(16).toUpperCase()}h]`],
    );
  });

  it("labels only the lines that start a function or symbol", () => {
    const a = addr("ntdll!NtClose");
    const lines = disassemble(mem, a, -6, 12, 64, symbols);
    const labelled = lines.filter((l) => l.symbol !== undefined).map((l) => [l.address, l.symbol]);
    assert.deepEqual(labelled, [[a, "ntdll!NtClose"]]);
    const nextStub = lines.find((l) => l.address > a && l.text === "mov r10, rcx");
    assert.equal(nextStub, undefined, "the window ends before the next stub");
    const more = disassemble(mem, a, 0, 12, 64, symbols).filter((l) => l.symbol !== undefined);
    assert.equal(more.length, 2);
    assert.equal(more[1].symbol, symbols.nameAt(more[1].address));
  });

  it("lays lines out as WinDbg's u does in the windbg style", () => {
    const a = addr("ntdll!NtClose");
    const lines = disassemble(mem, a, 0, 4, 64, symbols, { style: "windbg" });
    assert.deepEqual(
      lines.map((l) => `${windbgAddress(l.address, 64)} ${l.bytes.padEnd(15)} ${l.text}`),
      [
        `${windbgAddress(a, 64)} 4c8bd1          mov     r10,rcx`,
        `${windbgAddress(a + 3, 64)} b80f000000      mov     eax,0Fh`,
        `${windbgAddress(a + 8, 64)} 0f05            syscall`,
        `${windbgAddress(a + 10, 64)} c3              ret`,
      ],
    );
    const call = disassemble(mem, addr("kernel32!ExitProcess"), 7, 1, 64, symbols, { style: "windbg" })[0];
    assert.equal(
      call.text,
      `call    kernel32!ExitProcess$pre (${windbgAddress(addr("kernel32!ExitProcess$pre"), 64)})`,
    );
    const stub = disassemble(mem, addr("ntdll32!NtClose"), 1, 1, 32, symbols, { style: "windbg" })[0];
    assert.equal(
      stub.text,
      `mov     edx,offset ntdll32!Wow64SystemServiceCall (${windbgAddress(addr("ntdll32!Wow64SystemServiceCall"), 32)})`,
    );
    assert.equal(windbgAddress(0x7ffac7d010f0, 64), "00007ffa`c7d010f0");
    assert.equal(windbgAddress(0x77a010f0, 32), "77a010f0");
    assert.equal(windbgAddress(0x1077a010f0, 32), "00000010`77a010f0");
  });

  it("reads ranges with a readable mask, skipping unreadable pages", () => {
    const space = new AddressSpace(new MemoryManager(), {});
    space.allocate(0x10000, 0x3000, MEM_RESERVE | MEM_COMMIT, PAGE_EXECUTE_READ);
    space.protect(0x11000, 0x1000, PAGE_NOACCESS);
    const { ok } = readRange(reader(space), 0x10ff0, 0x12010);
    assert.equal(ok.length, 0x1020);
    assert.deepEqual([ok[0], ok[0xf], ok[0x10], ok[0x100f], ok[0x1010], ok[0x101f]], [1, 1, 0, 0, 1, 1]);
  });

  it("names addresses like WinDbg through the symbol table", () => {
    const close = addr("ntdll!NtClose");
    assert.equal(symbols.nameAt(close), "ntdll!NtClose");
    assert.equal(symbols.nameAt(close + 5), "ntdll!NtClose+0x5");
    assert.equal(symbols.addressOf("NTDLL!ntclose"), close, "case-insensitive");
    assert.equal(symbols.addressOf("ntdll"), set.get("ntdll", "x64")!.base);
    assert.equal(symbols.addressOf("ntdll!NoSuchFunction"), undefined);
    assert.equal(symbols.addressOf("NtClose"), undefined, "ambiguous: both ntdlls export it");
    assert.equal(
      symbols.addressOf("CpupReturnFromSimulatedCode"),
      addr("wow64cpu!CpupReturnFromSimulatedCode"),
    );
    assert.equal(symbols.nameAt(0x1000), undefined);
    // .pdata: the function holding an address; x86: symbols with a size.
    assert.equal(symbols.functionStart(close + 9), close);
    const c32 = addr("ntdll32!NtClose");
    assert.equal(symbols.functionStart(c32 + 9), c32);
    assert.deepEqual(symbols.complete("kernel3", 10).sort(), ["kernel32!", "kernel3232!"]);
    assert.deepEqual(symbols.complete("ntdll!NtClo", 10), ["ntdll!NtClose", "ntdll!NtCloseObjectAuditAlarm"]);
  });

  it("disassembles 400 instructions around an address in at most 20 ms (median of 50)", () => {
    const a = addr("ntdll!NtClose");
    const times: number[] = [];
    for (let k = 0; k < 60; k++) {
      const t0 = performance.now();
      const lines = disassemble(mem, a + (k % 8) * 0x10, -200, 400, 64, symbols);
      times.push(performance.now() - t0);
      assert.equal(lines.length, 400);
    }
    const warm = times.slice(10).sort((x, y) => x - y);
    const median = warm[warm.length >> 1];
    assert.ok(median <= 20, `median ${median.toFixed(2)} ms`);
  });
});

function le32(v: number): number[] {
  return [v & 0xff, (v >>> 8) & 0xff, (v >>> 16) & 0xff, (v >>> 24) & 0xff];
}

/** The little-endian bytes of a 32-bit value as the intel style shows them: "90 2E A0 77". */
function windbgLE(v: number): string {
  return le32(v)
    .map((b) => b.toString(16).toUpperCase().padStart(2, "0"))
    .join(" ");
}
