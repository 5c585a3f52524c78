/**
 * Control transfer: jcc, jmp, call, ret, loop/jcxz, far jmp/call/retf/iret (mode switches between
 * 64-bit code, CS = 0x33, and compatibility mode, CS = 0x23), enter/leave, and the instructions that
 * always trap in Windows user mode (int3, int n, into, ud0/1/2, hlt, syscall/sysenter…).
 * Every handler here is `branch: true`: it always sets `cpu.rip`.
 *
 * Near branches in 64-bit mode use 64-bit operand size whatever the 66 prefix (Intel behaviour, as
 * iced-x86 decodes it; SDM Vol. 2A JMP/Jcc/CALL, Vol. 1 3.6.1: "near branches … forced to 64 bits").
 * The target must be canonical, else #GP(0) at the branch (Intel reports the fault on the branch).
 * In 32-bit mode a 16-bit operand size truncates the target to 16 bits (EIP ← tempEIP AND 0000FFFFH).
 */
import { addr64, SReg, type Cpu, type StopReason } from "../cpu";
import { define } from "../dispatch";
import type { Insn } from "../decoder/insn";
import { NT, RF, TF, USER_WRITABLE } from "../flags";
import { readE, simm } from "./operands";
import { readSlot, setSp, spLinear, spOff, stackAddr64, stackSize, writeSlot } from "./stack";

const TWO32 = 4294967296;
const TWO64 = 18446744073709551616;
/** 2^47: first non-canonical address above the user half. */
const CANON = 0x800000000000;
const SYSCALL_STOP: StopReason = { kind: "syscall" };

/**
 * Set RIP to a 64-bit-mode near target computed as a double (ip + len + rel). Canonical user addresses are
 * exact; a negative value is a kernel-half address (canonical: the jump happens, the fetch faults);
 * anything else is non-canonical: #GP(0) with RIP still at the branch.
 */
function jump64(cpu: Cpu, t: number): void {
  if (t >= 0 && t < CANON) cpu.rip = t;
  else if (t < 0 && t >= -CANON) cpu.rip = t + TWO64;
  else cpu.fault("GP", { errorCode: 0, detail: "non-canonical branch target" });
}

/** Near target from a 64-bit register/memory value (lo, hi): #GP(0) when non-canonical. */
function target64(cpu: Cpu, lo: number, hi: number): number {
  const t = addr64(lo, hi);
  if (t < 0) cpu.fault("GP", { errorCode: 0, detail: "non-canonical branch target" });
  return t;
}

// ---------------------------------------------------------------- jcc / jmp rel

function jcc64(cpu: Cpu, i: Insn): void {
  const n = i.ip + i.len;
  if (cpu.flags.cond(i.opcode & 15)) jump64(cpu, n + simm(i));
  else cpu.rip = n;
}

function jcc32(cpu: Cpu, i: Insn): void {
  const n = i.ip + i.len;
  if (!cpu.flags.cond(i.opcode & 15)) cpu.rip = n;
  else if (i.opsize === 16) cpu.rip = (n + simm(i)) & 0xffff;
  else cpu.rip = (n + simm(i)) >>> 0;
}

/** E9 jmp rel32 / EB jmp rel8. */
function jmpRel64(cpu: Cpu, i: Insn): void {
  jump64(cpu, i.ip + i.len + simm(i));
}

function jmpRel32(cpu: Cpu, i: Insn): void {
  const t = i.ip + i.len + simm(i);
  cpu.rip = i.opsize === 16 ? t & 0xffff : t >>> 0;
}

// ---------------------------------------------------------------- call / ret near

/** E8 call rel32 (64-bit): target checked before the push (SDM CALL: "IF tempRIP is not canonical"). */
function callRel64(cpu: Cpu, i: Insn): void {
  const n = i.ip + i.len;
  const t = n + simm(i);
  if (!(t >= 0 && t < CANON) && !(t < 0 && t >= -CANON)) {
    cpu.fault("GP", { errorCode: 0, detail: "non-canonical branch target" });
  }
  cpu.push(64, n | 0, Math.floor(n / TWO32) | 0);
  cpu.rip = t < 0 ? t + TWO64 : t;
}

function callRel32(cpu: Cpu, i: Insn): void {
  const n = i.ip + i.len;
  const t = n + simm(i);
  if (i.opsize === 16) {
    cpu.push(16, n);
    cpu.rip = t & 0xffff;
  } else {
    cpu.push(32, n);
    cpu.rip = t >>> 0;
  }
}

