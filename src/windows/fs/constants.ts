/**
 * File-system constants of the NT API (wdm.h / ntifs.h / winnt.h), Microsoft's names and values.
 * See "NtCreateFile function (winternl.h)",
 * https://learn.microsoft.com/en-us/windows/win32/api/winternl/nf-winternl-ntcreatefile
 */

// CreateDisposition
export const FILE_SUPERSEDE = 0;
export const FILE_OPEN = 1;
export const FILE_CREATE = 2;
export const FILE_OPEN_IF = 3;
export const FILE_OVERWRITE = 4;
export const FILE_OVERWRITE_IF = 5;
export const FILE_MAXIMUM_DISPOSITION = 5;

// IO_STATUS_BLOCK.Information after a create
export const FILE_SUPERSEDED = 0;
export const FILE_OPENED = 1;
export const FILE_CREATED = 2;
export const FILE_OVERWRITTEN = 3;
export const FILE_EXISTS = 4;
export const FILE_DOES_NOT_EXIST = 5;

// CreateOptions
export const FILE_DIRECTORY_FILE = 0x00000001;
export const FILE_WRITE_THROUGH = 0x00000002;
export const FILE_SEQUENTIAL_ONLY = 0x00000004;
export const FILE_NO_INTERMEDIATE_BUFFERING = 0x00000008;
export const FILE_SYNCHRONOUS_IO_ALERT = 0x00000010;
export const FILE_SYNCHRONOUS_IO_NONALERT = 0x00000020;
export const FILE_NON_DIRECTORY_FILE = 0x00000040;
export const FILE_CREATE_TREE_CONNECTION = 0x00000080;
export const FILE_COMPLETE_IF_OPLOCKED = 0x00000100;
export const FILE_NO_EA_KNOWLEDGE = 0x00000200;
export const FILE_OPEN_REMOTE_INSTANCE = 0x00000400;
export const FILE_RANDOM_ACCESS = 0x00000800;
export const FILE_DELETE_ON_CLOSE = 0x00001000;
export const FILE_OPEN_BY_FILE_ID = 0x00002000;
export const FILE_OPEN_FOR_BACKUP_INTENT = 0x00004000;
export const FILE_NO_COMPRESSION = 0x00008000;
export const FILE_OPEN_REQUIRING_OPLOCK = 0x00010000;
export const FILE_OPEN_REPARSE_POINT = 0x00200000;
export const FILE_OPEN_NO_RECALL = 0x00400000;
export const FILE_OPEN_FOR_FREE_SPACE_QUERY = 0x00800000;
export const FILE_VALID_OPTION_FLAGS = 0x00ffffff;
/** The options a directory open may carry (IopCreateFile rejects the others with STATUS_INVALID_PARAMETER). */
export const FILE_VALID_DIRECTORY_OPTIONS =
  FILE_DIRECTORY_FILE |
  FILE_SYNCHRONOUS_IO_ALERT |
  FILE_SYNCHRONOUS_IO_NONALERT |
  FILE_WRITE_THROUGH |
  FILE_COMPLETE_IF_OPLOCKED |
  FILE_OPEN_FOR_BACKUP_INTENT |
  FILE_DELETE_ON_CLOSE |
  FILE_OPEN_FOR_FREE_SPACE_QUERY |
  FILE_OPEN_BY_FILE_ID |
  FILE_NO_COMPRESSION |
  FILE_OPEN_REPARSE_POINT |
  FILE_OPEN_REQUIRING_OPLOCK;

