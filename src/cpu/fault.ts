/** Typed CPU faults. They never escape the core as JavaScript exceptions: `run`/`step` return them. */

export type FaultVector =
  | "DE" // #DE divide error
  | "DB" // #DB debug (single-step trap)
  | "BP" // #BP breakpoint (int3)
  | "OF" // #OF (into)
  | "BR" // #BR (bound)
  | "UD" // #UD invalid opcode
  | "NM" // #NM device not available
  | "GP" // #GP general protection
  | "SS" // #SS stack fault
  | "NP" // #NP segment not present
  | "PF" // #PF page fault
  | "MF" // #MF x87 floating-point error
  | "AC" // #AC alignment check
  | "XM"; // #XM SIMD floating-point exception

export type AccessKind = "read" | "write" | "execute";

export interface Fault {
  vector: FaultVector;
  /** Address of the instruction that faulted (for traps like int3: the int3 itself). */
  rip: number;
  /** For #PF (and #GP on a non-canonical access): the linear address and the kind of access. */
  address?: number;
  access?: AccessKind;
  /** Error code for #GP/#SS/#NP (selector), 0 otherwise. */
  errorCode?: number;
  /** NTSTATUS the memory manager attached (e.g. guard page), when any. */
  status?: number;
  /** Human-readable detail, e.g. the opcode bytes of an undefined instruction. */
  detail?: string;
}

/**
 * Thrown inside the core only (from memory accessors and handlers) and caught by `Cpu.run`/`Cpu.step`,
 * which turn it into a `Fault` result. One instance is reused.
 */
export class CpuFault {
  vector: FaultVector = "GP";
  address: number | undefined = undefined;
  access: AccessKind | undefined = undefined;
  errorCode = 0;
  status = 0;
  detail = "";
}
