/**
 * @module The node agent for a real node: registers the Node (capacity, addresses, nodeInfo,
 * conditions) and keeps its status and `kube-node-lease` Lease fresh; watches only its own
 * pods (`spec.nodeName=<node>`) and hands them to the pod workers; relists the runtime every
 * second (upstream's PLEG) so container exits reach the workers; rotates container logs; and
 * removes sandboxes of pods that no longer exist. Stopping it leaves containers running: a new
 * kubelet over the same state re-attaches to them.
 */
import { mkdir } from 'node:fs/promises';
import type { Lease } from 'kubernetes-types/coordination/v1.js';
import type { ConfigMap, Secret } from 'kubernetes-types/core/v1.js';
import type { KubeObject } from '../api/object.ts';
import { InformerFactory } from '../client/cache/factory.ts';
import { ClientEventRecorder } from '../client/events/recorder.ts';
import { refs } from '../client/refs.ts';
import type { Client } from '../client/rest.ts';
import { isAlreadyExists, isConflict, isNotFound } from '../machinery/status.ts';
import { realClock } from '../util/clock.ts';
import type { Logger } from '../util/log.ts';
import { Backoff } from './backoff.ts';
import { podUid, type KubeletDeps, type P } from './deps.ts';
import { rotateLog } from './logs.ts';
import { cleanLocalPaths } from './volumes/local-path-cleanup.ts';
import type { StreamHandlers } from './server/handlers.ts';
import { KubeletServer } from './server/server.ts';
import { collectNodeUsage } from './stats/collect.ts';
import { hostFacts, newNode, nodeStatus, type N } from './node-status.ts';
import { PodWorkers } from './pod-workers.ts';
import { KubeletMetrics } from './metrics.ts';
import { Registry } from 'prom-client';
import { ProbeManager } from './prober/manager.ts';
import type { Runtime } from './runtime/interface.ts';
import { StatusManager } from './status-manager.ts';
import { VolumeManager } from './volumes/manager.ts';

export interface KubeletOptions {
  nodeName: string;
  /** The node's InternalIP (127.0.0.1 for the server's own node). */
  address: string;
  /** `<dataDir>/agent/<node>`. */
  agentDir: string;
  runtime: Runtime;
  client: Client;
  logger: Logger;
  maxPods?: number;
  leaseRenewMs?: number;
  nodeStatusMs?: number;
  /** Longest gap between unchanged node status writes (upstream nodeStatusReportFrequency, 5 min). */
  nodeStatusReportMs?: number;
  resyncMs?: number;
  relistMs?: number;
  /** Restart back-off (tests shorten it); upstream 10 s doubling to 300 s. */
  backoffInitialMs?: number;
  backoffMaxMs?: number;
  containerLogMaxBytes?: number;
  containerLogMaxFiles?: number;
  /** Mount tmpfs for Memory emptyDirs and secrets (default: when root). */
  useTmpfs?: boolean;
  /** Cluster DNS for pods' resolv.conf (kubelet --cluster-dns / --cluster-domain); unset: the host's file. */
  clusterDNS?: string[];
  clusterDomain?: string;
  /** The kubelet's HTTPS endpoint (logs, exec, attach, port-forward); none without it. */
  server?: { cert: string; key: string; clientCA: string; port: number; address?: string; handlers?: StreamHandlers };
  /** Registry for the kubelet's metrics (the server's, for the embedded kubelet); default: its own. */
  metrics?: Registry;
}

type L = Lease & KubeObject;

/** A node status without heartbeat times: what decides whether a write is due. */
const statusKey = (s: N['status']) =>
  JSON.stringify({ ...s, conditions: (s?.conditions ?? []).map((c) => ({ ...c, lastHeartbeatTime: undefined })) });
const microTime = (d: Date) => d.toISOString().replace(/\.(\d+)Z$/, (_m, ms: string) => `.${ms.padEnd(6, '0')}Z`);

