/**
 * Acceptance for the Job controller's policies on `skiff server --sim-nodes 2`, driven by the
 * real kubectl (exit codes come from the `sim.skiff.dev/exit-code` annotation): a FailJob
 * rule fails the Job at once, an Ignore rule on DisruptionTarget keeps a disrupted pod's
 * failure out of the count, backoffLimitPerIndex / FailIndex / maxFailedIndexes record
 * `status.failedIndexes`, a successPolicy finishes early, and orphans are adopted / released.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { eventually, haveKubectl } from '../support/kubectl.ts';
import { startCluster, type TestCluster } from '../support/server.ts';

interface Cond {
  type: string;
  status: string;
  reason?: string;
  message?: string;
}
interface JobLite {
  status: { failed?: number; succeeded?: number; failedIndexes?: string; completedIndexes?: string; conditions?: Cond[] };
}
interface PodLite {
  metadata: { name: string; annotations?: Record<string, string>; finalizers?: string[]; ownerReferences?: { uid: string; controller?: boolean }[] };
  status: { phase?: string };
}

/** A Job manifest; `sim` sets the simulated exit code and run time of every pod. */
const job = (name: string, spec: string, sim: { exit?: number; run?: number } = {}, labels = '') => `apiVersion: batch/v1
kind: Job
metadata: {name: ${name}, namespace: jobs}
spec:
${spec}  template:
    metadata:
      annotations: {sim.skiff.dev/exit-code: "${sim.exit ?? 0}", sim.skiff.dev/run-seconds: "${sim.run ?? 0.3}"}
${labels}    spec:
      restartPolicy: Never
      containers:
      - {name: main, image: busybox:1.36}
`;

