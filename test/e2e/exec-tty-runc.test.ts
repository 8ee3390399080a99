/**
 * Acceptance for `kubectl exec -it` on the runc runtime: real kubectl under `script` (so its
 * stdin is a terminal and it sends the terminal size), through the API server and the kubelet to
 * `console-relay.py`, which takes runc's pty master over the console socket. The shell shows a
 * prompt, `tty` names the pty, `stty size` shows the size kubectl sent, and the exit code of the
 * shell is kubectl's. Needs root, runc, skopeo, busybox-static, python3 and util-linux `script`.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { runcSkipReason } from '../support/busybox-image.ts';
import { eventually, kubectlPath } from '../support/kubectl.ts';
import { startRuncCluster, type RuncCluster } from '../support/runc-cluster.ts';
import type { TestCluster } from '../support/server.ts';

const toolMissing = ['python3', 'script'].find((t) => spawnSync('sh', ['-c', `command -v ${t}`]).status !== 0);
const skip = runcSkipReason() || (toolMissing ? `${toolMissing} is not installed` : false);

/**
 * kubectl with a pty of `cols`×`rows` as its terminal; `send` types into it. Once the file
 * `resizeWhen` exists, the pty becomes 120×40 (the kernel then sends kubectl SIGWINCH).
 */
function underTerminal(env: NodeJS.ProcessEnv, args: string[], cols: number, rows: number, resizeWhen = '/nonexistent') {
  const resizer = `(while [ ! -e ${resizeWhen} ]; do sleep 0.1; done; stty cols 120 rows 40 </dev/tty) &`;
  const cmd = `stty cols ${cols} rows ${rows}; ${resizeWhen === '/nonexistent' ? '' : resizer} exec ${kubectlPath} ${args.join(' ')}`;
  const child = spawn('script', ['-qfec', cmd, '/dev/null'], { env, stdio: ['pipe', 'pipe', 'pipe'] });
  let out = '';
  child.stdout.on('data', (d) => (out += d));
  child.stderr.on('data', (d) => (out += d));
  const closed = new Promise<number>((r) => child.on('close', (code) => r(code ?? -1)));
  return {
    output: () => out,
    send: (s: string) => child.stdin.write(s),
    closed,
    kill: () => child.exitCode === null && child.kill('SIGKILL'),
  };
}

describe('kubectl exec -it on runc', { skip }, () => {
  let env: RuncCluster;
  let c: TestCluster;

  before(async () => {
    env = await startRuncCluster({ nodeName: 'skiff-runc-tty', bridge: 'skrtty0', clusterCidr: '10.68.0.0/16' });
    c = env.cluster;
    await c.kubectl.ok(['run', 'box', `--image=${env.image}`, '--restart=Never', '--', 'sleep', '3600']);
    await c.kubectl.ok(['wait', '--for=condition=Ready', 'pod/box', '--timeout=60s']);
  });
  after(async () => {
    await env?.stop();
  });

  it('gives an interactive shell a pty of the size kubectl reports', async () => {
    const t = underTerminal(c.kubectl.env, ['exec', '-it', 'box', '--', 'sh'], 101, 33);
    try {
      await eventually(() => /\/ # /.test(t.output()), 20_000, `a shell prompt (got ${JSON.stringify(t.output())})`);
      t.send('tty; stty size; exit 3\r');
      assert.equal(await t.closed, 3, t.output());
      assert.match(t.output(), /\/dev\/pts\/0\r?\n/);
      assert.match(t.output(), /33 101\r?\n/);
    } finally {
      t.kill();
    }
  });

  it('passes terminal size changes on', async () => {
    const flag = join(env.dir, 'resize-now');
    const t = underTerminal(c.kubectl.env, ['exec', '-it', 'box', '--', 'sh'], 80, 24, flag);
    try {
      await eventually(() => /\/ # /.test(t.output()), 20_000, 'a shell prompt');
      t.send('stty size\r');
      await eventually(() => /24 80\r?\n/.test(t.output()), 10_000, 'the initial size');
      await writeFile(flag, '');
      // kubectl sends the new size on SIGWINCH; poll `stty size` until the container sees it.
      await eventually(() => {
        t.send('stty size\r');
        return /40 120\r?\n/.test(t.output());
      }, 10_000, 'the new size');
      t.send('exit\r');
      assert.equal(await t.closed, 0, t.output());
    } finally {
      t.kill();
    }
  });
});
