/**
 * The in-memory layout of an image: headers at RVA 0, each section at its RVA, the rest zero
 * (PE/COFF specification, "Section Table": a section's VirtualSize larger than SizeOfRawData is
 * zero-padded; SizeOfRawData beyond VirtualSize is not mapped).
 */
import { PeImage } from "./types";
import { parsePe } from "./parse";

/** One copy from the file into the image. */
export interface MapPiece {
  /** Section index, or -1 for the headers. */
  section: number;
  fileOffset: number;
  rva: number;
  /** Bytes copied from the file. */
  fileSize: number;
  /** Bytes the piece spans in memory (fileSize plus zero fill), unaligned. */
  memorySize: number;
}

/** What to copy where, for a loader that writes the image into guest memory itself. */
export function imageLayout(image: PeImage, fileLength: number): MapPiece[] {
  const o = image.optionalHeader;
  const pieces: MapPiece[] = [
    {
      section: -1,
      fileOffset: 0,
      rva: 0,
      fileSize: Math.min(o.sizeOfHeaders, fileLength),
      memorySize: o.sizeOfHeaders,
    },
  ];
  for (const s of image.sections) {
    pieces.push({
      section: s.index,
      fileOffset: s.pointerToRawData,
      rva: s.virtualAddress,
      fileSize: s.fileSize,
      memorySize: s.memorySize,
    });
  }
  return pieces;
}

/** The image as the loader maps it: `image.mappedSize` bytes. Parses `file` unless `image` is given. */
export function mapImage(file: Uint8Array, image: PeImage = parsePe(file)): Uint8Array {
  const out = new Uint8Array(image.mappedSize);
  for (const p of imageLayout(image, file.length)) {
    if (p.fileSize > 0) out.set(file.subarray(p.fileOffset, p.fileOffset + p.fileSize), p.rva);
  }
  return out;
}
