/**
 * The PE parser on every good fixture (test/fixtures/bin), and the fixture manifest.
 *
 * The expected values below were recorded from the binutils and LLVM tools on the committed binaries:
 * header fields, data directories and imports (DLL, name/hint or ordinal) from
 * `x86_64-w64-mingw32-objdump -p FILE`; sections (VirtualAddress, VirtualSize, RawDataSize,
 * PointerToRawData, Characteristics) from `llvm-readobj --sections FILE`; base relocations (count, type,
 * first and last RVA, ABSOLUTE padding left out) from `llvm-readobj --coff-basereloc FILE`; exports from
 * `llvm-readobj --coff-exports`; TLS from `llvm-readobj --coff-tls-directory` and `objdump -s -j .CRT`.
 * Neither tool decodes the delay-load tables ld leaves in .text/.idata; those expectations come from a
 * hex dump (`objdump -s`), quoted where they are used. Rebuilding the fixtures (build.sh) with changed
 * sources changes these numbers: record them again.
 */
import * as assert from "node:assert/strict";
import { createHash } from "node:crypto";
import * as fs from "node:fs";
import * as path from "node:path";
import {
  IMAGE_REL_BASED_DIR64,
  IMAGE_REL_BASED_HIGHLOW,
  ImportEntry,
  PeImage,
  computeChecksum,
  findExportByName,
  findExportByOrdinal,
  imageLayout,
  mapImage,
  parsePe,
  tryParsePe,
} from "../src/windows/pe";

const FIXTURES = path.join(__dirname, "fixtures");
const BIN = path.join(FIXTURES, "bin");

function load(name: string): Uint8Array {
  return new Uint8Array(fs.readFileSync(path.join(BIN, name)));
}

interface Expected {
  characteristics: number;
  magic: number;
  entry: number;
  imageBase: number;
  sizeOfImage: number;
  sizeOfHeaders: number;
  checkSum: number;
  subsystem: number;
  dllCharacteristics: number;
  stack: [number, number];
  heap: [number, number];
  subsystemVersion: [number, number];
  /** [index, RVA, size] of each non-empty data directory. */
  directories: [number, number, number][];
  /** [name, VirtualAddress, VirtualSize, SizeOfRawData, PointerToRawData, Characteristics] */
  sections: [string, number, number, number, number, number][];
  /** [count, type of the first, first RVA, last RVA] */
  relocations: [number, string, number, number];
  /** [DLL, ["Name/hint" or "#ordinal"]] */
  imports: [string, string[]][];
}

