import { test } from 'node:test';
import assert from 'node:assert/strict';
import { hpaV1Strategy, hpaV1ToV2, hpaV2ToV1, type HPA1 } from './hpa-v1.ts';
import { hpaV2Strategy, type HPA2 } from './hpa-v2.ts';

const v1: HPA1 = {
  apiVersion: 'autoscaling/v1',
  kind: 'HorizontalPodAutoscaler',
  metadata: { name: 'web', namespace: 'default', creationTimestamp: '2026-01-01T00:00:00Z' },
  spec: { scaleTargetRef: { apiVersion: 'apps/v1', kind: 'Deployment', name: 'web' }, minReplicas: 1, maxReplicas: 5, targetCPUUtilizationPercentage: 50 },
  status: { currentReplicas: 2, desiredReplicas: 2, currentCPUUtilizationPercentage: 30 },
};

test('v1 → v2 → v1 round trip', () => {
  const v2 = hpaV1ToV2(v1);
  assert.equal(v2.apiVersion, 'autoscaling/v2');
  assert.deepEqual(v2.spec?.metrics, [{ type: 'Resource', resource: { name: 'cpu', target: { type: 'Utilization', averageUtilization: 50 } } }]);
  assert.deepEqual(v2.status?.currentMetrics, [{ type: 'Resource', resource: { name: 'cpu', current: { averageUtilization: 30 } } }]);
  assert.deepEqual(hpaV2ToV1(v2), v1);
});

test('v2 → v1 → v2 keeps extra metrics and behavior via annotations', () => {
  const v2: HPA2 = {
    apiVersion: 'autoscaling/v2',
    kind: 'HorizontalPodAutoscaler',
    metadata: { name: 'web', namespace: 'default' },
    spec: {
      scaleTargetRef: { apiVersion: 'apps/v1', kind: 'Deployment', name: 'web' },
      minReplicas: 2,
      maxReplicas: 10,
      metrics: [
        { type: 'Resource', resource: { name: 'cpu', target: { type: 'Utilization', averageUtilization: 70 } } },
        { type: 'Resource', resource: { name: 'memory', target: { type: 'AverageValue', averageValue: '100Mi' } } },
      ],
      behavior: { scaleDown: { stabilizationWindowSeconds: 60 } },
    },
  };
  const back = hpaV2ToV1(v2);
  assert.equal(back.spec?.targetCPUUtilizationPercentage, 70);
  assert.ok(back.metadata?.annotations?.['autoscaling.alpha.kubernetes.io/metrics']);
  assert.deepEqual(hpaV1ToV2(back), v2);
});

test('hpa defaults and table', () => {
  const v2 = hpaV1ToV2(v1);
  hpaV2Strategy.defaults!(v2);
  assert.deepEqual(hpaV2Strategy.validate(v2), []);
  const now = new Date('2026-01-01T00:05:00Z');
  assert.deepEqual(hpaV2Strategy.table.cells(v2, now), ['web', 'Deployment/web', 'cpu: 30%/50%', '1', 5, 2, '5m']);
  assert.deepEqual(hpaV1Strategy.table.cells(v1, now), ['web', 'Deployment/web', 'cpu: 30%/50%', '1', 5, 2, '5m']);
  const empty: HPA2 = { metadata: { name: 'x' }, spec: { scaleTargetRef: { kind: 'Deployment', name: 'x' }, maxReplicas: 3 } };
  hpaV2Strategy.defaults!(empty);
  assert.equal(empty.spec?.minReplicas, 1);
  assert.equal(empty.spec?.metrics?.[0]?.resource?.target.averageUtilization, 80);
  assert.equal(hpaV1Strategy.storage?.version, 'v2');
});
