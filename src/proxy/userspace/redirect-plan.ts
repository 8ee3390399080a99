/**
 * @module Which service ports the userspace proxy captures from the node bridge (the redirect of
 * kube-proxy's old userspace mode): every TCP/UDP port of every IPv4 ClusterIP this host does not
 * own. A ClusterIP that is a local address (a loopback service CIDR) is bound directly instead,
 * and pods reach NodePorts and load-balancer addresses that are local without any rule. Pure, so
 * the plan is tested without sockets or nft.
 */
import { networkInterfaces } from 'node:os';
import { isIPv4 } from 'node:net';
import type { ProxyServicePort } from '../model.ts';
import type { RedirectProtocol } from '../redirect/ruleset.ts';

export interface RedirectWant {
  /** `protocol|clusterIP|port` (`listenerKey`, as the backend's listeners): one listener and one rule per key. */
  key: string;
  protocol: RedirectProtocol;
  clusterIP: string;
  port: number;
  /** The cluster-traffic balancer of the service port (the same one its other listeners use). */
  balancerKey: string;
  /** `namespace/name:portName`, the metric label. */
  service: string;
}

/** One socket's identity, for the backend's listeners and the redirect plan alike. */
export const listenerKey = (w: { protocol: string; host: string; port: number }): string => `${w.protocol}|${w.host}|${w.port}`;

/** Service ports in table order; two ports claiming the same ip/protocol/port: the first keeps it (as for listeners). */
export function planRedirects(services: readonly ProxyServicePort[], isLocal: (ip: string) => boolean): RedirectWant[] {
  const out = new Map<string, RedirectWant>();
  for (const sp of services) {
    if (sp.protocol !== 'TCP' && sp.protocol !== 'UDP') continue;
    for (const ip of sp.clusterIPs) {
      if (!isIPv4(ip) || isLocal(ip)) continue;
      const key = listenerKey({ protocol: sp.protocol, host: ip, port: sp.port });
      if (out.has(key)) continue;
      out.set(key, { key, protocol: sp.protocol, clusterIP: ip, port: sp.port, balancerKey: `${sp.id}|cluster`, service: `${sp.namespace}/${sp.name}:${sp.portName}` });
    }
  }
  return [...out.values()];
}

/** This host's addresses now (read once): whether an ip is 127.0.0.0/8 or on an interface. */
export function localAddresses(): (ip: string) => boolean {
  const own = new Set<string>();
  for (const list of Object.values(networkInterfaces())) for (const a of list ?? []) own.add(a.address);
  return (ip) => ip.startsWith('127.') || own.has(ip);
}

/** The first IPv4 address of `iface` (the pods' gateway on the node bridge), if it has one yet. */
export function interfaceIPv4(iface: string): string | undefined {
  return networkInterfaces()[iface]?.find((a) => a.family === 'IPv4')?.address;
}
