import { test } from 'node:test';
import assert from 'node:assert/strict';
import { fieldErrorMessage } from '../../../api/field-error.ts';
import { deploymentStrategy } from './deployment.ts';
import { appsStrategies } from './index.ts';

const now = new Date('2026-01-01T00:10:00Z');

function deploy(labels: Record<string, string> = { app: 'web' }, sel: Record<string, string> = { app: 'web' }) {
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name: 'web', namespace: 'default', creationTimestamp: '2026-01-01T00:00:00Z' },
    spec: {
      selector: { matchLabels: sel },
      template: { metadata: { labels }, spec: { containers: [{ name: 'nginx', image: 'nginx:1.27' }, { name: 'side', image: 'busybox' }] } },
    },
  } as any;
}

test('deployment defaults', () => {
  const d = deploy();
  deploymentStrategy.defaults!(d);
  assert.equal(d.spec.replicas, 1);
  assert.deepEqual(d.spec.strategy, { type: 'RollingUpdate', rollingUpdate: { maxUnavailable: '25%', maxSurge: '25%' } });
  assert.equal(d.spec.revisionHistoryLimit, 10);
  assert.equal(d.spec.progressDeadlineSeconds, 600);
  assert.deepEqual(deploymentStrategy.validate(d), []);
});

test('deployment selector mismatch', () => {
  const d = deploy({ app: 'x' }, { app: 'web' });
  deploymentStrategy.defaults!(d);
  const errs = deploymentStrategy.validate(d);
  const e = errs.find((x) => x.field === 'spec.template.metadata.labels');
  assert.ok(e, JSON.stringify(errs));
  assert.equal(e.type, 'FieldValueInvalid');
  assert.match(fieldErrorMessage(e), /`selector` does not match template `labels`$/);
});

test('deployment negative replicas and immutable selector', () => {
  const d = deploy();
  deploymentStrategy.defaults!(d);
  d.spec.replicas = -1;
  const errs = deploymentStrategy.validate(d);
  assert.ok(errs.some((e) => e.field === 'spec.replicas' && e.detail === 'must be greater than or equal to 0'));
  const old = deploy();
  const upd = deploy({ app: 'web', v: '2' }, { app: 'web', v: '2' });
  const u = deploymentStrategy.validateUpdate!(upd, old);
  assert.equal(u[0]?.field, 'spec.selector');
  assert.equal(u[0]?.detail, 'field is immutable');
});

test('deployment table and scale', () => {
  const d = deploy();
  deploymentStrategy.defaults!(d);
  d.status = { readyReplicas: 1, updatedReplicas: 1, availableReplicas: 1, replicas: 1 };
  const t = deploymentStrategy.table;
  assert.deepEqual(
    t.columns.map((c) => [c.name, c.priority]),
    [['Name', 0], ['Ready', 0], ['Up-to-date', 0], ['Available', 0], ['Age', 0], ['Containers', 1], ['Images', 1], ['Selector', 1]],
  );
  assert.deepEqual(t.cells(d, now), ['web', '1/1', 1, 1, '10m', 'nginx,side', 'nginx:1.27,busybox', 'app=web']);
  assert.equal(deploymentStrategy.scale!.selector(d), 'app=web');
  deploymentStrategy.scale!.setSpecReplicas(d, 3);
  assert.equal(deploymentStrategy.scale!.specReplicas(d), 3);
});

test('apps index lists five strategies', () => {
  assert.deepEqual(appsStrategies.map((s) => s.info.resource).sort(), ['controllerrevisions', 'daemonsets', 'deployments', 'replicasets', 'statefulsets']);
});
