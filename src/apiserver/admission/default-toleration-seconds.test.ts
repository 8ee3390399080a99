import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { Pod } from 'kubernetes-types/core/v1.js';
import type { KubeObject } from '../../api/object.ts';
import { builtinResources, findResource } from '../../machinery/resources.ts';
import type { AdmissionAttributes } from './interface.ts';
import { defaultTolerationSeconds } from './default-toleration-seconds.ts';

const pods = findResource(builtinResources, '', 'v1', 'pods')!;
const attrs = (pod: Pod, operation: AdmissionAttributes['operation'] = 'CREATE'): AdmissionAttributes => ({
  operation,
  resource: pods,
  subresource: '',
  namespace: 'default',
  name: 'p',
  object: pod as KubeObject,
  oldObject: undefined,
  user: { username: 'u', groups: [] },
  dryRun: false,
});

describe('DefaultTolerationSeconds', () => {
  it('adds both tolerations with 300 seconds', async () => {
    const pod: Pod = { spec: { containers: [] } };
    await defaultTolerationSeconds().mutate!(attrs(pod));
    assert.deepEqual(pod.spec!.tolerations, [
      { key: 'node.kubernetes.io/not-ready', operator: 'Exists', effect: 'NoExecute', tolerationSeconds: 300 },
      { key: 'node.kubernetes.io/unreachable', operator: 'Exists', effect: 'NoExecute', tolerationSeconds: 300 },
    ]);
  });
  it('leaves what the pod already tolerates, and is configurable', async () => {
    const own = { key: 'node.kubernetes.io/unreachable', operator: 'Exists', effect: 'NoExecute', tolerationSeconds: 5 };
    const pod: Pod = { spec: { containers: [], tolerations: [own] } };
    await defaultTolerationSeconds({ notReadySeconds: 60 }).mutate!(attrs(pod));
    assert.deepEqual(pod.spec!.tolerations!.map((t) => [t.key, t.tolerationSeconds]), [
      ['node.kubernetes.io/unreachable', 5],
      ['node.kubernetes.io/not-ready', 60],
    ]);
    const all: Pod = { spec: { containers: [], tolerations: [{ operator: 'Exists' }] } };
    await defaultTolerationSeconds().mutate!(attrs(all));
    assert.equal(all.spec!.tolerations!.length, 1);
  });
  it('only on pod creation', async () => {
    const pod: Pod = { spec: { containers: [] } };
    await defaultTolerationSeconds().mutate!(attrs(pod, 'UPDATE'));
    assert.equal(pod.spec!.tolerations, undefined);
  });
});
