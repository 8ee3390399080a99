/**
 * @module batch/v1 Jobs: SetDefaults_Job, selector generation (jobStrategy.PrepareForCreate),
 * ValidateJob and the printed columns.
 */
import type { Job } from 'kubernetes-types/batch/v1.js';
import { forbidden, invalid, notSupported, required, type FieldError } from '../../../api/field-error.ts';
import type { Mutable } from '../../../api/object.ts';
import { builtinResources, findResource } from '../../../machinery/resources.ts';
import { ageColumn, ageOf, column, humanDuration, labelSelectorString, nameColumn } from '../printing.ts';
import type { Strategy } from '../strategy.ts';
import { validateJobPolicies } from './job-policies.ts';
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
  validateTemplate,
} from '../apps/workload.ts';

type J = Mutable<Job>;
type Spec = Mutable<NonNullable<J['spec']>>;

export const controllerUidLabel = 'batch.kubernetes.io/controller-uid';
export const jobNameLabel = 'batch.kubernetes.io/job-name';
export const legacyControllerUidLabel = 'controller-uid';
export const legacyJobNameLabel = 'job-name';

/** Upstream generateSelector: selector on the controller uid and labels on the template. */
export function generateJobSelector(job: J): void {
  const spec = (job.spec ??= {} as Spec) as Spec;
  if (spec.manualSelector) return;
  const uid = job.metadata?.uid ?? '';
  const name = job.metadata?.name ?? '';
  const tmpl = (spec.template ??= {} as Spec['template']) as Mutable<Spec['template']>;
  const meta = (tmpl.metadata ??= {}) as Mutable<NonNullable<typeof tmpl.metadata>>;
  const labels: Record<string, string> = { ...(meta.labels ?? {}) };
  if (labels[legacyControllerUidLabel] === undefined) labels[legacyControllerUidLabel] = uid;
  if (labels[legacyJobNameLabel] === undefined) labels[legacyJobNameLabel] = name;
  if (labels[controllerUidLabel] === undefined) labels[controllerUidLabel] = uid;
  if (labels[jobNameLabel] === undefined) labels[jobNameLabel] = name;
  meta.labels = labels;
  if (!spec.selector) spec.selector = { matchLabels: { [controllerUidLabel]: uid } };
}

export function defaultJob(job: J): void {
  const spec = (job.spec ??= {} as Spec) as Spec;
  const indexed = spec.completionMode === 'Indexed';
  if (spec.completions === undefined && spec.parallelism === undefined) {
    spec.completions = 1;
    spec.parallelism = 1;
  }
  if (spec.parallelism === undefined) spec.parallelism = 1;
  if (spec.backoffLimit === undefined) {
    spec.backoffLimit = indexed && spec.backoffLimitPerIndex !== undefined ? 2147483647 : 6;
  }
  if (!spec.completionMode) spec.completionMode = 'NonIndexed';
  if (spec.suspend === undefined) spec.suspend = false;
  if (spec.manualSelector === undefined) spec.manualSelector = false;
  if (!spec.podReplacementPolicy) spec.podReplacementPolicy = spec.podFailurePolicy ? 'Failed' : 'TerminatingOrFailed';
  for (const rule of spec.podFailurePolicy?.rules ?? []) {
    for (const p of rule.onPodConditions ?? []) {
      const mp = p as Mutable<typeof p>;
      if (!mp.status) mp.status = 'True';
    }
  }
  defaultTemplate(spec.template);
}

export function validateJob(job: J): FieldError[] {
  const spec = job.spec;
  if (!spec) return [required('spec')];
  const out: FieldError[] = [];
  out.push(...nonNegative(spec.parallelism, 'spec.parallelism'));
  out.push(...nonNegative(spec.completions, 'spec.completions'));
  out.push(...nonNegative(spec.activeDeadlineSeconds, 'spec.activeDeadlineSeconds'));
  out.push(...nonNegative(spec.backoffLimit, 'spec.backoffLimit'));
  out.push(...nonNegative(spec.ttlSecondsAfterFinished, 'spec.ttlSecondsAfterFinished'));
  if (spec.completionMode && !['NonIndexed', 'Indexed'].includes(spec.completionMode))
    out.push(notSupported('spec.completionMode', spec.completionMode, ['NonIndexed', 'Indexed']));
  if (spec.completionMode === 'Indexed' && spec.completions === undefined)
    out.push(required('spec.completions', 'when completion mode is Indexed'));
  if (spec.manualSelector) {
    out.push(...validateSelectorAndTemplate(spec.selector, spec.template, 'spec'));
  } else if (!spec.selector) {
    out.push(required('spec.selector'));
    out.push(...validateTemplate(spec.template, 'spec.template'));
  } else {
    out.push(...validateSelectorAndTemplate(spec.selector, spec.template, 'spec'));
  }
  const rp = spec.template?.spec?.restartPolicy;
  if (rp !== 'OnFailure' && rp !== 'Never') {
    if (!rp) out.push(required('spec.template.spec.restartPolicy', 'valid values: "OnFailure", "Never"'));
    else out.push(notSupported('spec.template.spec.restartPolicy', rp, ['OnFailure', 'Never']));
  }
  if (spec.podReplacementPolicy && !spec.podFailurePolicy && !['TerminatingOrFailed', 'Failed'].includes(spec.podReplacementPolicy))
    out.push(notSupported('spec.podReplacementPolicy', spec.podReplacementPolicy, ['Failed', 'TerminatingOrFailed']));
  out.push(...validateJobPolicies(spec));
  return out;
}

