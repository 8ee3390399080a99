/**
 * @module ControllerRevision helpers shared by the DaemonSet and StatefulSet controllers (as
 * upstream's `pkg/controller/history`): the template patch a revision stores, the FNV hashes
 * and safe encoding that name revisions, creation with hash-collision handling
 * (`status.collisionCount`), ordering, and which old revisions to prune.
 */
import type { ControllerRevision } from 'kubernetes-types/apps/v1.js';
import type { PodTemplateSpec } from 'kubernetes-types/core/v1.js';
import type { KubeObject } from '../../api/object.ts';
import { isAlreadyExists } from '../../machinery/status.ts';
import { refs } from '../../client/refs.ts';
import type { Client } from '../../client/rest.ts';
import { newControllerRef } from './owner.ts';

export type Revision = ControllerRevision & KubeObject;

/** The label every ControllerRevision carries with its hash (upstream ControllerRevisionHashLabel). */
export const controllerRevisionHashLabel = 'controller.kubernetes.io/hash';

/** Upstream's rand.SafeEncodeString alphabet: no vowels, no look-alike digits, so no words. */
const alphanums = 'bcdfghjklmnpqrstvwxz2456789';

export function safeEncodeString(s: string): string {
  let out = '';
  for (let i = 0; i < s.length; i++) out += alphanums[s.charCodeAt(i) % alphanums.length];
  return out;
}

function utf8(s: string): Uint8Array {
  return new TextEncoder().encode(s);
}

/** FNV-1 (32 bit), as Go's hash/fnv New32 that HashControllerRevision uses. */
export function fnv32(bytes: Uint8Array, h = 0x811c9dc5): number {
  for (const b of bytes) h = (Math.imul(h, 0x01000193) ^ b) >>> 0;
  return h >>> 0;
}

/** FNV-1a (32 bit), as Go's New32a that controller.ComputeHash uses. */
export function fnv32a(bytes: Uint8Array, h = 0x811c9dc5): number {
  for (const b of bytes) h = Math.imul(h ^ b, 0x01000193) >>> 0;
  return h >>> 0;
}

