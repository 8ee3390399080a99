/**
 * @module events.k8s.io/v1 Events, stored as core/v1 Events (upstream shares one storage):
 * field renames both ways, events.k8s.io create validation, and the core Event columns.
 */
import type { Event as CoreEvent } from 'kubernetes-types/core/v1.js';
import type { Event } from 'kubernetes-types/events/v1.js';
import { invalid, notSupported, required, type FieldError } from '../../../api/field-error.ts';
import type { KubeObject, Mutable } from '../../../api/object.ts';
import { builtinResources, findResource } from '../../../machinery/resources.ts';
import { column, since } from '../printing.ts';
import type { Strategy } from '../strategy.ts';

export type EV = Mutable<Event>;
type CE = Mutable<CoreEvent>;

/** Copies `from[a]` to `to[b]` when defined. */
function move(from: Record<string, unknown>, to: Record<string, unknown>, pairs: Array<[string, string]>): void {
  for (const [a, b] of pairs) if (from[a] !== undefined && from[a] !== null) to[b] = structuredClone(from[a]);
}

const renames: Array<[string, string]> = [
  ['note', 'message'],
  ['regarding', 'involvedObject'],
  ['reportingController', 'reportingComponent'],
  ['deprecatedSource', 'source'],
  ['deprecatedFirstTimestamp', 'firstTimestamp'],
  ['deprecatedLastTimestamp', 'lastTimestamp'],
  ['deprecatedCount', 'count'],
  ['reportingInstance', 'reportingInstance'],
  ['eventTime', 'eventTime'],
  ['series', 'series'],
  ['action', 'action'],
  ['reason', 'reason'],
  ['type', 'type'],
  ['related', 'related'],
];

export function eventToCore(ev: EV): CE {
  const out: Record<string, unknown> = { apiVersion: 'v1', kind: 'Event', metadata: structuredClone(ev.metadata ?? {}) };
  move(ev as Record<string, unknown>, out, renames);
  if (out.involvedObject === undefined) out.involvedObject = {};
  return out as unknown as CE;
}

export function eventFromCore(ce: CE): EV {
  const out: Record<string, unknown> = { apiVersion: 'events.k8s.io/v1', kind: 'Event', metadata: structuredClone(ce.metadata ?? {}) };
  move(ce as Record<string, unknown>, out, renames.map(([a, b]) => [b, a] as [string, string]));
  // Core events may carry a zero reportingComponent; events.k8s.io shows eventTime as null then.
  if (out.eventTime === undefined) out.eventTime = null;
  return out as unknown as EV;
}

export function validateEventV1(ev: EV): FieldError[] {
  const out: FieldError[] = [];
  if (!ev.eventTime) out.push(required('eventTime'));
  if (ev.type !== 'Normal' && ev.type !== 'Warning') out.push(notSupported('type', ev.type ?? '', ['Normal', 'Warning']));
  if (!ev.reportingController) out.push(required('reportingController'));
  if (!ev.reportingInstance) out.push(required('reportingInstance'));
  else if (ev.reportingInstance.length > 128) out.push(invalid('reportingInstance', ev.reportingInstance, 'can have at most 128 characters'));
  if (!ev.action) out.push(required('action'));
  else if (ev.action.length > 128) out.push(invalid('action', ev.action, 'can have at most 128 characters'));
  if (!ev.reason) out.push(required('reason'));
  else if (ev.reason.length > 128) out.push(invalid('reason', ev.reason, 'can have at most 128 characters'));
  if ((ev.note ?? '').length > 1024) out.push(invalid('note', '', 'can have at most 1024 characters'));
  if (ev.regarding?.namespace && ev.metadata?.namespace && ev.regarding.namespace !== ev.metadata.namespace)
    out.push(invalid('regarding.namespace', ev.regarding.namespace, 'does not match event.namespace'));
  return out;
}

export function validateEventV1Update(ev: EV, old: EV): FieldError[] {
  const out: FieldError[] = [];
  const same = (a: unknown, b: unknown) => JSON.stringify(a ?? null) === JSON.stringify(b ?? null);
  for (const f of ['regarding', 'note', 'reason', 'reportingController', 'reportingInstance', 'action', 'type', 'eventTime', 'related'] as const)
    if (!same(ev[f], old[f])) out.push(invalid(f, ev[f], 'field is immutable'));
  return out;
}

