/**
 * The block compiler against the interpreter: random straight-line blocks built from the forms the
 * compiler inlines (and some it does not), run once interpreted and once compiled from the same start
 * state; registers, flags, RIP, the retired count and memory must agree. The interpreter's handlers are
 * themselves checked against real hardware (hw.vectors.test.ts), so this pins the compiler to hardware.
 */
import { strict as assert } from "node:assert";
import { Cpu, FlatBus } from "../src/cpu/index";
import { compileBlock, generate } from "../src/cpu/jit/compile";

const CODE = 0x401000;
const DATA = 0x500000;
const STACK = 0x600000;

/** Seeded PRNG (mulberry32). */
function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

// Registers a block may write: eax ecx edx esi edi ebp (rbx = data pointer, rsp = stack).
const DST = [0, 1, 2, 6, 7, 5];

function gen(r: () => number, bits: 32 | 64): number[] {
  const pick = <T>(a: readonly T[]): T => a[Math.floor(r() * a.length)];
  const bytes: number[] = [];
  const count = 3 + Math.floor(r() * 12);
  for (let k = 0; k < count; k++) {
    const rexW = bits === 64 && r() < 0.5 ? [0x48] : [];
    const d = pick(DST);
    const s = pick([0, 1, 2, 3, 5, 6, 7]);
    const disp = Math.floor(r() * 32) * 4;
    switch (Math.floor(r() * 15)) {
      case 0: {
        // alu r/m, r and alu r, r/m (reg forms); the destination is always one of DST
        const op = pick([0x01, 0x03, 0x09, 0x0b, 0x21, 0x23, 0x29, 0x2b, 0x31, 0x33, 0x39, 0x3b, 0x85]);
        const toReg = (op & 2) !== 0;
        bytes.push(...rexW, op, toReg ? 0xc0 | (d << 3) | s : 0xc0 | (s << 3) | d);
        break;
      }
      case 1: // alu r, [rbx+disp8]
        bytes.push(...rexW, pick([0x03, 0x0b, 0x23, 0x2b, 0x33, 0x3b, 0x8b]), 0x43 | (d << 3), disp);
        break;
      case 2: // alu [rbx+disp8], r
        bytes.push(...rexW, pick([0x01, 0x09, 0x21, 0x29, 0x31, 0x39, 0x89]), 0x43 | (s << 3), disp);
        break;
      case 3: // 83 /k r, imm8
        bytes.push(...rexW, 0x83, 0xc0 | (pick([0, 1, 4, 5, 6, 7]) << 3) | d, Math.floor(r() * 256));
        break;
      case 4: // 81 /k r, imm32
        bytes.push(
          ...rexW,
          0x81,
          0xc0 | (pick([0, 1, 4, 5, 6, 7]) << 3) | d,
          ...le32(Math.floor(r() * 2 ** 32)),
        );
        break;
      case 5: // inc/dec r via FF
        bytes.push(...rexW, 0xff, 0xc0 | (pick([0, 1]) << 3) | d);
        break;
      case 6: // mov r, imm32
        bytes.push(
          0xb8 | d,
          ...le32(pick([0, 1, 0x7fffffff, 0x80000000, 0xffffffff, Math.floor(r() * 2 ** 32)])),
        );
        break;
      case 7: // lea r, [rbx + s*4 + disp8]
        bytes.push(...rexW, 0x8d, 0x44 | (d << 3), (2 << 6) | (s << 3) | 3, disp);
        break;
      case 8: // push s / pop d
        bytes.push(0x50 | s, 0x58 | d);
        break;
      case 10: // call over nothing (followed in a superblock), then pop the return address
        bytes.push(0xe8, 0, 0, 0, 0, 0x58 | d);
        break;
      case 9: // movzx r32, byte [rbx+disp8]
        bytes.push(0x0f, 0xb6, 0x43 | (d << 3), disp + Math.floor(r() * 4));
        break;
      case 11: // 8-bit alu on low registers (al, cl, dl, and ah..bh without REX)
        bytes.push(
          pick([0x00, 0x02, 0x08, 0x20, 0x28, 0x30, 0x38, 0x84, 0x88, 0x8a]),
          0xc0 | (pick([0, 1, 2, 4, 5]) << 3) | pick([0, 1, 2, 4, 5]),
        );
        break;
      case 12: // adc/sbb (handler) to mix handler calls with symbolic flags
        bytes.push(...rexW, pick([0x11, 0x19]), 0xc0 | (s << 3) | d);
        break;
      case 13: // imul r32, r32 (handler)
        bytes.push(0x0f, 0xaf, 0xc0 | (d << 3) | s);
        break;
      default: // cmp byte [rbx+disp8], imm8
        bytes.push(0x80, 0x7b, disp, Math.floor(r() * 256));
    }
  }
  // End with a conditional jump (random condition) over a `jmp $`: the taken path leaves the block at
  // the second `jmp $`, the fall-through ends it at the first.
  bytes.push(0x70 | Math.floor(r() * 16), 0x02, 0xeb, 0xfe, 0xeb, 0xfe);
  return bytes;
}

