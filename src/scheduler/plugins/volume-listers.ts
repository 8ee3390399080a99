/**
 * @module What the volume plugins read (claims, volumes, classes) and the small pieces of
 * claim/volume logic they share: which claims a pod uses, storage quantities, whether a
 * volume could serve a claim on a node. The scheduler may not import the PV controller, so
 * the matching here is the node-aware subset of upstream's FindMatchingVolume it needs.
 */
import type { PersistentVolume, PersistentVolumeClaim } from 'kubernetes-types/core/v1.js';
import type { StorageClass } from 'kubernetes-types/storage/v1.js';
import type { KubeObject } from '../../api/object.ts';
import type { InformerFactory } from '../../client/cache/factory.ts';
import { refs } from '../../client/refs.ts';
import { selectorFromLabelSelector } from '../../machinery/labels.ts';
import { compileNodeSelector } from '../framework/node-selector.ts';
import type { NodeInfo } from '../framework/node-info.ts';
import type { PodObject } from '../framework/pod-info.ts';
import { parseQuantity } from '../framework/quantity.ts';

export type PV = PersistentVolume & KubeObject;
export type PVC = PersistentVolumeClaim & KubeObject;
export type SC = StorageClass & KubeObject;

export const annSelectedNode = 'volume.kubernetes.io/selected-node';
export const annBindCompleted = 'pv.kubernetes.io/bind-completed';
export const annBoundByController = 'pv.kubernetes.io/bound-by-controller';

export interface VolumeListers {
  claim(namespace: string, name: string): PVC | undefined;
  volume(name: string): PV | undefined;
  volumes(): readonly PV[];
  storageClass(name: string): SC | undefined;
  /** Called whenever a claim, volume or class changes (to requeue waiting pods). */
  onChange(fn: () => void): void;
}

export function listersFrom(f: InformerFactory): VolumeListers {
  const claims = f.informerFor<PVC>(refs.persistentvolumeclaims);
  const volumes = f.informerFor<PV>(refs.persistentvolumes);
  const classes = f.informerFor<SC>(refs.storageclasses);
  return {
    claim: (ns, name) => claims.store.getByName(ns, name),
    volume: (name) => volumes.store.getByName(undefined, name),
    volumes: () => volumes.store.list(),
    storageClass: (name) => classes.store.getByName(undefined, name),
    onChange(fn) {
      const h = { onAdd: fn, onUpdate: fn, onDelete: fn };
      claims.addEventHandler(h);
      volumes.addEventHandler(h);
      classes.addEventHandler(h);
    },
  };
}

/** The claims a pod uses: persistentVolumeClaim volumes and generic ephemeral ones (`<pod>-<volume>`). */
export function podClaimNames(pod: PodObject): string[] {
  return (pod.spec?.volumes ?? []).flatMap((v) =>
    v.persistentVolumeClaim?.claimName ? [v.persistentVolumeClaim.claimName] : v.ephemeral ? [`${pod.metadata?.name}-${v.name}`] : [],
  );
}

const annBetaClass = 'volume.beta.kubernetes.io/storage-class';
export const claimClass = (c: PVC): string => c.metadata?.annotations?.[annBetaClass] ?? c.spec?.storageClassName ?? '';
const volumeClass = (v: PV): string => v.metadata?.annotations?.[annBetaClass] ?? v.spec?.storageClassName ?? '';

/** A volume's required node affinity against a node (no affinity fits every node). */
export function volumeFitsNode(pv: PV, node: NodeInfo): boolean {
  const req = pv.spec?.nodeAffinity?.required;
  if (!req) return true;
  return compileNodeSelector(req)(node.labels, node.name);
}

const isPreBoundTo = (v: PV, c: PVC): boolean => {
  const r = v.spec?.claimRef;
  return !!r && r.name === c.metadata?.name && r.namespace === c.metadata?.namespace && (!r.uid || r.uid === c.metadata?.uid);
};

/**
 * The best volume for an unbound claim on this node: one pre-bound to the claim, else an
 * Available unclaimed one of the same class, mode and selector with every access mode and
 * enough capacity (the smallest), skipping volumes other pods' cycles already took.
 */
export function findVolumeForNode(claim: PVC, volumes: readonly PV[], node: NodeInfo, taken: ReadonlySet<string>): PV | undefined {
  const request = parseQuantity(claim.spec?.resources?.requests?.storage);
  const modes = claim.spec?.accessModes ?? [];
  const selector = claim.spec?.selector ? selectorFromLabelSelector(claim.spec.selector) : undefined;
  const mode = claim.spec?.volumeMode ?? 'Filesystem';
  let best: PV | undefined;
  for (const v of volumes) {
    const name = v.metadata?.name ?? '';
    if (taken.has(name) || v.metadata?.deletionTimestamp) continue;
    if ((v.spec?.volumeMode ?? 'Filesystem') !== mode) continue;
    const size = parseQuantity(v.spec?.capacity?.storage);
    if (!(size >= request)) continue;
    if (!volumeFitsNode(v, node)) continue;
    if (isPreBoundTo(v, claim)) return v;
    if (v.spec?.claimRef || (v.status?.phase && v.status.phase !== 'Available')) continue;
    if (volumeClass(v) !== claimClass(claim)) continue;
    if (selector && !selector.matches(v.metadata?.labels)) continue;
    if (!modes.every((m) => v.spec?.accessModes?.includes(m))) continue;
    if (!best || parseQuantity(best.spec?.capacity?.storage) > size) best = v;
  }
  return best;
}

/** Whether a class's provisioner can create a volume reachable from the node (allowedTopologies). */
export function canProvisionOn(sc: SC, node: NodeInfo): boolean {
  if (!sc.provisioner || sc.provisioner === 'kubernetes.io/no-provisioner') return false;
  const terms = sc.allowedTopologies ?? [];
  if (terms.length === 0) return true;
  return terms.some((t) => (t.matchLabelExpressions ?? []).every((e) => e.values.includes(node.labels[e.key] ?? '\u0000')));
}
