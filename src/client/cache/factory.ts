/**
 * @module The shared informer factory: components ask it for an informer per resource (and
 * optional selector), so ten controllers watching pods share one watch and one cache.
 * `start` runs every informer requested so far; `waitForSync` waits for their first lists.
 *
 * `metadataInformerFor` is the metadata informer (client-go's metadatainformer, which
 * upstream's garbage collector uses): its cache keeps only apiVersion, kind and metadata
 * (without managedFields and annotations). If any component also asks for the whole objects
 * of the same resource before start, the two share one informer that keeps whole objects.
 *
 * Cached objects carry no `metadata.managedFields` (as kube-controller-manager's shared
 * informers, whose transform trims them): no component reads them, they are near half of a
 * pod's bytes, and an update sent without them keeps the stored ones. `keepManagedFields`
 * keeps them for a factory.
 */
import { withoutManagedFields, type KubeObject } from '../../api/object.ts';
import type { Clock } from '../../util/clock.ts';
import type { Logger } from '../../util/log.ts';
import type { Client, ResourceRef } from '../rest.ts';
import { Informer, type Transform } from './informer.ts';
import type { ReflectorOptions } from './reflector.ts';

export class InformerFactory {
  private readonly informers = new Map<string, Informer<KubeObject>>();
  private signal: AbortSignal | undefined;
  private readonly runs: Promise<void>[] = [];

  constructor(
    readonly client: Client,
    private readonly deps: { clock: Clock; logger: Logger; keepManagedFields?: boolean },
  ) {}

  /** The shared informer for a resource; created on first request. */
  informerFor<T extends KubeObject>(ref: ResourceRef, opts: ReflectorOptions = {}): Informer<T> {
    const id = informerId(ref, opts);
    const shared = this.informers.get(id);
    // A metadata-only informer that has not started yet keeps whole objects from now on.
    if (shared?.dropTransform()) return shared as unknown as Informer<T>;
    // Already running on metadata only: whole objects need an informer of their own.
    const wholeId = shared ? `${id}#whole` : id;
    return (this.informers.get(wholeId) ?? this.create(wholeId, ref, opts)) as unknown as Informer<T>;
  }

  /**
   * An informer whose objects carry only apiVersion, kind and metadata (minus managedFields
   * and annotations), or the shared whole-object informer when one exists for the resource.
   */
  metadataInformerFor(ref: ResourceRef, opts: ReflectorOptions = {}): Informer<KubeObject> {
    const id = informerId(ref, opts);
    return this.informers.get(id) ?? this.create(id, ref, opts, metadataOnly);
  }

  private create(id: string, ref: ResourceRef, opts: ReflectorOptions, transform?: Transform<KubeObject>): Informer<KubeObject> {
    const inf = new Informer<KubeObject>(
      this.client.resource<KubeObject>(ref),
      opts,
      { clock: this.deps.clock, logger: this.deps.logger.child({ informer: ref.resource }) },
      transform,
      this.deps.keepManagedFields ? undefined : withoutManagedFields,
    );
    this.informers.set(id, inf);
    // Informers asked for after start() run at once.
    if (this.signal) this.runs.push(inf.run(this.signal));
    return inf;
  }

  start(signal: AbortSignal): void {
    this.signal = signal;
    for (const inf of this.informers.values()) this.runs.push(inf.run(signal));
  }

  async waitForSync(signal?: AbortSignal): Promise<boolean> {
    const all = Promise.all([...this.informers.values()].map((i) => i.synced)).then(() => true);
    if (!signal) return all;
    if (signal.aborted) return false;
    let onAbort!: () => void;
    const aborted = new Promise<boolean>((r) => (onAbort = () => r(false)));
    signal.addEventListener('abort', onAbort, { once: true });
    try {
      return await Promise.race([all, aborted]);
    } finally {
      signal.removeEventListener('abort', onAbort);
    }
  }

  /** Resolves when every running informer has stopped (after the start signal aborts). */
  async stopped(): Promise<void> {
    await Promise.allSettled(this.runs);
  }
}

const informerId = (ref: ResourceRef, opts: ReflectorOptions): string =>
  `${ref.group}/${ref.version}/${ref.resource}?${opts.namespace ?? ''}&${opts.labelSelector ?? ''}&${opts.fieldSelector ?? ''}`;

/** What a metadata informer keeps of an object (PartialObjectMetadata, minus bulky fields). */
export function metadataOnly(obj: KubeObject): KubeObject {
  const { managedFields: _mf, annotations: _an, ...metadata } = obj.metadata ?? {};
  const out: KubeObject = { metadata } as KubeObject;
  if (obj.apiVersion !== undefined) out.apiVersion = obj.apiVersion;
  if (obj.kind !== undefined) out.kind = obj.kind;
  return out;
}
