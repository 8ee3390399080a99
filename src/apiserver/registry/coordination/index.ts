/**
 * @module coordination.k8s.io/v1 strategies.
 */
import type { Strategy } from '../strategy.ts';
import { leaseStrategy } from './lease.ts';

export const coordinationStrategies: Strategy[] = [leaseStrategy] as unknown as Strategy[];