// prettier-ignore
const EXPECTED: Record<string, Expected> = {
  "hello32.exe": {
    characteristics: 0x32E,
    magic: 0x10B,
    entry: 0x1000,
    imageBase: 0x400000,
    sizeOfImage: 0x6000,
    sizeOfHeaders: 0x400,
    checkSum: 0x27D5,
    subsystem: 3,
    dllCharacteristics: 0x140,
    stack: [0x200000, 0x1000],
    heap: [0x100000, 0x1000],
    subsystemVersion: [4, 0],
    directories: [[1, 0x4000, 0x90], [5, 0x5000, 0x1C], [0xC, 0x4038, 0x10]],
    sections: [[".text", 0x1000, 0x80, 0x200, 0x400, 0x60000020], [".data", 0x2000, 4, 0x200, 0x600, 0xC0000040], [".rdata", 0x3000, 0x10, 0x200, 0x800, 0x40000040], [".idata", 0x4000, 0x90, 0x200, 0xA00, 0xC0000040], [".reloc", 0x5000, 0x1C, 0x200, 0xC00, 0x42000040]],
    relocations: [5, "HIGHLOW", 0x100C, 0x2000],
    imports: [["KERNEL32.dll", ["ExitProcess/355", "GetStdHandle/732", "WriteFile/1542"]]],
  },
  "hello64.exe": {
    characteristics: 0x22E,
    magic: 0x20B,
    entry: 0x1000,
    imageBase: 0x140000000,
    sizeOfImage: 0x8000,
    sizeOfHeaders: 0x400,
    checkSum: 0x1F63,
    subsystem: 3,
    dllCharacteristics: 0x160,
    stack: [0x200000, 0x1000],
    heap: [0x100000, 0x1000],
    subsystemVersion: [5, 2],
    directories: [[1, 0x6000, 0xB0], [3, 0x4000, 0xC], [5, 0x7000, 0xC], [0xC, 0x6048, 0x20]],
    sections: [[".text", 0x1000, 0xA0, 0x200, 0x400, 0x60000020], [".data", 0x2000, 0x10, 0x200, 0x600, 0xC0000040], [".rdata", 0x3000, 0x10, 0x200, 0x800, 0x40000040], [".pdata", 0x4000, 0xC, 0x200, 0xA00, 0x40000040], [".xdata", 0x5000, 8, 0x200, 0xC00, 0x40000040], [".idata", 0x6000, 0xB0, 0x200, 0xE00, 0xC0000040], [".reloc", 0x7000, 0xC, 0x200, 0x1000, 0x42000040]],
    relocations: [1, "DIR64", 0x2000, 0x2000],
    imports: [["KERNEL32.dll", ["ExitProcess/366", "GetStdHandle/746", "WriteFile/1567"]]],
  },
  "hello32-rebased.exe": {
    characteristics: 0x32E,
    magic: 0x10B,
    entry: 0x1000,
    imageBase: 0x10000000,
    sizeOfImage: 0x6000,
    sizeOfHeaders: 0x400,
    checkSum: 0x36A5,
    subsystem: 3,
    dllCharacteristics: 0x140,
    stack: [0x200000, 0x1000],
    heap: [0x100000, 0x1000],
    subsystemVersion: [4, 0],
    directories: [[1, 0x4000, 0x90], [5, 0x5000, 0x1C], [0xC, 0x4038, 0x10]],
    sections: [[".text", 0x1000, 0x80, 0x200, 0x400, 0x60000020], [".data", 0x2000, 4, 0x200, 0x600, 0xC0000040], [".rdata", 0x3000, 0x10, 0x200, 0x800, 0x40000040], [".idata", 0x4000, 0x90, 0x200, 0xA00, 0xC0000040], [".reloc", 0x5000, 0x1C, 0x200, 0xC00, 0x42000040]],
    relocations: [5, "HIGHLOW", 0x100C, 0x2000],
    imports: [["KERNEL32.dll", ["ExitProcess/355", "GetStdHandle/732", "WriteFile/1542"]]],
  },
  "hello64-rebased.exe": {
    characteristics: 0x22E,
    magic: 0x20B,
    entry: 0x1000,
    imageBase: 0x7FF712340000,
    sizeOfImage: 0x8000,
    sizeOfHeaders: 0x400,
    checkSum: 0xC3B7,
    subsystem: 3,
    dllCharacteristics: 0x160,
    stack: [0x200000, 0x1000],
    heap: [0x100000, 0x1000],
    subsystemVersion: [5, 2],
    directories: [[1, 0x6000, 0xB0], [3, 0x4000, 0xC], [5, 0x7000, 0xC], [0xC, 0x6048, 0x20]],
    sections: [[".text", 0x1000, 0xA0, 0x200, 0x400, 0x60000020], [".data", 0x2000, 0x10, 0x200, 0x600, 0xC0000040], [".rdata", 0x3000, 0x10, 0x200, 0x800, 0x40000040], [".pdata", 0x4000, 0xC, 0x200, 0xA00, 0x40000040], [".xdata", 0x5000, 8, 0x200, 0xC00, 0x40000040], [".idata", 0x6000, 0xB0, 0x200, 0xE00, 0xC0000040], [".reloc", 0x7000, 0xC, 0x200, 0x1000, 0x42000040]],
    relocations: [1, "DIR64", 0x2000, 0x2000],
    imports: [["KERNEL32.dll", ["ExitProcess/366", "GetStdHandle/746", "WriteFile/1567"]]],
  },
  "gate32.exe": {
    characteristics: 0x30E,
    magic: 0x10B,
    entry: 0x1000,
    imageBase: 0x400000,
    sizeOfImage: 0x6000,
    sizeOfHeaders: 0x400,
    checkSum: 0x7C30,
    subsystem: 3,
    dllCharacteristics: 0x140,
    stack: [0x200000, 0x1000],
    heap: [0x100000, 0x1000],
    subsystemVersion: [4, 0],
    directories: [[1, 0x4000, 0x90], [5, 0x5000, 0x98], [0xC, 0x4038, 0x10]],
    sections: [[".text", 0x1000, 0x250, 0x400, 0x400, 0x60000020], [".data", 0x2000, 0x104, 0x200, 0x800, 0xC0000040], [".bss", 0x3000, 0xBC, 0, 0, 0xC0000080], [".idata", 0x4000, 0x90, 0x200, 0xA00, 0xC0000040], [".reloc", 0x5000, 0x98, 0x200, 0xC00, 0x42000040]],
    relocations: [0x43, "HIGHLOW", 0x1004, 0x20FF],
    imports: [["KERNEL32.dll", ["ExitProcess/355", "GetStdHandle/732", "WriteFile/1542"]]],
  },
  "memory32.exe": {
    characteristics: 0x30E,
    magic: 0x10B,
    entry: 0x1640,
    imageBase: 0x400000,
    sizeOfImage: 0x7000,
    sizeOfHeaders: 0x400,
    checkSum: 0xC128,
    subsystem: 3,
    dllCharacteristics: 0x140,
    stack: [0x200000, 0x1000],
    heap: [0x100000, 0x1000],
    subsystemVersion: [4, 0],
    directories: [[1, 0x5000, 0x1C8], [5, 0x6000, 0x154], [0xC, 0x5064, 0x3C]],
    sections: [[".text", 0x1000, 0x12F0, 0x1400, 0x400, 0x60000020], [".rdata", 0x3000, 0x200, 0x200, 0x1800, 0x40000040], [".bss", 0x4000, 0x100, 0, 0, 0xC0000080], [".idata", 0x5000, 0x1C8, 0x200, 0x1A00, 0xC0000040], [".reloc", 0x6000, 0x154, 0x200, 0x1C00, 0x42000040]],
    relocations: [0xA0, "HIGHLOW", 0x1009, 0x2277],
    imports: [["KERNEL32.dll", ["CloseHandle/136", "CreateFileMappingW/204", "ExitProcess/355", "GetLastError/617", "GetStdHandle/732", "GetSystemInfo/749", "MapViewOfFile/1006", "SetLastError/1310", "UnmapViewOfFile/1438", "VirtualAlloc/1460", "VirtualFree/1465", "VirtualProtect/1469", "VirtualQuery/1472", "WriteFile/1542"]]],
  },
  "memory64.exe": {
    characteristics: 0x22E,
    magic: 0x20B,
    entry: 0x1680,
    imageBase: 0x140000000,
    sizeOfImage: 0x8000,
    sizeOfHeaders: 0x400,
    checkSum: 0xDEB8,
    subsystem: 3,
    dllCharacteristics: 0x160,
    stack: [0x200000, 0x1000],
    heap: [0x100000, 0x1000],
    subsystemVersion: [5, 2],
    directories: [[1, 0x7000, 0x240], [3, 0x4000, 0x60], [0xC, 0x70A0, 0x78]],
    sections: [[".text", 0x1000, 0x13F0, 0x1400, 0x400, 0x60000020], [".rdata", 0x3000, 0x220, 0x400, 0x1800, 0x40000040], [".pdata", 0x4000, 0x60, 0x200, 0x1C00, 0x40000040], [".xdata", 0x5000, 0x44, 0x200, 0x1E00, 0x40000040], [".bss", 0x6000, 0x100, 0, 0, 0xC0000080], [".idata", 0x7000, 0x240, 0x400, 0x2000, 0xC0000040]],
    relocations: [0, "", 0, 0],
    imports: [["KERNEL32.dll", ["CloseHandle/141", "CreateFileMappingW/209", "ExitProcess/366", "GetLastError/630", "GetStdHandle/746", "GetSystemInfo/763", "MapViewOfFile/1019", "SetLastError/1334", "UnmapViewOfFile/1462", "VirtualAlloc/1486", "VirtualFree/1489", "VirtualProtect/1492", "VirtualQuery/1494", "WriteFile/1567"]]],
  },
  "tls32.exe": {
    characteristics: 0x30E,
    magic: 0x10B,
    entry: 0x1120,
    imageBase: 0x400000,
    sizeOfImage: 0x8000,
    sizeOfHeaders: 0x400,
    checkSum: 0xE3B0,
    subsystem: 3,
    dllCharacteristics: 0x140,
    stack: [0x200000, 0x1000],
    heap: [0x100000, 0x1000],
    subsystemVersion: [4, 0],
    directories: [[1, 0x4000, 0x90], [5, 0x7000, 0x34], [9, 0x2008, 0x18], [0xC, 0x4038, 0x10]],
    sections: [[".text", 0x1000, 0x180, 0x200, 0x400, 0x60000020], [".rdata", 0x2000, 0x20, 0x200, 0x600, 0x40000040], [".bss", 0x3000, 4, 0, 0, 0xC0000080], [".idata", 0x4000, 0x90, 0x200, 0x800, 0xC0000040], [".CRT", 0x5000, 0x10, 0x200, 0xA00, 0xC0000040], [".tls", 0x6000, 8, 0x200, 0xC00, 0xC0000040], [".reloc", 0x7000, 0x34, 0x200, 0xE00, 0x42000040]],
    relocations: [0xE, "HIGHLOW", 0x1057, 0x5008],
    imports: [["KERNEL32.dll", ["ExitProcess/355", "GetStdHandle/732", "WriteFile/1542"]]],
  },
  "tls64.exe": {
    characteristics: 0x22E,
    magic: 0x20B,
    entry: 0x1100,
    imageBase: 0x140000000,
    sizeOfImage: 0xA000,
    sizeOfHeaders: 0x400,
    checkSum: 0x8338,
    subsystem: 3,
    dllCharacteristics: 0x160,
    stack: [0x200000, 0x1000],
    heap: [0x100000, 0x1000],
    subsystemVersion: [5, 2],
    directories: [[1, 0x6000, 0xB0], [3, 0x3000, 0x24], [5, 0x9000, 0x1C], [9, 0x2020, 0x28], [0xC, 0x6048, 0x20]],
    sections: [[".text", 0x1000, 0x180, 0x200, 0x400, 0x60000020], [".rdata", 0x2000, 0x60, 0x200, 0x600, 0x40000040], [".pdata", 0x3000, 0x24, 0x200, 0x800, 0x40000040], [".xdata", 0x4000, 0x18, 0x200, 0xA00, 0x40000040], [".bss", 0x5000, 0x10, 0, 0, 0xC0000080], [".idata", 0x6000, 0xB0, 0x200, 0xC00, 0xC0000040], [".CRT", 0x7000, 0x20, 0x200, 0xE00, 0xC0000040], [".tls", 0x8000, 8, 0x200, 0x1000, 0xC0000040], [".reloc", 0x9000, 0x1C, 0x200, 0x1200, 0x42000040]],
    relocations: [6, "DIR64", 0x2020, 0x7010],
    imports: [["KERNEL32.dll", ["ExitProcess/366", "GetStdHandle/746", "WriteFile/1567"]]],
  },
  "registry32.exe": {
    characteristics: 0x30E,
    magic: 0x10B,
    entry: 0x1220,
    imageBase: 0x400000,
    sizeOfImage: 0x6000,
    sizeOfHeaders: 0x400,
    checkSum: 0x43A9,
    subsystem: 3,
    dllCharacteristics: 0x140,
    stack: [0x200000, 0x1000],
    heap: [0x100000, 0x1000],
    subsystemVersion: [4, 0],
    directories: [[1, 0x4000, 0x1FC], [5, 0x5000, 0xD4], [0xC, 0x407C, 0x40]],
    sections: [[".text", 0x1000, 0xBB0, 0xC00, 0x400, 0x60000020], [".rdata", 0x2000, 0x478, 0x600, 0x1000, 0x40000040], [".bss", 0x3000, 0x4, 0x0, 0x0, 0xC0000080], [".idata", 0x4000, 0x1FC, 0x200, 0x1600, 0xC0000040], [".reloc", 0x5000, 0xD4, 0x200, 0x1800, 0x42000040]],
    relocations: [102, "HIGHLOW", 0x101E, 0x1B7C],
    imports: [["ADVAPI32.dll", ["RegCloseKey/1569", "RegCreateKeyExA/1577", "RegDeleteKeyA/1582", "RegEnumKeyExA/1599", "RegEnumValueA/1602", "RegGetValueA/1606", "RegOpenKeyExA/1617", "RegQueryInfoKeyA/1624", "RegQueryValueExA/1630", "RegSetValueExA/1646", "RegSetValueExW/1647"]], ["KERNEL32.dll", ["ExitProcess/355", "GetStdHandle/732", "WriteFile/1542"]]],
  },
  "registry64.exe": {
    characteristics: 0x22E,
    magic: 0x20B,
    entry: 0x1200,
    imageBase: 0x140000000,
    sizeOfImage: 0x7000,
    sizeOfHeaders: 0x400,
    checkSum: 0xDB5F,
    subsystem: 3,
    dllCharacteristics: 0x160,
    stack: [0x200000, 0x1000],
    heap: [0x100000, 0x1000],
    subsystemVersion: [5, 2],
    directories: [[1, 0x6000, 0x280], [3, 0x3000, 0x30], [0xC, 0x60C0, 0x80]],
    sections: [[".text", 0x1000, 0xCD0, 0xE00, 0x400, 0x60000020], [".rdata", 0x2000, 0x4A0, 0x600, 0x1200, 0x40000040], [".pdata", 0x3000, 0x30, 0x200, 0x1800, 0x40000040], [".xdata", 0x4000, 0x38, 0x200, 0x1A00, 0x40000040], [".bss", 0x5000, 0x10, 0x0, 0x0, 0xC0000080], [".idata", 0x6000, 0x280, 0x400, 0x1C00, 0xC0000040]],
    relocations: [0, "", 0, 0],
    imports: [["ADVAPI32.dll", ["RegCloseKey/1604", "RegCreateKeyExA/1612", "RegDeleteKeyA/1617", "RegEnumKeyExA/1634", "RegEnumValueA/1637", "RegGetValueA/1641", "RegOpenKeyExA/1652", "RegQueryInfoKeyA/1659", "RegQueryValueExA/1665", "RegSetValueExA/1681", "RegSetValueExW/1682"]], ["KERNEL32.dll", ["ExitProcess/366", "GetStdHandle/746", "WriteFile/1567"]]],
  },
  "dllclient32.exe": {
    characteristics: 0x30E,
    magic: 0x10B,
    entry: 0x10B0,
    imageBase: 0x400000,
    sizeOfImage: 0x5000,
    sizeOfHeaders: 0x400,
    checkSum: 0xB894,
    subsystem: 3,
    dllCharacteristics: 0x140,
    stack: [0x200000, 0x1000],
    heap: [0x100000, 0x1000],
    subsystemVersion: [4, 0],
    directories: [[1, 0x3000, 0x118], [5, 0x4000, 0x38], [0xC, 0x3068, 0x2C], [0xD, 0x1144, 0x20]],
    sections: [[".text", 0x1000, 0x174, 0x200, 0x400, 0x60000060], [".data", 0x2000, 4, 0x200, 0x600, 0xC0000040], [".idata", 0x3000, 0x118, 0x200, 0x800, 0xC0000040], [".reloc", 0x4000, 0x38, 0x200, 0xA00, 0x42000040]],
    relocations: [0x13, "HIGHLOW", 0x1013, 0x3070],
    imports: [["forward.dll", ["#4", "local_function/3"]], ["KERNEL32.dll", ["ExitProcess/355", "GetProcAddress/694", "LoadLibraryA/977"]]],
  },
  "dllclient64.exe": {
    characteristics: 0x22E,
    magic: 0x20B,
    entry: 0x10A0,
    imageBase: 0x140000000,
    sizeOfImage: 0x8000,
    sizeOfHeaders: 0x400,
    checkSum: 0xFBC9,
    subsystem: 3,
    dllCharacteristics: 0x160,
    stack: [0x200000, 0x1000],
    heap: [0x100000, 0x1000],
    subsystemVersion: [5, 2],
    directories: [[1, 0x6000, 0x174], [3, 0x4000, 0x24], [5, 0x7000, 0x18], [0xC, 0x6098, 0x58], [0xD, 0x1190, 0x20]],
    sections: [[".text", 0x1000, 0x1D0, 0x200, 0x400, 0x60000060], [".data", 0x2000, 0x10, 0x200, 0x600, 0xC0000040], [".rdata", 0x3000, 0x10, 0x200, 0x800, 0x40000040], [".pdata", 0x4000, 0x24, 0x200, 0xA00, 0x40000040], [".xdata", 0x5000, 0x20, 0x200, 0xC00, 0x40000040], [".idata", 0x6000, 0x174, 0x200, 0xE00, 0xC0000040], [".reloc", 0x7000, 0x18, 0x200, 0x1000, 0x42000040]],
    relocations: [3, "DIR64", 0x3000, 0x60A8],
    imports: [["forward.dll", ["#4", "local_function/3"]], ["KERNEL32.dll", ["ExitProcess/366", "GetProcAddress/710", "LoadLibraryA/988"]]],
  },
  "exports32.dll": {
    characteristics: 0x230E,
    magic: 0x10B,
    entry: 0x1030,
    imageBase: 0x61780000,
    sizeOfImage: 0x5000,
    sizeOfHeaders: 0x400,
    checkSum: 0x7113,
    subsystem: 3,
    dllCharacteristics: 0x140,
    stack: [0x200000, 0x1000],
    heap: [0x100000, 0x1000],
    subsystemVersion: [4, 0],
    directories: [[0, 0x3000, 0x78], [1, 0x4000, 0x14]],
    sections: [[".text", 0x1000, 0x50, 0x200, 0x400, 0x60000020], [".data", 0x2000, 4, 0x200, 0x600, 0xC0000040], [".edata", 0x3000, 0x78, 0x200, 0x800, 0x40000040], [".idata", 0x4000, 0x14, 0x200, 0xA00, 0xC0000040]],
    relocations: [0, "", 0, 0],
    imports: [],
  },
  "exports64.dll": {
    characteristics: 0x222E,
    magic: 0x20B,
    entry: 0x1030,
    imageBase: 0x2E5C10000,
    sizeOfImage: 0x7000,
    sizeOfHeaders: 0x400,
    checkSum: 0xA5FC,
    subsystem: 3,
    dllCharacteristics: 0x160,
    stack: [0x200000, 0x1000],
    heap: [0x100000, 0x1000],
    subsystemVersion: [5, 2],
    directories: [[0, 0x5000, 0x78], [1, 0x6000, 0x18], [3, 0x3000, 0x30]],
    sections: [[".text", 0x1000, 0x60, 0x200, 0x400, 0x60000020], [".data", 0x2000, 0x10, 0x200, 0x600, 0xC0000040], [".pdata", 0x3000, 0x30, 0x200, 0x800, 0x40000040], [".xdata", 0x4000, 0x10, 0x200, 0xA00, 0x40000040], [".edata", 0x5000, 0x78, 0x200, 0xC00, 0x40000040], [".idata", 0x6000, 0x18, 0x200, 0xE00, 0xC0000040]],
    relocations: [0, "", 0, 0],
    imports: [],
  },
  "forward32.dll": {
    characteristics: 0x230E,
    magic: 0x10B,
    entry: 0x1020,
    imageBase: 0x6A280000,
    sizeOfImage: 0x4000,
    sizeOfHeaders: 0x400,
    checkSum: 0x78C7,
    subsystem: 3,
    dllCharacteristics: 0x140,
    stack: [0x200000, 0x1000],
    heap: [0x100000, 0x1000],
    subsystemVersion: [4, 0],
    directories: [[0, 0x2000, 0xB1], [1, 0x3000, 0x14]],
    sections: [[".text", 0x1000, 0x40, 0x200, 0x400, 0x60000020], [".edata", 0x2000, 0xB1, 0x200, 0x600, 0x40000040], [".idata", 0x3000, 0x14, 0x200, 0x800, 0xC0000040]],
    relocations: [0, "", 0, 0],
    imports: [],
  },
  "forward64.dll": {
    characteristics: 0x222E,
    magic: 0x20B,
    entry: 0x1020,
    imageBase: 0x2196F0000,
    sizeOfImage: 0x6000,
    sizeOfHeaders: 0x400,
    checkSum: 0x881E,
    subsystem: 3,
    dllCharacteristics: 0x160,
    stack: [0x200000, 0x1000],
    heap: [0x100000, 0x1000],
    subsystemVersion: [5, 2],
    directories: [[0, 0x4000, 0xB1], [1, 0x5000, 0x18], [3, 0x2000, 0x24]],
    sections: [[".text", 0x1000, 0x50, 0x200, 0x400, 0x60000020], [".pdata", 0x2000, 0x24, 0x200, 0x600, 0x40000040], [".xdata", 0x3000, 0xC, 0x200, 0x800, 0x40000040], [".edata", 0x4000, 0xB1, 0x200, 0xA00, 0x40000040], [".idata", 0x5000, 0x18, 0x200, 0xC00, 0xC0000040]],
    relocations: [0, "", 0, 0],
    imports: [],
  },
  "unwind64.exe": {
    characteristics: 0x22E,
    magic: 0x20B,
    entry: 0x1000,
    imageBase: 0x140000000,
    sizeOfImage: 0x5000,
    sizeOfHeaders: 0x400,
    checkSum: 0x3667,
    subsystem: 3,
    dllCharacteristics: 0x160,
    stack: [0x200000, 0x1000],
    heap: [0x100000, 0x1000],
    subsystemVersion: [5, 2],
    directories: [[1, 0x4000, 0x6C], [3, 0x2000, 0x78], [0xC, 0x4038, 0x10]],
    sections: [[".text", 0x1000, 0x110, 0x200, 0x400, 0x60000020], [".pdata", 0x2000, 0x78, 0x200, 0x600, 0x40000040], [".xdata", 0x3000, 0x8C, 0x200, 0x800, 0x40000040], [".idata", 0x4000, 0x6C, 0x200, 0xA00, 0xC0000040]],
    relocations: [0, "", 0, 0],
    imports: [["KERNEL32.dll", ["ExitProcess/366"]]],
  },
  "files32.exe": {
    characteristics: 0x30E,
    magic: 0x10B,
    entry: 0x1280,
    imageBase: 0x400000,
    sizeOfImage: 0x6000,
    sizeOfHeaders: 0x400,
    checkSum: 0xEFEB,
    subsystem: 3,
    dllCharacteristics: 0x140,
    stack: [0x200000, 0x1000],
    heap: [0x100000, 0x1000],
    subsystemVersion: [4, 0],
    directories: [[1, 0x4000, 0x27C], [5, 0x5000, 0xD0], [0xC, 0x4078, 0x50]],
    sections: [[".text", 0x1000, 0x830, 0xA00, 0x400, 0x60000020], [".rdata", 0x2000, 0x1D4, 0x200, 0xE00, 0x40000040], [".bss", 0x3000, 0x420, 0, 0, 0xC0000080], [".idata", 0x4000, 0x27C, 0x400, 0x1000, 0xC0000040], [".reloc", 0x5000, 0xD0, 0x200, 0x1400, 0x42000040]],
    relocations: [100, "HIGHLOW", 0x101E, 0x1812],
    imports: [["KERNEL32.dll", ["CloseHandle/136", "CreateDirectoryA/185", "CreateFileA/199", "DeleteFileA/279", "ExitProcess/355", "FindClose/379", "FindFirstFileA/383", "FindNextFileA/400", "GetCurrentDirectoryA/536", "GetFileAttributesA/584", "GetFileSize/595", "GetLastError/617", "GetStdHandle/732", "ReadFile/1157", "RemoveDirectoryA/1184", "SetFilePointer/1294", "Wow64DisableWow64FsRedirection/1524", "Wow64RevertWow64FsRedirection/1528", "WriteFile/1542"]]],
  },
  "files64.exe": {
    characteristics: 0x22E,
    magic: 0x20B,
    entry: 0x1180,
    imageBase: 0x140000000,
    sizeOfImage: 0x7000,
    sizeOfHeaders: 0x400,
    checkSum: 0x5920,
    subsystem: 3,
    dllCharacteristics: 0x160,
    stack: [0x200000, 0x1000],
    heap: [0x100000, 0x1000],
    subsystemVersion: [5, 2],
    directories: [[1, 0x6000, 0x2B0], [3, 0x3000, 0x3C], [0xC, 0x60B8, 0x90]],
    sections: [[".text", 0x1000, 0x810, 0xA00, 0x400, 0x60000020], [".rdata", 0x2000, 0x1A0, 0x200, 0xE00, 0x40000040], [".pdata", 0x3000, 0x3C, 0x200, 0x1000, 0x40000040], [".xdata", 0x4000, 0x3C, 0x200, 0x1200, 0x40000040], [".bss", 0x5000, 0x420, 0, 0, 0xC0000080], [".idata", 0x6000, 0x2B0, 0x400, 0x1400, 0xC0000040]],
    relocations: [0, "", 0, 0],
    imports: [["KERNEL32.dll", ["CloseHandle/141", "CreateDirectoryA/190", "CreateFileA/204", "DeleteFileA/285", "ExitProcess/366", "FindClose/389", "FindFirstFileA/393", "FindNextFileA/410", "GetCurrentDirectoryA/545", "GetFileAttributesA/598", "GetFileSize/609", "GetLastError/630", "GetStdHandle/746", "ReadFile/1170", "RemoveDirectoryA/1198", "SetFilePointer/1319", "WriteFile/1567"]]],
  },
  "threads32.exe": {
    characteristics: 0x30E,
    magic: 0x10B,
    entry: 0x13A0,
    imageBase: 0x400000,
    sizeOfImage: 0x6000,
    sizeOfHeaders: 0x400,
    checkSum: 0x90F4,
    subsystem: 3,
    dllCharacteristics: 0x140,
    stack: [0x200000, 0x1000],
    heap: [0x100000, 0x1000],
    subsystemVersion: [4, 0],
    directories: [[1, 0x4000, 0x348], [5, 0x5000, 0xD8], [0xC, 0x4094, 0x6C]],
    sections: [[".text", 0x1000, 0x8E0, 0xA00, 0x400, 0x60000020], [".rdata", 0x2000, 0x164, 0x200, 0xE00, 0x40000040], [".bss", 0x3000, 0x38, 0, 0, 0xC0000080], [".idata", 0x4000, 0x348, 0x400, 0x1000, 0xC0000040], [".reloc", 0x5000, 0xD8, 0x200, 0x1400, 0x42000040]],
    relocations: [103, "HIGHLOW", 0x1005, 0x18A9],
    imports: [["KERNEL32.dll", ["CloseHandle/136", "CreateEventA/192", "CreateMutexA/219", "CreateSemaphoreA/237", "CreateThread/247", "DeleteCriticalSection/277", "EnterCriticalSection/310", "ExitProcess/355", "ExitThread/356", "GetCurrentThreadId/548", "GetExitCodeThread/581", "GetLastError/617", "GetStdHandle/732", "GetThreadId/774", "InitializeCriticalSection/877", "LeaveCriticalSection/973", "ReleaseMutex/1178", "ReleaseSemaphore/1182", "ResumeThread/1207", "SetEvent/1282", "TlsAlloc/1419", "TlsGetValue/1421", "TlsSetValue/1422", "WaitForMultipleObjects/1479", "WaitForSingleObject/1481", "WriteFile/1542"]]],
  },
  "threads64.exe": {
    characteristics: 0x22E,
    magic: 0x20B,
    entry: 0x1370,
    imageBase: 0x140000000,
    sizeOfImage: 0x7000,
    sizeOfHeaders: 0x400,
    checkSum: 0xD778,
    subsystem: 3,
    dllCharacteristics: 0x160,
    stack: [0x200000, 0x1000],
    heap: [0x100000, 0x1000],
    subsystemVersion: [5, 2],
    directories: [[1, 0x6000, 0x420], [3, 0x3000, 0x48], [0xC, 0x6100, 0xD8]],
    sections: [[".text", 0x1000, 0x860, 0xA00, 0x400, 0x60000020], [".rdata", 0x2000, 0x170, 0x200, 0xE00, 0x40000040], [".pdata", 0x3000, 0x48, 0x200, 0x1000, 0x40000040], [".xdata", 0x4000, 0x5C, 0x200, 0x1200, 0x40000040], [".bss", 0x5000, 0x80, 0, 0, 0xC0000080], [".idata", 0x6000, 0x420, 0x600, 0x1400, 0xC0000040]],
    relocations: [0, "", 0, 0],
    imports: [["KERNEL32.dll", ["CloseHandle/141", "CreateEventA/197", "CreateMutexA/224", "CreateSemaphoreA/243", "CreateThread/252", "DeleteCriticalSection/283", "EnterCriticalSection/319", "ExitProcess/366", "ExitThread/367", "GetCurrentThreadId/557", "GetExitCodeThread/593", "GetLastError/630", "GetStdHandle/746", "GetThreadId/788", "InitializeCriticalSection/892", "LeaveCriticalSection/984", "ReleaseMutex/1192", "ReleaseSemaphore/1196", "ResumeThread/1221", "SetEvent/1306", "TlsAlloc/1443", "TlsGetValue/1445", "TlsSetValue/1446", "WaitForMultipleObjects/1501", "WaitForSingleObject/1503", "WriteFile/1567"]]],
  },
  "threads2_32.exe": {
    characteristics: 0x30E,
    magic: 0x10B,
    entry: 0x12C0,
    imageBase: 0x400000,
    sizeOfImage: 0x6000,
    sizeOfHeaders: 0x400,
    checkSum: 0x48B8,
    subsystem: 3,
    dllCharacteristics: 0x140,
    stack: [0x200000, 0x1000],
    heap: [0x100000, 0x1000],
    subsystemVersion: [4, 0],
    directories: [[1, 0x4000, 0x2B0], [5, 0x5000, 0xD8], [0xC, 0x4084, 0x5C]],
    sections: [[".text", 0x1000, 0x9E0, 0xA00, 0x400, 0x60000020], [".rdata", 0x2000, 0x238, 0x400, 0xE00, 0x40000040], [".bss", 0x3000, 0x18, 0, 0, 0xC0000080], [".idata", 0x4000, 0x2B0, 0x400, 0x1200, 0xC0000040], [".reloc", 0x5000, 0xD8, 0x200, 0x1600, 0x42000040]],
    relocations: [104, "HIGHLOW", 0x1004, 0x19C3],
    imports: [["KERNEL32.dll", ["CloseHandle/136", "CreateEventA/192", "CreateMutexA/219", "CreateThread/247", "DuplicateHandle/304", "ExitProcess/355", "GetCurrentProcess/543", "GetCurrentThread/547", "GetCurrentThreadId/548", "GetExitCodeThread/581", "GetLastError/617", "GetStdHandle/732", "GetThreadId/774", "QueueUserAPC/1128", "ReleaseMutex/1178", "SetEvent/1282", "Sleep/1386", "SleepEx/1389", "TerminateThread/1402", "WaitForSingleObject/1481", "WaitForSingleObjectEx/1482", "WriteFile/1542"]]],
  },
  "threads2_64.exe": {
    characteristics: 0x22E,
    magic: 0x20B,
    entry: 0x1280,
    imageBase: 0x140000000,
    sizeOfImage: 0x7000,
    sizeOfHeaders: 0x400,
    checkSum: 0x31E9,
    subsystem: 3,
    dllCharacteristics: 0x160,
    stack: [0x200000, 0x1000],
    heap: [0x100000, 0x1000],
    subsystemVersion: [5, 2],
    directories: [[1, 0x6000, 0x368], [3, 0x3000, 0x60], [0xC, 0x60E0, 0xB8]],
    sections: [[".text", 0x1000, 0x8F0, 0xA00, 0x400, 0x60000020], [".rdata", 0x2000, 0x240, 0x400, 0xE00, 0x40000040], [".pdata", 0x3000, 0x60, 0x200, 0x1200, 0x40000040], [".xdata", 0x4000, 0x50, 0x200, 0x1400, 0x40000040], [".bss", 0x5000, 0x30, 0, 0, 0xC0000080], [".idata", 0x6000, 0x368, 0x400, 0x1600, 0xC0000040]],
    relocations: [0, "", 0, 0],
    imports: [["KERNEL32.dll", ["CloseHandle/141", "CreateEventA/197", "CreateMutexA/224", "CreateThread/252", "DuplicateHandle/313", "ExitProcess/366", "GetCurrentProcess/552", "GetCurrentThread/556", "GetCurrentThreadId/557", "GetExitCodeThread/593", "GetLastError/630", "GetStdHandle/746", "GetThreadId/788", "QueueUserAPC/1141", "ReleaseMutex/1192", "SetEvent/1306", "Sleep/1410", "SleepEx/1413", "TerminateThread/1426", "WaitForSingleObject/1503", "WaitForSingleObjectEx/1504", "WriteFile/1567"]]],
  },
  "crt32.exe": {
    characteristics: 0x30E,
    magic: 0x10B,
    entry: 0x14B0,
    imageBase: 0x400000,
    sizeOfImage: 0xF000,
    sizeOfHeaders: 0x400,
    checkSum: 0x15873,
    subsystem: 3,
    dllCharacteristics: 0x140,
    stack: [0x200000, 0x1000],
    heap: [0x100000, 0x1000],
    subsystemVersion: [4, 0],
    directories: [[1, 0xB000, 0xB3C], [5, 0xE000, 0x57C], [9, 0x7AAC, 0x18], [0xC, 0xB224, 0x1E8]],
    sections: [[".text", 0x1000, 0x4934, 0x4A00, 0x400, 0x60000060], [".data", 0x6000, 0x4C, 0x200, 0x4E00, 0xC0000040], [".rdata", 0x7000, 0x1154, 0x1200, 0x5000, 0x40000040], [".eh_fram", 0x9000, 0xBDC, 0xC00, 0x6200, 0x40000040], [".bss", 0xA000, 0xC0, 0, 0, 0xC0000080], [".idata", 0xB000, 0xB3C, 0xC00, 0x6E00, 0xC0000040], [".CRT", 0xC000, 0x30, 0x200, 0x7A00, 0xC0000040], [".tls", 0xD000, 8, 0x200, 0x7C00, 0xC0000040], [".reloc", 0xE000, 0x57C, 0x600, 0x7E00, 0x42000040]],
    relocations: [666, "HIGHLOW", 0x1018, 0xC020],
    imports: [["KERNEL32.dll", ["DeleteCriticalSection/277", "EnterCriticalSection/310", "FreeLibrary/433", "GetLastError/617", "GetModuleHandleA/637", "GetProcAddress/694", "GetStartupInfoA/729", "InitializeCriticalSection/877", "LeaveCriticalSection/973", "LoadLibraryA/977", "SetUnhandledExceptionFilter/1370", "Sleep/1386", "TlsGetValue/1421", "VirtualProtect/1469", "VirtualQuery/1472"]], ["msvcrt.dll", ["__getmainargs/58", "__initenv/59", "__p__acmdln/76", "__p__commode/78", "__p__fmode/83", "__set_app_type/104", "__setusermatherr/107", "_access/120", "_amsg_exit/142", "_cexit/159", "_chdir/162", "_errno/322", "_close/169", "_copysign/174", "_findclose/208", "_finite/215", "_getcwd/249", "_hypot/333", "_i64toa/334", "_initterm/338", "_iob/342", "_isnan/411", "_itoa/428", "_lseek/448", "_ltoa/450", "_onexit/570", "_open/571", "_putenv/589", "_read/595", "_rmdir/597", "_strupr/698", "_ultoa/728", "_write/883", "abort/922", "acos/924", "asctime/925", "asin/926", "atan/927", "atof/930", "bsearch/933", "calloc/935", "clearerr/937", "clock/939", "cosh/941", "div/944", "exit/945", "fclose/948", "feof/949", "ferror/950", "fflush/951", "fgetc/952", "fgets/954", "fopen/959", "fprintf/962", "fputc/964", "fread/968", "free/969", "fscanf/974", "fseek/976", "ftell/978", "fwrite/982", "getc/986", "getenv/988", "isalpha/996", "ispunct/1003", "isspace/1004", "ldiv/1022", "log10/1026", "malloc/1027", "memcpy/1035", "gmtime/325", "difftime/313", "_memccpy/290", "_mkdir/293", "printf/1043", "putchar/1046", "puts/1047", "qsort/1050", "rand/1053", "remove/1055", "rename/1056", "rewind/1057", "scanf/1059", "signal/1064", "sinh/1066", "srand/1070", "sscanf/1072", "strcmp/1077", "strftime/1083", "strlen/1084", "strncmp/1087", "strstr/1093", "strtod/1094", "strtok/1095", "strtoul/1098", "tan/1107", "tanh/1108", "tolower/1114", "toupper/1115", "ungetc/1118", "vfprintf/1121", "time/715", "_strlwr/1190", "_findnext/1201", "_findfirst/1203"]]],
  },
  "crt64.exe": {
    characteristics: 0x22E,
    magic: 0x20B,
    entry: 0x14D0,
    imageBase: 0x140000000,
    sizeOfImage: 0x10000,
    sizeOfHeaders: 0x400,
    checkSum: 0xD22B,
    subsystem: 3,
    dllCharacteristics: 0x160,
    stack: [0x200000, 0x1000],
    heap: [0x100000, 0x1000],
    subsystemVersion: [5, 2],
    directories: [[1, 0xC000, 0xECC], [3, 0x9000, 0x300], [5, 0xF000, 0x88], [9, 0x7B60, 0x28], [0xC, 0xC400, 0x3C0]],
    sections: [[".text", 0x1000, 0x4CD8, 0x4E00, 0x400, 0x60000060], [".data", 0x6000, 0xC0, 0x200, 0x5200, 0xC0000040], [".rdata", 0x7000, 0x16C0, 0x1800, 0x5400, 0x40000040], [".pdata", 0x9000, 0x300, 0x400, 0x6C00, 0x40000040], [".xdata", 0xA000, 0x27C, 0x400, 0x7000, 0x40000040], [".bss", 0xB000, 0x1A0, 0, 0, 0xC0000080], [".idata", 0xC000, 0xECC, 0x1000, 0x7400, 0xC0000040], [".CRT", 0xD000, 0x60, 0x200, 0x8400, 0xC0000040], [".tls", 0xE000, 0x10, 0x200, 0x8600, 0xC0000040], [".reloc", 0xF000, 0x88, 0x200, 0x8800, 0x42000040]],
    relocations: [46, "DIR64", 0x5CB8, 0xD040],
    imports: [["KERNEL32.dll", ["DeleteCriticalSection/283", "EnterCriticalSection/319", "GetLastError/630", "GetStartupInfoA/743", "InitializeCriticalSection/892", "LeaveCriticalSection/984", "SetUnhandledExceptionFilter/1394", "Sleep/1410", "TlsGetValue/1445", "VirtualProtect/1492", "VirtualQuery/1494"]], ["msvcrt.dll", ["__C_specific_handler/56", "__getmainargs/82", "__initenv/83", "__iob_func/84", "__set_app_type/97", "__setusermatherr/99", "_access/113", "_acmdln/114", "_amsg_exit/121", "_cexit/139", "_chdir/142", "_close/149", "_commode/151", "_copysign/154", "_difftime64/180", "_errno/190", "_findclose/212", "_findfirst64/1194", "_findnext64/214", "_finite/216", "_fmode/220", "_getcwd/255", "_gmtime64/270", "_hypot/277", "_i64toa/279", "_initterm/283", "_isnan/353", "_itoa/371", "_lseek/393", "_ltoa/395", "_memccpy/539", "_mkdir/542", "_onexit/551", "_open/552", "_putenv/567", "_read/573", "_rmdir/575", "_strlwr/1182", "_strupr/672", "_time64/690", "_ultoa/702", "_write/858", "abort/901", "acos/903", "asctime/905", "asin/906", "atan/908", "atof/913", "bsearch/916", "calloc/918", "clearerr/921", "clock/923", "cosh/926", "div/930", "exit/931", "fclose/935", "feof/936", "ferror/937", "fflush/938", "fgetc/939", "fgets/941", "fopen/948", "fprintf/951", "fputc/953", "fread/957", "free/958", "fscanf/963", "fseek/965", "ftell/967", "fwrite/971", "getc/975", "getenv/977", "isalpha/985", "ispunct/992", "isspace/993", "ldiv/1011", "log10/1015", "malloc/1018", "memcpy/1026", "printf/1036", "putchar/1039", "puts/1040", "qsort/1043", "rand/1046", "remove/1048", "rename/1049", "rewind/1050", "scanf/1052", "signal/1058", "sinh/1061", "srand/1067", "sscanf/1069", "strcmp/1074", "strftime/1080", "strlen/1081", "strncmp/1084", "strncpy/1085", "strstr/1090", "strtod/1091", "strtok/1092", "strtoul/1095", "tan/1104", "tanh/1106", "tolower/1111", "toupper/1112", "ungetc/1115", "vfprintf/1118"]]],
  },
  "crtw32.exe": {
    characteristics: 0x30E,
    magic: 0x10B,
    entry: 0x14B0,
    imageBase: 0x400000,
    sizeOfImage: 0xB000,
    sizeOfHeaders: 0x400,
    checkSum: 0x8407,
    subsystem: 3,
    dllCharacteristics: 0x140,
    stack: [0x200000, 0x1000],
    heap: [0x100000, 0x1000],
    subsystemVersion: [4, 0],
    directories: [[1, 0x7000, 0x61C], [5, 0xA000, 0x2B8], [9, 0x4408, 0x18], [0xC, 0x7120, 0xE4]],
    sections: [[".text", 0x1000, 0x1BA4, 0x1C00, 0x400, 0x60000060], [".data", 0x3000, 0x28, 0x200, 0x2000, 0xC0000040], [".rdata", 0x4000, 0x904, 0xA00, 0x2200, 0x40000040], [".eh_fram", 0x5000, 0x868, 0xA00, 0x2C00, 0x40000040], [".bss", 0x6000, 0xC0, 0, 0, 0xC0000080], [".idata", 0x7000, 0x61C, 0x800, 0x3600, 0xC0000040], [".CRT", 0x8000, 0x30, 0x200, 0x3E00, 0xC0000040], [".tls", 0x9000, 0x8, 0x200, 0x4000, 0xC0000040], [".reloc", 0xA000, 0x2B8, 0x400, 0x4200, 0x42000040]],
    relocations: [326, "HIGHLOW", 0x1018, 0x8020],
    imports: [["KERNEL32.dll", ["CloseHandle/136", "CreateEventW/195", "DeleteCriticalSection/277", "EnterCriticalSection/310", "FreeLibrary/433", "GetExitCodeThread/581", "GetLastError/617", "GetModuleHandleA/637", "GetProcAddress/694", "GetStartupInfoA/729", "InitializeCriticalSection/877", "LeaveCriticalSection/973", "LoadLibraryA/977", "SetEvent/1282", "SetUnhandledExceptionFilter/1370", "Sleep/1386", "TlsGetValue/1421", "VirtualProtect/1469", "VirtualQuery/1472", "WaitForSingleObject/1481"]], ["msvcrt.dll", ["__getmainargs/58", "__initenv/59", "__p__acmdln/76", "__p__commode/78", "__p__fmode/83", "__set_app_type/104", "__setusermatherr/107", "_amsg_exit/142", "_beginthread/154", "_beginthreadex/155", "_cexit/159", "_endthreadex/319", "_initterm/338", "_iob/342", "_onexit/570", "_scwprintf/610", "_snwprintf/638", "_vsnwprintf/1187", "abort/922", "calloc/935", "exit/945", "fprintf/962", "free/969", "fwprintf/980", "fwrite/982", "malloc/1027", "memcpy/1035", "signal/1064", "strlen/1084", "strncmp/1087", "swscanf/1104", "vfprintf/1121", "vfwprintf/1124", "vwprintf/1135", "wprintf/1170"]]],
  },
  "crtw64.exe": {
    characteristics: 0x22E,
    magic: 0x20B,
    entry: 0x14D0,
    imageBase: 0x140000000,
    sizeOfImage: 0xC000,
    sizeOfHeaders: 0x400,
    checkSum: 0xF9A4,
    subsystem: 3,
    dllCharacteristics: 0x160,
    stack: [0x200000, 0x1000],
    heap: [0x100000, 0x1000],
    subsystemVersion: [5, 2],
    directories: [[1, 0x8000, 0x77C], [3, 0x5000, 0x258], [5, 0xB000, 0x80], [9, 0x4420, 0x28], [0xC, 0x81F0, 0x1B0]],
    sections: [[".text", 0x1000, 0x1C78, 0x1E00, 0x400, 0x60000060], [".data", 0x3000, 0xA0, 0x200, 0x2200, 0xC0000040], [".rdata", 0x4000, 0xC90, 0xE00, 0x2400, 0x40000040], [".pdata", 0x5000, 0x258, 0x400, 0x3200, 0x40000040], [".xdata", 0x6000, 0x1C4, 0x200, 0x3600, 0x40000040], [".bss", 0x7000, 0x1A0, 0, 0, 0xC0000080], [".idata", 0x8000, 0x77C, 0x800, 0x3800, 0xC0000040], [".CRT", 0x9000, 0x60, 0x200, 0x4000, 0xC0000040], [".tls", 0xA000, 0x10, 0x200, 0x4200, 0xC0000040], [".reloc", 0xB000, 0x80, 0x200, 0x4400, 0x42000040]],
    relocations: [45, "DIR64", 0x2C58, 0x9040],
    imports: [["KERNEL32.dll", ["CloseHandle/141", "CreateEventW/200", "DeleteCriticalSection/283", "EnterCriticalSection/319", "GetExitCodeThread/593", "GetLastError/630", "GetStartupInfoA/743", "InitializeCriticalSection/892", "LeaveCriticalSection/984", "SetEvent/1306", "SetUnhandledExceptionFilter/1394", "Sleep/1410", "TlsGetValue/1445", "VirtualProtect/1492", "VirtualQuery/1494", "WaitForSingleObject/1503"]], ["msvcrt.dll", ["__C_specific_handler/56", "__getmainargs/82", "__initenv/83", "__iob_func/84", "__set_app_type/97", "__setusermatherr/99", "_acmdln/114", "_amsg_exit/121", "_beginthread/134", "_beginthreadex/135", "_cexit/139", "_commode/151", "_endthreadex/187", "_fmode/220", "_initterm/283", "_onexit/551", "_scwprintf/588", "_snwprintf/1185", "_vsnwprintf/1180", "abort/901", "calloc/918", "exit/931", "fprintf/951", "free/958", "fwprintf/969", "fwrite/971", "malloc/1018", "memcpy/1026", "signal/1058", "strlen/1081", "strncmp/1084", "swscanf/1101", "vfprintf/1118", "vfwprintf/1121", "vwprintf/1132", "wprintf/1167"]]],
  },
  "cxx32.exe": {
    characteristics: 0x30E,
    magic: 0x10B,
    entry: 0x14B0,
    imageBase: 0x400000,
    sizeOfImage: 0x3F000,
    sizeOfHeaders: 0x400,
    checkSum: 0x45D35,
    subsystem: 3,
    dllCharacteristics: 0x140,
    stack: [0x200000, 0x1000],
    heap: [0x100000, 0x1000],
    subsystemVersion: [4, 0],
    directories: [[1, 0x3A000, 0x7E8], [5, 0x3D000, 0x1924], [9, 0x29044, 0x18], [0xC, 0x3A16C, 0x130]],
    sections: [[".text", 0x1000, 0x243E4, 0x24400, 0x400, 0x60000060], [".data", 0x26000, 0xFC, 0x200, 0x24800, 0xC0000040], [".rdata", 0x27000, 0x3E50, 0x4000, 0x24A00, 0x40000040], [".eh_fram", 0x2B000, 0xD298, 0xD400, 0x28A00, 0x40000040], [".bss", 0x39000, 0xAB8, 0, 0, 0xC0000080], [".idata", 0x3A000, 0x7E8, 0x800, 0x35E00, 0xC0000040], [".CRT", 0x3B000, 0x30, 0x200, 0x36600, 0xC0000040], [".tls", 0x3C000, 8, 0x200, 0x36800, 0xC0000040], [".reloc", 0x3D000, 0x1924, 0x1A00, 0x36A00, 0x42000040]],
    relocations: [3032, "HIGHLOW", 0x1018, 0x3B020],
    imports: [["KERNEL32.dll", ["CloseHandle/136", "CreateSemaphoreW/240", "DeleteCriticalSection/277", "EnterCriticalSection/310", "FreeLibrary/433", "GetCurrentThreadId/548", "GetLastError/617", "GetModuleHandleA/637", "GetModuleHandleW/640", "GetProcAddress/694", "GetStartupInfoA/729", "InitializeCriticalSection/877", "IsDBCSLeadByteEx/909", "LeaveCriticalSection/973", "LoadLibraryA/977", "LoadLibraryW/980", "MultiByteToWideChar/1024", "ReleaseSemaphore/1182", "SetLastError/1310", "SetUnhandledExceptionFilter/1370", "Sleep/1386", "TlsAlloc/1419", "TlsFree/1420", "TlsGetValue/1421", "TlsSetValue/1422", "VirtualProtect/1469", "VirtualQuery/1472", "WaitForSingleObject/1481", "WideCharToMultiByte/1522"]], ["msvcrt.dll", ["__getmainargs/58", "__initenv/59", "__mb_cur_max/69", "__p__acmdln/76", "__p__commode/78", "__p__fmode/83", "__set_app_type/104", "__setusermatherr/107", "_amsg_exit/142", "_cexit/159", "_errno/322", "_initterm/338", "_iob/342", "_lock/441", "_onexit/570", "_unlock/737", "abort/922", "atoi/931", "calloc/935", "exit/945", "fprintf/962", "fputc/964", "fputs/965", "free/969", "fwrite/982", "localeconv/1023", "malloc/1027", "memchr/1033", "memcmp/1034", "memcpy/1035", "memmove/1036", "memset/1037", "puts/1047", "realloc/1054", "setlocale/1062", "signal/1064", "strchr/1076", "strcmp/1077", "strerror/1082", "strlen/1084", "strncmp/1087", "vfprintf/1121", "wcslen/1147", "_read/1264", "_close/1311"]]],
  },
  "cxx64.exe": {
    characteristics: 0x22E,
    magic: 0x20B,
    entry: 0x14D0,
    imageBase: 0x140000000,
    sizeOfImage: 0x31000,
    sizeOfHeaders: 0x400,
    checkSum: 0x3273C,
    subsystem: 3,
    dllCharacteristics: 0x160,
    stack: [0x200000, 0x1000],
    heap: [0x100000, 0x1000],
    subsystemVersion: [5, 2],
    directories: [[1, 0x2D000, 0xAA0], [3, 0x26000, 0x24FC], [5, 0x30000, 0x5F8], [9, 0x22460, 0x28], [0xC, 0x2D2A8, 0x268]],
    sections: [[".text", 0x1000, 0x1DFD0, 0x1E000, 0x400, 0x60000060], [".data", 0x1F000, 0x220, 0x400, 0x1E400, 0xC0000040], [".rdata", 0x20000, 0x5480, 0x5600, 0x1E800, 0x40000040], [".pdata", 0x26000, 0x24FC, 0x2600, 0x23E00, 0x40000040], [".xdata", 0x29000, 0x21D8, 0x2200, 0x26400, 0x40000040], [".bss", 0x2C000, 0xBD0, 0, 0, 0xC0000080], [".idata", 0x2D000, 0xAA0, 0xC00, 0x28600, 0xC0000040], [".CRT", 0x2E000, 0x60, 0x200, 0x29200, 0xC0000040], [".tls", 0x2F000, 0x10, 0x200, 0x29400, 0xC0000040], [".reloc", 0x30000, 0x5F8, 0x600, 0x29600, 0x42000040]],
    relocations: [735, "DIR64", 0x1EFA8, 0x2E040],
    imports: [["KERNEL32.dll", ["CloseHandle/141", "CreateSemaphoreW/246", "DeleteCriticalSection/283", "EnterCriticalSection/319", "GetCurrentThreadId/557", "GetLastError/630", "GetModuleHandleW/654", "GetProcAddress/710", "GetStartupInfoA/743", "InitializeCriticalSection/892", "IsDBCSLeadByteEx/919", "LeaveCriticalSection/984", "LoadLibraryW/991", "MultiByteToWideChar/1036", "RaiseException/1153", "ReleaseSemaphore/1196", "RtlCaptureContext/1223", "RtlLookupFunctionEntry/1230", "RtlUnwindEx/1236", "RtlVirtualUnwind/1237", "SetLastError/1334", "SetUnhandledExceptionFilter/1394", "Sleep/1410", "TlsAlloc/1443", "TlsFree/1444", "TlsGetValue/1445", "TlsSetValue/1446", "VirtualProtect/1492", "VirtualQuery/1494", "WaitForSingleObject/1503", "WideCharToMultiByte/1547"]], ["msvcrt.dll", ["__C_specific_handler/56", "___lc_codepage_func/64", "___mb_cur_max_func/67", "__getmainargs/82", "__initenv/83", "__iob_func/84", "__set_app_type/97", "__setusermatherr/99", "_acmdln/114", "_amsg_exit/121", "_cexit/139", "_commode/151", "_errno/190", "_fmode/220", "_initterm/283", "_lock/385", "_onexit/551", "_unlock/711", "abort/901", "calloc/918", "exit/931", "fprintf/951", "fputc/953", "fputs/954", "free/958", "fwrite/971", "localeconv/1012", "malloc/1018", "memchr/1024", "memcmp/1025", "memcpy/1026", "memmove/1027", "memset/1028", "puts/1040", "realloc/1047", "signal/1058", "strcmp/1074", "strerror/1079", "strlen/1081", "strncmp/1084", "vfprintf/1118", "wcslen/1144", "_read/1256", "_close/1303"]]],
  },
  "printf32.exe": {
    characteristics: 0x30E,
    magic: 0x10B,
    entry: 0x14B0,
    imageBase: 0x400000,
    sizeOfImage: 0xB000,
    sizeOfHeaders: 0x400,
    checkSum: 0xF16B,
    subsystem: 3,
    dllCharacteristics: 0x140,
    stack: [0x200000, 0x1000],
    heap: [0x100000, 0x1000],
    subsystemVersion: [4, 0],
    directories: [[1, 0x7000, 0x520], [5, 0xA000, 0x2B8], [9, 0x433C, 0x18], [0xC, 0x7100, 0xC4]],
    sections: [[".text", 0x1000, 0x1BC4, 0x1C00, 0x400, 0x60000060], [".data", 0x3000, 0x28, 0x200, 0x2000, 0xC0000040], [".rdata", 0x4000, 0x838, 0xA00, 0x2200, 0x40000040], [".eh_fram", 0x5000, 0x7C0, 0x800, 0x2C00, 0x40000040], [".bss", 0x6000, 0xC0, 0, 0, 0xC0000080], [".idata", 0x7000, 0x520, 0x600, 0x3400, 0xC0000040], [".CRT", 0x8000, 0x30, 0x200, 0x3A00, 0xC0000040], [".tls", 0x9000, 8, 0x200, 0x3C00, 0xC0000040], [".reloc", 0xA000, 0x2B8, 0x400, 0x3E00, 0x42000040]],
    relocations: [326, "HIGHLOW", 0x1018, 0x8020],
    imports: [["KERNEL32.dll", ["DeleteCriticalSection/277", "EnterCriticalSection/310", "FreeLibrary/433", "GetLastError/617", "GetModuleHandleA/637", "GetProcAddress/694", "GetStartupInfoA/729", "InitializeCriticalSection/877", "LeaveCriticalSection/973", "LoadLibraryA/977", "SetUnhandledExceptionFilter/1370", "Sleep/1386", "TlsGetValue/1421", "VirtualProtect/1469", "VirtualQuery/1472"]], ["msvcrt.dll", ["__getmainargs/58", "__initenv/59", "__p__acmdln/76", "__p__commode/78", "__p__fmode/83", "__set_app_type/104", "__setusermatherr/107", "_amsg_exit/142", "_cexit/159", "_initterm/338", "_iob/342", "_onexit/570", "_snprintf/628", "abort/922", "atoi/931", "calloc/935", "exit/945", "fprintf/962", "fputc/964", "free/969", "fwrite/982", "malloc/1027", "memcpy/1035", "printf/1043", "putchar/1046", "puts/1047", "signal/1064", "sprintf/1068", "strlen/1084", "strncmp/1087", "strtol/1097", "vfprintf/1121"]]],
  },
  "printf64.exe": {
    characteristics: 0x22E,
    magic: 0x20B,
    entry: 0x14D0,
    imageBase: 0x140000000,
    sizeOfImage: 0xC000,
    sizeOfHeaders: 0x400,
    checkSum: 0x927C,
    subsystem: 3,
    dllCharacteristics: 0x160,
    stack: [0x200000, 0x1000],
    heap: [0x100000, 0x1000],
    subsystemVersion: [5, 2],
    directories: [[1, 0x8000, 0x640], [3, 0x5000, 0x21C], [5, 0xB000, 0x80], [9, 0x4380, 0x28], [0xC, 0x81B0, 0x170]],
    sections: [[".text", 0x1000, 0x1D18, 0x1E00, 0x400, 0x60000060], [".data", 0x3000, 0xA0, 0x200, 0x2200, 0xC0000040], [".rdata", 0x4000, 0xBF0, 0xC00, 0x2400, 0x40000040], [".pdata", 0x5000, 0x21C, 0x400, 0x3000, 0x40000040], [".xdata", 0x6000, 0x1A0, 0x200, 0x3400, 0x40000040], [".bss", 0x7000, 0x1A0, 0, 0, 0xC0000080], [".idata", 0x8000, 0x640, 0x800, 0x3600, 0xC0000040], [".CRT", 0x9000, 0x60, 0x200, 0x3E00, 0xC0000040], [".tls", 0xA000, 0x10, 0x200, 0x4000, 0xC0000040], [".reloc", 0xB000, 0x80, 0x200, 0x4200, 0x42000040]],
    relocations: [45, "DIR64", 0x2CF8, 0x9040],
    imports: [["KERNEL32.dll", ["DeleteCriticalSection/283", "EnterCriticalSection/319", "GetLastError/630", "GetStartupInfoA/743", "InitializeCriticalSection/892", "LeaveCriticalSection/984", "SetUnhandledExceptionFilter/1394", "Sleep/1410", "TlsGetValue/1445", "VirtualProtect/1492", "VirtualQuery/1494"]], ["msvcrt.dll", ["__C_specific_handler/56", "__getmainargs/82", "__initenv/83", "__iob_func/84", "__set_app_type/97", "__setusermatherr/99", "_acmdln/114", "_amsg_exit/121", "_cexit/139", "_commode/151", "_fmode/220", "_initterm/283", "_onexit/551", "_snprintf/603", "abort/901", "atoi/914", "calloc/918", "exit/931", "fprintf/951", "fputc/953", "free/958", "fwrite/971", "malloc/1018", "memcpy/1026", "printf/1036", "putchar/1039", "puts/1040", "signal/1058", "sprintf/1064", "strlen/1081", "strncmp/1084", "strtol/1094", "vfprintf/1118"]]],
  },
  "realworld32.exe": {
    characteristics: 0x30E,
    magic: 0x10B,
    entry: 0x14B0,
    imageBase: 0x400000,
    sizeOfImage: 0xC000,
    sizeOfHeaders: 0x400,
    checkSum: 0xC44A,
    subsystem: 3,
    dllCharacteristics: 0x140,
    stack: [0x200000, 0x1000],
    heap: [0x100000, 0x1000],
    subsystemVersion: [4, 0],
    directories: [[1, 0x8000, 0x930], [5, 0xB000, 0x33C], [9, 0x57DC, 0x18], [0xC, 0x8188, 0x14C]],
    sections: [[".text", 0x1000, 0x23A4, 0x2400, 0x400, 0x60000060], [".data", 0x4000, 0x28, 0x200, 0x2800, 0xC0000040], [".rdata", 0x5000, 0xCD8, 0xE00, 0x2A00, 0x40000040], [".eh_fram", 0x6000, 0x8FC, 0xA00, 0x3800, 0x40000040], [".bss", 0x7000, 0xC0, 0, 0, 0xC0000080], [".idata", 0x8000, 0x930, 0xA00, 0x4200, 0xC0000040], [".CRT", 0x9000, 0x30, 0x200, 0x4C00, 0xC0000040], [".tls", 0xA000, 0x8, 0x200, 0x4E00, 0xC0000040], [".reloc", 0xB000, 0x33C, 0x400, 0x5000, 0x42000040]],
    relocations: [389, "HIGHLOW", 0x1018, 0x9020],
    imports: [["KERNEL32.dll", ["CloseHandle/136", "CreateFileA/199", "DeleteCriticalSection/277", "DeleteFileA/279", "EnterCriticalSection/310", "ExpandEnvironmentStringsA/358", "FileTimeToSystemTime/368", "FormatMessageA/428", "FormatMessageW/429", "FreeEnvironmentStringsA/431", "FreeLibrary/433", "GetComputerNameA/484", "GetConsoleMode/516", "GetEnvironmentStrings/573", "GetEnvironmentVariableA/576", "GetEnvironmentVariableW/577", "GetFileType/598", "GetFullPathNameA/606", "GetLastError/617", "GetModuleHandleA/637", "GetProcAddress/694", "GetStartupInfoA/729", "GetSystemInfo/749", "GetTempPathA/767", "GetVersion/803", "GetVersionExA/804", "GetWindowsDirectoryA/815", "GlobalAlloc/823", "GlobalFree/830", "GlobalMemoryStatusEx/836", "HeapAlloc/848", "HeapCreate/850", "HeapDestroy/852", "HeapFree/854", "HeapReAlloc/858", "HeapSize/860", "HeapValidate/864", "InitializeCriticalSection/877", "LeaveCriticalSection/973", "LoadLibraryA/977", "LocalAlloc/986", "LocalFree/991", "SetEnvironmentVariableA/1279", "SetLastError/1310", "SetUnhandledExceptionFilter/1370", "Sleep/1386", "SystemTimeToFileTime/1397", "TlsGetValue/1421", "VirtualProtect/1469", "VirtualQuery/1472", "lstrcmpA/1573", "lstrcmpiA/1576", "lstrlenA/1585", "lstrlenW/1586"]], ["msvcrt.dll", ["__getmainargs/58", "__initenv/59", "__p__acmdln/76", "__p__commode/78", "__p__fmode/83", "__set_app_type/104", "__setusermatherr/107", "_amsg_exit/142", "_cexit/159", "_initterm/338", "_iob/342", "_onexit/570", "_strnicmp/681", "abort/922", "calloc/935", "exit/945", "fprintf/962", "free/969", "fwrite/982", "getenv/988", "malloc/1027", "memcpy/1035", "printf/1043", "signal/1064", "strlen/1084", "strncmp/1087", "vfprintf/1121"]]],
  },
  "realworld64.exe": {
    characteristics: 0x22E,
    magic: 0x20B,
    entry: 0x14D0,
    imageBase: 0x140000000,
    sizeOfImage: 0xE000,
    sizeOfHeaders: 0x400,
    checkSum: 0x82E5,
    subsystem: 3,
    dllCharacteristics: 0x160,
    stack: [0x200000, 0x1000],
    heap: [0x100000, 0x1000],
    subsystemVersion: [5, 2],
    directories: [[1, 0xA000, 0xBAC], [3, 0x7000, 0x240], [5, 0xD000, 0x80], [9, 0x5820, 0x28], [0xC, 0xA2D0, 0x290]],
    sections: [[".text", 0x1000, 0x2348, 0x2400, 0x400, 0x60000060], [".data", 0x4000, 0xA0, 0x200, 0x2800, 0xC0000040], [".rdata", 0x5000, 0x1090, 0x1200, 0x2A00, 0x40000040], [".pdata", 0x7000, 0x240, 0x400, 0x3C00, 0x40000040], [".xdata", 0x8000, 0x1D0, 0x200, 0x4000, 0x40000040], [".bss", 0x9000, 0x1A0, 0, 0, 0xC0000080], [".idata", 0xA000, 0xBAC, 0xC00, 0x4200, 0xC0000040], [".CRT", 0xB000, 0x60, 0x200, 0x4E00, 0xC0000040], [".tls", 0xC000, 0x10, 0x200, 0x5000, 0xC0000040], [".reloc", 0xD000, 0x80, 0x200, 0x5200, 0x42000040]],
    relocations: [45, "DIR64", 0x3328, 0xB040],
    imports: [["KERNEL32.dll", ["CloseHandle/141", "CreateFileA/204", "DeleteCriticalSection/283", "DeleteFileA/285", "EnterCriticalSection/319", "ExpandEnvironmentStringsA/369", "FileTimeToSystemTime/378", "FormatMessageA/438", "FormatMessageW/439", "FreeEnvironmentStringsA/441", "GetComputerNameA/493", "GetConsoleMode/525", "GetEnvironmentStrings/585", "GetEnvironmentVariableA/588", "GetEnvironmentVariableW/589", "GetFileType/612", "GetFullPathNameA/620", "GetLastError/630", "GetModuleHandleA/651", "GetProcAddress/710", "GetStartupInfoA/743", "GetSystemInfo/763", "GetTempPathA/781", "GetVersion/819", "GetVersionExA/820", "GetWindowsDirectoryA/831", "GlobalAlloc/839", "GlobalFree/846", "GlobalMemoryStatusEx/852", "HeapAlloc/863", "HeapCreate/865", "HeapDestroy/867", "HeapFree/869", "HeapReAlloc/873", "HeapSize/875", "HeapValidate/879", "InitializeCriticalSection/892", "LeaveCriticalSection/984", "LocalAlloc/997", "LocalFree/1002", "SetEnvironmentVariableA/1303", "SetLastError/1334", "SetUnhandledExceptionFilter/1394", "Sleep/1410", "SystemTimeToFileTime/1421", "TlsGetValue/1445", "VirtualProtect/1492", "VirtualQuery/1494", "lstrcmpA/1599", "lstrcmpiA/1602", "lstrlenA/1611", "lstrlenW/1612"]], ["msvcrt.dll", ["__C_specific_handler/56", "__getmainargs/82", "__initenv/83", "__iob_func/84", "__set_app_type/97", "__setusermatherr/99", "_acmdln/114", "_amsg_exit/121", "_cexit/139", "_commode/151", "_fmode/220", "_initterm/283", "_onexit/551", "_strnicmp/655", "abort/901", "calloc/918", "exit/931", "fprintf/951", "free/958", "fwrite/971", "getenv/977", "malloc/1018", "memcpy/1026", "printf/1036", "signal/1058", "strlen/1081", "strncmp/1084", "vfprintf/1118"]]],
  },
  "realworld2_32.exe": {
    characteristics: 0x30E,
    magic: 0x10B,
    entry: 0x14C0,
    imageBase: 0x400000,
    sizeOfImage: 0xB000,
    sizeOfHeaders: 0x400,
    checkSum: 0x5D14,
    subsystem: 3,
    dllCharacteristics: 0x140,
    stack: [0x200000, 0x1000],
    heap: [0x100000, 0x1000],
    subsystemVersion: [4, 0],
    directories: [[1, 0x7000, 0x780], [5, 0xA000, 0x2F8], [9, 0x437C, 0x18], [0xC, 0x7184, 0x120]],
    sections: [[".text", 0x1000, 0x1EF4, 0x2000, 0x400, 0x60000060], [".data", 0x3000, 0x28, 0x200, 0x2400, 0xC0000040], [".rdata", 0x4000, 0x878, 0xA00, 0x2600, 0x40000040], [".eh_fram", 0x5000, 0x83C, 0xA00, 0x3000, 0x40000040], [".bss", 0x6000, 0xC0, 0x0, 0x0, 0xC0000080], [".idata", 0x7000, 0x780, 0x800, 0x3A00, 0xC0000040], [".CRT", 0x8000, 0x30, 0x200, 0x4200, 0xC0000040], [".tls", 0x9000, 0x8, 0x200, 0x4400, 0xC0000040], [".reloc", 0xA000, 0x2F8, 0x400, 0x4600, 0x42000040]],
    relocations: [357, "HIGHLOW", 0x1018, 0x8020],
    imports: [["KERNEL32.dll", ["DeleteCriticalSection/277", "EnterCriticalSection/310", "FreeLibrary/433", "GetLastError/617", "GetModuleFileNameW/636", "GetModuleHandleA/637", "GetProcAddress/694", "GetStartupInfoW/730", "InitializeCriticalSection/877", "LeaveCriticalSection/973", "LoadLibraryA/977", "LocalFree/991", "SetUnhandledExceptionFilter/1370", "Sleep/1386", "TlsGetValue/1421", "VirtualProtect/1469", "VirtualQuery/1472"]], ["msvcrt.dll", ["__p__commode/78", "__p__fmode/83", "__p__wcmdln/93", "__set_app_type/104", "__setusermatherr/107", "__wgetmainargs/117", "__winitenv/118", "_amsg_exit/142", "_cexit/159", "_errno/322", "_filelengthi64/206", "_fileno/207", "_initterm/338", "_iob/342", "_onexit/570", "abort/922", "calloc/935", "exit/945", "fclose/948", "fflush/951", "fgetwc/955", "fopen/959", "fprintf/962", "fputwc/966", "free/969", "fwrite/982", "iswctype/1010", "malloc/1027", "mbstowcs/1030", "memcpy/1035", "perror/1040", "printf/1043", "remove/1055", "signal/1064", "strcat_s/1075", "strcoll/1078", "strcpy_s/1080", "strlen/1084", "strncmp/1087", "strxfrm/1099", "towlower/1116", "towupper/1117", "ungetwc/1119", "vfprintf/1121", "wcscmp/1141", "wcscoll/1142", "wcsftime/1146", "wcstombs/1163"]], ["SHELL32.dll", ["CommandLineToArgvW/7"]], ["USER32.dll", ["CharLowerA/48", "CharUpperA/62"]]],
  },
  "realworld2_64.exe": {
    characteristics: 0x22E,
    magic: 0x20B,
    entry: 0x14F0,
    imageBase: 0x140000000,
    sizeOfImage: 0xC000,
    sizeOfHeaders: 0x400,
    checkSum: 0xC760,
    subsystem: 3,
    dllCharacteristics: 0x160,
    stack: [0x200000, 0x1000],
    heap: [0x100000, 0x1000],
    subsystemVersion: [5, 2],
    directories: [[1, 0x8000, 0x954], [3, 0x5000, 0x228], [5, 0xB000, 0x80], [9, 0x43A0, 0x28], [0xC, 0x8290, 0x228]],
    sections: [[".text", 0x1000, 0x1F58, 0x2000, 0x400, 0x60000060], [".data", 0x3000, 0xA0, 0x200, 0x2400, 0xC0000040], [".rdata", 0x4000, 0xC10, 0xE00, 0x2600, 0x40000040], [".pdata", 0x5000, 0x228, 0x400, 0x3400, 0x40000040], [".xdata", 0x6000, 0x1AC, 0x200, 0x3800, 0x40000040], [".bss", 0x7000, 0x1A0, 0x0, 0x0, 0xC0000080], [".idata", 0x8000, 0x954, 0xA00, 0x3A00, 0xC0000040], [".CRT", 0x9000, 0x60, 0x200, 0x4400, 0xC0000040], [".tls", 0xA000, 0x10, 0x200, 0x4600, 0xC0000040], [".reloc", 0xB000, 0x80, 0x200, 0x4800, 0x42000040]],
    relocations: [45, "DIR64", 0x2F38, 0x9040],
    imports: [["KERNEL32.dll", ["DeleteCriticalSection/283", "EnterCriticalSection/319", "GetLastError/630", "GetModuleFileNameW/650", "GetStartupInfoW/744", "InitializeCriticalSection/892", "LeaveCriticalSection/984", "LocalFree/1002", "SetUnhandledExceptionFilter/1394", "Sleep/1410", "TlsGetValue/1445", "VirtualProtect/1492", "VirtualQuery/1494"]], ["msvcrt.dll", ["__C_specific_handler/56", "__iob_func/84", "__set_app_type/97", "__setusermatherr/99", "__wgetmainargs/110", "__winitenv/111", "_amsg_exit/121", "_cexit/139", "_commode/151", "_errno/190", "_filelengthi64/210", "_fileno/211", "_fmode/220", "_initterm/283", "_onexit/551", "_wcmdln/769", "abort/901", "calloc/918", "exit/931", "fclose/935", "fflush/938", "fgetwc/942", "fopen/948", "fprintf/951", "fputwc/955", "free/958", "fwrite/971", "iswctype/999", "malloc/1018", "mbstowcs/1021", "memcpy/1026", "perror/1032", "printf/1036", "remove/1048", "signal/1058", "strcat_s/1072", "strcoll/1075", "strcpy_s/1077", "strlen/1081", "strncmp/1084", "strxfrm/1096", "towlower/1113", "towupper/1114", "ungetwc/1116", "vfprintf/1118", "wcscmp/1138", "wcscoll/1139", "wcsftime/1143", "wcstombs/1160"]], ["SHELL32.dll", ["CommandLineToArgvW/11"]], ["USER32.dll", ["CharLowerA/46", "CharUpperA/60"]]],
  },
  "seh32.exe": {
    characteristics: 0x30E,
    magic: 0x10B,
    entry: 0x1000,
    imageBase: 0x400000,
    sizeOfImage: 0x5000,
    sizeOfHeaders: 0x400,
    checkSum: 0xD583,
    subsystem: 3,
    dllCharacteristics: 0x140,
    stack: [0x200000, 0x1000],
    heap: [0x100000, 0x1000],
    subsystemVersion: [4, 0],
    directories: [[1, 0x3000, 0x90], [5, 0x4000, 0x58], [0xC, 0x3038, 0x10]],
    sections: [[".text", 0x1000, 0x19C, 0x200, 0x400, 0x60000020], [".data", 0x2000, 0x78, 0x200, 0x600, 0xC0000040], [".idata", 0x3000, 0x90, 0x200, 0x800, 0xC0000040], [".reloc", 0x4000, 0x58, 0x200, 0xA00, 0x42000040]],
    relocations: [39, "HIGHLOW", 0x1004, 0x117E],
    imports: [["KERNEL32.dll", ["ExitProcess/355", "GetStdHandle/732", "WriteFile/1542"]]],
  },
  "unhandled64.exe": {
    characteristics: 0x22E,
    magic: 0x20B,
    entry: 0x1000,
    imageBase: 0x140000000,
    sizeOfImage: 0x6000,
    sizeOfHeaders: 0x400,
    checkSum: 0x3E84,
    subsystem: 3,
    dllCharacteristics: 0x160,
    stack: [0x200000, 0x1000],
    heap: [0x100000, 0x1000],
    subsystemVersion: [5, 2],
    directories: [[1, 0x5000, 0x8C], [3, 0x3000, 0xC], [0xC, 0x5040, 0x18]],
    sections: [[".text", 0x1000, 0x70, 0x200, 0x400, 0x60000020], [".rdata", 0x2000, 0x10, 0x200, 0x600, 0x40000040], [".pdata", 0x3000, 0xC, 0x200, 0x800, 0x40000040], [".xdata", 0x4000, 8, 0x200, 0xA00, 0x40000040], [".idata", 0x5000, 0x8C, 0x200, 0xC00, 0xC0000040]],
    relocations: [0, "", 0, 0],
    imports: [["KERNEL32.dll", ["GetStdHandle/746", "WriteFile/1567"]]],
  },
  "seh64.exe": {
    characteristics: 0x22E,
    magic: 0x20B,
    entry: 0x1000,
    imageBase: 0x140000000,
    sizeOfImage: 0x7000,
    sizeOfHeaders: 0x400,
    checkSum: 0xBED7,
    subsystem: 3,
    dllCharacteristics: 0x160,
    stack: [0x200000, 0x1000],
    heap: [0x100000, 0x1000],
    subsystemVersion: [5, 2],
    directories: [[1, 0x6000, 0x134], [3, 0x4000, 0xD8], [0xC, 0x6078, 0x38]],
    sections: [[".text", 0x1000, 0x580, 0x600, 0x400, 0x60000020], [".data", 0x2000, 0x50, 0x200, 0xA00, 0xC0000040], [".rdata", 0x3000, 0x234, 0x400, 0xC00, 0x40000040], [".pdata", 0x4000, 0xD8, 0x200, 0x1000, 0x40000040], [".xdata", 0x5000, 0x128, 0x200, 0x1200, 0x40000040], [".idata", 0x6000, 0x134, 0x200, 0x1400, 0xC0000040]],
    relocations: [0, "", 0, 0],
    imports: [["KERNEL32.dll", ["ExitProcess/366", "GetStdHandle/746", "RaiseException/1153", "WriteFile/1567"]], ["msvcrt.dll", ["__C_specific_handler/56"]]],
  },
  "seh32unwind.exe": {
    characteristics: 0x30E,
    magic: 0x10B,
    entry: 0x1000,
    imageBase: 0x400000,
    sizeOfImage: 0x5000,
    sizeOfHeaders: 0x400,
    checkSum: 0x29F8,
    subsystem: 3,
    dllCharacteristics: 0x140,
    stack: [0x200000, 0x1000],
    heap: [0x100000, 0x1000],
    subsystemVersion: [4, 0],
    directories: [[1, 0x3000, 0xB8], [5, 0x4000, 0x64], [0xC, 0x303C, 0x14]],
    sections: [[".text", 0x1000, 0x270, 0x400, 0x400, 0x60000020], [".data", 0x2000, 0x18C, 0x200, 0x800, 0xC0000040], [".idata", 0x3000, 0xB8, 0x200, 0xA00, 0xC0000040], [".reloc", 0x4000, 0x64, 0x200, 0xC00, 0x42000040]],
    relocations: [45, "HIGHLOW", 0x1004, 0x1255],
    imports: [["KERNEL32.dll", ["GetStdHandle/732", "RtlUnwind/1213", "SetUnhandledExceptionFilter/1370", "WriteFile/1542"]]],
  },
  "trap32.exe": {
    characteristics: 0x32E,
    magic: 0x10B,
    entry: 0x1070,
    imageBase: 0x400000,
    sizeOfImage: 0x7000,
    sizeOfHeaders: 0x400,
    checkSum: 0x9F41,
    subsystem: 3,
    dllCharacteristics: 0x140,
    stack: [0x200000, 0x1000],
    heap: [0x100000, 0x1000],
    subsystemVersion: [4, 0],
    directories: [[1, 0x5000, 0xE8], [5, 0x6000, 0x50], [0xC, 0x5040, 0x18]],
    sections: [[".text", 0x1000, 0x2E0, 0x400, 0x400, 0x60000020], [".data", 0x2000, 8, 0x200, 0x800, 0xC0000040], [".rdata", 0x3000, 0x94, 0x200, 0xA00, 0x40000040], [".bss", 0x4000, 0x40, 0, 0, 0xC0000080], [".idata", 0x5000, 0xE8, 0x200, 0xC00, 0xC0000040], [".reloc", 0x6000, 0x50, 0x200, 0xE00, 0x42000040]],
    relocations: [36, "HIGHLOW", 0x101A, 0x12C6],
    imports: [["KERNEL32.dll", ["AddVectoredExceptionHandler/21", "ExitProcess/355", "GetStdHandle/732", "RemoveVectoredExceptionHandler/1193", "WriteFile/1542"]]],
  },
  "trap64.exe": {
    characteristics: 0x22E,
    magic: 0x20B,
    entry: 0x1070,
    imageBase: 0x140000000,
    sizeOfImage: 0x9000,
    sizeOfHeaders: 0x400,
    checkSum: 0xF563,
    subsystem: 3,
    dllCharacteristics: 0x160,
    stack: [0x200000, 0x1000],
    heap: [0x100000, 0x1000],
    subsystemVersion: [5, 2],
    directories: [[1, 0x7000, 0x118], [3, 0x4000, 0x18], [5, 0x8000, 0x10], [0xC, 0x7058, 0x30]],
    sections: [[".text", 0x1000, 0x360, 0x400, 0x400, 0x60000020], [".data", 0x2000, 0x10, 0x200, 0x800, 0xC0000040], [".rdata", 0x3000, 0xE0, 0x200, 0xA00, 0x40000040], [".pdata", 0x4000, 0x18, 0x200, 0xC00, 0x40000040], [".xdata", 0x5000, 0x1C, 0x200, 0xE00, 0x40000040], [".bss", 0x6000, 0x60, 0, 0, 0xC0000080], [".idata", 0x7000, 0x118, 0x200, 0x1000, 0xC0000040], [".reloc", 0x8000, 0x10, 0x200, 0x1200, 0x42000040]],
    relocations: [4, "DIR64", 0x30A0, 0x30D0],
    imports: [["KERNEL32.dll", ["AddVectoredExceptionHandler/20", "ExitProcess/366", "GetStdHandle/746", "RemoveVectoredExceptionHandler/1207", "WriteFile/1567"]]],
  },
  "veh64.exe": {
    characteristics: 0x22E,
    magic: 0x20B,
    entry: 0x1090,
    imageBase: 0x140000000,
    sizeOfImage: 0x8000,
    sizeOfHeaders: 0x400,
    checkSum: 0xA8AA,
    subsystem: 3,
    dllCharacteristics: 0x160,
    stack: [0x200000, 0x1000],
    heap: [0x100000, 0x1000],
    subsystemVersion: [5, 2],
    directories: [[1, 0x6000, 0x118], [3, 0x3000, 0x18], [5, 0x7000, 0xC], [0xC, 0x6058, 0x30]],
    sections: [[".text", 0x1000, 0x2D0, 0x400, 0x400, 0x60000020], [".rdata", 0x2000, 0x60, 0x200, 0x800, 0x40000040], [".pdata", 0x3000, 0x18, 0x200, 0xA00, 0x40000040], [".xdata", 0x4000, 0x18, 0x200, 0xC00, 0x40000040], [".bss", 0x5000, 0x20, 0, 0, 0xC0000080], [".idata", 0x6000, 0x118, 0x200, 0xE00, 0xC0000040], [".reloc", 0x7000, 0xC, 0x200, 0x1000, 0x42000040]],
    relocations: [1, "DIR64", 0x2050, 0x2050],
    imports: [["KERNEL32.dll", ["AddVectoredExceptionHandler/20", "ExitProcess/366", "GetStdHandle/746", "RemoveVectoredExceptionHandler/1207", "WriteFile/1567"]]],
  },
};

