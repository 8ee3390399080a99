/**
 * Acceptance: zero failed requests through the built-in ingress while the backend changes
 * under a steady request loop — (a) a rolling update (`kubectl rollout restart`) of a
 * Deployment with a readinessProbe, (b) a blue-green switch of a Service's selector. Pods are
 * host processes (`--runtime process`); replicas share their port with SO_REUSEPORT.
 */
import assert from 'node:assert/strict';
import http from 'node:http';
import { after, before, describe, it } from 'node:test';
import { eventually, haveKubectl } from '../support/kubectl.ts';
import { startCluster, type TestCluster } from '../support/server.ts';
import { processWebDeployment } from '../support/process-web.ts';

const node = 'zd-node';
const basePort = 21000 + Math.floor(Math.random() * 20000);


describe('zero-downtime changes behind the ingress', { skip: !haveKubectl && 'kubectl is not installed' }, () => {
  let cluster: TestCluster;
  const agent = new http.Agent({ keepAlive: true });
  const kubectl = (args: string[], input?: string) => cluster.kubectl.ok(args, { input, timeoutMs: 60_000 });
  const apply = (...objs: object[]) => kubectl(['apply', '-f', '-'], JSON.stringify({ apiVersion: 'v1', kind: 'List', items: objs }));
  const svc = (name: string, selector: Record<string, string>) => ({ apiVersion: 'v1', kind: 'Service', metadata: { name }, spec: { selector, ports: [{ name: 'http', port: 80, targetPort: 'http' }] } });
  const ingress = (name: string, host: string, service: string) => ({
    apiVersion: 'networking.k8s.io/v1', kind: 'Ingress', metadata: { name },
    spec: { rules: [{ host, http: { paths: [{ path: '/', pathType: 'Prefix', backend: { service: { name: service, port: { number: 80 } } } }] } }] },
  });
  const get = (host: string) =>
    new Promise<{ status: number; body: string }>((resolve) => {
      const req = http.get({ host: '127.0.0.1', port: cluster.server.ingress.httpPort, path: '/', headers: { host }, agent }, (res) => {
        let body = '';
        res.setEncoding('utf8').on('data', (c: string) => (body += c)).on('end', () => resolve({ status: res.statusCode ?? 0, body })).on('error', (e) => resolve({ status: 0, body: String(e) }));
      });
      req.on('error', (e) => resolve({ status: 0, body: String(e) }));
    });
  /** Runs `loops` concurrent request loops until `during` settles; returns every answer. */
  const underLoad = async (host: string, during: () => Promise<void>, loops = 4) => {
    const seen: { status: number; body: string }[] = [];
    let stop = false;
    const loop = async () => {
      while (!stop) seen.push(await get(host));
    };
    const running = Array.from({ length: loops }, loop);
    try {
      await during();
    } finally {
      stop = true;
      await Promise.all(running);
    }
    return seen;
  };

  before(async () => {
    cluster = await startCluster({ server: { disableAgent: false, runtime: 'process', nodeName: node, ingressHttpPort: 0, ingressHttpsPort: -1 }, agentOptions: { resyncMs: 1000, relistMs: 250 } });
    await eventually(async () => (await kubectl(['get', 'ingressclass', 'skiff', '-o', 'jsonpath={.spec.controller}'])) === 'skiff.dev/ingress', 15_000, 'IngressClass skiff');
  });
  after(async () => {
    agent.destroy();
    await cluster?.stop();
  });

  it('loses no request during a rolling update of a Deployment with a readinessProbe', async () => {
    await apply(processWebDeployment('roll', basePort, { replicas: 2, labels: { app: 'roll' }, node, surge: true }), svc('roll', { app: 'roll' }), ingress('roll', 'roll.test', 'roll'));
    await kubectl(['rollout', 'status', 'deployment/roll', '--timeout=30s']);
    await eventually(async () => (await get('roll.test')).body.startsWith('roll-'), 15_000, 'roll.test answering');
    const old = new Set((await kubectl(['get', 'pods', '-l', 'app=roll', '-o', 'jsonpath={.items[*].metadata.name}'])).split(' '));
    const seen = await underLoad('roll.test', async () => {
      await kubectl(['rollout', 'restart', 'deployment/roll']);
      await kubectl(['rollout', 'status', 'deployment/roll', '--timeout=45s']);
      // Until the old pods are gone, not just replaced in the Deployment's status.
      await eventually(async () => {
        const now = (await kubectl(['get', 'pods', '-l', 'app=roll', '-o', 'jsonpath={.items[*].metadata.name}'])).split(' ');
        return now.every((n) => !old.has(n));
      }, 30_000, 'old pods gone');
    });
    const failed = seen.filter((r) => r.status !== 200);
    assert.equal(failed.length, 0, `failed: ${JSON.stringify(failed.slice(0, 5))} of ${seen.length}`);
    assert.ok(seen.length > 50, `only ${seen.length} requests`);
    assert.ok(seen.some((r) => !old.has(r.body)), 'new pods answered during the rollout');
  });

  it('loses no request when a Service selector switches from blue to green', async () => {
    await apply(
      processWebDeployment('blue', basePort + 1, { labels: { app: 'bg', color: 'blue' }, node, surge: true }),
      processWebDeployment('green', basePort + 2, { labels: { app: 'bg', color: 'green' }, node, surge: true }),
      svc('bg', { app: 'bg', color: 'blue' }),
      ingress('bg', 'bg.test', 'bg'),
    );
    for (const d of ['blue', 'green']) await kubectl(['rollout', 'status', `deployment/${d}`, '--timeout=30s']);
    await eventually(async () => (await get('bg.test')).body.startsWith('blue-'), 15_000, 'bg.test answered by blue');
    const seen = await underLoad('bg.test', async () => {
      await kubectl(['patch', 'service', 'bg', '-p', JSON.stringify({ spec: { selector: { app: 'bg', color: 'green' } } })]);
      await eventually(async () => (await get('bg.test')).body.startsWith('green-'), 15_000, 'green answering');
    });
    const failed = seen.filter((r) => r.status !== 200);
    assert.equal(failed.length, 0, `failed: ${JSON.stringify(failed.slice(0, 5))} of ${seen.length}`);
    assert.ok(seen.some((r) => r.body.startsWith('blue-')) && seen.some((r) => r.body.startsWith('green-')), 'both colours answered');
    const after = await Promise.all(Array.from({ length: 10 }, () => get('bg.test')));
    assert.ok(after.every((r) => r.body.startsWith('green-')), 'only green after the switch');
  });
});
