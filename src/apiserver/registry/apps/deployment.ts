/**
 * @module apps/v1 Deployments: upstream defaults (SetDefaults_Deployment), validation
 * (ValidateDeployment), the printed columns and the scale subresource.
 */
import type { Deployment } from 'kubernetes-types/apps/v1.js';
import { invalid, notSupported, required, type FieldError } from '../../../api/field-error.ts';
import type { Mutable } from '../../../api/object.ts';
import { findResource, builtinResources, type ResourceInfo } from '../../../machinery/resources.ts';
import { ageColumn, ageOf, column, labelSelectorString, nameColumn } from '../printing.ts';
import type { Strategy } from '../strategy.ts';
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
import { validateIntOrPercent } from './int-or-percent.ts';

type D = Mutable<Deployment> & { metadata?: Mutable<NonNullable<Deployment['metadata']>> };

export const deploymentInfo: ResourceInfo = findResource(builtinResources, 'apps', 'v1', 'deployments')!;

export function defaultDeployment(d: D): void {
  const spec = (d.spec ??= {} as NonNullable<D['spec']>) as Mutable<NonNullable<D['spec']>>;
  if (spec.replicas === undefined) spec.replicas = 1;
  const strategy = (spec.strategy ??= {}) as Mutable<NonNullable<typeof spec.strategy>>;
  if (!strategy.type) strategy.type = 'RollingUpdate';
  if (strategy.type === 'RollingUpdate') {
    const ru = (strategy.rollingUpdate ??= {}) as Mutable<NonNullable<typeof strategy.rollingUpdate>>;
    if (ru.maxUnavailable === undefined) ru.maxUnavailable = '25%';
    if (ru.maxSurge === undefined) ru.maxSurge = '25%';
  }
  if (spec.revisionHistoryLimit === undefined) spec.revisionHistoryLimit = 10;
  if (spec.progressDeadlineSeconds === undefined) spec.progressDeadlineSeconds = 600;
  defaultTemplate(spec.template);
}

export function validateDeployment(d: D): FieldError[] {
  const spec = d.spec;
  if (!spec) return [required('spec')];
  const out: FieldError[] = [];
  out.push(...nonNegative(spec.replicas, 'spec.replicas'));
  out.push(...validateSelectorAndTemplate(spec.selector, spec.template, 'spec'));
  const rp = spec.template?.spec?.restartPolicy;
  if (rp && rp !== 'Always') out.push(notSupported('spec.template.spec.restartPolicy', rp, ['Always']));
  const st = spec.strategy;
  if (st) {
    if (st.type && st.type !== 'Recreate' && st.type !== 'RollingUpdate')
      out.push(notSupported('spec.strategy.type', st.type, ['Recreate', 'RollingUpdate']));
    if (st.type === 'Recreate' && st.rollingUpdate)
      out.push({ type: 'FieldValueForbidden', field: 'spec.strategy.rollingUpdate', detail: "may not be specified when strategy `type` is 'Recreate'" });
    if (st.type === 'RollingUpdate' && st.rollingUpdate) {
      const ru = st.rollingUpdate;
      out.push(...validateIntOrPercent(ru.maxUnavailable, 'spec.strategy.rollingUpdate.maxUnavailable'));
      out.push(...validateIntOrPercent(ru.maxSurge, 'spec.strategy.rollingUpdate.maxSurge'));
      const zero = (v: unknown) => v === 0 || v === '0%';
      if (zero(ru.maxUnavailable) && zero(ru.maxSurge))
        out.push(invalid('spec.strategy.rollingUpdate.maxUnavailable', ru.maxUnavailable, 'may not be 0 when `maxSurge` is 0'));
      if (typeof ru.maxUnavailable === 'string' && parseInt(ru.maxUnavailable, 10) > 100)
        out.push(invalid('spec.strategy.rollingUpdate.maxUnavailable', ru.maxUnavailable, 'must not be greater than 100%'));
    }
  }
  out.push(...nonNegative(spec.revisionHistoryLimit, 'spec.revisionHistoryLimit'));
  out.push(...nonNegative(spec.minReadySeconds, 'spec.minReadySeconds'));
  if (spec.progressDeadlineSeconds !== undefined) {
    out.push(...nonNegative(spec.progressDeadlineSeconds, 'spec.progressDeadlineSeconds'));
    if (spec.progressDeadlineSeconds <= (spec.minReadySeconds ?? 0))
      out.push(invalid('spec.progressDeadlineSeconds', spec.progressDeadlineSeconds, 'must be greater than minReadySeconds'));
  }
  return out;
}

export const deploymentStrategy: Strategy<D> = {
  info: deploymentInfo,
  defaults: defaultDeployment,
  validate: validateDeployment,
  validateUpdate(obj, old) {
    if (!jsonEqual(obj.spec?.selector, old.spec?.selector)) return [immutable('spec.selector', obj.spec?.selector)];
    return [];
  },
  validateStatusUpdate(obj) {
    const s = obj.status ?? {};
    const out: FieldError[] = [];
    for (const k of ['replicas', 'updatedReplicas', 'readyReplicas', 'availableReplicas', 'unavailableReplicas', 'observedGeneration'] as const)
      out.push(...nonNegative(s[k], `status.${k}`));
    return out;
  },
  table: {
    columns: [
      nameColumn,
      column('Ready', 'string', 'Number of the pod with ready state'),
      column('Up-to-date', 'integer', 'Total number of non-terminated pods targeted by this deployment that have the desired template spec.'),
      column('Available', 'integer', 'Total number of available pods (ready for at least minReadySeconds) targeted by this deployment.'),
      ageColumn,
      containersColumn,
      imagesColumn,
      selectorColumn,
    ],
    cells(d, now) {
      const s = d.status ?? {};
      return [
        d.metadata?.name ?? '',
        `${s.readyReplicas ?? 0}/${d.spec?.replicas ?? 0}`,
        s.updatedReplicas ?? 0,
        s.availableReplicas ?? 0,
        ageOf(d, now),
        containerNames(d.spec?.template),
        containerImages(d.spec?.template),
        labelSelectorString(d.spec?.selector),
      ];
    },
  },
  scale: {
    specReplicas: (d) => d.spec?.replicas ?? 0,
    setSpecReplicas: (d, n) => {
      (d.spec as Mutable<NonNullable<D['spec']>>).replicas = n;
    },
    statusReplicas: (d) => d.status?.replicas ?? 0,
    selector: (d) => selectorForScale(d.spec?.selector),
  },
};

/** metav1.LabelSelectorAsSelector(...).String(): empty for no selector. */
export function selectorForScale(sel: Parameters<typeof labelSelectorString>[0]): string {
  const s = labelSelectorString(sel);
  return s === '<none>' ? '' : s;
}
