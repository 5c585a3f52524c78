// DOS → NT path conversion (RtlGetFullPathName_U / RtlDosPathNameToNtPathName_U). Expected values follow
// Microsoft's "File path formats on Windows systems"
// (https://learn.microsoft.com/en-us/dotnet/standard/io/file-path-formats): its path kinds (DOS,
// UNC, DOS device `\\.\` and `\\?\`), "Apply the current directory", "Canonicalize separators", "Evaluate
// relative components" (`..` never removes the root: the drive, `\\server\share`, or the device prefix),
// "Trim characters" and "Skip normalization" (`\\?\`); device names from "Naming Files, Paths, and
// Namespaces" (https://learn.microsoft.com/en-us/windows/win32/fileio/naming-a-file).
import { strict as assert } from "node:assert";
import { dosDeviceName, dosPathKind, dosPathToNtPath, getFullPathName } from "../src/windows/fs/path";
import { STATUS_OBJECT_NAME_INVALID, STATUS_SUCCESS } from "../src/windows/fs/status";

const CWD = "C:\\app\\bin";

// [input, full DOS path, NT path]
const CASES: [string, string, string][] = [
  // The page's DOS path examples.
  [
    "C:\\Documents\\Newsletters\\Summer2018.pdf",
    "C:\\Documents\\Newsletters\\Summer2018.pdf",
    "\\??\\C:\\Documents\\Newsletters\\Summer2018.pdf",
  ],
  [
    "\\Program Files\\Custom Utilities\\StringFinder.exe",
    "C:\\Program Files\\Custom Utilities\\StringFinder.exe",
    "\\??\\C:\\Program Files\\Custom Utilities\\StringFinder.exe",
  ],
  ["2018\\January.xlsx", "C:\\app\\bin\\2018\\January.xlsx", "\\??\\C:\\app\\bin\\2018\\January.xlsx"],
  [
    "..\\Publications\\TravelBrochure.pdf",
    "C:\\app\\Publications\\TravelBrochure.pdf",
    "\\??\\C:\\app\\Publications\\TravelBrochure.pdf",
  ],
  [
    "C:Projects\\apilibrary\\apilibrary.sln",
    "C:\\app\\bin\\Projects\\apilibrary\\apilibrary.sln",
    "\\??\\C:\\app\\bin\\Projects\\apilibrary\\apilibrary.sln",
  ],
  // Another drive's relative path: no per-drive directory, so its root.
  ["D:data.txt", "D:\\data.txt", "\\??\\D:\\data.txt"],
  // UNC and DOS device paths from the page.
  ["\\\\system07\\C$\\", "\\\\system07\\C$\\", "\\??\\UNC\\system07\\C$\\"],
  [
    "\\\\Server2\\Share\\Test\\Foo.txt",
    "\\\\Server2\\Share\\Test\\Foo.txt",
    "\\??\\UNC\\Server2\\Share\\Test\\Foo.txt",
  ],
  ["\\\\.\\C:\\Test\\Foo.txt", "\\\\.\\C:\\Test\\Foo.txt", "\\??\\C:\\Test\\Foo.txt"],
  ["\\\\?\\C:\\Test\\Foo.txt", "\\\\?\\C:\\Test\\Foo.txt", "\\??\\C:\\Test\\Foo.txt"],
  // Canonicalize separators: '/' becomes '\', runs collapse.
  ["C:/dir//sub///file.txt", "C:\\dir\\sub\\file.txt", "\\??\\C:\\dir\\sub\\file.txt"],
  ["sub/../x", "C:\\app\\bin\\x", "\\??\\C:\\app\\bin\\x"],
  // Relative components: '.', '..', never above the root.
  ["C:\\a\\.\\b\\..\\c", "C:\\a\\c", "\\??\\C:\\a\\c"],
  ["C:\\..\\..\\..\\Windows", "C:\\Windows", "\\??\\C:\\Windows"],
  ["..\\..\\..\\..\\x", "C:\\x", "\\??\\C:\\x"],
  ["\\\\server\\share\\..\\..\\x", "\\\\server\\share\\x", "\\??\\UNC\\server\\share\\x"],
  // For device paths the root is the prefix: '..' removes the device name.
  ["\\\\.\\C:\\Test\\..\\..\\Foo", "\\\\.\\Foo", "\\??\\Foo"],
  // Trim characters: trailing periods and spaces of the last segment; a single trailing period of a segment.
  ["C:\\dir\\file.txt. . ", "C:\\dir\\file.txt", "\\??\\C:\\dir\\file.txt"],
  ["C:\\dir.\\file", "C:\\dir\\file", "\\??\\C:\\dir\\file"],
  ["C:\\dir...\\file", "C:\\dir...\\file", "\\??\\C:\\dir...\\file"],
  ["C:\\dir \\", "C:\\dir \\", "\\??\\C:\\dir \\"],
  ["C:\\dir\\", "C:\\dir\\", "\\??\\C:\\dir\\"],
  // Skip normalization: \\?\ passes everything on.
  ["\\\\?\\C:\\a\\..\\b. ", "\\\\?\\C:\\a\\..\\b. ", "\\??\\C:\\a\\..\\b. "],
  ["\\\\?\\C:/x", "\\\\?\\C:/x", "\\??\\C:/x"],
  // \\?\ written with forward slashes is not verbatim: normalised.
  ["//?/C:/a/../b", "\\\\?\\C:\\b", "\\??\\C:\\b"],
  // Device paths to devices.
  ["\\\\.\\PhysicalDrive0", "\\\\.\\PhysicalDrive0", "\\??\\PhysicalDrive0"],
  // Legacy device names (Windows 10 rules): anywhere, with an extension or a colon.
  ["NUL", "\\\\.\\NUL", "\\??\\NUL"],
  ["con", "\\\\.\\con", "\\??\\con"],
  ["C:\\dir\\nul.txt", "\\\\.\\nul", "\\??\\nul"],
  ["COM1:", "\\\\.\\COM1", "\\??\\COM1"],
  ["lpt9 .log", "\\\\.\\lpt9", "\\??\\lpt9"],
];

