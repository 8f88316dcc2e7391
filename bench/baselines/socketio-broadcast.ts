/**
 * Baseline: a minimal Socket.IO broadcast server. Every socket joins one Socket.IO room, named
 * by the `room` query parameter of its handshake (without one, the room of all sockets without
 * one); an "m" event from a socket is emitted to its whole room (encoded once by Socket.IO,
 * written to each socket). WebSocket transport only, no compression. Listens on 127.0.0.1 and an ephemeral
 * port (PARLEY_PORT), prints its URL as JSON.
 */
import { createServer } from "node:http";
import { Server } from "socket.io";

const server = createServer();
const io = new Server(server, {
  transports: ["websocket"],
  serveClient: false,
  perMessageDeflate: false,
  maxHttpBufferSize: 65_536,
});

io.on("connection", (socket) => {
  const query = socket.handshake.query.room;
  const room = `room:${typeof query === "string" ? query : ""}`;
  void socket.join(room);
  socket.on("m", (content: string) => {
    io.to(room).emit("m", content);
  });
});

server.listen(Number(process.env.PARLEY_PORT ?? 0), "127.0.0.1", () => {
  const address = server.address();
  const port = typeof address === "object" && address ? address.port : 0;
  console.log(JSON.stringify({ url: `http://127.0.0.1:${port}`, msg: "socket.io listening" }));
});

process.on("SIGTERM", () => {
  io.close();
  server.close(() => process.exit(0));
  setTimeout(() => process.exit(0), 2000).unref();
});
