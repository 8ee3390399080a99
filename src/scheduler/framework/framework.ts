/**
 * @module The framework (upstream frameworkImpl): the plugins of one profile sorted into
 * extension points, and the loops that run them. Filter order is the profile's order; a
 * filter stops at the first rejection, as upstream does by default.
 */
import type { CycleState } from './cycle-state.ts';
import type { NodeInfo } from './node-info.ts';
import type { Nominator } from './nominator.ts';
import type { PodInfo } from './pod-info.ts';
import type { Snapshot } from './snapshot.ts';
import {
  Code,
  Status,
  maxNodeScore,
  type AnyPlugin,
  type BindPlugin,
  type FilterPlugin,
  type NodeToStatus,
  type PermitPlugin,
  type PostFilterPlugin,
  type PreBindPlugin,
  type PreFilterPlugin,
  type PreFilterResult,
  type PreScorePlugin,
  type QueueSortPlugin,
  type ReservePlugin,
  type ScorePlugin,
} from './types.ts';

// Imported bindings compile to getter calls when the TypeScript is run as CommonJS (tsx):
// a local copy keeps the per-node score loop free of them.
const maxScore = maxNodeScore;

export interface WeightedScorePlugin {
  plugin: ScorePlugin;
  weight: number;
}

export interface ProfileConfig {
  schedulerName: string;
  plugins: AnyPlugin[];
  /** Score weights by plugin name (default 1). */
  weights?: Record<string, number>;
}

export class Framework {
  readonly schedulerName: string;
  readonly queueSort: QueueSortPlugin;
  readonly preFilter: PreFilterPlugin[];
  readonly filter: FilterPlugin[];
  readonly postFilter: PostFilterPlugin[];
  readonly preScore: PreScorePlugin[];
  readonly score: WeightedScorePlugin[];
  readonly reserve: ReservePlugin[];
  readonly permit: PermitPlugin[];
  readonly preBind: PreBindPlugin[];
  readonly bind: BindPlugin[];
  private totalsBuf = new Float64Array(0);
  private scoresBuf = new Float64Array(0);

  constructor(cfg: ProfileConfig) {
    const has = <K extends keyof AnyPlugin>(k: K) => cfg.plugins.filter((p) => typeof p[k] === 'function');
    this.schedulerName = cfg.schedulerName;
    const sorts = has('less') as QueueSortPlugin[];
    if (sorts.length !== 1) throw new Error(`a profile needs exactly one QueueSort plugin, got ${sorts.length}`);
    this.queueSort = sorts[0]!;
    this.preFilter = has('preFilter') as PreFilterPlugin[];
    this.filter = has('filter') as FilterPlugin[];
    this.postFilter = has('postFilter') as PostFilterPlugin[];
    this.preScore = has('preScore') as PreScorePlugin[];
    this.score = (has('score') as ScorePlugin[]).map((plugin) => ({ plugin, weight: cfg.weights?.[plugin.name] ?? 1 }));
    this.reserve = has('reserve') as ReservePlugin[];
    this.permit = has('permit') as PermitPlugin[];
    this.preBind = has('preBind') as PreBindPlugin[];
    this.bind = has('bind') as BindPlugin[];
  }

  /**
   * Runs every PreFilter. Returns a rejection (for every node), or the intersection of the
   * node sets plugins restricted filtering to (undefined = all nodes).
   */
  runPreFilter(state: CycleState, pod: PodInfo, snapshot: Snapshot): { status: Status | null; nodeNames?: Set<string> } {
    let nodeNames: Set<string> | undefined;
    for (const pl of this.preFilter) {
      const r = pl.preFilter(state, pod, snapshot);
      if (r === null) continue;
      if (r instanceof Status) {
        if (r.code === Code.Skip) {
          state.skipFilter.add(pl.name);
          continue;
        }
        if (!r.plugin) r.plugin = pl.name;
        return { status: r };
      }
      nodeNames = intersect(nodeNames, (r as PreFilterResult).nodeNames);
      if (nodeNames.size === 0) return { status: new Status(Code.UnschedulableAndUnresolvable, ['node(s) didn\'t satisfy plugin(s) [' + pl.name + ']'], pl.name) };
    }
    return { status: null, nodeNames };
  }

  /** The filters to run this cycle (those PreFilter did not skip). */
  activeFilters(state: CycleState): FilterPlugin[] {
    return state.skipFilter.size === 0 ? this.filter : this.filter.filter((f) => !state.skipFilter.has(f.name));
  }

  runFilters(filters: readonly FilterPlugin[], state: CycleState, pod: PodInfo, node: NodeInfo): Status | null {
    for (let i = 0; i < filters.length; i++) {
      const s = filters[i]!.filter(state, pod, node);
      if (s !== null) {
        if (!s.plugin) s.plugin = filters[i]!.name;
        return s;
      }
    }
    return null;
  }

