/**
 * @module Renders a `ProxyTable` as one `nft -f -` transaction for the proxy's own table, in the
 * shape of upstream kube-proxy's nftables mode (pkg/proxy/nftables): verdict maps from
 * (address, protocol, port) to a chain per Service port, `numgen random` spread over a chain
 * per endpoint, ClientIP affinity through a dynamic set per endpoint, masquerading by packet
 * mark, and a filter check that rejects connections to Service ports with no endpoints.
 * Pure: the backend runs the text and keeps the returned state for the next, partial sync.
 */
import { createHash } from 'node:crypto';
import { inCidr } from '../../util/ipv4.ts';
import type { ProxyEndpoint, ProxyServicePort, ProxyTable } from '../model.ts';

export interface RenderOptions {
  tableName: string;
  /** Masquerade all traffic to ClusterIPs too (kube-proxy --masquerade-all). */
  masqueradeAll?: boolean;
  /**
   * The pod network: traffic to an endpoint outside it (the API server's or DNS's host address)
   * is masqueraded, as that host has no route back to pod addresses.
   */
  clusterCidr?: string;
  /** What the previous successful sync programmed; undefined on the first sync (start clean). */
  previous?: RulesetState;
  /** Rewrite every chain and map (keeping sets) even where `previous` says nothing changed. */
  full?: boolean;
}

/** Everything a rendering programs: chain rules, set definitions, map elements (key → verdict). */
export interface RulesetState {
  chains: Map<string, string[]>;
  sets: Map<string, string>;
  elements: Map<string, Map<string, string>>;
}

/** Packet mark bit asking for masquerade in postrouting (kube-proxy's 0x4000). */
export const masqueradeMark = '0x4000';

const baseChains: [string, string][] = [
  ['nat-prerouting', 'type nat hook prerouting priority dstnat; policy accept;'],
  ['nat-output', 'type nat hook output priority -100; policy accept;'],
  ['nat-postrouting', 'type nat hook postrouting priority srcnat; policy accept;'],
  // Before DNAT in output (-100), so a connection to a port without endpoints is refused at once.
  ['filter-input', 'type filter hook input priority -110; policy accept;'],
  ['filter-forward', 'type filter hook forward priority -110; policy accept;'],
  ['filter-output', 'type filter hook output priority -110; policy accept;'],
];
const helperChains = ['services', 'masquerading', 'mark-for-masquerade', 'endpoints-check', 'reject-chain'];
const maps: [string, string][] = [
  ['service-ips', 'type ipv4_addr . inet_proto . inet_service : verdict;'],
  ['service-nodeports', 'type inet_proto . inet_service : verdict;'],
  ['no-endpoint-services', 'type ipv4_addr . inet_proto . inet_service : verdict;'],
  ['no-endpoint-nodeports', 'type inet_proto . inet_service : verdict;'],
];

/** A table name nft accepts, derived from the node name: `skiff_proxy_<node>` in `[a-z0-9_]`. */
export function defaultTableName(nodeName: string): string {
  return `skiff_proxy_${nodeName.toLowerCase().replace(/[^a-z0-9_]/g, '_')}`.slice(0, 64);
}

const shortHash = (s: string) => createHash('sha256').update(s).digest('hex').slice(0, 12);
const proto = (sp: ProxyServicePort) => sp.protocol.toLowerCase();
/** nft comments are at most 128 bytes; names are ASCII, so characters are bytes. */
const quote = (s: string) => `"${s.replace(/["\\]/g, '').slice(0, 120)}"`;

export function serviceChain(sp: ProxyServicePort): string {
  return `svc-${shortHash(`${sp.id}/${sp.protocol}`)}`;
}
export function externalChain(sp: ProxyServicePort): string {
  return `ext-${shortHash(`${sp.id}/${sp.protocol}`)}`;
}
function endpointHash(sp: ProxyServicePort, ep: ProxyEndpoint): string {
  return shortHash(`${sp.id}/${sp.protocol}/${ep.ip}:${ep.port}`);
}
export const endpointChain = (sp: ProxyServicePort, ep: ProxyEndpoint) => `sep-${endpointHash(sp, ep)}`;
/** The timeout is part of the name: a set's timeout cannot be changed in place. */
export const affinitySet = (sp: ProxyServicePort, ep: ProxyEndpoint) => `aff-${endpointHash(sp, ep)}-${sp.sessionAffinity?.timeoutSeconds ?? 0}`;

const epKey = (e: ProxyEndpoint) => `${e.ip}:${e.port}`;
const sameEndpoints = (a: ProxyEndpoint[], b: ProxyEndpoint[]) => a.length === b.length && a.every((e, i) => epKey(e) === epKey(b[i]!));

