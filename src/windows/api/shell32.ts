/**
 * shell32.dll's CommandLineToArgvW (declared in ../dlls/shell32.ts) — learn.microsoft.com/en-us/windows/
 * win32/api/shellapi/nf-shellapi-commandlinetoargvw:
 * - "If this parameter is an empty string the function returns the path to the current executable file"
 *   (argc 1, the module's full path).
 * - The result is one LocalAlloc block (the caller frees it with LocalFree): the pointer array, then the
 *   strings; the array ends with a NULL entry after the `*pNumArgs` arguments.
 * - Arguments are delimited by white space (space or tab). Backslashes: "2n backslashes followed by a
 *   quotation mark produce n backslashes followed by begin/end quote. This does not become part of the
 *   parsed argument, but toggles the 'in quotes' mode"; "(2n) + 1 backslashes followed by a quotation mark
 *   again produce n backslashes followed by a quotation mark literal ("). This does not toggle the 'in
 *   quotes' mode"; "n backslashes not followed by a quotation mark simply produce n backslashes".
 * - The first argument (the program name) is parsed differently: if it starts with a quotation mark it
 *   runs to the next quotation mark, backslashes included as they are; otherwise to the first white space.
 * - Undocumented, as Windows behaves since Windows 7 (and as Wine reproduces it): inside quotes, a
 *   quotation mark immediately followed by another one gives a literal quotation mark (counting the
 *   consecutive quotes: every third one is a literal).
 * - A NULL pNumArgs fails with ERROR_INVALID_PARAMETER and NULL (so does a NULL lpCmdLine, which Windows
 *   does not check).
 */
import { api, type ApiCall, type ApiFamily } from "./context";
import { ERROR_NOT_ENOUGH_MEMORY } from "./errors";
import { findHeap } from "./heap";
import { readWString } from "./crt-state";

const ERROR_INVALID_PARAMETER = 87;

const white = (ch: string | undefined): boolean => ch === " " || ch === "\t";

/** CommandLineToArgvW's split of a non-empty command line. */
export function commandLineToArgv(cmd: string): string[] {
  const args: string[] = [];
  let i = 0;
  // the program name
  let name = "";
  if (cmd[0] === '"') {
    i = 1;
    while (i < cmd.length && cmd[i] !== '"') name += cmd[i++];
    if (i < cmd.length) i++;
  } else {
    while (i < cmd.length && !white(cmd[i])) name += cmd[i++];
  }
  args.push(name);
  while (white(cmd[i])) i++;
  // the other arguments
  let arg = "";
  let started = false;
  let qcount = 0; // the quotes seen in this argument, modulo the pairs: odd = inside quotes
  let bcount = 0; // pending backslashes
  while (i < cmd.length) {
    const ch = cmd[i];
    if (white(ch) && qcount === 0) {
      arg += "\\".repeat(bcount);
      args.push(arg);
      arg = "";
      started = false;
      bcount = 0;
      while (white(cmd[i])) i++;
      continue;
    }
    started = true;
    if (ch === "\\") {
      bcount++;
      i++;
    } else if (ch === '"') {
      arg += "\\".repeat(bcount >> 1);
      if (bcount % 2 === 0) qcount++;
      else arg += '"';
      bcount = 0;
      i++;
      while (cmd[i] === '"') {
        if (++qcount === 3) {
          arg += '"';
          qcount = 0;
        }
        i++;
      }
      if (qcount === 2) qcount = 0;
    } else {
      arg += "\\".repeat(bcount) + ch;
      bcount = 0;
      i++;
    }
  }
  if (started) args.push(arg + "\\".repeat(bcount));
  return args;
}

function commandLineToArgvW(c: ApiCall): number {
  const line = c.arg(0);
  const pNumArgs = c.arg(1);
  if (line === 0 || pNumArgs === 0) {
    c.setLastError(ERROR_INVALID_PARAMETER);
    return 0;
  }
  const text = String.fromCharCode(...readWString(c.mem, line));
  const args = text.length === 0 ? [c.process.imagePath] : commandLineToArgv(text);
  const table = (args.length + 1) * c.ptrSize;
  const size = table + args.reduce((n, a) => n + 2 * (a.length + 1), 0);
  const heap = findHeap(c, c.readPtr(c.peb + c.layout.peb.ProcessHeap));
  const block = heap?.allocate(size, false) ?? 0;
  if (block === 0) {
    c.setLastError(ERROR_NOT_ENOUGH_MEMORY);
    return 0;
  }
  let q = block + table;
  args.forEach((a, k) => {
    c.writePtr(block + k * c.ptrSize, q);
    for (let j = 0; j < a.length; j++) c.mem.w16(q + 2 * j, a.charCodeAt(j));
    c.mem.w16(q + 2 * a.length, 0);
    q += 2 * (a.length + 1);
  });
  c.writePtr(block + args.length * c.ptrSize, 0);
  c.mem.w32(pNumArgs, args.length);
  return block;
}

export const shell32Apis: ApiFamily = {
  CommandLineToArgvW: api(commandLineToArgvW),
};
