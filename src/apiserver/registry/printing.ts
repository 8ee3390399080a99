/**
 * @module Helpers for server-side Table columns, matching upstream's printers
 * (pkg/printers/internalversion) and apimachinery's duration.HumanDuration.
 */
import type { LabelSelector } from 'kubernetes-types/meta/v1.js';
import type { KubeObject } from '../../api/object.ts';
import type { TableColumn } from './strategy.ts';

/** duration.HumanDuration: `5s`, `3m20s`, `45m`, `5h3m`, `20h`, `3d4h`, `120d`, `2y30d`. */
export function humanDuration(ms: number): string {
  const seconds = Math.floor(ms / 1000);
  if (seconds < -1) return '<invalid>';
  if (seconds < 0) return '0s';
  if (seconds < 60 * 2) return `${seconds}s`;
  const minutes = Math.floor(seconds / 60);
  if (minutes < 10) {
    const s = seconds % 60;
    return s === 0 ? `${minutes}m` : `${minutes}m${s}s`;
  }
  if (minutes < 60 * 3) return `${minutes}m`;
  const hours = Math.floor(seconds / 3600);
  if (hours < 8) {
    const m = minutes % 60;
    return m === 0 ? `${hours}h` : `${hours}h${m}m`;
  }
  if (hours < 48) return `${hours}h`;
  if (hours < 24 * 8) {
    const h = hours % 24;
    return h === 0 ? `${Math.floor(hours / 24)}d` : `${Math.floor(hours / 24)}d${h}h`;
  }
  if (hours < 24 * 365 * 2) return `${Math.floor(hours / 24)}d`;
  if (hours < 24 * 365 * 8) {
    const dy = Math.floor(hours / 24) % 365;
    return dy === 0 ? `${Math.floor(hours / 24 / 365)}y` : `${Math.floor(hours / 24 / 365)}y${dy}d`;
  }
  return `${Math.floor(hours / 24 / 365)}y`;
}

/** Age of a timestamp, `<unknown>` when absent (upstream translateTimestampSince). */
export function since(timestamp: string | undefined, now: Date): string {
  if (!timestamp) return '<unknown>';
  const t = Date.parse(timestamp);
  if (Number.isNaN(t)) return '<unknown>';
  return humanDuration(now.getTime() - t);
}

export const ageOf = (obj: KubeObject, now: Date): string => since(obj.metadata?.creationTimestamp, now);

export const nameColumn: TableColumn = {
  name: 'Name',
  type: 'string',
  format: 'name',
  description: 'Name must be unique within a namespace. Is required when creating resources, although some resources may allow a client to request the generation of an appropriate name automatically. Name is primarily intended for creation idempotence and configuration definition. Cannot be updated. More info: https://kubernetes.io/docs/concepts/overview/working-with-objects/names#names',
  priority: 0,
};

export const ageColumn: TableColumn = {
  name: 'Age',
  type: 'string',
  description: 'CreationTimestamp is a timestamp representing the server time when this object was created. It is not guaranteed to be set in happens-before order across separate operations. Clients may not set this value. It is represented in RFC3339 form and is in UTC.',
  priority: 0,
};

export function column(name: string, type: TableColumn['type'], description: string, priority = 0): TableColumn {
  return { name, type, description, priority };
}

/** `k=v,k2=v2` sorted by key, or `<none>`. */
export function labelsString(labels: Record<string, string> | undefined, none = '<none>'): string {
  const keys = Object.keys(labels ?? {}).sort();
  if (keys.length === 0) return none;
  return keys.map((k) => `${k}=${labels![k]}`).join(',');
}

/** metav1.FormatLabelSelector: `app=web,tier in (a,b)`, `<none>` for nil/empty. */
export function labelSelectorString(sel: LabelSelector | undefined): string {
  if (!sel) return '<none>';
  const parts: string[] = [];
  for (const k of Object.keys(sel.matchLabels ?? {}).sort()) parts.push(`${k}=${sel.matchLabels![k]}`);
  for (const r of sel.matchExpressions ?? []) {
    const vals = [...(r.values ?? [])].sort().join(',');
    switch (r.operator) {
      case 'In':
        parts.push(`${r.key} in (${vals})`);
        break;
      case 'NotIn':
        parts.push(`${r.key} notin (${vals})`);
        break;
      case 'Exists':
        parts.push(r.key);
        break;
      case 'DoesNotExist':
        parts.push(`!${r.key}`);
        break;
    }
  }
  return parts.length ? parts.join(',') : '<none>';
}

/** Comma-joined, or `<none>` when empty. */
export function joinOrNone(items: readonly string[] | undefined, none = '<none>'): string {
  return items && items.length ? items.join(',') : none;
}
