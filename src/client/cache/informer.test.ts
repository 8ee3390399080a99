/**
 * The informer against a real in-process API server (memory store, tiny watch cache): initial
 * list, live events, replay to late handlers, resuming a watch the server ended, and a relist
 * after 410 Expired when the resume point has been compacted away.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { ConfigMap } from 'kubernetes-types/core/v1.js';
import type { KubeObject } from '../../api/object.ts';
import type { ApiServer } from '../../apiserver/server.ts';
import { MemoryBackend } from '../../storage/drivers/memory.ts';
import { realClock } from '../../util/clock.ts';
import { createLogger } from '../../util/log.ts';
import { startInProcessApi, type InProcessApi } from '../../../test/support/in-process-api.ts';
import { eventually } from '../../../test/support/kubectl.ts';
import { refs } from '../refs.ts';
import { Client } from '../rest.ts';
import type { Transport, TransportRequest, TransportResponse } from '../transport.ts';
import { Informer, type EventHandler } from './informer.ts';

type CM = ConfigMap & KubeObject;

/**
 * Wraps the in-process transport so a test can end every open watch stream the way a server
 * does at its timeout (a clean end of the body), hold new watches back, and count lists.
 */
class ControlledTransport implements Transport {
  lists = 0;
  watchRvs: string[] = [];
  private cuts = new Set<() => void>();
  private gate: Promise<void> | undefined;
  private openGate: (() => void) | undefined;

  constructor(private readonly inner: Transport) {}

  async request(req: TransportRequest): Promise<TransportResponse> {
    if (req.query?.get('watch') !== 'true') {
      if (req.method === 'GET' && req.path.endsWith('/configmaps')) this.lists++;
      return this.inner.request(req);
    }
    if (this.gate) await this.gate;
    this.watchRvs.push(req.query.get('resourceVersion') ?? '');
    // The server ends the stream when this aborts: on a cut, or when the caller aborts.
    const ctl = new AbortController();
    const onAbort = () => ctl.abort();
    if (req.signal?.aborted) ctl.abort();
    req.signal?.addEventListener('abort', onAbort, { once: true });
    const res = await this.inner.request({ ...req, signal: ctl.signal });
    let cut!: () => void;
    const cutP = new Promise<'cut'>((r) => (cut = () => r('cut')));
    this.cuts.add(cut);
    const cuts = this.cuts;
    async function* body(): AsyncIterable<Uint8Array> {
      const it = res.body[Symbol.asyncIterator]();
      try {
        for (;;) {
          const r = await Promise.race([it.next(), cutP]);
          if (r === 'cut' || r.done) return;
          yield r.value;
        }
      } finally {
        cuts.delete(cut);
        req.signal?.removeEventListener('abort', onAbort);
        ctl.abort();
        // Close the server's stream too, or a chunk it yielded after the cut leaves it parked.
        void it.return?.()?.catch(() => {});
      }
    }
    return { ...res, body: body() };
  }

  /** Ends every open watch cleanly; with `hold`, new watches wait for `release`. */
  endWatches(hold = false): void {
    if (hold) this.gate = new Promise((r) => (this.openGate = r));
    for (const c of [...this.cuts]) c();
  }

  get openWatches(): number {
    return this.cuts.size;
  }

  release(): void {
    this.gate = undefined;
    this.openGate?.();
  }
}

/** Records what a handler heard, as compact strings. */
function recorder(): { log: string[]; handler: EventHandler<CM> } {
  const log: string[] = [];
  const v = (o: CM) => o.data?.v ?? '';
  return {
    log,
    handler: {
      onAdd: (o) => log.push(`add ${o.metadata?.name} ${v(o)}`),
      onUpdate: (old, o) => log.push(`update ${o.metadata?.name} ${v(old)}->${v(o)}`),
      onDelete: (o) => log.push(`delete ${o.metadata?.name} ${v(o)}`),
    },
  };
}

