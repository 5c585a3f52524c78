/**
 * String instructions: movs, cmps, stos, lods, scas (A4–A7, AA–AF) in all sizes and address sizes, with
 * rep/repe/repne (SDM Vol. 2B "REP/REPE/REPZ/REPNE/REPNZ", Vol. 1 7.3.9).
 *
 * - Address size selects the index/count registers: 64 → RSI/RDI/RCX, 32 → ESI/EDI/ECX (in 64-bit mode
 *   their writes zero-extend), 16 (67 in 32-bit mode) → SI/DI/CX (writes merge).
 * - The source segment may be overridden (only FS/GS have a base); the destination is always ES.
 * - F2/F3 on movs/stos/lods act as a plain rep (repe/repne only differ for cmps/scas).
 * - A fault in the middle of a rep leaves RCX/RSI/RDI (and for cmps/scas the flags, for lods the
 *   accumulator) as after the last completed iteration, with RIP on the instruction: it can be restarted.
 * - A long rep runs in chunks: after a bounded amount of work the handler leaves RIP on the instruction
 *   (the run loop executes it again), as the processor does when it takes an interrupt between
 *   iterations. `cpu.repResumeAt` tells `run` not to report a breakpoint on the instruction again.
 * - Fast paths (DF = 0, 32/64-bit addressing) work a page at a time on the backing typed arrays:
 *   movs (copy), stos (fill), byte scas/cmps (scan). Forward-overlapping movs (dst inside the source range)
 *   keeps the element-by-element semantics.
 */
import { addr64, USER_LIMIT, type Cpu } from "../cpu";
import { define } from "../dispatch";
import type { Insn } from "../decoder/insn";
import { FOp } from "../flags";

const TWO32 = 4294967296;
const TWO64 = 18446744073709551616;
const CANON = 0x800000000000;
/** Per execution of a rep instruction: bytes moved by the fast paths, iterations of the element loop. */
const FAST_BYTES = 1 << 20;
const SLOW_ITERS = 1 << 16;

const enum Op {
  Movs = 0,
  Cmps = 1,
  Stos = 2,
  Lods = 3,
  Scas = 4,
}

// ---------------------------------------------------------------- index registers and addresses

/** Index register `r` (RSI/RDI) as a number at address size `ad` (64: signed double, exact below 2^53). */
function readIdx(cpu: Cpu, r: number, ad: number): number {
  if (ad === 64) return cpu.hi[r] * TWO32 + (cpu.lo[r] >>> 0);
  return ad === 32 ? cpu.lo[r] >>> 0 : cpu.lo[r] & 0xffff;
}

function writeIdx(cpu: Cpu, r: number, ad: number, v: number): void {
  if (ad === 64) {
    cpu.lo[r] = v | 0;
    cpu.hi[r] = Math.floor(v / TWO32) | 0;
  } else if (ad === 32) {
    cpu.lo[r] = v | 0;
    cpu.hi[r] = 0;
  } else cpu.lo[r] = (cpu.lo[r] & ~0xffff) | (v & 0xffff);
}

/** Index value after adding `d`, wrapped to the address size. */
function step(v: number, d: number, ad: number): number {
  if (ad === 64) return v + d;
  return ad === 32 ? (v + d) >>> 0 : (v + d) & 0xffff;
}

/** A 64-bit linear address outside the user half: canonical kernel → ≥ USER_LIMIT (#PF), else -1 (#GP). */
function badLinear(t: number): number {
  return t < 0 && t >= -CANON ? t + TWO64 : -1;
}

/** Linear address of index value `v` with segment base `base` (0 unless an FS/GS override). */
function linear(cpu: Cpu, v: number, ad: number, base: number): number {
  if (ad === 64) {
    const t = v + base;
    return t >= 0 && t < CANON ? t : badLinear(t);
  }
  if (base === 0) return v;
  return cpu.mode64 ? v + base : (v + base) % TWO32;
}

/** Source address DS:rSI (segment override honoured). */
function srcAddr(cpu: Cpu, i: Insn): number {
  const ad = i.adsize;
  const base = i.seg >= 4 ? cpu.sbase[i.seg] : 0;
  if (ad === 64 && base === 0) return addr64(cpu.lo[6], cpu.hi[6]);
  return linear(cpu, readIdx(cpu, 6, ad), ad, base);
}

