/**
 * @module LimitRange, ResourceQuota and PodTemplate strategies (upstream columns).
 */
import type { LimitRange, PodTemplate, ResourceQuota } from 'kubernetes-types/core/v1.js';
import type { KubeObject } from '../../../api/object.ts';
import { defaultPodTemplateSpec } from '../../../api/defaults/pod-spec.ts';
import { validatePodTemplateSpec } from '../../../api/validation/pod-spec.ts';
import { ageColumn, ageOf, column, joinOrNone, labelsString, nameColumn } from '../printing.ts';
import type { Strategy } from '../strategy.ts';
import { coreInfo } from './info.ts';

export const limitranges: Strategy<LimitRange & KubeObject> = {
  info: coreInfo('limitranges'),
  validate: () => [],
  table: {
    columns: [nameColumn, column('Created At', 'date', 'When the limit range was created')],
    cells: (l) => [l.metadata?.name ?? '', l.metadata?.creationTimestamp ?? ''],
  },
};

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
  validate: () => [],
  table: {
    columns: [nameColumn, ageColumn, column('Request', 'string', 'Request represents a minimum amount of cpu/memory that a container may consume.'), column('Limit', 'string', 'Limits control the maximum amount of cpu/memory that a container may use independent of contention on the node.')],
    cells: (q, now) => [q.metadata?.name ?? '', ageOf(q, now), quotaSummary(q, 'requests'), quotaSummary(q, 'limits')],
  },
};

export const podtemplates: Strategy<PodTemplate & KubeObject> = {
  info: coreInfo('podtemplates'),
  defaults: (t) => {
    if (t.template) defaultPodTemplateSpec(t.template);
  },
  validate: (t) => validatePodTemplateSpec(t.template, 'template'),
  table: {
    columns: [
      column('Template', 'string', 'Name of the pod template'),
      column('Containers', 'string', 'Names of each container in the template'),
      column('Images', 'string', 'Images referenced by each container in the template'),
      column('Pod Labels', 'string', 'The labels of the pod template'),
    ],
    cells: (t) => [
      t.metadata?.name ?? '',
      joinOrNone(t.template?.spec?.containers?.map((c) => c.name)),
      joinOrNone(t.template?.spec?.containers?.map((c) => c.image ?? '')),
      labelsString(t.template?.metadata?.labels),
    ],
  },
};


