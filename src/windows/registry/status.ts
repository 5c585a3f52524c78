/**
 * NTSTATUS values the registry returns beyond `../kernel/status` (ntstatus.h, unsigned 32-bit; Microsoft's
 * names). Everything is re-exported so the registry imports one module. When the key syscalls are wired,
 * these move into `../kernel/status`.
 */
export * from "../kernel/status";

export const STATUS_NO_MORE_ENTRIES = 0x8000001a;
export const STATUS_OBJECT_NAME_COLLISION = 0xc0000035;
export const STATUS_OBJECT_PATH_SYNTAX_BAD = 0xc000003b;
export const STATUS_INSUFFICIENT_RESOURCES = 0xc000009a;
export const STATUS_NAME_TOO_LONG = 0xc0000106;
export const STATUS_CANNOT_DELETE = 0xc0000121;
export const STATUS_KEY_DELETED = 0xc000017c;
export const STATUS_CHILD_MUST_BE_VOLATILE = 0xc0000181;