/** FF /2 call r/m64 (the operand is read before the push, so [rsp] means the old RSP). */
function callE64(cpu: Cpu, i: Insn): void {
  const lo = readE(cpu, i, 64);
  const t = target64(cpu, lo, cpu.th);
  const n = i.ip + i.len;
  cpu.push(64, n | 0, Math.floor(n / TWO32) | 0);
  cpu.rip = t;
}

function callE32(cpu: Cpu, i: Insn): void {
  const n = i.ip + i.len;
  if (i.opsize === 16) {
    const t = readE(cpu, i, 16);
    cpu.push(16, n);
    cpu.rip = t;
  } else {
    const t = readE(cpu, i, 32);
    cpu.push(32, n);
    cpu.rip = t >>> 0;
  }
}

/** FF /4 jmp r/m. */
function jmpE64(cpu: Cpu, i: Insn): void {
  const lo = readE(cpu, i, 64);
  cpu.rip = target64(cpu, lo, cpu.th);
}

function jmpE32(cpu: Cpu, i: Insn): void {
  cpu.rip = i.opsize === 16 ? readE(cpu, i, 16) : readE(cpu, i, 32) >>> 0;
}

/** C3 ret / C2 ret imm16 (64-bit): RSP += 8 + imm16 after the (canonical) return address is read. */
function ret64(cpu: Cpu, i: Insn): void {
  const a = spLinear(cpu, true);
  const lo = cpu.rd64(a);
  const t = target64(cpu, lo, cpu.th);
  cpu.addSp(8 + (i.opcode === 0xc2 ? i.imm & 0xffff : 0));
  cpu.rip = t;
}

function ret32(cpu: Cpu, i: Insn): void {
  const a = cpu.lo[4] >>> 0;
  const extra = i.opcode === 0xc2 ? i.imm & 0xffff : 0;
  if (i.opsize === 16) {
    const t = cpu.rd16(a);
    cpu.addSp(2 + extra);
    cpu.rip = t;
  } else {
    const t = cpu.rd32(a);
    cpu.addSp(4 + extra);
    cpu.rip = t >>> 0;
  }
}

// ---------------------------------------------------------------- loop / jcxz

/**
 * E0 loopne / E1 loope / E2 loop: decrement the count register selected by the address size (rCX, ECX
 * with 67 in 64-bit mode, CX with 67 in 32-bit mode), flags unaffected, branch while count ≠ 0 (and ZF
 * condition). A 32-bit count write zero-extends into RCX.
 */
function loop(cpu: Cpu, i: Insn): void {
  let nz: boolean;
  const lo = cpu.lo;
  switch (i.adsize) {
    case 64: {
      const l = lo[1];
      const h = (cpu.hi[1] - (l === 0 ? 1 : 0)) | 0;
      const nl = (l - 1) | 0;
      lo[1] = nl;
      cpu.hi[1] = h;
      nz = (nl | h) !== 0;
      break;
    }
    case 32:
      lo[1] = (lo[1] - 1) | 0;
      cpu.hi[1] = 0;
      nz = lo[1] !== 0;
      break;
    default: {
      const c = (lo[1] - 1) & 0xffff;
      lo[1] = (lo[1] & ~0xffff) | c;
      nz = c !== 0;
    }
  }
  if (nz && i.opcode !== 0xe2) nz = cpu.flags.zf() === (i.opcode === 0xe1 ? 1 : 0);
  branchIf(cpu, i, nz);
}

/** E3 jcxz / jecxz / jrcxz (by address size). */
function jcxz(cpu: Cpu, i: Insn): void {
  let z: boolean;
  switch (i.adsize) {
    case 64:
      z = (cpu.lo[1] | cpu.hi[1]) === 0;
      break;
    case 32:
      z = cpu.lo[1] === 0;
      break;
    default:
      z = (cpu.lo[1] & 0xffff) === 0;
  }
  branchIf(cpu, i, z);
}

function branchIf(cpu: Cpu, i: Insn, taken: boolean): void {
  const n = i.ip + i.len;
  if (!taken) cpu.rip = n;
  else if (i.bits === 64) jump64(cpu, n + simm(i));
  else if (i.opsize === 16) cpu.rip = (n + simm(i)) & 0xffff;
  else cpu.rip = (n + simm(i)) >>> 0;
}

// ---------------------------------------------------------------- far transfers

