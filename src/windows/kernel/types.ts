/**
 * The contract between the process side (src/windows/process.ts: loader, PEB/TEB, the run loop) and the
 * kernel side (src/windows/kernel: syscalls by NT name, handles, objects; src/windows/api: the TypeScript
 * halves of trap-implemented exports). The process implements these interfaces; the kernel only uses them.
 */
import type { Cpu } from "../../cpu/cpu";
import type { AddressSpace } from "../memory/address-space";
import type { MemoryManager } from "../memory/manager";
import type { Arch, SystemDllSet, TrapEntry } from "../dlls";
import type { FileSystemOptions } from "./file-io";
import type { RegistrySource } from "./registry";
import type { ExceptionInfo } from "./exception";

/** Where guest console output goes and input comes from (the CLI passes stdio, tests pass buffers). */
export interface ConsoleIo {
  write(stream: "stdout" | "stderr", data: Uint8Array): void;
  /** Up to `max` bytes of input; an empty result is end of input. */
  read(max: number): Uint8Array;
}

/** One emulated thread. */
export interface KernelThread {
  readonly id: number;
  readonly cpu: Cpu;
  /** TEB (64-bit) address; GS base in 64-bit mode. */
  readonly teb: number;
  /** TEB32 address for a WOW64 thread (FS base in 32-bit mode), 0 for a native 64-bit thread. */
  readonly teb32: number;
}

/** One emulated process. */
export interface KernelProcess {
  readonly id: number;
  readonly mm: MemoryManager;
  readonly mem: AddressSpace;
  /** A 32-bit program under WOW64. */
  readonly wow64: boolean;
  readonly peb: number;
  /** PEB32 for WOW64, else 0. */
  readonly peb32: number;
  readonly imagePath: string;
  readonly imageBase: number;
  readonly commandLine: string;
  readonly dlls: SystemDllSet;
  readonly console: ConsoleIo;
  readonly threads: readonly KernelThread[];
  /** Set when the process ends (NtTerminateProcess on itself, ExitProcess). */
  exitStatus: number | undefined;
  /**
   * (Added by the kernel side, optional.) Map a DLL that is not loaded yet, for LoadLibrary of a program's
   * own DLLs: returns its base, or undefined when there is no such file. Modules already loaded are found
   * by walking PEB.Ldr (or, while PEB.Ldr is 0, among `dlls` mapped at their bases), so the system DLLs
   * need nothing here. Without this hook LoadLibrary of anything else fails with ERROR_MOD_NOT_FOUND.
   */
  loadLibrary?(name: string, arch: Arch): number | undefined;
  /**
   * (Added by the exceptions work, optional.) Call guest code at `fn` on the current thread (stdcall in
   * 32-bit mode, the x64 convention in 64-bit mode) until it returns; registers are restored afterwards.
   * Returns EAX/RAX. RtlDispatchException calls the exception handlers through it.
   */
  callGuest?(fn: number, args: readonly number[]): number;
  /**
   * (Added by the exceptions work, optional.) The return address `callGuest` pushes: where a nested call's
   * frames end on the stack (the unwinder stops or crosses there). A `ContextTransfer` (kernel/exception.ts)
   * thrown inside a nested call continues the thread from its context, leaving every nested call whose
   * frames lie below its stack pointer.
   */
  readonly nestedReturnAddress?: number;
  /** (Added by the files work, optional.) Drive C: and the current directory of the process (file-io.ts). */
  readonly fileSystem?: FileSystemOptions;
  /** (Added by the registry work, optional.) The process's registry or its file in the sandbox (registry.ts). */
  readonly registry?: RegistrySource;
  /**
   * (Added by the threads work, optional.) Create a thread of this process as NtCreateThreadEx does: TEB
   * (and TEB32 for a 32-bit thread of a WOW64 process), stacks, static TLS, the initial context that runs
   * the DLL_THREAD_ATTACH notifications and then ntdll!RtlUserThreadStart(start, parameter). The thread is
   * appended to `threads`. Returns it, or an NTSTATUS when it cannot be made (no memory).
   */
  createThread?(o: NewThread): KernelThread | number;
  /** (Added by the threads work, optional.) The value a waiting thread finds in RAX/EAX when it runs again. */
  setThreadResult?(thread: KernelThread, value: number): void;
  /**
   * (Added by the threads work, optional.) The current thread leaves through ntdll!RtlExitUserThread while
   * other threads remain: the process sends it through the DLL_THREAD_DETACH notifications to
   * NtTerminateThread(NtCurrentThread(), status). False when that path does not exist.
   */
  beginThreadExit?(thread: KernelThread, status: number): boolean;
  /**
   * (Added by the threads follow-up, optional.) Another thread ends at once (NtTerminateThread of another
   * thread, NtTerminateProcess(NULL)): no DLL_THREAD_DETACH runs; the thread leaves `threads` and the
   * kernel's `endThread` signals its object. False when `thread` is the current thread or not known.
   */
  terminateThread?(thread: KernelThread, status: number): boolean;
  /**
   * (Added by the threads follow-up, optional.) Run `fn` on the registers of `thread` (loaded into the Cpu
   * for the call when it is not the running thread, and saved back): user APC delivery to a waiting thread.
   */
  withThreadRegisters?(thread: KernelThread, fn: (cpu: Cpu) => void): void;
  /**
   * (Added by the first-chance work, optional.) Whether a debugger wants the first chance at an exception
   * with `code` before it is dispatched to the guest's handlers (KiDispatchException's first
   * DbgkForwardException). NtRaiseException(FirstChance = TRUE) then returns a "first-chance" stop instead
   * of dispatching; the process dispatches it when the run resumes.
   */
  wantsFirstChance?(code: number): boolean;
}

