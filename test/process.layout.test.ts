/**
 * The structure offsets of src/windows/loader/layout.ts recomputed from a transcription of the public
 * declarations with the C layout rules of the Windows ABIs (natural alignment, structures aligned to
 * their widest member): PEB and TEB from winsiderss/phnt `ntpebteb.h`, PEB_LDR_DATA (`ntpsapi.h`),
 * LDR_DATA_TABLE_ENTRY (`ntldr.h`), RTL_USER_PROCESS_PARAMETERS (`ntrtl.h`, Windows 10 19H1+). phnt's
 * C_ASSERTs anchor the transcription: FIELD_OFFSET(PEB, SessionId) is 0x2C0 (64-bit) and 0x1D4 (32-bit).
 * The winternl.h subset (Microsoft Learn: PEB.Ldr, PEB.ProcessParameters, TEB.ProcessEnvironmentBlock…)
 * agrees with both. Then a live process is checked against the same offsets.
 */
import { strict as assert } from "node:assert";
import {
  LDR_ENTRY32,
  LDR_ENTRY64,
  PARAMS32,
  PARAMS64,
  PEB32,
  PEB64,
  PEB_LDR_DATA32,
  PEB_LDR_DATA64,
  TEB32,
  TEB64,
} from "../src/windows/loader/layout";
import { TEB32 as CODE_TEB32, TEB64 as CODE_TEB64, WOW64_CONTEXT } from "../src/windows/dlls/code";

type Ty =
  | "u8"
  | "u16"
  | "u32"
  | "u64"
  | "ptr"
  | "ustr"
  | "list"
  | "guid"
  | { struct: Field[] }
  | { array: Ty; n: number | [number, number] };
type Field = [string, Ty] | [string, Ty, "64" | "32"];

function sizeAlign(t: Ty, bits: 32 | 64): { size: number; align: number } {
  const p = bits / 8;
  if (t === "u8") return { size: 1, align: 1 };
  if (t === "u16") return { size: 2, align: 2 };
  if (t === "u32") return { size: 4, align: 4 };
  if (t === "u64") return { size: 8, align: 8 };
  if (t === "ptr") return { size: p, align: p };
  if (t === "ustr") return { size: 2 * p, align: p }; // USHORT, USHORT, PWSTR (padded)
  if (t === "list") return { size: 2 * p, align: p };
  if (t === "guid") return { size: 16, align: 4 };
  if ("array" in t) {
    const e = sizeAlign(t.array, bits);
    const n = typeof t.n === "number" ? t.n : bits === 64 ? t.n[1] : t.n[0];
    return { size: e.size * n, align: e.align };
  }
  const l = layout(t.struct, bits);
  return { size: l.size, align: l.align };
}

function layout(
  fields: Field[],
  bits: 32 | 64,
): { offsets: Map<string, number>; size: number; align: number } {
  const offsets = new Map<string, number>();
  let off = 0;
  let align = 1;
  for (const [name, t, only] of fields) {
    if (only !== undefined && only !== String(bits)) continue;
    const s = sizeAlign(t, bits);
    off = Math.ceil(off / s.align) * s.align;
    offsets.set(name, off);
    if (typeof t === "object" && "struct" in t) {
      for (const [k, v] of layout(t.struct, bits).offsets) offsets.set(`${name}.${k}`, off + v);
    }
    off += s.size;
    align = Math.max(align, s.align);
  }
  return { offsets, size: Math.ceil(off / align) * align, align };
}

const arr = (t: Ty, n: number | [number, number]): Ty => ({ array: t, n });

