/**
 * WOW64 registry redirection: which physical key a 32-bit view of a path names.
 *
 * Source: "Registry Keys Affected by WOW64"
 * (https://learn.microsoft.com/en-us/windows/win32/winprog64/shared-registry-keys), column "Windows Server
 * 2008 R2, Windows 7, and Newer". "Subkeys of the keys in this table inherit the parent key's behavior
 * unless otherwise specified. If a key has no parent listed in this table, the key is shared."
 * - HKLM is shared; HKLM\SOFTWARE is redirected to HKLM\SOFTWARE\Wow6432Node, except the shared subkeys of
 *   `SHARED_SOFTWARE_KEYS` (all of them shared on Windows 7+);
 * - HKLM\SOFTWARE\Classes is shared, but its CLSID, DirectShow, Interface, Media Type and MediaFoundation
 *   subkeys are redirected (to HKLM\SOFTWARE\Classes\Wow6432Node\<subkey>); Appid and HCP are shared;
 * - HKCU and HKCU\SOFTWARE are shared; HKCU\SOFTWARE\Classes is shared with the same redirected subkeys
 *   (Appid shared). HKCU\SOFTWARE\Classes is a link to HKU\<SID>_Classes, so both spellings are handled.
 * - HKCR is the merged view of the two Classes keys: "Redirected keys in these registry paths are
 *   effectively redirected for HKEY_CLASSES_ROOT also."
 *
 * The 64-bit view is the physical registry: Wow6432Node is an ordinary key there. In the 32-bit view a path
 * that already names Wow6432Node at the redirection point is left alone (it is already physical).
 * "Accessing an Alternate Registry View" (…/winprog64/accessing-an-alternate-registry-view): KEY_WOW64_64KEY
 * (0x100) and KEY_WOW64_32KEY (0x200) select the view from either bitness, both at once fail with
 * ERROR_INVALID_PARAMETER; a handle does not remember the view it was opened in, so a relative open uses the
 * view of its own call (the parent's physical path plus the relative name, redirected again).
 */
import { KEY_WOW64_32KEY, KEY_WOW64_64KEY, WOW6432NODE } from "./constants";
import { upcase } from "./key";

export type RegistryView = "64" | "32";

/**
 * The view a call sees: the caller's own (x86 code: "32", x64 code: "64") unless KEY_WOW64_64KEY or
 * KEY_WOW64_32KEY in the desired access says otherwise; `null` when both are given (invalid parameter).
 */
export function viewFor(callerIs32: boolean, access: number): RegistryView | null {
  const f64 = (access & KEY_WOW64_64KEY) !== 0;
  const f32 = (access & KEY_WOW64_32KEY) !== 0;
  if (f64 && f32) return null;
  if (f64) return "64";
  if (f32) return "32";
  return callerIs32 ? "32" : "64";
}

