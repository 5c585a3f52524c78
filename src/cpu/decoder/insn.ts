/**
 * The decoded instruction record. One record per decoded instruction; the decoder fills every
 * field a user wants to see, the executor dispatches on the encoding fields (map, opcode, reg,
 * mandatory prefix), and the debugger shows the rest.
 *
 * Register numbers follow the hardware encoding: 0..15 for GPRs (rax, rcx, rdx, rbx, rsp, rbp,
 * rsi, rdi, r8..r15), 0..5 for segment registers (es, cs, ss, ds, fs, gs).
 */

/** How the opcode was encoded. */
export const enum Encoding {
  Legacy = 0,
  Vex = 1,
  Evex = 2,
  Xop = 3,
  D3Now = 4,
}

/** Opcode maps. VEX/EVEX use mmmmm (1 = 0F, 2 = 0F38, 3 = 0F3A, EVEX also 5, 6); XOP uses 8, 9, 10. */
export const enum OpMap {
  Legacy = 0,
  M0F = 1,
  M0F38 = 2,
  M0F3A = 3,
}

export const enum Seg {
  ES = 0,
  CS = 1,
  SS = 2,
  DS = 3,
  FS = 4,
  GS = 5,
  None = -1,
}

/** `base` value meaning RIP-relative addressing (64-bit mode, mod=00 rm=101). */
export const RIP_BASE = 16;
/** `base`/`index` value meaning "no register". */
export const NO_REG = -1;

/** Why an instruction is invalid (executing it raises #UD). */
export const enum Invalid {
  None = 0,
  /** Opcode not defined in this mode / with these prefixes. */
  Opcode = 1,
  /** More than 15 bytes. */
  TooLong = 2,
  /** LOCK on an instruction that does not accept it. */
  Lock = 3,
  /** Ran out of readable bytes (fetch fault), see `fetchFault`. */
  Truncated = 4,
}

/** An operand as a user (and the iced-x86 differential test) sees it. */
export type Operand =
  | { kind: "reg"; reg: string }
  | { kind: "imm"; value: bigint; size: number }
  | {
      kind: "mem";
      /** Effective segment register name ("ds", "ss", "fs", …). */
      seg: string;
      /** Base register name, "rip"/"eip" for RIP-relative, "" for none. */
      base: string;
      /** Index register name or "". */
      index: string;
      scale: 1 | 2 | 4 | 8;
      /** Displacement as the hardware adds it (for RIP-relative: the absolute target). */
      disp: bigint;
      /** Operand size in bytes, 0 when not meaningful (lea, invlpg…). */
      size: number;
    }
  | { kind: "branch"; target: bigint }
  | { kind: "far"; selector: number; offset: number };

export interface Insn {
  /** Address of the first byte. */
  ip: number;
  /** Length in bytes (1..15). */
  len: number;
  /** Mode the instruction was decoded in. */
  bits: 32 | 64;
  invalid: Invalid;

  /** Legacy prefix bytes in the order they appear (66, 67, F0, F2, F3, 26, 2E, 36, 3E, 64, 65). */
  prefixes: number[];
  lock: boolean;
  /** The F2/F3 prefix that counts (the last of them), or 0. */
  rep: 0 | 0xf2 | 0xf3;
  /** Effective segment override (Seg), or -1. In 64-bit mode ES/CS/SS/DS overrides are ignored (-1). */
  seg: number;
  /**
   * The segment prefix that counts for display (Seg), or -1: the last one; in 64-bit mode FS/GS win over
   * ES/CS/SS/DS whatever the order (iced-x86 reports e.g. `es:` here although the CPU ignores it).
   */
  segPrefix: number;
  /** Effective operand size in bits. */
  opsize: 16 | 32 | 64;
  /** Effective address size in bits. */
  adsize: 16 | 32 | 64;

