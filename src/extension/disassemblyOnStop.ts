/**
 * The Disassembly view at every stop. A wowdbg frame has no source file, and VS Code opens the Disassembly
 * view by itself only for an instruction-breakpoint stop, an instruction-granularity step, or when it is
 * already the active editor (StackFrame.openInEditor in debugModel.ts): at the entry stop, a function
 * breakpoint or an exception nothing would show where the program stands. So when a wowdbg session stops
 * and no editor group shows the Disassembly view, this opens it (`debug.action.openDisassemblyView`), as
 * WinDbg and x64dbg always show the code at the instruction pointer. Setting `wowdbg.openDisassemblyOnStop`.
 */
import * as vscode from "vscode";
import type { DebugEvents } from "./events";

/** The Disassembly view's tab label in VS Code (disassemblyView.ts: DisassemblyViewInput's name). */
const DISASSEMBLY_LABEL = "Disassembly";

function disassemblyShown(): boolean {
  return vscode.window.tabGroups.all.some((g) => g.activeTab?.label === DISASSEMBLY_LABEL);
}

export function registerDisassemblyOnStop(context: vscode.ExtensionContext, events: DebugEvents): void {
  context.subscriptions.push(
    events.onStopped(() => {
      if (!vscode.workspace.getConfiguration("wowdbg").get<boolean>("openDisassemblyOnStop", true)) return;
      if (disassemblyShown()) return;
      void vscode.commands.executeCommand("debug.action.openDisassemblyView");
    }),
  );
}
