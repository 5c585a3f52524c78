/**
 * The declarations of src/windows/dlls/declarations.ts, the API implementations of src/windows/api, the
 * kernel's services and wow64's thunks agree: every trap a DLL image contains has a TypeScript half (or is
 * one of the process-side traps listed here, which stop as unimplemented until the process side takes
 * them), every implementation belongs to a declared trap of its kind, and every service has its 32-bit
 * conversion. Nothing is declared twice: the lists are derived, not kept by hand.
 */
import { strict as assert } from "node:assert";
import { implementedApis, ntStatusToDosError } from "../src/windows/api";
import * as S from "../src/windows/kernel/status";
import { buildSystemDlls } from "../src/windows/dlls";
import { Harness } from "./kernel-harness";

/** Traps that belong to the process bring-up and exception dispatch, or that must stop (DbgPrint's varargs). */
const NOT_API = new Set([
  "ntdll!LdrInitializeThunk",
  "ntdll!KiUserExceptionDispatcher",
  "ntdll!DbgPrint",
  "wow64!Wow64LdrpInitialize",
  "wow64!Wow64PrepareForException",
  "wow64cpu!BTCpuProcessInit",
  "wow64cpu!BTCpuThreadInit",
  "wow64win!Wow64Win32kUnimplemented",
]);
const WOW64_THUNK_TRAPS = new Set(["wow64!Wow64pThunkArguments", "wow64!Wow64pThunkResults"]);

describe("API implementations against the DLL declarations", () => {
  const set = buildSystemDlls();
  const impl = implementedApis();
  const traps = set.dlls.flatMap((d) => d.traps).filter((t) => t.role !== "unknown-argc");

  it("every trap of every image has its TypeScript half, of the right kind", () => {
    const missing: string[] = [];
    for (const t of traps) {
      const key = `${t.dll}!${t.name}`;
      if (NOT_API.has(key) || WOW64_THUNK_TRAPS.has(key)) continue;
      const kind = impl.get(t.name);
      const want = t.role === "api" ? "api" : t.role.startsWith("calls") ? "calls" : "bridge";
      if (kind !== want) missing.push(`${key} (${t.arch}, ${t.role}): ${kind ?? "none"}`);
    }
    assert.deepEqual(missing, []);
  });

  it("every implementation is a declared trap", () => {
    const declared = new Set(traps.map((t) => t.name));
    assert.deepEqual(
      [...impl.keys()].filter((n) => !declared.has(n)),
      [],
    );
  });

  it("the process-side traps stop, naming themselves", () => {
    const h = new Harness({ wow64: true });
    const t = set.dlls
      .flatMap((d) => d.traps)
      .find((e) => e.name === "LdrInitializeThunk" && e.arch === "x64")!;
    assert.deepEqual(h.kernel.trap(h.thread, t), {
      kind: "unimplemented",
      what: "LdrInitializeThunk",
      detail: "ntdll (x64): no TypeScript implementation",
    });
  });

  it("every kernel service has a WOW64 thunk and no thunk lacks a service", () => {
    const h = new Harness();
    assert.deepEqual(h.kernel.wow64.thunked, h.kernel.implemented);
    assert.deepEqual(h.kernel.implemented, [
      "NtAllocateVirtualMemory",
      "NtClearEvent",
      "NtClose",
      "NtContinue",
      "NtCreateEvent",
      "NtCreateFile",
      "NtCreateKey",
      "NtCreateMutant",
      "NtCreateSection",
      "NtCreateSemaphore",
      "NtCreateThreadEx",
      "NtDelayExecution",
      "NtDeleteFile",
      "NtDeleteKey",
      "NtDeleteValueKey",
      "NtDuplicateObject",
      "NtEnumerateKey",
      "NtEnumerateValueKey",
      "NtFlushKey",
      "NtFreeVirtualMemory",
      "NtMapViewOfSection",
      "NtOpenEvent",
      "NtOpenFile",
      "NtOpenKey",
      "NtOpenKeyEx",
      "NtOpenMutant",
      "NtOpenSemaphore",
      "NtProtectVirtualMemory",
      "NtPulseEvent",
      "NtQueryAttributesFile",
      "NtQueryDirectoryFile",
      "NtQueryFullAttributesFile",
      "NtQueryInformationFile",
      "NtQueryInformationProcess",
      "NtQueryInformationThread",
      "NtQueryKey",
      "NtQueryPerformanceCounter",
      "NtQuerySystemInformation",
      "NtQuerySystemTime",
      "NtQueryValueKey",
      "NtQueryVirtualMemory",
      "NtQueueApcThread",
      "NtRaiseException",
      "NtReadFile",
      "NtReleaseMutant",
      "NtReleaseSemaphore",
      "NtResetEvent",
      "NtResumeThread",
      "NtSetEvent",
      "NtSetInformationFile",
      "NtSetValueKey",
      "NtSuspendThread",
      "NtTerminateProcess",
      "NtTerminateThread",
      "NtTestAlert",
      "NtUnmapViewOfSection",
      "NtWaitForMultipleObjects",
      "NtWaitForSingleObject",
      "NtWriteFile",
      "NtYieldExecution",
    ]);
  });

  it("every bridge's NT service is implemented", () => {
    const h = new Harness();
    const services = new Set(h.kernel.implemented);
    const nts = new Set(traps.filter((t) => t.role === "bridge-pre").map((t) => t.nt!));
    assert.deepEqual(
      [...nts].filter((n) => !services.has(n)),
      [],
    );
  });

  it("every warning and error status the layers produce has a Win32 error (RtlNtStatusToDosError's table)", () => {
    const unmapped = Object.entries(S)
      .filter(([n, v]) => n.startsWith("STATUS_") && typeof v === "number" && v >>> 0 >= 0x80000000)
      .filter(([, v]) => ntStatusToDosError(v as number) === 317)
      .map(([n]) => n);
    assert.deepEqual(unmapped, []);
  });
});
