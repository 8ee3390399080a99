import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { Ingress } from 'kubernetes-types/networking/v1.js';
import type { KubeObject } from '../../api/object.ts';
import { builtinResources, findResource } from '../../machinery/resources.ts';
import { isForbidden } from '../../machinery/status.ts';
import type { AdmissionAttributes } from './interface.ts';
import { defaultIngressClass } from './default-ingress-class.ts';

const ingresses = findResource(builtinResources, 'networking.k8s.io', 'v1', 'ingresses')!;
const attrs = (ing: Ingress, operation: AdmissionAttributes['operation'] = 'CREATE'): AdmissionAttributes => ({
  operation, resource: ingresses, subresource: '', namespace: 'default', name: 'web', object: ing as KubeObject, oldObject: undefined, user: { username: 'u', groups: [] }, dryRun: false,
});
const cls = (name: string, isDefault: boolean): KubeObject => ({ metadata: { name, annotations: isDefault ? { 'ingressclass.kubernetes.io/is-default-class': 'true' } : {} } });

describe('DefaultIngressClass', () => {
  it('sets the one default class on create only', async () => {
    const plugin = defaultIngressClass(async () => [cls('other', false), cls('skiff', true)]);
    const ing: Ingress = { spec: {} };
    await plugin.mutate!(attrs(ing));
    assert.equal(ing.spec!.ingressClassName, 'skiff');
    const upd: Ingress = { spec: {} };
    await plugin.mutate!(attrs(upd, 'UPDATE'));
    assert.equal(upd.spec!.ingressClassName, undefined);
  });
  it('leaves a named class, the legacy annotation, and no default alone', async () => {
    const plugin = defaultIngressClass(async () => [cls('skiff', true)]);
    const named: Ingress = { spec: { ingressClassName: 'nginx' } };
    await plugin.mutate!(attrs(named));
    assert.equal(named.spec!.ingressClassName, 'nginx');
    const legacy: Ingress = { metadata: { annotations: { 'kubernetes.io/ingress.class': 'nginx' } }, spec: {} };
    await plugin.mutate!(attrs(legacy));
    assert.equal(legacy.spec!.ingressClassName, undefined);
    const none: Ingress = { spec: {} };
    await defaultIngressClass(async () => [cls('a', false)]).mutate!(attrs(none));
    assert.equal(none.spec!.ingressClassName, undefined);
  });
  it('forbids the create when several classes claim to be the default', async () => {
    const plugin = defaultIngressClass(async () => [cls('a', true), cls('b', true)]);
    await assert.rejects(plugin.mutate!(attrs({ spec: {} })), (err: unknown) => isForbidden(err) && /2 default IngressClasses were found, only 1 allowed/.test(String((err as Error).message)));
  });
});