function importText(e: ImportEntry): string {
  return e.kind === "name" ? `${e.name}/${e.hint}` : `#${e.ordinal}`;
}

describe("PE fixtures: manifest", () => {
  it("SHA256SUMS matches every committed source and binary, and lists them all", () => {
    const lines = fs.readFileSync(path.join(FIXTURES, "SHA256SUMS"), "utf8").trim().split("\n");
    const listed = new Set<string>();
    const stale: string[] = [];
    for (const line of lines) {
      const m = /^([0-9a-f]{64}) {2}(.+)$/.exec(line);
      assert.ok(m, `bad manifest line: ${line}`);
      const [, hash, file] = m;
      listed.add(file);
      const full = path.join(FIXTURES, file);
      assert.ok(fs.existsSync(full), `${file} is in SHA256SUMS but missing (run test/fixtures/build.sh)`);
      const actual = createHash("sha256").update(fs.readFileSync(full)).digest("hex");
      if (actual !== hash) stale.push(file);
    }
    assert.deepEqual(
      stale,
      [],
      `stale fixtures (sources changed without test/fixtures/build.sh?): ${stale.join(", ")}`,
    );
    const present = ["bin", "malformed", "src"].flatMap((d) =>
      fs.readdirSync(path.join(FIXTURES, d)).map((f) => `${d}/${f}`),
    );
    present.push("build.sh", "set-directory.mjs", "gen-malformed.mjs");
    const unlisted = present.filter((f) => !listed.has(f));
    assert.deepEqual(
      unlisted,
      [],
      `files not in SHA256SUMS (run test/fixtures/build.sh): ${unlisted.join(", ")}`,
    );
  });
});

