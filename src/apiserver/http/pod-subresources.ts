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
    // Nothing keeps the bound pod: watchers may share it.
    { ...writeOptions(scope, 'binding'), resultReadOnly: true },
  );
  return success(201);
}

export async function podBinding(scope: RequestScope): Promise<ApiResponse> {
  const binding = decodeObject(scope.req.headers['content-type'], scope.req.body);
  return bindPod(scope, scope.info.namespace, scope.info.name, binding);
}

/** Pods whose eviction never consults a budget (upstream canIgnorePDB). */
function canIgnoreBudget(pod: Pod): boolean {
  const phase = pod.status?.phase;
  return !!pod.metadata?.deletionTimestamp || phase === 'Succeeded' || phase === 'Failed' || phase === 'Pending';
}

const budgetViolated = `Cannot evict pod as it would violate the pod's disruption budget.`;

/**
 * Eviction (upstream's EvictionREST): a delete that first takes one disruption from the pod's
 * PodDisruptionBudget — refused with 429 while the budget allows none or its status is stale,
 * otherwise `disruptionsAllowed` drops by one and the pod is recorded in `disruptedPods`
 * (compare-and-swap on the budget), so quick successive evictions cannot overrun it.
 */
export async function podEviction(scope: RequestScope, pdbs: Store | undefined): Promise<ApiResponse> {
  const eviction = decodeObject(scope.req.headers['content-type'], scope.req.body) as { deleteOptions?: { gracePeriodSeconds?: number } };
  const pod = (await scope.store.get(scope.info.namespace, scope.info.name)) as unknown as Pod;
  if (pdbs && !canIgnoreBudget(pod)) {
    const list = await listObjects(pdbs, scope.info.namespace, {});
    const matching = list.items.filter((item) => selectorFromLabelSelector((item as unknown as PodDisruptionBudget).spec?.selector).matches(pod.metadata?.labels ?? {}));
    if (matching.length > 1)
      throw StatusError.internal('This pod has more than one PodDisruptionBudget, which the eviction subresource does not support.');
    const budget = matching[0];
    if (budget) {
      await pdbs.guaranteedUpdate(
        scope.info.namespace,
        budget.metadata!.name!,
        (current) => {
          if (!current) throw StatusError.tooManyRequests(budgetViolated);
          const pdb = current as unknown as Mutable<PodDisruptionBudget>;
          const status = (pdb.status ??= { currentHealthy: 0, desiredHealthy: 0, disruptionsAllowed: 0, expectedPods: 0 }) as Mutable<NonNullable<PodDisruptionBudget['status']>>;
          if ((status.observedGeneration ?? 0) < (pdb.metadata?.generation ?? 0)) throw StatusError.tooManyRequests(budgetViolated);
          if (status.disruptionsAllowed < 1) {
            const message = `The disruption budget ${pdb.metadata?.name} needs ${status.desiredHealthy} healthy pods and has ${status.currentHealthy} currently`;
            throw new StatusError(429, 'TooManyRequests', budgetViolated, { causes: [{ reason: 'DisruptionBudget', message }] });
          }
          status.disruptionsAllowed--;
          status.disruptedPods = { ...status.disruptedPods, [scope.info.name]: rfc3339(scope.now) };
          return current;
        },
        writeOptions(scope, 'status'),
      );
    }
  }
  if (!pod.metadata?.deletionTimestamp && pod.status?.phase !== 'Succeeded' && pod.status?.phase !== 'Failed') await markDisruptionTarget(scope);
  await scope.store.delete(scope.info.namespace, scope.info.name, {
    ...writeOptions(scope, ''),
    gracePeriodSeconds: eviction.deleteOptions?.gracePeriodSeconds,
  });
  return success(201);
}

/** Upstream adds `DisruptionTarget` (EvictionByEvictionAPI) so Jobs' podFailurePolicy can tell evictions apart. */
async function markDisruptionTarget(scope: RequestScope): Promise<void> {
  await scope.store.guaranteedUpdate(
    scope.info.namespace,
    scope.info.name,
    (current) => {
      if (!current) throw StatusError.notFound(scope.store.qualified, scope.info.name);
      const status = ((current as unknown as Mutable<Pod>).status ??= {}) as Mutable<NonNullable<Pod['status']>>;
      const cond = { type: 'DisruptionTarget', status: 'True', reason: 'EvictionByEvictionAPI', message: 'Eviction API: evicting', lastTransitionTime: rfc3339(scope.now) };
      status.conditions = [...(status.conditions ?? []).filter((c) => c.type !== 'DisruptionTarget'), cond];
      return current;
    },
    writeOptions(scope, 'status'),
  );
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
