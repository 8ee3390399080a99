/**
 * @module storage.k8s.io/v1 strategies.
 */
import type { Strategy } from '../strategy.ts';
import { storageClassStrategy } from './storageclass.ts';

export const storageStrategies: Strategy[] = [storageClassStrategy] as unknown as Strategy[];
