/**
 * The extension's entry point (bundled to dist/extension.js). It registers the `wowdbg` debugger's
 * configuration provider, the adapter factory (inline by default, a separate process on request), the
 * "Debug with wowdbg" command for `.exe` files, the status bar item with the stopped thread's mode and the
 * Virtual Memory view.
 */
import * as vscode from "vscode";
import { registerAdapterFactory } from "./adapter";
import { registerConfigurations } from "./config";
import { DebugEvents } from "./events";
import { registerVirtualMemoryView } from "./memoryView";
import { ModeStatus } from "./status";

export function activate(context: vscode.ExtensionContext): void {
  registerConfigurations(context);
  registerAdapterFactory(context);
  const events = new DebugEvents();
  context.subscriptions.push(events, new ModeStatus(events));
  registerVirtualMemoryView(context, events);
}

export function deactivate(): void {
  // Everything is disposed through context.subscriptions.
}
