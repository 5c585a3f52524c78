/**
 * The adapter inside the extension host: `inline()` returns a session that the extension wraps in
 * `vscode.DebugAdapterInlineImplementation` (a session is a `handleMessage`/`onDidSendMessage` adapter).
 */
import type { FileAccessor } from "./host";
import { WowdbgSession } from "./session";

export { WowdbgSession } from "./session";
export * from "./protocol";

/** A new in-process debug session; `files` replaces Node's fs for reading the program and its DLLs. */
export function inline(files?: FileAccessor): WowdbgSession {
  return new WowdbgSession(files);
}
