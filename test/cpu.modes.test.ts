/**
 * Mode switching between 64-bit code (CS = 0x33) and compatibility mode (CS = 0x23): the same bytes decode
 * differently per mode (SDM Vol. 2A 2.2.1: 40–4F are REX prefixes in 64-bit mode, inc/dec otherwise), and
 * far call/jmp/retf/iret switch modes through the CS descriptor's L bit (SDM Vol. 3A 5.8.x, Vol. 2A CALL/RET).
 */
import { strict as assert } from "node:assert";
import { SReg } from "../src/cpu/index";
import {
  CODE,
  CODE2,
  DATA,
  STACK_TOP,
  bytes,
  getR,
  le16,
  le32,
  le64,
  machine,
  rd32,
  runTo,
  setR,
} from "./sem-harness";

const SP0 = STACK_TOP - 0x100;

describe("cpu modes", () => {
  it("31 C0 40 90 C3 returns 1 in 32-bit mode (40 = inc eax)", () => {
    const { cpu, bus } = machine(32, "31 C0 40 90 C3");
    const ret = CODE + 0x100;
    bus.writeBytes(SP0, bytes(le32(ret)));
    setR(cpu, 0, 0x12345678);
    const s = runTo(cpu, ret);
    assert.deepEqual(s, { kind: "breakpoint", address: ret });
    assert.equal(cpu.lo[0], 1);
    assert.equal(cpu.lo[4] >>> 0, SP0 + 4);
  });

  it("31 C0 40 90 C3 returns 0 in 64-bit mode (40 90 = REX nop)", () => {
    const { cpu, bus } = machine(64, "31 C0 40 90 C3");
    const ret = CODE + 0x100;
    bus.writeBytes(SP0, bytes(le64(BigInt(ret))));
    setR(cpu, 0, 0xffffffff12345678n);
    const s = runTo(cpu, ret);
    assert.deepEqual(s, { kind: "breakpoint", address: ret });
    assert.equal(getR(cpu, 0), 0n);
    assert.equal(getR(cpu, 4), BigInt(SP0 + 8));
  });

  it("far call 0x23 → 0x33 and retf back restore CS, mode, ESP exactly", () => {
    // 32-bit: call far 0x33:CODE2 ; nop
    const { cpu, bus } = machine(32, `9A ${le32(CODE2)} ${le16(0x33)} 90`);
    // 64-bit: mov rax, 0x1122334455667788 ; mov rbx, rsp ; retf (32-bit operand size by default)
    bus.writeBytes(CODE2, bytes(`48 B8 ${le64(0x1122334455667788n)} 48 89 E3 CB`));
    const s = runTo(cpu, CODE + 8);
    assert.deepEqual(s, { kind: "breakpoint", address: CODE + 8 });
    assert.equal(cpu.mode64, false);
    assert.equal(cpu.sreg[SReg.CS], 0x23);
    assert.equal(cpu.lo[4] >>> 0, SP0);
    // In 64-bit mode RSP pointed at the 4-byte EIP slot, under the 4-byte CS slot.
    assert.equal(getR(cpu, 3), BigInt(SP0 - 8));
    assert.equal(rd32(bus, SP0 - 8), CODE + 7);
    assert.equal(rd32(bus, SP0 - 4), 0x23);
    assert.equal(cpu.lo[0] >>> 0, 0x55667788);
  });

  it("decoded blocks are per mode: the same code runs as 64-bit and as 32-bit in one machine", () => {
    const F = CODE2 + 0x100;
    const W = CODE2 + 0x200;
    // main (64-bit): call F ; mov rbx, rax ; call far [DATA] (m16:32 → 0x23:W) ; nop
    const main = `E8 ${le32(F - (CODE + 5))} 48 89 C3 FF 1C 25 ${le32(DATA)} 90`;
    const { cpu, bus } = machine(64, main);
    bus.writeBytes(F, bytes("31 C0 40 90 C3"));
    // W (32-bit): call F ; retf
    bus.writeBytes(W, bytes(`E8 ${le32(F - (W + 5))} CB`));
    bus.writeBytes(DATA, bytes(le32(W) + le16(0x23)));
    setR(cpu, 3, -1n);
    const end = CODE + 15;
    const s = runTo(cpu, end);
    assert.deepEqual(s, { kind: "breakpoint", address: end });
    assert.equal(cpu.mode64, true);
    assert.equal(cpu.sreg[SReg.CS], 0x33);
    assert.equal(getR(cpu, 3), 0n, "F in 64-bit mode");
    assert.equal(cpu.lo[0], 1, "F in 32-bit mode");
    assert.equal(getR(cpu, 4), BigInt(SP0));
  });

  it("push 0x33 / push addr / retf enters 64-bit code; jmp far m16:32 returns to 0x23", () => {
    const back = CODE + 0x20;
    const { cpu, bus } = machine(32, `6A 33 68 ${le32(CODE2)} CB`);
    // 64-bit: mov rax, -1 ; jmp far [DATA]
    bus.writeBytes(CODE2, bytes(`48 C7 C0 FF FF FF FF FF 2C 25 ${le32(DATA)}`));
    bus.writeBytes(DATA, bytes(le32(back) + le16(0x23)));
    bus.writeBytes(back, bytes("90"));
    const s = runTo(cpu, back + 1);
    assert.deepEqual(s, { kind: "breakpoint", address: back + 1 });
    assert.equal(cpu.mode64, false);
    assert.equal(cpu.sreg[SReg.CS], 0x23);
    assert.equal(cpu.lo[0], -1);
    assert.equal(cpu.lo[4] >>> 0, SP0);
  });

  it("REX.W retf pops an 8-byte RIP and an 8-byte CS slot", () => {
    // 64-bit: push 0x23 ; push CODE2 ; retf (REX.W)
    const { cpu, bus } = machine(64, `6A 23 68 ${le32(CODE2)} 48 CB`);
    bus.writeBytes(CODE2, bytes("90"));
    const s = runTo(cpu, CODE2 + 1);
    assert.deepEqual(s, { kind: "breakpoint", address: CODE2 + 1 });
    assert.equal(cpu.mode64, false);
    assert.equal(getR(cpu, 4), BigInt(SP0));
  });

  it("retf to a data selector is #GP(selector) and changes nothing", () => {
    const { cpu } = machine(64, `6A 2B 68 ${le32(CODE2)} 48 CB`);
    const s = runTo(cpu, CODE2);
    assert.equal(s.kind, "fault");
    if (s.kind !== "fault") return;
    assert.equal(s.fault.vector, "GP");
    assert.equal(s.fault.errorCode, 0x28);
    assert.equal(s.fault.rip, CODE + 7);
    assert.equal(cpu.mode64, true);
    assert.equal(cpu.sreg[SReg.CS], 0x33);
    assert.equal(getR(cpu, 4), BigInt(SP0 - 16));
  });

  it("iretq (same privilege) pops RIP, CS, RFLAGS, RSP, SS; IF and IOPL stay", () => {
    // push ss ; push new rsp ; push rflags image ; push cs ; push rip ; iretq
    const newSp = STACK_TOP - 0x80;
    const code = `6A 2B 68 ${le32(newSp)} 68 ${le32(0x3cd5)} 6A 33 68 ${le32(CODE2)} 48 CF`;
    const { cpu, bus } = machine(64, code);
    bus.writeBytes(CODE2, bytes("90"));
    const s = runTo(cpu, CODE2 + 1);
    assert.deepEqual(s, { kind: "breakpoint", address: CODE2 + 1 });
    assert.equal(getR(cpu, 4), BigInt(newSp));
    // CF PF AF ZF SF OF DF from the image; IF (set before) kept, IOPL (3 in the image) kept at 0.
    assert.equal(cpu.getEflags() & 0x3fff, 0x0cd5 | 0x200 | 2);
  });

  it("iretd in 64-bit mode returns to compatibility mode with 4-byte slots incl. ESP and SS", () => {
    const { cpu, bus } = machine(64, "CF");
    const newSp = STACK_TOP - 0x40;
    bus.writeBytes(SP0, bytes(le32(CODE2) + le32(0x23) + le32(0x0203) + le32(newSp) + le32(0x2b)));
    bus.writeBytes(CODE2, bytes("90"));
    const s = runTo(cpu, CODE2 + 1);
    assert.deepEqual(s, { kind: "breakpoint", address: CODE2 + 1 });
    assert.equal(cpu.mode64, false);
    assert.equal(cpu.lo[4] >>> 0, newSp);
    assert.equal(cpu.getEflags() & 0xfff, 0x203);
  });
});
