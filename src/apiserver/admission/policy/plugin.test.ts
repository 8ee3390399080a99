import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { KubeObject } from '../../../api/object.ts';
import { isStatusError } from '../../../machinery/status.ts';
import { FixedLister, podAttrs } from '../webhook/testing.ts';
import type { AuthorizeFn } from './cel-lib/authz.ts';
import { validatingAdmissionPolicyFrom } from './plugin.ts';

const rules = [{ operations: ['CREATE'], apiGroups: [''], apiVersions: ['v1'], resources: ['pods'] }];
const g = 'admissionregistration.k8s.io';

function plugin(spec: Record<string, unknown>, binding: Record<string, unknown>, extra: Record<string, KubeObject[]> = {}, authorize?: AuthorizeFn) {
  const fixed = new FixedLister({
      [`validatingadmissionpolicies.${g}`]: [{ metadata: { name: 'p' }, spec: { matchConstraints: { resourceRules: rules }, failurePolicy: 'Fail', ...spec } } as unknown as KubeObject],
      [`validatingadmissionpolicybindings.${g}`]: [{ metadata: { name: 'b' }, spec: { policyName: 'p', validationActions: ['Deny'], ...binding } } as unknown as KubeObject],
      namespaces: [{ metadata: { name: 'ns', labels: { team: 'a' } } } as KubeObject],
      ...extra,
  });
  return validatingAdmissionPolicyFrom(fixed, fixed, authorize);
}

