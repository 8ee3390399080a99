/**
 * @module What a ValidatingAdmissionPolicy writes into the request's audit event (upstream
 * validating/dispatcher.go): each policy's `auditAnnotations` as `<policy-name>/<key>` (distinct
 * values from several bindings or params joined with ", "), and for a binding with the `Audit`
 * action the failure as `validation.policy.admission.k8s.io/validation_failure`, a JSON list.
 * Like upstream's attrs.AddAnnotation, a key already set keeps its first value.
 */
import type { ValidatingAdmissionPolicyBinding } from 'kubernetes-types/admissionregistration/v1.js';
import type { AdmissionAttributes } from '../interface.ts';
import type { Violation } from './evaluate.ts';

export const validationFailureKey = 'validation.policy.admission.k8s.io/validation_failure';
const maxValueLength = 10 * 1024;

function addAnnotation(a: AdmissionAttributes, key: string, value: string): void {
  if (a.auditAnnotations && !(key in a.auditAnnotations)) a.auditAnnotations[key] = value;
}

/** Collects one policy's annotation values over its bindings, then publishes them. */
export class AuditAnnotationCollector {
  private readonly values = new Map<string, string[]>();

  add(key: string, value: string): void {
    const v = value.length > maxValueLength ? value.slice(0, maxValueLength) : value;
    const list = this.values.get(key) ?? [];
    if (!list.includes(v)) list.push(v);
    this.values.set(key, list);
  }

  publish(policyName: string, a: AdmissionAttributes): void {
    for (const [key, list] of this.values) addAnnotation(a, `${policyName}/${key}`, list.join(', '));
  }
}

export function publishValidationFailure(a: AdmissionAttributes, binding: ValidatingAdmissionPolicyBinding, v: Violation): void {
  const value = [
    {
      message: v.message,
      policy: binding.spec?.policyName ?? '',
      binding: binding.metadata?.name ?? '',
      expressionIndex: v.index,
      validationActions: binding.spec?.validationActions ?? [],
    },
  ];
  addAnnotation(a, validationFailureKey, JSON.stringify(value));
}
