/**
 * The call-stack walker: x64 frames unwound through `.pdata` with the semantics of RtlVirtualUnwind, x86
 * frames through the EBP frame chain, and in a WOW64 thread the crossing from the 64-bit frames into the
 * 32-bit ones through the x86 context wow64cpu saved in the TEB. Knows nothing of DAP: the runtime turns a
 * `StackWalk` into stackTrace frames.
 *
 * x64 (Microsoft, "x64 exception handling", "Unwind procedure"; the WRK's RtlVirtualUnwind):
 * - The function entry is looked up by the frame's pc (pc - 1 for a return address, so that a call ending a
 *   function is found in that function and not in the next one). Without an entry — no module, a module
 *   without `.pdata`, or code the table does not cover — the function is a leaf: the return address is at
 *   [rsp].
 * - For the frame where the thread actually stands (frame 0, or a context restored from a machine frame or
 *   the WOW64 context) the code at pc is checked for an epilog: `add rsp, imm` or `lea rsp, [frame reg +
 *   disp]`, then any `pop reg`, then `ret` / `ret n` / `rep ret`, a `jmp` leaving the function (tail call)
 *   or `jmp [rip+disp]` / `rex.w jmp r/m`. In an epilog the remaining instructions are emulated instead of
 *   the unwind codes (they no longer describe the stack). A return address is never in an epilog.
 * - Otherwise the unwind codes are applied in array order (the reverse of the prolog), skipping those whose
 *   prolog offset lies beyond the point reached in the prolog; chained UNWIND_INFO is followed to the
 *   primary entry, whose codes all apply. The establisher frame (the base of UWOP_SAVE_* offsets) is the
 *   frame register minus its offset once UWOP_SET_FPREG has executed, else RSP. UWOP_PUSH_MACHFRAME pops a
 *   machine frame (RIP at +0, RSP at +0x18, after an error code when there is one) and the next frame
 *   starts at the interrupted instruction; otherwise the return address is popped.
 * - Dynamic function tables (RtlAddFunctionTable) are not consulted.
 * The x64 unwinder itself is `src/windows/unwind` (shared with the exception dispatcher).
 *
 * x86: per frame, in this order —
 * - at `ret` / `ret n` (and `pop ebp; ret`) with an exactly known ESP: the return address is at [esp]
 *   ([esp+4] after the saved EBP), and the caller's ESP is exact (n included);
 * - at `leave; ret` or `mov esp, ebp; pop ebp; ret`: the frame is torn down from EBP, caller's ESP exact;
 * - only where the thread actually stands: at a function start (the symbol starts there, or `push ebp;
 *   mov ebp, esp` / `mov edi, edi; push ebp` follows) the return address is at [esp]; in a frameless stub
 *   whose straight-line code reaches a `ret` without touching ESP/EBP (`mov eax, N; vmcall; ret 8`, the
 *   trap and syscall stubs, TEB accessors) it is at [esp] too, with an exact caller ESP; right after
 *   `push ebp` (at `mov ebp, esp`) the saved EBP is at [esp] and the return address at [esp+4];
 * - otherwise the EBP chain: saved EBP at [ebp], return address at [ebp+4]. A frame without an EBP frame
 *   (frame-pointer omission) in the middle of the stack is not seen.
 *   The walk stops cleanly at EBP = 0, an EBP below ESP or outside the given stack bounds, unreadable
 *   memory, a zero return address, a stack pointer that does not grow, a repeated frame, or the frame limit.
 *
 * WOW64: in a WOW64 thread stopped in 64-bit code, the x64 walk continues until a frame lies in the
 * transition module (wow64cpu by default: CpupReturnFromSimulatedCode, BTCpuSimulate…); that frame is
 * shown, then the 32-bit frames follow from the saved WOW64_CONTEXT (Eip, Esp, Ebp — where the 32-bit code
 * resumes). Stopped in 32-bit code, the frames are x86 only: the 64-bit side of a WOW64 thread has no active
 * frame beyond the transition while 32-bit code runs (its 64-bit stack, remembered in TEB64.TlsSlots[0],
 * only holds wow64cpu's idle BTCpuSimulate frame and its callers, which are not part of the 32-bit call
 * chain). While the thread is between the far jump and the point where wow64cpu has saved the context
 * (stepping through CpupReturnFromSimulatedCode), the saved context is still that of the previous
 * transition. A 64-bit chain that never reaches the transition module (64-bit code of the program's own,
 * entered through its own far jump) ends where the x64 unwinding ends.
 */
