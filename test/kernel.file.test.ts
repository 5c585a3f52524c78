/**
 * Console I/O through NtWriteFile and NtReadFile on the standard handles, from x64 ntdll and from x86 ntdll
 * through WOW64, on our CPU.
 *
 * Expected values:
 * - NtWriteFile (learn.microsoft.com/windows-hardware/drivers/ddi/ntifs/nf-ntifs-ntwritefile) and NtReadFile
 *   (…/nf-ntifs-ntreadfile): the IO_STATUS_BLOCK receives the final status and, in Information, the number
 *   of bytes written or read; reading at the end of a file gives STATUS_END_OF_FILE.
 * - IO_STATUS_BLOCK (learn.microsoft.com/windows-hardware/drivers/ddi/wdm/ns-wdm-_io_status_block): a
 *   union of Status and Pointer, then ULONG_PTR Information — 16 bytes on x64, 8 (IO_STATUS_BLOCK32) for
 *   32-bit code.
 * - Console handles (learn.microsoft.com/windows/console/console-handles): the standard handles are
 *   handles to the console's input and output; input is read-only, output write-only here.
 */
import { strict as assert } from "node:assert";
import { Harness, hex } from "./kernel-harness";

const STATUS_ACCESS_VIOLATION = 0xc0000005;
const STATUS_INVALID_HANDLE = 0xc0000008;
const STATUS_END_OF_FILE = 0xc0000011;
const STATUS_ACCESS_DENIED = 0xc0000022;
const STATUS_OBJECT_TYPE_MISMATCH = 0xc0000024;

function ascii(h: Harness, at: number, s: string): number {
  h.bytes(at, new TextEncoder().encode(s));
  return at;
}

describe("kernel: console I/O, x64 callers", () => {
  it("NtWriteFile writes to stdout and stderr and fills the IO_STATUS_BLOCK", () => {
    const h = new Harness();
    const v = h.alloc(0x1000);
    const buf = ascii(h, v + 0x100, "Hello, world!\n");
    h.bytes(v, new Uint8Array(16).fill(0xee));
    const { output, error } = h.kernel.stdHandles;
    let r = h.call("ntdll", "x64", "NtWriteFile", [output, 0, 0, 0, v, buf, 14, 0, 0]);
    assert.equal(hex(r.ret), "0x0");
    assert.equal(h.output, "Hello, world!\n");
    assert.deepEqual([hex(h.u64(v)), h.u64(v + 8)], ["0x0", 14]);
    r = h.call("ntdll", "x64", "NtWriteFile", [error, 0, 0, 0, v, buf, 5, 0, 0]);
    assert.equal(hex(r.ret), "0x0");
    assert.equal(new TextDecoder().decode(Uint8Array.from(h.stderr)), "Hello");
    assert.deepEqual(
      r.syscalls.map((s) => [s.name, s.number]),
      [["NtWriteFile", 8]],
    );
  });

  it("NtReadFile reads stdin in pieces, then STATUS_END_OF_FILE", () => {
    const h = new Harness({ stdin: "abc\n" });
    const v = h.alloc(0x1000);
    const input = h.kernel.stdHandles.input;
    let r = h.call("ntdll", "x64", "NtReadFile", [input, 0, 0, 0, v, v + 0x100, 2, 0, 0]);
    assert.equal(hex(r.ret), "0x0");
    assert.equal(h.u64(v + 8), 2);
    assert.equal(new TextDecoder().decode(h.read8(v + 0x100, 2)), "ab");
    r = h.call("ntdll", "x64", "NtReadFile", [input, 0, 0, 0, v, v + 0x100, 100, 0, 0]);
    assert.equal(hex(r.ret), "0x0");
    assert.equal(h.u64(v + 8), 2);
    assert.equal(new TextDecoder().decode(h.read8(v + 0x100, 2)), "c\n");
    r = h.call("ntdll", "x64", "NtReadFile", [input, 0, 0, 0, v, v + 0x100, 100, 0, 0]);
    assert.equal(hex(r.ret), hex(STATUS_END_OF_FILE));
    assert.deepEqual([hex(h.u64(v)), h.u64(v + 8)], [hex(STATUS_END_OF_FILE), 0]);
  });

  it("errors: handles, access, bad buffers, events, APC routines", () => {
    const h = new Harness({ stdin: "xyz" });
    const v = h.alloc(0x1000);
    const { input, output } = h.kernel.stdHandles;
    const buf = ascii(h, v + 0x100, "data");
    const w = (args: number[]): number => h.call("ntdll", "x64", "NtWriteFile", args).ret;
    assert.equal(hex(w([0x7ff0, 0, 0, 0, v, buf, 4, 0, 0])), hex(STATUS_INVALID_HANDLE));
    assert.equal(hex(w([input, 0, 0, 0, v, buf, 4, 0, 0])), hex(STATUS_ACCESS_DENIED));
    assert.equal(hex(w([output, 0, 0, 0, v, 0x8000, 4, 0, 0])), hex(STATUS_ACCESS_VIOLATION));
    assert.equal(hex(w([output, 0, 0, 0, 0, buf, 4, 0, 0])), hex(STATUS_ACCESS_VIOLATION));
    assert.equal(hex(w([output, 0x7ff0, 0, 0, v, buf, 4, 0, 0])), hex(STATUS_INVALID_HANDLE));
    assert.equal(hex(w([output, output, 0, 0, v, buf, 4, 0, 0])), hex(STATUS_OBJECT_TYPE_MISMATCH));
    assert.equal(h.output, "", "nothing was written");
    // Reading into read-only memory fails before any input is consumed.
    let r = h.call("ntdll", "x64", "NtReadFile", [
      input,
      0,
      0,
      0,
      v,
      h.exportOf("ntdll", "x64", "NtClose"),
      3,
      0,
      0,
    ]);
    assert.equal(hex(r.ret), hex(STATUS_ACCESS_VIOLATION));
    r = h.call("ntdll", "x64", "NtReadFile", [output, 0, 0, 0, v, v + 0x200, 3, 0, 0]);
    assert.equal(hex(r.ret), hex(STATUS_ACCESS_DENIED));
    r = h.call("ntdll", "x64", "NtReadFile", [input, 0, 0, 0, v, v + 0x200, 3, 0, 0]);
    assert.equal(hex(r.ret), "0x0");
    assert.equal(new TextDecoder().decode(h.read8(v + 0x200, 3)), "xyz");
    r = h.call("ntdll", "x64", "NtWriteFile", [output, 0, 0x401000, 0, v, buf, 4, 0, 0]);
    assert.deepEqual(r.stop, {
      kind: "unimplemented",
      what: "NtWriteFile",
      detail: "an APC completion routine",
    });
  });
});

