import assert from 'node:assert/strict';
import { request } from 'node:https';
import { after, before, describe, it } from 'node:test';
import type { Node } from 'kubernetes-types/core/v1.js';
import { KubeletServer } from '../kubelet/server/server.ts';
import type { NodeUsage } from '../kubelet/stats/types.ts';
import { createCA, issueCert, type KeyPairPem } from '../pki/certs.ts';
import { silentLogger } from '../util/log.ts';
import { kubeletAddress, scrapeKubelet } from './scrape.ts';

describe('kubelet stats endpoints and the metrics server scrape', () => {
  let ca: KeyPairPem, client: KeyPairPem, stranger: KeyPairPem, port: number;
  const ctl = new AbortController();
  let fail = false;
  const usage = (): NodeUsage => ({
    nodeName: 'n1',
    timestamp: 1_700_000_005_000,
    startTime: 1_700_000_000_000,
    cpuUsageNanos: 3e9,
    memoryWorkingSetBytes: 1 << 28,
    memoryUsageBytes: 1 << 29,
    pods: [{ namespace: 'ns', name: 'p', uid: 'u', startTime: 1_700_000_000_000, containers: [{ name: 'c', startTime: 1_700_000_001_000, timestamp: 1_700_000_005_000, cpuUsageNanos: 1e9, memoryWorkingSetBytes: 4096, memoryUsageBytes: 8192 }] }],
  });
  const get = (path: string, cert: KeyPairPem) =>
    new Promise<{ code: number; body: string; type: string }>((resolve, reject) => {
      const r = request({ host: '127.0.0.1', port, path, cert: cert.cert, key: cert.key, ca: ca.cert }, (res) => {
        let body = '';
        res.on('data', (d) => (body += d));
        res.on('end', () => resolve({ code: res.statusCode ?? 0, body, type: String(res.headers['content-type']) }));
      });
      r.on('error', reject);
      r.end();
    });
  const node = (): Node => ({ metadata: { name: 'n1' }, status: { addresses: [{ type: 'InternalIP', address: '127.0.0.1' }], daemonEndpoints: { kubeletEndpoint: { Port: port } } } });

  before(async () => {
    ca = await createCA('ca');
    client = await issueCert(ca, { commonName: 'kube-apiserver-kubelet-client', usage: 'client' });
    stranger = await issueCert(await createCA('other'), { commonName: 'kube-apiserver-kubelet-client', usage: 'client' });
    const serving = await issueCert(ca, { commonName: 'system:node:n1', usage: 'server', sans: ['127.0.0.1'] });
    const server = new KubeletServer({
      cert: serving.cert, key: serving.key, clientCA: ca.cert, port: 0, address: '127.0.0.1', agentDir: '/nonexistent', logger: silentLogger,
      getPod: () => undefined,
      stats: async () => {
        if (fail) throw new Error('runtime down');
        return usage();
      },
    });
    port = await server.start(ctl.signal);
  });
  after(() => ctl.abort());

  it('serves /metrics/resource and /stats/summary to the API server only', async () => {
    const m = await get('/metrics/resource', client);
    assert.equal(m.code, 200);
    assert.match(m.type, /^text\/plain; version=0\.0\.4/);
    assert.match(m.body, /^node_cpu_usage_seconds_total 3 1700000005000$/m);
    const s = await get('/stats/summary', client);
    const summary = JSON.parse(s.body) as { node: { nodeName: string; memory: { workingSetBytes: number } }; pods: { podRef: { name: string } }[] };
    assert.equal(summary.node.nodeName, 'n1');
    assert.equal(summary.node.memory.workingSetBytes, 1 << 28);
    assert.equal(summary.pods[0]!.podRef.name, 'p');
    assert.equal((await get('/metrics/resource', stranger)).code, 401);
  });

  it('scrapes over HTTPS with the kubelet-client certificate', async () => {
    const p = await scrapeKubelet(node(), { cert: client.cert, key: client.key, ca: ca.cert }, 5000);
    assert.equal(p.cpuUsageNanos, 3e9);
    assert.equal(p.pods[0]!.containers[0]!.memoryWorkingSetBytes, 4096);
    await assert.rejects(scrapeKubelet(node(), { cert: stranger.cert, key: stranger.key, ca: ca.cert }, 5000), /status: 401/);
    fail = true;
    // A failed collection still answers, with the error gauge set and no usage.
    const broken = await scrapeKubelet(node(), { cert: client.cert, key: client.key, ca: ca.cert }, 5000);
    fail = false;
    assert.ok(Number.isNaN(broken.cpuUsageNanos));
    assert.equal(kubeletAddress({ metadata: { name: 'x' } }), 'node has no InternalIP or ExternalIP address');
  });
});
