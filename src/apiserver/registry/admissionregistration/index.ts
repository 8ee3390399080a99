/**
 * @module admissionregistration.k8s.io/v1 strategies.
 */
import type { Strategy } from '../strategy.ts';
import { validatingAdmissionPolicyBindingStrategy, validatingAdmissionPolicyStrategy } from './policies.ts';
import { mutatingWebhookConfigurationStrategy, validatingWebhookConfigurationStrategy } from './webhookconfigurations.ts';

export const admissionregistrationStrategies: Strategy[] = [
  mutatingWebhookConfigurationStrategy,
  validatingAdmissionPolicyStrategy,
  validatingAdmissionPolicyBindingStrategy,
  validatingWebhookConfigurationStrategy,
] as unknown as Strategy[];
