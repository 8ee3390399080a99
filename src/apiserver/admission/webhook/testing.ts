/**
 * @module Test helpers: fixed in-memory admission configuration (both the watched configs and
 * the on-demand reads) and admission attributes for a pod.
 */
import type { KubeObject } from '../../../api/object.ts';
import { builtinResources, findResource } from '../../../machinery/resources.ts';
import type { AdmissionConfigs, ConfigResource } from '../config-cache.ts';
import type { AdmissionAttributes } from '../interface.ts';
import type { ConfigLister } from './source.ts';

export class FixedLister implements ConfigLister, AdmissionConfigs {
  constructor(readonly objects: Record<string, KubeObject[]>) {}
  readonly synced = true;
  readonly ready = Promise.resolve();
  current<T extends KubeObject>(resource: ConfigResource): readonly T[] {
    const all = (this.objects[`${resource}.admissionregistration.k8s.io`] ?? []) as T[];
    return [...all].sort((a, b) => (a.metadata?.name ?? '').localeCompare(b.metadata?.name ?? ''));
  }
  async list<T extends KubeObject>(group: string, _v: string, resource: string, namespace?: string): Promise<T[]> {
    const all = (this.objects[group ? `${resource}.${group}` : resource] ?? []) as T[];
    return namespace ? all.filter((o) => o.metadata?.namespace === namespace) : all;
  }
  async get<T extends KubeObject>(group: string, v: string, resource: string, namespace: string, name: string): Promise<T | undefined> {
    return (await this.list<T>(group, v, resource)).find((o) => (o.metadata?.namespace ?? '') === namespace && o.metadata?.name === name);
  }
  namespace(name: string): Promise<KubeObject | undefined> {
    return this.get('', 'v1', 'namespaces', '', name);
  }
}

export function podAttrs(over: Partial<AdmissionAttributes> = {}, labels?: Record<string, string>): AdmissionAttributes {
  return {
    operation: 'CREATE',
    resource: findResource(builtinResources, '', 'v1', 'pods')!,
    subresource: '',
    namespace: 'ns',
    name: 'p',
    object: { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'p', namespace: 'ns', labels }, spec: { containers: [{ name: 'c', image: 'x' }] } } as KubeObject,
    oldObject: undefined,
    user: { username: 'alice', groups: ['dev'] },
    dryRun: false,
    warnings: [],
    ...over,
  };
}
