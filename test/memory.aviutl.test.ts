/**
 * The AviUtl scenario: a 32-bit (WOW64) process keeps frames in an 8 GB pagefile-backed section it can only
 * see 256 MB at a time. It maps views at successive 64-bit offsets (one at a time, unmapping the previous),
 * writes one byte per 4 KB page over 6 GB, then maps everything again and checks every byte.
 *
 * Everything goes through the CPU-visible path: `translate` and writes into the returned PhysPage, and for
 * three of the views a 32-bit guest loop on the Cpu (one view below 4 GB, two beyond). Between "time slices"
 * the test calls `MemoryManager.balance()`, as the kernel's scheduler does, so the working set stays at its
 * limit and the touched pages live packed (a page holding one byte costs ~8 bytes instead of 4 KB).
 *
 * [ZMV] ZwMapViewOfSection: SectionOffset is a 64-bit LARGE_INTEGER; [MVF] MapViewOfFileEx takes the offset
 * as dwFileOffsetHigh:dwFileOffsetLow, "a multiple of the allocation granularity".
 */
import { strict as assert } from "node:assert";
import { Access, isBusFault } from "../src/cpu/bus";
import type { Cpu } from "../src/cpu/index";
import {
  AddressSpace,
  MEM_COMMIT,
  MEM_RESERVE,
  MemoryManager,
  PAGE_EXECUTE_READWRITE,
  PAGE_READONLY,
  PAGE_READWRITE,
  SEC_COMMIT,
  type Section,
} from "../src/windows/memory/index";
import { STATUS_SUCCESS } from "../src/windows/ntstatus";
import { GB, MB, bytes, cpuOn } from "./fixtures/memory/harness";

const SECTION = 8 * GB;
const VIEW = 256 * MB;
const TOUCHED = 6 * GB;
const VIEWS = TOUCHED / VIEW;
const PAGES = VIEW / 4096;
/** Views written (and, for the last two, read back) by guest code rather than by the test. */
const CPU_WRITES = new Set([0, 16, 23]);
const CPU_READS = new Set([1, 23]);

/** The byte written to page p of view v, and where in the page. */
const value = (v: number, p: number): number => ((p + v * 37) & 0xff) | 1;
const where = (p: number): number => (p * 97) & 0xfff;

// esi = view base, edx = first page, ebp = page count, ebx = v*37:
//   mov eax,edx ; imul eax,eax,97 ; and eax,0xfff ; add eax,esi ; mov ecx,edx ; shl ecx,12 ; add eax,ecx
const ADDRESS = "89 D0 6B C0 61 25 FF 0F 00 00 01 F0 89 D1 C1 E1 0C 01 C8";
// lea ecx,[edx+ebx] ; or cl,1 ; mov [eax],cl ; inc edx ; dec ebp ; jnz loop ; nop
const WRITER = bytes(`${ADDRESS} 8D 0C 1A 80 C9 01 88 08 42 4D 75 E1 90`);
// movzx ecx,byte [eax] ; add edi,ecx ; inc edx ; dec ebp ; jnz loop ; nop
const READER = bytes(`${ADDRESS} 0F B6 08 01 CF 42 4D 75 E4 90`);

