/**
 * @module RBAC escalation prevention (upstream pkg/registry/rbac/{role,clusterrole,rolebinding}/policybased): writing a
 * Role or ClusterRole needs every rule in it already held (or the `escalate` verb on it);
 * writing a binding needs the referenced role's rules held in the binding's namespace (or the
 * `bind` verb on that role). `system:masters` may always. An aggregationRule needs `escalate`.
 * Runs as a validating admission plugin on creates and updates of the four RBAC kinds.
 */
import type { ClusterRole, ClusterRoleBinding, PolicyRule, RoleBinding } from 'kubernetes-types/rbac/v1.js';
import { StatusError } from '../../../machinery/status.ts';
import type { AdmissionAttributes, AdmissionPlugin } from '../../admission/interface.ts';
import { systemPrivilegedGroup, type Authorizer } from '../../auth/authorizer.ts';
import type { RbacRuleResolver } from '../../auth/rbac/authorizer.ts';
import { compactRules, compactString, goQuotedList, uncovered } from '../../auth/rbac/covers.ts';
import type { UserInfo } from '../../types.ts';

const rbacGroup = 'rbac.authorization.k8s.io';

/** The part of the RBAC rule resolver escalation checks need. */
export type RuleResolver = Pick<RbacRuleResolver, 'rulesFor' | 'roleRefRules'>;

async function allowedVerb(authz: Authorizer, user: UserInfo, verb: string, resource: string, namespace: string, name: string): Promise<boolean> {
  const d = await authz.authorize({ user, verb, isResourceRequest: true, namespace, apiGroup: rbacGroup, apiVersion: '', resource, subresource: '', name, path: '' });
  return d.allowed;
}

function confirmNoEscalation(resolver: RuleResolver, user: UserInfo, namespace: string, rules: PolicyRule[]): string | undefined {
  const held = resolver.rulesFor(user, namespace);
  const missing = uncovered(held.rules, rules);
  if (!missing.length) return undefined;
  let msg = `user "${user.username}" (groups=${goQuotedList(user.groups)}) is attempting to grant RBAC permissions not currently held:\n`;
  for (const r of compactRules(missing)) msg += `${compactString(r)}\n`;
  if (held.errors.length) msg += `; resolution errors: [${held.errors.join(' ')}]`;
  return msg;
}

export function rbacEscalationPrevention(authz: Authorizer, resolver: RuleResolver): AdmissionPlugin {
  return {
    name: 'RBACEscalationPrevention',
    async validate(a: AdmissionAttributes) {
      if (a.resource.group !== rbacGroup || (a.operation !== 'CREATE' && a.operation !== 'UPDATE') || a.subresource) return;
      if (a.user.groups.includes(systemPrivilegedGroup)) return;
      const resource = a.resource.resource;
      const name = a.name || a.object?.metadata?.name || '';
      const forbid = (msg: string) => StatusError.forbidden({ group: rbacGroup, resource }, name, msg);
      if (resource === 'roles' || resource === 'clusterroles') {
        const role = a.object as ClusterRole | undefined;
        if (!role) return;
        // Metadata-only updates (finalizers, owner references) are never an escalation.
        if (a.operation === 'UPDATE' && JSON.stringify((a.oldObject as ClusterRole | undefined)?.rules ?? []) === JSON.stringify(role.rules ?? []) &&
          JSON.stringify((a.oldObject as ClusterRole | undefined)?.aggregationRule ?? null) === JSON.stringify(role.aggregationRule ?? null))
          return;
        const mayEscalate = await allowedVerb(authz, a.user, 'escalate', resource, a.namespace, name);
        if (resource === 'clusterroles' && role.aggregationRule && !mayEscalate)
          throw forbid('must have cluster-admin privileges to use the aggregationRule');
        if (mayEscalate) return;
        const err = confirmNoEscalation(resolver, a.user, a.namespace, role.rules ?? []);
        if (err) throw forbid(err);
        return;
      }
      if (resource === 'rolebindings' || resource === 'clusterrolebindings') {
        const b = a.object as RoleBinding | ClusterRoleBinding | undefined;
        if (!b?.roleRef) return;
        if (a.operation === 'UPDATE' && JSON.stringify((a.oldObject as RoleBinding | undefined)?.roleRef) === JSON.stringify(b.roleRef) &&
          JSON.stringify((a.oldObject as RoleBinding | undefined)?.subjects ?? []) === JSON.stringify(b.subjects ?? []))
          return;
        const roleResource = b.roleRef.kind === 'Role' ? 'roles' : 'clusterroles';
        if (await allowedVerb(authz, a.user, 'bind', roleResource, a.namespace, b.roleRef.name)) return;
        const { rules, err: lookup } = resolver.roleRefRules(b.roleRef, a.namespace);
        if (lookup) throw forbid(lookup);
        const err = confirmNoEscalation(resolver, a.user, a.namespace, rules);
        if (err) throw forbid(err);
      }
    },
  };
}
