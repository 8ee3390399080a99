/**
 * @module The ingress worker process (`--ingress-workers N`, forked by `workers.ts`): the same
 * request handler as the in-process ingress (router, canary, endpoints, retries, TLS by SNI) on
 * listening sockets the server bound and handed over IPC. It routes from the snapshots the
 * controller pushes, accepts connections only once the first one arrived, sends its metrics
 * back in batches, and exits when the server goes away (IPC disconnect).
 */
import type { Server, Socket } from 'node:net';
import { UpstreamPool } from './http1/pool.ts';
import { Http1Server } from './http1/server.ts';
import { ingressHandler, type ProxyContext } from './proxy.ts';
import { RouteTable } from './router.ts';
import { SnapshotCerts, SnapshotEndpoints, type FromWorker, type MetricBatch, type Snapshot, type ToWorker } from './snapshot.ts';

const flushMs = 200;

export function runIngressWorker(): void {
  const send = (m: FromWorker) => process.send?.(m);
  let snapshot: Snapshot | undefined;
  let table = new RouteTable([]);
  const current = () => snapshot!;
  const certs = new SnapshotCerts(current);
  const batch = new Map<string, MetricBatch>();
  const ctx: ProxyContext = {
    table: () => table,
    endpoints: new SnapshotEndpoints(current),
    pool: new UpstreamPool(),
    metrics: {
      observe(ingress, service, code, seconds) {
        const k = `${ingress}\0${service}\0${code}`;
        let b = batch.get(k);
        if (!b) batch.set(k, (b = { ingress, service, code, seconds: [] }));
        b.seconds.push(seconds);
      },
    },
  };
  const servers = {
    http: () => new Http1Server('http', ingressHandler(ctx, 'http'), undefined),
    https: () =>
      new Http1Server('https', ingressHandler(ctx, 'https'), {
        ...current().defaultCert,
        SNICallback: (name, cb) => {
          const t = table.tlsFor(name.toLowerCase());
          cb(null, (t && certs.contextFor(t)) || certs.defaultContext);
        },
      }),
  };
  // Handles that arrived before the first snapshot wait for it (they are not accepting yet).
  const pending: { proto: 'http' | 'https'; handle: Server }[] = [];
  const serve = (proto: 'http' | 'https', handle: Server) => {
    const srv = servers[proto]();
    // The handle is already listening; its connections go to the HTTP/1.1 data path.
    handle.on('connection', (sock: Socket) => srv.accept(sock));
    send({ type: 'listening', proto });
  };
  process.on('message', (m: ToWorker, handle?: Server) => {
    if (m.type === 'snapshot') {
      snapshot = m.snapshot;
      table = new RouteTable(snapshot.ingresses);
      ctx.httpsPort = snapshot.httpsPort;
      for (const p of pending.splice(0)) serve(p.proto, p.handle);
    } else if (m.type === 'server' && handle) {
      if (snapshot) serve(m.proto, handle);
      else pending.push({ proto: m.proto, handle });
    }
  });
  const flush = () => {
    if (!batch.size || !process.connected) return;
    send({ type: 'metrics', batch: [...batch.values()] });
    batch.clear();
  };
  setInterval(flush, flushMs).unref();
  // The server is gone (or stopped us): nothing left to route for.
  process.on('disconnect', () => process.exit(0));
  process.on('SIGTERM', () => {
    flush();
    process.exit(0);
  });
}

if (process.argv.includes('__ingress-worker')) runIngressWorker();
