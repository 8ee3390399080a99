import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Clock } from '../../util/clock.ts';
import { ActionType, nodeUpdateActions, type ClusterEvent } from '../framework/cluster-event.ts';
import type { NodeObject } from '../framework/node-info.ts';
import type { PodInfo } from '../framework/pod-info.ts';
import { PrioritySort } from '../plugins/priority-sort.ts';
import { makeNode, makePod } from '../testing/fixtures.ts';
import { isSchedulableAfter } from './queueing-hints.ts';
import { SchedulingQueue } from './scheduling-queue.ts';

function fakeClock(): Clock & { advance(ms: number): void } {
  let t = 1_000_000;
  return { now: () => new Date(t), sleep: () => new Promise(() => {}), advance: (ms) => (t += ms) };
}

const sort = new PrioritySort();
const nodeAdd = (obj: NodeObject): ClusterEvent => ({ resource: 'Node', action: ActionType.Add, obj, label: 'NodeAdd' });
const nodeUpdate = (old: NodeObject, obj: NodeObject): ClusterEvent => ({ resource: 'Node', action: nodeUpdateActions(old, obj), old, obj, label: 'NodeUpdate' });
const podAdd = (p: PodInfo): ClusterEvent => ({ resource: 'Pod', action: ActionType.Add, obj: p.pod, label: 'AssignedPodAdd' });
const podDelete = (p: PodInfo): ClusterEvent => ({ resource: 'Pod', action: ActionType.Delete, old: p.pod, label: 'AssignedPodDelete' });
const by = (...plugins: string[]) => new Set(plugins);

describe('queueing hints', () => {
  it('NodeResourcesFit: a node the pod fits, a node that grew, or a deleted pod', () => {
    const pod = makePod('big', { cpu: '8' });
    const rej = by('NodeResourcesFit');
    assert.equal(isSchedulableAfter(pod, rej, nodeAdd(makeNode('small', { cpu: '4' }))), false);
    assert.equal(isSchedulableAfter(pod, rej, nodeAdd(makeNode('large', { cpu: '16' }))), true);
    const n = makeNode('n', { cpu: '16' });
    assert.equal(isSchedulableAfter(pod, rej, nodeUpdate(n, { ...n, metadata: { ...n.metadata, labels: { a: 'b' } } })), false, 'a label change does not free resources');
    assert.equal(isSchedulableAfter(pod, rej, nodeUpdate(makeNode('n', { cpu: '12' }), n)), true, 'allocatable grew');
    assert.equal(isSchedulableAfter(pod, rej, nodeUpdate(n, makeNode('n', { cpu: '12' }))), false, 'allocatable shrank');
    assert.equal(isSchedulableAfter(pod, rej, podDelete(makePod('other', { cpu: '1' }))), true);
    assert.equal(isSchedulableAfter(pod, rej, podAdd(makePod('other', { cpu: '1' }))), false);
  });

  it('TaintToleration: only a taint change that makes the node tolerable', () => {
    const pod = makePod('p');
    const rej = by('TaintToleration');
    const tainted = makeNode('n', { spec: { taints: [{ key: 'dedicated', value: 'x', effect: 'NoSchedule' }] } });
    const clean = makeNode('n');
    assert.equal(isSchedulableAfter(pod, rej, nodeUpdate(tainted, clean)), true);
    assert.equal(isSchedulableAfter(pod, rej, nodeUpdate(clean, tainted)), false);
    assert.equal(isSchedulableAfter(pod, rej, nodeAdd(tainted)), false);
    assert.equal(isSchedulableAfter(pod, rej, nodeUpdate(tainted, { ...tainted, metadata: { ...tainted.metadata, labels: { x: 'y' } } })), false);
  });

  it('NodeAffinity: a node whose labels now match the selector', () => {
    const pod = makePod('p', { spec: { nodeSelector: { disk: 'ssd' } } });
    const rej = by('NodeAffinity');
    const hdd = makeNode('n', { labels: { disk: 'hdd' } });
    const ssd = makeNode('n', { labels: { disk: 'ssd' } });
    assert.equal(isSchedulableAfter(pod, rej, nodeUpdate(hdd, ssd)), true);
    assert.equal(isSchedulableAfter(pod, rej, nodeUpdate(ssd, { ...ssd, metadata: { ...ssd.metadata, labels: { disk: 'ssd', more: '1' } } })), false, 'already matched');
    assert.equal(isSchedulableAfter(pod, rej, nodeAdd(hdd)), false);
    assert.equal(isSchedulableAfter(pod, rej, nodeAdd(makeNode('m', { labels: { disk: 'ssd' } }))), true);
  });

  it('NodeUnschedulable: uncordoning', () => {
    const pod = makePod('p');
    const cordoned = makeNode('n', { spec: { unschedulable: true } });
    assert.equal(isSchedulableAfter(pod, by('NodeUnschedulable'), nodeUpdate(cordoned, makeNode('n'))), true);
    assert.equal(isSchedulableAfter(pod, by('NodeUnschedulable'), nodeUpdate(makeNode('n'), cordoned)), false);
  });

  it('NodePorts: only a deleted pod that held a wanted port', () => {
    const ports = (port: number) => [{ name: 'c', image: 'i', ports: [{ containerPort: 80, hostPort: port }] }];
    const pod = makePod('p', { containers: ports(8080) });
    const rej = by('NodePorts');
    assert.equal(isSchedulableAfter(pod, rej, podDelete(makePod('x', { containers: ports(9090) }))), false);
    assert.equal(isSchedulableAfter(pod, rej, podDelete(makePod('y', { containers: ports(8080) }))), true);
    assert.equal(isSchedulableAfter(pod, rej, podDelete(makePod('z'))), false);
  });

  it('InterPodAffinity: pods that match a term, and deleted pods with anti-affinity', () => {
    const pod = makePod('p', { spec: { affinity: { podAffinity: { requiredDuringSchedulingIgnoredDuringExecution: [{ labelSelector: { matchLabels: { app: 'db' } }, topologyKey: 'kubernetes.io/hostname' }] } } } });
    const rej = by('InterPodAffinity');
    assert.equal(isSchedulableAfter(pod, rej, podAdd(makePod('db', { labels: { app: 'db' } }))), true);
    assert.equal(isSchedulableAfter(pod, rej, podAdd(makePod('web', { labels: { app: 'web' } }))), false);
    assert.equal(isSchedulableAfter(pod, rej, podAdd(makePod('db2', { labels: { app: 'db' }, namespace: 'other' }))), false, 'other namespace');
    const blocker = makePod('b', { labels: { app: 'x' }, spec: { affinity: { podAntiAffinity: { requiredDuringSchedulingIgnoredDuringExecution: [{ labelSelector: {}, topologyKey: 'kubernetes.io/hostname' }] } } } });
    assert.equal(isSchedulableAfter(pod, rej, podDelete(blocker)), true);
    assert.equal(isSchedulableAfter(pod, rej, podDelete(makePod('web', { labels: { app: 'web' } }))), false);
  });

  it('any rejecting plugin may say Queue; unknown plugins and no plugins take every event', () => {
    const pod = makePod('p', { cpu: '8' });
    const small = nodeAdd(makeNode('small', { cpu: '1' }));
    assert.equal(isSchedulableAfter(pod, by('NodeResourcesFit', 'TaintToleration'), small), true, 'the new node has no taints');
    assert.equal(isSchedulableAfter(pod, by('VolumeBinding'), small), true);
    assert.equal(isSchedulableAfter(pod, by(), small), true);
    assert.equal(isSchedulableAfter(pod, by('NodeResourcesFit'), { resource: '*', action: ActionType.All, label: 'ForceActivate' }), true);
  });
});

