/**
 * The memory manager as the CPU's Bus: lazy backing, watchpoints, decoded-code invalidation through aliases,
 * working-set trimming (packed pages), the debugger's layout version and region listing, and the kernel's
 * read/write access.
 */
import { strict as assert } from "node:assert";
import { Access, type BusFault } from "../src/cpu/bus";
import {
  HIGHEST_USER_ADDRESS_64,
  MEM_COMMIT,
  MEM_RELEASE,
  MEM_RESERVE,
  MemoryHostFile,
  PAGE_EXECUTE_READWRITE,
  PAGE_NOACCESS,
  PAGE_READONLY,
  PAGE_READWRITE,
  PAGE_WRITECOPY,
  SEC_COMMIT,
  type Section,
} from "../src/windows/memory/index";
import { STATUS_SUCCESS } from "../src/windows/ntstatus";
import { GB, MB, bytes, cpuOn, machine, page, peek, poke, runTo } from "./fixtures/memory/harness";

const RC = MEM_RESERVE | MEM_COMMIT;

describe("memory: lazy backing", () => {
  it("an 8 GB section costs nothing until touched, and a touched page one frame", () => {
    const { mm, as } = machine({ wow64: true }, { commitLimit: 16 * GB });
    const s = mm.createSection({ size: 8 * GB, protect: PAGE_READWRITE, attributes: SEC_COMMIT })
      .section as Section;
    const base = mm.stats().residentBytes;
    const v = as.mapView(s, { offset: 7 * GB, viewSize: 1 * GB, protect: PAGE_READWRITE });
    for (let a = v.base; a < v.base + v.viewSize; a += 64 * 4096) assert.equal(peek(as, a), 0);
    assert.equal(mm.stats().residentBytes, base);
    poke(as, v.base + 12345, 1);
    assert.equal(mm.stats().residentBytes, base + 4096);
  });
});

describe("memory: watchpoints", () => {
  it("unwatched pages are not hooked; a watch sees overlapping accesses of its kinds, before they happen", () => {
    const { as } = machine();
    const r = as.allocate(0, 0x3000, RC, PAGE_EXECUTE_READWRITE).base;
    const data = r + 0x2000;
    const seen: string[] = [];
    assert.equal(as.isHooked(data / 4096), false);
    const e0 = as.epoch;
    const id = as.addWatch(data + 8, 4, Access.Write, (a, n, k) => {
      seen.push(`${(a - data).toString(16)}/${n}/${k}/${peek(as, data + 8)}`);
      return undefined;
    });
    assert.notEqual(as.epoch, e0, "CPUs drop cached translations of the page");
    assert.equal(as.isHooked(data / 4096), true);
    assert.equal(as.isHooked(data / 4096 - 1), false);
    // mov [rbx+8], eax ; mov ecx, [rbx+8] ; mov [rbx+16], eax ; nop
    as.write(r, bytes("89 43 08 8B 4B 08 89 43 10 90"));
    const cpu = cpuOn(as, 64);
    cpu.lo[3] = data;
    cpu.lo[0] = 0x41;
    cpu.rip = r;
    assert.deepEqual(runTo(cpu, r + 9), { kind: "breakpoint", address: r + 9 });
    assert.deepEqual(seen, ["8/4/2/0"], "only the overlapping write, seen before the store");
    assert.equal(peek(as, data + 8), 0x41);
    // A watch can refuse the access.
    as.removeWatch(id);
    const stop: BusFault = { fault: "PF", status: 0 };
    as.addWatch(data + 8, 1, Access.Read, () => stop);
    cpu.rip = r + 3;
    const s = runTo(cpu, r + 9);
    assert.equal(s.kind === "fault" && s.fault.address, data + 8);
  });
});

describe("memory: decoded code and aliases", () => {
  it("a write through one view invalidates code run from another view of the same bytes", () => {
    const { mm, as } = machine();
    const s = mm.createSection({ size: 0x10000, protect: PAGE_EXECUTE_READWRITE, attributes: SEC_COMMIT })
      .section as Section;
    const x = as.mapView(s, { protect: PAGE_EXECUTE_READWRITE }).base;
    const w = as.mapView(s, { protect: PAGE_READWRITE }).base;
    // mov eax, 1 ; nop
    as.write(w, bytes("B8 01 00 00 00 90"));
    const cpu = cpuOn(as, 64);
    for (let k = 0; k < 10; k++) {
      cpu.rip = x;
      runTo(cpu, x + 5);
    }
    assert.equal(cpu.lo[0], 1);
    // The guest patches the immediate through the writable alias (mov byte [rdi+1], 2 ; nop).
    const patch = as.allocate(0, 0x1000, RC, PAGE_EXECUTE_READWRITE).base;
    as.write(patch, bytes("C6 47 01 02 90"));
    cpu.lo[7] = w;
    cpu.rip = patch;
    runTo(cpu, patch + 4);
    cpu.rip = x;
    runTo(cpu, x + 5);
    assert.equal(cpu.lo[0], 2);
    // A debugger write (through the manager) is seen too.
    as.write(w + 1, new Uint8Array([3]));
    cpu.rip = x;
    runTo(cpu, x + 5);
    assert.equal(cpu.lo[0], 3);
  });
});

