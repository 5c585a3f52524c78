/**
 * Threads and synchronisation: the CPU's context switch (a thread switched out and back in continues
 * exactly), the thread and wait services against Microsoft's documented results, and the threads fixture
 * (test/fixtures/src/threads.c; expected output in test/fixtures/EXPECTED.md) in both architectures, run
 * twice with identical output and instruction counts.
 */
import { strict as assert } from "node:assert";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { Kernel } from "../src/windows/kernel";
import { Sync } from "../src/windows/kernel/sync";
import { BufferConsole, Process, TIME_SLICE } from "../src/windows/process";
import { CODE, CODE2, machine, bytes, le32 } from "./sem-harness";
import { DEFAULT_BUILD, syscallTable } from "../src/windows/syscalls";
import { Harness } from "./kernel-harness";

const BIN = join(__dirname, "fixtures", "bin");

describe("threads: the CPU context switch", () => {
  // A loop mixing lazy flags (add/adc), SSE (paddd), x87 (fadd st0, st0) and a counter, then int3:
  //   fld1; L: add rax, rcx; adc rbx, rax; paddd xmm0, xmm1; fadd st0, st0; dec rdx; jnz L; int3
  const loop = "D9 E8 48 01 C8 48 11 C3 66 0F FE C1 D8 C0 48 FF CA 75 F1 CC";
  function start(): ReturnType<typeof machine> {
    const m = machine(64, loop);
    const { cpu } = m;
    cpu.lo[1] = 0x9abcdef1; // rcx
    cpu.hi[1] = 0x7fffffff;
    cpu.lo[2] = 25; // rdx: iterations
    cpu.xmm.set([1, 2, 3, 4, 5, 6, 7, 8]);
    return m;
  }
  const state = (c: ReturnType<typeof machine>["cpu"]) => ({
    lo: [...c.lo],
    hi: [...c.hi],
    rip: c.rip,
    eflags: c.getEflags(),
    xmm: [...c.xmm],
    st0: c.fpu.st(0),
    sw: c.fpu.statusWord(),
    mode64: c.mode64,
    fs: c.fsBase,
  });

  it("a thread switched out mid-loop and switched back in ends exactly as one never interrupted", () => {
    const ref = start();
    assert.equal(ref.cpu.run(10_000).kind, "fault"); // the int3
    const want = state(ref.cpu);

    const m = start();
    m.cpu.run(37); // stops inside the loop (block boundaries: within a block of the budget)
    const saved = m.cpu.saveState();
    // Another "thread": different mode, registers, flags, SSE, x87 and FS base.
    m.bus.writeBytes(CODE2, bytes("40 01 C0 0F 57 C0 D9 EE 90 CC")); // 32-bit: inc eax; add eax, eax; xorps; fldz
    m.cpu.setMode(32);
    m.cpu.rip = CODE2;
    m.cpu.lo.fill(0x55);
    m.cpu.fsBase = 0x7efdd000;
    m.cpu.mxcsr = 0x9fc0;
    m.cpu.run(100);
    assert.notDeepEqual(state(m.cpu), want);
    m.cpu.loadState(saved);
    assert.equal(m.cpu.mode64, true);
    assert.equal(m.cpu.run(10_000).kind, "fault");
    assert.deepEqual(state(m.cpu), want);
    assert.equal(m.cpu.mxcsr, 0x1f80);
    assert.ok(want.rip > CODE);
  });
});

