/**
 * @module NamespaceLifecycle admission: nothing is created in a namespace that does not exist
 * or is terminating, and the system namespaces cannot be deleted.
 */
import type { KubeObject } from '../../api/object.ts';
import { StatusError } from '../../machinery/status.ts';
import type { AdmissionPlugin } from './interface.ts';
import { resourceIn } from './interface.ts';

export const immortalNamespaces = new Set(['default', 'kube-system', 'kube-public']);

export function namespaceLifecycle(getNamespace: (name: string) => Promise<KubeObject | undefined>): AdmissionPlugin {
  return {
    name: 'NamespaceLifecycle',
    handles: (r) => r.namespaced || resourceIn(r, '', 'namespaces'),
    async validate(a) {
      const isNamespace = a.resource.group === '' && a.resource.resource === 'namespaces';
      if (isNamespace && a.operation === 'DELETE' && immortalNamespaces.has(a.name))
        throw StatusError.forbidden({ group: '', resource: 'namespaces' }, a.name, 'this namespace may not be deleted');
      if (a.operation !== 'CREATE' || !a.resource.namespaced || !a.namespace) return;
      const ns = await getNamespace(a.namespace);
      if (!ns) throw StatusError.notFound({ group: '', resource: 'namespaces' }, a.namespace);
      const phase = (ns.status as { phase?: string } | undefined)?.phase;
      if (ns.metadata?.deletionTimestamp || phase === 'Terminating') {
        const err = StatusError.forbidden(
          { group: a.resource.group, resource: a.resource.resource },
          a.name,
          `unable to create new content in namespace ${a.namespace} because it is being terminated`,
        );
        err.details!.causes = [
          { reason: 'NamespaceTerminating', message: `namespace ${a.namespace} is being terminated`, field: 'metadata.namespace' },
        ];
        throw err;
      }
    },
  };
}
