/**
 * Time services over a virtual clock. Time advances with the instructions the threads retire (one per
 * nanosecond, the rate rdtsc uses, src/cpu/sem/misc.ts) and jumps by the interval of every delay, so a run
 * is deterministic and Sleep never blocks the emulator: Sleep(1000) is one second of guest time at once
 * (NtDelayExecution is a wait on this clock, ./sync.ts).
 */
import type { SyscallFamily } from "./context";
import { STATUS_SUCCESS } from "./status";
import type { KernelProcess } from "./types";

/** The performance counter ticks at 10 MHz, as QueryPerformanceFrequency reports on current Windows 10/11. */
export const QPC_FREQUENCY = 10_000_000;

/** 2024-01-01T00:00:00Z as a FILETIME (100 ns since 1601-01-01): the default boot time. */
export const DEFAULT_BOOT_TIME = 133485408000000000n;

/**
 * How long the machine has been up when the process starts (100 ns units): one hour. GetTickCount, the
 * interrupt time and the performance counter count from boot, not from the process's start, so a program
 * never sees them at 0 (a check like `GetTickCount() > 0` holds, as on any running Windows).
 */
export const UPTIME_AT_START = 36_000_000_000;

export class Clock {
  /** 100 ns units added by delays. */
  private skipped = 0;

  constructor(
    private readonly process: KernelProcess,
    /** System time at boot (FILETIME). */
    readonly bootTime: bigint = DEFAULT_BOOT_TIME,
  ) {}

  /** Interrupt time: 100 ns units since boot. */
  interruptTime(): number {
    return UPTIME_AT_START + this.processTime();
  }

  /** 100 ns units since the process started (the CRT's clock()). */
  processTime(): number {
    // Threads share one Cpu (its state is switched), so count each Cpu once.
    let ns = 0;
    for (const cpu of new Set(this.process.threads.map((t) => t.cpu))) ns += cpu.currentCount();
    return Math.floor(ns / 100) + this.skipped;
  }

  /** System time (FILETIME, UTC). */
  systemTime(): bigint {
    return this.bootTime + BigInt(this.interruptTime());
  }

  /** Let `t100ns` pass (a delay). */
  advance(t100ns: number): void {
    if (t100ns > 0) this.skipped += Math.ceil(t100ns);
  }
}

export const timeSyscalls: SyscallFamily = {
  /** NTSTATUS NtQueryPerformanceCounter(PLARGE_INTEGER PerformanceCounter, PLARGE_INTEGER PerformanceFrequency). */
  NtQueryPerformanceCounter(c) {
    const pCounter = c.arg(0);
    const pFreq = c.arg(1);
    c.mem.probeWrite(pCounter, 8);
    if (pFreq !== 0) c.mem.probeWrite(pFreq, 8);
    c.mem.w64(pCounter, c.kernel.clock.interruptTime());
    if (pFreq !== 0) c.mem.w64(pFreq, QPC_FREQUENCY);
    return STATUS_SUCCESS;
  },

  /** NTSTATUS NtQuerySystemTime(PLARGE_INTEGER SystemTime). */
  NtQuerySystemTime(c) {
    const p = c.arg(0);
    c.mem.probeWrite(p, 8);
    const t = c.kernel.clock.systemTime();
    c.mem.w32(p, Number(t & 0xffffffffn));
    c.mem.w32(p + 4, Number(t >> 32n));
    return STATUS_SUCCESS;
  },
};
