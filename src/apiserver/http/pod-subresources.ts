/**
 * @module Pod subresources handled by the server itself: `binding` (the scheduler's write of
 * spec.nodeName) and `eviction` (a delete that respects PodDisruptionBudgets), plus the
 * namespace `finalize` subresource.
 */
import type { PodDisruptionBudget } from 'kubernetes-types/policy/v1.js';
import type { Pod } from 'kubernetes-types/core/v1.js';
import type { KubeObject, Mutable } from '../../api/object.ts';
import { selectorFromLabelSelector } from '../../machinery/labels.ts';
import { StatusError } from '../../machinery/status.ts';
import { rfc3339 } from '../registry/generic/codec.ts';
import { listObjects } from '../registry/generic/list.ts';
import type { Store } from '../registry/generic/store.ts';
import type { ApiResponse } from '../types.ts';
import { decodeObject } from './body.ts';
import { json } from './respond.ts';
import { writeOptions, type RequestScope } from './scope.ts';

function success(code: number): ApiResponse {
  return json(code, { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Success', code });
}

/** Sets spec.nodeName once, with the PodScheduled condition (upstream's BindingREST). */
export async function bindPod(scope: RequestScope, namespace: string, podName: string, binding: KubeObject): Promise<ApiResponse> {
  const target = (binding as { target?: { kind?: string; name?: string } }).target;
  if (!target?.name)
    throw StatusError.invalid({ group: '', kind: 'Binding' }, podName, [{ type: 'FieldValueRequired', field: 'target.name' }]);
  await scope.store.guaranteedUpdate(
    namespace,
    podName,
    (current) => {
      if (!current) throw StatusError.notFound(scope.store.qualified, podName);
      const pod = current as unknown as Mutable<Pod>;
      if (pod.metadata?.deletionTimestamp) throw StatusError.conflict(scope.store.qualified, podName, 'pod is being deleted, cannot be assigned to a host');
      if (pod.spec?.nodeName)
        throw StatusError.conflict(scope.store.qualified, podName, `pod ${podName} is already assigned to node "${pod.spec.nodeName}"`);
      pod.spec!.nodeName = target.name;
      const status = (pod.status ??= {}) as Mutable<NonNullable<Pod['status']>>;
      const conditions = status.conditions ?? [];
      const cond = { type: 'PodScheduled', status: 'True', lastProbeTime: null as unknown as string, lastTransitionTime: rfc3339(scope.now) };
      status.conditions = [...conditions.filter((c) => c.type !== 'PodScheduled'), cond];
      return current;
    },
    writeOptions(scope, 'binding'),
  );
  return success(201);
}

export async function podBinding(scope: RequestScope): Promise<ApiResponse> {
  const binding = decodeObject(scope.req.headers['content-type'], scope.req.body);
  return bindPod(scope, scope.info.namespace, scope.info.name, binding);
}

/** Eviction: refused with 429 while a matching PodDisruptionBudget allows no disruption. */
export async function podEviction(scope: RequestScope, pdbs: Store | undefined): Promise<ApiResponse> {
  const eviction = decodeObject(scope.req.headers['content-type'], scope.req.body) as { deleteOptions?: { gracePeriodSeconds?: number } };
  const pod = (await scope.store.get(scope.info.namespace, scope.info.name)) as unknown as Pod;
  const terminal = pod.status?.phase === 'Succeeded' || pod.status?.phase === 'Failed';
  if (pdbs && !terminal && !pod.metadata?.deletionTimestamp) {
    const list = await listObjects(pdbs, scope.info.namespace, {});
    for (const item of list.items) {
      const pdb = item as unknown as PodDisruptionBudget;
      const sel = selectorFromLabelSelector(pdb.spec?.selector);
      if (!sel.matches(pod.metadata?.labels ?? {})) continue;
      if ((pdb.status?.disruptionsAllowed ?? 0) < 1)
        throw StatusError.tooManyRequests(
          `Cannot evict pod as it would violate the pod's disruption budget.`,
        );
    }
  }
  await scope.store.delete(scope.info.namespace, scope.info.name, {
    ...writeOptions(scope, ''),
    gracePeriodSeconds: eviction.deleteOptions?.gracePeriodSeconds,
  });
  return success(201);
}

/** PUT namespaces/NAME/finalize: only spec.finalizers changes. */
export async function namespaceFinalize(scope: RequestScope): Promise<ApiResponse> {
  const body = decodeObject(scope.req.headers['content-type'], scope.req.body) as { spec?: { finalizers?: string[] } };
  const { object } = await scope.store.guaranteedUpdate(
    '',
    scope.info.name,
    (current) => {
      if (!current) throw StatusError.notFound(scope.store.qualified, scope.info.name);
      const spec = ((current as { spec?: { finalizers?: string[] } }).spec ??= {});
      spec.finalizers = body.spec?.finalizers ?? [];
      return current;
    },
    writeOptions(scope, 'finalize'),
  );
  return json(200, object);
}
