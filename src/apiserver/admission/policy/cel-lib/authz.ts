/**
 * @module The Kubernetes CEL authz library (upstream apiserver/pkg/cel/library/authz.go): the
 * `authorizer` variable of admission expressions. `authorizer.group(g).resource(r)…check(verb)`
 * and `authorizer.path(p).check(verb)` ask the API server's real authorizer (passed in as a
 * function, so admission knows nothing of RBAC) on behalf of the requesting user, or of a
 * service account after `authorizer.serviceAccount(ns, name)`. `check` is asynchronous;
 * cel-js then makes the whole evaluation a Promise, which the policy evaluator awaits.
 */
import type { Environment } from '@marcbachmann/cel-js';
import { dns1123LabelErrors, dns1123SubdomainErrors, pathSegmentErrors } from '../../../../api/validation/names.ts';
import type { AuthorizationAttributes, Decision } from '../../../auth/authorizer.ts';
import type { UserInfo } from '../../../types.ts';

export type AuthorizeFn = (attrs: AuthorizationAttributes) => Promise<Decision>;

const P = 'kubernetes.authorization.';
const [A, PC, GC, RC, D] = ['Authorizer', 'PathCheck', 'GroupCheck', 'ResourceCheck', 'Decision'].map((n) => P + n);

/** The result of a check: allowed only on an explicit allow (no opinion is not allowed). */
export class AuthzDecision {
  // Private, so CEL sees no fields: only the allowed()/reason()/errored()/error() functions.
  readonly #allowed: boolean;
  readonly #reason: string;
  readonly #error: string;
  constructor(allowed: boolean, reason: string, error: string) {
    [this.#allowed, this.#reason, this.#error] = [allowed, reason, error];
  }
  get allowed(): boolean {
    return this.#allowed;
  }
  get reason(): string {
    return this.#reason;
  }
  get error(): string {
    return this.#error;
  }
}

interface Principal {
  user: UserInfo;
  authorize: AuthorizeFn;
}

async function decide(p: Principal, attrs: Omit<AuthorizationAttributes, 'user'>): Promise<AuthzDecision> {
  try {
    const d = await p.authorize({ ...attrs, user: p.user });
    return new AuthzDecision(d.allowed, d.reason ?? '', '');
  } catch (e) {
    return new AuthzDecision(false, '', (e as Error).message);
  }
}

export class PathCheck {
  readonly #p: Principal;
  readonly #path: string;
  constructor(p: Principal, path: string) {
    this.#p = p;
    this.#path = path;
  }
  check(verb: string): Promise<AuthzDecision> {
    const empty = { namespace: '', apiGroup: '', apiVersion: '', resource: '', subresource: '', name: '' };
    return decide(this.#p, { ...empty, verb, isResourceRequest: false, path: this.#path });
  }
}

interface ResourceFields {
  group: string;
  resource: string;
  subresource: string;
  namespace: string;
  name: string;
  fieldSelector: string;
  labelSelector: string;
}

/** Immutable: every setter returns a copy, as upstream's value receivers do. */
export class ResourceCheck {
  readonly #p: Principal;
  readonly #f: ResourceFields;
  constructor(p: Principal, f: ResourceFields) {
    this.#p = p;
    this.#f = f;
  }
  with(change: Partial<ResourceFields>): ResourceCheck {
    return new ResourceCheck(this.#p, { ...this.#f, ...change });
  }
  /** Skiff's authorizers (like upstream RBAC) do not use selectors, so they are not passed on. */
  check(verb: string): Promise<AuthzDecision> {
    const f = this.#f;
    return decide(this.#p, {
      verb, isResourceRequest: true, apiGroup: f.group, apiVersion: '*', resource: f.resource,
      subresource: f.subresource, namespace: f.namespace, name: f.name, path: '',
    });
  }
}

export class GroupCheck {
  readonly #p: Principal;
  readonly #group: string;
  constructor(p: Principal, group: string) {
    this.#p = p;
    this.#group = group;
  }
  resource(resource: string): ResourceCheck {
    if (!resource.trim()) throw new Error('resource must not be empty');
    return new ResourceCheck(this.#p, { group: this.#group, resource, subresource: '', namespace: '', name: '', fieldSelector: '', labelSelector: '' });
  }
}

/** What the request being admitted addresses; becomes `authorizer.requestResource`. */
export interface RequestResource {
  group: string;
  resource: string;
  subresource: string;
  namespace: string;
  name: string;
}

export class CelAuthorizer {
  readonly #p: Principal;
  /** The only field CEL sees (`authorizer.requestResource`); absent on serviceAccount(). */
  readonly requestResource?: ResourceCheck;
  constructor(user: UserInfo, authorize: AuthorizeFn, request?: RequestResource) {
    this.#p = { user, authorize };
    if (request) this.requestResource = new ResourceCheck(this.#p, { ...request, fieldSelector: '', labelSelector: '' });
  }
  path(path: string): PathCheck {
    if (!path.trim()) throw new Error('path must not be empty');
    return new PathCheck(this.#p, path);
  }
  group(group: string): GroupCheck {
    return new GroupCheck(this.#p, group);
  }
  serviceAccount(namespace: string, name: string): CelAuthorizer {
    if (dns1123SubdomainErrors(name).length || pathSegmentErrors(name).length) throw new Error('Invalid service account name');
    if (dns1123LabelErrors(namespace).length) throw new Error('Invalid service account namespace');
    const user = { username: `system:serviceaccount:${namespace}:${name}`, groups: ['system:serviceaccounts', `system:serviceaccounts:${namespace}`] };
    return new CelAuthorizer(user, this.#p.authorize);
  }
}

export function registerAuthz(env: Environment): void {
  env.registerType(A, CelAuthorizer);
  env.registerType(PC, PathCheck);
  env.registerType(GC, GroupCheck);
  env.registerType(RC, ResourceCheck);
  env.registerType(D, AuthzDecision);
  env.registerFunction(`${A}.path(string): ${PC}`, (a: CelAuthorizer, p: string) => a.path(p));
  env.registerFunction(`${A}.group(string): ${GC}`, (a: CelAuthorizer, g: string) => a.group(g));
  env.registerFunction(`${A}.serviceAccount(string, string): ${A}`, (a: CelAuthorizer, ns: string, n: string) => a.serviceAccount(ns, n));
  env.registerFunction(`${GC}.resource(string): ${RC}`, (g: GroupCheck, r: string) => g.resource(r));
  for (const f of ['subresource', 'namespace', 'name', 'fieldSelector', 'labelSelector'] as const)
    env.registerFunction(`${RC}.${f}(string): ${RC}`, (r: ResourceCheck, v: string) => r.with({ [f]: v }));
  env.registerFunction(`${PC}.check(string): ${D}`, (c: PathCheck, verb: string) => c.check(verb), { async: true });
  env.registerFunction(`${RC}.check(string): ${D}`, (c: ResourceCheck, verb: string) => c.check(verb), { async: true });
  env.registerFunction(`${D}.allowed(): bool`, (d: AuthzDecision) => d.allowed);
  env.registerFunction(`${D}.reason(): string`, (d: AuthzDecision) => d.reason);
  env.registerFunction(`${D}.errored(): bool`, (d: AuthzDecision) => d.error !== '');
  env.registerFunction(`${D}.error(): string`, (d: AuthzDecision) => d.error);
}
