/**
 * `kubectl attach -i` on the runc runtime: input reaches the container's stdin through
 * conmon's attach socket (by way of attach-relay.py) and its output comes back; the end of
 * input closes a `stdinOnce` container's stdin, so `cat` exits and the pod completes.
 * Needs root, runc, skopeo, busybox-static and python3.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { runcSkipReason } from '../support/busybox-image.ts';
import { eventually } from '../support/kubectl.ts';
import { startRuncCluster, type RuncCluster } from '../support/runc-cluster.ts';
import type { TestCluster } from '../support/server.ts';

const skip = runcSkipReason() || (spawnSync('sh', ['-c', 'command -v python3']).status !== 0 ? 'python3 is not installed' : false);

describe('kubectl attach -i on runc', { skip }, () => {
  let env: RuncCluster;
  let c: TestCluster;
  let image: string;

  before(async () => {
    env = await startRuncCluster({ nodeName: 'skiff-runc-attach', bridge: 'skratt0', clusterCidr: '10.69.0.0/16' });
    ({ cluster: c, image } = env);
  });
  after(async () => {
    await env?.stop();
  });

  it('sends input to a stdin container and shows its output; end of input ends it', async () => {
    const pod = {
      apiVersion: 'v1', kind: 'Pod', metadata: { name: 'catter' },
      spec: { restartPolicy: 'Never', containers: [{ name: 'cat', image, command: ['sh', '-c', 'while read l; do echo "got $l"; done; echo bye'], stdin: true, stdinOnce: true }] },
    };
    await c.kubectl.ok(['apply', '-f', '-'], { input: JSON.stringify(pod) });
    await c.kubectl.ok(['wait', '--for=condition=Ready', 'pod/catter', '--timeout=60s']);
    const r = await c.kubectl(['attach', '-i', 'catter', '-c', 'cat'], { input: 'one\ntwo\n', timeoutMs: 30_000 });
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /got one\ngot two\n/);
    await eventually(async () => (await c.kubectl.ok(['get', 'pod', 'catter', '-o', 'jsonpath={.status.phase}'])) === 'Succeeded', 20_000, 'catter Succeeded');
    assert.match(await c.kubectl.ok(['logs', 'catter']), /got one\ngot two\nbye/);
  });
});
