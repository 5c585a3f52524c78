/**
 * Miscellaneous and system instructions as Windows user mode (CPL 3, IOPL 0) sees them: cpuid, rdtsc,
 * rdtscp, flag instructions, fences and cache hints, far-pointer loads, arpl, bound, the user-readable
 * descriptor-table instructions (sgdt/sidt/sldt/str/smsw, lar/lsl/verr/verw) and the privileged ones
 * (#GP(0) at CPL 3).
 */
import { SReg, type Cpu } from "../cpu";
import { define } from "../dispatch";
import type { Insn } from "../decoder/insn";
import { CF, DF, IF, IOPL, ZF } from "../flags";
import { locE, readAt, readE, readG, rmOf, writeAt, writeG } from "./operands";

const TWO32 = 4294967296;

// ---------------------------------------------------------------- cpuid

/**
 * One consistent CPU: "GenuineIntel", Skylake-client signature (family 6, model 0x5E, stepping 3), that
 * advertises only what wowdbg implements (SDM Vol. 2A CPUID, Tables 3-8, 3-10, 3-11):
 *
 * Leaf 0: max basic leaf 7, vendor.
 * Leaf 1 EAX 0x000506E3 (ext model 5, family 6, model E, stepping 3); EBX: CLFLUSH line size 8 (×8 =
 *   64 bytes, bits 15:8), 1 logical processor (bits 23:16), APIC ID 0.
 *   ECX: CX16 (bit 13), POPCNT (bit 23). Not SSE3/SSSE3/SSE4/AVX/OSXSAVE/hypervisor.
 *   EDX: FPU (0), TSC (4), CX8 (8), CMOV (15), CLFSH (19), MMX (23), FXSR (24), SSE (25), SSE2 (26).
 * Leaf 2 (cache descriptors): EAX = 1 (one iteration), no descriptors. Leaves 3–6: 0.
 * Leaf 7 sub-leaf 0: EAX 0 (max sub-leaf); EBX: BMI1 (3), BMI2 (8), ERMS (9, rep movsb/stosb is fast
 *   here too), ADX (19, adcx/adox), CLFLUSHOPT (23). ECX/EDX 0. Other sub-leaves 0.
 * 80000000h: max extended leaf 80000008h.
 * 80000001h ECX: LAHF/SAHF in 64-bit mode (0), LZCNT (5), PREFETCHW (8).
 *   EDX: SYSCALL (11; Intel reports it only in 64-bit mode), NX (20), RDTSCP (27), LM (29).
 * 80000002h–80000004h: brand string "wowdbg virtual CPU" (NUL padded).
 * 80000006h ECX: L2 256 KB, 8-way (code 6), 64-byte lines. 80000008h EAX: 39 physical, 48 linear bits.
 * Leaves above the maximum return the highest basic leaf (Intel behaviour, SDM CPUID "INPUT EAX").
 */
const LEAF1 = [
  0x000506e3,
  0x00010800,
  (1 << 13) | (1 << 23),
  (1 << 0) | (1 << 4) | (1 << 8) | (1 << 15) | (1 << 19) | (1 << 23) | (1 << 24) | (1 << 25) | (1 << 26),
];
const LEAF7_EBX = (1 << 3) | (1 << 8) | (1 << 9) | (1 << 19) | (1 << 23);
const BRAND = brandWords("wowdbg virtual CPU");

function brandWords(s: string): number[] {
  const b = new Uint8Array(48);
  for (let k = 0; k < s.length; k++) b[k] = s.charCodeAt(k);
  const w: number[] = [];
  for (let k = 0; k < 48; k += 4) w.push(b[k] | (b[k + 1] << 8) | (b[k + 2] << 16) | (b[k + 3] << 24));
  return w;
}

