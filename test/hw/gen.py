#!/usr/bin/env python3
"""Generates the wowdbg hardware test vectors.

Builds the case list (instruction bytes + initial state + undefined-result masks), checks every encoding
with objdump (one instruction, exact length, and takes its Intel-syntax text as the mnemonic), runs the
cases on this CPU through test/hw/build/harness, and writes test/hw/vectors/<family>.<bits>.txt.

    bash test/hw/build.sh && python3 test/hw/gen.py            # all families
    python3 test/hw/gen.py --only alu shift                    # some families
    python3 test/hw/gen.py --cases alu 64 > cases.txt          # case lines only (harness input)

Deterministic: every (family, mode) pair has its own seeded random generator. Line format: README.md.
"""
from __future__ import annotations

import argparse
import os
import re
import struct
import subprocess
import sys
import tempfile
from random import Random

HERE = os.path.dirname(os.path.abspath(__file__))
HARNESS = os.path.join(HERE, "build", "harness")
OUTDIR = os.path.join(HERE, "vectors")

CODE = 0x20010000
DATA = 0x20020FE0  # 64 bytes across the page boundary at 0x20021000 (pages 0x20020000-0x20021fff mapped)
MEMSZ = 64
DATA2 = 0x20030000  # second buffer: 512 bytes at the start of its own page (fxsave/fnsave images)
MEM2SZ = 512
PAGE_SPLIT = 0x1000 - (DATA & 0xFFF)  # buffer offset of the page boundary

CF, PF, AF, ZF, SF, DF, OF = 0x1, 0x4, 0x10, 0x40, 0x80, 0x400, 0x800
ARITH = CF | PF | AF | ZF | SF | OF
C0, C1, C2, C3 = 0x100, 0x200, 0x400, 0x4000

G64 = ["rax", "rcx", "rdx", "rbx", "rsp", "rbp", "rsi", "rdi", "r8", "r9", "r10", "r11", "r12", "r13", "r14", "r15"]
G32 = ["eax", "ecx", "edx", "ebx", "esp", "ebp", "esi", "edi"]
RAX, RCX, RDX, RBX, RSP, RBP, RSI, RDI = range(8)

HEADER = """\
# wowdbg hardware test vectors: {family}, {bits}-bit mode. Recorded on real hardware ({cpu}) by
# test/hw/gen.py + test/hw/harness.c; do not edit by hand. Full description: test/hw/README.md.
# One case per line, all values hex:
#   <bits> <hex bytes> | in: <field>=<v> ... | out: <field>=<v> ... | mask: <field>=<v> ... | <objdump text>
# Code at 0x20010000; 64-byte data buffer at 0x20020fe0, across a page boundary (mem = its bytes in order);
# 512-byte second buffer at 0x20030000 (m2 = its bytes, trailing zero bytes omitted).
# in:  unlisted fields take defaults: GPRs 0, fl=202, mem/m2 zero, xN 0, mxcsr=1f80, fcw=037f, fsw=0
#      (without TOP), x87 stack empty. xN = the 128-bit register as one number, most significant first.
#      st=ST(0),ST(1),... as IEEE double bit patterns ('-' empty); TOP = (8 - count) mod 8.
#      mmN (MMX: mantissa of physical x87 register N, exponent all ones) / ftw (abridged tag byte): the
#      MMX view, where mmN and ftw are compared instead of st. es=ds=ss=2b, cs=33 (64) / 23 (32), fs=gs=0.
# out: unlisted fields equal their input value; fl (RFLAGS bits 0-11) always listed; fsw includes TOP;
#      st = the stack after (x87 values rounded to double); exc=DE|UD|GP|SS|PF|BP|DB|OF|... when it
#      faulted (traps: after the instruction). es cs ss ds fs gs when changed. Without exc, RIP after =
#      code + length, or rip= (a branch: where it landed, also an unmapped address).
# mask: bits not to compare (architecturally undefined, Intel SDM; or host-defined): fl=<RFLAGS bits>
#      <gpr>=<bits> fsw=<bits> xN=<bits> mem=/m2=<byte masks> stulp=<ulps>. Flags compared: CF PF AF ZF
#      SF OF DF.
"""


def cpu_name() -> str:
    try:
        with open("/proc/cpuinfo") as f:
            for line in f:
                if line.startswith("model name"):
                    return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return "unknown CPU"


def cpu_flags() -> set[str]:
    try:
        with open("/proc/cpuinfo") as f:
            for line in f:
                if line.startswith("flags"):
                    return set(line.split(":", 1)[1].split())
    except OSError:
        pass
    return set()


FLAGS = cpu_flags()
HAS_LZCNT = "abm" in FLAGS or "lzcnt" in FLAGS
HAS_BMI1 = "bmi1" in FLAGS
HAS_POPCNT = "popcnt" in FLAGS
HAS_SSE3 = "pni" in FLAGS
HAS_CX16 = "cx16" in FLAGS
HAS_LAHF64 = "lahf_lm" in FLAGS


# ---------------------------------------------------------------------------------------------- cases


class Case:
    def __init__(self, bits: int):
        self.bits = bits
        self.code = b""
        self.g: dict[int, int] = {}
        self.fl = 0x202
        self.mem: bytearray | None = None
        self.xmm: dict[int, int] = {}
        self.mxcsr: int | None = None
        self.fcw: int | None = None
        self.fsw: int | None = None
        self.st: list[int] | None = None
        self.mask: dict[str, int] = {}
        self.mm: dict[int, int] = {}  # MMX registers (physical x87 register number -> 64-bit mantissa)
        self.ftw: int | None = None  # abridged x87 tag byte (with mm: the MMX view)
        self.top = 0  # MMX view: x87 TOP before the instruction
        self.mem2: bytearray | None = None
        self.m2mask: bytearray | None = None  # bits of the second buffer not compared
        self.memmask: bytearray | None = None  # bits of the 64-byte buffer not compared
        self.hostdep = False  # outputs defined by the host (cpuid, rdtsc, UMIP emulation): masked bits written as 0

    def gmask(self, n: int, m: int) -> None:
        name = (G64 if self.bits == 64 else G32)[n]
        self.mask[name] = self.mask.get(name, 0) | (m & ((1 << self.bits) - 1))

    def flmask(self, m: int) -> None:
        if m:
            self.mask["fl"] = self.mask.get("fl", 0) | m

    def memory(self) -> bytearray:
        if self.mem is None:
            self.mem = bytearray(MEMSZ)
        return self.mem

    def memory2(self) -> bytearray:
        if self.mem2 is None:
            self.mem2 = bytearray(MEM2SZ)
        return self.mem2

    def xmask(self, r: int, m: int) -> None:
        k = f"x{r}"
        self.mask[k] = self.mask.get(k, 0) | m

    def line(self, text: str = "") -> str:
        f: list[str] = []
        if self.bits == 64:
            for n in sorted(self.g):
                f.append(f"{G64[n]}={self.g[n] & (2**64 - 1):016x}")
        else:
            for n in sorted(self.g):
                f.append(f"{G32[n]}={self.g[n] & 0xFFFFFFFF:08x}")
        if self.fl != 0x202:
            f.append(f"fl={self.fl:x}")
        if self.mem is not None and any(self.mem):
            f.append("mem=" + self.mem.hex())
        for r in sorted(self.xmm):
            if self.xmm[r]:
                f.append(f"x{r}={self.xmm[r]:032x}")
        if self.mxcsr is not None and self.mxcsr != 0x1F80:
            f.append(f"mxcsr={self.mxcsr:x}")
        if self.fcw is not None and self.fcw != 0x037F:
            f.append(f"fcw={self.fcw:04x}")
        if self.fsw:
            f.append(f"fsw={self.fsw:04x}")
        if self.st:
            f.append("st=" + ",".join("-" if v is None else f"{v:016x}" for v in self.st))
        for r in sorted(self.mm):
            if self.mm[r]:
                f.append(f"mm{r}={self.mm[r] & (2**64 - 1):016x}")
        if self.ftw is not None or self.mm:
            f.append(f"ftw={(0xFF if self.ftw is None else self.ftw):02x}")
            if self.top:
                f.append(f"top={self.top:x}")
        if self.mem2 is not None:
            b = bytes(self.mem2).rstrip(b"\0") or b"\0"
            f.append("m2=" + b.hex())
        order = ["fl"] + G64 + G32 + ["fsw", "stulp"] + [f"x{i}" for i in range(16)]
        ms = [f"{k}={self.mask[k]:x}" for k in order if self.mask.get(k)]
        if self.memmask is not None and any(self.memmask):
            ms.append("mem=" + bytes(self.memmask).rstrip(b"\0").hex())
        if self.m2mask is not None and any(self.m2mask):
            ms.append("m2=" + bytes(self.m2mask).rstrip(b"\0").hex())
        return f"{self.bits} {self.code.hex()} | in: {' '.join(f)} | mask: {' '.join(ms)} | {text}"


# ---------------------------------------------------------------------------------------------- values


def edges(w: int) -> list[int]:
    m = (1 << w) - 1
    h = 1 << (w - 1)
    e = {0, 1, 2, 3, m, m - 1, h, h - 1, h + 1, 0x7F, 0x80, 0xFF, 0x100, 0x7FFF, 0x8000, 0xFFFF, 0x10000}
    e |= {0x7FFFFFFF, 0x80000000, 0xFFFFFFFF, 0x100000000, 0x55, 0xAA, 0x0F, 0xF0}
    return sorted(x & m for x in e)


