/**
 * Unit tests for the filter and score plugins, pure over NodeInfo fixtures.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { CycleState } from '../framework/cycle-state.ts';
import { fitErrorMessage } from '../framework/fit-error.ts';
import { Code, unresolvable, unschedulable } from '../framework/types.ts';
import { makeNode, makePod, makeSnapshot } from '../testing/fixtures.ts';
import { ImageLocality } from './image-locality.ts';
import { InterPodAffinity } from './inter-pod-affinity.ts';
import { NodeAffinity } from './node-affinity.ts';
import { NodeName } from './node-name.ts';
import { NodePorts } from './node-ports.ts';
import { NodeResourcesBalancedAllocation } from './node-resources-balanced-allocation.ts';
import { NodeResourcesFit } from './node-resources-fit.ts';
import { NodeUnschedulable } from './node-unschedulable.ts';
import { PodTopologySpread } from './pod-topology-spread.ts';
import { TaintToleration } from './taint-toleration.ts';

const st = () => new CycleState();

describe('NodeResourcesFit', () => {
  const fit = new NodeResourcesFit();
  it('rejects with every insufficient resource, and counts pods', () => {
    const s = makeSnapshot([makeNode('n', { cpu: '2', memory: '1Gi', pods: '2' })], [[makePod('a', { cpu: '1500m', memory: '512Mi' }), 'n']]);
    const n = s.get('n')!;
    assert.equal(fit.filter(st(), makePod('ok', { cpu: '500m', memory: '512Mi' }), n), null);
    assert.deepEqual(fit.filter(st(), makePod('big', { cpu: '600m', memory: '600Mi' }), n)?.reasons, ['Insufficient cpu', 'Insufficient memory']);
    s.addPod(makePod('b'), 'n');
    assert.deepEqual(fit.filter(st(), makePod('c'), n)?.reasons, ['Too many pods']);
    assert.equal(fit.filter(st(), makePod('c'), n)?.code, Code.Unschedulable);
  });

  it('counts init containers as max(init, sum) plus overhead', () => {
    const p = makePod('init', {
      containers: [{ name: 'a', resources: { requests: { cpu: '1' } } }, { name: 'b', resources: { requests: { cpu: '1' } } }],
      spec: { initContainers: [{ name: 'i', resources: { requests: { cpu: '3' } } }], overhead: { cpu: '250m' } },
    });
    assert.equal(p.requests.milliCPU, 3250);
    const sidecar = makePod('sidecar', {
      containers: [{ name: 'a', resources: { requests: { cpu: '1' } } }],
      spec: { initContainers: [{ name: 's', restartPolicy: 'Always', resources: { requests: { cpu: '500m' } } }, { name: 'i', resources: { requests: { cpu: '1' } } }] },
    });
    assert.equal(sidecar.requests.milliCPU, 1500);
  });

  it('scores LeastAllocated on non-zero requests', () => {
    const s = makeSnapshot([makeNode('empty', { cpu: '4', memory: '4Gi' }), makeNode('busy', { cpu: '4', memory: '4Gi' })], [[makePod('x', { cpu: '3', memory: '3Gi' }), 'busy']]);
    const p = makePod('p', { cpu: '1', memory: '1Gi' });
    assert.equal(fit.score(st(), p, s.get('empty')!), 75);
    assert.equal(fit.score(st(), p, s.get('busy')!), 0);
    // A best-effort pod still counts as 100m / 200Mi.
    assert.equal(fit.score(st(), makePod('be'), s.get('empty')!), Math.trunc((Math.trunc((3900 * 100) / 4000) + Math.trunc(((4096 - 200) * 100) / 4096)) / 2));
  });
});

describe('NodeResourcesBalancedAllocation', () => {
  it('prefers balanced cpu/memory fractions', () => {
    const b = new NodeResourcesBalancedAllocation();
    const s = makeSnapshot([makeNode('n', { cpu: '4', memory: '4Gi' })]);
    assert.equal(b.score(st(), makePod('p', { cpu: '2', memory: '2Gi' }), s.get('n')!), 100);
    assert.equal(b.score(st(), makePod('p', { cpu: '4', memory: '0' }), s.get('n')!), 50);
    assert.equal(b.preScore(st(), makePod('be'))?.code, Code.Skip);
  });
});

describe('NodeName, NodeUnschedulable, NodePorts', () => {
  it('NodeName matches only the named node', () => {
    const s = makeSnapshot([makeNode('a'), makeNode('b')]);
    const p = makePod('p', { spec: { nodeName: 'a' } });
    assert.equal(new NodeName().filter(st(), p, s.get('a')!), null);
    assert.equal(new NodeName().filter(st(), p, s.get('b')!)?.reasons[0], "node(s) didn't match the requested node name");
  });

  it('NodeUnschedulable rejects cordoned nodes unless tolerated', () => {
    const s = makeSnapshot([makeNode('c', { spec: { unschedulable: true } })]);
    const pl = new NodeUnschedulable();
    assert.equal(pl.filter(st(), makePod('p'), s.get('c')!)?.code, Code.UnschedulableAndUnresolvable);
    const tol = makePod('t', { spec: { tolerations: [{ key: 'node.kubernetes.io/unschedulable', operator: 'Exists', effect: 'NoSchedule' }] } });
    assert.equal(pl.filter(st(), tol, s.get('c')!), null);
  });

  it('NodePorts detects hostPort conflicts, 0.0.0.0 against any IP', () => {
    const withPort = (name: string, port: number, ip?: string) => makePod(name, { containers: [{ name: 'c', ports: [{ containerPort: 80, hostPort: port, hostIP: ip }] }] });
    const s = makeSnapshot([makeNode('n')], [[withPort('a', 8080, '10.0.0.1'), 'n']]);
    const pl = new NodePorts();
    assert.equal(pl.filter(st(), withPort('b', 8080), s.get('n')!)?.reasons[0], "node(s) didn't have free ports for the requested pod ports");
    assert.equal(pl.filter(st(), withPort('c', 8080, '10.0.0.2'), s.get('n')!), null);
    assert.equal(pl.filter(st(), withPort('d', 9090), s.get('n')!), null);
    assert.equal(pl.preFilter(st(), makePod('none'))?.code, Code.Skip);
  });
});

describe('TaintToleration', () => {
  const pl = new TaintToleration();
  const s = makeSnapshot([
    makeNode('hard', { spec: { taints: [{ key: 'k', value: 'v', effect: 'NoSchedule' }] } }),
    makeNode('soft', { spec: { taints: [{ key: 'p', value: 'x', effect: 'PreferNoSchedule' }] } }),
    makeNode('clean'),
  ]);
  it('filters untolerated NoSchedule taints with the upstream message', () => {
    assert.equal(pl.filter(st(), makePod('p'), s.get('hard')!)?.reasons[0], 'node(s) had untolerated taint {k: v}');
    assert.equal(pl.filter(st(), makePod('p', { spec: { tolerations: [{ key: 'k', operator: 'Equal', value: 'v' }] } }), s.get('hard')!), null);
    assert.equal(pl.filter(st(), makePod('p', { spec: { tolerations: [{ operator: 'Exists' }] } }), s.get('hard')!), null);
    assert.equal(pl.filter(st(), makePod('p'), s.get('soft')!), null);
  });
  it('scores PreferNoSchedule in reverse', () => {
    const state = st();
    const p = makePod('p');
    const nodes = [s.get('soft')!, s.get('clean')!];
    assert.equal(pl.preScore(state, p, nodes), null);
    const scores = Float64Array.from(nodes.map((n) => pl.score(state, p, n)));
    pl.normalizeScore(state, p, scores);
    assert.deepEqual([...scores], [0, 100]);
  });
  it('skips scoring when no candidate node has a PreferNoSchedule taint (all would tie)', () => {
    assert.equal(pl.preScore(st(), makePod('p'), [s.get('hard')!, s.get('clean')!])?.code, Code.Skip);
  });
});

describe('NodeAffinity', () => {
  const pl = new NodeAffinity();
  const s = makeSnapshot([makeNode('ssd', { labels: { disk: 'ssd', gen: '5' } }), makeNode('hdd', { labels: { disk: 'hdd', gen: '3' } })]);
  const run = (p: ReturnType<typeof makePod>, node: string) => {
    const state = st();
    if (pl.preFilter(state, p)?.code === Code.Skip) return null;
    return pl.filter(state, p, s.get(node)!);
  };
  it('applies nodeSelector and required terms (ORed terms, ANDed expressions)', () => {
    assert.equal(run(makePod('p', { spec: { nodeSelector: { disk: 'ssd' } } }), 'ssd'), null);
    assert.equal(run(makePod('p', { spec: { nodeSelector: { disk: 'ssd' } } }), 'hdd')?.reasons[0], "node(s) didn't match Pod's node affinity/selector");
    const req = (expr: object[][]) => makePod('p', { spec: { affinity: { nodeAffinity: { requiredDuringSchedulingIgnoredDuringExecution: { nodeSelectorTerms: expr.map((e) => ({ matchExpressions: e })) } } } } as never });
    const gt4 = req([[{ key: 'gen', operator: 'Gt', values: ['4'] }]]);
    assert.equal(run(gt4, 'ssd'), null);
    assert.notEqual(run(gt4, 'hdd'), null);
    const either = req([[{ key: 'disk', operator: 'In', values: ['nvme'] }], [{ key: 'disk', operator: 'NotIn', values: ['ssd'] }]]);
    assert.equal(run(either, 'hdd'), null);
    assert.notEqual(run(either, 'ssd'), null);
  });
  it('scores preferred terms by weight', () => {
    const p = makePod('p', { spec: { affinity: { nodeAffinity: { preferredDuringSchedulingIgnoredDuringExecution: [{ weight: 10, preference: { matchExpressions: [{ key: 'disk', operator: 'In', values: ['ssd'] }] } }] } } } });
    const state = st();
    pl.preScore(state, p);
    const scores = Float64Array.from(['ssd', 'hdd'].map((n) => pl.score(state, p, s.get(n)!)));
    pl.normalizeScore(state, p, scores);
    assert.deepEqual([...scores], [100, 0]);
  });
});

describe('InterPodAffinity', () => {
  const zone = (name: string, z: string) => makeNode(name, { labels: { zone: z } });
  const anti = (name: string, key = 'kubernetes.io/hostname') =>
    makePod(name, { labels: { app: 'web' }, spec: { affinity: { podAntiAffinity: { requiredDuringSchedulingIgnoredDuringExecution: [{ labelSelector: { matchLabels: { app: 'web' } }, topologyKey: key }] } } } });
  const filterAll = (snap: ReturnType<typeof makeSnapshot>, p: ReturnType<typeof makePod>) => {
    const pl = new InterPodAffinity(snap);
    const state = st();
    const pre = pl.preFilter(state, p, snap);
    return snap.nodes.map((n) => (pre?.code === Code.Skip ? null : pl.filter(state, p, n))?.reasons[0] ?? 'ok');
  };

  it('required anti-affinity by hostname and by zone', () => {
    const snap = makeSnapshot([zone('a', 'z1'), zone('b', 'z1'), zone('c', 'z2')], [[anti('w0'), 'a']]);
    assert.deepEqual(filterAll(snap, anti('w1')), ["node(s) didn't match pod anti-affinity rules", 'ok', 'ok']);
    assert.deepEqual(filterAll(snap, anti('w1', 'zone')), ["node(s) didn't match pod anti-affinity rules", "node(s) didn't match pod anti-affinity rules", 'ok']);
  });

  it("existing pods' anti-affinity rejects an incoming pod that has no terms of its own", () => {
    const snap = makeSnapshot([zone('a', 'z1'), zone('b', 'z2')], [[anti('w0', 'zone'), 'a']]);
    assert.deepEqual(filterAll(snap, makePod('plain', { labels: { app: 'web' } })), ["node(s) didn't satisfy existing pods anti-affinity rules", 'ok']);
    assert.deepEqual(filterAll(snap, makePod('other', { labels: { app: 'db' } })), ['ok', 'ok']);
  });

  it('required affinity follows matching pods; the first of a self-affine group goes anywhere', () => {
    const aff = (name: string) => makePod(name, { labels: { app: 'cache' }, spec: { affinity: { podAffinity: { requiredDuringSchedulingIgnoredDuringExecution: [{ labelSelector: { matchLabels: { app: 'cache' } }, topologyKey: 'zone' }] } } } });
    const empty = makeSnapshot([zone('a', 'z1'), zone('b', 'z2')]);
    assert.deepEqual(filterAll(empty, aff('first')), ['ok', 'ok']);
    const one = makeSnapshot([zone('a', 'z1'), zone('b', 'z2')], [[aff('first'), 'b']]);
    assert.deepEqual(filterAll(one, aff('second')), ["node(s) didn't match pod affinity rules", 'ok']);
  });

  it('preferred anti-affinity scores the emptier domain higher', () => {
    const snap = makeSnapshot([zone('a', 'z1'), zone('b', 'z2')], [[makePod('w0', { labels: { app: 'web' } }), 'a']]);
    const p = makePod('p', { spec: { affinity: { podAntiAffinity: { preferredDuringSchedulingIgnoredDuringExecution: [{ weight: 50, podAffinityTerm: { labelSelector: { matchLabels: { app: 'web' } }, topologyKey: 'zone' } }] } } } });
    const pl = new InterPodAffinity(snap);
    const state = st();
    assert.equal(pl.preScore(state, p), null);
    const scores = Float64Array.from(snap.nodes.map((n) => pl.score(state, p, n)));
    pl.normalizeScore(state, p, scores);
    assert.deepEqual([...scores], [0, 100]);
  });
});

describe('PodTopologySpread', () => {
  const spread = (name: string, maxSkew = 1, minDomains?: number) =>
    makePod(name, { labels: { app: 's' }, spec: { topologySpreadConstraints: [{ maxSkew, minDomains, topologyKey: 'zone', whenUnsatisfiable: 'DoNotSchedule', labelSelector: { matchLabels: { app: 's' } } }] } });
  const nodes = () => [makeNode('a', { labels: { zone: 'z1' } }), makeNode('b', { labels: { zone: 'z2' } }), makeNode('nolabel')];
  const filterAll = (snap: ReturnType<typeof makeSnapshot>, p: ReturnType<typeof makePod>) => {
    const pl = new PodTopologySpread(snap);
    const state = st();
    pl.preFilter(state, p, snap);
    return snap.nodes.map((n) => pl.filter(state, p, n)?.reasons[0] ?? 'ok');
  };
  it('keeps skew within maxSkew and rejects nodes without the key', () => {
    const snap = makeSnapshot(nodes(), [[spread('s0'), 'a']]);
    assert.deepEqual(filterAll(snap, spread('s1')), ["node(s) didn't match pod topology spread constraints", 'ok', "node(s) didn't match pod topology spread constraints (missing required label)"]);
    assert.deepEqual(filterAll(snap, spread('s1', 2)).slice(0, 2), ['ok', 'ok']);
  });
  it('minDomains treats the global minimum as 0 while domains are missing', () => {
    const snap = makeSnapshot(nodes(), [[spread('s0'), 'a'], [spread('s1'), 'b']]);
    assert.deepEqual(filterAll(snap, spread('s2', 1)).slice(0, 2), ['ok', 'ok']);
    assert.deepEqual(filterAll(snap, spread('s2', 1, 3)).slice(0, 2), ["node(s) didn't match pod topology spread constraints", "node(s) didn't match pod topology spread constraints"]);
  });
});

describe('ImageLocality', () => {
  it('favours nodes that already have big images', () => {
    const big = { names: ['docker.io/library/app:1'], sizeBytes: 500 * 1024 * 1024 };
    const snap = makeSnapshot([makeNode('has', { images: [big] }), makeNode('not')]);
    const pl = new ImageLocality(snap);
    const p = makePod('p', { containers: [{ name: 'c', image: 'docker.io/library/app:1' }] });
    assert.ok(pl.score(st(), p, snap.get('has')!) > 0);
    assert.equal(pl.score(st(), p, snap.get('not')!), 0);
    // Through PreScore (as the framework runs it) the score is the same.
    const state = st();
    assert.equal(pl.preScore(state, p), null);
    assert.equal(pl.score(state, p, snap.get('has')!), pl.score(st(), p, snap.get('has')!));
  });
  it('skips scoring when no node has any of the pod\'s images (all would score 0)', () => {
    const snap = makeSnapshot([makeNode('has', { images: [{ names: ['other:1'], sizeBytes: 500 * 1024 * 1024 }] }), makeNode('not')]);
    const p = makePod('p', { containers: [{ name: 'c', image: 'docker.io/library/app:1' }] });
    assert.equal(new ImageLocality(snap).preScore(st(), p)?.code, Code.Skip);
  });
});

describe('FitError message', () => {
  it('sorts the reason histogram and appends the PostFilter message', () => {
    const statuses = new Map([
      ['a', unschedulable('NodeResourcesFit', 'Insufficient cpu')],
      ['b', unresolvable('TaintToleration', 'node(s) had untolerated taint {k: v}')],
      ['c', unschedulable('NodeResourcesFit', 'Insufficient cpu', 'Insufficient memory')],
    ]);
    assert.equal(
      fitErrorMessage(3, { nodeToStatus: statuses, unschedulablePlugins: new Set(), postFilterMsg: 'preemption: x' }),
      '0/3 nodes are available: 1 Insufficient memory, 1 node(s) had untolerated taint {k: v}, 2 Insufficient cpu. preemption: x',
    );
    assert.equal(fitErrorMessage(2, { nodeToStatus: new Map(), unschedulablePlugins: new Set(), preFilterMsg: 'boom' }), '0/2 nodes are available: boom.');
  });
});
