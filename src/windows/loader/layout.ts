/**
 * Field offsets of the user-mode process structures the loader builds, for the 64-bit and the 32-bit
 * layout (a WOW64 process has both). Sources: the public structure definitions in winsiderss/phnt
 * (`ntpebteb.h`: PEB, TEB; `ntldr.h`: LDR_DATA_TABLE_ENTRY; `ntpsapi.h`: PEB_LDR_DATA; `ntrtl.h`:
 * RTL_USER_PROCESS_PARAMETERS, CURDIR), whose C_ASSERTs pin PEB.SessionId at 0x2C0 / 0x1D4, and winternl.h
 * (Microsoft Learn: PEB, TEB, PEB_LDR_DATA) for the documented subset. `test/process.layout.test.ts`
 * recomputes every offset here from a transcription of those declarations with C alignment rules.
 */

export interface PebLayout {
  readonly size: number;
  readonly BeingDebugged: number;
  readonly BitField: number;
  readonly Mutant: number;
  readonly ImageBaseAddress: number;
  readonly Ldr: number;
  readonly ProcessParameters: number;
  readonly SubSystemData: number;
  readonly ProcessHeap: number;
  readonly FastPebLock: number;
  readonly CrossProcessFlags: number;
  readonly ApiSetMap: number;
  readonly TlsBitmap: number;
  readonly TlsBitmapBits: number;
  readonly NumberOfProcessors: number;
  readonly NtGlobalFlag: number;
  readonly CriticalSectionTimeout: number;
  readonly HeapSegmentReserve: number;
  readonly HeapSegmentCommit: number;
  readonly NumberOfHeaps: number;
  readonly MaximumNumberOfHeaps: number;
  readonly ProcessHeaps: number;
  readonly OSMajorVersion: number;
  readonly OSMinorVersion: number;
  readonly OSBuildNumber: number;
  readonly OSCSDVersion: number;
  readonly OSPlatformId: number;
  readonly ImageSubsystem: number;
  readonly ImageSubsystemMajorVersion: number;
  readonly ImageSubsystemMinorVersion: number;
  readonly ActiveProcessAffinityMask: number;
  readonly SessionId: number;
}

export const PEB64: PebLayout = {
  size: 0x7c8,
  BeingDebugged: 0x02,
  BitField: 0x03,
  Mutant: 0x08,
  ImageBaseAddress: 0x10,
  Ldr: 0x18,
  ProcessParameters: 0x20,
  SubSystemData: 0x28,
  ProcessHeap: 0x30,
  FastPebLock: 0x38,
  CrossProcessFlags: 0x50,
  ApiSetMap: 0x68,
  TlsBitmap: 0x78,
  TlsBitmapBits: 0x80,
  NumberOfProcessors: 0xb8,
  NtGlobalFlag: 0xbc,
  CriticalSectionTimeout: 0xc0,
  HeapSegmentReserve: 0xc8,
  HeapSegmentCommit: 0xd0,
  NumberOfHeaps: 0xe8,
  MaximumNumberOfHeaps: 0xec,
  ProcessHeaps: 0xf0,
  OSMajorVersion: 0x118,
  OSMinorVersion: 0x11c,
  OSBuildNumber: 0x120,
  OSCSDVersion: 0x122,
  OSPlatformId: 0x124,
  ImageSubsystem: 0x128,
  ImageSubsystemMajorVersion: 0x12c,
  ImageSubsystemMinorVersion: 0x130,
  ActiveProcessAffinityMask: 0x138,
  SessionId: 0x2c0,
};

