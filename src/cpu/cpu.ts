/**
 * The x86/x64 CPU: register file, segment/mode state, software TLB over a `Bus`, the operand helpers the
 * semantic families use, and the run loop over cached basic blocks.
 *
 * Conventions for handlers (src/cpu/sem):
 * - On entry `cpu.rip` is the address of the instruction being executed (`i.ip`).
 * - A non-branch handler never writes `rip`; the run loop advances it.
 * - A handler registered with `branch: true` always sets `rip` (fall-through included).
 * - A handler raises a fault with `cpu.fault(...)` (it throws inside the core; run/step catch it). It must
 *   do every access that can fault before it commits any state, so faults are precise.
 * - 64-bit values are (lo, hi) pairs of int32. Functions that produce one return lo and leave hi in `cpu.th`.
 */
import { Access, type Bus, type BusFault, type PhysPage, isBusFault, PAGE_MASK } from "./bus";
import { CpuFault, type Fault, type FaultVector, type AccessKind } from "./fault";
import { Flags, TF } from "./flags";
import { Insn, RIP_BASE, NO_REG } from "./decoder/insn";
import { Fpu } from "./fpu";
import { BlockCache, type Block } from "./block";

export const enum Reg {
  RAX = 0,
  RCX = 1,
  RDX = 2,
  RBX = 3,
  RSP = 4,
  RBP = 5,
  RSI = 6,
  RDI = 7,
  R8 = 8,
  R9 = 9,
  R10 = 10,
  R11 = 11,
  R12 = 12,
  R13 = 13,
  R14 = 14,
  R15 = 15,
}

/** Segment register indices (hardware encoding). */
export const enum SReg {
  ES = 0,
  CS = 1,
  SS = 2,
  DS = 3,
  FS = 4,
  GS = 5,
}

/** A code/data descriptor as the CPU needs it. */
export interface Descriptor {
  /** Code segment: 64-bit (L=1). */
  long: boolean;
  /** Code segment: default operand size 32 (D=1) when not long. */
  db: boolean;
  code: boolean;
  base: number;
  present: boolean;
}

export type StopReason =
  | { kind: "budget" }
  | { kind: "step" }
  | { kind: "breakpoint"; address: number }
  | { kind: "fault"; fault: Fault }
  | { kind: "syscall" }
  | { kind: "halt"; reason: string }
  | { kind: "stop"; reason: string };

const TLB_BITS = 10;
const TLB_SIZE = 1 << TLB_BITS;
const TLB_MASK = TLB_SIZE - 1;
const TWO32 = 4294967296;
/** Lowest address that is not a user-mode canonical address. */
export const USER_LIMIT = 0x800000000000;

/** Page number of a linear address held in a double. */
function pageOf(a: number): number {
  return a < TWO32 ? a >>> 12 : Math.floor(a / 4096);
}

export class Cpu {
  /** GPRs, low and high 32 bits. */
  readonly lo = new Int32Array(16);
  readonly hi = new Int32Array(16);
  /** High half of the last 64-bit value a helper returned. */
  th = 0;
  rip = 0;
  readonly flags = new Flags();

  /** Segment selectors. */
  readonly sreg = new Uint16Array(6);
  /** Segment bases in effect (only FS/GS are non-zero in practice). */
  readonly sbase = new Float64Array(6);
  /** Descriptor table (GDT as user mode sees it), by selector index (selector >> 3). */
  readonly descriptors = new Map<number, Descriptor>();
  /** 64-bit mode (CS.L = 1); false means 32-bit compatibility (or protected) mode. */
  mode64 = true;

  /** XMM0..15 (4 dwords each), with float views on the same bytes. */
  readonly xmm = new Int32Array(64);
  readonly xmmF32 = new Float32Array(this.xmm.buffer);
  readonly xmmF64 = new Float64Array(this.xmm.buffer);
  mxcsr = 0x1f80;
  readonly fpu = new Fpu();

  /** Instructions retired; rdtsc derives from it. */
  icount = 0;

  /** Addresses where execution stops before the instruction runs. */
  readonly breakpoints = new Set<number>();

  readonly bus: Bus;
  readonly blocks: BlockCache;

  /** Set by handlers to end `run` after the current instruction (syscall, hlt…). */
  pendingStop: StopReason | undefined = undefined;

  // Software TLB: one direct-mapped table per access kind. Tag = linear page number, -1 = empty.
  readonly rTag = new Float64Array(TLB_SIZE).fill(-1);
  private readonly rPage: (PhysPage | undefined)[] = new Array<PhysPage | undefined>(TLB_SIZE);
  readonly wTag = new Float64Array(TLB_SIZE).fill(-1);
  private readonly wPage: (PhysPage | undefined)[] = new Array<PhysPage | undefined>(TLB_SIZE);
  readonly xTag = new Float64Array(TLB_SIZE).fill(-1);
  private readonly xPage: (PhysPage | undefined)[] = new Array<PhysPage | undefined>(TLB_SIZE);
  /** The bus epoch the TLB (and the blocks' execute checks) are in sync with. */
  busEpoch = -1;
  private readonly faultObj = new CpuFault();

