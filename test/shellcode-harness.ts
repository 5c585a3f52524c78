/**
 * Raw machine code run as a full process (Process.createShellcode) for tests that need a few instructions
 * calling real exports: a probe process gives the layout (the shellcode base and every export's address,
 * the same in the second process), `code(base, exportOf)` lays the bytes out against it.
 */
import { strict as assert } from "node:assert";
import type { Arch, DllName } from "../src/windows/dlls";
import { Kernel } from "../src/windows/kernel";
import { Process } from "../src/windows/process";

/** Little-endian bytes of a 64-bit value (an imm64). */
export function le64(v: number | bigint): number[] {
  const out: number[] = [];
  let x = BigInt(v);
  for (let i = 0; i < 8; i++) {
    out.push(Number(x & 0xffn));
    x >>= 8n;
  }
  return out;
}

/** Little-endian bytes of a 32-bit value (an imm32). */
export const le32 = (v: number): number[] => le64(v).slice(0, 4);

/** The address of `dll!name` in the layout. */
export type ExportOf = (dll: DllName, name: string) => number;

/** x64: `mov rax, dll!name; call rax`. */
export function callExport64(exp: ExportOf, dll: DllName, name: string): number[] {
  return [0x48, 0xb8, ...le64(exp(dll, name)), 0xff, 0xd0];
}

/** A shellcode process of `arch` (RWX, `size` bytes) holding what `code(base, exportOf)` lays out. */
export function shellcodeProcess(
  arch: Arch,
  size: number,
  code: (base: number, exp: ExportOf) => Uint8Array | number[],
): Process {
  const make = (bytes: Uint8Array): Process =>
    Process.createShellcode({ code: bytes, arch, kernel: (q) => new Kernel(q) });
  const probe = make(new Uint8Array(size));
  const exp: ExportOf = (dll, name) => {
    const e = probe.dlls.get(dll, arch)?.exports.get(name);
    assert.ok(e !== undefined && "address" in e, `${dll}!${name}`);
    return e.address;
  };
  const bytes = new Uint8Array(size);
  bytes.set(code(probe.shellcodeBase, exp));
  const p = make(bytes);
  assert.equal(p.shellcodeBase, probe.shellcodeBase); // the same layout: the addresses hold
  return p;
}
