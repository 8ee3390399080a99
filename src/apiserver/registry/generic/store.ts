/**
 * @module The generic registry: create, get, update (and patch through guaranteedUpdate) and
 * delete for every resource, once. Each resource only brings a Strategy. Optimistic concurrency
 * is the storage compare-and-swap on modRevision; finalizers and graceful deletion follow
 * upstream's generic registry (staging/src/k8s.io/apiserver/pkg/registry/generic/registry).
 */
import type { FieldError } from '../../../api/field-error.ts';
import type { KubeObject, StoredObject } from '../../../api/object.ts';
import { StatusError } from '../../../machinery/status.ts';
import { isStorageError, type Backend, type KeyValue } from '../../../storage/interface.ts';
import type { Clock } from '../../../util/clock.ts';
import type { Admission, AdmissionAttributes } from '../../admission/interface.ts';
import type { UserInfo } from '../../types.ts';
import type { WatchCache } from '../../watch-cache.ts';
import type { Strategy } from '../strategy.ts';
import type { TransformerFor } from '../../encryption/config.ts';
import { copyDecoded, deepClone, ResourceCodec, rfc3339 } from './codec.ts';
import { defaultOrphans, finalizersForDeletion } from './gc-finalizers.ts';
import { prepareMetaForCreate, prepareMetaForUpdate, specOf, tracksGeneration, validateObjectMeta } from './object-meta.ts';

export interface WriteOptions {
  dryRun: boolean;
  user: UserInfo;
  fieldManager?: string;
  /**
   * '' for the main resource, 'status' for status writes; any other subresource (binding,
   * finalize) is an internal write whose handler already decided what may change.
   */
  subresource?: string;
  /** The caller has set managedFields itself (server-side apply). */
  managedFieldsSet?: boolean;
  /** Where admission puts response warnings; the HTTP handler turns them into `Warning` headers. */
  warnings?: string[];
  /** Where admission puts audit annotations; the request's audit event carries them. */
  auditAnnotations?: Record<string, string>;
  /** create: the caller hands `input` over (a freshly decoded body): the store may change it instead of copying. */
  inputOwned?: boolean;
  /**
   * The caller only reads or serializes the returned object and keeps it no longer: the store
   * may share it with the watchers of this write (no decode for the fan-out) and may read the
   * current version from the shared decode of the watch fan-out.
   */
  resultReadOnly?: boolean;
}

export interface DeleteOptions extends WriteOptions {
  gracePeriodSeconds?: number;
  propagationPolicy?: 'Background' | 'Foreground' | 'Orphan';
  preconditions?: { uid?: string; resourceVersion?: string };
}

/** Keeps managedFields in step with a write (set by the server from the apply engine). */
export type ManagedFieldsTracker = (args: {
  old: StoredObject | undefined;
  updated: KubeObject;
  manager: string;
  subresource: string;
  now: Date;
}) => void;

export interface StoreDeps {
  backend: Backend;
  watchCache: WatchCache;
  admission: Admission;
  clock: Clock;
  trackManagedFields?: ManagedFieldsTracker;
  /** Encryption at rest: the value transformer of a group/resource (none: stored as is). */
  transformerFor?: TransformerFor;
}

const maxCasRetries = 20;

/** Side effects of a write that must follow its outcome (Service address allocation). */
export interface WriteTransaction {
  commit(): void;
  revert(): void;
}

/**
 * Per-resource server-side hooks, as upstream's BeginCreate/BeginUpdate/AfterDelete: `begin*`
 * runs after validation, right before the storage write, may change the object, and returns
 * field errors or a transaction that is committed or reverted with the write.
 */
export interface WriteHooks {
  beginCreate?(obj: KubeObject): WriteTransaction | FieldError[];
  beginUpdate?(obj: KubeObject, old: KubeObject): WriteTransaction | FieldError[];
  deleted?(obj: KubeObject): void;
}

const noTransaction: WriteTransaction = { commit() {}, revert() {} };

