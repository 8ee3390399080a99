/**
 * The admission configuration cache through a real ApiServer (memory store, every built-in
 * strategy): requests read no admission configuration from storage, and a configuration created,
 * changed or deleted after start applies within a second.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { KubeObject } from '../../api/object.ts';
import type { ApiServer } from '../server.ts';
import type { Client } from '../../client/rest.ts';
import { isStatusError } from '../../machinery/status.ts';
import { MemoryBackend } from '../../storage/drivers/memory.ts';
import type { Backend } from '../../storage/interface.ts';
import { mutatingWebhooksFrom, validatingWebhooksFrom } from './webhook/plugin.ts';
import { validatingAdmissionPolicyFrom } from './policy/plugin.ts';
import type { ConfigLister } from './webhook/source.ts';
import { podAttrs } from './webhook/testing.ts';
import { startInProcessApi, type InProcessApi } from '../../../test/support/in-process-api.ts';

const g = 'admissionregistration.k8s.io';
const configPrefix = `/registry/${g}/`;

/** A memory backend that records the key of every read. */
function countingBackend(): { backend: Backend; reads: string[] } {
  const inner = new MemoryBackend();
  const reads: string[] = [];
  const backend = new Proxy(inner, {
    get(target, prop, receiver) {
      const v = Reflect.get(target, prop, receiver) as unknown;
      if (typeof v !== 'function') return v;
      if (prop === 'get' || prop === 'list' || prop === 'count')
        return (key: string, ...rest: unknown[]) => {
          reads.push(key);
          return (v as (...a: unknown[]) => unknown).call(target, key, ...rest);
        };
      return (v as (...a: unknown[]) => unknown).bind(target);
    },
  }) as Backend;
  return { backend, reads };
}

/** Rejects every call: the plugins must not need their on-demand reader. */
function refusingReader(calls: string[]): ConfigLister {
  const refuse = (what: string) => async (): Promise<never> => {
    calls.push(what);
    throw new Error(`unexpected ${what}`);
  };
  return { list: refuse('list'), get: refuse('get'), namespace: refuse('namespace') };
}

describe('admission configuration cache', () => {
  const { backend, reads } = countingBackend();
  let server: InProcessApi;
  let api: ApiServer;
  let client: Client;
  const res = (resource: string) => client.resource<KubeObject>({ group: g, version: 'v1', resource, namespaced: false });
  const cms = () => client.resource<KubeObject>({ group: '', version: 'v1', resource: 'configmaps', namespaced: true });
  const cm = (name: string) => ({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name, namespace: 'default' } });

  before(async () => {
    await backend.start();
    server = await startInProcessApi({ backend });
    ({ api, client } = server);
    await api.admissionConfigs.ready;
  });
  after(async () => {
    server.stop();
    await backend.close();
  });

  it('without configurations, admitted writes read no admission configuration from storage', async () => {
    reads.length = 0;
    for (let i = 0; i < 20; i++) await cms().create(cm(`plain-${i}`));
    assert.deepEqual(reads.filter((k) => k.startsWith(configPrefix)), []);
    // The plugins themselves do nothing else either: no namespace, param or service reads.
    const calls: string[] = [];
    const reader = refusingReader(calls);
    for (const p of [mutatingWebhooksFrom(api.admissionConfigs, reader), validatingAdmissionPolicyFrom(api.admissionConfigs, reader), validatingWebhooksFrom(api.admissionConfigs, reader)]) {
      const a = podAttrs();
      await p.mutate?.(a);
      await p.validate?.(a);
    }
    assert.deepEqual(calls, []);
    // The counter does see configuration reads when something asks for them.
    await res('validatingadmissionpolicies').list();
    assert.ok(reads.some((k) => k.startsWith(configPrefix)), 'a LIST of policies is counted');
  });

  it('a policy and binding created after start apply within a second, and stop applying when deleted', async () => {
    const denied = async (name: string) =>
      cms().create(cm(name), 'default').then(
        () => false,
        (e: unknown) => {
          if (isStatusError(e) && e.code === 422) return true;
          throw e;
        },
      );
    const started = Date.now();
    await res('validatingadmissionpolicies').create({
      apiVersion: `${g}/v1`, kind: 'ValidatingAdmissionPolicy', metadata: { name: 'no-banned' },
      spec: {
        failurePolicy: 'Fail',
        matchConstraints: { resourceRules: [{ operations: ['CREATE'], apiGroups: [''], apiVersions: ['v1'], resources: ['configmaps'] }] },
        validations: [{ expression: "!object.metadata.name.startsWith('banned')" }],
      },
    });
    await res('validatingadmissionpolicybindings').create({
      apiVersion: `${g}/v1`, kind: 'ValidatingAdmissionPolicyBinding', metadata: { name: 'no-banned' },
      spec: { policyName: 'no-banned', validationActions: ['Deny'] },
    });
    let n = 0;
    while (!(await denied(`banned-${n++}`))) {
      assert.ok(Date.now() - started < 1000, 'the new policy applies within 1s');
      await new Promise((r) => setTimeout(r, 10));
    }
    assert.ok(await denied('banned-again'), 'and keeps applying');
    assert.equal(await denied('fine'), false);

    const removed = Date.now();
    await res('validatingadmissionpolicybindings').delete('no-banned');
    while (await denied(`banned-late-${n++}`)) {
      assert.ok(Date.now() - removed < 1000, 'the deleted binding stops applying within 1s');
      await new Promise((r) => setTimeout(r, 10));
    }
    await res('validatingadmissionpolicies').delete('no-banned');
  });

  it('a webhook configuration created after start is called within a second', async () => {
    const started = Date.now();
    // Unreachable with failurePolicy Fail: once the configuration applies, creates fail.
    await res('validatingwebhookconfigurations').create({
      apiVersion: `${g}/v1`, kind: 'ValidatingWebhookConfiguration', metadata: { name: 'down' },
      webhooks: [{
        name: 'down.example.com', admissionReviewVersions: ['v1'], sideEffects: 'None', failurePolicy: 'Fail', timeoutSeconds: 1,
        clientConfig: { url: 'https://127.0.0.1:1/validate' },
        rules: [{ operations: ['CREATE'], apiGroups: [''], apiVersions: ['v1'], resources: ['configmaps'] }],
        objectSelector: { matchLabels: { hooked: 'yes' } },
      }],
    });
    let n = 0;
    for (;;) {
      const err = await cms().create({ ...cm(''), metadata: { name: `hooked-${n++}`, namespace: 'default', labels: { hooked: 'yes' } } }).then(() => undefined, (e: unknown) => e);
      if (err) {
        assert.ok(isStatusError(err) && err.code === 500 && /failed calling webhook "down\.example\.com"/.test(err.message), String(err));
        break;
      }
      assert.ok(Date.now() - started < 1000, 'the new webhook applies within 1s');
      await new Promise((r) => setTimeout(r, 10));
    }
    await res('validatingwebhookconfigurations').delete('down');
  });
});
