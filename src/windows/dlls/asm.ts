/**
 * A tiny x86 / x64 byte emitter for the instruction forms the synthetic system DLLs need. Every
 * instruction is recorded in a listing with its disassembly (Intel syntax, label names for addresses
 * not known until the image is laid out), so the stubs stay readable and the tests can check each
 * listed instruction against the decoder. Encodings: Intel SDM Vol. 2 (ModRM/SIB in §2.1.5, REX in
 * §2.2.1); forms chosen to match what MSVC/Windows emit for the same code (`mov r10, rcx` is `4C 8B D1`,
 * the 8B /r form).
 *
 * Addresses of labels are resolved when the image is linked (`Fixup`): `rel32` for branches and
 * RIP-relative operands, `abs32`/`abs64` for absolute addresses (images are relocation-free and
 * assume their preferred base).
 */

export type Bits = 32 | 64;

const NAMES64 = ["rax", "rcx", "rdx", "rbx", "rsp", "rbp", "rsi", "rdi"];
const NAMES32 = ["eax", "ecx", "edx", "ebx", "esp", "ebp", "esi", "edi"];

export type Reg64 =
  | "rax"
  | "rcx"
  | "rdx"
  | "rbx"
  | "rsp"
  | "rbp"
  | "rsi"
  | "rdi"
  | "r8"
  | "r9"
  | "r10"
  | "r11"
  | "r12"
  | "r13"
  | "r14"
  | "r15";
export type Reg32 =
  | "eax"
  | "ecx"
  | "edx"
  | "ebx"
  | "esp"
  | "ebp"
  | "esi"
  | "edi"
  | "r8d"
  | "r9d"
  | "r10d"
  | "r11d"
  | "r12d"
  | "r13d"
  | "r14d"
  | "r15d";
export type Reg = Reg64 | Reg32;

interface RegInfo {
  readonly n: number;
  readonly w: 4 | 8;
}

function reg(name: Reg): RegInfo {
  let i = NAMES64.indexOf(name);
  if (i >= 0) return { n: i, w: 8 };
  i = NAMES32.indexOf(name);
  if (i >= 0) return { n: i, w: 4 };
  const m = /^r(\d+)(d?)$/.exec(name);
  if (m) return { n: Number(m[1]), w: m[2] ? 4 : 8 };
  throw new Error(`unknown register ${name}`);
}

/** A memory operand: `[base+disp]`, `[disp]` (absolute), `[label]` (RIP-relative in 64-bit mode, absolute in 32-bit). */
export interface Mem {
  readonly kind: "mem";
  readonly base?: Reg;
  readonly disp: number;
  readonly label?: string;
  readonly seg?: "fs" | "gs";
}

export function mem(base: Reg, disp = 0): Mem {
  return { kind: "mem", base, disp };
}

/** Absolute address (`seg:[disp]`), e.g. `gs:[0x30]`. */
export function abs(disp: number, seg?: "fs" | "gs"): Mem {
  return { kind: "mem", disp, seg };
}

/** A label's address as a memory operand: RIP-relative in 64-bit code, absolute in 32-bit code. */
export function at(label: string): Mem {
  return { kind: "mem", disp: 0, label };
}

export type FixupKind = "rel32" | "abs32" | "abs64";

export interface Fixup {
  /** Offset of the 4/8 bytes to patch. */
  readonly at: number;
  readonly kind: FixupKind;
  readonly label: string;
  /** For rel32: offset of the end of the instruction (the value is target − address of that byte). */
  readonly next: number;
}

export interface ListingLine {
  readonly offset: number;
  readonly length: number;
  readonly text: string;
  /** Mode the bytes are meant to run in (an x64 image may hold 32-bit code, e.g. wow64cpu!KiFastSystemCall). */
  readonly bits: Bits;
}

/** Numbers as iced-x86's Intel formatter prints them: 0..9 in decimal, else lowercase 0x hex. */
function hex(v: number): string {
  if (v < 0) return "-" + hex(-v);
  return v < 10 ? String(v) : "0x" + v.toString(16);
}

/** An immediate as the CPU sees it at operand size `w` bytes (negative values in two's complement). */
function immText(v: number, w: 4 | 8): string {
  if (v >= 0) return hex(v);
  if (w === 4) return hex(v >>> 0);
  return "0x" + BigInt.asUintN(64, BigInt(v)).toString(16);
}

function memText(m: Mem, size?: string): string {
  const seg = m.seg ? `${m.seg}:` : "";
  const ptr = size ? `${size} ptr ` : "";
  if (m.label) return `${ptr}${seg}[${m.label}]`;
  if (!m.base) return `${ptr}${seg}[${hex(m.disp)}]`;
  const d = m.disp === 0 ? "" : m.disp < 0 ? `-${hex(-m.disp)}` : `+${hex(m.disp)}`;
  return `${ptr}${seg}[${m.base}${d}]`;
}