describe("memory: working set", () => {
  it("balance() packs pages beyond the resident limit; their contents come back on access", () => {
    const { mm, as } = machine({}, { commitLimit: 1 * GB, residentLimit: 1 * MB });
    const r = as.allocate(0, 16 * MB, RC, PAGE_READWRITE);
    const rnd = (k: number): number => (Math.imul(k, 2654435761) >>> 24) | 1;
    for (let k = 0; k < 4096; k++) {
      const p = page(as, r.base + k * 4096, Access.Write);
      if (k % 3 === 0)
        p.u8[p.off + ((k * 13) % 4096)] = rnd(k); // one byte
      else if (k % 3 === 1) for (let j = 0; j < 4096; j++) p.u8[p.off + j] = rnd(k + j); // incompressible
    } // k % 3 === 2: written, still zero
    assert.equal(mm.stats().residentBytes, 4096 * 4096 + 4096);
    const e0 = as.epoch;
    mm.balance();
    assert.notEqual(as.epoch, e0, "every address space's CPUs must drop their TLBs");
    assert.ok(mm.stats().residentBytes <= 1 * MB, `${mm.stats().residentBytes}`);
    assert.ok(mm.stats().packedBytes < 1366 * 4096 + 1366 * 16 + 64 * 1024, `${mm.stats().packedBytes}`);
    for (let k = 0; k < 4096; k++) {
      const a = r.base + k * 4096;
      if (k % 3 === 0) assert.equal(peek(as, a + ((k * 13) % 4096)), rnd(k));
      else if (k % 3 === 1) assert.equal(peek(as, a + 4095), rnd(k + 4095));
      else assert.equal(peek(as, a + 100), 0);
    }
    // Freeing returns everything.
    as.free(r.base, 0, MEM_RELEASE);
    mm.balance();
    assert.ok(mm.stats().packedBytes === 0, `${mm.stats().packedBytes}`);
  });

  it("pages holding decoded code stay resident; a CPU keeps running correctly across trims", () => {
    const { mm, as } = machine({}, { commitLimit: 1 * GB, residentLimit: 256 * 1024 });
    const code = as.allocate(0, 0x1000, RC, PAGE_EXECUTE_READWRITE).base;
    const data = as.allocate(0, 4 * MB, RC, PAGE_READWRITE).base;
    // loop: add [rdi], ecx ; add rdi, 4096 ; dec esi ; jnz loop ; nop
    as.write(code, bytes("01 0F 48 81 C7 00 10 00 00 FF CE 75 F3 90"));
    const cpu = cpuOn(as, 64);
    for (let pass = 1; pass <= 3; pass++) {
      cpu.lo[7] = data;
      cpu.lo[6] = 1024;
      cpu.lo[1] = pass;
      cpu.rip = code;
      // Time slices, with the scheduler trimming between them.
      while (cpu.rip !== code + 13) {
        cpu.breakpoints.add(code + 13);
        const s = cpu.run(200);
        cpu.breakpoints.delete(code + 13);
        assert.ok(s.kind === "budget" || s.kind === "breakpoint", JSON.stringify(s));
        mm.balance();
      }
    }
    assert.ok(mm.store.trimmed > 0);
    assert.equal(page(as, code, Access.Exec).code, true);
    for (let k = 0; k < 1024; k++) assert.equal(peek(as, data + k * 4096), 1 + 2 + 3);
  });

  it("private copies survive trimming, zero-filled ones included", () => {
    const { mm, as } = machine({}, { residentLimit: 256 * 1024 });
    const s = mm.createSection({ size: 1 * MB, protect: PAGE_READWRITE, attributes: SEC_COMMIT })
      .section as Section;
    const shared = as.mapView(s, { protect: PAGE_READWRITE }).base;
    for (let k = 0; k < 256; k++) poke(as, shared + k * 4096, 7);
    const cow = as.mapView(s, { protect: PAGE_WRITECOPY }).base;
    for (let k = 0; k < 256; k++) poke(as, cow + k * 4096, 0); // private copies that hold zeros
    mm.balance();
    assert.ok(mm.stats().residentBytes <= 256 * 1024);
    for (let k = 0; k < 256; k++) assert.equal(peek(as, cow + k * 4096), 0, `page ${k}`);
    assert.equal(as.protect(cow, 1 * MB, PAGE_READWRITE).status, STATUS_SUCCESS);
    assert.equal(as.query(cow).info?.protect, PAGE_READWRITE, "copied pages stay private (not write-copy)");
    assert.equal(as.query(cow).info?.regionSize, 1 * MB);
  });

  it("clean pages of a file section are dropped and read again from the file", () => {
    const { mm, as } = machine({}, { residentLimit: 256 * 1024 });
    const content = new Uint8Array(1 * MB).map((_, k) => k * 7);
    const s = mm.createSection({
      protect: PAGE_READONLY,
      attributes: SEC_COMMIT,
      file: new MemoryHostFile(content, false),
    }).section as Section;
    const v = as.mapView(s, { protect: PAGE_READONLY }).base;
    for (let k = 0; k < 256; k++) assert.equal(peek(as, v + k * 4096 + 5), content[k * 4096 + 5]);
    mm.balance();
    assert.equal(mm.stats().packedBytes, 0, "nothing to pack: the file has the bytes");
    for (let k = 0; k < 256; k++) assert.equal(peek(as, v + k * 4096 + 9), content[k * 4096 + 9]);
  });
});