function cpuid(cpu: Cpu): void {
  let leaf = cpu.lo[0] >>> 0;
  const sub = cpu.lo[1] >>> 0;
  if ((leaf > 7 && leaf < 0x80000000) || leaf > 0x80000008) leaf = 7;
  let a = 0;
  let b = 0;
  let c = 0;
  let d = 0;
  switch (leaf) {
    case 0:
      a = 7;
      b = 0x756e6547; // "Genu"
      d = 0x49656e69; // "ineI"
      c = 0x6c65746e; // "ntel"
      break;
    case 1:
      [a, b, c, d] = LEAF1;
      break;
    case 2:
      a = 1;
      break;
    case 7:
      if (sub === 0) b = LEAF7_EBX;
      break;
    case 0x80000000:
      a = 0x80000008;
      break;
    case 0x80000001:
      c = (1 << 0) | (1 << 5) | (1 << 8);
      d = (1 << 20) | (1 << 27) | (1 << 29) | (cpu.mode64 ? 1 << 11 : 0);
      break;
    case 0x80000002:
    case 0x80000003:
    case 0x80000004: {
      const o = (leaf - 0x80000002) * 4;
      a = BRAND[o];
      b = BRAND[o + 1];
      c = BRAND[o + 2];
      d = BRAND[o + 3];
      break;
    }
    case 0x80000006:
      c = (256 << 16) | (6 << 12) | 64;
      break;
    case 0x80000008:
      a = 0x3027;
      break;
  }
  set32(cpu, 0, a);
  set32(cpu, 3, b);
  set32(cpu, 1, c);
  set32(cpu, 2, d);
}

function set32(cpu: Cpu, r: number, v: number): void {
  cpu.lo[r] = v | 0;
  cpu.hi[r] = 0;
}

// ---------------------------------------------------------------- time stamp counter

/** Arbitrary fixed TSC at instruction 0, so that rdtsc is never small. */
const TSC_BASE = 0x100000000;
/** TSC ticks per retired instruction (deterministic; a ~3 GHz CPU at one instruction per ns). */
const TSC_PER_INSN = 3;

/** 0F 31 rdtsc: EDX:EAX ← TSC, derived from the retired-instruction count (CR4.TSD = 0 on Windows). */
function rdtsc(cpu: Cpu): void {
  const t = cpu.currentCount() * TSC_PER_INSN + TSC_BASE;
  set32(cpu, 0, t % TWO32);
  set32(cpu, 2, Math.floor(t / TWO32));
}

/** 0F 01 F9 rdtscp: rdtsc plus ECX ← IA32_TSC_AUX (processor 0). */
function rdtscp(cpu: Cpu): void {
  rdtsc(cpu);
  set32(cpu, 1, 0);
}

// ---------------------------------------------------------------- flags

function clc(cpu: Cpu): void {
  cpu.flags.setFlags(CF, 0);
}
function stc(cpu: Cpu): void {
  cpu.flags.setFlags(CF, CF);
}
function cmc(cpu: Cpu): void {
  cpu.flags.setFlags(CF, cpu.flags.cf() ^ 1);
}
function cld(cpu: Cpu): void {
  cpu.flags.setFlags(DF, 0);
}
function std(cpu: Cpu): void {
  cpu.flags.setFlags(DF, DF);
}

/** FA cli / FB sti: #GP(0) when CPL (3) > IOPL (SDM Vol. 2A CLI, STI; PVI is off on Windows). */
function cliSti(cpu: Cpu, i: Insn): void {
  if ((cpu.flags.get() & IOPL) !== IOPL) cpu.fault("GP", { errorCode: 0 });
  cpu.flags.setFlags(IF, i.opcode === 0xfb ? IF : 0);
}

// ---------------------------------------------------------------- privileged / I/O

function gp0(cpu: Cpu): void {
  cpu.fault("GP", { errorCode: 0 });
}

function ud(cpu: Cpu): void {
  cpu.fault("UD");
}

/** clflush / clflushopt: no cache to flush, but the access is checked like a read (SDM CLFLUSH: #PF/#GP). */
function clflush(cpu: Cpu, i: Insn): void {
  cpu.probeRead(cpu.ea(i), 1);
}

// ---------------------------------------------------------------- far pointer loads

