/**
 * Basic blocks: decoded once, cached by (address, mode), invalidated when their code bytes are written.
 * A block ends at a branch, at an instruction we cannot execute, before a breakpoint address, or at the
 * size limit. The block's `run` is either the interpreter loop below or a function compiled to JavaScript
 * by src/cpu/jit (the hot path).
 */
import { Access, isBusFault, type BusFault, type PhysPage } from "./bus";
import type { Cpu } from "./cpu";
import { decode } from "./decoder/decoder";
import { Invalid, type Insn } from "./decoder/insn";
import { resolve, type Handler } from "./dispatch";
import { branchTarget, compileBlock } from "./jit/compile";

const MAX_BLOCK = 64;
const CACHE_BITS = 14;
const CACHE_SIZE = 1 << CACHE_BITS;
const CACHE_MASK = CACHE_SIZE - 1;
/** Compile a block to JavaScript after it has run this many times. */
export const JIT_THRESHOLD = 8;

/** Raise #UD for an instruction we decoded as invalid or do not implement. */
function undefinedHandler(what: string): Handler {
  return (cpu) => cpu.fault("UD", { detail: what });
}

function hexBytes(buf: Uint8Array, n: number): string {
  return Array.from(buf.subarray(0, n), (b) => b.toString(16).padStart(2, "0")).join(" ");
}

export class Block {
  readonly insns: Insn[] = [];
  readonly handlers: Handler[] = [];
  readonly names: string[] = [];
  /** Per instruction: its handler is a branch (sets rip). Only the last one ends the block; earlier ones
   * are direct jumps the builder followed (a superblock), leaving the block when rip is not the next one. */
  readonly branches: boolean[] = [];
  /** The last instruction is a branch (sets rip itself). */
  endsInBranch = false;
  /** Address after the last instruction. */
  end = 0;
  bpAtStart = false;
  valid = true;
  /** Times run through the interpreter; compiled at JIT_THRESHOLD. */
  hits = 0;
  readonly pages: PhysPage[] = [];
  /** Linear pages the block's instructions were fetched from, and what they translated to. */
  readonly linPages: number[] = [];
  readonly linPhys: PhysPage[] = [];
  /** Bus epoch at which the block's pages were last known executable with these bytes. */
  epoch = -1;
  /** Compiled body: returns instructions retired. */
  fn: ((cpu: Cpu, max: number) => number) | undefined = undefined;
  /** Successor cache for chaining (see jit). */
  next: Block | undefined = undefined;
  nextAlt: Block | undefined = undefined;

  constructor(
    readonly start: number,
    readonly mode64: boolean,
  ) {}

  run(cpu: Cpu, max: number): number {
    if (this.fn) return this.fn(cpu, max);
    if (++this.hits >= JIT_THRESHOLD && this.valid) {
      const f = compileBlock(this);
      // A compiled self-loop iterates while under `max`; with a breakpoint at its start it must return to
      // the run loop (which reports the breakpoint) after every iteration.
      this.fn = this.bpAtStart ? (c: Cpu) => f(c, 1) : f;
      return this.fn(cpu, max);
    }
    return this.interpret(cpu);
  }

  /** The reference interpreter: one handler call per instruction. */
  interpret(cpu: Cpu): number {
    const insns = this.insns;
    const hs = this.handlers;
    const br = this.branches;
    const n = insns.length;
    const cache = cpu.blocks;
    for (let k = 0; k < n; k++) {
      const i = insns[k];
      cpu.rip = i.ip;
      cache.retiredInBlock = k;
      hs[k](cpu, i);
      if (br[k] && k < n - 1 && !cpu.exitBlock && cpu.rip !== insns[k + 1].ip) {
        // A side exit of a superblock: the branch went elsewhere.
        cache.retiredInBlock = 0;
        return k + 1;
      }
      if (cpu.exitBlock) {
        cpu.exitBlock = false;
        if (!br[k]) cpu.rip = i.ip + i.len;
        cache.retiredInBlock = 0;
        return k + 1;
      }
    }
    cache.retiredInBlock = 0;
    if (!this.endsInBranch) cpu.rip = this.end;
    return n;
  }
}

