/**
 * @module DELETE of one object and of a collection, with DeleteOptions from the body or the
 * query (gracePeriodSeconds, propagationPolicy, preconditions, dryRun).
 */
import { StatusError } from '../../machinery/status.ts';
import { listObjects } from '../registry/generic/list.ts';
import type { DeleteOptions } from '../registry/generic/store.ts';
import type { ApiResponse } from '../types.ts';
import { parseJsonBody } from './body.ts';
import { json } from './respond.ts';
import { writeOptions, type RequestScope } from './scope.ts';

interface DeleteBody {
  gracePeriodSeconds?: number;
  propagationPolicy?: string;
  orphanDependents?: boolean;
  dryRun?: string[];
  preconditions?: { uid?: string; resourceVersion?: string };
}

function deleteOptions(scope: RequestScope): DeleteOptions {
  const body = scope.req.body && scope.req.body.length ? (parseJsonBody(scope.req.body) as DeleteBody) : {};
  if (typeof body !== 'object' || body === null || Array.isArray(body)) throw StatusError.badRequest('DeleteOptions must be an object');
  const q = scope.req.query;
  const opts: DeleteOptions = { ...writeOptions(scope, '') };
  const grace = body.gracePeriodSeconds ?? (q.get('gracePeriodSeconds') !== null ? Number(q.get('gracePeriodSeconds')) : undefined);
  if (grace !== undefined) {
    if (!Number.isInteger(grace)) throw StatusError.badRequest(`invalid gracePeriodSeconds: ${grace}`);
    opts.gracePeriodSeconds = grace;
  }
  let policy = body.propagationPolicy ?? q.get('propagationPolicy') ?? undefined;
  if (policy === undefined && body.orphanDependents !== undefined) policy = body.orphanDependents ? 'Orphan' : 'Background';
  if (policy !== undefined) {
    if (policy !== 'Background' && policy !== 'Foreground' && policy !== 'Orphan')
      throw StatusError.invalid({ group: 'meta.k8s.io', kind: 'DeleteOptions' }, '', [
        { type: 'FieldValueNotSupported', field: 'propagationPolicy', value: policy, detail: 'supported values: "Foreground", "Background", "Orphan"' },
      ]);
    opts.propagationPolicy = policy;
  }
  if (body.dryRun?.includes('All')) opts.dryRun = true;
  if (body.preconditions) opts.preconditions = body.preconditions;
  return opts;
}

export async function deleteObject(scope: RequestScope): Promise<ApiResponse> {
  const { object } = await scope.store.delete(scope.info.namespace, scope.info.name, deleteOptions(scope));
  return json(200, object);
}

export async function deleteCollection(scope: RequestScope): Promise<ApiResponse> {
  const opts = deleteOptions(scope);
  const q = scope.req.query;
  const list = await listObjects(scope.store, scope.info.namespace, {
    labelSelector: q.get('labelSelector') ?? undefined,
    fieldSelector: q.get('fieldSelector') ?? undefined,
  });
  const items = [];
  for (const item of list.items) {
    try {
      items.push((await scope.store.delete(item.metadata.namespace ?? '', item.metadata.name, opts)).object);
    } catch (err) {
      if (!(err instanceof StatusError && err.reason === 'NotFound')) throw err;
    }
  }
  return json(200, { ...list, items });
}
