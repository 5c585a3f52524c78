/**
 * Stack instructions (src/cpu/sem/stack.ts). Expected values from the Intel SDM Vol. 2B pages PUSH, POP,
 * PUSHF/PUSHFD/PUSHFQ, POPF/POPFD/POPFQ, PUSHA/PUSHAD, POPA/POPAD.
 */
import { strict as assert } from "node:assert";
import { SReg, type Cpu } from "../src/cpu/index";
import { STACK_TOP, bytes, getR, le32, le64, machine, rd32, rd64, setR, steps } from "./sem-harness";

const SP0 = STACK_TOP - 0x100;

function run1(bits: 32 | 64, code: string, init: (c: Cpu) => void = () => {}): ReturnType<typeof machine> {
  const m = machine(bits, code);
  init(m.cpu);
  steps(m.cpu);
  return m;
}

describe("sem/stack", () => {
  it("push/pop r64, push r16 (66) moves RSP by 2; push rsp pushes the old value; pop rsp loads it", () => {
    let m = run1(64, "41 50", (c) => setR(c, 8, 0x1122334455667788n));
    assert.equal(rd64(m.bus, SP0 - 8), 0x1122334455667788n);
    m = run1(64, "66 50", (c) => setR(c, 0, 0xabcd));
    assert.equal(getR(m.cpu, 4), BigInt(SP0 - 2));
    m = run1(64, "54");
    assert.equal(rd64(m.bus, SP0 - 8), BigInt(SP0));
    m = machine(64, "5C");
    m.bus.writeBytes(SP0, bytes(le64(0x600000n)));
    steps(m.cpu);
    assert.equal(getR(m.cpu, 4), 0x600000n);
    m = machine(64, "41 5F");
    m.bus.writeBytes(SP0, bytes(le64(0x8000000000000001n)));
    steps(m.cpu);
    assert.equal(getR(m.cpu, 15), 0x8000000000000001n);
    assert.equal(getR(m.cpu, 4), BigInt(SP0 + 8));
  });

  it("32-bit mode: push/pop r32 and 16-bit pop sp merges into the incremented ESP", () => {
    let m = run1(32, "53", (c) => setR(c, 3, 0xdeadbeef));
    assert.equal(rd32(m.bus, SP0 - 4), 0xdeadbeef);
    assert.equal(m.cpu.lo[4], SP0 - 4);
    m = machine(32, "66 5C");
    m.bus.writeBytes(SP0, bytes("3412"));
    steps(m.cpu);
    assert.equal(m.cpu.lo[4] >>> 0, ((SP0 + 2) & ~0xffff) | 0x1234);
  });

  it("push imm8/imm32 sign-extend to the stack width; 66 6A pushes 2 bytes", () => {
    let m = run1(64, "6A FF");
    assert.equal(rd64(m.bus, SP0 - 8), 0xffffffffffffffffn);
    m = run1(64, "68 00 00 00 80");
    assert.equal(rd64(m.bus, SP0 - 8), 0xffffffff80000000n);
    m = run1(64, "66 6A FE");
    assert.equal(getR(m.cpu, 4), BigInt(SP0 - 2));
    assert.deepEqual(m.bus.readBytes(SP0 - 2, 2), bytes("FEFF"));
  });

  it("pop [rsp] computes the address after incrementing RSP (SDM POP)", () => {
    const m = machine(64, "8F 04 24");
    m.bus.writeBytes(SP0, bytes(le64(0x0123456789abcdefn)));
    steps(m.cpu);
    assert.equal(getR(m.cpu, 4), BigInt(SP0 + 8));
    assert.equal(rd64(m.bus, SP0 + 8), 0x0123456789abcdefn);
  });

  it("leave/ret with a non-canonical stack address raise #SS (stack-segment fault), not #GP", () => {
    let m = machine(64, "C9");
    setR(m.cpu, 5, 0x1234567800001000n);
    let s = m.cpu.step();
    assert.equal(s.kind === "fault" && s.fault.vector, "SS");
    m = machine(64, "C3");
    setR(m.cpu, 4, 0x1234567800001000n);
    s = m.cpu.step();
    assert.equal(s.kind === "fault" && s.fault.vector, "SS");
  });

  it("pop to an unwritable address faults with RSP unchanged; push [rsp] reads before the push", () => {
    let m = machine(64, "8F 04 25 00 10 00 00");
    const s = m.cpu.step();
    assert.equal(s.kind === "fault" && s.fault.vector, "PF");
    assert.equal(getR(m.cpu, 4), BigInt(SP0));
    m = machine(64, "FF 34 24");
    m.bus.writeBytes(SP0, bytes(le64(0x77n)));
    steps(m.cpu);
    assert.equal(rd64(m.bus, SP0 - 8), 0x77n);
  });

  it("push fs: the selector zero-extended to the 4-byte (32-bit mode) or 8-byte (64-bit mode) slot", () => {
    // The SDM also allows a 16-bit move for 32-bit operand size; the hardware behind test/hw zero-extends.
    let m = machine(32, "0F A0");
    m.bus.writeBytes(SP0 - 4, bytes("FFFFFFFF"));
    steps(m.cpu);
    assert.equal(rd32(m.bus, SP0 - 4), 0x53);
    assert.equal(m.cpu.lo[4], SP0 - 4);
    m = machine(64, "0F A0");
    m.bus.writeBytes(SP0 - 8, bytes("FFFFFFFFFFFFFFFF"));
    steps(m.cpu);
    assert.equal(rd64(m.bus, SP0 - 8), 0x53n);
  });

  it("pop ds loads the selector; a bad selector is #GP with ESP unchanged", () => {
    let m = machine(32, "1F");
    m.bus.writeBytes(SP0, bytes(le32(0x53)));
    steps(m.cpu);
    assert.equal(m.cpu.sreg[SReg.DS], 0x53);
    assert.equal(m.cpu.lo[4], SP0 + 4);
    m = machine(32, "1F");
    m.bus.writeBytes(SP0, bytes(le32(0x1238)));
    const s = m.cpu.step();
    assert.equal(s.kind === "fault" && s.fault.vector, "GP");
    assert.equal(m.cpu.lo[4], SP0);
  });

  it("pushf clears VM and RF in the image; pushfq pushes 8 bytes", () => {
    const m = run1(64, "9C", (c) => c.setEflags(0x10ad7));
    assert.equal(rd64(m.bus, SP0 - 8), 0xad7n);
  });

  it("popf at CPL 3, IOPL 0: IF and IOPL unchanged, RF cleared, ID/AC/DF and the status flags loaded", () => {
    let m = machine(64, "9D");
    // Image: ID (bit 21), AC (18), RF (16), IOPL = 3, IF = 0, OF DF SF ZF AF PF CF.
    m.bus.writeBytes(SP0, bytes(le64(0x00253cd5n)));
    m.cpu.setEflags(0x202);
    steps(m.cpu);
    assert.equal(m.cpu.getEflags(), 0x00240000 | 0x0cd5 | 0x200 | 2);
    // The classic CPUID probe: toggling ID sticks.
    m = machine(32, "9D");
    m.bus.writeBytes(SP0, bytes(le32(0x00200202)));
    steps(m.cpu);
    assert.equal(m.cpu.getEflags() & 0x200000, 0x200000);
  });

  it("16-bit popf loads FLAGS[15:0] only", () => {
    const m = machine(32, "66 9D");
    m.cpu.setEflags(0x40202); // AC set
    m.bus.writeBytes(SP0, bytes("D50C"));
    steps(m.cpu);
    assert.equal(m.cpu.getEflags(), 0x40000 | 0x0cd5 | 0x200 | 2);
    assert.equal(m.cpu.lo[4], SP0 + 2);
  });

  it("pusha/popa: EAX ECX EDX EBX ESP(original) EBP ESI EDI; popa skips ESP", () => {
    const m = machine(32, "60 61");
    for (let r = 0; r < 8; r++) if (r !== 4) setR(m.cpu, r, 0x11111111 * (r + 1));
    steps(m.cpu);
    for (let r = 0; r < 8; r++) {
      const want = r === 4 ? SP0 : 0x11111111 * (r + 1);
      assert.equal(rd32(m.bus, SP0 - 4 * (r + 1)), want >>> 0, `slot ${r}`);
    }
    assert.equal(m.cpu.lo[4], SP0 - 32);
    m.bus.writeBytes(SP0 - 32 + 12, bytes(le32(0x12345678))); // the saved ESP slot
    for (let r = 0; r < 8; r++) if (r !== 4) setR(m.cpu, r, 0);
    steps(m.cpu);
    for (let r = 0; r < 8; r++) if (r !== 4) assert.equal(m.cpu.lo[r] >>> 0, (0x11111111 * (r + 1)) >>> 0);
    assert.equal(m.cpu.lo[4], SP0);
  });
});
