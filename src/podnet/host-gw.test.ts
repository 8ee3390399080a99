import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { Node } from 'kubernetes-types/core/v1.js';
import { podGatewayOf } from '../api/node.ts';
import type { KubeObject } from '../api/object.ts';
import { desiredRoutes, planRoutes } from './host-gw.ts';

const node = (name: string, cidr: string | undefined, ip: string | undefined, extra: Partial<Node> = {}): Node & KubeObject => ({
  apiVersion: 'v1', kind: 'Node', metadata: { name, ...extra.metadata },
  spec: cidr ? { podCIDR: cidr, podCIDRs: [cidr] } : {},
  status: { addresses: [...(ip ? [{ type: 'InternalIP', address: ip }] : []), { type: 'Hostname', address: name }] },
});

describe('host-gw desired routes', () => {
  it('routes every other node with a podCIDR and an InternalIP', () => {
    const nodes = [node('a', '10.42.0.0/24', '10.80.0.10'), node('b', '10.42.1.0/24', '10.80.0.11'), node('c', undefined, '10.80.0.12'), node('d', '10.42.3.0/24', undefined), node('e', '10.42.4.0/24', '127.0.0.1')];
    assert.deepEqual(desiredRoutes(nodes, 'a'), [{ dst: '10.42.1.0/24', via: '10.80.0.11' }]);
    assert.deepEqual(desiredRoutes(nodes, 'b'), [{ dst: '10.42.0.0/24', via: '10.80.0.10' }]);
  });
  it("prefers this node's pod-network address as the source once its bridge holds it", () => {
    const nodes = [node('a', '10.42.0.0/24', '10.80.0.10'), node('b', '10.42.1.0/24', '10.80.0.11')];
    assert.deepEqual(desiredRoutes(nodes, 'a', '10.42.0.1'), [{ dst: '10.42.1.0/24', via: '10.80.0.11', src: '10.42.0.1' }]);
    assert.equal(podGatewayOf(nodes[0]), '10.42.0.1');
    assert.equal(podGatewayOf(node('c', undefined, '10.80.0.12')), undefined);
    // A route without the source (written before the bridge had its address) is replaced.
    const want = desiredRoutes(nodes, 'a', '10.42.0.1');
    assert.deepEqual(planRoutes(want, [{ dst: '10.42.1.0/24', via: '10.80.0.11' }]), { add: want, remove: [{ dst: '10.42.1.0/24', via: '10.80.0.11' }] });
    assert.deepEqual(planRoutes(want, want), { add: [], remove: [] });
  });
  it('drops a node being deleted', () => {
    const n = node('b', '10.42.1.0/24', '10.80.0.11', { metadata: { name: 'b', deletionTimestamp: '2026-01-01T00:00:00Z' } });
    assert.deepEqual(desiredRoutes([n], 'a'), []);
  });
  it('plans adds, moves and removals of owned routes only', () => {
    const want = [{ dst: '10.42.1.0/24', via: '10.80.0.11' }, { dst: '10.42.2.0/24', via: '10.80.0.20' }];
    const have = [{ dst: '10.42.2.0/24', via: '10.80.0.12' }, { dst: '10.42.9.0/24', via: '10.80.0.19' }, { dst: '10.42.1.0/24', via: '10.80.0.11' }];
    assert.deepEqual(planRoutes(want, have), {
      add: [{ dst: '10.42.2.0/24', via: '10.80.0.20' }],
      remove: [{ dst: '10.42.2.0/24', via: '10.80.0.12' }, { dst: '10.42.9.0/24', via: '10.80.0.19' }],
    });
  });
});
