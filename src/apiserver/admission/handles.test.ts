/**
 * The built-in plugins' `handles` declarations: for every built-in resource a plugin does
 * not handle, calling its mutate and validate directly (every operation, main resource and
 * subresource) changes nothing, rejects nothing and asks no dependency — so the chain skipping
 * it is invisible. And each plugin handles the resources it exists for.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { builtinResources, type ResourceInfo } from '../../machinery/resources.ts';
import type { AdmissionAttributes, AdmissionPlugin } from './interface.ts';
import { defaultIngressClass } from './default-ingress-class.ts';
import { defaultStorageClass } from './default-storage-class.ts';
import { defaultTolerationSeconds } from './default-toleration-seconds.ts';
import { limitRanger } from './limit-ranger.ts';
import { namespaceLifecycle } from './namespace-lifecycle.ts';
import { nodeRestriction } from './node-restriction.ts';
import { persistentVolumeClaimResize } from './persistent-volume-claim-resize.ts';
import { podSecurityAdmission } from './pod-security.ts';
import { priorityAdmission } from './priority.ts';
import { resourceQuotaAdmission } from './resource-quota.ts';
import { serviceAccountAdmission } from './service-account.ts';
import { storageObjectInUseProtection } from './storage-object-in-use-protection.ts';

const asked: string[] = [];
const ask = (what: string) => {
  asked.push(what);
  throw new Error(`asked ${what}`);
};
const server = { store: (g: string, v: string, r: string) => ask(`store ${g}/${r}`) } as never;
const plugins: [AdmissionPlugin, string[]][] = [
  [namespaceLifecycle(async (n) => ask(`namespace ${n}`)), ['/namespaces', '/pods', '/events', 'apps/deployments']],
  [limitRanger(server), ['/pods']],
  [serviceAccountAdmission({ getServiceAccount: async (ns, n) => ask(`sa ${ns}/${n}`) }), ['/pods']],
  [podSecurityAdmission(async (n) => ask(`namespace ${n}`)), ['/pods', 'apps/deployments', 'batch/jobs']],
  [defaultTolerationSeconds(), ['/pods']],
  [storageObjectInUseProtection(), ['/persistentvolumes', '/persistentvolumeclaims']],
  [priorityAdmission({ get: async (n) => ask(`pc ${n}`), list: async () => ask('pcs') }), ['/pods', 'scheduling.k8s.io/priorityclasses']],
  [defaultStorageClass(server), ['/persistentvolumeclaims']],
  [defaultIngressClass(async () => ask('ingressclasses')), ['networking.k8s.io/ingresses']],
  [persistentVolumeClaimResize(async (n) => ask(`sc ${n}`)), ['/persistentvolumeclaims']],
  [resourceQuotaAdmission(server), ['/pods', '/events', '/configmaps']],
  [nodeRestriction(), ['/nodes', '/pods', 'coordination.k8s.io/leases']],
];

const id = (r: ResourceInfo) => `${r.group}/${r.resource}`;
const object = () => ({
  apiVersion: 'v1',
  kind: 'X',
  metadata: { name: 'x', namespace: 'default', finalizers: [] as string[] },
  spec: { containers: [{ name: 'c', image: 'i' }], template: { spec: { containers: [{ name: 'c', image: 'i', securityContext: { privileged: true } }] } } },
});
const users = [
  { username: 'u', groups: ['system:authenticated'] },
  { username: 'system:node:n1', groups: ['system:nodes', 'system:authenticated'] },
];

describe('admission handles', () => {
  for (const [plugin, mustHandle] of plugins) {
    it(`${plugin.name}: skipping what it does not handle changes nothing`, async () => {
      assert.ok(plugin.handles, 'declares handles');
      for (const r of mustHandle) {
        const info = builtinResources.find((b) => id(b) === r);
        assert.ok(info && plugin.handles(info), `handles ${r}`);
      }
      let skipped = 0;
      for (const resource of builtinResources) {
        if (plugin.handles(resource)) continue;
        skipped++;
        for (const operation of ['CREATE', 'UPDATE', 'DELETE', 'CONNECT'] as const)
          for (const subresource of ['', 'status'])
            for (const user of users) {
              const obj = object();
              const attrs: AdmissionAttributes = {
                operation, resource, subresource, namespace: resource.namespaced ? 'default' : '', name: 'x',
                object: operation === 'DELETE' ? undefined : obj, oldObject: operation === 'CREATE' ? undefined : object(),
                user, dryRun: false, warnings: [], auditAnnotations: {},
              };
              await plugin.mutate?.(attrs);
              await plugin.validate?.(attrs);
              assert.deepEqual(obj, object(), `${id(resource)} ${operation}`);
              assert.deepEqual(attrs.warnings, []);
              assert.deepEqual(attrs.auditAnnotations, {});
            }
      }
      assert.ok(skipped > 0);
      assert.deepEqual(asked, []);
    });
  }
});
