/**
 * NTSTATUS values the file system returns beyond those of `../kernel/status` (ntstatus.h, unsigned 32-bit,
 * Microsoft's names). Everything is re-exported, so fs code and its callers import one module.
 */
export * from "../kernel/status";

export const STATUS_NO_MORE_FILES = 0x80000006;
export const STATUS_NO_SUCH_FILE = 0xc000000f;
export const STATUS_OBJECT_NAME_COLLISION = 0xc0000035;
export const STATUS_OBJECT_PATH_INVALID = 0xc0000039;
export const STATUS_OBJECT_PATH_NOT_FOUND = 0xc000003a;
export const STATUS_OBJECT_PATH_SYNTAX_BAD = 0xc000003b;
export const STATUS_SHARING_VIOLATION = 0xc0000043;
export const STATUS_DELETE_PENDING = 0xc0000056;
export const STATUS_DISK_FULL = 0xc000007f;
export const STATUS_FILE_IS_A_DIRECTORY = 0xc00000ba;
export const STATUS_BAD_NETWORK_PATH = 0xc00000be;
export const STATUS_NOT_SAME_DEVICE = 0xc00000d4;
export const STATUS_DIRECTORY_NOT_EMPTY = 0xc0000101;
export const STATUS_NOT_A_DIRECTORY = 0xc0000103;
export const STATUS_CANNOT_DELETE = 0xc0000121;
