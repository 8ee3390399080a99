/**
 * @module The `scale` subresource (autoscaling/v1 Scale) for resources whose strategy gives
 * scale access: GET, PUT (with resourceVersion precondition) and PATCH.
 */
import type { KubeObject, StoredObject } from '../../api/object.ts';
import { applyPatch, patchTypeFromContentType } from '../../machinery/patch/index.ts';
import { StatusError } from '../../machinery/status.ts';
import type { ScaleAccess } from '../registry/strategy.ts';
import type { ApiResponse } from '../types.ts';
import { decodeObject } from './body.ts';
import { json } from './respond.ts';
import { writeOptions, type RequestScope } from './scope.ts';

interface Scale extends KubeObject {
  spec?: { replicas?: number };
  status?: { replicas?: number; selector?: string };
}

const scaleGvk = { group: 'autoscaling', version: 'v1', kind: 'Scale' };

function toScale(obj: StoredObject, access: ScaleAccess): Scale {
  const m = obj.metadata;
  return {
    kind: 'Scale',
    apiVersion: 'autoscaling/v1',
    metadata: {
      name: m.name,
      namespace: m.namespace,
      uid: m.uid,
      resourceVersion: m.resourceVersion,
      creationTimestamp: m.creationTimestamp,
    },
    spec: { replicas: access.specReplicas(obj) },
    status: { replicas: access.statusReplicas(obj), selector: access.selector(obj) },
  };
}

function replicasOf(scale: Scale, name: string): number {
  const r = scale.spec?.replicas;
  if (r === undefined) return 0;
  if (!Number.isInteger(r) || r < 0)
    throw StatusError.invalid({ group: 'autoscaling', kind: 'Scale' }, name, [
      { type: 'FieldValueInvalid', field: 'spec.replicas', value: r, detail: 'must be greater than or equal to 0' },
    ]);
  return r;
}

export async function scaleSubresource(scope: RequestScope): Promise<ApiResponse> {
  const access = scope.store.strategy.scale;
  if (!access) throw StatusError.pathNotFound();
  const { namespace, name } = scope.info;
  const method = scope.req.method.toUpperCase();
  if (method === 'GET') return json(200, toScale(await scope.store.get(namespace, name), access));
  let body: Scale | undefined;
  const patchType = method === 'PATCH' ? patchTypeFromContentType(scope.req.headers['content-type']) : undefined;
  if (method === 'PUT') body = decodeObject(scope.req.headers['content-type'], scope.req.body) as Scale;
  else if (method === 'PATCH') {
    if (!patchType || patchType === 'apply') throw StatusError.unsupportedMediaType('unsupported patch type for scale');
  } else throw StatusError.methodNotAllowed();
  const { object } = await scope.store.guaranteedUpdate(
    namespace,
    name,
    (current) => {
      if (!current) throw StatusError.notFound(scope.store.qualified, name);
      const scale = body ?? (applyPatch(patchType as 'json' | 'merge' | 'strategic', toScale(current, access), scope.req.body ?? new Uint8Array(), scaleGvk) as Scale);
      const rv = scale.metadata?.resourceVersion;
      if (rv && rv !== current.metadata.resourceVersion) throw StatusError.staleConflict(scope.store.qualified, name);
      access.setSpecReplicas(current, replicasOf(scale, name));
      return current;
    },
    writeOptions(scope, ''),
  );
  return json(200, toScale(object, access));
}
