/**
 * @module PATCH: JSON patch, merge patch, strategic merge patch (applied to the current object
 * inside a compare-and-swap loop), and server-side apply (which also creates).
 */
import type { KubeObject, StoredObject } from '../../api/object.ts';
import { serverSideApply } from '../../machinery/apply/apply.ts';
import { applyPatch, patchTypeFromContentType } from '../../machinery/patch/index.ts';
import { StatusError } from '../../machinery/status.ts';
import type { ApiResponse } from '../types.ts';
import { parseYamlBody } from './body.ts';
import { json } from './respond.ts';
import { checkUnknownFields, fieldManagerOf, warningHeaders, writeOptions, type RequestScope } from './scope.ts';

export async function patchObject(scope: RequestScope): Promise<ApiResponse> {
  const contentType = scope.req.headers['content-type'];
  const type = patchTypeFromContentType(contentType);
  if (!type)
    throw StatusError.unsupportedMediaType(
      `the body of the request was in an unknown format - accepted media types include: application/json-patch+json, application/merge-patch+json, application/apply-patch+yaml, application/strategic-merge-patch+json`,
    );
  if (type === 'apply') return applyObject(scope);
  const { group, version, kind } = scope.store.strategy.info;
  const gvk = { group, version, kind };
  const body = scope.req.body ?? new Uint8Array();
  let warnings: string[] = [];
  // The response is only serialized.
  const opts = { ...writeOptions(scope), resultReadOnly: true };
  const { object } = await scope.store.guaranteedUpdate(
    scope.info.namespace,
    scope.info.name,
    (current) => {
      if (!current) throw StatusError.notFound(scope.store.qualified, scope.info.name);
      const patched = applyPatch(type, current, body, gvk) as KubeObject;
      warnings = checkUnknownFields(scope, patched, true);
      return patched;
    },
    opts,
  );
  return json(200, object, warningHeaders([...warnings, ...(opts.warnings ?? [])]));
}

async function applyObject(scope: RequestScope): Promise<ApiResponse> {
  const applied = parseYamlBody(scope.req.body) as KubeObject;
  if (typeof applied !== 'object' || applied === null || Array.isArray(applied))
    throw StatusError.badRequest('the body of the request must be a YAML or JSON object');
  const q = scope.req.query;
  if (!q.get('fieldManager')) throw StatusError.badRequest('PATCH, application/apply-patch+yaml requires a non-empty fieldManager query parameter');
  const force = q.get('force') === 'true';
  const warnings = checkUnknownFields(scope, applied);
  const { group, version, kind } = scope.store.strategy.info;
  const manager = fieldManagerOf(scope);
  const opts = { ...writeOptions(scope), managedFieldsSet: true, resultReadOnly: true };
  let createdObj: StoredObject | undefined;
  const run = (live: StoredObject | undefined) =>
    serverSideApply({
      live,
      applied,
      manager,
      force,
      apiVersion: scope.store.codec.apiVersion,
      now: scope.now,
      gvk: { group, version, kind },
    });
  try {
    const { object } = await scope.store.guaranteedUpdate(
      scope.info.namespace,
      scope.info.name,
      (current) => {
        if (!current) throw StatusError.notFound(scope.store.qualified, scope.info.name);
        const res = run(current);
        return { ...res.object, metadata: { ...res.object.metadata, managedFields: res.managedFields } };
      },
      opts,
    );
    return json(200, object, warningHeaders([...warnings, ...(opts.warnings ?? [])]));
  } catch (err) {
    if (!(err instanceof StatusError && err.reason === 'NotFound' && !scope.info.subresource)) throw err;
  }
  // Absent: apply creates it.
  const res = run(undefined);
  const meta = { ...res.object.metadata, managedFields: res.managedFields };
  if (!meta.name) meta.name = scope.info.name;
  createdObj = await scope.store.create(scope.info.namespace, { ...res.object, metadata: meta }, opts);
  return json(201, createdObj, warningHeaders([...warnings, ...(opts.warnings ?? [])]));
}