describe("PE fixtures: headers, sections, directories, imports, relocations", () => {
  for (const [name, x] of Object.entries(EXPECTED)) {
    it(name, () => {
      const file = load(name);
      const img = parsePe(file);
      const o = img.optionalHeader;
      assert.equal(img.fileHeader.characteristics, x.characteristics);
      assert.equal(o.magic, x.magic);
      assert.equal(img.format, x.magic === 0x20b ? "PE32+" : "PE32");
      assert.equal(img.bits, x.magic === 0x20b ? 64 : 32);
      assert.equal(img.entryPointRva, x.entry);
      assert.equal(img.imageBase, x.imageBase);
      assert.equal(o.sizeOfImage, x.sizeOfImage);
      assert.equal(img.mappedSize, x.sizeOfImage);
      assert.equal(o.sizeOfHeaders, x.sizeOfHeaders);
      assert.equal(o.checkSum, x.checkSum);
      assert.equal(img.subsystem, x.subsystem);
      assert.equal(o.dllCharacteristics, x.dllCharacteristics);
      assert.deepEqual([o.sizeOfStackReserve, o.sizeOfStackCommit], x.stack);
      assert.deepEqual([o.sizeOfHeapReserve, o.sizeOfHeapCommit], x.heap);
      assert.deepEqual([o.majorSubsystemVersion, o.minorSubsystemVersion], x.subsystemVersion);
      assert.equal(o.sectionAlignment, 0x1000);
      assert.equal(o.fileAlignment, 0x200);
      assert.equal(o.numberOfRvaAndSizes, 16);
      const dirs = img.dataDirectories
        .map((d, i): [number, number, number] => [i, d.virtualAddress, d.size])
        .filter(([, rva, size]) => rva !== 0 || size !== 0);
      assert.deepEqual(dirs, x.directories);
      assert.deepEqual(
        img.sections.map((s) => [
          s.name,
          s.virtualAddress,
          s.virtualSize,
          s.sizeOfRawData,
          s.pointerToRawData,
          s.characteristics,
        ]),
        x.sections,
      );
      const rel = img.relocations;
      const relType = rel.length === 0 ? "" : rel[0].type === IMAGE_REL_BASED_DIR64 ? "DIR64" : "HIGHLOW";
      assert.deepEqual(
        [rel.length, relType, rel.length ? rel[0].rva : 0, rel.length ? rel[rel.length - 1].rva : 0],
        x.relocations,
      );
      // Each image uses one relocation type: DIR64 in PE32+, HIGHLOW in PE32.
      const want = img.bits === 64 ? IMAGE_REL_BASED_DIR64 : IMAGE_REL_BASED_HIGHLOW;
      assert.ok(rel.every((r) => r.type === want));
      assert.deepEqual(
        img.imports.map((m) => [m.name, m.entries.map(importText)]),
        x.imports,
      );
      // Flags as objdump decodes them.
      assert.equal(img.isDll, (x.characteristics & 0x2000) !== 0);
      assert.equal(img.largeAddressAware, (x.characteristics & 0x20) !== 0);
      assert.equal(img.dynamicBase, (x.dllCharacteristics & 0x40) !== 0);
      assert.equal(img.nxCompat, (x.dllCharacteristics & 0x100) !== 0);
      assert.equal(img.highEntropyVa, (x.dllCharacteristics & 0x20) !== 0);
      // ld fills in CheckSum; ours must agree with it.
      assert.equal(computeChecksum(file, img.optionalHeaderOffset + 64), x.checkSum);
    });
  }

  it("covers every good PE fixture", () => {
    const pes = fs.readdirSync(BIN).filter((f) => /\.(exe|dll)$/.test(f));
    assert.deepEqual(pes.sort(), Object.keys(EXPECTED).sort());
  });

  it("flags: LARGE_ADDRESS_AWARE, DLL, DYNAMIC_BASE, NX_COMPAT, HIGH_ENTROPY_VA", () => {
    const h32 = parsePe(load("hello32.exe"));
    assert.equal(h32.largeAddressAware, true); // linked with --large-address-aware
    assert.equal(parsePe(load("gate32.exe")).largeAddressAware, false);
    const h64 = parsePe(load("hello64.exe"));
    assert.deepEqual(
      [h64.dynamicBase, h64.nxCompat, h64.highEntropyVa, h64.isDll],
      [true, true, true, false],
    );
    const d = parsePe(load("exports64.dll"));
    assert.equal(d.isDll, true);
    assert.equal(d.relocsStripped, false);
  });

  it("64-bit image bases above 4 GB are exact", () => {
    assert.equal(parsePe(load("hello64-rebased.exe")).imageBase, 0x7ff7_1234_0000);
    assert.equal(parsePe(load("exports64.dll")).imageBase, 0x2_e5c1_0000);
    assert.equal(parsePe(load("forward64.dll")).imageBase, 0x2_196f_0000);
  });
});

