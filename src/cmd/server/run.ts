/**
 * @module Wires the control plane together in one process, in order: data dir and PKI →
 * storage → API server (watch cache) → system namespaces → HTTPS listener → kubeconfig →
 * in-process clients for the controllers. `stop()` undoes it in reverse.
 */
import { setMaxListeners } from 'node:events';
import { mkdir } from 'node:fs/promises';
import { hostname } from 'node:os';
import { join } from 'node:path';
import type { AddressInfo } from 'node:net';
import { Authorization } from '../../apiserver/auth/authorization.ts';
import { createListener, setServingCertificate } from '../../apiserver/listener.ts';
import { allStrategies } from '../../apiserver/registry/index.ts';
import { ApiServer } from '../../apiserver/server.ts';
import type { ApiRequest, UserInfo } from '../../apiserver/types.ts';
import { inProcessTransport } from '../../client/in-process-transport.ts';
import type { Transport } from '../../client/transport.ts';
import { loadOrCreatePki, runServerCertificateRenewal, type ClusterPki } from '../../pki/store.ts';
import { writeKubeconfig } from '../../pki/kubeconfig.ts';
import { Compactor } from '../../storage/compactor.ts';
import { createBackend, parseDatastore } from '../../storage/factory.ts';
import { realClock, type Clock } from '../../util/clock.ts';
import { createLogger, type Logger } from '../../util/log.ts';
import { buildAuthenticator, prepareJoin, withTokenIssuer } from './authn.ts';
import { managedFieldsTracker } from './managed-fields.ts';
import { ensureSystemPriorityClasses } from './bootstrap-priority.ts';
import { ensureDefaultStorageClass } from './bootstrap-storage.ts';
import { startControllers } from './controllers.ts';
import { startScheduler } from './scheduler.ts';
import { startClusterDns, type DnsHandle } from './dns.ts';
import { startIngress, type IngressHandle } from './ingress.ts';
import { startSimNodes, type SimNodesHandle } from './sim-nodes.ts';
import { createMetricsServer } from './metrics-server.ts';
import { createServerMetrics } from './metrics-registry.ts';
import { DnsMetrics } from '../../dns/metrics.ts';
import { ApiServerMetrics } from '../../apiserver/metrics.ts';
import { instrumentBackend } from '../../storage/metrics.ts';
import { startAgent, type AgentTunables } from './agent.ts';
import { startServerRegistry, type RegistryHandle } from './registry.ts';
import { advertiseAddress, reconcileKubernetesService, setupServiceAllocation } from './services.ts';
import type { SimOptions } from '../../kubelet/sim/options.ts';
import type { ServerOptions } from './options.ts';
import { loadEncryptionConfig, loadOrCreateEncryptionConfig } from '../../apiserver/encryption/config.ts';
import { createAuditor } from '../../apiserver/audit/setup.ts';

export const systemNamespaces = ['default', 'kube-system', 'kube-public', 'kube-node-lease'];

export interface RunningServer {
  url: string;
  port: number;
  kubeconfigPath: string;
  pki: ClusterPki;
  api: ApiServer;
  /** A client transport that enters the pipeline in-process as the given user. */
  transportFor(user: UserInfo): Transport;
  /** The simulated nodes this server runs (`--sim-nodes`). */
  simNodes: SimNodesHandle;
  /** The built-in OCI registry (`registry.address` is `127.0.0.1:<port>`; undefined when disabled). */
  registry: RegistryHandle;
  /** The cluster DNS server (`dns.port`; undefined when disabled, `--dns-port -1`). */
  dns: DnsHandle;
  /** The built-in ingress controller (`ingress.httpPort`/`httpsPort`; undefined when disabled). */
  ingress: IngressHandle;
  stop(): Promise<void>;
}

export interface ServerDeps {
  clock?: Clock;
  logger?: Logger;
  /** Tunables for the controllers (tests shorten grace periods and intervals). */
  controllerOptions?: Record<string, number | string | boolean>;
  /** Tunables of the simulated nodes (tests shorten Lease renewals and pod timings). */
  simOptions?: Partial<SimOptions>;
  /** Tunables of the embedded node agent (tests shorten resync and back-off). */
  agentOptions?: Partial<AgentTunables>;
}

