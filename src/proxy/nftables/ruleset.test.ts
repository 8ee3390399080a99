import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { ProxyEndpoint, ProxyServicePort, ProxyTable } from '../model.ts';
import { affinitySet, defaultTableName, endpointChain, externalChain, renderRuleset, rulesetState, serviceChain } from './ruleset.ts';

const ep = (ip: string, local = false): ProxyEndpoint => ({ ip, port: 8080, ready: true, serving: true, terminating: false, local });
function port(id: string, over: Partial<ProxyServicePort>): ProxyServicePort {
  const [nsName, portName] = id.split(':') as [string, string];
  const [namespace, name] = nsName.split('/') as [string, string];
  return { id, namespace, name, portName, protocol: 'TCP', clusterIPs: ['10.43.0.10'], port: 80, externalIPs: [], loadBalancerIPs: [], externalPolicyLocal: false, internalPolicyLocal: false, clusterEndpoints: [], externalEndpoints: [], ...over };
}
const table = (...services: ProxyServicePort[]): ProxyTable => ({ nodeName: 'n1', nodeIPs: ['10.0.0.1'], services });
const rules = (script: string, chain: string) =>
  script
    .split('\n')
    .filter((l) => l.startsWith(`add rule ip t ${chain} `))
    .map((l) => l.slice(`add rule ip t ${chain} `.length));

test('table names are [a-z0-9_] from the node name', () => {
  assert.equal(defaultTableName('Node-1.example'), 'skiff_proxy_node_1_example');
});

test('first sync starts clean in the same transaction; later ones never delete the table', () => {
  const first = renderRuleset(table(), { tableName: 't' });
  assert.deepEqual(first.split('\n').slice(0, 3), ['add table ip t', 'delete table ip t', 'add table ip t']);
  const later = renderRuleset(table(), { tableName: 't', previous: rulesetState(table()) });
  assert.ok(!later.includes('delete table'));
  assert.ok(!/flush (table|ruleset)/.test(first + later), 'never a broad flush');
  for (const line of (first + later).split('\n').filter(Boolean)) assert.match(line, / ip t( |$)/, `only its own table: ${line}`);
});

