/**
 * @module The kernel side of host-gw routing: list, replace and delete the routes this node
 * component owns in its network namespace. Ownership is a numeric route protocol tag
 * (`proto 147`), so routes of anyone else (the kernel, DHCP, an admin) are never touched and
 * routes left by an earlier run are found again after a restart.
 */
import { execFile } from 'node:child_process';

/** Our route protocol number (`/etc/iproute2/rt_protos` has no 147). */
export const SKIFF_ROUTE_PROTO = 147;

export interface Route {
  /** Destination CIDR, e.g. 10.42.1.0/24. */
  dst: string;
  /** Next hop: the other node's InternalIP. */
  via: string;
  /**
   * Preferred source: this node's own pod-network address (its bridge's), so what the node
   * itself sends to a pod elsewhere carries an address that pod can answer.
   */
  src?: string;
}

/** Runs `ip`; resolves with its output or rejects with its stderr. */
function ip(args: string[]): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile('ip', args, { encoding: 'utf8' }, (err, stdout, stderr) => {
      if (err) reject(new Error(`ip ${args.join(' ')}: ${stderr.trim() || err.message}`));
      else resolve(stdout);
    });
  });
}

/** The IPv4 routes carrying our tag in the main table. */
export async function listOwnedRoutes(proto = SKIFF_ROUTE_PROTO): Promise<Route[]> {
  const out = await ip(['-j', '-4', 'route', 'show', 'proto', String(proto)]);
  const rows = (out.trim() ? JSON.parse(out) : []) as { dst?: string; gateway?: string; prefsrc?: string }[];
  return rows.filter((r) => r.dst && r.gateway).map((r) => ({ dst: r.dst!, via: r.gateway!, ...(r.prefsrc ? { src: r.prefsrc } : {}) }));
}

export async function replaceRoute(r: Route, proto = SKIFF_ROUTE_PROTO): Promise<void> {
  await ip(['route', 'replace', r.dst, 'via', r.via, 'proto', String(proto), ...(r.src ? ['src', r.src] : [])]);
}

/** Whether an IPv4 address is configured on an interface of this network namespace. */
export async function isLocalAddress(addr: string): Promise<boolean> {
  const out = await ip(['-j', '-4', 'addr', 'show']);
  const links = (out.trim() ? JSON.parse(out) : []) as { addr_info?: { local?: string }[] }[];
  return links.some((l) => l.addr_info?.some((a) => a.local === addr));
}

export async function deleteRoute(r: Route, proto = SKIFF_ROUTE_PROTO): Promise<void> {
  await ip(['route', 'del', r.dst, 'via', r.via, 'proto', String(proto)]);
}

/** The kernel shows a /32 as a bare address; compare on one spelling. */
export function normalizeCidr(cidr: string): string {
  return cidr.includes('/') ? cidr : `${cidr}/32`;
}
