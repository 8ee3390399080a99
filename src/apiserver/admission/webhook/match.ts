/**
 * @module Whether one webhook is called for a request: rules, namespaceSelector,
 * objectSelector, then matchConditions in CEL (upstream generic/webhook.go ShouldCallHook and
 * matchconditions). A matchCondition error is handled by the webhook's failurePolicy.
 */
import type { MatchCondition, RuleWithOperations } from 'kubernetes-types/admissionregistration/v1.js';
import type { LabelSelector } from 'kubernetes-types/meta/v1.js';
import { StatusError } from '../../../machinery/status.ts';
import type { AdmissionAttributes } from '../interface.ts';
import { evalBool, toCel } from '../policy/cel.ts';
import { admissionRequest } from './review.ts';
import { namespaceSelectorMatches, objectSelectorMatches, ruleMatches } from './rules.ts';
import type { ConfigLister } from './source.ts';

export interface HookLike {
  name: string;
  rules?: readonly RuleWithOperations[];
  namespaceSelector?: LabelSelector;
  objectSelector?: LabelSelector;
  matchConditions?: readonly MatchCondition[];
  failurePolicy?: string;
}

/** Throws (subject to failurePolicy) when a match condition cannot be evaluated. */
export async function shouldCall(h: HookLike, a: AdmissionAttributes, reader: ConfigLister): Promise<boolean> {
  if (!(h.rules ?? []).some((r) => ruleMatches(r, a))) return false;
  if (!objectSelectorMatches(h.objectSelector, a)) return false;
  if (!(await namespaceSelectorMatches(h.namespaceSelector, a, (n) => reader.namespace(n)))) return false;
  if (!h.matchConditions?.length) return true;
  const ctx = { object: toCel(a.object ?? null), oldObject: toCel(a.oldObject ?? null), request: toCel(admissionRequest(a)) };
  let error: string | undefined;
  for (const m of h.matchConditions) {
    try {
      if (!evalBool(m.expression, ctx)) return false;
    } catch (e) {
      error ??= `matchCondition '${m.name}' evaluation failed: ${(e as Error).message}`;
    }
  }
  if (error) throw StatusError.internal(`failed calling webhook "${h.name}": ${error}`);
  return true;
}
