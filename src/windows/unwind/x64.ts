/**
 * The x64 unwinder: RtlLookupFunctionEntry and RtlVirtualUnwind over a register state, as the stack walker
 * of the debugger and the exception dispatcher (RtlDispatchException, RtlUnwindEx) both need them.
 *
 * Source of truth: Microsoft, "x64 exception handling" (learn.microsoft.com/cpp/build/exception-handling-x64):
 * struct RUNTIME_FUNCTION / UNWIND_INFO / UNWIND_CODE, "Unwind procedure", "Chained unwind info structures",
 * "Language specific handler"; the WRK's RtlVirtualUnwind for the details the text leaves open.
 *
 * - RtlLookupFunctionEntry: the .pdata entry covering the pc (binary search; the table is sorted). Without an
 *   entry — no module, a module without .pdata, code the table does not cover — the function is a leaf: the
 *   return address is at [rsp] (`unwindLeaf`).
 * - For a frame where the thread actually stands (`exact`: the faulting instruction, a context restored from
 *   a machine frame) the code at pc is checked for an epilog: `add rsp, imm` or `lea rsp, [frame reg + disp]`,
 *   then any `pop reg`, then `ret` / `ret n` / `rep ret`, a `jmp` leaving the function (tail call) or
 *   `jmp [rip+disp]` / `rex.w jmp r/m`. In an epilog the remaining instructions are emulated instead of the
 *   unwind codes, and no handler is returned ("there can be no exception handler associated with this
 *   exception for this function"). A return address (`exact` false) is looked up at pc - 1 (a call ending a
 *   function belongs to that function) and is never in an epilog.
 * - Otherwise the unwind codes are applied in array order (the reverse of the prolog), skipping those whose
 *   prolog offset lies beyond the point reached in the prolog; chained UNWIND_INFO is followed to the primary
 *   entry, whose codes all apply. UWOP_PUSH_MACHFRAME pops a machine frame (RIP at +0, RSP at +0x18, after an
 *   error code when there is one); otherwise the return address is popped.
 * - The establisher frame (the base of the fixed stack allocation, the base of UWOP_SAVE_* offsets) is RSP, or
 *   the frame register minus its offset once UWOP_SET_FPREG has executed.
 * - The handler (UNW_FLAG_EHANDLER / UNW_FLAG_UHANDLER, as asked) is returned only when the pc is past the
 *   prolog and not in an epilog; HandlerData is the address right after the handler's RVA.
 * - Dynamic function tables (RtlAddFunctionTable) are not consulted.
 */
import { decodeUnwindInfo } from "../pe/unwind";
import {
  UNW_FLAG_CHAININFO,
  UNW_FLAG_EHANDLER,
  UNW_FLAG_UHANDLER,
  lookupFunction,
  UNWIND_CHAIN_LIMIT,
  type PeImage,
  type RuntimeFunction,
  type Section,
  type UnwindInfo,
} from "../pe";
import { FileReader } from "../pe/reader";
import { ImageView } from "../pe/view";

export { UNW_FLAG_EHANDLER, UNW_FLAG_UHANDLER, UNW_FLAG_CHAININFO };
/** RtlVirtualUnwind's HandlerType when no handler is wanted. */
export const UNW_FLAG_NHANDLER = 0;

const M64 = (1n << 64n) - 1n;

/** A function entry found for a pc. */
export interface FunctionHit {
  readonly imageBase: number;
  /** SizeOfImage of the module. */
  readonly imageSize: number;
  readonly entry: RuntimeFunction;
  /** The guest address of the RUNTIME_FUNCTION (for DISPATCHER_CONTEXT.FunctionEntry), 0 when unknown. */
  readonly entryAddress: number;
}

/** What the unwinder reads: memory, the function tables and their unwind info. */
export interface UnwindTarget {
  /** Bytes of guest memory, or undefined when any is unreadable. No side effects. */
  read(addr: number, n: number): Uint8Array | undefined;
  /** RtlLookupFunctionEntry: the .pdata entry covering `pc`. */
  lookupFunctionEntry(pc: number): FunctionHit | undefined;
  /** The UNWIND_INFO at `rva` of the image at `imageBase`, or undefined when it cannot be read. */
  unwindInfo(imageBase: number, rva: number): UnwindInfo | undefined;
}

