/**
 * @module batch/v1 strategies.
 */
import type { Strategy } from '../strategy.ts';
import { cronJobStrategy } from './cronjob.ts';
import { jobStrategy } from './job.ts';

export const batchStrategies: Strategy[] = [cronJobStrategy, jobStrategy] as unknown as Strategy[];