describe("PE fixtures: exports and forwarders", () => {
  for (const bits of [32, 64]) {
    it(`exports${bits}.dll: by name, by ordinal, NONAME, DATA`, () => {
      const d = parsePe(load(`exports${bits}.dll`)).exports;
      assert.ok(d);
      // llvm-readobj --coff-exports: add 1 0x1000, mul 2 0x1010, exported_value 3 0x2000, (4 unused), 5 0x1020
      assert.equal(d.name, "exports.dll");
      assert.equal(d.ordinalBase, 1);
      assert.equal(d.numberOfFunctions, 5);
      assert.equal(d.numberOfNames, 3);
      assert.deepEqual(
        d.exports.map((e) => [e.ordinal, e.rva, e.names]),
        [
          [1, 0x1000, ["add"]],
          [2, 0x1010, ["mul"]],
          [3, 0x2000, ["exported_value"]],
          [5, 0x1020, []],
        ],
      );
      assert.equal(findExportByName(d, "mul")?.ordinal, 2);
      assert.equal(findExportByName(d, "MUL"), undefined); // case-sensitive, as GetProcAddress
      assert.equal(findExportByOrdinal(d, 5)?.rva, 0x1020);
      assert.equal(findExportByOrdinal(d, 4), undefined);
      assert.ok(d.exports.every((e) => e.forwarder === undefined));
    });

    it(`forward${bits}.dll: forwarded exports (HeapAlloc -> NTDLL.RtlAllocateHeap)`, () => {
      const d = parsePe(load(`forward${bits}.dll`)).exports;
      assert.ok(d);
      assert.equal(d.name, "forward.dll");
      const heapAlloc = findExportByName(d, "HeapAlloc");
      assert.deepEqual(heapAlloc?.forwarder, {
        text: "NTDLL.RtlAllocateHeap",
        module: "NTDLL",
        name: "RtlAllocateHeap",
        ordinal: undefined,
      });
      assert.equal(findExportByName(d, "HeapFree")?.forwarder?.text, "NTDLL.RtlFreeHeap");
      // llvm-readobj --coff-exports: HeapAlloc 1 (forwarder string at 0x2056 / 0x4056), local_function 3 0x1000
      assert.equal(heapAlloc?.rva, bits === 32 ? 0x2056 : 0x4056);
      assert.equal(findExportByName(d, "local_function")?.rva, 0x1000);
      assert.equal(findExportByName(d, "local_function")?.forwarder, undefined);
      assert.equal(findExportByOrdinal(d, 4)?.names.length, 0);
    });
  }
});

