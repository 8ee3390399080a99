/**
 * @module scheduling.k8s.io/v1 PriorityClasses: value immutable, preemptionPolicy default
 * PreemptLowerPriority; NAME · VALUE · GLOBAL-DEFAULT · AGE · PREEMPTIONPOLICY.
 */
import type { PriorityClass } from 'kubernetes-types/scheduling/v1.js';
import { forbidden, invalid, notSupported, type FieldError } from '../../../api/field-error.ts';
import type { Mutable } from '../../../api/object.ts';
import { builtinResources, findResource } from '../../../machinery/resources.ts';
import { ageColumn, ageOf, column, nameColumn } from '../printing.ts';
import type { Strategy } from '../strategy.ts';

type PC = Mutable<PriorityClass>;

/** Upstream HighestUserDefinablePriority. */
export const highestUserDefinablePriority = 1000000000;
const systemPriorityClasses: Record<string, number> = { 'system-node-critical': 2000001000, 'system-cluster-critical': 2000000000 };

export const priorityClassStrategy: Strategy<PC> = {
  info: findResource(builtinResources, 'scheduling.k8s.io', 'v1', 'priorityclasses')!,
  defaults(pc) {
    if (!pc.preemptionPolicy) pc.preemptionPolicy = 'PreemptLowerPriority';
  },
  validate(pc) {
    const out: FieldError[] = [];
    const name = pc.metadata?.name ?? '';
    if (name.startsWith('system-')) {
      const v = systemPriorityClasses[name];
      if (v === undefined)
        out.push(forbidden('metadata.name', 'priority class names with \'system-\' prefix are reserved for system use only'));
      else if (pc.value !== v) out.push(forbidden('value', `value of ${name} must be ${v}`));
    } else if (pc.value > highestUserDefinablePriority) {
      out.push(forbidden('value', `maximum allowed value of a user defined priority is ${highestUserDefinablePriority}`));
    }
    if (pc.preemptionPolicy && !['PreemptLowerPriority', 'Never'].includes(pc.preemptionPolicy))
      out.push(notSupported('preemptionPolicy', pc.preemptionPolicy, ['Never', 'PreemptLowerPriority']));
    return out;
  },
  validateUpdate(pc, old) {
    const out: FieldError[] = [];
    if (pc.value !== old.value) out.push(forbidden('value', 'may not be changed in an update.'));
    if (pc.preemptionPolicy !== old.preemptionPolicy) out.push(invalid('preemptionPolicy', pc.preemptionPolicy, 'field is immutable'));
    return out;
  },
  table: {
    columns: [
      nameColumn,
      column('Value', 'integer', "The value of this priority class. This is the actual priority that pods receive when they have the name of this class in their pod spec."),
      column('Global-Default', 'boolean', 'globalDefault specifies whether this PriorityClass should be considered as the default priority for pods that do not have any priority class.'),
      ageColumn,
      column('PreemptionPolicy', 'string', 'PreemptionPolicy is the Policy for preempting pods with lower priority.'),
    ],
    cells: (pc, now) => [pc.metadata?.name ?? '', pc.value ?? 0, pc.globalDefault ?? false, ageOf(pc, now), pc.preemptionPolicy ?? ''],
  },
};