/**
 * Load CS for a far transfer and compute the new RIP from the offset (lo, hi) of `size` bits, in the
 * target mode. A non-canonical 64-bit target, or an offset above 4 GB for a 32-bit target (beyond the
 * flat CS limit), is #GP(0) with CS and the mode restored, so the fault is precise.
 */
function farTarget(cpu: Cpu, sel: number, lo: number, hi: number, size: number, isReturn = false): number {
  const oldCs = cpu.sreg[SReg.CS];
  const oldMode = cpu.mode64;
  cpu.loadCS(sel, isReturn);
  if (size === 16) return lo & 0xffff;
  if (size === 32) return lo >>> 0;
  const t = cpu.mode64 ? addr64(lo, hi) : hi === 0 ? lo >>> 0 : -1;
  if (t < 0) {
    cpu.sreg[SReg.CS] = oldCs;
    cpu.mode64 = oldMode;
    cpu.fault("GP", { errorCode: 0, detail: "far transfer target out of range" });
  }
  return t;
}

/** EA jmp ptr16:16/32 (32-bit mode only). */
function jmpFarPtr(cpu: Cpu, i: Insn): void {
  cpu.rip = farTarget(cpu, i.imm2 & 0xffff, i.imm, 0, i.opsize === 16 ? 16 : 32);
}

/**
 * Far pointer operand m16:16 / m16:32 / m16:64 (REX.W, Intel): offset first, then the selector
 * (SDM Vol. 2A JMP/CALL "FF /5, FF /3"). Returns the offset lo, hi in th, selector in `farSel`.
 */
let farSel = 0;
function readFarPtr(cpu: Cpu, i: Insn): number {
  const a = cpu.ea(i);
  const size = i.opsize;
  let lo: number;
  let hi = 0;
  if (size === 64) {
    lo = cpu.rd64(a);
    hi = cpu.th;
  } else lo = size === 32 ? cpu.rd32(a) : cpu.rd16(a);
  farSel = cpu.rd16(a + (size >> 3));
  cpu.th = hi;
  return lo;
}

/** FF /5 jmp m16:xx. */
function jmpFarMem(cpu: Cpu, i: Insn): void {
  const lo = readFarPtr(cpu, i);
  cpu.rip = farTarget(cpu, farSel, lo, cpu.th, i.opsize);
}

/**
 * Far call: push CS then the return offset, both operand-size wide, on the current stack (the CS slot
 * zero-extended), then continue at sel:offset, switching modes per the new CS descriptor. The stack slots
 * are checked before CS is loaded, and nothing is committed until everything that can fault has run.
 */
function callFar(cpu: Cpu, i: Insn, sel: number, lo: number, hi: number): void {
  const size = i.opsize;
  const n = size >> 3;
  const m64 = cpu.mode64;
  const sp = spLinear(cpu, m64);
  const aCs = spOff(sp, -n, m64);
  const aIp = spOff(sp, -2 * n, m64);
  cpu.probeWrite(aCs, n);
  cpu.probeWrite(aIp, n);
  const oldCs = cpu.sreg[SReg.CS];
  const ret = i.ip + i.len;
  const t = farTarget(cpu, sel, lo, hi, size);
  writeSlot(cpu, aCs, size, oldCs, 0);
  writeSlot(cpu, aIp, size, ret | 0, size === 64 ? Math.floor(ret / TWO32) | 0 : 0);
  setSp(cpu, m64, aIp);
  cpu.rip = t;
}

/** 9A call ptr16:16/32 (32-bit mode only). */
function callFarPtr(cpu: Cpu, i: Insn): void {
  callFar(cpu, i, i.imm2 & 0xffff, i.imm, 0);
}

/** FF /3 call m16:xx. */
function callFarMem(cpu: Cpu, i: Insn): void {
  const lo = readFarPtr(cpu, i);
  callFar(cpu, i, farSel, lo, cpu.th);
}

/**
 * CB retf / CA retf imm16 to the same privilege level (SDM Vol. 2B RET): pop the offset and the CS slot
 * (operand-size wide: 32 by default also in 64-bit mode, REX.W 64, 66 16), load CS (mode switch), then
 * release 2 slots + imm16 bytes of the stack that was current at the instruction.
 */
function retf(cpu: Cpu, i: Insn): void {
  const size = i.opsize;
  const n = size >> 3;
  const m64 = cpu.mode64;
  const sp = spLinear(cpu, m64);
  const lo = readSlot(cpu, sp, size);
  const hi = cpu.th;
  const sel = readSlot(cpu, spOff(sp, n, m64), size) & 0xffff;
  const t = farTarget(cpu, sel, lo, hi, size, true);
  setSp(cpu, m64, spOff(sp, 2 * n + (i.opcode === 0xca ? i.imm & 0xffff : 0), m64));
  cpu.rip = t;
}