/** A register state being unwound: RAX..R15 in hardware order (RSP = 4), 64-bit values. */
export interface UnwindState {
  pc: number;
  regs: bigint[];
  /** The pc is where the thread stands (not a return address). */
  exact: boolean;
  /** XMM0..XMM15 as 16 bytes each (optional; restored from UWOP_SAVE_XMM128 when present). */
  xmm?: Uint8Array;
}

/** How a frame was unwound. */
export type UnwindSource = "pdata" | "epilog" | "leaf" | "machframe";

/** The result of unwinding one frame. */
export type FrameUnwind =
  | {
      readonly next: UnwindState;
      readonly source: UnwindSource;
      /** The function entry used (undefined for a leaf). */
      readonly hit: FunctionHit | undefined;
      /** The establisher frame of the function unwound (RSP for a leaf). */
      readonly establisherFrame: bigint;
      /** The language handler (absolute), when one of the requested type applies. */
      readonly handler: number | undefined;
      /** HandlerData (absolute), with `handler`. */
      readonly handlerData: number | undefined;
    }
  | { readonly end: string };

/** A 64-bit value as a JS number (exact below 2^53; larger values are not user addresses anyway). */
export function toNum(v: bigint): number {
  return Number(v & M64);
}

function q(t: UnwindTarget, addr: bigint): bigint | undefined {
  if (addr < 0n || addr > BigInt(Number.MAX_SAFE_INTEGER)) return undefined;
  const b = t.read(Number(addr), 8);
  if (b === undefined || b.length < 8) return undefined;
  return new DataView(b.buffer, b.byteOffset, 8).getBigUint64(0, true);
}

const unreadable = (addr: bigint): { end: string } => ({
  end: `unreadable memory at 0x${addr.toString(16)}`,
});

/**
 * One frame: look the function up (pc - 1 for a return address) and unwind it through its unwind data, or as
 * a leaf when it has none. `handlerType` is RtlVirtualUnwind's: UNW_FLAG_NHANDLER, UNW_FLAG_EHANDLER or
 * UNW_FLAG_UHANDLER.
 */
export function unwindFrame(t: UnwindTarget, s: UnwindState, handlerType = UNW_FLAG_NHANDLER): FrameUnwind {
  const hit = t.lookupFunctionEntry(s.exact ? s.pc : s.pc - 1);
  if (hit === undefined) return unwindLeaf(t, s);
  return virtualUnwind(t, handlerType, hit, s);
}

/** A function without unwind data: the return address is at [rsp]. */
export function unwindLeaf(t: UnwindTarget, s: UnwindState): FrameUnwind {
  const regs = s.regs.slice();
  const ret = q(t, regs[4]);
  if (ret === undefined) return unreadable(regs[4]);
  const establisherFrame = regs[4];
  regs[4] = (regs[4] + 8n) & M64;
  return {
    next: { pc: toNum(ret), regs, exact: false, xmm: s.xmm?.slice() },
    source: "leaf",
    hit: undefined,
    establisherFrame,
    handler: undefined,
    handlerData: undefined,
  };
}