/** Destination address ES:rDI (ES has no base in flat/64-bit mode; no override possible). */
function dstAddr(cpu: Cpu, i: Insn): number {
  const ad = i.adsize;
  if (ad === 64) return addr64(cpu.lo[7], cpu.hi[7]);
  return ad === 32 ? cpu.lo[7] >>> 0 : cpu.lo[7] & 0xffff;
}

/** rSI/rDI += d at the address size. */
function advance(cpu: Cpu, r: number, ad: number, d: number): void {
  if (ad === 64) {
    const s = (cpu.lo[r] >>> 0) + d;
    cpu.lo[r] = s | 0;
    cpu.hi[r] = (cpu.hi[r] + Math.floor(s / TWO32)) | 0;
  } else if (ad === 32) {
    cpu.lo[r] = (cpu.lo[r] + d) | 0;
    cpu.hi[r] = 0;
  } else cpu.lo[r] = (cpu.lo[r] & ~0xffff) | ((cpu.lo[r] + d) & 0xffff);
}

function rdN(cpu: Cpu, a: number, size: number): number {
  switch (size) {
    case 8:
      return cpu.rd8(a);
    case 16:
      return cpu.rd16(a);
    case 32:
      return cpu.rd32(a);
    default:
      return cpu.rd64(a);
  }
}

function wrN(cpu: Cpu, a: number, size: number, lo: number, hi: number): void {
  switch (size) {
    case 8:
      cpu.wr8(a, lo);
      return;
    case 16:
      cpu.wr16(a, lo);
      return;
    case 32:
      cpu.wr32(a, lo);
      return;
    default:
      cpu.wr64(a, lo, hi);
  }
}

/** Load the accumulator (lods): AL/AX merge, EAX zero-extends, RAX. */
function setAcc(cpu: Cpu, size: number, lo: number, hi: number): void {
  switch (size) {
    case 8:
      cpu.lo[0] = (cpu.lo[0] & ~0xff) | (lo & 0xff);
      return;
    case 16:
      cpu.lo[0] = (cpu.lo[0] & ~0xffff) | (lo & 0xffff);
      return;
    case 32:
      cpu.lo[0] = lo;
      cpu.hi[0] = 0;
      return;
    default:
      cpu.lo[0] = lo;
      cpu.hi[0] = hi;
  }
}

function sizeMask(size: number): number {
  return size === 8 ? 0xff : size === 16 ? 0xffff : -1;
}

/** Flags of `cmp a, b` (cmps: [rSI] − [rDI]; scas: rAX − [rDI]). */
function cmpFlags(cpu: Cpu, size: number, a: number, aHi: number, b: number, bHi: number): void {
  if (size === 64) {
    const lo = (a - b) | 0;
    const hi = (aHi - bHi - (a >>> 0 < b >>> 0 ? 1 : 0)) | 0;
    cpu.flags.lazy64(FOp.Sub, a, aHi, b, bHi, lo, hi);
    return;
  }
  const m = sizeMask(size);
  cpu.flags.lazy(FOp.Sub, size, a & m, b & m, (a - b) & m);
}

// ---------------------------------------------------------------- single iteration (no rep prefix)

function opSize(i: Insn): number {
  return (i.opcode & 1) === 0 ? 8 : i.opsize;
}

function movs1(cpu: Cpu, i: Insn): void {
  const size = opSize(i);
  const v = rdN(cpu, srcAddr(cpu, i), size);
  wrN(cpu, dstAddr(cpu, i), size, v, cpu.th);
  const d = cpu.flags.df ? -(size >> 3) : size >> 3;
  advance(cpu, 6, i.adsize, d);
  advance(cpu, 7, i.adsize, d);
}

function cmps1(cpu: Cpu, i: Insn): void {
  const size = opSize(i);
  const a = rdN(cpu, srcAddr(cpu, i), size);
  const aHi = cpu.th;
  const b = rdN(cpu, dstAddr(cpu, i), size);
  cmpFlags(cpu, size, a, aHi, b, cpu.th);
  const d = cpu.flags.df ? -(size >> 3) : size >> 3;
  advance(cpu, 6, i.adsize, d);
  advance(cpu, 7, i.adsize, d);
}

function stos1(cpu: Cpu, i: Insn): void {
  const size = opSize(i);
  wrN(cpu, dstAddr(cpu, i), size, cpu.lo[0], cpu.hi[0]);
  advance(cpu, 7, i.adsize, cpu.flags.df ? -(size >> 3) : size >> 3);
}

