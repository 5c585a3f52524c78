// The registry's key and value semantics. Expected statuses: the ZwCreateKey/ZwOpenKey/ZwDeleteKey/
// ZwQueryValueKey/ZwEnumerateKey reference pages (learn.microsoft.com/windows-hardware/drivers/ddi/wdm/),
// "Registry Element Size Limits" (learn.microsoft.com/en-us/windows/win32/sysinfo/registry-element-size-limits);
// enumeration order: msuhanov/regf "Index leaf" (subkeys sorted by upper-cased name) and "Key values list".
import { strict as assert } from "node:assert";
import {
  REG_BINARY,
  REG_CREATED_NEW_KEY,
  REG_DWORD,
  REG_OPENED_EXISTING_KEY,
  REG_SZ,
  Registry,
  createDefaultRegistry,
  readSz,
  regDword,
  regSz,
} from "../src/windows/registry";
import {
  STATUS_CANNOT_DELETE,
  STATUS_CHILD_MUST_BE_VOLATILE,
  STATUS_INVALID_PARAMETER,
  STATUS_KEY_DELETED,
  STATUS_NO_MORE_ENTRIES,
  STATUS_OBJECT_NAME_COLLISION,
  STATUS_OBJECT_NAME_INVALID,
  STATUS_OBJECT_NAME_NOT_FOUND,
  STATUS_OBJECT_PATH_SYNTAX_BAD,
  STATUS_SUCCESS,
} from "../src/windows/registry/status";

function fresh(): { reg: Registry; tick: () => void } {
  let t = 1000n;
  const reg = new Registry({ clock: () => t });
  reg.createKey(null, "\\REGISTRY\\MACHINE\\SOFTWARE");
  return { reg, tick: () => (t += 10n) };
}

