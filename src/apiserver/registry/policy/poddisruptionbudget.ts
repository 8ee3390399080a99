/**
 * @module policy/v1 PodDisruptionBudgets: validation and
 * NAME · MIN AVAILABLE · MAX UNAVAILABLE · ALLOWED DISRUPTIONS · AGE.
 */
import type { PodDisruptionBudget } from 'kubernetes-types/policy/v1.js';
import { invalid, notSupported, type FieldError } from '../../../api/field-error.ts';
import type { Mutable } from '../../../api/object.ts';
import { builtinResources, findResource } from '../../../machinery/resources.ts';
import { ageColumn, ageOf, column, nameColumn } from '../printing.ts';
import type { Strategy } from '../strategy.ts';
import { validateIntOrPercent } from '../apps/int-or-percent.ts';
import { nonNegative, validateLabelSelector } from '../apps/workload.ts';

type PDB = Mutable<PodDisruptionBudget>;

function percentOver100(v: number | string | undefined, path: string): FieldError[] {
  if (typeof v === 'string' && /^[0-9]+%$/.test(v) && parseInt(v, 10) > 100) return [invalid(path, v, 'must not be greater than 100%')];
  return [];
}

export const podDisruptionBudgetStrategy: Strategy<PDB> = {
  info: findResource(builtinResources, 'policy', 'v1', 'poddisruptionbudgets')!,
  validate(pdb) {
    const spec = pdb.spec ?? {};
    const out: FieldError[] = [];
    if (spec.minAvailable !== undefined && spec.maxUnavailable !== undefined)
      out.push(invalid('spec', spec, 'minAvailable and maxUnavailable cannot be both set'));
    out.push(...validateIntOrPercent(spec.minAvailable, 'spec.minAvailable'), ...percentOver100(spec.minAvailable, 'spec.minAvailable'));
    out.push(...validateIntOrPercent(spec.maxUnavailable, 'spec.maxUnavailable'), ...percentOver100(spec.maxUnavailable, 'spec.maxUnavailable'));
    out.push(...validateLabelSelector(spec.selector, 'spec.selector'));
    const uhp = spec.unhealthyPodEvictionPolicy;
    if (uhp && !['IfHealthyBudget', 'AlwaysAllow'].includes(uhp))
      out.push(notSupported('spec.unhealthyPodEvictionPolicy', uhp, ['AlwaysAllow', 'IfHealthyBudget']));
    return out;
  },
  validateStatusUpdate(pdb) {
    const s = pdb.status;
    if (!s) return [];
    return [
      ...nonNegative(s.disruptionsAllowed, 'status.disruptionsAllowed'),
      ...nonNegative(s.currentHealthy, 'status.currentHealthy'),
      ...nonNegative(s.desiredHealthy, 'status.desiredHealthy'),
      ...nonNegative(s.expectedPods, 'status.expectedPods'),
    ];
  },
  table: {
    columns: [
      nameColumn,
      column('Min Available', 'string', 'The minimum number of pods that must be available.'),
      column('Max Unavailable', 'string', 'The maximum number of pods that may be unavailable.'),
      column('Allowed Disruptions', 'integer', 'Calculated number of pods that may be disrupted at this time.'),
      ageColumn,
    ],
    cells: (pdb, now) => [
      pdb.metadata?.name ?? '',
      pdb.spec?.minAvailable !== undefined ? String(pdb.spec.minAvailable) : 'N/A',
      pdb.spec?.maxUnavailable !== undefined ? String(pdb.spec.maxUnavailable) : 'N/A',
      pdb.status?.disruptionsAllowed ?? 0,
      ageOf(pdb, now),
    ],
  },
};
