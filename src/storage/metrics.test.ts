import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { Registry } from 'prom-client';
import { MemoryBackend } from './drivers/memory.ts';
import { instrumentBackend, resourceOfKey } from './metrics.ts';

describe('storage metrics', () => {
  it('names resources as upstream group-resources', () => {
    assert.deepEqual(resourceOfKey('/registry/core/pods/default/a'), { prefix: '/registry/core/pods/', resource: 'pods' });
    assert.deepEqual(resourceOfKey('/registry/apps/deployments/ns/x'), { prefix: '/registry/apps/deployments/', resource: 'deployments.apps' });
    assert.equal(resourceOfKey('/registry/'), undefined);
  });

  it('times every operation and counts stored objects per resource at scrape time', async () => {
    const reg = new Registry();
    const b = instrumentBackend(new MemoryBackend(), reg);
    await b.start();
    const enc = new TextEncoder();
    const { kv } = await b.create('/registry/core/pods/default/a', enc.encode('a'));
    await b.create('/registry/core/pods/default/b', enc.encode('b'));
    await b.update('/registry/core/pods/default/a', enc.encode('a2'), kv.modRevision);
    await b.get('/registry/core/pods/default/a');
    await b.list('/registry/apps/deployments/');
    const text = await reg.metrics();
    assert.match(text, /^etcd_request_duration_seconds_count\{operation="create",type="pods"\} 2$/m);
    assert.match(text, /^etcd_request_duration_seconds_count\{operation="update",type="pods"\} 1$/m);
    assert.match(text, /^etcd_request_duration_seconds_count\{operation="list",type="deployments.apps"\} 1$/m);
    assert.match(text, /^apiserver_storage_objects\{resource="pods"\} 2$/m);
    assert.match(text, /^apiserver_storage_objects\{resource="deployments.apps"\} 0$/m);
    await b.close();
  });
});
