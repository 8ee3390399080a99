/**
 * The HPA controller against a real server with simulated nodes, a real Deployment and the
 * real kubectl (`kubectl autoscale`, `kubectl get hpa`), with pod metrics from a fake source
 * installed into the controller (the real metrics pipeline is tested elsewhere): reported load
 * at 100% of requests scales the Deployment out to maxReplicas; load at 10% scales it back in
 * once the (shortened) downscale stabilization window has passed.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { Pod } from 'kubernetes-types/core/v1.js';
import type { KubeObject } from '../../src/api/object.ts';
import { refs } from '../../src/client/refs.ts';
import { Client } from '../../src/client/rest.ts';
import { installMetricsSource, type PodMetrics } from '../../src/controllers/hpa/metrics.ts';
import { eventually, haveKubectl } from '../support/kubectl.ts';
import { startCluster, type TestCluster } from '../support/server.ts';

const deployment = `apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
  namespace: hpa
spec:
  replicas: 1
  selector:
    matchLabels: {app: web}
  template:
    metadata:
      labels: {app: web}
    spec:
      containers:
      - name: web
        image: nginx:1.25
        resources:
          requests: {cpu: 100m, memory: 32Mi}
`;

describe('HPA with a fake metrics source', { skip: haveKubectl ? false : 'kubectl not installed at /usr/bin/kubectl' }, () => {
  let c: TestCluster;
  let uninstall = () => {};
  /** The CPU every running pod reports, as a fraction of its 100m request. */
  let load = 1;

  before(async () => {
    const sourceName = `hpa-e2e-${process.pid}`;
    let client: Client | undefined;
    uninstall = installMetricsSource(sourceName, {
      async listPodMetrics(namespace: string, labelSelector: string): Promise<PodMetrics[]> {
        const pods = await client!.resource<Pod & KubeObject>(refs.pods).list({ namespace, labelSelector });
        const now = new Date().toISOString();
        return pods.items
          .filter((p) => p.status?.phase === 'Running')
          .map((p) => ({
            metadata: { name: p.metadata?.name, namespace, labels: p.metadata?.labels },
            timestamp: now,
            window: '15s',
            containers: [{ name: 'web', usage: { cpu: `${Math.round(load * 100)}m`, memory: '10Mi' } }],
          }));
      },
    });
    c = await startCluster({
      datastore: 'memory',
      simNodes: 2,
      controllerOptions: {
        hpaMetricsSource: sourceName,
        horizontalPodAutoscalerSyncPeriodMs: 300,
        horizontalPodAutoscalerDownscaleStabilizationMs: 2000,
        horizontalPodAutoscalerCpuInitializationPeriodMs: 1,
      },
    });
    c.server.simNodes.setOptions({ leaseRenewIntervalMs: 500, nodeStatusUpdateMs: 500, podCidrWaitMs: 500 });
    client = new Client(c.server.transportFor({ username: 'hpa-e2e', groups: ['system:masters', 'system:authenticated'] }));
    await c.kubectl.ok(['create', 'namespace', 'hpa']);
    await c.kubectl.ok(['apply', '-f', '-'], { input: deployment });
  });
  after(async () => {
    await c?.stop();
    uninstall();
  });

  const hpaRow = async () => (await c.kubectl.ok(['get', 'hpa', 'web', '-n', 'hpa', '--no-headers'])).trim().split(/\s{2,}/);
  const deployReplicas = async () => Number(await c.kubectl.ok(['get', 'deploy', 'web', '-n', 'hpa', '-o', 'jsonpath={.spec.replicas}']));

  it('scales out to maxReplicas while pods report 100% of a 50% target', async () => {
    load = 1;
    await c.kubectl.ok(['autoscale', 'deploy', 'web', '-n', 'hpa', '--cpu-percent=50', '--min=1', '--max=5']);
    await eventually(async () => (await deployReplicas()) === 5, 30_000, 'deployment scaled to 5');
    const row = await eventually(async () => {
      const r = await hpaRow();
      return r[2] === 'cpu: 100%/50%' && r[5] === '5' ? r : undefined;
    }, 15_000, 'hpa row with TARGETS cpu: 100%/50% and 5 replicas');
    assert.deepEqual(row.slice(0, 5), ['web', 'Deployment/web', 'cpu: 100%/50%', '1', '5']);
    const hpa = JSON.parse(await c.kubectl.ok(['get', 'hpa.v2.autoscaling', 'web', '-n', 'hpa', '-o', 'json'])) as {
      status: { desiredReplicas: number; lastScaleTime?: string; conditions: { type: string; status: string; reason: string }[] };
    };
    assert.equal(hpa.status.desiredReplicas, 5);
    assert.ok(hpa.status.lastScaleTime);
    const cond = Object.fromEntries(hpa.status.conditions.map((x) => [x.type, `${x.status}/${x.reason}`]));
    assert.equal(cond.ScalingActive, 'True/ValidMetricFound');
    assert.equal(cond.ScalingLimited, 'True/TooManyReplicas');
    const events = await c.kubectl.ok(['get', 'events', '-n', 'hpa', '--field-selector', 'involvedObject.kind=HorizontalPodAutoscaler', '-o', 'jsonpath={range .items[*]}{.reason}: {.message}{"\\n"}{end}']);
    assert.match(events, /SuccessfulRescale: New size: 2; reason: cpu resource utilization \(percentage of request\) above target/);
  });

  it('scales back in after the downscale stabilization window when load drops', async () => {
    load = 0.1;
    await eventually(async () => (await deployReplicas()) === 1, 30_000, 'deployment scaled back to 1');
    const row = await eventually(async () => {
      const r = await hpaRow();
      return r[2] === 'cpu: 10%/50%' && r[5] === '1' ? r : undefined;
    }, 15_000, 'hpa row with TARGETS cpu: 10%/50%');
    assert.equal(row[0], 'web');
    const events = await c.kubectl.ok(['get', 'events', '-n', 'hpa', '--field-selector', 'reason=SuccessfulRescale', '-o', 'jsonpath={range .items[*]}{.message}{"\\n"}{end}']);
    assert.match(events, /New size: 1; reason: All metrics below target/);
  });

  it('reports FailedGetScale and <unknown> TARGETS for a missing target', async () => {
    const hpa = `apiVersion: autoscaling/v2
kind: HorizontalPodAutoscaler
metadata: {name: nothing, namespace: hpa}
spec:
  scaleTargetRef: {apiVersion: apps/v1, kind: Deployment, name: nothing}
  maxReplicas: 3
  metrics:
  - type: Resource
    resource: {name: cpu, target: {type: Utilization, averageUtilization: 50}}
`;
    await c.kubectl.ok(['apply', '-f', '-'], { input: hpa });
    const cond = await eventually(async () => {
      const out = await c.kubectl.ok(['get', 'hpa.v2.autoscaling', 'nothing', '-n', 'hpa', '-o', 'jsonpath={.status.conditions[?(@.type=="AbleToScale")].reason}']);
      return out === 'FailedGetScale' ? out : undefined;
    }, 15_000, 'AbleToScale FailedGetScale');
    assert.equal(cond, 'FailedGetScale');
    const row = (await c.kubectl.ok(['get', 'hpa', 'nothing', '-n', 'hpa', '--no-headers'])).trim().split(/\s{2,}/);
    assert.deepEqual(row.slice(0, 6), ['nothing', 'Deployment/nothing', 'cpu: <unknown>/50%', '1', '3', '0']);
    const events = await c.kubectl.ok(['get', 'events', '-n', 'hpa', '--field-selector', 'involvedObject.name=nothing,reason=FailedGetScale', '-o', 'jsonpath={.items[*].message}']);
    assert.match(events, /not found/);
  });
});
