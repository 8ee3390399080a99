/**
 * @module How a resource's objects map to storage keys and bytes. The resourceVersion is not
 * stored: it is the key's modRevision, set on every read.
 */
import type { KubeObject, StoredObject } from '../../../api/object.ts';
import { apiVersionOf } from '../../../machinery/resources.ts';
import type { KeyValue } from '../../../storage/interface.ts';
import type { Strategy } from '../strategy.ts';
import type { ReadResult, Transformer } from '../../encryption/transformer.ts';

const encoder = new TextEncoder();
const decoder = new TextDecoder();

/** Stored versions whose decoded form is kept for the watchers fanning out the same event. */
const sharedDecodeCapacity = 4096;

/** One decoded stored version and the watch events built from it, shared by every watcher. */
export interface SharedDecode {
  object: StoredObject;
  events: Partial<Record<'ADDED' | 'MODIFIED' | 'DELETED', { type: 'ADDED' | 'MODIFIED' | 'DELETED'; object: StoredObject }>>;
}

export class ResourceCodec {
  readonly apiVersion: string;
  readonly kind: string;
  private readonly root: string;
  /** Insertion-ordered, bounded: one event reaches all its watchers within a few ticks. */
  private readonly shared = new Map<number, SharedDecode>();
  /**
   * The revisions in `shared`, oldest first, as a ring: evicting through `shared.keys()`
   * would walk over every deleted slot V8's Map keeps until it rehashes.
   */
  private readonly ring = new Array<number>(sharedDecodeCapacity);
  private ringNext = 0;

  /** `transformer` sits between these bytes and storage (encryption at rest); none: as is. */
  constructor(
    private readonly strategy: Strategy,
    private readonly transformer?: Transformer,
  ) {
    const loc = strategy.storage ?? strategy.info;
    this.root = `/registry/${loc.group || 'core'}/${loc.resource}/`;
    this.apiVersion = apiVersionOf(strategy.info);
    this.kind = strategy.info.kind;
  }

  key(namespace: string, name: string): string {
    return this.strategy.info.namespaced ? `${this.root}${namespace}/${name}` : `${this.root}${name}`;
  }

  /** The prefix holding every object of this resource, or of one namespace. */
  prefix(namespace?: string): string {
    return this.strategy.info.namespaced && namespace ? `${this.root}${namespace}/` : this.root;
  }

  /** Bytes as stored (after the transformer), for an object written at its own key. */
  encode(obj: KubeObject): Uint8Array {
    return this.seal(this.encodePlain(obj), this.key(obj.metadata?.namespace ?? '', obj.metadata?.name ?? ''));
  }

  /** Plaintext bytes (what the transformer seals) into the value stored at `key`. */
  seal(plain: Uint8Array, key: string): Uint8Array {
    return this.transformer ? this.transformer.toStorage(plain, key) : plain;
  }

  /** The plaintext of a stored value; `stale` when a rewrite would store it differently (key rotation). */
  plain(kv: KeyValue): ReadResult {
    return this.transformer ? this.transformer.fromStorage(kv.value, kv.key) : { data: kv.value, stale: false };
  }

  /** Plaintext bytes: in the storage version, without resourceVersion. */
  encodePlain(obj: KubeObject): Uint8Array {
    if (this.strategy.storage) {
      const stored = this.strategy.storage.toStorage(obj);
      const meta = stored.metadata ? { ...stored.metadata } : {};
      delete meta.resourceVersion;
      return encoder.encode(JSON.stringify({ ...stored, metadata: meta }));
    }
    const meta = withoutResourceVersion(obj.metadata);
    // apiVersion and kind always present (and first when the object lacked them), so that
    // encode(decode(bytes)) reproduces the stored bytes exactly: an update can tell a no-op
    // by comparing with what is stored, as upstream's GuaranteedUpdate does.
    const out = { apiVersion: this.apiVersion, kind: this.kind, ...obj, metadata: meta };
    out.apiVersion = this.apiVersion;
    out.kind = this.kind;
    return encoder.encode(JSON.stringify(out));
  }

  /** Whether stored bytes are exactly encode(decode(bytes)) (no storage-version conversion). */
  get roundTrips(): boolean {
    return !this.strategy.storage;
  }

  /** The object as this resource version presents it, resourceVersion from the revision. */
  decode(kv: KeyValue): StoredObject {
    return this.decodeBytes(this.plain(kv).data, kv.modRevision);
  }