  constructor(bus: Bus) {
    this.bus = bus;
    this.blocks = new BlockCache(this);
    // The selectors of 64-bit Windows user mode (and Linux: the same numbers).
    this.descriptors.set(0x23 >> 3, { long: false, db: true, code: true, base: 0, present: true });
    this.descriptors.set(0x2b >> 3, { long: false, db: true, code: false, base: 0, present: true });
    this.descriptors.set(0x33 >> 3, { long: true, db: false, code: true, base: 0, present: true });
    this.descriptors.set(0x53 >> 3, { long: false, db: true, code: false, base: 0, present: true });
    this.sreg[SReg.CS] = 0x33;
    this.sreg[SReg.SS] = 0x2b;
    this.sreg[SReg.DS] = 0x2b;
    this.sreg[SReg.ES] = 0x2b;
    this.sreg[SReg.FS] = 0x53;
    this.sreg[SReg.GS] = 0x2b;
  }

  // ---------------------------------------------------------------- modes and segments

  /** Put the CPU in 64-bit mode (CS = 0x33) or 32-bit compatibility mode (CS = 0x23). */
  setMode(bits: 32 | 64): void {
    this.sreg[SReg.CS] = bits === 64 ? 0x33 : 0x23;
    this.mode64 = bits === 64;
  }

  get bits(): 32 | 64 {
    return this.mode64 ? 64 : 32;
  }

  /**
   * Load CS for a far transfer (jmp/call far, retf, iret). Raises #GP(selector) for a selector that is
   * not a present user code segment. Mode follows the descriptor's L bit.
   */
  loadCS(sel: number, isReturn = false): void {
    const d = this.descriptors.get(sel >> 3);
    // jmp/call far to a non-conforming code segment needs RPL <= CPL (always true at CPL 3) and CS.RPL
    // becomes the CPL; a far return needs RPL = CPL here (a lower RPL would be an inner privilege level).
    // SDM Vol. 2 JMP/CALL/RET "far" operation, protected mode.
    if ((isReturn && (sel & 3) !== 3) || !d || !d.code || (sel & 4) !== 0) {
      this.fault("GP", { errorCode: sel & 0xfffc });
    }
    if (!d.present) this.fault("NP", { errorCode: sel & 0xfffc });
    const hook = this.onLoadCS;
    const before = hook === undefined ? 0 : this.sreg[SReg.CS];
    this.sreg[SReg.CS] = sel | 3;
    this.mode64 = d.long;
    if (hook !== undefined && before !== (sel | 3)) hook(before, sel | 3);
  }

  /**
   * Called by a far transfer that changed CS (the debugger's mode-switch stop: it calls `requestStop`, so
   * the run ends after the instruction). Unset (the default) it costs one field read per far transfer.
   */
  onLoadCS: ((from: number, to: number) => void) | undefined = undefined;

  /** Load a data segment register (mov sreg, pop sreg). */
  loadSeg(seg: number, sel: number): void {
    if (seg === SReg.CS) this.fault("UD");
    if ((sel & 0xfffc) === 0) {
      // A null SS is allowed only at CPL < 3 in 64-bit mode; user mode always gets #GP(0) (SDM MOV/POP).
      if (seg === SReg.SS) this.fault("GP", { errorCode: 0 });
      this.sreg[seg] = sel;
      if (!this.mode64 || seg < SReg.FS) this.sbase[seg] = 0;
      return;
    }
    const d = this.descriptors.get(sel >> 3);
    if (!d || (sel & 4) !== 0) this.fault("GP", { errorCode: sel & 0xfffc });
    // SS needs a writable data segment with RPL = DPL = CPL (3). DS/ES/FS/GS take a data or readable code
    // segment whose DPL >= max(CPL, RPL): every user descriptor has DPL 3, so any RPL is accepted and the
    // selector is loaded unchanged (SDM Vol. 2B MOV "Operation", protected mode).
    if (seg === SReg.SS && (d.code || (sel & 3) !== 3)) this.fault("GP", { errorCode: sel & 0xfffc });
    if (!d.present) this.fault(seg === SReg.SS ? "SS" : "NP", { errorCode: sel & 0xfffc });
    this.sreg[seg] = sel;
    // In 64-bit mode only FS/GS have bases, and loading a selector loads the (32-bit) descriptor base.
    if (seg >= SReg.FS || !this.mode64) this.sbase[seg] = seg >= SReg.FS ? d.base : 0;
  }

  get fsBase(): number {
    return this.sbase[SReg.FS];
  }
  set fsBase(v: number) {
    this.sbase[SReg.FS] = v;
  }
  get gsBase(): number {
    return this.sbase[SReg.GS];
  }
  set gsBase(v: number) {
    this.sbase[SReg.GS] = v;
  }

  // ---------------------------------------------------------------- flags

  getEflags(): number {
    return this.flags.get();
  }

  setEflags(v: number): void {
    this.flags.set(v);
  }

  // ---------------------------------------------------------------- faults

  /** Raise a fault from inside a handler or accessor. Never returns. */
  fault(
    vector: FaultVector,
    o?: { address?: number; access?: AccessKind; errorCode?: number; status?: number; detail?: string },
  ): never {
    const f = this.faultObj;
    f.vector = vector;
    f.address = o?.address;
    f.access = o?.access;
    f.errorCode = o?.errorCode ?? 0;
    f.status = o?.status ?? 0;
    f.detail = o?.detail ?? "";
    throw f;
  }

