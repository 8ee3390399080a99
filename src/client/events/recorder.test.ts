/**
 * The event recorder against a real in-process API server: Events are written with upstream's
 * fields, repeats are aggregated into one Event with a count, and failures never reach callers.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { ConfigMap, Event } from 'kubernetes-types/core/v1.js';
import type { KubeObject } from '../../api/object.ts';
import { realClock, type Clock } from '../../util/clock.ts';
import { createLogger } from '../../util/log.ts';
import { refs } from '../refs.ts';
import type { Client } from '../rest.ts';
import { startInProcessApi, type InProcessApi } from '../../../test/support/in-process-api.ts';
import { ClientEventRecorder, referenceTo } from './recorder.ts';

type Ev = Event & KubeObject;

describe('ClientEventRecorder', () => {
  let server: InProcessApi;
  let client: Client;
  let subject: ConfigMap & KubeObject;
  const logged: string[] = [];
  const log = createLogger({}, { level: 'debug', write: (l) => logged.push(l) });
  // A clock the test moves, so lastTimestamp visibly advances on a repeat.
  let nowMs = Date.parse('2026-12-01T10:00:00Z');
  const clock: Clock = { now: () => new Date(nowMs), sleep: realClock.sleep };
  const eventsAbout = async (name: string) =>
    (await client.resource<Ev>(refs.events).list({ namespace: 'default' })).items.filter((e) => e.involvedObject?.name === name);

  before(async () => {
    server = await startInProcessApi();
    client = server.client;
    subject = await client.resource<ConfigMap & KubeObject>(refs.configmaps).create({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'subject', namespace: 'default' } });
  });
  after(() => server.stop());

  it('writes an Event about the object that the API serves', async () => {
    const rec = new ClientEventRecorder(client, { component: 'test-controller', host: 'node-a' }, clock, log);
    rec.event(subject, 'Normal', 'Created', 'made a thing');
    await rec.flush();
    const evs = await eventsAbout('subject');
    assert.equal(evs.length, 1);
    const ev = evs[0]!;
    assert.equal(ev.metadata?.namespace, 'default');
    assert.match(ev.metadata?.name ?? '', /^subject\.[0-9a-f]+$/, 'name is <object>.<hex time>, as upstream');
    assert.deepEqual(ev.involvedObject, { kind: 'ConfigMap', apiVersion: 'v1', name: 'subject', namespace: 'default', uid: subject.metadata?.uid, resourceVersion: subject.metadata?.resourceVersion });
    assert.equal(ev.type, 'Normal');
    assert.equal(ev.reason, 'Created');
    assert.equal(ev.message, 'made a thing');
    assert.deepEqual(ev.source, { component: 'test-controller', host: 'node-a' });
    assert.equal(ev.reportingComponent, 'test-controller');
    assert.equal(ev.reportingInstance, 'node-a');
    assert.equal(ev.count, 1);
    assert.equal(ev.firstTimestamp, '2026-12-01T10:00:00Z');
    assert.equal(ev.lastTimestamp, '2026-12-01T10:00:00Z');
  });

  it('aggregates a repeat into the same Event with count 2, and keeps different events apart', async () => {
    const rec = new ClientEventRecorder(client, { component: 'agg' }, clock, log);
    const other = { ...subject, metadata: { ...subject.metadata, name: 'agg-subject' } };
    rec.event(other, 'Warning', 'FailedCreate', 'quota exceeded');
    nowMs += 5000;
    rec.event(other, 'Warning', 'FailedCreate', 'quota exceeded');
    rec.event(other, 'Warning', 'FailedCreate', 'something else');
    await rec.flush();
    const evs = await eventsAbout('agg-subject');
    assert.equal(evs.length, 2, 'a different message is a different Event');
    const repeated = evs.find((e) => e.message === 'quota exceeded')!;
    assert.equal(repeated.count, 2);
    assert.equal(repeated.firstTimestamp, '2026-12-01T10:00:00Z');
    assert.equal(repeated.lastTimestamp, '2026-12-01T10:00:05Z', 'lastTimestamp moves on a repeat');
    assert.deepEqual(repeated.source, { component: 'agg' });
    assert.equal(evs.find((e) => e.message === 'something else')?.count, 1);
  });

  it('creates a fresh Event when the aggregated one was deleted', async () => {
    const rec = new ClientEventRecorder(client, { component: 'agg' }, clock, log);
    const other = { ...subject, metadata: { ...subject.metadata, name: 'deleted-subject' } };
    rec.event(other, 'Normal', 'Ping', 'x');
    await rec.flush();
    const [first] = await eventsAbout('deleted-subject');
    await client.resource<Ev>(refs.events).delete(first!.metadata!.name!, { namespace: 'default' });
    rec.event(other, 'Normal', 'Ping', 'x');
    await rec.flush();
    const evs = await eventsAbout('deleted-subject');
    assert.equal(evs.length, 1);
    assert.notEqual(evs[0]!.metadata?.name, first!.metadata?.name);
    assert.equal(evs[0]!.count, 1);
  });

  it('puts events about cluster-scoped objects in the default namespace', async () => {
    const rec = new ClientEventRecorder(client, { component: 'nodes' }, clock, log);
    const node: KubeObject = { apiVersion: 'v1', kind: 'Node', metadata: { name: 'node-event-test', uid: 'u-1' } };
    assert.equal(referenceTo(node).namespace, undefined, 'no namespace in the reference');
    rec.event(node, 'Normal', 'RegisteredNode', 'Node node-event-test event: Registered Node');
    await rec.flush();
    const evs = await eventsAbout('node-event-test');
    assert.equal(evs.length, 1);
    assert.equal(evs[0]!.involvedObject?.kind, 'Node');
  });

  it('never throws at the caller when a write fails, and keeps recording afterwards', async () => {
    const rec = new ClientEventRecorder(client, { component: 'x' }, clock, log);
    const lost: KubeObject = { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'lost', namespace: 'no-such-namespace' } };
    logged.length = 0;
    assert.doesNotThrow(() => rec.event(lost, 'Normal', 'Nope', 'namespace missing'));
    await rec.flush();
    assert.ok(logged.some((l) => l.includes('event not recorded')), 'the failure is logged');
    rec.event(subject, 'Normal', 'StillWorks', 'after a failure');
    await rec.flush();
    assert.ok((await eventsAbout('subject')).some((e) => e.reason === 'StillWorks'));
  });
});
