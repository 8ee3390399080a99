/**
 * Acceptance of issue 8's autoscaling: the HPA controller driven by the REAL metrics pipeline
 * (kubelet / simulated-node usage → built-in metrics server → metrics.k8s.io → controller),
 * with the real kubectl (`kubectl autoscale`, `kubectl get hpa`, `kubectl top`).
 *
 * - Simulated nodes: synthetic load (the `usage` function reads mutable test state) at 2× the
 *   CPU request scales a Deployment out and, once the load drops, back in after the shortened
 *   downscale stabilization window; a memory AverageValue HPA scales; a `behavior` scale-up
 *   policy of 1 pod per period is honoured.
 * - Real containers (runc, skipped with a printed reason elsewhere): busybox pods burning CPU
 *   show in `kubectl top pods` and scale out under a 50% HPA, and back in once the burn is
 *   switched off through a file in an emptyDir (`kubectl exec … touch`).
 * Only the metric resolution, the sync period and the downscale stabilization are shortened;
 * the CPU initialization period and initial readiness delay keep upstream's defaults.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { Pod } from 'kubernetes-types/core/v1.js';
import { runcSkipReason } from '../support/busybox-image.ts';
import { eventually, haveKubectl } from '../support/kubectl.ts';
import { startRuncCluster, type RuncCluster } from '../support/runc-cluster.ts';
import { startCluster, type TestCluster } from '../support/server.ts';

const Mi = 2 ** 20;

const deployment = (name: string, requests: string, extra = '') => `apiVersion: apps/v1
kind: Deployment
metadata: {name: ${name}, namespace: hpa}
spec:
  replicas: 1
  selector:
    matchLabels: {app: ${name}}
  template:
    metadata:
      labels: {app: ${name}}
    spec:
      containers:
      - name: main
        image: nginx:1.25
        resources:
          requests: {${requests}}
${extra}`;

/** `kubectl get hpa` columns: NAME REFERENCE TARGETS MINPODS MAXPODS REPLICAS AGE. */
const hpaRow = async (c: TestCluster, name: string) => (await c.kubectl.ok(['get', 'hpa', name, '-n', 'hpa', '--no-headers'])).trim().split(/\s{2,}/);
const specReplicas = async (c: TestCluster, name: string) =>
  Number(await c.kubectl.ok(['get', 'deploy', name, '-n', 'hpa', '-o', 'jsonpath={.spec.replicas}']));
/** SuccessfulRescale messages of one HPA, oldest first. */
const rescales = async (c: TestCluster, name: string) =>
  (
    await c.kubectl.ok([
      'get', 'events', '-n', 'hpa', '--sort-by=.firstTimestamp',
      '--field-selector', `involvedObject.kind=HorizontalPodAutoscaler,involvedObject.name=${name},reason=SuccessfulRescale`,
      '-o', 'jsonpath={range .items[*]}{.message}{"\\n"}{end}',
    ])
  ).trim().split('\n').filter(Boolean);

