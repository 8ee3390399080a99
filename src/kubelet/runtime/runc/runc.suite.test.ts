/** The shared runtime suite against the runc runtime, once with runc and once with crun (root only). */
import { mkdtemp, rm } from 'node:fs/promises';
import { describe } from 'node:test';
import { silentLogger } from '../../../util/log.js';
import { runtimeSuite } from '../testing/runtime.suite.js';
import { removeCgroupTree } from './cgroups.js';
import { createRuncRuntime, type RuncRuntime } from './index.js';
import { buildBusyboxLayer, LocalImageService, runcSkipReason } from './test-rootfs.js';

for (const [i, binary] of (['runc', 'crun'] as const).entries()) {
  const skip = runcSkipReason(binary);
  if (skip) {
    describe(`runtime suite: ${binary}`, { skip }, () => {});
    continue;
  }
  let dir = '';
  let images: LocalImageService | undefined;
  let state = '';
  const make = (stateDir: string): Promise<RuncRuntime> =>
    createRuncRuntime({ stateDir, images: images!, binary, bridge: `sks${binary}`, podCidr: `10.231.${i + 11}.0/24`, logger: silentLogger });
  runtimeSuite(binary, async (stateDir) => {
    state = stateDir;
    return make(stateDir);
  }, {
    image: 'busybox:local',
    supports: { portForward: true, stats: true },
    setup: async () => {
      dir = await mkdtemp(`/tmp/sks-${binary}-`);
      images = new LocalImageService(await buildBusyboxLayer(dir));
    },
    teardown: async () => {
      // The suite removes its sandboxes first; this removes what is left: the bridge and cgroup root.
      if (state) await (await make(state)).shutdown({ removeBridge: true });
      await removeCgroupTree('/skiff-suite');
      await rm(dir, { recursive: true, force: true });
    },
  });
}