describe("threads: wait and object services (one thread)", () => {
  it("events, mutants and semaphores return the documented statuses", () => {
    const h = new Harness();
    const v = h.alloc(0x1000);
    const call = (name: string, args: number[]) => h.call("ntdll", "x64", name, args);
    // NtCreateEvent(&h, EVENT_ALL_ACCESS, NULL, SynchronizationEvent, FALSE)
    assert.equal(call("NtCreateEvent", [v, 0x1f0003, 0, 1, 0]).ret, 0);
    const ev = h.u64(v);
    h.w64(v + 0x10, 0); // a zero timeout
    // Not signaled: STATUS_TIMEOUT (0x102) at once.
    assert.equal(call("NtWaitForSingleObject", [ev, 0, v + 0x10]).ret, 0x102);
    assert.equal(call("NtSetEvent", [ev, v + 0x20]).ret, 0);
    assert.equal(h.u32(v + 0x20), 0); // previous state: not signaled
    assert.equal(call("NtWaitForSingleObject", [ev, 0, v + 0x10]).ret, 0); // STATUS_WAIT_0, and it reset
    assert.equal(call("NtWaitForSingleObject", [ev, 0, v + 0x10]).ret, 0x102);
    // A wait without a timeout that nothing can end: a blocked stop naming it.
    const r = call("NtWaitForSingleObject", [ev, 0, 0]);
    assert.equal(r.stop?.kind, "blocked");

    // Mutant: owned at creation, recursive acquisition, PreviousCount, STATUS_MUTANT_NOT_OWNED (0xC0000046).
    assert.equal(call("NtCreateMutant", [v + 0x30, 0x1f0001, 0, 1]).ret, 0);
    const mu = h.u64(v + 0x30);
    assert.equal(call("NtWaitForSingleObject", [mu, 0, v + 0x10]).ret, 0);
    assert.equal(call("NtReleaseMutant", [mu, v + 0x38]).ret, 0);
    assert.equal(h.u32(v + 0x38) | 0, -1); // owned twice: signal state -1 before the release
    assert.equal(call("NtReleaseMutant", [mu, v + 0x38]).ret, 0);
    assert.equal(h.u32(v + 0x38), 0);
    assert.equal(call("NtReleaseMutant", [mu, 0]).ret >>> 0, 0xc0000046);

    // Semaphore: count 1 of 2; a release past the maximum is STATUS_SEMAPHORE_LIMIT_EXCEEDED (0xC0000047).
    assert.equal(call("NtCreateSemaphore", [v + 0x40, 0x1f0003, 0, 1, 2]).ret, 0);
    const se = h.u64(v + 0x40);
    assert.equal(call("NtReleaseSemaphore", [se, 2, v + 0x48]).ret >>> 0, 0xc0000047);
    assert.equal(call("NtReleaseSemaphore", [se, 1, v + 0x48]).ret, 0);
    assert.equal(h.u32(v + 0x48), 1);
    // WaitAny over [event (unsignaled), semaphore]: index 1 (STATUS_WAIT_0 + 1).
    h.w64(v + 0x50, ev);
    h.w64(v + 0x58, se);
    assert.equal(call("NtWaitForMultipleObjects", [2, v + 0x50, 1, 0, v + 0x10]).ret, 1);
    // WaitAll with the event unsignaled: STATUS_TIMEOUT; the semaphore's count is untouched (1 left).
    assert.equal(call("NtWaitForMultipleObjects", [2, v + 0x50, 0, 0, v + 0x10]).ret, 0x102);
    assert.equal(call("NtReleaseSemaphore", [se, 1, v + 0x48]).ret, 0);
    assert.equal(h.u32(v + 0x48), 1);
    // The same object twice in a WaitAll: STATUS_INVALID_PARAMETER_MIX (0xC0000030); 65 objects:
    // STATUS_INVALID_PARAMETER_1.
    h.w64(v + 0x58, ev);
    assert.equal(call("NtWaitForMultipleObjects", [2, v + 0x50, 0, 0, v + 0x10]).ret >>> 0, 0xc0000030);
    assert.equal(call("NtWaitForMultipleObjects", [65, v + 0x50, 1, 0, v + 0x10]).ret >>> 0, 0xc00000ef);
  });

  it("named events: a second create opens the same object (STATUS_OBJECT_NAME_EXISTS), open finds it", () => {
    const h = new Harness({ wow64: true });
    const v = h.alloc(0x1000);
    const k = h.kernel;
    // kernel32 from 32-bit code: CreateEventW(NULL, TRUE, FALSE, L"wowdbg-test") twice, then OpenEventW.
    const name = v + 0x100;
    "wowdbg-test".split("").forEach((ch, i) => h.w16(name + 2 * i, ch.charCodeAt(0)));
    const k32 = (fn: string, args: number[]) => h.call("kernel32", "x86", fn, args);
    const h1 = k32("CreateEventW", [0, 1, 0, name]).ret;
    assert.notEqual(h1, 0);
    const h2 = k32("CreateEventW", [0, 1, 0, name]).ret;
    assert.notEqual(h2, 0);
    assert.equal(k32("GetLastError", []).ret, 183); // ERROR_ALREADY_EXISTS
    assert.equal(k.handles.get(h1)?.object, k.handles.get(h2)?.object);
    const h3 = k32("OpenEventW", [0x1f0003, 0, name]).ret;
    assert.equal(k.handles.get(h3)?.object, k.handles.get(h1)?.object);
    assert.equal(k32("SetEvent", [h1]).ret, 1);
    assert.equal(k32("WaitForSingleObject", [h3, 0]).ret, 0); // WAIT_OBJECT_0: manual reset stays set
    assert.equal(k32("WaitForSingleObject", [h2, 0]).ret, 0);
    assert.equal(k32("ResetEvent", [h2]).ret, 1);
    assert.equal(k32("WaitForSingleObject", [h1, 10]).ret, 258); // WAIT_TIMEOUT
  });
});

