/**
 * The extension's entry point (bundled to dist/extension.js). It registers the `wowdbg` debugger's
 * configuration provider, the adapter factory (inline by default, a separate process on request), the
 * "Debug with wowdbg" command for `.exe` files, the status bar item with the stopped thread's mode and the
 * Virtual Memory, Modules and Syscalls views, the Memory Panel and module listings (the listing language
 * server through vscode-languageclient).
 */
import * as vscode from "vscode";
import { registerAdapterFactory } from "./adapter";
import { registerConfigurations } from "./config";
import { registerDisassemblyOnStop } from "./disassemblyOnStop";
import { DebugEvents } from "./events";
import { registerListings } from "./listing";
import { registerVirtualMemoryView } from "./memoryView";
import { registerMemoryPanel } from "./memoryPanel";
import { registerModulesView } from "./modulesView";
import { registerSyscallsView } from "./syscallsView";
import { ModeStatus } from "./status";

export function activate(context: vscode.ExtensionContext): void {
  registerConfigurations(context);
  registerAdapterFactory(context);
  const events = new DebugEvents();
  context.subscriptions.push(events, new ModeStatus(events));
  registerDisassemblyOnStop(context, events);
  registerVirtualMemoryView(context, events);
  registerModulesView(context, events);
  const listings = registerListings(context);
  const memoryPanel = registerMemoryPanel(context, events);
  registerSyscallsView(
    context,
    events,
    (address) => void memoryPanel.open(address),
    (session, address) => listings.revealLive(session, address),
  );
}

export function deactivate(): void {
  // Everything is disposed through context.subscriptions.
}
