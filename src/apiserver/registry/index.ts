/**
 * @module Every built-in resource strategy the server serves, in discovery order.
 */
import { admissionregistrationStrategies } from './admissionregistration/index.ts';
import { appsStrategies } from './apps/index.ts';
import { autoscalingStrategies } from './autoscaling/index.ts';
import { batchStrategies } from './batch/index.ts';
import { certificatesStrategies } from './certificates/index.ts';
import { coordinationStrategies } from './coordination/index.ts';
import { coreStrategies } from './core/index.ts';
import { discoveryStrategies } from './discovery/index.ts';
import { eventsStrategies } from './events/index.ts';
import { networkingStrategies } from './networking/index.ts';
import { policyStrategies } from './policy/index.ts';
import { rbacStrategies } from './rbac/index.ts';
import { schedulingStrategies } from './scheduling/index.ts';
import { storageStrategies } from './storage/index.ts';
import type { Strategy } from './strategy.ts';
import { builtinResources } from '../../machinery/resources.ts';

const all: Strategy[] = [
  ...coreStrategies,
  ...appsStrategies,
  ...admissionregistrationStrategies,
  ...autoscalingStrategies,
  ...batchStrategies,
  ...certificatesStrategies,
  ...coordinationStrategies,
  ...discoveryStrategies,
  ...eventsStrategies,
  ...networkingStrategies,
  ...policyStrategies,
  ...rbacStrategies,
  ...schedulingStrategies,
  ...storageStrategies,
];

/** Strategies ordered as the resource table lists them (that order is discovery's). */
export const allStrategies: Strategy[] = builtinResources.flatMap((r) =>
  all.filter((s) => s.info.group === r.group && s.info.version === r.version && s.info.resource === r.resource),
);