/** lds/les/lss/lfs/lgs Gv, Mp: offset (operand size), then selector; the segment load faults first. */
function loadFar(cpu: Cpu, i: Insn, seg: number): void {
  const a = cpu.ea(i);
  const size = i.opsize;
  let hi = 0;
  let lo: number;
  if (size === 64) {
    lo = cpu.rd64(a);
    hi = cpu.th;
  } else lo = size === 32 ? cpu.rd32(a) : cpu.rd16(a);
  const sel = cpu.rd16(a + (size >> 3));
  cpu.loadSeg(seg, sel);
  writeG(cpu, i, size, lo, hi);
}

// ---------------------------------------------------------------- arpl / bound

/** 63 arpl Ew, Gw (32-bit mode): raise the destination RPL to the source RPL; ZF tells whether it did. */
function arpl(cpu: Cpu, i: Insn): void {
  const loc = locE(cpu, i);
  const d = readAt(cpu, i, loc, 16);
  const s = readG(cpu, i, 16);
  if ((d & 3) < (s & 3)) {
    writeAt(cpu, i, loc, 16, (d & ~3) | (s & 3));
    cpu.flags.setFlags(ZF, ZF);
  } else cpu.flags.setFlags(ZF, 0);
}

/** 62 bound Gv, Ma (32-bit mode): #BR unless lower ≤ index ≤ upper (signed). */
function bound(cpu: Cpu, i: Insn): void {
  const a = cpu.ea(i);
  let idx: number;
  let lower: number;
  let upper: number;
  if (i.opsize === 16) {
    idx = (readG(cpu, i, 16) << 16) >> 16;
    lower = (cpu.rd16(a) << 16) >> 16;
    upper = (cpu.rd16(a + 2) << 16) >> 16;
  } else {
    idx = readG(cpu, i, 32);
    lower = cpu.rd32(a);
    upper = cpu.rd32(a + 4);
  }
  if (idx < lower || idx > upper) cpu.fault("BR");
}

// ---------------------------------------------------------------- descriptor-table instructions

/**
 * What user mode can read about the descriptor tables of 64-bit Windows (UMIP is off): plausible fixed
 * kernel addresses (the real ones are randomised), GDT limit 0x57, IDT limit 0xfff, LDTR 0, TR 0x40,
 * CR0 0x80050033 (PG, AM, WP, NE, ET, MP, PE).
 */
const GDT_BASE_LO = 0x00050fb0 | 0;
const GDT_BASE_HI = 0xfffff800 | 0;
const GDT_LIMIT = 0x57;
const IDT_BASE_LO = 0x00050000 | 0;
const IDT_BASE_HI = 0xfffff800 | 0;
const IDT_LIMIT = 0xfff;
const TR_SEL = 0x40;
const CR0 = 0x80050033 | 0;

/** 0F 01 /0 sgdt, /1 sidt: 64-bit mode stores limit + 8-byte base, otherwise limit + 4-byte base. */
function sgdt(cpu: Cpu, i: Insn): void {
  const a = cpu.ea(i);
  const idt = i.reg === 1;
  const lo = idt ? IDT_BASE_LO : GDT_BASE_LO;
  const hi = idt ? IDT_BASE_HI : GDT_BASE_HI;
  cpu.probeWrite(a, cpu.mode64 ? 10 : 6);
  cpu.wr16(a, idt ? IDT_LIMIT : GDT_LIMIT);
  cpu.wr32(a + 2, lo);
  if (cpu.mode64) cpu.wr32(a + 6, hi);
}

/**
 * Store a 16-bit system value to r/m: a register destination receives it zero-extended to the operand
 * size (SDM SLDT/STR/SMSW: upper bits cleared on P6 and later), memory is written as 16 bits.
 */
function storeSys16(cpu: Cpu, i: Insn, v: number, vFull: number): void {
  if (i.mod === 3) {
    if (i.opsize === 16) cpu.setReg(rmOf(i), 16, false, v);
    else cpu.setReg(rmOf(i), 32, false, vFull);
  } else cpu.wr16(cpu.ea(i), v);
}

/** 0F 00 /0 sldt, /1 str, 0F 01 /4 smsw. */
function sldt(cpu: Cpu, i: Insn): void {
  storeSys16(cpu, i, 0, 0);
}
function str(cpu: Cpu, i: Insn): void {
  storeSys16(cpu, i, TR_SEL, TR_SEL);
}
function smsw(cpu: Cpu, i: Insn): void {
  storeSys16(cpu, i, CR0 & 0xffff, CR0);
}

