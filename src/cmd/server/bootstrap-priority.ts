/**
 * @module The API server's post-start hook for priority classes (upstream
 * pkg/registry/scheduling/rest `AddSystemPriorityClasses`): the built-in classes
 * `system-node-critical` and `system-cluster-critical` exist on every server, created at start
 * when missing (an existing one is left as it is).
 */
import type { PriorityClass } from 'kubernetes-types/scheduling/v1.js';
import type { KubeObject } from '../../api/object.ts';
import type { ApiServer } from '../../apiserver/server.ts';
import { StatusError } from '../../machinery/status.ts';

/** Upstream scheduling.SystemPriorityClasses(). */
export const systemPriorityClasses: readonly (PriorityClass & KubeObject)[] = [
  {
    apiVersion: 'scheduling.k8s.io/v1',
    kind: 'PriorityClass',
    metadata: { name: 'system-node-critical' },
    value: 2000001000,
    description: 'Used for system critical pods that must not be moved from their current node.',
  },
  {
    apiVersion: 'scheduling.k8s.io/v1',
    kind: 'PriorityClass',
    metadata: { name: 'system-cluster-critical' },
    value: 2000000000,
    description: 'Used for system critical pods that must run in the cluster, but can be moved to another node if necessary.',
  },
];

export async function ensureSystemPriorityClasses(api: ApiServer): Promise<void> {
  const store = api.store('scheduling.k8s.io', 'v1', 'priorityclasses');
  if (!store) return;
  for (const pc of systemPriorityClasses) {
    if (await store.getRaw('', pc.metadata!.name!)) continue;
    try {
      await store.create('', structuredClone(pc), {
        dryRun: false,
        user: { username: 'system:apiserver', groups: ['system:masters'] },
        fieldManager: 'skiff-apiserver',
      });
    } catch (err) {
      // Another server sharing the datastore may have created it first.
      if (!(err instanceof StatusError && err.reason === 'AlreadyExists')) throw err;
    }
  }
}
