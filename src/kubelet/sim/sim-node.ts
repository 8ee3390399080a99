/**
 * @module One simulated node's own upkeep, as the kubelet does it: register the Node, write
 * its status (at once when it differs from what the API holds, else every report period),
 * and renew `kube-node-lease/<node>` every renew interval. Pods are the pool's business.
 * `stop()` ends the upkeep (a failed node); `start()` resumes it.
 */
import { isAlreadyExists, isConflict, isNotFound } from '../../machinery/status.ts';
import type { Client } from '../../client/rest.ts';
import { refs } from '../../client/refs.ts';
import type { Clock } from '../../util/clock.ts';
import type { Logger } from '../../util/log.ts';
import { fallbackPodCidr, IPAllocator } from './ip-allocator.ts';
import type { Limiter } from './limiter.ts';
import { hashName, lastHeartbeat, microTime, newLease, newNode, nodeLeaseNamespace, nodeStatus, nodeStatusDiffers, simNodeIP, type L, type N } from './node-object.ts';
import type { SimOptions } from './options.ts';

export interface SimNodeDeps {
  client: Client;
  clock: Clock;
  logger: Logger;
  limiter: Limiter;
  options(): SimOptions;
  /** The node as the pool's informer last saw it. */
  observed(): N | undefined;
  /** Called once the Node exists, so the pool can start on its pods. */
  onRegistered(name: string): void;
}

export class SimNode {
  readonly ip: string;
  running = false;
  registered = false;
  registeredAt = 0;
  /** Pod uid → when this process started its containers (ms). */
  readonly startedAt = new Map<string, number>();
  private ipam: IPAllocator | undefined;
  private node: N | undefined;
  private lease: L | undefined;
  private ctl: AbortController | undefined;
  private wakeUp: (() => void) | undefined;
  private loop: Promise<void> = Promise.resolve();
  private nextLeaseAt = 0;

  constructor(
    readonly name: string,
    readonly index: number | undefined,
    private readonly deps: SimNodeDeps,
  ) {
    this.ip = simNodeIP(name, index);
  }

  /** The pod CIDR to allocate from: the node's spec.podCIDR, or after a wait a fallback /24. */
  podAllocator(now: number): IPAllocator | undefined {
    const cidr = this.deps.observed()?.spec?.podCIDR ?? this.node?.spec?.podCIDR;
    if (cidr && this.ipam?.cidr !== cidr) {
      try {
        this.ipam = new IPAllocator(cidr);
      } catch (err) {
        this.deps.logger.warn('unusable podCIDR', { node: this.name, cidr, err: err as Error });
      }
    }
    if (!this.ipam && this.registered && now - this.registeredAt >= this.deps.options().podCidrWaitMs)
      this.ipam = new IPAllocator(fallbackPodCidr(this.index ?? hashName(this.name)));
    return this.ipam;
  }

  /** Milliseconds left of the wait for a podCIDR. */
  cidrWaitLeftMs(now: number): number {
    return Math.max(50, this.registeredAt + this.deps.options().podCidrWaitMs - now);
  }

  start(parent: AbortSignal): void {
    if (this.running || parent.aborted) return;
    this.running = true;
    const ctl = new AbortController();
    this.ctl = ctl;
    const onAbort = () => ctl.abort();
    parent.addEventListener('abort', onAbort, { once: true });
    const prev = this.loop;
    this.loop = prev.then(() => this.upkeep(ctl.signal)).finally(() => parent.removeEventListener('abort', onAbort));
  }

  stop(): void {
    this.running = false;
    this.ctl?.abort();
  }

  /** Re-reads the options now (e.g. a shorter renew interval). */
  wake(): void {
    this.nextLeaseAt = Math.min(this.nextLeaseAt, Date.now() + this.deps.options().leaseRenewIntervalMs);
    this.wakeUp?.();
  }

  done(): Promise<void> {
    return this.loop;
  }