describe('SchedulingQueue with queueing hints', () => {
  async function parked(q: SchedulingQueue, pod: PodInfo, plugins: string[]) {
    q.add(pod);
    const qp = (await q.pop())!;
    qp.unschedulablePlugins = new Set(plugins);
    q.addUnschedulable(qp, q.cycle);
    return qp;
  }

  it('moves only the pods an event can help', async () => {
    const clock = fakeClock();
    const q = new SchedulingQueue((a, b) => sort.less(a, b), clock);
    await parked(q, makePod('needs-cpu', { cpu: '8' }), ['NodeResourcesFit']);
    await parked(q, makePod('needs-ssd', { spec: { nodeSelector: { disk: 'ssd' } } }), ['NodeAffinity']);
    clock.advance(10_000); // past backoff, so a move goes straight to activeQ
    q.moveAllToActiveOrBackoff(nodeAdd(makeNode('tiny', { cpu: '1' })));
    assert.deepEqual(q.sizes(), { active: 0, backoff: 0, unschedulable: 2 });
    q.moveAllToActiveOrBackoff(nodeAdd(makeNode('ssd', { labels: { disk: 'ssd' } })));
    assert.deepEqual(q.sizes(), { active: 1, backoff: 0, unschedulable: 1 });
    assert.equal((await q.pop())!.podInfo.name, 'needs-ssd');
    q.moveAllToActiveOrBackoff(podDelete(makePod('gone', { cpu: '2' })));
    assert.equal((await q.pop())!.podInfo.name, 'needs-cpu');
  });

  it('replays events that arrived during the attempt against the failed pod', async () => {
    const clock = fakeClock();
    const q = new SchedulingQueue((a, b) => sort.less(a, b), clock);
    q.add(makePod('a', { cpu: '8' }));
    let qp = (await q.pop())!;
    let cycle = q.cycle;
    q.moveAllToActiveOrBackoff(nodeAdd(makeNode('tiny', { cpu: '1' }))); // cannot help
    qp.unschedulablePlugins = by('NodeResourcesFit');
    q.addUnschedulable(qp, cycle);
    assert.deepEqual(q.sizes(), { active: 0, backoff: 0, unschedulable: 1 });
    q.delete('default/a');
    q.add(makePod('b', { cpu: '8' }));
    qp = (await q.pop())!;
    cycle = q.cycle;
    q.moveAllToActiveOrBackoff(nodeAdd(makeNode('huge', { cpu: '64' }))); // can help
    qp.unschedulablePlugins = by('NodeResourcesFit');
    q.addUnschedulable(qp, cycle);
    assert.deepEqual(q.sizes(), { active: 0, backoff: 1, unschedulable: 0 });
  });

  it('still retries a parked pod after the unschedulable timeout', async () => {
    const clock = fakeClock();
    const q = new SchedulingQueue((a, b) => sort.less(a, b), clock, { unschedulableTimeoutMs: 60_000 });
    await parked(q, makePod('p', { cpu: '8' }), ['NodeResourcesFit']);
    q.moveAllToActiveOrBackoff(nodeAdd(makeNode('tiny', { cpu: '1' })));
    clock.advance(59_999);
    q.flush();
    assert.equal(q.sizes().unschedulable, 1);
    clock.advance(1);
    q.flush();
    assert.equal(q.sizes().active, 1);
  });
});
