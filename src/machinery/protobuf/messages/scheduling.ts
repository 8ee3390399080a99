/**
 * @module Field tables for scheduling/v1, written by tools/gen-tables.ts (v0.32.4); see ../table.ts.
 */
import type { MessageTable } from '../table.ts';

export const schedulingMessages: MessageTable = {
  'scheduling.v1.PriorityClass': {
    1: ['metadata', 'meta.v1.ObjectMeta', 'o'], 2: ['value', 'int32'], 3: ['globalDefault', 'bool', 'o'],
    4: ['description', 'string', 'o'], 5: ['preemptionPolicy', 'string'],
  },
};
