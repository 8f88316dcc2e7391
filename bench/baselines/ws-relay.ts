/**
 * Baseline: the least a WebSocket chat relay can do. Every message a client sends is written,
 * as one frame, to every connected socket (the sender included). No storage, no protocol, no
 * batching. Listens on 127.0.0.1 and an ephemeral port (PARLEY_PORT), prints its URL as JSON.
 */
import { createServer } from "node:http";
import { WebSocketServer } from "ws";

const server = createServer();
const wss = new WebSocketServer({
  server,
  path: "/ws",
  perMessageDeflate: false,
  maxPayload: 65_536,
});

wss.on("connection", (socket) => {
  socket.on("error", () => {});
  socket.on("message", (data, isBinary) => {
    for (const client of wss.clients) client.send(data, { binary: isBinary });
  });
});

server.listen(Number(process.env.PARLEY_PORT ?? 0), "127.0.0.1", () => {
  const address = server.address();
  const port = typeof address === "object" && address ? address.port : 0;
  console.log(JSON.stringify({ url: `http://127.0.0.1:${port}`, msg: "ws relay listening" }));
});

process.on("SIGTERM", () => {
  for (const client of wss.clients) client.terminate();
  wss.close();
  server.close(() => process.exit(0));
  setTimeout(() => process.exit(0), 2000).unref();
});