// Access rights
export const FILE_READ_DATA = 0x0001;
export const FILE_LIST_DIRECTORY = 0x0001;
export const FILE_WRITE_DATA = 0x0002;
export const FILE_ADD_FILE = 0x0002;
export const FILE_APPEND_DATA = 0x0004;
export const FILE_ADD_SUBDIRECTORY = 0x0004;
export const FILE_READ_EA = 0x0008;
export const FILE_WRITE_EA = 0x0010;
export const FILE_EXECUTE = 0x0020;
export const FILE_TRAVERSE = 0x0020;
export const FILE_DELETE_CHILD = 0x0040;
export const FILE_READ_ATTRIBUTES = 0x0080;
export const FILE_WRITE_ATTRIBUTES = 0x0100;
export const DELETE = 0x00010000;
export const READ_CONTROL = 0x00020000;
export const WRITE_DAC = 0x00040000;
export const WRITE_OWNER = 0x00080000;
export const SYNCHRONIZE = 0x00100000;
export const ACCESS_SYSTEM_SECURITY = 0x01000000;
export const MAXIMUM_ALLOWED = 0x02000000;
export const GENERIC_ALL = 0x10000000;
export const GENERIC_EXECUTE = 0x20000000;
export const GENERIC_WRITE = 0x40000000;
export const GENERIC_READ = 0x80000000;
export const FILE_GENERIC_READ = 0x00120089;
export const FILE_GENERIC_WRITE = 0x00120116;
export const FILE_GENERIC_EXECUTE = 0x001200a0;
export const FILE_ALL_ACCESS = 0x001f01ff;

// ShareAccess
export const FILE_SHARE_READ = 0x1;
export const FILE_SHARE_WRITE = 0x2;
export const FILE_SHARE_DELETE = 0x4;
export const FILE_SHARE_VALID_FLAGS = 0x7;

// File attributes
export const FILE_ATTRIBUTE_READONLY = 0x00000001;
export const FILE_ATTRIBUTE_HIDDEN = 0x00000002;
export const FILE_ATTRIBUTE_SYSTEM = 0x00000004;
export const FILE_ATTRIBUTE_DIRECTORY = 0x00000010;
export const FILE_ATTRIBUTE_ARCHIVE = 0x00000020;
export const FILE_ATTRIBUTE_DEVICE = 0x00000040;
export const FILE_ATTRIBUTE_NORMAL = 0x00000080;
export const FILE_ATTRIBUTE_TEMPORARY = 0x00000100;
export const FILE_ATTRIBUTE_NOT_CONTENT_INDEXED = 0x00002000;
/** FILE_ATTRIBUTE_VALID_FLAGS: what NtCreateFile accepts in FileAttributes. */
export const FILE_ATTRIBUTE_VALID_FLAGS = 0x00007fb7;
/** FILE_ATTRIBUTE_VALID_SET_FLAGS: what FileBasicInformation may set. */
export const FILE_ATTRIBUTE_VALID_SET_FLAGS = 0x000031a7;

// FILE_INFORMATION_CLASS
export const FileDirectoryInformation = 1;
export const FileFullDirectoryInformation = 2;
export const FileBothDirectoryInformation = 3;
export const FileBasicInformation = 4;
export const FileStandardInformation = 5;
export const FileInternalInformation = 6;
export const FileEaInformation = 7;
export const FileAccessInformation = 8;
export const FileNameInformation = 9;
export const FileRenameInformation = 10;
export const FileNamesInformation = 12;
export const FileDispositionInformation = 13;
export const FilePositionInformation = 14;
export const FileModeInformation = 16;
export const FileAlignmentInformation = 17;
export const FileAllInformation = 18;
export const FileAllocationInformation = 19;
export const FileEndOfFileInformation = 20;
export const FileNetworkOpenInformation = 34;
export const FileAttributeTagInformation = 35;
export const FileIdBothDirectoryInformation = 37;
export const FileIdFullDirectoryInformation = 38;
export const FileDispositionInformationEx = 64;
export const FileRenameInformationEx = 65;

// FILE_DISPOSITION_INFORMATION_EX flags
export const FILE_DISPOSITION_DO_NOT_DELETE = 0x0;
export const FILE_DISPOSITION_DELETE = 0x1;
export const FILE_DISPOSITION_POSIX_SEMANTICS = 0x2;
export const FILE_DISPOSITION_FORCE_IMAGE_SECTION_CHECK = 0x4;
export const FILE_DISPOSITION_ON_CLOSE = 0x8;
export const FILE_DISPOSITION_IGNORE_READONLY_ATTRIBUTE = 0x10;

/** Cluster size of the virtual volume (AllocationSize is EndOfFile rounded up to it). */
export const CLUSTER_SIZE = 4096;