/** RtlVirtualUnwind: unwind the frame of the function `hit` from the state `s` (not modified). */
export function virtualUnwind(
  t: UnwindTarget,
  handlerType: number,
  hit: FunctionHit,
  s: UnwindState,
): FrameUnwind {
  const regs = s.regs.slice();
  const xmm = s.xmm?.slice();
  const pc = s.pc;
  const base = hit.imageBase;
  const fn = hit.entry;
  let info = t.unwindInfo(base, fn.unwindInfoRva);
  if (info === undefined)
    return { end: `unreadable unwind info at 0x${(base + fn.unwindInfoRva).toString(16)}` };

  // The establisher frame: the frame register minus its offset once UWOP_SET_FPREG has run, else RSP.
  const inFn = pc - (base + fn.beginRva);
  let establisherFrame = regs[4];
  if (info.frameRegister !== 0) {
    let established = inFn >= info.sizeOfProlog || inFn < 0 || (info.flags & UNW_FLAG_CHAININFO) !== 0;
    if (!established) {
      const set = info.codes.find((c) => c.op === "SET_FPREG");
      established = set !== undefined && inFn >= set.offset;
    }
    if (established) establisherFrame = (regs[info.frameRegister] - BigInt(info.frameOffset)) & M64;
  }

  const done = (
    next: UnwindState,
    source: UnwindSource,
    handler?: number,
    handlerData?: number,
  ): FrameUnwind => ({
    next,
    source,
    hit,
    establisherFrame,
    handler,
    handlerData,
  });

  if (s.exact) {
    const code = t.read(pc, 32) ?? t.read(pc, 8);
    if (code !== undefined) {
      const primary = primaryOf(t, base, fn);
      const leaves = (target: number): boolean => {
        if (target - base === fn.beginRva) return true; // a jump to its own start: recursion
        const other =
          target >= base && target < base + hit.imageSize ? t.lookupFunctionEntry(target) : undefined;
        return other === undefined || other.imageBase !== base || primaryOf(t, base, other.entry) !== primary;
      };
      const ep = matchX64Epilog(code, info.frameRegister, leaves, pc);
      if (ep !== undefined) {
        if (ep.addRsp !== undefined) regs[4] = (regs[4] + BigInt(ep.addRsp)) & M64;
        if (ep.leaRsp !== undefined) regs[4] = (regs[ep.leaRsp.reg] + BigInt(ep.leaRsp.disp)) & M64;
        for (const r of ep.pops) {
          const v = q(t, regs[4]);
          if (v === undefined) return unreadable(regs[4]);
          regs[r] = v;
          regs[4] = (regs[4] + 8n) & M64;
        }
        const ret = q(t, regs[4]);
        if (ret === undefined) return unreadable(regs[4]);
        regs[4] = (regs[4] + 8n) & M64;
        return done({ pc: toNum(ret), regs, exact: false, xmm }, "epilog");
      }
    }
  }

  let entry: RuntimeFunction = fn;
  let prologOffset: number;
  for (let depth = 0; ; depth++) {
    const at = pc - (base + entry.beginRva);
    prologOffset = at >= 0 && at < info.sizeOfProlog ? at : Infinity;
    for (const c of info.codes) {
      if (c.op === "EPILOG" || c.op === "EPILOG_AT") continue;
      if (prologOffset < c.offset) continue; // not executed yet
      switch (c.op) {
        case "PUSH_NONVOL": {
          const v = q(t, regs[4]);
          if (v === undefined) return unreadable(regs[4]);
          regs[c.reg] = v;
          regs[4] = (regs[4] + 8n) & M64;
          break;
        }
        case "ALLOC_SMALL":
        case "ALLOC_LARGE":
          regs[4] = (regs[4] + BigInt(c.size)) & M64;
          break;
        case "SET_FPREG":
          regs[4] = (regs[info.frameRegister] - BigInt(info.frameOffset)) & M64;
          break;
        case "SAVE_NONVOL":
        case "SAVE_NONVOL_FAR": {
          const a = (establisherFrame + BigInt(c.stackOffset)) & M64;
          const v = q(t, a);
          if (v === undefined) return unreadable(a);
          regs[c.reg] = v;
          break;
        }
        case "SAVE_XMM128":
        case "SAVE_XMM128_FAR": {
          if (xmm === undefined) break;
          const a = (establisherFrame + BigInt(c.stackOffset)) & M64;
          const v = a <= BigInt(Number.MAX_SAFE_INTEGER) ? t.read(Number(a), 16) : undefined;
          if (v === undefined || v.length < 16) return unreadable(a);
          xmm.set(v, 16 * c.reg);
          break;
        }
        case "SAVE_XMM":
        case "SAVE_XMM_FAR":
          break; // obsolete version-1 codes (the low 64 bits): not produced by current compilers
        case "PUSH_MACHFRAME": {
          if (c.errorCode) regs[4] = (regs[4] + 8n) & M64;
          const rip = q(t, regs[4]);
          const rsp = q(t, regs[4] + 0x18n);
          if (rip === undefined || rsp === undefined) return unreadable(regs[4]);
          regs[4] = rsp;
          return done({ pc: toNum(rip), regs, exact: true, xmm }, "machframe");
        }
      }
    }
    if ((info.flags & UNW_FLAG_CHAININFO) === 0 || info.chained === undefined) break;
    if (depth >= UNWIND_CHAIN_LIMIT) return { end: "the chain of unwind info is too long" };
    entry = info.chained;
    const next = t.unwindInfo(base, entry.unwindInfoRva);
    if (next === undefined) return { end: "chained unwind info is missing" };
    info = next;
  }
  const ret = q(t, regs[4]);
  if (ret === undefined) return unreadable(regs[4]);
  regs[4] = (regs[4] + 8n) & M64;
  // A handler only applies once control is past the prolog (of the primary entry, after the chain).
  let handler: number | undefined;
  let handlerData: number | undefined;
  if (
    handlerType !== UNW_FLAG_NHANDLER &&
    prologOffset === Infinity &&
    (info.flags & handlerType) !== 0 &&
    info.handlerRva !== undefined
  ) {
    handler = base + info.handlerRva;
    handlerData = info.handlerDataRva !== undefined ? base + info.handlerDataRva : undefined;
  }
  return done({ pc: toNum(ret), regs, exact: false, xmm }, "pdata", handler, handlerData);
}

