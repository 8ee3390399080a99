/**
 * The runc runtime over the real image store (an OCI layout built from busybox, unpacked by
 * OciImageService): image Cmd/Env, runAsUser, readOnlyRootFilesystem, capabilities and
 * hostNetwork. Root + runc + conmon only.
 */
import assert from 'node:assert/strict';
import { createReadStream } from 'node:fs';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { buildBusyboxImage, busyboxSkipReason } from '../../../../test/support/busybox-image.js';
import { silentLogger } from '../../../util/log.js';
import { OciImageService } from '../../images/image-service.js';
import type { ContainerConfig, ImageRef, PodSandboxConfig } from '../interface.js';
import { removeCgroupTree } from './cgroups.js';
import { createRuncRuntime, type RuncRuntime } from './index.js';
import { runcSkipReason } from './test-rootfs.js';

const skip = runcSkipReason('runc') || busyboxSkipReason();

describe('runc runtime with an OCI image', { skip }, () => {
  let dir: string;
  let rt: RuncRuntime;
  let image: ImageRef;
  let n = 0;

  before(async () => {
    dir = await mkdtemp('/tmp/skri-');
    const { layoutDir } = await buildBusyboxImage(dir);
    const images = new OciImageService(join(dir, 'images'), { logger: silentLogger });
    const index = JSON.parse(await readFile(join(layoutDir, 'index.json'), 'utf8')) as { manifests: { digest: string }[] };
    const blob = (d: string) => join(layoutDir, 'blobs', 'sha256', d.slice('sha256:'.length));
    const entry = await images.storeImage({ blob: async (d) => createReadStream(blob(d)) }, await readFile(blob(index.manifests[0]!.digest)), ['local/busybox:1.36']);
    image = { name: 'local/busybox:1.36', id: entry.configDigest };
    rt = await createRuncRuntime({ stateDir: join(dir, 'state'), images, binary: 'runc', bridge: 'sktimg', podCidr: '10.231.21.0/24', logger: silentLogger });
  });
  after(async () => {
    await rt?.shutdown({ removeBridge: true });
    await removeCgroupTree('/skiff-test-img');
    await rm(dir, { recursive: true, force: true });
  });

  const run = async (command: string[], extra: Partial<ContainerConfig> = {}, sbExtra: Partial<PodSandboxConfig> = {}) => {
    const k = ++n;
    const sb: PodSandboxConfig = {
      uid: `img-${k}`, name: `img-pod-${k}`, namespace: 'default', attempt: 0, hostname: `img-pod-${k}`, hostNetwork: false, portMappings: [],
      labels: {}, annotations: {}, logDirectory: join(dir, 'logs', String(k)), cgroupParent: `/skiff-test-img/pod${k}`, ...sbExtra,
    };
    const sbId = await rt.runPodSandbox(sb);
    const cfg: ContainerConfig = {
      name: 'c', attempt: 0, image, command, args: [], env: [{ name: 'FOO', value: 'bar' }], mounts: [], resources: {}, security: {},
      logPath: join(sb.logDirectory, 'c', '0.log'), stdin: false, stdinOnce: false, tty: false, labels: {}, annotations: {}, ...extra,
    };
    const id = await rt.createContainer(sbId, cfg, sb);
    await rt.startContainer(id);
    const deadline = Date.now() + 10000;
    for (;;) {
      const s = await rt.containerStatus(id);
      if (s?.state === 'exited') {
        const log = await readFile(cfg.logPath, 'utf8');
        const out = log.split('\n').filter(Boolean).map((l) => l.split(' ').slice(3).join(' ')).join('\n');
        await rt.removePodSandbox(sbId);
        return { exitCode: s.exitCode, out };
      }
      if (Date.now() > deadline) throw new Error('container did not exit');
      await new Promise((r) => setTimeout(r, 25));
    }
  };

  it('runs with the image env and the container env, as root by default', async () => {
    const r = await run(['sh', '-c', 'echo "$PATH|$FOO|$HOSTNAME"; id -u']);
    assert.equal(r.exitCode, 0);
    assert.equal(r.out, `/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin|bar|img-pod-${n}\n0`);
  });

  it('args alone replace the image Cmd; runAsUser/runAsGroup apply', async () => {
    const r = await run([], { command: ['sh'], args: ['-c', 'id -u; id -g'], security: { runAsUser: 65534, runAsGroup: 65534 } });
    assert.deepEqual([r.exitCode, r.out], [0, '65534\n65534']);
  });

  it('readOnlyRootFilesystem refuses writes; dropped capabilities are gone', async () => {
    const ro = await run(['sh', '-c', 'touch /x'], { security: { readOnlyRootFilesystem: true } });
    assert.notEqual(ro.exitCode, 0);
    const rw = await run(['sh', '-c', 'touch /x && echo ok']);
    assert.deepEqual([rw.exitCode, rw.out], [0, 'ok']);
    const caps = await run(['sh', '-c', 'grep CapEff /proc/self/status'], { security: { capabilitiesDrop: ['ALL'] } });
    assert.match(caps.out, /CapEff:\s+0+$/);
  });

  it('hostNetwork: no pod IP, the host hostname and interfaces', async () => {
    const r = await run(['sh', '-c', 'cat /etc/hostname; ip -o link | grep -c eth0'], {}, { hostNetwork: true });
    assert.equal(r.exitCode, 0);
    const [h, eth] = r.out.split('\n');
    assert.equal(h, hostname());
    assert.ok(Number(eth) >= 1);
  });
});
