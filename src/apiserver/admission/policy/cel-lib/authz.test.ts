import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { AuthorizationAttributes } from '../../../auth/authorizer.ts';
import { evalAnyAsync, evalBoolAsync } from '../cel.ts';
import { CelAuthorizer, type AuthorizeFn } from './authz.ts';

const alice = { username: 'alice', groups: ['system:authenticated'] };

/** Allows alice to create pods in "default" and GET /healthz; fails for the "boom" resource. */
function fake(): { seen: AuthorizationAttributes[]; authorize: AuthorizeFn } {
  const seen: AuthorizationAttributes[] = [];
  const authorize: AuthorizeFn = async (a) => {
    seen.push(a);
    if (a.resource === 'boom') throw new Error('webhook unavailable');
    if (a.user.username === 'system:serviceaccount:kube-system:deployer' && a.resource === 'deployments') return { allowed: true };
    if (!a.isResourceRequest) return a.path === '/healthz' && a.verb === 'get' ? { allowed: true, reason: 'open path' } : { allowed: false };
    const ok = a.user.username === 'alice' && a.resource === 'pods' && !a.subresource && a.namespace === 'default' && a.verb === 'create';
    return ok ? { allowed: true, reason: 'RBAC: allowed by RoleBinding "x"' } : { allowed: false, reason: 'no rule' };
  };
  return { seen, authorize };
}

describe('CEL authz library', () => {
  it('resource checks ask the authorizer for the requesting user', async () => {
    const f = fake();
    const authorizer = new CelAuthorizer(alice, f.authorize);
    assert.equal(await evalBoolAsync("authorizer.group('').resource('pods').namespace('default').check('create').allowed()", { authorizer }), true);
    assert.deepEqual(f.seen.at(-1), {
      user: alice, verb: 'create', isResourceRequest: true, apiGroup: '', apiVersion: '*', resource: 'pods', subresource: '', namespace: 'default', name: '', path: '',
    });
    assert.equal(await evalBoolAsync("authorizer.group('').resource('pods').namespace('other').check('create').allowed()", { authorizer }), false);
    assert.equal(await evalAnyAsync("authorizer.group('').resource('pods').namespace('default').check('create').reason()", { authorizer }), 'RBAC: allowed by RoleBinding "x"');
    await evalAnyAsync("authorizer.group('apps').resource('deployments').subresource('scale').namespace('test').name('backend').check('update')", { authorizer });
    assert.deepEqual({ ...f.seen.at(-1), user: undefined }, {
      user: undefined, verb: 'update', isResourceRequest: true, apiGroup: 'apps', apiVersion: '*', resource: 'deployments', subresource: 'scale', namespace: 'test', name: 'backend', path: '',
    });
  });

  it('path checks, errored()/error(), and usage inside macros and logic', async () => {
    const f = fake();
    const authorizer = new CelAuthorizer(alice, f.authorize);
    assert.equal(await evalBoolAsync("authorizer.path('/healthz').check('get').allowed()", { authorizer }), true);
    assert.equal(f.seen.at(-1)?.isResourceRequest, false);
    assert.equal(await evalBoolAsync("authorizer.path('/metrics').check('get').allowed()", { authorizer }), false);
    const d = "authorizer.group('').resource('boom').check('get')";
    assert.equal(await evalBoolAsync(`${d}.errored() && !${d}.allowed()`, { authorizer }), true);
    assert.equal(await evalAnyAsync(`${d}.error()`, { authorizer }), 'webhook unavailable');
    assert.equal(await evalBoolAsync("!authorizer.group('').resource('pods').check('get').errored()", { authorizer }), true);
    assert.equal(await evalAnyAsync("authorizer.group('').resource('pods').check('get').error()", { authorizer }), '');
    assert.equal(await evalBoolAsync("['default', 'other'].exists(ns, authorizer.group('').resource('pods').namespace(ns).check('create').allowed())", { authorizer }), true);
    assert.equal(await evalBoolAsync("['default', 'other'].all(ns, authorizer.group('').resource('pods').namespace(ns).check('create').allowed())", { authorizer }), false);
  });

  it('requestResource is the request\'s own resource', async () => {
    const f = fake();
    const authorizer = new CelAuthorizer(alice, f.authorize, { group: '', resource: 'pods', subresource: '', namespace: 'default', name: 'web' });
    assert.equal(await evalBoolAsync("authorizer.requestResource.check('create').allowed()", { authorizer }), true);
    assert.equal(f.seen.at(-1)?.name, 'web');
    assert.equal(await evalBoolAsync("authorizer.requestResource.subresource('status').check('create').allowed()", { authorizer }), false);
    assert.equal(f.seen.at(-1)?.subresource, 'status');
  });

  it('serviceAccount() checks as the service account and validates its names', async () => {
    const f = fake();
    const authorizer = new CelAuthorizer(alice, f.authorize);
    assert.equal(await evalBoolAsync("authorizer.serviceAccount('kube-system', 'deployer').group('apps').resource('deployments').check('create').allowed()", { authorizer }), true);
    assert.deepEqual(f.seen.at(-1)?.user, { username: 'system:serviceaccount:kube-system:deployer', groups: ['system:serviceaccounts', 'system:serviceaccounts:kube-system'] });
    await assert.rejects(evalAnyAsync("authorizer.serviceAccount('not@a#valid!namespace', 'validname')", { authorizer }), /Invalid service account namespace/);
    await assert.rejects(evalAnyAsync("authorizer.serviceAccount('valid.example.com', 'invalid@*name')", { authorizer }), /Invalid service account name/);
  });

  it('empty paths and resources are errors', async () => {
    const authorizer = new CelAuthorizer(alice, fake().authorize);
    for (const e of ["authorizer.path('')", "authorizer.path('  ')"]) await assert.rejects(evalAnyAsync(e, { authorizer }), /path must not be empty/);
    for (const e of ["authorizer.group('apps').resource('')", "authorizer.group('apps').resource('  ')"]) await assert.rejects(evalAnyAsync(e, { authorizer }), /resource must not be empty/);
  });
});