function fitsI8(v: number): boolean {
  return v >= -128 && v <= 127;
}

export class Asm {
  private buf: number[] = [];
  /** Label → offset in this buffer. */
  readonly labels = new Map<string, number>();
  readonly fixups: Fixup[] = [];
  readonly listing: ListingLine[] = [];

  constructor(public bits: Bits) {}

  /** Emits `body` as code for the other mode (32-bit code inside an x64 image), then switches back. */
  withBits(bits: Bits, body: () => void): this {
    const saved = this.bits;
    this.bits = bits;
    try {
      body();
    } finally {
      this.bits = saved;
    }
    return this;
  }

  get pos(): number {
    return this.buf.length;
  }

  bytes(): Uint8Array {
    return Uint8Array.from(this.buf);
  }

  label(name: string): this {
    if (this.labels.has(name)) throw new Error(`label ${name} defined twice`);
    this.labels.set(name, this.buf.length);
    return this;
  }

  /** Pads with `int3` (CC) to a multiple of `n`; padding is not listed as instructions. */
  align(n: number, fill = 0xcc): this {
    while (this.buf.length % n !== 0) this.buf.push(fill);
    return this;
  }

  /** Raw bytes with their disassembly (data when `text` is empty: not listed). */
  raw(bytes: readonly number[], text: string): this {
    const offset = this.buf.length;
    for (const b of bytes) this.buf.push(b & 0xff);
    if (text) this.listing.push({ offset, length: bytes.length, text, bits: this.bits });
    return this;
  }

  private put32(v: number): void {
    this.buf.push(v & 0xff, (v >>> 8) & 0xff, (v >>> 16) & 0xff, (v >>> 24) & 0xff);
  }

  private fix(kind: FixupKind, label: string, next: number, at: number): void {
    this.fixups.push({ at, kind, label, next });
  }

  /**
   * Emits [prefixes] [REX] opcode ModRM [SIB] [disp] [imm] for `op reg, r/m`. `regField` is a register
   * number (0..15) or a /digit; `w` sets REX.W. Immediate bytes follow.
   */
  private modrm(
    text: string,
    opcode: readonly number[],
    regField: number,
    rm: RegInfo | Mem,
    w: boolean,
    imm: readonly number[] = [],
  ): this {
    const start = this.buf.length;
    const out: number[] = [];
    let rex = w ? 8 : 0;
    if (regField & 8) rex |= 4;
    let body: number[];
    let fixLabel: string | undefined;
    let dispAt = -1;
    if ("n" in rm) {
      if (rm.n & 8) rex |= 1;
      body = [0xc0 | ((regField & 7) << 3) | (rm.n & 7)];
    } else {
      if (rm.seg) out.push(rm.seg === "fs" ? 0x64 : 0x65);
      const r = (regField & 7) << 3;
      if (rm.label !== undefined) {
        // 64-bit: [rip+disp32] (mod 00, rm 101); 32-bit: [disp32] (mod 00, rm 101)
        body = [0x05 | r];
        dispAt = body.length;
        body.push(0, 0, 0, 0);
        fixLabel = rm.label;
      } else if (rm.base === undefined) {
        // absolute: 32-bit mod 00 rm 101 disp32; 64-bit needs SIB (no base, no index) or it would be RIP-relative
        body = this.bits === 64 ? [0x04 | r, 0x25] : [0x05 | r];
        body.push(rm.disp & 0xff, (rm.disp >>> 8) & 0xff, (rm.disp >>> 16) & 0xff, (rm.disp >>> 24) & 0xff);
      } else {
        const b = reg(rm.base);
        if (b.n & 8) rex |= 1;
        const low = b.n & 7;
        const mod = rm.disp === 0 && low !== 5 ? 0 : fitsI8(rm.disp) ? 1 : 2;
        body = [(mod << 6) | r | (low === 4 ? 4 : low)];
        if (low === 4) body.push(0x24);
        if (mod === 1) body.push(rm.disp & 0xff);
        if (mod === 2)
          body.push(rm.disp & 0xff, (rm.disp >>> 8) & 0xff, (rm.disp >>> 16) & 0xff, (rm.disp >>> 24) & 0xff);
      }
    }
    if (rex !== 0) {
      if (this.bits !== 64) throw new Error(`REX needed in 32-bit code: ${text}`);
      out.push(0x40 | rex);
    }
    out.push(...opcode);
    const bodyAt = out.length;
    out.push(...body, ...imm);
    for (const x of out) this.buf.push(x);
    if (fixLabel !== undefined) {
      const at = start + bodyAt + dispAt;
      if (this.bits === 64) this.fix("rel32", fixLabel, start + out.length, at);
      else this.fix("abs32", fixLabel, start + out.length, at);
    }
    this.listing.push({ offset: start, length: out.length, text, bits: this.bits });
    return this;
  }

