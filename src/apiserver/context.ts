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

/** How the API server reaches kubelets (upstream --kubelet-client-certificate, --kubelet-certificate-authority). */
export interface KubeletClientConfig {
  cert: string;
  key: string;
  /** CA that signs kubelet serving certificates. */
  ca: string;
  /** Besides loopback, the only kubelet addresses that may be dialled (IPv4 CIDRs). */
  addressCidrs: string[];
}

export interface ServerContext {
  readonly discovery: Discovery;
  readonly metrics: ApiServerMetrics;
  readonly resources: ResourceInfo[];
  readonly ready: boolean;
  readonly authorizer: Authorizer;
  readonly authenticator: Authenticator;
  store(group: string, version: string, resource: string): Store | undefined;
  /** Absent: pods/log, exec, attach and portforward answer that no kubelet can be reached. */
  readonly kubeletClient?: KubeletClientConfig;
}
