/**
 * @module autoscaling strategies: v2 (storage) and v1 (converted).
 */
import type { Strategy } from '../strategy.ts';
import { hpaV1Strategy } from './hpa-v1.ts';
import { hpaV2Strategy } from './hpa-v2.ts';

export const autoscalingStrategies: Strategy[] = [hpaV2Strategy, hpaV1Strategy] as unknown as Strategy[];
