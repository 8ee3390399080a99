/**
 * @module The ValidatingAdmissionPolicy plugin: every binding whose policy matches the
 * request (matchConstraints, then the binding's matchResources) is evaluated with each of its
 * params; violations act per validationActions — Deny rejects with upstream's
 * `ValidatingAdmissionPolicy 'p' with binding 'b' denied request: …`, Warn adds a response
 * warning, Audit writes the failure into the request's audit event (./audit.ts), as do the
 * policy's auditAnnotations. Every binding is evaluated before the first denial is returned, so
 * the audit event is complete. Policies and bindings come from memory (AdmissionConfigs, fed
 * by a watch); only a matching binding reads namespaces or params from storage. The server's
 * authorize function, when given, backs the expressions' `authorizer` variable.
 */
import type { MatchResources, ValidatingAdmissionPolicy, ValidatingAdmissionPolicyBinding } from 'kubernetes-types/admissionregistration/v1.js';
import type { KubeObject } from '../../../api/object.ts';
import { StatusError, type StatusReason } from '../../../machinery/status.ts';
import type { AdmissionConfigs } from '../config-cache.ts';
import type { AdmissionAttributes, AdmissionPlugin } from '../interface.ts';
import { isExemptResource, namespaceSelectorMatches, objectSelectorMatches, ruleMatches } from '../webhook/rules.ts';
import { ConfigReader, type ConfigLister, type StoreSource } from '../webhook/source.ts';
import { AuditAnnotationCollector, publishValidationFailure } from './audit.ts';
import type { AuthorizeFn } from './cel-lib/authz.ts';
import { evaluatePolicy, type PolicyResult } from './evaluate.ts';
import { resolveParams } from './params.ts';

type Policy = ValidatingAdmissionPolicy & KubeObject;
type Binding = ValidatingAdmissionPolicyBinding & KubeObject;
interface Pair { policy: Policy; binding: Binding }

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

/** The bindings (by name) that name an existing policy, re-paired only when either list changed. */
function pairing(configs: AdmissionConfigs): () => Promise<readonly Pair[]> {
  let fromB: readonly Binding[] | undefined;
  let fromP: readonly Policy[] | undefined;
  let pairs: readonly Pair[] = [];
  return async () => {
    if (!configs.synced) await configs.ready;
    const bindings = configs.current<Binding>('validatingadmissionpolicybindings');
    if (!bindings.length) return [];
    const policies = configs.current<Policy>('validatingadmissionpolicies');
    if (bindings !== fromB || policies !== fromP) {
      fromB = bindings;
      fromP = policies;
      const byName = new Map(policies.map((p) => [p.metadata?.name ?? '', p]));
      pairs = bindings.flatMap((binding) => {
        const policy = byName.get(binding.spec?.policyName ?? '');
        return policy ? [{ policy, binding }] : [];
      });
    }
    return pairs;
  };
}

/** Evaluations of one binding: one per param, or a configuration error message. */
async function evaluateBinding(p: Policy, b: Binding, a: AdmissionAttributes, reader: ConfigLister, nsObj: KubeObject | undefined, authorize?: AuthorizeFn): Promise<PolicyResult[] | string> {
  const kind = p.spec?.paramKind;
  if (!kind) return [await evaluatePolicy(p, a, null, nsObj, authorize)];
  const ref = b.spec?.paramRef;
  const params = ref ? await resolveParams(kind, ref, a, reader) : undefined;
  if (!params) return `failed to configure binding: paramKind ${kind.apiVersion}/${kind.kind} or paramRef not found`;
  if (params.length === 0)
    return ref?.parameterNotFoundAction === 'Allow' ? [] : 'failed to configure binding: no params found for policy binding with `Deny` parameterNotFoundAction';
  const out: PolicyResult[] = [];
  for (const param of params) out.push(await evaluatePolicy(p, a, param, nsObj, authorize));
  return out;
}

export function validatingAdmissionPolicy(server: StoreSource, configs: AdmissionConfigs, authorize?: AuthorizeFn): AdmissionPlugin {
  return validatingAdmissionPolicyFrom(configs, new ConfigReader(server), authorize);
}

/** `reader` serves what a matching binding needs: namespaces and params. */
export function validatingAdmissionPolicyFrom(configs: AdmissionConfigs, reader: ConfigLister, authorize?: AuthorizeFn): AdmissionPlugin {
  const current = pairing(configs);
  return {
    name: 'ValidatingAdmissionPolicy',
    async validate(a) {
      if (isExemptResource(a)) return;
      const pairs = await current();
      if (!pairs.length) return;
      let nsObj: Promise<KubeObject | undefined> | undefined;
      let denied: StatusError | undefined;
      const collectors = new Map<string, AuditAnnotationCollector>();
      for (const { policy: p, binding: b } of pairs) {
        if (!(await matches(p.spec?.matchConstraints, a, reader, true))) continue;
        if (!(await matches(b.spec?.matchResources, a, reader, false))) continue;
        const pName = p.metadata?.name ?? '';
        const bName = b.metadata?.name ?? '';
        const ignore = p.spec?.failurePolicy === 'Ignore';
        const deny = (reason: string, message: string) => (denied ??= denial(a, reason, `ValidatingAdmissionPolicy '${pName}' with binding '${bName}' denied request: ${message}`));
        if (a.namespace && a.resource.namespaced) nsObj ??= reader.namespace(a.namespace);
        const results = await evaluateBinding(p, b, a, reader, await nsObj, authorize);
        if (typeof results === 'string') {
          // A configuration error denies whatever the validationActions, unless failurePolicy is Ignore.
          if (!ignore) deny('', results);
          continue;
        }
        const actions = b.spec?.validationActions ?? [];
        for (const r of results) {
          for (const v of r.violations) {
            if (ignore && v.error) continue;
            if (actions.includes('Deny')) deny(v.reason, v.message);
            if (actions.includes('Audit')) publishValidationFailure(a, b, v);
            if (actions.includes('Warn')) (a.warnings ??= []).push(`Validation failed for ValidatingAdmissionPolicy '${pName}' with binding '${bName}': ${v.message}`);
          }
          for (const aa of r.annotations) {
            if (aa.error !== undefined) {
              if (!ignore) deny('', aa.error);
            } else if (aa.value !== undefined) {
              let c = collectors.get(pName);
              if (!c) collectors.set(pName, (c = new AuditAnnotationCollector()));
              c.add(aa.key, aa.value);
            }
          }
        }
      }
      for (const [name, c] of collectors) c.publish(name, a);
      if (denied) throw denied;
    },
  };
}
