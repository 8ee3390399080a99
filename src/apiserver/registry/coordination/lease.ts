/**
 * @module coordination.k8s.io/v1 Leases: PUT creates (leader election), NAME · HOLDER · AGE.
 */
import type { Lease } from 'kubernetes-types/coordination/v1.js';
import { invalid, type FieldError } from '../../../api/field-error.ts';
import type { Mutable } from '../../../api/object.ts';
import { builtinResources, findResource } from '../../../machinery/resources.ts';
import { ageColumn, ageOf, column, nameColumn } from '../printing.ts';
import type { Strategy } from '../strategy.ts';

type L = Mutable<Lease>;

export const leaseStrategy: Strategy<L> = {
  info: findResource(builtinResources, 'coordination.k8s.io', 'v1', 'leases')!,
  allowCreateOnUpdate: true,
  validate(l) {
    const s = l.spec ?? {};
    const out: FieldError[] = [];
    if (s.leaseDurationSeconds !== undefined && s.leaseDurationSeconds <= 0)
      out.push(invalid('spec.leaseDurationSeconds', s.leaseDurationSeconds, 'must be greater than 0'));
    if (s.leaseTransitions !== undefined && s.leaseTransitions < 0)
      out.push(invalid('spec.leaseTransitions', s.leaseTransitions, 'must be greater than or equal to 0'));
    return out;
  },
  table: {
    columns: [nameColumn, column('Holder', 'string', 'The holder of the lease.'), ageColumn],
    cells: (l, now) => [l.metadata?.name ?? '', l.spec?.holderIdentity ?? '', ageOf(l, now)],
  },
};
