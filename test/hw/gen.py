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
# Code at 0x20010000; 64-byte data buffer at 0x20020fe0, across a page boundary (mem = its bytes in order).
# in:  unlisted fields take defaults: GPRs 0, fl=202, mem zero, xN 0, mxcsr=1f80, fcw=037f, fsw=0
#      (without TOP), x87 stack empty. xN = the 128-bit register as one number, most significant first.
#      st=ST(0),ST(1),... as IEEE double bit patterns ('-' empty); TOP = (8 - count) mod 8.
# out: unlisted fields equal their input value; fl (RFLAGS bits 0-11) always listed; fsw includes TOP;
#      st = the stack after (x87 values rounded to double); exc=DE|UD|GP|SS|PF|... when it faulted.
#      Without exc, RIP after = code + length.
# mask: architecturally undefined bits (Intel SDM) not to compare: fl=<RFLAGS bits> <gpr>=<bits>
#      fsw=<bits>. Flags compared: CF PF AF ZF SF OF DF.
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
        order = ["fl"] + G64 + G32 + ["fsw"]
        ms = [f"{k}={self.mask[k]:x}" for k in order if self.mask.get(k)]
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
            simple=False) -> "Mem":
        """A memory operand addressing DATA+off (off random unless given). Sets the address registers."""
        r = self.r
        if off is None:
            hi = MEMSZ - size
            off = r.randrange(0, hi // align + 1) * align
            if align == 1 and size > 1 and r.random() < 0.3:
                off = r.randrange(PAGE_SPLIT - size + 1, PAGE_SPLIT)  # straddles the page boundary
        ea = DATA + off
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
}


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


def run_family(name: str, bits: int, cases_only: bool = False) -> tuple[int, str]:
    fn, _ = FAMILIES[name]
    g = Gen(name, bits)
    fn(g)
    cases = [c for c in g.cases if c.code]
    texts = disassemble(bits, cases)
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
