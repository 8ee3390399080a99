/**
 * @module Evaluates one policy for one (binding, param) against a request: variables in
 * order, then every validation; a false expression yields its message (messageExpression,
 * message, or `failed expression: <expression>`) and reason (empty: the plugin's default,
 * Invalid). Then every auditAnnotation's valueExpression: a string is published, null skips
 * it, anything else (or an error) is an error subject to failurePolicy, as upstream.
 * `authorizer` (when the server passes an authorize function) checks permissions of the
 * requesting user; such checks are asynchronous, so evaluation is.
 */
import type { ValidatingAdmissionPolicy } from 'kubernetes-types/admissionregistration/v1.js';
import type { KubeObject } from '../../../api/object.ts';
import type { AdmissionAttributes } from '../interface.ts';
import { admissionRequest } from '../webhook/review.ts';
import { evalAnyAsync, evalBoolAsync, evalStringAsync, toCel, type CelValue } from './cel.ts';
import { CelAuthorizer, type AuthorizeFn } from './cel-lib/authz.ts';

export interface Violation {
  message: string;
  reason: string;
  /** The expression failed to evaluate (subject to failurePolicy) rather than returned false. */
  error: boolean;
  /** Index of the validation in spec.validations (upstream's expressionIndex). */
  index: number;
}

/** One auditAnnotation's outcome: a value to publish under `key`, or an evaluation error. */
export interface AuditAnnotationResult {
  key: string;
  value?: string;
  error?: string;
}

export interface PolicyResult {
  violations: Violation[];
  annotations: AuditAnnotationResult[];
}

export async function evaluatePolicy(
  policy: ValidatingAdmissionPolicy,
  a: AdmissionAttributes,
  param: KubeObject | null,
  namespaceObject: KubeObject | undefined,
  authorize?: AuthorizeFn,
): Promise<PolicyResult> {
  const ctx: Record<string, CelValue> = {
    object: toCel(a.object ?? null),
    oldObject: toCel(a.oldObject ?? null),
    request: toCel(admissionRequest(a)),
    params: toCel(param),
    namespaceObject: toCel(namespaceObject ?? null),
  };
  if (authorize) {
    const r = a.resource;
    ctx.authorizer = new CelAuthorizer(a.user, authorize, { group: r.group, resource: r.resource, subresource: a.subresource, namespace: a.namespace, name: a.name });
  }
  const out: Violation[] = [];
  const vars: Record<string, CelValue> = {};
  ctx.variables = vars;
  for (const v of policy.spec?.variables ?? []) {
    try {
      vars[v.name] = await evalAnyAsync(v.expression, ctx);
    } catch (e) {
      // Upstream evaluates variables lazily; an unused broken variable must not fail the request.
      vars[v.name] = undefined;
      void e;
    }
  }
  for (const [index, v] of (policy.spec?.validations ?? []).entries()) {
    let ok: boolean;
    try {
      ok = await evalBoolAsync(v.expression, ctx);
    } catch (e) {
      out.push({ message: `expression '${v.expression}' resulted in error: ${(e as Error).message.split('\n')[0]}`, reason: '', error: true, index });
      continue;
    }
    if (ok) continue;
    let message = v.message || `failed expression: ${v.expression.trim()}`;
    if (v.messageExpression) {
      try {
        const m = await evalStringAsync(v.messageExpression, ctx);
        if (m.trim()) message = m;
      } catch {
        // Upstream falls back to the static message when messageExpression fails.
      }
    }
    out.push({ message, reason: v.reason ?? '', error: false, index });
  }
  return { violations: out, annotations: await auditAnnotations(policy, ctx) };
}

async function auditAnnotations(policy: ValidatingAdmissionPolicy, ctx: Record<string, CelValue>): Promise<AuditAnnotationResult[]> {
  const out: AuditAnnotationResult[] = [];
  for (const aa of policy.spec?.auditAnnotations ?? []) {
    let v: CelValue;
    try {
      v = await evalAnyAsync(aa.valueExpression, ctx);
    } catch (e) {
      out.push({ key: aa.key, error: `valueExpression '${aa.valueExpression}' resulted in error: ${(e as Error).message.split('\n')[0]}` });
      continue;
    }
    if (v === null || v === undefined) continue;
    if (typeof v !== 'string') {
      out.push({ key: aa.key, error: `valueExpression '${aa.valueExpression}' resulted in unsupported return type: ${typeof v}. Return type must be either string or null.` });
      continue;
    }
    out.push({ key: aa.key, value: v });
  }
  return out;
}