function runFixture(name: string): { out: string; status: number; instructions: number; waits: number } {
  const con = new BufferConsole();
  const p = Process.create({
    file: readFileSync(join(BIN, name)),
    name,
    console: con,
    kernel: (q) => new Kernel(q),
  });
  let waits = 0;
  const orig = Sync.prototype.waitExternal;
  Sync.prototype.waitExternal = function (this: Sync, ...a: Parameters<Sync["waitExternal"]>) {
    waits++;
    return orig.apply(this, a);
  };
  try {
    const r = p.run(100_000_000);
    assert.equal(r.kind, "exit", JSON.stringify(r));
    return {
      out: con.stdout,
      status: r.kind === "exit" ? r.status : -1,
      instructions: p.instructions,
      waits,
    };
  } finally {
    Sync.prototype.waitExternal = orig;
  }
}

/** The documented output (test/fixtures/EXPECTED.md, threads). */
const EXPECTED = [
  "producer tls before 0",
  "producer: made 10",
  "consumer: took 10",
  "producer: made 20",
  "consumer: took 20",
  "producer: made 30",
  "consumer: took 30",
  "producer: made 40",
  "consumer: took 40",
  "consumer tls 222",
  "producer tls after 111",
  "wait all 0",
  "producer exit code 7",
  "consumer exit code 9",
  "wait any 0",
  "workers 0",
  "critical section counter 2000",
  "mutex counter 400",
  "worker exit code 22",
  "suspended exit code 259",
  "thread ids agree 1",
  "resume 1",
  "wait thread 0",
  "idle exit code 5",
  "timed wait 258",
  "release unowned mutex 0",
  "error 288",
  "release semaphore past maximum 0",
  "error 298",
  "main tls 333",
  "",
].join("\n");

describe("threads: the threads fixture", function () {
  this.timeout(120_000);
  for (const bits of [32, 64]) {
    it(`threads${bits}.exe: the documented output, the critical section contended, two runs identical`, () => {
      const a = runFixture(`threads${bits}.exe`);
      assert.equal(a.out, EXPECTED);
      assert.equal(a.status, 0);
      // The workers' critical section really made a thread wait (a switch fell inside the locked region).
      assert.ok(a.waits > 0, "no thread ever waited for the critical section");
      const b = runFixture(`threads${bits}.exe`);
      assert.deepEqual(b, a);
      assert.ok(a.instructions > 2 * TIME_SLICE);
    });
  }

  it("a deadlock stops naming what every thread waits on", () => {
    // Two threads each wait on their own thread object (signaled only when the thread ends):
    //   mov r10, -2; xor edx, edx; xor r8d, r8d; mov eax, NtWaitForSingleObject; syscall; int3
    const n = syscallTable(DEFAULT_BUILD).byName("NtWaitForSingleObject")?.number ?? 0;
    const code = bytes(`49 C7 C2 FE FF FF FF 31 D2 45 31 C0 B8 ${le32(n)} 0F 05 CC`);
    const p = Process.createShellcode({ code, arch: "x64", kernel: (q) => new Kernel(q) });
    const t = p.createThread({
      start: p.shellcodeBase,
      parameter: 0,
      arch: "x64",
      stackCommit: 0,
      stackReserve: 0,
      skipAttach: true,
    });
    assert.equal(typeof t, "object");
    const r = p.run(1_000_000);
    assert.equal(r.kind, "unimplemented");
    if (r.kind !== "unimplemented") return;
    assert.equal(r.what, "deadlock");
    assert.match(r.detail ?? "", /thread 0x1A30: NtWaitForSingleObject on Thread 0x1a30/);
    assert.match(r.detail ?? "", /thread 0x1A34: NtWaitForSingleObject on Thread 0x1a34/);
  });

  it("a wait with a timeout while every thread waits lets virtual time jump to it", () => {
    // The new thread waits forever on itself; the main thread waits 2 s on itself: STATUS_TIMEOUT (0x102)
    // after the clock jumped, then int3 ends the process with the breakpoint exception.
    const n = syscallTable(DEFAULT_BUILD).byName("NtWaitForSingleObject")?.number ?? 0;
    // lea r8, [rip+timeout]; mov r10, -2; xor edx, edx; mov eax, N; syscall; int3; timeout: dq -20000000
    const main = `4C 8D 05 17 00 00 00 49 C7 C2 FE FF FF FF 31 D2 B8 ${le32(n)} 0F 05 CC 00 00 00 00 00 00`;
    const code = bytes(main + " 00 D3 CE FE FF FF FF FF");
    const p = Process.createShellcode({ code, arch: "x64", kernel: (q) => new Kernel(q) });
    const waiter = bytes(`49 C7 C2 FE FF FF FF 31 D2 45 31 C0 B8 ${le32(n)} 0F 05 CC`);
    p.mem.write(p.shellcodeBase + 0x100, waiter, { force: true });
    p.createThread({
      start: p.shellcodeBase + 0x100,
      parameter: 0,
      arch: "x64",
      stackCommit: 0,
      stackReserve: 0,
      skipAttach: true,
    });
    const k = p.kernel as Kernel;
    const t0 = k.clock.interruptTime();
    const r = p.run(1_000_000);
    assert.equal(r.kind, "exception", JSON.stringify(r));
    assert.equal(p.cpu.lo[0], 0x102);
    assert.ok(k.clock.interruptTime() - t0 >= 20_000_000);
  });
});

