/**
 * The synthetic system DLLs, parsed back with src/windows/pe: headers, export tables (names, ordinals,
 * Nt/Zw aliases, forwarders), import tables, .pdata, the exact bytes of the syscall and trap stubs, the
 * disassembly of every emitted instruction (our decoder and iced-x86 against the builder's listing),
 * and determinism.
 */
import { strict as assert } from "node:assert";
import { Decoder, DecoderOptions, Formatter, FormatterSyntax, Mnemonic } from "iced-x86";
import { decode, describe as describeInsn } from "../src/cpu/decoder/decoder";
import { buildSystemDlls, type SystemDll } from "../src/windows/dlls";
import { parsePe, mapImage, computeChecksum, type PeImage } from "../src/windows/pe";
import { syscallTable } from "../src/windows/syscalls";

const set = buildSystemDlls();
const parsed = new Map<SystemDll, { pe: PeImage; mapped: Uint8Array }>();
for (const d of set.dlls) {
  const pe = parsePe(d.image.bytes);
  parsed.set(d, { pe, mapped: mapImage(d.image.bytes, pe) });
}

function get(dll: Parameters<typeof set.get>[0], arch: "x86" | "x64"): SystemDll {
  const d = set.get(dll, arch);
  assert.ok(d, `${arch} ${dll}`);
  return d;
}

/** Bytes of the mapped image at an absolute address. */
function bytesAt(d: SystemDll, address: number, n: number): number[] {
  const m = parsed.get(d)!.mapped;
  const off = address - d.base;
  return [...m.subarray(off, off + n)];
}

function exportAddress(d: SystemDll, name: string): number {
  const t = d.exports.get(name);
  assert.ok(t && "address" in t, `${d.dll}!${name}`);
  return t.address;
}

const le32 = (v: number) => [v & 0xff, (v >>> 8) & 0xff, (v >>> 16) & 0xff, (v >>> 24) & 0xff];

