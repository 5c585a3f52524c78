/**
 * NTSTATUS values the kernel, WOW64 and API layers return beyond those of `../ntstatus` (ntstatus.h,
 * unsigned 32-bit; Microsoft's names). Everything is re-exported so the layers import one module.
 */
export * from "../ntstatus";

export const STATUS_ALERTED = 0x00000101;
export const STATUS_TIMEOUT = 0x00000102;
export const STATUS_PENDING = 0x00000103;
export const STATUS_DATATYPE_MISALIGNMENT = 0x80000002;
export const STATUS_BUFFER_OVERFLOW = 0x80000005;
export const STATUS_INVALID_INFO_CLASS = 0xc0000003;
export const STATUS_INFO_LENGTH_MISMATCH = 0xc0000004;
export const STATUS_INVALID_DEVICE_REQUEST = 0xc0000010;
export const STATUS_END_OF_FILE = 0xc0000011;
export const STATUS_BUFFER_TOO_SMALL = 0xc0000023;
export const STATUS_OBJECT_TYPE_MISMATCH = 0xc0000024;
export const STATUS_INVALID_PARAMETER_MIX = 0xc0000030;
export const STATUS_OBJECT_NAME_INVALID = 0xc0000033;
export const STATUS_OBJECT_NAME_NOT_FOUND = 0xc0000034;
export const STATUS_PROCEDURE_NOT_FOUND = 0xc000007a;
export const STATUS_INVALID_IMAGE_FORMAT = 0xc000007b;
export const STATUS_PROCESS_IS_TERMINATING = 0xc000010a;
export const STATUS_DLL_NOT_FOUND = 0xc0000135;
export const STATUS_ORDINAL_NOT_FOUND = 0xc0000138;
export const STATUS_ENTRYPOINT_NOT_FOUND = 0xc0000139;
export const STATUS_PIPE_BROKEN = 0xc000014b;
export const STATUS_CANT_TERMINATE_SELF = 0xc00000db;
export const STATUS_HANDLE_NOT_CLOSABLE = 0xc0000235;
