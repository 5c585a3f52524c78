/**
 * Packed integer instructions, MMX (NP, mm/m64) and SSE2 (66, xmm/m128) forms of the same opcodes:
 * add/sub (wrapping, saturating), multiplies, compares, logic, shifts, packs/unpacks, shuffles,
 * min/max/avg/sad, pextrw/pinsrw, pmovmskb. Each operation computes R from A (destination) and B
 * (source) over n bytes (8 or 16). Legacy m128 operands must be 16-byte aligned (#GP(0)).
 */
import type { Cpu } from "../cpu";
import type { Insn } from "../decoder/insn";
import { define, type Handler } from "../dispatch";
import { readE, regOf, rmOf } from "./operands";
import {
  A,
  A16,
  A8,
  AS16,
  AS8,
  B,
  B16,
  B8,
  BS16,
  BS8,
  mmReg,
  mmRm,
  R,
  R16,
  R8,
  rdMm,
  RC8,
  RS16,
  RS8,
  rdMmE,
  rdXmmE,
  rdXmmG,
  wrMm,
  wrXmmG,
} from "./sse-common";

type IntOp = (n: number) => void;

/** 66 0F xx: xmm(reg) = op(xmm(reg), xmm/m128). */
function xmmForm(op: IntOp): Handler {
  return (cpu: Cpu, i: Insn) => {
    rdXmmE(cpu, i, B, true);
    rdXmmG(cpu, i, A);
    op(16);
    wrXmmG(cpu, i, R);
  };
}

/** NP 0F xx: mm(reg) = op(mm(reg), mm/m64). */
function mmForm(op: IntOp): Handler {
  return (cpu: Cpu, i: Insn) => {
    rdMmE(cpu, i, B);
    rdMm(cpu, mmReg(i), A);
    op(8);
    wrMm(cpu, mmReg(i), R[0], R[1]);
  };
}

function both(opcode: number, name: string, op: IntOp): void {
  define(
    { map: 1, opcode, pfx: 0, name, h: mmForm(op) },
    { map: 1, opcode, pfx: 0x66, name, h: xmmForm(op) },
  );
}

function sat8s(v: number): number {
  return v > 127 ? 127 : v < -128 ? -128 : v;
}

function sat16s(v: number): number {
  return v > 32767 ? 32767 : v < -32768 ? -32768 : v;
}

function sat16u(v: number): number {
  return v > 65535 ? 65535 : v < 0 ? 0 : v;
}

// ---------------------------------------------------------------- add / sub

both(0xfc, "paddb", (n) => {
  for (let k = 0; k < n; k++) R8[k] = A8[k] + B8[k];
});
both(0xfd, "paddw", (n) => {
  for (let k = 0; k < n >> 1; k++) R16[k] = A16[k] + B16[k];
});
both(0xfe, "paddd", (n) => {
  for (let k = 0; k < n >> 2; k++) R[k] = (A[k] + B[k]) | 0;
});
both(0xd4, "paddq", (n) => {
  for (let k = 0; k < n >> 2; k += 2) {
    const lo = (A[k] >>> 0) + (B[k] >>> 0);
    R[k] = lo | 0;
    R[k + 1] = (A[k + 1] + B[k + 1] + (lo > 0xffffffff ? 1 : 0)) | 0;
  }
});
both(0xf8, "psubb", (n) => {
  for (let k = 0; k < n; k++) R8[k] = A8[k] - B8[k];
});
both(0xf9, "psubw", (n) => {
  for (let k = 0; k < n >> 1; k++) R16[k] = A16[k] - B16[k];
});
both(0xfa, "psubd", (n) => {
  for (let k = 0; k < n >> 2; k++) R[k] = (A[k] - B[k]) | 0;
});
both(0xfb, "psubq", (n) => {
  for (let k = 0; k < n >> 2; k += 2) {
    const borrow = A[k] >>> 0 < B[k] >>> 0 ? 1 : 0;
    R[k] = (A[k] - B[k]) | 0;
    R[k + 1] = (A[k + 1] - B[k + 1] - borrow) | 0;
  }
});
both(0xec, "paddsb", (n) => {
  for (let k = 0; k < n; k++) RS8[k] = sat8s(AS8[k] + BS8[k]);
});
both(0xed, "paddsw", (n) => {
  for (let k = 0; k < n >> 1; k++) RS16[k] = sat16s(AS16[k] + BS16[k]);
});
both(0xe8, "psubsb", (n) => {
  for (let k = 0; k < n; k++) RS8[k] = sat8s(AS8[k] - BS8[k]);
});
both(0xe9, "psubsw", (n) => {
  for (let k = 0; k < n >> 1; k++) RS16[k] = sat16s(AS16[k] - BS16[k]);
});
// Uint8ClampedArray stores saturate to 0..255.
both(0xdc, "paddusb", (n) => {
  for (let k = 0; k < n; k++) RC8[k] = A8[k] + B8[k];
});
both(0xdd, "paddusw", (n) => {
  for (let k = 0; k < n >> 1; k++) R16[k] = sat16u(A16[k] + B16[k]);
});
both(0xd8, "psubusb", (n) => {
  for (let k = 0; k < n; k++) RC8[k] = A8[k] - B8[k];
});
both(0xd9, "psubusw", (n) => {
  for (let k = 0; k < n >> 1; k++) R16[k] = sat16u(A16[k] - B16[k]);
});