function lods1(cpu: Cpu, i: Insn): void {
  const size = opSize(i);
  const v = rdN(cpu, srcAddr(cpu, i), size);
  setAcc(cpu, size, v, cpu.th);
  advance(cpu, 6, i.adsize, cpu.flags.df ? -(size >> 3) : size >> 3);
}

function scas1(cpu: Cpu, i: Insn): void {
  const size = opSize(i);
  const b = rdN(cpu, dstAddr(cpu, i), size);
  cmpFlags(cpu, size, cpu.lo[0], cpu.hi[0], b, cpu.th);
  advance(cpu, 7, i.adsize, cpu.flags.df ? -(size >> 3) : size >> 3);
}

// ---------------------------------------------------------------- rep

/** Per-execution state of a rep (module-level to avoid allocation; handlers do not nest). */
let si = 0;
let di = 0;
/** Iterations completed in this execution. */
let k = 0;
/** Last compared / loaded values (cmps/scas flags, lods accumulator). */
let la = 0;
let laHi = 0;
let lb = 0;
let lbHi = 0;
/** cmps/scas stopped on the repe/repne condition. */
let stopped = false;

function repString(cpu: Cpu, i: Insn, op: Op): void {
  const size = opSize(i);
  const n = size >> 3;
  const ad = i.adsize;
  const cLo = cpu.lo[1];
  const cHi = cpu.hi[1];
  const cnt = ad === 64 ? (cHi === 0 ? cLo >>> 0 : Infinity) : ad === 32 ? cLo >>> 0 : cLo & 0xffff;
  if (cnt === 0) {
    cpu.repResumeAt = -1;
    cpu.rip = i.ip + i.len;
    return;
  }
  const df = cpu.flags.df;
  const delta = df ? -n : n;
  const base = i.seg >= 4 ? cpu.sbase[i.seg] : 0;
  const usesSrc = op === Op.Movs || op === Op.Cmps || op === Op.Lods;
  const usesDst = op !== Op.Lods;
  const until = i.rep === 0xf3 ? 1 : 0; // cmps/scas: stop when ZF becomes ≠ this
  si = usesSrc ? readIdx(cpu, 6, ad) : 0;
  di = usesDst ? readIdx(cpu, 7, ad) : 0;
  k = 0;
  stopped = false;
  let fastLeft = FAST_BYTES;
  let slowLeft = SLOW_ITERS;
  const fast = !df && ad !== 16 && (op === Op.Movs || op === Op.Stos || (size === 8 && op !== Op.Lods));
  try {
    while (k < cnt && !stopped && fastLeft > 0 && slowLeft > 0) {
      let m = 0;
      if (fast) m = fastChunk(cpu, op, size, ad, base, cnt - k, fastLeft, until);
      if (m > 0) {
        fastLeft -= m * n;
        continue;
      }
      // Element loop: a fault, a hooked page, an element across a page boundary, overlap, DF = 1…
      // (With the fast path on, one element, then the fast path is tried again.)
      let todo = fast ? 1 : Math.min(cnt - k, slowLeft);
      slowLeft -= todo;
      while (todo-- > 0) {
        switch (op) {
          case Op.Movs: {
            const v = rdN(cpu, linear(cpu, si, ad, base), size);
            wrN(cpu, linear(cpu, di, ad, 0), size, v, cpu.th);
            break;
          }
          case Op.Stos:
            wrN(cpu, linear(cpu, di, ad, 0), size, cpu.lo[0], cpu.hi[0]);
            break;
          case Op.Lods:
            la = rdN(cpu, linear(cpu, si, ad, base), size);
            laHi = cpu.th;
            break;
          case Op.Cmps:
            la = rdN(cpu, linear(cpu, si, ad, base), size);
            laHi = cpu.th;
            lb = rdN(cpu, linear(cpu, di, ad, 0), size);
            lbHi = cpu.th;
            break;
          default:
            la = cpu.lo[0];
            laHi = cpu.hi[0];
            lb = rdN(cpu, linear(cpu, di, ad, 0), size);
            lbHi = cpu.th;
        }
        if (usesSrc) si = step(si, delta, ad);
        if (usesDst) di = step(di, delta, ad);
        k++;
        if (op === Op.Cmps || op === Op.Scas) {
          const m = sizeMask(size);
          const eq = (la & m) === (lb & m) && (size !== 64 || laHi === lbHi) ? 1 : 0;
          if (eq !== until) {
            stopped = true;
            break;
          }
        }
        if (k >= cnt) break;
      }
    }
  } finally {
    if (k > 0) {
      if (usesSrc) writeIdx(cpu, 6, ad, si);
      if (usesDst) writeIdx(cpu, 7, ad, di);
      if (ad === 64) {
        cpu.lo[1] = (cLo - k) | 0;
        cpu.hi[1] = (cHi - (cLo >>> 0 < k ? 1 : 0)) | 0;
      } else if (ad === 32) {
        cpu.lo[1] = ((cLo >>> 0) - k) | 0;
        cpu.hi[1] = 0;
      } else cpu.lo[1] = (cLo & ~0xffff) | (((cLo & 0xffff) - k) & 0xffff);
      if (op === Op.Cmps || op === Op.Scas) cmpFlags(cpu, size, la, laHi, lb, lbHi);
      else if (op === Op.Lods) setAcc(cpu, size, la, laHi);
    }
  }
  if (k >= cnt || stopped) {
    cpu.repResumeAt = -1;
    cpu.rip = i.ip + i.len;
  } else {
    // More to do: run this instruction again (the state above is architecturally complete).
    cpu.repResumeAt = i.ip;
    cpu.rip = i.ip;
  }
}

