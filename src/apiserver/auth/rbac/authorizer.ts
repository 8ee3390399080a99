/**
 * @module The RBAC authorizer (upstream plugin/pkg/auth/authorizer/rbac): a request is allowed
 * when some ClusterRoleBinding, or some RoleBinding in the request's namespace, binds a
 * subject the user matches to a role with a rule covering the request. RBAC never denies; it
 * has no opinion, so the next authorizer may still allow. Missing roles make the rule set
 * incomplete and are reported in the reason, as upstream does.
 */
import type { ClusterRoleBinding, PolicyRule, RoleBinding, RoleRef, Subject } from 'kubernetes-types/rbac/v1.js';
import type { UserInfo } from '../../types.ts';
import type { AuthorizationAttributes, Authorizer, Decision, RuleSet } from '../authorizer.ts';
import type { PolicySource } from './policy-cache.ts';
import { ruleAllows } from './rule-match.ts';

export const serviceAccountUsername = (namespace: string, name: string): string => `system:serviceaccount:${namespace}:${name}`;

/** Whether a binding's subject is this user (upstream appliesToUser). */
export function subjectMatches(user: UserInfo, s: Subject, bindingNamespace: string): boolean {
  switch (s.kind) {
    case 'User':
      return user.username === s.name;
    case 'Group':
      return user.groups.includes(s.name);
    case 'ServiceAccount': {
      // A RoleBinding may name a ServiceAccount of its own namespace without qualifying it.
      const ns = s.namespace || bindingNamespace;
      return !!ns && user.username === serviceAccountUsername(ns, s.name);
    }
  }
  return false;
}

function describeSubject(s: Subject, bindingNamespace: string): string {
  if (s.kind === 'ServiceAccount') return `ServiceAccount "${s.name}/${s.namespace || bindingNamespace}"`;
  return `${s.kind} "${s.name}"`;
}

/** Visits each rule that applies to the user; return false from `visit` to stop. */
type Visitor = (source: () => string, rule: PolicyRule | undefined, err: string | undefined) => boolean;

export class RbacRuleResolver {
  constructor(private readonly policy: PolicySource) {}

  /** Rules of a role reference, or an error text when the role is missing (upstream GetRoleReferenceRules). */
  roleRefRules(ref: RoleRef, bindingNamespace: string): { rules: PolicyRule[]; err?: string } {
    if (ref.kind === 'Role') {
      const r = this.policy.getRole(bindingNamespace, ref.name);
      return r ? { rules: r.rules ?? [] } : { rules: [], err: `role.rbac.authorization.k8s.io "${ref.name}" not found` };
    }
    if (ref.kind === 'ClusterRole') {
      const r = this.policy.getClusterRole(ref.name);
      return r ? { rules: r.rules ?? [] } : { rules: [], err: `clusterrole.rbac.authorization.k8s.io "${ref.name}" not found` };
    }
    return { rules: [], err: `unsupported role reference kind: "${ref.kind}"` };
  }

  visitRulesFor(user: UserInfo, namespace: string, visit: Visitor): void {
    const bindings: { b: ClusterRoleBinding | RoleBinding; ns: string; kind: string }[] = [
      ...this.policy.clusterRoleBindings().map((b) => ({ b, ns: '', kind: 'ClusterRoleBinding' })),
      ...(namespace ? this.policy.roleBindings(namespace).map((b) => ({ b, ns: namespace, kind: 'RoleBinding' })) : []),
    ];
    for (const { b, ns, kind } of bindings) {
      const subject = (b.subjects ?? []).find((s) => subjectMatches(user, s, ns));
      if (!subject) continue;
      const { rules, err } = this.roleRefRules(b.roleRef, ns);
      const name = kind === 'RoleBinding' ? `${b.metadata?.name}/${ns}` : b.metadata?.name;
      const source = () => `${kind} "${name}" of ${b.roleRef.kind} "${b.roleRef.name}" to ${describeSubject(subject, ns)}`;
      if (err && !visit(source, undefined, err)) return;
      for (const rule of rules) if (!visit(source, rule, undefined)) return;
    }
  }

  rulesFor(user: UserInfo, namespace: string): { rules: PolicyRule[]; errors: string[] } {
    const rules: PolicyRule[] = [];
    const errors: string[] = [];
    this.visitRulesFor(user, namespace, (_s, rule, err) => {
      if (rule) rules.push(rule);
      if (err) errors.push(err);
      return true;
    });
    return { rules, errors };
  }
}

/** `[a, b]` for several errors, as apimachinery's aggregate prints them. */
export const aggregate = (errs: string[]): string => (errs.length === 1 ? errs[0]! : `[${errs.join(', ')}]`);

/** Upstream's request info puts a namespace's own name in the namespace field. */
export function normalizeAttributes<A extends Omit<AuthorizationAttributes, 'user'>>(a: A): A {
  if (a.isResourceRequest && a.apiGroup === '' && a.resource === 'namespaces' && a.name && !a.namespace) return { ...a, namespace: a.name };
  return a;
}

export function toRuleSet(rules: PolicyRule[], incomplete: boolean): RuleSet {
  const set: RuleSet = { resourceRules: [], nonResourceRules: [], incomplete };
  for (const r of rules) {
    if ((r.nonResourceURLs ?? []).length) set.nonResourceRules.push({ verbs: r.verbs, nonResourceURLs: r.nonResourceURLs! });
    if ((r.resources ?? []).length) {
      const rr: RuleSet['resourceRules'][number] = { verbs: r.verbs, apiGroups: r.apiGroups ?? [], resources: r.resources! };
      if ((r.resourceNames ?? []).length) rr.resourceNames = r.resourceNames;
      set.resourceRules.push(rr);
    }
  }
  return set;
}

export class RbacAuthorizer implements Authorizer {
  readonly resolver: RbacRuleResolver;

  constructor(
    policy: PolicySource,
    private readonly ready: Promise<void> = Promise.resolve(),
  ) {
    this.resolver = new RbacRuleResolver(policy);
  }

  async authorize(attrs: AuthorizationAttributes): Promise<Decision> {
    await this.ready;
    const a = normalizeAttributes(attrs);
    let reason = '';
    const errors: string[] = [];
    this.resolver.visitRulesFor(a.user, a.namespace, (source, rule, err) => {
      if (rule && ruleAllows(a, rule)) {
        reason = `RBAC: allowed by ${source()}`;
        return false;
      }
      if (err) errors.push(err);
      return true;
    });
    if (reason) return { allowed: true, reason };
    return errors.length ? { allowed: false, reason: `RBAC: ${aggregate(errors)}` } : { allowed: false };
  }

  async rulesFor(user: UserInfo, namespace: string): Promise<RuleSet> {
    await this.ready;
    const { rules, errors } = this.resolver.rulesFor(user, namespace);
    const set = toRuleSet(rules, errors.length > 0);
    if (errors.length) set.evaluationError = aggregate(errors);
    return set;
  }
}
