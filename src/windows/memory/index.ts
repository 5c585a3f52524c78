/** The Windows memory manager: the machine-wide `MemoryManager` and each process's `AddressSpace` (a `Bus`). */
export * from "./constants";
export {
  MemoryManager,
  type MemoryManagerOptions,
  type CreateSectionArgs,
  type SectionResult,
  type MemoryStats,
} from "./manager";
export {
  AddressSpace,
  type AddressSpaceOptions,
  type VmResult,
  type ProtectResult,
  type QueryResult,
  type MapViewArgs,
  type MapViewResult,
  type RegionInfo,
} from "./address-space";
export { Section, SectionKind } from "./section";
export { type HostFile, MemoryHostFile } from "./host-file";
export { isValidProtection } from "./protection";
