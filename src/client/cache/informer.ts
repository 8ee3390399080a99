/**
 * @module A shared informer (client-go's SharedIndexInformer): one reflector keeps an Indexer
 * current, and every registered handler hears adds, updates and deletes. Handlers run
 * synchronously and should only enqueue keys. `synced` resolves after the first list.
 * An optional transform (client-go's SetTransform) shrinks each object before it is stored
 * or handed to handlers, e.g. to metadata only; it can be dropped until the informer runs.
 * An optional prune (e.g. dropping managedFields) applies whenever no transform does.
 */
import type { KubeObject } from '../../api/object.ts';
import type { Clock } from '../../util/clock.ts';
import type { Logger } from '../../util/log.ts';
import { keyOf } from '../refs.ts';
import type { ResourceClient } from '../rest.ts';
import { Indexer, type IndexFunc } from './indexer.ts';
import { reflect, type ReflectorOptions } from './reflector.ts';

export interface EventHandler<T extends KubeObject> {
  onAdd?(obj: T): void;
  onUpdate?(oldObj: T, newObj: T): void;
  /** For an object missed while relisting, obj is its last known state. */
  onDelete?(obj: T): void;
}

/** Maps each listed or watched object to what the store keeps (must keep `metadata`). */
export type Transform<T extends KubeObject> = (obj: T) => T;

export class Informer<T extends KubeObject> {
  readonly store = new Indexer<T>();
  private readonly handlers: EventHandler<T>[] = [];
  private resolveSynced!: () => void;
  private hasSyncedOnce = false;
  private running: Promise<void> | undefined;
  readonly synced: Promise<void> = new Promise((r) => (this.resolveSynced = r));
  /** The resourceVersion of the last event or list applied. */
  lastResourceVersion = '';

  constructor(
    readonly rc: ResourceClient<T>,
    readonly opts: ReflectorOptions,
    private readonly deps: { clock: Clock; logger: Logger },
    private transform?: Transform<T>,
    private readonly prune?: Transform<T>,
  ) {}

  /** True while objects are stored transformed (e.g. metadata only). */
  get transformed(): boolean {
    return this.transform !== undefined;
  }

  /** Keeps whole objects from now on; only possible before `run` (returns whether it took effect). */
  dropTransform(): boolean {
    if (this.running) return !this.transform;
    this.transform = undefined;
    return true;
  }

  get hasSynced(): boolean {
    return this.hasSyncedOnce;
  }

  addIndex(name: string, fn: IndexFunc<T>): this {
    this.store.addIndex(name, fn);
    return this;
  }

  /** Registers a handler; objects already in the store are replayed to it as adds. */
  addEventHandler(h: EventHandler<T>): this {
    this.handlers.push(h);
    if (this.hasSyncedOnce) for (const o of this.store.list()) h.onAdd?.(o);
    return this;
  }

  /** Starts the reflector once; later calls return the same run. */
  run(signal: AbortSignal): Promise<void> {
    this.running ??= reflect(this.rc, this.opts, this.sink, this.deps, signal);
    return this.running;
  }

  private readonly sink = {
    replace: (listed: T[], rv: string) => {
      const seen = new Set<string>();
      const items = this.transform || this.prune ? listed.map((o) => this.shrink(o)) : listed;
      for (const obj of items) {
        const key = keyOf(obj);
        seen.add(key);
        const old = this.store.set(obj);
        if (!this.hasSyncedOnce) continue;
        if (old) this.emitUpdate(old, obj);
        else this.emitAdd(obj);
      }
      for (const key of this.store.keys()) {
        if (seen.has(key)) continue;
        const old = this.store.delete(key);
        if (old) for (const h of this.handlers) h.onDelete?.(old);
      }
      this.lastResourceVersion = rv;
      if (!this.hasSyncedOnce) {
        this.hasSyncedOnce = true;
        for (const o of this.store.list()) this.emitAdd(o);
        this.resolveSynced();
      }
    },
    added: (obj: T) => this.apply(obj),
    modified: (obj: T) => this.apply(obj),
    deleted: (whole: T) => {
      const obj = this.shrink(whole);
      this.lastResourceVersion = obj.metadata?.resourceVersion ?? this.lastResourceVersion;
      const old = this.store.delete(keyOf(obj));
      for (const h of this.handlers) h.onDelete?.(old ?? obj);
    },
  };

  private shrink(obj: T): T {
    if (this.transform) return this.transform(obj);
    return this.prune ? this.prune(obj) : obj;
  }

  private apply(whole: T): void {
    const obj = this.shrink(whole);
    this.lastResourceVersion = obj.metadata?.resourceVersion ?? this.lastResourceVersion;
    const old = this.store.set(obj);
    if (old) this.emitUpdate(old, obj);
    else this.emitAdd(obj);
  }

  private emitAdd(obj: T): void {
    for (const h of this.handlers) h.onAdd?.(obj);
  }

  private emitUpdate(old: T, obj: T): void {
    for (const h of this.handlers) h.onUpdate?.(old, obj);
  }
}