import type { Cpu } from "../cpu/cpu";
import { decode, describe } from "../cpu/decoder/decoder";
import type { PeImage } from "../windows/pe";
import { imageUnwindTarget, unwindFrame, type UnwindTarget } from "../windows/unwind";
import { readWow64Context } from "./registers";

// ---------------------------------------------------------------------------------------------
// what the walker needs from the runtime

/** Guest memory as the debugger reads it: no side effects; undefined when any byte is unreadable. */
export interface GuestMemory {
  read(addr: number, n: number): Uint8Array | undefined;
}

/** A loaded module as the walker needs it. */
export interface StackModule {
  readonly base: number;
  /** SizeOfImage (bytes mapped from `base`). */
  readonly size: number;
  /** File name or path (`C:\Windows\System32\ntdll.dll`, `ntdll.dll`, `app.exe`). */
  readonly name: string;
  readonly bits: 32 | 64;
  /** The parsed image (for `.pdata` and exports); absent for code that is not a PE image. */
  readonly image?: PeImage;
}

/**
 * Names of addresses. Structurally the same as the `SymbolResolver` of `disasm.ts` (its `SymbolTable` can be
 * passed as is), so the runtime needs one resolver for the disassembly, the console and the stack.
 */
export interface StackSymbols {
  /** `module!symbol+0xoff` (or `module+0xoff`, `module!symbol`) for an address in a known module. */
  nameAt(addr: number): string | undefined;
  /** Start of the function containing `addr`, if known. */
  functionStart?(addr: number): number | undefined;
}

export interface StackTarget {
  readonly memory: GuestMemory;
  readonly modules: readonly StackModule[];
  /** Defaults to the modules' export tables (`exportSymbols(modules)`). */
  readonly symbols?: StackSymbols;
}

/** A register context to start from (64-bit values; in 32-bit mode only the low halves count). */
export interface WalkStart {
  /** The mode the thread is in. */
  readonly bits: 32 | 64;
  readonly pc: number;
  /** RAX..R15 in hardware order (RSP = 4, RBP = 5). */
  readonly regs: readonly bigint[];
}

/** The x86 registers a walk needs (from WOW64_CONTEXT). */
export interface X86Start {
  readonly eip: number;
  readonly esp: number;
  readonly ebp: number;
}

export interface WalkOptions {
  /**
   * A WOW64 thread: where to find the x86 context saved at the transition. `teb64` reads it from
   * TEB64.TlsSlots[1] + 4 (WOW64_CPURESERVED.Context); `context` supplies it directly.
   */
  readonly wow64?: { readonly teb64?: number; readonly context?: () => X86Start | undefined };
  /** Is this 64-bit frame the WOW64 transition? Default: its module is wow64cpu.dll. */
  readonly isTransition?: (pc: number, module: StackModule | undefined) => boolean;
  /** Stack bounds (TEB StackLimit..StackBase) the frame chain must stay inside, per mode. */
  readonly stack32?: { readonly low: number; readonly high: number };
  readonly stack64?: { readonly low: number; readonly high: number };
  /** Default 256. */
  readonly maxFrames?: number;
}

// ---------------------------------------------------------------------------------------------
// what it produces

/**
 * How a frame's pc and sp were found: `context` the thread's registers; `pdata` unwind codes; `epilog`
 * the epilog the callee stood in, emulated; `leaf` a function without unwind data (return address at
 * [rsp]); `machframe` a machine frame (the pc is the interrupted instruction); `wow64` the x86 context
 * wow64cpu saved; `ret` the `ret` the callee stood at; `esp` the callee's prolog (return address found
 * from ESP); `ebp-chain` the saved EBP / return address pair.
 */
export type FrameSource =
  "context" | "pdata" | "epilog" | "leaf" | "machframe" | "wow64" | "ret" | "esp" | "ebp-chain";