/**
 * One page-bounded chunk of a DF = 0 rep on the typed arrays. Returns the number of elements done (and
 * updates si/di/k/la/lb/stopped), or 0 when this chunk must go through the element loop instead.
 */
function fastChunk(
  cpu: Cpu,
  op: Op,
  size: number,
  ad: number,
  base: number,
  remaining: number,
  fastLeft: number,
  until: number,
): number {
  const n = size >> 3;
  const bus = cpu.bus;
  let room = Math.min(remaining * n, fastLeft);
  let sl = 0;
  if (op === Op.Movs || op === Op.Cmps) {
    sl = linear(cpu, si, ad, base);
    if (sl < 0 || sl >= USER_LIMIT) return 0;
    room = Math.min(room, 4096 - (sl & 4095));
    if (ad === 32) room = Math.min(room, TWO32 - si);
    if (bus.isHooked(Math.floor(sl / 4096))) return 0;
  }
  const dl = linear(cpu, di, ad, 0);
  if (dl < 0 || dl >= USER_LIMIT) return 0;
  room = Math.min(room, 4096 - (dl & 4095));
  if (ad === 32) room = Math.min(room, TWO32 - di);
  if (bus.isHooked(Math.floor(dl / 4096))) return 0;
  const m = Math.floor(room / n);
  if (m === 0) return 0;
  const bytes = m * n;
  switch (op) {
    case Op.Movs: {
      const sp = cpu.bulkReadPage(sl, bytes);
      const dp = cpu.bulkWritePage(dl, bytes);
      const so = sp.off + (sl & 4095);
      const dO = dp.off + (dl & 4095);
      const u = dp.u8;
      if (sp.u8.buffer === u.buffer && dO > so && dO < so + bytes) {
        // Forward overlap: each element reads bytes earlier elements wrote (e.g. the movsb fill idiom).
        if (n !== 1) return 0;
        for (let j = 0; j < bytes; j++) u[dO + j] = u[so + j];
      } else if (sp.u8.buffer === u.buffer) u.copyWithin(dO, so, so + bytes);
      else u.set(sp.u8.subarray(so, so + bytes), dO);
      si += bytes;
      di += bytes;
      break;
    }
    case Op.Stos: {
      const dp = cpu.bulkWritePage(dl, bytes);
      fill(dp.u8, dp.i32, dp.off + (dl & 4095), m, size, cpu.lo[0], cpu.hi[0]);
      di += bytes;
      break;
    }
    case Op.Scas: {
      const dp = cpu.bulkReadPage(dl, bytes);
      const u = dp.u8;
      const o = dp.off + (dl & 4095);
      const al = cpu.lo[0] & 0xff;
      let j = 0;
      // repe: stop at the first byte ≠ AL; repne: at the first byte = AL.
      if (until === 1) while (j < m - 1 && u[o + j] === al) j++;
      else while (j < m - 1 && u[o + j] !== al) j++;
      la = al;
      laHi = 0;
      lb = u[o + j];
      lbHi = 0;
      if ((al === lb ? 1 : 0) !== until) stopped = true;
      di += j + 1;
      k += j + 1;
      return j + 1;
    }
    default: {
      // cmpsb
      const sp = cpu.bulkReadPage(sl, bytes);
      const dp = cpu.bulkReadPage(dl, bytes);
      const su = sp.u8;
      const du = dp.u8;
      const so = sp.off + (sl & 4095);
      const dO = dp.off + (dl & 4095);
      let j = 0;
      if (until === 1) while (j < m - 1 && su[so + j] === du[dO + j]) j++;
      else while (j < m - 1 && su[so + j] !== du[dO + j]) j++;
      la = su[so + j];
      laHi = 0;
      lb = du[dO + j];
      lbHi = 0;
      if ((la === lb ? 1 : 0) !== until) stopped = true;
      si += j + 1;
      di += j + 1;
      k += j + 1;
      return j + 1;
    }
  }
  k += m;
  return m;
}

