/**
 * @module apps/v1 ControllerRevisions: revision ≥ 0, data immutable; upstream prints
 * NAME · CONTROLLER · REVISION · AGE.
 */
import type { ControllerRevision } from 'kubernetes-types/apps/v1.js';
import type { FieldError } from '../../../api/field-error.ts';
import type { Mutable } from '../../../api/object.ts';
import { builtinResources, findResource } from '../../../machinery/resources.ts';
import { ageColumn, ageOf, column, nameColumn } from '../printing.ts';
import type { Strategy } from '../strategy.ts';
import { immutable, jsonEqual, nonNegative } from './workload.ts';

type CR = Mutable<ControllerRevision>;

export const controllerRevisionStrategy: Strategy<CR> = {
  info: findResource(builtinResources, 'apps', 'v1', 'controllerrevisions')!,
  validate(cr) {
    const out: FieldError[] = [];
    out.push(...nonNegative(cr.revision, 'revision'));
    return out;
  },
  validateUpdate(obj, old) {
    return jsonEqual(obj.data, old.data) ? [] : [immutable('data', obj.data)];
  },
  table: {
    columns: [
      nameColumn,
      column('Controller', 'string', 'Controller of the object.'),
      column('Revision', 'integer', 'Revision indicates the revision of the state represented by Data.'),
      ageColumn,
    ],
    cells(cr, now) {
      const owner = cr.metadata?.ownerReferences?.find((o) => o.controller);
      let controller = '<none>';
      if (owner) {
        const g = owner.apiVersion.includes('/') ? owner.apiVersion.split('/')[0] : '';
        controller = `${owner.kind.toLowerCase()}${g ? `.${g}` : ''}/${owner.name}`;
      }
      return [cr.metadata?.name ?? '', controller, cr.revision ?? 0, ageOf(cr, now)];
    },
  },
};