/**
 * CF iret/iretd/iretq at CPL 3 to CPL 3 (SDM Vol. 2A IRET, IA-32e-MODE): NT = 1 is #GP(0). Pops RIP, CS,
 * RFLAGS; when the instruction began in 64-bit mode also RSP and SS (operand-size slots; iretd is the
 * default in 64-bit mode, REX.W iretq). EFLAGS: CF PF AF ZF SF TF DF OF NT RF AC ID from the image; IF,
 * IOPL, VIF, VIP, VM unchanged (CPL > IOPL, CPL ≠ 0). 16-bit operand size loads FLAGS[15:0] only.
 */
function iret(cpu: Cpu, i: Insn): void {
  if (cpu.flags.get() & NT) cpu.fault("GP", { errorCode: 0 });
  const size = i.opsize;
  const n = size >> 3;
  const m64 = cpu.mode64;
  const sp = spLinear(cpu, m64);
  const ipLo = readSlot(cpu, sp, size);
  const ipHi = cpu.th;
  const cs = readSlot(cpu, spOff(sp, n, m64), size) & 0xffff;
  const fl = readSlot(cpu, spOff(sp, 2 * n, m64), size);
  let newSpLo = 0;
  let newSpHi = 0;
  let ss = 0;
  if (m64) {
    newSpLo = readSlot(cpu, spOff(sp, 3 * n, m64), size);
    newSpHi = cpu.th;
    ss = readSlot(cpu, spOff(sp, 4 * n, m64), size) & 0xffff;
    // Returning to CPL 3 with a null SS is #GP(SS selector) (SDM IRET, "IF SS selector is NULL").
    if ((ss & 0xfffc) === 0) cpu.fault("GP", { errorCode: 0 });
  }
  const oldCs = cpu.sreg[SReg.CS];
  const t = farTarget(cpu, cs, ipLo, ipHi, size, true);
  if (m64) {
    const oldSs = cpu.sreg[SReg.SS];
    const oldSsBase = cpu.sbase[SReg.SS];
    try {
      cpu.loadSeg(SReg.SS, ss);
    } catch (e) {
      cpu.sreg[SReg.CS] = oldCs;
      cpu.mode64 = true;
      cpu.sreg[SReg.SS] = oldSs;
      cpu.sbase[SReg.SS] = oldSsBase;
      throw e;
    }
    if (size === 64) {
      cpu.lo[4] = newSpLo;
      cpu.hi[4] = newSpHi;
    } else {
      cpu.lo[4] = size === 32 ? newSpLo : (cpu.lo[4] & ~0xffff) | newSpLo;
      if (size === 32) cpu.hi[4] = 0;
    }
  } else {
    setSp(cpu, false, spOff(sp, 3 * n, false));
  }
  if (size === 16) cpu.flags.setFlags(USER_WRITABLE & 0xffff, fl);
  else cpu.flags.setFlags(USER_WRITABLE | RF, fl);
  cpu.rip = t;
  if (cpu.flags.bits & TF) cpu.exitBlock = true; // single-step from the next instruction (Cpu.run)
}

// ---------------------------------------------------------------- enter / leave

/**
 * C8 enter imm16, imm8 (SDM Vol. 2A ENTER): push rBP, copy nesting-level − 1 frame pointers from the old
 * frame, push the new frame pointer (level > 0), rBP ← frame, rSP −= imm16. Like the processor, it ends
 * with a write check of the final stack pointer. RSP/RBP are committed only when nothing faulted.
 */
function enter(cpu: Cpu, i: Insn): void {
  const alloc = i.imm & 0xffff;
  let level = i.imm2 & 31;
  const size = stackSize(cpu, i);
  const n = size >> 3;
  const m64 = cpu.mode64;
  let sp = spOff(spLinear(cpu, m64), -n, m64);
  writeSlot(cpu, sp, size, cpu.lo[5], cpu.hi[5]);
  const frame = sp;
  if (level > 0) {
    let bp = m64 ? stackAddr64(cpu, cpu.lo[5], cpu.hi[5]) : cpu.lo[5] >>> 0;
    while (--level > 0) {
      bp = spOff(bp, -n, m64);
      const v = readSlot(cpu, bp, size);
      const vh = cpu.th;
      sp = spOff(sp, -n, m64);
      writeSlot(cpu, sp, size, v, vh);
    }
    sp = spOff(sp, -n, m64);
    writeSlot(cpu, sp, size, frame | 0, m64 ? Math.floor(frame / TWO32) | 0 : 0);
  }
  sp = spOff(sp, -alloc, m64);
  cpu.probeWrite(sp, n);
  setSp(cpu, m64, sp);
  if (size === 16) cpu.lo[5] = (cpu.lo[5] & ~0xffff) | (frame & 0xffff);
  else {
    cpu.lo[5] = frame | 0;
    cpu.hi[5] = m64 ? Math.floor(frame / TWO32) | 0 : 0;
  }
  cpu.rip = i.ip + i.len;
}

