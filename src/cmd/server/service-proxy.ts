/**
 * @module Starts the service proxy next to a kubelet (the embedded node and `skiff agent`):
 * `--proxy-mode auto` picks nftables for OCI pods when `nft` is installed and running as root,
 * else the userspace backend (the `process` runtime, whose pods share the host network);
 * `none` runs no proxy. In a node's own network namespace the service CIDR is routed onto the
 * node bridge (un-NATed VIP traffic stays on the node) and ICMP redirects are switched off
 * there: with the VIP routed back out of the bridge it arrived on, Linux would otherwise tell
 * pods to reach the VIP directly.
 * The userspace backend next to real pods (runc/crun, root, `nft` installed: the embedded node
 * on the host's own network) also redirects the pods' ClusterIP traffic from the node bridge to
 * its own sockets (`src/proxy/userspace/redirect.ts`), so pods reach every ClusterIP, cluster
 * DNS included, without the host forwarding; the `process` runtime keeps the loopback service CIDR.
 */
import { execFileSync } from 'node:child_process';
import { writeFile } from 'node:fs/promises';
import type { Registry } from 'prom-client';
import type { Client } from '../../client/rest.ts';
import { createNftablesBackend, startServiceProxy, type ServiceProxyHandle } from '../../proxy/index.ts';
import { createUserspaceBackend } from '../../proxy/userspace/backend.ts';
import type { Logger } from '../../util/log.ts';

export type ProxyMode = 'auto' | 'nftables' | 'userspace' | 'none';
export const proxyModes: readonly ProxyMode[] = ['auto', 'nftables', 'userspace', 'none'];

function haveNft(): boolean {
  try {
    execFileSync('sh', ['-c', 'command -v nft'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

export function resolveProxyMode(mode: ProxyMode, runtime: string): Exclude<ProxyMode, 'auto'> {
  if (mode !== 'auto') return mode;
  const oci = runtime === 'runc' || runtime === 'crun';
  return oci && process.getuid?.() === 0 && haveNft() ? 'nftables' : 'userspace';
}

/** Whether the userspace backend should capture ClusterIP traffic of pods on the node bridge. */
export function wantRedirect(mode: Exclude<ProxyMode, 'auto'>, runtime: string): boolean {
  return mode === 'userspace' && (runtime === 'runc' || runtime === 'crun') && process.getuid?.() === 0 && haveNft();
}

export async function startNodeProxy(
  o: {
    client: Client;
    nodeName: string;
    runtime: string;
    mode: ProxyMode;
    logger: Logger;
    /** The agent runs in a network namespace of its own (a "node" netns). */
    ownNetns: boolean;
    serviceCidr: string;
    /** The pod network (endpoints outside it are host addresses, reached masqueraded). */
    clusterCidr?: string;
    bridge: string;
    registry?: Registry;
  },
  signal: AbortSignal,
): Promise<ServiceProxyHandle | undefined> {
  const mode = resolveProxyMode(o.mode, o.runtime);
  if (mode === 'none') return undefined;
  const log = o.logger.child({ component: 'service-proxy', node: o.nodeName, mode });
  if (mode === 'nftables' && o.ownNetns) {
    // The service route needs the bridge; the runtime adds its address once the podCIDR is known.
    // (`ip link`, not /sys/class/net: sysfs shows the namespace it was mounted in.)
    try {
      execFileSync('ip', ['link', 'show', o.bridge], { stdio: 'ignore' });
    } catch {
      execFileSync('ip', ['link', 'add', o.bridge, 'type', 'bridge'], { stdio: 'ignore' });
      execFileSync('ip', ['link', 'set', o.bridge, 'up'], { stdio: 'ignore' });
    }
    for (const k of ['all', 'default', o.bridge]) await writeFile(`/proc/sys/net/ipv4/conf/${k}/send_redirects`, '0\n').catch(() => undefined);
  }
  // Asked once: it looks for `nft` with a child process.
  const redirect = wantRedirect(mode, o.runtime);
  const backend =
    mode === 'nftables'
      ? createNftablesBackend({ logger: log, ...(o.clusterCidr ? { clusterCidr: o.clusterCidr } : {}), ...(o.ownNetns ? { serviceCidrRoute: { cidr: o.serviceCidr, dev: o.bridge } } : {}) })
      : createUserspaceBackend({ logger: log, ...(o.registry ? { registry: o.registry } : {}), ...(redirect ? { redirect: { bridge: o.bridge } } : {}) });
  log.info('service proxy starting', mode === 'userspace' ? { clusterIPRedirect: redirect ? o.bridge : 'off' } : {});
  return startServiceProxy({ client: o.client, nodeName: o.nodeName, backend, logger: log, ...(o.registry ? { registry: o.registry } : {}) }, signal);
}
