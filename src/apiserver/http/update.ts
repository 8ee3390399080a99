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
  // The response is only serialized. (The body is still copied per attempt: a retried
  // compare-and-swap must start again from what the client sent.)
  const opts = { ...writeOptions(scope), resultReadOnly: true };
  const { object, created } = await scope.store.update(scope.info.namespace, scope.info.name, obj, opts);
  return json(created ? 201 : 200, object, warningHeaders([...warnings, ...(opts.warnings ?? [])]));
}
