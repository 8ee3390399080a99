/**
 * @module Typed access to one resource over a Transport: get, list, create, update, patch,
 * delete, deleteCollection and watch, with Status errors thrown as StatusError.
 */
import type { Status } from 'kubernetes-types/meta/v1.js';
import type { KubeList, KubeObject } from '../api/object.ts';
import type { ResourceInfo } from '../machinery/resources.ts';
import { StatusError, statusErrorFrom } from '../machinery/status.ts';
import type { Transport } from './transport.ts';
import { decodeWatch, type WatchEvent } from './watch.ts';

export type ResourceRef = Pick<ResourceInfo, 'group' | 'version' | 'resource' | 'namespaced'>;

export interface ListOptions {
  namespace?: string;
  labelSelector?: string;
  fieldSelector?: string;
  limit?: number;
  continue?: string;
  resourceVersion?: string;
}

export interface WatchOptions extends ListOptions {
  allowWatchBookmarks?: boolean;
  timeoutSeconds?: number;
  signal: AbortSignal;
}

export interface DeleteOptions {
  namespace?: string;
  gracePeriodSeconds?: number;
  propagationPolicy?: 'Background' | 'Foreground' | 'Orphan';
  preconditions?: { uid?: string; resourceVersion?: string };
}

/** Stateless (never streaming), so one serves every call; strips a leading BOM as a stream would. */
const wholeDecoder = new TextDecoder();

/**
 * The body as text. Usually one chunk (always in process): decoded in one go, which is much
 * cheaper than a streaming decode; several are joined first, so a character split across
 * chunks decodes as it would from a stream.
 */
async function readAll(body: AsyncIterable<Uint8Array>): Promise<string> {
  let first: Uint8Array | undefined;
  let more: Uint8Array[] | undefined;
  for await (const chunk of body) {
    if (!first) first = chunk;
    else (more ??= [first]).push(chunk);
  }
  if (!first) return '';
  return wholeDecoder.decode(more ? Buffer.concat(more) : first);
}

/**
 * Request bodies are short-lived: Buffer.from (pooled for small strings) encodes them at less
 * than half the cost of TextEncoder.
 */
function utf8(text: string): Uint8Array {
  return Buffer.from(text, 'utf8');
}

export class Client {
  constructor(
    readonly transport: Transport,
    readonly opts: { userAgent?: string; fieldManager?: string } = {},
  ) {}

  resource<T extends KubeObject = KubeObject>(ref: ResourceRef): ResourceClient<T> {
    return new ResourceClient<T>(this, ref);
  }

  /**
   * Sends a request and parses the JSON answer; non-2xx answers throw StatusError. `discard`:
   * the caller ignores a successful answer, which is then not parsed.
   */
  async call<R>(method: string, path: string, query?: URLSearchParams, body?: unknown, contentType = 'application/json', discard = false): Promise<R> {
    const headers: Record<string, string> = { accept: 'application/json' };
    if (this.opts.userAgent) headers['user-agent'] = this.opts.userAgent;
    let bytes: Uint8Array | undefined;
    if (body !== undefined) {
      headers['content-type'] = contentType;
      bytes = utf8(typeof body === 'string' ? body : JSON.stringify(body));
    }
    const res = await this.transport.request({ method, path, query, headers, body: bytes });
    const text = await readAll(res.body);
    if (res.status >= 200 && res.status < 300) return (text && !discard ? JSON.parse(text) : undefined) as R;
    let status: Status | undefined;
    try {
      status = JSON.parse(text) as Status;
    } catch {
      // not a Status body
    }
    if (status?.kind === 'Status') throw statusErrorFrom(status, res.status);
    throw new StatusError(res.status, 'InternalError', text || `HTTP ${res.status}`);
  }
}

export class ResourceClient<T extends KubeObject> {
  constructor(
    private readonly client: Client,
    readonly ref: ResourceRef,
  ) {}

