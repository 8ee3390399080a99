/**
 * @module Keep-alive upstream connections per `host:port` (as nginx's `upstream … keepalive`):
 * the most recently returned idle connection is reused first; an idle one is dropped after
 * `timeoutMs` without traffic, beyond `maxIdlePerHost`, or as soon as the upstream closes it or
 * sends anything unasked. Each socket gets its listeners and timeout once, for its whole life,
 * and routes their events to the exchange using it (`user`): per-request listener and timer
 * churn was a measurable share of the proxy's CPU. `reused` says whether the connection served
 * an earlier request, because a request that fails on a reused socket before any response byte
 * (the upstream closed it meanwhile) is safe to retry on a fresh one.
 */
import net, { type Socket } from 'node:net';

export interface PoolOptions {
  maxIdlePerHost?: number;
  /** Idle keep-alive connections, and exchanges waiting for upstream bytes, time out after this (ingress-nginx: 60 s both). */
  timeoutMs?: number;
  connectTimeoutMs?: number;
}

/** The exchange currently using an upstream connection. */
export interface UpstreamUser {
  upData(d: Buffer): void;
  /** The upstream ended or closed the connection. */
  upEnd(): void;
  upError(err: NodeJS.ErrnoException): void;
  upTimeout(): void;
  upDrain(): void;
}

/** What waits for `acquire`. */
export interface Waiter {
  connected(c: UpstreamConn): void;
  connectFailed(err: NodeJS.ErrnoException): void;
}

export class UpstreamConn {
  user?: UpstreamUser;
  reused = false;
  idle = false;
  /** Spliced to a client after a 101: the tunnel owns the socket now. */
  spliced = false;

  constructor(
    readonly socket: Socket,
    readonly key: string,
    pool: UpstreamPool,
  ) {
    socket.setTimeout(pool.timeoutMs);
    // While idle every event means the connection is no longer usable.
    socket.on('data', (d: Buffer) => this.spliced || (this.user ? this.user.upData(d) : pool.drop(this)));
    socket.on('end', () => this.spliced || (this.user ? this.user.upEnd() : pool.drop(this)));
    socket.on('close', () => this.spliced || (this.user ? this.user.upEnd() : pool.drop(this)));
    socket.on('error', (err: NodeJS.ErrnoException) => this.spliced || (this.user ? this.user.upError(err) : pool.drop(this)));
    socket.on('timeout', () => this.spliced || (this.user ? this.user.upTimeout() : pool.drop(this)));
    socket.on('drain', () => this.spliced || this.user?.upDrain());
  }

  /** Hands the socket to a tunnel: no timeout, no pool, events no longer routed. */
  splice(): Socket {
    this.spliced = true;
    this.user = undefined;
    this.socket.setTimeout(0);
    return this.socket;
  }
}

export class UpstreamPool {
  private readonly idle = new Map<string, UpstreamConn[]>();
  private readonly maxIdle: number;
  readonly timeoutMs: number;
  readonly connectTimeoutMs: number;
  private closed = false;

  constructor(opts: PoolOptions = {}) {
    this.maxIdle = opts.maxIdlePerHost ?? 64;
    this.timeoutMs = opts.timeoutMs ?? 60_000;
    this.connectTimeoutMs = opts.connectTimeoutMs ?? 5_000;
  }

  /** An idle connection to `host:port` (reused), else a fresh one (`fresh`: always). */
  acquire(host: string, port: number, w: Waiter, fresh = false): void {
    const key = `${host}:${port}`;
    const list = fresh ? undefined : this.idle.get(key);
    while (list?.length) {
      const c = list.pop()!;
      c.idle = false;
      if (!c.socket.destroyed && c.socket.readyState === 'open') {
        c.reused = true;
        return w.connected(c);
      }
      c.socket.destroy();
    }
    this.connect(host, port, key, w);
  }

  private connect(host: string, port: number, key: string, w: Waiter): void {
    let socket: net.Socket;
    try {
      socket = net.connect({ host, port, noDelay: true });
    } catch (err) {
      // An address net.connect refuses at once (a port out of range): a failed attempt (502).
      return void queueMicrotask(() => w.connectFailed(err as NodeJS.ErrnoException));
    }
    const timer = setTimeout(() => socket.destroy(Object.assign(new Error(`connect to ${key} timed out`), { code: 'ETIMEDOUT' })), this.connectTimeoutMs);
    const onError = (err: NodeJS.ErrnoException) => {
      clearTimeout(timer);
      socket.destroy();
      w.connectFailed(err);
    };
    socket.once('error', onError);
    socket.once('connect', () => {
      clearTimeout(timer);
      socket.off('error', onError);
      w.connected(new UpstreamConn(socket, key, this));
    });
  }

  /** Returns a connection whose exchange is complete (its `user` already cleared). */
  release(c: UpstreamConn): void {
    if (this.closed || c.socket.destroyed || c.socket.readyState !== 'open') return void c.socket.destroy();
    let list = this.idle.get(c.key);
    if (!list) this.idle.set(c.key, (list = []));
    if (list.length >= this.maxIdle) return void c.socket.destroy();
    c.user = undefined;
    c.idle = true;
    list.push(c);
  }

  /** Forgets an idle connection and closes it. */
  drop(c: UpstreamConn): void {
    c.socket.destroy();
    if (!c.idle) return;
    c.idle = false;
    const l = this.idle.get(c.key);
    const i = l?.indexOf(c) ?? -1;
    if (i >= 0) l!.splice(i, 1);
    if (l && !l.length) this.idle.delete(c.key);
  }

  /** Idle connections per key (tests, metrics). */
  idleCount(key?: string): number {
    if (key) return this.idle.get(key)?.length ?? 0;
    let n = 0;
    for (const l of this.idle.values()) n += l.length;
    return n;
  }

  /** Drops every idle connection; later releases close theirs. */
  destroy(): void {
    this.closed = true;
    for (const l of [...this.idle.values()]) for (const c of [...l]) this.drop(c);
  }
}
