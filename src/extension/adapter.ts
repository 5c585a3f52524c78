/**
 * Where the debug adapter runs. By default inside the extension host (`DebugAdapterInlineImplementation`
 * around the adapter's session class: no process, no serialisation); with `"adapter": "process"` in the
 * launch configuration, as a separate `node dist/adapter.js` speaking DAP over stdio (what a crash of the
 * emulator cannot take the extension host down with, and what `npm run package` ships for other clients).
 */
import * as path from "node:path";
import * as vscode from "vscode";
import { inline } from "../debugger/inline";
import { DEBUG_TYPE, type WowdbgDebugConfiguration } from "./config";

export class WowdbgAdapterFactory implements vscode.DebugAdapterDescriptorFactory {
  constructor(private readonly extensionPath: string) {}

  createDebugAdapterDescriptor(session: vscode.DebugSession): vscode.DebugAdapterDescriptor {
    const config = session.configuration as WowdbgDebugConfiguration;
    if (config.adapter === "process") {
      // The extension host's own runtime: Node in code-server, Electron (as Node) in VS Code desktop.
      return new vscode.DebugAdapterExecutable(
        process.execPath,
        [path.join(this.extensionPath, "dist", "adapter.js")],
        {
          env: { ELECTRON_RUN_AS_NODE: "1" },
        },
      );
    }
    return new vscode.DebugAdapterInlineImplementation(inline());
  }
}

export function registerAdapterFactory(context: vscode.ExtensionContext): void {
  context.subscriptions.push(
    vscode.debug.registerDebugAdapterDescriptorFactory(
      DEBUG_TYPE,
      new WowdbgAdapterFactory(context.extensionPath),
    ),
  );
}
