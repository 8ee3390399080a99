/**
 * @module Core strategies: pod STATUS cells, service PORT(S), namespace/pod defaults and
 * pod-spec validation.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Pod, Service, Namespace, PodSpec } from 'kubernetes-types/core/v1.js';
import type { KubeObject } from '../../../api/object.ts';
import { defaultPodSpec } from '../../../api/defaults/pod-spec.ts';
import { validatePodSpec } from '../../../api/validation/pod-spec.ts';
import { podCells } from './pod-table.ts';
import { pods } from './pods.ts';
import { services } from './services.ts';
import { namespaces } from './namespaces.ts';
import { coreStrategies } from './index.ts';
import { configmaps } from './configmaps.ts';
import { secrets } from './secrets.ts';
import type { ConfigMap, Secret } from 'kubernetes-types/core/v1.js';

const now = new Date('2026-01-01T00:10:00Z');
const created = '2026-01-01T00:00:00Z';

function pod(extra: Partial<Pod> = {}): Pod & KubeObject {
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name: 'p', namespace: 'default', creationTimestamp: created },
    spec: { containers: [{ name: 'c', image: 'nginx' }] },
    ...extra,
  } as Pod & KubeObject;
}

const status = (p: Pod): unknown => podCells(p, now)[2];

test('pod STATUS: phase, waiting reason, terminated, init, Terminating', () => {
  assert.equal(status(pod({ status: { phase: 'Pending' } })), 'Pending');
  assert.equal(
    status(pod({ status: { phase: 'Pending', containerStatuses: [{ name: 'c', image: 'x', imageID: '', ready: false, restartCount: 0, state: { waiting: { reason: 'ContainerCreating' } } }] } })),
    'ContainerCreating',
  );
  assert.equal(
    status(pod({ status: { phase: 'Running', containerStatuses: [{ name: 'c', image: 'x', imageID: '', ready: false, restartCount: 3, state: { waiting: { reason: 'CrashLoopBackOff' } } }] } })),
    'CrashLoopBackOff',
  );
  assert.equal(
    status(pod({ status: { phase: 'Failed', containerStatuses: [{ name: 'c', image: 'x', imageID: '', ready: false, restartCount: 0, state: { terminated: { exitCode: 2 } } }] } })),
    'ExitCode:2',
  );
  assert.equal(
    status(pod({ status: { phase: 'Succeeded', containerStatuses: [{ name: 'c', image: 'x', imageID: '', ready: false, restartCount: 0, state: { terminated: { exitCode: 0, reason: 'Completed' } } }] } })),
    'Completed',
  );
  const init = pod({
    spec: { initContainers: [{ name: 'i', image: 'busybox' }], containers: [{ name: 'c', image: 'nginx' }] },
    status: { phase: 'Pending', initContainerStatuses: [{ name: 'i', image: 'x', imageID: '', ready: false, restartCount: 0, state: { running: {} } }] },
  });
  assert.equal(status(init), 'Init:0/1');
  const term = pod({ status: { phase: 'Running' } });
  (term.metadata as { deletionTimestamp?: string }).deletionTimestamp = created;
  assert.equal(status(term), 'Terminating');
});

test('pod READY, RESTARTS and wide columns', () => {
  const p = pod({
    spec: { nodeName: 'n1', containers: [{ name: 'a', image: 'x' }, { name: 'b', image: 'y' }] },
    status: {
      phase: 'Running',
      podIP: '10.0.0.5',
      containerStatuses: [
        { name: 'a', image: 'x', imageID: '', ready: true, restartCount: 2, state: { running: {} }, lastState: { terminated: { exitCode: 1, finishedAt: '2026-01-01T00:05:00Z' } } },
        { name: 'b', image: 'y', imageID: '', ready: false, restartCount: 0, state: { running: {} } },
      ],
    },
  });
  assert.deepEqual(podCells(p, now), ['p', '1/2', 'Running', '2 (5m ago)', '10m', '10.0.0.5', 'n1', '<none>', '<none>']);
});

test('pod defaults, prepareForCreate and grace period', () => {
  const p = pod({ spec: { containers: [{ name: 'c', image: 'nginx:1.25', ports: [{ containerPort: 80 }] }, { name: 'd', image: 'busybox' }] } });
  pods.defaults!(p);
  pods.prepareForCreate!(p);
  const spec = p.spec!;
  assert.equal(spec.restartPolicy, 'Always');
  assert.equal(spec.dnsPolicy, 'ClusterFirst');
  assert.equal(spec.schedulerName, 'default-scheduler');
  assert.equal(spec.terminationGracePeriodSeconds, 30);
  assert.equal(spec.enableServiceLinks, true);
  assert.deepEqual(spec.securityContext, {});
  assert.equal(spec.containers[0]!.imagePullPolicy, 'IfNotPresent');
  assert.equal(spec.containers[1]!.imagePullPolicy, 'Always');
  assert.equal(spec.containers[0]!.terminationMessagePath, '/dev/termination-log');
  assert.equal(spec.containers[0]!.terminationMessagePolicy, 'File');
  assert.equal(spec.containers[0]!.ports![0]!.protocol, 'TCP');
  assert.deepEqual(p.status, { phase: 'Pending', qosClass: 'BestEffort' });
  assert.equal(pods.defaultGracePeriodSeconds!(p), 0);
  (p.spec as { nodeName?: string }).nodeName = 'n1';
  assert.equal(pods.defaultGracePeriodSeconds!(p), 30);
});

test('pod validation: missing image, empty containers, duplicate names', () => {
  const errs = validatePodSpec({ containers: [{ name: 'c' }] } as unknown as PodSpec, 'spec');
  assert.deepEqual(errs.map((e) => [e.type, e.field]), [['FieldValueRequired', 'spec.containers[0].image']]);
  assert.deepEqual(validatePodSpec({ containers: [] }, 'spec').map((e) => e.field), ['spec.containers']);
  const dup = validatePodSpec({ containers: [{ name: 'a', image: 'x' }, { name: 'a', image: 'y' }] }, 'spec');
  assert.deepEqual(dup.map((e) => [e.type, e.field]), [['FieldValueDuplicate', 'spec.containers[1].name']]);
  const bad = validatePodSpec({ restartPolicy: 'Sometimes', containers: [{ name: 'a', image: 'x', ports: [{ containerPort: 70000 }] }] }, 'spec');
  assert.deepEqual(bad.map((e) => e.field).sort(), ['spec.containers[0].ports[0].containerPort', 'spec.restartPolicy']);
  const spec: PodSpec = { containers: [{ name: 'a', image: 'x' }] };
  defaultPodSpec(spec);
  assert.deepEqual(validatePodSpec(spec, 'spec'), []);
});

test('pod update: only images may change', () => {
  const old = pod();
  pods.defaults!(old);
  const img = structuredClone(old);
  (img.spec!.containers[0] as { image: string }).image = 'nginx:2';
  assert.deepEqual(pods.validateUpdate!(img, old), []);
  const other = structuredClone(old);
  (other.spec as { restartPolicy: string }).restartPolicy = 'Never';
  const errs = pods.validateUpdate!(other, old);
  assert.equal(errs.length, 1);
  assert.match(errs[0]!.detail ?? '', /^pod updates may not change fields other than/);
});

test('service defaults and PORT(S)', () => {
  const s = {
    apiVersion: 'v1',
    kind: 'Service',
    metadata: { name: 's', creationTimestamp: created },
    spec: { selector: { app: 'web' }, ports: [{ name: 'http', port: 80 }, { name: 'dns', port: 53, protocol: 'UDP' }] },
  } as Service & KubeObject;
  services.defaults!(s);
  assert.equal(s.spec!.type, 'ClusterIP');
  assert.equal(s.spec!.sessionAffinity, 'None');
  assert.equal(s.spec!.internalTrafficPolicy, 'Cluster');
  assert.equal(s.spec!.ports![0]!.protocol, 'TCP');
  assert.equal(s.spec!.ports![0]!.targetPort, 80);
  assert.deepEqual(services.validate(s), []);
  assert.deepEqual(services.table.cells(s, now), ['s', 'ClusterIP', '<none>', '<none>', '80/TCP,53/UDP', '10m', 'app=web']);
  const np = structuredClone(s);
  (np.spec as { type: string }).type = 'NodePort';
  (np.spec as { clusterIP: string }).clusterIP = '10.96.0.10';
  (np.spec!.ports![0] as { nodePort: number }).nodePort = 30080;
  const cells = services.table.cells(np, now);
  assert.equal(cells[2], '10.96.0.10');
  assert.equal(cells[4], '80:30080/TCP,53/UDP');
  const lb = structuredClone(np);
  (lb.spec as { type: string }).type = 'LoadBalancer';
  assert.equal(services.table.cells(lb, now)[3], '<pending>');
});

test('namespace defaults and table', () => {
  const ns = { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'team-a', creationTimestamp: created } } as Namespace & KubeObject;
  namespaces.defaults!(ns);
  namespaces.prepareForCreate!(ns);
  assert.equal(ns.metadata!.labels!['kubernetes.io/metadata.name'], 'team-a');
  assert.deepEqual(ns.spec!.finalizers, ['kubernetes']);
  assert.equal(ns.status!.phase, 'Active');
  assert.deepEqual(namespaces.validate(ns), []);
  assert.deepEqual(namespaces.table.cells(ns, now), ['team-a', 'Active', '10m']);
  assert.equal(namespaces.fieldSelectors!['status.phase']!(ns), 'Active');
});

test('every core strategy has one cell per column', () => {
  const plurals = coreStrategies.map((s) => s.info.resource);
  assert.equal(new Set(plurals).size, plurals.length);
  for (const s of coreStrategies) {
    const obj = { apiVersion: 'v1', kind: s.info.kind, metadata: { name: 'x', creationTimestamp: created } } as KubeObject;
    assert.equal(s.table.cells(obj, now).length, s.table.columns.length, s.info.kind);
  }
});

test('pod STATUS: sidecar init containers, Completed with running container, SchedulingGated', () => {
  const side = pod({
    spec: { initContainers: [{ name: 'proxy', image: 'envoy', restartPolicy: 'Always' }], containers: [{ name: 'c', image: 'nginx' }] },
    status: {
      phase: 'Running',
      initContainerStatuses: [{ name: 'proxy', image: 'x', imageID: '', ready: true, started: true, restartCount: 1, state: { running: {} } }],
      containerStatuses: [{ name: 'c', image: 'x', imageID: '', ready: true, restartCount: 0, state: { running: {} } }],
    },
  });
  const cells = podCells(side, now);
  assert.deepEqual(cells.slice(1, 4), ['2/2', 'Running', '1']);
  const done = pod({
    spec: { containers: [{ name: 'a', image: 'x' }, { name: 'b', image: 'y' }] },
    status: {
      phase: 'Running',
      conditions: [{ type: 'Ready', status: 'False' }],
      containerStatuses: [
        { name: 'a', image: 'x', imageID: '', ready: true, restartCount: 0, state: { running: {} } },
        { name: 'b', image: 'y', imageID: '', ready: false, restartCount: 0, state: { terminated: { exitCode: 0, reason: 'Completed' } } },
      ],
    },
  });
  assert.equal(status(done), 'NotReady');
  assert.equal(status(pod({ status: { phase: 'Pending', conditions: [{ type: 'PodScheduled', status: 'False', reason: 'SchedulingGated' }] } })), 'SchedulingGated');
  assert.equal(
    status(pod({ spec: { initContainers: [{ name: 'i', image: 'b' }], containers: [{ name: 'c', image: 'n' }] }, status: { phase: 'Pending', initContainerStatuses: [{ name: 'i', image: 'x', imageID: '', ready: false, restartCount: 0, state: { terminated: { exitCode: 1 } } }] } })),
    'Init:ExitCode:1',
  );
});

test('configmap keys, immutability and DATA; secret type and tls keys', () => {
  const cm = { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'c', creationTimestamp: created }, data: { 'a.b': '1', 'bad key': '2' }, binaryData: { bin: 'AA==' } } as ConfigMap & KubeObject;
  assert.deepEqual(configmaps.validate(cm).map((e) => e.field), ['data[bad key]']);
  assert.deepEqual(configmaps.table.cells(cm, now), ['c', 3, '10m']);
  const frozen = { ...cm, immutable: true, data: { a: '1' } } as ConfigMap & KubeObject;
  assert.equal(configmaps.validateUpdate!({ ...frozen, data: { a: '2' } } as ConfigMap & KubeObject, frozen).length, 1);
  const sec = { apiVersion: 'v1', kind: 'Secret', metadata: { name: 's', creationTimestamp: created }, data: { x: 'eA==' } } as Secret & KubeObject;
  secrets.defaults!(sec);
  assert.equal(sec.type, 'Opaque');
  assert.deepEqual(secrets.validate(sec), []);
  assert.deepEqual(secrets.table.cells(sec, now), ['s', 'Opaque', 1, '10m']);
  const tls = { ...sec, type: 'kubernetes.io/tls', data: { 'tls.crt': 'eA==' } } as Secret & KubeObject;
  assert.deepEqual(secrets.validate(tls).map((e) => [e.type, e.field]), [['FieldValueRequired', 'data[tls.key]']]);
  assert.equal(secrets.fieldSelectors!['type']!(tls), 'kubernetes.io/tls');
});
