// The Socket.IO peer of parley-bench: rooms, a 'send' event broadcast to the room (the sender
// included, as Parley does), nothing stored. With REDIS_URL, the Redis adapter links several of them.
//   PORT=3000 [REDIS_URL=redis://127.0.0.1:6379] node server.js
const http = require("http");
const { Server } = require("socket.io");

const server = http.createServer((req, res) => {
  res.writeHead(req.url === "/health" ? 200 : 404).end();
});
const io = new Server(server, { transports: ["websocket"], serveClient: false });

io.on("connection", (socket) => {
  socket.on("join", (room) => {
    socket.join(room);
    socket.emit("joined", room);
  });
  socket.on("send", (room, text) => io.to(room).emit("message", room, text));
});

async function main() {
  if (process.env.REDIS_URL) {
    const { createClient } = require("redis");
    const { createAdapter } = require("@socket.io/redis-adapter");
    const pub = createClient({ url: process.env.REDIS_URL });
    const sub = pub.duplicate();
    await Promise.all([pub.connect(), sub.connect()]);
    io.adapter(createAdapter(pub, sub));
  }
  server.listen(Number(process.env.PORT || 3000), "127.0.0.1");
}
main();
