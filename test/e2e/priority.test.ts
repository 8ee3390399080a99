/**
 * Acceptance for the Priority admission plugin with the real kubectl: the built-in classes
 * exist on a fresh server, a pod naming a class gets its value (and preemption policy), an
 * unknown class and a hand-set priority are refused with upstream's messages, and a
 * globalDefault class applies to pods that name none (only one default may exist).
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { haveKubectl } from '../support/kubectl.ts';
import { startCluster, type TestCluster } from '../support/server.ts';

const pod = (name: string, extra = '') => `apiVersion: v1
kind: Pod
metadata: {name: ${name}, namespace: prio}
spec:
${extra}  containers:
  - {name: app, image: busybox:1.36}
`;

const priorityClass = (name: string, value: number, extra = '') => `apiVersion: scheduling.k8s.io/v1
kind: PriorityClass
metadata: {name: ${name}}
value: ${value}
${extra}`;

describe('priority admission', { skip: haveKubectl ? false : 'kubectl not installed at /usr/bin/kubectl' }, () => {
  let c: TestCluster;
  const field = (name: string, path: string) => c.kubectl.ok(['get', 'pod', name, '-n', 'prio', '-o', `jsonpath={${path}}`]);

  before(async () => {
    c = await startCluster({ datastore: 'memory' });
    await c.kubectl.ok(['create', 'namespace', 'prio']);
  });
  after(async () => {
    await c?.stop();
  });

  it('creates the system priority classes at start', async () => {
    const out = await c.kubectl.ok(['get', 'priorityclass', '-o', 'custom-columns=NAME:.metadata.name,VALUE:.value', '--no-headers']);
    assert.match(out, /system-cluster-critical\s+2000000000/);
    assert.match(out, /system-node-critical\s+2000001000/);
  });

  it('resolves a named class into spec.priority and spec.preemptionPolicy', async () => {
    await c.kubectl.ok(['apply', '-f', '-'], { input: priorityClass('high', 1000, 'preemptionPolicy: Never\n') });
    await c.kubectl.ok(['apply', '-f', '-'], { input: pod('important', '  priorityClassName: high\n') });
    assert.equal(await field('important', '.spec.priority'), '1000');
    assert.equal(await field('important', '.spec.preemptionPolicy'), 'Never');
    await c.kubectl.ok(['apply', '-f', '-'], { input: pod('critical', '  priorityClassName: system-node-critical\n') });
    assert.equal(await field('critical', '.spec.priority'), '2000001000');
  });

  it('refuses an unknown class and a hand-set priority', async () => {
    const unknown = await c.kubectl(['apply', '-f', '-'], { input: pod('lost', '  priorityClassName: nope\n') });
    assert.notEqual(unknown.code, 0);
    assert.match(unknown.stderr, /pods "lost" is forbidden: no PriorityClass with name nope was found/);
    const handSet = await c.kubectl(['apply', '-f', '-'], { input: pod('sneaky', '  priority: 5\n') });
    assert.notEqual(handSet.code, 0);
    assert.match(
      handSet.stderr,
      /the integer value of priority \(5\) must not be provided in pod spec; priority admission controller computed 0 from the given PriorityClass name/,
    );
    const missing = await c.kubectl(['get', 'pod', 'lost', 'sneaky', '-n', 'prio', '--no-headers', '--ignore-not-found']);
    assert.equal(missing.stdout.trim(), '');
  });

  it('applies the globalDefault class when a pod names none, and allows only one default', async () => {
    await c.kubectl.ok(['apply', '-f', '-'], { input: pod('plain') });
    assert.equal(await field('plain', '.spec.priority'), '0');
    assert.equal(await field('plain', '.spec.priorityClassName'), '');
    await c.kubectl.ok(['apply', '-f', '-'], { input: priorityClass('everyday', 42, 'globalDefault: true\n') });
    await c.kubectl.ok(['apply', '-f', '-'], { input: pod('defaulted') });
    assert.equal(await field('defaulted', '.spec.priority'), '42');
    assert.equal(await field('defaulted', '.spec.priorityClassName'), 'everyday');
    assert.equal(await field('defaulted', '.spec.preemptionPolicy'), 'PreemptLowerPriority');
    const second = await c.kubectl(['apply', '-f', '-'], { input: priorityClass('another', 7, 'globalDefault: true\n') });
    assert.notEqual(second.code, 0);
    assert.match(second.stderr, /PriorityClass everyday is already marked as default\. Only one default can exist/);
  });
});
