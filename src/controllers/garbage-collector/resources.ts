/**
 * @module Which resources the garbage collector watches (one served version per stored
 * resource that can be listed, watched and deleted; events are ignored as upstream's default
 * ignoredResources does) and how an ownerReference's apiVersion/kind finds its resource.
 */
import { builtinResources, type ResourceInfo } from '../../machinery/resources.ts';

/** Stored resources the collector tracks, in table order. */
export function collectableResources(table: readonly ResourceInfo[] = builtinResources): ResourceInfo[] {
  const seen = new Set<string>();
  const out: ResourceInfo[] = [];
  for (const r of table) {
    if (!['list', 'watch', 'delete', 'get', 'patch'].every((v) => r.verbs.includes(v as ResourceInfo['verbs'][number]))) continue;
    if (r.resource === 'events' && (r.group === '' || r.group === 'events.k8s.io')) continue;
    // autoscaling/v1 and v2 HPAs are one stored resource: the first version listed wins.
    const storageId = `${r.group}/${r.resource}`;
    if (seen.has(storageId)) continue;
    seen.add(storageId);
    out.push(r);
  }
  return out;
}

/** The tracked resource an owner reference points at: same group and kind, any version. */
export function resolveOwnerKind(tracked: readonly ResourceInfo[], apiVersion: string, kind: string): ResourceInfo | undefined {
  const slash = apiVersion.indexOf('/');
  const group = slash < 0 ? '' : apiVersion.slice(0, slash);
  return tracked.find((r) => r.group === group && r.kind === kind);
}