  private toFault(e: unknown): Fault {
    if (e instanceof CpuFault) {
      const f: Fault = { vector: e.vector, rip: this.rip };
      if (e.address !== undefined) f.address = e.address;
      if (e.access !== undefined) f.access = e.access;
      if (e.errorCode) f.errorCode = e.errorCode;
      if (e.status) f.status = e.status;
      if (e.detail) f.detail = e.detail;
      return f;
    }
    // A JavaScript error inside the core is our bug; report it as a typed stop, never let it escape.
    const msg = e instanceof Error ? `${e.name}: ${e.message}` : String(e);
    return { vector: "UD", rip: this.rip, detail: `internal error: ${msg}` };
  }

  // ---------------------------------------------------------------- memory

  private checkEpoch(): void {
    if (this.bus.epoch !== this.busEpoch) {
      this.busEpoch = this.bus.epoch;
      this.flushTlb();
    }
  }

  flushTlb(): void {
    this.rTag.fill(-1);
    this.wTag.fill(-1);
    this.xTag.fill(-1);
    this.rPage.fill(undefined);
    this.wPage.fill(undefined);
    this.xPage.fill(undefined);
  }

  /** Translate for an access, filling the TLB; on a hooked page performs the hook and returns the page uncached. */
  private fill(a: number, size: number, access: Access): PhysPage {
    if (a < 0 || a >= USER_LIMIT) {
      // a < 0 marks a non-canonical address (see `ea`): #GP; a canonical kernel address: #PF.
      if (a === NONCANON_SS) this.fault("SS", { access: accessName(access) });
      if (a < 0) this.fault("GP", { address: a, access: accessName(access) });
      this.fault("PF", { address: a, access: accessName(access) });
    }
    const p = pageOf(a);
    const bus = this.bus;
    const t = bus.translate(p, access);
    if (isBusFault(t)) this.fault(t.fault, { address: a, access: accessName(access), status: t.status });
    // A translation can itself change the layout (the first write to a page read as the shared zero page, a
    // copy-on-write): drop what was cached before it, under this page or any alias, before caching it.
    if (bus.epoch !== this.busEpoch) {
      this.busEpoch = bus.epoch;
      this.flushTlb();
    }
    if (bus.isHooked(p)) {
      const f = bus.slowAccess(a, size, access);
      if (f) this.fault(f.fault, { address: a, access: accessName(access), status: f.status });
      return t;
    }
    const i = p & TLB_MASK;
    if (access === Access.Read) {
      this.rTag[i] = p;
      this.rPage[i] = t;
    } else if (access === Access.Write) {
      // Pages holding decoded code stay out of the write TLB, so every write to them invalidates blocks.
      if (!t.code) {
        this.wTag[i] = p;
        this.wPage[i] = t;
      }
    } else {
      this.xTag[i] = p;
      this.xPage[i] = t;
    }
    return t;
  }

  private rpage(a: number, size: number): PhysPage {
    const p = pageOf(a);
    const i = p & TLB_MASK;
    if (this.rTag[i] === p) return this.rPage[i] as PhysPage;
    return this.fill(a, size, Access.Read);
  }

  private wpage(a: number, size: number): PhysPage {
    const p = pageOf(a);
    const i = p & TLB_MASK;
    if (this.wTag[i] === p) return this.wPage[i] as PhysPage;
    const pg = this.fill(a, size, Access.Write);
    if (pg.code) this.blocks.invalidatePhys(pg);
    return pg;
  }

  rd8(a: number): number {
    const pg = this.rpage(a, 1);
    return pg.u8[pg.off + (a & PAGE_MASK)];
  }

  rd16(a: number): number {
    const o = a & PAGE_MASK;
    if (o > 4094) return this.rd8(a) | (this.rd8(a + 1) << 8);
    const pg = this.rpage(a, 2);
    const x = pg.off + o;
    return pg.u8[x] | (pg.u8[x + 1] << 8);
  }

  /** 32-bit read as int32. */
  rd32(a: number): number {
    const o = a & PAGE_MASK;
    if (o > 4092) return this.rdSplit(a, 4);
    const pg = this.rpage(a, 4);
    const x = pg.off + o;
    if ((x & 3) === 0) return pg.i32[x >> 2];
    const u = pg.u8;
    return u[x] | (u[x + 1] << 8) | (u[x + 2] << 16) | (u[x + 3] << 24);
  }

  /** 64-bit read: returns lo, hi in `th`. */
  rd64(a: number): number {
    const o = a & PAGE_MASK;
    if (o > 4088) {
      const lo = this.rdSplit(a, 4);
      this.th = this.rdSplit(a + 4, 4);
      return lo;
    }
    const pg = this.rpage(a, 8);
    const x = pg.off + o;
    if ((x & 3) === 0) {
      this.th = pg.i32[(x >> 2) + 1];
      return pg.i32[x >> 2];
    }
    const u = pg.u8;
    this.th = u[x + 4] | (u[x + 5] << 8) | (u[x + 6] << 16) | (u[x + 7] << 24);
    return u[x] | (u[x + 1] << 8) | (u[x + 2] << 16) | (u[x + 3] << 24);
  }

