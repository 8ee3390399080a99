/**
 * @module The scheduling framework's extension points (kube-scheduler's framework/interface.go):
 * a plugin implements only the points it needs. Filters return `null` for success so the hot
 * path allocates nothing; failures are `Status` objects a plugin usually builds once.
 */
import type { CycleState } from './cycle-state.ts';
import type { NodeInfo } from './node-info.ts';
import type { PodInfo } from './pod-info.ts';
import type { Snapshot } from './snapshot.ts';

/** Upstream's framework.Code values. */
export const Code = {
  Success: 0,
  Error: 1,
  Unschedulable: 2,
  UnschedulableAndUnresolvable: 3,
  Wait: 4,
  Skip: 5,
} as const;
export type Code = (typeof Code)[keyof typeof Code];

export class Status {
  constructor(
    readonly code: Code,
    readonly reasons: readonly string[],
    /** The plugin that returned it (set by the plugin or the framework). */
    public plugin = '',
  ) {}

  get message(): string {
    return this.reasons.join(', ');
  }

  isRejection(): boolean {
    return this.code === Code.Unschedulable || this.code === Code.UnschedulableAndUnresolvable;
  }
}

export const unschedulable = (plugin: string, ...reasons: string[]) => new Status(Code.Unschedulable, reasons, plugin);
export const unresolvable = (plugin: string, ...reasons: string[]) => new Status(Code.UnschedulableAndUnresolvable, reasons, plugin);
export const errorStatus = (plugin: string, err: unknown) => new Status(Code.Error, [err instanceof Error ? err.message : String(err)], plugin);
export const skipStatus = new Status(Code.Skip, []);

/** The highest score a Score plugin may give after normalisation (framework.MaxNodeScore). */
export const maxNodeScore = 100;

export interface Plugin {
  readonly name: string;
}

/** PreFilter may restrict the nodes worth filtering (e.g. NodeName, NodeAffinity). */
export interface PreFilterResult {
  nodeNames: ReadonlySet<string>;
}

export interface QueueSortPlugin extends Plugin {
  less(a: QueuedPodInfoView, b: QueuedPodInfoView): boolean;
}

export interface QueuedPodInfoView {
  podInfo: PodInfo;
  /** When the pod was added to (or last moved within) the queue, ms. */
  timestamp: number;
}

export interface PreFilterPlugin extends Plugin {
  /** `Skip` skips this plugin's Filter for the cycle; a rejection fails every node. */
  preFilter(state: CycleState, pod: PodInfo, snapshot: Snapshot): PreFilterResult | Status | null;
  /** PreFilterExtensions: keep the prefilter state right while preemption adds/removes pods. */
  addPod?(state: CycleState, pod: PodInfo, added: PodInfo, nodeInfo: NodeInfo): void;
  removePod?(state: CycleState, pod: PodInfo, removed: PodInfo, nodeInfo: NodeInfo): void;
}

export interface FilterPlugin extends Plugin {
  filter(state: CycleState, pod: PodInfo, nodeInfo: NodeInfo): Status | null;
}

/** Statuses of the nodes that failed filtering, by node name. */
export type NodeToStatus = Map<string, Status>;

export interface PostFilterResult {
  /** '' clears a stale nomination; undefined leaves it alone. */
  nominatedNodeName?: string;
}

export interface PostFilterPlugin extends Plugin {
  postFilter(state: CycleState, pod: PodInfo, statuses: NodeToStatus): Promise<{ result?: PostFilterResult; status: Status | null }>;
}

export interface PreScorePlugin extends Plugin {
  /** `Skip` skips this plugin's Score for the cycle. */
  preScore(state: CycleState, pod: PodInfo, nodes: readonly NodeInfo[]): Status | null;
}

export interface ScorePlugin extends Plugin {
  score(state: CycleState, pod: PodInfo, nodeInfo: NodeInfo): number;
  /**
   * Optional: `out[i] = score(nodes[i])` for every node, in one call. The framework's loop
   * calls many plugins' `score` from one call site (too many shapes for V8 to inline); a
   * plugin scoring every feasible node of every pod runs its own loop instead.
   */
  scoreAll?(state: CycleState, pod: PodInfo, nodes: readonly NodeInfo[], out: Float64Array): void;
  /** Rescales raw scores in place to [0, maxNodeScore]. */
  normalizeScore?(state: CycleState, pod: PodInfo, scores: Float64Array, nodes: readonly NodeInfo[]): void;
}

export interface ReservePlugin extends Plugin {
  reserve(state: CycleState, pod: PodInfo, nodeName: string): Status | null;
  unreserve(state: CycleState, pod: PodInfo, nodeName: string): void;
}

export interface PermitPlugin extends Plugin {
  /** Only Success or a rejection; waiting (`Wait`) is not supported by this scheduler. */
  permit(state: CycleState, pod: PodInfo, nodeName: string): Status | null;
}

export interface PreBindPlugin extends Plugin {
  preBind(state: CycleState, pod: PodInfo, nodeName: string): Promise<Status | null>;
}

export interface BindPlugin extends Plugin {
  /** `Skip` passes the pod to the next bind plugin. */
  bind(state: CycleState, pod: PodInfo, nodeName: string): Promise<Status | null>;
}

/** A plugin with any subset of the extension points. */
export type AnyPlugin = Plugin &
  Partial<
    Pick<QueueSortPlugin, 'less'> &
      Pick<PreFilterPlugin, 'preFilter' | 'addPod' | 'removePod'> &
      Pick<FilterPlugin, 'filter'> &
      Pick<PostFilterPlugin, 'postFilter'> &
      Pick<PreScorePlugin, 'preScore'> &
      Pick<ScorePlugin, 'score' | 'normalizeScore'> &
      Pick<ReservePlugin, 'reserve' | 'unreserve'> &
      Pick<PermitPlugin, 'permit'> &
      Pick<PreBindPlugin, 'preBind'> &
      Pick<BindPlugin, 'bind'>
  >;
