/** The shared runtime suite against the `process` runtime, plus its path rewriting. */
import assert from 'node:assert/strict';
import { it } from 'node:test';
import { ProcessRuntime } from './process.ts';
import { processEnv, rewritePaths } from './process/paths.ts';
import { runtimeSuite } from './testing/runtime.suite.ts';

runtimeSuite('process', (dir) => new ProcessRuntime(dir), { image: 'busybox:1.36', supports: { stats: true, portForward: true } });

it('rewrites mount paths as whole path segments and exposes volumes by name', () => {
  const mounts = [
    { containerPath: '/config', hostPath: '/data/pod/vol/config', readOnly: true, volumeName: 'app-config' },
    { containerPath: '/config/deep', hostPath: '/data/x', readOnly: true },
  ];
  assert.equal(rewritePaths('cat /config/key; ls /configs /config', mounts), 'cat /data/pod/vol/config/key; ls /configs /data/pod/vol/config');
  assert.equal(rewritePaths('/config/deep/a', mounts), '/data/x/a');
  assert.equal(rewritePaths('--path=/config', mounts), '--path=/data/pod/vol/config');
  const env = processEnv([{ name: 'F', value: '/config/f' }], mounts, 'p');
  assert.equal(env.SKIFF_VOLUME_APP_CONFIG, '/data/pod/vol/config');
  assert.equal(env.F, '/data/pod/vol/config/f');
  assert.equal(env.HOSTNAME, 'p');
});
