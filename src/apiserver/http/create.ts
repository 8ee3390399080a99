/**
 * @module POST to a collection: decode (JSON, YAML or protobuf), check unknown fields, create.
 */
import type { ApiResponse } from '../types.ts';
import { decodeObject } from './body.ts';
import { json } from './respond.ts';
import { checkUnknownFields, warningHeaders, writeOptions, type RequestScope } from './scope.ts';

export async function createObject(scope: RequestScope): Promise<ApiResponse> {
  const obj = decodeObject(scope.req.headers['content-type'], scope.req.body);
  const warnings = checkUnknownFields(scope, obj);
  // The decoded body is ours to change, and the response is only serialized.
  const opts = { ...writeOptions(scope, ''), inputOwned: true, resultReadOnly: true };
  const created = await scope.store.create(scope.info.namespace, obj, opts);
  return json(201, created, warningHeaders([...warnings, ...(opts.warnings ?? [])]));
}
