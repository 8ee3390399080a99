/**
 * @module The ValidatingAdmissionPolicy plugin: every binding whose policy matches the
 * request (matchConstraints, then the binding's matchResources) is evaluated with each of its
 * params; violations act per validationActions — Deny rejects with upstream's
 * `ValidatingAdmissionPolicy 'p' with binding 'b' denied request: …`, Warn adds a response
 * warning, Audit is recorded only in the (not yet written) audit annotations.
 */
import type { MatchResources, ValidatingAdmissionPolicy, ValidatingAdmissionPolicyBinding } from 'kubernetes-types/admissionregistration/v1.js';
import type { KubeObject } from '../../../api/object.ts';
import { StatusError, type StatusReason } from '../../../machinery/status.ts';
import type { AdmissionAttributes, AdmissionPlugin } from '../interface.ts';
import { isExemptResource, namespaceSelectorMatches, objectSelectorMatches, ruleMatches } from '../webhook/rules.ts';
import { ConfigReader, type ConfigLister, type StoreSource } from '../webhook/source.ts';
import { evaluatePolicy, type Violation } from './evaluate.ts';
import { resolveParams } from './params.ts';

type Policy = ValidatingAdmissionPolicy & KubeObject;
type Binding = ValidatingAdmissionPolicyBinding & KubeObject;
const group = 'admissionregistration.k8s.io';

async function matches(m: MatchResources | undefined, a: AdmissionAttributes, reader: ConfigLister, requireRules: boolean): Promise<boolean> {
  if (!m) return !requireRules;
  if (m.resourceRules?.length ? !m.resourceRules.some((r) => ruleMatches(r, a)) : requireRules) return false;
  if (m.excludeResourceRules?.some((r) => ruleMatches(r, a))) return false;
  if (!objectSelectorMatches(m.objectSelector, a)) return false;
  return namespaceSelectorMatches(m.namespaceSelector, a, (n) => reader.namespace(n));
}

const codes: Record<string, number> = { Unauthorized: 401, Forbidden: 403, Invalid: 422, RequestEntityTooLarge: 413 };

/**
 * Upstream builds admission.NewForbidden (`<resource> "<name>" is forbidden: …`) and then
 * overrides reason (default Invalid) and code, appending the message as a cause.
 */
function denial(a: AdmissionAttributes, reason: string, message: string): StatusError {
  const base = StatusError.forbidden({ group: a.resource.group, resource: a.resource.resource }, a.name, message);
  const r = reason || 'Invalid';
  return new StatusError(codes[r] ?? 500, r as StatusReason, base.message, { ...base.details, causes: [{ message }] });
}

export function validatingAdmissionPolicy(server: StoreSource): AdmissionPlugin {
  return validatingAdmissionPolicyFrom(new ConfigReader(server));
}

export function validatingAdmissionPolicyFrom(reader: ConfigLister): AdmissionPlugin {
  return {
    name: 'ValidatingAdmissionPolicy',
    async validate(a) {
      if (isExemptResource(a)) return;
      const bindings = await reader.list<Binding>(group, 'v1', 'validatingadmissionpolicybindings');
      if (!bindings.length) return;
      const policies = new Map((await reader.list<Policy>(group, 'v1', 'validatingadmissionpolicies')).map((p) => [p.metadata?.name ?? '', p]));
      let nsObj: KubeObject | undefined;
      if (a.namespace && a.resource.namespaced) nsObj = await reader.namespace(a.namespace);
      for (const b of bindings.sort((x, y) => (x.metadata?.name ?? '').localeCompare(y.metadata?.name ?? ''))) {
        const p = policies.get(b.spec?.policyName ?? '');
        if (!p) continue;
        if (!(await matches(p.spec?.matchConstraints, a, reader, true))) continue;
        if (!(await matches(b.spec?.matchResources, a, reader, false))) continue;
        const pName = p.metadata?.name ?? '';
        const bName = b.metadata?.name ?? '';
        const ignore = p.spec?.failurePolicy === 'Ignore';
        let violations: Violation[] = [];
        const kind = p.spec?.paramKind;
        if (kind) {
          const ref = b.spec?.paramRef;
          const params = ref ? await resolveParams(kind, ref, a, reader) : undefined;
          if (!params) {
            violations = [{ message: `failed to configure binding: paramKind ${kind.apiVersion}/${kind.kind} or paramRef not found`, reason: '', error: true }];
          } else if (params.length === 0) {
            if (ref?.parameterNotFoundAction !== 'Allow')
              violations = [{ message: 'no params found for policy binding with `Deny` parameterNotFoundAction', reason: '', error: true }];
          } else {
            for (const param of params) violations.push(...evaluatePolicy(p, a, param, nsObj));
          }
        } else {
          violations = evaluatePolicy(p, a, null, nsObj);
        }
        if (ignore) violations = violations.filter((v) => !v.error);
        const actions = b.spec?.validationActions ?? [];
        for (const v of violations) {
          if (actions.includes('Warn')) (a.warnings ??= []).push(`Validation failed for ValidatingAdmissionPolicy '${pName}' with binding '${bName}': ${v.message}`);
          if (actions.includes('Deny'))
            throw denial(a, v.reason, `ValidatingAdmissionPolicy '${pName}' with binding '${bName}' denied request: ${v.message}`);
        }
      }
    },
  };
}
