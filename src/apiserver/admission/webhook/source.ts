/**
 * @module On-demand reads for admission, straight from the API server's own storage: the
 * namespaces, params, Services and EndpointSlices that a *matching* webhook or policy binding
 * needs. The configurations themselves are watched into memory (../config-cache.ts), so
 * requests that nothing matches never come here.
 */
import type { KubeObject } from '../../../api/object.ts';
import type { Backend } from '../../../storage/interface.ts';
import type { Store } from '../../registry/generic/store.ts';

export interface StoreSource {
  store(group: string, version: string, resource: string): Store | undefined;
  readonly config: { backend: Backend };
}

/** What admission reads; a fixed in-memory implementation serves unit tests. */
export interface ConfigLister {
  list<T extends KubeObject>(group: string, version: string, resource: string, namespace?: string): Promise<T[]>;
  get<T extends KubeObject>(group: string, version: string, resource: string, namespace: string, name: string): Promise<T | undefined>;
  namespace(name: string): Promise<KubeObject | undefined>;
}

export class ConfigReader implements ConfigLister {
  constructor(private readonly server: StoreSource) {}

  async list<T extends KubeObject>(group: string, version: string, resource: string, namespace?: string): Promise<T[]> {
    const store = this.server.store(group, version, resource);
    if (!store) return [];
    const { kvs } = await this.server.config.backend.list(store.codec.prefix(namespace));
    return kvs.map((kv) => store.codec.decode(kv) as unknown as T);
  }

  async get<T extends KubeObject>(group: string, version: string, resource: string, namespace: string, name: string): Promise<T | undefined> {
    const store = this.server.store(group, version, resource);
    return store ? ((await store.getRaw(namespace, name))?.obj as unknown as T | undefined) : undefined;
  }

  namespace(name: string): Promise<KubeObject | undefined> {
    return this.get('', 'v1', 'namespaces', '', name);
  }
}
