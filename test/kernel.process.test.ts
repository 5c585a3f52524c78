/**
 * Process, thread, system-information and time services, and the dispatcher's handling of what is not
 * implemented, through x64 ntdll and through x86 ntdll on the WOW64 path.
 *
 * Expected values:
 * - NtQueryInformationProcess (learn.microsoft.com/windows/win32/api/winternl/nf-winternl-ntqueryinformationprocess):
 *   ProcessBasicInformation returns PROCESS_BASIC_INFORMATION (ExitStatus, PebBaseAddress, …,
 *   UniqueProcessId); ProcessWow64Information returns a ULONG_PTR, "nonzero" when the process runs under
 *   WOW64 (it is the PEB32's address) and zero otherwise; the call "returns an NTSTATUS success or error code"
 *   (STATUS_INFO_LENGTH_MISMATCH for a wrong size, as documented for NtQuerySystemInformation).
 * - GetExitCodeProcess (learn.microsoft.com/windows/win32/api/processthreadsapi/nf-processthreadsapi-getexitcodeprocess):
 *   a running process's exit status is STILL_ACTIVE (259 = STATUS_PENDING).
 * - IsWow64Process (…/wow64apiset/nf-wow64apiset-iswow64process): a 32-bit process on 64-bit Windows gets a
 *   32-bit PEB, which is what 32-bit code's PebBaseAddress names.
 * - NtQuerySystemInformation (learn.microsoft.com/windows/win32/api/winternl/nf-winternl-ntquerysysteminformation):
 *   SystemBasicInformation; STATUS_INFO_LENGTH_MISMATCH when the size is wrong. SYSTEM_INFO
 *   (…/sysinfoapi/ns-sysinfoapi-system_info): page size 4 KB, allocation granularity 64 KB, lowest address
 *   0x10000; MaximumUserModeAddress 0x7FFFFFFEFFFF for 64-bit code, 0x7FFEFFFF for 32-bit code (0xFFFEFFFF
 *   with IMAGE_FILE_LARGE_ADDRESS_AWARE: "Memory Limits for Windows and Windows Server Releases").
 * - QueryPerformanceFrequency (…/profileapi/nf-profileapi-queryperformancefrequency): fixed at boot; on
 *   current Windows 10/11 it is 10 MHz ("Acquiring high-resolution time stamps").
 * - TerminateProcess/ExitProcess: the exit code is the status passed to NtTerminateProcess.
 * - ExitThread (…/processthreadsapi/nf-processthreadsapi-exitthread): when the last thread exits, the
 *   process ends with that thread's exit code.
 */
import { strict as assert } from "node:assert";
import { Harness, hex, PEB32, PEB64 } from "./kernel-harness";

const STATUS_PENDING = 0x103;
const STATUS_ACCESS_VIOLATION = 0xc0000005;
const STATUS_INVALID_HANDLE = 0xc0000008;
const STATUS_INFO_LENGTH_MISMATCH = 0xc0000004;
const STATUS_CANT_TERMINATE_SELF = 0xc00000db;

