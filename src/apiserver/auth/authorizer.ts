/**
 * @module Authorization: may this user do this verb on this resource (or non-resource path)?
 * The interface, the union that asks each authorizer in turn (upstream authorizer/union), and
 * the privileged-group authorizer that lets `system:masters` do everything. RBAC
 * (`rbac/authorizer.ts`) and the Node authorizer (`node-authorizer.ts`) implement it.
 */
import type { Logger } from '../../util/log.ts';
import type { UserInfo } from '../types.ts';

export interface AuthorizationAttributes {
  user: UserInfo;
  verb: string;
  isResourceRequest: boolean;
  namespace: string;
  apiGroup: string;
  apiVersion: string;
  resource: string;
  subresource: string;
  name: string;
  /** For non-resource requests. */
  path: string;
}

export type Decision = { allowed: true; reason?: string } | { allowed: false; reason?: string; denied?: boolean };

export interface RuleSet {
  resourceRules: { verbs: string[]; apiGroups: string[]; resources: string[]; resourceNames?: string[] }[];
  nonResourceRules: { verbs: string[]; nonResourceURLs: string[] }[];
  incomplete: boolean;
  /** Why the rules may be incomplete (SelfSubjectRulesReview status.evaluationError). */
  evaluationError?: string;
}

export interface Authorizer {
  authorize(attrs: AuthorizationAttributes): Promise<Decision>;
  /** What the user may do in a namespace (SelfSubjectRulesReview). */
  rulesFor(user: UserInfo, namespace: string): Promise<RuleSet>;
}

export const allowAllAuthorizer: Authorizer = {
  async authorize() {
    return { allowed: true };
  },
  async rulesFor() {
    return {
      resourceRules: [{ verbs: ['*'], apiGroups: ['*'], resources: ['*'] }],
      nonResourceRules: [{ verbs: ['*'], nonResourceURLs: ['*'] }],
      incomplete: false,
    };
  },
};

export const systemPrivilegedGroup = 'system:masters';

/** Members of the given groups may do everything (upstream authorizerfactory.NewPrivilegedGroups). */
export function privilegedGroupAuthorizer(groups: readonly string[] = [systemPrivilegedGroup]): Authorizer {
  const privileged = (u: UserInfo) => u.groups.some((g) => groups.includes(g));
  return {
    async authorize(attrs) {
      return privileged(attrs.user) ? { allowed: true } : { allowed: false };
    },
    async rulesFor(user) {
      if (!privileged(user)) return { resourceRules: [], nonResourceRules: [], incomplete: false };
      return allowAllAuthorizer.rulesFor(user, '');
    },
  };
}

/** The identities of Skiff's own components, whose denials are worth a warning. */
const isComponent = (u: UserInfo): boolean =>
  u.username.startsWith('system:serviceaccount:kube-system:') ||
  u.username.startsWith('system:kube-') ||
  u.username.startsWith('system:node:');

/**
 * Asks each authorizer in order: the first allow or explicit deny decides; otherwise the
 * request is refused with every reason given (joined by newlines, as upstream). A refused
 * component request is logged at warn level, since a controller missing a permission
 * otherwise fails only in its own retries.
 */
export function unionAuthorizer(list: Authorizer[], logger?: Logger): Authorizer {
  return {
    async authorize(attrs) {
      const reasons: string[] = [];
      for (const a of list) {
        const d = await a.authorize(attrs);
        if (d.allowed || d.denied) {
          if (!d.allowed) warn(d.reason);
          return d;
        }
        if (d.reason) reasons.push(d.reason);
      }
      const reason = reasons.join('\n');
      warn(reason);
      return reason ? { allowed: false, reason } : { allowed: false };

      function warn(reason: string | undefined): void {
        if (!logger || !isComponent(attrs.user)) return;
        logger.warn('component request forbidden', {
          user: attrs.user.username,
          verb: attrs.verb,
          ...(attrs.isResourceRequest
            ? { resource: attrs.subresource ? `${attrs.resource}/${attrs.subresource}` : attrs.resource, group: attrs.apiGroup, namespace: attrs.namespace, name: attrs.name }
            : { path: attrs.path }),
          ...(reason ? { reason } : {}),
        });
      }
    },
    async rulesFor(user, namespace) {
      const out: RuleSet = { resourceRules: [], nonResourceRules: [], incomplete: false };
      const errors: string[] = [];
      for (const a of list) {
        const r = await a.rulesFor(user, namespace);
        out.resourceRules.push(...r.resourceRules);
        out.nonResourceRules.push(...r.nonResourceRules);
        out.incomplete ||= r.incomplete;
        if (r.evaluationError) errors.push(r.evaluationError);
      }
      if (errors.length) out.evaluationError = errors.length === 1 ? errors[0] : `[${errors.join(', ')}]`;
      return out;
    },
  };
}
