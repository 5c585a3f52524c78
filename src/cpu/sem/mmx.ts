/**
 * MMX register moves and state: emms, movd/movq with MM registers, movntq, maskmovq, movq2dq, movdq2q.
 * The packed integer arithmetic shared with SSE2 is in sse-int.ts. Every instruction touching an MMX
 * register sets x87 TOP = 0 and all tags valid; EMMS sets all tags empty (SDM Vol. 1 9.5-9.6). MMi is
 * the mantissa of physical x87 register Ri (`rdMm`/`wrMm`, fpu.ts).
 */
import { define } from "../dispatch";
import { readE, regOf, rmOf, writeE } from "./operands";
import { A, B, mmReg, mmRm, rdMm, rdMmE, wrMm } from "./sse-common";
import { maskedStore } from "./sse-move";

define(
  {
    map: 1,
    opcode: 0x77,
    pfx: 0,
    name: "emms",
    h: (cpu) => cpu.fpu.emms(),
  },
  {
    map: 1,
    opcode: 0x6e,
    pfx: 0,
    name: "movd",
    // movd mm, r/m32 (zero-extended) / movq mm, r/m64 with REX.W.
    h: (cpu, i) => {
      const is64 = i.w === 1;
      const lo = readE(cpu, i, is64 ? 64 : 32);
      wrMm(cpu, mmReg(i), lo, is64 ? cpu.th : 0);
    },
  },
  {
    map: 1,
    opcode: 0x7e,
    pfx: 0,
    name: "movd",
    h: (cpu, i) => {
      rdMm(cpu, mmReg(i), B);
      if (i.w) writeE(cpu, i, 64, B[0], B[1]);
      else writeE(cpu, i, 32, B[0]);
      cpu.fpu.enterMmx();
    },
  },
  {
    map: 1,
    opcode: 0x6f,
    pfx: 0,
    name: "movq",
    h: (cpu, i) => {
      rdMmE(cpu, i, B);
      wrMm(cpu, mmReg(i), B[0], B[1]);
    },
  },
  {
    map: 1,
    opcode: 0x7f,
    pfx: 0,
    name: "movq",
    h: (cpu, i) => {
      rdMm(cpu, mmReg(i), B);
      if (i.mod === 3) wrMm(cpu, mmRm(i), B[0], B[1]);
      else {
        cpu.wr64(cpu.ea(i), B[0], B[1]);
        cpu.fpu.enterMmx();
      }
    },
  },
  {
    map: 1,
    opcode: 0xe7,
    pfx: 0,
    form: "mem",
    name: "movntq",
    h: (cpu, i) => {
      rdMm(cpu, mmReg(i), B);
      cpu.wr64(cpu.ea(i), B[0], B[1]);
      cpu.fpu.enterMmx();
    },
  },
  {
    map: 1,
    opcode: 0xf7,
    pfx: 0,
    form: "reg",
    name: "maskmovq",
    h: (cpu, i) => {
      rdMm(cpu, mmReg(i), A);
      rdMm(cpu, mmRm(i), B);
      maskedStore(cpu, i, A, 0, B, 0, 8);
      cpu.fpu.enterMmx();
    },
  },
  {
    map: 1,
    opcode: 0xd6,
    pfx: 0xf3,
    form: "reg",
    name: "movq2dq",
    h: (cpu, i) => {
      rdMm(cpu, mmRm(i), B);
      const d = regOf(i) << 2;
      const x = cpu.xmm;
      x[d] = B[0];
      x[d + 1] = B[1];
      x[d + 2] = 0;
      x[d + 3] = 0;
      cpu.fpu.enterMmx();
    },
  },
  {
    map: 1,
    opcode: 0xd6,
    pfx: 0xf2,
    form: "reg",
    name: "movdq2q",
    h: (cpu, i) => {
      const s = rmOf(i) << 2;
      wrMm(cpu, mmReg(i), cpu.xmm[s], cpu.xmm[s + 1]);
    },
  },
);