describe("fs path conversion (RtlDosPathNameToNtPathName_U)", () => {
  for (const [input, full, nt] of CASES) {
    it(`${input} → ${nt}`, () => {
      const f = getFullPathName(input, CWD);
      assert.equal(f.status, STATUS_SUCCESS);
      assert.equal(f.path, full);
      const n = dosPathToNtPath(input, CWD);
      assert.equal(n.status, STATUS_SUCCESS);
      assert.equal(n.ntPath, nt);
    });
  }

  it("rooted paths take the current directory's root (drive or UNC share)", () => {
    assert.equal(getFullPathName("\\x", "\\\\srv\\sh\\dir").path, "\\\\srv\\sh\\x");
    assert.equal(getFullPathName("x", "C:\\").path, "C:\\x");
  });

  it("an empty path or one with NUL is STATUS_OBJECT_NAME_INVALID", () => {
    assert.equal(dosPathToNtPath("", CWD).status, STATUS_OBJECT_NAME_INVALID);
    assert.equal(dosPathToNtPath("a\0b", CWD).status, STATUS_OBJECT_NAME_INVALID);
  });

  it("classifies paths as the page's 'Identify the path' does", () => {
    assert.equal(dosPathKind("\\\\?\\C:\\x"), "verbatim");
    assert.equal(dosPathKind("\\\\.\\C:\\x"), "device");
    assert.equal(dosPathKind("\\\\srv\\sh"), "unc");
    assert.equal(dosPathKind("C:\\x"), "drive-absolute");
    assert.equal(dosPathKind("C:x"), "drive-relative");
    assert.equal(dosPathKind("\\x"), "rooted");
    assert.equal(dosPathKind("x"), "relative");
  });

  it("recognises the reserved device names and nothing else", () => {
    for (const d of ["CON", "PRN", "AUX", "NUL", "COM1", "COM9", "LPT1", "LPT9"])
      assert.equal(dosDeviceName(d.toLowerCase()), d);
    for (const n of [
      "COM0",
      "LPT0",
      "CONIN",
      "NULL",
      "xnul",
      "nul\\x",
      "\\\\.\\NUL",
      "\\\\srv\\sh\\NUL",
      "CONOUT$",
    ]) {
      assert.equal(dosDeviceName(n), undefined, n);
    }
  });
});
