/**
 * @module The API server's Prometheus metrics (apiserver_request_total and friends). By default
 * on its own registry so several servers can live in one test process; `skiff server` hands
 * over the process-wide registry its in-process components also report to, so one `/metrics`
 * shows them all.
 */
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import type { ApiResponse } from './types.ts';

export interface ApiServerMetricsOptions {
  registry?: Registry;
  /** Node's process_* / nodejs_* series. */
  defaultMetrics?: boolean;
}

/** The request as the metrics label it. */
export interface RequestLabels {
  /** Upper case, as upstream reports it (see metrics-labels.ts). */
  verb: string;
  dry_run: string;
  group: string;
  version: string;
  resource: string;
  subresource: string;
  scope: string;
  component: string;
}

type CodeLabels = RequestLabels & { code: string };
type LabelName = keyof RequestLabels;
const labelNames: LabelName[] = ['verb', 'dry_run', 'group', 'version', 'resource', 'subresource', 'scope', 'component'];

/**
 * One request label set, built once: its label objects, and the requests counted since the
 * last scrape per response code. prom-client hashes a label object on every `inc`; counting
 * here and handing the sums over when the counter is read (its `collect`) does that hashing
 * once per scrape instead of once per request. A scrape sees every request counted before it.
 */
export interface RequestSeries {
  readonly labels: RequestLabels;
  readonly codes: Map<number, { labels: CodeLabels; pending: number }>;
}

/** Distinct label sets kept (URLs can name any resource); past it the cache starts over. */
const maxSeries = 4096;

export class ApiServerMetrics {
  private readonly series = new Map<string, RequestSeries>();

  readonly registry: Registry;
  readonly requests: Counter<LabelName | 'code'>;
  readonly duration: Histogram<LabelName>;
  readonly watchers: Gauge<'group' | 'version' | 'kind'>;
  readonly longRunning: Gauge<'verb' | 'group' | 'version' | 'resource' | 'subresource' | 'scope' | 'component'>;
  readonly webhookDuration: Histogram<'name' | 'type' | 'operation' | 'rejected'>;

  constructor(opts: ApiServerMetricsOptions | boolean = {}) {
    const o = typeof opts === 'boolean' ? { defaultMetrics: opts } : opts;
    this.registry = o.registry ?? new Registry();
    const registers = [this.registry];
    this.requests = new Counter({
      name: 'apiserver_request_total',
      help: 'Counter of apiserver requests broken out for each verb, group, version, resource and HTTP response code.',
      labelNames: [...labelNames, 'code'],
      registers,
      collect: () => this.flushRequests(),
    });
    this.duration = new Histogram({
      name: 'apiserver_request_duration_seconds',
      help: 'Response latency distribution in seconds for each verb, dry run value, group, version, resource, subresource, scope and component (watches and connects excluded).',
      labelNames,
      buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
      registers,
    });
    this.watchers = new Gauge({
      name: 'apiserver_registered_watchers',
      help: 'Number of currently registered watchers for a given resources',
      labelNames: ['group', 'version', 'kind'],
      registers,
    });
    this.longRunning = new Gauge({
      name: 'apiserver_longrunning_requests',
      help: 'Gauge of all active long-running apiserver requests broken out by verb, group, version, resource, scope and component.',
      labelNames: ['verb', 'group', 'version', 'resource', 'subresource', 'scope', 'component'],
      registers,
    });
    this.webhookDuration = new Histogram({
      name: 'apiserver_admission_webhook_admission_duration_seconds',
      help: 'Admission webhook latency histogram in seconds, identified by name and broken out for each operation and API resource and type (validate or admit).',
      labelNames: ['name', 'type', 'operation', 'rejected'],
      buckets: [0.005, 0.025, 0.1, 0.5, 1, 2.5, 10, 25],
      registers,
    });
    if (o.defaultMetrics) collectDefaultMetrics({ register: this.registry });
  }

  /** The cached series of a label set (see RequestSeries). */
  requestSeries(verb: string, group: string, version: string, resource: string, subresource: string, scope = '', dryRun = ''): RequestSeries {
    const key = `${verb}\u0000${group}\u0000${version}\u0000${resource}\u0000${subresource}\u0000${scope}\u0000${dryRun}`;
    let s = this.series.get(key);
    if (!s) {
      if (this.series.size >= maxSeries) {
        this.flushRequests();
        this.series.clear();
      }
      s = { labels: { verb, dry_run: dryRun, group, version, resource, subresource, scope, component: 'apiserver' }, codes: new Map() };
      this.series.set(key, s);
    }
    return s;
  }

  /** Counts one finished request of a series with its response code. */
  countRequest(s: RequestSeries, code: number): void {
    let c = s.codes.get(code);
    if (!c) s.codes.set(code, (c = { labels: { ...s.labels, code: String(code) }, pending: 0 }));
    c.pending++;
  }

  /** Hands the counts gathered since the last read to the counter. */
  private flushRequests(): void {
    for (const s of this.series.values())
      for (const c of s.codes.values())
        if (c.pending) {
          const n = c.pending;
          c.pending = 0;
          this.requests.inc(c.labels, n);
        }
  }

  /**
   * Counts a streamed response (watch, logs, …) as long-running while its body is being read;
   * a watch also counts as a registered watcher of its kind. Other responses pass unchanged.
   */
  trackLongRunning(res: ApiResponse, labels: RequestLabels, kindOf: () => string | undefined): ApiResponse {
    const body = res.body;
    if (res.status >= 300 || body instanceof Uint8Array || body === undefined) return res;
    const lr = { verb: labels.verb, group: labels.group, version: labels.version, resource: labels.resource, subresource: labels.subresource, scope: labels.scope, component: labels.component };
    const w = labels.verb === 'WATCH' ? { group: labels.group, version: labels.version, kind: kindOf() ?? labels.resource } : undefined;
    const longRunning = this.longRunning;
    const watchers = this.watchers;
    async function* tracked(): AsyncIterable<Uint8Array> {
      longRunning.inc(lr);
      if (w) watchers.inc(w);
      try {
        yield* body as AsyncIterable<Uint8Array>;
      } finally {
        longRunning.dec(lr);
        if (w) watchers.dec(w);
      }
    }
    return { ...res, body: tracked() };
  }
}