export class Store {
  readonly codec: ResourceCodec;
  readonly qualified: { group: string; resource: string };
  readonly hasStatus: boolean;
  /** Set by the server's composition code for resources with side effects (services). */
  hooks?: WriteHooks;

  constructor(
    readonly strategy: Strategy,
    readonly deps: StoreDeps,
  ) {
    this.codec = new ResourceCodec(strategy, deps.transformerFor?.(strategy.storage ?? strategy.info));
    this.qualified = { group: strategy.info.group, resource: strategy.info.resource };
    this.hasStatus = !!strategy.info.subresources?.some((s) => s.name === 'status');
  }

  private transaction(name: string, begun: WriteTransaction | FieldError[] | undefined): WriteTransaction {
    if (Array.isArray(begun)) throw this.invalid(name, begun);
    return begun ?? noTransaction;
  }

  /** Ends a write's transaction with its outcome and passes the result through. */
  private settle<T extends { object: StoredObject }>(tx: WriteTransaction, ok: boolean, result: T, deleted = false): T {
    if (!ok) tx.revert();
    else {
      tx.commit();
      if (deleted) this.hooks?.deleted?.(result.object);
    }
    return result;
  }

  private invalid(name: string, errs: FieldError[]): StatusError {
    return StatusError.invalid({ group: this.strategy.info.group, kind: this.strategy.info.kind }, name, errs);
  }

  private attrs(
    operation: AdmissionAttributes['operation'],
    namespace: string,
    name: string,
    object: KubeObject | undefined,
    oldObject: KubeObject | undefined,
    opts: WriteOptions,
  ): AdmissionAttributes {
    const attrs: AdmissionAttributes = {
      operation,
      resource: this.strategy.info,
      subresource: opts.subresource ?? '',
      namespace,
      name,
      object,
      oldObject,
      user: opts.user,
      dryRun: opts.dryRun,
    };
    // Assigned rather than spread from temporary objects: this runs on every write.
    if (opts.warnings) attrs.warnings = opts.warnings;
    if (opts.auditAnnotations) attrs.auditAnnotations = opts.auditAnnotations;
    return attrs;
  }

  async getRaw(namespace: string, name: string): Promise<{ obj: StoredObject; kv: KeyValue } | undefined> {
    const { kv } = await this.deps.backend.get(this.codec.key(namespace, name));
    return kv ? { obj: this.codec.decode(kv), kv } : undefined;
  }

  async get(namespace: string, name: string): Promise<StoredObject> {
    const found = await this.getRaw(namespace, name);
    if (!found) throw StatusError.notFound(this.qualified, name);
    return found.obj;
  }

  async create(namespace: string, input: KubeObject, opts: WriteOptions): Promise<StoredObject> {
    const obj = opts.inputOwned ? input : deepClone(input);
    const now = this.deps.clock.now();
    this.checkKind(obj);
    prepareMetaForCreate(obj, this.strategy, namespace, now);
    if (this.hasStatus) delete obj.status;
    this.strategy.prepareForCreate?.(obj);
    this.strategy.defaults?.(obj);
    const name = obj.metadata?.name ?? '';
    // One attributes object for both phases, as upstream: mutation changes `obj` in place.
    const attrs = this.attrs('CREATE', obj.metadata?.namespace ?? '', name, obj, undefined, opts);
    await this.deps.admission.mutate(attrs);
    const errs = [...validateObjectMeta(obj, this.strategy), ...this.strategy.validate(obj)];
    if (errs.length) throw this.invalid(name, errs);
    await this.deps.admission.validate(attrs);
    const tx = this.transaction(name, this.hooks?.beginCreate?.(obj));
    if (!opts.managedFieldsSet) this.deps.trackManagedFields?.({ old: undefined, updated: obj, manager: opts.fieldManager ?? 'unknown', subresource: '', now });
    if (opts.dryRun) return this.settle(tx, false, { object: { ...obj, apiVersion: this.codec.apiVersion, kind: this.codec.kind } as StoredObject }).object;
    try {
      const { kv } = await this.deps.backend.create(this.codec.key(obj.metadata!.namespace ?? '', name), this.codec.encode(obj));
      tx.commit();
      return this.codec.written(obj, kv, opts.resultReadOnly);
    } catch (err) {
      tx.revert();
      if (isStorageError(err, 'KeyExists')) throw StatusError.alreadyExists(this.qualified, name);
      throw err;
    }
  }