// phnt ntpebteb.h, struct _PEB, up to SessionId (GDI_HANDLE_BUFFER_SIZE32 34, GDI_HANDLE_BUFFER_SIZE64 60)
const PEB: Field[] = [
  ["InheritedAddressSpace", "u8"],
  ["ReadImageFileExecOptions", "u8"],
  ["BeingDebugged", "u8"],
  ["BitField", "u8"],
  ["Mutant", "ptr"],
  ["ImageBaseAddress", "ptr"],
  ["Ldr", "ptr"],
  ["ProcessParameters", "ptr"],
  ["SubSystemData", "ptr"],
  ["ProcessHeap", "ptr"],
  ["FastPebLock", "ptr"],
  ["AtlThunkSListPtr", "ptr"],
  ["IFEOKey", "ptr"],
  ["CrossProcessFlags", "u32"],
  ["KernelCallbackTable", "ptr"],
  ["SystemReserved", "u32"],
  ["AtlThunkSListPtr32", "u32"],
  ["ApiSetMap", "ptr"],
  ["TlsExpansionCounter", "u32"],
  ["TlsBitmap", "ptr"],
  ["TlsBitmapBits", arr("u32", 2)],
  ["ReadOnlySharedMemoryBase", "ptr"],
  ["SharedData", "ptr"],
  ["ReadOnlyStaticServerData", "ptr"],
  ["AnsiCodePageData", "ptr"],
  ["OemCodePageData", "ptr"],
  ["UnicodeCaseTableData", "ptr"],
  ["NumberOfProcessors", "u32"],
  ["NtGlobalFlag", "u32"],
  ["CriticalSectionTimeout", "u64"],
  ["HeapSegmentReserve", "ptr"],
  ["HeapSegmentCommit", "ptr"],
  ["HeapDeCommitTotalFreeThreshold", "ptr"],
  ["HeapDeCommitFreeBlockThreshold", "ptr"],
  ["NumberOfHeaps", "u32"],
  ["MaximumNumberOfHeaps", "u32"],
  ["ProcessHeaps", "ptr"],
  ["GdiSharedHandleTable", "ptr"],
  ["ProcessStarterHelper", "ptr"],
  ["GdiDCAttributeList", "u32"],
  ["LoaderLock", "ptr"],
  ["OSMajorVersion", "u32"],
  ["OSMinorVersion", "u32"],
  ["OSBuildNumber", "u16"],
  ["OSCSDVersion", "u16"],
  ["OSPlatformId", "u32"],
  ["ImageSubsystem", "u32"],
  ["ImageSubsystemMajorVersion", "u32"],
  ["ImageSubsystemMinorVersion", "u32"],
  ["ActiveProcessAffinityMask", "ptr"],
  ["GdiHandleBuffer", arr("u32", [34, 60])],
  ["PostProcessInitRoutine", "ptr"],
  ["TlsExpansionBitmap", "ptr"],
  ["TlsExpansionBitmapBits", arr("u32", 32)],
  ["SessionId", "u32"],
];

// phnt ntpebteb.h, struct _TEB, up to WowTebOffset
const TEB: Field[] = [
  ["ExceptionList", "ptr"],
  ["StackBase", "ptr"],
  ["StackLimit", "ptr"],
  ["SubSystemTib", "ptr"],
  ["FiberData", "ptr"],
  ["ArbitraryUserPointer", "ptr"],
  ["Self", "ptr"],
  ["EnvironmentPointer", "ptr"],
  ["UniqueProcess", "ptr"],
  ["UniqueThread", "ptr"],
  ["ActiveRpcHandle", "ptr"],
  ["ThreadLocalStoragePointer", "ptr"],
  ["ProcessEnvironmentBlock", "ptr"],
  ["LastErrorValue", "u32"],
  ["CountOfOwnedCriticalSections", "u32"],
  ["CsrClientThread", "ptr"],
  ["Win32ThreadInfo", "ptr"],
  ["User32Reserved", arr("u32", 26)],
  ["UserReserved", arr("u32", 5)],
  ["WOW32Reserved", "ptr"],
  ["CurrentLocale", "u32"],
  ["FpSoftwareStatusRegister", "u32"],
  ["ReservedForDebuggerInstrumentation", arr("ptr", 16)],
  ["SystemReserved1", arr("ptr", [26, 30])],
  ["PlaceholderCompatibilityMode", "u8"],
  ["PlaceholderHydrationAlwaysExplicit", "u8"],
  ["PlaceholderReserved", arr("u8", 10)],
  ["ProxiedProcessId", "u32"],
  [
    "ActivationStack",
    {
      struct: [
        ["ActiveFrame", "ptr"],
        ["FrameListCache", "list"],
        ["Flags", "u32"],
        ["NextCookieSequenceNumber", "u32"],
        ["StackId", "u32"],
      ],
    },
  ],
  ["WorkingOnBehalfTicket", arr("u8", 8)],
  ["ExceptionCode", "u32"],
  ["ActivationContextStackPointer", "ptr"],
  ["InstrumentationCallbackSp", "ptr"],
  ["InstrumentationCallbackPreviousPc", "ptr"],
  ["InstrumentationCallbackPreviousSp", "ptr"],
  ["TxFsContext", "u32", "64"],
  ["InstrumentationCallbackDisabled", "u8"],
  ["UnalignedLoadStoreExceptions", "u8", "64"],
  ["SpareBytes", arr("u8", 23), "32"],
  ["TxFsContext32", "u32", "32"],
  [
    "GdiTebBatch",
    {
      struct: [
        ["Offset", "u32"],
        ["HDC", "ptr"],
        ["Buffer", arr("u32", 310)],
      ],
    },
  ],
  ["RealUniqueProcess", "ptr"],
  ["RealUniqueThread", "ptr"],
  ["GdiCachedProcessHandle", "ptr"],
  ["GdiClientPID", "u32"],
  ["GdiClientTID", "u32"],
  ["GdiThreadLocalInfo", "ptr"],
  ["Win32ClientInfo", arr("ptr", 62)],
  ["glDispatchTable", arr("ptr", 233)],
  ["glReserved1", arr("ptr", 29)],
  ["glReserved2", "ptr"],
  ["glSectionInfo", "ptr"],
  ["glSection", "ptr"],
  ["glTable", "ptr"],
  ["glCurrentRC", "ptr"],
  ["glContext", "ptr"],
  ["LastStatusValue", "u32"],
  ["StaticUnicodeString", "ustr"],
  ["StaticUnicodeBuffer", arr("u16", 261)],
  ["DeallocationStack", "ptr"],
  ["TlsSlots", arr("ptr", 64)],
  ["TlsLinks", "list"],
  ["Vdm", "ptr"],
  ["ReservedForNtRpc", "ptr"],
  ["DbgSsReserved", arr("ptr", 2)],
  ["HardErrorMode", "u32"],
  ["Instrumentation", arr("ptr", [9, 11])],
  ["ActivityId", "guid"],
  ["SubProcessTag", "ptr"],
  ["PerflibData", "ptr"],
  ["EtwTraceData", "ptr"],
  ["WinSockData", "ptr"],
  ["GdiBatchCount", "u32"],
  ["CurrentIdealProcessor", "u32"],
  ["GuaranteedStackBytes", "u32"],
  ["ReservedForPerf", "ptr"],
  ["ReservedForOle", "ptr"],
  ["WaitingOnLoaderLock", "u32"],
  ["SavedPriorityState", "ptr"],
  ["ReservedForCodeCoverage", "ptr"],
  ["ThreadPoolData", "ptr"],
  ["TlsExpansionSlots", "ptr"],
  ["DeallocationBStore", "ptr", "64"],
  ["BStoreLimit", "ptr", "64"],
  ["MuiGeneration", "u32"],
  ["IsImpersonating", "u32"],
  ["NlsCache", "ptr"],
  ["pShimData", "ptr"],
  ["HeapData", "u32"],
  ["CurrentTransactionHandle", "ptr"],
  ["ActiveFrame", "ptr"],
  ["FlsData", "ptr"],
  ["PreferredLanguages", "ptr"],
  ["UserPrefLanguages", "ptr"],
  ["MergedPrefLanguages", "ptr"],
  ["MuiImpersonation", "u32"],
  ["CrossTebFlags", "u16"],
  ["SameTebFlags", "u16"],
  ["TxnScopeEnterCallback", "ptr"],
  ["TxnScopeExitCallback", "ptr"],
  ["TxnScopeContext", "ptr"],
  ["LockCount", "u32"],
  ["WowTebOffset", "u32"],
];