export class Kubelet {
  private readonly deps: KubeletDeps;
  private readonly workers: PodWorkers;
  private readonly informers: InformerFactory;
  private node: N | undefined;
  private lastStatusWrite = 0;
  private lease: L | undefined;
  private serverPort = 0;
  private readonly metrics: KubeletMetrics;

  constructor(private readonly o: KubeletOptions) {
    const clock = realClock;
    const recorder = new ClientEventRecorder(o.client, { component: 'kubelet', host: o.nodeName }, clock, o.logger);
    const cmGet = async <T extends KubeObject>(ref: typeof refs.configmaps, ns: string, name: string): Promise<T | undefined> => {
      try {
        return await o.client.resource<T>(ref).get(name, ns);
      } catch (err) {
        if (isNotFound(err)) return undefined;
        throw err;
      }
    };
    let kick: (uid: string) => void = () => {};
    this.deps = {
      nodeName: o.nodeName,
      hostIP: o.address,
      agentDir: o.agentDir,
      dns: o.clusterDNS?.length ? { clusterDNS: o.clusterDNS, clusterDomain: o.clusterDomain ?? 'cluster.local' } : undefined,
      runtime: o.runtime,
      client: o.client,
      recorder,
      probes: new ProbeManager(o.runtime, recorder, (uid) => kick(uid)),
      status: new StatusManager(o.client),
      volumes: new VolumeManager({ useTmpfs: o.useTmpfs ?? process.getuid?.() === 0 }),
      backoff: new Backoff(o.backoffInitialMs ?? 10_000, o.backoffMaxMs ?? 300_000),
      logger: o.logger,
      allocatable: {},
      configMap: (ns, name) => cmGet<ConfigMap & KubeObject>(refs.configmaps, ns, name),
      secret: (ns, name) => cmGet<Secret & KubeObject>(refs.secrets, ns, name),
      resyncMs: o.resyncMs ?? 10_000,
    };
    this.metrics = new KubeletMetrics(o.metrics ?? new Registry(), o.runtime);
    this.deps.status.onStatus = (pod, status) => this.metrics.podStatus(pod, status);
    this.workers = new PodWorkers(this.deps, this.metrics);
    kick = (uid) => this.workers.kick(uid);
    this.informers = new InformerFactory(o.client, { clock, logger: o.logger });
    const pods = this.informers.informerFor<P>(refs.pods, { fieldSelector: `spec.nodeName=${o.nodeName}` });
    pods.addEventHandler({
      onAdd: (p) => this.workers.update(p),
      onUpdate: (_old, p) => this.workers.update(p),
      onDelete: (p) => this.workers.remove(p),
    });
  }

  private podsInformer() {
    return this.informers.informerFor<P>(refs.pods, { fieldSelector: `spec.nodeName=${this.o.nodeName}` });
  }