/** JSON with object keys sorted, so equal values hash and compare equal whatever their key order. */
export function canonicalJson(v: unknown): string {
  if (Array.isArray(v)) return `[${v.map((x) => (x === undefined ? 'null' : canonicalJson(x))).join(',')}]`;
  if (v && typeof v === 'object') {
    const entries = Object.entries(v as Record<string, unknown>)
      .filter(([, x]) => x !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, x]) => `${JSON.stringify(k)}:${canonicalJson(x)}`).join(',')}}`;
  }
  return JSON.stringify(v ?? null);
}

/**
 * controller.ComputeHash: the hash of a pod template (and the collision count, when set) that
 * DaemonSets put in the `controller-revision-hash` label. Upstream hashes Go's printed struct;
 * we hash canonical JSON, so values differ from upstream's but have the same properties.
 */
export function computeHash(template: unknown, collisionCount?: number): string {
  let h = fnv32a(utf8(canonicalJson(template ?? {})));
  if (collisionCount !== undefined && collisionCount !== null) h = fnv32a(utf8(String(collisionCount)), h);
  return safeEncodeString(String(h));
}

/** history.HashControllerRevision: FNV-1 of the revision's data, then the collision count. */
export function hashControllerRevision(data: unknown, collisionCount?: number): string {
  let h = fnv32(utf8(canonicalJson(data ?? {})));
  if (collisionCount !== undefined && collisionCount !== null) h = fnv32(utf8(String(collisionCount)), h);
  return safeEncodeString(String(h));
}

/** history.ControllerRevisionName: `<parent>-<hash>`, the prefix cut so the name stays ≤ 253. */
export function controllerRevisionName(prefix: string, hash: string): string {
  return `${prefix.length > 223 ? prefix.slice(0, 223) : prefix}-${hash}`;
}

/**
 * The patch a DaemonSet or StatefulSet revision stores (upstream getPatch): only
 * `spec.template`, marked `$patch: replace` so applying it swaps the whole template.
 */
export function templatePatch(template: PodTemplateSpec | undefined): Record<string, unknown> {
  return { spec: { template: { ...structuredClone(template ?? {}), $patch: 'replace' } } };
}

/** The pod template a revision recorded (the inverse of templatePatch). */
export function templateFromRevision(cr: Revision): PodTemplateSpec {
  const data = cr.data as { spec?: { template?: PodTemplateSpec & { $patch?: string } } } | undefined;
  const { $patch: _p, ...template } = structuredClone(data?.spec?.template ?? {});
  return template;
}

/**
 * history.NewControllerRevision: a revision owned (controller ref) by parent, labelled with
 * the template's labels plus its hash, named `<parent>-<hash>`.
 */
export function newControllerRevision(
  parent: KubeObject,
  gvk: { apiVersion: string; kind: string },
  templateLabels: Record<string, string> | undefined,
  data: unknown,
  revision: number,
  collisionCount?: number,
): Revision {
  const hash = hashControllerRevision(data, collisionCount);
  return {
    apiVersion: 'apps/v1',
    kind: 'ControllerRevision',
    metadata: {
      name: controllerRevisionName(parent.metadata?.name ?? '', hash),
      namespace: parent.metadata?.namespace,
      labels: { ...(templateLabels ?? {}), [controllerRevisionHashLabel]: hash },
      ownerReferences: [newControllerRef(parent, gvk)],
    },
    data: data as Revision['data'],
    revision,
  };
}

/** history.EqualRevision: the same stored data (compared as values, not bytes). */
export function equalRevision(a: Revision | undefined, b: Revision | undefined): boolean {
  if (!a || !b) return a === b;
  return canonicalJson(a.data) === canonicalJson(b.data);
}

export function findEqualRevisions(revisions: readonly Revision[], needle: Revision): Revision[] {
  return revisions.filter((r) => equalRevision(r, needle));
}

/** history.SortControllerRevisions: by revision number, then creation time, then name. */
export function sortRevisions(revisions: readonly Revision[]): Revision[] {
  return [...revisions].sort((a, b) => {
    if (a.revision !== b.revision) return a.revision - b.revision;
    const ta = a.metadata?.creationTimestamp ?? '';
    const tb = b.metadata?.creationTimestamp ?? '';
    if (ta !== tb) return ta < tb ? -1 : 1;
    return (a.metadata?.name ?? '') < (b.metadata?.name ?? '') ? -1 : 1;
  });
}

/** The revision number a new revision gets: one past the largest. */
export function nextRevision(revisions: readonly Revision[]): number {
  return revisions.reduce((m, r) => Math.max(m, r.revision), 0) + 1;
}

/**
 * history.CreateControllerRevision: creates the revision; when its name is taken by a
 * revision with other data (a hash collision) it bumps the collision count and tries the next
 * name. Returns the revision now stored and the collision count used.
 */
export async function createControllerRevision(
  client: Client,
  revision: Revision,
  collisionCount: number,
): Promise<{ revision: Revision; collisionCount: number }> {
  const crs = client.resource<Revision>(refs.controllerrevisions);
  const ns = revision.metadata?.namespace;
  const parentName = revision.metadata?.ownerReferences?.[0]?.name ?? revision.metadata?.name ?? '';
  for (let count = collisionCount; ; count++) {
    const hash = hashControllerRevision(revision.data, count);
    const clone: Revision = structuredClone(revision);
    clone.metadata!.name = controllerRevisionName(parentName, hash);
    clone.metadata!.labels = { ...(clone.metadata!.labels ?? {}), [controllerRevisionHashLabel]: hash };
    try {
      return { revision: await crs.create(clone, ns), collisionCount: count };
    } catch (err) {
      if (!isAlreadyExists(err)) throw err;
      const exists = await crs.get(clone.metadata!.name!, ns);
      if (equalRevision(exists, clone)) return { revision: exists, collisionCount: count };
    }
  }
}

/** Changes a stored revision's number (history.UpdateControllerRevision), retrying on conflict. */
export async function updateRevisionNumber(client: Client, cr: Revision, revision: number): Promise<Revision> {
  if (cr.revision === revision) return cr;
  const crs = client.resource<Revision>(refs.controllerrevisions);
  return crs.update({ ...cr, revision });
}

/**
 * The old revisions to delete so at most `limit` unused ones remain: never a revision that is
 * `inUse` (current, update, or still labelling a live pod); the oldest go first.
 */
export function revisionsToPrune(revisions: readonly Revision[], limit: number, inUse: (cr: Revision) => boolean): Revision[] {
  const unused = sortRevisions(revisions).filter((r) => !inUse(r));
  const excess = unused.length - Math.max(0, limit);
  return excess > 0 ? unused.slice(0, excess) : [];
}
