/**
 * @module The RBAC objects the authorizer reads, mirrored in memory from the API server's own
 * storage: list once, then follow the watch cache (as upstream's RBAC authorizer follows
 * informers). A `StaticPolicy` holds fixed objects for unit tests.
 */
import type { ClusterRole, ClusterRoleBinding, Role, RoleBinding } from 'kubernetes-types/rbac/v1.js';
import type { KubeObject } from '../../../api/object.ts';
import { isStorageError } from '../../../storage/interface.ts';
import type { Logger } from '../../../util/log.ts';
import type { Store } from '../../registry/generic/store.ts';

/** What the RBAC authorizer needs to read. */
export interface PolicySource {
  getRole(namespace: string, name: string): Role | undefined;
  getClusterRole(name: string): ClusterRole | undefined;
  clusterRoleBindings(): ClusterRoleBinding[];
  roleBindings(namespace: string): RoleBinding[];
}

const keyOf = (o: KubeObject): string => `${o.metadata?.namespace ?? ''}/${o.metadata?.name ?? ''}`;

/** One resource kept in step with storage. */
class Mirror<T extends KubeObject> {
  readonly items = new Map<string, T>();
  private readyResolve!: () => void;
  readonly ready = new Promise<void>((r) => (this.readyResolve = r));

  constructor(
    private readonly store: Store,
    private readonly logger: Logger,
  ) {}

  async run(signal: AbortSignal): Promise<void> {
    const { backend, watchCache } = this.store.deps;
    const prefix = this.store.codec.prefix();
    while (!signal.aborted) {
      try {
        const listed = await backend.list(prefix);
        this.items.clear();
        for (const kv of listed.kvs) {
          const o = this.store.codec.decode(kv) as unknown as T;
          this.items.set(keyOf(o), o);
        }
        this.readyResolve();
        for await (const batch of watchCache.watch(prefix, listed.revision, signal)) {
          for (const e of batch) {
            const o = this.store.codec.decode(e.kv) as unknown as T;
            if (e.type === 'delete') this.items.delete(keyOf(o));
            else this.items.set(keyOf(o), o);
          }
        }
      } catch (err) {
        if (signal.aborted) break;
        // Compacted or closed: relist. Anything else is logged and retried.
        if (!isStorageError(err, 'Compacted')) this.logger.warn('rbac policy watch failed; relisting', { err: err as Error });
        await new Promise((r) => setTimeout(r, 100));
      }
    }
  }
}

export class PolicyCache implements PolicySource {
  private readonly roles: Mirror<Role & KubeObject>;
  private readonly clusterRoles: Mirror<ClusterRole & KubeObject>;
  private readonly rbs: Mirror<RoleBinding & KubeObject>;
  private readonly crbs: Mirror<ClusterRoleBinding & KubeObject>;

  constructor(stores: { store(group: string, version: string, resource: string): Store | undefined }, logger: Logger) {
    const s = (resource: string): Store => {
      const st = stores.store('rbac.authorization.k8s.io', 'v1', resource);
      if (!st) throw new Error(`no store for ${resource}`);
      return st;
    };
    this.roles = new Mirror(s('roles'), logger);
    this.clusterRoles = new Mirror(s('clusterroles'), logger);
    this.rbs = new Mirror(s('rolebindings'), logger);
    this.crbs = new Mirror(s('clusterrolebindings'), logger);
  }

  /** Resolves once every resource has been listed. */
  get ready(): Promise<void> {
    return Promise.all([this.roles.ready, this.clusterRoles.ready, this.rbs.ready, this.crbs.ready]).then(() => undefined);
  }

  run(signal: AbortSignal): Promise<unknown> {
    return Promise.all([this.roles, this.clusterRoles, this.rbs, this.crbs].map((m) => m.run(signal)));
  }

  getRole(namespace: string, name: string): Role | undefined {
    return this.roles.items.get(`${namespace}/${name}`);
  }
  getClusterRole(name: string): ClusterRole | undefined {
    return this.clusterRoles.items.get(`/${name}`);
  }
  clusterRoleBindings(): ClusterRoleBinding[] {
    return [...this.crbs.items.values()];
  }
  roleBindings(namespace: string): RoleBinding[] {
    return [...this.rbs.items.values()].filter((b) => b.metadata?.namespace === namespace);
  }
}

/** Fixed policy, for tests and for checks against objects not yet stored. */
export class StaticPolicy implements PolicySource {
  constructor(
    readonly objs: { roles?: Role[]; clusterRoles?: ClusterRole[]; roleBindings?: RoleBinding[]; clusterRoleBindings?: ClusterRoleBinding[] },
  ) {}
  getRole(namespace: string, name: string): Role | undefined {
    return this.objs.roles?.find((r) => r.metadata?.namespace === namespace && r.metadata?.name === name);
  }
  getClusterRole(name: string): ClusterRole | undefined {
    return this.objs.clusterRoles?.find((r) => r.metadata?.name === name);
  }
  clusterRoleBindings(): ClusterRoleBinding[] {
    return this.objs.clusterRoleBindings ?? [];
  }
  roleBindings(namespace: string): RoleBinding[] {
    return (this.objs.roleBindings ?? []).filter((b) => b.metadata?.namespace === namespace);
  }
}
