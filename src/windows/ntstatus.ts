/**
 * NTSTATUS values (ntstatus.h), as unsigned 32-bit numbers. Only the codes the Windows layer returns are
 * listed; the names are Microsoft's.
 */

export const STATUS_SUCCESS = 0x00000000;
export const STATUS_IMAGE_NOT_AT_BASE = 0x40000003;
export const STATUS_GUARD_PAGE_VIOLATION = 0x80000001;
export const STATUS_UNSUCCESSFUL = 0xc0000001;
export const STATUS_NOT_IMPLEMENTED = 0xc0000002;
export const STATUS_ACCESS_VIOLATION = 0xc0000005;
export const STATUS_IN_PAGE_ERROR = 0xc0000006;
export const STATUS_INVALID_HANDLE = 0xc0000008;
export const STATUS_INVALID_PARAMETER = 0xc000000d;
export const STATUS_NO_MEMORY = 0xc0000017;
export const STATUS_CONFLICTING_ADDRESSES = 0xc0000018;
export const STATUS_NOT_MAPPED_VIEW = 0xc0000019;
export const STATUS_UNABLE_TO_FREE_VM = 0xc000001a;
export const STATUS_UNABLE_TO_DELETE_SECTION = 0xc000001b;
export const STATUS_INVALID_VIEW_SIZE = 0xc000001f;
export const STATUS_INVALID_FILE_FOR_SECTION = 0xc0000020;
export const STATUS_ALREADY_COMMITTED = 0xc0000021;
export const STATUS_ACCESS_DENIED = 0xc0000022;
export const STATUS_NOT_COMMITTED = 0xc000002d;
export const STATUS_SECTION_TOO_BIG = 0xc0000040;
export const STATUS_INVALID_PAGE_PROTECTION = 0xc0000045;
export const STATUS_SECTION_PROTECTION = 0xc000004e;
export const STATUS_PRIVILEGE_NOT_HELD = 0xc0000061;
export const STATUS_FREE_VM_NOT_AT_BASE = 0xc000009f;
export const STATUS_MEMORY_NOT_ALLOCATED = 0xc00000a0;
export const STATUS_NOT_SUPPORTED = 0xc00000bb;
export const STATUS_INVALID_PARAMETER_1 = 0xc00000ef;
export const STATUS_INVALID_PARAMETER_2 = 0xc00000f0;
export const STATUS_INVALID_PARAMETER_3 = 0xc00000f1;
export const STATUS_INVALID_PARAMETER_4 = 0xc00000f2;
export const STATUS_INVALID_PARAMETER_5 = 0xc00000f3;
export const STATUS_INVALID_PARAMETER_6 = 0xc00000f4;
export const STATUS_INVALID_PARAMETER_7 = 0xc00000f5;
export const STATUS_INVALID_PARAMETER_8 = 0xc00000f6;
export const STATUS_INVALID_PARAMETER_9 = 0xc00000f7;
export const STATUS_MAPPED_FILE_SIZE_ZERO = 0xc000011e;
export const STATUS_COMMITMENT_LIMIT = 0xc000012d;
export const STATUS_INVALID_ADDRESS = 0xc0000141;
export const STATUS_MAPPED_ALIGNMENT = 0xc0000220;

/** NT_SUCCESS: severity success or informational. */
export function ntSuccess(status: number): boolean {
  return status >>> 0 < 0x80000000;
}
