/**
 * Acceptance for `kubectl logs` on `skiff server --runtime process`: the API server checks
 * the request and fetches the log from the node's kubelet HTTPS endpoint (client-certificate
 * authenticated), which reads the CRI log files. Covers plain output, `-f`, `--tail`,
 * `--timestamps`, `-c` and the default container, `--previous`, `--all-containers`, the
 * waiting-container error, and a clean error (no dial) for pods on simulated nodes.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { Node } from 'kubernetes-types/core/v1.js';
import { eventually, haveKubectl } from '../support/kubectl.ts';
import { startCluster, type TestCluster } from '../support/server.ts';

const node = 'logs-node';

describe('kubectl logs', { skip: !haveKubectl && 'kubectl is not installed' }, () => {
  let cluster: TestCluster;
  const kubectl = (args: string[], input?: string) => cluster.kubectl.ok(args, { input });
  const apply = (obj: object) => kubectl(['apply', '-f', '-'], JSON.stringify(obj));
  const pod = (name: string, spec: Record<string, unknown>) => ({ apiVersion: 'v1', kind: 'Pod', metadata: { name }, spec: { nodeName: node, terminationGracePeriodSeconds: 1, ...spec } });
  const sh = (name: string, script: string) => ({ name, image: 'busybox', command: ['sh', '-c', script] });

  before(async () => {
    cluster = await startCluster({ datastore: 'memory', simNodes: 1, server: { disableAgent: false, runtime: 'process', nodeName: node }, agentOptions: { resyncMs: 1000, relistMs: 250, backoffInitialMs: 500, backoffMaxMs: 1000 } });
    await eventually(async () => (await kubectl(['get', 'node', node, '-o', 'jsonpath={.status.conditions[?(@.type=="Ready")].status}'])) === 'True', 20_000, 'node Ready');
    await apply(pod('counter', { containers: [sh('main', 'for i in 1 2 3 4 5; do echo line-$i; done; sleep 3600')] }));
    await kubectl(['wait', '--for=condition=Ready', 'pod/counter', '--timeout=20s']);
  });
  after(async () => {
    await cluster?.stop();
  });

  it('advertises the real kubelet port, and sim nodes port 0', async () => {
    const n = JSON.parse(await kubectl(['get', 'node', node, '-o', 'json'])) as Node;
    assert.ok((n.status?.daemonEndpoints?.kubeletEndpoint?.Port ?? 0) > 0);
    const nodes = JSON.parse(await kubectl(['get', 'nodes', '-o', 'json'])) as { items: Node[] };
    const sim = nodes.items.find((x) => x.metadata?.name !== node)!;
    assert.equal(sim.status?.daemonEndpoints?.kubeletEndpoint?.Port, 0);
  });

  it('prints the output, --tail and --timestamps', async () => {
    await eventually(async () => (await kubectl(['logs', 'counter'])) === 'line-1\nline-2\nline-3\nline-4\nline-5\n', 10_000, 'all lines');
    assert.equal(await kubectl(['logs', 'counter', '--tail=2']), 'line-4\nline-5\n');
    const ts = (await kubectl(['logs', 'counter', '--timestamps', '--tail=1'])).trimEnd();
    assert.match(ts, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z line-5$/);
    assert.equal(await kubectl(['logs', 'counter', '--limit-bytes=8']), 'line-1\nl');
    assert.equal(await kubectl(['logs', 'counter', '--since=1h', '--tail=1']), 'line-5\n');
  });

  it('-f follows new lines until stopped', async () => {
    await apply(pod('ticker', { containers: [sh('main', 'i=0; while true; do i=$((i+1)); echo tick-$i; sleep 0.3; done')] }));
    await kubectl(['wait', '--for=condition=Ready', 'pod/ticker', '--timeout=20s']);
    const f = cluster.kubectl.spawn(['logs', '-f', 'ticker']);
    try {
      await eventually(() => /tick-1\n/.test(f.output()), 10_000, 'first line');
      const seen = (f.output().match(/tick-/g) ?? []).length;
      await eventually(() => (f.output().match(/tick-/g) ?? []).length >= seen + 3, 10_000, 'new lines arrive');
    } finally {
      await f.stop();
    }
  });

  it('-f ends when the container exits', async () => {
    await apply(pod('short', { restartPolicy: 'Never', containers: [sh('main', 'echo start; sleep 2; echo end')] }));
    await eventually(async () => (await kubectl(['logs', 'short']).catch(() => '')).includes('start'), 15_000, 'short started');
    const r = await cluster.kubectl(['logs', '-f', 'short'], { timeoutMs: 20_000 });
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stdout, 'start\nend\n');
  });

  it('picks the default container, -c, --all-containers and rejects an unknown one', async () => {
    await apply({
      ...pod('two', { containers: [sh('a', 'echo from-a; sleep 3600'), sh('b', 'echo from-b; sleep 3600')] }),
    });
    await kubectl(['wait', '--for=condition=Ready', 'pod/two', '--timeout=20s']);
    const def = await cluster.kubectl(['logs', 'two']);
    assert.equal(def.code, 0, def.stderr);
    assert.equal(def.stdout, 'from-a\n');
    assert.match(def.stderr, /Defaulted container "a" out of: a, b/);
    assert.equal(await kubectl(['logs', 'two', '-c', 'b']), 'from-b\n');
    // kubectl 1.32 keeps the per-container requests in a Go map: their order is random.
    const all = await kubectl(['logs', 'two', '--all-containers']);
    assert.deepEqual(all.trim().split('\n').sort(), ['from-a', 'from-b']);
    const bad = await cluster.kubectl(['logs', 'two', '-c', 'nope']);
    assert.notEqual(bad.code, 0);
    assert.match(bad.stderr, /container nope is not valid for pod two/);
  });

  it('answers the upstream 400 when the API is asked without a container', async () => {
    const r = await cluster.kubectl(['get', '--raw', '/api/v1/namespaces/default/pods/two/log']);
    assert.notEqual(r.code, 0);
    assert.match(r.stderr, /a container name must be specified for pod two, choose one of: \[a b\]/);
  });

  it('--previous shows the last run after a restart', async () => {
    await apply(pod('restarter', { containers: [sh('main', 'echo run-$(date +%s%N); sleep 1; exit 1')] }));
    await eventually(async () => Number(await kubectl(['get', 'pod', 'restarter', '-o', 'jsonpath={.status.containerStatuses[0].restartCount}'])) >= 1, 30_000, 'a restart');
    const prev = await kubectl(['logs', 'restarter', '--previous']);
    assert.match(prev, /^run-\d+\n$/);
    const fresh = await cluster.kubectl(['logs', 'counter', '--previous']);
    assert.notEqual(fresh.code, 0);
    assert.match(fresh.stderr, /previous terminated container "main" in pod "counter" not found/);
  });

  it('says a waiting container is waiting to start', async () => {
    await apply(pod('waiting', { containers: [{ name: 'main', image: 'busybox', command: ['sh', '-c', 'echo never'], env: [{ name: 'X', valueFrom: { configMapKeyRef: { name: 'missing', key: 'k' } } }] }] }));
    const r = await eventually(async () => {
      const x = await cluster.kubectl(['logs', 'waiting']);
      // Before the kubelet has a reason it says "- no logs yet"; wait for the reason.
      return x.code !== 0 && /is waiting to start: \w+/.test(x.stderr) ? x : undefined;
    }, 15_000, 'waiting error');
    assert.match(r.stderr, /container "main" in pod "waiting" is waiting to start: \w+/);
  });

  it('gives a clean error for a pod on a simulated node', async () => {
    const nodes = JSON.parse(await kubectl(['get', 'nodes', '-o', 'json'])) as { items: Node[] };
    const sim = nodes.items.find((x) => x.metadata?.name !== node)!.metadata!.name!;
    await apply({ apiVersion: 'v1', kind: 'Pod', metadata: { name: 'simpod' }, spec: { nodeName: sim, containers: [{ name: 'main', image: 'busybox' }] } });
    await kubectl(['wait', '--for=condition=Ready', 'pod/simpod', '--timeout=20s']);
    const started = Date.now();
    const r = await cluster.kubectl(['logs', 'simpod'], { timeoutMs: 15_000 });
    assert.notEqual(r.code, 0);
    assert.match(r.stderr, new RegExp(`node "${sim}" has no reachable kubelet endpoint`));
    assert.doesNotMatch(r.stderr, /10\.200\./);
    assert.ok(Date.now() - started < 10_000, 'answered at once');
  });

  it('passes exec upgrades through to the kubelet endpoint (and refuses sim nodes)', async () => {
    // The kubelet's exec handler (streams part 2) answers; the API server only pipes bytes.
    const r = await cluster.kubectl(['exec', 'counter', '--', 'echo', 'hi'], { timeoutMs: 20_000 });
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stdout, 'hi\n');
    const sim = await cluster.kubectl(['exec', 'simpod', '--', 'ls'], { timeoutMs: 20_000 });
    assert.notEqual(sim.code, 0);
    assert.match(sim.stderr, /has no reachable kubelet endpoint/);
  });

  it('needs create (not only get) on pods/exec, and get on pods/log', async () => {
    const role = (verbs: string[]) => ({ apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'Role', metadata: { name: 'streams' }, rules: [{ apiGroups: [''], resources: ['pods'], verbs: ['get'] }, { apiGroups: [''], resources: ['pods/exec', 'pods/log'], verbs }] });
    await apply(role(['get']));
    await apply({ apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'RoleBinding', metadata: { name: 'streams' }, roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'Role', name: 'streams' }, subjects: [{ apiGroup: 'rbac.authorization.k8s.io', kind: 'User', name: 'eve' }] });
    await eventually(async () => (await cluster.kubectl(['logs', 'counter', '--tail=1', '--as=eve'])).stdout === 'line-5\n', 10_000, 'eve reads logs');
    const denied = await cluster.kubectl(['exec', 'counter', '--as=eve', '--', 'true'], { timeoutMs: 20_000 });
    assert.notEqual(denied.code, 0);
    assert.match(denied.stderr, /cannot create resource "pods\/exec"/);
    await apply(role(['get', 'create']));
    await eventually(async () => (await cluster.kubectl(['exec', 'counter', '--as=eve', '--', 'echo', 'ok'], { timeoutMs: 20_000 })).stdout === 'ok\n', 10_000, 'eve may exec');
  });
});