/** C9 leave: rSP ← rBP (stack width), then pop rBP (operand size). */
function leave(cpu: Cpu, i: Insn): void {
  const size = stackSize(cpu, i);
  const m64 = cpu.mode64;
  const bp = m64 ? stackAddr64(cpu, cpu.lo[5], cpu.hi[5]) : cpu.lo[5] >>> 0;
  const v = readSlot(cpu, bp, size);
  const vh = cpu.th;
  setSp(cpu, m64, spOff(bp, size >> 3, m64));
  if (size === 16) cpu.lo[5] = (cpu.lo[5] & ~0xffff) | v;
  else {
    cpu.lo[5] = v;
    cpu.hi[5] = vh;
  }
  cpu.rip = i.ip + i.len;
}

// ---------------------------------------------------------------- traps and system calls

/**
 * CC int3 (and CD 03): #BP. The fault's rip is the int3 itself (the OS layer reports
 * EXCEPTION_BREAKPOINT there, like Windows, which backs up over the trap).
 */
function int3(cpu: Cpu): void {
  cpu.fault("BP");
}

/**
 * CD ib int n. Windows' IDT gates other than 3 are DPL 0 for user mode except the fast-fail/assert/
 * system-service ones, which the OS layer recognises from `detail`; everything raises #GP with the IDT
 * error code (n × 8 + 2: IDT bit set) as the hardware does for a DPL violation (SDM Vol. 3A 6.13).
 */
function intN(cpu: Cpu, i: Insn): void {
  const v = i.imm & 0xff;
  if (v === 3) cpu.fault("BP");
  cpu.fault("GP", { errorCode: v * 8 + 2, detail: `int 0x${v.toString(16)}` });
}

/** F1 int1/icebp: #DB (a trap; the fault's rip is the instruction, as for every fault of the core). */
function int1(cpu: Cpu): void {
  cpu.fault("DB", { detail: "int1" });
}

/** CE into (32-bit mode): #OF when OF = 1, else nothing. */
function into(cpu: Cpu, i: Insn): void {
  if (cpu.flags.of()) cpu.fault("OF");
  cpu.rip = i.ip + i.len;
}

function ud(cpu: Cpu): void {
  cpu.fault("UD");
}

/** Privileged at CPL 3: #GP(0). */
function gp0(cpu: Cpu): void {
  cpu.fault("GP", { errorCode: 0 });
}

/**
 * 0F 05 syscall (64-bit mode): RCX ← next RIP, R11 ← RFLAGS, RIP ← next, then stop `run` so the OS layer
 * (TypeScript) performs the service and resumes at RIP. The kernel-side masking (IA32_FMASK) and sysret's
 * restore are the OS layer's business.
 */
function syscall(cpu: Cpu, i: Insn): void {
  const n = i.ip + i.len;
  cpu.lo[1] = n | 0;
  cpu.hi[1] = Math.floor(n / TWO32) | 0;
  cpu.lo[11] = cpu.flags.get();
  cpu.hi[11] = 0;
  cpu.rip = n;
  cpu.requestStop(SYSCALL_STOP);
}

// ---------------------------------------------------------------- registration

for (let cc = 0; cc < 16; cc++) {
  define(
    { map: 0, opcode: 0x70 + cc, bits: 64, branch: true, name: "jcc", h: jcc64 },
    { map: 0, opcode: 0x70 + cc, bits: 32, branch: true, name: "jcc", h: jcc32 },
    { map: 1, opcode: 0x80 + cc, bits: 64, branch: true, name: "jcc", h: jcc64 },
    { map: 1, opcode: 0x80 + cc, bits: 32, branch: true, name: "jcc", h: jcc32 },
  );
}