  private rdSplit(a: number, n: number): number {
    let v = 0;
    for (let k = 0; k < n; k++) v |= this.rd8(a + k) << (8 * k);
    return v;
  }

  wr8(a: number, v: number): void {
    const pg = this.wpage(a, 1);
    pg.u8[pg.off + (a & PAGE_MASK)] = v;
  }

  wr16(a: number, v: number): void {
    const o = a & PAGE_MASK;
    if (o > 4094) {
      // Check both pages (in address order, so the fault names the first inaccessible byte) before writing.
      this.wpage(a, 1);
      this.wpage(a + 1, 1);
      this.wr8(a, v);
      this.wr8(a + 1, v >> 8);
      return;
    }
    const pg = this.wpage(a, 2);
    const x = pg.off + o;
    pg.u8[x] = v;
    pg.u8[x + 1] = v >> 8;
  }

  wr32(a: number, v: number): void {
    const o = a & PAGE_MASK;
    if (o > 4092) {
      // Check both pages before writing anything, so a fault leaves memory unchanged.
      this.wpage(a, 1);
      this.wpage(a + 4096 - o, 1); // the first byte of the second page: the address #PF reports
      for (let k = 0; k < 4; k++) this.wr8(a + k, v >> (8 * k));
      return;
    }
    const pg = this.wpage(a, 4);
    const x = pg.off + o;
    if ((x & 3) === 0) {
      pg.i32[x >> 2] = v;
      return;
    }
    const u = pg.u8;
    u[x] = v;
    u[x + 1] = v >> 8;
    u[x + 2] = v >> 16;
    u[x + 3] = v >> 24;
  }

  wr64(a: number, lo: number, hi: number): void {
    const o = a & PAGE_MASK;
    if (o > 4088) {
      this.wpage(a, 1);
      this.wpage(a + 4096 - o, 1);
      for (let k = 0; k < 4; k++) this.wr8(a + k, lo >> (8 * k));
      for (let k = 0; k < 4; k++) this.wr8(a + 4 + k, hi >> (8 * k));
      return;
    }
    const pg = this.wpage(a, 8);
    const x = pg.off + o;
    if ((x & 3) === 0) {
      pg.i32[x >> 2] = lo;
      pg.i32[(x >> 2) + 1] = hi;
      return;
    }
    const u = pg.u8;
    for (let k = 0; k < 4; k++) u[x + k] = lo >> (8 * k);
    for (let k = 0; k < 4; k++) u[x + 4 + k] = hi >> (8 * k);
  }

  /** Check that [a, a+n) is writable without writing (for multi-part stores that must be all-or-nothing). */
  probeWrite(a: number, n: number): void {
    this.wpage(a, 1);
    const o = a & PAGE_MASK;
    if (o + n > 4096) this.wpage(a + 4096 - o, 1);
  }

  /** Check that [a, a+n) is readable. */
  probeRead(a: number, n: number): void {
    this.rpage(a, 1);
    const o = a & PAGE_MASK;
    if (o + n > 4096) this.rpage(a + 4096 - o, 1);
  }

  /**
   * The page backing a read of [a, a+n) (within one page, n ≥ 1) for bulk string operations: one
   * translation and permission check for the whole range. Callers skip pages for which `bus.isHooked`.
   */
  bulkReadPage(a: number, n: number): PhysPage {
    return this.rpage(a, n);
  }

  /** Like `bulkReadPage` for a write (invalidates decoded code on the page like any write). */
  bulkWritePage(a: number, n: number): PhysPage {
    return this.wpage(a, n);
  }

  /** Read n bytes (n ≤ 16) into `out`. */
  rdBytes(a: number, n: number, out: Uint8Array): void {
    for (let k = 0; k < n; k++) out[k] = this.rd8(a + k);
  }

  /**
   * Fetch up to `max` instruction bytes at `a` into `out` for decoding; stops at the first byte that cannot
   * be executed and returns how many were fetched. Marks the pages as holding code.
   */
  fetch(a: number, max: number, out: Uint8Array): number {
    let n = 0;
    while (n < max) {
      const addr = a + n;
      if (addr >= USER_LIMIT) break;
      const p = pageOf(addr);
      const i = p & TLB_MASK;
      let pg: PhysPage;
      if (this.xTag[i] === p) pg = this.xPage[i] as PhysPage;
      else {
        const t = this.bus.translate(p, Access.Exec);
        if (isBusFault(t)) {
          this.lastFetchFault = t;
          this.lastFetchFaultPage = p;
          break;
        }
        this.xTag[i] = p;
        this.xPage[i] = t;
        pg = t;
      }
      this.markCode(p, pg);
      const o = addr & PAGE_MASK;
      const take = Math.min(max - n, 4096 - o);
      out.set(pg.u8.subarray(pg.off + o, pg.off + o + take), n);
      n += take;
    }
    return n;
  }

  /** Raise the right fault for an instruction fetch at `a` that `fetch` could not read. */
  fetchFault(a: number, seen?: BusFault): never {
    if (a >= USER_LIMIT) this.fault("PF", { address: a, access: "execute" });
    // Use the fault `fetch` saw when there is one: translating again would not see a one-shot guard page.
    const t = seen ?? this.bus.translate(pageOf(a), Access.Exec);
    const status = isBusFault(t) ? t.status : 0;
    this.fault(isBusFault(t) ? t.fault : "PF", { address: a, access: "execute", status });
  }

