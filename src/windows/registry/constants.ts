/**
 * Registry constants (winnt.h / wdm.h; Microsoft's names and values).
 */

// Value types (winnt.h; "Registry Value Types",
// https://learn.microsoft.com/en-us/windows/win32/sysinfo/registry-value-types).
export const REG_NONE = 0;
export const REG_SZ = 1;
export const REG_EXPAND_SZ = 2;
export const REG_BINARY = 3;
export const REG_DWORD = 4;
export const REG_DWORD_BIG_ENDIAN = 5;
export const REG_LINK = 6;
export const REG_MULTI_SZ = 7;
export const REG_RESOURCE_LIST = 8;
export const REG_FULL_RESOURCE_DESCRIPTOR = 9;
export const REG_RESOURCE_REQUIREMENTS_LIST = 10;
export const REG_QWORD = 11;

// Create options (NtCreateKey CreateOptions / RegCreateKeyEx dwOptions).
export const REG_OPTION_NON_VOLATILE = 0x0;
export const REG_OPTION_VOLATILE = 0x1;
export const REG_OPTION_CREATE_LINK = 0x2;
export const REG_OPTION_BACKUP_RESTORE = 0x4;
export const REG_OPTION_OPEN_LINK = 0x8;

// Dispositions (NtCreateKey Disposition).
export const REG_CREATED_NEW_KEY = 1;
export const REG_OPENED_EXISTING_KEY = 2;

// Key access rights ("Registry Key Security and Access Rights").
export const KEY_QUERY_VALUE = 0x0001;
export const KEY_SET_VALUE = 0x0002;
export const KEY_CREATE_SUB_KEY = 0x0004;
export const KEY_ENUMERATE_SUB_KEYS = 0x0008;
export const KEY_NOTIFY = 0x0010;
export const KEY_CREATE_LINK = 0x0020;
export const KEY_WOW64_64KEY = 0x0100;
export const KEY_WOW64_32KEY = 0x0200;
export const KEY_WOW64_RES = 0x0300;
export const KEY_READ = 0x20019;
export const KEY_WRITE = 0x20006;
export const KEY_EXECUTE = 0x20019;
export const KEY_ALL_ACCESS = 0xf003f;

/** The key type's GENERIC_MAPPING (for `mapGenericAccess` in ../kernel/handles). */
export const KEY_GENERIC_MAPPING = {
  read: KEY_READ,
  write: KEY_WRITE,
  execute: KEY_EXECUTE,
  all: KEY_ALL_ACCESS,
};

// KEY_INFORMATION_CLASS (wdm.h).
export const KeyBasicInformation = 0;
export const KeyNodeInformation = 1;
export const KeyFullInformation = 2;
export const KeyNameInformation = 3;

// KEY_VALUE_INFORMATION_CLASS (wdm.h).
export const KeyValueBasicInformation = 0;
export const KeyValueFullInformation = 1;
export const KeyValuePartialInformation = 2;
export const KeyValueFullInformationAlign64 = 3;
export const KeyValuePartialInformationAlign64 = 4;

// Predefined handles (winreg.h), as the advapi32 layer receives them.
export const HKEY_CLASSES_ROOT = 0x80000000;
export const HKEY_CURRENT_USER = 0x80000001;
export const HKEY_LOCAL_MACHINE = 0x80000002;
export const HKEY_USERS = 0x80000003;
export const HKEY_PERFORMANCE_DATA = 0x80000004;
export const HKEY_CURRENT_CONFIG = 0x80000005;

/**
 * Size limits ("Registry Element Size Limits",
 * https://learn.microsoft.com/en-us/windows/win32/sysinfo/registry-element-size-limits): a key name
 * (one path component, as the configuration manager enforces it) 255 characters, a value name 16,383
 * characters, a tree 512 levels deep. A value's data is limited by available memory in the current hive
 * format; we cap it at `RegistryOptions.maxValueData` (default 64 MB).
 */
export const MAX_KEY_NAME_CHARS = 255;
export const MAX_VALUE_NAME_CHARS = 16383;
export const MAX_TREE_DEPTH = 512;
export const DEFAULT_MAX_VALUE_DATA = 64 * 1024 * 1024;

/** The value of a symbolic-link key that holds its target (REG_LINK, absolute NT path, no terminator). */
export const SYMBOLIC_LINK_VALUE = "SymbolicLinkValue";

/** The name of the 32-bit view's redirection node. */
export const WOW6432NODE = "Wow6432Node";
