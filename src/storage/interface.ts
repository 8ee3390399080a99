/**
 * @module The revisioned key/value store every driver implements (kine-shaped).
 *
 * Every write gets the next global revision; that revision is the object's resourceVersion.
 * Updates and deletes are compare-and-swap on the key's modRevision: a lost swap is a return
 * value (`ok: false` with the current value), never an exception. Watches stream events after
 * a revision; asking for a revision older than the compaction point fails with `Compacted`.
 */

export interface KeyValue {
  key: string;
  value: Uint8Array;
  /** Revision at which the key was (last) created. */
  createRevision: number;
  /** Revision of the last write to the key. */
  modRevision: number;
}

export type StorageErrorCode = 'KeyExists' | 'Compacted' | 'FutureRevision' | 'Unavailable' | 'Closed';

export class StorageError extends Error {
  constructor(
    readonly code: StorageErrorCode,
    message: string,
  ) {
    super(message);
    this.name = 'StorageError';
  }
}

export const isStorageError = (e: unknown, code?: StorageErrorCode): e is StorageError =>
  e instanceof StorageError && (code === undefined || e.code === code);

export interface GetResult {
  /** The store's current revision when the read was served. */
  revision: number;
  kv?: KeyValue;
}

export interface ListOptions {
  /** Only keys strictly greater than this (for continue tokens); must share the prefix. */
  startAfter?: string;
  /** At most this many keys (0 or absent: no limit). */
  limit?: number;
  /** Read the state as of this revision (0 or absent: latest). Fails with Compacted if too old. */
  revision?: number;
}

export interface ListResult {
  /** The revision the list reflects (the requested one, or the current one). */
  revision: number;
  /** In key order. */
  kvs: KeyValue[];
  /** True when `limit` cut the list short. */
  more: boolean;
}

export type WriteResult =
  | { ok: true; revision: number; kv: KeyValue }
  /** The compare failed: `kv` is the current value (absent if the key no longer exists). */
  | { ok: false; revision: number; kv?: KeyValue };

export type DeleteResult =
  | { ok: true; revision: number; kv: KeyValue }
  | { ok: false; revision: number; kv?: KeyValue };

export interface WatchEvent {
  type: 'create' | 'update' | 'delete';
  /** For deletes: the last value, with modRevision set to the delete's revision. */
  kv: KeyValue;
  prevKv?: KeyValue;
}

export interface WatchOptions {
  /** Deliver events with revision strictly greater than this. */
  afterRevision: number;
  signal: AbortSignal;
}

export interface Backend {
  /** Opens files / connections and resumes background work (compaction). */
  start(): Promise<void>;
  close(): Promise<void>;

  get(key: string, opts?: { revision?: number }): Promise<GetResult>;
  list(prefix: string, opts?: ListOptions): Promise<ListResult>;
  count(prefix: string): Promise<{ revision: number; count: number }>;

  /** Fails with StorageError('KeyExists') when the key is present. */
  create(key: string, value: Uint8Array): Promise<{ revision: number; kv: KeyValue }>;
  /** Compare-and-swap: writes only if the key's modRevision equals `expectedModRevision`. */
  update(key: string, value: Uint8Array, expectedModRevision: number): Promise<WriteResult>;
  /** Compare-and-swap delete; `expectedModRevision` 0 deletes whatever is there. */
  delete(key: string, expectedModRevision: number): Promise<DeleteResult>;

  /**
   * Streams batches of events under `prefix`, in revision order, each batch from one or more
   * revisions. Ends when the signal aborts. Throws StorageError('Compacted') when
   * `afterRevision` is older than the compaction point.
   */
  watch(prefix: string, opts: WatchOptions): AsyncIterable<WatchEvent[]>;

  currentRevision(): Promise<number>;
  /** The oldest revision still readable; watches and reads at older revisions fail. */
  compactRevision(): Promise<number>;
  /** Drops history older than `revision` (keeps the latest value of every key). */
  compact(revision: number): Promise<void>;
}
