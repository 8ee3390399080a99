/**
 * @module apps/v1 strategies.
 */
import type { Strategy } from '../strategy.ts';
import { controllerRevisionStrategy } from './controllerrevision.ts';
import { daemonSetStrategy } from './daemonset.ts';
import { deploymentStrategy } from './deployment.ts';
import { replicaSetStrategy } from './replicaset.ts';
import { statefulSetStrategy } from './statefulset.ts';

export const appsStrategies: Strategy[] = [
  controllerRevisionStrategy,
  daemonSetStrategy,
  deploymentStrategy,
  replicaSetStrategy,
  statefulSetStrategy,
] as unknown as Strategy[];
