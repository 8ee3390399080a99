/**
 * @module The request pipeline: authenticate → authorize → route to discovery, health, OpenAPI
 * or a resource handler (admission and validation happen in the registry) → response. The
 * HTTPS listener and the in-process transport both call `handle`.
 */
import type { KubeObject } from '../api/object.ts';
import { apiVersionOf, builtinResources, type ResourceInfo } from '../machinery/resources.ts';
import { isStatusError, StatusError } from '../machinery/status.ts';
import { isStorageError, type Backend } from '../storage/interface.ts';
import type { Clock } from '../util/clock.ts';
import type { Logger } from '../util/log.ts';
import { admissionChain, type AdmissionPlugin } from './admission/interface.ts';
import { namespaceLifecycle } from './admission/namespace-lifecycle.ts';
import { defaultTolerationSeconds } from './admission/default-toleration-seconds.ts';
import { storageObjectInUseProtection } from './admission/storage-object-in-use-protection.ts';
import { priorityAdmission, storePriorityClassLister } from './admission/priority.ts';
import { limitRanger } from './admission/limit-ranger.ts';
import { podSecurityAdmission } from './admission/pod-security.ts';
import { defaultStorageClass } from './admission/default-storage-class.ts';
import { defaultIngressClass, storeIngressClassLister } from './admission/default-ingress-class.ts';
import { persistentVolumeClaimResize } from './admission/persistent-volume-claim-resize.ts';
import { resourceQuotaAdmission } from './admission/resource-quota.ts';
import { serviceAccountAdmission } from './admission/service-account.ts';
import { mutatingWebhookAdmission, validatingWebhookAdmission } from './admission/webhook/plugin.ts';
import { validatingAdmissionPolicy } from './admission/policy/plugin.ts';
import { AdmissionConfigCache } from './admission/config-cache.ts';
import type { Authenticator } from './auth/authenticator.ts';
import type { Authorizer } from './auth/authorizer.ts';
import type { KubeletClientConfig, ServerContext } from './context.ts';
import { Discovery } from './discovery.ts';
import { reviewResources } from './http/reviews.ts';
import { routeResource } from './http/route.ts';
import { errorResponse } from './http/respond.ts';
import { negotiate } from './http/negotiate.ts';
import { nonResource } from './http/non-resource.ts';
import { ApiServerMetrics } from './metrics.ts';
import { dryRunLabel, reportedVerb, requestScope } from './metrics-labels.ts';
import { Store, type ManagedFieldsTracker } from './registry/generic/store.ts';
import type { Strategy } from './registry/strategy.ts';
import { parseRequestInfo } from './request-info.ts';
import type { ApiRequest, ApiResponse } from './types.ts';
import { WatchCache } from './watch-cache.ts';
import { serveMetrics } from './registry/metrics/handler.ts';
import { metricsGroup, metricsResources } from './registry/metrics/resources.ts';
import type { MetricsProvider } from './registry/metrics/types.ts';
import type { TransformerFor } from './encryption/config.ts';
import type { Auditor, AuditRequest } from './audit/auditor.ts';

export interface ApiServerConfig {
  backend: Backend;
  clock: Clock;
  logger: Logger;
  strategies: Strategy[];
  authenticator: Authenticator;
  authorizer: Authorizer;
  admission?: AdmissionPlugin[];
  trackManagedFields?: ManagedFieldsTracker;
  /** host:port clients should use, for legacy discovery. */
  serverAddress: () => string;
  watchCacheCapacity?: number;
  metrics?: ApiServerMetrics;
  /** How pods/log (and the stream subresources) reach kubelets. */
  kubeletClient?: KubeletClientConfig;
  /** Encryption at rest: the value transformer of each configured resource. */
  transformerFor?: TransformerFor;
  /** Audit logging (`--audit-policy-file`, `--audit-log-path`); none: not audited. */
  auditor?: Auditor;
  /** Serves `metrics.k8s.io/v1beta1` (the metrics pipeline's latest points); none: not served. */
  metricsProvider?: MetricsProvider;
}

export class ApiServer implements ServerContext {
  readonly stores = new Map<string, Store>();
  readonly discovery: Discovery;
  readonly watchCache: WatchCache;
  readonly metrics: ApiServerMetrics;
  readonly resources: ResourceInfo[];
  /** Webhook configurations, policies and bindings, watched into memory for admission. */
  readonly admissionConfigs: AdmissionConfigCache;
  private readyFlag = false;