  // ---- data movement

  /** `mov dst, src` between registers, or a register and memory (8B /r, 89 /r). */
  mov(dst: Reg | Mem, src: Reg | Mem): this {
    if (typeof dst === "string" && typeof src === "string") {
      const d = reg(dst);
      const s = reg(src);
      if (d.w !== s.w) throw new Error(`mov ${dst}, ${src}: size mismatch`);
      return this.modrm(`mov ${dst}, ${src}`, [0x8b], d.n, s, d.w === 8);
    }
    if (typeof dst === "string" && typeof src !== "string") {
      const d = reg(dst);
      return this.modrm(`mov ${dst}, ${memText(src)}`, [0x8b], d.n, src, d.w === 8);
    }
    if (typeof dst !== "string" && typeof src === "string") {
      const s = reg(src);
      return this.modrm(`mov ${memText(dst)}, ${src}`, [0x89], s.n, dst, s.w === 8);
    }
    throw new Error("mov mem, mem");
  }

  /** `mov r32, imm32` (B8+r id) or, for a 64-bit register, the sign-extending `mov r/m64, imm32` (C7 /0 id). */
  movImm(dst: Reg, imm: number): this {
    const d = reg(dst);
    const text = `mov ${dst}, ${immText(imm, d.w)}`;
    if (d.w === 8) {
      const v = imm | 0;
      return this.modrm(text, [0xc7], 0, d, true, [
        v & 0xff,
        (v >>> 8) & 0xff,
        (v >>> 16) & 0xff,
        (v >>> 24) & 0xff,
      ]);
    }
    const start = this.buf.length;
    if (d.n & 8) this.buf.push(0x41);
    this.buf.push(0xb8 + (d.n & 7));
    this.put32(imm);
    this.listing.push({ offset: start, length: this.buf.length - start, text, bits: this.bits });
    return this;
  }

  /** `mov r32, offset label` (B8+r id), 32-bit code: the label's absolute address. */
  movOffset(dst: Reg32, label: string): this {
    const d = reg(dst);
    const start = this.buf.length;
    this.buf.push(0xb8 + (d.n & 7));
    this.fix("abs32", label, start + 5, this.buf.length);
    this.put32(0);
    this.listing.push({ offset: start, length: 5, text: `mov ${dst}, offset ${label}`, bits: this.bits });
    return this;
  }

  /** `lea dst, [mem]` (8D /r). */
  lea(dst: Reg, src: Mem): this {
    const d = reg(dst);
    return this.modrm(`lea ${dst}, ${memText(src)}`, [0x8d], d.n, src, d.w === 8);
  }

  /** `push r` (50+r). */
  push(r: Reg): this {
    const x = reg(r);
    const start = this.buf.length;
    if (x.n & 8) this.buf.push(0x41);
    this.buf.push(0x50 + (x.n & 7));
    this.listing.push({ offset: start, length: this.buf.length - start, text: `push ${r}`, bits: this.bits });
    return this;
  }

  /** `pop r` (58+r). */
  pop(r: Reg): this {
    const x = reg(r);
    const start = this.buf.length;
    if (x.n & 8) this.buf.push(0x41);
    this.buf.push(0x58 + (x.n & 7));
    this.listing.push({ offset: start, length: this.buf.length - start, text: `pop ${r}`, bits: this.bits });
    return this;
  }

  /** `pushfq` / `pushfd` (9C). */
  pushf(): this {
    return this.raw([0x9c], this.bits === 64 ? "pushfq" : "pushfd");
  }

  /** `popfq` / `popfd` (9D). */
  popf(): this {
    return this.raw([0x9d], this.bits === 64 ? "popfq" : "popfd");
  }

  // ---- arithmetic

  private alu(name: string, digit: number, dst: Reg, imm: number): this {
    const d = reg(dst);
    const text = `${name} ${dst}, ${immText(imm, d.w)}`;
    if (fitsI8(imm)) return this.modrm(text, [0x83], digit, d, d.w === 8, [imm & 0xff]);
    return this.modrm(text, [0x81], digit, d, d.w === 8, [
      imm & 0xff,
      (imm >>> 8) & 0xff,
      (imm >>> 16) & 0xff,
      (imm >>> 24) & 0xff,
    ]);
  }

  add(dst: Reg, imm: number): this {
    return this.alu("add", 0, dst, imm);
  }

