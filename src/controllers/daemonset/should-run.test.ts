import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { DaemonSet } from 'kubernetes-types/apps/v1.js';
import type { Node, PodSpec, Taint } from 'kubernetes-types/core/v1.js';
import type { KubeObject } from '../../api/object.ts';
import { fitsRequiredNodeAffinity, nodeShouldRunDaemonPod, pinToNode, targetNodeName, toleratesTaint, withDaemonTolerations } from './should-run.ts';

const node = (name: string, labels: Record<string, string> = {}, taints: Taint[] = []): Node & KubeObject => ({ metadata: { name, labels }, spec: { taints } });
const ds = (spec: Partial<PodSpec> = {}): DaemonSet & KubeObject => ({
  metadata: { name: 'd', namespace: 'default' },
  spec: { selector: { matchLabels: { a: 'b' } }, template: { metadata: { labels: { a: 'b' } }, spec: { containers: [{ name: 'c' }], ...spec } } },
});

describe('nodeShouldRunDaemonPod', () => {
  it('runs everywhere without constraints', () => {
    assert.deepEqual(nodeShouldRunDaemonPod(node('n1'), ds()), { shouldRun: true, shouldContinueRunning: true });
  });

  it('honours nodeName and nodeSelector', () => {
    assert.equal(nodeShouldRunDaemonPod(node('n1'), ds({ nodeName: 'n2' })).shouldRun, false);
    assert.equal(nodeShouldRunDaemonPod(node('n2'), ds({ nodeName: 'n2' })).shouldRun, true);
    assert.equal(nodeShouldRunDaemonPod(node('n1', { disk: 'ssd' }), ds({ nodeSelector: { disk: 'ssd' } })).shouldRun, true);
    assert.deepEqual(nodeShouldRunDaemonPod(node('n1', { disk: 'hdd' }), ds({ nodeSelector: { disk: 'ssd' } })), { shouldRun: false, shouldContinueRunning: false });
  });

  it('honours required node affinity (expressions, Gt, fields)', () => {
    const aff = (terms: NonNullable<NonNullable<NonNullable<PodSpec['affinity']>['nodeAffinity']>['requiredDuringSchedulingIgnoredDuringExecution']>['nodeSelectorTerms']) => ({
      affinity: { nodeAffinity: { requiredDuringSchedulingIgnoredDuringExecution: { nodeSelectorTerms: terms } } },
    });
    const zoneIn = aff([{ matchExpressions: [{ key: 'zone', operator: 'In', values: ['a', 'b'] }] }]);
    assert.ok(fitsRequiredNodeAffinity(zoneIn, node('n', { zone: 'a' })));
    assert.ok(!fitsRequiredNodeAffinity(zoneIn, node('n', { zone: 'c' })));
    assert.ok(!fitsRequiredNodeAffinity(zoneIn, node('n')));
    const notIn = aff([{ matchExpressions: [{ key: 'zone', operator: 'NotIn', values: ['a'] }] }]);
    assert.ok(fitsRequiredNodeAffinity(notIn, node('n')), 'NotIn matches a missing label');
    const gt = aff([{ matchExpressions: [{ key: 'cpus', operator: 'Gt', values: ['4'] }] }]);
    assert.ok(fitsRequiredNodeAffinity(gt, node('n', { cpus: '8' })));
    assert.ok(!fitsRequiredNodeAffinity(gt, node('n', { cpus: '2' })));
    assert.ok(!fitsRequiredNodeAffinity(gt, node('n', { cpus: 'many' })));
    // Terms are ORed; an empty term matches nothing.
    const or = aff([{}, { matchFields: [{ key: 'metadata.name', operator: 'In', values: ['n2'] }] }]);
    assert.ok(fitsRequiredNodeAffinity(or, node('n2')));
    assert.ok(!fitsRequiredNodeAffinity(or, node('n1')));
  });

  it('keeps a pod on a NoSchedule-tainted node but evicts on an untolerated NoExecute taint', () => {
    const noSchedule = node('n', {}, [{ key: 'dedicated', value: 'db', effect: 'NoSchedule' }]);
    assert.deepEqual(nodeShouldRunDaemonPod(noSchedule, ds()), { shouldRun: false, shouldContinueRunning: true });
    const noExecute = node('n', {}, [{ key: 'dedicated', value: 'db', effect: 'NoExecute' }]);
    assert.deepEqual(nodeShouldRunDaemonPod(noExecute, ds()), { shouldRun: false, shouldContinueRunning: false });
    const tolerated = ds({ tolerations: [{ key: 'dedicated', operator: 'Equal', value: 'db' }] });
    assert.equal(nodeShouldRunDaemonPod(noExecute, tolerated).shouldRun, true);
    // PreferNoSchedule never blocks.
    assert.equal(nodeShouldRunDaemonPod(node('n', {}, [{ key: 'x', effect: 'PreferNoSchedule' }]), ds()).shouldRun, true);
  });

  it('tolerates the node-condition taints every daemon pod tolerates', () => {
    for (const t of [
      { key: 'node.kubernetes.io/not-ready', effect: 'NoExecute' },
      { key: 'node.kubernetes.io/unreachable', effect: 'NoExecute' },
      { key: 'node.kubernetes.io/disk-pressure', effect: 'NoSchedule' },
      { key: 'node.kubernetes.io/memory-pressure', effect: 'NoSchedule' },
      { key: 'node.kubernetes.io/pid-pressure', effect: 'NoSchedule' },
      { key: 'node.kubernetes.io/unschedulable', effect: 'NoSchedule' },
    ])
      assert.equal(nodeShouldRunDaemonPod(node('n', {}, [t]), ds()).shouldRun, true, t.key);
    const netDown = node('n', {}, [{ key: 'node.kubernetes.io/network-unavailable', effect: 'NoSchedule' }]);
    assert.equal(nodeShouldRunDaemonPod(netDown, ds()).shouldRun, false);
    assert.equal(nodeShouldRunDaemonPod(netDown, ds({ hostNetwork: true })).shouldRun, true);
    // not-ready:NoSchedule is not tolerated: daemon pods wait for a node to be ready, as upstream.
    assert.equal(nodeShouldRunDaemonPod(node('n', {}, [{ key: 'node.kubernetes.io/not-ready', effect: 'NoSchedule' }]), ds()).shouldRun, false);
  });

  it('adds daemon tolerations once', () => {
    const spec: PodSpec = { containers: [], tolerations: [{ key: 'node.kubernetes.io/not-ready', operator: 'Exists', effect: 'NoExecute' }] };
    const t = withDaemonTolerations(spec);
    assert.equal(t.filter((x) => x.key === 'node.kubernetes.io/not-ready').length, 1);
    assert.equal(t.length, 6);
  });

  it('matches tolerations like upstream ToleratesTaint', () => {
    assert.ok(toleratesTaint({ operator: 'Exists' }, { key: 'k', effect: 'NoSchedule' }), 'empty key with Exists tolerates all');
    assert.ok(!toleratesTaint({ key: 'k', operator: 'Equal', value: 'v' }, { key: 'k', value: 'w', effect: 'NoSchedule' }));
    assert.ok(!toleratesTaint({ key: 'k', operator: 'Exists', effect: 'NoExecute' }, { key: 'k', effect: 'NoSchedule' }));
  });
});