describe('job policies on simulated nodes', { skip: haveKubectl ? false : 'kubectl not installed at /usr/bin/kubectl' }, () => {
  let c: TestCluster;
  const getJob = async (name: string) => JSON.parse(await c.kubectl.ok(['get', 'job', name, '-n', 'jobs', '-o', 'json'])) as JobLite;
  const pods = async (selector: string) =>
    (JSON.parse(await c.kubectl.ok(['get', 'pods', '-n', 'jobs', '-l', selector, '-o', 'json'])) as { items: PodLite[] }).items;
  const finished = (name: string, type: 'Complete' | 'Failed', ms = 20_000) =>
    eventually(async () => {
      const j = await getJob(name);
      return j.status.conditions?.some((x) => x.type === type && x.status === 'True') ? j : undefined;
    }, ms, `job ${name} ${type}`);
  const cond = (j: JobLite, type: string) => j.status.conditions?.find((x) => x.type === type);

  before(async () => {
    c = await startCluster({ datastore: 'memory', simNodes: 2, controllerOptions: { jobBackoffBaseMs: 50, jobBackoffMaxMs: 200 } });
    await c.kubectl.ok(['create', 'namespace', 'jobs']);
    await eventually(async () => ((await c.kubectl.ok(['get', 'nodes'])).match(/\sReady\s/g) ?? []).length === 2, 10_000, 'two Ready nodes');
  });
  after(async () => {
    await c?.stop();
  });

  it('fails the Job at once on a FailJob rule', async () => {
    const spec = `  backoffLimit: 6
  podFailurePolicy:
    rules:
    - action: FailJob
      onExitCodes: {containerName: main, operator: In, values: [42]}
`;
    await c.kubectl.ok(['apply', '-f', '-'], { input: job('fatal', spec, { exit: 42 }) });
    const j = await finished('fatal', 'Failed');
    const failed = cond(j, 'Failed')!;
    assert.equal(failed.reason, 'PodFailurePolicy');
    assert.match(failed.message ?? '', /^Container main for pod jobs\/fatal-\w+ failed with exit code 42 matching FailJob rule at index 0$/);
    assert.equal(cond(j, 'FailureTarget')?.reason, 'PodFailurePolicy');
    assert.equal(j.status.failed, 1);
    assert.equal((await pods('batch.kubernetes.io/job-name=fatal')).length, 1);
    const refused = await c.kubectl(['apply', '-f', '-'], { input: job('onfailure', spec).replace('restartPolicy: Never', 'restartPolicy: OnFailure') });
    assert.notEqual(refused.code, 0);
    assert.match(refused.stderr, /spec\.template\.spec\.restartPolicy: Invalid value: "OnFailure": only "Never" is supported when podFailurePolicy is specified/);
  });

  it('does not count a failure that an Ignore rule on DisruptionTarget matches', async () => {
    const spec = `  backoffLimit: 0
  podFailurePolicy:
    rules:
    - action: Ignore
      onPodConditions: [{type: DisruptionTarget}]
`;
    await c.kubectl.ok(['apply', '-f', '-'], { input: job('disrupted', spec, { exit: 1, run: 2 }) });
    const first = await eventually(async () => (await pods('batch.kubernetes.io/job-name=disrupted')).find((p) => p.status.phase === 'Running'), 10_000, 'running pod');
    const disruption = { status: { conditions: [{ type: 'DisruptionTarget', status: 'True', reason: 'EvictionByEvictionAPI', message: 'test disruption' }] } };
    await c.kubectl.ok(['patch', 'pod', first.metadata.name, '-n', 'jobs', '--subresource=status', '--type=strategic', '-p', JSON.stringify(disruption)]);
    // The disrupted pod fails (ignored, replaced); the replacement fails too (counted: limit 0).
    const j = await finished('disrupted', 'Failed', 20_000);
    assert.equal(cond(j, 'Failed')?.reason, 'BackoffLimitExceeded');
    assert.equal(j.status.failed, 1);
    const all = await pods('batch.kubernetes.io/job-name=disrupted');
    assert.equal(all.length, 2);
    assert.ok(all.every((p) => p.status.phase === 'Failed'));
  });

  it('records failed indexes with backoffLimitPerIndex, FailIndex and maxFailedIndexes', async () => {
    const perIndex = `  completionMode: Indexed
  completions: 2
  parallelism: 2
  backoffLimitPerIndex: 1
`;
    await c.kubectl.ok(['apply', '-f', '-'], { input: job('per-index', perIndex, { exit: 1 }) });
    const j = await finished('per-index', 'Failed');
    assert.equal(cond(j, 'Failed')?.reason, 'FailedIndexes');
    assert.equal(cond(j, 'Failed')?.message, 'Job has failed indexes');
    assert.equal(j.status.failedIndexes, '0-1');
    assert.equal(j.status.failed, 4);
    const counts = (await pods('batch.kubernetes.io/job-name=per-index')).map((p) => p.metadata.annotations?.['batch.kubernetes.io/job-index-failure-count']).sort();
    assert.deepEqual(counts, ['0', '0', '1', '1']);

    const failIndex = `  completionMode: Indexed
  completions: 3
  parallelism: 3
  backoffLimitPerIndex: 5
  podFailurePolicy:
    rules:
    - action: FailIndex
      onExitCodes: {operator: In, values: [3]}
`;
    await c.kubectl.ok(['apply', '-f', '-'], { input: job('fail-index', failIndex, { exit: 3 }) });
    const fi = await finished('fail-index', 'Failed');
    assert.equal(fi.status.failedIndexes, '0-2');
    assert.equal(fi.status.failed, 3);

    const maxFailed = `  completionMode: Indexed
  completions: 4
  parallelism: 1
  backoffLimitPerIndex: 0
  maxFailedIndexes: 0
`;
    await c.kubectl.ok(['apply', '-f', '-'], { input: job('max-failed', maxFailed, { exit: 1 }) });
    const mf = await finished('max-failed', 'Failed');
    assert.equal(cond(mf, 'Failed')?.reason, 'MaxFailedIndexesExceeded');
    assert.equal(cond(mf, 'Failed')?.message, 'Job has exceeded the specified maximum number of failed indexes');
    assert.equal(mf.status.failedIndexes, '0');
    assert.equal((await pods('batch.kubernetes.io/job-name=max-failed')).length, 1);
  });

  it('finishes early when the successPolicy holds', async () => {
    const spec = `  completionMode: Indexed
  completions: 3
  parallelism: 1
  successPolicy:
    rules:
    - {succeededIndexes: "0", succeededCount: 1}
`;
    await c.kubectl.ok(['apply', '-f', '-'], { input: job('early', spec) });
    const j = await finished('early', 'Complete');
    assert.equal(cond(j, 'SuccessCriteriaMet')?.reason, 'SuccessPolicy');
    assert.equal(cond(j, 'Complete')?.message, 'Matched rules at index 0');
    assert.equal(j.status.completedIndexes, '0');
    assert.equal((await pods('batch.kubernetes.io/job-name=early')).length, 1);
  });

  it('adopts a matching orphan and releases a pod that stops matching', async () => {
    await c.kubectl.ok(['apply', '-f', '-'], {
      input: `apiVersion: v1
kind: Pod
metadata:
  name: stray
  namespace: jobs
  labels: {app: adopt}
  annotations: {sim.skiff.dev/run-seconds: "1"}
spec:
  restartPolicy: Never
  containers:
  - {name: main, image: busybox:1.36}
`,
    });
    const adopting = `  manualSelector: true
  selector: {matchLabels: {app: adopt}}
`;
    await c.kubectl.ok(['apply', '-f', '-'], { input: job('adopter', adopting, {}, '      labels: {app: adopt}\n') });
    const done = await finished('adopter', 'Complete');
    assert.equal(done.status.succeeded, 1);
    const uid = (await c.kubectl.ok(['get', 'job', 'adopter', '-n', 'jobs', '-o', 'jsonpath={.metadata.uid}'])).trim();
    const stray = (await pods('app=adopt')).filter((p) => p.metadata.name === 'stray');
    assert.equal(stray[0]?.metadata.ownerReferences?.find((r) => r.controller)?.uid, uid);
    assert.equal((await pods('app=adopt')).length, 1, 'the orphan did the work; no new pod');

    const releasing = `  manualSelector: true
  selector: {matchLabels: {app: release}}
`;
    await c.kubectl.ok(['apply', '-f', '-'], { input: job('releaser', releasing, { run: 30 }, '      labels: {app: release}\n') });
    const mine = await eventually(async () => (await pods('app=release')).find((p) => p.status.phase === 'Running'), 10_000, 'releaser pod running');
    await c.kubectl.ok(['label', 'pod', mine.metadata.name, '-n', 'jobs', 'app=elsewhere', '--overwrite']);
    const released = await eventually(async () => {
      const p = (await pods('app=elsewhere'))[0];
      return p && !p.metadata.ownerReferences?.length && !p.metadata.finalizers?.length ? p : undefined;
    }, 10_000, 'pod released without owner reference and finalizer');
    assert.equal(released.metadata.name, mine.metadata.name);
    await eventually(async () => (await pods('app=release')).length === 1, 10_000, 'a replacement pod');
    await c.kubectl.ok(['delete', 'job', 'releaser', '-n', 'jobs', '--wait=false']);
    await c.kubectl.ok(['delete', 'pod', mine.metadata.name, '-n', 'jobs', '--wait=false']);
  });
});
