/**
 * x87 state. Registers hold doubles (the emulator runs x87 at double precision); the physical register
 * file is indexed by (top + i) & 7 for ST(i).
 */
export class Fpu {
  /** Physical registers R0..R7. */
  readonly regs = new Float64Array(8);
  /** Stack top (TOP field of the status word), 0..7. */
  top = 0;
  /** Control word: Windows initialises x87 to 0x27F (53-bit precision, all exceptions masked). */
  cw = 0x27f;
  /** Status word without TOP (TOP is kept in `top`). */
  sw = 0;
  /** Tag word, 2 bits per physical register: 0 valid, 1 zero, 2 special, 3 empty. */
  tw = 0xffff;
  /** Last instruction/data pointers (fnstenv/fxsave). */
  fip = 0;
  fdp = 0;
  fop = 0;

  /** Full status word with TOP. */
  statusWord(): number {
    return (this.sw & ~0x3800) | ((this.top & 7) << 11);
  }

  reset(): void {
    this.regs.fill(0);
    this.top = 0;
    this.cw = 0x37f;
    this.sw = 0;
    this.tw = 0xffff;
    this.fip = 0;
    this.fdp = 0;
    this.fop = 0;
  }

  // ---- MMX (owned by the SSE/MMX family, src/cpu/sem/mmx.ts)

  /**
   * MM0..MM7, two dwords each. On hardware MMi is the 64-bit mantissa of physical register Ri (and an MMX
   * write sets Ri's exponent to all ones). Deviation: `regs` holds doubles, so MMX keeps this separate
   * store and does not alias the x87 values bit-exactly; fxsave/fxrstor reconcile the two via `mmxOwned`.
   */
  readonly mmx = new Int32Array(16);
  /** Physical registers last written by an MMX instruction (bit i = Ri). x87 writes to Ri should clear bit i. */
  mmxOwned = 0;

  /** Every MMX instruction but EMMS: TOP = 0 and all tags valid (SDM Vol. 1 9.5.1, Table 9-3). */
  enterMmx(): void {
    this.top = 0;
    this.tw = 0;
  }

  /** EMMS: all tags empty (SDM Vol. 2 "EMMS"). */
  emms(): void {
    this.tw = 0xffff;
  }
}
