/**
 * @module LIST: selectors, limit/continue paging at a fixed revision, resourceVersion
 * semantics (absent/0: latest; resourceVersionMatch=Exact: that revision).
 */
import type { KubeList, StoredObject } from '../../../api/object.ts';
import { StatusError } from '../../../machinery/status.ts';
import { isStorageError } from '../../../storage/interface.ts';
import { buildFilter } from './filter.ts';
import type { Store } from './store.ts';

export interface ListParams {
  labelSelector?: string;
  fieldSelector?: string;
  limit?: number;
  continue?: string;
  resourceVersion?: string;
  resourceVersionMatch?: string;
}

interface ContinueToken {
  v: string;
  rv: number;
  start: string;
}

function encodeContinue(rv: number, start: string): string {
  const t: ContinueToken = { v: 'meta.k8s.io/v1', rv, start };
  return Buffer.from(JSON.stringify(t)).toString('base64');
}

function decodeContinue(token: string, prefix: string): ContinueToken {
  try {
    const t = JSON.parse(Buffer.from(token, 'base64').toString('utf8')) as ContinueToken;
    if (typeof t.rv !== 'number' || typeof t.start !== 'string' || !t.start.startsWith(prefix)) throw new Error('bad');
    return t;
  } catch {
    throw StatusError.badRequest('continue key is not valid: incorrect encoded start resourceVersion (version meta.k8s.io/v1)');
  }
}

export function parseResourceVersion(rv: string | undefined): number | undefined {
  if (rv === undefined || rv === '') return undefined;
  const n = Number(rv);
  if (!Number.isInteger(n) || n < 0) throw StatusError.badRequest(`invalid resource version: ${rv}`);
  return n;
}

export async function listObjects(store: Store, namespace: string, p: ListParams): Promise<KubeList<StoredObject>> {
  const prefix = store.codec.prefix(namespace);
  const filter = buildFilter(store.strategy, p.labelSelector, p.fieldSelector);
  const limit = p.limit && p.limit > 0 ? p.limit : 0;
  let revision = 0;
  let startAfter: string | undefined;
  if (p.continue) {
    const t = decodeContinue(p.continue, prefix);
    revision = t.rv;
    startAfter = t.start;
  } else if (p.resourceVersionMatch === 'Exact') {
    revision = parseResourceVersion(p.resourceVersion) ?? 0;
  } else {
    parseResourceVersion(p.resourceVersion);
  }
  const items: StoredObject[] = [];
  let continueToken: string | undefined;
  try {
    // A name pinned by the field selector is a single read.
    if (filter.name !== undefined && !p.continue && (namespace || !store.strategy.info.namespaced)) {
      const res = await store.deps.backend.get(store.codec.key(namespace, filter.name), { revision: revision || undefined });
      if (res.kv) {
        const obj = store.codec.decode(res.kv);
        if (filter.matches(obj)) items.push(obj);
      }
      return listOf(store, items, res.revision);
    }
    for (;;) {
      const batch = limit ? Math.max(limit, 64) : 0;
      const res = await store.deps.backend.list(prefix, { startAfter, limit: batch, revision: revision || undefined });
      revision = res.revision;
      for (let i = 0; i < res.kvs.length; i++) {
        const kv = res.kvs[i]!;
        const obj = store.codec.decode(kv);
        if (!filter.matches(obj)) continue;
        items.push(obj);
        if (limit && items.length === limit) {
          if (i < res.kvs.length - 1 || res.more) continueToken = encodeContinue(revision, kv.key);
          return listOf(store, items, revision, continueToken);
        }
      }
      if (!res.more || res.kvs.length === 0) break;
      startAfter = res.kvs[res.kvs.length - 1]!.key;
    }
  } catch (err) {
    if (isStorageError(err, 'Compacted')) {
      if (p.continue)
        throw StatusError.expired(
          'The provided continue parameter is too old to display a consistent list result. You can start a new list without the continue parameter.',
        );
      throw StatusError.expired(`too old resource version: ${revision}`);
    }
    if (isStorageError(err, 'FutureRevision'))
      throw StatusError.timeout(`Too large resource version: ${revision}, current: ${await store.deps.backend.currentRevision()}`);
    throw err;
  }
  return listOf(store, items, revision);
}

function listOf(store: Store, items: StoredObject[], revision: number, cont?: string): KubeList<StoredObject> {
  const metadata: KubeList['metadata'] = { resourceVersion: String(revision) };
  if (cont) metadata.continue = cont;
  return { apiVersion: store.codec.apiVersion, kind: `${store.codec.kind}List`, metadata, items };
}
