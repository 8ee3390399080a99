/**
 * @module Label and field selector filtering for list and watch. Field selectors support
 * `metadata.name`, `metadata.namespace` and whatever the strategy declares; anything else is
 * a BadRequest, as upstream.
 */
import type { KubeObject } from '../../../api/object.ts';
import { parseFieldSelector } from '../../../machinery/fields.ts';
import { parseLabelSelector } from '../../../machinery/labels.ts';
import { StatusError } from '../../../machinery/status.ts';
import type { Strategy } from '../strategy.ts';

export interface ObjectFilter {
  matches(obj: KubeObject): boolean;
  /** Set when the field selector pins metadata.name, so a single get can answer. */
  name?: string;
  everything: boolean;
}

export function fieldValue(strategy: Strategy, obj: KubeObject, field: string): string | undefined {
  if (field === 'metadata.name') return obj.metadata?.name ?? '';
  if (field === 'metadata.namespace') return obj.metadata?.namespace ?? '';
  const get = strategy.fieldSelectors?.[field];
  return get ? (get(obj) ?? '') : undefined;
}

export function buildFilter(strategy: Strategy, labelSelector: string | undefined, fieldSelector: string | undefined): ObjectFilter {
  const labels = labelSelector ? parseLabelSelector(labelSelector) : undefined;
  const fields = fieldSelector ? parseFieldSelector(fieldSelector) : undefined;
  let name: string | undefined;
  for (const r of fields?.requirements ?? []) {
    if (r.field !== 'metadata.name' && r.field !== 'metadata.namespace' && !strategy.fieldSelectors?.[r.field])
      throw StatusError.badRequest(`field label not supported: ${r.field}`);
    if (r.field === 'metadata.name' && r.op === '=') name = r.value;
  }
  const everything = !labels && !(fields && fields.requirements.length);
  return {
    everything,
    name,
    matches(obj) {
      if (labels && !labels.matches(obj.metadata?.labels ?? {})) return false;
      if (fields && !fields.matches((f) => fieldValue(strategy, obj, f))) return false;
      return true;
    },
  };
}
