/**
 * @module What a Node's spec says about its pod network: its podCIDRs (spec.podCIDRs, else the
 * older single spec.podCIDR) and its own address on that network, the first host of its first
 * IPv4 podCIDR, which the node's bridge holds and pods use as their gateway.
 */
import type { Node } from 'kubernetes-types/core/v1.js';
import { firstHost } from '../util/ipv4.ts';

export function podCIDRsOf(n: Node | undefined): string[] {
  const list = n?.spec?.podCIDRs?.length ? n.spec.podCIDRs : n?.spec?.podCIDR ? [n.spec.podCIDR] : [];
  return [...new Set(list)];
}

export function podGatewayOf(n: Node | undefined): string | undefined {
  for (const c of podCIDRsOf(n)) {
    const gw = firstHost(c);
    if (gw) return gw;
  }
  return undefined;
}