describe('ValidatingAdmissionPolicy plugin', () => {
  it('Deny: 422 Invalid by default with the upstream message; a reason picks the code', async () => {
    const p = plugin({ validations: [{ expression: 'object.metadata.name != "p"' }] }, {});
    await assert.rejects(p.validate!(podAttrs()), (e) =>
      isStatusError(e) && e.code === 422 && e.reason === 'Invalid' &&
      e.message === `pods "p" is forbidden: ValidatingAdmissionPolicy 'p' with binding 'b' denied request: failed expression: object.metadata.name != "p"`);
    const f = plugin({ validations: [{ expression: 'false', message: 'no', reason: 'Forbidden' }] }, {});
    await assert.rejects(f.validate!(podAttrs()), (e) => isStatusError(e) && e.code === 403 && e.message.endsWith('denied request: no'));
  });

  it('variables, request, namespaceObject and messageExpression', async () => {
    const p = plugin({
      variables: [{ name: 'team', expression: 'namespaceObject.metadata.labels.team' }],
      validations: [{ expression: 'variables.team == "b" || request.userInfo.username == "bob"', messageExpression: '"team " + variables.team + " may not, " + request.userInfo.username' }],
    }, {});
    await assert.rejects(p.validate!(podAttrs()), /denied request: team a may not, alice/);
  });

  it('Warn and Audit admit; Warn adds the upstream warning', async () => {
    const a = podAttrs();
    await plugin({ validations: [{ expression: 'false', message: 'careful' }] }, { validationActions: ['Warn', 'Audit'] }).validate!(a);
    assert.deepEqual(a.warnings, ["Validation failed for ValidatingAdmissionPolicy 'p' with binding 'b': careful"]);
  });

  it('failurePolicy Ignore admits on an evaluation error; Fail denies', async () => {
    const spec = { validations: [{ expression: 'object.spec.nope == 1' }] };
    await plugin({ ...spec, failurePolicy: 'Ignore' }, {}).validate!(podAttrs());
    await assert.rejects(plugin(spec, {}).validate!(podAttrs()), /resulted in error/);
  });

  it('binding matchResources narrows the policy', async () => {
    const p = plugin({ validations: [{ expression: 'false' }] }, { matchResources: { namespaceSelector: { matchLabels: { team: 'z' } } } });
    await p.validate!(podAttrs());
  });

  it('params by selector are ANDed; none found follows parameterNotFoundAction', async () => {
    const spec = { paramKind: { apiVersion: 'v1', kind: 'ConfigMap' }, validations: [{ expression: 'object.metadata.name != params.data.banned' }] };
    const cms = (...banned: string[]) => ({ configmaps: banned.map((b, i) => ({ metadata: { name: `c${i}`, namespace: 'ns', labels: { kind: 'ban' } }, data: { banned: b } }) as unknown as KubeObject) });
    const ref = (action: string) => ({ paramRef: { selector: { matchLabels: { kind: 'ban' } }, parameterNotFoundAction: action } });
    await plugin(spec, ref('Deny'), cms('x', 'y')).validate!(podAttrs());
    await assert.rejects(plugin(spec, ref('Deny'), cms('x', 'p')).validate!(podAttrs()), /denied request: failed expression/);
    await plugin(spec, ref('Allow'), cms()).validate!(podAttrs());
    await assert.rejects(plugin(spec, ref('Deny'), cms()).validate!(podAttrs()), /no params found/);
  });

  it('Audit writes the upstream validation_failure annotation; a denial still records it', async () => {
    const spec = { validations: [{ expression: 'true' }, { expression: 'false', message: 'careful' }] };
    const a = podAttrs({ auditAnnotations: {} });
    await plugin(spec, { validationActions: ['Audit'] }).validate!(a);
    assert.deepEqual(JSON.parse(a.auditAnnotations!['validation.policy.admission.k8s.io/validation_failure']!), [
      { message: 'careful', policy: 'p', binding: 'b', expressionIndex: 1, validationActions: ['Audit'] },
    ]);
    const d = podAttrs({ auditAnnotations: {} });
    await assert.rejects(plugin(spec, { validationActions: ['Deny', 'Audit'] }).validate!(d), /denied request: careful/);
    assert.match(d.auditAnnotations!['validation.policy.admission.k8s.io/validation_failure']!, /"validationActions":\["Deny","Audit"\]/);
    const none = podAttrs({ auditAnnotations: {} });
    await plugin({ validations: [{ expression: 'true' }] }, { validationActions: ['Audit'] }).validate!(none);
    assert.deepEqual(none.auditAnnotations, {});
  });

  it('auditAnnotations publish <policy>/<key>; null skips; distinct param values are joined', async () => {
    const a = podAttrs({ auditAnnotations: {} });
    await plugin({
      validations: [{ expression: 'true' }],
      auditAnnotations: [{ key: 'who', valueExpression: '"by " + request.userInfo.username' }, { key: 'skip', valueExpression: 'null' }],
    }, {}).validate!(a);
    assert.deepEqual(a.auditAnnotations, { 'p/who': 'by alice' });

    const spec = { paramKind: { apiVersion: 'v1', kind: 'ConfigMap' }, validations: [{ expression: 'true' }], auditAnnotations: [{ key: 'limit', valueExpression: 'params.data.limit' }] };
    const cms = ['1', '2', '1'].map((l, i) => ({ metadata: { name: `c${i}`, namespace: 'ns', labels: { k: 'v' } }, data: { limit: l } }) as unknown as KubeObject);
    const b = podAttrs({ auditAnnotations: {} });
    await plugin(spec, { paramRef: { selector: { matchLabels: { k: 'v' } } } }, { configmaps: cms }).validate!(b);
    assert.deepEqual(b.auditAnnotations, { 'p/limit': '1, 2' });
  });

  it('an auditAnnotation that fails to evaluate denies under Fail and is skipped under Ignore', async () => {
    const spec = { validations: [{ expression: 'true' }], auditAnnotations: [{ key: 'n', valueExpression: 'object.spec.nope' }] };
    await assert.rejects(plugin(spec, {}).validate!(podAttrs({ auditAnnotations: {} })), /denied request: valueExpression 'object.spec.nope' resulted in error/);
    const a = podAttrs({ auditAnnotations: {} });
    await plugin({ ...spec, failurePolicy: 'Ignore' }, {}).validate!(a);
    assert.deepEqual(a.auditAnnotations, {});
  });

  it('never applies to admissionregistration objects', async () => {
    const p = plugin({ matchConstraints: { resourceRules: [{ operations: ['*'], apiGroups: ['*'], apiVersions: ['*'], resources: ['*'] }] }, validations: [{ expression: 'false' }] }, {});
    const a = podAttrs();
    a.resource = { ...a.resource, group: g, resource: 'validatingadmissionpolicies', namespaced: false };
    await p.validate!(a);
  });

  it('Kubernetes CEL libraries: a bad quantity is an evaluation error that failurePolicy decides', async () => {
    const spec = { validations: [{ expression: "quantity('x').isInteger()" }] };
    await assert.rejects(plugin(spec, {}).validate!(podAttrs()), /denied request: expression 'quantity\('x'\)\.isInteger\(\)' resulted in error: quantities must match the regular expression/);
    await plugin({ ...spec, failurePolicy: 'Ignore' }, {}).validate!(podAttrs());
    await plugin({ validations: [{ expression: "quantity('1Gi').isGreaterThan(quantity('500Mi')) && string(ip('1.2.3.4')) == '1.2.3.4'" }] }, {}).validate!(podAttrs());
  });

  it('authorizer asks the given authorize function for the requesting user; absent, it is an error', async () => {
    const seen: string[] = [];
    const authorize: AuthorizeFn = async (a) => {
      seen.push(`${a.user.username} ${a.verb} ${a.resource}/${a.subresource} ${a.namespace}/${a.name}`);
      return { allowed: a.verb === 'create' };
    };
    const spec = { validations: [{ expression: "authorizer.requestResource.check('create').allowed() && authorizer.group('').resource('pods').check(variables.verb).allowed()", message: 'not allowed' }], variables: [{ name: 'verb', expression: 'object.metadata.name == "p" ? "delete" : "create"' }] };
    await assert.rejects(plugin(spec, {}, {}, authorize).validate!(podAttrs()), /denied request: not allowed/);
    assert.deepEqual(seen, ['alice create pods/ ns/p', 'alice delete pods/ /']);
    await plugin(spec, {}, {}, authorize).validate!(podAttrs({ object: { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'q' } } as KubeObject }));
    await assert.rejects(plugin(spec, {}).validate!(podAttrs()), /resulted in error/);
  });
});
