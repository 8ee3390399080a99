/**
 * Admission webhooks end to end: a real HTTPS webhook server in the test (its own CA handed
 * over as caBundle, reached by clientConfig.url), driven through the real kubectl — a mutating
 * webhook labels pods, a validating one denies a name and returns a warning; namespaceSelector
 * skips a namespace; failurePolicy Fail vs Ignore with the webhook down; sideEffects Some is
 * refused; dry-run passes the webhooks; the latency histogram is exported.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:https';
import type { AddressInfo } from 'node:net';
import { createCA, issueCert } from '../../src/pki/certs.ts';
import { startCluster, type TestCluster } from '../support/server.ts';

interface Review { request: { uid: string; name?: string; object?: { metadata?: { name?: string; labels?: Record<string, string> } } } }

function webhookHandler(path: string, review: Review): object {
  const { uid, object } = review.request;
  if (path === '/mutate') {
    const patch = object?.metadata?.labels
      ? [{ op: 'add', path: '/metadata/labels/webhook-added', value: 'yes' }]
      : [{ op: 'add', path: '/metadata/labels', value: { 'webhook-added': 'yes' } }];
    return { uid, allowed: true, patchType: 'JSONPatch', patch: Buffer.from(JSON.stringify(patch)).toString('base64') };
  }
  if (object?.metadata?.name === 'forbidden-name')
    return { uid, allowed: false, status: { code: 403, message: 'the name forbidden-name is not allowed' } };
  return { uid, allowed: true, warnings: ['checked by the test webhook'] };
}

describe('admission webhooks', () => {
  let c: TestCluster;
  let hooks: Server;
  let caBundle: string;
  let base: string;
  const calls: string[] = [];

  const config = (kind: 'Mutating' | 'Validating', name: string, hook: Record<string, unknown>) =>
    JSON.stringify({
      apiVersion: 'admissionregistration.k8s.io/v1',
      kind: `${kind}WebhookConfiguration`,
      metadata: { name },
      webhooks: [{ admissionReviewVersions: ['v1'], sideEffects: 'None', ...hook }],
    });

  before(async () => {
    const ca = await createCA('webhook-test-ca');
    const leaf = await issueCert(ca, { commonName: 'webhook', usage: 'server', sans: ['127.0.0.1', 'localhost'] });
    caBundle = Buffer.from(ca.cert).toString('base64');
    hooks = createServer({ cert: leaf.cert, key: leaf.key }, (req, res) => {
      let body = '';
      req.on('data', (d) => (body += d));
      req.on('end', () => {
        const review = JSON.parse(body) as Review;
        calls.push(`${req.url} ${review.request.name ?? ''}`);
        res.setHeader('Content-Type', 'application/json');
        res.end(JSON.stringify({ apiVersion: 'admission.k8s.io/v1', kind: 'AdmissionReview', response: webhookHandler(req.url ?? '', review) }));
      });
    });
    await new Promise<void>((r) => hooks.listen(0, '127.0.0.1', r));
    base = `https://127.0.0.1:${(hooks.address() as AddressInfo).port}`;
    c = await startCluster({ datastore: 'memory' });
    await c.kubectl.ok(['create', 'namespace', 'hooked']);
    await c.kubectl.ok(['label', 'namespace', 'hooked', 'webhooks=on']);
    await c.kubectl.ok(['create', 'namespace', 'skipped']);
    const common = {
      namespaceSelector: { matchLabels: { webhooks: 'on' } },
      rules: [{ operations: ['CREATE'], apiGroups: [''], apiVersions: ['v1'], resources: ['pods'] }],
    };
    await c.kubectl.ok(['create', '-f', '-'], { input: config('Mutating', 'label-pods', { name: 'label.test.skiff.dev', clientConfig: { url: `${base}/mutate`, caBundle }, ...common }) });
    await c.kubectl.ok(['create', '-f', '-'], { input: config('Validating', 'deny-name', { name: 'deny.test.skiff.dev', clientConfig: { url: `${base}/validate`, caBundle }, ...common }) });
  });
  after(async () => {
    await c?.stop();
    await new Promise((r) => hooks?.close(r));
  });

  it('serves the configurations with upstream defaults', async () => {
    const got = JSON.parse(await c.kubectl.ok(['get', 'mutatingwebhookconfiguration', 'label-pods', '-o', 'json'])) as { webhooks: Array<Record<string, unknown>> };
    const h = got.webhooks[0]!;
    assert.equal(h.failurePolicy, 'Fail');
    assert.equal(h.matchPolicy, 'Equivalent');
    assert.equal(h.timeoutSeconds, 10);
    assert.equal(h.reinvocationPolicy, 'Never');
    assert.deepEqual(h.objectSelector, {});
    assert.match(await c.kubectl.ok(['get', 'validatingwebhookconfigurations']), /deny-name\s+1\s/);
  });

  it('the mutating webhook labels pods in a selected namespace only', async () => {
    await c.kubectl.ok(['-n', 'hooked', 'run', 'p1', '--image=busybox']);
    assert.equal(await c.kubectl.ok(['-n', 'hooked', 'get', 'pod', 'p1', '-o', 'jsonpath={.metadata.labels.webhook-added}']), 'yes');
    await c.kubectl.ok(['-n', 'skipped', 'run', 'p1', '--image=busybox']);
    assert.equal(await c.kubectl.ok(['-n', 'skipped', 'get', 'pod', 'p1', '-o', 'jsonpath={.metadata.labels.webhook-added}']), '');
    assert.ok(calls.includes('/mutate p1'));
  });

  it('the validating webhook denies a name with the upstream message and passes its warnings on', async () => {
    const denied = await c.kubectl(['-n', 'hooked', 'run', 'forbidden-name', '--image=busybox']);
    assert.notEqual(denied.code, 0);
    assert.match(denied.stderr, /admission webhook "deny.test.skiff.dev" denied the request: the name forbidden-name is not allowed/);
    const ok = await c.kubectl(['-n', 'hooked', 'run', 'p2', '--image=busybox']);
    assert.equal(ok.code, 0, ok.stderr);
    assert.match(ok.stderr, /Warning: checked by the test webhook/);
    const skipped = await c.kubectl(['-n', 'skipped', 'run', 'forbidden-name', '--image=busybox']);
    assert.equal(skipped.code, 0, skipped.stderr);
  });

  it('dry-run requests reach webhooks whose sideEffects are None', async () => {
    const out = await c.kubectl.ok(['-n', 'hooked', 'run', 'dry', '--image=busybox', '--dry-run=server', '-o', 'jsonpath={.metadata.labels.webhook-added}']);
    assert.equal(out, 'yes');
    assert.equal((await c.kubectl(['-n', 'hooked', 'get', 'pod', 'dry'])).code, 1);
  });

  it('refuses sideEffects Some as upstream v1 does', async () => {
    const r = await c.kubectl(['create', '-f', '-'], {
      input: config('Validating', 'some-effects', { name: 'some.test.skiff.dev', sideEffects: 'Some', clientConfig: { url: `${base}/validate`, caBundle }, rules: [] }),
    });
    assert.notEqual(r.code, 0);
    assert.match(r.stderr, /webhooks\[0\]\.sideEffects: Unsupported value: "Some": supported values: "None", "NoneOnDryRun"/);
  });

  it('failurePolicy Fail rejects when the webhook is down; Ignore admits', async () => {
    const down = createServer();
    await new Promise<void>((r) => down.listen(0, '127.0.0.1', r));
    const port = (down.address() as AddressInfo).port;
    await new Promise((r) => down.close(r));
    const rules = [{ operations: ['CREATE'], apiGroups: [''], apiVersions: ['v1'], resources: ['configmaps'] }];
    await c.kubectl.ok(['create', '-f', '-'], {
      input: config('Validating', 'down', { name: 'down.test.skiff.dev', clientConfig: { url: `https://127.0.0.1:${port}/x`, caBundle }, rules, timeoutSeconds: 2 }),
    });
    const failed = await c.kubectl(['-n', 'skipped', 'create', 'configmap', 'cm1']);
    assert.notEqual(failed.code, 0);
    assert.match(failed.stderr, /Internal error occurred: failed calling webhook "down.test.skiff.dev": failed to call webhook: Post "https:\/\/127.0.0.1:\d+\/x"/);
    await c.kubectl.ok(['patch', 'validatingwebhookconfiguration', 'down', '--type=json', '-p', '[{"op":"replace","path":"/webhooks/0/failurePolicy","value":"Ignore"}]']);
    await c.kubectl.ok(['-n', 'skipped', 'create', 'configmap', 'cm1']);
    await c.kubectl.ok(['delete', 'validatingwebhookconfiguration', 'down']);
  });

  it('exports the webhook latency histogram', async () => {
    const m = await c.kubectl.ok(['get', '--raw', '/metrics']);
    assert.match(m, /apiserver_admission_webhook_admission_duration_seconds_count\{name="label.test.skiff.dev",type="admit",operation="CREATE",rejected="false"\} [1-9]/);
  });
});
