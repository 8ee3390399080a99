/**
 * @module policy/v1 strategies.
 */
import type { Strategy } from '../strategy.ts';
import { podDisruptionBudgetStrategy } from './poddisruptionbudget.ts';

export const policyStrategies: Strategy[] = [podDisruptionBudgetStrategy] as unknown as Strategy[];
