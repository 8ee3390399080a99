/**
 * WATCH bodies end when their caller goes away, also when it went away before the body was
 * first read (an in-process informer stopped right after its list): no abort event comes then.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { ApiServer } from '../server.ts';
import type { ApiRequest } from '../types.ts';
import { startInProcessApi, type InProcessApi } from '../../../test/support/in-process-api.ts';

describe('WATCH body and the caller signal', () => {
  let server: InProcessApi;
  let api: ApiServer;
  before(async () => {
    server = await startInProcessApi({ namespaces: [] });
    api = server.api;
  });
  after(() => server.stop());

  const watch = (signal: AbortSignal) =>
    api.handle({ method: 'GET', path: '/api/v1/namespaces/default/configmaps', query: new URLSearchParams({ watch: 'true', resourceVersion: '0' }), headers: { accept: 'application/json' }, signal, peer: { kind: 'in-process', user: { username: 'test', groups: ['system:masters'] } } } as ApiRequest);

  /** Reads the body to its end; 'hung' when it has not ended within `ms`. */
  async function drained(body: Uint8Array | AsyncIterable<Uint8Array>, ms: number): Promise<'ended' | 'hung'> {
    if (body instanceof Uint8Array) return 'ended';
    let timer: NodeJS.Timeout | undefined;
    const read = (async () => {
      for await (const _ of body) void _;
      return 'ended' as const;
    })();
    const late = new Promise<'hung'>((r) => (timer = setTimeout(() => r('hung'), ms)));
    try {
      return await Promise.race([read, late]);
    } finally {
      clearTimeout(timer);
    }
  }

  it('ends when the caller aborts while the watch is idle', async () => {
    const ctl = new AbortController();
    const res = await watch(ctl.signal);
    assert.equal(res.status, 200);
    setTimeout(() => ctl.abort(), 50);
    assert.equal(await drained(res.body, 2000), 'ended');
  });

  it('ends when the caller aborted before the body was first read', async () => {
    const ctl = new AbortController();
    const res = await watch(ctl.signal);
    assert.equal(res.status, 200);
    ctl.abort();
    assert.equal(await drained(res.body, 2000), 'ended');
  });
});