export function validateJobUpdate(obj: J, old: J): FieldError[] {
  const out: FieldError[] = [];
  if (!jsonEqual(obj.spec?.selector, old.spec?.selector)) out.push(immutable('spec.selector', obj.spec?.selector));
  if (obj.spec?.completionMode !== old.spec?.completionMode) out.push(immutable('spec.completionMode', obj.spec?.completionMode));
  if (obj.spec?.manualSelector !== old.spec?.manualSelector) out.push(immutable('spec.manualSelector', obj.spec?.manualSelector));
  if (obj.spec?.completions !== old.spec?.completions && obj.spec?.completionMode !== 'Indexed')
    out.push(immutable('spec.completions', obj.spec?.completions));
  // Upstream allows template changes only while suspended and never started (mutable scheduling
  // directives); keep the common case strict: the template is immutable unless suspended.
  if (!old.spec?.suspend && !jsonEqual(obj.spec?.template, old.spec?.template))
    out.push(invalid('spec.template', obj.spec?.template, 'field is immutable'));
  if (old.spec?.podFailurePolicy && !jsonEqual(obj.spec?.podFailurePolicy, old.spec.podFailurePolicy))
    out.push(forbidden('spec.podFailurePolicy', 'field is immutable'));
  return out;
}

/** Upstream printJob STATUS: the first matching terminal/intermediate condition. */
export function jobStatus(job: J): string {
  const conds = job.status?.conditions ?? [];
  const has = (t: string) => conds.some((c) => c.type === t && c.status === 'True');
  if (has('Complete')) return 'Complete';
  if (has('Failed')) return 'Failed';
  if (job.metadata?.deletionTimestamp) return 'Terminating';
  if (has('SuccessCriteriaMet')) return 'SuccessCriteriaMet';
  if (has('Suspended')) return 'Suspended';
  if (has('FailureTarget')) return 'FailureTarget';
  return 'Running';
}

function completions(job: J): string {
  const succeeded = job.status?.succeeded ?? 0;
  if (job.spec?.completions !== undefined && job.spec.completions !== null) return `${succeeded}/${job.spec.completions}`;
  const parallelism = job.spec?.parallelism ?? 0;
  if (parallelism > 1) return `${succeeded}/1 of ${parallelism}`;
  return `${succeeded}/1`;
}

function duration(job: J, now: Date): string {
  const start = job.status?.startTime;
  if (!start) return '';
  const end = job.status?.completionTime ? Date.parse(job.status.completionTime) : now.getTime();
  return humanDuration(end - Date.parse(start));
}

export const jobStrategy: Strategy<J> = {
  info: findResource(builtinResources, 'batch', 'v1', 'jobs')!,
  prepareForCreate: generateJobSelector,
  defaults: defaultJob,
  validate: validateJob,
  validateUpdate: validateJobUpdate,
  table: {
    columns: [
      nameColumn,
      column('Status', 'string', 'Status of the job.'),
      column('Completions', 'string', 'The completion status of the job as a fraction of the desired completions.'),
      column('Duration', 'string', 'Time required to complete the job.'),
      ageColumn,
      containersColumn,
      imagesColumn,
      selectorColumn,
    ],
    cells(job, now) {
      return [
        job.metadata?.name ?? '',
        jobStatus(job),
        completions(job),
        duration(job, now),
        ageOf(job, now),
        containerNames(job.spec?.template),
        containerImages(job.spec?.template),
        labelSelectorString(job.spec?.selector),
      ];
    },
  },
  fieldSelectors: {
    'status.successful': (job) => String(job.status?.succeeded ?? 0),
  },
};
