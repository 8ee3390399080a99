import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { EventRecorder } from '../client/events/recorder.ts';
import type { Client } from '../client/rest.ts';
import type { Clock } from '../util/clock.ts';
import { silentLogger } from '../util/log.ts';
import { Framework } from './framework/framework.ts';
import { Nominator } from './framework/nominator.ts';
import { PodInfo } from './framework/pod-info.ts';
import type { AnyPlugin, Status } from './framework/types.ts';
import { NodeResourcesFit } from './plugins/node-resources-fit.ts';
import { PrioritySort } from './plugins/priority-sort.ts';
import { SchedulingQueue } from './queue/scheduling-queue.ts';
import { ScheduleOne } from './schedule-one.ts';
import { makeNode, makePod, makeSnapshot } from './testing/fixtures.ts';

const clock: Clock = { now: () => new Date(1_000_000), sleep: () => new Promise(() => {}) };
/** Status patches and events go nowhere: only the queue's verdict is under test. */
const client = { resource: () => ({ patch: async () => ({}) }) } as unknown as Client;
const recorder: EventRecorder = { event: () => {} };

function setup(extra: AnyPlugin[]) {
  const snapshot = makeSnapshot([makeNode('a', { cpu: '4' })]);
  const nominator = new Nominator();
  const framework = new Framework({ schedulerName: 'default-scheduler', plugins: [new PrioritySort(), new NodeResourcesFit(), ...extra] });
  const queue = new SchedulingQueue((a, b) => framework.queueSort.less(a, b), clock);
  const pods = new Map<string, PodInfo>();
  const cycle = new ScheduleOne({
    framework,
    snapshot,
    nominator,
    queue,
    client,
    recorder,
    logger: silentLogger,
    clock,
    getPod: (ns, name) => pods.get(`${ns}/${name}`)?.pod,
    podInfoFor: (p) => new PodInfo(p, 0),
    maxBindsInFlight: 4,
  });
  const add = (p: PodInfo) => (pods.set(p.key, p), queue.add(p));
  return { snapshot, queue, cycle, add };
}

describe('ScheduleOne', () => {
  it('a plugin that throws after the pod was assumed does not lose the pod', async () => {
    const reserve = { name: 'Boom', reserve: (): Status | null => { throw new Error('boom'); }, unreserve: () => {} };
    const { snapshot, queue, cycle, add } = setup([reserve]);
    const p = makePod('p', { cpu: '1' });
    add(p);
    assert.equal(await cycle.scheduleOne(), true);
    assert.equal(snapshot.isAssumed(p.key), false, 'the assumption was undone');
    assert.equal(queue.poolOf(p.key), 'backoff', 'an error retries after the backoff, not never');
  });

  it('a pod that fits nowhere is parked with its rejecting plugin, and a deleted pod brings it back', async () => {
    const { queue, cycle, add } = setup([]);
    add(makePod('big', { cpu: '8' }));
    await cycle.scheduleOne();
    assert.equal(queue.poolOf('default/big'), 'unschedulable');
    queue.moveAllToActiveOrBackoff({ resource: 'Node', action: 1, obj: makeNode('tiny', { cpu: '1' }), label: 'NodeAdd' });
    assert.equal(queue.poolOf('default/big'), 'unschedulable', 'a node it cannot fit on does not help');
    queue.moveAllToActiveOrBackoff({ resource: 'Pod', action: 2, old: makePod('gone', { cpu: '2' }).pod, label: 'AssignedPodDelete' });
    assert.equal(queue.poolOf('default/big'), 'backoff');
  });
});
