/**
 * @module What the handlers need from the server, as an interface, so handlers do not depend on
 * the server class that routes to them.
 */
import type { ResourceInfo } from '../machinery/resources.ts';
import type { Authenticator } from './auth/authenticator.ts';
import type { Authorizer } from './auth/authorizer.ts';
import type { Discovery } from './discovery.ts';
import type { ApiServerMetrics } from './metrics.ts';
import type { Store } from './registry/generic/store.ts';

export interface ServerContext {
  readonly discovery: Discovery;
  readonly metrics: ApiServerMetrics;
  readonly resources: ResourceInfo[];
  readonly ready: boolean;
  readonly authorizer: Authorizer;
  readonly authenticator: Authenticator;
  store(group: string, version: string, resource: string): Store | undefined;
}
