/**
 * @module Server-side printing: objects and lists as meta.k8s.io/v1 Tables whose rows carry
 * PartialObjectMetadata (includeObject=Metadata, the default), the whole object, or nothing.
 */
import type { KubeObject } from '../../api/object.ts';
import { StatusError } from '../../machinery/status.ts';
import type { Strategy } from '../registry/strategy.ts';

export type IncludeObject = 'None' | 'Metadata' | 'Object';

export function includeObjectParam(v: string | null): IncludeObject {
  if (v === null || v === '' || v === 'Metadata') return 'Metadata';
  if (v === 'None' || v === 'Object') return v;
  throw StatusError.badRequest(`includeObject must be one of None, Metadata, Object: ${v}`);
}

function rowObject(obj: KubeObject, include: IncludeObject): unknown {
  if (include === 'None') return undefined;
  if (include === 'Object') return obj;
  return { kind: 'PartialObjectMetadata', apiVersion: 'meta.k8s.io/v1', metadata: obj.metadata };
}

export function toTable(
  strategy: Strategy,
  items: KubeObject[],
  listMeta: { resourceVersion?: string; continue?: string },
  include: IncludeObject,
  now: Date,
  withColumns = true,
): Record<string, unknown> {
  return {
    kind: 'Table',
    apiVersion: 'meta.k8s.io/v1',
    metadata: listMeta,
    columnDefinitions: withColumns ? strategy.table.columns : [],
    rows: items.map((obj) => {
      const row: Record<string, unknown> = { cells: strategy.table.cells(obj, now) };
      const o = rowObject(obj, include);
      if (o !== undefined) row.object = o;
      return row;
    }),
  };
}
