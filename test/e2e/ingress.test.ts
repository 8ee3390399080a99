/**
 * Acceptance for the built-in ingress controller on `skiff server --runtime process`, driven by
 * the real kubectl: IngressClass `skiff` is the default, an Ingress routes two hosts × two paths
 * to the right Deployment (each pod answers with its name), 404 without a match, then the
 * default backend; TLS from a `kubectl create secret tls` Secret chosen by SNI (an unknown
 * name gets the fake certificate) with HTTP → HTTPS 308; a canary at weight 20 gets 20% ± 5%
 * of 1000 requests; a canary by header; status.loadBalancer as ADDRESS.
 */
import assert from 'node:assert/strict';
import http from 'node:http';
import https from 'node:https';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { createCA, issueCert } from '../../src/pki/certs.ts';
import { eventually, haveKubectl } from '../support/kubectl.ts';
import { startCluster, type TestCluster } from '../support/server.ts';
import { processWebDeployment } from '../support/process-web.ts';

const node = 'ing-node';
const basePort = 21000 + Math.floor(Math.random() * 20000);


describe('the built-in ingress controller', { skip: !haveKubectl && 'kubectl is not installed' }, () => {
  let cluster: TestCluster;
  let dir: string;
  const agent = new http.Agent({ keepAlive: true });
  const kubectl = (args: string[], input?: string) => cluster.kubectl.ok(args, { input });
  const apply = (...objs: object[]) => kubectl(['apply', '-f', '-'], JSON.stringify({ apiVersion: 'v1', kind: 'List', items: objs }));
  const svc = (name: string, selector: Record<string, string> = { app: name }) => ({ apiVersion: 'v1', kind: 'Service', metadata: { name }, spec: { selector, ports: [{ name: 'http', port: 80, targetPort: 'http' }] } });
  const path = (p: string, service: string, pathType = 'Prefix') => ({ path: p, pathType, backend: { service: { name: service, port: { number: 80 } } } });
  const ingress = (name: string, spec: object, annotations: Record<string, string> = {}) => ({ apiVersion: 'networking.k8s.io/v1', kind: 'Ingress', metadata: { name, annotations }, spec });
  const get = (host: string, p: string, headers: Record<string, string> = {}) =>
    new Promise<{ status: number; body: string; headers: http.IncomingHttpHeaders }>((resolve, reject) => {
      const req = http.get({ host: '127.0.0.1', port: cluster.server.ingress.httpPort, path: p, headers: { host, ...headers }, agent }, (res) => {
        let body = '';
        res.setEncoding('utf8').on('data', (c: string) => (body += c)).on('end', () => resolve({ status: res.statusCode ?? 0, body, headers: res.headers }));
      });
      req.on('error', reject);
    });
  const answers = async (host: string, p: string, prefix: string) => eventually(async () => {
    const r = await get(host, p);
    return r.status === 200 && r.body.startsWith(prefix) ? r : undefined;
  }, 20_000, `${host}${p} answered by ${prefix}`);

  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'skiff-ing-'));
    cluster = await startCluster({ server: { disableAgent: false, runtime: 'process', nodeName: node, ingressHttpPort: 0, ingressHttpsPort: 0 }, agentOptions: { resyncMs: 1000, relistMs: 250 } });
    assert.ok(cluster.server.ingress.httpPort && cluster.server.ingress.httpsPort, 'both listeners are up');
    await eventually(async () => (await kubectl(['get', 'ingressclass', 'skiff', '-o', 'jsonpath={.spec.controller}'])) === 'skiff.dev/ingress', 10_000, 'IngressClass skiff');
    const names = ['alpha', 'beta', 'gamma', 'delta'];
    await apply(...names.flatMap((n, i) => [processWebDeployment(n, basePort + i, { node }), svc(n)]));
    for (const n of names) await kubectl(['rollout', 'status', `deployment/${n}`, '--timeout=30s']);
  });
  after(async () => {
    agent.destroy();
    await cluster?.stop();
    await rm(dir, { recursive: true, force: true });
  });

  it('routes two hosts and two paths, 404s without a match, writes status and defaults the class', async () => {
    await apply(ingress('routes', { rules: [
      { host: 'a.test', http: { paths: [path('/', 'alpha'), path('/api', 'beta')] } },
      { host: 'b.test', http: { paths: [path('/', 'gamma'), path('/api', 'delta', 'Exact')] } },
    ] }));
    await answers('a.test', '/', 'alpha-');
    await answers('a.test', '/api/v1', 'beta-');
    assert.match((await get('a.test', '/apiary')).body, /^alpha-/, 'Prefix matches whole path elements');
    await answers('b.test', '/x', 'gamma-');
    await answers('b.test', '/api', 'delta-');
    assert.match((await get('b.test', '/api/v1')).body, /^gamma-/, 'Exact does not match below the path');
    const miss = await get('c.test', '/');
    assert.equal(miss.status, 404);
    assert.equal(miss.body, 'default backend - 404\n');
    assert.equal(await kubectl(['get', 'ingress', 'routes', '-o', 'jsonpath={.spec.ingressClassName}']), 'skiff');
    await eventually(async () => (await kubectl(['get', 'ingress', 'routes'])).match(/routes\s+skiff\s+a\.test,b\.test\s+127\.0\.0\.1\s+80\s/), 10_000, 'ADDRESS in kubectl get ingress');
    const st = JSON.parse(await kubectl(['get', 'ingress', 'routes', '-o', 'jsonpath={.status.loadBalancer.ingress}']));
    assert.deepEqual(st[0].ports.map((p: { port: number }) => p.port), [cluster.server.ingress.httpPort, cluster.server.ingress.httpsPort]);
  });

  it('serves the default backend of an Ingress for unmatched requests', async () => {
    await apply(ingress('fallback', { defaultBackend: { service: { name: 'delta', port: { name: 'http' } } } }));
    await answers('nothing.test', '/anything', 'delta-');
  });

  it('serves TLS with the Secret named for the host (SNI) and redirects HTTP to HTTPS', async () => {
    const ca = await createCA('ingress-test-ca');
    const leaf = await issueCert(ca, { commonName: 'secure.test', usage: 'server', sans: ['secure.test'] });
    await writeFile(join(dir, 'tls.crt'), leaf.cert);
    await writeFile(join(dir, 'tls.key'), leaf.key);
    await kubectl(['create', 'secret', 'tls', 'secure-tls', `--cert=${join(dir, 'tls.crt')}`, `--key=${join(dir, 'tls.key')}`]);
    await apply(ingress('secure', { tls: [{ hosts: ['secure.test'], secretName: 'secure-tls' }], rules: [{ host: 'secure.test', http: { paths: [path('/', 'gamma')] } }] }));
    const hget = (servername: string) => new Promise<{ body: string; cn: string }>((resolve, reject) => {
      const req = https.get({ host: '127.0.0.1', port: cluster.server.ingress.httpsPort, path: '/', servername, headers: { host: servername }, ca: ca.cert, rejectUnauthorized: servername === 'secure.test' }, (res) => {
        const cn = String((res.socket as import('node:tls').TLSSocket).getPeerCertificate().subject?.CN ?? '');
        let body = '';
        res.setEncoding('utf8').on('data', (c: string) => (body += c)).on('end', () => resolve({ body, cn }));
      });
      req.on('error', reject);
    });
    const ok = await eventually(async () => {
      const r = await hget('secure.test').catch(() => undefined);
      return r && r.cn === 'secure.test' && r.body.startsWith('gamma-') ? r : undefined;
    }, 15_000, 'the Secret certificate over SNI');
    assert.equal(ok.cn, 'secure.test');
    assert.equal((await hget('other.test')).cn, 'Kubernetes Ingress Controller Fake Certificate');
    const redirect = await get('secure.test', '/x?y=1');
    assert.equal(redirect.status, 308);
    assert.equal(redirect.headers.location, `https://secure.test:${cluster.server.ingress.httpsPort}/x?y=1`);
  });

  it('sends a canary at weight 20 about 20% of 1000 requests', async () => {
    await apply(
      ingress('stable', { rules: [{ host: 'canary.test', http: { paths: [path('/', 'alpha')] } }] }),
      ingress('next', { rules: [{ host: 'canary.test', http: { paths: [path('/', 'beta')] } }] }, { 'nginx.ingress.kubernetes.io/canary': 'true', 'nginx.ingress.kubernetes.io/canary-weight': '20' }),
    );
    await answers('canary.test', '/', 'beta-');
    let canary = 0;
    // 1000 requests over 10 concurrent keep-alive loops.
    await Promise.all(Array.from({ length: 10 }, async () => {
      for (let i = 0; i < 100; i++) {
        const r = await get('canary.test', '/');
        assert.equal(r.status, 200);
        if (r.body.startsWith('beta-')) canary++;
        else assert.match(r.body, /^alpha-/);
      }
    }));
    assert.ok(canary >= 150 && canary <= 250, `canary got ${canary} of 1000`);
  });

  it('routes a canary by header: always, never, and the weight otherwise', async () => {
    await apply(
      ingress('hdr-main', { rules: [{ host: 'hdr.test', http: { paths: [path('/', 'gamma')] } }] }),
      ingress('hdr-canary', { rules: [{ host: 'hdr.test', http: { paths: [path('/', 'delta')] } }] }, { 'nginx.ingress.kubernetes.io/canary': 'true', 'nginx.ingress.kubernetes.io/canary-by-header': 'X-Canary', 'nginx.ingress.kubernetes.io/canary-weight': '0' }),
    );
    await eventually(async () => (await get('hdr.test', '/', { 'x-canary': 'always' })).body.startsWith('delta-'), 10_000, 'canary by header');
    for (let i = 0; i < 20; i++) {
      assert.match((await get('hdr.test', '/', { 'x-canary': 'always' })).body, /^delta-/);
      assert.match((await get('hdr.test', '/', { 'x-canary': 'never' })).body, /^gamma-/);
      assert.match((await get('hdr.test', '/')).body, /^gamma-/);
    }
  });
});
