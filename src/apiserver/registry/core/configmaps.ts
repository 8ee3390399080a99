/**
 * @module ConfigMap strategy: key names, immutability, and the DATA column.
 */
import type { ConfigMap } from 'kubernetes-types/core/v1.js';
import { forbidden, invalid, type FieldError } from '../../../api/field-error.ts';
import type { KubeObject } from '../../../api/object.ts';
import { ageColumn, ageOf, column, nameColumn } from '../printing.ts';
import type { Strategy } from '../strategy.ts';
import { coreInfo } from './info.ts';

type Cm = ConfigMap & KubeObject;
const keyRe = /^[-._a-zA-Z0-9]+$/;

/** Upstream IsConfigMapKey: used by ConfigMaps and Secrets. */
export function validateDataKeys(keys: string[], path: string): FieldError[] {
  const errs: FieldError[] = [];
  for (const k of keys) {
    if (k.length > 253) errs.push(invalid(`${path}[${k}]`, k, 'must be no more than 253 characters'));
    if (!keyRe.test(k)) errs.push(invalid(`${path}[${k}]`, k, "a valid config key must consist of alphanumeric characters, '-', '_' or '.' (e.g. 'key.name',  or 'KEY_NAME',  or 'key-name', regex used for validation is '[-._a-zA-Z0-9]+')"));
    if (k === '.' || k === '..') errs.push(invalid(`${path}[${k}]`, k, `must not be '${k}'`));
  }
  return errs;
}

export const configmaps: Strategy<Cm> = {
  info: coreInfo('configmaps'),
  validate(cm) {
    const errs = [...validateDataKeys(Object.keys(cm.data ?? {}), 'data'), ...validateDataKeys(Object.keys(cm.binaryData ?? {}), 'binaryData')];
    for (const [k, v] of Object.entries(cm.data ?? {})) if (typeof v !== 'string') errs.push(invalid(`data[${k}]`, v, 'must be a string'));
    for (const k of Object.keys(cm.data ?? {})) if (cm.binaryData && k in cm.binaryData) errs.push({ type: 'FieldValueDuplicate', field: `data[${k}]`, value: k });
    return errs;
  },
  validateUpdate(cm, old) {
    if (!old.immutable) return [];
    const errs: FieldError[] = [];
    if (JSON.stringify(cm.data ?? {}) !== JSON.stringify(old.data ?? {}) || JSON.stringify(cm.binaryData ?? {}) !== JSON.stringify(old.binaryData ?? {}))
      errs.push(forbidden('data', 'field is immutable when `immutable` is set'));
    if (!cm.immutable) errs.push(forbidden('immutable', 'field is immutable when `immutable` is set'));
    return errs;
  },
  table: {
    columns: [nameColumn, column('Data', 'string', 'Number of data entries'), ageColumn],
    cells: (cm, now) => [cm.metadata?.name ?? '', Object.keys(cm.data ?? {}).length + Object.keys(cm.binaryData ?? {}).length, ageOf(cm, now)],
  },
};
