/**
 * SSE/SSE2 data movement on XMM registers (legacy encodings). The MMX-register moves are in mmx.ts.
 * Alignment: movaps/movapd/movdqa/movntps/movntpd/movntdq need 16-byte aligned memory (#GP(0)),
 * movups/movupd/movdqu and the 32/64-bit moves do not (SDM Vol. 2, each instruction's exceptions).
 */
import type { Cpu } from "../cpu";
import type { Insn } from "../decoder/insn";
import { define, type Handler } from "../dispatch";
import { regOf, rmOf, readE, writeE } from "./operands";
import { align16, rd128, wr128 } from "./sse-common";
import { A } from "./sse-common";

/** xmm(reg) <- xmm/m128. */
function load128(aligned: boolean): Handler {
  return (cpu: Cpu, i: Insn) => {
    const x = cpu.xmm;
    const d = regOf(i) << 2;
    if (i.mod === 3) {
      const s = rmOf(i) << 2;
      x[d] = x[s];
      x[d + 1] = x[s + 1];
      x[d + 2] = x[s + 2];
      x[d + 3] = x[s + 3];
      return;
    }
    const a = cpu.ea(i);
    if (aligned) align16(cpu, a);
    rd128(cpu, a, A);
    x[d] = A[0];
    x[d + 1] = A[1];
    x[d + 2] = A[2];
    x[d + 3] = A[3];
  };
}

/** xmm/m128 <- xmm(reg). */
function store128(aligned: boolean): Handler {
  return (cpu: Cpu, i: Insn) => {
    const x = cpu.xmm;
    const s = regOf(i) << 2;
    if (i.mod === 3) {
      const d = rmOf(i) << 2;
      x[d] = x[s];
      x[d + 1] = x[s + 1];
      x[d + 2] = x[s + 2];
      x[d + 3] = x[s + 3];
      return;
    }
    const a = cpu.ea(i);
    if (aligned) align16(cpu, a);
    wr128(cpu, a, x[s], x[s + 1], x[s + 2], x[s + 3]);
  };
}

const movups = load128(false);
const movaps = load128(true);
const movupsStore = store128(false);
const movapsStore = store128(true);

define(
  { map: 1, opcode: 0x10, pfx: 0, name: "movups", h: movups },
  { map: 1, opcode: 0x10, pfx: 0x66, name: "movupd", h: movups },
  { map: 1, opcode: 0x11, pfx: 0, name: "movups", h: movupsStore },
  { map: 1, opcode: 0x11, pfx: 0x66, name: "movupd", h: movupsStore },
  { map: 1, opcode: 0x28, pfx: 0, name: "movaps", h: movaps },
  { map: 1, opcode: 0x28, pfx: 0x66, name: "movapd", h: movaps },
  { map: 1, opcode: 0x29, pfx: 0, name: "movaps", h: movapsStore },
  { map: 1, opcode: 0x29, pfx: 0x66, name: "movapd", h: movapsStore },
  { map: 1, opcode: 0x6f, pfx: 0x66, name: "movdqa", h: movaps },
  { map: 1, opcode: 0x6f, pfx: 0xf3, name: "movdqu", h: movups },
  { map: 1, opcode: 0x7f, pfx: 0x66, name: "movdqa", h: movapsStore },
  { map: 1, opcode: 0x7f, pfx: 0xf3, name: "movdqu", h: movupsStore },
  // Non-temporal stores are plain stores here (no cache to bypass); memory form only.
  { map: 1, opcode: 0x2b, pfx: 0, form: "mem", name: "movntps", h: movapsStore },
  { map: 1, opcode: 0x2b, pfx: 0x66, form: "mem", name: "movntpd", h: movapsStore },
  { map: 1, opcode: 0xe7, pfx: 0x66, form: "mem", name: "movntdq", h: movapsStore },
);

// ---------------------------------------------------------------- movss / movsd

