/**
 * advapi32.dll (x64 in System32, x86 in SysWOW64): the registry functions (winreg.h; prototypes from
 * learn.microsoft.com/en-us/windows/win32/api/winreg/). On Windows 10 advapi32 forwards most of them to
 * kernelbase; here they live in advapi32 itself. An API that is one NT key service is a bridge (the
 * syscall is real code through ntdll, visible and breakable); one that is a composition (RegCreateKeyEx
 * creating intermediate keys, RegDeleteKey(Ex) = open + NtDeleteKey + close, RegGetValue, the ANSI
 * RegQueryValueExA converting string data) is a trap. The TypeScript halves are in ../api/registry.ts.
 */
import type { ApiDecl, ApiImpl } from "./decl";

const TRAP: ApiImpl = { kind: "trap" };
const bridge = (nt: string): ApiImpl => ({ kind: "bridge", nt });

function reg(name: string, argc: number, impl: ApiImpl, doc: string): ApiDecl {
  return { dll: "advapi32", arch: "both", name, argc, conv: "stdcall", impl, doc };
}

/** Both spellings of an A/W pair with one implementation kind; `doc` uses T for the character type. */
function pair(base: string, argc: number, impl: ApiImpl, doc: string): ApiDecl[] {
  return [
    reg(`${base}A`, argc, impl, doc.replace(/\bLPCTSTR\b/g, "LPCSTR").replace(/\bLPTSTR\b/g, "LPSTR")),
    reg(`${base}W`, argc, impl, doc.replace(/\bLPCTSTR\b/g, "LPCWSTR").replace(/\bLPTSTR\b/g, "LPWSTR")),
  ];
}

export const ADVAPI32: readonly ApiDecl[] = [
  reg("RegCloseKey", 1, bridge("NtClose"), "LSTATUS RegCloseKey(HKEY hKey)"),
  ...pair(
    "RegOpenKeyEx",
    5,
    bridge("NtOpenKeyEx"),
    "LSTATUS RegOpenKeyEx(HKEY hKey, LPCTSTR lpSubKey, DWORD ulOptions, REGSAM samDesired, PHKEY phkResult)",
  ),
  ...pair(
    "RegCreateKeyEx",
    9,
    TRAP,
    "LSTATUS RegCreateKeyEx(HKEY hKey, LPCTSTR lpSubKey, DWORD Reserved, LPTSTR lpClass, DWORD dwOptions, REGSAM samDesired, const LPSECURITY_ATTRIBUTES lpSecurityAttributes, PHKEY phkResult, LPDWORD lpdwDisposition)",
  ),
  reg(
    "RegQueryValueExA",
    6,
    TRAP,
    "LSTATUS RegQueryValueExA(HKEY hKey, LPCSTR lpValueName, LPDWORD lpReserved, LPDWORD lpType, LPBYTE lpData, LPDWORD lpcbData)",
  ),
  reg(
    "RegQueryValueExW",
    6,
    bridge("NtQueryValueKey"),
    "LSTATUS RegQueryValueExW(HKEY hKey, LPCWSTR lpValueName, LPDWORD lpReserved, LPDWORD lpType, LPBYTE lpData, LPDWORD lpcbData)",
  ),
  ...pair(
    "RegSetValueEx",
    6,
    bridge("NtSetValueKey"),
    "LSTATUS RegSetValueEx(HKEY hKey, LPCTSTR lpValueName, DWORD Reserved, DWORD dwType, const BYTE *lpData, DWORD cbData)",
  ),
  ...pair("RegDeleteKey", 2, TRAP, "LSTATUS RegDeleteKey(HKEY hKey, LPCTSTR lpSubKey)"),
  ...pair(
    "RegDeleteKeyEx",
    4,
    TRAP,
    "LSTATUS RegDeleteKeyEx(HKEY hKey, LPCTSTR lpSubKey, REGSAM samDesired, DWORD Reserved)",
  ),
  ...pair(
    "RegDeleteValue",
    2,
    bridge("NtDeleteValueKey"),
    "LSTATUS RegDeleteValue(HKEY hKey, LPCTSTR lpValueName)",
  ),
  ...pair(
    "RegEnumKeyEx",
    8,
    bridge("NtEnumerateKey"),
    "LSTATUS RegEnumKeyEx(HKEY hKey, DWORD dwIndex, LPTSTR lpName, LPDWORD lpcchName, LPDWORD lpReserved, LPTSTR lpClass, LPDWORD lpcchClass, PFILETIME lpftLastWriteTime)",
  ),
  ...pair(
    "RegEnumValue",
    8,
    bridge("NtEnumerateValueKey"),
    "LSTATUS RegEnumValue(HKEY hKey, DWORD dwIndex, LPTSTR lpValueName, LPDWORD lpcchValueName, LPDWORD lpReserved, LPDWORD lpType, LPBYTE lpData, LPDWORD lpcbData)",
  ),
  ...pair(
    "RegQueryInfoKey",
    12,
    bridge("NtQueryKey"),
    "LSTATUS RegQueryInfoKey(HKEY hKey, LPTSTR lpClass, LPDWORD lpcchClass, LPDWORD lpReserved, LPDWORD lpcSubKeys, LPDWORD lpcbMaxSubKeyLen, LPDWORD lpcbMaxClassLen, LPDWORD lpcValues, LPDWORD lpcbMaxValueNameLen, LPDWORD lpcbMaxValueLen, LPDWORD lpcbSecurityDescriptor, PFILETIME lpftLastWriteTime)",
  ),
  ...pair(
    "RegGetValue",
    7,
    TRAP,
    "LSTATUS RegGetValue(HKEY hkey, LPCTSTR lpSubKey, LPCTSTR lpValue, DWORD dwFlags, LPDWORD pdwType, PVOID pvData, LPDWORD pcbData)",
  ),
];
