/**
 * @module The shape every stored Kubernetes object shares. Concrete kinds come from
 * `kubernetes-types`; this is the common denominator the generic machinery works with.
 */
import type { ObjectMeta } from 'kubernetes-types/meta/v1.js';

export type { ObjectMeta };

/** Removes `readonly` (kubernetes-types marks server-set fields read-only; the server sets them). */
export type Mutable<T> = { -readonly [K in keyof T]: T[K] };

/** ObjectMeta as the registry writes it. */
export type MutableObjectMeta = Mutable<ObjectMeta>;

export interface KubeObject {
  apiVersion?: string;
  kind?: string;
  metadata?: MutableObjectMeta;
  [field: string]: unknown;
}

/** A KubeObject whose metadata is known to be present (after defaulting). */
export interface StoredObject extends KubeObject {
  apiVersion: string;
  kind: string;
  metadata: MutableObjectMeta & { name: string };
}

export interface KubeList<T extends KubeObject = KubeObject> {
  apiVersion: string;
  kind: string;
  metadata: { resourceVersion?: string; continue?: string; remainingItemCount?: number };
  items: T[];
}

export function isPlainObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** The object without metadata.managedFields (a shallow copy; the input is left alone). */
export function withoutManagedFields<T extends KubeObject>(obj: T): T {
  if (!obj.metadata || !('managedFields' in obj.metadata)) return obj;
  const { managedFields: _dropped, ...metadata } = obj.metadata;
  return { ...obj, metadata } as T;
}
