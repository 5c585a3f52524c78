/**
 * The launcher: a page of real machine code the initial thread starts in, standing for ntdll's
 * LdrInitializeThunk / RtlUserThreadStart / kernel32's BaseThreadInitThunk. It does what
 * LdrpInitializeProcess does before the program runs (TLS callbacks, then DllMain, with
 * DLL_PROCESS_ATTACH, dependencies first), calls the entry point, and passes its return value to
 * kernel32!ExitProcess, as a thread returning from its start routine does. A second stub runs the
 * DLL_PROCESS_DETACH notifications when the process exits (LdrShutdownProcess). The three ends of these
 * paths are `vmcall`s the process recognizes by address (see `LauncherTraps`).
 *
 * Registers on entry, as Windows gives them to RtlUserThreadStart: x64 RCX = entry point, RDX = PEB;
 * x86 (WOW64_CONTEXT) EAX = entry point, EBX = PEB32. The entry point is called with the PEB as its one
 * argument (BaseThreadInitThunk passes the thread parameter; for the main thread that is the PEB).
 * Encodings: Intel SDM Vol. 2 (the same forms MSVC emits).
 */

export interface InitCall {
  /** The function: a TLS callback or DllMain (PIMAGE_TLS_CALLBACK / DllMain(hinst, reason, reserved)). */
  readonly fn: number;
  /** Its module's base (the first argument). */
  readonly base: number;
  /** DllMain: a FALSE return fails process initialization (STATUS_DLL_INIT_FAILED). */
  readonly checkResult: boolean;
  readonly what: string;
}

export interface ListingLine {
  readonly address: number;
  readonly length: number;
  readonly text: string;
}

export interface LauncherCode {
  readonly base: number;
  readonly bits: 32 | 64;
  readonly bytes: Uint8Array;
  readonly listing: ListingLine[];
  /** Where the initial thread starts. */
  readonly start: number;
  /** Where the exit notifications start (rsp/esp set by the process, 16-byte aligned minus 8 / minus 4). */
  readonly detach: number;
  readonly traps: LauncherTraps;
}

/** Addresses of the launcher's `vmcall`s. */
export interface LauncherTraps {
  /** A DllMain returned FALSE. */
  readonly initFailed: number;
  /** kernel32!ExitProcess returned (it must not). */
  readonly exitReturned: number;
  /** The exit notifications are done. */
  readonly detachDone: number;
}

class Emitter {
  readonly out: number[] = [];
  readonly listing: ListingLine[] = [];

  constructor(readonly base: number) {}

  get here(): number {
    return this.base + this.out.length;
  }

  emit(bytes: number[], text: string): number {
    const at = this.here;
    this.listing.push({ address: at, length: bytes.length, text });
    this.out.push(...bytes);
    return at;
  }

  imm32(v: number): number[] {
    return [v & 0xff, (v >>> 8) & 0xff, (v >>> 16) & 0xff, (v >>> 24) & 0xff];
  }

  imm64(v: number): number[] {
    const lo = v % 0x1_0000_0000;
    const hi = Math.floor(v / 0x1_0000_0000);
    return [...this.imm32(lo), ...this.imm32(hi)];
  }

  /** `jz rel32` to a later address: returns a patch function. */
  jz(text: string): (target: number) => void {
    const at = this.out.length;
    this.emit([0x0f, 0x84, 0, 0, 0, 0], text);
    return (target: number) => {
      const rel = target - (this.base + at + 6);
      this.out.splice(at + 2, 4, ...this.imm32(rel));
      const line = this.listing.find((l) => l.address === this.base + at);
      if (line !== undefined) (line as { text: string }).text = `jz 0x${target.toString(16)}`;
    };
  }

  align(n: number): void {
    while (this.out.length % n !== 0) this.emit([0xcc], "int3");
  }
}

function h(v: number): string {
  return "0x" + v.toString(16);
}

/**
 * The launcher page at `base`. `attach`: TLS callbacks and DllMain entries to call with DLL_PROCESS_ATTACH,
 * in order; `detach`: those to call with DLL_PROCESS_DETACH at exit; `exitProcess`: kernel32!ExitProcess of
 * the process's architecture. `passPeb`: call the entry point with the PEB as argument (false for shellcode,
 * which takes none).
 */
