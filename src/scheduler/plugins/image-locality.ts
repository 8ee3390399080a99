/**
 * @module ImageLocality (PreScore, Score): favours nodes that already have the pod's images, weighted
 * by image size and by how widely the image is spread (so one node with a popular image does
 * not attract every pod), clamped between 23 MB and 1000 MB per container.
 */
import { CycleState, type StateData } from '../framework/cycle-state.ts';
import type { NodeInfo } from '../framework/node-info.ts';
import type { PodInfo } from '../framework/pod-info.ts';
import type { Snapshot } from '../framework/snapshot.ts';
import { maxNodeScore, skipStatus, type PreScorePlugin, type ScorePlugin, type Status } from '../framework/types.ts';

const mb = 1024 * 1024;
const minThreshold = 23 * mb;
const maxContainerThreshold = 1000 * mb;

/** Upstream's normalizedImageName: an image without tag or digest means `:latest`. */
export function normalizedImageName(name: string): string {
  const lastSlash = name.lastIndexOf('/');
  if (name.includes('@') || name.slice(lastSlash + 1).includes(':')) return name;
  return `${name}:latest`;
}

/** The pod's images, resolved once per cycle: each with its spread over the cluster. */
class ImageState implements StateData {
  constructor(
    /** Per container with an image: the normalized name, the name as written, its spread. */
    readonly images: readonly { name: string; raw: string; spread: number }[],
    /** Containers counted for the upper threshold (every container, as upstream). */
    readonly containers: number,
  ) {}
  clone() {
    return this;
  }
}

const stateKey = 'PreScoreImageLocality';

export class ImageLocality implements PreScorePlugin, ScorePlugin {
  static readonly pluginName = 'ImageLocality';
  readonly name = ImageLocality.pluginName;

  constructor(private readonly snapshot: Snapshot) {}

  /**
   * Names and spreads do not depend on the node: work them out once. When no node has any
   * of the pod's images every node scores 0, so the Score is skipped (same ranking).
   */
  preScore(state: CycleState, pod: PodInfo): Status | null {
    const spec = pod.pod.spec;
    const containers = [...(spec?.initContainers ?? []), ...(spec?.containers ?? [])];
    const counts = this.snapshot.imageNodeCount;
    const total = this.snapshot.numNodes || 1;
    const images: { name: string; raw: string; spread: number }[] = [];
    let present = false;
    for (const c of containers) {
      if (!c.image) continue;
      const name = normalizedImageName(c.image);
      const count = counts.get(name) ?? counts.get(c.image);
      if (count !== undefined) present = true;
      images.push({ name, raw: c.image, spread: (count ?? 1) / total });
    }
    if (!present) return skipStatus;
    state.write(stateKey, new ImageState(images, containers.length));
    return null;
  }

  score(state: CycleState, pod: PodInfo, node: NodeInfo): number {
    if (node.images.size === 0) return 0;
    const st = state.read<ImageState>(stateKey) ?? this.resolve(pod);
    let sum = 0;
    for (const img of st.images) {
      const size = node.images.get(img.name) ?? node.images.get(img.raw);
      if (size === undefined) continue;
      sum += Math.trunc(size * img.spread);
    }
    const maxThreshold = maxContainerThreshold * st.containers;
    if (sum < minThreshold) sum = minThreshold;
    else if (sum > maxThreshold) sum = maxThreshold;
    return Math.trunc((maxNodeScore * (sum - minThreshold)) / (maxThreshold - minThreshold));
  }

  /** Score called without PreScore (tests, callers outside the framework). */
  private resolve(pod: PodInfo): ImageState {
    const st = new CycleState();
    return this.preScore(st, pod) === null ? st.read<ImageState>(stateKey)! : new ImageState([], 1);
  }
}
