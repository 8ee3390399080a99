/**
 * @module Authorization as the server wires it: the union of the privileged-group
 * (`system:masters`), Node and RBAC authorizers, NodeRestriction and RBAC escalation
 * prevention admission, and impersonation around the authenticator. The RBAC policy is read
 * from the API server's own stores, so it exists only once the server does: the authorizer
 * and plugins are handed to the server first and start answering after `start`, which also
 * reconciles the bootstrap policy.
 */
import type { Logger } from '../../util/log.ts';
import { nodeRestriction } from '../admission/node-restriction.ts';
import type { AdmissionPlugin } from '../admission/interface.ts';
import { rbacEscalationPrevention } from '../registry/rbac/escalation.ts';
import type { Store } from '../registry/generic/store.ts';
import type { Authenticator } from './authenticator.ts';
import { privilegedGroupAuthorizer, unionAuthorizer, type Authorizer } from './authorizer.ts';
import { bootstrapPolicy, reconcileBootstrapPolicy } from './bootstrap-policy/reconcile.ts';
import { impersonatingAuthenticator } from './impersonation.ts';
import { NodeAuthorizer, storePodsOnNode, storeClaimVolume } from './node-authorizer.ts';
import { RbacAuthorizer, RbacRuleResolver } from './rbac/authorizer.ts';
import { PolicyCache } from './rbac/policy-cache.ts';

type Stores = { store(group: string, version: string, resource: string): Store | undefined };

export class Authorization {
  private union?: Authorizer;
  private rbacResolver?: RbacRuleResolver;
  private readyResolve!: () => void;
  private readonly ready = new Promise<void>((r) => (this.readyResolve = r));

  constructor(private readonly logger: Logger) {}

  /** Answers once `start` has loaded the policy. */
  readonly authorizer: Authorizer = {
    authorize: async (a) => {
      if (!this.union) await this.ready;
      return this.union!.authorize(a);
    },
    rulesFor: async (u, ns) => {
      await this.ready;
      return this.union!.rulesFor(u, ns);
    },
  };

  private readonly resolver: Pick<RbacRuleResolver, 'rulesFor' | 'roleRefRules'> = {
    rulesFor: (u, ns) => this.rbacResolver!.rulesFor(u, ns),
    roleRefRules: (ref, ns) => this.rbacResolver!.roleRefRules(ref, ns),
  };

  readonly admission: AdmissionPlugin[] = [nodeRestriction(), rbacEscalationPrevention(this.authorizer, this.resolver)];

  /** The authenticator with impersonation headers honoured. */
  impersonating(authn: Authenticator): Authenticator {
    return impersonatingAuthenticator(authn, this.authorizer);
  }

  /** Loads the policy, reconciles the defaults and waits until the cache has them. */
  async start(stores: Stores, signal: AbortSignal): Promise<void> {
    const cache = new PolicyCache(stores, this.logger);
    void cache.run(signal).catch((err: unknown) => this.logger.error('rbac policy cache stopped', { err: err as Error }));
    await cache.ready;
    const rbac = new RbacAuthorizer(cache);
    this.rbacResolver = rbac.resolver;
    const pods = stores.store('', 'v1', 'pods');
    const claims = stores.store('', 'v1', 'persistentvolumeclaims');
    const node = pods ? [new NodeAuthorizer(storePodsOnNode(pods), claims ? storeClaimVolume(claims) : undefined)] : [];
    this.union = unionAuthorizer([privilegedGroupAuthorizer(), ...node, rbac], this.logger);
    this.readyResolve();
    await reconcileBootstrapPolicy(stores, this.logger);
    // Components start right after: let them find their bindings in the cache.
    const want = bootstrapPolicy().find((p) => p.resource === 'clusterrolebindings')!.objects.map((o) => o.metadata!.name!);
    const deadline = Date.now() + 5000;
    while (Date.now() < deadline && !signal.aborted) {
      const have = new Set(cache.clusterRoleBindings().map((b) => b.metadata?.name));
      if (want.every((n) => have.has(n))) break;
      await new Promise((r) => setTimeout(r, 5));
    }
  }
}