describe("PE fixtures: delay-load imports", () => {
  // objdump -s of the descriptor (dllclient32: RVA 0x1144, dllclient64: RVA 0x1190, both in .text$2):
  //   01000000 dc300000 00200000 6c300000 40300000 00000000 00000000 00000000   (32-bit)
  //   01000000 38610000 00200000 a0600000 48600000 00000000 00000000 00000000   (64-bit)
  // Attributes 1 (dlattrRva), DllName "exports.dll", ModuleHandle 0x2000, IAT, INT, no bound/unload IAT.
  // INT (objdump -s -j .idata): a hint/name entry (hint 1, "add"), then ordinal 5 (0x80000005 /
  // 0x8000000000000005), then 0.
  const cases: [number, number, number, number][] = [
    [32, 0x306c, 0x3040, 0x1144],
    [64, 0x60a0, 0x6048, 0x1190],
  ];
  for (const [bits, iat, int, dir] of cases) {
    it(`dllclient${bits}.exe`, () => {
      const img = parsePe(load(`dllclient${bits}.exe`));
      assert.deepEqual(img.dataDirectories[13], { virtualAddress: dir, size: 32 });
      assert.equal(img.delayImports.length, 1);
      const d = img.delayImports[0];
      const w = bits / 8;
      assert.deepEqual(d, {
        name: "exports.dll",
        attributes: 1,
        moduleHandleRva: 0x2000,
        addressTableRva: iat,
        nameTableRva: int,
        boundAddressTableRva: 0,
        unloadInformationTableRva: 0,
        timeDateStamp: 0,
        entries: [
          { kind: "name", name: "add", hint: 1, iatRva: iat },
          { kind: "ordinal", ordinal: 5, iatRva: iat + w },
        ],
      });
      // The ordinary imports: forward.dll by ordinal (4) and by name, then kernel32.
      assert.deepEqual(
        img.imports.map((m) => [m.name, m.entries.map(importText)]),
        [
          ["forward.dll", ["#4", "local_function/3"]],
          [
            "KERNEL32.dll",
            bits === 32
              ? ["ExitProcess/355", "GetProcAddress/694", "LoadLibraryA/977"]
              : ["ExitProcess/366", "GetProcAddress/710", "LoadLibraryA/988"],
          ],
        ],
      );
    });
  }
});

