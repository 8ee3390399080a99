/**
 * @module LimitRanger admission (upstream plugin/pkg/admission/limitranger): a new pod's
 * containers get the `default` limits and `defaultRequest` requests of the namespace's
 * LimitRanges (type Container), and a pod outside a LimitRange's min/max/maxLimitRequestRatio
 * (per Container or per Pod) is refused with upstream's messages.
 */
import type { Container, LimitRange as LimitRangeV1, LimitRangeItem, Pod } from 'kubernetes-types/core/v1.js';
import type { KubeObject } from '../../api/object.ts';
import { formatMilli, parseMilli } from '../../api/quota/quantity.ts';
import { StatusError } from '../../machinery/status.ts';
import type { QuotaServer } from './resource-quota.ts';
import type { AdmissionAttributes, AdmissionPlugin } from './interface.ts';
import { resourceIn } from './interface.ts';

type LimitRange = LimitRangeV1 & KubeObject;
type List = Record<string, string>;

const isPodCreate = (a: AdmissionAttributes) =>
  a.operation === 'CREATE' && !a.subresource && !!a.object && a.resource.group === '' && a.resource.resource === 'pods';

/** Fills missing requests/limits of every container from a Container item's defaults. */
export function applyDefaults(pod: Pod, item: LimitRangeItem): void {
  for (const c of [...(pod.spec?.initContainers ?? []), ...(pod.spec?.containers ?? [])]) {
    const r = (c.resources ??= {});
    for (const [k, v] of Object.entries((item.default ?? {}) as List)) {
      const limits = (r.limits ??= {}) as List;
      if (!(k in limits)) limits[k] = v;
    }
    for (const [k, v] of Object.entries((item.defaultRequest ?? {}) as List)) {
      const requests = (r.requests ??= {}) as List;
      if (!(k in requests)) requests[k] = v;
    }
  }
}

/** One error at most per constraint, the first that applies, as upstream's min/maxConstraint. */
function checkBounds(kind: 'Container' | 'Pod', item: LimitRangeItem, requests: List, limits: List, errs: string[]): void {
  for (const [k, min] of Object.entries((item.min ?? {}) as List)) {
    const req = requests[k];
    const lim = limits[k];
    if (req === undefined) errs.push(`minimum ${k} usage per ${kind} is ${min}.  No request is specified`);
    else if ((parseMilli(req) ?? 0n) < (parseMilli(min) ?? 0n)) errs.push(`minimum ${k} usage per ${kind} is ${min}, but request is ${req}`);
    else if (lim !== undefined && (parseMilli(lim) ?? 0n) < (parseMilli(min) ?? 0n)) errs.push(`minimum ${k} usage per ${kind} is ${min}, but limit is ${lim}`);
  }
  for (const [k, max] of Object.entries((item.max ?? {}) as List)) {
    const lim = limits[k];
    const req = requests[k];
    if (lim === undefined) errs.push(`maximum ${k} usage per ${kind} is ${max}.  No limit is specified`);
    else if ((parseMilli(lim) ?? 0n) > (parseMilli(max) ?? 0n)) errs.push(`maximum ${k} usage per ${kind} is ${max}, but limit is ${lim}`);
    else if (req !== undefined && (parseMilli(req) ?? 0n) > (parseMilli(max) ?? 0n)) errs.push(`maximum ${k} usage per ${kind} is ${max}, but request is ${req}`);
  }
  for (const [k, ratio] of Object.entries((item.maxLimitRequestRatio ?? {}) as List)) {
    const req = parseMilli(requests[k]);
    const lim = parseMilli(limits[k]);
    if (req === undefined || lim === undefined || req === 0n) continue;
    const actual = Number(lim) / Number(req);
    if (actual > Number(parseMilli(ratio) ?? 0n) / 1000)
      errs.push(`${k} max limit to request ratio per ${kind} is ${ratio}, but provided ratio is ${actual.toFixed(6)}`);
  }
}

function sum(cs: Container[], field: 'requests' | 'limits'): List {
  const total = new Map<string, bigint>();
  for (const c of cs) for (const [k, v] of Object.entries((c.resources?.[field] ?? {}) as List)) total.set(k, (total.get(k) ?? 0n) + (parseMilli(v) ?? 0n));
  return Object.fromEntries([...total].map(([k, v]) => [k, formatMilli(v)]));
}

/** Upstream's violation messages for a pod against one LimitRange item. */
export function violations(pod: Pod, item: LimitRangeItem): string[] {
  const errs: string[] = [];
  const cs = [...(pod.spec?.initContainers ?? []), ...(pod.spec?.containers ?? [])];
  if (item.type === 'Container')
    for (const c of cs) checkBounds('Container', item, (c.resources?.requests ?? {}) as List, (c.resources?.limits ?? {}) as List, errs);
  if (item.type === 'Pod') checkBounds('Pod', item, sum(pod.spec?.containers ?? [], 'requests'), sum(pod.spec?.containers ?? [], 'limits'), errs);
  return errs;
}

export function limitRanger(server: QuotaServer): AdmissionPlugin {
  const rangesIn = async (ns: string): Promise<LimitRange[]> => {
    const store = server.store('', 'v1', 'limitranges');
    if (!store) return [];
    const { kvs } = await server.config.backend.list(store.codec.prefix(ns));
    return kvs.map((kv) => store.codec.decode(kv) as unknown as LimitRange);
  };
  return {
    name: 'LimitRanger',
    handles: (r) => resourceIn(r, '', 'pods'),
    async mutate(a) {
      if (!isPodCreate(a)) return;
      for (const lr of await rangesIn(a.namespace))
        for (const item of lr.spec?.limits ?? []) if (item.type === 'Container') applyDefaults(a.object as Pod, item);
    },
    async validate(a) {
      if (!isPodCreate(a)) return;
      const errs: string[] = [];
      for (const lr of await rangesIn(a.namespace)) for (const item of lr.spec?.limits ?? []) errs.push(...violations(a.object as Pod, item));
      if (errs.length)
        throw StatusError.forbidden({ group: '', resource: 'pods' }, a.name, errs.length === 1 ? errs[0]! : `[${errs.join(', ')}]`);
    },
  };
}
