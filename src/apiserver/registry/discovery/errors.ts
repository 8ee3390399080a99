/**
 * @module Field-error constructors used by the discovery strategies (adds TooMany).
 */
import type { FieldError } from '../../../api/field-error.ts';

export { invalid, notSupported, required, type FieldError } from '../../../api/field-error.ts';

export const tooMany = (field: string, actual: number, max: number): FieldError => ({
  type: 'FieldValueTooMany',
  field,
  value: actual,
  detail: `must have at most ${max} items`,
});
