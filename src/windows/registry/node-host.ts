/**
 * The Node implementation of `RegistryFileHost`: files inside one sandbox folder. The only Node code of the
 * registry. A path that would leave the folder (`..`, absolute) is refused.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { checkRegistryFile, type RegistryFileHost } from "./persist";

export class NodeRegistryFileHost implements RegistryFileHost {
  private readonly root: string;

  constructor(sandbox: string) {
    this.root = path.resolve(sandbox);
  }

  private resolve(p: string): string {
    const full = path.resolve(this.root, p);
    const rel = path.relative(this.root, full);
    if (rel === "" || rel.startsWith("..") || path.isAbsolute(rel)) {
      throw new Error(`registry file outside the sandbox: ${p}`);
    }
    return full;
  }

  read(p: string): Uint8Array | null {
    const full = this.resolve(p);
    if (!fs.existsSync(full)) return null;
    return new Uint8Array(fs.readFileSync(full));
  }

  write(p: string, data: Uint8Array): void {
    const full = this.resolve(p);
    fs.mkdirSync(path.dirname(full), { recursive: true });
    fs.writeFileSync(full, data);
  }
}

/**
 * A registry file named on the command line or in a launch configuration (a host path): the source the
 * process loads and saves, or what is wrong with it. A file that exists but cannot be read is refused and
 * left as it is (the process would otherwise save its registry over it).
 */
export function registryFileOption(
  file: string,
): { source: { host: NodeRegistryFileHost; path: string } } | { problem: string } {
  let folder = false;
  try {
    folder = fs.statSync(file).isDirectory();
  } catch {
    // missing: created on the first save
  }
  if (folder) return { problem: "a folder, not a file" };
  const source = {
    host: new NodeRegistryFileHost(path.dirname(path.resolve(file))),
    path: path.basename(file),
  };
  const problem = checkRegistryFile(source.host, source.path);
  return problem === undefined ? { source } : { problem };
}
