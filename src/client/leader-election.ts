/**
 * @module Lease-based leader election (client-go's leaderelection with a LeaseLock): a
 * candidate takes the Lease `kube-system/<name>` when it is free or expired, renews it every
 * retry period while it leads, and loses leadership if it cannot renew before the renew
 * deadline. `lead` runs the work only while leading and aborts it the moment leadership is
 * lost. On a clean stop the Lease is released so a successor need not wait for expiry.
 */
import type { Lease } from 'kubernetes-types/coordination/v1.js';
import type { KubeObject } from '../api/object.ts';
import { isAlreadyExists, isConflict, isNotFound } from '../machinery/status.ts';
import type { Clock } from '../util/clock.ts';
import type { Logger } from '../util/log.ts';
import { refs } from './refs.ts';
import type { Client } from './rest.ts';

export interface LeaderElectionConfig {
  /** Lease name, e.g. `kube-controller-manager`. */
  name: string;
  namespace?: string;
  /** This candidate's identity; a restart with the same identity re-takes its own Lease at once. */
  identity: string;
  leaseDurationSeconds?: number;
  renewDeadlineMs?: number;
  retryPeriodMs?: number;
}

type LeaseObject = Lease & KubeObject;

const microTime = (d: Date) => d.toISOString().replace('Z', '000Z');

export class LeaderElector {
  private readonly ns: string;
  private readonly durationS: number;
  private readonly renewDeadlineMs: number;
  private readonly retryMs: number;
  private leading = false;

  constructor(
    private readonly client: Client,
    private readonly cfg: LeaderElectionConfig,
    private readonly clock: Clock,
    private readonly log: Logger,
  ) {
    this.ns = cfg.namespace ?? 'kube-system';
    this.durationS = cfg.leaseDurationSeconds ?? 15;
    this.renewDeadlineMs = cfg.renewDeadlineMs ?? 10_000;
    this.retryMs = cfg.retryPeriodMs ?? 2_000;
  }

  get isLeader(): boolean {
    return this.leading;
  }

  /**
   * Campaigns until leading, runs `work` with a signal that aborts when leadership is lost or
   * `signal` aborts, and campaigns again after a loss. Returns when `signal` aborts.
   */
  async lead(signal: AbortSignal, work: (leading: AbortSignal) => Promise<unknown>): Promise<void> {
    while (!signal.aborted) {
      if (!(await this.tryAcquireOrRenew())) {
        await this.clock.sleep(this.retryMs, signal).catch(() => {});
        continue;
      }
      this.leading = true;
      this.log.info('became leader', { lease: `${this.ns}/${this.cfg.name}`, identity: this.cfg.identity });
      const term = new AbortController();
      const onAbort = () => term.abort();
      signal.addEventListener('abort', onAbort, { once: true });
      const working = work(term.signal).catch((err: unknown) => this.log.error('leader work failed', { err: err as Error }));
      let lastRenew = this.clock.now().getTime();
      while (!signal.aborted) {
        await this.clock.sleep(this.retryMs, signal).catch(() => {});
        if (signal.aborted) break;
        if (await this.tryAcquireOrRenew()) lastRenew = this.clock.now().getTime();
        else if (this.clock.now().getTime() - lastRenew > this.renewDeadlineMs) break;
      }
      signal.removeEventListener('abort', onAbort);
      term.abort();
      await working;
      this.leading = false;
      if (signal.aborted) {
        await this.release();
        return;
      }
      this.log.warn('lost leadership', { lease: `${this.ns}/${this.cfg.name}` });
    }
  }

  /** One attempt (client-go's tryAcquireOrRenew); true when this candidate holds the Lease. */
  async tryAcquireOrRenew(): Promise<boolean> {
    const leases = this.client.resource<LeaseObject>(refs.leases);
    const now = this.clock.now();
    let lease: LeaseObject;
    try {
      lease = await leases.get(this.cfg.name, this.ns);
    } catch (err) {
      if (!isNotFound(err)) return this.failed(err);
      try {
        await leases.create({
          apiVersion: 'coordination.k8s.io/v1',
          kind: 'Lease',
          metadata: { name: this.cfg.name, namespace: this.ns },
          spec: { holderIdentity: this.cfg.identity, leaseDurationSeconds: this.durationS, acquireTime: microTime(now), renewTime: microTime(now), leaseTransitions: 0 },
        });
        return true;
      } catch (e) {
        return isAlreadyExists(e) ? false : this.failed(e);
      }
    }
    const spec = lease.spec ?? {};
    const holder = spec.holderIdentity ?? '';
    const renewed = spec.renewTime ? Date.parse(spec.renewTime) : 0;
    const expired = renewed + (spec.leaseDurationSeconds ?? this.durationS) * 1000 < now.getTime();
    if (holder && holder !== this.cfg.identity && !expired) return false;
    const taking = holder !== this.cfg.identity;
    const next: LeaseObject = {
      ...lease,
      spec: {
        ...spec,
        holderIdentity: this.cfg.identity,
        leaseDurationSeconds: this.durationS,
        renewTime: microTime(now),
        // As upstream, taking the Lease from anyone else, a released (empty) holder included, is a transition.
        ...(taking ? { acquireTime: microTime(now), leaseTransitions: (spec.leaseTransitions ?? 0) + 1 } : {}),
      },
    };
    try {
      await leases.update(next);
      return true;
    } catch (err) {
      return isConflict(err) ? false : this.failed(err);
    }
  }

  private failed(err: unknown): boolean {
    this.log.warn('leader election request failed', { lease: `${this.ns}/${this.cfg.name}`, err: err as Error });
    return false;
  }

  private async release(): Promise<void> {
    const leases = this.client.resource<LeaseObject>(refs.leases);
    try {
      const lease = await leases.get(this.cfg.name, this.ns);
      if (lease.spec?.holderIdentity !== this.cfg.identity) return;
      await leases.update({ ...lease, spec: { ...lease.spec, holderIdentity: undefined, leaseDurationSeconds: 1, renewTime: microTime(this.clock.now()) } });
    } catch {
      // best effort: the Lease expires on its own
    }
  }
}
