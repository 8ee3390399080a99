/**
 * @module PodTemplate strategy: pod template defaults and validation, upstream columns.
 */
import type { PodTemplate } from 'kubernetes-types/core/v1.js';
import type { KubeObject } from '../../../api/object.ts';
import { defaultPodTemplateSpec } from '../../../api/defaults/pod-spec.ts';
import { validatePodTemplateSpec } from '../../../api/validation/pod-spec.ts';
import { column, joinOrNone, labelsString } from '../printing.ts';
import type { Strategy } from '../strategy.ts';
import { coreInfo } from './info.ts';

export const podtemplates: Strategy<PodTemplate & KubeObject> = {
  info: coreInfo('podtemplates'),
  defaults: (t) => {
    if (t.template) defaultPodTemplateSpec(t.template);
  },
  validate: (t) => validatePodTemplateSpec(t.template, 'template'),
  table: {
    columns: [
      column('Template', 'string', 'Name of the pod template'),
      column('Containers', 'string', 'Names of each container in the template'),
      column('Images', 'string', 'Images referenced by each container in the template'),
      column('Pod Labels', 'string', 'The labels of the pod template'),
    ],
    cells: (t) => [
      t.metadata?.name ?? '',
      joinOrNone(t.template?.spec?.containers?.map((c) => c.name)),
      joinOrNone(t.template?.spec?.containers?.map((c) => c.image ?? '')),
      labelsString(t.template?.metadata?.labels),
    ],
  },
};
