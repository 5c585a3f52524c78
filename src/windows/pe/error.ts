/**
 * The one error the PE parser throws: which field is wrong, its value, where it is in the file, and why.
 * Field names are those of the Windows SDK structures (`IMAGE_OPTIONAL_HEADER.FileAlignment`,
 * `IMAGE_SECTION_HEADER[2].PointerToRawData`, `IMAGE_IMPORT_DESCRIPTOR[0].Name`, …).
 */
export class PeError extends Error {
  override readonly name = "PeError";

  constructor(
    /** The structure field at fault. */
    readonly field: string,
    /** The offending value (a number, or a string for names). */
    readonly value: number | bigint | string | undefined,
    /** File offset of the field, when it has one. */
    readonly offset: number | undefined,
    /** Why the value is refused, for a person. */
    readonly reason: string,
  ) {
    super(formatPeError(field, value, offset, reason));
  }
}

function formatValue(v: number | bigint | string): string {
  if (typeof v === "string") return JSON.stringify(v);
  if (typeof v === "bigint") return "0x" + v.toString(16).toUpperCase();
  if (Number.isInteger(v) && v >= 0) return "0x" + v.toString(16).toUpperCase();
  return String(v);
}

function formatPeError(
  field: string,
  value: number | bigint | string | undefined,
  offset: number | undefined,
  reason: string,
): string {
  let s = field;
  if (value !== undefined) s += ` = ${formatValue(value)}`;
  if (offset !== undefined) s += ` (file offset 0x${offset.toString(16).toUpperCase()})`;
  return `${s}: ${reason}`;
}

/** Hex for messages. */
export function hx(v: number): string {
  return "0x" + v.toString(16).toUpperCase();
}
