/**
 * The admission chain: plugins run in order (mutate, then validate), a plugin whose
 * `handles` excludes a resource is never called for it, and `handles` is asked once per resource.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { ResourceInfo } from '../../machinery/resources.ts';
import { admissionChain, type AdmissionAttributes, type AdmissionPlugin } from './interface.ts';

const info = (resource: string) => ({ group: '', version: 'v1', resource, kind: resource, namespaced: true, verbs: [] }) as unknown as ResourceInfo;
const pods = info('pods');
const events = info('events');
const attrs = (resource: ResourceInfo): AdmissionAttributes => ({
  operation: 'CREATE', resource, subresource: '', namespace: 'default', name: 'x', object: { metadata: { name: 'x' } }, oldObject: undefined,
  user: { username: 'u', groups: [] }, dryRun: false,
});

describe('admissionChain', () => {
  it('runs every mutate in order, then every validate, skipping plugins that do not handle the resource', async () => {
    const calls: string[] = [];
    let asked = 0;
    const plugins: AdmissionPlugin[] = [
      { name: 'a', mutate: async () => void calls.push('a.mutate'), validate: async () => void calls.push('a.validate') },
      {
        name: 'podsOnly',
        handles: (r) => (asked++, r.resource === 'pods'),
        mutate: async () => void calls.push('p.mutate'),
        validate: async () => void calls.push('p.validate'),
      },
      { name: 'b', validate: async () => void calls.push('b.validate') },
    ];
    const chain = admissionChain(plugins);
    await chain.mutate(attrs(pods));
    await chain.validate(attrs(pods));
    assert.deepEqual(calls, ['a.mutate', 'p.mutate', 'a.validate', 'p.validate', 'b.validate']);
    calls.length = 0;
    await chain.mutate(attrs(events));
    await chain.validate(attrs(events));
    await chain.validate(attrs(events));
    assert.deepEqual(calls, ['a.mutate', 'a.validate', 'b.validate', 'a.validate', 'b.validate']);
    assert.equal(asked, 2, 'handles is asked once per resource');
  });

  it('stops at the first rejection', async () => {
    const calls: string[] = [];
    const chain = admissionChain([
      { name: 'deny', validate: async () => { throw new Error('denied'); } },
      { name: 'after', validate: async () => void calls.push('after') },
    ]);
    await assert.rejects(chain.validate(attrs(pods)), /denied/);
    assert.deepEqual(calls, []);
  });
});