describe('HPA on simulated nodes with synthetic load', { skip: haveKubectl ? false : 'kubectl not installed at /usr/bin/kubectl' }, () => {
  let c: TestCluster;
  /** Per app label: CPU as a multiple of the 100m request, memory in bytes, per pod. */
  const load = new Map<string, { cpu: number; memoryBytes: number }>([
    ['web', { cpu: 2, memoryBytes: 10 * Mi }],
    ['mem', { cpu: 0.01, memoryBytes: 128 * Mi }],
    ['step', { cpu: 2, memoryBytes: 10 * Mi }],
  ]);

  before(async () => {
    c = await startCluster({
      datastore: 'memory',
      simNodes: 2,
      server: { metricResolutionMs: 500 },
      simOptions: {
        leaseRenewIntervalMs: 1000,
        usage: (pod: Pod) => {
          const l = load.get(pod.metadata?.labels?.app ?? '');
          return l && { cpuMillis: l.cpu * 100, memoryBytes: l.memoryBytes };
        },
      },
      controllerOptions: {
        horizontalPodAutoscalerSyncPeriodMs: 500,
        horizontalPodAutoscalerDownscaleStabilizationMs: 5000,
        // cpuInitializationPeriod and initialReadinessDelay keep upstream's defaults (5 min,
        // 30 s): new pods count once a whole metrics window follows their readiness.
      },
    });
    await c.kubectl.ok(['create', 'namespace', 'hpa']);
  });
  after(async () => {
    await c?.stop();
  });

  it('scales out on CPU at 200% of a 50% target and back in after the stabilization window', async () => {
    await c.kubectl.ok(['apply', '-f', '-'], { input: deployment('web', 'cpu: 100m, memory: 32Mi') });
    await c.kubectl.ok(['autoscale', 'deploy', 'web', '-n', 'hpa', '--cpu-percent=50', '--min=1', '--max=6']);
    // The real percentage, measured by the metrics server from the sim node's counters.
    const row = await eventually(async () => {
      const r = await hpaRow(c, 'web');
      return r[2] === 'cpu: 200%/50%' ? r : undefined;
    }, 30_000, 'TARGETS cpu: 200%/50%');
    assert.deepEqual(row.slice(0, 5), ['web', 'Deployment/web', 'cpu: 200%/50%', '1', '6']);
    await eventually(async () => (await specReplicas(c, 'web')) === 6, 30_000, 'web scaled to 6');
    await eventually(async () => (await hpaRow(c, 'web'))[5] === '6', 10_000, 'REPLICAS 6');
    const described = await c.kubectl.ok(['describe', 'hpa', 'web', '-n', 'hpa']);
    assert.match(described, /resource cpu on pods {2}\(as a percentage of request\):\s+200% \(200m\) \/ 50%/);
    assert.match(described, /ScalingActive\s+True\s+ValidMetricFound/);
    const top = await c.kubectl.ok(['top', 'pods', '-n', 'hpa', '-l', 'app=web', '--no-headers']);
    assert.match(top, /^web-\S+\s+200m\s/m);
    // 1 → 4 (the legacy limit max(2×1, 4)), then the max (events in one second may list in any order).
    assert.deepEqual((await rescales(c, 'web')).sort(), [
      'New size: 4; reason: cpu resource utilization (percentage of request) above target',
      'New size: 6; reason: cpu resource utilization (percentage of request) above target',
    ]);

    const dropped = Date.now();
    load.set('web', { cpu: 0.1, memoryBytes: 10 * Mi });
    // The first status that sees the drop still holds the recent recommendation of 6.
    const held = await eventually(async () => {
      const h = JSON.parse(await c.kubectl.ok(['get', 'hpa.v2.autoscaling', 'web', '-n', 'hpa', '-o', 'json'])) as {
        status: { desiredReplicas: number; currentMetrics?: { resource?: { current: { averageUtilization?: number } } }[]; conditions: { type: string; reason: string }[] };
      };
      return h.status.currentMetrics?.[0]?.resource?.current.averageUtilization === 10 ? h.status : undefined;
    }, 20_000, 'averageUtilization 10');
    assert.equal(held.desiredReplicas, 6);
    assert.equal(held.conditions.find((x) => x.type === 'AbleToScale')?.reason, 'ScaleDownStabilized');
    assert.equal((await hpaRow(c, 'web'))[2], 'cpu: 10%/50%');
    await eventually(async () => (await specReplicas(c, 'web')) === 1, 40_000, 'web scaled back to 1');
    // Not before the 5 s window: the recommendation of 6 from before the drop held until then.
    assert.ok(Date.now() - dropped >= 5000, `scaled in after ${Date.now() - dropped} ms`);
    assert.match((await rescales(c, 'web')).at(-1) ?? '', /^New size: 1; reason: All metrics below target$/);
  });

  it('scales a memory AverageValue HPA', async () => {
    await c.kubectl.ok(['apply', '-f', '-'], { input: deployment('mem', 'cpu: 100m, memory: 32Mi') });
    await c.kubectl.ok(['apply', '-f', '-'], {
      input: `apiVersion: autoscaling/v2
kind: HorizontalPodAutoscaler
metadata: {name: mem, namespace: hpa}
spec:
  scaleTargetRef: {apiVersion: apps/v1, kind: Deployment, name: mem}
  minReplicas: 1
  maxReplicas: 3
  metrics:
  - type: Resource
    resource: {name: memory, target: {type: AverageValue, averageValue: 64Mi}}
`,
    });
    // 128Mi per pod against 64Mi: 1 → 2 → 3 (capped).
    await eventually(async () => (await specReplicas(c, 'mem')) === 3, 30_000, 'mem scaled to 3');
    const row = await eventually(async () => {
      const r = await hpaRow(c, 'mem');
      return r[5] === '3' && /^memory: \S+\/64Mi$/.test(r[2] ?? '') && !r[2]!.includes('unknown') ? r : undefined;
    }, 10_000, 'mem hpa row');
    // As upstream, the current average is printed as the controller stores it (a DecimalSI quantity).
    assert.equal(row[2], `memory: ${128 * Mi}/64Mi`);
    const hpa = JSON.parse(await c.kubectl.ok(['get', 'hpa.v2.autoscaling', 'mem', '-n', 'hpa', '-o', 'json'])) as {
      status: { currentMetrics: { resource: { name: string; current: { averageValue: string } } }[]; conditions: { type: string; reason: string }[] };
    };
    assert.equal(hpa.status.currentMetrics[0]?.resource.name, 'memory');
    assert.equal(hpa.status.conditions.find((x) => x.type === 'ScalingLimited')?.reason, 'TooManyReplicas');
    assert.deepEqual((await rescales(c, 'mem')).sort(), ['New size: 2; reason: memory resource above target', 'New size: 3; reason: memory resource above target']);
  });

  it('takes the largest proposal of several metrics on a StatefulSet', async () => {
    // CPU at 30% of 50% alone would scale in; memory at 150% of 100% wants 2 (then 3): max wins.
    load.set('db', { cpu: 0.3, memoryBytes: 48 * Mi });
    await c.kubectl.ok(['apply', '-f', '-'], {
      input: `apiVersion: apps/v1
kind: StatefulSet
metadata: {name: db, namespace: hpa}
spec:
  replicas: 1
  serviceName: db
  podManagementPolicy: Parallel
  selector:
    matchLabels: {app: db}
  template:
    metadata:
      labels: {app: db}
    spec:
      containers:
      - name: main
        image: nginx:1.25
        resources:
          requests: {cpu: 100m, memory: 32Mi}
---
apiVersion: autoscaling/v2
kind: HorizontalPodAutoscaler
metadata: {name: db, namespace: hpa}
spec:
  scaleTargetRef: {apiVersion: apps/v1, kind: StatefulSet, name: db}
  minReplicas: 1
  maxReplicas: 5
  metrics:
  - type: Resource
    resource: {name: cpu, target: {type: Utilization, averageUtilization: 50}}
  - type: Resource
    resource: {name: memory, target: {type: Utilization, averageUtilization: 100}}
`,
    });
    const row = await eventually(async () => {
      const r = await hpaRow(c, 'db');
      return r[2] === 'cpu: 30%/50%, memory: 150%/100%' ? r : undefined;
    }, 30_000, 'TARGETS with both metrics');
    assert.equal(row[1], 'StatefulSet/db');
    await eventually(async () => Number(await c.kubectl.ok(['get', 'sts', 'db', '-n', 'hpa', '-o', 'jsonpath={.spec.replicas}'])) >= 2, 30_000, 'db scaled out');
    assert.ok((await rescales(c, 'db')).includes('New size: 2; reason: memory resource utilization (percentage of request) above target'));
  });

  it('honours behavior: scaleUp 1 pod per period, scaleDown 50% per period', async () => {
    await c.kubectl.ok(['apply', '-f', '-'], { input: deployment('step', 'cpu: 100m') });
    await c.kubectl.ok(['apply', '-f', '-'], {
      input: `apiVersion: autoscaling/v2
kind: HorizontalPodAutoscaler
metadata: {name: step, namespace: hpa}
spec:
  scaleTargetRef: {apiVersion: apps/v1, kind: Deployment, name: step}
  minReplicas: 1
  maxReplicas: 4
  metrics:
  - type: Resource
    resource: {name: cpu, target: {type: Utilization, averageUtilization: 50}}
  behavior:
    scaleUp:
      stabilizationWindowSeconds: 0
      policies:
      - {type: Pods, value: 1, periodSeconds: 2}
    scaleDown:
      stabilizationWindowSeconds: 0
      policies:
      - {type: Percent, value: 50, periodSeconds: 2}
`,
    });
    const limited = await eventually(async () => {
      const out = await c.kubectl.ok(['get', 'hpa.v2.autoscaling', 'step', '-n', 'hpa', '-o', 'jsonpath={.status.conditions[?(@.type=="ScalingLimited")].reason}']);
      return out === 'ScaleUpLimit' ? out : undefined;
    }, 20_000, 'ScalingLimited ScaleUpLimit');
    assert.equal(limited, 'ScaleUpLimit');
    await eventually(async () => (await specReplicas(c, 'step')) === 4, 40_000, 'step scaled to 4');
    const t = JSON.parse(await c.kubectl.ok(['get', 'events', '-n', 'hpa', '--field-selector', 'involvedObject.name=step,reason=SuccessfulRescale', '-o', 'json'])) as {
      items: { message: string; firstTimestamp: string }[];
    };
    const steps = t.items.map((e) => ({ size: Number(/New size: (\d+)/.exec(e.message)?.[1]), at: Date.parse(e.firstTimestamp) })).sort((a, b) => a.size - b.size);
    // One pod at a time, never sooner than the 2 s period (timestamps have 1 s resolution).
    assert.deepEqual(steps.map((s) => s.size), [2, 3, 4]);
    for (let i = 1; i < steps.length; i++) assert.ok(steps[i]!.at - steps[i - 1]!.at >= 1000, JSON.stringify(steps));

    // The period's start counts the scale-ups in it too (4 − 1 = 3 → 50% = 1), as upstream:
    // let the last scale-up leave the 2 s period (lastScaleTime has 1 s resolution).
    await eventually(async () => {
      const last = await c.kubectl.ok(['get', 'hpa.v2.autoscaling', 'step', '-n', 'hpa', '-o', 'jsonpath={.status.lastScaleTime}']);
      return Date.now() - Date.parse(last) > 3000;
    }, 10_000, 'last scale-up out of the policy period');
    // 10% wants 1 at once; half the pods per period allows 4 → 2, then 2 → 1.
    load.set('step', { cpu: 0.1, memoryBytes: 10 * Mi });
    await eventually(async () => (await specReplicas(c, 'step')) === 1, 30_000, 'step scaled in to 1');
    const downs = (await rescales(c, 'step')).filter((m) => m.includes('below target'));
    assert.deepEqual(downs, ['New size: 2; reason: All metrics below target', 'New size: 1; reason: All metrics below target']);
  });
});

