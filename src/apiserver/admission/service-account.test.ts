import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { Pod, ServiceAccount } from 'kubernetes-types/core/v1.js';
import type { KubeObject } from '../../api/object.ts';
import { builtinResources, findResource } from '../../machinery/resources.ts';
import { isStatusError } from '../../machinery/status.ts';
import type { AdmissionAttributes } from './interface.ts';
import { serviceAccountAdmission, tokenMountPath } from './service-account.ts';

const pods = findResource(builtinResources, '', 'v1', 'pods')!;
const attrs = (pod: Pod, operation: AdmissionAttributes['operation'] = 'CREATE'): AdmissionAttributes => ({
  operation,
  resource: pods,
  subresource: '',
  namespace: 'ns',
  name: 'p',
  object: pod as KubeObject,
  oldObject: undefined,
  user: { username: 'u', groups: [] },
  dryRun: false,
});

function plugin(accounts: Record<string, ServiceAccount>, extra: { sleeps?: number[] } = {}) {
  return serviceAccountAdmission({
    getServiceAccount: async (ns, name) => (ns === 'ns' ? (accounts[name] as KubeObject | undefined) : undefined),
    defaultAccountWaitMs: 50,
    sleep: async (ms) => {
      extra.sleeps?.push(ms);
      await new Promise((r) => setTimeout(r, 5));
    },
  });
}

const sa = (name: string, more: Partial<ServiceAccount> = {}): ServiceAccount => ({ metadata: { name, namespace: 'ns', uid: `uid-${name}` }, ...more });
const pod = (spec: Partial<Pod['spec']> = {}, annotations?: Record<string, string>): Pod => ({
  metadata: { name: 'p', annotations },
  spec: { containers: [{ name: 'a', image: 'x' }], ...spec },
});

describe('ServiceAccount admission', () => {
  it('defaults to the default account and mounts the kube-api-access volume in every container', async () => {
    const p = pod({ initContainers: [{ name: 'i', image: 'x' }] });
    await plugin({ default: sa('default') }).mutate!(attrs(p));
    assert.equal(p.spec!.serviceAccountName, 'default');
    const vol = p.spec!.volumes!.at(-1)!;
    assert.match(vol.name, /^kube-api-access-[bcdfghjklmnpqrstvwxz2456789]{5}$/);
    assert.deepEqual(vol.projected, {
      defaultMode: 420,
      sources: [
        { serviceAccountToken: { path: 'token', expirationSeconds: 3607 } },
        { configMap: { name: 'kube-root-ca.crt', items: [{ key: 'ca.crt', path: 'ca.crt' }] } },
        { downwardAPI: { items: [{ path: 'namespace', fieldRef: { apiVersion: 'v1', fieldPath: 'metadata.namespace' } }] } },
      ],
    });
    for (const c of [...p.spec!.initContainers!, ...p.spec!.containers])
      assert.deepEqual(c.volumeMounts, [{ name: vol.name, readOnly: true, mountPath: tokenMountPath }]);
  });

  it('leaves a container that mounts the path itself, and adds no volume when none needs it', async () => {
    const own = { name: 'mine', mountPath: tokenMountPath };
    const p = pod({ containers: [{ name: 'a', image: 'x', volumeMounts: [own] }], volumes: [{ name: 'mine', emptyDir: {} }] });
    await plugin({ default: sa('default') }).mutate!(attrs(p));
    assert.deepEqual(p.spec!.containers[0]!.volumeMounts, [own]);
    assert.deepEqual(p.spec!.volumes!.map((v) => v.name), ['mine']);
  });

  it('honours automountServiceAccountToken: the pod wins over the account', async () => {
    const off = pod({ automountServiceAccountToken: false });
    await plugin({ default: sa('default') }).mutate!(attrs(off));
    assert.equal(off.spec!.volumes, undefined);
    const saOff = pod({ serviceAccountName: 'robot' });
    await plugin({ robot: sa('robot', { automountServiceAccountToken: false }) }).mutate!(attrs(saOff));
    assert.equal(saOff.spec!.volumes, undefined);
    const podOn = pod({ serviceAccountName: 'robot', automountServiceAccountToken: true });
    await plugin({ robot: sa('robot', { automountServiceAccountToken: false }) }).mutate!(attrs(podOn));
    assert.equal(podOn.spec!.volumes?.length, 1);
  });

  it('copies imagePullSecrets only when the pod has none', async () => {
    const accounts = { default: sa('default', { imagePullSecrets: [{ name: 'reg' }] }) };
    const p = pod();
    await plugin(accounts).mutate!(attrs(p));
    assert.deepEqual(p.spec!.imagePullSecrets, [{ name: 'reg' }]);
    const q = pod({ imagePullSecrets: [{ name: 'own' }] });
    await plugin(accounts).mutate!(attrs(q));
    assert.deepEqual(q.spec!.imagePullSecrets, [{ name: 'own' }]);
  });

  it('refuses a missing account with upstream\'s message, after waiting only for the default one', async () => {
    const sleeps: number[] = [];
    await assert.rejects(plugin({}, { sleeps }).mutate!(attrs(pod({ serviceAccountName: 'robot' }))), (err: unknown) => {
      assert.ok(isStatusError(err));
      assert.equal(err.code, 403);
      assert.equal(err.message, 'pods "p" is forbidden: error looking up service account ns/robot: serviceaccount "robot" not found');
      return true;
    });
    assert.equal(sleeps.length, 0);
    await assert.rejects(plugin({}, { sleeps }).mutate!(attrs(pod())), /error looking up service account ns\/default: serviceaccount "default" not found/);
    assert.ok(sleeps.length > 0);
  });

  it('finds a default account that appears while it waits', async () => {
    const accounts: Record<string, ServiceAccount> = {};
    const p = serviceAccountAdmission({
      getServiceAccount: async (_ns, name) => accounts[name] as KubeObject | undefined,
      defaultAccountWaitMs: 5000,
      sleep: async () => {
        accounts.default = sa('default');
      },
    });
    const x = pod();
    await p.mutate!(attrs(x));
    assert.equal(x.spec!.volumes?.length, 1);
  });

  it('skips mirror pods but refuses ones that refer to accounts or tokens', async () => {
    const mirror = { 'kubernetes.io/config.mirror': 'hash' };
    const m = pod({}, mirror);
    const plug = plugin({ default: sa('default') });
    await plug.mutate!(attrs(m));
    assert.equal(m.spec!.serviceAccountName, undefined);
    await plug.validate!(attrs(m));
    await assert.rejects(plug.validate!(attrs(pod({ serviceAccountName: 'default' }, mirror))), /a mirror pod may not reference service accounts/);
  });

  it('ignores updates and other resources', async () => {
    const p = pod();
    await plugin({}).mutate!(attrs(p, 'UPDATE'));
    assert.equal(p.spec!.serviceAccountName, undefined);
  });
});