define(
  {
    map: 1,
    opcode: 0x10,
    pfx: 0xf3,
    name: "movss",
    // Register form merges the low dword; the load zeroes bits 127:32 (SDM Vol. 2 "MOVSS").
    h: (cpu, i) => {
      const x = cpu.xmm;
      const d = regOf(i) << 2;
      if (i.mod === 3) {
        x[d] = x[rmOf(i) << 2];
        return;
      }
      x[d] = cpu.rd32(cpu.ea(i));
      x[d + 1] = 0;
      x[d + 2] = 0;
      x[d + 3] = 0;
    },
  },
  {
    map: 1,
    opcode: 0x11,
    pfx: 0xf3,
    name: "movss",
    h: (cpu, i) => {
      const x = cpu.xmm;
      const s = regOf(i) << 2;
      if (i.mod === 3) x[rmOf(i) << 2] = x[s];
      else cpu.wr32(cpu.ea(i), x[s]);
    },
  },
  {
    map: 1,
    opcode: 0x10,
    pfx: 0xf2,
    name: "movsd",
    h: (cpu, i) => {
      const x = cpu.xmm;
      const d = regOf(i) << 2;
      if (i.mod === 3) {
        const s = rmOf(i) << 2;
        x[d] = x[s];
        x[d + 1] = x[s + 1];
        return;
      }
      x[d] = cpu.rd64(cpu.ea(i));
      x[d + 1] = cpu.th;
      x[d + 2] = 0;
      x[d + 3] = 0;
    },
  },
  {
    map: 1,
    opcode: 0x11,
    pfx: 0xf2,
    name: "movsd",
    h: (cpu, i) => {
      const x = cpu.xmm;
      const s = regOf(i) << 2;
      if (i.mod === 3) {
        const d = rmOf(i) << 2;
        x[d] = x[s];
        x[d + 1] = x[s + 1];
      } else cpu.wr64(cpu.ea(i), x[s], x[s + 1]);
    },
  },
);

// ---------------------------------------------------------------- half moves

/** Load m64 into the low (q = 0) or high (q = 2) qword of xmm(reg). */
function loadHalf(q: number): Handler {
  return (cpu, i) => {
    const lo = cpu.rd64(cpu.ea(i));
    const d = (regOf(i) << 2) + q;
    cpu.xmm[d] = lo;
    cpu.xmm[d + 1] = cpu.th;
  };
}

/** Store the low (q = 0) or high (q = 2) qword of xmm(reg) to m64. */
function storeHalf(q: number): Handler {
  return (cpu, i) => {
    const s = (regOf(i) << 2) + q;
    cpu.wr64(cpu.ea(i), cpu.xmm[s], cpu.xmm[s + 1]);
  };
}

define(
  { map: 1, opcode: 0x12, pfx: 0, form: "mem", name: "movlps", h: loadHalf(0) },
  { map: 1, opcode: 0x12, pfx: 0x66, form: "mem", name: "movlpd", h: loadHalf(0) },
  { map: 1, opcode: 0x16, pfx: 0, form: "mem", name: "movhps", h: loadHalf(2) },
  { map: 1, opcode: 0x16, pfx: 0x66, form: "mem", name: "movhpd", h: loadHalf(2) },
  { map: 1, opcode: 0x13, pfx: 0, form: "mem", name: "movlps", h: storeHalf(0) },
  { map: 1, opcode: 0x13, pfx: 0x66, form: "mem", name: "movlpd", h: storeHalf(0) },
  { map: 1, opcode: 0x17, pfx: 0, form: "mem", name: "movhps", h: storeHalf(2) },
  { map: 1, opcode: 0x17, pfx: 0x66, form: "mem", name: "movhpd", h: storeHalf(2) },
  {
    map: 1,
    opcode: 0x12,
    pfx: 0,
    form: "reg",
    name: "movhlps",
    h: (cpu, i) => {
      const x = cpu.xmm;
      const d = regOf(i) << 2;
      const s = rmOf(i) << 2;
      x[d] = x[s + 2];
      x[d + 1] = x[s + 3];
    },
  },
  {
    map: 1,
    opcode: 0x16,
    pfx: 0,
    form: "reg",
    name: "movlhps",
    h: (cpu, i) => {
      const x = cpu.xmm;
      const d = regOf(i) << 2;
      const s = rmOf(i) << 2;
      x[d + 2] = x[s];
      x[d + 3] = x[s + 1];
    },
  },
);

// ---------------------------------------------------------------- movd / movq with XMM

