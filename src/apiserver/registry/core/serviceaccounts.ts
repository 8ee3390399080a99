/**
 * @module ServiceAccount strategy.
 */
import type { ServiceAccount } from 'kubernetes-types/core/v1.js';
import type { KubeObject } from '../../../api/object.ts';
import { ageColumn, ageOf, column, nameColumn } from '../printing.ts';
import type { Strategy } from '../strategy.ts';
import { coreInfo } from './info.ts';

export const serviceaccounts: Strategy<ServiceAccount & KubeObject> = {
  info: coreInfo('serviceaccounts'),
  validate: () => [],
  table: {
    columns: [nameColumn, column('Secrets', 'string', 'Number of secrets'), ageColumn],
    cells: (sa, now) => [sa.metadata?.name ?? '', sa.secrets?.length ?? 0, ageOf(sa, now)],
  },
};