describe("registry: keys", () => {
  it("creates the last component only (NtCreateKey), intermediates on request (RegCreateKeyEx)", () => {
    const { reg } = fresh();
    const miss = reg.createKey(null, "\\REGISTRY\\MACHINE\\SOFTWARE\\A\\B");
    assert.equal(miss.status, STATUS_OBJECT_NAME_NOT_FOUND);
    const a = reg.createKey(null, "\\REGISTRY\\MACHINE\\SOFTWARE\\A");
    assert.equal(a.status, STATUS_SUCCESS);
    assert.equal(a.disposition, REG_CREATED_NEW_KEY);
    const again = reg.createKey(null, "\\Registry\\Machine\\software\\a");
    assert.equal(again.disposition, REG_OPENED_EXISTING_KEY);
    assert.equal(again.key, a.key);
    assert.equal(again.key!.path, "\\REGISTRY\\MACHINE\\SOFTWARE\\A", "case preserved as created");
    const deep = reg.createKey(a.key!, "X\\Y\\Z", { createIntermediate: true });
    assert.equal(deep.disposition, REG_CREATED_NEW_KEY);
    assert.equal(deep.key!.path, "\\REGISTRY\\MACHINE\\SOFTWARE\\A\\X\\Y\\Z");
  });

  it("checks names: syntax, empty components, 255-character key names", () => {
    const { reg } = fresh();
    const sw = reg.openKey(null, "\\REGISTRY\\MACHINE\\SOFTWARE").key!;
    assert.equal(reg.openKey(null, "REGISTRY\\MACHINE").status, STATUS_OBJECT_PATH_SYNTAX_BAD);
    assert.equal(reg.openKey(sw, "\\X").status, STATUS_OBJECT_PATH_SYNTAX_BAD);
    assert.equal(reg.createKey(sw, "a\\\\b").status, STATUS_OBJECT_NAME_INVALID);
    assert.equal(reg.createKey(sw, "k".repeat(255)).status, STATUS_SUCCESS);
    assert.equal(reg.createKey(sw, "k".repeat(256)).status, STATUS_INVALID_PARAMETER);
    assert.equal(reg.openKey(sw, "missing").status, STATUS_OBJECT_NAME_NOT_FOUND);
    assert.equal(reg.openKey(sw, "missing\\deeper").status, STATUS_OBJECT_NAME_NOT_FOUND);
  });

  it("sets, queries, replaces and deletes values, case-insensitively, keeping raw bytes", () => {
    const { reg, tick } = fresh();
    const k = reg.createKey(null, "\\REGISTRY\\MACHINE\\SOFTWARE\\V").key!;
    const t0 = k.lastWriteTime;
    tick();
    assert.equal(reg.setValue(k, "Name", REG_SZ, regSz("hello")), STATUS_SUCCESS);
    assert.ok(k.lastWriteTime > t0, "last-write time moves with the clock");
    assert.equal(readSz(reg.queryValue(k, "NAME").value!.data), "hello");
    // Data is stored as given whatever the type (a REG_DWORD of 3 bytes is kept as 3 bytes).
    assert.equal(reg.setValue(k, "odd", REG_DWORD, Uint8Array.of(1, 2, 3)), STATUS_SUCCESS);
    assert.deepEqual([...reg.queryValue(k, "odd").value!.data], [1, 2, 3]);
    reg.setValue(k, "name", REG_BINARY, Uint8Array.of(9));
    assert.equal(reg.queryValue(k, "Name").value!.name, "Name", "a replaced value keeps its name");
    assert.equal(reg.queryValue(k, "Name").value!.type, REG_BINARY);
    assert.equal(reg.queryValue(k, "nope").status, STATUS_OBJECT_NAME_NOT_FOUND);
    assert.equal(reg.deleteValue(k, "NAME"), STATUS_SUCCESS);
    assert.equal(reg.deleteValue(k, "NAME"), STATUS_OBJECT_NAME_NOT_FOUND);
    assert.equal(reg.setValue(k, "v".repeat(16383), REG_DWORD, regDword(1)), STATUS_SUCCESS);
    assert.equal(reg.setValue(k, "v".repeat(16384), REG_DWORD, regDword(1)), STATUS_INVALID_PARAMETER);
  });

  it("enumerates subkeys sorted by upper-cased name (stable, then volatile) and values in creation order", () => {
    const { reg } = fresh();
    const k = reg.createKey(null, "\\REGISTRY\\MACHINE\\SOFTWARE\\E").key!;
    for (const n of ["zeta", "Alpha", "_under", "beta", "Gamma"]) reg.createKey(k, n);
    reg.createKey(k, "AAA-volatile", { volatile: true });
    const names: string[] = [];
    for (let i = 0; ; i++) {
      const r = reg.enumerateKey(k, i);
      if (r.status === STATUS_NO_MORE_ENTRIES) break;
      names.push(r.key!.name);
    }
    // '_' (0x5F) sorts after the upper-case letters (0x41-0x5A) when names are compared upper-cased.
    assert.deepEqual(names, ["Alpha", "beta", "Gamma", "zeta", "_under", "AAA-volatile"]);
    for (const n of ["z", "a", "m"]) reg.setValue(k, n, REG_DWORD, regDword(0));
    reg.deleteValue(k, "a");
    reg.setValue(k, "b", REG_DWORD, regDword(0));
    const vals: string[] = [];
    for (let i = 0; reg.enumerateValue(k, i).status === STATUS_SUCCESS; i++)
      vals.push(reg.enumerateValue(k, i).value!.name);
    assert.deepEqual(vals, ["z", "m", "b"]);
    assert.equal(reg.enumerateValue(k, 3).status, STATUS_NO_MORE_ENTRIES);
  });

  it("refuses to delete a key with subkeys; deleteTree removes everything; a deleted key reports it", () => {
    const { reg } = fresh();
    const k = reg.createKey(null, "\\REGISTRY\\MACHINE\\SOFTWARE\\D\\a\\b", { createIntermediate: true });
    const d = reg.openKey(null, "\\REGISTRY\\MACHINE\\SOFTWARE\\D").key!;
    reg.setValue(d, "v", REG_DWORD, regDword(1));
    assert.equal(reg.deleteKey(d), STATUS_CANNOT_DELETE);
    assert.equal(reg.deleteTree(d), STATUS_SUCCESS);
    assert.equal(d.subkeyCount, 0);
    assert.equal(d.values().length, 0);
    assert.equal(reg.deleteKey(d), STATUS_SUCCESS);
    assert.equal(reg.queryValue(d, "v").status, STATUS_KEY_DELETED);
    assert.equal(reg.setValue(k.key!, "v", REG_DWORD, regDword(1)), STATUS_KEY_DELETED);
    assert.equal(reg.openKey(null, "\\REGISTRY\\MACHINE\\SOFTWARE\\D").status, STATUS_OBJECT_NAME_NOT_FOUND);
    assert.equal(
      reg.deleteKey(reg.openKey(null, "\\REGISTRY\\MACHINE\\SOFTWARE").key!),
      STATUS_CANNOT_DELETE,
    );
  });

  it("keeps volatile keys volatile, and links: follow, open-link, collision", () => {
    const { reg } = fresh();
    const v = reg.createKey(null, "\\REGISTRY\\MACHINE\\SOFTWARE\\Vol", { volatile: true }).key!;
    assert.equal(reg.createKey(v, "child").status, STATUS_CHILD_MUST_BE_VOLATILE);
    assert.equal(reg.createKey(v, "child", { volatile: true }).status, STATUS_SUCCESS);
    reg.createKey(null, "\\REGISTRY\\MACHINE\\SOFTWARE\\Target\\Sub", { createIntermediate: true });
    const l = reg.createLink("\\REGISTRY\\MACHINE\\SOFTWARE\\Link", "\\REGISTRY\\MACHINE\\SOFTWARE\\Target");
    assert.equal(l.status, STATUS_SUCCESS);
    const via = reg.openKey(null, "\\REGISTRY\\MACHINE\\SOFTWARE\\Link\\Sub");
    assert.equal(via.key!.path, "\\REGISTRY\\MACHINE\\SOFTWARE\\Target\\Sub");
    assert.equal(
      reg.openKey(null, "\\REGISTRY\\MACHINE\\SOFTWARE\\Link").key!.path,
      "\\REGISTRY\\MACHINE\\SOFTWARE\\Target",
    );
    const self = reg.openKey(null, "\\REGISTRY\\MACHINE\\SOFTWARE\\Link", { openLink: true });
    assert.equal(self.key!.isLink, true);
    const dup = reg.createKey(null, "\\REGISTRY\\MACHINE\\SOFTWARE\\Link", { createLink: true });
    assert.equal(dup.status, STATUS_OBJECT_NAME_COLLISION);
  });

  it("has the default keys: CurrentControlSet, HKCU, HKCR merged view", () => {
    const reg = createDefaultRegistry();
    const env = reg.openKey(
      null,
      "\\REGISTRY\\MACHINE\\SYSTEM\\CurrentControlSet\\Control\\Session Manager\\Environment",
    );
    assert.equal(readSz(reg.queryValue(env.key!, "OS").value!.data), "Windows_NT");
    assert.ok(reg.openKey(null, reg.predefinedPath(0x80000001)! + "\\Environment").key);
    // HKCR: the user's classes take priority over the machine's.
    reg.createKey(null, `${reg.currentUserPath}\\Software\\Classes\\.txt`);
    reg.setValue(reg.openClasses(".txt").key!, "", REG_SZ, regSz("userfile"));
    assert.equal(readSz(reg.openClasses(".txt").key!.value("")!.data), "userfile");
    assert.ok(reg.enumerateClasses("").includes(".txt"));
    assert.ok(reg.enumerateClasses("").includes("CLSID"));
    // New keys written through HKCR go to HKLM\Software\Classes.
    const c = reg.createClasses(".wow");
    assert.equal(c.key!.path, "\\REGISTRY\\MACHINE\\SOFTWARE\\Classes\\.wow");
  });
});