const skip = haveKubectl ? runcSkipReason() : 'kubectl not installed at /usr/bin/kubectl';
if (skip) console.log(`# skipping the runc HPA test: ${skip}`);

describe('HPA with real CPU-burning containers on runc', { skip }, () => {
  let env: RuncCluster;
  let c: TestCluster;

  before(async () => {
    env = await startRuncCluster({
      nodeName: 'skiff-hpa-e2e', bridge: 'skhpa0', clusterCidr: '10.65.0.0/16',
      cluster: {
        server: { metricResolutionMs: 1000 },
        controllerOptions: {
          horizontalPodAutoscalerSyncPeriodMs: 1000,
          horizontalPodAutoscalerDownscaleStabilizationMs: 5000,
        },
      },
    });
    c = env.cluster;
    await c.kubectl.ok(['create', 'namespace', 'hpa']);
  });
  after(async () => {
    await env?.stop();
  });

  it('scales out while pods burn CPU and back in once the burn stops', async (t) => {
    const image = env.image;
    // Burns until /ctl/stop exists (touched with kubectl exec), then idles.
    const burn = 'while :; do if [ -e /ctl/stop ]; then sleep 1; fi; done';
    await c.kubectl.ok(['apply', '-f', '-'], {
      input: `apiVersion: apps/v1
kind: Deployment
metadata: {name: burn, namespace: hpa}
spec:
  replicas: 1
  selector:
    matchLabels: {app: burn}
  template:
    metadata:
      labels: {app: burn}
    spec:
      terminationGracePeriodSeconds: 0
      containers:
      - name: main
        image: ${image}
        command: [sh, -c, '${burn}']
        resources:
          requests: {cpu: 100m}
        volumeMounts: [{name: ctl, mountPath: /ctl}]
      volumes: [{name: ctl, emptyDir: {}}]
`,
    });
    const cpu = await eventually(async () => {
      const r = await c.kubectl(['top', 'pods', '-n', 'hpa', '--no-headers']);
      const m = /^burn-\S+\s+(\d+)m\s/m.exec(r.stdout);
      return m && Number(m[1]) > 50 ? Number(m[1]) : undefined;
    }, 60_000, 'burning pod above 50m in kubectl top');
    assert.ok(cpu > 50);
    t.diagnostic(`kubectl top: burning pod at ${cpu}m`);
    await c.kubectl.ok(['autoscale', 'deploy', 'burn', '-n', 'hpa', '--cpu-percent=50', '--min=1', '--max=3']);
    await eventually(async () => (await specReplicas(c, 'burn')) > 1, 30_000, 'burn scaled beyond 1');
    const row = await hpaRow(c, 'burn');
    assert.match(row[2] ?? '', /^cpu: \d+%\/50%$/);
    assert.ok(Number(/cpu: (\d+)%/.exec(row[2] ?? '')?.[1]) > 50, row.join(' | '));
    t.diagnostic(`kubectl get hpa: ${row.join(' | ')}`);
    assert.ok((await rescales(c, 'burn')).some((m) => /^New size: [23]; reason: cpu resource utilization \(percentage of request\) above target$/.test(m)));

    // Stop every burning pod (new ones may still be starting, so repeat until it scales in).
    let stopped = 0;
    await eventually(async () => {
      const names = (await c.kubectl.ok(['get', 'pods', '-n', 'hpa', '-l', 'app=burn', '--field-selector=status.phase=Running', '-o', 'jsonpath={.items[*].metadata.name}'])).split(/\s+/).filter(Boolean);
      for (const n of names) if ((await c.kubectl(['exec', '-n', 'hpa', n, '--', 'touch', '/ctl/stop'])).code === 0) stopped++;
      return (await specReplicas(c, 'burn')) === 1;
    }, 60_000, 'burn scaled back to 1');
    assert.ok(stopped > 0, 'kubectl exec never reached a pod');
    const idle = await eventually(async () => {
      const r = await hpaRow(c, 'burn');
      const pct = Number(/^cpu: (\d+)%\/50%$/.exec(r[2] ?? '')?.[1] ?? NaN);
      return pct < 50 ? r : undefined;
    }, 10_000, 'TARGETS below 50%');
    t.diagnostic(`after the burn stopped: ${idle.join(' | ')}`);
    assert.match((await rescales(c, 'burn')).at(-1) ?? '', /^New size: 1; reason: All metrics below target$/);
  });
});
