/**
 * The process heap: GetProcessHeap (PEB.ProcessHeap), ntdll!RtlAllocateHeap (kernel32!HeapAlloc forwards to
 * it), RtlReAllocateHeap, RtlSizeHeap, RtlFreeHeap and kernelbase!HeapFree, from 64-bit and 32-bit code.
 *
 * Expected values (learn.microsoft.com/windows/win32/api/heapapi/…):
 * - HeapAlloc: a pointer to the block; HEAP_ZERO_MEMORY (8) "The allocated memory will be initialized to
 *   zero"; the memory is aligned (8 bytes on 32-bit, 16 on 64-bit Windows: "Memory allocated by HeapAlloc
 *   is not movable … The alignment of memory returned by HeapAlloc is MEMORY_ALLOCATION_ALIGNMENT");
 *   "If the function fails, it does not call SetLastError" and returns NULL, or raises STATUS_NO_MEMORY with
 *   HEAP_GENERATE_EXCEPTIONS.
 * - HeapSize: the requested size of the block; (SIZE_T)-1 on failure.
 * - HeapReAlloc: the contents are kept; HEAP_REALLOC_IN_PLACE_ONLY (0x10) fails rather than move; with
 *   HEAP_ZERO_MEMORY the added bytes are zero.
 * - HeapFree: nonzero on success; "lpMem … If this pointer is NULL, the behavior is undefined" (here TRUE,
 *   as RtlFreeHeap does).
 * - GetProcessHeap (heapapi/nf-heapapi-getprocessheap): the handle of the process heap (PEB.ProcessHeap).
 */
import { strict as assert } from "node:assert";
import type { Arch } from "../src/windows/dlls";
import { LAYOUT64 } from "../src/windows/kernel/layout";
import { Harness, hex, PEB64 } from "./kernel-harness";

for (const arch of ["x64", "x86"] as Arch[]) {
  const align = arch === "x64" ? 16 : 8;
  describe(`process heap, ${arch} callers`, () => {
    it("HeapAlloc / HeapSize / HeapReAlloc / HeapFree on GetProcessHeap()", () => {
      const h = new Harness({ wow64: arch === "x86" });
      const call = (dll: "ntdll" | "kernel32", name: string, args: number[]): number => {
        const r = h.call(dll, arch, name, args);
        assert.equal(r.stop, undefined, JSON.stringify(r.stop));
        assert.equal(r.syscalls.length, 0, "the heap works without system calls once it has memory");
        return r.ret;
      };
      const heap = call("kernel32", "GetProcessHeap", []);
      assert.ok(heap > 0);
      const a = call("ntdll", "RtlAllocateHeap", [heap, 8, 100]);
      const b = call("ntdll", "RtlAllocateHeap", [heap, 0, 1]);
      assert.ok(a !== 0 && b !== 0 && a !== b);
      assert.equal(a % align, 0);
      assert.equal(b % align, 0);
      assert.ok(b >= a + 100 || a >= b + 1, "blocks do not overlap");
      assert.deepEqual([...h.read8(a, 100)], new Array(100).fill(0));
      assert.equal(call("ntdll", "RtlSizeHeap", [heap, 0, a]), 100);
      h.bytes(a, new Uint8Array(100).fill(0x41));
      assert.equal(
        call("ntdll", "RtlReAllocateHeap", [heap, 0x10, a, 0x10000]),
        0,
        "HEAP_REALLOC_IN_PLACE_ONLY",
      );
      const c = call("ntdll", "RtlReAllocateHeap", [heap, 8, a, 0x300]);
      assert.notEqual(c, 0);
      assert.deepEqual([...h.read8(c, 100)], new Array(100).fill(0x41));
      assert.deepEqual([...h.read8(c + 100, 0x200)], new Array(0x200).fill(0));
      assert.equal(call("ntdll", "RtlSizeHeap", [heap, 0, c]), 0x300);
      assert.equal(call("kernel32", "HeapFree", [heap, 0, c]), 1);
      assert.equal(call("ntdll", "RtlFreeHeap", [heap, 0, b]), 1);
      assert.equal(call("ntdll", "RtlFreeHeap", [heap, 0, 0]), 1);
      assert.equal(call("kernel32", "HeapFree", [heap, 0, b]), 0, "a block freed twice");
      assert.equal(arch === "x64" ? h.lastError64 : h.lastError32, 87);
      assert.equal(call("ntdll", "RtlSizeHeap", [heap, 0, b]), arch === "x64" ? -1 : 0xffffffff);
      // The freed space is used again.
      const d = call("ntdll", "RtlAllocateHeap", [heap, 0, 64]);
      assert.ok(d < c + 0x300, hex(d));
      // A large block has a region of its own.
      const big = call("ntdll", "RtlAllocateHeap", [heap, 8, 0x200000]);
      assert.equal(big % 0x10000, 0);
      h.w32(big + 0x1ffffc, 7);
      assert.equal(call("ntdll", "RtlFreeHeap", [heap, 0, big]), 1);
    });

    it("a bad heap handle is an access violation; HEAP_GENERATE_EXCEPTIONS raises STATUS_NO_MEMORY", () => {
      const h = new Harness({ wow64: arch === "x86" });
      let r = h.call("ntdll", arch, "RtlAllocateHeap", [0x12340000, 0, 16]);
      assert.deepEqual(r.stop, {
        kind: "exception",
        code: 0xc0000005,
        address: 0x12340000,
        what: "RtlAllocateHeap",
      });
      const heap = h.call("kernel32", arch, "GetProcessHeap", []).ret;
      r = h.call("ntdll", arch, "RtlAllocateHeap", [heap, 0, 0x7fff0000 * (arch === "x64" ? 2 ** 16 : 1)]);
      assert.equal(r.ret, 0);
      r = h.call("ntdll", arch, "RtlAllocateHeap", [heap, 4, 0x7fff0000 * (arch === "x64" ? 2 ** 16 : 1)]);
      assert.deepEqual(r.stop, { kind: "exception", code: 0xc0000017, address: 0, what: "RtlAllocateHeap" });
    });
  });
}

describe("process heap: a region the process reserved itself", () => {
  it("becomes the heap when PEB.ProcessHeap names it", () => {
    const h = new Harness();
    const region = h.mem.allocate(0, 0x100000, 0x2000, 4, 0, { native64: true }).base;
    h.mem.allocate(region, 0x1000, 0x1000, 4, 0, { native64: true });
    h.w64(PEB64 + LAYOUT64.peb.ProcessHeap, region);
    const a = h.call("ntdll", "x64", "RtlAllocateHeap", [region, 8, 0x3000]).ret;
    assert.ok(a > region && a + 0x3000 <= region + 0x100000, hex(a));
    h.w32(a + 0x2ffc, 1);
    assert.equal(h.call("ntdll", "x64", "RtlSizeHeap", [region, 0, a]).ret, 0x3000);
  });
});