  /** The translation fault the last `fetch` stopped at, and its page (-1: none). */
  lastFetchFault: BusFault | undefined = undefined;
  lastFetchFaultPage = -1;

  private markCode(linearPage: number, pg: PhysPage): void {
    if (!pg.code) {
      pg.code = true;
      // Drop write-TLB entries (this page may be cached under any alias) so writes take the
      // invalidating slow path.
      this.wTag.fill(-1);
      this.wPage.fill(undefined);
    }
    this.blocks.notePhys(linearPage, pg);
  }

  /**
   * Tell the CPU that something outside it (the OS, the debugger) wrote guest memory at [a, a+n).
   * Invalidates decoded blocks there.
   */
  notifyWrite(a: number, n: number): void {
    this.blocks.invalidateRange(a, n);
  }

  /**
   * Stop `run` before the instruction at `addr` executes. Blocks already decoded across `addr` (or
   * compiled self-loops starting there) are dropped, so this takes effect at once. Adding to
   * `breakpoints` directly only affects blocks decoded afterwards.
   */
  addBreakpoint(addr: number): void {
    this.breakpoints.add(addr);
    this.blocks.invalidateRange(addr, 1);
  }

  /** Remove a breakpoint set with `addBreakpoint` (blocks split or flagged for it are dropped). */
  removeBreakpoint(addr: number): void {
    if (this.breakpoints.delete(addr)) this.blocks.invalidateRange(addr, 1);
  }

  // ---------------------------------------------------------------- registers and operands

  /** Read GPR `r` (0..15) at `size` bits; for 8 bits `r` 4..7 means ah/ch/dh/bh unless `rex`. 64: hi in th. */
  getReg(r: number, size: number, rex: boolean): number {
    switch (size) {
      case 8:
        if (r >= 4 && r < 8 && !rex) return (this.lo[r - 4] >> 8) & 0xff;
        return this.lo[r] & 0xff;
      case 16:
        return this.lo[r] & 0xffff;
      case 32:
        return this.lo[r];
      default:
        this.th = this.hi[r];
        return this.lo[r];
    }
  }

  /** Write GPR `r` at `size` bits: 32-bit writes zero the upper half, 8/16-bit writes merge. */
  setReg(r: number, size: number, rex: boolean, v: number, vHi = 0): void {
    switch (size) {
      case 8:
        if (r >= 4 && r < 8 && !rex) this.lo[r - 4] = (this.lo[r - 4] & ~0xff00) | ((v & 0xff) << 8);
        else this.lo[r] = (this.lo[r] & ~0xff) | (v & 0xff);
        return;
      case 16:
        this.lo[r] = (this.lo[r] & ~0xffff) | (v & 0xffff);
        return;
      case 32:
        this.lo[r] = v;
        this.hi[r] = 0;
        return;
      default:
        this.lo[r] = v;
        this.hi[r] = vHi;
    }
  }

  /** Effective address of the ModRM/moffs memory operand, segment base included. */
  ea(i: Insn): number {
    if (i.adsize === 64) return this.ea64(i);
    let a: number;
    if (i.adsize === 32) {
      a = i.disp;
      if (i.memBase >= 0) a += i.memBase === RIP_BASE ? i.ip + i.len : this.lo[i.memBase];
      if (i.memIndex !== NO_REG) a += this.lo[i.memIndex] * i.memScale;
      a = a >>> 0;
    } else {
      a = i.disp;
      if (i.memBase >= 0) a += this.lo[i.memBase];
      if (i.memIndex !== NO_REG) a += this.lo[i.memIndex];
      a &= 0xffff;
    }
    const seg = this.segOf(i);
    // In 64-bit mode a 32-bit address is truncated first, then the 64-bit FS/GS base is added (SDM 3.3.7).
    if (seg >= 4) a = this.mode64 ? a + this.sbase[seg] : (a + this.sbase[seg]) % TWO32;
    return a;
  }

  /** The segment register a memory operand of `i` uses. */
  segOf(i: Insn): number {
    if (i.seg >= 0) return i.seg;
    // [rsp…]/[rbp…] (and 16-bit [bp…]) default to SS, everything else to DS.
    return i.memBase === 4 || i.memBase === 5 ? SReg.SS : SReg.DS;
  }