export interface StackFrame {
  readonly index: number;
  /** The instruction pointer: where the thread stands (frame 0, machine frame, WOW64 context), else the return address. */
  readonly pc: number;
  /** RSP / ESP of the frame (for callers found through the EBP chain, excluding arguments a `ret n` pops). */
  readonly sp: number;
  /** RBP / EBP of the frame. */
  readonly fp: number;
  readonly bits: 32 | 64;
  /** `module!symbol+0xoffset`, `module+0xoffset`, or the bare address. */
  readonly name: string;
  readonly module: StackModule | undefined;
  readonly source: FrameSource;
  /** `pc` is a return address (a caller frame), not the instruction about to execute. */
  readonly isReturnAddress: boolean;
  /** For a return address: the address of the call instruction before it, when one decodes there. */
  readonly callSite: number | undefined;
  /** The address an `instructionPointerReference` names (the pc). */
  readonly instructionAddress: number;
  /**
   * x64 frames: RAX..R15 as unwound to this frame. In a caller frame only RSP and the nonvolatile registers
   * (RBX, RBP, RDI, RSI, R12–R15) are meaningful; the others are carried over from the frame below.
   */
  readonly regs: readonly bigint[] | undefined;
}

export interface StackWalk {
  readonly frames: StackFrame[];
  /** Why the walk ended, for people ("end of the frame chain (ebp = 0)", "unreadable memory at …"). */
  readonly end: string;
}

// ---------------------------------------------------------------------------------------------
// entry points

const M64 = (1n << 64n) - 1n;
const TWO32 = 4294967296;

/** The registers of a CPU as a walk start. */
export function walkStartFromCpu(cpu: Cpu): WalkStart {
  const regs: bigint[] = [];
  for (let r = 0; r < 16; r++) regs.push((BigInt(cpu.hi[r] >>> 0) << 32n) | BigInt(cpu.lo[r] >>> 0));
  return { bits: cpu.bits, pc: cpu.rip, regs };
}

/** Walks the stack of a thread from `start`. Never throws for bad guest memory. */
export function walkStack(target: StackTarget, start: WalkStart, options: WalkOptions = {}): StackWalk {
  return new Walker(target, options).walk(start);
}

/** The short module name used in `module!symbol`: the file name without directory and extension. */
export function moduleShortName(name: string): string {
  const file = name.slice(Math.max(name.lastIndexOf("\\"), name.lastIndexOf("/")) + 1);
  const dot = file.lastIndexOf(".");
  return dot > 0 ? file.slice(0, dot) : file;
}

/**
 * The name of a frame's pc: the resolver's `module!symbol+0xoffset`, else `module+0xoffset`, else the bare
 * address. A return address is named through the byte before it (the call), so that a call ending a
 * function is not attributed to the next one; the offset still counts to the return address.
 */
export function frameName(
  pc: number,
  isReturnAddress: boolean,
  symbols: StackSymbols,
  modules: readonly StackModule[],
  bits: 32 | 64,
): string {
  const at = isReturnAddress ? pc - 1 : pc;
  const name = symbols.nameAt(at);
  if (name !== undefined) return isReturnAddress ? addToOffset(name, 1) : name;
  const m = moduleAt(modules, at);
  if (m !== undefined) return `${moduleShortName(m.name)}${offsetText(pc - m.base)}`;
  return (
    "0x" +
    pc
      .toString(16)
      .toUpperCase()
      .padStart(bits === 32 ? 8 : 16, "0")
  );
}

function offsetText(o: number): string {
  return o === 0 ? "" : `+0x${o.toString(16)}`;
}

/** `name+0x10` + 1 → `name+0x11`; `name` + 1 → `name+0x1`. */
function addToOffset(name: string, n: number): string {
  const m = /^(.*)\+0x([0-9a-f]+)$/i.exec(name);
  if (m === null) return name + offsetText(n);
  return m[1] + offsetText(parseInt(m[2], 16) + n);
}

/** A symbol for `exportSymbols`. */
export interface SymbolEntry {
  readonly address: number;
  readonly name: string;
  /** When known, addresses past the end are not attributed to the symbol. */
  readonly size?: number;
}

/**
 * A minimal resolver over the modules' export tables (forwarders left out) plus `extra` symbols (e.g. the
 * synthetic DLLs' internal functions): the nearest symbol at or below the address inside the same module,
 * as WinDbg does with export symbols, unless that symbol has a size and ends before the address.
 */
