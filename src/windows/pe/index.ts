/** The PE parser: pure functions over a Uint8Array (no file system access; callers read the file). */
export * from "./types";
export { PeError } from "./error";
export { parsePe, tryParsePe } from "./parse";
export type { ParseResult } from "./parse";
export { mapImage, imageLayout } from "./map";
export type { MapPiece } from "./map";
export { applyRelocations } from "./relocations";
export { findExportByName, findExportByOrdinal, parseForwarder } from "./exports";
export { lookupFunction, UNWIND_CHAIN_LIMIT } from "./unwind";
export { computeChecksum } from "./checksum";
export { MAX_SECTIONS } from "./headers";