export async function runServer(opts: ServerOptions, deps: ServerDeps = {}): Promise<RunningServer> {
  const started = performance.now();
  const logger = deps.logger ?? createLogger({ component: 'skiff-server' }, { level: opts.logLevel });
  const clock = deps.clock ?? realClock;
  await mkdir(join(opts.dataDir, 'db'), { recursive: true, mode: 0o700 });

  const sans = ['localhost', '127.0.0.1', hostname(), ...opts.tlsSans];
  if (opts.bindAddress !== '0.0.0.0' && opts.bindAddress !== '::' && !sans.includes(opts.bindAddress)) sans.push(opts.bindAddress);
  const pki = await loadOrCreatePki(join(opts.dataDir, 'tls'), [...new Set(sans)]);
  // Read per dial by the pod proxy and the metrics scraper; the renewal timer updates them in place.
  const kubeletTls = { cert: pki.kubeletClient.cert, key: pki.kubeletClient.key, ca: pki.ca.cert };
  const kubeletClientConfig = { ...kubeletTls, addressCidrs: opts.kubeletAddressCidrs ?? [] };

  // Encryption at rest is on by default: a key generated into the data dir on first start.
  const transformerFor = opts.encryptionConfig
    ? await loadEncryptionConfig(opts.encryptionConfig)
    : await loadOrCreateEncryptionConfig(join(opts.dataDir, 'tls', 'encryption-config.yaml'));
  const audit = await createAuditor(opts.audit ?? {}, () => clock.now());
  // One Prometheus registry for every in-process component, served by the API server's /metrics.
  const metrics = createServerMetrics();
  const backend = instrumentBackend(createBackend(parseDatastore(opts.datastore, opts.dataDir)), metrics.registry);
  await backend.start();
  const stopCtl = new AbortController();
  // Every component's watches listen on the one stop signal.
  setMaxListeners(0, stopCtl.signal);
  const compactor = new Compactor(backend, { keepRevisions: 10_000, intervalMs: 60_000 });
  const compacting = compactor.start(stopCtl.signal).catch((err: unknown) => logger.error('compactor stopped', { err }));

  let port = opts.port;
  const authorization = new Authorization(logger.child({ component: 'authorizer' }));
  const authenticator = await buildAuthenticator(opts.auth ?? {}, join(opts.dataDir, 'tls'), async (g, v, r, ns, name) => (await api.store(g, v, r)?.getRaw(ns, name))?.obj);
  const metricsServer = createMetricsServer();
  const api = new ApiServer({
    metricsProvider: metricsServer.provider,
    metrics: new ApiServerMetrics({ registry: metrics.registry }),
    backend,
    clock,
    logger: logger.child({ component: 'apiserver' }),
    strategies: allStrategies,
    // The TokenRequest subresource finds its signer on the outermost authenticator.
    authenticator: withTokenIssuer(authorization.impersonating(authenticator), authenticator.tokenIssuer),
    authorizer: authorization.authorizer,
    admission: authorization.admission,
    trackManagedFields: managedFieldsTracker,
    serverAddress: () => `${opts.bindAddress}:${port}`,
    transformerFor,
    auditor: audit?.auditor,
    kubeletClient: kubeletClientConfig,
  });
  const serving = api.start(stopCtl.signal).catch((err: unknown) => logger.error('apiserver stopped', { err }));
  await api.watchCache.ready;
  for (const ns of systemNamespaces) await api.ensureNamespace(ns);
  await authorization.start(api, stopCtl.signal);
  await ensureSystemPriorityClasses(api);
  await ensureDefaultStorageClass(api);
  const serviceAlloc = await setupServiceAllocation(
    api,
    { serviceCidr: opts.serviceCidr ?? '10.43.0.0/16', nodePortRange: opts.serviceNodePortRange ?? '30000-32767' },
    logger,
  );

  const listener = createListener(
    { cert: pki.serving.cert, key: pki.serving.key, clientCA: pki.ca.cert, logger },
    (req) => api.handle(req),
  );
  await new Promise<void>((resolve, reject) => {
    listener.once('error', reject);
    listener.listen(opts.port, opts.bindAddress, () => resolve());
  });
  port = (listener.address() as AddressInfo).port;
  const renewingCerts = runServerCertificateRenewal(pki, [...new Set(sans)], {
    logger,
    signal: stopCtl.signal,
    onRenewed: () => {
      setServingCertificate(listener, { cert: pki.serving.cert, key: pki.serving.key, clientCA: pki.ca.cert });
      Object.assign(kubeletTls, { cert: pki.kubeletClient.cert, key: pki.kubeletClient.key });
      Object.assign(kubeletClientConfig, { cert: pki.kubeletClient.cert, key: pki.kubeletClient.key });
    },
  });
  await reconcileKubernetesService(api, serviceAlloc, advertiseAddress(opts.bindAddress), port);
  const host = opts.bindAddress === '0.0.0.0' || opts.bindAddress === '::' ? '127.0.0.1' : opts.bindAddress;
  const url = `https://${host.includes(':') ? `[${host}]` : host}:${port}`;
  const kubeconfigPath = join(opts.dataDir, 'kubeconfig.yaml');
  await writeKubeconfig(kubeconfigPath, { server: url, caCert: pki.ca.cert, user: pki.admin });
  await prepareJoin(api, { dataDir: opts.dataDir, server: url, caCert: pki.ca.cert });

  const transportFor = (user: UserInfo): Transport =>
    inProcessTransport((req) => api.handle({ ...req, peer: { kind: 'in-process', user } } as ApiRequest));
  const controllers = startControllers(transportFor, clock, logger, stopCtl.signal, { options: { clusterCidr: opts.clusterCidr, clusterSigningCertFile: join(pki.dir, 'ca.crt'), clusterSigningKeyFile: join(pki.dir, 'ca.key'), serviceAccountPrivateKeyFile: join(pki.dir, 'sa.key'), rootCAFile: join(pki.dir, 'ca.crt'), ...deps.controllerOptions }, metrics });
  const scheduler = startScheduler(transportFor, clock, logger, stopCtl.signal, { metrics: metrics.scheduler });
  const dns = await startClusterDns(transportFor, clock, logger, stopCtl.signal, { port: opts.dnsPort, bindAddress: opts.bindAddress, clusterDns: opts.clusterDns ?? '10.43.0.10', clusterDomain: opts.clusterDomain ?? 'cluster.local', metrics: new DnsMetrics(metrics.registry) });
  const ingress = await startIngress(transportFor, clock, logger, stopCtl.signal, { httpPort: opts.ingressHttpPort, httpsPort: opts.ingressHttpsPort, host: opts.bindAddress, advertiseAddress: advertiseAddress(opts.bindAddress), metrics: metrics.registry, workers: opts.ingressWorkers });
  const simNodes = startSimNodes(transportFor, clock, logger, stopCtl.signal, { count: opts.simNodes, ...deps.simOptions });
  const metricsCollecting = metricsServer.start(transportFor, clock, logger, stopCtl.signal, { resolutionMs: opts.metricResolutionMs ?? 15_000, sources: [simNodes.usage], kubeletTls, kubeletAddressCidrs: opts.kubeletAddressCidrs ?? [] });
  // Before the node agent, so its first pulls from the built-in registry find it listening.
  const registry = await startServerRegistry(opts.dataDir, { port: opts.registryPort, bindAddress: opts.registryBindAddress, htpasswdFile: opts.registryHtpasswd }, logger);
  const agent = await startAgent(transportFor, logger, stopCtl.signal, { dataDir: opts.dataDir, disabled: opts.disableAgent, runtime: opts.runtime, nodeName: opts.nodeName, bridge: opts.nodeBridge, tunables: { clusterDNS: [opts.clusterDns ?? '10.43.0.10'], clusterDomain: opts.clusterDomain ?? 'cluster.local', metrics: metrics.registry, ...deps.agentOptions }, kubeletServer: { ca: pki.ca, port: opts.kubeletPort ?? 0 }, proxy: { mode: opts.proxyMode, serviceCidr: opts.serviceCidr ?? '10.43.0.0/16', clusterCidr: opts.clusterCidr, registry: metrics.registry } });

  logger.info('skiff server ready', { url, kubeconfig: kubeconfigPath, startupMs: Math.round(performance.now() - started) });

  return {
    url,
    port,
    kubeconfigPath,
    pki,
    api,
    transportFor,
    simNodes,
    registry,
    dns,
    ingress,
    async stop() {
      stopCtl.abort();
      await ingress.stop();
      await dns.stop();
      await registry.stop();
      listener.close();
      listener.closeAllConnections();
      await Promise.allSettled([serving, renewingCerts, compacting, controllers, scheduler, simNodes.done, agent.done, metricsCollecting]);
      await backend.close();
      audit?.close();
    },
  };
}