test('hooks: dstnat prerouting and output into services, masquerade by mark in postrouting, endpoint check in filter', () => {
  const s = renderRuleset(table(), { tableName: 't' });
  assert.match(s, /add chain ip t nat-prerouting \{ type nat hook prerouting priority dstnat; policy accept; \}/);
  assert.match(s, /add chain ip t nat-output \{ type nat hook output priority -100;/);
  assert.match(s, /add chain ip t nat-postrouting \{ type nat hook postrouting priority srcnat;/);
  assert.deepEqual(rules(s, 'nat-prerouting'), ['jump services']);
  assert.deepEqual(rules(s, 'masquerading'), ['meta mark & 0x4000 == 0 return', 'meta mark set meta mark ^ 0x4000', 'masquerade fully-random']);
  assert.deepEqual(rules(s, 'services'), ['ip daddr . meta l4proto . th dport vmap @service-ips', 'fib daddr type local ip daddr != 127.0.0.0/8 meta l4proto . th dport vmap @service-nodeports']);
  for (const c of ['filter-input', 'filter-forward', 'filter-output']) assert.deepEqual(rules(s, c), ['ct state new jump endpoints-check']);
  assert.deepEqual(rules(s, 'reject-chain'), ['reject']);
  assert.ok(!s.includes('add element'), 'no elements for an empty table');
});

test('ClusterIP spread with numgen, hairpin masquerade, DNAT per endpoint', () => {
  const sp = port('demo/web:http', { clusterEndpoints: [ep('10.42.0.2'), ep('10.42.0.3')] });
  const s = renderRuleset(table(sp), { tableName: 't' });
  const [a, b] = sp.clusterEndpoints.map((e) => endpointChain(sp, e));
  assert.deepEqual(rules(s, serviceChain(sp)), [`numgen random mod 2 vmap { 0 : goto ${a}, 1 : goto ${b} }`]);
  assert.deepEqual(rules(s, a!), ['ip saddr 10.42.0.2 jump mark-for-masquerade comment "demo/web:http 10.42.0.2:8080"', 'meta l4proto tcp dnat to 10.42.0.2:8080']);
  assert.match(s, new RegExp(`add element ip t service-ips \\{ 10\\.43\\.0\\.10 \\. tcp \\. 80 : goto ${serviceChain(sp)} \\}`));
  assert.ok(!s.includes(externalChain(sp)), 'no external chain for a ClusterIP-only port');
});

test('a single endpoint is a plain goto; masqueradeAll marks ClusterIP traffic', () => {
  const sp = port('demo/one:', { protocol: 'UDP', clusterEndpoints: [ep('10.42.0.2')] });
  const s = renderRuleset(table(sp), { tableName: 't', masqueradeAll: true });
  assert.deepEqual(rules(s, serviceChain(sp)), ['jump mark-for-masquerade', `goto ${endpointChain(sp, sp.clusterEndpoints[0]!)}`]);
  assert.match(s, /meta l4proto udp dnat to 10\.42\.0\.2:8080/);
  assert.match(s, /10\.43\.0\.10 \. udp \. 80 : goto svc-/);
});

test('ClientIP affinity: a dynamic set per endpoint, updated on DNAT and looked up before the random pick', () => {
  const sp = port('demo/web:http', { sessionAffinity: { timeoutSeconds: 60 }, clusterEndpoints: [ep('10.42.0.2'), ep('10.42.0.3')] });
  const s = renderRuleset(table(sp), { tableName: 't' });
  const [e0, e1] = sp.clusterEndpoints as [ProxyEndpoint, ProxyEndpoint];
  assert.match(s, new RegExp(`add set ip t ${affinitySet(sp, e0)} \\{ type ipv4_addr; flags dynamic,timeout; timeout 60s; \\}`));
  const svc = rules(s, serviceChain(sp));
  assert.deepEqual(svc.slice(0, 2), [`ip saddr @${affinitySet(sp, e0)} goto ${endpointChain(sp, e0)}`, `ip saddr @${affinitySet(sp, e1)} goto ${endpointChain(sp, e1)}`]);
  assert.match(svc[2]!, /^numgen random mod 2 vmap/);
  assert.ok(rules(s, endpointChain(sp, e0)).includes(`update @${affinitySet(sp, e0)} { ip saddr }`));
  assert.deepEqual([...rulesetState(table(sp)).sets.keys()].sort(), [affinitySet(sp, e0), affinitySet(sp, e1)].sort());
});

test('NodePort, externalIPs and LB IPs with Cluster policy masquerade and reuse the cluster chain', () => {
  const eps = [ep('10.42.0.2'), ep('10.42.0.3')];
  const sp = port('demo/web:http', { nodePort: 30080, externalIPs: ['192.0.2.5'], loadBalancerIPs: ['192.0.2.100'], clusterEndpoints: eps, externalEndpoints: eps });
  const s = renderRuleset(table(sp), { tableName: 't' });
  assert.deepEqual(rules(s, externalChain(sp)), ['jump mark-for-masquerade', `goto ${serviceChain(sp)}`]);
  assert.match(s, new RegExp(`add element ip t service-nodeports \\{ tcp \\. 30080 : goto ${externalChain(sp)} \\}`));
  assert.match(s, new RegExp(`192\\.0\\.2\\.5 \\. tcp \\. 80 : goto ${externalChain(sp)}, 192\\.0\\.2\\.100 \\. tcp \\. 80 : goto ${externalChain(sp)}`));
});

test('externalTrafficPolicy Local: local endpoints without masquerade; the node itself may use any', () => {
  const sp = port('demo/web:http', { nodePort: 30080, externalPolicyLocal: true, clusterEndpoints: [ep('10.42.0.2', true), ep('10.42.1.2')], externalEndpoints: [ep('10.42.0.2', true)] });
  const s = renderRuleset(table(sp), { tableName: 't' });
  assert.deepEqual(rules(s, externalChain(sp)), ['fib saddr type local jump mark-for-masquerade', `fib saddr type local goto ${serviceChain(sp)}`, `goto ${endpointChain(sp, sp.externalEndpoints[0]!)}`]);
});

test('no endpoints: rejected through the filter check; Local policy with remote endpoints only: dropped', () => {
  const none = port('demo/none:', { nodePort: 30081, externalIPs: ['192.0.2.7'] });
  const remote = port('demo/remote:', { clusterIPs: ['10.43.0.11'], nodePort: 30082, externalPolicyLocal: true, clusterEndpoints: [ep('10.42.1.2')] });
  const s = renderRuleset(table(none, remote), { tableName: 't' });
  assert.match(s, /add element ip t no-endpoint-services \{ 10\.43\.0\.10 \. tcp \. 80 : goto reject-chain, 192\.0\.2\.7 \. tcp \. 80 : goto reject-chain \}/);
  assert.match(s, /add element ip t no-endpoint-nodeports \{ tcp \. 30081 : goto reject-chain, tcp \. 30082 : drop \}/);
  assert.ok(!s.includes(serviceChain(none)), 'no service chain without endpoints');
  assert.match(s, new RegExp(`10\\.43\\.0\\.11 \\. tcp \\. 80 : goto ${serviceChain(remote)}`));
});

test('an update flushes what exists and deletes only stale chains and sets', () => {
  const before = port('demo/web:http', { sessionAffinity: { timeoutSeconds: 60 }, clusterEndpoints: [ep('10.42.0.2'), ep('10.42.0.3')] });
  const after = { ...before, clusterEndpoints: [ep('10.42.0.2')] };
  const previous = rulesetState(table(before));
  const s = renderRuleset(table(after), { tableName: 't', previous });
  const gone = before.clusterEndpoints[1]!;
  assert.ok(s.includes(`delete chain ip t ${endpointChain(before, gone)}\n`));
  assert.ok(s.includes(`delete set ip t ${affinitySet(before, gone)}\n`));
  assert.ok(!s.includes(`delete chain ip t ${serviceChain(before)}\n`));
  assert.ok(s.indexOf(`flush chain ip t ${serviceChain(before)}`) < s.indexOf(`delete chain ip t ${endpointChain(before, gone)}`), 'references go before the chain');
  assert.ok(!s.includes(`flush set`), 'affinity sets keep their entries across syncs');
});

test('two Services on one address and port: the first keeps it, no duplicate element', () => {
  const a = port('demo/a:', { externalIPs: ['192.0.2.5'], clusterEndpoints: [ep('10.42.0.2')], externalEndpoints: [ep('10.42.0.2')] });
  const b = port('demo/b:', { clusterIPs: ['10.43.0.11'], externalIPs: ['192.0.2.5'], clusterEndpoints: [ep('10.42.0.3')], externalEndpoints: [ep('10.42.0.3')] });
  const s = renderRuleset(table(a, b), { tableName: 't' });
  assert.equal(s.match(/192\.0\.2\.5 \. tcp \. 80/g)?.length, 1);
});

test('internalTrafficPolicy Local with external Cluster policy: external traffic dispatches over all endpoints itself', () => {
  const all = [ep('10.42.0.2', true), ep('10.42.1.2')];
  const sp = port('demo/web:http', { nodePort: 30080, internalPolicyLocal: true, clusterEndpoints: [all[0]!], externalEndpoints: all });
  const s = renderRuleset(table(sp), { tableName: 't' });
  assert.deepEqual(rules(s, serviceChain(sp)), [`goto ${endpointChain(sp, all[0]!)}`]);
  const ext = rules(s, externalChain(sp));
  assert.equal(ext[0], 'jump mark-for-masquerade');
  assert.equal(ext[1], `numgen random mod 2 vmap { 0 : goto ${endpointChain(sp, all[0]!)}, 1 : goto ${endpointChain(sp, all[1]!)} }`);
  assert.equal(rules(s, endpointChain(sp, all[1]!)).length, 2, 'the remote endpoint has its own chain');
});

test('a sync with nothing changed writes nothing; an endpoint change touches only its chains and elements', () => {
  const a = port('demo/a:', { clusterEndpoints: [ep('10.42.0.2'), ep('10.42.0.3')] });
  const b = port('demo/b:', { clusterIPs: ['10.43.0.11'], clusterEndpoints: [ep('10.42.0.4')] });
  const prev = rulesetState(table(a, b));
  assert.equal(renderRuleset(table(a, b), { tableName: 't', previous: prev }), 'add table ip t\n');
  const emptied = { ...b, clusterEndpoints: [] };
  const s = renderRuleset(table(a, emptied), { tableName: 't', previous: prev });
  assert.ok(!s.includes(serviceChain(a)), 'the unchanged Service is not rewritten');
  assert.ok(s.includes(`delete element ip t service-ips { 10.43.0.11 . tcp . 80 }\n`));
  assert.ok(s.includes(`add element ip t no-endpoint-services { 10.43.0.11 . tcp . 80 : goto reject-chain }\n`));
  assert.ok(s.includes(`delete chain ip t ${serviceChain(b)}\n`));
  assert.ok(s.indexOf('delete element') < s.indexOf(`delete chain ip t ${serviceChain(b)}`), 'the element referring to the chain goes first');
});

test('a full sync after the first rewrites every chain and map but keeps the affinity sets', () => {
  const sp = port('demo/web:http', { sessionAffinity: { timeoutSeconds: 60 }, clusterEndpoints: [ep('10.42.0.2')] });
  const prev = rulesetState(table(sp));
  const s = renderRuleset(table(sp), { tableName: 't', previous: prev, full: true });
  assert.ok(!s.includes('delete table'));
  assert.ok(s.includes(`flush chain ip t ${serviceChain(sp)}\n`) && s.includes(`flush chain ip t services\n`));
  assert.ok(s.includes('flush map ip t service-ips\n'));
  assert.ok(s.includes(`add set ip t ${affinitySet(sp, sp.clusterEndpoints[0]!)} `), 'a set deleted by hand comes back');
  assert.ok(!s.includes('flush set') && !s.includes('delete set'));
  assert.match(s, /add element ip t service-ips \{ 10\.43\.0\.10 \. tcp \. 80 : goto svc-/);
});

test('with the pod network known, endpoints outside it (host addresses) are reached masqueraded', () => {
  const sp = port('kube-system/kube-dns:dns', { clusterEndpoints: [ep('10.80.0.1'), ep('10.42.1.7')] });
  const s = renderRuleset(table(sp), { tableName: 't', clusterCidr: '10.42.0.0/16' });
  const host = rules(s, endpointChain(sp, sp.clusterEndpoints[0]!));
  const pod = rules(s, endpointChain(sp, sp.clusterEndpoints[1]!));
  assert.ok(host.includes('jump mark-for-masquerade'), host.join('\n'));
  assert.ok(!pod.includes('jump mark-for-masquerade'), pod.join('\n'));
  // Without it, only hairpin traffic is masqueraded.
  const plain = rules(renderRuleset(table(sp), { tableName: 't' }), endpointChain(sp, sp.clusterEndpoints[0]!));
  assert.ok(!plain.includes('jump mark-for-masquerade'));
});

test("masqueraded traffic to pods leaves from the node's pod-network address, other traffic from the interface's", () => {
  const sp = port('demo/web:', { nodePort: 30080, clusterEndpoints: [ep('10.42.2.5')], externalEndpoints: [ep('10.42.2.5')] });
  const t: ProxyTable = { ...table(sp), podGateway: '10.42.1.1' };
  const s = renderRuleset(t, { tableName: 't', clusterCidr: '10.42.0.0/16' });
  assert.deepEqual(rules(s, 'masquerading'), [
    'meta mark & 0x4000 == 0 return',
    'meta mark set meta mark ^ 0x4000',
    'ip daddr 10.42.0.0/16 snat to 10.42.1.1 fully-random',
    'masquerade fully-random',
  ]);
  // Nothing to go by (no podCIDR yet, or the pod network unknown): masquerade alone.
  for (const [tt, cidr] of [[table(sp), '10.42.0.0/16'], [t, undefined]] as const) {
    const plain = renderRuleset(tt, { tableName: 't', ...(cidr ? { clusterCidr: cidr } : {}) });
    assert.deepEqual(rules(plain, 'masquerading').slice(2), ['masquerade fully-random']);
  }
  // The podCIDR arriving later rewrites the chain in a partial sync.
  const later = renderRuleset(t, { tableName: 't', clusterCidr: '10.42.0.0/16', previous: rulesetState(table(sp), { all: false, clusterCidr: '10.42.0.0/16' }) });
  assert.ok(later.includes('flush chain ip t masquerading\n'), later);
});