  /**
   * What decode(encode(obj)) at `revision` would give, without the JSON round trip, for a
   * freshly written object the caller owns and no longer mutates (the write's response):
   * the same members in the same order. Only when the codec round trips; otherwise the
   * stored bytes are decoded. `share`: the caller promises to only read or serialize the
   * result, so watchers fanning out this write get the same object instead of a decode.
   */
  written(obj: KubeObject, kv: KeyValue, share = false): StoredObject {
    if (!this.roundTrips) return this.decode(kv);
    const meta = withoutResourceVersion(obj.metadata);
    meta.resourceVersion = String(kv.modRevision);
    const out = { apiVersion: this.apiVersion, kind: this.kind, ...obj, metadata: meta } as StoredObject;
    out.apiVersion = this.apiVersion;
    out.kind = this.kind;
    if (share && !this.shared.has(kv.modRevision)) this.remember(kv.modRevision, { object: out, events: {} });
    return out;
  }

  /**
   * The decoded object of a stored version, decoded once for all watchers of that event (and
   * for writers that only read the current version). Keyed by modRevision: a revision is one
   * write of one key. Shared: callers only read or serialize it, never mutate it.
   */
  decodeShared(kv: KeyValue): SharedDecode {
    let d = this.shared.get(kv.modRevision);
    if (d) return d;
    d = { object: this.decode(kv), events: {} };
    this.remember(kv.modRevision, d);
    return d;
  }

  private remember(revision: number, d: SharedDecode): void {
    const evicted = this.ring[this.ringNext];
    if (evicted !== undefined) this.shared.delete(evicted);
    this.ring[this.ringNext] = revision;
    this.ringNext = (this.ringNext + 1) % sharedDecodeCapacity;
    this.shared.set(revision, d);
  }

  /** Decodes plaintext bytes (see `plain`). */
  decodeBytes(value: Uint8Array, revision: number): StoredObject {
    let obj = JSON.parse(decoder.decode(value)) as KubeObject;
    if (this.strategy.storage) obj = this.strategy.storage.fromStorage(obj);
    obj.apiVersion = this.apiVersion;
    obj.kind = this.kind;
    // A freshly parsed object is ours (stored metadata has no resourceVersion: it goes last);
    // a converted one may share its metadata.
    if (this.strategy.storage || !obj.metadata) obj.metadata = { ...obj.metadata, resourceVersion: String(revision) };
    else obj.metadata.resourceVersion = String(revision);
    return obj as StoredObject;
  }
}

/**
 * A copy of metadata without resourceVersion (which is the revision, never stored). Copied
 * member by member rather than spread-then-delete: `delete` leaves V8 a slow dictionary
 * object, which then costs more to serialize.
 */
function withoutResourceVersion(metadata: KubeObject['metadata']): NonNullable<KubeObject['metadata']> {
  const meta: Record<string, unknown> = {};
  const src = metadata as Record<string, unknown> | undefined;
  for (const k in src) if (k !== 'resourceVersion') meta[k] = src[k];
  return meta;
}

/** The last second formatted: writes in the same second share it (a busy server formats one per write). */
let lastSecond = NaN;
let lastText = '';

/** Seconds-precision RFC3339, as Kubernetes prints metav1.Time. */
export function rfc3339(d: Date): string {
  const second = Math.floor(d.getTime() / 1000);
  if (second !== lastSecond) {
    lastText = d.toISOString().replace(/\.\d{3}Z$/, 'Z');
    lastSecond = second;
  }
  return lastText;
}

/**
 * A deep copy of an API object. Objects here are JSON data (parsed request bodies or stored
 * bytes), for which a JSON round trip is an exact copy and in V8 much cheaper than
 * structuredClone; `undefined` members are dropped, as storing them would drop them too.
 */
export function deepClone<T>(v: T): T {
  return v === undefined ? v : (JSON.parse(JSON.stringify(v)) as T);
}

/**
 * A deep copy of an object decoded from stored bytes (plain JSON data: objects, arrays,
 * strings, numbers, booleans, null), equal to decoding those bytes again, members in the same
 * order, at under half the cost of JSON.parse. Not for request input: that may hold
 * `undefined` or objects with toJSON, which deepClone normalises as storing would.
 */
export function copyDecoded<T>(v: T): T {
  if (typeof v !== 'object' || v === null) return v;
  if (Array.isArray(v)) {
    const n = v.length;
    const out = new Array<unknown>(n);
    for (let i = 0; i < n; i++) out[i] = copyDecoded(v[i]);
    return out as T;
  }
  const out: Record<string, unknown> = {};
  const src = v as Record<string, unknown>;
  for (const k in src) {
    // JSON.parse makes "__proto__" an own member; assigning it would set the prototype.
    if (k === '__proto__') Object.defineProperty(out, k, { value: copyDecoded(src[k]), enumerable: true, writable: true, configurable: true });
    else out[k] = copyDecoded(src[k]);
  }
  return out as T;
}
