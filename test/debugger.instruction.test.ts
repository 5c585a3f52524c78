/**
 * The Instruction scope (src/debugger/instruction.ts): the encoding fields of the instruction at the IP,
 * decoded in the current mode, with the effective address computed from the registers (segment base
 * included) and the value there. Expected fields from the Intel SDM Vol. 2 (2.1 instruction format, 2.2.1
 * REX, Tables 2-1/2-2/2-3 ModRM and SIB): `48 8B 44 1E 08` is REX.W (W=1 R=0 X=0 B=0), opcode 8B (mov Gv, Ev),
 * ModRM 44 = mod 01 reg 000 (rax) rm 100 (SIB follows), SIB 1E = scale 00 (×1) index 011 (rbx) base 110
 * (rsi), disp8 08: `mov rax, [rsi+rbx+8]`.
 */
import { strict as assert } from "node:assert";
import { Cpu, FlatBus } from "../src/cpu/index";
import {
  inspectCurrentInstruction,
  inspectInstruction,
  type InstructionInfo,
} from "../src/debugger/instruction";

const CODE = 0x140001000;
const DATA = 0x10000;

function setup(bits: 32 | 64, code: number[], at = CODE) {
  const bus = new FlatBus();
  bus.map(at, 0x1000);
  bus.writeBytes(at, Uint8Array.from(code));
  bus.map(DATA, 0x1000);
  bus.map(0x7ffdb000, 0x1000);
  const cpu = new Cpu(bus);
  cpu.setMode(bits);
  cpu.rip = at;
  const memory = {
    read(addr: number, n: number): Uint8Array | undefined {
      try {
        return bus.readBytes(addr, n);
      } catch {
        return undefined;
      }
    },
  };
  return { bus, cpu, memory };
}

function set64(cpu: Cpu, r: number, v: number | bigint): void {
  const b = BigInt(v);
  cpu.lo[r] = Number(b & 0xffffffffn) | 0;
  cpu.hi[r] = Number(b >> 32n) | 0;
}
function wq(bus: FlatBus, a: number, v: bigint): void {
  const b = new Uint8Array(8);
  new DataView(b.buffer).setBigUint64(0, v, true);
  bus.writeBytes(a, b);
}
function field(info: InstructionInfo, name: string): string | undefined {
  return info.fields.find((f) => f.name === name)?.value;
}
function inspect(
  bits: 32 | 64,
  code: number[],
  prep?: (s: ReturnType<typeof setup>) => void,
  at?: number,
): InstructionInfo {
  const s = setup(bits, code, at);
  prep?.(s);
  const info = inspectCurrentInstruction(s.cpu, s.memory);
  assert.ok(info);
  return info;
}