/** Fill `m` elements of `size` bits with the value (lo, hi) at byte offset `o`. */
function fill(
  u: Uint8Array,
  i32: Int32Array,
  o: number,
  m: number,
  size: number,
  lo: number,
  hi: number,
): void {
  if (size === 8) {
    u.fill(lo & 0xff, o, o + m);
    return;
  }
  const b0 = lo & 0xff;
  const rep = b0 * 0x01010101;
  if (
    (size === 16 && (lo & 0xffff) === (rep & 0xffff)) ||
    (size === 32 && lo === (rep | 0)) ||
    (size === 64 && lo === (rep | 0) && hi === lo)
  ) {
    u.fill(b0, o, o + m * (size >> 3));
    return;
  }
  if (size === 32 && (o & 3) === 0) {
    i32.fill(lo, o >> 2, (o >> 2) + m);
    return;
  }
  if (size === 64 && (o & 3) === 0) {
    let x = o >> 2;
    for (let j = 0; j < m; j++, x += 2) {
      i32[x] = lo;
      i32[x + 1] = hi;
    }
    return;
  }
  const n = size >> 3;
  for (let j = 0; j < m; j++) {
    const p = o + j * n;
    for (let b = 0; b < n; b++) u[p + b] = (b < 4 ? lo >> (8 * b) : hi >> (8 * (b - 4))) & 0xff;
  }
}

// ---------------------------------------------------------------- registration

const ONCE: Record<number, (cpu: Cpu, i: Insn) => void> = {
  [Op.Movs]: movs1,
  [Op.Cmps]: cmps1,
  [Op.Stos]: stos1,
  [Op.Lods]: lods1,
  [Op.Scas]: scas1,
};
const NAMES = ["movs", "cmps", "stos", "lods", "scas"];
const REP: ((cpu: Cpu, i: Insn) => void)[] = [
  (c, i) => repString(c, i, Op.Movs),
  (c, i) => repString(c, i, Op.Cmps),
  (c, i) => repString(c, i, Op.Stos),
  (c, i) => repString(c, i, Op.Lods),
  (c, i) => repString(c, i, Op.Scas),
];
const OPCODES: [number, Op][] = [
  [0xa4, Op.Movs],
  [0xa5, Op.Movs],
  [0xa6, Op.Cmps],
  [0xa7, Op.Cmps],
  [0xaa, Op.Stos],
  [0xab, Op.Stos],
  [0xac, Op.Lods],
  [0xad, Op.Lods],
  [0xae, Op.Scas],
  [0xaf, Op.Scas],
];
for (const [opcode, op] of OPCODES) {
  define(
    { map: 0, opcode, rep: false, name: NAMES[op], h: ONCE[op] },
    { map: 0, opcode, rep: true, branch: true, name: "rep " + NAMES[op], h: REP[op] },
  );
}

/** 6C–6F ins/outs: I/O needs IOPL 3 or an I/O permission bitmap grant, never in Windows user mode. */
function ioGp(cpu: Cpu): void {
  cpu.fault("GP", { errorCode: 0, detail: "I/O instruction" });
}
for (let op = 0x6c; op <= 0x6f; op++)
  define({ map: 0, opcode: op, name: op < 0x6e ? "ins" : "outs", h: ioGp });
