import { existsSync } from 'node:fs';
import { runBackendSuite } from '../testing/backend.suite.ts';
import { startEtcd } from '../testing/etcd-server.ts';
import { EtcdBackend } from './etcd.ts';

const skip = existsSync('/usr/bin/etcd') || existsSync('/usr/local/bin/etcd') ? false : 'etcd not installed: apt-get install etcd-server';
if (skip) process.stdout.write(`# skipping etcd driver suite: ${skip}\n`);

runBackendSuite(
  'etcd',
  async () => {
    const etcd = await startEtcd();
    if ('skip' in etcd) throw new Error(etcd.skip);
    const backend = new EtcdBackend({ endpoints: etcd.endpoints, prefix: '/skiff-test' });
    await backend.start();
    return {
      backend,
      async cleanup() {
        await backend.close();
        await etcd.stop();
      },
    };
  },
  { skip },
);