  /** The REX byte (0x40..0x4F) when present and in effect, else 0. */
  rex: number;
  /** A REX byte that was present but ignored because it was not the last prefix, else 0. */
  rexIgnored: number;
  /** REX.W/R/X/B (or their VEX/EVEX equivalents), each 0 or 1. */
  w: number;
  r: number;
  x: number;
  b: number;
  /** EVEX.R' (inverted back: 1 = registers 16..31 in ModRM.reg), else 0. EVEX.V' is folded into `vvvv`. */
  rp: number;

  encoding: Encoding;
  /** VEX/EVEX/XOP fields (0 when not applicable). vvvv is already inverted (register number). */
  vvvv: number;
  /** Vector length: 0 = 128, 1 = 256, 2 = 512. */
  vl: number;
  /** EVEX: opmask register, zeroing, broadcast/rounding bit. */
  aaa: number;
  z: number;
  evexB: number;

  map: number;
  opcode: number;
  /** Mandatory/selecting prefix as the opcode tables use it: 0, 0x66, 0xF2 or 0xF3 (VEX/EVEX pp). */
  mandatory: 0 | 0x66 | 0xf2 | 0xf3;

  hasModrm: boolean;
  modrm: number;
  mod: number;
  /** ModRM.reg without REX.R (0..7). */
  reg: number;
  /** ModRM.rm without REX.B (0..7). */
  rm: number;

  hasSib: boolean;
  sib: number;
  /** SIB.scale as the shift count 0..3. */
  scale: number;
  /** SIB.index without REX.X (0..7). */
  sibIndex: number;
  /** SIB.base without REX.B (0..7). */
  sibBase: number;

  /**
   * Displacement as a signed number (disp8/16/32 sign-extended; EVEX disp8 already multiplied by
   * `disp8N`). moffs: the low 32 bits as an int32 bit pattern (`>>> 0` for unsigned), high 32 bits of a
   * 64-bit moffs in `dispHi` (also int32 bits). All numeric fields stay in int32 range (see decoder.ts).
   */
  disp: number;
  dispHi: number;
  dispSize: 0 | 1 | 2 | 4 | 8;

  /**
   * First immediate as decoded, no sign extension (that is the executor's business): 1- and 2-byte
   * immediates zero-extended, 4-byte ones (and the low half of an imm64) as an int32 bit pattern — use
   * `>>> 0` for the unsigned value; `immHi` = high 32 bits of an imm64 (int32 bits). Relative branches
   * (`J` operands) keep their raw displacement here; far pointers keep the offset here and the selector
   * in `imm2`.
   */
  imm: number;
  immHi: number;
  immSize: 0 | 1 | 2 | 4 | 8;
  /** Second immediate (enter's imm8, far pointer selector, extrq/insertq's second imm8). */
  imm2: number;
  imm2Size: 0 | 1 | 2;

  /** Memory operand, when the instruction has one from ModRM or moffs. base/index: register number (with REX), RIP_BASE or NO_REG. */
  memBase: number;
  memIndex: number;
  /** Scale factor 1, 2, 4, 8. */
  memScale: number;
  hasMem: boolean;

  /** Mnemonic in lower case as Intel writes it (e.g. "add", "movsb", "vaddps"). Filled by `decode`. */
  mnemonic: string;
  /**
   * Operand specs of the matched table row, in the mini-language of src/cpu/decoder/README.md (e.g.
   * ["Ev", "Gv"]). Filled by `decode` (shared, do not mutate); `describe` turns them into `operands`.
   */
  opSpecs: readonly string[];
  /** EVEX compressed-disp8 scale already applied to `disp` (1 otherwise). */
  disp8N: number;
  /**
   * Memory operand size in bytes for display when the table row gives one explicitly (VEX-family
   * rows: broadcast element, VSIB element…); 0 = derive it from the operand spec.
   */
  memSize: number;
  /**
   * Operands in Intel order, explicit and the implicit ones iced-x86 also lists (string instructions,
   * fixed registers). LAZY: `decode` leaves this empty; call `describe(insn)` (decoder.ts) to fill it.
   */
  operands: Operand[];
}
