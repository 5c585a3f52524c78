/** Public face of the CPU layer. */
import "./sem/index";
export { Cpu, addr64, type StopReason, type Descriptor, type CpuState, Reg, SReg } from "./cpu";
export { FlatBus } from "./flatbus";
export { Access, type Bus, type BusFault, type PhysPage } from "./bus";
export type { Fault, FaultVector, AccessKind } from "./fault";
export { decode } from "./decoder/decoder";
export type { Insn, Operand } from "./decoder/insn";
