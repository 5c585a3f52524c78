/**
 * Launch configurations: the defaults behind F5 without a launch.json (the open or selected `.exe`), the
 * configurations offered when launch.json is created and in the Run and Debug drop-down (one per `.exe` in
 * the workspace), and the checks made before a session starts (a missing program is reported here, in
 * words, rather than as an adapter error).
 */
import * as fs from "node:fs";
import * as path from "node:path";
import * as vscode from "vscode";
import type { WowdbgLaunchArguments } from "../debugger/protocol";

export const DEBUG_TYPE = "wowdbg";

/** A wowdbg launch configuration as VS Code hands it over (launch.json attributes plus `adapter`). */
export interface WowdbgDebugConfiguration extends vscode.DebugConfiguration, WowdbgLaunchArguments {
  /** Where the adapter runs: inside the extension host (default) or as a separate Node process. */
  adapter?: "inline" | "process";
}

const EXE_GLOB = "**/*.{exe,EXE}";
const EXCLUDE_GLOB = "**/{node_modules,.git,.e2e}/**";

function isExe(uri: vscode.Uri | undefined): uri is vscode.Uri {
  return uri !== undefined && uri.scheme === "file" && /\.exe$/i.test(uri.fsPath);
}

/** The `.exe` in the active editor tab (a binary file opens in a text tab with VS Code's "binary" notice). */
export function activeExe(): vscode.Uri | undefined {
  const doc = vscode.window.activeTextEditor?.document.uri;
  if (isExe(doc)) return doc;
  const input = vscode.window.tabGroups.activeTabGroup.activeTab?.input;
  if (input instanceof vscode.TabInputText || input instanceof vscode.TabInputCustom) {
    if (isExe(input.uri)) return input.uri;
  }
  return undefined;
}

async function workspaceExes(max = 200): Promise<vscode.Uri[]> {
  if (vscode.workspace.workspaceFolders === undefined) return [];
  const found = await vscode.workspace.findFiles(EXE_GLOB, EXCLUDE_GLOB, max);
  return found.sort((a, b) => a.fsPath.localeCompare(b.fsPath));
}

/** The program to debug: the active `.exe`, the only one in the workspace, or the user's pick. */
export async function pickProgram(): Promise<vscode.Uri | undefined> {
  const active = activeExe();
  if (active !== undefined) return active;
  const all = await workspaceExes();
  if (all.length === 1) return all[0];
  if (all.length === 0) {
    const picked = await vscode.window.showOpenDialog({
      canSelectMany: false,
      openLabel: "Debug with wowdbg",
      filters: { "Windows programs": ["exe"] },
    });
    return picked?.[0];
  }
  const item = await vscode.window.showQuickPick(
    all.map((uri) => ({
      label: path.basename(uri.fsPath),
      description: vscode.workspace.asRelativePath(uri),
      uri,
    })),
    { placeHolder: "The Windows program to debug", matchOnDescription: true },
  );
  return item?.uri;
}

export function configFor(program: vscode.Uri): WowdbgDebugConfiguration {
  return {
    type: DEBUG_TYPE,
    request: "launch",
    name: `wowdbg: ${path.basename(program.fsPath)}`,
    program: program.fsPath,
    stopOnEntry: true,
  };
}

export class WowdbgConfigurationProvider implements vscode.DebugConfigurationProvider {
  /** launch.json creation and the drop-down: one configuration per `.exe` in the workspace. */
  async provideDebugConfigurations(
    folder: vscode.WorkspaceFolder | undefined,
  ): Promise<vscode.DebugConfiguration[]> {
    const exes = (await workspaceExes(20)).filter(
      (u) =>
        folder === undefined ||
        vscode.workspace.getWorkspaceFolder(u)?.uri.toString() === folder.uri.toString(),
    );
    if (exes.length === 0) {
      return [
        {
          ...configFor(vscode.Uri.file("program.exe")),
          name: "wowdbg: launch",
          program: "${workspaceFolder}/program.exe",
        },
      ];
    }
    return exes.map((u) => {
      const c = configFor(u);
      if (folder !== undefined)
        c.program =
          "${workspaceFolder}/" + path.relative(folder.uri.fsPath, u.fsPath).split(path.sep).join("/");
      return c;
    });
  }

  /** F5 without a launch.json arrives here with an empty configuration. */
  async resolveDebugConfiguration(
    _folder: vscode.WorkspaceFolder | undefined,
    config: vscode.DebugConfiguration,
  ): Promise<vscode.DebugConfiguration | undefined> {
    if (config.type === undefined && config.request === undefined && config.name === undefined) {
      const program = await pickProgram();
      if (program === undefined) {
        void vscode.window.showInformationMessage(
          "wowdbg: open or select a Windows program (.exe) to debug.",
        );
        return undefined;
      }
      return configFor(program);
    }
    return config;
  }

  /** The last word before the adapter starts: relative paths and the attributes that must go together. */
  resolveDebugConfigurationWithSubstitutedVariables(
    folder: vscode.WorkspaceFolder | undefined,
    debugConfiguration: vscode.DebugConfiguration,
  ): vscode.DebugConfiguration | undefined {
    const config = debugConfiguration as WowdbgDebugConfiguration;
    const base = folder?.uri.fsPath ?? process.cwd();
    const problem = (msg: string): undefined => {
      void vscode.window.showErrorMessage(`wowdbg: ${msg}`, "Open launch.json").then((choice) => {
        if (choice !== undefined) void vscode.commands.executeCommand("workbench.action.debug.configure");
      });
      return undefined;
    };
    for (const key of ["program", "shellcode", "sandbox", "registry"] as const) {
      const v = config[key];
      if (typeof v === "string" && v !== "" && !path.isAbsolute(v)) config[key] = path.resolve(base, v);
    }
    if (config.program === undefined && config.shellcode === undefined) {
      return problem(
        'the launch configuration needs "program" (a .exe) or "shellcode" (raw code with "arch").',
      );
    }
    if (config.program !== undefined && config.shellcode !== undefined) {
      return problem('"program" and "shellcode" exclude each other.');
    }
    if (config.shellcode !== undefined && config.arch === undefined) {
      return problem('"shellcode" needs "arch": "x86" or "x64".');
    }
    const file = config.program ?? config.shellcode;
    if (file !== undefined && !fs.existsSync(file)) return problem(`${file} does not exist.`);
    if (config.adapter !== undefined && config.adapter !== "inline" && config.adapter !== "process") {
      return problem('"adapter" is "inline" or "process".');
    }
    return config;
  }
}

export function registerConfigurations(context: vscode.ExtensionContext): void {
  const provider = new WowdbgConfigurationProvider();
  context.subscriptions.push(
    vscode.debug.registerDebugConfigurationProvider(DEBUG_TYPE, provider),
    vscode.debug.registerDebugConfigurationProvider(
      DEBUG_TYPE,
      { provideDebugConfigurations: (folder) => provider.provideDebugConfigurations(folder) },
      vscode.DebugConfigurationProviderTriggerKind.Dynamic,
    ),
    vscode.commands.registerCommand("wowdbg.pickProgram", async () => (await pickProgram())?.fsPath),
    vscode.commands.registerCommand("wowdbg.debugFile", async (uri?: vscode.Uri) => {
      const program = isExe(uri) ? uri : await pickProgram();
      if (program === undefined) return false;
      return vscode.debug.startDebugging(vscode.workspace.getWorkspaceFolder(program), configFor(program));
    }),
  );
}