// ---------------------------------------------------------------- multiplies

both(0xd5, "pmullw", (n) => {
  for (let k = 0; k < n >> 1; k++) R16[k] = Math.imul(AS16[k], BS16[k]);
});
both(0xe5, "pmulhw", (n) => {
  for (let k = 0; k < n >> 1; k++) R16[k] = (AS16[k] * BS16[k]) >> 16;
});
both(0xe4, "pmulhuw", (n) => {
  for (let k = 0; k < n >> 1; k++) R16[k] = (A16[k] * B16[k]) >>> 16;
});
both(0xf5, "pmaddwd", (n) => {
  for (let k = 0; k < n >> 2; k++) R[k] = (AS16[2 * k] * BS16[2 * k] + AS16[2 * k + 1] * BS16[2 * k + 1]) | 0;
});
// Unsigned 32x32 -> 64 of the even dwords.
both(0xf4, "pmuludq", (n) => {
  for (let k = 0; k < n >> 2; k += 2) {
    const a = A[k] >>> 0;
    const b = B[k] >>> 0;
    const al = a & 0xffff;
    const ah = a >>> 16;
    const bl = b & 0xffff;
    const bh = b >>> 16;
    const p1 = ah * bl;
    const p2 = al * bh;
    const mid = ((al * bl) >>> 16) + (p1 & 0xffff) + (p2 & 0xffff);
    R[k] = Math.imul(a, b);
    R[k + 1] = (ah * bh + (p1 >>> 16) + (p2 >>> 16) + (mid >>> 16)) | 0;
  }
});

// ---------------------------------------------------------------- compares

both(0x74, "pcmpeqb", (n) => {
  for (let k = 0; k < n; k++) R8[k] = A8[k] === B8[k] ? 0xff : 0;
});
both(0x75, "pcmpeqw", (n) => {
  for (let k = 0; k < n >> 1; k++) R16[k] = A16[k] === B16[k] ? 0xffff : 0;
});
both(0x76, "pcmpeqd", (n) => {
  for (let k = 0; k < n >> 2; k++) R[k] = A[k] === B[k] ? -1 : 0;
});
both(0x64, "pcmpgtb", (n) => {
  for (let k = 0; k < n; k++) R8[k] = AS8[k] > BS8[k] ? 0xff : 0;
});
both(0x65, "pcmpgtw", (n) => {
  for (let k = 0; k < n >> 1; k++) R16[k] = AS16[k] > BS16[k] ? 0xffff : 0;
});
both(0x66, "pcmpgtd", (n) => {
  for (let k = 0; k < n >> 2; k++) R[k] = A[k] > B[k] ? -1 : 0;
});

// ---------------------------------------------------------------- logic

both(0xdb, "pand", (n) => {
  for (let k = 0; k < n >> 2; k++) R[k] = A[k] & B[k];
});
both(0xdf, "pandn", (n) => {
  for (let k = 0; k < n >> 2; k++) R[k] = ~A[k] & B[k];
});
both(0xeb, "por", (n) => {
  for (let k = 0; k < n >> 2; k++) R[k] = A[k] | B[k];
});
both(0xef, "pxor", (n) => {
  for (let k = 0; k < n >> 2; k++) R[k] = A[k] ^ B[k];
});

// ---------------------------------------------------------------- min / max / average / sad

