// Saving and loading: JSON round trip (everything non-volatile, links included) and the regedit .reg
// format ("Windows Registry Editor Version 5.00": "string", dword:, hex:, hex(2)/hex(7)/hex(b): lines).
import { strict as assert } from "node:assert";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import {
  REG_BINARY,
  REG_EXPAND_SZ,
  REG_MULTI_SZ,
  REG_QWORD,
  REG_SZ,
  DEFAULT_USER_SID,
  Registry,
  createDefaultRegistry,
  exportReg,
  importReg,
  loadRegistry,
  openRegistryFile,
  readSz,
  regMultiSz,
  regQword,
  regSz,
  saveRegistry,
} from "../src/windows/registry";
import { NodeRegistryFileHost } from "../src/windows/registry/node-host";

function dump(reg: Registry): string[] {
  const out: string[] = [];
  const walk = (k: import("../src/windows/registry").RegKey): void => {
    if (k.volatile) return;
    out.push(`${k.path}${k.isLink ? " (link)" : ""} t=${k.lastWriteTime}`);
    for (const v of k.values()) out.push(`  ${v.name}:${v.type}:${Buffer.from(v.data).toString("hex")}`);
    if (!k.isLink) for (const c of k.subkeys()) walk(c);
  };
  walk(reg.machine);
  walk(reg.users);
  return out;
}