export function exportSymbols(
  modules: readonly StackModule[],
  extra: readonly SymbolEntry[] = [],
): StackSymbols {
  const tables = modules.map((m) => {
    const entries: SymbolEntry[] = [];
    for (const e of m.image?.exports?.exports ?? []) {
      if (e.forwarder !== undefined || e.rva === 0 || e.rva >= m.size) continue;
      entries.push({ address: m.base + e.rva, name: e.names[0] ?? `#${e.ordinal}` });
    }
    for (const s of extra) if (s.address >= m.base && s.address < m.base + m.size) entries.push(s);
    // Sorted by address; on equal addresses the first name (exports before extras) is kept.
    entries.sort((x, y) => x.address - y.address);
    return { module: m, entries: entries.filter((e, k) => k === 0 || entries[k - 1].address !== e.address) };
  });
  const find = (addr: number): { mod: string; sym: SymbolEntry | undefined; base: number } | undefined => {
    const t = tables.find((x) => addr >= x.module.base && addr < x.module.base + x.module.size);
    if (t === undefined) return undefined;
    const e = t.entries;
    let lo = 0;
    let hi = e.length - 1;
    let best = -1;
    while (lo <= hi) {
      const mid = (lo + hi) >>> 1;
      if (e[mid].address <= addr) {
        best = mid;
        lo = mid + 1;
      } else hi = mid - 1;
    }
    const s = best >= 0 ? e[best] : undefined;
    const inside = s !== undefined && (s.size === undefined || addr < s.address + s.size);
    return { mod: moduleShortName(t.module.name), sym: inside ? s : undefined, base: t.module.base };
  };
  return {
    nameAt(addr) {
      const f = find(addr);
      if (f === undefined) return undefined;
      if (f.sym === undefined) return `${f.mod}${offsetText(addr - f.base)}`;
      return `${f.mod}!${f.sym.name}${offsetText(addr - f.sym.address)}`;
    },
    functionStart: (addr) => find(addr)?.sym?.address,
  };
}

/** The module containing `addr`. */
export function moduleAt(modules: readonly StackModule[], addr: number): StackModule | undefined {
  for (const m of modules) if (addr >= m.base && addr < m.base + m.size) return m;
  return undefined;
}

// ---------------------------------------------------------------------------------------------
// x64 epilog recognition (exported for tests)

// The x64 unwinder (epilog recognition included) lives in src/windows/unwind, where the exception
// dispatcher uses it too.
export { matchX64Epilog, type X64Epilog } from "../windows/unwind";

// ---------------------------------------------------------------------------------------------
// the walker

interface X64State {
  pc: number;
  regs: bigint[];
  /** The pc is where the thread stands (not a return address). */
  exact: boolean;
}

interface X86State {
  eip: number;
  esp: number;
  ebp: number;
  /** ESP is the frame's real stack pointer (not derived from EBP with unknown `ret n` arguments). */
  spExact: boolean;
  exact: boolean;
}

type Step<T> = { next: T; source: FrameSource } | { end: string };

class Walker {
  private readonly frames: StackFrame[] = [];
  private readonly symbols: StackSymbols;
  private readonly max: number;
  private readonly seen = new Set<string>();
  private readonly unwindTarget: UnwindTarget;

  constructor(
    private readonly target: StackTarget,
    private readonly options: WalkOptions,
  ) {
    this.symbols = target.symbols ?? exportSymbols(target.modules);
    this.max = options.maxFrames ?? 256;
    this.unwindTarget = imageUnwindTarget((a, n) => target.memory.read(a, n), target.modules);
  }

  walk(start: WalkStart): StackWalk {
    if (start.bits === 32) {
      const r = (k: number): number => Number(start.regs[k] & 0xffffffffn);
      return this.walk86(
        { eip: start.pc >>> 0, esp: r(4), ebp: r(5), spExact: true, exact: true },
        "context",
      );
    }
    return this.walk64({ pc: start.pc, regs: start.regs.map((v) => v & M64), exact: true }, "context");
  }

  // ---- x64

