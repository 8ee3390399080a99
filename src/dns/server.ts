/**
 * @module The cluster DNS server: UDP and TCP (RFC 1035 §4.2.2 length-prefixed, several
 * queries per connection, idle connections closed) on one address and port, answering from a
 * `ClusterView`. Counts queries by response code and logs the rate every `statsIntervalMs`
 * (Prometheus-free counters; `stats()` gives them to callers).
 */
import { createSocket, type Socket as UdpSocket } from 'node:dgram';
import { createServer, isIPv6, type Server, type Socket } from 'node:net';
import type { Logger } from '../util/log.ts';
import { answerMessage, type ReplyCode } from './packet.ts';
import type { ZoneOptions } from './records.ts';
import type { ClusterView } from './view.ts';
import type { DnsMetrics } from './metrics.ts';

export interface DnsServerOptions {
  host: string;
  /** 0 picks a free port (the same one for UDP and TCP). */
  port: number;
  logger: Logger;
  /** Close TCP connections idle this long (default 10 s). */
  tcpIdleMs?: number;
  /** Log the query rate this often (default 60 s; 0 disables). */
  statsIntervalMs?: number;
  /** CoreDNS-named Prometheus metrics; none: only the built-in counters. */
  metrics?: DnsMetrics;
}

export interface DnsStats {
  queries: number;
  byRcode: Partial<Record<ReplyCode, number>>;
  truncated: number;
}

export class DnsServer {
  private udp?: UdpSocket;
  private tcp?: Server;
  private readonly conns = new Set<Socket>();
  private timer?: NodeJS.Timeout;
  private readonly counters: DnsStats = { queries: 0, byRcode: {}, truncated: 0 };
  port = 0;

  constructor(
    private readonly view: ClusterView,
    private readonly zone: ZoneOptions,
    private readonly opts: DnsServerOptions,
  ) {}

  stats(): DnsStats {
    return { ...this.counters, byRcode: { ...this.counters.byRcode } };
  }

  /** Binds UDP then TCP on the same port; with port 0, retries when TCP finds it taken. */
  async listen(): Promise<number> {
    for (let attempt = 0; ; attempt++) {
      const udp = await this.bindUdp(this.opts.port);
      const port = udp.address().port;
      try {
        this.tcp = await this.bindTcp(port);
      } catch (err) {
        udp.close();
        if (this.opts.port !== 0 || attempt >= 5) throw err;
        continue;
      }
      this.udp = udp;
      this.port = port;
      break;
    }
    const every = this.opts.statsIntervalMs ?? 60_000;
    if (every > 0) {
      let last = 0;
      this.timer = setInterval(() => {
        const n = this.counters.queries;
        this.opts.logger.info('dns queries', { perSecond: Math.round(((n - last) * 1000) / every), total: n, byRcode: this.counters.byRcode });
        last = n;
      }, every);
      this.timer.unref();
    }
    return this.port;
  }

  async close(): Promise<void> {
    clearInterval(this.timer);
    for (const c of this.conns) c.destroy();
    await Promise.all([
      new Promise<void>((r) => (this.udp ? this.udp.close(() => r()) : r())),
      new Promise<void>((r) => (this.tcp ? this.tcp.close(() => r()) : r())),
    ]);
  }

  private answer(msg: Buffer, transport: 'udp' | 'tcp', family: string | undefined): Buffer | undefined {
    const started = this.opts.metrics ? performance.now() : 0;
    let out;
    try {
      out = answerMessage(msg, this.view, this.zone, transport);
    } catch (err) {
      // Nothing a client sends may take the server down; a bug here costs one answer.
      this.opts.logger.warn('dns: cannot answer', { err });
      return undefined;
    }
    if (!out) return undefined;
    this.counters.queries++;
    this.counters.byRcode[out.outcome.rcode] = (this.counters.byRcode[out.outcome.rcode] ?? 0) + 1;
    if (out.outcome.truncated) this.counters.truncated++;
    this.opts.metrics?.observe({
      server: `dns://${isIPv6(this.opts.host) ? `[${this.opts.host}]` : this.opts.host}:${this.port}`,
      proto: transport,
      family: family === 'IPv6' || family === 'udp6' ? 6 : 4,
      msg,
      rcode: out.outcome.rcode,
      seconds: (performance.now() - started) / 1000,
    });
    return out.reply;
  }

  private bindUdp(port: number): Promise<UdpSocket> {
    const sock = createSocket(isIPv6(this.opts.host) ? 'udp6' : 'udp4');
    sock.on('message', (msg, rinfo) => {
      const reply = this.answer(msg, 'udp', rinfo.family);
      if (reply) sock.send(reply, rinfo.port, rinfo.address);
    });
    return new Promise((resolve, reject) => {
      sock.once('error', reject);
      sock.bind(port, this.opts.host, () => {
        sock.off('error', reject);
        sock.on('error', (err) => this.opts.logger.warn('dns udp error', { err }));
        resolve(sock);
      });
    });
  }

  private bindTcp(port: number): Promise<Server> {
    const server = createServer((conn) => this.serveConnection(conn));
    return new Promise((resolve, reject) => {
      server.once('error', reject);
      server.listen(port, this.opts.host, () => {
        server.off('error', reject);
        resolve(server);
      });
    });
  }

  private serveConnection(conn: Socket): void {
    this.conns.add(conn);
    conn.setTimeout(this.opts.tcpIdleMs ?? 10_000, () => conn.destroy());
    conn.on('close', () => this.conns.delete(conn));
    conn.on('error', () => conn.destroy());
    let pending: Buffer = Buffer.alloc(0);
    conn.on('data', (chunk: Buffer) => {
      pending = pending.length ? Buffer.concat([pending, chunk]) : chunk;
      while (pending.length >= 2) {
        const len = pending.readUInt16BE(0);
        if (pending.length < 2 + len) break;
        const msg = pending.subarray(2, 2 + len);
        pending = pending.subarray(2 + len);
        const reply = this.answer(msg, 'tcp', conn.remoteFamily);
        if (!reply) continue;
        const head = Buffer.alloc(2);
        head.writeUInt16BE(reply.length);
        conn.write(Buffer.concat([head, reply]));
      }
    });
  }
}
