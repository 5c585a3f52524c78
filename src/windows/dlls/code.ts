/**
 * Hand-written machine code of the synthetic DLLs: the WOW64 transition (x86 ntdll → wow64cpu's
 * Heaven's Gate → wow64 → x64 ntdll and back) and the small TEB/PEB accessors that Windows implements
 * in a few instructions.
 *
 * The WOW64 path, as on Windows 10 (see ReWolf, "Knockin' on Heaven's Gate" and "WoW64 internals";
 * the WRK's wow64tls.h for the TLS slots):
 *
 *   x86 ntdll!NtXxx:            mov eax, N; mov edx, offset Wow64SystemServiceCall; call edx; ret 4*argc
 *   Wow64SystemServiceCall:     jmp dword ptr [Wow64Transition]
 *   wow64cpu!KiFastSystemCall:  jmp far 0x33:CpupReturnFromSimulatedCode        (32-bit code)
 *   CpupReturnFromSimulatedCode (64-bit): saves the x86 registers into the thread's WOW64_CONTEXT,
 *     switches to the 64-bit stack and calls wow64!Wow64SystemServiceEx(N, args32)
 *   Wow64SystemServiceEx: converts the arguments (TypeScript trap), calls x64 ntdll!NtXxx (the real
 *     `syscall` stub), converts the results back (trap)
 *   CpupRunSimulatedCode: reloads the x86 registers from WOW64_CONTEXT (eax = status), remembers the
 *     64-bit stack and returns to 32-bit code with `iretq` (Eip, CS = 0x23, EFlags, Esp, SS = 0x2B).
 *
 * Data the code relies on (the process bring-up fills them):
 *   GS base = TEB64; TEB64.TlsSlots[0] (+0x1480, WOW64_TLS_STACKPTR64) = the 64-bit stack pointer while
 *   32-bit code runs; TEB64.TlsSlots[1] (+0x1488, WOW64_TLS_CPURESERVED) = WOW64_CPURESERVED
 *   { USHORT Flags; USHORT MachineType; WOW64_CONTEXT Context; } so the context is at +4;
 *   Context.SegCs = 0x23. The x86 context is saved and restored in full
 *   (eax..edi, ebp, esp, eip, eflags) on every transition, so a debugger or NtSetContextThread that
 *   edits WOW64_CONTEXT is honoured; segment registers are constant and not touched.
 * Unlike Windows, nothing is assumed to survive in r12–r15 across 32-bit code (a Heaven's Gate
 * program may clobber them): TEB64 and the context pointer are reloaded at every entry.
 */
import { abs, at, mem, type Asm } from "./asm";
import type { EmitContext, Prolog } from "./decl";

/** TEB (x64) offsets. */
export const TEB64 = {
  Self: 0x30,
  UniqueProcess: 0x40,
  UniqueThread: 0x48,
  Peb: 0x60,
  LastErrorValue: 0x68,
  TlsSlots: 0x1480,
  /** TlsSlots[WOW64_TLS_STACKPTR64]: 64-bit stack pointer while simulating 32-bit code. */
  Wow64StackPtr64: 0x1480,
  /** TlsSlots[WOW64_TLS_CPURESERVED]: WOW64_CPURESERVED*. */
  Wow64CpuReserved: 0x1488,
} as const;

/** TEB (x86, the TEB32 of a WOW64 thread) offsets. */
export const TEB32 = {
  Self: 0x18,
  UniqueProcess: 0x20,
  UniqueThread: 0x24,
  Peb: 0x30,
  LastErrorValue: 0x34,
  TlsSlots: 0xe10,
} as const;

export const PEB64_PROCESS_HEAP = 0x30;
export const PEB32_PROCESS_HEAP = 0x18;

/** Offset of WOW64_CONTEXT inside WOW64_CPURESERVED (after USHORT Flags, USHORT MachineType). */
export const WOW64_CPURESERVED_CONTEXT = 4;

/** WOW64_CONTEXT (winnt.h, the i386 CONTEXT) field offsets. */
export const WOW64_CONTEXT = {
  ContextFlags: 0x00,
  SegGs: 0x8c,
  SegFs: 0x90,
  SegEs: 0x94,
  SegDs: 0x98,
  Edi: 0x9c,
  Esi: 0xa0,
  Ebx: 0xa4,
  Edx: 0xa8,
  Ecx: 0xac,
  Eax: 0xb0,
  Ebp: 0xb4,
  Eip: 0xb8,
  SegCs: 0xbc,
  EFlags: 0xc0,
  Esp: 0xc4,
  SegSs: 0xc8,
  size: 0x2cc,
} as const;

export const CS64 = 0x33;
export const CS32 = 0x23;

const C = WOW64_CONTEXT;

/** Loads r12 = TEB64 and r13 = &WOW64_CONTEXT. Touches no flags. */
function loadCpuArea(a: Asm): void {
  a.mov("r12", abs(TEB64.Self, "gs"));
  a.mov("r13", mem("r12", TEB64.Wow64CpuReserved));
  a.lea("r13", mem("r13", WOW64_CPURESERVED_CONTEXT));
}