/** (Added by the threads work.) What NtCreateThreadEx asks of the process side. */
export interface NewThread {
  /** The start routine and its parameter. */
  readonly start: number;
  readonly parameter: number;
  /** The architecture of the start routine (x86: a 32-bit thread of a WOW64 process). */
  readonly arch: Arch;
  /** Stack commit and reserve in bytes (0: the image header's values). */
  readonly stackCommit: number;
  readonly stackReserve: number;
  /** THREAD_CREATE_FLAGS_SKIP_THREAD_ATTACH: no DLL_THREAD_ATTACH notifications. */
  readonly skipAttach: boolean;
}

/** (Added by the threads work.) Why a thread does not run: what it waits on and until when. */
export interface ThreadWait {
  /** For people: "WaitForSingleObject on Event 0x44", "suspended", "NtDelayExecution". */
  readonly what: string;
  /** Interrupt time (100 ns since boot) when the wait times out; Infinity for none. */
  readonly deadline: number;
}

/** Why the kernel wants execution to stop (shown by the CLI and the debugger). */
export type KernelStop =
  /**
   * The process ends with `status`. (`abrupt`, added by the process side, optional.) ExitProcess /
   * RtlExitUserProcess leave it unset: the process then runs the DLL_PROCESS_DETACH notifications (TLS
   * callbacks, DllMain) before it is gone, as LdrShutdownProcess does. TerminateProcess (NtTerminateProcess
   * called directly) may set it: no notifications.
   */
  | { kind: "exit"; status: number; abrupt?: boolean }
  /** An NT service or API we do not implement: never a silent success. */
  | { kind: "unimplemented"; what: string; detail?: string }
  /**
   * (Added by the kernel side.) The thread ended (NtTerminateThread on itself while other threads remain):
   * the run loop removes it. When the last thread ends the kernel reports "exit" instead.
   */
  | { kind: "thread-exit"; status: number }
  /**
   * (Added by the kernel side.) A user-mode exception raised inside a trap-implemented API (e.g. WriteFile
   * writing *lpNumberOfBytesWritten through a bad pointer): on Windows the exception is dispatched in the
   * thread; until exception dispatch exists, execution stops here. `address` is the faulting data address.
   */
  | {
      kind: "exception";
      code: number;
      address: number;
      what: string;
      /**
       * (Added by the first-chance work, optional.) NtRaiseException(FirstChance = FALSE): the exception's
       * context, which becomes the thread's registers before the debugger sees the second chance
       * (KiRaiseException → KeContextToKframes), in `arch`'s layout.
       */
      context?: Uint8Array;
      arch?: Arch;
    }
  /**
   * (Added by the kernel side.) The thread would wait forever (Sleep(INFINITE) with nothing to wake it):
   * execution stops instead of hanging.
   */
  | { kind: "blocked"; what: string; detail?: string }
  /**
   * (Added by the exceptions work.) The service or trap replaced the thread's registers (NtContinue,
   * NtRaiseException, an exception delivered to KiUserExceptionDispatcher): execution goes on from the new
   * state; RAX and RIP are not touched.
   */
  | {
      kind: "continue";
      /**
       * (Added by the threads follow-up, optional.) The status the service returned for the trace when it
       * also redirected the thread (an alertable wait ended with STATUS_USER_APC and an APC is delivered).
       */
      status?: number;
    }
  /**
   * (Added by the threads work.) The thread now waits (the kernel recorded on what, `KernelApi.waitOf`):
   * the run loop runs another thread. When the wait ends the kernel sets the thread's RAX to the status
   * (`KernelProcess.setThreadResult`). A trap returning it resumes past its vmcall.
   */
  | { kind: "wait" }
  /** (Added by the threads work.) The thread stays runnable but gives up the rest of its time slice. */
  | { kind: "yield" }
  /**
   * (Added by the first-chance work.) A software exception (NtRaiseException with FirstChance = TRUE) the
   * debugger wants first (`KernelProcess.wantsFirstChance`): nothing was dispatched yet. The process stops,
   * makes `context` the thread's registers, and when the run resumes delivers `record` with that context
   * to `arch`'s KiUserExceptionDispatcher (`deliverException`), exactly once, on the same thread.
   */
  | { kind: "first-chance"; record: ExceptionInfo; context: Uint8Array; arch: Arch };

