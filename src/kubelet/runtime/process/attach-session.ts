/**
 * @module Attach with stdin (or a terminal) on the `process` runtime: the kubelet side of the
 * stdio shim's attach socket (`<container dir>/attach`, served by stdio-shim.py for as long as
 * the container runs, so a restarted kubelet reaches the same stdin). Input and terminal sizes go
 * to the socket as frames; output is followed from the container's log, as for output-only attach.
 *
 * Session semantics follow containerd's attach: when the client's input ends the session hangs
 * up; a `stdinOnce` container then has its stdin closed by the shim and the output is followed
 * until the container exits (so `kubectl run -i --rm` sees the whole reply), otherwise the
 * session is over at once. A client that goes away (abort) ends the session too.
 */
import { closeSync, openSync } from 'node:fs';
import { connect, type Socket } from 'node:net';
import { dirname, basename } from 'node:path';
import type { Readable } from 'node:stream';

export const attachSocketName = 'attach';

/** Frame types the shim reads (see stdio-shim.py). */
const Frame = { stdin: 0, resize: 1 } as const;

function frame(kind: number, payload: Buffer): Buffer {
  const head = Buffer.alloc(5);
  head.writeUInt8(kind, 0);
  head.writeUInt32BE(payload.length, 1);
  return Buffer.concat([head, payload]);
}

/**
 * Connects to a unix socket; a path longer than sun_path's 108 bytes is reached through
 * `/proc/self/fd/<dir fd>/<name>`, as the shim itself binds relative to its folder.
 */
async function connectUnix(path: string): Promise<Socket> {
  let dirFd: number | undefined;
  let target = path;
  if (Buffer.byteLength(path) > 100) {
    dirFd = openSync(dirname(path), 'r');
    target = `/proc/self/fd/${dirFd}/${basename(path)}`;
  }
  try {
    return await new Promise<Socket>((resolve, reject) => {
      const sock = connect({ path: target }, () => {
        sock.off('error', reject);
        resolve(sock);
      });
      sock.once('error', reject);
    });
  } finally {
    if (dirFd !== undefined) closeSync(dirFd);
  }
}

export interface SessionIO {
  /** The client's input; undefined when the container has no stdin (only sizes are sent). */
  stdin?: Readable;
  /** Terminal sizes (only with a tty). */
  resize?: AsyncIterable<{ width: number; height: number }>;
  stdinOnce: boolean;
  signal?: AbortSignal;
}

/**
 * Runs one attach session against the shim's socket while `follow` streams output. `follow` gets
 * a signal that ends it early, and must call `ready` once it has fixed its starting point in the
 * log, so that no reply to the input is written before the point output is followed from.
 */
export async function attachSession(socketPath: string, io: SessionIO, follow: (signal: AbortSignal, ready: () => void) => Promise<void>): Promise<void> {
  const stop = new AbortController();
  const onAbort = () => stop.abort();
  if (io.signal?.aborted) stop.abort();
  else io.signal?.addEventListener('abort', onAbort, { once: true });
  const sock = await connectUnix(socketPath);
  // The shim closing the socket means the container exited; follow() sees that from the log and status.
  sock.on('error', () => undefined);
  sock.resume();
  stop.signal.addEventListener('abort', () => sock.destroy(), { once: true });
  let ready!: () => void;
  const following = new Promise<void>((r) => (ready = r));
  const output = follow(stop.signal, ready);
  try {
    await Promise.race([following, output]);
    if (io.resize) void sendSizes(sock, io.resize, stop.signal);
    if (io.stdin) pumpInput(io.stdin, sock, () => {
      // End of input hangs up: stdinOnce containers get EOF (the shim closes stdin); others are detached from.
      if (!io.stdinOnce) stop.abort();
    });
    await output;
  } finally {
    io.signal?.removeEventListener('abort', onAbort);
    if (io.stdin) io.stdin.removeAllListeners('data').pause();
    stop.abort();
  }
}

function pumpInput(stdin: Readable, sock: Socket, ended: () => void): void {
  stdin.on('data', (d: Buffer) => {
    if (sock.writableEnded || sock.destroyed) return;
    // Backpressure: a full socket pauses the client's input until the shim has read it.
    if (!sock.write(frame(Frame.stdin, d))) {
      stdin.pause();
      sock.once('drain', () => stdin.resume());
    }
  });
  stdin.once('end', () => {
    if (!sock.destroyed) sock.end();
    ended();
  });
  if (stdin.readableEnded) {
    sock.end();
    ended();
  }
}

async function sendSizes(sock: Socket, sizes: AsyncIterable<{ width: number; height: number }>, signal: AbortSignal): Promise<void> {
  try {
    for await (const s of sizes) {
      if (signal.aborted || sock.writableEnded || sock.destroyed) return;
      const p = Buffer.alloc(4);
      p.writeUInt16BE(Math.max(0, Math.min(0xffff, Math.trunc(s.width))), 0);
      p.writeUInt16BE(Math.max(0, Math.min(0xffff, Math.trunc(s.height))), 2);
      sock.write(frame(Frame.resize, p));
    }
  } catch {
    // the size stream ended with the session
  }
}