export class BlockCache {
  /** Instructions of the current block retired before the instruction now executing (for faults, rdtsc). */
  retiredInBlock = 0;
  private readonly map64 = new Map<number, Block>();
  private readonly map32 = new Map<number, Block>();
  /** Direct-mapped front cache, indexed by (rip ^ rip >>> 14) & 16383 (the run loop reads it inline). */
  readonly fast: (Block | undefined)[] = new Array<Block | undefined>(CACHE_SIZE);
  private readonly byPage = new Map<PhysPage, Set<Block>>();
  /** Linear pages each physical code page was seen at (for breakpoint/range invalidation). */
  private readonly linear = new Map<number, PhysPage>();
  private readonly buf = new Uint8Array(16);
  /** Blocks built (statistics). */
  built = 0;

  constructor(private readonly cpu: Cpu) {}

  /** The block at `rip` in the current mode, building it on a miss. */
  get(rip: number): Block {
    const cpu = this.cpu;
    const slot = (rip ^ (rip >>> 14)) & CACHE_MASK;
    const f = this.fast[slot];
    if (f !== undefined && f.start === rip && f.mode64 === cpu.mode64 && f.valid) return f;
    const m = cpu.mode64 ? this.map64 : this.map32;
    let b = m.get(rip);
    if (b === undefined || !b.valid) {
      b = this.build(rip, MAX_BLOCK);
      m.set(rip, b);
    }
    this.fast[slot] = b;
    return b;
  }

  /** A one-instruction block for single-stepping (not cached). */
  single(rip: number): Block {
    const b = this.build(rip, 1);
    b.hits = -1e9; // never compiled
    // Not cached, so not kept for invalidation either (each step would otherwise leak one block per page).
    for (const pg of b.pages) this.byPage.get(pg)?.delete(b);
    return b;
  }

  private build(rip: number, max: number): Block {
    const cpu = this.cpu;
    const b = new Block(rip, cpu.mode64);
    const bits = cpu.mode64 ? 64 : 32;
    const bps = cpu.breakpoints;
    b.bpAtStart = bps.has(rip);
    let ip = rip;
    this.built++;
    const seen = new Set<number>();
    for (let k = 0; k < max; k++) {
      if (k > 0 && bps.size !== 0 && bps.has(ip)) break;
      // Fetch only from the current page first: the next page is translated only when the instruction
      // really extends into it (a speculative translation could fire a guard page).
      let n = cpu.fetch(ip, Math.min(15, 4096 - (ip % 4096)), this.buf);
      if (n === 0) {
        if (k > 0) break;
        // Nothing executable at rip: a block whose only instruction raises the fetch fault.
        const at = ip;
        const seen = this.seenFetchFault(at);
        this.push(b, decode(this.buf, 0, at, bits), (c) => c.fetchFault(at, seen), "(fetch)", true);
        // Used once, never cached: the page may be mapped or made executable before the next attempt.
        b.valid = false;
        break;
      }
      let i = decode(this.buf, n, ip, bits);
      if (i.invalid === Invalid.Truncated && n < 15 && (ip + n) % 4096 === 0) {
        n += cpu.fetch(ip + n, 15 - n, this.buf.subarray(n));
        i = decode(this.buf, n, ip, bits);
      }
      if (i.invalid === Invalid.Truncated && n < 15) {
        if (k > 0) break; // let the next block raise the fault at the right instruction
        const at = ip + n;
        const seen = this.seenFetchFault(at);
        this.push(b, i, (c) => c.fetchFault(at, seen), "(fetch)", true);
        b.valid = false; // as above
        break;
      }
      let h: Handler;
      let branch: boolean;
      let name: string;
      if (i.invalid !== Invalid.None) {
        name = "(invalid)";
        h = undefinedHandler(`invalid instruction ${hexBytes(this.buf, Math.min(n, 15))}`);
        branch = true;
      } else {
        const r = resolve(i);
        if (r) {
          h = r.h;
          branch = r.branch;
          name = r.name;
        } else {
          name = "(unimplemented)";
          h = undefinedHandler(`unimplemented instruction ${hexBytes(this.buf, i.len)}`);
          branch = true;
        }
      }
      seen.add(ip);
      this.push(b, i, h, name, branch);
      this.notePages(b, i);
      ip = i.ip + i.len;
      if (branch) {
        // Superblocks: continue past a conditional jump (its taken path is a side exit) and through
        // direct jumps and calls, so call-heavy code runs in fewer, longer blocks.
        const next = max > 1 ? followTarget(i, name) : undefined;
        if (next === undefined || next === rip || seen.has(next)) break;
        // A conditional jump back to the block's start closes a loop: end here so the compiler can turn
        // the block into a JavaScript loop instead of following the exit path.
        if (isJcc(i) && branchTarget(i) === rip) break;
        ip = next;
      }
    }
    b.endsInBranch = b.branches[b.branches.length - 1];
    b.epoch = cpu.busEpoch;
    b.end = ip;
    return b;
  }

