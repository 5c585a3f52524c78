/** Why a process could not be created: a message for people and the NTSTATUS Windows would report. */
import type { PeError } from "../pe";

export const STATUS_INVALID_IMAGE_FORMAT = 0xc000007b;
export const STATUS_DLL_NOT_FOUND = 0xc0000135;
export const STATUS_ORDINAL_NOT_FOUND = 0xc0000138;
export const STATUS_ENTRYPOINT_NOT_FOUND = 0xc0000139;
export const STATUS_DLL_INIT_FAILED = 0xc0000142;
export const STATUS_ILLEGAL_DLL_RELOCATION = 0xc0000269;
export const STATUS_STACK_OVERFLOW = 0xc00000fd;

export class LoadError extends Error {
  override readonly name = "LoadError";

  constructor(
    message: string,
    /** The NTSTATUS the Windows loader reports for the same failure. */
    readonly status: number,
    /** The parser's record when the image itself is malformed. */
    readonly peError?: PeError,
  ) {
    super(message);
  }
}
