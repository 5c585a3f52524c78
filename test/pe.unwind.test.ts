/**
 * x64 .pdata and UNWIND_INFO decoding. Expected listings were recorded with `llvm-readobj --unwind FILE`
 * (LLVM 14) and are compared in its notation. LLVM 14 aborts on unwind64.exe's version 2 entry, so the
 * first nine entries were recorded from a copy whose exception directory stops before it, and the last
 * two (chained, version 2) from `x86_64-w64-mingw32-objdump -p unwind64.exe`, quoted below. (objdump
 * prints SAVE_XMM128_FAR's offset as 0x900000: it scales the unscaled 32-bit offset by 16; llvm-readobj
 * and the x64 ABI documentation agree on 0x90000.)
 */
import * as assert from "node:assert/strict";
import * as fs from "node:fs";
import * as path from "node:path";
import {
  PeError,
  PeImage,
  REGISTER_NAMES,
  RuntimeFunction,
  UnwindCode,
  UnwindInfo,
  lookupFunction,
  mapImage,
  parsePe,
} from "../src/windows/pe";

const BIN = path.join(__dirname, "fixtures", "bin");

function load(name: string): Uint8Array {
  return new Uint8Array(fs.readFileSync(path.join(BIN, name)));
}

const hx = (v: number, w = 0): string => "0x" + v.toString(16).toUpperCase().padStart(w, "0");

/** One code as llvm-readobj prints it. */
function codeText(c: UnwindCode, info: UnwindInfo): string {
  const at = `${hx(c.offset, 2)}: `;
  switch (c.op) {
    case "PUSH_NONVOL":
      return `${at}PUSH_NONVOL reg=${REGISTER_NAMES[c.reg]}`;
    case "ALLOC_LARGE":
    case "ALLOC_SMALL":
      return `${at}${c.op} size=${c.size}`;
    case "SET_FPREG":
      return `${at}SET_FPREG reg=${REGISTER_NAMES[info.frameRegister]}, offset=${hx(info.frameOffset)}`;
    case "SAVE_NONVOL":
    case "SAVE_NONVOL_FAR":
      return `${at}${c.op} reg=${REGISTER_NAMES[c.reg]}, offset=${hx(c.stackOffset)}`;
    case "SAVE_XMM":
    case "SAVE_XMM_FAR":
    case "SAVE_XMM128":
    case "SAVE_XMM128_FAR":
      return `${at}${c.op} reg=XMM${c.reg}, offset=${hx(c.stackOffset)}`;
    case "PUSH_MACHFRAME":
      return `${at}PUSH_MACHFRAME errcode=${c.errorCode ? "yes" : "no"}`;
    case "EPILOG":
      return `EPILOG size=${c.size}${c.atEnd ? " atEnd" : ""}`;
    case "EPILOG_AT":
      return `EPILOG_AT distance=${hx(c.distance)}`;
  }
}

function listing(img: PeImage, fn: RuntimeFunction): string {
  const u = img.unwindInfos.get(fn.unwindInfoRva);
  assert.ok(u, `no unwind info at ${hx(fn.unwindInfoRva)}`);
  const frame =
    u.frameRegister === 0 ? "-/-" : `${REGISTER_NAMES[u.frameRegister]}/${hx(u.frameOffset / 16)}`;
  let s =
    `${hx(fn.beginRva)}-${hx(fn.endRva)} @${hx(fn.unwindInfoRva)} v${u.version} flags=${hx(u.flags)} ` +
    `prolog=${u.sizeOfProlog} frame=${frame}: ` +
    u.codes.map((c) => codeText(c, u)).join("; ");
  if (u.handlerRva !== undefined) s += ` handler=${hx(u.handlerRva)}`;
  if (u.chained !== undefined) {
    s += ` chain=${hx(u.chained.beginRva)}-${hx(u.chained.endRva)}@${hx(u.chained.unwindInfoRva)}`;
  }
  return s;
}

