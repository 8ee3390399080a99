/**
 * @module The in-tree plugin registry and the default profile (upstream's
 * getDefaultPlugins for v1.32): which plugins run, in which order, with which score weights.
 */
import { Framework } from '../framework/framework.ts';
import type { Handle } from '../framework/handle.ts';
import type { AnyPlugin } from '../framework/types.ts';
import { DefaultBinder } from './default-binder.ts';
import { DefaultPreemption } from './default-preemption.ts';
import { ImageLocality } from './image-locality.ts';
import { InterPodAffinity } from './inter-pod-affinity.ts';
import { NodeAffinity } from './node-affinity.ts';
import { NodeName } from './node-name.ts';
import { NodePorts } from './node-ports.ts';
import { NodeResourcesBalancedAllocation } from './node-resources-balanced-allocation.ts';
import { NodeResourcesFit } from './node-resources-fit.ts';
import { NodeUnschedulable } from './node-unschedulable.ts';
import { PodTopologySpread } from './pod-topology-spread.ts';
import { PrioritySort } from './priority-sort.ts';
import { TaintToleration } from './taint-toleration.ts';
import { VolumeBinding } from './volume-binding.ts';
import { VolumeRestrictions } from './volume-restrictions.ts';

export type PluginFactory = (h: Handle) => AnyPlugin;

export const inTreeRegistry: Record<string, PluginFactory> = {
  [PrioritySort.pluginName]: () => new PrioritySort(),
  [NodeUnschedulable.pluginName]: () => new NodeUnschedulable(),
  [NodeName.pluginName]: () => new NodeName(),
  [TaintToleration.pluginName]: () => new TaintToleration(),
  [NodeAffinity.pluginName]: () => new NodeAffinity(),
  [NodePorts.pluginName]: () => new NodePorts(),
  [NodeResourcesFit.pluginName]: () => new NodeResourcesFit(),
  [VolumeRestrictions.pluginName]: (h) => new VolumeRestrictions(h),
  [VolumeBinding.pluginName]: (h) => new VolumeBinding(h),
  [PodTopologySpread.pluginName]: (h) => new PodTopologySpread(h.snapshot),
  [InterPodAffinity.pluginName]: (h) => new InterPodAffinity(h.snapshot),
  [DefaultPreemption.pluginName]: (h) => new DefaultPreemption(h),
  [NodeResourcesBalancedAllocation.pluginName]: () => new NodeResourcesBalancedAllocation(),
  [ImageLocality.pluginName]: (h) => new ImageLocality(h.snapshot),
  [DefaultBinder.pluginName]: (h) => new DefaultBinder(h),
};

/** Upstream's default order (filters run in this order) and score weights. */
export const defaultPlugins = [
  'PrioritySort',
  'NodeUnschedulable',
  'NodeName',
  'TaintToleration',
  'NodeAffinity',
  'NodePorts',
  'NodeResourcesFit',
  'VolumeRestrictions',
  'VolumeBinding',
  'PodTopologySpread',
  'InterPodAffinity',
  'DefaultPreemption',
  'NodeResourcesBalancedAllocation',
  'ImageLocality',
  'DefaultBinder',
];

export const defaultWeights: Record<string, number> = {
  TaintToleration: 3,
  NodeAffinity: 2,
  NodeResourcesFit: 1,
  PodTopologySpread: 2,
  InterPodAffinity: 2,
  NodeResourcesBalancedAllocation: 1,
  ImageLocality: 1,
};

export function defaultProfile(handle: Handle, schedulerName = 'default-scheduler', disabled: readonly string[] = []): Framework {
  const plugins = defaultPlugins.filter((n) => !disabled.includes(n)).map((n) => inTreeRegistry[n]!(handle));
  const fw = new Framework({ schedulerName, plugins, weights: defaultWeights });
  handle.framework = fw;
  return fw;
}
