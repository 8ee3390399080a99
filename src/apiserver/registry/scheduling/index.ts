/**
 * @module scheduling.k8s.io/v1 strategies.
 */
import type { Strategy } from '../strategy.ts';
import { priorityClassStrategy } from './priorityclass.ts';

export const schedulingStrategies: Strategy[] = [priorityClassStrategy] as unknown as Strategy[];
