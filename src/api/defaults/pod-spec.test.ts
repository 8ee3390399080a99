/**
 * Pod defaults as upstream: requests default to limits per resource (pods only), leaving a
 * request the container set; probes and pull policy get their defaults.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { PodSpec } from 'kubernetes-types/core/v1.js';
import { defaultPodSpec, defaultRequestsFromLimits } from './pod-spec.ts';

describe('pod defaults', () => {
  it('requests what a container limits unless it requests something itself', () => {
    const spec: PodSpec = {
      initContainers: [{ name: 'i', image: 'busybox:1.36', resources: { limits: { memory: '64Mi' } } }],
      containers: [
        { name: 'a', image: 'busybox:1.36', resources: { limits: { cpu: '500m', memory: '1Gi' } } },
        { name: 'b', image: 'busybox:1.36', resources: { requests: { cpu: '100m' }, limits: { cpu: '1', memory: '128Mi' } } },
        { name: 'c', image: 'busybox:1.36' },
      ],
    };
    defaultRequestsFromLimits(spec);
    assert.deepEqual(spec.initContainers![0]!.resources!.requests, { memory: '64Mi' });
    assert.deepEqual(spec.containers[0]!.resources!.requests, { cpu: '500m', memory: '1Gi' });
    assert.deepEqual(spec.containers[1]!.resources!.requests, { cpu: '100m', memory: '128Mi' });
    assert.equal(spec.containers[2]!.resources, undefined);
  });

  it('leaves malformed specs for validation to refuse', () => {
    for (const bad of [{ containers: 'x' }, { containers: [null] }, { containers: [{ resources: { limits: 3 } }] }, { containers: [{ resources: { limits: { cpu: '1' }, requests: 'x' } }] }])
      assert.doesNotThrow(() => defaultRequestsFromLimits(bad as unknown as PodSpec));
  });

  it('defaults the pull policy from the tag', () => {
    const spec: PodSpec = { containers: [{ name: 'a', image: 'nginx' }, { name: 'b', image: 'nginx:1.25' }] };
    defaultPodSpec(spec);
    assert.equal(spec.containers[0]!.imagePullPolicy, 'Always');
    assert.equal(spec.containers[1]!.imagePullPolicy, 'IfNotPresent');
  });
});