/** HKLM\SOFTWARE subkeys shared on Windows 7 and newer (relative to SOFTWARE; Classes is handled apart). */
export const SHARED_SOFTWARE_KEYS: readonly string[] = [
  "Clients",
  "Microsoft\\COM3",
  "Microsoft\\Cryptography\\Calais\\Current",
  "Microsoft\\Cryptography\\Calais\\Readers",
  "Microsoft\\Cryptography\\Services",
  "Microsoft\\CTF\\SystemShared",
  "Microsoft\\CTF\\TIP",
  "Microsoft\\DFS",
  "Microsoft\\Driver Signing",
  "Microsoft\\EnterpriseCertificates",
  "Microsoft\\EventSystem",
  "Microsoft\\MSMQ",
  "Microsoft\\Non-Driver Signing",
  "Microsoft\\Notepad\\DefaultFonts",
  "Microsoft\\OLE",
  "Microsoft\\RAS",
  "Microsoft\\RPC",
  // The page lists "HKLM\SOFTWARE\Microsoft\SOFTWARE\Microsoft\Shared Tools\MSInfo"; we take both the
  // literal path and the evident intent (SOFTWARE\Microsoft\Shared Tools\MSInfo).
  "Microsoft\\SOFTWARE\\Microsoft\\Shared Tools\\MSInfo",
  "Microsoft\\Shared Tools\\MSInfo",
  "Microsoft\\SystemCertificates",
  "Microsoft\\TermServLicensing",
  "Microsoft\\TransactionServer",
  "Microsoft\\Windows\\CurrentVersion\\App Paths",
  "Microsoft\\Windows\\CurrentVersion\\Control Panel\\Cursors\\Schemes",
  "Microsoft\\Windows\\CurrentVersion\\Explorer\\AutoplayHandlers",
  "Microsoft\\Windows\\CurrentVersion\\Explorer\\DriveIcons",
  "Microsoft\\Windows\\CurrentVersion\\Explorer\\KindMap",
  "Microsoft\\Windows\\CurrentVersion\\Group Policy",
  "Microsoft\\Windows\\CurrentVersion\\Policies",
  "Microsoft\\Windows\\CurrentVersion\\PreviewHandlers",
  "Microsoft\\Windows\\CurrentVersion\\Setup",
  "Microsoft\\Windows\\CurrentVersion\\Telephony\\Locations",
  "Microsoft\\Windows NT\\CurrentVersion\\Console",
  "Microsoft\\Windows NT\\CurrentVersion\\FontDpi",
  "Microsoft\\Windows NT\\CurrentVersion\\FontLink",
  "Microsoft\\Windows NT\\CurrentVersion\\FontMapper",
  "Microsoft\\Windows NT\\CurrentVersion\\Fonts",
  "Microsoft\\Windows NT\\CurrentVersion\\FontSubstitutes",
  "Microsoft\\Windows NT\\CurrentVersion\\Gre_Initialize",
  "Microsoft\\Windows NT\\CurrentVersion\\Image File Execution Options",
  "Microsoft\\Windows NT\\CurrentVersion\\Language Pack",
  "Microsoft\\Windows NT\\CurrentVersion\\NetworkCards",
  "Microsoft\\Windows NT\\CurrentVersion\\Perflib",
  "Microsoft\\Windows NT\\CurrentVersion\\Ports",
  "Microsoft\\Windows NT\\CurrentVersion\\Print",
  "Microsoft\\Windows NT\\CurrentVersion\\ProfileList",
  "Microsoft\\Windows NT\\CurrentVersion\\Time Zones",
  "Policies",
  "RegisteredApplications",
];

/** Subkeys of a Classes key (HKLM or HKCU) that are redirected on Windows 7 and newer. */
export const REDIRECTED_CLASSES_KEYS: readonly string[] = [
  "CLSID",
  "DirectShow",
  "Interface",
  "Media Type",
  "MediaFoundation",
];

const sharedSoftware = SHARED_SOFTWARE_KEYS.map((p) => p.split("\\").map(upcase));
const redirectedClasses = new Set(REDIRECTED_CLASSES_KEYS.map(upcase));
const WOW = upcase(WOW6432NODE);

function isSharedSoftware(rel: readonly string[]): boolean {
  return sharedSoftware.some((p) => p.length <= rel.length && p.every((c, i) => rel[i] === c));
}

/** Where a Classes root starts in `u` (upper-cased components), or -1. */
function classesRootAt(u: readonly string[]): number {
  if (u[0] !== "REGISTRY") return -1;
  if (u[1] === "MACHINE" && u[2] === "SOFTWARE" && u[3] === "CLASSES") return 4;
  if (u[1] === "USER" && u.length > 2) {
    if (u[2].endsWith("_CLASSES")) return 3;
    if (u[3] === "SOFTWARE" && u[4] === "CLASSES") return 5;
  }
  return -1;
}

/** How the redirector classifies a path (components from `REGISTRY`) for 32-bit callers. */
export function classify(components: readonly string[]): "shared" | "redirected" {
  return redirect32(components) === components ? "shared" : "redirected";
}

/**
 * The physical components the 32-bit view of `components` names (the same array when not redirected).
 * `components` start with `REGISTRY`.
 */
export function redirect32(components: readonly string[]): readonly string[] {
  const u = components.map(upcase);
  const c = classesRootAt(u);
  if (c >= 0) {
    if (u.length > c && redirectedClasses.has(u[c])) {
      return [...components.slice(0, c), WOW6432NODE, ...components.slice(c)];
    }
    return components;
  }
  if (u[0] === "REGISTRY" && u[1] === "MACHINE" && u[2] === "SOFTWARE") {
    const rel = u.slice(3);
    if (rel[0] === WOW || isSharedSoftware(rel)) return components;
    return [...components.slice(0, 3), WOW6432NODE, ...components.slice(3)];
  }
  return components;
}