/** Rules that pick one endpoint: affinity lookups first, then a uniform random pick. */
function dispatchRules(sp: ProxyServicePort, eps: ProxyEndpoint[]): string[] {
  const out: string[] = [];
  if (sp.sessionAffinity) for (const ep of eps) out.push(`ip saddr @${affinitySet(sp, ep)} goto ${endpointChain(sp, ep)}`);
  if (eps.length === 1) out.push(`goto ${endpointChain(sp, eps[0]!)}`);
  else out.push(`numgen random mod ${eps.length} vmap { ${eps.map((ep, i) => `${i} : goto ${endpointChain(sp, ep)}`).join(', ')} }`);
  return out;
}

/** How a rendering masquerades: everything to ClusterIPs, and/or endpoints off the pod network. */
export interface Masquerade {
  all: boolean;
  clusterCidr?: string;
}

function renderService(sp: ProxyServicePort, r: RulesetState, masq: Masquerade): void {
  const masqueradeAll = masq.all;
  const p = proto(sp);
  const svc = serviceChain(sp);
  const ext = externalChain(sp);
  const addElement = (map: string, key: string, verdict: string) => {
    // Two Services claiming one address and port: the first (by id) keeps it.
    if (!r.elements.get(map)!.has(key)) r.elements.get(map)!.set(key, verdict);
  };
  const endpoints = new Map<string, ProxyEndpoint>();
  for (const ep of [...sp.clusterEndpoints, ...sp.externalEndpoints]) endpoints.set(epKey(ep), ep);
  for (const ep of endpoints.values()) {
    const rules = [`ip saddr ${ep.ip} jump mark-for-masquerade comment ${quote(`${sp.id} ${epKey(ep)}`)}`];
    if (masq.clusterCidr && !inCidr(ep.ip, masq.clusterCidr)) rules.push('jump mark-for-masquerade');
    if (sp.sessionAffinity) {
      const set = affinitySet(sp, ep);
      r.sets.set(set, `type ipv4_addr; flags dynamic,timeout; timeout ${sp.sessionAffinity.timeoutSeconds}s;`);
      rules.push(`update @${set} { ip saddr }`);
    }
    rules.push(`meta l4proto ${p} dnat to ${ep.ip}:${ep.port}`);
    r.chains.set(endpointChain(sp, ep), rules);
  }

  if (sp.clusterEndpoints.length > 0) {
    const rules = masqueradeAll ? ['jump mark-for-masquerade'] : [];
    r.chains.set(svc, [...rules, ...dispatchRules(sp, sp.clusterEndpoints)]);
    for (const ip of sp.clusterIPs) addElement('service-ips', `${ip} . ${p} . ${sp.port}`, `goto ${svc}`);
  } else {
    for (const ip of sp.clusterIPs) addElement('no-endpoint-services', `${ip} . ${p} . ${sp.port}`, 'goto reject-chain');
  }

  const externalAddrs = [...sp.externalIPs, ...sp.loadBalancerIPs];
  if (externalAddrs.length === 0 && sp.nodePort === undefined) return;
  if (sp.externalEndpoints.length > 0) {
    const rules: string[] = [];
    if (!sp.externalPolicyLocal) {
      // Cluster policy: the reply must come back through this node, so masquerade.
      rules.push('jump mark-for-masquerade');
      if (sp.clusterEndpoints.length > 0 && sameEndpoints(sp.externalEndpoints, sp.clusterEndpoints)) rules.push(`goto ${svc}`);
      else rules.push(...dispatchRules(sp, sp.externalEndpoints));
    } else {
      // Local policy keeps the client address; the node's own traffic may use any endpoint (upstream).
      if (sp.clusterEndpoints.length > 0) rules.push('fib saddr type local jump mark-for-masquerade', `fib saddr type local goto ${svc}`);
      rules.push(...dispatchRules(sp, sp.externalEndpoints));
    }
    r.chains.set(ext, rules);
    for (const ip of externalAddrs) addElement('service-ips', `${ip} . ${p} . ${sp.port}`, `goto ${ext}`);
    if (sp.nodePort !== undefined) addElement('service-nodeports', `${p} . ${sp.nodePort}`, `goto ${ext}`);
  } else {
    // No endpoint at all: refuse. Endpoints elsewhere but none here (Local policy): drop, as upstream.
    const verdict = sp.clusterEndpoints.length > 0 ? 'drop' : 'goto reject-chain';
    for (const ip of externalAddrs) addElement('no-endpoint-services', `${ip} . ${p} . ${sp.port}`, verdict);
    if (sp.nodePort !== undefined) addElement('no-endpoint-nodeports', `${p} . ${sp.nodePort}`, verdict);
  }
}

/** What `renderRuleset` programs for a table (the backend keeps it as the next `previous`). */
export function rulesetState(table: ProxyTable, masq: Masquerade = { all: false }): RulesetState {
  return renderAll(table, masq);
}

