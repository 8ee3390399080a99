/**
 * @module Where the HPA controller reads resource usage from (upstream
 * pkg/controller/podautoscaler/metrics): a small `MetricsSource` interface, the REST
 * implementation over `metrics.k8s.io/v1beta1` PodMetrics, and the per-pod reduction of
 * container usage into one milli-unit value per pod (`getResourceMetric`).
 *
 * Tests (and a composition root) can install another source under a name and select it with
 * the `hpaMetricsSource` controller option, since `ctx.options` carries only scalars.
 */
import type { KubeObject } from '../../api/object.ts';
import { parseMilli } from '../../api/quota/quantity.ts';
import type { Client } from '../../client/rest.ts';

/** One container's usage as metrics.k8s.io reports it (`cpu: '253m'`, `memory: '12Mi'`). */
export interface ContainerMetrics {
  name: string;
  usage: Record<string, string>;
}

/** metrics.k8s.io/v1beta1 PodMetrics. */
export interface PodMetrics extends KubeObject {
  timestamp?: string;
  window?: string;
  containers?: ContainerMetrics[];
}

/** The API the controller consumes: PodMetrics of one namespace matching a label selector. */
export interface MetricsSource {
  listPodMetrics(namespace: string, labelSelector: string): Promise<PodMetrics[]>;
}

/** One pod's value of a resource, in milli-units, with when and over what window it was taken. */
export interface PodMetric {
  value: number;
  timestampMs: number;
  windowMs: number;
}

export type PodMetricsInfo = Map<string, PodMetric>;

/** Reads PodMetrics from the API server's resource metrics API (what metrics-server serves). */
export class RestMetricsSource implements MetricsSource {
  constructor(private readonly client: Client) {}

  async listPodMetrics(namespace: string, labelSelector: string): Promise<PodMetrics[]> {
    const q = new URLSearchParams();
    if (labelSelector) q.set('labelSelector', labelSelector);
    const path = `/apis/metrics.k8s.io/v1beta1/namespaces/${encodeURIComponent(namespace)}/pods`;
    const list = await this.client.call<{ items?: PodMetrics[] }>('GET', path, q);
    return list.items ?? [];
  }
}

const installed = new Map<string, MetricsSource>();

/** Installs a source that controllers started with `hpaMetricsSource: name` will use. */
export function installMetricsSource(name: string, source: MetricsSource): () => void {
  installed.set(name, source);
  return () => {
    if (installed.get(name) === source) installed.delete(name);
  };
}

export function metricsSourceFor(client: Client, name: string | undefined): MetricsSource {
  if (name === undefined || name === '') return new RestMetricsSource(client);
  const s = installed.get(name);
  if (!s) throw new Error(`no metrics source installed as ${JSON.stringify(name)}`);
  return s;
}

/** Go duration text such as `30s`, `1m0s`, `500ms` → ms (0 when unparseable). */
export function parseDurationMs(d: string | undefined): number {
  if (!d) return 0;
  const unit: Record<string, number> = { h: 3_600_000, m: 60_000, s: 1000, ms: 1, us: 1e-3, 'µs': 1e-3, ns: 1e-6 };
  let total = 0;
  for (const m of d.matchAll(/(\d+(?:\.\d+)?)(ms|us|µs|ns|h|m|s)/g)) total += Number(m[1]) * (unit[m[2]!] ?? 0);
  return total;
}

/**
 * Upstream resourceMetricsClient.GetResourceMetric: per pod, the sum of the resource over its
 * containers (or the one named container); a pod with any container lacking the resource is
 * left out, so the calculator treats it as missing.
 */
export async function getResourceMetric(
  source: MetricsSource,
  resource: string,
  namespace: string,
  selector: string,
  container?: string,
): Promise<{ metrics: PodMetricsInfo; timestampMs: number }> {
  let items: PodMetrics[];
  try {
    items = await source.listPodMetrics(namespace, selector);
  } catch (e) {
    throw new Error(`unable to fetch metrics from resource metrics API: ${(e as Error).message}`);
  }
  if (!items.length) throw new Error('no metrics returned from resource metrics API');
  const metrics: PodMetricsInfo = new Map();
  for (const pm of items) {
    let sum = 0;
    let missing = false;
    let found = false;
    for (const c of pm.containers ?? []) {
      if (container !== undefined && c.name !== container) continue;
      found = true;
      const v = parseMilli(c.usage?.[resource]);
      if (v === undefined) {
        missing = true;
        break;
      }
      sum += Number(v);
    }
    if (missing || (container !== undefined && !found) || !pm.metadata?.name) continue;
    metrics.set(pm.metadata.name, {
      value: sum,
      timestampMs: pm.timestamp ? Date.parse(pm.timestamp) : 0,
      windowMs: parseDurationMs(pm.window),
    });
  }
  const first = items[0]?.timestamp;
  return { metrics, timestampMs: first ? Date.parse(first) : 0 };
}
