/**
 * @module Which Ingresses this controller serves: those of IngressClass `skiff` (any class
 * whose `spec.controller` is `skiff.dev/ingress`), named by `spec.ingressClassName` or the
 * legacy `kubernetes.io/ingress.class` annotation, and those naming no class while ours is the
 * default. The class is created at start (annotated default) unless it exists already.
 */
import type { Ingress, IngressClass } from 'kubernetes-types/networking/v1.js';
import type { KubeObject } from '../api/object.ts';
import type { Client, ResourceRef } from '../client/rest.ts';
import { builtinResources, findResource } from '../machinery/resources.ts';
import { isAlreadyExists } from '../machinery/status.ts';

export const className = 'skiff';
export const controllerName = 'skiff.dev/ingress';
export const isDefaultClassAnnotation = 'ingressclass.kubernetes.io/is-default-class';
export const legacyClassAnnotation = 'kubernetes.io/ingress.class';

const info = findResource(builtinResources, 'networking.k8s.io', 'v1', 'ingressclasses')!;
export const ingressClassesRef: ResourceRef = { group: info.group, version: info.version, resource: info.resource, namespaced: info.namespaced };

export async function ensureIngressClass(client: Client): Promise<void> {
  const cls: IngressClass & KubeObject = {
    apiVersion: 'networking.k8s.io/v1',
    kind: 'IngressClass',
    metadata: { name: className, annotations: { [isDefaultClassAnnotation]: 'true' } },
    spec: { controller: controllerName },
  };
  try {
    await client.resource<IngressClass & KubeObject>(ingressClassesRef).create(cls);
  } catch (err) {
    if (!isAlreadyExists(err)) throw err;
  }
}

/** Whether an Ingress is ours, given the IngressClasses in the cache. */
export function isServed(ing: Ingress & KubeObject, classes: (IngressClass & KubeObject)[]): boolean {
  const ours = new Set(classes.filter((c) => c.spec?.controller === controllerName).map((c) => c.metadata?.name));
  ours.add(className);
  const legacy = ing.metadata?.annotations?.[legacyClassAnnotation];
  if (legacy !== undefined) return ours.has(legacy);
  const named = ing.spec?.ingressClassName;
  if (named) return ours.has(named);
  const defaults = classes.filter((c) => c.metadata?.annotations?.[isDefaultClassAnnotation] === 'true');
  return defaults.length === 1 && defaults[0]!.spec?.controller === controllerName;
}