describe("kernel: console I/O, 32-bit callers through WOW64", () => {
  it("NtWriteFile narrows the IO_STATUS_BLOCK to 8 bytes", () => {
    const h = new Harness({ wow64: true });
    const v = h.alloc(0x1000);
    const buf = ascii(h, v + 0x100, "Hello from x86\n");
    h.bytes(v, new Uint8Array(16).fill(0xee));
    const r = h.call("ntdll", "x86", "NtWriteFile", [h.kernel.stdHandles.output, 0, 0, 0, v, buf, 15, 0, 0]);
    assert.equal(hex(r.ret), "0x0");
    assert.equal(h.output, "Hello from x86\n");
    assert.deepEqual([hex(h.u32(v)), h.u32(v + 4), hex(h.u32(v + 8))], ["0x0", 15, "0xeeeeeeee"]);
    assert.equal(r.syscalls[0].callerMode, "x86");
    // The x64 service got a 16-byte block in wow64's frame.
    assert.notEqual(r.syscalls[0].args[4], v);
  });

  it("NtReadFile: data, then STATUS_END_OF_FILE in the 32-bit IO_STATUS_BLOCK", () => {
    const h = new Harness({ wow64: true, stdin: "42" });
    const v = h.alloc(0x1000);
    const input = h.kernel.stdHandles.input;
    let r = h.call("ntdll", "x86", "NtReadFile", [input, 0, 0, 0, v, v + 0x100, 16, 0, 0]);
    assert.equal(hex(r.ret), "0x0");
    assert.equal(h.u32(v + 4), 2);
    assert.equal(new TextDecoder().decode(h.read8(v + 0x100, 2)), "42");
    r = h.call("ntdll", "x86", "NtReadFile", [input, 0, 0, 0, v, v + 0x100, 16, 0, 0]);
    assert.equal(hex(r.ret), hex(STATUS_END_OF_FILE));
    assert.deepEqual([hex(h.u32(v)), h.u32(v + 4)], [hex(STATUS_END_OF_FILE), 0]);
  });

  it("an invalid 32-bit IO_STATUS_BLOCK pointer fails in wow64 without a system call", () => {
    const h = new Harness({ wow64: true });
    const v = h.alloc(0x1000);
    const r = h.call("ntdll", "x86", "NtWriteFile", [
      h.kernel.stdHandles.output,
      0,
      0,
      0,
      0x3000,
      v,
      1,
      0,
      0,
    ]);
    assert.equal(hex(r.ret), hex(STATUS_ACCESS_VIOLATION));
    assert.equal(r.syscalls.length, 0);
    assert.equal(h.output, "");
  });
});
