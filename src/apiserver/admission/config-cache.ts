/**
 * @module The admission configuration objects (webhook configurations, ValidatingAdmissionPolicies
 * and their bindings) mirrored in memory from the API server's own storage: listed once, then
 * kept current from the watch cache, as upstream's admission plugins follow informers (and as
 * the RBAC policy cache does here). An admitted request reads them without touching storage, so
 * the webhook and policy plugins cost nothing when none exist; a new or changed object applies
 * as soon as its watch event arrives (milliseconds, not a resync period).
 */
import type { KubeObject } from '../../api/object.ts';
import { isStorageError } from '../../storage/interface.ts';
import type { Logger } from '../../util/log.ts';
import type { Store } from '../registry/generic/store.ts';

export type ConfigResource =
  | 'mutatingwebhookconfigurations'
  | 'validatingwebhookconfigurations'
  | 'validatingadmissionpolicies'
  | 'validatingadmissionpolicybindings';

const configResources: readonly ConfigResource[] = [
  'mutatingwebhookconfigurations',
  'validatingwebhookconfigurations',
  'validatingadmissionpolicies',
  'validatingadmissionpolicybindings',
];

/** What the webhook and policy plugins read their configuration from. */
export interface AdmissionConfigs {
  /** True once every resource has been listed. */
  readonly synced: boolean;
  readonly ready: Promise<void>;
  /**
   * The current objects of one resource sorted by name. The same array is returned until one
   * of them changes, so callers may memoize what they derive from it by identity.
   */
  current<T extends KubeObject>(resource: ConfigResource): readonly T[];
}

const byName = (a: KubeObject, b: KubeObject): number => (a.metadata?.name ?? '').localeCompare(b.metadata?.name ?? '');

/** One cluster-scoped resource kept in step with storage. */
class Mirror {
  private readonly items = new Map<string, KubeObject>();
  private sorted: readonly KubeObject[] | undefined = [];

  constructor(private readonly logger: Logger) {}

  list(): readonly KubeObject[] {
    return (this.sorted ??= [...this.items.values()].sort(byName));
  }

  private set(o: KubeObject, deleted: boolean): void {
    const name = o.metadata?.name ?? '';
    if (deleted) this.items.delete(name);
    else this.items.set(name, o);
    this.sorted = undefined;
  }

  /** Lists, calls `listed`, then follows the watch cache until the signal aborts or it closes. */
  async run(store: Store, signal: AbortSignal, listed: () => void): Promise<void> {
    const { backend, watchCache } = store.deps;
    const prefix = store.codec.prefix();
    while (!signal.aborted) {
      try {
        const page = await backend.list(prefix);
        this.items.clear();
        for (const kv of page.kvs) this.set(store.codec.decode(kv) as unknown as KubeObject, false);
        this.sorted = undefined;
        listed();
        for await (const batch of watchCache.watch(prefix, page.revision, signal)) {
          for (const e of batch) this.set(store.codec.decode(e.kv) as unknown as KubeObject, e.type === 'delete');
        }
      } catch (err) {
        if (signal.aborted || isStorageError(err, 'Closed')) break;
        // Compacted (or a reset watch cache): relist. Anything else is logged and retried.
        if (!isStorageError(err, 'Compacted')) this.logger.warn('admission config watch failed; relisting', { err: err as Error });
        await new Promise((r) => setTimeout(r, 100));
      }
    }
  }
}

export class AdmissionConfigCache implements AdmissionConfigs {
  private readonly mirrors: Map<ConfigResource, Mirror>;
  private pending = configResources.length;
  private readyResolve!: () => void;
  readonly ready = new Promise<void>((r) => (this.readyResolve = r));

  constructor(
    private readonly stores: { store(group: string, version: string, resource: string): Store | undefined },
    logger: Logger,
  ) {
    this.mirrors = new Map(configResources.map((r) => [r, new Mirror(logger)]));
  }

  get synced(): boolean {
    return this.pending === 0;
  }

  current<T extends KubeObject>(resource: ConfigResource): readonly T[] {
    return this.mirrors.get(resource)!.list() as readonly T[];
  }

  /** Runs until the signal aborts; a resource without a store counts as listed (and empty). */
  async run(signal: AbortSignal): Promise<void> {
    await Promise.all(
      configResources.map(async (r) => {
        let first = true;
        const listed = () => {
          if (!first) return;
          first = false;
          if (--this.pending === 0) this.readyResolve();
        };
        const store = this.stores.store('admissionregistration.k8s.io', 'v1', r);
        if (!store) return listed();
        await this.mirrors.get(r)!.run(store, signal, listed);
      }),
    );
  }
}
