/**
 * @module A Job's successPolicy (upstream success_policy.go matchSuccessPolicy): an Indexed Job
 * succeeds early once any rule holds — all of its succeededIndexes succeeded, or at least
 * succeededCount of them (of all indexes when succeededIndexes is absent).
 */
import type { SuccessPolicy } from 'kubernetes-types/batch/v1.js';
import { parseIndexes } from './indexed.ts';

/** The SuccessCriteriaMet message ("Matched rules at index N"), or undefined. */
export function matchSuccessPolicy(policy: SuccessPolicy | undefined, completions: number, succeeded: ReadonlySet<number>): string | undefined {
  if (!policy) return undefined;
  for (const [index, rule] of policy.rules.entries()) {
    let matched: boolean;
    if (rule.succeededIndexes != null) {
      const wanted = parseIndexes(rule.succeededIndexes, completions);
      const hit = wanted.filter((i) => succeeded.has(i)).length;
      matched = rule.succeededCount != null ? hit >= rule.succeededCount : wanted.length > 0 && hit === wanted.length;
    } else matched = rule.succeededCount != null && succeeded.size >= rule.succeededCount;
    if (matched) return `Matched rules at index ${index}`;
  }
  return undefined;
}
