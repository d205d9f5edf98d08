/**
 * The floor a relay is measured against (TARGETS.md R1, R2, R5): a `ws`
 * server with rooms and fan-out and nothing else — no auth, no validation,
 * no limits. A socket joins the room named by its URL path
 * (`ws://host:port/<room>`); every frame it sends goes, as received (text or
 * binary), to every other socket in that room.
 *
 *   node --import tsx bench/peers/bare-ws-relay.ts <port> [--cork]
 *
 * `--cork` adds the one optimisation the Parley relay makes on its write
 * path (signal/connection.ts): frames written to a socket in one tick leave
 * in one writev. Without it this is the naive ~30-line relay TARGETS.md
 * anchors on; with it, the floor for a relay that batches its writes.
 * Listens on 127.0.0.1 only and prints `ready` on stdout once listening.
 */
import type { Socket } from 'node:net';
import { type WebSocket, WebSocketServer } from 'ws';

const port = Number(process.argv[2] ?? 0);
const cork = process.argv.includes('--cork');
const rooms = new Map<string, Set<WebSocket>>();
const sockets = new Map<WebSocket, Socket>();
const corked: Socket[] = [];
const wss = new WebSocketServer({ port, host: '127.0.0.1', perMessageDeflate: false });

function uncorkAll(): void {
  for (const s of corked.splice(0)) s.uncork();
}

wss.on('connection', (ws, req) => {
  const name = req.url ?? '/';
  let room = rooms.get(name);
  if (!room) {
    room = new Set();
    rooms.set(name, room);
  }
  const members = room;
  members.add(ws);
  sockets.set(ws, req.socket);
  ws.on('message', (data, isBinary) => {
    for (const other of members) {
      if (other === ws) continue;
      const socket = sockets.get(other);
      if (cork && socket && socket.writableCorked === 0) {
        socket.cork();
        if (corked.push(socket) === 1) process.nextTick(uncorkAll);
      }
      other.send(data, { binary: isBinary });
    }
  });
  ws.on('close', () => {
    members.delete(ws);
    sockets.delete(ws);
    if (members.size === 0) rooms.delete(name);
  });
  ws.on('error', () => {});
});
wss.on('listening', () => process.stdout.write('ready\n'));
