/**
 * @module discovery.k8s.io/v1 strategies.
 */
import type { Strategy } from '../strategy.ts';
import { endpointSliceStrategy } from './endpointslice.ts';

export const discoveryStrategies: Strategy[] = [endpointSliceStrategy] as unknown as Strategy[];
