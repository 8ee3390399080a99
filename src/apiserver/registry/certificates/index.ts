/**
 * @module certificates.k8s.io/v1 strategies.
 */
import type { Strategy } from '../strategy.ts';
import { certificateSigningRequestStrategy } from './certificatesigningrequest.ts';

export const certificatesStrategies: Strategy[] = [certificateSigningRequestStrategy] as unknown as Strategy[];