define(
  {
    map: 1,
    opcode: 0x6e,
    pfx: 0x66,
    name: "movd",
    // movd xmm, r/m32 / movq xmm, r/m64 (REX.W): zero-extends to 128 bits.
    h: (cpu, i) => {
      const size = i.w ? 64 : 32;
      const lo = readE(cpu, i, size);
      const hi = size === 64 ? cpu.th : 0;
      const d = regOf(i) << 2;
      const x = cpu.xmm;
      x[d] = lo;
      x[d + 1] = hi;
      x[d + 2] = 0;
      x[d + 3] = 0;
    },
  },
  {
    map: 1,
    opcode: 0x7e,
    pfx: 0x66,
    name: "movd",
    h: (cpu, i) => {
      const s = regOf(i) << 2;
      if (i.w) writeE(cpu, i, 64, cpu.xmm[s], cpu.xmm[s + 1]);
      else writeE(cpu, i, 32, cpu.xmm[s]);
    },
  },
  {
    map: 1,
    opcode: 0x7e,
    pfx: 0xf3,
    name: "movq",
    // movq xmm, xmm/m64: zero-extends (SDM Vol. 2 "MOVQ").
    h: (cpu, i) => {
      const x = cpu.xmm;
      let lo: number;
      let hi: number;
      if (i.mod === 3) {
        const s = rmOf(i) << 2;
        lo = x[s];
        hi = x[s + 1];
      } else {
        lo = cpu.rd64(cpu.ea(i));
        hi = cpu.th;
      }
      const d = regOf(i) << 2;
      x[d] = lo;
      x[d + 1] = hi;
      x[d + 2] = 0;
      x[d + 3] = 0;
    },
  },
  {
    map: 1,
    opcode: 0xd6,
    pfx: 0x66,
    name: "movq",
    // movq xmm/m64, xmm: the register form zeroes the destination's high qword.
    h: (cpu, i) => {
      const x = cpu.xmm;
      const s = regOf(i) << 2;
      if (i.mod === 3) {
        const d = rmOf(i) << 2;
        x[d] = x[s];
        x[d + 1] = x[s + 1];
        x[d + 2] = 0;
        x[d + 3] = 0;
      } else cpu.wr64(cpu.ea(i), x[s], x[s + 1]);
    },
  },
);

// ---------------------------------------------------------------- sign masks, movnti, maskmovdqu

define(
  {
    map: 1,
    opcode: 0x50,
    pfx: 0,
    form: "reg",
    name: "movmskps",
    h: (cpu, i) => {
      const x = cpu.xmm;
      const s = rmOf(i) << 2;
      const m =
        (x[s] >>> 31) | ((x[s + 1] >>> 31) << 1) | ((x[s + 2] >>> 31) << 2) | ((x[s + 3] >>> 31) << 3);
      cpu.setReg(regOf(i), 32, false, m);
    },
  },
  {
    map: 1,
    opcode: 0x50,
    pfx: 0x66,
    form: "reg",
    name: "movmskpd",
    h: (cpu, i) => {
      const x = cpu.xmm;
      const s = rmOf(i) << 2;
      cpu.setReg(regOf(i), 32, false, (x[s + 1] >>> 31) | ((x[s + 3] >>> 31) << 1));
    },
  },
  {
    map: 1,
    opcode: 0xc3,
    pfx: 0,
    form: "mem",
    name: "movnti",
    h: (cpu, i) => {
      const r = regOf(i);
      if (i.w) cpu.wr64(cpu.ea(i), cpu.lo[r], cpu.hi[r]);
      else cpu.wr32(cpu.ea(i), cpu.lo[r]);
    },
  },
  {
    map: 1,
    opcode: 0xf7,
    pfx: 0x66,
    form: "reg",
    name: "maskmovdqu",
    h: (cpu, i) => {
      const s = regOf(i) << 2;
      const m = rmOf(i) << 2;
      maskedStore(cpu, i, cpu.xmm, s, cpu.xmm, m, 16);
    },
  },
);

/**
 * maskmovdqu/maskmovq: store the bytes of src whose mask byte has bit 7 set to [DS:rDI] (segment
 * overridable, address size from the prefix). Every selected byte is checked before any is written.
 */
export function maskedStore(
  cpu: Cpu,
  i: Insn,
  src: Int32Array,
  s: number,
  mask: Int32Array,
  m: number,
  n: number,
): void {
  let base: number;
  if (i.adsize === 64) base = cpu.regAddr(7);
  else if (i.adsize === 32) base = cpu.lo[7] >>> 0;
  else base = cpu.lo[7] & 0xffff;
  if (i.seg >= 4) {
    const b = cpu.sbase[i.seg];
    base = i.adsize === 64 ? base + b : (base + b) % 4294967296;
  }
  let first = -1;
  let last = -1;
  for (let k = 0; k < n; k++) {
    if ((mask[m + (k >> 2)] >> (8 * (k & 3) + 7)) & 1) {
      if (first < 0) first = k;
      last = k;
    }
  }
  if (first < 0) return;
  cpu.probeWrite(base + first, last - first + 1);
  for (let k = first; k <= last; k++) {
    if ((mask[m + (k >> 2)] >> (8 * (k & 3) + 7)) & 1) cpu.wr8(base + k, src[s + (k >> 2)] >> (8 * (k & 3)));
  }
}
