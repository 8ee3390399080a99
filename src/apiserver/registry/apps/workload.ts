/**
 * @module Helpers shared by the workload strategies (apps/v1 and batch/v1): pod-template
 * columns, selector checks, replica validation and the pod-template defaulting/validation hooks.
 */
import type { LabelSelector } from 'kubernetes-types/meta/v1.js';
import type { PodTemplateSpec } from 'kubernetes-types/core/v1.js';
import { invalid, required, type FieldError } from '../../../api/field-error.ts';
import { validateLabels } from '../../../api/validation/names.ts';
import { selectorFromLabelSelector } from '../../../machinery/labels.ts';
import { column, joinOrNone, labelSelectorString } from '../printing.ts';
import type { TableColumn } from '../strategy.ts';
import { defaultPodTemplateSpec } from '../../../api/defaults/pod-spec.ts';
import { validatePodTemplateSpec } from '../../../api/validation/pod-spec.ts';

export { labelSelectorString };

/** Runs the shared pod-template defaults (core/v1 SetDefaults_PodSpec and friends). */
export function defaultTemplate(t: PodTemplateSpec | undefined): void {
  if (t) defaultPodTemplateSpec(t);
}

/** Validates a pod template (metadata labels and spec) at `path`. */
export function validateTemplate(t: PodTemplateSpec | undefined, path: string): FieldError[] {
  return validatePodTemplateSpec(t, path);
}

export const containersColumn: TableColumn = column('Containers', 'string', 'Names of each container in the template.', 1);
export const imagesColumn: TableColumn = column('Images', 'string', 'Images referenced by each container in the template.', 1);
export const selectorColumn: TableColumn = column('Selector', 'string', 'Label selector of the pods.', 1);

export const containerNames = (t: PodTemplateSpec | undefined): string =>
  joinOrNone((t?.spec?.containers ?? []).map((c) => c.name), '');
export const containerImages = (t: PodTemplateSpec | undefined): string =>
  joinOrNone((t?.spec?.containers ?? []).map((c) => c.image ?? ''), '');

/** `must be greater than or equal to 0` for a negative integer field. */
export function nonNegative(value: number | undefined, path: string): FieldError[] {
  if (value === undefined || value === null) return [];
  if (value < 0) return [invalid(path, value, 'must be greater than or equal to 0')];
  return [];
}

export function positive(value: number | undefined, path: string): FieldError[] {
  if (value === undefined || value === null) return [];
  if (value <= 0) return [invalid(path, value, 'must be greater than 0')];
  return [];
}

/** Go's `%#v` rendering of map[string]string, used in the selector-mismatch message. */
export function goMapString(m: Record<string, string> | undefined): string {
  const keys = Object.keys(m ?? {}).sort();
  return `map[string]string{${keys.map((k) => `${JSON.stringify(k)}:${JSON.stringify(m![k])}`).join(', ')}}`;
}

/** A label selector's own validity (label syntax, operators). */
export function validateLabelSelector(sel: LabelSelector | undefined, path: string): FieldError[] {
  if (!sel) return [];
  const out = validateLabels(sel.matchLabels, `${path}.matchLabels`);
  (sel.matchExpressions ?? []).forEach((r, i) => {
    const p = `${path}.matchExpressions[${i}]`;
    const ops = ['In', 'NotIn', 'Exists', 'DoesNotExist'];
    if (!ops.includes(r.operator)) out.push(invalid(`${p}.operator`, r.operator, 'not a valid selector operator'));
    if ((r.operator === 'In' || r.operator === 'NotIn') && !(r.values ?? []).length)
      out.push(required(`${p}.values`, 'must be specified when `operator` is \'In\' or \'NotIn\''));
    if ((r.operator === 'Exists' || r.operator === 'DoesNotExist') && (r.values ?? []).length)
      out.push(invalid(`${p}.values`, r.values, 'may not be specified when `operator` is \'Exists\' or \'DoesNotExist\''));
  });
  return out;
}

/**
 * Upstream ValidateDeploymentSpec-style selector checks: required, non-empty, and matching
 * the template labels.
 */
export function validateSelectorAndTemplate(
  sel: LabelSelector | undefined,
  t: PodTemplateSpec | undefined,
  specPath: string,
): FieldError[] {
  const out: FieldError[] = [];
  if (!sel) {
    out.push(required(`${specPath}.selector`));
  } else {
    out.push(...validateLabelSelector(sel, `${specPath}.selector`));
    if (!Object.keys(sel.matchLabels ?? {}).length && !(sel.matchExpressions ?? []).length)
      out.push(invalid(`${specPath}.selector`, sel, 'empty selector is invalid for deployment'));
  }
  if (!t) {
    out.push(required(`${specPath}.template`));
    return out;
  }
  if (sel && (Object.keys(sel.matchLabels ?? {}).length || (sel.matchExpressions ?? []).length)) {
    let ok = false;
    try {
      ok = selectorFromLabelSelector(sel).matches(t.metadata?.labels ?? {});
    } catch {
      ok = false;
    }
    if (!ok)
      out.push({
        type: 'FieldValueInvalid',
        field: `${specPath}.template.metadata.labels`,
        value: t.metadata?.labels ?? {},
        detail: '`selector` does not match template `labels`',
      });
  }
  out.push(...validateTemplate(t, `${specPath}.template`));
  return out;
}

export function immutable(path: string, value: unknown): FieldError {
  return invalid(path, value, 'field is immutable');
}

/** Deep equality of JSON values. */
export function jsonEqual(a: unknown, b: unknown): boolean {
  return JSON.stringify(canon(a)) === JSON.stringify(canon(b));
}
function canon(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(canon);
  if (v && typeof v === 'object') {
    const o: Record<string, unknown> = {};
    for (const k of Object.keys(v).sort()) if ((v as Record<string, unknown>)[k] !== undefined) o[k] = canon((v as Record<string, unknown>)[k]);
    return o;
  }
  return v;
}