/** A syscall as the kernel sees it: number, name, caller mode and the 64-bit arguments. */
export interface SyscallRecord {
  number: number;
  name: string;
  /** "x64" for native 64-bit callers, "x86" when it came through the WOW64 layer. */
  callerMode: "x64" | "x86";
  /**
   * The 64-bit argument values. A value whose upper 32 bits are all set is given as the negative number
   * it is in two's complement (sign-extended), so (HANDLE)-1 is -1 and a negative LARGE_INTEGER by value
   * stays exact; other values above 2^53 lose their low bits.
   */
  args: number[];
  status?: number;
  /**
   * Where the call was made, in the caller's mode, as a return address (the calling instruction ends just
   * before it): after the call to the ntdll stub (a 32-bit address for a WOW64 caller: after its call to
   * the x86 stub), or after a `syscall` instruction that is not in an ntdll stub. Undefined when unknown.
   */
  caller?: number;
  /** (Added by the threads follow-up.) The calling thread's id. */
  thread?: number;
  /**
   * (Added by the threads follow-up.) The thread waits: `status` is unknown until the wait ends, when the
   * kernel sets it, clears `waiting` and calls `onSyscallComplete` with this same record.
   */
  waiting?: boolean;
}

/** What the kernel offers to the process run loop. */
export interface KernelApi {
  /**
   * Handle the syscall the thread just made (the CPU stopped with kind "syscall": RAX = number, R10, RDX,
   * R8, R9 and the stack hold the arguments). Sets RAX to the NTSTATUS, or returns a stop.
   */
  syscall(thread: KernelThread): KernelStop | undefined;
  /**
   * Run the TypeScript half of a trap-implemented export (the CPU faulted #UD on its vmcall). The kernel
   * moves RIP itself: on return without a stop, RIP is past the vmcall (on the stub's `ret`) or wherever
   * the trap sent the thread; the run loop must not adjust it. After a stop, RIP is left on the vmcall.
   */
  trap(thread: KernelThread, entry: TrapEntry): KernelStop | undefined;
  /** Called for every syscall after it completed (for --trace-syscalls and the debugger's view). */
  onSyscall: ((rec: SyscallRecord) => void) | undefined;
  /**
   * (Added by the threads follow-up, optional.) A syscall reported `waiting` completed: its record, now
   * with the status the thread finds in RAX (another thread ran in between).
   */
  onSyscallComplete?: ((rec: SyscallRecord) => void) | undefined;
  /**
   * (Added by the kernel side.) The console handles the kernel created at construction (ConDrv-like file
   * objects for stdin, stdout, stderr). The process bring-up stores them in RTL_USER_PROCESS_PARAMETERS
   * StandardInput/StandardOutput/StandardError (and in the 32-bit parameters of a WOW64 process), where
   * GetStdHandle reads them, as on Windows.
   */
  readonly stdHandles: { readonly input: number; readonly output: number; readonly error: number };
  /**
   * (Added by the kernel side.) RtlCreateHeap for the process bring-up: a heap for `arch` code, whose
   * handle goes to PEB.ProcessHeap (PEB32.ProcessHeap for the 32-bit side), where GetProcessHeap reads it;
   * HeapAlloc/RtlAllocateHeap and friends work on it. Returns 0 when the address space is full.
   */
  createHeap?(arch: Arch): number;
  /** (Added by the threads work, optional.) Why `thread` cannot run now, or undefined when it can. */
  waitOf?(thread: KernelThread): ThreadWait | undefined;
  /** (Added by the threads work, optional.) The virtual clock: interrupt time in 100 ns units. */
  now?(): number;
  /**
   * (Added by the threads work, optional.) Every thread waits: let time pass up to `deadline` (the
   * earliest timeout) and end the waits that are due.
   */
  advanceTo?(deadline: number): void;
  /** (Added by the threads work, optional.) End the waits whose timeout has passed (at a switch point). */
  expireWaits?(): void;
  /**
   * (Added by the threads work, optional.) A thread ended outside NtTerminateThread (the process exits):
   * its object is signaled with `status`.
   */
  endThread?(thread: KernelThread, status: number): void;
}

// ---- Added by the process side (issue 4).

/**
 * How a process creates its kernel: called once during bring-up, after the address space, the modules and
 * the initial thread exist and before RTL_USER_PROCESS_PARAMETERS is written (it needs `stdHandles`).
 * `src/windows/kernel` is expected to offer `(p) => new Kernel(p)`.
 */
export type KernelFactory = (process: KernelProcess) => KernelApi;
