/**
 * The initial registry of a fresh Windows 10 22H2 (build 19045) x64 installation, reduced to keys programs
 * commonly read. Where Windows keeps both views (redirected keys), both are present:
 * HKLM\SOFTWARE\Microsoft\Windows NT\CurrentVersion exists as itself and under Wow6432Node, and
 * HKLM\SOFTWARE\Microsoft\Windows\CurrentVersion's ProgramFilesDir is "C:\Program Files" in the 64-bit view
 * and "C:\Program Files (x86)" in the 32-bit one, as on an installed system (values seen on Windows 10
 * 22H2; not from a documentation page).
 *
 * Links: HKLM\SYSTEM\CurrentControlSet -> ControlSet001; HKCU\Software\Classes -> HKU\<SID>_Classes, and
 * the WOW64 compatibility links of "Registry Keys Affected by WOW64" (HKLM\SOFTWARE\Wow6432Node\Classes ->
 * HKLM\SOFTWARE\Classes\Wow6432Node; HKLM\SOFTWARE\Classes\Wow6432Node\{AppID,PROTOCOLS,TypeLib} ->
 * HKLM\SOFTWARE\Classes\{AppID,PROTOCOLS,TypeLib}).
 */
import { REG_DWORD, REG_EXPAND_SZ, REG_SZ } from "./constants";
import type { RegKey } from "./key";
import { Registry, regDword, regSz, type RegistryOptions } from "./registry";

type Init = readonly [name: string, type: number, data: string | number];

function key(reg: Registry, path: string, values: readonly Init[] = [], volatile = false): RegKey {
  const r = reg.createKey(null, path, { createIntermediate: true, volatile });
  if (!r.key) throw new Error(`default registry: cannot create ${path} (0x${r.status.toString(16)})`);
  for (const [name, type, data] of values) {
    reg.setValue(r.key, name, type, typeof data === "number" ? regDword(data) : regSz(data));
  }
  return r.key;
}

function currentVersionNt(): Init[] {
  return [
    ["ProductName", REG_SZ, "Windows 10 Pro"],
    ["EditionID", REG_SZ, "Professional"],
    ["InstallationType", REG_SZ, "Client"],
    ["CurrentVersion", REG_SZ, "6.3"],
    ["CurrentBuild", REG_SZ, "19045"],
    ["CurrentBuildNumber", REG_SZ, "19045"],
    ["CurrentMajorVersionNumber", REG_DWORD, 10],
    ["CurrentMinorVersionNumber", REG_DWORD, 0],
    ["DisplayVersion", REG_SZ, "22H2"],
    ["ReleaseId", REG_SZ, "2009"],
    ["CurrentType", REG_SZ, "Multiprocessor Free"],
    ["SystemRoot", REG_SZ, "C:\\Windows"],
    ["PathName", REG_SZ, "C:\\Windows"],
    ["RegisteredOwner", REG_SZ, "user"],
    ["RegisteredOrganization", REG_SZ, ""],
  ];
}