function renderAll(table: ProxyTable, masq: Masquerade): RulesetState {
  const r: RulesetState = { chains: new Map(), sets: new Map(), elements: new Map(maps.map(([m]) => [m, new Map()])) };
  r.chains.set('nat-prerouting', ['jump services']);
  r.chains.set('nat-output', ['jump services']);
  r.chains.set('nat-postrouting', ['jump masquerading']);
  for (const c of ['filter-input', 'filter-forward', 'filter-output']) r.chains.set(c, ['ct state new jump endpoints-check']);
  const local = 'fib daddr type local ip daddr != 127.0.0.0/8';
  r.chains.set('services', ['ip daddr . meta l4proto . th dport vmap @service-ips', `${local} meta l4proto . th dport vmap @service-nodeports`]);
  r.chains.set('endpoints-check', ['ip daddr . meta l4proto . th dport vmap @no-endpoint-services', `${local} meta l4proto . th dport vmap @no-endpoint-nodeports`]);
  r.chains.set('reject-chain', ['reject']);
  r.chains.set('mark-for-masquerade', [`meta mark set meta mark | ${masqueradeMark}`]);
  // Masquerade takes the outgoing interface's address; towards a pod on another node that is the
  // node's own address, which pods (no default route) cannot answer. Their node's pod-network
  // address they can: traffic to pods leaves from the bridge's address instead.
  const toPods = masq.clusterCidr && table.podGateway ? [`ip daddr ${masq.clusterCidr} snat to ${table.podGateway} fully-random`] : [];
  r.chains.set('masquerading', [`meta mark & ${masqueradeMark} == 0 return`, `meta mark set meta mark ^ ${masqueradeMark}`, ...toPods, 'masquerade fully-random']);
  for (const sp of table.services) renderService(sp, r, masq);
  return r;
}

const sameRules = (a: string[] | undefined, b: string[]) => !!a && a.length === b.length && a.every((r, i) => r === b[i]);

/**
 * The transaction for one sync. After the first, only what changed is written (upstream's
 * partial sync): chains whose rules differ are flushed and refilled, map elements are diffed,
 * stale chains and sets are deleted once nothing refers to them. Unchanged chains and every
 * affinity set keep running untouched, so a one-endpoint change costs a few lines at any scale.
 */
export function renderRuleset(table: ProxyTable, opts: RenderOptions): string {
  const t = `ip ${opts.tableName}`;
  const r = renderAll(table, { all: opts.masqueradeAll ?? false, ...(opts.clusterCidr ? { clusterCidr: opts.clusterCidr } : {}) });
  const prev = opts.previous;
  // A full sync trusts nothing but the table's existence: what someone changed by hand is redone.
  const full = !prev || opts.full === true;
  const lines: string[] = [`add table ${t}`];
  // First sync of this process: whatever an earlier run left behind goes, in the same transaction.
  if (!prev) lines.push(`delete table ${t}`, `add table ${t}`);
  const changed = [...r.chains.keys()].filter((name) => full || !sameRules(prev?.chains.get(name), r.chains.get(name)!));
  for (const [name, def] of baseChains) if (full || !prev?.chains.has(name)) lines.push(`add chain ${t} ${name} { ${def} }`);
  for (const name of changed) if (!baseChains.some(([b]) => b === name)) lines.push(`add chain ${t} ${name}`);
  if (full) for (const [name, def] of maps) lines.push(`add map ${t} ${name} { ${def} }`);
  for (const [name, def] of r.sets) if (full || prev?.sets.get(name) !== def) lines.push(`add set ${t} ${name} { ${def} }`);
  if (prev) for (const name of changed) lines.push(`flush chain ${t} ${name}`);
  const adds: string[] = [];
  for (const [map, elems] of r.elements) {
    let before = prev?.elements.get(map) ?? new Map<string, string>();
    if (full && prev) {
      lines.push(`flush map ${t} ${map}`);
      before = new Map();
    }
    const gone = [...before].filter(([k, v]) => elems.get(k) !== v).map(([k]) => k);
    if (gone.length) lines.push(`delete element ${t} ${map} { ${gone.join(', ')} }`);
    const add = [...elems].filter(([k, v]) => before.get(k) !== v);
    if (add.length) adds.push(`add element ${t} ${map} { ${add.map(([k, v]) => `${k} : ${v}`).join(', ')} }`);
  }
  for (const name of prev?.chains.keys() ?? []) if (!r.chains.has(name)) lines.push(`delete chain ${t} ${name}`);
  for (const name of prev?.sets.keys() ?? []) if (!r.sets.has(name)) lines.push(`delete set ${t} ${name}`);
  for (const name of changed) for (const rule of r.chains.get(name)!) lines.push(`add rule ${t} ${name} ${rule}`);
  lines.push(...adds);
  return lines.join('\n') + '\n';
}
