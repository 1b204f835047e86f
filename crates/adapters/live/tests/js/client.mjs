// A real socket.io-client v4 (the dashboard's version), driven line by line for the live push
// tests: commands arrive on stdin as JSON lines, everything observed leaves on stdout as JSON
// lines. Shared protocol with ../py/client.py (see tests/tests/live_push/clients.rs).
//
//   node client.mjs <url> <websocket|polling|default>
import { createInterface } from "node:readline";
import { io } from "socket.io-client";

const [url, mode] = process.argv.slice(2);
const say = (event, fields = {}) => process.stdout.write(JSON.stringify({ event, ...fields }) + "\n");

// "websocket" is exactly the dashboard's call (docs/compatibility.md#clients).
const options = {
  websocket: { transports: ["websocket"], upgrade: false, timeout: 20000, forceNew: true },
  polling: { transports: ["polling"], timeout: 20000, forceNew: true },
  default: { timeout: 20000, forceNew: true },
}[mode];
if (!options) {
  say("error", { message: `unknown mode ${mode}` });
  process.exit(2);
}

const socket = io(url, { ...options, reconnection: false });
const transport = () => socket.io.engine?.transport?.name;

socket.on("connect", () => {
  say("connected", { sid: socket.id, transport: transport() });
  socket.io.engine.on("upgrade", (t) => say("upgraded", { transport: t.name }));
});
socket.on("connect_error", (e) => say("connect_error", { message: String(e?.message ?? e) }));
socket.on("disconnect", (reason) => say("disconnected", { reason }));
// JSON.stringify keeps the keys in the order they arrived: the test compares bytes.
socket.on("measurement_received", (data) => say("measurement_received", { json: JSON.stringify(data) }));
socket.on("alert", (data) => say("alert", { json: JSON.stringify(data) }));

const lines = createInterface({ input: process.stdin });
lines.on("line", async (line) => {
  const cmd = JSON.parse(line);
  if (cmd.cmd === "emit") {
    if (cmd.ack) {
      try {
        const args = await socket.timeout(10000).emitWithAck(cmd.name, cmd.payload);
        say("ack", { id: cmd.id, args: args === undefined ? [] : [args] });
      } catch {
        say("ack_timeout", { id: cmd.id });
      }
    } else {
      socket.emit(cmd.name, cmd.payload);
      say("sent", { id: cmd.id });
    }
  } else if (cmd.cmd === "status") {
    say("status", { id: cmd.id, connected: socket.connected, transport: transport() });
  } else if (cmd.cmd === "close") {
    socket.disconnect();
    process.exit(0);
  }
});
lines.on("close", () => {
  socket.disconnect();
  process.exit(0);
});