  get kubeletClient(): KubeletClientConfig | undefined {
    return this.config.kubeletClient;
  }

  constructor(readonly config: ApiServerConfig) {
    this.metrics = config.metrics ?? new ApiServerMetrics();
    this.watchCache = new WatchCache(config.backend, { capacity: config.watchCacheCapacity ?? 20_000, logger: config.logger });
    this.admissionConfigs = new AdmissionConfigCache(this, config.logger);
    const admission = admissionChain([
      namespaceLifecycle((name) => this.getOptional('', 'v1', 'namespaces', '', name)),
      limitRanger(this),
      serviceAccountAdmission({ getServiceAccount: (ns, name) => this.getOptional('', 'v1', 'serviceaccounts', ns, name) }),
      podSecurityAdmission((name) => this.getOptional('', 'v1', 'namespaces', '', name)),
      defaultTolerationSeconds(),
      storageObjectInUseProtection(),
      priorityAdmission(storePriorityClassLister(this)),
      defaultStorageClass(this),
      defaultIngressClass(storeIngressClassLister(this)),
      persistentVolumeClaimResize((name) => this.getOptional('storage.k8s.io', 'v1', 'storageclasses', '', name)),
      resourceQuotaAdmission(this),
      mutatingWebhookAdmission(this, this.admissionConfigs, (l, s) => this.metrics.webhookDuration.observe(l, s)),
      validatingAdmissionPolicy(this, this.admissionConfigs, (attrs) => this.config.authorizer.authorize(attrs)),
      validatingWebhookAdmission(this, this.admissionConfigs, (l, s) => this.metrics.webhookDuration.observe(l, s)),
      ...(config.admission ?? []),
    ]);
    for (const s of config.strategies) {
      const store = new Store(s, {
        backend: config.backend,
        watchCache: this.watchCache,
        admission,
        clock: config.clock,
        trackManagedFields: config.trackManagedFields,
        transformerFor: config.transformerFor,
      });
      this.stores.set(storeKey(s.info.group, s.info.version, s.info.resource), store);
    }
    // Discovery lists what has a strategy plus what the router serves itself (reviews, bindings).
    const served = (r: ResourceInfo) =>
      this.stores.has(storeKey(r.group, r.version, r.resource)) ||
      reviewResources.has(r.resource) ||
      (r.group === '' && r.resource === 'bindings' && this.stores.has(storeKey('', 'v1', 'pods')));
    this.resources = [...builtinResources.filter(served), ...(config.metricsProvider ? metricsResources : [])];
    this.discovery = new Discovery(this.resources, config.serverAddress);
  }

  get authorizer(): Authorizer {
    return this.config.authorizer;
  }

  get authenticator(): Authenticator {
    return this.config.authenticator;
  }

  store(group: string, version: string, resource: string): Store | undefined {
    return this.stores.get(storeKey(group, version, resource));
  }

  private async getOptional(group: string, version: string, resource: string, ns: string, name: string): Promise<KubeObject | undefined> {
    const s = this.store(group, version, resource);
    return s ? (await s.getRaw(ns, name))?.obj : undefined;
  }

  get ready(): boolean {
    return this.readyFlag;
  }

  /** Runs the watch cache; resolves `ready` once it is serving. */
  async start(signal: AbortSignal): Promise<void> {
    const running = this.watchCache.start(signal);
    void this.admissionConfigs.run(signal).catch((err: unknown) => this.config.logger.error('admission config cache stopped', { err: err as Error }));
    await this.watchCache.ready;
    this.readyFlag = true;
    await running;
  }

  async handle(req: ApiRequest): Promise<ApiResponse> {
    const started = performance.now();
    const info = parseRequestInfo(req.method, req.path, req.query);
    const audit = this.config.auditor?.begin(req, info);
    let res: ApiResponse;
    try {
      res = await this.dispatch(req, info, audit);
    } catch (err) {
      res = this.failure(err, req);
    }
    if (audit) res = audit.finish(res);
    const verb = reportedVerb(info, req.headers['content-type']);
    const series = info.isResourceRequest
      ? this.metrics.requestSeries(verb, info.group, info.version, info.resource, info.subresource, requestScope(info), dryRunLabel(req.query))
      : this.metrics.requestSeries(verb, '', '', '', '');
    this.metrics.countRequest(series, res.status);
    if (info.isResourceRequest) res = this.metrics.trackLongRunning(res, series.labels, () => this.resources.find((r) => r.group === info.group && r.resource === info.resource)?.kind);
    // Upstream leaves WATCH and CONNECT out of the latency histogram.
    if (verb !== 'WATCH' && verb !== 'CONNECT') this.metrics.duration.observe(series.labels, (performance.now() - started) / 1000);
    return res;
  }