describe("kernel: NtQueryInformationProcess", () => {
  it("ProcessBasicInformation for 64-bit code", () => {
    const h = new Harness({ kernel: { parentProcessId: 0x2cc } });
    const v = h.alloc(0x1000);
    let r = h.call("ntdll", "x64", "NtQueryInformationProcess", [-1, 0, v, 0x30, v + 0x80]);
    assert.equal(hex(r.ret), "0x0");
    assert.deepEqual(
      [
        hex(h.u32(v)),
        hex(h.u64(v + 8)),
        h.u64(v + 0x10),
        h.u32(v + 0x18),
        hex(h.u64(v + 0x20)),
        hex(h.u64(v + 0x28)),
      ],
      [hex(STATUS_PENDING), hex(PEB64), 1, 8, hex(h.id), "0x2cc"],
    );
    assert.equal(h.u32(v + 0x80), 0x30);
    r = h.call("ntdll", "x64", "NtQueryInformationProcess", [-1, 0, v, 0x2f, 0]);
    assert.equal(hex(r.ret), hex(STATUS_INFO_LENGTH_MISMATCH));
    r = h.call("ntdll", "x64", "NtQueryInformationProcess", [0x4444, 0, v, 0x30, 0]);
    assert.equal(hex(r.ret), hex(STATUS_INVALID_HANDLE));
    r = h.call("ntdll", "x64", "NtQueryInformationProcess", [-1, 0, 0x9000, 0x30, 0]);
    assert.equal(hex(r.ret), hex(STATUS_ACCESS_VIOLATION));
  });

  it("ProcessWow64Information: 0 for a 64-bit process, the PEB32 for a WOW64 one", () => {
    const native = new Harness();
    let v = native.alloc(0x1000);
    native.w64(v, 0x1234);
    let r = native.call("ntdll", "x64", "NtQueryInformationProcess", [-1, 26, v, 8, 0]);
    assert.equal(hex(r.ret), "0x0");
    assert.equal(native.u64(v), 0);
    r = native.call("ntdll", "x64", "NtQueryInformationProcess", [-1, 26, v, 4, 0]);
    assert.equal(hex(r.ret), hex(STATUS_INFO_LENGTH_MISMATCH));
    const wow = new Harness({ wow64: true });
    v = wow.alloc(0x1000);
    r = wow.call("ntdll", "x64", "NtQueryInformationProcess", [-1, 26, v, 8, 0]);
    assert.equal(hex(r.ret), "0x0");
    assert.equal(hex(wow.u64(v)), hex(PEB32));
    wow.w32(v + 4, 0xcccccccc);
    r = wow.call("ntdll", "x86", "NtQueryInformationProcess", [0xffffffff, 26, v, 4, v + 0x10]);
    assert.equal(hex(r.ret), "0x0");
    assert.deepEqual(
      [hex(wow.u32(v)), hex(wow.u32(v + 4)), wow.u32(v + 0x10)],
      [hex(PEB32), "0xcccccccc", 4],
    );
  });

  it("ProcessBasicInformation for 32-bit code: 24 bytes, PebBaseAddress is the PEB32", () => {
    const h = new Harness({ wow64: true });
    const v = h.alloc(0x1000);
    h.bytes(v, new Uint8Array(0x40).fill(0xee));
    let r = h.call("ntdll", "x86", "NtQueryInformationProcess", [0xffffffff, 0, v, 24, v + 0x80]);
    assert.equal(hex(r.ret), "0x0");
    assert.deepEqual(
      [0, 4, 8, 12, 16, 20, 24].map((o) => hex(h.u32(v + o))),
      [hex(STATUS_PENDING), hex(PEB32), "0x1", "0x8", hex(h.id), "0x0", "0xeeeeeeee"],
    );
    assert.equal(h.u32(v + 0x80), 24);
    assert.equal(r.syscalls[0].args[3], 0x30, "the x64 service was asked for the 64-bit structure");
    r = h.call("ntdll", "x86", "NtQueryInformationProcess", [0xffffffff, 0, v, 0x30, 0]);
    assert.equal(hex(r.ret), hex(STATUS_INFO_LENGTH_MISMATCH));
    assert.equal(r.syscalls.length, 0);
  });

  it("an unimplemented information class stops, naming it", () => {
    const h = new Harness();
    const v = h.alloc(0x1000);
    const r = h.call("ntdll", "x64", "NtQueryInformationProcess", [-1, 27, v, 0x200, 0]);
    assert.deepEqual(r.stop, {
      kind: "unimplemented",
      what: "NtQueryInformationProcess",
      detail: "ProcessInformationClass 27",
    });
  });
});