  /** The fault `Cpu.fetch` met on the page of `a`, if that is where it stopped. */
  private seenFetchFault(a: number): BusFault | undefined {
    const cpu = this.cpu;
    return cpu.lastFetchFaultPage === Math.floor(a / 4096) ? cpu.lastFetchFault : undefined;
  }

  private push(b: Block, i: Insn, h: Handler, name: string, branch: boolean): void {
    b.insns.push(i);
    b.handlers.push(h);
    b.names.push(name);
    b.branches.push(branch);
  }

  /** Record the physical pages holding instruction i's bytes (for invalidation). */
  private notePages(b: Block, i: Insn): void {
    const first = Math.floor(i.ip / 4096);
    const last = Math.floor((i.ip + i.len - 1) / 4096);
    for (let p = first; p <= last; p++) {
      const pg = this.linear.get(p);
      if (pg && !b.linPages.includes(p)) {
        b.linPages.push(p);
        b.linPhys.push(pg);
      }
      if (pg && !b.pages.includes(pg)) {
        let s = this.byPage.get(pg);
        if (!s) this.byPage.set(pg, (s = new Set()));
        s.add(b);
        b.pages.push(pg);
      }
    }
  }

  /**
   * The mapping changed since `b` was built (bus epoch): keep it if every page it came from still
   * translates for execution to the same bytes, otherwise rebuild it.
   */
  revalidate(b: Block, epoch: number): Block {
    const bus = this.cpu.bus;
    for (let k = 0; k < b.linPages.length; k++) {
      const t = bus.translate(b.linPages[k], Access.Exec);
      if (isBusFault(t) || t !== b.linPhys[k]) {
        b.valid = false;
        return this.get(b.start);
      }
    }
    b.epoch = epoch;
    return b;
  }

  /** Called by Cpu.fetch: linear page `p` holds code on physical page `pg`. */
  notePhys(p: number, pg: PhysPage): void {
    this.linear.set(p, pg);
  }

  /** Invalidate every block whose bytes are on `pg` (a write hit a code page). */
  invalidatePhys(pg: PhysPage): void {
    const s = this.byPage.get(pg);
    if (s) {
      for (const b of s) b.valid = false;
      this.byPage.delete(pg);
      // The running block may be among them: end it after this instruction.
      this.cpu.exitBlock = true;
    }
    pg.code = false;
    for (const [p, q] of this.linear) if (q === pg) this.linear.delete(p);
  }

  /** Invalidate blocks overlapping [a, a+n) (external writes, breakpoint changes). */
  invalidateRange(a: number, n: number): void {
    const first = Math.floor(a / 4096);
    const last = Math.floor((a + Math.max(n, 1) - 1) / 4096);
    for (let p = first; p <= last; p++) {
      let pg = this.linear.get(p);
      if (!pg) {
        // Not executed from this address, but it may alias a page that was (two views of one section).
        const t = this.cpu.bus.peek?.(p);
        if (t !== undefined && t.code) pg = t;
      }
      if (pg) this.invalidatePhys(pg);
    }
  }

  /** Drop every block (mode tables changed, breakpoints changed in bulk). */
  flush(): void {
    for (const b of this.map64.values()) b.valid = false;
    for (const b of this.map32.values()) b.valid = false;
    this.map64.clear();
    this.map32.clear();
    this.fast.fill(undefined);
    for (const pg of this.byPage.keys()) pg.code = false;
    this.byPage.clear();
    this.linear.clear();
  }
}

/**
 * Where a superblock continues after branch instruction i: the fall-through of a conditional jump, the
 * target of a direct jmp or call. undefined: the block ends here.
 */
function isJcc(i: Insn): boolean {
  return (
    (i.map === 0 && i.opcode >= 0x70 && i.opcode <= 0x7f) ||
    (i.map === 1 && i.opcode >= 0x80 && i.opcode <= 0x8f)
  );
}

function followTarget(i: Insn, name: string): number | undefined {
  if (name.startsWith("(") || i.encoding !== 0) return undefined;
  const op = i.opcode;
  if ((i.map === 0 && op >= 0x70 && op <= 0x7f) || (i.map === 1 && op >= 0x80 && op <= 0x8f))
    return i.ip + i.len;
  if (i.map === 0 && (op === 0xe8 || op === 0xe9 || op === 0xeb)) {
    if (i.opsize === 16) return undefined;
    return branchTarget(i);
  }
  return undefined;
}
