/**
 * SSE state: ldmxcsr/stmxcsr, fxsave/fxrstor (0F AE /0../3), and the fences and clflush of the same
 * group. FXSAVE image layout: SDM Vol. 1 10.5.1, Tables 10-2 (32-bit format) and 10-3 (64-bit format,
 * REX.W): FCW, FSW, abridged FTW, FOP, FIP, FCS, FDP, FDS, MXCSR, MXCSR_MASK, ST0..ST7 (10 of 16 bytes),
 * XMM0..7 (XMM0..15 in 64-bit mode). The 80-bit register images come from the Fpu (its exact shadow,
 * the MMX value with exponent 0xFFFF, or the double widened); see fpu.ts.
 */
import { type Cpu, SReg } from "../cpu";
import type { Insn } from "../decoder/insn";
import { define } from "../dispatch";
import { align16 } from "./sse-common";
import { Mx } from "./softfp";

const MXCSR_MASK = Mx.MASK;

define(
  {
    map: 1,
    opcode: 0xae,
    reg: 2,
    form: "mem",
    name: "ldmxcsr",
    h: (cpu, i) => {
      const v = cpu.rd32(cpu.ea(i));
      // Setting a reserved bit is #GP(0) (SDM Vol. 2 "LDMXCSR").
      if ((v & ~MXCSR_MASK) !== 0) cpu.fault("GP", { errorCode: 0 });
      cpu.mxcsr = v;
    },
  },
  {
    map: 1,
    opcode: 0xae,
    reg: 3,
    form: "mem",
    name: "stmxcsr",
    h: (cpu, i) => cpu.wr32(cpu.ea(i), cpu.mxcsr),
  },
  {
    map: 1,
    opcode: 0xae,
    reg: 0,
    form: "mem",
    name: "fxsave",
    h: (cpu, i) => fxsave(cpu, cpu.ea(i), i.w === 1),
  },
  {
    map: 1,
    opcode: 0xae,
    reg: 1,
    form: "mem",
    name: "fxrstor",
    h: (cpu, i) => fxrstor(cpu, cpu.ea(i), i.w === 1),
  },
  // Fences order memory; a single in-order core has nothing to order.
  { map: 1, opcode: 0xae, pfx: 0, reg: 5, form: "reg", name: "lfence", h: () => {} },
  { map: 1, opcode: 0xae, pfx: 0, reg: 6, form: "reg", name: "mfence", h: () => {} },
  { map: 1, opcode: 0xae, pfx: 0, reg: 7, form: "reg", name: "sfence", h: () => {} },
  {
    map: 1,
    opcode: 0xae,
    pfx: 0,
    reg: 7,
    form: "mem",
    name: "clflush",
    // No cache: only the access check of the byte (#PF on an unmapped line, as on hardware).
    h: (cpu, i) => cpu.probeRead(cpu.ea(i), 1),
  },
);

// ---------------------------------------------------------------- fxsave / fxrstor

const img = new Uint8Array(512);

function put(o: number, v: number, n: number): void {
  for (let k = 0; k < n; k++) img[o + k] = v >>> (8 * k);
}

function get(o: number, n: number): number {
  let v = 0;
  for (let k = 0; k < n; k++) v |= img[o + k] << (8 * k);
  return n === 4 ? v : v >>> 0;
}

/** FOP: the low 3 bits of the first opcode byte and the ModRM byte (SDM Vol. 1 8.1.9). */
function fopOf(i: Insn): number {
  return ((i.opcode & 7) << 8) | (i.hasModrm ? i.modrm : 0);
}

function fxsave(cpu: Cpu, a: number, rexW: boolean): void {
  align16(cpu, a);
  const f = cpu.fpu;
  const nx = cpu.mode64 ? 16 : 8;
  const end = 160 + 16 * nx;
  cpu.probeWrite(a, end);
  img.fill(0, 0, end);
  // The pointers of the last x87 instruction, as FNSTENV reports them.
  const li = f.lastI;
  const fip = li ? li.ip : f.fip;
  const fop = li ? fopOf(li) : f.fop;
  const fcs = li ? cpu.sreg[SReg.CS] : f.fcs;
  const fds = f.lastM ? cpu.sreg[cpu.segOf(f.lastM)] : f.fds;
  put(0, f.cw, 2);
  put(2, f.statusWord(), 2);
  img[4] = f.abridgedTag();
  put(6, fop & 0x7ff, 2);
  if (rexW) {
    put(8, fip, 4);
    put(12, Math.floor(fip / 4294967296), 4);
    put(16, f.fdp, 4);
    put(20, Math.floor(f.fdp / 4294967296), 4);
  } else {
    put(8, fip, 4);
    put(12, fcs, 2);
    put(16, f.fdp, 4);
    put(20, fds, 2);
  }
  put(24, cpu.mxcsr, 4);
  put(28, MXCSR_MASK, 4);
  for (let k = 0; k < 8; k++) f.st80(k, img, 32 + 16 * k);
  for (let k = 0; k < nx * 4; k++) put(160 + 4 * k, cpu.xmm[k], 4);
  for (let k = 0; k < end; k += 4) cpu.wr32(a + k, get(k, 4));
}

function fxrstor(cpu: Cpu, a: number, rexW: boolean): void {
  align16(cpu, a);
  const nx = cpu.mode64 ? 16 : 8;
  const end = 160 + 16 * nx;
  for (let k = 0; k < end; k += 4) put(k, cpu.rd32(a + k), 4);
  const mx = get(24, 4);
  if ((mx & ~MXCSR_MASK) !== 0) cpu.fault("GP", { errorCode: 0 });
  const f = cpu.fpu;
  f.setControlWord(get(0, 2));
  f.setStatusWord(get(2, 2));
  f.setAbridgedTag(img[4]);
  f.fop = get(6, 2) & 0x7ff;
  if (rexW) {
    f.fip = (get(12, 4) >>> 0) * 4294967296 + (get(8, 4) >>> 0);
    f.fdp = (get(20, 4) >>> 0) * 4294967296 + (get(16, 4) >>> 0);
  } else {
    f.fip = get(8, 4) >>> 0;
    f.fcs = get(12, 2);
    f.fdp = get(16, 4) >>> 0;
    f.fds = get(20, 2);
  }
  f.lastI = null;
  f.lastM = null;
  for (let k = 0; k < 8; k++) f.setSt80(k, img, 32 + 16 * k);
  for (let k = 0; k < nx * 4; k++) cpu.xmm[k] = get(160 + 4 * k, 4);
  cpu.mxcsr = mx;
}
