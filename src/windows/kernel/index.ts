/** The kernel: NT services by name, the handle table and kernel objects, and the contract with the process. */
export { Kernel, type KernelOptions } from "./kernel";
export type { SyscallContext, SyscallFamily, SyscallHandler, SyscallResult } from "./context";
export { HandleTable, KernelObject, type HandleEntry, type ObjectType } from "./handles";
export { FileObject } from "./file";
export { SectionObject } from "./section";
export { ProcessObject } from "./process";
export { ThreadObject } from "./thread";
export { Clock, QPC_FREQUENCY } from "./time";
export { GuestFault, UserMemory } from "./user-memory";
export type * from "./types";