both(0xda, "pminub", (n) => {
  for (let k = 0; k < n; k++) R8[k] = A8[k] < B8[k] ? A8[k] : B8[k];
});
both(0xde, "pmaxub", (n) => {
  for (let k = 0; k < n; k++) R8[k] = A8[k] > B8[k] ? A8[k] : B8[k];
});
both(0xea, "pminsw", (n) => {
  for (let k = 0; k < n >> 1; k++) RS16[k] = AS16[k] < BS16[k] ? AS16[k] : BS16[k];
});
both(0xee, "pmaxsw", (n) => {
  for (let k = 0; k < n >> 1; k++) RS16[k] = AS16[k] > BS16[k] ? AS16[k] : BS16[k];
});
both(0xe0, "pavgb", (n) => {
  for (let k = 0; k < n; k++) R8[k] = (A8[k] + B8[k] + 1) >> 1;
});
both(0xe3, "pavgw", (n) => {
  for (let k = 0; k < n >> 1; k++) R16[k] = (A16[k] + B16[k] + 1) >> 1;
});
// Sum of absolute byte differences per qword, in the low word of each qword (the rest zeroed).
both(0xf6, "psadbw", (n) => {
  for (let q = 0; q < n; q += 8) {
    let s = 0;
    for (let k = q; k < q + 8; k++) s += A8[k] > B8[k] ? A8[k] - B8[k] : B8[k] - A8[k];
    R[q >> 2] = s;
    R[(q >> 2) + 1] = 0;
  }
});

// ---------------------------------------------------------------- packs and unpacks

both(0x63, "packsswb", (n) => {
  const h = n >> 1;
  for (let k = 0; k < h; k++) {
    RS8[k] = sat8s(AS16[k]);
    RS8[k + h] = sat8s(BS16[k]);
  }
});
both(0x67, "packuswb", (n) => {
  const h = n >> 1;
  for (let k = 0; k < h; k++) {
    RC8[k] = AS16[k];
    RC8[k + h] = BS16[k];
  }
});
both(0x6b, "packssdw", (n) => {
  const h = n >> 2;
  for (let k = 0; k < h; k++) {
    RS16[k] = sat16s(A[k]);
    RS16[k + h] = sat16s(B[k]);
  }
});

/** Interleave elements of `size` bytes from the low (high = false) or high half of A and B. */
function unpack(size: number, high: boolean): IntOp {
  return (n) => {
    const h = n >> 1;
    const base = high ? h : 0;
    let o = 0;
    for (let k = 0; k < h; k += size) {
      for (let j = 0; j < size; j++) R8[o + j] = A8[base + k + j];
      o += size;
      for (let j = 0; j < size; j++) R8[o + j] = B8[base + k + j];
      o += size;
    }
  };
}

/** The MMX low unpacks read only m32 from memory (SDM Vol. 2 "PUNPCKLBW": mm/m32). */
function lowUnpack(opcode: number, name: string, op: IntOp): void {
  define(
    {
      map: 1,
      opcode,
      pfx: 0,
      name,
      h: (cpu, i) => {
        if (i.mod === 3) rdMmE(cpu, i, B);
        else B[0] = cpu.rd32(cpu.ea(i));
        rdMm(cpu, mmReg(i), A);
        op(8);
        wrMm(cpu, mmReg(i), R[0], R[1]);
      },
    },
    { map: 1, opcode, pfx: 0x66, name, h: xmmForm(op) },
  );
}

lowUnpack(0x60, "punpcklbw", unpack(1, false));
lowUnpack(0x61, "punpcklwd", unpack(2, false));
lowUnpack(0x62, "punpckldq", unpack(4, false));
both(0x68, "punpckhbw", unpack(1, true));
both(0x69, "punpckhwd", unpack(2, true));
both(0x6a, "punpckhdq", unpack(4, true));
define(
  { map: 1, opcode: 0x6c, pfx: 0x66, name: "punpcklqdq", h: xmmForm(unpack(8, false)) },
  { map: 1, opcode: 0x6d, pfx: 0x66, name: "punpckhqdq", h: xmmForm(unpack(8, true)) },
);

// ---------------------------------------------------------------- shifts

/** Shift count from B as an unsigned 64-bit value, saturated to 255 (every count above the width acts alike). */
function count(): number {
  return B[1] !== 0 || B[0] >>> 0 > 255 ? 255 : B[0];
}

