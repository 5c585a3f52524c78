/**
 * Frame-based exception handling (issue 7): the x64 unwinder over guest memory (RtlLookupFunctionEntry,
 * RtlVirtualUnwind), x64 dispatch to .pdata language handlers with __C_specific_handler and RtlUnwindEx
 * (seh64.exe), and x86 RtlUnwind over the FS:[0] chain (seh32unwind.exe).
 *
 * Expected values: the unwinder's from seh64.asm's prologs and `x86_64-w64-mingw32-objdump -p seh64.exe`
 * (the function table: test_a = 0x1400010AA..0x140001155, UnwindData 0x140005024, Handler 0x14000152C);
 * the programs' output from test/fixtures/EXPECTED.md (Microsoft's "x64 exception handling",
 * "try-except statement", "try-finally statement", __C_specific_handler, RtlUnwind).
 */
import { strict as assert } from "node:assert";
import { spawnSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { Kernel } from "../src/windows/kernel";
import type { SyscallRecord } from "../src/windows/kernel/types";
import { mapImage, parsePe } from "../src/windows/pe";
import { BufferConsole, Process, type ProcessStop } from "../src/windows/process";
import {
  imageUnwindTarget,
  memoryUnwindTarget,
  unwindFrame,
  UNW_FLAG_EHANDLER,
  UNW_FLAG_UHANDLER,
  type UnwindState,
} from "../src/windows/unwind";

const BIN = "test/fixtures/bin";

function run(file: string): { out: string; stop: ProcessStop; syscalls: SyscallRecord[] } {
  const con = new BufferConsole();
  const syscalls: SyscallRecord[] = [];
  const p = Process.create({
    file: readFileSync(`${BIN}/${file}`),
    name: file,
    console: con,
    kernel: (pp) => {
      const k = new Kernel(pp);
      k.onSyscall = (r) => syscalls.push(r);
      return k;
    },
  });
  const stop = p.run(50_000_000);
  return { out: con.stdout, stop, syscalls };
}

describe("exceptions: the x64 unwinder over guest memory", () => {
  const file = readFileSync(`${BIN}/seh64.exe`);
  const img = parsePe(file);
  const BASE = 0x140000000;
  const mapped = mapImage(file);
  const STACK = 0x10000;
  const stack = new Uint8Array(0x1000);
  const read = (addr: number, n: number): Uint8Array | undefined => {
    if (addr >= BASE && addr + n <= BASE + mapped.length) return mapped.slice(addr - BASE, addr - BASE + n);
    if (addr >= STACK && addr + n <= STACK + stack.length) return stack.slice(addr - STACK, addr - STACK + n);
    return undefined;
  };
  const q = (off: number, v: bigint): void => new DataView(stack.buffer).setBigUint64(off, v, true);
  const RDI = 0x7777n;
  const RSI = 0x6666n;
  const RBX = 0x3333n;
  const RET = 0x140001100n;
  // test_a's frame after its prolog (push rbx; push rsi; push rdi; sub rsp, 0x20) with RSP = STACK
  q(0x20, RDI);
  q(0x28, RSI);
  q(0x30, RBX);
  q(0x38, RET);
  const regs = (): bigint[] => Array.from({ length: 16 }, (_, r) => (r === 4 ? BigInt(STACK) : 0n));
  const targets = {
    memory: memoryUnwindTarget(read, [{ base: BASE, size: 0 }]),
    image: imageUnwindTarget(read, [{ base: BASE, size: img.mappedSize, bits: 64, image: img }]),
  };

  it("RtlLookupFunctionEntry reads .pdata from the mapped image (objdump's function table)", () => {
    const hit = targets.memory.lookupFunctionEntry(0x1400010b0);
    assert.ok(hit);
    assert.equal(hit.imageBase, BASE);
    assert.deepEqual(hit.entry, { beginRva: 0x10aa, endRva: 0x1155, unwindInfoRva: 0x5024 });
    assert.equal(hit.entryAddress, 0x140004018);
    assert.equal(targets.memory.lookupFunctionEntry(0x140001063), undefined, "puts/puthex have no entry");
    assert.equal(targets.memory.lookupFunctionEntry(0x150000000), undefined);
  });

  for (const [name, t] of Object.entries(targets)) {
    it(`${name}: past the prolog, the codes restore RDI, RSI, RBX; the handler and its data are returned`, () => {
      const s: UnwindState = { pc: 0x1400010aa + 0x10, regs: regs(), exact: true };
      const r = unwindFrame(t, s, UNW_FLAG_EHANDLER);
      assert.ok(!("end" in r));
      assert.equal(r.source, "pdata");
      assert.equal(r.next.pc, Number(RET));
      assert.equal(r.next.regs[4], BigInt(STACK + 0x40));
      assert.deepEqual([r.next.regs[3], r.next.regs[6], r.next.regs[7]], [RBX, RSI, RDI]);
      assert.equal(r.establisherFrame, BigInt(STACK));
      assert.equal(r.handler, 0x14000152c);
      // HandlerData: after the header (4), the 4 code slots (8) and the handler RVA (4)
      assert.equal(r.handlerData, 0x140005024 + 16);
      // test_a has UNW_FLAG_EHANDLER only: no termination handler
      const u = unwindFrame(t, s, UNW_FLAG_UHANDLER);
      assert.ok(!("end" in u));
      assert.equal(u.handler, undefined);
    });

    it(`${name}: inside the prolog only the executed codes apply, and no handler is returned`, () => {
      // after push rbx; push rsi (prolog offset 2): [rsp] = rsi, [rsp+8] = rbx, [rsp+0x10] = return address
      const st = new DataView(stack.buffer);
      const saved = [0, 8, 0x10].map((o) => st.getBigUint64(0x100 + o, true));
      q(0x100, RSI);
      q(0x108, RBX);
      q(0x110, RET);
      const r0 = regs();
      r0[4] = BigInt(STACK + 0x100);
      const r = unwindFrame(t, { pc: 0x1400010aa + 2, regs: r0, exact: true }, UNW_FLAG_EHANDLER);
      [0, 8, 0x10].forEach((o, k) => q(0x100 + o, saved[k]));
      assert.ok(!("end" in r));
      assert.equal(r.next.pc, Number(RET));
      assert.equal(r.next.regs[4], BigInt(STACK + 0x118));
      assert.deepEqual([r.next.regs[3], r.next.regs[6], r.next.regs[7]], [RBX, RSI, 0n]);
      assert.equal(r.handler, undefined);
    });

    it(`${name}: in the epilog (add rsp, 0x20; pop rdi; pop rsi; pop rbx; ret) it is emulated, no handler`, () => {
      const r = unwindFrame(t, { pc: 0x14000114d, regs: regs(), exact: true }, UNW_FLAG_EHANDLER);
      assert.ok(!("end" in r));
      assert.equal(r.source, "epilog");
      assert.equal(r.next.pc, Number(RET));
      assert.deepEqual([r.next.regs[3], r.next.regs[6], r.next.regs[7]], [RBX, RSI, RDI]);
      assert.equal(r.handler, undefined);
    });
  }
});

describe("exceptions: frame-based handlers", function () {
  this.timeout(120_000);

  it("seh64.exe: __try/__except/__finally through .pdata, __C_specific_handler and RtlUnwindEx", () => {
    const r = run("seh64.exe");
    assert.equal(
      r.out,
      [
        "A: filter: C0000005 writing 0 at level3, establisher frame ok",
        "A: __finally in level1: abnormal=00000001 frame=ok",
        "A: __except in test_a: code=C0000005 rbx=ok rsp=ok",
        "B: continued after the filter fixed RCX: value=0000002A",
        "C: callee filter: continue search",
        "C: inner filter: continue search",
        "C: outer __except (constant filter): code=C0000094",
        "D: filter: E0000001 with 2 parameters 11, 22",
        "D: __except: code=E0000001",
        "E: inner filter: code=E0000002",
        "E: inner filter: code=C0000025",
        "E: outer filter: code=C0000025 chained to E0000002",
        "E: outer __except: code=C0000025",
        "",
      ].join("\n"),
    );
    assert.equal(r.stop.kind, "exit");
    if (r.stop.kind === "exit") assert.equal(r.stop.status, 0);
    // Only B resumes the faulting context (NtContinue); the __except blocks are reached by RtlUnwindEx.
    assert.equal(r.syscalls.filter((s) => s.name === "NtContinue").length, 1);
    // RaiseException's second chance is never reached.
    assert.equal(r.syscalls.filter((s) => s.name === "NtRaiseException").length, 0);
  });

  it("seh32unwind.exe: RtlUnwind calls I and M with EXCEPTION_UNWINDING and unlinks them; a record outside the stack stops dispatch", () => {
    const r = run("seh32unwind.exe");
    assert.equal(
      r.out,
      [
        "I: dispatch, flags 00000000",
        "M: dispatch, flags 00000000",
        "T: dispatch, code C0000005",
        "I: unwind, flags 00000002",
        "M: unwind, flags 00000002",
        "T: RtlUnwind returned EAX 12345678, FS:[0] is the target: ok",
        "main: resumed after the unwind",
        "unhandled exception filter: flags 00000008",
        "",
      ].join("\n"),
    );
    assert.equal(r.stop.kind, "exception");
    if (r.stop.kind === "exception") {
      assert.equal(r.stop.code >>> 0, 0xc0000005);
      assert.match(
        r.stop.message,
        /^Access violation writing 0x00000000 at 0x[0-9A-F]{8} \(seh32unwind\.exe\+0x/,
      );
    }
  });

  it("CLI: an exception every frame handler declines still says what and where", () => {
    const r = spawnSync(
      process.execPath,
      ["--import", "tsx", "src/cli/main.ts", "run", `${BIN}/seh32unwind.exe`],
      {
        encoding: "utf8",
      },
    );
    assert.equal(r.status, 0x05, "the exit code is the NTSTATUS's low byte");
    assert.match(
      r.stderr,
      /Access violation writing 0x00000000 at 0x[0-9A-F]{8} \(seh32unwind\.exe\+0x[0-9a-f]+\)/,
    );
  });
});
