/**
 * @module Pins PodTopologySpread's scores on small clusters. Every expected figure is worked
 * out by hand with upstream's formula (scoring.go): raw = Σ count·log(domains + 2) + maxSkew − 1,
 * rounded; normalised = trunc(100 · (max + min − raw) / max); ignored nodes → 0. The hostname
 * key's "domains" is the number of scored filtered nodes.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { TopologySpreadConstraint } from 'kubernetes-types/core/v1.js';
import { CycleState } from '../framework/cycle-state.ts';
import type { NodeInfo } from '../framework/node-info.ts';
import { PodInfo } from '../framework/pod-info.ts';
import type { Snapshot } from '../framework/snapshot.ts';
import { Code } from '../framework/types.ts';
import { makeNode, makePod, makeSnapshot } from '../testing/fixtures.ts';
import { PodTopologySpread } from './pod-topology-spread.ts';

const hostname = 'kubernetes.io/hostname';
const zoneKey = 'topology.kubernetes.io/zone';
const zoned = (name: string, zone?: string, extra: Record<string, string> = {}) => makeNode(name, { labels: { ...(zone === undefined ? {} : { [zoneKey]: zone }), ...extra } });
const soft = (topologyKey: string, maxSkew: number, more: Partial<TopologySpreadConstraint> = {}): TopologySpreadConstraint => ({
  topologyKey,
  maxSkew,
  whenUnsatisfiable: 'ScheduleAnyway',
  labelSelector: { matchLabels: { app: 's' } },
  ...more,
});
let n = 0;
const pods = (count: number, node: string, labels: Record<string, string> = { app: 's' }): [PodInfo, string][] =>
  Array.from({ length: count }, () => [makePod(`p${++n}`, { labels }), node] as [PodInfo, string]);

/** A pod with no constraints of its own but a controller: it gets the system defaults. */
function controlled(labels: Record<string, string>): PodInfo {
  const p = makePod('incoming', { labels }).pod;
  return new PodInfo({ ...p, metadata: { ...p.metadata, ownerReferences: [{ apiVersion: 'apps/v1', kind: 'ReplicaSet', name: 'rs', uid: 'rs-1', controller: true }] } }, 0);
}

/** PreScore over `filtered` (all nodes by default), Score each, NormalizeScore: as the framework does. */
function scores(pl: PodTopologySpread, snap: Snapshot, pod: PodInfo, filtered: readonly NodeInfo[] = snap.nodes): number[] {
  const state = new CycleState();
  assert.equal(pl.preScore(state, pod, filtered), null);
  const out = Float64Array.from(filtered.map((node) => pl.score(state, pod, node)));
  pl.normalizeScore(state, pod, out);
  return [...out];
}

