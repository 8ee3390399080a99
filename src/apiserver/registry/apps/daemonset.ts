/**
 * @module apps/v1 DaemonSets: SetDefaults_DaemonSet, validation, columns, and the template
 * generation upstream keeps in the `deprecated.daemonset.template.generation` annotation.
 */
import type { DaemonSet } from 'kubernetes-types/apps/v1.js';
import { invalid, notSupported, required, type FieldError } from '../../../api/field-error.ts';
import type { Mutable } from '../../../api/object.ts';
import { builtinResources, findResource } from '../../../machinery/resources.ts';
import { ageColumn, ageOf, column, labelSelectorString, labelsString, nameColumn } from '../printing.ts';
import type { Strategy } from '../strategy.ts';
import { validateIntOrPercent } from './int-or-percent.ts';
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

type DS = Mutable<DaemonSet>;
type Spec = Mutable<NonNullable<DS['spec']>>;

/** Upstream appsv1.DeprecatedTemplateGeneration. */
export const templateGenerationAnnotation = 'deprecated.daemonset.template.generation';

function templateGeneration(ds: DS): number {
  const n = Number(ds.metadata?.annotations?.[templateGenerationAnnotation]);
  return Number.isInteger(n) ? n : 0;
}

function setTemplateGeneration(ds: DS, n: number): void {
  const meta = (ds.metadata ??= {});
  meta.annotations = { ...meta.annotations, [templateGenerationAnnotation]: String(n) };
}

export const daemonSetStrategy: Strategy<DS> = {
  info: findResource(builtinResources, 'apps', 'v1', 'daemonsets')!,
  defaults(ds) {
    const spec = (ds.spec ??= {} as Spec) as Spec;
    const us = (spec.updateStrategy ??= {}) as Mutable<NonNullable<Spec['updateStrategy']>>;
    if (!us.type) us.type = 'RollingUpdate';
    if (us.type === 'RollingUpdate') {
      const ru = (us.rollingUpdate ??= {}) as Mutable<NonNullable<typeof us.rollingUpdate>>;
      if (ru.maxUnavailable === undefined) ru.maxUnavailable = 1;
      if (ru.maxSurge === undefined) ru.maxSurge = 0;
    }
    if (spec.revisionHistoryLimit === undefined) spec.revisionHistoryLimit = 10;
    defaultTemplate(spec.template);
  },
  // As upstream's daemonSetStrategy: the template generation starts at 1 and goes up by one
  // with every change of spec.template (the internal field surfaces as this annotation in v1).
  prepareForCreate(ds) {
    setTemplateGeneration(ds, Math.max(1, templateGeneration(ds)));
  },
  prepareForUpdate(ds, old) {
    const prev = templateGeneration(old);
    setTemplateGeneration(ds, jsonEqual(ds.spec?.template, old.spec?.template) ? prev : prev + 1);
  },
  validate(ds) {
    const spec = ds.spec;
    if (!spec) return [required('spec')];
    const out: FieldError[] = [...nonNegative(spec.minReadySeconds, 'spec.minReadySeconds')];
    out.push(...validateSelectorAndTemplate(spec.selector, spec.template, 'spec'));
    const rp = spec.template?.spec?.restartPolicy;
    if (rp && rp !== 'Always') out.push(notSupported('spec.template.spec.restartPolicy', rp, ['Always']));
    const t = spec.updateStrategy?.type;
    if (t && !['RollingUpdate', 'OnDelete'].includes(t)) out.push(notSupported('spec.updateStrategy.type', t, ['OnDelete', 'RollingUpdate']));
    const ru = spec.updateStrategy?.rollingUpdate;
    if (t === 'RollingUpdate' && ru) {
      out.push(...validateIntOrPercent(ru.maxUnavailable, 'spec.updateStrategy.rollingUpdate.maxUnavailable'));
      out.push(...validateIntOrPercent(ru.maxSurge, 'spec.updateStrategy.rollingUpdate.maxSurge'));
      const zero = (v: unknown) => v === 0 || v === '0%';
      if (zero(ru.maxUnavailable) && zero(ru.maxSurge))
        out.push(invalid('spec.updateStrategy.rollingUpdate.maxUnavailable', ru.maxUnavailable, 'may not be 0 when `maxSurge` is 0'));
    }
    out.push(...nonNegative(spec.revisionHistoryLimit, 'spec.revisionHistoryLimit'));
    return out;
  },
  validateUpdate(obj, old) {
    return jsonEqual(obj.spec?.selector, old.spec?.selector) ? [] : [immutable('spec.selector', obj.spec?.selector)];
  },
  table: {
    columns: [
      nameColumn,
      column('Desired', 'integer', 'The total number of nodes that should be running the daemon pod (including nodes correctly running the daemon pod).'),
      column('Current', 'integer', 'The number of nodes that are running at least 1 daemon pod and are supposed to run the daemon pod.'),
      column('Ready', 'integer', 'numberReady is the number of nodes that should be running the daemon pod and have one or more of the daemon pod running and ready.'),
      column('Up-to-date', 'integer', 'The total number of nodes that are running updated daemon pod'),
      column('Available', 'integer', 'The number of nodes that should be running the daemon pod and have one or more of the daemon pod running and available (ready for at least spec.minReadySeconds)'),
      column('Node Selector', 'string', 'NodeSelector is a selector which must be true for the pod to fit on a node.'),
      ageColumn,
      containersColumn,
      imagesColumn,
      selectorColumn,
    ],
    cells(ds, now) {
      const s = ds.status;
      return [
        ds.metadata?.name ?? '',
        s?.desiredNumberScheduled ?? 0,
        s?.currentNumberScheduled ?? 0,
        s?.numberReady ?? 0,
        s?.updatedNumberScheduled ?? 0,
        s?.numberAvailable ?? 0,
        labelsString(ds.spec?.template?.spec?.nodeSelector),
        ageOf(ds, now),
        containerNames(ds.spec?.template),
        containerImages(ds.spec?.template),
        labelSelectorString(ds.spec?.selector),
      ];
    },
  },
};
