/**
 * @module Endpoint choice for one Service port and one kind of traffic (cluster or external),
 * as the old kube-proxy userspace round-robin load balancer: round-robin over the usable
 * endpoints, ClientIP affinity remembered per client for its timeout, and the remaining
 * endpoints offered in order for failover when a connect fails.
 */
import type { ProxyEndpoint } from '../model.ts';

export interface Target {
  ip: string;
  port: number;
}

const keyOf = (t: Target): string => `${t.ip}:${t.port}`;

/**
 * The list handed over is already filtered by traffic policy; ready endpoints are preferred,
 * and serving-but-terminating ones are used only when nothing is ready (upstream's fallback).
 */
export function usableEndpoints(eps: readonly ProxyEndpoint[]): Target[] {
  const ready = eps.filter((e) => e.ready);
  const chosen = ready.length ? ready : eps.filter((e) => e.serving);
  return chosen.map((e) => ({ ip: e.ip, port: e.port }));
}

export class Balancer {
  private targets: Target[] = [];
  private next = 0;
  private affinityMs = 0;
  private readonly sticky = new Map<string, { target: string; lastUsed: number }>();

  constructor(private readonly now: () => number = Date.now) {}

  /** New endpoints apply to the next pick; affinity entries to endpoints gone are dropped. */
  update(eps: readonly ProxyEndpoint[], affinity?: { timeoutSeconds: number }): void {
    this.targets = usableEndpoints(eps);
    this.affinityMs = affinity ? affinity.timeoutSeconds * 1000 : 0;
    const live = new Set(this.targets.map(keyOf));
    for (const [client, s] of this.sticky) if (!this.affinityMs || !live.has(s.target)) this.sticky.delete(client);
    if (this.next >= this.targets.length) this.next = 0;
  }

  get size(): number {
    return this.targets.length;
  }

  /**
   * Candidates for one new connection from `clientIP`, best first: the sticky endpoint when
   * affinity holds, else the round-robin one, then every other endpoint for failover.
   */
  candidates(clientIP: string): Target[] {
    const n = this.targets.length;
    if (!n) return [];
    let first = -1;
    if (this.affinityMs) {
      const s = this.sticky.get(clientIP);
      if (s && this.now() - s.lastUsed <= this.affinityMs) first = this.targets.findIndex((t) => keyOf(t) === s.target);
      else if (s) this.sticky.delete(clientIP);
    }
    if (first < 0) {
      first = this.next % n;
      this.next = (first + 1) % n;
    }
    return Array.from({ length: n }, (_, i) => this.targets[(first + i) % n]!);
  }

  /** Records the endpoint a client got through to (the affinity anchor). */
  connected(clientIP: string, target: Target): void {
    if (this.affinityMs) this.sticky.set(clientIP, { target: keyOf(target), lastUsed: this.now() });
  }
}