export const PEB32: PebLayout = {
  size: 0x480,
  BeingDebugged: 0x02,
  BitField: 0x03,
  Mutant: 0x04,
  ImageBaseAddress: 0x08,
  Ldr: 0x0c,
  ProcessParameters: 0x10,
  SubSystemData: 0x14,
  ProcessHeap: 0x18,
  FastPebLock: 0x1c,
  CrossProcessFlags: 0x28,
  ApiSetMap: 0x38,
  TlsBitmap: 0x40,
  TlsBitmapBits: 0x44,
  NumberOfProcessors: 0x64,
  NtGlobalFlag: 0x68,
  CriticalSectionTimeout: 0x70,
  HeapSegmentReserve: 0x78,
  HeapSegmentCommit: 0x7c,
  NumberOfHeaps: 0x88,
  MaximumNumberOfHeaps: 0x8c,
  ProcessHeaps: 0x90,
  OSMajorVersion: 0xa4,
  OSMinorVersion: 0xa8,
  OSBuildNumber: 0xac,
  OSCSDVersion: 0xae,
  OSPlatformId: 0xb0,
  ImageSubsystem: 0xb4,
  ImageSubsystemMajorVersion: 0xb8,
  ImageSubsystemMinorVersion: 0xbc,
  ActiveProcessAffinityMask: 0xc0,
  SessionId: 0x1d4,
};

export interface TebLayout {
  /** Bytes to commit for the structure (sizeof(TEB) rounded up to pages). */
  readonly pages: number;
  readonly ExceptionList: number;
  readonly StackBase: number;
  readonly StackLimit: number;
  readonly SubSystemTib: number;
  readonly FiberData: number;
  readonly ArbitraryUserPointer: number;
  readonly Self: number;
  readonly EnvironmentPointer: number;
  readonly UniqueProcess: number;
  readonly UniqueThread: number;
  readonly ActiveRpcHandle: number;
  readonly ThreadLocalStoragePointer: number;
  readonly ProcessEnvironmentBlock: number;
  readonly LastErrorValue: number;
  readonly CountOfOwnedCriticalSections: number;
  readonly CurrentLocale: number;
  readonly RealUniqueProcess: number;
  readonly RealUniqueThread: number;
  readonly LastStatusValue: number;
  readonly StaticUnicodeString: number;
  readonly StaticUnicodeBuffer: number;
  readonly DeallocationStack: number;
  readonly TlsSlots: number;
  readonly TlsLinks: number;
  readonly TlsExpansionSlots: number;
  readonly SameTebFlags: number;
  readonly WowTebOffset: number;
}

export const TEB64: TebLayout = {
  pages: 2,
  ExceptionList: 0x00,
  StackBase: 0x08,
  StackLimit: 0x10,
  SubSystemTib: 0x18,
  FiberData: 0x20,
  ArbitraryUserPointer: 0x28,
  Self: 0x30,
  EnvironmentPointer: 0x38,
  UniqueProcess: 0x40,
  UniqueThread: 0x48,
  ActiveRpcHandle: 0x50,
  ThreadLocalStoragePointer: 0x58,
  ProcessEnvironmentBlock: 0x60,
  LastErrorValue: 0x68,
  CountOfOwnedCriticalSections: 0x6c,
  CurrentLocale: 0x108,
  RealUniqueProcess: 0x7d8,
  RealUniqueThread: 0x7e0,
  LastStatusValue: 0x1250,
  StaticUnicodeString: 0x1258,
  StaticUnicodeBuffer: 0x1268,
  DeallocationStack: 0x1478,
  TlsSlots: 0x1480,
  TlsLinks: 0x1680,
  TlsExpansionSlots: 0x1780,
  SameTebFlags: 0x17ee,
  WowTebOffset: 0x180c,
};

export const TEB32: TebLayout = {
  pages: 1,
  ExceptionList: 0x00,
  StackBase: 0x04,
  StackLimit: 0x08,
  SubSystemTib: 0x0c,
  FiberData: 0x10,
  ArbitraryUserPointer: 0x14,
  Self: 0x18,
  EnvironmentPointer: 0x1c,
  UniqueProcess: 0x20,
  UniqueThread: 0x24,
  ActiveRpcHandle: 0x28,
  ThreadLocalStoragePointer: 0x2c,
  ProcessEnvironmentBlock: 0x30,
  LastErrorValue: 0x34,
  CountOfOwnedCriticalSections: 0x38,
  CurrentLocale: 0xc4,
  RealUniqueProcess: 0x6b4,
  RealUniqueThread: 0x6b8,
  LastStatusValue: 0xbf4,
  StaticUnicodeString: 0xbf8,
  StaticUnicodeBuffer: 0xc00,
  DeallocationStack: 0xe0c,
  TlsSlots: 0xe10,
  TlsLinks: 0xf10,
  TlsExpansionSlots: 0xf94,
  SameTebFlags: 0xfca,
  WowTebOffset: 0xfdc,
};

