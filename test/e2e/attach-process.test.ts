/**
 * `kubectl attach -i` and `kubectl run -i --rm` on the `process` runtime, driven by the real
 * kubectl: a `stdin: true` container's stdin is held open by its stdio shim and served on the
 * container's attach socket; input reaches the process, `stdinOnce` closes stdin when the first
 * session ends, and without it several sessions in a row reach the same stdin. A container
 * without stdin gets an output-only attach, and kubectl says it did not allocate a TTY.
 * Needs python3 (the stdio shim).
 */
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { after, before, describe, it } from 'node:test';
import { eventually, haveKubectl, kubectlPath } from '../support/kubectl.ts';
import { startCluster, type TestCluster } from '../support/server.ts';

const node = 'attach-proc-node';
const skip = !haveKubectl ? 'kubectl is not installed' : spawnSync('python3', ['--version']).status !== 0 ? 'python3 is not installed' : false;

describe('kubectl attach -i on the process runtime', { skip }, () => {
  let cluster: TestCluster;
  const kubectl = (args: string[], input?: string) => cluster.kubectl.ok(args, { input });
  const pod = (name: string, container: Record<string, unknown>) => ({
    apiVersion: 'v1', kind: 'Pod', metadata: { name },
    spec: { nodeName: node, restartPolicy: 'Never', terminationGracePeriodSeconds: 1, containers: [{ name: 'main', image: 'busybox', ...container }] },
  });
  const startPod = async (name: string, container: Record<string, unknown>) => {
    await kubectl(['apply', '-f', '-'], JSON.stringify(pod(name, container)));
    await kubectl(['wait', '--for=condition=Ready', `pod/${name}`, '--timeout=30s']);
  };
  const phase = (name: string) => kubectl(['get', 'pod', name, '-o', 'jsonpath={.status.phase}']);
  const echoLoop = (after: string) => ['sh', '-c', `while read l; do echo "got $l"; done; ${after}`];

  before(async () => {
    cluster = await startCluster({ server: { disableAgent: false, runtime: 'process', nodeName: node }, agentOptions: { resyncMs: 1000, relistMs: 250 } });
    await eventually(async () => (await kubectl(['get', 'node', node, '-o', 'jsonpath={.status.conditions[?(@.type=="Ready")].status}'])) === 'True', 20_000, 'node Ready');
  });
  after(async () => {
    await cluster?.stop();
  });

  it('attach -i sends input to a stdinOnce container and shows its output; the end of input ends it', async () => {
    await startPod('catter', { command: echoLoop('echo bye'), stdin: true, stdinOnce: true });
    const r = await cluster.kubectl(['attach', '-i', 'catter', '-c', 'main'], { input: 'one\ntwo\n', timeoutMs: 30_000 });
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stdout, 'got one\ngot two\nbye\n');
    await eventually(async () => (await phase('catter')) === 'Succeeded', 20_000, 'catter Succeeded');
    assert.equal(await kubectl(['logs', 'catter']), 'got one\ngot two\nbye\n');
  });

  it('kubectl run -i --rm --restart=Never with piped stdin completes, prints the output and removes the pod', async () => {
    const r = await cluster.kubectl(
      ['run', 'runner', '-i', '--rm', '--restart=Never', '--image=busybox', `--overrides=${JSON.stringify({ spec: { nodeName: node } })}`, '--command', '--', ...echoLoop('echo done')],
      { input: 'alpha\nbeta\n', timeoutMs: 60_000 },
    );
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /^got alpha\ngot beta\ndone\n/);
    assert.match(r.stdout, /pod "runner" deleted/);
    const left = await cluster.kubectl(['get', 'pod', 'runner']);
    assert.match(left.stderr, /NotFound|not found/);
  });

  it('without stdinOnce, several attach sessions in a row reach the same stdin', async () => {
    await startPod('keeper', { command: echoLoop('echo closed'), stdin: true });
    for (const word of ['first', 'second']) {
      // Each session ends with its input; the process keeps its stdin and keeps reading.
      const r = await cluster.kubectl(['attach', '-i', 'keeper'], { input: `${word}\n`, timeoutMs: 30_000 });
      assert.equal(r.code, 0, r.stderr);
    }
    await eventually(async () => (await kubectl(['logs', 'keeper'])) === 'got first\ngot second\n' || undefined, 15_000, 'both sessions in the logs');
    assert.equal(await phase('keeper'), 'Running');
  });

  it('stdinOnce closes stdin when the first session ends, even when the client just goes away', async () => {
    await startPod('once', { command: echoLoop('echo stdin closed'), stdin: true, stdinOnce: true });
    const child = spawn(kubectlPath, ['--kubeconfig', cluster.server.kubeconfigPath, 'attach', '-i', 'once'], { stdio: ['pipe', 'pipe', 'pipe'] });
    let out = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    const exited = new Promise((r) => child.once('close', r));
    try {
      child.stdin.write('ping\n');
      await eventually(() => out.includes('got ping\n'), 15_000, 'the reply through attach');
      assert.equal(await phase('once'), 'Running');
    } finally {
      child.kill('SIGKILL'); // input never ended: the session ends by the client's disconnect
      await exited;
    }
    await eventually(async () => (await phase('once')) === 'Succeeded', 20_000, 'once Succeeded after its stdin closed');
    assert.equal(await kubectl(['logs', 'once']), 'got ping\nstdin closed\n');
  });

  it('a container without stdin or a tty: kubectl says so and the attach is output-only', async () => {
    await startPod('plain', { command: ['sh', '-c', 'for i in 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16 17 18 19 20; do echo tick $i; sleep 0.2; done; cat; echo end'] });
    const r = await cluster.kubectl(['attach', '-i', '-t', 'plain'], { input: 'ignored\n', timeoutMs: 30_000 });
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stderr, /Unable to use a TTY - container main did not allocate one/);
    assert.match(r.stdout, /tick \d+\n[^]*end\n$/);
    assert.doesNotMatch(await kubectl(['logs', 'plain']), /ignored/);
  });
});