/** The primary (non-chained) entry's BeginAddress a function entry's unwind info chains to. */
function primaryOf(t: UnwindTarget, base: number, fn: RuntimeFunction): number {
  let cur = fn;
  for (let k = 0; k <= UNWIND_CHAIN_LIMIT; k++) {
    const info = t.unwindInfo(base, cur.unwindInfoRva);
    if (info === undefined || (info.flags & UNW_FLAG_CHAININFO) === 0 || info.chained === undefined) break;
    cur = info.chained;
  }
  return cur.beginRva;
}

// ---------------------------------------------------------------------------------------------
// epilog recognition

/** An epilog recognised at the current instruction, as the steps left to execute. */
export interface X64Epilog {
  /** `add rsp, imm` left to do, or undefined. */
  readonly addRsp: number | undefined;
  /** `lea rsp, [reg + disp]` left to do, or undefined. */
  readonly leaRsp: { readonly reg: number; readonly disp: number } | undefined;
  /** Registers popped, in order. */
  readonly pops: readonly number[];
  readonly end: "ret" | "jmp";
}

/**
 * Recognises an epilog at the start of `code` (the rules of "Unwind procedure" / the WRK's RtlVirtualUnwind):
 * an optional `add rsp, imm8/imm32` or `lea rsp, [frameRegister + disp8/disp32]`, any number of `pop r64`,
 * then `ret`, `ret imm16`, `rep ret`, `jmp [rip+disp32]`, `rex.w jmp r/m64`, or a direct `jmp` whose target
 * `leavesFunction` (a tail call). `frameRegister` 0 means the function has none.
 */