describe('PodTopologySpread scoring (upstream formula)', () => {
  it('explicit hostname + zone constraints: nodes without the zone key are ignored', () => {
    const snap = makeSnapshot(
      [zoned('a', 'z1'), zoned('b', 'z1'), zoned('c', 'z2'), zoned('d')],
      [
        ...pods(2, 'a'),
        ...pods(1, 'b'),
        ...pods(1, 'd'),
        [makePod('other-ns', { labels: { app: 's' }, namespace: 'x' }), 'c'],
        [makePod('other-app', { labels: { app: 'o' } }), 'b'],
      ],
    );
    const pod = makePod('incoming', { labels: { app: 's' }, spec: { topologySpreadConstraints: [soft(hostname, 1), soft(zoneKey, 2)] } });
    const pl = new PodTopologySpread(snap);
    // d ignored; hostname weight log(3+2), zone weight log(2+2); zone counts z1=3, z2=0.
    // a: 2·log5 + 0 + 3·log4 + 1 = 8.38 → 8;  b: 1·log5 + 3·log4 + 1 = 6.77 → 7;  c: 0 + 0 + 1 = 1.
    // min 1, max 8: a 100·1/8 = 12, b 100·2/8 = 25, c 100·8/8 = 100, d 0.
    assert.deepEqual(scores(pl, snap, pod), [12, 25, 100, 0]);
    // Only a and c filtered: zone z1 still counts b's pod (every node in the pair is counted),
    // and the hostname weight is log(2+2) from the two scored nodes.
    // a: 2·log4 + 3·log4 + 1 = 7.93 → 8; c 1.  min 1, max 8: a 100·1/8 = 12, c 100.
    assert.deepEqual(scores(pl, snap, pod, [snap.get('a')!, snap.get('c')!]), [12, 100]);
  });

  it('system-defaulted constraints: nodes without a zone label still get hostname spreading', () => {
    const snap = makeSnapshot([zoned('a', 'z1'), zoned('b', 'z1'), zoned('c'), zoned('d', 'z2')], [...pods(3, 'a', { app: 'd' }), ...pods(2, 'c', { app: 'd' }), ...pods(1, 'd', { app: 'd' })]);
    const pl = new PodTopologySpread(snap);
    // hostname: maxSkew 3, weight log(4+2); zone: maxSkew 5, weight log(3+2) (z1, z2 and the
    // "" of the unlabelled node c); z1=3, z2=1.
    // a: 3·log6 + 2 + 3·log5 + 4 = 16.20 → 16;  b: 2 + 3·log5 + 4 = 10.83 → 11;
    // c: 2·log6 + 2 = 5.58 → 6 (no zone term);  d: log6 + 2 + log5 + 4 = 9.40 → 9.
    // min 6, max 16: a 100·6/16 = 37, b 100·11/16 = 68, c 100·16/16 = 100, d 100·13/16 = 81.
    assert.deepEqual(scores(pl, snap, controlled({ app: 'd' })), [37, 68, 100, 81]);
    // No controller and no constraints: nothing to score.
    assert.equal(pl.preScore(new CycleState(), makePod('bare', { labels: { app: 'd' } }), snap.nodes)?.code, Code.Skip);
  });

  it('a node whose zone label is "" shares the domain of the unlabelled nodes', () => {
    const snap = makeSnapshot([zoned('a', ''), zoned('b'), zoned('c', 'z1')], [...pods(1, 'a', { app: 'e' }), ...pods(2, 'b', { app: 'e' })]);
    const pl = new PodTopologySpread(snap);
    // hostname weight log5; zone values "", z1 → weight log4; "" counts a's and b's pods = 3.
    // a: log5 + 2 + 3·log4 + 4 = 11.77 → 12;  b: 2·log5 + 2 = 5.22 → 5;  c: 2 + 4 = 6.
    // min 5, max 12: a 100·5/12 = 41, b 100, c 100·11/12 = 91.
    assert.deepEqual(scores(pl, snap, controlled({ app: 'e' })), [41, 100, 91]);
  });

  it('nodeAffinityPolicy decides whether nodes outside the pod\'s node selector count', () => {
    const nodes = () => [zoned('a', 'z1', { pool: 'x' }), zoned('b', 'z1'), zoned('c', 'z2', { pool: 'x' })];
    const placed = () => [...pods(5, 'b'), ...pods(1, 'c')];
    const withPolicy = (policy?: 'Honor' | 'Ignore') =>
      makePod('incoming', { labels: { app: 's' }, spec: { nodeSelector: { pool: 'x' }, topologySpreadConstraints: [soft(zoneKey, 1, policy ? { nodeAffinityPolicy: policy } : {})] } });
    const snap = makeSnapshot(nodes(), placed());
    const filtered = [snap.get('a')!, snap.get('c')!]; // what NodeAffinity lets through
    const pl = new PodTopologySpread(snap);
    // Honor (default): b is left out, z1=0, z2=1, weight log4: a 0 → 0, c log4 = 1.39 → 1.
    // min 0, max 1: a 100·1/1 = 100, c 100·0/1 = 0.
    assert.deepEqual(scores(pl, snap, withPolicy(), filtered), [100, 0]);
    // Ignore: z1=5: a 5·log4 = 6.93 → 7, c 1; min 1, max 7: a 100·1/7 = 14, c 100.
    assert.deepEqual(scores(pl, snap, withPolicy('Ignore'), filtered), [14, 100]);
  });

  it('counts follow pods coming, going and terminating between cycles (no stale cache)', () => {
    const snap = makeSnapshot([zoned('a', 'z1'), zoned('b', 'z2')], pods(1, 'a'));
    const pod = makePod('incoming', { labels: { app: 's' }, spec: { topologySpreadConstraints: [soft(hostname, 1), soft(zoneKey, 1)] } });
    const pl = new PodTopologySpread(snap);
    // weights log4 each. a: log4 + log4 = 2.77 → 3, b 0; max 3, min 0: a 0, b 100.
    assert.deepEqual(scores(pl, snap, pod), [0, 100]);
    const [[extra]] = pods(2, 'b') as [[PodInfo, string], [PodInfo, string]];
    for (const [p, node] of [[extra, 'b'] as const, ...pods(1, 'b')]) snap.addPod(p, node);
    // a 2.77 → 3, b 2·log4·2 = 5.55 → 6; min 3, max 6: a 100·6/6 = 100, b 100·3/6 = 50.
    assert.deepEqual(scores(pl, snap, pod), [100, 50]);
    // One of b's pods starts terminating (same derived data, new object): b back to 1 pod.
    snap.addPod(extra.withPod({ ...extra.pod, metadata: { ...extra.pod.metadata, deletionTimestamp: '2026-01-01T00:00:00Z' } }, 0), 'b');
    // a 3, b 3: max 3, min 3: both 100·3/3 = 100.
    assert.deepEqual(scores(pl, snap, pod), [100, 100]);
    snap.removePod(extra.key);
    snap.addPod(makePod('moved', { labels: { app: 's' } }), 'a');
    // a 2·log4·2 = 5.55 → 6, b 3: min 3, max 6: a 50, b 100.
    assert.deepEqual(scores(pl, snap, pod), [50, 100]);
  });
});
