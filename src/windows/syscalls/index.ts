/**
 * The NT system service table: name ↔ number for the Windows build the process emulates, with each
 * service's argument count. Numbers come from `nt-syscalls-x64.csv` (the x64 kernel's service numbers,
 * which WOW64's x86 ntdll also loads into eax); argument counts from `nt-syscall-args.csv`, taken from
 * the public prototypes (phnt `ntzwapi.h`, cross-checked with Wine's `ntsyscalls.h` i386 stack sizes).
 * Both are compiled into `table.ts` by `scripts/gen-syscalls.mjs`.
 */
import { SYSCALL_ROWS } from "./table";

export type WindowsBuild = "win10-22h2" | "win11-24h2";

/** The build the emulator presents unless told otherwise. */
export const DEFAULT_BUILD: WindowsBuild = "win10-22h2";

export const WINDOWS_BUILDS: readonly WindowsBuild[] = ["win10-22h2", "win11-24h2"];

export interface SyscallInfo {
  /** `NtXxx` (ntdll also exports the same stub as `ZwXxx`). */
  readonly name: string;
  /** Service number loaded into eax by the ntdll stubs. */
  readonly number: number;
  /** Parameter count of the prototype (what a trace shows; x64 passes 4 in registers, the rest on the stack). */
  readonly params: number;
  /**
   * 32-bit stack size in dwords, popped by the x86 stub's `ret 4*n`. Differs from `params` only where a
   * parameter is 64 bits wide by value. Null where public prototypes disagree: the x86 stub traps then.
   */
  readonly x86ArgDwords: number | null;
}

export class SyscallTable {
  private readonly names = new Map<string, SyscallInfo>();
  private readonly numbers = new Map<number, SyscallInfo>();

  constructor(readonly build: WindowsBuild) {
    const col = build === "win10-22h2" ? 1 : 2;
    for (const row of SYSCALL_ROWS) {
      const number = row[col];
      if (number === null) continue;
      const info: SyscallInfo = { name: row[0], number, params: row[3], x86ArgDwords: row[4] };
      this.names.set(info.name, info);
      this.numbers.set(number, info);
    }
  }

  /** Services of this build, in service-number order. */
  all(): SyscallInfo[] {
    return [...this.numbers.values()].sort((a, b) => a.number - b.number);
  }

  /** By `NtXxx` or `ZwXxx` name. */
  byName(name: string): SyscallInfo | undefined {
    return this.names.get(name.startsWith("Zw") ? "Nt" + name.slice(2) : name);
  }

  byNumber(number: number): SyscallInfo | undefined {
    return this.numbers.get(number);
  }

  get size(): number {
    return this.names.size;
  }
}

const cache = new Map<WindowsBuild, SyscallTable>();

export function syscallTable(build: WindowsBuild = DEFAULT_BUILD): SyscallTable {
  let t = cache.get(build);
  if (!t) {
    t = new SyscallTable(build);
    cache.set(build, t);
  }
  return t;
}
