/**
 * @module Resolves a service backend to ready endpoint addresses from the informers' caches, as
 * ingress-nginx does (it skips kube-proxy and balances over the EndpointSlices itself): the
 * Service port by number or name → the slices labelled with the Service's name → ready
 * endpoints on the slice port of the same name. Round-robin over them per backend.
 */
import type { Service } from 'kubernetes-types/core/v1.js';
import type { EndpointSlice } from 'kubernetes-types/discovery/v1.js';
import type { KubeObject } from '../api/object.ts';
import type { Informer } from '../client/cache/informer.ts';
import type { ServiceBackend } from './router.ts';

export const serviceNameLabel = 'kubernetes.io/service-name';
export const sliceIndex = 'by-service';

export interface Upstream {
  host: string;
  port: number;
}

export class EndpointResolver {
  private readonly cursors = new Map<string, number>();

  constructor(
    private readonly services: Informer<Service & KubeObject>,
    private readonly slices: Informer<EndpointSlice & KubeObject>,
  ) {
    slices.addIndex(sliceIndex, (s) => {
      const svc = s.metadata?.labels?.[serviceNameLabel];
      return svc ? [`${s.metadata?.namespace ?? ''}/${svc}`] : [];
    });
  }

  /** Every ready endpoint of the backend (empty: 503). */
  resolve(b: ServiceBackend): Upstream[] {
    const svc = this.services.store.getByName(b.namespace, b.service);
    if (!svc || svc.spec?.type === 'ExternalName') return [];
    const sp = (svc.spec?.ports ?? []).find((p) => (b.port.name !== undefined ? p.name === b.port.name : p.port === b.port.number));
    if (!sp) return [];
    const out: Upstream[] = [];
    const seen = new Set<string>();
    for (const slice of this.slices.store.byIndex(sliceIndex, `${b.namespace}/${b.service}`)) {
      const port = (slice.ports ?? []).find((p) => (p.name ?? '') === (sp.name ?? ''))?.port;
      if (!port) continue;
      for (const ep of slice.endpoints ?? []) {
        // ready unset means ready (EndpointConditions); terminating endpoints are not ready.
        if (ep.conditions?.ready === false) continue;
        const host = ep.addresses?.[0];
        if (!host || seen.has(`${host}:${port}`)) continue;
        seen.add(`${host}:${port}`);
        out.push({ host, port });
      }
    }
    return out;
  }

  /** The ready endpoints in round-robin order starting at this backend's cursor. */
  pick(b: ServiceBackend): Upstream[] {
    const all = this.resolve(b);
    if (all.length < 2) return all;
    const key = `${b.namespace}/${b.service}:${b.port.name ?? b.port.number}`;
    const i = (this.cursors.get(key) ?? 0) % all.length;
    this.cursors.set(key, i + 1);
    return [...all.slice(i), ...all.slice(0, i)];
  }
}