/** wow64cpu!KiFastSystemCall (32-bit code): the Heaven's Gate into 64-bit mode. */
export function emitKiFastSystemCall(a: Asm): void {
  a.withBits(32, () => a.jmpFar(CS64, "CpupReturnFromSimulatedCode"));
}

/**
 * wow64cpu!CpupReturnFromSimulatedCode (64-bit, entered by the far jump with rsp = the x86 esp):
 * [esp] = return address into the x86 Nt stub, [esp+4] = the stub's caller, [esp+8] = arguments.
 */
export function emitCpupReturnFromSimulatedCode(a: Asm, ctx: EmitContext): Prolog {
  a.mov("r14d", "esp"); // x86 stack, zero-extended
  loadCpuArea(a);
  a.mov(mem("r13", C.Eax), "eax"); // service number
  a.mov(mem("r13", C.Ecx), "ecx");
  a.mov(mem("r13", C.Edx), "edx");
  a.mov(mem("r13", C.Ebx), "ebx");
  a.mov(mem("r13", C.Esi), "esi");
  a.mov(mem("r13", C.Edi), "edi");
  a.mov(mem("r13", C.Ebp), "ebp");
  a.mov("r8d", mem("r14")); // the stub's return address
  a.mov(mem("r13", C.Eip), "r8d");
  a.lea("r8d", mem("r14", 4)); // esp after the stub's `ret` pops it
  a.mov(mem("r13", C.Esp), "r8d");
  a.mov("rsp", mem("r12", TEB64.Wow64StackPtr64)); // 64-bit stack
  a.pushf();
  a.pop("r8");
  a.mov(mem("r13", C.EFlags), "r8d");
  a.mov("ecx", "eax"); // Wow64SystemServiceEx(ServiceNumber, ArgPointer32)
  a.lea("edx", mem("r14", 8));
  a.sub("rsp", 0x20);
  a.callMem(at(ctx.imp("wow64", "Wow64SystemServiceEx")));
  a.add("rsp", 0x20);
  a.mov(mem("r13", C.Eax), "eax");
  a.jmp("CpupRunSimulatedCode");
  return { size: 0, unwind: [] };
}

/**
 * wow64cpu!CpupRunSimulatedCode (64-bit, r12 = TEB64, r13 = &WOW64_CONTEXT, on the 64-bit stack):
 * loads the x86 context and continues the 32-bit code with an `iretq` (RIP = Eip, CS = 0x23, RFLAGS =
 * EFlags, RSP = Esp, SS = 0x2B), so EFlags — the trap flag included — takes effect with the mode switch:
 * a 32-bit context with TF set traps after its first 32-bit instruction, not inside wow64cpu.
 */
export function emitCpupRunSimulatedCode(a: Asm): Prolog {
  a.mov(mem("r12", TEB64.Wow64StackPtr64), "rsp");
  a.raw([0x6a, 0x2b], "push 0x2b"); // SS (the flat 32-bit data selector; segment registers are constant)
  a.mov("r8d", mem("r13", C.Esp));
  a.push("r8");
  a.mov("r8d", mem("r13", C.EFlags));
  a.push("r8");
  a.raw([0x6a, 0x23], "push 0x23"); // CS: compatibility mode
  a.mov("r8d", mem("r13", C.Eip));
  a.push("r8");
  a.mov("edi", mem("r13", C.Edi));
  a.mov("esi", mem("r13", C.Esi));
  a.mov("ebx", mem("r13", C.Ebx));
  a.mov("edx", mem("r13", C.Edx));
  a.mov("ecx", mem("r13", C.Ecx));
  a.mov("ebp", mem("r13", C.Ebp));
  a.mov("eax", mem("r13", C.Eax));
  a.raw([0x48, 0xcf], "iretq");
  return { size: 0, unwind: [] };
}

/**
 * wow64cpu!BTCpuSimulate (64-bit): called once per thread by wow64 with the x86 context in
 * WOW64_CONTEXT; runs the 32-bit code and never returns (syscalls come back through
 * CpupReturnFromSimulatedCode and leave again through CpupRunSimulatedCode on the same stack).
 */
export function emitBTCpuSimulate(a: Asm): Prolog {
  const start = a.pos;
  a.sub("rsp", 0x28); // rsp is 16-byte aligned while 32-bit code runs
  const size = a.pos - start;
  loadCpuArea(a);
  a.jmp("CpupRunSimulatedCode");
  return { size, unwind: [{ at: size, op: "alloc", size: 0x28 }] };
}

/**
 * wow64!Wow64SystemServiceEx(ULONG ServiceNumber, PULONG ArgPointer32) (64-bit): the thunk from a
 * 32-bit syscall to the x64 ntdll stub. See WOW64_FRAME for the trap contracts.
 */
