/**
 * @module ResourceQuota admission (upstream plugin/pkg/admission/resourcequota): a create is
 * charged against every quota in its namespace that tracks what it uses; past `status.hard`
 * it is refused with upstream's "exceeded quota" message. The charge is written into the
 * quota's `status.used` with compare-and-swap before the object is stored, so concurrent
 * creates cannot overrun a quota (the controller later corrects any charge for a create
 * that failed afterwards, as upstream's does).
 */
import type { Pod, ResourceQuota as ResourceQuotaV1 } from 'kubernetes-types/core/v1.js';
import type { KubeObject } from '../../api/object.ts';
import { Usage } from '../../api/quota/quantity.ts';
import { podConstraintsError, qualifiedResource, quotaNamesFor, quotaSelects, usageOf } from '../../api/quota/usage.ts';
import { StatusError } from '../../machinery/status.ts';
import type { Backend } from '../../storage/interface.ts';
import type { Store } from '../registry/generic/store.ts';
import type { AdmissionAttributes, AdmissionPlugin } from './interface.ts';

type ResourceQuota = ResourceQuotaV1 & KubeObject;
const maxRetries = 10;

export interface QuotaServer {
  store(group: string, version: string, resource: string): Store | undefined;
  readonly config: { backend: Backend; clock: { now(): Date } };
}

function forbidden(a: AdmissionAttributes, why: string): StatusError {
  return StatusError.forbidden({ group: a.resource.group, resource: a.resource.resource }, a.name, why);
}

/** Checks one quota; returns its new status.used, or undefined when it is not affected. */
export function chargeQuota(a: AdmissionAttributes, quota: ResourceQuota, nowMs: number): Record<string, string> | undefined {
  const qualified = qualifiedResource(a.resource.group, a.resource.resource);
  const obj = a.object!;
  const names = quotaNamesFor(quota, qualified);
  if (names.length === 0 || !quotaSelects(quota, qualified, obj)) return undefined;
  const name = quota.metadata?.name ?? '';
  const hard = Usage.from(quota.status?.hard);
  const used = Usage.from(quota.status?.used);
  const unknown = names.filter((n) => !hard.has(n) || !used.has(n));
  if (unknown.length) throw forbidden(a, `status unknown for quota: ${name}, resources: ${unknown.sort().join(',')}`);
  if (qualified === 'pods') {
    const why = podConstraintsError(obj as Pod, names);
    if (why) throw forbidden(a, `failed quota: ${name}: ${why}`);
  }
  const requested = usageOf(qualified, obj, nowMs).mask(names);
  if (requested.values.size === 0) return undefined;
  const next = used.plus(requested);
  const exceeded = [...requested.values.keys()].filter((n) => next.get(n) > hard.get(n)).sort();
  if (exceeded.length)
    throw forbidden(
      a,
      `exceeded quota: ${name}, requested: ${requested.mask(exceeded).pretty()}, used: ${used.mask(exceeded).pretty()}, limited: ${hard.mask(exceeded).pretty()}`,
    );
  return { ...(quota.status?.used ?? {}), ...next.mask(requested.values.keys()).toList() };
}

export function resourceQuotaAdmission(server: QuotaServer): AdmissionPlugin {
  return {
    name: 'ResourceQuota',
    handles: (r) => r.namespaced,
    async validate(a) {
      if (a.operation !== 'CREATE' || a.subresource || !a.object || !a.namespace || !a.resource.namespaced) return;
      const store = server.store('', 'v1', 'resourcequotas');
      if (!store) return;
      const backend = server.config.backend;
      const { kvs } = await backend.list(store.codec.prefix(a.namespace));
      for (const first of kvs) {
        let kv = first;
        for (let attempt = 0; ; attempt++) {
          const quota = store.codec.decode(kv) as unknown as ResourceQuota;
          const used = chargeQuota(a, quota, server.config.clock.now().getTime());
          if (!used || a.dryRun) break;
          const next = { ...quota, status: { ...quota.status, used } } as unknown as KubeObject;
          const res = await backend.update(kv.key, store.codec.encode(next), kv.modRevision);
          if (res.ok) break;
          if (!res.kv || attempt >= maxRetries)
            throw StatusError.conflict({ group: '', resource: 'resourcequotas' }, quota.metadata?.name ?? '', 'please apply your changes to the latest version and try again');
          kv = res.kv;
        }
      }
    },
  };
}
