/**
 * @module apps/v1 ReplicaSets: defaults, validation, columns and scale.
 */
import type { ReplicaSet } from 'kubernetes-types/apps/v1.js';
import { notSupported, required, type FieldError } from '../../../api/field-error.ts';
import type { Mutable } from '../../../api/object.ts';
import { builtinResources, findResource } from '../../../machinery/resources.ts';
import { ageColumn, ageOf, column, labelSelectorString, nameColumn } from '../printing.ts';
import type { Strategy } from '../strategy.ts';
import { selectorForScale } from './deployment.ts';
import {
  containerImages,
  containerNames,
  containersColumn,
  defaultTemplate,
  immutable,
  imagesColumn,
  jsonEqual,
  nonNegative,
  selectorColumn,
  validateSelectorAndTemplate,
} from './workload.ts';

type RS = Mutable<ReplicaSet>;
type Spec = Mutable<NonNullable<RS['spec']>>;

export const replicaSetStrategy: Strategy<RS> = {
  info: findResource(builtinResources, 'apps', 'v1', 'replicasets')!,
  defaults(rs) {
    const spec = (rs.spec ??= {} as Spec) as Spec;
    if (spec.replicas === undefined) spec.replicas = 1;
    defaultTemplate(spec.template);
  },
  validate(rs) {
    const spec = rs.spec;
    if (!spec) return [required('spec')];
    const out: FieldError[] = [...nonNegative(spec.replicas, 'spec.replicas'), ...nonNegative(spec.minReadySeconds, 'spec.minReadySeconds')];
    out.push(...validateSelectorAndTemplate(spec.selector, spec.template, 'spec'));
    const rp = spec.template?.spec?.restartPolicy;
    if (rp && rp !== 'Always') out.push(notSupported('spec.template.spec.restartPolicy', rp, ['Always']));
    return out;
  },
  validateUpdate(obj, old) {
    return jsonEqual(obj.spec?.selector, old.spec?.selector) ? [] : [immutable('spec.selector', obj.spec?.selector)];
  },
  table: {
    columns: [
      nameColumn,
      column('Desired', 'integer', 'Number of desired pods.'),
      column('Current', 'integer', 'Number of actual replicas.'),
      column('Ready', 'integer', 'The number of ready replicas for this replica set.'),
      ageColumn,
      containersColumn,
      imagesColumn,
      selectorColumn,
    ],
    cells(rs, now) {
      return [
        rs.metadata?.name ?? '',
        rs.spec?.replicas ?? 0,
        rs.status?.replicas ?? 0,
        rs.status?.readyReplicas ?? 0,
        ageOf(rs, now),
        containerNames(rs.spec?.template),
        containerImages(rs.spec?.template),
        labelSelectorString(rs.spec?.selector),
      ];
    },
  },
  scale: {
    specReplicas: (o) => o.spec?.replicas ?? 0,
    setSpecReplicas: (o, n) => {
      (o.spec as Spec).replicas = n;
    },
    statusReplicas: (o) => o.status?.replicas ?? 0,
    selector: (o) => selectorForScale(o.spec?.selector),
  },
};
