/**
 * @module Validation results, shaped like apimachinery's field.Error. Validation functions
 * return FieldError[]; only the registry turns them into an Invalid Status.
 */
export type FieldErrorType =
  | 'FieldValueInvalid'
  | 'FieldValueRequired'
  | 'FieldValueDuplicate'
  | 'FieldValueNotSupported'
  | 'FieldValueForbidden'
  | 'FieldValueTooLong'
  | 'FieldValueTooMany'
  | 'FieldValueTypeInvalid'
  | 'FieldValueNotFound'
  | 'InternalError';

export interface FieldError {
  type: FieldErrorType;
  /** Dotted path with indices, e.g. `spec.template.spec.containers[0].image`. */
  field: string;
  /** The offending value, when it helps the message. */
  value?: unknown;
  /** Detail appended after the standard prefix, e.g. `must be greater than or equal to 0`. */
  detail?: string;
}

function render(value: unknown): string {
  if (typeof value === 'string') return JSON.stringify(value);
  // Go's %#v of a map[string]string, as upstream prints label maps: keys sorted, ", " between.
  if (typeof value === 'object' && value !== null && !Array.isArray(value) && Object.values(value).every((v) => typeof v === 'string')) {
    const entries = Object.keys(value).sort().map((k) => `${JSON.stringify(k)}:${JSON.stringify((value as Record<string, string>)[k])}`);
    return `map[string]string{${entries.join(', ')}}`;
  }
  if (value === null || value === undefined) return 'null';
  if (typeof value === 'object') return JSON.stringify(value);
  return String(value);
}

/** The message upstream prints for one field error, without the field path. */
export function fieldErrorMessage(e: FieldError): string {
  switch (e.type) {
    case 'FieldValueRequired':
      return e.detail ? `Required value: ${e.detail}` : 'Required value';
    case 'FieldValueForbidden':
      return e.detail ? `Forbidden: ${e.detail}` : 'Forbidden';
    case 'FieldValueDuplicate':
      return `Duplicate value: ${render(e.value)}`;
    case 'FieldValueNotFound':
      return `Not found: ${render(e.value)}`;
    case 'FieldValueTooLong':
      return `Too long: ${e.detail ?? ''}`.trim();
    case 'FieldValueTooMany':
      return `Too many: ${e.detail ?? ''}`.trim();
    case 'FieldValueNotSupported':
      return `Unsupported value: ${render(e.value)}${e.detail ? `: ${e.detail}` : ''}`;
    case 'FieldValueTypeInvalid':
      return `Invalid value: ${render(e.value)}${e.detail ? `: ${e.detail}` : ''}`;
    case 'InternalError':
      return `Internal error: ${e.detail ?? ''}`;
    default:
      return `Invalid value: ${render(e.value)}${e.detail ? `: ${e.detail}` : ''}`;
  }
}

export const required = (field: string, detail?: string): FieldError => ({ type: 'FieldValueRequired', field, detail });
export const invalid = (field: string, value: unknown, detail: string): FieldError => ({ type: 'FieldValueInvalid', field, value, detail });
export const forbidden = (field: string, detail: string): FieldError => ({ type: 'FieldValueForbidden', field, detail });
export const duplicate = (field: string, value: unknown): FieldError => ({ type: 'FieldValueDuplicate', field, value });
export const notSupported = (field: string, value: unknown, valid: readonly string[]): FieldError => ({
  type: 'FieldValueNotSupported',
  field,
  value,
  detail: `supported values: ${valid.map((v) => JSON.stringify(v)).join(', ')}`,
});
export const tooLong = (field: string, value: unknown, max: number): FieldError => ({
  type: 'FieldValueTooLong',
  field,
  value,
  detail: `may not be more than ${max} bytes`,
});