/** The documented output of threads2 (test/fixtures/EXPECTED.md, threads2_32.exe / threads2_64.exe). */
const EXPECTED2 = [
  "terminate 1",
  "wait terminated 0",
  "terminated exit code 42",
  "wait abandoned mutex 128",
  "release mutex 1",
  "terminate null 0",
  "error 6",
  "duplicate current thread 1",
  "duplicate is a real handle 1",
  "duplicate names this thread 1",
  "child: duplicate names the main thread 1",
  "child: pseudo-handle names the child 1",
  "duplicate current process 1",
  "close it 1",
  "duplicate closing source 1",
  "close source again 0",
  "error 6",
  "set duplicate 1",
  "wait duplicate 0",
  "duplicate synchronize only 1",
  "set it 0",
  "error 5",
  "wait it 0",
  "queue apc 1",
  "queue apc 1",
  "non-alertable sleep ran no apc",
  "apc 1",
  "apc 2",
  "sleepex 192",
  "sleepex without apc 0",
  "apc 3",
  "wait ex 192",
  "apc 4",
  "worker: sleepex 192",
  "apc 5",
  "worker: wait ex 192",
  "exiter: ExitProcess(3)",
  "",
].join("\n");

describe("threads: TerminateThread, DuplicateHandle, user APCs (threads2 fixture)", function () {
  this.timeout(120_000);
  for (const bits of [32, 64]) {
    it(`threads2_${bits}.exe: the documented output and exit code 3, two runs identical`, () => {
      const a = runFixture(`threads2_${bits}.exe`);
      assert.equal(a.out, EXPECTED2);
      assert.equal(a.status, 3);
      const b = runFixture(`threads2_${bits}.exe`);
      assert.deepEqual(b, a);
    });
  }
});

