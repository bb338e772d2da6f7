// Socket writes batched per turn of the event loop: the first write to a socket in a turn corks it, and
// one process.nextTick uncorks every socket written to, so all the replies produced in one turn -- the
// answers to a pipelined batch, the replies the logic layer sent back in one drain of the queue -- leave
// in one writev() instead of one write() each. Node's own advice for batching writes
// (stream docs, writable.cork(): "uncork ... using process.nextTick()").
// Nothing is kept here: every write goes into the (corked) socket at once, so the socket's writableLength
// counts the bytes of this turn too -- what GatewaySockets reports to the gateway as a connection's backlog.
import type * as net from 'node:net';

export function batchedWrites(): (socket: net.Socket, bytes: Uint8Array) => void {
  const corked: net.Socket[] = [];
  const uncorkAll = () => {
    for (const s of corked) s.uncork();
    corked.length = 0;
  };
  return (socket, bytes) => {
    if (socket.writableCorked === 0) {
      socket.cork();
      if (corked.push(socket) === 1) process.nextTick(uncorkAll);
    }
    socket.write(bytes);
  };
}