  /**
   * The 64-bit offset of i's memory operand (base + index*scale + displacement, modulo 2^64), without any
   * segment base: lo returned, hi in `th`. `lea` uses it directly.
   */
  offset64(i: Insn): number {
    let lo = i.disp | 0;
    let hi = i.disp < 0 ? -1 : 0;
    if (i.dispSize === 8) hi = i.dispHi;
    if (i.memBase >= 0) {
      let blo: number;
      let bhi: number;
      if (i.memBase === RIP_BASE) {
        const t = i.ip + i.len;
        blo = t | 0;
        bhi = Math.floor(t / TWO32) | 0;
      } else {
        blo = this.lo[i.memBase];
        bhi = this.hi[i.memBase];
      }
      const s = (lo >>> 0) + (blo >>> 0);
      hi = (hi + bhi + (s >= TWO32 ? 1 : 0)) | 0;
      lo = s | 0;
    }
    if (i.memIndex !== NO_REG) {
      const sh = i.scale;
      let xlo = this.lo[i.memIndex];
      let xhi = this.hi[i.memIndex];
      if (sh) {
        xhi = (xhi << sh) | (xlo >>> (32 - sh));
        xlo <<= sh;
      }
      const s = (lo >>> 0) + (xlo >>> 0);
      hi = (hi + xhi + (s >= TWO32 ? 1 : 0)) | 0;
      lo = s | 0;
    }
    this.th = hi;
    return lo;
  }

  private ea64(i: Insn): number {
    let lo = this.offset64(i);
    let hi = this.th;
    if (i.seg >= 4) {
      const b = this.sbase[i.seg];
      const s = (lo >>> 0) + (b % TWO32);
      hi = (hi + Math.floor(b / TWO32) + (s >= TWO32 ? 1 : 0)) | 0;
      lo = s | 0;
    }
    const a = addr64(lo, hi);
    // A non-canonical address through RSP/RBP (the SS segment) is a stack fault, #SS(0), not #GP.
    return a === -1 && i.seg < 0 && (i.memBase === 4 || i.memBase === 5) ? NONCANON_SS : a;
  }

  /** The address of the next instruction's stack slot helpers: current stack pointer as an address. */
  sp(): number {
    return this.mode64 ? stackAddr64(this.lo[4], this.hi[4]) : this.lo[4] >>> 0;
  }

  /** Push a value of `size` bits (16/32/64; 64 takes hi). Precise: memory first, then RSP. */
  push(size: number, v: number, vHi = 0): void {
    if (this.mode64) {
      const n = size >> 3;
      const lo = this.lo[4];
      const nlo = (lo - n) | 0;
      const nhi = (this.hi[4] - (lo >>> 0 < n ? 1 : 0)) | 0;
      const a = stackAddr64(nlo, nhi);
      if (size === 64) this.wr64(a, v, vHi);
      else this.wr16(a, v);
      this.lo[4] = nlo;
      this.hi[4] = nhi;
    } else {
      const n = size >> 3;
      const nsp = (this.lo[4] - n) | 0;
      const a = nsp >>> 0;
      if (size === 32) this.wr32(a, v);
      else this.wr16(a, v);
      this.lo[4] = nsp;
      this.hi[4] = 0;
    }
  }

  /** push of a 32-bit value in 32-bit mode (the compiler's fast path). */
  push32(v: number): void {
    const nsp = (this.lo[4] - 4) | 0;
    const a = nsp >>> 0;
    const p = a >>> 12;
    const t = p & TLB_MASK;
    if (this.wTag[t] === p && (a & 3) === 0) {
      const pg = this.wPage[t] as PhysPage;
      pg.i32[(pg.off + (a & PAGE_MASK)) >> 2] = v;
    } else this.wr32(a, v);
    this.lo[4] = nsp;
    this.hi[4] = 0;
  }

  /** pop of a 32-bit value in 32-bit mode. */
  pop32(): number {
    const a = this.lo[4] >>> 0;
    const p = a >>> 12;
    const t = p & TLB_MASK;
    let v: number;
    if (this.rTag[t] === p && (a & 3) === 0) {
      const pg = this.rPage[t] as PhysPage;
      v = pg.i32[(pg.off + (a & PAGE_MASK)) >> 2];
    } else v = this.rd32(a);
    this.lo[4] = (a + 4) | 0;
    this.hi[4] = 0;
    return v;
  }

  /** push of a 64-bit value in 64-bit mode. */
  push64(v: number, vHi: number): void {
    const lo = this.lo[4];
    const hi = this.hi[4];
    const nlo = (lo - 8) | 0;
    const nhi = lo >>> 0 < 8 ? (hi - 1) | 0 : hi;
    // Fast path: a user address (hi < 0x8000) whose page is in the write TLB, 8-byte aligned.
    if (nhi >>> 15 === 0 && (nlo & 7) === 0) {
      const p = nhi * 1048576 + (nlo >>> 12);
      const t = p & TLB_MASK;
      if (this.wTag[t] === p) {
        const pg = this.wPage[t] as PhysPage;
        const x = (pg.off + (nlo & PAGE_MASK)) >> 2;
        pg.i32[x] = v;
        pg.i32[x + 1] = vHi;
        this.lo[4] = nlo;
        this.hi[4] = nhi;
        return;
      }
    }
    this.wr64(stackAddr64(nlo, nhi), v, vHi);
    this.lo[4] = nlo;
    this.hi[4] = nhi;
  }

  /** Read the 64-bit value at RSP (lo returned, hi in th) without popping. */
  private top64(): number {
    const lo = this.lo[4];
    const hi = this.hi[4];
    if (hi >>> 15 === 0 && (lo & 7) === 0) {
      const p = hi * 1048576 + (lo >>> 12);
      const t = p & TLB_MASK;
      if (this.rTag[t] === p) {
        const pg = this.rPage[t] as PhysPage;
        const x = (pg.off + (lo & PAGE_MASK)) >> 2;
        this.th = pg.i32[x + 1];
        return pg.i32[x];
      }
    }
    return this.rd64(stackAddr64(lo, hi));
  }