/**
 * Access rights (bits 23:8 of the descriptor's high dword) and byte limit of a user selector, or -1.
 * 0x23/0x33 code and 0x2B data: flat 4 GB (G = 1) like the GDT entries of 64-bit Windows and Linux;
 * 0x53, the WOW64 TEB data segment (FS in 32-bit code): byte-granular, limit 0x3C00 (processor 0: Windows
 * keeps the processor number in limit bits 14 and up, which `lsl` reads).
 */
let descLimit = 0;
function descRights(cpu: Cpu, sel: number): number {
  if ((sel & 0xfffc) === 0 || (sel & 4) !== 0) return -1;
  const d = cpu.descriptors.get(sel >> 3);
  if (!d) return -1;
  // P, DPL 3, S, type: code execute/read accessed (B) or data read/write accessed (3).
  const byte5 = (d.present ? 0x80 : 0) | 0x70 | (d.code ? 0xb : 0x3);
  let byte6: number;
  if (!d.code && (d.base !== 0 || sel >> 3 === 0x53 >> 3)) {
    byte6 = 0x40;
    descLimit = 0x3c00;
  } else {
    byte6 = 0x80 | (d.long ? 0x20 : 0) | (d.db && !d.long ? 0x40 : 0) | 0x0f;
    descLimit = 0xffffffff;
  }
  return (byte6 << 16) | (byte5 << 8);
}

/** 0F 02 lar / 0F 03 lsl Gv, Ew: ZF = 1 and the destination loaded for a visible descriptor, else ZF = 0. */
function lar(cpu: Cpu, i: Insn): void {
  const sel = readE(cpu, i, 16);
  const ar = descRights(cpu, sel);
  if (ar < 0) {
    cpu.flags.setFlags(ZF, 0);
    return;
  }
  let v = i.opcode === 0x02 ? ar : descLimit;
  if (i.opsize === 16) v &= i.opcode === 0x02 ? 0xff00 : 0xffff;
  writeG(cpu, i, i.opsize === 16 ? 16 : 32, v | 0);
  cpu.flags.setFlags(ZF, ZF);
}

/** 0F 00 /4 verr, /5 verw: readable (code segments here are readable; data) / writable (data only). */
function verrw(cpu: Cpu, i: Insn): void {
  const sel = readE(cpu, i, 16);
  const ar = descRights(cpu, sel);
  let ok = ar >= 0;
  if (ok && i.reg === 5) ok = (ar & 0x800) === 0; // code segments are never writable
  cpu.flags.setFlags(ZF, ok ? ZF : 0);
}

/** 0F 01 with mod = 11: the register-form extensions, by ModRM byte. */
function op0f01reg(cpu: Cpu, i: Insn): void {
  switch (i.modrm) {
    case 0xf9:
      rdtscp(cpu);
      return;
    case 0xf8: // swapgs: #GP(0) at CPL ≠ 0 in 64-bit mode, #UD elsewhere
      if (cpu.mode64) gp0(cpu);
      ud(cpu);
      return;
    case 0xd0: // xgetbv: #UD because CR4.OSXSAVE is not advertised (CPUID.1:ECX.OSXSAVE = 0)
      ud(cpu);
      return;
    default:
      if (i.reg === 4) {
        smsw(cpu, i);
        return;
      }
      if (i.reg === 6) gp0(cpu); // lmsw
      // vmcall/vmx, monitor/mwait, clac/stac, xsetbv, xend/xtest, encls/enclu, svm, rdpkru, clzero…:
      // outside VMX, or features CPUID does not advertise (MONITOR, SMAP, OSXSAVE, RTM, SGX, PKU…): #UD.
      ud(cpu);
  }
}

// ---------------------------------------------------------------- registration