describe("registry: persistence", () => {
  it("a .reg file of some keys is imported over the default hive; a complete saved one replaces it", () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "wowdbg-reg-"));
    const host = new NodeRegistryFileHost(dir);
    const defaults = (): Registry => createDefaultRegistry();
    fs.writeFileSync(
      path.join(dir, "some.reg"),
      'Windows Registry Editor Version 5.00\r\n\r\n[HKEY_CURRENT_USER\\Software\\Mine]\r\n"v"="x"\r\n',
    );
    const some = openRegistryFile(host, "some.reg", () => new Registry(), defaults);
    assert.equal(some.openKey(null, "\\REGISTRY\\MACHINE\\SOFTWARE\\Microsoft").status, 0, "default kept");
    const mine = some.openKey(null, `\\REGISTRY\\USER\\${DEFAULT_USER_SID}\\Software\\Mine`).key!;
    assert.equal(readSz(some.queryValue(mine, "v").value!.data), "x");
    // Saved by us: marked complete, so a key the program deleted from the defaults stays deleted.
    const microsoft = some.openKey(
      null,
      "\\REGISTRY\\MACHINE\\SOFTWARE\\Microsoft\\Windows NT\\CurrentVersion\\Fonts",
    ).key!;
    assert.equal(some.deleteKey(microsoft), 0);
    saveRegistry(some, host, "all.reg");
    const all = openRegistryFile(host, "all.reg", () => new Registry(), defaults);
    assert.notEqual(
      all.openKey(null, "\\REGISTRY\\MACHINE\\SOFTWARE\\Microsoft\\Windows NT\\CurrentVersion\\Fonts").status,
      0,
    );
    assert.equal(all.openKey(null, "\\REGISTRY\\MACHINE\\SOFTWARE\\Microsoft").status, 0);
    const mine2 = all.openKey(null, `\\REGISTRY\\USER\\${DEFAULT_USER_SID}\\Software\\Mine`).key!;
    assert.equal(readSz(all.queryValue(mine2, "v").value!.data), "x");
    // No file yet: the defaults.
    assert.equal(
      openRegistryFile(host, "none.reg", () => new Registry(), defaults).openKey(
        null,
        "\\REGISTRY\\MACHINE\\SOFTWARE",
      ).status,
      0,
    );
  });

  it("round-trips through JSON in a sandbox folder, without volatile keys", () => {
    let t = 5n;
    const reg = createDefaultRegistry({ clock: () => (t += 1n) });
    const k = reg.createKey(null, "\\REGISTRY\\MACHINE\\SOFTWARE\\Wow6432Node\\Vendor", {
      className: "c",
    }).key!;
    reg.setValue(k, "multi", REG_MULTI_SZ, regMultiSz(["a", "b"]));
    reg.setValue(k, "q", REG_QWORD, regQword(-2n));
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "wowdbg-reg-"));
    const host = new NodeRegistryFileHost(dir);
    saveRegistry(reg, host, "registry.json");
    const back = new Registry();
    assert.equal(loadRegistry(back, host, "registry.json"), true);
    assert.deepEqual(dump(back), dump(reg));
    assert.equal(
      back.openKey(null, "\\REGISTRY\\MACHINE\\SYSTEM\\CurrentControlSet").status !== 0,
      true,
      "volatile link not saved",
    );
    assert.equal(
      back.openKey(null, "\\REGISTRY\\MACHINE\\SOFTWARE\\Wow6432Node\\Vendor").key!.className,
      "c",
    );
    assert.throws(() => host.write("../escape.json", new Uint8Array(1)));
    fs.rmSync(dir, { recursive: true });
  });

  it("exports and imports .reg text as regedit writes it", () => {
    const reg = new Registry();
    reg.createKey(null, "\\REGISTRY\\MACHINE\\SOFTWARE");
    const k = reg.createKey(null, "\\REGISTRY\\MACHINE\\SOFTWARE\\Vendor").key!;
    reg.setValue(k, "", REG_SZ, regSz('say "hi" \\o/'));
    reg.setValue(k, "n", 4, Uint8Array.of(0x78, 0x56, 0x34, 0x12));
    reg.setValue(k, "bin", REG_BINARY, Uint8Array.of(1, 2, 0xff));
    reg.setValue(k, "exp", REG_EXPAND_SZ, regSz("%PATH%"));
    reg.setValue(k, "multi", REG_MULTI_SZ, regMultiSz(["x", "y"]));
    reg.setValue(k, "big", REG_BINARY, new Uint8Array(100).fill(0xab));
    const text = exportReg(reg);
    const lines = text.split("\r\n");
    assert.equal(lines[0], "Windows Registry Editor Version 5.00");
    assert.ok(lines.includes("[HKEY_LOCAL_MACHINE\\SOFTWARE\\Vendor]"));
    assert.ok(lines.includes('@="say \\"hi\\" \\\\o/"'));
    assert.ok(lines.includes('"n"=dword:12345678'));
    assert.ok(lines.includes('"bin"=hex:01,02,ff'));
    assert.ok(lines.includes('"exp"=hex(2):25,00,50,00,41,00,54,00,48,00,25,00,00,00'));
    assert.ok(lines.includes('"multi"=hex(7):78,00,00,00,79,00,00,00,00,00'));
    assert.ok(
      lines.every((l) => l.length <= 80),
      "hex lines wrapped at 80 columns",
    );
    const back = new Registry();
    assert.equal(importReg(back, text), 0);
    assert.deepEqual(
      dump(back).map((l) => l.replace(/ t=\d+/, "")),
      dump(reg).map((l) => l.replace(/ t=\d+/, "")),
    );
    // Deletions.
    assert.equal(importReg(back, 'REGEDIT4\r\n\r\n[HKEY_LOCAL_MACHINE\\SOFTWARE\\Vendor]\r\n"n"=-\r\n'), 0);
    assert.equal(back.openKey(null, "\\REGISTRY\\MACHINE\\SOFTWARE\\Vendor").key!.value("n"), undefined);
    importReg(
      back,
      "Windows Registry Editor Version 5.00\r\n\r\n[-HKEY_LOCAL_MACHINE\\SOFTWARE\\Vendor]\r\n",
    );
    assert.equal(back.openKey(null, "\\REGISTRY\\MACHINE\\SOFTWARE\\Vendor").key, undefined);
    assert.equal(
      readSz(reg.openKey(null, "\\REGISTRY\\MACHINE\\SOFTWARE\\Vendor").key!.value("")!.data),
      'say "hi" \\o/',
    );
  });
});
