/**
 * @module events.k8s.io/v1 strategies.
 */
import type { Strategy } from '../strategy.ts';
import { eventV1Strategy } from './event.ts';

export const eventsStrategies: Strategy[] = [eventV1Strategy] as unknown as Strategy[];
