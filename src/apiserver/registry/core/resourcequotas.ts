/**
 * @module ResourceQuota strategy: REQUEST and LIMIT columns summarise used/hard.
 */
import type { ResourceQuota } from 'kubernetes-types/core/v1.js';
import type { KubeObject } from '../../../api/object.ts';
import { validateResourceList } from '../../../api/validation/quantity.ts';
import { ageColumn, ageOf, column, nameColumn } from '../printing.ts';
import type { Strategy } from '../strategy.ts';
import { coreInfo } from './info.ts';

function quotaSummary(q: ResourceQuota, prefix: 'requests' | 'limits' | ''): string {
  const parts: string[] = [];
  for (const k of Object.keys(q.status?.hard ?? q.spec?.hard ?? {}).sort()) {
    const isLimit = k.startsWith('limits.');
    const isRequest = !isLimit;
    if ((prefix === 'limits' && !isLimit) || (prefix === 'requests' && !isRequest)) continue;
    parts.push(`${k}: ${q.status?.used?.[k] ?? '0'}/${(q.status?.hard ?? q.spec?.hard ?? {})[k]}`);
  }
  return parts.join(', ');
}

export const resourcequotas: Strategy<ResourceQuota & KubeObject> = {
  info: coreInfo('resourcequotas'),
  validate: (q) => validateResourceList(q.spec?.hard, 'spec.hard'),
  table: {
    columns: [nameColumn, ageColumn, column('Request', 'string', 'Request represents a minimum amount of cpu/memory that a container may consume.'), column('Limit', 'string', 'Limits control the maximum amount of cpu/memory that a container may use independent of contention on the node.')],
    cells: (q, now) => [q.metadata?.name ?? '', ageOf(q, now), quotaSummary(q, 'requests'), quotaSummary(q, 'limits')],
  },
};