  async run(signal: AbortSignal): Promise<void> {
    const log = this.o.logger;
    await mkdir(this.o.agentDir, { recursive: true, mode: 0o700 });
    if (this.o.server) {
      const pods = this.podsInformer();
      const startTime = Date.now();
      const stats = () => collectNodeUsage({ nodeName: this.o.nodeName, runtime: this.o.runtime, pods: () => pods.store.list(), startTime });
      const srv = new KubeletServer({ ...this.o.server, agentDir: this.o.agentDir, logger: log, getPod: (ns, name) => pods.store.getByName(ns, name), stats, metrics: async () => ({ contentType: this.metrics.registry.contentType, body: await this.metrics.registry.metrics() }) });
      this.serverPort = await srv.start(signal);
      log.info('kubelet server listening', { port: this.serverPort });
    }
    const version = await this.o.runtime.version();
    const runtimeVersion = `${version.runtimeName}://${version.runtimeVersion}${version.runtimeName === 'process' ? '-no-isolation' : ''}`;
    await this.registerNode(runtimeVersion, signal);
    this.informers.start(signal);
    await this.informers.waitForSync(signal);
    const timers: NodeJS.Timeout[] = [];
    const every = (ms: number, fn: () => Promise<void>) => {
      let running = false;
      timers.push(setInterval(() => {
        if (running || signal.aborted) return;
        running = true;
        fn().catch((err: unknown) => !signal.aborted && log.warn('kubelet loop failed', { err: (err as Error).message })).finally(() => (running = false));
      }, ms));
    };
    every(this.o.leaseRenewMs ?? 10_000, () => this.renewLease());
    every(this.o.nodeStatusMs ?? 10_000, () => this.updateNodeStatus(runtimeVersion));
    every(this.o.relistMs ?? 1000, () => this.relist());
    every(10_000, () => this.housekeeping());
    // local-path directories the provisioner asked this node to remove (volumes/local-path-cleanup.ts).
    every(2000, async () => void (await cleanLocalPaths(this.o.client, this.o.nodeName)));
    await this.renewLease().catch((err: unknown) => log.warn('lease renewal failed', { err: (err as Error).message }));
    log.info('kubelet running', { node: this.o.nodeName, runtime: runtimeVersion });
    await new Promise<void>((r) => (signal.aborted ? r() : signal.addEventListener('abort', () => r(), { once: true })));
    for (const t of timers) clearInterval(t);
    await this.workers.stop();
    this.deps.probes.stopAll();
    await this.informers.stopped();
  }

  private async registerNode(runtimeVersion: string, signal: AbortSignal): Promise<void> {
    const nodes = this.o.client.resource<N>(refs.nodes);
    for (let attempt = 0; !signal.aborted; attempt++) {
      try {
        const fresh = newNode(this.o.nodeName, this.o.runtime.name);
        try {
          this.node = await nodes.create(fresh);
        } catch (err) {
          if (!isAlreadyExists(err)) throw err;
          const cur = await nodes.get(this.o.nodeName);
          this.node = await nodes.update({ ...cur, metadata: { ...cur.metadata, labels: { ...cur.metadata?.labels, ...fresh.metadata?.labels }, annotations: { ...cur.metadata?.annotations, ...fresh.metadata?.annotations } } });
        }
        await this.updateNodeStatus(runtimeVersion);
        await this.awaitPodCidr(signal);
        return;
      } catch (err) {
        this.o.logger.warn('node registration failed', { err: (err as Error).message });
        await new Promise((r) => setTimeout(r, Math.min(1000 * 2 ** attempt, 10_000)));
      }
    }
  }

  /** Pod networking needs the node's range: wait a little for IPAM to assign it (upstream: network not ready). */
  private async awaitPodCidr(signal: AbortSignal): Promise<void> {
    if (!this.o.runtime.setPodCidr) return;
    const nodes = this.o.client.resource<N>(refs.nodes);
    const deadline = Date.now() + 10_000;
    while (!signal.aborted && Date.now() < deadline) {
      const cidr = (await nodes.get(this.o.nodeName)).spec?.podCIDR;
      if (cidr) {
        this.o.runtime.setPodCidr(cidr);
        return;
      }
      await new Promise((r) => setTimeout(r, 200));
    }
    this.o.logger.warn('no podCIDR assigned to the node yet; the runtime uses its default range');
  }

  private async updateNodeStatus(runtimeVersion: string): Promise<void> {
    const nodes = this.o.client.resource<N>(refs.nodes);
    const facts = await hostFacts(this.o.agentDir, this.o.maxPods ?? 110);
    this.deps.allocatable = facts.allocatable;
    const addresses = [{ type: 'InternalIP', address: this.o.address }, { type: 'Hostname', address: this.o.nodeName }];
    // Others write the Node too (IPAM's podCIDR, lifecycle taints): retry a lost race on a fresh copy.
    for (let attempt = 0; ; attempt++) {
      const cur = await nodes.get(this.o.nodeName);
      if (cur.spec?.podCIDR) this.o.runtime.setPodCidr?.(cur.spec.podCIDR);
      const status = { ...(await nodeStatus(cur.status, facts, addresses, runtimeVersion, new Date())), daemonEndpoints: { kubeletEndpoint: { Port: this.serverPort } } };
      // With the Lease as heartbeat, status is written when it changes or every report period (upstream 5 min).
      if (statusKey(status) === statusKey(cur.status) && Date.now() - this.lastStatusWrite < (this.o.nodeStatusReportMs ?? 300_000)) return;
      try {
        this.node = await nodes.update({ ...cur, status }, 'status');
        this.lastStatusWrite = Date.now();
        return;
      } catch (err) {
        this.node = undefined;
        if (!isConflict(err) || attempt >= 4) throw err;
      }
    }
  }

