/**
 * @module The root CA publisher ("root-ca-cert-publisher", upstream
 * pkg/controller/certificates/rootcacertpublisher): every active namespace holds the ConfigMap
 * `kube-root-ca.crt` with the cluster CA under `ca.crt`, which the projected
 * `kube-api-access-*` volume of every pod mounts. Deleted copies are recreated and edited ones
 * put back. The CA comes from `ctx.options.rootCAFile`. Keys are namespace names.
 */
import { readFileSync } from 'node:fs';
import type { ConfigMap, Namespace } from 'kubernetes-types/core/v1.js';
import type { KubeObject } from '../api/object.ts';
import type { Informer } from '../client/cache/informer.ts';
import { refs } from '../client/refs.ts';
import { isAlreadyExists, isForbidden, isNotFound } from '../machinery/status.ts';
import { QueueRunner, type Controller, type ControllerContext } from './framework/controller.ts';

export const controllerName = 'root-ca-cert-publisher';
export const rootCAConfigMapName = 'kube-root-ca.crt';
export const descriptionAnnotation = 'kubernetes.io/description';
/** Upstream's description, word for word: users read it with kubectl. */
export const description =
  'Contains a CA bundle that can be used to verify the kube-apiserver when using internal endpoints such as the internal service IP or kubernetes.default.svc. No other usage is guaranteed across distributions of Kubernetes clusters.';

type NS = Namespace & KubeObject;
type CM = ConfigMap & KubeObject;

export class RootCAPublisher implements Controller {
  readonly name = controllerName;
  private readonly runner: QueueRunner;
  private readonly namespaces: Informer<NS>;
  private readonly configMaps: Informer<CM>;
  private ca: string | undefined;

  constructor(private readonly ctx: ControllerContext) {
    this.runner = new QueueRunner(ctx, controllerName, (ns) => this.reconcile(ns));
    this.namespaces = ctx.informers.informerFor<NS>(refs.namespaces);
    this.configMaps = ctx.informers.informerFor<CM>(refs.configmaps, { fieldSelector: `metadata.name=${rootCAConfigMapName}` });
    this.namespaces.addEventHandler({
      onAdd: (ns) => this.runner.enqueue(ns.metadata!.name!),
      onUpdate: (_old, ns) => this.runner.enqueue(ns.metadata!.name!),
    });
    const forConfigMap = (cm: CM) => {
      if (cm.metadata?.name === rootCAConfigMapName) this.runner.enqueue(cm.metadata.namespace!);
    };
    this.configMaps.addEventHandler({ onUpdate: (_old, cm) => forConfigMap(cm), onDelete: forConfigMap });
  }

  run(signal: AbortSignal): Promise<void> {
    const file = this.ctx.options?.rootCAFile;
    if (typeof file !== 'string') {
      this.ctx.logger.warn('no root CA file configured; kube-root-ca.crt is not published');
      return Promise.resolve();
    }
    this.ca = readFileSync(file, 'utf8');
    return this.runner.run(signal);
  }

  async reconcile(namespace: string): Promise<void> {
    const ca = this.ca;
    const ns = this.namespaces.store.getByName(undefined, namespace);
    if (!ca || !ns || ns.metadata?.deletionTimestamp || (ns.status?.phase ?? 'Active') !== 'Active') return;
    const cms = this.ctx.client.resource<CM>(refs.configmaps);
    const current = this.configMaps.store.getByName(namespace, rootCAConfigMapName);
    try {
      if (!current) {
        await cms.create(
          { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: rootCAConfigMapName, namespace, annotations: { [descriptionAnnotation]: description } }, data: { 'ca.crt': ca } },
          namespace,
        );
        return;
      }
      // As upstream: only the data must match exactly; any description a user wrote is kept.
      const annotations = current.metadata?.annotations ?? {};
      const data = current.data ?? {};
      if (annotations[descriptionAnnotation] && data['ca.crt'] === ca && Object.keys(data).length === 1) return;
      const fixed: CM = {
        ...current,
        metadata: { ...current.metadata, annotations: { ...annotations, [descriptionAnnotation]: annotations[descriptionAnnotation] || description } },
        data: { 'ca.crt': ca },
      };
      await cms.update(fixed);
    } catch (err) {
      // A lagging cache (exists / gone already) or a namespace being terminated: the next event settles it.
      if (isAlreadyExists(err) || isNotFound(err) || isForbidden(err)) return;
      throw err;
    }
  }
}