  private walk64(first: X64State, firstSource: FrameSource): StackWalk {
    let s = first;
    let source = firstSource;
    for (;;) {
      const sp = toNum(s.regs[4]);
      if (!this.push(s.pc, sp, toNum(s.regs[5]), 64, source, !s.exact, s.regs))
        return this.done(this.stopReason);
      const module = this.frames[this.frames.length - 1].module;
      if (this.options.wow64 !== undefined && this.isTransition(s.pc, module)) return this.crossToX86();
      if (module !== undefined && module.bits === 32) return this.fromFarCall(s);
      const step = this.unwind64(s);
      if ("end" in step) return this.done(step.end);
      const n = step.next;
      if (n.pc === 0) return this.done("return address 0");
      if (!Number.isSafeInteger(n.pc))
        return this.done(`the return address 0x${n.pc.toString(16)} is not a user address`);
      if (step.source !== "machframe" && n.regs[4] <= s.regs[4]) {
        return this.done("the stack pointer did not increase");
      }
      if (this.options.stack64 !== undefined) {
        const nsp = toNum(n.regs[4]);
        if (nsp < this.options.stack64.low || nsp > this.options.stack64.high) {
          return this.done(`the stack pointer 0x${nsp.toString(16)} left the stack`);
        }
      }
      s = n;
      source = step.source;
    }
  }

  /**
   * 64-bit code inside a 32-bit image (the program switched modes itself, Heaven's Gate style): the image
   * has no x64 unwind data, so the leaf rule would read a 32-bit stack as 64-bit return addresses. A far
   * call from 32-bit code left EIP and CS (0x23) as two dwords at [rsp] (SDM Vol. 2A, CALL — far call,
   * 32-bit operand size): the caller is that x86 frame. Otherwise (a far jump) the caller is unknown and
   * the walk ends here.
   */
  private fromFarCall(s: X64State): StackWalk {
    const sp = toNum(s.regs[4]);
    const eip = sp < TWO32 ? this.d(sp) : undefined;
    const cs = sp < TWO32 ? this.d(sp + 4) : undefined;
    if (eip !== undefined && cs === 0x23 && moduleAt(this.target.modules, eip)?.bits === 32) {
      const ebp = Number(s.regs[5] & 0xffffffffn);
      return this.walk86({ eip, esp: sp + 8, ebp, spExact: true, exact: false }, "ret");
    }
    return this.done("64-bit code in a 32-bit image: its caller is unknown (entered by a far jump)");
  }

  private isTransition(pc: number, module: StackModule | undefined): boolean {
    if (this.options.isTransition !== undefined) return this.options.isTransition(pc, module);
    return (
      module !== undefined && module.bits === 64 && moduleShortName(module.name).toLowerCase() === "wow64cpu"
    );
  }

  private crossToX86(): StackWalk {
    const w = this.options.wow64;
    let ctx: X86Start | undefined;
    if (w?.context !== undefined) ctx = w.context();
    else if (w?.teb64 !== undefined) {
      const c = readWow64Context(this.target.memory, w.teb64);
      if (c !== undefined) ctx = { eip: c.eip, esp: c.esp, ebp: c.ebp };
    }
    if (ctx === undefined) return this.done("the WOW64 context could not be read");
    return this.walk86({ eip: ctx.eip, esp: ctx.esp, ebp: ctx.ebp, spExact: true, exact: true }, "wow64");
  }

  private unwind64(s: X64State): Step<X64State> {
    const r = unwindFrame(this.unwindTarget, { pc: s.pc, regs: s.regs, exact: s.exact });
    if ("end" in r) return { end: r.end };
    return { next: { pc: r.next.pc, regs: r.next.regs, exact: r.next.exact }, source: r.source };
  }

  // ---- x86

  private walk86(first: X86State, firstSource: FrameSource): StackWalk {
    let s = first;
    let source = firstSource;
    for (;;) {
      if (!this.push(s.eip, s.esp, s.ebp, 32, source, !s.exact)) return this.done(this.stopReason);
      const step = this.unwind86(s);
      if ("end" in step) return this.done(step.end);
      const n = step.next;
      if (n.eip === 0) return this.done("return address 0");
      if (n.esp <= s.esp) return this.done("the stack pointer did not increase");
      s = n;
      source = step.source;
    }
  }

