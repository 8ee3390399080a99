import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { fieldErrorMessage } from '../../../api/field-error.ts';
import { validatingAdmissionPolicyBindingStrategy } from './policies.ts';
import { validatingWebhookConfigurationStrategy as vwc } from './webhookconfigurations.ts';

type Obj = Parameters<typeof vwc.validate>[0];
const msgs = (errs: ReturnType<typeof vwc.validate>) => errs.map((e) => `${e.field}: ${fieldErrorMessage(e)}`);

describe('admissionregistration strategies', () => {
  it('defaults a webhook as upstream', () => {
    const c = { metadata: { name: 'c' }, webhooks: [{ name: 'a.b.c', sideEffects: 'None', admissionReviewVersions: ['v1'], clientConfig: { service: { namespace: 'n', name: 's' } }, rules: [{ operations: ['*'], apiGroups: ['*'], apiVersions: ['*'], resources: ['*'] }] }] } as unknown as Obj;
    vwc.defaults!(c);
    const h = c.webhooks![0]!;
    assert.deepEqual([h.failurePolicy, h.matchPolicy, h.timeoutSeconds, h.clientConfig.service?.port, h.rules?.[0] && (h.rules[0] as { scope?: string }).scope], ['Fail', 'Equivalent', 10, 443, '*']);
    assert.deepEqual(h.namespaceSelector, {});
    assert.deepEqual(vwc.validate(c), []);
  });
  it('rejects bad webhooks with upstream field paths', () => {
    const c = { metadata: { name: 'c' }, webhooks: [{ name: 'short', sideEffects: 'Some', admissionReviewVersions: ['v2'], clientConfig: { url: 'http://x' }, timeoutSeconds: 31, rules: [{ operations: ['GET'], apiGroups: ['*', 'apps'], apiVersions: ['v1'], resources: ['pods'] }] }] } as unknown as Obj;
    const m = msgs(vwc.validate(c)).join('\n');
    assert.match(m, /webhooks\[0\]\.name: Invalid value/);
    assert.match(m, /webhooks\[0\]\.sideEffects: Unsupported value: "Some": supported values: "None", "NoneOnDryRun"/);
    assert.match(m, /webhooks\[0\]\.timeoutSeconds: Invalid value: 31/);
    assert.match(m, /webhooks\[0\]\.clientConfig\.url: Invalid value: "http": 'https' is the only allowed URL scheme/);
    assert.match(m, /webhooks\[0\]\.rules\[0\]\.operations\[0\]: Unsupported value: "GET"/);
    assert.match(m, /webhooks\[0\]\.rules\[0\]\.apiGroups: Forbidden/);
  });
  it('binding: paramRef name xor selector, Deny and Warn exclusive', () => {
    const b = { metadata: { name: 'b' }, spec: { policyName: 'p', validationActions: ['Deny', 'Warn'], paramRef: { name: 'x', selector: {} } } } as unknown as Parameters<typeof validatingAdmissionPolicyBindingStrategy.validate>[0];
    const m = msgs(validatingAdmissionPolicyBindingStrategy.validate(b)).join('\n');
    assert.match(m, /spec\.validationActions: Invalid value/);
    assert.match(m, /spec\.paramRef\.name: Forbidden/);
    assert.match(m, /spec\.paramRef\.parameterNotFoundAction: Required value/);
  });
});
