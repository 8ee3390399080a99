/**
 * @module Namespace strategy: phase Active on create, the `kubernetes` finalizer, the
 * `kubernetes.io/metadata.name` label, and upstream's columns.
 */
import type { Namespace } from 'kubernetes-types/core/v1.js';
import { invalid } from '../../../api/field-error.ts';
import type { KubeObject } from '../../../api/object.ts';
import { ageColumn, ageOf, column, nameColumn } from '../printing.ts';
import type { Strategy } from '../strategy.ts';
import { coreInfo } from './info.ts';

type Ns = Namespace & KubeObject;
const nameLabel = 'kubernetes.io/metadata.name';

export const namespaces: Strategy<Ns> = {
  info: coreInfo('namespaces'),
  nameRule: 'dns1123-label',
  defaults(ns) {
    const meta = (ns.metadata ??= {});
    if (meta.name) meta.labels = { ...meta.labels, [nameLabel]: meta.name };
  },
  prepareForCreate(ns) {
    (ns as KubeObject).status = { phase: 'Active' };
    (ns as KubeObject).spec = { ...(ns.spec ?? {}), finalizers: ['kubernetes'] };
  },
  prepareForUpdate(ns, old) {
    // spec.finalizers only changes through namespaces/NAME/finalize.
    (ns as KubeObject).spec = { ...(ns.spec ?? {}), finalizers: old.spec?.finalizers };
  },
  validate(ns) {
    const v = ns.metadata?.labels?.[nameLabel];
    return v !== undefined && v !== ns.metadata?.name ? [invalid(`metadata.labels[${nameLabel}]`, v, 'must match the namespace name')] : [];
  },
  table: {
    columns: [nameColumn, column('Status', 'string', 'The status of the namespace'), ageColumn],
    cells: (ns, now) => [ns.metadata?.name ?? '', ns.status?.phase ?? '', ageOf(ns, now)],
  },
  fieldSelectors: { 'status.phase': (ns) => ns.status?.phase },
};
