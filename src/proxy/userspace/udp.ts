/**
 * @module One UDP listener of the userspace proxy. Each client address gets a session: its own
 * socket towards one endpoint (picked by the balancer when the session opens), replies relayed
 * back from the listening socket, and an idle timer that closes the session. With no endpoint
 * the datagram is dropped (UDP has nothing to reset).
 */
import { createSocket, type Socket } from 'node:dgram';
import { isIPv6 } from 'node:net';
import type { Logger } from '../../util/log.ts';
import type { UserspaceMetrics } from './metrics.ts';
import { clientAddress, type ProxyListener, type Route } from './route.ts';

export interface UdpOptions {
  idleTimeoutMs: number;
}

interface Session {
  socket: Socket;
  timer: NodeJS.Timeout;
  service: string;
}

export async function listenUdp(
  host: string,
  port: number,
  route: Route,
  deps: { logger: Logger; metrics: UserspaceMetrics; options: UdpOptions },
): Promise<ProxyListener> {
  const type = isIPv6(host) ? 'udp6' : 'udp4';
  let current = route;
  const sessions = new Map<string, Session>();
  const listener = createSocket({ type, reuseAddr: false });

  const end = (key: string) => {
    const s = sessions.get(key);
    if (!s) return;
    sessions.delete(key);
    clearTimeout(s.timer);
    s.socket.close();
    deps.metrics.active.dec({ service: s.service });
  };

  const open = (key: string, address: string, clientPort: number): Session | undefined => {
    const r = current;
    const [target] = r.balancer.candidates(clientAddress(address));
    if (!target) {
      deps.metrics.errors.inc({ service: r.service, reason: 'no-endpoints' });
      return undefined;
    }
    r.balancer.connected(clientAddress(address), target);
    const socket = createSocket(isIPv6(target.ip) ? 'udp6' : 'udp4');
    const s: Session = { socket, service: r.service, timer: setTimeout(() => end(key), deps.options.idleTimeoutMs) };
    socket.on('message', (msg) => {
      s.timer.refresh();
      listener.send(msg, clientPort, address);
    });
    socket.on('error', () => {
      deps.metrics.errors.inc({ service: r.service, reason: 'stream' });
      end(key);
    });
    socket.connect(target.port, target.ip);
    sessions.set(key, s);
    deps.metrics.connections.inc({ service: r.service });
    deps.metrics.active.inc({ service: r.service });
    return s;
  };

  listener.on('message', (msg, rinfo) => {
    const key = `${rinfo.address}|${rinfo.port}`;
    const s = sessions.get(key) ?? open(key, rinfo.address, rinfo.port);
    if (!s) return;
    s.timer.refresh();
    // A session socket is usable for send only once connected; queue until then.
    const send = () => s.socket.send(msg);
    try {
      s.socket.remoteAddress();
      send();
    } catch {
      s.socket.once('connect', send);
    }
  });

  await new Promise<void>((resolve, reject) => {
    listener.once('error', reject);
    listener.bind({ address: host, port, exclusive: true }, () => {
      listener.off('error', reject);
      resolve();
    });
  });
  listener.on('error', (err) => deps.logger.warn('proxy listener failed', { host, port, protocol: 'UDP', err }));
  return {
    port: listener.address().port,
    setRoute(r) {
      current = r;
    },
    async close() {
      for (const key of [...sessions.keys()]) end(key);
      await new Promise<void>((resolve) => listener.close(() => resolve()));
    },
  };
}
