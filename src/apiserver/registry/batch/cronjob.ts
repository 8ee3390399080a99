/**
 * @module batch/v1 CronJobs: SetDefaults_CronJob, ValidateCronJob and the printed columns.
 */
import type { CronJob } from 'kubernetes-types/batch/v1.js';
import { invalid, notSupported, required, type FieldError } from '../../../api/field-error.ts';
import type { Mutable } from '../../../api/object.ts';
import { builtinResources, findResource } from '../../../machinery/resources.ts';
import { ageColumn, ageOf, column, labelSelectorString, nameColumn, since } from '../printing.ts';
import type { Strategy } from '../strategy.ts';
import { containerImages, containerNames, containersColumn, imagesColumn, nonNegative, selectorColumn, defaultTemplate, validateTemplate } from '../apps/workload.ts';
import { cronScheduleError, validTimeZone } from '../../../machinery/cron.ts';

type CJ = Mutable<CronJob>;
type Spec = Mutable<NonNullable<CJ['spec']>>;

export function defaultCronJob(cj: CJ): void {
  const spec = (cj.spec ??= {} as Spec) as Spec;
  if (!spec.concurrencyPolicy) spec.concurrencyPolicy = 'Allow';
  if (spec.suspend === undefined) spec.suspend = false;
  if (spec.successfulJobsHistoryLimit === undefined) spec.successfulJobsHistoryLimit = 3;
  if (spec.failedJobsHistoryLimit === undefined) spec.failedJobsHistoryLimit = 1;
  const jobSpec = spec.jobTemplate?.spec as Mutable<NonNullable<Spec['jobTemplate']['spec']>> | undefined;
  if (jobSpec) {
    // SetDefaults_Job's spec part applies to the job template too.
    if (jobSpec.completions === undefined && jobSpec.parallelism === undefined) {
      jobSpec.completions = 1;
      jobSpec.parallelism = 1;
    }
    if (jobSpec.parallelism === undefined) jobSpec.parallelism = 1;
    if (jobSpec.backoffLimit === undefined) jobSpec.backoffLimit = 6;
    if (!jobSpec.completionMode) jobSpec.completionMode = 'NonIndexed';
    if (jobSpec.suspend === undefined) jobSpec.suspend = false;
    if (!jobSpec.podReplacementPolicy) jobSpec.podReplacementPolicy = jobSpec.podFailurePolicy ? 'Failed' : 'TerminatingOrFailed';
    defaultTemplate(jobSpec.template);
  }
}

export function validateCronJob(cj: CJ): FieldError[] {
  const spec = cj.spec;
  if (!spec) return [required('spec')];
  const out: FieldError[] = [];
  if (!spec.schedule) out.push(required('spec.schedule'));
  else {
    const err = cronScheduleError(spec.schedule);
    if (err) out.push(invalid('spec.schedule', spec.schedule, err));
    // Upstream validateScheduleFormat on create: "TZ" anywhere in the schedule is refused
    // (CRON_TZ= and TZ= alike; the timeZone field replaces them). Upstream lets an update keep
    // a TZ its old schedule already had unless timeZone is set; no stored object here can have
    // one (create refused a leading TZ= before), so the create rule serves both.
    if (spec.schedule.includes('TZ'))
      out.push(invalid('spec.schedule', spec.schedule, 'cannot use TZ or CRON_TZ in schedule, use timeZone field instead'));
  }
  if (spec.timeZone !== undefined && spec.timeZone !== null && !validTimeZone(spec.timeZone))
    out.push(invalid('spec.timeZone', spec.timeZone, 'unknown time zone ' + spec.timeZone));
  out.push(...nonNegative(spec.startingDeadlineSeconds, 'spec.startingDeadlineSeconds'));
  if (spec.concurrencyPolicy && !['Allow', 'Forbid', 'Replace'].includes(spec.concurrencyPolicy))
    out.push(notSupported('spec.concurrencyPolicy', spec.concurrencyPolicy, ['Allow', 'Forbid', 'Replace']));
  out.push(...nonNegative(spec.successfulJobsHistoryLimit, 'spec.successfulJobsHistoryLimit'));
  out.push(...nonNegative(spec.failedJobsHistoryLimit, 'spec.failedJobsHistoryLimit'));
  // Upstream: name + 11 chars of job suffix must stay a valid label-length name.
  const name = cj.metadata?.name ?? '';
  if (name.length > 52) out.push(invalid('metadata.name', name, 'must be no more than 52 characters'));
  const js = spec.jobTemplate?.spec;
  if (!js) out.push(required('spec.jobTemplate.spec'));
  else {
    out.push(...nonNegative(js.parallelism, 'spec.jobTemplate.spec.parallelism'));
    out.push(...nonNegative(js.completions, 'spec.jobTemplate.spec.completions'));
    out.push(...nonNegative(js.backoffLimit, 'spec.jobTemplate.spec.backoffLimit'));
    out.push(...nonNegative(js.activeDeadlineSeconds, 'spec.jobTemplate.spec.activeDeadlineSeconds'));
    out.push(...validateTemplate(js.template, 'spec.jobTemplate.spec.template'));
    const rp = js.template?.spec?.restartPolicy;
    if (rp !== 'OnFailure' && rp !== 'Never') {
      if (!rp) out.push(required('spec.jobTemplate.spec.template.spec.restartPolicy', 'valid values: "OnFailure", "Never"'));
      else out.push(notSupported('spec.jobTemplate.spec.template.spec.restartPolicy', rp, ['OnFailure', 'Never']));
    }
  }
  return out;
}

export const cronJobStrategy: Strategy<CJ> = {
  info: findResource(builtinResources, 'batch', 'v1', 'cronjobs')!,
  defaults: defaultCronJob,
  validate: validateCronJob,
  table: {
    columns: [
      nameColumn,
      column('Schedule', 'string', 'The schedule in Cron format, see https://en.wikipedia.org/wiki/Cron.'),
      column('Timezone', 'string', 'The time zone name for the given schedule, see https://en.wikipedia.org/wiki/List_of_tz_database_time_zones.'),
      column('Suspend', 'boolean', 'This flag tells the controller to suspend subsequent executions.'),
      column('Active', 'integer', 'A list of pointers to currently running jobs.'),
      column('Last Schedule', 'string', 'Information when was the last time the job was successfully scheduled.'),
      ageColumn,
      containersColumn,
      imagesColumn,
      selectorColumn,
    ],
    cells(cj, now) {
      const t = cj.spec?.jobTemplate?.spec?.template;
      return [
        cj.metadata?.name ?? '',
        cj.spec?.schedule ?? '',
        cj.spec?.timeZone ?? '<none>',
        // Upstream printBoolPtr: the words True/False, in a boolean column.
        cj.spec?.suspend === undefined ? '<unknown>' : cj.spec.suspend ? 'True' : 'False',
        (cj.status?.active ?? []).length,
        cj.status?.lastScheduleTime ? since(cj.status.lastScheduleTime, now) : '<none>',
        ageOf(cj, now),
        containerNames(t),
        containerImages(t),
        labelSelectorString(cj.spec?.jobTemplate?.spec?.selector),
      ];
    },
  },
};
