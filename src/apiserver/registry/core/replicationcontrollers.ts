/**
 * @module ReplicationController strategy: defaults (replicas 1, selector from template labels),
 * validation, scale access and upstream's columns.
 */
import type { ReplicationController } from 'kubernetes-types/core/v1.js';
import { invalid, required, type FieldError } from '../../../api/field-error.ts';
import type { KubeObject, Mutable } from '../../../api/object.ts';
import { defaultPodTemplateSpec } from '../../../api/defaults/pod-spec.ts';
import { validatePodTemplateSpec } from '../../../api/validation/pod-spec.ts';
import { ageColumn, ageOf, column, joinOrNone, labelsString, nameColumn } from '../printing.ts';
import type { Strategy } from '../strategy.ts';
import { coreInfo } from './info.ts';

type Rc = ReplicationController & KubeObject;
type RcSpec = Mutable<NonNullable<ReplicationController['spec']>>;

export const replicationcontrollers: Strategy<Rc> = {
  info: coreInfo('replicationcontrollers'),
  defaults(rc) {
    const spec = ((rc as KubeObject).spec ??= {}) as RcSpec;
    spec.replicas ??= 1;
    if (!spec.selector && spec.template?.metadata?.labels) spec.selector = { ...spec.template.metadata.labels };
    if (spec.template) defaultPodTemplateSpec(spec.template);
  },
  validate(rc) {
    const errs: FieldError[] = [];
    const spec = rc.spec ?? {};
    if ((spec.replicas ?? 0) < 0) errs.push(invalid('spec.replicas', spec.replicas, 'must be greater than or equal to 0'));
    if (!spec.selector || Object.keys(spec.selector).length === 0) errs.push(required('spec.selector'));
    errs.push(...validatePodTemplateSpec(spec.template, 'spec.template'));
    const labels = spec.template?.metadata?.labels ?? {};
    for (const [k, v] of Object.entries(spec.selector ?? {}))
      if (labels[k] !== v) {
        errs.push(invalid('spec.template.metadata.labels', labels, '`selector` does not match template `labels`'));
        break;
      }
    return errs;
  },
  table: {
    columns: [
      nameColumn,
      column('Desired', 'integer', 'Number of desired pods'),
      column('Current', 'integer', 'Number of actually running pods'),
      column('Ready', 'integer', 'Number of ready pods'),
      ageColumn,
      column('Containers', 'string', 'Names of each container in the template', 1),
      column('Images', 'string', 'Images referenced by each container in the template', 1),
      column('Selector', 'string', 'Label selector for pods', 1),
    ],
    cells: (rc, now) => [
      rc.metadata?.name ?? '',
      rc.spec?.replicas ?? 0,
      rc.status?.replicas ?? 0,
      rc.status?.readyReplicas ?? 0,
      ageOf(rc, now),
      joinOrNone(rc.spec?.template?.spec?.containers?.map((c) => c.name)),
      joinOrNone(rc.spec?.template?.spec?.containers?.map((c) => c.image ?? '')),
      labelsString(rc.spec?.selector),
    ],
  },
  fieldSelectors: { 'status.replicas': (rc) => String(rc.status?.replicas ?? 0) },
  scale: {
    specReplicas: (rc) => rc.spec?.replicas ?? 0,
    setSpecReplicas: (rc, n) => {
      (((rc as KubeObject).spec ??= {}) as RcSpec).replicas = n;
    },
    statusReplicas: (rc) => rc.status?.replicas ?? 0,
    selector: (rc) => labelsString(rc.spec?.selector, ''),
  },
};