function psllw(n: number): void {
  const c = count();
  for (let k = 0; k < n >> 1; k++) R16[k] = c > 15 ? 0 : A16[k] << c;
}
function psrlw(n: number): void {
  const c = count();
  for (let k = 0; k < n >> 1; k++) R16[k] = c > 15 ? 0 : A16[k] >>> c;
}
function psraw(n: number): void {
  const c = count();
  for (let k = 0; k < n >> 1; k++) RS16[k] = AS16[k] >> (c > 15 ? 15 : c);
}
function pslld(n: number): void {
  const c = count();
  for (let k = 0; k < n >> 2; k++) R[k] = c > 31 ? 0 : A[k] << c;
}
function psrld(n: number): void {
  const c = count();
  for (let k = 0; k < n >> 2; k++) R[k] = c > 31 ? 0 : A[k] >>> c;
}
function psrad(n: number): void {
  const c = count();
  for (let k = 0; k < n >> 2; k++) R[k] = A[k] >> (c > 31 ? 31 : c);
}
function psllq(n: number): void {
  const c = count();
  for (let k = 0; k < n >> 2; k += 2) {
    const lo = A[k];
    const hi = A[k + 1];
    if (c > 63) {
      R[k] = 0;
      R[k + 1] = 0;
    } else if (c >= 32) {
      R[k] = 0;
      R[k + 1] = lo << (c - 32);
    } else if (c === 0) {
      R[k] = lo;
      R[k + 1] = hi;
    } else {
      R[k] = lo << c;
      R[k + 1] = (hi << c) | (lo >>> (32 - c));
    }
  }
}
function psrlq(n: number): void {
  const c = count();
  for (let k = 0; k < n >> 2; k += 2) {
    const lo = A[k];
    const hi = A[k + 1];
    if (c > 63) {
      R[k] = 0;
      R[k + 1] = 0;
    } else if (c >= 32) {
      R[k] = hi >>> (c - 32);
      R[k + 1] = 0;
    } else if (c === 0) {
      R[k] = lo;
      R[k + 1] = hi;
    } else {
      R[k] = (lo >>> c) | (hi << (32 - c));
      R[k + 1] = hi >>> c;
    }
  }
}
/** Byte shifts of the whole 128-bit register (66 0F 73 /3 and /7 only). */
function psrldq(): void {
  const c = count();
  for (let k = 0; k < 16; k++) R8[k] = k + c < 16 ? A8[k + c] : 0;
}
function pslldq(): void {
  const c = count();
  for (let k = 0; k < 16; k++) R8[k] = k - c >= 0 ? A8[k - c] : 0;
}

both(0xf1, "psllw", psllw);
both(0xf2, "pslld", pslld);
both(0xf3, "psllq", psllq);
both(0xd1, "psrlw", psrlw);
both(0xd2, "psrld", psrld);
both(0xd3, "psrlq", psrlq);
both(0xe1, "psraw", psraw);
both(0xe2, "psrad", psrad);

/** Shift-by-immediate groups 0F 71/72/73: the r/m register is shifted by imm8. */
function immShift(opcode: number, reg: number, name: string, op: IntOp, mm: boolean): void {
  const h: Handler = mm
    ? (cpu, i) => {
        rdMm(cpu, mmRm(i), A);
        B[0] = i.imm & 0xff;
        B[1] = 0;
        op(8);
        wrMm(cpu, mmRm(i), R[0], R[1]);
      }
    : (cpu, i) => {
        const r = rmOf(i) << 2;
        const x = cpu.xmm;
        A[0] = x[r];
        A[1] = x[r + 1];
        A[2] = x[r + 2];
        A[3] = x[r + 3];
        B[0] = i.imm & 0xff;
        B[1] = 0;
        op(16);
        x[r] = R[0];
        x[r + 1] = R[1];
        x[r + 2] = R[2];
        x[r + 3] = R[3];
      };
  define({ map: 1, opcode, pfx: mm ? 0 : 0x66, reg, form: "reg", name, h });
}

for (const mm of [true, false]) {
  immShift(0x71, 2, "psrlw", psrlw, mm);
  immShift(0x71, 4, "psraw", psraw, mm);
  immShift(0x71, 6, "psllw", psllw, mm);
  immShift(0x72, 2, "psrld", psrld, mm);
  immShift(0x72, 4, "psrad", psrad, mm);
  immShift(0x72, 6, "pslld", pslld, mm);
  immShift(0x73, 2, "psrlq", psrlq, mm);
  immShift(0x73, 6, "psllq", psllq, mm);
}
immShift(0x73, 3, "psrldq", psrldq, false);
immShift(0x73, 7, "pslldq", pslldq, false);

// ---------------------------------------------------------------- shuffles

/** pshufd xmm, xmm/m128, imm8. */
function pshufd(n: number, imm: number): void {
  for (let k = 0; k < n >> 2; k++) R[k] = B[(imm >> (2 * k)) & 3];
}