export function buildLauncher(o: {
  base: number;
  bits: 32 | 64;
  attach: readonly InitCall[];
  detach: readonly InitCall[];
  exitProcess: number;
  passPeb: boolean;
}): LauncherCode {
  const a = new Emitter(o.base);
  const fails: ((t: number) => void)[] = [];
  let start: number;
  let detach: number;
  let exitReturned: number;
  let initFailed: number;
  if (o.bits === 64) {
    start = a.emit([0x48, 0x83, 0xec, 0x28], "sub rsp, 0x28");
    a.emit([0x48, 0x8b, 0xd9], "mov rbx, rcx");
    a.emit([0x48, 0x8b, 0xf2], "mov rsi, rdx");
    const calls64 = (list: readonly InitCall[], reason: number, check: boolean): void => {
      for (const c of list) {
        a.emit([0x48, 0xb9, ...a.imm64(c.base)], `mov rcx, ${h(c.base)}`);
        a.emit([0xba, ...a.imm32(reason)], `mov edx, ${reason}`);
        a.emit([0x45, 0x33, 0xc0], "xor r8d, r8d");
        a.emit([0x48, 0xb8, ...a.imm64(c.fn)], `mov rax, ${h(c.fn)}`);
        a.emit([0xff, 0xd0], `call rax ; ${c.what}`);
        if (check && c.checkResult) {
          a.emit([0x85, 0xc0], "test eax, eax");
          fails.push(a.jz("jz initFailed"));
        }
      }
    };
    calls64(o.attach, 1, true);
    if (o.passPeb) a.emit([0x48, 0x8b, 0xce], "mov rcx, rsi");
    a.emit([0xff, 0xd3], "call rbx ; the entry point");
    a.emit([0x8b, 0xc8], "mov ecx, eax");
    a.emit([0x48, 0xb8, ...a.imm64(o.exitProcess)], `mov rax, ${h(o.exitProcess)}`);
    a.emit([0xff, 0xd0], "call rax ; kernel32!ExitProcess");
    exitReturned = a.emit([0x0f, 0x01, 0xc1], "vmcall ; ExitProcess returned");
    initFailed = a.emit([0x0f, 0x01, 0xc1], "vmcall ; DllMain failed");
    a.align(16);
    detach = a.emit([0x48, 0x83, 0xec, 0x28], "sub rsp, 0x28");
    calls64(o.detach, 0, false);
  } else {
    start = a.emit([0x8b, 0xf0], "mov esi, eax");
    const calls32 = (list: readonly InitCall[], reason: number, check: boolean): void => {
      for (const c of list) {
        // esp is restored after each call: a callback with the wrong convention cannot unbalance it
        a.emit([0x8b, 0xfc], "mov edi, esp");
        a.emit([0x6a, 0x00], "push 0");
        a.emit([0x6a, reason], `push ${reason}`);
        a.emit([0x68, ...a.imm32(c.base)], `push ${h(c.base)}`);
        a.emit([0xb8, ...a.imm32(c.fn)], `mov eax, ${h(c.fn)}`);
        a.emit([0xff, 0xd0], `call eax ; ${c.what}`);
        a.emit([0x8b, 0xe7], "mov esp, edi");
        if (check && c.checkResult) {
          a.emit([0x85, 0xc0], "test eax, eax");
          fails.push(a.jz("jz initFailed"));
        }
      }
    };
    calls32(o.attach, 1, true);
    if (o.passPeb) a.emit([0x53], "push ebx");
    a.emit([0xff, 0xd6], "call esi ; the entry point");
    a.emit([0x50], "push eax");
    a.emit([0xb8, ...a.imm32(o.exitProcess)], `mov eax, ${h(o.exitProcess)}`);
    a.emit([0xff, 0xd0], "call eax ; kernel32!ExitProcess");
    exitReturned = a.emit([0x0f, 0x01, 0xc1], "vmcall ; ExitProcess returned");
    initFailed = a.emit([0x0f, 0x01, 0xc1], "vmcall ; DllMain failed");
    a.align(16);
    detach = a.here;
    calls32(o.detach, 0, false);
  }
  const detachDone = a.emit([0x0f, 0x01, 0xc1], "vmcall ; exit notifications done");
  for (const f of fails) f(initFailed);
  return {
    base: o.base,
    bits: o.bits,
    bytes: Uint8Array.from(a.out),
    listing: a.listing,
    start,
    detach,
    traps: { initFailed, exitReturned, detachDone },
  };
}

/** The thread launcher (`buildThreadLauncher`): where new threads start and where they leave. */
export interface ThreadLauncherCode {
  readonly base: number;
  readonly bits: 32 | 64;
  readonly bytes: Uint8Array;
  readonly listing: ListingLine[];
  /**
   * Where a new thread starts (LdrInitializeThunk's part for threads, LdrpInitializeThread): x64 RCX =
   * start routine, RDX = parameter; x86 EAX = start routine, EBX = parameter. It calls the
   * DLL_THREAD_ATTACH notifications, then jumps to ntdll!RtlUserThreadStart with the same registers.
   */
  readonly start: number;
  /** Same without the notifications (THREAD_CREATE_FLAGS_SKIP_THREAD_ATTACH). */
  readonly startSkipAttach: number;
  /**
   * Where a thread leaving through RtlExitUserThread goes (LdrShutdownThread): RBX/EBX = exit status; the
   * DLL_THREAD_DETACH notifications, then ntdll!NtTerminateThread(NtCurrentThread(), status).
   */
  readonly detach: number;
  /** The `vmcall` after NtTerminateThread (it does not return). */
  readonly terminateReturned: number;
}

