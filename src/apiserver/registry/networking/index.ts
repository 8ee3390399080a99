/**
 * @module networking.k8s.io/v1 strategies.
 */
import type { Strategy } from '../strategy.ts';
import { ingressStrategy } from './ingress.ts';
import { ingressClassStrategy } from './ingressclass.ts';
import { networkPolicyStrategy } from './networkpolicy.ts';

export const networkingStrategies: Strategy[] = [ingressClassStrategy, ingressStrategy, networkPolicyStrategy] as unknown as Strategy[];