/** TEB.SameTebFlags.InitialThread (bit 10). */
export const TEB_INITIAL_THREAD = 0x400;

/** TEB32 = TEB64 + 0x2000 in a WOW64 thread (TEB64.WowTebOffset; TEB32.WowTebOffset is its negation). */
export const WOW64_TEB32_OFFSET = 0x2000;

export interface LdrLayout {
  readonly size: number;
  readonly Length: number;
  readonly Initialized: number;
  readonly SsHandle: number;
  readonly InLoadOrderModuleList: number;
  readonly InMemoryOrderModuleList: number;
  readonly InInitializationOrderModuleList: number;
  readonly EntryInProgress: number;
  readonly ShutdownInProgress: number;
  readonly ShutdownThreadId: number;
}

export const PEB_LDR_DATA64: LdrLayout = {
  size: 0x58,
  Length: 0x00,
  Initialized: 0x04,
  SsHandle: 0x08,
  InLoadOrderModuleList: 0x10,
  InMemoryOrderModuleList: 0x20,
  InInitializationOrderModuleList: 0x30,
  EntryInProgress: 0x40,
  ShutdownInProgress: 0x48,
  ShutdownThreadId: 0x50,
};

export const PEB_LDR_DATA32: LdrLayout = {
  size: 0x30,
  Length: 0x00,
  Initialized: 0x04,
  SsHandle: 0x08,
  InLoadOrderModuleList: 0x0c,
  InMemoryOrderModuleList: 0x14,
  InInitializationOrderModuleList: 0x1c,
  EntryInProgress: 0x24,
  ShutdownInProgress: 0x28,
  ShutdownThreadId: 0x2c,
};

export interface LdrEntryLayout {
  /** Bytes reserved per entry (sizeof(LDR_DATA_TABLE_ENTRY) on Windows 10). */
  readonly size: number;
  readonly InLoadOrderLinks: number;
  readonly InMemoryOrderLinks: number;
  readonly InInitializationOrderLinks: number;
  readonly DllBase: number;
  readonly EntryPoint: number;
  readonly SizeOfImage: number;
  readonly FullDllName: number;
  readonly BaseDllName: number;
  readonly Flags: number;
  readonly ObsoleteLoadCount: number;
  readonly TlsIndex: number;
  readonly HashLinks: number;
  readonly TimeDateStamp: number;
}

export const LDR_ENTRY64: LdrEntryLayout = {
  size: 0x120,
  InLoadOrderLinks: 0x00,
  InMemoryOrderLinks: 0x10,
  InInitializationOrderLinks: 0x20,
  DllBase: 0x30,
  EntryPoint: 0x38,
  SizeOfImage: 0x40,
  FullDllName: 0x48,
  BaseDllName: 0x58,
  Flags: 0x68,
  ObsoleteLoadCount: 0x6c,
  TlsIndex: 0x6e,
  HashLinks: 0x70,
  TimeDateStamp: 0x80,
};

export const LDR_ENTRY32: LdrEntryLayout = {
  size: 0xa8,
  InLoadOrderLinks: 0x00,
  InMemoryOrderLinks: 0x08,
  InInitializationOrderLinks: 0x10,
  DllBase: 0x18,
  EntryPoint: 0x1c,
  SizeOfImage: 0x20,
  FullDllName: 0x24,
  BaseDllName: 0x2c,
  Flags: 0x34,
  ObsoleteLoadCount: 0x38,
  TlsIndex: 0x3a,
  HashLinks: 0x3c,
  TimeDateStamp: 0x44,
};

