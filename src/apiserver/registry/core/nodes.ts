/**
 * @module Node strategy: STATUS from the Ready condition (plus SchedulingDisabled), ROLES from
 * the role labels, and the wide columns from nodeInfo and addresses.
 */
import type { Node } from 'kubernetes-types/core/v1.js';
import type { KubeObject } from '../../../api/object.ts';
import { ageColumn, ageOf, column, nameColumn } from '../printing.ts';
import type { Strategy } from '../strategy.ts';
import { coreInfo } from './info.ts';

type N = Node & KubeObject;

function nodeStatus(n: Node): string {
  const ready = n.status?.conditions?.find((c) => c.type === 'Ready');
  // Upstream printNode: any Ready status but True prints NotReady; no Ready condition, Unknown.
  let s = !ready ? 'Unknown' : ready.status === 'True' ? 'Ready' : 'NotReady';
  if (n.spec?.unschedulable) s += ',SchedulingDisabled';
  return s;
}

function roles(n: Node): string {
  const out = new Set<string>();
  for (const [k, v] of Object.entries(n.metadata?.labels ?? {})) {
    if (k.startsWith('node-role.kubernetes.io/')) {
      const role = k.slice('node-role.kubernetes.io/'.length);
      if (role) out.add(role);
    } else if (k === 'kubernetes.io/role' && v) out.add(v);
  }
  return out.size ? [...out].sort().join(',') : '<none>';
}

const address = (n: Node, type: string) => n.status?.addresses?.find((a) => a.type === type)?.address ?? '<none>';

export const nodes: Strategy<N> = {
  info: coreInfo('nodes'),
  allowCreateOnUpdate: false,
  validate: () => [],
  table: {
    columns: [
      nameColumn,
      column('Status', 'string', 'The status of the node'),
      column('Roles', 'string', 'The roles of the node'),
      ageColumn,
      column('Version', 'string', 'Kubelet Version reported by the node.'),
      column('Internal-IP', 'string', 'List of internal IPs.', 1),
      column('External-IP', 'string', 'List of external IPs.', 1),
      column('OS-Image', 'string', 'OS Image reported by the node.', 1),
      column('Kernel-Version', 'string', 'Kernel Version reported by the node.', 1),
      column('Container-Runtime', 'string', 'Container Runtime Version reported by the node.', 1),
    ],
    cells: (n, now) => [
      n.metadata?.name ?? '',
      nodeStatus(n),
      roles(n),
      ageOf(n, now),
      n.status?.nodeInfo?.kubeletVersion ?? '',
      address(n, 'InternalIP'),
      address(n, 'ExternalIP'),
      n.status?.nodeInfo?.osImage || '<unknown>',
      n.status?.nodeInfo?.kernelVersion || '<unknown>',
      n.status?.nodeInfo?.containerRuntimeVersion || '<unknown>',
    ],
  },
  fieldSelectors: { 'spec.unschedulable': (n) => String(n.spec?.unschedulable ?? false) },
};