describe("synthetic system DLLs: images", () => {
  it("are valid DLLs for their machine, with the documented bases and paths", () => {
    assert.equal(set.dlls.length, 17); // the 9 of the start-up set; advapi32, msvcrt, shell32, user32 (x64 and x86)
    for (const d of set.dlls) {
      const { pe } = parsed.get(d)!;
      const x64 = d.arch === "x64";
      assert.equal(pe.format, x64 ? "PE32+" : "PE32", d.path);
      assert.equal(pe.machine, x64 ? 0x8664 : 0x14c);
      assert.ok(pe.isDll && pe.relocsStripped && pe.nxCompat);
      assert.equal(pe.subsystem, 3);
      assert.equal(pe.imageBase, d.base);
      assert.equal(pe.optionalHeader.sectionAlignment, 0x1000);
      assert.equal(pe.optionalHeader.sizeOfImage, d.size);
      assert.equal(pe.optionalHeader.checkSum, computeChecksum(d.image.bytes, pe.optionalHeaderOffset + 64));
      const names = pe.sections.map((s) => s.name);
      assert.deepEqual(names.slice(0, 2), [".text", ".rdata"]);
      assert.equal(names.includes(".pdata"), x64);
      assert.equal(names.includes(".data"), d.slots.size > 0);
      assert.ok(d.path.startsWith(x64 ? "C:\\Windows\\System32\\" : "C:\\Windows\\SysWOW64\\"), d.path);
      assert.ok(d.base + d.size <= (x64 && d.dll !== "wow64cpu" ? 0x7fffffff0000 : 0x7ffe0000), d.path);
    }
    assert.equal(get("ntdll", "x64").base, 0x7ffac7d00000);
    assert.ok(get("wow64cpu", "x64").base < 0x100000000, "wow64cpu below 4 GB (32-bit KiFastSystemCall)");
  });

  it("do not overlap", () => {
    const spans = set.dlls.map((d) => [d.base, d.base + d.size] as const).sort((a, b) => a[0] - b[0]);
    for (let i = 1; i < spans.length; i++) assert.ok(spans[i]![0] >= spans[i - 1]![1]);
  });

  it("are byte-for-byte deterministic, and depend on the Windows build", () => {
    const again = buildSystemDlls();
    for (const d of set.dlls) assert.deepEqual(again.get(d.dll, d.arch)!.image.bytes, d.image.bytes, d.path);
    const w11 = buildSystemDlls({ build: "win11-24h2", only: ["ntdll/x64"] });
    assert.notDeepEqual(w11.get("ntdll", "x64")!.image.bytes, get("ntdll", "x64").image.bytes);
  });

  it("are built on first use, the same bytes whichever is asked for first", () => {
    const lazy = buildSystemDlls();
    assert.deepEqual(lazy.built(), []);
    // x86 kernel32 binds kernelbase's exports: building it builds kernelbase first, and nothing else
    // after it in the set (msvcrt, user32…).
    const k32 = lazy.get("kernel32", "x86")!;
    const built = lazy.built().map((d) => `${d.dll}/${d.arch}`);
    assert.ok(built.includes("kernelbase/x86"), built.join());
    for (const k of ["msvcrt/x86", "msvcrt/x64", "user32/x86", "shell32/x64", "advapi32/x86"]) {
      assert.ok(!built.includes(k), k);
    }
    assert.equal(lazy.trapAt(get("msvcrt", "x86").traps[0]!.address), undefined, "unbuilt: no trap yet");
    // Last in the set first (it binds every image before it), then the rest in reverse order.
    for (const d of [...set.dlls].reverse()) {
      assert.deepEqual(lazy.get(d.dll, d.arch)!.image.bytes, d.image.bytes, d.path);
    }
    assert.equal(lazy.get("kernel32", "x86"), k32, "built once");
    assert.deepEqual(
      lazy.built().map((d) => d.path),
      set.dlls.map((d) => d.path),
    );
    for (const d of set.dlls) for (const t of d.traps) assert.equal(lazy.trapAt(t.address)?.name, t.name);
  });

  it("export every syscall as NtXxx and ZwXxx at the same address, names sorted, ordinals from 1", () => {
    for (const arch of ["x64", "x86"] as const) {
      const d = get("ntdll", arch);
      const ed = parsed.get(d)!.pe.exports!;
      assert.equal(ed.name, "ntdll.dll");
      assert.equal(ed.ordinalBase, 1);
      const names: string[] = [];
      for (let i = 0; i < ed.numberOfNames; i++) {
        const off = ed.addressOfNames + 4 * i;
        const rva = new DataView(parsed.get(d)!.mapped.buffer).getUint32(off, true);
        let s = "";
        for (let p = rva; parsed.get(d)!.mapped[p] !== 0; p++)
          s += String.fromCharCode(parsed.get(d)!.mapped[p]!);
        names.push(s);
      }
      assert.deepEqual(
        names,
        [...names].sort((a, b) => (a < b ? -1 : 1)),
      );
      const table = syscallTable("win10-22h2");
      assert.equal(table.size, 473);
      for (const s of table.all()) {
        const nt = ed.byName.get(s.name);
        const zw = ed.byName.get("Zw" + s.name.slice(2));
        assert.ok(nt && zw, s.name);
        assert.equal(nt.rva, zw.rva);
        assert.notEqual(nt.ordinal, zw.ordinal);
      }
      // Windows 11-only services are absent from the Windows 10 build
      assert.equal(ed.byName.get("NtCreateIoRing"), undefined);
    }
    const w11 = buildSystemDlls({ build: "win11-24h2", only: ["ntdll/x64"] }).get("ntdll", "x64")!;
    assert.ok(w11.exports.has("NtCreateIoRing"));
  });

  it("x64 Nt stubs are exactly 4C 8B D1 B8 <N> 0F 05 C3 with the CSV's numbers", () => {
    for (const build of ["win10-22h2", "win11-24h2"] as const) {
      const d =
        build === "win10-22h2"
          ? get("ntdll", "x64")
          : buildSystemDlls({ build, only: ["ntdll/x64"] }).get("ntdll", "x64")!;
      const pe = build === "win10-22h2" ? parsed.get(d)!.pe : parsePe(d.image.bytes);
      const mapped = build === "win10-22h2" ? parsed.get(d)!.mapped : mapImage(d.image.bytes, pe);
      for (const s of syscallTable(build).all()) {
        const rva = pe.exports!.byName.get(s.name)!.rva;
        assert.deepEqual(
          [...mapped.subarray(rva, rva + 11)],
          [0x4c, 0x8b, 0xd1, 0xb8, ...le32(s.number), 0x0f, 0x05, 0xc3],
          s.name,
        );
      }
    }
    // ../shared/data/nt-syscalls-x64.csv: NtMapViewOfSection,0x0028,0x0028; NtMapViewOfSectionEx,0x0115,0x011e
    const d = get("ntdll", "x64");
    assert.deepEqual(
      bytesAt(d, exportAddress(d, "NtMapViewOfSection"), 11),
      [0x4c, 0x8b, 0xd1, 0xb8, 0x28, 0, 0, 0, 0x0f, 0x05, 0xc3],
    );
    assert.deepEqual(
      bytesAt(d, exportAddress(d, "ZwMapViewOfSectionEx"), 8).slice(3),
      [0xb8, 0x15, 0x01, 0, 0],
    );
  });

  it("x86 Nt stubs call Wow64SystemServiceCall and pop 4 × argc (NtWriteFile: ret 0x24)", () => {
    const d = get("ntdll", "x86");
    const svc = exportAddress(d, "Wow64SystemServiceCall");
    const stub = (name: string, n: number, dwords: number) => [
      0xb8,
      ...le32(n),
      0xba,
      ...le32(svc),
      0xff,
      0xd2,
      ...(dwords === 0 ? [0xc3, 0xcc, 0xcc] : [0xc2, (dwords * 4) & 0xff, (dwords * 4) >>> 8]),
    ];
    assert.deepEqual(bytesAt(d, exportAddress(d, "NtWriteFile"), 15), stub("NtWriteFile", 8, 9));
    assert.deepEqual(bytesAt(d, exportAddress(d, "NtWriteFile"), 15).slice(12), [0xc2, 0x24, 0x00]);
    assert.deepEqual(
      bytesAt(d, exportAddress(d, "NtMapViewOfSection"), 15),
      stub("NtMapViewOfSection", 0x28, 10),
    );
    assert.deepEqual(bytesAt(d, exportAddress(d, "NtClose"), 15), stub("NtClose", 0x0f, 1));
    assert.deepEqual(bytesAt(d, exportAddress(d, "NtAllocateVirtualMemory"), 15), stub("", 0x18, 6));
    assert.deepEqual(
      bytesAt(d, exportAddress(d, "NtYieldExecution"), 14).slice(10),
      [0xff, 0xd2, 0xc3, 0xcc],
    );
    let known = 0;
    let unknown = 0;
    for (const s of syscallTable().all()) {
      const at = exportAddress(d, s.name);
      if (s.x86ArgDwords === null) {
        const trap = set.trapAt(at + 5)!;
        assert.equal(trap.role, "unknown-argc");
        assert.equal(trap.message, `unknown argument count for ${s.name}`);
        assert.deepEqual(bytesAt(d, at, 8), [0xb8, ...le32(trap.id), 0x0f, 0x01, 0xc1]);
        unknown++;
      } else {
        assert.deepEqual(bytesAt(d, at, 15), stub(s.name, s.number, s.x86ArgDwords), s.name);
        known++;
      }
    }
    // Windows 10 22H2: NtCreateIRTimer, NtCreatePartition, NtInitializeNlsFiles (the other four unknown
    // counts are Windows 11 services)
    assert.deepEqual([known, unknown], [470, 3]);
    // Wow64SystemServiceCall: jmp dword ptr [Wow64Transition]; Wow64Transition = wow64cpu!KiFastSystemCall
    const slot = d.slots.get("Wow64Transition")!;
    assert.equal(exportAddress(d, "Wow64Transition"), slot);
    assert.deepEqual(bytesAt(d, svc, 6), [0xff, 0x25, ...le32(slot)]);
    const cpu = get("wow64cpu", "x64");
    const kfsc = exportAddress(cpu, "KiFastSystemCall");
    assert.deepEqual(bytesAt(d, slot, 4), le32(kfsc));
    const entry = cpu.symbols.find((s) => s.name === "CpupReturnFromSimulatedCode")!.address;
    assert.deepEqual(bytesAt(cpu, kfsc, 7), [0xea, ...le32(entry), 0x33, 0x00]);
  });

  it("kernel32 forwards the heap functions to ntdll and thunks to kernelbase like Windows 10", () => {
    for (const arch of ["x64", "x86"] as const) {
      const k32 = get("kernel32", arch);
      const { pe, mapped } = parsed.get(k32)!;
      const ed = pe.exports!;
      assert.equal(ed.byName.get("HeapAlloc")!.forwarder?.text, "NTDLL.RtlAllocateHeap");
      assert.equal(ed.byName.get("HeapReAlloc")!.forwarder?.text, "NTDLL.RtlReAllocateHeap");
      assert.equal(ed.byName.get("HeapSize")!.forwarder?.text, "NTDLL.RtlSizeHeap");
      const kb = get("kernelbase", arch);
      const imp = pe.imports.find((m) => m.name === "KERNELBASE.dll")!;
      for (const name of [
        "GetStdHandle",
        "WriteFile",
        "ReadFile",
        "VirtualAlloc",
        "VirtualFree",
        "VirtualProtect",
        "VirtualQuery",
        "CreateFileMappingW",
        "MapViewOfFile",
        "MapViewOfFileEx",
        "UnmapViewOfFile",
        "CloseHandle",
        "GetLastError",
        "SetLastError",
        "GetCommandLineA",
        "GetCommandLineW",
        "GetModuleHandleA",
        "GetModuleHandleW",
        "GetProcAddress",
        "LoadLibraryA",
        "LoadLibraryW",
        "QueryPerformanceCounter",
        "QueryPerformanceFrequency",
        "Sleep",
        "GetSystemInfo",
        "IsWow64Process",
        "GetCurrentProcess",
        "GetCurrentProcessId",
        "TlsAlloc",
        "TlsGetValue",
        "TlsSetValue",
      ]) {
        const e = ed.byName.get(name);
        assert.ok(e && !e.forwarder, `kernel32!${name}`);
        const entry = imp.entries.find((x) => x.kind === "name" && x.name === name)!;
        assert.ok(entry, `import of KERNELBASE!${name}`);
        // jmp [__imp_name] — 64-bit: FF 25 rel32 (RIP-relative), 32-bit: FF 25 abs32
        const code = [...mapped.subarray(e.rva, e.rva + 6)];
        assert.deepEqual(code.slice(0, 2), [0xff, 0x25]);
        const disp = new DataView(Uint8Array.from(code).buffer).getInt32(2, true);
        const target = arch === "x64" ? k32.base + e.rva + 6 + disp : disp >>> 0;
        assert.equal(target, k32.base + entry.iatRva);
        // the IAT is pre-bound to kernelbase's export
        const dv = new DataView(mapped.buffer);
        const bound =
          arch === "x64" ? Number(dv.getBigUint64(entry.iatRva, true)) : dv.getUint32(entry.iatRva, true);
        assert.equal(bound, exportAddress(kb, name));
      }
      assert.ok(ed.byName.get("ExitProcess") && !ed.byName.get("ExitProcess")!.forwarder);
      assert.ok(
        pe.imports.some(
          (m) =>
            m.name === "ntdll.dll" &&
            m.entries.some((x) => x.kind === "name" && x.name === "NtTerminateProcess"),
        ),
      );
    }
  });

  it("every API with an NT counterpart calls ntdll's stub between its two traps", () => {
    for (const arch of ["x64", "x86"] as const) {
      const kb = get("kernelbase", arch);
      const ntdll = get("ntdll", arch);
      const { pe, mapped } = parsed.get(kb)!;
      const bridges = [
        ["WriteFile", "NtWriteFile"],
        ["ReadFile", "NtReadFile"],
        ["VirtualAlloc", "NtAllocateVirtualMemory"],
        ["VirtualFree", "NtFreeVirtualMemory"],
        ["VirtualProtect", "NtProtectVirtualMemory"],
        ["VirtualQuery", "NtQueryVirtualMemory"],
        ["CreateFileMappingW", "NtCreateSection"],
        ["MapViewOfFile", "NtMapViewOfSection"],
        ["MapViewOfFileEx", "NtMapViewOfSection"],
        ["UnmapViewOfFile", "NtUnmapViewOfSection"],
        ["CloseHandle", "NtClose"],
        ["QueryPerformanceCounter", "NtQueryPerformanceCounter"],
        ["Sleep", "NtDelayExecution"],
        ["GetSystemInfo", "NtQuerySystemInformation"],
        ["IsWow64Process", "NtQueryInformationProcess"],
      ];
      for (const [api, nt] of bridges) {
        const start = exportAddress(kb, api!);
        const sym = kb.symbols.find((s) => s.name === api)!;
        const lines = kb.listing.filter((l) => l.address >= start && l.address < start + sym.size);
        const calls = lines.filter((l) => l.text.startsWith("call "));
        assert.deepEqual(
          calls.map((l) => l.text),
          [
            `call ${api}$pre`,
            `call ${arch === "x64" ? "qword" : "dword"} ptr [__imp_ntdll.dll!${nt}]`,
            `call ${api}$post`,
          ],
        );
        const traps = kb.traps.filter((t) => t.name === api);
        assert.deepEqual(
          traps.map((t) => [t.role, t.nt, t.apiArgc, t.argc]),
          [
            ["bridge-pre", nt, kb.declarations.find((x) => x.name === api)!.argc, 2],
            ["bridge-post", nt, kb.declarations.find((x) => x.name === api)!.argc, 3],
          ],
        );
        const entry = pe.imports
          .find((m) => m.name === "ntdll.dll")!
          .entries.find((x) => x.kind === "name" && x.name === nt)!;
        const dv = new DataView(mapped.buffer);
        const bound =
          arch === "x64" ? Number(dv.getBigUint64(entry.iatRva, true)) : dv.getUint32(entry.iatRva, true);
        assert.equal(bound, exportAddress(ntdll, nt!));
      }
    }
  });

  it("trap tables point at `mov eax, id; vmcall; ret [4·argc]`", () => {
    let n = 0;
    for (const d of set.dlls) {
      d.traps.forEach((t, i) => {
        assert.equal(t.id, i);
        assert.equal(t.address, t.entry + 5);
        assert.equal(set.trapAt(t.address), t);
        const stdcall = d.arch === "x86" && t.conv === "stdcall";
        const ret = stdcall && t.argc > 0 ? [0xc2, (t.argc * 4) & 0xff, 0] : [0xc3];
        assert.deepEqual(
          bytesAt(d, t.entry, 8 + ret.length),
          [0xb8, ...le32(t.id), 0x0f, 0x01, 0xc1, ...ret],
          t.name,
        );
        assert.equal(t.conv, d.arch === "x64" ? "win64" : t.conv);
        n++;
      });
    }
    assert.ok(n > 100);
    const gpa = get("kernelbase", "x86").traps.find((t) => t.name === "GetProcAddress")!;
    assert.deepEqual([gpa.role, gpa.argc, gpa.conv], ["api", 2, "stdcall"]);
    assert.deepEqual(bytesAt(get("kernelbase", "x86"), gpa.entry, 11).slice(8), [0xc2, 0x08, 0x00]);
    assert.equal(set.trapAt(exportAddress(get("kernelbase", "x86"), "GetProcAddress")), undefined);
  });

  it(".pdata covers every x64 function with its unwind codes", () => {
    for (const d of set.dlls.filter((x) => x.arch === "x64")) {
      const { pe } = parsed.get(d)!;
      const begins = pe.functions.map((f) => f.beginRva);
      assert.deepEqual(
        begins,
        [...begins].sort((a, b) => a - b),
      );
      const sym64 = d.symbols.filter((s) => !d.listing.some((l) => l.address === s.address && l.bits === 32));
      assert.equal(pe.functions.length, sym64.length, d.path);
      for (const s of sym64) {
        const f = pe.functions.find((x) => x.beginRva === s.address - d.base)!;
        assert.ok(f, s.name);
        assert.equal(f.endRva - f.beginRva, s.size);
        assert.equal(pe.unwindInfos.get(f.unwindInfoRva)!.version, 1);
      }
    }
    const wow64 = get("wow64", "x64");
    const { pe } = parsed.get(wow64)!;
    const rva = exportAddress(wow64, "Wow64SystemServiceEx") - wow64.base;
    const u = pe.unwindInfos.get(pe.functions.find((f) => f.beginRva === rva)!.unwindInfoRva)!;
    assert.equal(u.sizeOfProlog, 9);
    assert.deepEqual(
      u.codes.map((c) => [c.op, c.offset, "reg" in c ? c.reg : "size" in c ? c.size : 0]),
      [
        ["ALLOC_LARGE", 9, 0x488],
        ["PUSH_NONVOL", 2, 6],
        ["PUSH_NONVOL", 1, 3],
      ],
    );
    const k = get("kernelbase", "x64");
    const kr = exportAddress(k, "VirtualAlloc") - k.base;
    const ku = parsed
      .get(k)!
      .pe.unwindInfos.get(parsed.get(k)!.pe.functions.find((f) => f.beginRva === kr)!.unwindInfoRva)!;
    assert.deepEqual(
      ku.codes.map((c) => [c.op, c.offset, "size" in c ? c.size : 0]),
      [["ALLOC_LARGE", 27, 0xb8]],
    );
  });

  it("every emitted instruction decodes as listed (our decoder and iced-x86)", () => {
    const fmt = new Formatter(FormatterSyntax.Intel);
    fmt.hexPrefix = "0x";
    fmt.hexSuffix = "";
    fmt.uppercaseHex = false;
    fmt.spaceAfterOperandSeparator = true;
    let checked = 0;
    let exact = 0;
    for (const d of set.dlls) {
      const labels = d.image.labels;
      for (const l of d.listing) {
        const raw = Uint8Array.from(bytesAt(d, l.address, l.length));
        const buf = new Uint8Array(16);
        buf.set(raw);
        const ours = decode(buf, l.length, l.address, l.bits);
        assert.equal(ours.len, l.length, `${d.path} ${l.text}`);
        const dec = new Decoder(l.bits, raw, DecoderOptions.None);
        dec.ip = BigInt(l.address);
        const ins = dec.decode();
        const mn = Mnemonic[ins.mnemonic]!.toLowerCase();
        assert.equal(ins.length, l.length);
        assert.equal(describeInsn(ours).mnemonic, mn, `${l.text}: ours ${describeInsn(ours).mnemonic}`);
        assert.equal(l.text.split(" ")[0], mn, l.text);
        // with label names replaced by their addresses the text is iced's Intel syntax
        let text = l.text.replace(/offset /, "");
        text = text.replace(/(?<=\[|call |jmp |short |mov edx, )([A-Za-z_$][\w.$!]*)(?=\]|$)/, (m) => {
          const rva = labels.get(m);
          return rva === undefined ? m : "0x" + (d.base + rva).toString(16);
        });
        text = text.replace(/^jmp far 0x33:(\S+)$/, (_m, label: string) => {
          return `jmp far 0x${(d.base + labels.get(label)!).toString(16)}, 0x33`;
        });
        const iced = fmt.format(ins).replace(/0x0+(?=[0-9a-f])/g, "0x");
        assert.equal(iced, text, `${d.path} at 0x${l.address.toString(16)}`);
        exact++;
        ins.free();
        dec.free();
        checked++;
      }
    }
    fmt.free();
    assert.ok(checked > 2000 && exact === checked);
  });
});