/** LDR_DATA_TABLE_ENTRY.Flags bits (phnt ntldr.h, LDRP_*). */
export const LDRP_IMAGE_DLL = 0x00000004;
export const LDRP_ENTRY_PROCESSED = 0x00004000;
export const LDRP_PROCESS_ATTACH_CALLED = 0x00080000;

export interface ParamsLayout {
  readonly size: number;
  readonly MaximumLength: number;
  readonly Length: number;
  readonly Flags: number;
  readonly DebugFlags: number;
  readonly ConsoleHandle: number;
  readonly ConsoleFlags: number;
  readonly StandardInput: number;
  readonly StandardOutput: number;
  readonly StandardError: number;
  /** CURDIR { UNICODE_STRING DosPath; HANDLE Handle; } */
  readonly CurrentDirectory: number;
  readonly CurrentDirectoryHandle: number;
  readonly DllPath: number;
  readonly ImagePathName: number;
  readonly CommandLine: number;
  readonly Environment: number;
  readonly ShowWindowFlags: number;
  readonly WindowTitle: number;
  readonly DesktopInfo: number;
  readonly ShellInfo: number;
  readonly RuntimeData: number;
  readonly EnvironmentSize: number;
}

export const PARAMS64: ParamsLayout = {
  size: 0x440,
  MaximumLength: 0x00,
  Length: 0x04,
  Flags: 0x08,
  DebugFlags: 0x0c,
  ConsoleHandle: 0x10,
  ConsoleFlags: 0x18,
  StandardInput: 0x20,
  StandardOutput: 0x28,
  StandardError: 0x30,
  CurrentDirectory: 0x38,
  CurrentDirectoryHandle: 0x48,
  DllPath: 0x50,
  ImagePathName: 0x60,
  CommandLine: 0x70,
  Environment: 0x80,
  ShowWindowFlags: 0xa8,
  WindowTitle: 0xb0,
  DesktopInfo: 0xc0,
  ShellInfo: 0xd0,
  RuntimeData: 0xe0,
  EnvironmentSize: 0x3f0,
};

export const PARAMS32: ParamsLayout = {
  size: 0x2c0,
  MaximumLength: 0x00,
  Length: 0x04,
  Flags: 0x08,
  DebugFlags: 0x0c,
  ConsoleHandle: 0x10,
  ConsoleFlags: 0x14,
  StandardInput: 0x18,
  StandardOutput: 0x1c,
  StandardError: 0x20,
  CurrentDirectory: 0x24,
  CurrentDirectoryHandle: 0x2c,
  DllPath: 0x30,
  ImagePathName: 0x38,
  CommandLine: 0x40,
  Environment: 0x48,
  ShowWindowFlags: 0x6c,
  WindowTitle: 0x70,
  DesktopInfo: 0x78,
  ShellInfo: 0x80,
  RuntimeData: 0x88,
  EnvironmentSize: 0x290,
};

/** RTL_USER_PROCESS_PARAMETERS.Flags: RTL_USER_PROC_PARAMS_NORMALIZED (pointers, not offsets). */
export const RTL_USER_PROC_PARAMS_NORMALIZED = 0x01;

/**
 * KUSER_SHARED_DATA offsets (phnt ntexapi.h; the documented fields of the WDK's ntddk.h), the static ones the
 * process writes; the kernel keeps the clocks.
 */
export const KUSD = {
  TickCountMultiplier: 0x004,
  ImageNumberLow: 0x02c,
  ImageNumberHigh: 0x02e,
  NtSystemRoot: 0x030,
  NtBuildNumber: 0x260,
  NtProductType: 0x264,
  ProductTypeIsValid: 0x268,
  NativeProcessorArchitecture: 0x26a,
  NtMajorVersion: 0x26c,
  NtMinorVersion: 0x270,
  NumberOfPhysicalPages: 0x2e8,
  ActiveProcessorCount: 0x3c0,
} as const;
