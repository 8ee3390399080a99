/**
 * @module LimitRange strategy (upstream prints NAME and CREATED AT).
 */
import type { LimitRange } from 'kubernetes-types/core/v1.js';
import type { KubeObject } from '../../../api/object.ts';
import { validateResourceList } from '../../../api/validation/quantity.ts';
import { column, nameColumn } from '../printing.ts';
import type { Strategy } from '../strategy.ts';
import { coreInfo } from './info.ts';

export const limitranges: Strategy<LimitRange & KubeObject> = {
  info: coreInfo('limitranges'),
  validate: (l) =>
    (l.spec?.limits ?? []).flatMap((item, i) =>
      (['max', 'min', 'default', 'defaultRequest', 'maxLimitRequestRatio'] as const).flatMap((f) => validateResourceList(item[f], `spec.limits[${i}].${f}`)),
    ),
  table: {
    columns: [nameColumn, column('Created At', 'date', 'When the limit range was created')],
    cells: (l) => [l.metadata?.name ?? '', l.metadata?.creationTimestamp ?? ''],
  },
};
