/**
 * AddressSpace.regions() — the debugger's listing of every region — against VirtualQuery walked region by
 * region (`query`, whose answers the other memory tests check against Microsoft's documentation): after
 * random reservations, commits, decommits and protection changes, the listing holds exactly the regions
 * the walk visits ("VirtualQuery … a region is a range of pages with the same state, protection and
 * type, starting at the base address and within one allocation"), in address order.
 */
import { strict as assert } from "node:assert";
import {
  MEM_COMMIT,
  MEM_DECOMMIT,
  MEM_FREE,
  MEM_RESERVE,
  PAGE_EXECUTE_READ,
  PAGE_GUARD,
  PAGE_NOACCESS,
  PAGE_READONLY,
  PAGE_READWRITE,
} from "../src/windows/memory/index";
import type { AddressSpace } from "../src/windows/memory/address-space";
import { machine, q } from "./fixtures/memory/harness";

/** A deterministic generator (xorshift32), so a failure repeats. */
function rng(seed: number): () => number {
  let x = seed >>> 0 || 1;
  return () => {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    return (x >>> 0) / 2 ** 32;
  };
}

/** The VirtualQuery walk from 0 to the end of user space, free regions left out. */
function walk(as: AddressSpace, end: number): object[] {
  const out: object[] = [];
  for (let a = 0; a < end;) {
    const i = q(as, a);
    if (i.state !== MEM_FREE) out.push({ ...i });
    a = i.baseAddress + i.regionSize;
  }
  return out;
}

describe("memory: the regions listing equals the VirtualQuery walk", () => {
  for (const seed of [1, 7, 42, 1234]) {
    it(`private allocations with commits, decommits and protections (seed ${seed})`, () => {
      const { as } = machine();
      const r = rng(seed);
      const PAGE = 4096;
      const protects = [
        PAGE_READWRITE,
        PAGE_READONLY,
        PAGE_EXECUTE_READ,
        PAGE_NOACCESS,
        PAGE_READWRITE | PAGE_GUARD,
      ];
      const bases: number[] = [];
      for (let k = 0; k < 40; k++) {
        const pages = 1 + Math.floor(r() * 64);
        const res = as.allocate(0, pages * PAGE, MEM_RESERVE, PAGE_READWRITE);
        assert.equal(res.status, 0);
        bases.push(res.base);
        for (let j = 0; j < 6; j++) {
          const at = res.base + Math.floor(r() * pages) * PAGE;
          const n = 1 + Math.floor(r() * 8) * PAGE;
          const len = Math.min(n, res.base + pages * PAGE - at);
          const op = r();
          if (op < 0.45) as.allocate(at, len, MEM_COMMIT, protects[Math.floor(r() * protects.length)]);
          else if (op < 0.7) as.free(at, len, MEM_DECOMMIT);
          else as.protect(at, len, protects[Math.floor(r() * protects.length)]);
        }
      }
      // some allocations released again: their gaps are free
      for (const b of bases.filter((_, i) => i % 5 === 0)) as.free(b, 0, 0x8000);
      const listed = as
        .regions(false)
        .filter((x) => x.kind === "private")
        .map(({ kind, sectionId, sectionOffset, ...mbi }) => {
          void kind;
          void sectionId;
          void sectionOffset;
          return mbi;
        });
      assert.deepEqual(listed, walk(as, as.highestAddress(true) + 1));
    });
  }
});
