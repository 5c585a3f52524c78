/**
 * The listing language server's entry point (bundled to dist/language-server.js by scripts/build.mjs).
 * The extension starts it with `vscode-languageclient` over stdio (or node IPC: the transport is chosen
 * from the command line, `--stdio` / `--node-ipc`). See README.md beside this file.
 */
import { createConnection, ProposedFeatures } from "vscode-languageserver/node";
import { startServer } from "./service";

startServer(createConnection(ProposedFeatures.all));
