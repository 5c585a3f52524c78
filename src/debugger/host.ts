/**
 * Host access for the runtime behind a small interface (as vscode-mock-debug's `FileAccessor`): the adapter
 * process reads the program and its DLLs through Node's `fs`; the extension may pass its own.
 */
import * as fs from "node:fs";
import * as path from "node:path";

export interface FileAccessor {
  readFile(file: string): Uint8Array;
  /** File names in a directory (empty when it cannot be read). */
  listDir(dir: string): string[];
  /** The directory part and file name of a host path. */
  dirname(file: string): string;
  basename(file: string): string;
  join(dir: string, name: string): string;
}

export const nodeFileAccessor: FileAccessor = {
  readFile: (file) => fs.readFileSync(file),
  listDir: (dir) => {
    try {
      return fs.readdirSync(dir);
    } catch {
      return [];
    }
  },
  dirname: (file) => path.dirname(path.resolve(file)),
  basename: (file) => path.basename(file),
  join: (dir, name) => path.join(dir, name),
};
