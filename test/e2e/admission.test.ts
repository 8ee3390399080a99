/**
 * Acceptance for admission with the real kubectl against `startCluster({ simNodes: 2 })`: a
 * LimitRange fills defaults and refuses a pod over `max`; `kubectl create quota --hard=pods=3`
 * blocks the fourth pod with upstream's message and `describe quota` shows the use; a
 * namespace enforcing `restricted` refuses a privileged pod; a PVC gets the default class.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { eventually, haveKubectl } from '../support/kubectl.ts';
import { startCluster, type TestCluster } from '../support/server.ts';

const pod = (name: string, ns: string, extra = '') => `apiVersion: v1
kind: Pod
metadata: {name: ${name}, namespace: ${ns}}
spec:
  containers:
  - name: c
    image: busybox
${extra}`;

describe('admission', { skip: haveKubectl ? false : 'kubectl not installed at /usr/bin/kubectl' }, () => {
  let c: TestCluster;
  before(async () => {
    c = await startCluster({ datastore: 'memory', simNodes: 2 });
  });
  after(async () => {
    await c?.stop();
  });

  it('a quota blocks the fourth pod and describe shows what is used', async () => {
    await c.kubectl.ok(['create', 'namespace', 'quota']);
    await c.kubectl.ok(['create', 'quota', 'q', '--hard=pods=3', '-n', 'quota']);
    await eventually(async () => (await c.kubectl.ok(['get', 'quota', 'q', '-n', 'quota', '-o', 'jsonpath={.status.hard.pods}'])) === '3', 10_000, 'quota status.hard');
    for (const n of ['p1', 'p2', 'p3']) await c.kubectl.ok(['apply', '-f', '-'], { input: pod(n, 'quota') });
    const fourth = await c.kubectl(['apply', '-f', '-'], { input: pod('p4', 'quota') });
    assert.notEqual(fourth.code, 0);
    assert.match(fourth.stderr, /pods "p4" is forbidden: exceeded quota: q, requested: pods=1, used: pods=3, limited: pods=3/);
    const described = await c.kubectl.ok(['describe', 'quota', 'q', '-n', 'quota']);
    assert.match(described, /pods\s+3\s+3/);
    // Deleting a pod gives its charge back (the controller recalculates from live pods).
    await c.kubectl.ok(['delete', 'pod', 'p1', '-n', 'quota', '--grace-period=0', '--force']);
    await eventually(async () => (await c.kubectl.ok(['get', 'quota', 'q', '-n', 'quota', '-o', 'jsonpath={.status.used.pods}'])) === '2', 20_000, 'used back to 2');
    await c.kubectl.ok(['apply', '-f', '-'], { input: pod('p4', 'quota') });
  });

  it('a restricted namespace rejects a privileged pod with the upstream message', async () => {
    await c.kubectl.ok(['create', 'namespace', 'locked']);
    await c.kubectl.ok(['label', 'namespace', 'locked', 'pod-security.kubernetes.io/enforce=restricted']);
    const res = await c.kubectl(['apply', '-f', '-'], { input: pod('bad', 'locked', '    securityContext: {privileged: true}\n') });
    assert.notEqual(res.code, 0);
    assert.match(
      res.stderr,
      /pods "bad" is forbidden: violates PodSecurity "restricted:latest": privileged \(container "c" must not set securityContext.privileged=true\), allowPrivilegeEscalation != false \(container "c" must set securityContext.allowPrivilegeEscalation=false\), unrestricted capabilities/,
    );
    const good = `    securityContext:
      allowPrivilegeEscalation: false
      runAsNonRoot: true
      capabilities: {drop: [ALL]}
      seccompProfile: {type: RuntimeDefault}
`;
    await c.kubectl.ok(['apply', '-f', '-'], { input: pod('good', 'locked', good) });
  });

  it('a LimitRange fills defaults and refuses a pod over max', async () => {
    await c.kubectl.ok(['create', 'namespace', 'limits']);
    await c.kubectl.ok(['apply', '-f', '-'], {
      input: `apiVersion: v1
kind: LimitRange
metadata: {name: lr, namespace: limits}
spec:
  limits:
  - type: Container
    default: {cpu: 500m, memory: 128Mi}
    defaultRequest: {cpu: 100m, memory: 64Mi}
    max: {cpu: "1"}
`,
    });
    await c.kubectl.ok(['apply', '-f', '-'], { input: pod('filled', 'limits') });
    const resources = JSON.parse(await c.kubectl.ok(['get', 'pod', 'filled', '-n', 'limits', '-o', 'jsonpath={.spec.containers[0].resources}']));
    assert.deepEqual(resources, { limits: { cpu: '500m', memory: '128Mi' }, requests: { cpu: '100m', memory: '64Mi' } });
    const big = await c.kubectl(['apply', '-f', '-'], { input: pod('big', 'limits', '    resources: {limits: {cpu: "2"}}\n') });
    assert.notEqual(big.code, 0);
    assert.match(big.stderr, /pods "big" is forbidden: maximum cpu usage per Container is 1, but limit is 2/);
  });

  it('a PVC gets the default StorageClass', async () => {
    await c.kubectl.ok(['apply', '-f', '-'], {
      input: `apiVersion: storage.k8s.io/v1
kind: StorageClass
metadata:
  name: fast
  annotations: {storageclass.kubernetes.io/is-default-class: "true"}
provisioner: example.com/none
`,
    });
    await c.kubectl.ok(['apply', '-f', '-'], {
      input: `apiVersion: v1
kind: PersistentVolumeClaim
metadata: {name: claim, namespace: default}
spec:
  accessModes: [ReadWriteOnce]
  resources: {requests: {storage: 1Gi}}
`,
    });
    assert.equal(await c.kubectl.ok(['get', 'pvc', 'claim', '-o', 'jsonpath={.spec.storageClassName}']), 'fast');
  });
});