describe('Informer against an in-process API server', () => {
  const backend = new MemoryBackend();
  let server: InProcessApi;
  let api: ApiServer;
  let transport: ControlledTransport;
  let client: Client;
  const cms = () => client.resource<CM>(refs.configmaps);
  const cm = (ns: string, name: string, v: string): CM => ({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name, namespace: ns }, data: { v } });

  before(async () => {
    server = await startInProcessApi({
      backend,
      namespaces: ['default', 'inf1', 'inf2', 'inf3'],
      // A tiny cache, so a watch resumed from an old revision falls through to compacted storage.
      server: { watchCacheCapacity: 8 },
    });
    api = server.api;
    transport = new ControlledTransport(server.transport);
    client = new Client(transport);
  });
  after(() => server.stop());

  // The reflector warns on failures other than 410 Expired; the tests check it stays quiet.
  const warnings: string[] = [];
  const logger = createLogger({}, { level: 'warn', write: (l) => warnings.push(l) });
  const newInformer = (ns: string) => new Informer<CM>(client.resource<CM>(refs.configmaps), { namespace: ns }, { clock: realClock, logger });

  it('lists into the store, then delivers adds, updates and deletes', async () => {
    await cms().create(cm('inf1', 'a', '1'));
    await cms().create(cm('inf1', 'b', '1'));
    await cms().create(cm('default', 'elsewhere', '1'));
    const inf = newInformer('inf1');
    const { log, handler } = recorder();
    inf.addEventHandler(handler);
    assert.equal(inf.hasSynced, false);
    const ctl = new AbortController();
    const running = inf.run(ctl.signal);
    assert.equal(inf.run(ctl.signal), running, 'run starts one reflector');
    await inf.synced;
    assert.equal(inf.hasSynced, true);
    assert.deepEqual([...log].sort(), ['add a 1', 'add b 1'], 'initial list arrives as adds, only from the namespace');
    assert.equal(inf.store.size, 2);
    assert.ok(inf.lastResourceVersion, 'list resourceVersion recorded');
    log.length = 0;

    await cms().create(cm('inf1', 'c', '1'));
    const a = await cms().get('a', 'inf1');
    await cms().update({ ...a, data: { v: '2' } });
    await cms().delete('b', { namespace: 'inf1' });
    await eventually(() => log.length === 3, 5000, 'three events');
    assert.deepEqual(log, ['add c 1', 'update a 1->2', 'delete b 1']);
    assert.equal(inf.store.getByName('inf1', 'a')?.data?.v, '2');
    assert.equal(inf.store.get('inf1/b'), undefined);
    assert.deepEqual(inf.store.keys().sort(), ['inf1/a', 'inf1/c']);
    assert.deepEqual(inf.store.byIndex('namespace', 'inf1').length, 2);

    ctl.abort();
    await running;
  });

  it('replays the store as adds to a handler registered after sync', async () => {
    await cms().create(cm('inf2', 'x', '1'));
    await cms().create(cm('inf2', 'y', '1'));
    const inf = newInformer('inf2');
    const ctl = new AbortController();
    const running = inf.run(ctl.signal);
    await inf.synced;
    const { log, handler } = recorder();
    inf.addEventHandler(handler);
    assert.deepEqual([...log].sort(), ['add x 1', 'add y 1'], 'replayed synchronously on registration');
    await cms().create(cm('inf2', 'z', '1'));
    await eventually(() => log.includes('add z 1'), 5000, 'live add after replay');
    ctl.abort();
    await running;
  });

  it('resumes from the last resourceVersion when the server ends a watch, then relists after 410', async () => {
    await cms().create(cm('inf3', 'keep', '1'));
    await cms().create(cm('inf3', 'gone', '1'));
    const inf = newInformer('inf3');
    const { log, handler } = recorder();
    inf.addEventHandler(handler);
    const ctl = new AbortController();
    const running = inf.run(ctl.signal);
    await inf.synced;
    await eventually(() => transport.openWatches > 0, 5000, 'watch open');
    const listsBefore = transport.lists;
    log.length = 0;

    // 1. A clean end of the stream: the reflector watches again from where it was, no relist.
    await cms().create(cm('inf3', 'before-cut', '1'));
    await eventually(() => log.includes('add before-cut 1'), 5000, 'event before the cut');
    const rvAtCut = inf.lastResourceVersion;
    const watchesBefore = transport.watchRvs.length;
    transport.endWatches();
    await eventually(() => transport.watchRvs.length > watchesBefore && transport.openWatches > 0, 5000, 'watch reopened');
    assert.equal(transport.watchRvs.at(-1), rvAtCut, 'resumed from the last resourceVersion seen');
    assert.equal(transport.lists, listsBefore, 'no relist after a clean end');
    await cms().create(cm('inf3', 'after-cut', '1'));
    await eventually(() => log.includes('add after-cut 1'), 5000, 'event after the resume');

    // 2. While disconnected, changes happen and history is compacted past the resume point.
    transport.endWatches(true);
    await eventually(() => transport.openWatches === 0, 5000, 'watch closed');
    log.length = 0;
    const keep = await cms().get('keep', 'inf3');
    await cms().update({ ...keep, data: { v: '2' } });
    await cms().delete('gone', { namespace: 'inf3' });
    await cms().create(cm('inf3', 'new', '1'));
    // Push the resume revision out of the 8-event watch cache, then compact storage.
    for (let i = 0; i < 10; i++) await cms().create(cm('default', `filler-${i}`, '1'));
    await backend.compact(await backend.currentRevision());
    transport.release();

    await eventually(() => transport.lists > listsBefore, 5000, 'relisted after 410');
    assert.deepEqual(warnings, [], 'the relist came from 410 Expired, not from some other failure');
    await eventually(() => log.includes('add new 1') && log.includes('delete gone 1'), 5000, 'relist differences delivered');
    assert.ok(log.includes('update keep 1->2'), `keep updated: ${log.join(', ')}`);
    assert.ok(log.includes('delete gone 1'), 'a delete missed while away is reported with the last known state');
    assert.deepEqual(inf.store.keys().sort(), ['inf3/after-cut', 'inf3/before-cut', 'inf3/keep', 'inf3/new']);
    // And the informer is live again afterwards.
    await cms().create(cm('inf3', 'later', '1'));
    await eventually(() => log.includes('add later 1'), 5000, 'live again after the relist');

    ctl.abort();
    await running;
  });
});
