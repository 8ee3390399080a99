/**
 * Acceptance for real containers: `skiff server` with its embedded agent on the runc runtime,
 * a busybox image built from Debian's busybox-static and pushed with skopeo into the built-in
 * registry, then a pod pulled from it runs `httpd` in its own network namespace and answers on
 * its pod IP; `exec`-free checks through the API: phase, IP, Ready, restart on exit, and the
 * Deployment path end to end. Needs root, runc, skopeo and busybox-static (CI installs them).
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { runcSkipReason } from '../support/busybox-image.ts';
import { eventually } from '../support/kubectl.ts';
import { startRuncCluster, type RuncCluster } from '../support/runc-cluster.ts';
import type { TestCluster } from '../support/server.ts';


const skip = runcSkipReason();

describe('real pods on runc', { skip }, () => {
  let env: RuncCluster;
  let c: TestCluster;
  let image: string;
  const node = 'skiff-runc-e2e';

  before(async () => {
    env = await startRuncCluster({ nodeName: node, bridge: 'skrunc0', clusterCidr: '10.60.0.0/16' });
    ({ cluster: c, image } = env);
  });
  after(async () => {
    await env?.stop();
  });

  it('pulls from the built-in registry and serves httpd on the pod IP', async () => {
    await c.kubectl.ok(['apply', '-f', '-'], {
      input: JSON.stringify({
        apiVersion: 'v1',
        kind: 'Pod',
        metadata: { name: 'web' },
        spec: {
          containers: [
            {
              name: 'httpd',
              image,
              command: ['sh', '-c', 'mkdir -p /www && echo "hello from $(hostname)" > /www/index.html && exec httpd -f -p 8080 -h /www'],
              readinessProbe: { tcpSocket: { port: 8080 }, periodSeconds: 1 },
            },
          ],
        },
      }),
    });
    const ip = await eventually(async () => {
      const p = JSON.parse(await c.kubectl.ok(['get', 'pod', 'web', '-o', 'json'])) as { status: { phase?: string; podIP?: string; conditions?: { type: string; status: string }[] } };
      return p.status.phase === 'Running' && p.status.conditions?.some((x) => x.type === 'Ready' && x.status === 'True') ? p.status.podIP : undefined;
    }, 60_000, 'web Running and Ready');
    assert.ok(ip && ip !== '127.0.0.1', `pod IP ${ip}`);
    // The pod's address is inside a network namespace this test's server created.
    const body = await eventually(async () => {
      const res = await fetch(`http://${ip}:8080/`, { signal: AbortSignal.timeout(2000) });
      return res.ok ? res.text() : undefined;
    }, 20_000, 'httpd answering');
    assert.equal(body.trim(), 'hello from web');
    const cid = await c.kubectl.ok(['get', 'pod', 'web', '-o', 'jsonpath={.status.containerStatuses[0].containerID}']);
    assert.match(cid, /^(runc|crun):\/\//);
    const imageID = await c.kubectl.ok(['get', 'pod', 'web', '-o', 'jsonpath={.status.containerStatuses[0].imageID}']);
    assert.match(imageID, /sha256:[0-9a-f]{64}/);
    await c.kubectl.ok(['delete', 'pod', 'web', '--timeout=60s']);
  });

  it('reports a container that exits, and restarts it', async () => {
    await c.kubectl.ok(['run', 'blink', `--image=${image}`, '--restart=Always', '--', 'sh', '-c', 'sleep 1; exit 3']);
    const restarted = await eventually(async () => {
      const n = Number(await c.kubectl.ok(['get', 'pod', 'blink', '-o', 'jsonpath={.status.containerStatuses[0].restartCount}']));
      return n >= 1 ? n : undefined;
    }, 60_000, 'a restart');
    assert.ok(restarted >= 1);
    const last = JSON.parse(await c.kubectl.ok(['get', 'pod', 'blink', '-o', 'jsonpath={.status.containerStatuses[0].lastState}'])) as { terminated?: { exitCode: number; reason: string } };
    assert.equal(last.terminated?.exitCode, 3);
    assert.equal(last.terminated?.reason, 'Error');
    await c.kubectl.ok(['delete', 'pod', 'blink', '--timeout=60s']);
  });

  it('runs a Deployment of real containers', async () => {
    await c.kubectl.ok(['create', 'deployment', 'sleepers', `--image=${image}`, '--replicas=2', '--', 'sleep', '3600']);
    await c.kubectl.ok(['rollout', 'status', 'deploy/sleepers', '--timeout=90s'], { timeoutMs: 120_000 });
    const ips = (await c.kubectl.ok(['get', 'pods', '-l', 'app=sleepers', '-o', 'jsonpath={.items[*].status.podIP}'])).split(' ');
    assert.equal(new Set(ips).size, 2, `two distinct pod IPs: ${ips.join(',')}`);
    await c.kubectl.ok(['delete', 'deployment', 'sleepers']);
    await eventually(async () => (await c.kubectl.ok(['get', 'pods', '-l', 'app=sleepers', '-o', 'name'])).trim() === '', 60_000, 'pods gone');
  });
});