export function matchX64Epilog(
  code: Uint8Array,
  frameRegister: number,
  leavesFunction: (target: number) => boolean = () => true,
  pc = 0,
): X64Epilog | undefined {
  const b = (k: number): number => (k < code.length ? code[k] : -1);
  let p = 0;
  let addRsp: number | undefined;
  let leaRsp: { reg: number; disp: number } | undefined;
  const s32 = (k: number): number => b(k) | (b(k + 1) << 8) | (b(k + 2) << 16) | (b(k + 3) << 24);
  if (b(0) === 0x48 && b(1) === 0x83 && b(2) === 0xc4 && b(3) >= 0) {
    addRsp = (b(3) << 24) >> 24;
    p = 4;
  } else if (b(0) === 0x48 && b(1) === 0x81 && b(2) === 0xc4 && b(6) >= 0) {
    addRsp = s32(3);
    p = 7;
  } else if ((b(0) & 0xfe) === 0x48 && b(1) === 0x8d && b(2) >= 0) {
    const reg = ((b(0) & 1) << 3) | (b(2) & 7);
    // lea rsp, [reg + disp]: ModRM.reg = 100 (rsp); rm = 100 would need a SIB byte (not an epilog form)
    if (reg !== 0 && reg === frameRegister && (b(2) & 7) !== 4) {
      if ((b(2) & 0xf8) === 0x60 && b(3) >= 0) {
        leaRsp = { reg, disp: (b(3) << 24) >> 24 };
        p = 4;
      } else if ((b(2) & 0xf8) === 0xa0 && b(6) >= 0) {
        leaRsp = { reg, disp: s32(3) };
        p = 7;
      }
    }
  }
  const pops: number[] = [];
  for (;;) {
    if (b(p) >= 0 && (b(p) & 0xf8) === 0x58) {
      pops.push(b(p) & 7);
      p += 1;
    } else if (b(p) >= 0x40 && b(p) <= 0x4f && b(p + 1) >= 0 && (b(p + 1) & 0xf8) === 0x58) {
      pops.push(((b(p) & 1) << 3) | (b(p + 1) & 7));
      p += 2;
    } else break;
  }
  const op = b(p);
  const done = (end: "ret" | "jmp"): X64Epilog => ({ addRsp, leaRsp, pops, end });
  if (op === 0xc3 || (op === 0xc2 && b(p + 2) >= 0) || (op === 0xf3 && b(p + 1) === 0xc3)) return done("ret");
  if (op === 0xeb && b(p + 1) >= 0) {
    const target = pc + p + 2 + ((b(p + 1) << 24) >> 24);
    return leavesFunction(target) ? done("jmp") : undefined;
  }
  if (op === 0xe9 && b(p + 4) >= 0) {
    const target = pc + p + 5 + s32(p + 1);
    return leavesFunction(target) ? done("jmp") : undefined;
  }
  if (op === 0xff && b(p + 1) === 0x25) return done("jmp");
  if (op >= 0x48 && op <= 0x4f && b(p + 1) === 0xff && b(p + 2) >= 0 && (b(p + 2) & 0x38) === 0x20) {
    return done("jmp");
  }
  return undefined;
}

// ---------------------------------------------------------------------------------------------
// targets

/** A module as an image-based target needs it: its base, size and parsed image (.pdata, unwind info). */
export interface ImageModule {
  readonly base: number;
  readonly size: number;
  readonly bits: 32 | 64;
  readonly image?: PeImage;
}

/** An unwind target over parsed images (the debugger: images read from their files). */
export function imageUnwindTarget(
  read: (addr: number, n: number) => Uint8Array | undefined,
  modules: readonly ImageModule[],
): UnwindTarget {
  return {
    read,
    lookupFunctionEntry(pc) {
      for (const m of modules) {
        if (pc < m.base || pc >= m.base + m.size) continue;
        if (m.bits !== 64 || m.image === undefined || m.image.functions.length === 0) return undefined;
        const entry = lookupFunction(m.image.functions, pc - m.base);
        return entry === undefined
          ? undefined
          : { imageBase: m.base, imageSize: m.size, entry, entryAddress: 0 };
      }
      return undefined;
    },
    unwindInfo(imageBase, rva) {
      return modules.find((m) => m.base === imageBase)?.image?.unwindInfos.get(rva);
    },
  };
}

/** A loaded module as the memory-based target needs it. */
export interface MappedModule {
  readonly base: number;
  /** SizeOfImage; 0 when unknown (read from the headers then). */
  readonly size: number;
}

/**
 * An unwind target over the images as they are mapped in guest memory, as RtlLookupFunctionEntry reads them:
 * the PE32+ headers give the exception directory, the RUNTIME_FUNCTION table is searched in memory and the
 * UNWIND_INFO decoded from memory (cached per address while the target lives).
 */
