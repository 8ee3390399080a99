/**
 * @module NodeRestriction admission (upstream plugin/pkg/admission/noderestriction): what the
 * Node authorizer lets every kubelet do, narrowed to its own objects — its own Node (and not
 * its taints or `node-restriction.kubernetes.io/` labels), mirror pods bound to it, status,
 * deletion and eviction of pods bound to it, and its own Lease.
 */
import type { Node, Pod } from 'kubernetes-types/core/v1.js';
import type { KubeObject } from '../../api/object.ts';
import { StatusError } from '../../machinery/status.ts';
import { nodeIdentity } from '../auth/node-authorizer.ts';
import type { AdmissionAttributes, AdmissionPlugin } from './interface.ts';
import { resourceIn } from './interface.ts';

const mirrorAnnotation = 'kubernetes.io/config.mirror';
const restrictedLabelPrefix = 'node-restriction.kubernetes.io/';

function forbidden(a: AdmissionAttributes, message: string): StatusError {
  return StatusError.forbidden({ group: a.resource.group, resource: a.resource.resource }, a.name, message);
}

const restrictedLabels = (o: KubeObject | undefined): string[] =>
  Object.keys(o?.metadata?.labels ?? {}).filter((k) => k.startsWith(restrictedLabelPrefix) || k.split('/')[0]!.endsWith(`.${restrictedLabelPrefix.slice(0, -1)}`));

function admitNode(a: AdmissionAttributes, nodeName: string): void {
  if (a.operation === 'DELETE' || a.operation === 'CONNECT') return;
  const requested = a.name || a.object?.metadata?.name || '';
  if (requested !== nodeName) throw forbidden(a, `node "${nodeName}" is not allowed to modify node "${requested}"`);
  if (a.operation === 'CREATE' && restrictedLabels(a.object).length)
    throw forbidden(a, `node "${nodeName}" is not allowed to set the following labels: ${restrictedLabels(a.object).join(', ')}`);
  if (a.operation === 'UPDATE') {
    const taints = (o: KubeObject | undefined) => JSON.stringify((o as Node | undefined)?.spec?.taints ?? []);
    if (taints(a.object) !== taints(a.oldObject)) throw forbidden(a, `node "${nodeName}" is not allowed to modify taints`);
    const before = (a.oldObject?.metadata?.labels ?? {}) as Record<string, string>;
    const after = (a.object?.metadata?.labels ?? {}) as Record<string, string>;
    const changed = [...new Set([...restrictedLabels(a.object), ...restrictedLabels(a.oldObject)])].filter((k) => before[k] !== after[k]);
    if (changed.length) throw forbidden(a, `node "${nodeName}" is not allowed to modify labels: ${changed.join(', ')}`);
  }
}

function admitPod(a: AdmissionAttributes, nodeName: string): void {
  const boundTo = (o: KubeObject | undefined) => (o as Pod | undefined)?.spec?.nodeName ?? '';
  if (a.subresource === 'status') {
    if (boundTo(a.oldObject) !== nodeName) throw forbidden(a, `node "${nodeName}" can only update pod status for pods with spec.nodeName set to itself`);
    return;
  }
  if (a.subresource === 'eviction' || (a.operation === 'DELETE' && a.subresource === '')) {
    if (boundTo(a.oldObject) !== nodeName) {
      const what = a.subresource === 'eviction' ? 'evict' : 'delete';
      throw forbidden(a, `node "${nodeName}" can only ${what} pods with spec.nodeName set to itself`);
    }
    return;
  }
  if (a.operation === 'CREATE' && a.subresource === '') {
    const annotations = a.object?.metadata?.annotations ?? {};
    if (!(mirrorAnnotation in annotations))
      throw forbidden(a, `pod does not have "${mirrorAnnotation}" annotation, node "${nodeName}" can only create mirror pods`);
    if (boundTo(a.object) !== nodeName) throw forbidden(a, `node "${nodeName}" can only create pods with spec.nodeName set to itself`);
    return;
  }
  if (a.operation === 'UPDATE' && a.subresource === '')
    throw forbidden(a, `unexpected operation "UPDATE", node "${nodeName}" can only create and delete mirror pods`);
}

function admitLease(a: AdmissionAttributes, nodeName: string): void {
  if (a.namespace !== 'kube-node-lease') throw forbidden(a, 'can only access leases in the "kube-node-lease" system namespace');
  const name = a.name || a.object?.metadata?.name || '';
  if (a.operation !== 'DELETE' && name !== nodeName) throw forbidden(a, 'can only access node lease with the same name as the requesting node');
}

export function nodeRestriction(): AdmissionPlugin {
  return {
    name: 'NodeRestriction',
    handles: (r) => resourceIn(r, '', 'nodes', 'pods') || resourceIn(r, 'coordination.k8s.io', 'leases'),
    async validate(a) {
      const { isNode, nodeName } = nodeIdentity(a.user);
      if (!isNode) return;
      const { group, resource } = a.resource;
      if (group === '' && resource === 'nodes') return admitNode(a, nodeName);
      if (group === '' && resource === 'pods') return admitPod(a, nodeName);
      if (group === 'coordination.k8s.io' && resource === 'leases') return admitLease(a, nodeName);
    },
  };
}