// prettier-ignore
const EXPECTED: Record<string, string[]> = {
  "hello64.exe": [
    "0x1000-0x1055 @0x5000 v1 flags=0x0 prolog=4 frame=-/-: 0x04: ALLOC_SMALL size=72",
  ],
  "memory64.exe": [
    "0x1000-0x1057 @0x5000 v1 flags=0x0 prolog=0 frame=-/-: ",
    "0x1060-0x10C5 @0x5004 v1 flags=0x0 prolog=0 frame=-/-: ",
    "0x10D0-0x1176 @0x5008 v1 flags=0x0 prolog=4 frame=-/-: 0x04: ALLOC_SMALL size=24",
    "0x1180-0x11CA @0x5010 v1 flags=0x0 prolog=4 frame=-/-: 0x04: ALLOC_SMALL size=72",
    "0x11D0-0x1230 @0x5018 v1 flags=0x0 prolog=0 frame=-/-: ",
    "0x1230-0x136E @0x501C v1 flags=0x0 prolog=5 frame=-/-: 0x05: ALLOC_SMALL size=32; 0x01: PUSH_NONVOL reg=RBX",
    "0x1370-0x167F @0x5024 v1 flags=0x0 prolog=2 frame=-/-: 0x02: PUSH_NONVOL reg=RBX; 0x01: PUSH_NONVOL reg=RSI",
    "0x1680-0x2358 @0x502C v1 flags=0x0 prolog=19 frame=-/-: 0x13: ALLOC_LARGE size=248; 0x0C: PUSH_NONVOL reg=RBX; 0x0B: PUSH_NONVOL reg=RSI; 0x0A: PUSH_NONVOL reg=RDI; 0x09: PUSH_NONVOL reg=RBP; 0x08: PUSH_NONVOL reg=R12; 0x06: PUSH_NONVOL reg=R13; 0x04: PUSH_NONVOL reg=R14; 0x02: PUSH_NONVOL reg=R15",
  ],
  "tls64.exe": [
    "0x1000-0x107F @0x4000 v1 flags=0x0 prolog=4 frame=-/-: 0x04: ALLOC_SMALL size=104",
    "0x1080-0x10FF @0x4008 v1 flags=0x0 prolog=4 frame=-/-: 0x04: ALLOC_SMALL size=104",
    "0x1100-0x113C @0x4010 v1 flags=0x0 prolog=4 frame=-/-: 0x04: ALLOC_SMALL size=72",
  ],
  "dllclient64.exe": [
    "0x1000-0x109E @0x5000 v1 flags=0x0 prolog=8 frame=-/-: 0x08: ALLOC_SMALL size=40; 0x04: PUSH_NONVOL reg=RBX; 0x03: PUSH_NONVOL reg=RSI; 0x02: PUSH_NONVOL reg=RDI; 0x01: PUSH_NONVOL reg=RBP",
    "0x10A0-0x10DC @0x5010 v1 flags=0x0 prolog=5 frame=-/-: 0x05: ALLOC_SMALL size=32; 0x01: PUSH_NONVOL reg=RBX",
    "0x1110-0x1151 @0x5018 v1 flags=0x0 prolog=4 frame=-/-: 0x04: ALLOC_SMALL size=72",
  ],
  "exports64.dll": [
    "0x1000-0x1004 @0x4000 v1 flags=0x0 prolog=0 frame=-/-: ",
    "0x1010-0x1016 @0x4004 v1 flags=0x0 prolog=0 frame=-/-: ",
    "0x1020-0x1026 @0x4008 v1 flags=0x0 prolog=0 frame=-/-: ",
    "0x1030-0x1036 @0x400C v1 flags=0x0 prolog=0 frame=-/-: ",
  ],
  "forward64.dll": [
    "0x1000-0x1006 @0x3000 v1 flags=0x0 prolog=0 frame=-/-: ",
    "0x1010-0x1016 @0x3004 v1 flags=0x0 prolog=0 frame=-/-: ",
    "0x1020-0x1026 @0x3008 v1 flags=0x0 prolog=0 frame=-/-: ",
  ],
  "unwind64.exe": [
    "0x1000-0x1011 @0x3000 v1 flags=0x0 prolog=4 frame=-/-: 0x04: ALLOC_SMALL size=40",
    "0x1011-0x102D @0x3008 v1 flags=0x0 prolog=13 frame=RBP/0x2: 0x0D: SET_FPREG reg=RBP, offset=0x20; 0x08: ALLOC_SMALL size=48; 0x04: PUSH_NONVOL reg=R12; 0x02: PUSH_NONVOL reg=RBX; 0x01: PUSH_NONVOL reg=RBP",
    "0x102D-0x105C @0x3018 v1 flags=0x0 prolog=23 frame=-/-: 0x17: SAVE_XMM128 reg=XMM6, offset=0x7E0; 0x0F: SAVE_NONVOL reg=RSI, offset=0x7F0; 0x07: ALLOC_LARGE size=32760",
    "0x105C-0x108B @0x3028 v1 flags=0x0 prolog=23 frame=-/-: 0x17: SAVE_XMM128_FAR reg=XMM7, offset=0x90000; 0x0F: SAVE_NONVOL_FAR reg=RDI, offset=0x80000; 0x07: ALLOC_LARGE size=1048584",
    "0x108B-0x1093 @0x3040 v1 flags=0x0 prolog=1 frame=-/-: 0x01: PUSH_NONVOL reg=RAX; 0x00: PUSH_MACHFRAME errcode=yes",
    "0x1093-0x1095 @0x3048 v1 flags=0x0 prolog=0 frame=-/-: 0x00: PUSH_MACHFRAME errcode=no",
    "0x1095-0x10A0 @0x3050 v1 flags=0x3 prolog=4 frame=-/-: 0x04: ALLOC_SMALL size=40 handler=0x10A0",
    "0x10A6-0x10B5 @0x3064 v1 flags=0x0 prolog=5 frame=-/-: 0x05: ALLOC_SMALL size=32; 0x01: PUSH_NONVOL reg=RBX",
    // objdump: "Version: 1, Flags: UNW_FLAG_CHAININFO / Nbr codes: 2, Prologue size: 0x05 /
    // pc+0x05: save r13 at rsp + 0x40 / Chain: start: 10a6, end: 10b5 unwind data: 3064"
    "0x10B5-0x10C5 @0x306C v1 flags=0x4 prolog=5 frame=-/-: 0x05: SAVE_NONVOL reg=R13, offset=0x40 chain=0x10A6-0x10B5@0x3064",
    // objdump: "Version: 2, Flags: none / Nbr codes: 4, Prologue size: 0x05 / v2 epilog (length: 06) at
    // pc+: 0x14 0x9 / pc+0x05: alloc small area: rsp = rsp - 0x20 / pc+0x01: push rbx"
    "0x10C5-0x10DF @0x3080 v2 flags=0x0 prolog=5 frame=-/-: EPILOG size=6 atEnd; EPILOG_AT distance=0x11; 0x05: ALLOC_SMALL size=32; 0x01: PUSH_NONVOL reg=RBX",
  ],
  // Generated from `llvm-readobj --unwind` (see the header of this table).
  "files64.exe": [
    "0x1000-0x103E @0x4000 v1 flags=0x0 prolog=4 frame=-/-: 0x04: ALLOC_SMALL size=72",
    "0x1040-0x10A2 @0x4008 v1 flags=0x0 prolog=4 frame=-/-: 0x04: ALLOC_SMALL size=56",
    "0x10B0-0x10E0 @0x4010 v1 flags=0x0 prolog=5 frame=-/-: 0x05: ALLOC_SMALL size=32; 0x01: PUSH_NONVOL reg=RBX",
    "0x10E0-0x1175 @0x4018 v1 flags=0x0 prolog=6 frame=-/-: 0x06: ALLOC_SMALL size=72; 0x02: PUSH_NONVOL reg=RBX; 0x01: PUSH_NONVOL reg=RSI",
    "0x1180-0x1757 @0x4024 v1 flags=0x0 prolog=19 frame=-/-: 0x13: ALLOC_LARGE size=728; 0x0C: PUSH_NONVOL reg=RBX; 0x0B: PUSH_NONVOL reg=RSI; 0x0A: PUSH_NONVOL reg=RDI; 0x09: PUSH_NONVOL reg=RBP; 0x08: PUSH_NONVOL reg=R12; 0x06: PUSH_NONVOL reg=R13; 0x04: PUSH_NONVOL reg=R14; 0x02: PUSH_NONVOL reg=R15",
  ],
  // Generated from `llvm-readobj --unwind` (see the header of this table).
  "threads64.exe": [
    "0x1000-0x101A @0x4000 v1 flags=0x0 prolog=4 frame=-/-: 0x04: ALLOC_SMALL size=40",
    "0x1020-0x1110 @0x4008 v1 flags=0x0 prolog=10 frame=-/-: 0x0A: ALLOC_SMALL size=48; 0x06: PUSH_NONVOL reg=RBX; 0x05: PUSH_NONVOL reg=RSI; 0x04: PUSH_NONVOL reg=RDI; 0x03: PUSH_NONVOL reg=RBP; 0x02: PUSH_NONVOL reg=R12",
    "0x1110-0x121F @0x4018 v1 flags=0x0 prolog=7 frame=-/-: 0x07: ALLOC_SMALL size=64; 0x03: PUSH_NONVOL reg=RBX; 0x02: PUSH_NONVOL reg=RSI; 0x01: PUSH_NONVOL reg=RDI",
    "0x1220-0x12B4 @0x4024 v1 flags=0x0 prolog=8 frame=-/-: 0x08: ALLOC_SMALL size=40; 0x04: PUSH_NONVOL reg=RBX; 0x03: PUSH_NONVOL reg=RSI; 0x02: PUSH_NONVOL reg=RDI; 0x01: PUSH_NONVOL reg=RBP",
    "0x12C0-0x136D @0x4034 v1 flags=0x0 prolog=10 frame=-/-: 0x0A: ALLOC_SMALL size=32; 0x06: PUSH_NONVOL reg=RBX; 0x05: PUSH_NONVOL reg=RSI; 0x04: PUSH_NONVOL reg=RDI; 0x03: PUSH_NONVOL reg=RBP; 0x02: PUSH_NONVOL reg=R12",
    "0x1370-0x1763 @0x4044 v1 flags=0x0 prolog=16 frame=-/-: 0x10: ALLOC_SMALL size=88; 0x0C: PUSH_NONVOL reg=RBX; 0x0B: PUSH_NONVOL reg=RSI; 0x0A: PUSH_NONVOL reg=RDI; 0x09: PUSH_NONVOL reg=RBP; 0x08: PUSH_NONVOL reg=R12; 0x06: PUSH_NONVOL reg=R13; 0x04: PUSH_NONVOL reg=R14; 0x02: PUSH_NONVOL reg=R15",
  ],
  // Generated from `llvm-readobj --unwind` (see the header of this table).
  "threads2_64.exe": [
    "0x1000-0x1038 @0x4000 v1 flags=0x0 prolog=4 frame=-/-: 0x04: ALLOC_SMALL size=40",
    "0x1040-0x107E @0x4008 v1 flags=0x0 prolog=4 frame=-/-: 0x04: ALLOC_SMALL size=72",
    "0x1080-0x109C @0x4010 v1 flags=0x0 prolog=4 frame=-/-: 0x04: ALLOC_SMALL size=40",
    "0x10A0-0x11AF @0x4018 v1 flags=0x0 prolog=7 frame=-/-: 0x07: ALLOC_SMALL size=64; 0x03: PUSH_NONVOL reg=RBX; 0x02: PUSH_NONVOL reg=RSI; 0x01: PUSH_NONVOL reg=RDI",
    "0x11B0-0x120C @0x4024 v1 flags=0x0 prolog=4 frame=-/-: 0x04: ALLOC_SMALL size=40",
    "0x1210-0x121E @0x402C v1 flags=0x0 prolog=0 frame=-/-: ",
    "0x1220-0x127A @0x4030 v1 flags=0x0 prolog=5 frame=-/-: 0x05: ALLOC_SMALL size=32; 0x01: PUSH_NONVOL reg=RBX",
    "0x1280-0x1811 @0x4038 v1 flags=0x0 prolog=16 frame=-/-: 0x10: ALLOC_SMALL size=120; 0x0C: PUSH_NONVOL reg=RBX; 0x0B: PUSH_NONVOL reg=RSI; 0x0A: PUSH_NONVOL reg=RDI; 0x09: PUSH_NONVOL reg=RBP; 0x08: PUSH_NONVOL reg=R12; 0x06: PUSH_NONVOL reg=R13; 0x04: PUSH_NONVOL reg=R14; 0x02: PUSH_NONVOL reg=R15",
  ],
  // Generated from `llvm-readobj --unwind` (see the header of this table).
  "crt64.exe": [
    "0x1000-0x1001 @0xA000 v1 flags=0x0 prolog=0 frame=-/-: ",
    "0x1010-0x112E @0xA004 v1 flags=0x0 prolog=4 frame=-/-: 0x04: ALLOC_SMALL size=40",
    "0x1130-0x1179 @0xA00C v1 flags=0x0 prolog=4 frame=-/-: 0x04: ALLOC_SMALL size=56",
    "0x1180-0x14AE @0xA014 v1 flags=0x0 prolog=13 frame=-/-: 0x0D: ALLOC_LARGE size=144; 0x06: PUSH_NONVOL reg=RBX; 0x05: PUSH_NONVOL reg=RSI; 0x04: PUSH_NONVOL reg=RDI; 0x03: PUSH_NONVOL reg=RBP; 0x02: PUSH_NONVOL reg=R12",
    "0x14B0-0x14CD @0xA028 v1 flags=0x1 prolog=4 frame=-/-: 0x04: ALLOC_SMALL size=40 handler=0x4CF0",
    "0x14D0-0x14ED @0xA048 v1 flags=0x1 prolog=4 frame=-/-: 0x04: ALLOC_SMALL size=40 handler=0x4CF0",
    "0x14F0-0x1504 @0xA068 v1 flags=0x0 prolog=4 frame=-/-: 0x04: ALLOC_SMALL size=40",
    "0x1510-0x151C @0xA070 v1 flags=0x0 prolog=0 frame=-/-: ",
    "0x1520-0x1521 @0xA074 v1 flags=0x0 prolog=0 frame=-/-: ",
    "0x1530-0x1543 @0xA078 v1 flags=0x0 prolog=0 frame=-/-: ",
    "0x1550-0x155C @0xA07C v1 flags=0x0 prolog=0 frame=-/-: ",
    "0x1560-0x156C @0xA080 v1 flags=0x0 prolog=0 frame=-/-: ",
    "0x1570-0x1DE9 @0xA084 v1 flags=0x0 prolog=72 frame=-/-: 0x48: SAVE_XMM128 reg=XMM12, offset=0x220; 0x3F: SAVE_XMM128 reg=XMM11, offset=0x210; 0x36: SAVE_XMM128 reg=XMM10, offset=0x200; 0x2D: SAVE_XMM128 reg=XMM9, offset=0x1F0; 0x24: SAVE_XMM128 reg=XMM8, offset=0x1E0; 0x1B: SAVE_XMM128 reg=XMM7, offset=0x1D0; 0x13: SAVE_XMM128 reg=XMM6, offset=0x1C0; 0x0B: ALLOC_LARGE size=568; 0x04: PUSH_NONVOL reg=RBX; 0x03: PUSH_NONVOL reg=RSI; 0x02: PUSH_NONVOL reg=RDI; 0x01: PUSH_NONVOL reg=RBP",
    "0x1DF0-0x1DFB @0xA0B0 v1 flags=0x0 prolog=0 frame=-/-: ",
    "0x1E00-0x283E @0xA0B4 v1 flags=0x0 prolog=19 frame=-/-: 0x13: ALLOC_LARGE size=936; 0x0C: PUSH_NONVOL reg=RBX; 0x0B: PUSH_NONVOL reg=RSI; 0x0A: PUSH_NONVOL reg=RDI; 0x09: PUSH_NONVOL reg=RBP; 0x08: PUSH_NONVOL reg=R12; 0x06: PUSH_NONVOL reg=R13; 0x04: PUSH_NONVOL reg=R14; 0x02: PUSH_NONVOL reg=R15",
    "0x2840-0x287A @0xA0E4 v1 flags=0x0 prolog=4 frame=-/-: 0x04: ALLOC_SMALL size=40",
    "0x2880-0x28EA @0xA0EC v1 flags=0x0 prolog=6 frame=-/-: 0x06: ALLOC_SMALL size=40; 0x02: PUSH_NONVOL reg=RBX; 0x01: PUSH_NONVOL reg=RSI",
    "0x28F0-0x290F @0xA0F8 v1 flags=0x0 prolog=0 frame=-/-: ",
    "0x2910-0x2913 @0xA0FC v1 flags=0x0 prolog=0 frame=-/-: ",
    "0x2920-0x294F @0xA100 v1 flags=0x0 prolog=4 frame=-/-: 0x04: ALLOC_SMALL size=40",
    "0x2950-0x29D1 @0xA108 v1 flags=0x0 prolog=6 frame=-/-: 0x06: ALLOC_SMALL size=40; 0x02: PUSH_NONVOL reg=RBX; 0x01: PUSH_NONVOL reg=RSI",
    "0x29E0-0x29E3 @0xA114 v1 flags=0x0 prolog=0 frame=-/-: ",
    "0x29F0-0x2AE8 @0xA118 v1 flags=0x0 prolog=22 frame=-/-: 0x16: SAVE_XMM128 reg=XMM8, offset=0x60; 0x10: SAVE_XMM128 reg=XMM7, offset=0x50; 0x0B: SAVE_XMM128 reg=XMM6, offset=0x40; 0x06: ALLOC_SMALL size=120; 0x02: PUSH_NONVOL reg=RBX; 0x01: PUSH_NONVOL reg=RSI",
    "0x2AF0-0x2AF3 @0xA130 v1 flags=0x0 prolog=0 frame=-/-: ",
    "0x2B00-0x2B69 @0xA134 v1 flags=0x0 prolog=6 frame=-/-: 0x06: ALLOC_SMALL size=56; 0x02: PUSH_NONVOL reg=RBX; 0x01: PUSH_NONVOL reg=RSI",
    "0x2B70-0x2CD2 @0xA140 v1 flags=0x0 prolog=7 frame=-/-: 0x07: ALLOC_SMALL size=80; 0x03: PUSH_NONVOL reg=RBX; 0x02: PUSH_NONVOL reg=RSI; 0x01: PUSH_NONVOL reg=RDI",
    "0x2CE0-0x303B @0xA14C v1 flags=0x0 prolog=21 frame=RBP/0x4: 0x15: SET_FPREG reg=RBP, offset=0x40; 0x10: ALLOC_SMALL size=72; 0x0C: PUSH_NONVOL reg=RBX; 0x0B: PUSH_NONVOL reg=RSI; 0x0A: PUSH_NONVOL reg=RDI; 0x09: PUSH_NONVOL reg=R12; 0x07: PUSH_NONVOL reg=R13; 0x05: PUSH_NONVOL reg=R14; 0x03: PUSH_NONVOL reg=R15; 0x01: PUSH_NONVOL reg=RBP",
    "0x3040-0x307E @0xA164 v1 flags=0x0 prolog=4 frame=-/-: 0x04: ALLOC_SMALL size=88",
    "0x3080-0x308C @0xA16C v1 flags=0x0 prolog=0 frame=-/-: ",
    "0x3090-0x3228 @0xA170 v1 flags=0x0 prolog=5 frame=-/-: 0x05: ALLOC_SMALL size=32; 0x01: PUSH_NONVOL reg=RBX",
    "0x3230-0x32A0 @0xA178 v1 flags=0x0 prolog=10 frame=-/-: 0x0A: ALLOC_SMALL size=32; 0x06: PUSH_NONVOL reg=RBX; 0x05: PUSH_NONVOL reg=RSI; 0x04: PUSH_NONVOL reg=RDI; 0x03: PUSH_NONVOL reg=RBP; 0x02: PUSH_NONVOL reg=R12",
    "0x32A0-0x330F @0xA188 v1 flags=0x0 prolog=7 frame=-/-: 0x07: ALLOC_SMALL size=32; 0x03: PUSH_NONVOL reg=RBX; 0x02: PUSH_NONVOL reg=RSI; 0x01: PUSH_NONVOL reg=RDI",
    "0x3310-0x3391 @0xA194 v1 flags=0x0 prolog=6 frame=-/-: 0x06: ALLOC_SMALL size=40; 0x02: PUSH_NONVOL reg=RBX; 0x01: PUSH_NONVOL reg=RSI",
    "0x33A0-0x3492 @0xA1A0 v1 flags=0x0 prolog=5 frame=-/-: 0x05: ALLOC_SMALL size=32; 0x01: PUSH_NONVOL reg=RBX",
    "0x34A0-0x34CC @0xA1A8 v1 flags=0x0 prolog=0 frame=-/-: ",
    "0x34D0-0x3520 @0xA1AC v1 flags=0x0 prolog=0 frame=-/-: ",
    "0x3520-0x35BD @0xA1B0 v1 flags=0x0 prolog=7 frame=-/-: 0x07: ALLOC_SMALL size=32; 0x03: PUSH_NONVOL reg=RBX; 0x02: PUSH_NONVOL reg=RSI; 0x01: PUSH_NONVOL reg=RDI",
    "0x35C0-0x3640 @0xA1BC v1 flags=0x0 prolog=0 frame=-/-: ",
    "0x3640-0x3677 @0xA1C0 v1 flags=0x0 prolog=0 frame=-/-: ",
    "0x3680-0x36F3 @0xA1C4 v1 flags=0x0 prolog=0 frame=-/-: ",
    "0x3700-0x3736 @0xA1C8 v1 flags=0x0 prolog=0 frame=-/-: ",
    "0x3740-0x37C9 @0xA1CC v1 flags=0x0 prolog=0 frame=-/-: ",
    "0x37D0-0x3896 @0xA1D0 v1 flags=0x0 prolog=0 frame=-/-: ",
    "0x38E0-0x3971 @0xA1D4 v1 flags=0x0 prolog=4 frame=-/-: 0x04: ALLOC_SMALL size=24",
    "0x3980-0x3AB3 @0xA1DC v1 flags=0x0 prolog=10 frame=-/-: 0x0A: SAVE_XMM128 reg=XMM6, offset=0x40; 0x05: ALLOC_SMALL size=80; 0x01: PUSH_NONVOL reg=RBX",
    "0x3AC0-0x3AEB @0xA1E8 v1 flags=0x0 prolog=4 frame=-/-: 0x04: ALLOC_SMALL size=24",
    "0x3AF0-0x3BF2 @0xA1F0 v1 flags=0x0 prolog=10 frame=-/-: 0x0A: SAVE_XMM128 reg=XMM6, offset=0x60; 0x05: ALLOC_SMALL size=112; 0x01: PUSH_NONVOL reg=RBX",
    "0x3C30-0x3E37 @0xA1FC v1 flags=0x0 prolog=9 frame=-/-: 0x09: SAVE_XMM128 reg=XMM6, offset=0x40; 0x04: ALLOC_SMALL size=88",
    "0x3E40-0x3E6D @0xA208 v1 flags=0x0 prolog=4 frame=-/-: 0x04: ALLOC_SMALL size=24",
    "0x3E70-0x3F3B @0xA210 v1 flags=0x0 prolog=4 frame=-/-: 0x04: ALLOC_SMALL size=56",
    "0x3F40-0x4064 @0xA218 v1 flags=0x0 prolog=10 frame=-/-: 0x0A: SAVE_XMM128 reg=XMM6, offset=0x60; 0x05: ALLOC_SMALL size=112; 0x01: PUSH_NONVOL reg=RBX",
    "0x4070-0x4101 @0xA224 v1 flags=0x0 prolog=4 frame=-/-: 0x04: ALLOC_SMALL size=24",
    "0x4110-0x4696 @0xA22C v1 flags=0x0 prolog=15 frame=-/-: 0x0F: SAVE_XMM128 reg=XMM6, offset=0x70; 0x0A: ALLOC_SMALL size=128; 0x06: PUSH_NONVOL reg=RBX; 0x05: PUSH_NONVOL reg=RSI; 0x04: PUSH_NONVOL reg=RDI; 0x03: PUSH_NONVOL reg=RBP; 0x02: PUSH_NONVOL reg=R12",
    "0x46A0-0x47A2 @0xA240 v1 flags=0x0 prolog=10 frame=-/-: 0x0A: SAVE_XMM128 reg=XMM6, offset=0x60; 0x05: ALLOC_SMALL size=112; 0x01: PUSH_NONVOL reg=RBX",
    "0x47F0-0x4A74 @0xA24C v1 flags=0x0 prolog=10 frame=-/-: 0x0A: SAVE_XMM128 reg=XMM6, offset=0x30; 0x05: ALLOC_SMALL size=64; 0x01: PUSH_NONVOL reg=RBX",
    "0x4BC0-0x4BCB @0xA258 v1 flags=0x0 prolog=0 frame=-/-: ",
    "0x4BD0-0x4BDB @0xA25C v1 flags=0x0 prolog=0 frame=-/-: ",
    "0x4BE0-0x4BEB @0xA260 v1 flags=0x0 prolog=0 frame=-/-: ",
    "0x4BF0-0x4BF8 @0xA264 v1 flags=0x0 prolog=0 frame=-/-: ",
    "0x4C00-0x4C0B @0xA268 v1 flags=0x0 prolog=0 frame=-/-: ",
    "0x4C10-0x4CC8 @0xA26C v1 flags=0x0 prolog=0 frame=-/-: ",
    "0x4CD0-0x4CEF @0xA270 v1 flags=0x0 prolog=5 frame=-/-: 0x05: ALLOC_SMALL size=32; 0x01: PUSH_NONVOL reg=RBX",
    "0x5090-0x5C95 @0xA0CC v1 flags=0x0 prolog=19 frame=-/-: 0x13: ALLOC_LARGE size=312; 0x0C: PUSH_NONVOL reg=RBX; 0x0B: PUSH_NONVOL reg=RSI; 0x0A: PUSH_NONVOL reg=RDI; 0x09: PUSH_NONVOL reg=RBP; 0x08: PUSH_NONVOL reg=R12; 0x06: PUSH_NONVOL reg=R13; 0x04: PUSH_NONVOL reg=R14; 0x02: PUSH_NONVOL reg=R15",
    "0x5CA0-0x5CA5 @0xA278 v1 flags=0x0 prolog=0 frame=-/-: ",
  ],
  // Generated from `llvm-readobj --unwind` (see the header of this table).
  "crtw64.exe": [
    "0x1000-0x1001 @0x6000 v1 flags=0x0 prolog=0 frame=-/-: ",
    "0x1010-0x112E @0x6004 v1 flags=0x0 prolog=4 frame=-/-: 0x04: ALLOC_SMALL size=40",
    "0x1130-0x1179 @0x600C v1 flags=0x0 prolog=4 frame=-/-: 0x04: ALLOC_SMALL size=56",
    "0x1180-0x14AE @0x6014 v1 flags=0x0 prolog=13 frame=-/-: 0x0D: ALLOC_LARGE size=144; 0x06: PUSH_NONVOL reg=RBX; 0x05: PUSH_NONVOL reg=RSI; 0x04: PUSH_NONVOL reg=RDI; 0x03: PUSH_NONVOL reg=RBP; 0x02: PUSH_NONVOL reg=R12",
    "0x14B0-0x14CD @0x6028 v1 flags=0x1 prolog=4 frame=-/-: 0x04: ALLOC_SMALL size=40 handler=0x2710",
    "0x14D0-0x14ED @0x6048 v1 flags=0x1 prolog=4 frame=-/-: 0x04: ALLOC_SMALL size=40 handler=0x2710",
    "0x14F0-0x1504 @0x6068 v1 flags=0x0 prolog=4 frame=-/-: 0x04: ALLOC_SMALL size=40",
    "0x1510-0x151C @0x6070 v1 flags=0x0 prolog=0 frame=-/-: ",
    "0x1520-0x1521 @0x6074 v1 flags=0x0 prolog=0 frame=-/-: ",
    "0x1530-0x1537 @0x6078 v1 flags=0x0 prolog=0 frame=-/-: ",
    "0x1540-0x1563 @0x607C v1 flags=0x0 prolog=4 frame=-/-: 0x04: ALLOC_SMALL size=40",
    "0x1570-0x1599 @0x6084 v1 flags=0x0 prolog=4 frame=-/-: 0x04: ALLOC_SMALL size=56",
    "0x15A0-0x15CE @0x608C v1 flags=0x0 prolog=4 frame=-/-: 0x04: ALLOC_SMALL size=56",
    "0x15D0-0x15FA @0x6094 v1 flags=0x0 prolog=4 frame=-/-: 0x04: ALLOC_SMALL size=56",
    "0x1600-0x163A @0x60B4 v1 flags=0x0 prolog=4 frame=-/-: 0x04: ALLOC_SMALL size=40",
    "0x1640-0x16AA @0x60BC v1 flags=0x0 prolog=6 frame=-/-: 0x06: ALLOC_SMALL size=40; 0x02: PUSH_NONVOL reg=RBX; 0x01: PUSH_NONVOL reg=RSI",
    "0x16B0-0x16CF @0x60C8 v1 flags=0x0 prolog=0 frame=-/-: ",
    "0x16D0-0x16D3 @0x60CC v1 flags=0x0 prolog=0 frame=-/-: ",
    "0x16E0-0x170F @0x60D0 v1 flags=0x0 prolog=4 frame=-/-: 0x04: ALLOC_SMALL size=40",
    "0x1710-0x1791 @0x60D8 v1 flags=0x0 prolog=6 frame=-/-: 0x06: ALLOC_SMALL size=40; 0x02: PUSH_NONVOL reg=RBX; 0x01: PUSH_NONVOL reg=RSI",
    "0x17A0-0x17A3 @0x60E4 v1 flags=0x0 prolog=0 frame=-/-: ",
    "0x17B0-0x18A8 @0x60E8 v1 flags=0x0 prolog=22 frame=-/-: 0x16: SAVE_XMM128 reg=XMM8, offset=0x60; 0x10: SAVE_XMM128 reg=XMM7, offset=0x50; 0x0B: SAVE_XMM128 reg=XMM6, offset=0x40; 0x06: ALLOC_SMALL size=120; 0x02: PUSH_NONVOL reg=RBX; 0x01: PUSH_NONVOL reg=RSI",
    "0x18B0-0x18B3 @0x6100 v1 flags=0x0 prolog=0 frame=-/-: ",
    "0x18C0-0x1929 @0x6104 v1 flags=0x0 prolog=6 frame=-/-: 0x06: ALLOC_SMALL size=56; 0x02: PUSH_NONVOL reg=RBX; 0x01: PUSH_NONVOL reg=RSI",
    "0x1930-0x1A92 @0x6110 v1 flags=0x0 prolog=7 frame=-/-: 0x07: ALLOC_SMALL size=80; 0x03: PUSH_NONVOL reg=RBX; 0x02: PUSH_NONVOL reg=RSI; 0x01: PUSH_NONVOL reg=RDI",
    "0x1AA0-0x1DFB @0x611C v1 flags=0x0 prolog=21 frame=RBP/0x4: 0x15: SET_FPREG reg=RBP, offset=0x40; 0x10: ALLOC_SMALL size=72; 0x0C: PUSH_NONVOL reg=RBX; 0x0B: PUSH_NONVOL reg=RSI; 0x0A: PUSH_NONVOL reg=RDI; 0x09: PUSH_NONVOL reg=R12; 0x07: PUSH_NONVOL reg=R13; 0x05: PUSH_NONVOL reg=R14; 0x03: PUSH_NONVOL reg=R15; 0x01: PUSH_NONVOL reg=RBP",
    "0x1E00-0x1E3E @0x6134 v1 flags=0x0 prolog=4 frame=-/-: 0x04: ALLOC_SMALL size=88",
    "0x1E40-0x1E4C @0x613C v1 flags=0x0 prolog=0 frame=-/-: ",
    "0x1E50-0x1FE8 @0x6140 v1 flags=0x0 prolog=5 frame=-/-: 0x05: ALLOC_SMALL size=32; 0x01: PUSH_NONVOL reg=RBX",
    "0x1FF0-0x2060 @0x6148 v1 flags=0x0 prolog=10 frame=-/-: 0x0A: ALLOC_SMALL size=32; 0x06: PUSH_NONVOL reg=RBX; 0x05: PUSH_NONVOL reg=RSI; 0x04: PUSH_NONVOL reg=RDI; 0x03: PUSH_NONVOL reg=RBP; 0x02: PUSH_NONVOL reg=R12",
    "0x2060-0x20CF @0x6158 v1 flags=0x0 prolog=7 frame=-/-: 0x07: ALLOC_SMALL size=32; 0x03: PUSH_NONVOL reg=RBX; 0x02: PUSH_NONVOL reg=RSI; 0x01: PUSH_NONVOL reg=RDI",
    "0x20D0-0x2151 @0x6164 v1 flags=0x0 prolog=6 frame=-/-: 0x06: ALLOC_SMALL size=40; 0x02: PUSH_NONVOL reg=RBX; 0x01: PUSH_NONVOL reg=RSI",
    "0x2160-0x2252 @0x6170 v1 flags=0x0 prolog=5 frame=-/-: 0x05: ALLOC_SMALL size=32; 0x01: PUSH_NONVOL reg=RBX",
    "0x2260-0x228C @0x6178 v1 flags=0x0 prolog=0 frame=-/-: ",
    "0x2290-0x22E0 @0x617C v1 flags=0x0 prolog=0 frame=-/-: ",
    "0x22E0-0x237D @0x6180 v1 flags=0x0 prolog=7 frame=-/-: 0x07: ALLOC_SMALL size=32; 0x03: PUSH_NONVOL reg=RBX; 0x02: PUSH_NONVOL reg=RSI; 0x01: PUSH_NONVOL reg=RDI",
    "0x2380-0x2400 @0x618C v1 flags=0x0 prolog=0 frame=-/-: ",
    "0x2400-0x2437 @0x6190 v1 flags=0x0 prolog=0 frame=-/-: ",
    "0x2440-0x24B3 @0x6194 v1 flags=0x0 prolog=0 frame=-/-: ",
    "0x24C0-0x24F6 @0x6198 v1 flags=0x0 prolog=0 frame=-/-: ",
    "0x2500-0x2589 @0x619C v1 flags=0x0 prolog=0 frame=-/-: ",
    "0x2590-0x2656 @0x61A0 v1 flags=0x0 prolog=0 frame=-/-: ",
    "0x26A0-0x26AB @0x61A4 v1 flags=0x0 prolog=0 frame=-/-: ",
    "0x26B0-0x26BB @0x61A8 v1 flags=0x0 prolog=0 frame=-/-: ",
    "0x26C0-0x26CB @0x61AC v1 flags=0x0 prolog=0 frame=-/-: ",
    "0x26D0-0x26D8 @0x61B0 v1 flags=0x0 prolog=0 frame=-/-: ",
    "0x26E0-0x26EB @0x61B4 v1 flags=0x0 prolog=0 frame=-/-: ",
    "0x26F0-0x270F @0x61B8 v1 flags=0x0 prolog=5 frame=-/-: 0x05: ALLOC_SMALL size=32; 0x01: PUSH_NONVOL reg=RBX",
    "0x2890-0x2C3C @0x609C v1 flags=0x0 prolog=19 frame=-/-: 0x13: ALLOC_LARGE size=312; 0x0C: PUSH_NONVOL reg=RBX; 0x0B: PUSH_NONVOL reg=RSI; 0x0A: PUSH_NONVOL reg=RDI; 0x09: PUSH_NONVOL reg=RBP; 0x08: PUSH_NONVOL reg=R12; 0x06: PUSH_NONVOL reg=R13; 0x04: PUSH_NONVOL reg=R14; 0x02: PUSH_NONVOL reg=R15",
    "0x2C40-0x2C45 @0x61C0 v1 flags=0x0 prolog=0 frame=-/-: ",
  ],
  "printf64.exe": [
    "0x1000-0x1001 @0x6000 v1 flags=0x0 prolog=0 frame=-/-: ",
    "0x1010-0x112E @0x6004 v1 flags=0x0 prolog=4 frame=-/-: 0x04: ALLOC_SMALL size=40",
    "0x1130-0x1179 @0x600C v1 flags=0x0 prolog=4 frame=-/-: 0x04: ALLOC_SMALL size=56",
    "0x1180-0x14AE @0x6014 v1 flags=0x0 prolog=13 frame=-/-: 0x0D: ALLOC_LARGE size=144; 0x06: PUSH_NONVOL reg=RBX; 0x05: PUSH_NONVOL reg=RSI; 0x04: PUSH_NONVOL reg=RDI; 0x03: PUSH_NONVOL reg=RBP; 0x02: PUSH_NONVOL reg=R12",
    "0x14B0-0x14CD @0x6028 v1 flags=0x1 prolog=4 frame=-/-: 0x04: ALLOC_SMALL size=40 handler=0x2640",
    "0x14D0-0x14ED @0x6048 v1 flags=0x1 prolog=4 frame=-/-: 0x04: ALLOC_SMALL size=40 handler=0x2640",
    "0x14F0-0x1504 @0x6068 v1 flags=0x0 prolog=4 frame=-/-: 0x04: ALLOC_SMALL size=40",
    "0x1510-0x151C @0x6070 v1 flags=0x0 prolog=0 frame=-/-: ",
    "0x1520-0x1521 @0x6074 v1 flags=0x0 prolog=0 frame=-/-: ",
    "0x1530-0x156A @0x6090 v1 flags=0x0 prolog=4 frame=-/-: 0x04: ALLOC_SMALL size=40",
    "0x1570-0x15DA @0x6098 v1 flags=0x0 prolog=6 frame=-/-: 0x06: ALLOC_SMALL size=40; 0x02: PUSH_NONVOL reg=RBX; 0x01: PUSH_NONVOL reg=RSI",
    "0x15E0-0x15FF @0x60A4 v1 flags=0x0 prolog=0 frame=-/-: ",
    "0x1600-0x1603 @0x60A8 v1 flags=0x0 prolog=0 frame=-/-: ",
    "0x1610-0x163F @0x60AC v1 flags=0x0 prolog=4 frame=-/-: 0x04: ALLOC_SMALL size=40",
    "0x1640-0x16C1 @0x60B4 v1 flags=0x0 prolog=6 frame=-/-: 0x06: ALLOC_SMALL size=40; 0x02: PUSH_NONVOL reg=RBX; 0x01: PUSH_NONVOL reg=RSI",
    "0x16D0-0x16D3 @0x60C0 v1 flags=0x0 prolog=0 frame=-/-: ",
    "0x16E0-0x17D8 @0x60C4 v1 flags=0x0 prolog=22 frame=-/-: 0x16: SAVE_XMM128 reg=XMM8, offset=0x60; 0x10: SAVE_XMM128 reg=XMM7, offset=0x50; 0x0B: SAVE_XMM128 reg=XMM6, offset=0x40; 0x06: ALLOC_SMALL size=120; 0x02: PUSH_NONVOL reg=RBX; 0x01: PUSH_NONVOL reg=RSI",
    "0x17E0-0x17E3 @0x60DC v1 flags=0x0 prolog=0 frame=-/-: ",
    "0x17F0-0x1859 @0x60E0 v1 flags=0x0 prolog=6 frame=-/-: 0x06: ALLOC_SMALL size=56; 0x02: PUSH_NONVOL reg=RBX; 0x01: PUSH_NONVOL reg=RSI",
    "0x1860-0x19C2 @0x60EC v1 flags=0x0 prolog=7 frame=-/-: 0x07: ALLOC_SMALL size=80; 0x03: PUSH_NONVOL reg=RBX; 0x02: PUSH_NONVOL reg=RSI; 0x01: PUSH_NONVOL reg=RDI",
    "0x19D0-0x1D2B @0x60F8 v1 flags=0x0 prolog=21 frame=RBP/0x4: 0x15: SET_FPREG reg=RBP, offset=0x40; 0x10: ALLOC_SMALL size=72; 0x0C: PUSH_NONVOL reg=RBX; 0x0B: PUSH_NONVOL reg=RSI; 0x0A: PUSH_NONVOL reg=RDI; 0x09: PUSH_NONVOL reg=R12; 0x07: PUSH_NONVOL reg=R13; 0x05: PUSH_NONVOL reg=R14; 0x03: PUSH_NONVOL reg=R15; 0x01: PUSH_NONVOL reg=RBP",
    "0x1D30-0x1D6E @0x6110 v1 flags=0x0 prolog=4 frame=-/-: 0x04: ALLOC_SMALL size=88",
    "0x1D70-0x1D7C @0x6118 v1 flags=0x0 prolog=0 frame=-/-: ",
    "0x1D80-0x1F18 @0x611C v1 flags=0x0 prolog=5 frame=-/-: 0x05: ALLOC_SMALL size=32; 0x01: PUSH_NONVOL reg=RBX",
    "0x1F20-0x1F90 @0x6124 v1 flags=0x0 prolog=10 frame=-/-: 0x0A: ALLOC_SMALL size=32; 0x06: PUSH_NONVOL reg=RBX; 0x05: PUSH_NONVOL reg=RSI; 0x04: PUSH_NONVOL reg=RDI; 0x03: PUSH_NONVOL reg=RBP; 0x02: PUSH_NONVOL reg=R12",
    "0x1F90-0x1FFF @0x6134 v1 flags=0x0 prolog=7 frame=-/-: 0x07: ALLOC_SMALL size=32; 0x03: PUSH_NONVOL reg=RBX; 0x02: PUSH_NONVOL reg=RSI; 0x01: PUSH_NONVOL reg=RDI",
    "0x2000-0x2081 @0x6140 v1 flags=0x0 prolog=6 frame=-/-: 0x06: ALLOC_SMALL size=40; 0x02: PUSH_NONVOL reg=RBX; 0x01: PUSH_NONVOL reg=RSI",
    "0x2090-0x2182 @0x614C v1 flags=0x0 prolog=5 frame=-/-: 0x05: ALLOC_SMALL size=32; 0x01: PUSH_NONVOL reg=RBX",
    "0x2190-0x21BC @0x6154 v1 flags=0x0 prolog=0 frame=-/-: ",
    "0x21C0-0x2210 @0x6158 v1 flags=0x0 prolog=0 frame=-/-: ",
    "0x2210-0x22AD @0x615C v1 flags=0x0 prolog=7 frame=-/-: 0x07: ALLOC_SMALL size=32; 0x03: PUSH_NONVOL reg=RBX; 0x02: PUSH_NONVOL reg=RSI; 0x01: PUSH_NONVOL reg=RDI",
    "0x22B0-0x2330 @0x6168 v1 flags=0x0 prolog=0 frame=-/-: ",
    "0x2330-0x2367 @0x616C v1 flags=0x0 prolog=0 frame=-/-: ",
    "0x2370-0x23E3 @0x6170 v1 flags=0x0 prolog=0 frame=-/-: ",
    "0x23F0-0x2426 @0x6174 v1 flags=0x0 prolog=0 frame=-/-: ",
    "0x2430-0x24B9 @0x6178 v1 flags=0x0 prolog=0 frame=-/-: ",
    "0x24C0-0x2586 @0x617C v1 flags=0x0 prolog=0 frame=-/-: ",
    "0x25D0-0x25DB @0x6180 v1 flags=0x0 prolog=0 frame=-/-: ",
    "0x25E0-0x25EB @0x6184 v1 flags=0x0 prolog=0 frame=-/-: ",
    "0x25F0-0x25FB @0x6188 v1 flags=0x0 prolog=0 frame=-/-: ",
    "0x2600-0x2608 @0x618C v1 flags=0x0 prolog=0 frame=-/-: ",
    "0x2610-0x261B @0x6190 v1 flags=0x0 prolog=0 frame=-/-: ",
    "0x2620-0x263F @0x6194 v1 flags=0x0 prolog=5 frame=-/-: 0x05: ALLOC_SMALL size=32; 0x01: PUSH_NONVOL reg=RBX",
    "0x2790-0x2CD2 @0x6078 v1 flags=0x0 prolog=33 frame=-/-: 0x21: SAVE_XMM128 reg=XMM8, offset=0xB0; 0x18: SAVE_XMM128 reg=XMM7, offset=0xA0; 0x10: SAVE_XMM128 reg=XMM6, offset=0x90; 0x08: ALLOC_LARGE size=192; 0x01: PUSH_NONVOL reg=RBX",
    "0x2CE0-0x2CE5 @0x619C v1 flags=0x0 prolog=0 frame=-/-: ",
  ],
  "registry64.exe": [
    "0x1000-0x103E @0x4000 v1 flags=0x0 prolog=4 frame=-/-: 0x04: ALLOC_SMALL size=72",
    "0x1040-0x112F @0x4008 v1 flags=0x0 prolog=7 frame=-/-: 0x07: ALLOC_SMALL size=64; 0x03: PUSH_NONVOL reg=RBX; 0x02: PUSH_NONVOL reg=RSI; 0x01: PUSH_NONVOL reg=RDI",
    "0x1130-0x11F9 @0x4014 v1 flags=0x0 prolog=6 frame=-/-: 0x06: ALLOC_SMALL size=88; 0x02: PUSH_NONVOL reg=RBX; 0x01: PUSH_NONVOL reg=RSI",
    "0x1200-0x1C2E @0x4020 v1 flags=0x0 prolog=19 frame=-/-: 0x13: ALLOC_LARGE size=536; 0x0C: PUSH_NONVOL reg=RBX; 0x0B: PUSH_NONVOL reg=RSI; 0x0A: PUSH_NONVOL reg=RDI; 0x09: PUSH_NONVOL reg=RBP; 0x08: PUSH_NONVOL reg=R12; 0x06: PUSH_NONVOL reg=R13; 0x04: PUSH_NONVOL reg=R14; 0x02: PUSH_NONVOL reg=R15",
  ],
  "unhandled64.exe": [
    "0x1000-0x1040 @0x4000 v1 flags=0x0 prolog=4 frame=-/-: 0x04: ALLOC_SMALL size=72",
  ],
  "seh64.exe": [
    "0x1000-0x1037 @0x5000 v1 flags=0x0 prolog=4 frame=-/-: 0x04: ALLOC_SMALL size=40",
    "0x1037-0x1063 @0x5008 v1 flags=0x0 prolog=4 frame=-/-: 0x04: ALLOC_SMALL size=56",
    "0x10AA-0x1155 @0x5024 v1 flags=0x1 prolog=7 frame=-/-: 0x07: ALLOC_SMALL size=32; 0x03: PUSH_NONVOL reg=RDI; 0x02: PUSH_NONVOL reg=RSI; 0x01: PUSH_NONVOL reg=RBX handler=0x152C",
    "0x1155-0x11C7 @0x5000 v1 flags=0x0 prolog=4 frame=-/-: 0x04: ALLOC_SMALL size=40",
    "0x11C7-0x11EE @0x5048 v1 flags=0x2 prolog=5 frame=-/-: 0x05: ALLOC_SMALL size=32; 0x01: PUSH_NONVOL reg=RBX handler=0x152C",
    "0x11EE-0x1253 @0x5010 v1 flags=0x0 prolog=5 frame=-/-: 0x05: ALLOC_SMALL size=32; 0x01: PUSH_NONVOL reg=RBX",
    "0x1253-0x1262 @0x5000 v1 flags=0x0 prolog=4 frame=-/-: 0x04: ALLOC_SMALL size=40",
    "0x1262-0x1273 @0x5000 v1 flags=0x0 prolog=4 frame=-/-: 0x04: ALLOC_SMALL size=40",
    "0x1273-0x12BA @0x5068 v1 flags=0x1 prolog=4 frame=-/-: 0x04: ALLOC_SMALL size=40 handler=0x152C",
    "0x12D2-0x1327 @0x5088 v1 flags=0x1 prolog=4 frame=-/-: 0x04: ALLOC_SMALL size=40 handler=0x152C",
    "0x1327-0x134C @0x50B8 v1 flags=0x1 prolog=4 frame=-/-: 0x04: ALLOC_SMALL size=40 handler=0x152C",
    "0x134C-0x1363 @0x5000 v1 flags=0x0 prolog=4 frame=-/-: 0x04: ALLOC_SMALL size=40",
    "0x1363-0x137A @0x5000 v1 flags=0x0 prolog=4 frame=-/-: 0x04: ALLOC_SMALL size=40",
    "0x137A-0x13D8 @0x50D8 v1 flags=0x1 prolog=4 frame=-/-: 0x04: ALLOC_SMALL size=40 handler=0x152C",
    "0x13D8-0x1427 @0x5000 v1 flags=0x0 prolog=4 frame=-/-: 0x04: ALLOC_SMALL size=40",
    "0x1427-0x148D @0x50F8 v1 flags=0x1 prolog=4 frame=-/-: 0x04: ALLOC_SMALL size=40 handler=0x152C",
    "0x148D-0x14CB @0x5010 v1 flags=0x0 prolog=5 frame=-/-: 0x05: ALLOC_SMALL size=32; 0x01: PUSH_NONVOL reg=RBX",
    "0x14CB-0x152B @0x5018 v1 flags=0x0 prolog=6 frame=-/-: 0x06: ALLOC_SMALL size=40; 0x02: PUSH_NONVOL reg=RSI; 0x01: PUSH_NONVOL reg=RBX",
  ],
  // 789 entries (static libstdc++/libgcc): kept in a file of the same notation, recorded the same way.
  "cxx64.exe": fs
    .readFileSync(path.join(__dirname, "fixtures", "expected", "cxx64.unwind.txt"), "utf8")
    .split("\n")
    .filter((l) => l !== "" && !l.startsWith("#")),
  "realworld64.exe": fs
    .readFileSync(path.join(__dirname, "fixtures", "expected", "realworld64.unwind.txt"), "utf8")
    .split("\n")
    .filter((l) => l !== "" && !l.startsWith("#")),
  "realworld2_64.exe": fs
    .readFileSync(path.join(__dirname, "fixtures", "expected", "realworld2_64.unwind.txt"), "utf8")
    .split("\n")
    .filter((l) => l !== "" && !l.startsWith("#")),
  "trap64.exe": [
    "0x1000-0x106A @0x5000 v1 flags=0x0 prolog=0 frame=-/-: ",
    "0x1070-0x1306 @0x5004 v1 flags=0x0 prolog=19 frame=-/-: 0x13: ALLOC_LARGE size=360; 0x0C: PUSH_NONVOL reg=RBX; 0x0B: PUSH_NONVOL reg=RSI; 0x0A: PUSH_NONVOL reg=RDI; 0x09: PUSH_NONVOL reg=RBP; 0x08: PUSH_NONVOL reg=R12; 0x06: PUSH_NONVOL reg=R13; 0x04: PUSH_NONVOL reg=R14; 0x02: PUSH_NONVOL reg=R15",
  ],
  "veh64.exe": [
    "0x1000-0x108C @0x4000 v1 flags=0x0 prolog=0 frame=-/-: ",
    "0x1090-0x1273 @0x4004 v1 flags=0x0 prolog=13 frame=-/-: 0x0D: ALLOC_LARGE size=192; 0x06: PUSH_NONVOL reg=RBX; 0x05: PUSH_NONVOL reg=RSI; 0x04: PUSH_NONVOL reg=RDI; 0x03: PUSH_NONVOL reg=RBP; 0x02: PUSH_NONVOL reg=R12",
  ],
};

