/**
 * @module GET of one object and LIST of a collection, as JSON or as a Table.
 */
import { StatusError } from '../../machinery/status.ts';
import { listObjects } from '../registry/generic/list.ts';
import type { ApiResponse } from '../types.ts';
import { json } from './respond.ts';
import type { RequestScope } from './scope.ts';
import { includeObjectParam, toTable } from './table.ts';

export async function getObject(scope: RequestScope): Promise<ApiResponse> {
  const obj = await scope.store.get(scope.info.namespace, scope.info.name);
  if (scope.media.table) {
    const include = includeObjectParam(scope.req.query.get('includeObject'));
    return json(200, toTable(scope.store.strategy, [obj], { resourceVersion: obj.metadata.resourceVersion }, include, scope.now));
  }
  return json(200, obj);
}

function intParam(q: URLSearchParams, name: string): number | undefined {
  const v = q.get(name);
  if (v === null || v === '') return undefined;
  const n = Number(v);
  if (!Number.isInteger(n) || n < 0) throw StatusError.badRequest(`invalid value for ${name}: ${v}`);
  return n;
}

export async function listCollection(scope: RequestScope): Promise<ApiResponse> {
  const q = scope.req.query;
  const list = await listObjects(scope.store, scope.info.namespace, {
    labelSelector: q.get('labelSelector') ?? undefined,
    fieldSelector: q.get('fieldSelector') ?? undefined,
    limit: intParam(q, 'limit'),
    continue: q.get('continue') ?? undefined,
    resourceVersion: q.get('resourceVersion') ?? undefined,
    resourceVersionMatch: q.get('resourceVersionMatch') ?? undefined,
  });
  if (scope.media.table) {
    const include = includeObjectParam(q.get('includeObject'));
    return json(200, toTable(scope.store.strategy, list.items, list.metadata, include, scope.now));
  }
  return json(200, list);
}