class Gen:
    """Random source plus the encoder for one (family, mode)."""

    def __init__(self, family: str, bits: int):
        self.family = family
        self.bits = bits
        self.r = Random(f"wowdbg-hw-{family}-{bits}")
        self.cases: list[Case] = []
        self.nregs = 16 if bits == 64 else 8

    # ---- values
    def val(self, w: int) -> int:
        r = self.r
        x = r.random()
        m = (1 << w) - 1
        if x < 0.30:
            return r.choice(edges(w))
        if x < 0.40:
            return r.randrange(0, 17)
        if x < 0.47:
            return -r.randrange(1, 17) & m
        if x < 0.55:
            return (r.getrandbits(w) >> r.randrange(0, w)) & m  # small magnitudes of any size
        return r.getrandbits(w)

    def rflags(self, df: bool = False) -> int:
        v = 0x202 | (self.r.getrandbits(12) & ARITH)
        if df:
            v |= DF
        return v

    def rand64(self) -> int:
        return self.r.getrandbits(64)

    def new(self) -> Case:
        c = Case(self.bits)
        c.fl = self.rflags()
        self.cases.append(c)
        return c

    def pick(self, k: int, exclude=()) -> list[int]:
        pool = [n for n in range(self.nregs) if n not in exclude]
        return self.r.sample(pool, k)

    # ---- register values
    def put(self, c: Case, n: int, w: int, v: int, rex: bool) -> None:
        """Sets the w-bit register operand n (encoding number) to v; other bits random (or kept)."""
        if w == 8 and 4 <= n <= 7 and not rex:
            base = c.g.get(n - 4, self.rand64() if self.bits == 64 else self.r.getrandbits(32))
            c.g[n - 4] = (base & ~0xFF00) | ((v & 0xFF) << 8)
            return
        full = self.bits
        base = c.g.get(n, self.r.getrandbits(full))
        m = (1 << w) - 1
        c.g[n] = ((base & ~m) | (v & m)) & ((1 << full) - 1)

    # ---- memory operands
    def mem(self, c: Case, size: int, avoid=(), align: int = 1, off: int | None = None, allow_a32=True,
            simple=False, base: int = DATA) -> "Mem":
        """A memory operand addressing base+off (DATA or DATA2; off random unless given). Sets the address
        registers."""
        r = self.r
        if off is None:
            hi = (MEMSZ if base == DATA else MEM2SZ) - size
            off = r.randrange(0, hi // align + 1) * align
            if align == 1 and size > 1 and base == DATA and r.random() < 0.3:
                off = r.randrange(PAGE_SPLIT - size + 1, PAGE_SPLIT)  # straddles the page boundary
        ea = base + off
        avoid = set(avoid)
        bits = self.bits
        forms = ["base", "base_d8", "base_d32", "sib", "sib_d8", "sib_d32", "idx_d32", "abs"]
        if bits == 64:
            forms += ["rip", "rip"]
            if allow_a32:
                forms += ["a32"]
        if simple:
            forms = ["base", "base_d8", "abs"] + (["rip"] if bits == 64 else [])
        form = r.choice(forms)
        m = Mem()
        wmask = (1 << bits) - 1
        free = [n for n in range(self.nregs) if n not in avoid]
        if form in ("abs",):
            if bits == 64:  # SIB, no base, no index: [disp32]
                m.mod, m.rm, m.sib = 0, 4, (0 << 6) | (4 << 3) | 5
            else:
                m.mod, m.rm = 0, 5
            m.disp = struct.pack("<i", ea if ea < 2**31 else ea - 2**32)
            return m
        if form == "rip":
            m.mod, m.rm, m.rip_target = 0, 5, ea
            m.disp = b"\0\0\0\0"
            return m
        a32 = form == "a32"
        if a32:
            form = r.choice(["base", "base_d8", "sib", "sib_d32"])
            m.a32 = True
        base = r.choice(free)
        disp = 0
        if form in ("base_d8", "sib_d8"):
            disp = r.randrange(-128, 128)
        elif form in ("base_d32", "sib_d32", "idx_d32"):
            disp = r.choice([r.randrange(-(2**31), 2**31), r.randrange(-4096, 4096)])
        idx = None
        scale = 1
        if form in ("sib", "sib_d8", "sib_d32", "idx_d32"):
            cand = [n for n in free if n != 4 and n != base]
            idx = r.choice(cand)
            scale = r.choice([1, 2, 4, 8])
        # register values
        if form == "idx_d32":
            # [index*scale + disp32]: choose index small, disp = ea - index*scale
            iv = r.randrange(-64, 64)
            disp = ea - iv * scale
            if not -(2**31) <= disp < 2**31:
                disp = ea
                iv = 0
            c.g[idx] = iv & wmask
            m.mod, m.rm = 0, 4
            m.sib = (scale.bit_length() - 1) << 6 | (idx & 7) << 3 | 5
            m.x = idx >> 3
            m.disp = struct.pack("<i", disp)
            return m
        iv = 0
        if idx is not None:
            iv = r.choice([r.randrange(-64, 64), r.randrange(0, 8)])
            c.g[idx] = iv & wmask
            if a32:  # garbage in the upper half must be ignored with a 32-bit address size
                c.g[idx] = (iv & 0xFFFFFFFF) | (r.getrandbits(32) << 32)
        bv = (ea - iv * scale - disp) & (0xFFFFFFFF if a32 else wmask)
        if a32:
            bv |= r.getrandbits(32) << 32
        c.g[base] = bv
        if form == "base" and (base & 7) == 5:
            form = "base_d8"  # rbp/r13 need a displacement
        if form in ("base", "sib"):
            m.mod = 0
        elif form in ("base_d8", "sib_d8"):
            m.mod = 1
            m.disp = struct.pack("<b", disp)
        else:
            m.mod = 2
            m.disp = struct.pack("<i", disp)
        if idx is None:
            if (base & 7) == 4:
                m.rm, m.sib = 4, (0 << 6) | (4 << 3) | 4
            else:
                m.rm = base & 7
        else:
            if (base & 7) == 5 and m.mod == 0:
                m.mod = 1
                m.disp = b"\0"
            m.rm = 4
            m.sib = (scale.bit_length() - 1) << 6 | (idx & 7) << 3 | (base & 7)
            m.x = idx >> 3
        m.b = base >> 3
        return m

    # ---- encoder
    def enc(self, c: Case, op: bytes, reg: int, rm, w: int = 32, imm: bytes = b"", pfx: bytes = b"",
            mand: bytes = b"", rexw: bool | None = None, force_rex: bool = False, no66: bool = False) -> bool:
        """Encodes prefixes + op + modrm(+sib+disp) + imm into c.code. rm: int register or Mem.
        Returns whether a REX prefix was emitted."""
        p = bytearray(pfx)
        if w == 16 and not no66:
            p.append(0x66)
        if isinstance(rm, Mem) and rm.a32:
            p.append(0x67)
        p += mand
        W = (w == 64) if rexw is None else rexw
        R = (reg >> 3) & 1
        if isinstance(rm, Mem):
            X, B = rm.x, rm.b
            modrm = bytes([(rm.mod << 6) | ((reg & 7) << 3) | rm.rm])
            if rm.sib is not None:
                modrm += bytes([rm.sib])
            modrm += rm.disp
        else:
            X, B = 0, (rm >> 3) & 1
            modrm = bytes([0xC0 | ((reg & 7) << 3) | (rm & 7)])
        rex = W or R or X or B or force_rex
        if rex:
            assert self.bits == 64, "REX in 32-bit mode"
            p.append(0x40 | (W << 3) | (R << 2) | (X << 1) | B)
        code = bytes(p) + op + modrm + imm
        if isinstance(rm, Mem) and rm.rip_target is not None:
            # patch disp32: target - (CODE + len)
            d = rm.rip_target - (CODE + len(code))
            i = len(bytes(p) + op) + 1
            code = code[:i] + struct.pack("<i", d) + code[i + 4:]
        c.code = code
        return bool(rex)

    def raw(self, c: Case, code: bytes) -> None:
        c.code = code


class Mem:
    def __init__(self):
        self.mod = 0
        self.rm = 0
        self.sib: int | None = None
        self.disp = b""
        self.x = 0
        self.b = 0
        self.a32 = False
        self.rip_target: int | None = None


def imm_bytes(v: int, n: int) -> bytes:
    return (v & ((1 << (8 * n)) - 1)).to_bytes(n, "little")


def sx(v: int, w: int) -> int:
    v &= (1 << w) - 1
    return v - (1 << w) if v >> (w - 1) else v


def widths(bits: int) -> list[int]:
    return [8, 16, 32, 64] if bits == 64 else [8, 16, 32]


# ---------------------------------------------------------------------------------------------- GPR helpers


def rand_mem_bytes(g: Gen, c: Case) -> None:
    m = c.memory()
    for i in range(MEMSZ):
        m[i] = g.r.getrandbits(8)


def force_rex8(g: Gen) -> bool:
    return g.bits == 64 and g.r.random() < 0.4


def set_operand_regs(g: Gen, c: Case, regs_w: list[tuple[int, int]], rex: bool) -> None:
    for n, w in regs_w:
        g.put(c, n, w, g.val(w), rex)


def write_mem_val(c: Case, off: int, w: int, v: int) -> None:
    m = c.memory()
    m[off:off + w // 8] = (v & ((1 << w) - 1)).to_bytes(w // 8, "little")


# ---------------------------------------------------------------------------------------------- families: ALU


ALU = ["add", "or", "adc", "sbb", "and", "sub", "xor", "cmp"]
LOGIC_MASK = AF  # and/or/xor/test: AF undefined


def gen_alu(g: Gen) -> None:
    N = 12
    for opi, name in enumerate(ALU):
        fm = LOGIC_MASK if name in ("and", "or", "xor") else 0
        for w in widths(g.bits):
            ob = 0 if w == 8 else 1
            for enc_kind in ["rm_r", "r_rm", "acc_imm", "grp_imm", "grp_imm8"]:
                if enc_kind == "grp_imm8" and w == 8:
                    continue
                for k in range(N):
                    c = g.new()
                    c.flmask(fm)
                    use_mem = k % 3 == 2
                    lock = use_mem and enc_kind in ("rm_r", "grp_imm", "grp_imm8") and name != "cmp" and k % 2 == 0
                    pfx = b"\xf0" if lock else b""
                    frex = w == 8 and force_rex8(g)
                    if enc_kind in ("rm_r", "r_rm"):
                        reg = g.pick(1)[0]
                        av = {reg, reg & 3} if w == 8 else {reg}
                        rm = g.mem(c, w // 8, avoid=av) if use_mem else g.pick(1)[0]
                        if use_mem:
                            rand_mem_bytes(g, c)
                        op = bytes([opi * 8 + ob + (2 if enc_kind == "r_rm" else 0)])
                        rex = g.enc(c, op, reg, rm, w, pfx=pfx, force_rex=frex)
                        regs = [(reg, w)] + ([] if use_mem else [(rm, w)])
                        set_operand_regs(g, c, regs, rex)
                    elif enc_kind == "acc_imm":
                        isz = 1 if w == 8 else (2 if w == 16 else 4)
                        iv = g.val(isz * 8)
                        p = b"\x66" if w == 16 else b""
                        if w == 64:
                            p = b"\x48"
                        c.code = p + bytes([opi * 8 + 4 + (0 if w == 8 else 1)]) + imm_bytes(iv, isz)
                        g.put(c, RAX, w, g.val(w), False)
                    else:
                        isz = 1 if (w == 8 or enc_kind == "grp_imm8") else (2 if w == 16 else 4)
                        if enc_kind == "grp_imm8":
                            opc = 0x83
                        elif w == 8:
                            opc = 0x82 if (g.bits == 32 and k % 4 == 1) else 0x80
                        else:
                            opc = 0x81
                        rm = g.mem(c, w // 8) if use_mem else g.pick(1)[0]
                        if use_mem:
                            rand_mem_bytes(g, c)
                        rex = g.enc(c, bytes([opc]), opi, rm, w, imm=imm_bytes(g.val(isz * 8), isz), pfx=pfx,
                                    force_rex=frex)
                        if not use_mem:
                            set_operand_regs(g, c, [(rm, w)], rex)
        # 82 in 64-bit mode is #UD
        if g.bits == 64:
            c = g.new()
            g.enc(c, b"\x82", opi, 0, 8, imm=b"\x05")
            g.put(c, RAX, 64, g.rand64(), False)
    # lock on a register destination: #UD
    for k in range(6):
        c = g.new()
        g.enc(c, bytes([(k % 7) * 8 + 1]), 1, 0, 32, pfx=b"\xf0")
    # inc/dec
    for w in widths(g.bits):
        for d in (0, 1):
            for k in range(14):
                c = g.new()
                use_mem = k % 3 == 2
                frex = w == 8 and force_rex8(g)
                rm = g.mem(c, w // 8) if use_mem else g.pick(1)[0]
                if use_mem:
                    rand_mem_bytes(g, c)
                pfx = b"\xf0" if use_mem and k % 2 == 0 else b""
                rex = g.enc(c, b"\xfe" if w == 8 else b"\xff", d, rm, w, pfx=pfx, force_rex=frex)
                if not use_mem:
                    set_operand_regs(g, c, [(rm, w)], rex)
            if g.bits == 32 and w in (16, 32):
                for n in range(8):
                    for k in range(2):
                        c = g.new()
                        c.code = (b"\x66" if w == 16 else b"") + bytes([0x40 + 8 * d + n])
                        g.put(c, n, w, g.val(w), False)
    # neg / not
    for w in widths(g.bits):
        for digit in (2, 3):
            for k in range(14):
                c = g.new()
                use_mem = k % 3 == 2
                frex = w == 8 and force_rex8(g)
                rm = g.mem(c, w // 8) if use_mem else g.pick(1)[0]
                if use_mem:
                    rand_mem_bytes(g, c)
                    if k % 2:
                        write_mem_val(c, 0, 64, 0)
                rex = g.enc(c, b"\xf6" if w == 8 else b"\xf7", digit, rm, w, force_rex=frex)
                if not use_mem:
                    set_operand_regs(g, c, [(rm, w)], rex)
    # test: 84/85 r/m,r; A8/A9 acc,imm; F6/F7 /0 imm
    for w in widths(g.bits):
        for kind in ("rm_r", "acc", "grp"):
            for k in range(12):
                c = g.new()
                c.flmask(AF)
                use_mem = k % 3 == 2 and kind != "acc"
                frex = w == 8 and force_rex8(g)
                isz = 1 if w == 8 else (2 if w == 16 else 4)
                if kind == "rm_r":
                    reg = g.pick(1)[0]
                    av = {reg, reg & 3}
                    rm = g.mem(c, w // 8, avoid=av) if use_mem else g.pick(1)[0]
                    if use_mem:
                        rand_mem_bytes(g, c)
                    rex = g.enc(c, b"\x84" if w == 8 else b"\x85", reg, rm, w, force_rex=frex)
                    set_operand_regs(g, c, [(reg, w)] + ([] if use_mem else [(rm, w)]), rex)
                elif kind == "acc":
                    p = {8: b"", 16: b"\x66", 32: b"", 64: b"\x48"}[w]
                    c.code = p + (b"\xa8" if w == 8 else b"\xa9") + imm_bytes(g.val(isz * 8), isz)
                    g.put(c, RAX, w, g.val(w), False)
                else:
                    rm = g.mem(c, w // 8) if use_mem else g.pick(1)[0]
                    if use_mem:
                        rand_mem_bytes(g, c)
                    rex = g.enc(c, b"\xf6" if w == 8 else b"\xf7", 0, rm, w, imm=imm_bytes(g.val(isz * 8), isz),
                                force_rex=frex)
                    if not use_mem:
                        set_operand_regs(g, c, [(rm, w)], rex)
    gen_alu_extra(g)


# ---------------------------------------------------------------------------------------------- families: MOV & friends


COND_FLAG_SETS = [0, CF, ZF, SF, OF, PF, CF | ZF, SF | OF, ZF | SF, ZF | OF, CF | PF | AF | ZF | SF | OF]


def gen_mov(g: Gen) -> None:
    r = g.r
    bits = g.bits
    W = widths(bits)
    # mov 88/89/8A/8B
    for w in W:
        for opc in (0x88, 0x8A):
            for k in range(10):
                c = g.new()
                use_mem = k % 2 == 1
                reg = g.pick(1)[0]
                av = {reg, reg & 3}
                rm = g.mem(c, w // 8, avoid=av) if use_mem else g.pick(1)[0]
                if use_mem:
                    rand_mem_bytes(g, c)
                rex = g.enc(c, bytes([opc + (0 if w == 8 else 1)]), reg, rm, w, force_rex=w == 8 and force_rex8(g))
                set_operand_regs(g, c, [(reg, w)] + ([] if use_mem else [(rm, w)]), rex)
        # B0+r / B8+r
        for k in range(12):
            c = g.new()
            n = g.pick(1)[0]
            isz = {8: 1, 16: 2, 32: 4, 64: 8}[w]
            rexv = (0x48 if w == 64 else 0) | (n >> 3) | (0x40 if (w == 8 and force_rex8(g)) else 0)
            p = (b"\x66" if w == 16 else b"") + (bytes([rexv | 0x40]) if rexv else b"")
            c.code = p + bytes([(0xB0 if w == 8 else 0xB8) + (n & 7)]) + imm_bytes(g.val(isz * 8), isz)
            g.put(c, n, 64 if bits == 64 else 32, g.rand64(), False)
        # C6/C7 /0
        for k in range(10):
            c = g.new()
            use_mem = k % 2 == 1
            isz = 1 if w == 8 else (2 if w == 16 else 4)
            rm = g.mem(c, w // 8) if use_mem else g.pick(1)[0]
            if use_mem:
                rand_mem_bytes(g, c)
            rex = g.enc(c, b"\xc6" if w == 8 else b"\xc7", 0, rm, w, imm=imm_bytes(g.val(isz * 8), isz),
                        force_rex=w == 8 and force_rex8(g))
            if not use_mem:
                set_operand_regs(g, c, [(rm, 64 if bits == 64 else 32)], rex)
        # A0-A3 moffs
        for k in range(6):
            c = g.new()
            rand_mem_bytes(g, c)
            off = r.randrange(0, MEMSZ - w // 8 + 1)
            store = k % 2 == 1
            opc = (0xA2 if store else 0xA0) + (0 if w == 8 else 1)
            p = {8: b"", 16: b"\x66", 32: b"", 64: b"\x48"}[w]
            addr = DATA + off
            if bits == 64:
                if k % 3 == 2:  # 67: 32-bit moffs
                    c.code = b"\x67" + p + bytes([opc]) + imm_bytes(addr, 4)
                else:
                    c.code = p + bytes([opc]) + imm_bytes(addr, 8)
            else:
                c.code = p + bytes([opc]) + imm_bytes(addr, 4)
            g.put(c, RAX, bits, g.rand64(), False)
    # movzx / movsx
    for opc in (0xB6, 0xB7, 0xBE, 0xBF):
        srcw = 8 if opc in (0xB6, 0xBE) else 16
        for w in [x for x in W if x >= 16 and x > srcw - 1]:
            if srcw == 16 and w == 16:
                continue
            for k in range(10):
                c = g.new()
                use_mem = k % 3 == 2
                reg = g.pick(1)[0]
                rm = g.mem(c, srcw // 8, avoid={reg}) if use_mem else g.pick(1)[0]
                if use_mem:
                    rand_mem_bytes(g, c)
                rex = g.enc(c, bytes([0x0F, opc]), reg, rm, w, force_rex=srcw == 8 and force_rex8(g))
                set_operand_regs(g, c, [(reg, bits)], rex)
                if not use_mem:
                    set_operand_regs(g, c, [(rm, srcw)], rex)
    # movsxd (64-bit only): REX.W 63 and the 32-bit form
    if bits == 64:
        for k in range(24):
            c = g.new()
            use_mem = k % 3 == 2
            reg = g.pick(1)[0]
            rm = g.mem(c, 4, avoid={reg}) if use_mem else g.pick(1)[0]
            if use_mem:
                rand_mem_bytes(g, c)
            w = 32 if k % 4 == 3 else 64
            g.enc(c, b"\x63", reg, rm, w)
            c.g.setdefault(reg, g.rand64())
            if not use_mem:
                g.put(c, rm, 32, g.val(32), True)
    # xchg 86/87, 90+r
    for w in W:
        for k in range(12):
            c = g.new()
            use_mem = k % 3 == 2
            reg = g.pick(1)[0]
            av = {reg, reg & 3}
            rm = g.mem(c, w // 8, avoid=av) if use_mem else g.pick(1)[0]
            if use_mem:
                rand_mem_bytes(g, c)
            rex = g.enc(c, b"\x86" if w == 8 else b"\x87", reg, rm, w, force_rex=w == 8 and force_rex8(g))
            set_operand_regs(g, c, [(reg, w)] + ([] if use_mem else [(rm, w)]), rex)
        if w >= 16:
            for n in range(g.nregs):
                c = g.new()
                rexv = (0x48 if w == 64 else 0) | (n >> 3)
                p = (b"\x66" if w == 16 else b"") + (bytes([rexv | 0x40]) if rexv else b"")
                c.code = p + bytes([0x90 + (n & 7)])
                g.put(c, n, bits, g.rand64(), False)
                g.put(c, RAX, bits, g.rand64(), False)
    # bswap
    for w in [x for x in W if x >= 32]:
        for n in range(g.nregs):
            c = g.new()
            rexv = (0x48 if w == 64 else 0) | (n >> 3)
            c.code = (bytes([rexv | 0x40]) if rexv else b"") + bytes([0x0F, 0xC8 + (n & 7)])
            g.put(c, n, bits, g.rand64(), False)
    # cmpxchg / xadd
    for opc in (0xB0, 0xC0):
        for w in W:
            for k in range(14):
                c = g.new()
                use_mem = k % 2 == 1
                reg = g.pick(1, exclude={0} if opc == 0xB0 else ())[0]
                av = {reg, reg & 3, 0}
                rm = g.mem(c, w // 8, avoid=av) if use_mem else g.pick(1, exclude={reg})[0]
                if use_mem:
                    rand_mem_bytes(g, c)
                pfx = b"\xf0" if use_mem and k % 4 == 1 else b""
                rex = g.enc(c, bytes([0x0F, opc + (0 if w == 8 else 1)]), reg, rm, w, pfx=pfx,
                            force_rex=w == 8 and force_rex8(g))
                set_operand_regs(g, c, [(reg, w)] + ([] if use_mem else [(rm, w)]), rex)
                if opc == 0xB0:
                    g.put(c, RAX, bits, g.rand64(), False)
                    # equal half of the time
                    if k % 4 < 2:
                        if use_mem:
                            off = DATA_off(c, rm, g)
                            cur = int.from_bytes(c.mem[off:off + w // 8], "little")
                        else:
                            cur = reg_val(c, rm, w, rex, bits)
                        g.put(c, RAX, w, cur, False)
    # cmpxchg8b / 16b
    for k in range(24):
        c = g.new()
        big = bits == 64 and k % 2 == 1 and HAS_CX16
        sz = 16 if big else 8
        misalign = big and k % 8 == 7
        rm = g.mem(c, sz, avoid={0, 1, 2, 3}, align=sz if big else 1)
        if misalign:
            # same operand, one byte off: #GP
            rm = g.mem(c, sz, avoid={0, 1, 2, 3}, off=8 + 1)
        rand_mem_bytes(g, c)
        g.enc(c, b"\x0f\xc7", 1, rm, 64 if big else 32, pfx=b"\xf0" if k % 3 == 0 else b"")
        for n in (0, 1, 2, 3):
            g.put(c, n, bits, g.rand64(), False)
        if k % 4 < 2 and not misalign:
            off = DATA_off(c, rm, g)
            half = sz // 2
            lo = int.from_bytes(c.mem[off:off + half], "little")
            hi = int.from_bytes(c.mem[off + half:off + sz], "little")
            g.put(c, RAX, half * 8, lo, False)
            g.put(c, RDX, half * 8, hi, False)
    # cmovcc / setcc
    for cc in range(16):
        for w in [x for x in W if x >= 16]:
            for k in range(4):
                c = g.new()
                c.fl = 0x202 | r.choice(COND_FLAG_SETS) | (r.getrandbits(12) & ARITH & (PF | AF if k % 2 else 0))
                use_mem = k == 3
                reg = g.pick(1)[0]
                rm = g.mem(c, w // 8, avoid={reg}) if use_mem else g.pick(1, exclude={reg})[0]
                if use_mem:
                    rand_mem_bytes(g, c)
                g.enc(c, bytes([0x0F, 0x40 + cc]), reg, rm, w)
                set_operand_regs(g, c, [(reg, bits)] + ([] if use_mem else [(rm, bits)]), True)
        for k in range(8):
            c = g.new()
            c.fl = 0x202 | r.choice(COND_FLAG_SETS)
            use_mem = k % 4 == 3
            rm = g.mem(c, 1) if use_mem else g.pick(1)[0]
            if use_mem:
                rand_mem_bytes(g, c)
            rex = g.enc(c, bytes([0x0F, 0x90 + cc]), 0, rm, 8, force_rex=force_rex8(g))
            if not use_mem:
                set_operand_regs(g, c, [(rm, 8)], rex)
    # lahf / sahf
    if bits == 32 or HAS_LAHF64:
        for k in range(24):
            c = g.new()
            c.code = b"\x9f" if k % 2 == 0 else b"\x9e"
            g.put(c, RAX, bits, g.rand64(), False)
    # cbw/cwde/cdqe, cwd/cdq/cqo
    for opc in (0x98, 0x99):
        for w in [x for x in W if x >= 16]:
            for k in range(10):
                c = g.new()
                p = {16: b"\x66", 32: b"", 64: b"\x48"}[w]
                c.code = p + bytes([opc])
                g.put(c, RAX, bits, g.rand64(), False)
                g.put(c, RAX, w, g.val(w), False)
                g.put(c, RDX, bits, g.rand64(), False)
    # lea: every addressing form
    for w in [x for x in W if x >= 16]:
        for k in range(60):
            c = g.new()
            reg = g.pick(1)[0]
            rm = g.mem(c, 1, avoid={reg})
            # random address registers instead of pointers half the time (lea does not access memory)
            if k % 2:
                for n in list(c.g):
                    c.g[n] = g.rand64() & ((1 << bits) - 1) if k % 4 == 1 else g.val(bits)
            g.enc(c, b"\x8d", reg, rm, w)
            c.g.setdefault(reg, g.rand64() & ((1 << bits) - 1))
    if bits == 32:  # 16-bit addressing (67): [bx+si], [bx+di], [bp+si], [bp+di], [si], [di], [disp16]/[bp], [bx]
        for w in (16, 32):
            for rm16 in range(8):
                for mod in range(3):
                    c = g.new()
                    reg = g.pick(1)[0]
                    disp = b"" if mod == 0 else (imm_bytes(r.getrandbits(8), 1) if mod == 1 else imm_bytes(r.getrandbits(16), 2))
                    if mod == 0 and rm16 == 6:
                        disp = imm_bytes(r.getrandbits(16), 2)
                    c.code = b"\x67" + (b"\x66" if w == 16 else b"") + b"\x8d" + bytes([(mod << 6) | (reg << 3) | rm16]) + disp
                    for n in range(8):
                        c.g[n] = g.val(32) if r.random() < 0.5 else r.getrandbits(32)
    # push / pop (stack inside the buffer)
    for k in range(80):
        c = g.new()
        rand_mem_bytes(g, c)
        sp = DATA + 32 + r.choice([0, 8, -8, 4, 16])
        kind = k % 8
        sw = bits if (k // 8) % 3 else 16  # 16-bit push/pop sometimes
        p = b"\x66" if sw == 16 else b""
        if kind == 0:  # push r
            n = g.pick(1, exclude={RSP})[0] if k % 16 else RSP
            c.code = p + (bytes([0x41]) if n >= 8 else b"") + bytes([0x50 + (n & 7)])
            g.put(c, n, bits, g.rand64(), False)
        elif kind == 1:  # pop r
            n = g.pick(1, exclude={RSP})[0] if k % 16 != 1 else RSP
            c.code = p + (bytes([0x41]) if n >= 8 else b"") + bytes([0x58 + (n & 7)])
            g.put(c, n, bits, g.rand64(), False)
        elif kind == 2:  # push imm8
            c.code = p + b"\x6a" + imm_bytes(g.val(8), 1)
        elif kind == 3:  # push imm16/32
            c.code = p + b"\x68" + imm_bytes(g.val(sw if sw == 16 else 32), 2 if sw == 16 else 4)
        elif kind == 4:  # push m
            rm = g.mem(c, sw // 8, avoid={RSP}, simple=True)
            g.enc(c, b"\xff", 6, rm, sw if sw == 16 else 32, pfx=b"")
        elif kind == 5:  # pop m
            rm = g.mem(c, sw // 8, avoid={RSP}, simple=True, off=r.choice([0, 8]))
            g.enc(c, b"\x8f", 0, rm, sw if sw == 16 else 32)
        elif kind == 6:  # push r via FF /6
            n = g.pick(1, exclude={RSP})[0]
            g.enc(c, b"\xff", 6, n, sw if sw == 16 else 32)
            g.put(c, n, bits, g.rand64(), False)
        else:  # pop r via 8F /0
            n = g.pick(1, exclude={RSP})[0]
            g.enc(c, b"\x8f", 0, n, sw if sw == 16 else 32)
            g.put(c, n, bits, g.rand64(), False)
        c.g[RSP] = sp
    # pushf / popf (16-bit forms too); popf loads the arithmetic flags and DF (TF, AC left alone)
    for k in range(24):
        c = g.new()
        rand_mem_bytes(g, c)
        sp = DATA + 32 + r.choice([0, 8, -8])
        p = b"\x66" if k % 3 == 2 else b""
        if k % 2 == 0:
            c.code = p + b"\x9c"
        else:
            c.code = p + b"\x9d"
            v = 0x2 | (r.getrandbits(12) & (ARITH | DF)) | (r.getrandbits(1) << 9)
            write_mem_val(c, sp - DATA, 16 if p else (64 if bits == 64 else 32), v)
        c.fl = g.rflags(df=k % 4 == 1)
        c.g[RSP] = sp
    # enter (levels 0..2) / leave, frame inside the buffer
    for k in range(24):
        c = g.new()
        rand_mem_bytes(g, c)
        slot = 8 if bits == 64 else 4
        if k % 2:
            c.code = b"\xc9"
            c.g[RBP] = DATA + r.randrange(0, (MEMSZ - slot) // slot + 1) * slot
            c.g[RSP] = g.rand64() & ((1 << bits) - 1)
        else:
            level = k // 2 % 3
            c.code = b"\xc8" + imm_bytes(r.choice([0, 8, 16, 0x100, r.getrandbits(16)]), 2) + bytes([level])
            c.g[RSP] = DATA + 48
            c.g[RBP] = DATA + r.randrange(2, 8) * slot
    # xlat
    for k in range(10):
        c = g.new()
        rand_mem_bytes(g, c)
        c.code = b"\xd7" if bits == 32 else (b"\x48\xd7" if k % 2 else b"\xd7")
        c.g[RBX] = DATA
        g.put(c, RAX, bits, g.rand64(), False)
        g.put(c, RAX, 8, r.randrange(0, MEMSZ), False)
    gen_mov_extra(g)


def DATA_off(c: Case, m: Mem, g: Gen) -> int:
    """The buffer offset a Mem operand addresses (recomputed from registers)."""
    if m.rip_target is not None:
        return m.rip_target - DATA
    # decode from the case's registers
    bits = g.bits
    wm = (1 << bits) - 1
    if m.a32:
        wm = 0xFFFFFFFF
    ea = 0
    disp = int.from_bytes(m.disp, "little", signed=True) if m.disp else 0
    if m.sib is None:
        if m.mod == 0 and m.rm == 5:
            return (disp & wm) - DATA
        base = m.rm | (m.b << 3)
        ea = c.g.get(base, 0) + disp
    else:
        s = m.sib >> 6
        idx = ((m.sib >> 3) & 7) | (m.x << 3)
        base = (m.sib & 7) | (m.b << 3)
        if idx != 4:
            ea += sx(c.g.get(idx, 0), bits) << s
        if (m.sib & 7) == 5 and m.mod == 0:
            pass
        else:
            ea += c.g.get(base, 0)
        ea += disp
    return (ea & wm) - DATA


def reg_val(c: Case, n: int, w: int, rex: bool, bits: int) -> int:
    if w == 8 and 4 <= n <= 7 and not rex:
        return (c.g.get(n - 4, 0) >> 8) & 0xFF
    return c.g.get(n, 0) & ((1 << w) - 1)


# ---------------------------------------------------------------------------------------------- families: shifts


def shift_counts(g: Gen, w: int) -> list[int]:
    r = g.r
    return [0, 1, 1, r.randrange(2, w), r.randrange(2, w), w - 1, w, w + 1 if w < 32 else 31, r.randrange(0, 256),
            32 + r.randrange(0, 4), 64 + r.randrange(0, 3), 31, 63 & 0xFF, r.randrange(2, 8)]


def gen_shift(g: Gen) -> None:
    r = g.r
    for w in widths(g.bits):
        cmask = 0x3F if w == 64 else 0x1F
        for digit in (0, 1, 2, 3, 4, 5, 7):
            for form in ("1", "cl", "imm"):
                counts = shift_counts(g, w)
                counts = [1] * 8 if form == "1" else counts + counts[:4]
                for k, cnt in enumerate(counts):
                    if form == "1":
                        cnt = 1
                    c = g.new()
                    use_mem = k % 5 == 4
                    frex = w == 8 and force_rex8(g)
                    opc = {"1": 0xD0, "cl": 0xD2, "imm": 0xC0}[form] + (0 if w == 8 else 1)
                    avoid = {RCX} if form == "cl" else set()
                    rm = g.mem(c, w // 8, avoid=avoid) if use_mem else g.pick(1, exclude=avoid if w > 8 or frex else {RCX, 5})[0]
                    if use_mem:
                        rand_mem_bytes(g, c)
                    imm = imm_bytes(cnt, 1) if form == "imm" else b""
                    rex = g.enc(c, bytes([opc]), digit, rm, w, imm=imm, force_rex=frex)
                    if not use_mem:
                        set_operand_regs(g, c, [(rm, w)], rex)
                    if form == "cl":
                        g.put(c, RCX, g.bits, g.rand64(), False)
                        g.put(c, RCX, 8, cnt, False)
                    mc = cnt & cmask
                    m = 0
                    if mc:
                        if digit in (4, 5, 7):  # shl shr sar
                            m |= AF
                            if mc != 1:
                                m |= OF
                            if digit in (4, 5) and mc >= w:
                                m |= CF
                        else:  # rol ror rcl rcr
                            if mc != 1:
                                m |= OF
                    c.flmask(m)
    # shld / shrd
    for w in [x for x in widths(g.bits) if x >= 16]:
        cmask = 0x3F if w == 64 else 0x1F
        for opc in (0xA4, 0xA5, 0xAC, 0xAD):
            counts = shift_counts(g, w) + [16, 17, 20, 24, 31, r.randrange(0, 32)]
            for k, cnt in enumerate(counts + counts):
                c = g.new()
                mc = cnt & cmask
                undefined16 = w == 16 and mc > 16
                use_mem = k % 4 == 3 and not undefined16
                isimm = opc in (0xA4, 0xAC)
                reg = g.pick(1, exclude={RCX} if not isimm else ())[0]
                avoid = {reg} | ({RCX} if not isimm else set())
                rm = g.mem(c, w // 8, avoid=avoid) if use_mem else g.pick(1, exclude=avoid)[0]
                if use_mem:
                    rand_mem_bytes(g, c)
                g.enc(c, bytes([0x0F, opc]), reg, rm, w, imm=imm_bytes(cnt, 1) if isimm else b"")
                set_operand_regs(g, c, [(reg, w)] + ([] if use_mem else [(rm, w)]), True)
                if not isimm:
                    g.put(c, RCX, g.bits, g.rand64(), False)
                    g.put(c, RCX, 8, cnt, False)
                m = 0
                if mc:
                    m |= AF
                    if mc != 1:
                        m |= OF
                    if undefined16:
                        m |= ARITH
                        c.gmask(rm, 0xFFFF)
                c.flmask(m)
    gen_shift_extra(g)


# ---------------------------------------------------------------------------------------------- families: mul/div


def gen_muldiv(g: Gen) -> None:
    r = g.r
    bits = g.bits
    for w in widths(bits):
        # one-operand mul/imul
        for digit in (4, 5):
            for k in range(30):
                c = g.new()
                c.flmask(SF | ZF | AF | PF)
                use_mem = k % 4 == 3
                rm = g.mem(c, w // 8, avoid={RAX, RDX}) if use_mem else g.pick(1)[0]
                if use_mem:
                    rand_mem_bytes(g, c)
                rex = g.enc(c, b"\xf6" if w == 8 else b"\xf7", digit, rm, w, force_rex=w == 8 and force_rex8(g))
                g.put(c, RAX, bits, g.rand64(), False)
                g.put(c, RDX, bits, g.rand64(), False)
                g.put(c, RAX, w, g.val(w), False)
                if not use_mem:
                    set_operand_regs(g, c, [(rm, w)], rex)
        # div/idiv
        for digit in (6, 7):
            for k in range(40):
                c = g.new()
                use_mem = k % 4 == 3
                rm = g.mem(c, w // 8, avoid={RAX, RDX}) if use_mem else g.pick(1, exclude={RAX, RDX} if k % 7 else ())[0]
                if use_mem:
                    rand_mem_bytes(g, c)
                frex = w == 8 and force_rex8(g)
                rex = g.enc(c, b"\xf6" if w == 8 else b"\xf7", digit, rm, w, force_rex=frex)
                g.put(c, RAX, bits, g.rand64(), False)
                g.put(c, RDX, bits, g.rand64(), False)
                if not use_mem:
                    set_operand_regs(g, c, [(rm, w)], rex)
                # choose divisor, then a dividend (mostly no overflow)
                kind = k % 10
                signed = digit == 7
                d = g.val(w)
                if kind == 0:
                    d = 0
                elif kind == 1 and signed:
                    d = (1 << w) - 1
                elif d == 0:
                    d = 1
                if use_mem:
                    off = DATA_off(c, rm, g)
                    write_mem_val(c, off, w, d)
                else:
                    g.put(c, rm, w, d, rex)
                    d = reg_val(c, rm, w, rex, bits)  # the register may alias rax/rdx: read back
                ds = sx(d, w) if signed else d
                if kind == 1 and signed and ds == -1:  # INT_MIN / -1
                    dividend = -(1 << (2 * w - 1)) if k % 20 == 1 else -(1 << (w - 1))
                elif kind in (2, 3):  # random dividend: may overflow
                    dividend = r.getrandbits(2 * w)
                    if signed:
                        dividend = sx(dividend, 2 * w)
                else:
                    if ds == 0:
                        dividend = r.getrandbits(2 * w)
                    else:
                        lim = (1 << (w - 1)) if signed else (1 << w)
                        q = r.randrange(-lim, lim) if signed else r.randrange(0, lim)
                        if r.random() < 0.3:
                            q = r.choice([0, 1, lim - 1] + ([-lim, -1] if signed else []))
                        ad = abs(ds)
                        rem = r.randrange(0, ad)
                        dividend = q * ds + (rem if (q * ds) >= 0 else -rem) if signed else q * ds + rem
                        if signed and not (-(1 << (2 * w - 1)) <= dividend < (1 << (2 * w - 1))):
                            dividend = q * ds
                dv = dividend & ((1 << (2 * w)) - 1)
                if w == 8:
                    g.put(c, RAX, 16, dv, False)
                else:
                    g.put(c, RAX, w, dv & ((1 << w) - 1), False)
                    g.put(c, RDX, w, dv >> w, False)
                # the divisor register may be rax/rdx themselves: recompute from final state
                if use_mem:
                    dfin = int.from_bytes(c.mem[off:off + w // 8], "little")
                else:
                    dfin = reg_val(c, rm, w, rex, bits)
                if w == 8:
                    dvfin = c.g.get(RAX, 0) & 0xFFFF
                else:
                    dvfin = (c.g.get(RAX, 0) & ((1 << w) - 1)) | ((c.g.get(RDX, 0) & ((1 << w) - 1)) << w)
                if not div_faults(dvfin, dfin, w, signed):
                    c.flmask(ARITH)
    # imul r, r/m (0F AF); imul r, r/m, imm (69, 6B)
    for w in [x for x in widths(bits) if x >= 16]:
        for form in ("af", "69", "6b"):
            for k in range(30):
                c = g.new()
                c.flmask(SF | ZF | AF | PF)
                use_mem = k % 4 == 3
                reg = g.pick(1)[0]
                rm = g.mem(c, w // 8, avoid={reg}) if use_mem else g.pick(1)[0]
                if use_mem:
                    rand_mem_bytes(g, c)
                if form == "af":
                    g.enc(c, b"\x0f\xaf", reg, rm, w)
                elif form == "69":
                    isz = 2 if w == 16 else 4
                    g.enc(c, b"\x69", reg, rm, w, imm=imm_bytes(g.val(isz * 8), isz))
                else:
                    g.enc(c, b"\x6b", reg, rm, w, imm=imm_bytes(g.val(8), 1))
                set_operand_regs(g, c, [(reg, w)] + ([] if use_mem else [(rm, w)]), True)


def div_faults(dividend: int, d: int, w: int, signed: bool) -> bool:
    if d == 0:
        return True
    if not signed:
        return dividend // d >= (1 << w)
    a = sx(dividend, 2 * w)
    b = sx(d, w)
    q = abs(a) // abs(b)
    if (a < 0) != (b < 0):
        q = -q
    return not (-(1 << (w - 1)) <= q < (1 << (w - 1)))


# ---------------------------------------------------------------------------------------------- families: bits


def gen_bits(g: Gen) -> None:
    r = g.r
    bits = g.bits
    # bt/bts/btr/btc r/m, r and r/m, imm8
    for w in [x for x in widths(bits) if x >= 16]:
        for i, opc in enumerate((0xA3, 0xAB, 0xB3, 0xBB)):
            for k in range(24):
                c = g.new()
                c.flmask(OF | SF | AF | PF)
                use_mem = k % 3 == 2
                reg = g.pick(1)[0]
                if use_mem:
                    rand_mem_bytes(g, c)
                    # bit string: base at a w-aligned-ish offset, bit offset reaching anywhere in the buffer
                    b = r.randrange(0, MEMSZ - w // 8 + 1)
                    rm = g.mem(c, w // 8, avoid={reg}, off=b)
                    lo_units = -(b // (w // 8))
                    hi_units = (MEMSZ - w // 8 - b) // (w // 8)
                    unit = r.randrange(lo_units, hi_units + 1)
                    o = unit * w + r.randrange(0, w)
                    g.enc(c, bytes([0x0F, opc]), reg, rm, w, pfx=b"\xf0" if (k % 6 == 5 and opc != 0xA3) else b"")
                    g.put(c, reg, bits, g.rand64(), True)
                    g.put(c, reg, w, o, True)
                else:
                    rm = g.pick(1)[0]
                    g.enc(c, bytes([0x0F, opc]), reg, rm, w)
                    set_operand_regs(g, c, [(rm, w), (reg, w)], True)
            for k in range(16):
                c = g.new()
                c.flmask(OF | SF | AF | PF)
                use_mem = k % 3 == 2
                rm = g.mem(c, w // 8) if use_mem else g.pick(1)[0]
                if use_mem:
                    rand_mem_bytes(g, c)
                g.enc(c, b"\x0f\xba", 4 + i, rm, w, imm=imm_bytes(r.randrange(0, 256), 1))
                if not use_mem:
                    set_operand_regs(g, c, [(rm, w)], True)
    # bsf/bsr, tzcnt/lzcnt, popcnt
    ops = [(b"", 0xBC, "bsf"), (b"", 0xBD, "bsr")]
    if HAS_BMI1:
        ops.append((b"\xf3", 0xBC, "tzcnt"))
    if HAS_LZCNT:
        ops.append((b"\xf3", 0xBD, "lzcnt"))
    if HAS_POPCNT:
        ops.append((b"\xf3", 0xB8, "popcnt"))
    for pfx, opc, name in ops:
        for w in [x for x in widths(bits) if x >= 16]:
            for k in range(30):
                c = g.new()
                use_mem = k % 4 == 3
                reg = g.pick(1)[0]
                rm = g.mem(c, w // 8, avoid={reg}) if use_mem else g.pick(1, exclude={reg})[0]
                v = 0 if k % 6 == 0 else (1 << r.randrange(0, w)) if k % 6 == 1 else g.val(w)
                if use_mem:
                    rand_mem_bytes(g, c)
                    write_mem_val(c, DATA_off(c, rm, g), w, v)
                g.enc(c, bytes([0x0F, opc]), reg, rm, w, mand=pfx)
                g.put(c, reg, bits, g.rand64(), True)
                if not use_mem:
                    g.put(c, rm, bits, g.rand64(), True)
                    g.put(c, rm, w, v, True)
                if name in ("bsf", "bsr"):
                    c.flmask(CF | OF | SF | AF | PF)
                    if v == 0:
                        c.gmask(reg, (1 << bits) - 1)
                elif name in ("tzcnt", "lzcnt"):
                    c.flmask(OF | SF | AF | PF)


# ---------------------------------------------------------------------------------------------- families: strings


def gen_string(g: Gen) -> None:
    r = g.r
    bits = g.bits
    # (name, opcode base, uses rsi, uses rdi)
    ops = [("movs", 0xA4, True, True), ("stos", 0xAA, False, True), ("lods", 0xAC, True, False),
           ("scas", 0xAE, False, True), ("cmps", 0xA6, True, True)]
    for name, base, usi, udi in ops:
        for w in widths(bits):
            sz = w // 8
            for pfx in (b"", b"\xf3", b"\xf2"):
                if pfx == b"\xf2" and name not in ("scas", "cmps"):
                    continue
                for k in range(14 if pfx else 8):
                    c = g.new()
                    df = k % 2 == 1
                    c.fl = g.rflags(df)
                    rand_mem_bytes(g, c)
                    a32 = bits == 64 and k % 7 == 6
                    count = (r.randrange(0, 5) if k % 5 else 0) if pfx else r.randrange(0, 5)
                    span = max(count, 1) * sz
                    room = MEMSZ // 2 if (usi and udi) else MEMSZ
                    def ptr(lo: int) -> int:
                        if not df:
                            return lo + r.randrange(0, room - span + 1)
                        return lo + r.randrange(span - sz, room - sz + 1)
                    si_lo, di_lo = (0, MEMSZ // 2) if r.random() < 0.5 else (MEMSZ // 2, 0)
                    if not (usi and udi):
                        si_lo = di_lo = 0
                    code = bytearray()
                    if a32:
                        code.append(0x67)
                    if w == 16:
                        code.append(0x66)
                    code += pfx
                    if w == 64:
                        code.append(0x48)
                    code.append(base + (0 if w == 8 else 1))
                    c.code = bytes(code)
                    hi = (r.getrandbits(32) << 32) if a32 else 0
                    if usi:
                        c.g[RSI] = hi | (DATA + ptr(si_lo))
                    else:
                        c.g[RSI] = g.rand64() & ((1 << bits) - 1)
                    if udi:
                        c.g[RDI] = (r.getrandbits(32) << 32 if a32 else 0) | (DATA + ptr(di_lo))
                    else:
                        c.g[RDI] = g.rand64() & ((1 << bits) - 1)
                    cv = count
                    if a32:
                        cv |= r.getrandbits(32) << 32
                    c.g[RCX] = cv if pfx else g.rand64() & ((1 << bits) - 1)
                    g.put(c, RAX, bits, g.rand64(), False)
                    if name in ("scas", "cmps") and pfx and count > 1:
                        # make the data match for a while so repe/repne stop at an interesting place
                        m = c.mem
                        stopat = r.randrange(0, count + 1)
                        si = c.g[RSI] & 0xFFFFFFFF
                        di = c.g[RDI] & 0xFFFFFFFF
                        step = -sz if df else sz
                        av = r.getrandbits(w)
                        for i in range(count):
                            dpos = di - DATA + i * step
                            if name == "cmps":
                                spos = si - DATA + i * step
                                if pfx == b"\xf3":  # repe: equal until stopat
                                    if i != stopat:
                                        m[dpos:dpos + sz] = m[spos:spos + sz]
                                else:  # repne: differ until stopat
                                    if i == stopat:
                                        m[dpos:dpos + sz] = m[spos:spos + sz]
                            else:
                                want_eq = (i != stopat) if pfx == b"\xf3" else (i == stopat)
                                if want_eq:
                                    m[dpos:dpos + sz] = av.to_bytes(sz, "little")
                                elif m[dpos:dpos + sz] == av.to_bytes(sz, "little"):
                                    m[dpos] ^= 1
                        if name == "scas":
                            g.put(c, RAX, w, av, False)


# ---------------------------------------------------------------------------------------------- families: BCD (32-bit)


def gen_bcd(g: Gen) -> None:
    r = g.r
    ops = [(b"\x27", OF), (b"\x2f", OF), (b"\x37", OF | SF | ZF | PF), (b"\x3f", OF | SF | ZF | PF)]
    for code, m in ops:
        for k in range(160):
            c = g.new()
            c.code = code
            c.flmask(m)
            g.put(c, RAX, 32, r.getrandbits(32), False)
            if k < 64:
                g.put(c, RAX, 8, r.choice([0x00, 0x09, 0x0A, 0x0F, 0x10, 0x19, 0x99, 0x9A, 0x9F, 0xA0, 0xF9, 0xFA,
                                           0xFF, 0x05, 0x50, 0x66, 0x80, 0x7F]) if k % 2 else (k * 4) & 0xFF, False)
            else:
                g.put(c, RAX, 8, r.getrandbits(8), False)
    for opc in (0xD4, 0xD5):
        for k in range(80):
            c = g.new()
            base = 10 if k < 40 else r.choice([0, 1, 2, 7, 16, 0xFF, r.getrandbits(8)])
            c.code = bytes([opc, base])
            g.put(c, RAX, 32, r.getrandbits(32), False)
            if not (opc == 0xD4 and base == 0):
                c.flmask(OF | AF | CF)
    # in 64-bit mode these are invalid; see gen_misc


# ---------------------------------------------------------------------------------------------- families: misc


def gen_misc(g: Gen) -> None:
    r = g.r
    bits = g.bits
    # flag instructions
    for opc in (0xF5, 0xF8, 0xF9, 0xFC, 0xFD):
        for k in range(6):
            c = g.new()
            c.fl = g.rflags(k % 2 == 1)
            c.code = bytes([opc])
    # nops
    for code in (b"\x90", b"\x66\x90", b"\xf3\x90", b"\x0f\x1f\x00", b"\x0f\x1f\x40\x00", b"\x0f\x1f\x44\x00\x00",
                 b"\x66\x0f\x1f\x44\x00\x00", b"\x0f\x1f\x80\x00\x00\x00\x00", b"\x66\x2e\x0f\x1f\x84\x00\x00\x00\x00\x00",
                 b"\xf3\x0f\x1e\xfa", b"\xf3\x0f\x1e\xfb"):
        c = g.new()
        c.code = code
        g.put(c, RAX, bits, g.rand64(), False)
    # fences and prefetches (no architectural effect)
    for code in (b"\x0f\xae\xe8", b"\x0f\xae\xf0", b"\x0f\xae\xf8"):
        c = g.new()
        c.code = code
    for d in range(4):
        c = g.new()
        rm = g.mem(c, 1, simple=True)
        g.enc(c, b"\x0f\x18", d, rm, 32)
    # invalid opcodes
    uds = [b"\x0f\x0b", b"\x0f\xff\xc0", b"\x0f\xb9\xc0", b"\xf0\x90", b"\xf0\x01\xc0", b"\xf0\x8b\x03"]
    if bits == 64:
        uds += [b"\x06", b"\x07", b"\x0e", b"\x16", b"\x17", b"\x1e", b"\x1f", b"\x27", b"\x2f", b"\x37", b"\x3f",
                b"\x60", b"\x61", b"\x82\xc0\x01", b"\xd4\x0a", b"\xd5\x0a", b"\xce", b"\x9a\0\0\0\0\x23\0",
                b"\xea\0\0\0\0\x23\0"]
    for code in uds:
        c = g.new()
        c.code = code
        g.put(c, RAX, bits, g.rand64(), False)
    # #PF: accesses to an unmapped page; #GP: non-canonical (64-bit)
    for k in range(8):  # incl. accesses that start on a mapped page and end on an unmapped one
        c = g.new()
        rm = Mem()
        rm.mod, rm.rm = 0, RBX
        g.enc(c, b"\x8b" if k % 2 == 0 else b"\x89", RAX, rm, 32)
        c.g[RBX] = [0x1000, 0x20022000, 0x2001FFF8, 0x20021FFE, 0x20021FFD, 0x20021FFF, 0x2001FFFE, 0x10000][k]
        g.put(c, RAX, bits, g.rand64(), False)
    if bits == 64:
        for k in range(4):
            c = g.new()
            rm = Mem()
            rm.mod, rm.rm = 0, RBX
            g.enc(c, b"\x8b", RAX, rm, 32)
            c.g[RBX] = r.choice([0x0000800000000000, 0x8000000000000000, 0x7FFF_FFFF_FFFF_0000 ^ 0x0000_8000_0000_0000])
    # loads from the buffer via segment override prefixes that are no-ops (es/ss/ds/cs)
    for k, seg in enumerate((0x26, 0x2E, 0x36, 0x3E)):
        c = g.new()
        rand_mem_bytes(g, c)
        rm = g.mem(c, 4, simple=True)
        g.enc(c, b"\x8b", RAX, rm, 32, pfx=bytes([seg]))


# ---------------------------------------------------------------------------------------------- SSE values


def f32(x: float) -> int:
    return struct.unpack("<I", struct.pack("<f", x))[0]


def f64(x: float) -> int:
    return struct.unpack("<Q", struct.pack("<d", x))[0]


F32_SPECIAL = [0x00000000, 0x80000000, 0x3F800000, 0xBF800000, 0x7F800000, 0xFF800000, 0x7FC00000, 0xFFC00000,
               0x7FA00000, 0x7F800001, 0xFFBFFFFF, 0x00000001, 0x807FFFFF, 0x00800000, 0x7F7FFFFF, 0xFF7FFFFF,
               0x4F000000, 0xCF000000, 0x5F000000, 0xDF000000, 0x3F000000, 0x40490FDB, 0x4B000000, 0x3FC00000,
               0xC0200000, 0x4EFFFFFF, 0x00400000]
F64_SPECIAL = [0, 0x8000000000000000, 0x3FF0000000000000, 0xBFF0000000000000, 0x7FF0000000000000,
               0xFFF0000000000000, 0x7FF8000000000000, 0xFFF8000000000000, 0x7FF4000000000000, 0x7FF0000000000001,
               0x0000000000000001, 0x800FFFFFFFFFFFFF, 0x0010000000000000, 0x7FEFFFFFFFFFFFFF, 0x41E0000000000000,
               0xC1E0000000000000, 0x43E0000000000000, 0xC3E0000000000000, 0x3FE0000000000000, 0x400921FB54442D18,
               0x41DFFFFFFFC00000, 0xC1E0000000200000, 0x3FF8000000000000, 0x4330000000000000, 0x36A0000000000000,
               0x47EFFFFFE0000000, 0x3810000000000000]


def rf32(g: Gen) -> int:
    r = g.r
    x = r.random()
    if x < 0.3:
        return r.choice(F32_SPECIAL)
    if x < 0.5:
        return f32(float(r.randrange(-1000, 1000)) / r.choice([1, 2, 4, 8, 3, 10]))
    if x < 0.6:
        return r.getrandbits(32)  # anything, incl. NaNs and denormals
    e = r.randrange(100, 155)
    return (r.getrandbits(1) << 31) | (e << 23) | r.getrandbits(23)


def rf64(g: Gen) -> int:
    r = g.r
    x = r.random()
    if x < 0.3:
        return r.choice(F64_SPECIAL)
    if x < 0.5:
        return f64(float(r.randrange(-100000, 100000)) / r.choice([1, 2, 4, 8, 3, 10]))
    if x < 0.6:
        return r.getrandbits(64)
    e = r.randrange(1000, 1050)
    return (r.getrandbits(1) << 63) | (e << 52) | r.getrandbits(52)


def xmm_ps(g: Gen) -> int:
    return sum(rf32(g) << (32 * i) for i in range(4))


def xmm_pd(g: Gen) -> int:
    return rf64(g) | (rf64(g) << 64)


def xmm_int(g: Gen) -> int:
    r = g.r
    x = r.random()
    if x < 0.5:
        return r.getrandbits(128)
    # lane edge values
    lw = r.choice([8, 16, 32, 64])
    v = 0
    for i in range(128 // lw):
        v |= g.val(lw) << (lw * i)
    return v


def xmm_for(g: Gen, kind: str) -> int:
    if kind in ("ps", "ss"):
        v = xmm_ps(g)
    elif kind in ("pd", "sd"):
        v = xmm_pd(g)
    else:
        v = xmm_int(g)
    return v


# ---------------------------------------------------------------------------------------------- families: SSE


def sse_case(g: Gen, opcode: bytes, mand: bytes, kind: str, n: int, imm=None, mem_ok=True, dst_gpr=False,
             src_gpr_w=0, align=16, memsize=16, dst_kind=None, rexw=None, src_kind=None) -> None:
    """n cases of an SSE instruction  op xmm(reg), xmm/m(rm)."""
    r = g.r
    for k in range(n):
        c = g.new()
        use_mem = mem_ok and k % 3 == 2
        reg = r.randrange(0, g.nregs)
        if src_gpr_w:
            rm = g.mem(c, src_gpr_w // 8) if use_mem else g.pick(1)[0]
        else:
            rm = g.mem(c, memsize, align=align if use_mem else 1, avoid=() if not dst_gpr else {reg}) if use_mem else r.randrange(0, g.nregs)
        if dst_gpr:
            reg = g.pick(1, exclude=set(c.g) if use_mem else ())[0]
        if use_mem:
            rand_mem_bytes(g, c)
            m = c.mem
            off = DATA_off(c, rm, g)
            v = xmm_for(g, src_kind or kind)
            if not src_gpr_w:
                m[off:off + memsize] = v.to_bytes(16, "little")[:memsize]
        iv = b"" if imm is None else imm_bytes(imm(k) if callable(imm) else imm, 1)
        g.enc(c, opcode, reg, rm, 64 if rexw else 32, imm=iv, mand=mand, rexw=rexw)
        if dst_gpr:
            g.put(c, reg, g.bits, g.rand64(), True)
            if not use_mem:
                c.xmm[rm] = xmm_for(g, src_kind or kind)
        else:
            c.xmm[reg] = xmm_for(g, dst_kind or kind)
            if src_gpr_w and not use_mem:
                g.put(c, rm, g.bits, g.rand64(), True)
                g.put(c, rm, src_gpr_w, g.val(src_gpr_w), True)
            elif src_gpr_w and use_mem:
                write_mem_val(c, DATA_off(c, rm, g), src_gpr_w, g.val(src_gpr_w))
            elif not use_mem and rm != reg:
                c.xmm[rm] = xmm_for(g, src_kind or kind)
        # same value in both lanes sometimes (equality, x-x, min/max of equals)
        if not use_mem and not dst_gpr and not src_gpr_w and rm != reg and k % 7 == 6:
            c.xmm[rm] = c.xmm[reg]


PS, PD, SS, SD = b"", b"\x66", b"\xf3", b"\xf2"


def gen_sse(g: Gen) -> None:
    r = g.r
    bits = g.bits
    N = 24
    # moves
    moves = [(b"\x0f\x10", PS, 16, 1), (b"\x0f\x11", PS, 16, 1), (b"\x0f\x10", SS, 4, 1), (b"\x0f\x11", SS, 4, 1),
             (b"\x0f\x10", SD, 8, 1), (b"\x0f\x11", SD, 8, 1), (b"\x0f\x10", PD, 16, 1), (b"\x0f\x11", PD, 16, 1),
             (b"\x0f\x28", PS, 16, 16), (b"\x0f\x29", PS, 16, 16), (b"\x0f\x28", PD, 16, 16), (b"\x0f\x29", PD, 16, 16),
             (b"\x0f\x6f", PD, 16, 16), (b"\x0f\x7f", PD, 16, 16), (b"\x0f\x6f", SS, 16, 1), (b"\x0f\x7f", SS, 16, 1),
             (b"\x0f\x7e", SS, 8, 1), (b"\x0f\xd6", PD, 8, 1), (b"\x0f\x12", PS, 8, 1), (b"\x0f\x13", PS, 8, 1),
             (b"\x0f\x16", PS, 8, 1), (b"\x0f\x17", PS, 8, 1), (b"\x0f\x12", PD, 8, 1), (b"\x0f\x13", PD, 8, 1),
             (b"\x0f\x16", PD, 8, 1), (b"\x0f\x17", PD, 8, 1)]
    for op, mand, msz, al in moves:
        store_only = op[1] in (0x13, 0x17) or (op[1] == 0xD6 and False)
        for k in range(16):
            c = g.new()
            use_mem = k % 2 == 1 or store_only
            reg = r.randrange(0, g.nregs)
            rm = r.randrange(0, g.nregs)
            if use_mem:
                rand_mem_bytes(g, c)
                misal = al == 16 and k % 8 == 7
                rm = g.mem(c, msz, align=al, off=(r.randrange(0, 3) * 16 + 4) if misal else None)
            if op[1] in (0x13, 0x17) and not use_mem:
                continue
            if mand == PD and op[1] in (0x12, 0x16) and not use_mem and k > 2:
                continue  # register form is #UD: keep two of those
            g.enc(c, op, reg, rm, 32, mand=mand)
            c.xmm[reg] = xmm_int(g)
            if not use_mem:
                c.xmm[rm] = xmm_int(g)
        # movhlps / movlhps are the register forms of 0F 12 / 0F 16 (no prefix): covered above
    # movd / movq between GPR and xmm
    for op in (b"\x0f\x6e", b"\x0f\x7e"):
        for w in ([32, 64] if bits == 64 else [32]):
            for k in range(16):
                c = g.new()
                use_mem = k % 3 == 2
                reg = r.randrange(0, g.nregs)
                rm = g.mem(c, w // 8) if use_mem else g.pick(1)[0]
                if use_mem:
                    rand_mem_bytes(g, c)
                g.enc(c, op, reg, rm, w, mand=PD)
                c.xmm[reg] = xmm_int(g)
                if not use_mem:
                    g.put(c, rm, bits, g.rand64(), True)
    # arithmetic
    arith = {0x58: "add", 0x59: "mul", 0x5C: "sub", 0x5D: "min", 0x5E: "div", 0x5F: "max", 0x51: "sqrt"}
    for opc in arith:
        for mand, kind in ((PS, "ps"), (PD, "pd"), (SS, "ss"), (SD, "sd")):
            sz = {"ps": 16, "pd": 16, "ss": 4, "sd": 8}[kind]
            sse_case(g, bytes([0x0F, opc]), mand, kind, N, memsize=sz, align=16 if sz == 16 else 1)
    # logic
    for opc in (0x54, 0x55, 0x56, 0x57):
        for mand, kind in ((PS, "ps"), (PD, "pd")):
            sse_case(g, bytes([0x0F, opc]), mand, kind, 10)
    # compares
    for mand, kind in ((PS, "ps"), (PD, "pd"), (SS, "ss"), (SD, "sd")):
        sz = {"ps": 16, "pd": 16, "ss": 4, "sd": 8}[kind]
        for pred in range(8):
            sse_case(g, b"\x0f\xc2", mand, kind, 10, imm=pred, memsize=sz, align=16 if sz == 16 else 1)
    for opc in (0x2E, 0x2F):
        for mand, kind in ((PS, "ss"), (PD, "sd")):
            for k in range(30):
                sse_case(g, bytes([0x0F, opc]), mand, kind, 1, memsize=4 if kind == "ss" else 8, align=1)
                g.cases[-1].fl = g.rflags()
    # shuffles / unpacks / movmsk
    for mand, kind in ((PS, "ps"), (PD, "pd")):
        sse_case(g, b"\x0f\xc6", mand, kind, 16, imm=lambda k: r.getrandbits(8))
        sse_case(g, b"\x0f\x14", mand, kind, 10)
        sse_case(g, b"\x0f\x15", mand, kind, 10)
        sse_case(g, b"\x0f\x50", mand, kind, 12, mem_ok=False, dst_gpr=True)
    # conversions
    cv = [(b"\x0f\x5a", PS, "ps", 8), (b"\x0f\x5a", PD, "pd", 16), (b"\x0f\x5a", SS, "ss", 4), (b"\x0f\x5a", SD, "sd", 8),
          (b"\x0f\x5b", PS, "int", 16), (b"\x0f\x5b", PD, "ps", 16), (b"\x0f\x5b", SS, "ps", 16),
          (b"\x0f\xe6", SS, "int", 8), (b"\x0f\xe6", SD, "pd", 16), (b"\x0f\xe6", PD, "pd", 16)]
    for op, mand, kind, msz in cv:
        sse_case(g, op, mand, kind, 30, memsize=msz, align=16 if msz == 16 else 1)
    # cvtsi2ss/sd (r/m32, r/m64)
    for mand, kind in ((SS, "ps"), (SD, "pd")):
        for w in ([32, 64] if bits == 64 else [32]):
            sse_case(g, b"\x0f\x2a", mand, kind, 24, src_gpr_w=w, rexw=w == 64)
    # cvt(t)ss2si / cvt(t)sd2si -> r32/r64
    for opc in (0x2C, 0x2D):
        for mand, kind in ((SS, "ss"), (SD, "sd")):
            for w in ([32, 64] if bits == 64 else [32]):
                sse_case(g, bytes([0x0F, opc]), mand, kind, 30, dst_gpr=True, rexw=w == 64,
                         memsize=4 if kind == "ss" else 8, align=1)
    # non-temporal stores (aligned; a misaligned one is #GP), movnti, maskmovdqu
    for op, mand in ((b"\x0f\x2b", PS), (b"\x0f\x2b", PD), (b"\x0f\xe7", PD)):
        for k in range(10):
            c = g.new()
            rand_mem_bytes(g, c)
            reg = r.randrange(0, g.nregs)
            rm = g.mem(c, 16, align=16, off=(r.randrange(0, 3) * 16 + 8) if k == 9 else None)
            g.enc(c, op, reg, rm, 32, mand=mand)
            c.xmm[reg] = xmm_int(g)
    for w in ([32, 64] if bits == 64 else [32]):
        for k in range(8):
            c = g.new()
            rand_mem_bytes(g, c)
            reg = g.pick(1)[0]
            rm = g.mem(c, w // 8, avoid={reg})
            g.enc(c, b"\x0f\xc3", reg, rm, w)
            g.put(c, reg, bits, g.rand64(), True)
    for k in range(12):
        c = g.new()
        rand_mem_bytes(g, c)
        a, b = r.sample(range(g.nregs), 2)
        g.enc(c, b"\x0f\xf7", a, b, 32, mand=PD)
        c.xmm[a] = xmm_int(g)
        c.xmm[b] = r.getrandbits(128) if k % 3 else (0x8000800080008000 * r.getrandbits(1)) | r.getrandbits(64) << 64
        c.g[RDI] = DATA + r.randrange(0, MEMSZ - 15)
    # ldmxcsr / stmxcsr (reserved bits set: #GP)
    for k in range(20):
        c = g.new()
        rand_mem_bytes(g, c)
        rm = g.mem(c, 4, simple=True)
        off = DATA_off(c, rm, g)
        if k % 2:
            g.enc(c, b"\x0f\xae", 3, rm, 32)
            c.mxcsr = 0x1F80 | r.getrandbits(6) | (r.randrange(0, 4) << 13) | (0x8040 if k % 4 == 3 else 0)
        else:
            g.enc(c, b"\x0f\xae", 2, rm, 32)
            v = (r.getrandbits(16) & 0xFFFF) if k % 10 != 8 else 0x1F80 | (1 << r.randrange(18, 32))  # (bit 17 is MM on AMD: valid there, #GP on Intel)
            write_mem_val(c, off, 32, v)
    # a few non-default MXCSR rounding modes / FTZ / DAZ for conversions and arithmetic
    for k in range(48):
        opc, mand, kind = r.choice([(0x58, SS, "ss"), (0x5E, SD, "sd"), (0x59, PS, "ps"), (0x5A, SD, "sd"),
                                    (0x2D, SS, "ss"), (0x51, SD, "sd"), (0x5B, PD, "ps")])
        if opc == 0x2D:
            sse_case(g, bytes([0x0F, opc]), mand, kind, 1, dst_gpr=True, mem_ok=False)
        else:
            sse_case(g, bytes([0x0F, opc]), mand, kind, 1, mem_ok=False)
        g.cases[-1].mxcsr = 0x1F80 | (r.randrange(0, 4) << 13) | (0x8040 if k % 4 == 3 else 0)
    gen_sse_extra(g)


def gen_sse_int(g: Gen) -> None:
    r = g.r
    N = 14
    simple = [0xFC, 0xFD, 0xFE, 0xD4, 0xF8, 0xF9, 0xFA, 0xFB, 0x74, 0x75, 0x76, 0x64, 0x65, 0x66, 0xDB, 0xDF, 0xEB,
              0xEF, 0x60, 0x61, 0x62, 0x6C, 0x68, 0x69, 0x6A, 0x6D, 0x63, 0x67, 0x6B, 0xD5, 0xE5, 0xE4, 0xF4, 0xDA,
              0xDE, 0xEA, 0xEE, 0xE0, 0xE3, 0xF6, 0xEC, 0xED, 0xDC, 0xDD, 0xE8, 0xE9, 0xD8, 0xD9, 0xF5, 0xF1, 0xF2,
              0xF3, 0xD1, 0xD2, 0xD3, 0xE1, 0xE2]
    for opc in simple:
        if opc in (0xF1, 0xF2, 0xF3, 0xD1, 0xD2, 0xD3, 0xE1, 0xE2):
            # shift by the low 64 bits of an xmm/m128 count
            for k in range(N):
                c = g.new()
                reg = r.randrange(0, g.nregs)
                cnt = r.choice([0, 1, 3, 7, 8, 15, 16, 17, 31, 32, 33, 63, 64, 65, 1 << 40, r.getrandbits(64)])
                c.xmm[reg] = xmm_int(g)
                if k % 3 == 2:
                    rand_mem_bytes(g, c)
                    rm = g.mem(c, 16, align=16)
                    off = DATA_off(c, rm, g)
                    c.mem[off:off + 8] = cnt.to_bytes(8, "little")
                else:
                    rm = r.choice([n for n in range(g.nregs) if n != reg])
                    c.xmm[rm] = (r.getrandbits(64) << 64) | cnt
                g.enc(c, bytes([0x0F, opc]), reg, rm, 32, mand=PD)
        else:
            sse_case(g, bytes([0x0F, opc]), PD, "int", N)
    # pshufd/pshuflw/pshufhw
    for mand in (PD, SD, SS):
        sse_case(g, b"\x0f\x70", mand, "int", 16, imm=lambda k: r.getrandbits(8))
    # shifts by immediate: 71 /2 /4 /6, 72 /2 /4 /6, 73 /2 /3 /6 /7
    for opc, digits in ((0x71, (2, 4, 6)), (0x72, (2, 4, 6)), (0x73, (2, 3, 6, 7))):
        for d in digits:
            for k in range(14):
                c = g.new()
                n = r.randrange(0, g.nregs)
                cnt = r.choice([0, 1, 2, 3, 7, 8, 9, 15, 16, 17, 31, 32, 33, 63, 64, 200, r.getrandbits(8)])
                g.enc(c, bytes([0x0F, opc]), d, n, 32, imm=bytes([cnt]), mand=PD)
                c.xmm[n] = xmm_int(g)
    # pmovmskb
    sse_case(g, b"\x0f\xd7", PD, "int", 16, mem_ok=False, dst_gpr=True)
    # pextrw / pinsrw
    for k in range(16):
        c = g.new()
        n = r.randrange(0, g.nregs)
        d = g.pick(1)[0]
        g.enc(c, b"\x0f\xc5", d, n, 32, imm=bytes([r.getrandbits(8)]), mand=PD)
        c.xmm[n] = xmm_int(g)
        g.put(c, d, g.bits, g.rand64(), True)
    for k in range(16):
        c = g.new()
        n = r.randrange(0, g.nregs)
        use_mem = k % 3 == 2
        rm = g.mem(c, 2) if use_mem else g.pick(1)[0]
        if use_mem:
            rand_mem_bytes(g, c)
        g.enc(c, b"\x0f\xc4", n, rm, 32, imm=bytes([r.getrandbits(8)]), mand=PD)
        c.xmm[n] = xmm_int(g)
        if not use_mem:
            g.put(c, rm, g.bits, g.rand64(), True)


# ---------------------------------------------------------------------------------------------- families: x87


def d64(x: float) -> int:
    return struct.unpack("<Q", struct.pack("<d", x))[0]


X87_SPECIAL = [0.0, -0.0, 1.0, -1.0, 2.0, 0.5, -0.5, 3.0, 10.0, 100.0, -7.0, 0.25, 1024.0, 65536.0, 1e10, -1e10,
               1.5, -2.75, 6.0, 7.0, 9.0, 12.0, 0.75]
DIV_SPECIAL = [0.0, -0.0, 1.0, -1.0, 2.0, -4.0, 0.5, float("inf"), float("-inf"), float("nan")]
INF, NAN = float("inf"), float("nan")


def x87val(g: Gen, special: bool = True) -> int:
    """A double whose sums/products with other such values are exact in double precision."""
    r = g.r
    x = r.random()
    if special and x < 0.06:
        return r.choice([d64(INF), d64(-INF), 0x7FF8000000000000, 0xFFF8000000000000])
    if x < 0.4:
        return d64(r.choice(X87_SPECIAL))
    m = r.randrange(1, 1 << 20) * r.choice([1, -1])
    e = r.randrange(-12, 12)
    return d64(m * 2.0 ** e)


def xd(v: int) -> float:
    return struct.unpack("<d", struct.pack("<Q", v))[0]


FCW = 0x027F  # double precision, round to nearest, all exceptions masked
ARITH_FSW = C0 | C2 | C3  # undefined after arithmetic / loads / stores
ALL_C = C0 | C1 | C2 | C3  # undefined after fnstsw, fnstcw, fldcw, fnclex, fnop, ffree


def x87_case(g: Gen, code: bytes, st: list, fsw_mask: int = ARITH_FSW, fcw: int = FCW) -> Case:
    c = g.new()
    c.code = code
    c.st = st
    c.fcw = fcw
    if fsw_mask:
        c.mask["fsw"] = fsw_mask
    return c


def modrm_mem_x87(g: Gen, c: Case, op: int, digit: int, size: int, off: int | None = None) -> int:
    """Encodes  op /digit m  with a simple memory operand; returns the buffer offset."""
    rm = g.mem(c, size, simple=True, off=off, align=size if size in (2, 4, 8) else 1)
    g.enc(c, bytes([op]), digit, rm, 32)
    return DATA_off(c, rm, g)


def gen_x87(g: Gen) -> None:
    r = g.r

    def stack(n: int, special=True) -> list:
        return [x87val(g, special) for _ in range(n)]

    def exact_div_pair() -> tuple[int, int]:
        b = r.randrange(1, 1 << 10) * r.choice([1, -1]) * 2.0 ** r.randrange(-5, 5)
        q = r.randrange(-(1 << 12), 1 << 12) * 2.0 ** r.randrange(-5, 5)
        return d64(b * q), d64(b)

    # arithmetic: D8 /d (m32), DC /d (m64), D8 C0+d*8+i, DC C0+d*8+i, DE C0+d*8+i (pop), DA /d m32int, DE /d m16int
    for d in range(8):
        if d in (2, 3):
            continue  # fcom/fcomp below
        is_div = d in (6, 7)
        for k in range(14):
            depth = r.randrange(2, 6)
            st = stack(depth, special=k % 5 == 0)
            if is_div and k % 5 == 0:
                st = [d64(r.choice(DIV_SPECIAL)) for _ in range(depth)]
            i = r.randrange(1 if is_div else 0, depth)
            if is_div and k % 5:
                a, b = exact_div_pair()
                if d == 6:
                    st[0], st[i] = a, b
                else:
                    st[0], st[i] = b, a
                if i == 0:
                    st[0] = d64(r.choice([1.0, -2.0, 4.0, 0.5]))
            x87_case(g, bytes([0xD8, 0xC0 + d * 8 + i]), st)
            # DC: st(i) = st(i) op st(0) (note sub/subr and div/divr encodings swap)
            st2 = list(st)
            if is_div and k % 5:
                a, b = exact_div_pair()
                # DC F0+i is fdivr st(i),st (st(i) = st0/st(i)); DC F8+i fdiv st(i),st (st(i) = st(i)/st0)
                if d == 7:  # st(i) = st(i)/st0
                    st2[i], st2[0] = a, b
                else:
                    st2[0], st2[i] = a, b
                if i == 0:
                    st2[0] = d64(r.choice([1.0, -2.0, 4.0, 0.5]))
            x87_case(g, bytes([0xDC, 0xC0 + d * 8 + i]), st2)
            x87_case(g, bytes([0xDE, 0xC0 + d * 8 + max(i, 1) % 8]), list(st2))
        # memory forms
        for k in range(10):
            for op, size in ((0xD8, 4), (0xDC, 8), (0xDA, 4), (0xDE, 2)):
                depth = r.randrange(1, 4)
                st = stack(depth, special=k % 5 == 0)
                c = x87_case(g, b"", st)
                rand_mem_bytes(g, c)
                off = modrm_mem_x87(g, c, op, d, size)
                if is_div and k % 5 == 0:
                    c.st = [d64(r.choice(DIV_SPECIAL)) for _ in range(depth)]
                if op in (0xD8, 0xDC):
                    v = xd(x87val(g, special=k % 5 == 0))
                    if is_div and k % 5 == 0:
                        v = r.choice(DIV_SPECIAL)
                    if is_div and k % 5:
                        a, b = exact_div_pair()
                        if d == 6:
                            c.st[0], v = a, xd(b)
                        else:
                            c.st[0], v = b, xd(a)
                    if size == 4:
                        c.mem[off:off + 4] = struct.pack("<f", v)
                    else:
                        c.mem[off:off + 8] = struct.pack("<d", v)
                else:
                    iv = r.randrange(-(1 << (size * 8 - 1)), 1 << (size * 8 - 1)) if k % 2 else r.randrange(-100, 100)
                    if is_div and k % 5 == 0:
                        iv = r.choice([0, 1, -1, 2, 4])
                    if is_div and k % 5:
                        iv = r.choice([1, 2, 4, -8, 16, 3, 5])
                        c.st[0] = d64(iv * r.randrange(-1000, 1000) * 1.0) if d == 6 else d64(r.choice([1.0, 2.0, 3.0]) * iv)
                        if d == 7:
                            c.st[0] = d64(r.choice([1.0, 2.0, -1.0]))
                            iv = r.choice([1, 2, 4, -8, 16, 6])
                    c.mem[off:off + size] = iv.to_bytes(size, "little", signed=True)
    # fcom family: D8 D0+i, D8 D8+i, DE D9, D8 /2 /3 m32, DC /2 /3 m64, DD E0+i fucom, DD E8+i fucomp, DA E9 fucompp
    cmpvals = lambda n: [d64(r.choice([1.0, -1.0, 0.0, -0.0, 2.0, 3.5, INF, -INF])) if r.random() < 0.6 else x87val(g) for _ in range(n)]
    for k in range(16):
        for code in ([0xD8, 0xD0], [0xD8, 0xD8], [0xDD, 0xE0], [0xDD, 0xE8]):
            depth = r.randrange(1, 5)
            st = cmpvals(depth)
            i = r.randrange(0, depth + (1 if k % 8 == 7 else 0))  # sometimes an empty register
            if k % 3 == 0 and i < depth:
                st[i] = st[0]
            x87_case(g, bytes([code[0], code[1] + i]), st, fsw_mask=0)
        for code in (b"\xde\xd9", b"\xda\xe9"):
            st = cmpvals(r.randrange(2, 4))
            if k % 3 == 0:
                st[1] = st[0]
            x87_case(g, code, st, fsw_mask=0)
        for op, size in ((0xD8, 4), (0xDC, 8), (0xDA, 4), (0xDE, 2)):
            for d in (2, 3):
                c = x87_case(g, b"", cmpvals(r.randrange(1, 3)), fsw_mask=0)
                rand_mem_bytes(g, c)
                off = modrm_mem_x87(g, c, op, d, size)
                if op == 0xD8:
                    c.mem[off:off + 4] = struct.pack("<f", xd(c.st[0]) if k % 3 == 0 else r.choice([1.0, -2.0, 0.0, 3.0]))
                elif op == 0xDC:
                    c.mem[off:off + 8] = struct.pack("<d", xd(c.st[0]) if k % 3 == 0 else r.choice([1.0, -2.0, 0.0, 3.0]))
                else:
                    c.mem[off:off + size] = r.randrange(-5, 5).to_bytes(size, "little", signed=True)
    # fcomi/fucomi (+p): DB F0+i, DB E8+i, DF F0+i, DF E8+i -- EFLAGS
    for k in range(16):
        for code in ([0xDB, 0xF0], [0xDB, 0xE8], [0xDF, 0xF0], [0xDF, 0xE8]):
            depth = r.randrange(1, 5)
            st = cmpvals(depth)
            i = r.randrange(0, depth)
            if k % 3 == 0:
                st[i] = st[0]
            c = x87_case(g, bytes([code[0], code[1] + i]), st, fsw_mask=0)
            c.fl = g.rflags()
    # ftst, fxam
    for k in range(20):
        for code in (b"\xd9\xe4", b"\xd9\xe5"):
            depth = r.randrange(0 if code == b"\xd9\xe5" else 1, 3)
            st = [d64(r.choice([0.0, -0.0, 1.0, -5.0, INF, -INF, NAN, -NAN, 2.0 ** -1030])) for _ in range(depth)]
            x87_case(g, code, st, fsw_mask=0 if code == b"\xd9\xe4" else 0)
    # unary: fchs fabs fsqrt frndint fscale
    for k in range(20):
        x87_case(g, b"\xd9\xe0", stack(r.randrange(1, 4)))
        x87_case(g, b"\xd9\xe1", stack(r.randrange(1, 4)))
        y = r.randrange(0, 1 << 13) * 2.0 ** r.randrange(-6, 6)
        sq = [d64(y * y), d64(r.choice([-4.0, 0.0, -0.0, INF, 0.25]))][k % 5 == 4]
        x87_case(g, b"\xd9\xfa", [sq] + stack(r.randrange(0, 3)))
        rc = r.randrange(0, 4)
        x87_case(g, b"\xd9\xfc", [d64(r.randrange(-4000, 4000) / 4.0)] + stack(r.randrange(0, 2)), fcw=FCW | (rc << 10))
        x87_case(g, b"\xd9\xfd", [x87val(g, special=False), d64(float(r.randrange(-8, 9)))] + stack(r.randrange(0, 2)))
    # loads: fld m32/m64/m80, fld st(i), fild m16/m32/m64, constants
    for k in range(16):
        for op, d, size in ((0xD9, 0, 4), (0xDD, 0, 8), (0xDB, 5, 10), (0xDF, 0, 2), (0xDB, 0, 4), (0xDF, 5, 8)):
            depth = r.randrange(0, 8 if k % 8 == 7 else 4) if k % 8 != 6 else 8  # 8 = stack overflow
            c = x87_case(g, b"", stack(depth))
            rand_mem_bytes(g, c)
            off = modrm_mem_x87(g, c, op, d, size)
            v = xd(x87val(g))
            if (op, d) == (0xD9, 0):
                c.mem[off:off + 4] = struct.pack("<f", v) if k % 4 else r.choice(F32_SPECIAL).to_bytes(4, "little")
            elif (op, d) == (0xDD, 0):
                c.mem[off:off + 8] = struct.pack("<d", v) if k % 4 else r.choice(F64_SPECIAL).to_bytes(8, "little")
            elif size == 10:
                c.mem[off:off + 10] = ext_bytes(d64(v))
            else:
                iv = g.val(size * 8) if k % 2 else r.randrange(-1000, 1000) & ((1 << (size * 8)) - 1)
                c.mem[off:off + size] = (iv & ((1 << (size * 8)) - 1)).to_bytes(size, "little")
        depth = r.randrange(1, 5)
        x87_case(g, bytes([0xD9, 0xC0 + r.randrange(0, depth + 1)]), stack(depth))
        for opc in range(0xE8, 0xEF):
            x87_case(g, bytes([0xD9, opc]), stack(r.randrange(0, 3) if k % 8 else 8), fsw_mask=ARITH_FSW)
    # stores: fst/fstp m32/m64, fstp m80, fst/fstp st(i), fist/fistp m16/m32, fistp m64, fisttp m16/m32/m64
    stores = [(0xD9, 2, 4), (0xD9, 3, 4), (0xDD, 2, 8), (0xDD, 3, 8), (0xDB, 7, 10), (0xDF, 2, 2), (0xDF, 3, 2),
              (0xDB, 2, 4), (0xDB, 3, 4), (0xDF, 7, 8)]
    if HAS_SSE3:
        stores += [(0xDF, 1, 2), (0xDB, 1, 4), (0xDD, 1, 8)]
    for k in range(16):
        for op, d, size in stores:
            is_int = op in (0xDF, 0xDB) and size != 10 or (op, d) == (0xDD, 1)
            depth = r.randrange(1, 4) if k % 10 != 9 else 0
            st = stack(depth)
            if is_int and depth:
                st[0] = d64(r.choice([r.randrange(-40000, 40000) / r.choice([1, 2, 4]), 2.5, -2.5, 3.5, -0.5,
                                      1e10, -1e10, 32767.5, -32768.5, 2147483647.0, 2147483648.0, -2147483648.0,
                                      9.3e18, -9.3e18, 1.5, INF, NAN]))
            rc = r.randrange(0, 4) if is_int else 0
            c = x87_case(g, b"", st, fcw=FCW | (rc << 10))
            rand_mem_bytes(g, c)
            modrm_mem_x87(g, c, op, d, size)
        depth = r.randrange(1, 5)
        i = r.randrange(0, depth + 1)
        x87_case(g, bytes([0xDD, 0xD0 + i]), stack(depth))
        x87_case(g, bytes([0xDD, 0xD8 + i]), stack(depth))
    # fxch, fincstp, fdecstp, ffree, fnop, fninit, fnclex
    for k in range(16):
        depth = r.randrange(1, 5)
        x87_case(g, bytes([0xD9, 0xC8 + r.randrange(0, depth + (k % 4 == 3))]), stack(depth))
        x87_case(g, b"\xd9\xf7", stack(r.randrange(1, 4)))
        x87_case(g, b"\xd9\xf6", stack(r.randrange(0, 4)))
        x87_case(g, bytes([0xDD, 0xC0 + r.randrange(0, 4)]), stack(r.randrange(1, 4)), fsw_mask=ALL_C)
    for code in (b"\xd9\xd0", b"\xdb\xe3", b"\xdb\xe2", b"\x9b"):
        for k in range(3):
            c = x87_case(g, code, stack(r.randrange(0, 4)), fsw_mask=ALL_C if code in (b"\xd9\xd0", b"\xdb\xe2") else 0)
            c.fsw = r.choice([0, 0x0001, 0x0021, 0x4500, 0x0100]) if code != b"\x9b" else 0
    # fnstsw ax / m16, fnstcw m16, fldcw m16
    for k in range(12):
        c = x87_case(g, b"\xdf\xe0", stack(r.randrange(0, 5)), fsw_mask=ALL_C)
        c.fsw = r.choice([0, 0x4100, 0x0500, 0x0020, 0x4000])
        g.put(c, RAX, g.bits, g.rand64(), False)
        c = x87_case(g, b"", stack(r.randrange(0, 3)), fsw_mask=ALL_C)
        rand_mem_bytes(g, c)
        modrm_mem_x87(g, c, 0xDD, 7, 2)
        c.fsw = r.choice([0, 0x4100, 0x0500])
        c = x87_case(g, b"", stack(r.randrange(0, 3)), fsw_mask=ALL_C, fcw=r.choice([0x037F, 0x027F, 0x0F7F, 0x077F]))
        rand_mem_bytes(g, c)
        modrm_mem_x87(g, c, 0xD9, 7, 2)
        c = x87_case(g, b"", stack(r.randrange(0, 3)), fsw_mask=ALL_C)
        rand_mem_bytes(g, c)
        off = modrm_mem_x87(g, c, 0xD9, 5, 2)
        c.mem[off:off + 2] = (0x007F | (r.randrange(0, 4) << 10) | (r.choice([2, 3]) << 8) | (0x1000 if k % 2 else 0)).to_bytes(2, "little")


def ext_bytes(d: int) -> bytes:
    """80-bit extended encoding of a double (exact)."""
    sign = d >> 63
    exp = (d >> 52) & 0x7FF
    frac = d & ((1 << 52) - 1)
    if exp == 0x7FF:
        e, m = 0x7FFF, (1 << 63) | (frac << 11)
    elif exp == 0:
        if frac == 0:
            e, m = 0, 0
        else:
            n = frac.bit_length() - 1
            m = frac << (63 - n)
            e = 15309 + n
    else:
        e, m = exp - 1023 + 16383, (1 << 63) | (frac << 11)
    return m.to_bytes(8, "little") + (e | (sign << 15)).to_bytes(2, "little")


# ---------------------------------------------------------------------------------------------- families: MMX


def mm_val(g: Gen) -> int:
    """A 64-bit MMX value: random bits, or lanes of edge values."""
    r = g.r
    if r.random() < 0.5:
        return r.getrandbits(64)
    lw = r.choice([8, 16, 32, 64])
    v = 0
    for i in range(64 // lw):
        v |= g.val(lw) << (lw * i)
    return v


def mmx_case(g: Gen, op: bytes, n: int, imm=None, mem_ok=True, reg_ok=True, mand: bytes = b"", src: str = "mm",
             dst: str = "mm", memsize: int = 8, align: int = 1, rexw: bool = False, fill=None) -> None:
    """n cases of  op reg, rm  where dst is the kind of the ModRM.reg operand and src the kind of the ModRM.rm
    operand: 'mm', 'xmm' or 'gpr' (fill(k): the rm value, register or memory). The MMX registers not
    involved keep their values (all eight are set); ftw is mostly 0xff (after MMX), sometimes other
    (MMX instructions set every tag valid)."""
    r = g.r
    for k in range(n):
        c = g.new()
        use_mem = mem_ok and (k % 3 == 2 or not reg_ok)
        reg = r.randrange(0, 8) if dst == "mm" else r.randrange(0, g.nregs) if dst == "xmm" else g.pick(1)[0]
        if use_mem:
            rand_mem_bytes(g, c)
            rm = g.mem(c, memsize, align=align, avoid={reg} if dst == "gpr" else ())
            off = DATA_off(c, rm, g)
            if fill:
                c.mem[off:off + memsize] = fill(k).to_bytes(memsize, "little")
            if dst == "gpr" and reg in c.g:
                reg = g.pick(1, exclude=set(c.g))[0]
        else:
            rm = r.randrange(0, 8) if src == "mm" else r.randrange(0, g.nregs) if src == "xmm" else g.pick(1)[0]
        iv = b"" if imm is None else imm_bytes(imm(k) if callable(imm) else imm, 1)
        # REX.R/B do not extend MMX register numbers: sometimes add them (they must be ignored)
        rex_reg = reg if dst != "mm" else reg | (8 if g.bits == 64 and r.random() < 0.15 else 0)
        rex_rm = rm
        if not use_mem and src == "mm" and g.bits == 64 and r.random() < 0.15:
            rex_rm = rm | 8
        g.enc(c, op, rex_reg, rex_rm, 64 if rexw else 32, imm=iv, mand=mand, rexw=rexw)
        for i in range(8):
            c.mm[i] = mm_val(g) if r.random() < 0.5 else 0
        if dst == "mm":
            c.mm[reg] = mm_val(g)
        elif dst == "xmm":
            c.xmm[reg] = xmm_int(g)
        else:
            g.put(c, reg, g.bits, g.rand64(), True)
        if not use_mem:
            if src == "mm":
                c.mm[rm] = fill(k) if fill else mm_val(g)
                if rm != reg and k % 7 == 6 and dst == "mm":
                    c.mm[rm] = c.mm[reg]
            elif src == "xmm":
                c.xmm[rm] = fill(k) if fill else xmm_int(g)
            else:
                g.put(c, rm, g.bits, fill(k) if fill else g.rand64(), True)
        c.ftw = 0xFF if k % 5 else r.choice([0x00, 0x01, 0x80, r.getrandbits(8)])
        if k % 5 == 0:
            c.top = r.randrange(0, 8)  # MMX instructions set TOP = 0


def gen_mmx(g: Gen) -> None:
    r = g.r
    N = 10
    # packed integer arithmetic / logic / compare / pack / unpack / multiply / sad / min / max / avg
    simple = [0xFC, 0xFD, 0xFE, 0xD4, 0xF8, 0xF9, 0xFA, 0xFB, 0xEC, 0xED, 0xDC, 0xDD, 0xE8, 0xE9, 0xD8, 0xD9,
              0x74, 0x75, 0x76, 0x64, 0x65, 0x66, 0xDB, 0xDF, 0xEB, 0xEF, 0x60, 0x61, 0x62, 0x68, 0x69, 0x6A,
              0x63, 0x67, 0x6B, 0xD5, 0xE5, 0xE4, 0xF4, 0xF5, 0xDA, 0xDE, 0xEA, 0xEE, 0xE0, 0xE3, 0xF6]
    for opc in simple:
        mmx_case(g, bytes([0x0F, opc]), N)
    # shifts by mm/m64 count
    counts = [0, 1, 3, 7, 8, 15, 16, 17, 31, 32, 33, 63, 64, 65, 1 << 40, 1 << 63]
    for opc in (0xF1, 0xF2, 0xF3, 0xD1, 0xD2, 0xD3, 0xE1, 0xE2):
        mmx_case(g, bytes([0x0F, opc]), 12, fill=lambda k: r.choice(counts) if k % 4 else r.getrandbits(64))
    # shifts by immediate: 71 /2 /4 /6, 72 /2 /4 /6, 73 /2 /6
    for opc, digits in ((0x71, (2, 4, 6)), (0x72, (2, 4, 6)), (0x73, (2, 6))):
        for d in digits:
            for k in range(10):
                c = g.new()
                n = r.randrange(0, 8)
                cnt = r.choice([0, 1, 2, 7, 8, 15, 16, 17, 31, 32, 33, 63, 64, 200, r.getrandbits(8)])
                g.enc(c, bytes([0x0F, opc]), d, n, 32, imm=bytes([cnt]))
                c.mm[n] = mm_val(g)
                c.mm[(n + 1) & 7] = mm_val(g)
                c.ftw = 0xFF if k % 4 else 0
    # 0F 73 /3 and /7 exist only with 66 (xmm): #UD on MMX registers
    for d in (3, 7):
        c = g.new()
        g.enc(c, b"\x0f\x73", d, 1, 32, imm=b"\x04")
        c.mm[1] = mm_val(g)
    # pshufw
    mmx_case(g, b"\x0f\x70", 14, imm=lambda k: r.getrandbits(8))
    # pinsrw mm, r32/m16, imm8; pextrw r32, mm, imm8; pmovmskb r32, mm
    mmx_case(g, b"\x0f\xc4", 12, imm=lambda k: r.getrandbits(8), src="gpr", memsize=2)
    mmx_case(g, b"\x0f\xc5", 10, imm=lambda k: r.getrandbits(8), dst="gpr", mem_ok=False)
    mmx_case(g, b"\x0f\xd7", 10, dst="gpr", mem_ok=False)
    # movd/movq mm <-> r/m32, r/m64 (REX.W); movq mm, mm/m64 and back
    for rexw in ([False, True] if g.bits == 64 else [False]):
        mmx_case(g, b"\x0f\x6e", 10, src="gpr", memsize=8 if rexw else 4, rexw=rexw)
        mmx_case(g, b"\x0f\x7e", 10, src="gpr", memsize=8 if rexw else 4, rexw=rexw)
    mmx_case(g, b"\x0f\x6f", 10)
    for k in range(10):  # movq mm/m64, mm (store form: the ModRM.rm operand is the destination)
        c = g.new()
        use_mem = k % 2 == 1
        reg = r.randrange(0, 8)
        rm = g.mem(c, 8) if use_mem else r.randrange(0, 8)
        if use_mem:
            rand_mem_bytes(g, c)
        g.enc(c, b"\x0f\x7f", reg, rm, 32)
        for i in range(8):
            c.mm[i] = mm_val(g)
        c.ftw = 0xFF if k % 4 else r.getrandbits(8)
    # movd/movq store forms to memory are covered above (0F 7E with memory)
    # emms
    for k in range(6):
        c = g.new()
        c.code = b"\x0f\x77"
        for i in range(8):
            c.mm[i] = mm_val(g)
        c.ftw = [0xFF, 0x00, 0x0F, r.getrandbits(8), 0xFF, 0x81][k]
        c.top = [0, 0, 3, 7, 0, 5][k]
        if c.top:
            c.mask["fsw"] = 0x3800  # TOP after EMMS: Intel leaves it, AMD (this host) sets it to 0
    # movntq m64, mm; maskmovq mm, mm (store to [rdi]/[edi])
    for k in range(8):
        c = g.new()
        rand_mem_bytes(g, c)
        reg = r.randrange(0, 8)
        rm = g.mem(c, 8)
        g.enc(c, b"\x0f\xe7", reg, rm, 32)
        c.mm[reg] = mm_val(g)
        c.ftw = 0xFF
    for k in range(12):
        c = g.new()
        rand_mem_bytes(g, c)
        a, b = r.randrange(0, 8), r.randrange(0, 8)
        code = bytearray()
        if g.bits == 64 and k % 4 == 3:
            code.append(0x67)  # edi
        code += bytes([0x0F, 0xF7, 0xC0 | (a << 3) | b])
        c.code = bytes(code)
        c.mm[a] = mm_val(g)
        c.mm[b] = r.getrandbits(64) if k % 3 else 0x8000800080008000 * r.getrandbits(1)
        if a == b:
            c.mm[a] = r.getrandbits(64)
        di = DATA + r.randrange(0, MEMSZ - 7)
        c.g[RDI] = di | ((r.getrandbits(32) << 32) if g.bits == 64 and k % 4 == 3 else 0)
        c.ftw = 0xFF
    # movq2dq xmm, mm; movdq2q mm, xmm
    mmx_case(g, b"\x0f\xd6", 10, mand=SS, dst="xmm", mem_ok=False)
    mmx_case(g, b"\x0f\xd6", 10, mand=SD, src="xmm", mem_ok=False)
    # conversions with MMX operands: cvtpi2ps/cvtpi2pd xmm, mm/m64 (memory source: no x87 transition);
    # cvt(t)ps2pi mm, xmm/m64; cvt(t)pd2pi mm, xmm/m128 (aligned)
    pi = lambda k: r.choice([r.getrandbits(64), (r.randrange(-1000, 1000) & 0xFFFFFFFF) |
                             ((r.randrange(-1000, 1000) & 0xFFFFFFFF) << 32), 0x7FFFFFFF80000000, 0x0000000100FFFFFF])
    mmx_case(g, b"\x0f\x2a", 14, dst="xmm", fill=pi)
    mmx_case(g, b"\x0f\x2a", 14, mand=PD, dst="xmm", fill=pi)
    ps = lambda k: rf32(g) | (rf32(g) << 32)
    pd = lambda k: xmm_pd(g)
    for opc in (0x2C, 0x2D):
        mmx_case(g, bytes([0x0F, opc]), 14, src="xmm", fill=ps)
        mmx_case(g, bytes([0x0F, opc]), 14, mand=PD, src="xmm", memsize=16, align=16, fill=pd)
    for k in range(6):  # rounding modes for cvtps2pi / cvtpd2pi
        mmx_case(g, bytes([0x0F, 0x2D]), 1, mand=r.choice([b"", PD]), src="xmm", mem_ok=False,
                 fill=lambda k: xmm_ps(g))
        g.cases[-1].mxcsr = 0x1F80 | (r.randrange(1, 4) << 13)
    # MMX with a misaligned m128 (cvtpd2pi): #GP
    c = g.new()
    rand_mem_bytes(g, c)
    rm = g.mem(c, 16, off=8)
    g.enc(c, b"\x0f\x2d", 2, rm, 32, mand=PD)
    c.ftw = 0xFF
    c.mm[2] = mm_val(g)


# ---------------------------------------------------------------------------------------------- families: BMI1/BMI2/ADX


def enc_vex(g: Gen, c: Case, mmmmm: int, pp: int, L: int, W: int, vvvv: int, op: int, reg: int, rm,
            imm: bytes = b"") -> None:
    """3-byte VEX (C4) encoding of  op reg, rm  with VEX.vvvv = vvvv."""
    p = bytearray()
    if isinstance(rm, Mem) and rm.a32:
        p.append(0x67)
    R = (reg >> 3) & 1
    if isinstance(rm, Mem):
        X, B = rm.x, rm.b
        modrm = bytes([(rm.mod << 6) | ((reg & 7) << 3) | rm.rm])
        if rm.sib is not None:
            modrm += bytes([rm.sib])
        modrm += rm.disp
    else:
        X, B = 0, (rm >> 3) & 1
        modrm = bytes([0xC0 | ((reg & 7) << 3) | (rm & 7)])
    assert g.bits == 64 or not (R or X or B or vvvv > 7)
    p += bytes([0xC4, ((R ^ 1) << 7) | ((X ^ 1) << 6) | ((B ^ 1) << 5) | mmmmm,
                (W << 7) | ((~vvvv & 15) << 3) | (L << 2) | pp, op])
    code = bytes(p) + modrm + imm
    if isinstance(rm, Mem) and rm.rip_target is not None:
        d = rm.rip_target - (CODE + len(code))
        i = len(p) + 1
        code = code[:i] + struct.pack("<i", d) + code[i + 4:]
    c.code = code


def gen_bmi(g: Gen) -> None:
    r = g.r
    bits = g.bits
    HAS_BMI2 = "bmi2" in FLAGS
    HAS_ADX = "adx" in FLAGS
    # (name, map, pp, opcode, /digit or None, operand roles, flags written, undefined flags)
    #   roles: "r_v_m"  reg = f(vvvv, rm)   "r_m_v"  reg = f(rm, vvvv)   "v_m"  vvvv = f(rm)   "r_m_i" reg = f(rm, imm)
    #          "mulx"   reg:vvvv = rdx * rm
    ops = []
    if HAS_BMI1:
        ops += [("andn", 2, 0, 0xF2, None, "r_v_m", AF | PF), ("bextr", 2, 0, 0xF7, None, "r_m_v", AF | SF | PF),
                ("blsr", 2, 0, 0xF3, 1, "v_m", AF | PF), ("blsmsk", 2, 0, 0xF3, 2, "v_m", AF | PF),
                ("blsi", 2, 0, 0xF3, 3, "v_m", AF | PF)]
    if HAS_BMI2:
        ops += [("bzhi", 2, 0, 0xF5, None, "r_m_v", AF | PF), ("pdep", 2, 3, 0xF5, None, "r_v_m", 0),
                ("pext", 2, 2, 0xF5, None, "r_v_m", 0), ("mulx", 2, 3, 0xF6, None, "mulx", 0),
                ("rorx", 3, 3, 0xF0, None, "r_m_i", 0), ("sarx", 2, 2, 0xF7, None, "r_m_v", 0),
                ("shlx", 2, 1, 0xF7, None, "r_m_v", 0), ("shrx", 2, 3, 0xF7, None, "r_m_v", 0)]
    for name, mp, pp, opc, digit, roles, undef in ops:
        for w in widths(bits)[2:]:
            for k in range(24):
                c = g.new()
                c.flmask(undef)
                use_mem = k % 4 == 3
                W = 1 if w == 64 else (1 if bits == 32 and k % 8 == 5 else 0)  # VEX.W1 is ignored in 32-bit mode
                reg = g.pick(1)[0] if digit is None else digit
                v = g.pick(1)[0] if roles != "r_m_i" or k == 0 else 0  # rorx: VEX.vvvv must be 1111b (else #UD)
                rm = g.mem(c, w // 8, avoid={reg, v} if digit is None else {v}) if use_mem else g.pick(1)[0]
                if use_mem:
                    rand_mem_bytes(g, c)
                imm = bytes([r.choice([0, 1, w - 1, w, w + 1, r.getrandbits(8), r.randrange(0, w)])]) if roles == "r_m_i" else b""
                enc_vex(g, c, mp, pp, 0, W, v, opc, reg, rm, imm)
                val = lambda: g.val(w) if r.random() < 0.7 else g.rand64()
                opregs = [v] + ([reg] if digit is None else []) + ([RDX] if roles == "mulx" else []) + \
                    ([] if use_mem else [rm])
                for n in dict.fromkeys(opregs):
                    if n in c.g and use_mem:
                        continue  # an address register
                    g.put(c, n, bits, g.rand64(), True)
                    g.put(c, n, w, val(), True)
                if roles == "r_m_v" and name == "bextr":  # control: start 7:0, length 15:8
                    ctl = r.choice([0, 1, 8, 16, 31, 32, 63, 64, 100, 255, r.randrange(0, w)]) | \
                          (r.choice([0, 1, 8, 16, 31, 32, 33, 63, 64, 65, 255, r.randrange(0, w)]) << 8)
                    if v not in c.g or not use_mem:
                        g.put(c, v, w, (g.rand64() & ~0xFFFF) | ctl, True)
                elif roles == "r_m_v" and name in ("bzhi", "sarx", "shlx", "shrx"):
                    idx = r.choice([0, 1, 7, w - 1, w, w + 1, 255, 256 + 3, r.randrange(0, w), r.getrandbits(16)])
                    if v not in c.g or not use_mem:
                        g.put(c, v, w, (g.rand64() & ~0xFFFF) | idx if k % 3 else idx, True)
                if use_mem and k % 8 == 7:
                    write_mem_val(c, DATA_off(c, rm, g), w, 0)  # zero source (blsi/blsr/... CF, ZF)
        # VEX.L = 1: #UD
        c = g.new()
        enc_vex(g, c, mp, pp, 1, 0, 1, opc, 0 if digit is None else digit, 2,
                bytes([1]) if roles == "r_m_i" else b"")
        g.put(c, RAX, bits, g.rand64(), False)
    # adcx / adox (legacy 66 / F3 0F 38 F6)
    if HAS_ADX:
        for mand, name in ((b"\x66", "adcx"), (b"\xf3", "adox")):
            for w in widths(bits)[2:]:
                for k in range(20):
                    c = g.new()
                    use_mem = k % 4 == 3
                    reg = g.pick(1)[0]
                    rm = g.mem(c, w // 8, avoid={reg}) if use_mem else g.pick(1)[0]
                    if use_mem:
                        rand_mem_bytes(g, c)
                    g.enc(c, b"\x0f\x38\xf6", reg, rm, w, mand=mand, no66=True)
                    set_operand_regs(g, c, [(reg, w)] + ([] if use_mem else [(rm, w)]), True)


# ---------------------------------------------------------------------------------------------- families: x87/SSE state


def rand_ext(g: Gen) -> bytes:
    """A valid 80-bit register image: mostly an exact double, sometimes extra mantissa bits, a double-range
    overflow/underflow, a zero, an infinity or a NaN (never an unnormal or pseudo-denormal)."""
    r = g.r
    x = r.random()
    if x < 0.5:
        return ext_bytes(x87val(g))
    sign = r.getrandbits(1) << 15
    if x < 0.7:  # 64-bit mantissa with low bits set
        e = r.randrange(16383 - 40, 16383 + 40)
        m = (1 << 63) | r.getrandbits(63)
    elif x < 0.8:  # beyond the double range
        e = r.choice([r.randrange(1, 15000), r.randrange(17500, 0x7FFE)])
        m = (1 << 63) | r.getrandbits(63)
    elif x < 0.9:
        e, m = r.choice([(0, 0), (0x7FFF, 1 << 63), (0x7FFF, 0xC000000000000000), (0x7FFF, (1 << 63) | r.getrandbits(62) | 1)])
    else:  # denormal
        e, m = 0, r.getrandbits(62) | 1
    return m.to_bytes(8, "little") + (e | sign).to_bytes(2, "little")


def x87_state(g: Gen, c: Case, depth: int | None = None) -> None:
    """Random x87 + SSE register state for the save instructions."""
    r = g.r
    depth = r.randrange(0, 9) if depth is None else depth
    c.st = [x87val(g) if r.random() < 0.85 else None for _ in range(depth)]
    c.fcw = r.choice([0x037F, 0x027F, 0x0F7F, 0x007F | (r.randrange(0, 4) << 10) | (r.randrange(0, 4) << 8)])
    flags = r.choice([0, 0x01, 0x20, 0x21, 0x10, 0x3F, 0x04])
    cc = r.choice([0, C0, C1, C2, C3, C0 | C3, C0 | C1 | C2 | C3])
    es = 0x80 | 0x8000 if flags & ~c.fcw & 0x3F else 0
    c.fsw = flags | cc | es
    for n in range(g.nregs):
        if r.random() < 0.5:
            c.xmm[n] = xmm_int(g)
    c.mxcsr = r.choice([0x1F80, 0x1F80 | r.getrandbits(6), 0x9FC0, 0x7F80 | r.getrandbits(6), 0x1F80 | (r.randrange(0, 4) << 13)])


def gen_fpstate(g: Gen) -> None:
    r = g.r
    bits = g.bits
    forms = [False, True] if bits == 64 else [False]  # REX.W: fxsave64 / fxrstor64
    # fxsave m512 (the memory image is compared; untouched bytes keep their random input)
    for w64 in forms:
        for k in range(24):
            c = g.new()
            x87_state(g, c)
            m2 = c.memory2()
            m2[:] = bytes(r.getrandbits(8) for _ in range(MEM2SZ))
            misal = k == 23
            rm = g.mem(c, 512, base=DATA2, off=8 if misal else 0, simple=k % 2 == 0)
            g.enc(c, b"\x0f\xae", 0, rm, 64 if w64 else 32)
            # MXCSR_MASK bit 17: AMD's MM (misaligned SSE mode) is supported here, Intel has no such bit
            c.m2mask = bytearray(MEM2SZ)
            c.m2mask[30] = 0x02
    # fxrstor m512
    for w64 in forms:
        for k in range(30):
            c = g.new()
            m2 = c.memory2()
            m2[:] = bytes(r.getrandbits(8) for _ in range(MEM2SZ))
            top = r.randrange(0, 8)
            fcw = r.choice([0x037F, 0x027F, 0x0C7F, 0x1F7F, 0x0040 | r.getrandbits(16) & 0x0F3F])
            fsw = (r.getrandbits(16) & 0xC7FF & ~0x3800) | (top << 11)
            if not (fsw & ~fcw & 0x3F):
                fsw &= ~0x8080
            ftw = r.choice([0xFF, 0x00, r.getrandbits(8), (0xFF << (8 - r.randrange(0, 9))) & 0xFF])
            mx = r.choice([0x1F80, 0x1F80 | r.getrandbits(6), 0x9FC0, 0x0000, r.getrandbits(16)])
            if k % 10 == 9:
                mx |= 1 << r.randrange(18, 32)  # reserved bit: #GP
            struct.pack_into("<HHBBH", m2, 0, fcw, fsw, ftw, r.getrandbits(8), r.getrandbits(11))
            struct.pack_into("<II", m2, 24, mx, r.getrandbits(32))
            for i in range(8):
                m2[32 + 16 * i:32 + 16 * i + 10] = rand_ext(g)
            misal = k == 29
            rm = g.mem(c, 512, base=DATA2, off=16 if misal else 0, simple=k % 2 == 0)
            g.enc(c, b"\x0f\xae", 1, rm, 64 if w64 else 32)
            x87_state(g, c)  # the state it replaces
    # fnsave / frstor (108 bytes; 94 with a 16-bit operand size), fnstenv / fldenv (28 / 14 bytes)
    for opsz in (32, 16):
        for k in range(20):
            c = g.new()
            x87_state(g, c)
            c.memory2()[:160] = bytes(r.getrandbits(8) for _ in range(160))
            rm = g.mem(c, 108, base=DATA2, off=r.randrange(0, 48), simple=k % 2 == 0)
            g.enc(c, b"\xdd", 6, rm, opsz)  # fnsave
        for k in range(20):
            c = g.new()
            x87_state(g, c)
            c.memory2()[:160] = bytes(r.getrandbits(8) for _ in range(160))
            rm = g.mem(c, 28, base=DATA2, off=r.randrange(0, 48), simple=k % 2 == 0)
            g.enc(c, b"\xd9", 6, rm, opsz)  # fnstenv
        for k in range(24):
            for restore in ("frstor", "fldenv"):
                c = g.new()
                m2 = c.memory2()
                m2[:160] = bytes(r.getrandbits(8) for _ in range(160))
                off = r.randrange(0, 48)
                top = r.randrange(0, 8)
                fcw = r.choice([0x037F, 0x027F, 0x0C7F, 0x1F7F, 0x0040 | r.getrandbits(16) & 0x0F3F])
                fsw = (r.getrandbits(16) & 0xC7FF & ~0x3800) | (top << 11)
                if not (fsw & ~fcw & 0x3F):
                    fsw &= ~0x8080
                tw = r.choice([0xFFFF, 0x0000, r.getrandbits(16), 0x5555, 0xAAAA])
                if opsz == 32:
                    struct.pack_into("<HHHHHHIHHIHH", m2, off, fcw, r.getrandbits(16), fsw, r.getrandbits(16), tw,
                                     r.getrandbits(16), r.getrandbits(32), r.getrandbits(16), r.getrandbits(11),
                                     r.getrandbits(32), r.getrandbits(16), r.getrandbits(16))
                    regs = off + 28
                else:
                    struct.pack_into("<HHHHHHH", m2, off, fcw, fsw, tw, r.getrandbits(16), r.getrandbits(16),
                                     r.getrandbits(16), r.getrandbits(16))
                    regs = off + 14
                if restore == "frstor":
                    for i in range(8):
                        m2[regs + 10 * i:regs + 10 * i + 10] = rand_ext(g)
                rm = g.mem(c, 108, base=DATA2, off=off, simple=k % 2 == 0)
                g.enc(c, b"\xdd" if restore == "frstor" else b"\xd9", 4, rm, opsz)
                x87_state(g, c)


# ---------------------------------------------------------------------------------------------- families: x87, the rest


def bcd_bytes(v: int, neg: bool) -> bytes:
    """18-digit packed BCD (x87 m80bcd)."""
    b = bytearray(10)
    for i in range(9):
        b[i] = (v % 10) | ((v // 10 % 10) << 4)
        v //= 100
    b[9] = 0x80 if neg else 0
    return bytes(b)


def gen_x87ext(g: Gen) -> None:
    r = g.r

    def stack(n: int) -> list:
        return [x87val(g) for _ in range(n)]

    TRANS_UNDEF = C0 | C2 | C3
    # transcendental functions. Exact cases (the 80-bit result is a double) are compared exactly; the others
    # (stulp=2) within 2 units in the last place of the double, C1 (rounding direction) not compared.
    EXACT = {  # opcode byte -> function of ST(0) (and ST(1)) values whose results are exact
        0xFE: [0.0, -0.0], 0xFF: [0.0, -0.0], 0xFB: [0.0, -0.0], 0xF2: [0.0, -0.0], 0xF0: [0.0, -0.0, 1.0, -1.0],
    }
    for opc in (0xFE, 0xFF, 0xFB, 0xF2):  # fsin fcos fsincos fptan
        for k in range(24):
            kind = k % 6
            depth = r.randrange(1, 4) if k != 23 else 8
            st = stack(depth)
            exact = False
            if kind == 0:
                st[0] = d64(r.choice(EXACT[opc]))
                exact = True
            elif kind == 1:
                st[0] = d64(r.choice([INF, -INF, NAN, -NAN, 2.0 ** 63, -2.0 ** 64, 1e300, 2.0 ** 62]))
                exact = True  # C2 = 1 (out of range) or invalid: the operand or the default NaN
                if xd(st[0]) == 2.0 ** 62:
                    exact = False
            else:
                st[0] = d64(r.choice([0.5, 1.0, -1.0, 2.0, 3.0, -0.75, 100.0, 1e-5, 1e6, 0.25, 0.1, -2.5]) if kind < 4
                            else r.uniform(-10, 10))
            c = x87_case(g, bytes([0xD9, opc]), st, fsw_mask=TRANS_UNDEF | (0 if exact else C1))
            if not exact:
                c.mask["stulp"] = 2
    for k in range(24):  # fpatan: ST(1) = atan(ST(1)/ST(0)), pop
        st = stack(r.randrange(2, 4))
        exact = k % 4 == 0
        if exact:
            st[0] = d64(r.choice([1.0, 2.0, 0.5, INF]))
            st[1] = d64(r.choice([0.0, -0.0]))
        elif k % 4 == 1:
            st[0], st[1] = d64(r.choice([-1.0, -2.0, 0.0, -0.0])), d64(r.choice([1.0, -1.0, 0.0, 3.0, INF]))
        else:
            st[0], st[1] = d64(r.uniform(-5, 5)), d64(r.uniform(-5, 5))
        c = x87_case(g, b"\xd9\xf3", st, fsw_mask=TRANS_UNDEF | (0 if exact else C1))
        if not exact:
            c.mask["stulp"] = 2
    for k in range(20):  # f2xm1: 2^x - 1 for -1 <= x <= 1
        st = stack(r.randrange(1, 3))
        exact = k % 3 == 0
        st[0] = d64(r.choice([0.0, -0.0, 1.0, -1.0]) if exact else r.choice([0.5, -0.5, 0.25, 1e-10, r.uniform(-1, 1)]))
        c = x87_case(g, b"\xd9\xf0", st, fsw_mask=TRANS_UNDEF | (0 if exact else C1))
        if not exact:
            c.mask["stulp"] = 2
    for k in range(24):  # fyl2x: ST(1) = ST(1) * log2(ST(0)), pop
        st = stack(r.randrange(2, 4))
        exact = k % 3 != 2
        if exact:
            st[0] = d64(r.choice([2.0 ** r.randrange(-20, 40), 1.0, 0.0, -1.0, INF, -0.0]))
            st[1] = d64(r.choice([1.0, -3.0, 0.5, 0.0, 7.0, INF]))
        else:
            st[0], st[1] = d64(r.uniform(0.01, 100)), d64(r.uniform(-4, 4))
        c = x87_case(g, b"\xd9\xf1", st, fsw_mask=TRANS_UNDEF | (0 if exact else C1))
        if not exact:
            c.mask["stulp"] = 2
    for k in range(16):  # fyl2xp1: ST(1) * log2(ST(0) + 1), |ST(0)| < 1 - sqrt(2)/2
        st = stack(r.randrange(2, 4))
        exact = k % 3 == 0
        st[0] = d64(r.choice([0.0, -0.0]) if exact else r.choice([0.25, -0.25, 0.125, 1e-8, r.uniform(-0.29, 0.29)]))
        st[1] = d64(r.choice([1.0, -2.0, 0.5, 3.0]))
        c = x87_case(g, b"\xd9\xf9", st, fsw_mask=TRANS_UNDEF | (0 if exact else C1))
        if not exact:
            c.mask["stulp"] = 2
    # fprem / fprem1: exact; the quotient's low bits go to C0 C3 C1, C2 = incomplete reduction
    for opc in (0xF8, 0xF5):
        for k in range(30):
            st = stack(r.randrange(2, 4))
            kind = k % 5
            if kind == 0:
                st[0], st[1] = d64(r.choice([INF, 0.0, 5.0, NAN])), d64(r.choice([0.0, INF, 3.0, -0.0]))
            elif kind == 1:  # large exponent difference: partial remainder (C2 = 1)
                st[0], st[1] = d64(r.randrange(1, 1 << 20) * 2.0 ** r.randrange(64, 200)), d64(r.randrange(1, 1000) * 1.0)
            else:
                st[0] = d64(r.randrange(-(1 << 30), 1 << 30) * 2.0 ** r.randrange(-10, 30))
                st[1] = d64(r.choice([1.0, -1.0]) * r.randrange(1, 1 << 12) * 2.0 ** r.randrange(-10, 12))
            x87_case(g, bytes([0xD9, opc]), st, fsw_mask=0)
    for k in range(16):  # fxtract: ST(0) = exponent, push significand
        st = stack(r.randrange(1, 4) if k != 15 else 8)
        if k % 4 == 0:
            st[0] = d64(r.choice([0.0, -0.0, INF, -INF, NAN, 2.0 ** -1070]))
        x87_case(g, b"\xd9\xf4", st, fsw_mask=C0 | C2 | C3)
    # fbld m80bcd, fbstp m80bcd
    for k in range(24):
        depth = r.randrange(0, 4) if k != 23 else 8
        c = x87_case(g, b"", stack(depth))
        rand_mem_bytes(g, c)
        off = modrm_mem_x87(g, c, 0xDF, 4, 10)
        v = r.choice([0, 1, 9, 10, 99, 12345, 10 ** 18 - 1, r.randrange(0, 10 ** 18), r.randrange(0, 10 ** 15),
                      r.randrange(0, 1 << 53)])
        c.mem[off:off + 10] = bcd_bytes(v, k % 3 == 1)
    for k in range(30):
        depth = r.randrange(1, 4) if k % 10 != 9 else 0
        st = stack(depth)
        if depth:
            st[0] = d64(r.choice([0.0, -0.0, 1.0, -1.0, 2.5, -2.5, 3.5, 0.5, -0.5, 1e17, -1e17, 99999999999999999.0,
                                  1e18, -1e18, 1e19, INF, NAN, r.randrange(-10 ** 15, 10 ** 15) / 4]))
        rc = r.randrange(0, 4)
        c = x87_case(g, b"", st, fcw=FCW | (rc << 10))
        rand_mem_bytes(g, c)
        modrm_mem_x87(g, c, 0xDF, 6, 10)
    # fcmovcc: DA C0/C8/D0/D8 (b e be u), DB C0/C8/D0/D8 (nb ne nbe nu)
    for op in (0xDA, 0xDB):
        for cc in range(4):
            for k in range(8):
                depth = r.randrange(1, 5)
                i = r.randrange(0, depth + (1 if k == 7 else 0))
                c = x87_case(g, bytes([op, 0xC0 + cc * 8 + i]), stack(depth))
                c.fl = 0x202 | r.choice(COND_FLAG_SETS) | (r.getrandbits(12) & ARITH if k % 2 else 0)
    # the undocumented aliases: fcom2 fcomp3 fcomp5 fxch4 fxch7 fstp1 fstp8 fstp9 ffreep
    cmpvals = lambda n: [d64(r.choice([1.0, -1.0, 0.0, 2.0, INF, NAN])) if r.random() < 0.5 else x87val(g) for _ in range(n)]
    for op, base, fm in ((0xDC, 0xD0, 0), (0xDC, 0xD8, 0), (0xDE, 0xD0, 0), (0xDD, 0xC8, ARITH_FSW),
                         (0xDF, 0xC8, ARITH_FSW), (0xD9, 0xD8, ARITH_FSW), (0xDF, 0xD0, ARITH_FSW),
                         (0xDF, 0xD8, ARITH_FSW), (0xDF, 0xC0, ALL_C)):
        for k in range(10):
            depth = r.randrange(1, 5)
            i = r.randrange(0, depth + (1 if k == 9 else 0))
            st = cmpvals(depth) if fm == 0 else stack(depth)
            if fm == 0 and k % 3 == 0:
                st[i if i < depth else 0] = st[0]
            x87_case(g, bytes([op, base + i]), st, fsw_mask=fm)
    # fneni, fndisi, fnsetpm: no-ops on a 387 and later
    for code in (b"\xdb\xe0", b"\xdb\xe1", b"\xdb\xe4"):
        for k in range(3):
            c = x87_case(g, code, stack(r.randrange(0, 4)), fsw_mask=ALL_C)
            c.fsw = r.choice([0, 0x0001, 0x4500, 0x0100])


# ---------------------------------------------------------------------------------------------- families: control transfer


GPR_UPPER = 0xFFFFFFFF00000000


def branch_target(g: Gen, where: str) -> int:
    """A branch target: 'page' = the int3 filler of the code page (after the case and its exit jump),
    'low' = the unmapped page below the code page."""
    r = g.r
    if where == "page":
        return CODE + r.randrange(0x40, 0xFF0)
    return CODE - r.randrange(1, 0x1000)


def stack_ptr(g: Gen) -> int:
    return DATA + 32 + g.r.choice([0, 8, -8, 16, 4])


def gen_control(g: Gen) -> None:
    r = g.r
    bits = g.bits
    wm = (1 << bits) - 1
    slot = 8 if bits == 64 else 4

    def rel_case(prefix: bytes, op: bytes, rsize: int, fl: int | None = None, where: str | None = None,
                 opsz16: bool = False) -> Case:
        c = g.new()
        if fl is not None:
            c.fl = fl
        n = len(prefix) + len(op) + rsize
        if rsize == 1:
            # rel8: forward past the exit jump, or backward below the code page
            rel = r.randrange(9, 128) if r.random() < 0.6 else r.randrange(-128, -n)
        else:
            t = branch_target(g, where or r.choice(["page", "page", "low"]))
            rel = t - (CODE + n)
            if opsz16:
                rel &= 0xFFFF
        c.code = prefix + op + imm_bytes(rel, rsize)
        return c

    # jcc rel8 / rel32 (and rel16 in 32-bit mode: IP truncated to 16 bits)
    for cc in range(16):
        for k in range(6):
            fl = 0x202 | r.choice(COND_FLAG_SETS) | (r.getrandbits(12) & ARITH if k % 2 else 0)
            rel_case(b"", bytes([0x70 + cc]), 1, fl)
            fl = 0x202 | r.choice(COND_FLAG_SETS) | (r.getrandbits(12) & ARITH if k % 2 else 0)
            rel_case(b"", bytes([0x0F, 0x80 + cc]), 4, fl)
        if bits == 32:
            rel_case(b"\x66", bytes([0x0F, 0x80 + cc]), 2, 0x202 | r.choice(COND_FLAG_SETS), opsz16=True)
    # jmp rel8 / rel32, call rel32 (stack in the buffer)
    for k in range(12):
        rel_case(b"", b"\xeb", 1)
        rel_case(b"", b"\xe9", 4)
        c = rel_case(b"", b"\xe8", 4)
        rand_mem_bytes(g, c)
        c.g[RSP] = stack_ptr(g)
    if bits == 32:
        for k in range(4):
            rel_case(b"\x66", b"\xe9", 2, opsz16=True)
            c = rel_case(b"\x66", b"\xe8", 2, opsz16=True)
            rand_mem_bytes(g, c)
            c.g[RSP] = stack_ptr(g)
    # jmp / call r/m (FF /4, FF /2): target from a register or memory; non-canonical targets: #GP
    for digit in (4, 2):
        for k in range(20):
            c = g.new()
            rand_mem_bytes(g, c)
            use_mem = k % 2 == 1
            o16 = bits == 32 and k % 10 == 9
            w = 16 if o16 else bits
            t = branch_target(g, "page" if k % 5 else "low")
            if bits == 64 and k % 7 == 6:
                t = r.choice([0x0000800000000000, 0xFFFF7FFFFFFFF000, 0x8000000000000000])
            c.g[RSP] = stack_ptr(g)
            if use_mem:
                rm = g.mem(c, w // 8, avoid={RSP}, off=r.choice([0, 8, 48, 56]))
                write_mem_val(c, DATA_off(c, rm, g), w, t)
            else:
                rm = g.pick(1, exclude={RSP})[0]
                g.put(c, rm, bits, t if not o16 else g.rand64(), True)
                if o16:
                    g.put(c, rm, 16, t, True)
            g.enc(c, b"\xff", digit, rm, w, rexw=False)
    # ret / ret imm16
    for k in range(24):
        c = g.new()
        rand_mem_bytes(g, c)
        o16 = bits == 32 and k % 8 == 7
        sp = stack_ptr(g)
        c.g[RSP] = sp
        t = branch_target(g, "page" if k % 4 else "low")
        write_mem_val(c, sp - DATA, 16 if o16 else bits, t)
        c.code = (b"\x66" if o16 else b"") + (b"\xc3" if k % 2 == 0 else b"\xc2" + imm_bytes(r.choice([0, 4, 8, 0x10, 0xFFF8, r.getrandbits(16)]), 2))
    # loop / loope / loopne / jcxz (67: ecx in 64-bit mode, cx in 32-bit mode)
    for opc in (0xE0, 0xE1, 0xE2, 0xE3):
        for k in range(16):
            a = k % 4 == 3
            c = rel_case(b"\x67" if a else b"", bytes([opc]), 1, 0x202 | r.choice(COND_FLAG_SETS))
            cnt = r.choice([0, 1, 2, 3, 0x10000, 0x100000000, 0x100000001, 0xFFFFFFFF, g.rand64()])
            c.g[RCX] = cnt & wm
    # far transfers through the host's user code segments: 0x33 (64-bit), 0x23 (32-bit); anything else #GP
    sels = [0x23, 0x33, 0x23, 0x33, 0x2B, 0x00, 0x20, 0x30, 0x1234, 0x1B, 0x27]

    def far_case(code_fn, sel: int) -> Case:
        c = g.new()
        rand_mem_bytes(g, c)
        t = branch_target(g, "page")
        c.g[RSP] = stack_ptr(g)
        code_fn(c, t, sel)
        if bits == 64 and (sel & ~3) == 0x20:  # to compatibility mode: upper halves of the GPRs undefined
            for n in range(16):
                c.gmask(n, GPR_UPPER)
        return c

    if bits == 32:
        for sel in sels:
            for op in (0xEA, 0x9A):
                def f(c, t, sel, op=op):
                    c.code = bytes([op]) + imm_bytes(t, 4) + imm_bytes(sel, 2)
                far_case(f, sel)
    for digit in (5, 3):  # jmp far m16:32, call far m16:32 (66: m16:16 in 32-bit mode)
        for k, sel in enumerate(sels + [0x23, 0x33]):
            def f(c, t, sel, k=k):
                o16 = bits == 32 and k % 6 == 5
                rm = g.mem(c, 6, avoid={RSP}, off=r.choice([0, 8, 40, 48]))
                off = DATA_off(c, rm, g)
                if o16:
                    write_mem_val(c, off, 16, t)
                    write_mem_val(c, off + 2, 16, sel)
                else:
                    write_mem_val(c, off, 32, t)
                    write_mem_val(c, off + 4, 16, sel)
                g.enc(c, b"\xff", digit, rm, 16 if o16 else 32)
            far_case(f, sel)
    # retf / retf imm16: pops offset then selector (operand size: 32, or 64 with REX.W)
    for k, sel in enumerate(sels + [0x23, 0x33, 0x23, 0x33]):
        def f(c, t, sel, k=k):
            w = 64 if bits == 64 and k % 3 == 1 else 32
            sp = c.g[RSP]
            write_mem_val(c, sp - DATA, w, t)
            write_mem_val(c, sp - DATA + w // 8, w, sel | (r.getrandbits(16) << 16 if k % 4 == 2 else 0))
            c.code = (b"\x48" if w == 64 else b"") + (b"\xcb" if k % 2 == 0 else b"\xca" + imm_bytes(r.choice([0, 8, 0x10]), 2))
        far_case(f, sel)
    # iret: pops EIP/RIP, CS, EFLAGS (and ESP/RSP, SS in 64-bit mode)
    for k, sel in enumerate(sels + [0x23, 0x33, 0x23, 0x33]):
        def f(c, t, sel, k=k):
            w = 64 if bits == 64 and k % 2 == 1 else 32
            sp = DATA + r.choice([0, 8, 16])
            c.g[RSP] = sp
            newfl = 0x202 | (r.getrandbits(12) & (ARITH | DF))
            items = [t, sel, newfl, DATA + r.randrange(0, 64), 0x2B]  # (E/R)SP, SS: popped when 64-bit
            for i, v in enumerate(items):
                write_mem_val(c, sp - DATA + i * w // 8, w, v)
            c.code = (b"\x48" if w == 64 else b"") + b"\xcf"
        far_case(f, sel)
    # traps: int3, int 3, int1 (icebp), into, int n (#GP: gates with DPL 0), hlt (#GP)
    for code in (b"\xcc", b"\xcd\x03", b"\xf1", b"\xf4"):
        for k in range(3):
            c = g.new()
            c.code = code
            g.put(c, RAX, bits, g.rand64(), False)
    for k in range(16):
        c = g.new()
        n = r.choice([0, 1, 2, 5, 6, 8, 13, 14, 0x20, 0x21, 0x28, 0x2F, 0x30, 0x81, 0xFF, r.randrange(0x40, 0x7F)])
        c.code = bytes([0xCD, n])
    if bits == 32:
        for k in range(6):
            c = g.new()
            c.code = b"\xce"
            c.fl = 0x202 | (OF if k % 2 else 0) | (r.getrandbits(12) & (ARITH & ~OF))


# ---------------------------------------------------------------------------------------------- families: system


def gen_system(g: Gen) -> None:
    r = g.r
    bits = g.bits
    # privileged / I/O instructions at CPL 3: #GP(0)
    priv = [b"\xf4", b"\xfa", b"\xfb", b"\x0f\x06", b"\x0f\x08", b"\x0f\x09", b"\x0f\x30", b"\x0f\x32", b"\x0f\x33",
            b"\xe4\x60", b"\xe5\x40", b"\xe6\x80", b"\xe7\x70", b"\xec", b"\xed", b"\xee", b"\xef", b"\x66\xed",
            b"\x6c", b"\x6d", b"\x6e", b"\x6f", b"\xf3\x6c", b"\xf3\x6d", b"\xf3\x6e", b"\xf3\x6f", b"\x66\x6d",
            b"\x0f\x01\xf0", b"\x0f\x01\xf8", b"\x0f\x01\xca", b"\x0f\x01\xcb", b"\x0f\x01\xc8", b"\x0f\x01\xc9",
            b"\x0f\x01\xd6", b"\x0f\x01\xd5", b"\x0f\x01\xee", b"\x0f\x01\xef"]
    for op in (0x20, 0x21, 0x22, 0x23):  # mov cr/dr (mod is ignored: always registers)
        for modrm in (0xC0, 0xD8, 0x00, 0x4A, 0x93, 0xE1):
            priv.append(bytes([0x0F, op, modrm]))
    for code in priv:
        c = g.new()
        c.code = code
        g.put(c, RAX, bits, g.rand64(), False)
        c.g[RDX] = r.choice([0x60, 0x3F8, 0x80, g.rand64() & ((1 << bits) - 1)])
        c.g[RCX] = r.choice([0, 0x10, 0xC0000080])
        c.g[RSI] = DATA
        c.g[RDI] = DATA + 16
        rand_mem_bytes(g, c)
    # lgdt lidt lmsw invlpg (0F 01 /2 /3 /6 /7, memory forms), lldt ltr (0F 00 /2 /3)
    for op, digit in ((b"\x0f\x01", 2), (b"\x0f\x01", 3), (b"\x0f\x01", 6), (b"\x0f\x01", 7), (b"\x0f\x00", 2),
                      (b"\x0f\x00", 3)):
        for use_mem in (True, False):
            if not use_mem and op == b"\x0f\x01":
                continue
            c = g.new()
            rand_mem_bytes(g, c)
            rm = g.mem(c, 10) if use_mem else g.pick(1)[0]
            g.enc(c, op, digit, rm, 32)
            if not use_mem:
                g.put(c, rm, bits, r.choice([0x2B, 0, 0x23]), True)
    # sgdt sidt sldt str smsw: with UMIP on, Linux emulates them with its own dummy values (Windows would
    # give its own): the values written are masked; no fault, the size written and the rest are compared
    for op, digit, msz in ((b"\x0f\x01", 0, 0), (b"\x0f\x01", 1, 0), (b"\x0f\x00", 0, 2), (b"\x0f\x00", 1, 2),
                           (b"\x0f\x01", 4, 2)):
        for k in range(6):
            use_mem = msz == 0 or k % 2 == 0
            c = g.new()
            rand_mem_bytes(g, c)
            w = [32, 16, 64 if bits == 64 else 32][k % 3]
            if use_mem:
                size = msz or (10 if bits == 64 else 6)
                rm = g.mem(c, size)
                off = DATA_off(c, rm, g)
                c.memmask = bytearray(MEMSZ)
                c.memmask[off:off + size] = b"\xff" * size
            else:
                rm = g.pick(1)[0]
                g.put(c, rm, bits, g.rand64(), True)
                c.gmask(rm, (1 << bits) - 1)  # (Linux's emulation does not zero-extend r32 in 64-bit mode)
            g.enc(c, op, digit, rm, w)
            c.hostdep = True
    # sysexit (#GP at CPL 3), sysret in 64-bit mode (#GP at CPL 3). Not recorded, the vendors differ (the
    # emulator follows Intel): sysenter (AMD #UD in long mode; Intel #GP(0) with IA32_SYSENTER_CS = 0),
    # sysret in compatibility mode (AMD #GP, Intel #UD), syscall (see hw.coverage.test.ts)
    for code in [b"\x0f\x35", b"\x66\x0f\x35"] + ([b"\x0f\x07", b"\x48\x0f\x07"] if bits == 64 else []):
        c = g.new()
        c.code = code
        for n in range(g.nregs):
            if n != RSP:
                c.g[n] = g.rand64() & ((1 << bits) - 1)
    # cpuid, rdtsc, rdtscp: the values are the host's (not compared): only no fault, length, other registers
    for code, regs in ((b"\x0f\xa2", (RAX, RBX, RCX, RDX)), (b"\x0f\x31", (RAX, RDX)), (b"\x0f\x01\xf9", (RAX, RCX, RDX))):
        for k in range(4):
            c = g.new()
            c.code = code
            for n in range(g.nregs):
                if n != RSP:
                    c.g[n] = g.rand64() & ((1 << bits) - 1)
            c.g[RAX] = r.choice([0, 1, 7, 0x80000000]) if code == b"\x0f\xa2" else c.g[RAX]
            for n in regs:
                c.gmask(n, (1 << bits) - 1)
            c.hostdep = True
    # lar / lsl / verr / verw on the host's user selectors (0x23 0x2b 0x33), null, RPL 0-2, out of the GDT
    sels = [0x23, 0x2B, 0x33, 0x20, 0x28, 0x31, 0x2A, 0x00, 0x03, 0x04, 0x1234, 0xFFFF, 0x1B, 0x0B]
    for opc in (0x02, 0x03):
        for w in widths(bits)[1:]:
            for k in range(10):
                c = g.new()
                use_mem = k % 3 == 2
                reg = g.pick(1)[0]
                rm = g.mem(c, 2, avoid={reg}) if use_mem else g.pick(1)[0]
                sel = r.choice(sels) | (r.getrandbits(16) << 16 if k % 4 == 1 else 0)
                if use_mem:
                    rand_mem_bytes(g, c)
                    write_mem_val(c, DATA_off(c, rm, g), 16, sel)
                g.enc(c, bytes([0x0F, opc]), reg, rm, w)
                g.put(c, reg, bits, g.rand64(), True)
                if not use_mem:
                    g.put(c, rm, bits, sel, True)
                    if rm == reg:
                        g.put(c, reg, 32, sel, True)
    for digit in (4, 5):
        for k in range(12):
            c = g.new()
            use_mem = k % 3 == 2
            rm = g.mem(c, 2) if use_mem else g.pick(1)[0]
            sel = r.choice(sels)
            if use_mem:
                rand_mem_bytes(g, c)
                write_mem_val(c, DATA_off(c, rm, g), 16, sel)
            g.enc(c, b"\x0f\x00", digit, rm, 32)
            if not use_mem:
                g.put(c, rm, bits, g.rand64(), True)
                g.put(c, rm, 16, sel, True)
    # 32-bit only: arpl, bound, salc
    if bits == 32:
        for k in range(16):
            c = g.new()
            use_mem = k % 3 == 2
            reg = g.pick(1)[0]
            rm = g.mem(c, 2, avoid={reg}) if use_mem else g.pick(1)[0]
            if use_mem:
                rand_mem_bytes(g, c)
            g.enc(c, b"\x63", reg, rm, 32)
            set_operand_regs(g, c, [(reg, 32)] + ([] if use_mem else [(rm, 32)]), False)
        for w in (16, 32):
            for k in range(14):
                c = g.new()
                rand_mem_bytes(g, c)
                reg = g.pick(1)[0]
                rm = g.mem(c, 2 * w // 8, avoid={reg})
                off = DATA_off(c, rm, g)
                lo = sx(g.val(w), w)
                hi = lo + r.randrange(-2, 100)
                write_mem_val(c, off, w, lo)
                write_mem_val(c, off + w // 8, w, hi)
                idx = r.choice([lo, hi, lo - 1, hi + 1, (lo + hi) // 2, r.randrange(lo - 5, hi + 5)])
                g.enc(c, b"\x62", reg, rm, w)
                g.put(c, reg, 32, g.rand64(), False)
                g.put(c, reg, w, idx, False)
        for k in range(6):
            c = g.new()
            c.code = b"\xd6"
            g.put(c, RAX, 32, g.rand64(), False)
    # cache control and hints: clflush, clflushopt (memory: no architectural effect), prefetch (0F 18 with
    # a register operand, 0F 0D), the reserved-NOP space 0F 19-0F 1F (both forms)
    for op, digit, mand in ((b"\x0f\xae", 7, b""), (b"\x0f\xae", 7, b"\x66"), (b"\x0f\x0d", 0, b""), (b"\x0f\x0d", 1, b"")):
        for k in range(3):
            c = g.new()
            rand_mem_bytes(g, c)
            rm = g.mem(c, 1)
            g.enc(c, op, digit, rm, 32, mand=mand)
    for op in (b"\x0f\x18", b"\x0f\x0d"):
        for digit in range(8 if op == b"\x0f\x18" else 2):
            c = g.new()
            g.enc(c, op, digit, r.randrange(0, 8), 32)
            g.put(c, RAX, bits, g.rand64(), False)
    for opc in range(0x19, 0x20):
        for k in range(4):
            c = g.new()
            use_mem = k % 2 == 1
            rand_mem_bytes(g, c)
            rm = g.mem(c, 4, simple=True) if use_mem else r.randrange(0, 8)
            if opc == 0x1E and not use_mem and k == 0:
                rm = 2  # 0F 1E D0 (not F3: no endbr)
            g.enc(c, bytes([0x0F, opc]), r.randrange(0, 8), rm, 32)
    for op in (b"\x0f\xff", b"\x0f\xb9"):  # ud0 / ud1 with a memory operand
        c = g.new()
        rm = g.mem(c, 4, simple=True)
        g.enc(c, op, 1, rm, 32)


# ---------------------------------------------------------------------------------------------- families: segment registers


def gen_seg(g: Gen) -> None:
    r = g.r
    bits = g.bits
    # selectors the host has (0x23, 0x2b, 0x33), their RPL 0-2 forms, null, LDT, out of the GDT
    DSELS = [0x2B, 0x2B, 0x00, 0x03, 0x28, 0x29, 0x2A, 0x23, 0x33, 0x20, 0x04, 0x1234, 0xFFFC, 0x1B]
    # mov r/m, sreg (8C): reg 0-5 (6, 7: #UD); register destinations take 16/32/64-bit operand sizes
    for sr in range(8):
        for k in range(6):
            c = g.new()
            rand_mem_bytes(g, c)
            use_mem = k % 3 == 2
            w = [16, 32, 64 if bits == 64 else 32][k % 3]
            rm = g.mem(c, 2) if use_mem else g.pick(1)[0]
            g.enc(c, b"\x8c", sr, rm, w)
            if not use_mem:
                g.put(c, rm, bits, g.rand64(), True)
    # mov sreg, r/m (8E): es ss ds fs gs (cs: #UD)
    for sr in range(7):
        for k in range(10):
            c = g.new()
            rand_mem_bytes(g, c)
            use_mem = k % 3 == 2
            rm = g.mem(c, 2) if use_mem else g.pick(1)[0]
            sel = r.choice(DSELS if sr != 2 else [0x2B, 0x2B, 0x2B, 0x28, 0x29, 0x00, 0x23, 0x1234, 0x2F])
            if use_mem:
                write_mem_val(c, DATA_off(c, rm, g), 16, sel)
            g.enc(c, b"\x8e", sr, rm, 16 if k % 4 == 1 else 32)
            if not use_mem:
                g.put(c, rm, bits, (g.rand64() & ~0xFFFF) | sel, True)
    # push / pop segment registers (es cs ss ds: 32-bit only; fs gs: 0F A0/A1/A8/A9), 16-bit forms
    pushes = [(b"\x0f\xa0", None), (b"\x0f\xa8", None)]
    pops = [(b"\x0f\xa1", 4), (b"\x0f\xa9", 5)]
    if bits == 32:
        pushes += [(b"\x06", None), (b"\x0e", None), (b"\x16", None), (b"\x1e", None)]
        pops += [(b"\x07", 0), (b"\x17", 2), (b"\x1f", 3)]
    for code, _ in pushes:
        for k in range(6):
            c = g.new()
            rand_mem_bytes(g, c)
            c.g[RSP] = DATA + 32 + r.choice([0, 8, -8, 4])
            c.code = (b"\x66" if k % 3 == 2 else b"") + code
    for code, sr in pops:
        for k in range(10):
            c = g.new()
            rand_mem_bytes(g, c)
            sp = DATA + 32 + r.choice([0, 8, -8, 4])
            c.g[RSP] = sp
            o16 = k % 4 == 3
            sel = r.choice(DSELS if sr != 2 else [0x2B, 0x2B, 0x28, 0x00, 0x23])
            write_mem_val(c, sp - DATA, 16 if o16 else (64 if bits == 64 else 32),
                          sel | ((r.getrandbits(16) << 16) if k % 3 == 1 else 0))
            c.code = (b"\x66" if o16 else b"") + code
    # lds/les (32-bit), lss/lfs/lgs: far pointer m16:16/32 -> sreg + register. (With REX.W, Intel reads
    # m16:64 and AMD m16:32: not recorded.)
    ops = [(b"\x0f\xb2", 2), (b"\x0f\xb4", 4), (b"\x0f\xb5", 5)]
    if bits == 32:
        ops += [(b"\xc5", 3), (b"\xc4", 0)]
    for op, sr in ops:
        for k in range(12):
            c = g.new()
            rand_mem_bytes(g, c)
            w = [32, 16, 32][k % 3]
            reg = g.pick(1)[0]
            rm = g.mem(c, w // 8 + 2, avoid={reg}, simple=True)
            off = DATA_off(c, rm, g)
            sel = r.choice([0x2B, 0x2B, 0x00, 0x23, 0x28, 0x1234] if sr != 2 else [0x2B, 0x2B, 0x28, 0x00, 0x23])
            write_mem_val(c, off + w // 8, 16, sel)
            g.enc(c, op, reg, rm, w)
            g.put(c, reg, bits, g.rand64(), True)
    # pusha / popa (32-bit), 16-bit forms
    if bits == 32:
        for code in (b"\x60", b"\x61", b"\x66\x60", b"\x66\x61"):
            for k in range(6):
                c = g.new()
                rand_mem_bytes(g, c)
                c.code = code
                for n in range(8):
                    c.g[n] = g.rand64() & 0xFFFFFFFF
                c.g[RSP] = DATA + (32 if code[-1] == 0x60 else 0) + r.choice([0, 4, 8])


# ---------------------------------------------------------------------------------------------- additions to the older families
# (appended at the end of their generators, so the earlier cases of those files do not change)


def gen_mov_extra(g: Gen) -> None:
    r = g.r
    bits = g.bits
    # push r / pop r through every opcode byte (50-57, 58-5F; REX.B: r8-r15), 16-bit forms
    for n in range(g.nregs):
        for pop in (False, True):
            for k in range(2):
                c = g.new()
                rand_mem_bytes(g, c)
                sp = DATA + 32 + r.choice([0, 8, -8, 4])
                o16 = k == 1 and n % 3 == 0
                c.code = (b"\x66" if o16 else b"") + (bytes([0x41]) if n >= 8 else b"") + bytes([(0x58 if pop else 0x50) + (n & 7)])
                if n != RSP:
                    g.put(c, n, bits, g.rand64(), False)
                c.g[RSP] = sp
    # mov r, imm through every opcode byte (B0-B7 with and without REX, B8-BF 16/32/64)
    for n in range(g.nregs):
        for w in widths(bits):
            c = g.new()
            isz = {8: 1, 16: 2, 32: 4, 64: 8}[w]
            rexv = (0x48 if w == 64 else 0) | (n >> 3) | (0x40 if (w == 8 and bits == 64 and n % 2) else 0)
            c.code = (b"\x66" if w == 16 else b"") + (bytes([rexv | 0x40]) if rexv else b"") + \
                bytes([(0xB0 if w == 8 else 0xB8) + (n & 7)]) + imm_bytes(g.val(isz * 8), isz)
            for m in range(g.nregs):
                g.put(c, m, bits, g.rand64(), False)
    # bswap r16: the result is undefined (SDM BSWAP) -> the low 16 bits masked
    for n in range(g.nregs):
        c = g.new()
        c.code = b"\x66" + (bytes([0x41]) if n >= 8 else b"") + bytes([0x0F, 0xC8 + (n & 7)])
        g.put(c, n, bits, g.rand64(), False)
        c.gmask(n, 0xFFFF)
    # movsxd with a 16-bit operand size (66 63) and without REX.W (64-bit mode)
    if bits == 64:
        for k in range(12):
            c = g.new()
            use_mem = k % 3 == 2
            reg = g.pick(1)[0]
            rm = g.mem(c, 4, avoid={reg}) if use_mem else g.pick(1)[0]
            if use_mem:
                rand_mem_bytes(g, c)
            g.enc(c, b"\x63", reg, rm, 16 if k % 2 else 32, force_rex=k % 4 == 1)
            g.put(c, reg, 64, g.rand64(), True)
            if not use_mem:
                g.put(c, rm, 64, g.rand64(), True)


def gen_alu_extra(g: Gen) -> None:
    # test r/m, imm through F6 /1 and F7 /1 (undocumented aliases of /0)
    for w in widths(g.bits):
        for k in range(8):
            c = g.new()
            c.flmask(AF)
            use_mem = k % 3 == 2
            isz = 1 if w == 8 else (2 if w == 16 else 4)
            rm = g.mem(c, w // 8) if use_mem else g.pick(1)[0]
            if use_mem:
                rand_mem_bytes(g, c)
            rex = g.enc(c, b"\xf6" if w == 8 else b"\xf7", 1, rm, w, imm=imm_bytes(g.val(isz * 8), isz))
            if not use_mem:
                set_operand_regs(g, c, [(rm, w)], rex)


def gen_shift_extra(g: Gen) -> None:
    r = g.r
    # sal through /6 (undocumented alias of shl /4) in every opcode: D0 D1 D2 D3 C0 C1
    for w in widths(g.bits):
        for form in ("1", "cl", "imm"):
            for k in range(6):
                cnt = 1 if form == "1" else r.choice([0, 1, 2, w - 1, w, r.randrange(0, 64)])
                c = g.new()
                use_mem = k % 3 == 2
                opc = {"1": 0xD0, "cl": 0xD2, "imm": 0xC0}[form] + (0 if w == 8 else 1)
                avoid = {RCX} if form == "cl" else set()
                rm = g.mem(c, w // 8, avoid=avoid) if use_mem else g.pick(1, exclude=avoid | ({4, 5, 6, 7} if w == 8 else set()))[0]
                if use_mem:
                    rand_mem_bytes(g, c)
                rex = g.enc(c, bytes([opc]), 6, rm, w, imm=imm_bytes(cnt, 1) if form == "imm" else b"")
                if not use_mem:
                    set_operand_regs(g, c, [(rm, w)], rex)
                if form == "cl":
                    g.put(c, RCX, g.bits, g.rand64(), False)
                    g.put(c, RCX, 8, cnt, False)
                mc = cnt & (0x3F if w == 64 else 0x1F)
                if mc:
                    c.flmask(AF | (OF if mc != 1 else 0) | (CF if mc >= w else 0))


def approx_lane(g: Gen, rsqrt: bool) -> tuple[int, int]:
    """(input, mask) for one rcp/rsqrt lane: a normal input whose exact result has its low 13 mantissa bits
    near 0x1000, so any approximation within the architectural 1.5 * 2^-12 relative error differs from it
    only in those (masked) bits; or a special input with an exact result (mask 0)."""
    r = g.r
    if r.random() < 0.25:
        return r.choice([0x00000000, 0x80000000, 0x7F800000, 0xFF800000, 0x7FC00000, 0xFFC00001, 0x7F800001]), 0
    e = r.randrange(-40, 40)
    m = (r.getrandbits(10) << 13) | 0x1000 | r.randrange(-64, 64)
    res = (1.0 + m / 2.0 ** 23) * 2.0 ** e
    x = 1.0 / (res * res) if rsqrt else 1.0 / res
    if not rsqrt and r.random() < 0.3:
        x = -x
    return f32(x), 0x1FFF


def gen_sse_extra(g: Gen) -> None:
    r = g.r
    # comiss ucomiss comisd ucomisd with a memory operand
    for opc in (0x2E, 0x2F):
        for mand, kind in ((PS, "ss"), (PD, "sd")):
            sse_case(g, bytes([0x0F, opc]), mand, kind, 9, memsize=4 if kind == "ss" else 8, align=1)
    # rcpps rcpss rsqrtps rsqrtss: approximations (the low bits of normal results masked, see approx_lane)
    for opc, rsqrt in ((0x53, False), (0x52, True)):
        for mand in (PS, SS):
            for k in range(16):
                c = g.new()
                use_mem = k % 3 == 2
                reg = r.randrange(0, g.nregs)
                lanes = [approx_lane(g, rsqrt) for _ in range(4)]
                v = sum(x << (32 * i) for i, (x, _) in enumerate(lanes))
                mk = sum(m << (32 * i) for i, (_, m) in enumerate(lanes))
                if mand == SS:
                    mk &= 0xFFFFFFFF
                if use_mem:
                    rand_mem_bytes(g, c)
                    rm = g.mem(c, 16 if mand == PS else 4, align=16 if mand == PS else 1)
                    off = DATA_off(c, rm, g)
                    c.mem[off:off + (16 if mand == PS else 4)] = v.to_bytes(16, "little")[:16 if mand == PS else 4]
                else:
                    rm = r.randrange(0, g.nregs)
                g.enc(c, bytes([0x0F, opc]), reg, rm, 32, mand=mand)
                c.xmm[reg] = xmm_int(g)
                if not use_mem:
                    c.xmm[rm] = v
                c.xmask(reg, mk)


# ---------------------------------------------------------------------------------------------- driver


FAMILIES = {
    "alu": (gen_alu, (64, 32)),
    "mov": (gen_mov, (64, 32)),
    "shift": (gen_shift, (64, 32)),
    "muldiv": (gen_muldiv, (64, 32)),
    "bits": (gen_bits, (64, 32)),
    "string": (gen_string, (64, 32)),
    "bcd": (gen_bcd, (32,)),
    "misc": (gen_misc, (64, 32)),
    "sse": (gen_sse, (64, 32)),
    "sseint": (gen_sse_int, (64, 32)),
    "x87": (gen_x87, (64, 32)),
    "x87ext": (gen_x87ext, (64, 32)),
    "fpstate": (gen_fpstate, (64, 32)),
    "mmx": (gen_mmx, (64, 32)),
    "bmi": (gen_bmi, (64, 32)),
    "control": (gen_control, (64, 32)),
    "system": (gen_system, (64, 32)),
    "seg": (gen_seg, (64, 32)),
}
# Families whose cases may branch (the vector then gives the target: rip=).
BRANCHING = {"control"}


def disassemble(bits: int, cases: list[Case]) -> list[str]:
    """objdump's Intel-syntax text of every case. Each case is followed by 16 NOPs in the blob so that a
    misdecode cannot spill into the next case; warns when objdump's length differs from the case's."""
    pad = b"\x90" * 16
    blob = bytearray()
    starts = []
    for c in cases:
        starts.append(len(blob))
        blob += c.code + pad
    with tempfile.NamedTemporaryFile(suffix=".bin", delete=False) as f:
        f.write(blob)
        path = f.name
    try:
        arch = "i386:x86-64" if bits == 64 else "i386"
        out = subprocess.run(["objdump", "-D", "-b", "binary", "-m", arch, "-M", "intel", path],
                             check=True, capture_output=True, text=True).stdout
    finally:
        os.unlink(path)
    texts: dict[int, str] = {}
    for line in out.splitlines():
        m = re.match(r"^\s*([0-9a-f]+):\t[0-9a-f ]+\t(.*)$", line)
        if m:
            t = re.sub(r"\s+", " ", m.group(2).split("#")[0]).strip()
            texts[int(m.group(1), 16)] = t
    addrs = sorted(texts)
    import bisect

    res = []
    for c, s in zip(cases, starts):
        t = texts.get(s, "?")
        k = bisect.bisect_right(addrs, s)
        nxt = addrs[k] if k < len(addrs) else None
        if nxt != s + len(c.code):
            if "(bad)" not in t:
                print(f"warning: {bits} {c.code.hex()}: objdump decodes {t!r} with another length", file=sys.stderr)
            t = "(bad)" if "(bad)" in t else t + " ?"
        res.append(t.replace("|", "/"))
    return res


# objdump shows the undocumented x87 register-form aliases as (bad); name them (AMD/Intel execute them).
X87_ALIASES = {(0xDC, 0xD0): "fcom2", (0xDC, 0xD8): "fcomp3", (0xDE, 0xD0): "fcomp5", (0xDD, 0xC8): "fxch4",
               (0xDF, 0xC8): "fxch7", (0xD9, 0xD8): "fstp1", (0xDF, 0xD0): "fstp8", (0xDF, 0xD8): "fstp9"}


def alias_text(code: bytes, text: str) -> str:
    if text == "(bad)" and len(code) == 2 and (code[0], code[1] & 0xF8) in X87_ALIASES:
        return f"{X87_ALIASES[(code[0], code[1] & 0xF8)]} st({code[1] & 7})"
    return text


def normalize_hostdep(c: Case, line: str) -> str:
    """Zeroes the masked bits of the GPR and mem outputs of a case whose values come from the host (time,
    CPU number, the kernel's UMIP emulation), so that the files are deterministic."""
    parts = line.split(" | ")
    fields = []
    for f in parts[2].split(" "):
        k, _, v = f.partition("=")
        if k in c.mask and (k in G64 or k in G32):
            v = f"{int(v, 16) & ~c.mask[k]:0{len(v)}x}"
        elif k == "mem" and c.memmask is not None:
            v = bytes(b & ~m for b, m in zip(bytes.fromhex(v), c.memmask)).hex()
        fields.append(f"{k}={v}" if _ else k)
    parts[2] = " ".join(fields)
    return " | ".join(parts)


def run_family(name: str, bits: int, cases_only: bool = False) -> tuple[int, str]:
    fn, _ = FAMILIES[name]
    g = Gen(name, bits)
    fn(g)
    cases = [c for c in g.cases if c.code]
    texts = [alias_text(c.code, t) for c, t in zip(cases, disassemble(bits, cases))]
    lines = [c.line(t) for c, t in zip(cases, texts)]
    if cases_only:
        return len(lines), "\n".join(lines) + "\n"
    p = subprocess.run([HARNESS], input="\n".join(lines) + "\n", capture_output=True, text=True)
    if p.returncode != 0:
        sys.stderr.write(p.stderr)
        raise SystemExit(f"harness failed on {name}.{bits}")
    out = [l for l in p.stdout.splitlines() if l and not l.startswith("#")]
    if len(out) != len(lines):
        raise SystemExit(f"harness returned {len(out)} lines for {len(lines)} cases")
    out = [normalize_hostdep(c, l) if c.hostdep else l for c, l in zip(cases, out)]
    if name not in BRANCHING:
        for l in out:
            if " rip=" in l.split(" | ")[2]:
                raise SystemExit(f"{name}.{bits}: a case branched (not a branching family): {l[:160]}")
    header = HEADER.format(family=name, bits=bits, cpu=cpu_name())
    return len(out), header + "\n".join(out) + "\n"


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--only", nargs="*", help="families to generate")
    ap.add_argument("--cases", nargs=2, metavar=("FAMILY", "BITS"), help="print the case lines only")
    a = ap.parse_args()
    if a.cases:
        n, text = run_family(a.cases[0], int(a.cases[1]), cases_only=True)
        sys.stdout.write(text)
        return
    if not os.path.exists(HARNESS):
        raise SystemExit("build the harness first: bash test/hw/build.sh")
    os.makedirs(OUTDIR, exist_ok=True)
    total = 0
    for name, (_, modes) in FAMILIES.items():
        if a.only and name not in a.only:
            continue
        for bits in modes:
            n, text = run_family(name, bits)
            path = os.path.join(OUTDIR, f"{name}.{bits}.txt")
            with open(path, "w") as f:
                f.write(text)
            total += n
            print(f"{name}.{bits}: {n} vectors", file=sys.stderr)
    print(f"total: {total}", file=sys.stderr)


if __name__ == "__main__":
    main()
