/**
 * Acceptance: Jobs, CronJobs and TTL-after-finished driven by the real kubectl against a real
 * server. No scheduler or node runs here: a test-local "kubelet" moves each job pod to Running
 * and then to Succeeded or Failed (per the pod's `test-outcome` label) through the status
 * subresource. The server's clock runs a fixed offset ahead of real time, chosen so that a
 * minute boundary comes a few seconds after start: the `*\/1` CronJob fires without a minute's
 * wait, and nothing in the cluster sees the clock jump.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Pod } from 'kubernetes-types/core/v1.js';
import type { KubeObject } from '../../src/api/object.ts';
import { runServer, type RunningServer } from '../../src/cmd/server/run.ts';
import { refs } from '../../src/client/refs.ts';
import { Client } from '../../src/client/rest.ts';
import { realClock, type Clock } from '../../src/util/clock.ts';
import { silentLogger } from '../../src/util/log.ts';
import { eventually, haveKubectl, kubectlFor, type Kubectl } from '../support/kubectl.ts';

type P = Pod & KubeObject;
const admin = { username: 'admin', groups: ['system:masters', 'system:authenticated'] };

/** Plays kubelet for job pods: Running, then Succeeded/Failed; deleted pods go at once. */
async function runJobKubelet(client: Client, signal: AbortSignal): Promise<void> {
  const pods = client.resource<P>(refs.pods);
  const handle = async (pod: P) => {
    const ns = pod.metadata?.namespace;
    const name = pod.metadata!.name!;
    if (pod.metadata?.deletionTimestamp) {
      await pods.delete(name, { namespace: ns, gracePeriodSeconds: 0 }).catch(() => {});
      return;
    }
    const phase = pod.status?.phase;
    if (phase === 'Succeeded' || phase === 'Failed') return;
    const outcome = pod.metadata?.labels?.['test-outcome'] ?? 'succeed';
    const t = new Date().toISOString().replace(/\.\d+Z$/, 'Z');
    const cname = pod.spec?.containers[0]?.name ?? 'c';
    if (phase !== 'Running') {
      const ready = [{ type: 'Ready', status: 'True', lastTransitionTime: t }];
      const running = { phase: 'Running', startTime: t, conditions: ready, containerStatuses: [{ name: cname, image: 'busybox', imageID: '', ready: true, restartCount: 0, state: { running: { startedAt: t } } }] };
      await pods.update({ ...pod, status: running } as P, 'status').catch(() => {});
      return;
    }
    if (outcome === 'hang') return;
    const exitCode = outcome === 'fail' ? 1 : 0;
    const done = {
      ...pod.status,
      phase: exitCode ? 'Failed' : 'Succeeded',
      conditions: [{ type: 'Ready', status: 'False', lastTransitionTime: t, reason: 'PodCompleted' }],
      containerStatuses: [{ name: cname, image: 'busybox', imageID: '', ready: false, restartCount: 0, state: { terminated: { exitCode, reason: exitCode ? 'Error' : 'Completed', startedAt: t, finishedAt: t } } }],
    };
    await pods.update({ ...pod, status: done } as P, 'status').catch(() => {});
  };
  while (!signal.aborted) {
    try {
      const list = await pods.list({ labelSelector: 'batch.kubernetes.io/job-name' });
      for (const p of list.items) await handle(p);
      for await (const ev of pods.watch({ labelSelector: 'batch.kubernetes.io/job-name', resourceVersion: list.metadata.resourceVersion, signal })) {
        if (ev.type === 'ADDED' || ev.type === 'MODIFIED') await handle(ev.object);
      }
    } catch {
      if (signal.aborted) return;
    }
  }
}

function jobYaml(name: string, spec: Record<string, unknown>, outcome = 'succeed'): string {
  return JSON.stringify({
    apiVersion: 'batch/v1',
    kind: 'Job',
    metadata: { name },
    spec: {
      ...spec,
      template: {
        metadata: { labels: { 'test-outcome': outcome } },
        spec: { restartPolicy: 'Never', containers: [{ name: 'c', image: 'busybox', command: ['true'] }] },
      },
    },
  });
}