  private async dispatch(req: ApiRequest, info: ReturnType<typeof parseRequestInfo>, audit?: AuditRequest): Promise<ApiResponse> {
    const open = nonResource.public(this, req);
    if (open) return open;
    const user = await this.config.authenticator.authenticate(req);
    if (!user) return errorResponse(StatusError.unauthorized());
    audit?.setUser(user);
    const decision = await this.config.authorizer.authorize({
      user,
      verb: info.verb,
      isResourceRequest: info.isResourceRequest,
      namespace: info.isResourceRequest ? info.namespace : '',
      apiGroup: info.isResourceRequest ? info.group : '',
      apiVersion: info.isResourceRequest ? info.version : '',
      resource: info.isResourceRequest ? info.resource : '',
      subresource: info.isResourceRequest ? info.subresource : '',
      name: info.isResourceRequest ? info.name : '',
      path: req.path,
    });
    audit?.setAuthorization(decision.allowed, decision.reason);
    if (!decision.allowed) {
      const why = decision.reason ? `: ${decision.reason}` : '';
      if (!info.isResourceRequest)
        return errorResponse(new StatusError(403, 'Forbidden', `forbidden: User "${user.username}" cannot ${info.verb} path "${req.path}"${why}`));
      const scopeText = info.namespace ? ` in the namespace "${info.namespace}"` : info.resource === 'namespaces' ? '' : ' at the cluster scope';
      const res = info.subresource ? `${info.resource}/${info.subresource}` : info.resource;
      return errorResponse(
        StatusError.forbidden(
          { group: info.group, resource: info.resource },
          info.name,
          `User "${user.username}" cannot ${info.verb} resource "${res}" in API group "${info.group}"${scopeText}${why}`,
        ),
      );
    }
    if (!info.isResourceRequest) return nonResource.authenticated(this, req);
    if (info.group === metricsGroup && this.config.metricsProvider) return serveMetrics(this.config.metricsProvider, info, req.query);
    return routeResource(this, req, info, user, this.mediaFor(req.headers.accept), this.config.clock.now());
  }

  /** Clients send the same few Accept headers: each is negotiated once (the choice is only read). */
  private readonly media = new Map<string, ReturnType<typeof negotiate>>();

  private mediaFor(accept: string | undefined): ReturnType<typeof negotiate> {
    if (accept === undefined) return negotiate(accept);
    let m = this.media.get(accept);
    if (!m) {
      if (this.media.size >= 256) this.media.clear();
      this.media.set(accept, (m = Object.freeze(negotiate(accept))));
    }
    return m;
  }

  private failure(err: unknown, req: ApiRequest): ApiResponse {
    if (isStatusError(err)) return errorResponse(err);
    if (isStorageError(err, 'Unavailable')) return errorResponse(StatusError.unavailable(err.message));
    this.config.logger.error('request failed', { method: req.method, path: req.path, err: err as Error, stack: (err as Error)?.stack });
    return errorResponse(StatusError.internal((err as Error)?.message ?? String(err)));
  }

  /** Ensures a namespace exists (used to bootstrap the system namespaces). */
  async ensureNamespace(name: string): Promise<void> {
    const s = this.store('', 'v1', 'namespaces');
    if (!s || (await s.getRaw('', name))) return;
    try {
      await s.create('', { apiVersion: 'v1', kind: 'Namespace', metadata: { name } }, {
        dryRun: false,
        user: { username: 'system:apiserver', groups: ['system:masters'] },
        fieldManager: 'skiff-apiserver',
      });
    } catch (err) {
      if (!(err instanceof StatusError && err.reason === 'AlreadyExists')) throw err;
    }
  }
}

function storeKey(group: string, version: string, resource: string): string {
  return `${apiVersionOf({ group, version })}/${resource}`;
}