define(
  { map: 1, opcode: 0xa2, name: "cpuid", h: cpuid },
  { map: 1, opcode: 0x31, name: "rdtsc", h: rdtsc },
  { map: 0, opcode: 0xf8, name: "clc", h: clc },
  { map: 0, opcode: 0xf9, name: "stc", h: stc },
  { map: 0, opcode: 0xf5, name: "cmc", h: cmc },
  { map: 0, opcode: 0xfc, name: "cld", h: cld },
  { map: 0, opcode: 0xfd, name: "std", h: std },
  { map: 0, opcode: 0xfa, name: "cli", h: cliSti },
  { map: 0, opcode: 0xfb, name: "sti", h: cliSti },
  // lfence/mfence/sfence and clflush (0F AE /5 /6 /7) are registered by sem/sse-state.ts with the same
  // semantics; clflushopt is the 66-prefixed memory form of /7.
  { map: 1, opcode: 0xae, reg: 7, form: "mem", pfx: 0x66, name: "clflushopt", h: clflush },
  { map: 0, opcode: 0xc5, bits: 32, form: "mem", name: "lds", h: (c, i) => loadFar(c, i, SReg.DS) },
  { map: 0, opcode: 0xc4, bits: 32, form: "mem", name: "les", h: (c, i) => loadFar(c, i, SReg.ES) },
  { map: 1, opcode: 0xb2, form: "mem", name: "lss", h: (c, i) => loadFar(c, i, SReg.SS) },
  { map: 1, opcode: 0xb4, form: "mem", name: "lfs", h: (c, i) => loadFar(c, i, SReg.FS) },
  { map: 1, opcode: 0xb5, form: "mem", name: "lgs", h: (c, i) => loadFar(c, i, SReg.GS) },
  { map: 0, opcode: 0x63, bits: 32, name: "arpl", h: arpl },
  { map: 0, opcode: 0x62, bits: 32, form: "mem", name: "bound", h: bound },
  { map: 1, opcode: 0x01, reg: 0, form: "mem", name: "sgdt", h: sgdt },
  { map: 1, opcode: 0x01, reg: 1, form: "mem", name: "sidt", h: sgdt },
  { map: 1, opcode: 0x01, reg: 2, form: "mem", name: "lgdt", h: gp0 },
  { map: 1, opcode: 0x01, reg: 3, form: "mem", name: "lidt", h: gp0 },
  { map: 1, opcode: 0x01, reg: 4, form: "mem", name: "smsw", h: smsw },
  { map: 1, opcode: 0x01, reg: 6, form: "mem", name: "lmsw", h: gp0 },
  { map: 1, opcode: 0x01, reg: 7, form: "mem", name: "invlpg", h: gp0 },
  { map: 1, opcode: 0x01, form: "reg", name: "0f01", h: op0f01reg },
  { map: 1, opcode: 0x00, reg: 0, name: "sldt", h: sldt },
  { map: 1, opcode: 0x00, reg: 1, name: "str", h: str },
  { map: 1, opcode: 0x00, reg: 2, name: "lldt", h: gp0 },
  { map: 1, opcode: 0x00, reg: 3, name: "ltr", h: gp0 },
  { map: 1, opcode: 0x00, reg: 4, name: "verr", h: verrw },
  { map: 1, opcode: 0x00, reg: 5, name: "verw", h: verrw },
  { map: 1, opcode: 0x02, name: "lar", h: lar },
  { map: 1, opcode: 0x03, name: "lsl", h: lar },
  { map: 1, opcode: 0x06, name: "clts", h: gp0 },
  { map: 1, opcode: 0x08, name: "invd", h: gp0 },
  { map: 1, opcode: 0x09, name: "wbinvd", h: gp0 },
  { map: 1, opcode: 0x30, name: "wrmsr", h: gp0 },
  { map: 1, opcode: 0x32, name: "rdmsr", h: gp0 },
  { map: 1, opcode: 0x33, name: "rdpmc", h: gp0 },
);
for (const op of [0x20, 0x21, 0x22, 0x23]) define({ map: 1, opcode: op, name: "mov cr/dr", h: gp0 });
// in/out (E4–E7, EC–EF): CPL 3 > IOPL and no I/O permission bitmap on Windows → #GP(0).
for (const op of [0xe4, 0xe5, 0xe6, 0xe7, 0xec, 0xed, 0xee, 0xef]) {
  define({ map: 0, opcode: op, name: op & 2 ? "out" : "in", h: gp0 });
}
