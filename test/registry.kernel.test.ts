/**
 * The registry key services through the real ntdll stubs (x64, and x86 through the WOW64 layer), and the
 * advapi32 Reg* functions of both bitnesses, on our CPU.
 *
 * Expected values:
 * - ZwCreateKey / ZwOpenKey / ZwQueryValueKey / ZwEnumerateKey / ZwQueryKey / ZwDeleteKey / ZwSetValueKey
 *   (learn.microsoft.com/windows-hardware/drivers/ddi/wdm/nf-wdm-zw…): Disposition REG_CREATED_NEW_KEY 1 /
 *   REG_OPENED_EXISTING_KEY 2; STATUS_BUFFER_TOO_SMALL 0xC0000023 when "no data has been written",
 *   STATUS_BUFFER_OVERFLOW 0x80000005 when "only partial data has been written", ResultLength = the size
 *   needed; STATUS_NO_MORE_ENTRIES 0x8000001A past the last subkey; KEY_VALUE_PARTIAL_INFORMATION
 *   { TitleIndex, Type, DataLength, Data } (wdm.h).
 * - "Registry Redirector" (learn.microsoft.com/en-us/windows/win32/winprog64/registry-redirector): "The
 *   registry redirector isolates 32-bit and 64-bit applications by providing separate logical views of
 *   certain portions of the registry … 32-bit keys under HKEY_LOCAL_MACHINE\Software\WOW6432Node".
 * - "Accessing an Alternate Registry View" (…/winprog64/accessing-an-alternate-registry-view):
 *   KEY_WOW64_64KEY 0x100 / KEY_WOW64_32KEY 0x200; both together are invalid.
 * - "Registry Key Security and Access Rights": KEY_QUERY_VALUE 1, KEY_SET_VALUE 2, KEY_READ 0x20019,
 *   KEY_ALL_ACCESS 0xF003F; a handle without the right gets STATUS_ACCESS_DENIED / ERROR_ACCESS_DENIED 5.
 * - RegXxx reference pages (learn.microsoft.com/en-us/windows/win32/api/winreg/): the return value is the
 *   error code (ERROR_FILE_NOT_FOUND 2, ERROR_MORE_DATA 234 with *lpcbData = the size needed,
 *   ERROR_NO_MORE_ITEMS 259); RegDeleteKey: "The subkey to be deleted must not have subkeys" (ERROR_ACCESS_DENIED
 *   as Windows returns it); RegGetValue with a type outside dwFlags' RRF_RT_*: ERROR_UNSUPPORTED_TYPE 1630;
 *   predefined keys HKEY_LOCAL_MACHINE 0x80000002, HKEY_CURRENT_USER 0x80000001 (winreg.h).
 */