describe("PE x64 unwind data", () => {
  for (const [name, lines] of Object.entries(EXPECTED)) {
    it(`${name}: every RUNTIME_FUNCTION and UNWIND_INFO`, () => {
      const img = parsePe(load(name));
      assert.deepEqual(
        img.functions.map((fn) => listing(img, fn)),
        lines,
      );
    });
  }

  it("covers every 64-bit fixture", () => {
    const pe64 = fs
      .readdirSync(BIN)
      .filter((f) => /64(-rebased)?\.(exe|dll)$/.test(f) && !f.includes("rebased"))
      .sort();
    assert.deepEqual(pe64, Object.keys(EXPECTED).sort());
  });

  it("version 2 epilogs: positions as objdump derives them (pc+0x14 and pc+0x9)", () => {
    const img = parsePe(load("unwind64.exe"));
    const fn = img.functions[9];
    const u = img.unwindInfos.get(fn.unwindInfoRva);
    assert.ok(u);
    const length = fn.endRva - fn.beginRva;
    const epilogs: number[] = [];
    let size = 0;
    for (const c of u.codes) {
      if (c.op === "EPILOG") {
        size = c.size;
        if (c.atEnd) epilogs.push(length - c.size);
      } else if (c.op === "EPILOG_AT" && c.distance !== 0) {
        epilogs.push(length - c.distance);
      }
    }
    assert.equal(size, 6);
    assert.deepEqual(epilogs, [0x14, 0x9]);
  });

  it("handler RVA and handler data (objdump: User data 44 33 22 11 88 77 66 55)", () => {
    const file = load("unwind64.exe");
    const img = parsePe(file);
    const u = img.unwindInfos.get(0x3050);
    assert.ok(u && u.handlerRva === 0x10a0 && u.handlerDataRva === 0x305c);
    const mapped = mapImage(file, img);
    assert.deepEqual([...mapped.subarray(0x305c, 0x3064)], [0x44, 0x33, 0x22, 0x11, 0x88, 0x77, 0x66, 0x55]);
    // The handler itself (mov eax, 1; ret) has no .pdata entry: it is a leaf.
    assert.equal(lookupFunction(img.functions, 0x10a0), undefined);
  });

  it("chained unwind info resolves to the primary entry", () => {
    const img = parsePe(load("unwind64.exe"));
    const cold = img.unwindInfos.get(0x306c);
    assert.ok(cold?.chained);
    const primary = img.unwindInfos.get(cold.chained.unwindInfoRva);
    assert.deepEqual(
      primary?.codes.map((c) => c.op),
      ["ALLOC_SMALL", "PUSH_NONVOL"],
    );
    assert.deepEqual(cold.chained, img.functions[7]);
  });

  it("lookupFunction finds the entry covering an RVA (binary search, as RtlLookupFunctionEntry)", () => {
    const img = parsePe(load("unwind64.exe"));
    assert.equal(lookupFunction(img.functions, 0x1000)?.beginRva, 0x1000);
    assert.equal(lookupFunction(img.functions, 0x1010)?.beginRva, 0x1000);
    assert.equal(lookupFunction(img.functions, 0x1011)?.beginRva, 0x1011);
    assert.equal(lookupFunction(img.functions, 0x10de)?.beginRva, 0x10c5);
    assert.equal(lookupFunction(img.functions, 0x10df), undefined);
    assert.equal(lookupFunction(img.functions, 0xfff), undefined);
    assert.equal(lookupFunction([], 0x1000), undefined);
  });

  it("PE32 images keep no function table", () => {
    const img = parsePe(load("hello32.exe"));
    assert.deepEqual(img.functions, []);
  });

  describe("patched unwind data", () => {
    /** unwind64.exe with the bytes of the UNWIND_INFO at `rva` (in .xdata, file offset rva - 0x2800) changed. */
    function patched(rva: number, bytes: number[]): Uint8Array {
      const file = Uint8Array.from(load("unwind64.exe"));
      file.set(bytes, rva - 0x3000 + 0x800);
      return file;
    }
    const trap = 0x3048; // version 1, one PUSH_MACHFRAME code and a padding slot

    it("version 1 codes 6 and 7: the obsolete UWOP_SAVE_XMM and UWOP_SAVE_XMM_FAR", () => {
      // 2 slots: offset 0, op 6 info 3, then 0x10 -> SAVE_XMM xmm3 at 0x80 (scaled by 8)
      let img = parsePe(patched(trap, [0x01, 0x00, 0x02, 0x00, 0x00, 0x36, 0x10, 0x00]));
      assert.deepEqual(img.unwindInfos.get(trap)?.codes, [
        { op: "SAVE_XMM", offset: 0, slots: 2, reg: 3, stackOffset: 0x80 },
      ]);
      // Count 3 needs 4 bytes more than the entry has before the next one: use the 9-slot entry at 0x3028.
      img = parsePe(patched(0x3028, [0x01, 0x17, 0x03, 0x00, 0x17, 0x77, 0x00, 0x00, 0x09, 0x00]));
      assert.deepEqual(img.unwindInfos.get(0x3028)?.codes, [
        { op: "SAVE_XMM_FAR", offset: 0x17, slots: 3, reg: 7, stackOffset: 0x90000 },
      ]);
    });

    const rejects = (bytes: number[], field: string, at = trap): void => {
      assert.throws(
        () => parsePe(patched(at, bytes)),
        (e: unknown) => e instanceof PeError && e.field === field,
      );
    };

    it("rejects reserved codes, bad operation info, bad flags, SET_FPREG without a frame register", () => {
      rejects([0x02, 0x00, 0x01, 0x00, 0x00, 0x07], "UNWIND_INFO@0x3048.UnwindCode[0]"); // v2 op 7
      rejects([0x01, 0x00, 0x01, 0x00, 0x00, 0x0b], "UNWIND_INFO@0x3048.UnwindCode[0]"); // op 11
      rejects([0x01, 0x00, 0x01, 0x00, 0x00, 0x21], "UNWIND_INFO@0x3048.UnwindCode[0]"); // ALLOC_LARGE info 2
      rejects([0x01, 0x00, 0x01, 0x00, 0x00, 0x2a], "UNWIND_INFO@0x3048.UnwindCode[0]"); // MACHFRAME info 2
      rejects([0x01, 0x00, 0x01, 0x00, 0x00, 0x03], "UNWIND_INFO@0x3048.UnwindCode[0]"); // SET_FPREG, no frame reg
      rejects([0x01 | (8 << 3)], "UNWIND_INFO@0x3048.Flags"); // flag bit 3
      rejects([0x01 | (5 << 3)], "UNWIND_INFO@0x3048.Flags"); // CHAININFO with EHANDLER
      rejects([0x00], "UNWIND_INFO@0x3048.Version");
    });
  });
});
