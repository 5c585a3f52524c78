/**
 * Control transfer semantics (src/cpu/sem/control.ts), expected values from the Intel SDM Vol. 2A/2B
 * instruction pages (Jcc, JMP, CALL, RET, LOOP, JECXZ, ENTER, LEAVE, INT n/INTO/INT3/INT1, UD, HLT, SYSCALL).
 */
import { strict as assert } from "node:assert";
import type { Cpu, StopReason } from "../src/cpu/index";
import {
  CODE,
  CODE2,
  STACK_TOP,
  bytes,
  getR,
  le16,
  le32,
  le64,
  machine,
  rd32,
  rd64,
  setR,
  steps,
} from "./sem-harness";

const SP0 = STACK_TOP - 0x100;
const ZF = 0x40;
const OF = 0x800;

function fault(s: StopReason): { vector: string; rip: number; errorCode?: number } {
  assert.equal(s.kind, "fault", JSON.stringify(s));
  if (s.kind !== "fault") throw new Error("unreachable");
  return s.fault;
}

function stepAt(bits: 32 | 64, code: string, init?: (c: Cpu) => void): Cpu {
  const { cpu } = machine(bits, code);
  init?.(cpu);
  steps(cpu);
  return cpu;
}

describe("sem/control", () => {
  describe("jcc / jmp", () => {
    it("jz rel8 is taken when ZF = 1 and falls through otherwise (both modes)", () => {
      for (const bits of [32, 64] as const) {
        let cpu = stepAt(bits, "74 10", (c) => c.setEflags(0x202 | ZF));
        assert.equal(cpu.rip, CODE + 2 + 0x10);
        cpu = stepAt(bits, "74 10", (c) => c.setEflags(0x202));
        assert.equal(cpu.rip, CODE + 2);
        // 0F 8C rel32 (jl: SF ≠ OF), backwards
        cpu = stepAt(bits, `0F 8C ${le32(-0x100)}`, (c) => c.setEflags(0x202 | OF));
        assert.equal(cpu.rip, CODE + 6 - 0x100);
      }
    });

    it("32-bit mode: 66 jmp rel8 truncates EIP to 16 bits (JMP: EIP ← tempEIP AND 0000FFFFH)", () => {
      const cpu = stepAt(32, "66 EB 00");
      assert.equal(cpu.rip, (CODE + 3) & 0xffff);
    });

    it("64-bit mode: 66 on a near jump is ignored, operand size stays 64 (Intel)", () => {
      const cpu = stepAt(64, "66 EB 10");
      assert.equal(cpu.rip, CODE + 3 + 0x10);
    });

    it("jmp to a non-canonical address is #GP(0) at the jmp; a canonical kernel address faults on fetch", () => {
      let { cpu } = machine(64, "FF E0");
      setR(cpu, 0, 0x0000800000000000n);
      let f = fault(cpu.step());
      assert.equal(f.vector, "GP");
      assert.equal(f.rip, CODE);
      ({ cpu } = machine(64, "FF E0"));
      setR(cpu, 0, 0xffff800000000000n);
      assert.equal(cpu.step().kind, "step");
      f = fault(cpu.step());
      assert.equal(f.vector, "PF");
    });

    it("jmp r/m32 in 32-bit mode and jmp [m64] in 64-bit mode", () => {
      let cpu = stepAt(32, "FF E1", (c) => setR(c, 1, 0x12345678));
      assert.equal(cpu.rip, 0x12345678);
      const m = machine(64, "FF 24 24");
      m.bus.writeBytes(SP0, bytes(le64(0x00007ff612345678n)));
      cpu = m.cpu;
      steps(cpu);
      assert.equal(cpu.rip, 0x7ff612345678);
    });
  });

  describe("call / ret", () => {
    it("call rel32 pushes the 8-byte return address; ret imm16 releases 8 + imm16 bytes", () => {
      const { cpu, bus } = machine(64, `E8 ${le32(CODE2 - (CODE + 5))}`);
      bus.writeBytes(CODE2, bytes("C2 10 00"));
      steps(cpu);
      assert.equal(cpu.rip, CODE2);
      assert.equal(getR(cpu, 4), BigInt(SP0 - 8));
      assert.equal(rd64(bus, SP0 - 8), BigInt(CODE + 5));
      steps(cpu);
      assert.equal(cpu.rip, CODE + 5);
      assert.equal(getR(cpu, 4), BigInt(SP0 + 0x10));
    });

    it("call [rsp] reads its target with the RSP before the push", () => {
      const { cpu, bus } = machine(64, "FF 14 24");
      bus.writeBytes(SP0, bytes(le64(BigInt(CODE2))));
      steps(cpu);
      assert.equal(cpu.rip, CODE2);
      assert.equal(rd64(bus, SP0 - 8), BigInt(CODE + 3));
      assert.equal(rd64(bus, SP0), BigInt(CODE2));
    });

    it("32-bit mode: call/ret with 32-bit slots; 66 call rel16 pushes IP (2 bytes) and truncates", () => {
      const { cpu, bus } = machine(32, `E8 ${le32(CODE2 - (CODE + 5))}`);
      bus.writeBytes(CODE2, bytes("C3"));
      steps(cpu);
      assert.equal(cpu.rip, CODE2);
      assert.equal(rd32(bus, SP0 - 4), CODE + 5);
      steps(cpu);
      assert.equal(cpu.rip, CODE + 5);
      assert.equal(cpu.lo[4], SP0);

      const m = machine(32, `66 E8 ${le16(0x10)}`);
      steps(m.cpu);
      assert.equal(m.cpu.rip, (CODE + 4 + 0x10) & 0xffff);
      assert.equal(m.cpu.lo[4], SP0 - 2);
      assert.deepEqual([...m.bus.readBytes(SP0 - 2, 2)], [(CODE + 4) & 0xff, ((CODE + 4) >> 8) & 0xff]);
    });

    it("ret to a non-canonical address is #GP with RSP unchanged", () => {
      const { cpu, bus } = machine(64, "C3");
      bus.writeBytes(SP0, bytes(le64(0x0001000000000000n)));
      const f = fault(cpu.step());
      assert.equal(f.vector, "GP");
      assert.equal(getR(cpu, 4), BigInt(SP0));
    });
  });

  describe("loop / jcxz", () => {
    it("32-bit mode: 67 loop uses CX and keeps ECX[31:16]", () => {
      const cpu = stepAt(32, "67 E2 10", (c) => setR(c, 1, 0x10000));
      assert.equal(cpu.lo[1] >>> 0, 0x1ffff);
      assert.equal(cpu.rip, CODE + 3 + 0x10);
    });

    it("64-bit mode: 67 loop decrements ECX and zero-extends into RCX", () => {
      const cpu = stepAt(64, "67 E2 10", (c) => setR(c, 1, 0x100000001n));
      assert.equal(getR(cpu, 1), 0n);
      assert.equal(cpu.rip, CODE + 3);
    });

    it("loop with RCX = 0 wraps to 2^64 - 1 and branches", () => {
      const cpu = stepAt(64, "E2 F0");
      assert.equal(getR(cpu, 1), 0xffffffffffffffffn);
      assert.equal(cpu.rip, CODE + 2 - 0x10);
    });

    it("loope / loopne also test ZF", () => {
      let cpu = stepAt(64, "E1 10", (c) => {
        setR(c, 1, 5);
        c.setEflags(0x202);
      });
      assert.equal(cpu.rip, CODE + 2);
      assert.equal(getR(cpu, 1), 4n);
      cpu = stepAt(64, "E0 10", (c) => {
        setR(c, 1, 5);
        c.setEflags(0x202);
      });
      assert.equal(cpu.rip, CODE + 2 + 0x10);
    });

    it("jrcxz tests all of RCX; 67 jecxz only ECX", () => {
      let cpu = stepAt(64, "E3 10", (c) => setR(c, 1, 0x100000000n));
      assert.equal(cpu.rip, CODE + 2);
      cpu = stepAt(64, "67 E3 10", (c) => setR(c, 1, 0x100000000n));
      assert.equal(cpu.rip, CODE + 3 + 0x10);
    });
  });

  describe("enter / leave", () => {
    it("enter 0x20, 0 (64-bit): push rbp; rbp ← rsp; rsp −= 0x20", () => {
      const { cpu, bus } = machine(64, "C8 20 00 00");
      setR(cpu, 5, 0x1122334455667788n);
      steps(cpu);
      assert.equal(rd64(bus, SP0 - 8), 0x1122334455667788n);
      assert.equal(getR(cpu, 5), BigInt(SP0 - 8));
      assert.equal(getR(cpu, 4), BigInt(SP0 - 8 - 0x20));
    });

    it("enter 8, 3 (32-bit) copies two outer frame pointers, then pushes the new frame pointer", () => {
      const { cpu, bus } = machine(32, "C8 08 00 03");
      const oldBp = STACK_TOP - 0x40;
      setR(cpu, 5, oldBp);
      bus.writeBytes(oldBp - 8, bytes(le32(0xbbbbbbbb) + le32(0xaaaaaaaa)));
      steps(cpu);
      const frame = SP0 - 4;
      assert.equal(rd32(bus, SP0 - 4), oldBp); // push ebp
      assert.equal(rd32(bus, SP0 - 8), 0xaaaaaaaa); // [ebp-4]
      assert.equal(rd32(bus, SP0 - 12), 0xbbbbbbbb); // [ebp-8]
      assert.equal(rd32(bus, SP0 - 16), frame); // push FrameTemp
      assert.equal(cpu.lo[5], frame);
      assert.equal(cpu.lo[4], SP0 - 16 - 8);
    });

    it("enter checks the final stack pointer is writable and faults precisely", () => {
      const { cpu } = machine(64, "C8 00 F0 00");
      setR(cpu, 4, STACK_TOP - 0x10000 + 0x800); // 0xf000 below is unmapped
      setR(cpu, 5, 0x1234);
      const f = fault(cpu.step());
      assert.equal(f.vector, "PF");
      assert.equal(getR(cpu, 4), BigInt(STACK_TOP - 0x10000 + 0x800));
      assert.equal(getR(cpu, 5), 0x1234n);
    });

    it("leave: rsp ← rbp, pop rbp", () => {
      const { cpu, bus } = machine(64, "C9");
      setR(cpu, 5, SP0 - 0x40);
      bus.writeBytes(SP0 - 0x40, bytes(le64(0xfedcba9876543210n)));
      steps(cpu);
      assert.equal(getR(cpu, 4), BigInt(SP0 - 0x38));
      assert.equal(getR(cpu, 5), 0xfedcba9876543210n);
    });
  });

  describe("traps", () => {
    it("int3 and int 3 raise #BP reported at the instruction", () => {
      for (const code of ["CC", "CD 03"]) {
        const { cpu } = machine(64, code);
        const f = fault(cpu.step());
        assert.equal(f.vector, "BP");
        assert.equal(f.rip, CODE);
      }
    });

    it("int n (n ≠ 3) is #GP with error code n×8+2; into raises #OF only when OF = 1", () => {
      let f = fault(machine(32, "CD 2E").cpu.step());
      assert.equal(f.vector, "GP");
      assert.equal(f.errorCode, 0x2e * 8 + 2);
      const m = machine(32, "CE");
      m.cpu.setEflags(0x202 | OF);
      f = fault(m.cpu.step());
      assert.equal(f.vector, "OF");
      assert.equal(stepAt(32, "CE").rip, CODE + 1);
    });

    it("ud2/ud1/ud0 are #UD, hlt is #GP, int1 is #DB", () => {
      assert.equal(fault(machine(64, "0F 0B").cpu.step()).vector, "UD");
      assert.equal(fault(machine(64, "0F B9 C0").cpu.step()).vector, "UD");
      assert.equal(fault(machine(64, "0F FF C0").cpu.step()).vector, "UD");
      assert.equal(fault(machine(64, "F4").cpu.step()).vector, "GP");
      assert.equal(fault(machine(64, "F1").cpu.step()).vector, "DB");
    });

    it("syscall: RCX ← next RIP, R11 ← RFLAGS, stops with kind syscall; #UD in compatibility mode", () => {
      const { cpu } = machine(64, "0F 05 90");
      cpu.setEflags(0x293);
      const s = cpu.run(100);
      assert.deepEqual(s, { kind: "syscall" });
      assert.equal(cpu.rip, CODE + 2);
      assert.equal(getR(cpu, 1), BigInt(CODE + 2));
      assert.equal(getR(cpu, 11), 0x293n);
      assert.equal(fault(machine(32, "0F 05").cpu.step()).vector, "UD");
    });

    it("far call to a non-code selector is #GP(selector) and pushes nothing", () => {
      const { cpu, bus } = machine(32, `9A ${le32(CODE2)} ${le16(0x2b)}`);
      bus.writeBytes(SP0 - 8, bytes("1111111122222222"));
      const f = fault(cpu.step());
      assert.equal(f.vector, "GP");
      assert.equal(f.errorCode, 0x28);
      assert.equal(cpu.lo[4], SP0);
      assert.equal(rd32(bus, SP0 - 8), 0x11111111);
      assert.equal(cpu.mode64, false);
    });
  });
});