/**
 * The thread launcher page at `base`: `attach` / `detach` are the TLS callbacks and DllMain entries to
 * call with DLL_THREAD_ATTACH (2) / DLL_THREAD_DETACH (3); `userThreadStart` is ntdll!RtlUserThreadStart
 * and `terminateThread` ntdll!NtTerminateThread of the threads' architecture.
 */
export function buildThreadLauncher(o: {
  base: number;
  bits: 32 | 64;
  attach: readonly InitCall[];
  detach: readonly InitCall[];
  userThreadStart: number;
  terminateThread: number;
}): ThreadLauncherCode {
  const a = new Emitter(o.base);
  let start: number;
  let startSkipAttach: number;
  let detach: number;
  if (o.bits === 64) {
    const calls = (list: readonly InitCall[], reason: number): void => {
      for (const c of list) {
        a.emit([0x48, 0xb9, ...a.imm64(c.base)], `mov rcx, ${h(c.base)}`);
        a.emit([0xba, ...a.imm32(reason)], `mov edx, ${reason}`);
        a.emit([0x45, 0x33, 0xc0], "xor r8d, r8d");
        a.emit([0x48, 0xb8, ...a.imm64(c.fn)], `mov rax, ${h(c.fn)}`);
        a.emit([0xff, 0xd0], `call rax ; ${c.what}`);
      }
    };
    start = a.emit([0x48, 0x83, 0xec, 0x28], "sub rsp, 0x28");
    a.emit([0x48, 0x8b, 0xd9], "mov rbx, rcx");
    a.emit([0x48, 0x8b, 0xf2], "mov rsi, rdx");
    calls(o.attach, 2);
    a.emit([0x48, 0x8b, 0xcb], "mov rcx, rbx");
    a.emit([0x48, 0x8b, 0xd6], "mov rdx, rsi");
    a.emit([0x48, 0x83, 0xc4, 0x28], "add rsp, 0x28");
    startSkipAttach = a.emit([0x48, 0xb8, ...a.imm64(o.userThreadStart)], `mov rax, ${h(o.userThreadStart)}`);
    a.emit([0xff, 0xe0], "jmp rax ; ntdll!RtlUserThreadStart");
    a.align(16);
    detach = a.emit([0x48, 0x83, 0xec, 0x28], "sub rsp, 0x28");
    calls(o.detach, 3);
    a.emit([0x8b, 0xd3], "mov edx, ebx");
    a.emit([0x48, 0xc7, 0xc1, 0xfe, 0xff, 0xff, 0xff], "mov rcx, -2 ; NtCurrentThread()");
    a.emit([0x48, 0xb8, ...a.imm64(o.terminateThread)], `mov rax, ${h(o.terminateThread)}`);
    a.emit([0xff, 0xd0], "call rax ; ntdll!NtTerminateThread");
  } else {
    const calls = (list: readonly InitCall[], reason: number): void => {
      for (const c of list) {
        a.emit([0x8b, 0xfc], "mov edi, esp");
        a.emit([0x6a, 0x00], "push 0");
        a.emit([0x6a, reason], `push ${reason}`);
        a.emit([0x68, ...a.imm32(c.base)], `push ${h(c.base)}`);
        a.emit([0xb8, ...a.imm32(c.fn)], `mov eax, ${h(c.fn)}`);
        a.emit([0xff, 0xd0], `call eax ; ${c.what}`);
        a.emit([0x8b, 0xe7], "mov esp, edi");
      }
    };
    start = a.emit([0x8b, 0xf0], "mov esi, eax");
    calls(o.attach, 2);
    a.emit([0x8b, 0xc6], "mov eax, esi");
    startSkipAttach = a.emit([0xba, ...a.imm32(o.userThreadStart)], `mov edx, ${h(o.userThreadStart)}`);
    a.emit([0xff, 0xe2], "jmp edx ; ntdll!RtlUserThreadStart");
    a.align(16);
    detach = a.here;
    calls(o.detach, 3);
    a.emit([0x53], "push ebx");
    a.emit([0x6a, 0xfe], "push -2 ; NtCurrentThread()");
    a.emit([0xb8, ...a.imm32(o.terminateThread)], `mov eax, ${h(o.terminateThread)}`);
    a.emit([0xff, 0xd0], "call eax ; ntdll!NtTerminateThread");
  }
  const terminateReturned = a.emit([0x0f, 0x01, 0xc1], "vmcall ; NtTerminateThread returned");
  return {
    base: o.base,
    bits: o.bits,
    bytes: Uint8Array.from(a.out),
    listing: a.listing,
    start,
    startSkipAttach,
    detach,
    terminateReturned,
  };
}
