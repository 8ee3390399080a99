/**
 * @module All field tables merged into one lookup, plus the apiVersion/kind registry.
 */
import type { MessageTable } from '../table.ts';
import { appsMessages } from './apps.ts';
import { authenticationMessages } from './authentication.ts';
import { authorizationMessages } from './authorization.ts';
import { autoscalingMessages } from './autoscaling.ts';
import { batchMessages } from './batch.ts';
import { certificatesMessages } from './certificates.ts';
import { coreContainerMessages } from './core-container.ts';
import { corePodMessages } from './core-pod.ts';
import { coreVolumeMessages } from './core-volume.ts';
import { coreMessages } from './core.ts';
import { metaMessages } from './meta.ts';
import { networkingMessages } from './networking.ts';
import { policyMessages } from './policy.ts';
import { rbacMessages } from './rbac.ts';
import { schedulingMessages } from './scheduling.ts';

export { KIND_MESSAGES } from './kinds.ts';

export const MESSAGES: MessageTable = {
  ...metaMessages,
  ...coreMessages,
  ...corePodMessages,
  ...coreContainerMessages,
  ...coreVolumeMessages,
  ...appsMessages,
  ...batchMessages,
  ...rbacMessages,
  ...policyMessages,
  ...schedulingMessages,
  ...networkingMessages,
  ...autoscalingMessages,
  ...authenticationMessages,
  ...authorizationMessages,
  ...certificatesMessages,
};
