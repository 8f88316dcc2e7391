/**
 * Baseline: the least a WebSocket chat relay can do. Every message a client sends is written,
 * as one frame, to every socket in the sender's room (the sender included). A socket's room is
 * the `room` query parameter of its URL (`/ws?room=7`); without one it is in the room of all
 * sockets without one. No storage, no protocol, no batching. Listens on 127.0.0.1 and an
 * ephemeral port (PARLEY_PORT), prints its URL as JSON.
 */
import { createServer } from "node:http";
import { type WebSocket, WebSocketServer } from "ws";

const server = createServer();
const wss = new WebSocketServer({
  server,
  path: "/ws",
  perMessageDeflate: false,
  maxPayload: 65_536,
});

const rooms = new Map<string, Set<WebSocket>>();

wss.on("connection", (socket, request) => {
  const name = new URL(request.url ?? "/", "http://relay").searchParams.get("room") ?? "";
  let room = rooms.get(name);
  if (!room) {
    room = new Set();
    rooms.set(name, room);
  }
  const members = room;
  members.add(socket);
  socket.on("error", () => {});
  socket.on("close", () => members.delete(socket));
  socket.on("message", (data, isBinary) => {
    for (const client of members) client.send(data, { binary: isBinary });
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