export function memoryUnwindTarget(
  read: (addr: number, n: number) => Uint8Array | undefined,
  modules: readonly MappedModule[],
): UnwindTarget {
  const u32 = (addr: number): number | undefined => {
    const b = read(addr, 4);
    return b === undefined || b.length < 4
      ? undefined
      : (b[0] | (b[1] << 8) | (b[2] << 16) | (b[3] << 24)) >>> 0;
  };
  const u16 = (addr: number): number | undefined => {
    const b = read(addr, 2);
    return b === undefined || b.length < 2 ? undefined : b[0] | (b[1] << 8);
  };
  interface Table {
    base: number;
    size: number;
    rva: number;
    count: number;
  }
  const tables = new Map<number, Table | undefined>();
  const table = (m: MappedModule): Table | undefined => {
    if (tables.has(m.base)) return tables.get(m.base);
    let t: Table | undefined;
    const lfanew = u32(m.base + 0x3c);
    const nt = lfanew === undefined ? undefined : m.base + lfanew;
    // IMAGE_NT_HEADERS64: "PE\0\0", Magic 0x20B; SizeOfImage at OptionalHeader+0x38; the exception
    // directory (entry 3) at OptionalHeader+0x70+3*8 when NumberOfRvaAndSizes (at +0x6C) covers it.
    if (nt !== undefined && u32(nt) === 0x4550 && u16(nt + 0x18) === 0x20b) {
      const opt = nt + 0x18;
      const size = m.size !== 0 ? m.size : (u32(opt + 0x38) ?? 0);
      const n = u32(opt + 0x6c) ?? 0;
      const rva = n > 3 ? (u32(opt + 0x70 + 3 * 8) ?? 0) : 0;
      const bytes = n > 3 ? (u32(opt + 0x70 + 3 * 8 + 4) ?? 0) : 0;
      if (rva !== 0 && bytes >= 12 && rva + bytes <= size)
        t = { base: m.base, size, rva, count: Math.floor(bytes / 12) };
    }
    tables.set(m.base, t);
    return t;
  };
  const infos = new Map<number, UnwindInfo | undefined>();
  return {
    read,
    lookupFunctionEntry(pc) {
      const m = modules.find((x) => pc >= x.base && (x.size === 0 || pc < x.base + x.size));
      if (m === undefined) return undefined;
      const t = table(m);
      if (t === undefined || pc >= t.base + t.size) return undefined;
      const off = pc - t.base;
      let lo = 0;
      let hi = t.count - 1;
      while (lo <= hi) {
        const mid = (lo + hi) >>> 1;
        const at = t.base + t.rva + 12 * mid;
        const begin = u32(at);
        const end = u32(at + 4);
        let unwind = u32(at + 8);
        if (begin === undefined || end === undefined || unwind === undefined) return undefined;
        if (off < begin) hi = mid - 1;
        else if (off >= end) lo = mid + 1;
        else {
          // UnwindData with bit 0 set: the RVA (plus 1) of another RUNTIME_FUNCTION sharing its unwind data.
          if ((unwind & 1) !== 0) unwind = u32(t.base + unwind - 1 + 8) ?? 1;
          if ((unwind & 3) !== 0 || unwind >= t.size) return undefined;
          return {
            imageBase: t.base,
            imageSize: t.size,
            entry: { beginRva: begin, endRva: end, unwindInfoRva: unwind },
            entryAddress: at,
          };
        }
      }
      return undefined;
    },
    unwindInfo(imageBase, rva) {
      const key = imageBase + rva;
      if (infos.has(key)) return infos.get(key);
      let info: UnwindInfo | undefined;
      const m = modules.find((x) => x.base === imageBase);
      const t = m === undefined ? undefined : table(m);
      const head = read(key, 4);
      if (t !== undefined && head !== undefined && head.length === 4) {
        // header + the (even) code slots + the handler RVA or chained RUNTIME_FUNCTION after them
        const slots = head[2] + (head[2] & 1);
        const len = 4 + 2 * slots + 12;
        const bytes = read(key, len) ?? read(key, len - 8);
        if (bytes !== undefined) info = decodeFromBytes(bytes, rva, t.size);
      }
      infos.set(key, info);
      return info;
    },
  };
}

/** Decodes an UNWIND_INFO from its bytes (at `rva` of an image of `size` bytes) with the PE parser's decoder. */
function decodeFromBytes(bytes: Uint8Array, rva: number, size: number): UnwindInfo | undefined {
  const section: Section = {
    index: 0,
    name: ".xdata",
    virtualSize: bytes.length,
    virtualAddress: rva,
    sizeOfRawData: bytes.length,
    pointerToRawData: 0,
    characteristics: 0,
    headerOffset: 0,
    memorySize: bytes.length,
    fileSize: bytes.length,
  };
  try {
    return decodeUnwindInfo(new ImageView(new FileReader(bytes), [section], 0, 1, size), rva, {
      field: "UNWIND_INFO",
      value: rva,
      offset: undefined,
    });
  } catch {
    return undefined; // malformed unwind data: no entry, as a corrupt table gives nothing usable
  }
}
