/**
 * @module DefaultIngressClass admission (upstream plugin/pkg/admission/network/
 * defaultingressclass): a new Ingress that names no class (neither `spec.ingressClassName` nor
 * the legacy `kubernetes.io/ingress.class` annotation) gets the one IngressClass annotated
 * `ingressclass.kubernetes.io/is-default-class: "true"`. Several defaults forbid the create,
 * as upstream does, rather than guessing.
 */
import type { Ingress } from 'kubernetes-types/networking/v1.js';
import type { KubeObject } from '../../api/object.ts';
import { StatusError } from '../../machinery/status.ts';
import type { QuotaServer } from './resource-quota.ts';
import type { AdmissionPlugin } from './interface.ts';
import { resourceIn } from './interface.ts';

export const isDefaultIngressClassAnnotation = 'ingressclass.kubernetes.io/is-default-class';
export const legacyIngressClassAnnotation = 'kubernetes.io/ingress.class';

/** Lists every IngressClass (the plugin reads them fresh on each create). */
export type IngressClassLister = () => Promise<KubeObject[]>;

export function storeIngressClassLister(server: QuotaServer): IngressClassLister {
  return async () => {
    const store = server.store('networking.k8s.io', 'v1', 'ingressclasses');
    if (!store) return [];
    const { kvs } = await server.config.backend.list(store.codec.prefix());
    return kvs.map((kv) => store.codec.decode(kv));
  };
}

export function defaultIngressClass(list: IngressClassLister): AdmissionPlugin {
  return {
    name: 'DefaultIngressClass',
    handles: (r) => resourceIn(r, 'networking.k8s.io', 'ingresses'),
    async mutate(a) {
      if (a.operation !== 'CREATE' || a.subresource || !a.object) return;
      if (a.resource.group !== 'networking.k8s.io' || a.resource.resource !== 'ingresses') return;
      const ing = a.object as Ingress;
      if (ing.spec?.ingressClassName !== undefined && ing.spec.ingressClassName !== null) return;
      if (ing.metadata?.annotations?.[legacyIngressClassAnnotation] !== undefined) return;
      const defaults = (await list()).filter((c) => c.metadata?.annotations?.[isDefaultIngressClassAnnotation] === 'true');
      if (defaults.length === 0) return;
      if (defaults.length > 1)
        throw StatusError.forbidden(
          { group: a.resource.group, resource: a.resource.resource },
          a.name,
          `Internal error occurred: ${defaults.length} default IngressClasses were found, only 1 allowed`,
        );
      (ing.spec ??= {}).ingressClassName = defaults[0]!.metadata!.name!;
    },
  };
}
