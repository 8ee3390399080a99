/**
 * @module The object shapes the Deployment controller works on: Deployments and ReplicaSets as
 * plain, mutable JSON (the controller always edits deep copies, never cache objects).
 */
import type { Deployment, DeploymentCondition, DeploymentStatus, ReplicaSet } from 'kubernetes-types/apps/v1.js';
import type { KubeObject, Mutable } from '../../api/object.ts';

export type D = Deployment & KubeObject;
export type RS = ReplicaSet & KubeObject;
export type Condition = Mutable<DeploymentCondition>;
export type Status = Omit<Mutable<DeploymentStatus>, 'conditions'> & { conditions?: Condition[] };

export const deploymentGVK = { apiVersion: 'apps/v1', kind: 'Deployment' } as const;
export const replicaSetGVK = { apiVersion: 'apps/v1', kind: 'ReplicaSet' } as const;

export function deepCopy<T>(v: T): T {
  return JSON.parse(JSON.stringify(v)) as T;
}

export const specReplicas = (rs: RS | undefined): number => rs?.spec?.replicas ?? 0;
export const desiredReplicas = (d: D): number => d.spec?.replicas ?? 1;

/** Sets spec.replicas on a copy (kubernetes-types marks nothing readonly in spec, but be explicit). */
export function withReplicas(rs: RS, n: number): RS {
  const copy = deepCopy(rs);
  (copy.spec as { replicas?: number }).replicas = n;
  return copy;
}
