/**
 * @module Secret strategy: default type Opaque, required keys per type, immutability,
 * base64 data, and the TYPE/DATA columns.
 */
import type { Secret } from 'kubernetes-types/core/v1.js';
import { forbidden, invalid, required, type FieldError } from '../../../api/field-error.ts';
import type { KubeObject } from '../../../api/object.ts';
import { ageColumn, ageOf, column, nameColumn } from '../printing.ts';
import type { Strategy } from '../strategy.ts';
import { validateDataKeys } from './configmaps.ts';
import { coreInfo } from './info.ts';

type Sec = Secret & KubeObject;
const b64 = /^[A-Za-z0-9+/]*={0,2}$/;

const requiredKeys: Record<string, string[]> = {
  'kubernetes.io/tls': ['tls.crt', 'tls.key'],
  'kubernetes.io/dockerconfigjson': ['.dockerconfigjson'],
  'kubernetes.io/dockercfg': ['.dockercfg'],
  'kubernetes.io/basic-auth': [],
  'kubernetes.io/ssh-auth': ['ssh-privatekey'],
};

export const secrets: Strategy<Sec> = {
  info: coreInfo('secrets'),
  defaults(s) {
    (s as KubeObject).type ??= 'Opaque';
    // stringData is write-only: fold it into data.
    if (s.stringData) {
      const data: Record<string, string> = { ...(s.data ?? {}) };
      for (const [k, v] of Object.entries(s.stringData)) data[k] = Buffer.from(String(v)).toString('base64');
      (s as KubeObject).data = data;
      delete (s as KubeObject).stringData;
    }
  },
  validate(s) {
    const errs: FieldError[] = validateDataKeys(Object.keys(s.data ?? {}), 'data');
    for (const [k, v] of Object.entries(s.data ?? {}))
      if (typeof v !== 'string' || !b64.test(v)) errs.push(invalid(`data[${k}]`, '<secret contents redacted>', 'must be base64 encoded'));
    for (const k of requiredKeys[s.type ?? ''] ?? []) if (!s.data?.[k]) errs.push(required(`data[${k}]`));
    return errs;
  },
  validateUpdate(s, old) {
    const errs: FieldError[] = [];
    if ((s.type ?? 'Opaque') !== (old.type ?? 'Opaque')) errs.push(invalid('type', s.type, 'field is immutable'));
    if (old.immutable && JSON.stringify(s.data ?? {}) !== JSON.stringify(old.data ?? {}))
      errs.push(forbidden('data', 'field is immutable when `immutable` is set'));
    return errs;
  },
  table: {
    columns: [nameColumn, column('Type', 'string', 'The type of the secret'), column('Data', 'string', 'Number of data entries'), ageColumn],
    cells: (s, now) => [s.metadata?.name ?? '', s.type ?? '', Object.keys(s.data ?? {}).length, ageOf(s, now)],
  },
  fieldSelectors: { type: (s) => s.type },
};
