// WOW64 registry views. Expected behaviour: "Registry Keys Affected by WOW64"
// (learn.microsoft.com/en-us/windows/win32/winprog64/shared-registry-keys, Windows 7 and newer column),
// "Accessing an Alternate Registry View" (…/winprog64/accessing-an-alternate-registry-view) and the sample
// of "Example of Registry Redirection on WOW64" (…/winprog64/example-of-registry-reflection-and-redirection-on-wow64):
// a redirected key written by each bitness holds two values, a shared key one.
import { strict as assert } from "node:assert";
import {
  KEY_READ,
  KEY_WOW64_32KEY,
  KEY_WOW64_64KEY,
  REG_SZ,
  classify,
  createDefaultRegistry,
  readSz,
  regSz,
  viewFor,
  type Registry,
  type RegistryView,
} from "../src/windows/registry";
import { STATUS_NO_MORE_ENTRIES } from "../src/windows/registry/status";

const HKLM = "\\REGISTRY\\MACHINE";

function open(reg: Registry, path: string, callerIs32: boolean, access = KEY_READ): string | null {
  const view = viewFor(callerIs32, access);
  assert.ok(view);
  return reg.openKey(null, path, { view })?.key?.path ?? null;
}

function names(reg: Registry, path: string, view: RegistryView): string[] {
  const k = reg.openKey(null, path, { view }).key!;
  const out: string[] = [];
  for (let i = 0; ; i++) {
    const r = reg.enumerateKey(k, i, view);
    if (r.status === STATUS_NO_MORE_ENTRIES) return out;
    out.push(r.key!.name);
  }
}