/** The core/v1 Event columns (upstream printEvent), computed from the events.k8s.io form. */
export const eventTable: Strategy<EV>['table'] = {
  columns: [
    column('Last Seen', 'string', 'The time at which the most recent occurrence of this event was recorded.'),
    column('Type', 'string', 'Type of this event (Normal, Warning), new types could be added in the future.'),
    column('Reason', 'string', 'This should be a short, machine understandable string that gives the reason for the transition into the object\'s current status.'),
    column('Object', 'string', 'The object that this event is about.'),
    column('Subobject', 'string', 'The subobject that this event is about.', 1),
    column('Source', 'string', 'The component reporting this event. Should be a short machine understandable string.', 1),
    column('Message', 'string', 'A human-readable description of the status of this operation.'),
    column('First Seen', 'string', 'The time at which the event was first recorded.', 1),
    column('Count', 'integer', 'The number of times this event has occurred.', 1),
    { name: 'Name', type: 'string', format: 'name', description: 'Name must be unique within a namespace.', priority: 1 },
  ],
  cells(ev, now) {
    const first = ev.deprecatedFirstTimestamp ? since(ev.deprecatedFirstTimestamp, now) : since(ev.eventTime ?? undefined, now);
    let last = ev.deprecatedLastTimestamp ? since(ev.deprecatedLastTimestamp, now) : first;
    let count = ev.deprecatedCount ?? 0;
    if (ev.series) {
      last = since(ev.series.lastObservedTime, now);
      count = ev.series.count;
    } else if (count === 0) count = 1;
    const r = ev.regarding;
    const target = `${(r?.kind ?? '').toLowerCase()}/${r?.name ?? ''}`;
    let component = ev.deprecatedSource?.component ?? '';
    let host = ev.deprecatedSource?.host ?? '';
    if (!component) {
      component = ev.reportingController ?? '';
      host = ev.reportingInstance ?? '';
    }
    const source = host ? `${component}, ${host}` : component;
    return [last, ev.type ?? '', ev.reason ?? '', target, r?.fieldPath ?? '', source, (ev.note ?? '').trim(), first, count, ev.metadata?.name ?? ''];
  },
};

export const eventV1Strategy: Strategy<EV> = {
  info: findResource(builtinResources, 'events.k8s.io', 'v1', 'events')!,
  allowCreateOnUpdate: true,
  validate: validateEventV1,
  validateUpdate: validateEventV1Update,
  table: eventTable,
  fieldSelectors: {
    'regarding.kind': (e) => e.regarding?.kind,
    'regarding.name': (e) => e.regarding?.name,
    'regarding.namespace': (e) => e.regarding?.namespace,
    'regarding.uid': (e) => e.regarding?.uid,
    'regarding.apiVersion': (e) => e.regarding?.apiVersion,
    'regarding.resourceVersion': (e) => e.regarding?.resourceVersion,
    'regarding.fieldPath': (e) => e.regarding?.fieldPath,
    'involvedObject.kind': (e) => e.regarding?.kind,
    'involvedObject.name': (e) => e.regarding?.name,
    'involvedObject.namespace': (e) => e.regarding?.namespace,
    'involvedObject.uid': (e) => e.regarding?.uid,
    'involvedObject.apiVersion': (e) => e.regarding?.apiVersion,
    'involvedObject.resourceVersion': (e) => e.regarding?.resourceVersion,
    'involvedObject.fieldPath': (e) => e.regarding?.fieldPath,
    reason: (e) => e.reason,
    reportingController: (e) => e.reportingController,
    reportingComponent: (e) => e.reportingController,
    source: (e) => e.deprecatedSource?.component ?? e.reportingController,
    type: (e) => e.type,
  },
  storage: {
    group: '',
    version: 'v1',
    resource: 'events',
    toStorage: (obj) => eventToCore(obj) as unknown as KubeObject,
    fromStorage: (obj) => eventFromCore(obj as unknown as CE),
  },
};