  path(namespace?: string, name?: string, subresource?: string): string {
    const base = this.ref.group ? `/apis/${this.ref.group}/${this.ref.version}` : `/api/${this.ref.version}`;
    const ns = this.ref.namespaced && namespace ? `/namespaces/${encodeURIComponent(namespace)}` : '';
    let p = `${base}${ns}/${this.ref.resource}`;
    if (name) p += `/${encodeURIComponent(name)}`;
    if (subresource) p += `/${subresource}`;
    return p;
  }

  private query(o: ListOptions & { timeoutSeconds?: number; allowWatchBookmarks?: boolean }, extra: Record<string, string | undefined> = {}): URLSearchParams {
    const q = new URLSearchParams();
    for (const k of ['labelSelector', 'fieldSelector', 'limit', 'continue', 'resourceVersion', 'timeoutSeconds', 'allowWatchBookmarks'] as const) {
      const v = o[k];
      if (v !== undefined && v !== '') q.set(k, String(v));
    }
    for (const [k, v] of Object.entries(extra)) if (v !== undefined) q.set(k, v);
    return q;
  }

  private writeQuery(): URLSearchParams {
    const q = new URLSearchParams();
    if (this.client.opts.fieldManager) q.set('fieldManager', this.client.opts.fieldManager);
    return q;
  }

  get(name: string, namespace?: string): Promise<T> {
    return this.client.call('GET', this.path(namespace, name));
  }

  list(opts: ListOptions = {}): Promise<KubeList<T>> {
    return this.client.call('GET', this.path(opts.namespace), this.query(opts));
  }

  create(obj: T, namespace = obj.metadata?.namespace): Promise<T> {
    return this.client.call('POST', this.path(namespace), this.writeQuery(), obj);
  }

  /** create, for a caller that does not use the created object (an event recorder): not decoded. */
  async createNoResult(obj: T, namespace = obj.metadata?.namespace): Promise<void> {
    await this.client.call('POST', this.path(namespace), this.writeQuery(), obj, 'application/json', true);
  }

  update(obj: T, subresource?: string): Promise<T> {
    return this.client.call('PUT', this.path(obj.metadata?.namespace, obj.metadata?.name, subresource), this.writeQuery(), obj);
  }

  patch(name: string, type: 'json' | 'merge' | 'strategic', body: unknown, opts: { namespace?: string; subresource?: string } = {}): Promise<T> {
    const ct = { json: 'application/json-patch+json', merge: 'application/merge-patch+json', strategic: 'application/strategic-merge-patch+json' }[type];
    return this.client.call('PATCH', this.path(opts.namespace, name, opts.subresource), this.writeQuery(), body, ct);
  }

  /** POSTs to a subresource such as pods/NAME/binding or pods/NAME/eviction. */
  createSubresource<R = unknown>(name: string, subresource: string, body: unknown, namespace?: string): Promise<R> {
    return this.client.call('POST', this.path(namespace, name, subresource), this.writeQuery(), body);
  }

  delete(name: string, opts: DeleteOptions = {}): Promise<unknown> {
    const { namespace, ...body } = opts;
    return this.client.call('DELETE', this.path(namespace, name), undefined, body);
  }

  deleteCollection(opts: ListOptions & DeleteOptions = {}): Promise<KubeList<T>> {
    const { namespace, gracePeriodSeconds, propagationPolicy } = opts;
    return this.client.call('DELETE', this.path(namespace), this.query(opts), { gracePeriodSeconds, propagationPolicy });
  }

  /** Watch events until the signal aborts or the server ends the stream. */
  async *watch(opts: WatchOptions): AsyncIterable<WatchEvent<T>> {
    const q = this.query(opts, { watch: 'true' });
    const res = await this.client.transport.request({ method: 'GET', path: this.path(opts.namespace), query: q, headers: { accept: 'application/json' }, signal: opts.signal });
    if (res.status !== 200) {
      const text = await readAll(res.body);
      throw statusErrorFrom(JSON.parse(text) as Status, res.status);
    }
    yield* decodeWatch<T>(res.body);
  }
}