describe("registry: WOW64 views", () => {
  it("chooses the view from the caller and KEY_WOW64_* (both flags: invalid parameter)", () => {
    assert.equal(viewFor(true, KEY_READ), "32");
    assert.equal(viewFor(false, KEY_READ), "64");
    assert.equal(viewFor(true, KEY_READ | KEY_WOW64_64KEY), "64");
    assert.equal(viewFor(false, KEY_READ | KEY_WOW64_32KEY), "32");
    assert.equal(viewFor(true, KEY_WOW64_32KEY | KEY_WOW64_64KEY), null);
  });

  it("redirects HKLM\\Software for 32-bit callers, not for 64-bit ones, flags crossing over", () => {
    const reg = createDefaultRegistry();
    const cv = `${HKLM}\\SOFTWARE\\Microsoft\\Windows NT\\CurrentVersion`;
    assert.equal(open(reg, cv, false), cv);
    assert.equal(
      open(reg, cv, true),
      `${HKLM}\\SOFTWARE\\Wow6432Node\\Microsoft\\Windows NT\\CurrentVersion`,
    );
    assert.equal(open(reg, cv, true, KEY_READ | KEY_WOW64_64KEY), cv);
    assert.equal(
      open(reg, cv, false, KEY_READ | KEY_WOW64_32KEY),
      `${HKLM}\\SOFTWARE\\Wow6432Node\\Microsoft\\Windows NT\\CurrentVersion`,
    );
    // Both views report Windows 10 Pro, build 19045.
    for (const v of ["32", "64"] as const) {
      const k = reg.openKey(null, cv, { view: v }).key!;
      assert.equal(readSz(k.value("ProductName")!.data), "Windows 10 Pro");
      assert.equal(readSz(k.value("CurrentBuild")!.data), "19045");
    }
    const pf = (v: RegistryView): string =>
      readSz(
        reg
          .openKey(null, `${HKLM}\\SOFTWARE\\Microsoft\\Windows\\CurrentVersion`, { view: v })
          .key!.value("ProgramFilesDir")!.data,
      );
    assert.equal(pf("64"), "C:\\Program Files");
    assert.equal(pf("32"), "C:\\Program Files (x86)");
  });

  it("shares the keys the table lists as shared", () => {
    const reg = createDefaultRegistry();
    const fonts = `${HKLM}\\SOFTWARE\\Microsoft\\Windows NT\\CurrentVersion\\Fonts`;
    assert.equal(open(reg, fonts, true), fonts);
    assert.equal(classify(fonts.slice(1).split("\\")), "shared");
    for (const p of ["Classes", "Classes\\AppID", "Policies", "RegisteredApplications", "Clients"]) {
      assert.equal(classify(`REGISTRY\\MACHINE\\SOFTWARE\\${p}`.split("\\")), "shared", p);
    }
    for (const p of [
      "",
      "Microsoft",
      "Classes\\CLSID",
      "Classes\\Interface",
      "Classes\\Media Type",
      "Microsoft\\Windows NT\\CurrentVersion",
    ]) {
      assert.equal(classify(`REGISTRY\\MACHINE\\SOFTWARE${p ? "\\" + p : ""}`.split("\\")), "redirected", p);
    }
    assert.equal(classify("REGISTRY\\USER\\S-1-5-21-1\\Software".split("\\")), "shared");
    assert.equal(classify("REGISTRY\\USER\\S-1-5-21-1\\Software\\Classes\\CLSID".split("\\")), "redirected");
    assert.equal(classify("REGISTRY\\USER\\S-1-5-21-1\\Software\\Classes\\AppID".split("\\")), "shared");
    assert.equal(classify("REGISTRY\\USER\\S-1-5-21-1_Classes\\Interface".split("\\")), "redirected");
  });

  it("redirects Classes\\CLSID into Classes\\Wow6432Node, for HKLM and HKCU", () => {
    const reg = createDefaultRegistry();
    assert.equal(
      open(reg, `${HKLM}\\SOFTWARE\\Classes\\CLSID`, true),
      `${HKLM}\\SOFTWARE\\Classes\\Wow6432Node\\CLSID`,
    );
    assert.equal(open(reg, `${HKLM}\\SOFTWARE\\Classes\\.txt`, true), `${HKLM}\\SOFTWARE\\Classes\\.txt`);
    const user = reg.currentUserPath;
    reg.createKey(null, `${user}\\Software\\Classes\\CLSID`, { view: "32", createIntermediate: true });
    assert.equal(open(reg, `${user}\\Software\\Classes\\CLSID`, true), `${user}_Classes\\Wow6432Node\\CLSID`);
    // The documented compatibility link: HKLM\SOFTWARE\Wow6432Node\Classes -> HKLM\SOFTWARE\Classes\Wow6432Node.
    assert.equal(
      open(reg, `${HKLM}\\SOFTWARE\\Wow6432Node\\Classes\\CLSID`, false),
      `${HKLM}\\SOFTWARE\\Classes\\Wow6432Node\\CLSID`,
    );
    assert.equal(
      open(reg, `${HKLM}\\SOFTWARE\\Classes\\Wow6432Node\\AppID`, false),
      `${HKLM}\\SOFTWARE\\Classes\\AppID`,
    );
  });

  it("as in Microsoft's sample, a redirected key holds one value per view, a shared one a single value", () => {
    const reg = createDefaultRegistry();
    const write = (path: string, callerIs32: boolean, access: number, text: string): void => {
      const view = viewFor(callerIs32, access)!;
      const k = reg.createKey(null, path, { view, createIntermediate: true }).key!;
      reg.setValue(k, "", REG_SZ, regSz(text));
    };
    const read = (path: string, view: RegistryView): string =>
      readSz(reg.openKey(null, path, { view }).key!.value("")!.data);
    const redirected = `${HKLM}\\SOFTWARE\\Hello`;
    const shared = `${HKLM}\\SOFTWARE\\Microsoft\\Windows\\CurrentVersion\\App Paths\\Hello`;
    for (const path of [redirected, shared]) {
      write(path, false, KEY_READ, "Hello! 64-bit World");
      write(path, false, KEY_READ | KEY_WOW64_32KEY, "Hello! 32-bit World");
    }
    assert.equal(read(redirected, "64"), "Hello! 64-bit World");
    assert.equal(read(redirected, "32"), "Hello! 32-bit World");
    assert.equal(read(shared, "64"), "Hello! 32-bit World");
    assert.equal(read(shared, "32"), "Hello! 32-bit World");
  });

  it("shows Wow6432Node to 64-bit callers only; relative opens take their own call's view", () => {
    const reg = createDefaultRegistry();
    const sw = `${HKLM}\\SOFTWARE`;
    assert.ok(names(reg, sw, "64").includes("Wow6432Node"));
    assert.ok(!names(reg, sw, "32").includes("Wow6432Node"));
    assert.ok(names(reg, sw, "32").includes("Microsoft"));
    // A handle opened with KEY_WOW64_64KEY by a 32-bit caller does not carry the view to relative opens
    // (Microsoft blog "KEY_WOW64_64KEY and KEY_WOW64_32KEY", junfeng).
    const sw64 = reg.openKey(null, sw, { view: "64" }).key!;
    assert.equal(reg.openKey(sw64, "Microsoft", { view: "32" }).key!.path, `${sw}\\Wow6432Node\\Microsoft`);
    const wow = reg.openKey(null, `${sw}\\Wow6432Node`, { view: "64" }).key!;
    assert.equal(reg.openKey(wow, "Microsoft", { view: "32" }).key!.path, `${sw}\\Wow6432Node\\Microsoft`);
    assert.equal(reg.openKey(wow, "Microsoft", { view: "64" }).key!.path, `${sw}\\Wow6432Node\\Microsoft`);
  });
});