describe("memory: debugger view", () => {
  it("layoutVersion changes with the layout, not with plain accesses", () => {
    const { as } = machine();
    let v = as.layoutVersion;
    const step = (what: string): void => {
      assert.ok(as.layoutVersion > v, what);
      v = as.layoutVersion;
    };
    const r = as.allocate(0, 0x10000, MEM_RESERVE, PAGE_READWRITE);
    step("reserve");
    as.allocate(r.base, 0x1000, MEM_COMMIT, PAGE_READWRITE);
    step("commit");
    poke(as, r.base, 1);
    peek(as, r.base);
    assert.equal(as.layoutVersion, v, "accesses");
    as.protect(r.base, 0x1000, PAGE_READONLY);
    step("protect");
    as.free(r.base, 0x1000, 0x4000);
    step("decommit");
    as.free(r.base, 0, MEM_RELEASE);
    step("release");
  });

  it("regions() walks the whole address space like repeated VirtualQuery calls", () => {
    const { mm, as } = machine();
    const a = as.allocate(0, 0x10000, MEM_RESERVE, PAGE_READWRITE).base;
    as.allocate(a + 0x2000, 0x1000, MEM_COMMIT, PAGE_NOACCESS);
    const s = mm.createSection({ size: 0x30000, protect: PAGE_READWRITE, attributes: SEC_COMMIT })
      .section as Section;
    const v = as.mapView(s, { offset: 0x10000, protect: PAGE_WRITECOPY }).base;
    poke(as, v + 0x1000, 1);
    const list = as.regions(true);
    let at = 0;
    for (const r of list) {
      assert.equal(r.baseAddress, at, "contiguous");
      const qi = as.query(r.baseAddress).info;
      assert.deepEqual(
        { ...r, kind: undefined, sectionId: undefined, sectionOffset: undefined },
        { ...qi, kind: undefined, sectionId: undefined, sectionOffset: undefined },
      );
      at += r.regionSize;
    }
    assert.equal(at, HIGHEST_USER_ADDRESS_64 + 1);
    const views = list
      .filter((r) => r.kind === "mapped")
      .map((r) => [r.baseAddress - v, r.sectionOffset, r.protect]);
    assert.deepEqual(views, [
      [0, 0x10000, PAGE_WRITECOPY],
      [0x1000, 0x11000, PAGE_READWRITE],
      [0x2000, 0x12000, PAGE_WRITECOPY],
    ]);
  });
});

describe("memory: kernel and debugger access", () => {
  it("read() stops at the first inaccessible page and never allocates; force reads no-access pages", () => {
    const { mm, as } = machine();
    const r = as.allocate(0, 0x10000, MEM_RESERVE, PAGE_READWRITE).base;
    as.allocate(r, 0x2000, MEM_COMMIT, PAGE_READWRITE);
    poke(as, r + 0x1fff, 9);
    const resident = mm.stats().residentBytes;
    const buf = new Uint8Array(0x3000);
    assert.equal(as.read(r + 0x800, buf), 0x1800, "partial copy up to the reserved page");
    assert.equal(buf[0x17ff], 9);
    assert.equal(mm.stats().residentBytes, resident);
    as.protect(r, 0x1000, PAGE_NOACCESS);
    assert.equal(as.read(r, buf.subarray(0, 16)), 0);
    assert.equal(as.read(r, buf.subarray(0, 16), { force: true }), 16);
  });

  it("write() needs a writable page unless forced", () => {
    const { as } = machine();
    const r = as.allocate(0, 0x2000, RC, PAGE_READONLY).base;
    as.protect(r + 0x1000, 0x1000, PAGE_READWRITE);
    assert.equal(as.write(r + 0x1000, new Uint8Array([1, 2])), 2);
    assert.equal(as.write(r, new Uint8Array([1, 2])), 0);
    assert.equal(as.write(r, new Uint8Array([1, 2]), { force: true }), 2);
    assert.equal(peek(as, r + 1), 2);
    assert.equal(as.allocate(0, 0x1000, RC, PAGE_READWRITE).status, STATUS_SUCCESS);
  });
});
