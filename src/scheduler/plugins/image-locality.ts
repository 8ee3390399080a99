/**
 * @module ImageLocality (Score): favours nodes that already have the pod's images, weighted
 * by image size and by how widely the image is spread (so one node with a popular image does
 * not attract every pod), clamped between 23 MB and 1000 MB per container.
 */
import type { CycleState } from '../framework/cycle-state.ts';
import type { NodeInfo } from '../framework/node-info.ts';
import type { PodInfo } from '../framework/pod-info.ts';
import type { Snapshot } from '../framework/snapshot.ts';
import { maxNodeScore, type ScorePlugin } from '../framework/types.ts';

const mb = 1024 * 1024;
const minThreshold = 23 * mb;
const maxContainerThreshold = 1000 * mb;

/** Upstream's normalizedImageName: an image without tag or digest means `:latest`. */
export function normalizedImageName(name: string): string {
  const lastSlash = name.lastIndexOf('/');
  if (name.includes('@') || name.slice(lastSlash + 1).includes(':')) return name;
  return `${name}:latest`;
}

export class ImageLocality implements ScorePlugin {
  static readonly pluginName = 'ImageLocality';
  readonly name = ImageLocality.pluginName;

  constructor(private readonly snapshot: Snapshot) {}

  score(_s: CycleState, pod: PodInfo, node: NodeInfo): number {
    if (node.images.size === 0) return 0;
    const spec = pod.pod.spec;
    const containers = [...(spec?.initContainers ?? []), ...(spec?.containers ?? [])];
    const total = this.snapshot.numNodes || 1;
    let sum = 0;
    for (const c of containers) {
      if (!c.image) continue;
      const name = normalizedImageName(c.image);
      const size = node.images.get(name) ?? node.images.get(c.image);
      if (size === undefined) continue;
      const spread = (this.snapshot.imageNodeCount.get(name) ?? this.snapshot.imageNodeCount.get(c.image) ?? 1) / total;
      sum += Math.trunc(size * spread);
    }
    const maxThreshold = maxContainerThreshold * containers.length;
    if (sum < minThreshold) sum = minThreshold;
    else if (sum > maxThreshold) sum = maxThreshold;
    return Math.trunc((maxNodeScore * (sum - minThreshold)) / (maxThreshold - minThreshold));
  }
}
