/**
 * x64 exception data: the .pdata table (RUNTIME_FUNCTION) and the UNWIND_INFO each entry points at, decoded
 * for stack walking and exception dispatch ("x64 exception handling", Microsoft C++ documentation:
 * struct RUNTIME_FUNCTION, struct UNWIND_INFO, struct UNWIND_CODE, "Chained unwind info structures").
 */
import { PeError, hx } from "./error";
import {
  RuntimeFunction,
  UNW_FLAG_CHAININFO,
  UNW_FLAG_EHANDLER,
  UNW_FLAG_UHANDLER,
  UnwindCode,
  UnwindInfo,
  UWOP_ALLOC_LARGE,
  UWOP_ALLOC_SMALL,
  UWOP_EPILOG,
  UWOP_PUSH_MACHFRAME,
  UWOP_PUSH_NONVOL,
  UWOP_SAVE_NONVOL,
  UWOP_SAVE_NONVOL_FAR,
  UWOP_SAVE_XMM128,
  UWOP_SAVE_XMM128_FAR,
  UWOP_SET_FPREG,
  UWOP_SPARE_CODE,
} from "./types";
import { ImageView, Ref } from "./view";

/** RtlVirtualUnwind follows at most this many chained entries (UNWIND_CHAIN_LIMIT in the Windows sources). */
export const UNWIND_CHAIN_LIMIT = 32;

const RF = "RUNTIME_FUNCTION";
const UI = "UNWIND_INFO";

/** Reads the .pdata table: `dirSize / 12` entries (a partial trailing entry is ignored, as the loader does). */
export function parseFunctionTable(
  view: ImageView,
  dirRva: number,
  dirSize: number,
  dirOffset: number,
): { functions: RuntimeFunction[]; unwindInfos: Map<number, UnwindInfo> } {
  const count = Math.floor(dirSize / 12);
  const functions: RuntimeFunction[] = [];
  const unwindInfos = new Map<number, UnwindInfo>();
  if (count === 0) return { functions, unwindInfos };
  const base = view.at(dirRva, 12 * count, { field: RF, value: dirRva, offset: dirOffset });
  for (let i = 0; i < count; i++) {
    const fn = readRuntimeFunction(view, base + 12 * i, `${RF}[${i}]`);
    functions.push(fn);
    decodeChain(view, fn, unwindInfos, `${RF}[${i}]`, base + 12 * i);
  }
  return { functions, unwindInfos };
}

/** A RUNTIME_FUNCTION at file offset `at`, validated, with an indirect UnwindData followed. */
function readRuntimeFunction(view: ImageView, at: number, f: string): RuntimeFunction {
  const dv = view.file.view;
  const begin = dv.getUint32(at, true);
  const end = dv.getUint32(at + 4, true);
  let unwind = dv.getUint32(at + 8, true);
  if (begin >= view.mappedSize) {
    throw new PeError(
      `${f}.BeginAddress`,
      begin,
      at,
      `outside the image (SizeOfImage ${hx(view.mappedSize)})`,
    );
  }
  if (end <= begin || end > view.mappedSize) {
    throw new PeError(
      `${f}.EndAddress`,
      end,
      at + 4,
      end <= begin
        ? `not after BeginAddress ${hx(begin)}`
        : `outside the image (SizeOfImage ${hx(view.mappedSize)})`,
    );
  }
  // Bit 0 set: UnwindData is the RVA (plus 1) of another RUNTIME_FUNCTION whose unwind data is shared.
  if ((unwind & 1) !== 0) {
    const target = unwind - 1;
    const o = view.at(target, 12, { field: `${f}.UnwindData`, value: unwind, offset: at + 8 });
    unwind = dv.getUint32(o + 8, true);
    if ((unwind & 1) !== 0) {
      throw new PeError(
        `${f}.UnwindData`,
        dv.getUint32(at + 8, true),
        at + 8,
        "an indirect entry points at another indirect entry",
      );
    }
  }
  if (unwind % 4 !== 0) {
    throw new PeError(`${f}.UnwindData`, unwind, at + 8, "UNWIND_INFO must be DWORD-aligned");
  }
  return { beginRva: begin, endRva: end, unwindInfoRva: unwind };
}