// phnt ntpsapi.h, struct _PEB_LDR_DATA
const LDR: Field[] = [
  ["Length", "u32"],
  ["Initialized", "u8"],
  ["SsHandle", "ptr"],
  ["InLoadOrderModuleList", "list"],
  ["InMemoryOrderModuleList", "list"],
  ["InInitializationOrderModuleList", "list"],
  ["EntryInProgress", "ptr"],
  ["ShutdownInProgress", "u8"],
  ["ShutdownThreadId", "ptr"],
];

// phnt ntldr.h, struct _LDR_DATA_TABLE_ENTRY, up to TimeDateStamp
const ENTRY: Field[] = [
  ["InLoadOrderLinks", "list"],
  ["InMemoryOrderLinks", "list"],
  ["InInitializationOrderLinks", "list"],
  ["DllBase", "ptr"],
  ["EntryPoint", "ptr"],
  ["SizeOfImage", "u32"],
  ["FullDllName", "ustr"],
  ["BaseDllName", "ustr"],
  ["Flags", "u32"],
  ["ObsoleteLoadCount", "u16"],
  ["TlsIndex", "u16"],
  ["HashLinks", "list"],
  ["TimeDateStamp", "u32"],
];

// phnt ntrtl.h, struct _RTL_USER_PROCESS_PARAMETERS (through DefaultThreadpoolThreadMaximum: Windows 10 19H1+)
const PARAMS: Field[] = [
  ["MaximumLength", "u32"],
  ["Length", "u32"],
  ["Flags", "u32"],
  ["DebugFlags", "u32"],
  ["ConsoleHandle", "ptr"],
  ["ConsoleFlags", "u32"],
  ["StandardInput", "ptr"],
  ["StandardOutput", "ptr"],
  ["StandardError", "ptr"],
  ["CurrentDirectory", "ustr"],
  ["CurrentDirectoryHandle", "ptr"],
  ["DllPath", "ustr"],
  ["ImagePathName", "ustr"],
  ["CommandLine", "ustr"],
  ["Environment", "ptr"],
  ["StartingX", "u32"],
  ["StartingY", "u32"],
  ["CountX", "u32"],
  ["CountY", "u32"],
  ["CountCharsX", "u32"],
  ["CountCharsY", "u32"],
  ["FillAttribute", "u32"],
  ["WindowFlags", "u32"],
  ["ShowWindowFlags", "u32"],
  ["WindowTitle", "ustr"],
  ["DesktopInfo", "ustr"],
  ["ShellInfo", "ustr"],
  ["RuntimeData", "ustr"],
  [
    "CurrentDirectories",
    arr(
      {
        struct: [
          ["Flags", "u16"],
          ["Length", "u16"],
          ["TimeStamp", "u32"],
          ["DosPath", "ustr"],
        ],
      },
      32,
    ),
  ],
  ["EnvironmentSize", "ptr"],
  ["EnvironmentVersion", "ptr"],
  ["PackageDependencyData", "ptr"],
  ["ProcessGroupId", "u32"],
  ["LoaderThreads", "u32"],
  ["RedirectionDllName", "ustr"],
  ["HeapPartitionName", "ustr"],
  ["DefaultThreadpoolCpuSetMasks", "ptr"],
  ["DefaultThreadpoolCpuSetMaskCount", "u32"],
  ["DefaultThreadpoolThreadMaximum", "u32"],
];

