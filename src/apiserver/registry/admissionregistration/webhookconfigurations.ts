/**
 * @module admissionregistration.k8s.io/v1 Mutating- and ValidatingWebhookConfigurations:
 * upstream defaults (failurePolicy Fail, matchPolicy Equivalent, empty selectors,
 * timeoutSeconds 10, reinvocationPolicy Never, service port 443, rule scope `*`) and the main
 * validation; NAME · WEBHOOKS · AGE.
 */
import type { MutatingWebhook, MutatingWebhookConfiguration, ValidatingWebhook, ValidatingWebhookConfiguration } from 'kubernetes-types/admissionregistration/v1.js';
import { duplicate, invalid, required, type FieldError } from '../../../api/field-error.ts';
import type { KubeObject, Mutable } from '../../../api/object.ts';
import { builtinResources, findResource } from '../../../machinery/resources.ts';
import { ageColumn, ageOf, column, nameColumn } from '../printing.ts';
import type { Strategy } from '../strategy.ts';
import { defaultRule, defaultSelector, validateEnum, validateRule } from './rules.ts';

type Hook = MutatingWebhook | ValidatingWebhook;
type Config = Mutable<(MutatingWebhookConfiguration | ValidatingWebhookConfiguration) & KubeObject> & { webhooks?: Hook[] };

function defaultHook(h: Mutable<Hook>, mutating: boolean): void {
  h.failurePolicy ??= 'Fail';
  h.matchPolicy ??= 'Equivalent';
  h.timeoutSeconds ??= 10;
  defaultSelector(h);
  if (mutating) (h as Mutable<MutatingWebhook>).reinvocationPolicy ??= 'Never';
  if (h.clientConfig?.service) h.clientConfig.service.port ??= 443;
  for (const r of h.rules ?? []) defaultRule(r);
}

function validateHook(h: Hook, path: string, mutating: boolean): FieldError[] {
  const out: FieldError[] = [];
  if (!h.name) out.push(required(`${path}.name`));
  else if (!/^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)+$/.test(h.name))
    out.push(invalid(`${path}.name`, h.name, 'should be a domain with at least three segments separated by dots'));
  h.rules?.forEach((r, i) => out.push(...validateRule(r, `${path}.rules[${i}]`)));
  out.push(...validateEnum(h.failurePolicy, `${path}.failurePolicy`, ['Fail', 'Ignore']));
  out.push(...validateEnum(h.matchPolicy, `${path}.matchPolicy`, ['Equivalent', 'Exact']));
  if (!h.sideEffects) out.push({ type: 'FieldValueNotSupported', field: `${path}.sideEffects`, value: '', detail: 'supported values: "None", "NoneOnDryRun"' });
  else out.push(...validateEnum(h.sideEffects, `${path}.sideEffects`, ['None', 'NoneOnDryRun']));
  if (mutating) out.push(...validateEnum((h as MutatingWebhook).reinvocationPolicy, `${path}.reinvocationPolicy`, ['Never', 'IfNeeded']));
  if (h.timeoutSeconds !== undefined && (h.timeoutSeconds < 1 || h.timeoutSeconds > 30))
    out.push(invalid(`${path}.timeoutSeconds`, h.timeoutSeconds, 'the timeout value must be between 1 and 30 seconds'));
  if (!h.admissionReviewVersions?.length) out.push(required(`${path}.admissionReviewVersions`, 'must specify one of v1, v1beta1'));
  else if (!h.admissionReviewVersions.some((v) => v === 'v1' || v === 'v1beta1'))
    out.push(invalid(`${path}.admissionReviewVersions`, h.admissionReviewVersions, 'must include at least one of v1, v1beta1'));
  const cc = h.clientConfig;
  if (!cc || (!cc.url && !cc.service)) out.push(required(`${path}.clientConfig`, 'exactly one of url or service is required'));
  else if (cc.url && cc.service) out.push(required(`${path}.clientConfig`, 'exactly one of url or service is required'));
  else if (cc.url) {
    let u: URL | undefined;
    try { u = new URL(cc.url); } catch { out.push(invalid(`${path}.clientConfig.url`, cc.url, 'host must be specified')); }
    if (u && u.protocol !== 'https:') out.push(invalid(`${path}.clientConfig.url`, u.protocol.replace(':', ''), "'https' is the only allowed URL scheme"));
  } else if (cc.service) {
    if (!cc.service.name) out.push(required(`${path}.clientConfig.service.name`, 'service name is required'));
    if (!cc.service.namespace) out.push(required(`${path}.clientConfig.service.namespace`, 'service namespace is required'));
  }
  const names = new Set<string>();
  h.matchConditions?.forEach((m, i) => {
    if (names.has(m.name)) out.push(duplicate(`${path}.matchConditions[${i}].name`, m.name));
    names.add(m.name);
    if (!m.expression) out.push(required(`${path}.matchConditions[${i}].expression`));
  });
  return out;
}

function strategy(resource: string, mutating: boolean): Strategy<Config> {
  return {
    info: findResource(builtinResources, 'admissionregistration.k8s.io', 'v1', resource)!,
    defaults(c) {
      for (const h of c.webhooks ?? []) defaultHook(h as Mutable<Hook>, mutating);
    },
    validate(c) {
      const out: FieldError[] = [];
      const seen = new Set<string>();
      (c.webhooks ?? []).forEach((h, i) => {
        if (h.name && seen.has(h.name)) out.push(duplicate(`webhooks[${i}].name`, h.name));
        seen.add(h.name);
        out.push(...validateHook(h, `webhooks[${i}]`, mutating));
      });
      return out;
    },
    table: {
      columns: [nameColumn, column('Webhooks', 'integer', 'Webhooks indicates the number of webhooks registered in this configuration.'), ageColumn],
      cells: (c, now) => [c.metadata?.name ?? '', c.webhooks?.length ?? 0, ageOf(c, now)],
    },
  };
}

export const mutatingWebhookConfigurationStrategy = strategy('mutatingwebhookconfigurations', true);
export const validatingWebhookConfigurationStrategy = strategy('validatingwebhookconfigurations', false);
