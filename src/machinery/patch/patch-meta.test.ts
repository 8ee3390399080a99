import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { patchMetaAt, patchMetaFor } from './patch-meta.ts';

const gvk = (group: string, kind: string) => ({ group, version: 'v1', kind });

describe('patch meta', () => {
  it('shares the pod template across workloads', () => {
    const paths: [string, string, string[]][] = [
      ['apps', 'Deployment', ['spec', 'template', 'spec']],
      ['apps', 'ReplicaSet', ['spec', 'template', 'spec']],
      ['apps', 'StatefulSet', ['spec', 'template', 'spec']],
      ['apps', 'DaemonSet', ['spec', 'template', 'spec']],
      ['batch', 'Job', ['spec', 'template', 'spec']],
      ['batch', 'CronJob', ['spec', 'jobTemplate', 'spec', 'template', 'spec']],
      ['', 'ReplicationController', ['spec', 'template', 'spec']],
      ['', 'PodTemplate', ['template', 'spec']],
      ['', 'Pod', ['spec']],
    ];
    for (const [group, kind, path] of paths) {
      const env = patchMetaAt(gvk(group, kind), [...path, 'containers', 'env']);
      assert.equal(env.kind, 'list', `${kind}`);
      assert.equal(env.strategy, 'merge');
      assert.equal(env.mergeKey, 'name');
      assert.equal(patchMetaAt(gvk(group, kind), [...path, 'initContainers', 'volumeMounts']).mergeKey, 'mountPath');
    }
  });

  it('knows the PodSpec lists', () => {
    const pod = gvk('', 'Pod');
    const volumes = patchMetaAt(pod, ['spec', 'volumes']);
    assert.deepEqual([volumes.strategy, volumes.mergeKey, volumes.retainKeys], ['merge', 'name', true]);
    assert.equal(patchMetaAt(pod, ['spec', 'hostAliases']).mergeKey, 'ip');
    assert.equal(patchMetaAt(pod, ['spec', 'topologySpreadConstraints']).mergeKey, 'topologyKey');
    assert.equal(patchMetaAt(pod, ['spec', 'containers', 'ports']).mergeKey, 'containerPort');
    assert.equal(patchMetaAt(pod, ['spec', 'ephemeralContainers', 'volumeDevices']).mergeKey, 'devicePath');
    assert.equal(patchMetaAt(pod, ['spec', 'tolerations']).kind, 'unknown');
    assert.equal(patchMetaAt(pod, ['spec', 'containers', 'args']).kind, 'unknown');
    assert.equal(patchMetaAt(pod, ['status', 'podIPs']).mergeKey, 'ip');
    assert.equal(patchMetaAt(pod, ['status', 'conditions']).mergeKey, 'type');
  });

  it('knows ObjectMeta on every kind, including unknown ones', () => {
    for (const g of [gvk('', 'ConfigMap'), gvk('example.com', 'Widget'), gvk('apps', 'Deployment')]) {
      const fin = patchMetaAt(g, ['metadata', 'finalizers']);
      assert.deepEqual([fin.kind, fin.strategy, fin.mergeKey, fin.items().kind], ['list', 'merge', undefined, 'primitive']);
      assert.equal(patchMetaAt(g, ['metadata', 'ownerReferences']).mergeKey, 'uid');
    }
    assert.equal(patchMetaAt(gvk('', 'Pod'), ['spec', 'template', 'metadata', 'finalizers']).kind, 'unknown');
    assert.equal(patchMetaAt(gvk('apps', 'Deployment'), ['spec', 'template', 'metadata', 'ownerReferences']).mergeKey, 'uid');
  });

  it('knows the other tagged fields', () => {
    assert.equal(patchMetaAt(gvk('apps', 'Deployment'), ['spec', 'strategy']).retainKeys, true);
    assert.equal(patchMetaAt(gvk('', 'Service'), ['spec', 'ports']).mergeKey, 'port');
    assert.equal(patchMetaAt(gvk('', 'ServiceAccount'), ['secrets']).mergeKey, 'name');
    assert.equal(patchMetaAt(gvk('', 'Node'), ['spec', 'podCIDRs']).strategy, 'merge');
    assert.equal(patchMetaAt(gvk('', 'Node'), ['spec', 'taints']).kind, 'unknown');
    assert.equal(patchMetaAt(gvk('', 'Node'), ['status', 'addresses']).mergeKey, 'type');
    for (const [group, kind] of [['', 'Namespace'], ['', 'PersistentVolumeClaim'], ['apps', 'StatefulSet'], ['batch', 'Job'], ['autoscaling', 'HorizontalPodAutoscaler'], ['policy', 'PodDisruptionBudget']] as const)
      assert.equal(patchMetaAt(gvk(group, kind), ['status', 'conditions']).mergeKey, 'type', kind);
    assert.equal(patchMetaAt(gvk('', 'ComponentStatus'), ['conditions']).mergeKey, 'type');
    assert.equal(patchMetaAt(gvk('policy', 'PodDisruptionBudget'), ['spec', 'selector']).strategy, 'replace');
    assert.equal(patchMetaAt(gvk('storage.k8s.io', 'CSINode'), ['spec', 'drivers']).mergeKey, 'name');
    assert.equal(patchMetaFor(gvk('networking.k8s.io', 'Ingress')).field('spec').kind, 'unknown');
  });
});
