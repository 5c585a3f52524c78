/**
 * Process APIs: ExitProcess, TerminateProcess, IsWow64Process (bridges to NtTerminateProcess and
 * NtQueryInformationProcess), GetCommandLineA/W, and ntdll!RtlExitUserProcess.
 */
import { NT_CURRENT_THREAD } from "../kernel/handles";
import { ProcessWow64Information } from "../kernel/process";
import { ntSuccess } from "../kernel/status";
import { api, bridge, CURRENT_PROCESS, FALSE, TRUE, type ApiCall, type ApiFamily } from "./context";
import { allocateData, apiState, setLastNtError, toAnsi, toUtf16 } from "./state";

/** The command line as GetCommandLineW returns it: RTL_USER_PROCESS_PARAMETERS.CommandLine.Buffer. */
function commandLineW(c: ApiCall): number {
  const params = c.peb === 0 ? 0 : c.readPtr(c.peb + c.layout.peb.ProcessParameters);
  if (params !== 0) {
    const buffer = c.readPtr(params + c.layout.params.CommandLine + c.ptrSize);
    if (buffer !== 0) return buffer;
  }
  // No process parameters yet: a copy of the process's command line.
  const key = `W/${c.arch}`;
  const cache = apiState(c.kernel).commandLine;
  let a = cache.get(key);
  if (a === undefined) {
    const bytes = toUtf16(c.process.commandLine + "\0");
    a = allocateData(c, bytes.length);
    c.mem.write(a, bytes);
    cache.set(key, a);
  }
  return a;
}

export const processApis: ApiFamily = {
  /**
   * DECLSPEC_NORETURN void ExitProcess(UINT uExitCode): NtTerminateProcess(NtCurrentProcess(), uExitCode),
   * as the last step of an orderly exit (the process then runs the DLL_PROCESS_DETACH notifications).
   */
  ExitProcess: bridge({
    pre: (c) => {
      c.kernel.orderlyExit.add(c.thread.id);
      c.nt(0, CURRENT_PROCESS);
      c.nt(1, c.u32(0));
    },
    post: () => 0,
  }),

  /**
   * BOOL TerminateProcess(HANDLE hProcess, UINT uExitCode). kernelbase refuses NULL with
   * ERROR_INVALID_HANDLE before calling NtTerminateProcess (which would read NULL as "the other threads");
   * the bridge always calls, so NULL is passed on as NtCurrentThread(), which the service rejects with the
   * same error (STATUS_OBJECT_TYPE_MISMATCH → ERROR_INVALID_HANDLE).
   */
  TerminateProcess: bridge({
    pre: (c) => {
      const h = c.sarg(0);
      c.nt(0, h === 0 ? NT_CURRENT_THREAD : h);
      c.nt(1, c.u32(1));
    },
    post: (c, status) => {
      if (ntSuccess(status)) return TRUE;
      setLastNtError(c, status);
      return FALSE;
    },
  }),

  /**
   * BOOL IsWow64Process(HANDLE hProcess, PBOOL Wow64Process): NtQueryInformationProcess(ProcessWow64Information)
   * gives the PEB32 address, nonzero for a WOW64 process.
   */
  IsWow64Process: bridge({
    pre: (c) => {
      c.writePtr(c.local(0), 0);
      c.nt(0, c.sarg(0));
      c.nt(1, ProcessWow64Information);
      c.nt(2, c.local(0));
      c.nt(3, c.ptrSize);
      c.nt(4, 0);
    },
    post: (c, status) => {
      if (!ntSuccess(status)) {
        setLastNtError(c, status);
        return FALSE;
      }
      c.mem.w32(c.arg(1), c.readPtr(c.local(0)) !== 0 ? TRUE : FALSE);
      return TRUE;
    },
  }),

  /** LPWSTR GetCommandLineW(void). */
  GetCommandLineW: api((c) => commandLineW(c)),

  /**
   * LPSTR GetCommandLineA(void): kernelbase's ANSI copy of the command line, made once (characters outside
   * Latin-1 become '?', the ANSI code page being taken as 1252-like).
   */
  GetCommandLineA: api((c) => {
    const key = `A/${c.arch}`;
    const cache = apiState(c.kernel).commandLine;
    let a = cache.get(key);
    if (a === undefined) {
      const w = commandLineW(c);
      const bytes = toAnsi(c.mem.wString(w) + "\0");
      a = allocateData(c, bytes.length);
      c.mem.write(a, bytes);
      cache.set(key, a);
    }
    return a;
  }),

  /** DECLSPEC_NORETURN VOID RtlExitUserProcess(NTSTATUS ExitStatus). */
  RtlExitUserProcess: api((c) => {
    const status = c.u32(0);
    c.process.exitStatus = status;
    return { kind: "exit", status };
  }),
};