describe("kernel: NtTerminateProcess, NtTerminateThread", () => {
  it("NtTerminateProcess(NtCurrentProcess(), status) ends the process", () => {
    const h = new Harness();
    const r = h.call("ntdll", "x64", "NtTerminateProcess", [-1, 42]);
    assert.deepEqual(r.stop, { kind: "exit", status: 42, abrupt: true });
    assert.equal(h.exitStatus, 42);
    assert.equal(r.syscalls[0].name, "NtTerminateProcess");
  });

  it("from 32-bit code; NULL (the other threads) succeeds with one thread", () => {
    const h = new Harness({ wow64: true });
    let r = h.call("ntdll", "x86", "NtTerminateProcess", [0, 3]);
    assert.equal(hex(r.ret), "0x0");
    assert.equal(h.exitStatus, undefined);
    r = h.call("ntdll", "x86", "NtTerminateProcess", [0xffffffff, 0xc0000409]);
    assert.deepEqual(r.stop, { kind: "exit", status: 0xc0000409, abrupt: true });
    assert.deepEqual(r.syscalls[0].args, [-1, 0xc0000409 - 2 ** 32]);
  });

  it("NtTerminateThread of the last thread ends the process; NULL refuses", () => {
    const h = new Harness();
    let r = h.call("ntdll", "x64", "NtTerminateThread", [0, 1]);
    assert.equal(hex(r.ret), hex(STATUS_CANT_TERMINATE_SELF));
    r = h.call("ntdll", "x64", "NtTerminateThread", [-2, 7]);
    assert.deepEqual(r.stop, { kind: "exit", status: 7, abrupt: true });
  });
});

describe("kernel: NtQuerySystemInformation(SystemBasicInformation)", () => {
  it("64-bit SYSTEM_BASIC_INFORMATION", () => {
    const h = new Harness();
    const v = h.alloc(0x1000);
    let r = h.call("ntdll", "x64", "NtQuerySystemInformation", [0, v, 0x40, v + 0x80]);
    assert.equal(hex(r.ret), "0x0");
    assert.deepEqual(
      {
        page: h.u32(v + 8),
        granularity: hex(h.u32(v + 0x18)),
        min: hex(h.u64(v + 0x20)),
        max: hex(h.u64(v + 0x28)),
        mask: h.u64(v + 0x30),
        cpus: h.read8(v + 0x38, 1)[0],
        ret: h.u32(v + 0x80),
      },
      {
        page: 0x1000,
        granularity: "0x10000",
        min: "0x10000",
        max: "0x7ffffffeffff",
        mask: 1,
        cpus: 1,
        ret: 0x40,
      },
    );
    r = h.call("ntdll", "x64", "NtQuerySystemInformation", [0, v, 0x2c, 0]);
    assert.equal(hex(r.ret), hex(STATUS_INFO_LENGTH_MISMATCH));
    r = h.call("ntdll", "x64", "NtQuerySystemInformation", [5, v, 0x1000, 0]);
    assert.equal(r.stop?.kind, "unimplemented");
  });

  for (const laa of [false, true]) {
    it(`32-bit SYSTEM_BASIC_INFORMATION (0x2C bytes)${laa ? ", large-address aware" : ""}`, () => {
      const h = new Harness({ wow64: true, largeAddressAware: laa });
      const v = h.alloc(0x1000);
      h.bytes(v, new Uint8Array(0x40).fill(0xee));
      const r = h.call("ntdll", "x86", "NtQuerySystemInformation", [0, v, 0x2c, v + 0x80]);
      assert.equal(hex(r.ret), "0x0");
      assert.deepEqual(
        {
          page: h.u32(v + 8),
          granularity: hex(h.u32(v + 0x18)),
          min: hex(h.u32(v + 0x1c)),
          max: hex(h.u32(v + 0x20)),
          mask: h.u32(v + 0x24),
          cpus: h.read8(v + 0x28, 1)[0],
          after: hex(h.u32(v + 0x2c)),
          ret: h.u32(v + 0x80),
        },
        {
          page: 0x1000,
          granularity: "0x10000",
          min: "0x10000",
          max: laa ? "0xfffeffff" : "0x7ffeffff",
          mask: 1,
          cpus: 1,
          after: "0xeeeeeeee",
          ret: 0x2c,
        },
      );
      // wow64 asked the kernel for the emulated view (SystemEmulationBasicInformation, 62).
      assert.deepEqual(
        [r.syscalls[0].args[0], r.syscalls[0].args[2], r.syscalls[0].callerMode],
        [62, 0x40, "x86"],
      );
    });
  }
});

