/**
 * Base relocations: parsing the .reloc blocks and applying them to a mapped image
 * (PE/COFF specification, "The .reloc Section (Image Only)").
 */
import { PeError, hx } from "./error";
import { TWO32 } from "./reader";
import {
  IMAGE_REL_BASED_ABSOLUTE,
  IMAGE_REL_BASED_DIR64,
  IMAGE_REL_BASED_HIGHLOW,
  PeImage,
  Relocation,
  USER_SPACE_END_32,
  USER_SPACE_END_64,
} from "./types";
import { ImageView } from "./view";

const TYPE_NAMES: Record<number, string> = {
  0: "ABSOLUTE",
  1: "HIGH",
  2: "LOW",
  3: "HIGHLOW",
  4: "HIGHADJ",
  5: "MIPS_JMPADDR/ARM_MOV32",
  7: "THUMB_MOV32",
  8: "RISCV_LOW12S",
  9: "MIPS_JMPADDR16",
  10: "DIR64",
};

export function parseRelocations(
  view: ImageView,
  dirRva: number,
  dirSize: number,
  dirOffset: number,
): Relocation[] {
  const out: Relocation[] = [];
  let pos = 0;
  let block = 0;
  while (pos < dirSize) {
    const f = `IMAGE_BASE_RELOCATION[${block}]`;
    const blockRva = dirRva + pos;
    // A trailing fragment too short for a block header is a truncated block.
    if (dirSize - pos < 8) {
      const at = view.resolve(blockRva, 1);
      throw new PeError(
        f,
        dirSize - pos,
        typeof at === "number" ? at : undefined,
        `only ${dirSize - pos} bytes are left in the relocation directory, less than a block header`,
      );
    }
    const ref = { field: `${f}`, value: blockRva, offset: dirOffset };
    const headerOffset = view.at(blockRva, 8, ref);
    const pageRva = view.file.view.getUint32(headerOffset, true);
    const size = view.file.view.getUint32(headerOffset + 4, true);
    // An all-zero block header ends the list early: some linkers pad the directory with zeros, and the
    // Windows loader stops there too. A zero size after a real page RVA is a broken block.
    if (pageRva === 0 && size === 0) break;
    if (size < 8 || size % 2 !== 0) {
      throw new PeError(
        `${f}.SizeOfBlock`,
        size,
        headerOffset + 4,
        "a block is its 8-byte header plus 2-byte entries: the size must be an even number of at least 8",
      );
    }
    if (size > dirSize - pos) {
      throw new PeError(
        `${f}.SizeOfBlock`,
        size,
        headerOffset + 4,
        `the block runs past the end of the relocation directory (${hx(dirSize - pos)} bytes left)`,
      );
    }
    if (pageRva >= view.mappedSize) {
      throw new PeError(
        `${f}.VirtualAddress`,
        pageRva,
        headerOffset,
        `the page RVA lies outside the image (SizeOfImage ${hx(view.mappedSize)})`,
      );
    }
    const entries = (size - 8) / 2;
    const entriesOffset = view.at(blockRva + 8, size - 8, ref);
    for (let k = 0; k < entries; k++) {
      const at = entriesOffset + 2 * k;
      const e = view.file.view.getUint16(at, true);
      const type = e >>> 12;
      const rva = pageRva + (e & 0xfff);
      if (type === IMAGE_REL_BASED_ABSOLUTE) continue; // padding
      if (type !== IMAGE_REL_BASED_HIGHLOW && type !== IMAGE_REL_BASED_DIR64) {
        throw new PeError(
          `${f}.TypeOffset[${k}]`,
          e,
          at,
          `relocation type ${type} (${TYPE_NAMES[type] ?? "unknown"}) is not used by i386 or AMD64 images`,
        );
      }
      const width = type === IMAGE_REL_BASED_DIR64 ? 8 : 4;
      if (rva + width > view.mappedSize) {
        throw new PeError(
          `${f}.TypeOffset[${k}]`,
          e,
          at,
          `the ${width}-byte target at RVA ${hx(rva)} runs past the end of the image`,
        );
      }
      out.push({ rva, type });
    }
    pos += size;
    block++;
  }
  return out;
}

/**
 * Applies the image's base relocations to `mapped` (the image as mapImage lays it out), moving it from
 * its preferred ImageBase to `newBase`, and records the new base in the mapped header's
 * OptionalHeader.ImageBase, as the Windows loader does.
 */
export function applyRelocations(mapped: Uint8Array, image: PeImage, newBase: number): void {
  const end = image.bits === 64 ? USER_SPACE_END_64 : USER_SPACE_END_32;
  if (
    !Number.isInteger(newBase) ||
    newBase < 0 ||
    newBase % 0x10000 !== 0 ||
    newBase + image.mappedSize > end
  ) {
    throw new PeError(
      "newBase",
      Number.isInteger(newBase) && newBase >= 0 ? newBase : String(newBase),
      undefined,
      `an image base must be a multiple of 64 KB with the image below ${hx(end)}`,
    );
  }
  if (mapped.length < image.mappedSize) {
    throw new PeError(
      "mapped",
      mapped.length,
      undefined,
      `shorter than the image (${hx(image.mappedSize)} bytes)`,
    );
  }
  const delta = newBase - image.imageBase;
  if (delta === 0) return;
  if (image.relocsStripped) {
    throw new PeError(
      "IMAGE_FILE_HEADER.Characteristics",
      image.fileHeader.characteristics,
      image.ntHeadersOffset + 4 + 18,
      `IMAGE_FILE_RELOCS_STRIPPED: the image cannot move from ${hx(image.imageBase)} to ${hx(newBase)}`,
    );
  }
  const dv = new DataView(mapped.buffer, mapped.byteOffset, mapped.byteLength);
  // The delta as a 64-bit two's complement value in two halves.
  const deltaLo = ((delta % TWO32) + TWO32) % TWO32;
  const deltaHi = (Math.floor(delta / TWO32) + TWO32) % TWO32;
  for (const r of image.relocations) {
    if (r.type === IMAGE_REL_BASED_HIGHLOW) {
      dv.setUint32(r.rva, (dv.getUint32(r.rva, true) + deltaLo) >>> 0, true);
    } else {
      const lo = dv.getUint32(r.rva, true) + deltaLo;
      const carry = lo >= TWO32 ? 1 : 0;
      dv.setUint32(r.rva, lo >>> 0, true);
      dv.setUint32(r.rva + 4, (dv.getUint32(r.rva + 4, true) + deltaHi + carry) >>> 0, true);
    }
  }
  const ib = image.optionalHeaderOffset + (image.bits === 64 ? 24 : 28);
  if (ib + (image.bits === 64 ? 8 : 4) <= image.optionalHeader.sizeOfHeaders) {
    dv.setUint32(ib, newBase % TWO32, true);
    if (image.bits === 64) dv.setUint32(ib + 4, Math.floor(newBase / TWO32), true);
  }
}