describe('pinToNode', () => {
  it('replaces required terms with the node name field and keeps other affinity', () => {
    const a = pinToNode(
      {
        nodeAffinity: {
          requiredDuringSchedulingIgnoredDuringExecution: { nodeSelectorTerms: [{ matchExpressions: [{ key: 'x', operator: 'Exists' }] }] },
          preferredDuringSchedulingIgnoredDuringExecution: [{ weight: 1, preference: { matchExpressions: [{ key: 'y', operator: 'Exists' }] } }],
        },
        podAntiAffinity: {},
      },
      'n1',
    );
    assert.deepEqual(a.nodeAffinity?.requiredDuringSchedulingIgnoredDuringExecution, { nodeSelectorTerms: [{ matchFields: [{ key: 'metadata.name', operator: 'In', values: ['n1'] }] }] });
    assert.equal(a.nodeAffinity?.preferredDuringSchedulingIgnoredDuringExecution?.length, 1);
    assert.deepEqual(a.podAntiAffinity, {});
    assert.equal(targetNodeName({ spec: { containers: [], affinity: a } }), 'n1');
    assert.equal(targetNodeName({ spec: { containers: [], nodeName: 'n9', affinity: a } }), 'n9');
    assert.equal(targetNodeName({ spec: { containers: [] } }), undefined);
  });
});