describe("PE fixtures: TLS directory and callbacks", () => {
  it("tls32.exe (IMAGE_TLS_DIRECTORY32)", () => {
    const t = parsePe(load("tls32.exe")).tls;
    // llvm-readobj --coff-tls-directory: Start 0x406000, End 0x406004, Index 0x403000, CallBacks 0x405004;
    // objdump -s -j .CRT: 00000000 00104000 90104000 00000000 -> callbacks 0x401000, 0x401090.
    assert.deepEqual(t, {
      startAddressOfRawData: 0x406000,
      endAddressOfRawData: 0x406004,
      addressOfIndex: 0x403000,
      addressOfCallBacks: 0x405004,
      sizeOfZeroFill: 0,
      characteristics: 0,
      rawDataRva: 0x6000,
      rawDataSize: 4,
      indexRva: 0x3000,
      callbacksRva: 0x5004,
      callbacks: [0x1000, 0x1090],
    });
  });

  it("tls64.exe (IMAGE_TLS_DIRECTORY64, addresses above 4 GB)", () => {
    const t = parsePe(load("tls64.exe")).tls;
    // llvm-readobj: Start 0x140008000, End 0x140008004, Index 0x140005000, CallBacks 0x140007008;
    // objdump -s -j .CRT: callbacks 0x140001000, 0x140001080.
    assert.deepEqual(t, {
      startAddressOfRawData: 0x1_4000_8000,
      endAddressOfRawData: 0x1_4000_8004,
      addressOfIndex: 0x1_4000_5000,
      addressOfCallBacks: 0x1_4000_7008,
      sizeOfZeroFill: 0,
      characteristics: 0,
      rawDataRva: 0x8000,
      rawDataSize: 4,
      indexRva: 0x5000,
      callbacksRva: 0x7008,
      callbacks: [0x1000, 0x1080],
    });
  });

  it("images without a TLS directory have none", () => {
    assert.equal(parsePe(load("hello32.exe")).tls, undefined);
  });
});

