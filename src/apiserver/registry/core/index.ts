/**
 * @module Every core/v1 strategy (bindings are served by the router, not stored).
 */
import type { Strategy } from '../strategy.ts';
import { configmaps } from './configmaps.ts';
import { endpoints } from './endpoints.ts';
import { events } from './events.ts';
import { namespaces } from './namespaces.ts';
import { nodes } from './nodes.ts';
import { pods } from './pods.ts';
import { limitranges } from './limitranges.ts';
import { podtemplates } from './podtemplates.ts';
import { resourcequotas } from './resourcequotas.ts';
import { replicationcontrollers } from './replicationcontrollers.ts';
import { secrets } from './secrets.ts';
import { serviceaccounts } from './serviceaccounts.ts';
import { services } from './services.ts';
import { persistentvolumeclaims } from './persistentvolumeclaims.ts';
import { persistentvolumes } from './persistentvolumes.ts';

export const coreStrategies = [
  configmaps,
  endpoints,
  events,
  limitranges,
  namespaces,
  nodes,
  persistentvolumeclaims,
  persistentvolumes,
  pods,
  podtemplates,
  replicationcontrollers,
  resourcequotas,
  secrets,
  serviceaccounts,
  services,
] as unknown as Strategy[];
