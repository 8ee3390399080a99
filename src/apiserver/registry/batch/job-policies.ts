/**
 * @module Validation of a Job's failure and success policies and per-index backoff (upstream
 * pkg/apis/batch/validation: validatePodFailurePolicy, validateSuccessPolicy and the
 * backoffLimitPerIndex / maxFailedIndexes checks of validateJobSpec), kept apart from the rest
 * of the Job strategy so each file stays about one concern.
 */
import type { JobSpec, PodFailurePolicyRule, SuccessPolicyRule } from 'kubernetes-types/batch/v1.js';
import { duplicate, invalid, notSupported, required, tooLong, type FieldError } from '../../../api/field-error.ts';
import { qualifiedNameErrors } from '../../../api/validation/names.ts';

const maxPodFailurePolicyRules = 20;
const maxOnExitCodesValues = 255;
const maxOnPodConditionsPatterns = 20;
const maxSuccessPolicyRules = 20;
const maxSucceededIndexesLength = 64 * 1024;
const maxFailedIndexesForIndexedJob = 100_000;
const actions = ['Count', 'FailIndex', 'FailJob', 'Ignore'];
const operators = ['In', 'NotIn'];
const conditionStatuses = ['False', 'True', 'Unknown'];

const tooMany = (field: string, n: number, max: number): FieldError => ({
  type: 'FieldValueTooMany',
  field,
  value: n,
  detail: `must have at most ${max} items`,
});

export function validateJobPolicies(spec: JobSpec): FieldError[] {
  const out: FieldError[] = [];
  const indexed = spec.completionMode === 'Indexed';
  if (spec.backoffLimitPerIndex != null && spec.backoffLimitPerIndex < 0)
    out.push(invalid('spec.backoffLimitPerIndex', spec.backoffLimitPerIndex, 'must be greater than or equal to 0'));
  if (spec.maxFailedIndexes != null) {
    if (spec.maxFailedIndexes < 0) out.push(invalid('spec.maxFailedIndexes', spec.maxFailedIndexes, 'must be greater than or equal to 0'));
    if (spec.backoffLimitPerIndex == null) out.push(required('spec.backoffLimitPerIndex', 'when maxFailedIndexes is specified'));
    if (indexed && spec.completions != null && spec.maxFailedIndexes > spec.completions)
      out.push(invalid('spec.maxFailedIndexes', spec.maxFailedIndexes, 'must be less than or equal to completions'));
    if (indexed && spec.maxFailedIndexes > maxFailedIndexesForIndexedJob)
      out.push(invalid('spec.maxFailedIndexes', spec.maxFailedIndexes, `must be less than or equal to ${maxFailedIndexesForIndexedJob}`));
  }
  if (!indexed) {
    if (spec.backoffLimitPerIndex != null) out.push(invalid('spec.backoffLimitPerIndex', spec.backoffLimitPerIndex, 'requires indexed completion mode'));
    if (spec.maxFailedIndexes != null) out.push(invalid('spec.maxFailedIndexes', spec.maxFailedIndexes, 'requires indexed completion mode'));
  }
  if (spec.podFailurePolicy) out.push(...validatePodFailurePolicy(spec));
  if (spec.successPolicy) {
    if (!indexed) out.push(invalid('spec.successPolicy', spec.successPolicy, 'requires indexed completion mode'));
    else out.push(...validateSuccessPolicy(spec));
  }
  if (spec.podFailurePolicy && spec.podReplacementPolicy && spec.podReplacementPolicy !== 'Failed')
    out.push(notSupported('spec.podReplacementPolicy', spec.podReplacementPolicy, ['Failed']));
  // Pod failure policies judge a pod's final exit; with OnFailure containers restart in place.
  const rp = spec.template?.spec?.restartPolicy;
  if (spec.podFailurePolicy && rp === 'OnFailure')
    out.push(invalid('spec.template.spec.restartPolicy', rp, 'only "Never" is supported when podFailurePolicy is specified'));
  return out;
}

function validatePodFailurePolicy(spec: JobSpec): FieldError[] {
  const out: FieldError[] = [];
  const rules = spec.podFailurePolicy?.rules ?? [];
  if (rules.length > maxPodFailurePolicyRules) out.push(tooMany('spec.podFailurePolicy.rules', rules.length, maxPodFailurePolicyRules));
  const names = new Set([...(spec.template?.spec?.containers ?? []), ...(spec.template?.spec?.initContainers ?? [])].map((c) => c.name));
  rules.forEach((rule, i) => out.push(...validateFailureRule(spec, rule, `spec.podFailurePolicy.rules[${i}]`, names)));
  return out;
}