  /** pop of a 64-bit value in 64-bit mode: lo returned, hi in th. */
  pop64(): number {
    const v = this.top64();
    const lo = this.lo[4];
    const s = (lo >>> 0) + 8;
    this.lo[4] = s | 0;
    if (s > 0xffffffff) this.hi[4] = (this.hi[4] + 1) | 0;
    return v;
  }

  /**
   * Near return in 64-bit mode: the target address. A non-canonical return address raises #GP at the
   * ret with RSP unchanged (SDM RET: "If the return instruction pointer is not canonical → #GP(0)").
   */
  ret64(): number {
    const v = this.top64();
    const t = addr64(v, this.th);
    if (t < 0) this.fault("GP");
    const s = (this.lo[4] >>> 0) + 8;
    this.lo[4] = s | 0;
    if (s > 0xffffffff) this.hi[4] = (this.hi[4] + 1) | 0;
    return t;
  }

  /** Pop `size` bits; 64 returns lo with hi in th. Reads first, then updates RSP. */
  pop(size: number): number {
    const a = this.sp();
    let v: number;
    if (size === 64) v = this.rd64(a);
    else if (size === 32) v = this.rd32(a);
    else v = this.rd16(a);
    this.addSp(size >> 3);
    return v;
  }

  /** RSP += n (n may be negative), in the stack width of the mode. */
  addSp(n: number): void {
    if (this.mode64) {
      const s = (this.lo[4] >>> 0) + n;
      this.lo[4] = s | 0;
      this.hi[4] = (this.hi[4] + Math.floor(s / TWO32)) | 0;
    } else {
      this.lo[4] = (this.lo[4] + n) | 0;
      this.hi[4] = 0;
    }
  }

  /** Read GPR as a 64-bit address value (for jumps through registers etc.). */
  regAddr(r: number): number {
    return this.mode64 ? addr64(this.lo[r], this.hi[r]) : this.lo[r] >>> 0;
  }

  /** Set RIP from a (lo, hi) pair in 64-bit mode or a 32-bit value in compatibility mode. */
  setRip(lo: number, hi: number): void {
    this.rip = this.mode64 ? addr64(lo, hi) : lo >>> 0;
  }

  // ---------------------------------------------------------------- execution

  /**
   * Set when the current block must end after the current instruction: a stop request, or a write that
   * invalidated the code being run (self-modifying code).
   */
  exitBlock = false;

  /**
   * Address of a REP string instruction that stopped after a chunk of its iterations and left `rip` on
   * itself to be re-executed (sem/string.ts); `run` does not report a breakpoint there again. -1: none.
   */
  repResumeAt = -1;

  /** Request that `run` stops after the current instruction (used by syscall, hlt, …). */
  requestStop(r: StopReason): void {
    this.pendingStop = r;
    this.exitBlock = true;
  }

  /** Execute exactly one instruction. */
  step(): StopReason {
    this.checkEpoch();
    this.pendingStop = undefined;
    this.exitBlock = false;
    return this.stepOne() ?? { kind: "step" };
  }

  /**
   * One instruction on its own; with TF set at its start (the trap flag, SDM Vol. 3A 17.3.1.4 "Single-Step
   * Exception Condition"), a #DB trap after it completes, reported at the next instruction. A fault or a
   * stop the instruction raised (a syscall, a stop request) comes instead of the trap. Undefined: it ran.
   */
  private stepOne(): StopReason | undefined {
    const traced = (this.flags.bits & TF) !== 0;
    try {
      const b = this.blocks.single(this.rip);
      this.icount += b.run(this, 1);
    } catch (e) {
      this.icount += this.blocks.retiredInBlock;
      this.blocks.retiredInBlock = 0; // else currentCount() is off until the next handler call
      return { kind: "fault", fault: this.toFault(e) };
    }
    this.exitBlock = false;
    const p = this.pendingStop;
    if (p) {
      this.pendingStop = undefined;
      return p;
    }
    if (traced) return { kind: "fault", fault: { vector: "DB", rip: this.rip, detail: "single step" } };
    return undefined;
  }

  /**
   * Run up to `budget` instructions (blocks may overshoot by less than one block). Stops at breakpoints
   * (except at the starting address), faults, syscalls and stop requests.
   */
  run(budget: number): StopReason {
    this.checkEpoch();
    this.pendingStop = undefined;
    this.exitBlock = false;
    this.repResumeAt = -1;
    const limit = this.icount + budget;
    const blocks = this.blocks;
    const fast = blocks.fast;
    let first = true;
    try {
      while (this.icount < limit) {
        const rip = this.rip;
        if ((this.flags.bits & TF) !== 0) {
          // The trap flag: one instruction at a time, each followed by its #DB trap.
          if (!first && this.breakpoints.has(rip) && rip !== this.repResumeAt)
            return { kind: "breakpoint", address: rip };
          first = false;
          const r = this.stepOne();
          if (r !== undefined) return r;
          continue;
        }
        // Inline fast path of BlockCache.get (same slot function).
        let b: Block | undefined = fast[(rip ^ (rip >>> 14)) & 16383];
        if (b === undefined || b.start !== rip || b.mode64 !== this.mode64 || !b.valid) b = blocks.get(rip);
        if (b.epoch !== this.busEpoch) b = blocks.revalidate(b, this.busEpoch);
        if (b.bpAtStart && !first && rip !== this.repResumeAt) return { kind: "breakpoint", address: rip };
        first = false;
        const fn = b.fn;
        this.icount += fn !== undefined ? fn(this, limit - this.icount) : b.run(this, limit - this.icount);
        if (this.pendingStop) {
          const p = this.pendingStop;
          this.pendingStop = undefined;
          return p;
        }
      }
    } catch (e) {
      this.icount += this.blocks.retiredInBlock;
      this.blocks.retiredInBlock = 0; // else currentCount() is off until the next handler call
      return { kind: "fault", fault: this.toFault(e) };
    }
    return { kind: "budget" };
  }