describe("debugger instruction scope", () => {
  it("48 8B 44 1E 08: mov rax, [rsi+rbx+8] — REX, ModRM, SIB, displacement, EA and the qword there", () => {
    const info = inspect(64, [0x48, 0x8b, 0x44, 0x1e, 0x08], ({ bus, cpu }) => {
      set64(cpu, 6, DATA); // rsi
      set64(cpu, 3, 0x20); // rbx
      wq(bus, DATA + 0x28, 0x1122334455667788n);
    });
    assert.equal(info.text, "mov rax,[rsi+rbx+8]");
    assert.equal(info.valid, true);
    assert.deepEqual([...info.bytes], [0x48, 0x8b, 0x44, 0x1e, 0x08]);
    assert.deepEqual(info.rex, { byte: 0x48, w: 1, r: 0, x: 0, b: 0 });
    assert.deepEqual(info.modrm, { byte: 0x44, mod: 1, reg: 0, rm: 4, regName: "rax", rmName: "SIB" });
    assert.deepEqual(info.sib, { byte: 0x1e, scale: 1, indexName: "rbx", baseName: "rsi" });
    assert.equal(info.memory.length, 1);
    const m = info.memory[0];
    assert.deepEqual(
      [m.segment, m.expression, m.computation, m.address, m.size, m.value],
      [
        "ds",
        "rsi+rbx*1+0x8",
        "0x10000+0x20*1+0x8 = 0x0000000000010028",
        0x10028n,
        8,
        "qword 0x1122334455667788",
      ],
    );
    assert.deepEqual(
      info.fields.map((f) => `${f.name}: ${f.value}`),
      [
        "address: 0x0000000140001000",
        "bytes: 48 8B 44 1E 08",
        "text: mov rax,[rsi+rbx+8]",
        "mode: 64-bit",
        "length: 5",
        "prefixes: none",
        "REX: 48: W=1 R=0 X=0 B=0",
        "opcode: 8B",
        "mnemonic: mov",
        "operand size: 64-bit",
        "address size: 64-bit",
        "ModRM: 44: mod=1 reg=rax rm=SIB",
        "SIB: 1E: scale=1 index=rbx base=rsi",
        "displacement: 0x8 (1 byte)",
        "operands: rax, qword ptr ds:[rsi+rbx*1+0x8]",
        "effective address: 0x0000000000010028 = ds:[rsi+rbx*1+0x8]",
        "value: qword 0x1122334455667788",
      ],
    );
    const rex = info.fields.find((f) => f.name === "REX")!;
    assert.deepEqual(
      rex.children?.map((c) => `${c.name} ${c.value}`),
      [
        "W 1 (64-bit operand size)",
        "R 0 (ModRM.reg as is)",
        "X 0 (SIB.index as is)",
        "B 0 (ModRM.rm / SIB.base / opcode register as is)",
      ],
    );
    const modrm = info.fields.find((f) => f.name === "ModRM")!;
    assert.deepEqual(
      modrm.children?.map((c) => `${c.name} ${c.value}`),
      ["mod 1 (memory + disp8)", "reg 0 (rax)", "rm 4 (SIB)"],
    );
    const sib = info.fields.find((f) => f.name === "SIB")!;
    assert.deepEqual(
      sib.children?.map((c) => `${c.name} ${c.value}`),
      ["scale 0 (×1)", "index 3 (rbx)", "base 6 (rsi)"],
    );
    assert.equal(info.fields.find((f) => f.name === "effective address")?.address, 0x10028n);
    assert.equal(info.fields.find((f) => f.name === "value")?.address, 0x10028n);
    assert.equal(info.fields.find((f) => f.name === "address")?.address, BigInt(CODE));
  });

  it("segment bases count: mov eax, fs:[0x18] (32-bit) and mov rax, gs:[0x30] (64-bit)", () => {
    const fs = inspect(
      32,
      [0x64, 0xa1, 0x18, 0, 0, 0],
      ({ bus, cpu }) => {
        cpu.fsBase = 0x7ffdb000;
        bus.writeBytes(0x7ffdb018, Uint8Array.from([0x00, 0xb0, 0xfd, 0x7f]));
      },
      0x401000,
    );
    assert.equal(fs.text, "mov eax,fs:[18h]");
    assert.equal(field(fs, "prefixes"), "64 (fs)");
    assert.equal(field(fs, "REX"), undefined, "no REX in 32-bit mode");
    assert.equal(fs.modrm, undefined);
    assert.deepEqual(
      [fs.memory[0].computation, fs.memory[0].address, fs.memory[0].value],
      ["fs.base 0x7FFDB000 + 0x18 = 0x7FFDB018", 0x7ffdb018n, "dword 0x7FFDB000"],
    );
    assert.equal(field(fs, "effective address"), "0x7FFDB018 = fs:[0x18]");

    const gs = inspect(64, [0x65, 0x48, 0x8b, 0x04, 0x25, 0x30, 0, 0, 0], ({ bus, cpu }) => {
      cpu.gsBase = 0x7ffdb000;
      wq(bus, 0x7ffdb030, 0x7ffdb000n);
    });
    assert.equal(gs.text, "mov rax,gs:[30h]");
    assert.deepEqual(gs.modrm, { byte: 0x04, mod: 0, reg: 0, rm: 4, regName: "rax", rmName: "SIB" });
    assert.deepEqual(gs.sib, { byte: 0x25, scale: 1, indexName: "none", baseName: "none (disp32)" });
    assert.deepEqual([gs.memory[0].address, gs.memory[0].value], [0x7ffdb030n, "qword 0x000000007FFDB000"]);
    // In 64-bit mode the DS base is ignored even when set (SDM 3.3.7)
    const ds = inspect(64, [0x48, 0x8b, 0x04, 0x25, 0x30, 0, 1, 0], ({ cpu }) => {
      cpu.sbase[3] = 0x1000;
    });
    assert.equal(ds.memory[0].address, 0x10030n);
  });

  it("RIP-relative and negative displacements", () => {
    const rip = inspect(64, [0x48, 0x8b, 0x05, 0xf9, 0x0f, 0, 0]);
    assert.equal(rip.text, "mov rax,[140002000h]");
    assert.equal(rip.modrm?.rmName, "rip+disp32");
    assert.deepEqual(
      [rip.memory[0].expression, rip.memory[0].computation, rip.memory[0].address],
      ["rip+0xFF9", "0x140001007+0xFF9 = 0x0000000140002000", 0x140002000n],
    );
    assert.equal(field(rip, "displacement"), "0xFF9 (4 bytes)");

    const neg = inspect(32, [0x8b, 0x45, 0xf8], ({ cpu }) => set64(cpu, 5, DATA + 0x100), 0x401000);
    assert.equal(neg.text, "mov eax,[ebp-8]");
    assert.deepEqual(neg.modrm, { byte: 0x45, mod: 1, reg: 0, rm: 5, regName: "eax", rmName: "ebp" });
    assert.deepEqual(
      [neg.memory[0].segment, neg.memory[0].expression, neg.memory[0].computation, neg.memory[0].value],
      ["ss", "ebp-0x8", "0x10100-0x8 = 0x000100F8", "dword 0x00000000"],
    );
    assert.equal(field(neg, "displacement"), "-0x8 (1 byte)");
  });

  it("opcode extensions, immediates, lea (no access), unreadable memory", () => {
    const add = inspect(64, [0x48, 0x83, 0xc4, 0x28]);
    assert.equal(add.text, "add rsp,28h");
    assert.equal(field(add, "ModRM"), "C4: mod=3 reg=/0 (opcode extension) rm=rsp");
    assert.equal(field(add, "immediate"), "0x28 (1 byte)");
    assert.equal(add.memory.length, 0);

    const lea = inspect(64, [0x48, 0x8d, 0x04, 0x9e], ({ cpu }) => {
      set64(cpu, 6, 0x1000);
      set64(cpu, 3, 2);
    });
    assert.equal(lea.text, "lea rax,[rsi+rbx*4]");
    assert.deepEqual(
      [lea.memory[0].address, lea.memory[0].value],
      [0x1008n, "no memory access (the operand is an address only)"],
    );

    const bad = inspect(64, [0x48, 0x8b, 0x00], ({ cpu }) => set64(cpu, 0, 0x900000));
    assert.deepEqual([bad.memory[0].address, bad.memory[0].value], [0x900000n, "unreadable"]);
  });

  it("VEX fields and register-form ModRM names", () => {
    const v = inspect(64, [0xc5, 0xf8, 0x58, 0xc1]);
    assert.equal(v.text, "vaddps xmm0,xmm0,xmm1");
    assert.equal(field(v, "VEX"), "W=0 R=0 X=0 B=0 vvvv=0 L=0 pp=none map=0F");
    assert.deepEqual(v.modrm, { byte: 0xc1, mod: 3, reg: 0, rm: 1, regName: "xmm0", rmName: "xmm1" });
    assert.equal(field(v, "opcode"), "0F 58");
  });

  it("string instructions: both operands' addresses; invalid and unreadable code", () => {
    const movs = inspect(
      32,
      [0xf3, 0xa4],
      ({ cpu }) => {
        set64(cpu, 6, DATA);
        set64(cpu, 7, DATA + 0x10);
      },
      0x401000,
    );
    assert.equal(movs.text, "rep movsb [edi],[esi]"); // iced-x86 Intel syntax
    assert.deepEqual(
      movs.memory.map((m) => [m.segment, m.expression, m.address, m.size]),
      [
        ["es", "edi", BigInt(DATA + 0x10), 1],
        ["ds", "esi", BigInt(DATA), 1],
      ],
    );
    assert.ok(field(movs, "effective address (operand 1)"));
    assert.ok(field(movs, "value (operand 2)"));

    const ud = inspect(64, [0xff, 0xff]);
    assert.equal(ud.valid, false);
    assert.equal(field(ud, "invalid"), "undefined opcode (#UD)");
    assert.equal(ud.text, "(bad)");

    const s = setup(64, [0x90]);
    assert.equal(
      inspectInstruction(0x7000000, { bits: 64, gpr: () => 0n, segBase: () => 0n }, s.memory),
      undefined,
    );
    // a truncated instruction at the end of readable memory
    const t = setup(64, []);
    t.bus.writeBytes(CODE + 0xffe, Uint8Array.from([0x48, 0x8b]));
    const tr = inspectInstruction(CODE + 0xffe, { bits: 64, gpr: () => 0n, segBase: () => 0n }, t.memory);
    assert.ok(tr);
    assert.equal(tr.valid, false);
    assert.match(field(tr, "invalid") ?? "", /truncated/);
  });
});