function le32(v: number): number[] {
  return [v & 255, (v >>> 8) & 255, (v >>> 16) & 255, (v >>> 24) & 255];
}

function setup(bits: 32 | 64, code: number[], seed: number): Cpu {
  const bus = new FlatBus();
  bus.map(CODE, 0x1000);
  bus.map(DATA, 0x1000);
  bus.map(STACK - 0x1000, 0x1000);
  bus.writeBytes(CODE, Uint8Array.from(code));
  const r = rng(seed);
  const data = new Uint8Array(0x1000);
  for (let k = 0; k < data.length; k++) data[k] = Math.floor(r() * 256);
  bus.writeBytes(DATA, data);
  const cpu = new Cpu(bus);
  cpu.setMode(bits);
  for (let k = 0; k < 16; k++) {
    cpu.lo[k] = Math.floor(r() * 2 ** 32) | 0;
    cpu.hi[k] = bits === 64 ? Math.floor(r() * 2 ** 32) | 0 : 0;
  }
  cpu.lo[3] = DATA;
  cpu.hi[3] = 0;
  cpu.lo[4] = STACK - 0x100;
  cpu.hi[4] = 0;
  cpu.setEflags(0x202 | (Math.floor(r() * 256) & 0xd5));
  cpu.rip = CODE;
  return cpu;
}

function snapshot(cpu: Cpu): string {
  const regs = Array.from(
    { length: 16 },
    (_, k) => `${(cpu.hi[k] >>> 0).toString(16)}:${(cpu.lo[k] >>> 0).toString(16)}`,
  );
  const mem = Array.from(cpu.bus instanceof FlatBus ? cpu.bus.readBytes(DATA, 0x100) : []).join(",");
  const stack = Array.from(cpu.bus instanceof FlatBus ? cpu.bus.readBytes(STACK - 0x200, 0x200) : []).join(
    ",",
  );
  return `rip=${cpu.rip.toString(16)} fl=${cpu.getEflags().toString(16)} ${regs.join(" ")} mem=${mem} stack=${stack}`;
}

describe("jit: compiled blocks match the interpreter", () => {
  for (const bits of [32, 64] as const) {
    it(`${bits}-bit: 3000 random blocks`, () => {
      const r = rng(bits * 7919);
      for (let t = 0; t < 3000; t++) {
        const code = gen(r, bits);
        const seed = Math.floor(r() * 1e9);
        const a = setup(bits, code, seed);
        const blockA = a.blocks.get(CODE);
        let nA: number;
        try {
          nA = blockA.interpret(a);
        } catch (e) {
          const hexCode = code.map((x) => x.toString(16).padStart(2, "0")).join(" ");
          assert.fail(
            `block ${t} (${hexCode}) faulted in the interpreter at ${a.rip.toString(16)}: ${JSON.stringify(e)}`,
          );
        }
        const b = setup(bits, code, seed);
        const blockB = b.blocks.get(CODE);
        // The generated source must be valid JavaScript (compileBlock would silently fall back otherwise).
        const src = generate(blockB);
        assert.doesNotThrow(() => new Function("H", "I", "IPS", "PARITY", "addr64", src), src);
        const fn = compileBlock(blockB);
        const nB = fn(b, 1000);
        const sa = snapshot(a);
        const sb = snapshot(b);
        if (sa !== sb || nA !== nB) {
          const hexCode = code.map((x) => x.toString(16).padStart(2, "0")).join(" ");
          const fa = sa.split(" ");
          const fb = sb.split(" ");
          const diff = fa.map((x, j) =>
            x === fb[j] ? "" : `field ${j}: interp ${x.slice(0, 80)} jit ${fb[j].slice(0, 80)}`,
          );
          assert.fail(
            `block ${t} (${hexCode}) differs (counts ${nA} ${nB}):\n${diff.filter((x) => x).join("\n")}`,
          );
        }
      }
    });
  }
});