  or(dst: Reg, imm: number): this {
    return this.alu("or", 1, dst, imm);
  }

  sub(dst: Reg, imm: number): this {
    return this.alu("sub", 5, dst, imm);
  }

  // ---- control transfer

  /** `call label` (E8 rel32). */
  call(label: string): this {
    return this.branch(0xe8, "call", label);
  }

  /** `jmp label` (E9 rel32). */
  jmp(label: string): this {
    return this.branch(0xe9, "jmp", label);
  }

  private branch(op: number, name: string, label: string): this {
    const start = this.buf.length;
    this.buf.push(op);
    this.fix("rel32", label, start + 5, this.buf.length);
    this.put32(0);
    this.listing.push({ offset: start, length: 5, text: `${name} ${label}`, bits: this.bits });
    return this;
  }

  /** `call r` (FF /2). */
  callReg(r: Reg): this {
    return this.modrm(`call ${r}`, [0xff], 2, reg(r), false);
  }

  /** `call [m]` (FF /2): through a pointer, e.g. an import address table slot. */
  callMem(m: Mem): this {
    return this.modrm(`call ${memText(m, this.bits === 64 ? "qword" : "dword")}`, [0xff], 2, m, false);
  }

  /** `jmp [m]` (FF /4). */
  jmpMem(m: Mem): this {
    return this.modrm(`jmp ${memText(m, this.bits === 64 ? "qword" : "dword")}`, [0xff], 4, m, false);
  }

  /**
   * `jmp far [m]` (FF /5) with a 32-bit operand size: loads EIP from the dword at m and CS from the
   * word after it (m16:32), in either mode.
   */
  jmpFarMem(m: Mem): this {
    return this.modrm(`jmp far ${memText(m, "fword")}`, [0xff], 5, m, false);
  }

  /** `jmp far selector:label` (EA cd cw), 32-bit code only (invalid in 64-bit mode). */
  jmpFar(selector: number, label: string): this {
    if (this.bits !== 32) throw new Error("EA is invalid in 64-bit mode");
    const start = this.buf.length;
    this.buf.push(0xea);
    this.fix("abs32", label, start + 7, this.buf.length);
    this.put32(0);
    this.buf.push(selector & 0xff, (selector >>> 8) & 0xff);
    this.listing.push({
      offset: start,
      length: 7,
      text: `jmp far 0x${selector.toString(16)}:${label}`,
      bits: this.bits,
    });
    return this;
  }

  /** `ret` (C3) or `ret imm16` (C2 iw). */
  ret(pop = 0): this {
    if (pop === 0) return this.raw([0xc3], "ret");
    return this.raw([0xc2, pop & 0xff, (pop >>> 8) & 0xff], `ret ${hex(pop)}`);
  }

  // ---- system

  /** `syscall` (0F 05). */
  syscall(): this {
    return this.raw([0x0f, 0x05], "syscall");
  }

  /** `vmcall` (0F 01 C1): #UD in a guest without a hypervisor; our OS layer turns it into a trap. */
  vmcall(): this {
    return this.raw([0x0f, 0x01, 0xc1], "vmcall");
  }

  int3(): this {
    return this.raw([0xcc], "int3");
  }

  // ---- data

  /** A dword; with a label, that label's absolute address. */
  dd(value: number | string): this {
    if (typeof value === "string") {
      this.fix("abs32", value, this.buf.length + 4, this.buf.length);
      this.put32(0);
    } else this.put32(value);
    return this;
  }

  /** A qword holding a label's absolute address. */
  dqLabel(label: string): this {
    this.fix("abs64", label, this.buf.length + 8, this.buf.length);
    this.put32(0);
    this.put32(0);
    return this;
  }
}

/**
 * Patches `fixups` into `bytes` (which will live at `base` = absolute address of offset 0), with
 * `resolve(label)` giving each label's absolute address.
 */
export function applyFixups(
  bytes: Uint8Array,
  fixups: readonly Fixup[],
  base: number,
  resolve: (label: string) => number,
): void {
  const dv = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  for (const f of fixups) {
    const target = resolve(f.label);
    if (f.kind === "rel32") {
      const rel = target - (base + f.next);
      if (rel < -0x80000000 || rel > 0x7fffffff) throw new Error(`${f.label} out of rel32 range`);
      dv.setInt32(f.at, rel, true);
    } else if (f.kind === "abs32") {
      if (target < 0 || target > 0xffffffff) throw new Error(`${f.label} (${hex(target)}) above 4 GB`);
      dv.setUint32(f.at, target, true);
    } else {
      dv.setUint32(f.at, target % 0x100000000, true);
      dv.setUint32(f.at + 4, Math.floor(target / 0x100000000), true);
    }
  }
}
