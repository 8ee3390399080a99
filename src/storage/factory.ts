/**
 * @module Turns the `--datastore` flag into a Backend: `sqlite` (default, in the data dir),
 * `memory`, or `etcd://host:port[,host:port…]`.
 */
import { join } from 'node:path';
import { EtcdBackend } from './drivers/etcd.ts';
import { MemoryBackend } from './drivers/memory.ts';
import { SqliteBackend } from './drivers/sqlite.ts';
import type { Backend } from './interface.ts';

export type DatastoreSpec = { kind: 'memory' } | { kind: 'sqlite'; path: string } | { kind: 'etcd'; endpoints: string[] };

export function parseDatastore(flag: string, dataDir: string): DatastoreSpec {
  if (flag === 'sqlite' || flag === '') return { kind: 'sqlite', path: join(dataDir, 'db', 'state.db') };
  if (flag === 'memory') return { kind: 'memory' };
  if (flag.startsWith('etcd://')) {
    const hosts = flag.slice('etcd://'.length).split(',').map((h) => h.trim()).filter(Boolean);
    if (hosts.length === 0 || hosts.some((h) => !/^[^\s/:]+:\d+$/.test(h) && !/^\[[0-9a-fA-F:]+\]:\d+$/.test(h)))
      throw new Error(`--datastore: expected etcd://host:port[,host:port...], got "${flag}"`);
    return { kind: 'etcd', endpoints: hosts.map((h) => `http://${h}`) };
  }
  throw new Error(`--datastore: unknown datastore "${flag}" (use sqlite, memory or etcd://host:port)`);
}

export function createBackend(spec: DatastoreSpec): Backend {
  switch (spec.kind) {
    case 'memory':
      return new MemoryBackend();
    case 'sqlite':
      return new SqliteBackend(spec.path);
    case 'etcd':
      return new EtcdBackend({ endpoints: spec.endpoints });
  }
}
