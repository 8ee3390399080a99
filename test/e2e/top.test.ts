/**
 * Acceptance for the resource metrics pipeline: simulated nodes report synthetic usage
 * (`simOptions.usage`, read live), the built-in metrics server collects it at a short
 * resolution, the API serves `metrics.k8s.io/v1beta1`, and the real `kubectl top nodes` /
 * `kubectl top pods` (`-A`, `--containers`, `-l`) print it as upstream. With runc available, a
 * busybox pod burning CPU in a real container shows more than 200m.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { Pod } from 'kubernetes-types/core/v1.js';
import { runcSkipReason } from '../support/busybox-image.ts';
import { eventually } from '../support/kubectl.ts';
import { startRuncCluster, type RuncCluster } from '../support/runc-cluster.ts';
import { startCluster, type TestCluster } from '../support/server.ts';

const rows = (out: string) => out.trim().split('\n').map((l) => l.trim().split(/\s+/));

describe('kubectl top on simulated nodes', () => {
  let c: TestCluster;
  const load = new Map<string, { cpuMillis: number; memoryBytes: number }>([['burn', { cpuMillis: 250, memoryBytes: 64 * 2 ** 20 }]]);

  before(async () => {
    c = await startCluster({
      datastore: 'memory',
      simNodes: 2,
      server: { metricResolutionMs: 400 },
      simOptions: { usage: (pod: Pod) => load.get(pod.metadata?.name ?? ''), leaseRenewIntervalMs: 1000 },
    });
    await c.kubectl.ok(['create', 'namespace', 'other']);
    const pod = (name: string, ns: string, node: string, containers: string[], extra: Record<string, unknown> = {}) => ({
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: { name, namespace: ns, labels: { app: name }, ...extra },
      spec: { nodeName: node, containers: containers.map((n) => ({ name: n, image: 'busybox' })) },
    });
    await c.kubectl.ok(['apply', '-f', '-'], {
      input: JSON.stringify({
        apiVersion: 'v1',
        kind: 'List',
        items: [
          pod('burn', 'default', 'sim-0', ['main']),
          // Annotations: the whole pod's usage, split across its two containers.
          pod('multi', 'other', 'sim-1', ['a', 'b'], { annotations: { 'sim.skiff.dev/cpu-usage': '500m', 'sim.skiff.dev/memory-usage': '128Mi' } }),
          // Nothing said: the default, 1m and 4Mi per container.
          pod('idle', 'other', 'sim-1', ['main']),
        ],
      }),
    });
  });
  after(async () => {
    await c?.stop();
  });

  it('lists the group in discovery', async () => {
    const out = await c.kubectl.ok(['api-resources', '--api-group=metrics.k8s.io']);
    assert.match(out, /^nodes\s+metrics\.k8s\.io\/v1beta1\s+false\s+NodeMetrics$/m);
    assert.match(out, /^pods\s+metrics\.k8s\.io\/v1beta1\s+true\s+PodMetrics$/m);
  });

  it('kubectl top nodes shows each node with the upstream columns', async () => {
    const out = await eventually(async () => {
      const r = await c.kubectl(['top', 'nodes']);
      return r.code === 0 && /sim-0\s+250m/.test(r.stdout) && /sim-1\s+501m/.test(r.stdout) ? r.stdout : undefined;
    }, 20_000, 'node metrics');
    const t = rows(out);
    assert.deepEqual(t[0], ['NAME', 'CPU(cores)', 'CPU(%)', 'MEMORY(bytes)', 'MEMORY(%)']);
    // 32 cores and 256Gi of capacity: 250m is 0%.
    assert.deepEqual(t.find((r) => r[0] === 'sim-0'), ['sim-0', '250m', '0%', '64Mi', '0%']);
    assert.deepEqual(t.find((r) => r[0] === 'sim-1'), ['sim-1', '501m', '1%', '132Mi', '0%']);
  });

  it('kubectl top pods -A, --containers and -l', async () => {
    const all = await eventually(async () => {
      const r = await c.kubectl(['top', 'pods', '-A']);
      return r.code === 0 && /idle/.test(r.stdout) && /burn/.test(r.stdout) && /multi/.test(r.stdout) ? r.stdout : undefined;
    }, 20_000, 'pod metrics');
    const t = rows(all);
    assert.deepEqual(t[0], ['NAMESPACE', 'NAME', 'CPU(cores)', 'MEMORY(bytes)']);
    assert.deepEqual(t.slice(1), [
      ['default', 'burn', '250m', '64Mi'],
      ['other', 'idle', '1m', '4Mi'],
      ['other', 'multi', '500m', '128Mi'],
    ]);
    const containers = rows(await c.kubectl.ok(['top', 'pods', '-n', 'other', '--containers']));
    assert.deepEqual(containers[0], ['POD', 'NAME', 'CPU(cores)', 'MEMORY(bytes)']);
    assert.deepEqual(containers.slice(1), [
      ['idle', 'main', '1m', '4Mi'],
      ['multi', 'a', '250m', '64Mi'],
      ['multi', 'b', '250m', '64Mi'],
    ]);
    const selected = rows(await c.kubectl.ok(['top', 'pods', '-A', '-l', 'app=multi']));
    assert.deepEqual(selected.slice(1), [['other', 'multi', '500m', '128Mi']]);
    const one = rows(await c.kubectl.ok(['top', 'pod', 'burn']));
    assert.deepEqual(one.slice(1), [['burn', '250m', '64Mi']]);
  });

  it('follows the usage as it changes', async () => {
    load.set('burn', { cpuMillis: 1500, memoryBytes: 256 * 2 ** 20 });
    await eventually(async () => /burn\s+1500m\s+256Mi/.test((await c.kubectl(['top', 'pods'])).stdout), 20_000, 'new usage');
  });

  it('serves get and field selectors on the raw API', async () => {
    const got = JSON.parse(await c.kubectl.ok(['get', '--raw', '/apis/metrics.k8s.io/v1beta1/namespaces/other/pods/multi'])) as { kind: string; metadata: { labels: Record<string, string> }; window: string; containers: unknown[] };
    assert.equal(got.kind, 'PodMetrics');
    assert.deepEqual(got.metadata.labels, { app: 'multi' });
    assert.match(got.window, /^\d+(\.\d+)?m?s$/);
    const list = JSON.parse(await c.kubectl.ok(['get', '--raw', '/apis/metrics.k8s.io/v1beta1/nodes?fieldSelector=metadata.name%3Dsim-1'])) as { kind: string; items: { metadata: { name: string } }[] };
    assert.equal(list.kind, 'NodeMetricsList');
    assert.deepEqual(list.items.map((i) => i.metadata.name), ['sim-1']);
    const missing = await c.kubectl(['get', '--raw', '/apis/metrics.k8s.io/v1beta1/namespaces/default/pods/nope']);
    assert.notEqual(missing.code, 0);
    assert.match(missing.stderr, /NotFound|not found/);
  });
});

const skip = runcSkipReason();

describe('kubectl top with a real container on runc', { skip }, () => {
  let env: RuncCluster;
  let c: TestCluster;
  const node = 'skiff-metrics-e2e';

  before(async () => {
    env = await startRuncCluster({ nodeName: node, bridge: 'skmet0', clusterCidr: '10.63.0.0/16', cluster: { server: { metricResolutionMs: 1000 } } });
    c = env.cluster;
  });
  after(async () => {
    await env?.stop();
  });

  it('shows a CPU-burning pod above 200m', async () => {
    await c.kubectl.ok(['run', 'spin', `--image=${env.image}`, '--restart=Never', '--command', '--', 'sh', '-c', 'while :; do :; done']);
    const cpu = await eventually(async () => {
      const r = await c.kubectl(['top', 'pods', '--no-headers']);
      const m = /^spin\s+(\d+)m\s/m.exec(r.stdout);
      return m && Number(m[1]) > 200 ? Number(m[1]) : undefined;
    }, 60_000, 'spin above 200m');
    assert.ok(cpu > 200);
    const nodes = await eventually(async () => {
      const r = await c.kubectl(['top', 'nodes', '--no-headers']);
      return r.code === 0 && r.stdout.includes(node) ? r.stdout : undefined;
    }, 20_000, 'node metrics');
    const m = new RegExp(`^${node}\\s+(\\d+)m\\s`, 'm').exec(nodes);
    assert.ok(m && Number(m[1]) > 200, nodes);
  });
});
