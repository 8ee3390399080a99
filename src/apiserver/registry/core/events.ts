/**
 * @module core/v1 Event strategy: involvedObject required, upstream columns (LAST SEEN from the
 * newest timestamp, OBJECT as kind/name) and the involvedObject field selectors.
 */
import type { Event } from 'kubernetes-types/core/v1.js';
import { required, type FieldError } from '../../../api/field-error.ts';
import type { KubeObject } from '../../../api/object.ts';
import { column, since } from '../printing.ts';
import type { Strategy } from '../strategy.ts';
import { coreInfo } from './info.ts';

type Ev = Event & KubeObject;

function lastSeen(e: Event, now: Date): string {
  const t = e.series?.lastObservedTime ?? e.lastTimestamp ?? e.eventTime ?? e.firstTimestamp ?? e.metadata?.creationTimestamp;
  return t ? since(t, now) : '<unknown>';
}

export const events: Strategy<Ev> = {
  info: coreInfo('events'),
  allowCreateOnUpdate: true,
  validate(e) {
    const errs: FieldError[] = [];
    if (!e.involvedObject) errs.push(required('involvedObject'));
    if (e.involvedObject?.namespace && e.metadata?.namespace && e.involvedObject.namespace !== e.metadata.namespace)
      errs.push({ type: 'FieldValueInvalid', field: 'involvedObject.namespace', value: e.involvedObject.namespace, detail: 'does not match event.namespace' });
    return errs;
  },
  table: {
    columns: [
      column('Last Seen', 'string', 'Time since the event was last observed'),
      column('Type', 'string', 'Type of this event (Normal, Warning)'),
      column('Reason', 'string', 'The reason for the transition'),
      column('Object', 'string', 'The object this event is about'),
      column('Subobject', 'string', 'The part of the object this event is about', 1),
      column('Source', 'string', 'The component reporting this event', 1),
      column('Message', 'string', 'A human-readable description of the status of this operation'),
      column('First Seen', 'string', 'Time since the event was first observed', 1),
      column('Count', 'string', 'The number of times this event has occurred', 1),
      column('Name', 'string', 'The name of the event', 1),
    ],
    cells: (e, now) => [
      lastSeen(e, now),
      e.type ?? '',
      e.reason ?? '',
      `${(e.involvedObject?.kind ?? '').toLowerCase()}/${e.involvedObject?.name ?? ''}`,
      e.involvedObject?.fieldPath ?? '',
      [e.source?.component ?? e.reportingComponent ?? '', e.source?.host ?? ''].filter(Boolean).join(', '),
      (e.message ?? '').trim(),
      e.firstTimestamp ? since(e.firstTimestamp, now) : e.eventTime ? since(e.eventTime, now) : '<unknown>',
      e.count ?? e.series?.count ?? 1,
      e.metadata?.name ?? '',
    ],
  },
  fieldSelectors: {
    'involvedObject.kind': (e) => e.involvedObject?.kind ?? '',
    'involvedObject.namespace': (e) => e.involvedObject?.namespace ?? '',
    'involvedObject.name': (e) => e.involvedObject?.name ?? '',
    'involvedObject.uid': (e) => e.involvedObject?.uid ?? '',
    'involvedObject.apiVersion': (e) => e.involvedObject?.apiVersion ?? '',
    'involvedObject.resourceVersion': (e) => e.involvedObject?.resourceVersion ?? '',
    'involvedObject.fieldPath': (e) => e.involvedObject?.fieldPath ?? '',
    reason: (e) => e.reason ?? '',
    reportingComponent: (e) => e.reportingComponent ?? '',
    source: (e) => e.source?.component ?? e.reportingComponent ?? '',
    type: (e) => e.type ?? '',
  },
};