describe("kernel: time", () => {
  it("NtQueryPerformanceCounter: 10 MHz, advancing with execution and with NtDelayExecution", () => {
    const h = new Harness();
    const v = h.alloc(0x1000);
    let r = h.call("ntdll", "x64", "NtQueryPerformanceCounter", [v, v + 8]);
    assert.equal(hex(r.ret), "0x0");
    assert.equal(h.u64(v + 8), 10_000_000);
    const t0 = h.u64(v);
    // 1.5 s relative: -15,000,000 × 100 ns.
    h.w64(v + 0x10, -15_000_000);
    r = h.call("ntdll", "x64", "NtDelayExecution", [0, v + 0x10]);
    assert.equal(hex(r.ret), "0x0");
    h.call("ntdll", "x64", "NtQueryPerformanceCounter", [v, 0]);
    const dt = h.u64(v) - t0;
    assert.ok(dt >= 15_000_000 && dt < 15_001_000, String(dt));
    r = h.call("ntdll", "x64", "NtQueryPerformanceCounter", [0, 0]);
    assert.equal(hex(r.ret), hex(STATUS_ACCESS_VIOLATION));
  });

  it("an infinite delay stops instead of hanging; 32-bit callers pass LARGE_INTEGER pointers through", () => {
    const h = new Harness({ wow64: true });
    const v = h.alloc(0x1000);
    let r = h.call("ntdll", "x86", "NtQueryPerformanceCounter", [v, v + 8]);
    assert.equal(hex(r.ret), "0x0");
    assert.equal(h.u64(v + 8), 10_000_000);
    h.w32(v + 0x10, 0);
    h.w32(v + 0x14, 0x80000000);
    r = h.call("ntdll", "x86", "NtDelayExecution", [0, v + 0x10]);
    assert.equal(r.stop?.kind, "blocked");
  });
});

describe("kernel: dispatcher", () => {
  it("a service without a handler stops with its name, from 64-bit and from 32-bit code", () => {
    const h = new Harness({ wow64: true });
    let r = h.call("ntdll", "x64", "NtLockFile", [0, 0, 0, 0, 0, 0, 0, 0, 0, 0]);
    assert.deepEqual(r.stop, {
      kind: "unimplemented",
      what: "NtLockFile",
      detail: "system service not implemented",
    });
    assert.equal(r.syscalls[0].name, "NtLockFile");
    r = h.call("ntdll", "x86", "NtLockFile", [0, 0, 0, 0, 0, 0, 0, 0, 0, 0]);
    assert.deepEqual(r.stop, {
      kind: "unimplemented",
      what: "NtLockFile",
      detail: "no WOW64 thunk for 32-bit callers",
    });
  });

  it("an x86 stub of unknown stack size stops with its message", () => {
    const h = new Harness({ wow64: true });
    const r = h.call("ntdll", "x86", "NtCreatePartition", []);
    assert.deepEqual(r.stop, {
      kind: "unimplemented",
      what: "NtCreatePartition",
      detail: "unknown argument count for NtCreatePartition",
    });
  });

  it("every service the kernel implements has a WOW64 thunk", () => {
    const h = new Harness();
    assert.deepEqual(h.kernel.wow64.thunked, h.kernel.implemented);
  });
});
