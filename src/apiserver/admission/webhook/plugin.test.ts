import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:https';
import type { AddressInfo } from 'node:net';
import type { KubeObject } from '../../../api/object.ts';
import { isStatusError } from '../../../machinery/status.ts';
import { createCA, issueCert } from '../../../pki/certs.ts';
import { mutatingWebhooksFrom, validatingWebhooksFrom } from './plugin.ts';
import { FixedLister, podAttrs } from './testing.ts';

type Handler = (req: { uid: string; object: KubeObject; dryRun: boolean }) => object;

describe('webhook dispatch', () => {
  let server: Server;
  let base: string;
  let caBundle: string;
  const handlers = new Map<string, Handler>();
  const calls: string[] = [];

  before(async () => {
    const ca = await createCA('t');
    const leaf = await issueCert(ca, { commonName: 'w', usage: 'server', sans: ['127.0.0.1', 'hook.sys.svc'] });
    caBundle = Buffer.from(ca.cert).toString('base64');
    server = createServer({ cert: leaf.cert, key: leaf.key }, (req, res) => {
      let body = '';
      req.on('data', (d) => (body += d));
      req.on('end', () => {
        const r = (JSON.parse(body) as { request: { uid: string; object: KubeObject; dryRun: boolean } }).request;
        calls.push(req.url ?? '');
        res.end(JSON.stringify({ response: { uid: r.uid, ...handlers.get(req.url ?? '')!(r) } }));
      });
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    base = `https://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  after(() => new Promise((r) => server.close(r)));

  const hook = (name: string, path: string, extra: Record<string, unknown> = {}) => ({
    name, clientConfig: { url: `${base}${path}`, caBundle }, sideEffects: 'None', failurePolicy: 'Fail', timeoutSeconds: 5,
    rules: [{ operations: ['CREATE'], apiGroups: [''], apiVersions: ['v1'], resources: ['pods'] }], ...extra,
  });
  // The same fixed objects serve as the watched configurations and the on-demand reads.
  const pair = (l: FixedLister) => [l, l] as const;
  const lister = (kind: 'mutatingwebhookconfigurations' | 'validatingwebhookconfigurations', webhooks: object[]) =>
    pair(new FixedLister({ [`${kind}.admissionregistration.k8s.io`]: [{ metadata: { name: 'c' }, webhooks } as unknown as KubeObject] }));
  const label = (key: string) => () => ({ allowed: true, patchType: 'JSONPatch', patch: Buffer.from(JSON.stringify([{ op: 'add', path: `/metadata/labels/${key}`, value: 'x' }])).toString('base64') });

  it('applies patches in order and reinvokes an IfNeeded webhook once after later changes', async () => {
    calls.length = 0;
    let seenB = 0;
    handlers.set('/a', (r) => {
      if (r.object.metadata?.labels?.b) seenB++;
      return { allowed: true };
    });
    handlers.set('/b', label('b'));
    const p = mutatingWebhooksFrom(...lister('mutatingwebhookconfigurations', [hook('a.x.io', '/a', { reinvocationPolicy: 'IfNeeded' }), hook('b.x.io', '/b')]));
    const a = podAttrs({}, { app: 'web' });
    await p.mutate!(a);
    assert.deepEqual(calls, ['/a', '/b', '/a']);
    assert.equal(seenB, 1);
    assert.equal(a.object?.metadata?.labels?.b, 'x');
  });

  it('matchConditions skip the call when false', async () => {
    calls.length = 0;
    handlers.set('/b', label('b'));
    const p = mutatingWebhooksFrom(...lister('mutatingwebhookconfigurations', [hook('b.x.io', '/b', { matchConditions: [{ name: 'not-alice', expression: "request.userInfo.username != 'alice'" }] })]));
    await p.mutate!(podAttrs({}, {}));
    assert.deepEqual(calls, []);
  });

  it('denial carries the webhook status code and upstream message; warnings are passed on', async () => {
    handlers.set('/deny', () => ({ allowed: false, warnings: ['w1'], status: { code: 422, reason: 'Invalid', message: 'nope' } }));
    const p = validatingWebhooksFrom(...lister('validatingwebhookconfigurations', [hook('deny.x.io', '/deny')]));
    const a = podAttrs();
    await assert.rejects(p.validate!(a), (e) => isStatusError(e) && e.code === 422 && e.message === 'admission webhook "deny.x.io" denied the request: nope');
    assert.deepEqual(a.warnings, ['w1']);
  });

  it('dry-run fails for webhooks with side effects, before calling them', async () => {
    calls.length = 0;
    const p = validatingWebhooksFrom(...lister('validatingwebhookconfigurations', [hook('some.x.io', '/deny', { sideEffects: 'Some' })]));
    await assert.rejects(p.validate!(podAttrs({ dryRun: true })), (e) => isStatusError(e) && e.code === 400 && /does not support dry run/.test(e.message));
    assert.deepEqual(calls, []);
  });

  it('failurePolicy Ignore skips an unreachable webhook; Fail rejects with InternalError', async () => {
    const down = (fp: string) => ({ ...hook('down.x.io', '/x', { failurePolicy: fp }), clientConfig: { url: 'https://127.0.0.1:1/x', caBundle } });
    await validatingWebhooksFrom(...lister('validatingwebhookconfigurations', [down('Ignore')])).validate!(podAttrs());
    await assert.rejects(
      validatingWebhooksFrom(...lister('validatingwebhookconfigurations', [down('Fail')])).validate!(podAttrs()),
      (e) => isStatusError(e) && e.code === 500 && e.message.startsWith('Internal error occurred: failed calling webhook "down.x.io": failed to call webhook: Post "https://127.0.0.1:1/x"'),
    );
  });

  it('a service clientConfig resolves through EndpointSlices to a ready endpoint', async () => {
    calls.length = 0;
    handlers.set('/svc', () => ({ allowed: true }));
    const port = Number(new URL(base).port);
    const objs = {
      'validatingwebhookconfigurations.admissionregistration.k8s.io': [{ metadata: { name: 'c' }, webhooks: [{ ...hook('svc.x.io', ''), clientConfig: { service: { namespace: 'sys', name: 'hook', port: 443, path: '/svc' }, caBundle } }] }],
      services: [{ metadata: { name: 'hook', namespace: 'sys' }, spec: { ports: [{ name: 'https', port: 443, targetPort: 'https' }] } }],
      'endpointslices.discovery.k8s.io': [{
        metadata: { name: 'hook-1', namespace: 'sys', labels: { 'kubernetes.io/service-name': 'hook' } },
        ports: [{ name: 'https', port }], endpoints: [{ addresses: ['10.255.0.9'], conditions: { ready: false } }, { addresses: ['127.0.0.1'], conditions: { ready: true } }],
      }],
    } as unknown as Record<string, KubeObject[]>;
    await validatingWebhooksFrom(...pair(new FixedLister(objs))).validate!(podAttrs());
    assert.deepEqual(calls, ['/svc']);
  });
});