  private checkKind(obj: KubeObject): void {
    if (obj.kind !== undefined && obj.kind !== this.codec.kind && obj.kind !== '')
      throw StatusError.badRequest(
        `the kind of the provided object (${obj.kind}) does not match the expected kind (${this.codec.kind})`,
      );
    if (obj.apiVersion !== undefined && obj.apiVersion !== '' && obj.apiVersion !== this.codec.apiVersion)
      throw StatusError.badRequest(
        `the API version in the data (${obj.apiVersion}) does not match the expected API version (${this.codec.apiVersion})`,
      );
  }

  /** PUT: replace the object (or its status), honouring a resourceVersion precondition. */
  update(namespace: string, name: string, input: KubeObject, opts: WriteOptions): Promise<{ object: StoredObject; created: boolean }> {
    return this.guaranteedUpdate(namespace, name, () => deepClone(input), opts);
  }

  /**
   * Read-modify-write with compare-and-swap, retried when the object changed underneath, unless
   * the new object names a resourceVersion (then a mismatch is a Conflict). `tryUpdate` gets the
   * current object (undefined if absent) and returns the desired object.
   */
  async guaranteedUpdate(
    namespace: string,
    name: string,
    tryUpdate: (current: StoredObject | undefined) => KubeObject | Promise<KubeObject>,
    opts: WriteOptions,
  ): Promise<{ object: StoredObject; created: boolean }> {
    const subresource = opts.subresource ?? '';
    for (let attempt = 0; attempt < maxCasRetries; attempt++) {
      const found = await this.current(namespace, name, subresource, opts);
      // The caller's own copy: what a second decode would give, at less than half its cost.
      const next = await tryUpdate(found ? copyDecoded(found.obj) : undefined);
      if (!found) {
        if (!this.strategy.allowCreateOnUpdate || subresource) throw StatusError.notFound(this.qualified, name);
        const meta = (next.metadata ??= {});
        delete meta.resourceVersion;
        if (meta.name && meta.name !== name)
          throw StatusError.badRequest(`the name of the object (${meta.name}) does not match the name on the URL (${name})`);
        meta.name = name;
        try {
          return { object: await this.create(namespace, next, opts), created: true };
        } catch (err) {
          if (err instanceof StatusError && err.reason === 'AlreadyExists') continue;
          throw err;
        }
      }
      const old = found.obj;
      const wantedRv = next.metadata?.resourceVersion;
      if (wantedRv && wantedRv !== old.metadata.resourceVersion) throw StatusError.staleConflict(this.qualified, name);
      const obj = this.prepareUpdate(next, old, subresource);
      const attrs = this.attrs('UPDATE', namespace, name, obj, old, opts);
      await this.deps.admission.mutate(attrs);
      const errs = this.validateUpdate(obj, old, subresource);
      if (errs.length) throw this.invalid(name, errs);
      await this.deps.admission.validate(attrs);
      const tx = subresource ? noTransaction : this.transaction(name, this.hooks?.beginUpdate?.(obj, old));
      const now = this.deps.clock.now();
      if (!opts.managedFieldsSet) this.deps.trackManagedFields?.({ old, updated: obj, manager: opts.fieldManager ?? 'unknown', subresource, now });
      // Compared as plaintext: encryption at rest seals with a fresh nonce each time. A value read
      // through an old key is rewritten even when unchanged (upstream: stale), for key rotation.
      const bytes = this.codec.encodePlain(obj);
      const stored = this.codec.plain(found.kv);
      if (!stored.stale && (sameBytes(bytes, stored.data) || (!this.codec.roundTrips && sameBytes(bytes, this.codec.encodePlain(old)))))
        return this.settle(tx, true, { object: old, created: false });
      if (opts.dryRun) return this.settle(tx, false, { object: { ...obj, metadata: { ...obj.metadata!, resourceVersion: old.metadata.resourceVersion } } as StoredObject, created: false });
      // An object being deleted whose last finalizer is gone is removed now — unless a graceful
      // deletion is still running (upstream shouldDeleteDuringUpdate: grace period 0 only);
      // the garbage collector drops its finalizers from terminating pods too.
      if (obj.metadata?.deletionTimestamp && !(obj.metadata.finalizers?.length) && !this.blocksDeletion(obj) && !(old.metadata.deletionGracePeriodSeconds ?? 0)) {
        const res = await this.deps.backend.delete(found.kv.key, found.kv.modRevision);
        if (res.ok) return this.settle(tx, true, { object: this.codec.decodeBytes(bytes, res.revision), created: false }, true);
        tx.revert();
        if (wantedRv) throw StatusError.staleConflict(this.qualified, name);
        continue;
      }
      const res = await this.deps.backend.update(found.kv.key, this.codec.seal(bytes, found.kv.key), found.kv.modRevision);
      if (res.ok) return this.settle(tx, true, { object: this.codec.written(obj, res.kv, opts.resultReadOnly), created: false });
      tx.revert();
      if (wantedRv) throw StatusError.staleConflict(this.qualified, name);
    }
    throw StatusError.conflict(this.qualified, name, 'too many concurrent updates; please try again');
  }

