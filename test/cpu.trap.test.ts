/**
 * The trap flag (SDM Vol. 3A 17.3.1.4 "Single-Step Exception Condition"; Vol. 2B POPF): with TF set at the
 * beginning of an instruction, a #DB trap follows it, reported at the next instruction; POPF that sets TF
 * makes the instruction after it trap; POPF that clears TF still traps after itself (TF was set when it
 * began). In the interpreter, in compiled (hot) blocks, and for `Cpu.step`.
 */
import { strict as assert } from "node:assert";
import { CODE, machine, runTo } from "./sem-harness";

const TF = 0x100;

describe("cpu: the trap flag", () => {
  it("popfq setting TF in a hot loop: the instruction after it traps (64-bit, compiled blocks)", () => {
    // mov ecx,2000 / L: pushfq / cmp ecx,1 / jne skip / or qword [rsp],0x100 / skip: popfq / nop (A) /
    // nop (B) / dec ecx / jnz L / hlt — TF is set only on the last pass, after ~2000 passes compiled the loop.
    const { cpu } = machine(
      64,
      "B9 D0 07 00 00 9C 83 F9 01 75 08 48 81 0C 24 00 01 00 00 9D 90 90 FF C9 75 EB F4",
    );
    const s = runTo(cpu, CODE + 26);
    assert.deepEqual(s, { kind: "fault", fault: { vector: "DB", rip: CODE + 21, detail: "single step" } });
    assert.equal(cpu.lo[1], 1, "on the pass that set TF");
    assert.equal(cpu.getEflags() & TF, TF, "TF stays set: clearing it is the exception handler's business");
  });

  it("popfd setting TF in 32-bit mode traps after the next instruction", () => {
    // pushfd / or dword [esp],0x100 / popfd / nop / nop
    const { cpu } = machine(32, "9C 81 0C 24 00 01 00 00 9D 90 90 F4");
    const s = cpu.run(100);
    assert.deepEqual(s, { kind: "fault", fault: { vector: "DB", rip: CODE + 10, detail: "single step" } });
  });

  it("with TF set every instruction traps; popfq clearing TF traps after itself, then no more", () => {
    // pushfq / and qword [rsp],~0x100 / popfq / nop / nop / hlt
    const { cpu } = machine(64, "9C 48 81 24 24 FF FE FF FF 9D 90 90 F4");
    cpu.setEflags(0x202 | TF);
    const traps: number[] = [];
    for (let k = 0; k < 3; k++) {
      const s = cpu.run(100);
      assert.equal(s.kind, "fault");
      if (s.kind === "fault") {
        assert.equal(s.fault.vector, "DB");
        traps.push(s.fault.rip - CODE);
      }
    }
    assert.deepEqual(traps, [1, 9, 10]);
    assert.equal(cpu.getEflags() & TF, 0);
    assert.deepEqual(runTo(cpu, CODE + 12), { kind: "breakpoint", address: CODE + 12 });
  });

  it("Cpu.step with TF set reports the trap after the instruction; without TF a plain step", () => {
    const { cpu } = machine(64, "90 90 90");
    assert.deepEqual(cpu.step(), { kind: "step" });
    cpu.setEflags(0x202 | TF);
    assert.deepEqual(cpu.step(), {
      kind: "fault",
      fault: { vector: "DB", rip: CODE + 2, detail: "single step" },
    });
  });

  it("a fault in a traced instruction is reported instead of the trap", () => {
    // mov eax,[0] faults (#PF) with TF set: the page fault, at the instruction itself.
    const { cpu } = machine(64, "8B 04 25 00 00 00 00 90");
    cpu.setEflags(0x202 | TF);
    const s = cpu.run(10);
    assert.equal(s.kind, "fault");
    if (s.kind === "fault") {
      assert.equal(s.fault.vector, "PF");
      assert.equal(s.fault.rip, CODE);
    }
  });
});