  // ---------------------------------------------------------------- thread state

  /**
   * The whole architectural state of the running thread (a context switch saves it): GPRs, RIP, RFLAGS with
   * the lazy-flag record, segment selectors and bases, the FS/GS descriptor bases (the 0x53 WOW64 TEB
   * selector is per thread), the mode, XMM/MXCSR and the x87/MMX state. Not included: what belongs to the
   * processor rather than the thread — `icount`, the block cache, the TLB (all threads share the address
   * space, so cached translations stay valid), breakpoints and hooks.
   */
  saveState(): CpuState {
    const descriptorBases: [number, number][] = [];
    for (const [k, d] of this.descriptors) descriptorBases.push([k, d.base]);
    return {
      lo: this.lo.slice(),
      hi: this.hi.slice(),
      rip: this.rip,
      flags: copyFields(this.flags),
      sreg: this.sreg.slice(),
      sbase: this.sbase.slice(),
      descriptorBases,
      mode64: this.mode64,
      xmm: this.xmm.slice(),
      mxcsr: this.mxcsr,
      fpu: copyFields(this.fpu),
      repResumeAt: this.repResumeAt,
    };
  }

  /** Make `s` (from `saveState`) the running state. The next `run`/`step` continues that thread exactly. */
  loadState(s: CpuState): void {
    this.lo.set(s.lo);
    this.hi.set(s.hi);
    this.rip = s.rip;
    restoreFields(this.flags, s.flags);
    this.sreg.set(s.sreg);
    this.sbase.set(s.sbase);
    for (const [k, base] of s.descriptorBases) {
      const d = this.descriptors.get(k);
      if (d !== undefined) d.base = base;
    }
    this.mode64 = s.mode64;
    this.xmm.set(s.xmm);
    this.mxcsr = s.mxcsr;
    restoreFields(this.fpu, s.fpu);
    this.repResumeAt = s.repResumeAt;
    this.pendingStop = undefined;
    this.exitBlock = false;
  }

  /** The instruction count at which the current instruction retires (for rdtsc inside a block). */
  currentCount(): number {
    return this.icount + this.blocks.retiredInBlock;
  }
}

/** Marker address for a non-canonical stack access: the accessors raise #SS instead of #GP. */
export const NONCANON_SS = -3;

/** A (lo, hi) 64-bit address as a stack address: non-canonical → NONCANON_SS. */
export function stackAddr64(lo: number, hi: number): number {
  const a = addr64(lo, hi);
  return a === -1 ? NONCANON_SS : a;
}

/** A (lo, hi) 64-bit address as a double: canonical user addresses exactly, -1 for non-canonical. */
export function addr64(lo: number, hi: number): number {
  if (hi === 0) return lo >>> 0;
  const top = hi >> 15;
  if (top !== 0 && top !== -1) return -1;
  return (hi >>> 0) * TWO32 + (lo >>> 0);
}

function accessName(a: Access): AccessKind {
  return a === Access.Read ? "read" : a === Access.Write ? "write" : "execute";
}

/** A thread's saved architectural state (`Cpu.saveState`). */
export interface CpuState {
  readonly lo: Int32Array;
  readonly hi: Int32Array;
  readonly rip: number;
  readonly flags: Record<string, unknown>;
  readonly sreg: Uint16Array;
  readonly sbase: Float64Array;
  readonly descriptorBases: readonly (readonly [number, number])[];
  readonly mode64: boolean;
  readonly xmm: Int32Array;
  readonly mxcsr: number;
  readonly fpu: Record<string, unknown>;
  readonly repResumeAt: number;
}

/**
 * Every own field of a state object (Flags, Fpu): typed arrays copied, everything else (numbers, the x87
 * last-instruction records, which are immutable decoded instructions) by value. Fields added to those
 * classes later are saved without touching this code.
 */
function copyFields(o: object): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(o)) out[k] = ArrayBuffer.isView(v) ? (v as Uint8Array).slice() : v;
  return out;
}

function restoreFields(o: object, saved: Record<string, unknown>): void {
  const t = o as Record<string, unknown>;
  for (const [k, v] of Object.entries(saved)) {
    const cur = t[k];
    if (ArrayBuffer.isView(cur)) (cur as Uint8Array).set(v as Uint8Array);
    else t[k] = v;
  }
}