  /**
   * The current version for a read-modify-write. A subresource write (status, binding, …)
   * only reads it — its result is built from a copy (see prepareUpdate) — so with a
   * read-only result it may be the watch fan-out's shared decode of that version.
   */
  private async current(namespace: string, name: string, subresource: string, opts: WriteOptions): Promise<{ obj: StoredObject; kv: KeyValue } | undefined> {
    if (!subresource || !opts.resultReadOnly) return this.getRaw(namespace, name);
    const { kv } = await this.deps.backend.get(this.codec.key(namespace, name));
    return kv ? { obj: this.codec.decodeShared(kv).object, kv } : undefined;
  }

  private prepareUpdate(next: KubeObject, old: StoredObject, subresource: string): KubeObject {
    this.checkKind(next);
    let obj: KubeObject;
    if (subresource === 'status') {
      // Status writes change only status (metav1.ResetObjectMetaForStatus).
      obj = copyDecoded(old);
      obj.status = next.status;
      if (next.metadata?.managedFields) obj.metadata!.managedFields = next.metadata.managedFields;
      if (next.metadata?.name && next.metadata.name !== old.metadata.name)
        throw StatusError.badRequest(`the name of the object (${next.metadata.name}) does not match the name on the URL (${old.metadata.name})`);
      return obj;
    }
    obj = next;
    prepareMetaForUpdate(obj, old, this.strategy);
    if (subresource) return obj;
    if (this.hasStatus) obj.status = copyDecoded(old.status);
    this.strategy.defaults?.(obj);
    this.strategy.prepareForUpdate?.(obj, old);
    if (tracksGeneration(this.strategy) && specOf(obj) !== specOf(old))
      obj.metadata!.generation = (old.metadata.generation ?? 0) + 1;
    return obj;
  }

  private validateUpdate(obj: KubeObject, old: StoredObject, subresource: string): FieldError[] {
    if (subresource === 'status') return this.strategy.validateStatusUpdate?.(obj, old) ?? [];
    if (subresource) return [];
    return [
      ...validateObjectMeta(obj, this.strategy),
      ...this.strategy.validate(obj),
      ...(this.strategy.validateUpdate?.(obj, old) ?? []),
    ];
  }

  /** Namespaces wait for their spec finalizers as well as metadata ones. */
  private blocksDeletion(obj: KubeObject): boolean {
    if (this.strategy.info.resource !== 'namespaces' || this.strategy.info.group !== '') return false;
    const spec = obj.spec as { finalizers?: string[] } | undefined;
    return !!spec?.finalizers?.length;
  }

