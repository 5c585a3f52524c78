// The information structures of NtQueryValueKey/NtQueryKey. Layouts: wdm.h (KEY_VALUE_BASIC/FULL/PARTIAL_
// INFORMATION, KEY_BASIC/NODE/FULL_INFORMATION pages on learn.microsoft.com/windows-hardware/drivers/ddi/wdm/);
// short buffers: the ZwQueryValueKey page — STATUS_BUFFER_TOO_SMALL "no data has been written",
// STATUS_BUFFER_OVERFLOW "only partial data has been written", ResultLength "the minimum size required".
import { strict as assert } from "node:assert";
import {
  KeyBasicInformation,
  KeyFullInformation,
  KeyNameInformation,
  KeyNodeInformation,
  KeyValueBasicInformation,
  KeyValueFullInformation,
  KeyValuePartialInformation,
  REG_DWORD,
  REG_SZ,
  Registry,
  encodeKeyInformation,
  encodeValueInformation,
  regDword,
  regSz,
} from "../src/windows/registry";
import {
  STATUS_BUFFER_OVERFLOW,
  STATUS_BUFFER_TOO_SMALL,
  STATUS_INVALID_PARAMETER,
  STATUS_SUCCESS,
} from "../src/windows/registry/status";

const u32 = (b: Uint8Array, o: number): number => new DataView(b.buffer, b.byteOffset).getUint32(o, true);
const u64 = (b: Uint8Array, o: number): bigint => new DataView(b.buffer, b.byteOffset).getBigUint64(o, true);
const str = (b: Uint8Array, o: number, n: number): string =>
  String.fromCharCode(...Array.from({ length: n / 2 }, (_, i) => b[o + i * 2] | (b[o + i * 2 + 1] << 8)));

describe("registry: information structures", () => {
  const v = { name: "Abc", type: REG_DWORD, data: regDword(0x11223344) };

  it("KEY_VALUE_PARTIAL_INFORMATION: full, overflow (header written, data cut), too small", () => {
    const ok = encodeValueInformation(KeyValuePartialInformation, v, 64);
    assert.equal(ok.status, STATUS_SUCCESS);
    assert.equal(ok.resultLength, 16);
    assert.deepEqual(
      [u32(ok.buffer, 0), u32(ok.buffer, 4), u32(ok.buffer, 8), u32(ok.buffer, 12)],
      [0, REG_DWORD, 4, 0x11223344],
    );
    const part = encodeValueInformation(KeyValuePartialInformation, v, 14);
    assert.equal(part.status, STATUS_BUFFER_OVERFLOW);
    assert.equal(part.resultLength, 16);
    assert.equal(u32(part.buffer, 8), 4, "DataLength is the full length");
    assert.deepEqual([...part.buffer.subarray(12, 14)], [0x44, 0x33]);
    const small = encodeValueInformation(KeyValuePartialInformation, v, 11);
    assert.equal(small.status, STATUS_BUFFER_TOO_SMALL);
    assert.equal(small.resultLength, 16);
    assert.equal(encodeValueInformation(KeyValuePartialInformation, v, 0).status, STATUS_BUFFER_TOO_SMALL);
    assert.equal(encodeValueInformation(9, v, 64).status, STATUS_INVALID_PARAMETER);
  });

  it("KEY_VALUE_BASIC_INFORMATION and KEY_VALUE_FULL_INFORMATION (data 4-aligned after the name)", () => {
    const b = encodeValueInformation(KeyValueBasicInformation, v, 64);
    assert.equal(b.resultLength, 12 + 6);
    assert.equal(u32(b.buffer, 8), 6);
    assert.equal(str(b.buffer, 12, 6), "Abc");
    const f = encodeValueInformation(KeyValueFullInformation, v, 64);
    // Name at 20 (6 bytes) ends at 26; DataOffset = 28; total 32.
    assert.equal(f.resultLength, 32);
    assert.deepEqual(
      [u32(f.buffer, 4), u32(f.buffer, 8), u32(f.buffer, 12), u32(f.buffer, 16)],
      [REG_DWORD, 28, 4, 6],
    );
    assert.equal(u32(f.buffer, 28), 0x11223344);
    const empty = encodeValueInformation(
      KeyValueFullInformation,
      { name: "e", type: REG_SZ, data: new Uint8Array(0) },
      64,
    );
    assert.equal(u32(empty.buffer, 8), 0xffffffff, "no data: DataOffset -1");
    assert.equal(encodeValueInformation(KeyValueFullInformation, v, 20).status, STATUS_BUFFER_OVERFLOW);
    assert.equal(encodeValueInformation(KeyValueFullInformation, v, 19).status, STATUS_BUFFER_TOO_SMALL);
  });

  it("KEY_BASIC/NODE/FULL/NAME_INFORMATION from a key", () => {
    const reg = new Registry({ clock: () => 0x01d9000012345678n });
    const k = reg.createKey(null, "\\REGISTRY\\MACHINE\\Test", { className: "Cls" }).key!;
    reg.createKey(k, "child-one");
    reg.createKey(k, "c2");
    reg.setValue(k, "value-name", REG_SZ, regSz("12345"));
    const src = reg.keySource(k);
    const basic = encodeKeyInformation(KeyBasicInformation, src, 64);
    assert.equal(basic.resultLength, 16 + 8);
    assert.equal(u64(basic.buffer, 0), 0x01d9000012345678n);
    assert.equal(str(basic.buffer, 16, u32(basic.buffer, 12)), "Test");
    const node = encodeKeyInformation(KeyNodeInformation, src, 64);
    assert.equal(u32(node.buffer, 12), 32, "ClassOffset: 24 + 8 bytes of name, 4-aligned");
    assert.equal(str(node.buffer, 32, u32(node.buffer, 16)), "Cls");
    const full = encodeKeyInformation(KeyFullInformation, src, 64);
    assert.equal(full.resultLength, 44 + 6);
    assert.deepEqual(
      [20, 24, 32, 36, 40].map((o) => u32(full.buffer, o)),
      [2, "child-one".length * 2, 1, "value-name".length * 2, 12],
    );
    assert.equal(encodeKeyInformation(KeyFullInformation, src, 43).status, STATUS_BUFFER_TOO_SMALL);
    assert.equal(encodeKeyInformation(KeyFullInformation, src, 46).status, STATUS_BUFFER_OVERFLOW);
    const name = encodeKeyInformation(KeyNameInformation, src, 128);
    assert.equal(str(name.buffer, 4, u32(name.buffer, 0)), "\\REGISTRY\\MACHINE\\Test");
  });
});
