/**
 * @module Starts the built-in ingress controller inside `skiff server` (`--ingress-http-port`,
 * `--ingress-https-port`): its own in-process client as `system:skiff-ingress` (ClusterRole of
 * the same name), its own informers, and a self-signed default certificate made at start (as
 * ingress-nginx's fake certificate). A port already in use disables the ingress with a warning
 * rather than failing the control plane, as DNS does. `workers` (`--ingress-workers`, default
 * one per CPU as nginx; 0 keeps the proxying in this process) moves the proxying to worker
 * processes once the caches have synced.
 */
import { availableParallelism } from 'node:os';
import type { Registry } from 'prom-client';
import type { UserInfo } from '../../apiserver/types.ts';
import { InformerFactory } from '../../client/cache/factory.ts';
import { ClientEventRecorder } from '../../client/events/recorder.ts';
import { Client } from '../../client/rest.ts';
import type { Transport } from '../../client/transport.ts';
import { IngressController } from '../../ingress/controller.ts';
import { createCA, issueCert } from '../../pki/certs.ts';
import type { Clock } from '../../util/clock.ts';
import type { Logger } from '../../util/log.ts';

export interface IngressHandle {
  /** Actual ports; undefined when that listener (or the whole ingress) is disabled. */
  httpPort?: number;
  httpsPort?: number;
  stop(): Promise<void>;
}

export async function startIngress(
  transportFor: (user: UserInfo) => Transport,
  clock: Clock,
  logger: Logger,
  signal: AbortSignal,
  opts: { httpPort?: number; httpsPort?: number; host: string; advertiseAddress: string; metrics?: Registry; workers?: number },
): Promise<IngressHandle> {
  const enabled = (p?: number) => p !== undefined && p >= 0;
  if (!enabled(opts.httpPort) && !enabled(opts.httpsPort)) return { stop: async () => {} };
  const log = logger.child({ component: 'ingress' });
  const user: UserInfo = { username: 'system:skiff-ingress', groups: ['system:authenticated'] };
  const client = new Client(transportFor(user), { userAgent: 'skiff-ingress', fieldManager: 'skiff-ingress' });
  const informers = new InformerFactory(client, { clock, logger: log });
  const recorder = new ClientEventRecorder(client, { component: 'skiff-ingress' }, clock, log);
  const ca = await createCA('skiff-ingress-default-ca');
  const defaultCert = await issueCert(ca, { commonName: 'Kubernetes Ingress Controller Fake Certificate', organizations: ['Acme Co'], usage: 'server', sans: ['ingress.local'] });
  const controller = new IngressController(client, informers, recorder, { host: opts.host, httpPort: opts.httpPort, httpsPort: opts.httpsPort, advertiseAddress: opts.advertiseAddress, defaultCert, metrics: opts.metrics, workers: opts.workers ?? availableParallelism() }, log);
  try {
    await controller.listen();
  } catch (err) {
    log.warn('ingress controller not started', { httpPort: opts.httpPort, httpsPort: opts.httpsPort, err: String(err) });
    return { stop: async () => {} };
  }
  informers.start(signal);
  const running = controller.run(signal).catch((err: unknown) => log.error('ingress controller stopped', { err: String(err) }));
  log.info('ingress controller listening', { host: opts.host, httpPort: controller.httpPort, httpsPort: controller.httpsPort });
  return {
    httpPort: controller.httpPort,
    httpsPort: controller.httpsPort,
    async stop() {
      await controller.close();
      await running;
      await informers.stopped();
    },
  };
}