import { strict as assert } from "node:assert";
import { mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import * as path from "node:path";
import type { KernelOptions } from "../src/windows/kernel";
import { NodeRegistryFileHost } from "../src/windows/registry/node-host";
import { Harness } from "./kernel-harness";

const KEY_QUERY_VALUE = 1;
const KEY_READ = 0x20019;
const KEY_ALL_ACCESS = 0xf003f;
const KEY_WOW64_64KEY = 0x100;
const KEY_WOW64_32KEY = 0x200;
const REG_SZ = 1;
const REG_DWORD = 4;
const KeyBasicInformation = 0;
const KeyFullInformation = 2;
const KeyNameInformation = 3;
const KeyValuePartialInformation = 2;
const STATUS_BUFFER_OVERFLOW = 0x80000005;
const STATUS_NO_MORE_ENTRIES = 0x8000001a;
const STATUS_INVALID_PARAMETER = 0xc000000d;
const STATUS_ACCESS_DENIED = 0xc0000022;
const STATUS_BUFFER_TOO_SMALL = 0xc0000023;
const STATUS_OBJECT_NAME_NOT_FOUND = 0xc0000034;
const STATUS_CANNOT_DELETE = 0xc0000121;
const STATUS_KEY_DELETED = 0xc000017c;
const HKLM = -0x7ffffffe; // (HKEY)(LONG_PTR)(LONG)0x80000002
const HKCU = -0x7fffffff;
const ERROR_FILE_NOT_FOUND = 2;
const ERROR_ACCESS_DENIED = 5;
const ERROR_MORE_DATA = 234;
const ERROR_NO_MORE_ITEMS = 259;
const ERROR_UNSUPPORTED_TYPE = 1630;
const RRF_RT_REG_DWORD = 0x10;
const RRF_RT_REG_SZ = 0x2;

type Arch = "x64" | "x86";

class Nt {
  readonly h: Harness;
  constructor(
    readonly arch: Arch,
    kernel?: KernelOptions,
  ) {
    this.h = new Harness({ wow64: arch === "x86", kernel });
  }
  get p(): 4 | 8 {
    return this.arch === "x64" ? 8 : 4;
  }
  wp(a: number, v: number): void {
    if (this.p === 8) this.h.w64(a, v);
    else this.h.w32(a, v);
  }
  rp(a: number): number {
    return this.p === 8 ? this.h.u64(a) : this.h.u32(a);
  }
  /** UNICODE_STRING for `s` in the caller's layout. */
  us(s: string): number {
    const h = this.h;
    const a = h.alloc(0x1000);
    const text = a + 0x20;
    for (let i = 0; i < s.length; i++) h.w16(text + 2 * i, s.charCodeAt(i));
    h.w16(a, 2 * s.length);
    h.w16(a + 2, 2 * s.length);
    this.wp(a + this.p, text);
    return a;
  }
  /** OBJECT_ATTRIBUTES { root, name } in the caller's layout. */
  oa(name: string, root = 0): number {
    const a = this.h.alloc(0x1000);
    const p = this.p;
    this.h.w32(a, 6 * p);
    this.wp(a + p, root);
    this.wp(a + 2 * p, this.us(name));
    this.h.w32(a + 3 * p, 0x40);
    return a;
  }
  call(name: string, args: number[]): number {
    const r = this.h.call("ntdll", this.arch, name, args);
    assert.equal(r.stop, undefined, `${name}: ${JSON.stringify(r.stop)}`);
    return r.ret >>> 0;
  }
  api(name: string, args: number[]): number {
    const r = this.h.call("advapi32", this.arch, name, args);
    assert.equal(r.stop, undefined, `${name}: ${JSON.stringify(r.stop)}`);
    return r.ret >>> 0;
  }
  /** [status, handle] */
  open(name: string, access = KEY_ALL_ACCESS, root = 0): [number, number] {
    const out = this.h.alloc(0x1000);
    const s = this.call("NtOpenKey", [out, access, this.oa(name, root)]);
    return [s, this.rp(out)];
  }
  /** [status, handle, disposition] */
  create(name: string, access = KEY_ALL_ACCESS, root = 0): [number, number, number] {
    const out = this.h.alloc(0x1000);
    const s = this.call("NtCreateKey", [out, access, this.oa(name, root), 0, 0, 0, out + 0x10]);
    return [s, this.rp(out), this.h.u32(out + 0x10)];
  }
  keyName(handle: number): string {
    const buf = this.h.alloc(0x1000);
    const s = this.call("NtQueryKey", [handle, KeyNameInformation, buf, 0x800, buf + 0x800]);
    assert.equal(s, 0);
    const len = this.h.u32(buf);
    let out = "";
    for (let i = 0; i < len; i += 2) out += String.fromCharCode(this.h.u16(buf + 4 + i));
    return out;
  }
  subkeys(handle: number): string[] {
    const buf = this.h.alloc(0x1000);
    const names: string[] = [];
    for (let i = 0; ; i++) {
      const s = this.call("NtEnumerateKey", [handle, i, KeyBasicInformation, buf, 0x800, buf + 0x800]);
      if (s === STATUS_NO_MORE_ENTRIES) return names;
      assert.equal(s, 0);
      const len = this.h.u32(buf + 12);
      let n = "";
      for (let k = 0; k < len; k += 2) n += String.fromCharCode(this.h.u16(buf + 16 + k));
      names.push(n);
    }
  }
  /** An advapi32 string argument in the function's character set. */
  str(s: string, wide: boolean): number {
    return wide ? this.h.string(s) : this.h.astring(s);
  }
}

for (const arch of ["x64", "x86"] as const) {
  describe(`registry key services (${arch} caller)`, () => {
    it("NtCreateKey creates then opens; the 32-bit view lands in Wow6432Node", () => {
      const n = new Nt(arch);
      const [s1, k1, d1] = n.create("\\Registry\\Machine\\Software\\WowdbgTest");
      assert.equal(s1, 0);
      assert.equal(d1, 1); // REG_CREATED_NEW_KEY
      const [s2, , d2] = n.create("\\Registry\\Machine\\Software\\WowdbgTest");
      assert.equal(s2, 0);
      assert.equal(d2, 2); // REG_OPENED_EXISTING_KEY
      assert.equal(
        n.keyName(k1),
        arch === "x86"
          ? "\\REGISTRY\\MACHINE\\SOFTWARE\\Wow6432Node\\WowdbgTest"
          : "\\REGISTRY\\MACHINE\\SOFTWARE\\WowdbgTest",
      );
      // The other view does not have it.
      const other = arch === "x86" ? KEY_WOW64_64KEY : KEY_WOW64_32KEY;
      assert.equal(
        n.open("\\Registry\\Machine\\Software\\WowdbgTest", KEY_READ | other)[0],
        STATUS_OBJECT_NAME_NOT_FOUND,
      );
      assert.equal(
        n.open("\\Registry\\Machine\\Software\\WowdbgTest", KEY_READ | KEY_WOW64_64KEY | KEY_WOW64_32KEY)[0],
        STATUS_INVALID_PARAMETER,
      );
      // A shared key (HKLM\SYSTEM) is the same in both views.
      const [s3, sys] = n.open("\\Registry\\Machine\\System\\CurrentControlSet", KEY_READ);
      assert.equal(s3, 0);
      assert.equal(n.keyName(sys), "\\REGISTRY\\MACHINE\\SYSTEM\\ControlSet001");
      assert.equal(n.call("NtClose", [k1]), 0);
    });

    it("a 64-bit view sees Wow6432Node as a key; the 32-bit view hides it", () => {
      const n = new Nt(arch);
      const [s, sw] = n.open("\\Registry\\Machine\\Software", KEY_READ);
      assert.equal(s, 0);
      const names = n.subkeys(sw).map((x) => x.toUpperCase());
      assert.equal(names.includes("WOW6432NODE"), arch === "x64");
      const [, sw64] = n.open("\\Registry\\Machine\\Software", KEY_READ | KEY_WOW64_64KEY);
      assert.ok(
        n
          .subkeys(sw64)
          .map((x) => x.toUpperCase())
          .includes("WOW6432NODE"),
      );
    });

    it("values: set, query (short buffers), enumerate, delete; access rights are checked", () => {
      const n = new Nt(arch);
      const h = n.h;
      const [, k] = n.create("\\Registry\\Machine\\Software\\WowdbgTest");
      const data = h.alloc(0x1000);
      h.w32(data, 0x12345678);
      assert.equal(n.call("NtSetValueKey", [k, n.us("Answer"), 0, REG_DWORD, data, 4]), 0);
      const buf = h.alloc(0x1000);
      const rl = buf + 0x800;
      assert.equal(
        n.call("NtQueryValueKey", [k, n.us("Answer"), KeyValuePartialInformation, buf, 0x100, rl]),
        0,
      );
      assert.deepEqual(
        [h.u32(buf + 4), h.u32(buf + 8), h.u32(buf + 12), h.u32(rl)],
        [REG_DWORD, 4, 0x12345678, 16],
      );
      assert.equal(
        n.call("NtQueryValueKey", [k, n.us("Answer"), KeyValuePartialInformation, buf, 4, rl]),
        STATUS_BUFFER_TOO_SMALL,
      );
      assert.equal(h.u32(rl), 16);
      assert.equal(
        n.call("NtQueryValueKey", [k, n.us("Answer"), KeyValuePartialInformation, buf, 13, rl]),
        STATUS_BUFFER_OVERFLOW,
      );
      assert.equal(
        n.call("NtQueryValueKey", [k, n.us("Missing"), KeyValuePartialInformation, buf, 0x100, rl]),
        STATUS_OBJECT_NAME_NOT_FOUND,
      );
      assert.equal(n.call("NtEnumerateValueKey", [k, 0, KeyValuePartialInformation, buf, 0x100, rl]), 0);
      assert.equal(
        n.call("NtEnumerateValueKey", [k, 1, KeyValuePartialInformation, buf, 0x100, rl]),
        STATUS_NO_MORE_ENTRIES,
      );
      assert.equal(n.call("NtQueryKey", [k, KeyFullInformation, buf, 0x100, rl]), 0);
      assert.equal(h.u32(buf + 32), 1); // Values
      // A read-only handle cannot set values.
      const [, ro] = n.open("\\Registry\\Machine\\Software\\WowdbgTest", KEY_READ);
      assert.equal(n.call("NtSetValueKey", [ro, n.us("X"), 0, REG_DWORD, data, 4]), STATUS_ACCESS_DENIED);
      const [, q] = n.open("\\Registry\\Machine\\Software\\WowdbgTest", KEY_QUERY_VALUE);
      assert.equal(
        n.call("NtEnumerateKey", [q, 0, KeyBasicInformation, buf, 0x100, rl]),
        STATUS_ACCESS_DENIED,
      );
      assert.equal(n.call("NtDeleteValueKey", [k, n.us("Answer")]), 0);
      assert.equal(n.call("NtDeleteValueKey", [k, n.us("Answer")]), STATUS_OBJECT_NAME_NOT_FOUND);
      assert.equal(n.call("NtFlushKey", [k]), 0);
    });

    it("NtDeleteKey: not with subkeys; a deleted key's handle reports STATUS_KEY_DELETED", () => {
      const n = new Nt(arch);
      const [, parent] = n.create("\\Registry\\Machine\\Software\\WowdbgTest");
      const [s, child] = n.create("Child", KEY_ALL_ACCESS, parent);
      assert.equal(s, 0);
      assert.equal(n.call("NtDeleteKey", [parent]), STATUS_CANNOT_DELETE);
      assert.equal(n.call("NtDeleteKey", [child]), 0);
      const buf = n.h.alloc(0x1000);
      assert.equal(
        n.call("NtQueryKey", [child, KeyFullInformation, buf, 0x100, buf + 0x800]),
        STATUS_KEY_DELETED,
      );
      assert.equal(n.call("NtDeleteKey", [parent]), 0);
    });

    it("advapi32: RegCreateKeyEx / RegSetValueEx / RegQueryValueEx / RegEnum* / RegDeleteKey (A and W)", () => {
      const n = new Nt(arch);
      const h = n.h;
      const out = h.alloc(0x1000);
      for (const wide of [true, false]) {
        const sfx = wide ? "W" : "A";
        const sub = n.str("Software\\WowdbgTest\\Api", wide);
        assert.equal(n.api(`RegCreateKeyEx${sfx}`, [HKLM, sub, 0, 0, 0, KEY_ALL_ACCESS, 0, out, out + 8]), 0);
        const key = n.rp(out);
        assert.equal(h.u32(out + 8), wide ? 1 : 2);
        // The 32-bit caller's key is in Wow6432Node: the 64-bit view does not see it.
        const res = h.alloc(0x100);
        const r64 = n.api(`RegOpenKeyEx${sfx}`, [HKLM, sub, 0, KEY_READ | KEY_WOW64_64KEY, res]);
        assert.equal(r64, arch === "x86" ? ERROR_FILE_NOT_FOUND : 0);
        const name = n.str("Greeting", wide);
        const text = wide ? h.string("caf\u00e9") : h.astring("caf\u00e9");
        const cb = wide ? 10 : 5;
        assert.equal(n.api(`RegSetValueEx${sfx}`, [key, name, 0, REG_SZ, text, cb]), 0);
        const data = h.alloc(0x100);
        const type = data + 0x80;
        const size = data + 0x84;
        h.w32(size, 2);
        assert.equal(n.api(`RegQueryValueEx${sfx}`, [key, name, 0, type, data, size]), ERROR_MORE_DATA);
        assert.equal(h.u32(size), cb);
        h.w32(size, 0x40);
        assert.equal(n.api(`RegQueryValueEx${sfx}`, [key, name, 0, type, data, size]), 0);
        assert.equal(h.u32(type), REG_SZ);
        assert.equal(wide ? h.wstring(data) : h.cstring(data), "caf\u00e9");
        // RegEnumValue / RegEnumKeyEx past the end.
        const nm = h.alloc(0x200);
        const cch = nm + 0x180;
        h.w32(cch, 64);
        assert.equal(n.api(`RegEnumValue${sfx}`, [key, 0, nm, cch, 0, 0, 0, 0]), 0);
        assert.equal(wide ? h.wstring(nm) : h.cstring(nm), "Greeting");
        assert.equal(h.u32(cch), 8);
        h.w32(cch, 64);
        assert.equal(n.api(`RegEnumValue${sfx}`, [key, 1, nm, cch, 0, 0, 0, 0]), ERROR_NO_MORE_ITEMS);
        h.w32(cch, 64);
        assert.equal(n.api(`RegEnumKeyEx${sfx}`, [key, 0, nm, cch, 0, 0, 0, 0]), ERROR_NO_MORE_ITEMS);
        // RegGetValue type restriction.
        h.w32(size, 0x40);
        assert.equal(
          n.api(`RegGetValue${sfx}`, [key, 0, name, RRF_RT_REG_DWORD, type, data, size]),
          ERROR_UNSUPPORTED_TYPE,
        );
        h.w32(size, 0x40);
        assert.equal(n.api(`RegGetValue${sfx}`, [key, 0, name, RRF_RT_REG_SZ, type, data, size]), 0);
        assert.equal(h.u32(size), cb);
        // RegQueryInfoKey: one value, 8-character name.
        const info = h.alloc(0x100);
        assert.equal(
          n.api(`RegQueryInfoKey${sfx}`, [
            key,
            0,
            0,
            0,
            info,
            info + 4,
            info + 8,
            info + 12,
            info + 16,
            info + 20,
            0,
            0,
          ]),
          0,
        );
        assert.deepEqual([h.u32(info), h.u32(info + 12), h.u32(info + 16), h.u32(info + 20)], [0, 1, 8, 10]);
        // A read-only handle: ERROR_ACCESS_DENIED.
        assert.equal(n.api(`RegOpenKeyEx${sfx}`, [HKLM, sub, 0, KEY_READ, res]), 0);
        assert.equal(
          n.api(`RegSetValueEx${sfx}`, [n.rp(res), name, 0, REG_SZ, text, cb]),
          ERROR_ACCESS_DENIED,
        );
        assert.equal(n.api("RegCloseKey", [n.rp(res)]), 0);
        assert.equal(n.api(`RegDeleteValue${sfx}`, [key, name]), 0);
        assert.equal(n.api("RegCloseKey", [key]), 0);
      }
      // RegDeleteKey: not with subkeys.
      assert.equal(n.api("RegDeleteKeyW", [HKLM, h.string("Software\\WowdbgTest")]), ERROR_ACCESS_DENIED);
      assert.equal(n.api("RegDeleteKeyW", [HKLM, h.string("Software\\WowdbgTest\\Api")]), 0);
      assert.equal(n.api("RegDeleteKeyExW", [HKLM, h.string("Software\\WowdbgTest"), 0, 0]), 0);
      assert.equal(
        n.api("RegOpenKeyExW", [HKLM, h.string("Software\\WowdbgTest"), 0, KEY_READ, out]),
        ERROR_FILE_NOT_FOUND,
      );
      // HKCU is shared: both views see the same key.
      assert.equal(
        n.api("RegCreateKeyExW", [
          HKCU,
          h.string("Software\\WowdbgTest"),
          0,
          0,
          0,
          KEY_ALL_ACCESS,
          0,
          out,
          0,
        ]),
        0,
      );
      assert.equal(
        n.keyName(n.rp(out)).toUpperCase(),
        "\\REGISTRY\\USER\\S-1-5-21-3623811015-3361044348-30300820-1001\\SOFTWARE\\WOWDBGTEST",
      );
      assert.equal(n.api("RegCloseKey", [HKLM]), 0);
    });

    it("the key services are visible as syscalls of the caller's bitness", () => {
      const n = new Nt(arch);
      const out = n.h.alloc(0x100);
      const r = n.h.call("advapi32", arch, "RegOpenKeyExW", [HKLM, n.h.string("Software"), 0, KEY_READ, out]);
      assert.equal(r.ret >>> 0, 0);
      const rec = r.syscalls.find((x) => x.name === "NtOpenKeyEx");
      assert.ok(rec);
      assert.equal(rec.callerMode, arch);
    });
  });
}

describe("registry persistence (KernelOptions.registry)", () => {
  it("a registry file in the sandbox is saved after a change and loaded by the next process", () => {
    const dir = mkdtempSync(path.join(tmpdir(), "wowdbg-reg-"));
    const registry = { host: new NodeRegistryFileHost(dir), path: "registry.json" };
    const a = new Nt("x86", { registry });
    const [s, k] = a.create("\\Registry\\Machine\\Software\\WowdbgPersist");
    assert.equal(s, 0);
    const data = a.h.alloc(0x100);
    a.h.w32(data, 7);
    assert.equal(a.call("NtSetValueKey", [k, a.us("Seven"), 0, REG_DWORD, data, 4]), 0);
    assert.ok(readFileSync(path.join(dir, "registry.json"), "utf8").includes("WowdbgPersist"));
    // A 64-bit process loading the file finds the 32-bit program's key under Wow6432Node.
    const b = new Nt("x64", { registry });
    assert.equal(
      b.open("\\Registry\\Machine\\Software\\WowdbgPersist", KEY_READ)[0],
      STATUS_OBJECT_NAME_NOT_FOUND,
    );
    const [s2, k2] = b.open("\\Registry\\Machine\\Software\\Wow6432Node\\WowdbgPersist", KEY_READ);
    assert.equal(s2, 0);
    const buf = b.h.alloc(0x100);
    assert.equal(
      b.call("NtQueryValueKey", [k2, b.us("Seven"), KeyValuePartialInformation, buf, 0x40, buf + 0x80]),
      0,
    );
    assert.equal(b.h.u32(buf + 12), 7);
  });
});