describe('jobs, cronjobs and ttl-after-finished', { skip: haveKubectl ? false : 'kubectl not installed at /usr/bin/kubectl' }, () => {
  let server: RunningServer;
  let k: Kubectl;
  let client: Client;
  let dataDir: string;
  let home: string;
  const stop = new AbortController();
  // Server time = real time + offset, 55 s past a minute at start: the next minute is 5 s away.
  const offsetMs = (55_000 - (Date.now() % 60_000) + 60_000) % 60_000;
  const clock: Clock = { now: () => new Date(Date.now() + offsetMs), sleep: realClock.sleep };

  before(async () => {
    dataDir = await mkdtemp(join(tmpdir(), 'skiff-jobs-'));
    home = await mkdtemp(join(tmpdir(), 'skiff-home-'));
    server = await runServer(
      { dataDir, port: 0, bindAddress: '127.0.0.1', tlsSans: [], datastore: 'memory', disableAgent: true, simNodes: 0, clusterCidr: '10.42.0.0/16', logLevel: 'error' },
      { logger: silentLogger, clock, controllerOptions: { jobBackoffBaseMs: 50 } },
    );
    k = kubectlFor(server.kubeconfigPath, home);
    client = new Client(server.transportFor(admin));
    void runJobKubelet(client, stop.signal);
  });
  after(async () => {
    stop.abort();
    await server?.stop().catch(() => {});
    if (dataDir) await rm(dataDir, { recursive: true, force: true });
    if (home) await rm(home, { recursive: true, force: true });
  });

  it('a */1 CronJob creates a Job at the minute and records it', async () => {
    await k.ok(['create', 'cronjob', 'tick', '--image=busybox', '--schedule=*/1 * * * *', '--', 'true']);
    // Label the pods so the kubelet above lets them succeed.
    await k.ok(['patch', 'cronjob', 'tick', '--type=merge', '-p', '{"spec":{"jobTemplate":{"spec":{"template":{"metadata":{"labels":{"test-outcome":"succeed"}}}}}}}']);
    const job = await eventually(async () => {
      const items = JSON.parse(await k.ok(['get', 'jobs', '-o', 'json'])).items as KubeObject[];
      return items.find((j) => j.metadata?.name?.startsWith('tick-'));
    }, 20_000, 'the cronjob to create a job');
    const scheduled = job.metadata!.annotations!['batch.kubernetes.io/cronjob-scheduled-timestamp']!;
    assert.ok(scheduled, 'scheduled-timestamp annotation');
    assert.equal(job.metadata!.name, `tick-${Math.floor(Date.parse(scheduled) / 60_000)}`);
    assert.equal(Date.parse(scheduled) % 60_000, 0, 'scheduled on a minute boundary');
    assert.equal(job.metadata!.ownerReferences?.[0]?.kind, 'CronJob');
    await k.ok(['wait', '--for=condition=complete', `job/${job.metadata!.name}`, '--timeout=20s']);
    const cj = await eventually(async () => {
      const c = JSON.parse(await k.ok(['get', 'cronjob', 'tick', '-o', 'json']));
      return c.status?.lastSuccessfulTime && !c.status?.active ? c : undefined;
    }, 10_000, 'lastSuccessfulTime and no active job');
    assert.equal(Date.parse(cj.status.lastScheduleTime), Date.parse(scheduled));
    const events = await k.ok(['get', 'events', '--field-selector', 'involvedObject.name=tick', '-o', 'jsonpath={.items[*].reason}']);
    assert.match(events, /SuccessfulCreate/);
    assert.match(events, /SawCompletedJob/);
    assert.match(await k.ok(['get', 'cronjob', 'tick']), /tick\s+\*\/1 \* \* \* \*\s+<none>\s+[Ff]alse\s+0\s+\S+/);
    await k.ok(['patch', 'cronjob', 'tick', '--type=merge', '-p', '{"spec":{"suspend":true}}']);
  });

  it('kubectl create job --from=cronjob runs the template', async () => {
    await k.ok(['create', 'job', 'manual', '--from=cronjob/tick']);
    const job = JSON.parse(await k.ok(['get', 'job', 'manual', '-o', 'json']));
    assert.equal(job.metadata.annotations['cronjob.kubernetes.io/instantiate'], 'manual');
    await k.ok(['wait', '--for=condition=complete', 'job/manual', '--timeout=20s']);
  });

  it('completions 3, parallelism 2 reaches Complete', async () => {
    await k.ok(['apply', '-f', '-'], { input: jobYaml('three', { completions: 3, parallelism: 2 }) });
    await k.ok(['wait', '--for=condition=complete', 'job/three', '--timeout=30s']);
    const job = JSON.parse(await k.ok(['get', 'job', 'three', '-o', 'json']));
    assert.equal(job.status.succeeded, 3);
    assert.equal(job.status.failed ?? 0, 0);
    assert.ok(job.status.startTime && job.status.completionTime);
    const types = job.status.conditions.map((c: { type: string }) => c.type);
    assert.deepEqual(types, ['SuccessCriteriaMet', 'Complete']);
    assert.equal(job.status.conditions[1].reason, 'CompletionsReached');
    assert.deepEqual(job.status.uncountedTerminatedPods, {});
    const pods = JSON.parse(await k.ok(['get', 'pods', '-l', 'job-name=three', '-o', 'json'])).items as P[];
    assert.equal(pods.length, 3);
    for (const p of pods) {
      assert.equal(p.metadata?.labels?.['batch.kubernetes.io/controller-uid'], job.metadata.uid);
      assert.deepEqual(p.metadata?.finalizers ?? [], [], 'tracking finalizer removed once counted');
    }
    assert.match(await k.ok(['get', 'job', 'three']), /three\s+Complete\s+3\/3/);
    const events = await k.ok(['get', 'events', '--field-selector', 'involvedObject.name=three', '-o', 'jsonpath={.items[*].reason}']);
    assert.match(events, /SuccessfulCreate/);
    assert.match(events, /Completed/);
  });

  it('exceeding backoffLimit fails the job', async () => {
    await k.ok(['apply', '-f', '-'], { input: jobYaml('flaky', { backoffLimit: 1 }, 'fail') });
    await k.ok(['wait', '--for=condition=failed', 'job/flaky', '--timeout=30s']);
    const job = JSON.parse(await k.ok(['get', 'job', 'flaky', '-o', 'json']));
    assert.equal(job.status.failed, 2);
    const failed = job.status.conditions.find((c: { type: string }) => c.type === 'Failed');
    assert.equal(failed.reason, 'BackoffLimitExceeded');
    assert.equal(failed.message, 'Job has reached the specified backoff limit');
    assert.ok(job.status.conditions.some((c: { type: string }) => c.type === 'FailureTarget'));
    const events = await k.ok(['get', 'events', '--field-selector', 'involvedObject.name=flaky', '-o', 'jsonpath={.items[*].reason}']);
    assert.match(events, /BackoffLimitExceeded/);
  });

  it('activeDeadlineSeconds fails a job that runs too long', async () => {
    await k.ok(['apply', '-f', '-'], { input: jobYaml('slow', { activeDeadlineSeconds: 1 }, 'hang') });
    await k.ok(['wait', '--for=condition=failed', 'job/slow', '--timeout=20s']);
    const job = JSON.parse(await k.ok(['get', 'job', 'slow', '-o', 'json']));
    assert.equal(job.status.conditions.find((c: { type: string }) => c.type === 'Failed').reason, 'DeadlineExceeded');
    assert.equal(job.status.active ?? 0, 0);
  });

  it('an Indexed job runs one pod per index', async () => {
    await k.ok(['apply', '-f', '-'], { input: jobYaml('idx', { completions: 3, parallelism: 3, completionMode: 'Indexed' }) });
    await k.ok(['wait', '--for=condition=complete', 'job/idx', '--timeout=30s']);
    const job = JSON.parse(await k.ok(['get', 'job', 'idx', '-o', 'json']));
    assert.equal(job.status.completedIndexes, '0-2');
    assert.equal(job.status.succeeded, 3);
    const pods = JSON.parse(await k.ok(['get', 'pods', '-l', 'job-name=idx', '-o', 'json'])).items as P[];
    const indexes = pods.map((p) => p.metadata?.annotations?.['batch.kubernetes.io/job-completion-index']).sort();
    assert.deepEqual(indexes, ['0', '1', '2']);
    for (const p of pods) {
      const i = p.metadata!.annotations!['batch.kubernetes.io/job-completion-index'];
      assert.equal(p.metadata?.labels?.['batch.kubernetes.io/job-completion-index'], i);
      assert.equal(p.spec?.hostname, `idx-${i}`);
      assert.ok(p.metadata?.name?.startsWith(`idx-${i}-`));
      assert.ok(p.spec?.containers[0]?.env?.some((e) => e.name === 'JOB_COMPLETION_INDEX'));
    }
  });

  it('a suspended job runs nothing until resumed', async () => {
    await k.ok(['apply', '-f', '-'], { input: jobYaml('later', { suspend: true, completions: 2, parallelism: 2 }) });
    await k.ok(['wait', '--for=condition=suspended', 'job/later', '--timeout=20s']);
    const held = JSON.parse(await k.ok(['get', 'job', 'later', '-o', 'json']));
    assert.equal(held.status.startTime, undefined, 'a suspended job has not started');
    assert.equal((await k.ok(['get', 'pods', '-l', 'job-name=later', '-o', 'name'])).trim(), '');
    assert.match(await k.ok(['get', 'job', 'later']), /later\s+Suspended\s+0\/2/);
    await k.ok(['patch', 'job', 'later', '--type=merge', '-p', '{"spec":{"suspend":false}}']);
    await k.ok(['wait', '--for=condition=complete', 'job/later', '--timeout=20s']);
    const job = JSON.parse(await k.ok(['get', 'job', 'later', '-o', 'json']));
    const suspended = job.status.conditions.find((c: { type: string }) => c.type === 'Suspended');
    assert.equal(suspended.status, 'False');
    assert.equal(suspended.reason, 'JobResumed');
    const events = await k.ok(['get', 'events', '--field-selector', 'involvedObject.name=later', '-o', 'jsonpath={.items[*].reason}']);
    assert.match(events, /Suspended/);
    assert.match(events, /Resumed/);
  });

  it('ttlSecondsAfterFinished: 0 deletes a finished job', async () => {
    await k.ok(['apply', '-f', '-'], { input: jobYaml('brief', { ttlSecondsAfterFinished: 0 }) });
    await eventually(async () => (await k(['get', 'job', 'brief'])).stderr.includes('NotFound'), 20_000, 'the finished job to be deleted');
    // Deleted in the foreground: its pods went first.
    assert.equal((await k.ok(['get', 'pods', '-l', 'job-name=brief', '-o', 'name'])).trim(), '');
  });
});