  private async renewLease(): Promise<void> {
    const leases = this.o.client.resource<L>(refs.leases);
    const spec = (l?: L) => ({ ...l?.spec, holderIdentity: this.o.nodeName, leaseDurationSeconds: 40, renewTime: microTime(new Date()) });
    try {
      if (this.lease) {
        this.lease = await leases.update({ ...this.lease, spec: spec(this.lease) });
        return;
      }
    } catch {
      this.lease = undefined;
    }
    try {
      const cur = await leases.get(this.o.nodeName, 'kube-node-lease');
      this.lease = await leases.update({ ...cur, spec: spec(cur) });
    } catch (err) {
      if (!isNotFound(err)) throw err;
      const owner = this.node?.metadata?.uid ? [{ apiVersion: 'v1', kind: 'Node', name: this.o.nodeName, uid: this.node.metadata.uid }] : undefined;
      this.lease = await leases.create({ apiVersion: 'coordination.k8s.io/v1', kind: 'Lease', metadata: { name: this.o.nodeName, namespace: 'kube-node-lease', ...(owner ? { ownerReferences: owner } : {}) }, spec: spec() });
    }
  }

  private readonly lastStates = new Map<string, string>();
  private relists = 0;

  /** Upstream's PLEG: notice container state changes and wake the pod's worker. */
  private async relist(): Promise<void> {
    const list = await this.o.runtime.listContainers();
    const seen = new Set<string>();
    const rotate = ++this.relists % 10 === 0;
    for (const c of list) {
      seen.add(c.id);
      const uid = c.labels['io.kubernetes.pod.uid'];
      if (this.lastStates.get(c.id) !== c.state) {
        this.lastStates.set(c.id, c.state);
        if (uid) this.workers.kick(uid);
      }
    }
    for (const id of this.lastStates.keys()) if (!seen.has(id)) this.lastStates.delete(id);
    if (rotate) await this.rotateLogs();
  }

  private async rotateLogs(): Promise<void> {
    const pods = this.podsInformer().store.list();
    for (const p of pods) {
      const dir = `${this.o.agentDir}/logs/${p.metadata?.namespace}_${p.metadata?.name}_${podUid(p)}`;
      for (const c of [...(p.spec?.initContainers ?? []), ...(p.spec?.containers ?? [])]) {
        const st = [...(p.status?.containerStatuses ?? []), ...(p.status?.initContainerStatuses ?? [])].find((s) => s.name === c.name);
        if (!st?.state?.running) continue;
        await rotateLog(`${dir}/${c.name}/${st.restartCount}.log`, this.o.containerLogMaxBytes ?? 10 * 2 ** 20, this.o.containerLogMaxFiles ?? 5).catch(() => false);
      }
    }
  }

  /** Sandboxes of pods this node no longer has are stopped and removed. */
  private async housekeeping(): Promise<void> {
    const known = new Set(this.podsInformer().store.list().map(podUid));
    for (const sb of await this.o.runtime.listPodSandboxes()) {
      if (known.has(sb.uid) || this.workers.has(sb.uid)) continue;
      this.o.logger.info('removing orphaned pod sandbox', { pod: `${sb.namespace}/${sb.name}`, uid: sb.uid });
      await this.o.runtime.removePodSandbox(sb.id);
    }
  }
}