describe("memory: the AviUtl scenario", () => {
  it("an 8 GB section through 256 MB views in a 32-bit address space: 6 GB written one byte per page, all verified", () => {
    const t0 = Date.now();
    const mm = new MemoryManager({ commitLimit: 16 * GB, residentLimit: 64 * MB });
    const as = new AddressSpace(mm, { wow64: true });
    const code = as.allocate(0, 0x2000, MEM_RESERVE | MEM_COMMIT, PAGE_EXECUTE_READWRITE).base;
    as.write(code, WRITER);
    as.write(code + 0x1000, READER);
    const cpu = cpuOn(as, 32);
    const made = mm.createSection({ size: SECTION, protect: PAGE_READWRITE, attributes: SEC_COMMIT });
    assert.equal(made.status, STATUS_SUCCESS);
    const section = made.section as Section;
    let peakSlabs = 0;
    const slice = (): void => {
      mm.balance();
      peakSlabs = Math.max(peakSlabs, mm.stats().slabBytes);
    };

    const map = (v: number, protect: number): number => {
      const r = as.mapView(section, { offset: v * VIEW, viewSize: VIEW, protect });
      assert.equal(r.status, STATUS_SUCCESS, `view ${v}`);
      assert.ok(r.base >= 0x10000 && r.base + VIEW <= 0x7fff0000, `view ${v} at 0x${r.base.toString(16)}`);
      const region = as.regions().find((x) => x.baseAddress === r.base);
      assert.equal(region?.sectionOffset, v * VIEW);
      return r.base;
    };

    // Phase 1: write.
    for (let v = 0; v < VIEWS; v++) {
      const base = map(v, PAGE_READWRITE);
      if (CPU_WRITES.has(v)) runLoop(cpu, code, code + WRITER.length - 1, base, v, slice);
      else {
        for (let p = 0; p < PAGES; p++) {
          const pg = as.translate(base / 4096 + p, Access.Write);
          if (isBusFault(pg)) assert.fail(`write fault in view ${v} page ${p}`);
          pg.u8[pg.off + where(p)] = value(v, p);
          if ((p & 0x3fff) === 0x3fff) slice();
        }
      }
      assert.equal(as.unmapView(base), STATUS_SUCCESS);
      slice();
    }
    const written = Date.now();

    // Phase 2: map everything again and check every page (read-only views).
    for (let v = 0; v < VIEWS; v++) {
      const base = map(v, PAGE_READONLY);
      if (CPU_READS.has(v)) {
        let expected = 0;
        for (let p = 0; p < PAGES; p++) expected += value(v, p);
        const sum = runLoop(cpu, code + 0x1000, code + 0x1000 + READER.length - 1, base, v, slice);
        assert.equal(sum, expected, `guest checksum of view ${v}`);
      } else {
        let bad = 0;
        for (let p = 0; p < PAGES; p++) {
          const pg = as.translate(base / 4096 + p, Access.Read);
          if (isBusFault(pg)) assert.fail(`read fault in view ${v} page ${p}`);
          const o = pg.off + where(p);
          if (pg.u8[o] !== value(v, p) || pg.u8[pg.off + ((where(p) + 1) & 0xfff)] !== 0) bad++;
          if ((p & 0x3fff) === 0x3fff) slice();
        }
        assert.equal(bad, 0, `view ${v}`);
      }
      assert.equal(as.unmapView(base), STATUS_SUCCESS);
      slice();
    }
    // The untouched last 2 GB read as zeros and cost nothing.
    const before = mm.stats().residentBytes;
    const tail = map(VIEWS + 4, PAGE_READONLY);
    for (let p = 0; p < PAGES; p += 7) {
      const pg = as.translate(tail / 4096 + p, Access.Read);
      if (isBusFault(pg) || pg.u8[pg.off + where(p)] !== 0) assert.fail(`tail page ${p}`);
    }
    assert.equal(mm.stats().residentBytes, before);
    as.unmapView(tail);
    const done = Date.now();

    const st = mm.stats();
    const rss = process.memoryUsage().rss;
    const touchedPages = VIEWS * PAGES;
    console.log(
      `      aviutl: ${touchedPages} pages (${TOUCHED / GB} GB) written in ${((written - t0) / 1000).toFixed(1)} s, ` +
        `verified in ${((done - written) / 1000).toFixed(1)} s; working set ${st.residentBytes / MB} MB ` +
        `(slabs peak ${peakSlabs / MB} MB), packed ${(st.packedBytes / MB).toFixed(1)} MB, ` +
        `process RSS ${(rss / MB).toFixed(0)} MB, trimmed ${mm.store.trimmed} pages`,
    );
    // Host memory held for guest pages: the working set plus the packed pages, far below the 6 GB of pages
    // touched (and within 1.2x of it by a wide margin).
    assert.ok(st.packedBytes < touchedPages * 16, `packed ${st.packedBytes}`);
    assert.ok(peakSlabs <= 160 * MB, `slabs ${peakSlabs}`);
    assert.ok(rss < 1.2 * TOUCHED, `rss ${rss}`);
  });
});

/**
 * Run a guest loop over the 65536 pages of the view at `base` in time slices, trimming between them; returns
 * EDI (the reader's checksum).
 */
function runLoop(cpu: Cpu, code: number, end: number, base: number, v: number, slice: () => void): number {
  cpu.lo[6] = base; // esi
  cpu.lo[2] = 0; // edx
  cpu.lo[5] = PAGES; // ebp
  cpu.lo[3] = v * 37; // ebx
  cpu.lo[7] = 0; // edi
  cpu.rip = code;
  cpu.breakpoints.add(end);
  try {
    for (;;) {
      const s = cpu.run(200_000);
      if (s.kind === "breakpoint") break;
      assert.equal(s.kind, "budget", JSON.stringify(s));
      slice();
    }
  } finally {
    cpu.breakpoints.delete(end);
  }
  return cpu.lo[7];
}
