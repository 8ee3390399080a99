/**
 * @module PUT of an object or its status: replace with a resourceVersion precondition.
 */
import type { ApiResponse } from '../types.ts';
import { decodeObject } from './body.ts';
import { json } from './respond.ts';
import { checkUnknownFields, warningHeaders, writeOptions, type RequestScope } from './scope.ts';

export async function updateObject(scope: RequestScope): Promise<ApiResponse> {
  const obj = decodeObject(scope.req.headers['content-type'], scope.req.body);
  const warnings = checkUnknownFields(scope, obj);
  const opts = writeOptions(scope);
  const { object, created } = await scope.store.update(scope.info.namespace, scope.info.name, obj, opts);
  return json(created ? 201 : 200, object, warningHeaders([...warnings, ...(opts.warnings ?? [])]));
}
