/**
 * The adapter's entry point (bundled to dist/adapter.js): DAP over stdio, or with `--server=PORT` a TCP
 * server that runs one session per connection (for debugging the adapter itself).
 */
import * as net from "node:net";
import { WowdbgSession } from "./session";

const server = process.argv.map((a) => /^--server=(\d+)$/.exec(a)).find((m) => m !== null);
if (server) {
  const port = Number(server[1]);
  net
    .createServer((socket) => {
      socket.setNoDelay(true);
      const session = new WowdbgSession();
      session.setRunAsServer(true);
      session.start(socket, socket);
    })
    .listen(port, "127.0.0.1", () => process.stderr.write(`wowdbg adapter listening on 127.0.0.1:${port}\n`));
} else {
  const session = new WowdbgSession();
  process.on("SIGTERM", () => session.shutdown());
  session.start(process.stdin, process.stdout);
}