  private unwind86(s: X86State): Step<X86State> {
    const code = this.target.memory.read(s.eip, 16) ?? this.target.memory.read(s.eip, 4);
    const b = (k: number): number => (code !== undefined && k < code.length ? code[k] : -1);
    /** Bytes a `ret` at k pops besides the return address, or -1 when there is no ret at k. */
    const retAt = (k: number): number => {
      if (b(k) === 0xc3 || (b(k) === 0xf3 && b(k + 1) === 0xc3)) return 0;
      if (b(k) === 0xc2 && b(k + 2) >= 0) return b(k + 1) | (b(k + 2) << 8);
      return -1;
    };
    /**
     * The caller from the stack at `at`: the return address there (`savedEbp`: the saved EBP there and the
     * return address after it); `extra` bytes of arguments a `ret n` pops.
     */
    const fromStack = (
      at: number,
      savedEbp: boolean,
      extra: number,
      exact: boolean,
      source: FrameSource,
    ): Step<X86State> => {
      const ret = this.d(savedEbp ? at + 4 : at);
      const ebp = savedEbp ? this.d(at) : s.ebp;
      if (ret === undefined || ebp === undefined) return this.unreadable(BigInt(at));
      const esp = at + (savedEbp ? 8 : 4) + extra;
      if (esp >= TWO32) return { end: "the stack pointer wrapped around" };
      return { next: { eip: ret, esp, ebp, spExact: exact, exact: false }, source };
    };

    if (code !== undefined) {
      // at a return: [esp] is the return address
      const r0 = retAt(0);
      if (r0 >= 0 && s.spExact) return fromStack(s.esp, false, r0, true, "ret");
      // pop ebp; ret
      const r1 = retAt(1);
      if (b(0) === 0x5d && r1 >= 0 && s.spExact) return fromStack(s.esp, true, r1, true, "ret");
      // leave; ret — mov esp, ebp; pop ebp; ret: the frame is torn down from EBP
      const viaEbp = (n: number): Step<X86State> =>
        this.checkEbp(s) ?? fromStack(s.ebp, true, n, true, "ret");
      if (b(0) === 0xc9 && r1 >= 0) return viaEbp(r1);
      const movEspEbp = (b(0) === 0x8b && b(1) === 0xe5) || (b(0) === 0x89 && b(1) === 0xec);
      const r3 = retAt(3);
      if (movEspEbp && b(2) === 0x5d && r3 >= 0) return viaEbp(r3);
      if (s.exact && s.spExact) {
        const start = this.symbols.functionStart?.(s.eip);
        const pushMov =
          b(0) === 0x55 && ((b(1) === 0x8b && b(2) === 0xec) || (b(1) === 0x89 && b(2) === 0xe5));
        const hotpatch = b(0) === 0x8b && b(1) === 0xff && b(2) === 0x55;
        if (start === s.eip || pushMov || hotpatch) {
          return fromStack(s.esp, false, 0, false, "esp");
        }
        // a frameless stub (mov eax, N; vmcall; ret 8 — accessors, trap and syscall stubs): the
        // instructions up to its `ret` leave ESP alone, so [esp] is the return address
        const scan = this.scanToRet(s.eip);
        if (scan !== undefined) return fromStack(s.esp, false, scan, true, "ret");
        const prev = this.target.memory.read(s.eip - 1, 1);
        const afterPush = prev !== undefined && prev[0] === 0x55;
        if (afterPush && ((b(0) === 0x8b && b(1) === 0xec) || (b(0) === 0x89 && b(1) === 0xe5))) {
          return fromStack(s.esp, true, 0, false, "esp");
        }
      }
    }

    // the EBP chain
    return this.checkEbp(s) ?? fromStack(s.ebp, true, 0, false, "ebp-chain");
  }

  /** Why EBP cannot be followed (zero, below ESP, outside the stack bounds), or undefined. */
  private checkEbp(s: X86State): { end: string } | undefined {
    const ebp = s.ebp;
    if (ebp === 0) return { end: "end of the frame chain (ebp = 0)" };
    if (ebp < s.esp) return { end: `the frame pointer 0x${hex8(ebp)} is below the stack pointer` };
    const bounds = this.options.stack32;
    if (bounds !== undefined && (ebp < bounds.low || ebp + 8 > bounds.high)) {
      return { end: `the frame pointer 0x${hex8(ebp)} is outside the stack` };
    }
    return undefined;
  }