function check(ours: object, fields: Field[], bits: 32 | 64, rename: Record<string, string> = {}): void {
  const l = layout(fields, bits);
  for (const [k, v] of Object.entries(ours)) {
    if (k === "size" || k === "pages") continue;
    const name = rename[k] ?? k;
    assert.ok(l.offsets.has(name), `${k} is not in the transcription`);
    assert.equal(hx(v as number), hx(l.offsets.get(name) as number), `${bits}-bit ${k}`);
  }
}

function hx(v: number): string {
  return "0x" + v.toString(16);
}

describe("process: structure layouts against the public declarations", () => {
  it("PEB (phnt's C_ASSERT anchors: SessionId 0x2C0 / 0x1D4)", () => {
    assert.equal(layout(PEB, 64).offsets.get("SessionId"), 0x2c0);
    assert.equal(layout(PEB, 32).offsets.get("SessionId"), 0x1d4);
    check(PEB64, PEB, 64);
    check(PEB32, PEB, 32);
  });

  it("TEB, and the offsets the WOW64 machine code uses", () => {
    check(TEB64, TEB, 64);
    check(TEB32, TEB, 32, { TxFsContext: "TxFsContext32" });
    assert.equal(layout(TEB, 64).offsets.get("Self"), CODE_TEB64.Self);
    assert.equal(layout(TEB, 64).offsets.get("TlsSlots"), CODE_TEB64.TlsSlots);
    assert.equal(layout(TEB, 32).offsets.get("TlsSlots"), CODE_TEB32.TlsSlots);
    assert.equal(layout(TEB, 32).offsets.get("LastErrorValue"), CODE_TEB32.LastErrorValue);
    // TEB32 fits in the page after the TEB64's two (TEB32 = TEB64 + 0x2000)
    assert.ok(layout(TEB, 64).offsets.get("WowTebOffset")! + 4 <= TEB64.pages * 0x1000);
    assert.ok(layout(TEB, 32).offsets.get("WowTebOffset")! + 4 <= 0x1000);
  });

  it("PEB_LDR_DATA and LDR_DATA_TABLE_ENTRY", () => {
    check(PEB_LDR_DATA64, LDR, 64);
    check(PEB_LDR_DATA32, LDR, 32);
    assert.equal(layout(LDR, 64).size, PEB_LDR_DATA64.size);
    assert.equal(layout(LDR, 32).size, PEB_LDR_DATA32.size);
    check(LDR_ENTRY64, ENTRY, 64);
    check(LDR_ENTRY32, ENTRY, 32);
  });

  it("RTL_USER_PROCESS_PARAMETERS", () => {
    check(PARAMS64, PARAMS, 64);
    check(PARAMS32, PARAMS, 32);
    assert.equal(hx(layout(PARAMS, 64).size), hx(PARAMS64.size));
    assert.equal(hx(layout(PARAMS, 32).size), hx(PARAMS32.size));
  });

  it("WOW64_CONTEXT (winnt.h CONTEXT for i386: 0x2CC bytes, Eip at 0xB8)", () => {
    assert.equal(WOW64_CONTEXT.size, 0x2cc);
    assert.equal(WOW64_CONTEXT.Eip, 0xb8);
  });
});