function validateFailureRule(spec: JobSpec, rule: PodFailurePolicyRule, path: string, names: ReadonlySet<string>): FieldError[] {
  const out: FieldError[] = [];
  if (!rule.action) out.push(required(`${path}.action`, `valid values: [${actions.map((a) => JSON.stringify(a)).join(' ')}]`));
  else if (rule.action === 'FailIndex') {
    if (spec.backoffLimitPerIndex == null) out.push(invalid(`${path}.action`, rule.action, 'requires the backoffLimitPerIndex to be set'));
  } else if (!actions.includes(rule.action)) out.push(notSupported(`${path}.action`, rule.action, actions));
  const conds = rule.onPodConditions ?? [];
  const ec = rule.onExitCodes;
  if (ec) {
    const p = `${path}.onExitCodes`;
    if (!ec.operator) out.push(required(`${p}.operator`, `valid values: [${operators.map((o) => JSON.stringify(o)).join(' ')}]`));
    else if (!operators.includes(ec.operator)) out.push(notSupported(`${p}.operator`, ec.operator, operators));
    if (ec.containerName != null && !names.has(ec.containerName))
      out.push(invalid(`${p}.containerName`, ec.containerName, 'must be one of the container or initContainer names in the pod template'));
    const values = ec.values ?? [];
    if (values.length === 0) out.push(invalid(`${p}.values`, values, 'at least one value is required'));
    else if (values.length > maxOnExitCodesValues) out.push(tooMany(`${p}.values`, values.length, maxOnExitCodesValues));
    const seen = new Set<number>();
    let ordered = true;
    values.forEach((v, j) => {
      if (ec.operator === 'In' && v === 0) out.push(invalid(`${p}.values[${j}]`, v, 'must not be 0 for the In operator'));
      if (seen.has(v)) out.push(duplicate(`${p}.values[${j}]`, v));
      seen.add(v);
      if (j > 0 && values[j - 1]! > v) ordered = false;
    });
    if (!ordered) out.push(invalid(`${p}.values`, values, 'must be ordered'));
  }
  if (conds.length > maxOnPodConditionsPatterns) out.push(tooMany(`${path}.onPodConditions`, conds.length, maxOnPodConditionsPatterns));
  conds.forEach((c, j) => {
    const p = `${path}.onPodConditions[${j}]`;
    for (const msg of qualifiedNameErrors(c.type ?? '')) out.push(invalid(`${p}.type`, c.type, msg));
    if (!c.status) out.push(required(`${p}.status`, `valid values: [${conditionStatuses.map((s) => JSON.stringify(s)).join(' ')}]`));
    else if (!conditionStatuses.includes(c.status)) out.push(notSupported(`${p}.status`, c.status, conditionStatuses));
  });
  if (ec && conds.length > 0) out.push(invalid(path, undefined, 'specifying both OnExitCodes and OnPodConditions is not supported'));
  if (!ec && conds.length === 0) out.push(invalid(path, undefined, 'specifying one of OnExitCodes and OnPodConditions is required'));
  return out;
}

/** validateIndexesFormat: "1,3-5" strictly increasing and below completions; returns the count. */
export function checkIndexesFormat(s: string, completions: number): { total: number; error?: string } {
  let total = 0;
  let prev = -1;
  for (const part of s.split(',')) {
    const bounds = part.split('-');
    if (bounds.length > 2) return { total, error: `the fragment "${part}" violates the requirement that an index interval can have at most two parts separated by '-'` };
    const nums: number[] = [];
    for (const b of bounds) {
      if (!/^\d+$/.test(b)) return { total, error: `cannot convert string to integer for index: "${b}"` };
      const n = Number(b);
      if (n >= completions) return { total, error: `too large index: "${b}"` };
      nums.push(n);
    }
    const [lo, hi = nums[0]!] = nums as [number, number?];
    if (lo <= prev) return { total, error: `non-increasing order, previous: ${prev}, current: ${lo}` };
    if (hi < lo) return { total, error: `non-increasing order, previous: ${lo}, current: ${hi}` };
    total += hi - lo + 1;
    prev = hi;
  }
  return { total };
}

function validateSuccessPolicy(spec: JobSpec): FieldError[] {
  const out: FieldError[] = [];
  const rules = spec.successPolicy?.rules ?? [];
  if (rules.length === 0) out.push(required('spec.successPolicy.rules', 'at least one rules must be specified when the successPolicy is specified'));
  if (rules.length > maxSuccessPolicyRules) out.push(tooMany('spec.successPolicy.rules', rules.length, maxSuccessPolicyRules));
  rules.forEach((r, i) => out.push(...validateSuccessRule(spec, r, `spec.successPolicy.rules[${i}]`)));
  return out;
}

function validateSuccessRule(spec: JobSpec, rule: SuccessPolicyRule, path: string): FieldError[] {
  const out: FieldError[] = [];
  const completions = spec.completions ?? 0;
  if (rule.succeededCount == null && rule.succeededIndexes == null)
    out.push(required(path, 'at least one of succeededCount or succeededIndexes must be specified'));
  let total = 0;
  if (rule.succeededIndexes != null) {
    if (rule.succeededIndexes.length > maxSucceededIndexesLength) out.push(tooLong(`${path}.succeededIndexes`, rule.succeededIndexes, maxSucceededIndexesLength));
    const r = checkIndexesFormat(rule.succeededIndexes, completions);
    total = r.total;
    if (r.error) out.push(invalid(`${path}.succeededIndexes`, rule.succeededIndexes, `error parsing succeededIndexes: ${r.error}`));
  }
  if (rule.succeededCount != null) {
    const p = `${path}.succeededCount`;
    if (rule.succeededCount < 0) out.push(invalid(p, rule.succeededCount, 'must be greater than or equal to 0'));
    if (rule.succeededCount > completions)
      out.push(invalid(p, rule.succeededCount, `must be less than or equal to ${completions} (the number of specified completions)`));
    if (rule.succeededIndexes != null && rule.succeededCount > total)
      out.push(invalid(p, rule.succeededCount, `must be less than or equal to ${total} (the number of indexes in the specified succeededIndexes field)`));
  }
  return out;
}
