/**
 * @module Resource lists (`{cpu: "500m", memory: "1Gi"}`) must hold valid quantities; upstream's
 * decoder refuses anything else with this message.
 */
import { invalid, type FieldError } from '../field-error.ts';
import { parseMilli } from '../quota/quantity.ts';

const quantityMessage = "quantities must match the regular expression '^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$'";

export function validateResourceList(list: Readonly<Record<string, unknown>> | undefined, path: string): FieldError[] {
  const out: FieldError[] = [];
  for (const [k, v] of Object.entries(list ?? {})) {
    if ((typeof v !== 'string' && typeof v !== 'number') || parseMilli(v) === undefined) out.push(invalid(`${path}[${k}]`, v, quantityMessage));
  }
  return out;
}
