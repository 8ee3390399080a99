import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { KubeObject } from '../../api/object.ts';
import { builtinResources, findResource } from '../../machinery/resources.ts';
import type { AdmissionAttributes } from './interface.ts';
import { nodeRestriction } from './node-restriction.ts';

const plugin = nodeRestriction();
const kubelet = { username: 'system:node:n1', groups: ['system:nodes', 'system:authenticated'] };
const res = (group: string, version: string, resource: string) => findResource(builtinResources, group, version, resource)!;
const attrs = (o: Partial<AdmissionAttributes>): AdmissionAttributes => ({
  operation: 'UPDATE', resource: res('', 'v1', 'nodes'), subresource: '', namespace: '', name: 'n1', object: undefined, oldObject: undefined, user: kubelet, dryRun: false, ...o,
});
const node = (name: string, taints: unknown[] = []) => ({ apiVersion: 'v1', kind: 'Node', metadata: { name }, spec: { taints } }) as KubeObject;
const pod = (nodeName: string, annotations: Record<string, string> = {}) => ({ apiVersion: 'v1', kind: 'Pod', metadata: { name: 'p', namespace: 'd', annotations }, spec: { nodeName } }) as KubeObject;
const rejects = (a: AdmissionAttributes, msg: RegExp) => assert.rejects(plugin.validate!(a), (e: Error) => msg.test(e.message));

test('node restriction: a kubelet writes only its own Node, and not its taints', async () => {
  await plugin.validate!(attrs({ object: node('n1'), oldObject: node('n1') }));
  await rejects(attrs({ name: 'n2', object: node('n2'), oldObject: node('n2') }), /node "n1" is not allowed to modify node "n2"/);
  await rejects(attrs({ object: node('n1', [{ key: 'k', effect: 'NoSchedule' }]), oldObject: node('n1') }), /node "n1" is not allowed to modify taints/);
  // Not a node: untouched.
  await plugin.validate!(attrs({ name: 'n2', user: { username: 'admin', groups: ['system:masters'] }, object: node('n2'), oldObject: node('n2') }));
});

test('node restriction: pods bound to the node only, mirror pods only', async () => {
  const pods = res('', 'v1', 'pods');
  await plugin.validate!(attrs({ resource: pods, subresource: 'status', namespace: 'd', name: 'p', object: pod('n1'), oldObject: pod('n1') }));
  await rejects(attrs({ resource: pods, subresource: 'status', namespace: 'd', name: 'p', object: pod('n2'), oldObject: pod('n2') }), /can only update pod status for pods with spec.nodeName set to itself/);
  await rejects(attrs({ resource: pods, operation: 'DELETE', namespace: 'd', name: 'p', oldObject: pod('n2') }), /can only delete pods with spec.nodeName set to itself/);
  await plugin.validate!(attrs({ resource: pods, operation: 'DELETE', namespace: 'd', name: 'p', oldObject: pod('n1') }));
  await rejects(attrs({ resource: pods, operation: 'CREATE', namespace: 'd', name: 'p', object: pod('n1') }), /can only create mirror pods/);
  await plugin.validate!(attrs({ resource: pods, operation: 'CREATE', namespace: 'd', name: 'p', object: pod('n1', { 'kubernetes.io/config.mirror': 'x' }) }));
});

test('node restriction: only its own Lease in kube-node-lease', async () => {
  const leases = res('coordination.k8s.io', 'v1', 'leases');
  const lease = (name: string) => ({ apiVersion: 'coordination.k8s.io/v1', kind: 'Lease', metadata: { name, namespace: 'kube-node-lease' } }) as KubeObject;
  await plugin.validate!(attrs({ resource: leases, operation: 'CREATE', namespace: 'kube-node-lease', name: 'n1', object: lease('n1') }));
  await rejects(attrs({ resource: leases, operation: 'CREATE', namespace: 'kube-node-lease', name: 'n2', object: lease('n2') }), /same name as the requesting node/);
  await rejects(attrs({ resource: leases, operation: 'CREATE', namespace: 'default', name: 'n1', object: lease('n1') }), /kube-node-lease/);
});