  /**
   * Follows the 32-bit code at `eip` to a `ret` through at most 16 straight-line instructions that do not
   * touch ESP or EBP (no push/pop/call/branch, no operand naming esp/ebp); the bytes the `ret` pops besides
   * the return address, or undefined when there is no such path.
   */
  private scanToRet(eip: number): number | undefined {
    const code = this.target.memory.read(eip, 64) ?? this.target.memory.read(eip, 16);
    if (code === undefined) return undefined;
    let p = 0;
    for (let k = 0; k < 16 && p < code.length; k++) {
      const buf = new Uint8Array(16);
      buf.set(code.subarray(p, p + 16));
      const i = decode(buf, Math.min(16, code.length - p), eip + p, 32);
      if (i.invalid !== 0) return undefined;
      if (i.mnemonic === "ret") return i.immSize ? i.imm & 0xffff : 0;
      if (STACK_MNEMONIC.test(i.mnemonic)) return undefined;
      for (const op of describe(i).operands) {
        if (op.kind === "reg" && STACK_REGS.has(op.reg)) return undefined;
        if (op.kind === "branch" || op.kind === "far") return undefined;
      }
      p += i.len;
    }
    return undefined;
  }

  // ---- common

  private stopReason = "";

  /** Adds a frame; false (with `stopReason`) when the walk must stop before it. */
  private push(
    pc: number,
    sp: number,
    fp: number,
    bits: 32 | 64,
    source: FrameSource,
    isRet: boolean,
    regs?: readonly bigint[],
  ): boolean {
    if (this.frames.length >= this.max) {
      this.stopReason = `frame limit (${this.max})`;
      return false;
    }
    const key = `${bits}:${pc}:${sp}`;
    if (this.seen.has(key)) {
      this.stopReason = "the stack loops";
      return false;
    }
    this.seen.add(key);
    const module = moduleAt(this.target.modules, isRet ? pc - 1 : pc);
    this.frames.push({
      index: this.frames.length,
      pc,
      sp,
      fp,
      bits,
      name: frameName(pc, isRet, this.symbols, this.target.modules, bits),
      module,
      source,
      isReturnAddress: isRet,
      callSite: isRet ? this.callSite(pc, bits) : undefined,
      instructionAddress: pc,
      regs: regs?.slice(),
    });
    return true;
  }

  private callSite(ret: number, bits: 32 | 64): number | undefined {
    const before = this.target.memory.read(ret - 7, 7);
    if (before === undefined) return undefined;
    for (const k of [5, 6, 2, 3, 7, 4]) {
      const buf = new Uint8Array(16);
      buf.set(before.subarray(7 - k));
      const i = decode(buf, k, ret - k, bits);
      if (i.invalid === 0 && i.len === k && i.mnemonic === "call") return ret - k;
    }
    return undefined;
  }

  private done(end: string): StackWalk {
    return { frames: this.frames, end };
  }

  private unreadable(addr: bigint): { end: string } {
    return { end: `unreadable memory at 0x${addr.toString(16)}` };
  }

  private d(addr: number): number | undefined {
    if (addr < 0 || addr + 4 > TWO32) return undefined;
    const b = this.target.memory.read(addr, 4);
    if (b === undefined || b.length < 4) return undefined;
    return (b[0] | (b[1] << 8) | (b[2] << 16) | (b[3] << 24)) >>> 0;
  }
}

/** Instructions that move the stack pointer or leave straight-line code. */
const STACK_MNEMONIC =
  /^(push|pop|call|jmp|j[a-z]+|loop|enter|leave|int|int1|int3|into|iret|iretd|retf|syscall|sysenter|sysexit|sysret|ud0|ud1|ud2|hlt|xbegin|bound|lss|xabort)/;
const STACK_REGS = new Set(["esp", "sp", "spl", "ebp", "bp", "bpl", "rsp", "rbp"]);

/** A 64-bit value as a JS number (exact below 2^53; larger values are not user addresses anyway). */
function toNum(v: bigint): number {
  return Number(v & M64);
}

function hex8(v: number): string {
  return v.toString(16).toUpperCase().padStart(8, "0");
}