  /**
   * DELETE: immediate when nothing holds the object; otherwise marks it with a
   * deletionTimestamp (finalizers, graceful pod deletion, namespace finalization).
   */
  async delete(namespace: string, name: string, opts: DeleteOptions): Promise<{ object: StoredObject; deleted: boolean }> {
    for (let attempt = 0; attempt < maxCasRetries; attempt++) {
      const found = await this.getRaw(namespace, name);
      if (!found) throw StatusError.notFound(this.qualified, name);
      const obj = found.obj;
      const pre = opts.preconditions;
      if (pre?.uid && pre.uid !== obj.metadata.uid)
        throw StatusError.conflict(this.qualified, name, `Precondition failed: UID in precondition: ${pre.uid}, UID in object meta: ${obj.metadata.uid}`);
      if (pre?.resourceVersion && pre.resourceVersion !== obj.metadata.resourceVersion)
        throw StatusError.conflict(
          this.qualified,
          name,
          `Precondition failed: ResourceVersion in precondition: ${pre.resourceVersion}, ResourceVersion in object meta: ${obj.metadata.resourceVersion}`,
        );
      await this.deps.admission.validate(this.attrs('DELETE', namespace, name, undefined, obj, opts));

      // The garbage collector's finalizers (orphan / foregroundDeletion) follow the policy.
      const gcFinalizers = finalizersForDeletion(obj, opts.propagationPolicy, defaultOrphans(this.strategy.info));
      const candidate = gcFinalizers ? { ...obj, metadata: { ...obj.metadata, finalizers: gcFinalizers } } : obj;
      const grace = this.gracePeriod(obj, opts);
      const pending = !!candidate.metadata.finalizers?.length || this.blocksDeletion(candidate);
      if (pending || grace > 0) {
        const marked = this.markDeleting(candidate, grace, pending) ?? (gcFinalizers ? candidate : undefined);
        if (!marked) return { object: obj, deleted: false };
        if (opts.dryRun) return { object: marked, deleted: false };
        const res = await this.deps.backend.update(found.kv.key, this.codec.encode(marked), found.kv.modRevision);
        if (res.ok) return { object: this.codec.decode(res.kv), deleted: false };
        continue;
      }
      if (opts.dryRun) return { object: obj, deleted: true };
      const res = await this.deps.backend.delete(found.kv.key, found.kv.modRevision);
      if (res.ok) {
        this.hooks?.deleted?.(obj);
        return { object: obj, deleted: true };
      }
    }
    throw StatusError.conflict(this.qualified, name, 'too many concurrent updates; please try again');
  }

  private gracePeriod(obj: StoredObject, opts: DeleteOptions): number {
    const dflt = this.strategy.defaultGracePeriodSeconds?.(obj);
    if (dflt === undefined) return 0;
    const g = opts.gracePeriodSeconds ?? dflt;
    return Math.max(0, g);
  }

  /** Sets deletionTimestamp/gracePeriod; undefined when nothing would change. */
  private markDeleting(obj: StoredObject, grace: number, pending: boolean): StoredObject | undefined {
    const now = this.deps.clock.now();
    const meta = obj.metadata;
    if (meta.deletionTimestamp) {
      // A repeated delete may only shorten the grace period.
      const current = meta.deletionGracePeriodSeconds ?? 0;
      if (pending && grace >= current) return undefined;
      if (!pending && grace >= current) return undefined;
    }
    const next = copyDecoded(obj);
    next.metadata.deletionTimestamp = rfc3339(new Date(now.getTime() + grace * 1000));
    next.metadata.deletionGracePeriodSeconds = grace;
    if (this.strategy.info.resource === 'namespaces' && this.strategy.info.group === '') {
      next.status = { ...(next.status as object), phase: 'Terminating' };
    }
    if (tracksGeneration(this.strategy)) next.metadata.generation = (meta.generation ?? 0) + 1;
    return next;
  }
}

/** A no-op update writes nothing: the new bytes equal what is stored. */
function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  return a.byteLength === b.byteLength && Buffer.from(a.buffer, a.byteOffset, a.byteLength).equals(Buffer.from(b.buffer, b.byteOffset, b.byteLength));
}
