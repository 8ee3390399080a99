/**
 * @module IntOrString validation as upstream's ValidatePositiveIntOrPercent.
 */
import { invalid, type FieldError } from '../../../api/field-error.ts';

export function validateIntOrPercent(v: number | string | undefined, path: string): FieldError[] {
  if (v === undefined || v === null) return [];
  if (typeof v === 'string') {
    if (!/^[0-9]+%$/.test(v)) return [invalid(path, v, "a valid percent string must be a numeric string followed by an ending '%' (e.g. '1%',  or '93%', regex used for validation is '[0-9]+%')")];
    return [];
  }
  if (v < 0) return [invalid(path, v, 'must be greater than or equal to 0')];
  return [];
}