export function emitWow64SystemServiceEx(a: Asm): Prolog {
  const frame = 0x488;
  const start = a.pos;
  a.push("rbx");
  a.push("rsi");
  a.sub("rsp", frame);
  const size = a.pos - start;
  a.mov("ebx", "ecx"); // service number
  a.mov("rsi", "rdx"); // 32-bit arguments
  a.mov("r8", "rsp");
  a.call("Wow64pThunkArguments"); // → rax = x64 ntdll!NtXxx
  a.mov("rcx", mem("rsp"));
  a.mov("rdx", mem("rsp", 8));
  a.mov("r8", mem("rsp", 0x10));
  a.mov("r9", mem("rsp", 0x18));
  a.callReg("rax");
  a.mov("ecx", "eax"); // NTSTATUS
  a.mov("edx", "ebx");
  a.mov("r8", "rsi");
  a.mov("r9", "rsp");
  a.call("Wow64pThunkResults"); // → eax = status for the 32-bit caller
  a.add("rsp", frame);
  a.pop("rsi");
  a.pop("rbx");
  a.ret();
  return {
    size,
    unwind: [
      { at: 1, op: "push", reg: 3 },
      { at: 2, op: "push", reg: 6 },
      { at: size, op: "alloc", size: frame },
    ],
  };
}

/** x86 ntdll!Wow64SystemServiceCall: `jmp dword ptr [Wow64Transition]` (Windows 10 layout). */
export function emitWow64SystemServiceCall(a: Asm): void {
  a.jmpMem(at("Wow64Transition"));
}

// ---- TEB / PEB accessors (what Windows does in a few instructions)

/** GetLastError / RtlGetLastWin32Error: TEB.LastErrorValue. */
export function emitGetLastError(a: Asm, ctx: EmitContext): void {
  if (ctx.arch === "x64") {
    a.mov("rax", abs(TEB64.Self, "gs"));
    a.mov("eax", mem("rax", TEB64.LastErrorValue));
  } else {
    a.mov("eax", abs(TEB32.Self, "fs"));
    a.mov("eax", mem("eax", TEB32.LastErrorValue));
  }
  a.ret();
}

/** SetLastError(DWORD) / RtlSetLastWin32Error: TEB.LastErrorValue = arg. */
export function emitSetLastError(a: Asm, ctx: EmitContext): void {
  if (ctx.arch === "x64") {
    a.mov("rax", abs(TEB64.Self, "gs"));
    a.mov(mem("rax", TEB64.LastErrorValue), "ecx");
    a.ret();
  } else {
    a.mov("eax", abs(TEB32.Self, "fs"));
    a.mov("ecx", mem("esp", 4));
    a.mov(mem("eax", TEB32.LastErrorValue), "ecx");
    a.ret(4);
  }
}

/** GetCurrentProcess: the pseudo-handle NtCurrentProcess() = (HANDLE)-1. */
export function emitGetCurrentProcess(a: Asm, ctx: EmitContext): void {
  a.or(ctx.arch === "x64" ? "rax" : "eax", -1);
  a.ret();
}

/** GetCurrentThread: the pseudo-handle NtCurrentThread() = (HANDLE)-2. */
export function emitGetCurrentThread(a: Asm, ctx: EmitContext): void {
  a.movImm(ctx.arch === "x64" ? "rax" : "eax", -2);
  a.ret();
}

/** GetCurrentProcessId: TEB.ClientId.UniqueProcess. */
export function emitGetCurrentProcessId(a: Asm, ctx: EmitContext): void {
  if (ctx.arch === "x64") a.mov("eax", abs(TEB64.UniqueProcess, "gs"));
  else a.mov("eax", abs(TEB32.UniqueProcess, "fs"));
  a.ret();
}

/** GetCurrentThreadId: TEB.ClientId.UniqueThread. */
export function emitGetCurrentThreadId(a: Asm, ctx: EmitContext): void {
  if (ctx.arch === "x64") a.mov("eax", abs(TEB64.UniqueThread, "gs"));
  else a.mov("eax", abs(TEB32.UniqueThread, "fs"));
  a.ret();
}

/** GetProcessHeap: PEB.ProcessHeap. */
export function emitGetProcessHeap(a: Asm, ctx: EmitContext): void {
  if (ctx.arch === "x64") {
    a.mov("rax", abs(TEB64.Peb, "gs"));
    a.mov("rax", mem("rax", PEB64_PROCESS_HEAP));
  } else {
    a.mov("eax", abs(TEB32.Peb, "fs"));
    a.mov("eax", mem("eax", PEB32_PROCESS_HEAP));
  }
  a.ret();
}

/** NtCurrentTeb: TEB.NtTib.Self. */
export function emitNtCurrentTeb(a: Asm, ctx: EmitContext): void {
  if (ctx.arch === "x64") a.mov("rax", abs(TEB64.Self, "gs"));
  else a.mov("eax", abs(TEB32.Self, "fs"));
  a.ret();
}
