/**
 * @module The service proxy's view of the cluster, shared by its backends: one entry per
 * Service port with the addresses it is reached on and the endpoints each kind of traffic goes
 * to, already filtered by traffic policy and readiness (upstream's categorizeEndpoints). The
 * desired-state computation fills it from Services, EndpointSlices and the node; a backend
 * (nftables, userspace) only turns it into rules or listeners.
 */

export type ProxyProtocol = 'TCP' | 'UDP' | 'SCTP';

export interface ProxyEndpoint {
  ip: string;
  port: number;
  nodeName?: string;
  ready: boolean;
  serving: boolean;
  terminating: boolean;
  /** On this proxy's node (for the Local traffic policies). */
  local: boolean;
}

export interface ProxyServicePort {
  /** `namespace/name:portName` (portName may be empty), stable across syncs. */
  id: string;
  namespace: string;
  name: string;
  portName: string;
  protocol: ProxyProtocol;
  /** spec.clusterIPs (empty for headless and ExternalName Services, which are not proxied). */
  clusterIPs: string[];
  port: number;
  /** Served on every node address when set (NodePort and LoadBalancer Services). */
  nodePort?: number;
  /** spec.externalIPs, served like the ClusterIP but as external traffic. */
  externalIPs: string[];
  /** status.loadBalancer.ingress[].ip, served on port as external traffic. */
  loadBalancerIPs: string[];
  /** sessionAffinity ClientIP. */
  sessionAffinity?: { timeoutSeconds: number };
  externalPolicyLocal: boolean;
  internalPolicyLocal: boolean;
  /** Endpoints for traffic to the ClusterIP (after internalTrafficPolicy and the terminating fallback). */
  clusterEndpoints: ProxyEndpoint[];
  /** Endpoints for NodePort, externalIP and load-balancer traffic (after externalTrafficPolicy). */
  externalEndpoints: ProxyEndpoint[];
}

export interface ProxyTable {
  nodeName: string;
  /** The node's own addresses (InternalIP/ExternalIP) that NodePorts are served on. */
  nodeIPs: string[];
  /**
   * This node's address on the pod network (its bridge, the first host of spec.podCIDR), once
   * the node has a podCIDR: masqueraded traffic to pods leaves from it, so pods on other nodes,
   * which route only the pod and service networks, can answer.
   */
  podGateway?: string;
  services: ProxyServicePort[];
}

/** Turns a table into data-plane state; sync is called with the whole table each time. */
export interface ProxyBackend {
  readonly name: string;
  sync(table: ProxyTable): Promise<void>;
  /** Removes everything the backend created (rules, listeners). */
  close(): Promise<void>;
}