  /**
   * Upstream RunFilterPluginsWithNominatedPods: the filters pass only if the pod fits both
   * with the node's nominated pods of equal or higher priority counted as placed, and (when
   * any were added) without them — pod affinity might be satisfied only by a nominated pod
   * that may never get there.
   */
  runFiltersWithNominatedPods(filters: readonly FilterPlugin[], state: CycleState, pod: PodInfo, node: NodeInfo, nominator: Nominator | undefined): Status | null {
    if (!nominator || nominator.empty) return this.runFilters(filters, state, pod, node);
    let withNominated: NodeInfo | undefined;
    let stateOut: CycleState | undefined;
    for (const p of nominator.podsOn(node.name)) {
      if (p.priority < pod.priority || p.key === pod.key) continue;
      if (!withNominated) {
        withNominated = node.clone();
        stateOut = state.clone();
      }
      withNominated.addPod(p);
      this.runPreFilterAddPod(stateOut!, pod, p, withNominated);
    }
    if (!withNominated) return this.runFilters(filters, state, pod, node);
    const s = this.runFilters(filters, stateOut!, pod, withNominated);
    if (s !== null) return s;
    return this.runFilters(filters, state, pod, node);
  }

  runPreFilterAddPod(state: CycleState, pod: PodInfo, added: PodInfo, node: NodeInfo): void {
    for (const pl of this.preFilter) if (!state.skipFilter.has(pl.name)) pl.addPod?.(state, pod, added, node);
  }

  runPreFilterRemovePod(state: CycleState, pod: PodInfo, removed: PodInfo, node: NodeInfo): void {
    for (const pl of this.preFilter) if (!state.skipFilter.has(pl.name)) pl.removePod?.(state, pod, removed, node);
  }

  async runPostFilter(state: CycleState, pod: PodInfo, statuses: NodeToStatus): Promise<{ nominatedNodeName?: string; status: Status | null }> {
    let last: Status | null = null;
    for (const pl of this.postFilter) {
      const { result, status } = await pl.postFilter(state, pod, statuses);
      if (status === null || status.code === Code.Success) return { nominatedNodeName: result?.nominatedNodeName, status: null };
      last = status;
      if (result?.nominatedNodeName !== undefined) return { nominatedNodeName: result.nominatedNodeName, status };
    }
    return { status: last };
  }

  /**
   * PreScore, Score, NormalizeScore and weights; totals[i] belongs to nodes[i]. The array is
   * reused by the next call: read it before scoring again.
   */
  runScore(state: CycleState, pod: PodInfo, nodes: readonly NodeInfo[]): Float64Array {
    for (const pl of this.preScore) {
      const s = pl.preScore(state, pod, nodes);
      if (s?.code === Code.Skip) state.skipScore.add(pl.name);
    }
    // Typed arrays this size live outside the V8 heap; reuse them across cycles. The totals
    // are read by the caller at once (selectHost), before the next cycle scores.
    if (this.totalsBuf.length < nodes.length) {
      this.totalsBuf = new Float64Array(nodes.length);
      this.scoresBuf = new Float64Array(nodes.length);
    }
    const totals = this.totalsBuf.subarray(0, nodes.length);
    const scores = this.scoresBuf.subarray(0, nodes.length);
    totals.fill(0);
    for (const { plugin, weight } of this.score) {
      if (state.skipScore.has(plugin.name)) continue;
      if (plugin.scoreAll) plugin.scoreAll(state, pod, nodes, scores);
      else for (let i = 0; i < nodes.length; i++) scores[i] = plugin.score(state, pod, nodes[i]!);
      plugin.normalizeScore?.(state, pod, scores, nodes);
      for (let i = 0; i < nodes.length; i++) {
        const v = scores[i]!;
        totals[i]! += (v > maxScore ? maxScore : v < 0 ? 0 : v) * weight;
      }
    }
    return totals;
  }

  runReserve(state: CycleState, pod: PodInfo, nodeName: string): Status | null {
    for (let i = 0; i < this.reserve.length; i++) {
      const s = this.reserve[i]!.reserve(state, pod, nodeName);
      if (s !== null) {
        if (!s.plugin) s.plugin = this.reserve[i]!.name;
        for (let j = i; j >= 0; j--) this.reserve[j]!.unreserve(state, pod, nodeName);
        return s;
      }
    }
    return null;
  }

  runUnreserve(state: CycleState, pod: PodInfo, nodeName: string): void {
    for (let j = this.reserve.length - 1; j >= 0; j--) this.reserve[j]!.unreserve(state, pod, nodeName);
  }

  runPermit(state: CycleState, pod: PodInfo, nodeName: string): Status | null {
    for (const pl of this.permit) {
      const s = pl.permit(state, pod, nodeName);
      if (s !== null && s.code !== Code.Success) {
        if (!s.plugin) s.plugin = pl.name;
        return s;
      }
    }
    return null;
  }

  async runPreBindAndBind(state: CycleState, pod: PodInfo, nodeName: string): Promise<Status | null> {
    for (const pl of this.preBind) {
      const s = await pl.preBind(state, pod, nodeName);
      if (s !== null && s.code !== Code.Success) return s;
    }
    for (const pl of this.bind) {
      const s = await pl.bind(state, pod, nodeName);
      if (s !== null && s.code === Code.Skip) continue;
      return s;
    }
    return new Status(Code.Error, ['no bind plugin bound the pod']);
  }
}

function intersect(a: Set<string> | undefined, b: ReadonlySet<string>): Set<string> {
  if (!a) return new Set(b);
  const out = new Set<string>();
  for (const x of a) if (b.has(x)) out.add(x);
  return out;
}