describe("PE fixtures: mapImage", () => {
  it("lays out headers and sections at their RVAs, zero-filling the rest", () => {
    for (const name of Object.keys(EXPECTED)) {
      const file = load(name);
      const img = parsePe(file);
      const mapped = mapImage(file, img);
      assert.equal(mapped.length, img.mappedSize, name);
      assert.deepEqual(mapped.subarray(0, 0x200), file.subarray(0, 0x200), name);
      for (const s of img.sections) {
        const n = Math.min(s.virtualSize, s.sizeOfRawData);
        assert.deepEqual(
          mapped.subarray(s.virtualAddress, s.virtualAddress + n),
          file.subarray(s.pointerToRawData, s.pointerToRawData + n),
          `${name} ${s.name}`,
        );
        // SizeOfRawData beyond VirtualSize (file alignment padding) is not mapped: zeros up to the next page.
        const end = Math.ceil((s.virtualAddress + s.virtualSize) / 0x1000) * 0x1000;
        assert.ok(
          mapped.subarray(s.virtualAddress + n, end).every((b) => b === 0),
          `${name} ${s.name} tail`,
        );
      }
    }
  });

  it("maps a .bss section (no raw data) as zeros", () => {
    const img = parsePe(load("gate32.exe"));
    const bss = img.sections.find((s) => s.name === ".bss");
    assert.ok(bss && bss.sizeOfRawData === 0 && bss.virtualSize > 0 && bss.fileSize === 0);
    const layout = imageLayout(img, load("gate32.exe").length);
    assert.deepEqual(layout.find((p) => p.section === bss.index)?.fileSize, 0);
  });

  it("the mapped image reads the same import names as the parser", () => {
    const file = load("memory64.exe");
    const img: PeImage = parsePe(file);
    const mapped = mapImage(file, img);
    const dv = new DataView(mapped.buffer);
    for (const m of img.imports) {
      for (const e of m.entries) {
        if (e.kind !== "name") continue;
        // The IAT holds the RVA of the hint/name entry until the loader binds it.
        const hn = dv.getUint32(e.iatRva, true);
        assert.equal(dv.getUint16(hn, true), e.hint);
        const bytes = mapped.subarray(hn + 2, hn + 2 + e.name.length);
        assert.equal(Buffer.from(bytes).toString("latin1"), e.name);
      }
    }
  });

  it("shellcode is not a PE image", () => {
    const r = tryParsePe(load("shellcode64.bin"));
    assert.equal(r.ok, false);
  });
});