function decodeChain(
  view: ImageView,
  fn: RuntimeFunction,
  cache: Map<number, UnwindInfo>,
  owner: string,
  ownerOffset: number,
): void {
  let current: RuntimeFunction | undefined = fn;
  const seen = new Set<number>();
  for (let depth = 0; current !== undefined; depth++) {
    if (depth > UNWIND_CHAIN_LIMIT || seen.has(current.unwindInfoRva)) {
      throw new PeError(
        `${owner}.UnwindData`,
        fn.unwindInfoRva,
        ownerOffset + 8,
        depth > UNWIND_CHAIN_LIMIT
          ? `the chain of unwind info is longer than ${UNWIND_CHAIN_LIMIT} entries`
          : `the chain of unwind info loops back to ${hx(current.unwindInfoRva)}`,
      );
    }
    seen.add(current.unwindInfoRva);
    let info = cache.get(current.unwindInfoRva);
    if (info === undefined) {
      info = decodeUnwindInfo(view, current.unwindInfoRva, {
        field: `${owner}.UnwindData`,
        value: current.unwindInfoRva,
        offset: depth === 0 ? ownerOffset + 8 : undefined,
      });
      cache.set(current.unwindInfoRva, info);
    }
    current = info.chained;
  }
}

/** Decodes the UNWIND_INFO at `rva`; `ref` names who points at it. */
export function decodeUnwindInfo(view: ImageView, rva: number, ref: Ref): UnwindInfo {
  const at = view.at(rva, 4, ref);
  const dv = view.file.view;
  const b0 = dv.getUint8(at);
  const version = b0 & 7;
  const flags = b0 >>> 3;
  const sizeOfProlog = dv.getUint8(at + 1);
  const countOfCodes = dv.getUint8(at + 2);
  const b3 = dv.getUint8(at + 3);
  const frameRegister = b3 & 15;
  const frameOffset = (b3 >>> 4) * 16;
  const f = `${UI}@${hx(rva)}`;
  if (version !== 1 && version !== 2) {
    throw new PeError(`${f}.Version`, version, at, "only unwind info versions 1 and 2 exist");
  }
  if ((flags & ~(UNW_FLAG_EHANDLER | UNW_FLAG_UHANDLER | UNW_FLAG_CHAININFO)) !== 0) {
    throw new PeError(`${f}.Flags`, flags, at, "undefined flag bits");
  }
  if ((flags & UNW_FLAG_CHAININFO) !== 0 && (flags & (UNW_FLAG_EHANDLER | UNW_FLAG_UHANDLER)) !== 0) {
    throw new PeError(`${f}.Flags`, flags, at, "chained unwind info cannot also name a handler");
  }
  const slots = countOfCodes + (countOfCodes & 1); // the array is padded to an even count
  const codesAt = view.at(rva + 4, 2 * slots, {
    field: `${f}.CountOfCodes`,
    value: countOfCodes,
    offset: at + 2,
  });
  const slot = (k: number): number => dv.getUint16(codesAt + 2 * k, true);
  const codes: UnwindCode[] = [];
  let firstEpilog = true;
  for (let k = 0; k < countOfCodes;) {
    const w = slot(k);
    const offset = w & 0xff;
    const op = (w >>> 8) & 15;
    const info = w >>> 12;
    const need = (n: number): void => {
      if (k + n > countOfCodes) {
        throw new PeError(
          `${f}.UnwindCode[${k}]`,
          w,
          codesAt + 2 * k,
          `operation ${op} needs ${n} slots but only ${countOfCodes - k} remain`,
        );
      }
    };
    let code: UnwindCode;
    switch (op) {
      case UWOP_PUSH_NONVOL:
        code = { op: "PUSH_NONVOL", offset, slots: 1, reg: info };
        break;
      case UWOP_ALLOC_LARGE:
        if (info === 0) {
          need(2);
          code = { op: "ALLOC_LARGE", offset, slots: 2, size: slot(k + 1) * 8 };
        } else if (info === 1) {
          need(3);
          code = { op: "ALLOC_LARGE", offset, slots: 3, size: slot(k + 1) + slot(k + 2) * 0x10000 };
        } else {
          throw new PeError(
            `${f}.UnwindCode[${k}]`,
            w,
            codesAt + 2 * k,
            "UWOP_ALLOC_LARGE takes operation info 0 or 1",
          );
        }
        break;
      case UWOP_ALLOC_SMALL:
        code = { op: "ALLOC_SMALL", offset, slots: 1, size: info * 8 + 8 };
        break;
      case UWOP_SET_FPREG:
        if (frameRegister === 0) {
          throw new PeError(
            `${f}.UnwindCode[${k}]`,
            w,
            codesAt + 2 * k,
            "UWOP_SET_FPREG without a frame register",
          );
        }
        code = { op: "SET_FPREG", offset, slots: 1 };
        break;
      case UWOP_SAVE_NONVOL:
        need(2);
        code = { op: "SAVE_NONVOL", offset, slots: 2, reg: info, stackOffset: slot(k + 1) * 8 };
        break;
      case UWOP_SAVE_NONVOL_FAR:
        need(3);
        code = {
          op: "SAVE_NONVOL_FAR",
          offset,
          slots: 3,
          reg: info,
          stackOffset: slot(k + 1) + slot(k + 2) * 0x10000,
        };
        break;
      case UWOP_EPILOG:
        if (version === 2) {
          // The first epilog code gives the epilogs' size (and whether one ends the function); each
          // further one an epilog's distance from the end of the function, its high 4 bits in OpInfo.
          if (firstEpilog) code = { op: "EPILOG", offset, slots: 1, size: offset, atEnd: (info & 1) !== 0 };
          else code = { op: "EPILOG_AT", offset, slots: 1, distance: offset | (info << 8) };
          firstEpilog = false;
        } else {
          need(2);
          code = { op: "SAVE_XMM", offset, slots: 2, reg: info, stackOffset: slot(k + 1) * 8 };
        }
        break;
      case UWOP_SPARE_CODE:
        if (version === 2) {
          throw new PeError(
            `${f}.UnwindCode[${k}]`,
            w,
            codesAt + 2 * k,
            "operation 7 is reserved in version 2",
          );
        }
        need(3);
        code = {
          op: "SAVE_XMM_FAR",
          offset,
          slots: 3,
          reg: info,
          stackOffset: slot(k + 1) + slot(k + 2) * 0x10000,
        };
        break;
      case UWOP_SAVE_XMM128:
        need(2);
        code = { op: "SAVE_XMM128", offset, slots: 2, reg: info, stackOffset: slot(k + 1) * 16 };
        break;
      case UWOP_SAVE_XMM128_FAR:
        need(3);
        code = {
          op: "SAVE_XMM128_FAR",
          offset,
          slots: 3,
          reg: info,
          stackOffset: slot(k + 1) + slot(k + 2) * 0x10000,
        };
        break;
      case UWOP_PUSH_MACHFRAME:
        if (info > 1) {
          throw new PeError(
            `${f}.UnwindCode[${k}]`,
            w,
            codesAt + 2 * k,
            "UWOP_PUSH_MACHFRAME takes operation info 0 or 1",
          );
        }
        code = { op: "PUSH_MACHFRAME", offset, slots: 1, errorCode: info === 1 };
        break;
      default:
        throw new PeError(`${f}.UnwindCode[${k}]`, w, codesAt + 2 * k, `unknown unwind operation ${op}`);
    }
    codes.push(code);
    k += code.slots;
  }

  const tail = rva + 4 + 2 * slots;
  let handlerRva: number | undefined;
  let handlerDataRva: number | undefined;
  let chained: RuntimeFunction | undefined;
  if ((flags & (UNW_FLAG_EHANDLER | UNW_FLAG_UHANDLER)) !== 0) {
    const ho = view.at(tail, 4, { field: `${f}.ExceptionHandler`, value: tail, offset: at });
    handlerRva = dv.getUint32(ho, true);
    if (handlerRva === 0 || handlerRva >= view.mappedSize) {
      throw new PeError(`${f}.ExceptionHandler`, handlerRva, ho, "the handler lies outside the image");
    }
    handlerDataRva = tail + 4;
  } else if ((flags & UNW_FLAG_CHAININFO) !== 0) {
    const co = view.at(tail, 12, { field: `${f}.FunctionEntry`, value: tail, offset: at });
    chained = readRuntimeFunction(view, co, `${f}.FunctionEntry`);
  }
  return {
    rva,
    version: version as 1 | 2,
    flags,
    sizeOfProlog,
    countOfCodes,
    frameRegister,
    frameOffset,
    codes,
    handlerRva,
    handlerDataRva,
    chained,
  };
}

/** The .pdata entry covering `rva` (a binary search, as RtlLookupFunctionEntry: the table is sorted). */
export function lookupFunction(functions: RuntimeFunction[], rva: number): RuntimeFunction | undefined {
  let lo = 0;
  let hi = functions.length - 1;
  while (lo <= hi) {
    const mid = (lo + hi) >>> 1;
    const fn = functions[mid];
    if (rva < fn.beginRva) hi = mid - 1;
    else if (rva >= fn.endRva) lo = mid + 1;
    else return fn;
  }
  return undefined;
}
