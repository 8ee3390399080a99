/**
 * @module admissionregistration.k8s.io/v1 ValidatingAdmissionPolicies and their Bindings:
 * upstream defaults (failurePolicy Fail, matchPolicy Equivalent, empty selectors, rule
 * scope `*`) and the main validation (validations required, validationActions Deny / Warn /
 * Audit without duplicates, paramRef name xor selector).
 */
import type { ValidatingAdmissionPolicy, ValidatingAdmissionPolicyBinding } from 'kubernetes-types/admissionregistration/v1.js';
import { duplicate, forbidden, invalid, required, type FieldError } from '../../../api/field-error.ts';
import type { KubeObject, Mutable } from '../../../api/object.ts';
import { builtinResources, findResource } from '../../../machinery/resources.ts';
import { ageColumn, ageOf, column, nameColumn } from '../printing.ts';
import type { Strategy } from '../strategy.ts';
import { defaultRule, defaultSelector, validateEnum, validateRule, type RuleLike } from './rules.ts';

type Policy = Mutable<ValidatingAdmissionPolicy & KubeObject>;
type Binding = Mutable<ValidatingAdmissionPolicyBinding & KubeObject>;
interface MatchLike { matchPolicy?: string; namespaceSelector?: object; objectSelector?: object; resourceRules?: RuleLike[]; excludeResourceRules?: RuleLike[] }

function defaultMatch(m: MatchLike | undefined): void {
  if (!m) return;
  m.matchPolicy ??= 'Equivalent';
  defaultSelector(m);
  for (const r of [...(m.resourceRules ?? []), ...(m.excludeResourceRules ?? [])]) defaultRule(r);
}

function validateMatch(m: MatchLike | undefined, path: string, requireRules: boolean): FieldError[] {
  if (!m) return requireRules ? [required(path)] : [];
  const out: FieldError[] = [];
  if (requireRules && !m.resourceRules?.length) out.push(required(`${path}.resourceRules`));
  m.resourceRules?.forEach((r, i) => out.push(...validateRule(r, `${path}.resourceRules[${i}]`)));
  m.excludeResourceRules?.forEach((r, i) => out.push(...validateRule(r, `${path}.excludeResourceRules[${i}]`)));
  out.push(...validateEnum(m.matchPolicy, `${path}.matchPolicy`, ['Equivalent', 'Exact']));
  return out;
}

export const validatingAdmissionPolicyStrategy: Strategy<Policy> = {
  info: findResource(builtinResources, 'admissionregistration.k8s.io', 'v1', 'validatingadmissionpolicies')!,
  defaults(p) {
    const spec = (p.spec ??= {}) as Mutable<NonNullable<Policy['spec']>>;
    spec.failurePolicy ??= 'Fail';
    defaultMatch(spec.matchConstraints as MatchLike | undefined);
  },
  validate(p) {
    const out: FieldError[] = [];
    const spec = p.spec ?? {};
    out.push(...validateMatch(spec.matchConstraints as MatchLike | undefined, 'spec.matchConstraints', true));
    out.push(...validateEnum(spec.failurePolicy, 'spec.failurePolicy', ['Fail', 'Ignore']));
    if (!spec.validations?.length && !spec.auditAnnotations?.length)
      out.push(required('spec.validations', 'validations or auditAnnotations must contain at least one item'));
    spec.validations?.forEach((v, i) => {
      if (!v.expression) out.push(required(`spec.validations[${i}].expression`));
    });
    spec.variables?.forEach((v, i) => {
      if (!v.name) out.push(required(`spec.variables[${i}].name`));
      if (!v.expression) out.push(required(`spec.variables[${i}].expression`));
    });
    if (spec.paramKind) {
      if (!spec.paramKind.apiVersion) out.push(required('spec.paramKind.apiVersion'));
      if (!spec.paramKind.kind) out.push(required('spec.paramKind.kind'));
    }
    return out;
  },
  table: {
    columns: [
      nameColumn,
      column('Validations', 'integer', 'Validations indicates the number of validation expressions.'),
      column('ParamKind', 'string', 'ParamKind specifies the kind of resources used to parameterize this policy'),
      ageColumn,
    ],
    cells: (p, now) => [
      p.metadata?.name ?? '',
      p.spec?.validations?.length ?? 0,
      p.spec?.paramKind ? `${p.spec.paramKind.apiVersion}/${p.spec.paramKind.kind}` : '<unset>',
      ageOf(p, now),
    ],
  },
};

const actions = ['Deny', 'Warn', 'Audit'];

export const validatingAdmissionPolicyBindingStrategy: Strategy<Binding> = {
  info: findResource(builtinResources, 'admissionregistration.k8s.io', 'v1', 'validatingadmissionpolicybindings')!,
  defaults(b) {
    defaultMatch(b.spec?.matchResources as MatchLike | undefined);
  },
  validate(b) {
    const out: FieldError[] = [];
    const spec = b.spec ?? {};
    if (!spec.policyName) out.push(required('spec.policyName'));
    out.push(...validateMatch(spec.matchResources as MatchLike | undefined, 'spec.matchResources', false));
    if (!spec.validationActions?.length) out.push(required('spec.validationActions'));
    const seen = new Set<string>();
    spec.validationActions?.forEach((a, i) => {
      if (seen.has(a)) out.push(duplicate(`spec.validationActions[${i}]`, a));
      seen.add(a);
      out.push(...validateEnum(a, `spec.validationActions[${i}]`, actions));
    });
    if (seen.has('Deny') && seen.has('Warn'))
      out.push(invalid('spec.validationActions', spec.validationActions, 'must not contain both Deny and Warn (repeating the same validation failure information in the API response and headers serves no purpose)'));
    const ref = spec.paramRef;
    if (ref) {
      if (ref.name && ref.selector) out.push(forbidden('spec.paramRef.name', 'name and selector are mutually exclusive'));
      if (!ref.name && !ref.selector) out.push(required('spec.paramRef', 'one of name or selector must be specified'));
      if (!ref.parameterNotFoundAction) out.push(required('spec.paramRef.parameterNotFoundAction'));
      else out.push(...validateEnum(ref.parameterNotFoundAction, 'spec.paramRef.parameterNotFoundAction', ['Allow', 'Deny']));
    }
    return out;
  },
  table: {
    columns: [
      nameColumn,
      column('PolicyName', 'string', 'PolicyName references a ValidatingAdmissionPolicy name which the ValidatingAdmissionPolicyBinding binds to.'),
      column('ParamRef', 'string', 'paramRef specifies the parameter resource used to configure the admission control policy.'),
      ageColumn,
    ],
    cells: (b, now) => [b.metadata?.name ?? '', b.spec?.policyName ?? '', b.spec?.paramRef?.name ? `*/${b.spec.paramRef.name}` : '<unset>', ageOf(b, now)],
  },
};