/** Words 0..3 (base 0) or 4..7 (base 4) of R from the same half of B by imm8; the other half copied. */
function pshufHalf(base: number, imm: number): void {
  for (let k = 0; k < 8; k++) R16[k] = B16[k];
  for (let k = 0; k < 4; k++) R16[base + k] = B16[base + ((imm >> (2 * k)) & 3)];
}

define(
  {
    map: 1,
    opcode: 0x70,
    pfx: 0x66,
    name: "pshufd",
    h: (cpu, i) => {
      rdXmmE(cpu, i, B, true);
      pshufd(16, i.imm);
      wrXmmG(cpu, i, R);
    },
  },
  {
    map: 1,
    opcode: 0x70,
    pfx: 0xf2,
    name: "pshuflw",
    h: (cpu, i) => {
      rdXmmE(cpu, i, B, true);
      pshufHalf(0, i.imm);
      wrXmmG(cpu, i, R);
    },
  },
  {
    map: 1,
    opcode: 0x70,
    pfx: 0xf3,
    name: "pshufhw",
    h: (cpu, i) => {
      rdXmmE(cpu, i, B, true);
      pshufHalf(4, i.imm);
      wrXmmG(cpu, i, R);
    },
  },
  {
    map: 1,
    opcode: 0x70,
    pfx: 0,
    name: "pshufw",
    h: (cpu, i) => {
      rdMmE(cpu, i, B);
      const m = i.imm;
      for (let k = 0; k < 4; k++) R16[k] = B16[(m >> (2 * k)) & 3];
      wrMm(cpu, mmReg(i), R[0], R[1]);
    },
  },
);

// ---------------------------------------------------------------- word insert/extract, byte mask

define(
  {
    map: 1,
    opcode: 0xc5,
    pfx: 0x66,
    form: "reg",
    name: "pextrw",
    h: (cpu, i) => {
      const k = i.imm & 7;
      const v = (cpu.xmm[(rmOf(i) << 2) + (k >> 1)] >>> ((k & 1) << 4)) & 0xffff;
      cpu.setReg(regOf(i), 32, false, v);
    },
  },
  {
    map: 1,
    opcode: 0xc5,
    pfx: 0,
    form: "reg",
    name: "pextrw",
    h: (cpu, i) => {
      const k = i.imm & 3;
      rdMm(cpu, mmRm(i), B);
      const v = (B[k >> 1] >>> ((k & 1) << 4)) & 0xffff;
      cpu.fpu.enterMmx();
      cpu.setReg(regOf(i), 32, false, v);
    },
  },
  {
    map: 1,
    opcode: 0xc4,
    pfx: 0x66,
    name: "pinsrw",
    h: (cpu, i) => {
      const v = readE(cpu, i, 16) & 0xffff;
      const k = i.imm & 7;
      const j = (regOf(i) << 2) + (k >> 1);
      const sh = (k & 1) << 4;
      cpu.xmm[j] = (cpu.xmm[j] & ~(0xffff << sh)) | (v << sh);
    },
  },
  {
    map: 1,
    opcode: 0xc4,
    pfx: 0,
    name: "pinsrw",
    h: (cpu, i) => {
      const v = readE(cpu, i, 16) & 0xffff;
      const k = i.imm & 3;
      const r = mmReg(i);
      rdMm(cpu, r, A);
      const sh = (k & 1) << 4;
      let lo = A[0];
      let hi = A[1];
      if (k < 2) lo = (lo & ~(0xffff << sh)) | (v << sh);
      else hi = (hi & ~(0xffff << sh)) | (v << sh);
      wrMm(cpu, r, lo, hi);
    },
  },
  {
    map: 1,
    opcode: 0xd7,
    pfx: 0x66,
    form: "reg",
    name: "pmovmskb",
    h: (cpu, i) => {
      rdXmmE(cpu, i, B, false);
      let m = 0;
      for (let k = 0; k < 16; k++) m |= (B8[k] >> 7) << k;
      cpu.setReg(regOf(i), 32, false, m);
    },
  },
  {
    map: 1,
    opcode: 0xd7,
    pfx: 0,
    form: "reg",
    name: "pmovmskb",
    h: (cpu, i) => {
      rdMmE(cpu, i, B);
      let m = 0;
      for (let k = 0; k < 8; k++) m |= (B8[k] >> 7) << k;
      cpu.fpu.enterMmx();
      cpu.setReg(regOf(i), 32, false, m);
    },
  },
);
