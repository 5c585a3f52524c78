/**
 * Reads of the image by RVA, from the file. A structure the parser follows must lie in the headers or in
 * the file-backed part of one section: data in the zero-filled tail of a section (VirtualSize beyond
 * SizeOfRawData) is refused rather than read as zeros, which keeps every loop bounded by the file's size.
 */
import { PeError, hx } from "./error";
import { FileReader } from "./reader";
import { Section } from "./types";
import { alignUp } from "./headers";

/** Who refers to the data being read: the field holding the RVA, its value and its file offset. */
export interface Ref {
  field: string;
  value: number;
  offset: number | undefined;
}

export class ImageView {
  private last: Section | undefined;

  constructor(
    readonly file: FileReader,
    readonly sections: Section[],
    readonly sizeOfHeaders: number,
    readonly sectionAlignment: number,
    readonly mappedSize: number,
  ) {}

  /** The section whose memory range holds `rva`, if any. */
  sectionOf(rva: number): Section | undefined {
    const l = this.last;
    if (
      l !== undefined &&
      rva >= l.virtualAddress &&
      rva < l.virtualAddress + alignUp(l.memorySize, this.sectionAlignment)
    ) {
      return l;
    }
    for (const s of this.sections) {
      if (rva >= s.virtualAddress && rva < s.virtualAddress + alignUp(s.memorySize, this.sectionAlignment)) {
        this.last = s;
        return s;
      }
    }
    return undefined;
  }

  /** The file offset of [rva, rva + size), or the reason it has none. */
  resolve(rva: number, size: number): number | string {
    if (!Number.isInteger(rva) || rva < 0 || rva + size > this.mappedSize) {
      return `RVA ${hx(rva)} (${size} bytes) lies outside the image (SizeOfImage ${hx(this.mappedSize)})`;
    }
    const firstSection = this.sections.length > 0 ? this.sections[0].virtualAddress : this.mappedSize;
    if (rva < Math.min(this.sizeOfHeaders, firstSection)) {
      if (rva + size > this.sizeOfHeaders) {
        return `RVA ${hx(rva)} (${size} bytes) runs past the end of the headers (SizeOfHeaders ${hx(this.sizeOfHeaders)})`;
      }
      if (rva + size > this.file.length) {
        return `RVA ${hx(rva)} (${size} bytes) is in the headers but past the end of the file`;
      }
      return rva;
    }
    const s = this.sectionOf(rva);
    if (s === undefined) return `RVA ${hx(rva)} is not inside any section`;
    const within = rva - s.virtualAddress;
    if (within + size > s.fileSize) {
      return (
        `RVA ${hx(rva)} (${size} bytes) is beyond the ${hx(s.fileSize)} bytes section ` +
        `${JSON.stringify(s.name)} has in the file`
      );
    }
    return s.pointerToRawData + within;
  }

  /** Like resolve, but a PeError naming `ref` when the data is not readable. */
  at(rva: number, size: number, ref: Ref): number {
    const r = this.resolve(rva, size);
    if (typeof r === "string") throw new PeError(ref.field, ref.value, ref.offset, r);
    return r;
  }

  u16(rva: number, ref: Ref): number {
    return this.file.view.getUint16(this.at(rva, 2, ref), true);
  }

  u32(rva: number, ref: Ref): number {
    return this.file.view.getUint32(this.at(rva, 4, ref), true);
  }

  /** A 64-bit value as halves. */
  u64(rva: number, ref: Ref): { lo: number; hi: number } {
    const o = this.at(rva, 8, ref);
    return { lo: this.file.view.getUint32(o, true), hi: this.file.view.getUint32(o + 4, true) };
  }

  /** A NUL-terminated ANSI string of at most `max` characters. */
  cstring(rva: number, max: number, ref: Ref): string {
    const start = this.at(rva, 1, ref);
    // The string must end inside the same readable run of bytes it starts in.
    const runEnd = this.runEnd(rva, start);
    const limit = Math.min(runEnd, start + max + 1);
    const b = this.file.bytes;
    for (let k = start; k < limit; k++) {
      if (b[k] === 0) {
        let s = "";
        for (let j = start; j < k; j++) s += String.fromCharCode(b[j]);
        return s;
      }
    }
    const why =
      limit === runEnd
        ? `the string at RVA ${hx(rva)} runs past the end of its section's file data without a NUL`
        : `the string at RVA ${hx(rva)} is longer than ${max} characters`;
    throw new PeError(ref.field, ref.value, ref.offset, why);
  }

  /** File offset where the readable run holding `rva` (file offset `off`) ends. */
  private runEnd(rva: number, off: number): number {
    const firstSection = this.sections.length > 0 ? this.sections[0].virtualAddress : this.mappedSize;
    if (rva < Math.min(this.sizeOfHeaders, firstSection))
      return Math.min(this.sizeOfHeaders, this.file.length);
    const s = this.sectionOf(rva);
    return s === undefined ? off : s.pointerToRawData + s.fileSize;
  }
}