describe("threads: the services behind them", () => {
  const nr = (name: string): number => syscallTable(DEFAULT_BUILD).byName(name)?.number ?? 0;

  it("NtTerminateProcess(NULL) ends every other thread with the status and returns STATUS_SUCCESS", () => {
    // xor r10d, r10d; mov edx, 5; mov eax, NtTerminateProcess; syscall; int3
    const code = bytes(`45 31 D2 BA 05 00 00 00 B8 ${le32(nr("NtTerminateProcess"))} 0F 05 CC`);
    const p = Process.createShellcode({ code, arch: "x64", kernel: (q) => new Kernel(q) });
    // The other thread loops forever: jmp $
    p.mem.write(p.shellcodeBase + 0x100, bytes("EB FE"), { force: true });
    const t = p.createThread({
      start: p.shellcodeBase + 0x100,
      parameter: 0,
      arch: "x64",
      stackCommit: 0,
      stackReserve: 0,
      skipAttach: true,
    });
    assert.equal(typeof t, "object");
    if (typeof t !== "object") return;
    const r = p.run(1_000_000);
    assert.equal(r.kind, "exception", JSON.stringify(r)); // the int3 after the call: the caller went on
    assert.equal(p.cpu.lo[0], 0); // STATUS_SUCCESS
    assert.equal(p.threads.length, 1);
    const o = (p.kernel as Kernel).threadObject(t);
    assert.equal(o.terminated, true);
    assert.equal(o.exitStatus, 5); // GetExitCodeThread: the status NtTerminateProcess was given
  });

  it("NtDuplicateObject: pseudo-handles, access, DUPLICATE_CLOSE_SOURCE with a NULL target process", () => {
    const h = new Harness();
    const v = h.alloc(0x1000);
    const call = (name: string, args: number[]) => h.call("ntdll", "x64", name, args);
    const k = h.kernel;
    // NtCurrentThread() → a real handle with the thread's full access (DUPLICATE_SAME_ACCESS).
    assert.equal(call("NtDuplicateObject", [-1, -2, -1, v, 0, 0, 2]).ret, 0);
    const th = k.handles.get(h.u64(v));
    assert.equal(th?.object.type, "Thread");
    assert.equal(th?.access, 0x1fffff); // THREAD_ALL_ACCESS (winnt.h)
    // An event duplicated with GENERIC_READ: EVENT's GENERIC_MAPPING read = READ_CONTROL | EVENT_QUERY_STATE.
    assert.equal(call("NtCreateEvent", [v + 8, 0x1f0003, 0, 0, 0]).ret, 0);
    const ev = h.u64(v + 8);
    assert.equal(call("NtDuplicateObject", [-1, ev, -1, v + 0x10, 0x80000000, 2, 0]).ret, 0);
    const dup = k.handles.get(h.u64(v + 0x10));
    assert.equal(dup?.access, 0x20001);
    assert.equal(dup?.inherit, true); // HandleAttributes OBJ_INHERIT
    // Unknown options: STATUS_INVALID_PARAMETER; a bad source handle: STATUS_INVALID_HANDLE.
    assert.equal(call("NtDuplicateObject", [-1, ev, -1, v + 0x18, 0, 0, 8]).ret >>> 0, 0xc000000d);
    assert.equal(call("NtDuplicateObject", [-1, 0x1234, -1, v + 0x18, 0, 0, 2]).ret >>> 0, 0xc0000008);
    // TargetProcessHandle NULL with DUPLICATE_CLOSE_SOURCE: only the source is closed.
    assert.equal(call("NtDuplicateObject", [-1, ev, 0, 0, 0, 0, 1]).ret, 0);
    assert.equal(k.handles.get(ev), undefined);
    assert.equal(call("NtClose", [ev]).ret >>> 0, 0xc0000008);
  });

  it("a wait that blocks is traced once when it starts and completed with its status when it ends", () => {
    // As above: the main thread waits 2 s on itself (STATUS_TIMEOUT), the other forever on itself.
    const n = nr("NtWaitForSingleObject");
    const main = `4C 8D 05 17 00 00 00 49 C7 C2 FE FF FF FF 31 D2 B8 ${le32(n)} 0F 05 CC 00 00 00 00 00 00`;
    const code = bytes(main + " 00 D3 CE FE FF FF FF FF");
    let kernel: Kernel | undefined;
    const p = Process.createShellcode({ code, arch: "x64", kernel: (q) => (kernel = new Kernel(q)) });
    const k = kernel as unknown as Kernel;
    const started: string[] = [];
    const completed: string[] = [];
    k.onSyscall = (r) =>
      started.push(`${r.thread?.toString(16)} ${r.name} ${r.waiting === true} ${r.status}`);
    k.onSyscallComplete = (r) => completed.push(`${r.thread?.toString(16)} ${r.name} ${r.status}`);
    p.mem.write(
      p.shellcodeBase + 0x100,
      bytes(`49 C7 C2 FE FF FF FF 31 D2 45 31 C0 B8 ${le32(n)} 0F 05 CC`),
      {
        force: true,
      },
    );
    p.createThread({
      start: p.shellcodeBase + 0x100,
      parameter: 0,
      arch: "x64",
      stackCommit: 0,
      stackReserve: 0,
      skipAttach: true,
    });
    const r = p.run(1_000_000);
    assert.equal(r.kind, "exception", JSON.stringify(r));
    assert.deepEqual(
      started.filter((l) => l.includes("NtWait")),
      ["1a30 NtWaitForSingleObject true undefined", "1a34 NtWaitForSingleObject true undefined"],
    );
    // STATUS_TIMEOUT (0x102 = 258) for the main thread; the other thread's wait never ends.
    assert.deepEqual(completed, ["1a30 NtWaitForSingleObject 258"]);
  });
});
