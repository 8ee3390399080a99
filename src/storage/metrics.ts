/**
 * @module Storage metrics as the upstream apiserver's storage layer reports them, for every
 * driver alike: `etcd_request_duration_seconds{operation,type}` (the name is upstream's even
 * when the driver is SQLite or memory) and `apiserver_storage_objects{resource}`.
 *
 * `instrumentBackend` wraps a Backend; `type`/`resource` come from the key
 * (`/registry/<group|core>/<resource>/…` → `pods`, `deployments.apps`). Object counts are
 * taken at scrape time with `count(prefix)` for every resource prefix the wrapper has seen
 * (the watch cache lists every resource at start), so nothing polls in the background.
 */
import { Gauge, Histogram, type Registry } from 'prom-client';
import type { Backend } from './interface.ts';

/** Upstream's etcd request buckets (seconds). */
const buckets = [0.005, 0.025, 0.05, 0.1, 0.2, 0.4, 0.6, 0.8, 1, 1.25, 1.5, 2, 3, 4, 5, 6, 8, 10, 15, 20, 30, 45, 60];

/** `/registry/apps/deployments/ns/x` → prefix `/registry/apps/deployments/`, resource `deployments.apps`. */
export function resourceOfKey(key: string): { prefix: string; resource: string } | undefined {
  const m = /^\/registry\/([^/]+)\/([^/]+)\//.exec(key);
  if (!m) return undefined;
  const [, group, resource] = m as unknown as [string, string, string];
  return { prefix: `/registry/${group}/${resource}/`, resource: group === 'core' ? resource : `${resource}.${group}` };
}

export function instrumentBackend(backend: Backend, registry: Registry): Backend {
  const registers = [registry];
  const duration = new Histogram({
    name: 'etcd_request_duration_seconds',
    help: 'Etcd request latency in seconds for each operation and object type.',
    labelNames: ['operation', 'type'],
    buckets,
    registers,
  });
  const prefixes = new Map<string, string>();
  new Gauge({
    name: 'apiserver_storage_objects',
    help: 'Number of stored objects at the time of last check split by kind.',
    labelNames: ['resource'],
    registers,
    async collect() {
      this.reset();
      for (const [prefix, resource] of prefixes) {
        // A failing store reports -1, as upstream does when the count cannot be taken.
        const n = await backend.count(prefix).then((r) => r.count, () => -1);
        this.set({ resource }, n);
      }
    },
  });
  const typeOf = (key: string): string => {
    const r = resourceOfKey(key);
    if (!r) return key;
    if (!prefixes.has(r.prefix)) prefixes.set(r.prefix, r.resource);
    return r.resource;
  };
  async function timed<T>(operation: string, key: string, run: () => Promise<T>): Promise<T> {
    const end = duration.startTimer({ operation, type: typeOf(key) });
    try {
      return await run();
    } finally {
      end();
    }
  }
  return {
    start: () => backend.start(),
    close: () => backend.close(),
    get: (key, opts) => timed('get', key, () => backend.get(key, opts)),
    list: (prefix, opts) => timed('list', prefix, () => backend.list(prefix, opts)),
    count: (prefix) => timed('count', prefix, () => backend.count(prefix)),
    create: (key, value) => timed('create', key, () => backend.create(key, value)),
    update: (key, value, rev) => timed('update', key, () => backend.update(key, value, rev)),
    delete: (key, rev) => timed('delete', key, () => backend.delete(key, rev)),
    watch: (prefix, opts) => backend.watch(prefix, opts),
    currentRevision: () => backend.currentRevision(),
    compactRevision: () => backend.compactRevision(),
    compact: (revision) => backend.compact(revision),
  };
}