  private async upkeep(signal: AbortSignal): Promise<void> {
    const log = this.deps.logger;
    let backoff = 200;
    while (!signal.aborted && !this.registered) {
      try {
        await this.deps.limiter.run(() => this.register());
      } catch (err) {
        if (signal.aborted) return;
        log.warn('node registration failed; retrying', { node: this.name, err: err as Error });
        await this.sleep(backoff, signal);
        backoff = Math.min(backoff * 2, 10_000);
      }
    }
    let lastStatusAt = 0;
    let nextCheckAt = 0;
    // A (re)started node posts its status and renews its Lease at once.
    this.nextLeaseAt = 0;
    while (!signal.aborted) {
      const now = Date.now();
      const opts = this.deps.options();
      if (now >= nextCheckAt) {
        const current = this.deps.observed() ?? this.node;
        const due = !lastStatusAt || (current && (nodeStatusDiffers(current, opts) || Date.now() - Math.max(lastStatusAt, lastHeartbeat(current)) >= opts.nodeStatusReportMs));
        if (due) {
          const ok = await this.deps.limiter.run(() => this.writeStatus()).catch((err: unknown) => {
            if (!signal.aborted) log.warn('node status update failed', { node: this.name, err: err as Error });
            return false;
          });
          if (ok) lastStatusAt = Date.now();
        }
        nextCheckAt = Date.now() + opts.nodeStatusUpdateMs;
      }
      if (signal.aborted) return;
      if (Date.now() >= this.nextLeaseAt) {
        await this.deps.limiter.run(() => this.renewLease()).catch((err: unknown) => {
          if (!signal.aborted) log.warn('node lease renewal failed', { node: this.name, err: err as Error });
        });
        // The first renewal after a start is spread over the period so a pool does not renew in bursts.
        const spread = this.nextLeaseAt === 0 ? 0.5 + Math.random() * 0.5 : 1;
        this.nextLeaseAt = Date.now() + opts.leaseRenewIntervalMs * spread;
      }
      await this.sleep(Math.max(1, Math.min(this.nextLeaseAt, nextCheckAt) - Date.now()), signal);
    }
  }

  /** Sleeps until ms pass, the node stops, or wake() is called. */
  private async sleep(ms: number, signal: AbortSignal): Promise<void> {
    if (signal.aborted) return;
    const ctl = new AbortController();
    const onAbort = () => ctl.abort();
    signal.addEventListener('abort', onAbort, { once: true });
    this.wakeUp = onAbort;
    try {
      await this.deps.clock.sleep(ms, ctl.signal);
    } catch {
      // stopped or woken
    } finally {
      signal.removeEventListener('abort', onAbort);
      this.wakeUp = undefined;
    }
  }

  private async register(): Promise<void> {
    const nodes = this.deps.client.resource<N>(refs.nodes);
    try {
      this.node = await nodes.create(newNode(this.name));
      this.deps.logger.info('registered simulated node', { node: this.name });
    } catch (err) {
      if (!isAlreadyExists(err)) throw err;
      // As the kubelet does on a restart: the existing Node is ours to keep reporting on.
      this.node = await nodes.get(this.name);
    }
    this.registered = true;
    this.registeredAt = Date.now();
    this.deps.onRegistered(this.name);
  }

  private async writeStatus(): Promise<boolean> {
    const nodes = this.deps.client.resource<N>(refs.nodes);
    for (let attempt = 0; attempt < 3; attempt++) {
      const base = attempt === 0 ? (newer(this.deps.observed(), this.node) ?? (await nodes.get(this.name))) : await nodes.get(this.name);
      const next: N = { ...base, status: nodeStatus(this.name, this.ip, this.deps.options(), base.status, this.deps.clock.now()) };
      try {
        this.node = await nodes.update(next, 'status');
        return true;
      } catch (err) {
        if (isNotFound(err)) {
          // The kubelet does not re-register a deleted Node until it restarts; neither do we.
          this.deps.logger.warn('node object is gone; not re-registering', { node: this.name });
          return false;
        }
        if (!isConflict(err)) throw err;
      }
    }
    return false;
  }

  private async renewLease(): Promise<void> {
    const leases = this.deps.client.resource<L>(refs.leases);
    const now = this.deps.clock.now();
    if (this.lease) {
      const renewed: L = { ...this.lease, spec: { ...this.lease.spec, holderIdentity: this.name, leaseDurationSeconds: this.deps.options().leaseDurationSeconds, renewTime: microTime(now) } };
      try {
        this.lease = await leases.update(renewed);
        return;
      } catch (err) {
        if (!isConflict(err) && !isNotFound(err)) throw err;
      }
    }
    // First renewal, or someone else wrote it: start again from what the API holds.
    try {
      const current = await leases.get(this.name, nodeLeaseNamespace);
      this.lease = await leases.update({ ...current, spec: { ...current.spec, holderIdentity: this.name, leaseDurationSeconds: this.deps.options().leaseDurationSeconds, renewTime: microTime(now) } });
    } catch (err) {
      if (!isNotFound(err)) throw err;
      const node = this.node ?? this.deps.observed();
      this.lease = await leases.create(newLease(node ?? newNode(this.name), this.deps.options(), now));
    }
  }
}

/** The fresher of two copies of one object (resourceVersions are revisions here, but compare safely). */
function newer(a: N | undefined, b: N | undefined): N | undefined {
  if (!a || !b) return a ?? b;
  const ra = Number(a.metadata?.resourceVersion);
  const rb = Number(b.metadata?.resourceVersion);
  if (Number.isFinite(ra) && Number.isFinite(rb)) return ra >= rb ? a : b;
  return a;
}
