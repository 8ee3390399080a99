/**
 * @module How a resource's objects map to storage keys and bytes. The resourceVersion is not
 * stored: it is the key's modRevision, set on every read.
 */
import type { KubeObject, StoredObject } from '../../../api/object.ts';
import { apiVersionOf } from '../../../machinery/resources.ts';
import type { KeyValue } from '../../../storage/interface.ts';
import type { Strategy } from '../strategy.ts';

const encoder = new TextEncoder();
const decoder = new TextDecoder();

export class ResourceCodec {
  readonly apiVersion: string;
  readonly kind: string;
  private readonly root: string;

  constructor(private readonly strategy: Strategy) {
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

  /** Bytes as stored: in the storage version, without resourceVersion. */
  encode(obj: KubeObject): Uint8Array {
    const stored = this.strategy.storage ? this.strategy.storage.toStorage(obj) : obj;
    const meta = stored.metadata ? { ...stored.metadata } : {};
    delete meta.resourceVersion;
    return encoder.encode(JSON.stringify({ ...stored, metadata: meta }));
  }

  /** The object as this resource version presents it, resourceVersion from the revision. */
  decode(kv: KeyValue): StoredObject {
    return this.decodeBytes(kv.value, kv.modRevision);
  }

  decodeBytes(value: Uint8Array, revision: number): StoredObject {
    let obj = JSON.parse(decoder.decode(value)) as KubeObject;
    if (this.strategy.storage) obj = this.strategy.storage.fromStorage(obj);
    obj.apiVersion = this.apiVersion;
    obj.kind = this.kind;
    obj.metadata = { ...obj.metadata, resourceVersion: String(revision) };
    return obj as StoredObject;
  }
}

/** Seconds-precision RFC3339, as Kubernetes prints metav1.Time. */
export function rfc3339(d: Date): string {
  return d.toISOString().replace(/\.\d{3}Z$/, 'Z');
}

export function deepClone<T>(v: T): T {
  return structuredClone(v);
}