/** A registry holding the default keys. */
export function createDefaultRegistry(options: RegistryOptions = {}): Registry {
  const reg = new Registry(options);
  const sw = "\\REGISTRY\\MACHINE\\SOFTWARE";
  key(reg, `${sw}\\Microsoft\\Windows NT\\CurrentVersion`, currentVersionNt());
  key(reg, `${sw}\\Wow6432Node\\Microsoft\\Windows NT\\CurrentVersion`, currentVersionNt());
  key(reg, `${sw}\\Microsoft\\Windows\\CurrentVersion`, [
    ["ProgramFilesDir", REG_SZ, "C:\\Program Files"],
    ["CommonFilesDir", REG_SZ, "C:\\Program Files\\Common Files"],
    ["ProgramFilesDir (x86)", REG_SZ, "C:\\Program Files (x86)"],
    ["CommonFilesDir (x86)", REG_SZ, "C:\\Program Files (x86)\\Common Files"],
    ["ProgramW6432Dir", REG_SZ, "C:\\Program Files"],
    ["CommonW6432Dir", REG_SZ, "C:\\Program Files\\Common Files"],
    ["ProgramFilesPath", REG_EXPAND_SZ, "%ProgramFiles%"],
  ]);
  key(reg, `${sw}\\Wow6432Node\\Microsoft\\Windows\\CurrentVersion`, [
    ["ProgramFilesDir", REG_SZ, "C:\\Program Files (x86)"],
    ["CommonFilesDir", REG_SZ, "C:\\Program Files (x86)\\Common Files"],
    ["ProgramFilesDir (x86)", REG_SZ, "C:\\Program Files (x86)"],
    ["CommonFilesDir (x86)", REG_SZ, "C:\\Program Files (x86)\\Common Files"],
    ["ProgramW6432Dir", REG_SZ, "C:\\Program Files"],
    ["CommonW6432Dir", REG_SZ, "C:\\Program Files\\Common Files"],
    ["ProgramFilesPath", REG_EXPAND_SZ, "%ProgramFiles%"],
  ]);
  key(reg, `${sw}\\Microsoft\\Windows NT\\CurrentVersion\\Fonts`, [
    ["Arial (TrueType)", REG_SZ, "arial.ttf"],
  ]);
  for (const k of ["Clients", "Policies\\Microsoft", "RegisteredApplications"]) key(reg, `${sw}\\${k}`);
  for (const k of [
    "CLSID",
    "Interface",
    "AppID",
    "TypeLib",
    "PROTOCOLS",
    "Wow6432Node\\CLSID",
    "Wow6432Node\\Interface",
  ]) {
    key(reg, `${sw}\\Classes\\${k}`);
  }
  key(reg, `${sw}\\Classes\\.txt`, [
    ["", REG_SZ, "txtfile"],
    ["Content Type", REG_SZ, "text/plain"],
  ]);
  for (const k of ["AppID", "PROTOCOLS", "TypeLib"]) {
    reg.createLink(`${sw}\\Classes\\Wow6432Node\\${k}`, `${sw}\\Classes\\${k}`);
  }
  reg.createLink(`${sw}\\Wow6432Node\\Classes`, `${sw}\\Classes\\Wow6432Node`);

  const sys = "\\REGISTRY\\MACHINE\\SYSTEM";
  key(reg, `${sys}\\ControlSet001\\Control\\Session Manager\\Environment`, [
    ["ComSpec", REG_EXPAND_SZ, "%SystemRoot%\\system32\\cmd.exe"],
    ["OS", REG_SZ, "Windows_NT"],
    ["Path", REG_EXPAND_SZ, "%SystemRoot%\\system32;%SystemRoot%;%SystemRoot%\\System32\\Wbem"],
    ["PATHEXT", REG_SZ, ".COM;.EXE;.BAT;.CMD;.VBS;.VBE;.JS;.JSE;.WSF;.WSH;.MSC"],
    ["PROCESSOR_ARCHITECTURE", REG_SZ, "AMD64"],
    ["NUMBER_OF_PROCESSORS", REG_SZ, "1"],
    ["TEMP", REG_EXPAND_SZ, "%SystemRoot%\\TEMP"],
    ["TMP", REG_EXPAND_SZ, "%SystemRoot%\\TEMP"],
    ["windir", REG_EXPAND_SZ, "%SystemRoot%"],
  ]);
  key(reg, `${sys}\\ControlSet001\\Control\\ComputerName\\ComputerName`, [
    ["ComputerName", REG_SZ, "WOWDBG"],
  ]);
  key(reg, `${sys}\\Select`, [
    ["Current", REG_DWORD, 1],
    ["Default", REG_DWORD, 1],
    ["LastKnownGood", REG_DWORD, 1],
  ]);
  reg.createLink(`${sys}\\CurrentControlSet`, `${sys}\\ControlSet001`, { volatile: true });
  key(reg, "\\REGISTRY\\MACHINE\\HARDWARE\\DESCRIPTION\\System\\CentralProcessor\\0", [
    ["ProcessorNameString", REG_SZ, "wowdbg virtual CPU"],
    ["VendorIdentifier", REG_SZ, "GenuineIntel"],
    ["~MHz", REG_DWORD, 3000],
  ]);

  const user = reg.currentUserPath;
  key(reg, "\\REGISTRY\\USER\\.DEFAULT\\Software\\Microsoft");
  key(reg, `${user}\\Software\\Microsoft\\Windows\\CurrentVersion`);
  key(reg, `${user}\\Environment`, [
    ["TEMP", REG_EXPAND_SZ, "%USERPROFILE%\\AppData\\Local\\Temp"],
    ["TMP", REG_EXPAND_SZ, "%USERPROFILE%\\AppData\\Local\\Temp"],
  ]);
  key(reg, `${user}_Classes\\Wow6432Node`);
  reg.createLink(`${user}\\Software\\Classes`, `${user}_Classes`, { volatile: true });
  return reg;
}