define(
  { map: 0, opcode: 0xe9, bits: 64, branch: true, name: "jmp", h: jmpRel64 },
  { map: 0, opcode: 0xe9, bits: 32, branch: true, name: "jmp", h: jmpRel32 },
  { map: 0, opcode: 0xeb, bits: 64, branch: true, name: "jmp", h: jmpRel64 },
  { map: 0, opcode: 0xeb, bits: 32, branch: true, name: "jmp", h: jmpRel32 },
  { map: 0, opcode: 0xe8, bits: 64, branch: true, name: "call", h: callRel64 },
  { map: 0, opcode: 0xe8, bits: 32, branch: true, name: "call", h: callRel32 },
  { map: 0, opcode: 0xff, reg: 2, bits: 64, branch: true, name: "call", h: callE64 },
  { map: 0, opcode: 0xff, reg: 2, bits: 32, branch: true, name: "call", h: callE32 },
  { map: 0, opcode: 0xff, reg: 4, bits: 64, branch: true, name: "jmp", h: jmpE64 },
  { map: 0, opcode: 0xff, reg: 4, bits: 32, branch: true, name: "jmp", h: jmpE32 },
  { map: 0, opcode: 0xc3, bits: 64, branch: true, name: "ret", h: ret64 },
  { map: 0, opcode: 0xc3, bits: 32, branch: true, name: "ret", h: ret32 },
  { map: 0, opcode: 0xc2, bits: 64, branch: true, name: "ret", h: ret64 },
  { map: 0, opcode: 0xc2, bits: 32, branch: true, name: "ret", h: ret32 },
  { map: 0, opcode: 0xe0, branch: true, name: "loopne", h: loop },
  { map: 0, opcode: 0xe1, branch: true, name: "loope", h: loop },
  { map: 0, opcode: 0xe2, branch: true, name: "loop", h: loop },
  { map: 0, opcode: 0xe3, branch: true, name: "jcxz", h: jcxz },
  { map: 0, opcode: 0xea, bits: 32, branch: true, name: "jmp far", h: jmpFarPtr },
  { map: 0, opcode: 0x9a, bits: 32, branch: true, name: "call far", h: callFarPtr },
  { map: 0, opcode: 0xff, reg: 5, form: "mem", branch: true, name: "jmp far", h: jmpFarMem },
  { map: 0, opcode: 0xff, reg: 3, form: "mem", branch: true, name: "call far", h: callFarMem },
  { map: 0, opcode: 0xcb, branch: true, name: "retf", h: retf },
  { map: 0, opcode: 0xca, branch: true, name: "retf", h: retf },
  { map: 0, opcode: 0xcf, branch: true, name: "iret", h: iret },
  { map: 0, opcode: 0xc8, branch: true, name: "enter", h: enter },
  { map: 0, opcode: 0xc9, branch: true, name: "leave", h: leave },
  { map: 0, opcode: 0xcc, branch: true, name: "int3", h: int3 },
  { map: 0, opcode: 0xcd, branch: true, name: "int", h: intN },
  { map: 0, opcode: 0xf1, branch: true, name: "int1", h: int1 },
  { map: 0, opcode: 0xce, bits: 32, branch: true, name: "into", h: into },
  { map: 1, opcode: 0x0b, branch: true, name: "ud2", h: ud },
  { map: 1, opcode: 0xb9, branch: true, name: "ud1", h: ud },
  { map: 1, opcode: 0xff, branch: true, name: "ud0", h: ud },
  { map: 0, opcode: 0xf4, branch: true, name: "hlt", h: gp0 },
  { map: 1, opcode: 0x05, bits: 64, branch: true, name: "syscall", h: syscall },
  // syscall in compatibility mode is #UD on Intel (SDM Vol. 2B SYSCALL: "#UD … not in 64-bit mode").
  { map: 1, opcode: 0x05, bits: 32, branch: true, name: "syscall", h: ud },
  // sysenter: IA32_SYSENTER_CS is 0 on 64-bit Windows, so #GP(0) in both modes (SDM SYSENTER);
  // sysexit/sysret need CPL 0: #GP(0) (sysret is #UD outside 64-bit mode).
  { map: 1, opcode: 0x34, branch: true, name: "sysenter", h: gp0 },
  { map: 1, opcode: 0x35, branch: true, name: "sysexit", h: gp0 },
  { map: 1, opcode: 0x07, bits: 64, branch: true, name: "sysret", h: gp0 },
  { map: 1, opcode: 0x07, bits: 32, branch: true, name: "sysret", h: ud },
);
