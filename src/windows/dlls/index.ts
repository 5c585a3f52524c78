/** Synthetic system DLLs: real PE images generated in memory, with export tables and machine code. */
export {
  SYSTEM_DLLS,
  buildDll,
  buildSystemDlls,
  declarationsFor,
  dllKey,
  type BuildOptions,
  type DllKey,
  type ExportTarget,
  type ListingEntry,
  type SymbolEntry,
  type SystemDll,
  type SystemDllSet,
  type SystemDllSpec,
  type TrapEntry,
} from "./builder";
export {
  BRIDGE_FRAME,
  CALLS_RESULT,
  WOW64_FRAME,
  type ApiDecl,
  type ApiImpl,
  type Arch,
  type CallConv,
  type DllName,
} from "./decl";
export { CS32, CS64, TEB32, TEB64, WOW64_CONTEXT, WOW64_CPURESERVED_CONTEXT } from "./code";
export { writePe, iatLabel, peChecksum, type PeImage, type PeInput, type Machine } from "./pe-writer";
